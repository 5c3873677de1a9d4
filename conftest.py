"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from edureg.core.context import Actor, Channel


@pytest.fixture
def agency_admin(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser(
        username="agency-admin", email="admin@example.lt", password="correct horse battery"
    )


@pytest.fixture
def plain_staff(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user(
        username="plain-staff", email="staff@example.lt", password="correct horse battery"
    )


@pytest.fixture
def admin_actor(agency_admin) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.for_user(agency_admin, Channel.WEB)


@pytest.fixture
def admin_api(agency_admin) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(agency_admin)
    return client


@pytest.fixture
def admin_web(client, agency_admin):  # type: ignore[no-untyped-def]
    client.force_login(agency_admin)
    return client
