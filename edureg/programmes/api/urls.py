from django.urls import path

from edureg.programmes.api import views

urlpatterns = [
    path(
        "programmes/drafts/batch/",
        views.DraftBatchView.as_view(),
        name="programme-draft-batch",
    ),
    path(
        "programmes/drafts/<str:source_system>/<str:local_id>/",
        views.DraftUpsertView.as_view(),
        name="programme-draft-upsert",
    ),
    path("programmes/work/", views.ProgrammeWorkListView.as_view(), name="programme-work-list"),
    path(
        "programmes/work/<uuid:public_id>/",
        views.ProgrammeWorkDetailView.as_view(),
        name="programme-work-detail",
    ),
    path(
        "programmes/<uuid:public_id>/submit/",
        views.ProgrammeSubmitView.as_view(),
        name="programme-submit",
    ),
    path(
        "programmes/<uuid:public_id>/change/",
        views.ProgrammeChangeView.as_view(),
        name="programme-change",
    ),
    path(
        "programmes/<uuid:public_id>/request-changes/",
        views.ProgrammeRequestChangesView.as_view(),
        name="programme-request-changes",
    ),
    path(
        "programmes/<uuid:public_id>/reject/",
        views.ProgrammeRejectView.as_view(),
        name="programme-reject",
    ),
    path(
        "programmes/<uuid:public_id>/register/",
        views.ProgrammeRegisterView.as_view(),
        name="programme-register",
    ),
    path(
        "programmes/<uuid:public_id>/deregister/",
        views.ProgrammeDeregisterView.as_view(),
        name="programme-deregister",
    ),
]
