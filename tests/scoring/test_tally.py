"""Counting a vote round (DOMAIN.md §3): ballots, exact thresholds, quorum, seats and run-offs.

The functions under test are pure, so these tests need no database. Properties are checked against independent
brute-force or Fraction-based references rather than against the implementation's own arithmetic.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.tally import (
    BASES,
    TIE_RULES,
    Candidate,
    Threshold,
    count_ballots,
    format_fraction,
    quorum_met,
    quota_for,
    tally_award,
)

PROPERTY = settings(max_examples=200, deadline=None)

# Shares the provinces actually use (> 1/2, ≥ 2/3, ≥ 70 %, ≥ 80 %, ≥ 90 %), plus arbitrary small fractions.
COMMON_SHARES = [Fraction(1, 2), Fraction(2, 3), Fraction(7, 10), Fraction(4, 5), Fraction(9, 10)]
shares = st.one_of(
    st.sampled_from([*COMMON_SHARES, Fraction(0), Fraction(1, 10), Fraction(1)]),
    st.fractions(min_value=0, max_value=1, max_denominator=20),
)
thresholds = st.builds(Threshold, share=shares, strict=st.booleans(), basis=st.sampled_from(BASES))
# Few distinct scores, two of them equal in value but not in spelling, so score ties are common.
final_scores = st.sampled_from(
    [Decimal("80"), Decimal("85.5"), Decimal("90"), Decimal("90.00"), Decimal("100")]
)


@st.composite
def awards(draw):
    """Keyword arguments for ``tally_award``: a consistent round of 1..15 member units and up to 8 candidates."""
    # Full attendance and high approvals are favoured, or too few candidates would pass to fill the seats.
    members = draw(st.integers(1, 15))
    present = draw(st.just(members) | st.integers(0, members))
    valid = draw(st.just(present) | st.integers(0, present))
    unit_ids = draw(st.lists(st.integers(1, 50), unique=True, max_size=8))
    # Approvals drawn from a few values of the round, so that ties in approvals are frequent.
    approval_values = draw(st.lists(st.just(valid) | st.integers(0, valid), min_size=1, max_size=3))
    candidates = [
        Candidate(unit_id, draw(st.sampled_from(approval_values)), draw(final_scores)) for unit_id in unit_ids
    ]
    return {
        "candidates": candidates,
        "seats": draw(st.integers(0, 5)),
        "threshold": draw(thresholds),
        "tie_rule": draw(st.sampled_from(TIE_RULES)),
        "members": members,
        "present": present,
        "valid": valid,
    }


def rank(candidate: Candidate, tie_rule: str) -> tuple:
    """Higher is better: approvals, then final score when the tie rule says so."""
    if tie_rule == "approvals_then_score":
        return (candidate.approvals, candidate.final_score)
    return (candidate.approvals,)


def expected_pass(threshold: Threshold, approvals: int, base: int) -> bool:
    if base <= 0:
        return False
    ratio = Fraction(approvals, base)
    return ratio > threshold.share if threshold.strict else ratio >= threshold.share


def passed_candidates(award: dict) -> list[Candidate]:
    threshold = award["threshold"]
    base = {"members": award["members"], "present": award["present"], "valid": award["valid"]}[
        threshold.basis
    ]
    return [c for c in award["candidates"] if expected_pass(threshold, c.approvals, base)]


# ---------------------------------------------------------------------------------------------------------------
# Ballots.


@PROPERTY
@given(
    candidates=st.lists(st.integers(1, 10), unique=True, max_size=8),
    ballots=st.lists(st.frozensets(st.integers(1, 12), max_size=6), max_size=15),
    quota=st.integers(0, 4),
)
def test_approvals_never_exceed_valid_ballots_and_match_a_recount(candidates, ballots, quota):
    valid, invalid, approvals = count_ballots(ballots, quota=quota, candidates=candidates)

    standing = set(candidates)
    valid_ballots = [b for b in ballots if len(b) <= quota and b <= standing]
    assert valid + invalid == len(ballots)
    assert valid == len(valid_ballots)
    assert set(approvals) == standing
    assert all(0 <= count <= valid for count in approvals.values())
    assert approvals == {c: sum(c in b for b in valid_ballots) for c in standing}


@PROPERTY
@given(data=st.data(), quota=st.integers(0, 5))
def test_an_over_quota_ballot_is_invalid_and_adds_no_approvals(data, quota):
    candidates = list(range(1, quota + 4))
    ballot = st.frozensets(st.sampled_from(candidates), max_size=quota)
    others = data.draw(st.lists(ballot, max_size=10), label="other ballots")
    over = data.draw(
        st.frozensets(st.sampled_from(candidates), min_size=quota + 1, max_size=quota + 1), label="over quota"
    )

    before = count_ballots(others, quota=quota, candidates=candidates)
    after = count_ballots([*others, over], quota=quota, candidates=candidates)

    assert after == (before[0], before[1] + 1, before[2])


def test_over_quota_foreign_and_empty_ballots_are_counted_as_the_rule_says():
    ballots = [
        frozenset({1, 2}),  # valid
        frozenset({1, 2, 3}),  # over a quota of 2: invalid
        frozenset({1, 9}),  # names a unit that does not stand: invalid
        frozenset(),  # approves nobody: valid
    ]
    assert count_ballots(ballots, quota=2, candidates=[1, 2, 3]) == (2, 2, {1: 1, 2: 1, 3: 0})


# ---------------------------------------------------------------------------------------------------------------
# Thresholds: exact boundaries.


def test_six_of_nine_meets_two_thirds():
    assert Threshold(Fraction(2, 3)).passes(6, 9) is True
    assert Threshold(Fraction(2, 3)).passes(5, 9) is False


def test_five_of_ten_does_not_meet_more_than_half():
    assert Threshold(Fraction(1, 2), strict=True).passes(5, 10) is False
    assert Threshold(Fraction(1, 2), strict=True).passes(6, 10) is True


def test_seventy_percent_is_inclusive():
    assert Threshold(Fraction(7, 10)).passes(7, 10) is True
    assert Threshold(Fraction(7, 10)).passes(6, 10) is False


def test_boundaries_where_float_arithmetic_goes_wrong_are_exact():
    # 7 of 10 against 70 %: floats happen to get this one right, the exact count must too.
    assert Threshold(Fraction(7, 10)).passes(7, 10) is True
    # 63 of 90 is exactly 70 %, so it is not "> 70 %"; in floats 0.7 * 90 == 62.99999999999999 < 63.
    assert 63 > 0.7 * 90
    assert Threshold(Fraction(7, 10), strict=True).passes(63, 90) is False
    # 29 of 50 is exactly 58 %, so it is "≥ 58 %"; in floats 29 / 50 * 100 == 57.99999999999999 < 58.
    assert not 29 / 50 * 100 >= 58
    assert Threshold(Fraction(58, 100)).passes(29, 50) is True
    # 11 of 20 is exactly 55 %, not "> 55 %"; in floats 11 / 20 * 100 == 55.00000000000001 > 55.
    assert 11 / 20 * 100 > 55
    assert Threshold(Fraction(55, 100), strict=True).passes(11, 20) is False


def test_an_empty_basis_passes_nobody():
    assert Threshold(Fraction(0)).passes(0, 0) is False


@PROPERTY
@given(data=st.data(), q=st.integers(1, 20), b=st.integers(1, 100))
def test_passes_agrees_with_fraction_arithmetic(data, q, b):
    p = data.draw(st.integers(0, q), label="p")
    a = data.draw(st.integers(0, b), label="a")
    share = Fraction(p, q)

    assert Threshold(share).passes(a, b) == (Fraction(a, b) >= share)
    assert Threshold(share, strict=True).passes(a, b) == (Fraction(a, b) > share)


# ---------------------------------------------------------------------------------------------------------------
# Quorum.


def test_quorum_examples():
    assert quorum_met(6, 9, Fraction(2, 3)) is True
    assert quorum_met(5, 8, Fraction(2, 3)) is False
    assert quorum_met(0, 0, Fraction(2, 3)) is False


@PROPERTY
@given(data=st.data(), members=st.integers(1, 15))
def test_quorum_is_refused_below_the_setting(data, members):
    present = data.draw(st.integers(0, members), label="present")
    ratio = Fraction(present, members)

    assert quorum_met(present, members, Fraction(2, 3)) == (ratio >= Fraction(2, 3))
    assert quorum_met(present, members, Fraction(2, 3), strict=True) == (ratio > Fraction(2, 3))


# ---------------------------------------------------------------------------------------------------------------
# Seats and run-offs.


@PROPERTY
@given(award=awards())
def test_seats_never_exceed_the_quota(award):
    outcome = tally_award(**award)
    tie_rule, seats = award["tie_rule"], award["seats"]
    by_id = {c.unit_id: c for c in award["candidates"]}
    passed_ids = {c.unit_id for c in passed_candidates(award)}
    elected, runoff = set(outcome.elected), set(outcome.runoff)

    assert [o.unit_id for o in outcome.outcomes] == list(by_id)
    assert {o.unit_id for o in outcome.outcomes if o.passed} == passed_ids
    assert len(elected) <= seats
    assert elected | runoff <= passed_ids
    assert not elected & runoff
    assert len(elected) + outcome.runoff_seats <= seats
    # No seat is left empty while a passed candidate could take it.
    assert len(elected) + outcome.runoff_seats == min(max(seats, 0), len(passed_ids))
    if runoff:
        assert 1 <= outcome.runoff_seats <= len(runoff) - 1
        assert len({rank(by_id[i], tie_rule) for i in runoff}) == 1
    else:
        assert outcome.runoff_seats == 0
    for winner in elected:
        for other in passed_ids - elected:
            assert rank(by_id[winner], tie_rule) > rank(by_id[other], tie_rule)


@PROPERTY
@given(award=awards())
def test_candidates_tied_for_the_last_seats_and_only_they_go_to_a_runoff(award):
    outcome = tally_award(**award)
    tie_rule, seats = award["tie_rule"], award["seats"]
    passed = sorted(passed_candidates(award), key=lambda c: rank(c, tie_rule), reverse=True)
    ids = lambda group: {c.unit_id for c in group}  # noqa: E731

    if seats <= 0 or not passed:
        expected = (set(), set(), 0)
    elif len(passed) <= seats:
        expected = (ids(passed), set(), 0)
    else:
        last = rank(passed[seats - 1], tie_rule)
        above = [c for c in passed if rank(c, tie_rule) > last]
        tied = [c for c in passed if rank(c, tie_rule) == last]
        left = seats - len(above)
        expected = (ids(above), ids(tied), left) if len(tied) > left else (ids(passed[:seats]), set(), 0)

    assert (set(outcome.elected), set(outcome.runoff), outcome.runoff_seats) == expected


def two_candidates(first_score: str, second_score: str, *, tie_rule: str):
    return tally_award(
        [Candidate(1, 8, Decimal(first_score)), Candidate(2, 8, Decimal(second_score))],
        seats=1,
        threshold=Threshold(Fraction(7, 10)),
        tie_rule=tie_rule,
        members=10,
        present=10,
        valid=10,
    )


def test_equal_approvals_and_equal_scores_go_to_a_runoff():
    outcome = two_candidates("92.5", "92.50", tie_rule="approvals_then_score")
    assert outcome.elected == []
    assert sorted(outcome.runoff) == [1, 2]
    assert outcome.runoff_seats == 1


def test_equal_approvals_are_broken_by_the_higher_final_score():
    outcome = two_candidates("90", "95", tie_rule="approvals_then_score")
    assert outcome.elected == [2]
    assert outcome.runoff == []
    assert outcome.runoff_seats == 0


def test_approvals_only_ignores_scores_and_holds_a_runoff():
    outcome = two_candidates("90", "95", tie_rule="approvals_only")
    assert outcome.elected == []
    assert sorted(outcome.runoff) == [1, 2]
    assert outcome.runoff_seats == 1


def test_a_runoff_for_the_last_seat_keeps_the_seats_already_won():
    # 9 units: ≥ 2/3 means 6 approvals. Two seats; unit 1 wins one, units 2 and 3 tie for the other;
    # unit 4 failed the threshold and takes no part.
    outcome = tally_award(
        [Candidate(1, 9), Candidate(2, 6), Candidate(3, 6), Candidate(4, 5)],
        seats=2,
        threshold=Threshold(Fraction(2, 3)),
        tie_rule="approvals_only",
        members=9,
        present=9,
        valid=9,
    )
    assert outcome.elected == [1]
    assert outcome.runoff == [2, 3]
    assert outcome.runoff_seats == 1
    assert [o.passed for o in outcome.outcomes] == [True, True, True, False]


def test_tied_candidates_who_all_fit_take_their_seats_and_fill_them():
    # Two seats; units 1 and 2 tie but both fit, so unit 3 (also passed) gets nothing and there is no run-off.
    outcome = tally_award(
        [Candidate(1, 9), Candidate(2, 9), Candidate(3, 8)],
        seats=2,
        threshold=Threshold(Fraction(1, 2), strict=True),
        tie_rule="approvals_only",
        members=10,
        present=10,
        valid=10,
    )
    assert outcome.elected == [1, 2]
    assert outcome.runoff == []
    assert outcome.runoff_seats == 0


def test_more_approvals_than_valid_ballots_are_refused():
    with pytest.raises(ValueError):
        tally_award(
            [Candidate(1, 8)],
            seats=1,
            threshold=Threshold(Fraction(7, 10)),
            tie_rule="approvals_only",
            members=10,
            present=9,
            valid=7,
        )


def test_negative_approvals_are_refused():
    with pytest.raises(ValueError):
        tally_award(
            [Candidate(1, -1)],
            seats=1,
            threshold=Threshold(Fraction(7, 10)),
            tie_rule="approvals_only",
            members=10,
            present=10,
            valid=10,
        )


# ---------------------------------------------------------------------------------------------------------------
# Quotas and display.


@pytest.mark.parametrize(
    ("members", "number", "share", "rounding", "expected"),
    [
        (9, 3, None, "down", 3),
        (9, 3, Fraction(1, 2), "up", 3),  # a fixed number wins over a share
        (9, -1, None, "down", 0),
        (5, None, Fraction(2, 5), "down", 2),
        (5, None, Fraction(2, 5), "up", 2),
        (5, None, Fraction(2, 5), "nearest", 2),
        (8, None, Fraction(1, 3), "down", 2),
        (8, None, Fraction(1, 3), "up", 3),
        (8, None, Fraction(1, 3), "nearest", 3),
        (7, None, Fraction(1, 3), "nearest", 2),
        (5, None, Fraction(1, 2), "nearest", 3),  # a half rounds up, not to even as round() would
        (5, None, None, "down", 0),
    ],
)
def test_quota_for(members, number, share, rounding, expected):
    assert quota_for(members=members, number=number, share=share, rounding=rounding) == expected


@PROPERTY
@given(members=st.integers(1, 15), share=st.fractions(min_value=0, max_value=1, max_denominator=20))
def test_quota_roundings_bracket_the_exact_share(members, share):
    exact = members * share
    down = quota_for(members=members, number=None, share=share, rounding="down")
    up = quota_for(members=members, number=None, share=share, rounding="up")
    nearest = quota_for(members=members, number=None, share=share, rounding="nearest")

    assert down <= exact <= up
    assert up - down == (0 if exact.denominator == 1 else 1)
    assert nearest in (down, up)
    assert abs(nearest - exact) <= Fraction(1, 2)


def test_format_fraction():
    assert format_fraction(Fraction(7, 10)) == "70%"
    assert format_fraction(Fraction(2, 3)) == "2/3"
    assert format_fraction(Fraction(1, 2)) == "50%"


def test_threshold_describes_itself_in_vietnamese():
    assert Threshold(Fraction(7, 10)).describe() == "≥ 70% tổng số đơn vị thành viên"
    assert Threshold(Fraction(1, 2), strict=True, basis="valid").describe() == "> 50% số phiếu hợp lệ"
    assert Threshold(Fraction(2, 3), basis="present").describe() == "≥ 2/3 số đơn vị có mặt"
