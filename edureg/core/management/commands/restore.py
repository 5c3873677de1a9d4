"""Restore a backup made by `manage.py backup` into the configured database, and prove it.

    manage.py restore DIRECTORY [--no-input]

Refuses a backup whose manifest signature or file checksums do not match; after restoring,
recomputes every table checksum and verifies the audit chains (and the latest checkpoint), and
exits non-zero on any difference. Replaces the whole database: confirm, or pass --no-input.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from edureg.core import backup, witness
from edureg.core.audit import verify_all


class Command(BaseCommand):
    help = "Restore a backup directory into the configured database (replacing it) and verify it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--no-input", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            manifest = backup.read_manifest(directory, verify=witness.verify_document)
        except backup.BackupError as exc:
            raise CommandError(f"refused: {exc}") from exc
        name = connection.settings_dict["NAME"]
        if not options["no_input"]:
            answer = input(
                f"This replaces every table of the database {name} with the backup of "
                f"{manifest['created_at']}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            result = backup.restore(directory, verify=witness.verify_document)
        except backup.BackupError as exc:
            raise CommandError(f"refused: {exc}") from exc
        self.stdout.write(
            f"restored {result.tables} tables, {result.rows} rows; every table checksum matches"
        )
        # The chains must hold every head signed before the backup was made; checkpoints taken
        # since sign rows written after it, which this restore has just undone.
        before = manifest.get("checkpoint")
        problems = [str(p) for p in verify_all()]
        problems += witness.verify_against_checkpoint(number=before or 0)
        later = [c for c in witness.checkpoints() if c.number > (before or 0)]
        if later:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(later)} checkpoints were taken after this backup: the changes they "
                    "witnessed since the backup are not in the restored database"
                )
            )
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN: {problem}")
            raise CommandError("the restored audit logs failed verification")
        self.stdout.write(self.style.SUCCESS("audit logs of the restored database intact"))
