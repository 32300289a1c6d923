"""Turning a snapshot into HTML (preview), PDF (WeasyPrint) and the file names users download."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation

FONT_FAMILY = "Thidua Serif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
FILE_NAMES = {
    "report": "bao-cao-tong-ket",
    "minutes": "bien-ban-hoi-nghi",
    "count_minutes": "bien-ban-kiem-phieu",
    "request": "to-trinh-de-nghi-khen-thuong",
    "score_table": "bang-tong-hop-diem",
    "covenant": "ban-giao-uoc-thi-dua",
}


def font_css() -> str:
    """@font-face rules naming the font files themselves, so that fontconfig cannot substitute another font."""
    directory = Path(settings.PDF_FONT_DIR)
    rules = []
    for (weight, style), name in FONT_FILES.items():
        path = directory / name
        if not path.exists():
            raise ImproperlyConfigured(
                f"Không tìm thấy phông chữ {path}: cài gói Debian fonts-liberation2 hoặc đặt PDF_FONT_DIR."
            )
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def render_html(snapshot: dict, *, preview: bool = False, links: dict | None = None) -> str:
    """The document as HTML. Official documents are Vietnamese whatever language the user chose; the preview's
    own bar (``links``: label and address, already in the user's language) is the only exception."""
    with translation.override("vi"):
        return render_to_string(
            f"reports/pdf/{snapshot['kind']}.html",
            {"doc": snapshot, "preview": preview, "links": links or {}},
        )


def url_fetcher():
    """What WeasyPrint may load while rendering a document: local files only (the fonts of `font_css` are its
    one resource). WeasyPrint's default fetcher, made for each stylesheet and document, loads the system's
    certificates for HTTPS every time (a tenth of a second each); this one is never used for HTTPS, so its
    context is left empty, and a document can reach no network address."""
    import ssl

    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def render_pdf(snapshot: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    fetcher = url_fetcher()
    stylesheets = [
        CSS(string=font_css(), font_config=fonts, url_fetcher=fetcher),
        CSS(filename=finders.find("reports/print.css"), font_config=fonts, url_fetcher=fetcher),
    ]
    html = HTML(string=render_html(snapshot), base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=stylesheets, font_config=fonts)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_name(snapshot: dict, extension: str) -> str:
    number = snapshot["number_label"].split(":", 1)[1].strip().split("/")[0].strip() or "du-thao"
    return f"{FILE_NAMES[snapshot['kind']]}-{snapshot['year']}-{number}.{extension}"
