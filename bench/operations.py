"""The heavy operations `make bench` times beside the pages: issuing the year-end report (against WeasyPrint alone
rendering the same HTML), closing the largest vote round, rotating every bloc to its next year, and importing
10,000 units from an .xlsx file.

    DATABASE_URL=postgres://... python -m bench.operations --json var/bench/operations.json

The database must already hold a dataset (the bench dataset, or `manage.py load_demo`). Every measurement runs
inside a transaction that is rolled back, and the PDFs issued meanwhile are deleted, so the database and the
media folder are as they were and the command can run again.

Each measurement runs in a fresh Python process (``--only NAME``), so that its peak memory is that of the
operation: ``peak_mb`` is the process's peak resident set size (``ru_maxrss``, which counts WeasyPrint's C
allocations too) minus its resident size just before the first, cold run. Times are the median of ``--repeat``
warm runs, after one untimed run.
"""

import argparse
import datetime
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

NAMES = ("report_issue", "report_floor", "round_close", "bloc_rotation", "unit_import")
IMPORT_ROWS = 10_000


def row(name: str, seconds: float, *, floor=None, peak_mb=None, note: str = "") -> dict:
    seconds = round(seconds, 4)
    floor = round(floor, 4) if floor is not None else None
    return {
        "name": name,
        "seconds": seconds,
        "floor_seconds": floor,
        # Of the rounded figures, so that the ratio a reader works out from the table is the one printed.
        "ratio": round(seconds / floor, 3) if floor else None,
        "peak_mb": round(peak_mb, 1) if peak_mb is not None else None,
        "note": note,
    }


def _rss_mb() -> float:
    """Resident set size now (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _max_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakMemory:
    """The rise of this process's peak RSS above its RSS at the start: the memory the operation needed."""

    def __enter__(self):
        self.start = _rss_mb()
        self.mb = None
        return self

    def __exit__(self, *exc):
        self.mb = max(_max_rss_mb() - self.start, 0.0)


@contextmanager
def rolled_back():
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def _spread(times: list[float]) -> str:
    return f"median of {len(times)} warm runs (min {min(times):.3f} s, max {max(times):.3f} s)"


# The year-end report ------------------------------------------------------------------------------------------


def report_campaign():
    """The campaign whose report is the heaviest: past its conference, with the most members."""
    from django.db.models import Count

    from scoring.models import Campaign

    statuses = list(Campaign.Status.values)
    ready = statuses[statuses.index(Campaign.Status.CONFERENCE) :]
    campaign = (
        Campaign.objects.filter(status__in=ready)
        .annotate(members=Count("bloc_year__memberships"))
        .order_by("-members", "-pk")
        .first()
    )
    if campaign is None:
        raise SystemExit("No campaign at its conference or later: the report cannot be issued.")
    return campaign


def _issued_on(campaign) -> datetime.date:
    from scoring.models import Conference

    conference = Conference.objects.filter(campaign=campaign).first()
    return conference.held_on if conference else datetime.date(campaign.bloc_year.year, 12, 31)


def issue_report_once(campaign, issued_on: datetime.date) -> tuple[float, float, dict]:
    """Issue the report inside a transaction rolled back at once and delete its PDF. Returns the time the issue
    took, the part of it spent in `reports.rendering.render_pdf` (template and WeasyPrint), and the snapshot it
    froze. Raises if the document or its file is left behind."""
    from reports import rendering
    from reports.models import Document
    from reports.services import document_issue

    render_pdf, rendering_times = rendering.render_pdf, []

    def timed_render_pdf(snapshot: dict) -> bytes:
        seconds, pdf = _timed(render_pdf, snapshot)
        rendering_times.append(seconds)
        return pdf

    documents = Document.objects.count()
    document = None
    rendering.render_pdf = timed_render_pdf
    try:
        with rolled_back():
            seconds, document = _timed(
                document_issue,
                actor=None,
                campaign=campaign,
                kind=Document.Kind.REPORT,
                issued_on=issued_on,
            )
    finally:
        rendering.render_pdf = render_pdf
        # document_issue deletes its file only when its own transaction fails; ours rolls back without error.
        if document is not None and document.pdf.name:
            document.pdf.storage.delete(document.pdf.name)
    if document.pdf.storage.exists(document.pdf.name) or Document.objects.count() != documents:
        raise RuntimeError("the rolled-back issue left a document or its PDF behind")
    return seconds, sum(rendering_times), document.snapshot


def render_floor(html: str) -> bytes:
    """WeasyPrint alone on the report's HTML, with the stylesheets, fonts and URL fetcher
    `reports.rendering.render_pdf` uses: the time below which issuing cannot go."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports.rendering import font_css, url_fetcher

    fonts = FontConfiguration()
    fetcher = url_fetcher()
    stylesheets = [
        CSS(string=font_css(), font_config=fonts, url_fetcher=fetcher),
        CSS(filename=finders.find("reports/print.css"), font_config=fonts, url_fetcher=fetcher),
    ]
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )


def _report_size(snapshot: dict) -> str:
    return (
        f"{snapshot['number_label']} of {snapshot['bloc_name']} {snapshot['year']}: "
        f"{snapshot['member_count']} members, {len(snapshot['rounds'])} round(s), "
        f"{len(snapshot['nominations'])} nominations, {len(snapshot['summary']['rows'])} score rows"
    )


def measure_report_issue(campaign, *, repeat: int = 7) -> list[dict]:
    """Issue time against the WeasyPrint floor, timed alternately in this process so that both see the same
    machine; the peak memory is that of the first, cold issue."""
    from reports.rendering import render_html

    issued_on = _issued_on(campaign)
    with PeakMemory() as memory:
        _cold, _rendering, snapshot = issue_report_once(campaign, issued_on)
    html = render_html(snapshot)
    render_floor(html)  # warm-up of the floor, untimed
    issues, own, floors = [], [], []
    for _ in range(repeat):
        seconds, rendering, _snapshot = issue_report_once(campaign, issued_on)
        issues.append(seconds)
        own.append(seconds - rendering)
        floors.append(_timed(render_floor, html)[0])
    issue, floor = statistics.median(issues), statistics.median(floors)
    note = (
        f"reports.services.document_issue, {_report_size(snapshot)}; {_spread(issues)}; floor: "
        f"weasyprint.HTML(render_html(snapshot)).write_pdf, {_spread(floors)}, alternated with the issues "
        f"(ratio of the minima {min(issues) / min(floors):.3f}); outside render_pdf (snapshot, numbering, "
        f"hashing, storage, audit) the issue took {statistics.median(own) * 1000:.0f} ms (median); "
        f"peak_mb: RSS rise of the cold first issue; rolled back, PDF deleted"
    )
    return [row("report_issue", issue, floor=floor, peak_mb=memory.mb, note=note)]


def measure_report_floor(campaign, *, repeat: int = 7) -> list[dict]:
    """WeasyPrint alone, in a process where nothing rendered before: its own cold peak memory."""
    from reports import rendering
    from reports.rendering import render_html

    snapshots = []

    def capture(snapshot: dict) -> bytes:
        snapshots.append(snapshot)
        return b"%PDF-1.7\n"

    # The exact snapshot of an issue, taken without rendering, so that WeasyPrint is still cold below.
    original, rendering.render_pdf = rendering.render_pdf, capture
    try:
        issue_report_once(campaign, _issued_on(campaign))
    finally:
        rendering.render_pdf = original
    html = render_html(snapshots[0])
    with PeakMemory() as memory:
        render_floor(html)
    floors = [_timed(render_floor, html)[0] for _ in range(repeat)]
    note = (
        f"WeasyPrint alone on the report's HTML ({_report_size(snapshots[0])}); {_spread(floors)}; "
        f"peak_mb: RSS rise of the cold first rendering"
    )
    return [row("report_floor", statistics.median(floors), peak_mb=memory.mb, note=note)]


# Closing a vote round -----------------------------------------------------------------------------------------


def largest_round():
    """The closed round with the most candidates, then the most ballots."""
    from django.db.models import Count

    from scoring.models import VoteRound

    vote_round = (
        VoteRound.objects.filter(status=VoteRound.Status.CLOSED)
        .annotate(
            candidates=Count("awards__candidates", distinct=True),
            ballot_count=Count("ballots", distinct=True),
        )
        .order_by("-candidates", "-ballot_count", "-pk")
        .first()
    )
    if vote_round is None:
        raise SystemExit("No closed vote round in the database.")
    return vote_round


def close_round_once(vote_round) -> float:
    """Reopen a closed round as it was before closing (no result, no nominations from it), close it again with
    `scoring.conference.round_close`, time that, and roll everything back."""
    from scoring.conference import round_close
    from scoring.models import Nomination, NominationVersion, RoundCandidate, VoteRound

    with rolled_back():
        NominationVersion.objects.filter(nomination__candidate__round_award__round=vote_round).delete()
        Nomination.objects.filter(candidate__round_award__round=vote_round).delete()
        RoundCandidate.objects.filter(round_award__round=vote_round).update(
            approvals=0, passed=False, elected=False, runoff=False
        )
        VoteRound.objects.filter(pk=vote_round.pk).update(status=VoteRound.Status.OPEN, closed_at=None)
        seconds, _closed = _timed(round_close, actor=None, vote_round=VoteRound.objects.get(pk=vote_round.pk))
    return seconds


def measure_round_close(vote_round, *, repeat: int = 5) -> list[dict]:
    from scoring.models import BallotChoice, RoundCandidate

    with PeakMemory() as memory:
        close_round_once(vote_round)
    times = [close_round_once(vote_round) for _ in range(repeat)]
    candidates = RoundCandidate.objects.filter(round_award__round=vote_round).count()
    choices = BallotChoice.objects.filter(ballot__round=vote_round).count()
    note = (
        f"scoring.conference.round_close (count, tally.tally_award, results, nominations) on round "
        f"{vote_round.pk} ({vote_round.get_method_display()}, {vote_round.present_count} present, "
        f"{candidates} candidates, {vote_round.ballots.count()} ballots, {choices} choices), reopened first; "
        f"{_spread(times)}; peak_mb: RSS rise of the first close; rolled back"
    )
    return [row("round_close", statistics.median(times), peak_mb=memory.mb, note=note)]


# Rotation of every bloc ---------------------------------------------------------------------------------------


def rotate_all_once() -> tuple[float, int, list[str], float]:
    """Rotate every bloc that has a year to its next year, in one transaction rolled back. Returns the total
    time, the blocs rotated, the refusals (a bloc with fewer than two active units...) and the slowest bloc."""
    from django.db.models import Max

    from blocs.errors import BlocError
    from blocs.models import Bloc
    from blocs.services import bloc_rotate

    blocs = list(
        Bloc.objects.annotate(latest_year=Max("years__year")).filter(latest_year__isnull=False).order_by("pk")
    )
    rotated, refused, slowest = 0, [], 0.0
    start = time.perf_counter()
    with rolled_back():
        for bloc in blocs:
            year = bloc.latest_year + 1
            began = time.perf_counter()
            try:
                bloc_rotate(actor=None, bloc=bloc, year=year, handover_date=datetime.date(year, 1, 2))
            except BlocError as exc:
                refused.append(f"{bloc.pk}: {exc.message}")
            else:
                rotated += 1
            slowest = max(slowest, time.perf_counter() - began)
    return time.perf_counter() - start, rotated, refused, slowest


def measure_rotation(*, repeat: int = 3) -> list[dict]:
    with PeakMemory() as memory:
        rotate_all_once()
    runs = [rotate_all_once() for _ in range(repeat)]
    times = [r[0] for r in runs]
    total, rotated, refused, slowest = sorted(runs)[len(runs) // 2]
    note = (
        f"blocs.services.bloc_rotate for every bloc to its next year in one transaction: {rotated} blocs "
        f"rotated, {total / max(rotated + len(refused), 1) * 1000:.1f} ms per bloc, slowest bloc "
        f"{slowest * 1000:.1f} ms; {_spread(times)}; peak_mb: RSS rise of the first run; rolled back"
    )
    if refused:
        note += f"; {len(refused)} refused, e.g. {refused[0]}"
    return [row("bloc_rotation", statistics.median(times), peak_mb=memory.mb, note=note)]


# Import of 10,000 units ---------------------------------------------------------------------------------------


def unit_workbook(count: int = IMPORT_ROWS) -> bytes:
    """An .xlsx unit list with the columns of the admin's import, each row a plausible unit."""
    from openpyxl import Workbook

    from blocs.unit_import import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đơn vị")
    sheet.append([str(c.title) for c in COLUMNS])
    for n in range(1, count + 1):
        values = {
            "name": f"Hội Cựu thanh niên xung phong phường Bình Thủy số {n}",
            "short_name": f"Hội CTNXP Bình Thủy {n}",
            "abbreviation": f"CTNXP-{n:05d}",
            "parent_body": "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố",
            "address": f"{n} đường Cách Mạng Tháng Tám, phường Bình Thủy, thành phố Cần Thơ",
            "head_name": "Nguyễn Thị Ngọc Hương",
            "head_title": "Chủ tịch",
            "valid_from": datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 365),
            "valid_to": None,
        }
        sheet.append([values[c.field] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_units_once(content: bytes) -> dict[str, float]:
    """Upload, preview and apply ``content`` into a province made for the purpose, all rolled back; the time of
    each step. Upload and preview are what the admin's two pages do besides rendering (see blocs/admin.py)."""
    from blocs.models import Province, Unit
    from blocs.services import unit_import_apply, unit_import_upload
    from blocs.unit_import import parse_units

    with rolled_back():
        province = Province.objects.create(name="Tỉnh thử tải", code="ZZ-BENCH", kind="tinh")
        upload, (pending, result) = _timed(
            unit_import_upload, actor=None, province=province, file_name="don-vi.xlsx", content=content
        )
        if pending is None:
            raise RuntimeError(f"the generated workbook was refused: {result.errors[:3]}")
        preview, _result = _timed(
            parse_units, file_name=pending.file_name, content=bytes(pending.content), province=province
        )
        apply, created = _timed(unit_import_apply, actor=None, unit_import=pending)
        if created != len(result.rows) or Unit.objects.filter(province=province).count() != created:
            raise RuntimeError("the import did not create every unit of the file")
    return {"upload": upload, "preview": preview, "apply": apply}


def measure_unit_import(*, count: int = IMPORT_ROWS, repeat: int = 3) -> list[dict]:
    from blocs.forms import MAX_IMPORT_BYTES

    content = unit_workbook(count)
    with PeakMemory() as memory:
        import_units_once(content)
    runs = [import_units_once(content) for _ in range(repeat)]
    size = (
        f"{count} rows, {len(content) / 2**20:.2f} MB "
        f"({'within' if len(content) <= MAX_IMPORT_BYTES else 'OVER'} the {MAX_IMPORT_BYTES / 2**20:.0f} MB "
        f"upload limit of blocs.forms.MAX_IMPORT_BYTES)"
    )
    steps = {
        "upload": "blocs.services.unit_import_upload: read the .xlsx, check every row, keep the file",
        "preview": "blocs.unit_import.parse_units again, as the preview page does",
        "apply": "blocs.services.unit_import_apply: parse again and create the units",
    }
    rows = []
    for step, what in steps.items():
        times = [r[step] for r in runs]
        note = f"{what}; {size}; {_spread(times)}; rolled back"
        if step == "upload":
            note += "; peak_mb: RSS rise over the first upload, preview and apply together"
        rows.append(
            row(
                f"unit_import_{step}",
                statistics.median(times),
                peak_mb=memory.mb if step == "upload" else None,
                note=note,
            )
        )
    return rows


# Running ------------------------------------------------------------------------------------------------------


def measure(name: str, *, repeat: int | None = None) -> list[dict]:
    """One measurement on the database's own data."""
    options = {"repeat": repeat} if repeat else {}
    if name == "report_issue":
        return measure_report_issue(report_campaign(), **options)
    if name == "report_floor":
        return measure_report_floor(report_campaign(), **options)
    if name == "round_close":
        return measure_round_close(largest_round(), **options)
    if name == "bloc_rotation":
        return measure_rotation(**options)
    if name == "unit_import":
        return measure_unit_import(**options)
    raise ValueError(f"unknown measurement {name}")


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduabloc.settings")
    django.setup()


def _import_weasyprint() -> None:
    """Imports are the worker's fixed cost, not the operation's: done before the memory baseline."""
    import openpyxl  # noqa: F401
    import weasyprint  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, required=True, help="where to write the list of measurements")
    parser.add_argument("--only", choices=NAMES, help="run this one measurement in this process")
    parser.add_argument(
        "--repeat",
        type=int,
        help="warm runs per measurement (default 7 for the report, 5 for the round, 3 for the long ones)",
    )
    args = parser.parse_args(argv)
    if args.only:
        _setup_django()
        _import_weasyprint()
        rows = measure(args.only, repeat=args.repeat)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0

    rows, failed = [], []
    with tempfile.TemporaryDirectory(prefix="bench-operations-") as scratch:
        for name in NAMES:
            output = Path(scratch) / f"{name}.json"
            command = [sys.executable, "-m", "bench.operations", "--only", name, "--json", str(output)]
            if args.repeat:
                command += ["--repeat", str(args.repeat)]
            print(f"bench.operations: {name}…", file=sys.stderr, flush=True)
            if subprocess.run(command, check=False).returncode != 0:
                failed.append(name)
                continue
            for measured in json.loads(output.read_text()):
                rows.append(measured)
                print(
                    f"  {measured['name']}: {measured['seconds']:.3f} s"
                    + (f", {measured['ratio']:.2f}× the floor" if measured["ratio"] else "")
                    + (f", peak {measured['peak_mb']:.0f} MB" if measured["peak_mb"] is not None else ""),
                    file=sys.stderr,
                )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    if failed:
        print(f"bench.operations: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
