"""Importing units from .xlsx/.csv: preview, row-and-column errors, all or nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from blocs.errors import BlocError
from blocs.models import AuditEntry, Unit, UnitImport
from blocs.services import unit_import_apply, unit_import_upload
from tests.factories import make_province, make_unit, make_user

HEADER = [
    "Tên đầy đủ",
    "Tên ngắn",
    "Ký hiệu",
    "Cơ quan chủ quản",
    "Thủ trưởng",
    "Chức vụ",
    "Hiệu lực từ",
    "Hiệu lực đến",
]
GOOD_ROWS = [
    [
        "Hội Nông dân thành phố",
        "Hội Nông dân",
        "HND",
        "UBND thành phố Cần Thơ",
        "Lê Văn Ơn",
        "Chủ tịch",
        datetime.date(2005, 3, 1),
        None,
    ],
    [
        "Hội Liên hiệp Phụ nữ thành phố",
        "Hội LHPN",
        "HLHPN",
        "UBND thành phố Cần Thơ",
        "",
        "",
        "01/01/2008",
        "",
    ],
    ["Hội Cựu chiến binh thành phố", "Hội CCB", "CCB", "", "", "", "2010-07-15", "31/12/2030"],
]


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def province(db):
    return make_province(name="Cần Thơ", code="CT")


@pytest.fixture
def staff(db):
    return make_user(role="admin", username="quantri")


def test_a_clean_xlsx_is_previewed_then_imported(admin_client, province):
    upload = SimpleUploadedFile("don-vi.xlsx", xlsx(GOOD_ROWS))
    response = admin_client.post(
        reverse("admin:blocs_unit_import"), {"province": province.pk, "file": upload}
    )
    pending = UnitImport.objects.get()
    assert response["Location"] == reverse("admin:blocs_unit_import_preview", args=[pending.pk])
    assert Unit.objects.count() == 0  # nothing until confirmed

    preview = admin_client.get(response["Location"]).content.decode()
    assert "3</strong> đơn vị sẽ được thêm" in preview
    assert "Hội Liên hiệp Phụ nữ thành phố" in preview

    admin_client.post(response["Location"])
    units = {u.abbreviation: u for u in Unit.objects.all()}
    assert set(units) == {"HND", "HLHPN", "CCB"}
    assert units["HND"].valid_from == datetime.date(2005, 3, 1)
    assert units["HND"].head_name == "Lê Văn Ơn"
    assert units["HLHPN"].valid_from == datetime.date(2008, 1, 1)
    assert units["CCB"].valid_to == datetime.date(2030, 12, 31)
    assert list(Unit.objects.search("phu nu")) == [units["HLHPN"]]
    assert AuditEntry.objects.filter(action="unit_import.apply", data__created=3).exists()


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_kept(admin_client, province):
    make_unit(province=province, abbreviation="CCB")  # already used by an active unit
    rows = [
        GOOD_ROWS[0],
        ["", "Thiếu tên", "X1", "", "", "", "01/01/2010", ""],  # row 3
        ["Hội A", "Hội A", "X2", "", "", "", "31/02/2010", ""],  # row 4
        ["Hội B", "Hội B", "HND", "", "", "", "01/01/2010", ""],  # row 5: same as row 2
        ["Hội Cựu chiến binh thành phố", "Hội CCB", "CCB", "", "", "", "2010-07-15", ""],  # row 6: CCB taken
        ["Hội C", "Hội C", "X3", "", "", "", "01/01/2010", "01/01/2009"],  # row 7
        ["Hội D" * 100, "Hội D", "X4", "", "", "", "01/01/2010", ""],  # row 8
    ]
    response = admin_client.post(
        reverse("admin:blocs_unit_import"),
        {"province": province.pk, "file": SimpleUploadedFile("loi.xlsx", xlsx(rows))},
    )
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [
        (3, "Tên đầy đủ"),
        (4, "Hiệu lực từ"),
        (5, "Ký hiệu"),
        (6, "Ký hiệu"),
        (7, "Hiệu lực đến"),
        (8, "Tên đầy đủ"),
    ]
    page = response.content.decode()
    assert "Tệp có 6 lỗi. Không đơn vị nào được nhập" in page
    assert "“31/02/2010” không phải ngày dd/mm/yyyy." in page
    assert "Trùng ký hiệu với dòng 2 của tệp." in page
    assert Unit.objects.count() == 1
    assert not UnitImport.objects.exists()


def test_a_missing_column_is_reported_on_row_1(province, staff):
    pending, result = unit_import_upload(
        actor=staff,
        province=province,
        file_name="x.xlsx",
        content=xlsx([["A", "B"]], header=["Tên đầy đủ", "Tên ngắn"]),
    )
    assert pending is None
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (1, "Ký hiệu", "Thiếu cột bắt buộc."),
        (1, "Hiệu lực từ", "Thiếu cột bắt buộc."),
    ]


def test_a_semicolon_csv_with_unaccented_headers_is_read(province, staff):
    content = (
        "ten day du;ten ngan;KY HIEU;hieu luc tu\nHội Người cao tuổi thành phố;Hội NCT;NCT;01/01/2001\n;;;\n"
    ).encode("utf-8-sig")
    pending, result = unit_import_upload(actor=staff, province=province, file_name="a.CSV", content=content)
    assert result.errors == []
    assert unit_import_apply(actor=staff, unit_import=pending) == 1
    assert Unit.objects.get().name == "Hội Người cao tuổi thành phố"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", b"not a zip", "Không đọc được tệp .xlsx"),
        ("a.csv", "Tên đơn vị\n".encode("cp1252", errors="replace") + b"\xff\xfe", "UTF-8"),
        ("a.pdf", b"%PDF", "Chỉ nhận tệp .xlsx hoặc .csv."),
        ("a.csv", b"", "Tệp trống"),
        ("a.csv", "Tên đầy đủ,Tên ngắn,Ký hiệu,Hiệu lực từ\n".encode(), "không có dòng dữ liệu"),
    ],
)
def test_unreadable_files_get_a_clear_message(province, staff, name, content, message):
    pending, result = unit_import_upload(actor=staff, province=province, file_name=name, content=content)
    assert pending is None
    assert message in result.errors[0].message


def test_the_form_refuses_other_types_and_big_files(admin_client, province):
    response = admin_client.post(
        reverse("admin:blocs_unit_import"),
        {"province": province.pk, "file": SimpleUploadedFile("a.docx", b"x")},
    )
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in response.content.decode()
    big = SimpleUploadedFile("a.csv", b"x" * (5 * 1024 * 1024 + 1))
    response = admin_client.post(reverse("admin:blocs_unit_import"), {"province": province.pk, "file": big})
    assert "Tệp lớn hơn 5 MB." in response.content.decode()
    assert not UnitImport.objects.exists()


def test_confirming_twice_imports_once(province, staff):
    pending, _ = unit_import_upload(
        actor=staff, province=province, file_name="a.xlsx", content=xlsx(GOOD_ROWS)
    )
    assert unit_import_apply(actor=staff, unit_import=pending) == 3
    with pytest.raises(BlocError, match="đã được nhập"):
        unit_import_apply(actor=staff, unit_import=pending)
    assert Unit.objects.count() == 3


def test_a_conflict_arising_after_the_preview_imports_nothing(province, staff):
    pending, _ = unit_import_upload(
        actor=staff, province=province, file_name="a.xlsx", content=xlsx(GOOD_ROWS)
    )
    make_unit(province=province, abbreviation="HLHPN")
    with pytest.raises(BlocError, match="dòng 3"):
        unit_import_apply(actor=staff, unit_import=pending)
    assert Unit.objects.count() == 1
    pending.refresh_from_db()
    assert pending.status == UnitImport.Status.PENDING


def test_only_staff_reach_the_import(client, province):
    focal = make_user(role="reviewer", username="viewer")
    client.force_login(focal)
    response = client.get(reverse("admin:blocs_unit_import"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
