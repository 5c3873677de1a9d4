"""Forms of the archive's pages: a lawful search and a restore."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edureg.archive.models import LegalBasis


class ArchiveSearchForm(forms.Form):
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=[("", "—"), *LegalBasis.choices]
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=160,
        help_text=_("The request's number and who asked, e.g. “Court ruling 2-123/2031”."),
    )
    personal_code = forms.CharField(label=_("Personal code"), max_length=11, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ArchiveRestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for restoring"), max_length=160, widget=forms.Textarea(attrs={"rows": 2})
    )
