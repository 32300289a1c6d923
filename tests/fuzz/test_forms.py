"""Every form that takes typed input, fuzzed: no 500, and nothing changes when the input is refused.

Each case names the view, builds its world through the fixtures of tests/fuzz/conftest.py, and says who sends the
form and from which page; the fields and their kinds are read from that page, so a field added to a form is
fuzzed without touching this file. Uploads are in test_uploads.py, query strings in test_filters.py.
"""

import pytest
from django.core import signing
from django.urls import reverse
from hypothesis import strategies as st

from blocs.models import Blocker
from scoring.views import IMPORT_SALT
from tests.factories import make_bloc, make_unit, make_user
from tests.fuzz import strategies as S
from tests.fuzz.files import criteria_workbook
from tests.fuzz.harness import Case, Field, Target, run_case

pytestmark = pytest.mark.django_db


def _fixtures(request, *names):
    return [request.getfixturevalue(name) for name in names]


# ---------------------------------------------------------------------------------------------------------------
# blocs


def bloc_rotate(request):
    world, secretary = _fixtures(request, "world", "secretary")
    bloc = world["bloc_a"]
    return Target(
        url=reverse("blocs:bloc_rotate", args=[bloc.pk]),
        page=reverse("blocs:bloc_rotate_confirm", args=[bloc.pk]),
        user=secretary,
        defaults={"handover_date": "2023-12-28"},
    )


def bloc_rotate_first_year(request):
    """A new bloc without any year: the year and the council's notice are typed in."""
    world, administrator = _fixtures(request, "world", "administrator")
    units = [make_unit(province=world["province"], name=f"Ban C{i}", abbreviation=f"C{i}") for i in range(3)]
    bloc = make_bloc(province=world["province"], units=units, name="Khối C")
    return Target(
        url=reverse("blocs:bloc_rotate", args=[bloc.pk]),
        page=reverse("blocs:bloc_rotate_confirm", args=[bloc.pk]),
        user=administrator,
        defaults={
            "head": str(units[0].pk),
            "deputy": str(units[1].pk),
            "notice_number": "12/TB-HĐTĐKT",
            "notice_date": "2024-01-05",
        },
    )


def blocker_create(request):
    world, reviewer = _fixtures(request, "world", "reviewer")
    return Target(
        url=reverse("blocs:blocker_create", args=[world["a_units"][2].pk]),
        user=reviewer,
        defaults={"kind": Blocker.Kind.INSPECTION, "started_on": "2023-05-01"},
    )


# ---------------------------------------------------------------------------------------------------------------
# Campaign, covenant, criteria

CAMPAIGN_DATES = {
    "launch_date": "2023-03-01",
    "covenant_date": "2023-03-20",
    "scoring_deadline": "2023-12-10",
    "conference_date": "2023-12-28",
}


def campaign_create(request):
    world, secretary = _fixtures(request, "world", "secretary")
    return Target(
        url=reverse("scoring:campaign_create", args=[world["bloc_a"].pk, 2023]),
        user=secretary,
        defaults=CAMPAIGN_DATES,
    )


def campaign_edit(request):
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")
    return Target(url=reverse("scoring:campaign_edit", args=[campaign.pk]), user=secretary)


def campaign_edit_scoring(request):
    """Once sheets are submitted, the step is fixed but the dates still move."""
    state, secretary = _fixtures(request, "scoring_state", "secretary")
    return Target(url=reverse("scoring:campaign_edit", args=[state["campaign"].pk]), user=secretary)


def registration_save(request):
    campaign, focal = _fixtures(request, "launched_campaign", "unit4_focal")
    return Target(
        url=reverse("scoring:registration_save", args=[campaign.pk]),
        page=reverse("scoring:covenant", args=[campaign.pk]),
        user=focal,
        defaults={"targets": "Hoàn thành 100% kế hoạch"},
    )


def covenant_sign(request):
    campaign, secretary = _fixtures(request, "launched_campaign", "secretary")
    return Target(
        url=reverse("scoring:covenant_sign", args=[campaign.pk]),
        page=reverse("scoring:covenant", args=[campaign.pk]),
        user=secretary,
        defaults={"place": "Hội trường"},
    )


def criteria_group_create(request):
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")
    return Target(
        url=reverse("scoring:criteria_group_create", args=[campaign.pk]),
        user=secretary,
        defaults={"code": "V", "title": "Nhóm mới", "kind": "bonus", "cap": "2"},
    )


def criteria_group_edit(request):
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")
    group = campaign.groups.get(code="II")
    return Target(url=reverse("scoring:criteria_group_edit", args=[campaign.pk, group.pk]), user=secretary)


def criterion_create(request):
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")
    return Target(
        url=reverse("scoring:criterion_create", args=[campaign.pk]),
        user=secretary,
        defaults={"code": "1.9", "title": "Tiêu chí mới", "max_score": "2,5"},
    )


def criterion_edit(request):
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")
    criterion = campaign.groups.get(code="I").items.get(code="1.1")
    return Target(url=reverse("scoring:criterion_edit", args=[campaign.pk, criterion.pk]), user=secretary)


def criteria_import_apply(request):
    """The signed preview of an uploaded table: forged, truncated, for another campaign, or holding junk."""
    campaign, secretary = _fixtures(request, "draft_campaign", "secretary")

    def signed(**values):
        return signing.dumps(values, salt=IMPORT_SALT, compress=True)

    good = signed(name="bang.xlsx", content=criteria_workbook().hex(), campaign=campaign.pk)
    payloads = [
        good,
        good[:-3],
        good[:20],
        good.replace(":", "."),
        good.upper(),
        signed(name="bang.xlsx", content=criteria_workbook().hex(), campaign=campaign.pk + 1),
        signed(name="bang.xlsx", content="zz", campaign=campaign.pk),
        signed(name="bang.csv", content=b"a,b".hex(), campaign=campaign.pk),
        signed(name="bang.xlsx", content=b"PK\x03\x04junk".hex(), campaign=campaign.pk),
        signed(content=criteria_workbook().hex(), campaign=campaign.pk),
        signed(name="bang.xlsx", content=criteria_workbook().hex(), campaign=str(campaign.pk)),
        signed(name=None, content=None, campaign=campaign.pk),
        signing.dumps([1, 2], salt=IMPORT_SALT),
        signing.dumps({"name": "bang.xlsx"}, salt="another.salt"),
    ]
    return Target(
        url=reverse("scoring:criteria_import_apply", args=[campaign.pk]),
        user=secretary,
        fields=[Field("payload", "text", good)],
        strategies={"payload": st.one_of(st.sampled_from(payloads), S.text())},
    )


# ---------------------------------------------------------------------------------------------------------------
# Score sheets


def sheet_save(request):
    state, focal = _fixtures(request, "scoring_state", "unit4_focal")
    sheet = state["draft_sheet"]
    return Target(
        url=reverse("scoring:sheet_save", args=[sheet.pk]),
        page=sheet.get_absolute_url(),
        user=focal,
        defaults={f"s{state['criteria']['1.1'].pk}": "7,5"},
    )


def line_review(request, code):
    state, secretary = _fixtures(request, "scoring_state", "secretary")
    sheet, criterion = state["submitted_sheet"], state["criteria"][code]
    return Target(
        url=reverse("scoring:line_review", args=[sheet.pk, criterion.pk]),
        page=sheet.get_absolute_url(),
        user=secretary,
        defaults={f"r{criterion.pk}-reason": "Theo biên bản kiểm tra"},
    )


def sheet_return(request):
    state, secretary = _fixtures(request, "scoring_state", "secretary")
    sheet = state["submitted_sheet"]
    return Target(
        url=reverse("scoring:sheet_return", args=[sheet.pk]),
        page=sheet.get_absolute_url(),
        user=secretary,
        defaults={"comment": "Bổ sung minh chứng tiêu chí 1.1"},
    )


# ---------------------------------------------------------------------------------------------------------------
# Conference, votes


def conference_edit(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(url=reverse("scoring:conference_edit", args=[campaign.pk]), user=secretary)


def conference_adopt(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(
        url=reverse("scoring:conference_adopt", args=[campaign.pk]),
        page=reverse("scoring:conference_detail", args=[campaign.pk]),
        user=secretary,
    )


def conference_handover(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(
        url=reverse("scoring:conference_handover", args=[campaign.pk]),
        page=reverse("scoring:conference_handover_confirm", args=[campaign.pk]),
        user=secretary,
    )


def vote_rule_create(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(
        url=reverse("scoring:vote_rule_create", args=[campaign.pk]),
        user=secretary,
        defaults={"quota_number": "1", "rank_from": "1", "rank_to": "3", "threshold_numerator": "1"},
    )


def vote_rule_edit(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    rule = campaign.vote_rules.order_by("position").last()
    return Target(url=reverse("scoring:vote_rule_edit", args=[campaign.pk, rule.pk]), user=secretary)


def vote_settings(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(
        url=reverse("scoring:vote_settings", args=[campaign.pk]),
        page=reverse("scoring:vote_rules", args=[campaign.pk]),
        user=secretary,
    )


def round_create(request):
    campaign, secretary = _fixtures(request, "conference_campaign", "secretary")
    return Target(
        url=reverse("scoring:round_create", args=[campaign.pk]),
        page=reverse("scoring:round_create_confirm", args=[campaign.pk]),
        user=secretary,
    )


def ballot_cast(request):
    vote_round, focal = _fixtures(request, "electronic_round", "unit4_focal")
    return Target(
        url=reverse("scoring:ballot_cast", args=[vote_round.pk]),
        page=reverse("scoring:ballot_form", args=[vote_round.pk]),
        user=focal,
    )


def paper_entry_save(request):
    vote_round, secretary = _fixtures(request, "paper_round", "secretary")
    return Target(
        url=reverse("scoring:paper_entry_save", args=[vote_round.pk]),
        page=vote_round.get_absolute_url(),
        user=secretary,
        defaults=_consistent_counts(vote_round),
    )


def _consistent_counts(vote_round):
    """Every box of the tellers' form filled in: all five ballots returned and valid, two approvals each."""
    counts = {"issued": "5", "returned": "5"}
    for award in vote_round.awards.prefetch_related("candidates"):
        counts |= {f"valid_{award.pk}": "5", f"invalid_{award.pk}": "0"}
        counts |= {f"c_{c.pk}": "2" for c in award.candidates.all()}
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Nominations


def nomination_edit(request):
    voted, secretary = _fixtures(request, "voted", "secretary")
    nomination = voted["draft"]
    return Target(
        url=reverse("scoring:nomination_edit", args=[nomination.pk]),
        page=nomination.get_absolute_url(),
        user=secretary,
    )


def nomination_return(request):
    voted, reviewer = _fixtures(request, "voted", "reviewer")
    nomination = voted["submitted"]
    return Target(
        url=reverse("scoring:nomination_return", args=[nomination.pk]),
        page=nomination.get_absolute_url(),
        user=reviewer,
        defaults={"comment": "Bổ sung tóm tắt thành tích"},
    )


def nomination_decide(request):
    voted, reviewer = _fixtures(request, "voted", "reviewer")
    nomination = voted["accepted"]
    return Target(
        url=reverse("scoring:nomination_decide", args=[nomination.pk]),
        page=nomination.get_absolute_url(),
        user=reviewer,
        defaults={"decision_number": "123/QĐ-UBND", "decision_date": "2024-01-15", "awarded": "yes"},
    )


# ---------------------------------------------------------------------------------------------------------------
# Reports


def narrative_edit(request):
    voted, secretary = _fixtures(request, "voted", "secretary")
    return Target(url=reverse("reports:narrative_edit", args=[voted["campaign"].pk]), user=secretary)


def document_issue(request, kind):
    voted, secretary = _fixtures(request, "voted", "secretary")
    campaign = voted["campaign"]
    query = ""
    if kind == "count_minutes":
        query = f"?round={campaign.conference.rounds.get().pk}"
    return Target(
        url=reverse("reports:document_issue", args=[campaign.pk, kind]),
        page=reverse("reports:document_issue_confirm", args=[campaign.pk, kind]) + query,
        user=secretary,
    )


# ---------------------------------------------------------------------------------------------------------------
# Signing in, language


def login(request):
    world = request.getfixturevalue("world")
    make_user(role="focal", unit=world["a_units"][0], username="thuky.a1")

    def signed_in(response):
        return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session

    return Target(
        url=reverse("login"),
        defaults={"username": "thuky.a1", "password": "secret-pass-123"},
        strategies={
            "next": st.one_of(S.text(), st.sampled_from(["/", "//evil.example", "https://evil.example/"]))
        },
        accepted=signed_in,
        silent_redirect_ok=True,
    )


def set_language(request):
    reviewer = request.getfixturevalue("reviewer")
    return Target(
        url=reverse("set_language"),
        page=reverse("blocs:dashboard"),
        user=reviewer,
        strategies={
            "next": st.one_of(S.text(), st.sampled_from(["/", "//evil.example", "javascript:alert(1)"]))
        },
        # Only a cookie changes; the database never does.
        silent_redirect_ok=True,
    )


CASES = [
    Case("blocs:bloc_rotate", bloc_rotate),
    Case("blocs:bloc_rotate", bloc_rotate_first_year, variant="first-year"),
    Case("blocs:blocker_create", blocker_create),
    Case("scoring:campaign_create", campaign_create),
    Case("scoring:campaign_edit", campaign_edit),
    Case("scoring:campaign_edit", campaign_edit_scoring, variant="scoring", examples=10),
    Case("scoring:registration_save", registration_save),
    Case("scoring:covenant_sign", covenant_sign),
    Case("scoring:criteria_group_create", criteria_group_create),
    Case("scoring:criteria_group_edit", criteria_group_edit, examples=10),
    Case("scoring:criterion_create", criterion_create),
    Case("scoring:criterion_edit", criterion_edit, examples=10),
    Case("scoring:criteria_import_apply", criteria_import_apply, examples=15),
    Case("scoring:sheet_save", sheet_save, examples=25),
    Case("scoring:line_review", lambda r: line_review(r, "1.1"), variant="score"),
    Case("scoring:line_review", lambda r: line_review(r, "4.1"), variant="knock-out", examples=10),
    Case("scoring:sheet_return", sheet_return, examples=15),
    Case("scoring:conference_edit", conference_edit),
    Case("scoring:conference_adopt", conference_adopt, examples=10),
    Case("scoring:conference_handover", conference_handover),
    Case("scoring:vote_rule_create", vote_rule_create),
    Case("scoring:vote_rule_edit", vote_rule_edit, examples=10),
    Case("scoring:vote_settings", vote_settings),
    Case("scoring:round_create", round_create, examples=10),
    Case("scoring:ballot_cast", ballot_cast),
    Case("scoring:paper_entry_save", paper_entry_save),
    Case("scoring:nomination_edit", nomination_edit, examples=15),
    Case("scoring:nomination_return", nomination_return, examples=15),
    Case("scoring:nomination_decide", nomination_decide),
    Case("reports:narrative_edit", narrative_edit, examples=15),
    Case("reports:document_issue", lambda r: document_issue(r, "report"), variant="report", examples=8),
    Case("reports:document_issue", lambda r: document_issue(r, "count_minutes"), variant="count-minutes"),
    Case("login", login),
    Case("set_language", set_language, examples=10),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_never_fails_and_a_refusal_changes_nothing(case, request):
    run_case(case, request)
