"""Each role's first screen, the city overview, histories, search and reminders."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from blocs.models import Notification
from scoring import conference, services
from scoring.models import Campaign
from scoring.reminders import send_due_reminders
from tests.factories import (
    fill_sheet,
    finalize_all,
    make_bloc,
    make_bloc_year,
    make_campaign,
    make_conference,
    make_unit,
    make_user,
    voted_campaign,
)


def text(response):
    return response.content.decode()


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def more_blocs(world, count, private_media):
    """Other blocs of the city, each with a campaign in scoring and one submitted sheet."""
    for _ in range(count):
        units = [make_unit(province=world["province"]) for _ in range(5)]
        bloc = make_bloc(province=world["province"], units=units)
        bloc_year = make_bloc_year(bloc=bloc, year=2023, units=units, head=units[0], deputy=units[1])
        campaign = make_campaign(bloc_year=bloc_year, status="scoring")
        fill_sheet(campaign.sheets.first(), {"1.1": 9, "1.2": 5})


@pytest.fixture
def unit3_focal(world):
    return make_user(role="focal", unit=world["a_units"][2], username="unit3_focal", email="u3@example.vn")


def test_the_focal_person_sees_the_sheet_to_fill(client, scoring_campaign, sheets, unit3_focal):
    client.force_login(unit3_focal)
    page = text(client.get(reverse("blocs:dashboard")))
    assert "Tự chấm và gửi phiếu chấm điểm năm 2023" in page
    assert "còn 3 tiêu chí chưa chấm" in page  # 1.1, 1.2 and the knock-out 4.1
    assert sheets[2].get_absolute_url() in page


def test_the_secretary_sees_what_blocks_the_next_step(client, scoring_campaign, sheets, secretary):
    fill_sheet(sheets[3], {"1.1": 10, "1.2": 5})
    client.force_login(secretary)
    page = text(client.get(reverse("blocs:dashboard")))
    assert "Chuyển sang hội nghị tổng kết (2023)" in page
    assert "Còn 5/5 phiếu chấm chưa được thẩm định (chốt)." in page
    assert "Thẩm định 1 phiếu chấm điểm đã gửi" in page


def test_the_reviewer_sees_the_queue_and_the_admin_the_counts(
    client, world, private_media, secretary, deputy_secretary, reviewer, administrator
):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    for n in campaign.nominations.all():
        from scoring import nominations

        nominations.nomination_save_summary(
            actor=secretary, nomination=n, summary="Thành tích", expected_version=0
        )
    services.campaign_advance(actor=secretary, campaign=campaign, verb="submit")
    client.force_login(reviewer)
    page = text(client.get(reverse("blocs:dashboard")))
    assert "Thẩm định 3 hồ sơ đề nghị khen thưởng" in page
    assert reverse("scoring:overview") in page
    client.force_login(administrator)
    page = text(client.get(reverse("blocs:dashboard")))
    assert "lần nhập đơn vị chờ xác nhận" in page and reverse("admin:index") in page


@pytest.mark.parametrize("who", ["secretary", "unit3_focal", "reviewer", "administrator"])
def test_dashboards_keep_their_query_count_as_blocs_grow(
    client, world, scoring_campaign, sheets, request, who, private_media
):
    client.force_login(request.getfixturevalue(who))
    small = queries(client, reverse("blocs:dashboard"))
    more_blocs(world, 4, private_media)
    assert queries(client, reverse("blocs:dashboard")) == small


def test_the_overview_lists_every_bloc_and_exports(
    client, world, private_media, secretary, deputy_secretary, reviewer
):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    Campaign.objects.filter(pk=campaign.pk).update(dossier_deadline=datetime.date(2024, 1, 15))
    client.force_login(reviewer)
    page = text(client.get(reverse("scoring:overview"), {"year": 2023}))
    assert "Khối A" in page and "Khối B" in page
    assert "1/1" in page and "2/2" in page  # flag and Bằng khen nominations against their quotas
    assert "Quá hạn 15/01/2024" in page
    late_only = text(client.get(reverse("scoring:overview"), {"year": 2023, "late": "1"}))
    assert "Khối A" in late_only and "Khối B" not in late_only
    response = client.get(reverse("scoring:overview_export"), {"year": 2023})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Khối A"][5:9] == (1, 1, 2, 2) and rows["Khối A"][10] == "Có"
    assert rows["Khối B"][4] == "Chưa mở phong trào"


def test_the_overview_keeps_its_query_count(client, world, scoring_campaign, reviewer, private_media):
    client.force_login(reviewer)
    small = queries(client, reverse("scoring:overview"), year=2023)
    more_blocs(world, 5, private_media)
    assert queries(client, reverse("scoring:overview"), year=2023) == small


def test_only_the_reward_board_sees_the_overview(client, world, secretary):
    client.force_login(secretary)
    assert client.get(reverse("scoring:overview")).status_code == 403
    assert client.get(reverse("scoring:overview_export")).status_code == 403


def test_histories_show_scores_ranks_votes_and_awards(
    client, world, private_media, secretary, deputy_secretary
):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    client.force_login(secretary)
    unit_page = text(client.get(reverse("blocs:unit_detail", args=[world["a_units"][0].pk])))
    assert "Cờ thi đua UBND: 5/5 phiếu, trúng" in unit_page
    assert "1/5" in unit_page and "<svg" in unit_page
    bloc_page = text(client.get(reverse("blocs:bloc_detail", args=[world["bloc_a"].pk])))
    assert f"{world['a_units'][0].name} (15 điểm)" in bloc_page
    assert "Bằng khen UBND: " in bloc_page and "<svg" in bloc_page
    assert campaign.nominations.count() == 3


def _unvarying(page: str) -> str:
    """A page without what changes at every request (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]{20,}"', "", page)


def test_histories_read_the_standings_stored_when_the_conference_opened_as_if_computed(
    client, world, private_media, secretary, deputy_secretary
):
    from scoring.history import bloc_history, unit_history

    campaign = voted_campaign(
        world["year_a"], [secretary, deputy_secretary], [{"1.1": 8 + i % 3, "1.2": 5} for i in range(5)]
    )
    campaign.refresh_from_db()
    stored = campaign.standings
    assert stored["ranked"] == 5 and len(stored["rows"]) == 5
    assert [rank for _, _, rank in stored["rows"]] == [1, 2, 2, 4, 4]  # ties share a rank
    client.force_login(secretary)
    unit_url = reverse("blocs:unit_detail", args=[world["a_units"][2].pk])
    bloc_url = reverse("blocs:bloc_detail", args=[world["bloc_a"].pk])
    pages = [_unvarying(text(client.get(url))) for url in (unit_url, bloc_url)]
    years = list(world["bloc_a"].years.select_related("campaign").prefetch_related("memberships__unit"))
    memberships = list(
        world["a_units"][2].memberships.select_related("bloc_year__bloc", "bloc_year__campaign")
    )
    records = bloc_history(years), unit_history(world["a_units"][2], memberships)

    # Without the stored standings the same records come from every sheet, and the pages read the same.
    Campaign.objects.filter(pk=campaign.pk).update(standings=None)
    years = list(world["bloc_a"].years.select_related("campaign").prefetch_related("memberships__unit"))
    memberships = list(
        world["a_units"][2].memberships.select_related("bloc_year__bloc", "bloc_year__campaign")
    )
    assert (bloc_history(years), unit_history(world["a_units"][2], memberships)) == records
    assert [_unvarying(text(client.get(url))) for url in (unit_url, bloc_url)] == pages

    # Stored again by the command for the years before standings were kept; a second run has nothing to do.
    out = io.StringIO()
    call_command("freeze_standings", stdout=out)
    assert "1 phong trào" in out.getvalue()
    campaign.refresh_from_db()
    assert campaign.standings == stored
    call_command("freeze_standings", stdout=out)
    assert "0 phong trào" in out.getvalue()


def test_a_campaign_before_its_conference_has_no_stored_standings(scoring_campaign, sheets):
    from scoring.selectors import freeze_standings

    assert freeze_standings(Campaign.objects.all()) == 0
    scoring_campaign.refresh_from_db()
    assert scoring_campaign.standings is None


def test_search_finds_units_blocs_and_nominations_without_diacritics(
    client, world, private_media, secretary, deputy_secretary, outsider
):
    world["a_units"][0].name = "Hội Chữ thập đỏ thành phố"
    world["a_units"][0].save()
    voted_campaign(world["year_a"], [secretary, deputy_secretary])
    client.force_login(secretary)
    page = text(client.get(reverse("blocs:search"), {"q": "chu thap do"}))
    assert "Hội Chữ thập đỏ thành phố" in page
    assert "2023: Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố – Hội Chữ thập đỏ thành phố" in page
    assert "Khối A" in text(client.get(reverse("blocs:search"), {"q": "KHOI A"}))
    # Another bloc's user finds nothing of bloc A.
    client.force_login(outsider)
    page = text(client.get(reverse("blocs:search"), {"q": "chu thap do"}))
    assert "Hội Chữ thập đỏ" not in page and "Không tìm thấy kết quả nào" in page


def test_events_are_mailed_once(
    world,
    scoring_campaign,
    sheets,
    secretary,
    deputy_secretary,
    unit3_focal,
    django_capture_on_commit_callbacks,
):
    secretary.email, deputy_secretary.email = "tk@example.vn", "kp@example.vn"
    secretary.save()
    deputy_secretary.save()
    mail.outbox.clear()
    from scoring.errors import ScoringError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ScoringError):
        services.score_sheet_submit(actor=unit3_focal, sheet=sheets[2])  # nothing scored yet: refused
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    assert sorted(m.to[0] for m in mail.outbox) == ["kp@example.vn", "tk@example.vn"]
    with django_capture_on_commit_callbacks(execute=True):
        services.score_sheet_return(actor=secretary, sheet=sheets[2], comment="Bổ sung minh chứng")
    assert mail.outbox[-1].to == ["u3@example.vn"] and "Bổ sung minh chứng" in mail.outbox[-1].body
    assert Notification.objects.filter(key__startswith="sheet-submitted").count() == 2


def test_reminders_go_once_before_each_deadline(world, scoring_campaign, sheets, unit3_focal, secretary):
    secretary.email = "tk@example.vn"
    secretary.save()
    Campaign.objects.filter(pk=scoring_campaign.pk).update(
        scoring_deadline=datetime.date(2023, 12, 10), conference_date=datetime.date(2023, 12, 28)
    )
    mail.outbox.clear()
    assert send_due_reminders(datetime.date(2023, 12, 1)) == 0  # more than 3 days ahead
    # The units whose sheet is not in: unit 3's focal person, and the head's secretary as staff of unit 1.
    assert send_due_reminders(datetime.date(2023, 12, 8)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["tk@example.vn", "u3@example.vn"]
    assert "Hạn gửi phiếu tự chấm ngày 10/12/2023" in mail.outbox[0].subject
    assert send_due_reminders(datetime.date(2023, 12, 9)) == 0  # never the same reminder twice
    assert send_due_reminders(datetime.date(2023, 12, 26)) == 1  # the conference, to the head's secretary
    assert mail.outbox[-1].to == ["tk@example.vn"]
    out = io.StringIO()
    call_command("send_reminders", "--today", "2023-12-26", stdout=out)
    assert "Đã tạo 0 thư nhắc việc mới." in out.getvalue()
    assert (
        Notification.objects.count() == 3 and not Notification.objects.filter(sent_at__isnull=True).exists()
    )


def test_a_mail_server_down_does_not_lose_the_reminder(
    world, scoring_campaign, sheets, unit3_focal, settings
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    Campaign.objects.filter(pk=scoring_campaign.pk).update(scoring_deadline=datetime.date(2023, 12, 10))
    send_due_reminders(datetime.date(2023, 12, 8))
    notification = Notification.objects.get()
    assert notification.sent_at is None
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox.clear()
    send_due_reminders(datetime.date(2023, 12, 9))
    notification.refresh_from_db()
    assert notification.sent_at is not None and len(mail.outbox) == 1


def test_the_dashboard_shows_each_blocs_two_latest_years_and_links_to_the_rest(client, world, reviewer):
    units, bloc_a = world["a_units"], world["bloc_a"]
    for year in (2021, 2022):
        make_bloc_year(
            bloc=bloc_a, year=year, units=units, head=units[year % 5], deputy=units[(year + 1) % 5]
        )
    client.force_login(reviewer)
    page = text(client.get(reverse("blocs:dashboard")))
    card_a = page[page.index(f'id="bloc-{bloc_a.pk}"') : page.index(f'id="bloc-{world["bloc_b"].pk}"')]
    assert "<td>2023</td>" in card_a and "<td>2022</td>" in card_a
    assert "<td>2021</td>" not in card_a
    assert "Các năm trước: xem ở trang của khối" in card_a and bloc_a.get_absolute_url() in card_a
    # Bloc B has one year: nothing older to point at.
    card_b = page[page.index(f'id="bloc-{world["bloc_b"].pk}"') :]
    assert "<td>2023</td>" in card_b and "Các năm trước" not in card_b
    # The bloc page still has every year.
    bloc_page = text(client.get(bloc_a.get_absolute_url()))
    assert all(f'id="nam-{year}"' in bloc_page for year in (2021, 2022, 2023))


def test_the_overview_filters_on_the_campaign_and_reads_a_quota_given_as_a_share(client, world, reviewer):
    from scoring.models import AwardType, VoteRule

    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    merit = AwardType.objects.get(code="bang-khen-chu-tich-ubnd")
    VoteRule.objects.filter(campaign=campaign, award_type=merit).delete()
    VoteRule.objects.create(
        campaign=campaign,
        award_type=merit,
        position=2,
        quota_kind="share",
        quota_number=None,
        quota_numerator=1,
        quota_denominator=2,
        quota_rounding="up",
    )
    client.force_login(reviewer)
    scoring = text(client.get(reverse("scoring:overview"), {"year": 2023, "status": "scoring"}))
    assert "Khối A" in scoring and "Khối B" not in scoring
    assert "0/3" in scoring  # half of five members, rounded up
    not_opened = text(client.get(reverse("scoring:overview"), {"year": 2023, "status": "none"}))
    assert "Khối B" in not_opened and "Khối A" not in not_opened
    assert "Khối A" not in text(client.get(reverse("scoring:overview"), {"year": 2023, "status": "closed"}))


def test_a_units_dashboard_lists_its_nominations_newest_year_first(
    client, world, year_a_2024, private_media, secretary, deputy_secretary, focal_person
):
    """The focal person's unit (A1) won the flag in 2023 and again in 2024: both years, the newest first."""
    voted_campaign(world["year_a"], [secretary, deputy_secretary])
    voted_campaign(year_a_2024, [secretary, deputy_secretary])
    client.force_login(focal_person)
    page = text(client.get(reverse("blocs:dashboard")))
    flag = "Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố"
    assert page.index(f"2024: {flag}</a> – Đang hoàn thiện hồ sơ") < page.index(f"2023: {flag}</a>")
    assert "Bằng khen" not in page.split("Kết quả của đơn vị")[1].split("</ul>")[0]


def test_a_blocs_history_lists_a_years_awards_in_their_order(
    world, private_media, secretary, deputy_secretary
):
    """Each year: the flag before Bằng khen, the units of one award by name."""
    from scoring.history import bloc_history

    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    years = list(world["bloc_a"].years.select_related("campaign").prefetch_related("memberships__unit"))
    records, _chart = bloc_history(years)
    awards = [(n.award_type.code, n.unit.name) for n in records[world["year_a"].pk].awards]
    assert awards == [
        ("co-thi-dua-ubnd", "Hội thành viên A1"),
        ("bang-khen-chu-tich-ubnd", "Hội thành viên A2"),
        ("bang-khen-chu-tich-ubnd", "Hội thành viên A3"),
    ]
    assert len(awards) == campaign.nominations.count()


def test_a_unit_sees_its_open_ballot_until_it_has_voted(client, world, private_media, unit3_focal):
    """The ballot task is read only for campaigns at their conference: one query then, none the rest of the
    year."""
    client.force_login(unit3_focal)
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(5)])
    record = make_conference(campaign)
    before_round = queries(client, reverse("blocs:dashboard"))
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )
    url = reverse("blocs:dashboard")
    assert queries(client, url) == before_round  # the same query, now with a row
    page = text(client.get(url))
    assert "Bỏ phiếu vòng 1" in page
    assert reverse("scoring:ballot_form", args=[vote_round.pk]) in page
    assert re.search(r"Bỏ phiếu vòng 1.*?Khối A", page, re.S)

    conference.ballot_cast(actor=unit3_focal, vote_round=vote_round, choices={})
    assert "Bỏ phiếu vòng 1" not in text(client.get(url))


def test_no_ballot_is_looked_for_outside_the_conference(client, world, private_media, unit3_focal):
    client.force_login(unit3_focal)
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(5)])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("blocs:dashboard"))
    assert not any('"scoring_voter"' in q["sql"] for q in ctx.captured_queries)
    make_conference(campaign)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("blocs:dashboard"))
    assert sum('"scoring_voter"' in q["sql"] for q in ctx.captured_queries) == 1


@pytest.mark.parametrize("asked", [None, "", "abc", "1999", "2101"])
def test_the_overview_shows_the_latest_year_unless_a_year_is_asked(
    client, world, year_a_2024, reviewer, asked
):
    """No year, or none that can be: the latest year of any bloc, read with one query more than a year asked."""
    client.force_login(reviewer)
    url = reverse("scoring:overview")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {} if asked is None else {"year": asked})
    assert response.status_code == 200
    assert response.context["filters"]["year"] == 2024
    assert "Tổng quan các khối, cụm thi đua năm 2024" in text(response)
    with CaptureQueriesContext(connection) as asked_ctx:
        response = client.get(url, {"year": 2023})
    assert response.context["filters"]["year"] == 2023
    assert len(ctx.captured_queries) == len(asked_ctx.captured_queries) + 1
