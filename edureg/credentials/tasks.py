"""Background work of documents: a class's sealed PDFs rendered and zipped as one download."""

from __future__ import annotations

from django_tasks import task

from edureg.core import jobs
from edureg.core.collation import name_order
from edureg.core.context import Actor, audit_context
from edureg.credentials import pdf
from edureg.credentials.models import Document

ZIP_ACTOR = Actor.system("credentials.zip")


@task()
def documents_zip(*, job_id: int, document_ids: list[int], name: str) -> None:
    """Render (once) and zip the documents the job's owner chose; the view checked they are in
    the owner's scope before it started the job."""
    with audit_context(ZIP_ACTOR), jobs.job_running(job_id) as job:
        documents = list(
            Document.objects.filter(pk__in=document_ids)
            .select_related("document_type", "person", "institution", "blank", "supplement_blank")
            .order_by(*name_order("person__"), "pk")
        )
        jobs.job_advance(job, 0, total=len(documents), force=True)
        data = pdf.zip_of(
            actor=ZIP_ACTOR, documents=documents, progress=lambda: jobs.job_advance(job, 1)
        )
        jobs.job_attach(job, name=name, content=data)
