# bulk-load: one 20,000-row INSERT ... SELECT, then small transactions: a lag
# spike on slow links, then the catch-up.
setup() {
    $PSQL -c "CREATE TABLE readings (id int PRIMARY KEY, sensor text NOT NULL, value double precision NOT NULL, at timestamptz NOT NULL)"
}
workload() {
    $PSQL -c "INSERT INTO readings VALUES (1, 'boiler', 71.5, now())"
    sleep 1
    $PSQL -c "INSERT INTO readings SELECT g, 'sensor ' || (g % 40), (g % 1000) / 10.0, now() FROM generate_series(2, 20001) g"
    for i in 1 2 3 4 5 6 7 8; do
        sleep 0.4
        $PSQL -c "UPDATE readings SET value = value + 1 WHERE id = $i"
    done
}
