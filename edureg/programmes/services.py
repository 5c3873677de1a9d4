"""Writes to the programmes register: drafts, submission, the registrar's decisions, codes.

Providers' users (function area "programme submission", institution scope) draft and submit
their institution's programmes. The registrar (area "programme registration", national scope)
asks for changes, rejects with a reason, registers (which issues the state code) and
deregisters with a reason from the classifier. Every step keeps a version and a change-log row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from edureg.access import scoping
from edureg.access.models import FunctionArea, Level
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.core.models import ClassifierValue
from edureg.core.transactions import service
from edureg.core.upsert import Upserted, refusal, stale, upsert_by_key
from edureg.institutions.models import Institution
from edureg.programmes import selectors
from edureg.programmes.models import (
    CodeSequence,
    CodingRule,
    Module,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    ProgrammeVersion,
    VersionStatus,
)
from edureg.programmes.selectors import PROVIDER_PATHS

CONTENT_FIELDS = (
    "name_lt",
    "name_en",
    "description_lt",
    "description_en",
    "isced_level",
    "isced_field",
    "ltks_level",
    "study_type",
    "cycle",
    "study_field",
    "study_subfield",
    "credits",
    "hours",
    "duration_years",
    "full_time",
    "part_time",
    "languages",
    "education_awarded_lt",
    "education_awarded_en",
    "nvs_direction",
    "nvs_subdirection",
)
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED)
MODULE_FIELDS = ("name_lt", "name_en", "credits", "hours", "mandatory")


# --- Rights ---------------------------------------------------------------------------------


def _check_provider(actor: Actor, institution: Institution) -> None:
    """Managers of programme submission at that institution (or its parent)."""
    scoping.get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[FunctionArea.PROGRAMME_SUBMISSION],
        paths=scoping.ScopePaths(institution=("pk",)),
        level=Level.MANAGER,
        pk=institution.pk,
    )


def _programme_for_provider(actor: Actor, programme: Programme) -> Programme:
    """The programme, locked, if the actor may edit it: 404 for another provider's."""
    return scoping.get_in_scope(
        Programme.objects.all(),
        actor=actor,
        areas=[FunctionArea.PROGRAMME_SUBMISSION],
        paths=PROVIDER_PATHS,
        level=Level.MANAGER,
        lock=True,
        pk=programme.pk,
    )


def _check_registrar(actor: Actor) -> None:
    scoping.require(actor, FunctionArea.PROGRAMME_REGISTRATION, Level.MANAGER, national=True)


def _open_version(programme: Programme) -> ProgrammeVersion:
    version = programme.versions.filter(status__in=OPEN_STATUSES).first()
    if version is None:
        raise ValidationError(
            {"status": [_("There is no draft: start a change of the registered programme first.")]}
        )
    return version


def _version_awaiting_decision(programme: Programme) -> ProgrammeVersion:
    version = programme.versions.filter(status=VersionStatus.SUBMITTED).first()
    if version is None:
        raise ValidationError({"status": [_("Nothing of this programme awaits a decision.")]})
    return version


def _apply(version: ProgrammeVersion, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(CONTENT_FIELDS) - {"modules"}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        if name != "modules":
            setattr(version, name, value)


def _save_modules(version: ProgrammeVersion, modules: Sequence[Mapping[str, Any]] | None) -> None:
    if modules is None:
        return
    version.modules.all().delete()
    rows = []
    errors = []
    for position, data in enumerate(modules):
        module = Module(version=version, position=position, **data)
        try:
            module.full_clean(exclude=["version"])
        except ValidationError as exc:
            errors.append(
                _("Module %(n)s: %(errors)s")
                % {"n": position + 1, "errors": "; ".join(exc.messages)}
            )
        rows.append(module)
    if errors:
        raise ValidationError({"modules": errors})
    Module.objects.bulk_create(rows)


def _bump(programme: Programme) -> None:
    programme.version += 1
    programme.save()


# --- Provider side --------------------------------------------------------------------------


@service
def programme_draft_create(
    *,
    actor: Actor,
    provider: Institution,
    kind: str,
    source_system: str = "",
    local_id: str = "",
    modules: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Programme:
    """A provider starts a programme: the identity and its first (draft) version."""
    _check_provider(actor, provider)
    if kind not in ProgrammeKind.values:
        raise ValidationError({"kind": [_("Unknown programme kind.")]})
    with acting_as(actor):
        programme = Programme(
            kind=kind, provider=provider, source_system=source_system, local_id=local_id
        )
        programme.full_clean()
        programme.save()
        version = ProgrammeVersion(programme=programme, number=1)
        _apply(version, fields)
        version.full_clean()
        version.save()
        _save_modules(version, modules)
    return programme


@service
def programme_draft_update(
    *,
    actor: Actor,
    programme: Programme,
    expected_version: int | None = None,
    modules: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Programme:
    """Edit the open draft. A stale `expected_version` is refused (the API answers 409)."""
    programme = _programme_for_provider(actor, programme)
    if expected_version is not None and expected_version != programme.version:
        raise stale(programme.version)
    version = _open_version(programme)
    with acting_as(actor):
        _apply(version, fields)
        version.full_clean()
        version.save()
        _save_modules(version, modules)
        _bump(programme)
    return programme


# --- The provider system's upsert ----------------------------------------------------------


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _draft_content(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The full content of a draft: what a PUT leaves out takes its empty default."""
    content = {
        name: values[name] if name in values else _field(ProgrammeVersion, name).get_default()
        for name in CONTENT_FIELDS
    }
    modules = [
        {
            name: module[name] if name in module else _field(Module, name).get_default()
            for name in MODULE_FIELDS
        }
        for module in values.get("modules", [])
    ]
    return content, modules


def _draft_unchanged(
    programme: Programme, content: dict[str, Any], modules: list[dict[str, Any]]
) -> bool:
    """Whether the draft (else the latest version) already holds exactly this content, so that
    a repeated upsert writes nothing: no version bump and no history row."""
    versions = list(programme.versions.all())
    if not versions:
        return False
    open_versions = [v for v in versions if v.status in OPEN_STATUSES]
    version = max(open_versions or versions, key=lambda v: v.number)
    for name, value in content.items():
        field = _field(ProgrammeVersion, name)
        if field.is_relation:
            if getattr(version, field.attname) != (value.pk if value is not None else None):
                return False
        elif getattr(version, name) != value:
            return False
    stored = [tuple(getattr(m, name) for name in MODULE_FIELDS) for m in version.modules.all()]
    return stored == [tuple(m[name] for name in MODULE_FIELDS) for m in modules]


def _draft_differs(
    programme: Programme,
    kind: str | None,
    provider: Institution | None,
    content: dict[str, Any],
    modules: list[dict[str, Any]],
) -> bool:
    """Whether the sent draft differs; a different kind or provider is refused outright."""
    if kind is not None and kind != programme.kind:
        raise refusal("kind", _("The kind of a programme does not change."))
    if provider is not None and provider.pk != programme.provider_id:
        raise refusal("provider", _("The provider of a programme does not change."))
    return not _draft_unchanged(programme, content, modules)


def _draft_create(
    actor: Actor,
    kind: str | None,
    provider: Institution | None,
    key: dict[str, str],
    content: dict[str, Any],
    modules: list[dict[str, Any]],
) -> Programme:
    if kind is None:
        raise refusal("kind", _("Give the kind of the new programme."), "required")
    if provider is None and actor.kind == ActorKind.CLIENT and actor.client is not None:
        provider = actor.client.institution
    if provider is None:
        raise refusal("provider", _("Give the providing institution's register id."), "required")
    return programme_draft_create(
        actor=actor, provider=provider, kind=kind, modules=modules, **key, **content
    )


@service
def programme_draft_upsert(
    *, actor: Actor, source_system: str, local_id: str, values: Mapping[str, Any]
) -> Upserted[Programme]:
    """Create or update the draft keyed by the provider system's (source system, local id).

    `values`: the full draft content (what is left out takes its empty default; `modules` left
    out means none), `kind` and `provider` for a new programme, `version` for a change. The
    draft services decide rights and content rules; identical content writes nothing.
    """
    values = dict(values)
    expected = values.pop("version", None)
    kind = values.pop("kind", None)
    provider = values.pop("provider", None)
    content, modules = _draft_content(values)
    key = {"source_system": source_system, "local_id": local_id}
    return upsert_by_key(
        scoped=selectors.programme_work_list(actor=actor),
        source_system=source_system,
        local_id=local_id,
        expected_version=expected,
        differs=lambda programme: _draft_differs(programme, kind, provider, content, modules),
        create=lambda: _draft_create(actor, kind, provider, key, content, modules),
        update=lambda programme: programme_draft_update(
            actor=actor, programme=programme, expected_version=expected, modules=modules, **content
        ),
    )


@service
def programme_submit(*, actor: Actor, programme: Programme) -> Programme:
    programme = _programme_for_provider(actor, programme)
    version = _open_version(programme)
    with acting_as(actor):
        version.full_clean()
        version.status = VersionStatus.SUBMITTED
        version.submitted_at = timezone.now()
        version.save()
        if programme.status in (ProgrammeStatus.DRAFT, ProgrammeStatus.REJECTED):
            programme.status = ProgrammeStatus.SUBMITTED
        _bump(programme)
    return programme


@service
def programme_change_start(*, actor: Actor, programme: Programme) -> ProgrammeVersion:
    """A change of a registered programme begins as a new draft copied from the version in
    force; the registered version stays as it is until the change is registered."""
    programme = _programme_for_provider(actor, programme)
    if programme.status != ProgrammeStatus.REGISTERED:
        raise ValidationError({"status": [_("Only a registered programme is changed this way.")]})
    if programme.versions.filter(status__in=[*OPEN_STATUSES, VersionStatus.SUBMITTED]).exists():
        raise ValidationError(
            {"status": [_("A change of this programme is already in the works.")]}
        )
    current = programme.versions.get(status=VersionStatus.REGISTERED)
    with acting_as(actor):
        draft = ProgrammeVersion(programme=programme, number=current.number + 1)
        for name in CONTENT_FIELDS:
            setattr(draft, name, getattr(current, name))
        draft.save()
        draft.qualifications.set(current.qualifications.all())
        Module.objects.bulk_create(
            [
                Module(
                    version=draft,
                    **{
                        f.attname: getattr(m, f.attname)
                        for f in Module._meta.concrete_fields
                        if f.attname not in ("id", "version_id")
                    },
                )
                for m in current.modules.all()
            ]
        )
        _bump(programme)
    return draft


# --- Registrar side -------------------------------------------------------------------------


@service
def programme_request_changes(*, actor: Actor, programme: Programme, note: str) -> Programme:
    _check_registrar(actor)
    if not note.strip():
        raise ValidationError({"note": [_("Say what must change.")]})
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    version = _version_awaiting_decision(programme)
    with acting_as(actor):
        version.status = VersionStatus.CHANGES_REQUESTED
        version.decision_note = note.strip()
        version.decided_at = timezone.now()
        version.save()
        _bump(programme)
    return programme


@service
def programme_reject(*, actor: Actor, programme: Programme, reason: str) -> Programme:
    _check_registrar(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the rejection.")]})
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    version = _version_awaiting_decision(programme)
    with acting_as(actor):
        version.status = VersionStatus.REJECTED
        version.decision_note = reason.strip()
        version.decided_at = timezone.now()
        version.save()
        if programme.status == ProgrammeStatus.SUBMITTED:
            programme.status = ProgrammeStatus.REJECTED
        _bump(programme)
    return programme


@service
def programme_register(
    *, actor: Actor, programme: Programme, on: dt.date | None = None
) -> Programme:
    """Register the submitted version. A first registration issues the state code by the
    coding rules; a registered change supersedes the version in force and keeps the code."""
    _check_registrar(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    version = _version_awaiting_decision(programme)
    version.full_clean()
    with acting_as(actor):
        if programme.state_code is None:
            programme.state_code = issue_state_code(programme, version)
            programme.registered_on = on or timezone.localdate()
        programme.versions.filter(status=VersionStatus.REGISTERED).update(
            status=VersionStatus.SUPERSEDED
        )
        version.status = VersionStatus.REGISTERED
        version.decided_at = timezone.now()
        version.save()
        programme.status = ProgrammeStatus.REGISTERED
        _bump(programme)
    return programme


@service
def programme_deregister(
    *, actor: Actor, programme: Programme, reason: ClassifierValue, on: dt.date | None = None
) -> Programme:
    _check_registrar(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status != ProgrammeStatus.REGISTERED:
        raise ValidationError({"status": [_("Only a registered programme is deregistered.")]})
    with acting_as(actor):
        programme.status = ProgrammeStatus.DEREGISTERED
        programme.deregistered_on = on or timezone.localdate()
        programme.deregistration_reason = reason
        programme.full_clean()
        _bump(programme)
    return programme


# --- State codes ----------------------------------------------------------------------------


def _rule_for(programme: Programme, version: ProgrammeVersion) -> CodingRule:
    study = programme.kind == ProgrammeKind.STUDY
    rule = CodingRule.objects.filter(
        kind=programme.kind,
        study_type=version.study_type if study else "",
        cycle=version.cycle if study else "",
    ).first()
    if rule is None:
        raise ValidationError({"cycle": [_("No coding rule covers this kind of programme.")]})
    return rule


def issue_state_code(programme: Programme, version: ProgrammeVersion) -> str:
    """The next code of the programme's stem. The stem's counter row is locked, so concurrent
    registrations queue; the counter only grows, so codes are never reused."""
    rule = _rule_for(programme, version)
    letter = ""
    if rule.uses_field_group:
        study_field: Any = version.study_field
        group = study_field.parent if study_field else None
        if group is None:
            raise ValidationError({"study_field": [_("The study field has no field group.")]})
        letter = group.code
    stem = f"{rule.prefix}{letter}{rule.infix}"
    CodeSequence.objects.bulk_create([CodeSequence(stem=stem)], ignore_conflicts=True)
    sequence = CodeSequence.objects.select_for_update().get(stem=stem)
    sequence.last_number += 1
    if sequence.last_number >= 10**rule.sequence_digits:
        raise ValidationError({"state_code": [_("The codes of this kind are used up.")]})
    sequence.save(update_fields=["last_number"])
    return f"{stem}{sequence.last_number:0{rule.sequence_digits}d}"
