"""`manage.py feeds_poll [--feed KIND] [--dir DIR] [--now]`: start a run for every file dropped
into the inbound feeds' directories (`FEEDS_DROP_DIR/<feed>/incoming/`). The runs are applied
by the worker; `--now` applies them in this process instead (no worker needed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edureg.exchange.feeds.base import FileDropSource, feeds, feeds_poll
from edureg.exchange.imports.services import import_apply


class Command(BaseCommand):
    help = "Run the files dropped for the inbound feeds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--feed", action="append", choices=[f.kind for f in feeds()], help="Only this feed."
        )
        parser.add_argument("--dir", default=None, help="The drop directory (FEEDS_DROP_DIR).")
        parser.add_argument("--now", action="store_true", help="Apply the runs in this process.")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = feeds_poll(FileDropSource(options["dir"]), kinds=options["feed"])
        for run in runs:
            if options["now"]:
                run = import_apply(run.pk)
            self.stdout.write(
                f"{run.get_kind_display()}: {run.file_name}: {run.rows_total} rows, "
                f"{run.get_status_display()} (created {run.created}, updated {run.updated}, "
                f"unchanged {run.unchanged}, refused {run.refused})"
            )
        if not runs:
            self.stdout.write("No feed files waiting.")
