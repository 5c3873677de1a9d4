"""The result files of a mass query: CSV, JSON Lines and XLSX written side by side in one
pass over the rows, chunk by chunk, to a directory of the query under MEDIA_ROOT.

The columns are the data set's API field names (what the JSON answers name them), in the
order of the list endpoint, limited to the fields the agreement allows: the files are for
systems, and a person reading the XLSX sees the same names as the API documentation."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

FORMATS = ("csv", "jsonl", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# An XLSX sheet holds 1,048,576 rows; a larger result goes on in a next sheet.
XLSX_SHEET_ROWS = 1_000_000


def directory_of(public_id: Any) -> Path:
    return Path(settings.MEDIA_ROOT) / "queries" / str(public_id)


def path_of(public_id: Any, file_format: str) -> Path:
    return directory_of(public_id) / f"result.{file_format}"


def persons_path(public_id: Any) -> Path:
    """The public ids of the persons in the result, one a line: whom a download discloses."""
    return directory_of(public_id) / "persons.txt"


def remove(public_id: Any) -> None:
    shutil.rmtree(directory_of(public_id), ignore_errors=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class ResultWriter:
    """Writes the rows (dicts in column order) to each asked format, and the persons' ids."""

    def __init__(self, public_id: Any, formats: Sequence[str], columns: Sequence[str]):
        self.public_id = public_id
        self.columns = list(columns)
        remove(public_id)  # a query taken up again starts its files afresh
        directory_of(public_id).mkdir(parents=True, exist_ok=True)
        self._persons = persons_path(public_id).open("w", encoding="ascii")
        self._csv_file = self._csv = self._jsonl = self._book = self._sheet = None
        self._sheet_rows = 0
        if "csv" in formats:
            self._csv_file = path_of(public_id, "csv").open("w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._csv_file)
            self._csv.writerow(self.columns)
        if "jsonl" in formats:
            self._jsonl = path_of(public_id, "jsonl").open("w", encoding="utf-8")
        if "xlsx" in formats:
            from openpyxl import Workbook

            # Write-only: rows go to a temporary file as they come, not into memory.
            self._book = Workbook(write_only=True)
            self._new_sheet()

    def _new_sheet(self) -> None:
        from django.utils.translation import gettext as _

        assert self._book is not None
        number = len(self._book.worksheets) + 1
        title = _("Result") if number == 1 else f"{_('Result')} {number}"
        self._sheet = self._book.create_sheet(title=title[:31])
        self._sheet.append(self.columns)
        self._sheet_rows = 0

    def write(self, rows: Sequence[dict[str, Any]], person_ids: Sequence[Any]) -> None:
        self._persons.writelines(f"{pid}\n" for pid in person_ids)
        if self._csv is not None:
            self._csv.writerows([[_cell(row.get(c)) for c in self.columns] for row in rows])
        if self._jsonl is not None:
            self._jsonl.writelines(
                json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows
            )
        if self._sheet is not None:
            for row in rows:
                if self._sheet_rows >= XLSX_SHEET_ROWS:
                    self._new_sheet()
                self._sheet.append([_cell(row.get(c)) for c in self.columns])
                self._sheet_rows += 1

    def close(self) -> dict[str, int]:
        """Finish the files; their sizes in bytes."""
        self._persons.close()
        sizes = {}
        if self._csv_file is not None:
            self._csv_file.close()
            sizes["csv"] = path_of(self.public_id, "csv").stat().st_size
        if self._jsonl is not None:
            self._jsonl.close()
            sizes["jsonl"] = path_of(self.public_id, "jsonl").stat().st_size
        if self._book is not None:
            self._book.save(path_of(self.public_id, "xlsx"))
            sizes["xlsx"] = path_of(self.public_id, "xlsx").stat().st_size
        return sizes

    def abort(self) -> None:
        for handle in (self._persons, self._csv_file, self._jsonl):
            if handle is not None:
                handle.close()
        remove(self.public_id)


def persons_in(public_id: Any, *, chunk: int) -> Any:
    """The persons' public ids of a result, `chunk` at a time."""
    batch: list[str] = []
    with persons_path(public_id).open(encoding="ascii") as handle:
        for line in handle:
            batch.append(line.strip())
            if len(batch) >= chunk:
                yield batch
                batch = []
    if batch:
        yield batch
