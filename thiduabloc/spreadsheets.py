"""Reading a table from an .xlsx or .csv file, with every error located by row and column.

The first row holds the column titles, matched ignoring diacritics and case. Rows are numbered as the spreadsheet
numbers them, so "dòng 7" is the seventh line the user sees. Importers describe their columns, get typed values
or errors back, then add their own checks.

A column's ``title`` is the header in the source language, a constant. A ``translatable`` column (its title
marked with ``gettext_noop`` so that it is extracted) shows its translation as ``label`` and also accepts it as
the header; any other column shows and accepts its title only (the file format stays Vietnamese). Errors carry
the label, and messages in the active language.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from thiduabloc.text import fold

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    required: bool = False
    max_length: int = 255
    kind: str = "text"  # text, date, decimal, choice, bool
    choices: dict[str, str] | None = None  # folded label -> value, for kind="choice"
    translatable: bool = False

    @property
    def label(self) -> str:
        """The title as shown to the user: in the active language when the column is translatable."""
        title = str(self.title)
        return _(title) if self.translatable and title else title

    @property
    def choice_labels(self) -> str:
        return ", ".join(f"“{label}”" for label in (self.choices or {}).values())


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_text(self) -> str:
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.row and self.column:
            return _("dòng %(row)s, cột “%(column)s”: %(message)s") % values
        if self.row:
            return _("dòng %(row)s: %(message)s") % values
        if self.column:
            return _("tệp, cột “%(column)s”: %(message)s") % values
        return _("tệp: %(message)s") % values


@dataclass(frozen=True)
class ParsedRow:
    row: int
    values: dict


@dataclass
class TableResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def fail(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def finish(self) -> "TableResult":
        """Sort the errors; a table with any error yields no rows, so nothing half-valid is ever used."""
        self.errors.sort(key=lambda e: e.row)
        if self.errors:
            self.rows = []
        return self


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


def read_table(file_name: str, content: bytes, *, allow_csv: bool = True) -> list[tuple[int, list]]:
    """Rows of the first sheet as (row number, cells). Raises ValueError with a message for the user."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        try:
            return _read_xlsx(content)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
            raise ValueError(
                _("Không đọc được tệp .xlsx (tệp hỏng hoặc không phải bảng tính Excel).")
            ) from None
    if allow_csv and name.endswith(".csv"):
        try:
            return _read_csv(content)
        except UnicodeDecodeError:
            raise ValueError(_("Tệp .csv phải được lưu với bảng mã UTF-8.")) from None
        except csv.Error as exc:
            raise ValueError(_("Không đọc được tệp .csv: %(error)s.") % {"error": exc}) from None
    raise ValueError(_("Chỉ nhận tệp .xlsx hoặc .csv.") if allow_csv else _("Chỉ nhận tệp .xlsx."))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def cell_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” không phải ngày dd/mm/yyyy.") % {"text": text})


def cell_decimal(value) -> Decimal:
    """A number as Vietnamese offices write it ("2,5" or "2.5"); floats from Excel go through their text."""
    if isinstance(value, bool):
        raise ValueError(_("“%(text)s” không phải số.") % {"text": value})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = cell_text(value).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(text)s” không phải số.") % {"text": cell_text(value)}) from None
    if not number.is_finite():
        raise ValueError(_("“%(text)s” không phải số.") % {"text": cell_text(value)})
    return number


def _convert(column: Column, raw):
    if column.kind == "text":
        value = cell_text(raw)
        if len(value) > column.max_length:
            raise ValueError(_("Dài quá %(max_length)s ký tự.") % {"max_length": column.max_length})
        return value
    if cell_text(raw) == "":
        return None
    if column.kind == "date":
        return cell_date(raw)
    if column.kind == "decimal":
        return cell_decimal(raw)
    if column.kind == "bool":
        folded = fold(cell_text(raw))
        if folded in {"x", "co", "1", "yes", "true", "dung"}:
            return True
        if folded in {"khong", "0", "no", "false", "sai"}:
            return False
        raise ValueError(
            _("“%(text)s”: ghi “x” hoặc “có” nếu đúng, để trống nếu không.") % {"text": cell_text(raw)}
        )
    if column.kind == "choice":
        try:
            return column.choices[fold(cell_text(raw))]
        except KeyError:
            raise ValueError(
                _("“%(text)s” không hợp lệ; chọn một trong: %(choices)s.")
                % {"text": cell_text(raw), "choices": column.choice_labels}
            ) from None
    raise AssertionError(column.kind)


def parse_table(
    *, file_name: str, content: bytes, columns: list[Column], allow_csv: bool = True
) -> TableResult:
    """Typed values for every data row, or the errors of the file (missing columns, empty or bad cells)."""
    result = TableResult()
    try:
        table = read_table(file_name, content, allow_csv=allow_csv)
    except ValueError as exc:
        result.fail(0, "", str(exc))
        return result
    if not table:
        result.fail(1, "", _("Tệp trống: dòng 1 phải là tiêu đề cột."))
        return result

    # A header may carry the title (the source text) or its translation in the active language.
    by_title = {fold(str(c.title)): c for c in columns}
    for c in columns:
        by_title.setdefault(fold(c.label), c)
    header_number, header = table[0]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = by_title.get(fold(cell_text(title)))
        if column is None:
            continue
        if column.field in positions:
            result.fail(header_number, column.label, _("Cột bị lặp lại."))
        positions[column.field] = index
    for column in columns:
        if column.required and column.field not in positions:
            result.fail(header_number, column.label, _("Thiếu cột bắt buộc."))
    if result.errors:
        return result

    data_rows = [(n, cells) for n, cells in table[1:] if any(cell_text(c) for c in cells)]
    if not data_rows:
        result.fail(header_number + 1, "", _("Tệp không có dòng dữ liệu nào."))
        return result
    if len(data_rows) > MAX_ROWS:
        result.fail(
            0,
            "",
            _("Tệp có %(count)s dòng, vượt quá giới hạn %(limit)s dòng.")
            % {"count": len(data_rows), "limit": MAX_ROWS},
        )
        return result

    for number, cells in data_rows:
        values, ok = {}, True
        for column in columns:
            index = positions.get(column.field)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                value = _convert(column, raw)
            except ValueError as exc:
                result.fail(number, column.label, str(exc))
                ok = False
                continue
            if column.required and value in (None, ""):
                result.fail(number, column.label, _("Không được để trống."))
                ok = False
                continue
            values[column.field] = value
        if ok:
            result.rows.append(ParsedRow(number, values))
    return result
