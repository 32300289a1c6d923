"""Pages of the nominations: the bloc completes and resubmits them, the reward board reviews and decides."""

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Min, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import access as bloc_access
from blocs.errors import BlocError
from blocs.models import Bloc, Province
from scoring import access, nominations
from scoring.forms import DecisionForm, NominationSummaryForm, ReturnForm
from scoring.models import QUEUE_ORDER, AwardType, BaseSalary, Nomination, ScoreSheet
from thiduabloc.params import whole_number

QUEUE_PAGE_SIZE = 30


@login_required
@require_GET
def nomination_list(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    return render(
        request,
        "scoring/nomination_list.html",
        {
            "campaign": campaign,
            "nominations": campaign.nominations.select_related("unit", "award_type").order_by(
                "award_type__position", "unit__name"
            ),
        },
    )


@login_required
@require_GET
def nomination_detail(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    campaign = nomination.campaign
    can_manage = bloc_access.can_manage(request.user, campaign.bloc_year)
    board = nominations.is_reward_board(request.user)
    editable = can_manage and nomination.status in (Nomination.Status.DRAFT, Nomination.Status.RETURNED)
    day = nomination.decision_date or campaign.conference_date or timezone.localdate()
    salary = BaseSalary.on(day)
    return render(
        request,
        "scoring/nomination_detail.html",
        {
            "nomination": nomination,
            "campaign": campaign,
            "candidate": nomination.candidate,
            "round": nomination.candidate.round_award.round,
            "sheet": ScoreSheet.objects.filter(campaign=campaign, unit=nomination.unit).first(),
            "versions": list(nomination.versions.select_related("submitted_by").order_by("-number")),
            "can_manage": can_manage,
            "salary": salary,
            "money": salary.amount * nomination.award_type.money_coefficient if salary else None,
            "summary_form": NominationSummaryForm(
                initial={"summary": nomination.summary, "version": nomination.version}
            )
            if editable
            else None,
            "can_resubmit": can_manage and nomination.status == Nomination.Status.RETURNED,
            "board": board,
            "return_form": ReturnForm()
            if board and nomination.status == Nomination.Status.SUBMITTED
            else None,
            "decision_form": DecisionForm()
            if board and nomination.status == Nomination.Status.ACCEPTED
            else None,
        },
    )


@login_required
@require_POST
def nomination_edit(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    bloc_access.ensure_can_manage(request.user, nomination.campaign.bloc_year)
    form = NominationSummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi tóm tắt thành tích (tối đa 20.000 ký tự)."))
        return redirect(nomination)
    try:
        nominations.nomination_save_summary(
            actor=request.user,
            nomination=nomination,
            summary=form.cleaned_data["summary"],
            expected_version=form.cleaned_data["version"],
        )
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã lưu tóm tắt thành tích."))
    return redirect(nomination)


@login_required
@require_POST
def nomination_resubmit(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    try:
        nominations.nomination_resubmit(actor=request.user, nomination=nomination)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi lại hồ sơ cho Ban Thi đua – Khen thưởng."))
    return redirect(nomination)


@login_required
@require_POST
def nomination_accept(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    try:
        nominations.nomination_accept(actor=request.user, nomination=nomination)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã chấp nhận hồ sơ; chờ quyết định khen thưởng."))
    return redirect(nomination)


@login_required
@require_POST
def nomination_return(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["comment"][0])
        return redirect(nomination)
    try:
        nominations.nomination_return(
            actor=request.user, nomination=nomination, reason=form.cleaned_data["comment"]
        )
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã trả lại hồ sơ cho khối."))
    return redirect(nomination)


@login_required
@require_POST
def nomination_decide(request, nomination_id: int):
    nomination = access.get_nomination(request.user, nomination_id)
    nominations.ensure_reward_board(request.user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi số, ngày quyết định và kết quả."))
        return redirect(nomination)
    try:
        nominations.nomination_decide(actor=request.user, nomination=nomination, **form.cleaned_data)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi quyết định khen thưởng."))
    return redirect(nomination)


def _bloc_options(province: int | None, bloc: int | None) -> tuple[int | None, int | None, str]:
    """The bloc filter's <option>s: the blocs of the chosen province, or of the chosen bloc's province (40 at
    national scale). Every bloc of the country (1,360 options, a sixth of the page's time) was no list to pick
    from. Returns the province (the bloc's, when only a bloc was chosen), the bloc if it is one of the options,
    and the options; no province and no bloc: no options, none read."""
    if province is None and bloc is None:
        return None, None, ""
    blocs = Bloc.objects.order_by("kind", "number")
    if province is not None:
        blocs = blocs.filter(province_id=province)
    else:
        blocs = blocs.filter(province_id=Subquery(Bloc.objects.filter(pk=bloc).values("province_id")[:1]))
    rows = list(blocs.values_list("pk", "name", "province_id"))
    if province is None and rows:
        province = rows[0][2]
    if bloc not in {pk for pk, _name, _province in rows}:
        bloc = None
    # Safe: the pk is an integer and every name is escaped.
    options = mark_safe(
        "".join(
            f'<option value="{pk}"{" selected" if pk == bloc else ""}>{html.escape(name)}</option>'
            for pk, name, _province in rows
        )
    )
    return province, bloc, options


def _nomination_years() -> list[int]:
    """Every year from the first year with nominations to the last, newest first: the two ends of the queue's
    index (sort_year leads it), read in one query whatever the number of years. Grouping every bloc-year by
    year to look for each year's nominations grew with the years kept (1.5 ms with 5 years at national scale,
    8 ms with 20). A year in between with no nomination at all would be offered too; the queue then says that
    none matches."""
    span = Nomination.objects.aggregate(first=Min("sort_year"), last=Max("sort_year"))
    if span["first"] is None:
        return []
    return list(range(span["last"], span["first"] - 1, -1))


@login_required
@require_GET
def review_queue(request):
    """Every bloc's nominations for the reward board, filtered by year, bloc, award and status."""
    if not nominations.is_reward_board(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Ban Thi đua – Khen thưởng xem được danh sách này."))
    # The table shows the nomination's own copies of its year, bloc and unit names (its sort keys, renamed with
    # them in the admin): a page is one table read in its index order. Joined to the campaign, bloc-year, bloc
    # and unit, PostgreSQL took longer to plan the page than to read it.
    queue = Nomination.objects.only(
        "status", "award_type_id", "sort_year", "sort_bloc", "sort_unit"
    ).order_by(*QUEUE_ORDER)
    filters = {
        "year": request.GET.get("year", ""),
        "province": request.GET.get("province", ""),
        "bloc": request.GET.get("bloc", ""),
        "award": request.GET.get("award", ""),
        "status": request.GET.get("status", Nomination.Status.SUBMITTED),
    }
    year, award = whole_number(filters["year"]), whole_number(filters["award"])
    province, bloc, bloc_options = _bloc_options(
        whole_number(filters["province"]), whole_number(filters["bloc"])
    )
    # As applied: a bloc outside the chosen province is dropped, a bloc alone brings its province.
    filters["province"] = "" if province is None else str(province)
    filters["bloc"] = "" if bloc is None else str(bloc)
    if year is not None:
        queue = queue.filter(sort_year=year)  # the campaign's year, on the nomination: no join to count
    if bloc is not None:
        queue = queue.filter(campaign__bloc_year__bloc_id=bloc)
    elif province is not None:
        queue = queue.filter(campaign__bloc_year__bloc__province_id=province)
    if award is not None:
        queue = queue.filter(award_type_id=award)
    if filters["status"] in Nomination.Status.values:
        queue = queue.filter(status=filters["status"])
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    # Every award, a retired one too (its nominations stay listed), in the query the filter needs anyway.
    award_types = {award_type.pk: award_type for award_type in AwardType.objects.all()}
    for nomination in page:
        nomination.award_type = award_types[nomination.award_type_id]
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "scoring/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "statuses": Nomination.Status.choices,
            "awards": [award_type for award_type in award_types.values() if award_type.is_active],
            "provinces": Province.objects.all(),
            "bloc_options": bloc_options,
            "years": _nomination_years(),
        },
    )
