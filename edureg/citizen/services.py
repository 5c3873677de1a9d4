"""Writes of the citizen portal: share links and correction requests.

Neither changes the registers: a share link lets whoever holds it read the records the person
chose; a correction request waits in the responsible institution's queue, and the institution
corrects the register (if at all) through the register's own services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope
from edureg.citizen import selectors
from edureg.citizen.models import CorrectionRequest, CorrectionStatus, ShareLink
from edureg.citizen.timeline import CREDENTIALS_REGISTER, PUPIL_REGISTER, STUDENT_REGISTER
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.people.models import Person

TOKEN_BYTES = 32  # 256 bits: a link cannot be guessed


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def share_link_latest_expiry(today: dt.date | None = None) -> dt.date:
    return add_months(today or timezone.localdate(), settings.SHARE_LINK_MAX_MONTHS)


def _own(actor: Actor) -> Person:
    if actor.kind != ActorKind.CITIZEN:
        raise PermissionDenied(_("Only the person themselves may do this."))
    return selectors.own_person(actor=actor)


@transaction.atomic
def share_link_create(
    *, actor: Actor, keys: Sequence[str], label: str, expires_on: dt.date | None
) -> tuple[ShareLink, str]:
    """A link to the chosen records of the signed-in person, valid until `expires_on` (at
    most `SHARE_LINK_MAX_MONTHS` months from today). Returns the link and its secret token,
    which is shown once and kept only as a digest."""
    person = _own(actor)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Write for whom or why, so that you recognise the link later.")]
    elif len(label) > ShareLink._meta.get_field("label").max_length:  # type: ignore[operator]
        errors["label"] = [_("Keep the note under 100 characters.")]
    latest = share_link_latest_expiry(today)
    if expires_on is None:
        errors["expires_on"] = [_("Choose until when the link opens.")]
    elif expires_on < today:
        errors["expires_on"] = [_("The link must be valid at least until today.")]
    elif expires_on > latest:
        errors["expires_on"] = [
            _("A link may stay valid for at most %(months)s months: until %(date)s.")
            % {"months": settings.SHARE_LINK_MAX_MONTHS, "date": latest.isoformat()}
        ]
    chosen = list(dict.fromkeys(k for k in keys if k))
    if not chosen:
        errors["keys"] = [_("Choose at least one record to share.")]
    else:
        known = {e.key for e in selectors.learning_history(actor=actor, person=person)}
        if set(chosen) - known:
            errors["keys"] = [_("Some of the chosen records are not yours to share.")]
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(
        person=person,
        token_digest=token_digest(token),
        label=label,
        keys=chosen,
        expires_on=expires_on,
    )
    with acting_as(actor):
        link.full_clean()
        link.save()
    return link, token


@transaction.atomic
def share_link_revoke(*, actor: Actor, link: ShareLink) -> ShareLink:
    """Close a link for good; revoking it again changes nothing."""
    person = _own(actor)
    link = ShareLink.objects.select_for_update().filter(pk=link.pk, person=person).first()
    if link is None:
        raise Http404
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        with acting_as(actor):
            link.save()
    return link


# --- Correction requests ------------------------------------------------------------------------

# Who answers a request: the data managers of the responsible institution in the register the
# record belongs to.
ANSWERING_AREAS = {
    PUPIL_REGISTER: (FunctionArea.PUPIL_PERSONAL, FunctionArea.PUPIL_LEARNING),
    STUDENT_REGISTER: (FunctionArea.STUDENT_DATA,),
    CREDENTIALS_REGISTER: (FunctionArea.CERTIFICATES, FunctionArea.STUDENT_DATA),
}
QUEUE_PATHS = ScopePaths(institution=("institution",))
MESSAGE_MAX = 4000


@transaction.atomic
def correction_request_send(
    *, actor: Actor, person: Person, record_key: str, message: str
) -> CorrectionRequest:
    """A request to correct one record of `person` (the citizen's own, or a child's) sent to
    the institution responsible for the record. Nothing in the register changes."""
    if actor.kind != ActorKind.CITIZEN:
        raise PermissionDenied(_("Only the person themselves or their parent may ask."))
    subject = selectors.subject_for(
        actor=actor, child=None if person.pk == actor.person_id else person.public_id
    )
    entry = next(
        (e for e in selectors.learning_history(actor=actor, person=subject) if e.key == record_key),
        None,
    )
    if entry is None or entry.institution_id is None:
        raise ValidationError({"record_key": [_("Choose one of your records.")]})
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Write what is wrong and what it should say.")]})
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {
                "message": [
                    _("Keep the message under %(count)s characters.") % {"count": MESSAGE_MAX}
                ]
            }
        )
    title = f"{capfirst(entry.kind_label)}: {entry.title}"
    if entry.period:
        title = f"{title} ({entry.period})"
    request = CorrectionRequest(
        person=subject,
        institution_id=entry.institution_id,
        register=entry.register,
        record_key=record_key,
        record_title=title[:400],
        message=message,
        sent_by=actor.user,
    )
    with acting_as(actor):
        request.full_clean()
        request.save()
    return request


def _may_answer(actor: Actor, request: CorrectionRequest) -> CorrectionRequest:
    """The request, locked, if the actor is a data manager of its institution in its register
    (404 out of scope, 403 a viewer)."""
    areas = ANSWERING_AREAS.get(request.register, ())
    return get_in_scope(
        CorrectionRequest.objects.all(),
        actor=actor,
        areas=areas,
        paths=QUEUE_PATHS,
        level=Level.MANAGER,
        lock=True,
        pk=request.pk,
    )


@transaction.atomic
def correction_request_answer(
    *, actor: Actor, request: CorrectionRequest, status: str, answer: str
) -> CorrectionRequest:
    """The institution's answer: corrected (the record was changed through the register's
    services), declined (with the reason) or answered (an explanation, nothing to change)."""
    request = _may_answer(actor, request)
    if request.status != CorrectionStatus.SENT:
        raise ValidationError({"status": [_("This request has already been answered.")]})
    if status not in (
        CorrectionStatus.CORRECTED,
        CorrectionStatus.DECLINED,
        CorrectionStatus.ANSWERED,
    ):
        raise ValidationError({"status": [_("Choose how the request was handled.")]})
    answer = (answer or "").strip()
    if status == CorrectionStatus.DECLINED and not answer:
        raise ValidationError({"answer": [_("Give the reason why the request is declined.")]})
    if status == CorrectionStatus.ANSWERED and not answer:
        raise ValidationError({"answer": [_("Write the answer to the person.")]})
    request.status = status
    request.answer = answer
    request.answered_by = actor.user
    request.answered_at = timezone.now()
    with acting_as(actor):
        request.full_clean()
        request.save()
    return request
