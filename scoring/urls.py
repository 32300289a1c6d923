from django.urls import path

from scoring import conference_views, nomination_views, overview_views, views

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
    # Conference and votes
    path(
        "campaigns/<int:campaign_id>/conference/",
        conference_views.conference_detail,
        name="conference_detail",
    ),
    path(
        "campaigns/<int:campaign_id>/conference/edit/",
        conference_views.conference_edit,
        name="conference_edit",
    ),
    path(
        "campaigns/<int:campaign_id>/conference/adopt/",
        conference_views.conference_adopt,
        name="conference_adopt",
    ),
    path(
        "campaigns/<int:campaign_id>/conference/handover/",
        conference_views.conference_handover_confirm,
        name="conference_handover_confirm",
    ),
    path(
        "campaigns/<int:campaign_id>/conference/handover/apply/",
        conference_views.conference_handover,
        name="conference_handover",
    ),
    path("campaigns/<int:campaign_id>/vote-rules/", conference_views.vote_rules, name="vote_rules"),
    path(
        "campaigns/<int:campaign_id>/vote-rules/new/",
        conference_views.vote_rule_edit,
        name="vote_rule_create",
    ),
    path(
        "campaigns/<int:campaign_id>/vote-rules/<int:rule_id>/edit/",
        conference_views.vote_rule_edit,
        name="vote_rule_edit",
    ),
    path(
        "campaigns/<int:campaign_id>/vote-rules/<int:rule_id>/delete/",
        conference_views.vote_rule_delete,
        name="vote_rule_delete",
    ),
    path(
        "campaigns/<int:campaign_id>/vote-rules/settings/",
        conference_views.vote_settings,
        name="vote_settings",
    ),
    path(
        "campaigns/<int:campaign_id>/rounds/new/",
        conference_views.round_create_confirm,
        name="round_create_confirm",
    ),
    path("campaigns/<int:campaign_id>/rounds/new/apply/", conference_views.round_create, name="round_create"),
    path("rounds/<int:round_id>/", conference_views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/open/", conference_views.round_open, name="round_open"),
    path("rounds/<int:round_id>/close/", conference_views.round_close_confirm, name="round_close_confirm"),
    path("rounds/<int:round_id>/close/apply/", conference_views.round_close, name="round_close"),
    path("rounds/<int:round_id>/results/", conference_views.round_results, name="round_results"),
    path("rounds/<int:round_id>/ballot/", conference_views.ballot_form, name="ballot_form"),
    path("rounds/<int:round_id>/ballot/cast/", conference_views.ballot_cast, name="ballot_cast"),
    path("rounds/<int:round_id>/paper/", conference_views.paper_entry_save, name="paper_entry_save"),
    # Nominations and the reward board's review
    path(
        "campaigns/<int:campaign_id>/nominations/", nomination_views.nomination_list, name="nomination_list"
    ),
    path("nominations/<int:nomination_id>/", nomination_views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:nomination_id>/edit/", nomination_views.nomination_edit, name="nomination_edit"),
    path(
        "nominations/<int:nomination_id>/resubmit/",
        nomination_views.nomination_resubmit,
        name="nomination_resubmit",
    ),
    path(
        "nominations/<int:nomination_id>/accept/",
        nomination_views.nomination_accept,
        name="nomination_accept",
    ),
    path(
        "nominations/<int:nomination_id>/return/",
        nomination_views.nomination_return,
        name="nomination_return",
    ),
    path(
        "nominations/<int:nomination_id>/decide/",
        nomination_views.nomination_decide,
        name="nomination_decide",
    ),
    path("review/", nomination_views.review_queue, name="review_queue"),
    path("overview/", overview_views.overview, name="overview"),
    path("overview.xlsx", overview_views.overview_export, name="overview_export"),
]
