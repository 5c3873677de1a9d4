"""The Pupil Register (Mokinių registras): groups, enrolments, departures, NVŠ funding marks.

Intervals are [valid_from, valid_to): `valid_to` is the first day the pupil no longer belongs
to the group (the departure date), null while the enrolment is open.

Valid time: what a page says of a day follows these intervals, not whether `valid_to` is set.
A change recorded ahead of its date (the end of the school year written in June with the date
1 September) is planned until then: the pupil is still in the current class, and the next
class's enrolment is planned from its date (see `Enrolment.state_on` and `in_force_on`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel
from edureg.core.upsert import SourceKeyedVersioned, source_key_unique


class GroupKind(models.TextChoices):
    GENERAL = "general", _("general education class or group")
    NVS = "nvs", _("NVŠ group")
    CLUB = "club", _("club")


class Grade(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-school group")
    PREPRIMARY = "preprimary", _("pre-primary group")
    G1 = "1", _("grade 1")
    G2 = "2", _("grade 2")
    G3 = "3", _("grade 3")
    G4 = "4", _("grade 4")
    G5 = "5", _("grade 5")
    G6 = "6", _("grade 6")
    G7 = "7", _("grade 7")
    G8 = "8", _("grade 8")
    G9 = "9", _("grade 9 / gymnasium I")
    G10 = "10", _("grade 10 / gymnasium II")
    G11 = "11", _("grade 11 / gymnasium III")
    G12 = "12", _("grade 12 / gymnasium IV")


GRADE_ORDER = [g.value for g in Grade]


class Group(TrackedModel):
    """A class or group of an institution in one school year."""

    constraint_errors = {
        "general_group_has_grade": ("grade", _("A general-education class needs a grade.")),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="pupil_groups",
        verbose_name=_("institution"),
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2025 for 2025–2026.")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pupil_groups",
        verbose_name=_("programme"),
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    class_type = ClassifierField("class-type", verbose_name=_("class type"), null=True, blank=True)  # type: ignore[misc]
    class_purpose = ClassifierField(  # type: ignore[misc]
        "class-purpose", verbose_name=_("class purpose"), null=True, blank=True
    )
    language = models.CharField(_("language of instruction"), max_length=3, default="lt")
    learning_form = ClassifierField(  # type: ignore[misc]
        "learning-form", verbose_name=_("learning form"), null=True, blank=True
    )
    learning_mode = ClassifierField(  # type: ignore[misc]
        "learning-mode", verbose_name=_("learning mode"), null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Clubs and NVŠ groups: one or more directions and sub-directions (NVŠ classifiers).
    directions = models.ManyToManyField(
        "core.ClassifierValue",
        blank=True,
        related_name="+",
        limit_choices_to={"classifier__code__in": ["nvs-direction", "nvs-subdirection"]},
        verbose_name=_("directions and sub-directions"),
    )

    history = AuditedHistory(m2m_fields=[directions])

    class Meta:
        ordering = ["institution_id", "-school_year", "grade", "name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "school_year", "name"], name="group_name_once_a_year"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="general") | ~models.Q(grade=""),
                name="general_group_has_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year}–{self.school_year + 1})"


PLANNED, CURRENT, ENDED = "planned", "current", "ended"


def in_force_on(day: dt.date, prefix: str = "") -> models.Q:
    """The enrolments (or, with `prefix`, the rows related to them) in force on `day`."""
    return models.Q(**{f"{prefix}valid_from__lte": day}) & (
        models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gt": day})
    )


def not_ended_on(day: dt.date, prefix: str = "") -> models.Q:
    """In force on `day` or planned after it: the pupils a class has now and is to have."""
    return models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(
        **{f"{prefix}valid_to__gt": day}
    )


class Enrolment(SourceKeyedVersioned, TrackedModel):
    """A pupil in a group for an interval: the learning contract, or a club or NVŠ group.

    `kind` and `institution` repeat the group's, so that the database itself can hold the rule
    that a pupil has at most one open general-education enrolment, and scopes can filter
    without joins.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("pupil"),
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("group")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    contract_date = models.DateField(_("learning contract date"), null=True, blank=True)
    departure_reason = ClassifierField(  # type: ignore[misc]
        "departure-reason", verbose_name=_("departure reason"), null=True, blank=True
    )
    departure_order_number = models.CharField(
        _("director's order number"), max_length=50, blank=True
    )
    transferred_to = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_from",
        verbose_name=_("continued as"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-valid_from"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # The rule of the register: one open general-education enrolment per pupil, whoever
            # writes (UI, API, batch, import), also under concurrent requests.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(kind="general", valid_to__isnull=True),
                name="one_open_general_enrolment",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="enrolment_dates_ordered",
            ),
            source_key_unique("enrolment_source_unique"),
        ]
        indexes = [
            models.Index(fields=["institution", "valid_to"], name="enrolment_inst_open"),
            models.Index(fields=["group", "valid_to"], name="enrolment_group_open"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.group}"

    @property
    def is_open(self) -> bool:
        """No departure or move is recorded (not even one dated ahead): the enrolment the
        actions (depart, move) apply to. Whether the pupil studies on a day is `state_on`."""
        return self.valid_to is None

    def state_on(self, day: dt.date) -> str:
        """PLANNED before `valid_from`, CURRENT while in force, ENDED from `valid_to` on."""
        if day < self.valid_from:
            return PLANNED
        if self.valid_to is None or day < self.valid_to:
            return CURRENT
        return ENDED


class NvsFundingMark(TrackedModel):
    """An NVŠ provider's funding mark for a pupil and one month.

    Marks are monthly because the basket is earned month by month (at least 4 academic hours in
    the month). One provider only may mark the basket (NVŠ targeted funding) for a pupil and a
    month: a partial unique index, so the rule holds for every writer and under concurrency.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="nvs_marks", verbose_name=_("pupil")
    )
    provider = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="nvs_marks",
        verbose_name=_("provider"),
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="nvs_marks"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    basket = models.BooleanField(_("NVŠ targeted funding (basket)"), default=False)
    municipal_funds = models.BooleanField(_("municipal funds"), default=False)
    state_funds = models.BooleanField(_("state funds"), default=False)
    other_funding = models.BooleanField(_("other funding"), default=False)

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "month"]
        verbose_name = _("NVŠ funding mark")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                condition=models.Q(basket=True),
                name="one_nvs_basket_provider_a_month",
            ),
            models.UniqueConstraint(
                fields=["person", "provider", "month"], name="nvs_mark_once_per_provider_month"
            ),
            models.CheckConstraint(
                condition=models.Q(basket=True)
                | models.Q(municipal_funds=True)
                | models.Q(state_funds=True)
                | models.Q(other_funding=True),
                name="nvs_mark_has_funding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.provider_id}"


class AchievementKind(models.TextChoices):
    EXAM = "exam", _("exam")
    OLYMPIAD = "olympiad", _("olympiad")
    COMPETITION = "competition", _("competition")


class AchievementLevel(models.TextChoices):
    SCHOOL = "school", _("school")
    MUNICIPAL = "municipal", _("municipal")
    NATIONAL = "national", _("national")
    INTERNATIONAL = "international", _("international")


class Elective(TrackedModel):
    """An elective subject (pasirenkamasis dalykas) a pupil takes in a school year."""

    # The key an information system mirrors the record by (the change feed's `id`).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="electives")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    subject = models.CharField(_("subject"), max_length=200)
    course_level = ClassifierField("course-level", verbose_name=_("course level"))

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-school_year", "subject"]
        verbose_name = _("elective")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school_year", "subject"], name="elective_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.school_year})"


class Achievement(TrackedModel):
    """An exam, olympiad or competition result."""

    past_dates = ("achieved_on",)

    # The key an information system mirrors the record by (the change feed's `id`).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="achievements"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AchievementKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=AchievementLevel.choices)
    name = models.CharField(_("name"), max_length=300)
    result = models.CharField(_("result"), max_length=100)
    achieved_on = models.DateField(_("date"))

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-achieved_on"]
        verbose_name = _("achievement")

    def __str__(self) -> str:
        return f"{self.name}: {self.result}"


class SpecialNeeds(TrackedModel):
    """A special educational needs level for a period (it affects funding)."""

    # The key an information system mirrors the record by (the change feed's `id`).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="special_needs"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    level = ClassifierField("special-needs-level", verbose_name=_("level"))
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "-valid_from"]
        verbose_name = _("special educational needs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="special_needs_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level_id}"


# Exams, annual grades and competence assessment live in their own module (see its docstring).
from edureg.pupils.learning_models import (  # noqa: E402
    AnnualGrade,
    CompetenceAssessment,
    Exam,
    ExamKind,
    ExamRegistration,
    ExamResult,
    ExamSession,
)

__all__ = [
    "Achievement",
    "AchievementKind",
    "AchievementLevel",
    "AnnualGrade",
    "CompetenceAssessment",
    "Elective",
    "Enrolment",
    "Exam",
    "ExamKind",
    "ExamRegistration",
    "ExamResult",
    "ExamSession",
    "Grade",
    "Group",
    "GroupKind",
    "NvsFundingMark",
    "SpecialNeeds",
]
