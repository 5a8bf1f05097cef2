# Real nodes beside the throwaway server, for the tests that observe them
# (sourced after common.sh). make_standby LATENCY: a physical standby made
# with pg_basebackup -R through walviz link, named $sb_name, its socket in
# $sb; make_subscriber TABLE...: a second cluster subscribing to those
# tables of $DB, subscription $sub_name, its socket in $subdir;
# make_cascade: a standby of the standby, named $cas_name, its socket in
# $cas. realnodes_cleanup (call it from cleanup_more) removes them all, and
# the slots.

sb=$(mktemp -d -t walviz-standby.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$sb"
subdir=$(mktemp -d -t walviz-sub.XXXXXX)
cas=$(mktemp -d -t walviz-cascade.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$cas"
cas_name="wvcas_$$"
sb_slot="wvsb_$$"
sb_name="wvsb_$$"
sub_name="wvsub_$$"
link_pid=""
link_log="$e2e_work/link.log"

realnodes_cleanup() {
    psql -X -q -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" \
        >/dev/null 2>&1
    if [ -f "$subdir/data/postmaster.pid" ]; then
        # the subscription's slot on the primary goes with it
        psql -X -q -h "$subdir" -d "$DB" -c "DROP SUBSCRIPTION IF EXISTS $sub_name" >/dev/null 2>&1
    fi
    "$e2e_lib/../../pg/cluster" stop "$subdir" >/dev/null 2>&1
    for d in "$cas" "$sb"; do
        [ -f "$d/data/postmaster.pid" ] &&
            (cd / && as_pg "$WV_PGBIN/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1)
    done
    [ -n "$link_pid" ] && kill "$link_pid" 2>/dev/null
    for s in "$sb_slot" "$sub_name"; do
        wait_until 10 "[ -z \"\$(psql -X -At -d postgres -c \"SELECT 1 FROM pg_replication_slots WHERE slot_name = '$s' AND active\")\" ]"
        psql -X -q -d postgres -c "SELECT pg_drop_replication_slot('$s') FROM pg_replication_slots WHERE slot_name = '$s'" \
            >/dev/null 2>&1
    done
    rm -rf "$sb" "$subdir" "$cas"
}

make_standby() {
    "$WALVIZ" link --listen 127.0.0.1:0 --to "unix:$PGHOST/.s.PGSQL.$PGPORT" --latency "$1" 2>"$link_log" &
    link_pid=$!
    wait_until 5 "grep -q 'listening on' '$link_log'" || fail "link did not start: $(cat "$link_log")"
    link_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$link_log")
    (cd "$sb" && as_pg "$WV_PGBIN/pg_basebackup" -h 127.0.0.1 -p "$link_port" -U postgres -D "$sb/data" -R \
        -X stream -C -S "$sb_slot" -c fast) >"$e2e_work/basebackup.log" 2>&1 ||
        fail "pg_basebackup through the relay: $(cat "$e2e_work/basebackup.log")"
    start_standby "$sb" "host=127.0.0.1 port=$link_port user=postgres" "$sb_name" "$PGHOST"
}

# start_standby DIR CONNINFO NAME UPSTREAM_SOCKET: a base backup in DIR/data
# set to stream from CONNINFO as NAME, started; waits until the upstream
# lists it streaming.
start_standby() {
    {
        echo "unix_socket_directories = '$1'"
        echo "hot_standby = on"
        echo "primary_conninfo = '$2 application_name=$3'"
    } | as_pg tee -a "$1/data/postgresql.auto.conf" >/dev/null
    (cd "$1" && as_pg "$WV_PGBIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 start) >/dev/null 2>&1 ||
        fail "the standby $3 did not start: $(cat "$1/server.log")"
    wait_until 20 "[ \"\$(psql -X -At -h '$4' -d postgres -c \"SELECT state FROM pg_stat_replication WHERE application_name = '$3'\")\" = streaming ]" ||
        fail "the standby $3 does not stream: $(cat "$1/server.log")"
}

# make_cascade: a base backup (of the primary: a standby's needs
# full_page_writes, which the test cluster turns off), streaming from the
# standby (over its socket), with the application_name $cas_name.
make_cascade() {
    (cd "$cas" && as_pg "$WV_PGBIN/pg_basebackup" -U postgres -D "$cas/data" -R -X stream -c fast) \
        >"$e2e_work/cascade.log" 2>&1 || fail "pg_basebackup for the cascade: $(cat "$e2e_work/cascade.log")"
    start_standby "$cas" "host=$sb user=postgres" "$cas_name" "$sb"
}

# make_subscriber "CREATE TABLE ..." TABLE: the table made on the
# subscriber too, published and subscribed (streaming = off).
make_subscriber() {
    "$e2e_lib/../../pg/cluster" start "$subdir" >/dev/null || fail "the subscriber's cluster did not start"
    psql -X -q -h "$subdir" -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null || fail "no database on the subscriber"
    psql -X -q -h "$subdir" -d "$DB" -c "$1" >/dev/null || fail "no table on the subscriber"
    q "CREATE PUBLICATION ${sub_name}_pub FOR TABLE $2" >/dev/null
    psql -X -q -h "$subdir" -d "$DB" -c "CREATE SUBSCRIPTION $sub_name CONNECTION 'host=$PGHOST port=$PGPORT user=postgres dbname=$DB' PUBLICATION ${sub_name}_pub WITH (streaming = off)" \
        >/dev/null 2>&1 || fail "CREATE SUBSCRIPTION failed"
    wait_until 20 "[ \"\$(psql -X -At -d postgres -c \"SELECT state FROM pg_stat_replication WHERE application_name = '$sub_name'\")\" = streaming ]" ||
        fail "the subscriber does not stream: $(cat "$subdir/server.log")"
}
