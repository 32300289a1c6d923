"""The rich text of the report's narrative sections: syntax, pasted HTML, sanitizing, limits."""

import dataclasses
import re
import unicodedata
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.richtext import MAX_LENGTH, Block, Run, parse, to_html, to_plain

PROPERTY = settings(max_examples=300, deadline=None)
ALLOWED = {"p", "ul", "ol", "li", "strong", "em", "br"}
INLINE_PARENTS = {"p", "li", "strong", "em"}
PARENTS = {"p": {None}, "ul": {None}, "ol": {None}, "li": {"ul", "ol"}}
PARENTS |= {"strong": INLINE_PARENTS, "em": INLINE_PARENTS, "br": INLINE_PARENTS}


class Inspector(HTMLParser):
    """Everything an HTML consumer would see in an output: tags, attributes, comments, nesting."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list = []
        self.other: list = []  # comments, declarations, processing instructions
        self.unbalanced: list[str] = []
        self.misplaced: list[str] = []  # li outside a list, a list inside a paragraph…
        self.stack: list[str] = []
        self.items: list[tuple[str, int | None]] = []  # ("p", None), ("ul", None), ("ol", position)
        self.positions: list[int] = []
        self.feed(markup)
        self.close()
        self.unbalanced.extend(self.stack)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        parent = self.stack[-1] if self.stack else None
        if parent not in PARENTS.get(tag, {parent}):
            self.misplaced.append(f"<{tag}> in <{parent}>")
        if tag == "br":
            return
        if self.stack and tag == "li":
            kind = self.stack[-1]
            self.positions[-1] += 1
            self.items.append((kind, self.positions[-1] if kind == "ol" else None))
        elif tag == "p":
            self.items.append(("p", None))
        if tag in ("ul", "ol"):
            self.positions.append(0)
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self.other.append(f"<{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.unbalanced.append(f"</{tag}>")
        if tag in ("ul", "ol"):
            self.positions.pop()

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(decl)

    def unknown_decl(self, data):
        self.other.append(data)

    def handle_pi(self, data):
        self.other.append(data)


def assert_whitelisted(markup: str):
    seen = Inspector(markup)
    assert set(seen.tags) <= ALLOWED, seen.tags
    assert seen.attributes == []
    assert seen.other == []
    assert seen.unbalanced == []
    assert seen.misplaced == []


def kinds(source: str) -> list[str]:
    return [block.kind for block in parse(source)]


def texts(source: str) -> list[str]:
    return ["".join(run.text for run in block.runs) for block in parse(source)]


# Typed syntax -----------------------------------------------------------------------------------------


def test_blank_line_separates_paragraphs():
    source = "Đoạn thứ nhất.\n\nĐoạn thứ hai.\n \t \nĐoạn thứ ba."
    assert parse(source) == [
        Block("p", (Run("Đoạn thứ nhất."),)),
        Block("p", (Run("Đoạn thứ hai."),)),
        Block("p", (Run("Đoạn thứ ba."),)),
    ]
    assert to_html(source) == "<p>Đoạn thứ nhất.</p>\n<p>Đoạn thứ hai.</p>\n<p>Đoạn thứ ba.</p>"


def test_single_newline_is_a_line_break_inside_the_paragraph():
    source = "Dòng một\r\nDòng hai\rDòng ba"
    assert parse(source) == [Block("p", (Run("Dòng một\nDòng hai\nDòng ba"),))]
    assert to_html(source) == "<p>Dòng một<br>Dòng hai<br>Dòng ba</p>"


@pytest.mark.parametrize("marker", ["-", "*", "•", "+", "–"])
def test_bullet_markers_make_a_bulleted_list(marker):
    source = f"Ưu điểm:\n{marker} Đoàn kết\n{marker}\tChủ động"
    assert parse(source) == [
        Block("p", (Run("Ưu điểm:"),)),
        Block("ul", (Run("Đoàn kết"),)),
        Block("ul", (Run("Chủ động"),)),
    ]
    assert to_html(source) == "<p>Ưu điểm:</p>\n<ul>\n<li>Đoàn kết</li>\n<li>Chủ động</li>\n</ul>"


def test_numbered_markers_are_renumbered_from_one():
    source = "3. Tuyên truyền\n4) Thi đua\n9. Khen thưởng"
    assert [(b.kind, b.number) for b in parse(source)] == [("ol", 1), ("ol", 2), ("ol", 3)]
    assert texts(source) == ["Tuyên truyền", "Thi đua", "Khen thưởng"]
    assert to_html(source) == "<ol>\n<li>Tuyên truyền</li>\n<li>Thi đua</li>\n<li>Khen thưởng</li>\n</ol>"


def test_numbering_restarts_with_each_list():
    source = "1. a\n2. b\n\nĐoạn xen giữa\n\n5. c\n6. d\n- gạch\n7. e\n1. f"
    assert [(b.kind, b.number) for b in parse(source)] == [
        ("ol", 1),
        ("ol", 2),
        ("p", None),
        ("ol", 1),
        ("ol", 2),
        ("ul", None),
        ("ol", 1),
        ("ol", 1),  # an item typed with 1 starts a new list
    ]
    assert to_html(source).count("<ol>") == 4


def test_html_lists_restart_numbering_too():
    source = "<ol><li>a</li><li>b</li></ol><ol><li>c</li></ol>"
    assert [b.number for b in parse(source)] == [1, 2, 1]
    assert to_html(source) == "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n<ol>\n<li>c</li>\n</ol>"


def test_blank_lines_between_items_keep_one_list():
    source = "1. Một\n\n2. Hai\n\n\n3. Ba"
    assert [b.number for b in parse(source)] == [1, 2, 3]
    assert to_html(source).count("<ol>") == 1


def test_list_may_follow_a_paragraph_line_directly_and_a_paragraph_may_follow_it():
    source = "Phương hướng:\n- Một\n- Hai\n\nKiến nghị."
    assert kinds(source) == ["p", "ul", "ul", "p"]


def test_indented_line_continues_the_item():
    source = "- Mục một\n  tiếp theo\n- Mục hai"
    assert texts(source) == ["Mục một\ntiếp theo", "Mục hai"]
    assert "<li>Mục một<br>tiếp theo</li>" in to_html(source)


def test_unindented_line_between_two_items_continues_the_first():
    source = "1. Công tác tuyên truyền:\nnội dung chi tiết\n2. Công tác thi đua"
    assert [(b.kind, b.number) for b in parse(source)] == [("ol", 1), ("ol", 2)]
    assert texts(source)[0] == "Công tác tuyên truyền:\nnội dung chi tiết"


def test_unindented_line_before_an_item_typed_with_one_starts_a_paragraph():
    source = "1. a\n2. b\nGhi chú\n1. x"
    assert [(b.kind, b.number) for b in parse(source)] == [("ol", 1), ("ol", 2), ("p", None), ("ol", 1)]


def test_unindented_line_after_the_last_item_starts_a_paragraph():
    source = "- Một\n- Hai\nKiến nghị: không."
    assert kinds(source) == ["ul", "ul", "p"]
    assert texts(source)[2] == "Kiến nghị: không."


def test_marker_needs_a_space_after_it():
    assert kinds("-5 độ\n1.5 triệu\n*nghiêng*") == ["p"]
    assert texts("-5 độ\n1.5 triệu") == ["-5 độ\n1.5 triệu"]


def test_bold_and_italic():
    assert parse("Rất **tốt** và *khá*") == [
        Block("p", (Run("Rất "), Run("tốt", bold=True), Run(" và "), Run("khá", italic=True)))
    ]
    assert parse("__đậm__ _nghiêng_") == [
        Block("p", (Run("đậm", bold=True), Run(" "), Run("nghiêng", italic=True)))
    ]
    assert to_html("**tốt** *khá*") == "<p><strong>tốt</strong> <em>khá</em></p>"


def test_bold_and_italic_nest():
    assert parse("***cả hai***") == [Block("p", (Run("cả hai", bold=True, italic=True),))]
    assert to_html("***cả hai***") == "<p><strong><em>cả hai</em></strong></p>"
    assert to_html("**đậm *cả hai* đậm**") == "<p><strong>đậm <em>cả hai</em> đậm</strong></p>"
    assert parse("*nghiêng **cả hai** nghiêng*") == [
        Block(
            "p",
            (
                Run("nghiêng ", italic=True),
                Run("cả hai", bold=True, italic=True),
                Run(" nghiêng", italic=True),
            ),
        )
    ]
    assert parse("__đậm _cả hai_ đậm__")[0].runs[1] == Run("cả hai", bold=True, italic=True)


def test_emphasis_pairs_do_not_overlap():
    # Once "*…*" closes, the "_" opened inside it can no longer be closed outside it.
    assert parse("*a _b* c_")[0].runs == (Run("a _b", italic=True), Run(" c_"))


def test_emphasis_spans_a_line_break():
    assert parse("**dòng một\ndòng hai**") == [Block("p", (Run("dòng một\ndòng hai", bold=True),))]


@pytest.mark.parametrize(
    "source",
    [
        "biến snake_case_name",
        "3*4 = 12",
        "2*3 = 6 và 4*5 = 20",
        "tệp bao_cao_2024_v2.docx",
        "a*b*c",
        "x*y* và z",
        "hệ_số_ khác",
        "*tiền*tố",
        "_tiền_tố",
        "a * b * c",
        "**",
        "***",
        "**chưa đóng",
        "đóng sai*",
        "điểm * * *",
        "_ _",
    ],
)
def test_delimiters_inside_words_or_unmatched_stay_literal(source):
    assert parse(source) == [Block("p", (Run(source),))]


def test_emphasis_next_to_punctuation():
    assert parse("(*chú ý*), **Ưu điểm**:")[0].runs == (
        Run("("),
        Run("chú ý", italic=True),
        Run("), "),
        Run("Ưu điểm", bold=True),
        Run(":"),
    )


def test_whitespace_is_collapsed_and_lines_trimmed():
    source = "   Nhiều \t  khoảng   trắng   \n\t  dòng hai  "
    assert texts(source) == ["Nhiều khoảng trắng\ndòng hai"]


def test_empty_paragraphs_and_items_are_dropped():
    assert parse("-\n- \n1.\n\n\n\n<p> </p><ul><li></li><li>&nbsp;</li></ul>") == []
    assert parse("- \n-\t\n\n<p></p><div><br></div>") == []
    assert to_html("  \n\n \t ") == ""
    assert to_plain("") == ""


def test_an_empty_first_item_does_not_break_numbering():
    assert [b.number for b in parse("<ol><li></li><li>a</li><li>b</li></ol>")] == [1, 2]
    assert [b.number for b in parse("1.\n2. a\n3. b")] == [1, 2]


def test_vietnamese_text_passes_unchanged_and_is_nfc_normalised():
    composed = "Thi đua yêu nước: Ưu điểm, hạn chế, nguyên nhân; bài học kinh nghiệm."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert texts(decomposed) == [composed]
    assert to_plain(decomposed) == composed
    assert to_html(decomposed) == f"<p>{composed}</p>"
    # Also when the combining marks are split from their letter by a tag or written as entities.
    assert texts("Vie<span></span>\u0323\u0302t Na&#x301;m") == ["Việt Nám"]


def test_control_characters_are_removed():
    assert texts("a\x00b\x07c\x1bd\x7fe\x9bf\ufffeg\uffffh") == ["abcdefgh"]
    assert texts("&#1;a&#xfffe;b&#xffff;c") == ["abc"]
    assert texts("một\u2028hai\u2029\u2029ba") == ["một\nhai", "ba"]


# HTML input -------------------------------------------------------------------------------------------


def test_html_structure_is_kept():
    source = (
        "<p>Đoạn <strong>đậm</strong> <b>đậm</b> <em>nghiêng</em> <i>nghiêng</i></p>"
        "<div>Khối<br>dòng hai</div><ul><li>một</li><li>hai</li></ul><ol><li>ba</li></ol>"
    )
    assert to_html(source) == (
        "<p>Đoạn <strong>đậm</strong> <strong>đậm</strong> <em>nghiêng</em> <em>nghiêng</em></p>\n"
        "<p>Khối<br>dòng hai</p>\n<ul>\n<li>một</li>\n<li>hai</li>\n</ul>\n<ol>\n<li>ba</li>\n</ol>"
    )


def test_attributes_are_dropped_from_kept_tags():
    source = (
        '<P STYLE="color:red" onclick="x()"><STRONG class="a" id=b>đậm</STRONG><span lang="vi">chữ</span></P>'
    )
    assert to_html(source) == "<p><strong>đậm</strong>chữ</p>"


def test_html_pasted_from_word():
    source = (
        '<p class="MsoNormal" style="margin-bottom:0cm;line-height:normal">'
        '<b>Ưu điểm</b>: <span lang="vi">tốt</span></p><o:p></o:p>'
    )
    assert parse(source) == [Block("p", (Run("Ưu điểm", bold=True), Run(": tốt")))]
    assert to_html(source) == "<p><strong>Ưu điểm</strong>: tốt</p>"


def test_full_word_document_paste():
    source = (
        "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><meta charset=utf-8>"
        "<title>Báo cáo</title><style>p.MsoNormal{margin:0}</style>"
        "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->"
        "</head><body lang=VI style='tab-interval:36.0pt'>\r\n"
        "<p class=MsoNormal><b><span style='font-size:14.0pt'>Hạn chế</span></b><o:p></o:p></p>\r\n"
        "<p class=MsoNormal><i>Nguyên\r\nnhân</i>: chủ quan&nbsp;&nbsp;và khách quan<o:p>&nbsp;</o:p></p>\r\n"
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]>"
        "<span style='font-family:Symbol'>·<span style='font:7.0pt'>&nbsp;&nbsp; </span></span>"
        "<![endif]>Mục một<o:p></o:p></p></body></html>"
    )
    assert parse(source) == [
        Block("p", (Run("Hạn chế", bold=True),)),
        Block("p", (Run("Nguyên nhân", italic=True), Run(": chủ quan và khách quan"))),
        Block("p", (Run("· Mục một"),)),
    ]
    assert_whitelisted(to_html(source))


def test_web_page_paste():
    source = (
        "<!DOCTYPE html><html><head><title>Trang</title><script>track()</script></head><body>"
        "<nav><a href='/'>Trang chủ</a></nav><h2>Bài học kinh nghiệm</h2>"
        "<table><tr><td>Cột A</td><td>Cột B</td></tr></table>"
        "<ul><li><p>Một</p><p>tiếp</p></li><li>Hai<ul><li>lồng</li></ul></li></ul></body></html>"
    )
    assert [(b.kind, "".join(r.text for r in b.runs)) for b in parse(source)] == [
        ("p", "Trang chủ"),
        ("p", "Bài học kinh nghiệm"),
        ("p", "Cột A Cột B"),
        ("ul", "Một\ntiếp"),
        ("ul", "Hai"),
        ("ul", "lồng"),
    ]


def test_newlines_inside_html_blocks_are_spaces():
    source = "<p>một\nhai</p>\n- ba\n- bốn"
    assert texts(source) == ["một hai", "ba", "bốn"]
    assert kinds(source) == ["p", "ul", "ul"]


def test_typed_markup_and_html_mix():
    source = "Ưu điểm:\n- <b>Đoàn kết</b> và **chủ động**\n- <i>Sáng tạo</i>\n<p>Đoạn *HTML*</p>"
    assert parse(source) == [
        Block("p", (Run("Ưu điểm:"),)),
        Block("ul", (Run("Đoàn kết", bold=True), Run(" và "), Run("chủ động", bold=True))),
        Block("ul", (Run("Sáng tạo", italic=True),)),
        Block("p", (Run("Đoạn "), Run("HTML", italic=True))),
    ]


def test_line_breaks_and_paragraphs_from_br_outside_html_blocks():
    assert texts("một<br>hai<br><br>ba") == ["một\nhai", "ba"]


@pytest.mark.parametrize(
    "source",
    [
        "<script>x = 1</script>",
        "<style>p { color: red }</style>",
        "<iframe>khung</iframe>",
        "<object>đối tượng</object>",
        "<embed src=x>",
        "<template><p>mẫu</p></template>",
        "<noscript>không script</noscript>",
        "<svg><text>hình</text></svg>",
        "<math><mi>x</mi></math>",
        "<!-- chú thích -->",
        "<title>tiêu đề</title>",
        "<head><meta charset=utf-8></head>",
        "<textarea>ô nhập</textarea>",
    ],
)
def test_dangerous_elements_lose_their_content(source):
    assert texts(f"Trước {source} sau") == ["Trước sau"]


@pytest.mark.parametrize("source", ["<script>x", "<svg><p>hình</p>", "<!-- chú thích", "<iframe>khung"])
def test_unclosed_dangerous_element_drops_the_rest(source):
    assert texts(f"Trước {source} sau") == ["Trước"]


def test_embed_is_void_and_does_not_swallow_what_follows():
    assert texts("<embed src=x>sau") == ["sau"]


@pytest.mark.parametrize(
    "source",
    ["<u>chữ</u>", "<a href='https://x.vn'>chữ</a>", "<font face=Arial>chữ</font>", "<x-tag>chữ</x-tag>"],
)
def test_other_tags_are_removed_but_their_text_kept(source):
    assert to_html(source) == "<p>chữ</p>"


def test_entities_are_decoded_and_re_escaped():
    source = "&lt;b&gt;không đậm&lt;/b&gt; &amp;lt; &#7871; caf&eacute; A&nbsp;&nbsp;B Q&A"
    assert texts(source) == ["<b>không đậm</b> &lt; ế café A B Q&A"]
    assert to_html(source) == "<p>&lt;b&gt;không đậm&lt;/b&gt; &amp;lt; ế café A B Q&amp;A</p>"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("a < b", "a < b"),
        ("x <= 3", "x <= 3"),
        ("1 <2", "1 <2"),
        ("kết thúc <", "kết thúc <"),
        ("<> >", "<> >"),
    ],
)
def test_less_than_typed_as_text_survives(source, text):
    assert texts(source) == [text]
    assert to_html(source) == "<p>" + text.replace("<", "&lt;").replace(">", "&gt;") + "</p>"


def test_unfinished_tag_at_the_end_is_dropped():
    assert texts('Chữ <a href="javascript:alert(1)"') == ["Chữ"]


# Sanitizing -------------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    '<a href="javascript:alert(1)">bấm vào</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<a href=javascript&colon;alert(1)>x</a>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">đoạn</p>',
    '<div onmouseover="alert(1)">di chuột</div><body onload=alert(1)>',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<template><img src=x onerror=alert(1)></template>",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '"><script>alert(1)</script>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<form action="javascript:alert(1)"><button formaction=javascript:alert(1)>x</button></form>',
    '<STYLE>li {list-style-image: url("javascript:alert(1)");}</STYLE><UL><LI>XSS</UL>',
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<x onerror=alert(1)>chữ",
    "<<img src=x onerror=alert(1)>>",
    '<p>chưa đóng <b>đậm <i>nghiêng <a href="javascript:alert(1)"',
    '<img src="x" onerror="alert(1)"',
    "<p>a\x00<img src=x onerror=alert(1)>b</p>",
    "**<img src=x onerror=alert(1)>** và *<a href='javascript:alert(1)'>x</a>*",
    '- <b onclick="alert(1)">x</b>\n1. <i style="x:expression(alert(1))">y</i>\n\n<P ONERROR=x>z',
]


def test_the_xss_battery_is_large_enough():
    assert len(XSS) >= 15


@pytest.mark.parametrize("payload", XSS)
def test_xss_payload_is_neutralised(payload):
    markup = to_html(payload)
    assert_whitelisted(markup)
    for output in (markup, to_plain(payload)):
        assert "javascript:" not in output.lower()
        assert "onerror" not in output.lower()
        assert "<script" not in output.lower()


def test_escaped_markup_stays_visible_text():
    source = "&lt;script&gt;alert(1)&lt;/script&gt; <b>&lt;i&gt;</b>"
    assert to_html(source) == "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>&lt;i&gt;</strong></p>"


def test_markdown_links_are_not_links():
    markup = to_html("[bấm](javascript:alert(1)) <https://x.vn>")
    assert_whitelisted(markup)
    assert "href" not in markup


def test_to_html_returns_a_safe_string():
    markup = to_html("a < b & **c**")
    assert isinstance(markup, SafeString)
    assert conditional_escape(markup) == markup == "<p>a &lt; b &amp; <strong>c</strong></p>"


def test_blocks_are_immutable():
    block = parse("**a**")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        block.kind = "ul"
    with pytest.raises(dataclasses.FrozenInstanceError):
        block.runs[0].bold = False


# Plain text and limits --------------------------------------------------------------------------------


def test_to_plain_layout():
    source = "Mở đầu **đậm**\ndòng hai\n\n- một\n- hai\n  tiếp\n\n5. năm\n6. sáu\n\nKết."
    assert to_plain(source) == "Mở đầu đậm\ndòng hai\n\n- một\n- hai\n  tiếp\n\n1. năm\n2. sáu\n\nKết."


def test_to_plain_indents_continuation_lines_of_numbered_items():
    assert to_plain("1. một\n   tiếp\n2. hai") == "1. một\n   tiếp\n2. hai"


def test_source_of_exactly_the_limit_is_accepted():
    source = "a" * MAX_LENGTH
    assert MAX_LENGTH == 50_000
    assert to_plain(source) == source


@pytest.mark.parametrize("render", [parse, to_html, to_plain])
def test_longer_source_is_refused_with_a_message(render):
    with pytest.raises(ValueError, match=re.escape("Nội dung dài quá 50.000 ký tự.")):
        render("a" * (MAX_LENGTH + 1))


def test_limit_counts_characters_not_bytes():
    assert len(to_plain("ệ" * MAX_LENGTH)) == MAX_LENGTH


# Properties -------------------------------------------------------------------------------------------

FRAGMENTS = [
    "<", ">", "</", "/>", "<!--", "-->", "<![", "]]>", "<!", "<?", "&", "&amp;", "&lt;", "&#", "&#x", ";",
    "=", '"', "'", "*", "**", "***", "_", "__", "- ", "* ", "• ", "1. ", "2) ", "\n", "\n\n", "\r\n", " ",
    "  ", "\t", "\x00", "\u2028", "script", "style", "svg", "math", "iframe", "template", "embed", "p", "div",
    "li", "ul", "ol", "b", "i", "em", "strong", "span", "br", "a", "img", "href", "src", "onerror",
    "javascript:", "alert(1)", "chữ", "Ư", "e\u0301", "\ufffe", "&#1;", "x",
]  # fmt: skip
markupish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)
sources = st.one_of(st.text(), markupish)


@PROPERTY
@given(sources)
def test_output_only_ever_contains_whitelisted_tags_without_attributes(source):
    assert_whitelisted(to_html(source))


@PROPERTY
@given(sources)
def test_parse_and_to_html_agree(source):
    blocks = parse(source)
    seen = Inspector(to_html(source))
    assert seen.tags.count("p") + seen.tags.count("li") == len(blocks)
    # Same kinds in the same order, each numbered item at its position in its <ol>.
    assert seen.items == [(block.kind, block.number) for block in blocks]


@PROPERTY
@given(sources)
def test_blocks_are_tidy(source):
    for block in parse(source):
        assert block.runs
        assert all(run.text for run in block.runs)
        assert all((a.bold, a.italic) != (b.bold, b.italic) for a, b in pairwise(block.runs))
        text = "".join(run.text for run in block.runs)
        assert text == text.strip()
        assert "  " not in text and " \n" not in text and "\n " not in text and "\n\n" not in text
        # No control character and nothing XML (the .docx) refuses.
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]", text)
        assert all(unicodedata.is_normalized("NFC", run.text) for run in block.runs)


no_markup_text = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="*_<>&"),
        st.sampled_from(["\n", "\t", " ", "-", "•", "1", ".", ")"]),
    )
)


@PROPERTY
@given(no_markup_text)
def test_every_word_of_a_source_without_markup_survives_in_plain_text(source):
    plain = to_plain(source)
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", source)):
        assert word in plain


@PROPERTY
@given(sources)
def test_plain_text_has_no_stray_blank_lines(source):
    plain = to_plain(source)
    assert plain == plain.strip()
    assert "\n\n\n" not in plain
    assert "\r" not in plain
