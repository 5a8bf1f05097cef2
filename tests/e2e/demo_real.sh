# walviz demo with its real nodes: a physical standby and a logical
# subscriber, each a private cluster streaming through a relay of walviz's
# own. Says how long it takes to start; the real lanes keep up with their
# 300 ms links; and after the end of the pictures (as Q), Ctrl-C or SIGKILL
# no server or relay is left (the slots live in the demo's own clusters),
# a killed demo's servers being removed by the next demo.
set -eu
. "$(dirname "$0")/lib/demo_dir.sh"
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; pkill -9 -f "postgres -D $parent/" 2>/dev/null || true; pkill -9 -f "link --listen 127.0.0.1:0 --to unix:$parent/" 2>/dev/null || true; rm -rf "$out"' EXIT

fail() { echo "FAIL (demo_real): $*" >&2; exit 1; }
relays() { pgrep -f "link --listen 127.0.0.1:0 --to unix:$parent/" | wc -l; }
nothing_left() {
    [ "$(servers)" -eq 0 ] || fail "$1: a demo server still runs"
    [ "$(relays)" -eq 0 ] || fail "$1: a relay still runs"
    [ -z "$(ls -A "$parent" 2>/dev/null)" ] || fail "$1: the demo's directory is left"
}
# wait_ready ERRFILE: the demo says it is ready (its workload runs)
wait_ready() {
    for _ in $(seq 1 150); do
        grep -q "ready after" "$1" && return 0
        sleep 0.2
    done
    cat "$1" >&2
    fail "the demo was not ready in 30 s"
}

# The end of the pictures, as Q ends the window. On the way: 4 selects
# standby1, Shift+P cuts its relay and heals it, C makes the workload's
# COMMITs wait for it to apply (synchronous_commit on -> remote_apply).
"$WALVIZ" demo --real-latency 100ms --tps 3 --frames "$out/frames" --dump-scene "$out/frames" --fps 2 \
    --record "$out/demo.wvr" --duration 12s --size 1024x768 --keys 3s:4,4s:shift+p,6s:shift+p,7s:c 2>"$out/err" ||
    { cat "$out/err"; fail "walviz demo --frames failed"; }
ready=$(sed -n 's/.*ready after \([0-9.]*\) s.*/\1/p' "$out/err")
real=$(sed -n 's/.*real nodes streaming after \([0-9.]*\) s.*/\1/p' "$out/err")
[ -n "$ready" ] && [ -n "$real" ] || { cat "$out/err"; fail "the demo did not say how long it took"; }
echo "demo_real: ready after $ready s, of which $real s for the real standby and subscriber"
python3 - "$out/frames" "$out/demo.wvr" <<'PY' || fail "the real lanes"
import glob, json, statistics, sys
d = sys.argv[1]
frames = [json.loads(l) for l in open(d + "/summary.jsonl")]
scenes = [json.load(open(p)) for p in sorted(glob.glob(d + "/frame-*.json"))]
def by(fr):
    return {f["name"]: f for f in fr["followers"]}
def texts(sc, role):
    return [t["text"] for t in sc["texts"] if t["role"] == role]
assert {"standby1", "sub1"} <= set(by(frames[-1])), "no real lanes in %s" % sorted(by(frames[-1]))
# the cut (4 s to 6 s): standby1 applies nothing of what departs meanwhile
during = [by(f)["standby1"]["applied"] for f in frames if 4.7e6 <= f["t_us"] <= 6.0e6]
departed = [f["departed"] for f in frames if 4.7e6 <= f["t_us"] <= 6.0e6]
assert len(set(during)) == 1 and departed[-1] > departed[0], \
    "during the cut standby1 applied %s of %s departed" % (during, departed)
assert any("relay cut" in t for sc in scenes for t in texts(sc, "header.notice")), "no notice of the cut"
assert any("cut" in t for sc in scenes for t in texts(sc, "lane.status")), "the cut is not marked on the lane"
healed = [f for f in frames if 7.0e6 <= f["t_us"] <= 8.0e6]
assert any(by(f)["standby1"]["applied"] > during[0] for f in healed), "standby1 did not catch up after the heal"
# C: the workload's COMMITs wait for standby1's replay, a round trip of the relay
waits = []
for sc in scenes[-6:]:
    for t in texts(sc, "header.status"):
        if "(standby1, remote_apply)" in t:
            waits.append(float(t.split("COMMIT ")[1].split(" ms")[0]))
assert waits, "no COMMIT wait with standby1 synchronous: %s" % [texts(s, "header.status") for s in scenes[-3:]]
med = statistics.median(waits)
assert 195 <= med <= 300, "a synchronous COMMIT over 100 ms each way took %.1f ms" % med
print("demo_real: a cut held standby1 at %d applied while %d more departed; healed, it caught up"
      % (during[0], departed[-1] - departed[0]))
print("demo_real: COMMIT with remote_apply on standby1 over a 200 ms round trip: %.1f ms (the workload's psql)" % med)
# The rows read from the real nodes: each node's reads of an account go
# through the balances the leader committed, in their order (none made
# up, none going back); during the cut no row changes on standby1 while
# sub1's keep changing, and standby1's table shows cells behind.
import re
committed, pending, reads, every, epoch = {}, {}, {}, {}, None
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("#realrow\t"):
        f = line.split("\t")
        every.setdefault((f[1], f[3], f[4]), []).append(int(f[2][3:]))
        if f[3] != "table=accounts" or "absent" in f:
            continue
        cells = dict(c.split("=", 1) for c in f[5:])
        reads.setdefault((f[1], cells["id"]), []).append((int(f[2][3:]), cells["balance"]))
        continue
    if line.startswith("#"):
        continue
    fields = line.split("\t", 4)
    epoch = epoch or int(fields[3])
    m = re.match(r"table public\.accounts: UPDATE: id\[integer\]:(\d+) .* balance\[numeric\]:([0-9.]+)", fields[4])
    if m:
        pending[m.group(1)] = m.group(2)
    elif fields[4].startswith("COMMIT"):
        for k, v in pending.items():
            committed.setdefault(k, ["1000.00"]).append(v)
        pending = {}
assert {n for n, _ in reads} == {"standby1", "sub1"}, "rows read from %s" % sorted({n for n, _ in reads})
def follows(got, history):
    i = 0
    for v in got:
        while i < len(history) and history[i] != v:
            i += 1
        if i == len(history):
            return False
    return True
nreads = 0
for (node, key), got in reads.items():
    nreads += len(got)
    values = [v for _, v in got]
    assert follows(values, committed.get(key, ["1000.00"])), \
        "%s's reads of id=%s %s do not follow the leader's %s" % (node, key, values, committed.get(key))
changed = {"standby1": 0, "sub1": 0}
for (node, _, _), ats in every.items():
    changed[node] += sum(1 for at in ats[1:] if 4.5e6 <= at - epoch <= 5.9e6)
assert changed["standby1"] == 0 and changed["sub1"] > 0, "rows changed during the cut: %s" % changed
def stale_cells(fr, sc, name):
    idx = [i for i, f in enumerate(fr["followers"]) if f["name"] == name]
    return sum(1 for t in sc["texts"] if t["role"] in ("table.cell", "table.row_state")
               and t.get("follower") == idx[0] and t.get("stale")) if idx else 0
assert len(frames) == len(scenes), "%d frames, %d scenes" % (len(frames), len(scenes))
cut = [(f, s) for f, s in zip(frames, scenes) if 5.0e6 <= f["t_us"] <= 6.0e6]
stale = [stale_cells(f, s, "standby1") for f, s in cut]
assert cut and all(stale), "standby1's table during the cut: %s stale cells" % stale
print("demo_real: %d reads of accounts from standby1 and sub1, each in the leader's order; during the cut "
      "%d rows changed on sub1, none on standby1, whose table showed %s cells behind the leader's"
      % (nreads, changed["sub1"], stale))
last = by(frames[-1])
print("demo_real: at the end, applied of %d departed: standby1 %d, sub1 %d, f2 %d, f3 %d"
      % (frames[-1]["departed"], last["standby1"]["applied"], last["sub1"]["applied"], last["f2"]["applied"],
         last["f3"]["applied"]))
PY
grep -q "servers and relays stopped and removed" "$out/err" || { cat "$out/err"; fail "no cleanup message"; }
# The recording, replayed: the real lanes say their relays, standby1's is
# cut at 5 s as the key cut it, and its table shows rows read from it.
"$WALVIZ" replay "$out/demo.wvr" --at 5s --dump-scene "$out/replay5.json" --screenshot "$out/replay5.png" \
    --size 1024x768 2>"$out/err5" || { cat "$out/err5"; fail "replaying the demo's recording"; }
python3 - "$out/replay5.json" <<'PY' || fail "the replay of the demo's recording"
import json, sys
sc = json.load(open(sys.argv[1]))
links = [t["text"] for t in sc["texts"] if t["role"] == "lane.link" and "relay one way 100 ms" in t["text"]]
assert len(links) == 2, "lanes saying their relay: %s" % [t["text"] for t in sc["texts"] if t["role"] == "lane.link"]
real = sorted({t["follower"] for t in sc["texts"] if t["role"] == "follower.real"})
cut = [t["follower"] for t in sc["texts"] if t["role"] == "lane.status" and "cut" in t["text"]]
assert cut == [real[0]], "cut marked on lanes %s; the real ones are %s" % (cut, real)
cells = [t for t in sc["texts"] if t["role"] in ("table.cell", "table.row_state") and t.get("follower") == real[0]]
assert cells and not any("(not read yet)" in t["text"] for t in cells), "standby1's table: %s" % [t["text"] for t in cells]
print("demo_real: the replay at 5 s: both relays said, standby1's lane cut, its table %d cells read from it"
      % len(cells))
PY
nothing_left "after the end"

# Ctrl-C
"$WALVIZ" demo --frames "$out/frames2" --fps 1 --duration 60s --size 1024x768 2>"$out/err2" &
bg=$!
wait_ready "$out/err2"
[ "$(relays)" -eq 2 ] || fail "expected 2 relays, found $(relays)"
[ "$(servers)" -ge 3 ] || fail "expected 3 servers, found $(servers)"
kill -INT "$bg"
wait "$bg" 2>/dev/null || true
bg=""
nothing_left "after Ctrl-C"

# SIGKILL: the relays die with walviz; the next demo removes the servers.
"$WALVIZ" demo --frames "$out/frames3" --fps 1 --duration 60s --size 1024x768 2>"$out/err3" &
bg=$!
wait_ready "$out/err3"
kill -9 "$bg"
wait "$bg" 2>/dev/null || true
bg=""
for _ in $(seq 1 20); do [ "$(relays)" -eq 0 ] && break; sleep 0.1; done
[ "$(relays)" -eq 0 ] || fail "a relay outlived its killed walviz"
[ "$(servers)" -ge 3 ] || fail "expected the killed demo's 3 servers to remain, found $(servers)"
"$WALVIZ" demo --real none --screenshot "$out/again.png" --at 1s 2>"$out/err4" ||
    { cat "$out/err4"; fail "the next demo failed"; }
grep -q "left behind by a walviz that was killed" "$out/err4" || { cat "$out/err4"; fail "the next demo did not clean up"; }
nothing_left "after a SIGKILL and the next demo"
echo "demo_real: nothing left after the end, Ctrl-C, or SIGKILL and the next demo"
