from django.urls import path

from edureg.citizen.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="citizen-me"),
    path("me/history/", views.HistoryView.as_view(), name="citizen-history"),
    path("me/access-log/", views.AccessLogView.as_view(), name="citizen-access-log"),
    path("me/data/", views.MyDataView.as_view(), name="citizen-data"),
]
