# Sharding on a recording from a real server (sample-data/shards.wvr, made
# by scripts/samples/shards.sh): `walviz simulate --json --shard-by` says
# which messages each shard gets, and the rows each holds at the end add
# up to the leader's. Numbers worked out by hand from the workload:
# accounts 1..6 in one transaction, transfers 1->2, 4->1, 6->5, a deposit
# to 3, account 7; branches (no id) on every shard.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-shards-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$WALVIZ" simulate --json sample-data/shards.wvr --followers 4 --shard-by 'id % 3' >"$out/s.json"
python3 - "$out/s.json" <<'PY' || { echo "FAIL: shards as simulated"; exit 1; }
import json, sys
rows, gets = {}, {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "rows":
        rows[o["node"]] = o
    elif o["type"] == "message":
        gets.setdefault(o["follower"], 0)
        gets[o["follower"]] += o["gets"]
        if not o["gets"]:
            assert o["sent_ms"] is None and o["applied_ms"] is None, o
# f1 (id % 3 = 0): branches 4, 728 with ids 3 and 6: 4, the deposit to 3: 3,
# 733's id 6: 3 = 14; f2 (= 1): 4 + 4 + 3 (729's id 1) + 4 (731) + 3 (732)
# = 18; f3 (= 2): 4 + 4 + 3 (729's id 2) + 3 (733's id 5) = 14; f4 all 30
assert gets == {"f1": 14, "f2": 18, "f3": 14, "f4": 30}, gets
assert [rows[f]["messages"] for f in ("f1", "f2", "f3")] == [14, 18, 14], rows
assert rows["f1"]["row_filter"] == "(id % 3 = 0)", rows["f1"]
# {3, 6}, {1, 4, 7}, {2, 5}: 2 + 3 + 2 = the leader's 7; f4 a full copy
assert [rows[f]["count"]["accounts"] for f in ("f1", "f2", "f3")] == [2, 3, 2], rows
assert rows["leader"]["count"] == {"branches": 2, "accounts": 7} == rows["f4"]["count"], rows
assert all(rows[f]["count"]["branches"] == 2 for f in ("f1", "f2", "f3")), rows
PY
# a view gathered from the shards ends equal to the leader's: 7 accounts,
# 2200.00 (100 * (1 + ... + 6) + 70, transfers moving money around)
"$WALVIZ" simulate --json sample-data/shards.wvr --followers 4 --shard-by 'id % 3' \
    --view 'SELECT count(*), sum(balance) FROM accounts' >"$out/v.json"
python3 - "$out/v.json" <<'PY' || { echo "FAIL: the view gathered from the shards"; exit 1; }
import json, sys
last = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "view":
        last[o["node"]] = o
assert last["shards"]["answer"] == last["leader"]["answer"] == "7, 2200.00", last
assert not last["shards"]["stale"], last["shards"]
# the shards' parts: {3, 6} 330 + 500, {1, 4, 7} 75 + 375 + 70, {2, 5} 250 + 600
assert [last[f]["answer"] for f in ("f1", "f2", "f3")] == ["2, 830.00", "3, 520.00", "2, 850.00"], last
PY
# the summary names each shard's filter; a bad option is a usage error (2)
"$WALVIZ" simulate sample-data/shards.wvr --shard-by 'id % 3' | grep -q 'f2 is a shard: row filter (id % 3 = 1), 18 of 30 messages' ||
    { echo "FAIL: the summary does not name the shards"; exit 1; }
rc=0
"$WALVIZ" simulate sample-data/shards.wvr --shard-by 'id % 4' 2>"$out/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'asks for 4 shards, but there are 3 followers' "$out/err" ||
    { cat "$out/err"; echo "FAIL: 4 shards of 3 followers: exit $rc"; exit 1; }
echo "ok: each shard gets its part, and the shards' rows add up to the leader's"
