from django.urls import path

from edureg.credentials import blank_views, views

app_name = "credentials"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("form/", views.document_form_class, name="form-class"),
    path("zip/", views.group_zip, name="group-zip"),
    path("blanks/", views.blank_report, name="blank-report"),
    path("blanks/received/", blank_views.blank_receipts, name="blank-receipts"),
    path("blanks/allocations/", blank_views.blank_allocations, name="blank-allocations"),
    path("blanks/write-off/", blank_views.blank_write_off, name="blank-write-off"),
    path("studies/", views.studies_certificate, name="studies"),
    path(
        "studies/<uuid:public_id>/form/",
        views.studies_certificate_for,
        name="studies-for",
    ),
    path("<uuid:public_id>/", views.document_detail, name="detail"),
    path("<uuid:public_id>/approve/", views.document_approve, name="approve"),
    path("<uuid:public_id>/discard/", views.document_discard, name="discard"),
    path("<uuid:public_id>/annul/", views.document_annul, name="annul"),
    path("<uuid:public_id>/pdf/", views.document_pdf, name="pdf"),
    path("<uuid:public_id>/preview.pdf", views.document_preview, name="preview"),
]

# The public verification page lives at the site root: /verify/<code>/ (see edureg/urls.py).
verify_urlpatterns = [
    path("verify/", views.verify_upload, name="verify-upload"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
