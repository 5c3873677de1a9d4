"""The programme lifecycle: draft, submit, the registrar's decisions, state codes, versions."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.utils import translation
from rest_framework.test import APIClient

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import ClassifierValue
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes import services
from edureg.programmes.models import Programme, ProgrammeStatus, VersionStatus
from edureg.programmes.tests.factories import (
    SYSTEM,
    classifier,
    draft_study_programme,
    registered_study_programme,
)

pytestmark = pytest.mark.django_db
STUDY_CODE = re.compile(r"^\d{4}[A-Z]X\d{3}$")


def provider_user(institution, name="provider"):  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.PROGRAMME_SUBMISSION,
        level=Level.MANAGER,
    )
    return verified_actor(user)


def registrar():  # type: ignore[no-untyped-def]
    user = make_user("registrar")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PROGRAMME_REGISTRATION,
        level=Level.MANAGER,
    )
    return verified_actor(user)


def test_registration_issues_a_state_code_in_the_study_format():
    university = InstitutionFactory()
    provider = provider_user(university)
    programme = draft_study_programme(university, actor=provider)
    services.programme_submit(actor=provider, programme=programme)

    decider = registrar()
    services.programme_register(actor=decider, programme=programme)

    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.REGISTERED
    assert STUDY_CODE.match(programme.state_code)
    assert programme.state_code.startswith("6121BX")  # university bachelor, informatics group
    # the registrar's decision is in the programme's history, attributed to the registrar
    decision = programme.history.filter(history_user=decider.user).get()
    assert decision.status == ProgrammeStatus.REGISTERED
    assert decision.state_code == programme.state_code
    assert programme.versions.get().status == VersionStatus.REGISTERED


def test_codes_follow_the_field_group_and_cycle_and_are_never_reused():
    university = InstitutionFactory()
    first = registered_study_programme(university)
    second = registered_study_programme(university)
    master = registered_study_programme(
        university,
        cycle="master",
        credits=Decimal(120),
        duration_years=Decimal(2),
        study_field=classifier("study-field", "management"),
    )
    assert (first.state_code, second.state_code) == ("6121BX001", "6121BX002")
    assert master.state_code == "6211LX001"


def test_a_provider_cannot_touch_another_providers_draft():
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    programme = draft_study_programme(theirs)
    with pytest.raises(Http404):
        services.programme_draft_update(
            actor=provider_user(mine), programme=programme, name_lt="Kita"
        )


def test_a_registered_programme_changes_only_through_a_new_version():
    university = InstitutionFactory()
    provider = provider_user(university)
    programme = registered_study_programme(university)
    with pytest.raises(ValidationError):
        services.programme_draft_update(actor=provider, programme=programme, name_lt="Kita")

    draft = services.programme_change_start(actor=provider, programme=programme)
    services.programme_draft_update(
        actor=provider, programme=programme, name_lt="Informatika ir duomenys"
    )
    services.programme_submit(actor=provider, programme=programme)
    services.programme_register(actor=registrar(), programme=programme)

    programme.refresh_from_db()
    versions = {v.number: v for v in programme.versions.all()}
    assert versions[1].status == VersionStatus.SUPERSEDED
    assert versions[1].name_lt == "Informatika"  # the old version stays readable and citable
    assert versions[2].status == VersionStatus.REGISTERED
    assert versions[2].name_lt == "Informatika ir duomenys"
    assert draft.modules.count() == 2
    assert programme.state_code.endswith("001")


def test_the_registrar_asks_for_changes_and_rejects_with_reasons():
    university = InstitutionFactory()
    provider = provider_user(university)
    programme = draft_study_programme(university, actor=provider)
    services.programme_submit(actor=provider, programme=programme)
    decider = registrar()
    services.programme_request_changes(
        actor=decider, programme=programme, note="Patikslinkite aprašą"
    )
    services.programme_draft_update(
        actor=provider, programme=programme, description_lt="Tikslesnis aprašas"
    )
    services.programme_submit(actor=provider, programme=programme)
    with pytest.raises(ValidationError):
        services.programme_reject(actor=decider, programme=programme, reason=" ")
    services.programme_reject(actor=decider, programme=programme, reason="Neatitinka reikalavimų")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.REJECTED
    assert programme.state_code is None


def test_only_the_registrar_registers():
    university = InstitutionFactory()
    provider = provider_user(university)
    programme = draft_study_programme(university, actor=provider)
    services.programme_submit(actor=provider, programme=programme)
    with pytest.raises(PermissionDenied):
        services.programme_register(actor=provider, programme=programme)


def test_deregistration_needs_a_reason_from_the_classifier():
    programme = registered_study_programme(InstitutionFactory())
    decider = registrar()
    reason = ClassifierValue.objects.get(
        classifier__code="programme-deregistration-reason", code="merged"
    )
    services.programme_deregister(actor=decider, programme=programme, reason=reason)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DEREGISTERED
    wrong = ClassifierValue.objects.get(classifier__code="sex", code="V")
    other = registered_study_programme(InstitutionFactory())
    with pytest.raises(ValidationError):
        services.programme_deregister(actor=decider, programme=other, reason=wrong)


@pytest.mark.parametrize(
    ("overrides", "field", "english"),
    [
        ({"credits": Decimal(150)}, "credits", "180–240 ECTS"),
        ({"study_field": None}, "study_field", "needs its study field"),
        ({"name_lt": ""}, "name_lt", "This field cannot be blank."),
        ({"languages": "lt,xx"}, "languages", "Unknown language codes"),
        ({"duration_years": Decimal(3)}, "duration_years", "45–60 ECTS a year"),
    ],
)
def test_bad_input_gets_field_errors_in_both_languages_and_saves_nothing(overrides, field, english):
    university = InstitutionFactory()
    messages = {}
    for language in ("en", "lt"):
        with translation.override(language):
            with pytest.raises(ValidationError) as error:
                draft_study_programme(university, **overrides)
            messages[language] = " ".join(error.value.message_dict[field])
    assert english in messages["en"]
    assert messages["lt"] and messages["lt"] != messages["en"]  # said in Lithuanian
    assert Programme.objects.count() == 0


def test_an_unknown_classifier_value_is_refused():
    with pytest.raises(ValidationError) as error:
        draft_study_programme(InstitutionFactory(), study_field=classifier("sex", "V"))
    assert "study_field" in error.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_requests_never_get_the_same_code():
    """Twelve registrar requests at once, each its own HTTP request and database connection."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario")
    university = InstitutionFactory()
    programmes = []
    for _ in range(12):
        programme = draft_study_programme(university)
        services.programme_submit(actor=SYSTEM, programme=programme)
        programmes.append(programme)
    registrar_user = make_user("registrar")
    access_services.role_grant(
        actor=SYSTEM,
        user=registrar_user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PROGRAMME_REGISTRATION,
        level=Level.MANAGER,
    )
    statuses: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(programmes))

    def register(programme: Programme) -> None:
        try:
            client = APIClient()
            client.force_login(registrar_user)
            barrier.wait()
            response = client.post(f"/api/v1/programmes/{programme.public_id}/register/", {})
            statuses.append(response.status_code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in programmes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [200] * 12
    codes = list(Programme.objects.values_list("state_code", flat=True))
    assert sorted(codes) == [f"6121BX{n:03d}" for n in range(1, 13)]
