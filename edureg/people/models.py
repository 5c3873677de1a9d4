"""People: learners and graduates, with or without a Lithuanian personal code."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.countries import COUNTRY_CODES, validate_country_code
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel
from edureg.core.upsert import SourceKeyed, source_key_unique
from edureg.people.identity import (
    birth_date_from_code,
    is_well_formed,
    normalise_personal_code,
    sex_from_code,
    validate_personal_code,
)

# Re-exported: migrations and serializers name the validator here.
__all__ = ["COUNTRY_CODES", "validate_country_code"]


class Sex(models.TextChoices):
    """The register's codes (see classifier `sex`): V vyras (male), M moteris (female)."""

    MALE = "V", _("male")
    FEMALE = "M", _("female")


class Person(TrackedModel):
    """A person known to the registers.

    `public_id` is the only identifier used in URLs and the API. Lithuanian residents are keyed
    by personal code; foreigners without one get a register-assigned `foreign_id` and are told
    apart by name, birth date and citizenship.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    personal_code = models.CharField(
        _("personal code"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_personal_code],
    )
    foreign_id = models.CharField(
        _("register-assigned id"),
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Assigned by the register to a person without a Lithuanian personal code."),
    )
    given_names = models.CharField(_("given names"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    citizenship = models.CharField(
        _("citizenship"),
        max_length=2,
        default="LT",
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code."),
    )
    declared_municipality = models.ForeignKey(
        "institutions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared municipality"),
    )
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)

    history = AuditedHistory()

    past_dates = ("birth_date", "date_of_death")

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(personal_code__isnull=False)
                | models.Q(foreign_id__isnull=False),
                name="person_identified",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True)
                | models.Q(date_of_death__gte=models.F("birth_date")),
                name="person_death_after_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_names"], name="person_name_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def grammatical_gender(self) -> str:
        """The `pgettext` context for a sentence about this person: Lithuanian participles agree
        with the person ("įregistruotas" / "įregistruota"), so such a sentence has a "male" and
        a "female" translation instead of "įregistruotas (-a)". Without a recorded sex the
        sentence takes the masculine, the language's unmarked form."""
        return "female" if self.sex == Sex.FEMALE else "male"

    def clean_fields(self, exclude: Any = None) -> None:
        """The personal code is validated, compared for uniqueness and stored in the one form
        `normalise_personal_code` gives it, whatever spelling of its digits was entered."""
        if self.personal_code:
            self.personal_code = normalise_personal_code(self.personal_code) or None
        errors: dict[str, Any] = {}
        stated_birth = birth_date_from_code(self.personal_code or "")
        if stated_birth and stated_birth > timezone.localdate():
            # Said of the code, which states it, rather than of the birth date taken from it.
            errors["personal_code"] = [
                ValidationError(
                    _("The personal code states a birth date in the future (%(date)s)."),
                    code="implausible_date",
                    params={"date": stated_birth.isoformat()},
                )
            ]
            exclude = {*(exclude or ()), "personal_code", "birth_date"}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        """The birth date and sex the personal code states must agree with what was entered."""
        errors: dict[str, list[Any]] = {}
        code = self.personal_code
        if code and is_well_formed(code):
            try:
                validate_personal_code(code)
            except ValidationError:
                code = None  # reported by the field validator already
        else:
            code = None
        if code:
            stated_birth = birth_date_from_code(code)
            if stated_birth and self.birth_date and stated_birth != self.birth_date:
                errors["birth_date"] = [
                    _("The birth date does not match the personal code (%(date)s).")
                    % {"date": stated_birth.isoformat()}
                ]
            stated_sex = sex_from_code(code)
            if stated_sex and self.sex and stated_sex != self.sex:
                errors["sex"] = [_("The sex does not match the personal code.")]
        if self.date_of_death and self.birth_date and self.date_of_death < self.birth_date:
            errors["date_of_death"] = [_("The date of death cannot come before the birth date.")]
        if errors:
            raise ValidationError(errors)


class GuardianshipKind(models.TextChoices):
    PARENT = "parent", _("parent")
    GUARDIAN = "guardian", _("guardian or curator")


ADULT_AGE = 18


def adult_from(day: dt.date) -> dt.date:
    """The latest birth date of someone who is an adult (18 or older) on `day`."""
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February
        return day.replace(year=day.year - ADULT_AGE, day=28)


class GuardianshipQuerySet(models.QuerySet["Guardianship"]):
    def current(self, day: dt.date | None = None) -> GuardianshipQuerySet:
        """Relations in force on `day` (today by default): valid_from inclusive, valid_to
        exclusive."""
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )

    def of_minors(self, day: dt.date | None = None) -> GuardianshipQuerySet:
        """Relations in force on `day` with a living child under 18 that day: what lets a
        parent see a child's data."""
        day = day or timezone.localdate()
        return self.current(day).filter(
            child__birth_date__gt=adult_from(day), child__date_of_death__isnull=True
        )


class Guardianship(TrackedModel):
    """A parent or guardian of a child, as the population register states it.

    The population register's feed keeps these rows (in demo mode the demo data generates
    them); a parent sees the data of each child under 18 in the citizen portal, and the child
    sees those views in their own "who saw my data".
    """

    guardian = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="wards", verbose_name=_("parent or guardian")
    )
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="guardianships", verbose_name=_("child")
    )
    kind = models.CharField(
        _("relation"), max_length=16, choices=GuardianshipKind.choices, default="parent"
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("The first day the relation no longer holds."),
    )
    source = models.CharField(
        _("source"),
        max_length=64,
        blank=True,
        help_text=_("Where the relation came from, e.g. the population register's feed."),
    )

    objects = GuardianshipQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["child_id", "valid_from", "id"]
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(guardian=models.F("child")), name="guardianship_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="guardianship_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["guardian", "child"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_guardianship_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["guardian", "valid_to"], name="guardianship_guardian")]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.child_id} ({self.kind})"


class PermitKind(models.TextChoices):
    TEMPORARY = "temporary", _("temporary residence permit")
    PERMANENT = "permanent", _("permanent residence permit")
    EU_RESIDENCE = "eu", _("EU citizen's residence certificate")


class ResidencePermit(SourceKeyed, TrackedModel):
    """A foreigner's right to reside in Lithuania, as the foreigners register states it: its
    feed keeps these rows, keyed by the register's permit number (`local_id`)."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="residence_permits",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PermitKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(
        _("until"), null=True, blank=True, help_text=_("The first day the permit no longer holds.")
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["person_id", "valid_from", "id"]
        verbose_name = _("residence permit")
        verbose_name_plural = _("residence permits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="permit_dates_ordered",
            ),
            source_key_unique("permit_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.local_id} ({self.kind})"
