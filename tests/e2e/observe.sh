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
# names and values that need quoting, read back from the standby; the
# subscriber has no such table (walviz says so once, and stops asking)
q 'CREATE TABLE "Odd ""name""" (k text PRIMARY KEY, n int)'
make_standby 100ms
make_subscriber "CREATE TABLE obs (id serial PRIMARY KEY, v text)" obs

# live_bg ERR ARGS...: walviz live on $DB in the background (pid, its
# stderr in ERR), once its slot streams.
live_bg() {
    err=$1
    shift
    "$WALVIZ" live -d "dbname=$DB" "$@" 2>"$err" &
    pid=$!
    e2e_pids="$pid"
    wait_until 15 walviz_slot_active || { cat "$err"; fail "no walviz slot streams: walviz live $*"; }
}
now_us() { python3 -c 'import time; print(int(time.time() * 1e6))'; }
i=0
insert() {
    i=$((i + 1))
    q "INSERT INTO obs (v) VALUES ('r') RETURNING pg_current_wal_insert_lsn()" | head -n 1
}
# live_end LIMIT WHAT: inserts until walviz ends (at most LIMIT rows in all),
# then checks it succeeded.
live_end() {
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt "$1" ]; do insert >/dev/null; sleep 0.1; done
    wait "$pid" || { cat "$err"; fail "walviz live $2 failed"; }
    e2e_pids=""
}
# placed REC NODE: how many COMMITs of the recording REC NODE's lane places
placed() {
    "$WALVIZ" simulate --json "$1" >"$e2e_work/placed.jsonl" || fail "walviz simulate cannot read $1"
    grep '"op":"COMMIT"' "$e2e_work/placed.jsonl" | grep "\"follower\":\"$2\"" | grep -vc '"applied_ms":null'
}

rec="$e2e_work/obs.wvr"
live_bg "$e2e_work/err" --observe --observe "$sb_name=host=$sb dbname=$DB" \
    --observe "$sub_name=host=$subdir dbname=$DB" --followers 1 --names sim --kind physical \
    --latency 100ms --jitter 0 --record "$rec" --frames "$e2e_work/frames" --fps 2 --duration 8s \
    --size 1024x768 --keys 7s:2
q "INSERT INTO \"Odd \"\"name\"\"\" VALUES (E'it''s a \\\\ test', 1)"
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
live_end 200 --observe

python3 - "$rec" "$sb_name" <<'PY' || fail "the row with quotes, read from the standby"
import sys
want = ('table=Odd "name"', "key=k%3Dit's a \\ test", "k=it's a \\ test", "n=1")
got = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.startswith("#realrow\t" + sys.argv[2] + "\t")]
assert any(all(w in f for w in want) for f in got), "no read of it: %s" % [f for f in got if "Odd" in f[3]]
PY
grep -q "not reading Odd \"name\" on $sub_name: ERROR:  relation" "$e2e_work/err" ||
    { cat "$e2e_work/err"; fail "walviz did not say why it does not read the subscriber's table"; }
[ "$(grep -c "not reading Odd" "$e2e_work/err")" -eq 1 ] || fail "walviz said more than once why it does not read a table"
note "a table and a key that need quoting read back from the standby; the subscriber's missing table said once and left"

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
live_bg "$e2e_work/err2" --observe "$sb_name=host=$sb dbname=postgres" --followers 1 --record "$rec2" \
    --screenshot "$e2e_work/direct.png" --at 3s
live_end 400 "--observe NAME=CONNINFO"
grep -q "^# real-nodes: $sb_name:physical:direct\$" "$rec2" || fail "the recording does not name the one direct node"
placed=$(placed "$rec2" "$sb_name")
[ "$placed" -ge 5 ] || fail "only $placed COMMITs placed on the directly observed standby"
note "observed directly only, the standby's lane placed $placed COMMITs"

# A node that connects after walviz started: the subscription is enabled
# 2 s into the session; its lane joins, the recording says when
# (#realnode), and its COMMITs from then on are placed.
psql -X -q -h "$subdir" -d "$DB" -c "ALTER SUBSCRIPTION $sub_name DISABLE" >/dev/null || fail "cannot disable the subscription"
wait_until 20 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_stat_replication WHERE application_name = '$sub_name'\")\" ]" ||
    fail "the disabled subscription still streams"
rec3="$e2e_work/late.wvr"
live_bg "$e2e_work/err3" --observe --followers 1 --record "$rec3" --frames "$e2e_work/late" --fps 1 \
    --duration 6s --size 1024x768
for k in $(seq 10); do insert >/dev/null; sleep 0.1; done
psql -X -q -h "$subdir" -d "$DB" -c "ALTER SUBSCRIPTION $sub_name ENABLE" >/dev/null || fail "cannot enable the subscription"
live_end 600 "--observe with a late subscriber"
grep -q "$sub_name connected to the primary: drawn as a real subscriber" "$e2e_work/err3" ||
    { cat "$e2e_work/err3"; fail "walviz did not say the subscriber joined"; }
grep -q "^#realnode	$sub_name	kind=logical	at=" "$rec3" || fail "the recording does not say the subscriber joined"
placed=$(placed "$rec3" "$sub_name")
[ "$placed" -ge 5 ] || fail "only $placed COMMITs placed on the subscriber that joined later"
last=$(tail -n 1 "$e2e_work/late/summary.jsonl")
echo "$last" | grep -q "\"name\":\"$sub_name\"" || fail "the live picture has no lane for the late subscriber: $last"
note "a subscriber enabled 2 s in joined the live picture and the recording; $placed of its COMMITs placed"

# A standby of the standby: walviz, connected to the standby directly,
# finds it in the standby's own pg_stat_replication and draws it as a lane
# "via" the standby; its COMMITs are placed.
make_cascade
rec4="$e2e_work/cascade.wvr"
live_bg "$e2e_work/err4" --observe --observe "$sb_name=host=$sb dbname=postgres" --followers 1 \
    --record "$rec4" --screenshot "$e2e_work/cascade.png" --dump-scene "$e2e_work/cascade.json" --at 4s \
    --size 1024x768
live_end 800 "--observe with a cascade"
grep -q "$cas_name connected to $sb_name: drawn as a real standby" "$e2e_work/err4" ||
    { cat "$e2e_work/err4"; fail "walviz did not say the standby of the standby joined"; }
grep -q "^#realnode	$cas_name	kind=physical	at=[0-9]*	via=$sb_name\$" "$rec4" ||
    fail "the recording does not say the cascade joined via $sb_name"
placed=$(placed "$rec4" "$cas_name")
[ "$placed" -ge 5 ] || fail "only $placed COMMITs placed on the standby of the standby"
grep -q "real standby via $sb_name" "$e2e_work/cascade.json" || fail "its lane does not say it streams via $sb_name"
note "a standby of the standby joined via $sb_name; $placed of its COMMITs placed"
