"""My data as a file: everything the registers hold about a person, as JSON (machine-readable,
documented in docs/citizen.md) and as a readable PDF — the data subject's right of access.

The JSON document has two views of the same data: `learning_history` (the timeline in words, as
the portal shows it) and `records` (each record with its fields as the register keeps them:
codes next to names, dates as YYYY-MM-DD, amounts and credits as decimal strings).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from edureg.citizen import selectors
from edureg.citizen.models import CorrectionRequest
from edureg.citizen.timeline import Entry, Records, build_timeline
from edureg.core.audit import access_lines, log_person_access
from edureg.core.context import Actor
from edureg.core.countries import country_name
from edureg.core.models import ClassifierValue, localized_name
from edureg.credentials.selectors import documents_of_person
from edureg.institutions.models import Institution, Municipality
from edureg.people.models import Guardianship, Person

FORMAT = "edureg.my-data"
FORMAT_VERSION = 1
# Bookkeeping of the register's own, not data about the person.
_SKIPPED = {
    "id",
    "person",
    "created_at",
    "updated_at",
    "token_digest",
    "pdf",
    "pdf_sha256",
    # the register's internal actor labels of who formed and approved a document
    "formed_by",
    "approved_by",
}


def _named(value: Any) -> dict[str, Any]:
    """A classifier value, an institution or a municipality: its code and its names."""
    if isinstance(value, Institution):
        return {"register_id": value.register_id, "name": value.name_lt, "name_en": value.name_en}
    if isinstance(value, Municipality):
        return {"code": value.code, "name": value.name_lt, "name_en": value.name_en}
    if isinstance(value, ClassifierValue):
        return {"code": value.code, "name": value.name_lt, "name_en": value.name_en}
    public_id = getattr(value, "public_id", None)
    if public_id is not None:
        return {"public_id": str(public_id), "name": str(value)}
    return {"name": str(value)}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def record_fields(obj: models.Model) -> dict[str, Any]:
    """A record's fields as the register keeps them; a choice as its code and its name, a
    reference as its code and names (never another person's data)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIPPED:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            if related is None:
                data[field.name] = None
            elif isinstance(related, Person):
                continue
            else:
                data[field.name] = _named(related)
            continue
        value = getattr(obj, field.attname)
        if field.choices and value not in (None, ""):
            data[field.name] = {
                "code": value,
                "name": str(getattr(obj, f"get_{field.name}_display")()),
            }
        else:
            data[field.name] = _plain(value)
    return data


def _entry(entry: Entry) -> dict[str, Any]:
    data = asdict(entry)
    data["kind"] = {"code": entry.kind, "name": entry.kind_label}
    data["start"] = _plain(entry.start)
    data["end"] = _plain(entry.end)
    data["facts"] = [{"label": label, "value": value} for label, value in entry.facts]
    data["links"] = [link["url"] for link in data["links"]]
    return data


def _records(records: Records) -> dict[str, Any]:
    rights = []
    for right in records.study_rights:
        item = record_fields(right)
        item["status_periods"] = [
            record_fields(p) | {"reasons": [_named(r) for r in p.reasons.all()]}
            for p in sorted(right.periods.all(), key=lambda p: (p.valid_from, p.pk))
        ]
        item["funding"] = [record_fields(f) for f in right.funding_periods.all()]
        item["prior_education"] = [record_fields(p) for p in right.prior_education.all()]
        item["mobility"] = [record_fields(m) for m in right.mobilities.all()]
        item["loans"] = [record_fields(loan) for loan in right.loans.all()]
        item["scholarships"] = [record_fields(s) for s in right.scholarships.all()]
        transcript = records.transcripts.get(right.pk)
        item["results"] = [
            record_fields(result)
            for year in (transcript.years if transcript else [])
            for semester in year.semesters
            for result in semester.results
        ]
        item["credits_earned"] = str(transcript.credits_earned) if transcript else "0"
        graduation = getattr(right, "graduation", None)  # none: the reverse accessor raises
        item["graduation"] = record_fields(graduation) if graduation is not None else None
        rights.append(item)
    return {
        "pupil_register": {
            "enrolments": [record_fields(e) | {"group": _group(e)} for e in records.enrolments],
            "nvs_funding": [record_fields(m) for m in records.nvs_marks],
            "electives": [record_fields(e) for e in records.electives],
            "achievements": [record_fields(a) for a in records.achievements],
            "special_needs": [record_fields(n) for n in records.special_needs],
            "annual_grades": [record_fields(g) for g in records.annual_grades],
            "competence_assessments": [record_fields(c) for c in records.competences],
        },
        "student_register": {"study_rights": rights},
    }


def _group(enrolment: Any) -> dict[str, Any]:
    group = enrolment.group
    return {
        "name": group.name,
        "school_year": group.school_year,
        "grade": {"code": group.grade, "name": str(group.get_grade_display())}
        if group.grade
        else None,
        "kind": {"code": group.kind, "name": str(group.get_kind_display())},
        "language": group.language,
    }


def _relation(relation: Guardianship, other: Person) -> dict[str, Any]:
    return {
        "name": other.full_name,
        "kind": {"code": relation.kind, "name": str(relation.get_kind_display())},
        "valid_from": _plain(relation.valid_from),
    }


def my_data(*, actor: Actor, person: Person) -> dict[str, Any]:
    """Everything the registers hold about `person` (got from `subject_for`), as one JSON
    document; a parent's download of a child's data is logged for the child."""
    records = selectors.records_of(actor=actor, person=person)
    entries = build_timeline(records)
    documents = [
        record_fields(d)
        for d in documents_of_person(actor=actor, person=person).select_related("study_right")
    ]
    access = access_lines(
        selectors.access_log(actor=actor, person=person),
        show_staff_names=settings.CITIZEN_SEES_STAFF_NAMES,
    )
    parents = Guardianship.objects.current().filter(child=person).select_related("guardian")
    children = Guardianship.objects.current().filter(guardian=person).select_related("child")
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "language": get_language() or settings.LANGUAGE_CODE,
        "person": {
            "public_id": str(person.public_id),
            "personal_code": person.personal_code,
            "foreign_id": person.foreign_id,
            "given_names": person.given_names,
            "family_name": person.family_name,
            "birth_date": person.birth_date.isoformat(),
            "sex": {"code": person.sex, "name": str(person.get_sex_display())},
            "citizenship": {"code": person.citizenship, "name": country_name(person.citizenship)},
            "declared_municipality": _named(person.declared_municipality)
            if person.declared_municipality
            else None,
            "date_of_death": _plain(person.date_of_death),
        },
        "guardianships": {
            "parents_and_guardians": [_relation(g, g.guardian) for g in parents],
            "children": [
                _relation(g, g.child) | {"birth_date": _plain(g.child.birth_date)} for g in children
            ],
        },
        "learning_history": [_entry(e) for e in entries],
        "records": _records(records) | {"documents": documents},
        "access_log": [
            {
                "at": _plain(line.at),
                "who": line.who,
                "organisation": line.organisation,
                "role": line.role,
                "what": line.what,
                "channel": line.channel,
            }
            for line in access
        ],
        "share_links": [
            record_fields(link) | {"opened": opened}
            for link, opened in (
                selectors.share_links(actor=actor) if person.pk == actor.person_id else []
            )
        ],
        "correction_requests": [
            record_fields(r) | {"sent_by": None, "answered_by": None}
            for r in CorrectionRequest.objects.filter(person=person)
        ],
    }
    log_person_access(actor=actor, person_public_ids=[person.public_id], what="citizen.export")
    return data


def my_data_pdf(*, actor: Actor, person: Person) -> bytes:
    """The same data as a readable PDF (WeasyPrint), in the active language."""
    from weasyprint import HTML

    data = my_data(actor=actor, person=person)
    html = render_to_string(
        "citizen/pdf/my_data.html",
        {
            "data": data,
            "person": person,
            "citizenship": country_name(person.citizenship),
            "municipality": localized_name(person.declared_municipality)
            if person.declared_municipality
            else "—",
            "generated_at": timezone.localtime(),
            "access": [
                line | {"when": timezone.localtime(dt.datetime.fromisoformat(line["at"]))}
                for line in data["access_log"]
            ],
        },
    )
    return HTML(string=html).write_pdf()
