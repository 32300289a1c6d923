"""Every URL of the site has an access answer that a test checks.

The URL resolver is walked whole, so a new URL fails here until it is placed: the views of the blocs, scoring
and reports apps are in those apps' access matrices (tests/*/test_access.py: anonymous → login, another bloc →
404, wrong role → 403, GET on an action → 405, each of those checks its own matrix covers its namespace); the
admin is Django's, behind its staff check; the rest is listed below with what it answers.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from blocs.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

APP_MATRICES = {"blocs", "scoring", "reports"}
# Outside the apps: what each is for, and who may use it.
PUBLIC = {
    "login": "the login form, for everybody",
    "logout": "POST only; a GET changes nothing",
    "set_language": "POST only; the language cookie, for everybody (the login page too)",
    "favicon.ico": "a redirect to the static icon",
}


def walk(patterns=None, namespace=None, prefix=""):
    """(namespace, name or route, route) of every URL pattern, following includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name or route, route


def test_every_url_is_placed():
    unplaced = sorted(
        (namespace, name)
        for namespace, name, _ in walk()
        if namespace not in APP_MATRICES | {"admin"} and name not in PUBLIC
    )
    assert unplaced == []
    # And every app namespace has its matrix (a fourth app would need one).
    namespaces = {namespace for namespace, _, _ in walk()} - {None}
    assert namespaces == APP_MATRICES | {"admin"}


def test_app_urls_all_have_names():
    """The matrices work by name: a nameless view in an app would escape them."""
    nameless = [route for namespace, name, route in walk() if namespace in APP_MATRICES and name == route]
    assert nameless == []


def admin_pages():
    """The admin's pages that take no object id (changelists, add forms, index), by name."""
    return sorted(
        name
        for namespace, name, route in walk()
        if namespace == "admin" and "<" not in route and name not in ("login", "logout", "jsi18n")
    )


@pytest.mark.parametrize("name", admin_pages())
def test_the_admin_is_for_staff_only(client, world, name):
    url = reverse(f"admin:{name}")
    login = reverse("admin:login")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith(login), name

    client.force_login(make_user(role="secretary", unit=world["a_units"][0], username="not-staff"))
    refused = client.get(url)
    assert refused.status_code == 302 and refused.headers["Location"].startswith(login), name


def test_the_public_urls(client, secretary):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/favicon.ico").status_code == 301

    client.force_login(secretary)
    before = AuditEntry.objects.count()
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.get(reverse("set_language"), {"language": "en"})
    assert "django_language" not in response.cookies
    assert AuditEntry.objects.count() == before
