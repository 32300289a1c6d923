"""docs/BENCHMARKS.md names the code it measured, so that two runs can be compared commit to commit, and holds
each page to its targets, its query count included."""

import subprocess

from bench import http
from bench.run import BASE_DIR, Page, code_version, history_pages, verdicts


def test_the_report_names_the_commit_it_measured():
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert code_version().startswith(f"commit {head} of ")
    assert code_version().endswith(("with uncommitted changes", "no uncommitted changes"))


def measured(queries: int, server_ms: float = 10.0) -> http.Measure:
    return http.Measure([http.Sample(200, server_ms, server_ms, queries, 100)] * 20, 1.0, [])


def test_a_page_with_more_queries_than_its_twin_on_the_other_dataset_is_a_miss():
    page = Page("Bloc page, 20 years: the latest five", "secretary", "/blocs/4/", dataset="small")
    page.result, page.twin_queries = measured(8), 7
    assert verdicts(page, floor_p95=10.0) == ["8 queries here, 7 on the other dataset"]
    page.twin_queries = 8
    assert verdicts(page, floor_p95=10.0) == []


def test_the_history_pages_of_both_datasets_pair_up_by_kind():
    """The small dataset's older pages start ten years after its first year; the national one's, with five
    years, at its second year: both show closed years and have newer years after them."""
    plan = {"bloc_id": 4, "unit_id": 19, "last_year": 2025}
    small = history_pages(plan, first_year=2006, dataset="small")
    national = history_pages(plan, first_year=2021, dataset="")
    assert [p.path for p in small] == [
        "/blocs/4/",
        "/blocs/4/?until=2016",
        "/units/19/",
        "/units/19/?until=2016",
    ]
    assert [p.path for p in national] == [
        "/blocs/4/",
        "/blocs/4/?until=2022",
        "/units/19/",
        "/units/19/?until=2022",
    ]
    assert [p.role for p in small] == [p.role for p in national]
