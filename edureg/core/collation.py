"""Lithuanian order and diacritic-free search of names, the same on PostgreSQL and SQLite.

Lists and exports sort people by Lithuanian rules: Č after C, Š after S, Ž after Z; Ą, Ę, Ė, Į,
Ų, Ū sort with their base letter and Y with I, told apart only when all else is equal (the
CLDR collation for Lithuanian). On PostgreSQL that is the ICU collation `lt-x-icu`; SQLite
has no ICU, so the same rules are registered on each connection as a Python collation named
`lt` (see `register_sqlite`).

A name search ignores case and diacritics: "balciunas" finds Balčiūnas. Both the column and
the query are folded with one table of letters (`FOLD`): `translate(lower(…))` on PostgreSQL,
a registered Python function on SQLite.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from django.db.models import Expression, F, Func

# Letters folded for search, and what they fold to: Lithuanian first, then the letters of
# neighbouring languages that appear in learners' names (Latvian, Polish, German, …). Upper
# case is listed too: PostgreSQL's lower() leaves non-ASCII letters alone in a C-locale
# database.
_FOLDS = {
    "a": "ąāáàâäåã",
    "c": "čćç",
    "d": "ď",
    "e": "ęėēéèêë",
    "g": "ģ",
    "i": "įīíìîï",
    "k": "ķ",
    "l": "ļł",
    "n": "ņńñň",
    "o": "ōóòôöõøő",
    "r": "ŗř",
    "s": "šś",
    "t": "ť",
    "u": "ųūúùûüůű",
    "y": "ýÿ",
    "z": "žźż",
}
_FROM = "".join(letters + letters.upper() for letters in _FOLDS.values())
_TO = "".join(base * (2 * len(letters)) for base, letters in _FOLDS.items())
FOLD = str.maketrans(_FROM, _TO)

SQLITE_FOLD = "edureg_fold"
SQLITE_COLLATION = "lt"
POSTGRESQL_COLLATION = "lt-x-icu"

# The Lithuanian alphabet at the primary level: the letters sorted apart, in order. Letters
# with an ogonek or a macron, the dotted ė and y share the place of their base letter.
_ALPHABET = "aąbcčdeęėfghiįyjklmnopqrsštuųūvwxzž"
_PRIMARY = {
    **{c: c for c in "abcčdefghijklmnopqrsštuvwxzž"},
    "ą": "a",
    "ę": "e",
    "ė": "e",
    "į": "i",
    "y": "i",
    "ų": "u",
    "ū": "u",
}
_ORDER = {c: i for i, c in enumerate("abcčdefghijklmnopqrsštuvwxzž")}


def fold(text: str) -> str:
    """The text as a name search compares it: case and diacritics removed."""
    folded = text.casefold().translate(FOLD)
    # Anything else with a diacritic: its base letter.
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4096)
def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Lithuanian collation key: the primary letters, then the variants (a < ą, i < į < y),
    then the text itself (lower case before upper, as ICU)."""
    lowered = text.casefold()
    primary: list[int] = []
    secondary: list[int] = []
    for char in lowered:
        base = _PRIMARY.get(char)
        if base is None:
            plain = fold(char) or char
            base = plain[0] if plain[0] in _ORDER else None
        if base is None:
            # Digits and other characters before letters, by code point; spaces and hyphens
            # count as word breaks.
            primary.append(-0x110001 if char in " -'’" else ord(char) - 0x110000)
            secondary.append(0)
            continue
        primary.append(_ORDER[base])
        secondary.append(_ALPHABET.index(char) if char in _ALPHABET else 0)
    return tuple(primary), tuple(secondary), text.swapcase()


def _collate(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def register_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: the collation and the fold function on a new SQLite
    connection (PostgreSQL has both built in)."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_collation(SQLITE_COLLATION, _collate)
    raw.create_function(
        SQLITE_FOLD, 1, lambda value: None if value is None else fold(value), deterministic=True
    )


class Folded(Func):
    """A text column as a name search compares it (see `fold`)."""

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function=SQLITE_FOLD, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=f"translate(lower(%(expressions)s), '{_FROM}', '{_TO}')",
            **extra,
        )


class Lithuanian(Func):
    """A text column in Lithuanian order, for `order_by`."""

    template = "%(expressions)s"

    def __init__(self, expression: str | Expression) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{sql} COLLATE "{SQLITE_COLLATION}"', params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{sql} COLLATE "{POSTGRESQL_COLLATION}"', params


def name_order(prefix: str = "") -> list[Any]:
    """Order by family name, then given names, in Lithuanian order; `prefix` reaches the person
    through a relation (e.g. "person__")."""
    return [
        Lithuanian(f"{prefix}family_name").asc(),
        Lithuanian(f"{prefix}given_names").asc(),
        f"{prefix}id",
    ]
