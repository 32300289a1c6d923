from django.contrib import admin

from blocs.admin import ReadOnlyAdminMixin
from scoring.models import AwardType, BaseSalary, Campaign, CriteriaGroup, Criterion, ScoreChange, ScoreSheet
from scoring.nominations import refresh_sort_keys


@admin.register(AwardType)
class AwardTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "recipient", "money_coefficient", "is_active", "position"]
    list_filter = ["level", "recipient", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "short_name", "code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "position" in form.changed_data:
            refresh_sort_keys(award_type=obj)


@admin.register(BaseSalary)
class BaseSalaryAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "amount", "legal_basis"]


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Workflow data changes only through the app's services (with their checks and audit); the admin reads."""


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "bloc_year", "status", "launch_date", "conference_date"]
    list_filter = ["status", "bloc_year__year"]
    list_select_related = ["bloc_year__bloc"]
    search_fields = ["title", "bloc_year__bloc__name"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(CriteriaGroup)
class CriteriaGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "cap", "campaign"]
    list_select_related = ["campaign"]
    inlines = [CriterionInline]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin):
    list_display = ["unit", "campaign", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["unit", "campaign"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "changed_by_name", "stage", "line", "old_value", "new_value", "reason"]
    list_select_related = ["line__sheet__unit", "line__criterion", "line__sheet__campaign__bloc_year__bloc"]
