# two-phase-and-streaming: prepared transactions (decoded at PREPARE: the
# slot has two-phase), and large transactions decoded in streamed blocks
# before they commit (stream-changes, with the cluster's small
# logical_decoding_work_mem), one committed and one aborted.
RECORD_OPTIONS="-o stream-changes=1"
setup() {
    $PSQL -c "CREATE TABLE ledger (id int PRIMARY KEY, amount numeric NOT NULL)" \
          -c "CREATE TABLE bulk (id int PRIMARY KEY, payload text NOT NULL)"
}
workload() {
    $PSQL -c "BEGIN" -c "INSERT INTO ledger VALUES (1, 100), (2, -100)" -c "PREPARE TRANSACTION 'transfer-1'"
    sleep 1
    $PSQL -c "COMMIT PREPARED 'transfer-1'"
    sleep 0.5
    $PSQL -c "BEGIN" -c "INSERT INTO ledger VALUES (3, 50)" -c "PREPARE TRANSACTION 'transfer-2'"
    sleep 1
    $PSQL -c "ROLLBACK PREPARED 'transfer-2'"
    sleep 0.5
    $PSQL -c "INSERT INTO bulk SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g"
    sleep 0.5
    $PSQL -c "BEGIN" -c "INSERT INTO bulk SELECT g, repeat('y', 100) FROM generate_series(3001, 6000) g" -c "ROLLBACK"
    sleep 0.5
    $PSQL -c "INSERT INTO ledger VALUES (4, 1)"
}
