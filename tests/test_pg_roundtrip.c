/* test_pg_roundtrip: test_decoding output of a real server, decoded and
 * checked against the database it came from.
 *
 * The group setup creates a database of its own and a two-phase
 * test_decoding slot in it, runs a workload (many types, quoted names,
 * every kind of change, messages, savepoints, an abort, two-phase commit
 * and rollback), then peeks the slot once. The tests decode that output:
 *  - every row decodes, with xids, timestamps and BEGIN/COMMIT brackets
 *    where they belong;
 *  - column names and types match pg_attribute and format_type, and each
 *    value is printed bare, quoted or as bits as its type says;
 *  - replaying the changes on an in-memory copy of the tables (commits
 *    applied, aborted and rolled-back prepared transactions dropped) gives
 *    exactly what SELECT returns, value for value;
 *  - the sequence of operations, keys, messages and gids is the expected one.
 * Values are compared with what each type's output function prints (SELECT
 * col in text mode), which is what test_decoding prints, except booleans,
 * which it spells true/false as bool::text does. col::text would not do
 * for all: char(n)'s cast to text drops the padding the plugin keeps. The peek and
 * the SELECTs run in one session with fixed DateStyle, TimeZone,
 * IntervalStyle, bytea_output and extra_float_digits.
 *
 * The database and the slot are dropped at the end, and dropped if left
 * over at the start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "walviz/decode.h"
#include "walviz/util.h"

#define DBNAME "walviz_roundtrip"
#define SLOT "wv_rt"
/* Longer values are shown as "<N bytes>" in operation signatures. */
#define SIG_VALUE_MAX 40

static const char *const session_settings[] = {
    "SET DateStyle = ISO",
    "SET TimeZone = 'UTC'",
    "SET extra_float_digits = 3",
    "SET bytea_output = hex",
    "SET IntervalStyle = postgres",
    /* The peek reads only WAL that is flushed; tests/pg/cluster sets
     * synchronous_commit = off, which leaves the last commits unflushed
     * (and silently missing from the peek) for up to wal_writer_delay. */
    "SET synchronous_commit = on",
};

static const char *const schema_sql[] = {
    "CREATE TYPE mood AS ENUM ('sad', 'it''s ok', 'happy')",
    "CREATE TYPE \"odd]:type\" AS ENUM ('a b', 'c]:d')",
    "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
    "CREATE DOMAIN note AS text",
    "CREATE SCHEMA \"My Schema\"",
    "CREATE TYPE \"My Schema\".color AS ENUM ('red', 'green')",
    /* Only inserted into: the value check compares every row of it. */
    "CREATE TABLE types ("
    " id int PRIMARY KEY, c_gone int, c_int int, c_big bigint, c_small smallint,"
    " c_num numeric, c_real real, c_dbl double precision, c_bool bool, c_text text,"
    " c_vc varchar(20), c_ch char(3), c_bytea bytea, c_jsonb jsonb, c_ia int[], c_ta text[],"
    " c_tstz timestamptz, c_date date, c_iv interval, c_uuid uuid, c_bit bit(4), c_vbit varbit,"
    " c_mood mood, c_odd \"odd]:type\", c_color \"My Schema\".color, c_dom posint, c_note note,"
    " c_gen bigint GENERATED ALWAYS AS (c_int::bigint * 2) STORED)",
    /* A dropped column leaves a gap in attnum that the plugin skips. */
    "ALTER TABLE types DROP COLUMN c_gone",
    "CREATE TABLE \"My Schema\".\"Weird\"\"Table\" ("
    " \"x\"\"y\" int PRIMARY KEY, \"Col With Space\" text, \"a]:b\" int, \"select\" text,"
    " \"MixedCase\" text, \"żółw\" text, \"new-tuple:\" text)",
    "CREATE TABLE upd (id int PRIMARY KEY, v text, n int)",
    "CREATE TABLE updfull (id int PRIMARY KEY, v text, n int)",
    "ALTER TABLE updfull REPLICA IDENTITY FULL",
    "CREATE TABLE nokey (id int, v text)",
    "CREATE TABLE toasty (id int PRIMARY KEY, big text, n int)",
    "ALTER TABLE toasty ALTER COLUMN big SET STORAGE EXTERNAL",
    "CREATE TABLE ta (id serial PRIMARY KEY, v text)",
    "CREATE TABLE tb (id serial PRIMARY KEY, v text)",
    "CREATE TABLE tc (id serial PRIMARY KEY, b int REFERENCES tb (id))",
};

/* Run after the slot exists; one statement per entry. */
static const char *const workload_sql[] = {
    "BEGIN",
    "INSERT INTO types (id, c_int, c_big, c_small, c_num, c_real, c_dbl, c_bool, c_text, c_vc,"
    " c_ch, c_bytea, c_jsonb, c_ia, c_ta, c_tstz, c_date, c_iv, c_uuid, c_bit, c_vbit, c_mood,"
    " c_odd, c_color, c_dom, c_note) VALUES"
    " (1, 42, 9223372036854775807, -32768, 123.456, 1.5, 3.141592653589793, true,"
    "  'it''s a \"test\"', 'hello', 'ab', '\\xdeadbeef',"
    "  '{\"a\": [1, 2, {\"b\": \"it''s\"}], \"c\": null}', '{1,2,3}',"
    "  '{\"a b\",\"c\\\"d\",NULL,\"NULL\",\"\"}', '2024-02-29 12:34:56.789+02', '2024-02-29',"
    "  '1 year 2 mons -3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', B'1010',"
    "  B'101', 'happy', 'c]:d', 'red', 7, 'note''s text'),"
    " (3, 0, -9223372036854775808, 32767, 'NaN', 'NaN', '-Infinity', false,"
    "  'line1\nline2\r\n\ttabbed \\ back\\\\slash '''' żółw 🐢', 'żółw 🐢 ''q'' \\ tab\t',"
    "  'żó', '', '\"str \\\" quote, \\\\ backslash, \\n newline, żółw\"', '{}',"
    "  '{\"multi\nline\",\"tab\there\",\"back\\\\slash\",\"q''uote\"}', 'infinity', '-infinity',"
    "  '-178000000 years', '00000000-0000-0000-0000-000000000000', B'0000', B'', 'it''s ok',"
    "  'a b', 'green', 1, ''),"
    " (4, -1, 0, 0, 'Infinity', '-0', '4.9e-324', NULL, '', 'a''b', 'x', '\\x00ff7f80', '[]',"
    "  '{{1,2},{3,4}}', '{NULL}', '1999-12-31 23:59:59.999999+14', '0044-03-15 BC', '0',"
    "  'ffffffff-ffff-ffff-ffff-ffffffffffff', B'1111', B'0', 'sad', NULL, NULL, NULL, NULL),"
    " (5, 2147483647, -1, -1, 123456789012345678901234567890.123456789012345678901234567890,"
    "  3.4028235e38, 1e308, true, ' new-tuple: id[integer]:1 ', 'null', '''''',"
    "  '\\x27', '{\"k]:\": \"x'' new-tuple: y\"}', '{-2147483648,2147483647}',"
    "  '{\"]:\",\"'' ''\",\"\\\"x\\\"\"}', '2000-01-01 00:00:00+00', '2000-01-01',"
    "  '-1 days +23:59:59.999999', '12345678-1234-5678-1234-567812345678', B'0101', B'1',"
    "  'happy', 'a b', 'red', 2147483647, 'unchanged-toast-datum'),"
    " (6, -2147483648, 1, 1, '-Infinity', 'Infinity', '-0', false, '''', 'B''1010''', '\"]:',"
    "  '\\x5c6e', 'null', '{NULL,NULL}', '{null,\"\"}', '1970-01-01 00:00:00.5-03:30',"
    "  '1970-01-01', '-00:00:00.000001', '0badc0de-0000-4000-8000-00000000cafe', B'1001', NULL,"
    "  NULL, 'c]:d', 'green', 5, 'end''')",
    "INSERT INTO types (id) VALUES (2)",
    "COMMIT",
    "INSERT INTO \"My Schema\".\"Weird\"\"Table\" VALUES"
    " (1, 'x y', 3, 'null', 'Mixed', 'żółw 🐢', 'new-tuple: x[text]:''y'''),"
    " (2, ' ', -1, '', NULL, '\"', ']:')",
    "INSERT INTO \"My Schema\".\"Weird\"\"Table\" (\"x\"\"y\") VALUES (3)",
    "INSERT INTO upd VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', NULL)",
    "INSERT INTO updfull VALUES (1, 'a', NULL), (2, 'b', 2), (3, 'c', 3)",
    "INSERT INTO nokey VALUES (1, 'n1')",
    "INSERT INTO toasty SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 100) i",
    "INSERT INTO ta (v) VALUES ('a1'), ('a2')",
    "INSERT INTO tb (v) VALUES ('b1')",
    "INSERT INTO tc (b) VALUES (1)",
    "UPDATE upd SET v = 'uno' WHERE id = 1",
    "UPDATE upd SET id = 20 WHERE id = 2",
    "UPDATE updfull SET n = 5 WHERE id = 1",
    "UPDATE updfull SET id = 30, v = 'c''' WHERE id = 3",
    "UPDATE \"My Schema\".\"Weird\"\"Table\" SET \"x\"\"y\" = 200 WHERE \"x\"\"y\" = 2",
    "UPDATE nokey SET v = 'n2'",
    "UPDATE toasty SET n = 2",
    "DELETE FROM upd WHERE id = 3",
    "DELETE FROM updfull WHERE id = 2",
    "DELETE FROM nokey",
    "TRUNCATE ta",
    "INSERT INTO ta (v) VALUES ('a3')",
    "TRUNCATE ta, tb RESTART IDENTITY CASCADE",
    "INSERT INTO ta (v) VALUES ('a4')",
    "SELECT pg_logical_emit_message(true, 'wv, sz: 3 content:', 'two\nlines')",
    "SELECT pg_logical_emit_message(false, 'wv-nt',"
    " '\nnon-transactional\n\ttab \\ back ''q'' żółw 🐢\n')",
    /* A transaction of several statements, with savepoints. */
    "BEGIN",
    "INSERT INTO upd VALUES (4, 'multi\nline', 4)",
    "UPDATE upd SET n = n + 100 WHERE id = 4",
    "SAVEPOINT s1",
    "INSERT INTO upd VALUES (5, 'ABORTED', 5)",
    "ROLLBACK TO SAVEPOINT s1",
    "SAVEPOINT s2",
    "INSERT INTO upd VALUES (6, 'sub', 6)",
    "RELEASE SAVEPOINT s2",
    "SELECT pg_logical_emit_message(true, 'wv-tx', 'in the middle')",
    "DELETE FROM upd WHERE id = 20",
    "COMMIT",
    /* Rolled back: only the non-transactional message survives. */
    "BEGIN",
    "INSERT INTO upd VALUES (7, 'ABORTED', 7)",
    "UPDATE upd SET v = 'ABORTED' WHERE id = 1",
    "SELECT pg_logical_emit_message(false, 'wv-nt-aborted', 'kept')",
    "ROLLBACK",
    /* Two-phase: committed, then rolled back (a gid with ' and \). */
    "BEGIN",
    "INSERT INTO ta (v) VALUES ('prepared')",
    "UPDATE upd SET v = 'prepared' WHERE id = 1",
    "PREPARE TRANSACTION 'gid1'",
    "COMMIT PREPARED 'gid1'",
    "BEGIN",
    "INSERT INTO upd VALUES (8, 'PREPARED THEN ROLLED BACK', 8)",
    "PREPARE TRANSACTION 'it''s \\gid2'",
    "ROLLBACK PREPARED 'it''s \\gid2'",
};

/* What the stream must say, one signature per row (see signature()).
 * Tables marked key_only in key_only_tables show their key columns alone. */
static const char *const expected_ops[] = {
    "BEGIN",
    "INSERT public.types new(id=1)",
    "INSERT public.types new(id=3)",
    "INSERT public.types new(id=4)",
    "INSERT public.types new(id=5)",
    "INSERT public.types new(id=6)",
    "INSERT public.types new(id=2)",
    "COMMIT",
    "BEGIN",
    "INSERT My Schema.Weird\"Table new(x\"y=1)",
    "INSERT My Schema.Weird\"Table new(x\"y=2)",
    "COMMIT",
    "BEGIN",
    "INSERT My Schema.Weird\"Table new(x\"y=3)",
    "COMMIT",
    "BEGIN",
    "INSERT public.upd new(id=1 v=one n=1)",
    "INSERT public.upd new(id=2 v=two n=2)",
    "INSERT public.upd new(id=3 v=three n=null)",
    "COMMIT",
    "BEGIN",
    "INSERT public.updfull new(id=1 v=a n=null)",
    "INSERT public.updfull new(id=2 v=b n=2)",
    "INSERT public.updfull new(id=3 v=c n=3)",
    "COMMIT",
    "BEGIN",
    "INSERT public.nokey new(id=1 v=n1)",
    "COMMIT",
    "BEGIN",
    "INSERT public.toasty new(id=1 big=<3200 bytes> n=1)",
    "COMMIT",
    "BEGIN",
    "INSERT public.ta new(id=1 v=a1)",
    "INSERT public.ta new(id=2 v=a2)",
    "COMMIT",
    "BEGIN",
    "INSERT public.tb new(id=1 v=b1)",
    "COMMIT",
    "BEGIN",
    "INSERT public.tc new(id=1 b=1)",
    "COMMIT",
    /* REPLICA IDENTITY DEFAULT: the old key only when the key changes. */
    "BEGIN",
    "UPDATE public.upd new(id=1 v=uno n=1)",
    "COMMIT",
    "BEGIN",
    "UPDATE public.upd old(id=2) new(id=20 v=two n=2)",
    "COMMIT",
    /* FULL: the whole old row, without its NULL columns. */
    "BEGIN",
    "UPDATE public.updfull old(id=1 v=a) new(id=1 v=a n=5)",
    "COMMIT",
    "BEGIN",
    "UPDATE public.updfull old(id=3 v=c n=3) new(id=30 v=c' n=3)",
    "COMMIT",
    "BEGIN",
    "UPDATE My Schema.Weird\"Table old(x\"y=2) new(x\"y=200)",
    "COMMIT",
    "BEGIN",
    "UPDATE public.nokey new(id=1 v=n2)",
    "COMMIT",
    "BEGIN",
    "UPDATE public.toasty new(id=1 big=unchanged-toast-datum n=2)",
    "COMMIT",
    "BEGIN",
    "DELETE public.upd old(id=3)",
    "COMMIT",
    "BEGIN",
    "DELETE public.updfull old(id=2 v=b n=2)",
    "COMMIT",
    "BEGIN",
    "DELETE public.nokey (no-tuple-data)",
    "COMMIT",
    "BEGIN",
    "TRUNCATE public.ta",
    "COMMIT",
    "BEGIN",
    "INSERT public.ta new(id=3 v=a3)",
    "COMMIT",
    "BEGIN",
    "TRUNCATE public.ta, public.tb, public.tc restart_seqs cascade",
    "COMMIT",
    "BEGIN",
    "INSERT public.ta new(id=1 v=a4)",
    "COMMIT",
    "BEGIN",
    "MESSAGE transactional=1 prefix=[wv, sz: 3 content:] content=[two\nlines]",
    "COMMIT",
    "MESSAGE transactional=0 prefix=[wv-nt] content=[\nnon-transactional\n\ttab \\ back 'q' "
    "żółw 🐢\n]",
    "BEGIN",
    "INSERT public.upd new(id=4 v=multi\nline n=4)",
    "UPDATE public.upd new(id=4 v=multi\nline n=104)",
    "INSERT public.upd new(id=6 v=sub n=6)",
    "MESSAGE transactional=1 prefix=[wv-tx] content=[in the middle]",
    "DELETE public.upd old(id=20)",
    "COMMIT",
    "MESSAGE transactional=0 prefix=[wv-nt-aborted] content=[kept]",
    "BEGIN",
    "INSERT public.ta new(id=2 v=prepared)",
    "UPDATE public.upd new(id=1 v=prepared n=1)",
    "PREPARE gid1",
    "COMMIT PREPARED gid1",
    "BEGIN",
    "INSERT public.upd new(id=8 v=PREPARED THEN ROLLED BACK n=8)",
    "PREPARE it's \\gid2",
    "ROLLBACK PREPARED it's \\gid2",
};

/* Tables whose signatures show only their key columns. */
static const char *const key_only_tables[] = { "types", "Weird\"Table" };

typedef struct rt_col {
    char *name;
    char *type; /* format_type(atttypid, NULL) */
    bool key;   /* in the primary key */
} rt_col;

typedef struct rt_row {
    char **vals; /* one per column, NULL for SQL NULL */
} rt_row;

typedef struct rt_table {
    char *schema, *name;
    bool full;      /* REPLICA IDENTITY FULL */
    bool has_key;   /* has a primary key: the replay can find its rows */
    bool replayable; /* false once an UPDATE/DELETE could not name its row */
    rt_col *cols;
    size_t ncols;
    rt_row *rows; /* the replayed contents */
    size_t nrows, rows_cap;
} rt_table;

/* A prepared transaction waiting for COMMIT/ROLLBACK PREPARED. */
typedef struct rt_prepared {
    char *gid;
    int *rows; /* indexes of its change rows */
    size_t nrows;
} rt_prepared;

typedef struct rt {
    PGconn *admin; /* to the server's default database */
    PGconn *conn;  /* to DBNAME, with session_settings */
    bool created;  /* DBNAME exists because of us */
    PGresult *changes; /* lsn, xid, data */
    int nchanges;
    wv_decoder *dec;
    rt_table *tables;
    size_t ntables;
    double setup_seconds;
} rt;

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs one statement; prints it and the server's error when it fails. */
static bool run_sql(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "test_pg_roundtrip: this statement failed:\n  %s\n  %s", sql,
                PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Returns the result of a query that must return rows, or NULL after
 * printing why not. */
static PGresult *query(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    fprintf(stderr, "test_pg_roundtrip: this query failed:\n  %s\n  %s", sql,
            PQresultErrorMessage(r));
    PQclear(r);
    return NULL;
}

static PGconn *connect_to(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
        fprintf(stderr,
                "test_pg_roundtrip: cannot connect to PostgreSQL (conninfo \"%s\", PGHOST=%s, "
                "PGPORT=%s): %s"
                "test_pg_roundtrip: it needs a server with wal_level=logical; tests/run starts "
                "one with tests/pg/cluster\n",
                conninfo, host ? host : "(unset)", port ? port : "(unset)", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notices, NULL);
    return c;
}

/* Rolls back prepared transactions left in DBNAME; they would keep it
 * from being dropped. c is connected to DBNAME. */
static void rollback_prepared(PGconn *c)
{
    PGresult *r = query(c, "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()");
    if (!r)
        return;
    for (int i = 0; i < PQntuples(r); i++) {
        char *gid = PQescapeLiteral(c, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
        if (!gid)
            continue;
        wv_buf sql;
        wv_buf_init(&sql);
        wv_buf_printf(&sql, "ROLLBACK PREPARED %s", gid);
        wv_buf_append(&sql, "", 1);
        run_sql(c, sql.data);
        wv_buf_destroy(&sql);
        PQfreemem(gid);
    }
    PQclear(r);
}

/* Drops the slot and the database if they exist. The slot goes first: a
 * database with a logical slot cannot be dropped. */
static bool drop_all(PGconn *admin)
{
    bool ok = run_sql(admin, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                             " WHERE slot_name = '" SLOT "'");
    PGresult *r = query(admin, "SELECT 1 FROM pg_database WHERE datname = '" DBNAME "'");
    if (!r)
        return false;
    bool exists = PQntuples(r) > 0;
    PQclear(r);
    if (!exists)
        return ok;
    PGconn *c = connect_to("dbname=" DBNAME);
    if (c) {
        rollback_prepared(c);
        PQfinish(c);
    }
    return run_sql(admin, "DROP DATABASE IF EXISTS " DBNAME " WITH (FORCE)") && ok;
}

static char *xstrdup_or_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : wv_xstrdup(PQgetvalue(r, row, col));
}

/* Loads every user table's columns, in attnum order, with their types as
 * format_type prints them in this session. */
static bool load_catalog(rt *t)
{
    PGresult *r = query(
        t->conn,
        "SELECT n.nspname, c.relname, c.relreplident = 'f', a.attname,"
        " format_type(a.atttypid, NULL), coalesce(a.attnum = ANY (i.indkey), false),"
        " i.indrelid IS NOT NULL"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
        " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
        " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg_toast%'"
        " ORDER BY n.nspname, c.relname, a.attnum");
    if (!r)
        return false;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *schema = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1);
        rt_table *tab = t->ntables ? &t->tables[t->ntables - 1] : NULL;
        if (!tab || strcmp(tab->schema, schema) != 0 || strcmp(tab->name, name) != 0) {
            t->tables = wv_xrealloc(t->tables, (t->ntables + 1) * sizeof *t->tables);
            tab = &t->tables[t->ntables++];
            memset(tab, 0, sizeof *tab);
            tab->schema = wv_xstrdup(schema);
            tab->name = wv_xstrdup(name);
            tab->full = PQgetvalue(r, i, 2)[0] == 't';
            tab->has_key = PQgetvalue(r, i, 6)[0] == 't';
            tab->replayable = true;
        }
        tab->cols = wv_xrealloc(tab->cols, (tab->ncols + 1) * sizeof *tab->cols);
        rt_col *col = &tab->cols[tab->ncols++];
        col->name = wv_xstrdup(PQgetvalue(r, i, 3));
        col->type = wv_xstrdup(PQgetvalue(r, i, 4));
        col->key = PQgetvalue(r, i, 5)[0] == 't';
    }
    PQclear(r);
    return true;
}

static void free_rows(rt_table *tab)
{
    for (size_t i = 0; i < tab->nrows; i++) {
        for (size_t j = 0; j < tab->ncols; j++)
            free(tab->rows[i].vals[j]);
        free(tab->rows[i].vals);
    }
    tab->nrows = 0;
}

static void free_catalog(rt *t)
{
    for (size_t i = 0; i < t->ntables; i++) {
        rt_table *tab = &t->tables[i];
        free_rows(tab);
        free(tab->rows);
        for (size_t j = 0; j < tab->ncols; j++) {
            free(tab->cols[j].name);
            free(tab->cols[j].type);
        }
        free(tab->cols);
        free(tab->schema);
        free(tab->name);
    }
    free(t->tables);
    t->tables = NULL;
    t->ntables = 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything the tests read; false after printing what failed. */
static bool prepare(rt *t)
{
    double start = now_seconds();
    t->dec = wv_decode_new();
    t->admin = connect_to("");
    if (!t->admin)
        return false;
    if (!drop_all(t->admin) || !run_sql(t->admin, "CREATE DATABASE " DBNAME))
        return false;
    t->created = true;
    t->conn = connect_to("dbname=" DBNAME);
    if (!t->conn)
        return false;
    for (size_t i = 0; i < sizeof session_settings / sizeof *session_settings; i++)
        if (!run_sql(t->conn, session_settings[i]))
            return false;
    for (size_t i = 0; i < sizeof schema_sql / sizeof *schema_sql; i++)
        if (!run_sql(t->conn, schema_sql[i]))
            return false;
    /* two_phase = true: PREPARE TRANSACTION is decoded at prepare time. */
    if (!run_sql(t->conn, "SELECT pg_create_logical_replication_slot('" SLOT "', 'test_decoding',"
                          " false, true)"))
        return false;
    for (size_t i = 0; i < sizeof workload_sql / sizeof *workload_sql; i++)
        if (!run_sql(t->conn, workload_sql[i]))
            return false;
    t->changes = query(t->conn, "SELECT lsn, xid, data FROM pg_logical_slot_peek_changes('" SLOT
                                "', NULL, NULL, 'include-xids', '1', 'include-timestamp', '1')");
    if (!t->changes)
        return false;
    t->nchanges = PQntuples(t->changes);
    if (!load_catalog(t))
        return false;
    t->setup_seconds = now_seconds() - start;
    return true;
}

static int group_teardown(void **state)
{
    rt *t = *state;
    if (!t)
        return 0;
    int rc = 0;
    PQclear(t->changes);
    /* drop_all reconnects to roll back prepared transactions: this
     * session may be stuck in a failed transaction. */
    PQfinish(t->conn);
    if (t->admin) {
        if (t->created && !drop_all(t->admin))
            rc = -1;
        PQfinish(t->admin);
    }
    free_catalog(t);
    wv_decode_free(t->dec);
    if (t->setup_seconds > 0)
        printf("test_pg_roundtrip: setup (database, workload, peek) took %.2f s\n",
               t->setup_seconds);
    free(t);
    *state = NULL;
    return rc;
}

static int group_setup(void **state)
{
    rt *t = wv_xcalloc(1, sizeof *t);
    *state = t;
    /* On failure cmocka still runs group_teardown, which drops what exists. */
    return prepare(t) ? 0 : -1;
}

/* ---- helpers over decoded rows ---- */

static const char *row_data(const rt *t, int i)
{
    return PQgetvalue(t->changes, i, 2);
}

static const char *row_lsn(const rt *t, int i)
{
    return PQgetvalue(t->changes, i, 0);
}

static uint32_t row_xid(const rt *t, int i)
{
    return (uint32_t)strtoul(PQgetvalue(t->changes, i, 1), NULL, 10);
}

/* Decodes row i with d, failing the test with the row's text when it does
 * not decode. */
static void decode_row(const rt *t, wv_decoder *d, int i, wv_change *c)
{
    const char *data = row_data(t, i);
    size_t len = (size_t)PQgetlength(t->changes, i, 2);
    if (wv_decode_message(d, data, len, c) != WV_DECODE_OK)
        fail_msg("row %d (lsn %s) does not decode: %s (at offset %zu)\n  text: %s", i,
                 row_lsn(t, i), wv_decode_error(d), wv_decode_error_offset(d), data);
}

static char *ident_dup(wv_slice s)
{
    char *out = wv_xmalloc(s.len + 1);
    out[wv_decode_ident(s, out)] = '\0';
    return out;
}

/* The value as the type's output function printed it; NULL for null and
 * for an unchanged TOAST datum. */
static char *value_dup(const wv_column *c)
{
    if (c->kind == WV_VAL_NULL || c->kind == WV_VAL_TOAST)
        return NULL;
    if (c->kind == WV_VAL_BARE)
        return wv_slice_dup(c->value);
    char *out = wv_xmalloc(c->value.len + 1);
    out[wv_decode_literal(c->value, false, out)] = '\0';
    return out;
}

static bool ident_is(wv_slice s, const char *name)
{
    char *d = ident_dup(s);
    bool eq = strcmp(d, name) == 0;
    free(d);
    return eq;
}

/* The catalog table a decoded relation name stands for, or NULL. */
static rt_table *find_table(const rt *t, const wv_relname *rel)
{
    if (!rel->schema.ptr)
        return NULL;
    for (size_t i = 0; i < t->ntables; i++)
        if (ident_is(rel->schema, t->tables[i].schema) && ident_is(rel->table, t->tables[i].name))
            return &t->tables[i];
    return NULL;
}

static rt_table *need_table(const rt *t, int i, const wv_relname *rel)
{
    rt_table *tab = find_table(t, rel);
    if (!tab)
        fail_msg("row %d names table %.*s.%.*s, which is not in pg_class\n  text: %s", i,
                 (int)rel->schema.len, rel->schema.ptr ? rel->schema.ptr : "",
                 (int)rel->table.len, rel->table.ptr, row_data(t, i));
    return tab;
}

/* Index of the column named by a decoded name, or -1. */
static int col_index(const rt_table *tab, wv_slice name)
{
    char *n = ident_dup(name);
    int found = -1;
    for (size_t i = 0; i < tab->ncols; i++)
        if (strcmp(tab->cols[i].name, n) == 0)
            found = (int)i;
    free(n);
    return found;
}

static bool is_change(wv_op op)
{
    return op == WV_OP_INSERT || op == WV_OP_UPDATE || op == WV_OP_DELETE;
}

/* ---- test: every row decodes, in well-formed transactions ---- */

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+00": ISO in UTC, as the session says. */
static bool iso_utc_timestamp(wv_slice s)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    size_t n = sizeof shape - 1;
    if (s.len < n + 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (shape[i] == 'd' ? !(s.ptr[i] >= '0' && s.ptr[i] <= '9') : s.ptr[i] != shape[i])
            return false;
    size_t i = n;
    if (s.ptr[i] == '.') {
        i++;
        size_t digits = 0;
        while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9')
            i++, digits++;
        if (digits == 0 || digits > 6)
            return false;
    }
    return s.len - i == 3 && memcmp(s.ptr + i, "+00", 3) == 0;
}

static void test_every_row_decodes(void **state)
{
    rt *t = *state;
    assert_true(t->nchanges > 0);
    bool in_txn = false;
    uint32_t txn_xid = 0;
    size_t counts[WV_OP_COUNT] = { 0 };
    for (int i = 0; i < t->nchanges; i++) {
        wv_change c;
        decode_row(t, t->dec, i, &c);
        counts[c.op]++;
        const char *lsn = row_lsn(t, i), *data = row_data(t, i);
        uint64_t lsn_value;
        if (wv_lsn_parse(lsn, strlen(lsn), &lsn_value) < 0)
            fail_msg("row %d: lsn column '%s' does not parse as an LSN", i, lsn);
        uint32_t xid = row_xid(t, i);

        bool brackets = c.op == WV_OP_BEGIN || c.op == WV_OP_COMMIT || c.op == WV_OP_PREPARE ||
                        c.op == WV_OP_COMMIT_PREPARED || c.op == WV_OP_ROLLBACK_PREPARED;
        if (brackets && !c.has_xid)
            fail_msg("row %d: expected an xid (include-xids is on), decoded none\n  text: %s", i,
                     data);
        if (c.has_xid && c.xid != xid)
            fail_msg("row %d: expected xid %u (the xid column), decoded %u\n  text: %s", i, xid,
                     c.xid, data);
        bool timed = brackets && c.op != WV_OP_BEGIN;
        if (timed && !iso_utc_timestamp(c.timestamp))
            fail_msg("row %d: expected a timestamp like '2024-01-02 03:04:05.123+00', decoded "
                     "'%.*s'\n  text: %s",
                     i, (int)c.timestamp.len, c.timestamp.ptr ? c.timestamp.ptr : "", data);
        if (!timed && c.timestamp.ptr)
            fail_msg("row %d: expected no timestamp on %s, decoded '%.*s'", i, wv_op_name(c.op),
                     (int)c.timestamp.len, c.timestamp.ptr);

        switch (c.op) {
        case WV_OP_BEGIN:
            if (in_txn)
                fail_msg("row %d: BEGIN %u inside transaction %u", i, xid, txn_xid);
            in_txn = true;
            txn_xid = xid;
            break;
        case WV_OP_COMMIT:
        case WV_OP_PREPARE:
            if (!in_txn || xid != txn_xid)
                fail_msg("row %d: %s %u, expected it to close transaction %u (open: %s)", i,
                         wv_op_name(c.op), xid, txn_xid, in_txn ? "yes" : "no");
            in_txn = false;
            break;
        case WV_OP_COMMIT_PREPARED:
        case WV_OP_ROLLBACK_PREPARED:
            /* They stand alone, without a BEGIN. */
            if (in_txn)
                fail_msg("row %d: %s inside transaction %u", i, wv_op_name(c.op), txn_xid);
            break;
        case WV_OP_MESSAGE:
            if (c.transactional != in_txn)
                fail_msg("row %d: a %s message %s a transaction", i,
                         c.transactional ? "transactional" : "non-transactional",
                         in_txn ? "inside" : "outside");
            if (c.transactional && xid != txn_xid)
                fail_msg("row %d: message in transaction %u has xid %u", i, txn_xid, xid);
            if (!c.has_content || c.content.len != c.size)
                fail_msg("row %d: expected %zu bytes of content, decoded %zu", i, c.size,
                         c.content.len);
            break;
        case WV_OP_INSERT:
        case WV_OP_UPDATE:
        case WV_OP_DELETE:
        case WV_OP_TRUNCATE:
            if (!in_txn || xid != txn_xid)
                fail_msg("row %d: %s with xid %u outside its transaction (open: %s, xid %u)", i,
                         wv_op_name(c.op), xid, in_txn ? "yes" : "no", txn_xid);
            break;
        default:
            fail_msg("row %d: unexpected %s without stream-changes\n  text: %s", i,
                     wv_op_name(c.op), data);
        }
    }
    if (in_txn)
        fail_msg("the stream ends inside transaction %u", txn_xid);
    /* The workload produces each of these at least once. */
    static const wv_op seen[] = { WV_OP_BEGIN,   WV_OP_COMMIT,          WV_OP_INSERT,
                                  WV_OP_UPDATE,  WV_OP_DELETE,          WV_OP_TRUNCATE,
                                  WV_OP_MESSAGE, WV_OP_PREPARE,         WV_OP_COMMIT_PREPARED,
                                  WV_OP_ROLLBACK_PREPARED };
    for (size_t k = 0; k < sizeof seen / sizeof *seen; k++)
        if (counts[seen[k]] == 0)
            fail_msg("expected at least one %s in the stream, found none", wv_op_name(seen[k]));
}

/* ---- test: names, types and value kinds against the catalog ---- */

static wv_value_kind kind_for_type(const char *type)
{
    /* test_decoding prints these bare; a domain over them is quoted. */
    static const char *const bare[] = { "smallint", "integer",          "bigint", "oid",
                                        "real",     "double precision", "numeric", "boolean" };
    for (size_t i = 0; i < sizeof bare / sizeof *bare; i++)
        if (strcmp(type, bare[i]) == 0)
            return WV_VAL_BARE;
    if (strcmp(type, "bit") == 0 || strcmp(type, "bit varying") == 0)
        return WV_VAL_BITS;
    return WV_VAL_QUOTED;
}

static const char *kind_name(wv_value_kind k)
{
    static const char *const names[] = { "null", "unchanged-toast-datum", "bare", "quoted",
                                         "bits" };
    return names[k];
}

/* Checks one tuple's columns against the table: all columns in order for
 * a new tuple; for an old tuple the key columns (DEFAULT) or the non-null
 * columns (FULL), in attnum order. */
static void check_tuple(const rt *t, int i, const rt_table *tab, const wv_tuple *tu, bool old)
{
    size_t next = 0; /* catalog index the next decoded column may take */
    for (size_t k = 0; k < tu->ncols; k++) {
        const wv_column *dc = &tu->cols[k];
        char *name = ident_dup(dc->name);
        size_t j = next;
        if (old) {
            while (j < tab->ncols && strcmp(tab->cols[j].name, name) != 0)
                j++;
        }
        if (j >= tab->ncols || strcmp(tab->cols[j].name, name) != 0)
            fail_msg("row %d: %s tuple column %zu of %s.%s: expected %s, decoded name '%s'\n"
                     "  text: %s",
                     i, old ? "old" : "new", k, tab->schema, tab->name,
                     j < tab->ncols ? tab->cols[j].name : "no more columns", name,
                     row_data(t, i));
        const rt_col *col = &tab->cols[j];
        if (!wv_slice_eq(dc->type, col->type))
            fail_msg("row %d: column %s of %s.%s: expected type '%s' (format_type), decoded "
                     "'%.*s'",
                     i, col->name, tab->schema, tab->name, col->type, (int)dc->type.len,
                     dc->type.ptr);
        if (old && !tab->full && !col->key)
            fail_msg("row %d: old key of %s.%s holds non-key column %s", i, tab->schema,
                     tab->name, col->name);
        if (old && dc->kind == WV_VAL_NULL)
            fail_msg("row %d: old tuple of %s.%s prints NULL column %s; expected it omitted", i,
                     tab->schema, tab->name, col->name);
        wv_value_kind want = kind_for_type(col->type);
        bool toast_ok = !old && dc->kind == WV_VAL_TOAST;
        if (dc->kind != WV_VAL_NULL && !toast_ok && dc->kind != want)
            fail_msg("row %d: column %s (%s) of %s.%s: expected a %s value, decoded %s\n"
                     "  text: %s",
                     i, col->name, col->type, tab->schema, tab->name, kind_name(want),
                     kind_name(dc->kind), row_data(t, i));
        if (dc->kind == WV_VAL_BARE && strcmp(col->type, "boolean") == 0 &&
            !wv_slice_eq(dc->value, "true") && !wv_slice_eq(dc->value, "false"))
            fail_msg("row %d: boolean column %s: expected true or false, decoded '%.*s'", i,
                     col->name, (int)dc->value.len, dc->value.ptr);
        free(name);
        next = j + 1;
    }
    if (!old && tu->ncols != tab->ncols)
        fail_msg("row %d: new tuple of %s.%s: expected %zu columns, decoded %zu", i, tab->schema,
                 tab->name, tab->ncols, tu->ncols);
    if (old && !tab->full) {
        size_t nkey = 0;
        for (size_t j = 0; j < tab->ncols; j++)
            nkey += tab->cols[j].key;
        if (tu->ncols != nkey)
            fail_msg("row %d: old key of %s.%s: expected %zu key columns, decoded %zu", i,
                     tab->schema, tab->name, nkey, tu->ncols);
    }
}

static void test_columns_match_catalog(void **state)
{
    rt *t = *state;
    size_t tuples = 0, truncated = 0;
    for (int i = 0; i < t->nchanges; i++) {
        wv_change c;
        decode_row(t, t->dec, i, &c);
        if (c.op == WV_OP_TRUNCATE) {
            for (size_t k = 0; k < c.ntables; k++)
                need_table(t, i, &c.tables[k]);
            truncated += c.ntables;
            continue;
        }
        if (!is_change(c.op))
            continue;
        const rt_table *tab = need_table(t, i, &c.rel);
        if (c.op == WV_OP_DELETE && !c.old_tuple.present && tab->has_key)
            fail_msg("row %d: DELETE on %s.%s, which has a key, decoded (no-tuple-data)", i,
                     tab->schema, tab->name);
        if (c.old_tuple.present) {
            check_tuple(t, i, tab, &c.old_tuple, true);
            tuples++;
        }
        if (c.op != WV_OP_DELETE) {
            if (!c.new_tuple.present)
                fail_msg("row %d: %s without a new tuple\n  text: %s", i, wv_op_name(c.op),
                         row_data(t, i));
            check_tuple(t, i, tab, &c.new_tuple, false);
            tuples++;
        }
    }
    assert_true(tuples > 0);
    assert_true(truncated > 0);
}

/* ---- test: replaying the changes gives the tables' contents ---- */

static bool key_matches(const rt_table *tab, const rt_row *row, char *const *key)
{
    for (size_t j = 0; j < tab->ncols; j++) {
        if (!tab->cols[j].key)
            continue;
        if (!row->vals[j] || !key[j] || strcmp(row->vals[j], key[j]) != 0)
            return false;
    }
    return true;
}

/* Index of the replayed row whose key columns equal key's, or -1. */
static long find_row(const rt_table *tab, char *const *key)
{
    for (size_t r = 0; r < tab->nrows; r++)
        if (key_matches(tab, &tab->rows[r], key))
            return (long)r;
    return -1;
}

/* vals[j] for each catalog column from a decoded tuple; *toast[j] set
 * for unchanged TOAST datums. Columns the tuple lacks stay NULL. */
static char **tuple_values(const rt *t, int i, const rt_table *tab, const wv_tuple *tu,
                           bool *toast)
{
    char **vals = wv_xcalloc(tab->ncols, sizeof *vals);
    for (size_t k = 0; k < tu->ncols; k++) {
        int j = col_index(tab, tu->cols[k].name);
        if (j < 0)
            fail_msg("row %d: unknown column %.*s of %s.%s\n  text: %s", i,
                     (int)tu->cols[k].name.len, tu->cols[k].name.ptr, tab->schema, tab->name,
                     row_data(t, i));
        vals[j] = value_dup(&tu->cols[k]);
        if (toast)
            toast[j] = tu->cols[k].kind == WV_VAL_TOAST;
    }
    return vals;
}

static void free_vals(const rt_table *tab, char **vals)
{
    for (size_t j = 0; j < tab->ncols; j++)
        free(vals[j]);
    free(vals);
}

static const char *show(const char *v)
{
    return v ? v : "NULL";
}

/* The old row of a FULL table must equal the replayed row: printed columns
 * by value, omitted ones NULL. */
static void check_full_old(const rt *t, int i, const rt_table *tab, const rt_row *row,
                           char **old)
{
    for (size_t j = 0; j < tab->ncols; j++) {
        const char *want = row->vals[j], *got = old[j];
        if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
            fail_msg("row %d: old row of %s.%s, column %s: expected '%s' (replayed), decoded "
                     "'%s'\n  text: %s",
                     i, tab->schema, tab->name, tab->cols[j].name, show(want), show(got),
                     row_data(t, i));
    }
}

static void apply_change(rt *t, wv_decoder *d, int i)
{
    wv_change c;
    decode_row(t, d, i, &c);
    if (c.op == WV_OP_TRUNCATE) {
        for (size_t k = 0; k < c.ntables; k++)
            free_rows(need_table(t, i, &c.tables[k]));
        return;
    }
    if (!is_change(c.op))
        return;
    rt_table *tab = need_table(t, i, &c.rel);
    if (!tab->replayable)
        return;
    if (c.op == WV_OP_INSERT) {
        char **vals = tuple_values(t, i, tab, &c.new_tuple, NULL);
        if (tab->has_key && find_row(tab, vals) >= 0)
            fail_msg("row %d: INSERT of a key already in %s.%s\n  text: %s", i, tab->schema,
                     tab->name, row_data(t, i));
        if (tab->nrows == tab->rows_cap) {
            tab->rows_cap = tab->rows_cap ? tab->rows_cap * 2 : 8;
            tab->rows = wv_xrealloc(tab->rows, tab->rows_cap * sizeof *tab->rows);
        }
        tab->rows[tab->nrows++].vals = vals;
        return;
    }
    if (!tab->has_key) {
        /* (no-tuple-data) or a new tuple alone: the row cannot be named. */
        tab->replayable = false;
        return;
    }
    /* The old tuple names the row when present; else the new tuple's key
     * is the old one. */
    char **old = c.old_tuple.present ? tuple_values(t, i, tab, &c.old_tuple, NULL) : NULL;
    bool *toast = wv_xcalloc(tab->ncols, sizeof *toast);
    char **new = c.op == WV_OP_UPDATE ? tuple_values(t, i, tab, &c.new_tuple, toast) : NULL;
    char **key = old ? old : new;
    if (!key)
        fail_msg("row %d: DELETE without a key on %s.%s", i, tab->schema, tab->name);
    long r = find_row(tab, key);
    if (r < 0)
        fail_msg("row %d: %s of a row not in the replayed %s.%s\n  text: %s", i,
                 wv_op_name(c.op), tab->schema, tab->name, row_data(t, i));
    rt_row *row = &tab->rows[r];
    if (old && tab->full)
        check_full_old(t, i, tab, row, old);
    if (c.op == WV_OP_DELETE) {
        free_vals(tab, row->vals);
        tab->rows[r] = tab->rows[--tab->nrows];
    } else {
        for (size_t j = 0; j < tab->ncols; j++) {
            if (toast[j]) {
                /* Not sent: the value is the one the row had. */
                new[j] = row->vals[j];
                row->vals[j] = NULL;
            }
        }
        free_vals(tab, row->vals);
        row->vals = new;
        if (tab->has_key && r != find_row(tab, new))
            fail_msg("row %d: UPDATE gives %s.%s two rows with one key", i, tab->schema,
                     tab->name);
        new = NULL;
    }
    if (old)
        free_vals(tab, old);
    if (new)
        free_vals(tab, new);
    free(toast);
}

/* Replays the stream: a transaction's changes are applied at its COMMIT
 * or COMMIT PREPARED, and dropped at ROLLBACK PREPARED. */
static void replay(rt *t)
{
    wv_decoder *d = wv_decode_new();
    int *pending = wv_xcalloc((size_t)t->nchanges, sizeof *pending);
    size_t npending = 0;
    rt_prepared prepared[4];
    size_t nprepared = 0;
    for (int i = 0; i < t->nchanges; i++) {
        wv_change c;
        decode_row(t, t->dec, i, &c);
        switch (c.op) {
        case WV_OP_BEGIN:
            npending = 0;
            break;
        case WV_OP_INSERT:
        case WV_OP_UPDATE:
        case WV_OP_DELETE:
        case WV_OP_TRUNCATE:
            pending[npending++] = i;
            break;
        case WV_OP_COMMIT:
            for (size_t k = 0; k < npending; k++)
                apply_change(t, d, pending[k]);
            npending = 0;
            break;
        case WV_OP_PREPARE: {
            assert_true(nprepared < sizeof prepared / sizeof *prepared);
            rt_prepared *p = &prepared[nprepared++];
            char *gid = wv_xmalloc(c.gid.len + 1);
            gid[wv_decode_literal(c.gid, c.gid_escaped, gid)] = '\0';
            p->gid = gid;
            p->rows = wv_xmalloc((npending ? npending : 1) * sizeof *p->rows);
            memcpy(p->rows, pending, npending * sizeof *p->rows);
            p->nrows = npending;
            npending = 0;
            break;
        }
        case WV_OP_COMMIT_PREPARED:
        case WV_OP_ROLLBACK_PREPARED: {
            char *gid = wv_xmalloc(c.gid.len + 1);
            gid[wv_decode_literal(c.gid, c.gid_escaped, gid)] = '\0';
            size_t k = 0;
            while (k < nprepared && strcmp(prepared[k].gid, gid) != 0)
                k++;
            if (k == nprepared)
                fail_msg("row %d: %s of gid '%s', which was not prepared", i, wv_op_name(c.op),
                         gid);
            bool commit = c.op == WV_OP_COMMIT_PREPARED;
            rt_prepared p = prepared[k];
            prepared[k] = prepared[--nprepared];
            for (size_t r = 0; commit && r < p.nrows; r++)
                apply_change(t, d, p.rows[r]);
            free(p.gid);
            free(p.rows);
            free(gid);
            break;
        }
        default:
            break;
        }
    }
    if (nprepared)
        fail_msg("%zu prepared transactions never finished (first: '%s')", nprepared,
                 prepared[0].gid);
    free(pending);
    wv_decode_free(d);
}

/* Compares a table's replayed rows with the database's, every column as
 * test_decoding prints it: the output function's text, but true/false for
 * booleans. Returns the number of rows compared. */
static size_t compare_table(const rt *t, const rt_table *tab)
{
    wv_buf sql;
    wv_buf_init(&sql);
    wv_buf_puts(&sql, "SELECT ");
    for (size_t j = 0; j < tab->ncols; j++) {
        char *col = PQescapeIdentifier(t->conn, tab->cols[j].name, strlen(tab->cols[j].name));
        assert_non_null(col);
        wv_buf_printf(&sql, "%s%s%s", j ? ", " : "", col,
                      strcmp(tab->cols[j].type, "boolean") == 0 ? "::text" : "");
        PQfreemem(col);
    }
    char *schema = PQescapeIdentifier(t->conn, tab->schema, strlen(tab->schema));
    char *name = PQescapeIdentifier(t->conn, tab->name, strlen(tab->name));
    assert_non_null(schema);
    assert_non_null(name);
    wv_buf_printf(&sql, " FROM %s.%s", schema, name);
    wv_buf_append(&sql, "", 1);
    PQfreemem(schema);
    PQfreemem(name);
    PGresult *r = query(t->conn, sql.data);
    wv_buf_destroy(&sql);
    if (!r)
        fail_msg("could not read %s.%s", tab->schema, tab->name);
    size_t n = (size_t)PQntuples(r);
    if ((size_t)PQnfields(r) != tab->ncols)
        fail_msg("%s.%s: the SELECT gives %d columns, the catalog %zu", tab->schema,
                 tab->name, PQnfields(r), tab->ncols);
    if (n != tab->nrows)
        fail_msg("%s.%s: expected %zu rows (the database), replayed %zu", tab->schema,
                 tab->name, n, tab->nrows);
    char **db = wv_xcalloc(tab->ncols, sizeof *db);
    for (size_t row = 0; row < n; row++) {
        for (size_t j = 0; j < tab->ncols; j++)
            db[j] = xstrdup_or_null(r, (int)row, (int)j);
        long m = find_row(tab, db);
        if (m < 0)
            fail_msg("%s.%s: the database's row with %s = %s was not replayed", tab->schema,
                     tab->name, tab->cols[0].name, show(db[0]));
        for (size_t j = 0; j < tab->ncols; j++) {
            const char *want = db[j], *got = tab->rows[m].vals[j];
            if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
                fail_msg("%s.%s, row with %s = %s, column %s (%s):\n  expected '%s' (database)"
                         "\n  decoded  '%s'",
                         tab->schema, tab->name, tab->cols[0].name, show(db[0]),
                         tab->cols[j].name, tab->cols[j].type, show(want), show(got));
        }
        for (size_t j = 0; j < tab->ncols; j++) {
            free(db[j]);
            db[j] = NULL;
        }
    }
    free(db);
    PQclear(r);
    return n;
}

static void test_replay_matches_database(void **state)
{
    rt *t = *state;
    for (size_t k = 0; k < t->ntables; k++)
        free_rows(&t->tables[k]);
    replay(t);
    size_t rows = 0, tables = 0;
    for (size_t k = 0; k < t->ntables; k++) {
        const rt_table *tab = &t->tables[k];
        if (!tab->replayable)
            continue;
        rows += compare_table(t, tab);
        tables++;
    }
    /* Only nokey, whose rows the stream cannot name, is left out. */
    if (tables + 1 != t->ntables)
        fail_msg("expected all tables but nokey compared, compared %zu of %zu", tables,
                 t->ntables);
    /* types (6) + Weird"Table (3) + upd (3) + updfull (2) + toasty (1) + ta (2) */
    if (rows != 17)
        fail_msg("expected 17 rows compared, compared %zu", rows);
}

/* ---- test: the operation sequence ---- */

static void sig_value(wv_buf *b, const wv_column *c)
{
    if (c->kind == WV_VAL_NULL) {
        wv_buf_puts(b, "null");
        return;
    }
    if (c->kind == WV_VAL_TOAST) {
        wv_buf_puts(b, "unchanged-toast-datum");
        return;
    }
    char *v = value_dup(c);
    if (strlen(v) > SIG_VALUE_MAX)
        wv_buf_printf(b, "<%zu bytes>", strlen(v));
    else
        wv_buf_puts(b, v);
    free(v);
}

static void sig_tuple(wv_buf *b, const char *label, const rt_table *tab, const wv_tuple *tu)
{
    bool key_only = false;
    for (size_t k = 0; k < sizeof key_only_tables / sizeof *key_only_tables; k++)
        key_only |= strcmp(tab->name, key_only_tables[k]) == 0;
    wv_buf_printf(b, " %s(", label);
    bool first = true;
    for (size_t k = 0; k < tu->ncols; k++) {
        int j = col_index(tab, tu->cols[k].name);
        if (key_only && (j < 0 || !tab->cols[j].key))
            continue;
        char *name = ident_dup(tu->cols[k].name);
        wv_buf_printf(b, "%s%s=", first ? "" : " ", name);
        free(name);
        sig_value(b, &tu->cols[k]);
        first = false;
    }
    wv_buf_puts(b, ")");
}

static void sig_rel(wv_buf *b, const wv_relname *rel)
{
    char *s = ident_dup(rel->schema), *n = ident_dup(rel->table);
    wv_buf_printf(b, "%s.%s", s, n);
    free(s);
    free(n);
}

static void sig_gid(wv_buf *b, const wv_change *c)
{
    char *gid = wv_xmalloc(c->gid.len + 1);
    gid[wv_decode_literal(c->gid, c->gid_escaped, gid)] = '\0';
    wv_buf_printf(b, " %s", gid);
    free(gid);
}

/* A short, exact description of row i: op, table, tuples, flags, gid,
 * message prefix and content; no xids, LSNs or timestamps. */
static char *signature(const rt *t, int i)
{
    wv_change c;
    decode_row(t, t->dec, i, &c);
    wv_buf b;
    wv_buf_init(&b);
    wv_buf_puts(&b, wv_op_name(c.op));
    switch (c.op) {
    case WV_OP_INSERT:
    case WV_OP_UPDATE:
    case WV_OP_DELETE: {
        const rt_table *tab = need_table(t, i, &c.rel);
        wv_buf_puts(&b, " ");
        sig_rel(&b, &c.rel);
        if (c.old_tuple.present)
            sig_tuple(&b, "old", tab, &c.old_tuple);
        else if (c.op == WV_OP_DELETE)
            wv_buf_puts(&b, " (no-tuple-data)");
        if (c.op != WV_OP_DELETE)
            sig_tuple(&b, "new", tab, &c.new_tuple);
        break;
    }
    case WV_OP_TRUNCATE:
        for (size_t k = 0; k < c.ntables; k++) {
            wv_buf_puts(&b, k ? ", " : " ");
            sig_rel(&b, &c.tables[k]);
        }
        if (c.restart_seqs)
            wv_buf_puts(&b, " restart_seqs");
        if (c.cascade)
            wv_buf_puts(&b, " cascade");
        break;
    case WV_OP_MESSAGE:
        wv_buf_printf(&b, " transactional=%d prefix=[", c.transactional);
        wv_buf_append(&b, c.prefix.ptr, c.prefix.len);
        wv_buf_puts(&b, "] content=[");
        wv_buf_append(&b, c.content.ptr, c.content.len);
        wv_buf_puts(&b, "]");
        break;
    case WV_OP_PREPARE:
    case WV_OP_COMMIT_PREPARED:
    case WV_OP_ROLLBACK_PREPARED:
        sig_gid(&b, &c);
        break;
    default:
        break;
    }
    wv_buf_append(&b, "", 1);
    return b.data;
}

static void test_op_sequence(void **state)
{
    rt *t = *state;
    size_t nexpected = sizeof expected_ops / sizeof *expected_ops;
    size_t n = (size_t)t->nchanges < nexpected ? (size_t)t->nchanges : nexpected;
    for (size_t i = 0; i < n; i++) {
        char *got = signature(t, (int)i);
        if (strcmp(got, expected_ops[i]) != 0) {
            /* Show the whole stream: a shift is easier to see in full. */
            for (int k = 0; k < t->nchanges; k++) {
                char *s = signature(t, k);
                print_message("%3d %s\n", k, s);
                free(s);
            }
            fail_msg("row %zu:\n  expected [%s]\n  decoded  [%s]\n  text: %s", i,
                     expected_ops[i], got, row_data(t, (int)i));
        }
        free(got);
    }
    if ((size_t)t->nchanges != nexpected)
        fail_msg("expected %zu rows from the slot, got %d", nexpected, t->nchanges);
}

/* ---- test: rolled back work does not appear ---- */

static void test_rolled_back_absent(void **state)
{
    rt *t = *state;
    for (int i = 0; i < t->nchanges; i++)
        if (strstr(row_data(t, i), "ABORTED"))
            fail_msg("row %d holds a change of a rolled-back (sub)transaction\n  text: %s", i,
                     row_data(t, i));
    PGresult *r = query(t->conn, "SELECT count(*) FROM upd WHERE id IN (5, 7, 8)");
    assert_non_null(r);
    if (strcmp(PQgetvalue(r, 0, 0), "0") != 0)
        fail_msg("expected no rolled-back rows in upd, found %s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_decodes),
        cmocka_unit_test(test_columns_match_catalog),
        cmocka_unit_test(test_replay_matches_database),
        cmocka_unit_test(test_op_sequence),
        cmocka_unit_test(test_rolled_back_absent),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
