"""`bench.operations` on the small world: every measurement runs, and none leaves a row or a file behind."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

from bench import operations
from bench.run import operation_misses
from reports import services
from scoring.models import VoteRound
from tests.factories import voted_campaign


def database_state() -> dict:
    """Every row of every table, so that an insert, a delete or an update left behind shows."""
    return {
        model._meta.label: sorted(map(repr, model.objects.order_by().values_list()))
        for model in apps.get_models()
    }


def files_under(*folders) -> set[Path]:
    return {
        path for folder in folders if folder.exists() for path in Path(folder).rglob("*") if path.is_file()
    }


def test_each_measurement_runs_and_leaves_nothing_behind(world, private_media, secretary, deputy_secretary):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    services.narrative_save(actor=secretary, campaign=campaign, sections={"strengths": "Hoàn thành **tốt**."})
    vote_round = VoteRound.objects.get(conference__campaign=campaign)
    before = database_state()
    files = files_under(Path(settings.MEDIA_ROOT), private_media)

    assert operations.report_campaign() == campaign
    assert operations.largest_round() == vote_round
    rows = [
        *operations.measure_report_issue(campaign, repeat=1),
        *operations.measure_report_floor(campaign, repeat=1),
        *operations.measure_round_close(vote_round, repeat=1),
        *operations.measure_rotation(repeat=1),
        *operations.measure_unit_import(count=40, repeat=1),
    ]

    assert [r["name"] for r in rows] == [
        "report_issue",
        "report_floor",
        "round_close",
        "bloc_rotation",
        "unit_import_upload",
        "unit_import_preview",
        "unit_import_apply",
    ]
    for r in rows:
        assert set(r) == {"name", "seconds", "floor_seconds", "ratio", "peak_mb", "note"}
        assert r["seconds"] > 0, r
        assert r["note"], r
    issue = rows[0]
    assert issue["floor_seconds"] > 0
    assert issue["ratio"] == round(issue["seconds"] / issue["floor_seconds"], 3)
    assert issue["peak_mb"] >= 0
    assert "2 blocs rotated" in rows[3]["note"]
    assert database_state() == before
    assert files_under(Path(settings.MEDIA_ROOT), private_media) == files


def test_the_workbook_has_the_import_columns_and_passes_its_checks(world):
    from blocs.unit_import import COLUMNS, parse_units

    content = operations.unit_workbook(25)

    result = parse_units(file_name="don-vi.xlsx", content=content, province=world["province"])
    assert result.errors == []
    assert len(result.rows) == 25
    assert set(result.rows[0].values) == {c.field for c in COLUMNS}


def test_a_report_over_its_floor_by_more_than_a_fifth_is_a_missed_target():
    rows = [
        operations.row("report_issue", 1.04, floor=0.86),  # 1.209×
        operations.row("report_floor", 0.86),
        operations.row("bloc_rotation", 19.0),
    ]
    assert operation_misses(rows) == [
        "Year-end report: issued in 1.04 s, 1.21× WeasyPrint alone on the same HTML (0.86 s) > 1.2× (medians; "
        "their spread is in the operations table)."
    ]
    assert operation_misses([operations.row("report_issue", 1.03, floor=0.86)]) == []  # 1.198×
    assert operation_misses([]) == []
