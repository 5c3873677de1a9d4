"""The citizen portal's own records: share links and correction requests.

Neither holds register data: a share link names the records (by their timeline keys) that its
holder may read; a correction request names the record the citizen thinks wrong and waits for
the responsible institution, which corrects the register through the register's own services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel


class ShareLink(TrackedModel):
    """A link by which anyone who has it reads the chosen records of one person, until it
    expires or the person revokes it.

    The link's secret is a random token shown to the person once; only its SHA-256 digest is
    kept, so neither the database nor its backups can be used to open a link. How often a link
    was opened is counted from the person's access log (every opening is a logged read).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="share_links",
        verbose_name=_("person"),
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("note"),
        max_length=100,
        help_text=_("For whom or why, so that you recognise the link later."),
    )
    keys = models.JSONField(_("records shared"), default=list)
    expires_on = models.DateField(_("valid until"), help_text=_("The last day the link opens."))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        indexes = [models.Index(fields=["person", "created_at"], name="share_link_person")]

    def __str__(self) -> str:
        return f"{self.label} ({self.expires_on:%Y-%m-%d})"

    @property
    def access_label(self) -> str:
        """The actor label its openings are logged with."""
        return f"share:{self.public_id}"

    def is_open_on(self, day: object = None) -> bool:
        day = day or timezone.localdate()
        return self.revoked_at is None and self.expires_on >= day  # type: ignore[operator]


class CorrectionStatus(models.TextChoices):
    SENT = "sent", _("waiting for an answer")
    ANSWERED = "answered", _("answered")
    CORRECTED = "corrected", _("corrected")
    DECLINED = "declined", _("declined")


ANSWERED_STATUSES = (
    CorrectionStatus.ANSWERED,
    CorrectionStatus.CORRECTED,
    CorrectionStatus.DECLINED,
)


class CorrectionRequest(TrackedModel):
    """A person's request to correct one record, in the queue of the institution responsible
    for it. The request changes nothing in the register by itself."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("responsible institution"),
    )
    register = models.CharField(_("register"), max_length=16)
    record_key = models.CharField(_("record"), max_length=100)
    record_title = models.CharField(_("record as the person saw it"), max_length=400)
    message = models.TextField(_("what is wrong"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.SENT
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(answer=""),
                name="correction_declined_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="sent") | models.Q(answered_at__isnull=False),
                name="correction_answered_at",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"], name="correction_queue"),
            models.Index(fields=["person", "created_at"], name="correction_person"),
        ]

    def __str__(self) -> str:
        return f"{self.record_title} ({self.get_status_display()})"

    @property
    def open(self) -> bool:
        return self.status == CorrectionStatus.SENT
