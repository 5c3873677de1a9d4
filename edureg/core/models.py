"""Shared kernel tables: classifiers, audit chain heads, the change log and the access log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from edureg.core import plausibility
from edureg.core.context import ActorKind, Channel
from edureg.core.history import AuditedHistory


class TrackedModel(models.Model):
    """Base for register tables: timestamps, and the values as loaded from the database.

    The loaded values let field validation tell a newly chosen classifier value (which must be
    valid today) from one the record already had (which keeps showing after it expires).
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # A violated constraint is told as a field's error (DESIGN.md §5): constraint name ->
    # (field, message). Without an entry the field is one the constraint is about and the
    # message names the fields by their verbose names; a constraint's name never reaches a user.
    constraint_errors: ClassVar[dict[str, tuple[str, Any]]] = {}
    # Date fields of what has happened by nature (a birth, a death): plausible up to today
    # only; every other date field up to today + PLAUSIBLE_YEARS_AHEAD (core.plausibility).
    past_dates: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._snapshot_loaded_values()

    def clean_fields(self, exclude: Any = None) -> None:
        """Django's field validation, and the register's plausible-date rule for each date
        being set or changed (`core.plausibility`)."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        loaded = getattr(self, "_loaded_values", {})
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
                continue
            if field.name in errors or (exclude and field.name in exclude):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, dt.date) or loaded.get(field.attname) == value:
                continue
            problem = plausibility.date_problem(value, past=field.name in self.past_dates)
            if problem is not None:
                errors.setdefault(field.name, []).append(
                    ValidationError(problem, code="implausible_date")
                )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Any = None) -> None:
        """Django's check of the model's constraints, with each violation on a field and in
        words (see `constraint_errors`)."""
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field, message = self.constraint_error(constraint, error)
                    errors.setdefault(field, []).append(
                        ValidationError(message, code=error.code or "constraint")
                    )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def constraint_error(
        cls, constraint: models.BaseConstraint, error: ValidationError | None = None
    ) -> tuple[str, Any]:
        """The field and the message that tell a violation of `constraint`."""
        if constraint.name in cls.constraint_errors:
            return cls.constraint_errors[constraint.name]
        fields = cls._constraint_fields(constraint)
        field = fields[-1] if fields else models.NON_FIELD_ERRORS  # type: ignore[attr-defined]
        if (
            error is not None
            and error.code in ("unique", "unique_together")
            and constraint.name not in error.messages[0]
        ):
            return field, error.messages[0]  # Django's "… with this … already exists."
        names = ", ".join(f"„{capfirst(cls._meta.get_field(f).verbose_name)}“" for f in fields)
        if isinstance(constraint, models.UniqueConstraint):
            return field, _("Another record already has these values: %(fields)s.") % {
                "fields": names
            }
        if len(fields) == 1:
            return field, _("%(field)s is not a value the register allows.") % {"field": names}
        return field, _("These values do not fit together: %(fields)s.") % {"fields": names}

    @classmethod
    def _constraint_fields(cls, constraint: models.BaseConstraint) -> list[str]:
        """The model's fields a constraint is about, most telling last: a range's end, or the
        field a unique constraint adds to its scope."""
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            names = list(constraint.fields)
        else:
            condition = getattr(constraint, "condition", None)
            names = sorted(getattr(condition, "referenced_base_fields", ()) or ())
            names.sort(key=lambda n: n.endswith(("_to", "until")) or n.startswith(("end", "dereg")))
        fields = []
        for name in names:
            try:
                fields.append(cls._meta.get_field(name).name)
            except FieldDoesNotExist:
                continue
        return fields

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._snapshot_loaded_values()

    def _snapshot_loaded_values(self) -> None:
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=False))
        return instance


class Classifier(TrackedModel):
    """A code list (klasifikatorius), e.g. departure reasons or institution groups."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    official_code = models.CharField(
        _("official code"), max_length=64, blank=True, help_text=_("e.g. KL_ISV_PRIEZ2")
    )
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    complete = models.BooleanField(
        _("complete"),
        default=True,
        help_text=_("Unchecked when the list was seeded from incomplete public sources."),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["code"]
        verbose_name = _("classifier")
        verbose_name_plural = _("classifiers")

    def __str__(self) -> str:
        return localized_name(self)


class ClassifierValueQuerySet(models.QuerySet["ClassifierValue"]):
    def valid_on(self, day: dt.date) -> ClassifierValueQuerySet:
        """Values usable for new records on `day` (valid_from inclusive, valid_to exclusive)."""
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day),
        )

    def of(self, classifier_code: str) -> ClassifierValueQuerySet:
        return self.filter(classifier__code=classifier_code)


class ClassifierValue(TrackedModel):
    """One value of a code list with its validity interval [valid_from, valid_to)."""

    classifier = models.ForeignKey(
        Classifier, on_delete=models.PROTECT, related_name="values", verbose_name=_("classifier")
    )
    code = models.CharField(_("code"), max_length=32)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent value"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("First day the value is no longer valid."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = ClassifierValueQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["classifier__code", "sort_order", "code"]
        verbose_name = _("classifier value")
        verbose_name_plural = _("classifier values")
        constraints = [
            models.UniqueConstraint(
                fields=["classifier", "code"], name="classifier_value_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="classifier_value_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return localized_name(self)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )


def localized_name(obj: Any) -> str:
    """The Lithuanian or English name of a classifier-like object for the active language."""
    english = (get_language() or "lt").startswith("en")
    if english and obj.name_en:
        return str(obj.name_en)
    return str(obj.name_lt)


# --- Audit --------------------------------------------------------------------------------


class AuditChainHead(models.Model):
    """The latest row of one shard of a hash chain; appends lock it to serialise the chain."""

    log = models.CharField(max_length=16)
    shard = models.PositiveSmallIntegerField()
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "shard"], name="audit_chain_head_unique")
        ]

    def __str__(self) -> str:
        return f"{self.log}/{self.shard}@{self.last_seq}"


class ChainedEntry(models.Model):
    """An append-only row whose hash covers its content and the previous row of its shard."""

    LOG_NAME = ""

    shard = models.PositiveSmallIntegerField(editable=False)
    seq = models.BigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.CharField(_("actor"), max_length=64, editable=False)
    actor_kind = models.CharField(
        _("actor kind"), max_length=16, choices=ActorKind.choices, editable=False
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, editable=False)
    request_id = models.CharField(_("request id"), max_length=32, blank=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.LOG_NAME} {self.shard}/{self.seq} {self.actor}"

    def chain_key(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        """Everything the hash covers, in plain JSON types."""
        return {
            "shard": self.shard,
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(),
            "actor": self.actor,
            "actor_kind": self.actor_kind,
            "channel": self.channel,
            "request_id": self.request_id,
        }


class ChangeLogEntry(ChainedEntry):
    """One change to a register record: which version row, by whom, through which channel."""

    LOG_NAME = "change"

    model = models.CharField(_("record type"), max_length=100, editable=False)
    object_id = models.CharField(_("record id"), max_length=64, editable=False)
    history_id = models.BigIntegerField(editable=False)
    action = models.CharField(_("action"), max_length=1, editable=False)  # + ~ - as simple-history
    changes = models.JSONField(_("changes"), default=dict, editable=False)
    row_digest = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        constraints = [
            models.UniqueConstraint(fields=["shard", "seq"], name="change_log_chain_unique")
        ]
        indexes = [
            models.Index(fields=["model", "object_id"], name="change_log_record_idx"),
            # The recorded differences of the versions a page shows (core.audit.changes_of).
            models.Index(fields=["model", "history_id"], name="change_log_version_idx"),
        ]

    def chain_key(self) -> str:
        return f"{self.model}:{self.object_id}"

    def payload(self) -> dict[str, Any]:
        return super().payload() | {
            "model": self.model,
            "object_id": self.object_id,
            "history_id": self.history_id,
            "action": self.action,
            "changes": self.changes,
            "row_digest": self.row_digest,
        }


class ReaderRole(models.TextChoices):
    """In what capacity someone read a person's data, as the person is told."""

    DATA_MANAGER = "data_manager", _("data manager")
    DATA_VIEWER = "data_viewer", _("data viewer")
    ADMINISTRATOR = "administrator", _("register administrator")
    INFORMATION_SYSTEM = "information_system", _("information system")
    GUARDIAN = "guardian", _("parent or guardian")
    SHARE_LINK = "share_link", _("someone with your share link")


class AccessLogEntry(ChainedEntry):
    """One read of a person's data by staff, a system, a parent or a share link, shown to that
    person.

    The person is referenced by public id rather than a foreign key: the log outlives archiving
    of the person record and must never be removed with it. The reader's organisation, role
    and name are recorded as they were at the time of the read (a school renamed later, a user
    who changed jobs do not rewrite what the person was told).

    A read inserts its row unchained (no sequence number or hash yet), so that readers never
    queue for a chain head; `core.audit.chain_access_log`, a periodic task, chains the new rows
    of each shard seconds later.
    """

    LOG_NAME = "access"

    # Null (and the hashes empty) until the row is chained.
    seq = models.BigIntegerField(null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    entry_hash = models.CharField(max_length=64, blank=True, editable=False)
    person_public_id = models.UUIDField(_("person"), editable=False, db_index=True)
    user_id = models.BigIntegerField(null=True, editable=False)
    what = models.CharField(_("what was read"), max_length=100, editable=False)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, editable=False)
    reader_organisation = models.CharField(
        _("organisation of the reader"), max_length=300, blank=True, editable=False
    )
    reader_role = models.CharField(
        _("role of the reader"),
        max_length=32,
        choices=ReaderRole.choices,
        blank=True,
        editable=False,
    )
    reader_name = models.CharField(
        _("name of the reader"), max_length=200, blank=True, editable=False
    )
    # A disclosure to a recipient's system: the agreement (or written request) it was made
    # under, and the fields given ("data set.field"), as exchange's agreements named them.
    agreement_kind = models.CharField(
        _("kind of the agreement"), max_length=16, blank=True, editable=False
    )
    agreement_number = models.CharField(
        _("number of the agreement"), max_length=64, blank=True, editable=False
    )
    disclosed_fields = models.JSONField(
        _("fields disclosed"), default=list, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        constraints = [
            models.UniqueConstraint(fields=["shard", "seq"], name="access_log_chain_unique")
        ]
        indexes = [
            # The rows still to be chained, shard by shard in insertion order.
            models.Index(
                fields=["shard", "id"],
                condition=models.Q(seq__isnull=True),
                name="access_log_unchained_idx",
            )
        ]

    @property
    def chained(self) -> bool:
        return self.seq is not None

    def chain_key(self) -> str:
        return str(self.person_public_id)

    def payload(self) -> dict[str, Any]:
        payload = super().payload() | {
            "person": str(self.person_public_id),
            "user_id": self.user_id,
            "what": self.what,
            "purpose": self.purpose,
        }
        # The reader's fields came later: covered when set, so that rows written before them
        # keep the hashes they were chained with.
        for name in (
            "reader_organisation",
            "reader_role",
            "reader_name",
            "agreement_kind",
            "agreement_number",
            "disclosed_fields",
        ):
            if getattr(self, name):
                payload[name] = getattr(self, name)
        return payload


def new_public_id() -> uuid.UUID:
    return uuid.uuid4()


# --- Background jobs ----------------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("in progress")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """Long work started by someone (an import, a batch of PDFs, a mass query) and its progress.

    The task itself runs in a django-tasks worker; this row is what the person who started it
    sees: how far it is, and the files it produced. Only the actor who started a job sees it
    (`owner_label` is the actor's audit label), so a job never shows one person's work to another.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    owner_label = models.CharField(max_length=64, db_index=True, editable=False)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    report = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    report_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(done__lte=models.F("total")),
                name="job_done_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("job-detail", args=[self.public_id])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == JobStatus.DONE else None
        return min(100, round(100 * self.done / self.total))


class PeriodicRun(models.Model):
    """When a periodic task was last enqueued (core.schedule), so that several schedulers, or a
    restarted one, never enqueue the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at:%Y-%m-%d %H:%M}"
