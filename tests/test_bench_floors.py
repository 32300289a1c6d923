"""The benchmark's floors (bench/urls.py): one query through the whole middleware stack, and the same once the
session and the user are read. Their figures are what every page is measured against."""

import pytest

from blocs.models import Unit


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"


def test_the_floor_runs_one_query_and_shows_the_first_unit(
    client, world, bench_urls, django_assert_num_queries
):
    first = Unit.objects.order_by("pk").first()
    with django_assert_num_queries(1):  # the unit's name; no session is read
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert first.name in response.content.decode()


def test_the_logged_in_floor_reads_the_session_and_the_user_then_runs_the_same_query(
    client, focal_person, bench_urls, django_assert_num_queries
):
    client.force_login(focal_person)
    # The session; the user with their unit (as on every page); the unit's name.
    with django_assert_num_queries(3):
        response = client.get("/bench/floor/user/")
    assert response.status_code == 200
    assert Unit.objects.order_by("pk").first().name in response.content.decode()


def test_the_logged_in_floor_refuses_a_request_without_a_session(client, world, bench_urls):
    assert client.get("/bench/floor/user/").status_code == 403
