#!/bin/sh
# walviz record never destroys an existing recording before it has a stream
# to write: without --force it refuses an existing FILE; with --force a run
# that never streams (no such role, no such slot) leaves FILE as it was and
# no file beside it; a run that streams replaces FILE with a whole
# recording. Writing to a device (-f /dev/null) writes through it.
. "$(dirname "$0")/lib/common.sh"

f="$e2e_work/keep.wvr"
printf '# walviz recording v1\nprecious\n' >"$f"
cp "$f" "$e2e_work/orig"

same() {
    cmp -s "$f" "$e2e_work/orig" || fail "$1: $f changed: $(head -c 200 "$f")"
    left=$(find "$e2e_work" -name '.keep.wvr.*')
    [ -z "$left" ] || fail "$1: left a file beside it: $left"
}

timeout 30 "$WALVIZ" record -d "$DB" -f "$f" >/dev/null 2>"$e2e_work/err"
rc=$?
[ "$rc" -eq 2 ] || { cat "$e2e_work/err"; fail "an existing file: exit $rc, expected 2"; }
grep -q "keep.wvr exists.*--force" "$e2e_work/err" || { cat "$e2e_work/err"; fail "no word on the existing file"; }
same "without --force"

timeout 30 "$WALVIZ" record --force -d "dbname=$DB user=no_such_role_$$" -f "$f" >/dev/null 2>"$e2e_work/err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$e2e_work/err"; fail "no such role: exit $rc, expected 1"; }
same "--force, no such role"

timeout 30 "$WALVIZ" record --force -d "$DB" -S "no_slot_$$" -f "$f" >/dev/null 2>"$e2e_work/err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$e2e_work/err"; fail "no such slot: exit $rc, expected 1"; }
same "--force, no such slot"

# to_endpos WHAT ARGS...: walviz record ARGS up to 64 kB ahead, exit 0.
to_endpos() {
    what=$1
    shift
    E=$(q "SELECT pg_current_wal_insert_lsn() + 65536")
    "$WALVIZ" record -d "$DB" -E "$E" "$@" 2>"$e2e_work/err" &
    pid=$!
    e2e_pids="$e2e_pids $pid"
    fill_until_exit "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 0 ] || { cat "$e2e_work/err"; fail "$what: exit $rc"; }
}

# Stopped before it streams (SIGINT while a server that never answers
# keeps it connecting): the old file stays.
mkdir "$e2e_work/mute"
python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + '/.s.PGSQL.5432')
s.listen(4)
time.sleep(30)" "$e2e_work/mute" &
e2e_pids="$e2e_pids $!"
wait_until 5 "[ -S '$e2e_work/mute/.s.PGSQL.5432' ]" || fail "no mute server"
"$WALVIZ" record --force -h "$e2e_work/mute" -d "$DB" -f "$f" >/dev/null 2>"$e2e_work/err" &
pid=$!
sleep 0.5
kill -0 "$pid" 2>/dev/null || { cat "$e2e_work/err"; fail "walviz did not wait for the mute server"; }
kill -INT "$pid"
wait "$pid"
same "--force, stopped before streaming"

to_endpos "--force with a stream" --force -f "$f"
head -n 1 "$f" | grep -q '^# walviz recording v1$' || fail "the new recording has no header"
grep -q "precious" "$f" && fail "the old content survived a --force that streamed"
grep -q "INSERT" "$f" || fail "the new recording holds no INSERT"
[ -z "$(find "$e2e_work" -name '.keep.wvr.*')" ] || fail "a file was left beside the recording"

to_endpos "-f /dev/null" -f /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a device"
note "passed"
