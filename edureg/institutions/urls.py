from django.urls import path

from edureg.institutions import views

app_name = "institutions"
urlpatterns = [
    path("", views.institution_list, name="list"),
    path("<str:register_id>/", views.institution_detail, name="detail"),
]
