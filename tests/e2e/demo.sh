# walviz demo, headless: starts its own server, runs the workload, writes the
# picture and leaves nothing behind: no server process, no directory (and so
# no slot). A demo whose walviz is killed is cleaned up by the next one.
set -eu
. "$(dirname "$0")/lib/demo_dir.sh"
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; pkill -9 -f "postgres -D $parent/" 2>/dev/null || true; rm -rf "$out"' EXIT

"$WALVIZ" demo --real none --screenshot "$out/demo.png" --at 10s --size 1280x720 2>"$out/err" ||
    { cat "$out/err"; echo "FAIL: walviz demo --screenshot failed"; exit 1; }
[ -s "$out/demo.png" ] || { echo "FAIL: no picture"; exit 1; }
grep -q "server stopped and removed" "$out/err" || { cat "$out/err"; echo "FAIL: no cleanup message"; exit 1; }
[ "$(servers)" -eq 0 ] || { echo "FAIL: a demo server still runs"; exit 1; }
[ -z "$(ls -A "$parent" 2>/dev/null)" ] || { ls -la "$parent"; echo "FAIL: demo directory left behind"; exit 1; }

# Killed mid-demo: its cluster stays until the next demo removes it.
"$WALVIZ" demo --real none --screenshot "$out/killed.png" --at 60s 2>"$out/err2" &
bg=$!
for _ in $(seq 1 100); do
    [ "$(servers)" -ge 1 ] && break
    sleep 0.2
done
[ "$(servers)" -ge 1 ] || { cat "$out/err2"; echo "FAIL: the demo server never started"; exit 1; }
sleep 1
kill -9 "$bg"
wait "$bg" 2>/dev/null || true
bg=""
left=$(ls -A "$parent" | wc -l)
[ "$left" -ge 1 ] || { echo "FAIL: expected the killed demo's cluster to remain"; exit 1; }
"$WALVIZ" demo --real none --screenshot "$out/again.png" --at 2s 2>"$out/err3" ||
    { cat "$out/err3"; echo "FAIL: the next demo failed"; exit 1; }
grep -q "left behind by a walviz that was killed" "$out/err3" ||
    { cat "$out/err3"; echo "FAIL: the next demo did not clean up"; exit 1; }
[ "$(servers)" -eq 0 ] || { echo "FAIL: a demo server still runs after cleanup"; exit 1; }
[ -z "$(ls -A "$parent" 2>/dev/null)" ] || { ls -la "$parent"; echo "FAIL: directory left after cleanup"; exit 1; }
# No server binaries: the demo replays the shipped sample and says so.
WALVIZ_PG_BINDIR=/nonexistent "$WALVIZ" demo --real none --screenshot "$out/sample.png" --at 2s 2>"$out/err4" ||
    { cat "$out/err4"; echo "FAIL: the demo without a server failed"; exit 1; }
grep -q "no PostgreSQL server found; replaying .*sample-data/bank.wvr" "$out/err4" ||
    { cat "$out/err4"; echo "FAIL: the demo without a server did not say it replays a sample"; exit 1; }
[ -s "$out/sample.png" ] || { echo "FAIL: no picture from the sample"; exit 1; }
echo "demo: picture written, nothing left behind, a killed demo cleaned up, a sample without a server"
