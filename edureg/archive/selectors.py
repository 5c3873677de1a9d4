"""Reads of the archive. Only the agency's archive users (the `archive` function area, national
scope) read it, and only for a stated legal basis and reason: each search is kept (without its
terms), and every person found and every record opened is written to the person's access log.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import grant
from edureg.archive.models import (
    ArchivedRecord,
    ArchiveMove,
    ArchiveSearch,
    LegalBasis,
    RetentionRule,
    RetentionRun,
    Tombstone,
)
from edureg.core.audit import log_person_access
from edureg.core.context import Actor
from edureg.people.identity import normalise_personal_code

# A search's results may be opened for this long without searching again.
SEARCH_VALID_FOR = dt.timedelta(hours=1)
MAX_RESULTS = 50


def may_use_archive(actor: Actor, level: str = Level.VIEWER) -> bool:
    """Whether the actor holds the archive area nationally at this level (the archive is the
    agency's; an institution's or a municipality's grant of it gives nothing)."""
    return grant(actor, [FunctionArea.ARCHIVE], level).national


def _require_viewer(actor: Actor) -> None:
    if not may_use_archive(actor):
        raise PermissionDenied(_("You have no right to use the archive."))


def archive_search(
    *,
    actor: Actor,
    legal_basis: str,
    reason: str,
    personal_code: str = "",
    family_name: str = "",
    birth_date: dt.date | None = None,
) -> tuple[ArchiveSearch, list[ArchivedRecord]]:
    """Archived records of one person, found by personal code, or by family name with the birth
    date. The search is kept with its basis and reason (not its terms); each person found is
    told of it in their access log."""
    _require_viewer(actor)
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = [_("Choose the legal basis of this search.")]
    if not reason:
        errors["reason"] = [_("State the reason for this search (e.g. the request's number).")]
    code = normalise_personal_code(personal_code or "") if personal_code else ""
    if not code and not (family_name.strip() and birth_date):
        errors["personal_code"] = [
            _("Give the personal code, or the family name with the birth date.")
        ]
    if errors:
        raise ValidationError(errors)
    records = ArchivedRecord.objects.select_related("rule").defer("payload")
    if code:
        records = records.filter(personal_code=code)
    else:
        records = records.filter(family_name__iexact=family_name.strip(), birth_date=birth_date)
    found = list(records[:MAX_RESULTS])
    search = ArchiveSearch.objects.create(
        user=actor.user if getattr(actor.user, "is_authenticated", False) else None,
        actor=actor.label,
        legal_basis=legal_basis,
        reason=reason,
        found=len(found),
    )
    log_person_access(
        actor=actor,
        person_public_ids=[r.person_public_id for r in found if r.person_public_id],
        what="archive.search",
        purpose=search.purpose,
    )
    return search, found


def archive_search_of(*, actor: Actor, public_id: Any) -> ArchiveSearch:
    """The actor's own recent search (its basis and reason carry to the records it found);
    anyone else's, or an old one, is unknown (404)."""
    if not may_use_archive(actor):
        raise Http404
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    search = ArchiveSearch.objects.filter(
        public_id=public_id, actor=actor.label, at__gte=timezone.now() - SEARCH_VALID_FOR
    ).first()
    if search is None:
        raise Http404
    return search


@dataclass(frozen=True)
class ArchivedRow:
    table: str
    fields: dict[str, Any]


def archived_record_open(
    *, actor: Actor, public_id: Any, search: ArchiveSearch
) -> tuple[ArchivedRecord, list[ArchivedRow], list[ArchiveMove]]:
    """One archived record with its rows, opened under a search's basis and reason; written to
    the person's access log. Unknown, or without the right, is 404."""
    if not may_use_archive(actor):
        raise Http404
    record = ArchivedRecord.objects.select_related("rule").filter(public_id=public_id).first()
    if record is None:
        raise Http404
    if record.person_public_id:
        log_person_access(
            actor=actor,
            person_public_ids=[record.person_public_id],
            what="archive.record",
            purpose=search.purpose,
        )
    rows = [
        ArchivedRow(table=item["model"], fields=item["fields"])
        for item in json.loads(record.payload)
    ]
    return record, rows, list(archive_moves(record_public_id=record.public_id))


def archived_record_for_restore(*, actor: Actor, public_id: Any) -> ArchivedRecord:
    """The record an archive manager restores: 404 without the archive area, 403 below manager."""
    if not may_use_archive(actor):
        raise Http404
    record = ArchivedRecord.objects.filter(public_id=public_id).first()
    if record is None:
        raise Http404
    if not may_use_archive(actor, Level.MANAGER):
        raise PermissionDenied(_("You may view this record but not change it."))
    return record


def archive_moves(*, record_public_id: Any) -> QuerySet[ArchiveMove]:
    return ArchiveMove.objects.filter(record_public_id=record_public_id).select_related("rule")


def retention_runs(*, actor: Actor) -> QuerySet[RetentionRun]:
    """The reports of the daily runs (counts only), for the agency's archive users."""
    _require_viewer(actor)
    return RetentionRun.objects.all()


def retention_rules(*, actor: Actor) -> QuerySet[RetentionRule]:
    _require_viewer(actor)
    return RetentionRule.objects.all()


def tombstones(*, actor: Actor) -> QuerySet[Tombstone]:
    _require_viewer(actor)
    return Tombstone.objects.select_related("rule")
