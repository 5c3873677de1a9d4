"""Export the hash links of both audit chains (no content) for an outside verifier.

    manage.py audit_export_heads FILE

One JSON line per chained row: {"log", "shard", "seq", "prev", "hash"}. With the exported
checkpoints and the agency's public key, `scripts/verify_checkpoints.py --chain-export FILE`
checks that the chains link and still hold every signed head — without the database.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from edureg.core.witness import LOGS


class Command(BaseCommand):
    help = "Write the hash links of the audit chains (JSON lines, no content) to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with options["file"].open("w") as out:
            for model in LOGS:
                rows = (
                    model._default_manager.filter(seq__isnull=False)
                    .order_by("shard", "seq")
                    .values_list("shard", "seq", "prev_hash", "entry_hash")
                )
                for shard, seq, prev, digest in rows.iterator(chunk_size=5000):
                    line = {"log": model.LOG_NAME, "shard": shard, "seq": seq}
                    out.write(json.dumps(line | {"prev": prev, "hash": digest}) + "\n")
                    count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} chain links written to {options['file']}"))
