"""Safe rich text for the narrative sections of the year-end report.

Secretaries type into a plain <textarea>, or paste HTML from Word or a web page. The text is parsed once
into blocks of styled runs (`parse`), from which the HTML page and PDF (`to_html`), the .docx and plain
text (`to_plain`) are all rendered: nothing of the input's markup reaches the output except escaped text.

Syntax:
- A blank line separates paragraphs; a single newline is a line break inside the paragraph.
- Lines starting with "- ", "* ", "• ", "+ " or "– " are bulleted items, lines starting with "1. " or
  "1) " numbered items, renumbered from 1 in each list. Blank lines between items do not end a list;
  a paragraph, an item of the other kind or an item typed with the number 1 starts a new one. A line
  right after an item continues it (line break) if indented, or if the next line is an item of the same
  list; otherwise it starts a paragraph. Lists do not nest: nested items join the outer list.
- **bold** or __bold__, *italic* or _italic_, ***both***, nestable. A delimiter opens only where no
  letter or digit precedes it and closes only where none follows, so snake_case, 3*4 and a*b*c stay
  literal; unmatched delimiters stay literal.
- HTML: <p>, <div> and the other block elements make paragraphs, <br> a line break, <ul>/<ol>/<li>
  lists, <strong>/<b> bold, <em>/<i> italic. Attributes are dropped; other tags are removed and their
  text kept, except <script>, <style>, <iframe>, <object>, <embed>, <template>, <noscript>, <svg>,
  <math>, <head>, <title>, <xml>, <textarea> (and a few obsolete ones) and comments, removed with
  their content; an unfinished tag or comment at the very end is removed too.
  Inside an HTML block element newlines are spaces, as in HTML. "<" starts a tag when a letter, "/",
  "!" or "?" follows it: write "a < b" with spaces.
- Runs of whitespace become one space, lines are trimmed, empty paragraphs and items are dropped,
  control characters are removed and the text is NFC-normalised.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import groupby

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

MAX_LENGTH = 50_000
TOO_LONG = gettext_lazy("Nội dung dài quá 50.000 ký tự.")  # shown to the user, in their language


@dataclass(frozen=True)
class Run:
    text: str  # "\n" inside the text is a line break
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    kind: str  # "p" (paragraph), "ul" (bulleted list item), "ol" (numbered list item)
    runs: tuple[Run, ...]
    number: int | None = None  # for "ol": 1, 2, 3… restarting with each list


def parse(source: str) -> list[Block]:
    """The structured form of the source text."""
    if source is None:
        source = ""
    if len(source) > MAX_LENGTH:
        raise ValueError(TOO_LONG)
    return _blocks(_read(_clean(source)))


def to_html(source: str) -> SafeString:
    """Sanitized HTML using only <p>, <ul>, <ol>, <li>, <strong>, <em>, <br>; no attributes at all."""
    out = []
    open_list = None
    for block in parse(source):
        if block.kind == "p" or block.kind != open_list or block.number == 1:
            if open_list:
                out.append(f"</{open_list}>")
                open_list = None
            if block.kind != "p":
                open_list = block.kind
                out.append(f"<{open_list}>")
        tag = "p" if block.kind == "p" else "li"
        out.append(f"<{tag}>{_runs_html(block.runs)}</{tag}>")
    if open_list:
        out.append(f"</{open_list}>")
    return mark_safe("\n".join(out))


def to_plain(source: str) -> str:
    """Plain text (for previews, search, length checks): paragraphs separated by blank lines, list items as "- " / "1. "."""
    out = []
    previous = None
    for block in parse(source):
        prefix = "" if block.kind == "p" else "- " if block.kind == "ul" else f"{block.number}. "
        text = "".join(run.text for run in block.runs).replace("\n", "\n" + " " * len(prefix))
        if previous is not None:
            same_list = block.kind == previous.kind != "p" and block.number != 1
            out.append("\n" if same_list else "\n\n")
        out.append(prefix + text)
        previous = block
    return "".join(out)


def _runs_html(runs: tuple[Run, ...]) -> str:
    parts = []
    for bold, group in groupby(runs, key=lambda run: run.bold):
        inner = "".join(
            f"<em>{_text_html(run.text)}</em>" if run.italic else _text_html(run.text) for run in group
        )
        parts.append(f"<strong>{inner}</strong>" if bold else inner)
    return "".join(parts)


def _text_html(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


# Cleaning -------------------------------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls other than tab and newline, lone surrogates, and U+FFFE/U+FFFF (not allowed in XML,
# which the .docx is).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", _CONTROLS.sub("", _NEWLINES.sub("\n", text)))


# HTML reading -----------------------------------------------------------------------------------------

# Removed together with their content. Besides the dangerous ones: the document head, Word's <xml>
# islands, and elements whose content newer versions of html.parser read as raw text.
_DROP = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
    | {"head", "title", "xml", "textarea", "xmp", "plaintext", "noembed", "noframes", "frameset", "applet"}
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track"}
    | {"wbr", "basefont", "bgsound", "frame", "keygen"}
)
# Paragraph boundaries. Apart from <pre> and the void <hr>, their content follows HTML whitespace rules.
_BLOCK = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "center", "address"}
    | {"section", "article", "header", "footer", "aside", "nav", "main", "hgroup", "search", "dialog"}
    | {"figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "caption", "dl", "dt", "dd"}
    | {"form", "fieldset", "legend", "details", "summary", "body", "html"}
)
_CELL = frozenset({"td", "th"})
_BOLD = frozenset({"strong", "b"})
_ITALIC = frozenset({"em", "i"})
_LISTS = frozenset({"ul", "ol"})

# html.parser raises on unknown "<![keyword" sections; in HTML they are bogus comments, as "<!x" is.
_MARKED_SECTION = re.compile(r"<!\[+")
# What html.parser keeps unparsed at the end: an unfinished tag or comment, dropped as in HTML.
_UNFINISHED = re.compile(r"<[a-zA-Z/!?]")

_MARKER = re.compile(r"[^\S\n]*(?:(?P<bullet>[-*•+–])|(?P<number>\d{1,3})[.)])(?:[^\S\n]+|$)")


@dataclass(eq=False)
class _Raw:
    """A block being built from pieces of (text, bold, italic); a newline in a piece is a line break."""

    kind: str
    from_lines: bool
    list_start: bool = False
    restarts: bool = False  # a typed item numbered 1
    lazy_of: "_Raw | None" = None  # for a paragraph right after a typed item: that item
    pieces: list = field(default_factory=list)


class _Builder:
    """Turns text and structure events into raw blocks.

    Outside any HTML block element the text is read line by line with the typed syntax; inside one,
    newlines are spaces and the HTML elements give the structure.
    """

    def __init__(self):
        self.raws: list[_Raw] = []
        self.current: _Raw | None = None
        self.containers: list[str] = []  # open HTML block elements, innermost last
        self.open_counts: dict[str, int] = {}  # how many of each are open
        self.list_path: list[str] = []  # the open ul, ol and li among them
        self.line: list = []  # pieces of the typed line being read
        self.blank = False  # a blank typed line since the current block
        self.last_item_kind = None  # kind of the typed list being continued
        self.list_kind = None  # kind of the outermost open HTML list
        self.list_new = False  # its first item is still to come

    # Text --------------------------------------------------------------------------------------------

    def text(self, data: str, bold: bool, italic: bool):
        if self.containers:
            data = data.replace("\n", " ")
            if self.current is None:
                if not data.strip():
                    return
                if self._in_item():
                    self._start(self._item_kind(), from_lines=False, list_start=self._take_list_start())
                else:
                    self._start("p", from_lines=False)
            self.current.pieces.append((data, bold, italic))
            return
        for k, part in enumerate(data.split("\n")):
            if k:
                self._end_line()
            if part:
                self.line.append((part, bold, italic))

    def br(self, bold: bool, italic: bool):
        if not self.containers:
            self._end_line()
        elif self.current is not None:
            self.current.pieces.append(("\n", bold, italic))

    def _end_line(self):
        line, self.line = self.line, []
        text = "".join(piece[0] for piece in line)
        if not text.strip():
            self.current = None
            self.blank = True
            return
        marker = _MARKER.match(text)
        if marker:
            kind = "ol" if marker.group("number") else "ul"
            restart = self.last_item_kind != kind or _is_one(marker.group("number"))
            self._start(kind, from_lines=True, list_start=restart, restarts=_is_one(marker.group("number")))
            self.last_item_kind = kind
            line = _drop_prefix(line, marker.end())
        elif self.current is not None and not self.blank and (self.current.kind == "p" or text[0].isspace()):
            line = [("\n", False, False), *line]
        else:
            previous = self.current
            self._start("p", from_lines=True)
            if previous is not None and previous.kind != "p" and not self.blank:
                self.current.lazy_of = previous
            self.last_item_kind = None
        self.current.pieces.extend(line)
        self.blank = False

    def _start(self, kind: str, from_lines: bool, list_start: bool = False, restarts: bool = False):
        self.current = _Raw(kind, from_lines, list_start, restarts)
        self.raws.append(self.current)

    # Structure ---------------------------------------------------------------------------------------

    def _structure(self):
        """Every HTML structure event ends the typed line and any typed list."""
        if self.line:
            self._end_line()
        self.last_item_kind = None
        self.blank = False

    def boundary(self):
        self._structure()
        if self._in_item() and self.current is not None:
            self.current.pieces.append(("\n", False, False))
        else:
            self.current = None

    def block_open(self, tag: str):
        self._structure()
        self._close_paragraph()
        if tag != "pre":
            self._push(tag)
        self.boundary()

    def block_close(self, tag: str):
        self._structure()
        self._pop(tag)
        self.boundary()

    def list_open(self, tag: str):
        self._structure()
        self._close_paragraph()
        if not self._in_list():
            self.list_kind = tag
            self.list_new = True
        self._push(tag)
        self.current = None

    def list_close(self, tag: str):
        self._structure()
        self._pop(tag)
        if not self._in_list():
            self.list_kind = None
        self.current = None

    def item_open(self):
        self._structure()
        self._close_paragraph()
        if self._in_item():  # an open <li> of the same list ends here
            self._pop("li")
        self._push("li")
        self._start(self._item_kind(), from_lines=False, list_start=self._take_list_start())

    def item_close(self):
        self._structure()
        self._pop("li")
        self.current = None

    def finish(self) -> list[_Raw]:
        if self.line:
            self._end_line()
        return self.raws

    def _item_kind(self) -> str:
        return self.list_kind or "ul"

    def _take_list_start(self) -> bool:
        flag, self.list_new = self.list_new, False
        return flag

    def _in_item(self) -> bool:
        """Whether the innermost open list element is an <li>."""
        return bool(self.list_path) and self.list_path[-1] == "li"

    def _in_list(self) -> bool:
        return bool(self.open_counts.get("ul") or self.open_counts.get("ol"))

    def _close_paragraph(self):
        # A block or list start closes an open <p>, as in HTML.
        if self.containers and self.containers[-1] == "p":
            self._pop("p")

    def _push(self, tag: str):
        self.containers.append(tag)
        self.open_counts[tag] = self.open_counts.get(tag, 0) + 1
        if tag == "li" or tag in _LISTS:
            self.list_path.append(tag)

    def _pop(self, tag: str):
        """Close the innermost open `tag` and everything inside it; nothing if none is open."""
        if not self.open_counts.get(tag):
            return
        while True:
            popped = self.containers.pop()
            self.open_counts[popped] -= 1
            if popped == "li" or popped in _LISTS:
                self.list_path.pop()
            if popped == tag:
                return


class _Reader(HTMLParser):
    def __init__(self, builder: _Builder):
        super().__init__(convert_charrefs=True)
        self.out = builder
        self.dropping: list[str] = []
        self.bold = 0
        self.italic = 0

    def handle_starttag(self, tag, attrs):
        self._tag(tag, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, closed=True)

    def _tag(self, tag: str, closed: bool):
        if tag in _DROP:
            if not closed and tag not in _VOID:
                self.dropping.append(tag)
            return
        if self.dropping:
            return
        out = self.out
        if tag == "br":
            out.br(self.bold > 0, self.italic > 0)
        elif tag in _BOLD:
            if not closed:
                self.bold += 1
        elif tag in _ITALIC:
            if not closed:
                self.italic += 1
        elif tag in _LISTS:
            if closed:
                out.boundary()
            else:
                out.list_open(tag)
        elif tag == "li":
            if closed:
                out.boundary()
            else:
                out.item_open()
        elif tag in _BLOCK:
            if closed or tag in _VOID:
                out.boundary()
            else:
                out.block_open(tag)
        elif tag in _CELL:
            self.handle_data(" ")

    def handle_endtag(self, tag):
        if self.dropping:
            if tag in self.dropping:
                while self.dropping.pop() != tag:
                    pass
            return
        out = self.out
        if tag == "br":  # </br> is a line break in HTML
            out.br(self.bold > 0, self.italic > 0)
        elif tag in _BOLD:
            self.bold = max(0, self.bold - 1)
        elif tag in _ITALIC:
            self.italic = max(0, self.italic - 1)
        elif tag in _LISTS:
            out.list_close(tag)
        elif tag == "li":
            out.item_close()
        elif tag in _BLOCK:
            out.block_close(tag)
        elif tag in _CELL:
            self.handle_data(" ")

    def handle_data(self, data):
        if not self.dropping:
            self.out.text(_clean(data), self.bold > 0, self.italic > 0)

    # Comments, declarations and processing instructions are ignored by the base class.


def _read(source: str) -> list[_Raw]:
    builder = _Builder()
    reader = _Reader(builder)
    reader.feed(_MARKED_SECTION.sub("<!", source))
    if _UNFINISHED.match(reader.rawdata):  # html.parser would give it back as text
        reader.rawdata = ""
    reader.close()
    return builder.finish()


def _is_one(number: str | None) -> bool:
    return number is not None and int(number) == 1


def _drop_prefix(pieces: list, count: int) -> list:
    result = []
    for text, bold, italic in pieces:
        if count >= len(text):
            count -= len(text)
            continue
        result.append((text[count:], bold, italic))
        count = 0
    return result


# Blocks and inline emphasis ---------------------------------------------------------------------------


def _blocks(raws: list[_Raw]) -> list[Block]:
    kept: list[_Raw] = []
    for k, raw in enumerate(raws):
        following = raws[k + 1] if k + 1 < len(raws) else None
        item = raw.lazy_of
        if (
            item is not None
            and kept
            and kept[-1] is item
            and following is not None
            and following.from_lines
            and following.kind == item.kind
            and not following.restarts
        ):
            # A line between two items of a typed list continues the first one.
            item.pieces.extend([("\n", False, False), *raw.pieces])
            following.list_start = False
            continue
        kept.append(raw)

    blocks: list[Block] = []
    list_start = False
    for raw in kept:
        list_start = list_start or raw.list_start
        runs = _runs(raw.pieces)
        if not runs:
            continue
        number = None
        if raw.kind == "ol":
            previous = blocks[-1] if blocks else None
            continues = previous is not None and previous.kind == "ol" and not list_start
            number = previous.number + 1 if continues else 1
        blocks.append(Block(raw.kind, runs, number))
        list_start = False
    return blocks


def _runs(pieces: list) -> tuple[Run, ...]:
    chars = _squeeze([(c, bold, italic) for text, bold, italic in pieces for c in text])
    runs = []
    for (bold, italic), group in groupby(_emphasis(chars), key=lambda c: (c[1], c[2])):
        runs.append(Run(unicodedata.normalize("NFC", "".join(c[0] for c in group)), bold, italic))
    return tuple(runs)


def _squeeze(chars: list) -> list:
    """One space for each run of whitespace, no space around line breaks, no break at either end."""
    out = []
    for char in chars:
        c = char[0]
        if c == "\n":
            while out and out[-1][0] == " ":
                out.pop()
            if out and out[-1][0] != "\n":
                out.append(char)
        elif c.isspace():
            if out and out[-1][0] not in " \n":
                out.append((" ", char[1], char[2]))
        else:
            out.append(char)
    while out and out[-1][0] in " \n":
        out.pop()
    return out


@dataclass(eq=False)
class _Delimiter:
    char: str
    count: int
    bold: bool
    italic: bool
    position: int
    can_open: bool
    can_close: bool
    closes: list = field(default_factory=list)
    opens: list = field(default_factory=list)


def _is_punctuation(c: str) -> bool:
    return unicodedata.category(c)[0] in "PS"


def _emphasis(chars: list) -> list:
    """Resolve ** __ * _ delimiter runs (a simplified CommonMark) into bold and italic flags."""
    atoms: list = []
    k = 0
    while k < len(chars):
        c = chars[k][0]
        if c not in "*_":
            atoms.append(chars[k])
            k += 1
            continue
        end = k
        while end < len(chars) and chars[end][0] == c:
            end += 1
        before = chars[k - 1][0] if k else " "
        after = chars[end][0] if end < len(chars) else " "
        left = not after.isspace() and (
            not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
        )
        right = not before.isspace() and (
            not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
        )
        atoms.append(
            _Delimiter(
                c,
                end - k,
                chars[k][1],
                chars[k][2],
                len(atoms),
                can_open=left and not before.isalnum(),
                can_close=right and not after.isalnum(),
            )
        )
        k = end

    # Openers waiting for a closer, one stack per delimiter character: the nearest is always on top.
    stacks: dict[str, list[_Delimiter]] = {"*": [], "_": []}
    for atom in atoms:
        if not isinstance(atom, _Delimiter):
            continue
        if atom.can_close:
            own, other = stacks[atom.char], stacks["_" if atom.char == "*" else "*"]
            while atom.count and own:
                opener = own[-1]
                # Openers between the pair can no longer match.
                while other and other[-1].position > opener.position:
                    other.pop()
                used = 2 if atom.count >= 2 and opener.count >= 2 else 1
                opener.count -= used
                atom.count -= used
                opener.opens.append(used)
                atom.closes.append(used)
                if not opener.count:
                    own.pop()
        if atom.can_open and atom.count:
            stacks[atom.char].append(atom)

    out = []
    depth = {1: 0, 2: 0}  # italic, bold
    for atom in atoms:
        if isinstance(atom, _Delimiter):
            for used in atom.closes:
                depth[used] -= 1
            out.extend([(atom.char, atom.bold or depth[2] > 0, atom.italic or depth[1] > 0)] * atom.count)
            for used in atom.opens:
                depth[used] += 1
        else:
            out.append((atom[0], atom[1] or depth[2] > 0, atom[2] or depth[1] > 0))
    return out
