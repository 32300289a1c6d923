"""The access matrix: every view of the blocs app, for every kind of visitor."""

import pytest
from django.urls import get_resolver, reverse

from blocs.models import BlocYear

# (url name, needs a bloc or unit id, is a POST-only action)
VIEWS = {
    "blocs:dashboard": None,
    "blocs:bloc_detail": "bloc",
    "blocs:unit_detail": "unit",
    "blocs:bloc_rotate_confirm": "bloc",
    "blocs:bloc_rotate": "bloc",
}
ACTIONS = {"blocs:bloc_rotate"}
MANAGE = {"blocs:bloc_rotate_confirm", "blocs:bloc_rotate"}


def url_for(name, world):
    kind = VIEWS[name]
    if kind == "bloc":
        return reverse(name, args=[world["bloc_a"].pk])
    if kind == "unit":
        return reverse(name, args=[world["a_units"][2].pk])
    return reverse(name)


def test_the_matrix_covers_every_view_of_the_app():
    resolver = get_resolver()
    names = {
        f"blocs:{name}" for name in resolver.namespace_dict["blocs"][1].reverse_dict if isinstance(name, str)
    }
    assert names == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_anonymous_visitors_are_sent_to_login(client, world, name):
    url = url_for(name, world)
    response = client.post(url) if name in ACTIONS else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"blocs:dashboard"}))
def test_another_blocs_pages_answer_404(client, world, outsider, name):
    client.force_login(outsider)
    url = url_for(name, world)
    response = client.post(url) if name in ACTIONS else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(MANAGE))
@pytest.mark.parametrize("who", ["focal_person", "member_secretary", "reviewer"])
def test_the_wrong_role_answers_403(client, world, request, name, who):
    client.force_login(request.getfixturevalue(who))
    url = url_for(name, world)
    response = client.post(url, {"year": 2024, "method": "rotation"}) if name in ACTIONS else client.get(url)
    assert response.status_code == 403
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_get_on_an_action_answers_405(client, world, secretary, name):
    client.force_login(secretary)
    assert client.get(url_for(name, world)).status_code == 405
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year=2024).exists()


@pytest.mark.parametrize("name", sorted(set(VIEWS) - ACTIONS))
@pytest.mark.parametrize("who", ["secretary", "deputy_secretary", "administrator"])
def test_managers_see_every_page(client, world, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url_for(name, world)).status_code == 200


@pytest.mark.parametrize("name", sorted(set(VIEWS) - ACTIONS - MANAGE))
@pytest.mark.parametrize("who", ["focal_person", "member_secretary", "reviewer"])
def test_readers_see_the_read_pages(client, world, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url_for(name, world)).status_code == 200


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
