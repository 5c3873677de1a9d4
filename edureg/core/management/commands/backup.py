"""Make a consistent backup of the database with a manifest of table checksums.

    manage.py backup [--out DIRECTORY]

SQLite is copied with its online backup API, PostgreSQL with pg_dump of an exported snapshot;
both while the register keeps working. See docs/archive.md for the runbook.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from edureg.core import backup, witness


class Command(BaseCommand):
    help = "Back up the database (and MEDIA_ROOT) into a directory with a signed manifest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--out", type=Path, help="a new directory (default: BACKUP_DIR/<UTC time>)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            latest = witness.latest_checkpoint()
            result = backup.backup(
                options["out"],
                sign=witness.sign_document,
                checkpoint=latest.number if latest else None,
            )
        except (backup.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        tables = result.manifest["tables"]
        rows = sum(t["rows"] for t in tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {result.directory}: {len(tables)} tables, {rows} rows "
                f"({result.manifest['engine']})"
            )
        )
