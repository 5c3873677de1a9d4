from django.urls import path

from edureg.exchange.imports.api import views

IMPORTS = "exchange/imports"

urlpatterns = [
    path(f"{IMPORTS}/", views.ImportUploadView.as_view(), name="import-upload"),
    path(f"{IMPORTS}/<uuid:public_id>/", views.ImportDetailView.as_view(), name="import-detail"),
    path(f"{IMPORTS}/<uuid:public_id>/rows/", views.ImportRowsView.as_view(), name="import-rows"),
]
