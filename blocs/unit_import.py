"""Reading a unit list from an .xlsx or .csv file: the columns, and the checks beyond each cell."""

from django.db.models import Q

from blocs.models import Unit
from thiduabloc.spreadsheets import Column, TableResult, parse_table
from thiduabloc.text import fold

COLUMNS = [
    Column("name", "Tên đầy đủ", required=True, max_length=255),
    Column("short_name", "Tên ngắn", required=True, max_length=120),
    Column("abbreviation", "Ký hiệu", required=True, max_length=20),
    Column("parent_body", "Cơ quan chủ quản", max_length=255),
    Column("address", "Địa chỉ", max_length=255),
    Column("head_name", "Thủ trưởng", max_length=120),
    Column("head_title", "Chức vụ", max_length=120),
    Column("valid_from", "Hiệu lực từ", required=True, kind="date"),
    Column("valid_to", "Hiệu lực đến", kind="date"),
]


def parse_units(*, file_name: str, content: bytes, province) -> TableResult:
    """Check every row of the file; the result holds the clean rows or the list of errors, never both."""
    result = parse_table(file_name=file_name, content=content, columns=COLUMNS)
    seen: dict[str, int] = {}
    for row in result.rows:
        values = row.values
        if values["valid_to"] is not None and values["valid_to"] < values["valid_from"]:
            result.fail(row.row, "Hiệu lực đến", "Ngày hết hiệu lực trước ngày bắt đầu.")
        if values["valid_to"] is None:
            key = fold(values["abbreviation"])
            if key in seen:
                result.fail(row.row, "Ký hiệu", f"Trùng ký hiệu với dòng {seen[key]} của tệp.")
            else:
                seen[key] = row.row

    # One query for every abbreviation already used by an active unit of the province.
    active = Unit.objects.filter(Q(valid_to__isnull=True), province=province).values_list(
        "abbreviation", flat=True
    )
    taken = {fold(a) for a in active}
    for row in result.rows:
        if row.values["valid_to"] is None and fold(row.values["abbreviation"]) in taken:
            result.fail(
                row.row,
                "Ký hiệu",
                f"Đã có đơn vị đang hoạt động dùng ký hiệu “{row.values['abbreviation']}”.",
            )
    return result.finish()
