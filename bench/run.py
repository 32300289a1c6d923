"""`make bench`: the main pages of every role at national scale, under gunicorn on 127.0.0.1; writes
docs/BENCHMARKS.md.

1. The dataset (bench/dataset.py) in the database of DATABASE_URL (its name must contain "bench"; dropped and
   created again unless it already holds the same dataset), and a small one with a longer history
   (<name>_small: one province, 20 years) to show that the number of queries of each page does not grow with
   the data, and to time the history pages of a bloc and a unit with 20 years.
2. gunicorn (gthread, DEBUG off, production settings plus bench.settings' timing middleware), one session per
   role logged in through the real login form before any measurement; then each page asked in a loop by
   --clients threads for --seconds after a --warmup, with the floors in the same run: /bench/floor/ (one
   query), the same with a logged-in user (/bench/floor/user/), the Django admin's unit list, and the layout
   alone (the empty search page of a logged-in user).
3. The operations of bench/operations.py (when present) on a copy of the database, in a subprocess.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thiduabloc_bench .venv/bin/python -m bench.run

Exit status: 0 when the report is written (1 instead when a target is missed, with --strict), 2 when the run
could not complete.
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import quote

from bench import http
from bench.dataset import BASE_DIR, Scale, bench_database, pg_connect
from tests.load.run import Gunicorn, pg_execute

P95_TARGET_MS = 50.0
FLOOR_RATIO_TARGET = 3.0
REPORT_RATIO_TARGET = 1.2  # the year-end report's issue against WeasyPrint alone on the same HTML
# One province but four times the years: the history pages are timed on it too. Bloc 10 is late: every branch.
SMALL = Scale(provinces=1, blocs_per_province=10, years=20, first_year=2006)
FLOOR_PATH = "/bench/floor/"
# The same view once the session and the user are read: what any logged-in page costs before it renders anything.
FLOOR_USER_PATH = "/bench/floor/user/"
# The cheapest page a user sees: the session and the user read, the menu and an empty search form rendered.
LAYOUT_PATH = "/search/"


@dataclasses.dataclass
class Page:
    name: str
    role: str  # focal, secretary, reviewer, admin, or "" for no session
    path: str
    floor: bool = False
    dataset: str = "national"  # or "small", where the page is measured
    twin: str = ""  # the same page on the other dataset: its query count is compared with this one's
    result: http.Measure | None = None
    twin_queries: int | None = None
    probe: http.Sample | None = None  # one sequential request after the load, with its slowest statement


ROUND_WARMUP = 0.5  # seconds dropped at the start of each round after the first (new connections)


def pages(plan: dict) -> list[Page]:
    year, campaign, bloc = plan["last_year"], plan["campaign_id"], plan["bloc_id"]
    return [
        Page("Floor: one-query view", "", FLOOR_PATH, floor=True),
        Page("Floor: one-query view, logged in", "focal", FLOOR_USER_PATH, floor=True),
        Page("Floor: admin unit list", "admin", "/admin/blocs/unit/", floor=True),
        Page("Floor: the layout alone (empty search)", "focal", LAYOUT_PATH, floor=True),
        Page("Dashboard, focal person", "focal", "/"),
        Page("Dashboard, bloc secretary", "secretary", "/"),
        Page("Dashboard, reward board", "reviewer", "/"),
        Page("Dashboard, administrator", "admin", "/"),
        Page("Bloc page (the latest five years)", "secretary", f"/blocs/{bloc}/"),
        Page("Campaign page", "secretary", f"/campaigns/{campaign}/"),
        Page("Score summary", "secretary", f"/campaigns/{campaign}/summary/"),
        Page("Vote results", "secretary", f"/rounds/{plan['round_id']}/results/"),
        Page("Nominations of a campaign", "secretary", f"/campaigns/{campaign}/nominations/"),
        Page("Unit history (the latest five years)", "focal", f"/units/{plan['unit_id']}/"),
        Page("Reviewer queue (submitted)", "reviewer", "/review/"),
        Page("Reviewer queue, page 3", "reviewer", "/review/?page=3"),
        Page(
            "Reviewer queue: year, award, accepted",
            "reviewer",
            f"/review/?year={year}&award={plan['merit_award_id']}&status=accepted",
        ),
        Page("Reviewer queue: one bloc, any status", "reviewer", f"/review/?bloc={bloc}&status="),
        Page("Reviewer queue: one province", "reviewer", f"/review/?province={plan['province_id']}"),
        Page("City overview (all provinces)", "reviewer", "/overview/"),
        Page(
            "City overview: one province",
            "reviewer",
            f"/overview/?year={year}&province={plan['province_id']}",
        ),
        Page("City overview: late dossiers", "reviewer", f"/overview/?year={year}&late=1"),
        Page("Search “hội” (reward board)", "reviewer", "/search/?q=" + quote("hội")),
        Page("Search “hoi nong dan” (no diacritics)", "reviewer", "/search/?q=hoi+nong+dan"),
        Page("Search “hội” (focal person)", "focal", "/search/?q=" + quote("hội")),
    ]


def history_pages(plan: dict, *, first_year: int, dataset: str) -> list[Page]:
    """The history pages of the plan's bloc and unit, the first page and an older one (from ``first_year`` + 10,
    or the second year when the history is shorter)."""
    years = plan["last_year"] - first_year + 1
    older = first_year + 10 if years > 15 else first_year + 1
    found = []
    for label, role, path in (
        ("Bloc page", "secretary", f"/blocs/{plan['bloc_id']}/"),
        ("Unit history", "focal", f"/units/{plan['unit_id']}/"),
    ):
        found += [
            Page(f"{label}, {years} years: the latest five", role, path, dataset=dataset),
            Page(
                f"{label}, {years} years: {older} and earlier", role, f"{path}?until={older}", dataset=dataset
            ),
        ]
    return found


def log(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Set-up


def server_env(url: str, workdir: Path, conn_max_age: int) -> dict:
    """The production configuration on plain HTTP on 127.0.0.1 (as tests/load/run.py), with bench.settings."""
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": http.HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_ROOT": str(BASE_DIR / "var" / "bench" / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(BASE_DIR / "var" / "bench" / "private"),
            "AXES_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": str(conn_max_age),
            "PYTHONPATH": str(BASE_DIR),
        }
    )
    return env


def static_is_current(root: Path) -> bool:
    manifest = root / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [BASE_DIR / "static", BASE_DIR / "node_modules" / "bootstrap" / "dist"]
    return all(p.stat().st_mtime <= built for source in sources for p in source.rglob("*") if p.is_file())


def dataset(url: str, scale: Scale, *, fresh: bool, env: dict, workdir: Path, label: str) -> dict:
    out = workdir / f"dataset-{label}.json"
    command = [
        sys.executable,
        "-m",
        "bench.dataset",
        "--provinces",
        str(scale.provinces),
        "--blocs-per-province",
        str(scale.blocs_per_province),
        "--years",
        str(scale.years),
        "--first-year",
        str(scale.first_year),
        "--json",
        str(out),
    ] + (["--fresh"] if fresh else [])
    subprocess.run(command, cwd=BASE_DIR, env=env | {"DATABASE_URL": url}, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


class ServerArgs:
    def __init__(self, workers: int, threads: int):
        self.workers, self.threads = workers, threads


def sessions(port: int, plan: dict) -> dict[str, dict[str, str]]:
    """One logged-in session per role, through the real login form (password hashing stays out of the window)."""
    from tests.load.run import Client, Recorder

    found = {"": {}}
    for role in ("focal", "secretary", "reviewer", "admin"):
        recorder = Recorder(deadline=time.monotonic() + 120)
        client = Client(port, plan[role], recorder)
        client.login(plan["password"])
        found[role] = dict(client.cookies)
    return found


def _process_table() -> dict[int, tuple[str, int, int]]:
    """Every process now: pid -> (command name, parent pid, CPU clock ticks used so far)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # "pid (comm) state ppid ... utime stime ...": the name may hold spaces, so split after its ")".
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _ours(table: dict[int, tuple[str, int, int]], roots: set[int]) -> set[int]:
    """The bench's own processes: ``roots`` and their descendants (gunicorn's workers), and PostgreSQL's."""
    ours = {pid for pid, (name, _, _) in table.items() if name == "postgres"} | roots
    while found := {pid for pid, (_, parent, _) in table.items() if parent in ours} - ours:
        ours |= found
    return ours


def cpu_of_others(before: dict, after: dict, roots: set[int]) -> float:
    """CPU seconds that processes other than the bench, its server and PostgreSQL used between two process
    tables (processes that both started and ended in between are not seen)."""
    ours = _ours(after, roots) | _ours(before, roots)
    ticks = sum(
        used - before.get(pid, ("", 0, 0))[2] for pid, (_, _, used) in after.items() if pid not in ours
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def code_version() -> str:
    """The commit measured, and whether the tracked files differed from it (docs/BENCHMARKS.md aside: the run
    writes it)."""
    try:
        head, changed = (
            subprocess.run(
                ["git", *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            for args in (
                ["log", "-1", "--format=%h of %cs"],
                ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/BENCHMARKS.md"],
            )
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"commit {head}" + (", with uncommitted changes" if changed else ", no uncommitted changes")


def machine(postgres_url: str) -> dict:
    from tests.load.run import machine as load_machine

    info = load_machine()
    try:
        meminfo = Path("/proc/meminfo").read_text()
        found = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
        info["ram"] = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else "unknown"
    except OSError:
        info["ram"] = "unknown"
    info["os"] = platform.platform()
    info["code"] = code_version()
    info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    import django
    import gunicorn
    import psycopg2

    info.update(
        django=django.get_version(), gunicorn=gunicorn.__version__, psycopg2=psycopg2.__version__.split()[0]
    )
    db = bench_database(postgres_url)
    connection = pg_connect(db)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgres"] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            info["database_size"] = cursor.fetchone()[0]
            settings = []
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit"):
                cursor.execute(f"SHOW {name}")
                settings.append(f"{name}={cursor.fetchone()[0]}")
            info["postgres_settings"] = ", ".join(settings)
    finally:
        connection.close()
    return info


def operations(url: str, env: dict, workdir: Path, timeout: float) -> tuple[list[dict], str]:
    """bench/operations.py on a copy of the bench database (it rotates blocs and imports units: the copy keeps
    the measured dataset as it was). Returns its rows and a note on what happened."""
    if not (BASE_DIR / "bench" / "operations.py").exists():
        return [], "bench/operations.py is not there yet: no operation was measured."
    db = bench_database(url)
    copy = f"{db['NAME']}_ops"
    copy_url = url.rsplit("/", 1)[0] + "/" + copy
    out = workdir / "operations.json"
    try:
        pg_execute(
            db,
            f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db['NAME']}'",
            f'CREATE DATABASE "{copy}" TEMPLATE "{db["NAME"]}"',
        )
        completed = subprocess.run(
            [sys.executable, "-m", "bench.operations", "--json", str(out)],
            cwd=BASE_DIR,
            env=env | {"DATABASE_URL": copy_url},
            timeout=timeout,
            capture_output=True,
            text=True,
        )
        sys.stdout.write(completed.stdout)
        sys.stderr.write(completed.stderr)
        if completed.returncode != 0 or not out.exists():
            tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
            return [], f"bench/operations.py failed (exit status {completed.returncode}): {tail}"
        rows = json.loads(out.read_text(encoding="utf-8"))
        return rows, f"Measured on a copy of the bench database ({copy}), dropped afterwards."
    except subprocess.TimeoutExpired:
        return [], f"bench/operations.py did not finish within {timeout:.0f} s."
    except Exception as exc:
        return [], f"bench/operations.py could not run: {exc!r}"
    finally:
        try:
            pg_execute(db, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        except Exception as exc:
            log(f"== could not drop {copy}: {exc}")


# ---------------------------------------------------------------------------------------------------------------
# The report


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _queries(page: Page) -> str:
    counts = page.result.queries if page.result else None
    if counts is None:
        return "—"
    low, high = counts
    return str(low) if low == high else f"{low}–{high}"


def verdicts(page: Page, floor_p95: float | None) -> list[str]:
    """The targets the page misses, in words."""
    result = page.result
    misses = []
    p95 = result.server(0.95) if result else None
    if result is None or not result.ok:
        return ["no successful answer"]
    if result.failures:
        misses.append(f"{result.failures} answers other than 200")
    if p95 is not None and p95 > P95_TARGET_MS:
        misses.append(f"p95 {p95:.1f} ms > {P95_TARGET_MS:.0f} ms")
    if floor_p95 and p95 is not None and p95 > FLOOR_RATIO_TARGET * floor_p95:
        misses.append(f"p95 {p95 / floor_p95:.1f}× the one-query floor > {FLOOR_RATIO_TARGET:.0f}×")
    counts = result.queries
    if counts and counts[0] != counts[1]:
        misses.append(f"query count varies ({counts[0]}–{counts[1]})")
    if counts and page.twin_queries is not None and counts[1] != page.twin_queries:
        misses.append(f"{counts[1]} queries here, {page.twin_queries} on the other dataset")
    return misses


def operation_misses(ops_rows: list[dict]) -> list[str]:
    """The operations' targets missed, in words: the year-end report within 1.2× WeasyPrint alone."""
    return [
        f"Year-end report: issued in {row['seconds']:.2f} s, {row['ratio']:.2f}× WeasyPrint alone on the same "
        f"HTML ({row['floor_seconds']:.2f} s) > {REPORT_RATIO_TARGET}× (medians; their spread is in the operations "
        "table)."
        for row in ops_rows
        if row.get("name") == "report_issue" and (row.get("ratio") or 0) > REPORT_RATIO_TARGET
    ]


def report(
    context: dict, page_list: list[Page], ops_rows: list[dict], ops_note: str
) -> tuple[str, list[str]]:
    m = context["machine"]
    # Busy: other processes took more than a tenth of one core over the measurement (the load average says
    # little here: the bench's own clients and server keep it near the number of cores).
    other_cpu, measured_seconds = context.get("other_cpu", 0.0), context.get("measured_seconds", 0.0)
    others = other_cpu / measured_seconds if measured_seconds else 0.0
    busy = others > 0.1
    info = context["dataset"]
    scale = info["params"]
    floors = {page.path: page.result.server(0.95) for page in page_list if page.floor and page.result}
    floor_p95 = floors.get(FLOOR_PATH)
    admin_p95 = next((p95 for path, p95 in floors.items() if path.startswith("/admin/")), None)
    layout_p95 = floors.get(LAYOUT_PATH)
    user_p95 = floors.get(FLOOR_USER_PATH)
    args = context["args"]
    counts = info["counts"]
    main_tables = [
        ("Provinces", "blocs_province"),
        ("Blocs", "blocs_bloc"),
        ("Units", "blocs_unit"),
        ("Users", "blocs_user"),
        ("Bloc-years", "blocs_blocyear"),
        ("Memberships", "blocs_membership"),
        ("Campaigns", "scoring_campaign"),
        ("Criteria", "scoring_criterion"),
        ("Score sheets", "scoring_scoresheet"),
        ("Score lines", "scoring_scoreline"),
        ("Conferences", "scoring_conference"),
        ("Attendances", "scoring_attendance"),
        ("Vote rounds", "scoring_voteround"),
        ("Ballots", "scoring_ballot"),
        ("Ballot choices", "scoring_ballotchoice"),
        ("Nominations", "scoring_nomination"),
        ("Issued documents", "reports_document"),
    ]
    generation = (
        f"Generated in {info['seconds']:.0f} s (plus {info.get('migrate_seconds', 0):.0f} s of migrations) on "
        f"{info.get('generated_on', '?')}"
    )
    if info.get("reused"):
        generation += "; this run reused it (same parameters; `--fresh` generates it again)"
    small_info = context.get("small_dataset") or {}
    small_counts = small_info.get("counts", {})
    small_generation = (
        f"generated in {small_info['seconds']:.0f} s"
        + (", reused by this run" if small_info.get("reused") else "")
        if small_info
        else "not generated"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. "
        f"Run of {context['date']}, {context['total']:.0f} s in all.",
        "",
        "## Machine and versions",
        "",
        f"- Code measured: {m.get('code', 'unknown')}.",
        f"- CPU: {m['cpu_model']}, {m['cpus']} cores; RAM {m['ram']}; {m['os']}.",
        f"- Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, psycopg2 {m['psycopg2']}, "
        f"PostgreSQL {m['postgres']} (bench database {m['database_size']}; {m['postgres_settings']}).",
        f"- Load average when the measurement started: {context['load_before']}; when it ended: "
        f"{context['load_after']} (the bench's own clients and server keep it near the number of cores). The "
        "load generator runs on the same machine and shares its cores; other work on the machine during the run "
        "(tests, builds) inflates the figures: processes other than the bench, gunicorn and PostgreSQL used "
        f"{other_cpu:.1f} CPU-seconds in the {measured_seconds:.0f} s of measurement "
        f"({others:.0%} of one core)."
        + (
            " **The machine was busy**: requests waited for a core, so the server times are inflated; the CPU "
            "and SQL columns are less affected. Run again on a quiet machine for figures to compare with the "
            "targets."
            if busy
            else ""
        ),
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                         # BENCH_DATABASE_URL ?= "
        "postgres://postgres@127.0.0.1:5432/thiduabloc_bench",
        f"# here: python -m bench.run {' '.join(context['argv'])}".rstrip(),
        "python -m bench.dataset --provinces 2   # the dataset alone (DATABASE_URL must name a *bench* database)",
        "```",
        "",
        f"gunicorn {args.workers} workers × {args.threads} threads (gthread), DEBUG off, "
        f"DATABASE_CONN_MAX_AGE={args.conn_max_age}, login throttling off; settings `bench.settings` "
        "(the production settings plus a middleware, outermost, that puts the time of the whole Django stack in "
        "a `Server-Timing` header and the number of SQL queries in `X-Bench-Queries`). "
        f"Each page: {args.clients} client threads with keep-alive connections on 127.0.0.1 ask it in a loop, "
        f"{args.warmup:.0f} s of warm-up dropped, then {args.seconds:.0f} s measured, in {args.rounds} rounds over "
        f"every page ({args.seconds / args.rounds:.0f} s each, after {ROUND_WARMUP} s of warm-up dropped) so that "
        "a slow spell of the machine spreads over the pages. One session per role, "
        "logged in through the login form before any measurement.",
        "",
        "## Dataset",
        "",
        f"{scale['provinces']} provinces × {scale['blocs_per_province']} blocs of 5 to 11 units (8 on average), "
        f"{scale['years']} years ({scale['first_year']}–{scale['first_year'] + scale['years'] - 1}), one campaign "
        "a year per bloc with a 30-item criteria table, a reviewed sheet for every member, the conference with "
        "every member present, one closed electronic round with its ballots, a flag and two Bằng khen "
        "nominations per bloc-year (decided in earlier years; submitted, accepted or returned in the last year, "
        "when one bloc in ten is still at its conference and late), the adopted report and four issued "
        f"documents (only the vote-count minutes for a bloc still at its conference). {generation}. Written with COPY (bench/dataset.py), not through the services; every "
        "issued document points at one shared small PDF rendered once with WeasyPrint, and every account shares "
        "one password hash. No audit entries or score-change history are generated.",
        "",
        f"The small dataset, written the same way: {SMALL.provinces} province × {SMALL.blocs_per_province} blocs, "
        f"{SMALL.years} years ({SMALL.first_year}–{SMALL.first_year + SMALL.years - 1}), {small_generation}. Every "
        "page's query count on it is compared with the national one, and the history pages of a bloc and a unit "
        f"are measured on it as well: a bloc keeps every year, and with {SMALL.years} years the bloc page that "
        "listed them all took twice the CPU time of five (40 against 20 ms in-process), hence pages of five "
        "years for both.",
        "",
        "| table | rows | small dataset |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {label} | {counts.get(table, 0):,} | {small_counts.get(table, 0):,} |"
        for label, table in main_tables
    ]
    lines += [
        "",
        "## Pages",
        "",
        f"Targets: server p95 ≤ {P95_TARGET_MS:.0f} ms and ≤ {FLOOR_RATIO_TARGET:.0f}× the one-query floor's "
        "p95; the same number of queries on every request and on the other dataset (each page of the national "
        "dataset has its twin on the small one, and the history pages measured on the small one have theirs on "
        "the national one: column “other”). Server times in ms; "
        "req/s counted by the client over the window; CPU = the CPU time of the gunicorn thread that answered "
        "(what remains when waits for PostgreSQL and for a busy core are taken out); SQL = time spent in SQL "
        "statements, median; client = from sending the "
        "request to the last byte, as the load generator saw it; ×floor = p95 / the one-query floor's p95 (no "
        "session; the logged-in floor is the same view once the session and the user are read), "
        "×admin = p95 / the admin unit list's p95, ×layout = p95 / the p95 of the layout alone (the page a "
        "logged-in user gets for an empty search: the session and user read, the menu rendered; what every "
        "page costs before its own work).",
        "",
        "| page | role | requests | req/s | p50 | p95 | p99 | CPU p95 | SQL p50 | client p95 | queries | other "
        "| ×floor | ×admin | ×layout | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| --- |",
    ]
    missed = []
    for page in page_list:
        result = page.result
        p95 = result.server(0.95) if result else None
        misses = [] if page.floor else verdicts(page, floor_p95)
        if misses:
            detail = (
                f" (CPU p95 {_ms(result.cpu(0.95))} ms, SQL p50 {_ms(result.db(0.5))} ms)"
                if result and result.ok
                else ""
            )
            missed.append(f"{page.name} (`{page.path}`): " + "; ".join(misses) + detail + ".")
        verdict = "floor" if page.floor else ("pass" if not misses else "**miss**")
        lines.append(
            f"| {page.name} | {page.role or '—'} | {len(result.samples) if result else 0} "
            f"| {result.per_second:.1f} | {_ms(result.server(0.5))} | {_ms(p95)} | {_ms(result.server(0.99))} "
            f"| {_ms(result.cpu(0.95))} | {_ms(result.db(0.5))} | {_ms(result.client(0.95))} | {_queries(page)} | "
            f"{'—' if page.twin_queries is None else page.twin_queries} "
            f"| {_ms(p95 / floor_p95) if p95 and floor_p95 else '—'} "
            f"| {_ms(p95 / admin_p95) if p95 and admin_p95 else '—'} "
            f"| {_ms(p95 / layout_p95) if p95 and layout_p95 else '—'} | {verdict} |"
            if result
            else f"| {page.name} | {page.role or '—'} | 0 |" + " — |" * 12 + " not measured |"
        )
    lines += [
        "",
        "## Where the time goes",
        "",
        "One request per page after the load, alone on the server (`X-Bench-Slowest`): its time, the part spent in "
        "SQL, and its slowest SQL statement (time, the tables it reads). Pages whose time is mostly outside SQL "
        "spend it building model instances and rendering the template.",
        "",
        "| page | server ms | SQL ms | slowest statement |",
        "| --- | ---: | ---: | --- |",
    ]
    for page in page_list:
        probe = page.probe
        if probe is None or probe.status != 200:
            continue
        slowest = probe.slowest.split(" ", 1)
        statement = f"{slowest[0]} ms: {slowest[1]}" if len(slowest) == 2 else "—"
        lines.append(f"| {page.name} | {_ms(probe.server_ms)} | {_ms(probe.db_ms)} | {statement} |")
    lines += ["", "## Operations", ""]
    if ops_rows:
        lines += [
            ops_note,
            "",
            "| operation | seconds | floor seconds | ratio | peak MB | note |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in ops_rows:
            lines.append(
                f"| {row.get('name', '?')} | {_num(row.get('seconds'), 2)} | {_num(row.get('floor_seconds'), 2)} "
                f"| {_num(row.get('ratio'), 2)} | {_num(row.get('peak_mb'), 0)} | {row.get('note', '')} |"
            )
        missed += operation_misses(ops_rows)
    else:
        lines.append(ops_note)
    lines += [
        "",
        "## Missed targets",
        "",
        "Each miss with the page's CPU time (p95) and SQL time (median): when both are far below the server "
        "time, the request mostly waited for a core (a loaded machine), not for its own work.",
        "",
    ]
    if floor_p95 and user_p95:
        left = FLOOR_RATIO_TARGET * floor_p95 - user_p95
        lines += [
            f"The one-query view for a logged-in user, nothing rendered, is {user_p95 / floor_p95:.1f}× the "
            f"one-query floor (p95 {_ms(user_p95)} against {_ms(floor_p95)} ms): the session and the user are two "
            f"more queries. A page within {FLOOR_RATIO_TARGET:.0f}× the floor would have "
            + (
                f"{left:.1f} ms left after them for its menu, its own queries and its template."
                if left > 0
                else "nothing left after them: they alone exceed it, before any menu, query or template."
            ),
            "",
        ]
    if floor_p95 and layout_p95 and layout_p95 > FLOOR_RATIO_TARGET * floor_p95:
        lines += [
            f"The layout alone is {layout_p95 / floor_p95:.1f}× the one-query floor (p95 {_ms(layout_p95)} against "
            f"{_ms(floor_p95)} ms): reading the session and the user and rendering the menu already exceed "
            f"{FLOOR_RATIO_TARGET:.0f}× the floor, before a page does any work of its own. ×layout in the table "
            "above is each page's cost over that.",
            "",
        ]
    lines += [f"- {text}" for text in missed] or ["None."]
    if context["errors"]:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in context["errors"][:30]]
    return "\n".join(lines) + "\n", missed


def _num(value, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces", type=int, default=Scale.provinces, help="provinces (34)")
    parser.add_argument("--blocs-per-province", type=int, default=Scale.blocs_per_province, help="(40)")
    parser.add_argument("--years", type=int, default=Scale.years, help="years of history (5)")
    parser.add_argument("--fresh", action="store_true", help="generate the dataset again even if it is there")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per page (10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per page, dropped (2)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds over the pages; each measures seconds / rounds (5)"
    )
    parser.add_argument("--clients", type=int, default=2, help="client threads per page (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (1: one request per core at a time)",
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE (60)")
    parser.add_argument(
        "--only", help="measure only the pages whose name contains this text (and the floors)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--skip-operations", action="store_true", help="do not run bench/operations.py")
    parser.add_argument("--operations-timeout", type=float, default=1200, help="seconds (1200)")
    parser.add_argument("--report", type=Path, default=BASE_DIR / "docs" / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds <= 0:
        parser.error("--rounds must be at least 1 and --seconds positive")
    return args


def _stop(signum, frame):
    raise KeyboardInterrupt  # so that the finally blocks stop gunicorn and remove the work folder


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    begun = time.monotonic()
    url = os.environ.get("DATABASE_URL", "")
    db = bench_database(url)
    small_url = url.rsplit("/", 1)[0] + f"/{db['NAME']}_small"
    workdir = Path(tempfile.mkdtemp(prefix="thiduabloc-bench-"))
    env = server_env(url, workdir, args.conn_max_age)
    scale = Scale(args.provinces, args.blocs_per_province, args.years)
    errors: list[str] = []
    servers: dict[str, Gunicorn] = {}
    try:
        static_root = Path(env["STATIC_ROOT"])
        collect = None
        if not static_is_current(static_root):
            log(f"== collectstatic into {static_root} (while the data is prepared)")
            collect = subprocess.Popen(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE_DIR, env=env
            )
        info = dataset(url, scale, fresh=args.fresh, env=env, workdir=workdir, label="national")
        small = dataset(small_url, SMALL, fresh=False, env=env, workdir=workdir, label="small")
        if collect is not None and collect.wait(timeout=600) != 0:
            raise RuntimeError("collectstatic failed")
        plans = {"national": info["plan"], "small": small["plan"]}

        # Every page of the national dataset, then the history pages with 20 years on the small one; each
        # names its twin on the other dataset, whose query count must be the same.
        twins = {page.name: page.path for page in pages(plans["small"])}
        page_list = pages(plans["national"])
        for page in page_list:
            page.twin = twins[page.name]
        deep = history_pages(plans["small"], first_year=SMALL.first_year, dataset="small")
        national_twins = history_pages(plans["national"], first_year=scale.first_year, dataset="")
        for page, twin in zip(deep, national_twins, strict=True):
            page.twin = twin.path
        page_list += deep
        if args.only:
            page_list = [p for p in page_list if p.floor or args.only.lower() in p.name.lower()]

        # Each server its own log folder: Gunicorn finds its port in its log.
        ports, role_sessions = {}, {}
        for name, database_url in (("small", small_url), ("national", url)):
            (workdir / name).mkdir()
            servers[name] = Gunicorn(
                ServerArgs(args.workers, args.threads), workdir / name, env | {"DATABASE_URL": database_url}
            )
            ports[name] = servers[name].start()
            role_sessions[name] = sessions(ports[name], plans[name])
        for page in page_list:
            other = "small" if page.dataset == "national" else "national"
            samples = http.probe(ports[other], page.twin, role_sessions[other][page.role])
            ok = [s for s in samples if s.status == 200]
            page.twin_queries = ok[-1].queries if ok else None
            if not ok:
                errors.append(f"{other} dataset: {page.twin} answered {samples[-1].status}")
        context = {"load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
        processes_before, measure_began = _process_table(), time.monotonic()
        log(
            f"== gunicorn on {http.HOST}:{ports['national']} (national dataset) and :{ports['small']} (small), "
            f"{args.workers} workers × {args.threads} threads each; {len(page_list)} pages × "
            f"{args.warmup + args.seconds:.0f} s in {args.rounds} rounds"
        )
        # The pages in turn, several rounds: each page's seconds are spread over the run, so that a slow spell of
        # the machine (a neighbour on the host, a checkpoint) weighs on every page a little, not on one page all.
        for round_number in range(args.rounds):
            for page in page_list:
                measured = http.measure(
                    ports[page.dataset],
                    page.path,
                    role_sessions[page.dataset][page.role],
                    clients=args.clients,
                    seconds=args.seconds / args.rounds,
                    warmup=args.warmup if round_number == 0 else ROUND_WARMUP,
                )
                page.result = measured if round_number == 0 else page.result + measured
        for page in page_list:
            errors += page.result.errors[:3]
            result = page.result
            log(
                f"   {page.name:<42} {len(result.samples):>5} req {result.per_second:7.1f}/s  "
                f"p50 {_ms(result.server(0.5)):>6}  p95 {_ms(result.server(0.95)):>6}  "
                f"p99 {_ms(result.server(0.99)):>6} cpu95 {_ms(result.cpu(0.95)):>6} "
                f"sql50 {_ms(result.db(0.5)):>6} ms  queries {_queries(page)} (other dataset {page.twin_queries})"
                + (f"  {result.failures} non-200" if result.failures else "")
            )
        context["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        context["measured_seconds"] = time.monotonic() - measure_began
        context["other_cpu"] = cpu_of_others(
            processes_before,
            _process_table(),
            {os.getpid(), *(server.process.pid for server in servers.values())},
        )
        for page in page_list:
            samples = http.probe(
                ports[page.dataset], page.path, role_sessions[page.dataset][page.role], times=3, slowest=True
            )
            page.probe = samples[-1]
        for server in servers.values():
            server.stop()
            errors += server.errors_logged()[:10]

        ops_rows, ops_note = ([], "Skipped (--skip-operations).")
        if not args.skip_operations:
            log("== operations (bench/operations.py) on a copy of the database")
            ops_rows, ops_note = operations(url, env, workdir, args.operations_timeout)
            log(f"   {ops_note}")
        context.update(
            machine=machine(url),
            dataset=info,
            small_dataset=small,
            args=args,
            argv=argv,
            errors=errors,
            date=datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            total=time.monotonic() - begun,
        )
        text, missed = report(context, page_list, ops_rows, ops_note)
        args.report.write_text(text, encoding="utf-8")
        log(text)
        log(
            f"== wrote {args.report.relative_to(BASE_DIR) if args.report.is_relative_to(BASE_DIR) else args.report}"
        )
        return 1 if missed and args.strict else 0
    except (Exception, KeyboardInterrupt):
        traceback.print_exc()
        for name, server in servers.items():
            log(f"== the bench could not complete; gunicorn's log ({name} dataset):\n{server.tail()}")
        return 2
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
