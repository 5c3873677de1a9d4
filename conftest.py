"""Fixtures shared by every app's tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from edureg.access.models import PledgeAcceptance, PledgeText
from edureg.core.context import Actor, Channel

PASSWORD = "correct horse battery"

# Property tests judge outcomes, never speed: on a loaded machine (a parallel run, CI) input
# generation can be slow and an example can take long, which is no failure (house rule 4).
settings.register_profile("edureg", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("edureg")


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
    settings.FEEDS_DROP_DIR = tmp_path / "feeds"


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


# The case counts of the authorization matrix and of the API fuzzing, for the summary line at
# the end of the run. Under pytest-xdist the tests run in workers: each sends its counts to the
# controller in its `workeroutput`, and the controller adds them up.
COUNTS: dict[str, int] = {}


def _own_counts() -> dict[str, int]:
    import sys

    counts = {}
    fuzz = sys.modules.get("edureg.core.tests.test_api_fuzz")
    if fuzz is not None and fuzz.CASES_RUN:
        counts["fuzz_cases"] = sum(fuzz.CASES_RUN)
        counts["fuzz_failures"] = len(fuzz.FAILURES)
    matrix = sys.modules.get("edureg.access.tests.test_matrix")
    if matrix is not None and matrix.CASES_RUN:
        counts["matrix_cases"] = sum(matrix.CASES_RUN)
        counts["matrix_actors"] = len(matrix.CASES_RUN)
    return counts


def _add(counts: dict[str, int]) -> None:
    for name, value in counts.items():
        COUNTS[name] = COUNTS.get(name, 0) + value


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker
        workeroutput["edureg_counts"] = _own_counts()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # type: ignore[no-untyped-def]
    """pytest-xdist, in the controller: a worker has finished and sent its counts."""
    _add(getattr(node, "workeroutput", {}).get("edureg_counts", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Report the size of the authorization matrix and of the API fuzzing, so a run shows how
    much they checked (with or without pytest -n)."""
    if getattr(config, "workeroutput", None) is None:
        _add(_own_counts())  # the tests ran here (no workers), or nothing does
    if COUNTS.get("fuzz_cases"):
        terminalreporter.write_line(
            f"API fuzzing (schemathesis): {COUNTS['fuzz_cases']} cases over the committed "
            f"schema, {COUNTS.get('fuzz_failures', 0)} failures"
        )
    if not COUNTS.get("matrix_cases"):
        return
    failed = [
        r
        for r in terminalreporter.stats.get("failed", [])
        if "test_authorization_matrix" in r.nodeid
    ]
    terminalreporter.write_line(
        f"authorization matrix: {COUNTS['matrix_cases']} cases over "
        f"{COUNTS['matrix_actors']} actors, {len(failed)} actors with unexpected answers"
    )
