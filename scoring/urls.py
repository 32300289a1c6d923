from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("blocs/<int:bloc_id>/years/<int:year>/campaign/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:campaign_id>/steps/<slug:verb>/",
        views.campaign_step_confirm,
        name="campaign_step_confirm",
    ),
    path("campaigns/<int:campaign_id>/steps/<slug:verb>/apply/", views.campaign_step, name="campaign_step"),
    path("campaigns/<int:campaign_id>/covenant/", views.covenant, name="covenant"),
    path("campaigns/<int:campaign_id>/covenant/register/", views.registration_save, name="registration_save"),
    path("campaigns/<int:campaign_id>/covenant/sign/", views.covenant_sign, name="covenant_sign"),
    path("campaigns/<int:campaign_id>/criteria/", views.criteria, name="criteria"),
    path(
        "campaigns/<int:campaign_id>/criteria/groups/new/",
        views.criteria_group_edit,
        name="criteria_group_create",
    ),
    path(
        "campaigns/<int:campaign_id>/criteria/groups/<int:group_id>/edit/",
        views.criteria_group_edit,
        name="criteria_group_edit",
    ),
    path(
        "campaigns/<int:campaign_id>/criteria/groups/<int:group_id>/delete/",
        views.criteria_group_delete,
        name="criteria_group_delete",
    ),
    path("campaigns/<int:campaign_id>/criteria/items/new/", views.criterion_edit, name="criterion_create"),
    path(
        "campaigns/<int:campaign_id>/criteria/items/<int:criterion_id>/edit/",
        views.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "campaigns/<int:campaign_id>/criteria/items/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "campaigns/<int:campaign_id>/criteria/copy/",
        views.criteria_copy_confirm,
        name="criteria_copy_confirm",
    ),
    path("campaigns/<int:campaign_id>/criteria/copy/apply/", views.criteria_copy, name="criteria_copy"),
    path("campaigns/<int:campaign_id>/criteria/import/", views.criteria_import, name="criteria_import"),
    path(
        "campaigns/<int:campaign_id>/criteria/import/apply/",
        views.criteria_import_apply,
        name="criteria_import_apply",
    ),
    path("campaigns/<int:campaign_id>/sheets/", views.sheet_list, name="sheet_list"),
    path("campaigns/<int:campaign_id>/summary/", views.summary, name="summary"),
    path("campaigns/<int:campaign_id>/summary.xlsx", views.summary_export, name="summary_export"),
    path("sheets/<int:sheet_id>/", views.sheet_detail, name="sheet_detail"),
    path("sheets/<int:sheet_id>/save/", views.sheet_save, name="sheet_save"),
    path("sheets/<int:sheet_id>/submit/", views.sheet_submit, name="sheet_submit"),
    path("sheets/<int:sheet_id>/lines/<int:criterion_id>/review/", views.line_review, name="line_review"),
    path("sheets/<int:sheet_id>/return/", views.sheet_return, name="sheet_return"),
    path("sheets/<int:sheet_id>/finalize/", views.sheet_finalize, name="sheet_finalize"),
    path("sheets/<int:sheet_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
