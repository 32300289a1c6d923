"""A unit's and a bloc's record across years: scores, ranks, votes and awards, in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from blocs.models import Unit
from scoring.charts import Bar, bar_chart_svg
from scoring.models import QUEUE_ORDER, Campaign, Nomination, RoundCandidate, VoteRound
from scoring.selectors import campaign_standings


@dataclass
class YearRecord:
    year: int
    campaign: Campaign | None
    score: Decimal | None = None
    rank: int | None = None
    ranked: int = 0
    votes: list[str] = field(default_factory=list)
    awards: list[Nomination] = field(default_factory=list)
    leader: str = ""  # for a bloc: the first-ranked unit


def _campaigns(bloc_years) -> dict[int, Campaign]:
    """The bloc-years' campaigns, loaded with them (select_related("campaign"))."""
    found = {}
    for bloc_year in bloc_years:
        campaign = getattr(bloc_year, "campaign", None)
        if campaign is not None:
            campaign.bloc_year = bloc_year
            found[bloc_year.pk] = campaign
    return found


def unit_history(unit, memberships) -> tuple[dict[int, YearRecord], str]:
    """Records keyed by membership id, and a chart of the unit's final score by year."""
    campaigns = _campaigns([m.bloc_year for m in memberships])
    standings = campaign_standings(list(campaigns.values()))
    votes: dict[int, list[str]] = {}
    if not campaigns:
        return {m.pk: YearRecord(m.bloc_year.year, None) for m in memberships}, ""
    # Plain rows in the order the rounds ran and the awards are listed (the model's order also sorted by campaign
    # and unit name, joining the unit to sort a single unit's rows): as candidates with their award, rule, award
    # type, round and conference, they were six model instances a line.
    for campaign_id, award, approvals, basis, elected, runoff in (
        RoundCandidate.objects.filter(
            unit=unit,
            round_award__round__conference__campaign__in=list(campaigns.values()),
            round_award__round__status=VoteRound.Status.CLOSED,
        )
        .order_by("round_award__round__number", "round_award__rule__position")
        .values_list(
            "round_award__round__conference__campaign_id",
            "round_award__rule__award_type__short_name",
            "approvals",
            "round_award__basis_count",
            "elected",
            "runoff",
        )
    ):
        if elected:
            line = _("%(award)s: %(approvals)s/%(basis)s phiếu, trúng")
        elif runoff:
            line = _("%(award)s: %(approvals)s/%(basis)s phiếu, bỏ phiếu lại")
        else:
            line = _("%(award)s: %(approvals)s/%(basis)s phiếu, không trúng")
        votes.setdefault(campaign_id, []).append(
            line % {"award": award, "approvals": approvals, "basis": basis}
        )
    awards: dict[int, list[Nomination]] = {}
    # In the review queue's order, from the nomination's own copies (within a campaign: by award, then unit): the
    # model's order joined the campaign, bloc-year, bloc and unit to sort.
    for nomination in (
        Nomination.objects.filter(unit=unit, campaign__in=list(campaigns.values()))
        .select_related("award_type")
        .order_by(*QUEUE_ORDER)
    ):
        awards.setdefault(nomination.campaign_id, []).append(nomination)
    records, bars, top = {}, [], Decimal("0")
    for membership in memberships:
        campaign = campaigns.get(membership.bloc_year_id)
        record = YearRecord(membership.bloc_year.year, campaign)
        if campaign:
            standing = standings[campaign.pk]
            row = standing.of_unit(unit.pk)
            if row and row.score is not None:  # a final sheet
                record.score, record.rank = row.score, row.rank
                record.ranked = standing.ranked
                bars.append(
                    Bar(label=f"{record.year} – {membership.bloc_year.bloc.name}", value=record.score)
                )
                top = max(top, standing.total_max)
            record.votes = votes.get(campaign.pk, [])
            record.awards = awards.get(campaign.pk, [])
        records[membership.pk] = record
    chart = (
        bar_chart_svg(
            bars, max_value=top, title=_("Điểm thẩm định của %(unit)s qua các năm") % {"unit": unit.name}
        )
        if bars
        else ""
    )
    return records, chart


def bloc_history(years) -> tuple[dict[int, YearRecord], str]:
    """Records keyed by bloc-year id, and a chart of the leading unit's score by year."""
    campaigns = _campaigns(years)
    standings = campaign_standings(list(campaigns.values()))
    # The leading unit by name: every unit with a sheet is a member of its bloc-year, loaded with it.
    units = {m.unit_id: m.unit for bloc_year in years for m in bloc_year.memberships.all()}
    awards: dict[int, list[Nomination]] = {}
    if not campaigns:
        return {by.pk: YearRecord(by.year, None) for by in years}, ""
    for nomination in (
        Nomination.objects.filter(campaign__in=list(campaigns.values()))
        .select_related("award_type", "unit")
        .order_by(*QUEUE_ORDER)
    ):
        awards.setdefault(nomination.campaign_id, []).append(nomination)
    records, bars, top = {}, [], Decimal("0")
    for bloc_year in sorted(years, key=lambda by: by.year):
        campaign = campaigns.get(bloc_year.pk)
        record = YearRecord(bloc_year.year, campaign)
        if campaign:
            standing = standings[campaign.pk]
            leader = standing.leader
            if leader:
                # Every unit with a sheet is a member of its bloc-year; a missing one is read, not skipped.
                unit = units.get(leader.unit_id) or Unit.objects.get(pk=leader.unit_id)
                record.leader, record.score = unit.name, leader.score
                bars.append(Bar(label=f"{bloc_year.year} – {unit.short_name}", value=record.score))
                top = max(top, standing.total_max)
            record.awards = awards.get(campaign.pk, [])
        records[bloc_year.pk] = record
    chart = bar_chart_svg(bars, max_value=top, title=_("Điểm của đơn vị dẫn đầu qua các năm")) if bars else ""
    return records, chart
