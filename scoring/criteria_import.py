"""Reading a criteria table from an .xlsx file: one row per criterion, its group repeated on every row."""

from decimal import Decimal

from django.utils.translation import gettext as _

from scoring.models import CriteriaGroup
from scoring.services import GroupSpec
from thiduabloc.spreadsheets import Column, TableResult, parse_table
from thiduabloc.text import fold

KIND_CHOICES = {fold(str(label)): value for value, label in CriteriaGroup.Kind.choices} | {
    "cham diem": CriteriaGroup.Kind.SCORE,
    "cong": CriteriaGroup.Kind.BONUS,
    "tru": CriteriaGroup.Kind.DEDUCTION,
    "loai tru": CriteriaGroup.Kind.KNOCKOUT,
}

# The column titles are the file format: the first row of the file is matched against them (ignoring diacritics
# and case) whatever the language of the interface, so they stay in Vietnamese and are not translated.
COLUMNS = [
    Column("group_code", "Mã nhóm", required=True, max_length=10),
    Column("group_title", "Tên nhóm", required=True, max_length=255),
    Column("kind", "Loại nhóm", kind="choice", choices=KIND_CHOICES),
    Column("cap", "Giới hạn nhóm", kind="decimal"),
    Column("code", "Mã tiêu chí", required=True, max_length=12),
    Column("title", "Nội dung tiêu chí", required=True, max_length=500),
    Column("max_score", "Điểm tối đa", kind="decimal"),
    Column("guidance", "Hướng dẫn chấm", max_length=2000),
]
MAX_BYTES = 2 * 1024 * 1024


def _two_places(value: Decimal) -> bool:
    # The size first: quantizing 1e30 to cents would exceed the decimal context's precision.
    return abs(value) < Decimal("100000") and value == value.quantize(Decimal("0.01"))


def parse_criteria(*, file_name: str, content: bytes) -> tuple[TableResult, list[GroupSpec]]:
    """Check every row; return the result (rows or errors) and, when clean, the groups to create in order."""
    result = parse_table(file_name=file_name, content=content, columns=COLUMNS, allow_csv=False)
    groups: dict[str, dict] = {}
    for row in result.rows:
        v = row.values
        kind = v["kind"] or CriteriaGroup.Kind.SCORE
        key = fold(v["group_code"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "code": v["group_code"],
                "title": v["group_title"],
                "kind": kind,
                "cap": v["cap"],
                "row": row.row,
                "items": [],
                "codes": {},
            }
        else:
            for field, title, value in (
                ("title", "Tên nhóm", v["group_title"]),
                ("kind", "Loại nhóm", kind),
                ("cap", "Giới hạn nhóm", v["cap"]),
            ):
                if value not in (None, "") and value != group[field]:
                    result.fail(
                        row.row,
                        title,
                        _("Khác với dòng %(row)s của cùng nhóm %(group)s.")
                        % {"row": group["row"], "group": group["code"]},
                    )
        if group["row"] == row.row and v["cap"] is not None:
            if kind not in (CriteriaGroup.Kind.BONUS, CriteriaGroup.Kind.DEDUCTION):
                result.fail(row.row, "Giới hạn nhóm", _("Chỉ nhóm điểm cộng hoặc điểm trừ mới có giới hạn."))
            elif v["cap"] <= 0 or not _two_places(v["cap"]):
                result.fail(row.row, "Giới hạn nhóm", _("Phải lớn hơn 0, tối đa hai chữ số thập phân."))
        max_score = v["max_score"]
        if kind == CriteriaGroup.Kind.KNOCKOUT:
            if max_score not in (None, Decimal("0")):
                result.fail(row.row, "Điểm tối đa", _("Tiêu chí loại trừ không có điểm; để trống."))
            max_score = Decimal("0")
        elif max_score is None:
            result.fail(row.row, "Điểm tối đa", _("Không được để trống."))
        elif max_score <= 0 or not _two_places(max_score):
            result.fail(row.row, "Điểm tối đa", _("Phải lớn hơn 0, tối đa hai chữ số thập phân."))
        code_key = fold(v["code"])
        if code_key in group["codes"]:
            result.fail(
                row.row,
                "Mã tiêu chí",
                _("Trùng với dòng %(row)s trong nhóm %(group)s.")
                % {"row": group["codes"][code_key], "group": group["code"]},
            )
        group["codes"][code_key] = row.row
        group["items"].append((v["code"], v["title"], max_score or Decimal("0"), v["guidance"]))
    result.finish()
    if result.errors:
        return result, []
    specs = [GroupSpec(g["code"], g["title"], g["kind"], g["cap"], g["items"]) for g in groups.values()]
    return result, specs
