"""The institutions' queue of citizens' correction requests: staff pages (closed to citizens)."""

from django.urls import path

from edureg.citizen import views

app_name = "corrections"
urlpatterns = [
    path("", views.correction_queue, name="queue"),
    path("<uuid:public_id>/", views.correction_detail, name="detail"),
]
