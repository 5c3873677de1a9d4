"""`manage.py credentials_demo_seal`: the local test CA and seal certificate of demo mode.

Run by `make setup`. Writes `SEAL_DIR` (var/seal/ by default, never committed) unless the files
are there already; does nothing outside demo mode, where the real seal is configured.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from edureg.credentials.seal import demo_seal_ensure


class Command(BaseCommand):
    help = "Generate the demo seal (test CA + seal certificate) under SEAL_DIR when missing."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Demo mode is off: the seal is configured, not generated.")
            return
        made = demo_seal_ensure(settings.SEAL_DIR)
        state = "generated" if made else "already present"
        self.stdout.write(f"Demo seal {state} in {settings.SEAL_DIR}")
