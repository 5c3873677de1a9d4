from django.urls import path

from edureg.citizen import views

app_name = "citizen"
urlpatterns = [
    path("me/", views.my_data, name="my-data"),
    path("demo-idp/", views.demo_identity_provider, name="demo-idp"),
]
