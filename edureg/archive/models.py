"""The archive: retention rules as data, records moved out of the live register, tombstones.

A **retention rule** says, for one kind of record, how many years after which event the record
leaves the live register for the archive, and how many years after the same event it is
destroyed, with the legal act that requires it. Rules are versioned (history) and have a
validity interval (`valid_from` inclusive, `valid_to` exclusive or open); the rule valid on the
day of a run applies.

An **archived record** holds a whole unit moved out of the live tables — for the `person` kind,
the person and every row that refers to them (enrolments, NVŠ marks, electives, achievements,
study rights with their periods and results, documents, …) — serialised, with the few fields a
lawful search needs. Its rows' version history stays in the history tables until destruction.

A **tombstone** is what destruction leaves: what kind, when, under which rule, how many rows of
each table — no personal data.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel


class RecordKind(models.TextChoices):
    """The kinds of record a rule can govern (those the retention run knows how to move)."""

    PERSON = "person", _("person with all their learning records")
    ENROLMENT = "enrolment", _("an ended enrolment with its NVŠ marks (the person stays)")
    STUDY_RIGHT = "study_right", _("an ended study right with its records (the person stays)")
    IMPORTS = "imports", _("file imports with their rows")
    CHANGE_FEED = "change_feed", _("change feed entries")
    ACCESS_LOG = "access_log", _("access log entries (who read whose data, and why)")


class RetentionEvent(models.TextChoices):
    # The end of the person's last enrolment or study right, with nothing still open.
    LEARNING_ENDED = "learning_ended", _("end of the last enrolment or study right")
    DEATH = "death", _("death")
    # The end of one enrolment: a departure, a transfer or a move to another group.
    DEPARTURE = "departure", _("end of the enrolment (departure, transfer, move)")
    # The end of one study right: graduation, termination or transfer.
    STUDY_ENDED = "study_ended", _("end of the study right (graduation, termination, transfer)")
    FINISHED = "finished", _("the import finished")
    RECORDED = "recorded", _("the entry was recorded")


# Which events a rule for each kind may count from (anything else is refused on the event).
ALLOWED_EVENTS: dict[str, tuple[str, ...]] = {
    RecordKind.PERSON: (RetentionEvent.LEARNING_ENDED, RetentionEvent.DEATH),
    RecordKind.ENROLMENT: (RetentionEvent.DEPARTURE,),
    RecordKind.STUDY_RIGHT: (RetentionEvent.STUDY_ENDED,),
    RecordKind.IMPORTS: (RetentionEvent.FINISHED,),
    RecordKind.CHANGE_FEED: (RetentionEvent.RECORDED,),
    RecordKind.ACCESS_LOG: (RetentionEvent.RECORDED,),
}
# Kinds that have no archive stage: they are destroyed when the period ends (the feed's
# entries hold keys, not content; an archive of them would serve nobody; the access log is a
# hash chain the person reads, so its rows stay in place and lose the reader and the purpose).
DESTROYED_ONLY = frozenset({RecordKind.CHANGE_FEED, RecordKind.ACCESS_LOG})


class RetentionRule(TrackedModel):
    """How long a kind of record stays live and in the archive after an event, and why."""

    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("record kind"), max_length=32, choices=RecordKind.choices)
    event = models.CharField(_("after which event"), max_length=32, choices=RetentionEvent.choices)
    archive_after_years = models.PositiveSmallIntegerField(_("archived after (years)"))
    destroy_after_years = models.PositiveSmallIntegerField(_("destroyed after (years)"))
    legal_basis = models.TextField(_("legal basis"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    history = AuditedHistory()

    constraint_errors = {
        "retention_destroy_after_archive": (
            "destroy_after_years",
            _("A record cannot be destroyed before it is archived."),
        ),
        "retention_rule_validity_ordered": (
            "valid_to",
            _("The end cannot come before the start."),
        ),
    }

    class Meta:
        ordering = ["kind", "event", "-valid_from"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destroy_after_years__gte=models.F("archive_after_years")),
                name="retention_destroy_after_archive",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="retention_rule_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="retention_rule_code_from_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()}, {self.get_event_display()})"

    def clean(self) -> None:
        super().clean()
        allowed = ALLOWED_EVENTS.get(self.kind)
        if allowed is not None and self.event not in allowed:
            raise ValidationError(
                {
                    "event": [
                        _("A rule for %(kind)s counts from: %(events)s.")
                        % {
                            "kind": self.get_kind_display(),
                            "events": ", ".join(str(RetentionEvent(e).label) for e in allowed),
                        }
                    ]
                }
            )
        if (
            self.kind in DESTROYED_ONLY
            and self.archive_after_years is not None
            and self.archive_after_years != self.destroy_after_years
        ):
            raise ValidationError(
                {
                    "archive_after_years": [
                        _(
                            "These records are not archived: they are destroyed when the "
                            "period ends. Give the same number of years for both."
                        )
                    ]
                }
            )


class RetentionRun(models.Model):
    """One application of the rules on a day: what moved, as counts (no personal data)."""

    run_on = models.DateField(_("day applied"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {"person": {"archived": 3, "destroyed": 1, "rule": "code", "rows": {"pupils.enrolment": 5}}}
    counts = models.JSONField(_("what moved"), default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.run_on}"


class ArchivedRecord(models.Model):
    """A unit of records moved out of the live register, searchable by lawful request only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("record kind"), max_length=32, choices=RecordKind.choices)
    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    # The person's public id (the key of their access log; kept when restored). Records that
    # are no one person's (an import) have none, and are not found by a person search.
    person_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    # What a lawful search matches on.
    personal_code = models.CharField(max_length=11, blank=True, default="", db_index=True)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    event_date = models.DateField(_("event date"))
    archived_at = models.DateTimeField(_("archived at"))
    destroy_on = models.DateField(_("to be destroyed on"))
    # Rows per table ("pupils.enrolment": 2) and the rows themselves (Django's JSON form).
    rows = models.JSONField(_("rows"), default=dict)
    payload = models.TextField()

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        verbose_name = _("archived record")
        verbose_name_plural = _("archived records")
        indexes = [
            models.Index(fields=["family_name", "birth_date"], name="archived_name_birth_idx"),
            models.Index(fields=["destroy_on"], name="archived_destroy_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class MoveKind(models.TextChoices):
    ARCHIVED = "archived", _("moved to the archive")
    RESTORED = "restored", _("restored to the live register")
    DESTROYED = "destroyed", _("destroyed at the end of retention")


class ArchiveMove(TrackedModel):
    """One move of a unit of records between the live register, the archive and destruction:
    the history of the unit that outlives it (no personal data)."""

    record_public_id = models.UUIDField(db_index=True)
    kind = models.CharField(_("record kind"), max_length=32, choices=RecordKind.choices)
    move = models.CharField(_("move"), max_length=16, choices=MoveKind.choices)
    at = models.DateTimeField(_("time"))
    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    actor = models.CharField(_("by"), max_length=64)
    reason = models.TextField(_("reason"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("archive move")
        verbose_name_plural = _("archive moves")

    def __str__(self) -> str:
        return f"{self.get_move_display()} {self.at:%Y-%m-%d}"


class Tombstone(TrackedModel):
    """What destruction leaves: which kind of record, when, under which rule, how many rows."""

    record_public_id = models.UUIDField(unique=True)
    kind = models.CharField(_("record kind"), max_length=32, choices=RecordKind.choices)
    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    destroyed_at = models.DateTimeField(_("destroyed at"))
    rows = models.JSONField(_("rows"), default=dict)
    # Change feed entries: the feed position up to which entries were destroyed ("xid.id"); a
    # client's cursor between the start and it is refused (it must read the lists again).
    horizon = models.CharField(_("feed position"), max_length=40, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-destroyed_at", "-id"]
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.destroyed_at:%Y-%m-%d}"


class LegalBasis(models.TextChoices):
    """Why the archive may be searched (the user states one, and a reason, per search)."""

    COURT = "court", _("a court's request")
    INVESTIGATION = "investigation", _("a pre-trial investigation or prosecutor's request")
    DATA_SUBJECT = "data_subject", _("the person's own request (GDPR Art. 15)")
    CERTIFICATE = (
        "certificate",
        _("a duplicate or confirmation of a document the person was issued"),
    )
    STATE_ARCHIVE = "state_archive", _("transfer to or a request of the state archives")
    OTHER_LAW = "other_law", _("another law's requirement (named in the reason)")


class ArchiveSearch(models.Model):
    """One lawful search of the archive: who, when, on which basis and why, how many found.
    The search terms are not kept (they are personal data)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor = models.CharField(_("by"), max_length=64)
    legal_basis = models.CharField(_("legal basis"), max_length=32, choices=LegalBasis.choices)
    reason = models.TextField(_("reason"))
    found = models.PositiveIntegerField(_("records found"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("archive search")
        verbose_name_plural = _("archive searches")

    def __str__(self) -> str:
        return f"{self.actor} {self.at:%Y-%m-%d %H:%M}"

    @property
    def purpose(self) -> str:
        """What the person's access log says the search was for."""
        return f"{self.get_legal_basis_display()}: {self.reason}"[:200]
