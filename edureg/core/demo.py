"""Shared helpers of the demo-data generator (`manage.py seed_demo`).

The generators in `institutions/demo.py` and `people/demo.py` are pure functions of the scale
and the seed that return plain specifications, so that determinism can be checked without a
database; the insert functions then turn the specifications into rows through the same bulk
path as imports (`bulk_create_with_audit`), which writes a version and a change-log entry for
every record.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db import models

from edureg.core.audit import bulk_create_with_audit

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "edureg-admin"  # noqa: S105  (published demo login, refused outside demo mode)
DEMO_ADMIN_EMAIL = "admin@example.lt"

# Rows per INSERT statement and per chunk handed to `bulk_create_with_audit`. Large enough to
# amortise the per-statement cost, small enough to keep a chunk's objects cheap to hold.
DEFAULT_BATCH_SIZE = 5000

# How often the national run reports progress, in records.
PROGRESS_EVERY = 50_000

Progress = Callable[[str], None]
S = TypeVar("S")
M = TypeVar("M", bound=models.Model)


class Scale(StrEnum):
    SMALL = "small"
    NATIONAL = "national"


def demo_rng(seed: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per generator.

    Seeding by string goes through SHA-512 (not `hash()`), so it does not depend on
    PYTHONHASHSEED; separate streams keep a change in one generator from reshuffling the other.
    """
    return random.Random(f"edureg-demo:{seed}:{stream}")


def apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder).

    Each part gets at least `minimum` when the total allows it, so a small municipality still
    has a school.
    """
    if not weights:
        return []
    floor = minimum if minimum * len(weights) <= total else 0
    rest = total - floor * len(weights)
    weight_sum = sum(weights)
    shares = [rest * w / weight_sum for w in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (shares[i] - parts[i], -i), reverse=True
    )
    for i in by_remainder[: rest - sum(parts)]:
        parts[i] += 1
    return [part + floor for part in parts]


def insert_in_chunks(
    model: type[M],
    specs: Sequence[S],
    build: Callable[[S], M],
    *,
    label: str,
    progress: Progress,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Build and insert records chunk by chunk, with versions and change-log entries.

    Returns how many were inserted; the objects are not kept, so that a national run holds one
    chunk at a time.
    """
    total = len(specs)
    reported = 0
    for start in range(0, total, batch_size):
        chunk = [build(spec) for spec in specs[start : start + batch_size]]
        bulk_create_with_audit(model, chunk, batch_size=batch_size)
        done = min(start + batch_size, total)
        if done - reported >= PROGRESS_EVERY or done == total:
            progress(f"{label}: {done}/{total}")
            reported = done
    return total


def demo_admin_ensure() -> bool:
    """Create the demo superuser unless a user of that name exists. Returns whether created."""
    user_model = get_user_model()
    if user_model._default_manager.filter(username=DEMO_ADMIN_USERNAME).exists():
        return False
    user_model._default_manager.create_superuser(
        username=DEMO_ADMIN_USERNAME, email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD
    )
    return True
