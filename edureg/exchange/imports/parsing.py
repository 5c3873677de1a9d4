"""Reading an uploaded file row by row: CSV, XLSX (Excel) or JSON Lines.

Every format gives the same thing: the line number a person sees in the file and the row as a
mapping of column name to text, streamed (an XLSX sheet is read in openpyxl's read-only mode,
a CSV or JSON Lines file line by line), so a file of hundreds of thousands of rows is never held
whole in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edureg.exchange.import_models import ImportFormat

Row = tuple[int, dict[str, str]]


def format_of(name: str) -> str | None:
    """The format a file name says, or None."""
    lowered = name.lower()
    for suffix, kind in ((".csv", ImportFormat.CSV), (".xlsx", ImportFormat.XLSX)):
        if lowered.endswith(suffix):
            return kind
    if lowered.endswith((".jsonl", ".ndjson")):
        return ImportFormat.JSONL
    return None


def rows(stream: IO[bytes], file_format: str) -> Iterator[Row]:
    """The file's data rows with their line numbers (the header is line 1 of CSV and XLSX)."""
    if file_format == ImportFormat.CSV:
        return _csv_rows(stream)
    if file_format == ImportFormat.XLSX:
        return _xlsx_rows(stream)
    return _jsonl_rows(stream)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(names: list[Any]) -> list[str]:
    return [_text(name).lower() for name in names]


def _csv_rows(stream: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    first = text.readline()
    delimiter = max(",;\t", key=first.count)  # Excel in Lithuanian writes ";"
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    header = _header(next(reader, []))
    for line, values in enumerate(reader, start=2):
        if any(v.strip() for v in values):
            yield line, {name: _text(v) for name, v in zip(header, values, strict=False) if name}
    text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ValidationError(
            {"file": [_("The file is not an Excel (XLSX) workbook.")]}, code="invalid"
        ) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = _header(list(next(values, [])))
    for line, cells in enumerate(values, start=2):
        if any(c not in (None, "") for c in cells):
            yield line, {name: _text(c) for name, c in zip(header, cells, strict=False) if name}
    book.close()


def _jsonl_rows(stream: IO[bytes]) -> Iterator[Row]:
    for line, raw in enumerate(codecs.getreader("utf-8-sig")(stream), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                {"file": [_("Line %(line)s is not a JSON object.") % {"line": line}]},
                code="invalid",
            ) from exc
        if not isinstance(record, dict):
            raise ValidationError(
                {"file": [_("Line %(line)s is not a JSON object.") % {"line": line}]},
                code="invalid",
            )
        yield line, {str(k).lower(): _text(v) for k, v in record.items()}
