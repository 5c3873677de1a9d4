from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    """Cursor pagination over the primary key: stable under inserts, no unbounded lists."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
