import datetime

import pytest
from django.db import IntegrityError, transaction

from blocs.models import BlocYear, Handover, Membership, User
from tests.factories import make_unit


def test_a_second_head_is_refused_and_nothing_is_saved(world):
    year = world["year_a"]
    newcomer = make_unit(province=world["province"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(bloc_year=year, unit=newcomer, role=Membership.Role.HEAD)
    assert not Membership.objects.filter(unit=newcomer).exists()
    assert year.memberships.filter(role=Membership.Role.HEAD).count() == 1


def test_promoting_a_member_to_second_head_is_refused(world):
    member = world["year_a"].memberships.get(unit=world["a_units"][3])
    member.role = Membership.Role.HEAD
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER


def test_a_second_deputy_is_refused(world):
    member = world["year_a"].memberships.get(unit=world["a_units"][2])
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(role=Membership.Role.DEPUTY)
    assert world["year_a"].memberships.filter(role=Membership.Role.DEPUTY).count() == 1


def test_heads_of_different_years_do_not_clash(world):
    next_year = BlocYear.objects.create(bloc=world["bloc_a"], year=2024)
    Membership.objects.create(bloc_year=next_year, unit=world["a_units"][1], role=Membership.Role.HEAD)
    assert Membership.objects.filter(role=Membership.Role.HEAD, bloc_year__bloc=world["bloc_a"]).count() == 2


def test_a_unit_is_member_once_a_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(bloc_year=world["year_a"], unit=world["a_units"][4])


def test_the_same_year_twice_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocYear.objects.create(bloc=world["bloc_a"], year=2023)


def test_a_council_assignment_needs_its_notice(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocYear.objects.create(bloc=world["bloc_a"], year=2030, basis=BlocYear.Basis.COUNCIL)


def test_a_handover_needs_two_units(world):
    unit = world["a_units"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Handover.objects.create(
            bloc_year=world["year_a"],
            from_unit=unit,
            to_unit=unit,
            handed_over_on=datetime.date(2022, 12, 28),
        )


def test_a_unit_cannot_close_before_it_opens(world):
    unit = world["a_units"][0]
    unit.valid_to = datetime.date(2000, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_a_unit_cannot_succeed_itself(world):
    unit = world["a_units"][0]
    unit.successor = unit
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_two_active_units_cannot_share_an_abbreviation(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_unit(province=world["province"], abbreviation="A1")
    # A closed unit may keep its old abbreviation beside the active one.
    make_unit(province=world["province"], abbreviation="A1", valid_to=datetime.date(2020, 1, 1))


def test_unit_staff_must_belong_to_a_unit(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lost", role=User.Role.FOCAL)
    assert User.objects.create_superuser("root", password="x-very-long-1").role == User.Role.ADMIN
