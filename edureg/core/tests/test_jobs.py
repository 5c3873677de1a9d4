"""Background jobs: the person who started one sees its progress and files; nobody else does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_user
from edureg.core import jobs, schedule
from edureg.core.context import Actor
from edureg.core.models import JobStatus, PeriodicRun
from edureg.core.tests.tasks_for_tests import count_to

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    """Run every queued task in this process, as the worker would, then return."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


# The worker closes its database connection between tasks, as in production; inside a test's
# transaction that would end the transaction, so tests that run it commit for real.
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_the_worker_and_its_owner_downloads_the_result(client):
    owner = make_user("job-owner")
    job = jobs.job_create(actor=Actor.for_user(owner), kind="test.count", title="Counting")
    count_to.enqueue(job_id=job.pk, total=7)
    client.force_login(owner)

    waiting = client.get(job.get_absolute_url())
    assert waiting.status_code == 200
    assert 'hx-trigger="every 1s"' in waiting.content.decode()  # the page keeps polling

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 7, 7, 100)
    fragment = client.get(f"/jobs/{job.public_id}/progress/").content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert "numbers.csv" in fragment
    download = client.get(f"/jobs/{job.public_id}/result/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"n\n" + b"x\n" * 7


def test_someone_elses_job_is_not_found(client):
    owner, other = make_user("job-owner-2"), make_user("job-other")
    job = jobs.job_create(actor=Actor.for_user(owner), kind="test.count", title="Counting")
    client.force_login(other)
    for url in (job.get_absolute_url(), f"/jobs/{job.public_id}/progress/"):
        assert client.get(url).status_code == 404
    assert client.get(f"/jobs/{job.public_id}/result/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_says_why_and_keeps_its_progress(client):
    owner = make_user("job-owner-3")
    job = jobs.job_create(actor=Actor.for_user(owner), kind="test.count", title="Counting")
    count_to.enqueue(job_id=job.pk, total=10, fail_at=4)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "stopped at 4"
    assert job.done == 3


def test_a_periodic_task_is_enqueued_once_per_interval(django_capture_on_commit_callbacks):
    schedule.register("test.count", count_to, every=dt.timedelta(hours=1))
    try:
        start = timezone.now()
        with django_capture_on_commit_callbacks():
            assert "test.count" in schedule.enqueue_due(start)
            assert "test.count" not in schedule.enqueue_due(start + dt.timedelta(minutes=59))
            assert "test.count" in schedule.enqueue_due(start + dt.timedelta(minutes=61))
        run = PeriodicRun.objects.get(name="test.count")
        assert run.last_enqueued_at == start + dt.timedelta(minutes=61)
    finally:
        schedule._REGISTRY.pop("test.count")
