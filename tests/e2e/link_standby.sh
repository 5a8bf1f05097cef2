#!/bin/sh
# A real physical standby of the throwaway server, made and streaming through
# walviz link at 100 ms each way: pg_basebackup -R works through the relay;
# the primary's write_lag is about a round trip (200 ms); a synchronous
# COMMIT waits about as long; a cut holds the standby's replay back with its
# walsender still streaming, and after the heal it catches up.
. "$(dirname "$0")/lib/common.sh"

sb=$(mktemp -d -t walviz-standby.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$sb"
slot="wvlink_$$"
name="wvlink_sb_$$"
link_pid=""

cleanup_more() {
    # Commits must not wait for a standby that is about to go.
    psql -X -q -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" \
        >/dev/null 2>&1
    [ -f "$sb/data/postmaster.pid" ] &&
        (cd / && as_pg "$WV_PGBIN/pg_ctl" -D "$sb/data" -m immediate -w stop >/dev/null 2>&1)
    [ -n "$link_pid" ] && kill "$link_pid" 2>/dev/null
    wait_until 10 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_replication_slots WHERE slot_name = '$slot' AND active\")\" ]"
    psql -X -q -d postgres -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" \
        >/dev/null 2>&1
    rm -rf "$sb"
}

log="$e2e_work/link.log"
"$WALVIZ" link --listen 127.0.0.1:0 --to "unix:$PGHOST/.s.PGSQL.$PGPORT" --latency 100ms 2>"$log" &
link_pid=$!
wait_until 5 "grep -q 'listening on' '$log'" || fail "link did not start: $(cat "$log")"
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$log")

# The standby, made through the relay; its own socket directory, and a name.
(cd "$sb" && as_pg "$WV_PGBIN/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$sb/data" -R \
    -X stream -C -S "$slot" -c fast) >"$e2e_work/basebackup.log" 2>&1 ||
    fail "pg_basebackup through the relay: $(cat "$e2e_work/basebackup.log")"
{
    echo "unix_socket_directories = '$sb'"
    echo "hot_standby = on"
    echo "primary_conninfo = 'host=127.0.0.1 port=$port user=postgres application_name=$name'"
} | as_pg tee -a "$sb/data/postgresql.auto.conf" >/dev/null
(cd "$sb" && as_pg "$WV_PGBIN/pg_ctl" -D "$sb/data" -l "$sb/server.log" -w -t 60 start) >/dev/null 2>&1 ||
    fail "the standby did not start: $(cat "$sb/server.log")"

state() {
    psql -X -At -d postgres -c "SELECT state FROM pg_stat_replication WHERE application_name = '$name'"
}
# on_standby DATABASE SQL
on_standby() {
    psql -X -At -h "$sb" -d "$1" -c "$2"
}
wait_until 20 '[ "$(state)" = streaming ]' || fail "the standby does not stream: $(cat "$sb/server.log")"

# write_lag: the primary's view, from the standby's reply after each write.
# PostgreSQL clears the lags (NULL) after two replies that find the standby
# caught up, which happens here now and then: such a write gives no sample.
# Five samples from at most twelve writes; the median.
q "CREATE TABLE link_sb (id serial PRIMARY KEY, v text)"
lags=""
n=0
for i in $(seq 12); do
    lsn=$(q "INSERT INTO link_sb (v) VALUES ('$i') RETURNING pg_current_wal_insert_lsn()" | head -n 1)
    lag_sql="SELECT round(extract(epoch FROM write_lag) * 1000, 1) FROM pg_stat_replication WHERE application_name = '$name' AND write_lsn >= '$lsn' AND write_lag IS NOT NULL"
    if wait_until 2 "[ -n \"\$(psql -X -At -d postgres -c \"$lag_sql\")\" ]"; then
        lags="$lags $(psql -X -At -d postgres -c "$lag_sql")"
        n=$((n + 1))
        [ "$n" -ge 5 ] && break
    fi
    sleep 0.2
done
lag=$(echo $lags | tr ' ' '\n' | sort -n | awk '{ l[NR] = $1 } END { if (NR >= 3) print l[int((NR + 1) / 2)]; else print "none" }')
note "write_lag through 100 ms each way: median $lag ms of$lags ($i writes)"
awk -v l="$lag" 'BEGIN { exit !(l >= 197 && l <= 220) }' || fail "write_lag $lag ms, expected about 200"

# A synchronous COMMIT waits for the standby's flush: a round trip.
psql -X -q -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = '$name'" -c "SELECT pg_reload_conf()" >/dev/null
wait_until 5 '[ "$(psql -X -At -d postgres -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"'$name'"'")" = sync ]' ||
    fail "the standby did not become synchronous"
commit=$(psql -X -At -d "$DB" -c '\timing on' -c "INSERT INTO link_sb (v) VALUES ('sync')" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
note "a synchronous COMMIT through 100 ms each way: $commit ms"
awk -v t="$commit" 'BEGIN { exit !(t >= 197 && t <= 250) }' || fail "synchronous COMMIT took $commit ms, expected about 200"
psql -X -q -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null

# A cut holds the standby back, its walsender still streaming; a heal lets
# it catch up.
kill -USR1 "$link_pid"
wait_until 2 "grep -q 'link: cut' '$log'" || fail "the relay did not say cut"
lsn=$(q "INSERT INTO link_sb (v) VALUES ('cut') RETURNING pg_current_wal_insert_lsn()" | head -n 1)
sleep 1
[ "$(on_standby postgres "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = f ] || fail "the standby replayed through the cut"
[ "$(state)" = streaming ] || fail "the walsender is $(state) during a 1 s cut"
kill -USR2 "$link_pid"
wait_until 5 "[ \"\$(on_standby '$DB' \"SELECT count(*) FROM link_sb WHERE v = 'cut'\")\" = 1 ]" ||
    fail "the standby did not catch up after the heal"
exit 0
