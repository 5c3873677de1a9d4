"""The worker's part of a file import."""

from __future__ import annotations

from django_tasks import task


@task()
def import_apply_task(*, run_id: int) -> None:
    from edureg.exchange.imports.services import import_apply

    import_apply(run_id)


@task()
def imports_resume_task() -> None:
    """Take up imports whose worker stopped before they finished (a periodic task)."""
    from edureg.exchange.imports.services import imports_resume

    imports_resume()
