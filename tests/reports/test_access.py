"""The access matrix for every view of the reports app, and document numbers issued at the same instant."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from blocs.models import AuditEntry
from reports import services
from reports.models import Document
from scoring.models import VoteRound
from tests.factories import voted_campaign
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(world, private_media, secretary, deputy_secretary):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    narrative = services.narrative_save(actor=secretary, campaign=campaign, sections={"strengths": "Tốt"})
    document = services.document_issue(
        actor=secretary, campaign=campaign, kind="minutes", issued_on=datetime.date(2023, 12, 28)
    )
    return {
        "campaign": campaign.pk,
        "narrative": narrative.number,
        "document": document.pk,
        "round": VoteRound.objects.get(conference__campaign=campaign).pk,
    }


# name: (url kwargs, POST only, who gets 403, query string)
VIEWS = {
    "documents": (lambda t: {"campaign_id": t["campaign"]}, False, None, ""),
    "narrative_edit": (lambda t: {"campaign_id": t["campaign"]}, False, "focal_person", ""),
    "narrative_adopt": (
        lambda t: {"campaign_id": t["campaign"], "number": t["narrative"]},
        True,
        "reviewer",
        "",
    ),
    "document_preview": (lambda t: {"campaign_id": t["campaign"], "kind": "report"}, False, None, ""),
    "document_draft_pdf": (lambda t: {"campaign_id": t["campaign"], "kind": "request"}, False, None, ""),
    "document_draft_docx": (
        lambda t: {"campaign_id": t["campaign"], "kind": "count_minutes"},
        False,
        None,
        "round",
    ),
    "document_issue_confirm": (
        lambda t: {"campaign_id": t["campaign"], "kind": "report"},
        False,
        "focal_person",
        "",
    ),
    "document_issue": (
        lambda t: {"campaign_id": t["campaign"], "kind": "report"},
        True,
        "member_secretary",
        "",
    ),
    "document_pdf": (lambda t: {"document_id": t["document"]}, False, None, ""),
    "document_docx": (lambda t: {"document_id": t["document"]}, False, None, ""),
}


def url(name, targets):
    kwargs, _, _, query = VIEWS[name]
    return reverse(f"reports:{name}", kwargs=kwargs(targets)) + (
        f"?round={targets['round']}" if query else ""
    )


def call(client, name, targets):
    return (
        client.post(url(name, targets), {"issued_on": "2023-12-28"})
        if VIEWS[name][1]
        else client.get(url(name, targets))
    )


def test_the_matrix_covers_every_view_of_the_app():
    names = {n for n in get_resolver().namespace_dict["reports"][1].reverse_dict if isinstance(n, str)}
    assert names == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_anonymous_visitors_are_sent_to_login(client, targets, name):
    response = call(client, name, targets)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_another_blocs_user_gets_404(client, targets, outsider, name):
    client.force_login(outsider)
    before = (AuditEntry.objects.count(), Document.objects.count())
    assert call(client, name, targets).status_code == 404
    assert (AuditEntry.objects.count(), Document.objects.count()) == before


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if v[2]))
def test_the_wrong_role_gets_403(client, targets, request, name):
    client.force_login(request.getfixturevalue(VIEWS[name][2]))
    before = (AuditEntry.objects.count(), Document.objects.count())
    assert call(client, name, targets).status_code == 403
    assert (AuditEntry.objects.count(), Document.objects.count()) == before


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if v[1]))
def test_get_on_an_action_answers_405(client, targets, secretary, name):
    client.force_login(secretary)
    assert client.get(url(name, targets)).status_code == 405


@pytest.mark.parametrize(
    ("name", "who"),
    [
        (name, who)
        for name, view in sorted(VIEWS.items())
        if not view[1]
        # Pages only the head's secretary opens are read by the secretary; their refusals are tested above.
        for who in (["secretary"] if view[2] else ["secretary", "focal_person", "reviewer"])
    ],
)
def test_readers_get_the_pages_and_nothing_is_written(client, targets, request, name, who):
    client.force_login(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as ctx:
        response = call(client, name, targets)
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []


def test_the_issue_page_issues(client, targets, secretary):
    client.force_login(secretary)
    response = client.post(url("document_issue", targets), {"issued_on": "2023-12-28"}, follow=True)
    assert "Đã ban hành báo cáo tổng kết Số: 01/BC-" in response.content.decode()
    bad = client.post(url("document_issue", targets), {"issued_on": "31/02/2023"}, follow=True)
    assert "Ghi ngày ban hành hợp lệ." in bad.content.decode()
    assert Document.objects.filter(kind="report").count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_documents_issued_at_the_same_instant_get_different_numbers(
    world, private_media, secretary, deputy_secretary
):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    day = datetime.date(2023, 12, 28)
    vote_round = VoteRound.objects.get(conference__campaign=campaign)
    calls = [
        lambda: services.document_issue(actor=secretary, campaign=campaign, kind="minutes", issued_on=day),
        lambda: services.document_issue(
            actor=deputy_secretary, campaign=campaign, kind="minutes", issued_on=day
        ),
        lambda: services.document_issue(
            actor=secretary, campaign=campaign, kind="count_minutes", issued_on=day, vote_round=vote_round
        ),
        lambda: services.document_issue(
            actor=deputy_secretary,
            campaign=campaign,
            kind="count_minutes",
            issued_on=day,
            vote_round=vote_round,
        ),
    ]
    results = run_at_once(*calls)
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    numbers = sorted(Document.objects.filter(type_code="BB", year=2023).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
