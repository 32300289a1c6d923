"""Who may see and do what in a campaign, built on the bloc rules of blocs/access.py.

- A campaign, its criteria, covenant and score summary: readable by whoever reads the bloc.
- A score sheet: readable by its own unit's staff, by those who review it, and by reward-board reviewers and
  administrators; everyone else gets 404. Only its unit's staff fill it in.
- Reviewing a sheet: the staff who act for the head (head's or deputy's secretary), never for their own unit's
  sheet, so the head's own sheet is reviewed by the deputy.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from blocs.access import can_manage, ensure_can_manage, is_administrator, unit_bloc_ids
from blocs.models import Membership, Unit, User
from scoring.models import Campaign, Evidence, ScoreSheet

UNIT_STAFF_ROLES = (User.Role.FOCAL, User.Role.SECRETARY)

# A campaign's members with their units, by unit name: the model's order sorts by bloc-year first, which joined the
# bloc and its province to each of these prefetches of a single bloc-year.
_MEMBERS = Membership.objects.select_related("unit").order_by("unit__name")
_WITH_MEMBERS = Prefetch("bloc_year__memberships", queryset=_MEMBERS)


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns of the blocs ``user`` reads (visible_blocs), filtered on the bloc ids themselves: through the
    blocs, every campaign page of a reviewer checked its bloc against all 1,360, and a unit's staff member's
    nested a subquery in a subquery."""
    return of_visible_campaigns(Campaign.objects.all(), user, "")


def of_visible_campaigns(queryset: QuerySet, user: User, campaign: str) -> QuerySet:
    """``queryset`` kept to the rows whose campaign (the path ``campaign`` to it, "" for a campaign itself) is one
    that ``user`` reads: no filter for those who read every bloc."""
    if user.reads_every_bloc:
        return queryset
    prefix = f"{campaign}__" if campaign else ""
    return queryset.filter(**{f"{prefix}bloc_year__bloc_id__in": unit_bloc_ids(user)})


def get_campaign(user: User, campaign_id: int, *, manage: bool = False) -> Campaign:
    """The campaign if ``user`` reads its bloc (else 404); with ``manage``, 403 unless they act for the head."""
    campaign = get_object_or_404(
        visible_campaigns(user).select_related("bloc_year__bloc__province").prefetch_related(_WITH_MEMBERS),
        pk=campaign_id,
    )
    if manage:
        ensure_can_manage(user, campaign.bloc_year)
    return campaign


def is_unit_staff(user: User, unit: Unit | int) -> bool:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return user.role in UNIT_STAFF_ROLES and user.unit_id == unit_id


def can_review(user: User, sheet: ScoreSheet) -> bool:
    if is_administrator(user):
        return True
    return user.unit_id != sheet.unit_id and can_manage(user, sheet.campaign.bloc_year)


def can_read_sheet(user: User, sheet: ScoreSheet) -> bool:
    return user.reads_every_bloc or is_unit_staff(user, sheet.unit_id) or can_review(user, sheet)


def readable_sheets(user: User, campaign: Campaign) -> QuerySet[ScoreSheet]:
    """The sheets of ``campaign`` that ``user`` may open (campaign loaded through get_campaign)."""
    sheets = campaign.sheets.select_related("unit")
    if user.reads_every_bloc or can_manage(user, campaign.bloc_year):
        return sheets
    return sheets.filter(unit_id=user.unit_id)


def get_sheet(user: User, sheet_id: int) -> ScoreSheet:
    """The sheet if ``user`` may read it; another unit's or bloc's sheet answers 404."""
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related("unit", "campaign__bloc_year__bloc").prefetch_related(
            Prefetch("campaign__bloc_year__memberships", queryset=_MEMBERS)
        ),
        pk=sheet_id,
    )
    if not can_read_sheet(user, sheet):
        raise_not_found()
    return sheet


def ensure_can_fill(user: User | None, sheet: ScoreSheet) -> None:
    if user is not None and not is_unit_staff(user, sheet.unit_id):
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị mới được tự chấm phiếu của đơn vị mình."))


def ensure_can_review(user: User | None, sheet: ScoreSheet) -> None:
    if user is not None and not can_review(user, sheet):
        raise PermissionDenied(
            _(
                "Chỉ thư ký của Khối trưởng (hoặc Khối phó với phiếu của Khối trưởng) mới được thẩm định phiếu này."
            )
        )


def ensure_can_register(user: User | None, unit: Unit) -> None:
    if user is not None and not is_unit_staff(user, unit):
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị mới được đăng ký thi đua cho đơn vị mình."))


def get_evidence(user: User, evidence_id: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "line__sheet__unit", "line__sheet__campaign__bloc_year"
        ).prefetch_related(Prefetch("line__sheet__campaign__bloc_year__memberships", queryset=_MEMBERS)),
        pk=evidence_id,
    )
    if not can_read_sheet(user, evidence.line.sheet):
        raise_not_found()
    return evidence


def raise_not_found():
    from django.http import Http404

    raise Http404(_("Không tìm thấy."))


def get_round(user: User, round_id: int, *, manage: bool = False):
    """A vote round of a campaign ``user`` reads (else 404); with ``manage``, 403 unless they act for the head."""
    from scoring.models import VoteRound

    vote_round = get_object_or_404(
        of_visible_campaigns(VoteRound.objects.all(), user, "conference__campaign")
        .select_related("conference__campaign__bloc_year__bloc")
        .prefetch_related(
            Prefetch(
                "conference__campaign__bloc_year__memberships",
                queryset=_MEMBERS,
            )
        ),
        pk=round_id,
    )
    if manage:
        ensure_can_manage(user, vote_round.conference.campaign.bloc_year)
    return vote_round


def get_nomination(user: User, nomination_id: int):
    from scoring.models import Nomination

    return get_object_or_404(
        of_visible_campaigns(Nomination.objects.all(), user, "campaign")
        .select_related("unit", "award_type", "campaign__bloc_year__bloc", "candidate__round_award__round")
        .prefetch_related(Prefetch("campaign__bloc_year__memberships", queryset=_MEMBERS)),
        pk=nomination_id,
    )
