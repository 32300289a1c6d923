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
    return _groups_of([campaign.pk])[campaign.pk]


def _groups_of(campaign_ids: list[int]) -> dict[int, list[GroupInfo]]:
    groups: dict[int, list[GroupInfo]] = {pk: [] for pk in campaign_ids}
    for g in (
        CriteriaGroup.objects.filter(campaign_id__in=campaign_ids)
        .annotate(max_total=Sum("items__max_score"))
        .order_by("campaign_id", "position")
    ):
        groups[g.campaign_id].append(
            GroupInfo(g.pk, g.code, g.title, g.kind, g.cap, g.max_total or Decimal("0"))
        )
    return groups


def campaign_summary(campaign: Campaign) -> Summary:
    """Every sheet's totals per group, self and reviewed side by side, and the ranking of final sheets.

    Three queries whatever the number of units and criteria: groups, sheets, and one aggregate of the lines.
    """
    return campaign_summaries([campaign])[campaign.pk]


def _line_figures(lines):
    """Per sheet and criteria group of ``lines`` (a ScoreLine queryset): the sums and counts a summary needs."""
    return (
        lines.values("sheet_id", "criterion__group_id")
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


def _add_line_figures(figures: SheetFigures, row: dict) -> None:
    group_id = row["criterion__group_id"]
    figures.self_sums[group_id] = row["self_sum"] or Decimal("0")
    figures.reviewed_sums[group_id] = row["reviewed_sum"] or Decimal("0")
    figures.full_marks += row["full_marks"]
    figures.self_violations += row["self_violations"]
    figures.reviewed_violations += row["reviewed_violations"]


def _figures_to_json(figures: SheetFigures) -> dict:
    return {
        "self": {str(k): str(v) for k, v in figures.self_sums.items()},
        "reviewed": {str(k): str(v) for k, v in figures.reviewed_sums.items()},
        "full_marks": figures.full_marks,
        "self_violations": figures.self_violations,
        "reviewed_violations": figures.reviewed_violations,
    }


def _figures_from_json(data: dict) -> SheetFigures:
    return SheetFigures(
        self_sums={int(k): Decimal(v) for k, v in data["self"].items()},
        reviewed_sums={int(k): Decimal(v) for k, v in data["reviewed"].items()},
        full_marks=data["full_marks"],
        self_violations=data["self_violations"],
        reviewed_violations=data["reviewed_violations"],
    )


def freeze_sheet_figures(sheets, batch: int = 2000) -> int:
    """Store the figures of the final sheets among ``sheets`` (a ScoreSheet queryset, a migration's historical
    model too); return how many. Called when a sheet is finalised, and for sheets finalised before the figures
    were stored. Only final sheets: a sheet under way still changes."""
    model = sheets.model
    lines = model._meta.get_field("lines").related_model.objects.using(sheets.db)
    ids = list(sheets.filter(status=ScoreSheet.Status.REVIEWED).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        figures = {pk: SheetFigures() for pk in chunk}
        for row in _line_figures(lines.filter(sheet_id__in=chunk)):
            _add_line_figures(figures[row["sheet_id"]], row)
        model.objects.db_manager(sheets.db).bulk_update(
            [model(pk=pk, figures=_figures_to_json(f)) for pk, f in figures.items()], ["figures"]
        )
    return len(ids)


def campaign_summaries(campaigns: list[Campaign]) -> dict[int, Summary]:
    """The summaries of several campaigns at once, in the same three queries (none for no campaign)."""
    by_id = {c.pk: c for c in campaigns}
    if not by_id:
        return {}
    groups = _groups_of(list(by_id))
    sheets = list(
        ScoreSheet.objects.filter(campaign_id__in=by_id).select_related("unit").order_by("unit__name")
    )
    final = ScoreSheet.Status.REVIEWED
    figures = {
        sheet.pk: _figures_from_json(sheet.figures)
        if sheet.status == final and sheet.figures is not None
        else SheetFigures()
        for sheet in sheets
    }
    # The lines of the sheets without stored figures only: none at all for a year that is over.
    live = ScoreLine.objects.filter(sheet__campaign_id__in=by_id).filter(
        Q(sheet__figures__isnull=True) | ~Q(sheet__status=final)
    )
    for row in _line_figures(live):
        sheet_figures = figures.get(row["sheet_id"])
        if sheet_figures is not None:
            _add_line_figures(sheet_figures, row)

    rows_by_campaign: dict[int, list[SummaryRow]] = {pk: [] for pk in by_id}
    for sheet in sheets:
        f = figures[sheet.pk]
        campaign_groups = groups[sheet.campaign_id]
        rows_by_campaign[sheet.campaign_id].append(
            SummaryRow(
                sheet=sheet,
                self_totals=totals(campaign_groups, f.self_sums, f.self_violations),
                reviewed_totals=totals(campaign_groups, f.reviewed_sums, f.reviewed_violations),
                full_marks=f.full_marks,
            )
        )
    result = {}
    for pk, rows in rows_by_campaign.items():
        campaign = by_id[pk]
        keys = [
            tie_key(campaign.tie_break, r.reviewed_totals.total, r.full_marks, r.reviewed_totals.deduction)
            if r.is_final and r.reviewed_totals.eligible
            else None
            for r in rows
        ]
        for row, rank in zip(rows, assign_ranks(keys), strict=True):
            row.rank = rank
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.reviewed_totals.total, r.unit.name))
        result[pk] = Summary(campaign=campaign, groups=groups[pk], rows=rows)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Standings: what histories show of a year whose ranking can no longer change


FROZEN_STATUSES = (
    Campaign.Status.CONFERENCE,
    Campaign.Status.SUBMITTED,
    Campaign.Status.DECIDED,
    Campaign.Status.CLOSED,
)


@dataclass
class Standing:
    unit_id: int
    score: Decimal | None  # the reviewed total of a final sheet, else None
    rank: int | None


@dataclass
class Standings:
    total_max: Decimal
    ranked: int
    rows: list[Standing]  # in the summary's order: by rank, then by score and name

    def of_unit(self, unit_id: int) -> Standing | None:
        return next((row for row in self.rows if row.unit_id == unit_id), None)

    @property
    def leader(self) -> Standing | None:
        return next((row for row in self.rows if row.rank == 1), None)


def _standings_of(summary: Summary) -> Standings:
    return Standings(
        total_max=summary.total_max,
        ranked=len(summary.ranked),
        rows=[
            Standing(row.unit.pk, row.reviewed_totals.total if row.is_final else None, row.rank)
            for row in summary.rows
        ],
    )


def _standings_to_json(standings: Standings) -> dict:
    return {
        "total_max": str(standings.total_max),
        "ranked": standings.ranked,
        "rows": [[r.unit_id, None if r.score is None else str(r.score), r.rank] for r in standings.rows],
    }


def _standings_from_json(data: dict) -> Standings:
    return Standings(
        total_max=Decimal(data["total_max"]),
        ranked=data["ranked"],
        rows=[
            Standing(unit_id, None if score is None else Decimal(score), rank)
            for unit_id, score, rank in data["rows"]
        ],
    )


def campaign_standings(campaigns: list[Campaign]) -> dict[int, Standings]:
    """Each campaign's standings: stored ones as they are, the others from the summary of their sheets.

    The summary's three queries run only when a year is still being scored: a history of any number of years
    costs no query for its stored years and three for the rest together (running them empty cost a third of
    the unit history page's time)."""
    live = campaign_summaries([c for c in campaigns if c.standings is None])
    return {
        c.pk: _standings_from_json(c.standings) if c.standings is not None else _standings_of(live[c.pk])
        for c in campaigns
    }


def freeze_standings(campaigns, batch: int = 200) -> int:
    """Store the standings of the campaigns among ``campaigns`` (a queryset) whose conference has opened and
    that have none yet; return how many. Called when the conference opens, and by `manage.py freeze_standings`
    for the years before the standings were stored."""
    pending = list(campaigns.filter(status__in=FROZEN_STATUSES, standings__isnull=True).order_by("pk"))
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        summaries = campaign_summaries(chunk)
        for campaign in chunk:
            campaign.standings = _standings_to_json(_standings_of(summaries[campaign.pk]))
        Campaign.objects.bulk_update(chunk, ["standings"])
    return len(pending)
