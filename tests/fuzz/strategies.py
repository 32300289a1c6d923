"""Hypothesis strategies for bad input: what a careless user, a broken client or an attacker may send.

Every value is a string (or, for files, an uploaded file), as it arrives in ``request.POST``/``request.GET``.
"""

import datetime
import io
import unicodedata
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

# A field left out of the request altogether (as a browser does with an unticked box).
MISSING = object()

VIETNAMESE = "Hội Chữ thập đỏ thành phố – Khối thi đua số 1, Đảng ủy Khối; ưu tiên ưng ý ỡm ờ"

# Hypothesis tries the first entries of a list first: the most dangerous values lead.
SPECIAL_TEXT = [
    "a\x00b",
    "\x00",
    "",
    " ",
    "\x00\x00\x00",
    "\t\r\n\x0b\x0c",
    "\x07\x1b[31m\x7f\x85",
    "\u200f\u202e\u2066abc\u2069",  # RTL mark, RTL override, isolates
    "\u200b\u2060\ufeff",  # zero-width characters, BOM
    "\u2028\u2029",
    "e\u0301\u0302\u0303\u0323\u0309" * 8,  # a pile of combining marks
    "🎉",
    "👨\u200d👩\u200d👧\u200d👦",
    "\U0010fffd\U000e0001",
    VIETNAMESE,
    unicodedata.normalize("NFD", VIETNAMESE),
    "ĐOÀN THANH NIÊN CỘNG SẢN HỒ CHÍ MINH",
    "<script>alert(1)</script>",
    "' OR '1'='1'; --",
    "%(value)s %s %d {0} {{ x }} {% now %}",
    "../../etc/passwd",
    "None",
    "null",
    "true",
]

HUGE_UNITS = ["a", "ệ", "\x00", "🎉", "e\u0301", "Ω ", "\r\n"]


def huge_text(sizes=(5_001, 20_001, 100_000)) -> st.SearchStrategy[str]:
    """Long strings built by repetition: cheap to generate, long enough to pass every max_length."""
    return st.builds(
        lambda unit, size: (unit * (size // len(unit) + 1))[:size],
        st.sampled_from(HUGE_UNITS),
        st.sampled_from(sizes),
    )


# In each strategy below the special values come first and twice: with 15–30 examples per form, random values
# alone would rarely hit the few that break things.


def text() -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(max_size=8))
    return st.one_of(
        st.sampled_from(SPECIAL_TEXT),
        st.sampled_from(SPECIAL_TEXT),
        st.text(max_size=40),
        st.lists(pieces, min_size=2, max_size=5).map("".join),
        huge_text(),
    )


SPECIAL_NUMBERS = [
    "²",  # str.isdigit() is True for these, int() refuses them
    "9" * 25,
    "1e30",
    "12,5",
    "-1",
    "0",
    "-0",
    "1",
    "-1",
    "+1",
    "007",
    "1e3",
    "1E-7",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "12,5",
    "12.5",
    "0,25",
    "12,25",
    "1.000",
    "1.000,5",
    "1,000.5",
    "0.001",
    "12.3456789012345678901234567890",
    "9" * 25,
    "-" + "9" * 25,
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "99999.99",
    "100000",
    "³",
    "½",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "１２",  # full-width digits
    "𝟗",
    "1_000",
    "0x1F",
    "1 000",
    " 5 ",
    "5\x00",
    "−5",  # U+2212 minus sign
]


def number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SPECIAL_NUMBERS),
        st.sampled_from(SPECIAL_NUMBERS),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
    )


SPECIAL_DATES = [
    "9999-12-31",
    "0001-01-01",
    "2023-02-30",
    "2023-12-28",
    "28/12/2023",
    "2023-02-29",
    "2024-02-29",
    "31/02/2023",
    "2023-13-01",
    "2023-00-10",
    "0000-01-01",
    "01/01/0001",
    "31/12/9999",
    "10000-01-01",
    "-2023-01-01",
    "2023-1-1",
    "1/1/1",
    "2023-12-28T10:00",
    "2023/12/28",
    "28.12.2023",
    "12/28/2023",
    "٢٠٢٣-١٢-٢٨",
    "２０２３-１２-２８",
    "2023-12-28\x00",
    "²023-12-28",
    "hôm qua",
    "9" * 30,
]


def date() -> st.SearchStrategy[str]:
    any_day = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
    return st.one_of(
        st.sampled_from(SPECIAL_DATES),
        st.sampled_from(SPECIAL_DATES),
        any_day.map(lambda d: d.isoformat()),
        any_day.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    )


SPECIAL_TIMES = [
    "08:00",
    "8:00",
    "23:59",
    "24:00",
    "25:61",
    "23:59:60",
    "08:00:00.000001",
    "-1:00",
    "8",
    "٠٨:٠٠",
    "noon",
]


def time() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SPECIAL_TIMES), st.times().map(str))


BAD_IDS = ["²", "9" * 25, "0", "-1", "999999999", "abc", "1.0", "1e2", "١", "１", " 1", "1\x00", ""]


def identifier(existing_ids=()) -> st.SearchStrategy[str]:
    """Ids that do not exist, are malformed, or exist but belong to something else (another bloc, campaign…)."""
    options = [st.sampled_from(BAD_IDS)]
    if existing_ids:
        options.append(st.sampled_from(sorted({str(i) for i in existing_ids})))
    return st.one_of(*options)


def anything() -> st.SearchStrategy[str]:
    return st.one_of(text(), number(), date())


# ---------------------------------------------------------------------------------------------------------------
# Uploads

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
JPEG_HEADER = b"\xff\xd8\xff\xe0"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FILE_NAMES = [
    "bien-ban.pdf",
    "bang.xlsx",
    "danh-sach.csv",
    "van-ban.docx",
    "anh.png",
    "anh.JPG",
    "cu.doc",
    "cu.xls",
    "chay.exe",
    "khong-duoi",
    ".xlsx",
    "a.pdf.exe",
    "a.xlsx.pdf",
    "x" * 300 + ".pdf",
    "tệp minh chứng năm 2023.pdf",
    unicodedata.normalize("NFD", "tệp minh chứng năm 2023.xlsx"),
    "a\x00.pdf",
    "../../etc/passwd.xlsx",
    "CON.pdf",
    "🎉.png",
    "\u202egpj.exe",
    'bảng; tiêu chí".xlsx',
]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def random_zip() -> st.SearchStrategy[bytes]:
    """A zip that is not what its name says: random members, or an Office skeleton with broken XML."""
    member_names = st.one_of(
        st.sampled_from(
            [
                "[Content_Types].xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
                "xl/_rels/workbook.xml.rels",
                "_rels/.rels",
                "word/document.xml",
                "mimetype",
                "../evil.txt",
            ]
        ),
        st.text(min_size=1, max_size=12),
    )
    members = st.lists(st.tuples(member_names, st.binary(max_size=200)), max_size=5, unique_by=lambda m: m[0])
    return members.map(_zip)


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_values() -> st.SearchStrategy:
    # openpyxl refuses control characters in cells, so cells take printable text; NULs go through the CSV files.
    printable = text().map(lambda s: "".join(ch for ch in s if ch.isprintable())[:2000])
    return st.one_of(
        printable,
        st.sampled_from(SPECIAL_NUMBERS),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(min_value=datetime.date(1900, 1, 1)),
        st.none(),
        st.booleans(),
    )


def spreadsheet(header: list[str]) -> st.SearchStrategy[bytes]:
    """A real .xlsx with the expected header (sometimes shuffled or cut) and random rows."""
    headers = st.one_of(
        st.just(header), st.permutations(header), st.lists(st.sampled_from(header), max_size=4)
    )
    rows = st.lists(st.lists(_cell_values(), max_size=len(header) + 1), max_size=4)
    return st.builds(lambda h, r: workbook([list(h), *r]), headers, rows)


def csv_file(header: list[str]) -> st.SearchStrategy[bytes]:
    """A CSV with the expected header and random rows (NULs, quotes, separators included)."""
    cells = st.one_of(text().map(lambda s: s[:300]), st.sampled_from(SPECIAL_NUMBERS), date())

    def build(rows, separator, encoding):
        lines = [separator.join(header)]
        lines += [separator.join(row) for row in rows]
        return "\n".join(lines).encode(encoding, errors="replace")

    return st.builds(
        build,
        st.lists(st.lists(cells, min_size=len(header) - 1, max_size=len(header) + 1), max_size=4),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
    )


def file_content(*, limit: int, header: list[str] | None = None) -> st.SearchStrategy[bytes]:
    """Contents of every sort: empty, random, a signature followed by junk, a random zip, one byte over ``limit``;
    with ``header``, real spreadsheets and CSV files with that header and random cells."""
    options = [
        st.just(b""),
        st.binary(max_size=512),
        st.just(PDF),
        st.binary(max_size=256).map(lambda b: b"%PDF-" + b),
        st.binary(max_size=256).map(lambda b: PNG_HEADER + b),
        st.binary(max_size=256).map(lambda b: JPEG_HEADER + b),
        st.binary(max_size=256).map(lambda b: OLE_HEADER + b),
        random_zip(),
        st.just(b"x" * (limit + 1)),
    ]
    if header:
        options += [spreadsheet(header), csv_file(header)]
    return st.one_of(*options)


def upload(
    *, limit: int, names: list[str], header: list[str] | None = None
) -> st.SearchStrategy[SimpleUploadedFile]:
    """An uploaded file: often named as the form expects (``names``), whatever its content."""
    return st.builds(
        lambda name, content, content_type: SimpleUploadedFile(name, content, content_type),
        st.one_of(st.sampled_from(names), st.sampled_from(FILE_NAMES)),
        file_content(limit=limit, header=header),
        st.sampled_from(["application/octet-stream", "application/pdf", "text/csv", "image/png", ""]),
    )
