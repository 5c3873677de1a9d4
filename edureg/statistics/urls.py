from django.urls import path

from edureg.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/export.csv", views.report_export, {"fmt": "csv"}, name="export-csv"),
    path("<slug:slug>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="export-xlsx"),
]
