"""Pieces shared by the programme datasets: the published programmes, providers, choice labels.

Open data describes programmes as the public catalogue shows them: registered or deregistered,
never a draft or a rejected submission, and always with the content of the version the
registrar registered (a change in the works stays unpublished until it is registered).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import models
from django.db.models import QuerySet
from django.utils import translation

from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution, InstitutionKind
from edureg.programmes.models import Programme, ProgrammeVersion, VersionStatus
from edureg.programmes.selectors import catalogue_list

# Rows fetched per query; versions are prefetched per chunk, so memory stays flat at any size.
CHUNK_SIZE = 500

# Code types as the agency's manifests spell them.
CODE_TYPE_JAR = "LT JAR kodas"
CODE_TYPE_BRANCH = "Institucijos padalinio kodas"
CODE_TYPE_OTHER = "Kitas kodas"


def published_programmes(kinds: Sequence[str]) -> Iterator[Programme]:
    """Registered and deregistered programmes of the given kinds, by state code, streamed."""
    programmes: QuerySet[Programme] = (
        catalogue_list()
        .filter(kind__in=kinds)
        .select_related("provider__main_type", "provider__main_group", "deregistration_reason")
        .order_by("state_code", "pk")
    )
    return programmes.iterator(chunk_size=CHUNK_SIZE)


def version_in_force(programme: Programme) -> ProgrammeVersion | None:
    """The registered version, or None: `current_version()` falls back to the latest version
    when none is registered, and that content was never approved for publication."""
    version = programme.current_version()
    if version is None or version.status != VersionStatus.REGISTERED:
        return None
    return version


def provider_code(provider: Institution) -> tuple[str, str]:
    """(code, code type) of a provider as the manifests publish it.

    A free teacher has no legal-entity code; the register's own id is published instead, never
    the teacher's personal code.
    """
    if provider.kind == InstitutionKind.BRANCH and provider.branch_code:
        return provider.branch_code, CODE_TYPE_BRANCH
    if provider.jar_code:
        return provider.jar_code, CODE_TYPE_JAR
    return provider.register_id, CODE_TYPE_OTHER


def provider_type(provider: Institution) -> str | None:
    return names(provider.main_type)[0] or names(provider.main_group)[0]


def choice_labels(choices: type[models.TextChoices]) -> dict[str, tuple[str, str]]:
    """value → (Lithuanian label, English label) of a choices class, whatever the active
    language of the process that runs the export."""
    labels: dict[str, tuple[str, str]] = {}
    for value, label in choices.choices:
        with translation.override("lt"):
            lithuanian = str(label)
        with translation.override("en"):
            english = str(label)
        labels[str(value)] = (lithuanian, english)
    return labels


# ClassifierField values are taken as `object`: the type stubs cannot see the target model of a
# ForeignKey subclass, and the isinstance check narrows them for the type checker.


def names(value: object) -> tuple[str | None, str | None]:
    """(name_lt, name_en) of a classifier value, or nothing."""
    if not isinstance(value, ClassifierValue):
        return None, None
    return value.name_lt, value.name_en


def code(value: object) -> str | None:
    """The code of a classifier value, or nothing."""
    return value.code if isinstance(value, ClassifierValue) else None
