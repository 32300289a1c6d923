"""Load run of `make reliability`: the app under gunicorn with PostgreSQL, on 127.0.0.1 only, bounded in time.

200 delegates vote in 20 electronic rounds open at the same time while 50 users browse and save their score
sheets; then the head of each bloc closes its round and the database is checked against what was sent: one ballot
per delegate who was told it counted, the tallies equal to the ballots sent, every score sheet at its last
acknowledged save with one version per save, no 5xx, no unexpected 4xx. Latencies go to docs/reliability-load.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thiduabloc_load .venv/bin/python -m tests.load.run

The database named in DATABASE_URL is dropped and created again (its name must contain "load"), then dropped at
the end unless --keep. Exit status: 0 when every check passes, 1 when one fails, 2 when the run could not start.
"""

import argparse
import collections
import dataclasses
import datetime
import html.parser
import http.client
import http.cookies
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 90  # seconds; a request slower than this counts as an error
BALLOT_RECORDED = "Phiếu của đơn vị đã được ghi nhận"
ROUND_CLOSED = "kết quả đã được chốt"


# ---------------------------------------------------------------------------------------------------------------
# HTTP: one client per user, a cookie jar, every request timed and recorded


@dataclasses.dataclass
class Sample:
    kind: str
    method: str
    path: str
    status: int  # 0: no response (connection error, timeout)
    seconds: float
    expected: bool
    user: str
    note: str = ""


class Recorder:
    def __init__(self, deadline: float):
        self.samples: list[Sample] = []
        self.problems: list[str] = []  # flows that stopped, with why
        self.deadline = deadline
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)


class FlowStopped(Exception):
    """A user's flow cannot go on (error response, deadline); already recorded."""


@dataclasses.dataclass
class Response:
    status: int
    location: str
    body: str


class Client:
    def __init__(self, port: int, username: str, recorder: Recorder):
        self.port = port
        self.username = username
        self.recorder = recorder
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, *, form=None, expect=(200,)) -> Response:
        if time.monotonic() > self.recorder.deadline:
            self.recorder.problem(f"{self.username}: deadline reached before {method} {path}")
            raise FlowStopped
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "thiduabloc-load", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        # A new connection per request: a request is never sent twice on a keep-alive connection the server closed.
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
        except (OSError, http.client.HTTPException) as exc:
            seconds = time.perf_counter() - started
            self.recorder.add(Sample(kind, method, path, 0, seconds, False, self.username, repr(exc)))
            self.recorder.problem(f"{self.username}: {method} {path}: {exc!r}")
            raise FlowStopped from exc
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in raw.msg.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        response = Response(raw.status, raw.getheader("Location", ""), data.decode("utf-8", "replace"))
        ok = raw.status in expect
        note = "" if ok else _page_message(response.body)
        self.recorder.add(Sample(kind, method, path, raw.status, seconds, ok, self.username, note))
        if not ok:
            self.recorder.problem(f"{self.username}: {method} {path} answered {raw.status} {note}".strip())
            raise FlowStopped
        return response

    def get(self, kind: str, path: str, **kwargs) -> Response:
        return self.request(kind, "GET", path, **kwargs)

    def post(self, kind: str, path: str, form, **kwargs) -> Response:
        return self.request(kind, "POST", path, form=form, **kwargs)

    def follow(self, kind: str, response: Response) -> Response:
        return self.get(kind, urlsplit(response.location).path or "/")

    def login(self, password: str) -> Response:
        """The real login form: its CSRF token, then the dashboard it sends to."""
        page = self.get("login page", "/login/")
        form = Form.named(page.body, action="/login/")
        form.fields.update({"username": self.username, "password": password})
        response = self.post("login", "/login/", form.fields, expect=(302,))
        if "sessionid" not in self.cookies:
            self.recorder.problem(f"{self.username}: logged in without a session cookie")
            raise FlowStopped
        return self.follow("browse", response)

    def fetch_static(self, page: Response) -> None:
        """What a browser fetches once: the stylesheets and scripts the page names."""
        for path in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.body))):
            self.get("static", path)


def _page_message(body: str) -> str:
    found = re.search(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</', body, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip()[:200] if found else ""


class Form:
    """The fields of one <form> of a page, with those placed outside it by a form="id" attribute."""

    def __init__(self, fields: dict[str, list[str]], checkboxes: dict[str, list[str]]):
        self.fields = fields  # name -> the value(s) the browser would send as the page stands
        self.checkboxes = checkboxes  # name -> every value offered

    @classmethod
    def named(cls, page: str, *, action: str | None = None, form_id: str | None = None) -> "Form":
        parser = _FormParser()
        parser.feed(page)
        parser.close()
        for form in parser.forms:
            if (action and form["action"] == action) or (form_id and form["id"] == form_id):
                fields: dict[str, list[str]] = {}
                boxes: dict[str, list[str]] = {}
                for name, value, kind, checked in form["fields"] + parser.outside.get(form["id"] or "", []):
                    if kind in ("checkbox", "radio"):
                        boxes.setdefault(name, []).append(value)
                        if not checked:
                            continue
                    if kind in ("submit", "file"):
                        continue
                    fields.setdefault(name, []).append(value)
                return cls(fields, boxes)
        raise ValueError(f"no form {action or form_id} on the page")


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.outside: dict[str, list] = {}
        self._form: dict | None = None
        self._select: list | None = None  # [name, owner, first option, selected option]
        self._textarea: list | None = None  # [name, owner, text]

    def _owner(self, attrs: dict):
        if attrs.get("form"):
            return self.outside.setdefault(attrs["form"], [])
        return self._form["fields"] if self._form is not None else None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "id": a.get("id", ""), "fields": []}
            self.forms.append(self._form)
        elif tag == "input" and a.get("name"):
            owner = self._owner(a)
            if owner is not None:
                owner.append((a["name"], a.get("value", ""), a.get("type", "text"), "checked" in a))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], self._owner(a), None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in a:
                self._select[3] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], self._owner(a), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, owner, first, chosen = self._select
            if owner is not None:
                owner.append((name, chosen if chosen is not None else (first or ""), "select", True))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, owner, text = self._textarea
            if owner is not None:
                owner.append((name, text.removeprefix("\n"), "textarea", True))
            self._textarea = None


# ---------------------------------------------------------------------------------------------------------------
# What the users do


@dataclasses.dataclass
class Cast:
    delegate: object  # seed.Delegate
    choices: dict[int, list[int]]  # award id -> candidate ids ticked
    answered_at: float = 0.0  # when the POST got its answer (time.monotonic)
    recorded: bool = False  # the page after it said the ballot counted


@dataclasses.dataclass
class Save:
    username: str
    sheet_id: int
    expected_version: int
    scores: dict[int, Decimal]  # criterion id -> score sent
    comments: dict[int, str]
    violations: dict[int, str]
    status: int = 0


class Run:
    def __init__(self, plan, port: int, args, recorder: Recorder):
        self.plan = plan
        self.port = port
        self.args = args
        self.recorder = recorder
        self.ready = threading.Semaphore(0)
        self.go = threading.Event()  # the chairs open the vote: every delegate casts at once
        self.casts: list[Cast] = []
        self.saves: list[Save] = []
        self.heads: dict[int, Client] = {}  # round id -> its head's logged-in client, to close it
        self._lock = threading.Lock()

    def choices_for(self, delegate) -> dict[int, list[int]]:
        rng = random.Random(f"{self.args.seed}:{delegate.username}")
        return {
            award.pk: sorted(rng.sample(sorted(award.candidates), rng.randint(0, award.seats)))
            for award in delegate.awards
        }

    def _think(self, rng: random.Random) -> None:
        time.sleep(rng.uniform(0, self.args.think))

    # A delegate: logs in on arrival, opens the round and its ballot, waits for the chair, votes once.
    def delegate(self, delegate, start_at: float) -> None:
        client = Client(self.port, delegate.username, self.recorder)
        cast = Cast(delegate, self.choices_for(delegate))
        with self._lock:
            self.casts.append(cast)
        signalled = False
        try:
            time.sleep(max(0.0, start_at - time.monotonic()))
            client.fetch_static(client.login(self.plan.password))
            if delegate.manages:
                self.heads[delegate.round_id] = client
            page = client.get("round page", f"/rounds/{delegate.round_id}/")
            if f'href="/rounds/{delegate.round_id}/ballot/"' not in page.body:
                self.recorder.problem(f"{delegate.username}: the round page offers no ballot")
                return
            ballot_path = f"/rounds/{delegate.round_id}/ballot/"
            ballot = Form.named(client.get("ballot form", ballot_path).body, action=f"{ballot_path}cast/")
            offered = {name: sorted(int(v) for v in values) for name, values in ballot.checkboxes.items()}
            planned = {f"award_{a.pk}": sorted(a.candidates) for a in delegate.awards}
            if offered != planned:
                self.recorder.problem(f"{delegate.username}: ballot offers {offered}, expected {planned}")
                return
            self.ready.release()
            signalled = True
            self.go.wait(timeout=max(0.0, self.recorder.deadline - time.monotonic()))
            form = dict(ballot.fields)
            for award_id, candidate_ids in cast.choices.items():
                form[f"award_{award_id}"] = [str(i) for i in candidate_ids]
            response = client.post("ballot cast", f"{ballot_path}cast/", form, expect=(302,))
            cast.answered_at = time.monotonic()
            after = client.follow("round page", response)
            cast.recorded = BALLOT_RECORDED in after.body
            if not cast.recorded:
                self.recorder.problem(f"{delegate.username}: ballot refused: {_page_message(after.body)}")
        except FlowStopped:
            pass
        except Exception as exc:  # a bug of this script: report it with the rest
            self.recorder.problem(f"{delegate.username}: {exc!r}")
        finally:
            if not signalled:
                self.ready.release()

    # A unit's focal person or secretary: browses, saves the sheet, browses; half the saves after the vote opens.
    def scorer(self, scorer, start_at: float) -> None:
        client = Client(self.port, scorer.username, self.recorder)
        rng = random.Random(f"{self.args.seed}:{scorer.username}")
        pages = [
            f"/campaigns/{scorer.campaign_id}/",
            f"/campaigns/{scorer.campaign_id}/criteria/",
            f"/campaigns/{scorer.campaign_id}/summary/",
            f"/campaigns/{scorer.campaign_id}/sheets/",
            f"/campaigns/{scorer.campaign_id}/covenant/",
            f"/blocs/{scorer.bloc_id}/",
            f"/units/{scorer.unit_id}/",
            "/",
        ]
        sheet_path = f"/sheets/{scorer.sheet_id}/"
        try:
            time.sleep(max(0.0, start_at - time.monotonic()))
            client.fetch_static(client.login(self.plan.password))
            page = client.get("sheet page", sheet_path)
            for attempt in range(self.args.saves):
                if attempt == self.args.saves // 2:
                    self.go.wait(timeout=max(0.0, self.recorder.deadline - time.monotonic()))
                self._think(rng)
                client.get("browse", pages[(attempt + rng.randrange(len(pages))) % len(pages)])
                self._think(rng)
                save = self._sheet_values(scorer, page.body, attempt, rng)
                form = save.pop("form")
                record = Save(scorer.username, scorer.sheet_id, **save)
                with self._lock:
                    self.saves.append(record)
                response = client.post("sheet save", f"{sheet_path}save/", form, expect=(302, 409))
                record.status = response.status
                if response.status == 302:
                    page = client.follow("sheet page", response)
                else:  # a conflict: the page shows what this user typed on the old version; load it afresh
                    page = client.get("sheet page", sheet_path)
        except FlowStopped:
            pass
        except Exception as exc:
            self.recorder.problem(f"{scorer.username}: {exc!r}")

    def _sheet_values(self, scorer, page: str, attempt: int, rng: random.Random) -> dict:
        """New values for every line of the sheet, inside each maximum and group cap; the comment of the first
        line names the user and the attempt, so that every save changes the sheet."""
        form = Form.named(page, form_id="sheet-form")
        expected = {"csrfmiddlewaretoken", "version"}
        for item in scorer.criteria:
            expected |= {f"c{item.pk}", f"v{item.pk}" if item.kind == "knockout" else f"s{item.pk}"}
        if set(form.fields) != expected:
            raise ValueError(f"sheet form fields {sorted(form.fields)}, expected {sorted(expected)}")
        fields = {name: values[0] for name, values in form.fields.items()}
        scores, comments, violations = {}, {}, {}
        left_in_group: dict[str, Decimal] = {}
        for item in scorer.criteria:
            if item.kind == "knockout":
                violations[item.pk] = fields[f"v{item.pk}"] = "no"
            else:
                top = Decimal(item.max_score)
                if item.group_cap is not None:
                    top = min(top, left_in_group.setdefault(item.group_code, Decimal(item.group_cap)))
                score = Decimal(rng.randrange(int(top * 4) + 1)) / 4
                if item.group_cap is not None:
                    left_in_group[item.group_code] -= score
                scores[item.pk] = score
                # Both spellings the form accepts: "7,25" and "7.25".
                text = f"{score:.2f}"
                fields[f"s{item.pk}"] = text.replace(".", ",") if attempt % 2 else text
            comments[item.pk] = fields[f"c{item.pk}"] = (
                f"{scorer.username}, lần lưu {attempt + 1}"
                if item is scorer.criteria[0]
                else f"Giải trình {item.code}"
            )
        return {
            "form": fields,
            "expected_version": int(fields["version"]),
            "scores": scores,
            "comments": comments,
            "violations": violations,
        }

    def close_round(self, round_id: int) -> None:
        client = self.heads.get(round_id)
        if client is None:
            self.recorder.problem(f"round {round_id}: its head never logged in; not closed")
            return
        try:
            confirm = client.get("round close", f"/rounds/{round_id}/close/")
            form = Form.named(confirm.body, action=f"/rounds/{round_id}/close/apply/")
            response = client.post(
                "round close", f"/rounds/{round_id}/close/apply/", form.fields, expect=(302,)
            )
            results = client.follow("round results", response)
            if ROUND_CLOSED not in results.body:
                self.recorder.problem(f"round {round_id}: not closed: {_page_message(results.body)}")
        except FlowStopped:
            pass
        except Exception as exc:
            self.recorder.problem(f"round {round_id}: {exc!r}")


def _join(threads: list[threading.Thread], *, until: float) -> None:
    for thread in threads:
        thread.join(timeout=max(0.0, until - time.monotonic()))


def drive(plan, port: int, args, recorder: Recorder) -> tuple[Run, dict[str, float]]:
    run = Run(plan, port, args, recorder)
    rng = random.Random(args.seed)
    started = time.monotonic()
    threads = [
        threading.Thread(target=run.delegate, args=(d, started + rng.uniform(0, args.ramp)), daemon=True)
        for d in plan.delegates
    ] + [
        threading.Thread(target=run.scorer, args=(s, started + rng.uniform(0, args.ramp)), daemon=True)
        for s in plan.scorers
    ]
    for thread in threads:
        thread.start()
    # The vote opens when every delegate has the ballot on screen (or has given up).
    for _ in plan.delegates:
        if not run.ready.acquire(timeout=max(0.0, recorder.deadline - time.monotonic())):
            recorder.problem("not every delegate reached the ballot before the deadline")
            break
    vote_opened = time.monotonic()
    run.go.set()
    # No request starts after the deadline; the last ones get REQUEST_TIMEOUT to answer.
    _join(threads, until=recorder.deadline + REQUEST_TIMEOUT)
    load_done = time.monotonic()
    last_cast = max((c.answered_at for c in run.casts), default=vote_opened)
    closers = [threading.Thread(target=run.close_round, args=(r,), daemon=True) for r in plan.round_ids]
    for thread in closers:
        thread.start()
    _join(closers, until=time.monotonic() + 3 * REQUEST_TIMEOUT)
    if any(t.is_alive() for t in threads + closers):
        recorder.problem("some users were still waiting for an answer when the run ended")
    return run, {
        "until the vote opened": vote_opened - started,
        "casting every ballot": max(0.0, last_cast - vote_opened),
        "load (all users)": load_done - started,
        "closing the rounds": time.monotonic() - load_done,
    }


# ---------------------------------------------------------------------------------------------------------------
# What the database must hold afterwards


def verify(plan, run: Run) -> list[tuple[bool, str]]:
    from blocs.models import AuditEntry
    from scoring.models import Ballot, BallotChoice, RoundCandidate, ScoreLine, ScoreSheet, Voter, VoteRound

    checks: list[tuple[bool, str]] = []
    samples = run.recorder.samples

    def check(ok: bool, text: str) -> None:
        checks.append((bool(ok), text))

    server_errors = [s for s in samples if s.status >= 500]
    unexpected = [s for s in samples if not s.expected and s.status < 500]
    check(not server_errors, f"no 5xx answer ({len(server_errors)})")
    check(not unexpected, f"no unexpected 4xx, redirect or transport error ({len(unexpected)})")
    check(
        not run.recorder.problems, f"every user's flow went to its end ({len(run.recorder.problems)} stopped)"
    )

    # Ballots: what each delegate was told, against the rounds' voters, ballots and tallies.
    casts_by_round: dict[int, list[Cast]] = collections.defaultdict(list)
    for cast in run.casts:
        casts_by_round[cast.delegate.round_id].append(cast)
    recorded = [c for c in run.casts if c.recorded]
    check(
        len(recorded) == len(plan.delegates),
        f"{len(recorded)}/{len(plan.delegates)} delegates were told their ballot counted",
    )
    rounds = {r.pk: r for r in VoteRound.objects.filter(pk__in=plan.round_ids)}
    closed = sum(r.status == VoteRound.Status.CLOSED for r in rounds.values())
    check(
        closed == len(plan.round_ids),
        f"{closed}/{len(plan.round_ids)} rounds closed by their head's secretary",
    )
    lost = duplicated = wrong_voters = wrong_tally = wrong_ballots = 0
    for round_id in plan.round_ids:
        casts = casts_by_round[round_id]
        told = [c for c in casts if c.recorded]
        stored = Ballot.objects.filter(round_id=round_id).count()
        lost += max(0, len(told) - stored)
        duplicated += max(0, stored - len(told))
        voted_units = set(
            Voter.objects.filter(round_id=round_id, has_voted=True).values_list("unit_id", flat=True)
        )
        wrong_voters += voted_units != {c.delegate.unit_id for c in told}
        wrong_voters += rounds[round_id].ballots_returned != len(told)
        sent = collections.Counter(frozenset(i for ids in c.choices.values() for i in ids) for c in told)
        by_ballot: dict = {
            b: set() for b in Ballot.objects.filter(round_id=round_id).values_list("id", flat=True)
        }
        for ballot_id, candidate_id in BallotChoice.objects.filter(ballot__round_id=round_id).values_list(
            "ballot_id", "candidate_id"
        ):
            by_ballot[ballot_id].add(candidate_id)
        wrong_ballots += collections.Counter(frozenset(v) for v in by_ballot.values()) != sent
        approvals = collections.Counter(i for c in told for ids in c.choices.values() for i in ids)
        for candidate in RoundCandidate.objects.filter(round_award__round_id=round_id):
            wrong_tally += candidate.approvals != approvals.get(candidate.pk, 0)
    check(lost == 0, f"no lost ballot ({lost})")
    check(duplicated == 0, f"no duplicated ballot ({duplicated})")
    check(
        wrong_voters == 0,
        f"voters marked as voted = delegates told so, per round ({wrong_voters} rounds differ)",
    )
    check(
        wrong_ballots == 0, f"stored ballots = ballots sent, as a multiset per round ({wrong_ballots} differ)"
    )
    check(wrong_tally == 0, f"each candidate's approvals = approvals sent ({wrong_tally} candidates differ)")
    cast_audits = AuditEntry.objects.filter(action="ballot.cast").count()
    check(cast_audits == len(recorded), f"one audit entry per ballot ({cast_audits} for {len(recorded)})")

    # Score sheets: versions consumed once each, the last acknowledged save is what is stored.
    saves_by_sheet: dict[int, list[Save]] = collections.defaultdict(list)
    for save in run.saves:
        saves_by_sheet[save.sheet_id].append(save)
    writers = collections.Counter(s.sheet_id for s in plan.scorers)
    sheets = {s.pk: s for s in ScoreSheet.objects.filter(pk__in=writers)}
    bad_versions = bad_state = bad_conflicts = bad_audit = 0
    for sheet_id, saves in saves_by_sheet.items():
        done = sorted((s for s in saves if s.status == 302), key=lambda s: s.expected_version)
        conflicts = [s for s in saves if s.status == 409]
        bad_conflicts += bool(conflicts) and writers[sheet_id] < 2
        versions = [s.expected_version for s in done]
        if versions != list(range(len(done))) or sheets[sheet_id].version != len(done):
            bad_versions += 1
            run.recorder.problem(
                f"sheet {sheet_id}: version {sheets[sheet_id].version} after saves on versions {versions}"
            )
        audits = AuditEntry.objects.filter(action="score_sheet.save", target_id=str(sheet_id)).count()
        bad_audit += audits != len(done)
        if not done:
            continue
        last = done[-1]
        lines = {line.criterion_id: line for line in ScoreLine.objects.filter(sheet_id=sheet_id)}
        for criterion_id, comment in last.comments.items():
            line = lines.get(criterion_id)
            violation = {"yes": True, "no": False}.get(last.violations.get(criterion_id, ""))
            if (
                line is None
                or line.self_comment != comment
                or line.self_score != last.scores.get(criterion_id)
                or line.self_violation != violation
            ):
                bad_state += 1
                break
    acknowledged = sum(s.status == 302 for s in run.saves)
    conflicts = sum(s.status == 409 for s in run.saves)
    check(
        bad_versions == 0,
        f"each sheet's version = its acknowledged saves, one per version ({acknowledged} saves; "
        f"{bad_versions} sheets differ)",
    )
    check(bad_state == 0, f"each sheet holds its last acknowledged save ({bad_state} sheets differ)")
    check(
        bad_conflicts == 0,
        f"conflicts (409) only where two people edit one sheet ({conflicts} conflicts; {bad_conflicts} elsewhere)",
    )
    check(bad_audit == 0, f"one audit entry per acknowledged save ({bad_audit} sheets differ)")
    expected_saves = len(plan.scorers) * run.args.saves
    check(
        len(run.saves) == expected_saves,
        f"every user made every save attempt ({len(run.saves)}/{expected_saves})",
    )
    return checks


# ---------------------------------------------------------------------------------------------------------------
# The summary


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def request_kind(method: str, path: str) -> str:
    """The kind of request gunicorn's access log line is, as the users' flows name them."""
    for pattern, kind in (
        (r"GET /login/", "login page"),
        (r"POST /login/", "login"),
        (r"GET /static/", "static"),
        (r"GET /rounds/\d+/$", "round page"),
        (r"GET /rounds/\d+/ballot/$", "ballot form"),
        (r"POST /rounds/\d+/ballot/cast/$", "ballot cast"),
        (r"GET /sheets/\d+/$", "sheet page"),
        (r"POST /sheets/\d+/save/$", "sheet save"),
        (r"\S+ /rounds/\d+/close/", "round close"),
        (r"GET /rounds/\d+/results/$", "round results"),
    ):
        if re.match(pattern, f"{method} {path}"):
            return kind
    return "browse"


KINDS = [
    "login page",
    "login",
    "browse",
    "static",
    "round page",
    "ballot form",
    "ballot cast",
    "sheet page",
    "sheet save",
    "round close",
    "round results",
]


def summary(plan, run: Run, checks, phases: dict[str, float], context: dict) -> str:
    samples = run.recorder.samples
    by_kind: dict[str, list[Sample]] = collections.defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    ok = all(passed for passed, _text in checks)
    load_seconds = phases["load (all users)"]
    load_samples = [s for s in samples if s.kind not in ("round close", "round results")]
    lines = [
        "# Load test (`make reliability`)",
        "",
        f"Result: **{'PASS' if ok else 'FAIL'}** — {context['date']}, {context['total']:.0f} s in all "
        f"(written by `tests/load/run.py`; every run overwrites this file).",
        "",
        "## What ran",
        "",
        f"- {len(plan.round_ids)} blocs at their conference, each with one electronic round open: "
        f"{len(plan.delegates)} delegates (the secretary of each present unit) log in over {run.args.ramp:.0f} s, "
        "open the round and the ballot, and when the last one has it on screen all vote at once, once each; "
        "then the head unit's secretary of each bloc closes its round.",
        f"- Meanwhile {len(plan.scorers)} users of {len({s.bloc_id for s in plan.scorers})} blocs in the scoring "
        f"step (one focal person per unit, plus the head's and deputy's secretaries on their own unit's sheet) "
        f"browse and save their score sheet {run.args.saves} times each with new values, half of the saves "
        "while the ballots are being cast.",
        f"- gunicorn {context['gunicorn']} on {HOST}: {run.args.workers} workers × {run.args.threads} threads "
        "(gthread), DEBUG off, static files from WhiteNoise, sessions and CSRF as in production (plain HTTP); "
        f"DATABASE_CONN_MAX_AGE={run.args.conn_max_age}; "
        f"login throttling (django-axes) {'on' if run.args.axes else 'off (AXES_ENABLED=0)'}.",
        f"- Machine: {context['cpus']} CPU ({context['cpu_model']}), Python {context['python']}, "
        f"Django {context['django']}, PostgreSQL {context['postgres']}; password hasher {context['hasher']}.",
        f"- Phases: setting up {context['setup']:.1f} s (database, migrations, seeding, static files), "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
        + f", checking {context['verify']:.1f} s. The load generator (this script's threads, on the same "
        f"machine) used {context['client_cpu']:.0f} s of CPU during the load.",
        "",
        "## Requests",
        "",
        f"{len(samples)} requests, {sum(not s.expected for s in samples)} errors; "
        f"{len(load_samples) / load_seconds:.1f} requests/s over the {load_seconds:.1f} s of load.",
        "",
        "Latency as the users saw it, from sending the request to the last byte of the answer, so with the "
        "wait in gunicorn's queue; *server* is gunicorn's own time for the request (its access log). "
        f"Checking one password (PBKDF2) takes {context['password_check']:.2f} s of CPU here: the "
        f"{len(by_kind.get('login', []))} logins alone keep both cores busy for about "
        f"{context['password_check'] * len(by_kind.get('login', [])) / (context['cpus'] or 1):.0f} s, and "
        "what is asked meanwhile waits behind them.",
        "",
        "| request | count | errors | p50 ms | p95 ms | p99 ms | max ms | server p50 ms | server p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    service = context["service_times"]
    for kind in KINDS + sorted(set(by_kind) - set(KINDS)):
        rows = by_kind.get(kind)
        if not rows:
            continue
        times = [s.seconds * 1000 for s in rows]
        errors = sum(not s.expected for s in rows)
        served = service.get(kind) or [0.0]
        lines.append(
            f"| {kind} | {len(rows)} | {errors} | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} "
            f"| {percentile(times, 0.99):.0f} | {max(times):.0f} | {percentile(served, 0.5):.0f} "
            f"| {percentile(served, 0.95):.0f} |"
        )
    if samples:
        times = [s.seconds * 1000 for s in samples]
        served = [t for values in service.values() for t in values] or [0.0]
        lines.append(
            f"| **all** | {len(samples)} | {sum(not s.expected for s in samples)} | {percentile(times, 0.5):.0f} "
            f"| {percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} | {max(times):.0f} "
            f"| {percentile(served, 0.5):.0f} | {percentile(served, 0.95):.0f} |"
        )
    statuses = collections.Counter(s.status for s in samples)
    lines += [
        "",
        "Answers: "
        + ", ".join(f"{status or 'no answer'} × {n}" for status, n in sorted(statuses.items()))
        + ".",
        "A 409 is the expected answer to a save on a version someone else has just replaced.",
        "",
        "## Checks",
        "",
    ]
    lines += [f"- [{'x' if passed else ' '}] {text}" for passed, text in checks]
    if run.recorder.problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in run.recorder.problems[:50]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Set-up: database, static files, gunicorn


def pg_execute(db: dict, *statements: str) -> None:
    """Run statements on the server's maintenance database, outside a transaction (as CREATE and DROP DATABASE
    need). The bench uses it too."""
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def recreate_database(db: dict) -> None:
    pg_execute(db, f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)', f'CREATE DATABASE "{db["NAME"]}"')


def drop_database(db: dict) -> None:
    pg_execute(db, f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


class Gunicorn:
    def __init__(self, args, workdir: Path, env: dict):
        self.log = workdir / "gunicorn.log"
        self.access_log = workdir / "access.log"
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "thiduabloc.wsgi:application",
            "--bind",
            f"{HOST}:0",  # the kernel picks a free port; the log names it
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--no-control-socket",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(r)s %(s)s %(b)s %(M)sms",
        ]
        self.env = env
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self, timeout: float = 60) -> int:
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            found = re.search(r"Listening at: http://[\d.]+:(\d+)", self.log.read_text(errors="replace"))
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not start listening:\n{self.tail()}")
        while time.monotonic() < until:
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/login/", headers={"Host": f"{HOST}:{self.port}"})
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return self.port
                raise RuntimeError(f"GET /login/ answered {status}:\n{self.tail()}")
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def service_times(self) -> dict[str, list[float]]:
        """Gunicorn's own time per request (ms), by kind of request: the latency without the wait in its queue."""
        times: dict[str, list[float]] = collections.defaultdict(list)
        text = self.access_log.read_text(errors="replace") if self.access_log.exists() else ""
        for method, path, ms in re.findall(r"^(\S+) (\S+) \S+ \d+ \S+ (\d+)ms$", text, re.M):
            times[request_kind(method, path)].append(float(ms))
        return times

    def errors_logged(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or "Internal Server Error" in line or "WORKER TIMEOUT" in line
        ]


def machine() -> dict:
    model = ""
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        model = found.group(1).strip() if found else ""
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": re.sub(r"\s+", " ", model) or platform.processor() or "unknown",
        "python": platform.python_version(),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Each login checks a PBKDF2 hash (about 0.5 s of CPU here): 250 logins keep both cores busy for a minute
    # or more, so users arrive over 90 s, and the deadline leaves room for a machine busy with other work.
    parser.add_argument("--deadline", type=float, default=300, help="seconds the load may last (300)")
    parser.add_argument("--ramp", type=float, default=90, help="users arrive over this many seconds (90)")
    parser.add_argument(
        "--think", type=float, default=0.5, help="most seconds a user waits between pages (0.5)"
    )
    parser.add_argument("--saves", type=int, default=4, help="score sheet saves per user (4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DATABASE_CONN_MAX_AGE of the server (60; 0 opens a PostgreSQL connection per request)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed of the users' choices")
    parser.add_argument("--axes", action="store_true", help="keep login throttling (django-axes) on")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs afterwards")
    parser.add_argument("--report", type=Path, default=BASE_DIR / "docs" / "reliability-load.md")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    begun = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduabloc.settings")
    url = os.environ.get("DATABASE_URL", "")
    from thiduabloc.env import database_from_url

    db = database_from_url(url or "sqlite:///-", base_dir=BASE_DIR)
    if db["ENGINE"] != "django.db.backends.postgresql" or "load" not in db["NAME"]:
        print(
            "DATABASE_URL must name a PostgreSQL database kept for the load run (its name containing 'load'),"
        )
        print("e.g. postgres://postgres@127.0.0.1:5432/thiduabloc_load: it is dropped and created again.")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="thiduabloc-load-"))
    # The production configuration, on plain HTTP on 127.0.0.1: DEBUG off, a real secret key, no HTTPS redirect.
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "AXES_ENABLED": "1" if args.axes else "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        }
    )
    os.environ.update(env)
    os.environ.pop("DEBUG", None)
    server = Gunicorn(args, workdir, env)
    ok = False
    try:
        print(f"== load database {db['NAME']}: created again; static files and logs in {workdir}", flush=True)
        recreate_database(db)
        # collectstatic compresses every file (a CPU-bound ~20 s): it runs while the database is filled.
        collect = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE_DIR, env=env
        )
        import django

        django.setup()
        from django.contrib.auth.hashers import get_hasher
        from django.core.management import call_command
        from django.db import connection, connections

        from tests.load.seed import PASSWORD, seed

        call_command("migrate", verbosity=0, interactive=False)
        plan = seed()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        connections.close_all()
        if collect.wait(timeout=300) != 0:
            raise RuntimeError("collectstatic failed")
        port = server.start()
        setup = time.monotonic() - begun
        print(
            f"== seeded in {setup:.0f} s; gunicorn on {HOST}:{port}, {args.workers} workers × {args.threads} "
            f"threads; {len(plan.delegates)} delegates and {len(plan.scorers)} scorers start",
            flush=True,
        )
        recorder = Recorder(deadline=time.monotonic() + args.deadline)
        cpu_before = time.process_time()
        try:
            run, phases = drive(plan, port, args, recorder)
        finally:
            server.stop()
        client_cpu = time.process_time() - cpu_before
        checking = time.monotonic()
        checks = verify(plan, run)
        logged = server.errors_logged()
        checks.append((not logged, f"no traceback or worker timeout in gunicorn's log ({len(logged)})"))
        connections.close_all()
        hasher = get_hasher()
        cpu = time.process_time()
        hasher.encode(PASSWORD, hasher.salt())
        password_check = time.process_time() - cpu
        import gunicorn

        context = machine() | {
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "gunicorn": gunicorn.__version__,
            "django": django.get_version(),
            "postgres": postgres,
            "hasher": f"{hasher.algorithm}, {getattr(hasher, 'iterations', '?'):,} iterations",
            "setup": setup,
            "client_cpu": client_cpu,
            "password_check": password_check,
            "service_times": server.service_times(),
            "verify": time.monotonic() - checking,
        }
        context["total"] = time.monotonic() - begun
        text = summary(plan, run, checks, phases, context)
        args.report.write_text(text, encoding="utf-8")
        print(text, flush=True)
        ok = all(passed for passed, _text in checks)
        if not ok:
            print(
                f"== FAILED; gunicorn's log ends with:\n{server.tail()}\n(full logs in {workdir})", flush=True
            )
        return 0 if ok else 1
    except Exception:
        traceback.print_exc()
        print(f"== the load run could not complete; gunicorn's log:\n{server.tail()}", flush=True)
        return 2
    finally:
        server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        if not args.keep:
            try:
                drop_database(db)
            except Exception as exc:
                print(f"== could not drop the load database {db['NAME']}: {exc}", flush=True)
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
