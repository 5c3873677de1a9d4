"""A recipient's terms: what the agreements in force today give its system (installed into
access.api.fieldscope by ExchangeConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from edureg.access.api.fieldscope import AgreementRef, Terms
from edureg.exchange.agreement_models import Agreement, AgreementStatus


def terms_of(binding: Any) -> Terms | None:
    """None when the client is bound to no agreement (an institution's own system); else the
    agreements in force today with the union of their fields, or why none is in force.

    One query per request, never cached across requests: a suspension or an expiry applies to
    the very next request."""
    agreements = list(Agreement.objects.filter(clients=binding).order_by("number"))
    if not agreements:
        return None
    today = timezone.localdate()
    in_force = [a for a in agreements if a.in_force(today)]
    if not in_force:
        return Terms(refusal=_refusal(agreements, today))
    fields: dict[str, set[str]] = {}
    for agreement in in_force:
        for dataset, names in (agreement.scope or {}).items():
            fields.setdefault(dataset, set()).update(names)
    refs = tuple(
        AgreementRef(number=a.number, kind=a.kind, recipient=a.recipient, purpose=a.purpose)
        for a in in_force
    )
    return Terms(in_force=refs, fields={k: frozenset(v) for k, v in fields.items()})


def _refusal(agreements: list[Agreement], today: Any) -> str:
    """The clearest reason: a suspension, then an expiry, then not yet in force."""
    for agreement in agreements:
        if agreement.status_on(today) == AgreementStatus.SUSPENDED:
            return _(
                "The data-provision agreement No. %(number)s of this system is suspended; no "
                "data is provided until it is resumed."
            ) % {"number": agreement.number}
    for agreement in agreements:
        if agreement.status_on(today) == AgreementStatus.EXPIRED:
            ended_early = (
                agreement.status == AgreementStatus.EXPIRED and agreement.status_changed_at
            )
            end = (
                timezone.localdate(agreement.status_changed_at)
                if ended_early
                else agreement.valid_to
            )
            return _(
                "The data-provision agreement No. %(number)s of this system expired on "
                "%(date)s; no data is provided under it."
            ) % {"number": agreement.number, "date": formats.date_format(end, "Y-m-d")}
    first = agreements[0]
    return _(
        "The data-provision agreement No. %(number)s of this system is not in force yet (from "
        "%(date)s)."
    ) % {"number": first.number, "date": formats.date_format(first.valid_from, "Y-m-d")}


def bound_to_an_agreement() -> Any:
    """Whether a client binding has any agreement, for the statement that loads the binding
    (access.api.fieldscope.with_recipient_flag): an institution's own system then reads no
    terms at all."""
    return Exists(Agreement.objects.filter(clients=OuterRef("pk")))
