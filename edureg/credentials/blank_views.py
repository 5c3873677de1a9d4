"""Blank pages: the agency records the ranges it receives from the printer and allocates ranges
to institutions (a municipality to its own); a school or the allocator writes off a spoiled or
lost blank. Each form is one POST calling one service of `credentials.blanks`; writing off asks
for a confirmation, since it cannot be undone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from edureg.core.context import Actor
from edureg.core.forms import DATE, ValueChoiceField
from edureg.core.models import ClassifierValue
from edureg.core.web import add_service_errors, query_string_without_page, web_actor
from edureg.credentials import blanks
from edureg.credentials.models import Blank, BlankStatus, BlankType
from edureg.institutions.models import Institution

PAGE_SIZE = 50


class _RangeForm(forms.Form):
    blank_type = forms.ModelChoiceField(
        label=gettext_lazy("Blank type"), queryset=BlankType.objects.order_by("code")
    )
    series = forms.CharField(
        label=gettext_lazy("Series"),
        max_length=8,
        help_text=gettext_lazy("As printed on the blanks, e.g. BA."),
    )
    first_number = forms.IntegerField(label=gettext_lazy("First number"), min_value=1)
    last_number = forms.IntegerField(label=gettext_lazy("Last number"), min_value=1)


class ReceiveForm(_RangeForm):
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DATE)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("e.g. the printer's delivery note number"),
    )


class AllocateForm(_RangeForm):
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.none()
    )
    allocated_on = forms.DateField(label=gettext_lazy("Allocated on"), widget=DATE)

    field_order = ["institution", "blank_type", "series", "first_number", "last_number"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = blanks.institutions_to_allocate_to(actor=actor)


@login_required
@require_http_methods(["GET", "POST"])
def blank_receipts(request: HttpRequest) -> HttpResponse:
    """The agency's blank stock: the ranges received, what is still in stock, and a form to
    record a new delivery."""
    actor = web_actor(request)
    if not blanks.receipts_seen(actor=actor).exists() and not blanks.receives_blanks(actor):
        raise Http404
    today = timezone.localdate()
    form = ReceiveForm(request.POST or None, initial={"received_on": today})
    if request.method == "POST":
        if not blanks.receives_blanks(actor):
            raise Http404
        if form.is_valid():
            try:
                receipt = blanks.blanks_receive(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded %(count)s blanks received: %(range)s.")
                    % {"count": receipt.count, "range": receipt},
                )
                return redirect("credentials:blank-receipts")
    page = Paginator(blanks.receipts_seen(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/blank_receipts.html",
        {
            "form": form if blanks.receives_blanks(actor) else None,
            "stock": blanks.stock(actor=actor),
            "page_obj": page,
            "query_string": query_string_without_page(request),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def blank_allocations(request: HttpRequest) -> HttpResponse:
    """Allocations of blank ranges to institutions, and a form to allocate a range in stock."""
    actor = web_actor(request)
    seen = blanks.allocations_seen(actor=actor)
    may_allocate = blanks.institutions_to_allocate_to(actor=actor).exists()
    if not may_allocate and not blanks.institutions_for_blank_report(actor=actor).exists():
        raise Http404
    form = AllocateForm(
        request.POST or None, actor=actor, initial={"allocated_on": timezone.localdate()}
    )
    if request.method == "POST":
        if not may_allocate:
            raise Http404
        if form.is_valid():
            try:
                allocation = blanks.blanks_allocate(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Allocated %(count)s blanks (%(range)s) to %(institution)s.")
                    % {
                        "count": allocation.count,
                        "range": allocation,
                        "institution": allocation.institution,
                    },
                )
                return redirect("credentials:blank-allocations")
    page = Paginator(seen, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/blank_allocations.html",
        {
            "form": form if may_allocate else None,
            "stock": blanks.stock(actor=actor) if may_allocate else [],
            "page_obj": page,
            "query_string": query_string_without_page(request),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


class WriteOffForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.none()
    )
    blank_type = forms.ModelChoiceField(
        label=gettext_lazy("Blank type"), queryset=BlankType.objects.order_by("code")
    )
    series = forms.CharField(label=gettext_lazy("Series"), max_length=8)
    number = forms.IntegerField(label=gettext_lazy("Number"), min_value=1)
    status = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[
            (BlankStatus.SPOILED, gettext_lazy("spoiled")),
            (BlankStatus.LOST, gettext_lazy("lost")),
        ],
        widget=forms.RadioSelect,
    )
    reason = ValueChoiceField(queryset=ClassifierValue.objects.none(), label=gettext_lazy("Reason"))
    on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that a written-off blank can never be used and this cannot be undone."
        ),
        required=True,
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = blanks.institutions_to_write_off_at(actor=actor)
        self.fields["reason"].queryset = ClassifierValue.objects.of(  # type: ignore[attr-defined]
            "blank-write-off-reason"
        ).valid_on(timezone.localdate())

    def blank(self) -> Blank:
        data = self.cleaned_data
        blank = Blank.objects.filter(
            institution=data["institution"],
            blank_type=data["blank_type"],
            series=data["series"].strip().upper(),
            number=data["number"],
        ).first()
        if blank is None:
            raise ValidationError(
                {"number": [_("The institution has no blank of this type, series and number.")]}
            )
        return blank


@login_required
@require_http_methods(["GET", "POST"])
def blank_write_off(request: HttpRequest) -> HttpResponse:
    """Write off a spoiled or lost blank on hand (confirmed: it cannot be undone)."""
    actor = web_actor(request)
    institutions = blanks.institutions_to_write_off_at(actor=actor)
    if not institutions.exists():
        raise Http404
    initial: dict[str, Any] = {"on": timezone.localdate()}
    if institutions.count() == 1:
        initial["institution"] = institutions.first()
    form = WriteOffForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blank = blanks.blank_write_off(
                actor=actor,
                blank=form.blank(),
                status=data["status"],
                reason=data["reason"],
                on=data["on"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Blank %(blank)s was written off as %(status)s.")
                % {"blank": blank, "status": blank.get_status_display()},
            )
            return redirect("credentials:blank-write-off")
    page = Paginator(
        blanks.written_off_seen(actor=actor).order_by("-written_off_on", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/blank_write_off.html",
        {"form": form, "page_obj": page, "query_string": query_string_without_page(request)},
        status=400 if form.is_bound and form.errors else 200,
    )
