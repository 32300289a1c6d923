"""Plain factory functions: make_<model>(**overrides) with sensible defaults."""

import datetime
import itertools

from blocs.models import Bloc, BlocYear, Membership, Province, RotationSlot, Unit, User

_seq = itertools.count(1)


def make_province(**overrides) -> Province:
    n = next(_seq)
    values = {"name": f"Tỉnh thử {n}", "code": f"T{n}", "kind": Province.Kind.PROVINCE}
    values.update(overrides)
    return Province.objects.create(**values)


def make_unit(*, province: Province, **overrides) -> Unit:
    n = next(_seq)
    values = {
        "name": f"Đơn vị thử {n}",
        "short_name": f"ĐV {n}",
        "abbreviation": f"DV{n}",
        "valid_from": datetime.date(2010, 1, 1),
    }
    values.update(overrides)
    unit = Unit(province=province, **values)
    unit.save()
    return unit


def make_bloc(*, province: Province, units=(), **overrides) -> Bloc:
    n = next(_seq)
    values = {"kind": Bloc.Kind.KHOI, "number": n, "name": f"Khối thi đua thử số {n}"}
    values.update(overrides)
    bloc = Bloc(province=province, **values)
    bloc.save()
    RotationSlot.objects.bulk_create(
        RotationSlot(bloc=bloc, unit=u, position=i) for i, u in enumerate(units, start=1)
    )
    return bloc


def make_bloc_year(*, bloc: Bloc, year: int, units, head: Unit, deputy: Unit | None = None) -> BlocYear:
    """A bloc-year written directly (as the admin would), for tests that need a given starting point."""
    bloc_year = BlocYear.objects.create(bloc=bloc, year=year)
    for unit in units:
        role = Membership.Role.MEMBER
        if unit == head:
            role = Membership.Role.HEAD
        elif unit == deputy:
            role = Membership.Role.DEPUTY
        Membership.objects.create(bloc_year=bloc_year, unit=unit, role=role)
    return bloc_year


def make_user(*, role=User.Role.FOCAL, unit: Unit | None = None, **overrides) -> User:
    n = next(_seq)
    values = {"username": f"user{n}", "last_name": "Nguyễn", "first_name": f"Văn {n}"}
    values.update(overrides)
    user = User(role=role, unit=unit, **values)
    user.set_password("secret-pass-123")
    if role == User.Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.save()
    return user


# Scoring ------------------------------------------------------------------------------------------------------


def small_table():
    """Scored items 1.1 (max 10) and 1.2 (max 5); bonus 2.1, 2.2 (max 2 each, cap 3); deductions 3.1, 3.2
    (max 3 each, cap 4); knock-out 4.1."""
    from decimal import Decimal as D

    from scoring.models import CriteriaGroup
    from scoring.services import GroupSpec

    return [
        GroupSpec(
            "I",
            "Nhiệm vụ chuyên môn",
            CriteriaGroup.Kind.SCORE,
            None,
            [("1.1", "Chỉ tiêu", D(10), ""), ("1.2", "Kế hoạch", D(5), "")],
        ),
        GroupSpec(
            "II",
            "Điểm cộng",
            CriteriaGroup.Kind.BONUS,
            D(3),
            [("2.1", "Mô hình mới", D(2), ""), ("2.2", "Bằng khen", D(2), "")],
        ),
        GroupSpec(
            "III",
            "Điểm trừ",
            CriteriaGroup.Kind.DEDUCTION,
            D(4),
            [("3.1", "Báo cáo chậm", D(3), ""), ("3.2", "Vắng họp", D(3), "")],
        ),
        GroupSpec("IV", "Loại trừ", CriteriaGroup.Kind.KNOCKOUT, None, [("4.1", "Bị kỷ luật", D(0), "")]),
    ]


def make_campaign(*, bloc_year, status="draft", specs=None, **fields):
    """A campaign moved up to ``status`` through the services (as the operator), with the small table."""
    import datetime

    from scoring import services

    dates = {
        "launch_date": datetime.date(bloc_year.year, 3, 1),
        "covenant_date": datetime.date(bloc_year.year, 3, 20),
        "scoring_deadline": datetime.date(bloc_year.year, 12, 10),
        "conference_date": datetime.date(bloc_year.year, 12, 28),
    }
    dates.update(fields)
    campaign = services.campaign_create(actor=None, bloc_year=bloc_year, **dates)
    if specs is None:
        specs = small_table()
    if specs:
        services.criteria_import(actor=None, campaign=campaign, specs=specs)
    order = ["draft", "launched", "scoring"]
    if order.index(status) >= 1:
        campaign = services.campaign_advance(actor=None, campaign=campaign, verb="launch")
    if order.index(status) >= 2:
        for m in bloc_year.memberships.select_related("unit"):
            services.registration_save(
                actor=None, campaign=campaign, unit=m.unit, targets="Hoàn thành kế hoạch", titles=[]
            )
        services.covenant_sign(
            actor=None,
            campaign=campaign,
            signed_on=dates["covenant_date"],
            place="Hội trường",
            signatories="Các thủ trưởng",
        )
        campaign = services.campaign_advance(actor=None, campaign=campaign, verb="open_scoring")
    campaign.refresh_from_db()
    return campaign


def criteria_by_code(campaign):
    from scoring.models import Criterion

    return {c.code: c for c in Criterion.objects.filter(group__campaign=campaign).select_related("group")}


def fill_sheet(sheet, scores: dict, *, violation=False, submit=True):
    """Self-score ``sheet`` as the operator: ``scores`` maps criterion codes to Decimals."""
    from decimal import Decimal

    from scoring import services
    from scoring.services import LineEntry

    criteria = criteria_by_code(sheet.campaign)
    entries = {criteria[code].pk: LineEntry(score=Decimal(str(value))) for code, value in scores.items()}
    entries[criteria["4.1"].pk] = LineEntry(violation=violation)
    sheet.refresh_from_db()
    services.score_sheet_save(actor=None, sheet=sheet, entries=entries, expected_version=sheet.version)
    if submit:
        services.score_sheet_submit(actor=None, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


# Conference ---------------------------------------------------------------------------------------------------


def finalize_all(campaign, scores_by_index: list[dict]):
    """Fill, submit and finalize every sheet; ``scores_by_index`` follows the units' rotation order."""
    from scoring import services

    sheets = {s.unit_id: s for s in campaign.sheets.all()}
    order = [slot.unit_id for slot in campaign.bloc_year.bloc.rotation.order_by("position")]
    for unit_id, scores in zip(order, scores_by_index, strict=False):
        fill_sheet(sheets[unit_id], scores)
        services.score_sheet_finalize(actor=None, sheet=sheets[unit_id])


def make_conference(campaign, *, present=None, **fields):
    """Move a scoring campaign whose sheets are final to its conference and record it."""
    import datetime

    from scoring import conference, services

    campaign.refresh_from_db()
    if campaign.status == "scoring":
        campaign = services.campaign_advance(actor=None, campaign=campaign, verb="open_conference")
    members = [m.unit for m in campaign.bloc_year.memberships.select_related("unit").order_by("unit__name")]
    values = {
        "held_on": campaign.conference_date,
        "starts_at": datetime.time(8, 0),
        "ends_at": datetime.time(11, 0),
        "place": "Hội trường",
        "chair": "Khối trưởng",
        "secretary": "Thư ký",
        "guests": "",
    }
    values.update(fields)
    return conference.conference_save(
        actor=None,
        campaign=campaign,
        attendances=[(u, f"Đại biểu {u.short_name}") for u in (present if present is not None else members)],
        **values,
    )


def paper_counts(vote_round, approvals: dict, *, returned=None, invalid=0):
    """Counts for a paper round: ``approvals`` maps unit ids to approvals (in every award they stand for)."""
    returned = vote_round.present_count if returned is None else returned
    counts = {"issued": vote_round.present_count, "returned": returned, "awards": {}}
    for award in vote_round.awards.prefetch_related("candidates"):
        counts["awards"][str(award.pk)] = {
            "valid": returned - invalid,
            "invalid": invalid,
            "approvals": {str(c.pk): approvals.get(c.unit_id, 0) for c in award.candidates.all()},
        }
    return counts


def counted_round(bloc_year, tellers, scores=None, *, criteria=None):
    """A campaign at its conference: final sheets, the conference adopted the report, a paper round counted twice
    (the best unit for the flag, the next two for Bằng khen), ready to close. Returns the campaign and the round."""
    from scoring import conference

    units = [slot.unit for slot in bloc_year.bloc.rotation.order_by("position")]
    campaign = make_campaign(bloc_year=bloc_year, status="scoring", specs=criteria)
    finalize_all(campaign, scores or [{"1.1": 10 - i, "1.2": 5} for i in range(len(units))])
    record = make_conference(campaign)
    conference.conference_adopt(actor=tellers[0], conference=record, report=True, direction=True)
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="paper")
    )
    present = vote_round.present_count
    counts = paper_counts(vote_round, {units[0].pk: present, units[1].pk: present, units[2].pk: present - 1})
    for teller in tellers:
        conference.paper_entry_save(actor=teller, vote_round=vote_round, counts=counts)
    return campaign, vote_round


def voted_campaign(bloc_year, tellers, scores=None, *, criteria=None):
    """counted_round(), and the round closed: its winners are nominated. Returns the campaign."""
    from scoring import conference

    campaign, vote_round = counted_round(bloc_year, tellers, scores, criteria=criteria)
    conference.round_close(actor=tellers[0], vote_round=vote_round)
    campaign.refresh_from_db()
    return campaign
