from django.urls import path

from edureg.students import views

app_name = "students"
urlpatterns = [
    path("pick/institutions/", views.institution_pick, name="pick-institution"),
    path("", views.student_list, name="list"),
    path("export.csv", views.student_export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.student_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("open/", views.study_right_open, name="open"),
    path("<uuid:public_id>/", views.student_card, name="card"),
    # Each action on a study right is its own URL (one form, one service).
    *[
        path(
            f"<uuid:public_id>/{name}/",
            views.study_right_action,
            {"action": name},
            name=name,
        )
        for name in views.ACTIONS
    ],
]
