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
