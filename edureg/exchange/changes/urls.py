from django.urls import path

from edureg.exchange.changes import api

urlpatterns = [
    path("changes/", api.ChangeListView.as_view(), name="change-list"),
    path("changes/latest/", api.ChangeLatestView.as_view(), name="change-latest"),
]
