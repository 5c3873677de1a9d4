"""Mass-disclosure queries (masinio duomenų teikimo užklausos): a recipient's system asks for
many records at once ("all pupils enrolled on a day at the schools of a municipality",
"graduates of a year by programme"), a worker writes the result files, the system downloads
them until they expire.

Rows are the client's scope's, fields its agreements' (the data set's list serializer with
`AgreementFieldsMixin`). Each query and each download is written to the access log of every
person in the result (a disclosure under the agreement). At most `MASS_QUERY_CONCURRENCY`
queries run at once: a running query holds one of that many numbered slots, unique in the
database, so that the limit holds whichever worker takes a query.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueryStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class MassQuery(models.Model):
    """One query of a system client: what it asked, how far it is, where its files are."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("query"), max_length=32)
    params = models.JSONField(_("parameters"), default=dict)
    dataset = models.CharField(_("data set"), max_length=32)
    formats = models.JSONField(_("file formats"), default=list)
    owner_client = models.ForeignKey(
        "access.ClientBinding",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("system"),
    )
    owner_label = models.CharField(max_length=64, db_index=True, editable=False)
    language = models.CharField(max_length=8, default="lt", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=QueryStatus.choices, default=QueryStatus.QUEUED
    )
    # Held while running (0 … MASS_QUERY_CONCURRENCY - 1); unique, so the limit is the
    # database's to keep.
    slot = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    job = models.OneToOneField(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agreement the result is disclosed under and the fields the files hold (API names).
    agreement_number = models.CharField(_("agreement"), max_length=64, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    sizes = models.JSONField(default=dict, blank=True, editable=False)  # {format: bytes}
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    # Written by the worker as it writes chunks; a running query without a recent beat lost
    # its worker and is queued again (`services.mass_queries_dispatch`).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mass query")
        verbose_name_plural = _("mass queries")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=models.Q(slot__isnull=False), name="mass_query_slot_once"
            ),
            models.CheckConstraint(
                condition=models.Q(slot__isnull=True) | models.Q(status="running"),
                name="mass_query_slot_only_running",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="mass_query_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"
