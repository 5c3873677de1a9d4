"""Reads of the programmes register. Programmes are public once registered; drafts are seen by
their provider and the registrar."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from edureg.access.models import FunctionArea
from edureg.access.scoping import ScopePaths, get_in_scope, restrict
from edureg.core.context import Actor
from edureg.programmes.models import Programme, ProgrammeStatus, ProgrammeVersion, VersionStatus

PROVIDER_PATHS = ScopePaths(institution=("provider",))
WORK_AREAS = (FunctionArea.PROGRAMME_SUBMISSION, FunctionArea.PROGRAMME_REGISTRATION)
PUBLIC_STATUSES = (ProgrammeStatus.REGISTERED, ProgrammeStatus.DEREGISTERED)


def _with_versions(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    return programmes.select_related("provider", "provider__municipality").prefetch_related(
        Prefetch(
            "versions",
            queryset=ProgrammeVersion.objects.select_related(
                "study_field", "isced_level", "ltks_level", "nvs_direction", "nvs_subdirection"
            ),
        )
    )


def programme_work_list(*, actor: Actor) -> QuerySet[Programme]:
    """Programmes a provider's user or the registrar works on (drafts included)."""
    return _with_versions(
        restrict(Programme.objects.all(), actor=actor, areas=WORK_AREAS, paths=PROVIDER_PATHS)
    )


def programme_work_get(*, actor: Actor, public_id: Any) -> Programme:
    return get_in_scope(
        _with_versions(Programme.objects.all()),
        actor=actor,
        areas=WORK_AREAS,
        paths=PROVIDER_PATHS,
        public_id=public_id,
    )


def catalogue_list() -> QuerySet[Programme]:
    """The public catalogue: registered and deregistered programmes, no drafts."""
    return _with_versions(Programme.objects.filter(status__in=PUBLIC_STATUSES))


def catalogue_get(*, state_code: str) -> Programme:
    from django.http import Http404

    programme = catalogue_list().filter(state_code=state_code).first()
    if programme is None:
        raise Http404
    return programme


def registered_version_q(prefix: str = "versions__") -> Q:
    return Q(**{f"{prefix}status": VersionStatus.REGISTERED})
