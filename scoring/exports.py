"""The score summary as an .xlsx workbook (bảng tổng hợp điểm), numbers kept as numbers."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from scoring.selectors import Summary

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SCORE_FORMAT = "#,##0.00"


def summary_workbook(summary: Summary) -> bytes:
    campaign = summary.campaign
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng hợp điểm")
    sheet.append([_("BẢNG TỔNG HỢP ĐIỂM THI ĐUA")])
    sheet.append(
        [
            _("%(bloc)s – năm %(year)s")
            % {"bloc": campaign.bloc_year.bloc.name, "year": campaign.bloc_year.year}
        ]
    )
    sheet.append(
        [_("Tổng điểm tối đa: %(max)s; xếp hạng theo điểm thẩm định đã chốt.") % {"max": summary.total_max}]
    )
    sheet.append([])

    header = [_("STT"), _("Đơn vị")]
    for group in summary.groups:
        names = {"code": group.code, "title": group.title}
        header += [_("%(code)s. %(title)s – tự chấm") % names, _("%(code)s. %(title)s – thẩm định") % names]
    header += [
        _("Tổng tự chấm"),
        _("Tổng thẩm định"),
        _("Chênh lệch"),
        _("Số tiêu chí đạt điểm tối đa"),
        _("Tổng điểm trừ"),
        _("Đủ điều kiện"),
        _("Xếp hạng"),
        _("Trạng thái phiếu"),
    ]
    sheet.append(header)
    header_row = sheet.max_row
    for number, row in enumerate(summary.rows, start=1):
        values = [number, row.unit.name]
        for group in summary.groups:
            values += [row.self_totals.by_group[group.id], row.reviewed_totals.by_group[group.id]]
        values += [
            row.self_totals.total,
            row.reviewed_totals.total,
            row.difference,
            row.full_marks,
            row.reviewed_totals.deduction,
            _("Có") if row.reviewed_totals.eligible else _("Không (vi phạm tiêu chí loại trừ)"),
            row.rank if row.rank is not None else "",
            row.sheet.get_status_display(),
        ]
        sheet.append(values)

    for cells in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row):
        for cell in cells:
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.row > header_row and cell.column > 2 and not isinstance(cell.value, str | int):
                cell.number_format = SCORE_FORMAT
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 48
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
