"""Counting a vote round, with exact fractions (never floats), as pure functions.

Rules (DOMAIN.md §3): each ballot approves at most *quota* candidates per award, otherwise it is invalid for that
award. A candidate passes if its approvals reach a share of a basis (all member units, units present, or valid
ballots), strictly (> ½) or inclusively (≥ ⅔) as the rule says: "6 of 9" is exactly two thirds. Passed
candidates take the seats by approvals, then (if the rule says so) by final score; candidates still tied for the
last seats go to a run-off round. The vote counts only with a quorum of units present.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

BASES = ("members", "present", "valid")
TIE_RULES = ("approvals_then_score", "approvals_only")


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    strict: bool = False
    basis: str = "members"

    def passes(self, approvals: int, basis_count: int) -> bool:
        if basis_count <= 0:
            return False
        ratio = Fraction(approvals, basis_count)
        return ratio > self.share if self.strict else ratio >= self.share

    def describe(self) -> str:
        wording = {
            "members": _("%(sign)s %(share)s tổng số đơn vị thành viên"),
            "present": _("%(sign)s %(share)s số đơn vị có mặt"),
            "valid": _("%(sign)s %(share)s số phiếu hợp lệ"),
        }
        sign = ">" if self.strict else "≥"
        return wording[self.basis] % {"sign": sign, "share": format_fraction(self.share)}


def format_fraction(value: Fraction) -> str:
    """2/3 stays "2/3"; a share with a denominator dividing 100 reads as a percentage ("70%")."""
    if (value * 100).denominator == 1:
        return f"{value * 100}%"
    return f"{value.numerator}/{value.denominator}"


def quorum_met(present: int, members: int, quorum: Fraction, *, strict: bool = False) -> bool:
    if members <= 0:
        return False
    ratio = Fraction(present, members)
    return ratio > quorum if strict else ratio >= quorum


def quota_for(*, members: int, number: int | None, share: Fraction | None, rounding: str = "down") -> int:
    """Seats for an award: a fixed number, or a share of the member units rounded as the rule says."""
    if number is not None:
        return max(number, 0)
    exact = Fraction(members) * (share or Fraction(0))
    if rounding == "up":
        return math.ceil(exact)
    if rounding == "nearest":
        return math.floor(exact + Fraction(1, 2))
    return math.floor(exact)


def count_ballots(
    ballots: Iterable[frozenset[int]], *, quota: int, candidates: Iterable[int]
) -> tuple[int, int, dict]:
    """(valid, invalid, approvals per candidate) for one award from electronic ballots.

    A ballot approving more than ``quota`` candidates, or someone who does not stand, is invalid for the award;
    a ballot approving nobody is valid (it approves nobody).
    """
    standing = set(candidates)
    approvals = dict.fromkeys(standing, 0)
    valid = invalid = 0
    for ballot in ballots:
        if len(ballot) > quota or not ballot <= standing:
            invalid += 1
            continue
        valid += 1
        for unit_id in ballot:
            approvals[unit_id] += 1
    return valid, invalid, approvals


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    approvals: int
    final_score: Decimal = Decimal("0")


@dataclass
class CandidateOutcome:
    unit_id: int
    approvals: int
    share: Fraction
    passed: bool
    elected: bool = False
    runoff: bool = False


@dataclass
class AwardOutcome:
    basis_count: int
    outcomes: list[CandidateOutcome] = field(default_factory=list)
    runoff_seats: int = 0

    @property
    def elected(self) -> list[int]:
        return [o.unit_id for o in self.outcomes if o.elected]

    @property
    def runoff(self) -> list[int]:
        return [o.unit_id for o in self.outcomes if o.runoff]


def basis_count(basis: str, *, members: int, present: int, valid: int) -> int:
    return {"members": members, "present": present, "valid": valid}[basis]


def tally_award(
    candidates: list[Candidate],
    *,
    seats: int,
    threshold: Threshold,
    tie_rule: str,
    members: int,
    present: int,
    valid: int,
) -> AwardOutcome:
    """Who passes the threshold and who takes the seats; a tie for the last seats goes to a run-off."""
    if any(c.approvals < 0 or c.approvals > valid for c in candidates):
        raise ValueError("approvals must lie between 0 and the number of valid ballots")
    base = basis_count(threshold.basis, members=members, present=present, valid=valid)
    result = AwardOutcome(basis_count=base)
    by_unit = {}
    for c in candidates:
        share = Fraction(c.approvals, base) if base else Fraction(0)
        by_unit[c.unit_id] = CandidateOutcome(
            c.unit_id, c.approvals, share, threshold.passes(c.approvals, base)
        )
        result.outcomes.append(by_unit[c.unit_id])

    def key(c: Candidate) -> tuple:
        return (-c.approvals, -c.final_score) if tie_rule == "approvals_then_score" else (-c.approvals,)

    passed = sorted((c for c in candidates if by_unit[c.unit_id].passed), key=key)
    remaining = seats
    index = 0
    while index < len(passed) and remaining > 0:
        group = [c for c in passed[index:] if key(c) == key(passed[index])]
        if len(group) <= remaining:
            for c in group:
                by_unit[c.unit_id].elected = True
            remaining -= len(group)
        else:
            for c in group:
                by_unit[c.unit_id].runoff = True
            result.runoff_seats = remaining
            remaining = 0
        index += len(group)
    return result
