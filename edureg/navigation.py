"""The staff menu and the home page's list of pending work, by the signed-in user's roles.

It lives at the project level because it names pages of every app. The menu shows only what
the user's roles let them open, grouped by register; it is read from the roles the request has
already loaded for scoping (no statement of its own), and it is empty until sign-in is
complete: a user who still has to enter their second factor or accept the pledge sees no menu,
only the step they are on. The pending work (requests to decide, documents to approve, refused
import rows, …) is counted only on the home page, each count through the selector that scopes
the list it links to, so a count never shows what the list would not.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.access.scoping import active_roles, needs_personal_data_checks, personal_data_blocker
from edureg.core.context import Actor, ActorKind
from edureg.core.web import web_actor

PUPIL_AREAS = {FunctionArea.PUPIL_PERSONAL, FunctionArea.PUPIL_LEARNING}
DOCUMENT_AREAS = {
    FunctionArea.CERTIFICATES,
    FunctionArea.EXAM_PLANNING,
    FunctionArea.COMPETENCE_ASSESSMENT,
    FunctionArea.STUDENT_DATA,
}
PROGRAMME_AREAS = {FunctionArea.PROGRAMME_SUBMISSION, FunctionArea.PROGRAMME_REGISTRATION}
IMPORT_AREAS = {FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA}
# Who answers citizens' correction requests (citizen.services.ANSWERING_AREAS, as managers).
CORRECTION_AREAS = IMPORT_AREAS | {FunctionArea.PUPIL_LEARNING, FunctionArea.CERTIFICATES}
TRANSFER_AGENCY_AREAS = IMPORT_AREAS | {FunctionArea.AGREEMENTS}
# Refused rows of imports older than this are history, not work waiting.
RECENT_IMPORTS = dt.timedelta(days=30)


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str


@dataclass(frozen=True)
class Section:
    title: str | Promise
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Standing:
    """What the actor's roles say, read once: the areas held, those held as manager, whether
    one of them covers a municipality, and whether the user is the agency's superuser."""

    areas: frozenset[str]
    managed: frozenset[str]
    municipal: frozenset[str]
    national: frozenset[str]
    everything: bool

    @classmethod
    def of(cls, actor: Actor) -> Standing:
        roles = active_roles(actor)
        return cls(
            areas=frozenset(r.function_area for r in roles),
            managed=frozenset(r.function_area for r in roles if r.level == Level.MANAGER),
            municipal=frozenset(
                r.function_area for r in roles if r.scope_kind == ScopeKind.MUNICIPALITY
            ),
            national=frozenset(
                r.function_area for r in roles if r.scope_kind == ScopeKind.NATIONAL
            ),
            everything=actor.is_superuser,
        )

    def holds(self, areas: set[str], *, manager: bool = False) -> bool:
        held = self.managed if manager else self.areas
        return self.everything or bool(held & areas)


def _link(label: str | Promise, name: str) -> Link:
    return Link(label, reverse(name))


def staff_menu(actor: Actor) -> list[Section]:
    """The sections of the staff menu the actor may use, each with at least one link."""
    if actor.kind != ActorKind.STAFF:
        return []
    if needs_personal_data_checks(actor) and personal_data_blocker(actor) is not None:
        return []
    can = Standing.of(actor)
    pupils = [
        _link(_("Pupils"), "pupils:list") if can.holds(PUPIL_AREAS) else None,
        _link(_("Municipality's children"), "pupils:municipality")
        if can.everything or FunctionArea.PUPIL_PERSONAL in can.municipal
        else None,
        _link(_("Documents"), "credentials:list") if can.holds(DOCUMENT_AREAS) else None,
    ]
    students = [
        _link(_("Students"), "students:list") if can.holds({FunctionArea.STUDENT_DATA}) else None,
    ]
    programmes = [
        _link(_("My programmes"), "programmes:work-list") if can.holds(PROGRAMME_AREAS) else None,
    ]
    work = [
        _link(_("People"), "people:list") if can.holds(IMPORT_AREAS) else None,
        _link(_("Imports"), "exchange:upload") if can.holds(IMPORT_AREAS, manager=True) else None,
        # The agency reads every institution's (exchange.transfers.selectors).
        _link(_("Data transfers"), "exchange:transfers")
        if can.holds(IMPORT_AREAS, manager=True) or can.national & TRANSFER_AGENCY_AREAS
        else None,
        _link(_("Correction requests"), "corrections:queue")
        if can.holds(CORRECTION_AREAS, manager=True)
        else None,
        _link(_("Statistics"), "statistics:index")
        if can.holds({FunctionArea.STATISTICS})
        else None,
        # The archive is the agency's: its area at national scope (archive.selectors).
        _link(_("Archive"), "archive:search")
        if can.everything or FunctionArea.ARCHIVE in can.national
        else None,
        # So are the agreements (exchange.agreements.selectors).
        _link(_("Data-provision agreements"), "agreements:list")
        if can.everything or FunctionArea.AGREEMENTS in can.national
        else None,
        # The inbound feeds of other registers are run by the agency (exchange.feeds.views).
        _link(_("Inbound feeds"), "feeds:list")
        if can.everything or FunctionArea.AGREEMENTS in can.national
        else None,
    ]
    access = [
        _link(_("User requests"), "access:request-list")
        if can.holds({FunctionArea.USER_ADMIN})
        else None,
        _link(_("My rights"), "access:my-rights"),
        _link(_("Apply for access"), "access:apply"),
        _link(_("Back office"), "admin:index") if actor.user and actor.user.is_staff else None,
    ]
    sections = [
        Section(_("Pupil Register"), tuple(link for link in pupils if link)),
        Section(_("Student Register"), tuple(link for link in students if link)),
        Section(_("Programmes"), tuple(link for link in programmes if link)),
        Section(_("Work"), tuple(link for link in work if link)),
        Section(_("Access"), tuple(link for link in access if link)),
    ]
    return [section for section in sections if section.links]


@dataclass(frozen=True)
class Pending:
    """Work waiting for the user: a sentence with its count, and the list that shows it."""

    count: int
    text: str
    url: str


def _pending(count: int, singular: str, plural: str, name: str, query: str = "") -> Pending:
    url = reverse(name) + (f"?{query}" if query else "")
    return Pending(count, ngettext(singular, plural, count) % {"count": count}, url)


def pending_work(actor: Actor) -> list[Pending]:
    """What waits for the actor, with counts; only kinds of work their roles give them, and
    only those with something waiting."""
    if not staff_menu(actor):  # not a staff user, or sign-in not complete
        return []
    from edureg.access.models import RequestStatus
    from edureg.access.selectors import user_request_queue
    from edureg.citizen.selectors import pending_corrections
    from edureg.credentials.models import DocumentStatus
    from edureg.credentials.selectors import documents_in_scope
    from edureg.exchange.transfers.selectors import refused_rows, runs_in_view
    from edureg.programmes.models import VersionStatus
    from edureg.programmes.selectors import is_registrar

    can = Standing.of(actor)
    found: list[Pending] = []
    if can.holds({FunctionArea.USER_ADMIN}):
        requests = user_request_queue(actor=actor).count()
        found.append(
            _pending(
                requests,
                "%(count)s request for access waits for your decision.",
                "%(count)s requests for access wait for your decision.",
                "access:request-list",
                f"status={RequestStatus.PENDING}",
            )
        )
    corrections = pending_corrections(actor=actor)
    found.append(
        _pending(
            corrections,
            "%(count)s request of a person to correct a record waits for your answer.",
            "%(count)s requests of people to correct records wait for your answer.",
            "corrections:queue",
        )
    )
    if can.holds(DOCUMENT_AREAS, manager=True):
        formed = (
            documents_in_scope(actor=actor, level=Level.MANAGER)
            .filter(status=DocumentStatus.FORMED)
            .count()
        )
        found.append(
            _pending(
                formed,
                "%(count)s formed document waits for approval.",
                "%(count)s formed documents wait for approval.",
                "credentials:list",
                f"status={DocumentStatus.FORMED}",
            )
        )
    if can.holds(IMPORT_AREAS, manager=True):
        since = timezone.localdate() - RECENT_IMPORTS
        not_fixed = refused_rows(runs_in_view(actor, since=since)).filter(fixed=False).count()
        found.append(
            _pending(
                not_fixed,
                "%(count)s record sent by your systems or files was refused and is not fixed yet.",
                "%(count)s records sent by your systems or files were refused and are not "
                "fixed yet.",
                "exchange:transfers",
                "state=open",
            )
        )
    if not can.everything and FunctionArea.PUPIL_PERSONAL in can.municipal:
        found.extend(_children_not_enrolled(actor))
    if is_registrar(actor):
        from edureg.programmes.models import ProgrammeVersion

        submitted = ProgrammeVersion.objects.filter(status=VersionStatus.SUBMITTED).count()
        found.append(
            _pending(
                submitted,
                "%(count)s programme submitted for registration waits for your decision.",
                "%(count)s programmes submitted for registration wait for your decision.",
                "programmes:work-list",
                "awaiting=on",
            )
        )
    return [item for item in found if item.count]


def _children_not_enrolled(actor: Actor) -> list[Pending]:
    """Per municipality the actor looks after: its children of school age (the municipality
    page's default ages) enrolled in no general-education programme."""
    from edureg.pupils import selectors as pupils
    from edureg.pupils.forms import MunicipalityChildrenForm

    found = []
    municipalities = pupils.municipalities_in_view(actor=actor)
    for municipality in municipalities[:5]:
        form = MunicipalityChildrenForm(
            {
                "municipality": municipality.code,
                "age_from": MunicipalityChildrenForm.base_fields["age_from"].initial,
                "age_to": MunicipalityChildrenForm.base_fields["age_to"].initial,
                "status": pupils.NOT_ENROLLED,
            },
            municipalities=municipalities,
        )
        if not form.is_valid():
            continue
        first, last = form.birth_dates(pupils.today())
        count = pupils.municipality_children(
            actor=actor,
            municipality=municipality,
            born_from=first,
            born_until=last,
            studies=pupils.NOT_ENROLLED,
        ).count()
        found.append(
            Pending(
                count,
                ngettext(
                    "%(count)s child of school age in %(municipality)s "
                    "is not enrolled in any school.",
                    "%(count)s children of school age in %(municipality)s "
                    "are not enrolled in any school.",
                    count,
                )
                % {"count": count, "municipality": municipality},
                reverse("pupils:municipality")
                + f"?municipality={municipality.code}&status={pupils.NOT_ENROLLED}",
            )
        )
    return found


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `staff_menu` and `pending_work`, each computed only when a template
    shows it (the menu on every page, the pending work on the home page)."""

    def actor() -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return web_actor(request)

    @functools.cache
    def menu() -> list[Section]:
        who = actor()
        return staff_menu(who) if who is not None else []

    @functools.cache
    def work() -> list[Pending]:
        who = actor()
        return pending_work(who) if who is not None else []

    return {"staff_menu": menu, "pending_work": work}
