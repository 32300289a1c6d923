"""Text folding for searches that ignore Vietnamese diacritics and case."""

import unicodedata

# "đ" is a letter of its own, not "d" with a combining mark, so NFD alone leaves it in place.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with whitespace collapsed.

    >>> fold("Hội Chữ thập đỏ  thành phố")
    'hoi chu thap do thanh pho'
    """
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
