from django.urls import path

from edureg.students.api import views

RIGHTS = "students/study-rights"
ONE = f"{RIGHTS}/<uuid:public_id>"

urlpatterns = [
    path(f"{RIGHTS}/", views.StudyRightListView.as_view(), name="study-right-list"),
    path(f"{RIGHTS}/batch/", views.StudyRightBatchView.as_view(), name="study-right-batch"),
    path(
        f"{RIGHTS}/by-source/<str:source_system>/<str:local_id>/",
        views.StudyRightUpsertView.as_view(),
        name="study-right-upsert",
    ),
    path(f"{ONE}/", views.StudyRightDetailView.as_view(), name="study-right-detail"),
    path(f"{ONE}/leave/", views.LeaveStartView.as_view(), name="study-right-leave"),
    path(f"{ONE}/leave/end/", views.LeaveEndView.as_view(), name="study-right-leave-end"),
    path(
        f"{ONE}/interruption/",
        views.InterruptionStartView.as_view(),
        name="study-right-interruption",
    ),
    path(
        f"{ONE}/interruption/end/",
        views.InterruptionEndView.as_view(),
        name="study-right-interruption-end",
    ),
    path(f"{ONE}/terminate/", views.TerminateView.as_view(), name="study-right-terminate"),
    path(f"{ONE}/graduate/", views.GraduateView.as_view(), name="study-right-graduate"),
    path(f"{ONE}/transfer/", views.TransferView.as_view(), name="study-right-transfer"),
    path(
        f"{ONE}/period-correction/",
        views.PeriodCorrectionView.as_view(),
        name="study-right-period-correction",
    ),
    path(f"{ONE}/funding/", views.FundingChangeView.as_view(), name="study-right-funding"),
    path(
        f"{ONE}/prior-education/",
        views.PriorEducationAddView.as_view(),
        name="study-right-prior-education",
    ),
    path(f"{ONE}/mobilities/", views.MobilityAddView.as_view(), name="study-right-mobilities"),
    path(f"{ONE}/results/", views.ResultsView.as_view(), name="study-right-results"),
    path(
        f"{ONE}/loans/by-source/<str:source_system>/<str:local_id>/",
        views.LoanUpsertView.as_view(),
        name="study-right-loan-upsert",
    ),
    path(
        f"{ONE}/scholarships/",
        views.ScholarshipAddView.as_view(),
        name="study-right-scholarships",
    ),
]
