"""Data-provision agreements (duomenų teikimo sutartys) and written requests (prašymai).

An agreement gives a recipient organisation's information systems (OAuth2 clients) data of
the registers for a stated purpose on a legal basis, for a period, limited to named data sets
and, within each, named fields. A written request is a one-off: the same terms plus the
agency's decision with its reasons, and always an end. Both are versioned records
(django-simple-history, with the change log), so what an agreement allowed on any day can be
shown.

Validity: `valid_from` inclusive, `valid_to` exclusive (from that day on the agreement has
expired), as role assignments count. Suspension and early expiry are stored in `status`; an
agreement past its `valid_to` is expired whatever its stored status.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel


class AgreementKind(models.TextChoices):
    AGREEMENT = "agreement", _("data-provision agreement")
    REQUEST = "request", _("written request")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    EXPIRED = "expired", _("expired")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def in_force(self, day: dt.date | None = None) -> AgreementQuerySet:
        day = day or timezone.localdate()
        return self.filter(status=AgreementStatus.ACTIVE, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )


class Agreement(TrackedModel):
    """A data-provision agreement or a written request, with its scope of data sets and fields
    and the systems it is given to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AgreementKind.choices, default=AgreementKind.AGREEMENT
    )
    number = models.CharField(_("number"), max_length=64, unique=True)
    recipient = models.CharField(_("recipient organisation"), max_length=300)
    recipient_code = models.CharField(_("recipient's legal-entity code"), max_length=9, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    purpose = models.TextField(_("purpose"))
    # {data set: [field, ...]}: what the recipient's systems receive (access.api.fieldscope).
    scope = models.JSONField(_("data sets and fields"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The first day on which the agreement no longer applies."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    status_reason = models.TextField(_("reason of the status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # A written request's decision: approved by the agency, with its reasons.
    decision = models.TextField(_("decision and its reasons"), blank=True)
    clients = models.ManyToManyField(
        "access.ClientBinding",
        related_name="agreements",
        blank=True,
        verbose_name=_("systems of the recipient"),
    )

    objects = AgreementQuerySet.as_manager()
    history = AuditedHistory(m2m_fields=[clients])

    constraint_errors = {
        "agreement_validity_ordered": ("valid_to", _("The end must come after the start.")),
        "agreement_request_ends": ("valid_to", _("A written request must have an end.")),
    }

    class Meta:
        verbose_name = _("data-provision agreement")
        verbose_name_plural = _("data-provision agreements")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="agreement_validity_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="agreement") | models.Q(valid_to__isnull=False),
                name="agreement_request_ends",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended", "expired"]),
                name="agreement_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} Nr. {self.number}"

    def status_on(self, day: dt.date | None = None) -> str:
        """The status in effect on `day`: a stored suspension or expiry, or expiry by date.
        Before `valid_from` an active agreement is not in force yet ("pending")."""
        day = day or timezone.localdate()
        if self.status != AgreementStatus.ACTIVE:
            return self.status
        if self.valid_to is not None and day >= self.valid_to:
            return AgreementStatus.EXPIRED
        if day < self.valid_from:
            return "pending"
        return AgreementStatus.ACTIVE

    def status_label(self, day: dt.date | None = None) -> str:
        status = self.status_on(day)
        if status == "pending":
            return str(_("not yet in force"))
        return str(AgreementStatus(status).label)

    def in_force(self, day: dt.date | None = None) -> bool:
        return self.status_on(day) == AgreementStatus.ACTIVE

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.valid_to and self.valid_from and self.valid_to <= self.valid_from:
            errors["valid_to"] = [_("The end must come after the start.")]
        if self.kind == AgreementKind.REQUEST:
            if self.valid_to is None:
                errors["valid_to"] = [_("A written request must have an end.")]
            if not self.decision.strip():
                errors["decision"] = [
                    _("A written request needs the agency's decision with its reasons.")
                ]
        if errors:
            raise ValidationError(errors)
