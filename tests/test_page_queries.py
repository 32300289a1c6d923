"""Every page the benchmark measures, with its number of queries: the same on a small and on a grown dataset.

BENCHMARKED_PAGES is the one list of those pages, for the benchmark (bench/) to import. Each page names its URL,
the role that opens it, the objects its URL takes (keys of ``objects()`` below), its query string and the exact
number of queries, with a comment saying what each query is. "session, user" are Django's two reads of every
logged-in request; the user comes with their unit, which the navbar shows (blocs/backends.py).

The grown dataset adds blocs with two years of campaigns each (sheets, conferences, rounds, nominations), two
older closed years and a newer year in scoring to the measured bloc, and more units; page sizes are cut to two
so that every list has more rows than one page. A history page reads more while one of its years is still being
scored (``Page.scoring``): three queries for all such years together, none once every year is stored.
"""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import views as bloc_views
from scoring import nomination_views, nominations, overview_views, services
from scoring.models import AwardType, Campaign, Nomination, VoteRound
from tests.factories import (
    fill_sheet,
    make_bloc,
    make_bloc_year,
    make_campaign,
    make_unit,
    make_user,
    voted_campaign,
)


@dataclasses.dataclass(frozen=True)
class Page:
    url_name: str
    user: str  # "focal", "secretary" (of the bloc's head unit), "reviewer" or "admin"
    args: tuple[str, ...]  # "bloc", "unit", "campaign", "round": the measured bloc's objects
    params: dict
    queries: int  # with every year's standings stored (each year's conference opened)
    scoring: int = 0  # added while some of its years are still being scored, however many


BENCHMARKED_PAGES = {
    # session, user, the user's blocs+provinces (all of them, no count: a unit has one or two), their
    # years+handovers+campaigns, memberships+units; to-do: the unit's open campaigns with counts, its last
    # nominations. While some of them are being scored: its sheets in those; at their conference: its open
    # ballots there (tests/scoring/test_dashboards.py).
    "dashboard_focal": Page("blocs:dashboard", "focal", (), {}, 7, scoring=1),
    # the focal person's seven (eight while scoring), where the unit's open campaigns also tell which the unit
    # runs, with their counts; the documents issued (from the conference on); for the campaign waiting for
    # the decision, its undecided nominations and the checks of the documents to issue (minutes: a
    # conference; request: a conference, nominations). Each open campaign the unit manages adds the checks of
    # its step (at most six are shown; the step out of scoring also reads the members, once for all such
    # campaigns): see the tests below.
    "dashboard_secretary": Page("blocs:dashboard", "secretary", (), {}, 12, scoring=1),
    # session, user, count of blocs, page of blocs+provinces, years+handovers+campaigns, memberships+units;
    # the nominations waiting (one aggregate); the provinces of the filter
    "dashboard_reviewer": Page("blocs:dashboard", "reviewer", (), {}, 8),
    # the reviewer's eight; then pending unit imports, active blockers, users without email
    "dashboard_admin": Page("blocs:dashboard", "admin", (), {}, 11),
    # session, user, bloc+province, years+handovers+campaigns, memberships+units; the nominations+awards+
    # units; rotation+units. The years still being scored: their summaries (groups, sheets+units,
    # one aggregate of the lines); the others' standings are stored on their campaigns.
    "bloc": Page("blocs:bloc_detail", "secretary", ("bloc",), {}, 7, scoring=3),
    # the same for the years from 2023 back (closed: no summaries), and the years after them (2024 when grown)
    "bloc_older": Page("blocs:bloc_detail", "secretary", ("bloc",), {"until": 2023}, 8),
    # session, user, unit+province+successor, the memberships of the page's years+bloc-years+blocs+campaigns,
    # each year's head and deputy+units; the unit's candidacies in closed rounds, its nominations+awards;
    # predecessors; blockers; handovers. The years still being scored: their summaries, as on the bloc page.
    "unit": Page("blocs:unit_detail", "secretary", ("unit",), {}, 10, scoring=3),
    # the same for the years from 2023 back, and the years after them
    "unit_older": Page("blocs:unit_detail", "secretary", ("unit",), {"until": 2023}, 11),
    # session, user; the ids of the units the user reads; units, blocs and nominations matching every word (20
    # of each at most)
    "search_hoi": Page("blocs:search", "secretary", (), {"q": "hội"}, 6),
    # the same for the reward board, which reads every unit (no ids to read first)
    "search_chu_thap_do": Page("blocs:search", "reviewer", (), {"q": "chu thap do"}, 5),
    # session, user, campaign+bloc-year+bloc+province, memberships+units; groups with maxima, sheets+units,
    # one aggregate of the lines
    "summary": Page("scoring:summary", "secretary", ("campaign",), {}, 7),
    # session, user, round+conference+campaign+bloc, memberships+units; awards+rules+award types, candidates+
    # units; run-off rounds
    "round_results": Page("scoring:round_results", "secretary", ("round",), {}, 7),
    # session, user, campaign+bloc, memberships+units; the summary (groups, sheets, aggregate); the next
    # step's check (for "decide": the undecided nominations)
    "campaign": Page("scoring:campaign_detail", "secretary", ("campaign",), {}, 8),
    # session, user, campaign+bloc, memberships+units; nominations+units+awards
    "nomination_list": Page("scoring:nomination_list", "secretary", ("campaign",), {}, 5),
    # session, user, count, years with nominations, provinces (filter), award types (filter and rows), the
    # page of nominations (named from their own copies of year, bloc and unit)
    "review_queue": Page("scoring:review_queue", "reviewer", (), {}, 7),
    # the same, and the blocs of the chosen bloc's province (filter)
    "review_queue_filtered": Page(
        "scoring:review_queue",
        "reviewer",
        (),
        {"year": 2023, "bloc": "bloc", "award": "co-thi-dua-ubnd", "status": "submitted"},
        8,
    ),
    "review_queue_page_2": Page("scoring:review_queue", "reviewer", (), {"status": "all", "page": 2}, 7),
    # the first, and the blocs of the chosen province (filter)
    "review_queue_province": Page("scoring:review_queue", "reviewer", (), {"province": "province"}, 8),
    # session, user, count, page of blocs+provinces; their bloc-years+campaigns, memberships+units, vote
    # rules+award types; nominations counted per campaign and award; provinces (filter). With no year asked,
    # the latest year first (tests/scoring/test_dashboards.py).
    "overview": Page("scoring:overview", "reviewer", (), {"year": 2023, "page": 2}, 9),
    "overview_late": Page(
        "scoring:overview", "reviewer", (), {"year": 2023, "province": "province", "late": "1"}, 9
    ),
    "overview_status": Page("scoring:overview", "reviewer", (), {"year": 2023, "status": "submitted"}, 9),
    # session, user, provinces (list filter), count of all units, count of the filtered units, the page of units
    "admin_units": Page("admin:blocs_unit_changelist", "admin", (), {}, 6),
}


def submit(campaign):
    """Write every nomination's summary and send the dossier."""
    for nomination in campaign.nominations.all():
        nominations.nomination_save_summary(
            actor=None,
            nomination=nomination,
            summary=f"Thành tích của {nomination.unit.name}",
            expected_version=0,
        )
    return services.campaign_advance(actor=None, campaign=campaign, verb="submit")


def close(campaign):
    """Send the dossier, decide every nomination and close the campaign."""
    campaign = submit(campaign)
    for nomination in campaign.nominations.all():
        nominations.nomination_accept(actor=None, nomination=nomination)
        nominations.nomination_decide(
            actor=None,
            nomination=nomination,
            decision_number=f"{nomination.pk}/QĐ-UBND",
            decision_date=datetime.date(campaign.bloc_year.year + 1, 2, 1),
            awarded=True,
        )
    campaign = services.campaign_advance(actor=None, campaign=campaign, verb="decide")
    return services.campaign_advance(actor=None, campaign=campaign, verb="close")


@pytest.fixture
def tellers(world):
    return [make_user(role="admin", username="teller1"), make_user(role="admin", username="teller2")]


@pytest.fixture
def small(world, tellers, private_media, monkeypatch):
    """Bloc A's 2023 campaign voted on and its dossier sent; bloc B's in scoring, its dossier late."""
    for module, name in (
        (bloc_views, "BLOCS_PER_PAGE"),
        (nomination_views, "QUEUE_PAGE_SIZE"),
        (overview_views, "PAGE_SIZE"),
    ):
        monkeypatch.setattr(module, name, 2)
    campaign = submit(voted_campaign(world["year_a"], tellers))
    other = make_campaign(
        bloc_year=world["year_b"], status="scoring", dossier_deadline=datetime.date(2024, 1, 15)
    )
    fill_sheet(other.sheets.first(), {"1.1": 9, "1.2": 5})
    return campaign


def grow(world, tellers):
    province = world["province"]
    a_units = world["a_units"]
    for year, head, deputy in ((2021, 3, 4), (2022, 4, 0)):
        bloc_year = make_bloc_year(
            bloc=world["bloc_a"], year=year, units=a_units, head=a_units[head], deputy=a_units[deputy]
        )
        close(voted_campaign(bloc_year, tellers))
    # The next year, run by other units, in scoring: the focal person has a sheet to fill.
    make_campaign(
        bloc_year=make_bloc_year(
            bloc=world["bloc_a"], year=2024, units=a_units, head=a_units[1], deputy=a_units[2]
        ),
        status="scoring",
    )
    for n in range(3):
        units = [make_unit(province=province, name=f"Hội Chữ thập đỏ quận {n}")] + [
            make_unit(province=province) for _ in range(5)
        ]
        bloc = make_bloc(province=province, units=units)
        close(
            voted_campaign(
                make_bloc_year(bloc=bloc, year=2022, units=units, head=units[0], deputy=units[1]), tellers
            )
        )
        campaign = voted_campaign(
            make_bloc_year(bloc=bloc, year=2023, units=units, head=units[1], deputy=units[2]), tellers
        )
        if n:
            submit(campaign)
        else:
            Campaign.objects.filter(pk=campaign.pk).update(dossier_deadline=datetime.date(2024, 1, 15))


def objects(world, campaign):
    return {
        "bloc": world["bloc_a"].pk,
        "unit": world["a_units"][0].pk,
        "campaign": campaign.pk,
        "round": VoteRound.objects.get(conference__campaign=campaign).pk,
        "province": world["province"].pk,
        "co-thi-dua-ubnd": AwardType.objects.get(code="co-thi-dua-ubnd").pk,
    }


def count(client, page, found):
    url = reverse(page.url_name, args=[found[name] for name in page.args])
    params = {
        key: found.get(value, value) if isinstance(value, str) else value
        for key, value in page.params.items()
    }
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def users(focal_person, secretary, reviewer, administrator):
    return {"focal": focal_person, "secretary": secretary, "reviewer": reviewer, "admin": administrator}


def test_every_benchmarked_page_keeps_its_query_count(client, world, small, tellers, users):
    found = objects(world, small)
    counts = {}
    for name, page in BENCHMARKED_PAGES.items():
        client.force_login(users[page.user])
        counts[name] = [count(client, page, found)]
    grow(world, tellers)
    assert Nomination.objects.count() == 27
    for name, page in BENCHMARKED_PAGES.items():
        client.force_login(users[page.user])
        counts[name].append(count(client, page, found))
    # Grown: more blocs, units and closed years, and one year of the measured bloc still being scored.
    assert counts == {
        name: [page.queries, page.queries + page.scoring] for name, page in BENCHMARKED_PAGES.items()
    }


def test_the_years_being_scored_add_three_queries_however_many(client, world, small, secretary):
    """A history reads the stored standings of the years whose conference has opened, and computes the others
    from their sheets in three queries together: two years being scored cost what one costs."""
    client.force_login(secretary)
    found = objects(world, small)
    units = world["a_units"]
    pages = [BENCHMARKED_PAGES["bloc"], BENCHMARKED_PAGES["unit"]]
    assert [count(client, page, found) for page in pages] == [page.queries for page in pages]
    for year in (2024, 2025):
        make_campaign(
            bloc_year=make_bloc_year(bloc=world["bloc_a"], year=year, units=units, head=units[1]),
            status="scoring",
        )
        assert [count(client, page, found) for page in pages] == [
            page.queries + page.scoring for page in pages
        ]


def test_the_secretary_dashboard_grows_only_with_the_open_campaigns_it_manages(
    client, world, small, deputy_secretary
):
    """The deputy's unit runs the next year too: one more campaign to manage adds its step's check, and that
    stays bounded, since the to-do list shows at most six managed campaigns."""
    client.force_login(deputy_secretary)
    page = BENCHMARKED_PAGES["dashboard_secretary"]
    found = objects(world, small)
    before = count(client, page, found)
    assert before == page.queries  # the deputy's unit manages the same 2023 campaign
    units = world["a_units"]
    make_campaign(bloc_year=make_bloc_year(bloc=world["bloc_a"], year=2024, units=units, head=units[1]))
    # the draft campaign's check before launch: does its table have a scored criterion
    assert count(client, page, found) == before + 1


def test_the_members_are_read_once_for_every_managed_campaign_being_scored(
    client, world, small, deputy_secretary
):
    """The step out of scoring compares final sheets with members: the members of every such campaign the unit
    runs come in one query, and each campaign adds only its count of final sheets."""
    client.force_login(deputy_secretary)
    page = BENCHMARKED_PAGES["dashboard_secretary"]
    found = objects(world, small)
    units = world["a_units"]
    for year in (2024, 2025):
        make_campaign(
            bloc_year=make_bloc_year(bloc=world["bloc_a"], year=year, units=units, head=units[1]),
            status="scoring",
        )
    # 2024 and 2025: the unit's sheets (one query), their members (one), each one's final sheets (two)
    assert count(client, page, found) == page.queries + 4


def test_the_queue_offers_every_year_from_the_first_nominations_to_the_last(
    client, world, small, tellers, reviewer
):
    """The year filter spans the nominations' years, read from the two ends of the queue's index in one query
    (no GROUP BY over every bloc-year); a year in between without nominations is offered and shows none."""
    client.force_login(reviewer)
    units = world["a_units"]
    campaign = voted_campaign(
        make_bloc_year(bloc=world["bloc_a"], year=2020, units=units, head=units[2], deputy=units[3]), tellers
    )
    assert Nomination.objects.filter(campaign=campaign).exists()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("scoring:review_queue"))
    (years,) = [q["sql"] for q in ctx.captured_queries if "MIN(" in q["sql"].upper()]
    assert "GROUP BY" not in years.upper()
    assert response.context["years"] == [2023, 2022, 2021, 2020]
    empty = client.get(reverse("scoring:review_queue"), {"year": 2021, "status": "all"})
    assert "Không có hồ sơ nào khớp bộ lọc." in empty.content.decode()


@pytest.mark.parametrize("who", ["focal_person", "secretary"])
def test_the_to_do_counts_each_campaign_in_a_subquery(client, small, request, who):
    """A Count over joined criteria and registrations made PostgreSQL join every open campaign of the country
    before keeping the user's own (0.6 s on the bench dataset): the counts are correlated subqueries."""
    client.force_login(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("blocs:dashboard"))
    main_table = 'FROM "scoring_campaign" INNER JOIN "blocs_blocyear"'
    campaigns = [q["sql"] for q in ctx.captured_queries if main_table in q["sql"]]
    assert len(campaigns) == 1  # the unit's open campaigns; for a secretary, which it runs too
    assert not any("GROUP BY" in sql for sql in campaigns)
