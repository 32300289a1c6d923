"""A bloc's page shows its years five at a time, newest first, and links to the older and newer ones."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import BlocYear
from tests.factories import make_bloc_year

YEAR_CARD = re.compile(r'<section class="card mb-3" id="nam-(\d+)"')


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
