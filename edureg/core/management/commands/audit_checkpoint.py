"""Sign the current head of every audit chain and export it (what the periodic task does)."""

from typing import Any

from django.core.management.base import BaseCommand

from edureg.core import witness


class Command(BaseCommand):
    help = "Write a signed checkpoint of every audit chain head to AUDIT_CHECKPOINT_DIR."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = witness.checkpoint_create()
        self.stdout.write(
            self.style.SUCCESS(f"checkpoint {checkpoint.number} written to {checkpoint.path}")
        )
