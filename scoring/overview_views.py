"""The reward board's overview of every bloc for a year, on screen and as .xlsx."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from blocs.models import Bloc, BlocYear, Province
from scoring.models import Campaign
from scoring.overview import OverviewCells, overview_rows
from thiduabloc.params import whole_number

PAGE_SIZE = 50
BEFORE_SUBMITTED = [
    Campaign.Status.DRAFT,
    Campaign.Status.LAUNCHED,
    Campaign.Status.SCORING,
    Campaign.Status.CONFERENCE,
]


def _filters(request):
    if not request.user.reads_every_bloc:
        raise PermissionDenied(
            _("Chỉ Ban Thi đua – Khen thưởng và quản trị viên xem được tổng quan các khối.")
        )
    year = whole_number(request.GET.get("year", ""))
    if year is None or not 2000 <= year <= 2100:
        # No year asked (or none that can be): the latest one there is.
        year = BlocYear.objects.aggregate(year=Max("year"))["year"] or timezone.localdate().year
    filters = {
        "year": year,
        "province": request.GET.get("province", ""),
        "status": request.GET.get("status", ""),
        "late": request.GET.get("late", "") == "1",
    }
    blocs = Bloc.objects.select_related("province").order_by("province__name", "kind", "number")
    province = whole_number(filters["province"])
    if province is not None:
        blocs = blocs.filter(province_id=province)
    # Each filter on the year as "the bloc's id is among …": a join would repeat blocs and need a DISTINCT over
    # every column of the page (and of its count), 5–6 ms each at national scale.
    of_year = BlocYear.objects.filter(year=filters["year"])
    if filters["status"] in Campaign.Status.values:
        blocs = blocs.filter(pk__in=of_year.filter(campaign__status=filters["status"]).values("bloc_id"))
    elif filters["status"] == "none":
        blocs = blocs.exclude(pk__in=of_year.filter(campaign__isnull=False).values("bloc_id"))
    if filters["late"]:
        late = of_year.filter(
            campaign__dossier_deadline__lt=timezone.localdate(), campaign__status__in=BEFORE_SUBMITTED
        )
        blocs = blocs.filter(pk__in=late.values("bloc_id"))
    return filters, blocs


@login_required
@require_GET
def overview(request):
    filters, blocs = _filters(request)
    page = Paginator(blocs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        f"{k}={v}"
        for k, v in {**filters, "late": "1" if filters["late"] else ""}.items()
        if v not in ("", None)
    )
    return render(
        request,
        "scoring/overview.html",
        {
            "rows": [OverviewCells.of(row) for row in overview_rows(list(page), filters["year"])],
            "page": page,
            "filters": filters,
            "query": query,
            "provinces": Province.objects.all(),
            "statuses": Campaign.Status.choices,
        },
    )


@login_required
@require_GET
def overview_export(request):
    filters, blocs = _filters(request)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Năm %(year)s") % {"year": filters["year"]}
    sheet.append([_("TỔNG QUAN CÁC KHỐI, CỤM THI ĐUA NĂM %(year)s") % {"year": filters["year"]}])
    sheet.append([])
    header = [
        _("Tỉnh, thành phố"),
        _("Khối, cụm"),
        _("Khối trưởng"),
        _("Khối phó"),
        _("Phong trào"),
        _("Đề nghị Cờ thi đua"),
        _("Chỉ tiêu Cờ"),
        _("Đề nghị Bằng khen"),
        _("Chỉ tiêu Bằng khen"),
        _("Hạn gửi hồ sơ"),
        _("Quá hạn"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    blocs = list(blocs)
    for start in range(0, len(blocs), 500):
        for row in overview_rows(blocs[start : start + 500], filters["year"]):
            campaign = row.campaign
            sheet.append(
                [
                    row.bloc.province.name,
                    row.bloc.name,
                    row.head.name if row.head else "",
                    row.deputy.name if row.deputy else "",
                    row.status,
                    row.flag,
                    row.flag_quota,
                    row.merit,
                    row.merit_quota,
                    campaign.dossier_deadline if campaign and campaign.dossier_deadline else None,
                    _("Có") if row.late else "",
                ]
            )
            if campaign and campaign.dossier_deadline:
                sheet.cell(row=sheet.max_row, column=10).number_format = "DD/MM/YYYY"
    for column, width in zip("ABCDEFGHIJK", (16, 48, 40, 40, 26, 10, 10, 10, 10, 14, 9), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="tong-quan-cac-khoi-{filters["year"]}.xlsx"'
    return response
