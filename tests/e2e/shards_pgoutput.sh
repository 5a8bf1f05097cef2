#!/bin/sh
# shards_pgoutput: walviz's shards against PostgreSQL's own row filters.
# One workload, two slots: test_decoding (what walviz reads) and pgoutput
# (what a subscriber gets), and three publications with the row filters
# WHERE (id % 3 = 0), = 1, = 2. For each shard, the messages `walviz
# simulate --shard-by 'id % 3'` sends it (BEGIN, INSERT, UPDATE, DELETE,
# COMMIT, an UPDATE that moves its row as the DELETE or INSERT it becomes)
# must be what pgoutput sends that publication's subscriber, transaction
# by transaction: an empty transaction skipped, a row with a negative
# remainder on no shard.
# Needs the PG* variables of a running cluster (tests/run exports them) and
# WALVIZ. Creates its own database and slots; drops them on exit.
set -eu

: "${WALVIZ:?set WALVIZ to the walviz binary}"
db=walviz_e2e_shards
tmp=$(mktemp -d "${TMPDIR:-/tmp}/walviz-shards-pgoutput.XXXXXX")
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

drop_all() {
    sql -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                        WHERE slot_name IN ('wv_shards_po', 'wv_shards_td')" >/dev/null
    sql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

cleanup() {
    drop_all || echo "shards_pgoutput: could not drop $db or its slots" >&2
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

drop_all
sql -d postgres -c "CREATE DATABASE $db"
sql -d "$db" -o /dev/null <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);
CREATE PUBLICATION p0 FOR TABLE accounts WHERE (id % 3 = 0);
CREATE PUBLICATION p1 FOR TABLE accounts WHERE (id % 3 = 1);
CREATE PUBLICATION p2 FOR TABLE accounts WHERE (id % 3 = 2);
SELECT 'ok' FROM pg_create_logical_replication_slot('wv_shards_po', 'pgoutput');
SELECT 'ok' FROM pg_create_logical_replication_slot('wv_shards_td', 'test_decoding');
INSERT INTO accounts VALUES (1, 100), (2, 200);
INSERT INTO accounts VALUES (3, 300);
BEGIN;
UPDATE accounts SET balance = 150 WHERE id = 1;
UPDATE accounts SET balance = 250 WHERE id = 2;
COMMIT;
UPDATE accounts SET id = 6 WHERE id = 1;
INSERT INTO accounts VALUES (-4, 40);
DELETE FROM accounts WHERE id = 2;
BEGIN;
UPDATE accounts SET balance = 301 WHERE id = 3;
UPDATE accounts SET balance = 601 WHERE id = 6;
COMMIT;
SQL

# pgoutput: per publication, per transaction, the message types it sends
# (B begin, I insert, U update, D delete, C commit; R relation left out)
for p in 0 1 2; do
    sql -At -d "$db" -c "SELECT xid, chr(get_byte(data, 0)) FROM pg_logical_slot_peek_binary_changes(
                           'wv_shards_po', NULL, NULL, 'proto_version', '1', 'publication_names', 'p$p')" |
        awk -F'|' '$2 ~ /^[BIUDC]$/ { print $1 " " $2 }' >"$tmp/po$p"
done
sql -d "$db" -c "\\copy (SELECT lsn, xid, data FROM pg_logical_slot_peek_changes('wv_shards_td', NULL, NULL,
                   'include-xids', '1')) TO '$tmp/td.tsv'"
"$WALVIZ" simulate --json "$tmp/td.tsv" --shard-by 'id % 3' >"$tmp/sim.json"

python3 - "$tmp" <<'PY' || { echo "FAIL: walviz's shards differ from PostgreSQL's row filters"; exit 1; }
import json, sys
d = sys.argv[1]
letter = {"BEGIN": "B", "INSERT": "I", "UPDATE": "U", "DELETE": "D", "COMMIT": "C"}
walviz = {0: [], 1: [], 2: []}
for line in open(d + "/sim.json"):
    o = json.loads(line)
    if o["type"] != "message" or not o["gets"]:
        continue
    op = o.get("received_as", o["op"])
    walviz[int(o["follower"][1:]) - 1].append("%d %s" % (o["xid"], letter[op]))
xacts = None
for p in range(3):
    pg = [l.strip() for l in open("%s/po%d" % (d, p)) if l.strip()]
    assert pg == walviz[p], ("shard %d" % p, "pgoutput", pg, "walviz", walviz[p])
# by hand: shard 0 gets 3, the moved row as an INSERT of 6, and the last
# transaction's two UPDATEs (3 and 6); not the first transaction (1, 2)
ops0 = [l.split()[1] for l in walviz[0]]
assert ops0 == list("BICBICBUUC"), ops0
ops1 = [l.split()[1] for l in walviz[1]]
assert ops1 == list("BICBUCBDC"), ops1
print("shards match pgoutput:", {p: len(walviz[p]) for p in walviz})
PY
echo "ok: each shard gets what pgoutput sends its publication's subscriber"
