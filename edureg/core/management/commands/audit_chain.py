"""Chain the access-log rows not chained yet (what the periodic task does every few seconds)."""

from typing import Any

from django.core.management.base import BaseCommand

from edureg.core.audit import chain_access_log


class Command(BaseCommand):
    help = "Chain the access-log rows that reads inserted since the periodic task last ran."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"chained {chain_access_log()} access rows")
