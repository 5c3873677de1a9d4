"""Security blanks: received by the agency, allocated to institutions, used, written off; and the
blank-accounting report.

The rules:
- the agency (blank allocation, national manager) records each range it receives; a number of a
  type and series is received once (the database holds it: one row per blank number);
- the agency, or a municipality for its institutions (blank allocation, manager), allocates a
  range of blanks still in stock to an institution;
- an issued document uses one blank (see `credentials.services`);
- a spoiled or lost blank on hand is written off with a reason, by the institution (certificate
  forming, manager) or the allocator; a used blank is not (annul the document instead);
- the report of an institution for a period: on hand at the start, received, used, spoiled, lost,
  on hand at the end — and the end equals the start plus received less the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, grant, require, restrict
from edureg.core.audit import bulk_create_with_audit, bulk_update_with_audit
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.core.models import ClassifierValue
from edureg.credentials.models import (
    Blank,
    BlankAllocation,
    BlankReceipt,
    BlankStatus,
    BlankType,
)
from edureg.institutions.models import Institution

INSTITUTION_ITSELF = ScopePaths(institution=("pk",), municipality=("municipality",))
BLANK_PATHS = ScopePaths(institution=("institution",), municipality=("institution__municipality",))
# Receiving and allocating are done in ranges of at most this many blanks at once.
MAX_RANGE = 20_000


def _check_range(first: int, last: int) -> None:
    if first < 1 or last < first:
        raise ValidationError({"last_number": [_("The last number must not be below the first.")]})
    if last - first + 1 > MAX_RANGE:
        raise ValidationError(
            {"last_number": [_("At most %(count)s blanks at once.") % {"count": MAX_RANGE}]}
        )


@transaction.atomic
def blanks_receive(
    *,
    actor: Actor,
    blank_type: BlankType,
    series: str,
    first_number: int,
    last_number: int,
    received_on: dt.date,
    note: str = "",
) -> BlankReceipt:
    """The agency records a range of blanks it received from the printer."""
    require(actor, FunctionArea.BLANK_ALLOCATION, Level.MANAGER, national=True)
    series = series.strip().upper()
    if not series:
        raise ValidationError({"series": [_("Give the series.")]})
    _check_range(first_number, last_number)
    taken = Blank.objects.filter(
        blank_type=blank_type,
        series=series,
        number__gte=first_number,
        number__lte=last_number,
    ).exists()
    if taken:
        raise ValidationError({"first_number": [_("Some of these numbers were already received.")]})
    receipt = BlankReceipt(
        blank_type=blank_type,
        series=series,
        first_number=first_number,
        last_number=last_number,
        received_on=received_on,
        note=note.strip(),
    )
    with acting_as(actor):
        receipt.full_clean()
        receipt.save()
        try:
            with transaction.atomic():
                bulk_create_with_audit(
                    Blank,
                    [
                        Blank(blank_type=blank_type, series=series, number=n, receipt=receipt)
                        for n in range(first_number, last_number + 1)
                    ],
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"first_number": [_("Some of these numbers were already received.")]}
            ) from exc
    return receipt


@transaction.atomic
def blanks_allocate(
    *,
    actor: Actor,
    institution: Institution,
    blank_type: BlankType,
    series: str,
    first_number: int,
    last_number: int,
    allocated_on: dt.date,
) -> BlankAllocation:
    """Hand a range of blanks in stock to an institution."""
    if actor.kind != ActorKind.SYSTEM:
        get_in_scope(
            Institution.objects.all(),
            actor=actor,
            areas=[FunctionArea.BLANK_ALLOCATION],
            paths=INSTITUTION_ITSELF,
            level=Level.MANAGER,
            pk=institution.pk,
        )
    series = series.strip().upper()
    _check_range(first_number, last_number)
    blanks = (
        Blank.objects.select_for_update()
        .select_related("receipt")
        .filter(
            blank_type=blank_type, series=series, number__gte=first_number, number__lte=last_number
        )
    )
    numbers = list(blanks.values_list("number", "status"))
    if len(numbers) != last_number - first_number + 1:
        raise ValidationError({"first_number": [_("Not all of these numbers were received.")]})
    if any(status != BlankStatus.IN_STOCK for _n, status in numbers):
        raise ValidationError({"first_number": [_("Some of these blanks were already allocated.")]})
    allocation = BlankAllocation(
        institution=institution,
        blank_type=blank_type,
        series=series,
        first_number=first_number,
        last_number=last_number,
        allocated_on=allocated_on,
    )
    with acting_as(actor):
        allocation.full_clean()
        allocation.save()
        rows = list(blanks)
        if any(blank.receipt.received_on > allocated_on for blank in rows):
            raise ValidationError(
                {"allocated_on": [_("Blanks cannot be allocated before they were received.")]}
            )
        for blank in rows:
            blank.allocation = allocation
            blank.institution = institution
            blank.status = BlankStatus.ON_HAND
            blank.allocated_on = allocated_on
        # A range is thousands of blanks: one bulk update with a version and a change-log
        # entry per blank, not three writes per blank (see bench/README.md).
        bulk_update_with_audit(Blank, rows, ["allocation", "institution", "status", "allocated_on"])
    return allocation


@transaction.atomic
def blank_write_off(
    *,
    actor: Actor,
    blank: Blank,
    status: str,
    reason: ClassifierValue,
    on: dt.date,
    note: str = "",
) -> Blank:
    """Write off a spoiled or lost blank on hand, with a reason."""
    # Lock the blank only: its institution is a nullable (outer) join, which PostgreSQL
    # refuses to lock.
    locked = Blank.objects.select_for_update(of=("self",)).select_related("institution")
    blank = locked.get(pk=blank.pk)
    if actor.kind != ActorKind.SYSTEM:
        if blank.institution is None:
            raise PermissionDenied(_("You do not have the right to do this."))
        get_in_scope(
            Institution.objects.all(),
            actor=actor,
            areas=[FunctionArea.CERTIFICATES, FunctionArea.BLANK_ALLOCATION],
            paths=INSTITUTION_ITSELF,
            level=Level.MANAGER,
            pk=blank.institution.pk,
        )
    if status not in (BlankStatus.SPOILED, BlankStatus.LOST):
        raise ValidationError({"status": [_("A blank is written off as spoiled or lost.")]})
    if blank.status != BlankStatus.ON_HAND:
        raise ValidationError({"status": [_("Only a blank on hand can be written off.")]})
    if blank.allocated_on and on < blank.allocated_on:
        raise ValidationError({"on": [_("The date cannot come before the blank was received.")]})
    with acting_as(actor):
        blank.status = status
        blank.written_off_on = on
        blank.write_off_reason = reason
        blank.write_off_note = note.strip()[:300]
        blank.full_clean()
        blank.save()
    return blank


# --- Reads --------------------------------------------------------------------------------------

REPORT_AREAS = (FunctionArea.BLANK_ALLOCATION, FunctionArea.CERTIFICATES)


def institutions_for_blank_report(*, actor: Actor) -> QuerySet[Institution]:
    return restrict(
        Institution.objects.order_by("name_lt"),
        actor=actor,
        areas=REPORT_AREAS,
        paths=INSTITUTION_ITSELF,
    )


def blanks_of(*, actor: Actor, institution: Institution) -> QuerySet[Blank]:
    """The blanks of an institution the actor may see (404 when the institution is not)."""
    get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=REPORT_AREAS,
        paths=INSTITUTION_ITSELF,
        pk=institution.pk,
    )
    return Blank.objects.filter(institution=institution).select_related("blank_type")


@dataclass(frozen=True)
class ReportRow:
    blank_type: BlankType
    opening: int
    received: int
    used: int
    spoiled: int
    lost: int
    closing: int

    @property
    def balances(self) -> bool:
        return self.opening + self.received - self.used - self.spoiled - self.lost == self.closing


def blank_report(
    *, actor: Actor, institution: Institution, date_from: dt.date, date_to: dt.date
) -> list[ReportRow]:
    """Blank accounting of an institution for [date_from, date_to] (both days included), per
    blank type. "On hand" at a day's end counts blanks allocated by then and neither used nor
    written off by then; the closing figure is counted, not derived, so `balances` checks it."""
    if date_to < date_from:
        raise ValidationError({"date_to": [_("The end of the period is before its start.")]})
    blanks = blanks_of(actor=actor, institution=institution)

    def on_hand_after(day: dt.date) -> Q:
        return (
            Q(allocated_on__lte=day)
            & (Q(used_on__isnull=True) | Q(used_on__gt=day))
            & (Q(written_off_on__isnull=True) | Q(written_off_on__gt=day))
        )

    before = date_from - dt.timedelta(days=1)
    in_period = {"gte": date_from, "lte": date_to}
    counts = (
        blanks.order_by()
        .values("blank_type")
        .annotate(
            opening=Count("pk", filter=on_hand_after(before)),
            received=Count(
                "pk",
                filter=Q(allocated_on__gte=in_period["gte"], allocated_on__lte=in_period["lte"]),
            ),
            used=Count("pk", filter=Q(used_on__gte=date_from, used_on__lte=date_to)),
            spoiled=Count(
                "pk",
                filter=Q(status=BlankStatus.SPOILED)
                & Q(written_off_on__gte=date_from, written_off_on__lte=date_to),
            ),
            lost=Count(
                "pk",
                filter=Q(status=BlankStatus.LOST)
                & Q(written_off_on__gte=date_from, written_off_on__lte=date_to),
            ),
            closing=Count("pk", filter=on_hand_after(date_to)),
        )
    )
    types = {t.pk: t for t in BlankType.objects.all()}
    return sorted(
        (
            ReportRow(
                blank_type=types[row["blank_type"]],
                opening=row["opening"],
                received=row["received"],
                used=row["used"],
                spoiled=row["spoiled"],
                lost=row["lost"],
                closing=row["closing"],
            )
            for row in counts
        ),
        key=lambda r: r.blank_type.code,
    )


def receives_blanks(actor: Actor) -> bool:
    """Whether the actor records the blanks the agency receives (blank allocation, national)."""
    given = grant(actor, [FunctionArea.BLANK_ALLOCATION], Level.MANAGER)
    return given.national


def receipts_seen(*, actor: Actor) -> QuerySet[BlankReceipt]:
    """The ranges received by the agency: seen by the agency's blank allocation staff."""
    if not grant(actor, [FunctionArea.BLANK_ALLOCATION], Level.VIEWER).national:
        return BlankReceipt.objects.none()
    return BlankReceipt.objects.select_related("blank_type")


@dataclass(frozen=True)
class StockRow:
    blank_type: BlankType
    series: str
    count: int
    first_number: int
    last_number: int


def stock(*, actor: Actor) -> list[StockRow]:
    """Blanks still at the agency, per type and series (the lowest and highest number left)."""
    if not grant(actor, [FunctionArea.BLANK_ALLOCATION], Level.VIEWER).national:
        return []
    rows = (
        Blank.objects.filter(status=BlankStatus.IN_STOCK)
        .order_by()
        .values("blank_type", "series")
        .annotate(count=Count("pk"), first=Min("number"), last=Max("number"))
    )
    types = {t.pk: t for t in BlankType.objects.all()}
    return sorted(
        (
            StockRow(types[r["blank_type"]], r["series"], r["count"], r["first"], r["last"])
            for r in rows
        ),
        key=lambda r: (r.blank_type.code, r.series),
    )


def institutions_to_allocate_to(*, actor: Actor) -> QuerySet[Institution]:
    """Where the actor allocates blanks: nationally every institution, a municipality its own."""
    return restrict(
        Institution.objects.filter(deregistered_on__isnull=True).order_by("name_lt"),
        actor=actor,
        areas=[FunctionArea.BLANK_ALLOCATION],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )


def allocations_seen(*, actor: Actor) -> QuerySet[BlankAllocation]:
    """Allocations to the institutions the actor keeps blank accounts of."""
    return restrict(
        BlankAllocation.objects.select_related("blank_type", "institution"),
        actor=actor,
        areas=REPORT_AREAS,
        paths=BLANK_PATHS,
    )


def institutions_to_write_off_at(*, actor: Actor) -> QuerySet[Institution]:
    return restrict(
        Institution.objects.order_by("name_lt"),
        actor=actor,
        areas=[FunctionArea.CERTIFICATES, FunctionArea.BLANK_ALLOCATION],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )


def written_off_seen(*, actor: Actor) -> QuerySet[Blank]:
    """Spoiled and lost blanks of the institutions the actor keeps blank accounts of."""
    return restrict(
        Blank.objects.filter(status__in=[BlankStatus.SPOILED, BlankStatus.LOST]).select_related(
            "blank_type", "institution", "write_off_reason"
        ),
        actor=actor,
        areas=REPORT_AREAS,
        paths=BLANK_PATHS,
    )
