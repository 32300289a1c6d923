"""The dossier, the reward board's review, versions and decisions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring import nominations, services
from scoring.errors import ConflictError, ScoringError
from scoring.models import Nomination
from tests.factories import make_bloc, make_province, make_unit, voted_campaign

SCORES = [{"1.1": 10 - i, "1.2": 5} for i in range(5)]


def vote(bloc_year, tellers):
    return voted_campaign(bloc_year, tellers)


@pytest.fixture
def voted(world, private_media, secretary, deputy_secretary):
    return vote(world["year_a"], [secretary, deputy_secretary])


def write_summaries(campaign, actor):
    for nomination in campaign.nominations.all():
        nominations.nomination_save_summary(
            actor=actor,
            nomination=nomination,
            summary=f"Thành tích của {nomination.unit.name}",
            expected_version=0,
        )


def test_the_dossier_goes_as_one_with_the_campaign_step(voted, secretary):
    with pytest.raises(ScoringError, match="3 hồ sơ đề nghị chưa có tóm tắt"):
        services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    write_summaries(voted, secretary)
    services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    assert set(voted.nominations.values_list("status", flat=True)) == {"submitted"}
    assert all(n.versions.get().changes == "Lần gửi đầu tiên." for n in voted.nominations.all())


def test_return_resubmit_accept_and_decide(voted, secretary, reviewer, focal_person):
    write_summaries(voted, secretary)
    services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    nomination = voted.nominations.get(award_type__code="co-thi-dua-ubnd")

    with pytest.raises(PermissionDenied):
        nominations.nomination_accept(actor=secretary, nomination=nomination)
    with pytest.raises(ScoringError, match="Ghi lý do trả lại"):
        nominations.nomination_return(actor=reviewer, nomination=nomination, reason=" ")
    nominations.nomination_return(
        actor=reviewer, nomination=nomination, reason="Bổ sung số liệu hội viên năm 2023"
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.return_reason) == ("returned", "Bổ sung số liệu hội viên năm 2023")

    with pytest.raises(PermissionDenied):
        nominations.nomination_save_summary(
            actor=focal_person, nomination=nomination, summary="x", expected_version=1
        )
    with pytest.raises(ConflictError):
        nominations.nomination_save_summary(
            actor=secretary, nomination=nomination, summary="x", expected_version=0
        )
    nominations.nomination_save_summary(
        actor=secretary,
        nomination=nomination,
        summary=f"Thành tích của {nomination.unit.name}\nPhát triển 1.250 hội viên mới.",
        expected_version=1,
    )
    nominations.nomination_resubmit(actor=secretary, nomination=nomination)
    with pytest.raises(ScoringError, match="đã được gửi"):
        nominations.nomination_resubmit(actor=secretary, nomination=nomination)
    versions = list(nomination.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].changes == "+Phát triển 1.250 hội viên mới."

    with pytest.raises(ScoringError, match="không thể ghi quyết định"):
        nominations.nomination_decide(
            actor=reviewer,
            nomination=nomination,
            decision_number="1",
            decision_date=datetime.date(2024, 2, 1),
            awarded=True,
        )
    nominations.nomination_accept(actor=reviewer, nomination=nomination)
    nominations.nomination_decide(
        actor=reviewer,
        nomination=nomination,
        decision_number="245/QĐ-UBND",
        decision_date=datetime.date(2024, 2, 20),
        awarded=True,
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decision_number) == ("awarded", "245/QĐ-UBND")


def test_the_review_pages(client, voted, secretary, reviewer):
    write_summaries(voted, secretary)
    services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    nomination = voted.nominations.get(award_type__code="co-thi-dua-ubnd")
    client.force_login(reviewer)
    queue = client.get(reverse("scoring:review_queue")).content.decode()
    assert nomination.unit.name in queue
    detail = client.get(nomination.get_absolute_url()).content.decode()
    assert "phiếu chấm điểm" in detail and "5/5 phiếu đồng ý" in detail

    client.post(reverse("scoring:nomination_return", args=[nomination.pk]), {"comment": ""})
    nomination.refresh_from_db()
    assert nomination.status == "submitted"
    # A NUL character, which PostgreSQL cannot store: refused with a message, nothing changed.
    refused = client.post(
        reverse("scoring:nomination_return", args=[nomination.pk]), {"comment": "Thiếu\x00"}, follow=True
    )
    assert "Không được chứa ký tự null." in refused.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == "submitted"
    client.post(reverse("scoring:nomination_return", args=[nomination.pk]), {"comment": "Thiếu xác nhận"})
    nomination.refresh_from_db()
    assert nomination.status == "returned"
    filtered = client.get(
        reverse("scoring:review_queue"), {"status": "returned", "year": 2023}
    ).content.decode()
    assert nomination.unit.name in filtered
    empty = client.get(reverse("scoring:review_queue"), {"status": "awarded"}).content.decode()
    assert "Không có hồ sơ nào khớp bộ lọc." in empty


def test_the_review_queue_keeps_its_query_count(
    client, voted, secretary, reviewer, world, outsider, administrator
):
    write_summaries(voted, secretary)
    services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    client.force_login(reviewer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("scoring:review_queue"), {"status": "all"}).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    # Another bloc's nominations, submitted too.
    other = vote(world["year_b"], [outsider, administrator])
    write_summaries(other, outsider)
    services.campaign_advance(actor=outsider, campaign=other, verb="submit")
    assert Nomination.objects.count() == 6
    assert count() == small
    # session, user, count, page of nominations with units, awards and blocs, award filter list, province
    # filter list, years list
    assert small == 7


def test_the_queue_lists_the_blocs_of_one_province_to_filter_on(client, voted, secretary, reviewer, world):
    """The bloc filter offers the blocs of the chosen province (or of the chosen bloc's), not every bloc of the
    country; a province alone filters the nominations of its blocs."""
    write_summaries(voted, secretary)
    services.campaign_advance(actor=secretary, campaign=voted, verb="submit")
    elsewhere = make_province(name="Hà Nội", code="HN", kind="thanh_pho")
    bloc_h = make_bloc(province=elsewhere, units=[make_unit(province=elsewhere)], name="Khối H")
    client.force_login(reviewer)
    queue = reverse("scoring:review_queue")
    units = [n.unit.name for n in voted.nominations.all()]

    def shown(**params):
        response = client.get(queue, params)
        assert response.status_code == 200
        page = response.content.decode()
        listed = [name for name in units if name in page]
        return response.context["filters"], str(response.context["bloc_options"]), listed, page

    filters, options, listed, page = shown()
    assert (filters["province"], filters["bloc"], options, listed) == ("", "", "", units)
    assert "Chọn tỉnh, thành phố rồi bấm Lọc để chọn khối." in page

    province_a = str(world["province"].pk)
    filters, options, listed, page = shown(province=province_a)
    assert "Khối A" in options and "Khối B" in options and "Khối H" not in options
    assert listed == units and "Chọn tỉnh, thành phố rồi bấm Lọc" not in page

    filters, options, listed, _page = shown(province=elsewhere.pk)
    assert options == f'<option value="{bloc_h.pk}">Khối H</option>' and listed == []

    # a bloc alone brings its province; a bloc outside the chosen province is dropped
    filters, options, listed, page = shown(bloc=world["bloc_a"].pk)
    assert (filters["province"], filters["bloc"], listed) == (province_a, str(world["bloc_a"].pk), units)
    assert f'<option value="{world["bloc_a"].pk}" selected>Khối A</option>' in options
    assert f'<option value="{province_a}" selected>' in page
    filters, options, listed, _page = shown(province=elsewhere.pk, bloc=world["bloc_a"].pk)
    assert (filters["province"], filters["bloc"], listed) == (str(elsewhere.pk), "", [])
    # a bloc that does not exist: no options, no filter
    filters, options, listed, _page = shown(bloc=999999)
    assert (filters["province"], filters["bloc"], options, listed) == ("", "", "", units)


def test_only_the_reward_board_sees_the_queue(client, voted, secretary):
    client.force_login(secretary)
    assert client.get(reverse("scoring:review_queue")).status_code == 403


def test_award_money_is_shown_the_vietnamese_way(client, voted, secretary):
    from scoring.templatetags.scoring_tags import money

    assert money(2340000) == "2.340.000 đ"
    assert money(None) == "—"
    nomination = voted.nominations.get(award_type__code="co-thi-dua-ubnd")
    client.force_login(secretary)
    page = client.get(nomination.get_absolute_url()).content.decode()
    # The conference of 28/12/2023 falls under the base salary then in force: 1.800.000 đ since 1/7/2023.
    assert "Tiền thưởng: 8 × lương cơ sở 1.800.000 đ = <strong>14.400.000 đ</strong>" in page
