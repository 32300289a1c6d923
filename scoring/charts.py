"""Horizontal bar charts rendered as inline SVG, safe under a strict Content Security Policy.

The output uses presentation attributes only (fill, stroke, font-size, text-anchor…): no ``style``
attribute, no ``<style>`` element, no script and no external reference. Every text is XML-escaped.
The chart is an ``role="img"`` element labelled by its ``<title>`` and described by a ``<desc>`` that
lists every bar as "label: value", so screen readers get the data and not just a picture.
"""

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

SVG_NS = "http://www.w3.org/2000/svg"

BAR_COLOR = "#0d6efd"  # 4.5:1 on white
MUTED_COLOR = "#adb5bd"
TEXT_COLOR = "#212529"
SECONDARY_TEXT_COLOR = "#495057"  # tick labels, notes: 8.9:1 on white
GRID_COLOR = "#dee2e6"
AXIS_COLOR = "#6c757d"

EMPTY_TEXT = gettext_lazy("Chưa có dữ liệu")

FONT_SIZE = 12
CHAR_WIDTH = 6.5  # estimate of one character's advance at FONT_SIZE, in user units
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP_PADDING = 8
AXIS_HEIGHT = 24
GAP = 8
MAX_LABEL_CHARS = 40
MAX_NOTE_CHARS = 30
MIN_WIDTH = 240
TICK_COUNT = 5  # 0, 25 %, 50 %, 75 %, 100 %

_CENT = Decimal("0.01")
_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters that XML 1.0 does not allow at all (escaping cannot save them).
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    label: str  # unit name, Vietnamese with diacritics; may be long (drawn cut to ~40 chars with "…")
    value: Decimal  # >= 0; may be Decimal("0")
    note: str = ""  # optional short text after the value, e.g. "Không đủ điều kiện"
    muted: bool = False  # drawn in grey (e.g. a unit that failed a knock-out criterion)


def bar_chart_svg(
    bars: list[Bar],
    *,
    max_value: Decimal,
    title: str,
    width: int = 720,
    chart_id: str | None = None,
    font_family: str = "sans-serif",
) -> str:
    """Return an <svg> element (as a django.utils.safestring.SafeString) drawing ``bars`` horizontally.

    Each bar's length is ``value / max_value`` of the plot width, clamped to [0, max_value]; with
    ``max_value <= 0`` every bar has length 0. An x-axis shows 5 ticks (0, 25 %, 50 %, 75 %, 100 % of
    ``max_value``) with vertical grid lines. Values are printed Vietnamese-style ("96,75", "1.000").

    The drawing has a ``viewBox`` of ``width`` user units and ``width="100%"``, so it scales to its
    container; the height grows by one row per bar. ``chart_id`` prefixes the ids of the ``<title>`` and
    ``<desc>`` elements; by default it is derived from a hash of the title and the data, so two different
    charts on one page do not collide (pass it explicitly to show the very same chart twice).
    """
    if width < MIN_WIDTH:
        raise ValueError(f"width must be at least {MIN_WIDTH}, got {width}")
    max_value = _to_decimal(max_value)
    values = [_to_decimal(bar.value) for bar in bars]
    if chart_id is None:
        chart_id = _derive_id(title, bars, values, max_value)
    elif not _ID_RE.match(chart_id):
        raise ValueError(f"chart_id must be a valid XML id, got {chart_id!r}")
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"

    if bars:
        desc = "; ".join(
            f"{_clean(bar.label)}: {_format_number(value)}" + (f" ({_clean(bar.note)})" if bar.note else "")
            for bar, value in zip(bars, values, strict=True)
        )
        height, body = _draw_bars(bars, values, max_value, width)
    else:
        desc = str(EMPTY_TEXT)
        height = TOP_PADDING + ROW_HEIGHT + AXIS_HEIGHT
        body = [
            _element(
                "text",
                desc,
                x=width // 2,
                y=_baseline(height / 2),
                fill=SECONDARY_TEXT_COLOR,
                **{"text-anchor": "middle"},
            )
        ]

    parts = [
        _open(
            "svg",
            xmlns=SVG_NS,
            viewBox=f"0 0 {width} {height}",
            width="100%",
            role="img",
            **{
                "aria-labelledby": title_id,
                "aria-describedby": desc_id,
                "font-family": font_family,
                "font-size": FONT_SIZE,
                "fill": TEXT_COLOR,
            },
        ),
        _element("title", _clean(title), id=title_id),
        _element("desc", desc, id=desc_id),
        *body,
        "</svg>",
    ]
    # Safe: every text and attribute value above went through escape() / quoteattr().
    return mark_safe("".join(parts))


def _draw_bars(
    bars: list[Bar], values: list[Decimal], max_value: Decimal, width: int
) -> tuple[int, list[str]]:
    value_texts = [_format_number(value) for value in values]
    notes = [_truncate(_clean(bar.note), MAX_NOTE_CHARS) for bar in bars]

    # Columns: labels | plot area | room for the longest "value (note)" printed after a full-length bar.
    longest_value = max(
        len(text) + (len(note) + 3 if note else 0) for text, note in zip(value_texts, notes, strict=True)
    )
    value_room = min(GAP + math.ceil(longest_value * CHAR_WIDTH) + GAP, int(width * 0.4))
    label_chars = min(MAX_LABEL_CHARS, int(width * 0.38 / CHAR_WIDTH))
    labels = [_truncate(_single_line(_clean(bar.label)), label_chars) for bar in bars]
    label_room = min(GAP + math.ceil(max(len(label) for label in labels) * CHAR_WIDTH), int(width * 0.38))
    x0 = label_room + GAP
    plot_width = width - x0 - value_room
    if plot_width <= 0:
        raise ValueError(f"width {width} leaves no room for the bars")

    plot_bottom = TOP_PADDING + len(bars) * ROW_HEIGHT
    height = plot_bottom + AXIS_HEIGHT
    out: list[str] = []

    # Grid lines and tick labels.
    ticks = range(TICK_COUNT) if max_value > 0 else range(1)
    out.append(_open("g", stroke=GRID_COLOR, **{"stroke-width": 1}))
    for i in ticks:
        x = _coord(x0 + Decimal(plot_width) * i / (TICK_COUNT - 1))
        out.append(_element("line", x1=x, y1=TOP_PADDING, x2=x, y2=plot_bottom))
    out.append("</g>")
    out.append(_element("line", x1=x0, y1=plot_bottom, x2=x0 + plot_width, y2=plot_bottom, stroke=AXIS_COLOR))
    out.append(_open("g", fill=SECONDARY_TEXT_COLOR, **{"text-anchor": "middle"}))
    for i in ticks:
        x = _coord(x0 + Decimal(plot_width) * i / (TICK_COUNT - 1))
        tick_value = max_value * i / (TICK_COUNT - 1) if max_value > 0 else Decimal(0)
        out.append(_element("text", _format_number(tick_value), x=x, y=plot_bottom + 16))
    out.append("</g>")

    # One row per bar: label, bar, value (and note).
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        row_top = TOP_PADDING + index * ROW_HEIGHT
        centre = row_top + ROW_HEIGHT / 2
        bar_width = _bar_width(value, max_value, plot_width)
        full_label = _clean(bar.label)
        out.append(_open("g"))
        if labels[index] != full_label:
            out.append(_element("title", full_label))
        out.append(
            _element(
                "text",
                labels[index],
                x=label_room,
                y=_baseline(centre),
                **{"text-anchor": "end"},
            )
        )
        out.append(
            _element(
                "rect",
                x=x0,
                y=_coord(Decimal(str(centre)) - BAR_HEIGHT // 2),
                width=_coord(bar_width),
                height=BAR_HEIGHT,
                rx=2,
                fill=MUTED_COLOR if bar.muted else BAR_COLOR,
            )
        )
        value_markup = escape(value_texts[index])
        if notes[index]:
            note_tspan = _element("tspan", f" ({notes[index]})", fill=SECONDARY_TEXT_COLOR)
            value_markup += note_tspan
        out.append(
            _open("text", x=_coord(x0 + bar_width + GAP // 2 + 2), y=_baseline(centre))
            + value_markup
            + "</text>"
        )
        out.append("</g>")
    return height, out


def _bar_width(value: Decimal, max_value: Decimal, plot_width: int) -> Decimal:
    if max_value <= 0:
        return Decimal(0)
    clamped = min(max(value, Decimal(0)), max_value)
    return (Decimal(plot_width) * clamped / max_value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _to_decimal(value) -> Decimal:
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite():
        raise ValueError(f"chart values must be finite numbers, got {value}")
    return value


def _format_number(value: Decimal) -> str:
    """Vietnamese-style: at most two decimals, no trailing zeros, decimal comma, thousands dots.

    96.75 → "96,75"; 90.00 → "90"; 87.50 → "87,5"; 1000 → "1.000"; 1234.5 → "1.234,5".
    """
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    sign = "-" if rounded < 0 else ""
    integer_part, _, fraction = f"{abs(rounded):f}".partition(".")
    grouped = f"{int(integer_part):,}".replace(",", ".")
    fraction = fraction.rstrip("0")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def _coord(value) -> str:
    """A coordinate with at most two decimals and no exponent: 12, 12.5, 12.25."""
    rounded = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _baseline(centre: float) -> str:
    # Vertically centre a line of text without dominant-baseline (not understood by every renderer).
    return _coord(Decimal(str(centre)) + Decimal(FONT_SIZE) * Decimal("0.35"))


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry at all; escaping happens when the markup is built."""
    return _XML_INVALID_RE.sub("", str(text))


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _truncate(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text)  # count "ữ" as one character, never cut off its marks
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def _derive_id(title: str, bars: list[Bar], values: list[Decimal], max_value: Decimal) -> str:
    digest = hashlib.sha256()
    digest.update(str(title).encode("utf-8", "surrogatepass"))
    digest.update(f"\x1d{max_value}".encode())
    for bar, value in zip(bars, values, strict=True):
        digest.update(
            f"\x1e{bar.label}\x1f{value}\x1f{bar.note}\x1f{bar.muted}".encode("utf-8", "surrogatepass")
        )
    return f"bar-chart-{digest.hexdigest()[:10]}"


def _attributes(attrs: dict) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in attrs.items())


def _open(tag: str, **attrs) -> str:
    return f"<{tag}{_attributes(attrs)}>"


def _element(tag: str, text: str = "", **attrs) -> str:
    if not text:
        return f"<{tag}{_attributes(attrs)}/>"
    return f"<{tag}{_attributes(attrs)}>{escape(text)}</{tag}>"


__all__ = ["Bar", "bar_chart_svg"]
