#!/bin/sh
# walviz record -E LSN captures exactly what pg_logical_slot_peek_changes
# shows for a twin slot created at the same moment: the same messages,
# byte for byte, in the same order, at the same LSNs; and its messages,
# each with a newline, are byte for byte the file pg_recvlogical -E LSN
# writes from a third twin (user types print schema-qualified in both: the
# secure empty search_path). The workload covers
# many types and awkward text, multi-statement and rolled-back
# transactions, two-phase commit, TRUNCATE, logical messages of both kinds,
# a 2 MB value, and a transaction after LSN that must be left out.
. "$(dirname "$0")/lib/common.sh"

rec="rec_$$"
cmp="cmp_$$"
q "SELECT pg_create_logical_replication_slot('$rec', 'test_decoding', false, true)" >/dev/null ||
    fail "could not create slot $rec"
q "SELECT pg_create_logical_replication_slot('$cmp', 'test_decoding', false, true)" >/dev/null ||
    fail "could not create slot $cmp"
rl="rl_$$"
q "SELECT pg_create_logical_replication_slot('$rl', 'test_decoding', false, true)" >/dev/null ||
    fail "could not create slot $rl"

psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >"$e2e_work/workload.log" 2>&1 <<'SQL' || { cat "$e2e_work/workload.log"; fail "the workload failed"; }
CREATE TABLE typ (
    id int PRIMARY KEY, n numeric, b bool, t text, by bytea, j jsonb, a int[],
    ta text[], ts timestamptz, u uuid, f float8, iv interval, d date);
INSERT INTO typ VALUES
    (1, 12345.678900, true, E'it''s "quoted"\nline two\twith tab, back\\slash, \\n not a newline',
     '\xdeadbeef00ff', '{"k": "v\"q", "n": [1, 2.5, null], "u": "\u00e9"}', '{1,2,NULL,-3}',
     '{"a b","c''d","e\\f"}', '2024-02-29 12:34:56.789+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     0.1, '1 year 2 mons 3 days 04:05:06.7', '2000-01-01'),
    (2, 'NaN', false, E'unicode: ünïcødé ✓ 🐘 日本語, control: \x01\x1f\x7f end', '\x', '[]',
     '{}', '{}', 'infinity', NULL, '-Infinity', '-1 day', 'infinity'),
    (3, NULL, NULL, '', NULL, 'null', NULL, NULL, NULL, NULL, 1e-300, NULL, NULL);

BEGIN;
INSERT INTO typ (id, t) VALUES (10, 'multi 1');
UPDATE typ SET t = E'changed\r\nCRLF' WHERE id = 1;
SELECT pg_logical_emit_message(true, 'wv.tx', E'transactional\ncontent');
UPDATE typ SET id = 11 WHERE id = 10;
DELETE FROM typ WHERE id = 3;
SELECT pg_logical_emit_message(false, 'wv.nontx', 'non-transactional inside a transaction');
COMMIT;

BEGIN;
INSERT INTO typ (id, t) VALUES (999, 'rolled back: must not appear');
SELECT pg_logical_emit_message(true, 'wv.rb', 'rolled back message: must not appear');
ROLLBACK;

SELECT pg_logical_emit_message(false, 'wv.alone', E'alone, with a NUL-free\tbody and a \\ backslash');
SELECT pg_logical_emit_message(true, 'wv.alone.tx', 'own transaction');

CREATE TABLE trunc_a (id int PRIMARY KEY);
CREATE TABLE trunc_b (id int);
INSERT INTO trunc_a SELECT generate_series(1, 3);
INSERT INTO trunc_b VALUES (1);
TRUNCATE trunc_a, trunc_b;
TRUNCATE trunc_b RESTART IDENTITY CASCADE;

BEGIN;
INSERT INTO typ (id, t) VALUES (20, 'two-phase');
PREPARE TRANSACTION 'wv gid ''1''';
COMMIT PREPARED 'wv gid ''1''';

-- 2 MB values: one stored out of line uncompressed, one that does not
-- compress, in a table with default storage.
CREATE TABLE big (id int PRIMARY KEY, note text, v text);
ALTER TABLE big ALTER COLUMN v SET STORAGE EXTERNAL;
INSERT INTO big VALUES (1, 'external', repeat('x', 2 * 1024 * 1024));
CREATE TABLE big2 (id int PRIMARY KEY, v text);
INSERT INTO big2 SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 65536) AS i;
UPDATE big SET note = 'toast untouched' WHERE id = 1;

CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE ut (id int PRIMARY KEY, m mood, p posint, ms mood[]);
INSERT INTO ut VALUES (1, 'ok', 7, '{sad,ok}');
SQL

# WAL the slot does not decode (another database's transaction) between the
# last COMMIT and E, so that the next transaction begins exactly at E.
psql -X -q -d postgres -c "CREATE TEMP TABLE elsewhere (i int); INSERT INTO elsewhere VALUES (1)" ||
    fail "could not write WAL in database postgres"
E=$(q "SELECT pg_current_wal_insert_lsn()")
# Past E: must be in neither, not even the BEGIN at E.
q "INSERT INTO typ (id, t) VALUES (30, 'after the end position')" >/dev/null
q "SELECT pg_logical_emit_message(false, 'wv.after', 'after the end position')" >/dev/null

timeout 60 "$WALVIZ" record -d "$DB" -S "$rec" -E "$E" -f "$e2e_work/rec.wvr" 2>"$e2e_work/rec.err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$e2e_work/rec.err"; fail "walviz record -E $E exited with $rc"; }

# pg_recvlogical sets the empty search_path itself: give it the rest.
PGOPTIONS=$(echo "$WV_SESSION" | sed 's/ -c search_path=$//') timeout 60 \
    "$WV_PGBIN/pg_recvlogical" -d "$DB" -S "$rl" -E "$E" -o include-xids=1 -o include-timestamp=1 \
    --start -f "$e2e_work/recvlogical.txt" 2>"$e2e_work/recvlogical.err" ||
    { cat "$e2e_work/recvlogical.err"; fail "pg_recvlogical -E $E failed"; }

PGOPTIONS="$WV_SESSION" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "\\copy (SELECT lsn, xid, data FROM pg_logical_slot_peek_changes('$cmp', '$E', NULL, 'include-xids', '1', 'include-timestamp', '1')) TO '$e2e_work/peek.tsv'" ||
    fail "pg_logical_slot_peek_changes failed"

python3 - "$e2e_lib" "$e2e_work/rec.wvr" "$e2e_work/peek.tsv" "$E" "$e2e_work/recvlogical.txt" <<'PY' || fail "the recording differs from pg_logical_slot_peek_changes (above)"
import sys
sys.path.insert(0, sys.argv[1])
import wvr

header, rec = wvr.read_recording(sys.argv[2])
peek = wvr.read_copy(sys.argv[3])
endpos = wvr.lsn(sys.argv[4])
bad = []

def show(row):
    d = row[-1]
    return '%X/%X %r' % (row[0] >> 32, row[0] & 0xffffffff, d[:100] + (b'...' if len(d) > 100 else b''))

# Non-transactional messages are sent as soon as they are decoded; the SQL
# function and the walsender may place them differently relative to the
# transaction around them (in runs here the two orders were the same). So
# they are compared as a multiset (with their LSNs), everything else as a
# sequence.
def nontx(data):
    return data.startswith(b'message: transactional: 0 ')

r_seq = [(l, d) for (l, x, s, t, d) in rec if not nontx(d)]
p_seq = [(l, d) for (l, x, d) in peek if not nontx(d)]
r_msg = sorted((l, d) for (l, x, s, t, d) in rec if nontx(d))
p_msg = sorted((l, d) for (l, x, d) in peek if nontx(d))

if len(peek) < 30:
    bad.append('peek returned only %d rows: the workload did not decode' % len(peek))
for i in range(max(len(r_seq), len(p_seq))):
    a = r_seq[i] if i < len(r_seq) else None
    b = p_seq[i] if i < len(p_seq) else None
    if a != b:
        bad.append('message %d: recording has %s, peek has %s' %
                   (i, show(a) if a else 'nothing', show(b) if b else 'nothing'))
        break
if r_msg != p_msg:
    bad.append('non-transactional messages differ: recording %s, peek %s' %
               ([show(m) for m in r_msg], [show(m) for m in p_msg]))

# xids: where the recording names one, it is the peek's.
peek_xid = {}
for (l, x, d) in peek:
    peek_xid.setdefault((l, d), x)
for (l, x, s, t, d) in rec:
    if x is not None and peek_xid.get((l, d)) not in (x, None):
        bad.append('xid of %s: recording %d, peek %s' % (show((l, d)), x, peek_xid.get((l, d))))
    if l > endpos:
        bad.append('message past the end position: %s' % show((l, d)))
    if s <= 0 or t <= 0:
        bad.append('missing send/receive time on %s' % show((l, d)))

datas = [d for (l, x, s, t, d) in rec]
for needle in (b'must not appear', b'after the end position'):
    if any(needle in d for d in datas):
        bad.append('found %r in the recording' % needle)
with open(sys.argv[5], 'rb') as f:
    recvlogical = f.read()
ours = b''.join(d + b'\n' for d in datas)
# pg_recvlogical keeps the BEGIN of a transaction that begins exactly at E
# (it commits after E); walviz leaves it out, as the peek does.
tail = recvlogical[len(ours):]
if recvlogical.startswith(ours) and tail.startswith(b'BEGIN ') and tail.count(b'\n') == 1:
    recvlogical = ours
if ours != recvlogical:
    at = next((i for i in range(min(len(ours), len(recvlogical))) if ours[i] != recvlogical[i]),
              min(len(ours), len(recvlogical)))
    bad.append('pg_recvlogical wrote %d bytes, the recording holds %d; first difference at %d: '
               'ours %r, pg_recvlogical %r' % (len(recvlogical), len(ours), at,
                                               ours[max(0, at - 40):at + 40],
                                               recvlogical[max(0, at - 40):at + 40]))
for needle in (b"'x" + b'x' * (2 * 1024 * 1024 - 1) + b"'", b'TRUNCATE', b'm[public.mood]:',
               b"p[public.posint]:'7'", b'ms[public.mood[]]:', b'PREPARE TRANSACTION',
               b'COMMIT PREPARED', "ünïcødé ✓ 🐘".encode(), b'unchanged-toast-datum',
               b'message: transactional: 1 prefix: wv.tx, sz: 21 content:transactional\ncontent'):
    if not any(needle in d for d in datas):
        bad.append('expected %r... in the recording' % needle[:60])
if len([d for d in datas if len(d) >= 2 * 1024 * 1024]) != 2:
    bad.append('expected two messages with 2 MB values')
for k in ('slot', 'server-version', 'system-identifier', 'plugin-options'):
    if k not in header:
        bad.append('header has no %s' % k)
if header.get('slot-kind') != 'permanent':
    bad.append('slot-kind is %r, expected permanent' % header.get('slot-kind'))

for b in bad:
    print(b)
print('%d messages recorded, %d peeked, %d bytes from pg_recvlogical' %
      (len(rec), len(peek), len(recvlogical)))
sys.exit(1 if bad else 0)
PY

# walviz decode reads the recording back without complaint.
"$WALVIZ" decode "$e2e_work/rec.wvr" >"$e2e_work/rec.jsonl" 2>"$e2e_work/decode.err" ||
    { cat "$e2e_work/decode.err"; fail "walviz decode cannot read the recording"; }

# The slot was told what was recorded: it stands at the end position.
confirmed=$(q "SELECT confirmed_flush_lsn >= '$E' FROM pg_replication_slots WHERE slot_name = '$rec'")
[ "$confirmed" = t ] ||
    fail "slot $rec did not confirm up to $E: confirmed_flush_lsn is $(q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$rec'")"
note "passed"
