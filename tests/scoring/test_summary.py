"""Ranking, the score summary page, its .xlsx export and its query budget."""

import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from scoring import services
from scoring.models import Campaign
from scoring.ranking import assign_ranks, tie_key
from scoring.selectors import campaign_summary
from tests.factories import fill_sheet, make_bloc, make_bloc_year, make_campaign, make_unit


def finalize(sheet, scores, **kwargs):
    fill_sheet(sheet, scores, **kwargs)
    services.score_sheet_finalize(actor=None, sheet=sheet)


def test_competition_ranks():
    assert assign_ranks([(-90,), (-95,), None, (-90,), (-80,)]) == [2, 1, None, 2, 4]


def test_the_default_tie_break_counts_full_marks_then_deductions(scoring_campaign, sheets):
    # Three units on 14 points: A with both items at full marks, B and C with one, C with a larger deduction.
    finalize(sheets[2], {"1.1": 10, "1.2": 5, "3.1": 1})  # 14, two at full marks, deduction 1
    finalize(sheets[3], {"1.1": 9, "1.2": 5})  # 14, one at full marks, no deduction
    finalize(sheets[4], {"1.1": 10, "1.2": 4.5, "2.1": 1, "3.1": 1.5})  # 14, one at full marks, deduction 1.5
    finalize(sheets[0], {"1.1": 10, "1.2": 5, "2.1": 2})  # 17
    rows = {r.sheet.pk: r for r in campaign_summary(scoring_campaign).rows}
    assert [rows[s.pk].rank for s in (sheets[0], sheets[2], sheets[3], sheets[4])] == [1, 2, 3, 4]
    assert rows[sheets[1].pk].rank is None  # not final yet


def test_another_tie_break_rule_changes_the_order(scoring_campaign, sheets):
    finalize(sheets[2], {"1.1": 10, "1.2": 5, "3.1": 1})
    finalize(sheets[3], {"1.1": 9, "1.2": 5})
    scoring_campaign.tie_break = Campaign.TieBreak.DEDUCTION_THEN_FULL_MARKS
    rows = {r.sheet.pk: r.rank for r in campaign_summary(scoring_campaign).rows}
    assert (rows[sheets[3].pk], rows[sheets[2].pk]) == (1, 2)
    scoring_campaign.tie_break = Campaign.TieBreak.NONE
    rows = {r.sheet.pk: r.rank for r in campaign_summary(scoring_campaign).rows}
    assert rows[sheets[3].pk] == rows[sheets[2].pk] == 1


def test_tie_keys():
    assert tie_key("full_marks_then_deduction", D(90), 3, D(1)) < tie_key(
        "full_marks_then_deduction", D(90), 2, D(0)
    )


def test_the_summary_page_and_export_show_both_totals_and_ranks(
    client, scoring_campaign, sheets, focal_person
):
    fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    services.score_line_review(
        actor=None,
        sheet=sheets[2],
        criterion=sheets[2].campaign.groups.get(code="I").items.get(code="1.1"),
        score=D("8.25"),
        reason="Thiếu minh chứng",
        expected_version=1,
    )
    services.score_sheet_finalize(actor=None, sheet=sheets[2])
    finalize(sheets[3], {"1.1": 9, "1.2": 5, "2.1": 1})
    client.force_login(focal_person)
    page = client.get(reverse("scoring:summary", args=[scoring_campaign.pk])).content.decode()
    assert "13,25" in page and "15" in page and "<svg" in page

    response = client.get(reverse("scoring:summary_export", args=[scoring_campaign.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "STT")
    header = [c.value for c in sheet[header_row]]
    rows = {
        sheet.cell(r, 2).value: [c.value for c in sheet[r]] for r in range(header_row + 1, sheet.max_row + 1)
    }
    unit_a3, unit_a4 = sheets[2].unit.name, sheets[3].unit.name
    total_self, total_reviewed, rank = (
        header.index(h) for h in ("Tổng tự chấm", "Tổng thẩm định", "Xếp hạng")
    )
    assert rows[unit_a4][total_reviewed] == 15 and rows[unit_a4][rank] == 1
    assert (
        rows[unit_a3][total_self] == 15
        and rows[unit_a3][total_reviewed] == 13.25
        and rows[unit_a3][rank] == 2
    )
    assert rows[sheets[0].unit.name][rank] in (None, "")


def grow(world, campaign, extra_units=6):
    """More members with final sheets, and more criteria, in the same campaign."""
    province = world["province"]
    units = [make_unit(province=province) for _ in range(extra_units)]
    for unit in units:
        world["year_a"].memberships.create(unit=unit)
    group = campaign.groups.get(code="I")
    campaign.sheets.bulk_create([campaign.sheets.model(campaign=campaign, unit=u) for u in units])
    from scoring.models import Criterion

    Criterion.objects.bulk_create(
        Criterion(group=group, position=10 + i, code=f"1.{10 + i}", title=f"Thêm {i}", max_score=D(1))
        for i in range(10)
    )
    scores = {"1.1": 7, "1.2": 3} | {f"1.{10 + i}": 1 for i in range(10)}
    for sheet in campaign.sheets.filter(unit__in=units):
        finalize(sheet, scores)


@pytest.mark.parametrize("page", ["summary", "campaign_detail", "sheet_list"])
def test_campaign_pages_keep_their_query_count(client, world, scoring_campaign, sheets, secretary, page):
    finalize(sheets[2], {"1.1": 10, "1.2": 5})
    client.force_login(secretary)
    url = reverse(f"scoring:{page}", args=[scoring_campaign.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    grow(world, scoring_campaign)
    assert count() == small
    # Always: session, user+unit, campaign, its memberships+units. Then the summary: groups with maxima,
    # sheets+units, one aggregate of the lines; the overview adds the next step's check (final sheets).
    assert small == {"summary": 7, "campaign_detail": 8, "sheet_list": 5}[page]


def test_the_sheet_page_keeps_its_query_count(client, world, scoring_campaign, sheets, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    client.force_login(secretary)
    url = reverse("scoring:sheet_detail", args=[sheet.pk])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    grow(world, scoring_campaign)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == small
    # session, user+unit, sheet, memberships+units, criteria+groups, lines, evidence, history, and the campaign
    # summary for the sheet's totals and rank (groups, sheets, aggregate)
    assert small == 11


def test_a_bigger_bloc_summary_is_still_three_queries(db, private_media):
    from tests.factories import make_province

    province = make_province()
    units = [make_unit(province=province) for _ in range(11)]
    bloc = make_bloc(province=province, units=units)
    bloc_year = make_bloc_year(bloc=bloc, year=2024, units=units, head=units[0], deputy=units[1])
    campaign = make_campaign(bloc_year=bloc_year, status="scoring")
    for sheet in campaign.sheets.all():
        finalize(sheet, {"1.1": 8, "1.2": 4})
    campaign = Campaign.objects.get(pk=campaign.pk)
    with CaptureQueriesContext(connection) as ctx:
        summary = campaign_summary(campaign)
    assert len(summary.rows) == 11
    # groups with their maxima, sheets with units, one aggregate of every line
    assert len(ctx.captured_queries) == 3


def _figures(summary):
    return {
        r.sheet.pk: (r.self_totals, r.reviewed_totals, r.full_marks, r.rank, r.is_final) for r in summary.rows
    }


def test_a_finalised_sheet_keeps_its_figures_and_the_summary_reads_them_the_same(scoring_campaign, sheets):
    from scoring.models import ScoreSheet
    from scoring.selectors import freeze_sheet_figures

    finalize(sheets[0], {"1.1": 10, "1.2": 5, "2.1": 2})
    finalize(sheets[2], {"1.1": 10, "1.2": 4.5, "3.1": 1.5}, violation=True)
    finalize(sheets[3], {"1.1": 9, "1.2": 5})
    fill_sheet(sheets[4], {"1.1": 7, "1.2": 3})  # submitted, not final: no figures
    stored = dict(ScoreSheet.objects.filter(campaign=scoring_campaign).values_list("pk", "figures"))
    assert all(stored[s.pk] for s in (sheets[0], sheets[2], sheets[3]))
    assert stored[sheets[4].pk] is None and stored[sheets[1].pk] is None
    assert stored[sheets[2].pk]["self_violations"] == 1 and stored[sheets[0].pk]["full_marks"] == 2
    from_figures = _figures(campaign_summary(scoring_campaign))

    # The same summary from every line, as before the figures were stored ...
    ScoreSheet.objects.filter(campaign=scoring_campaign).update(figures=None)
    assert _figures(campaign_summary(scoring_campaign)) == from_figures
    # ... and the figures written again for sheets finalised before they were stored (the migration's way).
    assert freeze_sheet_figures(ScoreSheet.objects.filter(campaign=scoring_campaign)) == 3
    assert dict(ScoreSheet.objects.filter(campaign=scoring_campaign).values_list("pk", "figures")) == stored
    assert _figures(campaign_summary(scoring_campaign)) == from_figures


def test_a_summary_of_final_sheets_aggregates_no_line(scoring_campaign, sheets):
    for sheet in sheets:
        finalize(sheet, {"1.1": 8, "1.2": 4})
    with CaptureQueriesContext(connection) as ctx:
        summary = campaign_summary(scoring_campaign)
    assert summary.all_final and len(summary.ranked) == len(sheets)
    # Same number of queries as ever; the one on the lines finds nothing to add up.
    assert len(ctx.captured_queries) == 3
    aggregate = next(q["sql"] for q in ctx.captured_queries if "scoring_scoreline" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({aggregate}) AS lines")
        assert cursor.fetchone()[0] == 0
