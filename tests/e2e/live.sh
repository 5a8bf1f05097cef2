# walviz live, headless: streams a real slot into the simulation while a
# workload runs, writes the picture and a recording of the same stream,
# and leaves no slot behind.
. "$(dirname "$0")/lib/common.sh"

q "CREATE TABLE live_rows (id int PRIMARY KEY, v text)"
"$WALVIZ" live -d "dbname=$DB" --screenshot "$e2e_work/live.png" --at 3s --size 1280x720 \
    --record "$e2e_work/live.wvr" 2>"$e2e_work/err" &
pid=$!
e2e_pids="$pid"
wait_until 10 walviz_slot_active || { cat "$e2e_work/err"; fail "no walviz slot streams 10 s after starting walviz live"; }
insert_while_running "$pid" live_rows 60
wait "$pid" || { cat "$e2e_work/err"; fail "walviz live --screenshot failed"; }
e2e_pids=""
[ -s "$e2e_work/live.png" ] || fail "no picture"
sig=$(od -An -tx1 -N8 "$e2e_work/live.png" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "live.png is not a PNG"
# the recording holds what was streamed: whole transactions of our rows
"$WALVIZ" decode --parse-only "$e2e_work/live.wvr" >"$e2e_work/decoded" ||
    fail "the recording does not decode: $(cat "$e2e_work/decoded")"
inserts=$("$WALVIZ" decode "$e2e_work/live.wvr" | grep -c '"op":"INSERT","lsn":"[^"]*","xid":[0-9]*,"schema":"public","table":"live_rows"')
[ "$inserts" -ge 10 ] || fail "expected at least 10 INSERTs of live_rows in the recording, found $inserts"
# the temporary slot went with the connection
wait_until 10 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_replication_slots WHERE database = '$DB'\")\" ]" ||
    fail "a slot of $DB is left after walviz live exited"
note "picture written, $inserts rows recorded, no slot left"

# In real time, as the window shows it: pictures from the live edge while
# rows keep coming, each change seen travelling before it arrives.
"$WALVIZ" live -d "dbname=$DB" --frames "$e2e_work/frames" --fps 10 --duration 4s \
    --size 1024x768 2>"$e2e_work/err2" &
pid=$!
e2e_pids="$pid"
wait_until 10 walviz_slot_active || { cat "$e2e_work/err2"; fail "walviz live --frames did not stream"; }
insert_while_running "$pid" live_rows 400
wait "$pid" || { cat "$e2e_work/err2"; fail "walviz live --frames failed"; }
e2e_pids=""
python3 "$(dirname "$0")/lib/frames.py" "$e2e_work/frames/summary.jsonl" --fps 10 ||
    fail "the live pictures did not show changes travelling"
note "40 pictures in real time"
