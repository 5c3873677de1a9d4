"""File imports: an upload, its rows staged as sent, and each row's result.

An institution's data manager or system uploads a file of enrolments or study rights. Its rows
are copied into `ImportRow` as sent (COPY on PostgreSQL), then applied through the register's
services; every row keeps its result: created, unchanged, updated or refused with the field,
the error code and the message. The rows are what a transfer dashboard reads: per source
system and day, what was accepted and refused, grouped by error code, and whether a refused
record was accepted later (`ImportRow.key` and `applied_at`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ENROLMENTS = "enrolments", _("enrolments of pupils")
    STUDY_RIGHTS = "study_rights", _("study rights of students")


class FeedKind(models.TextChoices):
    """Runs of the inbound feeds of other registers (`exchange.feeds`): the same staging, the
    same per-row results, so the transfer dashboard shows them beside the file imports."""

    POPULATION = "feed_population", _("population register feed")
    FOREIGNERS = "feed_foreigners", _("foreigners register feed")
    EXAM_RESULTS = "feed_exams", _("exam centre feed")
    LOANS = "feed_loans", _("study loans feed (Paskola)")
    SUPPORT = "feed_support", _("social support feed (Parama)")


RUN_KIND_CHOICES = [*ImportKind.choices, *FeedKind.choices]


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"
    JSONL = "jsonl", "JSON Lines"
    # Not a file: one batch call of a system's API (`transfers.recording`), kept as a run so
    # that the transfer dashboard reads files, feeds and API calls alike.
    API = "api", _("API call")


class ImportStatus(models.TextChoices):
    STAGED = "staged", _("waiting")
    RUNNING = "running", _("being applied")
    DONE = "done", _("applied")
    REFUSED = "refused", _("nothing applied")  # all-or-nothing with a refused row
    FAILED = "failed", _("failed")


class RowOutcome(models.TextChoices):
    CREATED = "created", _("created")
    UNCHANGED = "unchanged", _("unchanged")
    UPDATED = "updated", _("updated")
    REFUSED = "refused", _("refused")
    NOT_APPLIED = "not_applied", _("not applied (another row was refused)")


class ImportRun(models.Model):
    """One uploaded file and how its application went."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("what the file holds"), max_length=16, choices=RUN_KIND_CHOICES)
    file_format = models.CharField(_("file format"), max_length=8, choices=ImportFormat.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    source_system = models.CharField(_("source system"), max_length=64)
    # The institution whose records a file import writes; none for a feed run (a feed writes
    # wherever its records belong).
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.STAGED
    )
    # Who uploaded it: the import acts for them (their scope, their label in the history).
    owner_label = models.CharField(max_length=64, db_index=True, editable=False)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_client = models.ForeignKey(
        "access.ClientBinding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_second_factor = models.BooleanField(default=False, editable=False)
    # The uploader's language: the rows' messages and the error report are written in it.
    language = models.CharField(max_length=8, default="lt", editable=False)
    job = models.OneToOneField(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written by the worker as it applies chunks; a run left "running" without a recent beat
    # lost its worker and is taken up again (`services.imports_resume`).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("file import")
        verbose_name_plural = _("file imports")
        indexes = [models.Index(fields=["source_system", "uploaded_at"], name="import_source_day")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"


class ImportRow(models.Model):
    """One row of a file as sent (`data`, the file's columns as text) and its result."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    # The record's key in the source system (local id), as sent.
    key = models.CharField(_("record key"), max_length=64, blank=True)
    data = models.JSONField(default=dict)
    outcome = models.CharField(
        _("result"), max_length=16, choices=RowOutcome.choices, blank=True, db_index=True
    )
    field = models.CharField(_("field"), max_length=64, blank=True)
    code = models.CharField(_("error code"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    record_id = models.UUIDField(_("record"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "line"]
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="import_row_line_once"),
        ]
        indexes = [
            models.Index(fields=["run", "outcome"], name="import_row_outcome"),
            models.Index(fields=["key"], name="import_row_key"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.line} {self.outcome}"
