"""CSV and XLSX exports of the pupil list: the whole filtered list, not one page.

Every pupil in a file is written to the access log before their row leaves the server: the CSV
streams in chunks, each chunk logged first; the XLSX is built in memory, logged, then sent.
Personal codes are not exported (the list does not show them either); the pupil's public id
links a row to the register.
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
from django.utils.translation import gettext as _
from openpyxl import Workbook

from edureg.core.context import Actor
from edureg.institutions.models import Municipality
from edureg.people.selectors import persons_shown
from edureg.pupils.models import Enrolment

CHUNK = 1000
# A workbook is built in memory; beyond this the CSV (streamed) is the way.
XLSX_MAX_ROWS = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers() -> list[str]:
    return [
        _("Pupil id"),
        _("Family name"),
        _("Given names"),
        _("Birth date"),
        _("Institution register id"),
        _("Institution"),
        _("Group"),
        _("Grade"),
        _("Group kind"),
        _("From"),
        _("Until"),
        _("Departure reason"),
        _("Order number"),
        _("Municipality of general education"),
    ]


def municipality_names() -> dict[int, str]:
    """The 60 municipalities by id, named in the active language (one small query)."""
    return {m.pk: str(m) for m in Municipality.objects.all()}


def row(enrolment: Any, municipalities: dict[int, str]) -> list[Any]:
    person, group = enrolment.person, enrolment.group
    study = getattr(enrolment, "study_municipality_id", None)
    return [
        str(person.public_id),
        person.family_name,
        person.given_names,
        person.birth_date,
        enrolment.institution.register_id,
        str(enrolment.institution),
        group.name,
        group.get_grade_display() if group.grade else "",
        enrolment.get_kind_display(),
        enrolment.valid_from,
        enrolment.valid_to,
        enrolment.departure_reason.code if enrolment.departure_reason else "",
        enrolment.departure_order_number,
        municipalities.get(study, "") if study else "",
    ]


def _safe(value: Any) -> Any:
    """Empty for nothing; text a spreadsheet would run as a formula is quoted (names are typed
    by people, and the file is opened in spreadsheets)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _chunks(enrolments: QuerySet[Enrolment]) -> Iterator[list[Enrolment]]:
    chunk: list[Enrolment] = []
    for enrolment in enrolments.iterator(chunk_size=CHUNK):
        chunk.append(enrolment)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _filename(extension: str) -> str:
    return f"pupils-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark, so that spreadsheets open Lithuanian letters correctly."""
    municipalities = municipality_names()
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(headers())
        for chunk in _chunks(enrolments):
            persons_shown(actor=actor, persons=[e.person for e in chunk], what="pupil.export")
            for enrolment in chunk:
                yield writer.writerow([_safe(v) for v in row(enrolment, municipalities)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def too_many_for_xlsx(enrolments: QuerySet[Enrolment]) -> bool:
    return enrolments.count() > XLSX_MAX_ROWS


def xlsx_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> HttpResponse:
    municipalities = municipality_names()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Pupils"))
    sheet.append(headers())
    for chunk in _chunks(enrolments):
        persons_shown(actor=actor, persons=[e.person for e in chunk], what="pupil.export")
        for enrolment in chunk:
            sheet.append([_xlsx_cell(v) for v in row(enrolment, municipalities)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _xlsx_cell(value: Any) -> Any:
    # Dates stay dates (the spreadsheet can sort and filter them); text is guarded.
    if isinstance(value, dt.date):
        return value
    return _safe(value)
