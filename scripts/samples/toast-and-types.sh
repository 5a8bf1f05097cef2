# toast-and-types: many types, quoted names, a large TOASTed value that an
# UPDATE leaves alone (unchanged-toast-datum), REPLICA IDENTITY FULL and a
# key change (old-key).
setup() {
    $PSQL -c "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')" \
          -c "CREATE DOMAIN positive AS int CHECK (VALUE > 0)" \
          -c "CREATE SCHEMA \"Shop Floor\"" \
          -c "CREATE TABLE \"Shop Floor\".\"Order Lines\" (\"Line No\" int PRIMARY KEY, \"Unit Price\" numeric, \"Note, with comma\" text)" \
          -c "CREATE TABLE kinds (id int PRIMARY KEY, i bigint, n numeric, r real, d double precision, b boolean,
                t text, v varchar(20), by bytea, j jsonb, a int[], ts timestamptz, dt date, iv interval,
                u uuid, bits bit(4), vb varbit, m mood, p positive)" \
          -c "CREATE TABLE documents (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL)" \
          -c "ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL" \
          -c "CREATE TABLE audit (who text, what text)" \
          -c "ALTER TABLE audit REPLICA IDENTITY FULL"
}
workload() {
    $PSQL -c "INSERT INTO kinds VALUES (1, 9007199254740993, 12345.678900, 1.5, 2.25e-10, true,
                'it''s a \"quote\", a tab	and a
newline, and unicode: żółw 🐢', 'varchar', '\\xDEADBEEF', '{\"k\": [1, 2, {\"x\": null}]}',
                '{1,2,3}', '2026-01-02 03:04:05.678+00', '2026-01-02', '1 day 02:03:04', 
                'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', B'1010', B'101', 'happy', 7)"
    sleep 0.5
    $PSQL -c "INSERT INTO kinds (id, t) VALUES (2, '')"
    sleep 0.5
    $PSQL -c "INSERT INTO \"Shop Floor\".\"Order Lines\" VALUES (1, 9.99, 'first, and only')"
    sleep 0.5
    $PSQL -c "INSERT INTO documents VALUES (1, 'draft', repeat('All work and no play. ', 1000))"
    sleep 0.5
    $PSQL -c "UPDATE documents SET title = 'final' WHERE id = 1"
    sleep 0.5
    $PSQL -c "UPDATE kinds SET id = 10 WHERE id = 2"
    sleep 0.5
    $PSQL -c "INSERT INTO audit VALUES ('ada', 'login'), ('grace', 'login')"
    sleep 0.5
    $PSQL -c "UPDATE audit SET what = 'logout' WHERE who = 'ada'"
    sleep 0.5
    $PSQL -c "DELETE FROM audit WHERE who = 'grace'"
    sleep 0.5
    $PSQL -c "DELETE FROM \"Shop Floor\".\"Order Lines\" WHERE \"Line No\" = 1"
}
