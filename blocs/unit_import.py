"""Reading a unit list from an .xlsx or .csv file, with every error located by row and column.

The first row holds the column titles (matched ignoring diacritics and case); rows are numbered as the
spreadsheet numbers them, so "dòng 7" is the seventh line the user sees.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.db.models import Q

from blocs.models import Unit
from thiduabloc.text import fold

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    required: bool
    max_length: int = 0
    is_date: bool = False


COLUMNS = [
    Column("name", "Tên đầy đủ", True, 255),
    Column("short_name", "Tên ngắn", True, 120),
    Column("abbreviation", "Ký hiệu", True, 20),
    Column("parent_body", "Cơ quan chủ quản", False, 255),
    Column("address", "Địa chỉ", False, 255),
    Column("head_name", "Thủ trưởng", False, 120),
    Column("head_title", "Chức vụ", False, 120),
    Column("valid_from", "Hiệu lực từ", True, is_date=True),
    Column("valid_to", "Hiệu lực đến", False, is_date=True),
]
_BY_TITLE = {fold(c.title): c for c in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_text(self) -> str:
        where = f"dòng {self.row}" + (f", cột “{self.column}”" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedRow:
    row: int
    values: dict


@dataclass
class ImportResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def columns(self) -> list[Column]:
        return COLUMNS


def _read_xlsx(content: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list]]:
    text = content.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))


def _read_table(file_name: str, content: bytes) -> list[tuple[int, list]]:
    """Rows of the first sheet as (spreadsheet row number, cells). Raises ValueError with a user message."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        try:
            return _read_xlsx(content)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
            raise ValueError("Không đọc được tệp .xlsx (tệp hỏng hoặc không phải bảng tính Excel).") from None
    if name.endswith(".csv"):
        try:
            return _read_csv(content)
        except UnicodeDecodeError:
            raise ValueError("Tệp .csv phải được lưu với bảng mã UTF-8.") from None
        except csv.Error as exc:
            raise ValueError(f"Không đọc được tệp .csv: {exc}.") from None
    raise ValueError("Chỉ nhận tệp .xlsx hoặc .csv.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _cell_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def parse_units(*, file_name: str, content: bytes, province) -> ImportResult:
    """Check every row of the file; the result holds the clean rows or the list of errors (never both usable)."""
    result = ImportResult()
    try:
        table = _read_table(file_name, content)
    except ValueError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if not table:
        result.errors.append(RowError(1, "", "Tệp trống: dòng 1 phải là tiêu đề cột."))
        return result

    header_number, header = table[0]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _BY_TITLE.get(fold(_cell_text(title)))
        if column is None:
            continue
        if column.field in positions:
            result.errors.append(RowError(header_number, column.title, "Cột bị lặp lại."))
        positions[column.field] = index
    for column in COLUMNS:
        if column.required and column.field not in positions:
            result.errors.append(RowError(header_number, column.title, "Thiếu cột bắt buộc."))
    if result.errors:
        return result

    data_rows = [(n, cells) for n, cells in table[1:] if any(_cell_text(c) for c in cells)]
    if not data_rows:
        result.errors.append(RowError(header_number + 1, "", "Tệp không có dòng dữ liệu nào."))
        return result
    if len(data_rows) > MAX_ROWS:
        result.errors.append(
            RowError(0, "", f"Tệp có {len(data_rows)} dòng, vượt quá giới hạn {MAX_ROWS} dòng.")
        )
        return result

    seen_abbreviations: dict[str, int] = {}
    for number, cells in data_rows:
        values, row_errors = {}, []
        for column in COLUMNS:
            index = positions.get(column.field)
            raw = cells[index] if index is not None and index < len(cells) else None
            if column.is_date:
                if _cell_text(raw) == "":
                    value = None
                else:
                    try:
                        value = _cell_date(raw)
                    except ValueError:
                        row_errors.append(
                            RowError(number, column.title, f"“{_cell_text(raw)}” không phải ngày dd/mm/yyyy.")
                        )
                        continue
            else:
                value = _cell_text(raw)
                if len(value) > column.max_length:
                    row_errors.append(RowError(number, column.title, f"Dài quá {column.max_length} ký tự."))
                    continue
            if column.required and value in (None, ""):
                row_errors.append(RowError(number, column.title, "Không được để trống."))
                continue
            values[column.field] = value
        if not row_errors:
            if values["valid_to"] is not None and values["valid_to"] < values["valid_from"]:
                row_errors.append(RowError(number, "Hiệu lực đến", "Ngày hết hiệu lực trước ngày bắt đầu."))
            key = fold(values["abbreviation"])
            if values["valid_to"] is None and key in seen_abbreviations:
                row_errors.append(
                    RowError(number, "Ký hiệu", f"Trùng ký hiệu với dòng {seen_abbreviations[key]} của tệp.")
                )
            elif values["valid_to"] is None:
                seen_abbreviations[key] = number
        result.errors.extend(row_errors)
        if not row_errors:
            result.rows.append(ParsedRow(number, values))

    # One query for every abbreviation already used by an active unit of the province.
    active = Unit.objects.filter(Q(valid_to__isnull=True), province=province).values_list(
        "abbreviation", flat=True
    )
    taken = {fold(a) for a in active}
    for row in result.rows:
        if row.values["valid_to"] is None and fold(row.values["abbreviation"]) in taken:
            result.errors.append(
                RowError(
                    row.row,
                    "Ký hiệu",
                    f"Đã có đơn vị đang hoạt động dùng ký hiệu “{row.values['abbreviation']}”.",
                )
            )
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        result.rows = []
    return result
