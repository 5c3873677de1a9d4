"""The public catalogue of programmes: list with search and filters, CSV download, programme
page with its version history. No sign-in; the data is the register's published record."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from edureg.core.pickers import language_names, picker_response
from edureg.institutions.pickers import INSTITUTION
from edureg.programmes import pickers
from edureg.programmes.filters import CatalogueFilter
from edureg.programmes.models import Programme, ProgrammeVersion
from edureg.programmes.selectors import catalogue_list, public_versions, registered_version

PAGE_SIZE = 50
CSV_CHUNK = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "state_code",
    "name_lt",
    "name_en",
    "kind",
    "status",
    "isced_level",
    "ltks_level",
    "study_type",
    "cycle",
    "study_field",
    "credits",
    "hours",
    "duration_years",
    "full_time",
    "part_time",
    "languages",
    "education_awarded_lt",
    "education_awarded_en",
    "provider_register_id",
    "provider_name_lt",
    "municipality",
    "registered_on",
    "deregistered_on",
    "version",
]


def _text(obj: Any, field: str) -> str:
    """The English text when the page is in English and there is one, else the Lithuanian."""
    english = (get_language() or "lt").startswith("en")
    value = getattr(obj, f"{field}_en", "") if english else ""
    return str(value or getattr(obj, f"{field}_lt", ""))


def _filtered(request: HttpRequest) -> tuple[CatalogueFilter, QuerySet[Programme]]:
    """The catalogue narrowed by the request's filters; invalid filters find nothing (the form
    says what is wrong) rather than silently widening the result."""
    filterset = CatalogueFilter(request.GET or None, queryset=catalogue_list())
    if filterset.is_bound and not filterset.is_valid():
        return filterset, filterset.queryset.none()
    return filterset, filterset.qs


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    filterset, programmes = _filtered(request)
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for programme in page.object_list:
        version = registered_version(programme)
        rows.append((programme, version, _text(version, "name") if version else ""))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "programmes/programme_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "query_string": params.urlencode(),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _code(value: Any) -> str:
    return value.code if value is not None else ""


def _csv_row(programme: Programme) -> list[Any]:
    provider = programme.provider
    row: dict[str, Any] = {
        "state_code": programme.state_code,
        "kind": programme.kind,
        "status": programme.status,
        "provider_register_id": provider.register_id,
        "provider_name_lt": provider.name_lt,
        "municipality": provider.municipality.code,
        "registered_on": programme.registered_on,
        "deregistered_on": programme.deregistered_on,
    }
    version = registered_version(programme)
    if version is not None:
        row |= {
            "name_lt": version.name_lt,
            "name_en": version.name_en,
            "isced_level": _code(version.isced_level),
            "ltks_level": _code(version.ltks_level),
            "study_type": version.study_type,
            "cycle": version.cycle,
            "study_field": _code(version.study_field),
            "credits": version.credits,
            "hours": version.hours,
            "duration_years": version.duration_years,
            "full_time": int(version.full_time),
            "part_time": int(version.part_time),
            "languages": version.languages,
            "education_awarded_lt": version.education_awarded_lt,
            "education_awarded_en": version.education_awarded_en,
            "version": version.number,
        }
    return [_cell(row.get(column)) for column in CSV_COLUMNS]


def _cell(value: Any) -> Any:
    """Empty for nothing; text that a spreadsheet would run as a formula is quoted (names come
    from providers' submissions, the file is opened by anyone)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@require_GET
def programme_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The whole filtered catalogue (every page) as CSV, streamed in chunks so that a national
    export needs neither the memory nor the time of building it first. UTF-8 with a byte-order
    mark: spreadsheet programs then read Lithuanian letters correctly. Columns hold codes, the
    same in either interface language."""
    _, programmes = _filtered(request)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)
        for programme in programmes.iterator(chunk_size=CSV_CHUNK):
            yield writer.writerow(_csv_row(programme))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="programmes-{stamp}.csv"'
    return response


# --- Programme page -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    version: ProgrammeVersion
    in_force_from: dt.date | None
    in_force_until: dt.date | None


def _history(programme: Programme, versions: list[ProgrammeVersion]) -> list[HistoryRow]:
    """Each decided version with the period it was in force: from its registration until the
    next version's registration (or the programme's deregistration)."""
    rows = []
    until: dt.date | None = programme.deregistered_on
    for version in versions:  # newest first
        start = timezone.localdate(version.decided_at) if version.decided_at else None
        rows.append(HistoryRow(version=version, in_force_from=start, in_force_until=until))
        until = start
    return rows


def _programme_page(request: HttpRequest, state_code: str, number: int | None) -> HttpResponse:
    programme = get_object_or_404(catalogue_list(detail=True), state_code=state_code)
    versions = public_versions(programme)
    current = registered_version(programme)
    wanted = current.number if number is None and current else number
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise Http404
    name = _text(version, "name")
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "version": version,
            "current": current,
            "is_current": version == current,
            "name": name,
            "other_name": version.name_en if name == version.name_lt else version.name_lt,
            "description": _text(version, "description"),
            "education_awarded": _text(version, "education_awarded"),
            "languages": language_names(version.languages),
            "modules": [(module, _text(module, "name")) for module in version.modules.all()],
            "qualifications": list(version.qualifications.all()),
            "accreditations": list(programme.accreditations.all()),
            "history": _history(programme, versions),
        },
    )


@require_GET
def programme_detail(request: HttpRequest, state_code: str) -> HttpResponse:
    return _programme_page(request, state_code, None)


@require_GET
def programme_version(request: HttpRequest, state_code: str, number: int) -> HttpResponse:
    """An older (superseded) or the current version, citable by state code and number."""
    return _programme_page(request, state_code, number)


# --- Pickers (core.pickers): public register data, so no scope --------------------------------


@require_GET
def provider_pick(request: HttpRequest) -> HttpResponse:
    """Institutions with a programme in the public catalogue, by name."""
    return picker_response(request, pickers.catalogue_providers(), INSTITUTION)


@require_GET
def study_programme_pick(request: HttpRequest) -> HttpResponse:
    """Registered study programmes, by name or state code."""
    return picker_response(request, pickers.registered_study_programmes(), pickers.PROGRAMME)


@require_GET
def qualification_pick(request: HttpRequest) -> HttpResponse:
    return picker_response(request, pickers.qualifications(), pickers.QUALIFICATION)
