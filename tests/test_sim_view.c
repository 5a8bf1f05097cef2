/* Unit tests for views on the simulation's nodes (src/core/sim_view.c):
 * each node's answer on a small hand-made stream, worked out by hand, and
 * the teaching point of transfers.wvr (bank.wvr's transfers, recorded from
 * the accounts' opening): every node has the same total of balances at
 * every instant, however far behind it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/sim.h"
#include "walviz/view.h"

#include "check.h"
#include "sim_lines.h"

#define MS 1000LL

/* Three accounts opened at 0 s (one with no balance yet), 30 moved at
 * 1 s, one closed at 2 s. */
static const char stream[] = "BEGIN 700\n"
                             "table public.acct: INSERT: id[integer]:1 balance[integer]:100\n"
                             "table public.acct: INSERT: id[integer]:2 balance[integer]:0\n"
                             "table public.acct: INSERT: id[integer]:3 balance[integer]:null\n"
                             "COMMIT 700 (at 2026-01-01 00:00:00+00)\n"
                             "BEGIN 701\n"
                             "table public.acct: UPDATE: id[integer]:1 balance[integer]:70\n"
                             "table public.acct: UPDATE: id[integer]:2 balance[integer]:30\n"
                             "COMMIT 701 (at 2026-01-01 00:00:01+00)\n"
                             "BEGIN 702\n"
                             "table public.acct: DELETE: id[integer]:2\n"
                             "COMMIT 702 (at 2026-01-01 00:00:02+00)\n";

static const char *const opts[] = { "followers", "2", "latency", "100ms,1s", "jitter", "0", NULL };

/* The answer line of the view on node at t. */
static void node_answer(wv_sim_view *v, const wv_sim *sim, int node, int64_t t, char *out, size_t n)
{
    wv_view_answer_line(wv_sim_view_at(v, wv_sim_readable(sim, node, t)), out, n);
}

static bool only_key1(void *ctx, size_t key)
{
    return key == *(size_t *)ctx;
}

static void test_each_node(void **state)
{
    (void)state;
    char err[300];
    wv_sim *sim = sim_from_lines(opts, stream, err, sizeof err);
    CHECK(sim, "%s", err);
    wv_view_query *q = wv_view_parse("SELECT count(*), sum(balance), max(balance) FROM acct", err, sizeof err);
    CHECK(q, "%s", err);
    wv_sim_view *v = wv_sim_view_new(sim, q);
    static const struct {
        int64_t t;
        int node;
        const char *want;
    } cases[] = {
        /* 1.5 s: 701 moved 30; f1 (100 ms) has it, f2 (1 s) not: 100 + 0
         * there, 70 + 30 elsewhere, the same total; the NULL balance is
         * counted as a row, not summed */
        { 1500 * MS, 0, "3, 100, 70" },
        { 1500 * MS, 1, "3, 100, 70" },
        { 1500 * MS, 2, "3, 100, 100" },
        /* 2.5 s: 702 deleted account 2 on the leader and f1; f2 replayed
         * 701 at 2 s, not 702 yet */
        { 2500 * MS, 0, "2, 70, 70" },
        { 2500 * MS, 1, "2, 70, 70" },
        { 2500 * MS, 2, "3, 100, 70" },
        /* 3.5 s: all caught up */
        { 3500 * MS, 2, "2, 70, 70" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[200];
        node_answer(v, sim, cases[i].node, cases[i].t, got, sizeof got);
        CHECK(strcmp(got, cases[i].want) == 0, "node %d at %lld ms: expected '%s', got '%s'", cases[i].node,
              (long long)(cases[i].t / MS), cases[i].want, got);
    }
    CHECK(!wv_sim_view_partial(v), "every row was made in the stream");

    /* a shard's part: only id=1's key */
    wv_view_answer *part = wv_view_answer_new(q);
    size_t key1 = wv_rows_find(wv_sim_rows(sim), 0, "id=1");
    CHECK(key1 != WV_ROWS_NONE, "id=1 is a key");
    wv_sim_view_rows(v, wv_sim_readable(sim, 2, 1500 * MS), only_key1, &key1, part);
    char got[200];
    wv_view_answer_line(part, got, sizeof got);
    CHECK(strcmp(got, "1, 100, 100") == 0, "f2's id=1 at 1.5 s: got '%s'", got);
    wv_view_answer_free(part);
    wv_sim_view_free(v);
    wv_view_query_free(q);
    wv_sim_free(sim);
}

/* Over every event of transfers.wvr (f3 slow to replay, f2 cut off a
 * while), each node's total is 4000.00 once it has the accounts. */
static void test_transfers_keep_the_total(void **state)
{
    (void)state;
    static const char *const sample_opts[] = { "latency", "20ms,300ms,1.5s", "apply", "0.2ms,0.2ms,150ms",
                                               "partition", "f2@2s-4500ms", NULL };
    char err[300];
    wv_sim *sim = sim_from_file(sample_opts, "sample-data/transfers.wvr", err, sizeof err);
    CHECK(sim, "%s", err);
    wv_view_query *q = wv_view_parse("SELECT sum(balance), count(*) FROM accounts", err, sizeof err);
    CHECK(q, "%s", err);
    wv_sim_view *v = wv_sim_view_new(sim, q);
    int events = 0, stale = 0;
    for (int64_t t = 0; t != WV_SIM_NEVER; t = wv_sim_next_event(sim, t, WV_STEP_ALL, 0)) {
        events++;
        size_t kl = wv_sim_readable(sim, WV_SIM_LEADER, t);
        for (int node = 0; node <= 3; node++) {
            size_t k = wv_sim_readable(sim, node, t);
            char got[200];
            wv_view_answer_line(wv_sim_view_at(v, k), got, sizeof got);
            const char *want = k == 0 ? "NULL, 0" : "4000.00, 8";
            CHECK(strcmp(got, want) == 0, "node %d at %lld us (%zu transactions): expected '%s', got '%s'", node,
                  (long long)t, k, want, got);
            stale += node > 0 && k > 0 && k < kl;
        }
    }
    /* the check saw followers behind the leader, many times */
    CHECK(events > 100 && stale > 50, "%d events, %d stale instants", events, stale);
    CHECK(!wv_sim_view_partial(v), "transfers.wvr records the accounts' opening");
    wv_sim_view_free(v);
    wv_sim_free(sim);

    /* bank.wvr began after the accounts were opened: walviz says so, and
     * knows an account from its first transfer on. Wherever a node knows
     * as many accounts as the leader, its total is the leader's, at every
     * event, f2 cut off and f3 slow as above */
    sim = sim_from_file(sample_opts, "sample-data/bank.wvr", err, sizeof err);
    CHECK(sim, "%s", err);
    v = wv_sim_view_new(sim, q);
    CHECK(wv_sim_view_partial(v), "bank.wvr's accounts were there before the recording");
    int compared = 0;
    for (int64_t t = 0; t != WV_SIM_NEVER; t = wv_sim_next_event(sim, t, WV_STEP_ALL, 0)) {
        char lead[200];
        size_t kl = wv_sim_readable(sim, WV_SIM_LEADER, t);
        wv_view_answer_line(wv_sim_view_at(v, kl), lead, sizeof lead);
        for (int node = 1; node <= 3; node++) {
            size_t k = wv_sim_readable(sim, node, t);
            const wv_view_answer *a = wv_sim_view_at(v, k);
            char got[200];
            wv_view_answer_line(a, got, sizeof got);
            const char *count = strchr(got, ','), *lead_count = strchr(lead, ',');
            if (!count || !lead_count || strcmp(count, lead_count) != 0)
                continue; /* it has not met every account the leader has */
            compared += k < kl;
            CHECK(strcmp(got, lead) == 0, "bank.wvr, f%d at %lld us: '%s', the leader '%s'", node, (long long)t, got,
                  lead);
        }
    }
    CHECK(compared > 20, "only %d moments with a follower behind knowing every account", compared);
    wv_sim_view_free(v);
    wv_sim_free(sim);
    wv_view_query_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_node),
        cmocka_unit_test(test_transfers_keep_the_total),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
