"""The database connection dies in the middle of an operation: the transaction rolls back whole, the user reads
a clear 503 page, and the same request sent again succeeds and writes once.

On PostgreSQL the death is real: the request runs in a thread of its own (its own connection, as in a second
server process); this test's connection holds a row lock the operation needs after its first writes, waits
until the request's backend is stuck on it, and kills that backend with pg_terminate_backend."""

import logging
import queue
import threading
import time
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, connections, transaction
from django.test import Client, RequestFactory
from django.urls import path, reverse

from blocs.models import AuditEntry, Bloc
from reports.models import Document, DocumentCounter
from reports.rendering import sha256
from scoring import conference
from scoring.models import (
    Ballot,
    BallotChoice,
    Criterion,
    Evidence,
    Nomination,
    RoundAward,
    RoundCandidate,
    ScoreChange,
    ScoreLine,
    Voter,
    VoteRound,
)
from tests.factories import (
    criteria_by_code,
    fill_sheet,
    finalize_all,
    make_campaign,
    make_conference,
    make_user,
    voted_campaign,
)
from thiduabloc.db_errors import DatabaseUnavailableMiddleware
from thiduabloc.urls import urlpatterns as project_urlpatterns

HEADING = "Tạm thời không kết nối được cơ sở dữ liệu"
ADVICE = "Thao tác của bạn chưa được ghi lại. Vui lòng thử lại sau ít phút."
DEADLINE = 10  # seconds for any wait of these tests; nothing here should take more than one or two


def on_postgresql(test):
    """Real commits between connections, and a backend to kill: PostgreSQL only."""
    for mark in (
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
        pytest.mark.postgres,
    ):
        test = mark(test)
    return test


def assert_unavailable_page(response):
    assert response.status_code == 503, response
    text = response.content.decode()
    assert HEADING in text and ADVICE in text


# ---------------------------------------------------------------------------------------------------------------
# The middleware alone (any database)


def connection_lost(request):
    raise OperationalError("server closed the connection unexpectedly")


def interface_lost(request):
    raise InterfaceError("connection already closed")


def integrity_broken(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("fault/operational/", connection_lost),
    path("fault/interface/", interface_lost),
    path("fault/integrity/", integrity_broken),
    *project_urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("kind", ["operational", "interface"])
def test_a_lost_connection_answers_503_without_reading_the_database(
    kind, db, client, caplog, django_assert_num_queries
):
    # Logged in, so that a page reading the user or the messages would load the session from the database.
    client.force_login(make_user(role="reviewer"))
    with caplog.at_level(logging.ERROR, logger="thiduabloc.db_errors"), django_assert_num_queries(0):
        response = client.get(f"/fault/{kind}/")
    assert_unavailable_page(response)
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in response.content.decode()
    logged = [r for r in caplog.records if r.name == "thiduabloc.db_errors"]
    assert len(logged) == 1 and logged[0].exc_info is not None


@pytest.mark.urls(__name__)
def test_other_database_errors_are_left_to_django(db, client):
    # A broken constraint is a bug to report (500), not a reason to ask the user to try again.
    with pytest.raises(IntegrityError):
        client.get("/fault/integrity/")


def test_the_page_falls_back_to_plain_text_when_it_cannot_be_rendered(db, settings, tmp_path):
    settings.TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}]
    middleware = DatabaseUnavailableMiddleware(connection_lost)
    request = RequestFactory().post("/rounds/1/ballot/cast/")
    response = middleware.process_exception(request, OperationalError("the server is restarting"))
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"{HEADING}\n\n{ADVICE}\n"
    assert middleware.process_exception(request, ValueError("not ours")) is None


# ---------------------------------------------------------------------------------------------------------------
# Killing a request's backend on PostgreSQL


class RequestThread:
    """Runs jobs (requests of a test client) one after the other in one thread, hence on one connection."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def _work(self):
        try:
            while (job := self.jobs.get()) is not None:
                try:
                    self.results.put(("ok", job()))
                except BaseException as exc:  # handed to the test, which shows it
                    self.results.put(("error", exc))
        finally:
            connections.close_all()

    def submit(self, job) -> None:
        self.jobs.put(job)

    def finished(self) -> bool:
        return not self.results.empty()

    def result(self):
        kind, value = self.results.get(timeout=DEADLINE)
        if kind == "error":
            raise value
        return value

    def run(self, job):
        self.submit(job)
        return self.result()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=DEADLINE)


@pytest.fixture
def request_thread(transactional_db):
    threads = []

    def start() -> RequestThread:
        threads.append(RequestThread())
        return threads[-1]

    yield start
    for thread in threads:
        thread.stop()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@dataclass
class Killed:
    statement: str  # what the backend was running when it was killed
    written: set[str]  # the tables its transaction had written to
    response: object  # what the user got


def kill_when_blocked(worker: RequestThread, send, *, lock) -> Killed:
    """Have ``worker`` send a request while this connection holds a row lock (``lock``, a queryset) that the
    operation needs after its first writes; once its backend waits for that lock, kill the backend, then let go."""
    pid = worker.run(backend_pid)
    with transaction.atomic(), connection.cursor() as cursor:
        # Only the row itself: the models' default ordering would join (and lock) their parents too.
        assert list(lock.select_for_update(of=("self",)).order_by()), "nothing to lock"
        worker.submit(send)
        deadline = time.monotonic() + DEADLINE
        while True:
            assert not worker.finished(), f"the request ended without waiting for the lock: {worker.result()}"
            # pg_stat_activity is read once per transaction unless the snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT wait_event_type, query, pg_backend_pid() = ANY(pg_blocking_pids(pid)) "
                "FROM pg_stat_activity WHERE pid = %s",
                [pid],
            )
            wait_event_type, statement, blocked_by_us = cursor.fetchone()
            if wait_event_type == "Lock" and blocked_by_us:
                break
            assert time.monotonic() < deadline, f"backend {pid} never waited for the lock: {statement}"
            time.sleep(0.02)
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'",
            [pid],
        )
        written = {name for (name,) in cursor.fetchall()}
        # With a timeout, pg_terminate_backend returns once the backend has gone: the lock is released only
        # after, so the operation can never go on.
        cursor.execute("SELECT pg_terminate_backend(%s, %s)", [pid, DEADLINE * 1000])
        assert cursor.fetchone()[0] is True
    return Killed(statement=statement, written=written, response=worker.result())


@pytest.fixture
def logged_in():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCORES = [{"1.1": 10 - i, "1.2": 5} for i in range(5)]


def electronic_round(world):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    record = make_conference(campaign)
    return conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )


def ballot_data(vote_round, world) -> dict:
    """The flag to the first unit, Bằng khen to the second and third (the ranks follow SCORES)."""
    units = world["a_units"]
    data = {}
    for award in vote_round.awards.select_related("rule__award_type"):
        chosen = units[:1] if award.rule.award_type.code == "co-thi-dua-ubnd" else units[1:3]
        data[f"award_{award.pk}"] = [c.pk for c in award.candidates.filter(unit__in=chosen)]
    return data


@on_postgresql
def test_a_connection_killed_between_requests_is_replaced(world, secretary, request_thread, logged_in):
    client = logged_in(secretary)
    worker = request_thread()
    pid = worker.run(backend_pid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, %s)", [pid, DEADLINE * 1000])
        assert cursor.fetchone()[0] is True
    dashboard = reverse("blocs:dashboard")

    # The first query (the session, read by login_required) meets the dead connection.
    assert_unavailable_page(worker.run(lambda: client.get(dashboard)))
    # The middleware dropped it: nothing here closes connections between requests (the test client does not
    # send request_finished to close_old_connections), yet the next request works.
    assert worker.run(lambda: connection.connection) is None
    assert worker.run(lambda: client.get(dashboard)).status_code == 200
    assert worker.run(backend_pid) != pid


@on_postgresql
def test_a_ballot_cut_off_is_not_counted_and_can_be_cast_again(
    world, private_media, request_thread, logged_in
):
    vote_round = electronic_round(world)
    delegate = make_user(role="focal", unit=world["a_units"][4])
    voter = Voter.objects.get(round=vote_round, unit=world["a_units"][4])
    data = ballot_data(vote_round, world)
    chosen = {pk for pks in data.values() for pk in pks}
    client = logged_in(delegate)
    url = reverse("scoring:ballot_cast", args=[vote_round.pk])
    worker = request_thread()

    # ballot_cast locks the round, then marks the voter and writes the ballot, its choices and the audit entry,
    # none of which waits for a row lock. The first wait after a write is at COMMIT, where PostgreSQL checks the
    # foreign keys (Django makes them DEFERRABLE INITIALLY DEFERRED), the choices' to a locked candidate.
    killed = kill_when_blocked(
        worker,
        lambda: client.post(url, data),
        lock=RoundCandidate.objects.filter(pk=min(chosen)),
    )
    assert killed.statement == "COMMIT"
    assert {"scoring_voter", "scoring_ballot", "scoring_ballotchoice", "blocs_auditentry"} <= killed.written
    assert_unavailable_page(killed.response)
    assert not Ballot.objects.filter(round=vote_round).exists()
    assert not BallotChoice.objects.filter(ballot__round=vote_round).exists()
    voter.refresh_from_db()
    assert voter.has_voted is False
    assert not AuditEntry.objects.filter(action="ballot.cast").exists()

    retry = worker.run(lambda: client.post(url, data))
    assert retry.status_code == 302 and retry.url == vote_round.get_absolute_url()
    ballot = Ballot.objects.get(round=vote_round)
    assert set(ballot.choices.values_list("candidate_id", flat=True)) == chosen
    voter.refresh_from_db()
    assert voter.has_voted is True
    assert AuditEntry.objects.filter(action="ballot.cast").count() == 1


@on_postgresql
def test_a_sheet_save_cut_off_changes_no_line(world, scoring_campaign, sheets, request_thread, logged_in):
    focal = make_user(role="focal", unit=world["a_units"][0])
    sheet = fill_sheet(sheets[0], {"1.1": 5, "1.2": 3}, submit=False)
    codes = criteria_by_code(scoring_campaign)
    lines = {
        line.criterion.code: line
        for line in ScoreLine.objects.filter(sheet=sheet).select_related("criterion")
    }
    before = {code: (line.self_score, line.version) for code, line in lines.items()}
    changes, audits = ScoreChange.objects.filter(line__sheet=sheet).count(), AuditEntry.objects.count()
    data = {"version": sheet.version, f"s{codes['1.1'].pk}": "8", f"s{codes['1.2'].pk}": "4,5"}
    data[f"v{codes['4.1'].pk}"] = "no"
    client = logged_in(focal)
    url = reverse("scoring:sheet_save", args=[sheet.pk])
    worker = request_thread()

    # The lines are saved in the table's order: 1.1 is updated and its change recorded, then 1.2 waits.
    killed = kill_when_blocked(
        worker, lambda: client.post(url, data), lock=ScoreLine.objects.filter(pk=lines["1.2"].pk)
    )
    assert killed.statement.startswith('UPDATE "scoring_scoreline"')
    assert {"scoring_scoreline", "scoring_scorechange"} <= killed.written
    assert_unavailable_page(killed.response)
    after = {
        line.criterion.code: (line.self_score, line.version)
        for line in ScoreLine.objects.filter(sheet=sheet).select_related("criterion")
    }
    assert after == before
    sheet.refresh_from_db()
    assert sheet.version == data["version"]
    assert ScoreChange.objects.filter(line__sheet=sheet).count() == changes
    assert AuditEntry.objects.count() == audits

    # The same form again (same version: nothing was saved in between) goes through.
    retry = worker.run(lambda: client.post(url, data))
    assert retry.status_code == 302 and retry.url == sheet.get_absolute_url()
    saved = {
        line.criterion.code: line.self_score
        for line in ScoreLine.objects.filter(sheet=sheet).select_related("criterion")
    }
    assert (saved["1.1"], saved["1.2"]) == (D("8"), D("4.5"))
    sheet.refresh_from_db()
    assert sheet.version == data["version"] + 1
    assert list(
        ScoreChange.objects.filter(line__sheet=sheet).order_by("pk").values_list("old_value", "new_value")
    )[changes:] == [("5", "8"), ("3", "4,5")]
    assert AuditEntry.objects.filter(action="score_sheet.save").count() == 2


@on_postgresql
def test_a_round_close_cut_off_leaves_the_round_open(
    world, secretary, private_media, request_thread, logged_in
):
    vote_round = electronic_round(world)
    data = ballot_data(vote_round, world)
    for unit in world["a_units"]:
        conference.ballot_cast(
            actor=make_user(role="focal", unit=unit),
            vote_round=vote_round,
            choices={int(name.removeprefix("award_")): set(pks) for name, pks in data.items()},
        )
    ballots = set(Ballot.objects.filter(round=vote_round).values_list("pk", flat=True))
    choices = BallotChoice.objects.filter(ballot__round=vote_round).count()
    merit = RoundAward.objects.get(round=vote_round, rule__award_type__code="bang-khen-chu-tich-ubnd")
    client = logged_in(secretary)
    url = reverse("scoring:round_close", args=[vote_round.pk])
    worker = request_thread()

    # Awards are tallied in the order of the rules: by the time the second (Bằng khen) is saved, the ballots
    # have been rewritten and the flag's candidates and nomination written.
    killed = kill_when_blocked(worker, lambda: client.post(url), lock=RoundAward.objects.filter(pk=merit.pk))
    assert killed.statement.startswith('UPDATE "scoring_roundaward"')
    assert {
        "scoring_ballot",
        "scoring_ballotchoice",
        "scoring_roundcandidate",
        "scoring_nomination",
    } <= killed.written
    assert_unavailable_page(killed.response)
    vote_round.refresh_from_db()
    assert (vote_round.status, vote_round.closed_at, vote_round.entitled_count) == ("open", None, 0)
    assert set(Ballot.objects.filter(round=vote_round).values_list("pk", flat=True)) == ballots
    assert BallotChoice.objects.filter(ballot__round=vote_round).count() == choices
    assert not RoundCandidate.objects.filter(round_award__round=vote_round, approvals__gt=0).exists()
    assert not RoundCandidate.objects.filter(round_award__round=vote_round, elected=True).exists()
    assert not Nomination.objects.exists()
    assert not AuditEntry.objects.filter(action="round.close").exists()
    assert VoteRound.objects.filter(conference=vote_round.conference).count() == 1

    retry = worker.run(lambda: client.post(url))
    assert retry.status_code == 302 and retry.url == reverse("scoring:round_results", args=[vote_round.pk])
    vote_round.refresh_from_db()
    assert vote_round.status == "closed" and vote_round.ballots_returned == 5
    elected = RoundCandidate.objects.filter(round_award__round=vote_round, elected=True)
    assert sorted(elected.values_list("unit_id", "approvals")) == sorted(
        (u.pk, 5) for u in world["a_units"][:3]
    )
    assert Nomination.objects.count() == 3
    assert AuditEntry.objects.filter(action="round.close").count() == 1


@pytest.fixture
def issued_campaign(world, private_media, secretary, deputy_secretary):
    """Bloc A's 2023 campaign after its conference: its minutes can be issued."""
    return voted_campaign(world["year_a"], [secretary, deputy_secretary])


def kill_an_issue(worker: RequestThread, issue, bloc) -> Killed:
    # document_issue locks the campaign, advances the series' counter, renders and stores the PDF, then writes
    # the document and its audit entry. The bloc row, which nothing locks before, is read by the foreign-key
    # checks of the counter and the document at COMMIT: the last moment, with everything written.
    return kill_when_blocked(worker, issue, lock=Bloc.objects.filter(pk=bloc.pk))


def minutes_issue(client: Client, campaign):
    url = reverse("reports:document_issue", args=[campaign.pk, "minutes"])
    return lambda: client.post(url, {"issued_on": "2023-12-28"})


@on_postgresql
def test_an_issue_cut_off_takes_no_number(world, issued_campaign, secretary, request_thread, logged_in):
    bloc = world["bloc_a"]
    issue = minutes_issue(logged_in(secretary), issued_campaign)
    worker = request_thread()

    killed = kill_an_issue(worker, issue, bloc)
    assert killed.statement == "COMMIT"
    assert {"reports_documentcounter", "reports_document", "blocs_auditentry"} <= killed.written
    assert_unavailable_page(killed.response)
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.filter(bloc=bloc).exists()
    assert not AuditEntry.objects.filter(action="document.issue").exists()

    retry = worker.run(issue)
    assert retry.status_code == 302
    document = Document.objects.get()
    assert (document.number, document.version) == (1, 1)
    assert DocumentCounter.objects.get(bloc=bloc).last_number == 1
    assert AuditEntry.objects.filter(action="document.issue").count() == 1
    with document.pdf.open("rb") as handle:
        assert sha256(handle.read()) == document.sha256


@on_postgresql
def test_an_issue_cut_off_leaves_no_file(
    world, issued_campaign, secretary, private_media, request_thread, logged_in
):
    killed = kill_an_issue(
        request_thread(), minutes_issue(logged_in(secretary), issued_campaign), world["bloc_a"]
    )
    assert_unavailable_page(killed.response)
    assert not Document.objects.exists()
    # The PDF was written before the commit failed; thiduabloc.stored_files removed it.
    assert [p for p in private_media.rglob("*") if p.is_file()] == []


@on_postgresql
def test_an_upload_cut_off_leaves_no_file(
    world, scoring_campaign, sheets, private_media, request_thread, logged_in
):
    """evidence_add checks the file, stores it, then writes the row and its audit entry. The criterion's row,
    which nothing locks before, is read by the evidence's foreign-key check at COMMIT."""
    criterion = criteria_by_code(scoring_campaign)["1.1"]
    focal = make_user(role="focal", unit=world["a_units"][3], username="focal.a4")
    client = logged_in(focal)
    url = reverse("scoring:evidence_add", args=[sheets[3].pk])

    def upload():
        return client.post(url, {"criterion": criterion.pk, "file": SimpleUploadedFile("bien-ban.pdf", PDF)})

    worker = request_thread()
    killed = kill_when_blocked(worker, upload, lock=Criterion.objects.filter(pk=criterion.pk))
    assert killed.statement == "COMMIT"
    assert "scoring_evidence" in killed.written
    assert_unavailable_page(killed.response)
    assert not Evidence.objects.exists()
    assert [p for p in private_media.rglob("*") if p.is_file()] == []

    retry = worker.run(upload)
    assert retry.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.name == "bien-ban.pdf"
    assert [p for p in private_media.rglob("*") if p.is_file()] == [private_media / evidence.file.name]
