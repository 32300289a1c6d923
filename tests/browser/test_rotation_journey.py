"""In Chromium: the head's secretary logs in, opens the bloc, rotates the roles and sees the new head."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from blocs.models import BlocYear, Membership
from tests.browser.pages import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_secretary_rotates_the_roles(page: Page, live_server, demo):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    log_in(page, live_server.url, "thuky.huunghi", DEMO_PASSWORD)
    page.get_by_role("link", name="Khối thi đua các Hội có tính chất đặc thù số 1").click()
    expect(page.get_by_test_id("head-2023")).to_have_text("Liên hiệp các Tổ chức Hữu nghị thành phố")

    page.get_by_role("link", name="Phân công năm 2024").click()
    expect(page.get_by_test_id("plan-head")).to_have_text("Liên minh các Hợp tác xã thành phố")
    page.get_by_label("Ngày bàn giao nhiệm vụ Khối trưởng").fill("2023-12-27")
    page.get_by_role("button", name="Xác nhận phân công").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Đã phân công năm 2024: Khối trưởng Liên minh các Hợp tác xã thành phố"
    )
    expect(page.get_by_test_id("head-2024")).to_have_text("Liên minh các Hợp tác xã thành phố")
    expect(page.get_by_test_id("deputy-2024")).to_have_text(
        "Liên hiệp các Hội Văn học và Nghệ thuật thành phố"
    )
    # The outgoing head's secretary has no more rights for 2024.
    expect(page.get_by_role("link", name="Phân công năm 2025")).to_have_count(0)

    head = BlocYear.objects.get(bloc__number=1, year=2024).memberships.get(role=Membership.Role.HEAD)
    assert head.unit.abbreviation == "LMHTX"
    assert problems == []
