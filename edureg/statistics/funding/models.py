"""Funding rule sets (data the agency edits), and dated runs with one line per pupil.

A rule set is versioned: (school year, version). Once a run has used a version it is frozen —
the back office refuses to change it — so an old run can always be explained by the rules it
used; a change is a new version, which only new runs pick up.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel


class Factor(models.TextChoices):
    """What a coefficient depends on, and how its key reads."""

    PROGRAMME_LEVEL = "programme_level", _("programme level")
    CLASS_SIZE = "class_size", _("class size band")
    SPECIAL_NEEDS = "special_needs", _("special educational needs level")
    MINORITY_LANGUAGE = "minority_language", _("minority language of instruction")
    SMALL_SCHOOL = "small_school", _("small school")
    RURAL = "rural", _("school in a district municipality")


class FundingRuleSet(TrackedModel):
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2025 for 2025–2026.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    base_amount = models.DecimalField(
        _("base amount per pupil, €"),
        max_digits=10,
        decimal_places=2,
        help_text=_("The yearly amount of one pupil before the coefficients."),
    )
    nvs_basket_amount = models.DecimalField(
        _("NVŠ basket per pupil and month, €"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    note = models.TextField(_("note"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-school_year", "-version"]
        verbose_name = _("funding rule set")
        verbose_name_plural = _("funding rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "version"], name="funding_rule_set_version_once"
            ),
            models.CheckConstraint(
                condition=models.Q(base_amount__gte=0) & models.Q(nvs_basket_amount__gte=0),
                name="funding_rule_set_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year}–{self.school_year + 1}, v{self.version})"

    @property
    def used(self) -> bool:
        return self.pk is not None and self.runs.exists()


class FundingCoefficient(models.Model):
    """A multiplier the rule set applies when its factor's key matches the pupil.

    Keys by factor: programme level — pre-school, pre-primary, primary, basic, secondary; class
    size band — "from-to" pupils in the class ("1-10", "26-"); special needs — the code of the
    level; minority language — "minority"; small school — the largest pupil count that is still
    small ("150"); rural — "district".
    """

    rule_set = models.ForeignKey(
        FundingRuleSet, on_delete=models.CASCADE, related_name="coefficients"
    )
    factor = models.CharField(_("factor"), max_length=24, choices=Factor.choices)
    key = models.CharField(_("applies to"), max_length=32)
    multiplier = models.DecimalField(_("coefficient"), max_digits=6, decimal_places=4)

    history = AuditedHistory()

    class Meta:
        ordering = ["rule_set", "factor", "key"]
        verbose_name = _("coefficient")
        verbose_name_plural = _("coefficients")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "factor", "key"], name="funding_coefficient_once"
            ),
            models.CheckConstraint(
                condition=models.Q(multiplier__gt=0), name="funding_coefficient_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_factor_display()} {self.key}: {self.multiplier}"


class FundingRun(models.Model):
    """A calculation for a date and a school or a municipality, with the rule version used."""

    rule_set = models.ForeignKey(
        FundingRuleSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("rules")
    )
    calculated_for = models.DateField(_("calculated for"))
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    municipality = models.ForeignKey(
        "institutions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    created_at = models.DateTimeField(_("calculated at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pupils = models.PositiveIntegerField(_("pupils"), default=0)
    total = models.DecimalField(_("per-pupil funding, €"), max_digits=14, decimal_places=2)
    nvs_pupil_months = models.PositiveIntegerField(_("NVŠ basket pupil-months"), default=0)
    nvs_total = models.DecimalField(_("NVŠ basket, €"), max_digits=14, decimal_places=2)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("funding calculation")
        verbose_name_plural = _("funding calculations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) | models.Q(municipality__isnull=True),
                name="funding_run_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.calculated_for}"

    @property
    def scope_name(self) -> str:
        return str(self.institution or self.municipality or _("the whole country"))


class LineKind(models.TextChoices):
    PUPIL = "pupil", _("per-pupil funding")
    NVS = "nvs", _("NVŠ basket")


class FundingRunLine(models.Model):
    """One pupil's amount in a run, with every step that made it (`explanation`)."""

    run = models.ForeignKey(FundingRun, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount, €"), max_digits=12, decimal_places=2)
    explanation = models.JSONField(_("explanation"), default=list)

    class Meta:
        ordering = ["run", "institution_id", "person_id", "kind"]
        verbose_name = _("funding line")
        indexes = [models.Index(fields=["run", "institution"], name="funding_line_run_inst")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.person_id} {self.amount}"
