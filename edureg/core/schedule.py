"""Periodic tasks: what runs every so often (publish open data, apply retention rules, chain the
access log) without cron.

An app registers its periodic tasks in its AppConfig.ready():

    schedule.register("statistics.publish", tasks.publish, every=timedelta(days=1))

`manage.py run_scheduler` (started by `make run` beside the worker) enqueues each task when it is
due; the time of the last enqueue is kept in the database (`core.PeriodicRun`), locked while it is
decided, so several schedulers or a restarted one never enqueue the same run twice. The tasks
themselves run in the django-tasks worker like any other background work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from edureg.core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django-tasks Task; enqueued with no arguments
    every: dt.timedelta


_REGISTRY: dict[str, Periodic] = {}


def register(name: str, task: Any, *, every: dt.timedelta) -> None:
    _REGISTRY[name] = Periodic(name=name, task=task, every=every)


def registered() -> list[Periodic]:
    return sorted(_REGISTRY.values(), key=lambda p: p.name)


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered task whose interval has passed; return their names."""
    now = now or timezone.now()
    enqueued = []
    for periodic in registered():
        with transaction.atomic():
            run, created = PeriodicRun.objects.select_for_update().get_or_create(
                name=periodic.name, defaults={"last_enqueued_at": now}
            )
            if not created and now - run.last_enqueued_at < periodic.every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            # Enqueued once the decision is committed, so a rolled-back tick enqueues nothing.
            transaction.on_commit(periodic.task.enqueue)
        enqueued.append(periodic.name)
    return enqueued
