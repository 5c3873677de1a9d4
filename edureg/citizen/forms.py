"""Forms of the citizen portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from edureg.core.forms import DATE


class PeriodForm(forms.Form):
    """A period of days to show (both ends inclusive, either may be left open)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot come before its start."))
        return data


class ShareLinkForm(forms.Form):
    """Choose the records to share, a note and until when the link opens."""

    keys = forms.MultipleChoiceField(
        label=_("Records to share"), widget=forms.CheckboxSelectMultiple, required=False
    )
    label = forms.CharField(
        label=_("Note"),
        max_length=100,
        required=False,
        help_text=_("For whom or why, so that you recognise the link later."),
    )
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args: Any, entries: Any = (), latest: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [
            (e.key, f"{capfirst(e.kind_label)}: {e.title}{f' ({e.period})' if e.period else ''}")
            for e in entries
            if not e.parent
        ]
        if latest is not None:
            self.fields["expires_on"].help_text = _("At the latest %(date)s.") % {
                "date": latest.isoformat()
            }
            self.fields["expires_on"].widget.attrs["max"] = latest.isoformat()


class CorrectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What is wrong, and what should it say?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )


class CorrectionAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            ("corrected", _("Corrected: the record was changed in the register")),
            ("answered", _("Answered: an explanation, nothing to change")),
            ("declined", _("Declined, with the reason")),
        ],
    )
    answer = forms.CharField(
        label=_("Answer to the person"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
