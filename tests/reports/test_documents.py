"""Official documents read back from their PDFs and .docx files, checked against the database."""

import datetime
import io
from decimal import Decimal as D

import pdfplumber
import pytest
from django.urls import reverse
from docx import Document as WordDocument
from pypdf import PdfReader

from reports import rendering, services, snapshots
from reports.models import Document, Narrative
from scoring.models import CriteriaGroup, ScoreLine, VoteRound
from scoring.selectors import campaign_summary
from scoring.services import GroupSpec, format_score
from tests.factories import make_bloc, make_bloc_year, make_province, make_unit, make_user, voted_campaign

MM = 72 / 25.4
DAY = datetime.date(2023, 12, 28)


def issue(campaign, kind, actor=None, day=DAY, vote_round=None):
    return services.document_issue(
        actor=actor, campaign=campaign, kind=kind, issued_on=day, vote_round=vote_round
    )


def pdf_bytes(document: Document) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_report_shows_the_databases_figures(campaign, world, secretary):
    document = issue(campaign, "report", secretary)
    text = squash(text_of(pdf_bytes(document)))
    assert "Số: 01/BC-KTĐ" in text
    assert "Cần Thơ, ngày 28 tháng 12 năm 2023" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Tổng kết công tác thi đua năm 2023 và phương hướng, nhiệm vụ năm 2024" in text
    for unit in world["a_units"]:
        assert unit.name in text
    for row in campaign_summary(campaign).rows:
        assert (
            f"{row.unit.name} {format_score(row.self_totals.total)} {format_score(row.reviewed_totals.total)} {row.rank}"
            in text
        )
    assert "5/5 đơn vị đã phát động và triển khai tốt phong trào thi đua" in text
    assert "hoàn thành tốt nhiệm vụ" in text and "Tổ chức hội thảo chuyên đề" in text
    for nomination in campaign.nominations.select_related("unit", "award_type"):
        assert f"{nomination.award_type.name}: {nomination.unit.name}" in text
    assert f"TM. {world['bloc_a'].name.upper()}" in text and "KHỐI TRƯỞNG" in text
    assert "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "<svg" not in text  # the chart is drawn, not printed as text


def test_the_layout_follows_decree_30(campaign, secretary):
    content = pdf_bytes(issue(campaign, "report", secretary))
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert sorted((round(page.width / MM), round(page.height / MM))) == [210, 297]  # A4
        first, second = pdf.pages[0], pdf.pages[1]
        # Page numbers: none in the top margin of page 1, "2" centred in it on page 2.
        assert [c for c in first.chars if c["top"] < 20 * MM] == []
        top_of_second = "".join(c["text"] for c in second.chars if c["top"] < 20 * MM)
        assert top_of_second == "2"
        number = next(c for c in second.chars if c["top"] < 20 * MM)
        assert abs((number["x0"] + number["x1"]) / 2 - (30 * MM + (210 - 46) * MM / 2)) < 3 * MM
        # Margins measured from where the text stands, on every page (the annex is landscape): left 30–35 mm,
        # right 15–20 mm, top and bottom 20–25 mm.
        for page in pdf.pages:
            body = [c for c in page.chars if c["top"] >= 20 * MM]
            assert 30 * MM - 0.5 <= min(c["x0"] for c in body) <= 35 * MM
            assert page.width - max(c["x1"] for c in body) >= 15 * MM
            assert min(c["top"] for c in body) >= 20 * MM - 0.5
            assert page.height - max(c["bottom"] for c in body) >= 20 * MM - 0.5
        assert any(page.width > page.height for page in pdf.pages)  # the annex's score table
        # Every glyph comes from the chosen font, embedded: nothing falls back to another font.
        fonts = {c["fontname"].split("+", 1)[-1] for page in pdf.pages for c in page.chars}
        assert fonts <= {
            "Thidua-Serif",
            "Thidua-Serif-Bold",
            "Thidua-Serif-Italic",
            "Thidua-Serif-Bold-Italic",
        }
    reader = PdfReader(io.BytesIO(content))
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font[
                "/BaseFont"
            ]
            embedded.add(str(font["/BaseFont"]).split("+", 1)[-1])
    assert embedded <= {
        "Thidua-Serif",
        "Thidua-Serif-Bold",
        "Thidua-Serif-Italic",
        "Thidua-Serif-Bold-Italic",
    }


def test_the_chosen_font_covers_vietnamese(settings):
    from fontTools.ttLib import TTFont

    font = TTFont(settings.PDF_FONT_DIR / "LiberationSerif-Regular.ttf")
    cmap = font.getBestCmap()
    for letter in "ĂÂĐÊÔƠƯăâđêôơưạấầẩẫậắằẳẵặẹếềểễệỉịọốồổỗộớờởỡợụứừửữựỳỵỷỹ":
        assert ord(letter) in cmap, letter


@pytest.mark.parametrize("kind", ["minutes", "count_minutes", "request", "score_table"])
def test_the_other_documents(campaign, secretary, kind, world):
    vote_round = VoteRound.objects.get(conference__campaign=campaign) if kind == "count_minutes" else None
    document = issue(campaign, kind, secretary, vote_round=vote_round)
    text = squash(text_of(pdf_bytes(document)))
    code = snapshots.TYPE_CODES[kind]
    assert f"Số: 01/{code}-KTĐ" in text
    if kind in ("minutes", "count_minutes"):
        assert "THƯ KÝ" in text and "CHỦ TỌA" in text
        assert "Cần Thơ, ngày" not in text  # minutes carry no date line in the header
        assert "5/5" in text
    if kind == "minutes":
        assert "Hội trường" in text and "Vào lúc 08 giờ 00, ngày 28 tháng 12 năm 2023" in text
    if kind == "count_minutes":
        assert "số phiếu phát ra: 5; số phiếu thu về: 5" in text.lower()
        assert f"{world['a_units'][0].name} 1 15 5/5 100,0% Trúng" in text
    if kind == "request":
        assert "Kính gửi: Hội đồng Thi đua – Khen thưởng thành phố Cần Thơ" in text
        assert "TỜ TRÌNH" in text
    if kind == "score_table":
        with pdfplumber.open(io.BytesIO(pdf_bytes(document))) as pdf:
            assert (round(pdf.pages[0].width / MM), round(pdf.pages[0].height / MM)) == (297, 210)


def test_a_long_score_table_repeats_its_header_on_every_page(db, private_media):
    province = make_province(name="Hải Phòng", code="HP")
    units = [
        make_unit(province=province, name=f"Sở thứ {i:02d} của thành phố Hải Phòng") for i in range(1, 13)
    ]
    bloc = make_bloc(province=province, units=units, name="Khối thi đua các sở, ngành số 3")
    bloc_year = make_bloc_year(bloc=bloc, year=2025, units=units, head=units[0], deputy=units[1])
    groups = []
    for g in range(1, 9):
        items = [(f"S{g}.{i}", f"Tiêu chí {g}.{i}", D("2.5"), "") for i in range(1, 6)]
        groups.append(GroupSpec(f"G{g}", f"Nhóm {g}", CriteriaGroup.Kind.SCORE, None, items))
    groups.append(
        GroupSpec("K", "Loại trừ", CriteriaGroup.Kind.KNOCKOUT, None, [("4.1", "Kỷ luật", D(0), "")])
    )
    head = make_user(role="secretary", unit=units[0])
    deputy = make_user(role="secretary", unit=units[1])
    scores = [
        {f"S{g}.{i}": D("2.5") - D("0.25") * ((u + g + i) % 3) for g in range(1, 9) for i in range(1, 6)}
        for u in range(12)
    ]
    campaign = voted_campaign(bloc_year, [head, deputy], scores, criteria=groups)
    assert (
        ScoreLine.objects.filter(sheet__campaign=campaign, criterion__group__kind="score").count() == 12 * 40
    )

    document = issue(campaign, "score_table", head, day=datetime.date(2025, 12, 20))
    with pdfplumber.open(io.BytesIO(pdf_bytes(document))) as pdf:
        pages_with_rows = [p for p in pdf.pages if "Sở thứ" in (p.extract_text() or "")]
        assert len(pages_with_rows) >= 2
        for page in pages_with_rows:
            text = page.extract_text()
            # The header rows, as they wrap inside their cells.
            assert "TT Đơn vị G1 (12,5)" in text and "Tổng điểm Xếp" in text and "Tự Thẩm" in text
    text = squash(text_of(pdf_bytes(document)))
    for unit in units:
        assert unit.name in text


def test_the_docx_holds_the_same_figures(campaign, secretary, world):
    document = issue(campaign, "report", secretary)
    response_content = rendering_docx(document)
    word = WordDocument(io.BytesIO(response_content))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Số: 01/BC-KTĐ" in " ".join(cells)
    assert "Cần Thơ, ngày 28 tháng 12 năm 2023" in " ".join(cells)
    assert "Tổng kết công tác thi đua năm 2023 và phương hướng, nhiệm vụ năm 2024" in paragraphs
    for row in campaign_summary(campaign).rows:
        assert row.unit.name in cells
        assert format_score(row.reviewed_totals.total) in cells
    assert "hoàn thành tốt" in paragraphs
    bold = [run.text for p in word.paragraphs for run in p.runs if run.bold]
    assert "hoàn thành tốt" in bold
    section = word.sections[0]
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (
        30,
        15,
        20,
    )
    assert word.paragraphs[0].runs == [] or word.paragraphs[0].runs[0].font.name == "Times New Roman"


def rendering_docx(document):
    from reports.docx import build_docx

    return build_docx(document.snapshot)


def test_an_issued_pdf_never_changes(client, campaign, secretary, world):
    document = issue(campaign, "report", secretary)
    original = pdf_bytes(document)
    assert rendering.sha256(original) == document.sha256

    # The data changes afterwards: a unit is renamed, a score is changed by hand, the narrative is rewritten.
    unit = world["a_units"][0]
    unit.name = "Tên mới hoàn toàn khác"
    unit.save()
    ScoreLine.objects.filter(sheet__campaign=campaign).update(reviewed_score=D("1"))
    services.narrative_save(actor=secretary, campaign=campaign, sections={"strengths": "Nội dung khác hẳn"})

    client.force_login(secretary)
    response = client.get(reverse("reports:document_pdf", args=[document.pk]))
    assert response.content == original
    assert "Tên mới hoàn toàn khác" not in text_of(response.content)
    # A draft made now shows the new data; issuing again makes a new version with the next number.
    second = issue(campaign, "report", secretary)
    assert (second.number, second.version, second.supersedes) == (2, 2, document)
    assert "Tên mới hoàn toàn khác" in text_of(pdf_bytes(second))
    assert pdf_bytes(document) == original


def test_numbers_follow_each_series(campaign, secretary, world, deputy_secretary):
    report = issue(campaign, "report", secretary)
    minutes = issue(campaign, "minutes", secretary)
    count = issue(
        campaign, "count_minutes", secretary, vote_round=VoteRound.objects.get(conference__campaign=campaign)
    )
    next_year = issue(campaign, "minutes", secretary, day=datetime.date(2024, 1, 5))
    assert (report.number, minutes.number, count.number, next_year.number) == (1, 1, 2, 1)
    assert next_year.snapshot["place_date"] == ""  # minutes
    assert next_year.number_label == "Số: 01/BB-KTĐ" + world["bloc_a"].issuer_code[3:]


def test_a_document_that_is_not_ready_takes_no_number(world, private_media, secretary):
    from tests.factories import make_campaign

    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    with pytest.raises(services.ReportError, match="hội nghị tổng kết"):
        issue(campaign, "minutes", secretary)
    assert not Document.objects.exists()


def test_narrative_versions_and_adoption(campaign, secretary, focal_person):
    first = campaign.narratives.get()
    second = services.narrative_save(actor=secretary, campaign=campaign, sections={"lessons": "Bài học mới"})
    assert (second.number, second.strengths) == (2, first.strengths)
    assert (
        services.narrative_save(actor=secretary, campaign=campaign, sections={"lessons": "Bài học mới"})
        == second
    )
    with pytest.raises(services.ReportError, match="dài quá"):
        services.narrative_save(actor=secretary, campaign=campaign, sections={"lessons": "x" * 50_001})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.narrative_save(actor=focal_person, campaign=campaign, sections={"lessons": "y"})
    services.narrative_adopt(actor=secretary, narrative=first)
    services.narrative_adopt(actor=secretary, narrative=second)
    assert list(Narrative.objects.filter(adopted=True)) == [second]
    # The report uses the adopted version.
    document = issue(campaign, "report", secretary)
    assert document.narrative == second
    assert "Bài học mới" in text_of(pdf_bytes(document))


def test_hostile_narrative_is_stripped(campaign, secretary, client):
    services.narrative_save(
        actor=secretary,
        campaign=campaign,
        sections={
            "strengths": '<script>alert(1)</script><img src=x onerror=alert(2)><b>Đậm</b> <a href="javascript:x">liên kết</a>'
        },
    )
    client.force_login(secretary)
    page = client.get(reverse("reports:document_preview", args=[campaign.pk, "report"])).content.decode()
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    assert "<strong>Đậm</strong>" in page and "liên kết" in page


def test_vn_dates():
    assert snapshots.vn_date(datetime.date(2023, 1, 5)) == "ngày 05 tháng 01 năm 2023"
    assert snapshots.vn_date(datetime.date(2022, 12, 28)) == "ngày 28 tháng 12 năm 2022"
    assert snapshots.vn_date(datetime.date(2024, 3, 9)) == "ngày 09 tháng 3 năm 2024"
    assert snapshots.number_label(5, "BC", "KTĐ1") == "Số: 05/BC-KTĐ1"
    assert snapshots.number_label(123, "TTr", "CTĐ2") == "Số: 123/TTr-CTĐ2"
