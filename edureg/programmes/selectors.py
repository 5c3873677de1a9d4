"""Reads of the programmes register. Programmes are public once registered; drafts are seen by
their provider and the registrar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, grant, restrict
from edureg.core.context import Actor
from edureg.institutions.models import Institution
from edureg.programmes.models import (
    Programme,
    ProgrammeStatus,
    ProgrammeVersion,
    Qualification,
    VersionStatus,
)

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


# --- Rights of programme workers (which actions to offer) ---------------------------------

INSTITUTION_ITSELF = ScopePaths(institution=("pk",))


@dataclass(frozen=True)
class Rights:
    """Which actions to offer. Only for showing buttons: the services check again."""

    provider: bool
    registrar: bool


def programme_work_rights(actor: Actor, programme: Programme) -> Rights:
    submission = grant(actor, [FunctionArea.PROGRAMME_SUBMISSION], Level.MANAGER)
    registration = grant(actor, [FunctionArea.PROGRAMME_REGISTRATION], Level.MANAGER)
    return Rights(
        provider=submission.national or programme.provider_id in submission.institution_ids,
        registrar=registration.national,
    )


def is_registrar(actor: Actor) -> bool:
    return grant(actor, [FunctionArea.PROGRAMME_REGISTRATION], Level.MANAGER).national


def provider_choices(actor: Actor) -> Any:
    """Institutions (and their branches) where the actor may submit programmes."""
    return restrict(
        Institution.objects.filter(deregistered_on__isnull=True).order_by("name_lt"),
        actor=actor,
        areas=[FunctionArea.PROGRAMME_SUBMISSION],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )


# --- The public catalogue -----------------------------------------------------------------

PUBLIC_VERSION_STATUSES = (VersionStatus.REGISTERED, VersionStatus.SUPERSEDED)
VERSION_RELATIONS = (
    "study_field",
    "isced_level",
    "ltks_level",
    "nvs_direction",
    "nvs_subdirection",
)


def catalogue_list(*, detail: bool = False) -> QuerySet[Programme]:
    """The public catalogue: registered and deregistered programmes, with only their decided
    versions prefetched, so that nothing on a public page, export or API can reach a draft, a
    submission awaiting a decision or a rejected version. A list needs only the version in
    force; with `detail`, every decided version with its modules and qualifications, and the
    programme's accreditations. Either way a constant number of queries."""
    statuses = PUBLIC_VERSION_STATUSES if detail else (VersionStatus.REGISTERED,)
    versions = ProgrammeVersion.objects.filter(status__in=statuses)
    versions = versions.select_related(*VERSION_RELATIONS).order_by("-number")
    lookups: list[Any] = [Prefetch("versions", queryset=versions)]
    if detail:
        lookups += [
            "versions__modules",
            Prefetch(
                "versions__qualifications",
                queryset=Qualification.objects.select_related("ltks_level"),
            ),
            "accreditations",
        ]
    return (
        Programme.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("provider", "provider__municipality", "deregistration_reason")
        .prefetch_related(*lookups)
    )


def public_versions(programme: Programme) -> list[ProgrammeVersion]:
    """The programme's decided versions, newest first (prefetched with `detail=True`)."""
    return [v for v in programme.versions.all() if v.status in PUBLIC_VERSION_STATUSES]


def registered_version(programme: Programme) -> ProgrammeVersion | None:
    """The version in force: the registered one (a public programme always has one)."""
    return next((v for v in programme.versions.all() if v.status == VersionStatus.REGISTERED), None)


def registered_version_matches(condition: Q) -> Q:
    """Programmes whose registered version meets `condition`. A subquery rather than a join,
    so that a programme with several versions stays one row; uncorrelated (IN, not EXISTS), so
    that SQLite runs it once instead of once per programme and PostgreSQL makes a semi-join."""
    versions = ProgrammeVersion.objects.filter(condition, status=VersionStatus.REGISTERED)
    return Q(pk__in=versions.values("programme_id"))
