"""The conference, the vote rules, paper and electronic rounds, the tally and its run-offs."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from blocs.models import AuditEntry, BlocYear
from blocs.services import blocker_record
from scoring import conference
from scoring.errors import ScoringError
from scoring.models import Ballot, Nomination, RoundCandidate, Voter, VoteRound, VoteRule
from tests.factories import finalize_all, make_campaign, make_conference, make_user, paper_counts

# Totals by rotation order: unit 1 first, then 2, 3, 4, 5.
SCORES = [
    {"1.1": 10, "1.2": 5},
    {"1.1": 9, "1.2": 5},
    {"1.1": 8, "1.2": 5},
    {"1.1": 7, "1.2": 5},
    {"1.1": 6, "1.2": 5},
]


@pytest.fixture
def at_conference(world, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    return make_conference(campaign)


@pytest.fixture
def units(world):
    return world["a_units"]


@pytest.fixture
def delegates(world):
    return [
        make_user(role="focal", unit=u, username=f"delegate{i}") for i, u in enumerate(world["a_units"], 1)
    ]


def open_round(record, method):
    vote_round = conference.round_create(actor=None, conference=record, method=method)
    return conference.round_open(actor=None, vote_round=vote_round)


def awards(vote_round):
    return {a.rule.award_type.code: a for a in vote_round.awards.select_related("rule__award_type")}


def candidate(vote_round, code, unit):
    return RoundCandidate.objects.get(
        round_award__round=vote_round, round_award__rule__award_type__code=code, unit=unit
    )


def test_default_rules_are_those_of_the_domain(at_conference):
    rules = {r.award_type.code: r for r in at_conference.campaign.vote_rules.select_related("award_type")}
    flag, merit = rules["co-thi-dua-ubnd"], rules["bang-khen-chu-tich-ubnd"]
    assert (flag.quota_number, flag.rank_from, flag.rank_to) == (1, 1, 1)
    assert (merit.quota_number, merit.rank_from, merit.rank_to) == (2, 2, 4)
    assert (
        flag.threshold_numerator,
        flag.threshold_denominator,
        flag.threshold_strict,
        flag.threshold_basis,
    ) == (7, 10, False, "members")
    assert at_conference.campaign.quorum_numerator == 2 and at_conference.campaign.self_vote_allowed


def test_rules_are_frozen_once_a_round_opens(at_conference, secretary):
    rule = at_conference.campaign.vote_rules.get(award_type__code="bang-khen-chu-tich-ubnd")
    values = {name: getattr(rule, name) for name in conference.RULE_FIELDS}
    conference.vote_rule_save(
        actor=secretary, campaign=at_conference.campaign, rule=rule, **{**values, "quota_number": 3}
    )
    open_round(at_conference, "paper")
    with pytest.raises(ScoringError, match="không thay đổi được nữa"):
        conference.vote_rule_save(actor=secretary, campaign=at_conference.campaign, rule=rule, **values)
    with pytest.raises(ScoringError, match="không thay đổi được nữa"):
        conference.vote_settings_save(
            actor=secretary,
            campaign=at_conference.campaign,
            quorum_numerator=1,
            quorum_denominator=2,
            quorum_strict=False,
            self_vote_allowed=False,
        )
    assert VoteRule.objects.get(pk=rule.pk).quota_number == 3


def test_a_bad_rule_is_refused(at_conference, secretary):
    rule = at_conference.campaign.vote_rules.first()
    values = {name: getattr(rule, name) for name in conference.RULE_FIELDS}
    for bad, message in (
        ({"threshold_numerator": 11}, "Ngưỡng phải là một tỷ lệ"),
        ({"rank_to": 0}, "Khoảng xếp hạng"),
        ({"quota_kind": "share", "quota_numerator": None, "quota_denominator": None}, "Ghi tỷ lệ"),
    ):
        with pytest.raises(ScoringError, match=message):
            conference.vote_rule_save(
                actor=secretary, campaign=at_conference.campaign, rule=rule, **{**values, **bad}
            )


def test_a_blocked_unit_cannot_stand_and_the_reason_is_given(at_conference, units, reviewer, focal_person):
    with pytest.raises(PermissionDenied):
        blocker_record(
            actor=focal_person, unit=units[1], kind="inspection", started_on=datetime.date(2023, 6, 1)
        )
    blocker_record(actor=reviewer, unit=units[1], kind="inspection", started_on=datetime.date(2023, 6, 1))
    # An old complaint, resolved before the conference, no longer blocks.
    blocker_record(
        actor=reviewer,
        unit=units[2],
        kind="complaint",
        started_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2022, 3, 1),
    )
    rule = at_conference.campaign.vote_rules.get(award_type__code="bang-khen-chu-tich-ubnd")
    standing = {
        s.unit: s.excluded
        for s in conference.standings(at_conference.campaign, rule, on=at_conference.held_on)
    }
    assert "Đang bị thanh tra, kiểm tra có dấu hiệu vi phạm (từ 01/06/2023)" in standing[units[1]]
    assert standing[units[2]] == "" and standing[units[3]] == ""
    vote_round = conference.round_create(actor=None, conference=at_conference, method="paper")
    merit = awards(vote_round)["bang-khen-chu-tich-ubnd"]
    assert {c.unit for c in merit.candidates.all()} == {units[2], units[3]}


def test_voting_needs_the_quorum(world, private_media, units):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    record = make_conference(campaign, present=units[:3])  # 3 of 5 < 2/3
    vote_round = conference.round_create(actor=None, conference=record, method="paper")
    with pytest.raises(ScoringError, match=r"có mặt 3/5, cần ≥ 2/3"):
        conference.round_open(actor=None, vote_round=vote_round)
    vote_round.refresh_from_db()
    assert vote_round.status == VoteRound.Status.PREPARED
    make_conference(campaign, present=units[:4])  # 4 of 5 ≥ 2/3
    assert conference.round_open(actor=None, vote_round=vote_round).status == VoteRound.Status.OPEN


def test_the_list_of_present_units_is_fixed_once_voting_starts(at_conference, units):
    open_round(at_conference, "paper")
    with pytest.raises(ScoringError, match="danh sách đơn vị có mặt không thay đổi"):
        make_conference(at_conference.campaign, present=units[:4])


def test_a_paper_round_needs_two_matching_entries_from_two_people(
    at_conference, units, secretary, deputy_secretary
):
    vote_round = open_round(at_conference, "paper")
    good = paper_counts(vote_round, {units[0].pk: 5, units[1].pk: 5, units[2].pk: 4, units[3].pk: 1})
    conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=good)
    with pytest.raises(ScoringError, match="Cần hai lần nhập"):
        conference.round_close(actor=secretary, vote_round=vote_round)
    # The same person entering again corrects their own entry; it does not count twice.
    conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=good)
    assert vote_round.paper_entries.count() == 1

    typo = paper_counts(vote_round, {units[0].pk: 5, units[1].pk: 5, units[2].pk: 3, units[3].pk: 1})
    conference.paper_entry_save(actor=deputy_secretary, vote_round=vote_round, counts=typo)
    mismatches = conference.paper_mismatches(vote_round)
    assert mismatches == [
        f"Bằng khen UBND: số phiếu đồng ý cho {units[2].short_name}: lần 1 ghi 4, lần 2 ghi 3"
    ]
    with pytest.raises(ScoringError, match="Hai lần nhập chưa khớp"):
        conference.round_close(actor=secretary, vote_round=vote_round)

    conference.paper_entry_save(actor=deputy_secretary, vote_round=vote_round, counts=good)
    conference.round_close(actor=secretary, vote_round=vote_round)
    results = {c.unit: c for c in RoundCandidate.objects.filter(round_award__round=vote_round)}
    assert results[units[0]].elected and results[units[1]].elected and results[units[2]].elected
    assert results[units[2]].share_numerator == 4 and results[units[2]].share_denominator == 5
    assert not results[units[3]].passed
    assert set(Nomination.objects.values_list("unit", "award_type__code")) == {
        (units[0].pk, "co-thi-dua-ubnd"),
        (units[1].pk, "bang-khen-chu-tich-ubnd"),
        (units[2].pk, "bang-khen-chu-tich-ubnd"),
    }


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"issued": 6}, "lớn hơn số đơn vị có mặt"),
        ({"returned": 6}, "lớn hơn số phiếu phát ra"),
        ({"valid": 4}, "phải bằng số phiếu thu về"),
        ({"approval": 6}, "lớn hơn số phiếu hợp lệ"),
        ({"approval": -1}, "số nguyên không âm"),
    ],
)
def test_impossible_paper_counts_are_refused(at_conference, units, secretary, counts, message):
    vote_round = open_round(at_conference, "paper")
    data = paper_counts(vote_round, {units[0].pk: 5})
    flag = str(awards(vote_round)["co-thi-dua-ubnd"].pk)
    if "issued" in counts:
        data["issued"] = counts["issued"]
    if "returned" in counts:
        data["returned"] = counts["returned"]
    if "valid" in counts:
        data["awards"][flag]["valid"] = counts["valid"]
    if "approval" in counts:
        data["awards"][flag]["approvals"][str(candidate(vote_round, "co-thi-dua-ubnd", units[0]).pk)] = (
            counts["approval"]
        )
    with pytest.raises(ScoringError, match=message):
        conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=data)
    assert not vote_round.paper_entries.exists()


def test_an_electronic_round(at_conference, units, delegates, secretary, reviewer):
    vote_round = open_round(at_conference, "electronic")
    flag, merit = awards(vote_round)["co-thi-dua-ubnd"], awards(vote_round)["bang-khen-chu-tich-ubnd"]
    first = candidate(vote_round, "co-thi-dua-ubnd", units[0]).pk
    second, third, fourth = (candidate(vote_round, "bang-khen-chu-tich-ubnd", units[i]).pk for i in (1, 2, 3))
    with pytest.raises(ScoringError, match="chọn tối đa 2 đơn vị"):
        conference.ballot_cast(
            actor=delegates[0], vote_round=vote_round, choices={merit.pk: {second, third, fourth}}
        )
    assert not Ballot.objects.exists() and not Voter.objects.filter(has_voted=True).exists()

    for delegate in delegates:
        conference.ballot_cast(
            actor=delegate, vote_round=vote_round, choices={flag.pk: {first}, merit.pk: {second, third}}
        )
    with pytest.raises(ScoringError, match="đã bỏ phiếu ở vòng này"):
        conference.ballot_cast(actor=delegates[0], vote_round=vote_round, choices={flag.pk: {first}})
    with pytest.raises(PermissionDenied):
        conference.ballot_cast(actor=reviewer, vote_round=vote_round, choices={})  # no unit: not a delegate
    assert Ballot.objects.count() == 5

    conference.round_close(actor=secretary, vote_round=vote_round)
    vote_round.refresh_from_db()
    assert (vote_round.entitled_count, vote_round.ballots_returned) == (5, 5)
    assert RoundCandidate.objects.get(pk=first).approvals == 5
    assert RoundCandidate.objects.get(pk=fourth).approvals == 0
    with pytest.raises(ScoringError, match="không mở"):
        conference.ballot_cast(actor=delegates[1], vote_round=vote_round, choices={})


def test_no_partial_result_before_the_round_closes(client, at_conference, units, delegates, secretary):
    vote_round = open_round(at_conference, "electronic")
    flag = awards(vote_round)["co-thi-dua-ubnd"]
    conference.ballot_cast(
        actor=delegates[0],
        vote_round=vote_round,
        choices={flag.pk: {candidate(vote_round, "co-thi-dua-ubnd", units[0]).pk}},
    )
    assert RoundCandidate.objects.get(round_award=flag).approvals is None
    client.force_login(secretary)
    page = client.get(f"/rounds/{vote_round.pk}/results/").content.decode()
    assert "kết quả chỉ công bố khi kết thúc" in page
    assert "Đồng ý" not in page


def test_a_unit_may_be_barred_from_voting_for_itself(at_conference, units, delegates, secretary):
    conference.vote_settings_save(
        actor=secretary,
        campaign=at_conference.campaign,
        quorum_numerator=2,
        quorum_denominator=3,
        quorum_strict=False,
        self_vote_allowed=False,
    )
    vote_round = open_round(at_conference, "electronic")
    flag = awards(vote_round)["co-thi-dua-ubnd"]
    own = candidate(vote_round, "co-thi-dua-ubnd", units[0]).pk
    with pytest.raises(ScoringError, match="không bỏ phiếu cho chính mình"):
        conference.ballot_cast(actor=delegates[0], vote_round=vote_round, choices={flag.pk: {own}})
    conference.ballot_cast(actor=delegates[1], vote_round=vote_round, choices={flag.pk: {own}})


def test_a_tie_for_the_last_seat_opens_a_run_off(world, private_media, units, secretary, deputy_secretary):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    # Units 2 and 3 share rank 2 with the same total: their tie survives "then final score".
    finalize_all(
        campaign,
        [
            {"1.1": 10, "1.2": 5},
            {"1.1": 9, "1.2": 5},
            {"1.1": 9, "1.2": 5},
            {"1.1": 7, "1.2": 5},
            {"1.1": 6, "1.2": 5},
        ],
    )
    record = make_conference(campaign)
    rule = campaign.vote_rules.get(award_type__code="bang-khen-chu-tich-ubnd")
    # Half of the members suffices here, so that a tie can pass: with 70 % and two seats it cannot.
    conference.vote_rule_save(
        actor=secretary,
        campaign=campaign,
        rule=rule,
        **{
            **{n: getattr(rule, n) for n in conference.RULE_FIELDS},
            "threshold_numerator": 1,
            "threshold_denominator": 2,
        },
    )
    vote_round = open_round(record, "paper")
    counts = paper_counts(vote_round, {units[0].pk: 5, units[3].pk: 4, units[1].pk: 3, units[2].pk: 3})
    conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=counts)
    conference.paper_entry_save(actor=deputy_secretary, vote_round=vote_round, counts=counts)
    conference.round_close(actor=secretary, vote_round=vote_round)

    tied = RoundCandidate.objects.filter(round_award__round=vote_round, runoff=True)
    assert {c.unit for c in tied} == {units[1], units[2]}
    assert RoundCandidate.objects.get(round_award__round=vote_round, unit=units[3]).elected
    runoff = VoteRound.objects.get(runoff_of=vote_round)
    assert runoff.number == 2 and runoff.status == VoteRound.Status.PREPARED
    runoff_award = runoff.awards.get()
    assert runoff_award.seats == 1
    assert {c.unit for c in runoff_award.candidates.all()} == {units[1], units[2]}
    assert list(
        Nomination.objects.filter(award_type__code="bang-khen-chu-tich-ubnd").values_list("unit", flat=True)
    ) == [units[3].pk]

    runoff = conference.round_open(actor=secretary, vote_round=runoff)
    counts = paper_counts(runoff, {units[1].pk: 4, units[2].pk: 1})
    conference.paper_entry_save(actor=secretary, vote_round=runoff, counts=counts)
    conference.paper_entry_save(actor=deputy_secretary, vote_round=runoff, counts=counts)
    conference.round_close(actor=secretary, vote_round=runoff)
    assert set(
        Nomination.objects.filter(award_type__code="bang-khen-chu-tich-ubnd").values_list("unit", flat=True)
    ) == {
        units[3].pk,
        units[1].pk,
    }
    assert VoteRound.objects.filter(conference=record).count() == 2  # every round kept


def test_closing_twice_changes_nothing(at_conference, units, secretary, deputy_secretary):
    vote_round = open_round(at_conference, "paper")
    counts = paper_counts(vote_round, {units[0].pk: 5})
    conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=counts)
    conference.paper_entry_save(actor=deputy_secretary, vote_round=vote_round, counts=counts)
    conference.round_close(actor=secretary, vote_round=vote_round)
    before = (Nomination.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ScoringError, match="đã kết thúc"):
        conference.round_close(actor=secretary, vote_round=vote_round)
    with pytest.raises(ScoringError):
        conference.paper_entry_save(actor=secretary, vote_round=vote_round, counts=counts)
    assert (Nomination.objects.count(), AuditEntry.objects.count()) == before


def test_the_handover_goes_through_the_rotation(at_conference, units, secretary):
    handover = conference.conference_handover(
        actor=secretary, conference=at_conference, handed_over_on=datetime.date(2023, 12, 28)
    )
    next_year = BlocYear.objects.get(bloc=at_conference.campaign.bloc_year.bloc, year=2024)
    assert (handover.from_unit, handover.to_unit) == (units[0], units[1])
    assert next_year.memberships.get(role="head").unit == units[1]
    at_conference.refresh_from_db()
    assert at_conference.handover == handover


def test_the_conference_adopts_its_report(at_conference, secretary, focal_person):
    with pytest.raises(PermissionDenied):
        conference.conference_adopt(actor=focal_person, conference=at_conference, report=True, direction=True)
    conference.conference_adopt(actor=secretary, conference=at_conference, report=True, direction=False)
    at_conference.refresh_from_db()
    assert (at_conference.report_adopted, at_conference.direction_adopted) == (True, False)


def test_a_final_score_decides_between_equal_approvals(
    world, private_media, units, secretary, deputy_secretary
):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    finalize_all(campaign, SCORES)
    record = make_conference(campaign)
    vote_round = open_round(record, "paper")
    counts = paper_counts(vote_round, {units[0].pk: 5, units[1].pk: 4, units[2].pk: 4, units[3].pk: 2})
    for teller in (secretary, deputy_secretary):
        conference.paper_entry_save(actor=teller, vote_round=vote_round, counts=counts)
    conference.round_close(actor=secretary, vote_round=vote_round)
    elected = set(
        RoundCandidate.objects.filter(round_award__round=vote_round, elected=True).values_list(
            "unit", flat=True
        )
    )
    assert elected == {units[0].pk, units[1].pk, units[2].pk}
    assert D(str(RoundCandidate.objects.get(round_award__round=vote_round, unit=units[1]).final_score)) == D(
        "14"
    )
