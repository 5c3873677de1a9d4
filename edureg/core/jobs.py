"""Background jobs with progress: start one, report progress from its task, attach its files.

A feature that takes longer than a page load (file import, a class's PDFs, a mass query, an
inbound feed) does three things:

    job = jobs.job_create(actor=actor, kind="exchange.import", title=_("Import of …"), total=n)
    my_task.enqueue(job_id=job.pk, ...)          # a django-tasks @task, run by the worker
    return redirect(job.get_absolute_url())      # the page shows a live progress bar

and inside the task:

    with jobs.job_running(job_id) as job:
        for chunk in ...:
            ...
            jobs.job_advance(job, len(chunk))
        jobs.job_attach(job, name="result.zip", content=data)

The progress page polls with htmx (`core/job_progress.html`); the API gives the same facts at
`/api/v1/jobs/<public id>/`. Only the actor who started a job sees it (404 for everyone else).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from edureg.core.context import Actor
from edureg.core.models import Job, JobStatus

# Progress is written at most this often (seconds), so a fast loop does not become a write loop.
PROGRESS_INTERVAL = 0.5


def job_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    total: int | None = None,
    params: dict[str, Any] | None = None,
    expires_in: dt.timedelta | None = None,
) -> Job:
    """A queued job owned by `actor`; enqueue its task with `job_id=job.pk` afterwards."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    return Job.objects.create(
        kind=kind,
        title=str(title)[:255],
        owner_label=actor.label,
        owner_user=user,
        total=total,
        params=params or {},
        expires_at=timezone.now() + expires_in if expires_in else None,
    )


def job_for(*, actor: Actor, public_id: Any) -> Job:
    """The actor's own job, or 404 (someone else's job is as unknown as a missing one)."""
    job = Job.objects.filter(public_id=public_id, owner_label=actor.label).first()
    if job is None:
        raise Http404
    return job


def jobs_of(*, actor: Actor, kind: str | None = None) -> Any:
    """The actor's jobs, newest first."""
    queryset = Job.objects.filter(owner_label=actor.label)
    return queryset.filter(kind=kind) if kind else queryset


@contextlib.contextmanager
def job_running(job_id: int) -> Iterator[Job]:
    """Mark the job running for the block; done when it ends, failed (and re-raised) on error.

    Progress and status are written outside any transaction of the task's own, so the page
    sees them while the work goes on; the task's writes keep their own transactions.
    """
    job = Job.objects.get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    job._last_progress_write = time.monotonic()  # type: ignore[attr-defined]
    try:
        yield job
    except Exception as exc:
        job.status = JobStatus.FAILED
        job.message = job.message or str(exc)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "done", "total"])
        raise
    job.status = JobStatus.DONE
    if job.total is not None:
        job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "done", "total", "finished_at", "message"])


def job_advance(job: Job, by: int = 1, *, total: int | None = None, force: bool = False) -> None:
    """Count work done; written to the database at most every PROGRESS_INTERVAL seconds."""
    if total is not None:
        job.total = total
    job.done += by
    if job.total is not None:
        job.done = min(job.done, job.total)
    now = time.monotonic()
    last = getattr(job, "_last_progress_write", 0.0)
    if force or now - last >= PROGRESS_INTERVAL:
        Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total)
        job._last_progress_write = now  # type: ignore[attr-defined]


def job_note(job: Job, message: str) -> None:
    """A sentence for the person who started the job (shown under the progress bar)."""
    job.message = message[:2000]
    Job.objects.filter(pk=job.pk).update(message=job.message)


def job_attach(job: Job, *, name: str, content: bytes, report: bool = False) -> None:
    """Store a file the job produced: its result, or (report=True) its error report."""
    field = "report" if report else "result"
    with transaction.atomic():
        getattr(job, field).save(name, ContentFile(content), save=False)
        setattr(job, f"{field}_name", name)
        job.save(update_fields=[field, f"{field}_name"])
