"""The access matrix: every view of the blocs app, for every kind of visitor."""

import datetime

import pytest
from django.urls import get_resolver, reverse

from blocs.models import AuditEntry, Blocker, BlocYear, Handover
from tests.factories import make_bloc_year, make_user


@pytest.fixture
def targets(world):
    blocker = Blocker.objects.create(
        unit=world["a_units"][2], kind="inspection", started_on=datetime.date(2023, 5, 1)
    )
    return {"bloc": world["bloc_a"].pk, "unit": world["a_units"][2].pk, "blocker": blocker.pk}


# name: (url kwargs, POST only, who gets 403 — None where no role that reads the bloc is refused)
VIEWS = {
    "dashboard": (lambda t: {}, False, None),
    "search": (lambda t: {}, False, None),
    "bloc_detail": (lambda t: {"bloc_id": t["bloc"]}, False, None),
    "unit_detail": (lambda t: {"unit_id": t["unit"]}, False, None),
    "bloc_rotate_confirm": (
        lambda t: {"bloc_id": t["bloc"]},
        False,
        ["focal_person", "member_secretary", "reviewer"],
    ),
    "bloc_rotate": (lambda t: {"bloc_id": t["bloc"]}, True, ["focal_person", "member_secretary", "reviewer"]),
    "blocker_create": (lambda t: {"unit_id": t["unit"]}, False, ["focal_person", "secretary"]),
    "blocker_end": (lambda t: {"blocker_id": t["blocker"]}, True, ["focal_person", "secretary"]),
}


def url(name, targets):
    return reverse(f"blocs:{name}", kwargs=VIEWS[name][0](targets))


def call(client, name, targets, data=None):
    return client.post(url(name, targets), data or {}) if VIEWS[name][1] else client.get(url(name, targets))


def test_the_matrix_covers_every_view_of_the_app():
    names = {n for n in get_resolver().namespace_dict["blocs"][1].reverse_dict if isinstance(n, str)}
    assert names == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_anonymous_visitors_are_sent_to_login(client, targets, name):
    response = call(client, name, targets)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"dashboard", "search"}))
def test_another_blocs_pages_answer_404(client, targets, outsider, name):
    client.force_login(outsider)
    before = AuditEntry.objects.count()
    assert call(client, name, targets).status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("name", "who"), [(name, who) for name, view in sorted(VIEWS.items()) for who in (view[2] or [])]
)
def test_the_wrong_role_answers_403(client, targets, world, request, name, who):
    client.force_login(request.getfixturevalue(who))
    before = AuditEntry.objects.count()
    response = call(
        client, name, targets, {"year": 2024, "method": "rotation", "handover_date": "2023-12-27"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()
    assert Blocker.objects.get(pk=targets["blocker"]).ended_on is None


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if v[1]))
def test_get_on_an_action_answers_405(client, targets, administrator, name):
    client.force_login(administrator)
    before = AuditEntry.objects.count()
    assert client.get(url(name, targets)).status_code == 405
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if not v[1]))
def test_administrators_see_every_page(client, targets, administrator, name):
    client.force_login(administrator)
    assert call(client, name, targets).status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "search", "bloc_detail", "unit_detail", "bloc_rotate_confirm"])
@pytest.mark.parametrize("who", ["secretary", "deputy_secretary"])
def test_the_head_and_deputy_secretaries_see_their_pages(client, targets, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert call(client, name, targets).status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "search", "bloc_detail", "unit_detail"])
@pytest.mark.parametrize("who", ["focal_person", "member_secretary", "reviewer"])
def test_readers_see_the_read_pages(client, targets, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert call(client, name, targets).status_code == 200


def test_the_dashboard_lists_only_my_blocs(client, world, focal_person, reviewer):
    client.force_login(focal_person)
    page = client.get(reverse("blocs:dashboard")).content.decode()
    assert "Khối A" in page
    assert "Khối B" not in page

    client.force_login(reviewer)
    page = client.get(reverse("blocs:dashboard")).content.decode()
    assert "Khối A" in page and "Khối B" in page


def test_a_unit_of_another_bloc_answers_404(client, world, focal_person):
    client.force_login(focal_person)
    assert client.get(reverse("blocs:unit_detail", args=[world["b_units"][3].pk])).status_code == 404
    assert client.get(reverse("blocs:unit_detail", args=[999999])).status_code == 404


def test_a_unit_page_shows_another_unit_only_in_the_blocs_they_share(client, world, focal_person, reviewer):
    """A2 was in bloc A in 2023 and moves to bloc B in 2024, taking the head role from B1. B1's focal person
    reads bloc B only: A2's page shows them bloc B's year and handover, not bloc A's. A2's own focal person
    and the reward board see both years."""
    moving = world["a_units"][2]
    year_b = make_bloc_year(bloc=world["bloc_b"], year=2024, units=[*world["b_units"], moving], head=moving)
    Handover.objects.create(
        bloc_year=year_b,
        from_unit=world["b_units"][0],
        to_unit=moving,
        handed_over_on=datetime.date(2024, 1, 10),
    )
    url = reverse("blocs:unit_detail", args=[moving.pk])

    def years_shown(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        shown = {
            (row["membership"].bloc_year.bloc.name, row["membership"].bloc_year.year)
            for row in response.context["rows"]
        }
        return shown, [h.bloc_year.bloc.name for h in response.context["handovers"]]

    both = {("Khối A", 2023), ("Khối B", 2024)}
    assert years_shown(make_user(role="focal", unit=world["b_units"][0], username="b1")) == (
        {("Khối B", 2024)},
        ["Khối B"],
    )
    assert years_shown(make_user(role="focal", unit=moving, username="a3")) == (both, ["Khối B"])
    assert years_shown(reviewer) == (both, ["Khối B"])
    # bloc A's focal person shares only bloc A with A2 (A2's bloc B handover is not theirs to see)
    assert years_shown(focal_person) == ({("Khối A", 2023)}, [])


def test_the_units_read_by_their_ids_first_are_the_same_units(world, focal_person, outsider, reviewer):
    """The search reads a user's units by their ids (visible_units(ids_first=True)): the same rule, read in two
    steps. A unit in no bloc sees itself."""
    from blocs.access import visible_units
    from tests.factories import make_unit

    alone = make_user(role="focal", unit=make_unit(province=world["province"], name="Hội mới thành lập"))
    for user in (focal_person, outsider, reviewer, alone):
        assert set(visible_units(user, ids_first=True)) == set(visible_units(user))
    assert set(visible_units(focal_person, ids_first=True)) == set(world["a_units"])
    assert list(visible_units(alone, ids_first=True)) == [alone.unit]
