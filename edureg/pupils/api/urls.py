from django.urls import path

from edureg.pupils.api import views

urlpatterns = [
    path("pupils/cards/<uuid:public_id>/", views.PupilCardView.as_view(), name="pupil-card"),
    path("pupils/groups/", views.GroupListView.as_view(), name="pupil-group-list"),
    path(
        "pupils/groups/<uuid:public_id>/close/",
        views.GroupCloseView.as_view(),
        name="pupil-group-close",
    ),
    path(
        "pupils/groups/<uuid:public_id>/year-end/",
        views.GroupYearEndView.as_view(),
        name="pupil-group-year-end",
    ),
    path("pupils/enrolments/", views.EnrolmentListView.as_view(), name="enrolment-list"),
    path(
        "pupils/enrolments/batch/",
        views.EnrolmentBatchView.as_view(),
        name="enrolment-batch",
    ),
    path(
        "pupils/enrolments/by-source/<str:source_system>/<str:local_id>/",
        views.EnrolmentUpsertView.as_view(),
        name="enrolment-upsert",
    ),
    path(
        "pupils/enrolments/<uuid:public_id>/",
        views.EnrolmentDetailView.as_view(),
        name="enrolment-detail",
    ),
    path(
        "pupils/enrolments/<uuid:public_id>/depart/",
        views.EnrolmentDepartView.as_view(),
        name="enrolment-depart",
    ),
    path(
        "pupils/enrolments/<uuid:public_id>/move/",
        views.EnrolmentMoveView.as_view(),
        name="enrolment-move",
    ),
    path("pupils/nvs-marks/", views.NvsMarkListView.as_view(), name="nvs-mark-list"),
    path("pupils/electives/", views.ElectiveCreateView.as_view(), name="elective-create"),
    path("pupils/achievements/", views.AchievementCreateView.as_view(), name="achievement-create"),
    path(
        "pupils/special-needs/",
        views.SpecialNeedsCreateView.as_view(),
        name="special-needs-create",
    ),
]
