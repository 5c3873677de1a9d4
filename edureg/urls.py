from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from oauth2_provider import views as oauth2_views

from edureg.access.views import StaffLoginView
from edureg.core import views as core_views
from edureg.credentials.urls import verify_urlpatterns

api_v1 = [
    path("", include("edureg.core.api.urls")),
    path("", include("edureg.institutions.api.urls")),
    path("", include("edureg.people.api.urls")),
    path("", include("edureg.programmes.api.urls")),
    path("", include("edureg.programmes.api.catalogue")),
    path("", include("edureg.pupils.api.urls")),
    path("", include("edureg.students.api.urls")),
    path("", include("edureg.exchange.imports.api.urls")),
    path("", include("edureg.exchange.changes.urls")),
    path("", include("edureg.exchange.queries.urls")),
    path("", include("edureg.citizen.api.urls")),
    path("", include("edureg.credentials.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("pick/languages/", core_views.language_pick, name="pick-language"),
    path("jobs/<uuid:public_id>/", core_views.job_detail, name="job-detail"),
    path("jobs/<uuid:public_id>/progress/", core_views.job_progress, name="job-progress"),
    path(
        "jobs/<uuid:public_id>/<str:which>/",
        core_views.job_file,
        name="job-file",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("access/", include("edureg.access.urls")),
    path("", include("edureg.citizen.urls")),
    # OAuth2 for system clients: client-credentials tokens, revocation, introspection.
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke"),
    path("corrections/", include("edureg.citizen.queue_urls")),
    path("people/", include("edureg.people.urls")),
    path("pupils/", include("edureg.pupils.urls")),
    path("students/", include("edureg.students.urls")),
    path("documents/", include("edureg.credentials.urls")),
    path("imports/", include("edureg.exchange.imports.urls")),
    path("agreements/", include("edureg.exchange.agreements.urls")),
    path("feeds/", include("edureg.exchange.feeds.urls")),
    *verify_urlpatterns,
    path("institutions/", include("edureg.institutions.urls")),
    path("programmes/", include("edureg.programmes.urls")),
    path("statistics/", include("edureg.statistics.urls")),
    path("archive/", include("edureg.archive.urls")),
    path("open-data/", include("edureg.statistics.opendata_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
