import datetime

import pytest
from django.core.exceptions import PermissionDenied

from blocs.models import AuditEntry
from scoring import conference, nominations, services
from scoring.errors import ScoringError
from scoring.models import Campaign, ScoreSheet
from tests.factories import fill_sheet, make_campaign, make_conference, paper_counts


@pytest.fixture
def draft(world, private_media):
    return make_campaign(bloc_year=world["year_a"], status="draft")


def advance(campaign, verb, actor=None):
    return services.campaign_advance(actor=actor, campaign=campaign, verb=verb)


def test_one_campaign_per_bloc_year(draft, secretary):
    with pytest.raises(ScoringError, match="đã có phong trào"):
        services.campaign_create(actor=secretary, bloc_year=draft.bloc_year)
    assert Campaign.objects.count() == 1


def test_only_the_heads_secretary_opens_a_campaign(world, focal_person, reviewer, outsider):
    for user in (focal_person, reviewer, outsider):
        with pytest.raises(PermissionDenied):
            services.campaign_create(actor=user, bloc_year=world["year_a"])
    assert not Campaign.objects.exists()


def test_the_whole_cycle_in_order(draft, secretary, deputy_secretary, reviewer, world):
    assert draft.status == Campaign.Status.DRAFT
    campaign = advance(draft, "launch", secretary)
    assert campaign.status == Campaign.Status.LAUNCHED

    for m in world["year_a"].memberships.select_related("unit"):
        services.registration_save(actor=None, campaign=campaign, unit=m.unit, targets="Chỉ tiêu", titles=[])
    services.covenant_sign(
        actor=secretary,
        campaign=campaign,
        signed_on=datetime.date(2023, 3, 20),
        place="Hội trường",
        signatories="A",
    )
    campaign = advance(campaign, "open_scoring", secretary)
    assert campaign.status == Campaign.Status.SCORING
    assert campaign.sheets.count() == 5

    for sheet in campaign.sheets.all():
        fill_sheet(sheet, {"1.1": 10, "1.2": 5})
        services.score_sheet_finalize(actor=None, sheet=sheet)
    campaign = advance(campaign, "open_conference", secretary)
    assert campaign.status == Campaign.Status.CONFERENCE
    with pytest.raises(ScoringError, match="Chưa ghi biên bản hội nghị tổng kết"):
        advance(campaign, "submit", secretary)
    record = make_conference(campaign)
    conference.conference_adopt(actor=secretary, conference=record, report=True, direction=True)
    vote_round = conference.round_create(actor=secretary, conference=record, method="paper")
    vote_round = conference.round_open(actor=secretary, vote_round=vote_round)
    with pytest.raises(ScoringError, match="Còn 1 vòng bỏ phiếu chưa kết thúc"):
        advance(campaign, "submit", secretary)
    # Every sheet has the same total: all five tie for rank 1 and stand for the flag; the head's unit wins it.
    counts = paper_counts(vote_round, {world["a_units"][0].pk: 5})
    for teller in (secretary, deputy_secretary):
        conference.paper_entry_save(actor=teller, vote_round=vote_round, counts=counts)
    conference.round_close(actor=secretary, vote_round=vote_round)
    with pytest.raises(ScoringError, match="chưa có tóm tắt thành tích"):
        advance(campaign, "submit", secretary)
    for nomination in campaign.nominations.all():
        nominations.nomination_save_summary(
            actor=secretary, nomination=nomination, summary="Thành tích", expected_version=0
        )
    campaign = advance(campaign, "submit", secretary)
    assert campaign.status == "submitted"
    assert set(campaign.nominations.values_list("status", flat=True)) == {"submitted"}
    with pytest.raises(ScoringError, match="chưa có quyết định khen thưởng"):
        advance(campaign, "decide", secretary)
    for nomination in campaign.nominations.all():
        nominations.nomination_accept(actor=reviewer, nomination=nomination)
        nominations.nomination_decide(
            actor=reviewer,
            nomination=nomination,
            decision_number="1/QĐ",
            decision_date=datetime.date(2024, 2, 1),
            awarded=True,
        )
    for verb, status in (("decide", "decided"), ("close", "closed")):
        campaign = advance(campaign, verb, secretary)
        assert campaign.status == status
    statuses = list(
        AuditEntry.objects.filter(action__startswith="campaign.", data__has_key="status")
        .order_by("id")
        .values_list("data__status", flat=True)
    )
    assert statuses == [
        [None, "draft"],
        ["draft", "launched"],
        ["launched", "scoring"],
        ["scoring", "conference"],
        ["conference", "submitted"],
        ["submitted", "decided"],
        ["decided", "closed"],
    ]


@pytest.mark.parametrize("verb", ["open_scoring", "open_conference", "submit", "decide", "close"])
def test_a_step_out_of_order_is_refused(draft, secretary, verb):
    with pytest.raises(ScoringError, match="đang ở bước “Dự thảo”"):
        advance(draft, verb, secretary)
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_repeating_a_step_changes_nothing(draft, secretary):
    advance(draft, "launch", secretary)
    entries = AuditEntry.objects.count()
    with pytest.raises(ScoringError, match="không thay đổi gì"):
        advance(draft, "launch", secretary)
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LAUNCHED
    assert AuditEntry.objects.count() == entries


def test_launch_needs_a_date_and_criteria(world, secretary, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], specs=[], launch_date=None)
    with pytest.raises(ScoringError) as error:
        advance(campaign, "launch", secretary)
    assert "Chưa ghi ngày phát động." in error.value.message
    assert "Bảng tiêu chí chưa có tiêu chí chấm điểm nào." in error.value.message
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_scoring_needs_the_signed_covenant(draft, secretary):
    campaign = advance(draft, "launch", secretary)
    with pytest.raises(ScoringError, match="ký kết giao ước"):
        advance(campaign, "open_scoring", secretary)
    assert not ScoreSheet.objects.exists()


def test_the_covenant_needs_every_registration(draft, secretary, world):
    campaign = advance(draft, "launch", secretary)
    services.registration_save(
        actor=None, campaign=campaign, unit=world["a_units"][0], targets="Chỉ tiêu", titles=[]
    )
    with pytest.raises(ScoringError, match="Còn đơn vị chưa đăng ký thi đua"):
        services.covenant_sign(
            actor=secretary,
            campaign=campaign,
            signed_on=datetime.date(2023, 3, 1),
            place="X",
            signatories="Y",
        )
    campaign.refresh_from_db()
    assert campaign.covenant_signed_on is None


def test_the_conference_needs_every_sheet_final(scoring_campaign, secretary, sheets):
    fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    with pytest.raises(ScoringError, match="Còn 5/5 phiếu chấm chưa được thẩm định"):
        advance(scoring_campaign, "open_conference", secretary)


def test_submitting_needs_the_conference_to_have_taken_place(world, secretary, private_media):
    future = datetime.date.today() + datetime.timedelta(days=30)
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring", conference_date=future)
    for sheet in campaign.sheets.all():
        fill_sheet(sheet, {"1.1": 10, "1.2": 5})
        services.score_sheet_finalize(actor=None, sheet=sheet)
    campaign = advance(campaign, "open_conference", secretary)
    with pytest.raises(ScoringError, match="chưa diễn ra"):
        advance(campaign, "submit", secretary)


def test_a_registration_after_signing_is_refused(scoring_campaign, world):
    with pytest.raises(ScoringError, match="không sửa đăng ký"):
        services.registration_save(
            actor=None, campaign=scoring_campaign, unit=world["a_units"][0], targets="Mới", titles=[]
        )


def test_a_unit_registers_only_for_itself(draft, secretary, focal_person, world):
    campaign = advance(draft, "launch", secretary)
    with pytest.raises(PermissionDenied):
        services.registration_save(
            actor=focal_person, campaign=campaign, unit=world["a_units"][2], targets="X", titles=[]
        )
    registration = services.registration_save(
        actor=focal_person, campaign=campaign, unit=world["a_units"][0], targets="  Chỉ tiêu  ", titles=[]
    )
    assert registration.targets == "Chỉ tiêu"


def test_deadlines_show_what_is_late_and_due(draft):
    draft.launch_date = datetime.date(2023, 3, 1)
    draft.scoring_deadline = datetime.date(2023, 12, 10)
    draft.conference_date = None
    states = {str(d["label"]): d["state"] for d in draft.deadlines(today=datetime.date(2023, 12, 1))}
    assert states["ngày phát động"] == "late"  # still a draft after its launch date
    assert states["hạn gửi phiếu tự chấm"] == "due"
    assert states["ngày hội nghị tổng kết"] == "unset"
