"""CSV and XLSX exports of the pupil list and of a municipality's children: the whole filtered
list, not one page, through the shared machinery of `core.exports` (chunks logged before they
leave, formula-safe text). A classifier's column holds its name in the reader's language, with
its code in a column of its own for machines (#16 item 2). Personal codes are not exported (the
lists do not show them either); the person's public id links a row to the register.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from edureg.core import exports as tables
from edureg.core.context import Actor
from edureg.institutions.models import Municipality
from edureg.pupils.models import Enrolment

XLSX_MAX_ROWS = tables.XLSX_MAX_ROWS
XLSX_TYPE = tables.XLSX_TYPE
too_many_for_xlsx = tables.too_many_for_xlsx


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
        _("Departure reason code"),
        _("Order number"),
        _("Municipality of general education"),
    ]


def municipality_names() -> dict[int, str]:
    """The 60 municipalities by id, named in the active language (one small query)."""
    return {m.pk: str(m) for m in Municipality.objects.all()}


def row(enrolment: Any, municipalities: dict[int, str]) -> list[Any]:
    person, group = enrolment.person, enrolment.group
    study = getattr(enrolment, "study_municipality_id", None)
    reason = enrolment.departure_reason
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
        # The classifier's name in the reader's language for people, its code for machines
        str(reason) if reason else "",
        reason.code if reason else "",
        enrolment.departure_order_number,
        municipalities.get(study, "") if study else "",
    ]


def _enrolment_chunks(enrolments: QuerySet[Enrolment]) -> tables.Chunks:
    municipalities = municipality_names()
    for chunk in tables.chunks_of(enrolments):
        yield [e.person for e in chunk], [row(e, municipalities) for e in chunk]


def csv_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> StreamingHttpResponse:
    return tables.csv_response(
        headers(), _enrolment_chunks(enrolments), actor=actor, what="pupil.export", stem="pupils"
    )


def xlsx_response(*, actor: Actor, enrolments: QuerySet[Enrolment]) -> HttpResponse:
    return tables.xlsx_response(
        headers(),
        _enrolment_chunks(enrolments),
        actor=actor,
        what="pupil.export",
        stem="pupils",
        title=_("Pupils"),
    )


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


def _children_chunks(children: QuerySet[Any]) -> tables.Chunks:
    from edureg.pupils.selectors import open_enrolments_by_pk

    for chunk in tables.chunks_of(children):
        enrolments = open_enrolments_by_pk(p.enrolment_id for p in chunk)
        yield chunk, [children_row(p, enrolments.get(p.enrolment_id)) for p in chunk]


def children_csv(*, actor: Actor, children: QuerySet[Any]) -> StreamingHttpResponse:
    return tables.csv_response(
        children_headers(),
        _children_chunks(children),
        actor=actor,
        what="pupil.municipality-export",
        stem="children",
    )


def children_xlsx(*, actor: Actor, children: QuerySet[Any]) -> HttpResponse:
    return tables.xlsx_response(
        children_headers(),
        _children_chunks(children),
        actor=actor,
        what="pupil.municipality-export",
        stem="children",
        title=_("Children"),
    )
