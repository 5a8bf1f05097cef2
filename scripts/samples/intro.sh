# intro: a handful of single-row INSERTs into a small table, slowly.
setup() {
    $PSQL -c "CREATE TABLE students (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL)"
}
workload() {
    for row in "1,'Ada','London'" "2,'Grace','New York'" "3,'Edsger','Amsterdam'" \
               "4,'Barbara','Boston'" "5,'Donald','Stanford'" "6,'Margaret','Boston'"; do
        $PSQL -c "INSERT INTO students VALUES ($row)"
        sleep 1
    done
}
