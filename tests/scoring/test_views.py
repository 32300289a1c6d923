"""The workflow through the pages: happy paths, bad input refused with a message and nothing changed."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import Campaign, CriteriaGroup, Criterion, Evidence, Registration, ScoreLine, ScoreSheet
from tests.factories import criteria_by_code, fill_sheet, make_campaign, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response):
    return response.content.decode()


@pytest.fixture
def unit3_focal(world):
    return make_user(role="focal", unit=world["a_units"][2], username="unit3_focal")


def test_the_secretary_opens_the_campaign_from_a_form(client, world, secretary):
    client.force_login(secretary)
    url = reverse("scoring:campaign_create", args=[world["bloc_a"].pk, 2023])
    assert "Mở phong trào thi đua năm 2023" in text(client.get(url))
    bad = client.post(url, {"title": "", "tie_break": "full_marks_then_deduction", "score_step": "0,3,5"})
    assert bad.status_code == 400
    assert not Campaign.objects.exists()
    response = client.post(
        url,
        {
            "title": "Phong trào thi đua năm 2023",
            "launch_date": "2023-03-10",
            "conference_date": "2023-12-28",
            "tie_break": "full_marks_then_deduction",
            "score_step": "0,25",
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.score_step == D("0.25")
    assert client.get(url)["Location"] == campaign.get_absolute_url()  # a second one is not offered


def test_a_step_is_confirmed_then_posted(client, world, secretary, private_media):
    campaign = make_campaign(bloc_year=world["year_a"])
    client.force_login(secretary)
    confirm = client.get(reverse("scoring:campaign_step_confirm", args=[campaign.pk, "launch"]))
    assert "Xác nhận: Phát động phong trào" in text(confirm)
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    response = client.post(reverse("scoring:campaign_step", args=[campaign.pk, "launch"]), follow=True)
    assert "Đã thực hiện: Phát động phong trào." in text(response)
    campaign.refresh_from_db()
    assert campaign.status == "launched"
    again = client.post(reverse("scoring:campaign_step", args=[campaign.pk, "launch"]), follow=True)
    assert "không thay đổi gì" in text(again)
    assert client.get(reverse("scoring:campaign_step_confirm", args=[campaign.pk, "jump"])).status_code == 404


def test_registration_and_covenant_through_the_pages(client, world, secretary, focal_person, private_media):
    from scoring import services

    campaign = services.campaign_advance(
        actor=None, campaign=make_campaign(bloc_year=world["year_a"]), verb="launch"
    )
    client.force_login(focal_person)
    page = text(client.get(reverse("scoring:covenant", args=[campaign.pk])))
    assert f"Đăng ký của {world['a_units'][0].name}" in page
    client.post(reverse("scoring:registration_save", args=[campaign.pk]), {"targets": ""})
    assert not Registration.objects.exists()
    client.post(
        reverse("scoring:registration_save", args=[campaign.pk]), {"targets": "Phát triển 200 hội viên"}
    )
    assert Registration.objects.get().targets == "Phát triển 200 hội viên"

    client.force_login(secretary)
    response = client.post(
        reverse("scoring:covenant_sign", args=[campaign.pk]),
        {"signed_on": "2023-03-20", "place": "Hội trường", "signatories": "A"},
        follow=True,
    )
    assert "Còn đơn vị chưa đăng ký thi đua" in text(response)
    campaign.refresh_from_db()
    assert not campaign.covenant_signed


def test_criteria_are_edited_through_the_pages(client, world, secretary, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], specs=[])
    client.force_login(secretary)
    client.post(
        reverse("scoring:criteria_group_create", args=[campaign.pk]),
        {"code": "I", "title": "Chuyên môn", "kind": "score", "cap": ""},
    )
    group = CriteriaGroup.objects.get()
    bad = client.post(
        reverse("scoring:criterion_create", args=[campaign.pk]),
        {"group": group.pk, "code": "1.1", "title": "Chỉ tiêu", "max_score": "1.000,5"},
    )
    assert bad.status_code == 400
    assert "dùng một dấu phẩy cho phần thập phân" in text(bad)
    client.post(
        reverse("scoring:criterion_create", args=[campaign.pk]),
        {"group": group.pk, "code": "1.1", "title": "Chỉ tiêu", "max_score": "12,5"},
    )
    assert Criterion.objects.get().max_score == D("12.5")
    page = text(client.get(reverse("scoring:criteria", args=[campaign.pk])))
    assert "12,5" in page


def test_the_focal_person_fills_and_submits_through_the_page(client, scoring_campaign, sheets, unit3_focal):
    sheet = sheets[2]
    codes = criteria_by_code(scoring_campaign)
    client.force_login(unit3_focal)
    page = client.get(sheet.get_absolute_url())
    assert "Lưu bản nháp" in text(page)
    data = {
        "version": 0,
        f"s{codes['1.1'].pk}": "9,75",
        f"s{codes['1.2'].pk}": "5",
        f"v{codes['4.1'].pk}": "no",
    }
    bad = client.post(reverse("scoring:sheet_save", args=[sheet.pk]), {**data, f"s{codes['1.2'].pk}": "năm"})
    assert bad.status_code == 400
    assert "“năm” không phải là điểm số." in text(bad)
    assert not ScoreLine.objects.filter(sheet=sheet).exists()

    over = client.post(reverse("scoring:sheet_save", args=[sheet.pk]), {**data, f"s{codes['1.2'].pk}": "6"})
    assert over.status_code == 400
    assert "điểm phải từ 0 đến 5 (đã nhập 6)" in text(over)
    assert not ScoreLine.objects.filter(sheet=sheet).exists()

    client.post(reverse("scoring:sheet_save", args=[sheet.pk]), data)
    assert ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"]).self_score == D("9.75")
    stale = client.post(reverse("scoring:sheet_save", args=[sheet.pk]), data)
    assert stale.status_code == 409 and "tải lại trang" in text(stale)

    client.post(reverse("scoring:sheet_submit", args=[sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED


def test_the_reviewer_must_give_a_reason_on_the_page(client, scoring_campaign, sheets, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    criterion = criteria_by_code(scoring_campaign)["1.1"]
    version = ScoreLine.objects.get(sheet=sheet, criterion=criterion).version
    client.force_login(secretary)
    review_url = reverse("scoring:line_review", args=[sheet.pk, criterion.pk])
    prefix = f"r{criterion.pk}"
    response = client.post(review_url, {f"{prefix}-score": "8", f"{prefix}-version": version})
    assert response.status_code == 400
    assert "điểm thẩm định khác điểm tự chấm, phải ghi lý do" in text(response)
    assert ScoreLine.objects.get(sheet=sheet, criterion=criterion).reviewed_score is None
    client.post(
        review_url,
        {f"{prefix}-score": "8", f"{prefix}-reason": "Thiếu minh chứng", f"{prefix}-version": version},
    )
    assert ScoreLine.objects.get(sheet=sheet, criterion=criterion).reviewed_score == D("8")

    client.post(reverse("scoring:sheet_return", args=[sheet.pk]), {"comment": ""})
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    client.post(reverse("scoring:sheet_finalize", args=[sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.REVIEWED
    page = text(client.get(sheet.get_absolute_url()))
    assert "Thiếu minh chứng" in page and "Lịch sử" in page


def test_evidence_upload_checks_the_content(client, scoring_campaign, sheets, unit3_focal):
    sheet = sheets[2]
    criterion = criteria_by_code(scoring_campaign)["1.1"]
    client.force_login(unit3_focal)
    add = reverse("scoring:evidence_add", args=[sheet.pk])
    response = client.post(
        add, {"criterion": criterion.pk, "file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")}, follow=True
    )
    assert "Chỉ nhận tệp PDF" in text(response)
    assert not Evidence.objects.exists()
    client.post(add, {"criterion": criterion.pk, "file": SimpleUploadedFile("Biên bản họp.pdf", PDF)})
    evidence = Evidence.objects.get()
    assert evidence.name == "Biên bản họp.pdf"
    assert evidence.file.name.endswith(".pdf") and "Biên" not in evidence.file.name
    client.post(reverse("scoring:evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.exists()


def test_the_dashboard_shows_each_campaign_and_what_is_late(client, scoring_campaign, focal_person):
    # The fixture's dates are in 2023: the scoring deadline and the conference have passed, still scoring.
    client.force_login(focal_person)
    page = text(client.get(reverse("blocs:dashboard")))
    assert f'href="{scoring_campaign.get_absolute_url()}">Đang chấm điểm</a>' in page
    assert "2 việc quá hạn" in page


def test_the_bloc_page_offers_to_open_a_campaign_to_the_head_only(client, world, secretary, focal_person):
    url = reverse("blocs:bloc_detail", args=[world["bloc_a"].pk])
    create = reverse("scoring:campaign_create", args=[world["bloc_a"].pk, 2023])
    client.force_login(secretary)
    assert create in text(client.get(url))
    client.force_login(focal_person)
    page = text(client.get(url))
    assert create not in page and "Chưa mở" in page
