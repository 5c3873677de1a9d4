"""Check the hash chains of the change log and the access log, and the chains against the latest
signed checkpoint (edureg.core.witness).

Exits 0 when both are intact; otherwise names the first broken row of each log and exits 1.
An auditor with a copy of the database checks it with only the exported checkpoints and the
agency's public key: `audit_verify --checkpoints DIR --public-key agency-public.pem`.
Access-log rows that reads inserted in the last seconds and the periodic task has not chained
yet are reported as such (a count and the oldest one's time), not as a failure.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from edureg.core import witness
from edureg.core.audit import unchained_access_rows, verify_all
from edureg.core.models import AccessLogEntry, ChangeLogEntry


class Command(BaseCommand):
    help = "Verify the tamper-evident audit logs; exit non-zero naming the first bad row."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--checkpoints", type=Path, help="checkpoint directory (default AUDIT_CHECKPOINT_DIR)"
        )
        parser.add_argument(
            "--public-key", type=Path, help="the agency's public key (PEM) to verify them with"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = witness.load_public_key(options["public_key"]) if options["public_key"] else None
        problems = [str(p) for p in verify_all()]
        problems += witness.verify_against_checkpoint(options["checkpoints"], key)
        pending = unchained_access_rows()
        if pending.count:
            self.stdout.write(
                f"not yet chained: {pending.count} access rows (the oldest from "
                f"{pending.oldest.isoformat()}); the periodic task core.chain_access_log "
                "chains them, or run it now with `manage.py audit_chain`"
            )
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN: {problem}")
            raise CommandError("audit logs failed verification")
        latest = witness.checkpoints(options["checkpoints"])
        against = (
            f"; consistent with checkpoint {latest[-1].number} of "
            f"{latest[-1].document['issued_at']}"
            if latest
            else "; no checkpoint taken yet"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit logs intact: {ChangeLogEntry.objects.count()} change rows, "
                f"{AccessLogEntry.objects.filter(seq__isnull=False).count()} chained access rows"
                f"{against}"
            )
        )
