"""Valid time: a change recorded ahead of its date is planned until that day (#16 item 5).

The end of the school year is recorded in June with the default date 1 September of the next
year. Until that day the pupil studies in the current class: the card, the class lists, the
"studying" filter of the pupil list and the municipality's view all say so; from that day the
next class is current.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import selectors, services, year_end
from edureg.pupils.models import CURRENT, ENDED, PLANNED, Enrolment, GroupKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The pages are read in English here; the language in force before is restored after."""
    with translation.override("en"):
        yield


SYSTEM = Actor.system("tests")
JUNE_20, SEPT_1, SEPT_2 = dt.date(2026, 6, 20), dt.date(2026, 9, 1), dt.date(2026, 9, 2)


def group(school, name, grade, year):  # type: ignore[no-untyped-def]
    return services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=year,
        name=name,
        kind=GroupKind.GENERAL,
        grade=grade,
    )


def client_of(scope_kind, area=FunctionArea.PUPIL_PERSONAL, **scope):  # type: ignore[no-untyped-def]
    user = make_user(f"valid-time-{scope_kind}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=scope_kind,
        function_area=area,
        level=Level.MANAGER if scope_kind == ScopeKind.INSTITUTION else Level.VIEWER,
        **scope,
    )
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


@pytest.fixture
def year_ended(monkeypatch):  # type: ignore[no-untyped-def]
    """On 20 June 2026 a Vilnius school ends the school year of 5a: its pupil is promoted to
    6a from 1 September; another pupil's transfer to a Kaunas school is recorded from then."""
    monkeypatch.setattr(selectors, "today", lambda: JUNE_20)
    vilnius, kaunas = Municipality.objects.get(code="LT-57"), Municipality.objects.get(code="LT-15")
    school, other = (
        InstitutionFactory(municipality=vilnius),
        InstitutionFactory(municipality=kaunas),
    )
    fifth, sixth = group(school, "5a", "5", 2025), group(school, "6a", "6", 2026)
    promoted = PersonFactory(family_name="Keliaujantė", declared_municipality=vilnius)
    leaving = PersonFactory(family_name="Išvykstantis", declared_municipality=vilnius)
    for person in (promoted, leaving):
        services.pupil_enrol(
            actor=SYSTEM, person=person, group=fifth, valid_from=dt.date(2025, 9, 1)
        )
    staying = {str(e.public_id): year_end.Outcome.STAY for e in fifth.enrolments.all()}
    first = Enrolment.objects.get(person=promoted)
    staying[str(first.public_id)] = year_end.Outcome.PROMOTE
    year_end.year_end_apply(
        actor=SYSTEM,
        group=fifth,
        on=SEPT_1,
        previewed=sorted(staying),
        outcomes=staying,
        promote_to=sixth,
    )
    services.pupil_enrol(
        actor=SYSTEM,
        person=leaving,
        group=group(other, "6k", "6", 2026),
        valid_from=SEPT_1,
        transfer=True,
    )
    return {
        "school": school,
        "vilnius": vilnius,
        "fifth": fifth,
        "sixth": sixth,
        "promoted": promoted,
        "leaving": leaving,
    }


def test_the_state_of_an_enrolment_follows_its_interval():  # type: ignore[no-untyped-def]
    enrolment = Enrolment(valid_from=SEPT_1, valid_to=dt.date(2027, 9, 1))
    assert enrolment.state_on(JUNE_20) == PLANNED
    assert enrolment.state_on(SEPT_1) == CURRENT
    assert enrolment.state_on(dt.date(2027, 8, 31)) == CURRENT
    assert enrolment.state_on(dt.date(2027, 9, 1)) == ENDED


def test_before_the_date_the_card_shows_the_current_class_and_the_next_as_planned(
    year_ended, monkeypatch
):  # type: ignore[no-untyped-def]
    web = client_of(ScopeKind.INSTITUTION, institution=year_ended["school"])
    url = reverse("pupils:card", args=[year_ended["promoted"].public_id])

    def badges() -> dict[str, str]:
        """Each enrolment's group on the card, with its badge."""
        page = web.get(url).content.decode()
        timeline = page.split('id="timeline-heading"')[1].split("</section>")[0]
        cards = timeline.split('<li class="card">')[1:]
        return {
            group: card.split('<span class="badge">')[1].split("</span>")[0]
            for card in cards
            for group in ("5a", "6a")
            if f" {group}" in card.split("<br>")[1].split("</p>")[0]
        }

    assert badges() == {"6a": "planned from 2026-09-01", "5a": "studying"}

    monkeypatch.setattr(selectors, "today", lambda: SEPT_2)
    assert badges() == {"6a": "studying", "5a": "left"}


def test_before_the_date_the_class_keeps_its_pupils(year_ended, monkeypatch):  # type: ignore[no-untyped-def]
    web = client_of(ScopeKind.INSTITUTION, institution=year_ended["school"])
    fifth = web.get(reverse("pupils:group-detail", args=[year_ended["fifth"].public_id]))
    assert "Keliaujantė" in fifth.content.decode()
    assert "Išvykstantis" in fifth.content.decode()
    assert "until 2026-09-01" in fifth.content.decode()
    sixth = web.get(reverse("pupils:group-detail", args=[year_ended["sixth"].public_id]))
    assert "Keliaujantė" in sixth.content.decode()
    assert "planned" in sixth.content.decode()
    groups = web.get(reverse("pupils:group-list")).content.decode()
    fifth_row = groups[groups.index(">5a<") :].split("</tr>")[0]
    assert "<td>2</td>" in fifth_row

    monkeypatch.setattr(selectors, "today", lambda: SEPT_2)
    fifth = web.get(reverse("pupils:group-detail", args=[year_ended["fifth"].public_id]))
    assert "Keliaujantė" not in fifth.content.decode()
    groups = web.get(reverse("pupils:group-list")).content.decode()
    assert "<td>0</td>" in groups[groups.index(">5a<") :].split("</tr>")[0]


def test_the_studying_filter_follows_valid_time(year_ended, monkeypatch):  # type: ignore[no-untyped-def]
    web = client_of(ScopeKind.INSTITUTION, institution=year_ended["school"])

    def groups_listed(status: str) -> set[str]:
        page = web.get(reverse("pupils:list"), {"status": status}).content.decode()
        return {name for name in ("5a", "6a") if f">{name}<" in page or f" {name}<" in page}

    assert groups_listed("open") == {"5a"}
    assert groups_listed("planned") == {"6a"}
    assert groups_listed("left") == set()

    monkeypatch.setattr(selectors, "today", lambda: SEPT_2)
    assert groups_listed("open") == {"6a"}
    assert groups_listed("left") == {"5a"}
    assert groups_listed("planned") == set()


def test_the_municipality_sees_where_children_study_today(year_ended, monkeypatch):  # type: ignore[no-untyped-def]
    web = client_of(ScopeKind.MUNICIPALITY, municipality=year_ended["vilnius"])
    url = reverse("pupils:municipality")

    def names(status: str) -> set[str]:
        page = web.get(url, {"municipality": "LT-57", "status": status}).content.decode()
        return {name for name in ("Keliaujantė", "Išvykstantis") if name in page}

    assert names("here") == {"Keliaujantė", "Išvykstantis"}
    assert names("elsewhere") == set()

    monkeypatch.setattr(selectors, "today", lambda: SEPT_2)
    assert names("here") == {"Keliaujantė"}
    assert names("elsewhere") == {"Išvykstantis"}


# --- Classes of past school years take no new pupils --------------------------------------


def test_a_class_of_a_past_school_year_takes_no_new_pupil(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(selectors, "today", lambda: JUNE_20)  # in the school year 2025–2026
    school = InstitutionFactory()
    past, current, next_year = (
        group(school, "4p", "4", 2024),
        group(school, "5a", "5", 2025),
        group(school, "6a", "6", 2026),
    )
    pupil = PersonFactory(family_name="Naujokė")

    # The service refuses a class whose school year ended before the enrolment date
    with pytest.raises(ValidationError) as refused:
        services.pupil_enrol(
            actor=SYSTEM, person=pupil, group=past, valid_from=dt.date(2025, 10, 1)
        )
    assert "2024–2025" in refused.value.message_dict["group"][0]
    assert not Enrolment.objects.filter(person=pupil).exists()
    enrolment = services.pupil_enrol(
        actor=SYSTEM, person=pupil, group=current, valid_from=dt.date(2025, 10, 1)
    )
    with pytest.raises(ValidationError):
        services.pupil_move(actor=SYSTEM, enrolment=enrolment, group=past, on=JUNE_20)
    assert Enrolment.objects.get(pk=enrolment.pk).valid_to is None

    # The web form offers only the classes of the current and later school years
    web = client_of(ScopeKind.INSTITUTION, institution=school)
    page = web.post(reverse("pupils:enrol"), {"step": "foreign"}).content.decode()
    options = page.split('name="group"')[1].split("</select>")[0]
    assert f'value="{current.pk}"' in options and f'value="{next_year.pk}"' in options
    assert f'value="{past.pk}"' not in options
    move = web.get(reverse("pupils:move", args=[enrolment.public_id])).content.decode()
    assert f'value="{next_year.pk}"' in move and f'value="{past.pk}"' not in move


def test_a_class_whose_pupils_leave_after_the_closing_day_cannot_close(year_ended):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.group_close(actor=SYSTEM, group=year_ended["fifth"], on=JUNE_20)
    with pytest.raises(ValidationError):  # a pupil is planned to join it
        services.group_close(actor=SYSTEM, group=year_ended["sixth"], on=JUNE_20)
    closed = services.group_close(actor=SYSTEM, group=year_ended["fifth"], on=SEPT_1)
    assert closed.closed_on == SEPT_1
