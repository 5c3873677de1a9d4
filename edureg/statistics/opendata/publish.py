"""Publishing open data: every bundled dataset written into a new directory and recorded as a
`Publication`; the previous publication is kept beside it, older ones are removed.

Runs as a periodic task (`statistics.tasks.publish_open_data`, registered with
`edureg.core.schedule`), or now with `manage.py publish_open_data`. A dataset whose export fails
keeps its last publication: the new directory is removed and nothing is recorded.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from edureg.statistics.models import Publication
from edureg.statistics.opendata.export import export_dataset
from edureg.statistics.opendata.manifest import Dataset, bundled_datasets

KEEP = 2  # the current publication and the previous one


def root() -> Path:
    return Path(getattr(settings, "OPEN_DATA_ROOT", "") or Path(settings.MEDIA_ROOT) / "open-data")


def slug_of(dataset_name: str) -> str:
    """`datasets/gov/nsa/mr/x` → `gov-nsa-mr-x`: the dataset's part of a download address."""
    return dataset_name.removeprefix("datasets/").replace("/", "-")


def publish_dataset(dataset: Dataset) -> Publication:
    from edureg.statistics.management.commands.export_open_data import snapshot

    now = timezone.now()
    relative = Path(slug_of(dataset.name)) / f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    directory = root() / relative
    directory.mkdir(parents=True, exist_ok=False)
    try:
        with snapshot():
            written = export_dataset(dataset, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    with transaction.atomic():
        publication = Publication.objects.create(
            dataset=dataset.name,
            published_at=now,
            directory=str(relative),
            tables={item.model: item.rows for item in written},
        )
        stale = list(
            Publication.objects.filter(dataset=dataset.name).order_by("-published_at", "-pk")[KEEP:]
        )
        for old in stale:
            shutil.rmtree(root() / old.directory, ignore_errors=True)
            old.delete()
    return publication


def publish_all() -> list[Publication]:
    return [publish_dataset(dataset) for dataset in bundled_datasets().values()]


def latest(dataset_name: str) -> list[Publication]:
    """The current publication first, then the previous one (when there is one)."""
    return list(
        Publication.objects.filter(dataset=dataset_name).order_by("-published_at", "-pk")[:KEEP]
    )
