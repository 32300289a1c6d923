"""Query strings, fuzzed: the search box, the dashboard's and the overview's filters, the review queue's, and the
round picked for a vote-count document. No 500, and a GET never changes anything."""

import pytest
from django.urls import reverse

from tests.fuzz.harness import Case, Field, Target, run_case

pytestmark = pytest.mark.django_db

PAGE = [Field("page", "number", "1")]


def dashboard(request):
    return Target(url=reverse("blocs:dashboard"), user=request.getfixturevalue("reviewer"), more_fields=PAGE)


def search(request):
    return Target(url=reverse("blocs:search"), user=request.getfixturevalue("focal_person"))


def review_queue(request):
    request.getfixturevalue("voted")
    return Target(
        url=reverse("scoring:review_queue"), user=request.getfixturevalue("reviewer"), more_fields=PAGE
    )


def overview(request):
    request.getfixturevalue("scoring_campaign")
    return Target(url=reverse("scoring:overview"), user=request.getfixturevalue("reviewer"), more_fields=PAGE)


def overview_export(request):
    request.getfixturevalue("scoring_campaign")
    return Target(
        url=reverse("scoring:overview_export"),
        page=reverse("scoring:overview"),
        action=reverse("scoring:overview"),
        user=request.getfixturevalue("reviewer"),
    )


def vote_count_document(request, name):
    voted, secretary = request.getfixturevalue("voted"), request.getfixturevalue("secretary")
    campaign = voted["campaign"]
    vote_round = campaign.conference.rounds.get()
    return Target(
        url=reverse(name, args=[campaign.pk, "count_minutes"]),
        user=secretary,
        fields=[Field("round", "hidden", str(vote_round.pk))],
    )


def _get(view, prepare, **options):
    return Case(view, prepare, method="get", **options)


CASES = [
    _get("blocs:dashboard", dashboard),
    _get("blocs:search", search),
    _get("scoring:review_queue", review_queue),
    _get("scoring:overview", overview),
    _get("scoring:overview_export", overview_export, examples=10),
    _get(
        "reports:document_preview",
        lambda r: vote_count_document(r, "reports:document_preview"),
        examples=10,
    ),
    _get(
        "reports:document_issue_confirm",
        lambda r: vote_count_document(r, "reports:document_issue_confirm"),
        examples=10,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_odd_query_strings_never_fail_nor_write(case, request):
    run_case(case, request)
