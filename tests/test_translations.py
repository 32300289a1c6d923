"""The project catalogues in locale/.

Vietnamese is the source language of the UI strings, so locale/vi carries them as they are, plus the
admin, auth and form strings Django 6.1 leaves untranslated in "vi" (they would otherwise show in
English); locale/en translates the UI into English. These tests check that each compiled .mo matches
its .po, that Django picks them up, that the catalogues cover every string in the code, and that
nothing is left over.
"""

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.i18n import JSONCatalog

from tests.factories import make_province, make_unit

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# (language, gettext domain) -> catalogue. The project has no JavaScript of its own: djangojs.po only
# translates the admin's scripts into Vietnamese (English needs nothing).
PROJECT_PO = {
    ("vi", "django"): LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po",
    ("vi", "djangojs"): LOCALE_DIR / "vi" / "LC_MESSAGES" / "djangojs.po",
    ("en", "django"): LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po",
}
PLURAL_FORMS = {"vi": ("nplurals=1; plural=0;", 1), "en": ("nplurals=2; plural=(n != 1);", 2)}
DJANGO_DIR = Path(django.__file__).resolve().parent
# Django's source catalogues (msgid = English text), with the gettext domain each one belongs to.
DJANGO_PO = {
    "admin": ("django", DJANGO_DIR / "contrib/admin/locale/en/LC_MESSAGES/django.po"),
    "admin-js": ("djangojs", DJANGO_DIR / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po"),
    "auth": ("django", DJANGO_DIR / "contrib/auth/locale/en/LC_MESSAGES/django.po"),
    "core": ("django", DJANGO_DIR / "conf/locale/en/LC_MESSAGES/django.po"),
}
# Core strings nobody using this site reads, left to Django on purpose: the names of languages (the
# switcher shows each language's own name) and the "install worked" page shown when no URLconf exists.
NOT_USER_FACING = ("django/conf/global_settings.py", "django/views/templates/default_urlconf.html")

# Placeholders and markup a translation has to keep: %(name)s, %s, %d, {min_days}, {}, HTML tags.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdr]|%[sd]|\{[a-z_]*\}|<[^>]+>")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self):
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m[1]], text[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return (header fields, entries) of a .po file; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    comments: list[str] = []
    keyword = None

    def finish():
        nonlocal entry, comments
        if entry is not None:
            entries.append(entry)
        entry, comments = None, []

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()
            comments.append(line)
            continue
        if line.startswith('"'):
            value = _unquote(line)
            if keyword == "msgctxt":
                entry.msgctxt += value
            elif keyword == "msgid":
                entry.msgid += value
            elif keyword == "msgid_plural":
                entry.msgid_plural += value
            else:
                entry.msgstr[-1] += value
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest)
        if keyword in ("msgctxt", "msgid") and entry is not None and (entry.msgstr or keyword == "msgctxt"):
            finish()
        if entry is None:
            entry = Entry(msgid="")
            for comment in comments:
                if comment.startswith("#,"):
                    entry.flags.update(flag.strip() for flag in comment[2:].split(","))
                elif comment.startswith("#:"):
                    entry.references.extend(comment[2:].split())
        if keyword == "msgctxt":
            entry.msgctxt = value
        elif keyword == "msgid":
            entry.msgid = value
        elif keyword == "msgid_plural":
            entry.msgid_plural = value
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            entry.msgstr.append(value)
            keyword = "msgstr"
        else:
            raise AssertionError(f"{path}: unexpected line {raw!r}")
    finish()

    header = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        for line in entries.pop(0).msgstr[0].splitlines():
            name, _, value = line.partition(":")
            header[name.strip()] = value.strip()
    return header, entries


def django_gettext(entry: Entry, n: int = 1) -> str:
    """What Django's translation machinery (the "django" domain) returns for a msgid."""
    if entry.msgid_plural is not None:
        if entry.msgctxt is not None:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
        return translation.ngettext(entry.msgid, entry.msgid_plural, n)
    if entry.msgctxt is not None:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def admin_js_catalog() -> dict:
    """The catalogue the admin's jsi18n view serves in Vietnamese (same view, same package)."""
    view = JSONCatalog.as_view(packages=["django.contrib.admin"])
    with translation.override("vi"):
        response = view(RequestFactory().get("/jsi18n/"))
    return json.loads(response.content)["catalog"]


def js_gettext(catalog: dict, entry: Entry) -> str:
    key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
    value = catalog.get(key, entry.msgid)
    return value[0] if isinstance(value, list) else value


class _Missing(gettext.NullTranslations):
    """Fallback that makes a lookup missing from a .mo visible (gettext would return the msgid)."""

    MISSING = "\x00missing\x00"

    def gettext(self, message):
        return self.MISSING

    def ngettext(self, msgid1, msgid2, n):
        return self.MISSING

    def pgettext(self, context, message):
        return self.MISSING

    def npgettext(self, context, msgid1, msgid2, n):
        return self.MISSING


def compiled_lookup(language: str, domain: str, entry: Entry, n: int = 1) -> str:
    catalogue = gettext.translation(domain, localedir=LOCALE_DIR, languages=[language])
    catalogue.add_fallback(_Missing())
    if entry.msgid_plural is not None:
        if entry.msgctxt is not None:
            return catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
        return catalogue.ngettext(entry.msgid, entry.msgid_plural, n)
    if entry.msgctxt is not None:
        return catalogue.pgettext(entry.msgctxt, entry.msgid)
    return catalogue.gettext(entry.msgid)


def plural_index(language: str, n: int) -> int:
    return 0 if language == "vi" or n == 1 else 1


@pytest.mark.parametrize("key", sorted(PROJECT_PO))
def test_project_po_files_are_well_formed(key):
    language, _ = key
    header, entries = parse_po(PROJECT_PO[key])
    plural_forms, nplurals = PLURAL_FORMS[language]
    assert header["Language"] == language
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == plural_forms
    assert entries
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), "duplicate msgids"
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        # One msgstr per plural form (one for a singular msgid), never empty.
        expected_forms = nplurals if entry.msgid_plural is not None else 1
        assert len(entry.msgstr) == expected_forms and all(entry.msgstr), entry.msgid
        placeholders_in = sorted(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural is not None:
            assert sorted(PLACEHOLDER.findall(entry.msgid_plural)) == placeholders_in, entry.msgid
        for msgstr in entry.msgstr:
            assert sorted(PLACEHOLDER.findall(msgstr)) == placeholders_in, (entry.msgid, msgstr)


@pytest.mark.parametrize("key", sorted(PROJECT_PO))
def test_committed_mo_files_match_the_po_files(key):
    language, domain = key
    _, entries = parse_po(PROJECT_PO[key])
    js_catalog = admin_js_catalog() if domain == "djangojs" else None
    for entry in entries:
        # The .mo next to the .po holds this very translation (also when it equals the msgid)...
        for n in (1, 2, 5) if entry.msgid_plural is not None else (1,):
            expected = entry.msgstr[plural_index(language, n)]
            assert compiled_lookup(language, domain, entry, n) == expected, (entry.key, n)
            # ...and Django serves it.
            if domain == "django":
                with translation.override(language):
                    assert django_gettext(entry, n) == expected, (entry.key, n)
            else:
                assert js_gettext(js_catalog, entry) == entry.msgstr[0], entry.key


def looks_vietnamese(text: str) -> bool:
    """True when text has a letter no English sentence uses: đ, or a diacritic (ă â ê ô ơ ư, tone marks)."""
    return any(char in "đĐ" or unicodedata.combining(char) for char in unicodedata.normalize("NFD", text))


# English texts that keep Vietnamese on purpose: a place name, a document code, and the words a spreadsheet must
# contain (the criteria import reads Vietnamese column titles and "có" whatever the user's language).
KEPT_IN_VIETNAMESE = {
    "Ví dụ: Cần Thơ",
    "Nạp dữ liệu mẫu (khối thi đua của Cần Thơ và tài khoản dùng thử). Chạy lại nhiều lần không sao.",
    "Phần sau dấu gạch trong số văn bản, ví dụ KTĐ1 trong “05/BC-KTĐ1”. Để trống: tự tạo từ số khối.",
    "“%(text)s”: ghi “x” hoặc “có” nếu đúng, để trống nếu không.",
}
KEPT_IN_VIETNAMESE_PREFIX = "Mỗi dòng một tiêu chí. Các cột"


def test_english_catalogue_translates_every_vietnamese_string():
    _, entries = parse_po(PROJECT_PO["en", "django"])
    msgids = {entry.msgid for entry in entries}
    assert msgids >= KEPT_IN_VIETNAMESE, "a kept string was renamed: update KEPT_IN_VIETNAMESE"
    left_in_vietnamese = [
        entry.msgid
        for entry in entries
        if any(looks_vietnamese(msgstr) for msgstr in entry.msgstr)
        and entry.msgid not in KEPT_IN_VIETNAMESE
        and not entry.msgid.startswith(KEPT_IN_VIETNAMESE_PREFIX)
    ]
    assert left_in_vietnamese == []


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    """makemessages run on a copy of the code finds no msgid the committed catalogues lack, and none
    they carry that the code no longer uses (an obsolete translation hides a renamed string)."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed (apt install gettext): the catalogues cannot be checked")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".*", "node_modules", "var", "docs", "tests", "__pycache__", "*.mo", "*.po"
    )
    shutil.copytree(base, copy, ignore=ignore)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "vi",
            "-l",
            "en",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "thiduabloc.settings"},
    )
    assert result.returncode == 0, result.stderr
    for language in ("vi", "en"):
        _, found = parse_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        _, committed = parse_po(PROJECT_PO[language, "django"])
        assert {entry.key for entry in found} == {entry.key for entry in committed}, language


@pytest.mark.parametrize("source", sorted(DJANGO_PO))
def test_no_django_string_is_left_in_english(source):
    domain, path = DJANGO_PO[source]
    _, entries = parse_po(path)
    # A translation identical to the English (", ", "%s KB", "IPv4") is deliberate when our
    # catalogue says so; the test above proves the compiled .mo carries it.
    _, ours = parse_po(PROJECT_PO["vi", domain])
    deliberate = {entry.key for entry in ours if entry.msgstr == [entry.msgid]}
    js_catalog = admin_js_catalog() if domain == "djangojs" else None
    untranslated = []
    for entry in entries:
        if not entry.msgid or entry.key in deliberate:
            continue
        if any(ref.startswith(NOT_USER_FACING) for ref in ("django/" + r for r in entry.references)):
            continue
        if domain == "django":
            with translation.override("vi"):
                result = django_gettext(entry)
        else:
            result = js_gettext(js_catalog, entry)
        if result == entry.msgid:
            untranslated.append(entry.key)
    assert untranslated == []


def test_admin_changelist_is_in_vietnamese(admin_client):
    make_unit(province=make_province(), name="Sở Tư pháp")  # actions only show when there are rows

    response = admin_client.get(reverse("admin:blocs_unit_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html
    assert "Show counts" not in html
    assert not re.search(r"\bRun\b", html)
    assert "Hiện số lượng" in html
    assert re.search(r"<button[^>]*>\s*Thực hiện\s*</button>", html)
    assert "Skip to main content" not in html
    assert "Chuyển đến nội dung chính" in html


def test_admin_javascript_catalogue_is_in_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:jsi18n"))

    assert response.status_code == 200
    body = response.content.decode()
    # json.dumps escapes non-ASCII, so look for the strings the way the view writes them.
    assert json.dumps("Hôm nay (%(date)s)") in body
    assert json.dumps("Thứ Hai") in body


def test_the_login_throttling_admin_is_in_vietnamese(admin_client):
    from thiduabloc.django_strings import AXES_STRINGS

    with translation.override("vi"):
        untranslated = [text for text in AXES_STRINGS if translation.gettext(text) == text]
    assert untranslated == ["HTTP Accept"]  # a header's name

    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Chống dò mật khẩu" in html and "Lần thử đăng nhập" in html
    assert "Access attempts" not in html
