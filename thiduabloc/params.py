"""Whole numbers read from a query string or a raw form field, where anything may arrive."""

# The largest value a database integer column holds (SQLite INTEGER, PostgreSQL bigint).
MAX_DATABASE_INTEGER = 2**63 - 1


def whole_number(value: str | None) -> int | None:
    """``value`` as an int when it is written with the digits 0–9 only and fits a database integer, else None.

    ``str.isdigit()`` alone is not enough: it accepts "²" or "١٢", which int() refuses or reads, and numbers too
    large for the database to compare with a column."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_DATABASE_INTEGER else None


SEARCH_LIMIT = 100


def search_text(value: str | None) -> str:
    """A search box's text, as the database can take it: without control characters (PostgreSQL refuses a
    NUL in a string), spaces collapsed, at most SEARCH_LIMIT characters."""
    printable = "".join(c if c.isprintable() else " " for c in value or "")
    return " ".join(printable.split())[:SEARCH_LIMIT]
