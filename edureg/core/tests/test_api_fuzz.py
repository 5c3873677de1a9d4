"""Fuzzing: schemathesis over every operation of the committed OpenAPI schema, against the live
test server, as a school's system client (OAuth2 token) and as a citizen (session).

Checks for every answer: no server error, the response conforms to the documented schema, its
status code and its content type are documented. Bounded and deterministic: EXAMPLES cases per
operation and caller (env EDUREG_FUZZ_EXAMPLES, default 4), derandomized (a fixed seed: the same
cases every run), no example database, no shrinking; the number of cases run is reported at the
end of the test run (conftest.py). A failure lists every case that broke a check. To run only
this: `pytest edureg/core/tests/test_api_fuzz.py`.

Measured (2 cores shared with other work, load ≈ 6): 224 cases per caller (448 in all), the
system client's test about 50 s, the citizen's about 40 s, on SQLite and on PostgreSQL.

Most fuzzed requests are refused (404 for made-up ids, 400 for bad input): django.request's
warning for each one is silenced during the run (errors, i.e. 5xx, are still logged).
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup

from edureg.access import services as access_services
from edureg.access.citizens import citizen_user_for
from edureg.access.models import FunctionArea, Level
from edureg.core.context import Actor
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services as pupil_services

pytestmark = [pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = schemathesis.openapi.from_path(str(ROOT / "schema" / "openapi.yaml"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
EXAMPLES = int(os.environ.get("EDUREG_FUZZ_EXAMPLES", "4"))
SYSTEM = Actor.system("tests")
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # a well-formed CSRF secret, sent as cookie and header

# Cases run and failures found, for the summary line of the test run (conftest.py).
CASES_RUN: list[int] = []
FAILURES: list[str] = []


def _told(case: Any, response: Any, failure: Failure) -> str:
    body = response.text[:300]
    text = (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {failure.title}: "
        f"{failure.message} | sent {case.body!r} {case.query!r} | got {body}"
    )
    return text[:1500]


@pytest.fixture(autouse=True)
def _quiet_request_log():  # type: ignore[no-untyped-def]
    """django.request warns of every 4xx: thousands of lines in a fuzz run. Only here."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fuzz(base_url: str, headers: dict[str, str], cookies: dict[str, str]) -> list[str]:
    failures: list[str] = []
    # Closed at the end: the live server's thread serving this keep-alive connection keeps its
    # (persistent) database connection until the socket closes, and an open connection would
    # stop the test database from being dropped on PostgreSQL.
    with requests.Session() as session:
        session.cookies.update(cookies)
        _fuzz_all(base_url, session, headers, failures)
    FAILURES.extend(failures)
    return failures


def _fuzz_all(
    base_url: str, session: requests.Session, headers: dict[str, str], failures: list[str]
) -> None:
    for result in SCHEMA.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            CASES_RUN.append(1)
            response = case.call(base_url=base_url, session=session, headers=headers)
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:  # every broken check of every case is reported
                for failure in group.exceptions:
                    failures.append(_told(case, response, failure))
            except Failure as failure:
                failures.append(_told(case, response, failure))

        run()


def _world() -> tuple[Any, str]:
    """A school with a class and a pupil, and the school system's OAuth2 token."""
    school = InstitutionFactory()
    group = pupil_services.group_create(
        actor=SYSTEM, institution=school, school_year=2025, name="5a", kind="general", grade="5"
    )
    pupil = PersonFactory()
    import datetime as dt

    pupil_services.pupil_enrol(
        actor=SYSTEM, person=pupil, group=group, valid_from=dt.date(2025, 9, 1)
    )
    binding, secret = access_services.client_register(
        actor=SYSTEM,
        name="Mokyklos IS",
        institution=school,
        rights=[
            (FunctionArea.PUPIL_PERSONAL, Level.MANAGER),
            (FunctionArea.PUPIL_LEARNING, Level.MANAGER),
            (FunctionArea.STUDENT_DATA, Level.MANAGER),
            (FunctionArea.PROGRAMME_SUBMISSION, Level.MANAGER),
        ],
    )
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    token = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert token.status_code == 200, token.content
    return pupil, token.json()["access_token"]


def test_fuzz_the_api_as_a_system_client(live_server):
    _pupil, token = _world()
    failures = _fuzz(live_server.url, {"Authorization": f"Bearer {token}"}, {})
    assert failures == []


def test_fuzz_the_api_as_a_citizen(live_server):
    pupil, _token = _world()
    browser = Client()
    browser.force_login(citizen_user_for(pupil))
    cookies = {"sessionid": browser.cookies["sessionid"].value, "csrftoken": CSRF}
    failures = _fuzz(live_server.url, {"X-CSRFToken": CSRF}, cookies)
    assert failures == []
