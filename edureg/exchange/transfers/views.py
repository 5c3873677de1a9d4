"""The transfer dashboard page: an institution's data managers see what their systems, files
and feeds sent; the agency sees every institution."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.pickers import PickerField, picker_response
from edureg.core.web import web_actor
from edureg.exchange.import_models import RUN_KIND_CHOICES, ImportFormat
from edureg.exchange.transfers import selectors
from edureg.institutions.models import Institution
from edureg.institutions.pickers import INSTITUTION

PAGE = 50
DAYS_SHOWN = 200  # rows of the per-day table (day × institution × source × channel × kind)
PERIODS = (
    ("7", _("the last 7 days")),
    ("30", _("the last 30 days")),
    ("90", _("the last 90 days")),
    ("365", _("the last year")),
)
STATE_OPEN, STATE_FIXED = "open", "fixed"
RUN_KIND_LABELS = dict(RUN_KIND_CHOICES)


class DashboardForm(forms.Form):
    institution = PickerField(
        picker=INSTITUTION,
        queryset=Institution.objects.none(),
        url="exchange:transfers-pick-institution",
        label=_("Institution"),
        required=False,
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    state = forms.ChoiceField(
        label=_("Refused records"),
        choices=(
            ("", _("all")),
            (STATE_OPEN, _("not fixed yet")),
            (STATE_FIXED, _("fixed since")),
        ),
        required=False,
    )

    def __init__(self, *args, actor, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = selectors.dashboard_institutions(actor)  # type: ignore[attr-defined]


def _readable(day: dict[str, Any]) -> dict[str, Any]:
    """A row of the per-day table with its channel and kind in words."""
    if day["file_format"] == ImportFormat.API:
        channel = _("API call")
    else:
        channel = _("%(format)s file") % {"format": ImportFormat(day["file_format"]).label}
    return {
        **day,
        "channel": channel,
        "kind_label": RUN_KIND_LABELS.get(day["kind"], day["kind"]),
        # A feed's run belongs to no institution: the register that sent it is its source.
        "institution": day["institution__name_lt"] or _("another register's feed"),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    institutions = selectors.dashboard_institutions(actor)
    if not institutions.exists():
        raise PermissionDenied
    form = DashboardForm(request.GET or None, actor=actor)
    chosen = form.cleaned_data if form.is_valid() else {}
    days = int(chosen.get("period") or "30")
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    runs = selectors.runs_in_view(actor, since=since, institution=chosen.get("institution"))
    refused = selectors.refused_rows(runs)
    if chosen.get("state") == STATE_OPEN:
        refused = refused.filter(fixed=False)
    elif chosen.get("state") == STATE_FIXED:
        refused = refused.filter(fixed=True)
    page = Paginator(refused, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "days": days,
        "totals": [_readable(day) for day in selectors.daily_totals(runs)[:DAYS_SHOWN]],
        "errors": selectors.error_groups(runs),
        "page_obj": page,
        "query_string": query.urlencode(),
        # The agency reads every institution's and the feeds': it needs the column.
        "many_institutions": selectors.reads_every_institution(actor)
        or institutions[:2].count() > 1,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "exchange/transfers/dashboard.html", context, status=status)


@login_required
def institution_pick(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    return picker_response(request, selectors.dashboard_institutions(actor), INSTITUTION)
