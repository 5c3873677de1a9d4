from django.urls import path

from edureg.access import views

app_name = "access"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second-factor"),
    path("pledge/", views.pledge, name="pledge"),
    path("pledge/print/", views.pledge_print, name="pledge-print"),
    path("apply/", views.apply, name="apply"),
    path("pick/institutions/", views.institution_pick, name="pick-institution"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request-detail"),
    path(
        "institutions/<str:register_id>/users/", views.institution_users, name="institution-users"
    ),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("my-rights/", views.my_rights, name="my-rights"),
]
