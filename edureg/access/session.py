"""What a signed-in user's web requests would otherwise re-read every time, kept in the session.

Every request of a staff user needs their roles, whether their second factor is verified, whether
they accepted the current confidentiality pledge, the branches of the institutions they work for
and whether they are a citizen; read from the database, that is five to seven statements before
the page's own. They are read once and kept in the session, and read again when the session is
refreshed.

The session is refreshed — saved, which starts its inactivity timeout (`SESSION_COOKIE_AGE`)
again — when `SESSION_REFRESH_SECONDS` have passed since the last refresh, not on every request:
a session then ends between `SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS` and
`SESSION_COOKIE_AGE` after the last request. A role granted or revoked, a second-factor device
removed or a new pledge version take effect within `SESSION_REFRESH_SECONDS` (a minute by
default); the user's own steps (the second factor entered, the pledge accepted, signing out)
take effect at once.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from edureg.access.models import CitizenAccount, RoleAssignment
from edureg.access.scoping import branches_of, has_current_pledge

REFRESHED_KEY = "_edureg_refreshed"
SAFEGUARDS_KEY = "_edureg_safeguards"

ROLE_FIELDS = ("id", "scope_kind", "institution_id", "municipality_id", "function_area", "level")


def refresh_seconds() -> int:
    return int(settings.SESSION_REFRESH_SECONDS)


def refresh_if_due(request: HttpRequest) -> bool:
    """Mark a non-empty session for saving when its last refresh is older than the interval,
    and say whether it did: the saved values of the safeguards are then read again."""
    session = request.session
    if not session.keys():
        return False  # no session: nothing to keep alive (and none is created)
    refreshed = session.get(REFRESHED_KEY)
    now = int(time.time())
    if refreshed is None or now - int(refreshed) >= refresh_seconds():
        session[REFRESHED_KEY] = now
        return True
    return False


def forget_safeguards(request: HttpRequest) -> None:
    """Read the safeguards afresh on the next request (after the user changed one of them)."""
    request.session.pop(SAFEGUARDS_KEY, None)


def _read(user: Any, device_id: str | None, verified: bool, refreshed: Any) -> dict[str, Any]:
    roles = list(RoleAssignment.objects.active_on().filter(user=user).values(*ROLE_FIELDS))
    institution_ids = {r["institution_id"] for r in roles if r["institution_id"] is not None}
    citizen = CitizenAccount.objects.filter(user=user).values("id", "person_id").first()
    return {
        "user": user.pk,
        "device": device_id,
        "refreshed": refreshed,
        "verified": verified,
        "roles": roles,
        "branches": {str(k): sorted(v) for k, v in branches_of(user, institution_ids).items()},
        "pledge": has_current_pledge(user),
        "citizen": citizen,
    }


def _install(user: Any, saved: dict[str, Any]) -> None:
    """Put the saved values where the scoping function and the actor look for them."""
    user._edureg_roles = [RoleAssignment(user_id=user.pk, **role) for role in saved["roles"]]
    user._edureg_branches = {int(k): frozenset(v) for k, v in saved["branches"].items()}
    user._edureg_pledge_ok = saved["pledge"]
    citizen = saved["citizen"]
    link = CitizenAccount(user=user, **citizen) if citizen is not None else None
    user._meta.get_field("citizen").set_cached_value(user, link)


def _saved_device(device_id: str) -> Any:
    """The verified device, loaded only if something asks for more than its existence."""
    return SimpleLazyObject(functools.partial(Device.from_persistent_id, device_id))


class SessionSafeguardsMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, is_verified()) with the device check,
    roles, pledge, branches and citizen link read once per session refresh instead of once per
    request; and the session saved only when it is due for a refresh (see the module)."""

    def __call__(self, request: HttpRequest) -> Any:
        # Whether this request refreshes the session, kept for the (lazy) user's check below:
        # the refresh's timestamp alone would not tell when it falls in the same second as
        # the one the safeguards were read at.
        request._edureg_refreshing = refresh_if_due(request)  # type: ignore[attr-defined]
        return super().__call__(request)

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        session = request.session
        device_id = session.get(DEVICE_ID_SESSION_KEY)
        saved = session.get(SAFEGUARDS_KEY)
        refreshed = session.get(REFRESHED_KEY)
        if (
            saved is None
            or getattr(request, "_edureg_refreshing", False)
            or saved.get("user") != user.pk
            or saved.get("device") != device_id
            or saved.get("refreshed") != refreshed
        ):
            device = self._device_from_persistent_id(device_id) if device_id else None
            user.otp_device = self._finalize_device(request, user, device)
            device_id = session.get(DEVICE_ID_SESSION_KEY)  # removed when not valid
            saved = _read(user, device_id, user.otp_device is not None, refreshed)
            session[SAFEGUARDS_KEY] = saved
        else:
            user.otp_device = _saved_device(device_id) if saved["verified"] and device_id else None
        _install(user, saved)
        return user
