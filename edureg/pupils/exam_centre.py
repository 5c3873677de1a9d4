"""The exam centre's feed of maturity-exam results.

The real centre plugs in behind `ExamCentreFeed` later; `FileDropFeed` is the local
implementation: the centre (or a person) drops a CSV or JSON file of results into
`EXAM_CENTRE_DROP_DIR/inbox/`; `exam_centre_poll` (a periodic task, and
`manage.py exam_results_import`) imports each file and moves it to `done/` with a report of the
rows it refused, or to `failed/` when the file could not be read at all.

A file's rows (CSV with a header line, or a JSON list of objects):

    personal_code, school_year, subject, level, score, grade[, session]

`level` is `state_maturity` (with `score`, 0–100) or `school_maturity` (with `grade`, 1–10);
`subject` is a code of the `school-subject` classifier; `session` names the session when a
school year has several. Each row is applied whole or not at all; a refused row is reported
with its line and field, and the others are applied.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edureg.core.context import Actor, Channel, audit_context
from edureg.core.models import ClassifierValue
from edureg.people.models import Person
from edureg.pupils.exams import exam_result_record
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


@dataclass(frozen=True)
class ResultFile:
    name: str
    content: bytes


class ExamCentreFeed(Protocol):
    """Where results come from. `pending` yields files not yet imported; `finish` is told how
    each went (a feed may acknowledge to the centre, move a file, …)."""

    def pending(self) -> Iterator[ResultFile]: ...

    def finish(
        self, result_file: ResultFile, report: ImportReport | None, error: str = ""
    ) -> None: ...


class FileDropFeed:
    """Files dropped into `<directory>/inbox/`; imported ones go to `done/`, unreadable ones
    to `failed/`, each with a `.report.txt` beside it."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory or settings.EXAM_CENTRE_DROP_DIR)
        for sub in ("inbox", "done", "failed"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)

    def pending(self) -> Iterator[ResultFile]:
        for path in sorted((self.directory / "inbox").iterdir()):
            if path.is_file() and path.suffix.lower() in (".csv", ".json"):
                yield ResultFile(name=path.name, content=path.read_bytes())

    def finish(self, result_file: ResultFile, report: ImportReport | None, error: str = "") -> None:
        target = self.directory / ("done" if report is not None else "failed")
        source = self.directory / "inbox" / result_file.name
        source.replace(target / result_file.name)
        text = report.as_text() if report is not None else f"{result_file.name}: {error}\n"
        (target / f"{result_file.name}.report.txt").write_text(text, encoding="utf-8")


def parse_rows(name: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV or JSON file; ValueError when the file itself cannot be read."""
    text = content.decode("utf-8-sig")
    if name.lower().endswith(".json"):
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError("a JSON results file is a list of objects")
        return data
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    return list(reader)


def _number(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return int(str(value).strip())


def _exam_for(row: dict[str, Any]) -> Exam:
    try:
        school_year = int(str(row.get("school_year", "")).strip())
    except ValueError:
        raise ValidationError({"school_year": [_("Not a school year.")]}) from None
    level = str(row.get("level", "")).strip()
    if level not in ExamKind.values:
        raise ValidationError({"level": [_("Unknown exam level.")]})
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
        raise ValidationError({"subject": [message]})
    return found[0]


def exam_results_import(
    *, rows: list[dict[str, Any]], source: str, actor: Actor = FEED_ACTOR
) -> ImportReport:
    """Apply the rows; each whole or not at all (its own savepoint), refusals reported."""
    report = ImportReport(source=source)
    for line, row in enumerate(rows, start=2):
        try:
            exam = _exam_for(row)
            code = str(row.get("personal_code", "")).strip()
            person = Person.objects.filter(personal_code=code).first() if code else None
            if person is None:
                raise ValidationError({"personal_code": [_("No such person in the register.")]})
            try:
                score, grade = _number(row.get("score")), _number(row.get("grade"))
            except ValueError:
                raise ValidationError(
                    {"score": [_("Points and grades are whole numbers.")]}
                ) from None
            with transaction.atomic():
                recorded = exam_result_record(
                    actor=actor, exam=exam, person=person, score=score, grade=grade, source=source
                )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                report.errors += [RowError(line, name, m) for m in messages]
            continue
        setattr(report, recorded.outcome, getattr(report, recorded.outcome) + 1)
    return report


def exam_centre_poll(feed: ExamCentreFeed | None = None) -> list[ImportReport]:
    """Import every pending file of the feed (the periodic task and the command call this)."""
    feed = feed or FileDropFeed()
    reports = []
    with audit_context(FEED_ACTOR):
        for result_file in feed.pending():
            try:
                rows = parse_rows(result_file.name, result_file.content)
            except (ValueError, UnicodeDecodeError) as exc:
                feed.finish(result_file, None, error=str(exc))
                continue
            report = exam_results_import(rows=rows, source=result_file.name)
            feed.finish(result_file, report)
            reports.append(report)
    return reports
