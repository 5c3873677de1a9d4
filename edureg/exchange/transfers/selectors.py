"""What the transfer dashboard reads, through the scope of the user: the institutions whose
data they keep (a school's or HEI's data managers: their own; the agency: all)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import grant
from edureg.core.context import Actor
from edureg.exchange.import_models import (
    RUN_KIND_CHOICES,
    FeedKind,
    ImportKind,
    ImportRow,
    ImportRun,
    RowOutcome,
)
from edureg.exchange.imports.services import writable_institutions
from edureg.institutions.models import Institution

ACCEPTED = (RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UNCHANGED)


# The agency reads every institution's transfers: national readers of pupils' or students'
# data, and the data-exchange staff (the agreements area), who also run the inbound feeds.
AGENCY_AREAS = [FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA, FunctionArea.AGREEMENTS]


def reads_every_institution(actor: Actor) -> bool:
    return grant(actor, AGENCY_AREAS, Level.VIEWER).national


def dashboard_institutions(actor: Actor) -> QuerySet[Institution]:
    """Whose transfers the actor sees: every institution for the agency, otherwise those whose
    data the actor keeps (manager level, as for uploading)."""
    if reads_every_institution(actor):
        return Institution.objects.order_by("name_lt")
    return writable_institutions(actor)


def _reads_feed_runs(actor: Actor) -> bool:
    return grant(actor, [FunctionArea.AGREEMENTS], Level.VIEWER).national


def _register_model(kind: str) -> Any:
    from edureg.pupils.models import Enrolment
    from edureg.students.models import StudyRight

    return {ImportKind.ENROLMENTS: Enrolment, ImportKind.STUDY_RIGHTS: StudyRight}[kind]


def runs_in_view(
    actor: Actor, *, since: dt.date, institution: Institution | None = None
) -> QuerySet[ImportRun]:
    mine = Q(institution__in=dashboard_institutions(actor))
    if _reads_feed_runs(actor):
        # The inbound feeds' runs belong to no institution: the agency's (exchange.feeds).
        mine |= Q(institution__isnull=True, kind__in=FeedKind.values)
    runs = ImportRun.objects.filter(mine, uploaded_at__date__gte=since)
    if institution is not None:
        runs = runs.filter(institution=institution)
    return runs


def fixed_since() -> Q:
    """A refused row is fixed once the same record (institution, kind, source system, key) was
    accepted by a later transfer, or changed in the register after the refusal (for example
    through its page)."""
    # A feed's runs have no institution (NULL never equals NULL): the same feed kind is enough.
    same_institution = Q(run__institution=OuterRef("run__institution")) | Q(
        run__institution__isnull=True, run__kind__in=FeedKind.values
    )
    later_accepted = ImportRow.objects.filter(
        same_institution,
        run__kind=OuterRef("run__kind"),
        run__source_system=OuterRef("run__source_system"),
        key=OuterRef("key"),
        outcome__in=ACCEPTED,
        run__uploaded_at__gt=OuterRef("run__uploaded_at"),
    )
    changed = Q()
    for kind in ImportKind:
        model = _register_model(kind)
        changed |= Q(run__kind=kind) & Exists(
            model.objects.filter(
                source_system=OuterRef("run__source_system"),
                local_id=OuterRef("key"),
                updated_at__gt=OuterRef("run__uploaded_at"),
            )
        )
    return ~Q(key="") & (Exists(later_accepted) | changed)


def daily_totals(runs: QuerySet[ImportRun]) -> QuerySet[Any]:
    """Per day, institution, source system and channel: transfers, records sent, accepted,
    refused; newest first."""
    return (
        runs.annotate(day=TruncDate("uploaded_at"))
        .values("day", "institution__name_lt", "source_system", "file_format", "kind")
        .annotate(
            transfers=Count("id"),
            sent=Sum("rows_total"),
            accepted=Sum(F("created") + F("updated") + F("unchanged")),
            refused=Sum("refused"),
        )
        .order_by("-day", "institution__name_lt", "source_system", "file_format", "kind")
    )


def refused_rows(runs: QuerySet[ImportRun]) -> QuerySet[ImportRow]:
    """Every refused row of the runs, newest first, with `fixed` (see `fixed_since`)."""
    return (
        ImportRow.objects.filter(run__in=runs, outcome=RowOutcome.REFUSED)
        .annotate(fixed=fixed_since())
        .select_related("run", "run__institution")
        .order_by("-run__uploaded_at", "run_id", "line")
    )


@dataclass(frozen=True)
class ErrorGroup:
    kind: str
    field: str
    code: str
    example: str
    refused: int
    still_open: int


def error_groups(runs: QuerySet[ImportRun]) -> list[ErrorGroup]:
    """The refusals grouped by what the file or call held, the field and the error code, the
    most frequent first, each with how many are not fixed yet."""
    groups = (
        ImportRow.objects.filter(run__in=runs, outcome=RowOutcome.REFUSED)
        .values("run__kind", "field", "code")
        .annotate(
            refused=Count("id"),
            still_open=Count("id", filter=~fixed_since()),
            example=Min("message"),
        )
        .order_by("-refused", "run__kind", "field", "code")
    )
    return [
        ErrorGroup(
            kind=str(dict(RUN_KIND_CHOICES).get(group["run__kind"], group["run__kind"])),
            field=group["field"],
            code=group["code"],
            example=group["example"],
            refused=group["refused"],
            still_open=group["still_open"],
        )
        for group in groups
    ]
