#!/bin/sh
# With no --slot, walviz record streams from a temporary slot of its own,
# and the slot is gone once walviz is: after it ends at -E, after SIGINT,
# after SIGTERM (both exit 0 and leave a recording whose last line is
# whole and that decodes cleanly), and after SIGKILL (the server drops it
# with the dead connection).
. "$(dirname "$0")/lib/common.sh"

walviz_slots() {
    psql -X -At -F ' ' -d postgres -c "SELECT slot_name, temporary, active FROM pg_replication_slots WHERE slot_name LIKE 'walviz\\_%' AND database = '$DB'"
}

# A steady trickle of small transactions, until killed.
q "CREATE TABLE trickle (id bigserial PRIMARY KEY, v text)"
q "CREATE PROCEDURE trickle_forever() LANGUAGE plpgsql AS \$\$
BEGIN
    LOOP
        INSERT INTO trickle (v) VALUES ('tick ' || clock_timestamp());
        COMMIT;
        PERFORM pg_sleep(0.002);
    END LOOP;
END \$\$"

# start_walviz NAME [ARGS...]: walviz record into $e2e_work/NAME.wvr in the
# background; sets $pid, and waits until its slot is streaming.
start_walviz() {
    name=$1
    shift
    # No timeout(1) in between: the signals must reach walviz itself.
    "$WALVIZ" record -d "$DB" -f "$e2e_work/$name.wvr" "$@" 2>"$e2e_work/$name.err" &
    pid=$!
    e2e_pids="$e2e_pids $pid"
    wait_until 10 "walviz_slots | grep -q ' t t\$'" ||
        { cat "$e2e_work/$name.err"; fail "$name: no active temporary walviz slot after 10 s (slots: $(walviz_slots))"; }
    [ "$(walviz_slots | wc -l)" -eq 1 ] || fail "$name: expected one walviz slot, found: $(walviz_slots)"
}

slot_gone() {
    wait_until "$1" "[ -z \"\$(walviz_slots)\" ]"
}

# check_recording NAME: whole last line, decodes cleanly, holds messages.
check_recording() {
    f="$e2e_work/$1.wvr"
    [ -s "$f" ] || fail "$1: the recording is empty"
    [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
        fail "$1: the recording's last line is torn: $(tail -c 200 "$f")"
    "$WALVIZ" decode "$f" >"$e2e_work/$1.jsonl" 2>"$e2e_work/$1.decode.err" ||
        { cat "$e2e_work/$1.decode.err"; fail "$1: walviz decode rejects the recording"; }
    grep -q '"op":"INSERT"' "$e2e_work/$1.jsonl" || fail "$1: the recording holds no INSERT"
    grep -q '^# slot-kind: temporary$' "$f" || fail "$1: the header does not say slot-kind: temporary"
}

# 1. Ends by itself at -E, some way ahead of where the server is now.
E=$(q "SELECT pg_current_wal_insert_lsn() + 65536")
"$WALVIZ" record -d "$DB" -f "$e2e_work/endpos.wvr" -E "$E" 2>"$e2e_work/endpos.err" &
pid=$!
e2e_pids="$e2e_pids $pid"
fill_until_exit "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { cat "$e2e_work/endpos.err"; fail "endpos: walviz exited with $rc"; }
check_recording endpos
slot_gone 10 || fail "endpos: the temporary slot outlived walviz: $(walviz_slots)"
note "-E: exit 0, slot gone"

# 2, 3. SIGINT and SIGTERM while changes stream in.
psql -X -q -d "$DB" -c "CALL trickle_forever()" >/dev/null 2>&1 &
trickle=$!
e2e_pids="$e2e_pids $trickle"
for sig in INT TERM; do
    start_walviz "sig$sig"
    wait_until 10 "grep -q INSERT '$e2e_work/sig$sig.wvr' 2>/dev/null" ||
        fail "SIG$sig: nothing recorded after 10 s"
    kill -"$sig" "$pid"
    wait_until 10 "! kill -0 $pid 2>/dev/null" || fail "SIG$sig: walviz still runs 10 s after the signal"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 0 ] || { cat "$e2e_work/sig$sig.err"; fail "SIG$sig: walviz exited with $rc, expected 0"; }
    check_recording "sig$sig"
    slot_gone 10 || fail "SIG$sig: the temporary slot outlived walviz: $(walviz_slots)"
    note "SIG$sig: exit 0, recording whole, slot gone"
done

# 4. SIGKILL: no goodbye; the server notices the connection is gone.
start_walviz sigKILL
kill -KILL "$pid"
wait "$pid" 2>/dev/null
slot_gone 10 || fail "SIGKILL: the temporary slot is still there 10 s after walviz died: $(walviz_slots)"
note "SIGKILL: slot gone"

kill "$trickle" 2>/dev/null
note "passed"
