# walviz demo in real time, as a class sees it: 18 s of pictures taken from
# the wall clock (10 a second) while the workload runs, with keys pressed as
# a teacher would (select f3, R for a burst, Shift+P to cut f3 and heal it,
# W to pause the workload). tests/e2e/lib/frames.py reads the summary the
# demo writes beside the pictures and checks that changes are seen
# travelling: the playhead is now, never the finished future.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-demo-live.XXXXXX")
chmod 711 "$out" # the server's user passes through to its directory
export TMPDIR="$out"
parent="$out/walviz-demo.$(id -u)"
trap 'pkill -9 -f "postgres -D $parent/" 2>/dev/null || true; rm -rf "$out"' EXIT

"$WALVIZ" demo --real none --frames "$out/frames" --fps 10 --duration 18s --size 1024x768 \
    --keys 1s:3,4s:r,9s:shift+p,12.5s:shift+p,16s:w 2>"$out/err" ||
    { cat "$out/err"; echo "FAIL: walviz demo --frames failed"; exit 1; }
[ "$(ls "$out/frames" | grep -c '^frame-.*\.png$')" -eq 180 ] ||
    { ls "$out/frames" | head; echo "FAIL: expected 180 pictures"; exit 1; }
python3 "$(dirname "$0")/lib/frames.py" "$out/frames/summary.jsonl" --fps 10 \
    --burst-at 4 --cut-at 9 --heal-at 12.5 --pause-at 16
[ -z "$(pgrep -f "postgres -D $parent/")" ] || { echo "FAIL: a demo server still runs"; exit 1; }
