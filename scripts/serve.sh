#!/usr/bin/env bash
# Serve edureg as `make run` does: the web UI and API, the background worker (django-tasks,
# database backend) and the scheduler of periodic tasks, stopped together.
#
#   scripts/serve.sh PYTHON HOST:PORT
set -euo pipefail
py="$1"
address="$2"

# DEBUG off, as a served register runs: branded error pages instead of Django's debug page,
# which lists every URL. Demo mode stays on (settings). `DEBUG=1 make run` turns it back on.
export DEBUG="${DEBUG:-0}"

pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# --no-reload: with DEBUG on, the worker would otherwise run in a child of an autoreloader, which
# a stop leaves running.
"$py" manage.py db_worker --no-startup-delay --no-reload &
pids+=($!)
"$py" manage.py run_scheduler &
pids+=($!)
# --noreload: the worker and scheduler are separate processes; the autoreloader would leave
# them running old code while only the web server restarts.
"$py" manage.py runserver --noreload "$address"
