"""The transfer dashboard: what a school's systems and files sent, per day, accepted and
refused, refusals grouped by error, each refusal shown fixed once the record is accepted later;
an institution's data managers see their own, the agency every institution."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.test import Client

from conftest import make_user, verified_actor, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.exchange.import_models import ImportFormat, ImportKind, ImportRun
from edureg.exchange.imports import services as imports
from edureg.exchange.tests.import_helpers import csv_file
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils.tests.test_api import ENROLMENTS, create_group, enrolment_body, school_system

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
DASHBOARD = "/imports/transfers/"


def data_manager(
    institution: Any = None,
    *,
    national: bool = False,
    name: str = "duomenu-tvarkytoja",
    level: str = Level.MANAGER,
) -> Client:
    user = make_user(f"{name}-{uuid.uuid4().hex[:8]}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL if national else ScopeKind.INSTITUTION,
        institution=None if national else institution,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=level,
    )
    return verified_login(Client(), user)


def batch(api: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = api.post(f"{ENROLMENTS}batch/", {"records": records}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.fixture
def sent() -> dict[str, Any]:
    """A school's system sends a batch of three enrolments; one names a class that does not
    exist and is refused."""
    school = InstitutionFactory()
    api = school_system(school)
    group = create_group(api)
    pupils = [PersonFactory() for _ in range(3)]
    records = [
        {"source_system": "tamo", "local_id": f"T-{n}", **enrolment_body(pupil, group)}
        for n, pupil in enumerate(pupils)
    ]
    records[2]["group"] = str(uuid.uuid4())
    answers = batch(api, records)
    assert [answer["status"] for answer in answers] == [201, 201, 400]
    return {"school": school, "api": api, "group": group, "records": records}


def test_a_batch_call_shows_on_the_schools_dashboard_with_its_refused_record(sent):
    run = ImportRun.objects.get(institution=sent["school"], file_format=ImportFormat.API)
    assert (run.rows_total, run.created, run.refused) == (3, 2, 1)

    page = data_manager(sent["school"]).get(DASHBOARD, headers={"Accept-Language": "lt"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "tamo" in text and "API kvietimas" in text
    totals = page.context["totals"]
    assert [(t["sent"], t["accepted"], t["refused"]) for t in totals] == [(3, 2, 1)]
    [refused] = page.context["page_obj"].object_list
    assert (refused.key, refused.fixed) == ("T-2", False)
    [group] = page.context["errors"]
    assert (group.field, group.refused, group.still_open) == ("group", 1, 1)
    assert "dar neištaisytas" in text


def test_a_refused_record_accepted_later_shows_fixed(sent):
    fixed = {**sent["records"][2], "group": sent["group"]["id"]}
    assert [a["status"] for a in batch(sent["api"], [fixed])] == [201]

    page = data_manager(sent["school"]).get(DASHBOARD)

    [refused] = page.context["page_obj"].object_list
    assert (refused.key, refused.fixed) == ("T-2", True)
    [group] = page.context["errors"]
    assert (group.refused, group.still_open) == (1, 0)
    still_open = data_manager(sent["school"]).get(DASHBOARD, {"state": "open"})
    assert list(still_open.context["page_obj"].object_list) == []


def test_a_refused_file_row_is_fixed_by_a_later_file(sent, django_capture_on_commit_callbacks):
    manager = make_user(f"importer-{uuid.uuid4().hex[:8]}")
    access_services.role_grant(
        actor=SYSTEM,
        user=manager,
        scope_kind=ScopeKind.INSTITUTION,
        institution=sent["school"],
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    actor = verified_actor(manager)
    person = PersonFactory()

    def upload(group: str) -> ImportRun:
        content = csv_file([["F-1", person.personal_code, group, 2025, "2025-09-01", None]])
        with django_capture_on_commit_callbacks():
            run = imports.import_upload(
                actor=actor,
                kind=ImportKind.ENROLMENTS,
                institution=sent["school"],
                source_system="tamo",
                stream=io.BytesIO(content),
                file_name="mokiniai.csv",
            )
        imports.import_apply(run.pk)
        return run

    upload("9z")
    client = data_manager(sent["school"])
    assert {r.key: r.fixed for r in client.get(DASHBOARD).context["page_obj"]} == {
        "F-1": False,
        "T-2": False,
    }
    upload("5a")
    assert {r.key: r.fixed for r in client.get(DASHBOARD).context["page_obj"]} == {
        "F-1": True,
        "T-2": False,
    }


def test_each_school_sees_only_its_own_and_the_agency_sees_all(sent):
    other = InstitutionFactory()
    other_page = data_manager(other).get(DASHBOARD)
    assert other_page.status_code == 200
    assert other_page.context["totals"] == []
    assert "T-2" not in other_page.content.decode()

    # the agency reads pupils' data nationally: it sees every institution's transfers
    agency = data_manager(national=True, level=Level.VIEWER)
    everything = agency.get(DASHBOARD)
    assert [t["institution__name_lt"] for t in everything.context["totals"]] == [
        sent["school"].name_lt
    ]
    assert everything.context["many_institutions"]
    narrowed = agency.get(DASHBOARD, {"institution": other.register_id})
    assert narrowed.status_code == 200
    assert narrowed.context["totals"] == []


def test_someone_who_keeps_no_institutions_data_is_refused():
    user = make_user(f"niekas-{uuid.uuid4().hex[:8]}")
    assert verified_login(Client(), user).get(DASHBOARD).status_code == 403
