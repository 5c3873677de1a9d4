from django.urls import path

from edureg.pupils import exam_views, views

app_name = "pupils"
urlpatterns = [
    path("pick/institutions/", views.institution_pick, name="pick-institution"),
    path("", views.pupil_list, name="list"),
    path("export.csv", views.pupil_export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.pupil_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("municipality/", views.municipality_children, name="municipality"),
    path(
        "municipality/export.csv",
        views.municipality_children_export,
        {"fmt": "csv"},
        name="municipality-export-csv",
    ),
    path(
        "municipality/export.xlsx",
        views.municipality_children_export,
        {"fmt": "xlsx"},
        name="municipality-export-xlsx",
    ),
    path("card/<uuid:public_id>/", views.pupil_card, name="card"),
    path("card/<uuid:public_id>/nvs/", views.nvs_mark, name="nvs-mark"),
    path("enrol/", views.pupil_enrol, name="enrol"),
    path("enrolments/<uuid:public_id>/depart/", views.enrolment_depart, name="depart"),
    path("enrolments/<uuid:public_id>/move/", views.enrolment_move, name="move"),
    path("exams/", exam_views.exam_sessions, name="exam-sessions"),
    path(
        "exams/<uuid:session_id>/<uuid:group_id>/",
        exam_views.exam_plan,
        name="exam-plan",
    ),
    path("groups/", views.group_list, name="group-list"),
    path("groups/new/", views.group_new, name="group-new"),
    path("groups/<uuid:public_id>/", views.group_detail, name="group-detail"),
    path("groups/<uuid:public_id>/close/", views.group_close, name="group-close"),
    path("groups/<uuid:public_id>/year-end/", views.group_year_end, name="group-year-end"),
    path("groups/<uuid:public_id>/directions/", views.group_directions, name="group-directions"),
]
