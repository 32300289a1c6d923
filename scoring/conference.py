"""The year-end conference: vote rules, the conference record, vote rounds, ballots and their tally.

Every function is atomic, checks permission through the access modules and writes an audit record. Ballot secrecy:
a ballot row carries a random id and its round, nothing else; *that* a unit voted is kept in Voter, apart. The
audit log records that a unit voted, never what it chose.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.access import ensure_can_manage
from blocs.audit import audit_record
from blocs.models import Bloc, Blocker, Unit, User
from blocs.services import CouncilAssignment, bloc_rotate
from scoring import access
from scoring.errors import ScoringError
from scoring.models import (
    Attendance,
    AwardType,
    Ballot,
    BallotChoice,
    Campaign,
    Conference,
    Nomination,
    PaperEntry,
    RoundAward,
    RoundCandidate,
    Voter,
    VoteRound,
    VoteRule,
)
from scoring.selectors import campaign_summary
from scoring.tally import (
    Candidate,
    Threshold,
    count_ballots,
    format_fraction,
    quorum_met,
    quota_for,
    tally_award,
)

Status = Campaign.Status

# Defaults of DOMAIN.md §3: the flag to the top-ranked unit only; Bằng khen 2 seats among the next three;
# ≥ 70 % of all member units; ties by approvals, then final score, then a run-off.
DEFAULT_RULES = [
    ("co-thi-dua-ubnd", {"quota_number": 1, "rank_from": 1, "rank_to": 1}),
    ("bang-khen-chu-tich-ubnd", {"quota_number": 2, "rank_from": 2, "rank_to": 4}),
]


def _lock_campaign(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc")
        .prefetch_related("bloc_year__memberships__unit")
        .get(pk=campaign.pk)
    )


# ---------------------------------------------------------------------------------------------------------------
# Vote rules


def ensure_default_rules(campaign: Campaign) -> None:
    """Give a campaign without vote rules the default ones (called when its conference step opens)."""
    if campaign.vote_rules.exists():
        return
    awards = {a.code: a for a in AwardType.objects.filter(code__in=[code for code, _values in DEFAULT_RULES])}
    VoteRule.objects.bulk_create(
        VoteRule(campaign=campaign, award_type=awards[code], position=i, **values)
        for i, (code, values) in enumerate(DEFAULT_RULES, start=1)
        if code in awards
    )


def _ensure_rules_editable(actor: User | None, campaign: Campaign) -> None:
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.vote_rules_frozen_at is not None:
        raise ScoringError(_("Đã mở bỏ phiếu; quy định bỏ phiếu không thay đổi được nữa."))
    if campaign.is_at_least(Status.SUBMITTED):
        raise ScoringError(_("Phong trào đã qua hội nghị tổng kết; không sửa quy định bỏ phiếu được."))


RULE_FIELDS = (
    "award_type",
    "position",
    "quota_kind",
    "quota_number",
    "quota_numerator",
    "quota_denominator",
    "quota_rounding",
    "rank_from",
    "rank_to",
    "threshold_numerator",
    "threshold_denominator",
    "threshold_strict",
    "threshold_basis",
    "tie_rule",
)


def _check_rule(values: dict) -> None:
    if (
        values["threshold_denominator"] <= 0
        or values["threshold_numerator"] > values["threshold_denominator"]
    ):
        raise ScoringError(_("Ngưỡng phải là một tỷ lệ từ 0 đến 1, ví dụ 7/10 hoặc 2/3."))
    if values["rank_from"] < 1 or values["rank_to"] < values["rank_from"]:
        raise ScoringError(_("Khoảng xếp hạng được bầu không hợp lệ."))
    if values["quota_kind"] == VoteRule.QuotaKind.NUMBER:
        if values.get("quota_number") is None:
            raise ScoringError(_("Ghi số lượng được bầu."))
    elif not values.get("quota_denominator") or values.get("quota_numerator") is None:
        raise ScoringError(_("Ghi tỷ lệ được bầu, ví dụ 2/5 số đơn vị thành viên."))
    elif values["quota_numerator"] > values["quota_denominator"]:
        raise ScoringError(_("Tỷ lệ được bầu không vượt quá tổng số đơn vị."))


@transaction.atomic
def vote_rule_save(
    *, actor: User | None, campaign: Campaign, rule: VoteRule | None = None, **values
) -> VoteRule:
    """Add or change the rule of one award, until the first round opens."""
    campaign = _lock_campaign(campaign)
    _ensure_rules_editable(actor, campaign)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown vote rule fields: {unknown}")
    _check_rule(values)
    clash = campaign.vote_rules.filter(award_type=values["award_type"]).exclude(pk=rule.pk if rule else None)
    if clash.exists():
        raise ScoringError(_("Đã có quy định cho “%(award)s”.") % {"award": values["award_type"]})
    if rule is None:
        rule = VoteRule.objects.create(campaign=campaign, **values)
        action = "vote_rule.create"
    else:
        rule = VoteRule.objects.select_for_update().get(pk=rule.pk, campaign=campaign)
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save()
        action = "vote_rule.update"
    audit_record(actor=actor, action=action, target=rule, **{k: str(v) for k, v in values.items()})
    return rule


@transaction.atomic
def vote_rule_delete(*, actor: User | None, rule: VoteRule) -> None:
    campaign = _lock_campaign(rule.campaign)
    _ensure_rules_editable(actor, campaign)
    audit_record(actor=actor, action="vote_rule.delete", target=campaign, award=rule.award_type.name)
    rule.delete()


@transaction.atomic
def vote_settings_save(
    *,
    actor: User | None,
    campaign: Campaign,
    quorum_numerator: int,
    quorum_denominator: int,
    quorum_strict: bool,
    self_vote_allowed: bool,
) -> Campaign:
    campaign = _lock_campaign(campaign)
    _ensure_rules_editable(actor, campaign)
    if quorum_denominator <= 0 or quorum_numerator > quorum_denominator:
        raise ScoringError(_("Tỷ lệ dự họp tối thiểu phải từ 0 đến 1, ví dụ 2/3."))
    campaign.quorum_numerator, campaign.quorum_denominator = quorum_numerator, quorum_denominator
    campaign.quorum_strict, campaign.self_vote_allowed = quorum_strict, self_vote_allowed
    campaign.save(
        update_fields=["quorum_numerator", "quorum_denominator", "quorum_strict", "self_vote_allowed"]
    )
    audit_record(
        actor=actor,
        action="campaign.vote_settings",
        target=campaign,
        quorum=f"{quorum_numerator}/{quorum_denominator}",
        strict=quorum_strict,
        self_vote=self_vote_allowed,
    )
    return campaign


# ---------------------------------------------------------------------------------------------------------------
# The conference record


@transaction.atomic
def conference_save(
    *,
    actor: User | None,
    campaign: Campaign,
    held_on: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time | None,
    place: str,
    chair: str,
    secretary: str,
    guests: str,
    attendances: list[tuple[Unit, str]],
) -> Conference:
    """Record (or correct) the conference: date, place, chair, secretary, guests and the units present with their
    delegates. The list of units present is fixed once a vote round has opened."""
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.status != Status.CONFERENCE:
        raise ScoringError(_("Chỉ ghi biên bản hội nghị khi phong trào ở bước hội nghị tổng kết."))
    members = {m.unit_id for m in campaign.bloc_year.memberships.all()}
    present = {unit.pk: delegate.strip() for unit, delegate in attendances}
    if not set(present) <= members:
        raise ScoringError(_("Chỉ đơn vị thành viên của khối mới có tên trong danh sách dự họp."))
    if any(not delegate for delegate in present.values()):
        raise ScoringError(_("Ghi họ tên, chức vụ đại biểu của mỗi đơn vị có mặt."))
    if not place.strip() or not chair.strip() or not secretary.strip():
        raise ScoringError(_("Ghi địa điểm, chủ tọa và thư ký hội nghị."))
    if ends_at is not None and ends_at <= starts_at:
        raise ScoringError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    conference = Conference.objects.filter(campaign=campaign).first()
    if conference is not None:
        voted = conference.rounds.exclude(status=VoteRound.Status.PREPARED).exists()
        before = set(conference.attendances.values_list("unit_id", flat=True))
        if voted and before != set(present):
            raise ScoringError(_("Đã bỏ phiếu; danh sách đơn vị có mặt không thay đổi được nữa."))
    values = {
        "held_on": held_on,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place.strip(),
        "chair": chair.strip(),
        "secretary": secretary.strip(),
        "guests": guests.strip(),
    }
    conference, created = Conference.objects.update_or_create(campaign=campaign, defaults=values)
    conference.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(conference=conference, unit_id=unit_id, delegate=delegate)
        for unit_id, delegate in present.items()
    )
    audit_record(
        actor=actor,
        action="conference.create" if created else "conference.update",
        target=conference,
        held_on=held_on,
        present=sorted(present),
    )
    return conference


@transaction.atomic
def conference_adopt(
    *, actor: User | None, conference: Conference, report: bool, direction: bool
) -> Conference:
    """Record that the conference adopted the summary report and next year's direction."""
    campaign = _lock_campaign(conference.campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.status != Status.CONFERENCE:
        raise ScoringError(_("Chỉ ghi kết quả hội nghị khi phong trào ở bước hội nghị tổng kết."))
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    changes = {}
    if report != conference.report_adopted:
        changes["report_adopted"] = [conference.report_adopted, report]
    if direction != conference.direction_adopted:
        changes["direction_adopted"] = [conference.direction_adopted, direction]
    conference.report_adopted, conference.direction_adopted = report, direction
    conference.save(update_fields=["report_adopted", "direction_adopted"])
    if changes:
        audit_record(actor=actor, action="conference.adopt", target=conference, **changes)
    return conference


@transaction.atomic
def conference_handover(
    *,
    actor: User | None,
    conference: Conference,
    handed_over_on: datetime.date | None,
    council: CouncilAssignment | None = None,
):
    """Hand the head role on at the conference, through the rotation of blocs/services.py, and record it on the
    conference. If next year's roles were already assigned, their handover is linked instead."""
    campaign = conference.campaign
    ensure_can_manage(actor, campaign.bloc_year)
    bloc = campaign.bloc_year.bloc
    next_year = bloc.years.filter(year=campaign.bloc_year.year + 1).select_related("handover").first()
    if next_year is None:
        next_year = bloc_rotate(
            actor=actor,
            bloc=bloc,
            year=campaign.bloc_year.year + 1,
            handover_date=handed_over_on,
            council=council,
        )
    handover = getattr(next_year, "handover", None)
    if handover is None:
        raise ScoringError(
            _("Năm %(year)s giữ nguyên Khối trưởng; không có bàn giao để ghi nhận.")
            % {"year": next_year.year}
        )
    Conference.objects.filter(pk=conference.pk).update(handover=handover)
    conference.handover = handover
    audit_record(actor=actor, action="conference.handover", target=conference, handover=str(handover))
    return handover


# ---------------------------------------------------------------------------------------------------------------
# Candidates and rounds


@dataclass
class Standing:
    unit: Unit
    rank: int | None
    final_score: Decimal
    excluded: str = ""  # why the unit may not stand, in words


def standings(campaign: Campaign, rule: VoteRule, *, on: datetime.date) -> list[Standing]:
    """The units of the rule's rank range, each with the reason it may not stand (blocker, knock-out)."""
    summary = campaign_summary(campaign)
    in_range = [
        row
        for row in summary.rows
        if (row.rank is not None and rule.rank_from <= row.rank <= rule.rank_to)
        or (row.rank is None and row.is_final and not row.reviewed_totals.eligible)
    ]
    units = [row.unit.pk for row in in_range]
    blockers: dict[int, list[Blocker]] = {}
    for blocker in Blocker.objects.filter(unit__in=units, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    ):
        blockers.setdefault(blocker.unit_id, []).append(blocker)
    result = []
    for row in in_range:
        reason = ""
        if not row.reviewed_totals.eligible:
            reason = _("Vi phạm tiêu chí loại trừ của bảng chấm điểm.")
        elif row.unit.pk in blockers:
            reason = "; ".join(b.describe() for b in blockers[row.unit.pk]) + "."
        result.append(Standing(row.unit, row.rank, row.reviewed_totals.total, reason))
    return result


@transaction.atomic
def round_create(*, actor: User | None, conference: Conference, method: str) -> VoteRound:
    """Prepare the first vote round of the conference with every award of the vote rules and its candidates.
    Run-off rounds are created by round_close when a tie needs one."""
    campaign = _lock_campaign(conference.campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.status != Status.CONFERENCE:
        raise ScoringError(_("Chỉ bỏ phiếu khi phong trào ở bước hội nghị tổng kết."))
    if method not in VoteRound.Method.values:
        raise ScoringError(_("Hình thức bỏ phiếu không hợp lệ."))
    if conference.rounds.exists():
        raise ScoringError(
            _("Hội nghị đã có vòng bỏ phiếu; vòng bỏ phiếu lại được tạo tự động khi có phiếu bằng nhau.")
        )
    members = len(campaign.bloc_year.memberships.all())
    vote_round = VoteRound.objects.create(conference=conference, number=1, method=method)
    created = 0
    for rule in campaign.vote_rules.select_related("award_type").order_by("position"):
        standing = [s for s in standings(campaign, rule, on=conference.held_on) if not s.excluded]
        if not standing:
            continue
        seats = quota_for(
            members=members, number=rule.quota_number, share=rule.quota_share, rounding=rule.quota_rounding
        )
        round_award = RoundAward.objects.create(round=vote_round, rule=rule, seats=seats)
        RoundCandidate.objects.bulk_create(
            RoundCandidate(round_award=round_award, unit=s.unit, rank=s.rank, final_score=s.final_score)
            for s in standing
        )
        created += 1
    if not created:
        raise ScoringError(_("Không có đơn vị nào đủ điều kiện để bầu theo quy định bỏ phiếu."))
    audit_record(actor=actor, action="round.create", target=vote_round, method=method)
    return vote_round


def _lock_round(vote_round: VoteRound) -> VoteRound:
    return (
        VoteRound.objects.select_for_update(of=("self",))
        .select_related("conference__campaign__bloc_year")
        .get(pk=vote_round.pk)
    )


@transaction.atomic
def round_open(*, actor: User | None, vote_round: VoteRound) -> VoteRound:
    """Open the round if the quorum is present; from now on the vote rules and the list of units present are
    fixed. An electronic round lists the present units entitled to one ballot each."""
    vote_round = _lock_round(vote_round)
    campaign = _lock_campaign(vote_round.conference.campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if vote_round.status != VoteRound.Status.PREPARED:
        raise ScoringError(
            _("Vòng %(number)s đang ở trạng thái “%(status)s”.")
            % {"number": vote_round.number, "status": vote_round.get_status_display()}
        )
    present = list(vote_round.conference.attendances.values_list("unit_id", flat=True))
    members = len(campaign.bloc_year.memberships.all())
    if not quorum_met(len(present), members, campaign.quorum, strict=campaign.quorum_strict):
        sign = ">" if campaign.quorum_strict else "≥"
        raise ScoringError(
            _(
                "Chưa đủ số đơn vị dự họp để bỏ phiếu: có mặt %(present)s/%(members)s, "
                "cần %(sign)s %(quorum)s số đơn vị thành viên."
            )
            % {
                "present": len(present),
                "members": members,
                "sign": sign,
                "quorum": format_fraction(campaign.quorum),
            }
        )
    Campaign.objects.filter(pk=campaign.pk, vote_rules_frozen_at__isnull=True).update(
        vote_rules_frozen_at=timezone.now()
    )
    vote_round.status = VoteRound.Status.OPEN
    vote_round.opened_at = timezone.now()
    vote_round.members_count, vote_round.present_count = members, len(present)
    vote_round.save(update_fields=["status", "opened_at", "members_count", "present_count"])
    if vote_round.method == VoteRound.Method.ELECTRONIC:
        Voter.objects.bulk_create(Voter(round=vote_round, unit_id=unit_id) for unit_id in sorted(present))
    audit_record(
        actor=actor,
        action="round.open",
        target=vote_round,
        status=["prepared", "open"],
        present=len(present),
        members=members,
    )
    return vote_round


@transaction.atomic
def ballot_cast(*, actor: User, vote_round: VoteRound, choices: dict[int, set[int]]) -> None:
    """Cast the actor's unit's ballot: for each round award id, the candidate ids approved (at most its seats).

    The round row is locked so that closing waits for ballots being cast; the unit's voter row moves from
    not-voted to voted in one conditional update, so a unit cannot vote twice even with two requests at once.
    """
    vote_round = _lock_round(vote_round)
    if vote_round.method != VoteRound.Method.ELECTRONIC or vote_round.status != VoteRound.Status.OPEN:
        raise ScoringError(_("Vòng bỏ phiếu này không mở để bỏ phiếu điện tử."))
    if actor.unit_id is None or not access.is_unit_staff(actor, actor.unit_id):
        raise PermissionDenied(_("Chỉ đại biểu của đơn vị có mặt mới được bỏ phiếu."))
    voter = Voter.objects.filter(round=vote_round, unit_id=actor.unit_id).first()
    if voter is None:
        raise PermissionDenied(
            _("Đơn vị của bạn không có tên trong danh sách dự họp nên không được bỏ phiếu ở vòng này.")
        )
    awards = {
        a.pk: a for a in vote_round.awards.select_related("rule__award_type").prefetch_related("candidates")
    }
    if not set(choices) <= set(awards):
        raise ScoringError(_("Phiếu bầu không hợp lệ."))
    campaign = vote_round.conference.campaign
    chosen: list[RoundCandidate] = []
    for award_id, candidate_ids in choices.items():
        award = awards[award_id]
        candidates = {c.pk: c for c in award.candidates.all()}
        if not set(candidate_ids) <= set(candidates):
            raise ScoringError(_("Phiếu bầu chọn đơn vị không có trong danh sách."))
        if len(candidate_ids) > award.seats:
            raise ScoringError(
                _("%(award)s: chọn tối đa %(seats)s đơn vị (đã chọn %(chosen)s); phiếu chưa được ghi.")
                % {"award": award.rule.award_type.name, "seats": award.seats, "chosen": len(candidate_ids)}
            )
        if not campaign.self_vote_allowed and any(
            candidates[i].unit_id == actor.unit_id for i in candidate_ids
        ):
            raise ScoringError(
                _("Theo quy định của khối, đơn vị không bỏ phiếu cho chính mình; phiếu chưa được ghi.")
            )
        chosen.extend(candidates[i] for i in candidate_ids)
    claimed = Voter.objects.filter(pk=voter.pk, has_voted=False).update(has_voted=True)
    if claimed != 1:
        raise ScoringError(_("Đơn vị của bạn đã bỏ phiếu ở vòng này; mỗi đơn vị chỉ được bỏ một phiếu."))
    ballot = Ballot.objects.create(round=vote_round)
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, candidate=c) for c in chosen)
    # That the unit voted, never what it chose.
    audit_record(actor=actor, action="ballot.cast", target=vote_round, unit=actor.unit_id)


# Paper rounds: the tellers' counts as {"issued": n, "returned": n, "awards": {award id: {"valid": n,
# "invalid": n, "approvals": {candidate id: n}}}} (ids as strings, as JSON keeps them).


def _paper_labels(vote_round: VoteRound) -> dict[tuple, str]:
    labels = {("issued",): _("Số phiếu phát ra"), ("returned",): _("Số phiếu thu về")}
    for award in vote_round.awards.select_related("rule__award_type").prefetch_related("candidates__unit"):
        name = award.rule.award_type.short_name
        labels[("awards", str(award.pk), "valid")] = _("%(award)s: phiếu hợp lệ") % {"award": name}
        labels[("awards", str(award.pk), "invalid")] = _("%(award)s: phiếu không hợp lệ") % {"award": name}
        for candidate in award.candidates.all():
            labels[("awards", str(award.pk), "approvals", str(candidate.pk))] = _(
                "%(award)s: số phiếu đồng ý cho %(unit)s"
            ) % {"award": name, "unit": candidate.unit.short_name}
    return labels


def _get(counts: dict, path: tuple):
    value = counts
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _check_paper_counts(vote_round: VoteRound, counts: dict) -> None:
    labels = _paper_labels(vote_round)
    for path, label in labels.items():
        value = _get(counts, path)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 10_000:
            raise ScoringError(_("%(field)s: nhập một số nguyên không âm.") % {"field": label})
    issued, returned = counts["issued"], counts["returned"]
    if issued > vote_round.present_count:
        raise ScoringError(
            _("Số phiếu phát ra (%(issued)s) lớn hơn số đơn vị có mặt (%(present)s).")
            % {"issued": issued, "present": vote_round.present_count}
        )
    if returned > issued:
        raise ScoringError(
            _("Số phiếu thu về (%(returned)s) lớn hơn số phiếu phát ra (%(issued)s).")
            % {"returned": returned, "issued": issued}
        )
    for award in vote_round.awards.select_related("rule__award_type").prefetch_related("candidates__unit"):
        entry = counts["awards"][str(award.pk)]
        name = award.rule.award_type.short_name
        if entry["valid"] + entry["invalid"] != returned:
            raise ScoringError(
                _(
                    "%(award)s: phiếu hợp lệ (%(valid)s) cộng không hợp lệ (%(invalid)s) "
                    "phải bằng số phiếu thu về (%(returned)s)."
                )
                % {"award": name, "valid": entry["valid"], "invalid": entry["invalid"], "returned": returned}
            )
        approvals = entry["approvals"]
        for candidate in award.candidates.all():
            if approvals[str(candidate.pk)] > entry["valid"]:
                raise ScoringError(
                    _("%(award)s: số phiếu đồng ý cho %(unit)s lớn hơn số phiếu hợp lệ.")
                    % {"award": name, "unit": candidate.unit.short_name}
                )
        if sum(approvals.values()) > entry["valid"] * award.seats:
            raise ScoringError(
                _("%(award)s: tổng số phiếu đồng ý vượt quá %(seats)s lựa chọn trên mỗi phiếu hợp lệ.")
                % {"award": name, "seats": award.seats}
            )


def paper_mismatches(vote_round: VoteRound) -> list[str]:
    """Field by field, where the two tellers' entries differ (empty when they agree or one is missing)."""
    entries = list(vote_round.paper_entries.order_by("entry_number"))
    if len(entries) < 2:
        return []
    first, second = entries[0].counts, entries[1].counts
    return [
        _("%(field)s: lần 1 ghi %(first)s, lần 2 ghi %(second)s")
        % {"field": label, "first": _get(first, path), "second": _get(second, path)}
        for path, label in _paper_labels(vote_round).items()
        if _get(first, path) != _get(second, path)
    ]


@transaction.atomic
def paper_entry_save(*, actor: User, vote_round: VoteRound, counts: dict) -> PaperEntry:
    """A teller's entry of the paper ballots' counts. Two different people make the two entries; each may
    correct their own until the round closes."""
    vote_round = _lock_round(vote_round)
    ensure_can_manage(actor, vote_round.conference.campaign.bloc_year)
    if vote_round.method != VoteRound.Method.PAPER or vote_round.status != VoteRound.Status.OPEN:
        raise ScoringError(_("Chỉ nhập kết quả kiểm phiếu khi vòng bỏ phiếu giấy đang mở."))
    _check_paper_counts(vote_round, counts)
    mine = vote_round.paper_entries.filter(entered_by=actor).first()
    if mine is None:
        taken = set(vote_round.paper_entries.values_list("entry_number", flat=True))
        if len(taken) >= 2:
            raise ScoringError(_("Đã có đủ hai lần nhập độc lập của hai người khác nhau."))
        mine = PaperEntry(round=vote_round, entered_by=actor, entry_number=1 if 1 not in taken else 2)
    mine.counts = counts
    mine.entered_at = timezone.now()
    mine.save()
    audit_record(actor=actor, action="paper_entry.save", target=vote_round, entry=mine.entry_number)
    return mine


def _electronic_counts(vote_round: VoteRound) -> tuple[dict[int, tuple[int, int, dict]], int, int]:
    ballots: dict = {}
    for ballot_id, candidate_id, award_id in BallotChoice.objects.filter(
        ballot__round=vote_round
    ).values_list("ballot_id", "candidate_id", "candidate__round_award_id"):
        ballots.setdefault(ballot_id, {}).setdefault(award_id, set()).add(candidate_id)
    all_ballots = list(Ballot.objects.filter(round=vote_round).values_list("id", flat=True))
    counts = {}
    for award in vote_round.awards.prefetch_related("candidates"):
        per_ballot = (frozenset(ballots.get(b, {}).get(award.pk, set())) for b in all_ballots)
        counts[award.pk] = count_ballots(
            per_ballot, quota=award.seats, candidates=[c.pk for c in award.candidates.all()]
        )
    entitled = vote_round.voters.count()
    return counts, entitled, len(all_ballots)


def _reshuffle_ballots(vote_round: VoteRound) -> None:
    """Rewrite the round's ballots in the order of their random ids, so that the order rows were stored in
    (rowid, ctid) says nothing about the order in which units voted."""
    rows = list(Ballot.objects.filter(round=vote_round).order_by("id").values_list("id", flat=True))
    choices = list(
        BallotChoice.objects.filter(ballot__round=vote_round)
        .order_by("id")
        .values_list("id", "ballot_id", "candidate_id")
    )
    Ballot.objects.filter(round=vote_round).delete()
    Ballot.objects.bulk_create(Ballot(id=ballot_id, round=vote_round) for ballot_id in rows)
    BallotChoice.objects.bulk_create(
        BallotChoice(id=choice_id, ballot_id=ballot_id, candidate_id=candidate_id)
        for choice_id, ballot_id, candidate_id in choices
    )


def _read_sort_keys_locked(campaign: Campaign, awards: list[RoundAward]) -> None:
    """Read again the bloc's and the candidates' names and the awards' places, which the round's nominations copy
    to sort by (Nomination.sort_keys), under the row locks that a rename in the admin also takes. A rename still
    running is waited for and its name read; one that comes later waits for this round's commit, and its
    refresh_sort_keys() then finds these nominations."""
    bloc = campaign.bloc_year.bloc
    bloc.name = Bloc.objects.select_for_update(no_key=True).values_list("name", flat=True).get(pk=bloc.pk)
    candidates = [c for award in awards for c in award.candidates.all()]
    names = dict(
        Unit.objects.select_for_update(no_key=True)
        .filter(pk__in={c.unit_id for c in candidates})
        .order_by("pk")
        .values_list("pk", "name")
    )
    for candidate in candidates:
        candidate.unit.name = names[candidate.unit_id]
    positions = dict(
        AwardType.objects.select_for_update(no_key=True)
        .filter(pk__in={award.rule.award_type_id for award in awards})
        .order_by("pk")
        .values_list("pk", "position")
    )
    for award in awards:
        award.rule.award_type.position = positions[award.rule.award_type_id]


@transaction.atomic
def round_close(*, actor: User | None, vote_round: VoteRound) -> VoteRound:
    """Close the round and freeze its result: the list of entitled voters, the counts, each candidate's share
    and whether it passed and won a seat. Winners become nominations; a tie for the last seats opens a run-off
    round among the tied units."""
    vote_round = _lock_round(vote_round)
    campaign = _lock_campaign(vote_round.conference.campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if vote_round.status == VoteRound.Status.CLOSED:
        raise ScoringError(
            _("Vòng %(number)s đã kết thúc; kết quả không thay đổi.") % {"number": vote_round.number}
        )
    if vote_round.status != VoteRound.Status.OPEN:
        raise ScoringError(_("Vòng %(number)s chưa mở.") % {"number": vote_round.number})
    if vote_round.method == VoteRound.Method.PAPER:
        entries = list(vote_round.paper_entries.order_by("entry_number"))
        if len(entries) < 2:
            raise ScoringError(
                _("Cần hai lần nhập kết quả kiểm phiếu độc lập (của hai người) trước khi kết thúc.")
            )
        mismatches = paper_mismatches(vote_round)
        if mismatches:
            raise ScoringError(
                _("Hai lần nhập chưa khớp: %(mismatches)s.") % {"mismatches": "; ".join(mismatches)}
            )
        counts = entries[0].counts
        vote_round.ballots_issued, vote_round.ballots_returned = counts["issued"], counts["returned"]
        vote_round.entitled_count = vote_round.present_count
        per_award = {
            int(award_id): (
                entry["valid"],
                entry["invalid"],
                {int(k): v for k, v in entry["approvals"].items()},
            )
            for award_id, entry in counts["awards"].items()
        }
    else:
        per_award, entitled, cast = _electronic_counts(vote_round)
        vote_round.entitled_count, vote_round.ballots_issued, vote_round.ballots_returned = (
            entitled,
            entitled,
            cast,
        )
        _reshuffle_ballots(vote_round)

    awards = list(vote_round.awards.select_related("rule__award_type").prefetch_related("candidates__unit"))
    _read_sort_keys_locked(campaign, awards)
    elected_summary, runoffs = {}, []
    for award in awards:
        valid, invalid, approvals = per_award[award.pk]
        rule = award.rule
        candidates = list(award.candidates.all())
        outcome = tally_award(
            [Candidate(c.pk, approvals.get(c.pk, 0), c.final_score) for c in candidates],
            seats=award.seats,
            threshold=Threshold(rule.threshold_share, rule.threshold_strict, rule.threshold_basis),
            tie_rule=rule.tie_rule,
            members=vote_round.members_count,
            present=vote_round.present_count,
            valid=valid,
        )
        award.valid, award.invalid, award.basis_count = valid, invalid, outcome.basis_count
        award.save(update_fields=["valid", "invalid", "basis_count"])
        by_id = {o.unit_id: o for o in outcome.outcomes}
        for candidate in candidates:
            result = by_id[candidate.pk]
            candidate.approvals = result.approvals
            candidate.share_numerator, candidate.share_denominator = (
                result.share.numerator,
                result.share.denominator,
            )
            candidate.passed, candidate.elected, candidate.runoff = (
                result.passed,
                result.elected,
                result.runoff,
            )
        RoundCandidate.objects.bulk_update(
            candidates, ["approvals", "share_numerator", "share_denominator", "passed", "elected", "runoff"]
        )
        Nomination.objects.bulk_create(
            Nomination(
                campaign=campaign,
                unit=c.unit,
                award_type=rule.award_type,
                candidate=c,
                **Nomination.sort_keys(campaign, c.unit, rule.award_type),
            )
            for c in candidates
            if c.elected
        )
        elected_summary[rule.award_type.short_name] = [c.unit.short_name for c in candidates if c.elected]
        if outcome.runoff:
            runoffs.append((award, outcome.runoff_seats, [c for c in candidates if c.runoff]))

    vote_round.status = VoteRound.Status.CLOSED
    vote_round.closed_at = timezone.now()
    vote_round.closed_by = actor
    vote_round.save()
    audit_record(
        actor=actor,
        action="round.close",
        target=vote_round,
        status=["open", "closed"],
        elected=elected_summary,
    )

    if runoffs:
        number = vote_round.conference.rounds.count() + 1
        runoff = VoteRound.objects.create(
            conference=vote_round.conference, number=number, method=vote_round.method, runoff_of=vote_round
        )
        for award, seats, tied in runoffs:
            runoff_award = RoundAward.objects.create(round=runoff, rule=award.rule, seats=seats)
            RoundCandidate.objects.bulk_create(
                RoundCandidate(round_award=runoff_award, unit=c.unit, rank=c.rank, final_score=c.final_score)
                for c in tied
            )
        audit_record(actor=actor, action="round.create", target=runoff, runoff_of=vote_round.number)
    return vote_round


def results_visible(vote_round: VoteRound) -> bool:
    """No partial result is shown before a round closes."""
    return vote_round.status == VoteRound.Status.CLOSED
