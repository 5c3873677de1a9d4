"""Blank types and document types known from public sources (reference/classifiers.md §Documents).

Created by every `migrate` when missing; existing rows are left alone so that the agency's edits
in the back office survive. Blank codes 2001, 3014 and 3016 are the official ones; the others
are mnemonics of ours.
"""

from __future__ import annotations

from typing import Any

from edureg.access.models import FunctionArea
from edureg.core.models import ClassifierValue
from edureg.credentials.models import BlankType, DocumentSource, DocumentType

BLANK_TYPES = (
    ("2001", "Pagrindinio išsilavinimo pažymėjimo blankas", "Basic education certificate blank"),
    ("3014", "Brandos atestato blankas", "Maturity certificate blank"),
    ("3016", "Brandos atestato priedo blankas", "Maturity certificate annex blank"),
    ("PMD", "Profesinio mokymo diplomo blankas", "Vocational training diploma blank"),
)

CERT = FunctionArea.CERTIFICATES
STUDENT = FunctionArea.STUDENT_DATA

DOCUMENT_TYPES: tuple[dict[str, Any], ...] = (
    {
        "code": "primary",
        "source": DocumentSource.GENERAL,
        "final_grade": "4",
        "template": "credentials/pdf/certificate.html",
        "registration_prefix": "PR",
    },
    {
        "code": "basic",
        "kind": "2001",
        "source": DocumentSource.GENERAL,
        "final_grade": "10",
        "blank": "2001",
        "template": "credentials/pdf/certificate.html",
        "registration_prefix": "PG",
    },
    {
        "code": "maturity-duplicate",
        "source": DocumentSource.GENERAL,
        "final_grade": "12",
        "blank": "3014",
        "supplement_blank": "3016",
        "template": "credentials/pdf/certificate.html",
        "has_english": True,
        "registration_prefix": "BAD",
        "min_exams_passed": 2,
        "required_subjects": ("lithuanian",),
    },
    {
        "code": "maturity",
        "kind": "3014",
        "source": DocumentSource.GENERAL,
        "final_grade": "12",
        "blank": "3014",
        "supplement_blank": "3016",
        "template": "credentials/pdf/certificate.html",
        "has_english": True,
        "registration_prefix": "BA",
        "min_exams_passed": 2,
        "required_subjects": ("lithuanian",),
        "duplicate": "maturity-duplicate",
    },
    {
        "code": "achievements",
        "source": DocumentSource.ACHIEVEMENTS,
        "template": "credentials/pdf/certificate.html",
        "registration_prefix": "MP",
        "one_per_person": False,
    },
    {
        "code": "vet-diploma",
        "source": DocumentSource.VOCATIONAL,
        "blank": "PMD",
        "template": "credentials/pdf/vocational.html",
        "registration_prefix": "PMD",
    },
    {
        "code": "competences",
        "source": DocumentSource.COMPETENCES,
        "template": "credentials/pdf/vocational.html",
        "registration_prefix": "KP",
        "one_per_person": False,
    },
    {
        "code": "hei-diploma",
        "source": DocumentSource.GRADUATION,
        "form_area": STUDENT,
        "approve_area": STUDENT,
        "template": "credentials/pdf/studies.html",
        "has_english": True,
        "registration_prefix": "AMD",
    },
    {
        "code": "studies",
        "source": DocumentSource.STUDIES,
        "form_area": STUDENT,
        "approve_area": "",
        "template": "credentials/pdf/studies.html",
        "has_english": True,
        "registration_prefix": "PS",
        "one_per_person": False,
        "citizen_may_form": True,
    },
)


def document_types_seed() -> int:
    """Create the missing blank and document types; return how many rows were created."""
    created = 0
    blanks = {}
    for code, name_lt, name_en in BLANK_TYPES:
        blanks[code], was_created = BlankType.objects.get_or_create(
            code=code, defaults={"name_lt": name_lt, "name_en": name_en}
        )
        created += was_created
    kinds = {v.code: v for v in ClassifierValue.objects.of("document-type")}
    subjects = {v.code: v for v in ClassifierValue.objects.of("school-subject")}
    for spec in DOCUMENT_TYPES:
        if DocumentType.objects.filter(code=spec["code"]).exists():
            continue
        kind = kinds.get(spec.get("kind", spec["code"]))
        if kind is None:
            continue
        document_type = DocumentType(
            code=spec["code"],
            kind=kind,
            source=spec["source"],
            form_area=spec.get("form_area", CERT),
            approve_area=spec.get("approve_area", CERT),
            blank_type=blanks.get(spec.get("blank", "")),
            supplement_blank_type=blanks.get(spec.get("supplement_blank", "")),
            duplicate_type=DocumentType.objects.filter(code=spec.get("duplicate", "")).first(),
            template=spec["template"],
            has_english=spec.get("has_english", False),
            registration_prefix=spec["registration_prefix"],
            final_grade=spec.get("final_grade", ""),
            min_exams_passed=spec.get("min_exams_passed", 0),
            one_per_person=spec.get("one_per_person", True),
            citizen_may_form=spec.get("citizen_may_form", False),
        )
        document_type.save()
        document_type.required_subjects.set(
            [subjects[c] for c in spec.get("required_subjects", ()) if c in subjects]
        )
        created += 1
    return created
