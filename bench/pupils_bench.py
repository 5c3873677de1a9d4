"""Benchmark: the Pupil Register at national scale on PostgreSQL, served by gunicorn.

    scripts/with-postgres.sh .venv/bin/python bench/pupils_bench.py --database postgres

Migrates the throw-away PostgreSQL database of `scripts/with-postgres.sh`, times
`manage.py seed_demo --scale national` (and each of its parts), then starts gunicorn with
`edureg.wsgi` as production runs it (DEBUG off, demo mode off, several sync workers, bound to
127.0.0.1) and measures, each beside a baseline taken in the same run:

- Writes: batch upserts of enrolments, new pupils enrolled in this school year's classes, (a)
  through the API's batch endpoint with an OAuth2 client-credentials token, in batches of the
  largest size allowed, and (b) through the service layer alone, in this process: the upsert
  that the batch view calls for each record (scoped lookups, `services.pupil_enrol`, version
  row, change-log row), each record in its own transaction, without HTTP, JSON or DRF. Then the
  same records again, unchanged, as a school system re-sends its data (200, nothing written).
  The baseline is exactly the SQL that (b) sent, recorded statement by statement, replayed
  through a bare psycopg connection in the same transactions after the rows (b) wrote are
  deleted; and the INSERTs and UPDATEs of it alone. Rates are records per second of one client.
- Reads: p50/p95 latency of the pupil card and of pupil-list pages under 16 concurrent clients
  (threads with keep-alive `http.client` connections over loopback, each with its own signed-in
  session). The baseline is the SQL that each of these requests sends, recorded once in this
  process, replayed by 16 threads each with its own bare psycopg connection.

The ratios say what the application (Python, Django, DRF, templates, the audit trail's hashing)
costs above the database work it asks for. Results are printed as Markdown tables for
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import (  # noqa: E402  (after the path is set)
    HttpRequest,
    LoadResult,
    SqlBlock,
    SqlUnit,
    bare_connection,
    http_load,
    percentile,
    run_unit,
    sql_load,
)

HOST = "127.0.0.1"
# Unique to the run, so that --reuse finds new keys and a new client name.
RUN = secrets.token_hex(3)
API_SOURCE, SERVICE_SOURCE = f"bench-api-{RUN}", f"bench-service-{RUN}"
BENCH_CLIENT_ID = f"bench-national-sis-{RUN}"

# The API's limit of records per batch call (edureg.core.api.batch); the benchmark sends full
# batches through HTTP and imports no API module.
BATCH_MAX_RECORDS = 500


def _configure(database: str, script: str = "pupils_bench.py") -> str:
    """Point Django at the benchmark database; must run before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "edureg.settings"
    # Measure what production runs: with DEBUG on, Django also records every query.
    os.environ["DEBUG"] = "0"
    # A real secret, shared with the server: the sessions made here are signed with it.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    url = os.environ.get("DATABASE_URL", "")
    if database != "postgres" or not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "needs PostgreSQL: run it as scripts/with-postgres.sh .venv/bin/python "
            f"bench/{script} --database postgres"
        )
    return url


# --- Seeding ----------------------------------------------------------------------------------


class _TimedLines(io.StringIO):
    """The seed's progress output, with the time each line arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        now = time.perf_counter()
        for line in text.splitlines():
            if line.strip():
                self.lines.append((now, line.strip()))
        return len(text)


def _seed(scale: str, seed: int) -> dict[str, float]:
    """Run the demo seed; the seconds of each part (by its progress lines) and in all."""
    from django.core.management import call_command

    output = _TimedLines()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    call_command("seed_demo", "--scale", scale, "--seed", str(seed), stdout=output)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    # A part ends with its last progress line; "pupil groups", "enrolments" and "NVŠ funding
    # marks" are the Pupil Register's, so are its generation and references before them.
    parts = {
        "institutions and people": ("institutions", "branches", "persons"),
        "programmes": ("programmes",),
        "pupils (groups, enrolments, NVŠ marks)": (
            "pupils",
            "pupil groups",
            "enrolments",
            "NVŠ funding marks",
        ),
    }
    ends: dict[str, float] = {}
    for at, line in output.lines:
        prefix = line.split(":", 1)[0]
        for part, prefixes in parts.items():
            if prefix in prefixes:
                ends[part] = at
    times, previous = {}, started
    for part in parts:
        if part in ends:
            times[part] = ends[part] - previous
            previous = ends[part]
    times["pupils (groups, enrolments, NVŠ marks)"] += started + elapsed - previous
    times["whole seed"] = elapsed
    # Less than the elapsed time when other processes share the cores (or while it waits for
    # the database, whose own time is not counted here).
    times["whole seed: this process's CPU time"] = (cpu_after.ru_utime + cpu_after.ru_stime) - (
        cpu_before.ru_utime + cpu_before.ru_stime
    )
    return times


def _vacuum_analyze() -> None:
    """Statistics and the visibility map, as autovacuum would have made them by now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _counts() -> dict[str, int]:
    from edureg.people.models import Person
    from edureg.pupils.models import Enrolment, Group, NvsFundingMark

    return {
        "persons": Person.objects.count(),
        "groups": Group.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "open enrolments": Enrolment.objects.filter(valid_to__isnull=True).count(),
        "NVŠ funding marks": NvsFundingMark.objects.count(),
    }


# --- Who asks ---------------------------------------------------------------------------------


def _bench_client() -> tuple[Any, str]:
    """A system client with the pupils' data at manager level nationally (the demo client is
    scoped to one school); its binding and secret."""
    from edureg.access import services
    from edureg.access.demo import DEMO_CLIENT_ID
    from edureg.access.models import ClientBinding, FunctionArea, Level, ScopeKind
    from edureg.core.context import Actor

    system = Actor.system("pupils_bench")
    demo = ClientBinding.objects.select_related("institution").get(
        application__client_id=DEMO_CLIENT_ID
    )
    assert demo.institution is not None
    binding, secret = services.client_register(
        actor=system,
        name="Benchmark: a national pupils system",
        institution=demo.institution,
        rights=[],
        client_id=BENCH_CLIENT_ID,
    )
    services.role_grant(
        actor=system,
        client=binding,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    return binding, secret


def _sessions(username: str, count: int) -> list[str]:
    """`count` signed-in sessions of a demo staff user, each with a verified second factor
    (as after the one-time-password step); their session keys."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from edureg.access.models import PledgeAcceptance, PledgeText

    user = get_user_model().objects.get(username=username)
    PledgeAcceptance.objects.get_or_create(user=user, pledge=PledgeText.current())
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    keys = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        assert session.session_key is not None
        keys.append(session.session_key)
    return keys


# --- The server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(url: str, workers: int) -> Iterator[int]:
    """gunicorn serving edureg.wsgi on a free loopback port, as production runs it: DEBUG and
    demo mode off, a real secret key, sync workers. Not EDUREG_PRODUCTION itself: that also
    wants collected static files and HTTPS, which a loopback benchmark has no use for."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "EDUREG_DEMO_MODE": "0",
        "OPEN_DATA_PSEUDONYM_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
        # whitenoise's note that static files were not collected: none are requested here.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        # The project's configuration, as in production: access log on, personal codes
        # redacted from every log line. The access log goes to a file, not the report.
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--access-logfile",
        str(ROOT / "var" / "bench-gunicorn-access.log"),
        "edureg.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def _token(port: int, secret: str) -> str:
    """An OAuth2 client-credentials token for the benchmark client."""
    import base64
    import http.client

    credentials = base64.b64encode(f"{BENCH_CLIENT_ID}:{secret}".encode()).decode()
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


# --- Recording SQL ----------------------------------------------------------------------------


@dataclass
class _Statement:
    sql: str
    params: Any
    many: bool
    atomic: bool


@dataclass
class SqlRecorder:
    """Django's SQL as sent, unit by unit (a request, or a record): cheap enough to leave on
    in a timed run (it keeps the statement and its values; they are rendered afterwards)."""

    units: list[list[_Statement]] = field(default_factory=list)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        from django.db import connection

        self.units[-1].append(_Statement(sql, params, many, connection.in_atomic_block))
        return execute(sql, params, many, context)

    @contextmanager
    def unit(self) -> Iterator[None]:
        from django.db import connection

        self.units.append([])
        with connection.execute_wrapper(self):
            yield

    def rendered(self) -> list[SqlUnit]:
        """Each unit as the text Django's client-side binding sent, in blocks of statements
        that ran inside or outside a transaction."""
        from django.db import connection

        result: list[SqlUnit] = []
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's ClientCursor: renders values as Django sends them
            for unit in self.units:
                blocks: list[SqlBlock] = []
                for statement in unit:
                    texts = _render(raw, statement)
                    if blocks and blocks[-1].atomic == statement.atomic:
                        last = blocks.pop()
                        blocks.append(SqlBlock(last.atomic, (*last.statements, *texts)))
                    else:
                        blocks.append(SqlBlock(statement.atomic, tuple(texts)))
                result.append(blocks)
        return result


def _render(raw: Any, statement: _Statement) -> list[str]:
    if statement.params is None:
        return [statement.sql]
    if statement.many:
        return [raw.mogrify(statement.sql, values) for values in statement.params]
    return [raw.mogrify(statement.sql, statement.params)]


def _statement_count(units: Sequence[SqlUnit]) -> float:
    return sum(len(b.statements) for u in units for b in u) / len(units)


# --- Writes -----------------------------------------------------------------------------------


@dataclass
class WriteResult:
    label: str
    records: int
    api_seconds: float
    service_seconds: float
    bare_seconds: float
    bare_writes_seconds: float | None
    statements: float


def _write_workload(count: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two disjoint sets of `count` new enrolments (for the API and for the service layer):
    people with no open general-education enrolment, each into one of this school year's
    open grade 11 and 12 classes, from today."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from edureg.people.models import Person
    from edureg.pupils.demo import school_year_of
    from edureg.pupils.models import Enrolment, Group, GroupKind

    today = timezone.localdate()
    open_general = Enrolment.objects.filter(
        person=OuterRef("pk"), kind=GroupKind.GENERAL, valid_to__isnull=True
    )
    people = list(
        Person.objects.filter(~Exists(open_general))
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    groups = list(
        Group.objects.filter(
            kind=GroupKind.GENERAL,
            school_year=school_year_of(today),
            grade__in=["11", "12"],
            closed_on__isnull=True,
        )
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    if len(people) < 2 * count:
        sys.exit(f"{len(people)} people have no open enrolment: use --records {len(people) // 2}")
    rng = random.Random(f"edureg-bench-pupils:{seed}")
    chosen = rng.sample(people, 2 * count)
    sets = []
    for source, part in ((API_SOURCE, chosen[:count]), (SERVICE_SOURCE, chosen[count:])):
        sets.append(
            [
                {
                    "source_system": source,
                    "local_id": f"{index:07d}",
                    "person": person,
                    "group": rng.choice(groups),
                    "valid_from": today,
                    "contract_date": today,
                }
                for index, person in enumerate(part)
            ]
        )
    return sets[0], sets[1]


def _api_upserts(port: int, token: str, records: list[dict[str, Any]], expect: int) -> float:
    """Send the records in batches of the largest size allowed, one after another, as one
    school system would; every record must answer `expect`. Returns seconds."""
    import http.client

    bodies = [
        json.dumps({"records": records[i : i + BATCH_MAX_RECORDS]}, default=str).encode()
        for i in range(0, len(records), BATCH_MAX_RECORDS)
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    answers: list[int] = []
    for body in bodies:
        connection.request("POST", "/api/v1/pupils/enrolments/batch/", body, headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            sys.exit(f"batch: {response.status} {payload[:300]!r}")
        answers += [r["status"] for r in json.loads(payload)["results"]]
    elapsed = time.perf_counter() - started
    _check_answers("API", answers, expect)
    return elapsed


def _check_answers(label: str, answers: list[int], expect: int) -> None:
    wrong = [a for a in answers if a != expect]
    if wrong:
        sys.exit(f"{label}: {len(wrong)} of {len(answers)} answered {wrong[:5]}…, not {expect}")


def _service_upserts(
    binding: Any, records: list[dict[str, Any]], expect: int, recorder: SqlRecorder
) -> float:
    """The batch view's work per record without HTTP, JSON and DRF: `enrolment_upsert` in its
    own transaction, as the client's actor. Returns seconds."""
    from django.db import transaction

    from edureg.core.context import Actor
    from edureg.pupils.services import enrolment_upsert

    actor = Actor.for_client(binding)
    answers = []
    started = time.perf_counter()
    for record in records:
        values = {k: v for k, v in record.items() if k not in ("source_system", "local_id")}
        values["person"], values["group"] = UUID(str(values["person"])), UUID(str(values["group"]))
        values["valid_from"] = dt.date.fromisoformat(str(values["valid_from"]))
        with recorder.unit(), transaction.atomic():
            upserted = enrolment_upsert(
                actor=actor,
                source_system=record["source_system"],
                local_id=record["local_id"],
                values=values,
            )
        answers.append(201 if upserted.created else 200)
    elapsed = time.perf_counter() - started
    _check_answers("service layer", answers, expect)
    return elapsed


def _undo_service_writes(marks: dict[str, int]) -> None:
    """Delete what the service-layer run wrote (its enrolments, their version rows, the
    change-log and access-log rows after `marks`), so that its SQL can run again as it was."""
    from django.db import connection, transaction

    from edureg.core.models import AccessLogEntry, ChangeLogEntry
    from edureg.pupils.models import Enrolment

    # Plain SQL: the ORM's delete would record each deletion as a new version and change-log
    # entry, which the replay (it resets the chain heads) would then collide with.
    history = Enrolment.history.model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ChangeLogEntry._meta.db_table} WHERE id > %s",  # noqa: S608
            [marks["change"]],
        )
        cursor.execute(
            f"DELETE FROM {AccessLogEntry._meta.db_table} WHERE id > %s",  # noqa: S608
            [marks["access"]],
        )
        for table in (history, Enrolment._meta.db_table):
            sql = f"DELETE FROM {table} WHERE source_system = %s"  # noqa: S608
            cursor.execute(sql, [SERVICE_SOURCE])
    with connection.cursor() as cursor:
        for model in (ChangeLogEntry, AccessLogEntry, Enrolment, Enrolment.history.model):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _log_marks() -> dict[str, int]:
    from edureg.core.models import AccessLogEntry, ChangeLogEntry

    def last(model: Any) -> int:
        return int(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    return {"change": last(ChangeLogEntry), "access": last(AccessLogEntry)}


def _replay_serially(url: str, units: Sequence[SqlUnit]) -> float:
    connection = bare_connection(url)
    try:
        started = time.perf_counter()
        for unit in units:
            run_unit(connection, unit)
        return time.perf_counter() - started
    finally:
        connection.close()


def _only_writes(units: Sequence[SqlUnit]) -> list[SqlUnit]:
    """The INSERTs and UPDATEs alone, in their transactions."""
    verbs = ("INSERT", "UPDATE", "DELETE")

    def writes(block: SqlBlock) -> SqlBlock:
        kept = tuple(s for s in block.statements if s.lstrip().upper().startswith(verbs))
        return SqlBlock(block.atomic, kept)

    return [[writes(block) for block in unit] for unit in units]


def _measure_writes(
    url: str, port: int, token: str, binding: Any, count: int, seed: int
) -> list[WriteResult]:
    api_records, service_records = _write_workload(count, seed)
    results = []

    # New keys: every record enrols a pupil (201).
    api_seconds = _api_upserts(port, token, api_records, expect=201)
    marks = _log_marks()
    recorder = SqlRecorder()
    service_seconds = _service_upserts(binding, service_records, 201, recorder)
    units = recorder.rendered()
    _undo_service_writes(marks)
    bare_seconds = _replay_serially(url, units)
    _undo_service_writes(marks)
    writes_seconds = _replay_serially(url, _only_writes(units))
    # Leave the enrolments as the service wrote them, for the unchanged round.
    _undo_service_writes(marks)
    _replay_serially(url, units)
    results.append(
        WriteResult(
            "new enrolment (201): scoped lookups, pupil locked, enrolment + version row + "
            "change-log row",
            count,
            api_seconds,
            service_seconds,
            bare_seconds,
            writes_seconds,
            _statement_count(units),
        )
    )

    # The same records again: nothing to write (200).
    api_seconds = _api_upserts(port, token, api_records, expect=200)
    recorder = SqlRecorder()
    service_seconds = _service_upserts(binding, service_records, 200, recorder)
    units = recorder.rendered()
    bare_seconds = _replay_serially(url, units)
    results.append(
        WriteResult(
            "unchanged re-send (200): scoped lookup only",
            count,
            api_seconds,
            service_seconds,
            bare_seconds,
            None,
            _statement_count(units),
        )
    )
    return results


# --- Reads ------------------------------------------------------------------------------------


@dataclass
class ReadResult:
    label: str
    queries: float
    app: LoadResult
    bare: LoadResult


def _card_people(sample: int, seed: int) -> list[str]:
    """Public ids of `sample` random pupils with an open general-education enrolment."""
    from edureg.pupils.models import Enrolment, GroupKind

    ids = list(
        Enrolment.objects.filter(kind=GroupKind.GENERAL, valid_to__isnull=True)
        .order_by("pk")
        .values_list("person__public_id", flat=True)
    )
    rng = random.Random(f"edureg-bench-pupils:{seed}:cards")
    return [str(public_id) for public_id in rng.sample(ids, min(sample, len(ids)))]


def _plans(
    paths_by_client: Sequence[Sequence[str]], sessions: Sequence[str]
) -> list[list[HttpRequest]]:
    return [
        [HttpRequest("GET", path, {"Cookie": f"sessionid={session}"}) for path in paths]
        for paths, session in zip(paths_by_client, sessions, strict=True)
    ]


def _record_requests(
    paths_by_client: Sequence[Sequence[str]], sessions: Sequence[str]
) -> list[list[SqlUnit]]:
    """Each client's requests once in this process (Django's test client, the same session),
    with the SQL each sent; every answer must be 200."""
    from django.test import Client

    recorder = SqlRecorder()
    shape: list[int] = []
    for paths, session in zip(paths_by_client, sessions, strict=True):
        client = Client()
        client.cookies["sessionid"] = session
        for path in paths:
            with recorder.unit():
                response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"GET {path}: {response.status_code} {response.get('Location', '')}")
        shape.append(len(paths))
    units = recorder.rendered()
    plans, start = [], 0
    for size in shape:
        plans.append(units[start : start + size])
        start += size
    return plans


def _measure_read(
    label: str,
    url: str,
    port: int,
    paths_by_client: Sequence[Sequence[str]],
    sessions: Sequence[str],
    *,
    duration: float,
    warmup: float,
) -> ReadResult:
    replay = _record_requests(paths_by_client, sessions)
    app = http_load(HOST, port, _plans(paths_by_client, sessions), duration=duration, warmup=warmup)
    if app.errors:
        sys.exit(f"{label}: {app.errors[:3]}")
    bare = sql_load(url, replay, duration=duration, warmup=warmup)
    if bare.errors:
        sys.exit(f"{label} (bare SQL): {bare.errors[:3]}")
    queries = sum(_statement_count(plan) for plan in replay) / len(replay)
    return ReadResult(label, queries, app, bare)


@contextmanager
def _access_log_unique_dropped() -> Iterator[None]:
    """Replayed reads append the access-log rows their request appended, with the same chain
    position; the chain's unique index would refuse the copies. It is dropped while the
    replays run (a little less work for the baseline), and the copies removed afterwards."""
    from django.db import connection

    from edureg.core.models import AccessLogEntry

    table = AccessLogEntry._meta.db_table
    last = _log_marks()["access"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT access_log_chain_unique")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [last])  # noqa: S608
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT access_log_chain_unique UNIQUE (shard, seq)"
            )


def _measure_reads(
    url: str, port: int, clients: int, duration: float, warmup: float, seed: int
) -> list[ReadResult]:
    from edureg.access.demo import DEMO_USERS

    usernames = {user.username for user in DEMO_USERS}
    assert {"agentura", "mokykla"} <= usernames
    agency = _sessions("agentura", clients)
    school = _sessions("mokykla", clients)
    people = _card_people(20 * clients, seed)
    cards = [[f"/pupils/card/{p}/" for p in people[i::clients]] for i in range(clients)]
    school_pages = [[f"/pupils/?page={1 + (i % 4)}"] for i in range(clients)]
    national_pages = [[f"/pupils/?page={1 + (i % 4)}"] for i in range(clients)]
    results = []
    # The access-log rows that the in-process recording appends must not collide with those
    # gunicorn's requests append; the records are replayed after the HTTP load, so the
    # constraint is dropped only while recording is done and replays run.
    for label, paths, sessions in (
        ("pupil card `/pupils/card/<id>/`, national viewer, 320 pupils in turn", cards, agency),
        ("pupil list `/pupils/?page=1…4`, a school's data manager", school_pages, school),
        ("pupil list `/pupils/?page=1…4`, national viewer (all pupils)", national_pages, agency),
    ):
        with _access_log_unique_dropped():
            results.append(
                _measure_read(label, url, port, paths, sessions, duration=duration, warmup=warmup)
            )
    return results


# --- Report -----------------------------------------------------------------------------------


def _database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return f"{int(cursor.fetchone()[0]) / 1024**2:,.0f} MiB"


def _machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024**2:.1f} GiB RAM"
    return f"{os.cpu_count()} cores ({cpu or platform.processor()}){memory}"


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:,.0f}" if milliseconds >= 100 else f"{milliseconds:.1f}"


def _print_seed(seed_times: dict[str, float] | None, counts: dict[str, int]) -> None:
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
        "| upsert | records | SQL statements per record | API records/s | service layer "
        "records/s | bare SQL records/s | bare INSERT/UPDATE only records/s "
        "| API ÷ bare | service ÷ bare |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        api, service = r.records / r.api_seconds, r.records / r.service_seconds
        bare = r.records / r.bare_seconds
        writes = f"{r.records / r.bare_writes_seconds:,.0f}" if r.bare_writes_seconds else "–"
        print(
            f"| {r.label} | {r.records:,} | {r.statements:.1f} | {api:,.0f} | {service:,.0f} "
            f"| {bare:,.0f} | {writes} | {api / bare:.3f} | {service / bare:.3f} |"
        )


def _print_reads(results: Sequence[ReadResult], clients: int) -> None:
    print(
        f"| request ({clients} concurrent clients) | SQL queries | requests | req/s | p50 ms "
        "| p95 ms | bare SQL units | bare p50 ms | bare p95 ms | p50 ÷ bare | p95 ÷ bare |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        a50, a95 = percentile(r.app.latencies, 0.5), percentile(r.app.latencies, 0.95)
        b50, b95 = percentile(r.bare.latencies, 0.5), percentile(r.bare.latencies, 0.95)
        print(
            f"| {r.label} | {r.queries:.1f} | {len(r.app.latencies):,} "
            f"| {r.app.throughput:,.0f} | {_ms(a50)} | {_ms(a95)} | {len(r.bare.latencies):,} "
            f"| {_ms(b50)} | {_ms(b95)} | {a50 / b50:.1f} | {a95 / b95:.1f} |"
        )


def add_common_arguments(parser: argparse.ArgumentParser, *, records: int) -> None:
    """The options every register's benchmark takes (see students_bench.py too)."""
    parser.add_argument("--database", choices=["postgres"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scale", choices=["national", "small"], default="national", help="small: a quick try"
    )
    parser.add_argument("--records", type=int, default=records, help="upserts per path")
    parser.add_argument("--clients", type=int, default=16, help="concurrent readers")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per read load")
    parser.add_argument("--warmup", type=float, default=5.0, help="unrecorded seconds first")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the data already in the database instead of seeding (for trying changes)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, records=10_000)
    args = parser.parse_args()
    url = _configure(args.database)

    import django

    django.setup()
    from django.core.management import call_command

    from edureg.people.models import Person

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seed_times = None
    if not (args.reuse and Person.objects.exists()):
        seed_times = _seed(args.scale, args.seed)
    _vacuum_analyze()
    counts = _counts()
    binding, secret = _bench_client()
    prepared = time.perf_counter()
    load_before = os.getloadavg()[0]
    with _gunicorn(url, args.workers) as port:
        token = _token(port, secret)
        writes = _measure_writes(url, port, token, binding, args.records, args.seed)
        _print_writes(writes)  # at once too, so that a failure later does not lose them
        _vacuum_analyze()
        reads = _measure_reads(url, port, args.clients, args.duration, args.warmup, args.seed)
    measured = time.perf_counter()
    load_after = os.getloadavg()[0]

    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"Django {django.get_version()}; {_database_version()}; "
          f"gunicorn {args.workers} sync workers")  # fmt: skip
    print()
    _print_seed(seed_times, counts)
    print()
    print(
        f"Timings: migrate and seed {prepared - began:.1f} s, measure {measured - prepared:.1f} "
        f"s. Load average (1 min) {load_before:.2f} before measuring, {load_after:.2f} after."
    )
    print()
    _print_writes(writes)
    print()
    _print_reads(reads, args.clients)


if __name__ == "__main__":
    main()
