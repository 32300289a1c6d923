"""In Chromium: the secretary writes a section of the year-end report, previews it, issues it and downloads
the PDF, which holds what was written."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reports.models import Document
from tests.browser.pages import log_in
from tests.factories import voted_campaign

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_write_preview_issue_download(
    page: Page, live_server, world, secretary, deputy_secretary, private_media
):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    base = live_server.url

    log_in(page, base, secretary.username)
    page.goto(f"{base}/campaigns/{campaign.pk}/documents/")
    page.get_by_role("link", name="Soạn nội dung báo cáo tổng kết").click()
    page.get_by_label("Ưu điểm").fill(
        "Các đơn vị **hoàn thành xuất sắc** nhiệm vụ năm 2023.\n\n- Tổ chức 12 hội thảo chuyên đề\n- Phát triển 1.250 hội viên"
    )
    page.get_by_role("button", name="Lưu thành bản mới").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã lưu dự thảo báo cáo, bản 1.")

    page.get_by_role("link", name="Xem trước báo cáo").click()
    expect(page.locator("strong", has_text="hoàn thành xuất sắc")).to_be_visible()
    expect(page.get_by_text("Tổ chức 12 hội thảo chuyên đề")).to_be_visible()
    expect(page.get_by_text("Dự thảo: chưa ban hành")).to_be_visible()

    page.goto(f"{base}/campaigns/{campaign.pk}/documents/")
    page.get_by_role("row", name="Báo cáo tổng kết").get_by_role("link", name="Ban hành…").click()
    page.get_by_label("Ngày ban hành").fill("2023-12-28")
    page.get_by_role("button", name="Ban hành").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ban hành báo cáo tổng kết Số: 01/BC-")

    with page.expect_download() as download_info:
        page.locator("#issued").get_by_role("link", name="PDF").first.click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    with Document.objects.get(kind="report").pdf.open("rb") as stored:
        assert content == stored.read()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "hoàn thành xuất sắc nhiệm vụ năm 2023" in text
    assert "Phát triển 1.250 hội viên" in text
    assert download.suggested_filename == "bao-cao-tong-ket-2023-01.pdf"
    assert problems == []
