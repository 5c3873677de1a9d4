"""`manage.py demo_logins`: the demo accounts, fresh second-factor codes, and what to try.

Printed by `make run`. Each run issues new one-time backup codes for the demo staff, so the codes
shown always work (each code works once).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from edureg.access.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERS
from edureg.access.services import static_codes_issue
from edureg.core.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from edureg.exchange.demo import DEMO_AGREEMENT_NUMBER, DEMO_RECIPIENT_ID, DEMO_RECIPIENT_SECRET

CODES_SHOWN = 3

_TRY = (
    ("/", "home page; switch Lietuvių / English in the header"),
    ("/people/", "people in your scope: search, open a person, history, who accessed the data"),
    ("/institutions/", "institutions: search, filter by municipality, kind and founder type"),
    ("/access/requests/", "user requests waiting for your decision (agentura, vilnius)"),
    ("/access/apply/", "request rights as a new user (no sign-in needed)"),
    ("/demo-idp/", "sign in as a citizen (demo identity provider) and see /me/"),
    ("/api/docs/", "the API, interactive"),
    ("/admin/", "back office (admin)"),
)


class Command(BaseCommand):
    help = "Print the demo logins with fresh second-factor codes; only in demo mode."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Demo mode is off (EDUREG_DEMO_MODE): there are no demo logins.")
            return
        base = options["base_url"].rstrip("/")
        users = get_user_model().objects
        accounts = [(DEMO_ADMIN_USERNAME, DEMO_ADMIN_PASSWORD, "agency administrator (superuser)")]
        accounts += [(u.username, DEMO_PASSWORD, u.description) for u in DEMO_USERS]
        lines = [
            "",
            "Demo mode is on; these logins are published and must never reach production.",
            "",
        ]
        for username, password, what in accounts:
            user = users.filter(username=username).first()
            if user is None:
                continue
            codes = static_codes_issue(user=user)[:CODES_SHOWN]
            lines.append(f"  {username} / {password}  — {what}")
            lines.append(f"      second-factor codes (one use each): {' '.join(codes)}")
        lines += [
            "",
            f"Sign in at {base}/login/ with user name, password and one code. Then try:",
        ]
        width = max(len(base + path) for path, _ in _TRY)
        lines += [f"  {(base + path).ljust(width)}  {what}" for path, what in _TRY]
        lines += [
            "",
            "A school information system (OAuth2 client credentials):",
            f"  curl -s -u {DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET} -d grant_type=client_credentials "
            f"{base}/o/token/",
            f"  curl -s -H 'Authorization: Bearer TOKEN' {base}/api/v1/persons/",
            "",
            f"A recipient's system under data-provision agreement {DEMO_AGREEMENT_NUMBER} "
            "(names and birth dates, no personal code):",
            f"  curl -s -u {DEMO_RECIPIENT_ID}:{DEMO_RECIPIENT_SECRET} -d "
            f"grant_type=client_credentials {base}/o/token/",
            f"  agreements: {base}/agreements/ (as agentura)",
            "",
        ]
        self.stdout.write("\n".join(lines))
