"""The criteria table: editing, copying from last year, importing from .xlsx, and freezing."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from blocs.models import BlocYear
from scoring import services
from scoring.criteria_import import parse_criteria
from scoring.errors import ScoringError
from scoring.models import CriteriaGroup, Criterion
from tests.factories import fill_sheet, make_bloc_year, make_campaign

HEADER = [
    "Mã nhóm",
    "Tên nhóm",
    "Loại nhóm",
    "Giới hạn nhóm",
    "Mã tiêu chí",
    "Nội dung tiêu chí",
    "Điểm tối đa",
    "Hướng dẫn chấm",
]
GOOD = [
    ["I", "Chính trị, tư tưởng", "Tiêu chí chấm điểm", None, "1.1", "Quán triệt nghị quyết", 10, ""],
    ["I", "Chính trị, tư tưởng", "", None, "1.2", "Dân chủ cơ sở", "7,5", "Có biên bản"],
    ["II", "Điểm cộng", "Điểm cộng", 5, "2.1", "Mô hình mới", 3, ""],
    ["III", "Loại trừ", "tiêu chí loại trừ", None, "3.1", "Bị kỷ luật", None, ""],
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
def draft(world, private_media):
    return make_campaign(bloc_year=world["year_a"], specs=[])


def test_groups_and_items_are_added_with_their_rules(draft, secretary):
    group = services.criteria_group_save(
        actor=secretary, campaign=draft, code="I", title="Chuyên môn", kind=CriteriaGroup.Kind.SCORE, cap=None
    )
    services.criterion_save(actor=secretary, group=group, code="1.1", title="Chỉ tiêu", max_score=D("12.5"))
    with pytest.raises(ScoringError, match="Điểm tối đa phải lớn hơn 0"):
        services.criterion_save(actor=secretary, group=group, code="1.2", title="X", max_score=None)
    with pytest.raises(ScoringError, match=r"đã có tiêu chí mã “1\.1”"):
        services.criterion_save(actor=secretary, group=group, code="1.1", title="X", max_score=D(1))
    with pytest.raises(ScoringError, match="Chỉ nhóm điểm cộng hoặc điểm trừ mới có giới hạn"):
        services.criteria_group_save(
            actor=secretary, campaign=draft, code="II", title="X", kind="score", cap=D(5)
        )
    knockout = services.criteria_group_save(
        actor=secretary,
        campaign=draft,
        code="K",
        title="Loại trừ",
        kind=CriteriaGroup.Kind.KNOCKOUT,
        cap=None,
    )
    with pytest.raises(ScoringError, match="không có điểm"):
        services.criterion_save(actor=secretary, group=knockout, code="K.1", title="Kỷ luật", max_score=D(2))
    services.criterion_save(actor=secretary, group=knockout, code="K.1", title="Kỷ luật", max_score=None)
    assert list(Criterion.objects.order_by("group__position").values_list("code", "max_score")) == [
        ("1.1", D("12.5")),
        ("K.1", D("0")),
    ]


def test_the_table_freezes_at_the_first_submitted_sheet(scoring_campaign, sheets, secretary):
    group = scoring_campaign.groups.get(code="I")
    item = group.items.get(code="1.1")
    services.criterion_save(
        actor=secretary, group=group, criterion=item, code="1.1", title="Sửa", max_score=D(10)
    )
    fill_sheet(sheets[2], {"1.1": 10, "1.2": 5})
    scoring_campaign.refresh_from_db()
    assert scoring_campaign.criteria_frozen

    attempts = [
        lambda: services.criterion_save(
            actor=secretary, group=group, criterion=item, code="1.1", title="Y", max_score=D(20)
        ),
        lambda: services.criterion_save(
            actor=secretary, group=group, code="1.9", title="Mới", max_score=D(1)
        ),
        lambda: services.criterion_delete(actor=secretary, criterion=item),
        lambda: services.criteria_group_save(
            actor=secretary, campaign=scoring_campaign, code="Z", title="Z", kind="score", cap=None
        ),
        lambda: services.criteria_group_delete(actor=secretary, group=group),
        lambda: services.criteria_import(actor=secretary, campaign=scoring_campaign, specs=[]),
    ]
    for attempt in attempts:
        with pytest.raises(ScoringError, match="Bảng tiêu chí đã khóa"):
            attempt()
    item.refresh_from_db()
    assert (item.title, item.max_score) == ("Sửa", D(10))
    assert Criterion.objects.filter(group__campaign=scoring_campaign).count() == 7


def test_the_table_is_copied_from_the_previous_year(world, secretary, private_media):
    last_year = make_bloc_year(
        bloc=world["bloc_a"],
        year=2022,
        units=world["a_units"],
        head=world["a_units"][0],
        deputy=world["a_units"][1],
    )
    make_campaign(bloc_year=last_year)
    campaign = make_campaign(bloc_year=BlocYear.objects.get(bloc=world["bloc_a"], year=2023), specs=[])
    count = services.criteria_copy_previous(actor=secretary, campaign=campaign)
    assert count == 7
    copied = list(
        Criterion.objects.filter(group__campaign=campaign)
        .order_by("group__position", "position")
        .values_list("group__code", "code", "max_score")
    )
    original = list(
        Criterion.objects.filter(group__campaign__bloc_year=last_year)
        .order_by("group__position", "position")
        .values_list("group__code", "code", "max_score")
    )
    assert copied == original
    assert campaign.groups.get(code="II").cap == D(3)
    with pytest.raises(ScoringError, match="chỉ sao chép vào bảng trống"):
        services.criteria_copy_previous(actor=secretary, campaign=campaign)


def test_copying_without_a_previous_year_is_refused(draft, secretary):
    with pytest.raises(ScoringError, match="chưa có phong trào năm trước"):
        services.criteria_copy_previous(actor=secretary, campaign=draft)


def test_a_clean_file_is_read():
    result, specs = parse_criteria(file_name="bang.xlsx", content=xlsx(GOOD))
    assert result.errors == []
    assert [(s.code, s.kind, s.cap, [i[:3] for i in s.items]) for s in specs] == [
        ("I", "score", None, [("1.1", "Quán triệt nghị quyết", D(10)), ("1.2", "Dân chủ cơ sở", D("7.5"))]),
        ("II", "bonus", D(5), [("2.1", "Mô hình mới", D(3))]),
        ("III", "knockout", None, [("3.1", "Bị kỷ luật", D(0))]),
    ]


def test_bad_rows_are_reported_by_row_and_column():
    rows = [
        GOOD[0],
        ["I", "Tên khác", "", None, "1.2", "X", 5, ""],  # row 3: group title differs
        ["I", "Chính trị, tư tưởng", "", None, "1.1", "Trùng", 5, ""],  # row 4: duplicate code
        ["II", "Cộng", "Điểm cộng", 5, "2.1", "Y", "abc", ""],  # row 5: not a number
        ["III", "Khác", "Tiêu chí chấm điểm", 3, "3.1", "Z", 2, ""],  # row 6: cap on a scored group
        ["IV", "Loại trừ", "Loại trừ", None, "4.1", "K", 2, ""],  # row 7: knock-out with points
        ["V", "Mới", "Thưởng", None, "5.1", "Q", 1, ""],  # row 8: unknown kind
        ["VI", "Âm", "", None, "6.1", "R", -1, ""],  # row 9: negative maximum
    ]
    result, specs = parse_criteria(file_name="loi.xlsx", content=xlsx(rows))
    assert specs == []
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Tên nhóm"),
        (4, "Mã tiêu chí"),
        (5, "Điểm tối đa"),
        (6, "Giới hạn nhóm"),
        (7, "Điểm tối đa"),
        (8, "Loại nhóm"),
        (9, "Điểm tối đa"),
    ]


def test_the_import_page_previews_then_replaces_the_table(client, scoring_campaign, secretary):
    client.force_login(secretary)
    url = reverse("scoring:criteria_import", args=[scoring_campaign.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bang.xlsx", xlsx(GOOD))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp hợp lệ: 3 nhóm, 4 tiêu chí." in page
    assert "sẽ được <strong>thay thế</strong>" in page
    assert Criterion.objects.filter(group__campaign=scoring_campaign).count() == 7  # nothing yet

    response = client.post(
        reverse("scoring:criteria_import_apply", args=[scoring_campaign.pk]),
        {"payload": response.context["payload"]},
    )
    assert response.status_code == 302
    assert sorted(
        Criterion.objects.filter(group__campaign=scoring_campaign).values_list("code", flat=True)
    ) == [
        "1.1",
        "1.2",
        "2.1",
        "3.1",
    ]


def test_a_bad_file_imports_nothing(client, scoring_campaign, secretary):
    client.force_login(secretary)
    url = reverse("scoring:criteria_import", args=[scoring_campaign.pk])
    response = client.post(
        url,
        {"file": SimpleUploadedFile("loi.xlsx", xlsx([GOOD[0], ["I", "Khác", "", None, "1.2", "X", 5, ""]]))},
    )
    assert response.status_code == 400
    assert "Tệp có 1 lỗi; chưa nhập gì." in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", b"x")})
    assert "Chỉ nhận tệp .xlsx." in response.content.decode()
    tampered = client.post(
        reverse("scoring:criteria_import_apply", args=[scoring_campaign.pk]), {"payload": "abc"}
    )
    assert tampered.status_code == 302
    assert Criterion.objects.filter(group__campaign=scoring_campaign).count() == 7
