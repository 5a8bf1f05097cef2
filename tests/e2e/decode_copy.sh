#!/bin/sh
# decode_copy: `walviz decode` on what psql's \copy writes of
# pg_logical_slot_peek_changes (lsn, xid, data; COPY text escapes).
#  - a clean file: exit 0, one JSON line per row, the server's LSNs and
#    the expected ops, values with newlines and tabs intact;
#  - the same file with one row broken in the middle: exit 1,
#    "FILE:LINE: expected ..." on stderr, every other row still decoded.
# Needs the PG* variables of a running cluster (tests/run exports them) and
# WALVIZ, the binary. Creates its own database and slot; drops both on exit.
set -eu

: "${WALVIZ:?set WALVIZ to the walviz binary}"
db=walviz_e2e_copy
slot=wv_e2e_copy
tmp=$(mktemp -d "${TMPDIR:-/tmp}/walviz-decode-copy.XXXXXX")
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

fail() {
    echo "decode_copy: $*" >&2
    exit 1
}

sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

drop_all() {
    sql -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                        WHERE slot_name = '$slot'" >/dev/null
    sql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

cleanup() {
    drop_all || echo "decode_copy: could not drop $db or $slot" >&2
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

drop_all
sql -d postgres -c "CREATE DATABASE $db"
# synchronous_commit = on: the peek reads only flushed WAL, and the cluster
# runs with it off, which would leave the last commits out for a moment.
sql -d "$db" >/dev/null <<'EOF'
SET synchronous_commit = on;
CREATE TABLE t (id int PRIMARY KEY, v text);
SELECT 'slot' FROM pg_create_logical_replication_slot('wv_e2e_copy', 'test_decoding');
INSERT INTO t VALUES (1, E'two\nlines'), (2, E'tab\there \\ ''q''');
UPDATE t SET v = 'x''y' WHERE id = 1;
DELETE FROM t WHERE id = 2;
SELECT pg_logical_emit_message(true, 'wv', E'multi\nline');
EOF

peek="SELECT lsn, xid, data FROM pg_logical_slot_peek_changes('$slot', NULL, NULL, 'include-xids', '1', 'include-timestamp', '1')"
sql -d "$db" -c "\\copy ($peek) TO '$tmp/changes.copy'"
# The server's own LSNs, one a line, to hold the JSON against.
sql -d "$db" -At -c "SELECT lsn FROM ($peek) p" >"$tmp/lsns"

rows=$(wc -l <"$tmp/changes.copy")
[ "$rows" -eq 13 ] || fail "expected 13 rows from the slot, \\copy wrote $rows"

# Checks JSON lines against the expected ops and LSNs; argument 1 is the
# JSON file, 2 the LSN file, 3 the 1-based row to leave out (0: none).
check_json() {
    python3 - "$@" <<'EOF'
import json, sys

out, lsn_file, skip = sys.argv[1], sys.argv[2], int(sys.argv[3])
ops = ["BEGIN", "INSERT", "INSERT", "COMMIT", "BEGIN", "UPDATE", "COMMIT",
       "BEGIN", "DELETE", "COMMIT", "BEGIN", "MESSAGE", "COMMIT"]
lsns = open(lsn_file).read().split()
if len(lsns) != len(ops):
    sys.exit("expected %d LSNs from the server, got %d" % (len(ops), len(lsns)))
want = [(i + 1, op, lsn) for i, (op, lsn) in enumerate(zip(ops, lsns)) if i + 1 != skip]
lines = open(out, encoding="utf-8").read().splitlines()
if len(lines) != len(want):
    sys.exit("expected %d JSON lines, got %d" % (len(want), len(lines)))
recs = []
for (row, op, lsn), line in zip(want, lines):
    try:
        r = json.loads(line)
    except ValueError as e:
        sys.exit("row %d: not JSON (%s): %s" % (row, e, line))
    if r["op"] != op or r["lsn"] != lsn:
        sys.exit("row %d: expected op %s at lsn %s, got op %s at lsn %s"
                 % (row, op, lsn, r["op"], r["lsn"]))
    recs.append((row, r))
by_row = dict(recs)
xid = by_row[1]["xid"]
if not isinstance(xid, int) or any(by_row[k]["xid"] != xid for k in (2, 3, 4)):
    sys.exit("expected rows 1-4 to share one xid: %r" % [by_row[k]["xid"] for k in (1, 2, 3, 4)])
def value(row, tuple_name, col):
    return {c["name"]: c["value"] for c in by_row[row][tuple_name]}[col]
checks = [
    (value(2, "new", "v"), "two\nlines"),
    (value(3, "new", "v"), "tab\there \\ 'q'"),
    (value(9, "old", "id"), "2"),
    (by_row[12]["content"], "multi\nline"),
    (by_row[12]["prefix"], "wv"),
]
if skip != 6:
    checks.append((value(6, "new", "v"), "x'y"))
for got, expected in checks:
    if got != expected:
        sys.exit("expected %r, got %r" % (expected, got))
if not by_row[4]["commit_time"]:
    sys.exit("expected a commit_time on COMMIT: %r" % by_row[4])
EOF
}

# A clean file.
status=0
"$WALVIZ" decode "$tmp/changes.copy" >"$tmp/out.json" 2>"$tmp/err" || status=$?
[ "$status" -eq 0 ] || fail "expected exit 0 on a clean file, got $status: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "expected nothing on stderr, got: $(cat "$tmp/err")"
check_json "$tmp/out.json" "$tmp/lsns" 0 || fail "clean file: JSON does not match (above)"

# Row 6, the UPDATE, broken in its data field: the other rows still decode.
sed '6s/UPDATE:/UPSERT:/' "$tmp/changes.copy" >"$tmp/bad.copy"
grep -q 'UPSERT:' "$tmp/bad.copy" || fail "could not break row 6 of the copy file"
status=0
"$WALVIZ" decode "$tmp/bad.copy" >"$tmp/bad.json" 2>"$tmp/bad.err" || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 with a broken row, got $status"
[ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || fail "expected one error line, got: $(cat "$tmp/bad.err")"
grep -q "^$tmp/bad.copy:6: expected " "$tmp/bad.err" ||
    fail "expected '$tmp/bad.copy:6: expected ...' on stderr, got: $(cat "$tmp/bad.err")"
check_json "$tmp/bad.json" "$tmp/lsns" 6 || fail "broken file: JSON does not match (above)"

echo "decode_copy: ok ($rows rows)"
