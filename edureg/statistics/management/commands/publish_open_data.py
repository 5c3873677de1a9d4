"""Publish every bundled open-data dataset now, as the periodic task does.

python manage.py publish_open_data
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from edureg.statistics.opendata.publish import publish_all


class Command(BaseCommand):
    help = "Publish every bundled open-data dataset now (keeps the previous publication)."

    def handle(self, *args: Any, **options: Any) -> None:
        for publication in publish_all():
            rows = ", ".join(f"{model} {count}" for model, count in publication.tables.items())
            self.stdout.write(f"{publication.dataset}: {rows}")
