# Views and readers through the command line: simulate --json reports each
# node's total of balances on transfers.wvr (NULL until the accounts
# arrive, then 4000.00 for good, however far behind), and every read with
# the keys docs/simulate-json.md lists; a refused view says what is
# accepted; the picture says the same as the JSON.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-views-test.XXXXXX")
trap 'rm -rf "$out"' EXIT

"$WALVIZ" simulate --json sample-data/transfers.wvr --latency 20ms,300ms,1.5s --apply 0.2ms,0.2ms,150ms \
    --partition f2@2.5s-5s --view 'SELECT sum(balance), count(*) FROM accounts' \
    --reader 'ryw accounts id=3 balance on f3' --reader 'monotonic accounts id=1 balance every 400ms' \
    >"$out/s.json" 2>"$out/err" || { cat "$out/err"; echo "FAIL: simulate with a view and readers"; exit 1; }
python3 - "$out/s.json" <<'PY' || { echo "FAIL: views and reads not as documented"; exit 1; }
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
views = [o for o in objs if o["type"] == "view"]
nodes = {}
for v in views:
    nodes.setdefault(v["node"], []).append(v["answer"])
assert sorted(nodes) == ["f1", "f2", "f3", "leader"], nodes
for node, answers in nodes.items():
    # the total never changes once the node has the accounts
    want = ["4000.00, 8"] if node == "leader" else ["NULL, 0", "4000.00, 8"]
    assert answers == want, (node, answers)
reads = [o for o in objs if o["type"] == "read"]
keys = {"type", "reader", "seq", "node", "at_ms", "query", "answer", "leader_answer", "stale", "broke"}
for r in reads:
    assert keys <= set(r), r
    assert r["broke"] in (None, "read-your-writes", "monotonic reads"), r
    assert not r["broke"] or r["stale"], r
ryw = [r for r in reads if r["reader"] == 0]
# each write of account 3 (the opening, 728, 732, 736) read back on f3 at once
assert [r["write_xid"] for r in ryw] == [726, 728, 732, 736], ryw
assert all(r["broke"] == "read-your-writes" for r in ryw), ryw
readers = [o for o in objs if o["type"] == "reader"]
assert [(o["reads"], o["broken"]) for o in readers][0] == (4, 4), readers
assert readers[1]["pattern"] == "monotonic reads" and readers[1]["broken"] >= 1, readers
PY

# refused: what is accepted, no crash
rc=0
"$WALVIZ" simulate sample-data/transfers.wvr --view 'SELECT * FROM accounts' >/dev/null 2>"$out/err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q "a view is SELECT count(\*), sum(col)" "$out/err" ||
    { cat "$out/err"; echo "FAIL: a refused view exits $rc"; exit 1; }
rc=0
"$WALVIZ" replay sample-data/transfers.wvr --reader 'accounts id=3 on f7' --screenshot "$out/x.png" 2>"$out/err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q "'f7' is not a node" "$out/err" ||
    { cat "$out/err"; echo "FAIL: a reader on no node exits $rc"; exit 1; }

# the picture: f3 behind, its total the same, the read marked
"$WALVIZ" replay sample-data/transfers.wvr --latency 20ms,300ms,1.5s --apply 0.2ms,0.2ms,150ms \
    --view 'SELECT sum(balance) FROM accounts' --reader 'accounts id=3 balance on f3 every 250ms' \
    --at 4.1s --size 1024x768 --dump-scene "$out/scene.json" --screenshot "$out/p.png"
python3 - "$out/scene.json" <<'PY' || { echo "FAIL: the view and the read are not on screen"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
answers = {t["text"] for t in d["texts"] if t["role"] == "view.answer"}
assert answers == {"leader 4000.00", "f1 4000.00", "f2 4000.00", "f3 4000.00"}, answers
read = " ".join(t["text"] for t in d["texts"] if t["role"] == "read")  # wrapped at 1024x768
assert read == "SELECT balance FROM accounts WHERE id = 3 on f3 \u2192 480.00, leader 495.00 \u00b7 stale", read
PY
echo "ok: views and reads in simulate --json and on screen; refusals explained"
