from django.urls import path

from edureg.credentials.api import views

ONE = "documents/<uuid:public_id>"

urlpatterns = [
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path(f"{ONE}/", views.DocumentDetailView.as_view(), name="document-detail"),
    path(f"{ONE}/approve/", views.DocumentApproveView.as_view(), name="document-approve"),
    path(f"{ONE}/annul/", views.DocumentAnnulView.as_view(), name="document-annul"),
    path(f"{ONE}/reissue/", views.DocumentReissueView.as_view(), name="document-reissue"),
    path(f"{ONE}/discard/", views.DocumentDiscardView.as_view(), name="document-discard"),
    path(f"{ONE}/pdf/", views.DocumentPdfView.as_view(), name="document-pdf"),
]
