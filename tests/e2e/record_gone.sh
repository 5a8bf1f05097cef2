#!/bin/sh
# A permanent slot dropped under walviz record, or its role losing
# REPLICATION, cannot heal by waiting: walviz says why and exits 1 after a
# few tries (it used to back off to 30 s and retry for ever, and hinted
# "create it with --create-slot" although that was given). A connection
# that can heal (the walsender terminated) is still resumed.
. "$(dirname "$0")/lib/common.sh"

role="gone_role_$$"
cleanup_more() {
    ensure_server
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
}
q "CREATE TABLE g (id serial PRIMARY KEY, v text)"
psql -X -q -d postgres -c "CREATE ROLE $role LOGIN REPLICATION" || fail "could not create role $role"

# start NAME ARGS...: walviz record on a permanent slot NAME, streaming.
start() {
    name=$1
    shift
    "$WALVIZ" record -d "$DB" -S "$name" --create-slot -s 1 -f "$e2e_work/$name.wvr" "$@" \
        2>"$e2e_work/$name.err" &
    pid=$!
    e2e_pids="$e2e_pids $pid"
    wait_until 10 "[ \"\$(q \"SELECT active FROM pg_replication_slots WHERE slot_name = '$name'\")\" = t ]" ||
        { cat "$e2e_work/$name.err"; fail "$name: walviz did not stream within 10 s"; }
    q "INSERT INTO g (v) VALUES ('$name')" >/dev/null
    # on disk before anything is done to the slot: what came before it
    # must stay in the recording
    wait_until 10 "grep -q \"INSERT.*'$name'\" \"$e2e_work/$name.wvr\"" ||
        { cat "$e2e_work/$name.err"; fail "$name: the first row never reached the recording"; }
}

kick() {
    q "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '$1' AND active" >/dev/null
}

# gives_up NAME WORDS: walviz exits 1 within 20 s and says WORDS.
gives_up() {
    wait_until 20 "! kill -0 $pid 2>/dev/null" ||
        { cat "$e2e_work/$1.err"; fail "$1: walviz still retries 20 s later"; }
    wait "$pid"
    rc=$?
    [ "$rc" -eq 1 ] || { cat "$e2e_work/$1.err"; fail "$1: exit status $rc, expected 1"; }
    grep -q "$2" "$e2e_work/$1.err" || { cat "$e2e_work/$1.err"; fail "$1: no '$2' on stderr"; }
    grep -q "gave up after 3 tries" "$e2e_work/$1.err" ||
        { cat "$e2e_work/$1.err"; fail "$1: does not say it gave up"; }
    grep -q "INSERT.*'$1'" "$e2e_work/$1.wvr" || fail "$1: the recording lost what came before"
}

# 1. A terminated walsender heals: walviz resumes.
start heals
kick heals
wait_until 10 "[ \"\$(q \"SELECT active FROM pg_replication_slots WHERE slot_name = 'heals'\")\" = t ]" ||
    { cat "$e2e_work/heals.err"; fail "heals: walviz did not resume"; }
kill -INT "$pid"
wait "$pid" || { cat "$e2e_work/heals.err"; fail "heals: exit status $?"; }

# 2. The slot is dropped: terminate its walsender and drop it before
# walviz is back (it retries after half a second).
start dropped
for _ in 1 2 3 4 5 6 7 8 9 10; do
    kick dropped
    q "SELECT pg_drop_replication_slot('dropped')" >/dev/null 2>&1 && break
    sleep 0.1
done
[ -z "$(q "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'dropped'")" ] ||
    fail "dropped: could not drop the slot under walviz"
gives_up dropped "dropped while walviz read it"
grep -q "create it with --create-slot" "$e2e_work/dropped.err" && fail "dropped: hints --create-slot"

# 3. The role loses REPLICATION.
start norep -U "$role"
psql -X -q -d postgres -c "ALTER ROLE $role NOREPLICATION" || fail "could not alter role $role"
kick norep
gives_up norep "REPLICATION attribute"
# 4. A temporary slot goes with its connection (here in a crash): no
# retry, one clear sentence (it read "...the request.. The stream cannot
# resume").
"$WALVIZ" record -d "$DB" -f "$e2e_work/temp.wvr" 2>"$e2e_work/temp.err" &
pid=$!
e2e_pids="$e2e_pids $pid"
wait_until 10 walviz_slot_active || { cat "$e2e_work/temp.err"; fail "temp: walviz did not stream"; }
# A crash: libpq's sentence on it ends in a full stop.
pgctl restart -m immediate -w -t 60 -l "$pg_log" >/dev/null || fail "temp: restart failed"
wait_until 10 "! kill -0 $pid 2>/dev/null" || fail "temp: walviz still runs"
wait "$pid"
rc=$?
[ "$rc" -eq 1 ] || { cat "$e2e_work/temp.err"; fail "temp: exit status $rc, expected 1"; }
grep -q "The stream cannot resume: its temporary slot was dropped" "$e2e_work/temp.err" ||
    { cat "$e2e_work/temp.err"; fail "temp: does not say why it cannot resume"; }
grep -q '\.\.' "$e2e_work/temp.err" && { cat "$e2e_work/temp.err"; fail "temp: '..' in the message"; }
note "passed"
