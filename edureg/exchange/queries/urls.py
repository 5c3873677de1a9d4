from django.urls import path

from edureg.exchange.queries import api

QUERIES = "exchange/queries"

urlpatterns = [
    path(f"{QUERIES}/", api.MassQueryListView.as_view(), name="mass-query-list"),
    path(
        f"{QUERIES}/<uuid:public_id>/", api.MassQueryDetailView.as_view(), name="mass-query-detail"
    ),
    path(
        f"{QUERIES}/<uuid:public_id>/result/<str:file_format>/",
        api.MassQueryResultView.as_view(),
        name="mass-query-result",
    ),
]
