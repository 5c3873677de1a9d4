"""Benchmark: a mass-disclosure query over national data on PostgreSQL (issue #14 item 4).

    scripts/with-postgres.sh .venv/bin/python bench/mass_query_bench.py --database postgres

Migrates the throw-away database of `scripts/with-postgres.sh`, seeds the demo data
(`seed_demo --scale national`: 350,000 pupil-age people, about 735,000 enrolments), registers a
recipient's system with a national scope under an agreement naming seven fields of enrolments
(the demo agreement's), then runs `pupils_enrolled_on` for the largest municipalities today
through `services.mass_query_run` — the worker's whole path: the scoped selector streamed with
`iterator()` in chunks, the list serializer with the agreement's field scope, the files, one
access-log statement a chunk, progress and heartbeat — once with CSV only and once with all
three formats. Then a download's disclosures (`mass_query_download_record`: every person's
access-log row again).

Baseline, in the same run: exactly the statement the query's selector sends (its SQL with
the scope's joins and conditions, taken from the queryset), through a bare psycopg server-side
cursor in chunks of the same size, each row's values written as they come by `csv.writer` —
what a hand-written export of the same rows would cost. Rates are rows per second.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import bare_connection
from pupils_bench import _configure, _database_version, _machine, _seed, _vacuum_analyze

MUNICIPALITIES = ("LT-57", "LT-15")  # Vilnius city, Kaunas city: the largest
FIELDS = ["id", "person", "group", "institution", "kind", "valid_from", "valid_to"]


def _recipient() -> tuple[object, object]:
    from django.utils import timezone

    from edureg.access.models import FunctionArea, ScopeKind
    from edureg.core.context import Actor
    from edureg.exchange.agreements import services

    system = Actor.system("bench")
    binding, _secret = services.recipient_client_register(
        actor=system,
        name="Bench recipient",
        areas=[FunctionArea.PUPIL_PERSONAL],
        scope_kind=ScopeKind.NATIONAL,
    )
    services.agreement_create(
        actor=system,
        number=f"BENCH-{time.time_ns()}",
        recipient="Bench",
        legal_basis="bench",
        purpose="bench",
        scope={"enrolments": FIELDS},
        valid_from=timezone.localdate(),
        clients=[binding],
    )
    return binding, Actor.for_client(binding)


def _ask(actor: object, municipality: str, formats: list[str]) -> object:
    from django.utils import timezone

    from edureg.exchange.queries import services

    return services.mass_query_create(
        actor=actor,  # type: ignore[arg-type]
        kind="pupils_enrolled_on",
        params={"municipality": municipality, "date": timezone.localdate().isoformat()},
        formats=formats,
    )


def _run(query: object) -> tuple[int, float]:
    from edureg.exchange.queries import services
    from edureg.exchange.query_models import MassQuery

    started = time.perf_counter()
    services.mass_query_run(query.pk)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    done = MassQuery.objects.get(pk=query.pk)  # type: ignore[attr-defined]
    assert done.status == "done", (done.status, done.message)
    return done.rows or 0, elapsed


def _baseline(url: str, actor: object, query: object, chunk: int) -> tuple[int, float]:
    from edureg.exchange.queries.selectors import query_rows

    sql, params = query_rows(actor=actor, query=query).query.sql_with_params()  # type: ignore[arg-type]
    rows = 0
    with tempfile.TemporaryDirectory() as directory, bare_connection(url) as connection:
        started = time.perf_counter()
        with (
            connection.transaction(),
            connection.cursor(name="bench_export") as cursor,
            (Path(directory) / "bare.csv").open("w", newline="") as out,
        ):
            writer = csv.writer(out)
            cursor.itersize = chunk
            cursor.execute(sql, params)
            writer.writerow([c.name for c in cursor.description or []])
            while batch := cursor.fetchmany(chunk):
                writer.writerows(batch)
                rows += len(batch)
        return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgres")
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    url = _configure(args.database, "mass_query_bench.py")
    os.environ.setdefault("EDUREG_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from edureg.core.context import audit_context
    from edureg.exchange.queries import services
    from edureg.pupils.models import Enrolment

    call_command("migrate", verbosity=0)
    seed_times = _seed(args.scale, args.seed)
    _vacuum_analyze()
    print(f"{_machine()}; {_database_version()}")
    print(
        f"seeded --scale {args.scale} in {seed_times['whole seed']:.0f} s: "
        f"{Enrolment.objects.count():,} enrolments"
    )
    _binding, actor = _recipient()
    chunk = settings.MASS_QUERY_CHUNK_ROWS
    print(f"\nchunk {chunk} rows; best of {args.repeat}\n")
    print(
        "| municipality | rows | csv only rows/s | csv+jsonl+xlsx rows/s "
        "| bare SELECT → csv rows/s | csv only ÷ bare | download disclosures rows/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for code in MUNICIPALITIES:
        best: dict[str, float] = {}
        rows = 0
        last = None
        for _ in range(args.repeat):
            for label, formats in (("csv", ["csv"]), ("all", ["csv", "jsonl", "xlsx"])):
                with audit_context(actor):  # type: ignore[arg-type]
                    query = _ask(actor, code, formats)
                rows, elapsed = _run(query)
                best[label] = min(best.get(label, float("inf")), elapsed)
                last = query
            bare_rows, bare = _baseline(url, actor, last, chunk)
            assert bare_rows == rows, (bare_rows, rows)
            best["bare"] = min(best.get("bare", float("inf")), bare)
            last.refresh_from_db()  # type: ignore[union-attr]
            started = time.perf_counter()
            with audit_context(actor):  # type: ignore[arg-type]
                services.mass_query_download_record(actor=actor, query=last, file_format="csv")  # type: ignore[arg-type]
            best["download"] = min(
                best.get("download", float("inf")), time.perf_counter() - started
            )
        print(
            f"| {code} | {rows:,} | {rows / best['csv']:,.0f} | {rows / best['all']:,.0f} "
            f"| {rows / best['bare']:,.0f} | {best['bare'] / best['csv']:.3f} "
            f"| {rows / best['download']:,.0f} |"
        )


if __name__ == "__main__":
    main()
