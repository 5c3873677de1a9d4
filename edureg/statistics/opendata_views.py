"""The public open-data page: each dataset with its description from the manifest, the time of
its last publication, its tables' row counts and downloads (the current and the previous
publication). No sign-in: what is published here is already cut down for everyone."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from edureg.statistics.opendata.manifest import bundled_datasets
from edureg.statistics.opendata.publish import latest, root, slug_of


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    datasets = []
    for dataset in sorted(bundled_datasets().values(), key=lambda d: d.title or d.name):
        publications = latest(dataset.name)
        current = publications[0] if publications else None
        previous = publications[1] if len(publications) > 1 else None
        datasets.append(
            {
                "dataset": dataset,
                "slug": slug_of(dataset.name),
                "current": current,
                "previous": previous,
                "models": [
                    {
                        "model": model,
                        "file": model.file_name,
                        "rows": current.tables.get(model.name) if current else None,
                        "previous_rows": previous.tables.get(model.name) if previous else None,
                    }
                    for model in dataset.models
                ],
            }
        )
    return render(request, "statistics/open_data.html", {"datasets": datasets})


@require_GET
def download(request: HttpRequest, slug: str, which: str, file_name: str) -> FileResponse:
    dataset = next((d for d in bundled_datasets().values() if slug_of(d.name) == slug), None)
    if dataset is None or which not in ("current", "previous"):
        raise Http404
    if file_name not in {model.file_name for model in dataset.models}:
        raise Http404
    publications = latest(dataset.name)
    index = 0 if which == "current" else 1
    if len(publications) <= index:
        raise Http404
    path = root() / publications[index].directory / file_name
    if not path.is_file():
        raise Http404
    stamp = publications[index].published_at.strftime("%Y-%m-%d")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{file_name.removesuffix('.csv')}-{stamp}.csv",
        content_type="text/csv; charset=utf-8",
    )
