"""Who decides a user request: the rule of the register's regulations."""

from __future__ import annotations

from dataclasses import dataclass

from edureg.access.models import ScopeKind
from edureg.institutions.models import FounderType, Institution, Municipality


@dataclass(frozen=True)
class Route:
    scope: str
    municipality: Municipality | None


def route_for(institution: Institution) -> Route:
    """Requests of institutions with a municipal founder go to that municipality's education
    department; those of state and non-state institutions to the national agency. A branch is
    routed like its parent."""
    owner = institution.parent if institution.parent_id is not None else institution
    assert owner is not None
    if owner.founder_type == FounderType.MUNICIPAL:
        return Route(ScopeKind.MUNICIPALITY, owner.municipality)
    return Route(ScopeKind.NATIONAL, None)
