from django.urls import path

from edureg.exchange.feeds import views

app_name = "feeds"
urlpatterns = [
    path("", views.feed_list, name="list"),
    path("<uuid:public_id>/", views.feed_detail, name="detail"),
    path("<uuid:public_id>/errors.<str:extension>", views.feed_report, name="report"),
]
