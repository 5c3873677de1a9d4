"""Background work of the archive: the daily retention run (scheduled in apps.py)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from edureg.archive import services


@task()
def apply_retention() -> int:
    """Apply the retention rules valid today; the run's report is kept (RetentionRun)."""
    return services.retention_apply(today=timezone.localdate()).pk
