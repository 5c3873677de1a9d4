"""Settings for edureg.

Every setting that differs between a developer's laptop and production comes from an environment
variable. The defaults are the embedded setup: SQLite under var/, DEBUG on, demo mode on.
`EDUREG_PRODUCTION=1` turns on production checks: the process refuses to start with the
development secret key, with DEBUG on, or with demo mode on.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EDUREG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "edureg-development-secret-key-not-for-production"  # noqa: S105

PRODUCTION = env_bool("EDUREG_PRODUCTION", False)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
# Demo mode: demo logins and, later, the demo identity provider. Never in production.
DEMO_MODE = env_bool("EDUREG_DEMO_MODE", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Open data: the key of the keyed hash (HMAC-SHA256) that turns a person's public id into the
# pseudonym published in the Pupil Register's datasets. Without the key nobody can link a
# pseudonym back to a person; changing it gives every person a new pseudonym in the next export.
DEVELOPMENT_OPEN_DATA_PSEUDONYM_KEY = "edureg-development-pseudonym-key-not-for-production"
OPEN_DATA_PSEUDONYM_KEY = os.environ.get(
    "OPEN_DATA_PSEUDONYM_KEY", DEVELOPMENT_OPEN_DATA_PSEUDONYM_KEY
)

if PRODUCTION:
    problems = []
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY must be set to a long random value")
    if (
        OPEN_DATA_PSEUDONYM_KEY == DEVELOPMENT_OPEN_DATA_PSEUDONYM_KEY
        or len(OPEN_DATA_PSEUDONYM_KEY) < 32
    ):
        problems.append("OPEN_DATA_PSEUDONYM_KEY must be set to a long random value")
    if DEBUG:
        problems.append("DEBUG must be off")
    if DEMO_MODE:
        problems.append("EDUREG_DEMO_MODE must be off")
    if "AUDIT_WITNESS_KEY" not in os.environ:
        problems.append("AUDIT_WITNESS_KEY must name the agency's checkpoint signing key")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "oauth2_provider",
    "mozilla_django_oidc",
    "csp",
    "edureg.core",
    "edureg.institutions",
    "edureg.people",
    "edureg.access",
    "edureg.citizen",
    "edureg.programmes",
    "edureg.pupils",
    "edureg.students",
    "edureg.credentials",
    "edureg.statistics",
    "edureg.exchange",
    "edureg.archive",
    # The project package itself, above every app: demo orchestration (seed_demo, demo_logins).
    "edureg",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of the project's own: every answer under /api/ leaves in the API's error shape.
    "edureg.core.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the path, the query or the form: text the register cannot store.
    "edureg.core.middleware.RequestTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's OTPMiddleware, with the session's safeguards read once per refresh.
    "edureg.access.session.SessionSafeguardsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "edureg.core.middleware.AuditContextMiddleware",
    "edureg.access.middleware.StaffSafeguardsMiddleware",
    "edureg.citizen.middleware.CitizenBoundaryMiddleware",
]

ROOT_URLCONF = "edureg.urls"
WSGI_APPLICATION = "edureg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "edureg" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "edureg.core.context_processors.site",
                "edureg.navigation.navigation",
            ],
        },
    },
]

# Form widgets render through TEMPLATES, so that the register's own templates can replace
# Django's: an empty choice reads "— pasirinkite —", never Django's "---------"
# (edureg/templates/django/forms/widgets/select_option.html), and list filters' empty choice
# reads "visi".
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FILTERS_EMPTY_CHOICE_LABEL = _("all")

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default. Each transaction takes the write lock at BEGIN (IMMEDIATE) so
# that concurrent writers queue on busy_timeout instead of failing on a lock upgrade, and the
# journal is in WAL mode so that readers never wait for a writer.
#
# Connections persist between requests (CONN_MAX_AGE seconds; 0 = a new connection for every
# request, which cost PostgreSQL 20-29 ms of CPU per request against 5-12 ms reused). With
# health checks, a connection the server dropped (restart, idle timeout, failover) is noticed
# at the start of the next request and reopened instead of failing it.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'edureg.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side prepared statements (psycopg 3): with server-side binding, a statement run
    # more than DATABASE_PREPARE_THRESHOLD times on a connection is prepared, so PostgreSQL
    # parses and plans it once per connection. Off unless set ("" = client-side binding, as
    # Django's default). Behind PgBouncer in transaction pooling, prepared statements need
    # PgBouncer 1.21+ with max_prepared_statements > 0; otherwise leave this unset.
    prepare_threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "")
    if prepare_threshold:
        DATABASES["default"]["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": int(prepare_threshold),
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures of one user name, for one hour. Not per address: a whole
# school behind one address (or every user behind a proxy) must not be locked out together.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the address is not a lockout parameter; locking per user name is the intent.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
OTP_TOTP_ISSUER = "edureg"

# Citizens sign in through the national e-identity gateway (VIISP) with OpenID Connect. The
# gateway is configured by these variables; without them only the demo identity provider (in
# demo mode) signs citizens in.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = "openid profile"
OIDC_PERSONAL_CODE_CLAIM = os.environ.get("OIDC_PERSONAL_CODE_CLAIM", "personal_code")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("edureg.access.citizens.CitizenOIDCBackend")
LOGIN_REDIRECT_URL_FAILURE = "/"

# System clients: OAuth2 client credentials (django-oauth-toolkit).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH2_TOKEN_SECONDS", "3600")),
    "SCOPES": {"read": "Read register data", "write": "Write register data"},
    "DEFAULT_SCOPES": ["read", "write"],
    "OAUTH2_VALIDATOR_CLASS": "edureg.access.oauth.BindingAwareValidator",
}

# Content-Security-Policy: everything from this origin, nothing inline but styles (the Django
# admin sets style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
# The age above is inactivity, not time since login: the session is saved again (its age starts
# anew) when SESSION_REFRESH_SECONDS have passed since it was last saved — a tenth of the age, at
# most a minute — rather than on every request; the roles, second factor and pledge kept in it
# are read again at the same time (edureg.access.session).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = int(
    os.environ.get("SESSION_REFRESH_SECONDS", str(max(1, min(60, SESSION_COOKIE_AGE // 10))))
)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "lt"
LANGUAGES = [("lt", _("Lithuanian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "edureg" / "locale"]
TIME_ZONE = "Europe/Vilnius"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (embedded setup) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Files that background jobs produce (imports' reports, documents, query results). Never served
# as static files: each is streamed by a view that checks who may have it.
MEDIA_ROOT = Path(os.environ.get("EDUREG_MEDIA_ROOT", VAR_DIR / "media"))

# --- Documents (credentials) --------------------------------------------------------------
# The verification links printed on documents (QR codes) point at this address.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The agency's seal: a PEM private key, its certificate and the chain up to the trusted root.
# In demo mode a local test CA and seal certificate are generated under var/seal/ by `make setup`
# (`manage.py credentials_demo_seal`), never committed; production points these at the real
# seal (the key file readable only by the application) and refuses to start without them.
SEAL_DIR = Path(os.environ.get("EDUREG_SEAL_DIR", VAR_DIR / "seal"))
SEAL_KEY_FILE = Path(os.environ.get("SEAL_KEY_FILE", SEAL_DIR / "seal.key.pem"))
SEAL_CERT_FILE = Path(os.environ.get("SEAL_CERT_FILE", SEAL_DIR / "seal.cert.pem"))
SEAL_CHAIN_FILE = Path(os.environ.get("SEAL_CHAIN_FILE", SEAL_DIR / "ca.cert.pem"))
# The roots the verification page trusts when it validates an uploaded PDF's seal.
SEAL_TRUST_ROOTS = env_list("SEAL_TRUST_ROOTS", str(SEAL_CHAIN_FILE))
SEAL_KEY_PASSPHRASE = os.environ.get("SEAL_KEY_PASSPHRASE", "")
if PRODUCTION and not SEAL_KEY_FILE.exists():
    raise ImproperlyConfigured(f"Refusing to start in production: no seal key at {SEAL_KEY_FILE}")
# The inbound feeds' local file drop (exchange.feeds.base.FileDropSource): a directory per feed
# (population, foreigners, exam-centre, loans, support), each with incoming/, processed/, failed/.
FEEDS_DROP_DIR = Path(os.environ.get("FEEDS_DROP_DIR", VAR_DIR / "feeds"))

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["edureg.access.api.permissions.IsSignedInOrSystemClient"],
    # JSON only, bounded in size and depth, with text the register can store (core.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["edureg.core.api.parsers.RegisterJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "edureg.core.api.schema.RegisterAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "edureg.core.api.pagination.StableCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "edureg.core.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "edureg API",
    "DESCRIPTION": (
        "Education registers: institutions, people and classifiers; later the pupil, student and "
        "programme registers. Errors share one shape: status, code, message, field."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind"; name their enums after the choices classes.
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeStatusEnum": "edureg.programmes.models.ProgrammeStatus",
        "VersionStatusEnum": "edureg.programmes.models.VersionStatus",
        "ProgrammeKindEnum": "edureg.programmes.models.ProgrammeKind",
        "InstitutionKindEnum": "edureg.institutions.models.InstitutionKind",
        "RequestStatusEnum": "edureg.access.models.RequestStatus",
        "GroupKindEnum": "edureg.pupils.models.GroupKind",
        "AchievementKindEnum": "edureg.pupils.models.AchievementKind",
        "StudyStatusEnum": "edureg.students.models.StudyStatus",
        "YearEndOutcomeEnum": "edureg.pupils.year_end.Outcome",
        "DocumentStatusEnum": "edureg.credentials.models.DocumentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "edureg.core.api.schema.drop_backend_integer_bounds",
        "edureg.core.api.schema.document_api_contract",
    ],
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_SCOPES": {"read": "Read register data", "write": "Write register data"},
}

# --- Plausible dates ------------------------------------------------------------------------
# One rule set for every date the register is given (edureg.core.plausibility): not before
# PLAUSIBLE_EARLIEST_DATE; births, deaths and the like not after today; everything else not
# more than PLAUSIBLE_YEARS_AHEAD years ahead.
PLAUSIBLE_EARLIEST_DATE = dt.date.fromisoformat(
    os.environ.get("PLAUSIBLE_EARLIEST_DATE", "1900-01-01")
)
PLAUSIBLE_YEARS_AHEAD = int(os.environ.get("PLAUSIBLE_YEARS_AHEAD", "10"))

# --- Background work ----------------------------------------------------------------------
# `make run` starts the worker (`manage.py db_worker`) and the scheduler of periodic tasks
# (`manage.py run_scheduler`, edureg.core.schedule) beside the web server (scripts/serve.sh).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A file import applies its rows this many to a transaction: each chunk is committed with its
# rows' results (acknowledged) or not at all, so a killed worker loses at most one chunk's work.
IMPORT_CHUNK_ROWS = int(os.environ.get("IMPORT_CHUNK_ROWS", "500"))
# Mass-disclosure queries (exchange.queries): at most this many run at once (the others wait
# queued), each reads and writes this many rows at a time, and its result files are kept this
# many days after it finished (then a download answers 410 and the files are removed).
MASS_QUERY_CONCURRENCY = int(os.environ.get("MASS_QUERY_CONCURRENCY", "2"))
MASS_QUERY_CHUNK_ROWS = int(os.environ.get("MASS_QUERY_CHUNK_ROWS", "2000"))
MASS_QUERY_RESULT_DAYS = float(os.environ.get("MASS_QUERY_RESULT_DAYS", "3"))

# --- Audit --------------------------------------------------------------------------------
# Audit hash chains are split into shards so that concurrent writers about different people
# rarely wait on the same chain head. Changing this later only affects new rows.
AUDIT_CHAIN_SHARDS = int(os.environ.get("AUDIT_CHAIN_SHARDS", "8"))
# The organisation that runs the register: what a person is told read their data when a reader
# acted with a national role or in the back office.
REGISTER_OPERATOR_NAME = os.environ.get("REGISTER_OPERATOR_NAME", "Nacionalinė švietimo agentūra")

# The chains are witnessed outside the database (edureg.core.witness): every
# AUDIT_CHECKPOINT_MINUTES the head of every shard is signed with the agency's Ed25519 key and
# written to AUDIT_CHECKPOINT_DIR, which in production is a place the database's administrators
# cannot write. Outside production a demo key is generated on first use under var/ (never
# committed); in production AUDIT_WITNESS_KEY must name an existing key.
AUDIT_WITNESS_KEY = Path(
    os.environ.get("AUDIT_WITNESS_KEY", VAR_DIR / "witness" / "agency-ed25519.pem")
)
# Verification-only installations (an auditor's copy) set the published public key instead.
AUDIT_WITNESS_PUBLIC_KEY = os.environ.get("AUDIT_WITNESS_PUBLIC_KEY", "")
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", VAR_DIR / "checkpoints"))
AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("AUDIT_CHECKPOINT_MINUTES", "60"))

# --- Backups ------------------------------------------------------------------------------
# `manage.py backup` writes a new directory under BACKUP_DIR (edureg.core.backup).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))

# --- Citizen portal -------------------------------------------------------------------------
# Whether a citizen's "who saw my data" names the staff who read it (the policy decides; by
# default the organisation and the role are shown, not the person).
CITIZEN_SEES_STAFF_NAMES = env_bool("CITIZEN_SEES_STAFF_NAMES", False)
# The longest a citizen's share link may stay valid, in months.
SHARE_LINK_MAX_MONTHS = int(os.environ.get("SHARE_LINK_MAX_MONTHS", "6"))

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "edureg@localhost")

# --- Logging ------------------------------------------------------------------------------
# Personal codes must never reach a log: `core.logging.configure` applies LOGGING and then puts
# the redaction filter on every handler, Django's own `django.server` (runserver's request
# lines) included; gunicorn's handlers get it from gunicorn.conf.py.
LOGGING_CONFIG = "edureg.core.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_codes": {"()": "edureg.core.logging.PersonalCodeRedactionFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_personal_codes"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO; fontTools reports each font subset.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
