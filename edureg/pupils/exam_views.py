"""Exam planning pages: a school chooses a session and a class and plans who of the class sits
which exam (`exams.exam_plan_apply`); a viewer sees the plan. The sessions and their exams are
the agency's (back office)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from edureg.access.models import Level
from edureg.core.web import query_string_without_page, web_actor
from edureg.pupils import exams
from edureg.pupils.learning_models import ExamSession
from edureg.pupils.models import Group

# Maturity exams are sat in the last two years of the gymnasium.
EXAM_GRADES = ("11", "12")


def _session_or_404(public_id: Any) -> ExamSession:
    session = ExamSession.objects.filter(public_id=public_id).first()
    if session is None:
        raise Http404
    return session


@login_required
@require_GET
def exam_sessions(request: HttpRequest) -> HttpResponse:
    """The sessions, and for the chosen one the classes the actor plans exams for."""
    actor = web_actor(request)
    groups = exams.exam_planning_groups(actor=actor)
    if not groups.exists():
        raise Http404
    sessions = list(ExamSession.objects.order_by("-school_year", "starts_on")[:10])
    chosen = None
    page = None
    if sessions:
        wanted = request.GET.get("session")
        chosen = next((s for s in sessions if str(s.public_id) == wanted), sessions[0])
        classes = groups.filter(school_year=chosen.school_year, grade__in=EXAM_GRADES)
        page = Paginator(classes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pupils/exam_sessions.html",
        {
            "sessions": sessions,
            "chosen": chosen,
            "page_obj": page,
            "query_string": query_string_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_plan(request: HttpRequest, session_id: uuid.UUID, group_id: uuid.UUID) -> HttpResponse:
    """Who of the class sits which exam of the session: one fieldset of exams per pupil."""
    actor = web_actor(request)
    session = _session_or_404(session_id)
    group: Group | None = exams.exam_planning_groups(actor=actor).filter(public_id=group_id).first()
    if group is None:
        raise Http404
    may_plan = (
        exams.exam_planning_groups(actor=actor, level=Level.MANAGER).filter(pk=group.pk).exists()
    )
    session_exams = list(session.exams.select_related("subject").order_by("held_on", "pk"))
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied(_("You may view the plan but not change it."))
        rows = exams.exam_plan_of(actor=actor, group=group, session=session)
        by_public = {str(e.public_id): e.pk for e in session_exams}
        wanted: dict[int, set[int]] = {}
        for row in rows:
            chosen = request.POST.getlist(f"sits-{row.person.public_id}")
            wanted[row.person.pk] = {by_public[c] for c in chosen if c in by_public}
        try:
            change = exams.exam_plan_apply(actor=actor, group=group, session=session, wanted=wanted)
        except ValidationError as exc:
            errors = exc.messages
            status = 400
        else:
            messages.success(
                request,
                _("The plan was saved: %(registered)s exams planned, %(withdrawn)s withdrawn.")
                % {"registered": change.registered, "withdrawn": change.withdrawn},
            )
            return redirect(request.path)
    rows = exams.exam_plan_of(actor=actor, group=group, session=session)
    table = [
        {
            "person": row.person,
            "exams": [
                {
                    "exam": exam,
                    "checked": exam.pk in row.sits,
                    "elsewhere": exam.pk in row.elsewhere,
                    "result": row.results.get(exam.pk),
                }
                for exam in session_exams
            ],
        }
        for row in rows
    ]
    return render(
        request,
        "pupils/exam_plan.html",
        {
            "session": session,
            "group": group,
            "exams": session_exams,
            "rows": table,
            "may_plan": may_plan,
            "errors": errors,
        },
        status=status,
    )
