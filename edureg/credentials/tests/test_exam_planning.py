"""A school plans on the web who of a final class sits which exam of a session: pupils are
planned and withdrawn in one save, a pupil with a result stays planned, a viewer sees the plan
without changing it, another school sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import ClassifierValue
from edureg.credentials.tests import factories as f
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.pupils import exams
from edureg.pupils import services as pupil_services
from edureg.pupils.models import ExamRegistration

pytestmark = pytest.mark.django_db


def planner(school, name: str, level: str = Level.MANAGER) -> Client:  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=f.SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.EXAM_PLANNING,
        level=level,
    )
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def _sits(exam) -> set:  # type: ignore[no-untyped-def]
    return set(
        ExamRegistration.objects.filter(exam=exam, withdrawn=False).values_list(
            "person_id", flat=True
        )
    )


def test_a_school_plans_its_final_class_for_the_session():
    school = InstitutionFactory()
    group, (ona, jonas, rasa) = f.final_class(school, size=3)
    session, by_subject = f.exam_session()
    lithuanian, maths = by_subject["lithuanian"], by_subject["mathematics"]
    client = planner(school, "planuotoja")

    # The sessions page lists the class; the class's page names its pupils
    listing = client.get("/pupils/exams/", {"session": str(session.public_id)}).content.decode()
    url = f"/pupils/exams/{session.public_id}/{group.public_id}/"
    assert url in listing
    page = client.get(url).content.decode()
    assert ona.full_name in page and rasa.full_name in page

    # Ona sits both, Jonas Lithuanian only, Rasa nothing
    plan = {
        f"sits-{ona.public_id}": [str(lithuanian.public_id), str(maths.public_id)],
        f"sits-{jonas.public_id}": [str(lithuanian.public_id)],
    }
    assert client.post(url, plan).status_code == 302
    assert _sits(lithuanian) == {ona.pk, jonas.pk} and _sits(maths) == {ona.pk}

    # Ona got her maths result; Jonas withdraws from Lithuanian and takes maths instead
    exams.exam_result_record(actor=f.SYSTEM, exam=maths, person=ona, score=88)
    page = client.get(url).content.decode()
    assert "result 88" in page
    replan = {
        f"sits-{ona.public_id}": [str(maths.public_id)],  # as the page sends it: fixed by result
        f"sits-{jonas.public_id}": [str(maths.public_id)],
    }
    saved = client.post(url, replan, follow=True)
    assert "1 exams planned, 2 withdrawn" in saved.content.decode()
    assert _sits(lithuanian) == set() and _sits(maths) == {ona.pk, jonas.pk}
    # Withdrawing a pupil with a result is refused, naming them, and nothing changes
    refused = client.post(url, {f"sits-{jonas.public_id}": [str(maths.public_id)]})
    assert refused.status_code == 400 and ona.full_name in refused.content.decode()
    assert _sits(maths) == {ona.pk, jonas.pk}

    # A viewer sees the plan but cannot change it; another school sees nothing
    viewer = planner(school, "stebetoja", Level.VIEWER)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, plan).status_code == 403
    other = planner(InstitutionFactory(), "kita")
    assert other.get(url).status_code == 404
    assert other.post(url, plan).status_code == 404
    assert _sits(maths) == {ona.pk, jonas.pk}


def test_a_pupil_who_left_the_class_is_not_planned():
    school = InstitutionFactory()
    group, (ona,) = f.final_class(school, size=1)
    session, by_subject = f.exam_session()
    pupil_services.pupil_depart(
        actor=f.SYSTEM,
        enrolment=group.enrolments.get(),
        on=dt.date(2025, 12, 1),
        reason=ClassifierValue.objects.of("departure-reason").first(),
    )
    url = f"/pupils/exams/{session.public_id}/{group.public_id}/"
    client = planner(school, "planuotoja")
    assert "The class has no pupils now." in client.get(url).content.decode()
    sent = {f"sits-{ona.public_id}": [str(by_subject["lithuanian"].public_id)]}
    client.post(url, sent)
    assert not ExamRegistration.objects.exists()
