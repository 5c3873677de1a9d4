"""Check the hash chains of the change log and the access log.

Exits 0 when both are intact; otherwise names the first broken row of each log and exits 1.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from edureg.core.audit import verify_all
from edureg.core.models import AccessLogEntry, ChangeLogEntry


class Command(BaseCommand):
    help = "Verify the tamper-evident audit logs; exit non-zero naming the first bad row."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_all()
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN: {problem}")
            raise CommandError("audit logs failed verification")
        self.stdout.write(
            self.style.SUCCESS(
                f"audit logs intact: {ChangeLogEntry.objects.count()} change rows, "
                f"{AccessLogEntry.objects.count()} access rows"
            )
        )
