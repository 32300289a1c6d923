"""Changes of the documents: narrative drafts, adoption, and issuing (numbering, freezing, rendering once)."""

import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from blocs.access import ensure_can_manage
from blocs.audit import audit_record
from blocs.errors import BlocError
from blocs.models import User
from reports import rendering, richtext, snapshots
from reports.models import Document, DocumentCounter, Narrative
from scoring.models import Campaign, VoteRound
from thiduabloc.stored_files import atomic_with_files, keep_only_on_commit


class ReportError(BlocError):
    """A document cannot be made or issued; the message says why."""


def _lock_campaign(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc__province")
        .prefetch_related("bloc_year__memberships__unit")
        .get(pk=campaign.pk)
    )


@transaction.atomic
def narrative_save(*, actor: User | None, campaign: Campaign, sections: dict[str, str]) -> Narrative:
    """Save the written sections as a new version of the report's draft (older versions stay)."""
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    fields = {name for name, _label in Narrative.SECTIONS}
    if set(sections) - fields:
        raise TypeError(f"unknown sections: {set(sections) - fields}")
    for name, source in sections.items():
        try:
            richtext.to_html(source)
        except ValueError as exc:
            # The section's label and the error are both in the user's language.
            raise ReportError(f"{dict(Narrative.SECTIONS)[name]}: {exc}") from None
    latest = campaign.narratives.order_by("-number").first()
    values = {name: getattr(latest, name) if latest else "" for name in fields}
    values.update({name: source.strip() for name, source in sections.items()})
    if latest is not None and all(getattr(latest, name) == values[name] for name in fields):
        return latest  # nothing changed: no new version
    narrative = Narrative.objects.create(
        campaign=campaign, number=(latest.number if latest else 0) + 1, created_by=actor, **values
    )
    audit_record(actor=actor, action="narrative.save", target=narrative, version=narrative.number)
    return narrative


@transaction.atomic
def narrative_adopt(*, actor: User | None, narrative: Narrative) -> Narrative:
    """Mark the version the conference adopted (one per campaign)."""
    campaign = _lock_campaign(narrative.campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if narrative.adopted:
        raise ReportError(
            _("Bản %(number)s đã được đánh dấu là bản hội nghị thông qua; không thay đổi gì.")
            % {"number": narrative.number}
        )
    campaign.narratives.filter(adopted=True).update(adopted=False)
    Narrative.objects.filter(pk=narrative.pk).update(adopted=True)
    narrative.adopted = True
    audit_record(actor=actor, action="narrative.adopt", target=narrative, version=narrative.number)
    return narrative


def _next_number(bloc, year: int, type_code: str) -> int:
    """The next number of the bloc's series; the counter row stays locked until the transaction ends."""
    counter = (
        DocumentCounter.objects.select_for_update().filter(bloc=bloc, year=year, type_code=type_code).first()
    )
    if counter is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(bloc=bloc, year=year, type_code=type_code)
        except IntegrityError:
            pass  # created at the same instant by another issue; lock theirs
        counter = DocumentCounter.objects.select_for_update().get(bloc=bloc, year=year, type_code=type_code)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@atomic_with_files
def document_issue(
    *,
    actor: User | None,
    campaign: Campaign,
    kind: str,
    issued_on: datetime.date,
    vote_round: VoteRound | None = None,
) -> Document:
    """Issue a document: the next number of the bloc's series for the year and type, the figures frozen as they
    are now, the PDF rendered once and stored with its SHA-256. Issuing the same document again makes a new
    version with a new number; the old one stays."""
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if kind not in Document.Kind.values:
        raise ReportError(_("Loại văn bản không hợp lệ."))
    if kind == Document.Kind.COUNT_MINUTES and vote_round is None:
        raise ReportError(_("Chọn vòng bỏ phiếu."))
    bloc = campaign.bloc_year.bloc
    narrative = None
    if kind == Document.Kind.REPORT:
        narrative = campaign.narratives.filter(adopted=True).first() or campaign.narratives.first()
    # Check readiness before taking a number, without gathering the figures twice: should the build below still
    # refuse, the transaction rolls back with the number it took, so a refused issue leaves no gap in the series.
    reason = snapshots.missing(campaign, kind, vote_round)
    if reason:
        raise ReportError(reason)
    type_code = snapshots.TYPE_CODES[kind]
    number = _next_number(bloc, issued_on.year, type_code)
    try:
        snapshot = snapshots.build(
            campaign, kind, number=number, issued_on=issued_on, vote_round=vote_round, narrative=narrative
        )
    except snapshots.NotReady as exc:
        raise ReportError(str(exc)) from None
    previous = (
        Document.objects.filter(campaign=campaign, kind=kind, vote_round=vote_round)
        .order_by("-version")
        .first()
    )
    if previous is not None:
        snapshot["replaces"] = previous.number_label
    pdf = rendering.render_pdf(snapshot)
    document = Document(
        campaign=campaign,
        kind=kind,
        vote_round=vote_round,
        narrative=narrative,
        bloc=bloc,
        year=issued_on.year,
        type_code=type_code,
        number=number,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        issued_on=issued_on,
        issued_by=actor,
        snapshot=snapshot,
        sha256=rendering.sha256(pdf),
    )
    document.pdf.save(rendering.file_name(snapshot, "pdf"), ContentFile(pdf), save=False)
    keep_only_on_commit(document.pdf)
    document.save()
    audit_record(
        actor=actor,
        action="document.issue",
        target=document,
        number=snapshot["number_label"],
        sha256=document.sha256,
        file=document.pdf.name,
    )
    return document
