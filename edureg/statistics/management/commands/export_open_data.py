"""Write one open-data dataset as CSV files, one per model of its manifest.

    python manage.py export_open_data datasets/gov/nsa/smpkr/studiju_mokymu_programu_duomenys \
        --out var/open-data/smpkr

Only public records are read (registered and deregistered programmes), so the command needs no
acting user. All files of a run are read from one snapshot of the database, so they agree with
each other even while the registrar keeps working.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from edureg.statistics.opendata.export import ExportError, export_dataset
from edureg.statistics.opendata.manifest import bundled_datasets


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """A read transaction that sees one state of the database for the whole export.

    SQLite in WAL mode keeps a read transaction's snapshot by itself; PostgreSQL needs
    REPEATABLE READ, which can only be chosen before the transaction's first query (so not when
    the caller already opened one, as tests do).
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def output_directory(value: str) -> Path:
    """The --out directory, created if missing; a clear error when it cannot be written."""
    directory = Path(value)
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"--out {value}: exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"--out {value}: cannot create the directory ({exc.strerror})") from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CommandError(f"--out {value}: the directory is not writable")
    return directory


class Command(BaseCommand):
    help = (
        "Export an open-data dataset (by its manifest name) as one CSV per model into --out. "
        "Models with no data source yet are written with their header only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "dataset",
            help="dataset name, e.g. datasets/gov/nsa/smpkr/studiju_mokymu_programu_duomenys",
        )
        parser.add_argument("--out", required=True, help="directory to write the CSV files into")

    def handle(self, *args: Any, **options: Any) -> None:
        datasets = bundled_datasets()
        dataset = datasets.get(options["dataset"])
        if dataset is None:
            known = "\n  ".join(sorted(datasets))
            raise CommandError(
                f"unknown dataset {options['dataset']!r}; known datasets:\n  {known}"
            )
        directory = output_directory(options["out"])
        try:
            with snapshot():
                written = export_dataset(dataset, directory)
        except ExportError as exc:
            raise CommandError(f"{dataset.name}: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"--out {options['out']}: writing failed ({exc})") from exc
        for item in written:
            note = "" if item.mapped else " (header only: no data source yet)"
            self.stdout.write(f"{item.path}: {item.rows} rows{note}")
        self.stdout.write(
            self.style.SUCCESS(f"{dataset.name}: {len(written)} files written to {directory}")
        )
