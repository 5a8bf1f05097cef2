/* Unit tests for the rows read from real nodes (src/core/realrows.c): the
 * store (a read kept only when it says something new, found by time), the
 * recording's #realrow lines with their escapes, and the probe (which rows
 * of which tables a node is asked for, by key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/realnode.h"
#include "walviz/realrows.h"
#include "walviz/sim.h"

#include "check.h"

static wv_real_row row2(int64_t at, const char *id, const char *balance)
{
    static const char *names[] = { "id", "balance" };
    wv_real_row r = { .at_us = at, .exists = true, .ncols = 2 };
    r.name[0] = names[0];
    r.name[1] = names[1];
    r.value[0] = id;
    r.value[1] = balance;
    return r;
}

static void test_store(void **state)
{
    (void)state;
    wv_realrows *rr = wv_realrows_new();
    wv_real_row got;
    assert_false(wv_realrows_reads(rr, 0));
    wv_real_row a = row2(100, "1", "500.00"), same = row2(200, "1", "500.00"), b = row2(300, "1", "480.00");
    wv_real_row gone = { .at_us = 400, .exists = false };
    CHECK(wv_realrows_add(rr, 0, "accounts", "id=1", &a), "the first read is new");
    CHECK(!wv_realrows_add(rr, 0, "accounts", "id=1", &same), "the same values again are dropped");
    CHECK(wv_realrows_add(rr, 0, "accounts", "id=1", &b), "a changed balance is new");
    CHECK(wv_realrows_add(rr, 0, "accounts", "id=1", &gone), "a row gone is new");
    CHECK(wv_realrows_add(rr, 1, "accounts", "id=1", &a), "another node's read is its own");
    assert_true(wv_realrows_reads(rr, 0));
    assert_false(wv_realrows_reads(rr, 2));
    CHECK(!wv_realrows_at(rr, 0, "accounts", "id=1", 99, &got), "nothing read before 100 us");
    static const struct {
        int64_t at;
        bool exists;
        const char *balance;
    } want[] = { { 100, true, "500.00" }, { 299, true, "500.00" }, { 300, true, "480.00" }, { 400, false, NULL } };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(wv_realrows_at(rr, 0, "accounts", "id=1", want[i].at, &got), "a read at %lld", (long long)want[i].at);
        CHECK(got.exists == want[i].exists && (!want[i].exists || (got.ncols == 2 &&
                                                                    strcmp(got.value[1], want[i].balance) == 0)),
              "at %lld us: expected %s, got exists %d balance %s", (long long)want[i].at,
              want[i].balance ? want[i].balance : "no row", got.exists, got.ncols == 2 ? got.value[1] : "-");
    }
    CHECK(!wv_realrows_at(rr, 0, "accounts", "id=2", 1000, &got), "id=2 was never read");
    CHECK(!wv_realrows_at(rr, 0, "orders", "id=1", 1000, &got), "orders.id=1 was never read");
    /* many keys: the index grows and finds each */
    for (int k = 0; k < 500; k++) {
        char key[16], v[16];
        snprintf(key, sizeof key, "id=%d", k);
        snprintf(v, sizeof v, "%d.00", k);
        wv_real_row r = row2(1000 + k, key + 3, v);
        wv_realrows_add(rr, 1, "t", key, &r);
    }
    for (int k = 0; k < 500; k += 37) {
        char key[16], v[16];
        snprintf(key, sizeof key, "id=%d", k);
        snprintf(v, sizeof v, "%d.00", k);
        CHECK(wv_realrows_at(rr, 1, "t", key, 5000, &got) && strcmp(got.value[1], v) == 0, "%s: got %s", key,
              got.value[1]);
    }
    wv_realrows_free(rr);
}

static void test_lines(void **state)
{
    (void)state;
    wv_realnodes *rn = wv_realnodes_new();
    assert_int_equal(wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, true), 0);
    wv_buf line;
    wv_buf_init(&line);
    /* a value with a tab, a newline, '=' and '%'; a key with '=' in it */
    static const char *names[] = { "id", "note=x" }, *values[] = { "1", "a\tb\nc=d%e" };
    wv_real_row r = { .at_us = 1795806602677575, .exists = true, .ncols = 2 };
    for (int i = 0; i < 2; i++) {
        r.name[i] = names[i];
        r.value[i] = values[i];
    }
    wv_realrows_format("standby1", "my schema.t", "id=1", &r, &line);
    const char *want = "#realrow\tstandby1\tat=1795806602677575\ttable=my schema.t\tkey=id%3D1\tid=1\t"
                       "note%3Dx=a%09b%0Ac%3Dd%25e\n";
    CHECK(line.len == strlen(want) && memcmp(line.data, want, line.len) == 0, "the line:\n%.*s\nexpected:\n%s",
          (int)line.len, line.data, want);
    char err[200] = "";
    wv_realrows *back = wv_realnodes_rows(rn);
    CHECK(wv_realrows_parse(back, rn, line.data, line.len - 1, err, sizeof err) == 0, "parsing it back: %s", err);
    wv_real_row got;
    CHECK(wv_realrows_at(back, 0, "my schema.t", "id=1", r.at_us, &got) && got.ncols == 2 &&
              strcmp(got.name[1], names[1]) == 0 && strcmp(got.value[1], values[1]) == 0,
          "read back: %d columns, '%s'='%s'", got.ncols, got.ncols == 2 ? got.name[1] : "", got.ncols == 2 ? got.value[1] : "");
    line.len = 0;
    wv_real_row absent = { .at_us = r.at_us + 1, .exists = false };
    wv_realrows_format("standby1", "t", "id=1", &absent, &line);
    CHECK(strstr(line.data, "\tabsent\n") != NULL, "a row not there says 'absent': %.*s", (int)line.len, line.data);
    /* what is refused, and why */
    static const struct {
        const char *line, *says;
    } bad[] = {
        { "#realrow\tnobody\tat=1\ttable=t\tkey=id%3D1\tabsent", "expected a node the header's real-nodes names" },
        { "#realrow\tstandby1\tat=x\ttable=t\tkey=id%3D1\tabsent", "expected at=MICROSECONDS" },
        { "#realrow\tstandby1\tat=1\tkey=id%3D1\tabsent", "expected NAME, at=MICROSECONDS, table=TABLE and key=KEY" },
        { "#realrow\tstandby1\tat=1\ttable=t\tkey=id%3D1\tid=%zz", "expected 'absent' or COLUMN=VALUE fields" },
        { "#realrow\tstandby1\tat=1\ttable=t\tkey=id%3D1\tid", "expected 'absent' or COLUMN=VALUE fields" },
        { "#realrow\tstandby1\tat=1\ttable=t\tkey=id%001\tabsent", "expected table= and key= with %XX only" },
        { "#realrow\tstandby1\tat=1\ttable=t%zz\tkey=id\tabsent", "expected table= and key= with %XX only" },
        { "#realrow\tstandby1\tat=1\ttable=t\tkey=id%3D1", "expected 'absent' or COLUMN=VALUE fields after key=" },
        { "#realrow\tstandby1\tat=99999999999999999999\ttable=t\tkey=id\tabsent", "expected at=MICROSECONDS" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc = wv_realrows_parse(back, rn, bad[i].line, strlen(bad[i].line), err, sizeof err);
        CHECK(rc == -1 && strstr(err, bad[i].says), "'%s': expected an error saying '%s', got %d '%s'", bad[i].line,
              bad[i].says, rc, err);
    }
    wv_buf_destroy(&line);
    wv_realnodes_free(rn);
}

static wv_sim *sim_of(const char *const *lines, size_t n, wv_decoder *d)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char err[200];
    assert_int_equal(wv_sim_cfg_check(&cfg, err, sizeof err), 0);
    wv_sim *s = wv_sim_new(&cfg);
    for (size_t i = 0; i < n; i++) {
        wv_change c;
        assert_int_equal(wv_decode_message(d, lines[i], strlen(lines[i]), &c), WV_DECODE_OK);
        wv_meta m = { .has_lsn = true, .lsn = 0x1000000 + i * 0x100, .recv_us = 1800000000000000 + (int64_t)i * 1000 };
        wv_sim_add(s, &c, &m, (wv_slice){ lines[i], strlen(lines[i]) });
    }
    return s;
}

/* The probe asks for the rows the leader changed last, newest first, by
 * their key columns' values: a composite key with a quoted value, a row
 * known only from its DELETE, a NULL key left out; the table on screen
 * first; a transaction not committed yet is not asked for. */
static void test_probe(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "BEGIN 700",
        "table public.accounts: INSERT: id[integer]:1 balance[numeric]:500.00",
        "table public.accounts: INSERT: id[integer]:2 balance[numeric]:100.00",
        "table shop.order_items: INSERT: order_id[integer]:7 line[integer]:1 item[text]:'it''s'",
        "table shop.order_items: UPDATE: old-key: order_id[integer]:7 line[integer]:1 new-tuple: "
        "order_id[integer]:7 line[integer]:2 item[text]:'it''s'",
        "table public.accounts: DELETE: id[integer]:9",
        "table public.accounts: INSERT: id[integer]:null balance[numeric]:1.00",
        "table public.notes: INSERT: k[text]:'a\tb''s' v[integer]:1",
        "COMMIT 700",
        "BEGIN 701",
        "table public.accounts: INSERT: id[integer]:3 balance[numeric]:0.00",
    };
    wv_decoder *d = wv_decode_new();
    wv_sim *s = sim_of(lines, sizeof lines / sizeof lines[0], d);
    wv_real_probe p;
    wv_real_probe_build(s, 1, WV_ROWS_NONE, d, &p);
    CHECK(p.ntables == 3, "three tables, got %d", p.ntables);
    const struct wv_probe_table *acc = &p.t[0], *items = &p.t[1];
    CHECK(strcmp(acc->table, "accounts") == 0 && strcmp(acc->schema, "public") == 0 &&
              strcmp(acc->name, "accounts") == 0 && acc->nkeycols == 1 && strcmp(acc->keycol[0], "id") == 0,
          "accounts: '%s' = '%s'.'%s', %d key columns", acc->table, acc->schema, acc->name, acc->nkeycols);
    char got[200] = "";
    for (int k = 0; k < acc->nkeys; k++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s:%s", k ? " " : "", acc->key[k], acc->value[k][0]);
    CHECK(strcmp(got, "id=9:9 id=2:2 id=1:1") == 0, "accounts' keys, newest first: '%s'", got);
    CHECK(strcmp(items->table, "shop.order_items") == 0 && strcmp(items->schema, "shop") == 0 &&
              items->nkeycols == 2 && strcmp(items->keycol[1], "line") == 0,
          "order_items: '%s', %d key columns", items->table, items->nkeycols);
    /* the columns read: the widest row's (id=9 is known only from its DELETE) */
    CHECK(acc->ncols == 2 && strcmp(acc->col[0], "id") == 0 && strcmp(acc->col[1], "balance") == 0,
          "accounts' columns: %d, '%s', '%s'", acc->ncols, acc->col[0], acc->col[1]);
    CHECK(items->ncols == 3 && strcmp(items->col[2], "item") == 0, "order_items' columns: %d", items->ncols);
    got[0] = '\0';
    for (int k = 0; k < items->nkeys; k++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s:%s,%s", k ? " " : "", items->key[k],
                 items->value[k][0], items->value[k][1]);
    CHECK(strcmp(got, "order_id=7, line=2:7,2 order_id=7, line=1:7,1") == 0, "order_items' keys: '%s'", got);
    /* a key's value as the server prints it, for the query: a tab is a
     * tab, a quote one quote (not as a table cell shows it) */
    wv_real_probe all;
    wv_real_probe_build(s, 1, 2, d, &all);
    CHECK(all.ntables == 3 && strcmp(all.t[0].table, "notes") == 0 && all.t[0].nkeys == 1 &&
              strcmp(all.t[0].value[0][0], "a\tb's") == 0 && strcmp(all.t[0].key[0], "k=a\tb's") == 0,
          "notes: %d tables, key '%s', value '%s'", all.ntables, all.t[0].key[0], all.t[0].value[0][0]);
    wv_real_probe q;
    size_t items_table = 1;
    wv_real_probe_build(s, 1, items_table, d, &q);
    CHECK(q.ntables == 3 && strcmp(q.t[0].table, "shop.order_items") == 0, "the table on screen first, got '%s'",
          q.t[0].table);
    CHECK(!wv_real_probe_equal(&p, &q), "the order of tables matters");
    wv_real_probe_build(s, 1, WV_ROWS_NONE, d, &q);
    CHECK(wv_real_probe_equal(&p, &q), "the same probe twice is equal");
    wv_sim_free(s);
    wv_decode_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
