"""The data of the load run, built through the project's own services (tests/factories.py and scoring.conference).

- VOTING_BLOCS blocs of UNITS_PER_BLOC units, each with its campaign at its conference, every unit present and
  one electronic round open; one delegate per unit (the secretary of that unit).
- SCORING_BLOCS blocs of SCORING_UNITS units with their campaign in the scoring step and every sheet a blank
  draft; one focal person per unit, plus the secretaries of the head and deputy units, who fill in their own
  unit's sheet alongside its focal person (two writers on one sheet: the optimistic versions must hold).

Every account gets the same password, hashed once: hashing it 250 times would take two minutes by itself.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from blocs.models import User
from scoring import conference
from scoring.models import Criterion, VoteRound
from tests.factories import (
    finalize_all,
    make_bloc,
    make_bloc_year,
    make_campaign,
    make_conference,
    make_province,
    make_unit,
)

PASSWORD = "tai-thu-reliability-2024"
YEAR = 2024
VOTING_BLOCS = 20
UNITS_PER_BLOC = 10
SCORING_BLOCS = 5
SCORING_UNITS = 8


@dataclass
class Award:
    pk: int
    seats: int
    candidates: dict[int, int]  # candidate id -> unit id


@dataclass
class Delegate:
    username: str
    unit_id: int
    round_id: int
    campaign_id: int
    manages: bool  # secretary of the head unit: closes the round at the end
    awards: list[Award]


@dataclass
class Item:
    pk: int
    code: str
    kind: str  # CriteriaGroup.Kind
    max_score: str
    group_cap: str | None
    group_code: str


@dataclass
class Scorer:
    username: str
    unit_id: int
    bloc_id: int
    campaign_id: int
    sheet_id: int
    criteria: list[Item]


@dataclass
class Plan:
    password: str
    delegates: list[Delegate] = field(default_factory=list)
    scorers: list[Scorer] = field(default_factory=list)

    @property
    def round_ids(self) -> list[int]:
        return sorted({d.round_id for d in self.delegates})


def _units(province, bloc_number: int, count: int, name: str, short: str):
    return [
        make_unit(
            province=province,
            name=f"{name} {bloc_number:02d}.{i:02d}",
            short_name=f"{short} {bloc_number:02d}.{i:02d}",
            abbreviation=f"{short}{bloc_number:02d}{i:02d}",
        )
        for i in range(1, count + 1)
    ]


def _bloc(province, number: int, units):
    bloc = make_bloc(province=province, units=units, name=f"Khối thi đua tải thử số {number}")
    bloc_year = make_bloc_year(bloc=bloc, year=YEAR, units=units, head=units[0], deputy=units[1])
    return bloc, bloc_year


def _voting_bloc(province, number: int, hashed: str) -> list[Delegate]:
    units = _units(province, number, UNITS_PER_BLOC, "Hội bỏ phiếu", "HB")
    _, bloc_year = _bloc(province, number, units)
    campaign = make_campaign(bloc_year=bloc_year, status="scoring")
    # Distinct totals in rotation order, so that the ranks (and the candidates of each award) are clear.
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(len(units))])
    record = make_conference(campaign)
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )
    awards = [
        Award(a.pk, a.seats, {c.pk: c.unit_id for c in a.candidates.all()})
        for a in vote_round.awards.prefetch_related("candidates").order_by("rule__position")
    ]
    delegates = []
    for i, unit in enumerate(units):
        username = f"daibieu.{number:02d}.{i + 1:02d}"
        User.objects.create(
            username=username,
            password=hashed,
            role=User.Role.SECRETARY,
            unit=unit,
            last_name="Đại biểu",
            first_name=unit.short_name,
        )
        delegates.append(Delegate(username, unit.pk, vote_round.pk, campaign.pk, i == 0, awards))
    return delegates


def _scoring_bloc(province, number: int, hashed: str) -> list[Scorer]:
    units = _units(province, number, SCORING_UNITS, "Sở chấm điểm", "SC")
    bloc, bloc_year = _bloc(province, number, units)
    campaign = make_campaign(bloc_year=bloc_year, status="scoring")
    criteria = [
        Item(
            c.pk,
            c.code,
            c.group.kind,
            str(c.max_score),
            None if c.group.cap is None else str(c.group.cap),
            c.group.code,
        )
        for c in Criterion.objects.filter(group__campaign=campaign)
        .select_related("group")
        .order_by("group__position", "position")
    ]
    sheets = {s.unit_id: s.pk for s in campaign.sheets.all()}
    scorers = []
    for i, unit in enumerate(units):
        accounts = [(f"canbo.{number:02d}.{i + 1:02d}", User.Role.FOCAL)]
        if i < 2:  # head and deputy: their secretary edits the same sheet as the focal person
            accounts.append((f"thuky.{number:02d}.{i + 1:02d}", User.Role.SECRETARY))
        for username, role in accounts:
            User.objects.create(
                username=username,
                password=hashed,
                role=role,
                unit=unit,
                last_name="Cán bộ",
                first_name=unit.short_name,
            )
            scorers.append(Scorer(username, unit.pk, bloc.pk, campaign.pk, sheets[unit.pk], criteria))
    return scorers


@transaction.atomic
def seed() -> Plan:
    """Create the load run's blocs, campaigns, rounds and accounts in an empty (migrated) database."""
    hashed = make_password(PASSWORD)
    province = make_province(name="Thành phố Tải Thử", code="TT", kind="thanh_pho")
    plan = Plan(password=PASSWORD)
    for number in range(1, VOTING_BLOCS + 1):
        plan.delegates.extend(_voting_bloc(province, number, hashed))
    for number in range(VOTING_BLOCS + 1, VOTING_BLOCS + SCORING_BLOCS + 1):
        plan.scorers.extend(_scoring_bloc(province, number, hashed))
    opened = VoteRound.objects.filter(status=VoteRound.Status.OPEN, method=VoteRound.Method.ELECTRONIC)
    assert opened.count() == VOTING_BLOCS, "every voting bloc has one open electronic round"
    return plan
