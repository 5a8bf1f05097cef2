# shards: accounts keyed by id, for sharding by id % 3: a transaction that
# touches every shard, transfers between two shards and within one, a
# deposit, a new account; and branches, a table with no id (every shard
# holds it, as a reference table).
setup() {
    $PSQL -c "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL CHECK (balance >= 0))" \
          -c "CREATE TABLE branches (code text PRIMARY KEY, city text NOT NULL)"
}
transfer() {
    $PSQL -c "BEGIN" \
          -c "UPDATE accounts SET balance = balance - $3 WHERE id = $1" \
          -c "UPDATE accounts SET balance = balance + $3 WHERE id = $2" \
          -c "COMMIT"
}
workload() {
    $PSQL -c "INSERT INTO branches VALUES ('LON', 'London'), ('PAR', 'Paris')"
    sleep 1
    $PSQL -c "INSERT INTO accounts SELECT g, 'customer ' || g, 100 * g FROM generate_series(1, 6) g"
    sleep 1
    transfer 1 2 50   # shards 1 and 2
    sleep 1
    $PSQL -c "UPDATE accounts SET balance = balance + 30 WHERE id = 3"   # shard 0 alone
    sleep 1
    transfer 4 1 25   # both on shard 1
    sleep 1
    $PSQL -c "INSERT INTO accounts VALUES (7, 'customer 7', 70)"   # shard 1
    sleep 1
    transfer 6 5 100  # shards 0 and 2
    sleep 1
}
