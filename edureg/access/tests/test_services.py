"""Rules of access control at the service level: routing, decisions, pledges, nominations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from conftest import make_user, verified_actor
from edureg.access import routing, scoping, selectors, services
from edureg.access.models import (
    FunctionArea,
    Level,
    PledgeText,
    RequestStatus,
    RoleAssignment,
    ScopeKind,
)
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.models import FounderType, InstitutionKind, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def approver(municipality: Municipality | None) -> Actor:
    user = make_user(f"approver-{municipality.code if municipality else 'national'}")
    services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.MUNICIPALITY if municipality else ScopeKind.NATIONAL,
        municipality=municipality,
        function_area=FunctionArea.USER_ADMIN,
        level=Level.MANAGER,
    )
    return verified_actor(user)


def submit(institution, areas=None, username="applicant"):  # type: ignore[no-untyped-def]
    applicant = make_user(username)
    return services.user_request_submit(
        actor=Actor.for_user(applicant),
        institution=institution,
        position="duomenų tvarkytoja",
        lines=areas
        or {FunctionArea.PUPIL_PERSONAL: Level.MANAGER, FunctionArea.LISTS: Level.VIEWER},
        pledge=PledgeText.current(),
        pledge_accepted=True,
    )


def test_routing_follows_the_founder():
    vilnius = Municipality.objects.get(code="LT-57")
    municipal = InstitutionFactory(founder_type=FounderType.MUNICIPAL, municipality=vilnius)
    branch = InstitutionFactory(
        kind=InstitutionKind.BRANCH,
        parent=municipal,
        jar_code=municipal.jar_code,
        founder_type=FounderType.MUNICIPAL,
        municipality=Municipality.objects.get(code="LT-15"),
    )
    state = InstitutionFactory(founder_type=FounderType.STATE)
    non_state = InstitutionFactory(founder_type=FounderType.NON_STATE)
    assert routing.route_for(municipal) == routing.Route(ScopeKind.MUNICIPALITY, vilnius)
    assert routing.route_for(branch) == routing.Route(ScopeKind.MUNICIPALITY, vilnius)
    assert routing.route_for(state).scope == ScopeKind.NATIONAL
    assert routing.route_for(non_state).scope == ScopeKind.NATIONAL


def test_a_request_reaches_only_the_right_approvers(mailoutbox, django_capture_on_commit_callbacks):
    vilnius, kaunas = Municipality.objects.get(code="LT-57"), Municipality.objects.get(code="LT-15")
    vilnius_approver, kaunas_approver, agency = approver(vilnius), approver(kaunas), approver(None)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request = submit(InstitutionFactory(municipality=vilnius))

    from edureg.access.selectors import user_request_queue

    assert list(user_request_queue(actor=vilnius_approver)) == [request]
    assert list(user_request_queue(actor=kaunas_approver)) == []
    assert list(user_request_queue(actor=agency)) == []
    assert [m.to for m in mailoutbox] == [["approver-LT-57@example.lt"]]


def test_an_approver_may_grant_less_but_not_more():
    vilnius = Municipality.objects.get(code="LT-57")
    decider = approver(vilnius)
    request = submit(InstitutionFactory(municipality=vilnius))

    with pytest.raises(ValidationError):
        services.user_request_approve(
            actor=decider, request=request, granted={FunctionArea.LISTS: Level.MANAGER}
        )
    services.user_request_approve(
        actor=decider, request=request, granted={FunctionArea.PUPIL_PERSONAL: Level.VIEWER}
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    roles = RoleAssignment.objects.filter(user=request.applicant)
    assert [(r.function_area, r.level) for r in roles] == [
        (FunctionArea.PUPIL_PERSONAL, Level.VIEWER)
    ]
    assert roles.get().institution == request.institution
    # the decision is part of the request's history
    assert request.history.count() == 2


def test_a_decided_request_cannot_be_decided_again():
    vilnius = Municipality.objects.get(code="LT-57")
    decider = approver(vilnius)
    request = submit(InstitutionFactory(municipality=vilnius))
    services.user_request_reject(actor=decider, request=request, reason="Ne ta įstaiga")
    with pytest.raises(ValidationError):
        services.user_request_approve(actor=decider, request=request)


def test_an_approver_of_another_municipality_cannot_decide():
    request = submit(InstitutionFactory(municipality=Municipality.objects.get(code="LT-57")))
    from django.http import Http404

    with pytest.raises(Http404):
        services.user_request_approve(
            actor=approver(Municipality.objects.get(code="LT-15")), request=request
        )


def test_a_pledge_must_be_accepted_to_file_a_request():
    with pytest.raises(ValidationError) as error:
        services.user_request_submit(
            actor=Actor.for_user(make_user("x")),
            institution=InstitutionFactory(),
            position="mokytoja",
            lines={FunctionArea.LISTS: Level.VIEWER},
            pledge=PledgeText.current(),
            pledge_accepted=False,
        )
    assert "pledge_accepted" in error.value.message_dict


def test_student_rights_only_for_persons_the_hei_put_forward():
    university = InstitutionFactory(
        founder_type=FounderType.STATE,
        main_group=ClassifierValue.objects.get(
            classifier__code="institution-group", code="university"
        ),
        main_type=ClassifierValue.objects.get(
            classifier__code="institution-type", code="university"
        ),
    )
    with pytest.raises(ValidationError):
        submit(university, {FunctionArea.STUDENT_DATA: Level.MANAGER}, username="not-nominated")
    services.hei_nominate(
        actor=_hei_admin(university), institution=university, email="nominated@example.lt"
    )
    request = submit(university, {FunctionArea.STUDENT_DATA: Level.MANAGER}, username="nominated")
    assert request.approver_scope == ScopeKind.NATIONAL


def _hei_admin(university):  # type: ignore[no-untyped-def]
    user = make_user("hei-admin")
    services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=university,
        function_area=FunctionArea.USER_ADMIN,
        level=Level.MANAGER,
    )
    return verified_actor(user)


def test_personal_data_needs_a_second_factor_and_the_current_pledge(agency_admin):
    person = PersonFactory()
    from edureg.people.selectors import person_scope

    unverified = Actor.for_user(agency_admin)
    assert not person_scope(actor=unverified).exists()

    verified = verified_actor(agency_admin)
    assert person_scope(actor=verified).filter(pk=person.pk).exists()

    # A new version of the pledge takes effect: the old acceptance is no longer enough.
    PledgeText.objects.create(
        version=2, text_lt="Nauja redakcija", text_en="New wording", valid_from=timezone.localdate()
    )
    agency_admin._edureg_pledge_ok = None
    again = Actor.for_user(agency_admin)
    from dataclasses import replace

    assert scoping.personal_data_blocker(replace(again, second_factor=True)) == "pledge"


def test_a_citizen_sees_only_themselves():
    from edureg.access.citizens import citizen_user_for
    from edureg.people.selectors import person_scope

    me, someone = PersonFactory(), PersonFactory()
    actor = Actor.for_user(citizen_user_for(me))
    assert actor.kind == "citizen"
    assert list(person_scope(actor=actor)) == [me]
    assert someone not in person_scope(actor=actor)


def test_a_role_change_keeps_history():
    user = make_user("someone")
    role = services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.STATISTICS,
        level=Level.VIEWER,
        valid_from=timezone.localdate() - dt.timedelta(days=10),
    )
    services.role_revoke(actor=approver(None), role=role)
    role.refresh_from_db()
    assert role.valid_to == timezone.localdate()
    assert role.history.count() == 2
    assert not RoleAssignment.objects.active_on().filter(pk=role.pk).exists()


def test_only_national_user_admins_grant_national_roles():
    vilnius_admin = approver(Municipality.objects.get(code="LT-57"))
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=vilnius_admin,
            user=make_user("y"),
            scope_kind=ScopeKind.NATIONAL,
            function_area=FunctionArea.PUPIL_PERSONAL,
            level=Level.MANAGER,
        )


def test_staff_passwords_are_hashed_with_argon2():
    from edureg import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@override_settings(DEMO_MODE=False)
def test_the_demo_identity_provider_is_unreachable_when_demo_mode_is_off(client):
    assert client.get("/demo-idp/").status_code == 404
    assert client.post("/demo-idp/", {"person": str(PersonFactory().public_id)}).status_code == 404


def test_the_demo_has_a_pending_request_for_the_agency_without_a_state_school():
    """The README promises one pending request in each of `vilnius`'s and `agentura`'s queues;
    a small seed may draw no state school, and the agency's request must not vanish then."""
    from edureg.access.demo import _pending_requests
    from edureg.access.tests.factories import user_admin

    vilnius = Municipality.objects.get(code="LT-57")
    school_group = ClassifierValue.objects.get(classifier__code="institution-group", code="school")
    municipal = InstitutionFactory(
        municipality=vilnius, founder_type=FounderType.MUNICIPAL, main_group=school_group
    )
    InstitutionFactory(founder_type=FounderType.NON_STATE, main_group=school_group)
    agency = verified_actor(user_admin(national=True).user)
    department = verified_actor(user_admin(municipal=True).user)
    before = {
        "agency": selectors.user_request_queue(actor=agency).count(),
        "department": selectors.user_request_queue(actor=department).count(),
    }

    _pending_requests(municipal)

    assert selectors.user_request_queue(actor=agency).count() == before["agency"] + 1
    assert selectors.user_request_queue(actor=department).count() == before["department"] + 1
