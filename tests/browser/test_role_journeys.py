"""Each role, from login to its main task, in Chromium, with an accessibility check (axe-core) on every page:
the reward board, the administrator and a secretary at desktop size; a focal person's score sheet and a
delegate's ballot at phone size (390×844)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from scoring.models import Nomination, ScoreSheet, Voter
from tests.browser.a11y import serious_violations
from tests.browser.pages import DESKTOP, PHONE, session

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, private_media):
    call_command("load_demo", stdout=io.StringIO())


def checked(page):
    assert serious_violations(page) == [], page.url


@pytest.mark.django_db(transaction=True)
def test_desktop_roles(browser: Browser, live_server, demo):
    # The reward board: from the to-do list to accepting a nomination; then the city overview.
    context, page, problems = session(browser, live_server, "bantdkt", DESKTOP)
    page.get_by_role("link", name="Thẩm định 3 hồ sơ đề nghị khen thưởng").click()
    checked(page)
    page.get_by_role("link", name="Liên hiệp các Hội Khoa học và Kỹ thuật thành phố").click()
    checked(page)
    page.get_by_role("button", name="Chấp nhận hồ sơ").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("Hồ sơ hợp lệ, chờ quyết định")
    checked(page)
    page.goto(f"{live_server.url}/overview/?year=2022")
    expect(page.locator("#overview")).to_contain_text("Khối thi đua các Hội có tính chất đặc thù số 1")
    checked(page)
    assert problems == []
    context.close()

    # The deputy's secretary reviews the head's own sheet, which waits for them.
    context, page, problems = session(browser, live_server, "thuky.htx", DESKTOP)
    page.get_by_role("link", name="Thẩm định 1 phiếu chấm điểm đã gửi").click()
    checked(page)
    page.get_by_role("link", name="Liên hiệp các Tổ chức Hữu nghị thành phố").click()
    checked(page)
    page.get_by_role("button", name="Chốt phiếu").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã thẩm định (chốt)")
    checked(page)
    assert problems == []
    context.close()

    # The administrator: the counts that need attention, and the way into the admin.
    context, page, problems = session(browser, live_server, "quantri", DESKTOP)
    expect(page.get_by_test_id("admin-counts")).to_contain_text("lần nhập đơn vị chờ xác nhận")
    page.get_by_role("link", name="Trang quản trị").click()
    expect(page).to_have_title("Danh mục và dữ liệu | Quản trị thiduabloc")
    assert problems == []
    context.close()

    assert (
        Nomination.objects.get(unit__abbreviation="LHH", campaign__bloc_year__year=2022).status == "accepted"
    )
    assert (
        ScoreSheet.objects.get(unit__abbreviation="LHHN", campaign__bloc_year__year=2023).status == "reviewed"
    )


@pytest.mark.django_db(transaction=True)
def test_phone_roles(browser: Browser, live_server, demo):
    # The focal person corrects the returned sheet on a phone and sends it again.
    context, page, problems = session(browser, live_server, "canbo.chuthapdo", PHONE)
    page.get_by_role("link", name="Sửa và gửi lại phiếu chấm điểm bị trả lại").click()
    checked(page)
    page.get_by_label("Giải trình tiêu chí 2.3").fill("Đã bổ sung danh sách hội viên mới")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã gửi, chờ thẩm định")
    checked(page)
    assert problems == []
    context.close()

    # A delegate votes at the conference of bloc 2 on a phone.
    context, page, problems = session(browser, live_server, "thuky.luatgia", PHONE)
    page.get_by_role("link", name="Bỏ phiếu vòng 1").click()
    checked(page)
    page.get_by_role(
        "group", name="Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố (chọn tối đa 1)"
    ).get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_role("alert")).to_contain_text("Phiếu của đơn vị đã được ghi nhận")
    checked(page)
    assert problems == []
    context.close()

    assert (
        ScoreSheet.objects.get(unit__abbreviation="CTĐ", campaign__bloc_year__year=2023).status == "submitted"
    )
    assert Voter.objects.get(unit__abbreviation="HLG", round__status="open").has_voted


def navbar_fits(page):
    """From 992 px the navbar is one row; narrower, its links fold behind the menu button. Never a sideways
    scroll, whatever the language."""
    navbar = page.locator("nav.navbar")
    toggler = page.locator(".navbar-toggler")
    for width in (390, 768, 991, 992, 1024, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        if width < 992:
            expect(toggler).to_be_visible()
        else:
            expect(toggler).to_be_hidden()
            assert navbar.bounding_box()["height"] < 70, width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size(DESKTOP)


@pytest.mark.django_db(transaction=True)
def test_english_and_the_navbar_at_every_width(browser: Browser, live_server, demo):
    # The administrator sees every navbar link; the switcher turns the site to English and back.
    context, page, problems = session(browser, live_server, "quantri", DESKTOP)
    navbar_fits(page)
    switcher = page.get_by_test_id("language-switcher")
    switcher.get_by_label("Ngôn ngữ").select_option("en")
    switcher.get_by_role("button", name="Đổi").click()
    expect(page.get_by_role("heading", name="To-do")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checked(page)
    navbar_fits(page)

    switcher.get_by_label("Language").select_option("vi")
    switcher.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    assert problems == []
    context.close()
