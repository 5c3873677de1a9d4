import re
from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination

_INTEGER = re.compile(r"-?[0-9]{1,19}")


class StableCursorPagination(CursorPagination):
    """Cursor pagination over the primary key: stable under inserts, no unbounded lists.

    A cursor is only ever one this API gave out; a tampered one (a position that is not a key)
    is the same 404 as any other invalid cursor, never a query that fails."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request: Any) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        if ordering.lstrip("-") in ("id", "pk") and not _INTEGER.fullmatch(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor
