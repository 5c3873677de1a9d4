"""Citizen sign-in: the national e-identity gateway (OpenID Connect) and, in demo mode only, a
local demo identity provider. Both end with a Django user linked to exactly one Person."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from edureg.access.models import CitizenAccount
from edureg.people.models import Person
from edureg.people.selectors import person_by_personal_code

User = get_user_model()


@transaction.atomic
def citizen_user_for(person: Person) -> Any:
    """The login user of a citizen, created on first sign-in. It has no password: citizens sign
    in only through the identity provider."""
    account = CitizenAccount.objects.select_related("user").filter(person=person).first()
    if account is not None:
        return account.user
    user = User(username=f"citizen-{uuid.uuid4().hex[:20]}")
    user.set_unusable_password()
    user.save()
    CitizenAccount.objects.create(user=user, person=person)
    return user


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    """Maps the gateway's personal-code claim to the person in the register."""

    def _verify_jws(self, payload: Any, key: Any) -> Any:
        """The signature (the library), and also the audience: a token the gateway issued to
        another service must not sign anyone in here."""
        claims = super()._verify_jws(payload, key)
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if audience is not None and self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The token was issued to another client.")
        return claims

    def _person(self, claims: dict[str, Any]) -> Person | None:
        return person_by_personal_code(str(claims.get(settings.OIDC_PERSONAL_CODE_CLAIM, "")))

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return self._person(claims) is not None

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        person = self._person(claims)
        if person is None:
            return User.objects.none()
        return User.objects.filter(citizen__person=person)

    def create_user(self, claims: dict[str, Any]) -> Any:
        person = self._person(claims)
        assert person is not None  # verify_claims ran first
        return citizen_user_for(person)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        return user
