from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from edureg.institutions import selectors
from edureg.institutions.filters import InstitutionFilter

PAGE_SIZE = 50


def institution_list(request: HttpRequest) -> HttpResponse:
    """Public list of institutions with the same filters as the API."""
    filterset = InstitutionFilter(request.GET or None, queryset=selectors.institution_list())
    # An unknown code narrows to nothing, with the field's error, never to everything.
    valid = not filterset.is_bound or filterset.is_valid()
    found = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "institutions/institution_list.html",
        {"filter": filterset, "page_obj": page, "query_string": params.urlencode()},
    )


def institution_detail(request: HttpRequest, register_id: str) -> HttpResponse:
    institution = get_object_or_404(selectors.institution_list(), register_id=register_id)
    branches = selectors.institution_list().filter(parent=institution)
    return render(
        request,
        "institutions/institution_detail.html",
        {"institution": institution, "branches": branches},
    )
