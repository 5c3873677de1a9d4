"""A reader of DSA manifests: the national open-data structure descriptions.

A manifest is a CSV table whose rows are told apart by the first filled dimension column: a
`dataset` row starts a dataset, a `model` row starts a table of it, a `property` row is a column
of that table. Rows that fill none of them continue the directive above them (`prefix`, `enum`,
`comment`): the agency's files put an enum's values on the rows below the `enum` row, and not
always in the same column (`prepare` in most files, `ref` in the NVŠ one), so the value is taken
from the first of `prepare`, `source`, `ref` that is filled.

Only what the exports need is kept: datasets → models in file order → properties in manifest
order with type, ref (date precision) and enum values; titles and descriptions for the public
open-data page.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifests"


class ManifestError(ValueError):
    """The manifest does not follow the DSA layout (a property outside a model, …)."""


@dataclass(frozen=True)
class EnumItem:
    value: str
    title: str = ""


@dataclass
class Property:
    name: str
    type: str
    ref: str = ""
    access: str = ""
    title: str = ""
    enum: list[EnumItem] = field(default_factory=list)

    @property
    def enum_values(self) -> list[str]:
        return [item.value for item in self.enum]


@dataclass
class Model:
    name: str
    ref: str = ""
    title: str = ""
    description: str = ""
    properties: list[Property] = field(default_factory=list)

    @property
    def property_names(self) -> list[str]:
        return [prop.name for prop in self.properties]

    def get_property(self, name: str) -> Property:
        for prop in self.properties:
            if prop.name == name:
                return prop
        raise KeyError(f"{self.name} has no property {name!r}")

    @property
    def file_name(self) -> str:
        # A model may be written with its dataset path ("datasets/gov/x/Model"); the file is
        # named by the model alone.
        return self.name.rsplit("/", 1)[-1] + ".csv"


@dataclass
class Dataset:
    name: str
    title: str = ""
    description: str = ""
    models: list[Model] = field(default_factory=list)

    def get_model(self, name: str) -> Model:
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(f"{self.name} has no model {name!r}")


def _unquote(value: str) -> str:
    """`"V"` → `V`: enum values in `prepare` are written as expression literals."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse_rows(rows: Iterable[dict[str, str]]) -> list[Dataset]:
    """Datasets described by manifest rows (dicts keyed by the DSA column names)."""
    datasets: list[Dataset] = []
    model: Model | None = None
    prop: Property | None = None
    directive = ""  # the open prefix / enum / comment block that continuation rows extend
    for line, raw in enumerate(rows, start=2):
        row = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        if row.get("dataset"):
            datasets.append(
                Dataset(
                    name=row["dataset"],
                    title=row.get("title", ""),
                    description=row.get("description", ""),
                )
            )
            model, prop, directive = None, None, ""
        elif row.get("resource") or row.get("base"):
            # Resources and bases say where the data comes from; they end the open block.
            directive = ""
        elif row.get("model"):
            if not datasets:
                raise ManifestError(f"line {line}: model {row['model']!r} before any dataset")
            model = Model(
                name=row["model"],
                ref=row.get("ref", ""),
                title=row.get("title", ""),
                description=row.get("description", ""),
            )
            datasets[-1].models.append(model)
            prop, directive = None, ""
        elif row.get("property"):
            if model is None:
                raise ManifestError(f"line {line}: property {row['property']!r} outside a model")
            # The type column may carry modifiers ("string required"); the first word is the type.
            type_ = (row.get("type") or "").split()
            prop = Property(
                name=row["property"],
                type=type_[0] if type_ else "",
                ref=row.get("ref", ""),
                access=row.get("access", ""),
                title=row.get("title", ""),
            )
            model.properties.append(prop)
            directive = ""
        elif row.get("type"):
            directive = row["type"]
            if directive == "enum":
                if prop is None:
                    raise ManifestError(f"line {line}: enum outside a property")
                _add_enum_item(prop, row)
        elif any(row.values()):
            if directive == "enum" and prop is not None:
                _add_enum_item(prop, row)
            # Continuations of prefix and comment blocks carry nothing an export needs.
        else:
            directive = ""  # an empty row closes a block
    return datasets


def _add_enum_item(prop: Property, row: dict[str, str]) -> None:
    value = _unquote(row.get("prepare", "")) or row.get("source", "") or row.get("ref", "")
    prop.enum.append(EnumItem(value=value, title=_unquote(row.get("title", ""))))


def parse_manifest(path: Path) -> list[Dataset]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return parse_rows(csv.DictReader(handle))


def load_datasets(directory: Path = MANIFEST_DIR) -> dict[str, Dataset]:
    """Every dataset described by the `*.csv` manifests of a directory, by dataset name."""
    found: dict[str, Dataset] = {}
    for path in sorted(directory.glob("*.csv")):
        for dataset in parse_manifest(path):
            if dataset.name in found:
                raise ManifestError(f"{path.name}: dataset {dataset.name} is described twice")
            found[dataset.name] = dataset
    return found


@cache
def bundled_datasets() -> dict[str, Dataset]:
    """The manifests shipped with the app (parsed once per process; they never change at run
    time)."""
    return load_datasets(MANIFEST_DIR)
