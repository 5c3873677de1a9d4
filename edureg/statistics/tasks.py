"""Background work of the statistics app."""

from __future__ import annotations

from django_tasks import task

from edureg.statistics.opendata.publish import publish_all


@task()
def publish_open_data() -> None:
    """Publish every bundled open-data dataset (the scheduler runs it; see apps.py)."""
    publish_all()
