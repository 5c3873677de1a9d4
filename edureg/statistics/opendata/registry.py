"""Which code produces the rows of which open-data table.

A producer is registered for a (dataset, model) pair of the manifests and yields one dict per
row, keyed by the model's property names, with plain Python values (str, date, datetime,
Decimal, int, None); the writer formats them by the manifest's types. A model with no producer
is still exported, with its header only, so that the published structure is complete while the
register that feeds it is being built.

Mapping modules (`smpkr.py`, `nvs.py`, …) live in this package and register themselves when
imported; `load_mappings()` imports every module of the package, so a new register adds a
module and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Row = Mapping[str, Any]
Producer = Callable[[], Iterable[Row]]

_PRODUCERS: dict[tuple[str, str], Producer] = {}


def register(dataset: str, model: str) -> Callable[[Producer], Producer]:
    """Decorator: `@register("datasets/gov/nsa/…", "Model")` on a function yielding rows."""

    def decorator(producer: Producer) -> Producer:
        key = (dataset, model)
        existing = _PRODUCERS.get(key)
        # Re-importing the same module (autoreload, tests) registers the same function again;
        # two different functions for one table is a mistake worth stopping on.
        if existing is not None and existing.__qualname__ != producer.__qualname__:
            raise ValueError(f"{dataset} {model} already has a producer: {existing.__qualname__}")
        _PRODUCERS[key] = producer
        return producer

    return decorator


def load_mappings() -> None:
    """Import every module of this package so that their `@register` calls run."""
    package = importlib.import_module(__package__ or "edureg.statistics.opendata")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def producer_for(dataset: str, model: str) -> Producer | None:
    load_mappings()
    return _PRODUCERS.get((dataset, model))


def registered() -> dict[tuple[str, str], Producer]:
    load_mappings()
    return dict(_PRODUCERS)
