"""Fixtures shared by every app's tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from rest_framework.test import APIClient

from edureg.access.models import PledgeAcceptance, PledgeText
from edureg.core.context import Actor, Channel

PASSWORD = "correct horse battery"


def make_user(username: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.lt", password=PASSWORD, **extra
    )


def complete_safeguards(user: Any) -> StaticDevice:
    """Give a user what personal data needs: a second-factor device and the current pledge."""
    PledgeAcceptance.objects.get_or_create(user=user, pledge=PledgeText.current())
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    return device


def verified_login(client: Any, user: Any) -> Any:
    """Sign a test client in as `user` with a verified second factor (as after the OTP step)."""
    device = complete_safeguards(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def verified_actor(user: Any, channel: str = Channel.WEB) -> Actor:
    complete_safeguards(user)
    return replace(Actor.for_user(user, channel), second_factor=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; tests create many users. Production keeps Argon2 (see
    test_staff_passwords_are_hashed_with_argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Files that jobs write go to a directory of the test's own (parallel runs never share)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def private_witness(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test has its own witness key, checkpoint directory and backup directory."""
    settings.AUDIT_WITNESS_KEY = tmp_path / "witness" / "agency-ed25519.pem"
    settings.AUDIT_WITNESS_PUBLIC_KEY = ""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.BACKUP_DIR = tmp_path / "backups"


@pytest.fixture
def agency_admin(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser(
        username="agency-admin", email="admin@example.lt", password=PASSWORD
    )


@pytest.fixture
def plain_staff(db):  # type: ignore[no-untyped-def]
    return make_user("plain-staff")


@pytest.fixture
def admin_actor(agency_admin) -> Actor:  # type: ignore[no-untyped-def]
    return verified_actor(agency_admin)


@pytest.fixture
def admin_api(agency_admin) -> APIClient:  # type: ignore[no-untyped-def]
    return verified_login(APIClient(), agency_admin)


@pytest.fixture
def admin_web(client, agency_admin):  # type: ignore[no-untyped-def]
    return verified_login(client, agency_admin)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Report the size of the authorization matrix and of the API fuzzing, so a run shows how
    much they checked."""
    import sys

    fuzz = sys.modules.get("edureg.core.tests.test_api_fuzz")
    if fuzz is not None and fuzz.CASES_RUN:
        terminalreporter.write_line(
            f"API fuzzing (schemathesis): {sum(fuzz.CASES_RUN)} cases over the committed schema, "
            f"{len(fuzz.FAILURES)} failures"
        )
    matrix = sys.modules.get("edureg.access.tests.test_matrix")
    if matrix is None or not matrix.CASES_RUN:
        return
    failed = [
        r
        for r in terminalreporter.stats.get("failed", [])
        if "test_authorization_matrix" in r.nodeid
    ]
    terminalreporter.write_line(
        f"authorization matrix: {sum(matrix.CASES_RUN)} cases over {len(matrix.CASES_RUN)} actors, "
        f"{len(failed)} actors with unexpected answers"
    )
