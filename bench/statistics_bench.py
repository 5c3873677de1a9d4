"""Benchmark: every statistics report at national scale on PostgreSQL, beside its own SQL.

    scripts/with-postgres.sh .venv/bin/python bench/statistics_bench.py --database postgres \
        --enrolments 3000000

Migrates the throw-away database of `scripts/with-postgres.sh`, seeds the national demo data
(`seed_demo --scale national`), then — with `--enrolments N` — extends the Pupil Register with
past school years until it holds at least N enrolment rows: each past year copies the current
year's classes and enrolments one, two, … years back (groups by `INSERT … SELECT`, enrolments
closed on the next 1 September, new public ids; the pupils are the same people, a year older in
the data's eyes). The copies are bench data, not demo data: they exist so that every report's
queries run over a register of that size.

For each report (national grant; the current school year and a copied one five years back) it
times `report.table(...)` — the Django queries, labelling, folding, suppression — and,
as the baseline, exactly the SQL those queries sent, recorded once and replayed through a bare
psycopg connection. Best of `--repeat` runs each. Results print as a Markdown table for
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import bare_connection
from pupils_bench import (
    _configure,
    _database_version,
    _machine,
    _seed,
    _vacuum_analyze,
)


def _extend(target: int) -> tuple[int, int, float]:
    """Copy the current school year back until the enrolment table holds `target` rows.
    Returns (rows now, past years added, seconds)."""
    from django.db import connection, transaction
    from django.db.models import Max

    from edureg.pupils.models import Enrolment, Group

    started = time.perf_counter()
    current = Group.objects.aggregate(y=Max("school_year"))["y"]
    oldest = Group.objects.order_by("school_year").values_list("school_year", flat=True).first()
    added = 0
    step = current - oldest + 1
    while Enrolment.objects.count() < target:
        shift = step + added  # the next year before the oldest one there is
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO pupils_group (public_id, institution_id, school_year, name, kind,
                    programme_id, grade, class_type_id, class_purpose_id, language,
                    learning_form_id, learning_mode_id, closed_on, created_at, updated_at)
                SELECT gen_random_uuid(), institution_id, school_year - %(shift)s, name, kind,
                    programme_id, grade, class_type_id, class_purpose_id, language,
                    learning_form_id, learning_mode_id, NULL, created_at, updated_at
                FROM pupils_group WHERE school_year = %(current)s
                """,
                {"shift": shift, "current": current},
            )
            cursor.execute(
                """
                INSERT INTO pupils_enrolment (public_id, person_id, group_id, institution_id, kind,
                    valid_from, valid_to, contract_date, departure_reason_id,
                    departure_order_number, transferred_to_id, source_system, local_id, version,
                    created_at, updated_at)
                SELECT gen_random_uuid(), e.person_id, past.id, e.institution_id, e.kind,
                    (e.valid_from - make_interval(years => %(shift)s))::date,
                    COALESCE((e.valid_to - make_interval(years => %(shift)s))::date,
                             make_date(g.school_year - %(shift)s + 1, 9, 1)),
                    NULL, e.departure_reason_id, e.departure_order_number, NULL, '', '', 1,
                    e.created_at, e.updated_at
                FROM pupils_enrolment e
                JOIN pupils_group g ON g.id = e.group_id AND g.school_year = %(current)s
                JOIN pupils_group past ON past.institution_id = g.institution_id
                    AND past.name = g.name AND past.school_year = g.school_year - %(shift)s
                """,
                {"shift": shift, "current": current},
            )
        added += 1
        print(f"past year {current - shift}: {Enrolment.objects.count()} enrolments", flush=True)
    return Enrolment.objects.count(), added, time.perf_counter() - started


def _time_report(report: Any, actor: Any, filters: Any, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        table = report.table(actor, filters)
    statements = [q["sql"] for q in captured.captured_queries]
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        report.table(actor, filters)
        best = min(best, time.perf_counter() - began)
    raw = float("inf")
    with bare_connection(url) as bare:
        for _ in range(repeat):
            began = time.perf_counter()
            for sql in statements:
                bare.execute(sql).fetchall()
            raw = min(raw, time.perf_counter() - began)
    return {
        "slug": report.slug,
        "app": best,
        "sql": raw,
        "queries": len(statements),
        "cells": len(table.rows) * len(table.columns),
        "total": sum(map(sum, table.raw)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgres"], required=True)
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--enrolments", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data already there")
    args = parser.parse_args()
    url = _configure(args.database, "statistics_bench.py")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from edureg.core.context import Actor
    from edureg.people.models import Person
    from edureg.pupils.models import Enrolment
    from edureg.statistics.reports.base import Filters, all_reports, school_year_of
    from edureg.students.models import StudyRight

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not (args.reuse and Person.objects.exists()):
        _seed(args.scale, args.seed)
    seeded = time.perf_counter()
    rows, years, extend_seconds = _extend(args.enrolments)
    _vacuum_analyze()
    user = get_user_model().objects.create_superuser(
        username=f"bench-analyst-{os.getpid()}", email="bench@example.lt", password="x" * 20
    )
    actor = Actor.for_user(user)
    from django.utils import timezone

    current = school_year_of(timezone.localdate())
    results = []
    for year in (current, current - 5):
        for report in all_reports():
            results.append(
                (year, _time_report(report, actor, Filters(year=year), url, args.repeat))
            )
            print(results[-1], flush=True)
    load = os.getloadavg()[0]

    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"Django {django.get_version()}; {_database_version()}")  # fmt: skip
    print(
        f"Data: {rows:,} enrolment rows ({years} past school years copied in "
        f"{extend_seconds:.0f} s), {Person.objects.count():,} persons, "
        f"{StudyRight.objects.count():,} study rights; seed {seeded - began:.0f} s; "
        f"load average (1 min) {load:.2f} after measuring."
    )
    print()
    print("| report | year | report ms | its SQL alone ms | ratio | queries | counted |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for year, r in results:
        ratio = r["app"] / r["sql"] if r["sql"] else float("nan")
        print(
            f"| {r['slug']} | {year}–{year + 1} | {r['app'] * 1000:.0f} | {r['sql'] * 1000:.0f} | "
            f"{ratio:.2f} | {r['queries']} | {r['total']:,} |"
        )
    assert Enrolment.objects.count() == rows


if __name__ == "__main__":
    main()
