# Shared by the tests/e2e/record_*.sh scripts (sourced, not run: tests/run
# runs only tests/e2e/*.sh). Needs what tests/run exports: PGHOST PGPORT
# PGUSER PGDATABASE WV_PGDATA WV_PGBIN WALVIZ.
set -u
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
: "${WV_PGDATA:?run through tests/run, or export WV_PGDATA}"
: "${WV_PGBIN:?run through tests/run, or export WV_PGBIN}"

e2e_lib=$(cd "$(dirname "$0")/lib" && pwd)
e2e_name=$(basename "$0" .sh)

fail() {
    echo "FAIL ($e2e_name): $*" >&2
    exit 1
}

note() {
    echo "$e2e_name: $*"
}

# PostgreSQL refuses root: as root, server programs run as `postgres`.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pgctl() {
    as_pg "$WV_PGBIN/pg_ctl" -D "$WV_PGDATA" "$@"
}

# Where tests/pg/cluster sends the server's log; pg_ctl restart must be told
# again, or the server keeps our stdout open.
pg_log="$(dirname "$WV_PGDATA")/server.log"

# Makes sure the server runs (for traps of scripts that restart it).
ensure_server() {
    pgctl status >/dev/null 2>&1 || pgctl start -w -t 60 -l "$pg_log" >/dev/null
}

# The session settings walviz gives its walsender, so that values print the
# same in an ordinary session (pg_logical_slot_peek_changes).
WV_SESSION="-c datestyle=ISO -c timezone=UTC -c intervalstyle=postgres -c bytea_output=hex -c extra_float_digits=3 -c search_path="

# q SQL: one query in the test database, unaligned, tuples only.
q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# wait_until SECONDS SHELL-CONDITION: polls every 0.1 s.
wait_until() {
    _deadline=$(($(date +%s) + $1))
    while ! eval "$2"; do
        [ "$(date +%s)" -ge "$_deadline" ] && return 1
        sleep 0.1
    done
    return 0
}

# walviz_slot_active: a temporary walviz slot of this test's database streams.
walviz_slot_active() {
    [ -n "$(psql -X -At -d postgres -c "SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'walviz\\_%' AND database = '$DB' AND active")" ]
}

# fill_until_exit PID: once PID's temporary slot streams, writes rows (and
# so WAL) until PID exits, for runs that end at an -E ahead of the server.
# Fails after 20 s.
fill_until_exit() {
    q "CREATE TABLE IF NOT EXISTS e2e_fill (id serial PRIMARY KEY, v text)" 2>/dev/null
    wait_until 10 "walviz_slot_active || ! kill -0 $1 2>/dev/null" ||
        fail "no walviz slot streams 10 s after starting walviz"
    _n=0
    while kill -0 "$1" 2>/dev/null; do
        [ "$_n" -lt 400 ] || fail "walviz did not end at its end position in 20 s"
        q "INSERT INTO e2e_fill (v) SELECT repeat('w', 100) FROM generate_series(1, 100)" >/dev/null
        _n=$((_n + 1))
        sleep 0.05
    done
}

# insert_while_running PID TABLE MAX: one row a tenth of a second into
# TABLE (its first column an int key, numbered on across calls) while PID
# runs, at most until the MAX-th row; a workload walviz watches live.
e2e_row=0
insert_while_running() {
    while kill -0 "$1" 2>/dev/null && [ "$e2e_row" -lt "$3" ]; do
        e2e_row=$((e2e_row + 1))
        q "INSERT INTO $2 VALUES ($e2e_row)" >/dev/null
        sleep 0.1
    done
}

# A database of this test's own; e2e_cleanup drops it with its slots.
# Scripts with more to undo define cleanup_more, which runs first.
DB="wv_${e2e_name}_$$"
e2e_pids=""
e2e_work=$(mktemp -d -t walviz-e2e.XXXXXX)

e2e_cleanup() {
    rc=$?
    trap - EXIT INT TERM
    if command -v cleanup_more >/dev/null 2>&1; then cleanup_more; fi
    for p in $e2e_pids; do kill -9 "$p" 2>/dev/null; done
    for p in $e2e_pids; do wait "$p" 2>/dev/null; done
    # A slot is dropped only once its walsender is gone; give it a moment.
    wait_until 10 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_replication_slots WHERE database = '$DB' AND active\" 2>/dev/null)\" ]" ||
        echo "$e2e_name: a slot of $DB stayed active" >&2
    psql -X -q -At -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$DB'" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$e2e_work"
    exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$DB\"" >/dev/null ||
    fail "could not create database $DB (is the server up?)"
