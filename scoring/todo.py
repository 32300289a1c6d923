""" "What do I do now?": the to-do list each role sees on its dashboard, in a bounded number of queries."""

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blocs.access import MANAGING_ROLES, is_administrator
from blocs.models import Blocker, Membership, UnitImport, User
from reports import snapshots
from reports.models import Document
from scoring import services
from scoring.models import (
    QUEUE_ORDER,
    Campaign,
    CriteriaGroup,
    Criterion,
    Nomination,
    Registration,
    ScoreSheet,
    Voter,
    VoteRound,
)


@dataclass
class Task:
    text: str
    url: str
    level: str = "info"  # info, warning (due soon), danger (late or returned)
    detail: str = ""


@dataclass
class Todo:
    tasks: list[Task] = field(default_factory=list)
    results: list[Nomination] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _count_per_campaign(queryset) -> Coalesce:
    """How many rows of ``queryset`` (already filtered on the outer campaign) as a correlated subquery.

    A joined Count(distinct) made PostgreSQL join every open campaign of the country with its criteria and
    registrations before keeping the user's few (0.6 s at national scale); the subquery runs per kept row."""
    # COUNT as a plain function, not an aggregate: Django adds no GROUP BY, the subquery returns one row.
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _deadline_level(day) -> str:
    if day is None:
        return "info"
    today = timezone.localdate()
    if day < today:
        return "danger"
    return "warning" if (day - today).days <= 14 else "info"


def _open_campaigns(user: User, *, manages: bool) -> list[Campaign]:
    """The open campaigns of the user's unit, newest first, with what its own tasks count. For a secretary the
    same query tells which of them the unit runs (head or deputy) and what waits there: one query for both
    lists, since every campaign the unit runs is one it is a member of."""
    # The unit's bloc-years as they are: the closed campaigns are left out once, below (left out in the
    # subquery too, their join cost PostgreSQL 0.5 ms more to plan than the whole query takes to run).
    memberships = Membership.objects.filter(unit_id=user.unit_id)
    campaigns = (
        Campaign.objects.filter(bloc_year__in=memberships.values("bloc_year"))
        .exclude(status=Campaign.Status.CLOSED)
        .annotate(
            to_answer=_count_per_campaign(
                Criterion.objects.filter(
                    group__campaign=OuterRef("pk"),
                    group__kind__in=[CriteriaGroup.Kind.SCORE, CriteriaGroup.Kind.KNOCKOUT],
                )
            ),
            registered=Exists(Registration.objects.filter(campaign=OuterRef("pk"), unit_id=user.unit_id)),
        )
        .order_by("-bloc_year__year")
    )
    if not manages:
        return list(campaigns.select_related("bloc_year__bloc"))
    return list(
        campaigns.select_related("bloc_year__bloc__province").annotate(
            managed=Exists(
                Membership.objects.filter(
                    bloc_year=OuterRef("bloc_year"), unit_id=user.unit_id, role__in=MANAGING_ROLES
                )
            ),
            waiting=_count_per_campaign(
                ScoreSheet.objects.filter(campaign=OuterRef("pk"), status=ScoreSheet.Status.SUBMITTED)
            ),
            returned=_count_per_campaign(
                Nomination.objects.filter(campaign=OuterRef("pk"), status=Nomination.Status.RETURNED)
            ),
        )
    )


def _unit_tasks(user: User, todo: Todo, campaigns: list[Campaign]) -> None:
    # Only a campaign being scored asks for the unit's sheet: outside the scoring weeks, no query for it.
    being_scored = [c for c in campaigns if c.status == Campaign.Status.SCORING]
    sheets = {
        s.campaign_id: s
        # No order: the model's (by campaign, then unit name) joined the campaign, bloc-year, bloc and unit to a
        # query that sorts nothing.
        for s in ScoreSheet.objects.filter(campaign__in=being_scored, unit_id=user.unit_id)
        .order_by()
        .annotate(
            answered=Count(
                "lines",
                filter=Q(
                    lines__criterion__group__kind=CriteriaGroup.Kind.SCORE, lines__self_score__isnull=False
                )
                | Q(
                    lines__criterion__group__kind=CriteriaGroup.Kind.KNOCKOUT,
                    lines__self_violation__isnull=False,
                ),
            )
        )
    }
    for campaign in campaigns:
        bloc = campaign.bloc_year.bloc.name
        if (
            campaign.status == Campaign.Status.LAUNCHED
            and not campaign.registered
            and not campaign.covenant_signed
        ):
            todo.tasks.append(
                Task(
                    _("Đăng ký thi đua năm %(year)s") % {"year": campaign.bloc_year.year},
                    reverse("scoring:covenant", args=[campaign.pk]),
                    _deadline_level(campaign.covenant_date),
                    _("%(bloc)s; hạn ký giao ước %(date)s")
                    % {"bloc": bloc, "date": f"{campaign.covenant_date:%d/%m/%Y}"}
                    if campaign.covenant_date
                    else bloc,
                )
            )
        sheet = sheets.get(campaign.pk)
        if campaign.status == Campaign.Status.SCORING and sheet and sheet.is_editable_by_unit:
            missing = max(campaign.to_answer - sheet.answered, 0)
            if sheet.status == ScoreSheet.Status.RETURNED:
                text, level = _("Sửa và gửi lại phiếu chấm điểm bị trả lại"), "danger"
                detail = f"{bloc}: {sheet.return_comment}"
            else:
                text, level = (
                    _("Tự chấm và gửi phiếu chấm điểm năm %(year)s") % {"year": campaign.bloc_year.year},
                    _deadline_level(campaign.scoring_deadline),
                )
                if campaign.scoring_deadline:
                    detail = ngettext(
                        "%(bloc)s; còn %(missing)s tiêu chí chưa chấm; hạn gửi %(date)s",
                        "%(bloc)s; còn %(missing)s tiêu chí chưa chấm; hạn gửi %(date)s",
                        missing,
                    ) % {
                        "bloc": bloc,
                        "missing": missing,
                        "date": f"{campaign.scoring_deadline:%d/%m/%Y}",
                    }
                else:
                    detail = ngettext(
                        "%(bloc)s; còn %(missing)s tiêu chí chưa chấm",
                        "%(bloc)s; còn %(missing)s tiêu chí chưa chấm",
                        missing,
                    ) % {"bloc": bloc, "missing": missing}
            todo.tasks.append(Task(text, sheet.get_absolute_url(), level, detail))
    # A round opens only at the conference, and a campaign leaves it only once its rounds are closed
    # (conference.round_create, services.step_blockers): outside the conference, no query for ballots.
    at_conference = {c.pk: c for c in campaigns if c.status == Campaign.Status.CONFERENCE}
    for voter in (
        Voter.objects.filter(
            unit_id=user.unit_id,
            has_voted=False,
            round__status=VoteRound.Status.OPEN,
            round__conference__campaign__in=list(at_conference),
        )
        .select_related("round__conference")
        .order_by("round_id")
    ):
        vote_round = voter.round
        todo.tasks.append(
            Task(
                _("Bỏ phiếu vòng %(number)s") % {"number": vote_round.number},
                reverse("scoring:ballot_form", args=[vote_round.pk]),
                "danger",
                at_conference[vote_round.conference.campaign_id].bloc_year.bloc.name,
            )
        )
    # In the review queue's order (newest year first), from the nomination's own copies: no join to sort.
    todo.results = list(
        Nomination.objects.filter(unit_id=user.unit_id)
        .select_related("award_type")
        .order_by(*QUEUE_ORDER)[:10]
    )


def _manager_tasks(todo: Todo, campaigns: list[Campaign]) -> None:
    """The steps of the campaigns the unit runs (the six newest at most), from _open_campaigns()."""
    campaigns = [campaign for campaign in campaigns if campaign.managed][:6]
    # Of the steps' checks, only the one out of scoring counts the members (services.step_blockers): read them
    # for those campaigns alone, as bare rows. With their units, for every managed campaign, they took 1.3 ms of
    # the secretary's 23 ms dashboard.
    prefetch_related_objects(
        [campaign for campaign in campaigns if campaign.status == Campaign.Status.SCORING],
        Prefetch("bloc_year__memberships", queryset=Membership.objects.order_by()),
    )
    # Documents are issued from the conference on: before it, no query for them.
    issuing = [campaign for campaign in campaigns if campaign.is_at_least(Campaign.Status.CONFERENCE)]
    issued = set(
        Document.objects.filter(campaign__in=issuing, superseded_by__isnull=True)
        .order_by()
        .values_list("campaign_id", "kind")
    )
    for campaign in campaigns:
        bloc = campaign.bloc_year.bloc.name
        step = services.next_step(campaign)
        if step:
            blockers = services.step_blockers(campaign, step)
            todo.tasks.append(
                Task(
                    f"{step.label} ({campaign.bloc_year.year})",
                    reverse("scoring:campaign_detail", args=[campaign.pk]),
                    "warning" if blockers else "info",
                    f"{bloc}: " + (" ".join(blockers) if blockers else _("đã đủ điều kiện.")),
                )
            )
        if campaign.waiting:
            todo.tasks.append(
                Task(
                    ngettext(
                        "Thẩm định %(count)s phiếu chấm điểm đã gửi",
                        "Thẩm định %(count)s phiếu chấm điểm đã gửi",
                        campaign.waiting,
                    )
                    % {"count": campaign.waiting},
                    reverse("scoring:sheet_list", args=[campaign.pk]),
                    "warning",
                    bloc,
                )
            )
        if campaign.returned:
            todo.tasks.append(
                Task(
                    ngettext(
                        "Sửa %(count)s hồ sơ đề nghị bị Ban Thi đua – Khen thưởng trả lại",
                        "Sửa %(count)s hồ sơ đề nghị bị Ban Thi đua – Khen thưởng trả lại",
                        campaign.returned,
                    )
                    % {"count": campaign.returned},
                    reverse("scoring:nomination_list", args=[campaign.pk]),
                    "danger",
                    bloc,
                )
            )
        if campaign.is_at_least(Campaign.Status.CONFERENCE):
            to_issue = [
                label
                for kind, label in Document.Kind.choices
                if kind in (Document.Kind.REPORT, Document.Kind.MINUTES, Document.Kind.REQUEST)
                and (campaign.pk, kind) not in issued
                and not snapshots.missing(campaign, kind)
            ]
            if to_issue:
                todo.tasks.append(
                    Task(
                        _("Ban hành văn bản: %(documents)s")
                        % {"documents": ", ".join(str(label).lower() for label in to_issue)},
                        reverse("reports:documents", args=[campaign.pk]),
                        "info",
                        bloc,
                    )
                )


def _board_counts(todo: Todo) -> None:
    # The WHERE lets the status index skip every year's decided nominations.
    counts = Nomination.objects.filter(
        status__in=[Nomination.Status.SUBMITTED, Nomination.Status.ACCEPTED]
    ).aggregate(
        submitted=Count("id", filter=Q(status=Nomination.Status.SUBMITTED)),
        accepted=Count("id", filter=Q(status=Nomination.Status.ACCEPTED)),
    )
    todo.counts.update(counts)
    if counts["submitted"]:
        todo.tasks.append(
            Task(
                ngettext(
                    "Thẩm định %(count)s hồ sơ đề nghị khen thưởng",
                    "Thẩm định %(count)s hồ sơ đề nghị khen thưởng",
                    counts["submitted"],
                )
                % {"count": counts["submitted"]},
                reverse("scoring:review_queue"),
                "warning",
            )
        )
    if counts["accepted"]:
        todo.tasks.append(
            Task(
                ngettext(
                    "Ghi quyết định cho %(count)s hồ sơ đã chấp nhận",
                    "Ghi quyết định cho %(count)s hồ sơ đã chấp nhận",
                    counts["accepted"],
                )
                % {"count": counts["accepted"]},
                reverse("scoring:review_queue") + "?status=accepted",
                "info",
            )
        )


def _admin_counts(todo: Todo) -> None:
    today = timezone.localdate()
    todo.counts.update(
        pending_imports=UnitImport.objects.filter(status=UnitImport.Status.PENDING).count(),
        active_blockers=Blocker.objects.filter(started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .count(),
        users_without_email=User.objects.filter(is_active=True, email="").count(),
    )


def todo_for(user: User) -> Todo:
    todo = Todo()
    if user.unit_id and user.role in (User.Role.FOCAL, User.Role.SECRETARY):
        manages = user.role == User.Role.SECRETARY
        campaigns = _open_campaigns(user, manages=manages)
        _unit_tasks(user, todo, campaigns)
        if manages:
            _manager_tasks(todo, campaigns)
    if user.reads_every_bloc:
        _board_counts(todo)
    if is_administrator(user):
        _admin_counts(todo)
    order = {"danger": 0, "warning": 1, "info": 2}
    todo.tasks.sort(key=lambda t: order[t.level])
    return todo
