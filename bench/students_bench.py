"""Benchmark: the Student Register at national scale on PostgreSQL, served by gunicorn.

    scripts/with-postgres.sh .venv/bin/python bench/students_bench.py --database postgres

The same approach as bench/pupils_bench.py, whose server, SQL recorder and report helpers it
imports (and bench/loadgen.py for the concurrent load). Migrates the throw-away PostgreSQL
database of `scripts/with-postgres.sh`, times `manage.py seed_demo --scale national` (the
Student Register's part on its own), then starts gunicorn with `edureg.wsgi` as production runs
it (DEBUG off, demo mode off, sync workers, bound to 127.0.0.1) and measures, each beside a
baseline taken in the same run:

- Writes: batch upserts of new study rights with their status history (leave and return,
  interruption and return to the second course; some then terminated, some graduated with a
  graduation record), as one HEI's information system sends them: (a) through the API's batch
  endpoint with an OAuth2 client-credentials token of a client managing that HEI's student
  data, in batches of the largest size allowed, then the same batches again (every record 200,
  and not one new version or change-log row); (b) through the service layer alone, in this
  process: `study_right_upsert`, which the batch view calls for each record after validating
  it, each record in its own transaction, without HTTP, JSON or DRF; again twice. The baseline
  is exactly the SQL that (b) sent, recorded statement by statement, replayed through a bare
  psycopg connection in the same transactions after the rows (b) wrote are deleted and the
  sequences put back (so the replay writes the same rows with the same ids); and the INSERTs
  and UPDATEs of it alone. Rates are records per second of one client.
- Reads: p50/p95 latency of the study-right detail endpoint (the student card of the API:
  the study right with its status history and funding, the read written to the student's access
  log) under 16 concurrent clients (threads with keep-alive `http.client` connections over
  loopback, each with the bearer token of a national student-data viewer), over random study
  rights, after a warm-up. The baseline is the SQL that each of these requests sends, recorded
  once in this process, replayed by 16 threads each with its own bare psycopg connection.

Results are printed as Markdown tables for bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import (  # noqa: E402  (after the path is set)
    HttpRequest,
    SqlUnit,
    http_load,
    sql_load,
)
from pupils_bench import (  # noqa: E402
    HOST,
    ReadResult,
    SqlRecorder,
    _access_log_unique_dropped,
    _check_answers,
    _configure,
    _database_size,
    _database_version,
    _gunicorn,
    _machine,
    _only_writes,
    _print_reads,
    _replay_serially,
    _statement_count,
    _TimedLines,
    _vacuum_analyze,
    add_common_arguments,
)

# Unique to the run, so that --reuse finds new keys and new client names.
RUN = secrets.token_hex(3)
API_SOURCE, SERVICE_SOURCE = f"bench-api-{RUN}", f"bench-service-{RUN}"
MANAGER_CLIENT_ID, VIEWER_CLIENT_ID = f"bench-hei-sis-{RUN}", f"bench-national-viewer-{RUN}"
CARD_PATH = "/api/v1/students/study-rights/{}/"
BATCH_PATH = "/api/v1/students/study-rights/batch/"

# The API's limit of records per batch call (edureg.core.api.batch); the benchmark sends full
# batches through HTTP and imports no API module.
BATCH_MAX_RECORDS = 500


# --- Seeding ----------------------------------------------------------------------------------


def _seed_parts(
    lines: Sequence[tuple[float, str]], started: float, ended: float
) -> dict[str, float]:
    """Seconds of the seed before the Student Register, of its generation and check, and of its
    inserts (to the end of the command, so with the commit of the seed's one transaction)."""
    first = next((i for i, (_at, line) in enumerate(lines) if line.startswith("students:")), None)
    if first is None:
        return {"whole seed": ended - started}
    begins = lines[first - 1][0] if first > 0 else started
    generated = lines[first][0]
    return {
        "institutions, people, programmes, pupils": begins - started,
        "Student Register: generate and check the study rights": generated - begins,
        "Student Register: insert them (audited bulk path) and commit": ended - generated,
        "Student Register in all": ended - begins,
        "whole seed": ended - started,
    }


def _seed(scale: str, seed: int) -> dict[str, float]:
    from django.core.management import call_command

    output = _TimedLines()
    started = time.perf_counter()
    call_command("seed_demo", "--scale", scale, "--seed", str(seed), stdout=output)
    return _seed_parts(output.lines, started, time.perf_counter())


def _seed_log(path: Path) -> dict[str, float]:
    """The parts of a seed run earlier in this database, from its log of `<unix time> <line>`
    (lines `start` and `end` around the command's output)."""
    lines = []
    for raw in path.read_text().splitlines():
        at, _space, line = raw.partition(" ")
        lines.append((float(at), line.strip()))
    started = next(at for at, line in lines if line == "start")
    ended = next(at for at, line in lines if line == "end")
    output = [(at, line) for at, line in lines if line not in ("start", "end") and line]
    return _seed_parts(output, started, ended)


def _counts() -> dict[str, int]:
    from edureg.people.models import Person
    from edureg.pupils.models import Enrolment
    from edureg.students.models import FundingPeriod, Result, StatusPeriod, StudyRight

    return {
        "persons": Person.objects.count(),
        "enrolments (Pupil Register)": Enrolment.objects.count(),
        "study rights": StudyRight.objects.count(),
        "current study rights (open)": StudyRight.objects.filter(ended_on__isnull=True).count(),
        "HEIs with study rights": StudyRight.objects.values("institution").distinct().count(),
        "status periods": StatusPeriod.objects.count(),
        "funding periods": FundingPeriod.objects.count(),
        "results": Result.objects.count(),
    }


# --- Who asks ---------------------------------------------------------------------------------


@dataclass
class Clients:
    hei: Any  # the Institution whose system upserts
    manager: Any  # its ClientBinding: student data at manager level for that HEI
    manager_secret: str
    viewer_secret: str  # a national student-data viewer


def _busiest_hei() -> Any:
    """The HEI that provides the most study programmes with a state code."""
    from django.db.models import Count

    from edureg.institutions.models import Institution
    from edureg.programmes.models import Programme, ProgrammeKind

    top = (
        Programme.objects.filter(kind=ProgrammeKind.STUDY, state_code__isnull=False)
        .values("provider")
        .annotate(programmes=Count("pk"))
        .order_by("-programmes", "provider")
        .first()
    )
    if top is None:
        sys.exit("no study programmes: seed the demo data first")
    return Institution.objects.get(pk=top["provider"])


def _clients() -> Clients:
    from edureg.access import services
    from edureg.access.models import FunctionArea, Level, ScopeKind
    from edureg.core.context import Actor

    system = Actor.system("students_bench")
    hei = _busiest_hei()
    manager, manager_secret = services.client_register(
        actor=system,
        name="Benchmark: an HEI's student information system",
        institution=hei,
        rights=[(FunctionArea.STUDENT_DATA, Level.MANAGER)],
        client_id=MANAGER_CLIENT_ID,
    )
    viewer, viewer_secret = services.client_register(
        actor=system,
        name="Benchmark: a national student-data reader",
        institution=hei,
        rights=[],
        client_id=VIEWER_CLIENT_ID,
    )
    services.role_grant(
        actor=system,
        client=viewer,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.STUDENT_DATA,
        level=Level.VIEWER,
    )
    return Clients(hei, manager, manager_secret, viewer_secret)


def _token(port: int, client_id: str, secret: str) -> str:
    """An OAuth2 client-credentials token."""
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request(
        "POST",
        "/o/token/",
        urllib.parse.urlencode({"grant_type": "client_credentials"}),
        {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"token request: {response.status} {body[:300]!r}")
    return str(json.loads(body)["access_token"])


# --- The write workload -----------------------------------------------------------------------

STARTED_ON = dt.date(2022, 9, 1)
# Three shapes in turn; 4.3 periods a record on average, every step of the register but the
# transfer and the correction.
RETURNED = [
    {"status": "studying", "valid_from": "2022-09-01"},
    {"status": "academic_leave", "valid_from": "2023-02-01", "leave_reason": "illness"},
    {"status": "studying", "valid_from": "2023-09-01"},
    {"status": "interrupted", "valid_from": "2024-02-01", "reasons": ["academic-debt"]},
    {"status": "studying", "valid_from": "2024-09-01", "course": 2},
]
TERMINATED = [
    *RETURNED,
    {"status": "terminated", "valid_from": "2025-01-15", "reasons": ["own-request"]},
]
GRADUATED = [
    {"status": "studying", "valid_from": "2022-09-01"},
    {"status": "graduated", "valid_from": "2026-06-30"},
]
SHAPES: list[dict[str, Any]] = [
    {"course": 2, "periods": RETURNED},
    {"course": 2, "periods": TERMINATED},
    {
        "course": 4,
        "periods": GRADUATED,
        "graduation": {"degree": "Bakalauras", "thesis_title": "Registrų duomenų kokybė"},
    },
]


def _write_workload(
    hei: Any, count: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two disjoint sets of `count` new study rights at the HEI (for the API and for the
    service layer): the oldest living people without any study right, each into one of the
    HEI's study programmes from 1 September 2022, with one of the three histories in turn."""
    from django.db.models import Exists, OuterRef

    from edureg.people.models import Person
    from edureg.programmes.models import Programme, ProgrammeKind
    from edureg.students.models import StudyRight

    people = list(
        Person.objects.filter(
            ~Exists(StudyRight.objects.filter(person=OuterRef("pk"))),
            date_of_death__isnull=True,
        )
        .order_by("birth_date", "pk")
        .values_list("public_id", flat=True)[: 4 * count]
    )
    programmes = list(
        Programme.objects.filter(kind=ProgrammeKind.STUDY, state_code__isnull=False, provider=hei)
        .order_by("state_code")
        .values_list("state_code", flat=True)
    )
    if len(people) < 2 * count:
        sys.exit(f"{len(people)} people have no study right: use --records {len(people) // 2}")
    rng = random.Random(f"edureg-bench-students:{seed}")
    chosen = rng.sample(people, 2 * count)
    sets = []
    for source, part in ((API_SOURCE, chosen[:count]), (SERVICE_SOURCE, chosen[count:])):
        sets.append(
            [
                {
                    "source_system": source,
                    "local_id": f"S{index:07d}",
                    "person": str(person),
                    "programme": rng.choice(programmes),
                    "form": "full_time",
                    "started_on": STARTED_ON.isoformat(),
                    "funding_source": "11",
                    "student_card_number": f"B{index:07d}",
                    **SHAPES[index % len(SHAPES)],
                }
                for index, person in enumerate(part)
            ]
        )
    return sets[0], sets[1]


def _periods_sent(records: Sequence[dict[str, Any]]) -> int:
    return sum(len(record["periods"]) for record in records)


def _history_rows() -> dict[str, int]:
    """Version rows of everything an upsert may write, and the change log."""
    from edureg.core.models import ChangeLogEntry
    from edureg.students.models import FundingPeriod, Graduation, StatusPeriod, StudyRight

    return {
        "study right versions": StudyRight.history.count(),
        "status period versions": StatusPeriod.history.count(),
        "funding period versions": FundingPeriod.history.count(),
        "graduation versions": Graduation.history.count(),
        "change-log rows": ChangeLogEntry.objects.count(),
    }


def _api_upserts(port: int, token: str, records: list[dict[str, Any]], expect: int) -> float:
    """Send the records in batches of the largest size allowed, one after another, as one
    HEI's system would; every record must answer `expect`. Returns seconds."""

    bodies = [
        json.dumps({"records": records[i : i + BATCH_MAX_RECORDS]}).encode()
        for i in range(0, len(records), BATCH_MAX_RECORDS)
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=900)
    answers: list[Any] = []
    started = time.perf_counter()
    for body in bodies:
        connection.request("POST", BATCH_PATH, body, headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            sys.exit(f"batch: {response.status} {payload[:300]!r}")
        answers += [
            r["status"] if r["status"] == expect else (r["status"], r.get("errors"))
            for r in json.loads(payload)["results"]
        ]
    elapsed = time.perf_counter() - started
    connection.close()
    _check_answers("API", answers, expect)
    return elapsed


def _validated(records: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each record as the service takes it (codes resolved to rows, dates and ids parsed), as
    the batch view's record serializer hands it over; done before the clock starts."""
    import uuid

    from edureg.core.models import ClassifierValue
    from edureg.programmes.models import Programme

    programmes = {p.state_code: p for p in Programme.objects.exclude(state_code=None)}
    values_of = {
        (v.classifier.code, v.code): v for v in ClassifierValue.objects.select_related("classifier")
    }

    def day(text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def period(sent: dict[str, Any]) -> dict[str, Any]:
        parsed: dict[str, Any] = {"status": sent["status"], "valid_from": day(sent["valid_from"])}
        if "leave_reason" in sent:
            parsed["leave_reason"] = values_of["academic-leave-reason", sent["leave_reason"]]
        if "reasons" in sent:
            parsed["reasons"] = [values_of["study-termination-reason", r] for r in sent["reasons"]]
        if "course" in sent:
            parsed["course"] = sent["course"]
        return parsed

    result = []
    for record in records:
        values = dict(record)
        values["person"] = uuid.UUID(values["person"])
        values["programme"] = programmes[values["programme"]]
        values["started_on"] = day(values["started_on"])
        values["funding_source"] = values_of["study-funding-source", values["funding_source"]]
        values["periods"] = [period(p) for p in values["periods"]]
        result.append((values.pop("source_system"), values.pop("local_id"), values))
    return result


def _service_upserts(
    binding: Any,
    records: list[tuple[str, str, dict[str, Any]]],
    expect: int,
    recorder: SqlRecorder,
) -> float:
    """The batch view's work per record after validation, without HTTP, JSON and DRF:
    `study_right_upsert` in its own transaction, as the client's actor. Returns seconds."""
    from django.db import transaction

    from edureg.core.context import Actor
    from edureg.students.services import study_right_upsert

    actor = Actor.for_client(binding)
    answers = []
    started = time.perf_counter()
    for source_system, local_id, values in records:
        with recorder.unit(), transaction.atomic():
            upserted = study_right_upsert(
                actor=actor, source_system=source_system, local_id=local_id, values=values
            )
        answers.append(201 if upserted.created else 200)
    elapsed = time.perf_counter() - started
    _check_answers("service layer", answers, expect)
    return elapsed


def _print_statement_kinds(recorder: SqlRecorder, records: int) -> None:
    """What the first `records` upserts (one of each shape) sent, by verb and first table."""
    import re
    from collections import Counter

    kinds: Counter[str] = Counter()
    for unit in recorder.units[:records]:
        for statement in unit:
            verb = statement.sql.lstrip().split(None, 1)[0].upper()
            table = re.search(r'(?:FROM|INTO|UPDATE)\s+"([^"]+)"', statement.sql)
            kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    print(f"SQL statements of the first {records} new records, by kind:")
    for kind, count in kinds.most_common():
        print(f"  {count / records:6.1f} per record  {kind}")
    sys.stdout.flush()


# --- Undoing a run so that its SQL can be replayed as it was ----------------------------------


def _int_pk_models() -> list[Any]:
    from django.apps import apps
    from django.db import models

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
    ]


def _marks() -> dict[str, int]:
    """The largest id of every table with an integer id, before a recorded run."""
    from django.db import connection

    marks = {}
    with connection.cursor() as cursor:
        for model in _int_pk_models():
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608
            marks[table] = int(cursor.fetchone()[0])
    return marks


def _undo(marks: dict[str, int]) -> list[str]:
    """Delete every row the recorded run added (in one transaction: Django's foreign keys are
    checked at commit) and put the id sequences back, so that a replay of the recorded SQL
    writes the same rows with the same ids. Returns the tables it touched."""
    from django.db import connection, transaction

    after = _marks()
    grown = [table for table, mark in marks.items() if after.get(table, 0) > mark]
    columns = {m._meta.db_table: m._meta.pk.column for m in _int_pk_models()}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in grown:
            column = columns[table]
            cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [marks[table]])  # noqa: S608
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(%s, 1), %s)",
                [f'"{table}"', column, marks[table], marks[table] > 0],
            )
    with connection.cursor() as cursor:
        for table in grown:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    return grown


# --- Writes -----------------------------------------------------------------------------------


@dataclass
class WriteResult:
    label: str
    records: int
    periods: int
    api_seconds: float
    service_seconds: float
    bare_seconds: float
    bare_writes_seconds: float | None
    statements: float
    history_added: str


def _measure_writes(
    url: str, port: int, token: str, clients: Clients, count: int, seed: int
) -> list[WriteResult]:
    api_records, service_records = _write_workload(clients.hei, count, seed)
    service_values = _validated(service_records)
    periods = _periods_sent(api_records)
    results = []

    # New keys: every record opens a study right and records its history (201).
    before = _history_rows()
    api_seconds = _api_upserts(port, token, api_records, expect=201)
    marks = _marks()
    recorder = SqlRecorder()
    service_seconds = _service_upserts(clients.manager, service_values, 201, recorder)
    added = {k: v - before[k] for k, v in _history_rows().items()}
    _print_statement_kinds(recorder, len(SHAPES))
    units = recorder.rendered()
    _undo(marks)
    bare_seconds = _replay_serially(url, units)
    _undo(marks)
    writes_seconds = _replay_serially(url, _only_writes(units))
    # Leave the study rights as the service wrote them, for the unchanged round.
    _undo(marks)
    _replay_serially(url, units)
    results.append(
        WriteResult(
            "new study right with its history (201): opened, then each later period through "
            "its service; versions and change-log rows",
            count,
            periods,
            api_seconds,
            service_seconds,
            bare_seconds,
            writes_seconds,
            _statement_count(units),
            ", ".join(f"{v:,} {k}" for k, v in added.items()) + " (both passes)",
        )
    )

    # The same records again: nothing to write (200), not one version or change-log row.
    before = _history_rows()
    api_seconds = _api_upserts(port, token, api_records, expect=200)
    recorder = SqlRecorder()
    service_seconds = _service_upserts(clients.manager, service_values, 200, recorder)
    after = _history_rows()
    if after != before:
        sys.exit(f"the unchanged round wrote history: {before} -> {after}")
    units = recorder.rendered()
    with _access_log_unique_dropped():
        bare_seconds = _replay_serially(url, units)
    results.append(
        WriteResult(
            "the same records again (200): compared with the stored history, nothing written",
            count,
            periods,
            api_seconds,
            service_seconds,
            bare_seconds,
            None,
            _statement_count(units),
            "none (checked: " + ", ".join(f"{v:,} {k}" for k, v in after.items()) + ")",
        )
    )
    return results


# --- Reads ------------------------------------------------------------------------------------


def _card_rights(sample: int, seed: int) -> list[str]:
    """Public ids of `sample` random study rights of the whole register (all of them, when
    there are fewer)."""
    from edureg.students.models import StudyRight

    ids = list(StudyRight.objects.order_by("pk").values_list("public_id", flat=True))
    rng = random.Random(f"edureg-bench-students:{seed}:cards")
    return [str(public_id) for public_id in rng.sample(ids, min(sample, len(ids)))]


def _record_cards(paths_by_client: Sequence[Sequence[str]], token: str) -> list[list[SqlUnit]]:
    """Each client's requests once in this process (Django's test client, the same token),
    with the SQL each sent; every answer must be 200."""
    from django.test import Client

    recorder = SqlRecorder()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for paths in paths_by_client:
        for path in paths:
            with recorder.unit():
                response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"GET {path}: {response.status_code} {response.content[:300]!r}")
    units = recorder.rendered()
    plans, start = [], 0
    for paths in paths_by_client:
        plans.append(units[start : start + len(paths)])
        start += len(paths)
    return plans


def _measure_cards(
    url: str, port: int, token: str, clients: int, duration: float, warmup: float, seed: int
) -> ReadResult:
    rights = _card_rights(20 * clients, seed)
    paths = [[CARD_PATH.format(r) for r in rights[i::clients]] for i in range(clients)]
    plans = [
        [HttpRequest("GET", path, {"Authorization": f"Bearer {token}"}) for path in client_paths]
        for client_paths in paths
    ]
    label = (
        f"student card `GET {CARD_PATH.format('<id>')}`, national viewer, "
        f"{len(rights)} random study rights in turn"
    )
    # The access-log rows the recording appends are appended again by the replay.
    with _access_log_unique_dropped():
        replay = _record_cards(paths, token)
        app = http_load(HOST, port, plans, duration=duration, warmup=warmup)
        if app.errors:
            sys.exit(f"card: {app.errors[:3]}")
        bare = sql_load(url, replay, duration=duration, warmup=warmup)
        if bare.errors:
            sys.exit(f"card (bare SQL): {bare.errors[:3]}")
    queries = sum(_statement_count(plan) for plan in replay) / len(replay)
    return ReadResult(label, queries, app, bare)


# --- Report -----------------------------------------------------------------------------------


def _print_data(seed_times: dict[str, float] | None, counts: dict[str, int]) -> None:
    print("| data | count |")
    print("|---|---:|")
    for name, count in counts.items():
        print(f"| {name} | {count:,} |")
    print(f"| database size | {_database_size()} |")
    if seed_times:
        print()
        print("| `seed_demo` | seconds |")
        print("|---|---:|")
        for part, seconds in seed_times.items():
            print(f"| {part} | {seconds:,.1f} |")


def _print_writes(results: Sequence[WriteResult]) -> None:
    print(
        "| upsert | records (periods) | SQL statements per record | API records/s | service "
        "layer records/s | bare SQL records/s | bare INSERT/UPDATE only records/s | API ÷ bare "
        "| service ÷ bare | history rows added |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        api, service = r.records / r.api_seconds, r.records / r.service_seconds
        bare = r.records / r.bare_seconds
        writes = f"{r.records / r.bare_writes_seconds:,.0f}" if r.bare_writes_seconds else "–"
        print(
            f"| {r.label} | {r.records:,} ({r.periods:,}) | {r.statements:.1f} | {api:,.1f} "
            f"| {service:,.1f} | {bare:,.0f} | {writes} | {api / bare:.3f} | {service / bare:.3f} "
            f"| {r.history_added} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, records=3_000)
    parser.add_argument(
        "--seed-log",
        type=Path,
        help="with --reuse: the timestamped log of the seed that filled the database, to report "
        "its parts (lines `<unix time> <output line>` between `start` and `end`)",
    )
    args = parser.parse_args()
    url = _configure(args.database, "students_bench.py")
    # A real secret, shared with the server.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)

    import django

    django.setup()
    from django.core.management import call_command

    from edureg.people.models import Person

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seed_times = None
    if not (args.reuse and Person.objects.exists()):
        seed_times = _seed(args.scale, args.seed)
    elif args.seed_log:
        seed_times = _seed_log(args.seed_log)
    _vacuum_analyze()
    counts = _counts()
    clients = _clients()
    prepared = time.perf_counter()
    load_before = os.getloadavg()[0]
    with _gunicorn(url, args.workers) as port:
        manager_token = _token(port, MANAGER_CLIENT_ID, clients.manager_secret)
        viewer_token = _token(port, VIEWER_CLIENT_ID, clients.viewer_secret)
        writes = _measure_writes(url, port, manager_token, clients, args.records, args.seed)
        _print_writes(writes)  # at once too, so that a failure later does not lose them
        _vacuum_analyze()
        card = _measure_cards(
            url, port, viewer_token, args.clients, args.duration, args.warmup, args.seed
        )
    measured = time.perf_counter()
    load_after = os.getloadavg()[0]

    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"Django {django.get_version()}; {_database_version()}; "
          f"gunicorn {args.workers} sync workers")  # fmt: skip
    print(f"Upserting HEI: {clients.hei.name_lt} ({clients.hei.register_id})")
    print()
    _print_data(seed_times, counts)
    print()
    print(
        f"Timings: migrate and seed {prepared - began:.1f} s, measure {measured - prepared:.1f} "
        f"s. Load average (1 min) {load_before:.2f} before measuring, {load_after:.2f} after."
    )
    print()
    _print_writes(writes)
    print()
    _print_reads([card], args.clients)


if __name__ == "__main__":
    main()
