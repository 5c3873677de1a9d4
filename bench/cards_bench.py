"""Benchmark: the pupil card and the student card, web page and API, under concurrent load.

    scripts/with-postgres.sh .venv/bin/python bench/cards_bench.py --database postgres

Migrates the throw-away PostgreSQL database of `scripts/with-postgres.sh`, seeds
`seed_demo --scale national` (or uses the data there with --reuse), starts gunicorn as
production runs it (DEBUG and demo mode off, sync workers, 127.0.0.1) and measures, for each of
the four cards, the throughput and p50/p95 latency under --clients concurrent clients (threads
with keep-alive connections), each answer read to the end and required to be 200:

- pupil card page `/pupils/card/<person>/`, as the national agency viewer (demo user agentura);
- pupil card API `/api/v1/pupils/cards/<person>/`, a national pupil-data client's token;
- student card page `/students/<study right>/`, as an HEI's data manager (demo user
  universitetas), over that HEI's study rights: the card with its list of actions;
- student card API `/api/v1/students/study-rights/<id>/`, a national student-data client.

The **baseline**, in the same run: the same rows read by hand-written SQL on bare psycopg
connections (one per client thread, autocommit) plus the access-log INSERT each card writes —
what the card shows, without sessions, tokens, scoping, Python or templates. The statements per
card are those Django sent for one request (recorded in this process).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import random
import secrets
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from loadgen import (  # noqa: E402  (after the path is set)
    HttpRequest,
    LoadResult,
    _run_threads,
    bare_connection,
    http_load,
    percentile,
)
from pupils_bench import (  # noqa: E402
    HOST,
    SqlRecorder,
    _configure,
    _database_size,
    _database_version,
    _gunicorn,
    _machine,
    _ms,
    _seed,
    _sessions,
    _statement_count,
    _vacuum_analyze,
)

RUN = secrets.token_hex(3)
SAMPLE = 20  # cards per client, in turn


# --- Who asks -----------------------------------------------------------------------------------


def _national_client(area: str, name: str) -> tuple[str, str]:
    """A system client with a national viewer grant in `area`; its client id and secret."""
    from edureg.access import services
    from edureg.access.models import Level, ScopeKind
    from edureg.core.context import Actor
    from edureg.institutions.models import Institution

    system = Actor.system("cards_bench")
    client_id = f"bench-{name}-{RUN}"
    binding, secret = services.client_register(
        actor=system,
        name=f"Benchmark: {name}",
        institution=Institution.objects.order_by("pk").first(),
        rights=[],
        client_id=client_id,
    )
    services.role_grant(
        actor=system, client=binding, scope_kind=ScopeKind.NATIONAL, function_area=area,
        level=Level.VIEWER,
    )  # fmt: skip
    return client_id, secret


def _token(port: int, client_id: str, secret: str) -> str:
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


# --- What is read -------------------------------------------------------------------------------


def _pupils(count: int, seed: int) -> list[tuple[str, int]]:
    """(public id, pk) of random people with an open general-education enrolment."""
    from edureg.pupils.models import Enrolment, GroupKind

    rows = list(
        Enrolment.objects.filter(kind=GroupKind.GENERAL, valid_to__isnull=True)
        .order_by("pk")
        .values_list("person__public_id", "person_id")
    )
    rng = random.Random(f"edureg-bench-cards:{seed}:pupils")
    return [(str(p), pk) for p, pk in rng.sample(rows, min(count, len(rows)))]


def _rights(count: int, seed: int, institution_ids: Sequence[int] | None) -> list[tuple[str, int]]:
    from edureg.students.models import StudyRight

    rights = StudyRight.objects.order_by("pk")
    if institution_ids is not None:
        rights = rights.filter(institution_id__in=institution_ids)
    rows = list(rights.values_list("public_id", "pk"))
    rng = random.Random(f"edureg-bench-cards:{seed}:rights:{institution_ids}")
    return [(str(p), pk) for p, pk in rng.sample(rows, min(count, len(rows)))]


def _manager_institutions(username: str) -> list[int]:
    from edureg.access.models import FunctionArea, RoleAssignment

    return list(
        RoleAssignment.objects.active_on()
        .filter(user__username=username, function_area=FunctionArea.STUDENT_DATA)
        .values_list("institution_id", flat=True)
    )


# --- The bare baseline: the same rows by hand-written SQL, and the access-log row --------------

_LOG = (
    "INSERT INTO core_accesslogentry (shard, at, actor, actor_kind, channel, request_id, "
    "prev_hash, entry_hash, person_public_id, user_id, what, purpose) "
    "VALUES (0, now(), 'bench', 'client', 'api', '', '', '', %s, NULL, 'bench.card', '')"
)


def _rows(cursor: Any, sql: str, params: Sequence[Any]) -> list[Any]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _bare_pupil(cursor: Any, person_id: int, *, history: bool) -> None:
    (person,) = _rows(
        cursor,
        "SELECT p.*, m.name_lt FROM people_person p LEFT JOIN institutions_municipality m "
        "ON m.id = p.declared_municipality_id WHERE p.id = %s",
        [person_id],
    )
    enrolments = _rows(
        cursor,
        "SELECT e.*, g.*, i.name_lt, i.register_id, r.name_lt FROM pupils_enrolment e "
        "JOIN pupils_group g ON g.id = e.group_id "
        "JOIN institutions_institution i ON i.id = e.institution_id "
        "LEFT JOIN core_classifiervalue r ON r.id = e.departure_reason_id "
        "WHERE e.person_id = %s",
        [person_id],
    )
    _rows(
        cursor,
        "SELECT d.group_id, c.name_lt, c.name_en FROM pupils_group_directions d "
        "JOIN core_classifiervalue c ON c.id = d.classifiervalue_id "
        "WHERE d.group_id IN (SELECT group_id FROM pupils_enrolment WHERE person_id = %s)",
        [person_id],
    )
    _rows(
        cursor,
        "SELECT m.*, i.name_lt, i.register_id FROM pupils_nvsfundingmark m "
        "JOIN institutions_institution i ON i.id = m.provider_id WHERE m.person_id = %s",
        [person_id],
    )
    for table, classifier in (
        ("pupils_elective", "course_level_id"),
        ("pupils_specialneeds", "level_id"),
        ("pupils_achievement", None),
    ):
        join = f"LEFT JOIN core_classifiervalue c ON c.id = t.{classifier} " if classifier else ""
        _rows(
            cursor,
            f"SELECT t.*, i.name_lt {', c.name_lt' if classifier else ''} FROM {table} t "  # noqa: S608
            f"JOIN institutions_institution i ON i.id = t.institution_id {join}"
            "WHERE t.person_id = %s",
            [person_id],
        )
    if history:
        ids = [row[0] for row in enrolments]
        _rows(
            cursor,
            "SELECT h.*, u.username FROM people_historicalperson h LEFT JOIN auth_user u "
            "ON u.id = h.history_user_id WHERE h.id = %s ORDER BY h.history_date DESC LIMIT 100",
            [person_id],
        )
        versions = _rows(
            cursor,
            "SELECT h.history_id FROM pupils_historicalenrolment h WHERE h.id = ANY(%s) "
            "ORDER BY h.history_date DESC LIMIT 100",
            [ids],
        )
        _rows(
            cursor,
            "SELECT history_id, changes FROM core_changelogentry WHERE model = "
            "'pupils.enrolment' AND history_id = ANY(%s)",
            [[v[0] for v in versions]],
        )
    cursor.execute(_LOG, [person[3]])


_RIGHT_TABLES = (
    "students_fundingperiod",
    "students_prioreducation",
    "students_mobility",
    "students_result",
    "students_studyloan",
    "students_scholarship",
)


def _bare_student(cursor: Any, right_id: int, *, whole_card: bool) -> None:
    (right,) = _rows(
        cursor,
        "SELECT r.*, i.name_lt, i.register_id, p.state_code, s.public_id FROM "
        "students_studyright r JOIN institutions_institution i ON i.id = r.institution_id "
        "JOIN programmes_programme p ON p.id = r.programme_id "
        "JOIN people_person s ON s.id = r.person_id WHERE r.id = %s",
        [right_id],
    )
    columns = [c.name for c in cursor.description]
    person_id = right[columns.index("person_id")]
    if whole_card:
        rights = _rows(
            cursor,
            "SELECT r.id FROM students_studyright r WHERE r.person_id = %s",
            [person_id],
        )
        ids = [r[0] for r in rights]
    else:
        ids = [right_id]
    _rows(
        cursor,
        "SELECT sp.*, c.name_lt FROM students_statusperiod sp LEFT JOIN core_classifiervalue c "
        "ON c.id = sp.leave_reason_id WHERE sp.study_right_id = ANY(%s)",
        [ids],
    )
    _rows(
        cursor,
        "SELECT x.statusperiod_id, c.code, c.name_lt FROM students_statusperiod_reasons x "
        "JOIN core_classifiervalue c ON c.id = x.classifiervalue_id JOIN students_statusperiod "
        "sp ON sp.id = x.statusperiod_id WHERE sp.study_right_id = ANY(%s)",
        [ids],
    )
    for table in _RIGHT_TABLES if whole_card else _RIGHT_TABLES[:1]:
        _rows(cursor, f"SELECT * FROM {table} WHERE study_right_id = ANY(%s)", [ids])  # noqa: S608
    _rows(cursor, "SELECT * FROM students_graduation WHERE study_right_id = ANY(%s)", [ids])
    if whole_card:
        _rows(
            cursor,
            "SELECT v.programme_id, v.number, v.status, v.name_lt, v.name_en FROM "
            "programmes_programmeversion v WHERE v.programme_id IN (SELECT programme_id FROM "
            "students_studyright WHERE id = ANY(%s))",
            [ids],
        )
        versions = _rows(
            cursor,
            "SELECT h.history_id, h.history_date, u.username FROM "
            "students_historicalstudyright h LEFT JOIN auth_user u ON u.id = h.history_user_id "
            "WHERE h.id = ANY(%s) ORDER BY h.history_date DESC LIMIT 100",
            [ids],
        )
        _rows(
            cursor,
            "SELECT history_id, changes FROM core_changelogentry WHERE model = "
            "'students.studyright' AND history_id = ANY(%s)",
            [[v[0] for v in versions]],
        )
    cursor.execute(_LOG, [right[columns.index("public_id", len(columns) - 1)]])


def bare_load(
    conninfo: str, plans: Sequence[Sequence[Callable[[Any], None]]], *, duration: float,
    warmup: float,
) -> LoadResult:  # fmt: skip
    """One thread per plan, each with its own bare connection, running its units in turn."""
    connections: dict[int, psycopg.Connection[Any]] = {}

    def setup(index: int) -> Any:
        connections[index] = bare_connection(conninfo)
        return connections[index]

    def make_worker(index: int) -> Callable[[], None]:
        plan, turn = plans[index], [0]

        def unit() -> None:
            with connections[index].cursor() as cursor:
                plan[turn[0] % len(plan)](cursor)
            turn[0] += 1

        return unit

    return _run_threads(len(plans), duration, warmup, make_worker, setup, lambda c: c.close())


# --- One card -----------------------------------------------------------------------------------


@dataclass
class CardResult:
    label: str
    statements: float
    app: LoadResult
    bare: LoadResult


def _recorded_statements(requests: Sequence[HttpRequest]) -> float:
    """The statements Django sends for these requests (in this process, test client)."""
    from django.test import Client

    recorder = SqlRecorder()
    for request in requests:
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()}
        client = Client(**headers)
        client.get(request.path)  # a first request reads the session's safeguards
        with recorder.unit():
            response = client.get(request.path)
        if response.status_code != 200:
            sys.exit(f"GET {request.path}: {response.status_code}")
    return _statement_count(recorder.rendered())


def _measure(
    label: str,
    url: str,
    port: int,
    plans: list[list[HttpRequest]],
    bare: list[list[Callable[[Any], None]]],
    args: argparse.Namespace,
) -> CardResult:
    statements = _recorded_statements([plan[0] for plan in plans[:4]])
    app = http_load(HOST, port, plans, duration=args.duration, warmup=args.warmup)
    if app.errors:
        sys.exit(f"{label}: {app.errors[:3]}")
    baseline = bare_load(url, bare, duration=args.duration, warmup=args.warmup)
    if baseline.errors:
        sys.exit(f"{label} (bare SQL): {baseline.errors[:3]}")
    result = CardResult(label, statements, app, baseline)
    _print([result], args.clients)  # at once, so that a failure later does not lose it
    return result


def _split(items: Sequence[Any], clients: int) -> list[list[Any]]:
    return [list(items[i::clients]) or [items[i % len(items)]] for i in range(clients)]


def _plans(
    path: str, items: Sequence[tuple[str, int]], headers: Sequence[dict[str, str]]
) -> list[list[HttpRequest]]:
    """Each client's requests: its share of the items, in turn, with its own headers."""
    return [
        [HttpRequest("GET", path.format(public_id), headers[i]) for public_id, _pk in part]
        for i, part in enumerate(_split(items, len(headers)))
    ]


def _cards(url: str, port: int, args: argparse.Namespace) -> list[CardResult]:
    from edureg.access.models import FunctionArea

    clients = args.clients
    results = []
    pupils = _pupils(SAMPLE * clients, args.seed)
    agency = _sessions("agentura", clients)
    plans = _plans("/pupils/card/{}/", pupils, [{"Cookie": f"sessionid={s}"} for s in agency])
    bare = [
        [lambda c, pk=pk: _bare_pupil(c, pk, history=True) for _, pk in part]
        for part in _split(pupils, clients)
    ]
    results.append(_measure("pupil card page, national viewer", url, port, plans, bare, args))

    token = _token(port, *_national_client(FunctionArea.PUPIL_PERSONAL, "pupils"))
    plans = _plans(
        "/api/v1/pupils/cards/{}/", pupils, [{"Authorization": f"Bearer {token}"}] * clients
    )
    bare = [
        [lambda c, pk=pk: _bare_pupil(c, pk, history=False) for _, pk in part]
        for part in _split(pupils, clients)
    ]
    results.append(_measure("pupil card API, national client", url, port, plans, bare, args))

    mine = _rights(SAMPLE * clients, args.seed, _manager_institutions("universitetas"))
    hei = _sessions("universitetas", clients)
    plans = _plans("/students/{}/", mine, [{"Cookie": f"sessionid={s}"} for s in hei])
    bare = [
        [lambda c, pk=pk: _bare_student(c, pk, whole_card=True) for _, pk in part]
        for part in _split(mine, clients)
    ]
    results.append(_measure("student card page, HEI data manager", url, port, plans, bare, args))

    rights = _rights(SAMPLE * clients, args.seed, None)
    token = _token(port, *_national_client(FunctionArea.STUDENT_DATA, "students"))
    plans = _plans(
        "/api/v1/students/study-rights/{}/",
        rights,
        [{"Authorization": f"Bearer {token}"}] * clients,
    )
    bare = [
        [lambda c, pk=pk: _bare_student(c, pk, whole_card=False) for _, pk in part]
        for part in _split(rights, clients)
    ]
    results.append(_measure("student card API, national client", url, port, plans, bare, args))
    return results


def _print(results: Sequence[CardResult], clients: int) -> None:
    print(
        f"| card ({clients} concurrent clients) | SQL statements | cards/s | p50 ms | p95 ms "
        "| bare cards/s | bare p50 ms | bare p95 ms | cards/s ÷ bare |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        a50, a95 = percentile(r.app.latencies, 0.5), percentile(r.app.latencies, 0.95)
        b50, b95 = percentile(r.bare.latencies, 0.5), percentile(r.bare.latencies, 0.95)
        print(
            f"| {r.label} | {r.statements:.1f} | {r.app.throughput:,.0f} | {_ms(a50)} "
            f"| {_ms(a95)} | {r.bare.throughput:,.0f} | {_ms(b50)} | {_ms(b95)} "
            f"| {r.app.throughput / r.bare.throughput:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgres"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per card")
    parser.add_argument("--warmup", type=float, default=5.0, help="unrecorded seconds first")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the data already there")
    args = parser.parse_args()
    url = _configure(args.database, "cards_bench.py")

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
    load_before = os.getloadavg()[0]
    with _gunicorn(url, args.workers) as port:
        results = _cards(url, port, args)
    load_after = os.getloadavg()[0]
    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"Django {django.get_version()}; {_database_version()}; "
          f"gunicorn {args.workers} sync workers; database {_database_size()}")  # fmt: skip
    if seed_times:
        print(f"Seed: {seed_times['whole seed']:,.0f} s")
    print(
        f"Run {time.perf_counter() - began:,.0f} s. Load average (1 min) {load_before:.2f} "
        f"before measuring, {load_after:.2f} after."
    )
    print()
    _print(results, args.clients)


if __name__ == "__main__":
    main()
