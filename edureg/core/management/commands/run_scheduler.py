"""Enqueue periodic tasks when they are due (see edureg.core.schedule); runs until stopped."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from edureg.core import schedule


class Command(BaseCommand):
    help = "Enqueue the registered periodic tasks when due (the worker runs them)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(p.name for p in schedule.registered()) or "none"
        self.stdout.write(f"scheduler: periodic tasks {names}")
        while not stopping:
            for name in schedule.enqueue_due():
                self.stdout.write(f"scheduler: enqueued {name}")
            if options["once"]:
                return
            deadline = time.monotonic() + options["interval"]
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
