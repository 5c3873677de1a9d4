"""The blank pages: the agency records a delivery and allocates a range to a school (in bulk,
with a version and a change-log entry per blank), the school writes off a spoiled blank after
confirming; refusals are shown on the form and change nothing; others see none of it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import ChangeLogEntry
from edureg.credentials.models import Blank, BlankReceipt, BlankStatus, BlankType
from edureg.credentials.tests import factories as f
from edureg.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def agency_client(name: str) -> tuple[Client, object]:
    user = make_user(name)
    access_services.role_grant(
        actor=f.SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.BLANK_ALLOCATION,
        level=Level.MANAGER,
    )
    return _client(user), user


def school_client(school, name: str) -> Client:  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=f.SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.CERTIFICATES,
        level=Level.MANAGER,
    )
    return _client(user)


def test_the_agency_receives_and_allocates_and_the_school_writes_off():
    school = InstitutionFactory(name_lt="Kauno Saulės gimnazija")
    agency, agency_user = agency_client("agentura")
    maturity = BlankType.objects.get(code="3014")
    series = f"Q{school.pk}"
    delivery = {
        "blank_type": maturity.pk,
        "series": series,
        "first_number": 1,
        "last_number": 500,
        "received_on": "2026-03-01",
        "note": "Važtaraštis 17",
    }

    # A range whose end is before its start is refused on its field, nothing recorded
    refused = agency.post("/documents/blanks/received/", {**delivery, "last_number": 0})
    assert refused.status_code == 400 and not BlankReceipt.objects.filter(series=series).exists()
    # The delivery is recorded and shows in stock
    assert agency.post("/documents/blanks/received/", delivery).status_code == 302
    page = agency.get("/documents/blanks/received/").content.decode()
    assert series in page and "1–500" in page

    # 200 of them are allocated to the school in a few statements, each blank with history
    allocation = {
        "institution": school.pk,
        "blank_type": maturity.pk,
        "series": series.lower(),
        "first_number": 1,
        "last_number": 200,
        "allocated_on": "2026-03-02",
    }
    log_before = ChangeLogEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert agency.post("/documents/blanks/allocations/", allocation).status_code == 302
    assert len(queries) < 60  # not three writes per blank
    on_hand = Blank.objects.filter(institution=school, status=BlankStatus.ON_HAND)
    assert on_hand.count() == 200
    blank = on_hand.get(number=7)
    version = blank.history.first()
    assert blank.history.count() == 2 and version.history_user == agency_user
    assert version.history_channel == "web" and version.history_type == "~"
    assert ChangeLogEntry.objects.count() - log_before >= 201  # the allocation and each blank
    # Allocating an overlapping range again is refused
    again = agency.post("/documents/blanks/allocations/", {**allocation, "first_number": 150})
    assert again.status_code == 400 and "already allocated" in again.content.decode()
    assert series in agency.get("/documents/blanks/allocations/").content.decode()

    # The school writes off blank 7: only after confirming, and never twice
    school_staff = school_client(school, "mokykla")
    write_off = {
        "institution": school.pk,
        "blank_type": maturity.pk,
        "series": series,
        "number": 7,
        "status": "spoiled",
        "reason": "misprint",
        "on": "2026-06-20",
    }
    unconfirmed = school_staff.post("/documents/blanks/write-off/", write_off)
    assert unconfirmed.status_code == 400
    blank.refresh_from_db()
    assert blank.status == BlankStatus.ON_HAND
    confirmed = school_staff.post("/documents/blanks/write-off/", {**write_off, "confirm": "on"})
    assert confirmed.status_code == 302
    blank.refresh_from_db()
    assert blank.status == BlankStatus.SPOILED and blank.write_off_reason.code == "misprint"
    twice = school_staff.post("/documents/blanks/write-off/", {**write_off, "confirm": "on"})
    assert twice.status_code == 400 and "Only a blank on hand" in twice.content.decode()
    unknown = school_staff.post(
        "/documents/blanks/write-off/", {**write_off, "number": 999, "confirm": "on"}
    )
    assert unknown.status_code == 400
    listed = school_staff.get("/documents/blanks/write-off/").content.decode()
    assert f"{series} 0000007" in listed and "Spoiled in printing" in listed

    # The school does not see the agency's stock; another school cannot touch these blanks
    assert school_staff.get("/documents/blanks/received/").status_code == 404
    stranger = school_client(InstitutionFactory(), "stranger")
    foreign = stranger.post(
        "/documents/blanks/write-off/", {**write_off, "number": 8, "confirm": "on"}
    )
    assert foreign.status_code == 400  # the school is not among the choices
    assert Blank.objects.get(series=series, number=8).status == BlankStatus.ON_HAND
    assert series not in stranger.get("/documents/blanks/allocations/").content.decode()
