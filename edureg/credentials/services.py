"""Writes about documents: form, discard, approve (issue), annul, reissue.

The legal rules:
- a document is formed by someone who forms that type at the issuing institution (the type's
  `form_area`, manager level), from register data that passes the type's eligibility rules
  (`credentials.eligibility`); refusals name the rule and the person;
- it is issued when someone with the type's `approve_area` at the institution approves it —
  not the person who formed it (four eyes) — and only then gets its registration number and
  verification code, and consumes the next security blank on hand (and one for the
  supplement). Types without an approval step (documents on demand) are issued when formed;
- the holder may form the types marked `citizen_may_form` for their own study rights;
- nothing issued is edited or deleted: a correction annuls the document with a reason, and a
  duplicate (same content, the type's duplicate type) or a replacement (formed anew from the
  register data) is formed linked to it and approved like any document.
Writes lock the document first, then the institution's blank allocations of the type, then the
registration number sequence: concurrent approvers queue in that order and never take the same
blank or number.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edureg.access.models import Level
from edureg.access.scoping import get_in_scope
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.credentials import eligibility
from edureg.credentials.eligibility import Refusal
from edureg.credentials.models import (
    Blank,
    BlankAllocation,
    BlankStatus,
    BlankType,
    Document,
    DocumentSource,
    DocumentStatus,
    DocumentType,
    RegistrationSequence,
    ReissueKind,
)
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.pupils.models import Group
from edureg.pupils.selectors import INSTITUTION_ITSELF
from edureg.students.models import StudyRight


class RefusedError(ValidationError):
    """Eligibility refused: the refusals name the rule and the person."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__({"person": [r.message for r in refusals]}, code="not_eligible")
        self.refusals = refusals


def _check_area(actor: Actor, institution: Institution, area: str) -> None:
    """The actor works in `area` at the institution as manager (404 out of scope, 403 below)."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind == ActorKind.CITIZEN:
        raise PermissionDenied(_("You do not have the right to do this."))
    get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[area],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
        pk=institution.pk,
    )


def _may_form(
    actor: Actor,
    document_type: DocumentType,
    institution: Institution,
    study_right: StudyRight | None,
) -> None:
    if not document_type.active:
        raise ValidationError({"document_type": [_("This document type is no longer issued.")]})
    if actor.kind == ActorKind.CITIZEN:
        own = study_right is not None and study_right.person_id == actor.person_id
        if not (document_type.citizen_may_form and own):
            raise PermissionDenied(_("You do not have the right to do this."))
        return
    _check_area(actor, institution, document_type.form_area)


def _new_document(
    *,
    actor: Actor,
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    outcome: eligibility.Outcome,
    study_right: StudyRight | None,
    replaces: Document | None = None,
    reissue_kind: str = ReissueKind.ORIGINAL,
) -> Document:
    document = Document(
        document_type=document_type,
        person=person,
        institution=institution,
        area=document_type.form_area,
        group=outcome.group,
        study_right=study_right,
        school_year=outcome.school_year,
        content=outcome.content,
        exclusive=document_type.one_per_person,
        formed_by=actor.label,
        replaces=replaces,
        reissue_kind=reissue_kind,
    )
    with acting_as(actor):
        document.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "person": [
                        _("%(name)s already has a valid or pending %(type)s.")
                        % {"name": person.full_name, "type": document_type}
                    ]
                },
                code="already_formed",
            ) from exc
        if not document_type.needs_approval:
            _issue(document, actor)
    return document


@transaction.atomic
def document_form(
    *,
    actor: Actor,
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    school_year: int | None = None,
    study_right: StudyRight | None = None,
) -> Document:
    """Form one person's document from the register data; refused (with every rule the person
    does not meet) when not eligible."""
    _may_form(actor, document_type, institution, study_right)
    outcome = eligibility.check(
        document_type=document_type,
        person=person,
        institution=institution,
        school_year=school_year,
        study_right=study_right,
    )
    if not outcome.eligible:
        raise RefusedError(outcome.refusals)
    return _new_document(
        actor=actor,
        document_type=document_type,
        person=person,
        institution=institution,
        outcome=outcome,
        study_right=study_right,
    )


@dataclass
class ClassForming:
    formed: list[Document] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)


@transaction.atomic
def documents_form_for_group(
    *, actor: Actor, document_type: DocumentType, group: Group
) -> ClassForming:
    """Form the document for every pupil of a class who is eligible; the others are reported
    with the rules they do not meet, and those who already hold one are left alone."""
    _may_form(actor, document_type, group.institution, None)
    result = ClassForming()
    holding = set(
        Document.objects.filter(
            document_type=document_type,
            status__in=[DocumentStatus.FORMED, DocumentStatus.ISSUED],
            exclusive=True,
        ).values_list("person_id", flat=True)
    )
    for person in eligibility.pupils_of_group(group):
        if person.pk in holding:
            result.already.append(person)
            continue
        outcome = eligibility.check(
            document_type=document_type, person=person, institution=group.institution, group=group
        )
        if not outcome.eligible:
            result.refused += outcome.refusals
            continue
        result.formed.append(
            _new_document(
                actor=actor,
                document_type=document_type,
                person=person,
                institution=group.institution,
                outcome=outcome,
                study_right=None,
            )
        )
    return result


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("document_type").get(pk=document.pk)


@transaction.atomic
def document_discard(*, actor: Actor, document: Document) -> Document:
    """A formed document not yet approved is set aside (kept, never deleted)."""
    _check_area(actor, document.institution, document.document_type.form_area)
    document = _locked(document)
    if document.status != DocumentStatus.FORMED:
        raise ValidationError(
            {"status": [_("Only a document awaiting approval can be discarded.")]}
        )
    with acting_as(actor):
        document.status = DocumentStatus.DISCARDED
        document.version += 1
        document.save()
    return document


def _take_blank(
    blank_type: BlankType, institution: Institution, chosen: Blank | None, on: dt.date
) -> Blank:
    """The blank a document is printed on: the chosen one, or the lowest number on hand.

    The institution's allocations of the type are locked first (in key order), so concurrent
    approvals at one institution take blanks one after another and the lowest free number each
    time: no number is taken twice (also held by the one-to-one key) and none is skipped.
    """
    list(
        BlankAllocation.objects.select_for_update()
        .filter(institution=institution, blank_type=blank_type)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    on_hand = Blank.objects.filter(
        institution=institution, blank_type=blank_type, status=BlankStatus.ON_HAND
    )
    if chosen is not None:
        blank = on_hand.filter(pk=chosen.pk).first()
        if blank is None:
            raise ValidationError(
                {
                    "blank": [
                        _("Blank %(blank)s is not on hand at this institution.") % {"blank": chosen}
                    ]
                }
            )
    else:
        blank = on_hand.order_by("series", "number").first()
        if blank is None:
            raise ValidationError(
                {
                    "blank": [
                        _("No %(type)s blanks are on hand: ask the agency for more.")
                        % {"type": blank_type}
                    ]
                }
            )
    blank.status = BlankStatus.USED
    blank.used_on = on
    blank.save()
    return blank


def _registration_number(document: Document, on: dt.date) -> str:
    stem = f"{document.document_type.registration_prefix}-{on.year}"
    RegistrationSequence.objects.get_or_create(stem=stem)
    sequence = RegistrationSequence.objects.select_for_update().get(stem=stem)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{stem}-{sequence.last_number:06d}"


def verification_code_new() -> str:
    """16 characters of base32 (80 random bits): unguessable, easy to type from paper."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def _issue(document: Document, actor: Actor, blank: Blank | None = None) -> None:
    today = timezone.localdate()
    document_type = document.document_type
    if document_type.blank_type_id is not None:
        document.blank = _take_blank(document_type.blank_type, document.institution, blank, today)
    if document_type.supplement_blank_type_id is not None:
        document.supplement_blank = _take_blank(
            document_type.supplement_blank_type, document.institution, None, today
        )
    document.registration_number = _registration_number(document, today)
    document.verification_code = verification_code_new()
    document.issued_on = today
    document.status = DocumentStatus.ISSUED
    document.approved_by = actor.label
    document.approved_at = timezone.now()
    document.version += 1
    document.save()


@transaction.atomic
def document_approve(*, actor: Actor, document: Document, blank: Blank | None = None) -> Document:
    """Approve a formed document: it is issued with its registration number and blank."""
    document_type = document.document_type
    _check_area(actor, document.institution, document_type.approve_area or document_type.form_area)
    document = _locked(document)
    if document.status != DocumentStatus.FORMED:
        raise ValidationError({"status": [_("Only a document awaiting approval can be approved.")]})
    if actor.kind != ActorKind.SYSTEM and document.formed_by == actor.label:
        raise ValidationError(
            {
                "status": [
                    _("A document is approved by someone other than the person who formed it.")
                ]
            }
        )
    with acting_as(actor):
        _issue(document, actor, blank)
    return document


@transaction.atomic
def document_annul(*, actor: Actor, document: Document, reason: str) -> Document:
    """Annul an issued document with a reason; it stays in the register, marked annulled."""
    document_type = document.document_type
    _check_area(actor, document.institution, document_type.approve_area or document_type.form_area)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the document is annulled.")]})
    document = _locked(document)
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError({"status": [_("Only an issued document can be annulled.")]})
    with acting_as(actor):
        document.status = DocumentStatus.ANNULLED
        document.annulled_on = timezone.localdate()
        document.annul_reason = reason[:500]
        document.version += 1
        document.save()
    return document


@transaction.atomic
def document_reissue(*, actor: Actor, document: Document, kind: str) -> Document:
    """Form a duplicate (the same content, on the type's duplicate type) or a replacement
    (formed anew from the register data) of an annulled document, linked to it."""
    _check_area(actor, document.institution, document.document_type.form_area)
    document = _locked(document)
    if document.status != DocumentStatus.ANNULLED:
        raise ValidationError({"kind": [_("Annul the document first.")]})
    if document.reissues.exclude(status=DocumentStatus.DISCARDED).exists():
        raise ValidationError({"kind": [_("The document was already reissued.")]})
    original_type = document.document_type
    if kind == ReissueKind.DUPLICATE:
        new_type = original_type.duplicate_type or original_type
        outcome = eligibility.Outcome(
            content=dict(document.content),
            group=document.group,
            school_year=document.school_year,
        )
        outcome.content["duplicate_of"] = document.registration_number
    elif kind == ReissueKind.REPLACEMENT:
        new_type = original_type
        outcome = eligibility.check(
            document_type=original_type,
            person=document.person,
            institution=document.institution,
            group=document.group,
            school_year=document.school_year,
            study_right=document.study_right,
        )
        if not outcome.eligible:
            raise RefusedError(outcome.refusals)
        outcome.content["replaces"] = document.registration_number
    else:
        raise ValidationError({"kind": [_("Choose a duplicate or a replacement.")]})
    return _new_document(
        actor=actor,
        document_type=new_type,
        person=document.person,
        institution=document.institution,
        outcome=outcome,
        study_right=document.study_right,
        replaces=document,
        reissue_kind=kind,
    )


def studies_type() -> DocumentType:
    return DocumentType.objects.select_related("kind").get(source=DocumentSource.STUDIES)
