"""The access matrix for every view of the scoring app."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from blocs.models import AuditEntry
from scoring import conference, services
from scoring.models import Evidence, Nomination, RoundCandidate
from tests.factories import (
    criteria_by_code,
    fill_sheet,
    finalize_all,
    make_bloc_year,
    make_campaign,
    make_conference,
    make_user,
)

# The fixtures are chosen per view at run time; the mark tells pytest-django that every test uses the database,
# so that these run before the transactional tests that flush it.
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def conference_targets(world, private_media):
    """Bloc A's 2022 campaign at its conference, with an open electronic round and one nomination."""
    year_2022 = make_bloc_year(
        bloc=world["bloc_a"],
        year=2022,
        units=world["a_units"],
        head=world["a_units"][0],
        deputy=world["a_units"][1],
    )
    campaign = make_campaign(bloc_year=year_2022, status="scoring")
    finalize_all(campaign, [{"1.1": 10 - i, "1.2": 5} for i in range(5)])
    record = make_conference(campaign)
    vote_round = conference.round_open(
        actor=None, vote_round=conference.round_create(actor=None, conference=record, method="electronic")
    )
    candidate = RoundCandidate.objects.filter(round_award__round=vote_round).first()
    nomination = Nomination.objects.create(
        campaign=campaign,
        unit=candidate.unit,
        award_type=candidate.round_award.rule.award_type,
        candidate=candidate,
        status=Nomination.Status.SUBMITTED,
        summary="Thành tích",
    )
    return {
        "conference_campaign": campaign.pk,
        "rule": campaign.vote_rules.first().pk,
        "round": vote_round.pk,
        "nomination": nomination.pk,
    }


@pytest.fixture
def sheet_targets(scoring_campaign, sheets, world):
    codes = criteria_by_code(scoring_campaign)
    submitted = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    evidence = services.evidence_add(
        actor=None, sheet=sheets[3], criterion=codes["1.1"], upload=SimpleUploadedFile("bien-ban.pdf", PDF)
    )
    return {
        "campaign": scoring_campaign.pk,
        "bloc": world["bloc_a"].pk,
        "year": 2023,
        "draft_sheet": sheets[3].pk,
        "submitted_sheet": submitted.pk,
        "criterion": codes["1.1"].pk,
        "group": codes["1.1"].group_id,
        "evidence": evidence.pk,
    }


@pytest.fixture
def unit3_focal(world):
    """Focal person of the unit whose sheet was submitted."""
    return make_user(role="focal", unit=world["a_units"][2], username="unit3_focal")


# name: (url kwargs, POST only, who gets 403 — None where no role inside the bloc is refused)
VIEWS = {
    "campaign_create": (lambda t: {"bloc_id": t["bloc"], "year": 2023}, False, "focal_person"),
    "campaign_detail": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "campaign_edit": (lambda t: {"campaign_id": t["campaign"]}, False, "focal_person"),
    "campaign_step_confirm": (
        lambda t: {"campaign_id": t["campaign"], "verb": "open_conference"},
        False,
        "focal_person",
    ),
    "campaign_step": (lambda t: {"campaign_id": t["campaign"], "verb": "open_conference"}, True, "reviewer"),
    "covenant": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "registration_save": (lambda t: {"campaign_id": t["campaign"]}, True, "reviewer"),
    "covenant_sign": (lambda t: {"campaign_id": t["campaign"]}, True, "focal_person"),
    "criteria": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "criteria_group_create": (lambda t: {"campaign_id": t["campaign"]}, False, "focal_person"),
    "criteria_group_edit": (
        lambda t: {"campaign_id": t["campaign"], "group_id": t["group"]},
        False,
        "focal_person",
    ),
    "criteria_group_delete": (
        lambda t: {"campaign_id": t["campaign"], "group_id": t["group"]},
        True,
        "focal_person",
    ),
    "criterion_create": (lambda t: {"campaign_id": t["campaign"]}, False, "member_secretary"),
    "criterion_edit": (
        lambda t: {"campaign_id": t["campaign"], "criterion_id": t["criterion"]},
        False,
        "reviewer",
    ),
    "criterion_delete": (
        lambda t: {"campaign_id": t["campaign"], "criterion_id": t["criterion"]},
        True,
        "focal_person",
    ),
    "criteria_copy_confirm": (lambda t: {"campaign_id": t["campaign"]}, False, "focal_person"),
    "criteria_copy": (lambda t: {"campaign_id": t["campaign"]}, True, "focal_person"),
    "criteria_import": (lambda t: {"campaign_id": t["campaign"]}, False, "focal_person"),
    "criteria_import_apply": (lambda t: {"campaign_id": t["campaign"]}, True, "focal_person"),
    "sheet_list": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "summary": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "summary_export": (lambda t: {"campaign_id": t["campaign"]}, False, None),
    "sheet_detail": (lambda t: {"sheet_id": t["submitted_sheet"]}, False, None),
    "sheet_save": (lambda t: {"sheet_id": t["draft_sheet"]}, True, "secretary"),
    "sheet_submit": (lambda t: {"sheet_id": t["draft_sheet"]}, True, "secretary"),
    "line_review": (
        lambda t: {"sheet_id": t["submitted_sheet"], "criterion_id": t["criterion"]},
        True,
        "unit3_focal",
    ),
    "sheet_return": (lambda t: {"sheet_id": t["submitted_sheet"]}, True, "unit3_focal"),
    "sheet_finalize": (lambda t: {"sheet_id": t["submitted_sheet"]}, True, "unit3_focal"),
    "evidence_add": (lambda t: {"sheet_id": t["draft_sheet"]}, True, "secretary"),
    "evidence_download": (lambda t: {"evidence_id": t["evidence"]}, False, None),
    "evidence_delete": (lambda t: {"evidence_id": t["evidence"]}, True, "secretary"),
    "conference_detail": (lambda t: {"campaign_id": t["conference_campaign"]}, False, None),
    "conference_edit": (lambda t: {"campaign_id": t["conference_campaign"]}, False, "focal_person"),
    "conference_adopt": (lambda t: {"campaign_id": t["conference_campaign"]}, True, "focal_person"),
    "conference_handover_confirm": (
        lambda t: {"campaign_id": t["conference_campaign"]},
        False,
        "member_secretary",
    ),
    "conference_handover": (lambda t: {"campaign_id": t["conference_campaign"]}, True, "reviewer"),
    "vote_rules": (lambda t: {"campaign_id": t["conference_campaign"]}, False, None),
    "vote_rule_create": (lambda t: {"campaign_id": t["conference_campaign"]}, False, "focal_person"),
    "vote_rule_edit": (
        lambda t: {"campaign_id": t["conference_campaign"], "rule_id": t["rule"]},
        False,
        "focal_person",
    ),
    "vote_rule_delete": (
        lambda t: {"campaign_id": t["conference_campaign"], "rule_id": t["rule"]},
        True,
        "focal_person",
    ),
    "vote_settings": (lambda t: {"campaign_id": t["conference_campaign"]}, True, "reviewer"),
    "round_create_confirm": (lambda t: {"campaign_id": t["conference_campaign"]}, False, "focal_person"),
    "round_create": (lambda t: {"campaign_id": t["conference_campaign"]}, True, "focal_person"),
    "round_detail": (lambda t: {"round_id": t["round"]}, False, None),
    "round_open": (lambda t: {"round_id": t["round"]}, True, "focal_person"),
    "round_close_confirm": (lambda t: {"round_id": t["round"]}, False, "focal_person"),
    "round_close": (lambda t: {"round_id": t["round"]}, True, "reviewer"),
    "round_results": (lambda t: {"round_id": t["round"]}, False, None),
    "ballot_form": (lambda t: {"round_id": t["round"]}, False, "reviewer"),
    "ballot_cast": (lambda t: {"round_id": t["round"]}, True, "reviewer"),
    "paper_entry_save": (lambda t: {"round_id": t["round"]}, True, "focal_person"),
    "nomination_list": (lambda t: {"campaign_id": t["conference_campaign"]}, False, None),
    "nomination_detail": (lambda t: {"nomination_id": t["nomination"]}, False, None),
    "nomination_edit": (lambda t: {"nomination_id": t["nomination"]}, True, "reviewer"),
    "nomination_resubmit": (lambda t: {"nomination_id": t["nomination"]}, True, "reviewer"),
    "nomination_accept": (lambda t: {"nomination_id": t["nomination"]}, True, "secretary"),
    "nomination_return": (lambda t: {"nomination_id": t["nomination"]}, True, "focal_person"),
    "nomination_decide": (lambda t: {"nomination_id": t["nomination"]}, True, "secretary"),
    "review_queue": (lambda t: {}, False, "secretary"),
    "overview": (lambda t: {}, False, "secretary"),
    "overview_export": (lambda t: {}, False, "focal_person"),
}
CONFERENCE_VIEWS = {
    name
    for name in VIEWS
    if name.startswith(("conference", "vote_", "round_", "ballot", "paper", "nomination", "review"))
}


@pytest.fixture
def targets(request):
    """The objects the view under test needs: a campaign in scoring, or one at its conference."""
    params = getattr(request.node, "callspec", None)
    name = params.params.get("name") if params else None
    return request.getfixturevalue("conference_targets" if name in CONFERENCE_VIEWS else "sheet_targets")


# Views about no particular bloc: a user of another bloc is refused by role (403), not hidden (404).
CROSS_BLOC = {"review_queue", "overview", "overview_export"}


def url(name, targets):
    return reverse(f"scoring:{name}", kwargs=VIEWS[name][0](targets))


def test_the_matrix_covers_every_view_of_the_app():
    names = {n for n in get_resolver().namespace_dict["scoring"][1].reverse_dict if isinstance(n, str)}
    assert names == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_anonymous_visitors_are_sent_to_login(client, targets, name):
    response = client.post(url(name, targets)) if VIEWS[name][1] else client.get(url(name, targets))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(set(VIEWS) - CROSS_BLOC))
def test_another_blocs_user_gets_404(client, targets, outsider, name):
    client.force_login(outsider)
    before = AuditEntry.objects.count()
    response = client.post(url(name, targets)) if VIEWS[name][1] else client.get(url(name, targets))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if v[2]))
def test_the_wrong_role_gets_403(client, targets, request, name):
    client.force_login(request.getfixturevalue(VIEWS[name][2]))
    before = AuditEntry.objects.count()
    response = client.post(url(name, targets)) if VIEWS[name][1] else client.get(url(name, targets))
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if v[1]))
def test_get_on_an_action_answers_405(client, targets, secretary, name):
    client.force_login(secretary)
    before = AuditEntry.objects.count()
    assert client.get(url(name, targets)).status_code == 405
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", ["sheet_detail", "evidence_download"])
def test_a_member_cannot_open_another_units_sheet(client, targets, world, name):
    # The focal person of unit 5 is a member of the bloc, but sheets 3 and 4 are not theirs: 404, not 403.
    client.force_login(make_user(role="focal", unit=world["a_units"][4]))
    assert client.get(url(name, targets)).status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "secretary", "unit3_focal"])
def test_readers_of_a_sheet(client, targets, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("sheet_detail", targets)).status_code == 200


def test_evidence_is_sent_only_through_the_checked_view(client, targets, world, private_media):
    owner = make_user(role="focal", unit=world["a_units"][3])
    client.force_login(owner)
    response = client.get(url("evidence_download", targets))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    stored = Evidence.objects.get(pk=targets["evidence"]).file
    assert str(private_media) in stored.path
    with pytest.raises(ValueError):
        stored.url  # noqa: B018 - no public URL exists


@pytest.mark.parametrize("name", sorted(n for n, v in VIEWS.items() if not v[1]))
def test_get_never_writes(client, targets, request, name):
    """No page changes anything on GET: no INSERT, UPDATE or DELETE reaches the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue("reviewer" if name in CROSS_BLOC else "secretary")
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url(name, targets))
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
