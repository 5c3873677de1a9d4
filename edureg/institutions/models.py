"""Municipalities, counties and education institutions (ŠMIR-like)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.core.fields import ClassifierField
from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel, localized_name
from edureg.institutions.validators import validate_jar_code


class County(models.Model):
    """One of the 10 counties (apskritys), ISO 3166-2:LT, loaded from pycountry."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=8, unique=True)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["name_lt"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return localized_name(self)


class MunicipalityKind(models.TextChoices):
    CITY = "city", _("city municipality")
    DISTRICT = "district", _("district municipality")
    MUNICIPALITY = "municipality", _("municipality")


class Municipality(models.Model):
    """One of the 60 municipalities (savivaldybės), ISO 3166-2:LT, loaded from pycountry."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=8, unique=True)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=MunicipalityKind.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )

    class Meta:
        ordering = ["name_lt"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return localized_name(self)


class FounderType(models.TextChoices):
    """Priklausomybė. It decides who approves the institution's user requests."""

    MUNICIPAL = "municipal", _("municipal")
    STATE = "state", _("state")
    NON_STATE = "non_state", _("non-state")


class InstitutionKind(models.TextChoices):
    INSTITUTION = "institution", _("institution")
    BRANCH = "branch", _("branch")
    FREE_TEACHER = "free_teacher", _("free teacher")
    FOREIGN_HEI_BRANCH = "foreign_hei_branch", _("foreign HEI branch")


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def active_on(self, day: object) -> InstitutionQuerySet:
        return self.filter(
            models.Q(deregistered_on__isnull=True) | models.Q(deregistered_on__gt=day),
            registered_on__lte=day,
        )


class Institution(TrackedModel):
    """An education provider, a branch (padalinys) of one, or a free teacher."""

    register_id = models.CharField(
        _("register id"),
        max_length=16,
        unique=True,
        help_text=_("The institution's identifier in this register."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=24,
        choices=InstitutionKind.choices,
        default=InstitutionKind.INSTITUTION,
    )
    jar_code = models.CharField(
        _("legal-entity code"),
        max_length=9,
        blank=True,
        validators=[validate_jar_code],
        help_text=_("Code in the Register of Legal Entities (JAR); branches use the parent's."),
    )
    branch_code = models.CharField(_("branch code"), max_length=16, blank=True)
    name_lt = models.CharField(_("name (Lithuanian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    main_group = ClassifierField(
        "institution-group", verbose_name=_("main group"), on_delete=models.PROTECT
    )
    main_type = ClassifierField(  # type: ignore[misc]  # stubs cannot see null=True via a subclass
        "institution-type",
        verbose_name=_("main type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    founder_type = models.CharField(_("founder type"), max_length=16, choices=FounderType.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("municipality"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("parent institution"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    registered_on = models.DateField(_("registered on"))
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)

    objects = InstitutionQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name_lt"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            # A legal entity is registered once; its branches share its code and are told apart
            # by the branch code.
            models.UniqueConstraint(
                fields=["jar_code"],
                condition=models.Q(kind="institution") & ~models.Q(jar_code=""),
                name="institution_jar_code_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="branch") | models.Q(parent__isnull=False),
                name="institution_branch_has_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(deregistered_on__isnull=True)
                | models.Q(deregistered_on__gte=models.F("registered_on")),
                name="institution_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "founder_type"], name="inst_muni_founder")]

    def __str__(self) -> str:
        return localized_name(self)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, list[Any]] = {}
        if self.kind == InstitutionKind.BRANCH and self.parent_id is None:
            errors.setdefault("parent", []).append(_("A branch needs its parent institution."))
        if (
            self.kind in (InstitutionKind.INSTITUTION, InstitutionKind.FOREIGN_HEI_BRANCH)
            and not self.jar_code
        ):
            errors.setdefault("jar_code", []).append(
                _("An institution needs its legal-entity code.")
            )
        if self.parent_id is not None and self.parent_id == self.pk:
            errors.setdefault("parent", []).append(_("An institution cannot be its own parent."))
        if (
            self.deregistered_on is not None
            and self.registered_on is not None
            and self.deregistered_on < self.registered_on
        ):
            errors.setdefault("deregistered_on", []).append(
                _("Deregistration cannot come before registration.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.deregistered_on is None
