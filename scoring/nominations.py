"""Nominations after the vote: the bloc completes and submits them, the reward board reviews and decides.

Each change is atomic, permission-checked and audited; every submission is kept as a version with what changed.
"""

import datetime
import difflib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.access import ensure_can_manage
from blocs.audit import audit_record
from blocs.models import Bloc, Unit, User
from blocs.notifications import link, managers_of, notify, staff_of
from scoring.errors import ConflictError, ScoringError
from scoring.models import AwardType, Campaign, Nomination, NominationVersion

Status = Nomination.Status


def is_reward_board(user: User) -> bool:
    return user.is_superuser or user.role in (User.Role.REVIEWER, User.Role.ADMIN)


def ensure_reward_board(user: User | None) -> None:
    if user is not None and not is_reward_board(user):
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng mới thẩm định hồ sơ đề nghị khen thưởng.")
        )


def refresh_sort_keys(
    *, unit: Unit | None = None, bloc: Bloc | None = None, award_type: AwardType | None = None
) -> int:
    """Follow a unit or a bloc renamed, or an award moved in the list, in the review queue's order (the copies
    each nomination keeps, Nomination.sort_year and the rest). The admin pages that edit them call it in the same
    transaction as the change. Returns how many nominations changed."""
    changed = 0
    if unit is not None:
        changed += (
            Nomination.objects.filter(unit=unit).exclude(sort_unit=unit.name).update(sort_unit=unit.name)
        )
    if bloc is not None:
        changed += (
            Nomination.objects.filter(campaign__bloc_year__bloc=bloc)
            .exclude(sort_bloc=bloc.name)
            .update(sort_bloc=bloc.name)
        )
    if award_type is not None:
        changed += (
            Nomination.objects.filter(award_type=award_type)
            .exclude(sort_award=award_type.position)
            .update(sort_award=award_type.position)
        )
    return changed


def _lock(nomination: Nomination) -> Nomination:
    locked = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign__bloc_year", "unit", "award_type")
        .get(pk=nomination.pk)
    )
    locked.campaign.bloc_year.memberships.all()  # roles for the access check
    return locked


def _describe_change(before: str, after: str) -> str:
    """What changed between two versions of the summary, line by line, for the reviewer."""
    if before == after:
        return _("Không thay đổi nội dung.")
    diff = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "lần trước", "lần này", lineterm="", n=0
    )
    return "\n".join(line for line in diff if not line.startswith(("---", "+++", "@@")))


@transaction.atomic
def nomination_save_summary(
    *, actor: User | None, nomination: Nomination, summary: str, expected_version: int
) -> Nomination:
    """The bloc's secretary writes or corrects the nominee's achievement summary (while not under review)."""
    nomination = _lock(nomination)
    ensure_can_manage(actor, nomination.campaign.bloc_year)
    if nomination.status not in (Status.DRAFT, Status.RETURNED):
        raise ScoringError(
            _("Hồ sơ đang ở trạng thái “%(status)s”; không sửa được.")
            % {"status": nomination.get_status_display()}
        )
    if nomination.version != expected_version:
        raise ConflictError(_("Hồ sơ vừa được người khác sửa; hãy tải lại trang rồi sửa lại."))
    summary = summary.strip()
    if not summary:
        raise ScoringError(_("Ghi tóm tắt thành tích của đơn vị được đề nghị."))
    nomination.summary = summary
    nomination.version += 1
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["summary", "version", "updated_at"])
    audit_record(actor=actor, action="nomination.edit", target=nomination, length=len(summary))
    return nomination


def submit_all(*, actor: User | None, campaign: Campaign) -> int:
    """Send every nomination of the campaign as one dossier (called by the campaign's "submit" step)."""
    count = 0
    for nomination in campaign.nominations.select_for_update().filter(status=Status.DRAFT):
        _record_version(actor, nomination)
        nomination.status = Status.SUBMITTED
        nomination.updated_at = timezone.now()
        nomination.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="nomination.submit", target=nomination, status=["draft", "submitted"]
        )
        count += 1
    return count


def _record_version(actor: User | None, nomination: Nomination) -> NominationVersion:
    previous = nomination.versions.order_by("-number").first()
    return NominationVersion.objects.create(
        nomination=nomination,
        number=(previous.number if previous else 0) + 1,
        summary=nomination.summary,
        changes=_describe_change(previous.summary, nomination.summary)
        if previous
        else _("Lần gửi đầu tiên."),
        submitted_by=actor,
    )


@transaction.atomic
def nomination_resubmit(*, actor: User | None, nomination: Nomination) -> Nomination:
    """Send a returned nomination again, corrected; the new version records what changed."""
    nomination = _lock(nomination)
    ensure_can_manage(actor, nomination.campaign.bloc_year)
    if nomination.status == Status.SUBMITTED:
        raise ScoringError(_("Hồ sơ đã được gửi; không thay đổi gì."))
    if nomination.status != Status.RETURNED:
        raise ScoringError(
            _("Hồ sơ đang ở trạng thái “%(status)s”; không gửi lại được.")
            % {"status": nomination.get_status_display()}
        )
    if not nomination.summary.strip():
        raise ScoringError(_("Ghi tóm tắt thành tích trước khi gửi lại."))
    version = _record_version(actor, nomination)
    nomination.status = Status.SUBMITTED
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="nomination.resubmit",
        target=nomination,
        status=["returned", "submitted"],
        version=version.number,
    )
    return nomination


def _review_step(nomination: Nomination, allowed: tuple[str, ...], message: str) -> None:
    """``message`` says what cannot be done, with ``%(status)s`` for the nomination's current status."""
    if nomination.status not in allowed:
        raise ScoringError(message % {"status": nomination.get_status_display()})


@transaction.atomic
def nomination_accept(*, actor: User | None, nomination: Nomination) -> Nomination:
    """The reward board finds the nomination in order; it waits for the decision."""
    ensure_reward_board(actor)
    nomination = _lock(nomination)
    _review_step(
        nomination,
        (Status.SUBMITTED,),
        _("Hồ sơ đang ở trạng thái “%(status)s”; không thể chấp nhận."),
    )
    nomination.status = Status.ACCEPTED
    nomination.reviewed_by = actor
    nomination.return_reason = ""
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "reviewed_by", "return_reason", "updated_at"])
    audit_record(actor=actor, action="nomination.accept", target=nomination, status=["submitted", "accepted"])
    return nomination


@transaction.atomic
def nomination_return(*, actor: User | None, nomination: Nomination, reason: str) -> Nomination:
    """The reward board sends the nomination back to the bloc with what to correct."""
    ensure_reward_board(actor)
    nomination = _lock(nomination)
    _review_step(
        nomination,
        (Status.SUBMITTED,),
        _("Hồ sơ đang ở trạng thái “%(status)s”; không thể trả lại."),
    )
    if not reason.strip():
        raise ScoringError(_("Ghi lý do trả lại để khối biết cần bổ sung, sửa gì."))
    nomination.status = Status.RETURNED
    nomination.return_reason = reason.strip()
    nomination.reviewed_by = actor
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "return_reason", "reviewed_by", "updated_at"])
    audit_record(
        actor=actor,
        action="nomination.return",
        target=nomination,
        status=["submitted", "returned"],
        reason=reason,
    )
    notify(
        managers_of(nomination.campaign.bloc_year),
        key=f"nomination-returned:{nomination.pk}:{nomination.versions.count()}",
        subject=_("Hồ sơ đề nghị %(award)s cho %(unit)s bị trả lại")
        % {"award": nomination.award_type.short_name, "unit": nomination.unit.short_name},
        body=_("Lý do: %(reason)s\n\nSửa và gửi lại tại: %(link)s")
        % {"reason": nomination.return_reason, "link": link(nomination)},
    )
    return nomination


@transaction.atomic
def nomination_decide(
    *,
    actor: User | None,
    nomination: Nomination,
    decision_number: str,
    decision_date: datetime.date,
    awarded: bool,
) -> Nomination:
    """Record the People's Committee's decision on an accepted nomination: awarded or not."""
    ensure_reward_board(actor)
    nomination = _lock(nomination)
    _review_step(
        nomination,
        (Status.ACCEPTED,),
        _("Hồ sơ đang ở trạng thái “%(status)s”; không thể ghi quyết định."),
    )
    if not decision_number.strip() or decision_date is None:
        raise ScoringError(_("Ghi số và ngày của quyết định."))
    target = Status.AWARDED if awarded else Status.REJECTED
    nomination.status = target
    nomination.decision_number = decision_number.strip()
    nomination.decision_date = decision_date
    nomination.reviewed_by = actor
    nomination.updated_at = timezone.now()
    nomination.save(update_fields=["status", "decision_number", "decision_date", "reviewed_by", "updated_at"])
    audit_record(
        actor=actor,
        action="nomination.decide",
        target=nomination,
        status=["accepted", target],
        decision=[nomination.decision_number, decision_date],
    )
    if awarded:
        subject = _("%(unit)s được khen thưởng: %(award)s")
        body = _("Quyết định số %(number)s ngày %(date)s: %(unit)s được khen thưởng (%(award)s).\n\n%(link)s")
    else:
        subject = _("%(unit)s không được khen thưởng: %(award)s")
        body = _(
            "Quyết định số %(number)s ngày %(date)s: %(unit)s không được khen thưởng (%(award)s).\n\n%(link)s"
        )
    notify(
        managers_of(nomination.campaign.bloc_year) + staff_of(nomination.unit_id),
        key=f"nomination-decided:{nomination.pk}",
        subject=subject % {"unit": nomination.unit.short_name, "award": nomination.award_type.short_name},
        body=body
        % {
            "number": nomination.decision_number,
            "date": f"{decision_date:%d/%m/%Y}",
            "unit": nomination.unit.name,
            "award": nomination.award_type.name,
            "link": link(nomination),
        },
    )
    return nomination
