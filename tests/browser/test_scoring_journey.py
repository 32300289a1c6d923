"""In Chromium: a unit fills and submits its sheet, the head's secretary lowers a line with a reason, and the
ranking on the summary page follows."""

import pytest
from playwright.sync_api import Page, expect

from scoring import services
from scoring.models import ScoreLine
from tests.browser.pages import log_in
from tests.factories import criteria_by_code, fill_sheet, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_fill_review_and_rank(page: Page, live_server, scoring_campaign, sheets, secretary, world):
    problems = []
    # A refused input answers 400 on purpose; anything else in the console (CSP, script errors) is a defect.
    expected = "Failed to load resource: the server responded with a status of 400"
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type == "error" and expected not in msg.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    competitor = fill_sheet(sheets[3], {"1.1": "9.5", "1.2": 5})
    services.score_sheet_finalize(actor=None, sheet=competitor)
    make_user(role="focal", unit=world["a_units"][2], username="canbo")
    sheet = sheets[2]
    codes = criteria_by_code(scoring_campaign)

    log_in(page, live_server.url, "canbo")
    page.goto(f"{live_server.url}{sheet.get_absolute_url()}")
    page.get_by_label("Điểm tự chấm tiêu chí 1.1").fill("10")
    page.get_by_label("Giải trình tiêu chí 1.1").fill("Đạt 12/12 chỉ tiêu")
    page.get_by_label("Điểm tự chấm tiêu chí 1.2").fill("5")
    page.get_by_label("Vi phạm tiêu chí 4.1").select_option("no")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã lưu bản nháp phiếu tự chấm.")
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã gửi, chờ thẩm định")

    log_in(page, live_server.url, secretary.username)
    summary_url = f"{live_server.url}/campaigns/{scoring_campaign.pk}/summary/"
    page.goto(summary_url)
    first = page.get_by_test_id("summary-row").first
    expect(first.get_by_test_id("rank")).to_have_text("1")
    expect(first.get_by_test_id("unit")).to_have_text(world["a_units"][3].name)

    page.goto(f"{live_server.url}{sheet.get_absolute_url()}")
    page.get_by_label("Điểm thẩm định tiêu chí 1.1").fill("9")
    page.get_by_role("button", name="Lưu dòng 1.1").click()
    expect(page.get_by_role("alert")).to_contain_text("phải ghi lý do")
    page.get_by_label("Lý do điều chỉnh tiêu chí 1.1").fill("Thiếu minh chứng chỉ tiêu số 7")
    page.get_by_label("Điểm thẩm định tiêu chí 1.1").fill("9")
    page.get_by_role("button", name="Lưu dòng 1.1").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã lưu điểm thẩm định tiêu chí 1.1.")
    page.get_by_role("button", name="Chốt phiếu").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã thẩm định (chốt)")

    page.goto(summary_url)
    rows = page.get_by_test_id("summary-row")
    expect(rows.nth(0).get_by_test_id("unit")).to_have_text(world["a_units"][3].name)
    expect(rows.nth(1).get_by_test_id("unit")).to_have_text(world["a_units"][2].name)
    expect(rows.nth(1).get_by_test_id("rank")).to_have_text("2")
    expect(rows.nth(1).get_by_test_id("total")).to_have_text("14")

    line = ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"])
    assert (str(line.self_score), str(line.reviewed_score)) == ("10.00", "9.00")
    assert line.review_reason == "Thiếu minh chứng chỉ tiêu số 7"
    assert problems == []
