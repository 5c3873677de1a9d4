#!/usr/bin/env bash
# Run a command against a private, throw-away PostgreSQL server.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# Installs the server with apt when it is missing, creates a cluster under var/pg-<pid>,
# starts it on a free loopback port, exports DATABASE_URL for COMMAND, and stops and removes
# the cluster afterwards, also when COMMAND fails. PostgreSQL refuses to run as root, so as
# root the cluster belongs to the unprivileged `postgres` user and is driven with runuser.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

find_pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/postgres" ]]; then
        echo "$dir"
    fi
}

pg_bin="$(find_pg_bin)"
if [[ -z "$pg_bin" ]]; then
    echo "PostgreSQL server not found; installing it with apt" >&2
    if [[ "$(id -u)" -ne 0 ]]; then sudo=sudo; else sudo=; fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(find_pg_bin)"
    [[ -n "$pg_bin" ]] || { echo "PostgreSQL installation failed" >&2; exit 1; }
fi

mkdir -p "$here/var"
cluster="$here/var/pg-$$"
if [[ "$(id -u)" -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap cleanup EXIT INT TERM

mkdir -p "$cluster"
if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$cluster"; fi
chmod 700 "$cluster"
"${as_pg[@]}" "$pg_bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# Durability settings are off: this server holds only throw-away test and benchmark data.
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_EXTRA_OPTS:-}" \
    start >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/edureg"
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres edureg
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (cluster $cluster)" >&2

set +e
"$@"
status=$?
set -e
exit $status
