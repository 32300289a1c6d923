"""The inline SVG bar chart: geometry, number formatting, accessibility and CSP-safe, escaped markup."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest
from django.utils.safestring import SafeString

from scoring.charts import Bar, bar_chart_svg

NS = "http://www.w3.org/2000/svg"
SVG = f"{{{NS}}}svg"
TITLE = f"{{{NS}}}title"
DESC = f"{{{NS}}}desc"
RECT = f"{{{NS}}}rect"
TEXT = f"{{{NS}}}text"
LINE = f"{{{NS}}}line"

BLUE = "#0d6efd"
GREY = "#adb5bd"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def render(bars, max_value=Decimal(100), title="Điểm tổng kết năm 2023", **kwargs) -> ET.Element:
    return parse(bar_chart_svg(bars, max_value=max_value, title=title, **kwargs))


def rects(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(RECT))


def widths(root: ET.Element) -> list[Decimal]:
    return [Decimal(rect.get("width")) for rect in rects(root)]


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text> element, tspans included."""
    return ["".join(text.itertext()) for text in root.iter(TEXT)]


def desc_of(root: ET.Element) -> str:
    return root.find(DESC).text


def grid_xs(root: ET.Element) -> list[Decimal]:
    """x of the vertical grid lines, left to right."""
    return sorted(Decimal(line.get("x1")) for line in root.iter(LINE) if line.get("x1") == line.get("x2"))


def tick_labels(root: ET.Element) -> list[str]:
    """The texts of the axis row, which is the lowest row of the drawing, left to right."""
    elements = list(root.iter(TEXT))
    bottom = max(Decimal(text.get("y")) for text in elements)
    axis = [text for text in elements if Decimal(text.get("y")) == bottom]
    return [text.text for text in sorted(axis, key=lambda text: Decimal(text.get("x")))]


def view_box_height(root: ET.Element) -> Decimal:
    return Decimal(root.get("viewBox").split()[3])


UNITS = [
    Bar("Công an tỉnh Quảng Trị", Decimal("96.75")),
    Bar("Công an tỉnh Thừa Thiên Huế", Decimal("90.00")),
    Bar("Công an tỉnh Quảng Bình", Decimal("87.50")),
    Bar("Công an tỉnh Hà Tĩnh", Decimal("0"), note="Không đủ điều kiện", muted=True),
]


def test_returns_a_safe_scalable_svg_image():
    svg = bar_chart_svg(UNITS, max_value=Decimal(100), title="Điểm")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == SVG
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox").split()[:3] == ["0", "0", "720"]


def test_the_width_argument_sets_the_view_box_width():
    root = render(UNITS, width=960)
    assert root.get("viewBox").split()[2] == "960"


def test_title_and_desc_are_referenced_by_aria_attributes():
    root = render(UNITS, title="Điểm tổng kết khối 1")
    title = root.find(TITLE)
    desc = root.find(DESC)
    assert title.text == "Điểm tổng kết khối 1"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert title.get("id") != desc.get("id")


def test_desc_lists_every_bar_with_its_value_in_vietnamese_notation():
    desc = desc_of(render(UNITS))
    assert desc.split("; ") == [
        "Công an tỉnh Quảng Trị: 96,75",
        "Công an tỉnh Thừa Thiên Huế: 90",
        "Công an tỉnh Quảng Bình: 87,5",
        "Công an tỉnh Hà Tĩnh: 0 (Không đủ điều kiện)",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("96.75", "96,75"),
        ("90.00", "90"),
        ("90", "90"),
        ("87.50", "87,5"),
        ("0.5", "0,5"),
        ("0.00", "0"),
        ("1000", "1.000"),
        ("1234567.80", "1.234.567,8"),
        ("96.755", "96,76"),
    ],
)
def test_values_are_printed_with_decimal_comma_and_thousands_dots(value, expected):
    root = render([Bar("Đơn vị", Decimal(value))], max_value=Decimal(2_000_000))
    assert desc_of(root) == f"Đơn vị: {expected}"
    assert expected in texts(root)


def test_there_is_one_bar_rect_per_bar_in_order():
    root = render(UNITS)
    assert [rect.get("fill") for rect in rects(root)] == [BLUE, BLUE, BLUE, GREY]
    assert len(rects(root)) == len(UNITS)


def test_bar_widths_are_proportional_to_the_values():
    root = render([Bar("A", Decimal(100)), Bar("B", Decimal(50)), Bar("C", Decimal(25))])
    full, half, quarter = widths(root)
    assert full > 0
    assert full == 2 * half
    assert full == 4 * quarter


def test_a_bar_at_max_value_spans_the_whole_axis():
    root = render([Bar("A", Decimal("96.75")), Bar("B", Decimal(100))])
    xs = grid_xs(root)
    partial, full = widths(root)
    assert full == xs[-1] - xs[0]
    assert partial == pytest.approx(full * Decimal("0.9675"), abs=Decimal("0.01"))
    assert all(Decimal(rect.get("x")) == xs[0] for rect in rects(root))


def test_values_outside_zero_to_max_are_clamped():
    root = render(
        [Bar("Đủ", Decimal(100)), Bar("Vượt", Decimal(150)), Bar("Âm", Decimal(-5)), Bar("Nửa", Decimal(50))]
    )
    full, above, below, half = widths(root)
    assert above == full
    assert below == 0
    assert half == full / 2
    # The printed value is the real one, only the drawing is clamped.
    assert "Vượt: 150" in desc_of(root)


def test_a_zero_value_still_has_its_bar_with_zero_width():
    root = render([Bar("A", Decimal(80)), Bar("B", Decimal("0"))])
    assert len(rects(root)) == 2
    assert widths(root)[1] == 0
    assert widths(root)[0] > 0


@pytest.mark.parametrize("max_value", [Decimal(0), Decimal(-10)])
def test_a_non_positive_max_value_draws_every_bar_with_zero_length(max_value):
    root = render([Bar("A", Decimal(80)), Bar("B", Decimal(0))], max_value=max_value)
    assert widths(root) == [0, 0]
    assert "A: 80" in desc_of(root)


def test_the_axis_has_five_ticks_with_grid_lines():
    root = render(UNITS)
    assert tick_labels(root) == ["0", "25", "50", "75", "100"]
    xs = grid_xs(root)
    assert len(xs) == 5
    steps = {b - a for a, b in pairwise(xs)}
    assert len(steps) == 1
    assert steps.pop() > 0


def test_tick_labels_use_vietnamese_notation():
    root = render([Bar("A", Decimal(3))], max_value=Decimal(10))
    assert tick_labels(root) == ["0", "2,5", "5", "7,5", "10"]
    root = render([Bar("A", Decimal(3))], max_value=Decimal(4000))
    assert tick_labels(root) == ["0", "1.000", "2.000", "3.000", "4.000"]


def test_height_grows_by_one_row_per_bar():
    five = render([Bar(f"Đơn vị {i}", Decimal(i)) for i in range(5)])
    eleven = render([Bar(f"Đơn vị {i}", Decimal(i)) for i in range(11)])
    assert view_box_height(eleven) - view_box_height(five) == 6 * 28
    assert view_box_height(five) > 5 * 28


@pytest.mark.parametrize(
    "label", ["<script>alert(1)</script>", 'A & B "x"', "<b>Đội 1</b> 'trực' & <img onerror=f()>"]
)
def test_hostile_labels_are_escaped(label):
    svg = bar_chart_svg(
        [Bar(label, Decimal(50), note="<script>x</script>")],
        max_value=Decimal(100),
        title=f"Tiêu đề {label}",
    )
    assert "<script" not in svg
    assert "<img" not in svg
    assert "<b>" not in svg
    root = parse(svg)
    assert label in texts(root)
    assert root.find(TITLE).text == f"Tiêu đề {label}"
    assert desc_of(root) == f"{label}: 50 (<script>x</script>)"


def test_characters_xml_cannot_carry_do_not_break_the_document():
    root = render([Bar("Đơn\x00 vị\x1b A", Decimal(10))], title="Điểm\x07")
    assert root.find(TITLE).text == "Điểm"
    assert "Đơn vị A" in texts(root)


def test_markup_is_allowed_by_a_strict_content_security_policy():
    bars = [*UNITS, Bar("<style>*{}</style>", Decimal(1), note='style="x"')]
    for root in (render(bars, title="<script>"), render([], title="<style>")):
        for element in root.iter():
            local_name = element.tag.rsplit("}", 1)[-1]
            assert local_name not in {"style", "script", "foreignObject", "image", "use", "a"}
            assert "style" not in element.attrib
            assert not any(name.lower().startswith("on") for name in element.attrib)
            assert not any("href" in name for name in element.attrib)


def test_muted_bars_use_the_grey_fill_and_others_the_blue():
    root = render([Bar("A", Decimal(70), muted=True), Bar("B", Decimal(70))])
    muted, normal = rects(root)
    assert muted.get("fill") == GREY
    assert normal.get("fill") == BLUE
    assert muted.get("width") == normal.get("width")


def test_the_note_is_printed_after_the_value():
    root = render([Bar("Công an tỉnh Hà Tĩnh", Decimal("45.5"), note="Không đủ điều kiện", muted=True)])
    assert "45,5 (Không đủ điều kiện)" in texts(root)


def test_long_labels_are_shortened_with_an_ellipsis_but_kept_whole_for_assistive_technology():
    label = "Phòng Cảnh sát quản lý hành chính về trật tự xã hội Công an tỉnh Quảng Trị"
    root = render([Bar(label, Decimal(80))])
    shown = [text for text in texts(root) if text.startswith("Phòng")]
    assert len(shown) == 1
    assert shown[0].endswith("…")
    assert 30 <= len(shown[0]) <= 40
    assert label.startswith(shown[0][:-1])
    assert desc_of(root) == f"{label}: 80"
    assert label in [title.text for title in root.iter(TITLE)]


def test_empty_input_gives_a_valid_svg_saying_there_is_no_data():
    svg = bar_chart_svg([], max_value=Decimal(100), title="Điểm tổng kết")
    root = parse(svg)
    assert root.tag == SVG
    assert root.find(TITLE).text == "Điểm tổng kết"
    assert root.get("aria-labelledby") == root.find(TITLE).get("id")
    assert "Chưa có dữ liệu" in texts(root)
    assert desc_of(root) == "Chưa có dữ liệu"
    assert root.get("aria-describedby") == root.find(DESC).get("id")
    assert rects(root) == []


def test_ids_differ_between_charts_and_are_stable_for_one_chart():
    first = render(UNITS, title="Khối 1")
    second = render(UNITS, title="Khối 2")
    again = render(UNITS, title="Khối 1")
    assert first.find(TITLE).get("id") != second.find(TITLE).get("id")
    assert first.find(DESC).get("id") != second.find(DESC).get("id")
    assert first.find(TITLE).get("id") == again.find(TITLE).get("id")


def test_an_explicit_chart_id_prefixes_the_ids():
    root = render(UNITS, chart_id="score-chart-7")
    assert root.find(TITLE).get("id") == "score-chart-7-title"
    assert root.find(DESC).get("id") == "score-chart-7-desc"
    assert root.get("aria-labelledby") == "score-chart-7-title"


@pytest.mark.parametrize("chart_id", ["", "7abc", 'x" onload="alert(1)', "a b"])
def test_an_invalid_chart_id_is_refused(chart_id):
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart_svg(UNITS, max_value=Decimal(100), title="Điểm", chart_id=chart_id)


@pytest.mark.parametrize(
    ("bars", "max_value"),
    [([Bar("A", Decimal("NaN"))], Decimal(100)), ([Bar("A", Decimal(1))], Decimal("Infinity"))],
)
def test_non_finite_numbers_are_refused(bars, max_value):
    with pytest.raises(ValueError, match="finite"):
        bar_chart_svg(bars, max_value=max_value, title="Điểm")
