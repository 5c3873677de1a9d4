"""A school's day in the Pupil Register, and the rules that must hold for every writer."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.http import Http404
from django.utils import translation

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.models import FounderType, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.selectors import person_get
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import selectors, services, year_end
from edureg.pupils.models import Enrolment, GroupKind, NvsFundingMark

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
SEPT_1 = dt.date(2025, 9, 1)


def data_manager(institution, name):  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    return verified_actor(user)


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
    return verified_actor(user)


def departure_reason(code="moved-abroad"):  # type: ignore[no-untyped-def]
    # The agency seeds the departure reasons (KL_ISV_PRIEZ2); tests add one of their own.
    value, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code=code,
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )
    return value


def class_of(school, manager, name="5a", grade="5", kind=GroupKind.GENERAL):  # type: ignore[no-untyped-def]
    return services.group_create(
        actor=manager, institution=school, school_year=2025, name=name, kind=kind, grade=grade
    )


def test_a_schools_day_enrol_transfer_depart_reenrol_promote():
    vilnius = Municipality.objects.get(code="LT-57")
    first_school = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    second_school = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    first_manager = data_manager(first_school, "first")
    second_manager = data_manager(second_school, "second")
    pupil = PersonFactory(given_names="Kajus", family_name="Urbonas")

    # Enrol at the first school
    enrolment = services.pupil_enrol(
        actor=first_manager,
        person=pupil,
        group=class_of(first_school, first_manager),
        valid_from=SEPT_1,
    )
    assert person_get(actor=first_manager, public_id=pupil.public_id) == pupil
    with pytest.raises(Http404):  # the second school does not know the pupil yet
        person_get(actor=second_manager, public_id=pupil.public_id)

    # The second school tries to enrol without recording the transfer: refused, naming the school
    second_class = class_of(second_school, second_manager, name="5b")
    with pytest.raises(ValidationError) as error:
        services.pupil_enrol(
            actor=second_manager, person=pupil, group=second_class, valid_from=dt.date(2026, 1, 12)
        )
    assert first_school.name_lt in error.value.message_dict["group"][0]

    # With the transfer recorded, the first enrolment ends and the first school sees the link
    moved = services.pupil_enrol(
        actor=second_manager,
        person=pupil,
        group=second_class,
        valid_from=dt.date(2026, 1, 12),
        transfer=True,
    )
    enrolment.refresh_from_db()
    assert enrolment.valid_to == dt.date(2026, 1, 12)
    assert enrolment.transferred_to == moved
    assert (
        selectors.enrolment_list(actor=first_manager).get(pk=enrolment.pk).transferred_to_id
        == moved.pk
    )

    # Departure with a reason and an order number; the municipality sees it
    services.pupil_depart(
        actor=second_manager,
        enrolment=moved,
        on=dt.date(2026, 3, 2),
        reason=departure_reason(),
        order_number="V-15",
    )
    seen = selectors.enrolment_list(actor=municipal_viewer(vilnius)).get(pk=moved.pk)
    assert (seen.valid_to, seen.departure_reason.code, seen.departure_order_number) == (
        dt.date(2026, 3, 2),
        "moved-abroad",
        "V-15",
    )

    # Re-enrolment later is possible
    fifth_grade = class_of(first_school, first_manager, name="5c")
    back = services.pupil_enrol(
        actor=first_manager, person=pupil, group=fifth_grade, valid_from=dt.date(2026, 5, 4)
    )
    assert back.is_open
    assert pupil.enrolments.count() == 3

    # Promote at year end: the class is previewed, then applied; the pupil is in 6c from 1 Sept
    sixth_grade = services.group_create(
        actor=first_manager,
        institution=first_school,
        school_year=2026,
        name="6c",
        kind=GroupKind.GENERAL,
        grade="6",
    )
    plan = year_end.year_end_plan(
        actor=first_manager, group=fifth_grade, on=dt.date(2026, 9, 1), promote_to=sixth_grade
    )
    assert [(s.enrolment, s.outcome, s.target) for s in plan.steps] == [
        (back, "promote", sixth_grade)
    ]
    assert pupil.enrolments.filter(valid_to__isnull=True).get() == back  # a preview writes nothing
    year_end.year_end_apply(
        actor=first_manager,
        group=fifth_grade,
        on=dt.date(2026, 9, 1),
        previewed=plan.enrolment_ids,
        promote_to=sixth_grade,
    )
    now = pupil.enrolments.get(valid_to__isnull=True)
    assert (now.group, now.valid_from) == (sixth_grade, dt.date(2026, 9, 1))
    back.refresh_from_db()
    assert (back.valid_to, back.transferred_to) == (dt.date(2026, 9, 1), now)


def test_nvs_and_club_enrolments_run_in_parallel():
    school, nvs_provider = InstitutionFactory(), InstitutionFactory()
    school_manager, provider_manager = (
        data_manager(school, "school"),
        data_manager(nvs_provider, "nvs"),
    )
    pupil = PersonFactory()
    services.pupil_enrol(
        actor=school_manager,
        person=pupil,
        group=class_of(school, school_manager),
        valid_from=SEPT_1,
    )
    club = class_of(school, school_manager, name="Robotika", grade="", kind=GroupKind.CLUB)
    nvs_group = class_of(
        nvs_provider, provider_manager, name="Krepšinis", grade="", kind=GroupKind.NVS
    )
    services.pupil_enrol(actor=school_manager, person=pupil, group=club, valid_from=SEPT_1)
    services.pupil_enrol(actor=provider_manager, person=pupil, group=nvs_group, valid_from=SEPT_1)
    assert pupil.enrolments.filter(valid_to__isnull=True).count() == 3


def test_two_open_general_enrolments_are_impossible_even_bypassing_the_service():
    school, other = InstitutionFactory(), InstitutionFactory()
    manager = data_manager(school, "m")
    pupil = PersonFactory()
    first = services.pupil_enrol(
        actor=manager, person=pupil, group=class_of(school, manager), valid_from=SEPT_1
    )
    other_group = class_of(other, SYSTEM, name="6a", grade="6")
    # A writer that ignores the rules (a raw insert) is stopped by the database itself
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            person=pupil,
            group=other_group,
            institution=other,
            kind=GroupKind.GENERAL,
            valid_from=SEPT_1,
        )
    assert Enrolment.objects.filter(person=pupil, valid_to__isnull=True).get() == first


def test_nvs_funding_is_marked_one_school_year_at_a_time_whoever_sends_it():
    """The limit the API states is the service's: months across more than two calendar years,
    or an end before the start, are refused naming `month_to`, and nothing is marked."""
    pupil, provider = PersonFactory(), InstitutionFactory()
    manager = data_manager(provider, "nvs-year")
    three_years = [dt.date(2025, 9, 1), dt.date(2026, 6, 1), dt.date(2027, 1, 1)]

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.nvs_funding_mark(
            actor=manager, person=pupil, provider=provider, months=three_years, basket=True
        )
    with translation.override("en"), pytest.raises(ValidationError) as backwards:
        services.months_between(dt.date(2026, 1, 1), dt.date(2025, 9, 1))

    assert error.value.message_dict == {"month_to": ["Mark at most one school year at a time."]}
    assert "month_to" in backwards.value.message_dict
    assert not NvsFundingMark.objects.filter(person=pupil).exists()


def test_only_one_provider_marks_the_nvs_basket_for_a_month():
    pupil = PersonFactory()
    art_school, sports_club = InstitutionFactory(), InstitutionFactory()
    art_manager, sports_manager = (
        data_manager(art_school, "art"),
        data_manager(sports_club, "sport"),
    )
    months = services.months_between(dt.date(2025, 9, 1), dt.date(2025, 12, 1))
    services.nvs_funding_mark(
        actor=art_manager, person=pupil, provider=art_school, months=months, basket=True
    )

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.nvs_funding_mark(
            actor=sports_manager, person=pupil, provider=sports_club, months=months[2:], basket=True
        )
    with translation.override("en"):
        message = error.value.message_dict["basket"][0]
    assert "already marked by another provider" in message
    assert art_school.name_lt not in message  # not by whom
    # other funding kinds may still be marked by the second provider
    services.nvs_funding_mark(
        actor=sports_manager,
        person=pupil,
        provider=sports_club,
        months=months,
        municipal_funds=True,
    )
    assert NvsFundingMark.objects.filter(person=pupil, basket=True).count() == 4
    assert set(NvsFundingMark.objects.filter(basket=True).values_list("provider", flat=True)) == {
        art_school.pk
    }


def test_another_schools_manager_cannot_depart_my_pupil():
    school, other = InstitutionFactory(), InstitutionFactory()
    manager, stranger = data_manager(school, "mine"), data_manager(other, "stranger")
    enrolment = services.pupil_enrol(
        actor=manager, person=PersonFactory(), group=class_of(school, manager), valid_from=SEPT_1
    )
    with pytest.raises(Http404):
        services.pupil_depart(
            actor=stranger, enrolment=enrolment, on=dt.date(2026, 1, 1), reason=departure_reason()
        )
    with pytest.raises(Http404):
        selectors.enrolment_get(actor=stranger, public_id=enrolment.public_id)


@pytest.mark.django_db(transaction=True)
def test_concurrent_basket_marks_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario")
    pupil = PersonFactory()
    providers = [InstitutionFactory() for _ in range(8)]
    month = [dt.date(2025, 10, 1)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(providers))

    def mark(provider):  # type: ignore[no-untyped-def]
        # Each thread is a request of its own; its messages are asked for in English.
        try:
            with translation.override("en"):
                barrier.wait()
                services.nvs_funding_mark(
                    actor=SYSTEM, person=pupil, provider=provider, months=month, basket=True
                )
            outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["basket"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=mark, args=(p,)) for p in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    assert all("already marked by another provider" in o for o in outcomes if o != "won")
    assert NvsFundingMark.objects.filter(person=pupil).count() == 1  # nothing half-written


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_at_two_schools_leave_one_open():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario")
    pupil = PersonFactory()
    groups = [class_of(InstitutionFactory(), SYSTEM, name=f"7{i}", grade="7") for i in range(6)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(groups))

    def enrol(group):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.pupil_enrol(actor=SYSTEM, person=pupil, group=group, valid_from=SEPT_1)
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(g,)) for g in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("enrolled") == 1
    assert Enrolment.objects.filter(person=pupil, valid_to__isnull=True).count() == 1


def test_learning_data_electives_achievements_and_special_needs():
    school = InstitutionFactory()
    pupil = PersonFactory()
    advanced = ClassifierValue.objects.get(classifier__code="course-level", code="A")
    with pytest.raises(ValidationError) as error:  # not this school's pupil
        services.elective_add(
            actor=SYSTEM,
            person=pupil,
            institution=school,
            school_year=2025,
            subject="Fizika",
            course_level=advanced,
        )
    assert "person" in error.value.message_dict
    services.pupil_enrol(
        actor=SYSTEM,
        person=pupil,
        group=class_of(school, SYSTEM, name="11a", grade="11"),
        valid_from=SEPT_1,
    )
    advanced = ClassifierValue.objects.get(classifier__code="course-level", code="A")
    services.elective_add(
        actor=SYSTEM,
        person=pupil,
        institution=school,
        school_year=2025,
        subject="Matematika",
        course_level=advanced,
    )
    with pytest.raises(ValidationError):  # the same subject twice in a year
        services.elective_add(
            actor=SYSTEM,
            person=pupil,
            institution=school,
            school_year=2025,
            subject="Matematika",
            course_level=advanced,
        )
    services.achievement_add(
        actor=SYSTEM,
        person=pupil,
        institution=school,
        kind="olympiad",
        level="national",
        name="Lietuvos mokinių matematikos olimpiada",
        result="II vieta",
        achieved_on=dt.date(2026, 3, 14),
    )
    moderate = ClassifierValue.objects.get(classifier__code="special-needs-level", code="moderate")
    large = ClassifierValue.objects.get(classifier__code="special-needs-level", code="large")
    first = services.special_needs_set(
        actor=SYSTEM, person=pupil, institution=school, level=moderate, valid_from=SEPT_1
    )
    services.special_needs_set(
        actor=SYSTEM, person=pupil, institution=school, level=large, valid_from=dt.date(2026, 2, 1)
    )
    first.refresh_from_db()
    assert first.valid_to == dt.date(2026, 2, 1)
    assert pupil.special_needs.get(valid_to__isnull=True).level == large
    assert pupil.achievements.get().result == "II vieta"


def test_a_club_has_nvs_directions_and_a_class_has_none():
    school = InstitutionFactory()
    club = class_of(school, SYSTEM, name="Robotika", grade="", kind=GroupKind.CLUB)
    robotics = ClassifierValue.objects.get(classifier__code="nvs-subdirection", code="robotics")
    technology = ClassifierValue.objects.get(classifier__code="nvs-direction", code="technology")
    services.group_directions_set(actor=SYSTEM, group=club, directions=[technology, robotics])
    assert set(club.directions.values_list("code", flat=True)) == {"technology", "robotics"}
    with pytest.raises(ValidationError):
        services.group_directions_set(
            actor=SYSTEM, group=class_of(school, SYSTEM), directions=[technology]
        )
