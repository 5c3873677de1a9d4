"""The Register of Study and Training Programmes and Qualifications (SMPKR).

A `Programme` is the stable identity (state code, provider, status); its content lives in
`ProgrammeVersion` rows. A draft version is edited until it is submitted; the registrar decides
it; a registered version is never edited again: a change is a new version, decided the same way.
Old versions stay readable and citable by (state code, version number).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel, localized_name
from edureg.core.upsert import SourceKeyedVersioned, source_key_unique


class ProgrammeKind(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-school education")
    PREPRIMARY = "preprimary", _("pre-primary education")
    PRIMARY = "primary", _("primary education")
    BASIC = "basic", _("basic education")
    SECONDARY = "secondary", _("secondary education")
    VOCATIONAL = "vocational", _("formal vocational training")
    STUDY = "study", _("study programme")
    NVS = "nvs", _("non-formal children's education (NVŠ)")


class StudyType(models.TextChoices):
    COLLEGE = "college", _("college (professional) studies")
    UNIVERSITY = "university", _("university studies")


class StudyCycle(models.TextChoices):
    PROFESSIONAL_BACHELOR = "professional_bachelor", _("professional bachelor")
    BACHELOR = "bachelor", _("bachelor")
    MASTER = "master", _("master")
    INTEGRATED = "integrated", _("integrated studies")
    RESIDENCY = "residency", _("residency")
    DOCTORAL = "doctoral", _("doctoral")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REGISTERED = "registered", _("registered")
    REJECTED = "rejected", _("rejected")
    DEREGISTERED = "deregistered", _("deregistered")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    REJECTED = "rejected", _("rejected")
    REGISTERED = "registered", _("registered")
    SUPERSEDED = "superseded", _("superseded")


class CodingRule(TrackedModel):
    """How state codes of one kind (and study type and cycle) are made: held as data.

    A code is `prefix` + the field-group letter (study programmes) + `infix` + a zero-padded
    sequence of `sequence_digits`. Study programmes: 4-digit type-and-cycle prefix, field-group
    letter, "X", 3 digits (e.g. 6121BX023).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ProgrammeKind.choices)
    study_type = models.CharField(
        _("study type"), max_length=16, choices=StudyType.choices, blank=True
    )
    cycle = models.CharField(_("cycle"), max_length=32, choices=StudyCycle.choices, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    uses_field_group = models.BooleanField(_("adds the study-field-group letter"), default=False)
    infix = models.CharField(_("infix"), max_length=4, blank=True)
    sequence_digits = models.PositiveSmallIntegerField(_("sequence digits"), default=3)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("coding rule")
        constraints = [
            models.UniqueConstraint(fields=["kind", "study_type", "cycle"], name="coding_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.study_type}/{self.cycle}: {self.prefix}"


class CodeSequence(models.Model):
    """The last number issued for one code stem. Locked while a code is issued; codes are never
    reused because the counter only grows."""

    stem = models.CharField(max_length=16, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stem}…{self.last_number}"


class Programme(SourceKeyedVersioned, TrackedModel):
    """A programme's identity across its versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ProgrammeKind.choices)
    provider = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("provider"),
    )
    state_code = models.CharField(
        _("state code"), max_length=16, null=True, blank=True, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)
    deregistration_reason = ClassifierField(  # type: ignore[misc]
        "programme-deregistration-reason",
        verbose_name=_("deregistration reason"),
        null=True,
        blank=True,
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["state_code", "id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            source_key_unique("programme_source_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="registered") | models.Q(state_code__isnull=False),
                name="programme_registered_has_code",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="deregistered")
                | (
                    models.Q(deregistered_on__isnull=False)
                    & models.Q(deregistration_reason__isnull=False)
                ),
                name="programme_deregistration_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="programme_kind_status")]

    def __str__(self) -> str:
        current = self.current_version()
        name = localized_name(current) if current else str(self.public_id)
        return f"{self.state_code} {name}" if self.state_code else name

    def current_version(self) -> ProgrammeVersion | None:
        """The registered version in force, else the latest one."""
        versions = list(self.versions.all())
        registered = [v for v in versions if v.status == VersionStatus.REGISTERED]
        pool = registered or versions
        return max(pool, key=lambda v: v.number) if pool else None


class ProgrammeVersion(TrackedModel):
    """The content of a programme as submitted and decided at one time."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="versions", verbose_name=_("programme")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description_lt = models.TextField(_("description (Lithuanian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    isced_level = ClassifierField(
        "isced-level", verbose_name=_("ISCED level"), null=True, blank=True
    )  # type: ignore[misc]
    isced_field = models.CharField(_("ISCED-F field code"), max_length=4, blank=True)
    ltks_level = ClassifierField("ltks-level", verbose_name=_("LTKS level"), null=True, blank=True)  # type: ignore[misc]
    study_type = models.CharField(
        _("study type"), max_length=16, choices=StudyType.choices, blank=True
    )
    cycle = models.CharField(_("cycle"), max_length=32, choices=StudyCycle.choices, blank=True)
    study_field = ClassifierField(
        "study-field", verbose_name=_("study field"), null=True, blank=True
    )  # type: ignore[misc]
    study_subfield = models.CharField(_("study sub-field"), max_length=200, blank=True)
    credits = models.DecimalField(
        _("credits (ECTS)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    duration_years = models.DecimalField(
        _("duration (years)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    full_time = models.BooleanField(_("full-time"), default=True)
    part_time = models.BooleanField(_("part-time"), default=False)
    languages = models.CharField(
        _("languages"), max_length=64, default="lt", help_text=_("ISO 639-1 codes, comma-separated")
    )
    education_awarded_lt = models.CharField(
        _("education awarded (Lithuanian)"), max_length=300, blank=True
    )
    education_awarded_en = models.CharField(
        _("education awarded (English)"), max_length=300, blank=True
    )
    nvs_direction = ClassifierField(
        "nvs-direction", verbose_name=_("NVŠ direction"), null=True, blank=True
    )  # type: ignore[misc]
    nvs_subdirection = ClassifierField(
        "nvs-subdirection", verbose_name=_("NVŠ sub-direction"), null=True, blank=True
    )  # type: ignore[misc]
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("registrar's note"), blank=True)
    qualifications = models.ManyToManyField(
        "programmes.Qualification",
        blank=True,
        related_name="programme_versions",
        verbose_name=_("qualifications"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["programme_id", "-number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_once"),
            # One version in the works at a time (a draft, one awaiting a decision, or one sent
            # back for changes).
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status__in=["draft", "submitted", "changes_requested"]),
                name="programme_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_lt} (v{self.number})"

    def clean(self) -> None:
        from edureg.programmes.validation import version_errors

        errors = version_errors(self)
        if errors:
            raise ValidationError(errors)


class Module(models.Model):
    """A module or subject of a programme version, with credits or hours."""

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("order in the programme"), default=0)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("module or subject")

    def __str__(self) -> str:
        return self.name_lt


class Accreditation(TrackedModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="accreditations"
    )
    decision = models.CharField(_("decision"), max_length=200)
    decided_on = models.DateField(_("decision date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scores = models.JSONField(
        _("criteria and scores"), default=dict, blank=True, help_text=_('{"criterion": score, …}')
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("accreditation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("decided_on")),
                name="accreditation_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.decided_on}"


class StandardKind(models.TextChoices):
    QUALIFICATION = "qualification", _("qualification")
    PROFESSIONAL = "professional", _("professional standard")
    VOCATIONAL = "vocational", _("vocational training standard")


class Qualification(TrackedModel):
    """A qualification, professional standard or vocational training standard."""

    kind = models.CharField(_("kind"), max_length=16, choices=StandardKind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    ltks_level = ClassifierField("ltks-level", verbose_name=_("LTKS level"), null=True, blank=True)  # type: ignore[misc]
    competences = models.TextField(_("competences"), blank=True)
    standards = models.ManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("standards")
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["name_lt"]
        verbose_name = _("qualification or standard")

    def __str__(self) -> str:
        return localized_name(self)
