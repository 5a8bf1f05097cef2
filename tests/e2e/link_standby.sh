#!/bin/sh
# A real physical standby of the throwaway server, made and streaming through
# walviz link at 100 ms each way: pg_basebackup -R works through the relay;
# the primary's write_lag is about a round trip (200 ms); a synchronous
# COMMIT waits about as long; a cut holds the standby's replay back with its
# walsender still streaming, and after the heal it catches up.
. "$(dirname "$0")/lib/common.sh"

. "$(dirname "$0")/lib/realnodes.sh"
cleanup_more() { realnodes_cleanup; }
make_standby 100ms
name=$sb_name
log=$link_log

state() {
    psql -X -At -d postgres -c "SELECT state FROM pg_stat_replication WHERE application_name = '$name'"
}
# on_standby DATABASE SQL
on_standby() {
    psql -X -At -h "$sb" -d "$1" -c "$2"
}

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
