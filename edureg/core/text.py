"""What the register accepts as text: one spelling of every digit, nothing it cannot store.

Identifiers, dates and numbers are compared, checked for uniqueness and stored in ASCII digits.
Input may arrive in another spelling of the same characters — fullwidth forms (`５１３０…`,
typed with an East Asian input method) or mathematical digits — and these are folded to ASCII
before anything else looks at the value. Digits of other scripts (Arabic-Indic `٢٠٢٤`,
Devanagari, …) are not the same characters: where a value's format is digits they are
refused, never read as if they were ASCII digits (Python's `int()` and Django's date parsing
would read them).

Text the databases cannot store the same way is refused as well: a NUL character (PostgreSQL
refuses it, SQLite stores it) and a lone UTF-16 surrogate (not encodable as UTF-8).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata


def _compatibility_table() -> dict[int, str]:
    """Characters whose compatibility form (NFKC) is one printable ASCII character: the
    Halfwidth and Fullwidth Forms block, and the digits of the mathematical and segmented fonts
    (the only other decimal digits whose NFKC form is ASCII)."""
    table: dict[int, str] = {0x3000: " "}  # ideographic space
    blocks = (range(0xFF01, 0xFF5F), range(0x1D7CE, 0x1D800), range(0x1FBF0, 0x1FBFA))
    for block in blocks:
        for code in block:
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and " " < folded <= "~":
                table[code] = folded
    return table


_FOLD = _compatibility_table()
_SURROGATE = re.compile("[\ud800-\udfff]")
# A value made of digits and what dates, times and numbers are written with: its format is
# digits, so its digits must be ASCII ones.
_DIGIT_FORMAT = re.compile(r"[\d\s.,:;+\-/_eETZ]*\d[\d\s.,:;+\-/_eETZ]*")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def fold(text: str) -> str:
    """The text with fullwidth characters and other fonts' digits in their ASCII form."""
    return text.translate(_FOLD)


def has_foreign_digits(text: str) -> bool:
    """Whether the text holds a decimal digit that is not 0–9 (after folding)."""
    return any(c.isdecimal() and not c.isascii() for c in text)


def is_digit_format(text: str) -> bool:
    """Whether the text is written like an identifier, a date, a time or a number."""
    return bool(_DIGIT_FORMAT.fullmatch(text))


def problem(text: str) -> str | None:
    """Why the register cannot take this (folded) text, or None when it can.

    One of "nul", "surrogate", "digits"."""
    if "\x00" in text:
        return "nul"
    if _SURROGATE.search(text):
        return "surrogate"
    if has_foreign_digits(text) and is_digit_format(text):
        return "digits"
    return None


def parse_iso_date(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD (after folding, surrounding spaces ignored), or None.

    Only ASCII digits are read; the date stored is exactly the one written."""
    value = fold(text).strip()
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
