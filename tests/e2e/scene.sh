# --dump-scene: what a sample's picture says and where (docs/scene-json.md),
# for one picture and for a sequence of frames, and a clear failure when
# the file cannot be written.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-scene-test.XXXXXX")
trap 'rm -rf "$out"' EXIT

# bank.wvr after 30 steps: COMMIT 736 left the leader; f2 and f3 have not
# replayed it, so its rows are there in the version from before the
# recording (bank.wvr began after the accounts were opened).
"$WALVIZ" replay sample-data/bank.wvr --step 30 --size 1920x1080 \
    --screenshot "$out/bank.png" --dump-scene "$out/bank.json"
[ -s "$out/bank.png" ] || { echo "FAIL: no picture beside the scene"; exit 1; }
python3 - "$out/bank.json" docs/scene-json.md <<'PY' || { echo "FAIL: bank.wvr's scene is not as expected"; exit 1; }
import json, re, sys
d = json.load(open(sys.argv[1]))
documented = set(re.findall(r"^\| `([a-z_]+(?:\.[a-z_]+)?)` \|", open(sys.argv[2]).read(), re.M))
assert len(documented) > 40, documented
assert (d["width"], d["height"]) == (1920, 1080), d["width"]

def inside(box, panel):
    x, y, w, h = panel["box"]
    return x <= box[0] < x + w and y <= box[1] < y + h

def panel(kind, follower=None):
    ps = [p for p in d["panels"] if p["panel"] == kind and p["follower"] == follower]
    assert len(ps) == 1, (kind, follower, d["panels"])
    return ps[0]

def texts(role, follower="any"):
    return [t for t in d["texts"] if t["role"] == role and (follower == "any" or t["follower"] == follower)]

for t in d["texts"]:
    assert t["role"] in documented, ("undocumented role", t)
    assert len(t["box"]) == 4 and t["box"][2] > 0, t
sync = texts("leader.sync_level")
assert [t["text"] for t in sync] == ["synchronous_commit = on"], sync
assert inside(sync[0]["box"], panel("leader")), sync
for f in (2, 3):
    rows = texts("table.row_state", f)
    # the rows of the next transaction it applies first, in an older version
    assert len(rows) >= 2 and all(t["text"].endswith("(older version)") for t in rows), rows
    assert all(t.get("stale") and t["follower_name"] == "f%d" % f for t in rows), rows
    assert all(inside(t["box"], panel("follower", f)) for t in rows), rows
    assert [t["text"] for t in texts("follower.state", f)] == ["streaming"]
# after a step, the caption, the inspector and the log's marked line
# speak of the same message: the one the step was about
title = texts("inspector.title")
cap = texts("caption")
cur = [t for t in texts("log.line") if t["text"].startswith("\u25b6")]
assert len(title) == 1 and len(cap) == 1 and len(cur) == 1, (title, cap, cur)
assert title[0]["msg"] == cap[0]["msg"] == cur[0]["msg"], (title, cap, cur)
assert title[0]["text"].startswith("#%d  " % title[0]["msg"]), title
assert inside(title[0]["box"], panel("inspector")), title
assert inside(cap[0]["box"], panel("caption", cap[0]["follower"])), cap
chips = [c for c in d["chips"] if c["follower"] == 3]
assert {c["msg"] for c in chips} >= {3, 7}, d["chips"]
assert {c["stage"] for c in chips if c["msg"] == 7} == {"in_flight"}, chips
for c in d["chips"]:
    assert inside(c["box"], panel("lane", c["follower"])), c
    assert c["stage"] in ("queued", "in_flight", "waiting_fsync", "waiting_replay"), c
labels = texts("lane.label", 3)
assert any(t["text"].startswith("xid 736") for t in labels), labels
PY

# frames: a JSON beside each PNG, numbered alike, the clock moving
"$WALVIZ" replay sample-data/intro.wvr --frames "$out/frames" --fps 2 --duration 1s \
    --dump-scene "$out/frames" --size 1024x768 2>/dev/null
for i in 1 2; do
    [ -s "$out/frames/frame-0000$i.png" ] && [ -s "$out/frames/frame-0000$i.json" ] ||
        { ls "$out/frames"; echo "FAIL: frame $i lacks its PNG or its JSON"; exit 1; }
done
python3 - "$out/frames" <<'PY' || { echo "FAIL: the frames' scenes are not as expected"; exit 1; }
import json, sys
clocks = []
for i in (1, 2):
    d = json.load(open("%s/frame-%05d.json" % (sys.argv[1], i)))
    assert (d["width"], d["height"]) == (1024, 768)
    clocks += [t["text"] for t in d["texts"] if t["role"] == "header.clock"]
assert len(clocks) == 2 and clocks[0] != clocks[1], clocks
PY

# a path that cannot be written: a sentence and exit status 1
if "$WALVIZ" replay sample-data/intro.wvr --dump-scene "$out/no/such/dir/x.json" 2>"$out/err"; then
    echo "FAIL: writing into a missing directory succeeded"; exit 1
fi
grep -q "cannot write $out/no/such/dir/x.json" "$out/err" || { cat "$out/err"; echo "FAIL: no clear error"; exit 1; }
echo "scene: bank.wvr's words and boxes, frames with their JSON, write errors"
