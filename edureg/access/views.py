"""Web pages of access control: sign-in with a second factor, the pledge, user requests and
their decision, users of an institution."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from edureg.access import selectors, services
from edureg.access.forms import (
    DecisionForm,
    NominationForm,
    RequestFilterForm,
    TokenForm,
    UserRequestForm,
)
from edureg.access.models import FunctionArea, Level, PledgeText
from edureg.access.session import forget_safeguards
from edureg.core.context import Actor
from edureg.core.pickers import picker_response
from edureg.core.transactions import dry_run
from edureg.core.web import confirmation_page, is_confirmed
from edureg.institutions.models import Institution
from edureg.institutions.pickers import INSTITUTION

PAGE_SIZE = 50


class StaffLoginView(auth_views.LoginView):
    """Step one: user name and password (django-axes counts failures).

    Step two follows at once for whoever holds rights on personal data: the safeguards
    middleware sends them to the second-factor page, and to the pledge after it.
    """

    template_name = "core/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enter the second-factor code, or set up an authenticator app on first use."""
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return redirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    has_device = any(True for _ in devices_for_user(user, confirmed=True))
    if has_device:
        if request.method == "POST" and form.is_valid():
            try:
                device = services.second_factor_verify(user=user, token=form.cleaned_data["token"])
            except services.SecondFactorRefused as refused:
                form.add_error("token", refused.message)
            else:
                otp_login(request, device)
                return redirect(_safe_next(request))
        return render(request, "access/second_factor_verify.html", {"form": form})

    device = TOTPDevice.objects.filter(
        user=user, confirmed=False
    ).first() or services.totp_device_start(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except services.SecondFactorRefused as refused:
            form.add_error("token", refused.message)
        else:
            otp_login(request, device)
            messages.success(request, _("The second factor is set up."))
            # The backup codes are shown this once; the register keeps only their hashes.
            return render(
                request,
                "access/second_factor_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=4)
    return render(
        request,
        "access/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": buffer.getvalue().decode(),
            "secret": services.totp_key_base32(device),
        },
    )


@login_required
def pledge(request: HttpRequest) -> HttpResponse:
    current = PledgeText.current()
    if current is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("accept") == "yes":
            services.pledge_accept(actor=Actor.for_user(request.user), pledge=current)
            forget_safeguards(request)
            return redirect(_safe_next(request))
        messages.error(request, _("You must accept the confidentiality pledge."))
    return render(request, "access/pledge.html", {"pledge": current})


def pledge_print(request: HttpRequest) -> HttpResponse:
    current = PledgeText.current()
    if current is None:
        raise Http404
    return render(request, "access/pledge_print.html", {"pledge": current})


def apply(request: HttpRequest) -> HttpResponse:
    """The user-request form ("prašymas tapti registro naudotoju")."""
    actor = Actor.for_user(request.user)
    signed_in = request.user.is_authenticated
    current = PledgeText.current()
    form = UserRequestForm(request.POST or None, signed_in=signed_in)
    if request.method == "POST" and form.is_valid() and current is not None:
        data = form.cleaned_data
        try:
            user_request = services.user_request_submit(
                actor=actor,
                institution=data["institution_code"],
                position=data["position"],
                phone=data.get("phone", ""),
                lines=form.chosen_rights(),
                pledge=current,
                pledge_accepted=data["pledge_accepted"],
                new_account=None
                if signed_in
                else {
                    k: data[k] for k in ("username", "email", "first_name", "last_name", "password")
                },
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            return render(request, "access/apply_done.html", {"user_request": user_request})
    return render(request, "access/apply.html", {"form": form, "pledge": current})


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    filters = RequestFilterForm(request.GET or None)
    status = institution = ""
    if filters.is_valid():
        status, institution = filters.cleaned_data["status"], filters.cleaned_data["institution"]
    requests = selectors.user_request_list(
        actor=actor, status=status, institution_query=institution
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "access/request_list.html",
        {"filters": filters, "page_obj": page, "query_string": params.urlencode()},
    )


def _decide(actor: Actor, user_request: Any, form: DecisionForm) -> Callable[[], object]:
    """The decision the form asks for, as a service call."""
    data = form.cleaned_data
    if data["decision"] == "approve":
        return lambda: services.user_request_approve(
            actor=actor,
            request=user_request,
            granted=form.chosen_rights(),
            valid_to=data["valid_to"],
        )
    return lambda: services.user_request_reject(
        actor=actor, request=user_request, reason=data["reason"]
    )


def _decision_consequences(user_request: Any, form: DecisionForm) -> list[str]:
    """What the decision will do, in the words of the confirmation page."""
    data = form.cleaned_data
    applicant = user_request.applicant.get_full_name() or user_request.applicant.username
    if data["decision"] == "reject":
        return [
            _("The request of %(name)s is rejected; the account stays inactive.")
            % {"name": applicant},
            _("Reason: %(reason)s") % {"reason": data["reason"].strip()},
            _("%(name)s is told of the decision and its reason by e-mail.") % {"name": applicant},
        ]
    areas = dict(FunctionArea.choices)
    levels = dict(Level.choices)
    rights = "; ".join(
        f"{areas[area]} ({levels[level]})" for area, level in form.chosen_rights().items()
    )
    consequences = [
        _("%(name)s gets these rights at %(institution)s: %(rights)s.")
        % {"name": applicant, "institution": user_request.institution, "rights": rights},
    ]
    if data["valid_to"]:
        consequences.append(
            _("The rights are valid until %(date)s.") % {"date": data["valid_to"].isoformat()}
        )
    consequences.append(
        _("The account is activated and %(name)s is told by e-mail.") % {"name": applicant}
    )
    return consequences


@login_required
def request_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = Actor.for_user(request.user)
    user_request = selectors.user_request_get(actor=actor, public_id=public_id)
    asked = {line.function_area: line.level for line in user_request.lines.all()}
    form = DecisionForm(request.POST or None, asked=asked)
    may_decide = user_request.status == "pending" and user_request.applicant_id != request.user.pk
    if request.method == "POST":
        if not may_decide:
            raise Http404
        if form.is_valid():
            decide = _decide(actor, user_request, form)
            try:
                if not is_confirmed(request):
                    # A decision cannot be taken back: one that would go through is put to the
                    # approver with what it does; a refusal lands on the form (#16 item 6).
                    dry_run(decide)
                    approving = form.cleaned_data["decision"] == "approve"
                    return confirmation_page(
                        request,
                        title=_("Confirm the decision"),
                        consequences=_decision_consequences(user_request, form),
                        action_url=request.path,
                        back_url=request.path,
                        confirm_label=_("Approve the request")
                        if approving
                        else _("Reject the request"),
                    )
                decide()
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        form.add_error(None, error)
            else:
                if form.cleaned_data["decision"] == "approve":
                    messages.success(request, _("The request was approved."))
                else:
                    messages.success(request, _("The request was rejected."))
                return redirect("access:request-detail", public_id=user_request.public_id)
    return render(
        request,
        "access/request_detail.html",
        {"user_request": user_request, "form": form, "may_decide": may_decide},
    )


@login_required
def institution_users(request: HttpRequest, register_id: str) -> HttpResponse:
    actor = Actor.for_user(request.user)
    institution = selectors.institution_for_user_admin(actor=actor, register_id=register_id)
    users = selectors.institution_users(actor=actor, institution=institution)
    may_manage = selectors.may_administer_users(actor=actor, institution=institution)
    nomination_form = NominationForm(request.POST or None)
    if request.method == "POST" and nomination_form.is_valid():
        try:
            services.hei_nominate(
                actor=actor, institution=institution, email=nomination_form.cleaned_data["email"]
            )
            messages.success(request, _("The person was put forward."))
            return redirect("access:institution-users", register_id=register_id)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    nomination_form.add_error(None, error)
    return render(
        request,
        "access/institution_users.html",
        {
            "institution": institution,
            "users": users,
            "may_manage": may_manage,
            "nomination_form": nomination_form,
            "is_hei": services._is_hei(institution),
        },
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.for_user(request.user)
    role = selectors.role_get(actor=actor, pk=pk)
    back = (
        reverse("access:institution-users", args=[role.institution.register_id])
        if role.institution is not None
        else reverse("home")
    )
    if not is_confirmed(request):
        # Only a revocation that would go through is put to confirm (a viewer still gets 403)
        dry_run(lambda: services.role_revoke(actor=actor, role=role))
        holder = role.user.get_full_name() or role.user.username
        where = role.institution or role.municipality or _("the whole country")
        return confirmation_page(
            request,
            title=_("Confirm revoking the right"),
            consequences=[
                _("%(name)s loses the right “%(area)s” (%(level)s) at %(where)s from now on.")
                % {
                    "name": holder,
                    "area": role.get_function_area_display(),
                    "level": role.get_level_display(),
                    "where": where,
                },
                _("Giving it back takes a new request and a new decision."),
            ],
            action_url=request.path,
            back_url=back,
            confirm_label=_("Revoke the right"),
        )
    services.role_revoke(actor=actor, role=role)
    messages.success(request, _("The right was revoked."))
    return redirect(back)


@login_required
def my_rights(request: HttpRequest) -> HttpResponse:
    return render(
        request, "access/my_rights.html", {"roles": selectors.my_roles(user=request.user)}
    )


def institution_pick(request: HttpRequest) -> HttpResponse:
    """The institution picker of the access request form: institutions are public, and the
    form is for people without an account yet."""
    queryset = Institution.objects.filter(deregistered_on__isnull=True)
    return picker_response(request, queryset, INSTITUTION)
