"""Reads that span several tables: the score summary (bảng tổng hợp điểm) of a campaign."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from scoring.models import Campaign, CriteriaGroup, ScoreLine, ScoreSheet
from scoring.ranking import GroupInfo, SheetFigures, Totals, assign_ranks, tie_key, totals


@dataclass
class SummaryRow:
    sheet: ScoreSheet
    self_totals: Totals
    reviewed_totals: Totals
    full_marks: int
    rank: int | None = None

    @property
    def unit(self):
        return self.sheet.unit

    @property
    def is_final(self) -> bool:
        return self.sheet.status == ScoreSheet.Status.REVIEWED

    @property
    def difference(self) -> Decimal:
        return self.reviewed_totals.total - self.self_totals.total


@dataclass
class Summary:
    campaign: Campaign
    groups: list[GroupInfo]
    rows: list[SummaryRow]

    @property
    def total_max(self) -> Decimal:
        return sum((g.max_total for g in self.groups if g.kind == CriteriaGroup.Kind.SCORE), Decimal("0"))

    @property
    def all_final(self) -> bool:
        return bool(self.rows) and all(row.is_final for row in self.rows)

    @property
    def ranked(self) -> list[SummaryRow]:
        return [row for row in self.rows if row.rank is not None]


def criteria_groups(campaign: Campaign) -> list[GroupInfo]:
    """The campaign's groups with the sum of their items' maxima (one query)."""
    return [
        GroupInfo(g.pk, g.code, g.title, g.kind, g.cap, g.max_total or Decimal("0"))
        for g in campaign.groups.annotate(max_total=Sum("items__max_score")).order_by("position")
    ]


def campaign_summary(campaign: Campaign) -> Summary:
    """Every sheet's totals per group, self and reviewed side by side, and the ranking of final sheets.

    Three queries whatever the number of units and criteria: groups, sheets, and one aggregate of the lines.
    """
    groups = criteria_groups(campaign)
    sheets = list(campaign.sheets.select_related("unit").order_by("unit__name"))
    figures = {sheet.pk: SheetFigures() for sheet in sheets}
    aggregates = (
        ScoreLine.objects.filter(sheet__campaign=campaign)
        .values("sheet_id", "criterion__group_id")
        .annotate(
            self_sum=Sum("self_score"),
            reviewed_sum=Sum("reviewed_score"),
            full_marks=Count(
                "id",
                filter=Q(criterion__group__kind=CriteriaGroup.Kind.SCORE, criterion__max_score__gt=0)
                & Q(reviewed_score=F("criterion__max_score")),
            ),
            self_violations=Count("id", filter=Q(self_violation=True)),
            reviewed_violations=Count("id", filter=Q(reviewed_violation=True)),
        )
        .order_by()
    )
    for row in aggregates:
        sheet_figures = figures.get(row["sheet_id"])
        if sheet_figures is None:
            continue
        group_id = row["criterion__group_id"]
        sheet_figures.self_sums[group_id] = row["self_sum"] or Decimal("0")
        sheet_figures.reviewed_sums[group_id] = row["reviewed_sum"] or Decimal("0")
        sheet_figures.full_marks += row["full_marks"]
        sheet_figures.self_violations += row["self_violations"]
        sheet_figures.reviewed_violations += row["reviewed_violations"]

    rows = []
    for sheet in sheets:
        f = figures[sheet.pk]
        rows.append(
            SummaryRow(
                sheet=sheet,
                self_totals=totals(groups, f.self_sums, f.self_violations),
                reviewed_totals=totals(groups, f.reviewed_sums, f.reviewed_violations),
                full_marks=f.full_marks,
            )
        )
    keys = [
        tie_key(campaign.tie_break, r.reviewed_totals.total, r.full_marks, r.reviewed_totals.deduction)
        if r.is_final and r.reviewed_totals.eligible
        else None
        for r in rows
    ]
    for row, rank in zip(rows, assign_ranks(keys), strict=True):
        row.rank = rank
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.reviewed_totals.total, r.unit.name))
    return Summary(campaign=campaign, groups=groups, rows=rows)
