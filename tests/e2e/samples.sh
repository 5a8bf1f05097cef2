# Every sample recording decodes, simulates and replays (headless) without a
# single error, and its picture is a real PNG of the size asked for.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-samples-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
n=0
for f in sample-data/*.wvr; do
    name=$(basename "$f" .wvr)
    "$WALVIZ" decode --parse-only "$f" >"$out/$name.decode" 2>"$out/$name.err" ||
        { cat "$out/$name.err"; echo "FAIL: $f does not decode cleanly"; exit 1; }
    grep -q ' 0 errors$' "$out/$name.decode" || { echo "FAIL: $f: $(cat "$out/$name.decode")"; exit 1; }
    "$WALVIZ" simulate --json "$f" --followers 3 --partition f2@1s-2s --stop f3@1s-2s \
        --sync-standbys 'ANY 1 (f1, f2)' >"$out/$name.json" 2>"$out/$name.err" ||
        { cat "$out/$name.err"; echo "FAIL: $f does not simulate cleanly"; exit 1; }
    [ -s "$out/$name.json" ] || { echo "FAIL: $f: empty schedule"; exit 1; }
    # the schedule as docs/simulate-json.md describes it: one object per
    # (message, follower), one per committed transaction, stages in order
    real=$(sed -n 's/^# real-nodes: //p' "$f" | python3 -c 'import json, sys; print(json.dumps([n.split(":")[0] for n in sys.stdin.read().strip().split(",") if n]))')
    python3 - "$out/$name.json" "$out/$name.decode" "$real" <<'PY' || { echo "FAIL: $f: schedule not as documented"; exit 1; }
import json, sys
msgs = int(open(sys.argv[2]).read().split()[0])
per = {}
txns = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "transaction":
        txns += 1
        assert o["ack_ms"] is None or o["ack_ms"] >= o["commit_ms"], o
        continue
    if o["type"] == "walsender":
        assert o["state"] in (None, "startup", "catchup", "streaming"), o
        assert o["sync_state"] in (None, "async", "potential", "sync", "quorum"), o
        continue
    assert o["type"] == "message", o
    for k in ("index", "op", "lsn", "xid", "txn", "follower", "leader_ms", "sent_ms",
              "written_ms", "flushed_ms", "applied_ms", "known_written_ms", "known_flushed_ms",
              "known_applied_ms", "write_lag_ms", "flush_lag_ms", "replay_lag_ms", "resent"):
        assert k in o, (k, o)
    t = [o[k] for k in ("sent_ms", "written_ms", "flushed_ms", "applied_ms")]
    # sent, written, then flushed and applied in either order (a standby
    # replays what it flushed, a subscriber flushes what it applied)
    for a, b in ((0, 1), (1, 2), (1, 3)):
        assert t[b] is None or (t[a] is not None and t[a] <= t[b]), o
    assert o["leader_ms"] <= (t[0] if t[0] is not None else 1e18), o
    per.setdefault(o["follower"], 0)
    per[o["follower"]] += 1
# a recording of real nodes (real-nodes.wvr) draws them after the three
real = json.loads(sys.argv[3])
assert sorted(per) == sorted(["f1", "f2", "f3"] + real), per
assert all(n == msgs for n in per.values()), (per, msgs)
assert txns > 0
PY
    "$WALVIZ" replay "$f" --screenshot "$out/$name.png" --at 2s --size 1024x768 2>"$out/$name.err" ||
        { cat "$out/$name.err"; echo "FAIL: $f does not replay"; exit 1; }
    # PNG signature, then the IHDR width and height
    sig=$(od -An -tx1 -N8 "$out/$name.png" | tr -d ' \n')
    [ "$sig" = 89504e470d0a1a0a ] || { echo "FAIL: $name.png is not a PNG"; exit 1; }
    size=$(od -An -tu1 -j16 -N8 "$out/$name.png" | awk '{print ($3*256+$4) "x" ($7*256+$8)}')
    [ "$size" = 1024x768 ] || { echo "FAIL: $name.png is $size, not 1024x768"; exit 1; }
    n=$((n + 1))
done
[ "$n" -ge 6 ] || { echo "FAIL: expected the six samples, found $n"; exit 1; }
echo "samples: $n recordings decode, simulate and replay"
