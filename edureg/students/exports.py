"""CSV and XLSX exports of the student list: the whole filtered list, not one page.

The file machinery is shared (`core.exports`): the CSV streams in chunks with a
byte-order mark, each chunk's people written to the access log before their rows leave the
server; the XLSX is built in memory, logged, then sent; text a spreadsheet would run as a
formula is quoted. Personal codes are not exported (the list does not show them either); the
study right's public id links a row to the register.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from edureg.core import exports as tables
from edureg.core.context import Actor
from edureg.core.models import localized_name
from edureg.students.models import StudyRight

WHAT = "student.export"
STEM = "students"
XLSX_MAX_ROWS = tables.XLSX_MAX_ROWS


def headers() -> list[str]:
    return [
        _("Study right id"),
        _("Family name"),
        _("Given names"),
        _("Birth date"),
        _("Institution register id"),
        _("Institution"),
        _("Programme state code"),
        _("Programme"),
        _("Study cycle"),
        _("Study form"),
        _("Course"),
        _("Status"),
        _("Started on"),
        _("Ended on"),
    ]


def programme_name(right: StudyRight) -> str:
    """The name of the programme's version in force (versions prefetched by the caller)."""
    version = right.programme.current_version()
    return localized_name(version) if version else ""


def row(right: StudyRight) -> list[Any]:
    person = right.person
    return [
        str(right.public_id),
        person.family_name,
        person.given_names,
        person.birth_date,
        right.institution.register_id,
        str(right.institution),
        right.programme.state_code or "",
        programme_name(right),
        right.get_cycle_display(),
        right.get_form_display(),
        right.course,
        right.get_status_display(),
        right.started_on,
        right.ended_on,
    ]


def _right_chunks(rights: QuerySet[StudyRight]) -> tables.Chunks:
    for chunk in tables.chunks_of(rights):
        yield [r.person for r in chunk], [row(r) for r in chunk]


def too_many_for_xlsx(rights: QuerySet[StudyRight]) -> bool:
    return tables.too_many_for_xlsx(rights)


def csv_response(*, actor: Actor, rights: QuerySet[StudyRight]) -> StreamingHttpResponse:
    return tables.csv_response(headers(), _right_chunks(rights), actor=actor, what=WHAT, stem=STEM)


def xlsx_response(*, actor: Actor, rights: QuerySet[StudyRight]) -> HttpResponse:
    return tables.xlsx_response(
        headers(), _right_chunks(rights), actor=actor, what=WHAT, stem=STEM, title=_("Students")
    )
