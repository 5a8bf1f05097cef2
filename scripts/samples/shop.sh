# shop: several tables; INSERT, UPDATE, DELETE, TRUNCATE and logical messages.
setup() {
    $PSQL -c "CREATE TABLE products (sku text PRIMARY KEY, name text NOT NULL, price numeric(8,2) NOT NULL)" \
          -c "CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, status text NOT NULL)" \
          -c "CREATE TABLE order_items (order_id int REFERENCES orders ON DELETE CASCADE, line int, sku text REFERENCES products, qty int NOT NULL, PRIMARY KEY (order_id, line))" \
          -c "CREATE TABLE cart_events (id serial PRIMARY KEY, what text NOT NULL)"
}
workload() {
    $PSQL -c "INSERT INTO products VALUES ('MUG-1', 'mug', 8.50), ('TEA-2', 'green tea', 4.20), ('PEN-3', 'pen', 1.99)"
    sleep 0.7
    for id in 1 2 3; do
        $PSQL -c "BEGIN" -c "INSERT INTO orders VALUES ($id, 'customer $id', 'new')" \
              -c "INSERT INTO order_items VALUES ($id, 1, 'MUG-1', $id), ($id, 2, 'TEA-2', 1)" \
              -c "SELECT pg_logical_emit_message(true, 'shop', 'order $id placed')" -c "COMMIT"
        sleep 0.7
    done
    $PSQL -c "INSERT INTO cart_events (what) SELECT 'viewed ' || g FROM generate_series(1, 5) g"
    sleep 0.5
    $PSQL -c "UPDATE orders SET status = 'shipped' WHERE id = 1"
    sleep 0.5
    $PSQL -c "UPDATE products SET price = 9.00 WHERE sku = 'MUG-1'"
    sleep 0.5
    $PSQL -c "SELECT pg_logical_emit_message(false, 'shop', 'price list changed')"
    sleep 0.5
    $PSQL -c "BEGIN" -c "DELETE FROM order_items WHERE order_id = 2" -c "DELETE FROM orders WHERE id = 2" -c "COMMIT"
    sleep 0.5
    $PSQL -c "TRUNCATE cart_events"
    sleep 0.5
    $PSQL -c "UPDATE orders SET status = 'shipped' WHERE id = 3"
}
