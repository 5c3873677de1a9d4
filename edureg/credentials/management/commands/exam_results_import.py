"""`manage.py exam_results_import [--dir DIR]`: import the exam centre's dropped result files.

The files in `<dir>/inbox/` (default `EXAM_CENTRE_DROP_DIR`) are imported and moved to `done/`
(with a report of refused rows) or `failed/`; see `edureg.pupils.exam_centre`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edureg.pupils.exam_centre import FileDropFeed, exam_centre_poll


class Command(BaseCommand):
    help = "Import the exam centre's result files from the local file drop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=None, help="The drop directory (with inbox/).")

    def handle(self, *args: Any, **options: Any) -> None:
        reports = exam_centre_poll(FileDropFeed(options["dir"]))
        for report in reports:
            self.stdout.write(report.as_text().rstrip())
        if not reports:
            self.stdout.write("No result files waiting.")
