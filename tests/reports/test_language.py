"""Official documents stay Vietnamese whatever language the user reads the site in.

The web interface may be read in English, but a document (Decree 30 format) is a Vietnamese administrative
document: its snapshot, PDF and .docx must not follow the user's language. Labels that are translated for the
web (the report's section headings, choice displays) must come out in Vietnamese in the documents, while the
reasons a document cannot be made yet are shown in the user's language.

The tests read the project's English catalogue (locale/en) and first check it translates these strings.
"""

import datetime
import io

import pytest
from django.utils import translation
from docx import Document as WordDocument
from pypdf import PdfReader

from reports import services, snapshots
from reports.docx import build_docx
from reports.models import Narrative
from scoring.models import Campaign

DAY = datetime.date(2023, 12, 28)
TIE_BREAK = "Nhiều tiêu chí đạt điểm tối đa hơn, rồi tổng điểm trừ ít hơn"
NOT_READY = "Biên bản kiểm phiếu được lập khi vòng bỏ phiếu đã kết thúc."
# Strings the web shows translated and the documents must not.
TRANSLATED = [
    "Ưu điểm",
    "Hạn chế và nguyên nhân",
    "Bài học kinh nghiệm",
    "Khối trưởng",
    "Khối phó",
    "Thành viên",
    TIE_BREAK,
]


def in_english(text):
    with translation.override("en"):
        return translation.gettext(text)


@pytest.fixture
def english():
    """English active, with the project's English catalogue."""
    with translation.override("en"):
        # The web does read English: the tests would prove nothing otherwise.
        for text in [*TRANSLATED, NOT_READY]:
            assert in_english(text) != text, text
        assert str(dict(Narrative.SECTIONS)["strengths"]) == in_english("Ưu điểm")
        yield [in_english(text) for text in TRANSLATED]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_a_report_issued_in_english_is_vietnamese(campaign, secretary, english):
    document = services.document_issue(actor=secretary, campaign=campaign, kind="report", issued_on=DAY)

    sections = document.snapshot["narrative"]["sections"]
    assert sections["strengths"]["label"] == "Ưu điểm"
    assert sections["limitations"]["label"] == "Hạn chế và nguyên nhân"
    roles = {m["role_code"]: m["role"] for m in document.snapshot["members"]}
    assert roles == {"head": "Khối trưởng", "deputy": "Khối phó", "member": "Thành viên"}
    assert campaign.tie_break == Campaign.TieBreak.FULL_MARKS_THEN_DEDUCTION
    assert document.snapshot["summary"]["tie_break"] == TIE_BREAK
    assert document.snapshot["signature"]["post"] == "KHỐI TRƯỞNG"

    with document.pdf.open("rb") as handle:
        pdf = squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages))
    assert "Ưu điểm" in pdf and "KHỐI TRƯỞNG" in pdf
    assert "(Khối trưởng)" in pdf and "(Khối phó)" in pdf
    for english_text in english:
        assert english_text not in pdf

    word = WordDocument(io.BytesIO(build_docx(document.snapshot)))
    docx = "\n".join(p.text for p in word.paragraphs)
    docx += "\n" + "\n".join(cell.text for table in word.tables for row in table.rows for cell in row.cells)
    assert "Ưu điểm" in docx and "Hạn chế và nguyên nhân" in docx and "KHỐI TRƯỞNG" in docx
    for english_text in english:
        assert english_text not in docx


def test_a_draft_built_in_english_is_vietnamese(campaign, english):
    snapshot = snapshots.build(campaign, "report", issued_on=DAY)
    assert snapshot["narrative"]["sections"]["strengths"]["label"] == "Ưu điểm"
    assert snapshot["signature"]["post"] == "KHỐI TRƯỞNG"
    # Building a document leaves the user's language as it was.
    assert translation.get_language() == "en"
    assert str(dict(Narrative.SECTIONS)["strengths"]) == in_english("Ưu điểm")


def test_why_a_document_cannot_be_made_is_in_the_users_language(campaign, english):
    with pytest.raises(snapshots.NotReady) as refused:
        snapshots.build(campaign, "count_minutes", issued_on=DAY)
    assert str(refused.value) == in_english(NOT_READY)
