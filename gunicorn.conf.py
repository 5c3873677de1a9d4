"""gunicorn's configuration for edureg (read from the working directory: `gunicorn edureg.wsgi`).

The access log is on, and every gunicorn log line — error and access — passes the filter that
replaces personal codes (`edureg.core.logging.RedactingGunicornLogger`), so that a code that
reaches a request line never reaches a log. Other settings (workers, bind) come from the
command line or GUNICORN_CMD_ARGS.
"""

wsgi_app = "edureg.wsgi:application"
logger_class = "edureg.core.logging.RedactingGunicornLogger"
accesslog = "-"
