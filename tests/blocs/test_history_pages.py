"""A bloc's page shows its years five at a time, and a unit's page its roles five years at a time, newest
first, with links to the older and newer years."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import BlocYear
from tests.factories import make_bloc_year

YEAR_CARD = re.compile(r'<section class="card mb-3" id="nam-(\d+)"')
ROLE_ROW = re.compile(r"<tr>\s*<td>(\d{4})</td>\s*<td><a [^>]*>([^<]*)</a>")


@pytest.fixture
def history(world):
    """Bloc A from 2012 to 2024 (2023 is the world's), with no year 2017; A1 heads 2024, A2 is its deputy."""
    units = world["a_units"]
    for year in [*range(2012, 2017), *range(2018, 2023)]:
        make_bloc_year(bloc=world["bloc_a"], year=year, units=units, head=units[year % 5], deputy=units[4])
    make_bloc_year(bloc=world["bloc_a"], year=2024, units=units, head=units[0], deputy=units[1])
    return world["bloc_a"]


def open_page(client, bloc, **params):
    response = client.get(reverse("blocs:bloc_detail", args=[bloc.pk]), params)
    assert response.status_code == 200
    page = response.content.decode()
    return page, [int(year) for year in YEAR_CARD.findall(page)]


def year_links(page):
    """The links of the year navigation, in order: (label, href)."""
    nav = re.search(r'data-testid="year-pages">(.*?)</nav>', page, re.S)
    if nav is None:
        return []
    return [(label, href) for href, label in re.findall(r'href="([^"]*)">([^<]*)</a>', nav.group(1))]


def test_the_page_shows_the_five_latest_years_and_links_to_the_older_ones(client, history, secretary):
    client.force_login(secretary)
    page, years = open_page(client, history)
    assert years == [2024, 2023, 2022, 2021, 2020]
    assert year_links(page) == [("Từ năm 2019 trở về trước", "?until=2019")]
    assert "Phân công năm 2025" in page  # the next year's assignment, beside the latest year


def test_an_older_page_starts_at_the_year_asked_and_skips_a_missing_year(client, history, secretary):
    client.force_login(secretary)
    page, years = open_page(client, history, until=2019)
    assert years == [2019, 2018, 2016, 2015, 2014]
    # The five years after 2019 are the latest ones: the newer link leads to the bloc's first page.
    assert year_links(page) == [
        ("Các năm gần đây hơn", history.get_absolute_url()),
        ("Từ năm 2013 trở về trước", "?until=2013"),
    ]
    assert "Phân công năm" not in page  # offered on the page that shows the latest year only


def test_the_oldest_page_links_to_the_five_years_after_it(client, history, secretary):
    client.force_login(secretary)
    page, years = open_page(client, history, until=2013)
    assert years == [2013, 2012]
    assert year_links(page) == [("Các năm gần đây hơn", "?until=2019")]


def test_a_year_at_or_after_the_latest_is_the_first_page(client, history, secretary):
    client.force_login(secretary)
    first, _ = open_page(client, history)
    for until in (2024, 2030, 2**63 - 1):
        page, years = open_page(client, history, until=until)
        assert years == [2024, 2023, 2022, 2021, 2020]
        assert year_links(page) == year_links(first)
        assert "Phân công năm 2025" in page


@pytest.mark.parametrize("until", ["", "abc", "-1", "2019.5", "²", "١٢", "9" * 30, "2019\x00"])
def test_a_year_that_is_not_a_whole_number_shows_the_first_page(client, history, secretary, until):
    client.force_login(secretary)
    page, years = open_page(client, history, until=until)
    assert years == [2024, 2023, 2022, 2021, 2020]
    assert year_links(page) == [("Từ năm 2019 trở về trước", "?until=2019")]


def test_a_year_before_the_first_says_so_and_links_to_the_first_years(client, history, secretary):
    client.force_login(secretary)
    page, years = open_page(client, history, until=2005)
    assert years == []
    assert "Khối không có năm nào từ năm 2005 trở về trước." in page
    assert "Khối chưa được phân công năm nào." not in page
    assert year_links(page) == [("Các năm gần đây hơn", "?until=2016")]


def test_a_bloc_with_no_year_has_no_year_links(client, world, administrator):
    BlocYear.objects.filter(bloc=world["bloc_a"]).delete()
    client.force_login(administrator)
    page, years = open_page(client, world["bloc_a"])
    assert years == []
    assert "Khối chưa được phân công năm nào." in page
    assert year_links(page) == []
    assert "Phân công năm đầu tiên" in page


def test_every_year_link_opens_a_page_with_that_year(client, history, secretary):
    """The unit page links each of its years to the bloc-year's address: the bloc's page starting there."""
    client.force_login(secretary)
    for bloc_year in history.years.all():
        path, anchor = bloc_year.get_absolute_url().split("#")
        response = client.get(path)
        assert anchor == f"nam-{bloc_year.year}"
        assert YEAR_CARD.findall(response.content.decode())[0] == str(bloc_year.year)


def test_another_blocs_secretary_gets_no_page_of_it(client, history, outsider):
    client.force_login(outsider)
    url = reverse("blocs:bloc_detail", args=[history.pk])
    assert client.get(url, {"until": 2019}).status_code == 404


def queries(client, bloc, **params):
    with CaptureQueriesContext(connection) as ctx:
        open_page(client, bloc, **params)
    return len(ctx.captured_queries)


def test_the_queries_do_not_grow_with_the_years(client, world, secretary):
    """Two years or thirteen: the first page and an older page each run the same queries (an older page one
    more, the years after it)."""
    client.force_login(secretary)
    units = world["a_units"]
    make_bloc_year(bloc=world["bloc_a"], year=2022, units=units, head=units[2], deputy=units[3])
    few = [queries(client, world["bloc_a"]), queries(client, world["bloc_a"], until=2022)]
    for year in range(2010, 2022):
        make_bloc_year(bloc=world["bloc_a"], year=year, units=units, head=units[year % 5], deputy=units[4])
    many = [queries(client, world["bloc_a"]), queries(client, world["bloc_a"], until=2022)]
    # session, user, bloc+province, years+handovers+campaigns, memberships+units, rotation+units (no campaign:
    # no nominations); an older page: the years after it
    assert few == many == [6, 7]


# The unit page ---------------------------------------------------------------------------------------------


def open_unit(client, unit, **params):
    response = client.get(reverse("blocs:unit_detail", args=[unit.pk]), params)
    assert response.status_code == 200
    page = response.content.decode()
    return page, [(int(year), bloc) for year, bloc in ROLE_ROW.findall(page)]


def years_of(rows):
    return [year for year, _ in rows]


def test_the_unit_page_shows_five_years_of_roles_and_links_to_the_older_ones(
    client, world, history, focal_person
):
    client.force_login(focal_person)
    page, rows = open_unit(client, focal_person.unit)
    assert years_of(rows) == [2024, 2023, 2022, 2021, 2020]
    assert year_links(page) == [("Từ năm 2019 trở về trước", "?until=2019")]
    # Each year's head and deputy (the fourth and fifth cells): 2024 A1 and A2, 2022 A3 and A5.
    cells = re.findall(
        r"<tr>\s*<td>(\d{4})</td>(?:\s*<td>[\s\S]*?</td>){2}\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page
    )
    leaders = {int(year): (head, deputy) for year, head, deputy in cells}
    a = [unit.short_name for unit in world["a_units"]]
    assert leaders[2024] == (a[0], a[1]) and leaders[2022] == (a[2], a[4])


def test_older_pages_of_the_unit_link_to_the_newer_years(client, history, focal_person):
    client.force_login(focal_person)
    unit = focal_person.unit
    page, rows = open_unit(client, unit, until=2020)
    assert years_of(rows) == [2020, 2019, 2018, 2016, 2015]
    # The years after 2020 are the latest ones: the newer link leads to the first page.
    assert year_links(page) == [
        ("Các năm gần đây hơn", unit.get_absolute_url()),
        ("Từ năm 2014 trở về trước", "?until=2014"),
    ]
    page, rows = open_unit(client, unit, until=2013)
    assert years_of(rows) == [2013, 2012]
    assert year_links(page) == [("Các năm gần đây hơn", "?until=2019")]


def test_a_year_in_two_blocs_stays_on_one_page(client, world, history, focal_person):
    """A unit in two blocs in a year has two rows that year: the page is cut between years, never inside one."""
    unit, b_units = focal_person.unit, world["b_units"]
    for year in (2019, 2020):
        make_bloc_year(bloc=world["bloc_b"], year=year, units=[unit, *b_units], head=b_units[0])
    client.force_login(focal_person)
    page, rows = open_unit(client, unit)
    assert years_of(rows) == [2024, 2023, 2022, 2021, 2020, 2020]
    assert sorted(bloc for year, bloc in rows if year == 2020) == ["Khối A", "Khối B"]
    # 2019, the sixth year, has two rows too: both are on the next page.
    assert year_links(page) == [("Từ năm 2019 trở về trước", "?until=2019")]
    page, rows = open_unit(client, unit, until=2019)
    assert rows == [
        (2019, "Khối A"),
        (2019, "Khối B"),
        (2018, "Khối A"),
        (2016, "Khối A"),
        (2015, "Khối A"),
        (2014, "Khối A"),
    ]


def test_another_units_staff_page_through_the_blocs_they_share_only(client, world, history, outsider):
    """Bloc B's secretary sees unit A1 in the years it was in bloc B, on every page and in the links."""
    unit, b_units = world["a_units"][0], world["b_units"]
    for year in range(2010, 2022):
        make_bloc_year(bloc=world["bloc_b"], year=year, units=[unit, *b_units], head=b_units[0])
    client.force_login(outsider)
    page, rows = open_unit(client, unit)
    assert rows == [(year, "Khối B") for year in range(2021, 2016, -1)]
    assert year_links(page) == [("Từ năm 2016 trở về trước", "?until=2016")]
    page, rows = open_unit(client, unit, until=2011)
    assert rows == [(2011, "Khối B"), (2010, "Khối B")]
    assert year_links(page) == [("Các năm gần đây hơn", "?until=2016")]


@pytest.mark.parametrize("until", ["", "abc", "-1", "²", "9" * 30, str(2**63 - 1), "2030"])
def test_the_unit_page_with_a_year_that_is_no_page_shows_the_first(client, history, focal_person, until):
    client.force_login(focal_person)
    page, rows = open_unit(client, focal_person.unit, until=until)
    assert years_of(rows) == [2024, 2023, 2022, 2021, 2020]
    assert year_links(page) == [("Từ năm 2019 trở về trước", "?until=2019")]


def test_the_unit_page_before_its_first_year_says_so(client, history, focal_person):
    client.force_login(focal_person)
    page, rows = open_unit(client, focal_person.unit, until=2011)
    assert rows == []
    assert "Đơn vị không tham gia khối nào từ năm 2011 trở về trước." in page
    assert year_links(page) == [("Các năm gần đây hơn", "?until=2016")]


def unit_queries(client, unit, **params):
    with CaptureQueriesContext(connection) as ctx:
        open_unit(client, unit, **params)
    return len(ctx.captured_queries)


def test_the_unit_pages_queries_do_not_grow_with_the_years(client, world, secretary):
    client.force_login(secretary)
    unit, units = world["a_units"][0], world["a_units"]
    make_bloc_year(bloc=world["bloc_a"], year=2022, units=units, head=units[2], deputy=units[3])
    few = [unit_queries(client, unit), unit_queries(client, unit, until=2022)]
    for year in range(2005, 2022):
        make_bloc_year(bloc=world["bloc_a"], year=year, units=units, head=units[year % 5], deputy=units[4])
    many = [unit_queries(client, unit), unit_queries(client, unit, until=2022)]
    # session, user, unit+province+successor, memberships of the page's years+bloc-years+blocs+campaigns, their
    # leaders+units, predecessors, blockers, handovers (no campaign: no candidacies or nominations); an older
    # page: the years after it
    assert few == many == [8, 9]
