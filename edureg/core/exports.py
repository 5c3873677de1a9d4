"""Tables of people as files people can open: CSV streamed in chunks and XLSX (openpyxl).

Every register's list exports through here, so each file behaves the same: the whole filtered
list (not one page); the people of each chunk are written to their access log before their rows
leave the server; the CSV carries a byte-order mark so spreadsheets read Lithuanian letters; text
a spreadsheet would run as a formula is quoted (names are typed by people); dates stay dates in
the workbook. A workbook is built in memory, so above `XLSX_MAX_ROWS` the CSV is the way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from edureg.core.audit import log_person_access
from edureg.core.context import Actor

CHUNK = 1000
XLSX_MAX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A table to export, chunk by chunk: the people in the chunk (each with a `public_id`) and the
# chunk's rows.
Chunks = Iterator[tuple[list[Any], list[list[Any]]]]


def chunks_of(rows: QuerySet[Any]) -> Iterator[list[Any]]:
    """The queryset's objects in lists of `CHUNK`, read with a server-side iterator."""
    chunk: list[Any] = []
    for item in rows.iterator(chunk_size=CHUNK):
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def too_many_for_xlsx(rows: QuerySet[Any]) -> bool:
    return rows.count() > XLSX_MAX_ROWS


def safe_text(value: Any) -> Any:
    """Empty for nothing; text a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    return safe_text(value)


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _log(actor: Actor, persons: list[Any], what: str) -> None:
    log_person_access(actor=actor, person_public_ids=[p.public_id for p in persons], what=what)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    header: list[str], chunks: Chunks, *, actor: Actor, what: str, stem: str
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for persons, rows in chunks:
            _log(actor, persons, what)
            for values in rows:
                yield writer.writerow([safe_text(v) for v in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(
    header: list[str], chunks: Chunks, *, actor: Actor, what: str, stem: str, title: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for persons, rows in chunks:
        _log(actor, persons, what)
        for values in rows:
            sheet.append([_xlsx_cell(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "xlsx")}"'
    return response
