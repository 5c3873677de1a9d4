from django.urls import path

from edureg.statistics import views
from edureg.statistics.funding import views as funding_views

app_name = "statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("funding/", funding_views.run_list, name="funding"),
    path("research-extract/", views.research_extract, name="research-extract"),
    path("funding/<int:pk>/", funding_views.run_detail, name="funding-run"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/export.csv", views.report_export, {"fmt": "csv"}, name="export-csv"),
    path("<slug:slug>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="export-xlsx"),
]
