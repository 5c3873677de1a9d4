"""Web pages of documents: the staff's documents (form for a pupil or a class, preview, approve,
annul, reissue, PDFs and the class's ZIP), blanks and their report, the citizen's "Pažyma apie
studijas", and the public verification page.

Reads go through the scoped selectors (out of scope answers 404); every form is one POST calling
one service, whose refusals are shown on the form.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import restrict
from edureg.core import jobs
from edureg.core.context import Actor, ActorKind
from edureg.core.forms import DATE
from edureg.core.history import history_rows_for
from edureg.core.readable import readable
from edureg.core.web import add_service_errors, query_string_without_page, web_actor
from edureg.credentials import blanks, pdf, seal, selectors, services
from edureg.credentials.blanks import INSTITUTION_ITSELF
from edureg.credentials.models import Document, DocumentStatus, DocumentType, ReissueKind
from edureg.credentials.tasks import documents_zip
from edureg.institutions.models import Institution
from edureg.pupils.exams import exam_planning_groups
from edureg.pupils.models import Group, GroupKind
from edureg.students.selectors import student_rights_in_scope, study_right_get

MAX_UPLOAD = 10 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PDF file"),
        help_text=gettext_lazy("The document as it was downloaded from the register, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public answer for a document's verification code (the link in its QR code)."""
    check = selectors.document_verify(code=code)
    return render(request, "credentials/verify.html", {"check": check, "form": VerifyUploadForm()})


class UploadOutcome:
    def __init__(self, check: seal.SealCheck, document: Document | None, same_copy: bool) -> None:
        self.valid = check.valid and document is not None and same_copy
        self.signer = check.signer
        self.signed_at = check.signed_at
        if check.problem:
            self.summary = check.problem
        elif not check.valid:
            self.summary = _("The seal is not valid: the file was changed after it was sealed.")
        elif document is None:
            self.summary = _("The seal is valid, but the register holds no such document.")
        elif not same_copy:
            self.summary = _(
                "The seal is valid, but the file differs from the register's copy of the document."
            )
        else:
            self.summary = _(
                "The seal is valid and the file is the register's copy of the document."
            )


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Upload a PDF: its seal is validated with pyHanko and the file matched with the register."""
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            check = seal.validate_pdf(data)
            verification = None
            if check.valid and check.verification_code:
                try:
                    verification = selectors.document_verify(code=check.verification_code)
                except Http404:
                    verification = None
            document = verification.document if verification else None
            same = document is not None and document.pdf_sha256 == hashlib.sha256(data).hexdigest()
            context["upload"] = UploadOutcome(check, document, same)
            if verification is not None and same:
                context["check"] = verification
        else:
            status = 400
    return render(request, "credentials/verify.html", context, status=status)


# --- Staff: documents ---------------------------------------------------------------------

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return web_actor(request)


def _formable_groups(actor: Actor) -> QuerySet[Group]:
    institutions = restrict(
        Institution.objects.all(),
        actor=actor,
        areas=[FunctionArea.CERTIFICATES],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )
    return (
        Group.objects.filter(institution__in=institutions, kind=GroupKind.GENERAL)
        .select_related("institution")
        .order_by("-school_year", "institution__name_lt", "grade", "name")
    )


class FormForm(forms.Form):
    document_type = forms.ModelChoiceField(
        label=gettext_lazy("Document"),
        queryset=DocumentType.objects.none(),
    )
    group = forms.ModelChoiceField(label=gettext_lazy("Class"), queryset=Group.objects.none())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = (
            DocumentType.objects.filter(active=True, form_area=FunctionArea.CERTIFICATES)
            .select_related("kind")
            .exclude(source__in=["vocational", "competences"])
        )
        self.fields["group"].queryset = _formable_groups(actor)


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    documents = selectors.documents_in_scope(actor=actor).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in DocumentStatus.values:
        documents = documents.filter(status=status)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    selectors.documents_shown(actor=actor, documents=shown)
    return render(
        request,
        "credentials/document_list.html",
        {
            "page_obj": page,
            "documents": shown,
            "statuses": DocumentStatus.choices,
            "status": status,
            "may_form": _formable_groups(actor).exists(),
            "may_plan_exams": exam_planning_groups(actor=actor).exists(),
            "query_string": query_string_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_form_class(request: HttpRequest) -> HttpResponse:
    """Form a document for every eligible pupil of a class; refusals are listed by pupil."""
    actor = _actor(request)
    form = FormForm(request.POST or None, actor=actor)
    forming = None
    if request.method == "POST" and form.is_valid():
        try:
            forming = services.documents_form_for_group(
                actor=actor,
                document_type=form.cleaned_data["document_type"],
                group=form.cleaned_data["group"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if forming.formed:
                messages.success(
                    request,
                    _("Formed %(count)s documents: review and have them approved.")
                    % {"count": len(forming.formed)},
                )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "credentials/form_class.html", {"form": form, "forming": forming}, status=status
    )


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for annulment"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    then = forms.ChoiceField(
        label=gettext_lazy("Then"),
        choices=[
            ("", gettext_lazy("nothing more")),
            (ReissueKind.DUPLICATE, gettext_lazy("form a duplicate")),
            (ReissueKind.REPLACEMENT, gettext_lazy("form a replacement from the register data")),
        ],
        required=False,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that annulment cannot be undone."), required=True
    )


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I checked the document: it gets its registration number and uses the next blank."
        ),
        required=True,
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id)
    return _detail(request, actor, document)


def _detail(
    request: HttpRequest,
    actor: Actor,
    document: Document,
    *,
    approve_form: forms.Form | None = None,
    annul_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = selectors.documents_in_scope(actor=actor, level=Level.MANAGER).filter(pk=document.pk)
    return render(
        request,
        "credentials/document_detail.html",
        {
            "document": document,
            "content": document.content,
            "may_manage": actor.kind != ActorKind.CITIZEN and manages.exists(),
            "approve_form": approve_form or ApproveForm(),
            "annul_form": annul_form or AnnulForm(),
            "replacement": selectors.reissue_of(document),
            "history": _history(document),
        },
        status=status,
    )


# Kept in a version but not read by people there: the document's content is on the page, the
# actors' labels are machine ids (who acted is the version's author), the rest bookkeeping.
HISTORY_HIDDEN = ["content", "formed_by", "approved_by", "exclusive", "area"]


def _history(document: Document) -> list[tuple[Any, list[Any]]]:
    """The document's versions, newest first, each with what it changed in words."""
    rows = list(history_rows_for(document)[:51])
    changes = [
        {
            c.field: (c.old, c.new)
            for c in newer.diff_against(older, excluded_fields=HISTORY_HIDDEN).changes
        }
        for newer, older in pairwise(rows)
    ]
    changes += [{}] * (len(rows) - len(changes))  # the first version: created
    lines = readable(("credentials.document", change) for change in changes)
    return list(zip(rows, lines, strict=True))[:50]


@login_required
@require_POST
def document_approve(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            document = services.document_approve(actor=actor, document=document)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Approved: registration number %(number)s.")
                % {"number": document.registration_number},
            )
            return redirect("credentials:detail", public_id=document.public_id)
    return _detail(request, actor, document, approve_form=form, status=400)


@login_required
@require_POST
def document_discard(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    try:
        services.document_discard(actor=actor, document=document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("credentials:detail", public_id=document.public_id)


@login_required
@require_POST
def document_annul(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    form = AnnulForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.document_annul(
                    actor=actor, document=document, reason=form.cleaned_data["reason"]
                )
                then = form.cleaned_data["then"]
                if then:
                    reissued = services.document_reissue(actor=actor, document=document, kind=then)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document was annulled."))
            target = reissued if form.cleaned_data["then"] else document
            return redirect("credentials:detail", public_id=target.public_id)
    return _detail(request, actor, document, annul_form=form, status=400)


def _pdf_response(data: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    # RFC 6266: a holder's name with Lithuanian letters goes as filename*=utf-8''…, which
    # browsers read (a raw non-Latin-1 header value would be MIME-encoded and not a download)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    return response


@login_required
@require_GET
def document_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The register's sealed copy of an issued document (the holder's too)."""
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id, what="credentials.pdf")
    if document.status not in (DocumentStatus.ISSUED, DocumentStatus.ANNULLED):
        raise Http404
    return _pdf_response(
        pdf.document_pdf(actor=actor, document=document), pdf.pdf_filename(document)
    )


@login_required
@require_GET
def document_preview(request: HttpRequest, public_id: Any) -> HttpResponse:
    """An unsealed preview, marked as such, of a document awaiting approval."""
    actor = _actor(request)
    document = selectors.document_get(actor=actor, public_id=public_id, what="credentials.preview")
    if actor.kind == ActorKind.CITIZEN:
        raise Http404
    return _pdf_response(pdf.render_pdf(document, preview=True), "preview.pdf", inline=True)


@login_required
@require_POST
def group_zip(request: HttpRequest) -> HttpResponse:
    """All issued documents of a class as one ZIP, rendered as a background job."""
    actor = _actor(request)
    try:
        group = _formable_groups(actor).get(public_id=request.POST.get("group", ""))
    except (Group.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    documents = list(
        selectors.documents_in_scope(actor=actor)
        .filter(group=group, status=DocumentStatus.ISSUED)
        .values_list("pk", flat=True)
    )
    if not documents:
        messages.error(request, _("The class has no issued documents yet."))
        return redirect("credentials:form-class")
    job = jobs.job_create(
        actor=actor,
        kind="credentials.zip",
        title=_("Documents of class %(group)s") % {"group": group},
        total=len(documents),
    )
    name = f"{group.institution.register_id}-{group.school_year}-{group.name}.zip".replace(" ", "_")
    documents_zip.enqueue(job_id=job.pk, document_ids=documents, name=name)
    return redirect(job.get_absolute_url())


# --- Blanks ------------------------------------------------------------------------------


class BlankReportForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.none()
    )
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("Until"), widget=DATE)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = blanks.institutions_for_blank_report(actor=actor)


@login_required
@require_GET
def blank_report(request: HttpRequest) -> HttpResponseBase:
    """Blank accounting of an institution for a period, on the page and as XLSX."""
    actor = _actor(request)
    today = timezone.localdate()
    initial = {"date_from": today.replace(month=1, day=1), "date_to": today}
    form = BlankReportForm(request.GET or None, actor=actor, initial=initial)
    if not form.fields["institution"].queryset.exists():
        raise Http404
    rows = None
    if form.is_bound and form.is_valid():
        try:
            rows = blanks.blank_report(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if rows is not None and request.GET.get("format") == "xlsx":
        return _report_xlsx(form.cleaned_data, rows)
    return render(
        request,
        "credentials/blank_report.html",
        {"form": form, "rows": rows, "query_string": request.GET.urlencode()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _report_xlsx(params: dict[str, Any], rows: list[blanks.ReportRow]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Blanks")[:31]
    sheet.append([str(params["institution"]), f"{params['date_from']} – {params['date_to']}"])
    sheet.append(
        [
            _("Blank type"),
            _("On hand at the start"),
            _("Received"),
            _("Used"),
            _("Spoiled"),
            _("Lost"),
            _("On hand at the end"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                str(row.blank_type),
                row.opening,
                row.received,
                row.used,
                row.spoiled,
                row.lost,
                row.closing,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="blanks.xlsx"'
    return response


# --- Pažyma apie studijas on demand ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def studies_certificate(request: HttpRequest) -> HttpResponse:
    """A student or former student forms a "Pažyma apie studijas" for one of their study rights
    and downloads it sealed."""
    actor = _actor(request)
    if actor.kind != ActorKind.CITIZEN:
        raise Http404
    rights = student_rights_in_scope(actor=actor).order_by("-started_on")
    if request.method == "POST":
        right = rights.filter(public_id=_uuid_or_404(request.POST.get("study_right"))).first()
        if right is None:
            raise Http404
        document = services.document_form(
            actor=actor,
            document_type=services.studies_type(),
            person=right.person,
            institution=right.institution,
            study_right=right,
        )
        return redirect("credentials:pdf", public_id=document.public_id)
    return render(
        request,
        "credentials/studies.html",
        {"rights": rights, "documents": selectors.documents_of_citizen(actor=actor)},
    )


@login_required
@require_POST
def studies_certificate_for(request: HttpRequest, public_id: Any) -> HttpResponse:
    """An HEI's data manager forms the certificate of studies for a study right."""
    actor = _actor(request)
    right = study_right_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    document = services.document_form(
        actor=actor,
        document_type=services.studies_type(),
        person=right.person,
        institution=right.institution,
        study_right=right,
    )
    return redirect("credentials:detail", public_id=document.public_id)


def _uuid_or_404(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc
