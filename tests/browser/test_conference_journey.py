"""In Chromium: five delegates vote on their phones, the secretary closes the round and sees the winners; the
reward board returns a nomination, the secretary resubmits it, the board accepts it and records the decision."""

import pytest
from playwright.sync_api import Browser, Page, expect

from scoring import conference, nominations, services
from scoring.models import Nomination
from tests.browser.pages import PHONE, log_in
from tests.factories import finalize_all, make_campaign, make_conference, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_vote_close_review(
    page: Page, browser: Browser, live_server, world, secretary, reviewer, private_media
):
    units = world["a_units"]
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(5)])
    record = make_conference(campaign)
    conference.conference_adopt(actor=None, conference=record, report=True, direction=True)
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )
    delegates = [make_user(role="focal", unit=u, username=f"daibieu{i}") for i, u in enumerate(units, 1)]
    base = live_server.url

    for delegate in delegates:
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        log_in(phone, base, delegate.username)
        phone.goto(f"{base}{vote_round.get_absolute_url()}")
        phone.get_by_role("link", name="Bỏ phiếu").click()
        phone.get_by_label(units[0].name).first.check()
        merit = phone.get_by_role(
            "group", name="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh, thành phố (chọn tối đa 2)"
        )
        merit.get_by_label(units[1].name).check()
        merit.get_by_label(units[2].name).check()
        phone.get_by_role("button", name="Gửi phiếu").click()
        expect(phone.get_by_role("alert")).to_contain_text("Phiếu của đơn vị đã được ghi nhận")
        context.close()

    log_in(page, base, secretary.username)
    page.goto(f"{base}{vote_round.get_absolute_url()}")
    expect(page.get_by_test_id("voted-count")).to_contain_text("5/5")
    page.get_by_role("link", name="Kết thúc vòng bỏ phiếu…").click()
    page.get_by_role("button", name="Xác nhận kết thúc và công bố kết quả").click()
    flag = page.get_by_test_id("results-co-thi-dua-ubnd")
    expect(flag.get_by_role("row").filter(has_text=units[0].name).get_by_test_id("outcome")).to_have_text(
        "Trúng"
    )
    merit = page.get_by_test_id("results-bang-khen-chu-tich-ubnd")
    for unit in units[1:3]:
        expect(merit.get_by_role("row").filter(has_text=unit.name).get_by_test_id("outcome")).to_have_text(
            "Trúng"
        )
    expect(merit.get_by_role("row").filter(has_text=units[3].name).get_by_test_id("outcome")).to_have_text(
        "—"
    )

    for nomination in campaign.nominations.all():
        nominations.nomination_save_summary(
            actor=None, nomination=nomination, summary="Thành tích nổi bật", expected_version=0
        )
    services.campaign_advance(actor=None, campaign=campaign, verb="submit")
    nomination = Nomination.objects.get(award_type__code="co-thi-dua-ubnd")

    page.context.clear_cookies()
    log_in(page, base, reviewer.username)
    page.get_by_role("link", name="Thẩm định hồ sơ").click()
    page.get_by_role("link", name=units[0].name).click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung số liệu phát triển hội viên")
    page.get_by_role("button", name="Trả lại để bổ sung").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("Bị trả lại để bổ sung")

    page.context.clear_cookies()
    log_in(page, base, secretary.username)
    page.goto(f"{base}{nomination.get_absolute_url()}")
    expect(page.get_by_role("alert").filter(has_text="Bổ sung số liệu")).to_be_visible()
    page.get_by_label("Tóm tắt thành tích").fill("Thành tích nổi bật\nPhát triển 1.250 hội viên mới.")
    page.get_by_role("button", name="Lưu tóm tắt").click()
    page.get_by_role("button", name="Gửi lại hồ sơ đã sửa").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("Đã gửi, chờ Ban Thi đua – Khen thưởng")

    page.context.clear_cookies()
    log_in(page, base, reviewer.username)
    page.goto(f"{base}{nomination.get_absolute_url()}")
    expect(page.get_by_text("+Phát triển 1.250 hội viên mới.")).to_be_visible()
    page.get_by_role("button", name="Chấp nhận hồ sơ").click()
    page.get_by_label("Số quyết định").fill("245/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("2024-02-20")
    page.get_by_label("Được khen thưởng", exact=True).check()
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("Được khen thưởng")

    nomination.refresh_from_db()
    assert (nomination.status, nomination.decision_number, nomination.versions.count()) == (
        "awarded",
        "245/QĐ-UBND",
        2,
    )
