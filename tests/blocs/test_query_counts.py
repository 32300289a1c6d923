"""Every page runs a fixed number of queries, however many blocs, units and years there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_bloc, make_bloc_year, make_unit


def grow(world, blocs=6, units=8):
    """Add blocs with members and two years each, and more members and years to bloc A."""
    province = world["province"]
    for _ in range(blocs):
        members = [make_unit(province=province) for _ in range(units)]
        bloc = make_bloc(province=province, units=members)
        for year in (2022, 2023):
            make_bloc_year(
                bloc=bloc, year=year, units=members, head=members[year % 2], deputy=members[year % 2 + 1]
            )
    extra = [make_unit(province=province) for _ in range(units)]
    a_units = world["a_units"] + extra
    for year in (2020, 2021, 2022):
        make_bloc_year(
            bloc=world["bloc_a"], year=year, units=a_units, head=a_units[year % 3], deputy=a_units[3]
        )


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = {
    # session, user+unit (the menu shows it), the unit's blocs+province (no count), years+handovers+campaigns,
    # memberships+units; the to-do list: the unit's open campaigns (those it runs among them), its nominations
    # (its sheets and open ballots only while a campaign is being scored or at its conference: none here)
    "dashboard": (lambda w: reverse("blocs:dashboard"), 7),
    # session, user+unit, bloc+province, years+handovers, memberships+units, rotation+units
    "bloc": (lambda w: reverse("blocs:bloc_detail", args=[w["bloc_a"].pk]), 6),
    # session, user+unit, the unit, memberships+blocs, each year's leaders+units, predecessors, handovers,
    # blockers
    "unit": (lambda w: reverse("blocs:unit_detail", args=[w["a_units"][0].pk]), 8),
    # session, user+unit, bloc+province, latest year, its memberships, their units, rotation+units
    "rotate": (lambda w: reverse("blocs:bloc_rotate_confirm", args=[w["bloc_a"].pk]), 7),
}


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_queries_do_not_grow_with_the_data(client, world, secretary, page_name):
    url, expected = PAGES[page_name]
    client.force_login(secretary)
    small = count(client, url(world))
    grow(world)
    large = count(client, url(world))
    assert small == large == expected


@pytest.mark.parametrize("who", ["reviewer", "focal_person"])
def test_the_dashboard_of_every_role_is_bounded(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    small = count(client, reverse("blocs:dashboard"))
    grow(world, blocs=30)
    large = count(client, reverse("blocs:dashboard"))
    assert small == large
    # reviewer: the bloc list and its provinces filter (7), the nominations count; focal person: the bloc list
    # (no count: the unit's blocs are read at once) and the unit's campaigns and nominations
    assert large == {"reviewer": 8, "focal_person": 7}[who]
