"""A school's data manager's day in the Pupil Register's web pages, and what others may not see."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry, Classifier, ClassifierValue
from edureg.institutions.models import FounderType, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import selectors, services
from edureg.pupils.models import Enrolment, Group, GroupKind, NvsFundingMark

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
SEPT_1 = dt.date(2025, 9, 1)


@pytest.fixture
def in_school_year_2025(monkeypatch):  # type: ignore[no-untyped-def]
    """Today is in the school year 2025–2026, whose classes these tests enrol pupils in (the
    pages offer only classes of the current and later school years)."""
    monkeypatch.setattr(selectors, "today", lambda: dt.date(2026, 3, 16))


def signed_in(user):  # type: ignore[no-untyped-def]
    return verified_login(Client(), user)


def manager_of(institution, name):  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    return user


def municipal_viewer(municipality):  # type: ignore[no-untyped-def]
    user = make_user(f"municipality-{municipality.code}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=municipality,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    return user


def departure_reason(code="moved-abroad"):  # type: ignore[no-untyped-def]
    value, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code=code,
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )
    return value


def class_of(school, name="5a", grade="5", kind=GroupKind.GENERAL):  # type: ignore[no-untyped-def]
    return services.group_create(
        actor=SYSTEM, institution=school, school_year=2025, name=name, kind=kind, grade=grade
    )


def enrolled(school, group=None, **person):  # type: ignore[no-untyped-def]
    pupil = PersonFactory(**person)
    return services.pupil_enrol(
        actor=SYSTEM, person=pupil, group=group or class_of(school), valid_from=SEPT_1
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_a_data_managers_day(in_school_year_2025):  # type: ignore[no-untyped-def]
    vilnius = Municipality.objects.get(code="LT-57")
    school = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    other_school = InstitutionFactory(municipality=Municipality.objects.get(code="LT-19"))
    transferring = enrolled(
        other_school, class_of(other_school, "6b", "6"), given_names="Kajus", family_name="Urbonas"
    )
    reason = departure_reason()
    web = signed_in(manager_of(school, "manager"))

    # Given a signed-in data manager, when they create a class, then it is listed
    response = web.post(
        reverse("pupils:group-new"),
        {
            "institution": school.pk,
            "school_year": "2025",
            "name": "6a",
            "kind": "general",
            "grade": "6",
            "language": "lt",
        },
    )
    group = Group.objects.get(institution=school, name="6a")
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:group-detail", args=[group.public_id])
    assert "6a" in text(web.get(reverse("pupils:group-list")))

    # A new pupil: the personal code is looked up by POST; the register does not know it, so
    # the manager registers the pupil and enrols them in one step
    code = personal_code(dt.date(2013, 4, 2), male=False)
    response = web.post(reverse("pupils:enrol"), {"step": "find", "personal_code": code})
    assert response.status_code == 200
    assert 'name="given_names"' in text(response)
    response = web.post(
        reverse("pupils:enrol"),
        {
            "step": "enrol",
            "personal_code": code,
            "given_names": "Austėja",
            "family_name": "Jankauskaitė",
            "citizenship": "LT",
            "group": group.pk,
            "valid_from": "2025-09-01",
            "contract_date": "2025-08-28",
        },
    )
    austeja = Person.objects.get(personal_code=code)
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:card", args=[austeja.public_id])
    assert austeja.birth_date == dt.date(2013, 4, 2)  # taken from the code
    assert austeja.enrolments.get().group == group
    # The confirmation agrees with her sex: "įregistruota", not "įregistruotas (-a)"
    card = text(web.get(response["Location"]))
    assert "Austėja Jankauskaitė įregistruota į 6a nuo 2025-09-01." in card

    # A pupil studying at another school: found by code, refused naming that school, and
    # enrolled once the manager ticks "record the transfer"
    response = web.post(
        reverse("pupils:enrol"),
        {"step": "find", "personal_code": transferring.person.personal_code},
    )
    assert "Kajus Urbonas" in text(response)
    assert 'name="given_names"' not in text(response)
    token = response.context["token"]
    enrol = {"step": "enrol", "person": token, "group": group.pk, "valid_from": "2026-01-12"}
    response = web.post(reverse("pupils:enrol"), enrol)
    assert response.status_code == 400
    assert other_school.name_lt in text(response)
    assert 'name="transfer"' in text(response)
    assert not Enrolment.objects.filter(person=transferring.person, institution=school).exists()
    response = web.post(
        reverse("pupils:enrol"), {**enrol, "transfer_offered": "on", "transfer": "on"}
    )
    assert response.status_code == 302
    transferring.refresh_from_db()
    assert transferring.valid_to == dt.date(2026, 1, 12)
    assert transferring.transferred_to.institution == school
    card = text(web.get(response["Location"]))
    assert "Kajus Urbonas įregistruotas į 6a nuo 2026-01-12." in card

    # Austėja leaves with a reason and the director's order number
    enrolment = austeja.enrolments.get()
    depart_url = reverse("pupils:depart", args=[enrolment.public_id])
    assert web.get(depart_url).status_code == 200
    departure = {"on": "2026-02-02", "reason": reason.code, "order_number": "V-15"}
    # First a confirmation page says what will happen, and nothing is written yet (#16 item 6)
    confirm = web.post(depart_url, departure)
    assert confirm.status_code == 200
    assert "6a" in text(confirm) and "2026-02-02" in text(confirm) and "V-15" in text(confirm)
    assert 'name="confirmed" value="yes"' in text(confirm)
    assert Enrolment.objects.get(pk=enrolment.pk).valid_to is None
    response = web.post(depart_url, {**departure, "confirmed": "yes"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.valid_to, enrolment.departure_reason, enrolment.departure_order_number) == (
        dt.date(2026, 2, 2),
        reason,
        "V-15",
    )

    # The card shows the timeline with the departure, and the history of the record
    card = web.get(reverse("pupils:card", args=[austeja.public_id]))
    page = text(card)
    assert card.status_code == 200
    assert "2025-09-01 – 2026-02-02" in page
    assert "V-15" in page
    assert "Išvyko į užsienį" in page
    assert len(card.context["history"]) >= 3  # person created, enrolment created and ended

    # The other school sees where its former pupil continued
    other_web = signed_in(manager_of(other_school, "other-manager"))
    other_card = text(other_web.get(reverse("pupils:card", args=[transferring.person.public_id])))
    assert school.name_lt in other_card

    # The list, the CSV and the XLSX all hold both pupils
    listed = web.get(reverse("pupils:list"))
    assert "Jankauskaitė" in text(listed) and "Urbonas" in text(listed)
    assert code not in text(listed)  # no personal code on the list
    response = web.get(reverse("pupils:export-csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert {r[1] for r in rows[1:]} == {"Jankauskaitė", "Urbonas"}
    assert code not in body
    response = web.get(reverse("pupils:export-xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert len(xlsx_rows) == 3
    austeja_row = next(r for r in xlsx_rows if r[1] == "Jankauskaitė")
    assert austeja_row[2] == "Austėja"
    assert austeja_row[4] == school.register_id
    assert austeja_row[11] == "Išvyko į užsienį"  # the reason's name; its code apart
    assert austeja_row[12] == "moved-abroad"
    assert austeja_row[13] == "V-15"

    # Every read of these pupils was written to their access log
    logged = set(
        AccessLogEntry.objects.filter(person_public_id=austeja.public_id).values_list(
            "what", flat=True
        )
    )
    assert {"pupil.card", "pupil.list", "pupil.export", "pupil.depart"} <= logged


def test_filters_narrow_the_list_and_its_exports():
    school = InstitutionFactory()
    stays = enrolled(school, family_name="Lieka")
    leaves = enrolled(school, class_of(school, "7a", "7"), family_name="Išvyksta")
    services.pupil_depart(
        actor=SYSTEM, enrolment=leaves, on=dt.date(2026, 1, 5), reason=departure_reason()
    )
    web = signed_in(manager_of(school, "manager"))

    page = text(web.get(reverse("pupils:list"), {"status": "left"}))
    assert "Išvyksta" in page and "Lieka" not in page
    page = text(web.get(reverse("pupils:list"), {"grade": "5", "valid_on": "2026-02-01"}))
    assert "Lieka" in page and "Išvyksta" not in page
    response = web.get(reverse("pupils:export-csv"), {"group": "7A"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "Išvyksta" in body and "Lieka" not in body
    # An invalid filter finds nothing rather than everything
    response = web.get(reverse("pupils:list"), {"valid_on": "not-a-date"})
    assert stays.person.family_name not in text(response)


@pytest.mark.parametrize(
    ("language", "name_column", "code_column"),
    [
        ("lt", "Išvykimo priežastis", "Išvykimo priežasties kodas"),
        ("en", "Departure reason", "Departure reason code"),
    ],
)
def test_exports_name_the_departure_reason_and_keep_its_code_in_a_column_of_its_own(
    language, name_column, code_column
):
    school = InstitutionFactory()
    reason, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="other-school",
        defaults={"name_lt": "Išvyko į kitą mokyklą", "name_en": "Moved to another school"},
    )
    leaves = enrolled(school, family_name="Išvykusi")
    services.pupil_depart(actor=SYSTEM, enrolment=leaves, on=dt.date(2026, 1, 5), reason=reason)
    web = verified_login(Client(HTTP_ACCEPT_LANGUAGE=language), manager_of(school, "manager"))
    name = reason.name_en if language == "en" else reason.name_lt

    response = web.get(reverse("pupils:export-csv"))
    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(body)))
    (row,) = [dict(zip(header, r, strict=True)) for r in rows]
    assert (row[name_column], row[code_column]) == (name, "other-school")

    response = web.get(reverse("pupils:export-xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *cells = list(sheet.iter_rows(values_only=True))
    (row,) = [dict(zip(header, r, strict=True)) for r in cells]
    assert (row[name_column], row[code_column]) == (name, "other-school")


def test_another_schools_manager_gets_404():
    school, other = InstitutionFactory(), InstitutionFactory()
    enrolment = enrolled(school)
    stranger = signed_in(manager_of(other, "stranger"))

    assert (
        stranger.get(reverse("pupils:card", args=[enrolment.person.public_id])).status_code == 404
    )
    depart_url = reverse("pupils:depart", args=[enrolment.public_id])
    assert stranger.get(depart_url).status_code == 404
    response = stranger.post(depart_url, {"on": "2026-01-05", "reason": departure_reason().code})
    assert response.status_code == 404
    assert stranger.get(reverse("pupils:move", args=[enrolment.public_id])).status_code == 404
    assert (
        stranger.get(reverse("pupils:group-detail", args=[enrolment.group.public_id])).status_code
        == 404
    )
    enrolment.refresh_from_db()
    assert enrolment.is_open
    assert enrolment.person.family_name not in text(stranger.get(reverse("pupils:list")))


def test_the_list_costs_the_same_number_of_queries_for_5_and_30_pupils():
    school = InstitutionFactory()
    group = class_of(school)
    other = class_of(InstitutionFactory(), "9c", "9")
    web = signed_in(manager_of(school, "manager"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(reverse("pupils:list")).status_code == 200
        return len(captured)

    for _ in range(5):
        enrolled(school, group)
    web.get(reverse("pupils:list"))  # warm-up: sessions, content types
    five = queries()
    for i in range(25):
        # Some pupils moved on to another school: the list shows that school's municipality
        enrolment = enrolled(school, group)
        if i % 5 == 0:
            services.pupil_enrol(
                actor=SYSTEM,
                person=enrolment.person,
                group=other,
                valid_from=dt.date(2026, 1, 5),
                transfer=True,
            )
    assert queries() == five


def test_a_municipality_sees_its_schools_pupils_read_only():
    vilnius = Municipality.objects.get(code="LT-57")
    school = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    elsewhere = InstitutionFactory(municipality=Municipality.objects.get(code="LT-19"))
    mine = enrolled(school, family_name="Vilnietis")
    enrolled(elsewhere, family_name="Kaunietis")
    web = signed_in(municipal_viewer(vilnius))

    page = text(web.get(reverse("pupils:list")))
    assert "Vilnietis" in page and "Kaunietis" not in page
    assert reverse("pupils:enrol") not in page  # no action offered
    assert web.get(reverse("pupils:card", args=[mine.person.public_id])).status_code == 200

    # Every action answers 403
    depart_url = reverse("pupils:depart", args=[mine.public_id])
    assert (
        web.post(depart_url, {"on": "2026-01-05", "reason": departure_reason().code}).status_code
        == 403
    )
    assert web.post(reverse("pupils:move", args=[mine.public_id]), {}).status_code == 403
    assert (
        web.post(
            reverse("pupils:enrol"), {"step": "find", "personal_code": mine.person.personal_code}
        ).status_code
        == 403
    )
    assert web.post(reverse("pupils:group-new"), {"institution": school.pk}).status_code == 403
    close_url = reverse("pupils:group-close", args=[mine.group.public_id])
    assert web.post(close_url, {"close-on": "2026-06-30"}).status_code == 403
    nvs_url = reverse("pupils:nvs-mark", args=[mine.person.public_id])
    assert web.post(nvs_url, {}).status_code == 403
    mine.refresh_from_db()
    assert mine.is_open


def test_a_foreigner_without_a_code_is_registered_and_enrolled(in_school_year_2025):  # type: ignore[no-untyped-def]
    school = InstitutionFactory()
    group = class_of(school)
    web = signed_in(manager_of(school, "manager"))

    response = web.post(reverse("pupils:enrol"), {"step": "foreign"})
    assert 'name="birth_date"' in text(response)
    enrol = {
        "step": "enrol",
        "given_names": "Olena",
        "family_name": "Kovalenko",
        "citizenship": "UA",
        "sex": "M",
        "group": group.pk,
        "valid_from": "2025-09-01",
    }
    response = web.post(reverse("pupils:enrol"), enrol)  # the birth date is missing
    assert response.status_code == 400
    assert 'id="id_birth_date_error"' in text(response)
    assert not Person.objects.filter(family_name="Kovalenko").exists()

    response = web.post(reverse("pupils:enrol"), {**enrol, "birth_date": "2014-06-01"})
    olena = Person.objects.get(family_name="Kovalenko")
    assert response.status_code == 302
    assert olena.personal_code is None and olena.foreign_id
    assert olena.enrolments.get().group == group


def test_enrolment_errors_change_nothing_and_say_which_field():
    school = InstitutionFactory()
    group = class_of(school)
    pupil = enrolled(school, group)
    web = signed_in(manager_of(school, "manager"))

    # A wrong personal code is a field error on the lookup
    response = web.post(reverse("pupils:enrol"), {"step": "find", "personal_code": "12345678901"})
    assert response.status_code == 400
    assert 'id="id_personal_code_error"' in text(response)

    # Enrolling a pupil who is already in this school: the service's refusal is on the group
    token = web.post(
        reverse("pupils:enrol"), {"step": "find", "personal_code": pupil.person.personal_code}
    ).context["token"]
    response = web.post(
        reverse("pupils:enrol"),
        {"step": "enrol", "person": token, "group": group.pk, "valid_from": "2025-10-01"},
    )
    assert response.status_code == 400
    assert 'id="id_group_error"' in text(response)
    assert 'name="transfer"' not in text(response)  # not a transfer: nothing to offer

    # A forged person token is refused
    response = web.post(
        reverse("pupils:enrol"),
        {"step": "enrol", "person": "forged", "group": group.pk, "valid_from": "2025-10-01"},
    )
    assert response.status_code == 400
    assert pupil.person.enrolments.count() == 1


def test_move_to_another_group_and_close_the_empty_one(in_school_year_2025):  # type: ignore[no-untyped-def]
    school = InstitutionFactory()
    first, second = class_of(school, "5a"), class_of(school, "5b")
    enrolment = enrolled(school, first)
    web = signed_in(manager_of(school, "manager"))

    close_url = reverse("pupils:group-close", args=[first.public_id])
    response = web.post(close_url, {"close-on": "2026-01-31"})
    assert response.status_code == 400  # the group still has a pupil
    assert 'id="id_close-on_error"' in text(response)

    response = web.post(
        reverse("pupils:move", args=[enrolment.public_id]), {"group": second.pk, "on": "2026-01-05"}
    )
    assert response.status_code == 302
    assert enrolment.person.enrolments.get(valid_to__isnull=True).group == second

    # Closing is confirmed first (#16 item 6): the page says what will happen, nothing yet
    confirm = web.post(close_url, {"close-on": "2026-01-31"})
    assert confirm.status_code == 200 and 'name="confirmed" value="yes"' in text(confirm)
    first.refresh_from_db()
    assert first.closed_on is None
    assert web.post(close_url, {"close-on": "2026-01-31", "confirmed": "yes"}).status_code == 302
    first.refresh_from_db()
    assert first.closed_on == dt.date(2026, 1, 31)


def test_an_nvs_provider_marks_funding_and_learns_the_basket_is_taken():
    art_school, sports_club = InstitutionFactory(), InstitutionFactory()
    pupil = PersonFactory()
    for provider, name in ((art_school, "Dailė"), (sports_club, "Krepšinis")):
        services.pupil_enrol(
            actor=SYSTEM,
            person=pupil,
            group=class_of(provider, name, "", GroupKind.NVS),
            valid_from=SEPT_1,
        )
    services.nvs_funding_mark(
        actor=SYSTEM,
        person=pupil,
        provider=art_school,
        months=[dt.date(2025, 10, 1)],
        basket=True,
    )
    web = signed_in(manager_of(sports_club, "sports"))
    nvs_url = reverse("pupils:nvs-mark", args=[pupil.public_id])
    marks = {
        "nvs-provider": sports_club.pk,
        "nvs-month_from": "2025-09",
        "nvs-month_to": "2025-11",
    }

    response = web.post(nvs_url, {**marks, "nvs-basket": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "already marked by another provider" in text(response)
    assert art_school.name_lt not in text(response)  # not by whom
    assert not NvsFundingMark.objects.filter(provider=sports_club).exists()

    response = web.post(nvs_url, {**marks, "nvs-municipal_funds": "on"})
    assert response.status_code == 302
    assert NvsFundingMark.objects.filter(provider=sports_club).count() == 3
    card = text(web.get(reverse("pupils:card", args=[pupil.public_id])))
    assert "2025-11" in card


def test_a_club_gets_its_directions_on_the_group_page():
    school = InstitutionFactory()
    club = class_of(school, "Robotika", "", GroupKind.CLUB)
    web = signed_in(manager_of(school, "manager"))
    page_url = reverse("pupils:group-detail", args=[club.public_id])
    assert 'name="directions-directions"' in text(web.get(page_url))

    directions_url = reverse("pupils:group-directions", args=[club.public_id])
    response = web.post(directions_url, {"directions-directions": ["technology", "robotics"]})
    assert response.status_code == 302
    assert set(club.directions.values_list("code", flat=True)) == {"technology", "robotics"}
    response = web.post(directions_url, {})
    assert response.status_code == 400  # at least one direction
    assert club.directions.count() == 2


def test_a_departure_is_confirmed_first_and_a_refused_one_stays_on_the_form():  # type: ignore[no-untyped-def]
    school = InstitutionFactory()
    enrolment = enrolled(school)
    web = signed_in(manager_of(school, "manager"))
    depart_url = reverse("pupils:depart", args=[enrolment.public_id])

    # A departure the service refuses (before the enrolment) is shown on the form, not put
    # to the user to confirm
    refused = web.post(depart_url, {"on": "2025-08-01", "reason": departure_reason().code})
    assert refused.status_code == 400
    assert 'name="confirmed"' not in text(refused)

    # A lawful one: the page says what will happen; the departure is written on confirming
    departure = {"on": "2026-01-05", "reason": departure_reason().code}
    page = web.post(depart_url, departure)
    assert page.status_code == 200
    assert "registracija grupėje baigiasi" in text(page) and "Išvyko į užsienį" in text(page)
    assert Enrolment.objects.get(pk=enrolment.pk).valid_to is None
    done = web.post(
        depart_url, {"on": "2026-01-05", "reason": departure_reason().code, "confirmed": "yes"}
    )
    assert done.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).valid_to == dt.date(2026, 1, 5)
