"""Enqueue periodic tasks when they are due (see edureg.core.schedule); runs until stopped."""

from __future__ import annotations

import datetime as dt
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from edureg.core import schedule

QUIET_BELOW = dt.timedelta(minutes=1)


class Command(BaseCommand):
    help = "Enqueue the registered periodic tasks when due (the worker runs them)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between ticks (default: 30, or the shortest registered interval)",
        )
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(p.name for p in schedule.registered()) or "none"
        interval = options["interval"]
        if interval is None:
            shortest = [p.every.total_seconds() for p in schedule.registered()]
            interval = min([30.0, *shortest])
        self.stdout.write(f"scheduler: periodic tasks {names}")
        while not stopping:
            every = {p.name: p.every for p in schedule.registered()}
            for name in schedule.enqueue_due():
                # Tasks due every few seconds (chaining the access log) would flood the log.
                if options["verbosity"] > 1 or every[name] >= QUIET_BELOW:
                    self.stdout.write(f"scheduler: enqueued {name}")
            if options["once"]:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
