"""The score summary as an .xlsx workbook (bảng tổng hợp điểm), numbers kept as numbers."""

import io

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
    sheet.title = "Tổng hợp điểm"
    sheet.append(["BẢNG TỔNG HỢP ĐIỂM THI ĐUA"])
    sheet.append([f"{campaign.bloc_year.bloc.name} – năm {campaign.bloc_year.year}"])
    sheet.append([f"Tổng điểm tối đa: {summary.total_max}; xếp hạng theo điểm thẩm định đã chốt."])
    sheet.append([])

    header = ["STT", "Đơn vị"]
    for group in summary.groups:
        header += [f"{group.code}. {group.title} – tự chấm", f"{group.code}. {group.title} – thẩm định"]
    header += [
        "Tổng tự chấm",
        "Tổng thẩm định",
        "Chênh lệch",
        "Số tiêu chí đạt điểm tối đa",
        "Tổng điểm trừ",
        "Đủ điều kiện",
        "Xếp hạng",
        "Trạng thái phiếu",
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
            "Có" if row.reviewed_totals.eligible else "Không (vi phạm tiêu chí loại trừ)",
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
