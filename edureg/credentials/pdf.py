"""Documents as PDF: the type's layout template rendered by WeasyPrint, a QR code (segno) with
the verification link, and the agency's seal (`credentials.seal`).

Fonts come from the system (Debian's `fonts-dejavu-core`, installed by
`scripts/ensure-document-tools.sh` from `make setup`): DejaVu has every Lithuanian letter, and
nothing is fetched at run time (WeasyPrint is given no base URL and the QR code is inline).

An issued document's sealed PDF is made once, stored, and its SHA-256 kept on the document, so
that a copy uploaded to the verification page can be matched with the register's byte for byte.
A document not yet issued renders only as an unsealed preview marked as such.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterable
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from edureg.core.context import Actor, acting_as
from edureg.credentials.models import Document, DocumentStatus
from edureg.credentials.seal import KEYWORD_PREFIX, seal_pdf


def verification_url(document: Document) -> str:
    return settings.PUBLIC_BASE_URL + reverse("verify", args=[document.verification_code])


def _context(document: Document, *, preview: bool) -> dict[str, Any]:
    url = verification_url(document) if document.verification_code else ""
    qr = segno.make(url, error="m").svg_data_uri(scale=3, border=2) if url else ""
    return {
        "document": document,
        "type": document.document_type,
        "content": document.content,
        "holder": document.content.get("holder", {}),
        "personal_code": document.person.personal_code or document.person.foreign_id or "",
        "issuer": document.content.get("issuer", {}),
        "verification_url": url,
        "qr": qr,
        "preview": preview,
        "keywords": f"{KEYWORD_PREFIX}{document.verification_code}" if url else "",
    }


def render_html(document: Document, *, preview: bool = False) -> str:
    """The document's layout as HTML, in Lithuanian (with English where the type has it)."""
    with translation.override("lt"):
        return render_to_string(
            document.document_type.template, _context(document, preview=preview)
        )


_fonts = threading.local()


def _font_configuration() -> Any:
    """WeasyPrint's font configuration, one per thread and kept: building it anew for every
    document (as `write_pdf` does when given none) cost about a third of each PDF's rendering
    time in bench/documents_bench.py. Not shared across threads, as nothing says it may be."""
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


def render_pdf(document: Document, *, preview: bool = False) -> bytes:
    from weasyprint import HTML

    html = HTML(string=render_html(document, preview=preview))
    return html.write_pdf(font_config=_font_configuration())


def sealed_pdf(document: Document) -> bytes:
    """The sealed PDF of an issued document, rendered now (see `document_pdf`)."""
    return seal_pdf(render_pdf(document), reason=f"{document.registration_number}")


def document_pdf(*, actor: Actor, document: Document) -> bytes:
    """The register's copy of an issued (or since annulled) document's sealed PDF: made and
    stored on first use, the same bytes every time after. The caller read the document through
    a scoped selector."""
    if document.status not in (DocumentStatus.ISSUED, DocumentStatus.ANNULLED):
        raise ValueError("only an issued document has a sealed PDF")
    if document.pdf:
        with document.pdf.open("rb") as stored:
            return stored.read()
    data = sealed_pdf(document)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.pdf:  # someone else made it meanwhile: theirs is the register's copy
            with locked.pdf.open("rb") as stored:
                return stored.read()
        with acting_as(actor):
            locked.pdf.save(f"{locked.public_id}.pdf", ContentFile(data), save=False)
            locked.pdf_sha256 = hashlib.sha256(data).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    document.pdf, document.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return data


def pdf_filename(document: Document) -> str:
    number = (document.registration_number or str(document.public_id)).replace("/", "-")
    holder = document.content.get("holder", {})
    family = str(holder.get("family_name", "")).replace(" ", "_")
    return f"{number}_{family}.pdf"


def zip_of(*, actor: Actor, documents: Iterable[Document], progress: Any = None) -> bytes:
    """One ZIP of the documents' sealed PDFs (the batch download of a class)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            archive.writestr(pdf_filename(document), document_pdf(actor=actor, document=document))
            if progress is not None:
                progress()
    return buffer.getvalue()
