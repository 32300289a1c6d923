"""Reading a unit list from an .xlsx or .csv file: the columns, and the checks beyond each cell."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from blocs.models import Unit
from thiduabloc.spreadsheets import Column, TableResult, parse_table
from thiduabloc.text import fold

# Titles stay in Vietnamese, so a file's Vietnamese header is read whatever the interface language; the user
# sees each column's ``label``, its translation, which a header may use too.
COLUMNS = [
    Column("name", gettext_noop("Tên đầy đủ"), required=True, max_length=255, translatable=True),
    Column("short_name", gettext_noop("Tên ngắn"), required=True, max_length=120, translatable=True),
    Column("abbreviation", gettext_noop("Ký hiệu"), required=True, max_length=20, translatable=True),
    Column("parent_body", gettext_noop("Cơ quan chủ quản"), max_length=255, translatable=True),
    Column("address", gettext_noop("Địa chỉ"), max_length=255, translatable=True),
    Column("head_name", gettext_noop("Thủ trưởng"), max_length=120, translatable=True),
    Column("head_title", gettext_noop("Chức vụ"), max_length=120, translatable=True),
    Column("valid_from", gettext_noop("Hiệu lực từ"), required=True, kind="date", translatable=True),
    Column("valid_to", gettext_noop("Hiệu lực đến"), kind="date", translatable=True),
]
BY_FIELD = {c.field: c for c in COLUMNS}


def parse_units(*, file_name: str, content: bytes, province) -> TableResult:
    """Check every row of the file; the result holds the clean rows or the list of errors, never both."""
    result = parse_table(file_name=file_name, content=content, columns=COLUMNS)
    seen: dict[str, int] = {}
    for row in result.rows:
        values = row.values
        if values["valid_to"] is not None and values["valid_to"] < values["valid_from"]:
            result.fail(row.row, BY_FIELD["valid_to"].label, _("Ngày hết hiệu lực trước ngày bắt đầu."))
        if values["valid_to"] is None:
            key = fold(values["abbreviation"])
            if key in seen:
                result.fail(
                    row.row,
                    BY_FIELD["abbreviation"].label,
                    _("Trùng ký hiệu với dòng %(row)s của tệp.") % {"row": seen[key]},
                )
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
                BY_FIELD["abbreviation"].label,
                _("Đã có đơn vị đang hoạt động dùng ký hiệu “%(abbreviation)s”.")
                % {"abbreviation": row.values["abbreviation"]},
            )
    return result.finish()
