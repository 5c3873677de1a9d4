"""The Student Register (Studentų registras): study rights and their dated status history.

Intervals are [valid_from, valid_to): `valid_to` is the first day no longer in the state, null
while open. The end states (terminated, graduated, transferred) are zero-length markers: a
period with `valid_from` = the end date and `valid_to` null, after the last studying, leave or
interruption period has been closed on that same day.

The state machine and the period rules live in `edureg.students.timeline` (pure functions);
the services keep `StudyRight.status` and `ended_on` in step with the periods.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel
from edureg.core.upsert import SourceKeyed, SourceKeyedVersioned, source_key_unique
from edureg.people.models import validate_country_code
from edureg.programmes.models import StudyCycle

MAX_COURSE = 6
MAX_SEMESTER = 12


class StudyForm(models.TextChoices):
    FULL_TIME = "full_time", _("full-time")
    PART_TIME = "part_time", _("part-time")


class StudyStatus(models.TextChoices):
    STUDYING = "studying", pgettext_lazy("study status", "studying")
    ACADEMIC_LEAVE = "academic_leave", _("academic leave")
    INTERRUPTED = "interrupted", _("interrupted")
    TERMINATED = "terminated", _("terminated")
    GRADUATED = "graduated", _("graduated")
    TRANSFERRED = "transferred", _("transferred")


# Statuses that close a study right: recorded as zero-length end markers.
END_STATUSES = frozenset({StudyStatus.TERMINATED, StudyStatus.GRADUATED, StudyStatus.TRANSFERRED})


class StudyRight(SourceKeyedVersioned, TrackedModel):
    """A student's right to study one programme at one HEI (or foreign HEI branch)."""

    constraint_errors = {
        "study_right_dates_ordered": (
            "ended_on",
            _("A study right cannot end before it started."),
        ),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="study_rights",
        verbose_name=_("student"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="study_rights",
        verbose_name=_("higher education institution"),
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="study_rights",
        verbose_name=_("study programme"),
    )
    cycle = models.CharField(_("study cycle"), max_length=32, choices=StudyCycle.choices)
    form = models.CharField(_("study form"), max_length=16, choices=StudyForm.choices)
    started_on = models.DateField(_("started on"))
    course = models.PositiveSmallIntegerField(_("course (year of study)"), default=1)
    expected_end = models.DateField(_("expected end"), null=True, blank=True)
    admission_basis = models.CharField(_("admission basis"), max_length=200, blank=True)
    student_card_number = models.CharField(_("student card number"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.STUDYING
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("continues the study right"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-started_on"]
        verbose_name = _("study right")
        verbose_name_plural = _("study rights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="study_right_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(course__gte=1) & models.Q(course__lte=MAX_COURSE),
                name="study_right_course_range",
            ),
            source_key_unique("study_right_source_unique"),
        ]
        indexes = [
            models.Index(fields=["institution", "status"], name="study_right_inst_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.institution_id} ({self.started_on})"

    @property
    def is_open(self) -> bool:
        return self.status not in END_STATUSES


class StatusPeriod(TrackedModel):
    """One dated period of a study right's status history."""

    study_right = models.ForeignKey(
        StudyRight, on_delete=models.PROTECT, related_name="periods", verbose_name=_("study right")
    )
    status = models.CharField(_("status"), max_length=16, choices=StudyStatus.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    leave_reason = ClassifierField(  # type: ignore[misc]
        "academic-leave-reason", verbose_name=_("leave reason"), null=True, blank=True
    )
    course = models.PositiveSmallIntegerField(
        _("course returned to"),
        null=True,
        blank=True,
        help_text=_("For a studying period after a return: the course the student returned to."),
    )
    reasons = models.ManyToManyField(
        "core.ClassifierValue",
        blank=True,
        related_name="+",
        limit_choices_to={"classifier__code": "study-termination-reason"},
        verbose_name=_("reasons"),
    )

    history = AuditedHistory(m2m_fields=[reasons])

    class Meta:
        ordering = ["study_right", "valid_from", "id"]
        verbose_name = _("status period")
        verbose_name_plural = _("status periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="status_period_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="academic_leave") | models.Q(leave_reason__isnull=False),
                name="status_period_leave_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.valid_from}–{self.valid_to or ''}"


class FundingPeriod(TrackedModel):
    """The funding source of a study right for a period (KL_M_FINSALT)."""

    study_right = models.ForeignKey(
        StudyRight,
        on_delete=models.PROTECT,
        related_name="funding_periods",
        verbose_name=_("study right"),
    )
    source = ClassifierField("study-funding-source", verbose_name=_("funding source"))
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "valid_from"]
        verbose_name = _("funding period")
        verbose_name_plural = _("funding periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="funding_period_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["study_right"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_funding_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.valid_from}–{self.valid_to or ''}"


class PriorEducationKind(models.TextChoices):
    PUPIL_REGISTER = "pupil_register", _("from the Pupil Register")
    CREDENTIAL = "credential", _("credential")
    FOREIGN = "foreign", _("foreign document")


class PriorEducation(TrackedModel):
    """A document that gave access to the studies."""

    study_right = models.ForeignKey(
        StudyRight,
        on_delete=models.PROTECT,
        related_name="prior_education",
        verbose_name=_("study right"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PriorEducationKind.choices)
    document_type = ClassifierField(  # type: ignore[misc]
        "document-type", verbose_name=_("document type"), null=True, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=300, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="LT", validators=[validate_country_code]
    )
    recognition_decision = models.CharField(_("recognition decision"), max_length=300, blank=True)
    recognition_date = models.DateField(_("recognition date"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "issued_on"]
        verbose_name = _("prior education")
        verbose_name_plural = _("prior education")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="foreign") | ~models.Q(recognition_decision=""),
                name="prior_education_foreign_recognised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_number}"


class Mobility(TrackedModel):
    """Partial studies (mobility) at another institution, in Lithuania or abroad."""

    study_right = models.ForeignKey(
        StudyRight,
        on_delete=models.PROTECT,
        related_name="mobilities",
        verbose_name=_("study right"),
    )
    host_institution = models.CharField(_("host institution"), max_length=300)
    host_country = models.CharField(
        _("host country"), max_length=2, validators=[validate_country_code]
    )
    programme_name = models.CharField(_("mobility programme"), max_length=200, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"))
    credits_earned = models.DecimalField(
        _("credits earned"), max_digits=5, decimal_places=1, default=0
    )
    credits_recognised = models.DecimalField(
        _("credits recognised"), max_digits=5, decimal_places=1, default=0
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "valid_from"]
        verbose_name = _("partial studies (mobility)")
        verbose_name_plural = _("partial studies (mobility)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gt=models.F("valid_from")),
                name="mobility_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(credits_recognised__lte=models.F("credits_earned"))
                & models.Q(credits_recognised__gte=0),
                name="mobility_recognised_within_earned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host_institution} ({self.host_country})"


class Result(SourceKeyed, TrackedModel):
    """A course unit result in a semester: credits and a grade (1..10) or pass/fail."""

    study_right = models.ForeignKey(
        StudyRight, on_delete=models.PROTECT, related_name="results", verbose_name=_("study right")
    )
    semester = models.PositiveSmallIntegerField(_("semester"))
    course_unit_code = models.CharField(_("course unit code"), max_length=32)
    course_unit_title = models.CharField(_("course unit"), max_length=300)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"))

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "semester", "course_unit_code"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(semester__gte=1) & models.Q(semester__lte=MAX_SEMESTER),
                name="result_semester_range",
            ),
            models.CheckConstraint(
                condition=models.Q(credits__gt=0), name="result_credits_positive"
            ),
            # Exactly one of a grade on the 10-point scale or pass/fail.
            models.CheckConstraint(
                condition=(
                    models.Q(grade__isnull=False, passed__isnull=True)
                    & models.Q(grade__gte=1)
                    & models.Q(grade__lte=10)
                )
                | models.Q(grade__isnull=True, passed__isnull=False),
                name="result_grade_or_pass",
            ),
            source_key_unique("result_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.course_unit_code} {self.grade or self.passed}"


class LoanKind(models.TextChoices):
    TUITION = "tuition", _("tuition loan")
    LIVING = "living", _("living-costs loan")
    PARTIAL_STUDIES = "partial_studies", _("partial studies loan")


class StudyLoan(SourceKeyed, TrackedModel):
    """A state-supported study loan."""

    study_right = models.ForeignKey(
        StudyRight, on_delete=models.PROTECT, related_name="loans", verbose_name=_("study right")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LoanKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    granted_on = models.DateField(_("granted on"))
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "granted_on"]
        verbose_name = _("study loan")
        verbose_name_plural = _("study loans")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="loan_dates_ordered",
            ),
            source_key_unique("loan_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ScholarshipKind(models.TextChoices):
    INCENTIVE = "incentive", _("incentive scholarship")
    SOCIAL = "social", _("social scholarship")
    TARGET = "target", _("targeted scholarship")
    OTHER = "other", _("other scholarship")


class Scholarship(SourceKeyed, TrackedModel):
    """A scholarship paid to the student for a period; keyed by (source system, local id) when
    the payer's system sends it (social scholarships from the support system Parama)."""

    study_right = models.ForeignKey(
        StudyRight,
        on_delete=models.PROTECT,
        related_name="scholarships",
        verbose_name=_("study right"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ScholarshipKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"))
    payer = models.CharField(_("payer"), max_length=300, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["study_right", "valid_from"]
        verbose_name = _("scholarship")
        verbose_name_plural = _("scholarships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="scholarship_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gt=models.F("valid_from")),
                name="scholarship_dates_ordered",
            ),
            source_key_unique("scholarship_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Graduation(TrackedModel):
    """Completed studies: the qualification and degree awarded and the diploma."""

    study_right = models.OneToOneField(
        StudyRight,
        on_delete=models.PROTECT,
        related_name="graduation",
        verbose_name=_("study right"),
    )
    graduated_on = models.DateField(_("graduated on"))
    qualification = models.ForeignKey(
        "programmes.Qualification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="graduations",
        verbose_name=_("qualification awarded"),
    )
    degree = models.CharField(_("degree awarded"), max_length=300)
    thesis_title = models.CharField(_("final thesis title"), max_length=500, blank=True)
    diploma_reference = models.CharField(_("diploma reference"), max_length=100, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("graduation")
        verbose_name_plural = _("graduations")

    def __str__(self) -> str:
        return f"{self.study_right_id} {self.graduated_on}"
