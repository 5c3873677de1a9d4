"""Writes of access control: requests, decisions, roles, pledges, nominations, clients."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import AccessToken, Application, RefreshToken

from edureg.access import scoping
from edureg.access.models import (
    LEVEL_RANK,
    ClientBinding,
    FunctionArea,
    HeiNomination,
    Level,
    PledgeAcceptance,
    PledgeText,
    RequestStatus,
    RoleAssignment,
    ScopeKind,
    UserRequest,
    UserRequestLine,
)
from edureg.access.routing import route_for
from edureg.access.selectors import INSTITUTION_ADMIN_PATHS, REQUEST_PATHS, ROLE_PATHS
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.institutions.models import Institution, Municipality

User = get_user_model()

HEI_GROUPS = frozenset({"university", "college", "foreign-hei-branch"})


def _is_hei(institution: Institution) -> bool:
    group: Any = institution.main_group
    return group.code in HEI_GROUPS


# --- Pledge ---------------------------------------------------------------------------------


@transaction.atomic
def pledge_accept(*, actor: Actor, pledge: PledgeText) -> PledgeAcceptance:
    """The signed-in user accepts this version of the confidentiality pledge."""
    if actor.user is None:
        raise PermissionDenied
    acceptance, _created = PledgeAcceptance.objects.get_or_create(user=actor.user, pledge=pledge)
    actor.user._edureg_pledge_ok = None  # drop the per-request cache
    return acceptance


# --- User requests --------------------------------------------------------------------------


def _clean_lines(lines: Mapping[str, str], institution: Institution, email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("Choose at least one function area.")]
    for area, level in lines.items():
        if area not in FunctionArea.values or level not in Level.values:
            errors.setdefault("lines", []).append(_("Unknown function area or level."))
    if FunctionArea.STUDENT_DATA in lines:
        if not _is_hei(institution):
            errors.setdefault("lines", []).append(
                _("Student data rights are for higher-education institutions only.")
            )
        elif not HeiNomination.objects.filter(
            institution=institution, email__iexact=email
        ).exists():
            errors.setdefault("lines", []).append(
                _(
                    "Student data rights are granted only to persons that the institution "
                    "itself put forward; ask your institution to nominate you."
                )
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_request_submit(
    *,
    actor: Actor,
    institution: Institution,
    position: str,
    lines: Mapping[str, str],
    pledge: PledgeText,
    pledge_accepted: bool,
    phone: str = "",
    new_account: Mapping[str, str] | None = None,
) -> UserRequest:
    """File a request to become a user (or to get more rights), routed automatically.

    Anyone may apply: a newcomer's account is created inactive and is activated only when the
    request is approved. The confidentiality pledge must be accepted in the same step.
    """
    errors: dict[str, list[str]] = {}
    if not pledge_accepted:
        errors["pledge_accepted"] = [_("You must accept the confidentiality pledge.")]
    current = PledgeText.current()
    if current is None or pledge.pk != current.pk:
        errors["pledge_accepted"] = [_("The pledge text has changed; read and accept it again.")]
    if not position.strip():
        errors["position"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)

    with acting_as(actor):
        if actor.user is not None and actor.kind == ActorKind.STAFF:
            applicant = actor.user
        else:
            applicant = _inactive_account_create(new_account or {})
        _clean_lines(lines, institution, applicant.email)
        route = route_for(institution)
        request = UserRequest(
            applicant=applicant,
            institution=institution,
            position=position.strip(),
            phone=phone.strip(),
            approver_scope=route.scope,
            approver_municipality=route.municipality,
            pledge=pledge,
            pledge_accepted_at=timezone.now(),
        )
        request.full_clean()
        request.save()
        UserRequestLine.objects.bulk_create(
            [UserRequestLine(request=request, function_area=a, level=lv) for a, lv in lines.items()]
        )
        PledgeAcceptance.objects.get_or_create(user=applicant, pledge=pledge)
    transaction.on_commit(lambda: _notify_approvers(request))
    return request


def _inactive_account_create(data: Mapping[str, str]) -> Any:
    """The inactive account of a newcomer. A newcomer whose earlier request was rejected
    applies again with the same user name and e-mail: their inactive account is reused."""
    errors: dict[str, list[str]] = {}
    username = (data.get("username") or "").strip()
    email = (data.get("email") or "").strip()
    for key in ("username", "email", "first_name", "last_name", "password"):
        if not (data.get(key) or "").strip():
            errors[key] = [_("This field is required.")]
    reusable = (
        User.objects.filter(username__iexact=username, email__iexact=email, is_active=False)
        .exclude(user_requests__status=RequestStatus.PENDING)
        .first()
        if username and email
        else None
    )
    if reusable is None:
        if username and User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This user name is taken.")]
        if email and User.objects.filter(email__iexact=email).exists():
            errors["email"] = [_("An account with this e-mail exists; sign in and apply from it.")]
    if not errors:
        try:
            validate_password(data["password"], reusable or User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = reusable or User(username=username, email=email, is_active=False)
    user.first_name = data["first_name"].strip()
    user.last_name = data["last_name"].strip()
    user.set_password(data["password"])
    user.save()
    return user


def _approvers_of(request: UserRequest) -> list[str]:
    roles = RoleAssignment.objects.active_on().filter(
        function_area=FunctionArea.USER_ADMIN, level=Level.MANAGER, user__isnull=False
    )
    if request.approver_scope == ScopeKind.MUNICIPALITY:
        roles = roles.filter(
            scope_kind=ScopeKind.MUNICIPALITY, municipality=request.approver_municipality
        )
    else:
        roles = roles.filter(scope_kind=ScopeKind.NATIONAL)
    return sorted({r.user.email for r in roles.select_related("user") if r.user and r.user.email})


def _notify_approvers(request: UserRequest) -> None:
    recipients = _approvers_of(request)
    if recipients:
        send_mail(
            subject=_("New user request for %(institution)s")
            % {"institution": request.institution},
            message=_("A user request is waiting for your decision: %(url)s")
            % {"url": f"/access/requests/{request.public_id}/"},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )


def _notify_applicant(request: UserRequest) -> None:
    applicant = request.applicant
    if not applicant.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if request.status == RequestStatus.APPROVED:
            granted = ", ".join(
                f"{line.get_function_area_display()} ({line.get_granted_level_display()})"
                for line in request.lines.all()
                if line.granted_level
            )
            subject = _("Your request to use the register was approved")
            body = _("Rights granted: %(rights)s. Sign in and set up your second factor.") % {
                "rights": granted
            }
        else:
            subject = _("Your request to use the register was rejected")
            body = _("Reason: %(reason)s") % {"reason": request.rejection_reason}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [applicant.email])


def _request_for_decision(actor: Actor, request: UserRequest) -> UserRequest:
    locked = scoping.get_in_scope(
        UserRequest.objects.all(),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=REQUEST_PATHS.without_owner(),
        level=Level.MANAGER,
        lock=True,
        pk=request.pk,
    )
    if locked.status != RequestStatus.PENDING:
        raise ValidationError({"status": [_("This request has already been decided.")]})
    if locked.applicant_id == getattr(actor.user, "pk", None):
        raise PermissionDenied(_("You cannot decide your own request."))
    return locked


@transaction.atomic
def user_request_approve(
    *,
    actor: Actor,
    request: UserRequest,
    granted: Mapping[str, str] | None = None,
    valid_to: dt.date | None = None,
) -> UserRequest:
    """Approve a request, possibly with fewer rights than asked (a lower level, or an area
    left out). The applicant's account is activated and told by e-mail."""
    request = _request_for_decision(actor, request)
    lines = list(request.lines.all())
    granted = (
        dict(granted) if granted is not None else {line.function_area: line.level for line in lines}
    )
    errors = []
    for line in lines:
        level = granted.get(line.function_area, "")
        if level and LEVEL_RANK[level] > LEVEL_RANK[line.level]:
            errors.append(
                _("More than asked cannot be granted: %(area)s.")
                % {"area": line.get_function_area_display()}
            )
        line.granted_level = level
    if not any(line.granted_level for line in lines):
        errors.append(_("Grant at least one right, or reject the request."))
    if FunctionArea.STUDENT_DATA in {line.function_area for line in lines if line.granted_level}:
        try:
            _clean_lines(
                {FunctionArea.STUDENT_DATA: Level.VIEWER},
                request.institution,
                request.applicant.email,
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"granted": errors})
    with acting_as(actor):
        UserRequestLine.objects.bulk_update(lines, ["granted_level"])
        for line in lines:
            if line.granted_level:
                role = RoleAssignment(
                    user=request.applicant,
                    scope_kind=ScopeKind.INSTITUTION,
                    institution=request.institution,
                    function_area=line.function_area,
                    level=line.granted_level,
                    valid_to=valid_to,
                    request=request,
                )
                role.full_clean()
                role.save()
        request.status = RequestStatus.APPROVED
        request.decided_by = actor.user
        request.decided_at = timezone.now()
        request.save()
        if not request.applicant.is_active:
            request.applicant.is_active = True
            request.applicant.save(update_fields=["is_active"])
    transaction.on_commit(lambda: _notify_applicant(request))
    return request


@transaction.atomic
def user_request_reject(*, actor: Actor, request: UserRequest, reason: str) -> UserRequest:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the rejection.")]})
    request = _request_for_decision(actor, request)
    with acting_as(actor):
        request.status = RequestStatus.REJECTED
        request.rejection_reason = reason.strip()
        request.decided_by = actor.user
        request.decided_at = timezone.now()
        request.save()
    transaction.on_commit(lambda: _notify_applicant(request))
    return request


# --- Roles ----------------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    actor: Actor,
    user: Any = None,
    client: ClientBinding | None = None,
    scope_kind: str,
    function_area: str,
    level: str,
    institution: Institution | None = None,
    municipality: Municipality | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> RoleAssignment:
    """Grant a role directly (back office, set-up, demo data). National and municipality roles
    need a national user administrator; institution roles any user administrator whose scope
    covers the institution."""
    if scope_kind == ScopeKind.INSTITUTION and institution is not None:
        scoping.get_in_scope(
            Institution.objects.all(),
            actor=actor,
            areas=[FunctionArea.USER_ADMIN],
            paths=INSTITUTION_ADMIN_PATHS,
            level=Level.MANAGER,
            pk=institution.pk,
        )
    else:
        scoping.require(actor, FunctionArea.USER_ADMIN, Level.MANAGER, national=True)
    role = RoleAssignment(
        user=user,
        client=client,
        scope_kind=scope_kind,
        institution=institution,
        municipality=municipality,
        function_area=function_area,
        level=level,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    with acting_as(actor):
        role.full_clean()
        role.save()
    return role


@transaction.atomic
def role_revoke(*, actor: Actor, role: RoleAssignment) -> RoleAssignment:
    """End a role today. The row stays (with its history): rights are never deleted."""
    role = scoping.get_in_scope(
        RoleAssignment.objects.all(),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=ROLE_PATHS.without_owner(),
        level=Level.MANAGER,
        lock=True,
        pk=role.pk,
    )
    today = timezone.localdate()
    if role.valid_to is not None and role.valid_to <= today:
        return role
    with acting_as(actor):
        # valid_to is exclusive: ending on the start day leaves an interval that is never active.
        role.valid_to = max(today, role.valid_from)
        role.save()
    return role


# --- HEI nominations ------------------------------------------------------------------------


@transaction.atomic
def hei_nominate(*, actor: Actor, institution: Institution, email: str) -> HeiNomination:
    """An HEI puts a person forward as its Student Register data manager."""
    scoping.get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=scoping.ScopePaths(institution=("pk",)),
        level=Level.MANAGER,
        pk=institution.pk,
    )
    if not _is_hei(institution):
        raise ValidationError({"institution": [_("Only higher-education institutions nominate.")]})
    nomination = HeiNomination(
        institution=institution, email=email.strip().lower(), nominated_by=actor.user
    )
    with acting_as(actor):
        nomination.full_clean()
        nomination.save()
    return nomination


# --- Second factor --------------------------------------------------------------------------


# A wrong code throttles the device (django-otp doubles the wait after each failure); the
# first few wrong codes in a row do not, so that a mistyped code followed at once by the right
# one signs in. From the next failure on, the waits grow as django-otp's throttle makes them.
FREE_WRONG_CODES = 3
BACKUP_CODES = 10


def totp_key_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: Base32 (RFC 4648) in groups of four,
    the same secret the otpauth URI (and its QR code) carries."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def backup_code_hash(code: str) -> str:
    """What the register keeps of a backup code: a keyed hash (HMAC-SHA256 with the site's
    secret key, cut to the width of django-otp's token column), never the code itself. The
    codes are random, so a keyed hash is enough; without the secret key it gives nothing."""
    normalised = code.strip().replace(" ", "").replace("-", "").lower()
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"backup-code:{normalised}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def _verify(device: Any, token: str) -> bool:
    verified = bool(device.verify_token(token))
    if not verified and 0 < device.throttling_failure_count <= FREE_WRONG_CODES:
        # Forgive the wait of the first wrong codes (the count goes on: see FREE_WRONG_CODES).
        type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        device.throttling_failure_timestamp = None
    return verified


class SecondFactorRefused(Exception):
    """The code was not accepted; `message` says why in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _throttled_message(device: Any) -> str | None:
    allowed, _data = device.verify_is_allowed()
    if allowed:
        return None
    seconds = 1
    if device.throttling_failure_timestamp is not None:
        delay = device.get_throttle_factor() * (2 ** (device.throttling_failure_count - 1))
        waited = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
        seconds = max(1, int(delay - waited + 0.999))
    return _("Too many wrong codes. Try again in %(seconds)s s.") % {"seconds": seconds}


def second_factor_verify(*, user: Any, token: str) -> Any:
    """The user's confirmed device that accepts `token` (the caller signs it in), or
    SecondFactorRefused. Six digits are an authenticator (TOTP) code; anything else a one-time
    backup code, kept hashed and used up when accepted. Only that kind of device is tried, so
    failed attempts do not throttle the others. Not one transaction: a refusal must keep the
    failure it counted (django-otp saves each device's count as it verifies)."""
    token = token.strip()
    is_totp = token.isdigit() and len(token) == 6
    kind = TOTPDevice if is_totp else StaticDevice
    candidates = list(kind.objects.filter(user=user, confirmed=True))
    given = token if is_totp else backup_code_hash(token)
    waits = []
    for device in candidates:
        throttled = _throttled_message(device)
        if throttled:
            waits.append(throttled)
            continue
        if _verify(device, given):
            return device
    if waits and len(waits) == len(candidates):
        raise SecondFactorRefused(waits[0])
    raise SecondFactorRefused(_("The code is wrong or has expired."))


@transaction.atomic
def totp_device_start(*, user: Any) -> TOTPDevice:
    """An unconfirmed TOTP device for the user to add to an authenticator app."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows, and issue fresh backup codes (shown
    once, kept hashed). Refused with SecondFactorRefused, outside a transaction so that the
    failure counted stays counted."""
    if device.user_id != user.pk:
        raise SecondFactorRefused(_("The code is wrong or has expired."))
    throttled = _throttled_message(device)
    if throttled:
        raise SecondFactorRefused(throttled)
    if not _verify(device, token.strip()):
        raise SecondFactorRefused(_("The code is wrong or has expired."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return static_codes_issue(user=user)


BACKUP_DEVICE_NAME = "backup"


@transaction.atomic
def static_codes_issue(*, user: Any, count: int = BACKUP_CODES) -> list[str]:
    """Fresh one-time backup codes, replacing any issued before (also how demo users get
    printable second-factor codes). The codes are returned once; the register keeps only
    their hashes (`backup_code_hash`), and each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=backup_code_hash(c)) for c in codes]
    )
    return codes


# --- System clients -------------------------------------------------------------------------


@transaction.atomic
def client_register(
    *,
    actor: Actor,
    name: str,
    institution: Institution,
    rights: Sequence[tuple[str, str]],
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[ClientBinding, str]:
    """Register an institution's information system as an OAuth2 client (client credentials).

    Returns the binding and the client secret, which is shown once and stored only hashed.
    `client_id` and `secret` are generated unless given (the demo client has published ones).
    """
    scoping.get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=INSTITUTION_ADMIN_PATHS,
        level=Level.MANAGER,
        pk=institution.pk,
    )
    secret = secret or secrets.token_urlsafe(32)
    extra = {"client_id": client_id} if client_id else {}
    application = Application.objects.create(
        **extra,
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    with acting_as(actor):
        binding = ClientBinding(application=application, institution=institution, name=name)
        binding.full_clean()
        binding.save()
        for area, level in rights:
            RoleAssignment(
                client=binding,
                scope_kind=ScopeKind.INSTITUTION,
                institution=institution,
                function_area=area,
                level=level,
            ).save()
    return binding, secret


@transaction.atomic
def client_revoke(*, actor: Actor, binding: ClientBinding) -> ClientBinding:
    """Revoke a client: its tokens stop working at once and it gets no new ones."""
    if binding.institution is not None:
        scoping.get_in_scope(
            Institution.objects.all(),
            actor=actor,
            areas=[FunctionArea.USER_ADMIN],
            paths=INSTITUTION_ADMIN_PATHS,
            level=Level.MANAGER,
            pk=binding.institution.pk,
        )
    with acting_as(actor):
        binding.revoked_at = timezone.now()
        binding.save()
    RefreshToken.objects.filter(application=binding.application).delete()
    AccessToken.objects.filter(application=binding.application).delete()
    return binding
