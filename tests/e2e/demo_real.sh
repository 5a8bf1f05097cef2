# walviz demo with its real nodes: a physical standby and a logical
# subscriber, each a private cluster streaming through a relay of walviz's
# own. Says how long it takes to start; the real lanes keep up with their
# 300 ms links; and after the end of the pictures (as Q), Ctrl-C or SIGKILL
# no server or relay is left (the slots live in the demo's own clusters),
# a killed demo's servers being removed by the next demo.
set -eu
. "$(dirname "$0")/lib/demo_dir.sh"
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; pkill -9 -f "postgres -D $parent/" 2>/dev/null; pkill -9 -f "link --listen 127.0.0.1:0 --to unix:$parent/" 2>/dev/null; rm -rf "$out"' EXIT

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

# The end of the pictures, as Q ends the window.
"$WALVIZ" demo --frames "$out/frames" --fps 2 --duration 8s --size 1024x768 2>"$out/err" ||
    { cat "$out/err"; fail "walviz demo --frames failed"; }
ready=$(sed -n 's/.*ready after \([0-9.]*\) s.*/\1/p' "$out/err")
real=$(sed -n 's/.*real nodes streaming after \([0-9.]*\) s.*/\1/p' "$out/err")
[ -n "$ready" ] && [ -n "$real" ] || { cat "$out/err"; fail "the demo did not say how long it took"; }
echo "demo_real: ready after $ready s, of which $real s for the real standby and subscriber"
python3 - "$out/frames/summary.jsonl" <<'PY' || fail "the real lanes"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
by = {f["name"]: f for f in last["followers"]}
assert {"standby1", "sub1"} <= set(by), "no real lanes in %s" % sorted(by)
for n in ("standby1", "sub1"):
    # 300 ms away, a lane far behind f3 (1.5 s away) would be stuck
    assert by[n]["applied"] > 0 and by[n]["applied"] >= by["f3"]["applied"], \
        "%s applied %d, f3 %d, of %d departed" % (n, by[n]["applied"], by["f3"]["applied"], last["departed"])
print("demo_real: after 8 s, applied of %d departed: standby1 %d, sub1 %d, f2 %d, f3 %d"
      % (last["departed"], by["standby1"]["applied"], by["sub1"]["applied"], by["f2"]["applied"], by["f3"]["applied"]))
PY
grep -q "servers and relays stopped and removed" "$out/err" || { cat "$out/err"; fail "no cleanup message"; }
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
