from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.people.identity import validate_personal_code


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=100)


class PersonalCodeLookupForm(forms.Form):
    """Look a person up by personal code. Sent by POST so that the code never enters a URL."""

    personal_code = forms.CharField(
        label=_("Personal code"), max_length=11, validators=[validate_personal_code]
    )


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("Show as of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
