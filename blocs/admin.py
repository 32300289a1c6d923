from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy

from blocs.errors import BlocError
from blocs.forms import UnitImportForm
from blocs.models import (
    AuditEntry,
    Bloc,
    Blocker,
    BlocYear,
    Handover,
    Membership,
    Notification,
    Province,
    RotationSlot,
    Unit,
    UnitImport,
    User,
)
from blocs.services import unit_import_apply, unit_import_upload
from blocs.unit_import import COLUMNS, parse_units


class FoldedSearchMixin:
    """Admin search that ignores Vietnamese diacritics and case ("chu thap do" finds "Chữ thập đỏ")."""

    search_fields = ["search_text"]
    search_help_text = gettext_lazy("Tìm theo tên, tên ngắn hoặc ký hiệu; không cần gõ dấu.")

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code"]
    search_fields = ["name", "code"]


class ActiveFilter(admin.SimpleListFilter):
    title = gettext_lazy("hiệu lực")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", gettext("Đang hoạt động")), ("no", gettext("Đã hết hiệu lực"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


def _follow_rename(**renamed):
    """The review queue sorts nominations by copies of the unit's and the bloc's names: they follow a rename."""
    from scoring.nominations import refresh_sort_keys  # scoring builds on blocs

    refresh_sort_keys(**renamed)


@admin.register(Unit)
class UnitAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "abbreviation", "province", "valid_from", "valid_to", "successor"]
    list_filter = [ActiveFilter, "province"]
    list_select_related = ["province", "successor"]
    autocomplete_fields = ["successor"]
    change_list_template = "admin/blocs/unit/change_list.html"
    fieldsets = [
        (None, {"fields": ["province", "name", "short_name", "abbreviation", "parent_body"]}),
        (gettext_lazy("Liên hệ"), {"fields": ["address", "head_name", "head_title"]}),
        (gettext_lazy("Hiệu lực"), {"fields": ["valid_from", "valid_to", "successor"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            _follow_rename(unit=obj)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_upload), name="blocs_unit_import"),
            path(
                "import/<int:import_id>/",
                self.admin_site.admin_view(self.import_preview),
                name="blocs_unit_import_preview",
            ),
            *super().get_urls(),
        ]

    def import_upload(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UnitImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            pending, result = unit_import_upload(
                actor=request.user,
                province=form.cleaned_data["province"],
                file_name=upload.name,
                content=upload.read(),
            )
            if pending is not None:
                return redirect("admin:blocs_unit_import_preview", import_id=pending.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Nhập đơn vị từ tệp"),
            "form": form,
            "result": result,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/blocs/unit/import_upload.html", context)

    def import_preview(self, request, import_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        pending = get_object_or_404(UnitImport.objects.select_related("province"), pk=import_id)
        if request.method == "POST":
            try:
                created = unit_import_apply(actor=request.user, unit_import=pending)
            except BlocError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect("admin:blocs_unit_import_preview", import_id=pending.pk)
            self.message_user(
                request, gettext("Đã nhập %(count)s đơn vị.") % {"count": created}, messages.SUCCESS
            )
            return redirect(reverse("admin:blocs_unit_changelist"))
        result = None
        if pending.status == UnitImport.Status.PENDING:
            result = parse_units(
                file_name=pending.file_name, content=bytes(pending.content), province=pending.province
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Xem trước: %(file_name)s") % {"file_name": pending.file_name},
            "pending": pending,
            "result": result,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/blocs/unit/import_preview.html", context)


class RotationSlotInline(admin.TabularInline):
    model = RotationSlot
    extra = 0
    autocomplete_fields = ["unit"]
    ordering = ["position"]


@admin.register(Bloc)
class BlocAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "number", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]
    search_help_text = gettext_lazy("Tìm theo tên khối; không cần gõ dấu.")
    inlines = [RotationSlotInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            _follow_rename(bloc=obj)


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if roles.count(Membership.Role.HEAD) != 1:
            raise ValidationError(gettext("Mỗi năm khối phải có đúng một Khối trưởng."))
        if roles.count(Membership.Role.DEPUTY) > 1:
            raise ValidationError(gettext("Mỗi năm khối chỉ có một Khối phó."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(BlocYear)
class BlocYearAdmin(admin.ModelAdmin):
    list_display = ["bloc", "year", "basis", "notice_number"]
    list_filter = ["year", "basis", "bloc__province"]
    list_select_related = ["bloc"]
    search_fields = ["bloc__name"]
    inlines = [MembershipInline]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["bloc_year", "from_unit", "to_unit", "handed_over_on", "recorded_by"]
    list_select_related = ["bloc_year__bloc", "from_unit", "to_unit", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (gettext_lazy("Đơn vị và vai trò"), {"fields": ["unit", "role"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (gettext_lazy("Đơn vị và vai trò"), {"fields": ["unit", "role"]}),
    ]
    list_display = ["username", "last_name", "first_name", "unit", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["target_repr", "actor_name"]


@admin.register(UnitImport)
class UnitImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "province", "row_count", "status", "created_by", "created_at", "applied_at"]
    list_select_related = ["province", "created_by"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Blocker)
class BlockerAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "started_on", "ended_on", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["unit", "recorded_by"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        from blocs.services import blocker_end, blocker_record

        if change:
            if obj.ended_on and "ended_on" in form.changed_data:
                blocker_end(actor=request.user, blocker=obj, ended_on=obj.ended_on)
            return
        saved = blocker_record(
            actor=request.user,
            unit=obj.unit,
            kind=obj.kind,
            started_on=obj.started_on,
            ended_on=obj.ended_on,
            note=obj.note,
        )
        obj.pk = saved.pk


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "subject", "sent_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
