"""The citizen portal "Mano duomenys": the learning history, who saw my data, and the demo
identity provider's page. Views parse, call selectors and services, and render."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from edureg.citizen import export, identity, selectors, services
from edureg.citizen.forms import (
    CorrectionAnswerForm,
    CorrectionRequestForm,
    PeriodForm,
    ShareLinkForm,
)
from edureg.citizen.models import CorrectionStatus
from edureg.citizen.templatetags.citizen import me_url
from edureg.citizen.timeline import EntryKind, by_year
from edureg.core.audit import access_lines, log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.core.countries import country_name
from edureg.core.exports import safe_text
from edureg.core.web import add_service_errors, query_string_without_page, web_actor
from edureg.people.models import Person
from edureg.students import selectors as students_selectors

ACCESS_PAGE_SIZE = 25

View = Callable[..., HttpResponse]


def citizen_page(view: View) -> View:
    """A page of the portal: without a session the e-identity sign-in begins (and comes back
    here); a signed-in staff user is not a citizen and gets 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            gateway = identity.identity_gateway()
            if gateway is None:
                return render(request, "citizen/sign_in_unavailable.html", status=503)
            return gateway.begin(request, next_url=request.get_full_path())
        if web_actor(request).kind != ActorKind.CITIZEN:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _context(
    request: HttpRequest, actor: Actor, subject: Person, nav: str, **extra: Any
) -> dict[str, Any]:
    """What every portal page shows around its content: who is signed in, whose data is shown
    (the citizen's or a child's), and the navigation for that person."""
    me = selectors.own_person(actor=actor)
    return {
        "me": me,
        "subject": subject,
        "child": subject.public_id if subject.pk != me.pk else None,
        "children": list(selectors.children(actor=actor)),
        "nav": nav,
        **extra,
    }


@citizen_page
@require_GET
def history(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """The learning history across the registers, newest first, grouped by year."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    entries = selectors.learning_history(actor=actor, person=subject)
    return render(
        request,
        "citizen/history.html",
        _context(
            request,
            actor,
            subject,
            "history",
            years=by_year(entries),
            entry_count=len(entries),
            citizenship=country_name(subject.citizenship),
        ),
    )


@citizen_page
@require_GET
def documents(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """The documents issued (PDF, verification page), and forming a certificate of studies."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    entries = [
        e
        for e in selectors.learning_history(actor=actor, person=subject)
        if e.kind == EntryKind.DOCUMENT
    ]
    rights = students_selectors.student_rights_in_scope(actor=actor).filter(person=subject)
    return render(
        request,
        "citizen/documents.html",
        _context(
            request,
            actor,
            subject,
            "documents",
            entries=entries,
            rights=rights.order_by("-started_on") if child is None else [],
        ),
    )


def _access_entries(request: HttpRequest, actor: Actor, subject: Person) -> tuple[PeriodForm, Any]:
    form = PeriodForm(request.GET or None)
    period: dict[str, Any] = {}
    if form.is_valid():
        period = {k: v for k, v in form.cleaned_data.items() if v}
    return form, selectors.access_log(actor=actor, person=subject, **period)


@citizen_page
@require_GET
def access_log(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """Who saw my data: organisation and role, what, when, through which channel."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    form, entries = _access_entries(request, actor, subject)
    log_person_access(actor=actor, person_public_ids=[subject.public_id], what="citizen.access-log")
    page = Paginator(entries, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "citizen/access_log.html",
        _context(
            request,
            actor,
            subject,
            "access",
            form=form,
            page_obj=page,
            lines=access_lines(
                page.object_list, show_staff_names=settings.CITIZEN_SEES_STAFF_NAMES
            ),
            query_string=query_string_without_page(request),
        ),
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@citizen_page
@require_GET
def access_log_csv(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """The same list (the whole period chosen, not one page) as a CSV file."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    form, entries = _access_entries(request, actor, subject)
    if form.is_bound and not form.is_valid():
        return access_log(request, child=child)
    header = [_("When"), _("Who"), _("What was seen"), _("Channel")]
    show_names = settings.CITIZEN_SEES_STAFF_NAMES
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for line in access_lines(entries.iterator(chunk_size=1000), show_staff_names=show_names):
            when = timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M")
            values = (when, capfirst(line.who), capfirst(line.what), line.channel)
            yield writer.writerow([safe_text(v) for v in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"who-saw-my-data-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- My data as a file ---------------------------------------------------------------------------


@citizen_page
@require_GET
def data_file(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    return render(request, "citizen/data_file.html", _context(request, actor, subject, "file"))


def _file_name(subject: Person, extension: str) -> str:
    return f"mano-duomenys-{timezone.localdate():%Y-%m-%d}.{extension}"


@citizen_page
@require_GET
def data_json(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """Everything the registers hold about the person, as JSON (see docs/citizen.md)."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    body = json.dumps(export.my_data(actor=actor, person=subject), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(subject, "json")}"'
    response["Cache-Control"] = "no-store"
    return response


@citizen_page
@require_GET
def data_pdf(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """The same as a readable PDF."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    response = HttpResponse(
        export.my_data_pdf(actor=actor, person=subject), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(subject, "pdf")}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Share links -------------------------------------------------------------------------------

NEW_LINK_SESSION_KEY = "citizen.share.new"  # the session key, not a secret


@citizen_page
@require_GET
def shares(request: HttpRequest) -> HttpResponse:
    """The citizen's share links: how often each was opened, until when, revoke. A link just
    created is shown once, with its address."""
    actor = web_actor(request)
    me = selectors.own_person(actor=actor)
    created = request.session.pop(NEW_LINK_SESSION_KEY, None)
    new_url = ""
    if created:
        new_url = request.build_absolute_uri(reverse("citizen:shared", args=[created["token"]]))
    return render(
        request,
        "citizen/shares.html",
        _context(
            request,
            actor,
            me,
            "shares",
            links=selectors.share_links(actor=actor),
            new_url=new_url,
            new_id=created["link"] if created else "",
            today=timezone.localdate(),
        ),
    )


@citizen_page
@require_http_methods(["GET", "POST"])
def share_new(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    me = selectors.own_person(actor=actor)
    entries = selectors.learning_history(actor=actor, person=me)
    latest = services.share_link_latest_expiry()
    initial = {
        "keys": request.GET.getlist("record"),
        "expires_on": min(latest, timezone.localdate() + dt.timedelta(days=30)),
    }
    form = ShareLinkForm(request.POST or None, entries=entries, latest=latest, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.share_link_create(
                actor=actor,
                keys=form.cleaned_data["keys"],
                label=form.cleaned_data["label"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[NEW_LINK_SESSION_KEY] = {"token": token, "link": str(link.public_id)}
            messages.success(
                request, _("The link was created. Copy it now: it is shown only once.")
            )
            return redirect("citizen:shares")
    return render(
        request,
        "citizen/share_new.html",
        _context(request, actor, me, "shares", form=form),
        status=400 if form.is_bound and form.errors else 200,
    )


@citizen_page
@require_http_methods(["GET", "POST"])
def share_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Revoking is for good: a confirmation first."""
    actor = web_actor(request)
    me = selectors.own_person(actor=actor)
    link = selectors.share_link_of(actor=actor, public_id=public_id)
    if request.method == "POST":
        services.share_link_revoke(actor=actor, link=link)
        messages.success(request, _("The link was revoked: it no longer opens."))
        return redirect("citizen:shares")
    return render(
        request, "citizen/share_revoke.html", _context(request, actor, me, "shares", link=link)
    )


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a share link shows, to anyone who has it, without signing in; read-only. An
    unknown, expired or revoked link is 404."""
    link = selectors.shared_by_token(token=token)
    entries = selectors.shared_records(link=link)
    response = render(
        request,
        "citizen/shared.html",
        {"link": link, "person": link.person, "entries": entries, "token": token},
    )
    # The page is the person's data: no caching anywhere, no referrer to other sites.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Correction requests -------------------------------------------------------------------------


@citizen_page
@require_GET
def corrections(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    return render(
        request,
        "citizen/corrections.html",
        _context(
            request,
            actor,
            subject,
            "corrections",
            requests=selectors.correction_requests_of(actor=actor, person=subject),
        ),
    )


@citizen_page
@require_http_methods(["GET", "POST"])
def correction_new(request: HttpRequest, child: uuid.UUID | None = None) -> HttpResponse:
    """Ask the institution responsible for one record to correct it."""
    actor = web_actor(request)
    subject = selectors.subject_for(actor=actor, child=child)
    key = request.POST.get("record") or request.GET.get("record") or ""
    entry = next(
        (e for e in selectors.learning_history(actor=actor, person=subject) if e.key == key), None
    )
    if entry is None:
        raise Http404
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request_send(
                actor=actor, person=subject, record_key=key, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent to %(institution)s. You will see the answer here.")
                % {"institution": entry.institution_name},
            )
            return redirect(me_url("corrections", child))
    return render(
        request,
        "citizen/correction_new.html",
        _context(request, actor, subject, "corrections", form=form, entry=entry),
        status=400 if form.is_bound and form.errors else 200,
    )


# --- The demo identity provider ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def demo_idp(request: HttpRequest) -> HttpResponse:
    """Stands in for the national e-identity gateway in demo mode: pick a generated person,
    sign in as them. Unreachable (404) when demo mode is off or a real gateway is configured."""
    provider = identity.demo_identity_provider()
    if provider is None:
        raise Http404
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        try:
            key = uuid.UUID(request.POST.get("person", ""))
        except ValueError as exc:
            raise Http404 from exc
        person = Person.objects.filter(public_id=key).first()
        if person is None:
            raise Http404
        return provider.complete(request, person=person, next_url=next_url)
    return render(
        request,
        "citizen/demo_idp.html",
        {"personas": provider.personas(), "next": next_url},
    )


# --- The institution's queue of correction requests (staff pages) -----------------------------


def _record_page(request_: Any) -> str:
    """Where the data manager corrects the record: the pupil's or the student's card."""
    if request_.register == "students" and request_.record_key.startswith("study-right:"):
        return reverse("students:card", args=[request_.record_key.split(":", 1)[1]])
    if request_.register == "pupils":
        return reverse("pupils:card", args=[request_.person.public_id])
    if request_.register == "credentials" and request_.record_key.startswith("document:"):
        return reverse("credentials:detail", args=[request_.record_key.split(":", 1)[1]])
    return ""


@login_required
@require_GET
def correction_queue(request: HttpRequest) -> HttpResponse:
    """Correction requests sent to the institutions whose data the user manages."""
    actor = web_actor(request)
    status = request.GET.get("status", CorrectionStatus.SENT)
    if status not in CorrectionStatus.values and status != "all":
        status = CorrectionStatus.SENT
    requests = selectors.correction_queue(actor=actor, status="" if status == "all" else status)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    log_person_access(
        actor=actor,
        person_public_ids=[r.person.public_id for r in page.object_list],
        what="citizen.correction-list",
    )
    return render(
        request,
        "citizen/staff/queue.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": [*CorrectionStatus.choices, ("all", _("all"))],
            "query_string": f"status={status}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correction_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One request: what the person saw and wrote; the answer."""
    actor = web_actor(request)
    correction = selectors.correction_request_get(actor=actor, public_id=public_id)
    form = CorrectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request_answer(
                actor=actor,
                request=correction,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer was sent to the person."))
            return redirect("corrections:queue")
    return render(
        request,
        "citizen/staff/detail.html",
        {"correction": correction, "form": form, "record_url": _record_page(correction)},
        status=400 if form.is_bound and form.errors else 200,
    )
