"""Web pages of the funding calculation: the runs, a new run, and one run explained."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edureg.access.models import Level
from edureg.access.scoping import grant
from edureg.core.forms import DATE
from edureg.core.web import add_service_errors, web_actor
from edureg.institutions.models import Institution, Municipality
from edureg.people.models import Person
from edureg.people.selectors import persons_shown
from edureg.statistics.funding import selectors, services
from edureg.statistics.funding.models import Factor, FundingRunLine, LineKind

PAGE_SIZE = 50
FACTOR_NAMES = dict(Factor.choices)


class RunForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Calculate for the date"), widget=DATE)
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    institution = forms.ModelChoiceField(
        label=gettext_lazy("or one school"), queryset=Institution.objects.none(), required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = grant(actor, [services.AREA], Level.MANAGER)
        municipalities = Municipality.objects.order_by("name_lt")
        schools = Institution.objects.filter(main_group__code__in=("school", "preschool"))
        if not given.national:
            municipalities = municipalities.filter(pk__in=given.municipality_ids)
            schools = schools.filter(pk__in=given.institution_ids) | schools.filter(
                municipality_id__in=given.municipality_ids
            )
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["institution"].queryset = schools.order_by("name_lt")  # type: ignore[attr-defined]
        self.fields["on"].initial = timezone.localdate()


def _actor_with_area(request: HttpRequest) -> Any:
    actor = web_actor(request)
    if grant(actor, [services.AREA]).empty:
        raise PermissionDenied(_("You have no right to see the funding calculation."))
    return actor


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    actor = _actor_with_area(request)
    may_run = not grant(actor, [services.AREA], Level.MANAGER).empty
    form = RunForm(request.POST or None, actor=actor) if may_run else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = services.funding_run_create(
                    actor=actor,
                    on=form.cleaned_data["on"],
                    institution=form.cleaned_data["institution"],
                    municipality=None
                    if form.cleaned_data["institution"]
                    else form.cleaned_data["municipality"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("statistics:funding-run", pk=run.pk)
    runs = Paginator(selectors.funding_runs(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "statistics/funding_list.html",
        {"form": form, "page_obj": runs, "runs": list(runs.object_list)},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _by_institution(run: Any) -> dict[int, dict[str, Any]]:
    return {
        row["institution"]: row
        for row in FundingRunLine.objects.filter(run=run, kind=LineKind.PUPIL)
        .values("institution")
        .annotate(pupils=Count("pk"), total=Sum("amount"))
        .order_by()
    }


def _steps(line: FundingRunLine) -> list[dict[str, Any]]:
    shown = []
    for step in line.explanation.get("steps", []):
        factor = step["factor"]
        shown.append(
            {
                "name": _("base amount") if factor == "base" else FACTOR_NAMES.get(factor, factor),
                "key": step.get("key", ""),
                "multiplier": step.get("multiplier", ""),
                "amount": Decimal(step["amount"]),
            }
        )
    return shown


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor_with_area(request)
    run = selectors.funding_run_get(actor=actor, pk=pk)
    current = _by_institution(run)
    before = _by_institution(run.previous) if run.previous else {}
    names = Institution.objects.in_bulk(set(current) | set(before))
    schools = [
        {
            "name": names[key],
            "pupils": current.get(key, {}).get("pupils", 0),
            "total": current.get(key, {}).get("total") or Decimal(0),
            "before": (before.get(key, {}).get("total") or Decimal(0)) if run.previous else None,
        }
        for key in sorted(set(current) | set(before), key=lambda k: names[k].name_lt)
    ]
    for school in schools:
        if school["before"] is not None:
            school["change"] = school["total"] - school["before"]
    lines = (
        FundingRunLine.objects.filter(run=run)
        .select_related("institution")
        .order_by("kind", "institution__name_lt", "person_id", "pk")
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    people = Person.objects.in_bulk([line.person_id for line in shown])
    persons_shown(actor=actor, persons=list(people.values()), what="funding.run")
    rows = [
        {"line": line, "person": people[line.person_id], "steps": _steps(line)} for line in shown
    ]
    return render(
        request,
        "statistics/funding_run.html",
        {
            "run": run,
            "schools": schools,
            "rows": rows,
            "page_obj": page,
            "change": run.total - run.previous.total if run.previous else None,
        },
    )
