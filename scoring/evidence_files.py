"""Checking the files units upload as evidence for their self-assessment scores, before they are stored.

The type is decided by the content (magic bytes, and for ZIP containers the members inside), never by the
file name or by the content type the browser sent. The name only has to agree with the content: a PDF called
"bao-cao.docx" is refused, a PDF called "bao-cao" is kept as "bao-cao.pdf". Legacy Word/Excel files share one
container format (OLE) with many other things, so for them the extension decides between .doc and .xls.
"""

import io
import re
import string
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 120
DEFAULT_STEM = "minh-chung"

# Limits on what a ZIP container may declare. Nothing is extracted here, but the file is kept and may later be
# opened by a viewer or an indexer, so a container that looks like a decompression bomb is refused up front.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed / compressed, checked for members above MIN_RATIO_CHECK_BYTES
MIN_RATIO_CHECK_BYTES = 1024 * 1024
NESTED_ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".zst")


@dataclass(frozen=True)
class EvidenceKind:
    code: str  # "pdf", "jpeg", "png", "docx", "xlsx", "pptx", "doc", "xls", "odt", "ods"
    label: str  # Vietnamese, marked for translation; shown to users through gettext(label)
    content_type: str  # the MIME type to serve it with
    extension: str  # canonical extension with dot


EVIDENCE_KINDS: dict[str, EvidenceKind] = {
    kind.code: kind
    for kind in (
        EvidenceKind("pdf", gettext_noop("Tài liệu PDF"), "application/pdf", ".pdf"),
        EvidenceKind("jpeg", gettext_noop("Ảnh JPEG"), "image/jpeg", ".jpg"),
        EvidenceKind("png", gettext_noop("Ảnh PNG"), "image/png", ".png"),
        EvidenceKind(
            "docx",
            gettext_noop("Văn bản Word"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        EvidenceKind(
            "xlsx",
            gettext_noop("Bảng tính Excel"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        EvidenceKind(
            "pptx",
            gettext_noop("Bản trình chiếu PowerPoint"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
        ),
        EvidenceKind("doc", gettext_noop("Văn bản Word 97–2003"), "application/msword", ".doc"),
        EvidenceKind("xls", gettext_noop("Bảng tính Excel 97–2003"), "application/vnd.ms-excel", ".xls"),
        EvidenceKind(
            "odt", gettext_noop("Văn bản OpenDocument"), "application/vnd.oasis.opendocument.text", ".odt"
        ),
        EvidenceKind(
            "ods",
            gettext_noop("Bảng tính OpenDocument"),
            "application/vnd.oasis.opendocument.spreadsheet",
            ".ods",
        ),
    )
}

# Every extension that names an accepted kind, lower-case, with the kind it names.
EXTENSION_KINDS: dict[str, str] = {
    **{kind.extension: code for code, kind in EVIDENCE_KINDS.items()},
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".jfif": "jpeg",
}

TYPE_MESSAGE = gettext_lazy(
    "Chỉ nhận tệp PDF, ảnh (JPEG, PNG) hoặc văn bản Office (Word, Excel, PowerPoint, OpenDocument)."
)
OLE_ADVICE = gettext_lazy(
    "Chỉ nhận tệp dạng này với đuôi .doc hoặc .xls; tệp có mật khẩu cần gỡ mật khẩu trước khi tải lên."
)

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_HEADER_BYTES = 8

_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OOXML_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


def _vietnamese_letters() -> frozenset[str]:
    letters = set(string.ascii_letters) | {"đ", "Đ"}
    vowels = "aăâeêioôơuưy"
    for vowel in vowels + vowels.upper():
        letters.add(vowel)
        for tone in "\u0300\u0301\u0303\u0309\u0323":  # huyền, sắc, ngã, hỏi, nặng
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    return frozenset(letters)


_NAME_CHARS = _vietnamese_letters() | set(string.digits) | set(" -_.")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_UNDERSCORE_RUN = re.compile(r"[._]*_[._]*")
_REPEAT = re.compile(r"([ .-])\1+")
_EDGE = " ._-"


def check_evidence(upload: File) -> tuple[EvidenceKind, str]:
    """Check an uploaded file (any File with .name, .size, .read(), .seek()) before it is stored.

    Returns the kind decided by the content and a safe file name to keep; raises ValidationError with a
    Vietnamese message and code "too_large", "empty", "type" or "mismatch" otherwise. The file is left at
    position 0 either way.
    """
    try:
        size = upload.size or 0
        if size > MAX_EVIDENCE_BYTES:
            raise ValidationError(
                _("Tệp %(size)s MB lớn hơn giới hạn %(limit)s MB."),
                code="too_large",
                params={"size": _megabytes(size), "limit": _megabytes(MAX_EVIDENCE_BYTES)},
            )
        upload.seek(0)
        header = _read(upload, min(size, _HEADER_BYTES))
        if not header:
            raise ValidationError(_("Tệp rỗng."), code="empty")
        name = _base_name(upload.name or "")
        extension = _extension(name)
        if header.startswith(_OLE):
            kind = _legacy_office_kind(name, extension)
        elif header.startswith(_ZIP):
            content = header + _read(upload, size - len(header))
            kind = _zip_kind(content, name)
        else:
            kind = _plain_kind(header)
        named = EXTENSION_KINDS.get(extension)
        if named is not None and named != kind.code:
            raise ValidationError(
                _("Tệp “%(name)s” thực chất là %(kind)s; hãy đổi đuôi tệp cho đúng (%(extension)s)."),
                code="mismatch",
                params={"name": _shown(name), "kind": _(kind.label), "extension": kind.extension},
            )
        return kind, safe_file_name(name, kind)
    finally:
        upload.seek(0)


def safe_file_name(name: str, kind: EvidenceKind) -> str:
    """A display name that is safe to store and to send back in a Content-Disposition header.

    Keeps Vietnamese letters (NFC), ASCII digits, spaces, "-", "_" and "."; every other character (path
    separators, control and format characters, quotes, other scripts) becomes "_". Repeats are collapsed,
    leading and trailing dots, spaces, "_" and "-" are dropped, the stem is cut so the whole name has at most
    120 characters, and the name always ends with the kind's canonical extension.

    >>> safe_file_name("../../Báo cáo  quý 1.PDF", EVIDENCE_KINDS["pdf"])
    'Báo cáo quý 1.pdf'
    """
    cleaned = "".join(_name_char(ch) for ch in unicodedata.normalize("NFC", name or ""))
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and f".{suffix.strip()}".lower() in EXTENSION_KINDS:  # replaced by the canonical one below
        cleaned = stem
    stem = _REPEAT.sub(r"\1", _UNDERSCORE_RUN.sub("_", cleaned)).strip(_EDGE)
    limit = MAX_NAME_LENGTH - len(kind.extension)
    stem = stem[:limit].rstrip(_EDGE) or DEFAULT_STEM
    if stem.partition(".")[0].strip().upper() in _WINDOWS_RESERVED:  # "CON.pdf" cannot be saved on Windows
        stem = f"{DEFAULT_STEM}-{stem}"[:limit].rstrip(_EDGE)
    return stem + kind.extension


def _read(upload: File, limit: int) -> bytes:
    """At most ``limit`` bytes from the current position, however the file hands them out."""
    chunks = []
    while limit > 0:
        chunk = upload.read(limit)
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def _plain_kind(header: bytes) -> EvidenceKind:
    if header.startswith(_PDF):
        return EVIDENCE_KINDS["pdf"]
    if header.startswith(_JPEG):
        return EVIDENCE_KINDS["jpeg"]
    if header.startswith(_PNG):
        return EVIDENCE_KINDS["png"]
    raise ValidationError(TYPE_MESSAGE, code="type")


def _legacy_office_kind(name: str, extension: str) -> EvidenceKind:
    """An OLE compound file: .doc or .xls by its extension, or refused.

    The same container holds .ppt, .msg, .msi and password-protected .docx/.xlsx, so nothing else is accepted.
    """
    if extension in (".doc", ".xls"):
        return EVIDENCE_KINDS[extension[1:]]
    named = EXTENSION_KINDS.get(extension)
    if named is not None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” là tệp Office định dạng cũ (97–2003) hoặc tệp đã đặt mật khẩu, không phải %(kind)s."
            )
            + " "
            + str(OLE_ADVICE),
            code="mismatch",
            params={"name": _shown(name), "kind": _(EVIDENCE_KINDS[named].label)},
        )
    raise ValidationError(
        _("Tệp “%(name)s” là tệp Office định dạng cũ (97–2003) hoặc tệp đã đặt mật khẩu.")
        + " "
        + str(OLE_ADVICE),
        code="type",
        params={"name": _shown(name)},
    )


def _zip_kind(content: bytes, name: str) -> EvidenceKind:
    """An Office Open XML or OpenDocument file, told apart by its members; any other ZIP is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            _check_container(members)
            names = [member.filename.lower() for member in members]
            found = set()
            if "[content_types].xml" in names:
                for folder, code in _OOXML_FOLDERS.items():
                    if any(member.startswith(folder) for member in names):
                        found.add(code)
            if "mimetype" in {member.filename for member in members}:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
                if mimetype in _ODF_MIMETYPES:
                    found.add(_ODF_MIMETYPES[mimetype])
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,  # encrypted member
        NotImplementedError,  # compression method zipfile cannot read
    ):
        raise ValidationError(TYPE_MESSAGE, code="type") from None
    if len(found) != 1:  # none of the accepted formats, or a crafted mix of two
        raise ValidationError(TYPE_MESSAGE, code="type")
    code = found.pop()
    if any(member.endswith("vbaproject.bin") for member in names):
        raise ValidationError(
            _(
                "Tệp “%(name)s” có chứa macro; chỉ nhận văn bản Office không có macro. "
                "Hãy lưu lại thành tệp .docx, .xlsx hoặc .pptx thông thường rồi tải lên."
            ),
            code="type",
            params={"name": _shown(name)},
        )
    return EVIDENCE_KINDS[code]


def _check_container(members: list[zipfile.ZipInfo]) -> None:
    """Refuse containers shaped like decompression bombs or carrying other archives."""
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValidationError(TYPE_MESSAGE, code="type")
    names = [member.filename for member in members]
    if len(set(names)) != len(names):  # overlapping entries, a known bomb construction
        raise ValidationError(TYPE_MESSAGE, code="type")
    if sum(member.file_size for member in members) > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise ValidationError(TYPE_MESSAGE, code="type")
    for member in members:
        if member.filename.lower().endswith(NESTED_ARCHIVE_SUFFIXES):
            raise ValidationError(TYPE_MESSAGE, code="type")
        if member.file_size > MIN_RATIO_CHECK_BYTES and member.file_size > MAX_ZIP_RATIO * max(
            member.compress_size, 1
        ):
            raise ValidationError(TYPE_MESSAGE, code="type")


def _base_name(name: str) -> str:
    """The last component of a client-side path: some browsers send "C:\\Users\\...\\bao-cao.pdf"."""
    return re.split(r"[\\/]", name)[-1]


def _extension(name: str) -> str:
    """The lower-case extension with its dot, or "" when the name has none."""
    text = unicodedata.normalize("NFC", name).strip().rstrip(". ")
    _, dot, suffix = text.rpartition(".")
    return f".{suffix.strip().lower()}" if dot else ""


def _name_char(ch: str) -> str:
    if ch in _NAME_CHARS:
        return ch
    if unicodedata.category(ch) == "Zs":  # no-break space and other spaces
        return " "
    return "_"


def _shown(name: str) -> str:
    """The name as the user knows it, for a message: no control characters, not overly long."""
    text = "".join(
        "_" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFC", name)
    )
    return text if len(text) <= 80 else f"{text[:60]}…{text[-19:]}"


def _megabytes(size: int) -> str:
    """Size in MB with a decimal comma, rounded up to a tenth so that anything over the limit reads as such."""
    tenths = -(-size * 10 // (1024 * 1024))
    whole, tenth = divmod(tenths, 10)
    return f"{whole},{tenth}" if tenth else str(whole)
