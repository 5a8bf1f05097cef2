#!/bin/sh
# walviz record's friendly errors, each caused for real: the message names
# the problem and the hint says what to do (src/pg/source_pg.c, explain()).
# Three need a server set up wrongly: throwaway clusters of their own.
. "$(dirname "$0")/lib/common.sh"

cluster="$(dirname "$0")/../pg/cluster"
extra=""
cleanup_more() {
    for d in $extra; do "$cluster" stop "$d"; done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS norep_$$" >/dev/null 2>&1
}

# expect_error NAME HINT WALVIZ-RECORD-ARGS...: walviz record fails
# (exit 1, within 30 s) and its stderr holds HINT.
expect_error() {
    name=$1
    hint=$2
    shift 2
    timeout 30 "$WALVIZ" record -f "$e2e_work/$name.wvr" "$@" >"$e2e_work/$name.out" 2>"$e2e_work/$name.err"
    rc=$?
    [ "$rc" -eq 1 ] || { cat "$e2e_work/$name.err"; fail "$name: exit status $rc, expected 1"; }
    grep -F -q -- "$hint" "$e2e_work/$name.err" ||
        { cat "$e2e_work/$name.err"; fail "$name: stderr lacks the hint \"$hint\""; }
    note "$name: $(tail -n 1 "$e2e_work/$name.err")"
}

# new_cluster SETTING...: a fresh cluster; sets $cdir.
new_cluster() {
    cdir=$(mktemp -d -t walviz-e2e-pg.XXXXXX)
    extra="$extra $cdir"
    "$cluster" start "$cdir" "$@" >/dev/null || fail "could not start a second cluster ($*)"
}

# --- on the test cluster ---------------------------------------------------

expect_error nosuch "create it with --create-slot, or leave out --slot" -d "$DB" -S nosuch

q "SELECT pg_create_logical_replication_slot('exists_$$', 'test_decoding')" >/dev/null
expect_error exists "use --if-not-exists to reuse it" -d "$DB" -S "exists_$$" --create-slot

expect_error otherdb "connect to the slot's database" -d postgres -S "exists_$$"

q "SELECT pg_create_logical_replication_slot('busy_$$', 'test_decoding')" >/dev/null
"$WV_PGBIN/pg_recvlogical" -d "$DB" -S "busy_$$" --start -f /dev/null 2>"$e2e_work/recvlogical.err" &
e2e_pids="$e2e_pids $!"
wait_until 10 "[ \"\$(q \"SELECT active FROM pg_replication_slots WHERE slot_name = 'busy_$$'\")\" = t ]" ||
    { cat "$e2e_work/recvlogical.err"; fail "pg_recvlogical did not take slot busy_$$"; }
expect_error busy "another client is reading this slot" -d "$DB" -S "busy_$$"

q "SELECT pg_create_logical_replication_slot('po_$$', 'pgoutput')" >/dev/null
expect_error pgoutput "walviz reads test_decoding slots" -d "$DB" -S "po_$$"

q "CREATE ROLE norep_$$ LOGIN"
expect_error noreplication "the role needs the REPLICATION attribute" -d "$DB" -U "norep_$$"

expect_error noserver "is the server running" -h "$e2e_work" -d "$DB"

# --- on clusters set up wrongly ----------------------------------------------

# A logical replication connection (replication=database) is matched by
# its database name, like an ordinary one: the "replication" lines do not
# concern it, so removing them changes nothing. No line for the database
# does.
new_cluster
grep -v '^[^#]*[[:space:]]replication[[:space:]]' "$cdir/data/pg_hba.conf" >"$e2e_work/hba"
cat "$e2e_work/hba" >"$cdir/data/pg_hba.conf"
as_pg "$WV_PGBIN/pg_ctl" -D "$cdir/data" reload >/dev/null
sleep 0.5
expect_error hba_without_replication_lines 'slot "nosuch" does not exist' -h "$cdir" -p 5432 -d postgres -S nosuch
echo "local template1 all trust" >"$cdir/data/pg_hba.conf"
as_pg "$WV_PGBIN/pg_ctl" -D "$cdir/data" reload >/dev/null
sleep 0.5
expect_error nohba "add a pg_hba.conf line that lets this role into this database" -h "$cdir" -p 5432 -d postgres

new_cluster wal_level=replica
expect_error wal_level "set wal_level = logical" -h "$cdir" -p 5432 -d postgres

new_cluster max_replication_slots=1
psql -X -q -h "$cdir" -p 5432 -d postgres -c "SELECT pg_create_logical_replication_slot('only', 'test_decoding')" >/dev/null
expect_error slots_full "raise max_replication_slots" -h "$cdir" -p 5432 -d postgres

note "passed"
