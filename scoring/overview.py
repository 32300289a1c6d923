"""The city overview for the reward board: every bloc of a year with its roles, campaign state, nominations
against the quotas, and late dossiers. A fixed number of queries for a page of blocs."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.access import MANAGING_ROLES
from blocs.models import Bloc, BlocYear, Membership, Unit
from scoring.models import Campaign, Nomination, VoteRule
from scoring.tally import quota_for

FLAG, MERIT = "co-thi-dua-ubnd", "bang-khen-chu-tich-ubnd"
DEFAULT_QUOTAS = {FLAG: 1, MERIT: 2}


@dataclass
class OverviewRow:
    bloc: Bloc
    bloc_year: BlocYear | None
    campaign: Campaign | None
    flag: int
    flag_quota: int
    merit: int
    merit_quota: int
    late: bool
    head: Unit | None = None
    deputy: Unit | None = None

    @property
    def status(self) -> str:
        # The label from the enum: get_status_display() rebuilds the choices dict on every call.
        return str(Campaign.Status(self.campaign.status).label) if self.campaign else _("Chưa mở phong trào")


def overview_rows(blocs: list[Bloc], year: int) -> list[OverviewRow]:
    today = timezone.localdate()
    years = {
        by.bloc_id: by
        for by in BlocYear.objects.filter(bloc__in=blocs, year=year)
        .select_related("campaign")
        # The quotas need the number of members, the table the head and deputy: not every member and its unit.
        .annotate(member_count=Count("memberships"))
        .prefetch_related(
            # Explicit orders: the models' own (by bloc-year, by campaign) would join up to the bloc to sort.
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role__in=MANAGING_ROLES)
                .select_related("unit")
                .only("bloc_year_id", "unit_id", "role", "unit__name", "unit__short_name")
                .order_by(),
                to_attr="leaders",
            ),
            Prefetch(
                "campaign__vote_rules",
                queryset=VoteRule.objects.select_related("award_type").order_by("position"),
            ),
        )
    }
    campaigns = [getattr(by, "campaign", None) for by in years.values()]
    counts: dict[tuple[int, str], int] = {}
    for row in (
        Nomination.objects.filter(campaign__in=[c for c in campaigns if c])
        .values("campaign_id", "award_type__code")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["campaign_id"], row["award_type__code"])] = row["n"]
    rows = []
    for bloc in blocs:
        bloc_year = years.get(bloc.pk)
        campaign = getattr(bloc_year, "campaign", None) if bloc_year else None
        quotas = dict(DEFAULT_QUOTAS)
        if campaign:
            for rule in campaign.vote_rules.all():
                quotas[rule.award_type.code] = quota_for(
                    members=bloc_year.member_count,
                    number=rule.quota_number,
                    share=rule.quota_share,
                    rounding=rule.quota_rounding,
                )
        late = bool(
            campaign
            and campaign.dossier_deadline
            and campaign.dossier_deadline < today
            and not campaign.is_at_least(Campaign.Status.SUBMITTED)
        )
        leaders = {m.role: m.unit for m in bloc_year.leaders} if bloc_year else {}
        rows.append(
            OverviewRow(
                bloc=bloc,
                bloc_year=bloc_year,
                campaign=campaign,
                head=leaders.get(Membership.Role.HEAD),
                deputy=leaders.get(Membership.Role.DEPUTY),
                flag=counts.get((campaign.pk, FLAG), 0) if campaign else 0,
                flag_quota=quotas[FLAG],
                merit=counts.get((campaign.pk, MERIT), 0) if campaign else 0,
                merit_quota=quotas[MERIT],
                late=late,
            )
        )
    return rows
