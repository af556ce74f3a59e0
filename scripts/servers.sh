#!/usr/bin/env bash
# Sourced by scripts/test and scripts/bench: starts a throwaway PostgreSQL cluster and a
# Synapse homeserver on free loopback ports, exports their addresses for the tests
# (MAGNET_TEST_*), and stops both and removes their files when the calling script exits.
#
# Needs: python3 (3.10+) and PostgreSQL's initdb/pg_ctl (installed with apt when run as
# root). Synapse and matrix-nio are installed once into a venv under the cache dir.
#
#   MAGNET_CACHE_DIR      where the Python venv lives (default ~/.cache/magnet)
#   MAGNET_KEEP_TEST_DIR  set to 1 to keep server logs and data after the run
#   MAGNET_NO_POSTGRES    set to 1 to start Synapse only (the demo)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SYNAPSE_VERSION=1.163.2
NIO_VERSION=0.26.0
CACHE=${MAGNET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/magnet}
VENV=$CACHE/synapse-$SYNAPSE_VERSION
WORK=$(mktemp -d "${TMPDIR:-/tmp}/magnet-test.XXXXXX")
chmod 755 "$WORK"
SYNAPSE_PID=
PGDATA=

say() { echo "$(basename "$0"): $*" >&2; }

cleanup() {
    local status=$?
    if [[ -n $SYNAPSE_PID ]] && kill -0 "$SYNAPSE_PID" 2>/dev/null; then
        kill "$SYNAPSE_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SYNAPSE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SYNAPSE_PID" 2>/dev/null || true
    fi
    if [[ -n $PGDATA && -f $PGDATA/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ ${MAGNET_KEEP_TEST_DIR:-0} == 1 ]]; then
        say "kept server files in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- PostgreSQL (not for the demo: MAGNET_NO_POSTGRES=1) ---------------------------
if [[ ${MAGNET_NO_POSTGRES:-0} != 1 ]]; then
    find_pg_bin() {
        local dir
        if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
            dirname "$(command -v pg_ctl)"
            return
        fi
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return; }
        done
    }

    PG_BIN=$(find_pg_bin || true)
    if [[ -z $PG_BIN ]]; then
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
            say "PostgreSQL is not installed; installing it with apt-get"
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
            PG_BIN=$(find_pg_bin || true)
        fi
        if [[ -z $PG_BIN ]]; then
            say "PostgreSQL's initdb and pg_ctl are needed. Install them, e.g. 'sudo apt-get install postgresql', then run again."
            exit 1
        fi
    fi

    # initdb refuses to run as root: run the server as the postgres user then.
    if [[ $(id -u) == 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        as_pg() { su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; }
    else
        as_pg() { "$@"; }
    fi

    PGDATA=$WORK/pg
    mkdir -p "$PGDATA"
    [[ $(id -u) == 0 ]] && chown postgres "$PGDATA"
    PG_PORT=$(free_port)
    say "starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; exit 1; }
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || { cat "$PGDATA/server.log" >&2; exit 1; }
fi

# --- Chromium, for the report's HTML -----------------------------------------------------
find_chromium() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
if [[ ${MAGNET_NO_POSTGRES:-0} != 1 ]]; then
    CHROMIUM=$(find_chromium)
    if [[ -z $CHROMIUM ]] && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "Chromium is not installed; installing it with apt-get (for the report's HTML test)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
            || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2; } \
            || true
        CHROMIUM=$(find_chromium)
    fi
    if [[ -n $CHROMIUM ]]; then
        export MAGNET_TEST_CHROMIUM="$CHROMIUM"
    else
        say "Chromium could not be installed here (not root, or no apt-get): the report HTML test will fail and say so. Install the 'chromium' package to run it."
    fi
fi

# --- Synapse ------------------------------------------------------------------------
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c "import synapse, nio" 2>/dev/null; then
    say "installing matrix-synapse $SYNAPSE_VERSION and matrix-nio $NIO_VERSION into $VENV"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "matrix-synapse==$SYNAPSE_VERSION" "matrix-nio==$NIO_VERSION" >&2
fi

SYN_DIR=$WORK/synapse
SYN_PORT=$(free_port)
mkdir -p "$SYN_DIR"
"$VENV/bin/python" -m synapse.app.homeserver --server-name localhost --config-path "$SYN_DIR/homeserver.yaml" \
    --data-directory "$SYN_DIR" --generate-config --report-stats=no >"$SYN_DIR/generate.log" 2>&1 \
    || { cat "$SYN_DIR/generate.log" >&2; exit 1; }
"$VENV/bin/python" "$ROOT/scripts/synapse-test-config.py" "$SYN_DIR/homeserver.yaml" "$SYN_PORT"
SYN_SECRET=$("$VENV/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["registration_shared_secret"])' "$SYN_DIR/homeserver.yaml")

say "starting Synapse $SYNAPSE_VERSION on 127.0.0.1:$SYN_PORT"
(cd "$SYN_DIR" && exec "$VENV/bin/python" -m synapse.app.homeserver -c homeserver.yaml >"$SYN_DIR/stdout.log" 2>&1) &
SYNAPSE_PID=$!
if ! "$VENV/bin/python" - "$SYN_PORT" "$SYNAPSE_PID" <<'PY'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 90
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("Synapse exited during start")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_matrix/client/versions", timeout=2).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("Synapse did not answer within 90 s")
PY
then
    tail -n 50 "$SYN_DIR/stdout.log" "$SYN_DIR"/*.log >&2 || true
    exit 1
fi

export MAGNET_TEST_SERVERS=1
if [[ -n ${PG_PORT:-} ]]; then
    export MAGNET_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
fi
export MAGNET_TEST_SYNAPSE_URL="http://127.0.0.1:$SYN_PORT"
export MAGNET_TEST_SYNAPSE_SECRET="$SYN_SECRET"
export MAGNET_TEST_PYTHON="$VENV/bin/python"
say "servers ready"
