"""Writing an open-data dataset: one CSV per model of its manifest.

Values are formatted by the manifest's type of each property, so a producer hands over plain
Python values and the published text follows the structure description: dates at the precision
given by `ref` (Y → 2024, M → 2024-09, D → 2024-09-01), datetimes as ISO 8601 at the precision
given by `ref` (L → milliseconds; seconds when none is given) in Europe/Vilnius time with its
offset, numbers as plain decimals with a dot, integers as digits, nothing for a missing value.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from edureg.statistics.opendata.manifest import Dataset, Model, Property
from edureg.statistics.opendata.registry import producer_for

# DSA time units (the pandas aliases) → datetime.isoformat timespec.
DATETIME_TIMESPEC = {
    "H": "hours",
    "T": "minutes",
    "S": "seconds",
    "L": "milliseconds",
    "U": "microseconds",
}


class ExportError(Exception):
    """A producer handed over something the manifest does not allow."""


@dataclass(frozen=True)
class WrittenFile:
    model: str
    path: Path
    rows: int
    mapped: bool  # False: no producer yet, the file holds the header only


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        # Naive datetimes have no place in the register; guessing a zone would publish a
        # wrong time.
        raise ExportError(f"naive datetime {value!r}")
    return timezone.localtime(value)


def format_number(value: Decimal | int | float) -> str:
    """240 → "240", Decimal("7.50") → "7.5": no exponent, no thousands separator."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ExportError(f"number {value!r} cannot be published")
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(prop: Property, value: Any) -> str:
    """The text of one value for a property of the given manifest type."""
    if value is None:
        return ""
    kind = prop.type
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = _local(value).date()
        if not isinstance(value, dt.date):
            raise ExportError(f"{prop.name}: a date expected, got {value!r}")
        if prop.ref == "Y":
            return f"{value.year:04d}"
        if prop.ref == "M":
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if kind == "datetime":
        if not isinstance(value, dt.datetime):
            raise ExportError(f"{prop.name}: a datetime expected, got {value!r}")
        return _local(value).isoformat(timespec=DATETIME_TIMESPEC.get(prop.ref, "seconds"))
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ExportError(f"{prop.name}: an integer expected, got {value!r}")
        return str(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
            raise ExportError(f"{prop.name}: a number expected, got {value!r}")
        return format_number(value)
    if isinstance(value, Decimal | float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return _local(value).isoformat(timespec="seconds")
    return str(value)


def format_row(model: Model, row: Mapping[str, Any]) -> list[str]:
    unknown = set(row) - set(model.property_names)
    if unknown:
        # A key the manifest does not know is a typo or a stale mapping: stop rather than drop
        # data silently.
        raise ExportError(f"{model.name}: unknown properties {sorted(unknown)}")
    return [format_value(prop, row.get(prop.name)) for prop in model.properties]


def write_model(model: Model, rows: Iterable[Mapping[str, Any]], directory: Path) -> int:
    """Write `<Model>.csv` and return its row count.

    The file is written beside its final name and renamed into place, so a failed export never
    leaves a truncated file that looks complete.
    """
    target = directory / model.file_name
    count = 0
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
        "w", encoding="utf-8", newline="", dir=directory, prefix=f".{target.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(model.property_names)
            for row in rows:
                writer.writerow(format_row(model, row))
                count += 1
        # Temporary files are private (0600); a published file is for everyone to read.
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def export_dataset(dataset: Dataset, directory: Path) -> list[WrittenFile]:
    """Write every model of the dataset; models without a producer get their header only."""
    written = []
    for model in dataset.models:
        producer = producer_for(dataset.name, model.name)
        rows: Iterable[Mapping[str, Any]] = producer() if producer is not None else ()
        count = write_model(model, rows, directory)
        written.append(
            WrittenFile(
                model=model.name,
                path=directory / model.file_name,
                rows=count,
                mapped=producer is not None,
            )
        )
    return written
