"""Reads of documents, scoped like every read of personal data, and the public verification.

Who sees a document:
- a school's documents (certificate forming, `FunctionArea.CERTIFICATES`): the school with its
  branches, the school's municipality, the agency;
- an HEI's documents (student data): the HEI with its branches, the agency (municipalities have
  no part in the Student Register);
- the holder sees their own issued and annulled documents (`documents_of_citizen`), and so does
  a parent or guardian of a holder under 18.
Every read by staff or a system is written to the holder's access log; so is every public
verification of a document (as an anonymous disclosure).

Names other apps use (the citizen portal lists documents in the citizen's timeline):
`documents_of_citizen(actor=)`, `documents_of_person(actor=, person=)`, `document_get(actor=,
public_id=)`, `document_verify(code=)`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, scope_q, ward_ids
from edureg.core import context
from edureg.core.audit import append_entries, log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.core.models import AccessLogEntry
from edureg.credentials.models import Document, DocumentStatus
from edureg.institutions.models import Institution
from edureg.people.models import Person

SCHOOL_PATHS = ScopePaths(institution=("institution",), municipality=("institution__municipality",))
HEI_PATHS = ScopePaths(institution=("institution",))
AREA_PATHS = {FunctionArea.CERTIFICATES: SCHOOL_PATHS, FunctionArea.STUDENT_DATA: HEI_PATHS}
# What the holder sees of their own documents: those that were issued.
HOLDER_SEES = (DocumentStatus.ISSUED, DocumentStatus.ANNULLED)


def _scope(actor: Actor, level: str) -> Q | None:
    if actor.kind in (ActorKind.CITIZEN, ActorKind.SHARE_LINK):
        if actor.person_id is None or level != Level.VIEWER:
            return None
        # The holder, a parent or guardian of a holder under 18, and whoever opens the holder's
        # share link (which then shows only the documents the holder chose).
        holders = [actor.person_id, *ward_ids(actor)]
        return Q(person_id__in=holders, status__in=HOLDER_SEES)
    conditions = []
    for area, paths in AREA_PATHS.items():
        condition = scope_q(actor, [area], level, paths)
        if condition is not None:
            conditions.append(condition & Q(area=area))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _base() -> QuerySet[Document]:
    return Document.objects.select_related(
        "document_type",
        "document_type__kind",
        "person",
        "institution",
        "blank",
        "supplement_blank",
    )


def documents_in_scope(*, actor: Actor, level: str = Level.VIEWER) -> QuerySet[Document]:
    """The documents the actor may see (or, with level=manager, work on)."""
    condition = _scope(actor, level)
    if condition is None:
        return Document.objects.none()
    return _base().filter(condition)


def documents_shown(*, actor: Actor, documents: Any, what: str = "credentials.list") -> None:
    log_person_access(
        actor=actor, person_public_ids=[d.person.public_id for d in documents], what=what
    )


def document_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    level: str = Level.VIEWER,
    what: str = "credentials.document",
) -> Document:
    """One document in scope, logged as read: 404 unknown or out of scope, 403 in scope for
    viewing but not at `level`."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    document = documents_in_scope(actor=actor).filter(public_id=key).first()
    if document is None:
        raise Http404
    if (
        level != Level.VIEWER
        and not documents_in_scope(actor=actor, level=level).filter(pk=document.pk).exists()
    ):
        raise PermissionDenied(_("You may view this record but not change it."))
    log_person_access(actor=actor, person_public_ids=[document.person.public_id], what=what)
    return document


def documents_of_person(*, actor: Actor, person: Person) -> QuerySet[Document]:
    """A person's documents within the actor's scope, newest first."""
    return documents_in_scope(actor=actor).filter(person=person).order_by("-created_at", "-pk")


def person_for_forming(
    *, actor: Actor, institution: Institution, area: str, public_id: uuid.UUID | str
) -> Person | None:
    """The person a document is to be formed for at the institution: a pupil who was enrolled
    there or a student with a study right there, else None. The actor must form documents of
    the area at the institution (404 out of scope, 403 below the manager level), so that a
    public id tells nothing about anyone else. A found person is written to their access log."""
    if actor.kind != ActorKind.SYSTEM:
        get_in_scope(
            Institution.objects.all(),
            actor=actor,
            areas=[area],
            paths=ScopePaths(institution=("pk",), municipality=("municipality",)),
            level=Level.MANAGER,
            pk=institution.pk,
        )
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    linked = Q(enrolments__institution=institution) | Q(study_rights__institution=institution)
    person = Person.objects.filter(linked, public_id=key).distinct().first()
    if person is not None:
        log_person_access(
            actor=actor, person_public_ids=[person.public_id], what="credentials.form-lookup"
        )
    return person


def document_history_of_person(*, actor: Actor, person: Any, limit: int) -> list[Any]:
    """The versions of the person's documents the actor sees, newest first, for the person's
    history (registered with `core.history.person_history_source`): each as (model label,
    version row, what the record is, what the change did)."""
    documents = {d.pk: d for d in documents_of_person(actor=actor, person=person)}
    if not documents:
        return []
    rows = (
        Document.history.filter(id__in=list(documents))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    # A version that changed no status (the sealed copy stored, say) says nothing to a reader.
    result, last_status = [], {}
    for row in rows:
        if last_status.get(row.id) == row.status:
            continue
        last_status[row.id] = row.status
        document = documents[row.id]
        label = f"{document.document_type} {row.registration_number or ''}".strip()
        result.append(("credentials.document", row, label, DocumentStatus(row.status).label))
    return result[::-1][:limit]


def documents_of_citizen(*, actor: Actor) -> QuerySet[Document]:
    """The signed-in citizen's own issued (and annulled) documents, newest first."""
    if actor.kind != ActorKind.CITIZEN:
        return Document.objects.none()
    return documents_in_scope(actor=actor).order_by("-issued_on", "-pk")


def reissue_of(document: Document) -> Document | None:
    """The duplicate or replacement issued for an annulled document, if any."""
    return (
        document.reissues.filter(status__in=[DocumentStatus.ISSUED, DocumentStatus.ANNULLED])
        .order_by("-pk")
        .first()
    )


# --- Public verification ---------------------------------------------------------------------


class Validity:
    VALID = "valid"
    ANNULLED = "annulled"
    REPLACED = "replaced"


@dataclass(frozen=True)
class Verification:
    """What the public verification page shows: enough to compare with the paper, never the
    personal code or the full name."""

    validity: str
    type_name: str
    registration_number: str
    blank: str
    holder_initials: str
    issued_on: Any
    issuer: str
    annulled_on: Any = None
    replaced_by: str = ""
    replaced_by_code: str = ""
    document: Document | None = None


def _log_disclosure(document: Document, what: str) -> None:
    """A verification discloses that the person holds the document: logged for them to see."""
    ctx = context.current()
    append_entries(
        [
            AccessLogEntry(
                person_public_id=document.person.public_id,
                actor="anonymous",
                actor_kind=ActorKind.ANONYMOUS,
                user_id=None,
                channel=ctx.actor.channel,
                request_id=ctx.request_id,
                what=what,
            )
        ]
    )


def document_verify(*, code: str, what: str = "credentials.verification") -> Verification:
    """The public answer for a verification code; 404 for an unknown one."""
    code = code.strip().upper()
    document = (
        _base().filter(verification_code=code, status__in=HOLDER_SEES).first() if code else None
    )
    if document is None:
        raise Http404
    replacement = reissue_of(document) if document.status == DocumentStatus.ANNULLED else None
    if document.status == DocumentStatus.ISSUED:
        validity = Validity.VALID
    elif replacement is not None and replacement.status == DocumentStatus.ISSUED:
        validity = Validity.REPLACED
    else:
        validity = Validity.ANNULLED
    _log_disclosure(document, what)
    return Verification(
        validity=validity,
        type_name=str(document.document_type),
        registration_number=document.registration_number or "",
        blank=document.blank_label,
        holder_initials=document.holder_initials,
        issued_on=document.issued_on,
        issuer=document.content.get("issuer", {}).get("name", str(document.institution)),
        annulled_on=document.annulled_on,
        replaced_by=(replacement.registration_number or "")
        if validity == Validity.REPLACED
        else "",
        replaced_by_code=(
            (replacement.verification_code or "") if validity == Validity.REPLACED else ""
        ),
        document=document,
    )
