from django.urls import path

from edureg.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("programmes.csv", views.programme_csv, name="csv"),
    path("<str:state_code>/", views.programme_detail, name="detail"),
    path("<str:state_code>/v<int:number>/", views.programme_version, name="version"),
]
