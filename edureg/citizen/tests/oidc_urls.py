"""The project's URLs with the e-identity gateway's OpenID Connect views, as `edureg.urls`
includes them when the gateway is configured (its settings are read when the URLs load)."""

from django.urls import include, path

from edureg.urls import urlpatterns as project_urls

urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *project_urls]
