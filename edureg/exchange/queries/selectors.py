"""The reads of mass queries: which query kinds there are, the rows each one gives an actor
(the data set's scoped selector of the change feed and the list endpoints, narrowed by the
query's parameters), and the actor's own queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edureg.core.context import Actor
from edureg.exchange.changes.datasets import Dataset, dataset_named
from edureg.exchange.query_models import MassQuery


@dataclass(frozen=True)
class QueryKind:
    name: str
    label: Promise
    dataset: str  # a data set of exchange.changes.datasets (its selector and serializer)
    # Checks and converts the parameters for the actor: a ValidationError names the field.
    clean: Callable[[Actor, Mapping[str, Any]], dict[str, Any]]
    # The rows of the data set's scoped selector that the query asks for.
    narrow: Callable[[QuerySet[Any], Mapping[str, Any]], QuerySet[Any]]

    @property
    def source(self) -> Dataset:
        return dataset_named(self.dataset)


def _required(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise ValidationError({name: [_("This field is required.")]}, code="required")
    return value


def _date(params: Mapping[str, Any], name: str) -> dt.date:
    value = _required(params, name)
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: [_("Give the date as YYYY-MM-DD.")]}, code="invalid") from None


def _clean_enrolled_on(actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    from edureg.pupils.selectors import municipalities_in_view

    code = str(_required(params, "municipality"))
    day = _date(params, "date")
    municipality = municipalities_in_view(actor=actor).filter(code=code).first()
    if municipality is None:
        raise ValidationError(
            {
                "municipality": [
                    _(
                        "Give the code of a municipality whose pupils this system may receive "
                        "(such as LT-57)."
                    )
                ]
            },
            code="out_of_scope",
        )
    return {"municipality": municipality.code, "date": day.isoformat()}


def _narrow_enrolled_on(rows: QuerySet[Any], params: Mapping[str, Any]) -> QuerySet[Any]:
    day = dt.date.fromisoformat(params["date"])
    return (
        rows.filter(institution__municipality__code=params["municipality"], valid_from__lte=day)
        .exclude(valid_to__lte=day)
        .order_by("pk")
    )


def _clean_graduates(actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    from edureg.programmes.models import Programme

    year = _required(params, "year")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Give a whole number.")]}, code="invalid") from None
    this_year = timezone.localdate().year
    if not 1990 <= year <= this_year:
        raise ValidationError(
            {"year": [_("Give a year from 1990 to %(year)s.") % {"year": this_year}]},
            code="invalid",
        )
    cleaned: dict[str, Any] = {"year": year}
    programme = params.get("programme")
    if programme not in (None, ""):
        if not Programme.objects.filter(state_code=str(programme)).exists():
            raise ValidationError(
                {"programme": [_("No programme has this state code.")]}, code="not_found"
            )
        cleaned["programme"] = str(programme)
    return cleaned


def _narrow_graduates(rows: QuerySet[Any], params: Mapping[str, Any]) -> QuerySet[Any]:
    year = int(params["year"])
    rows = rows.filter(
        graduation__graduated_on__gte=dt.date(year, 1, 1),
        graduation__graduated_on__lt=dt.date(year + 1, 1, 1),
    )
    if params.get("programme"):
        rows = rows.filter(programme__state_code=params["programme"])
    # By programme: the file lists each programme's graduates together.
    return rows.order_by("programme_id", "pk")


QUERY_KINDS: dict[str, QueryKind] = {
    kind.name: kind
    for kind in (
        QueryKind(
            name="pupils_enrolled_on",
            label=gettext_lazy("pupils enrolled on a date at the schools of a municipality"),
            dataset="enrolments",
            clean=_clean_enrolled_on,
            narrow=_narrow_enrolled_on,
        ),
        QueryKind(
            name="graduates_of_year",
            label=gettext_lazy("graduates of a year, by programme"),
            dataset="study_rights",
            clean=_clean_graduates,
            narrow=_narrow_graduates,
        ),
    )
}
QUERY_DATASETS = tuple(dict.fromkeys(kind.dataset for kind in QUERY_KINDS.values()))


def query_rows(*, actor: Actor, query: MassQuery) -> QuerySet[Any]:
    """The rows of a query as its owner may see them now (the data set's scoped selector)."""
    kind = QUERY_KINDS[query.kind]
    return kind.narrow(kind.source.records(actor), query.params)


def queries_of(*, actor: Actor) -> QuerySet[MassQuery]:
    """The system's own queries, newest first."""
    if actor.client is None:
        return MassQuery.objects.none()
    return MassQuery.objects.filter(owner_client=actor.client).select_related("job")


def query_for(*, actor: Actor, public_id: Any) -> MassQuery:
    """One of the system's queries, or 404 (another system's is as unknown as a missing one)."""
    query = queries_of(actor=actor).filter(public_id=public_id).first()
    if query is None:
        raise Http404
    return query
