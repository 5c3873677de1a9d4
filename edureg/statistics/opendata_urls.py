from django.urls import path

from edureg.statistics import opendata_views

app_name = "opendata"
urlpatterns = [
    path("", opendata_views.index, name="index"),
    path("<slug:slug>/<str:which>/<str:file_name>", opendata_views.download, name="download"),
]
