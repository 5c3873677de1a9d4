from django.urls import path

from edureg.exchange.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("<uuid:public_id>/", views.agreement_detail, name="detail"),
    path("<uuid:public_id>/amend/", views.agreement_amend, name="amend"),
    path("<uuid:public_id>/suspend/", views.agreement_suspend, name="suspend"),
    path("<uuid:public_id>/resume/", views.agreement_resume, name="resume"),
    path("<uuid:public_id>/end/", views.agreement_end, name="end"),
]
