"""The worker's part of mass queries."""

from __future__ import annotations

from django_tasks import task


@task()
def mass_query_run_task(*, query_id: int) -> None:
    from edureg.exchange.queries.services import mass_query_run

    mass_query_run(query_id)


@task()
def mass_queries_dispatch_task() -> None:
    """Queue waiting queries for free slots; take up those whose worker stopped (periodic)."""
    from edureg.exchange.queries.services import mass_queries_dispatch

    mass_queries_dispatch()


@task()
def mass_queries_expire_task() -> None:
    """Remove the files of expired results (periodic)."""
    from edureg.exchange.queries.services import mass_queries_expire

    mass_queries_expire()
