"""A signed-in user's roles, second factor and pledge are read once per session refresh, not on
every request; the session is saved (its inactivity timeout started again) when a fraction of
its age has passed, not on every request."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import complete_safeguards, verified_login
from edureg.access import services
from edureg.access.models import FunctionArea, Level, PledgeAcceptance, ScopeKind
from edureg.access.session import REFRESHED_KEY, SAFEGUARDS_KEY
from edureg.access.tests.factories import RoleFactory
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SAFEGUARD_TABLES = ("access_roleassignment", "access_pledge", "otp_", "access_citizenaccount")


def _national_viewer(client):  # type: ignore[no-untyped-def]
    role = RoleFactory(national=True, level=Level.VIEWER)
    return verified_login(client, role.user), role


def _tables(queries: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


def _expire_date(client) -> object:  # type: ignore[no-untyped-def]
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_reads_no_safeguards_and_saves_no_session_until_the_refresh(client):
    web, _role = _national_viewer(client)
    person = PersonFactory()
    card = reverse("people:detail", args=[person.public_id])
    # The first request after signing in reads the safeguards and keeps them in the session
    assert web.get(card).status_code == 200
    assert web.session[SAFEGUARDS_KEY]["verified"] is True
    saved_until = _expire_date(web)

    # Later requests read the session and the user, and nothing of the safeguards
    with CaptureQueriesContext(connection) as queries:
        assert web.get(card).status_code == 200
    statements = _tables(queries)
    assert not any(table in statements for table in SAFEGUARD_TABLES)
    assert 'UPDATE "django_session"' not in statements
    assert _expire_date(web) == saved_until

    # When the refresh interval has passed, the session is saved (its age starts again) and
    # the safeguards are read afresh
    session = web.session
    session[REFRESHED_KEY] = int(time.time()) - 61
    session.save()
    before = _expire_date(web)
    with CaptureQueriesContext(connection) as queries:
        assert web.get(card).status_code == 200
    assert "access_roleassignment" in _tables(queries)
    assert _expire_date(web) > before


def test_a_revoked_role_is_no_longer_granted_after_the_refresh(client, settings, admin_actor):
    web, role = _national_viewer(client)
    person = PersonFactory()
    card = reverse("people:detail", args=[person.public_id])
    assert web.get(card).status_code == 200

    services.role_revoke(actor=admin_actor, role=role)
    session = web.session
    session[REFRESHED_KEY] = int(time.time()) - settings.SESSION_REFRESH_SECONDS
    session.save()
    assert web.get(card).status_code == 404


def test_accepting_the_pledge_takes_effect_at_once(client):
    role = RoleFactory(
        scope_kind=ScopeKind.NATIONAL,
        institution=None,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    web = verified_login(client, role.user)
    PledgeAcceptance.objects.filter(user=role.user).delete()
    person = PersonFactory()
    card = reverse("people:detail", args=[person.public_id])

    # Without the current pledge every page leads to it (and that state is kept)
    assert reverse("access:pledge") in web.get(card)["Location"]
    assert web.session[SAFEGUARDS_KEY]["pledge"] is False
    # Accepted, the very next request shows the page
    response = web.post(reverse("access:pledge"), {"accept": "yes", "next": card})
    assert response["Location"] == card
    assert web.get(card).status_code == 200


def test_a_user_without_a_verified_second_factor_is_sent_to_it(client):
    role = RoleFactory(national=True, level=Level.VIEWER)
    complete_safeguards(role.user)
    client.force_login(role.user)  # signed in, second factor not entered
    person = PersonFactory()
    response = client.get(reverse("people:detail", args=[person.public_id]))
    assert reverse("access:second-factor") in response["Location"]
