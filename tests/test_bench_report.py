"""docs/BENCHMARKS.md names the code it measured, so that two runs can be compared commit to commit."""

import subprocess

from bench.run import BASE_DIR, code_version


def test_the_report_names_the_commit_it_measured():
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert code_version().startswith(f"commit {head} of ")
    assert code_version().endswith(("with uncommitted changes", "no uncommitted changes"))
