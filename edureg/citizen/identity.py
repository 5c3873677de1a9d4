"""How a citizen proves who they are before seeing their own data.

In production the national e-identity gateway (elektroniniai valdžios vartai, VIISP) signs
citizens in with OpenID Connect (mozilla-django-oidc; the claim that carries the personal code
maps the login to a person, see `access.citizens.CitizenOIDCBackend`). In demo mode, without a
configured gateway, the demo identity provider stands in for it: a page that offers generated
people to sign in as. Both sit behind one small interface, so `/me/` only asks the configured
gateway to begin:

    gateway = identity_gateway()
    return gateway.begin(request, next_url="/me/")
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from edureg.access.citizens import citizen_user_for
from edureg.people.models import Guardianship, Person
from edureg.pupils.models import Achievement, AchievementKind, Enrolment, GroupKind
from edureg.students.models import Graduation, Result, StudyRight, StudyStatus

MY_DATA_URL = "/me/"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return MY_DATA_URL


class IdentityGateway(Protocol):
    """Something that proves a citizen's identity and ends with them signed in."""

    key: str

    def begin(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        """Send the citizen to sign in; afterwards they come back to `next_url`."""
        ...


class OidcGateway:
    """The national e-identity gateway: OpenID Connect authorization code flow."""

    key = "oidc"

    def begin(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        query = urlencode({"next": safe_next(request, next_url)})
        return HttpResponseRedirect(f"{reverse('oidc_authentication_init')}?{query}")


class DemoIdentityProvider:
    """Demo mode only: the citizen picks a generated person and is signed in as them."""

    key = "demo"

    def begin(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        query = urlencode({"next": safe_next(request, next_url)})
        return HttpResponseRedirect(f"{reverse('citizen:demo-idp')}?{query}")

    def complete(self, request: HttpRequest, *, person: Person, next_url: str) -> HttpResponse:
        """Sign the chosen person in, as the gateway's callback would."""
        login(
            request, citizen_user_for(person), backend="django.contrib.auth.backends.ModelBackend"
        )
        return HttpResponseRedirect(safe_next(request, next_url))

    def personas(self, *, per_kind: int = 2) -> list[tuple[str, list[Person]]]:
        """People to offer, by the kind of history they have, so that each part of the portal
        has someone to show it: children, school leavers, students, graduates, parents."""
        today = timezone.localdate()
        adult_born_before = _years_before(today, 18)
        chosen: set[int] = set()
        kinds: list[tuple[str, QuerySet[Person]]] = [
            (
                _("A child at school, with NVŠ or a club"),
                Person.objects.filter(birth_date__gt=_years_before(today, 15)).filter(
                    Exists(
                        Enrolment.objects.filter(
                            person=OuterRef("pk"),
                            kind__in=[GroupKind.NVS, GroupKind.CLUB],
                        )
                    )
                ),
            ),
            (
                _("A school leaver with maturity exams"),
                Person.objects.filter(
                    Exists(
                        Achievement.objects.filter(
                            person=OuterRef("pk"),
                            kind=AchievementKind.EXAM,
                            name__icontains="brand",
                        )
                    )
                ),
            ),
            (
                _("A student"),
                Person.objects.filter(
                    Exists(
                        StudyRight.objects.filter(
                            person=OuterRef("pk"), status=StudyStatus.STUDYING
                        ).filter(Exists(Result.objects.filter(study_right=OuterRef("pk"))))
                    )
                ),
            ),
            (
                _("A graduate"),
                Person.objects.filter(
                    Exists(Graduation.objects.filter(study_right__person=OuterRef("pk")))
                ),
            ),
            (
                _("A parent of children under 18"),
                Person.objects.filter(birth_date__lt=adult_born_before).filter(
                    Exists(
                        Guardianship.objects.current().filter(
                            guardian=OuterRef("pk"), child__birth_date__gt=adult_born_before
                        )
                    )
                ),
            ),
        ]
        personas: list[tuple[str, list[Person]]] = []
        for label, people in kinds:
            picked = list(
                people.filter(personal_code__isnull=False)
                .exclude(pk__in=chosen)
                .order_by("pk")[:per_kind]
            )
            chosen.update(p.pk for p in picked)
            if picked:
                personas.append((str(label), picked))
        others = list(
            Person.objects.filter(personal_code__isnull=False)
            .exclude(pk__in=chosen)
            .order_by("pk")[: max(0, OTHERS_SHOWN - len(chosen))]
        )
        if others:
            personas.append((str(_("Other generated people")), others))
        return personas


OTHERS_SHOWN = 12


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def identity_gateway() -> IdentityGateway | None:
    """The configured gateway: OpenID Connect when its settings are given, the demo identity
    provider in demo mode otherwise, none when neither (then citizens cannot sign in)."""
    if settings.OIDC_ENABLED:
        return OidcGateway()
    if settings.DEMO_MODE:
        return DemoIdentityProvider()
    return None


def demo_identity_provider() -> DemoIdentityProvider | None:
    """The demo identity provider when it is the configured gateway (never in production)."""
    gateway = identity_gateway()
    return gateway if isinstance(gateway, DemoIdentityProvider) else None
