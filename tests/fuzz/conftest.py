"""The worlds the forms are fuzzed in: bloc A's 2023 campaign at each step where a form takes input.

Built on the fixtures of tests/conftest.py (world, secretary, reviewer…) and the factories, as the access tests
build theirs; each fuzz test asks for the one state its form needs.
"""

import pytest

from scoring import conference
from scoring.models import Nomination
from tests.factories import (
    criteria_by_code,
    fill_sheet,
    finalize_all,
    make_campaign,
    make_conference,
    make_user,
    voted_campaign,
)


@pytest.fixture
def unit4_focal(world):
    """Focal person of bloc A's fourth unit, a plain member: fills in its own sheet, votes for its unit."""
    return make_user(role="focal", unit=world["a_units"][3], username="unit4_focal")


@pytest.fixture
def draft_campaign(world, private_media):
    return make_campaign(bloc_year=world["year_a"], status="draft")


@pytest.fixture
def launched_campaign(world, private_media):
    return make_campaign(bloc_year=world["year_a"], status="launched")


@pytest.fixture
def scoring_state(scoring_campaign, sheets):
    """Scoring: unit 4's sheet a draft, unit 3's submitted and waiting for review."""
    return {
        "campaign": scoring_campaign,
        "draft_sheet": sheets[3],
        "submitted_sheet": fill_sheet(sheets[2], {"1.1": 10, "1.2": 5, "2.1": 1, "3.1": 1}),
        "criteria": criteria_by_code(scoring_campaign),
    }


@pytest.fixture
def conference_campaign(world, private_media):
    """At its conference: every sheet final, the conference recorded with every unit present, no round yet."""
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(5)])
    make_conference(campaign)
    campaign.refresh_from_db()
    return campaign


def _open_round(campaign, method):
    vote_round = conference.round_create(actor=None, conference=campaign.conference, method=method)
    return conference.round_open(actor=None, vote_round=vote_round)


@pytest.fixture
def electronic_round(conference_campaign):
    return _open_round(conference_campaign, "electronic")


@pytest.fixture
def paper_round(conference_campaign):
    return _open_round(conference_campaign, "paper")


@pytest.fixture
def voted(world, private_media, secretary, deputy_secretary):
    """After the vote: three nominations, one in each state a form acts on (draft, submitted, accepted)."""
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    draft, submitted, accepted = campaign.nominations.order_by("award_type__position", "unit__name")[:3]
    Nomination.objects.filter(pk=draft.pk).update(summary="Thành tích nổi bật")
    Nomination.objects.filter(pk=submitted.pk).update(status="submitted", summary="Thành tích")
    Nomination.objects.filter(pk=accepted.pk).update(status="accepted", summary="Thành tích")
    return {"campaign": campaign, "draft": draft, "submitted": submitted, "accepted": accepted}
