"""End of the school year for a class: the preview writes nothing, applying is all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_user, verified_actor, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services, year_end
from edureg.pupils.models import Enrolment, GroupKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Messages are read in English here (the register's default language is Lithuanian)."""
    with translation.override("en"):
        yield


SYSTEM = Actor.system("tests")
SEPT_1 = dt.date(2025, 9, 1)
NEXT_SEPT_1 = dt.date(2026, 9, 1)


def manager_user(school, name="manager"):  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    return user


def completed_reason():  # type: ignore[no-untyped-def]
    value, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="completed",
        defaults={"name_lt": "Baigė ugdymo programą", "name_en": "Completed the programme"},
    )
    return value


def group(school, name, grade, year=2025):  # type: ignore[no-untyped-def]
    return services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=year,
        name=name,
        kind=GroupKind.GENERAL,
        grade=grade,
    )


def pupils_in(school_group, count):  # type: ignore[no-untyped-def]
    return [
        services.pupil_enrol(
            actor=SYSTEM, person=PersonFactory(), group=school_group, valid_from=SEPT_1
        )
        for _ in range(count)
    ]


@pytest.fixture
def school():  # type: ignore[no-untyped-def]
    return InstitutionFactory()


def test_each_pupil_is_promoted_kept_back_or_left_unchanged(school):  # type: ignore[no-untyped-def]
    manager = verified_actor(manager_user(school))
    eighth = group(school, "8a", "8")
    ninth, eighth_again = group(school, "9a", "9", 2026), group(school, "8b", "8", 2026)
    promoted, repeating, pending, completing = pupils_in(eighth, 4)
    outcomes = {
        str(repeating.public_id): "repeat",
        str(pending.public_id): "stay",
        str(completing.public_id): "graduate",
    }
    arguments = {
        "actor": manager,
        "group": eighth,
        "on": NEXT_SEPT_1,
        "outcomes": outcomes,
        "promote_to": ninth,
        "repeat_to": eighth_again,
        "graduation_reason": completed_reason(),
    }
    plan = year_end.year_end_plan(**arguments)
    assert plan.ok
    assert plan.counts == {"promote": 1, "repeat": 1, "graduate": 1, "stay": 1}
    assert Enrolment.objects.filter(group=eighth, valid_to__isnull=True).count() == 4

    year_end.year_end_apply(previewed=plan.enrolment_ids, **arguments)

    def open_group(enrolment):  # type: ignore[no-untyped-def]
        now = enrolment.person.enrolments.filter(valid_to__isnull=True).first()
        return now.group if now else None

    assert open_group(promoted) == ninth
    assert open_group(repeating) == eighth_again
    assert open_group(pending) == eighth
    assert open_group(completing) is None
    completing.refresh_from_db()
    assert (completing.valid_to, completing.departure_reason.code) == (NEXT_SEPT_1, "completed")


def test_grade_twelve_completes_by_default_and_needs_a_reason(school):  # type: ignore[no-untyped-def]
    manager = verified_actor(manager_user(school))
    final = group(school, "4a gimn.", "12")
    pupils_in(final, 2)
    plan = year_end.year_end_plan(actor=manager, group=final, on=dt.date(2026, 7, 1))
    assert {step.outcome for step in plan.steps} == {"graduate"}
    assert plan.errors == {
        "graduation_reason": ["Choose the departure reason of those who completed."]
    }


def test_wrong_target_group_is_refused_and_nothing_changes(school):  # type: ignore[no-untyped-def]
    manager = verified_actor(manager_user(school))
    fifth = group(school, "5a", "5")
    pupils = pupils_in(fifth, 3)
    seventh = group(school, "7a", "7", 2026)  # not the next grade
    other_schools_sixth = group(InstitutionFactory(), "6a", "6", 2026)
    for target in (seventh, other_schools_sixth, None):
        plan = year_end.year_end_plan(actor=manager, group=fifth, on=NEXT_SEPT_1, promote_to=target)
        assert list(plan.errors) == ["promote_to"]
        with pytest.raises(ValidationError) as refused:
            year_end.year_end_apply(
                actor=manager,
                group=fifth,
                on=NEXT_SEPT_1,
                previewed=plan.enrolment_ids,
                promote_to=target,
            )
        assert "promote_to" in refused.value.message_dict
    assert all(Enrolment.objects.get(pk=e.pk).valid_to is None for e in pupils)


def test_one_pupils_impossible_step_stops_the_whole_class(school):  # type: ignore[no-untyped-def]
    manager = verified_actor(manager_user(school))
    fifth, sixth = group(school, "5a", "5"), group(school, "6a", "6", 2026)
    _first, second = pupils_in(fifth, 2)
    outcomes = {str(second.public_id): "graduate"}  # no programme ends in grade 5
    plan = year_end.year_end_plan(
        actor=manager,
        group=fifth,
        on=NEXT_SEPT_1,
        outcomes=outcomes,
        promote_to=sixth,
        graduation_reason=completed_reason(),
    )
    assert [step.error for step in plan.steps if step.error] == ["No programme ends in this grade."]
    with pytest.raises(ValidationError):
        year_end.year_end_apply(
            actor=manager,
            group=fifth,
            on=NEXT_SEPT_1,
            previewed=plan.enrolment_ids,
            outcomes=outcomes,
            promote_to=sixth,
            graduation_reason=completed_reason(),
        )
    assert not sixth.enrolments.exists()
    assert fifth.enrolments.filter(valid_to__isnull=True).count() == 2


def test_a_class_that_changed_since_the_preview_is_not_applied(school):  # type: ignore[no-untyped-def]
    manager = verified_actor(manager_user(school))
    fifth, sixth = group(school, "5a", "5"), group(school, "6a", "6", 2026)
    pupils_in(fifth, 2)
    plan = year_end.year_end_plan(actor=manager, group=fifth, on=NEXT_SEPT_1, promote_to=sixth)
    pupils_in(fifth, 1)  # enrolled by someone else after the preview
    with pytest.raises(ValidationError) as refused:
        year_end.year_end_apply(
            actor=manager,
            group=fifth,
            on=NEXT_SEPT_1,
            previewed=plan.enrolment_ids,
            promote_to=sixth,
        )
    assert "changed since the preview" in refused.value.message_dict["group"][0]
    assert not sixth.enrolments.exists()


def test_another_schools_manager_cannot_even_preview(school):  # type: ignore[no-untyped-def]
    fifth = group(school, "5a", "5")
    pupils_in(fifth, 1)
    stranger = verified_actor(manager_user(InstitutionFactory(), "stranger"))
    with pytest.raises(Http404):
        year_end.year_end_plan(actor=stranger, group=fifth, on=NEXT_SEPT_1)


def test_the_year_end_page_previews_then_applies(school):  # type: ignore[no-untyped-def]
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), manager_user(school))
    fifth, sixth = group(school, "5a", "5"), group(school, "6a", "6", 2026)
    first, second = pupils_in(fifth, 2)
    url = reverse("pupils:group-year-end", args=[fifth.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert first.person.family_name in page.content.decode()

    form = {
        "on": "2026-09-01",
        "promote_to": str(sixth.pk),
        f"outcome_{first.public_id}": "promote",
        f"outcome_{second.public_id}": "stay",
        "action": "preview",
    }
    preview = client.post(url, form)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "1 promoted, 0 repeating, 0 completed, 1 unchanged" in text
    # The button counts the pupils the plan changes, not the one left unchanged (#16 item 5)
    assert "Apply to 1 pupil" in text
    assert "Apply to 2 pupils" not in text
    assert not sixth.enrolments.exists()  # the preview wrote nothing

    previewed = ",".join(sorted(str(e.public_id) for e in (first, second)))
    applied = client.post(url, {**form, "action": "apply", "previewed": previewed}, follow=True)
    assert "1 promoted, 0 repeating, 0 completed, 1 unchanged" in applied.content.decode()
    assert list(sixth.enrolments.values_list("person", flat=True)) == [first.person_id]


def test_the_page_shows_why_a_plan_cannot_apply(school):  # type: ignore[no-untyped-def]
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), manager_user(school))
    fifth = group(school, "5a", "5")
    (pupil,) = pupils_in(fifth, 1)
    url = reverse("pupils:group-year-end", args=[fifth.public_id])
    preview = client.post(
        url, {"on": "2026-09-01", f"outcome_{pupil.public_id}": "promote", "action": "preview"}
    )
    assert preview.status_code == 400
    assert "Choose the group of the next school year." in preview.content.decode()
    assert "Apply to" not in preview.content.decode()
