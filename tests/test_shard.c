/* Unit tests for followers as shards (src/core/sim_shard.c, --shard-by):
 * which messages each shard gets, when, the rows each holds, and the
 * options. Every expected number is worked out by hand in the comments
 * from the hand-made stream below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "walviz/sim.h"

#include "sim_lines.h"

#define MS INT64_C(1000)
#define SEC INT64_C(1000000)

/* Four transactions on t (id, v), sharded by id % 3 over f1..f3; f4 is a
 * replica and gets everything.
 *   m0-m3   xid 1: id 1 (shard 1) and id 2 (shard 2): two shards, not 0
 *   m4-m7   xid 2: id NULL and id -4 (-4 % 3 = -1): no shard at all
 *   m8-m12  xid 3: id 1 becomes 3 (shard 1 -> 0), id 2 deleted (shard 2),
 *           a row of ref, which has no id column (every shard)
 *   m13-m15 xid 4: id 6 (shard 0) */
static const char stream[] =
    "BEGIN 1\n"
    "table public.t: INSERT: id[integer]:1 v[integer]:10\n"
    "table public.t: INSERT: id[integer]:2 v[integer]:20\n"
    "COMMIT 1 (at 2026-01-01 10:00:00+00)\n"
    "BEGIN 2\n"
    "table public.t: INSERT: id[integer]:null v[integer]:5\n"
    "table public.t: INSERT: id[integer]:-4 v[integer]:7\n"
    "COMMIT 2 (at 2026-01-01 10:00:01+00)\n"
    "BEGIN 3\n"
    "table public.t: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:3 v[integer]:10\n"
    "table public.t: DELETE: id[integer]:2\n"
    "table public.ref: INSERT: code[text]:'a'\n"
    "COMMIT 3 (at 2026-01-01 10:00:02+00)\n"
    "BEGIN 4\n"
    "table public.t: INSERT: id[integer]:6 v[integer]:60\n"
    "COMMIT 4 (at 2026-01-01 10:00:03+00)\n";

/* 1000 B/s: a message of n bytes takes n + 30 (framing) ms on the wire. */
static const char *const opts[] = { "followers", "4", "shard-by", "id % 3", "latency", "100ms", "jitter", "0",
                                    "bandwidth", "1000", "apply", "0", NULL };

static wv_sim *sharded(const char *const *o)
{
    char err[300] = "";
    wv_sim *s = sim_from_lines(o, stream, err, sizeof err);
    if (!s)
        fail_msg("the stream is refused: %s", err);
    return s;
}

static void test_which_messages_each_shard_gets(void **state)
{
    (void)state;
    wv_sim *s = sharded(opts);
    assert_int_equal(wv_sim_count(s), 16);
    /* by hand, from the table above */
    static const char *const want[4] = {
        "0000000011011111", /* f1, id % 3 = 0: only xid 3 (id 3, ref) and xid 4 (id 6) */
        "1101000011011000", /* f2, = 1: xid 1 (id 1), xid 3 (id 1 leaves it, ref) */
        "1011000010111000", /* f3, = 2: xid 1 (id 2), xid 3 (the DELETE of 2, ref) */
        "1111111111111111", /* f4: a replica */
    };
    for (int f = 0; f < 4; f++) {
        char got[17] = "";
        for (size_t m = 0; m < 16; m++)
            got[m] = wv_sim_gets(s, f, m) ? '1' : '0';
        if (strcmp(got, want[f]) != 0)
            fail_msg("f%d gets %s, expected %s", f + 1, got, want[f]);
    }
    /* xid 2 touches no shard: neither its BEGIN nor its COMMIT goes to one
     * (PostgreSQL 15 skips an empty transaction) */
    for (int f = 0; f < 3; f++)
        assert_false(wv_sim_gets(s, f, 4) || wv_sim_gets(s, f, 7));
    /* the UPDATE moving id 1 (shard 1) to 3 (shard 0): an INSERT on f1, a
     * DELETE on f2, an UPDATE on the replica; an UPDATE that stays on its
     * shard stays an UPDATE */
    assert_int_equal(wv_sim_op_on(s, 0, 9), WV_OP_INSERT);
    assert_int_equal(wv_sim_op_on(s, 1, 9), WV_OP_DELETE);
    assert_true(wv_sim_moves_away(s, 1, 9) && !wv_sim_moves_away(s, 0, 9) && !wv_sim_moves_away(s, 3, 9));
    assert_int_equal(wv_sim_op_on(s, 3, 9), WV_OP_UPDATE);
    assert_int_equal(wv_sim_op_on(s, 0, 14), WV_OP_INSERT); /* an INSERT is one */
    wv_sim_set_sharding(s, false);
    assert_int_equal(wv_sim_op_on(s, 0, 9), WV_OP_UPDATE);
    wv_sim_set_sharding(s, true);
    /* counts over ranges, without walking them */
    assert_int_equal(wv_sim_gets_count(s, 0, 0, 16), 7);
    assert_int_equal(wv_sim_gets_count(s, 1, 0, 16), 7);
    assert_int_equal(wv_sim_gets_count(s, 2, 4, 12), 3); /* m8 BEGIN 3, m10, m11 */
    assert_int_equal(wv_sim_gets_count(s, 3, 2, 9), 7);
    assert_int_equal(wv_sim_gets_count(s, 1, 9, 9), 0);
    /* the last message a follower got before a point (what the caption
     * tells of it): f1 has {8, 9, 11..15}, f2 {0, 1, 3, 8, 9, 11, 12} */
    assert_int_equal(wv_sim_gets_last(s, 0, 0), WV_ROWS_NONE);
    assert_int_equal(wv_sim_gets_last(s, 0, 8), WV_ROWS_NONE);
    assert_int_equal(wv_sim_gets_last(s, 0, 11), 9);
    assert_int_equal(wv_sim_gets_last(s, 0, 16), 15);
    assert_int_equal(wv_sim_gets_last(s, 1, 3), 1);
    assert_int_equal(wv_sim_gets_last(s, 1, 8), 3);
    assert_int_equal(wv_sim_gets_last(s, 1, 16), 12);
    assert_int_equal(wv_sim_gets_last(s, 3, 5), 4);
    wv_sim_free(s);
}

static void assert_stage(const wv_sim *s, int f, size_t m, wv_stage st, int64_t want)
{
    int64_t got = wv_sim_stage(s, f, m, st);
    if (got != want)
        fail_msg("f%d, message %zu, stage %d at %" PRId64 " us, expected %" PRId64, f + 1, m, (int)st, got, want);
}

/* Only a shard's own messages take time on its link. xid 3 leaves at 2 s;
 * on the wire, with 30 bytes of framing each: BEGIN 3 37 ms, the UPDATE
 * (85 bytes) 115 ms, the DELETE (37) 67 ms, ref's INSERT (40) 70 ms, COMMIT
 * 3 (36) 66 ms; then 100 ms of latency. */
static void test_only_the_shards_bytes_on_its_link(void **state)
{
    (void)state;
    wv_sim *s = sharded(opts);
    /* f1 and f2: 37 + 115 + 70 + 66 = 288 ms; f3: 37 + 67 + 70 + 66 = 240;
     * f4: all five, 355 */
    assert_stage(s, 0, 12, WV_STAGE_WRITTEN, 2388 * MS);
    assert_stage(s, 1, 12, WV_STAGE_WRITTEN, 2388 * MS);
    assert_stage(s, 2, 12, WV_STAGE_WRITTEN, 2340 * MS);
    assert_stage(s, 3, 12, WV_STAGE_WRITTEN, 2455 * MS);
    /* f1's COMMIT 3 leaves after BEGIN, UPDATE and ref: 2 s + 222 ms */
    assert_stage(s, 0, 12, WV_STAGE_SENT, 2222 * MS);
    /* the DELETE f1 does not get passes with the UPDATE before it: sent at
     * 2.037 s, written 2 s + 37 + 115 + 100 ms */
    assert_stage(s, 0, 10, WV_STAGE_SENT, 2037 * MS);
    assert_stage(s, 0, 10, WV_STAGE_WRITTEN, 2252 * MS);
    /* a transaction a shard does not get passes when it leaves the leader */
    for (int st = 0; st < WV_STAGE_COUNT; st++) {
        assert_stage(s, 0, 3, (wv_stage)st, 0);
        assert_stage(s, 0, 7, (wv_stage)st, 1 * SEC);
        assert_stage(s, 2, 7, (wv_stage)st, 1 * SEC);
    }
    /* stage times stay non-decreasing on every follower */
    for (int f = 0; f < 4; f++)
        for (size_t m = 1; m < 16; m++)
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                assert_true(wv_sim_stage(s, f, m - 1, (wv_stage)st) <= wv_sim_stage(s, f, m, (wv_stage)st));

    /* stepping through f1's events skips what only passes it: its first
     * is BEGIN 3 leaving at 2 s, not xid 1 or 2 passing at 0 and 1 s */
    assert_int_equal(wv_sim_next_event(s, 0, WV_STEP_FOLLOWER, 0), 2 * SEC);
    assert_int_equal(wv_sim_prev_event(s, 2 * SEC, WV_STEP_FOLLOWER, 0), -1);
    /* the DELETE's journey: written on f3 at 2 s + 37 + 67 + 100 ms, then
     * on f4 at 2 s + 37 + 115 + 67 + 100 ms; not f1's pass at 2.252 s */
    assert_int_equal(wv_sim_next_event(s, 2204 * MS, WV_STEP_MESSAGE, 10), 2319 * MS);

    /* switched off, f1 gets all five as f4 does; on again, as before */
    wv_sim_set_sharding(s, false);
    assert_true(wv_sim_gets(s, 0, 10));
    assert_stage(s, 0, 12, WV_STAGE_WRITTEN, 2455 * MS);
    wv_sim_set_sharding(s, true);
    assert_false(wv_sim_gets(s, 0, 10));
    assert_stage(s, 0, 12, WV_STAGE_WRITTEN, 2388 * MS);
    wv_sim_free(s);
}

static size_t table_named(const wv_sim *s, const char *name)
{
    const wv_rows *r = wv_sim_rows(s);
    for (size_t i = 0; i < wv_rows_table_count(r); i++)
        if (strcmp(wv_rows_table_name(r, i), name) == 0)
            return i;
    fail_msg("no table %s", name);
    return WV_ROWS_NONE;
}

static void test_each_shard_holds_its_rows(void **state)
{
    (void)state;
    wv_sim *s = sharded(opts);
    /* who holds the row each change writes */
    assert_int_equal(wv_sim_row_shard(s, 1), 1);
    assert_int_equal(wv_sim_row_shard(s, 2), 2);
    assert_int_equal(wv_sim_row_shard(s, 5), WV_SHARD_NONE);  /* NULL */
    assert_int_equal(wv_sim_row_shard(s, 6), WV_SHARD_NONE);  /* -4 % 3 = -1 */
    assert_int_equal(wv_sim_row_shard(s, 9), 0);              /* id 3 now */
    assert_int_equal(wv_sim_row_shard(s, 10), 2);             /* deleted from 2 */
    assert_int_equal(wv_sim_row_shard(s, 11), WV_SHARD_EVERY); /* ref */
    assert_int_equal(wv_sim_row_shard(s, 14), 0);

    size_t t = table_named(s, "t"), ref = table_named(s, "ref");
    /* at 1.5 s (xid 1 and 2 everywhere): the leader has 1, 2, NULL, -4;
     * shard 1 has id 1, shard 2 id 2, shard 0 nothing; f4 all four */
    static const size_t at_1_5[5] = { 4, 0, 1, 1, 4 };
    /* at the end: the leader has 3, NULL, -4, 6; shard 0 has 3 and 6, the
     * others none; the rows of NULL and -4 are on no shard, so the shards'
     * sum (2) is short of the leader's 4, as row filters would leave it */
    static const size_t at_end[5] = { 4, 2, 0, 0, 4 };
    for (int node = 0; node <= 4; node++) {
        size_t a = wv_sim_count_rows(s, node, t, 1500 * MS), b = wv_sim_count_rows(s, node, t, 10 * SEC);
        if (a != at_1_5[node] || b != at_end[node])
            fail_msg("node %d holds %zu rows of t at 1.5 s and %zu at the end, expected %zu and %zu", node, a, b,
                     at_1_5[node], at_end[node]);
        /* ref has no id: every shard holds its row */
        assert_int_equal(wv_sim_count_rows(s, node, ref, 10 * SEC), 1);
    }
    /* id 1's last version, the UPDATE that gave it key 3, is held (as gone)
     * by shard 1 it left, not by shard 0 where the row went */
    const wv_rows *r = wv_sim_rows(s);
    wv_row gone = wv_rows_read(r, wv_rows_find(r, t, "id=1"), 4);
    assert_true(!gone.exists && gone.msg == 9);
    assert_true(wv_sim_holds(s, 2, gone) && !wv_sim_holds(s, 1, gone) && !wv_sim_holds(s, 3, gone));
    assert_true(wv_sim_holds(s, 4, gone) && wv_sim_holds(s, 0, gone)); /* the replica, the leader */
    /* before f3 has applied xid 3 (written at 2.34 s), it still holds id 2 */
    assert_int_equal(wv_sim_count_rows(s, 3, t, 2339 * MS), 1);
    assert_int_equal(wv_sim_count_rows(s, 3, t, 2340 * MS), 0);
    wv_sim_free(s);
}

/* A view gathered from the shards, at the end: shard 0 holds id 3 (v 10)
 * and id 6 (v 60): count 2, sum 70; shards 1 and 2 hold none: 0, NULL.
 * Merged: 2, 70, short of the leader's 4, 82 by the rows of id NULL (5)
 * and -4 (7), which no filter selects. f2 at 1.5 s: id 1 (10): 1, 10. */
static void test_view_gathered(void **state)
{
    (void)state;
    wv_sim *s = sharded(opts);
    char err[300], line[200];
    wv_view_query *q = wv_view_parse("SELECT count(*), sum(v) FROM t", err, sizeof err);
    assert_non_null(q);
    wv_sim_view *v = wv_sim_view_new(s, q);
    wv_view_answer *a = wv_view_answer_new(q), *scratch = wv_view_answer_new(q);
    wv_sim_gather(s, v, 10 * SEC, a, scratch);
    wv_view_answer_line(a, line, sizeof line);
    assert_string_equal(line, "2, 70");
    wv_view_answer_line(wv_sim_view_at(v, WV_SIM_LEADER, 10 * SEC), line, sizeof line);
    assert_string_equal(line, "4, 82");
    static const char *const want[3] = { "2, 70", "0, NULL", "0, NULL" };
    for (int f = 0; f < 3; f++) {
        assert_int_equal(wv_sim_shard_of_node(s, f + 1), f);
        wv_sim_part_answer(s, v, f, wv_sim_visible(s, f + 1, 10 * SEC), a);
        wv_view_answer_line(a, line, sizeof line);
        assert_string_equal(line, want[f]);
    }
    assert_int_equal(wv_sim_shard_of_node(s, 4), -1); /* the replica */
    assert_int_equal(wv_sim_shard_of_node(s, 0), -1); /* the leader */
    wv_sim_part_answer(s, v, 1, wv_sim_visible(s, 2, 1500 * MS), a);
    wv_view_answer_line(a, line, sizeof line);
    assert_string_equal(line, "1, 10");
    wv_view_answer_free(a);
    wv_view_answer_free(scratch);
    wv_sim_view_free(v);
    wv_view_query_free(q);
    wv_sim_free(s);
}

static void test_options(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    char err[300];
    static const struct {
        const char *followers, *kind, *value, *want; /* want: a word of the error, or NULL */
    } cases[] = {
        { "3", "logical", "id % 3", NULL },
        { "3", "logical", "ID % 2", NULL },
        { "3", "logical", "\"My \"\"Id\" % 2", NULL },
        { "3", "logical", "off", NULL },
        { "2", "logical", "id % 3", "2 followers" },
        { "3", "logical", "id % 9", "from 1 to 8" },
        { "3", "logical", "id", "from 1 to 8" },
        { "3", "logical", "% 3", "from 1 to 8" },
        { "3", "logical", "id % 3x", "from 1 to 8" },
        { "3", "logical", "\"id % 3", "from 1 to 8" },
        { "3", "physical", "id % 3", "physical standby" },
        { "3", "logical,logical,physical", "id % 2", NULL },
    };
    static const char *const cols[] = { "id", "id", "My \"Id", "", };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wv_sim_cfg_init(&cfg);
        err[0] = '\0';
        int rc = wv_sim_cfg_option(&cfg, "followers", cases[i].followers, err, sizeof err);
        rc = rc ? rc : wv_sim_cfg_option(&cfg, "kind", cases[i].kind, err, sizeof err);
        rc = rc ? rc : wv_sim_cfg_option(&cfg, "shard-by", cases[i].value, err, sizeof err);
        rc = rc ? rc : wv_sim_cfg_check(&cfg, err, sizeof err);
        if (cases[i].want ? rc == 0 || !strstr(err, cases[i].want) : rc != 0)
            fail_msg("--shard-by '%s': rc %d, '%s'", cases[i].value, rc, err);
        if (i < sizeof cols / sizeof cols[0])
            assert_string_equal(cfg.shard_col, cols[i]);
        wv_sim_cfg_destroy(&cfg);
    }
    wv_sim_cfg_init(&cfg);
    assert_int_equal(wv_sim_cfg_option(&cfg, "sharding", "maybe", err, sizeof err), -1);
    assert_non_null(strstr(err, "on or off"));
    assert_int_equal(wv_sim_cfg_option(&cfg, "sharding", "off", err, sizeof err), 0);
    assert_true(cfg.sharding_off);
    wv_sim_cfg_destroy(&cfg);
}

/* Sharded by v instead: a fraction or a key not in the old tuple. */
static void test_values(void **state)
{
    (void)state;
    static const char text[] =
        "BEGIN 9\n"
        "table public.n: INSERT: k[integer]:1 v[numeric]:4.50\n"
        "table public.n: INSERT: k[integer]:2 v[numeric]:-3.000\n"
        "table public.n: INSERT: k[integer]:3 v[numeric]:123456789012345678901234567891\n"
        "table public.n: INSERT: k[integer]:4 v[text]:'7'\n"
        "table public.n: DELETE: k[integer]:1\n"
        "COMMIT 9 (at 2026-01-01 10:00:00+00)\n";
    static const char *const o[] = { "followers", "2", "shard-by", "v % 2", NULL };
    char err[300];
    wv_sim *s = sim_from_lines(o, text, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(wv_sim_row_shard(s, 1), WV_SHARD_NONE);  /* 4.50 % 2 = 0.50: no filter true */
    assert_int_equal(wv_sim_row_shard(s, 2), WV_SHARD_NONE);  /* -3.000 % 2 = -1: none */
    assert_int_equal(wv_sim_row_shard(s, 3), 1);              /* ...891 is odd */
    assert_int_equal(wv_sim_row_shard(s, 4), WV_SHARD_EVERY); /* text: no % */
    assert_int_equal(wv_sim_row_shard(s, 5), WV_SHARD_EVERY); /* the key holds no v */
    wv_sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_messages_each_shard_gets),
        cmocka_unit_test(test_only_the_shards_bytes_on_its_link),
        cmocka_unit_test(test_each_shard_holds_its_rows),
        cmocka_unit_test(test_view_gathered),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
