"""The feeds' periodic pick-up of dropped files."""

from __future__ import annotations

from django_tasks import task


@task()
def feeds_poll_task() -> None:
    """Start a run for every file waiting in the feeds' drop directories."""
    from edureg.exchange.feeds.base import feeds_poll

    feeds_poll()
