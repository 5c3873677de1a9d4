"""The providers' and the registrar's programmes API: idempotent draft upserts, optimistic
locking, batches answered per record, the lifecycle actions, scoping, one error shape."""

from __future__ import annotations

import base64
import copy
import re
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import ChangeLogEntry
from edureg.core.tests.concurrency import at_once
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes.models import Module, Programme, ProgrammeVersion
from edureg.programmes.tests.factories import draft_study_programme

pytestmark = pytest.mark.django_db

STUDY_CODE = re.compile(r"^\d{4}[A-Z]X\d{3}$")
DRAFTS = "/api/v1/programmes/drafts"
WORK = "/api/v1/programmes/work"
SYSTEM = Actor.system("tests")

BODY: dict[str, Any] = {
    "kind": "study",
    "name_lt": "Informatika",
    "name_en": "Informatics",
    "description_lt": "Programavimas, algoritmai ir duomenų bazės.",
    "study_type": "university",
    "cycle": "bachelor",
    "study_field": "informatics",
    "isced_level": "6",
    "ltks_level": "6",
    "credits": "240",
    "duration_years": "4",
    "languages": "lt,en",
    "education_awarded_lt": "Informatikos bakalauras",
    "modules": [
        {"name_lt": "Programavimo pagrindai", "name_en": "Programming basics", "credits": "6"},
        {"name_lt": "Diskrečioji matematika", "credits": "6", "mandatory": False},
    ],
}


def body(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(BODY)
    data.update(overrides)
    return data


def system_client(institution: Institution, name: str = "Universiteto IS") -> APIClient:
    """An OAuth2 client of the institution's information system, holding a fresh token."""
    binding, secret = access_services.client_register(
        actor=SYSTEM,
        name=name,
        institution=institution,
        rights=[(FunctionArea.PROGRAMME_SUBMISSION, Level.MANAGER)],
    )
    api = APIClient()
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    response = api.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


def registrar_api() -> APIClient:
    user = make_user("registrar")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PROGRAMME_REGISTRATION,
        level=Level.MANAGER,
    )
    return verified_login(APIClient(), user)


def provider_user_api(institution: Institution) -> APIClient:
    user = make_user("provider")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.PROGRAMME_SUBMISSION,
        level=Level.MANAGER,
    )
    return verified_login(APIClient(), user)


def history_rows() -> tuple[int, int, int]:
    return (
        Programme.history.count(),
        ProgrammeVersion.history.count(),
        ChangeLogEntry.objects.count(),
    )


@pytest.fixture
def university() -> Institution:
    return InstitutionFactory()


@pytest.fixture
def university_api(university: Institution) -> APIClient:
    return system_client(university)


def test_a_university_system_upserts_its_draft_and_a_repeat_writes_nothing(
    university, university_api
):
    created = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json")

    assert created.status_code == 201, created.json()
    programme = created.json()
    assert programme["provider"] == university.register_id
    assert (programme["source_system"], programme["local_id"]) == ("vu-sis", "PRG-1")
    assert programme["status"] == "draft"
    assert programme["version"] == 1
    (draft,) = programme["versions"]
    assert draft["study_field"] == "informatics"
    assert draft["credits"] == "240.0"
    assert [m["name_lt"] for m in draft["modules"]] == [
        "Programavimo pagrindai",
        "Diskrečioji matematika",
    ]

    before = history_rows()
    module_ids = set(Module.objects.values_list("id", flat=True))
    repeated = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json")

    assert repeated.status_code == 200, repeated.json()
    assert repeated.json() == programme
    assert ProgrammeVersion.objects.count() == 1
    assert history_rows() == before  # no new version row, no change-log entry
    assert set(Module.objects.values_list("id", flat=True)) == module_ids


def test_an_update_with_the_current_version_applies_and_a_stale_one_answers_409(university_api):
    university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json")
    updated = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/", body(version=1, name_lt="Informatika ir AI"), format="json"
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["version"] == 2
    assert updated.json()["versions"][0]["name_lt"] == "Informatika ir AI"

    stale = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/",
        body(version=1, name_lt="Kita"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert stale.status_code == 409
    error = stale.json()
    assert (error["status"], error["code"], error["field"]) == (409, "stale_version", "version")
    assert "version 2" in error["message"]
    assert ProgrammeVersion.objects.get().name_lt == "Informatika ir AI"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_version_one_wins_and_the_others_conflict(university):
    """Issue #10.2: three systems' requests holding the same version at once, 20 rounds: one
    is applied, the others answer 409, no update is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario (SQLite serialises writes)")
    api = system_client(university)
    token = api._credentials["HTTP_AUTHORIZATION"]
    url = f"{DRAFTS}/uni-is/P-race/"
    assert api.put(url, body(), format="json").status_code == 201

    for round_ in range(20):
        version = Programme.objects.get(local_id="P-race").version

        def write(writer: int, version: int = version, round_: int = round_) -> int:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=token)
            sent = body(name_en=f"Informatics {round_}-{writer}", version=version)
            return client.put(url, sent, format="json").status_code

        statuses = at_once([partial(write, w) for w in range(3)])

        assert sorted(statuses) == [200, 409, 409], f"round {round_}: {statuses}"
        assert Programme.objects.get(local_id="P-race").version == version + 1


def test_a_changed_draft_without_its_version_is_refused(university_api):
    university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json")
    response = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(name_lt="Kita"), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "version"
    assert ProgrammeVersion.objects.get().name_lt == "Informatika"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credits": "150"}, "credits"),  # a bachelor programme has 180–240 ECTS
        ({"credits": "-5"}, "credits"),
        ({"study_field": "no-such-field"}, "study_field"),
        ({"name_lt": ""}, "name_lt"),
    ],
)
def test_bad_input_gets_a_field_error_and_creates_nothing(university_api, overrides, field):
    response = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/", body(**overrides), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()
    assert (error["status"], error["field"]) == (400, field)
    assert error["message"]
    assert Programme.objects.count() == 0


def test_a_credit_range_error_is_said_in_lithuanian_too(university_api):
    english = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/", body(credits="150"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    lithuanian = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/", body(credits="150"), format="json", HTTP_ACCEPT_LANGUAGE="lt"
    ).json()
    assert "180–240 ECTS" in english["message"]
    assert lithuanian["field"] == "credits"
    assert lithuanian["message"] != english["message"]


def test_the_registrar_registers_a_submitted_draft_and_a_state_code_is_issued(
    university, university_api
):
    programme = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json").json()
    submitted = university_api.post(f"/api/v1/programmes/{programme['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    # a retry of the upsert after submission changes nothing and is not an error
    retried = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json")
    assert retried.status_code == 200
    assert retried.json()["status"] == "submitted"

    registered = registrar_api().post(f"/api/v1/programmes/{programme['id']}/register/")

    assert registered.status_code == 200, registered.json()
    answer = registered.json()
    assert answer["status"] == "registered"
    assert STUDY_CODE.match(answer["state_code"])
    assert answer["versions"][0]["status"] == "registered"
    # the provider's system sees the code too
    seen = university_api.get(f"{WORK}/{programme['id']}/").json()
    assert seen["state_code"] == answer["state_code"]


def test_another_universitys_system_gets_404_on_a_programme(university_api):
    programme = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json").json()
    other = system_client(InstitutionFactory(), name="Kito universiteto IS")

    assert other.get(f"{WORK}/{programme['id']}/").status_code == 404
    response = other.post(f"/api/v1/programmes/{programme['id']}/submit/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert other.get(f"{WORK}/").json()["results"] == []
    # nor can it take over the key
    taken = other.put(f"{DRAFTS}/vu-sis/PRG-1/", body(version=1, name_lt="Kita"), format="json")
    assert taken.status_code == 404
    assert ProgrammeVersion.objects.get().name_lt == "Informatika"


def test_a_providers_system_cannot_make_the_registrars_decisions(university_api):
    programme = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json").json()
    university_api.post(f"/api/v1/programmes/{programme['id']}/submit/")
    response = university_api.post(f"/api/v1/programmes/{programme['id']}/register/")
    assert response.status_code == 403
    assert Programme.objects.get().state_code is None


def test_a_batch_applies_the_good_records_and_reports_the_bad_ones(university_api):
    response = university_api.post(
        f"{DRAFTS}/batch/",
        {
            "records": [
                {"source_system": "vu-sis", "local_id": "GOOD", **body()},
                {
                    "source_system": "vu-sis",
                    "local_id": "BAD",
                    **body(credits="150", duration_years="3"),
                },
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    good, bad = response.json()["results"]
    assert (good["index"], good["local_id"], good["status"]) == (0, "GOOD", 201)
    assert good["programme"]["version"] == 1
    assert "errors" not in good
    assert (bad["index"], bad["local_id"], bad["status"]) == (1, "BAD", 400)
    assert [e["field"] for e in bad["errors"]] == ["credits"]
    assert "programme" not in bad
    assert list(Programme.objects.values_list("local_id", flat=True)) == ["GOOD"]
    assert str(Programme.objects.get().public_id) == good["programme"]["id"]


def test_a_repeated_batch_writes_nothing_and_reports_stale_records(university_api):
    records = [{"source_system": "vu-sis", "local_id": f"P{n}", **body()} for n in range(3)]
    university_api.post(f"{DRAFTS}/batch/", {"records": records}, format="json")
    before = history_rows()

    records[2] = {**records[2], "version": 7, "name_lt": "Kita"}
    records.append({"source_system": "vu-sis", "credits": "240"})  # no local id
    results = university_api.post(f"{DRAFTS}/batch/", {"records": records}, format="json").json()[
        "results"
    ]

    assert [r["status"] for r in results] == [200, 200, 409, 400]
    assert results[2]["errors"][0]["code"] == "stale_version"
    assert results[3]["errors"][0]["field"] == "local_id"
    assert history_rows() == before
    assert Programme.objects.count() == 3


def test_a_batch_needs_records(university_api):
    response = university_api.post(f"{DRAFTS}/batch/", {"records": []}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "records"


def test_a_signed_in_provider_names_the_provider_and_the_service_checks_it(university):
    api = provider_user_api(university)
    missing = api.put(f"{DRAFTS}/manual/1/", body(), format="json")
    assert missing.status_code == 400
    assert missing.json()["field"] == "provider"

    elsewhere = InstitutionFactory()
    assert (
        api.put(
            f"{DRAFTS}/manual/1/", body(provider=elsewhere.register_id), format="json"
        ).status_code
        == 404
    )

    created = api.put(f"{DRAFTS}/manual/1/", body(provider=university.register_id), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["provider"] == university.register_id


def test_the_registrar_asks_for_changes_and_the_provider_resubmits(university_api):
    programme = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json").json()
    actions = f"/api/v1/programmes/{programme['id']}"
    university_api.post(f"{actions}/submit/")
    registrar = registrar_api()

    blank = registrar.post(f"{actions}/request-changes/", {"note": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json()["field"] == "note"

    asked = registrar.post(
        f"{actions}/request-changes/", {"note": "Patikslinkite aprašą"}, format="json"
    )
    assert asked.status_code == 200, asked.json()
    assert asked.json()["versions"][0]["status"] == "changes_requested"
    assert asked.json()["versions"][0]["decision_note"] == "Patikslinkite aprašą"

    fixed = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/",
        body(version=asked.json()["version"], description_lt="Tikslesnis aprašas"),
        format="json",
    )
    assert fixed.status_code == 200, fixed.json()
    university_api.post(f"{actions}/submit/")
    rejected = registrar.post(
        f"{actions}/reject/", {"reason": "Neatitinka reikalavimų"}, format="json"
    )
    assert rejected.status_code == 200, rejected.json()
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["state_code"] is None


def test_a_registered_programme_changes_through_a_new_version_then_is_deregistered(
    university_api,
):
    programme = university_api.put(f"{DRAFTS}/vu-sis/PRG-1/", body(), format="json").json()
    actions = f"/api/v1/programmes/{programme['id']}"
    registrar = registrar_api()
    university_api.post(f"{actions}/submit/")
    code = registrar.post(f"{actions}/register/").json()["state_code"]

    started = university_api.post(f"{actions}/change/")
    assert started.status_code == 200, started.json()
    assert [v["status"] for v in started.json()["versions"]] == ["draft", "registered"]
    changed = university_api.put(
        f"{DRAFTS}/vu-sis/PRG-1/",
        body(version=started.json()["version"], name_lt="Informatika ir duomenys"),
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    university_api.post(f"{actions}/submit/")
    registered = registrar.post(f"{actions}/register/").json()
    assert registered["state_code"] == code
    assert [(v["number"], v["status"]) for v in registered["versions"]] == [
        (2, "registered"),
        (1, "superseded"),
    ]

    unknown = registrar.post(f"{actions}/deregister/", {"reason": "sunset"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "reason"
    gone = registrar.post(
        f"{actions}/deregister/", {"reason": "merged", "date": "2026-09-01"}, format="json"
    )
    assert gone.status_code == 200, gone.json()
    assert gone.json()["status"] == "deregistered"
    assert gone.json()["deregistered_on"] == "2026-09-01"
    assert gone.json()["deregistration_reason"] == "merged"


def test_the_work_list_shows_own_programmes_with_a_fixed_number_of_queries(
    university, university_api
):
    draft_study_programme(InstitutionFactory())  # another provider's: never listed

    def listed() -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as queries:
            response = university_api.get(f"{WORK}/")
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    for _ in range(5):
        draft_study_programme(university)
    few_queries, few = listed()
    for _ in range(25):
        draft_study_programme(university)
    many_queries, many = listed()

    assert (len(few), len(many)) == (5, 30)
    assert many_queries == few_queries
    assert {p["provider"] for p in many} == {university.register_id}
    assert many[0]["current"]["study_field"] == "informatics"
