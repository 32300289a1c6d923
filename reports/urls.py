from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("campaigns/<int:campaign_id>/documents/", views.documents, name="documents"),
    path("campaigns/<int:campaign_id>/report/", views.narrative_edit, name="narrative_edit"),
    path(
        "campaigns/<int:campaign_id>/report/versions/<int:number>/adopt/",
        views.narrative_adopt,
        name="narrative_adopt",
    ),
    path(
        "campaigns/<int:campaign_id>/documents/<slug:kind>/", views.document_preview, name="document_preview"
    ),
    path(
        "campaigns/<int:campaign_id>/documents/<slug:kind>/draft.pdf",
        views.document_draft_pdf,
        name="document_draft_pdf",
    ),
    path(
        "campaigns/<int:campaign_id>/documents/<slug:kind>/draft.docx",
        views.document_draft_docx,
        name="document_draft_docx",
    ),
    path(
        "campaigns/<int:campaign_id>/documents/<slug:kind>/issue/",
        views.document_issue_confirm,
        name="document_issue_confirm",
    ),
    path(
        "campaigns/<int:campaign_id>/documents/<slug:kind>/issue/apply/",
        views.document_issue,
        name="document_issue",
    ),
    path("documents/<int:document_id>.pdf", views.document_pdf, name="document_pdf"),
    path("documents/<int:document_id>.docx", views.document_docx, name="document_docx"),
]
