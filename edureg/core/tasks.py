"""Periodic work of the kernel, run by the django-tasks worker (see edureg.core.schedule)."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task

from edureg.core import audit


@task()
def chain_access_log() -> int:
    """Chain the access-log rows that reads inserted since the last run."""
    return audit.chain_access_log()


@task()
def prune_task_results() -> None:
    """Forget finished background-task results after the library's default age (14 days):
    the periodic tasks above leave one every few seconds. Jobs keep their own rows."""
    call_command("prune_db_task_results", verbosity=0)
