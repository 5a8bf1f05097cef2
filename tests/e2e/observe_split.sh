#!/bin/sh
# walviz reads a directly observed node's answer over several polls when
# its statements arrive apart (a real server's larger answers do): a fake
# node (lib/fake_node.py) sends each statement's result in its own packet.
# Each row read is filed under its own table and key, with the values the
# node sent, and the node's positions are read from its own result only.
. "$(dirname "$0")/lib/common.sh"
cleanup_more() { [ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null; }

python3 "$e2e_lib/fake_node.py" "$e2e_work/port" 2>"$e2e_work/fake.err" &
fake_pid=$!
wait_until 5 "[ -s '$e2e_work/port' ]" || fail "the fake node did not start: $(cat "$e2e_work/fake.err")"
q "CREATE TABLE acct (id int PRIMARY KEY, v text)"
q "CREATE TABLE shop (id int PRIMARY KEY, v text)"
rec="$e2e_work/split.wvr"
"$WALVIZ" live -d "dbname=$DB" --observe "fake=host=127.0.0.1 port=$(cat "$e2e_work/port") dbname=x user=x" \
    --followers 1 --record "$rec" --screenshot "$e2e_work/split.png" --at 3s 2>"$e2e_work/err" &
pid=$!
e2e_pids="$pid"
wait_until 15 walviz_slot_active || { cat "$e2e_work/err"; fail "no walviz slot streams"; }
n=0
while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 100 ]; do
    n=$((n + 1))
    q "INSERT INTO acct VALUES ($n, 'a'); INSERT INTO shop VALUES ($n, 's')" >/dev/null
    sleep 0.1
done
wait "$pid" || { cat "$e2e_work/err"; fail "walviz live failed"; }
e2e_pids=""
python3 - "$rec" <<'PY' || fail "the rows read from the fake node"
import sys
rows, own = {}, []
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "#realrow" and f[1] == "fake":
        table, key = f[3][len("table="):], f[4][len("key="):].replace("%3D", "=")
        cells = dict(c.split("=", 1) for c in f[5:])
        assert key == "id=" + cells["id"] and cells["v"] == "fake-" + cells["id"], (table, key, cells)
        rows.setdefault(table, set()).add(cells["id"])
    elif f[0] == "#real" and f[1] == "fake" and "view=own" in f:
        own.append(line)
assert set(rows) == {"acct", "shop"}, "rows read from tables %s" % sorted(rows)
assert min(len(v) for v in rows.values()) >= 5, "rows read: %s" % {t: len(v) for t, v in rows.items()}
assert len(own) == 1, "the node's positions changed %d times, it always said the same: %s" % (len(own), own[:3])
print("observe_split: %d rows of acct and %d of shop read, each under its own table and key; the positions "
      "sampled once, as the node said" % (len(rows["acct"]), len(rows["shop"])))
PY
