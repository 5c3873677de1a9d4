"""What every statistics report shares: the filters, the scope, the dimensions, the table.

A report is a set-based count over the live register: one `values(row, column)
.annotate(count)` query (or a few) over a queryset that the actor's statistics scope has
narrowed, then labelled, cut down to a readable size and suppressed. Nothing is precomputed, so
a figure changes the moment the register does.

Tables are additive: every cell counts things that fall in exactly one row and one column (a
pupil on the census day is in one class; an event happens once), so the row and column totals
are sums of the cells and secondary suppression (`statistics.suppression`) can protect them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea
from edureg.access.scoping import Grant, ScopePaths, grant, restrict
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue, localized_name
from edureg.institutions.models import Institution, Municipality
from edureg.statistics.suppression import DEFAULT_THRESHOLD, suppress

AREA = FunctionArea.STATISTICS
OTHER = "__other__"
# Rows beyond this are folded into one "other" row (the largest ones are kept): a table of a
# thousand schools is neither readable nor a chart.
MAX_ROWS = 60
MAX_COLUMNS = 16

Key = Any


def smallest_count() -> int:
    return int(getattr(settings, "STATISTICS_SMALLEST_COUNT", DEFAULT_THRESHOLD))


# --- Period -----------------------------------------------------------------------------------


def school_year_of(day: dt.date) -> int:
    """The school (academic) year a day falls in, by the year it starts on 1 September."""
    return day.year if day.month >= 9 else day.year - 1


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """[1 September, next 1 September) of a school year."""
    return dt.date(year, 9, 1), dt.date(year + 1, 9, 1)


def census_day(year: int) -> dt.date:
    """The day stocks are counted on: 1 October of the year (the usual census day), or today
    while that day has not come yet."""
    return min(dt.date(year, 10, 1), timezone.localdate())


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """[valid_from, valid_to) covers `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


# --- Filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    year: int
    rows: str = ""
    institution_type: ClassifierValue | None = None
    municipality: Municipality | None = None
    level: str = ""
    measure: str = "count"

    @property
    def start(self) -> dt.date:
        return year_bounds(self.year)[0]

    @property
    def end(self) -> dt.date:
        return year_bounds(self.year)[1]

    @property
    def census(self) -> dt.date:
        return census_day(self.year)

    def describe(self) -> str:
        return f"{self.year}–{self.year + 1}"


# --- Scope --------------------------------------------------------------------------------------


def statistics_grant(actor: Actor) -> Grant:
    return grant(actor, [AREA])


def scoped(queryset: QuerySet[Any], actor: Actor, institution_lookups: Sequence[str]) -> QuerySet:
    """Rows the actor's statistics grant covers: a school its own (with branches), a
    municipality the institutions in its territory, the agency and the ministry everything."""
    paths = ScopePaths(
        institution=tuple(institution_lookups),
        municipality=tuple(f"{lookup}__municipality" for lookup in institution_lookups),
    )
    return restrict(queryset, actor=actor, areas=[AREA], paths=paths)


# --- Dimensions ---------------------------------------------------------------------------------

Labeller = Callable[[Iterable[Key]], Mapping[Key, str]]


def choice_labels(choices: Any) -> Labeller:
    def labels(keys: Iterable[Key]) -> dict[Key, str]:
        names = {str(value): str(label) for value, label in choices.choices}
        return {key: names.get(str(key), str(key)) for key in keys}

    return labels


def model_labels(model: Any) -> Labeller:
    def labels(keys: Iterable[Key]) -> dict[Key, str]:
        found = model.objects.in_bulk([key for key in keys if key is not None])
        return {key: localized_name(found[key]) for key in found}

    return labels


def institution_labels(keys: Iterable[Key]) -> dict[Key, str]:
    found = Institution.objects.in_bulk([key for key in keys if key is not None])
    return {key: localized_name(value) for key, value in found.items()}


def plain_labels(keys: Iterable[Key]) -> dict[Key, str]:
    return {key: str(key) for key in keys}


def _translator(domain: str) -> Callable[[str], str]:
    """pycountry's own Lithuanian names of countries and languages, for a Lithuanian reader."""
    import gettext

    import pycountry

    if (get_language() or "lt").startswith("en"):
        return lambda text: text
    return gettext.translation(
        domain, pycountry.LOCALES_DIR, languages=["lt"], fallback=True
    ).gettext


def country_labels(keys: Iterable[Key]) -> dict[Key, str]:
    import pycountry

    translate = _translator("iso3166-1")
    result = {}
    for key in keys:
        country = pycountry.countries.get(alpha_2=key) if key else None
        result[key] = translate(country.name) if country is not None else str(key)
    return result


def language_labels(keys: Iterable[Key]) -> dict[Key, str]:
    import pycountry

    translate = _translator("iso639-3")
    result = {}
    for key in keys:
        language = pycountry.languages.get(alpha_2=key) if key else None
        result[key] = translate(language.name) if language is not None else str(key)
    return result


@dataclass(frozen=True)
class Dimension:
    """One way of splitting a report: an ORM lookup, how its values read, how they sort."""

    label: str | Promise
    lookup: str
    labels: Labeller = plain_labels
    # Sort keys by this order (choices' order) instead of by label; keys not in it come last.
    order: Sequence[Key] = ()
    # Keep every key of `order`, also those with no count (grades, months).
    complete: bool = False
    # Map a fetched key to the key shown (e.g. a programme to its study field).
    bucket: Callable[[Iterable[Key]], Mapping[Key, Key]] | None = None


# --- Tables --------------------------------------------------------------------------------------


@dataclass
class Table:
    """A table of counts as shown: suppressed cells are None."""

    row_title: str
    column_title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    unit: str
    # Extra columns computed from the shown figures (rates), by column title.
    extra: dict[str, list[str]] = field(default_factory=dict)
    # The true counts, kept for the tests and never rendered.
    raw: list[list[int]] = field(default_factory=list, repr=False)
    amounts: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def hidden_any(self) -> bool:
        return any(v is None for row in self.cells for v in row) or any(
            v is None for v in (*self.row_totals, *self.column_totals, self.total)
        )

    def chart_data(self) -> dict[str, Any]:
        return {
            "labels": self.rows,
            "datasets": [
                {"label": column, "data": [row[j] for row in self.cells]}
                for j, column in enumerate(self.columns)
            ],
            "unit": self.unit,
        }

    def display_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "cells": self.cells[i],
                "total": self.row_totals[i],
                "extra": [column[i] for column in self.extra.values()],
            }
            for i, name in enumerate(self.rows)
        ]

    def lines(self) -> list[list[Any]]:
        """The table as rows of plain values, header first, totals last (for CSV and XLSX)."""
        hidden = _("hidden")
        header = [self.row_title, *self.columns, _("Total"), *self.extra]
        body = []
        for i, name in enumerate(self.rows):
            values = [hidden if v is None else v for v in (*self.cells[i], self.row_totals[i])]
            body.append([name, *values, *(column[i] for column in self.extra.values())])
        totals = [hidden if v is None else v for v in (*self.column_totals, self.total)]
        return [header, *body, [_("Total"), *totals, *("" for _x in self.extra)]]


def _fold(keys: list[Key], counts: dict[Key, int], limit: int) -> tuple[list[Key], dict[Key, Key]]:
    """Keep the `limit` - 1 largest keys and fold the rest into OTHER."""
    if len(keys) <= limit:
        return keys, {key: key for key in keys}
    kept = set(sorted(keys, key=lambda k: (-counts.get(k, 0), str(k)))[: limit - 1])
    mapping = {key: (key if key in kept else OTHER) for key in keys}
    return [key for key in keys if key in kept] + [OTHER], mapping


def _ordered(keys: Iterable[Key], dimension: Dimension, labels: Mapping[Key, str]) -> list[Key]:
    position = {key: index for index, key in enumerate(dimension.order)}
    present = set(keys)
    if dimension.complete:
        present |= set(dimension.order)
    return sorted(
        present,
        key=lambda k: (position.get(k, len(position)), labels.get(k, str(k)).casefold(), str(k)),
    )


def build_table(
    triples: Iterable[tuple[Key, Key, int | Decimal]],
    *,
    row: Dimension,
    column: Dimension,
    unit: str,
    counts_for_amounts: Iterable[tuple[Key, Key, int]] | None = None,
) -> Table:
    """Label, order, fold and suppress (row key, column key, count) triples.

    With `counts_for_amounts`, the triples are sums of money and the counts decide what is
    hidden: an amount is shown where the number of payments behind it would be.
    """
    values: dict[tuple[Key, Key], Any] = defaultdict(int)
    for row_key, column_key, value in triples:
        values[(row_key, column_key)] += value or 0
    counts: dict[tuple[Key, Key], int] = defaultdict(int)
    for row_key, column_key, value in counts_for_amounts or ():
        counts[(row_key, column_key)] += value
    if counts_for_amounts is None:
        counts = values  # type: ignore[assignment]

    def rebucket(data: dict[tuple[Key, Key], Any]) -> dict[tuple[Key, Key], Any]:
        result: dict[tuple[Key, Key], Any] = defaultdict(int)
        row_map = row.bucket({r for r, _c in data}) if row.bucket else None
        column_map = column.bucket({c for _r, c in data}) if column.bucket else None
        for (r, c), v in data.items():
            r2 = row_map.get(r) if row_map is not None else r
            c2 = column_map.get(c) if column_map is not None else c
            result[(r2, c2)] += v
        return result

    values, counts = rebucket(values), rebucket(counts)
    row_keys = {r for r, _c in counts} | {r for r, _c in values}
    column_keys = {c for _r, c in counts} | {c for _r, c in values}
    row_names = dict(row.labels(row_keys))
    column_names = dict(column.labels(column_keys | set(column.order if column.complete else ())))
    rows = _ordered(row_keys, row, row_names)
    columns = _ordered(column_keys, column, column_names)
    row_sizes: dict[Key, int] = defaultdict(int)
    column_sizes: dict[Key, int] = defaultdict(int)
    for (r, c), v in counts.items():
        row_sizes[r] += v
        column_sizes[c] += v
    rows, row_fold = _fold(rows, row_sizes, MAX_ROWS)
    columns, column_fold = _fold(columns, column_sizes, MAX_COLUMNS)
    row_index = {key: i for i, key in enumerate(rows)}
    column_index = {key: j for j, key in enumerate(columns)}
    grid_counts = [[0] * len(columns) for _r in rows]
    grid_values: list[list[Any]] = [[0] * len(columns) for _r in rows]
    for (r, c), v in counts.items():
        grid_counts[row_index[row_fold[r]]][column_index[column_fold[c]]] += v
    for (r, c), v in values.items():
        grid_values[row_index[row_fold[r]]][column_index[column_fold[c]]] += v
    shown = suppress(grid_counts, smallest_count()) if rows else [[0] * (len(columns) + 1)]
    other = _("other")

    def name(key: Key, names: Mapping[Key, str]) -> str:
        if key == OTHER:
            return other
        if key is None or key == "":
            return _("not recorded")
        return names.get(key, str(key))

    if counts_for_amounts is not None:
        # Amounts hidden exactly where the counts are.
        full = [[*list(row), sum(row)] for row in grid_values]
        full.append([sum(row[j] for row in full) for j in range(len(columns) + 1)] if rows else [0])
        shown = [
            [None if shown[i][j] is None else full[i][j] for j in range(len(full[i]))]
            for i in range(len(full))
        ]
    return Table(
        row_title=str(row.label),
        column_title=str(column.label),
        rows=[name(key, row_names) for key in rows],
        columns=[name(key, column_names) for key in columns],
        cells=[line[:-1] for line in shown[:-1]],
        row_totals=[line[-1] for line in shown[:-1]],
        column_totals=shown[-1][:-1],
        total=shown[-1][-1],
        unit=unit,
        raw=grid_counts,
        amounts=counts_for_amounts is not None,
    )


# --- Reports ----------------------------------------------------------------------------------

PUPILS, STUDENTS = "pupils", "students"


class Report:
    """One statistics page. Subclasses set the attributes and `queryset`; most need no more."""

    slug: str = ""
    title: str | Promise = ""
    description: str | Promise = ""
    register: str = PUPILS
    unit: str | Promise = gettext_lazy("pupils")
    rows: dict[str, Dimension] = {}
    column: Dimension
    # Lookups from the queryset's model to the institution(s) that decide the scope.
    institution_lookups: Sequence[str] = ("institution",)
    # The lookup the "institution type", "municipality" and "level" filters apply to.
    institution_lookup: str = "institution"
    level_lookup: str = ""
    levels: dict[str, Sequence[str]] | None = None
    chart: str = "bar"  # bar (stacked) or line
    count: str = "pk"
    distinct: bool = False
    # Money reports: the amount field, offered as a second measure beside the count.
    amount: str = ""

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        raise NotImplementedError

    def narrowed(self, actor: Actor, filters: Filters) -> QuerySet[Any]:
        queryset = scoped(self.queryset(filters), actor, self.institution_lookups)
        if filters.institution_type is not None:
            queryset = queryset.filter(
                **{f"{self.institution_lookup}__main_type": filters.institution_type}
            )
        if filters.municipality is not None:
            queryset = queryset.filter(
                **{f"{self.institution_lookup}__municipality": filters.municipality}
            )
        if filters.level and self.level_lookup:
            wanted = (self.levels or {}).get(filters.level, (filters.level,))
            queryset = queryset.filter(**{f"{self.level_lookup}__in": list(wanted)})
        return queryset

    def row_dimension(self, filters: Filters) -> Dimension:
        return self.rows.get(filters.rows) or next(iter(self.rows.values()))

    def triples(
        self, queryset: QuerySet[Any], row: Dimension, column: Dimension, measure: Any = None
    ) -> list[tuple[Key, Key, Any]]:
        aggregate = measure if measure is not None else Count(self.count, distinct=self.distinct)
        return [
            (item["r"], item["c"], item["n"])
            for item in queryset.values(r=_lookup(row.lookup), c=_lookup(column.lookup))
            .annotate(n=aggregate)
            .order_by()
        ]

    def table(self, actor: Actor, filters: Filters) -> Table:
        queryset = self.narrowed(actor, filters)
        row = self.row_dimension(filters)
        counts = self.triples(queryset, row, self.column)
        if self.amount and filters.measure == "amount":
            amounts = self.triples(queryset, row, self.column, Sum(self.amount))
            return build_table(
                amounts,
                row=row,
                column=self.column,
                unit=_("euro"),
                counts_for_amounts=counts,
            )
        return build_table(counts, row=row, column=self.column, unit=str(self.unit))


def _lookup(path: str) -> Any:
    from django.db.models import F

    return F(path)


_REPORTS: dict[str, Report] = {}


def register(report_class: type[Report]) -> type[Report]:
    report = report_class()
    _REPORTS[report.slug] = report
    return report_class


def all_reports() -> list[Report]:
    from edureg.statistics.reports import pupils, students  # noqa: F401  (they register)

    return list(_REPORTS.values())


def get_report(slug: str) -> Report | None:
    all_reports()
    return _REPORTS.get(slug)
