from django.urls import path

from edureg.programmes import views, work_views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("programmes.csv", views.programme_csv, name="csv"),
    path("pick/providers/", views.provider_pick, name="pick-provider"),
    path("pick/study-programmes/", views.study_programme_pick, name="pick-study-programme"),
    path("pick/qualifications/", views.qualification_pick, name="pick-qualification"),
    # The work pages come before the catch-all state-code patterns.
    path("work/", work_views.work_list, name="work-list"),
    path("work/new/", work_views.work_new, name="work-new"),
    path("work/<uuid:public_id>/", work_views.work_detail, name="work-detail"),
    path("work/<uuid:public_id>/edit/", work_views.work_edit, name="work-edit"),
    path("work/<uuid:public_id>/submit/", work_views.work_submit, name="work-submit"),
    path("work/<uuid:public_id>/change/", work_views.work_change, name="work-change"),
    path(
        "work/<uuid:public_id>/request-changes/",
        work_views.work_request_changes,
        name="work-request-changes",
    ),
    path("work/<uuid:public_id>/reject/", work_views.work_reject, name="work-reject"),
    path("work/<uuid:public_id>/register/", work_views.work_register, name="work-register"),
    path("work/<uuid:public_id>/deregister/", work_views.work_deregister, name="work-deregister"),
    path("<str:state_code>/", views.programme_detail, name="detail"),
    path("<str:state_code>/v<int:number>/", views.programme_version, name="version"),
]
