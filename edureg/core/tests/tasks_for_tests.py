"""A task for the jobs tests: counts to `total`, reporting progress, and attaches a file."""

from django_tasks import task

from edureg.core import jobs


@task()
def count_to(*, job_id: int, total: int, fail_at: int | None = None) -> None:
    with jobs.job_running(job_id) as job:
        for number in range(1, total + 1):
            if number == fail_at:
                raise ValueError(f"stopped at {number}")
            jobs.job_advance(job, 1, total=total)
        jobs.job_attach(job, name="numbers.csv", content=b"n\n" + b"x\n" * total)
