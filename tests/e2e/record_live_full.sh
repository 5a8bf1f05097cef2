#!/bin/sh
# walviz live --record on a disk that is full (/dev/full): the write error
# is shown on stderr, the recording stops cleanly, and the live picture
# is still drawn (the error used to be ignored in silence).
. "$(dirname "$0")/lib/common.sh"

q "CREATE TABLE full_rows (id int PRIMARY KEY)"
"$WALVIZ" live -d "dbname=$DB" --screenshot "$e2e_work/live.png" --at 2s --record /dev/full \
    2>"$e2e_work/err" &
pid=$!
e2e_pids="$pid"
wait_until 10 walviz_slot_active || { cat "$e2e_work/err"; fail "no walviz slot streams within 10 s"; }
insert_while_running "$pid" full_rows 100
wait_until 10 "! kill -0 $pid 2>/dev/null" || fail "walviz live did not end"
grep -q "recording stopped: cannot write /dev/full: No space left on device" "$e2e_work/err" ||
    { cat "$e2e_work/err"; fail "the write error was not shown"; }
[ "$(grep -c "cannot write /dev/full" "$e2e_work/err")" -eq 1 ] ||
    { cat "$e2e_work/err"; fail "the error was shown more than once"; }
[ -s "$e2e_work/live.png" ] || fail "no picture"
note "passed"
