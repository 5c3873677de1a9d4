"""A municipality's view of its children: where each studies, or that they do not."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import exports, services
from edureg.pupils.models import GroupKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Messages are read in English here (the register's default language is Lithuanian)."""
    with translation.override("en"):
        yield


SYSTEM = Actor.system("tests")
URL = reverse("pupils:municipality")
GROUP_NUMBERS = itertools.count(1)


def viewer_of(municipality):  # type: ignore[no-untyped-def]
    user = make_user(f"municipality-{municipality.code}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=municipality,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def pupil_of(school, **person):  # type: ignore[no-untyped-def]
    group = services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=2026,
        name=f"9-{next(GROUP_NUMBERS)}",
        kind=GroupKind.GENERAL,
        grade="9",
    )
    child = PersonFactory(**person)
    services.pupil_enrol(actor=SYSTEM, person=child, group=group, valid_from=dt.date(2026, 9, 1))
    return child


@pytest.fixture
def town():  # type: ignore[no-untyped-def]
    """Vilnius children: one at a Vilnius school, one at a Kaunas school, one at none; and a
    Kaunas child at a Vilnius school, whom Vilnius must not list."""
    vilnius, kaunas = Municipality.objects.get(code="LT-57"), Municipality.objects.get(code="LT-15")
    vilnius_school, kaunas_school = (
        InstitutionFactory(municipality=vilnius),
        InstitutionFactory(municipality=kaunas),
    )
    return {
        "vilnius": vilnius,
        "here": pupil_of(vilnius_school, family_name="Vilnietė", declared_municipality=vilnius),
        "elsewhere": pupil_of(
            kaunas_school, family_name="Kaunietis", declared_municipality=vilnius
        ),
        "nowhere": PersonFactory(family_name="Namuose", declared_municipality=vilnius),
        "other_towns": pupil_of(
            vilnius_school, family_name="Atvykęs", declared_municipality=kaunas
        ),
    }


def names_on(response):  # type: ignore[no-untyped-def]
    text = response.content.decode()
    return {name for name in ("Vilnietė", "Kaunietis", "Namuose", "Atvykęs") if name in text}


def test_a_municipality_sees_its_children_and_where_they_study(town):  # type: ignore[no-untyped-def]
    client = viewer_of(town["vilnius"])
    page = client.get(URL)  # the only municipality in view is chosen for the viewer
    assert page.status_code == 200
    assert names_on(page) == {"Vilnietė", "Kaunietis", "Namuose"}
    assert "Not enrolled in general education" in page.content.decode()
    logged = AccessLogEntry.objects.filter(what="pupil.municipality")
    assert {e.person_public_id for e in logged} == {
        town[k].public_id for k in ("here", "elsewhere", "nowhere")
    }

    for studies, expected in (
        ("here", {"Vilnietė"}),
        ("elsewhere", {"Kaunietis"}),
        ("none", {"Namuose"}),
    ):
        assert names_on(client.get(URL, {"municipality": "LT-57", "status": studies})) == expected


def test_the_age_filter_uses_the_age_on_the_first_of_september(town):  # type: ignore[no-untyped-def]
    client = viewer_of(town["vilnius"])
    # The children are born on 17 May 2010: 16 on 1 September 2026.
    assert (
        names_on(client.get(URL, {"municipality": "LT-57", "age_from": 17, "age_to": 18})) == set()
    )
    assert (
        len(names_on(client.get(URL, {"municipality": "LT-57", "age_from": 16, "age_to": 16}))) == 3
    )
    refused = client.get(URL, {"municipality": "LT-57", "age_from": 12, "age_to": 6})
    assert refused.status_code == 400
    assert "The upper age must not be below the lower one." in refused.content.decode()


def test_another_municipality_and_a_school_see_none_of_them(town):  # type: ignore[no-untyped-def]
    kaunas = Municipality.objects.get(code="LT-15")
    assert names_on(viewer_of(kaunas).get(URL, {"municipality": "LT-57"})) == set()

    school_user = make_user("school")
    access_services.role_grant(
        actor=SYSTEM,
        user=school_user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=InstitutionFactory(municipality=town["vilnius"]),
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    page = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), school_user).get(URL)
    assert "This view is for municipalities and the agency" in page.content.decode()
    assert names_on(page) == set()


def test_the_childrens_list_exports_without_personal_codes(town):  # type: ignore[no-untyped-def]
    client = viewer_of(town["vilnius"])
    response = client.get(reverse("pupils:municipality-export-csv"), {"municipality": "LT-57"})
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0] == exports.children_headers()
    assert {row[1] for row in table[1:]} == {"Vilnietė", "Kaunietis", "Namuose"}
    text = "\n".join(",".join(row) for row in table)
    assert not any(town[k].personal_code in text for k in ("here", "elsewhere", "nowhere"))

    workbook = client.get(reverse("pupils:municipality-export-xlsx"), {"municipality": "LT-57"})
    assert workbook.status_code == 200
    assert workbook["Content-Type"] == exports.XLSX_TYPE
