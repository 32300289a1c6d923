"""Evidence uploads: the type comes from the content, the name must agree with it, and the kept name is safe."""

import contextlib
import io
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from PIL import Image

from scoring.evidence_files import (
    EVIDENCE_KINDS,
    MAX_EVIDENCE_BYTES,
    TYPE_MESSAGE,
    check_evidence,
    safe_file_name,
)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_KIND = EVIDENCE_KINDS["pdf"]
ALLOWED_NAME_CHARS_EXTRA = set("0123456789 -_.")

# ---------------------------------------------------------------------------------------------------------------
# Sample files, built for real.


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_members(**extra: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document><w:body><w:p><w:r><w:t>B\xc3\xa1o c\xc3\xa1o</w:t></w:r></w:p></w:body></w:document>",
        **extra,
    }


def docx_bytes() -> bytes:
    return zip_bytes(docx_members())


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Điểm tự chấm"
    workbook.active["B1"] = 95
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "ppt/presentation.xml": b"<p:presentation/>",
            "ppt/slides/slide1.xml": b"<p:sld/>",
        }
    )


def opendocument_bytes(mimetype: str) -> bytes:
    return zip_bytes(
        {
            "mimetype": mimetype.encode(),
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<manifest:manifest/>",
        },
        stored_first="mimetype",
    )


def ole_bytes() -> bytes:
    return OLE_SIGNATURE + b"\x00" * (4096 - len(OLE_SIGNATURE))


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_evidence(file)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# Accepted kinds.


@pytest.mark.parametrize(
    ("name", "content", "code", "content_type", "kept_name"),
    [
        ("Biên bản.pdf", pdf_bytes(), "pdf", "application/pdf", "Biên bản.pdf"),
        ("ảnh hội nghị.jpg", image_bytes("JPEG"), "jpeg", "image/jpeg", "ảnh hội nghị.jpg"),
        ("sơ đồ.png", image_bytes("PNG"), "png", "image/png", "sơ đồ.png"),
        (
            "Báo cáo.docx",
            docx_bytes(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Báo cáo.docx",
        ),
        (
            "Bảng điểm.xlsx",
            xlsx_bytes(),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Bảng điểm.xlsx",
        ),
        (
            "Trình chiếu.pptx",
            pptx_bytes(),
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "Trình chiếu.pptx",
        ),
        ("Công văn.doc", ole_bytes(), "doc", "application/msword", "Công văn.doc"),
        ("Số liệu.xls", ole_bytes(), "xls", "application/vnd.ms-excel", "Số liệu.xls"),
        (
            "Kế hoạch.odt",
            opendocument_bytes("application/vnd.oasis.opendocument.text"),
            "odt",
            "application/vnd.oasis.opendocument.text",
            "Kế hoạch.odt",
        ),
        (
            "Thống kê.ods",
            opendocument_bytes("application/vnd.oasis.opendocument.spreadsheet"),
            "ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            "Thống kê.ods",
        ),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_content(name, content, code, content_type, kept_name):
    kind, safe_name = check_evidence(upload(name, content))

    assert kind.code == code
    assert kind.content_type == content_type
    assert safe_name == kept_name


def test_every_kind_has_a_vietnamese_label_and_a_canonical_extension():
    assert set(EVIDENCE_KINDS) == {"pdf", "jpeg", "png", "docx", "xlsx", "pptx", "doc", "xls", "odt", "ods"}
    assert EVIDENCE_KINDS["pdf"].label == "Tài liệu PDF"
    assert EVIDENCE_KINDS["jpeg"].label == "Ảnh JPEG"
    assert EVIDENCE_KINDS["docx"].label == "Văn bản Word"
    for code, kind in EVIDENCE_KINDS.items():
        assert kind.code == code
        assert kind.extension.startswith(".") and kind.extension == kind.extension.lower()
        assert unicodedata.is_normalized("NFC", kind.label)


def test_the_browser_content_type_is_ignored():
    kind, _ = check_evidence(upload("sơ đồ.png", image_bytes("PNG"), content_type="text/html"))
    assert kind.code == "png"

    error = refusal(upload("hop-le.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"))
    assert error.code == "type"


def test_a_name_without_extension_gets_the_canonical_one():
    kind, safe_name = check_evidence(upload("bao-cao", pdf_bytes()))

    assert kind.code == "pdf"
    assert safe_name == "bao-cao.pdf"


def test_jpeg_extension_is_accepted_and_kept_as_jpg():
    _, safe_name = check_evidence(upload("Ảnh đoàn.JPEG", image_bytes("JPEG")))

    assert safe_name == "Ảnh đoàn.jpg"


def test_an_extension_naming_no_accepted_type_is_kept_before_the_real_one():
    kind, safe_name = check_evidence(upload("quet.tmp", pdf_bytes()))

    assert kind.code == "pdf"
    assert safe_name == "quet.tmp.pdf"


def test_upper_case_legacy_extension_is_accepted():
    kind, safe_name = check_evidence(upload("CONG VAN.DOC", ole_bytes()))

    assert kind.code == "doc"
    assert safe_name == "CONG VAN.doc"


def test_a_client_side_windows_path_keeps_only_the_file_name():
    file = File(io.BytesIO(pdf_bytes()), name="C:\\Users\\An\\Tài liệu\\Báo cáo.pdf")

    _, safe_name = check_evidence(file)

    assert safe_name == "Báo cáo.pdf"


# ---------------------------------------------------------------------------------------------------------------
# Refused content.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 512),
        ("bao-cao.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 512),
        ("trang.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        (
            "logo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("ghi-chu.txt", "Ghi chú về minh chứng".encode()),
        ("ngan.pdf", b"%PD"),
        ("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("trong.zip", b"PK\x05\x06" + b"\x00" * 18),
    ],
)
def test_content_of_another_type_is_refused(name, content):
    error = refusal(upload(name, content))

    assert error.code == "type"
    assert error.messages == [TYPE_MESSAGE]


def test_type_message_is_the_vietnamese_one():
    assert TYPE_MESSAGE == (
        "Chỉ nhận tệp PDF, ảnh (JPEG, PNG) hoặc văn bản Office (Word, Excel, PowerPoint, OpenDocument)."
    )


def test_a_plain_zip_is_refused():
    error = refusal(upload("tai-lieu.zip", zip_bytes({"bao-cao.txt": b"noi dung", "anh/1.png": b"x"})))

    assert error.code == "type"


def test_a_plain_zip_named_docx_is_refused():
    error = refusal(upload("bao-cao.docx", zip_bytes({"word/document.xml": b"<w:document/>"})))

    assert error.code == "type"


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" + b"garbage" * 50,
        docx_bytes()[: len(docx_bytes()) // 2],
    ],
    ids=["garbage", "truncated-docx"],
)
def test_a_corrupt_zip_is_refused(content):
    error = refusal(upload("bao-cao.docx", content))

    assert error.code == "type"
    assert error.messages == [TYPE_MESSAGE]


def test_a_nested_archive_is_refused():
    inner = zip_bytes({"a.zip": zip_bytes({"b.zip": zip_bytes({"c.txt": b"0" * 1000})})})

    error = refusal(upload("long-nhau.zip", zip_bytes({"inner.zip": inner})))

    assert error.code == "type"


def test_an_office_file_carrying_a_nested_archive_is_refused():
    inner = zip_bytes({"c.txt": b"0" * 1000})

    error = refusal(upload("bao-cao.docx", zip_bytes(docx_members(**{"word/embeddings/goi.zip": inner}))))

    assert error.code == "type"


def test_an_office_file_shaped_like_a_zip_bomb_is_refused():
    # 20 MiB of zeros deflates to about 20 KB: a ratio no real document part reaches.
    bomb = docx_members(**{"word/media/image1.xml": b"\x00" * (20 * 1024 * 1024)})
    content = zip_bytes(bomb)
    assert len(content) < 100_000

    error = refusal(upload("bao-cao.docx", content))

    assert error.code == "type"


def test_an_office_file_with_duplicate_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in docx_members().items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("word/document.xml", b"<w:document/>")

    error = refusal(upload("bao-cao.docx", buffer.getvalue()))

    assert error.code == "type"


def test_an_office_file_with_macros_is_refused():
    content = zip_bytes(docx_members(**{"word/vbaProject.bin": OLE_SIGNATURE + b"\x00" * 100}))

    error = refusal(upload("bao-cao.docx", content))

    assert error.code == "type"
    assert "macro" in error.messages[0]
    assert "“bao-cao.docx”" in error.messages[0]


def test_a_zip_claiming_two_office_formats_is_refused():
    content = zip_bytes(docx_members(**{"xl/workbook.xml": b"<workbook/>"}))

    error = refusal(upload("bao-cao.docx", content))

    assert error.code == "type"


@pytest.mark.parametrize(
    "mimetype",
    ["application/vnd.oasis.opendocument.presentation", "application/epub+zip", ""],
)
def test_an_opendocument_of_another_kind_is_refused(mimetype):
    error = refusal(upload("tai-lieu.odt", opendocument_bytes(mimetype)))

    assert error.code == "type"


@pytest.mark.parametrize("name", ["trinh-chieu.ppt", "thu.msg", "khong-duoi"])
def test_an_ole_file_without_doc_or_xls_extension_is_refused(name):
    error = refusal(upload(name, ole_bytes()))

    assert error.code == "type"
    assert f"“{name}”" in error.messages[0]
    assert ".doc hoặc .xls" in error.messages[0]


# ---------------------------------------------------------------------------------------------------------------
# Name and content that disagree.


def test_a_pdf_renamed_docx_is_a_mismatch():
    error = refusal(upload("bao-cao.docx", pdf_bytes()))

    assert error.code == "mismatch"
    assert error.messages == [
        "Tệp “bao-cao.docx” thực chất là Tài liệu PDF; hãy đổi đuôi tệp cho đúng (.pdf)."
    ]


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("bang-diem.xls", xlsx_bytes(), "Bảng tính Excel"),
        ("van-ban.pdf", docx_bytes(), "Văn bản Word"),
        ("anh.png", image_bytes("JPEG"), "Ảnh JPEG"),
        ("anh.jpg", image_bytes("PNG"), "Ảnh PNG"),
        (
            "ke-hoach.docx",
            opendocument_bytes("application/vnd.oasis.opendocument.text"),
            "Văn bản OpenDocument",
        ),
    ],
)
def test_content_and_extension_of_two_accepted_types_are_a_mismatch(name, content, label):
    error = refusal(upload(name, content))

    assert error.code == "mismatch"
    assert f"“{name}” thực chất là {label};" in error.messages[0]


def test_an_ole_file_named_pdf_is_a_mismatch():
    error = refusal(upload("bao-cao.pdf", ole_bytes()))

    assert error.code == "mismatch"
    assert error.messages[0].startswith(
        "Tệp “bao-cao.pdf” là tệp Office định dạng cũ (97–2003) hoặc tệp đã đặt mật khẩu, không phải Tài liệu PDF."
    )


def test_a_mismatch_message_shows_no_control_characters():
    error = refusal(upload("bao\x1b[31mcao.docx", pdf_bytes()))

    assert error.code == "mismatch"
    assert "\x1b" not in error.messages[0]


# ---------------------------------------------------------------------------------------------------------------
# Size.


def test_an_empty_file_is_refused():
    error = refusal(upload("bao-cao.pdf", b""))

    assert error.code == "empty"
    assert error.messages == ["Tệp rỗng."]


def test_a_file_one_byte_over_the_limit_is_refused():
    content = pdf_bytes() + b"\x00" * (MAX_EVIDENCE_BYTES + 1 - len(pdf_bytes()))

    error = refusal(upload("bao-cao.pdf", content))

    assert error.code == "too_large"
    assert error.messages == ["Tệp 10,1 MB lớn hơn giới hạn 10 MB."]


def test_a_file_exactly_at_the_limit_is_accepted():
    content = pdf_bytes() + b"\x00" * (MAX_EVIDENCE_BYTES - len(pdf_bytes()))

    kind, _ = check_evidence(upload("bao-cao.pdf", content))

    assert kind.code == "pdf"


def test_the_size_message_gives_the_real_size_with_a_decimal_comma():
    error = refusal(upload("ban-scan.pdf", pdf_bytes() + b"\x00" * 13_000_000))

    assert error.messages == ["Tệp 12,4 MB lớn hơn giới hạn 10 MB."]


class CountingBytesIO(io.BytesIO):
    def __init__(self, content: bytes):
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_oversized_file_is_not_read_at_all():
    stream = CountingBytesIO(b"%PDF-" + b"\x00" * 100)
    file = File(stream, name="bao-cao.pdf")
    file.size = MAX_EVIDENCE_BYTES + 1

    error = refusal(file)

    assert error.code == "too_large"
    assert stream.bytes_read == 0


def test_no_more_than_the_declared_size_is_read():
    content = docx_bytes()
    stream = CountingBytesIO(content + b"\x00" * 50_000)
    file = File(stream, name="bao-cao.docx")
    file.size = len(content)

    kind, _ = check_evidence(file)

    assert kind.code == "docx"
    assert stream.bytes_read <= len(content)


def test_a_pdf_is_judged_by_its_first_bytes_only():
    content = pdf_bytes() + b"\x00" * 100_000
    stream = CountingBytesIO(content)

    check_evidence(File(stream, name="bao-cao.pdf"))

    assert stream.bytes_read < 100


# ---------------------------------------------------------------------------------------------------------------
# File position.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", pdf_bytes()),
        ("bao-cao.docx", docx_bytes()),
        ("bao-cao.exe", b"MZ" + b"\x00" * 100),
        ("bao-cao.docx", pdf_bytes()),
        ("bao-cao.pdf", b""),
        ("bao-cao.zip", b"PK\x03\x04garbage"),
    ],
    ids=["accepted-pdf", "accepted-docx", "refused-type", "refused-mismatch", "refused-empty", "refused-zip"],
)
def test_the_file_is_left_at_position_zero(name, content):
    file = upload(name, content)
    file.read(3)  # a form or another check may already have read from it

    with contextlib.suppress(ValidationError):
        check_evidence(file)

    assert file.tell() == 0
    assert file.read() == content


def test_a_file_already_read_to_the_end_is_still_checked_from_the_start():
    file = upload("bao-cao.pdf", pdf_bytes())
    file.read()

    kind, _ = check_evidence(file)

    assert kind.code == "pdf"


# ---------------------------------------------------------------------------------------------------------------
# Safe names.


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc_passwd.pdf"),
        ("..\\..\\Windows\\win.ini", "Windows_win.ini.pdf"),
        ("a\\b", "a_b.pdf"),
        ("a/b", "a_b.pdf"),
        ("bao\x00cao\r\n.pdf", "bao_cao.pdf"),
        ("bao\tcao\x7f.pdf", "bao_cao.pdf"),
        ("\u202efdp.exe", "fdp.exe.pdf"),
        ('a"b;c<d>e:f*g?h|i', "a_b_c_d_e_f_g_h_i.pdf"),
        ("ten=gia tri; filename=x.exe", "ten_gia tri_ filename_x.exe.pdf"),
        ("...an.pdf", "an.pdf"),
        (". . bao-cao.pdf", "bao-cao.pdf"),
        (".pdf", "minh-chung.pdf"),
        ("", "minh-chung.pdf"),
        ("../", "minh-chung.pdf"),
        ("???.pdf", "minh-chung.pdf"),
        ("a   b---c__d..e", "a b-c_d.e.pdf"),
        ("Báo cáo.docx", "Báo cáo.pdf"),
        ("Báo cáo.PDF", "Báo cáo.pdf"),
        ("Báo cáo .pdf", "Báo cáo.pdf"),
        ("Biên\u00a0bản.pdf", "Biên bản.pdf"),
        ("报告.pdf", "minh-chung.pdf"),
        ("Đại hội 😀 2024.pdf", "Đại hội _ 2024.pdf"),
        ("CON.pdf", "minh-chung-CON.pdf"),
        ("nul.tar.pdf", "minh-chung-nul.tar.pdf"),
        ("com1 .pdf", "minh-chung-com1.pdf"),
    ],
)
def test_safe_file_name_replaces_unsafe_characters(name, expected):
    assert safe_file_name(name, PDF_KIND) == expected


def test_safe_file_name_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Hội Chữ thập đỏ.pdf")

    result = safe_file_name(decomposed, PDF_KIND)

    assert result == "Hội Chữ thập đỏ.pdf"
    assert unicodedata.is_normalized("NFC", result)


def test_safe_file_name_keeps_every_vietnamese_letter():
    letters = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"

    assert safe_file_name(letters, PDF_KIND) == letters + ".pdf"
    assert safe_file_name(letters.upper(), PDF_KIND) == letters.upper() + ".pdf"


def test_safe_file_name_uses_the_canonical_jpeg_extension():
    jpeg = EVIDENCE_KINDS["jpeg"]

    assert safe_file_name("anh.jpeg", jpeg) == "anh.jpg"
    assert safe_file_name("anh.JPG", jpeg) == "anh.jpg"
    assert safe_file_name("anh", jpeg) == "anh.jpg"


def test_safe_file_name_cuts_a_long_vietnamese_name_to_120_characters():
    name = "Báo cáo thành tích thi đua khen thưởng năm " * 8  # well over 300 characters
    assert len(name) > 300

    result = safe_file_name(name + ".docx", EVIDENCE_KINDS["docx"])

    assert 110 <= len(result) <= 120
    assert result.endswith(".docx")
    assert result.startswith("Báo cáo thành tích thi đua")
    assert not result.removesuffix(".docx").endswith((" ", "."))


def test_safe_file_name_cuts_a_300_character_name_exactly():
    name = "ệ" * 300

    result = safe_file_name(name + ".pdf", PDF_KIND)

    assert result == "ệ" * 116 + ".pdf"


def test_safe_file_name_cut_does_not_leave_a_trailing_space():
    name = "a" * 115 + " bcdef"

    result = safe_file_name(name, PDF_KIND)

    assert result == "a" * 115 + ".pdf"


@given(st.text(max_size=400))
def test_safe_file_name_is_always_safe(name):
    for kind in EVIDENCE_KINDS.values():
        result = safe_file_name(name, kind)
        stem = result.removesuffix(kind.extension)

        assert result.endswith(kind.extension)
        assert len(result) <= 120
        assert stem
        assert stem[0] not in " ._-" and stem[-1] not in " ._-"
        assert "/" not in result and "\\" not in result and '"' not in result
        assert all(ch.isalpha() or ch in ALLOWED_NAME_CHARS_EXTRA for ch in result)
        assert all(ord(ch) < 128 or unicodedata.category(ch).startswith("L") for ch in result)
        assert unicodedata.is_normalized("NFC", result)
        assert safe_file_name(result, kind) == result


def test_check_evidence_returns_the_safe_name():
    _, safe_name = check_evidence(upload("  ..Báo cáo: quý 1?.pdf", pdf_bytes()))

    assert safe_name == "Báo cáo_ quý 1.pdf"
