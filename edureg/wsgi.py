"""WSGI entry point (gunicorn edureg.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edureg.settings")
application = get_wsgi_application()
