# walviz simulate --json --failover: the loss on a shipped recording, as
# the failover lesson shows it. bank.wvr commits 739, 740 and 741 (two
# UPDATEs each) at 2.13, 2.66 and 3.20 s, while the leader is cut off from
# its standbys (2 s to 4.5 s); it fails at 3.5 s and f1 is promoted.
# Asynchronous: all three returned at their commit and are lost (3 commits,
# 6 changes). Synchronous to f1: none returned, nothing acknowledged lost.
# The later transactions commit on the new leader, 1 s (the promotion)
# later. Every sample simulates with a failover, stage times in order.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-failover-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
opts="--kind physical --latency 20ms,300ms,1.5s --partition f1@2s-4.5s --partition f2@2s-4.5s --partition f3@2s-4.5s --failover 3.5s:f1"
# shellcheck disable=SC2086
"$WALVIZ" simulate --json sample-data/bank.wvr $opts >"$out/async.json"
# shellcheck disable=SC2086
"$WALVIZ" simulate --json sample-data/bank.wvr $opts --sync-standbys 'FIRST 1 (f1)' >"$out/sync.json"
python3 - "$out" <<'PY' || { echo "FAIL: the loss in simulate --json"; exit 1; }
import json, sys
def load(name):
    return [json.loads(l) for l in open("%s/%s.json" % (sys.argv[1], name))]
for name, acked in (("async", True), ("sync", False)):
    objs = load(name)
    fo = [o for o in objs if o["type"] == "failover"]
    assert len(fo) == 1, (name, fo)
    fo = fo[0]
    assert fo["at_ms"] == 3500 and fo["promoted"] == "f1" and fo["promoted_ms"] == 4500, fo
    assert [l["xid"] for l in fo["lost"]] == [739, 740, 741], fo["lost"]
    assert [l["changes"] for l in fo["lost"]] == [2, 2, 2], fo["lost"]
    assert all(l["acknowledged"] == acked for l in fo["lost"]), fo["lost"]
    n = 3 if acked else 0
    assert (fo["acknowledged_lost_commits"], fo["acknowledged_lost_changes"]) == (n, 2 * n), fo
    assert (fo["unacknowledged_lost_commits"], fo["unacknowledged_lost_changes"]) == (3 - n, 6 - 2 * n), fo
    assert fo["diverged"] == [], fo
    txns = {o["xid"]: o for o in objs if o["type"] == "transaction"}
    assert [x for x, o in txns.items() if o["lost"]] == [739, 740, 741], txns
    for x in (739, 740, 741):
        assert (txns[x]["ack_ms"] == txns[x]["commit_ms"]) if acked else txns[x]["ack_ms"] is None, txns[x]
    # 743 was recorded at 4.26 s: on the new leader 1 s later, at once
    assert abs(txns[743]["commit_ms"] - 5257.705) < 0.01 and txns[743]["ack_ms"] == txns[743]["commit_ms"], txns[743]
PY
for f in sample-data/*.wvr; do
    "$WALVIZ" simulate --json "$f" --failover 1s:f2 --partition f2@0.5s-3s >"$out/s.json" 2>"$out/err" ||
        { cat "$out/err"; echo "FAIL: $f does not simulate with a failover"; exit 1; }
    python3 - "$out/s.json" <<'PY' || { echo "FAIL: $f: stage times out of order after a failover"; exit 1; }
import json, sys
last = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] != "message":
        continue
    for k in ("sent_ms", "written_ms", "flushed_ms", "applied_ms"):
        v = o[k] if o[k] is not None else float("inf")
        key = (o["follower"], k)
        assert v >= last.get(key, float("-inf")), (o["index"], o["follower"], k, v, last.get(key))
        last[key] = v
PY
done
rc=0
"$WALVIZ" simulate sample-data/bank.wvr --failover 3s:f9 2>"$out/err" >/dev/null || rc=$?
[ "$rc" -ne 0 ] && grep -q "'f9' is not a follower" "$out/err" || { cat "$out/err"; echo "FAIL: --failover 3s:f9: $rc"; exit 1; }
echo "ok: 3 commits, 6 changes acknowledged and lost asynchronously, none synchronously; every sample in order"
