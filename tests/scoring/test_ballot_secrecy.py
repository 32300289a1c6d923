"""What the database keeps after an electronic round: that each unit voted, apart from what it voted."""

import uuid

import pytest
from django.db import connection

from blocs.models import AuditEntry
from scoring import conference
from scoring.models import Ballot, BallotChoice, RoundCandidate, Voter
from tests.factories import finalize_all, make_campaign, make_conference, make_user
from tests.threads import run_at_once

SCORES = [{"1.1": 10 - i, "1.2": 5} for i in range(5)]


@pytest.fixture
def electronic_round(world, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    record = make_conference(campaign)
    return conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )


def columns(model) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def storage_order(table: str) -> list:
    physical = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY {physical}")
        return [row[0] for row in cursor.fetchall()]


def test_nothing_joins_a_unit_to_its_choices(electronic_round, world):
    units = world["a_units"]
    delegates = [make_user(role="focal", unit=u) for u in units]
    merit = electronic_round.awards.get(rule__award_type__code="bang-khen-chu-tich-ubnd")
    candidates = list(merit.candidates.order_by("rank"))
    # Each delegate approves a different, recognisable pair; they vote in rotation order.
    choices = [{candidates[i % 3].pk, candidates[(i + 1) % 3].pk} for i in range(5)]
    for delegate, chosen in zip(delegates, choices, strict=True):
        conference.ballot_cast(actor=delegate, vote_round=electronic_round, choices={merit.pk: chosen})
    conference.round_close(actor=None, vote_round=electronic_round)

    # The tables: a voter row knows the unit and nothing of the ballot; a ballot knows its round only.
    assert columns(Voter) == {"id", "round_id", "unit_id", "has_voted"}
    assert columns(Ballot) == {"id", "round_id"}
    assert columns(BallotChoice) == {"id", "ballot_id", "candidate_id"}
    # Ballot and choice ids are random (UUID4), not a sequence that follows the order of voting.
    for ballot_id in Ballot.objects.values_list("id", flat=True):
        assert uuid.UUID(str(ballot_id)).version == 4
    # The order rows are stored in is the order of those random ids, not the order of voting.
    stored = [str(i).replace("-", "") for i in storage_order(Ballot._meta.db_table)]
    assert stored == sorted(stored)
    stored = [str(i).replace("-", "") for i in storage_order(BallotChoice._meta.db_table)]
    assert stored == sorted(stored)
    # The audit log says that a unit voted, never what it chose or which ballot is its.
    ballot_ids = {str(i) for i in Ballot.objects.values_list("id", flat=True)}
    candidate_ids = {c.pk for c in candidates}
    for entry in AuditEntry.objects.filter(action="ballot.cast"):
        assert set(entry.data) == {"unit"}
        assert not ballot_ids & {str(v) for v in entry.data.values()}
    assert sorted(
        AuditEntry.objects.filter(action="ballot.cast").values_list("data__unit", flat=True)
    ) == sorted(u.pk for u in units)
    # And the count is exact.
    approvals = dict(RoundCandidate.objects.filter(round_award=merit).values_list("pk", "approvals"))
    assert approvals == {c.pk: sum(c.pk in chosen for chosen in choices) for c in candidates}
    assert not candidate_ids - set(approvals)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_delegates_voting_at_the_same_instant_give_one_ballot_each(world, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    record = make_conference(campaign)
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )
    flag = vote_round.awards.get(rule__award_type__code="co-thi-dua-ubnd")
    winner = flag.candidates.get()
    delegates = [make_user(role="focal", unit=u) for u in world["a_units"]]
    # Every delegate votes; the first two units also send a second ballot at the same instant (double click,
    # second device).
    calls = [
        (lambda d=d: conference.ballot_cast(actor=d, vote_round=vote_round, choices={flag.pk: {winner.pk}}))
        for d in delegates + delegates[:2]
    ]
    results = run_at_once(*calls)

    errors = [value for kind, value in results if kind == "error"]
    assert len(errors) == 2, results
    assert all("đã bỏ phiếu ở vòng này" in e.message for e in errors)
    assert Ballot.objects.filter(round=vote_round).count() == 5
    assert Voter.objects.filter(round=vote_round, has_voted=True).count() == 5
    conference.round_close(actor=None, vote_round=vote_round)
    winner.refresh_from_db()
    assert (winner.approvals, winner.elected) == (5, True)
