"""The exam centre's results, one row at a time: which exam and pupil a row names, and its
result recorded through `exams.exam_result_record`.

The file drop, the staging and the per-row report are the data exchange's inbound feeds
(`exchange.feeds.exam_centre`, a feed run like every other); this module is the register's
side: what a row means. A row (a mapping of column to text):

    personal_code, school_year, subject, level, score, grade[, session]

`level` is `state_maturity` (with `score`, 0–100) or `school_maturity` (with `grade`, 1–10);
`subject` is a code of the `school-subject` classifier; `session` names the session when a
school year has several.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edureg.core.context import Actor, Channel
from edureg.core.models import ClassifierValue
from edureg.people.models import Person
from edureg.pupils.exams import Recorded, exam_result_record
from edureg.pupils.learning_models import Exam, ExamKind

FEED_ACTOR = Actor.system("exam-centre", Channel.FEED)
COLUMNS = ("personal_code", "school_year", "subject", "level", "score", "grade")


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_text(self) -> str:
        lines = [
            f"{self.source}: created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, refused {len(self.errors)}"
        ]
        lines += [f"line {e.line}, {e.field}: {e.message}" for e in self.errors]
        return "\n".join(lines) + "\n"


def _number(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return int(str(value).strip())


def _exam_for(row: dict[str, Any]) -> Exam:
    try:
        school_year = int(str(row.get("school_year", "")).strip())
    except ValueError:
        raise ValidationError(
            {"school_year": [ValidationError(_("Not a school year."), "invalid")]}
        ) from None
    level = str(row.get("level", "")).strip()
    if level not in ExamKind.values:
        raise ValidationError(
            {"level": [ValidationError(_("Unknown exam level."), "unknown_level")]}
        )
    subject = ClassifierValue.objects.of("school-subject").filter(
        code=str(row.get("subject", "")).strip()
    )
    exams = Exam.objects.filter(
        session__school_year=school_year, subject__in=subject, kind=level
    ).select_related("subject", "session")
    if row.get("session"):
        exams = exams.filter(session__name=str(row["session"]).strip())
    found = list(exams[:2])
    if len(found) != 1:
        message = _("No such exam in that school year.") if not found else _("Name the session.")
        raise ValidationError({"subject": [ValidationError(message, "unknown_exam")]})
    return found[0]


def exam_result_apply(*, actor: Actor, row: Mapping[str, Any], source: str) -> Recorded:
    """One row of the exam centre's: the exam and pupil it names and their result, whole or
    not at all (the caller's savepoint); a refusal is a ValidationError naming the field."""
    exam = _exam_for(row)
    code = str(row.get("personal_code", "")).strip()
    person = Person.objects.filter(personal_code=code).first() if code else None
    if person is None:
        raise ValidationError(
            {"personal_code": [ValidationError(_("No such person in the register."), "not_found")]}
        )
    try:
        score, grade = _number(row.get("score")), _number(row.get("grade"))
    except ValueError:
        raise ValidationError(
            {"score": [ValidationError(_("Points and grades are whole numbers."), "invalid")]}
        ) from None
    return exam_result_record(
        actor=actor, exam=exam, person=person, score=score, grade=grade, source=source
    )


def exam_results_import(
    *, rows: list[dict[str, Any]], source: str, actor: Actor = FEED_ACTOR
) -> ImportReport:
    """Apply rows at once, each whole or not at all, refusals reported (the demo seed's way in;
    files go through the exchange's feed run)."""
    report = ImportReport(source=source)
    for line, row in enumerate(rows, start=2):
        try:
            with transaction.atomic():
                recorded = exam_result_apply(actor=actor, row=row, source=source)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                report.errors += [RowError(line, name, m) for m in messages]
            continue
        setattr(report, recorded.outcome, getattr(report, recorded.outcome) + 1)
    return report
