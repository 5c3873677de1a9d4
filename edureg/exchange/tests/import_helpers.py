"""Shared pieces of the import tests: a school with a class, its system, files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from django.core.management import call_command

from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level
from edureg.core.context import Actor
from edureg.institutions.models import Institution
from edureg.pupils import services as pupils
from edureg.pupils.models import Group, GroupKind

SYSTEM = Actor.system("tests")
COLUMNS = ["local_id", "personal_code", "group", "school_year", "valid_from", "version"]


def school_client(institution: Institution, name: str = "Mokyklos IS") -> Actor:
    binding, _secret = access_services.client_register(
        actor=SYSTEM,
        name=name,
        institution=institution,
        rights=[(FunctionArea.PUPIL_PERSONAL, Level.MANAGER)],
    )
    return Actor.for_client(binding)


def group_of(institution: Institution, name: str = "5a", year: int = 2025) -> Group:
    return pupils.group_create(
        actor=SYSTEM,
        institution=institution,
        school_year=year,
        name=name,
        kind=GroupKind.GENERAL,
        grade="5",
    )


def csv_file(rows: Sequence[Sequence[Any]], columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def jsonl_file(rows: Sequence[Sequence[Any]], columns: Sequence[str] = COLUMNS) -> bytes:
    return "".join(
        json.dumps({c: v for c, v in zip(columns, row, strict=True) if v is not None}) + "\n"
        for row in rows
    ).encode()


def xlsx_file(rows: Sequence[Sequence[Any]], columns: Sequence[str] = COLUMNS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_cell(c, v) for c, v in zip(columns, row, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(column: str, value: Any) -> Any:
    """Dates as Excel dates (a text that is not a date stays text)."""
    if column == "valid_from":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
