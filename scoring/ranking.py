"""Totals and ranking of score sheets, as pure computations on already-aggregated figures.

Final score = reviewed score. Total = criteria points + bonus (capped) − deductions (capped). A unit with a
knock-out violation is not eligible, whatever its total, and gets no rank. Ties are broken by the campaign's
recorded rule; units still equal share a rank (1, 2, 2, 4).
"""

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass
class GroupInfo:
    id: int
    code: str
    title: str
    kind: str
    cap: Decimal | None
    max_total: Decimal  # sum of the items' maxima


@dataclass
class SheetFigures:
    """What the database aggregated for one sheet, per group id."""

    self_sums: dict[int, Decimal] = field(default_factory=dict)
    reviewed_sums: dict[int, Decimal] = field(default_factory=dict)
    full_marks: int = 0
    self_violations: int = 0
    reviewed_violations: int = 0


@dataclass
class Totals:
    by_group: dict[int, Decimal]
    points: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    eligible: bool


def totals(groups: list[GroupInfo], sums: dict[int, Decimal], violations: int) -> Totals:
    by_group, points, bonus, deduction = {}, ZERO, ZERO, ZERO
    for group in groups:
        value = sums.get(group.id) or ZERO
        if group.cap is not None:
            value = min(value, group.cap)
        by_group[group.id] = value
        if group.kind == "score":
            points += value
        elif group.kind == "bonus":
            bonus += value
        elif group.kind == "deduction":
            deduction += value
    return Totals(by_group, points, bonus, deduction, points + bonus - deduction, violations == 0)


def tie_key(rule: str, total: Decimal, full_marks: int, deduction: Decimal) -> tuple:
    """Sort key (ascending = better) for the campaign's tie-break rule."""
    if rule == "full_marks_then_deduction":
        return (-total, -full_marks, deduction)
    if rule == "deduction_then_full_marks":
        return (-total, deduction, -full_marks)
    return (-total,)


def assign_ranks(keys: list[tuple | None]) -> list[int | None]:
    """Competition ranks for the given sort keys (None = not ranked): equal keys share a rank."""
    order = sorted((k, i) for i, k in enumerate(keys) if k is not None)
    ranks: list[int | None] = [None] * len(keys)
    previous, previous_rank = None, 0
    for position, (key, index) in enumerate(order, start=1):
        rank = previous_rank if key == previous else position
        ranks[index] = rank
        previous, previous_rank = key, rank
    return ranks
