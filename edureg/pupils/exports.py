"""CSV and XLSX exports of the pupil list and of a municipality's children: the whole filtered
list, not one page.

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


def _chunks(rows: QuerySet[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for enrolment in rows.iterator(chunk_size=CHUNK):
        chunk.append(enrolment)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


# A table to export: its header and, chunk by chunk, the people in the chunk (logged as shown
# before their rows leave the server) with the chunk's rows.
Chunks = Iterator[tuple[list[Any], list[list[Any]]]]


def _csv(header: list[str], chunks: Chunks, *, actor: Actor, what: str, stem: str) -> Any:
    """UTF-8 with a byte-order mark, so that spreadsheets open Lithuanian letters correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for persons, rows in chunks:
            persons_shown(actor=actor, persons=persons, what=what)
            for values in rows:
                yield writer.writerow([_safe(v) for v in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def _xlsx(
    header: list[str], chunks: Chunks, *, actor: Actor, what: str, stem: str, title: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for persons, rows in chunks:
        persons_shown(actor=actor, persons=persons, what=what)
        for values in rows:
            sheet.append([_xlsx_cell(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "xlsx")}"'
    return response


def _enrolment_chunks(enrolments: QuerySet[Enrolment]) -> Chunks:
    municipalities = municipality_names()
    for chunk in _chunks(enrolments):
        yield [e.person for e in chunk], [row(e, municipalities) for e in chunk]


def csv_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> StreamingHttpResponse:
    return _csv(
        headers(), _enrolment_chunks(enrolments), actor=actor, what="pupil.export", stem="pupils"
    )


def too_many_for_xlsx(rows: QuerySet[Any]) -> bool:
    return rows.count() > XLSX_MAX_ROWS


def xlsx_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> HttpResponse:
    return _xlsx(
        headers(),
        _enrolment_chunks(enrolments),
        actor=actor,
        what="pupil.export",
        stem="pupils",
        title=_("Pupils"),
    )


def _xlsx_cell(value: Any) -> Any:
    # Dates stay dates (the spreadsheet can sort and filter them); text is guarded.
    if isinstance(value, dt.date):
        return value
    return _safe(value)


# --- A municipality's children ----------------------------------------------------------------


def children_headers() -> list[str]:
    return [
        _("Person id"),
        _("Family name"),
        _("Given names"),
        _("Birth date"),
        _("Institution register id"),
        _("Institution"),
        _("Group"),
        _("Grade"),
        _("Municipality of general education"),
    ]


def children_row(person: Any, enrolment: Enrolment | None) -> list[Any]:
    school = enrolment.institution if enrolment else None
    group = enrolment.group if enrolment else None
    return [
        str(person.public_id),
        person.family_name,
        person.given_names,
        person.birth_date,
        school.register_id if school else "",
        str(school) if school else "",
        group.name if group else "",
        group.get_grade_display() if group and group.grade else "",
        str(school.municipality) if school else "",
    ]


def _children_chunks(children: QuerySet[Any]) -> Chunks:
    from edureg.pupils.selectors import open_enrolments_by_pk

    for chunk in _chunks(children):
        enrolments = open_enrolments_by_pk(p.enrolment_id for p in chunk)
        yield chunk, [children_row(p, enrolments.get(p.enrolment_id)) for p in chunk]


def children_csv(*, actor: Actor, children: QuerySet[Any]) -> StreamingHttpResponse:
    return _csv(
        children_headers(),
        _children_chunks(children),
        actor=actor,
        what="pupil.municipality-export",
        stem="children",
    )


def children_xlsx(*, actor: Actor, children: QuerySet[Any]) -> HttpResponse:
    return _xlsx(
        children_headers(),
        _children_chunks(children),
        actor=actor,
        what="pupil.municipality-export",
        stem="children",
        title=_("Children"),
    )
