"""What the statistics app keeps: open-data publications and the per-pupil funding calculation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edureg.statistics.funding.models import (  # noqa: F401  (Django finds models here)
    FundingCoefficient,
    FundingRuleSet,
    FundingRun,
    FundingRunLine,
)


class Publication(models.Model):
    """One published version of an open-data dataset: its files and how many rows each has.

    The newest publication of a dataset is what the public page serves; the one before it is
    kept beside it (and older ones removed), so a reader can compare and a bad run can be seen.
    """

    dataset = models.CharField(_("dataset"), max_length=200)
    published_at = models.DateTimeField(_("published at"))
    directory = models.CharField(_("directory"), max_length=300)
    tables = models.JSONField(_("rows per table"), default=dict)

    class Meta:
        ordering = ["dataset", "-published_at", "-pk"]
        verbose_name = _("open-data publication")
        verbose_name_plural = _("open-data publications")
        indexes = [models.Index(fields=["dataset", "-published_at"], name="publication_latest")]

    def __str__(self) -> str:
        return f"{self.dataset} {self.published_at:%Y-%m-%d %H:%M}"


class ResearchExtract(models.Model):
    """An analysts' pseudonymised extract: who asked, under which agreement, for what, and how
    many people it held (the file itself belongs to the requester's job)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    school_year = models.PositiveSmallIntegerField(_("school year"))
    agreement = models.CharField(_("data-exchange agreement"), max_length=200)
    purpose = models.TextField(_("purpose of the research"))
    people = models.PositiveIntegerField(_("people in the extract"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("research extract")
        verbose_name_plural = _("research extracts")
        # `add` is the permission the back office gives to the analysts of an agreement.
        default_permissions = ("add", "view")
        permissions = [("create_researchextract", _("May request pseudonymised research extracts"))]

    def __str__(self) -> str:
        return f"{self.agreement} {self.school_year}"
