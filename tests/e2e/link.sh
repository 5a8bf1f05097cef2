#!/bin/sh
# walviz link between psql and the throwaway server: psql works through the
# relay; a round trip gains twice the one-way latency (within 3 ms); a
# bandwidth paces a big result; a cut holds a query with its connection open
# until the heal, after which it arrives one up-latency later (20 ms up,
# 80 ms down: the directions are not swapped); wrong options and
# a taken port fail with their status; SIGTERM and SIGINT stop the relay,
# which leaves nothing running.
. "$(dirname "$0")/lib/common.sh"

target="unix:$PGHOST/.s.PGSQL.$PGPORT"

# start_link LOG [OPTION...]: a relay on a free port; sets link_pid, link_port.
start_link() {
    _log=$1
    shift
    "$WALVIZ" link --listen 127.0.0.1:0 --to "$target" "$@" 2>"$_log" &
    link_pid=$!
    e2e_pids="$e2e_pids $link_pid"
    wait_until 5 "grep -q 'listening on' '$_log'" || fail "link did not start: $(cat "$_log")"
    link_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$_log")
    [ -n "$link_port" ] || fail "no port in: $(cat "$_log")"
}

# stop_link SIGNAL: the relay exits 0 and is gone.
stop_link() {
    kill "-$1" "$link_pid"
    wait "$link_pid"
    _rc=$?
    [ "$_rc" -eq 0 ] || fail "link exited with $_rc after SIG$1"
    kill -0 "$link_pid" 2>/dev/null && fail "link still runs after SIG$1"
    psql -X -h 127.0.0.1 -p "$link_port" -d "$DB" -c "SELECT 1" >/dev/null 2>&1 &&
        fail "something still listens on $link_port after SIG$1"
    return 0
}

# median_ms PSQL-ARGS...: the median of 21 SELECT 1 round trips, as psql's
# \timing measures them, on one connection.
median_ms() {
    { printf '%s\n' '\timing on'; for _i in $(seq 21); do echo 'SELECT 1;'; done; } |
        psql -X -At -d "$DB" "$@" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n |
        awk '{ t[NR] = $1 } END { if (NR == 21) print t[11]; else print "none" }'
}

# Wrong options: status 2.
"$WALVIZ" link --listen 127.0.0.1:0 2>/dev/null
[ $? -eq 2 ] || fail "link without --to: status not 2"
"$WALVIZ" link --listen 127.0.0.1:0 --to "$target" --latency soon 2>/dev/null
[ $? -eq 2 ] || fail "link --latency soon: status not 2"
"$WALVIZ" link --help | grep -q -- '--down-latency' || fail "link --help lacks --down-latency"

# The added delay per round trip: 50 ms each way.
log="$e2e_work/link.log"
start_link "$log" --latency 50ms
direct=$(median_ms)
relayed=$(median_ms -h 127.0.0.1 -p "$link_port")
note "SELECT 1 round trip: direct $direct ms, through the relay (50 ms each way) $relayed ms"
awk -v d="$direct" -v r="$relayed" 'BEGIN { x = r - d - 100; exit !(x >= -3 && x <= 3) }' ||
    fail "added delay $direct -> $relayed ms, expected +100 ms within 3 ms"

# A second relay on the same port cannot start: status 1.
"$WALVIZ" link --listen "127.0.0.1:$link_port" --to "$target" 2>"$e2e_work/taken.log"
[ $? -eq 1 ] || fail "link on a taken port: status not 1"
grep -q "cannot listen" "$e2e_work/taken.log" || fail "taken port: $(cat "$e2e_work/taken.log")"
stop_link TERM

# A cut holds a query with its connection open; the heal lets it through,
# one up-latency later.
log="$e2e_work/cut.log"
start_link "$log" --up-latency 20ms --down-latency 80ms
q "CREATE TABLE link_t (what text, pid int, at_ms bigint DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint)"
mkfifo "$e2e_work/in"
psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$link_port" -d "$DB" <"$e2e_work/in" >"$e2e_work/out" 2>&1 &
psql_pid=$!
e2e_pids="$e2e_pids $psql_pid"
exec 3>"$e2e_work/in"
echo "INSERT INTO link_t (what, pid) VALUES ('before', pg_backend_pid());" >&3
wait_until 5 '[ "$(q "SELECT count(*) FROM link_t")" = 1 ]' || fail "no row through the relay"
sleep 0.3 # its reply reaches psql (80 ms), so that the cut holds the next query
kill -USR1 "$link_pid"
wait_until 2 "grep -q 'link: cut' '$log'" || fail "the relay did not say cut"
echo "INSERT INTO link_t (what, pid) VALUES ('during', pg_backend_pid());" >&3
sleep 1
[ "$(q "SELECT count(*) FROM link_t")" = 1 ] || fail "a query went through the cut"
kill -0 "$psql_pid" 2>/dev/null || fail "psql ended during the cut: $(cat "$e2e_work/out")"
[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = (SELECT pid FROM link_t WHERE what = 'before')")" = 1 ] ||
    fail "the connection closed during the cut"
healed_ms=$(date +%s%3N)
kill -USR2 "$link_pid"
wait_until 5 '[ "$(q "SELECT count(*) FROM link_t")" = 2 ]' || fail "the held query did not arrive after the heal"
after=$(q "SELECT max(at_ms) FILTER (WHERE what = 'during') - $healed_ms FROM link_t")
note "the held INSERT reached the server $after ms after the heal (20 ms up, 80 ms down)"
[ "$after" -ge 19 ] && [ "$after" -le 60 ] || fail "held query arrived $after ms after the heal, expected about 20"
[ "$(q "SELECT count(DISTINCT pid) FROM link_t")" = 1 ] || fail "the query after the heal used another connection"
exec 3>&-
wait "$psql_pid" || fail "psql through the relay failed: $(cat "$e2e_work/out")"
[ "$(grep -c '^INSERT 0 1$' "$e2e_work/out")" = 2 ] || fail "psql did not see both INSERTs: $(cat "$e2e_work/out")"
wait_until 5 "grep -q 'connection 1 closed' '$log'" || fail "the relay kept psql's connection: $(cat "$log")"
stop_link TERM

# A bandwidth paces a big result: 200 kB at 200 kB/s takes about a second.
start_link "$e2e_work/bw.log" --bandwidth 200kB/s
ms=$(psql -X -At -h 127.0.0.1 -p "$link_port" -d "$DB" -c '\timing on' -o /dev/null \
    -c "SELECT repeat('x', 204800)" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
note "200 kB at 200 kB/s: $ms ms"
awk -v t="$ms" 'BEGIN { exit !(t >= 950 && t <= 1150) }' || fail "200 kB at 200 kB/s took $ms ms"
stop_link INT
exit 0
