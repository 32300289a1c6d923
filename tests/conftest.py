import os

import pytest

from tests.factories import make_bloc, make_bloc_year, make_province, make_unit, make_user

# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser tests are still
# plain synchronous calls made between page actions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    import tempfile
    from pathlib import Path

    from django.conf import settings

    # Uploaded evidence and issued documents go to a throw-away folder, never into the project's var/.
    settings.PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="thiduabloc-test-private-"))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests speak plain HTTP to the test client and to the live server; production keeps these on.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Static files come from the finders in tests; there is no collected STATIC_ROOT to serve.
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    """Two blocs of one city, each with a year 2023; bloc A has the usual five members in rotation order."""
    province = make_province(name="Cần Thơ", code="CT", kind="thanh_pho")
    a_units = [
        make_unit(province=province, name=f"Hội thành viên A{i}", abbreviation=f"A{i}") for i in range(1, 6)
    ]
    b_units = [
        make_unit(province=province, name=f"Sở thành viên B{i}", abbreviation=f"B{i}") for i in range(1, 6)
    ]
    bloc_a = make_bloc(province=province, units=a_units, name="Khối A")
    bloc_b = make_bloc(province=province, units=b_units, name="Khối B")
    year_a = make_bloc_year(bloc=bloc_a, year=2023, units=a_units, head=a_units[0], deputy=a_units[1])
    year_b = make_bloc_year(bloc=bloc_b, year=2023, units=b_units, head=b_units[0], deputy=b_units[1])
    return {
        "province": province,
        "a_units": a_units,
        "b_units": b_units,
        "bloc_a": bloc_a,
        "bloc_b": bloc_b,
        "year_a": year_a,
        "year_b": year_b,
    }


@pytest.fixture
def year_a_2024(world):
    """Bloc A's next year, with the same members, head and deputy."""
    units = world["a_units"]
    return make_bloc_year(bloc=world["bloc_a"], year=2024, units=units, head=units[0], deputy=units[1])


@pytest.fixture
def secretary(world):
    """Secretary of bloc A's head unit in 2023."""
    return make_user(role="secretary", unit=world["a_units"][0], username="secretary")


@pytest.fixture
def deputy_secretary(world):
    return make_user(role="secretary", unit=world["a_units"][1], username="deputy_secretary")


@pytest.fixture
def member_secretary(world):
    """Secretary role, but of a plain member unit of bloc A."""
    return make_user(role="secretary", unit=world["a_units"][3], username="member_secretary")


@pytest.fixture
def focal_person(world):
    """Focal person of bloc A's head unit: reads bloc A, manages nothing."""
    return make_user(role="focal", unit=world["a_units"][0], username="focal")


@pytest.fixture
def outsider(world):
    """Secretary of bloc B's head unit: bloc A is none of their business."""
    return make_user(role="secretary", unit=world["b_units"][0], username="outsider")


@pytest.fixture
def reviewer(world):
    return make_user(role="reviewer", username="reviewer")


@pytest.fixture
def administrator(world):
    return make_user(role="admin", username="administrator")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Database tests first, transactional ones (browser, concurrency) after them, as pytest-django orders them.

    pytest regroups the browser tests by their session-scoped browser parameter after pytest-django has sorted,
    which put them in the middle of the plain database tests; a transactional test flushes the database when it
    ends, and the tests after it would find the seeded award catalogue gone. Under pytest-xdist (`make test`)
    each worker has its own database and runs its share in this order."""

    def order(item):
        marker = item.get_closest_marker("django_db")
        if (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
            item.fixturenames
        ):
            return 1
        return 0 if marker or "db" in item.fixturenames else 2

    items.sort(key=order)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def award_types(request):
    """Transactional tests flush the database, and with it the catalogue migration 0002 seeded: put it back."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and marker.kwargs.get("transaction", False)
    if marked or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from scoring.awards import ensure_award_types

        request.getfixturevalue("transactional_db")
        ensure_award_types()


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def scoring_campaign(world, private_media):
    """Bloc A's 2023 campaign, open for scoring, with the small criteria table and one sheet per member."""
    from tests.factories import make_campaign

    return make_campaign(bloc_year=world["year_a"], status="scoring")


@pytest.fixture
def sheets(scoring_campaign, world):
    """Sheets of bloc A's units by index in world["a_units"] (0 = head, 1 = deputy)."""
    by_unit = {s.unit_id: s for s in scoring_campaign.sheets.all()}
    return [by_unit[u.pk] for u in world["a_units"]]
