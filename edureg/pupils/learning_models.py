"""Exams, annual grades and competence assessment: the learning data documents are formed from.

- An `ExamSession` is a school year's maturity-exam session; its `Exam`s are the subjects
  examined at state (valstybinis, scored 0–100) or school (mokyklinis, graded 1–10) level.
- A school plans which of its pupils sit which exams (`ExamRegistration`, the "exam planning"
  function area). The exam centre's results arrive through a feed (`pupils.exam_centre`) and
  land as `ExamResult`s, each mirrored as the pupil's `Achievement` of kind exam.
- `AnnualGrade` is a pupil's annual (metinis) grade of a subject in a school year; the grades of
  the final years are what certificates list.
- `CompetenceAssessment` is an assessor's result for one module of a vocational programme.

Declared here and imported by `pupils.models`, so that the learning data of documents stays
apart from enrolment and movement.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel

# A state maturity exam is passed with 16 points or more of 100; a school maturity exam and an
# annual grade with 4 or more on the 10-point scale.
STATE_EXAM_PASS_SCORE = 16
PASSING_GRADE = 4


class ExamKind(models.TextChoices):
    STATE_MATURITY = "state_maturity", _("state maturity exam")
    SCHOOL_MATURITY = "school_maturity", _("school maturity exam")


class ExamSession(TrackedModel):
    """The maturity-exam session of a school year (main or resit)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2025 for 2025–2026.")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-school_year", "starts_on"]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name"], name="exam_session_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="exam_session_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Exam(TrackedModel):
    """One subject examined at one level in a session."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        ExamSession, on_delete=models.PROTECT, related_name="exams", verbose_name=_("session")
    )
    subject = ClassifierField("school-subject", verbose_name=_("subject"))
    kind = models.CharField(_("level"), max_length=16, choices=ExamKind.choices)
    held_on = models.DateField(_("date"))

    history = AuditedHistory()

    class Meta:
        ordering = ["session_id", "held_on", "id"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [
            models.UniqueConstraint(fields=["session", "subject", "kind"], name="exam_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_kind_display()})"


class ExamRegistration(TrackedModel):
    """A pupil planned by their school to sit an exam (exam planning)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exam = models.ForeignKey(
        Exam, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("exam")
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="exam_registrations",
        verbose_name=_("pupil"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    history = AuditedHistory()

    class Meta:
        ordering = ["exam_id", "person_id"]
        verbose_name = _("exam registration")
        verbose_name_plural = _("exam registrations")
        constraints = [
            models.UniqueConstraint(fields=["exam", "person"], name="exam_registration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.exam_id}"


class ExamResult(TrackedModel):
    """The exam centre's result of a pupil in an exam: points (state) or a grade (school)."""

    exam = models.ForeignKey(
        Exam, on_delete=models.PROTECT, related_name="results", verbose_name=_("exam")
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="exam_results",
        verbose_name=_("pupil"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    score = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    passed = models.BooleanField(_("passed"))
    achievement = models.OneToOneField(
        "pupils.Achievement",
        on_delete=models.PROTECT,
        related_name="exam_result",
        verbose_name=_("achievement"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "exam_id"]
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        constraints = [
            models.UniqueConstraint(fields=["exam", "person"], name="exam_result_once"),
            models.CheckConstraint(
                condition=(models.Q(score__isnull=False) & models.Q(score__lte=100))
                | (
                    models.Q(grade__isnull=False) & models.Q(grade__gte=1) & models.Q(grade__lte=10)
                ),
                name="exam_result_score_or_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.score if self.score is not None else self.grade}"

    @property
    def mark(self) -> str:
        return str(self.score if self.score is not None else self.grade)


class AnnualGrade(TrackedModel):
    """A pupil's annual grade of a subject in a school year: 1–10, or passed (įskaityta)."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="annual_grades",
        verbose_name=_("pupil"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    subject = ClassifierField("school-subject", verbose_name=_("subject"))
    course_level = ClassifierField(  # type: ignore[misc]
        "course-level", verbose_name=_("course level"), null=True, blank=True
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-school_year", "subject_id"]
        verbose_name = _("annual grade")
        verbose_name_plural = _("annual grades")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school_year", "subject"], name="annual_grade_once"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(grade__isnull=False, passed__isnull=True)
                    & models.Q(grade__gte=1)
                    & models.Q(grade__lte=10)
                )
                | models.Q(grade__isnull=True, passed__isnull=False),
                name="annual_grade_or_pass",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.school_year}: {self.grade or self.passed}"

    @property
    def positive(self) -> bool:
        return self.grade >= PASSING_GRADE if self.grade is not None else bool(self.passed)


class CompetenceAssessment(TrackedModel):
    """An assessor's result for one module of a vocational training programme."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="competence_assessments",
        verbose_name=_("learner"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    module = models.ForeignKey(
        "programmes.Module",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("module"),
    )
    assessed_on = models.DateField(_("assessed on"))
    acquired = models.BooleanField(_("competence acquired"))
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "module_id"]
        verbose_name = _("competence assessment")
        verbose_name_plural = _("competence assessments")
        constraints = [
            models.UniqueConstraint(fields=["person", "module"], name="competence_assessed_once"),
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True)
                | (models.Q(grade__gte=1) & models.Q(grade__lte=10)),
                name="competence_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.module_id}: {self.acquired}"
