/* test_rows: a message is decoded once, where it enters. What the picture
 * needs of it (op, xid, table, key, rows) is kept by the simulation and
 * the row index, which never read the text again in the usual streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "walviz/reader.h"
#include "walviz/rows.h"
#include "walviz/sim.h"
#include "walviz/theme.h"

#include "sim_lines.h"

#include "check.h"

static wv_sim *make(const char *text)
{
    char err[300] = "";
    wv_sim *s = sim_from_lines(NULL, text, err, sizeof err);
    CHECK(s != NULL, "sim_from_lines: %s", err);
    return s;
}

/* A row of table tbl as the leader holds it at the end, or "none". */
static wv_row leader_row(const wv_sim *s, const char *tbl_name, const char *key)
{
    const wv_rows *r = wv_sim_rows(s);
    for (size_t t = 0; t < wv_rows_table_count(r); t++) {
        if (strcmp(wv_rows_table_name(r, t), tbl_name) != 0)
            continue;
        size_t k = wv_rows_find(r, t, key);
        if (k != WV_ROWS_NONE)
            return wv_rows_read(r, k, wv_sim_visible(s, WV_SIM_LEADER, WV_SIM_NEVER - 1));
    }
    return (wv_row){ false, WV_ROWS_NONE, WV_ROWS_NONE };
}

static void test_table_and_xid_of_each_message(void **state)
{
    (void)state;
    wv_sim *s = make("BEGIN 700\n"
                     "table public.accounts: INSERT: id[integer]:1 balance[numeric]:10.00\n"
                     "table sales.orders: INSERT: id[integer]:9\n"
                     "COMMIT 700\n");
    const wv_rows *r = wv_sim_rows(s);
    size_t t1 = wv_rows_table_of(r, 1), t2 = wv_rows_table_of(r, 2);
    CHECK(t1 != WV_ROWS_NONE && strcmp(wv_rows_table_name(r, t1), "accounts") == 0,
          "message 1: expected table accounts, got %s", t1 == WV_ROWS_NONE ? "none" : wv_rows_table_name(r, t1));
    CHECK(t2 != WV_ROWS_NONE && strcmp(wv_rows_table_name(r, t2), "sales.orders") == 0,
          "message 2: expected table sales.orders, got %s", t2 == WV_ROWS_NONE ? "none" : wv_rows_table_name(r, t2));
    CHECK(wv_rows_table_of(r, 0) == WV_ROWS_NONE && wv_rows_table_of(r, 3) == WV_ROWS_NONE,
          "BEGIN and COMMIT change no table");
    /* the raw form prints the xid on BEGIN and COMMIT only: the changes
     * between them get their transaction's */
    for (size_t m = 0; m < 4; m++) {
        uint32_t xid = 0;
        CHECK(wv_sim_xid(s, m, &xid) && xid == 700, "message %zu: expected xid 700, got %u", m, xid);
    }
    wv_sim_free(s);
    /* a change with no row to key, and a prepared one not visible yet */
    s = make("BEGIN 701\n"
             "table public.nokey: DELETE: (no-tuple-data)\n"
             "COMMIT 701\n"
             "BEGIN 702\n"
             "table public.nokey: INSERT: id[integer]:5\n"
             "PREPARE TRANSACTION 'g', txid 702\n");
    r = wv_sim_rows(s);
    for (size_t m = 1; m <= 4; m += 3) {
        size_t t = wv_rows_table_of(r, m);
        CHECK(t != WV_ROWS_NONE && strcmp(wv_rows_table_name(r, t), "nokey") == 0,
              "message %zu: expected table nokey, got %s", m, t == WV_ROWS_NONE ? "none" : wv_rows_table_name(r, t));
    }
    wv_sim_free(s);
}

static int rereads;
static wv_slice count_text(void *ctx, size_t msg)
{
    rereads++;
    return wv_sim_text(ctx, msg);
}

static void test_learning_the_key_reads_nothing_again(void **state)
{
    (void)state;
    /* The first-column key the rows were keyed by is the key the DELETE
     * shows: nothing to re-key, no text read again. */
    rereads = 0;
    wv_rows *r = wv_rows_new(count_text, NULL);
    wv_decoder *d = wv_decode_new();
    const char *lines[] = {
        "table public.t: INSERT: id[integer]:1 v[text]:'a'",
        "table public.t: INSERT: id[integer]:2 v[text]:'b'",
        "table public.t: DELETE: id[integer]:1",
    };
    for (size_t i = 0; i < 3; i++) {
        wv_change c;
        assert_int_equal(wv_decode_message(d, lines[i], strlen(lines[i]), &c), WV_DECODE_OK);
        wv_rows_hold(r, &c, i);
    }
    wv_decode_free(d);
    wv_rows_release(r, 0, 2, 0);
    CHECK(rereads == 0, "expected no message read again, got %d", rereads);
    size_t k1 = wv_rows_find(r, 0, "id=1"), k2 = wv_rows_find(r, 0, "id=2");
    CHECK(k1 != WV_ROWS_NONE && k2 != WV_ROWS_NONE, "keys id=1 and id=2 expected");
    CHECK(!wv_rows_read(r, k1, 1).exists && wv_rows_read(r, k2, 1).exists,
          "after the DELETE: id=1 gone, id=2 there");
    wv_rows_free(r);
}

static void test_rows_that_never_happen(void **state)
{
    (void)state;
    /* cut off before its COMMIT (a new BEGIN), rolled back after PREPARE,
     * and one at the end of the stream without COMMIT */
    wv_sim *s = make("BEGIN 700\n"
                     "table public.t: INSERT: id[integer]:1\n"
                     "BEGIN 701\n"
                     "table public.t: INSERT: id[integer]:2\n"
                     "PREPARE TRANSACTION 'g1', txid 701\n"
                     "ROLLBACK PREPARED 'g1', txid 701\n"
                     "BEGIN 702\n"
                     "table public.t: INSERT: id[integer]:3\n"
                     "PREPARE TRANSACTION 'g2', txid 702\n"
                     "COMMIT PREPARED 'g2', txid 702\n"
                     "BEGIN 703\n"
                     "table public.t: INSERT: id[integer]:4\n");
    CHECK(!leader_row(s, "t", "id=1").exists, "id=1 was cut off: expected no row");
    CHECK(!leader_row(s, "t", "id=2").exists, "id=2 was rolled back: expected no row");
    CHECK(leader_row(s, "t", "id=3").exists, "id=3 was COMMIT PREPARED: expected its row");
    CHECK(!leader_row(s, "t", "id=4").exists, "id=4 never committed: expected no row");
    wv_sim_free(s);
}

static void test_undecodable_payload_is_unknown(void **state)
{
    (void)state;
    /* The live source hands on a payload it cannot decode with an op past
     * the last: it becomes UNKNOWN, with a glyph and a colour of its own,
     * never an index past an array. */
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_sim *s = wv_sim_new(&cfg);
    wv_change c;
    memset(&c, 0, sizeof c);
    c.op = WV_OP_COUNT;
    wv_meta m = { .has_lsn = true, .lsn = 0x100 };
    wv_sim_add(s, &c, &m, (wv_slice){ "garbage", 7 });
    c.op = (wv_op)-1;
    wv_sim_add(s, &c, &m, (wv_slice){ "more", 4 });
    wv_sim_flush(s);
    for (size_t i = 0; i < 2; i++)
        CHECK(wv_sim_op(s, i) == WV_OP_UNKNOWN, "message %zu: expected UNKNOWN, got op %d", i,
              (int)wv_sim_op(s, i));
    assert_string_equal(wv_op_name(WV_OP_UNKNOWN), "UNKNOWN");
    assert_string_equal(wv_op_glyph(WV_OP_UNKNOWN), "?");
    for (int id = 0; id < WV_THEME_COUNT; id++) {
        wv_rgb fill = wv_theme_get((wv_theme_id)id)->op_fill[WV_OP_UNKNOWN];
        CHECK(fill.r || fill.g || fill.b, "theme %d: UNKNOWN chips need a colour", id);
    }
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
}

static int released;
static void count_release(void *m)
{
    released++;
    wv_mapping_release(m);
}

/* A file is mapped, and the simulation keeps its messages' text where the
 * file has it rather than a copy; a line with an escape is copied. */
static void test_texts_stay_in_the_mapped_file(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/walviz-test-rows.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    static const char rec[] = "# walviz recording v1\n"
                              "0/100\t700\t0\t0\tBEGIN 700\n"
                              "0/180\t700\t0\t0\ttable public.t: INSERT: id[integer]:1 v[text]:'a\\nb'\n"
                              "0/200\t700\t0\t0\tCOMMIT 700\n";
    CHECK(write(fd, rec, sizeof rec - 1) == (ssize_t)(sizeof rec - 1), "write");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_sim *s = wv_sim_new(&cfg);
    wv_reader *r = wv_reader_new(fd, path);
    wv_mapping *map = wv_reader_take_mapping(r);
    CHECK(map && map->len == sizeof rec - 1, "a regular file is mapped");
    released = 0;
    wv_sim_borrow_text(s, map->data, map->len, count_release, map);
    wv_item it;
    int got;
    while ((got = wv_reader_next(r, &it)) != 0) {
        CHECK(got > 0, "%s", wv_reader_error(r));
        wv_sim_add(s, &it.change, &it.meta, it.text);
    }
    wv_sim_flush(s);
    wv_reader_free(r);
    close(fd);
    unlink(path);
    CHECK(wv_sim_count(s) == 3, "3 messages, got %zu", wv_sim_count(s));
    for (size_t m = 0; m < 3; m++) {
        wv_slice t = wv_sim_text(s, m);
        bool in_file = t.ptr >= map->data && t.ptr + t.len <= map->data + map->len;
        CHECK(in_file == (m != 1), "message %zu: text %s the file, expected %s", m, in_file ? "in" : "outside",
              m != 1 ? "in it" : "a copy (it was unescaped)");
    }
    CHECK(memcmp(wv_sim_text(s, 2).ptr, "COMMIT 700", 10) == 0, "the COMMIT's text");
    CHECK(memcmp(wv_sim_text(s, 1).ptr + wv_sim_text(s, 1).len - 5, "'a\nb'", 5) == 0, "the unescaped text");
    CHECK(released == 0, "the mapping lives as long as the sim");
    wv_sim_free(s);
    CHECK(released == 1, "freeing the sim releases the mapping once, got %d", released);
    wv_sim_cfg_destroy(&cfg);
    /* a pipe is read, not mapped */
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    r = wv_reader_new(p[0], "pipe");
    CHECK(wv_reader_take_mapping(r) == NULL, "a pipe has no mapping");
    wv_reader_free(r);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_and_xid_of_each_message),
        cmocka_unit_test(test_learning_the_key_reads_nothing_again),
        cmocka_unit_test(test_rows_that_never_happen),
        cmocka_unit_test(test_undecodable_payload_is_unknown),
        cmocka_unit_test(test_texts_stay_in_the_mapped_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
