#!/bin/sh
# walviz record on a permanent slot survives two immediate server restarts
# while a workload runs, reconnects by itself, and records every committed
# row exactly once. The first restart lands in the middle of a large
# transaction's delivery (walviz is paused with SIGSTOP while the server
# sends it, so the walsender dies mid-transaction); the second at a random
# point of the workload.
. "$(dirname "$0")/lib/common.sh"

slot="restart_$$"
cleanup_more() {
    [ -n "${loop:-}" ] && touch "$e2e_work/stop" && kill -CONT "${walviz:-0}" 2>/dev/null
    ensure_server || echo "$e2e_name: could not start the server again" >&2
}

q "CREATE TABLE r (id bigint PRIMARY KEY, src text NOT NULL)"
q "CREATE SEQUENCE r_ids"
# Single-row transactions, with a three-row one every tenth.
q "CREATE PROCEDURE work(n int) LANGUAGE plpgsql AS \$\$
BEGIN
    FOR i IN 1..n LOOP
        INSERT INTO r VALUES (nextval('r_ids'), 'single');
        IF i % 10 = 0 THEN
            INSERT INTO r SELECT nextval('r_ids'), 'multi' FROM generate_series(1, 3);
        END IF;
        COMMIT;
        PERFORM pg_sleep(0.001);
    END LOOP;
END \$\$"

"$WALVIZ" record -d "$DB" -S "$slot" --create-slot -s 1 -f "$e2e_work/rec.wvr" 2>"$e2e_work/rec.err" &
walviz=$!
e2e_pids="$e2e_pids $walviz"
wait_until 10 "[ \"\$(q \"SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'\")\" = t ]" ||
    { cat "$e2e_work/rec.err"; fail "walviz did not start streaming slot $slot within 10 s"; }

# The workload reconnects after each restart (a failed call is retried).
(
    while [ ! -e "$e2e_work/stop" ]; do
        psql -X -q -d "$DB" -c "CALL work(100)" >/dev/null 2>&1 || sleep 0.2
    done
) &
loop=$!
e2e_pids="$e2e_pids $loop"
sleep 1

# Restart 1, mid-transaction: 20,000 rows by COPY (multi-insert: several
# changes share one LSN, and the cut falls among them) and 5,000 by
# INSERT ... SELECT in one transaction.
kill -STOP "$walviz"
{
    echo "BEGIN;"
    echo "COPY r (id, src) FROM STDIN;"
    seq 100000001 100020000 | sed 's/$/\tbulk copy/'
    printf '\\.\n'
    echo "INSERT INTO r SELECT nextval('r_ids'), 'bulk insert-select' FROM generate_series(1, 5000);"
    echo "COMMIT;"
} | psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null || fail "the bulk transaction failed"
sleep 1.5 # the WAL writer flushes it, the walsender starts sending and blocks
pgctl restart -m immediate -w -t 60 -l "$pg_log" >/dev/null || fail "restart 1 failed"
kill -CONT "$walviz"
note "restart 1 done"

sleep 2
pgctl restart -m immediate -w -t 60 -l "$pg_log" >/dev/null || fail "restart 2 failed"
note "restart 2 done"
sleep 2

touch "$e2e_work/stop"
wait "$loop"
loop=""
kill -0 "$walviz" 2>/dev/null || { cat "$e2e_work/rec.err"; fail "walviz gave up"; }

# Wait until the last committed row is in the recording, then stop walviz.
last=$(q "SELECT max(id) FROM r WHERE id < 100000000")
wait_until 30 "grep -q 'INSERT: id\\[bigint\\]:$last ' '$e2e_work/rec.wvr'" ||
    { cat "$e2e_work/rec.err"; fail "row $last never reached the recording"; }
kill -INT "$walviz"
wait_until 10 "! kill -0 $walviz 2>/dev/null" || fail "walviz still runs 10 s after SIGINT"
wait "$walviz"
rc=$?
[ "$rc" -eq 0 ] || { cat "$e2e_work/rec.err"; fail "walviz exited with $rc after SIGINT"; }
grep -q 'retrying in' "$e2e_work/rec.err" ||
    { cat "$e2e_work/rec.err"; fail "walviz printed no reconnect status line"; }

q "COPY (SELECT id FROM r ORDER BY id) TO STDOUT" >"$e2e_work/table.ids"
python3 - "$e2e_lib" "$e2e_work/rec.wvr" "$e2e_work/table.ids" <<'PY' || fail "the recording and the table disagree (above)"
import re, sys
sys.path.insert(0, sys.argv[1])
import wvr

header, rec = wvr.read_recording(sys.argv[2])
table = [int(x) for x in open(sys.argv[3]).read().split()]
insert = re.compile(rb'^table public\.r: INSERT: id\[bigint\]:(\d+) ')
seen, dups, bad = {}, [], []
open_xid = None
cut = None
for no, (lsn, xid, sent, recv, data) in enumerate(rec):
    # A pause of 0.4 s or more inside a transaction: the reconnect.
    if open_xid is not None and recv - rec[no - 1][3] >= 400000 and cut is None:
        cut = (open_xid, no, lsn, lsn == rec[no - 1][0])
    m = insert.match(data)
    if m:
        i = int(m.group(1))
        if i in seen:
            dups.append(i)
        seen[i] = no
        if open_xid is None:
            bad.append('row %d outside a transaction' % i)
    elif data.startswith(b'BEGIN'):
        if open_xid is not None:
            bad.append('BEGIN %s inside transaction %s (a torn transaction)' % (xid, open_xid))
        open_xid = xid
    elif data.startswith(b'COMMIT'):
        if open_xid != xid:
            bad.append('COMMIT %s closes transaction %s' % (xid, open_xid))
        open_xid = None
missing = sorted(set(table) - set(seen))
extra = sorted(set(seen) - set(table))
if dups:
    bad.append('%d rows recorded twice, e.g. %s' % (len(dups), dups[:10]))
if missing:
    bad.append('%d committed rows missing, e.g. %s' % (len(missing), missing[:10]))
if extra:
    bad.append('%d recorded rows not in the table, e.g. %s' % (len(extra), extra[:10]))
bulk = sum(1 for i in table if i > 100000000)
if bulk != 20000:
    bad.append('the COPY rows are not all in the table: %d' % bulk)
if cut is None:
    bad.append('no transaction was cut by a restart: the test did not test the resume')
else:
    print('transaction %s was cut after message %d, %s' %
          (cut[0], cut[1], 'among changes sharing an LSN' if cut[3] else 'between LSNs'))
for b in bad[:20]:
    print(b)
print('%d rows in the table, %d distinct rows recorded, %d messages' % (len(table), len(seen), len(rec)))
sys.exit(1 if bad else 0)
PY
grep -c 'retrying in' "$e2e_work/rec.err" | sed 's/^/reconnect status lines: /'
note "passed"
