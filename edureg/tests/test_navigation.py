"""The staff menu shows what the user's roles let them open, and nothing before sign-in is
complete (second factor, pledge)."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html  # installed with pyHanko

from conftest import make_user, verified_actor, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.access.tests.factories import UserRequestFactory, user_admin
from edureg.core.context import Actor
from edureg.exchange.import_models import ImportKind
from edureg.exchange.imports import services as imports
from edureg.exchange.tests.import_helpers import csv_file
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import personal_code

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def menu_of(client: Client) -> dict[str, list[str]]:
    """The menu as the user reads it: section title → link texts."""
    return sections(client.get(reverse("home")).content)


def sections(content: bytes) -> dict[str, list[str]]:
    page = html.fromstring(content)
    return {
        section.xpath("string(span)").strip(): [
            a.text_content().strip() for a in section.xpath("ul//a")
        ]
        for section in page.xpath("//header//nav//li[@class='nav-section']")
    }


def staff_with(area: str, level: str = Level.MANAGER, scope: str = ScopeKind.INSTITUTION):  # type: ignore[no-untyped-def]
    user = make_user(f"nav-{uuid.uuid4().hex[:8]}")
    institution = InstitutionFactory()
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=scope,
        institution=institution if scope == ScopeKind.INSTITUTION else None,
        municipality=institution.municipality if scope == ScopeKind.MUNICIPALITY else None,
        function_area=area,
        level=level,
    )
    return user


def test_a_school_data_manager_sees_the_pupil_register_and_imports_not_students(client):
    verified_login(client, staff_with(FunctionArea.PUPIL_PERSONAL))
    menu = menu_of(client)
    assert menu["Mokinių registras"] == ["Mokiniai"]
    assert "Studentų registras" not in menu
    assert "Programos" not in menu
    assert menu["Darbas"] == [
        "Asmenys",
        "Importas",
        "Duomenų perdavimai",
        "Prašymai ištaisyti duomenis",
    ]
    assert "Naudotojų prašymai" not in menu["Prieiga"]


def test_a_hei_viewer_sees_students_and_documents_but_may_not_import(client):
    verified_login(client, staff_with(FunctionArea.STUDENT_DATA, Level.VIEWER))
    menu = menu_of(client)
    assert menu["Studentų registras"] == ["Studentai"]
    assert menu["Mokinių registras"] == ["Dokumentai"]
    assert "Importas" not in menu["Darbas"]


def test_a_municipality_sees_its_children_and_a_registrar_the_programmes(client):
    verified_login(client, staff_with(FunctionArea.PUPIL_PERSONAL, scope=ScopeKind.MUNICIPALITY))
    assert "Savivaldybės vaikai" in menu_of(client)["Mokinių registras"]
    registrar = Client()
    verified_login(
        registrar, staff_with(FunctionArea.PROGRAMME_REGISTRATION, scope=ScopeKind.NATIONAL)
    )
    menu = menu_of(registrar)
    assert menu["Programos"] == ["Mano programos"]
    assert "Mokinių registras" not in menu


def test_a_user_without_roles_is_offered_to_apply_for_access_only(client):
    client.force_login(make_user(f"nav-{uuid.uuid4().hex[:8]}"))
    assert menu_of(client) == {"Prieiga": ["Mano teisės", "Prašyti prieigos"]}


def test_no_menu_before_the_second_factor_is_entered(client):
    client.force_login(staff_with(FunctionArea.PUPIL_PERSONAL))
    page = client.get(reverse("access:second-factor"))
    assert page.status_code == 200
    assert sections(page.content) == {}
    assert "Mokiniai" not in html.fromstring(page.content).xpath("string(//header//nav)")


def waiting_for(client: Client) -> list[tuple[str, str]]:
    """The home page's list of pending work: (sentence, link)."""
    page = html.fromstring(client.get(reverse("home")).content)
    return [
        (a.text_content().strip(), a.get("href"))
        for a in page.xpath("//section[@class='pending-work']//a")
    ]


def test_an_approver_finds_the_requests_waiting_for_a_decision_on_the_home_page(client):
    approver = user_admin(municipal=True)
    UserRequestFactory(institution=InstitutionFactory())
    verified_login(client, approver.user)
    assert waiting_for(client) == [
        ("1 prašymas suteikti prieigą laukia jūsų sprendimo.", "/access/requests/?status=pending")
    ]


def test_a_data_manager_finds_the_refused_records_not_fixed_yet_on_the_home_page(
    client, django_capture_on_commit_callbacks
):
    user = staff_with(FunctionArea.PUPIL_PERSONAL)
    school = user.role_assignments.get().institution
    verified_login(client, user)
    assert waiting_for(client) == []
    assert "Jūsų niekas nelaukia" in client.get(reverse("home")).content.decode()

    with django_capture_on_commit_callbacks():
        run = imports.import_upload(
            actor=verified_actor(user),
            kind=ImportKind.ENROLMENTS,
            institution=school,
            source_system="tamo",
            stream=io.BytesIO(csv_file([["N-1", personal_code(), "9z", 2025, "2025-09-01", None]])),
            file_name="mokiniai.csv",
        )
    imports.import_apply(run.pk)
    assert waiting_for(client) == [
        (
            "1 jūsų sistemų ar failų atsiųstas įrašas atmestas ir dar neištaisytas.",
            "/imports/transfers/?state=open",
        )
    ]
