"""Writes of data-provision agreements and written requests: create, amend, suspend, resume,
end early; and the registration of a recipient's system. Agency only (the agreements function
area, national scope, manager level).

Each write is one version of the agreement (who, when, through which channel, what changed) and
one change-log entry. A suspension or an end takes effect on the next API request of the
recipient's systems: their terms are read again for every request (access.api.fieldscope).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import Application

from edureg.access import scoping
from edureg.access.api.fieldscope import datasets
from edureg.access.models import ClientBinding, FunctionArea, Level, RoleAssignment, ScopeKind
from edureg.core.context import Actor, acting_as
from edureg.exchange.agreement_models import Agreement, AgreementKind, AgreementStatus
from edureg.institutions.models import Institution, Municipality


def _require_agency(actor: Actor) -> None:
    scoping.require(actor, FunctionArea.AGREEMENTS, Level.MANAGER, national=True)


def scope_clean(scope: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The scope as stored: known data sets and fields only, in the API's order; an unknown
    one is a field error (an agreement never names a field nobody can check)."""
    known = datasets()
    cleaned: dict[str, list[str]] = {}
    unknown: list[str] = []
    for dataset, fields in scope.items():
        if dataset not in known:
            unknown.append(dataset)
            continue
        wanted = set(fields)
        unknown += [f"{dataset}.{name}" for name in sorted(wanted - set(known[dataset]))]
        chosen = [name for name in known[dataset] if name in wanted]
        if chosen:
            cleaned[dataset] = chosen
    if unknown:
        message = _("Unknown data sets or fields: %(names)s.") % {"names": ", ".join(unknown)}
        raise ValidationError({"scope": [message]})
    if not cleaned:
        raise ValidationError({"scope": [_("Choose at least one field of one data set.")]})
    return cleaned


_TERMS = ("kind", "number", "recipient", "recipient_code", "legal_basis", "purpose", "decision")


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    kind: str = AgreementKind.AGREEMENT,
    number: str,
    recipient: str,
    recipient_code: str = "",
    legal_basis: str,
    purpose: str,
    scope: Mapping[str, Iterable[str]],
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    decision: str = "",
    clients: Sequence[ClientBinding] = (),
) -> Agreement:
    """Record a data-provision agreement, or a written request approved by the agency (with
    the decision's reasons and an end), and give it to the recipient's systems."""
    _require_agency(actor)
    agreement = Agreement(
        kind=kind,
        number=number.strip(),
        recipient=recipient.strip(),
        recipient_code=recipient_code.strip(),
        legal_basis=legal_basis.strip(),
        purpose=purpose.strip(),
        scope=scope_clean(scope),
        valid_from=valid_from,
        valid_to=valid_to,
        decision=decision.strip(),
    )
    agreement.full_clean()
    with acting_as(actor):
        agreement.save()
        if clients:
            agreement.clients.set(clients)
            # The version with the systems, so that history shows whom it was given to.
            agreement.save()
    return agreement


@transaction.atomic
def agreement_amend(
    *,
    actor: Actor,
    agreement: Agreement,
    changes: Mapping[str, Any],
    clients: Sequence[ClientBinding] | None = None,
) -> Agreement:
    """Change an agreement's terms (an amendment, papildomas susitarimas): one new version.
    `changes` may hold the terms, `scope`, `valid_from` and `valid_to`."""
    _require_agency(actor)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    allowed = set(_TERMS) | {"scope", "valid_from", "valid_to"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This cannot be changed.")] for name in sorted(unknown)})
    for name, value in changes.items():
        if name == "scope":
            value = scope_clean(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(agreement, name, value)
    agreement.full_clean()
    with acting_as(actor):
        if clients is not None:
            agreement.clients.set(clients)
        agreement.save()
    return agreement


def _status_set(
    actor: Actor, agreement: Agreement, status: str, reason: str, *, from_: set[str], refusal: str
) -> Agreement:
    """Change the stored status of the locked, current row (not a caller's stale copy)."""
    _require_agency(actor)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in from_:
        raise ValidationError({"reason": [refusal]})
    agreement.status = status
    agreement.status_reason = reason.strip()
    agreement.status_changed_at = timezone.now()
    with acting_as(actor):
        agreement.save()
    return agreement


@transaction.atomic
def agreement_suspend(*, actor: Actor, agreement: Agreement, reason: str) -> Agreement:
    """Suspend an agreement: from the next request its systems receive nothing (403)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the agreement is suspended.")]})
    return _status_set(
        actor,
        agreement,
        AgreementStatus.SUSPENDED,
        reason,
        from_={AgreementStatus.ACTIVE},
        refusal=_("Only an active agreement can be suspended."),
    )


@transaction.atomic
def agreement_resume(*, actor: Actor, agreement: Agreement, reason: str = "") -> Agreement:
    """Lift a suspension: the agreement applies again (within its validity period)."""
    return _status_set(
        actor,
        agreement,
        AgreementStatus.ACTIVE,
        reason,
        from_={AgreementStatus.SUSPENDED},
        refusal=_("Only a suspended agreement can be resumed."),
    )


@transaction.atomic
def agreement_end(*, actor: Actor, agreement: Agreement, reason: str) -> Agreement:
    """End an agreement before its term (terminated, or the written request fulfilled): it is
    expired from now on and cannot be resumed."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the agreement ends.")]})
    return _status_set(
        actor,
        agreement,
        AgreementStatus.EXPIRED,
        reason,
        from_={AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED},
        refusal=_("The agreement has already ended."),
    )


@transaction.atomic
def recipient_client_register(
    *,
    actor: Actor,
    name: str,
    areas: Sequence[str],
    scope_kind: str = ScopeKind.NATIONAL,
    municipality: Municipality | None = None,
    institution: Institution | None = None,
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[ClientBinding, str]:
    """Register a recipient organisation's system as an OAuth2 client (client credentials):
    it reads, at the viewer level, the rows of `areas` within its scope; which fields, and
    whether at all, its agreements decide. Returns the binding and the secret (shown once)."""
    _require_agency(actor)
    secret = secret or secrets.token_urlsafe(32)
    extra = {"client_id": client_id} if client_id else {}
    application = Application.objects.create(
        **extra,
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    with acting_as(actor):
        binding = ClientBinding(application=application, institution=None, name=name)
        binding.full_clean()
        binding.save()
        for area in areas:
            role = RoleAssignment(
                client=binding,
                scope_kind=scope_kind,
                municipality=municipality if scope_kind == ScopeKind.MUNICIPALITY else None,
                institution=institution if scope_kind == ScopeKind.INSTITUTION else None,
                function_area=area,
                level=Level.VIEWER,
            )
            role.full_clean()
            role.save()
    return binding, secret
