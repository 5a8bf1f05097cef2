# bank: transfers as multi-statement transactions; some roll back and so
# never appear in the stream. The accounts are opened before the recording
# starts (transfers.sh records them being opened).
create_accounts() {
    $PSQL -c "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL CHECK (balance >= 0))"
}
open_accounts() {
    $PSQL -c "INSERT INTO accounts SELECT g, 'customer ' || g, 500 FROM generate_series(1, 8) g"
}
transfer_all() {
    i=0
    for pair in "1 2 50" "3 4 20" "5 1 75" "2 6 10" "7 8 300" "4 3 15" "8 1 40" "6 5 25" \
                "1 7 60" "3 2 35" "5 8 45" "2 4 5"; do
        set -- $pair
        i=$((i + 1))
        # every fourth transfer changes its mind
        end=COMMIT
        [ $((i % 4)) -eq 0 ] && end=ROLLBACK
        $PSQL -c "BEGIN" \
              -c "UPDATE accounts SET balance = balance - $3 WHERE id = $1" \
              -c "UPDATE accounts SET balance = balance + $3 WHERE id = $2" \
              -c "$end"
        sleep 0.5
    done
}
setup() {
    create_accounts
    open_accounts
}
workload() {
    transfer_all
}
