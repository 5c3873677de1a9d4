from django.urls import path

from edureg.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.search, name="search"),
    path("records/<uuid:public_id>/", views.record, name="record"),
    path("records/<uuid:public_id>/restore/", views.restore, name="restore"),
    path("rules/", views.rules, name="rules"),
    path("runs/", views.runs, name="runs"),
]
