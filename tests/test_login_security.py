"""Logging in: throttling (django-axes: an account after 5 failures, an address after 30, for 15 minutes),
password rules, session lifetime and cookies.

Logins go through the real login form (and the admin's), from the address the test client claims.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blocs.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"  # tests.factories.make_user
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


def attempt(client, username, password="wrong-password", address=OFFICE, url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=OFFICE):
    for _ in range(times):
        response = attempt(client, username, address=address)
        assert response.status_code in (200, 429)


@pytest.fixture
def member(world):
    return make_user(role="focal", unit=world["a_units"][2], username="canbo.a3")


def test_the_limits_are_five_per_account_and_thirty_per_address():
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == 5
    assert settings.LOGIN_FAILURES_PER_ADDRESS == 30
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(client, member):
    fail(client, member.username, 4)
    assert attempt(client, member.username, PASSWORD).status_code == 302  # the fifth try is still allowed
    client.logout()
    fail(client, member.username, 5)

    response = attempt(client, member.username, PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html and "15 phút" in html
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_count(client, member):
    fail(client, member.username, 4)
    assert attempt(client, member.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, member.username, 4)

    assert attempt(client, member.username, PASSWORD).status_code == 302


def test_a_locked_account_is_locked_from_every_address(client, member):
    fail(client, member.username, 5, address=OFFICE)

    assert attempt(client, member.username, PASSWORD, address=ELSEWHERE).status_code == 429


def test_one_persons_typos_do_not_lock_the_room(client, member, secretary):
    """A conference room shares one address: another delegate still logs in from it."""
    fail(client, member.username, 5)

    assert attempt(client, secretary.username, PASSWORD).status_code == 302


def test_an_address_is_locked_after_thirty_failures_across_accounts(client, secretary):
    for n in range(30):
        attempt(client, f"guess{n}")

    assert attempt(client, secretary.username, PASSWORD).status_code == 429
    # The same account from another address is not concerned.
    assert attempt(client, secretary.username, PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, member):
    fail(client, member.username, 5)
    assert attempt(client, member.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    assert attempt(client, member.username, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, administrator):
    admin_login = reverse("admin:login")
    for _ in range(5):
        attempt(client, administrator.username, url=admin_login)

    assert attempt(client, administrator.username, PASSWORD, url=admin_login).status_code == 429


def test_the_lockout_page_speaks_the_users_language(client, member):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    fail(client, member.username, 5)

    html = attempt(client, member.username, PASSWORD).content.decode()

    assert "Đăng nhập sai" not in html
    assert "15" in html and '<html lang="en">' in html


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, settings, member, secretary):
    """The client may send its own X-Forwarded-For: only the entry our proxy appended counts."""
    settings.BEHIND_PROXY = True
    for n in range(30):
        client.post(
            reverse("login"),
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            headers={"x-forwarded-for": f"192.0.2.{n}, {OFFICE}"},
        )

    response = client.post(
        reverse("login"),
        {"username": secretary.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        headers={"x-forwarded-for": f"192.0.2.99, {OFFICE}"},
    )

    assert response.status_code == 429


def test_failures_write_no_audit_entry_and_change_no_user(client, member):
    before = (AuditEntry.objects.count(), member.password, member.last_login)

    fail(client, member.username, 6)

    member.refresh_from_db()
    assert (AuditEntry.objects.count(), member.password, member.last_login) == before


@pytest.mark.parametrize(
    "password, message",
    [
        ("12345678", "Mật khẩu này hoàn toàn là số."),
        ("matkhau", "Mật khẩu này quá ngắn."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("canbo.a3x", "Mật khẩu quá giống với"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(member, password, message):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=member)

    assert any(text.startswith(message) for text in refused.value.messages), refused.value.messages


def test_a_session_lasts_eight_hours_in_an_http_only_cookie(client, member):
    attempt(client, member.username, PASSWORD)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 60 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_a_logged_in_user_comes_with_their_unit_in_one_query(client, member):
    """The menu shows the user's unit on every page: blocs/backends.py loads it with the user."""
    assert attempt(client, "canbo.a3", PASSWORD).status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("blocs:search"), {"q": "zzz"})
    assert response.status_code == 200
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "blocs_user"' in q["sql"]]
    assert len(user_reads) == 1 and 'JOIN "blocs_unit"' in user_reads[0]
    unit_alone = f'FROM "blocs_unit" WHERE "blocs_unit"."id" = {member.unit_id} LIMIT 21'
    assert not [q for q in ctx.captured_queries if q["sql"].endswith(unit_alone)]
    assert member.unit.short_name in response.content.decode()


def test_a_deactivated_user_is_logged_out_at_the_next_request(client, member):
    assert attempt(client, "canbo.a3", PASSWORD).status_code == 302
    assert client.get(reverse("blocs:dashboard")).status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get(reverse("blocs:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
