"""Reads of access data: requests, users and roles of institutions. Scoped like everything."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from edureg.access.models import (
    FunctionArea,
    Level,
    RequestStatus,
    RoleAssignment,
    ScopeKind,
    UserRequest,
)
from edureg.access.scoping import ScopePaths, get_in_scope, restrict
from edureg.core.context import Actor
from edureg.institutions.models import FounderType, Institution

# A request is decided where it was routed: by the approving municipality, or nationally.
# The applicant always sees their own requests.
REQUEST_PATHS = ScopePaths(
    municipality=("approver_municipality",),
    national=Q(approver_scope=ScopeKind.NATIONAL),
    owner="applicant",
)

# Roles of an institution's users are administered by the institution's own user
# administrators, by its municipality (for municipal institutions only: the users of state and
# non-state institutions are approved by the agency), and nationally.
ROLE_PATHS = ScopePaths(
    institution=("institution",),
    municipality=("institution__municipality",),
    municipality_also=Q(institution__founder_type=FounderType.MUNICIPAL),
    owner="user",
)

INSTITUTION_ADMIN_PATHS = ScopePaths(
    institution=("pk",),
    municipality=("municipality",),
    municipality_also=Q(founder_type=FounderType.MUNICIPAL),
)


def user_request_list(
    *, actor: Actor, status: str = "", institution_query: str = ""
) -> QuerySet[UserRequest]:
    requests = restrict(
        UserRequest.objects.select_related(
            "applicant", "institution", "institution__municipality", "approver_municipality"
        ).prefetch_related("lines"),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=REQUEST_PATHS,
    )
    if status:
        requests = requests.filter(status=status)
    if institution_query.strip():
        requests = requests.filter(institution__name_lt__icontains=institution_query.strip())
    return requests


def user_request_queue(*, actor: Actor) -> QuerySet[UserRequest]:
    """Pending requests the actor decides (their own requests excluded)."""
    return restrict(
        UserRequest.objects.filter(status=RequestStatus.PENDING).select_related(
            "applicant", "institution"
        ),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=REQUEST_PATHS.without_owner(),
        level=Level.MANAGER,
    )


def user_request_get(*, actor: Actor, public_id: Any) -> UserRequest:
    return get_in_scope(
        UserRequest.objects.select_related(
            "applicant", "institution", "pledge", "decided_by", "approver_municipality"
        ).prefetch_related("lines"),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=REQUEST_PATHS,
        public_id=public_id,
    )


def institution_for_user_admin(
    *, actor: Actor, register_id: str, level: str = Level.VIEWER
) -> Institution:
    return get_in_scope(
        Institution.objects.select_related("municipality"),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=INSTITUTION_ADMIN_PATHS,
        level=level,
        register_id=register_id,
    )


def institution_users(
    *, actor: Actor, institution: Institution
) -> list[tuple[Any, list[RoleAssignment]]]:
    """The users of an institution (and its branches) with their active rights."""
    roles = restrict(
        RoleAssignment.objects.active_on()
        .filter(Q(institution=institution) | Q(institution__parent=institution), user__isnull=False)
        .select_related("user", "institution"),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=ROLE_PATHS.without_owner(),
    ).order_by("user__last_name", "user__first_name", "function_area")
    by_user: dict[int, tuple[Any, list[RoleAssignment]]] = {}
    for role in roles:
        if role.user_id is not None:
            by_user.setdefault(role.user_id, (role.user, []))[1].append(role)
    return list(by_user.values())


def role_get(*, actor: Actor, pk: int) -> RoleAssignment:
    return get_in_scope(
        RoleAssignment.objects.select_related("user", "institution"),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=ROLE_PATHS.without_owner(),
        pk=pk,
    )


def my_roles(*, user: Any) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.active_on()
        .filter(user=user)
        .select_related("institution", "municipality")
    )


def may_administer_users(*, actor: Actor, institution: Institution) -> bool:
    """Whether the actor may grant and revoke rights at this institution."""
    return restrict(
        Institution.objects.filter(pk=institution.pk),
        actor=actor,
        areas=[FunctionArea.USER_ADMIN],
        paths=INSTITUTION_ADMIN_PATHS,
        level=Level.MANAGER,
    ).exists()
