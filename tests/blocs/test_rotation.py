import datetime

import pytest
from django.core.exceptions import PermissionDenied

from blocs.errors import BlocError
from blocs.models import AuditEntry, BlocYear, Handover, Membership, RotationSlot
from blocs.rotation import next_roles
from blocs.services import CouncilAssignment, bloc_rotate
from tests.factories import make_bloc, make_bloc_year, make_unit

HANDOVER = datetime.date(2023, 12, 27)


def roles_of(bloc_year: BlocYear) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in bloc_year.memberships.select_related("unit").order_by("unit__name"):
        out.setdefault(m.role, []).append(m.unit.name)
    return out


# The rule itself, on plain ids.
@pytest.mark.parametrize(
    ("order", "eligible", "prev", "expected"),
    [
        ([1, 2, 3, 4, 5], {1, 2, 3, 4, 5}, (1, 2), (2, 3)),  # deputy becomes head, next one deputy
        ([1, 2, 3, 4, 5], {1, 2, 3, 4, 5}, (4, 5), (5, 1)),  # the order wraps around
        ([1, 2, 3, 4, 5, 6], {1, 2, 3, 4, 5, 6}, (5, 6), (6, 1)),  # six members
        ([1, 2, 3, 4, 5], {1, 3, 4, 5}, (1, 2), (3, 4)),  # deputy left: the next unit after the head
        ([1, 2, 3, 4, 5], {1, 2, 4, 5}, (1, 2), (2, 4)),  # the unit after the new head left: skipped
        ([1, 3, 4, 5], {1, 3, 4, 5}, (1, 2), (3, 4)),  # deputy removed from the order entirely
        ([3, 4, 5], {3, 4, 5}, (1, 2), (3, 4)),  # both left: start from the top of the order
        ([1, 2, 3], {1, 2, 3}, (1, None), (2, 3)),  # no deputy last year
        ([1, 2, 3], {1, 2, 3}, (3, 1), (1, 2)),  # a council-named deputy out of order is still next head
    ],
)
def test_the_default_rule(order, eligible, prev, expected):
    assert next_roles(order, eligible, *prev) == expected


def test_the_rule_needs_a_remaining_unit():
    with pytest.raises(BlocError):
        next_roles([1, 2], set(), 1, 2)


def test_it_rotates_by_the_default_rule(world, secretary):
    units = world["a_units"]
    new_year = bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)

    assert new_year.year == 2024
    assert new_year.basis == BlocYear.Basis.ROTATION
    roles = roles_of(new_year)
    assert roles["head"] == [units[1].name]
    assert roles["deputy"] == [units[2].name]
    assert len(roles["member"]) == 3
    handover = Handover.objects.get(bloc_year=new_year)
    assert (handover.from_unit, handover.to_unit, handover.handed_over_on) == (units[0], units[1], HANDOVER)
    assert handover.recorded_by == secretary
    entry = AuditEntry.objects.get(action="bloc_year.create", target_id=str(new_year.pk))
    assert entry.actor == secretary
    assert entry.data["head"] == [units[1].pk, units[1].name]


def test_the_deputy_that_left_the_bloc_is_skipped(world, secretary):
    units = world["a_units"]
    units[1].valid_to = datetime.date(2023, 6, 30)  # merged into another body mid-2023
    units[1].save()

    new_year = bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)

    roles = roles_of(new_year)
    assert roles["head"] == [units[2].name]
    assert roles["deputy"] == [units[3].name]
    assert units[1].name not in roles["member"]
    assert new_year.memberships.count() == 4


def test_a_unit_removed_from_the_rotation_order_leaves_the_bloc(world, secretary):
    units = world["a_units"]
    RotationSlot.objects.filter(bloc=world["bloc_a"], unit=units[1]).delete()

    new_year = bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)

    assert roles_of(new_year)["head"] == [units[2].name]
    assert not new_year.memberships.filter(unit=units[1]).exists()


def test_six_members_rotate_round_the_order(world, administrator):
    province = world["province"]
    units = [make_unit(province=province, name=f"Hội sáu {i}") for i in range(1, 7)]
    bloc = make_bloc(province=province, units=units)
    make_bloc_year(bloc=bloc, year=2023, units=units, head=units[4], deputy=units[5])

    year_2024 = bloc_rotate(actor=administrator, bloc=bloc, year=2024, handover_date=HANDOVER)
    year_2025 = bloc_rotate(
        actor=administrator, bloc=bloc, year=2025, handover_date=datetime.date(2024, 12, 20)
    )

    assert (roles_of(year_2024)["head"], roles_of(year_2024)["deputy"]) == ([units[5].name], [units[0].name])
    assert (roles_of(year_2025)["head"], roles_of(year_2025)["deputy"]) == ([units[0].name], [units[1].name])
    assert year_2025.memberships.count() == 6


def test_an_explicit_council_assignment_records_the_notice(world, secretary):
    units = world["a_units"]
    council = CouncilAssignment(
        head=units[3], deputy=units[4], notice_number="12/TB-HĐTĐKT", notice_date=datetime.date(2023, 12, 15)
    )

    new_year = bloc_rotate(
        actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER, council=council
    )

    new_year.refresh_from_db()
    assert new_year.basis == BlocYear.Basis.COUNCIL
    assert (new_year.notice_number, new_year.notice_date) == ("12/TB-HĐTĐKT", datetime.date(2023, 12, 15))
    roles = roles_of(new_year)
    assert (roles["head"], roles["deputy"]) == ([units[3].name], [units[4].name])
    assert Handover.objects.get(bloc_year=new_year).to_unit == units[3]


def test_a_council_may_keep_the_same_head_without_a_handover(world, secretary):
    units = world["a_units"]
    council = CouncilAssignment(
        head=units[0], deputy=units[2], notice_number="13/TB-HĐTĐKT", notice_date=datetime.date(2023, 12, 15)
    )
    new_year = bloc_rotate(
        actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=None, council=council
    )
    assert roles_of(new_year)["head"] == [units[0].name]
    assert not Handover.objects.filter(bloc_year=new_year).exists()


@pytest.mark.parametrize(
    ("head_index", "deputy_index", "message"),
    [(0, 0, "hai đơn vị khác nhau"), (None, 1, "thành viên")],
)
def test_a_council_assignment_must_name_two_members(world, secretary, head_index, deputy_index, message):
    units = world["a_units"]
    outsider_unit = world["b_units"][0]
    council = CouncilAssignment(
        head=units[head_index] if head_index is not None else outsider_unit,
        deputy=units[deputy_index],
        notice_number="14/TB",
        notice_date=datetime.date(2023, 12, 1),
    )
    with pytest.raises(BlocError, match=message):
        bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER, council=council)
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()


def test_rotating_twice_changes_nothing(world, secretary, deputy_secretary):
    bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)
    # The deputy's secretary, now head for 2024, re-sends the same form for 2024.
    with pytest.raises(BlocError, match="đã được phân công"):
        bloc_rotate(actor=deputy_secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)
    assert BlocYear.objects.filter(bloc=world["bloc_a"]).count() == 2
    assert Handover.objects.count() == 1
    assert AuditEntry.objects.filter(action="bloc_year.create").count() == 1


def test_a_year_cannot_be_skipped(world, secretary):
    with pytest.raises(BlocError, match="2024"):
        bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2025, handover_date=HANDOVER)
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year__gt=2023).exists()


def test_a_handover_date_is_required_and_plausible(world, secretary):
    with pytest.raises(BlocError, match="ngày bàn giao"):
        bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=None)
    with pytest.raises(BlocError, match="2023 hoặc năm 2024"):
        bloc_rotate(actor=secretary, bloc=world["bloc_a"], year=2024, handover_date=datetime.date(2019, 1, 1))
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()


def test_only_the_head_or_deputy_secretary_may_rotate(
    world, focal_person, member_secretary, reviewer, outsider
):
    for user in (focal_person, member_secretary, reviewer, outsider):
        with pytest.raises(PermissionDenied):
            bloc_rotate(actor=user, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()


def test_the_deputy_secretary_may_act_for_the_head(world, deputy_secretary):
    new_year = bloc_rotate(actor=deputy_secretary, bloc=world["bloc_a"], year=2024, handover_date=HANDOVER)
    assert new_year.memberships.get(role=Membership.Role.HEAD).unit == world["a_units"][1]


def test_a_first_year_needs_the_council(world, administrator):
    units = [make_unit(province=world["province"]) for _ in range(5)]
    bloc = make_bloc(province=world["province"], units=units)
    with pytest.raises(BlocError, match="Hội đồng"):
        bloc_rotate(actor=administrator, bloc=bloc, year=2024, handover_date=None)
    council = CouncilAssignment(
        head=units[2], deputy=units[3], notice_number="1/TB", notice_date=datetime.date(2024, 1, 5)
    )
    first = bloc_rotate(actor=administrator, bloc=bloc, year=2024, handover_date=None, council=council)
    assert first.memberships.count() == 5
    assert not Handover.objects.filter(bloc_year=first).exists()
