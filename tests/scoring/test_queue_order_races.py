"""A unit renamed in the admin while its bloc's round closes: the new nominations sort by the new name, whichever
of the two transactions commits first."""

import threading
import time

import pytest
from django.db import connection, transaction

from blocs.models import Unit
from scoring import conference
from scoring.models import Nomination
from scoring.nominations import refresh_sort_keys
from tests.factories import counted_round

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
    ),
]

NEW_NAME = "Hội Liên hiệp thành viên A1"


def rename(unit_id):
    """What the admin's unit change form does: the unit saved, then the nominations' copies of its name."""
    unit = Unit.objects.get(pk=unit_id)
    unit.name = NEW_NAME
    unit.save()
    refresh_sort_keys(unit=unit)


def in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def let_commit_and_join(commit, threads, *errors):
    """Release the transaction held open, after a moment for the other thread to reach its lock (or, without
    the lock, to finish), and wait for both."""
    time.sleep(0.5)
    commit.set()
    for thread in threads:
        thread.join(30)
    assert all(found == [] for found in errors), errors


@pytest.fixture
def ready(world, private_media, secretary, deputy_secretary):
    _campaign, vote_round = counted_round(world["year_a"], [secretary, deputy_secretary])
    return {"round": vote_round, "unit": world["a_units"][0], "teller": secretary}


def flag_sort_name(unit):
    return Nomination.objects.get(unit=unit, award_type__code="co-thi-dua-ubnd").sort_unit


@pytest.mark.django_db(transaction=True)
def test_a_rename_running_when_the_round_closes_is_waited_for(ready):
    renamed, commit = threading.Event(), threading.Event()

    def rename_then_wait():
        with transaction.atomic():
            rename(ready["unit"].pk)
            renamed.set()
            commit.wait(10)

    renaming, rename_errors = in_thread(rename_then_wait)
    assert renamed.wait(10)
    closing, close_errors = in_thread(
        lambda: conference.round_close(actor=ready["teller"], vote_round=ready["round"])
    )
    let_commit_and_join(commit, (renaming, closing), rename_errors, close_errors)
    assert flag_sort_name(ready["unit"]) == NEW_NAME


@pytest.mark.django_db(transaction=True)
def test_a_rename_made_while_the_round_commits_finds_its_nominations(ready):
    closed, commit = threading.Event(), threading.Event()

    def close_then_wait():
        with transaction.atomic():  # the close's own transaction, held open as a slow commit would be
            conference.round_close(actor=ready["teller"], vote_round=ready["round"])
            closed.set()
            commit.wait(10)

    closing, close_errors = in_thread(close_then_wait)
    assert closed.wait(30)
    renaming, rename_errors = in_thread(lambda: transaction.atomic(rename)(ready["unit"].pk))
    let_commit_and_join(commit, (closing, renaming), close_errors, rename_errors)
    assert flag_sort_name(ready["unit"]) == NEW_NAME
