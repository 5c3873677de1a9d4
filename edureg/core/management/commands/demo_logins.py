"""`manage.py demo_logins`: the demo accounts and what to try, printed by `make run`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from edureg.core.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME

_TRY = (
    ("/", "home page"),
    ("/people/", "people: search by name or personal code, open a person and their history"),
    ("/institutions/", "institutions: search, filter by municipality, kind and founder type"),
    ("/api/docs/", "the API, interactive (log in first to try calls)"),
    ("/admin/", "back office (agency administrators only)"),
)


class Command(BaseCommand):
    help = "Print the demo logins and what to try; only in demo mode."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server listens (default http://127.0.0.1:8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Demo mode is off (EDUREG_DEMO_MODE): there are no demo logins.")
            return
        base = options["base_url"].rstrip("/")
        lines = [
            "",
            "Demo mode is on; these logins are published and must never reach production.",
            f"  {DEMO_ADMIN_USERNAME} / {DEMO_ADMIN_PASSWORD}    agency administrator (superuser)",
            "",
            f"Log in at {base}/login/ and try:",
        ]
        width = max(len(base + path) for path, _ in _TRY)
        lines += [f"  {(base + path).ljust(width)}  {what}" for path, what in _TRY]
        lines.append("")
        self.stdout.write("\n".join(lines))
