#!/bin/sh
# Every command's exit status says whether it did what was asked: decode,
# simulate and replay fail, with a sentence, on an empty file, garbage, a
# directory and a recording cut in its header; an empty recording is a
# session without changes (exit 0, also for simulate --json). A load stops
# on SIGINT within a second, also inside one long message that is still
# coming, and shows progress on a terminal (only there) after a second.
# Display options refuse frame counts past their caps. simulate --json
# does not hold a transaction's output in memory.
. "$(dirname "$0")/lib/common.sh"

w="$e2e_work"
: >"$w/empty"
printf 'garbage\nmore garbage\n' >"$w/garbage"
printf '# walviz recording v1\n# slo' >"$w/cut.wvr"
printf '# walviz recording v1\n# slot: s\n' >"$w/idle.wvr"

# expect STATUS WORDS -- COMMAND...: the exit status and a phrase on stderr.
expect() {
    want=$1 words=$2
    shift 3
    "$@" >"$w/out" 2>"$w/err"
    got=$?
    [ "$got" -eq "$want" ] || { cat "$w/err"; fail "$* exited $got, expected $want"; }
    [ -z "$words" ] || grep -q "$words" "$w/err" || { cat "$w/err"; fail "$*: no '$words' on stderr"; }
}

for cmd in decode simulate "replay --screenshot=$w/p.png"; do
    # shellcheck disable=SC2086
    expect 1 "empty: no messages\|empty holds no messages" -- "$WALVIZ" $cmd "$w/empty"
    # shellcheck disable=SC2086
    expect 1 "garbage:1: expected a test_decoding message" -- "$WALVIZ" $cmd "$w/garbage"
    # shellcheck disable=SC2086
    expect 1 "read failed" -- "$WALVIZ" $cmd "$w"
    # shellcheck disable=SC2086
    expect 1 "cut.wvr:2: the last line is torn" -- "$WALVIZ" $cmd "$w/cut.wvr"
done
[ ! -e "$w/p.png" ] || fail "replay wrote a picture of nothing"
expect 0 "" -- "$WALVIZ" decode "$w/idle.wvr"
expect 0 "" -- "$WALVIZ" simulate --json "$w/idle.wvr"
[ ! -s "$w/out" ] || fail "simulate --json of an empty session printed something"
expect 0 "" -- "$WALVIZ" simulate "$w/idle.wvr"
grep -q "^0 messages" "$w/out" || fail "simulate's summary of an empty session: $(cat "$w/out")"

expect 2 "fps expects a whole number from 1 to 1000" -- \
    "$WALVIZ" replay --fps 1000000 --duration 10000000s --frames "$w/frames" "$w/idle.wvr"
expect 2 "duration expects a time up to 1h" -- \
    "$WALVIZ" replay --fps 1000 --duration 10000000s --frames "$w/frames" "$w/idle.wvr"

# simulate --json writes as it goes: its peak memory stays near the
# summary's for one 100,000-row transaction (it held the whole
# transaction's output, some 60 MB more, until the COMMIT).
python3 -c "
import sys
w = sys.stdout.write
w('BEGIN 1\\n')
for i in range(100000):
    w(\"table public.t: INSERT: id[integer]:%d v[text]:'row %d'\\n\" % (i, i))
w('COMMIT 1 (at 2024-01-01 00:00:00+00)\\n')" >"$w/bigtx.txt"
/usr/bin/time -f %M -o "$w/rss.summary" "$WALVIZ" simulate "$w/bigtx.txt" >/dev/null ||
    fail "simulate of one big transaction failed"
/usr/bin/time -f %M -o "$w/rss.json" "$WALVIZ" simulate --json "$w/bigtx.txt" >/dev/null ||
    fail "simulate --json of one big transaction failed"
[ "$(cat "$w/rss.json")" -lt $(($(cat "$w/rss.summary") + 16384)) ] ||
    fail "simulate --json peaked at $(cat "$w/rss.json") KB, the summary at $(cat "$w/rss.summary") KB"

# stops CMD: a message that never ends comes down a pipe; SIGINT after 1.5 s.
stops() {
    rm -f "$w/fifo"
    mkfifo "$w/fifo"
    (printf "BEGIN 1\ntable public.t: INSERT: v[text]:'"; while :; do printf 'x%.0s' $(seq 1000); sleep 0.1; done) >"$w/fifo" 2>/dev/null &
    feeder=$!
    e2e_pids="$e2e_pids $feeder"
    "$WALVIZ" "$@" "$w/fifo" >/dev/null 2>"$w/err" &
    pid=$!
    e2e_pids="$e2e_pids $pid"
    sleep 1.5
    kill -0 "$pid" 2>/dev/null || { cat "$w/err"; fail "$1 ended before SIGINT"; }
    kill -INT "$pid"
    wait_until 1 "! kill -0 $pid 2>/dev/null" || fail "$1 still loads 1 s after SIGINT"
    wait "$pid"
    rc=$?
    kill "$feeder" 2>/dev/null
    [ "$rc" -ne 0 ] || fail "$1 stopped by SIGINT exited 0"
    grep -q "stopped loading" "$w/err" || { cat "$w/err"; fail "$1 did not say it stopped"; }
}
stops simulate
stops replay --screenshot="$w/p.png"

# Progress on a terminal, from the second second; none on a file.
rm -f "$w/fifo"
mkfifo "$w/fifo"
if command -v script >/dev/null 2>&1; then
    (printf "BEGIN 1\n"; sleep 2; printf "COMMIT 1\n") >"$w/fifo" &
    e2e_pids="$e2e_pids $!"
    script -qec "'$WALVIZ' simulate '$w/fifo'" /dev/null >"$w/tty" 2>&1 </dev/null
    grep -q "loading .*fifo" "$w/tty" || { cat "$w/tty"; fail "no progress on a terminal"; }
fi
(printf "BEGIN 1\n"; sleep 2; printf "COMMIT 1\n") >"$w/fifo" &
e2e_pids="$e2e_pids $!"
expect 0 "" -- "$WALVIZ" simulate "$w/fifo"
grep -q "loading" "$w/err" && fail "progress on stderr that is not a terminal"
note "passed"
