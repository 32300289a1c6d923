from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import access
from blocs.errors import BlocError
from blocs.forms import BlockerForm, RotationForm
from blocs.models import Blocker, BlocYear, Handover, Membership, Province
from blocs.rotation import rotation_plan
from blocs.services import CouncilAssignment, bloc_rotate, blocker_end, blocker_record
from thiduabloc.params import search_text, whole_number
from thiduabloc.text import fold

# Ten blocs a page: a focal person or secretary has one or two; the reward board and administrators reach the
# rest through the search box and the province filter, and have the overview for the table of every bloc.
BLOCS_PER_PAGE = 10
# The dashboard shows each bloc's latest years only (this year's campaign and last year's, whose nominations are
# often still under review): a page stays 20 rows however long the blocs' history. The bloc page has every
# year, YEARS_PER_PAGE at a time.
DASHBOARD_YEARS = 2
# A bloc's page and a unit's show five years at a time, the newest first, and link to the older ones: a year
# (a bloc's card of members, roles, campaign, leader and awards; a unit's row of leaders, score, votes and
# awards) costs one to two milliseconds to read and render, and both keep every year of their history. With
# 20 years, a bloc's page of every year took 40 ms of CPU against 20 for five, and a unit's page of ten years
# 53 ms p95 under load against 38 for five.
YEARS_PER_PAGE = 5


# A bloc-year's members with their units, ordered by unit name only: the model's ordering by bloc-year would join
# bloc and province to sort.
_MEMBERS = Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__name"))


def _dashboard_years() -> Prefetch:
    """A bloc's latest years for the dashboard table (one more than it shows, to tell whether there are older
    ones): campaign and number of members, in one query whatever the number of years."""
    from scoring.models import Campaign  # scoring builds on blocs

    return Prefetch(
        "years",
        queryset=BlocYear.objects.select_related("campaign")
        # The columns the table reads (the campaign's state and dated steps): grouped by for the count, every
        # column of the campaign (its stored standings and signatories, 1.2 kB a row) was hashed for each member.
        .only(
            "bloc_id", "year", "campaign__bloc_year_id", *(f"campaign__{f}" for f in Campaign.DEADLINE_FIELDS)
        )
        .annotate(member_count=Count("memberships"))
        # A slice in a prefetch is one query: ROW_NUMBER() per bloc, in the database.
        .order_by("-year")[: DASHBOARD_YEARS + 1],
        to_attr="latest_years",
    )


def _newer_start(later_years: list[int], per_page: int) -> int | str | None:
    """Where the link to the newer years leads, from the years after a page (ascending, at most per_page + 1):
    the year the page of the next newer years starts at, "" for the first page, None when there are none."""
    if not later_years:
        return None
    return later_years[per_page - 1] if len(later_years) > per_page else ""


def _dashboard_roles(user, bloc_year_ids: list[int]) -> dict[int, dict[str, str]]:
    """For each bloc-year shown: the head's and the deputy's short names, and the role of the user's unit
    ("mine"). Plain rows of the few memberships shown, in one query: as model instances with their units they
    were a tenth of the reward board's dashboard."""
    shown = Q(role__in=access.MANAGING_ROLES)
    if user.unit_id:
        shown |= Q(unit_id=user.unit_id)
    roles: dict[int, dict[str, str]] = {pk: {} for pk in bloc_year_ids}
    if not bloc_year_ids:
        return roles
    for bloc_year_id, unit_id, role, short_name in (
        Membership.objects.filter(shown, bloc_year_id__in=bloc_year_ids)
        .order_by()
        .values_list("bloc_year_id", "unit_id", "role", "unit__short_name")
    ):
        if role in access.MANAGING_ROLES:
            roles[bloc_year_id][role] = short_name
        if unit_id == user.unit_id:
            roles[bloc_year_id]["mine"] = role
    return roles


@login_required
@require_GET
def dashboard(request):
    user = request.user
    blocs = access.visible_blocs(user).select_related("province").prefetch_related(_dashboard_years())
    query = search_text(request.GET.get("q"))
    province_id = request.GET.get("province", "")
    if query:
        blocs = blocs.search(query)
    province = whole_number(province_id)
    if user.reads_every_bloc and province is not None:
        blocs = blocs.filter(province_id=province)
    if not user.reads_every_bloc:
        # A unit's blocs are one or two: read them all (one query with their years), with no COUNT first.
        blocs = list(blocs)
    page = Paginator(blocs, BLOCS_PER_PAGE).get_page(request.GET.get("page"))
    roles = _dashboard_roles(user, [by.pk for bloc in page for by in bloc.latest_years[:DASHBOARD_YEARS]])
    rows = []
    today = timezone.localdate()
    for bloc in page:
        years = []
        for bloc_year in bloc.latest_years[:DASHBOARD_YEARS]:
            shown = roles[bloc_year.pk]
            campaign = getattr(bloc_year, "campaign", None)
            years.append(
                {
                    "bloc_year": bloc_year,
                    "head": shown.get(Membership.Role.HEAD, "—"),
                    "deputy": shown.get(Membership.Role.DEPUTY, "—"),
                    "mine": shown.get("mine"),
                    "campaign": campaign,
                    # The label from the enum: get_status_display() rebuilds the choices dict on every call.
                    "status": campaign.Status(campaign.status).label if campaign else None,
                    "late": campaign.late_steps(today) if campaign else [],
                }
            )
        rows.append({"bloc": bloc, "years": years, "older": len(bloc.latest_years) > DASHBOARD_YEARS})
    from scoring.todo import todo_for  # the dashboard gathers every app's work; scoring builds on blocs

    return render(
        request,
        "blocs/dashboard.html",
        {
            "todo": todo_for(user),
            "page": page,
            "rows": rows,
            "query": query,
            "provinces": Province.objects.all() if user.reads_every_bloc else None,
            "province_id": province_id,
        },
    )


@login_required
@require_GET
def bloc_detail(request, bloc_id: int):
    """A bloc's years, newest first, YEARS_PER_PAGE at a time; ``?until=<year>`` starts the page at that year."""
    bloc = access.get_bloc(request.user, bloc_id)
    from scoring.history import bloc_history

    until = whole_number(request.GET.get("until"))
    years = bloc.years.select_related("handover__from_unit", "handover__to_unit", "campaign")
    years = years.order_by("-year")
    if until is not None:
        years = years.filter(year__lte=until)
    # One year more than the page shows tells whether there are older ones, without a count; the members are
    # read for the years shown only (one query).
    years = list(years[: YEARS_PER_PAGE + 1])
    older = years[YEARS_PER_PAGE].year if len(years) > YEARS_PER_PAGE else None
    years = years[:YEARS_PER_PAGE]
    prefetch_related_objects(years, _MEMBERS)
    newer = None
    if until is not None:
        later = bloc.years.filter(year__gt=years[0].year if years else until).order_by("year")
        newer = _newer_start(list(later.values_list("year", flat=True)[: YEARS_PER_PAGE + 1]), YEARS_PER_PAGE)
    # The next year's assignment is offered beside the latest year, on the page that shows it.
    latest = years[0] if years and newer is None else None
    records, chart = bloc_history(years)
    for bloc_year in years:
        bloc_year.can_manage = access.can_manage(request.user, bloc_year)
        bloc_year.record = records[bloc_year.pk]
    return render(
        request,
        "blocs/bloc_detail.html",
        {
            "bloc": bloc,
            "years": years,
            "older": older,
            "newer": newer,
            "until": until,
            "rotation": bloc.rotation.select_related("unit").order_by("position"),
            "can_rotate": newer is None and access.can_manage(request.user, latest),
            "chart": chart,
            "next_year": latest.year + 1 if latest else None,
        },
    )


@login_required
@require_GET
def unit_detail(request, unit_id: int):
    """A unit's record, and its roles YEARS_PER_PAGE years at a time, newest first (``?until=<year>``)."""
    unit = access.get_unit(request.user, unit_id)
    # Another unit's staff see the unit in the blocs they share only. The reward board sees every bloc, and a
    # unit's own staff every bloc of their unit: for them no filter (its subqueries doubled the time
    # PostgreSQL took to plan the two queries below).
    if request.user.reads_every_bloc or request.user.unit_id == unit.pk:
        shared = Q()
    else:
        shared = Q(bloc_year__bloc__in=access.visible_blocs(request.user).values("pk"))
    until = whole_number(request.GET.get("until"))
    mine = unit.memberships.filter(shared)
    if until is not None:
        mine = mine.filter(bloc_year__year__lte=until)
    # The page's years, and one more to tell whether there are older ones, in the memberships' own query: a
    # unit may belong to two blocs in a year, so the page is cut by years, not rows.
    page_years = mine.order_by("-bloc_year__year").values("bloc_year__year").distinct()
    memberships = (
        mine.filter(bloc_year__year__in=page_years[: YEARS_PER_PAGE + 1])
        .select_related("bloc_year__bloc", "bloc_year__campaign")
        .order_by("-bloc_year__year", "bloc_year__bloc__name")
    )
    from scoring.history import unit_history

    memberships = list(memberships)
    older = None
    if len({m.bloc_year.year for m in memberships}) > YEARS_PER_PAGE:
        older = memberships[-1].bloc_year.year
        memberships = [m for m in memberships if m.bloc_year.year != older]
    newer = None
    if until is not None:
        later = unit.memberships.filter(
            shared, bloc_year__year__gt=memberships[0].bloc_year.year if memberships else until
        )
        later_years = later.order_by("bloc_year__year").values_list("bloc_year__year", flat=True).distinct()
        newer = _newer_start(list(later_years[: YEARS_PER_PAGE + 1]), YEARS_PER_PAGE)
    records, chart = unit_history(unit, memberships)
    # Each year's head and deputy by short name, as plain rows of the years shown: as prefetched memberships
    # with their units, they were four model instances a year.
    leaders: dict[int, dict[str, str]] = {m.bloc_year_id: {} for m in memberships}
    for bloc_year_id, role, short_name in (
        Membership.objects.filter(bloc_year_id__in=list(leaders), role__in=access.MANAGING_ROLES)
        .order_by()
        .values_list("bloc_year_id", "role", "unit__short_name")
    ):
        leaders[bloc_year_id][role] = short_name
    rows = [
        {
            "membership": membership,
            "head": leaders[membership.bloc_year_id].get(Membership.Role.HEAD),
            "deputy": leaders[membership.bloc_year_id].get(Membership.Role.DEPUTY),
            "record": records[membership.pk],
        }
        for membership in memberships
    ]
    handovers = (
        Handover.objects.filter(Q(from_unit=unit) | Q(to_unit=unit), shared)
        .select_related("from_unit", "to_unit", "bloc_year__bloc")
        .order_by("-handed_over_on")
    )
    return render(
        request,
        "blocs/unit_detail.html",
        {
            "unit": unit,
            "rows": rows,
            "older": older,
            "newer": newer,
            "until": until,
            "predecessors": unit.predecessors.all(),
            "handovers": handovers,
            "blockers": unit.blockers.all(),
            "chart": chart,
            "today": timezone.localdate(),
            "can_record_blockers": request.user.reads_every_bloc,
        },
    )


def _rotation_form(bloc, latest, data=None) -> RotationForm:
    if latest is not None:
        year = latest.year + 1
    else:
        # A bloc's first year is chosen on the form; the members depend on it.
        posted = whole_number((data or {}).get("year", ""))
        year = posted if posted is not None and 2000 <= posted <= 2100 else timezone.localdate().year
    plan = rotation_plan(bloc=bloc, year=year, previous=latest)
    initial = {"year": year}
    if plan.head is not None:
        initial.update(head=plan.head.pk, deputy=plan.deputy.pk if plan.deputy else None)
    return RotationForm(data, plan=plan, initial=initial)


def _rotation_page(request, bloc, latest, form, status=200):
    plan = form.plan
    return render(
        request,
        "blocs/bloc_rotate.html",
        {"bloc": bloc, "latest": latest, "plan": plan, "form": form},
        status=status,
    )


@login_required
@require_GET
def bloc_rotate_confirm(request, bloc_id: int):
    bloc, latest = access.get_managed_bloc(request.user, bloc_id)
    form = _rotation_form(bloc, latest)
    return _rotation_page(request, bloc, latest, form)


@login_required
@require_POST
def bloc_rotate_view(request, bloc_id: int):
    bloc, latest = access.get_managed_bloc(request.user, bloc_id)
    form = _rotation_form(bloc, latest, data=request.POST)
    if not form.is_valid():
        return _rotation_page(request, bloc, latest, form, status=400)
    data = form.cleaned_data
    council = None
    if data["method"] == RotationForm.Method.COUNCIL:
        council = CouncilAssignment(
            head=data["head"],
            deputy=data.get("deputy"),
            notice_number=data["notice_number"],
            notice_date=data["notice_date"],
        )
    try:
        bloc_year = bloc_rotate(
            actor=request.user,
            bloc=bloc,
            year=data["year"],
            handover_date=data.get("handover_date"),
            council=council,
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect("blocs:bloc_detail", bloc_id=bloc.pk)
    bloc_year = BlocYear.objects.prefetch_related("memberships__unit").get(pk=bloc_year.pk)
    if bloc_year.deputy:
        message = _("Đã phân công năm %(year)s: Khối trưởng %(head)s, Khối phó %(deputy)s.") % {
            "year": bloc_year.year,
            "head": bloc_year.head,
            "deputy": bloc_year.deputy,
        }
    else:
        message = _("Đã phân công năm %(year)s: Khối trưởng %(head)s.") % {
            "year": bloc_year.year,
            "head": bloc_year.head,
        }
    messages.success(request, message)
    return redirect("blocs:bloc_detail", bloc_id=bloc.pk)


@login_required
def blocker_create(request, unit_id: int):
    unit = access.get_unit(request.user, unit_id)
    if not request.user.reads_every_bloc:
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc quản trị viên mới ghi trường hợp này.")
        )
    form = BlockerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            blocker_record(actor=request.user, unit=unit, **form.cleaned_data)
        except BlocError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Đã ghi nhận; đơn vị không được đề nghị khen thưởng trong thời gian này.")
            )
            return redirect(unit)
    return render(
        request, "blocs/blocker_form.html", {"unit": unit, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def blocker_close(request, blocker_id: int):
    blocker = get_object_or_404(
        Blocker.objects.filter(unit__in=access.visible_units(request.user)), pk=blocker_id
    )
    try:
        blocker_end(actor=request.user, blocker=blocker, ended_on=timezone.localdate())
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận trường hợp này kết thúc hôm nay."))
    return redirect(blocker.unit)


SEARCH_LIMIT = 20


@login_required
@require_GET
def search(request):
    """One box across units, blocs and nominations, ignoring diacritics and case."""
    from scoring.models import QUEUE_ORDER, Nomination

    query = search_text(request.GET.get("q"))
    results = {"units": [], "blocs": [], "nominations": []}
    words = fold(query).split()
    if words:
        results["units"] = list(
            access.visible_units(request.user, ids_first=True)
            .search(query)
            .select_related("province")[:SEARCH_LIMIT]
        )
        results["blocs"] = list(
            access.visible_blocs(request.user).search(query).select_related("province")[:SEARCH_LIMIT]
        )
        nominations = Nomination.objects.all()
        if not request.user.reads_every_bloc:
            # The rule of visible_campaigns on the bloc id itself: with nested INs PostgreSQL joined every
            # nomination of the country before keeping the user's few blocs.
            nominations = nominations.filter(
                campaign__bloc_year__bloc_id__in=access.unit_bloc_ids(request.user)
            )
        for word in words:
            nominations = nominations.filter(unit__search_text__contains=word)
        results["nominations"] = list(
            nominations.select_related("unit", "award_type")
            # The columns the list shows, and the review queue's order: every match is sorted before the first
            # twenty are kept, on the nomination's own columns (its year included) rather than joined to its
            # campaign and bloc-year.
            .only("status", "sort_year", "unit__name", "award_type__name")
            .order_by(*QUEUE_ORDER)[:SEARCH_LIMIT]
        )
    return render(
        request,
        "blocs/search.html",
        {"query": query, "results": results, "empty": bool(words) and not any(results.values())},
    )
