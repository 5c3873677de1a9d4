"""Documents (DAKPR-like): document types, security blanks, and the documents formed and issued.

A document is *formed* from register data (a snapshot of what it states is kept in `content`),
reviewed, and *approved*: only then does it get its registration number (and, for types printed
on security blanks, consume one blank number) and become *issued*. An issued document is never
edited or deleted: a correction annuls it with a reason and issues a duplicate or a replacement
linked to it (`replaces`).

Blanks are materialised one row per number, so that the database itself makes a number
impossible to use twice: a blank is unique by (type, series, number), and a document holds its
blank through a one-to-one key.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.access.models import FunctionArea
from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel, localized_name


class BlankType(TrackedModel):
    """A kind of numbered security form (blankas), e.g. 3014 for maturity certificates."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    history = AuditedHistory()

    class Meta:
        ordering = ["code"]
        verbose_name = _("blank type")
        verbose_name_plural = _("blank types")

    def __str__(self) -> str:
        return f"{self.code} {localized_name(self)}"


class DocumentSource(models.TextChoices):
    """Which register data a type is formed from (and so which eligibility rules apply)."""

    GENERAL = "general", _("general education: final-year grades and exams")
    ACHIEVEMENTS = "achievements", _("general education: grades of a leaver")
    VOCATIONAL = "vocational", _("vocational training: all modules assessed")
    COMPETENCES = "competences", _("vocational training: modules assessed so far")
    GRADUATION = "graduation", _("higher education: graduation")
    STUDIES = "studies", _("higher education: a study right")


class DocumentType(TrackedModel):
    """What a kind of document is formed from, who forms and approves it, whether it is printed
    on a security blank, and its layout. Reference data, edited in the back office."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = ClassifierField("document-type", verbose_name=_("document type"))
    source = models.CharField(_("formed from"), max_length=16, choices=DocumentSource.choices)
    form_area = models.CharField(
        _("formed by (function area)"), max_length=32, choices=FunctionArea.choices
    )
    approve_area = models.CharField(
        _("approved by (function area)"),
        max_length=32,
        choices=FunctionArea.choices,
        blank=True,
        help_text=_("Empty: issued as soon as it is formed (documents on demand)."),
    )
    blank_type = models.ForeignKey(
        BlankType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("security blank"),
    )
    supplement_blank_type = models.ForeignKey(
        BlankType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("security blank of the supplement"),
    )
    duplicate_type = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type of its duplicates"),
    )
    template = models.CharField(_("layout template"), max_length=100)
    has_english = models.BooleanField(_("has an English version"), default=False)
    registration_prefix = models.CharField(_("registration number prefix"), max_length=8)
    final_grade = models.CharField(
        _("final class"), max_length=16, blank=True, help_text=_("e.g. 12 for gymnasium IV")
    )
    min_exams_passed = models.PositiveSmallIntegerField(_("maturity exams to pass"), default=0)
    required_subjects = models.ManyToManyField(
        "core.ClassifierValue",
        blank=True,
        related_name="+",
        limit_choices_to={"classifier__code": "school-subject"},
        verbose_name=_("exams that must be passed"),
    )
    one_per_person = models.BooleanField(
        _("one valid document per person"),
        default=True,
        help_text=_("Unchecked for documents formed on demand as often as needed."),
    )
    citizen_may_form = models.BooleanField(_("the holder may form it"), default=False)
    active = models.BooleanField(_("in use"), default=True)

    history = AuditedHistory(m2m_fields=[required_subjects])

    class Meta:
        ordering = ["code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        return localized_name(self.kind)

    @property
    def name_lt(self) -> str:
        return str(self.kind.name_lt)

    @property
    def name_en(self) -> str:
        return str(self.kind.name_en)

    @property
    def needs_approval(self) -> bool:
        return bool(self.approve_area)


class BlankReceipt(TrackedModel):
    """A range of blank numbers of one type and series received by the agency."""

    blank_type = models.ForeignKey(
        BlankType, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("blank type")
    )
    series = models.CharField(_("series"), max_length=8)
    first_number = models.PositiveIntegerField(_("first number"))
    last_number = models.PositiveIntegerField(_("last number"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-received_on", "blank_type_id", "series", "first_number"]
        verbose_name = _("blank receipt")
        verbose_name_plural = _("blank receipts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_number__gte=models.F("first_number")),
                name="blank_receipt_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.blank_type.code} {self.series} {self.first_number}–{self.last_number}"

    @property
    def count(self) -> int:
        return self.last_number - self.first_number + 1


class BlankAllocation(TrackedModel):
    """A range of received blanks handed to an institution."""

    blank_type = models.ForeignKey(
        BlankType,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("blank type"),
    )
    series = models.CharField(_("series"), max_length=8)
    first_number = models.PositiveIntegerField(_("first number"))
    last_number = models.PositiveIntegerField(_("last number"))
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="blank_allocations",
        verbose_name=_("institution"),
    )
    allocated_on = models.DateField(_("allocated on"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-allocated_on", "blank_type_id", "series", "first_number"]
        verbose_name = _("blank allocation")
        verbose_name_plural = _("blank allocations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_number__gte=models.F("first_number")),
                name="blank_allocation_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.blank_type.code} {self.series} {self.first_number}–{self.last_number}"

    @property
    def count(self) -> int:
        return self.last_number - self.first_number + 1


class BlankStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("at the agency")
    ON_HAND = "on_hand", _("on hand")
    USED = "used", _("used")
    SPOILED = "spoiled", _("spoiled")
    LOST = "lost", _("lost")


class Blank(TrackedModel):
    """One numbered security blank and what became of it."""

    blank_type = models.ForeignKey(
        BlankType, on_delete=models.PROTECT, related_name="blanks", verbose_name=_("blank type")
    )
    series = models.CharField(_("series"), max_length=8)
    number = models.PositiveIntegerField(_("number"))
    receipt = models.ForeignKey(BlankReceipt, on_delete=models.PROTECT, related_name="blanks")
    allocation = models.ForeignKey(
        BlankAllocation, on_delete=models.PROTECT, null=True, blank=True, related_name="blanks"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BlankStatus.choices, default=BlankStatus.IN_STOCK
    )
    allocated_on = models.DateField(_("allocated on"), null=True, blank=True)
    used_on = models.DateField(_("used on"), null=True, blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    write_off_reason = ClassifierField(  # type: ignore[misc]
        "blank-write-off-reason", verbose_name=_("write-off reason"), null=True, blank=True
    )
    write_off_note = models.CharField(_("note"), max_length=300, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["blank_type_id", "series", "number"]
        verbose_name = _("blank")
        verbose_name_plural = _("blanks")
        constraints = [
            models.UniqueConstraint(
                fields=["blank_type", "series", "number"], name="blank_number_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_stock")
                | (models.Q(institution__isnull=False) & models.Q(allocated_on__isnull=False)),
                name="blank_outside_stock_has_institution",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="used") | models.Q(used_on__isnull=False),
                name="blank_used_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["spoiled", "lost"])
                | (
                    models.Q(written_off_on__isnull=False)
                    & models.Q(write_off_reason__isnull=False)
                ),
                name="blank_written_off_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "blank_type", "status"], name="blank_on_hand_idx")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number:07d}"


class DocumentStatus(models.TextChoices):
    FORMED = "formed", _("formed, awaiting approval")
    ISSUED = "issued", _("issued")
    ANNULLED = "annulled", _("annulled")
    DISCARDED = "discarded", _("discarded before approval")


class ReissueKind(models.TextChoices):
    ORIGINAL = "original", _("original")
    DUPLICATE = "duplicate", _("duplicate")
    REPLACEMENT = "replacement", _("replacement")


class RegistrationSequence(models.Model):
    """The last registration number given for one stem (type prefix and year). Locked while a
    number is given; numbers only grow, so none is given twice."""

    stem = models.CharField(max_length=32, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stem}-{self.last_number}"


class Document(TrackedModel):
    """A certificate, diploma or document on demand of one person, formed by an institution."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("type")
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("holder"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("issuer"),
    )
    # The function area the document belongs to (its type's), so that scopes filter without joins.
    area = models.CharField(max_length=32, choices=FunctionArea.choices, editable=False)
    group = models.ForeignKey(
        "pupils.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
    )
    study_right = models.ForeignKey(
        "students.StudyRight",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("study right"),
    )
    school_year = models.PositiveSmallIntegerField(_("school year"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.FORMED
    )
    content = models.JSONField(_("content"), default=dict)
    exclusive = models.BooleanField(default=True, editable=False)
    reissue_kind = models.CharField(
        _("issued as"), max_length=16, choices=ReissueKind.choices, default=ReissueKind.ORIGINAL
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
        verbose_name=_("replaces"),
    )
    formed_by = models.CharField(_("formed by"), max_length=64, editable=False)
    approved_by = models.CharField(_("approved by"), max_length=64, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=32, null=True, blank=True, unique=True
    )
    verification_code = models.CharField(
        _("verification code"), max_length=32, null=True, blank=True, unique=True
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    blank = models.OneToOneField(
        Blank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("blank"),
    )
    supplement_blank = models.OneToOneField(
        Blank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplement_of",
        verbose_name=_("blank of the supplement"),
    )
    annulled_on = models.DateField(_("annulled on"), null=True, blank=True)
    annul_reason = models.CharField(_("reason for annulment"), max_length=500, blank=True)
    pdf = models.FileField(upload_to="documents/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(_("record version"), default=1)

    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            # One valid (or awaiting approval) document of a type per person, for the types
            # that are issued once; documents on demand are formed as often as needed.
            models.UniqueConstraint(
                fields=["person", "document_type"],
                condition=models.Q(exclusive=True, status__in=["formed", "issued"]),
                name="one_valid_document_of_a_type",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["formed", "discarded"])
                | (
                    models.Q(registration_number__isnull=False)
                    & models.Q(verification_code__isnull=False)
                    & models.Q(issued_on__isnull=False)
                ),
                name="issued_document_has_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="annulled")
                | (models.Q(annulled_on__isnull=False) & ~models.Q(annul_reason="")),
                name="annulled_document_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"], name="document_inst_status"),
            models.Index(fields=["person", "status"], name="document_person_status"),
        ]

    def __str__(self) -> str:
        number = self.registration_number or _("not yet issued")
        return f"{self.document_type} {number}"

    @property
    def holder_initials(self) -> str:
        holder = self.content.get("holder", {})
        names = [*str(holder.get("given_names", "")).split(), holder.get("family_name", "")]
        return " ".join(f"{n[0]}." for n in names if n)

    @property
    def blank_label(self) -> str:
        return str(self.blank) if self.blank_id else ""
