from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import access as bloc_access
from blocs.errors import BlocError
from reports import rendering, services, snapshots
from reports.docx import build_docx
from reports.forms import IssueForm, NarrativeForm
from reports.models import Document, Narrative
from scoring import access
from scoring.models import Campaign, VoteRound
from thiduabloc.params import whole_number

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _kind_or_404(kind: str) -> str:
    if kind not in Document.Kind.values:
        raise Http404(_("Không có loại văn bản này."))
    return kind


def _round(request, campaign: Campaign, kind: str) -> VoteRound | None:
    if kind != Document.Kind.COUNT_MINUTES:
        return None
    value = whole_number(request.GET.get("round") or request.POST.get("round"))
    if value is None:
        raise Http404(_("Chọn vòng bỏ phiếu."))
    return get_object_or_404(VoteRound, pk=value, conference__campaign=campaign)


def _query(vote_round: VoteRound | None) -> str:
    return f"?round={vote_round.pk}" if vote_round else ""


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def documents(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    rounds = list(
        VoteRound.objects.filter(conference__campaign=campaign, status=VoteRound.Status.CLOSED)
        .select_related("conference")
        .order_by("number")
    )
    kinds = []
    for kind, label in Document.Kind.choices:
        targets = (
            [(r, _("vòng %(number)s") % {"number": r.number}) for r in rounds]
            if kind == Document.Kind.COUNT_MINUTES
            else [(None, "")]
        )
        for vote_round, suffix in targets:
            missing = snapshots.missing(campaign, kind, vote_round)
            kinds.append(
                {
                    "kind": kind,
                    "label": f"{label} {suffix}".strip(),
                    "query": _query(vote_round),
                    "missing": missing,
                }
            )
    issued = list(campaign.documents.select_related("issued_by", "vote_round").order_by("kind", "-version"))
    return render(
        request,
        "reports/documents.html",
        {
            "campaign": campaign,
            "kinds": kinds,
            "issued": issued,
            "can_manage": bloc_access.can_manage(request.user, campaign.bloc_year),
        },
    )


@login_required
def narrative_edit(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    latest = campaign.narratives.order_by("-number").first()
    initial = {name: getattr(latest, name) for name, _label in Narrative.SECTIONS} if latest else None
    form = NarrativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            narrative = services.narrative_save(
                actor=request.user, campaign=campaign, sections=form.cleaned_data
            )
        except BlocError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Đã lưu dự thảo báo cáo, bản %(number)s.") % {"number": narrative.number}
            )
            return redirect("reports:narrative_edit", campaign_id=campaign.pk)
    return render(
        request,
        "reports/narrative_form.html",
        {
            "campaign": campaign,
            "form": form,
            "versions": list(campaign.narratives.select_related("created_by").order_by("-number")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def narrative_adopt(request, campaign_id: int, number: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    narrative = get_object_or_404(Narrative, campaign=campaign, number=number)
    try:
        services.narrative_adopt(actor=request.user, narrative=narrative)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Bản %(number)s được ghi là bản hội nghị thông qua.") % {"number": number}
        )
    return redirect("reports:narrative_edit", campaign_id=campaign.pk)


def _draft(request, campaign_id: int, kind: str):
    campaign = access.get_campaign(request.user, campaign_id)
    kind = _kind_or_404(kind)
    vote_round = _round(request, campaign, kind)
    try:
        snapshot = snapshots.build(campaign, kind, vote_round=vote_round)
    except snapshots.NotReady as exc:
        raise Http404(str(exc)) from None
    return campaign, kind, vote_round, snapshot


@login_required
@require_GET
def document_preview(request, campaign_id: int, kind: str):
    campaign, kind, vote_round, snapshot = _draft(request, campaign_id, kind)
    query = _query(vote_round)
    links = {
        "items": [
            {"url": reverse("reports:documents", args=[campaign.pk]), "label": _("← Quay lại")},
            {
                "url": reverse("reports:document_draft_pdf", args=[campaign.pk, kind]) + query,
                "label": _("Tải PDF"),
            },
            {
                "url": reverse("reports:document_draft_docx", args=[campaign.pk, kind]) + query,
                "label": _("Tải Word (.docx)"),
            },
        ],
        "draft_note": _("Dự thảo: chưa ban hành, số văn bản để trống."),
    }
    return HttpResponse(rendering.render_html(snapshot, preview=True, links=links))


@login_required
@require_GET
def document_draft_pdf(request, campaign_id: int, kind: str):
    _, _, _, snapshot = _draft(request, campaign_id, kind)
    return _attachment(rendering.render_pdf(snapshot), PDF, rendering.file_name(snapshot, "pdf"))


@login_required
@require_GET
def document_draft_docx(request, campaign_id: int, kind: str):
    _, _, _, snapshot = _draft(request, campaign_id, kind)
    return _attachment(build_docx(snapshot), DOCX, rendering.file_name(snapshot, "docx"))


@login_required
@require_GET
def document_issue_confirm(request, campaign_id: int, kind: str):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    kind = _kind_or_404(kind)
    vote_round = _round(request, campaign, kind)
    missing = snapshots.missing(campaign, kind, vote_round)
    default_day = campaign.conference_date if campaign.conference_date else timezone.localdate()
    return render(
        request,
        "reports/document_issue.html",
        {
            "campaign": campaign,
            "kind": kind,
            "label": Document.Kind(kind).label,
            "vote_round": vote_round,
            "missing": missing,
            "previous": Document.objects.filter(campaign=campaign, kind=kind, vote_round=vote_round).first(),
            "form": IssueForm(initial={"issued_on": default_day}),
        },
    )


@login_required
@require_POST
def document_issue(request, campaign_id: int, kind: str):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    kind = _kind_or_404(kind)
    vote_round = _round(request, campaign, kind)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi ngày ban hành hợp lệ."))
        return redirect(
            reverse("reports:document_issue_confirm", args=[campaign.pk, kind]) + _query(vote_round)
        )
    try:
        document = services.document_issue(
            actor=request.user,
            campaign=campaign,
            kind=kind,
            issued_on=form.cleaned_data["issued_on"],
            vote_round=vote_round,
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect("reports:documents", campaign_id=campaign.pk)
    messages.success(
        request,
        _("Đã ban hành %(kind)s %(number)s.")
        % {"kind": document.get_kind_display().lower(), "number": document.number_label},
    )
    return redirect("reports:documents", campaign_id=campaign.pk)


def _issued(request, document_id: int) -> Document:
    return get_object_or_404(
        access.of_visible_campaigns(Document.objects.all(), request.user, "campaign"), pk=document_id
    )


@login_required
@require_GET
def document_pdf(request, document_id: int):
    """The stored bytes, whatever happened to the data since the document was issued."""
    document = _issued(request, document_id)
    with document.pdf.open("rb") as handle:
        content = handle.read()
    return _attachment(content, PDF, rendering.file_name(document.snapshot, "pdf"))


@login_required
@require_GET
def document_docx(request, document_id: int):
    document = _issued(request, document_id)
    return _attachment(build_docx(document.snapshot), DOCX, rendering.file_name(document.snapshot, "docx"))
