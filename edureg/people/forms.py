from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core.forms import DATE, country_choices
from edureg.people.identity import validate_personal_code
from edureg.people.models import Sex


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


class NewPersonForm(forms.Form):
    """A person the register does not know yet. With a personal code, the birth date and sex
    are taken from it; a foreigner without a code gives them."""

    personal_code = forms.CharField(
        required=False, max_length=11, widget=forms.HiddenInput, validators=[validate_personal_code]
    )
    given_names = forms.CharField(label=_("Given names"), max_length=200)
    family_name = forms.CharField(label=_("Family name"), max_length=200)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    citizenship = forms.ChoiceField(label=_("Citizenship"), initial="LT", choices=country_choices)

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            # The code states these; the service fills them in.
            for name in ("birth_date", "sex"):
                del self.fields[name]
        else:
            del self.fields["personal_code"]
            self.fields["birth_date"].required = True
            self.fields["sex"].required = True
            self.fields["citizenship"].initial = ""

    def person_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("personal_code"):
            data.pop("personal_code", None)
        return data
