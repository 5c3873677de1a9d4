"""File imports of enrolments and study rights, applied through the registers' services.

1. `import_upload` (the web page or the API, in the request): the uploader's right to write
   for the institution is checked, the file is read row by row and copied into the staging
   table (`ImportRow`; COPY on PostgreSQL, executemany on SQLite), rows that break a rule of
   the row alone are refused there, set-wise (a personal code that is not one — the people
   register's own validator; a key twice in the file), and the application is queued as a
   background job.
2. `import_apply` (the worker): the rows still without a result are applied in chunks. Each
   chunk resolves the people (by personal code) and groups or programmes it names in one read
   each, then writes each row through the register's upsert service (`enrolment_upsert`,
   `study_right_upsert`: the one write path, its rules and its refusals, so a row is refused
   by the import exactly as the service refuses it), each row in its own savepoint, and
   stores every row's result in the same transaction as the records it wrote. A killed
   worker loses nothing acknowledged: a chunk is committed with its results or not at all,
   and the run goes on from the first row without a result (`imports_resume`).
   All-or-nothing: every row is tried in one transaction, which is rolled back when any row is
   refused; the results say which rows were refused and that the others were not applied.

The import acts as its uploader: their scope (a record out of it is refused as not found, as
the API answers 404), their label in the history, channel "import".
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edureg.access.models import ClientBinding, FunctionArea, Level
from edureg.access.scoping import ScopePaths, restrict
from edureg.core import jobs
from edureg.core.context import Actor, ActorKind, Channel
from edureg.core.upsert import key_conflict
from edureg.exchange.import_models import ImportKind, ImportRow, ImportRun, ImportStatus, RowOutcome
from edureg.exchange.imports import parsing
from edureg.institutions.models import Institution
from edureg.people.identity import validate_personal_code

# A running import whose worker has not written for this long is taken up again.
STALE_AFTER = dt.timedelta(minutes=2)

REQUIRED = {
    ImportKind.ENROLMENTS: ("local_id", "personal_code", "group", "school_year", "valid_from"),
    ImportKind.STUDY_RIGHTS: ("local_id", "personal_code", "programme", "form", "started_on"),
}
OPTIONAL = {
    ImportKind.ENROLMENTS: ("contract_date", "version", "transfer"),
    ImportKind.STUDY_RIGHTS: (
        "cycle",
        "course",
        "expected_end",
        "admission_basis",
        "student_card_number",
        "funding_source",
        "version",
    ),
}
DATES = {"valid_from", "contract_date", "started_on", "expected_end"}
NUMBERS = {"school_year", "version", "course"}
DUPLICATE_IN_FILE = "duplicate_in_file"


def columns(kind: str) -> tuple[str, ...]:
    if kind in RUN_KINDS:
        return RUN_KINDS[kind].columns
    return (*REQUIRED[kind], *OPTIONAL[kind])


# --- Who the import acts for -----------------------------------------------------------------


def check_uploader(*, actor: Actor, kind: str, institution: Institution) -> None:
    """The uploader keeps this kind of data of the institution at manager level (404 out of
    scope, 403 below the level), the rule of the register's own write services."""
    if kind == ImportKind.ENROLMENTS:
        from edureg.access.models import Level
        from edureg.pupils.selectors import institution_for_pupil_work

        institution_for_pupil_work(actor=actor, institution=institution, level=Level.MANAGER)
    else:
        from edureg.students.selectors import institution_for_student_work

        institution_for_student_work(actor=actor, institution=institution)


def actor_of(run: ImportRun) -> Actor:
    """The uploader as the worker acts for them (through the import channel); a feed run acts
    as its feed (`RunKind.actor`)."""
    if run.kind in RUN_KINDS:
        return RUN_KINDS[run.kind].actor(run)
    if run.owner_client_id is not None:
        binding = ClientBinding.objects.select_related("application", "institution").get(
            pk=run.owner_client_id
        )
        return Actor.for_client(binding, channel=Channel.IMPORT)
    if run.owner_user_id is not None:
        user = run.owner_user
        return Actor(
            kind=ActorKind.STAFF,
            label=run.owner_label,
            user=user,
            channel=Channel.IMPORT,
            second_factor=run.owner_second_factor,
        )
    return Actor.system(run.owner_label.removeprefix("system:"), channel=Channel.IMPORT)


# --- Upload and staging ----------------------------------------------------------------------


def import_upload(
    *,
    actor: Actor,
    kind: str,
    institution: Institution,
    source_system: str,
    stream: IO[bytes],
    file_name: str,
    all_or_nothing: bool = False,
) -> ImportRun:
    """Stage an uploaded file and queue its application; the run's job shows the progress."""
    from edureg.exchange.imports.tasks import import_apply_task

    check_uploader(actor=actor, kind=kind, institution=institution)
    source_system = (source_system or "").strip()
    if not source_system:
        raise ValidationError(
            {"source_system": [_("Give the source system the file comes from.")]},
            code="required",
        )
    file_format = parsing.format_of(file_name)
    if file_format is None:
        raise ValidationError(
            {"file": [_("Upload a CSV, XLSX or JSON Lines (.jsonl) file.")]}, code="invalid"
        )
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            file_format=file_format,
            file_name=file_name[:255],
            source_system=source_system[:64],
            institution=institution,
            all_or_nothing=all_or_nothing,
            owner_label=actor.label,
            owner_user=user if actor.kind == ActorKind.STAFF else None,
            owner_client=actor.client if actor.kind == ActorKind.CLIENT else None,
            owner_second_factor=actor.second_factor,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
        )
        count = stage(run, parsing.rows(stream, file_format))
        if count == 0:
            raise ValidationError({"file": [_("The file has no rows.")]}, code="required")
        refuse_in_file(run)
        run.rows_total = count
        run.job = jobs.job_create(
            actor=actor,
            kind="exchange.import",
            title=_("Import of %(file)s") % {"file": run.file_name},
            total=count,
            params={"import": str(run.public_id)},
        )
        run.save(update_fields=["rows_total", "job"])
        transaction.on_commit(lambda: import_apply_task.enqueue(run_id=run.pk))
    return run


def _staged(run: ImportRun, rows: Iterable[parsing.Row], kind: str) -> Iterator[tuple[Any, ...]]:
    wanted = set(columns(kind))
    for line, values in rows:
        data = {name: value for name, value in values.items() if name in wanted and value != ""}
        yield (run.pk, line, data.get("local_id", "")[:64], json.dumps(data, ensure_ascii=False))


def stage(run: ImportRun, rows: Iterable[parsing.Row]) -> int:
    """Copy the rows into the staging table as sent; returns how many."""
    table = ImportRow._meta.db_table
    staged = _staged(run, rows, run.kind)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"COPY {table} (run_id, line, key, data, outcome, field, code, message) FROM STDIN"
            )
            with cursor.cursor.copy(sql) as copy:
                for run_id, line, key, data in staged:
                    copy.write_row((run_id, line, key, data, "", "", "", ""))
                    count += 1
            return count
        # The table name is the model's own, not input.
        sql = (
            f"INSERT INTO {table} (run_id, line, key, data, outcome, field, code, message) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '', '', '', '')"
        )
        batch: list[tuple[Any, ...]] = []
        for row in staged:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def refuse_in_file(run: ImportRun) -> None:
    """Refuse, set-wise, what a row breaks on its own: a missing column, a date or number that
    is not one, a personal code that is not one (the people register's own validator), and a
    key that the file holds more than once (which of them is meant cannot be told)."""
    counts = Counter(
        run.rows.exclude(key="").values_list("key", flat=True).order_by()  # one read
    )
    twice = {key for key, n in counts.items() if n > 1}
    refused: list[ImportRow] = []
    rows = run.rows.filter(outcome="").only("pk", "line", "key", "data")
    for row in rows.iterator(chunk_size=5000):
        problem = _row_problem(run.kind, row.data)
        if problem is None and row.key in twice:
            problem = (
                "local_id",
                DUPLICATE_IN_FILE,
                _("The file holds this record's key (local id) more than once."),
            )
        if problem is not None:
            row.outcome = RowOutcome.REFUSED
            row.field, row.code, row.message = problem
            refused.append(row)
    ImportRow.objects.bulk_update(refused, ["outcome", "field", "code", "message"], batch_size=2000)


def _row_problem(kind: str, data: Mapping[str, str]) -> tuple[str, str, str] | None:
    if kind in RUN_KINDS:
        return RUN_KINDS[kind].problem(data)
    for name in REQUIRED[kind]:
        if not data.get(name):
            return name, "required", _("This column is required.")
    for name in DATES & data.keys():
        try:
            dt.date.fromisoformat(data[name])
        except ValueError:
            return name, "invalid", _("Give the date as YYYY-MM-DD.")
    for name in NUMBERS & data.keys():
        if not data[name].isdigit():
            return name, "invalid", _("Give a whole number.")
    try:
        validate_personal_code(data["personal_code"])
    except ValidationError as exc:
        return "personal_code", exc.code or "invalid", exc.messages[0]
    return None


# --- Applying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    outcome: str
    field: str = ""
    code: str = ""
    message: str = ""
    record_id: Any = None


def refused_result(exc: Exception, renames: Mapping[str, str] | None = None) -> Result:
    """A service's refusal as a row result: the first field, its code and message."""
    renames = renames or {}
    if isinstance(exc, Http404):
        return Result(RowOutcome.REFUSED, "local_id", "not_found", _("Not found."))
    if isinstance(exc, PermissionDenied):
        message = str(exc) or _("You do not have permission to perform this action.")
        return Result(RowOutcome.REFUSED, "", "permission_denied", message)
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        error = errors[0]
    else:
        name, error = NON_FIELD_ERRORS, exc.error_list[0]
    message = error.message % error.params if error.params else error.message
    field = "" if name == NON_FIELD_ERRORS else renames.get(name, name)
    return Result(RowOutcome.REFUSED, field, error.code or "invalid", str(message))


class _AllOrNothing(Exception):
    """Raised to roll back an all-or-nothing import in which a row was refused."""


def import_apply(run_id: int) -> ImportRun:
    """Apply the staged rows still without a result (the worker's task; safe to run again)."""
    from edureg.core.context import audit_context

    run = ImportRun.objects.select_related("institution", "job").get(pk=run_id)
    if run.status in (ImportStatus.DONE, ImportStatus.REFUSED):
        return run
    actor = actor_of(run)
    applier = _appliers()[run.kind]
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    job_id = run.job_id
    context = jobs.job_running(job_id) if job_id else _no_job()
    with translation.override(run.language), audit_context(actor), context as job:
        if job is not None:
            jobs.job_advance(job, run.rows.exclude(outcome="").count(), force=True)
        if run.all_or_nothing:
            _apply_all_or_nothing(run, actor, applier, job)
        else:
            _apply_in_chunks(run, actor, applier, job)
        _finish(run, job)
    return run


class _no_job:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


Applier = Callable[[ImportRun, Actor, list[ImportRow]], list[Result]]


def _apply_in_chunks(run: ImportRun, actor: Actor, applier: Applier, job: Any) -> None:
    pending = run.rows.filter(outcome="").order_by("line")
    while True:
        with transaction.atomic():
            chunk = list(pending[: settings.IMPORT_CHUNK_ROWS].select_for_update())
            if not chunk:
                return
            results = applier(run, actor, chunk)
            _store(run, chunk, results)
        if job is not None:
            jobs.job_advance(job, len(chunk))


def _apply_all_or_nothing(run: ImportRun, actor: Actor, applier: Applier, job: Any) -> None:
    rows = list(run.rows.order_by("line"))
    pending = [row for row in rows if not row.outcome]
    refused_before = len(pending) != len(rows)
    outcome: list[Result] = []
    try:
        with transaction.atomic():
            size = settings.IMPORT_CHUNK_ROWS
            for start in range(0, len(pending), size):
                chunk = pending[start : start + size]
                outcome += applier(run, actor, chunk)
                if job is not None:
                    jobs.job_advance(job, len(chunk))
            if refused_before or any(r.outcome == RowOutcome.REFUSED for r in outcome):
                raise _AllOrNothing
            _store(run, pending, outcome)
    except _AllOrNothing:
        kept = [
            r if r.outcome == RowOutcome.REFUSED else Result(RowOutcome.NOT_APPLIED)
            for r in outcome
        ]
        with transaction.atomic():
            _store(run, pending, kept)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.REFUSED)
        run.status = ImportStatus.REFUSED


def _store(run: ImportRun, rows: list[ImportRow], results: list[Result]) -> None:
    now = timezone.now()
    for row, result in zip(rows, results, strict=True):
        row.outcome, row.field, row.code = result.outcome, result.field[:64], result.code[:64]
        row.message, row.record_id, row.applied_at = result.message, result.record_id, now
    ImportRow.objects.bulk_update(
        rows, ["outcome", "field", "code", "message", "record_id", "applied_at"], batch_size=1000
    )
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=now)


def _finish(run: ImportRun, job: Any) -> None:
    counts = dict(run.rows.values_list("outcome").order_by().annotate(n=Count("id")))
    run.created = counts.get(RowOutcome.CREATED, 0)
    run.unchanged = counts.get(RowOutcome.UNCHANGED, 0)
    run.updated = counts.get(RowOutcome.UPDATED, 0)
    run.refused = counts.get(RowOutcome.REFUSED, 0)
    if run.status != ImportStatus.REFUSED:
        run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["created", "unchanged", "updated", "refused", "status", "finished_at"])
    if job is not None:
        from edureg.exchange.imports import reports

        jobs.job_note(job, reports.summary(run))
        if run.refused:
            jobs.job_attach(
                job, name=reports.report_name(run, "csv"), content=reports.csv_of(run), report=True
            )


def imports_resume(now: dt.datetime | None = None) -> list[int]:
    """Queue again the imports whose worker stopped (killed, restarted) before finishing."""
    from edureg.exchange.imports.tasks import import_apply_task

    now = now or timezone.now()
    stale = list(
        ImportRun.objects.filter(
            status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    for run_id in stale:
        ImportRun.objects.filter(pk=run_id).update(status=ImportStatus.STAGED, heartbeat_at=now)
        import_apply_task.enqueue(run_id=run_id)
    return stale


# --- One kind of record each -----------------------------------------------------------------


def _number(data: Mapping[str, str], name: str) -> int | None:
    return int(data[name]) if data.get(name) else None


def _date(data: Mapping[str, str], name: str) -> dt.date | None:
    return dt.date.fromisoformat(data[name]) if data.get(name) else None


def _upsert_row(model: Any, run: ImportRun, key: str, write: Callable[[], Any]) -> Result:
    """One row through its service, in the service's savepoint; a refusal as a result."""
    try:
        with key_conflict(model, run.source_system, key):
            upserted = write()
    except (ValidationError, Http404, PermissionDenied) as exc:
        return refused_result(exc, {"person": "personal_code"})
    return Result(upserted.outcome, record_id=upserted.record.public_id)


def apply_enrolments(run: ImportRun, actor: Actor, rows: list[ImportRow]) -> list[Result]:
    from edureg.access.models import FunctionArea
    from edureg.people.selectors import people_to_register
    from edureg.pupils import selectors as pupil_selectors
    from edureg.pupils import services as pupils
    from edureg.pupils.models import Enrolment

    people = people_to_register(
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        what="pupil.enrolment-lookup",
        personal_codes=[row.data["personal_code"] for row in rows],
    )
    groups = {
        (g.name.casefold(), g.school_year): g
        for g in pupil_selectors.group_list(actor=actor).filter(
            institution=run.institution,
            name__in={row.data["group"] for row in rows},
            school_year__in={int(row.data["school_year"]) for row in rows},
        )
    }
    results = []
    for row in rows:
        data = row.data
        person = people.get(data["personal_code"])
        group = groups.get((data["group"].casefold(), int(data["school_year"])))
        if person is None:
            results.append(refused_result(pupils.unknown_person("personal_code")))
            continue
        if group is None:
            results.append(refused_result(pupils.unknown_group()))
            continue
        values = {
            "person": person,
            "group": group,
            "valid_from": _date(data, "valid_from"),
            "contract_date": _date(data, "contract_date"),
            "transfer": data.get("transfer", "").lower() in ("1", "true", "taip", "yes"),
            "version": _number(data, "version"),
        }
        results.append(
            _upsert_row(
                Enrolment,
                run,
                row.key,
                lambda values=values, key=row.key: pupils.enrolment_upsert(
                    actor=actor, source_system=run.source_system, local_id=key, values=values
                ),
            )
        )
    return results


def apply_study_rights(run: ImportRun, actor: Actor, rows: list[ImportRow]) -> list[Result]:
    from edureg.students import services as students
    from edureg.students.models import StudyRight

    references = students.study_right_references(
        programme_codes=[row.data["programme"] for row in rows]
    )
    results = []
    for row in rows:
        data = row.data
        try:
            programme = references.programme(data["programme"])
            funding_source = references.funding_source(data.get("funding_source", ""))
            person = students.person_to_admit(
                actor=actor, personal_code=data["personal_code"], field="personal_code"
            )
        except (ValidationError, PermissionDenied) as exc:
            results.append(refused_result(exc))
            continue
        values: dict[str, Any] = {
            "person": person.public_id,
            "institution": run.institution,
            "programme": programme,
            "form": data["form"],
            "started_on": _date(data, "started_on"),
            "cycle": data.get("cycle", ""),
            "course": _number(data, "course") or 1,
            "expected_end": _date(data, "expected_end"),
            "admission_basis": data.get("admission_basis", ""),
            "student_card_number": data.get("student_card_number", ""),
            "version": _number(data, "version"),
        }
        if funding_source is not None:
            values["funding_source"] = funding_source
        results.append(
            _upsert_row(
                StudyRight,
                run,
                row.key,
                lambda values=values, key=row.key: students.study_right_upsert(
                    actor=actor, source_system=run.source_system, local_id=key, values=values
                ),
            )
        )
    return results


def _appliers() -> dict[str, Applier]:
    return {
        ImportKind.ENROLMENTS: apply_enrolments,
        ImportKind.STUDY_RIGHTS: apply_study_rights,
        **{kind: spec.apply for kind, spec in RUN_KINDS.items()},
    }


# --- Other kinds of run: the inbound feeds ---------------------------------------------------


@dataclass(frozen=True)
class RunKind:
    """A kind of run other than an institution's file import (an inbound feed of another
    register, `exchange.feeds`): its columns, what a row breaks alone (refused set-wise at
    staging), how a chunk of rows is applied, and whom the worker acts as. Its runs are staged,
    applied, resumed and reported by this module like any import."""

    columns: tuple[str, ...]
    problem: Callable[[Mapping[str, str]], tuple[str, str, str] | None]
    apply: Applier
    actor: Callable[[ImportRun], Actor]


RUN_KINDS: dict[str, RunKind] = {}


def run_kind_register(kind: str, spec: RunKind) -> None:
    RUN_KINDS[kind] = spec


# --- Reads -----------------------------------------------------------------------------------


def imports_of(*, actor: Actor) -> Any:
    """The actor's own imports, newest first (feed runs are the feeds' page's)."""
    return ImportRun.objects.filter(
        owner_label=actor.label, kind__in=ImportKind.values
    ).select_related("institution", "job")


def import_for(*, actor: Actor, public_id: Any) -> ImportRun:
    """One of the actor's imports, or 404."""
    run = imports_of(actor=actor).filter(public_id=public_id).first()
    if run is None:
        raise Http404
    return run


INSTITUTION_ITSELF = ScopePaths(institution=("pk",))


def writable_institutions(actor: Actor) -> QuerySet[Institution]:
    """The institutions whose pupils' or students' data the actor keeps (manager level)."""
    return restrict(
        Institution.objects.order_by("name_lt"),
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )
