"""Reads of the citizen portal: whose data the citizen is looking at, their learning history
across the registers, and who saw their data.

Every read of register data goes through the registers' own scoped selectors with the citizen's
actor, so a citizen reads exactly what the scoping function lets them: their own person, and (to
read) each child under 18 of whom they are a parent or guardian. A parent's reads of a child's
data are written to the child's access log; a citizen's reads of their own are not.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, restrict, scope_q
from edureg.citizen.models import CorrectionRequest, CorrectionStatus, ShareLink
from edureg.citizen.timeline import Entry, Records, build_timeline, document_entry, with_parts
from edureg.core.audit import Reader, access_log_for, log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.core.models import AccessLogEntry, ReaderRole
from edureg.credentials.selectors import documents_of_person
from edureg.people.models import Person
from edureg.people.selectors import PERSON_AREAS, wards_of
from edureg.pupils import selectors as pupils_selectors
from edureg.pupils.learning_models import AnnualGrade, CompetenceAssessment
from edureg.pupils.models import Achievement, Elective, SpecialNeeds
from edureg.pupils.selectors import LEARNING_PATHS, PUPIL_AREAS
from edureg.students import selectors as students_selectors
from edureg.students.models import StatusPeriod

# The citizen's own person (and their children): nothing reaches a person through institutions
# here, the scoping function's person path does all of it.
SUBJECT_PATHS = ScopePaths(person="pk")


def own_person(*, actor: Actor) -> Person:
    """The signed-in citizen's own person (404 for anyone else)."""
    if actor.kind != ActorKind.CITIZEN or actor.person_id is None:
        raise Http404
    person = (
        Person.objects.select_related("declared_municipality").filter(pk=actor.person_id).first()
    )
    if person is None:
        raise Http404
    return person


def children(*, actor: Actor) -> QuerySet[Person]:
    """The citizen's children under 18 (of whom they are a parent or guardian today)."""
    if actor.kind != ActorKind.CITIZEN or actor.person_id is None:
        return Person.objects.none()
    return wards_of(guardian_id=actor.person_id)


def subject_for(*, actor: Actor, child: uuid.UUID | str | None = None) -> Person:
    """Whose data the citizen is looking at: their own, or a child's (`child` is the child's
    public id). A person who is neither is 404, whether or not they exist."""
    me = own_person(actor=actor)
    if child is None:
        return me
    try:
        key = uuid.UUID(str(child))
    except ValueError as exc:
        raise Http404 from exc
    if key == me.public_id:
        raise Http404
    return get_in_scope(
        Person.objects.select_related("declared_municipality"),
        actor=actor,
        areas=PERSON_AREAS,
        paths=SUBJECT_PATHS,
        public_id=key,
    )


def records_of(*, actor: Actor, person: Person) -> Records:
    """Everything the registers hold about `person` that `actor` may read, in a fixed number of
    queries (plus one per study right for its transcript)."""
    enrolments = list(
        pupils_selectors.enrolment_list(actor=actor)
        .filter(person=person)
        .select_related(
            "group__programme",
            "group__learning_form",
            "transferred_to__institution",
            "transferred_to__group",
        )
        .prefetch_related("group__directions", "group__programme__versions")
    )
    nvs_marks = list(pupils_selectors.nvs_marks(actor=actor).filter(person=person))
    electives = list(
        pupils_selectors.learning_records(Elective, actor, person).select_related("course_level")
    )
    achievements = list(pupils_selectors.learning_records(Achievement, actor, person))
    special_needs = list(
        pupils_selectors.learning_records(SpecialNeeds, actor, person).select_related("level")
    )
    learning_areas = (*PUPIL_AREAS, FunctionArea.COMPETENCE_ASSESSMENT)
    annual_grades = list(
        restrict(
            AnnualGrade.objects.filter(person=person).select_related(
                "subject", "course_level", "institution"
            ),
            actor=actor,
            areas=learning_areas,
            paths=LEARNING_PATHS,
        )
    )
    competences = list(
        restrict(
            CompetenceAssessment.objects.filter(person=person).select_related(
                "module", "institution"
            ),
            actor=actor,
            areas=learning_areas,
            paths=LEARNING_PATHS,
        )
    )
    rights = list(
        students_selectors.student_rights_in_scope(actor=actor)
        .filter(person=person)
        .select_related("transferred_from__institution", "graduation__qualification")
        .prefetch_related(
            "programme__versions",
            Prefetch(
                "periods",
                queryset=StatusPeriod.objects.select_related("leave_reason").prefetch_related(
                    "reasons"
                ),
            ),
            "funding_periods__source",
            "prior_education__document_type",
            "mobilities",
            "loans",
            "scholarships",
        )
    )
    transcripts = {right.pk: students_selectors.transcript(right) for right in rights}
    return Records(
        enrolments=enrolments,
        nvs_marks=nvs_marks,
        electives=electives,
        achievements=achievements,
        special_needs=special_needs,
        annual_grades=annual_grades,
        competences=competences,
        study_rights=rights,
        transcripts=transcripts,
        documents=_documents(actor=actor, person=person),
    )


def _documents(*, actor: Actor, person: Person) -> list[Entry]:
    """Documents issued to the person (the credentials register's selector decides which the
    actor sees: the holder, a parent of a holder under 18), each with its PDF and its public
    verification page."""
    from django.urls import reverse

    documents = documents_of_person(actor=actor, person=person).select_related("study_right")
    return [
        document_entry(d, pdf_url=reverse("credentials:pdf", args=[d.public_id])) for d in documents
    ]


def learning_history(
    *, actor: Actor, person: Person, what: str = "citizen.timeline"
) -> list[Entry]:
    """The person's learning history across the registers, newest first; a read by anyone but
    the person themselves (a parent, a share link) is logged for the person."""
    entries = build_timeline(records_of(actor=actor, person=person))
    log_person_access(actor=actor, person_public_ids=[person.public_id], what=what)
    return entries


def access_log(
    *,
    actor: Actor,
    person: Person,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLogEntry]:
    """Who read `person`'s data, newest first, optionally within [date_from, date_to]
    (local days). The caller got `person` from `subject_for`, so the actor may see it."""
    entries = access_log_for(person.public_id)
    if date_from is not None:
        entries = entries.filter(at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(at__date__lte=date_to)
    return entries


# --- Share links ---------------------------------------------------------------------------------


def share_links(*, actor: Actor) -> list[tuple[ShareLink, int]]:
    """The signed-in person's share links, newest first, each with how often it was opened
    (counted from the person's access log, where every opening is a read)."""
    me = own_person(actor=actor)
    links = list(ShareLink.objects.filter(person=me))
    counts = dict(
        AccessLogEntry.objects.filter(
            person_public_id=me.public_id, actor__in=[link.access_label for link in links]
        )
        .values_list("actor")
        .annotate(opened=Count("id"))
    )
    return [(link, counts.get(link.access_label, 0)) for link in links]


def share_link_of(*, actor: Actor, public_id: uuid.UUID | str) -> ShareLink:
    me = own_person(actor=actor)
    link = ShareLink.objects.filter(person=me, public_id=public_id).first()
    if link is None:
        raise Http404
    return link


def shared_by_token(*, token: str) -> ShareLink:
    """The open link with this token: 404 for an unknown, expired or revoked one alike."""
    from edureg.citizen.services import token_digest

    link = (
        ShareLink.objects.select_related("person").filter(token_digest=token_digest(token)).first()
    )
    if link is None or not link.is_open_on():
        raise Http404
    return link


def shared_records(*, link: ShareLink) -> list[Entry]:
    """What the link shows: the chosen records (with what belongs to them), read as whoever
    holds the link, and the opening logged for the person."""
    actor = Actor.share_link(link.public_id, link.person_id)
    records = records_of(actor=actor, person=link.person)
    records.documents = [
        document_entry(d, pdf_url="")
        for d in documents_of_person(actor=actor, person=link.person).select_related("study_right")
    ]
    entries = with_parts(build_timeline(records), link.keys)
    log_person_access(
        actor=actor,
        person_public_ids=[link.person.public_id],
        what="citizen.shared",
        reader=Reader(role=ReaderRole.SHARE_LINK, name=link.label),
    )
    return entries


# --- Correction requests ---------------------------------------------------------------------


def correction_requests_of(*, actor: Actor, person: Person) -> QuerySet[CorrectionRequest]:
    """The requests about `person` (got from `subject_for`), newest first."""
    return CorrectionRequest.objects.filter(person=person).select_related("institution")


def _queue_condition(actor: Actor, level: str) -> Q | None:
    from edureg.citizen.services import ANSWERING_AREAS, QUEUE_PATHS

    conditions = []
    for register, areas in ANSWERING_AREAS.items():
        condition = scope_q(actor, areas, level, QUEUE_PATHS)
        if condition is not None:
            conditions.append(condition & Q(register=register))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def correction_queue(*, actor: Actor, status: str = "") -> QuerySet[CorrectionRequest]:
    """The requests waiting for (or answered by) the institutions whose register data the actor
    keeps at manager level, oldest waiting first."""
    condition = _queue_condition(actor, Level.MANAGER)
    if condition is None:
        return CorrectionRequest.objects.none()
    requests = CorrectionRequest.objects.filter(condition).select_related("person", "institution")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("created_at", "id")


def pending_corrections(*, actor: Actor) -> int:
    """How many requests wait for the actor's answer (the count on their home page)."""
    if actor.kind != ActorKind.STAFF:
        return 0
    return correction_queue(actor=actor, status=CorrectionStatus.SENT).count()


def correction_request_get(*, actor: Actor, public_id: uuid.UUID | str) -> CorrectionRequest:
    """One request in the actor's queue, its reading logged for the person (404 otherwise)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    request = correction_queue(actor=actor).filter(public_id=key).first()
    if request is None:
        raise Http404
    log_person_access(
        actor=actor, person_public_ids=[request.person.public_id], what="citizen.correction"
    )
    return request
