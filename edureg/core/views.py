from typing import Any

from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from edureg.core import jobs, pickers
from edureg.core.pickers import picker_response
from edureg.core.web import web_actor


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `make run` checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


# --- Background jobs: progress and files ------------------------------------------------------


def job_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A job's page: title, a live progress bar (htmx polls job_progress) and its files."""
    job = jobs.job_for(actor=web_actor(request), public_id=public_id)
    return render(request, "core/job_detail.html", {"job": job})


@never_cache
def job_progress(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The progress fragment the job page polls; it stops polling once the job has finished."""
    job = jobs.job_for(actor=web_actor(request), public_id=public_id)
    return render(request, "core/job_progress.html", {"job": job})


def job_file(request: HttpRequest, public_id: Any, which: str) -> FileResponse:
    if which not in ("result", "report"):
        raise Http404
    job = jobs.job_for(actor=web_actor(request), public_id=public_id)
    stored = job.report if which == "report" else job.result
    name = job.report_name if which == "report" else job.result_name
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@require_GET
def language_pick(request: HttpRequest) -> HttpResponse:
    """Languages (ISO 639) by Lithuanian or English name or code: a public code list."""
    return picker_response(request, pickers.languages(), pickers.LANGUAGE)
