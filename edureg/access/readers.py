"""Who a reader of personal data is, in the words the person is told: the organisation and the
role (from the actor's role assignments at the time of the read) and the reader's name.

Installed into `core.audit` by `AccessConfig.ready()`, so that every `log_person_access` records
them without `core` knowing about roles.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from edureg.access.api.fieldscope import dataset_fields, disclosing
from edureg.access.models import (
    LEVEL_RANK,
    PERSONAL_DATA_AREAS,
    FunctionArea,
    Level,
    RoleAssignment,
    ScopeKind,
)
from edureg.access.scoping import active_roles
from edureg.core.audit import Reader
from edureg.core.context import Actor, ActorKind
from edureg.core.models import ReaderRole

# The register a `what` key belongs to, by its prefix: a reader's role in that register is the
# one the person is told about (a user may keep pupils' data at a school and students' at an HEI).
_PUPIL_AREAS = frozenset({FunctionArea.PUPIL_PERSONAL, FunctionArea.PUPIL_LEARNING})
_AREAS_BY_PREFIX: dict[str, frozenset[str]] = {
    "pupil": _PUPIL_AREAS,
    "enrolment": _PUPIL_AREAS,
    "nvs": _PUPIL_AREAS,
    "student": frozenset({FunctionArea.STUDENT_DATA}),
}
_SCOPE_ORDER = {ScopeKind.INSTITUTION: 0, ScopeKind.MUNICIPALITY: 1, ScopeKind.NATIONAL: 2}


def operator_name() -> str:
    """The organisation that runs the register (national scope, the back office)."""
    return str(settings.REGISTER_OPERATOR_NAME)


def _role_label_code(level: str) -> str:
    return ReaderRole.DATA_MANAGER if level == Level.MANAGER else ReaderRole.DATA_VIEWER


def _organisation(role: RoleAssignment) -> str:
    if role.scope_kind == ScopeKind.INSTITUTION and role.institution is not None:
        return str(role.institution.name_lt)
    if role.scope_kind == ScopeKind.MUNICIPALITY and role.municipality is not None:
        return str(role.municipality.name_lt)
    return operator_name()


def _best_role(roles: list[RoleAssignment], what: str) -> RoleAssignment | None:
    """The role the read was most likely made in: of the register of `what` when the reader has
    one there, the highest level, the narrowest scope."""
    personal = [r for r in roles if r.function_area in PERSONAL_DATA_AREAS]
    register_areas = _AREAS_BY_PREFIX.get(what.split(".", 1)[0])
    if register_areas:
        personal = [r for r in personal if r.function_area in register_areas] or personal
    if not personal:
        return None
    return min(
        personal,
        key=lambda r: (-LEVEL_RANK[r.level], _SCOPE_ORDER.get(r.scope_kind, 9), r.pk),
    )


def _staff_reader(actor: Actor, what: str) -> Reader:
    user = actor.user
    name = (user.get_full_name() or user.get_username()).strip()
    if actor.is_superuser:
        return Reader(operator_name(), ReaderRole.ADMINISTRATOR, name)
    role = _best_role(active_roles(actor), what)
    if role is None:
        return Reader("", ReaderRole.DATA_VIEWER, name)
    return Reader(_organisation(role), _role_label_code(role.level), name)


def _client_reader(actor: Actor) -> Reader:
    binding = actor.client
    if binding is None:
        return Reader(role=ReaderRole.INFORMATION_SYSTEM)
    under = disclosing(actor)
    if under is not None:
        # A recipient's system: the disclosure names the agreement, its purpose and the
        # fields the answer gave (the data set's fields the agreement allows, in API order).
        agreement, dataset, allowed = under
        fields = tuple(f"{dataset}.{name}" for name in dataset_fields(dataset) if name in allowed)
        return Reader(
            agreement.recipient,
            ReaderRole.INFORMATION_SYSTEM,
            str(binding.name),
            purpose=agreement.purpose,
            agreement_kind=agreement.kind,
            agreement_number=agreement.number,
            fields=fields,
        )
    institution = binding.institution
    organisation = str(institution.name_lt) if institution is not None else ""
    return Reader(organisation, ReaderRole.INFORMATION_SYSTEM, str(binding.name))


def _guardian_reader(actor: Actor) -> Reader:
    person = getattr(getattr(actor.user, "citizen", None), "person", None)
    return Reader("", ReaderRole.GUARDIAN, person.full_name if person is not None else "")


def describe_reader(actor: Actor, what: str) -> Reader:
    """The organisation, role and name of the actor reading `what`, cached per user, client
    and register for the request (a page logs many people in one call, a request a few)."""
    holder: Any = actor.client if actor.kind == ActorKind.CLIENT else actor.user
    register = what.split(".", 1)[0]
    cache: dict[str, Reader] | None = getattr(holder, "_edureg_readers", None) if holder else None
    if cache is not None and register in cache:
        return cache[register]
    if actor.kind == ActorKind.STAFF and actor.user is not None:
        reader = _staff_reader(actor, what)
    elif actor.kind == ActorKind.CLIENT:
        reader = _client_reader(actor)
    elif actor.kind == ActorKind.CITIZEN:
        reader = _guardian_reader(actor)
    elif actor.kind == ActorKind.SHARE_LINK:
        reader = Reader(role=ReaderRole.SHARE_LINK)
    else:
        reader = Reader()
    if holder is not None:
        if cache is None:
            cache = {}
            holder._edureg_readers = cache
        cache[register] = reader
    return reader
