#!/bin/sh
# walviz live --observe against a real physical standby (through walviz
# link, 100 ms each way) and a real logical subscriber: both are found
# through the primary and sampled directly too; the recording holds their
# samples; every replay position used is a recorded COMMIT's; a cut of the
# standby's link holds it back and the heal lets it catch up; the real
# standby and a simulated one with the same link agree per stage; the
# replay shows both real lanes, marked real.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/realnodes.sh"
cleanup_more() { realnodes_cleanup; }

q "CREATE TABLE obs (id serial PRIMARY KEY, v text)"
make_standby 100ms
make_subscriber "CREATE TABLE obs (id serial PRIMARY KEY, v text)" obs

rec="$e2e_work/obs.wvr"
"$WALVIZ" live -d "dbname=$DB" --observe --observe "$sb_name=host=$sb dbname=postgres" \
    --observe "$sub_name=host=$subdir dbname=$DB" --followers 1 --names sim --kind physical \
    --latency 100ms --jitter 0 --record "$rec" --frames "$e2e_work/frames" --fps 2 --duration 8s \
    --size 1024x768 --keys 7s:2 2>"$e2e_work/err" &
pid=$!
e2e_pids="$pid"
wait_until 15 walviz_slot_active || { cat "$e2e_work/err"; fail "no walviz slot streams"; }
now_us() { python3 -c 'import time; print(int(time.time() * 1e6))'; }
i=0
insert() {
    i=$((i + 1))
    q "INSERT INTO obs (v) VALUES ('r') RETURNING pg_current_wal_insert_lsn()" | head -n 1
}
for k in $(seq 20); do insert >/dev/null; sleep 0.1; done
# the cut: the standby's replay stops, the relay holding its WAL
cut_us=$(now_us)
kill -USR1 "$link_pid"
wait_until 2 "grep -q 'link: cut' '$link_log'" || fail "the relay did not say cut"
cut_lsn=$(insert)
for k in $(seq 8); do insert >/dev/null; sleep 0.1; done
[ "$(psql -X -At -h "$sb" -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$cut_lsn'")" = f ] ||
    fail "the standby replayed through the cut"
heal_us=$(now_us)
kill -USR2 "$link_pid"
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 200 ]; do insert >/dev/null; sleep 0.1; done
wait "$pid" || { cat "$e2e_work/err"; fail "walviz live --observe failed"; }
e2e_pids=""

"$WALVIZ" simulate --followers 1 --names sim --kind physical --latency 100ms --jitter 0 --json "$rec" >"$e2e_work/sim.jsonl" || fail "walviz simulate cannot read the recording"
python3 "$(dirname "$0")/lib/observe_check.py" "$rec" "$e2e_work/sim.jsonl" "$sb_name" "$sub_name" \
    "$cut_us" "$heal_us" "$cut_lsn" >"$e2e_work/check" || { cat "$e2e_work/check"; fail "the samples"; }
while read -r line; do note "$line"; done <"$e2e_work/check"

# the replay draws both real lanes, told apart from the simulated one
for size in 1024x768 1920x1080; do
    "$WALVIZ" replay "$rec" --dump-scene "$e2e_work/scene.json" --at 2s --size "$size" ||
        fail "walviz replay cannot draw the recording"
    python3 - "$e2e_work/scene.json" "$sb_name" "$sub_name" <<'PY' || fail "the real lanes at $size"
import json, sys
d = json.load(open(sys.argv[1]))
texts = [t["text"] for t in d["texts"]]
real = [t for t in d["texts"] if t["role"] == "follower.real"]
assert len(real) == 2, "expected 2 'real' badges, found %d" % len(real)
assert "real standby \u00b7 positions as sampled" in texts, "no real standby lane"
assert "real subscriber \u00b7 positions as sampled" in texts, "no real subscriber lane"
assert not any(t.startswith("real") for t in texts if "sim" in t), "the simulated lane is marked real"
PY
done
note "the replay draws both real lanes at 1024x768 and 1920x1080"

# Only a direct connection to the standby (no --observe alone): one lane,
# still placed by the primary's view of it as well as its own.
rec2="$e2e_work/direct.wvr"
"$WALVIZ" live -d "dbname=$DB" --observe "$sb_name=host=$sb dbname=postgres" --followers 1 --record "$rec2" \
    --screenshot "$e2e_work/direct.png" --at 3s 2>"$e2e_work/err2" &
pid=$!
e2e_pids="$pid"
wait_until 15 walviz_slot_active || { cat "$e2e_work/err2"; fail "no walviz slot streams (direct)"; }
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 400 ]; do insert >/dev/null; sleep 0.1; done
wait "$pid" || { cat "$e2e_work/err2"; fail "walviz live --observe NAME=CONNINFO failed"; }
e2e_pids=""
grep -q "^# real-nodes: $sb_name:physical:direct\$" "$rec2" || fail "the recording does not name the one direct node"
"$WALVIZ" simulate --json "$rec2" >"$e2e_work/sim2.jsonl" || fail "walviz simulate cannot read the direct recording"
placed=$(grep '"op":"COMMIT"' "$e2e_work/sim2.jsonl" | grep "\"follower\":\"$sb_name\"" | grep -vc '"applied_ms":null')
[ "$placed" -ge 5 ] || fail "only $placed COMMITs placed on the directly observed standby"
note "observed directly only, the standby's lane placed $placed COMMITs"

# A node that connects after walviz started: the subscription is enabled
# 2 s into the session; its lane joins, the recording says when
# (#realnode), and its COMMITs from then on are placed.
psql -X -q -h "$subdir" -d "$DB" -c "ALTER SUBSCRIPTION $sub_name DISABLE" >/dev/null || fail "cannot disable the subscription"
wait_until 20 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_stat_replication WHERE application_name = '$sub_name'\")\" ]" ||
    fail "the disabled subscription still streams"
rec3="$e2e_work/late.wvr"
"$WALVIZ" live -d "dbname=$DB" --observe --followers 1 --record "$rec3" --frames "$e2e_work/late" --fps 1 \
    --duration 6s --size 1024x768 2>"$e2e_work/err3" &
pid=$!
e2e_pids="$pid"
wait_until 15 walviz_slot_active || { cat "$e2e_work/err3"; fail "no walviz slot streams (late)"; }
for k in $(seq 10); do insert >/dev/null; sleep 0.1; done
psql -X -q -h "$subdir" -d "$DB" -c "ALTER SUBSCRIPTION $sub_name ENABLE" >/dev/null || fail "cannot enable the subscription"
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 600 ]; do insert >/dev/null; sleep 0.1; done
wait "$pid" || { cat "$e2e_work/err3"; fail "walviz live --observe with a late subscriber failed"; }
e2e_pids=""
grep -q "$sub_name connected to the primary: drawn as a real subscriber" "$e2e_work/err3" ||
    { cat "$e2e_work/err3"; fail "walviz did not say the subscriber joined"; }
grep -q "^#realnode	$sub_name	kind=logical	at=" "$rec3" || fail "the recording does not say the subscriber joined"
"$WALVIZ" simulate --json "$rec3" >"$e2e_work/sim3.jsonl" || fail "walviz simulate cannot read the late recording"
placed=$(grep '"op":"COMMIT"' "$e2e_work/sim3.jsonl" | grep "\"follower\":\"$sub_name\"" | grep -vc '"applied_ms":null')
[ "$placed" -ge 5 ] || fail "only $placed COMMITs placed on the subscriber that joined later"
last=$(tail -n 1 "$e2e_work/late/summary.jsonl")
echo "$last" | grep -q "\"name\":\"$sub_name\"" || fail "the live picture has no lane for the late subscriber: $last"
note "a subscriber enabled 2 s in joined the live picture and the recording; $placed of its COMMITs placed"
