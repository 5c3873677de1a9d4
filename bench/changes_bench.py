"""Benchmark: a change-feed page of 5,000 at ≥ 10 million change rows (issue #14 item 3).

    scripts/with-postgres.sh .venv/bin/python bench/changes_bench.py --rows 10000000

Migrates the throw-away PostgreSQL database of `scripts/with-postgres.sh`, fills the feed's
tables with generated rows by `generate_series` (each change addressed to the nation, one of
1,000 schools and one of 60 municipalities, as an enrolment's would be), then times the page
query of `exchange.changes.feed` (the statement a page sends to find its entries) for a
school's audience and the national one, from the start and from the middle, and prints the
plan: one index range scan of `change_audience_page_idx` per audience.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edureg.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000, help="changes to generate")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("run under scripts/with-postgres.sh")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from edureg.exchange.changes import feed

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE exchange_changeaudience, exchange_change RESTART IDENTITY")
        # Transaction ids below every running transaction's, as committed history has them.
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        xmin = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO exchange_change (xid, dataset, object_id, public_id, action, audiences,"
            " at) SELECT (g::numeric * (%s - 1) / %s)::bigint, 'enrolments', g,"
            " gen_random_uuid(), 'updated', '[]', now() FROM generate_series(1, %s) AS g",
            [xmin, args.rows, args.rows],
        )
        # Three audiences a change: the nation, a school, a municipality (rows in id order).
        cursor.execute(
            "INSERT INTO exchange_changeaudience (audience, xid, change_id, dataset, kind)"
            " SELECT a.audience, c.xid, c.id, 'enrolments', 'change' FROM exchange_change c,"
            " LATERAL (VALUES ('n'), ('i:' || (c.id % 1000)), ('m:' || (c.id % 60))) AS"
            " a(audience) ORDER BY c.id"
        )
        cursor.execute("VACUUM ANALYZE exchange_changeaudience")
        cursor.execute("SELECT count(*) FROM exchange_changeaudience")
        audience_rows = cursor.fetchone()[0]
    print(
        f"generated {args.rows:,} changes, {audience_rows:,} audience rows "
        f"in {time.perf_counter() - started:.0f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT xid, id FROM exchange_change WHERE id = %s", [args.rows // 2])
        middle = feed.Position(*cursor.fetchone())
    for label, audiences, after in [
        ("national, from the start", {"n": ["enrolments"]}, feed.Position()),
        ("national, from the middle", {"n": ["enrolments"]}, middle),
        ("a school, from the start", {"i:7": ["enrolments"]}, feed.Position()),
        ("a school, from the middle", {"i:7": ["enrolments"]}, middle),
        ("a school and a town", {"i:7": ["enrolments"], "m:7": ["enrolments"]}, middle),
    ]:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rows = feed._page_rows(audiences, after, feed.PAGE_MAX)
            times.append(time.perf_counter() - t0)
        print(
            f"{label}: {len(rows):,} rows, median {statistics.median(times) * 1000:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT xid, change_id, dataset, kind FROM"
            " exchange_changeaudience WHERE audience = 'i:7' AND (xid, change_id) > (%s, %s)"
            " AND dataset IN ('enrolments') AND xid < pg_snapshot_xmin(pg_current_snapshot())"
            "::text::bigint ORDER BY xid, change_id LIMIT 5001",
            [middle.xid, middle.change_id],
        )
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
