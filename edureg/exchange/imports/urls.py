from django.urls import path

from edureg.exchange.imports import views

app_name = "exchange"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/errors.<str:extension>", views.report, name="report"),
]
