from django.urls import path

from edureg.exchange.imports import views
from edureg.exchange.transfers import views as transfers

app_name = "exchange"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("transfers/", transfers.dashboard, name="transfers"),
    path(
        "transfers/pick/institutions/",
        transfers.institution_pick,
        name="transfers-pick-institution",
    ),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/errors.<str:extension>", views.report, name="report"),
]
