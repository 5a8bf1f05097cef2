/* Unit tests for readers (src/core/reads.c): each pattern's reads, stale
 * answers and broken guarantees on a small hand-made stream, counted by
 * hand in the comments; the reader's syntax and its refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/reads.h"
#include "walviz/sim.h"

#include "check.h"
#include "sim_lines.h"

#define MS 1000LL

/* One account written at 0 s (100), 1 s (80) and 2 s (60); a second one
 * only at 0 s. f1 is 100 ms away, f2 1 s. */
static const char stream[] = "BEGIN 700\n"
                             "table public.acct: INSERT: id[integer]:1 owner[text]:'ann' balance[numeric]:100.00\n"
                             "table public.acct: INSERT: id[integer]:2 owner[text]:'bob' balance[numeric]:5.00\n"
                             "COMMIT 700 (at 2026-01-01 00:00:00+00)\n"
                             "BEGIN 701\n"
                             "table public.acct: UPDATE: id[integer]:1 owner[text]:'ann' balance[numeric]:80.00\n"
                             "COMMIT 701 (at 2026-01-01 00:00:01+00)\n"
                             "BEGIN 702\n"
                             "table public.acct: UPDATE: id[integer]:1 owner[text]:'ann' balance[numeric]:60.00\n"
                             "COMMIT 702 (at 2026-01-01 00:00:02+00)\n";

typedef struct counts {
    size_t reads, stale, broke;
} counts;

/* Runs the one reader spec (with extra options) over the stream. */
static counts run(const char *spec, const char *const *extra, const wv_read *want, size_t nwant)
{
    const char *opts[16] = { "followers", "2", "latency", "100ms,1s", "jitter", "0", "reader", spec };
    int n = 8;
    for (int i = 0; extra && extra[i]; i++)
        opts[n++] = extra[i];
    opts[n] = NULL;
    char err[300];
    wv_sim *sim = sim_from_lines(opts, stream, err, sizeof err);
    CHECK(sim, "%s: %s", spec, err);
    wv_reads *r = wv_reads_new(sim);
    const wv_read *reads;
    size_t got = wv_reads_run(r, WV_SIM_NEVER, &reads);
    counts c = { got, 0, 0 };
    for (size_t i = 0; i < got; i++) {
        c.stale += reads[i].stale;
        c.broke += reads[i].broke != WV_BROKE_NONE;
        if (i >= nwant)
            continue;
        const wv_read *w = &want[i];
        CHECK(reads[i].at == w->at && reads[i].node == w->node && strcmp(reads[i].answer, w->answer) == 0 &&
                  strcmp(reads[i].leader, w->leader) == 0 && reads[i].stale == w->stale && reads[i].broke == w->broke,
              "%s, read %zu: expected %lld us on node %d '%s' (leader '%s') stale %d broke %d; got %lld us on node %d "
              "'%s' (leader '%s') stale %d broke %d",
              spec, i, (long long)w->at, w->node, w->answer, w->leader, w->stale, w->broke, (long long)reads[i].at,
              reads[i].node, reads[i].answer, reads[i].leader, reads[i].stale, reads[i].broke);
    }
    wv_reads_free(r);
    wv_sim_free(sim);
    return c;
}

#define READ(at_, node_, ans, lead, stale_, broke_)                                                \
    { .at = (at_), .node = (node_), .answer = ans, .leader = lead, .stale = (stale_), .broke = (broke_) }

static void test_read_your_writes(void **state)
{
    (void)state;
    /* asynchronous: each COMMIT returns at once (0, 1 s, 2 s) and f2,
     * 1 s away, has not replayed it: three reads, all stale, all broken */
    const wv_read f2[] = {
        READ(0, 2, "(no row)", "100.00", true, WV_BROKE_RYW),
        READ(1000 * MS, 2, "(no row)", "80.00", true, WV_BROKE_RYW),
        READ(2000 * MS, 2, "100.00", "60.00", true, WV_BROKE_RYW),
    };
    counts c = run("ryw acct id=1 balance on f2", NULL, f2, 3);
    CHECK(c.reads == 3 && c.stale == 3 && c.broke == 3, "f2: %zu reads, %zu stale, %zu broken", c.reads, c.stale,
          c.broke);
    /* remote_apply on f1: a COMMIT returns once f1 replayed it, so f1
     * always has the client's write: nothing broken; f2 still lags */
    static const char *const sync[] = { "sync", "remote_apply", "sync-standbys", "FIRST 1 (f1)", NULL };
    c = run("ryw acct id=1 balance on f1", sync, NULL, 0);
    CHECK(c.reads == 3 && c.stale == 0 && c.broke == 0, "f1, remote_apply: %zu reads, %zu stale, %zu broken",
          c.reads, c.stale, c.broke);
    c = run("ryw acct id=1 balance on f2", sync, NULL, 0);
    CHECK(c.reads == 3 && c.broke == 3, "f2, remote_apply on f1: %zu reads, %zu broken", c.reads, c.broke);
    /* 1.15 s: f1 replayed 701 (1.1 s), whose COMMIT still waits for f1's
     * reply (1.2 s): the leader's sessions still see 100.00. f1 is ahead,
     * not stale */
    const wv_read ahead[] = { READ(1150 * MS, 1, "80.00", "100.00", false, WV_BROKE_NONE) };
    c = run("acct id=1 balance on f1 at 1.15s", sync, ahead, 1);
    CHECK(c.reads == 1 && c.stale == 0, "ahead: %zu reads, %zu stale", c.reads, c.stale);
}

static void test_monotonic_reads(void **state)
{
    (void)state;
    /* f1, f2, f1, f2: f1 has 701 at 1.2 s (80.00); f2 at 1.4 s only 700
     * (100.00): back in time. f1 has 702 at 2.2 s (60.00); f2 at 2.4 s
     * 701 (80.00): back again. Stale where the leader says otherwise. */
    const wv_read want[] = {
        READ(1200 * MS, 1, "80.00", "80.00", false, WV_BROKE_NONE),
        READ(1400 * MS, 2, "100.00", "80.00", true, WV_BROKE_MONOTONIC),
        READ(2200 * MS, 1, "60.00", "60.00", false, WV_BROKE_NONE),
        READ(2400 * MS, 2, "80.00", "60.00", true, WV_BROKE_MONOTONIC),
    };
    counts c = run("monotonic acct id=1 balance at 2.2s,1.2s,1.4s,2.4s", NULL, want, 4);
    CHECK(c.reads == 4 && c.stale == 2 && c.broke == 2, "%zu reads, %zu stale, %zu broken", c.reads, c.stale, c.broke);
    /* one follower only: never back in time, however stale */
    static const char *const one[] = { "followers", "1", "latency", "1s", NULL };
    c = run("monotonic acct id=1 balance at 1.2s,1.4s,2.2s,2.4s", one, NULL, 0);
    CHECK(c.reads == 4 && c.broke == 0, "one follower: %zu reads, %zu broken", c.reads, c.broke);
}

static void test_routed_reads(void **state)
{
    (void)state;
    /* the followers in turn: f1 is current at 0.5, 1.5, 2.5 s; f2 a
     * transaction behind at 1.05 and 2.05 s */
    const wv_read want[] = {
        READ(500 * MS, 1, "100.00", "100.00", false, WV_BROKE_NONE),
        READ(1050 * MS, 2, "100.00", "80.00", true, WV_BROKE_NONE),
        READ(1500 * MS, 1, "80.00", "80.00", false, WV_BROKE_NONE),
        READ(2050 * MS, 2, "80.00", "60.00", true, WV_BROKE_NONE),
        READ(2500 * MS, 1, "60.00", "60.00", false, WV_BROKE_NONE),
    };
    counts c = run("routed acct id=1 balance at 0.5s,1.05s,1.5s,2.05s,2.5s", NULL, want, 5);
    CHECK(c.reads == 5 && c.stale == 2 && c.broke == 0, "%zu reads, %zu stale, %zu broken", c.reads, c.stale,
          c.broke);
    /* every 700 ms until the end (f2's last flush, after 3 s): 0.7,
     * 1.4, 2.1, 2.8 s; the whole row but its key, from the leader */
    const wv_read plain[] = {
        READ(700 * MS, 0, "owner=ann, balance=100.00", "owner=ann, balance=100.00", false, WV_BROKE_NONE),
        READ(1400 * MS, 0, "owner=ann, balance=80.00", "owner=ann, balance=80.00", false, WV_BROKE_NONE),
    };
    c = run("acct id=1 on leader every 700ms", NULL, plain, 2);
    CHECK(c.reads == 4 && c.stale == 0, "%zu reads, %zu stale", c.reads, c.stale);
    /* after a failover to f1 (at 1.2 s, promoted at 2.2 s) f1 leads: the
     * router sends follower reads to f2 only */
    static const char *const fo_opts[] = { "followers", "2", "latency", "100ms,1s", "jitter", "0", "failover",
                                           "1.2s:f1", "reader", "routed acct id=1 balance at 0.5s,1.05s,2.5s,2.8s",
                                           NULL };
    char err[300];
    wv_sim *sim = sim_from_lines(fo_opts, stream, err, sizeof err);
    CHECK(sim, "failover: %s", err);
    wv_reads *r = wv_reads_new(sim);
    const wv_read *reads;
    size_t got = wv_reads_run(r, WV_SIM_NEVER, &reads);
    static const int nodes[] = { 1, 2, 2, 2 };
    CHECK(got == 4, "failover: %zu reads", got);
    for (size_t i = 0; i < got && i < 4; i++)
        CHECK(reads[i].node == nodes[i], "failover, read %zu at %lld ms: on node %d, expected %d", i,
              (long long)reads[i].at / 1000, reads[i].node, nodes[i]);
    wv_reads_free(r);
    wv_sim_free(sim);
    /* a row there before the stream began (first seen updated): f2 has it
     * in an older version until it replays the update */
    static const char *const older_opts[] = { "followers", "2", "latency", "100ms,1s", "jitter", "0", "reader",
                                              "acct id=5 balance on f2 at 0.5s", NULL };
    static const char upd[] = "BEGIN 700\ntable public.acct: UPDATE: id[integer]:5 balance[numeric]:7.00\n"
                              "COMMIT 700 (at 2026-01-01 00:00:00+00)\n";
    wv_sim *os = sim_from_lines(older_opts, upd, err, sizeof err);
    CHECK(os, "older: %s", err);
    wv_reads *orr = wv_reads_new(os);
    got = wv_reads_run(orr, WV_SIM_NEVER, &reads);
    CHECK(got == 1 && strcmp(reads[0].answer, "(older version)") == 0 && strcmp(reads[0].leader, "7.00") == 0 &&
              reads[0].stale,
          "older: %zu reads, '%s' (leader '%s')", got, got ? reads[0].answer : "", got ? reads[0].leader : "");
    wv_reads_free(orr);
    wv_sim_free(os);
    /* a row that is not there: id=9 */
    const wv_read none[] = { READ(500 * MS, 1, "(no row)", "(no row)", false, WV_BROKE_NONE) };
    c = run("acct id=9 balance on f1 at 0.5s", NULL, none, 1);
    CHECK(c.reads == 1, "%zu reads", c.reads);
}

static void test_view_reads(void **state)
{
    (void)state;
    /* the total on f2 at 1.05 s: 100.00 + 5.00, the leader 85.00 */
    static const char *const view[] = { "view", "SELECT sum(balance) FROM acct", NULL };
    const wv_read want[] = { READ(1050 * MS, 2, "105.00", "85.00", true, WV_BROKE_NONE) };
    counts c = run("view on f2 at 1.05s", view, want, 1);
    CHECK(c.reads == 1 && c.stale == 1, "%zu reads, %zu stale", c.reads, c.stale);
}

static void test_spec_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *says;
    } bad[] = {
        { "accounts", "expected a table and a key (accounts id=3) or 'view'" },
        { "accounts id=3 balance", "a plain reader reads one node: add 'on f2'" },
        { "monotonic accounts id=3 on f2", "reads the followers in turn: no 'on'" },
        { "ryw accounts id=3 every 1s", "no 'every' or 'at'" },
        { "ryw view", "give a table and a key" },
        { "routed accounts id=3 every soon", "'every' expects a duration" },
        { "routed accounts id=3 balance sometimes 3", "'sometimes' is not understood here" },
        { "routed accounts id=3 balance at", "'at' needs a value" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wv_read_spec spec;
        char err[300] = "";
        CHECK(wv_read_spec_parse(bad[i].spec, &spec, err, sizeof err) < 0, "'%s' was accepted", bad[i].spec);
        CHECK(strstr(err, bad[i].says), "'%s': expected '%s' in '%s'", bad[i].spec, bad[i].says, err);
    }
    /* a node that is not one, or a view reader with no view */
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char err[300] = "";
    CHECK(wv_sim_cfg_option(&cfg, "reader", "accounts id=3 on f9", err, sizeof err) == 0, "%s", err);
    CHECK(wv_sim_cfg_check(&cfg, err, sizeof err) < 0 && strstr(err, "'f9' is not a node"), "got '%s'", err);
    wv_sim_cfg_destroy(&cfg);
    wv_sim_cfg_init(&cfg);
    CHECK(wv_sim_cfg_option(&cfg, "reader", "routed view", err, sizeof err) == 0, "%s", err);
    CHECK(wv_sim_cfg_check(&cfg, err, sizeof err) < 0 && strstr(err, "there is none"), "got '%s'", err);
    CHECK(wv_sim_cfg_option(&cfg, "view", "SELECT * FROM t", err, sizeof err) < 0 &&
              strncmp(err, "--view: expected an aggregate", 29) == 0,
          "got '%s'", err);
    wv_sim_cfg_destroy(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_your_writes),
        cmocka_unit_test(test_monotonic_reads),
        cmocka_unit_test(test_routed_reads),
        cmocka_unit_test(test_view_reads),
        cmocka_unit_test(test_spec_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
