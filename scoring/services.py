"""State changes of a campaign: its steps, covenant, criteria table, score sheets and their review.

Each function is atomic, checks permission through scoring/access.py, and writes an audit record. They raise
ScoringError (ConflictError when someone else changed the same thing first) with a message for the user, and
PermissionDenied for an action outside the actor's role.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blocs.access import ensure_can_manage
from blocs.audit import audit_record
from blocs.models import BlocYear, Membership, Unit, User
from blocs.notifications import link, managers_of, notify, staff_of
from scoring import access
from scoring.conference import ensure_default_rules
from scoring.errors import ConflictError, ScoringError
from scoring.evidence_files import check_evidence
from scoring.models import (
    AwardType,
    Campaign,
    Conference,
    CriteriaGroup,
    Criterion,
    Evidence,
    Nomination,
    Registration,
    ScoreChange,
    ScoreLine,
    ScoreSheet,
    VoteRound,
)
from scoring.nominations import submit_all
from scoring.selectors import freeze_sheet_figures, freeze_standings
from thiduabloc.stored_files import atomic_with_files, keep_only_on_commit

Status = Campaign.Status
MAX_EVIDENCE_PER_LINE = 10


def format_score(value: Decimal | None) -> str:
    """A score as Vietnamese readers write it: "12,5", "10", "0,25"."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


def _violation_text(value: bool | None) -> str:
    return {True: "vi phạm", False: "không vi phạm"}.get(value, "")


# ---------------------------------------------------------------------------------------------------------------
# Campaign and its steps


CAMPAIGN_FIELDS = (
    "title",
    "launch_date",
    "covenant_date",
    "midyear_review_date",
    "scoring_deadline",
    "conference_date",
    "dossier_deadline",
    "tie_break",
    "score_step",
)


def _lock_campaign(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc")
        .prefetch_related("bloc_year__memberships__unit")
        .get(pk=campaign.pk)
    )


def _check_step(score_step: Decimal) -> None:
    if score_step <= 0 or score_step != score_step.quantize(Decimal("0.01")):
        raise ScoringError(_("Bước điểm phải lớn hơn 0 và có tối đa hai chữ số thập phân."))


@transaction.atomic
def campaign_create(*, actor: User | None, bloc_year: BlocYear, **fields) -> Campaign:
    """Open the year's campaign (one per bloc-year) in the draft state. ``fields``: see CAMPAIGN_FIELDS."""
    ensure_can_manage(actor, bloc_year)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {unknown}")
    fields.setdefault("title", _("Phong trào thi đua năm %(year)s") % {"year": bloc_year.year})
    if "score_step" in fields:
        _check_step(fields["score_step"])
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(bloc_year=bloc_year, **fields)
    except IntegrityError:
        raise ScoringError(
            _("Năm %(year)s của khối đã có phong trào thi đua; không tạo thêm.") % {"year": bloc_year.year}
        ) from None
    audit_record(actor=actor, action="campaign.create", target=campaign, status=[None, campaign.status])
    return campaign


@transaction.atomic
def campaign_update(*, actor: User | None, campaign: Campaign, **fields) -> Campaign:
    """Change the campaign's title, dates and settings. The score step is fixed once the criteria table is
    frozen, and the tie-break rule once the conference has opened (the ranking is then adopted)."""
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {unknown}")
    if campaign.status == Status.CLOSED:
        raise ScoringError(_("Phong trào đã kết thúc; không sửa được nữa."))
    changes = {}
    for name, value in fields.items():
        old = getattr(campaign, name)
        if old == value:
            continue
        if name == "score_step":
            _check_step(value)
            if campaign.criteria_frozen:
                raise ScoringError(_("Đã có phiếu chấm được gửi; không đổi được bước điểm."))
        if name == "tie_break" and campaign.is_at_least(Status.CONFERENCE):
            raise ScoringError(
                _("Kết quả xếp hạng đã đưa ra hội nghị; không đổi được cách xếp hạng khi bằng điểm.")
            )
        changes[name] = [old, value]
        setattr(campaign, name, value)
    if changes:
        campaign.save(update_fields=list(changes))
        audit_record(actor=actor, action="campaign.update", target=campaign, **changes)
    return campaign


@dataclass(frozen=True)
class Step:
    verb: str
    source: str
    target: str
    label: str  # lazy translation: str(step.label) in the language of the request


STEPS = {
    step.verb: step
    for step in (
        Step("launch", Status.DRAFT, Status.LAUNCHED, gettext_lazy("Phát động phong trào")),
        Step("open_scoring", Status.LAUNCHED, Status.SCORING, gettext_lazy("Mở chấm điểm")),
        Step(
            "open_conference",
            Status.SCORING,
            Status.CONFERENCE,
            gettext_lazy("Chuyển sang hội nghị tổng kết"),
        ),
        Step("submit", Status.CONFERENCE, Status.SUBMITTED, gettext_lazy("Gửi hồ sơ khen thưởng")),
        Step("decide", Status.SUBMITTED, Status.DECIDED, gettext_lazy("Ghi nhận quyết định khen thưởng")),
        Step("close", Status.DECIDED, Status.CLOSED, gettext_lazy("Kết thúc phong trào")),
    )
}


def next_step(campaign: Campaign) -> Step | None:
    return next((s for s in STEPS.values() if s.source == campaign.status), None)


def _launch_needs(campaign: Campaign, today: datetime.date) -> list[str]:
    missing = []
    if campaign.launch_date is None:
        missing.append(_("Chưa ghi ngày phát động."))
    if not Criterion.objects.filter(group__campaign=campaign, group__kind=CriteriaGroup.Kind.SCORE).exists():
        missing.append(_("Bảng tiêu chí chưa có tiêu chí chấm điểm nào."))
    return missing


def _open_scoring_needs(campaign: Campaign, today: datetime.date) -> list[str]:
    missing = []
    if not campaign.covenant_signed:
        missing.append(_("Chưa ghi nhận việc ký kết giao ước thi đua."))
    if campaign.scoring_deadline is None:
        missing.append(_("Chưa đặt hạn gửi phiếu tự chấm."))
    return missing


def _open_conference_needs(campaign: Campaign, today: datetime.date) -> list[str]:
    missing = []
    members = len(campaign.bloc_year.memberships.all())
    final = campaign.sheets.filter(status=ScoreSheet.Status.REVIEWED).count()
    if final < members:
        missing.append(
            _("Còn %(left)s/%(members)s phiếu chấm chưa được thẩm định (chốt).")
            % {"left": members - final, "members": members}
        )
    if campaign.conference_date is None:
        missing.append(_("Chưa đặt ngày hội nghị tổng kết."))
    return missing


def _submit_needs(campaign: Campaign, today: datetime.date) -> list[str]:
    missing = []
    if campaign.conference_date is None or campaign.conference_date > today:
        missing.append(_("Hội nghị tổng kết chưa diễn ra."))
    conference = Conference.objects.filter(campaign=campaign).first()
    if conference is None:
        missing.append(_("Chưa ghi biên bản hội nghị tổng kết."))
        return missing
    if not conference.report_adopted:
        missing.append(_("Hội nghị chưa thông qua báo cáo tổng kết."))
    unfinished = conference.rounds.exclude(status=VoteRound.Status.CLOSED).count()
    if unfinished:
        missing.append(_("Còn %(count)s vòng bỏ phiếu chưa kết thúc.") % {"count": unfinished})
    if not conference.rounds.exists():
        missing.append(_("Chưa bỏ phiếu bình xét."))
    empty = campaign.nominations.filter(status=Nomination.Status.DRAFT, summary="").count()
    if empty:
        missing.append(_("Còn %(count)s hồ sơ đề nghị chưa có tóm tắt thành tích.") % {"count": empty})
    return missing


def _decide_needs(campaign: Campaign, today: datetime.date) -> list[str]:
    open_ones = campaign.nominations.exclude(
        status__in=[Nomination.Status.AWARDED, Nomination.Status.REJECTED]
    )
    count = open_ones.count()
    if not count:
        return []
    return [_("Còn %(count)s hồ sơ đề nghị chưa có quyết định khen thưởng.") % {"count": count}]


_NEEDS = {
    "launch": _launch_needs,
    "open_scoring": _open_scoring_needs,
    "open_conference": _open_conference_needs,
    "submit": _submit_needs,
    "decide": _decide_needs,
}


def step_blockers(campaign: Campaign, step: Step, *, today: datetime.date | None = None) -> list[str]:
    """What ``step`` still needs, in words for the secretary's checklist (empty when it can go ahead)."""
    needs = _NEEDS.get(step.verb)
    return needs(campaign, today or timezone.localdate()) if needs else []


@transaction.atomic
def campaign_advance(*, actor: User | None, campaign: Campaign, verb: str) -> Campaign:
    """Move the campaign one step forward (``verb`` is a key of STEPS), only from the step before it and only
    when step_blockers() is empty. Opening the scoring creates one score sheet per member unit."""
    step = STEPS.get(verb)
    if step is None:
        raise ScoringError(_("Bước không hợp lệ."))
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.status != step.source:
        if campaign.is_at_least(step.target):
            raise ScoringError(
                _("Phong trào đã ở bước “%(status)s”; không thay đổi gì.")
                % {"status": campaign.get_status_display()}
            )
        raise ScoringError(
            _("Chưa thể “%(step)s”: phong trào đang ở bước “%(status)s”.")
            % {"step": step.label.lower(), "status": campaign.get_status_display()}
        )
    blockers = step_blockers(campaign, step)
    if blockers:
        raise ScoringError(
            _("Chưa thể “%(step)s”: %(blockers)s")
            % {"step": step.label.lower(), "blockers": " ".join(blockers)}
        )
    if step.target == Status.SCORING:
        _create_sheets(campaign)
    elif step.target == Status.CONFERENCE:
        ensure_default_rules(campaign)
    elif step.target == Status.SUBMITTED:
        submit_all(actor=actor, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(status=step.target)
    campaign.status = step.target
    if step.target == Status.CONFERENCE:
        # No score, criterion or tie-break changes from here on: the histories read the stored standings.
        freeze_standings(Campaign.objects.filter(pk=campaign.pk))
    audit_record(actor=actor, action=f"campaign.{verb}", target=campaign, status=[step.source, step.target])
    return campaign


def _create_sheets(campaign: Campaign) -> None:
    have = set(campaign.sheets.values_list("unit_id", flat=True))
    ScoreSheet.objects.bulk_create(
        ScoreSheet(campaign=campaign, unit_id=m.unit_id)
        for m in campaign.bloc_year.memberships.all()
        if m.unit_id not in have
    )


# ---------------------------------------------------------------------------------------------------------------
# Covenant


def _member_ids(campaign: Campaign) -> set[int]:
    return {m.unit_id for m in campaign.bloc_year.memberships.all()}


@transaction.atomic
def registration_save(
    *, actor: User | None, campaign: Campaign, unit: Unit, targets: str, titles: list[AwardType]
) -> Registration:
    """Record (or correct) a unit's registration: its targets and the titles it aims for. Possible until the
    covenant is signed."""
    campaign = _lock_campaign(campaign)
    access.ensure_can_register(actor, unit)
    if unit.pk not in _member_ids(campaign):
        raise ScoringError(_("Đơn vị không phải thành viên của khối trong năm này."))
    if campaign.covenant_signed or campaign.is_at_least(Status.SCORING):
        raise ScoringError(_("Giao ước đã ký; không sửa đăng ký thi đua được nữa."))
    if not targets.strip():
        raise ScoringError(_("Ghi các chỉ tiêu, nhiệm vụ đăng ký."))
    registration, created = Registration.objects.update_or_create(
        campaign=campaign,
        unit=unit,
        defaults={"targets": targets.strip(), "registered_by": actor, "registered_at": timezone.now()},
    )
    registration.titles.set(titles)
    audit_record(
        actor=actor,
        action="registration.create" if created else "registration.update",
        target=registration,
        titles=sorted(t.code for t in titles),
    )
    return registration


@transaction.atomic
def covenant_sign(
    *, actor: User | None, campaign: Campaign, signed_on: datetime.date, place: str, signatories: str
) -> Campaign:
    """Record the signing of the covenant. Every member unit must have registered first."""
    campaign = _lock_campaign(campaign)
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.covenant_signed:
        raise ScoringError(
            _("Đã ghi nhận ký giao ước ngày %(day)s; không thay đổi gì.")
            % {"day": f"{campaign.covenant_signed_on:%d/%m/%Y}"}
        )
    if campaign.status != Status.LAUNCHED:
        raise ScoringError(_("Chỉ ký giao ước sau khi phát động và trước khi chấm điểm."))
    registered = set(campaign.registrations.values_list("unit_id", flat=True))
    missing = [m.unit.short_name for m in campaign.bloc_year.memberships.all() if m.unit_id not in registered]
    if missing:
        raise ScoringError(
            _("Còn đơn vị chưa đăng ký thi đua: %(units)s.") % {"units": ", ".join(sorted(missing))}
        )
    if not place.strip() or not signatories.strip():
        raise ScoringError(_("Ghi địa điểm và người ký giao ước."))
    campaign.covenant_signed_on = signed_on
    campaign.covenant_place = place.strip()
    campaign.covenant_signatories = signatories.strip()
    campaign.save(update_fields=["covenant_signed_on", "covenant_place", "covenant_signatories"])
    audit_record(
        actor=actor, action="campaign.covenant_sign", target=campaign, signed_on=signed_on, place=place
    )
    return campaign


# ---------------------------------------------------------------------------------------------------------------
# Criteria table


def _ensure_criteria_editable(actor: User | None, campaign: Campaign) -> None:
    ensure_can_manage(actor, campaign.bloc_year)
    if campaign.criteria_frozen:
        raise ScoringError(
            _("Bảng tiêu chí đã khóa vì đã có phiếu chấm được gửi thẩm định; không thay đổi được nữa.")
        )
    if campaign.is_at_least(Status.CONFERENCE):
        raise ScoringError(_("Phong trào đã qua bước chấm điểm; không sửa được bảng tiêu chí."))


def _validate_group(kind: str, cap: Decimal | None) -> None:
    if kind not in CriteriaGroup.Kind.values:
        raise ScoringError(_("Loại nhóm tiêu chí không hợp lệ."))
    if cap is not None:
        if kind not in (CriteriaGroup.Kind.BONUS, CriteriaGroup.Kind.DEDUCTION):
            raise ScoringError(_("Chỉ nhóm điểm cộng hoặc điểm trừ mới có giới hạn."))
        if cap <= 0:
            raise ScoringError(_("Giới hạn của nhóm phải lớn hơn 0."))


def _validate_max(kind: str, max_score: Decimal | None) -> Decimal:
    if kind == CriteriaGroup.Kind.KNOCKOUT:
        if max_score not in (None, Decimal("0")):
            raise ScoringError(_("Tiêu chí loại trừ không có điểm; để trống điểm tối đa."))
        return Decimal("0")
    if max_score is None or max_score <= 0:
        raise ScoringError(_("Điểm tối đa phải lớn hơn 0."))
    if max_score >= Decimal("100000") or max_score != max_score.quantize(Decimal("0.01")):
        raise ScoringError(_("Điểm tối đa có tối đa hai chữ số thập phân và nhỏ hơn 100.000."))
    return max_score


@transaction.atomic
def criteria_group_save(
    *,
    actor: User | None,
    campaign: Campaign,
    group: CriteriaGroup | None = None,
    code: str,
    title: str,
    kind: str,
    cap: Decimal | None,
) -> CriteriaGroup:
    """Add a group of criteria (or change ``group``) while the table is not frozen."""
    campaign = _lock_campaign(campaign)
    _ensure_criteria_editable(actor, campaign)
    _validate_group(kind, cap)
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise ScoringError(_("Ghi mã và tên nhóm tiêu chí."))
    if campaign.groups.filter(code=code).exclude(pk=group.pk if group else None).exists():
        raise ScoringError(_("Đã có nhóm mã “%(code)s”.") % {"code": code})
    knockout_switch = CriteriaGroup.Kind.KNOCKOUT in (kind, group.kind) if group else False
    if group is not None and kind != group.kind and knockout_switch and group.items.exists():
        raise ScoringError(_("Nhóm đã có tiêu chí; không đổi sang hoặc từ loại “tiêu chí loại trừ” được."))
    if group is None:
        position = (campaign.groups.aggregate(m=Max("position"))["m"] or 0) + 1
        group = CriteriaGroup.objects.create(
            campaign=campaign, position=position, code=code, title=title, kind=kind, cap=cap
        )
        action = "criteria_group.create"
    else:
        group = CriteriaGroup.objects.select_for_update().get(pk=group.pk, campaign=campaign)
        group.code, group.title, group.kind, group.cap = code, title, kind, cap
        group.save()
        action = "criteria_group.update"
    audit_record(actor=actor, action=action, target=group, code=code, kind=kind, cap=cap)
    return group


@transaction.atomic
def criteria_group_delete(*, actor: User | None, group: CriteriaGroup) -> None:
    campaign = _lock_campaign(group.campaign)
    _ensure_criteria_editable(actor, campaign)
    audit_record(actor=actor, action="criteria_group.delete", target=campaign, group=str(group))
    group.delete()


@transaction.atomic
def criterion_save(
    *,
    actor: User | None,
    group: CriteriaGroup,
    criterion: Criterion | None = None,
    code: str,
    title: str,
    max_score: Decimal | None,
    guidance: str = "",
) -> Criterion:
    """Add a criterion to ``group`` (or change ``criterion``) while the table is not frozen."""
    campaign = _lock_campaign(group.campaign)
    _ensure_criteria_editable(actor, campaign)
    group = CriteriaGroup.objects.get(pk=group.pk, campaign=campaign)
    max_score = _validate_max(group.kind, max_score)
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise ScoringError(_("Ghi mã và nội dung tiêu chí."))
    if group.items.filter(code=code).exclude(pk=criterion.pk if criterion else None).exists():
        raise ScoringError(
            _("Nhóm %(group)s đã có tiêu chí mã “%(code)s”.") % {"group": group.code, "code": code}
        )
    if criterion is None:
        position = (group.items.aggregate(m=Max("position"))["m"] or 0) + 1
        criterion = Criterion.objects.create(
            group=group, position=position, code=code, title=title, max_score=max_score, guidance=guidance
        )
        action = "criterion.create"
    else:
        criterion = Criterion.objects.select_for_update().get(pk=criterion.pk, group__campaign=campaign)
        criterion.group, criterion.code, criterion.title = group, code, title
        criterion.max_score, criterion.guidance = max_score, guidance
        criterion.save()
        action = "criterion.update"
    audit_record(actor=actor, action=action, target=criterion, max_score=max_score)
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User | None, criterion: Criterion) -> None:
    campaign = _lock_campaign(criterion.group.campaign)
    _ensure_criteria_editable(actor, campaign)
    audit_record(actor=actor, action="criterion.delete", target=campaign, criterion=str(criterion))
    criterion.delete()


@dataclass(frozen=True)
class GroupSpec:
    code: str
    title: str
    kind: str
    cap: Decimal | None
    items: list[tuple[str, str, Decimal, str]]  # code, title, max score, guidance


def _replace_table(campaign: Campaign, specs: list[GroupSpec]) -> int:
    campaign.groups.all().delete()
    count = 0
    for position, spec in enumerate(specs, start=1):
        group = CriteriaGroup.objects.create(
            campaign=campaign,
            position=position,
            code=spec.code,
            title=spec.title,
            kind=spec.kind,
            cap=spec.cap,
        )
        Criterion.objects.bulk_create(
            Criterion(group=group, position=i, code=code, title=title, max_score=max_score, guidance=guidance)
            for i, (code, title, max_score, guidance) in enumerate(spec.items, start=1)
        )
        count += len(spec.items)
    return count


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return (
        Campaign.objects.filter(
            bloc_year__bloc_id=campaign.bloc_year.bloc_id, bloc_year__year__lt=campaign.bloc_year.year
        )
        .order_by("-bloc_year__year")
        .first()
    )


@transaction.atomic
def criteria_copy_previous(*, actor: User | None, campaign: Campaign) -> int:
    """Copy the criteria table of the bloc's latest earlier campaign into an empty table. Returns the item count."""
    campaign = _lock_campaign(campaign)
    _ensure_criteria_editable(actor, campaign)
    if campaign.groups.exists():
        raise ScoringError(_("Bảng tiêu chí đã có nội dung; chỉ sao chép vào bảng trống."))
    source = previous_campaign(campaign)
    if source is None:
        raise ScoringError(_("Khối chưa có phong trào năm trước để sao chép."))
    specs = [
        GroupSpec(
            g.code,
            g.title,
            g.kind,
            g.cap,
            [(c.code, c.title, c.max_score, c.guidance) for c in g.items.all()],
        )
        for g in source.groups.prefetch_related("items").order_by("position")
    ]
    count = _replace_table(campaign, specs)
    audit_record(actor=actor, action="criteria.copy", target=campaign, source=source.pk, items=count)
    return count


@transaction.atomic
def criteria_import(*, actor: User | None, campaign: Campaign, specs: list[GroupSpec]) -> int:
    """Replace the whole criteria table with checked rows of an imported file (see criteria_import.py)."""
    campaign = _lock_campaign(campaign)
    _ensure_criteria_editable(actor, campaign)
    if not specs:
        raise ScoringError(_("Tệp không có tiêu chí nào."))
    count = _replace_table(campaign, specs)
    audit_record(actor=actor, action="criteria.import", target=campaign, items=count)
    return count


# ---------------------------------------------------------------------------------------------------------------
# Score sheets


@dataclass(frozen=True)
class LineEntry:
    """What a form gives for one criterion: a score, or for a knock-out whether it was violated."""

    score: Decimal | None = None
    violation: bool | None = None
    comment: str = ""


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    locked = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign__bloc_year")
        .get(pk=sheet.pk)
    )
    # Access checks read the bloc-year's roles.
    locked.campaign.bloc_year = BlocYear.objects.prefetch_related("memberships").get(
        pk=locked.campaign.bloc_year_id
    )
    return locked


def _campaign_criteria(campaign: Campaign) -> dict[int, Criterion]:
    return {c.pk: c for c in Criterion.objects.filter(group__campaign=campaign).select_related("group")}


def _check_score(criterion: Criterion, value: Decimal, step: Decimal) -> None:
    if value < 0 or value > criterion.max_score:
        raise ScoringError(
            _("Tiêu chí %(code)s: điểm phải từ 0 đến %(max)s (đã nhập %(value)s).")
            % {"code": criterion.code, "max": format_score(criterion.max_score), "value": format_score(value)}
        )
    if value % step != 0:
        raise ScoringError(
            _("Tiêu chí %(code)s: điểm phải là bội số của %(step)s.")
            % {"code": criterion.code, "step": format_score(step)}
        )


def _check_caps(criteria: dict[int, Criterion], values: dict[int, Decimal | None]) -> None:
    sums: dict[int, Decimal] = {}
    for criterion_id, value in values.items():
        criterion = criteria[criterion_id]
        if value is not None and criterion.group.cap is not None:
            sums[criterion.group_id] = sums.get(criterion.group_id, Decimal("0")) + value
    for criterion in criteria.values():
        group = criterion.group
        if group.cap is not None and sums.get(group.pk, Decimal("0")) > group.cap:
            raise ScoringError(
                _("Nhóm %(group)s (%(kind)s): tổng %(total)s vượt giới hạn %(cap)s điểm.")
                % {
                    "group": group.code,
                    "kind": group.get_kind_display().lower(),
                    "total": format_score(sums[group.pk]),
                    "cap": format_score(group.cap),
                }
            )


def _record_change(*, line, stage, old, new, reason, actor) -> None:
    ScoreChange.objects.create(
        line=line,
        stage=stage,
        old_value=old,
        new_value=new,
        reason=reason,
        changed_by=actor,
        changed_by_name=actor.display_name if actor else "hệ thống",
    )


def _line_value(line: ScoreLine | None, criterion: Criterion, stage: str) -> str:
    if line is None:
        return ""
    if criterion.group.is_knockout:
        return _violation_text(line.self_violation if stage == "self" else line.reviewed_violation)
    value = line.self_score if stage == "self" else line.reviewed_score
    return "" if value is None else format_score(value)


@transaction.atomic
def score_sheet_save(
    *, actor: User | None, sheet: ScoreSheet, entries: dict[int, LineEntry], expected_version: int
) -> ScoreSheet:
    """Save the unit's self-assessment (a draft): scores, knock-out answers and comments, keyed by criterion id.

    Raises ConflictError if the sheet changed since ``expected_version`` (another tab or colleague saved first).
    """
    sheet = _lock_sheet(sheet)
    access.ensure_can_fill(actor, sheet)
    campaign = sheet.campaign
    if campaign.status != Status.SCORING:
        raise ScoringError(_("Phong trào không ở bước chấm điểm; không sửa phiếu được."))
    if not sheet.is_editable_by_unit:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không sửa được.")
            % {"status": sheet.get_status_display()}
        )
    if sheet.version != expected_version:
        raise ConflictError(
            _("Phiếu vừa được người khác lưu; hãy tải lại trang để xem bản mới rồi nhập lại.")
        )
    criteria = _campaign_criteria(campaign)
    lines = {line.criterion_id: line for line in sheet.lines.all()}
    for criterion_id, entry in entries.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ScoringError(_("Tiêu chí không thuộc bảng tiêu chí của phong trào."))
        if entry.score is not None:
            if criterion.group.is_knockout:
                raise ScoringError(
                    _("Tiêu chí %(code)s là tiêu chí loại trừ; chỉ ghi có vi phạm hay không.")
                    % {"code": criterion.code}
                )
            _check_score(criterion, entry.score, campaign.score_step)
    proposed = {cid: line.self_score for cid, line in lines.items()}
    proposed.update({cid: e.score for cid, e in entries.items()})
    _check_caps(criteria, proposed)

    changed = 0
    for criterion_id, entry in entries.items():
        criterion = criteria[criterion_id]
        line = lines.get(criterion_id)
        old = _line_value(line, criterion, "self")
        if line is None:
            line = ScoreLine(sheet=sheet, criterion=criterion)
        before = (line.self_score, line.self_violation, line.self_comment)
        line.self_score = entry.score
        line.self_violation = entry.violation if criterion.group.is_knockout else None
        line.self_comment = entry.comment.strip()
        if (line.self_score, line.self_violation, line.self_comment) == before and line.pk:
            continue
        line.version += 1
        line.updated_at = timezone.now()
        line.save()
        new = _line_value(line, criterion, "self")
        if new != old:
            _record_change(line=line, stage=ScoreChange.Stage.SELF, old=old, new=new, reason="", actor=actor)
        changed += 1
    if changed:
        sheet.version += 1
        sheet.save(update_fields=["version"])
        audit_record(actor=actor, action="score_sheet.save", target=sheet, lines=changed)
    return sheet


def missing_self_scores(sheet: ScoreSheet) -> list[str]:
    """Codes of the criteria that must be answered before the sheet can be submitted."""
    criteria = _campaign_criteria(sheet.campaign)
    lines = {line.criterion_id: line for line in sheet.lines.all()}
    missing = []
    for criterion in sorted(criteria.values(), key=lambda c: (c.group.position, c.position)):
        line = lines.get(criterion.pk)
        if criterion.group.kind == CriteriaGroup.Kind.SCORE and (line is None or line.self_score is None):
            missing.append(criterion.code)
        if criterion.group.is_knockout and (line is None or line.self_violation is None):
            missing.append(criterion.code)
    return missing


@transaction.atomic
def score_sheet_submit(*, actor: User | None, sheet: ScoreSheet) -> ScoreSheet:
    """Send the sheet for review. Every scored and knock-out criterion must be answered. The first submission
    of the campaign freezes its criteria table."""
    sheet = _lock_sheet(sheet)
    access.ensure_can_fill(actor, sheet)
    campaign = sheet.campaign
    if sheet.status == ScoreSheet.Status.SUBMITTED:
        raise ScoringError(_("Phiếu đã được gửi thẩm định; không thay đổi gì."))
    if not sheet.is_editable_by_unit or campaign.status != Status.SCORING:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không gửi được.")
            % {"status": sheet.get_status_display()}
        )
    missing = missing_self_scores(sheet)
    if missing:
        raise ScoringError(_("Chưa chấm các tiêu chí: %(codes)s.") % {"codes": ", ".join(missing)})
    for line in sheet.lines.all():
        # A line edited before a change of the table may no longer fit it; check again.
        if line.self_score is not None:
            _check_score(line.criterion, line.self_score, campaign.score_step)
    previous = sheet.status
    sheet.status = ScoreSheet.Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.version += 1
    sheet.save(update_fields=["status", "submitted_at", "version"])
    Campaign.objects.filter(pk=campaign.pk, criteria_frozen_at__isnull=True).update(
        criteria_frozen_at=timezone.now()
    )
    audit_record(actor=actor, action="score_sheet.submit", target=sheet, status=[previous, sheet.status])
    notify(
        managers_of(campaign.bloc_year, except_unit=sheet.unit_id),
        key=f"sheet-submitted:{sheet.pk}:{sheet.version}",
        subject=_("%(unit)s đã gửi phiếu chấm điểm năm %(year)s")
        % {"unit": sheet.unit.short_name, "year": campaign.bloc_year.year},
        body=_("%(unit)s đã gửi phiếu tự chấm để thẩm định.") % {"unit": sheet.unit.name}
        + f"\n\n{link(sheet)}",
    )
    return sheet


@transaction.atomic
def score_line_review(
    *,
    actor: User | None,
    sheet: ScoreSheet,
    criterion: Criterion,
    score: Decimal | None = None,
    violation: bool | None = None,
    reason: str = "",
    expected_version: int,
) -> ScoreLine:
    """Set the reviewed score (or knock-out finding) of one line. A value that differs from the self score
    needs a reason. Raises ConflictError if the line changed since ``expected_version``."""
    sheet = _lock_sheet(sheet)
    access.ensure_can_review(actor, sheet)
    if sheet.status != ScoreSheet.Status.SUBMITTED or sheet.campaign.status != Status.SCORING:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không thẩm định được.")
            % {"status": sheet.get_status_display()}
        )
    criteria = _campaign_criteria(sheet.campaign)
    criterion = criteria.get(criterion.pk)
    if criterion is None:
        raise ScoringError(_("Tiêu chí không thuộc bảng tiêu chí của phong trào."))
    line = ScoreLine.objects.select_for_update().filter(sheet=sheet, criterion=criterion).first()
    if line is None:
        line = ScoreLine.objects.create(sheet=sheet, criterion=criterion)
    if line.version != expected_version:
        raise ConflictError(
            _(
                "Dòng %(code)s vừa được người khác cập nhật (điểm thẩm định hiện là %(value)s); "
                "không lưu thay đổi của bạn. Hãy xem lại rồi lưu lại nếu cần."
            )
            % {"code": criterion.code, "value": _line_value(line, criterion, "review") or _("chưa có")}
        )
    reason = reason.strip()
    if criterion.group.is_knockout:
        if violation is None:
            raise ScoringError(_("Tiêu chí %(code)s: chọn có vi phạm hay không.") % {"code": criterion.code})
        differs = violation != line.self_violation
        new_values = {"reviewed_violation": violation}
    else:
        if score is None:
            raise ScoringError(_("Tiêu chí %(code)s: nhập điểm thẩm định.") % {"code": criterion.code})
        _check_score(criterion, score, sheet.campaign.score_step)
        if criterion.group.cap is not None:
            others = {
                other.criterion_id: other.reviewed_score
                for other in sheet.lines.filter(criterion__group=criterion.group).exclude(pk=line.pk)
            }
            _check_caps(criteria, {**others, criterion.pk: score})
        differs = score != line.self_score
        new_values = {"reviewed_score": score}
    if differs and not reason:
        raise ScoringError(
            _("Tiêu chí %(code)s: điểm thẩm định khác điểm tự chấm, phải ghi lý do.")
            % {"code": criterion.code}
        )
    old = _line_value(line, criterion, "review")
    for name, value in new_values.items():
        setattr(line, name, value)
    line.review_reason = reason
    line.version += 1
    line.updated_at = timezone.now()
    line.save()
    new = _line_value(line, criterion, "review")
    _record_change(line=line, stage=ScoreChange.Stage.REVIEW, old=old, new=new, reason=reason, actor=actor)
    audit_record(actor=actor, action="score_line.review", target=line, value=[old, new], reason=reason)
    return line


@transaction.atomic
def score_sheet_return(*, actor: User | None, sheet: ScoreSheet, comment: str) -> ScoreSheet:
    """Send a submitted sheet back to its unit for correction, with the reviewer's comment."""
    sheet = _lock_sheet(sheet)
    access.ensure_can_review(actor, sheet)
    if sheet.status != ScoreSheet.Status.SUBMITTED:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không trả lại được.")
            % {"status": sheet.get_status_display()}
        )
    if not comment.strip():
        raise ScoringError(_("Ghi lý do trả lại để đơn vị biết cần sửa gì."))
    sheet.status = ScoreSheet.Status.RETURNED
    sheet.return_comment = comment.strip()
    sheet.version += 1
    sheet.save(update_fields=["status", "return_comment", "version"])
    audit_record(
        actor=actor,
        action="score_sheet.return",
        target=sheet,
        status=["submitted", "returned"],
        comment=comment,
    )
    notify(
        staff_of(sheet.unit_id),
        key=f"sheet-returned:{sheet.pk}:{sheet.version}",
        subject=_("Phiếu chấm điểm năm %(year)s bị trả lại để sửa") % {"year": sheet.campaign.bloc_year.year},
        body=_("Lý do: %(reason)s\n\nSửa và gửi lại tại: %(link)s")
        % {"reason": sheet.return_comment, "link": link(sheet)},
    )
    return sheet


@transaction.atomic
def score_sheet_finalize(*, actor: User | None, sheet: ScoreSheet) -> ScoreSheet:
    """Close the review: lines the reviewer did not change keep their self score as the reviewed score (recorded
    in their history), and the sheet becomes final."""
    sheet = _lock_sheet(sheet)
    access.ensure_can_review(actor, sheet)
    if sheet.status == ScoreSheet.Status.REVIEWED:
        raise ScoringError(_("Phiếu đã được chốt; không thay đổi gì."))
    if sheet.status != ScoreSheet.Status.SUBMITTED or sheet.campaign.status != Status.SCORING:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không chốt được.")
            % {"status": sheet.get_status_display()}
        )
    criteria = _campaign_criteria(sheet.campaign)
    kept = 0
    for line in sheet.lines.select_for_update():
        criterion = criteria[line.criterion_id]
        if criterion.group.is_knockout and line.reviewed_violation is None:
            line.reviewed_violation = line.self_violation
        elif not criterion.group.is_knockout and line.reviewed_score is None:
            line.reviewed_score = line.self_score if line.self_score is not None else Decimal("0")
        else:
            continue
        line.version += 1
        line.save()
        _record_change(
            line=line,
            stage=ScoreChange.Stage.REVIEW,
            old="",
            new=_line_value(line, criterion, "review"),
            reason="Giữ nguyên điểm tự chấm khi chốt phiếu.",
            actor=actor,
        )
        kept += 1
    sheet.status = ScoreSheet.Status.REVIEWED
    sheet.reviewed_at = timezone.now()
    sheet.reviewed_by = actor
    sheet.version += 1
    sheet.save(update_fields=["status", "reviewed_at", "reviewed_by", "version"])
    # Its lines are final now: the summaries and histories read these figures from here on.
    freeze_sheet_figures(ScoreSheet.objects.filter(pk=sheet.pk))
    audit_record(
        actor=actor, action="score_sheet.finalize", target=sheet, status=["submitted", "reviewed"], kept=kept
    )
    notify(
        staff_of(sheet.unit_id),
        key=f"sheet-reviewed:{sheet.pk}",
        subject=_("Phiếu chấm điểm năm %(year)s đã được thẩm định") % {"year": sheet.campaign.bloc_year.year},
        body=_("Phiếu chấm điểm của %(unit)s đã được thẩm định và chốt.") % {"unit": sheet.unit.name}
        + f"\n\n{link(sheet)}",
    )
    return sheet


# ---------------------------------------------------------------------------------------------------------------
# Evidence


@atomic_with_files
def evidence_add(*, actor: User | None, sheet: ScoreSheet, criterion: Criterion, upload) -> Evidence:
    """Attach an evidence file to a line of the unit's own sheet (checked by content and size first)."""
    sheet = _lock_sheet(sheet)
    access.ensure_can_fill(actor, sheet)
    if not sheet.is_editable_by_unit or sheet.campaign.status != Status.SCORING:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không thêm minh chứng được.")
            % {"status": sheet.get_status_display()}
        )
    if criterion.pk not in _campaign_criteria(sheet.campaign):
        raise ScoringError(_("Tiêu chí không thuộc bảng tiêu chí của phong trào."))
    kind, name = check_evidence(upload)
    line, _created = ScoreLine.objects.get_or_create(sheet=sheet, criterion=criterion)
    if line.evidence.count() >= MAX_EVIDENCE_PER_LINE:
        raise ScoringError(
            _("Mỗi tiêu chí có tối đa %(count)s tệp minh chứng.") % {"count": MAX_EVIDENCE_PER_LINE}
        )
    evidence = Evidence(
        line=line,
        name=name,
        kind=kind.code,
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    keep_only_on_commit(evidence.file)
    evidence.save()
    audit_record(actor=actor, action="evidence.add", target=evidence, line=line.pk, size=upload.size)
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User | None, evidence: Evidence) -> None:
    sheet = _lock_sheet(evidence.line.sheet)
    access.ensure_can_fill(actor, sheet)
    if not sheet.is_editable_by_unit or sheet.campaign.status != Status.SCORING:
        raise ScoringError(
            _("Phiếu đang ở trạng thái “%(status)s”; không xóa minh chứng được.")
            % {"status": sheet.get_status_display()}
        )
    audit_record(actor=actor, action="evidence.delete", target=sheet, name=evidence.name)
    stored = evidence.file.name
    evidence.delete()
    # Remove the file only once the row is gone for good.
    transaction.on_commit(lambda: Evidence.file.field.storage.delete(stored))


def membership_of(unit: Unit, bloc_year: BlocYear) -> Membership | None:
    return next((m for m in bloc_year.memberships.all() if m.unit_id == unit.pk), None)
