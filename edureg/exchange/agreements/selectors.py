"""Reads of agreements: the agency's back office (agreements area, national scope)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edureg.access import scoping
from edureg.access.models import ClientBinding, FunctionArea, Level
from edureg.core.context import Actor
from edureg.exchange.agreement_models import Agreement, AgreementStatus


def _require_viewer(actor: Actor) -> None:
    """Agreements are the agency's: anyone else is told the page does not exist."""
    given = scoping.grant(actor, [FunctionArea.AGREEMENTS], Level.VIEWER)
    if not given.national:
        raise Http404


def agreement_list(*, actor: Actor, query: str = "", status: str = "") -> QuerySet[Agreement]:
    _require_viewer(actor)
    agreements = Agreement.objects.prefetch_related("clients").order_by("-valid_from", "number")
    query = query.strip()
    if query:
        agreements = agreements.filter(number__icontains=query) | agreements.filter(
            recipient__icontains=query
        )
    if status:
        agreements = agreements.filter(_status_q(status))
    return agreements


def _status_q(status: str) -> Q:
    """The agreements whose status in effect today is `status` (as Agreement.status_on)."""
    today = timezone.localdate()
    stored_active = Q(status=AgreementStatus.ACTIVE)
    ended = Q(valid_to__isnull=False, valid_to__lte=today)
    if status == AgreementStatus.ACTIVE:
        return stored_active & Q(valid_from__lte=today) & ~ended
    if status == AgreementStatus.EXPIRED:
        return Q(status=AgreementStatus.EXPIRED) | (stored_active & ended)
    if status == "pending":
        return stored_active & Q(valid_from__gt=today) & ~ended
    return Q(status=status)


def agreement_get(*, actor: Actor, public_id: uuid.UUID) -> Agreement:
    _require_viewer(actor)
    found = Agreement.objects.prefetch_related("clients").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def agreement_versions(*, actor: Actor, agreement: Agreement) -> QuerySet:
    _require_viewer(actor)
    return agreement.history.select_related("history_user").order_by("-history_date", "-history_id")


def client_choices(*, actor: Actor) -> QuerySet[ClientBinding]:
    """The systems an agreement can be given to: clients not revoked."""
    _require_viewer(actor)
    return ClientBinding.objects.filter(revoked_at__isnull=True).order_by("name")


def agreement_may_manage(*, actor: Actor) -> bool:
    """Whether the actor may record and change agreements (the agency's managers)."""
    return scoping.grant(actor, [FunctionArea.AGREEMENTS], Level.MANAGER).national
