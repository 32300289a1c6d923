"""Self-assessment, review and the rules on scores."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from scoring import services
from scoring.errors import ConflictError, ScoringError
from scoring.models import Campaign, ScoreChange, ScoreLine, ScoreSheet
from scoring.selectors import campaign_summary
from scoring.services import LineEntry
from tests.factories import criteria_by_code, fill_sheet, make_user


@pytest.fixture
def codes(scoring_campaign):
    return criteria_by_code(scoring_campaign)


@pytest.fixture
def member_focal(world):
    """Focal person of bloc A's third unit (a plain member)."""
    return make_user(role="focal", unit=world["a_units"][2], username="member_focal")


def save(sheet, actor, codes, **scores):
    sheet.refresh_from_db()
    entries = {codes[k.replace("_", ".")].pk: LineEntry(score=D(v)) for k, v in scores.items()}
    return services.score_sheet_save(
        actor=actor, sheet=sheet, entries=entries, expected_version=sheet.version
    )


def review(sheet, actor, criterion, score=None, reason="", violation=None):
    line = ScoreLine.objects.filter(sheet=sheet, criterion=criterion).first()
    return services.score_line_review(
        actor=actor,
        sheet=sheet,
        criterion=criterion,
        score=D(score) if score is not None else None,
        violation=violation,
        reason=reason,
        expected_version=line.version if line else 0,
    )


def test_a_focal_person_saves_a_draft_and_submits(sheets, codes, member_focal):
    sheet = sheets[2]
    save(sheet, member_focal, codes, **{"1_1": "9.75", "1_2": "5", "2_1": "1.5", "3_1": "0.5"})
    line = ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"])
    assert line.self_score == D("9.75")
    with pytest.raises(ScoringError, match=r"Chưa chấm các tiêu chí: 4\.1"):
        services.score_sheet_submit(actor=member_focal, sheet=sheet)

    sheet.refresh_from_db()
    services.score_sheet_save(
        actor=member_focal,
        sheet=sheet,
        entries={codes["4.1"].pk: LineEntry(violation=False)},
        expected_version=sheet.version,
    )
    services.score_sheet_submit(actor=member_focal, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    row = next(r for r in campaign_summary(sheet.campaign).rows if r.sheet.pk == sheet.pk)
    assert row.self_totals.total == D("9.75") + D("5") + D("1.5") - D("0.5")
    # Submitted: the unit can no longer change it.
    with pytest.raises(ScoringError, match="không sửa được"):
        save(sheet, member_focal, codes, **{"1_1": "10"})


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("1_1", "10.25", "từ 0 đến 10"),
        ("1_1", "-1", "từ 0 đến 10"),
        ("1_2", "2.3", "bội số của 0,25"),
        ("2_1", "2.5", "từ 0 đến 2"),
    ],
)
def test_a_score_outside_the_rules_is_refused(sheets, codes, member_focal, code, value, message):
    with pytest.raises(ScoringError, match=message):
        save(sheets[2], member_focal, codes, **{code: value})
    assert not ScoreLine.objects.filter(sheet=sheets[2]).exists()


def test_the_bonus_cap_holds(sheets, codes, member_focal):
    with pytest.raises(ScoringError, match="tổng 4 vượt giới hạn 3 điểm"):
        save(sheets[2], member_focal, codes, **{"2_1": "2", "2_2": "2"})
    save(sheets[2], member_focal, codes, **{"2_1": "2", "2_2": "1"})
    # A later save of one line cannot push the group over its cap either.
    with pytest.raises(ScoringError, match="vượt giới hạn 3"):
        save(sheets[2], member_focal, codes, **{"2_2": "1.5"})


def test_the_deduction_cap_holds(sheets, codes, member_focal):
    with pytest.raises(ScoringError, match=r"Nhóm III \(điểm trừ\): tổng 4,25 vượt giới hạn 4"):
        save(sheets[2], member_focal, codes, **{"3_1": "3", "3_2": "1.25"})


def test_a_failed_knock_out_makes_the_unit_ineligible_whatever_its_total(sheets, scoring_campaign, codes):
    winner = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5, "2.1": 2, "2.2": 1}, violation=True)
    other = fill_sheet(sheets[3], {"1.1": 6, "1.2": 3})
    for sheet in (winner, other):
        services.score_sheet_finalize(actor=None, sheet=sheet)
    rows = {r.sheet.pk: r for r in campaign_summary(scoring_campaign).rows}
    assert rows[winner.pk].reviewed_totals.total == D("18")
    assert rows[winner.pk].reviewed_totals.eligible is False
    assert rows[winner.pk].rank is None
    assert rows[other.pk].rank == 1


def test_a_different_reviewed_score_needs_a_reason(sheets, codes, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    with pytest.raises(ScoringError, match="phải ghi lý do"):
        review(sheet, secretary, codes["1.1"], "8.5")
    line = review(sheet, secretary, codes["1.1"], "8.5", reason="Thiếu minh chứng chỉ tiêu 3")
    assert (line.reviewed_score, line.review_reason) == (D("8.5"), "Thiếu minh chứng chỉ tiêu 3")
    # Confirming the self score needs no reason.
    assert review(sheet, secretary, codes["1.2"], "5").reviewed_score == D("5")


def test_every_change_of_a_score_is_kept(sheets, codes, member_focal, secretary):
    sheet = sheets[2]
    save(sheet, member_focal, codes, **{"1_1": "9"})
    save(sheet, member_focal, codes, **{"1_1": "9.5"})
    fill_sheet(sheet, {"1.2": 5}, submit=True)
    review(sheet, secretary, codes["1.1"], "8", reason="Chỉ tiêu 2 chưa đạt")
    history = list(
        ScoreChange.objects.filter(line__sheet=sheet, line__criterion=codes["1.1"]).values_list(
            "stage", "old_value", "new_value", "reason", "changed_by"
        )
    )
    assert history == [
        ("self", "", "9", "", member_focal.pk),
        ("self", "9", "9,5", "", member_focal.pk),
        ("review", "", "8", "Chỉ tiêu 2 chưa đạt", secretary.pk),
    ]


def test_the_heads_own_sheet_is_reviewed_by_the_deputy(sheets, codes, secretary, deputy_secretary):
    head_sheet = fill_sheet(sheets[0], {"1.1": 10, "1.2": 5})
    with pytest.raises(PermissionDenied):
        review(head_sheet, secretary, codes["1.1"], "9", reason="Tự thẩm định")
    with pytest.raises(PermissionDenied):
        services.score_sheet_finalize(actor=secretary, sheet=head_sheet)
    review(head_sheet, deputy_secretary, codes["1.1"], "9", reason="Thiếu báo cáo quý IV")
    services.score_sheet_finalize(actor=deputy_secretary, sheet=head_sheet)
    head_sheet.refresh_from_db()
    assert (head_sheet.status, head_sheet.reviewed_by) == (ScoreSheet.Status.REVIEWED, deputy_secretary)
    # And the deputy's own sheet is reviewed by the head, not by the deputy.
    deputy_sheet = fill_sheet(sheets[1], {"1.1": 10, "1.2": 5})
    with pytest.raises(PermissionDenied):
        services.score_sheet_finalize(actor=deputy_secretary, sheet=deputy_sheet)
    services.score_sheet_finalize(actor=secretary, sheet=deputy_sheet)


def test_a_member_or_reviewer_cannot_review(sheets, codes, member_focal, reviewer, member_secretary):
    sheet = fill_sheet(sheets[3], {"1.1": 10, "1.2": 5})
    for user in (member_focal, reviewer, member_secretary):
        with pytest.raises(PermissionDenied):
            review(sheet, user, codes["1.1"], "10")


def test_only_the_units_staff_fill_its_sheet(sheets, codes, secretary, reviewer, member_focal):
    for user in (secretary, reviewer, member_focal):
        with pytest.raises(PermissionDenied):
            save(sheets[3], user, codes, **{"1_1": "1"})
    assert not ScoreLine.objects.filter(sheet=sheets[3]).exists()


def test_a_returned_sheet_is_corrected_and_resubmitted(sheets, codes, member_focal, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    with pytest.raises(ScoringError, match="Ghi lý do trả lại"):
        services.score_sheet_return(actor=secretary, sheet=sheet, comment="  ")
    services.score_sheet_return(actor=secretary, sheet=sheet, comment="Bổ sung minh chứng tiêu chí 1.1")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.return_comment) == (
        ScoreSheet.Status.RETURNED,
        "Bổ sung minh chứng tiêu chí 1.1",
    )
    with pytest.raises(ScoringError):
        review(sheet, secretary, codes["1.1"], "10")

    save(sheet, member_focal, codes, **{"1_1": "9.5"})
    services.score_sheet_submit(actor=member_focal, sheet=sheet)
    services.score_sheet_finalize(actor=secretary, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.REVIEWED
    assert ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"]).reviewed_score == D("9.5")


def test_a_reviewed_sheet_is_final(sheets, codes, member_focal, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    services.score_sheet_finalize(actor=secretary, sheet=sheet)
    with pytest.raises(ScoringError, match="đã được chốt"):
        services.score_sheet_finalize(actor=secretary, sheet=sheet)
    with pytest.raises(ScoringError):
        review(sheet, secretary, codes["1.1"], "1", reason="muộn")
    with pytest.raises(ScoringError):
        services.score_sheet_return(actor=secretary, sheet=sheet, comment="muộn")
    with pytest.raises(ScoringError):
        save(sheet, member_focal, codes, **{"1_1": "1"})
    assert ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"]).reviewed_score == D("10")


def test_finalizing_keeps_unreviewed_lines_at_their_self_score_in_the_history(sheets, codes, secretary):
    sheet = fill_sheet(sheets[2], {"1.1": "7.25", "1.2": 5, "2.1": 1})
    services.score_sheet_finalize(actor=secretary, sheet=sheet)
    line = ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"])
    assert line.reviewed_score == D("7.25")
    assert line.changes.filter(stage="review", new_value="7,25").exists()
    knock_out = ScoreLine.objects.get(sheet=sheet, criterion=codes["4.1"])
    assert knock_out.reviewed_violation is False


def test_a_stale_save_is_refused_with_a_conflict(sheets, codes, member_focal):
    sheet = sheets[2]
    stale_version = sheet.version
    save(sheet, member_focal, codes, **{"1_1": "9"})
    with pytest.raises(ConflictError, match="tải lại trang"):
        services.score_sheet_save(
            actor=member_focal,
            sheet=sheet,
            entries={codes["1.1"].pk: LineEntry(score=D("3"))},
            expected_version=stale_version,
        )
    assert ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"]).self_score == D("9")


def test_sheets_are_only_edited_while_the_campaign_is_scoring(sheets, codes, member_focal):
    Campaign.objects.filter(pk=sheets[2].campaign_id).update(status=Campaign.Status.CONFERENCE)
    with pytest.raises(ScoringError, match="không ở bước chấm điểm"):
        save(sheets[2], member_focal, codes, **{"1_1": "1"})


def test_scores_are_exact_decimals(sheets, codes, scoring_campaign):
    # 0.25-steps add up exactly; floats would give 9.999… somewhere along the way.
    sheet = fill_sheet(sheets[2], {"1.1": "9.75", "1.2": "4.25", "2.1": "0.25", "2.2": "0.5", "3.1": "0.75"})
    services.score_sheet_finalize(actor=None, sheet=sheet)
    line = ScoreLine.objects.get(sheet=sheet, criterion=codes["1.1"])
    assert isinstance(line.self_score, D) and line.self_score == D("9.75")
    row = next(r for r in campaign_summary(scoring_campaign).rows if r.sheet.pk == sheet.pk)
    assert row.reviewed_totals.total == D("14.00")
    assert str(row.reviewed_totals.total.quantize(D("0.01"))) == "14.00"
