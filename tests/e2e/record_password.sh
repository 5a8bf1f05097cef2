#!/bin/sh
# walviz record with password authentication (scram-sha-256 for one role,
# over the unix socket): the right password, given in the conninfo or in
# PGPASSWORD, records; a wrong one fails with a clear message. Neither
# password ever shows in stdout, stderr or the recording, nor, once walviz
# runs, on its command line (ps).
. "$(dirname "$0")/lib/common.sh"

role="rp_$$"
pw='S3cretPW!'
wrong='Wr0ngPW!'
hba="$WV_PGDATA/pg_hba.conf"
cp "$hba" "$e2e_work/pg_hba.conf.orig" || fail "cannot read $hba"

cleanup_more() {
    # cat > keeps the file's owner (postgres) and mode.
    cat "$e2e_work/pg_hba.conf.orig" >"$hba"
    pgctl reload >/dev/null
    psql -X -q -d "$DB" -c "DROP OWNED BY $role" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
}

q "CREATE ROLE $role LOGIN REPLICATION PASSWORD '$pw'" || fail "cannot create role $role"
# pg_hba.conf is first-match: the role's lines go on top.
{
    echo "local all $role scram-sha-256"
    echo "local replication $role scram-sha-256"
    cat "$e2e_work/pg_hba.conf.orig"
} >"$hba"
pgctl reload >/dev/null || fail "pg_ctl reload failed"
sleep 0.5
# The server now asks this role for a password.
PGPASSWORD= psql -X -w -At -d "$DB" -U "$role" -c "SELECT 1" >/dev/null 2>&1 &&
    fail "pg_hba.conf change did not take: $role logs in without a password"

# check_clean NAME: neither password in NAME's stdout, stderr, recording.
check_clean() {
    for f in "$e2e_work/$1".*; do
        if grep -F -q -e "$pw" -e "$wrong" "$f"; then
            fail "$1: a password shows in $(basename "$f"): $(grep -F -e "$pw" -e "$wrong" "$f" | head -n 3)"
        fi
    done
}

# record NAME ARGS...: walviz record to NAME.wvr with -E a little ahead of
# the server, making WAL until it ends; sets rc.
record() {
    name=$1
    shift
    E=$(q "SELECT pg_current_wal_insert_lsn() + 32768")
    "$@" -E "$E" -f "$e2e_work/$name.wvr" >"$e2e_work/$name.out" 2>"$e2e_work/$name.err" &
    pid=$!
    e2e_pids="$e2e_pids $pid"
    fill_until_exit "$pid"
    wait "$pid"
    rc=$?
}

# The password in the conninfo.
record conninfo "$WALVIZ" record -d "dbname=$DB user=$role password=$pw"
[ "$rc" -eq 0 ] || { cat "$e2e_work/conninfo.err"; fail "conninfo: walviz record exited with $rc"; }
grep -q 'INSERT' "$e2e_work/conninfo.wvr" || fail "conninfo: nothing recorded"
check_clean conninfo
note "password in the conninfo: recorded, password not shown"

# ps: once walviz runs, the password is gone from its command line.
"$WALVIZ" record -d "dbname=$DB user=$role password=$pw" -f "$e2e_work/ps.wvr" 2>"$e2e_work/ps.err" &
pid=$!
e2e_pids="$e2e_pids $pid"
wait_until 10 walviz_slot_active || { cat "$e2e_work/ps.err"; fail "ps: walviz did not stream"; }
tr '\0' ' ' </proc/$pid/cmdline >"$e2e_work/ps.cmdline"
kill -INT "$pid"
wait "$pid" || fail "ps: walviz record exited with $?"
grep -q "password=\*\{${#pw}\}" "$e2e_work/ps.cmdline" ||
    fail "ps: the command line is $(cat "$e2e_work/ps.cmdline")"
check_clean ps
note "password in the conninfo: blanked from the command line ps shows"

# The password in PGPASSWORD, the role by -U.
record env env PGPASSWORD="$pw" "$WALVIZ" record -d "$DB" -U "$role"
[ "$rc" -eq 0 ] || { cat "$e2e_work/env.err"; fail "PGPASSWORD: walviz record exited with $rc"; }
grep -q 'INSERT' "$e2e_work/env.wvr" || fail "PGPASSWORD: nothing recorded"
check_clean env
note "password in PGPASSWORD: recorded, password not shown"

# A wrong password: fails at once, says why, shows no password.
timeout 30 "$WALVIZ" record -d "dbname=$DB user=$role password=$wrong" -f "$e2e_work/wrong.wvr" \
    >"$e2e_work/wrong.out" 2>"$e2e_work/wrong.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat "$e2e_work/wrong.err"; fail "wrong password: exit status $rc, expected a failure"; }
grep -q "password authentication failed for user \"$role\"" "$e2e_work/wrong.err" ||
    { cat "$e2e_work/wrong.err"; fail "wrong password: stderr does not say the password was refused"; }
grep -q "check the role's password" "$e2e_work/wrong.err" ||
    { cat "$e2e_work/wrong.err"; fail "wrong password: stderr has no hint"; }
check_clean wrong
cat "$e2e_work/wrong.err"
note "wrong password: exit $rc, clear message, password not shown"

# No password at all where one is needed.
PGPASSWORD= timeout 30 "$WALVIZ" record -d "dbname=$DB user=$role" -f "$e2e_work/none.wvr" \
    >"$e2e_work/none.out" 2>"$e2e_work/none.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat "$e2e_work/none.err"; fail "no password: exit status $rc, expected a failure"; }
grep -q "check the role's password" "$e2e_work/none.err" ||
    { cat "$e2e_work/none.err"; fail "no password: stderr has no hint"; }
note "no password: exit $rc, clear message"
note "passed"
