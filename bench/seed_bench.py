"""Benchmark: load national-scale demo data and compare with bare inserts.

    .venv/bin/python bench/seed_bench.py --database sqlite
    scripts/with-postgres.sh .venv/bin/python bench/seed_bench.py --database postgres

Migrates a fresh database, times `manage.py seed_demo --scale national` (every record with its
version row and hash-chained change-log row), then, in the same process, inserts as many plain
rows with the people table's columns into a bare table (no keys, no indexes, no history) with
`cursor.executemany`. The ratio of the two rates is the price of the ORM, the history and the
audit chain per row. Results are printed as a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench-seed.sqlite3"
BASELINE_TABLE = "bench_plain_person"


def _configure(database: str) -> None:
    """Point Django at the benchmark database; must run before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "edureg.settings"
    # Measure what production runs: with DEBUG on, Django also records every query.
    os.environ["DEBUG"] = "0"
    if database == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    elif not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "--database postgres needs DATABASE_URL; run it as "
            "scripts/with-postgres.sh .venv/bin/python bench/seed_bench.py --database postgres"
        )


def _row_counts() -> dict[str, int]:
    from edureg.core.models import ChangeLogEntry
    from edureg.institutions.models import Institution
    from edureg.people.models import Person

    return {
        "persons": Person.objects.count(),
        "institutions": Institution.objects.count(),
        "history rows": Person.history.count() + Institution.history.count(),  # type: ignore[attr-defined]
        "change-log rows": ChangeLogEntry.objects.count(),
    }


def _database_size(database: str) -> str:
    """Bytes on disk: SQLite's file plus its write-ahead log, or pg_database_size."""
    from django.db import connection

    mib = 1024**2
    if database == "sqlite":
        wal = Path(f"{SQLITE_PATH}-wal")
        main, log = SQLITE_PATH.stat().st_size, wal.stat().st_size if wal.exists() else 0
        # The seed is one transaction, so the log holds much of it until a checkpoint.
        return f"{(main + log) / mib:,.0f} MiB (file {main / mib:,.0f} + WAL {log / mib:,.0f})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return f"{int(cursor.fetchone()[0]) / mib:,.0f} MiB"


def _database_version(database: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if database == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _baseline(rows: int, seed: int) -> float:
    """Insert `rows` person-shaped rows with executemany into a bare table; return seconds.

    The values are those the generator makes (prepared for the database before the clock
    starts), so the two runs write the same bytes apart from keys, indexes and history.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from edureg.core.demo import Scale
    from edureg.institutions.demo import municipality_weights
    from edureg.people.demo import people_generate
    from edureg.people.models import Person

    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(
        f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}" for f in fields
    )
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    specs = people_generate(
        scale=Scale.NATIONAL, seed=seed, municipalities=municipality_weights(Scale.NATIONAL)
    )
    now = timezone.now()
    values: list[tuple[Any, ...]] = []
    for index in range(rows):
        spec = specs[index % len(specs)]
        person = Person(
            public_id=spec.public_id,
            personal_code=spec.personal_code,
            foreign_id=spec.foreign_id,
            given_names=spec.given_names,
            family_name=spec.family_name,
            birth_date=spec.birth_date,
            sex=spec.sex,
            citizenship=spec.citizenship,
            declared_municipality_id=None,
            created_at=now,
            updated_at=now,
        )
        values.append(
            tuple(f.get_db_prep_save(getattr(person, f.attname), connection) for f in fields)
        )
    sql = f"INSERT INTO {BASELINE_TABLE} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, rows, 5000):
            cursor.executemany(sql, values[start : start + 5000])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
    return elapsed


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _configure(args.database)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    before = _row_counts()
    started = time.perf_counter()
    call_command("seed_demo", "--scale", "national", "--seed", str(args.seed))
    elapsed = time.perf_counter() - started
    after = _row_counts()
    size = _database_size(args.database)
    inserted = {table: after[table] - before[table] for table in after}
    total = sum(inserted.values())
    baseline_rows = inserted["persons"]
    baseline_seconds = _baseline(baseline_rows, args.seed)
    seed_rate = total / elapsed
    baseline_rate = baseline_rows / baseline_seconds
    person_rate = inserted["persons"] / elapsed

    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"{_database_version(args.database)}")  # fmt: skip
    print()
    print("| measure | value |")
    print("|---|---:|")
    for table, count in inserted.items():
        print(f"| {table} inserted | {count:,} |")
    print(f"| total rows inserted | {total:,} |")
    print(f"| seed_demo elapsed | {elapsed:.1f} s |")
    print(f"| seed rows/s (all tables) | {seed_rate:,.0f} |")
    print(f"| seed persons/s (with history and change log) | {person_rate:,.0f} |")
    print(f"| database size after seeding | {size} |")
    print(f"| baseline: {baseline_rows:,} bare rows, executemany | {baseline_seconds:.1f} s |")
    print(f"| baseline rows/s | {baseline_rate:,.0f} |")
    print(f"| seed rows/s ÷ baseline rows/s | {seed_rate / baseline_rate:.3f} |")
    print(f"| seed persons/s ÷ baseline rows/s | {person_rate / baseline_rate:.3f} |")


if __name__ == "__main__":
    main()
