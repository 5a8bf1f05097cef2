/* Unit tests for the failover (src/core/sim_failover.c): which
 * transactions a promotion loses, when their clients were told, what the
 * other followers hold after it; every number worked out by hand below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/controller.h"
#include "walviz/reads.h"
#include "walviz/view.h"

#include "check.h"
#include "failover_stream.h"
#include "sim_lines.h"

#define MS INT64_C(1000)
#define SEC INT64_C(1000000)

/* Three subscribers with exact links (no jitter, a bandwidth that makes
 * wire time 0): f1 and f3 are cut off from 1.5 s to 4.5 s (TCP holds what
 * is sent meanwhile: it would arrive a trip after 4.5 s), f2 is not. The
 * leader fails at 3.5 s; f1 is promoted, the new leader at 4.5 s. Each
 * change costs 1 ms to apply; a subscriber's commit is flushed at its WAL
 * writer's next 200 ms wakeup, plus 5 ms. */
static wv_sim *cluster(const char *level, const char *standbys, bool failover)
{
    const char *opts[40] = { "latency", "100ms,100ms,200ms", "jitter", "0", "bandwidth", "1000GB/s", "apply", "1ms",
                             "flush", "5ms", "partition", "f1@1.5s-4.5s", "partition", "f3@1.5s-4.5s", "sync",
                             level };
    int n = 16;
    if (standbys)
        opts[n++] = "sync-standbys", opts[n++] = standbys;
    if (failover)
        opts[n++] = "failover", opts[n++] = "3.5s:f1";
    opts[n] = NULL;
    char err[200];
    wv_sim *sim = sim_from_lines(opts, failover_stream, err, sizeof err);
    CHECK(sim != NULL, "the test stream: %s", err);
    return sim;
}

static int64_t ack_of(const wv_sim *s, size_t u)
{
    return wv_sim_txn_ack(s, u, NULL);
}

/* What every query's binary search relies on. */
static void check_monotone(const wv_sim *s)
{
    for (int f = 0; f < wv_sim_config(s)->nfollowers; f++)
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            for (size_t m = 1; m < wv_sim_count(s); m++)
                CHECK(wv_sim_stage(s, f, m - 1, (wv_stage)st) <= wv_sim_stage(s, f, m, (wv_stage)st),
                      "f%d stage %d: message %zu at %lld, after %zu at %lld", f + 1, st, m,
                      (long long)wv_sim_stage(s, f, m, (wv_stage)st), m - 1,
                      (long long)wv_sim_stage(s, f, m - 1, (wv_stage)st));
    for (size_t u = 1; u < wv_sim_txn_count(s); u++)
        CHECK(wv_sim_txn_time(s, u - 1) <= wv_sim_txn_time(s, u), "unit %zu goes back in time", u);
}

/* Without synchronous standbys (or under off and local, with them) every
 * COMMIT returns at once: 702 (t = 2 s) and 703 (3 s) were acknowledged
 * before the failure, and f1, cut off since 1.5 s, never received them:
 * 2 commits and 3 changes lost. f1 had
 * 700 and 701 (written at 0.1 s and 1.1 s). Under off a commit leaves at
 * the WAL writer's next wakeup (700 at 0.2 s, 701 at 1.2 s): the same. */
static void test_async_loses_acknowledged(void **state)
{
    (void)state;
    /* off and local never wait, with f1 a synchronous standby or not */
    static const char *const levels[] = { "off", "local", "on", "remote_apply", "off", "local" };
    for (size_t i = 0; i < 6; i++) {
        wv_sim *s = cluster(levels[i], i >= 4 ? "FIRST 1 (f1)" : NULL, true);
        wv_failover fo;
        wv_sim_failover(s, &fo);
        CHECK(fo.on && fo.at == 3500 * MS && fo.promoted_at == 4500 * MS && fo.to == 0,
              "%s: the failover at 3.5 s to f1, promoted at 4.5 s", levels[i]);
        CHECK(fo.kept == 2 && fo.lost_to == 4, "%s: f1 keeps 700, 701; lost [%zu, %zu), expected [2, 4)", levels[i],
              fo.kept, fo.lost_to);
        CHECK(fo.acked_commits == 2 && fo.acked_changes == 3 && fo.unacked_commits == 0,
              "%s: 2 commits, 3 changes acknowledged and lost; got %zu, %zu (%zu unacknowledged)", levels[i],
              fo.acked_commits, fo.acked_changes, fo.unacked_commits);
        int64_t left = strcmp(levels[i], "off") == 0 ? 200 * MS : 0; /* the WAL writer's */
        CHECK(ack_of(s, 2) == 2 * SEC && ack_of(s, 3) == 3 * SEC, "%s: 702, 703 returned at their commit",
              levels[i]);
        CHECK(wv_sim_stage(s, 0, 5, WV_STAGE_WRITTEN) == 1 * SEC + left + 100 * MS,
              "%s: f1 wrote COMMIT 701 at %lld", levels[i], (long long)wv_sim_stage(s, 0, 5, WV_STAGE_WRITTEN));
        CHECK(!wv_sim_txn_lost(s, 1) && wv_sim_txn_lost(s, 2) && wv_sim_txn_lost(s, 3) && !wv_sim_txn_lost(s, 4),
              "%s: exactly 702 and 703 are lost", levels[i]);
        /* f2 had 702 and 703 (not cut off): more than f1, it diverged */
        CHECK(fo.diverged == 2, "%s: f2 diverged, bits %#x", levels[i], fo.diverged);
        check_monotone(s);
        wv_sim_free(s);
    }
}

/* With f1 as synchronous standby, 702 and 703 wait for f1, cut off, and
 * the leader dies before they return: lost, but never promised. 700 and
 * 701 returned a round trip after f1 confirmed them: on (flush): applied
 * at 0.102 s (arrival 0.1, the INSERT 1 ms, the COMMIT 1 ms), flushed at
 * the 0.2 s wakeup + 5 ms, the reply 100 ms later: 0.305 s; 701 at
 * 1.305 s. remote_apply: the apply's reply, 0.202 s and 1.202 s. */
static void test_sync_to_promoted_loses_nothing_acknowledged(void **state)
{
    (void)state;
    static const struct {
        const char *level;
        int64_t ack0, ack1;
    } cases[] = { { "on", 305 * MS, 1305 * MS }, { "remote_apply", 202 * MS, 1202 * MS } };
    for (size_t i = 0; i < 2; i++) {
        wv_sim *s = cluster(cases[i].level, "FIRST 1 (f1)", true);
        wv_failover fo;
        wv_sim_failover(s, &fo);
        CHECK(fo.kept == 2 && fo.lost_to == 4 && fo.acked_commits == 0 && fo.unacked_commits == 2 &&
                  fo.unacked_changes == 3,
              "%s: nothing acknowledged lost; 2 commits (3 changes) never returned; got kept %zu, acked %zu, "
              "unacked %zu (%zu changes)",
              cases[i].level, fo.kept, fo.acked_commits, fo.unacked_commits, fo.unacked_changes);
        CHECK(ack_of(s, 0) == cases[i].ack0 && ack_of(s, 1) == cases[i].ack1,
              "%s: 700 and 701 returned at %lld and %lld, expected %lld and %lld", cases[i].level,
              (long long)ack_of(s, 0), (long long)ack_of(s, 1), (long long)cases[i].ack0, (long long)cases[i].ack1);
        CHECK(ack_of(s, 2) == WV_SIM_NEVER && ack_of(s, 3) == WV_SIM_NEVER, "%s: 702 and 703 never returned",
              cases[i].level);
        /* the new leader's commits (704 recorded at 4 s, now at 5 s): f1
         * was the only standby listed and does not wait for itself */
        CHECK(wv_sim_txn_time(s, 4) == 5 * SEC && ack_of(s, 4) == 5 * SEC && ack_of(s, 5) == 6 * SEC,
              "%s: the new leader's commits at 5 s and 6 s return at once (%lld, %lld)", cases[i].level,
              (long long)ack_of(s, 4), (long long)ack_of(s, 5));
        check_monotone(s);
        wv_sim_free(s);
    }
    /* f3 as the synchronous standby, cut off too: it passes 702 and 703
     * over on the new leader's stream after 5.1 s, but the old leader
     * that waited for it is dead: never acknowledged. */
    wv_sim *s3 = cluster("on", "FIRST 1 (f3)", true);
    CHECK(ack_of(s3, 2) == WV_SIM_NEVER && ack_of(s3, 3) == WV_SIM_NEVER, "FIRST 1 (f3): 702, 703 at %lld, %lld",
          (long long)ack_of(s3, 2), (long long)ack_of(s3, 3));
    wv_sim_free(s3);
    /* Without the failover the same commits waited until f1 was back:
     * the cost of the guarantee. 702 reaches f1 at 4.6 s (the heal, and a
     * trip), applied at 4.602 s, flushed at 4.805 s, the reply at 4.905 s. */
    wv_sim *s = cluster("on", "FIRST 1 (f1)", false);
    CHECK(ack_of(s, 2) == 4905 * MS, "no failover: 702 returned at %lld, expected 4.905 s", (long long)ack_of(s, 2));
    wv_sim_free(s);
}

/* Synchronous, but to f2: 702 and 703 returned once f2 flushed them
 * (702: arrival 2.1 s, applied 2.102 s, flushed at 2.205 s, the reply at
 * 2.305 s; 703: its COMMIT applied at 3.103 s, flushed 3.205 s, 3.305 s),
 * before the failure, and f1 was promoted without them: acknowledged and
 * lost even so. */
static void test_sync_to_another_standby_loses(void **state)
{
    (void)state;
    wv_sim *s = cluster("on", "FIRST 1 (f2)", true);
    wv_failover fo;
    wv_sim_failover(s, &fo);
    CHECK(ack_of(s, 2) == 2305 * MS && ack_of(s, 3) == 3305 * MS, "702, 703 returned at %lld, %lld",
          (long long)ack_of(s, 2), (long long)ack_of(s, 3));
    CHECK(fo.acked_commits == 2 && fo.acked_changes == 3, "2 commits, 3 changes acknowledged and lost: %zu, %zu",
          fo.acked_commits, fo.acked_changes);
    wv_sim_free(s);
    /* ANY 1 (f1, f3): after the promotion f3 counts for the new leader.
     * f3 reconnects at 4.5 s, its START_REPLICATION arrives three trips
     * later (5.1 s); 704 (5 s) leaves then, arrives at 5.3 s, applied at
     * 5.302 s, flushed at the 5.4 s wakeup + 5 ms, the reply at 5.605 s. */
    s = cluster("on", "ANY 1 (f1, f3)", true);
    CHECK(ack_of(s, 4) == 5605 * MS, "704 on the new leader returned at %lld, expected 5.605 s",
          (long long)ack_of(s, 4));
    unsigned by;
    wv_sim_txn_ack(s, 4, &by);
    CHECK(by == 4, "released by f3 alone, got %#x", by);
    check_monotone(s);
    wv_sim_free(s);
}

static long balance(const wv_sim *s, int node, int64_t t, const char *key)
{
    const wv_rows *rows = wv_sim_rows(s);
    size_t k = wv_rows_find(rows, 0, key);
    if (k == WV_ROWS_NONE)
        return -1;
    wv_row r = wv_sim_row(s, node, t, k, wv_sim_visible(s, node, t));
    if (!r.exists)
        return -1;
    wv_slice text = wv_sim_text(s, r.msg);
    char line[200];
    snprintf(line, sizeof line, "%.*s", (int)text.len, text.ptr);
    const char *at = strstr(line, "balance[integer]:");
    return at ? strtol(at + 17, NULL, 10) : -2;
}

/* The rows each node holds: the old leader had everything; the new leader
 * and f3, which follows it, never have 702 and 703 (id=1 stays 100), and
 * do have the new leader's 704 and 705; f2 diverged and keeps what it had
 * at the failure. f3 receives 704 at 5.3 s and 705 (6 s) at 6.2 s. */
static void test_rows_after_failover(void **state)
{
    (void)state;
    wv_sim *s = cluster("on", NULL, true);
    static const struct {
        int node;
        int64_t t;
        long id1, id2, id3; /* -1: no row */
        const char *who;
    } want[] = {
        { 0, 3600 * MS, 80, 70, -1, "the old leader, dead since 3.5 s" },
        { 0, 7 * SEC, 100, 60, 5, "the new leader" },
        { 1, 7 * SEC, 100, 60, 5, "f1, promoted" },
        { 2, 7 * SEC, 80, 70, -1, "f2, diverged" },
        { 3, 4 * SEC, 100, 50, -1, "f3 before the promotion" },
        { 3, 5400 * MS, 100, 60, -1, "f3 once it has 704" },
        { 3, 7 * SEC, 100, 60, 5, "f3 following the new leader" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        long a = balance(s, want[i].node, want[i].t, "id=1"), b = balance(s, want[i].node, want[i].t, "id=2"),
             c = balance(s, want[i].node, want[i].t, "id=3");
        CHECK(a == want[i].id1 && b == want[i].id2 && c == want[i].id3,
              "%s at %lld: balances %ld, %ld, %ld; expected %ld, %ld, %ld", want[i].who, (long long)want[i].t, a, b,
              c, want[i].id1, want[i].id2, want[i].id3);
    }
    /* f3's lost messages are passed over at the promotion; 702's BEGIN
     * left at 2 s, before the failure, and keeps that */
    CHECK(wv_sim_stage(s, 2, 6, WV_STAGE_SENT) == 2 * SEC && wv_sim_stage(s, 2, 6, WV_STAGE_WRITTEN) == 4500 * MS,
          "f3, BEGIN 702: sent %lld, written %lld", (long long)wv_sim_stage(s, 2, 6, WV_STAGE_SENT),
          (long long)wv_sim_stage(s, 2, 6, WV_STAGE_WRITTEN));
    CHECK(wv_sim_stage(s, 2, 15, WV_STAGE_APPLIED) == 5302 * MS, "f3 replays COMMIT 704 at %lld",
          (long long)wv_sim_stage(s, 2, 15, WV_STAGE_APPLIED));
    /* the walsenders: none on the dead leader; f3's on the new one in
     * startup a trip after it connects (4.7 s), in catchup from 5.1 s;
     * f2 never connects to the new leader */
    CHECK(wv_sim_walsnd_state(s, 0, 4 * SEC) == WV_WALSND_NONE && wv_sim_walsnd_state(s, 1, 5 * SEC) == WV_WALSND_NONE,
          "f1 and f2 have no walsender after the failure");
    CHECK(wv_sim_walsnd_state(s, 2, 4 * SEC) == WV_WALSND_NONE && wv_sim_walsnd_state(s, 2, 4800 * MS) == WV_WALSND_STARTUP &&
              wv_sim_walsnd_state(s, 2, 6 * SEC) == WV_WALSND_STREAMING,
          "f3 reconnects to the new leader");
    CHECK(wv_sim_leader_at(s, 4 * SEC) == -1 && wv_sim_leader_at(s, 4500 * MS) == 0, "f1 leads from 4.5 s");
    CHECK(wv_sim_end_time(s) >= 6202 * MS, "the timeline runs to f3's last replay, got %lld",
          (long long)wv_sim_end_time(s));
    check_monotone(s);
    wv_sim_free(s);
}

/* Views and reads (sim_view.c, reads.c) follow the rows of the previous
 * test: after the promotion the leader is f1, without 702 and 703, and
 * so is f3 once it follows it; f2 diverged keeps 703's rows; the old
 * leader, before it failed, had them too. */
static void test_reports_after_failover(void **state)
{
    (void)state;
    const char *opts[] = { "latency", "100ms,100ms,200ms", "jitter", "0", "bandwidth", "1000GB/s", "apply", "1ms",
                           "flush", "5ms", "partition", "f1@1.5s-4.5s", "partition", "f3@1.5s-4.5s", "failover",
                           "3.5s:f1", "view", "SELECT sum(balance), count(*) FROM acct", "reader",
                           "acct id=1 balance on leader at 3.4s,5.5s", "reader", "acct id=1 balance on f2 at 5.5s", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(opts, failover_stream, err, sizeof err);
    CHECK(s != NULL, "the test stream: %s", err);
    wv_view_query *q = wv_view_parse(wv_sim_config(s)->views[0], err, sizeof err);
    CHECK(q != NULL, "%s", err);
    wv_sim_view *v = wv_sim_view_new(s, q);
    static const struct {
        int node;
        int64_t t;
        const char *answer, *who;
    } want[] = {
        { 0, 3400 * MS, "150, 2", "the old leader" },
        { 0, 7 * SEC, "165, 3", "the new leader" },
        { 1, 7 * SEC, "165, 3", "f1, promoted" },
        { 2, 7 * SEC, "150, 2", "f2, diverged" },
        { 3, 7 * SEC, "165, 3", "f3 following the new leader" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char got[100];
        wv_view_answer_line(wv_sim_view_at(v, want[i].node, want[i].t), got, sizeof got);
        CHECK(strcmp(got, want[i].answer) == 0, "%s at %lld: expected '%s', got '%s'", want[i].who,
              (long long)want[i].t, want[i].answer, got);
    }
    wv_sim_view_free(v);
    wv_view_query_free(q);

    wv_reads *r = wv_reads_new(s);
    const wv_read *reads;
    size_t n = wv_reads_run(r, WV_SIM_NEVER, &reads);
    static const char *const answers[][2] = { { "80", "80" }, { "100", "100" }, { "80", "100" } };
    CHECK(n == 3, "3 reads, got %zu", n);
    for (size_t i = 0; i < n && i < 3; i++)
        CHECK(strcmp(reads[i].answer, answers[i][0]) == 0 && strcmp(reads[i].leader, answers[i][1]) == 0,
              "read %zu: expected %s (leader %s), got %s (leader %s)", i, answers[i][0], answers[i][1],
              reads[i].answer, reads[i].leader);
    wv_reads_free(r);
    wv_sim_free(s);
}

/* Setting the failover on a loaded simulation gives the same schedule as
 * the option; removing it gives back the schedule without one. */
static void test_set_failover_is_the_option(void **state)
{
    (void)state;
    wv_sim *with = cluster("on", "FIRST 1 (f1)", true), *late = cluster("on", "FIRST 1 (f1)", false),
           *none = cluster("on", "FIRST 1 (f1)", false);
    CHECK(wv_sim_set_failover(late, 3500 * MS, 0) == 0, "set");
    CHECK(wv_sim_set_failover(late, 0, 7) == -1, "f8 is refused");
    for (int pass = 0; pass < 2; pass++) {
        const wv_sim *want = pass ? none : with;
        for (size_t u = 0; u < wv_sim_txn_count(want); u++)
            CHECK(wv_sim_txn_time(late, u) == wv_sim_txn_time(want, u) && ack_of(late, u) == ack_of(want, u),
                  "pass %d unit %zu: time %lld ack %lld, expected %lld %lld", pass, u,
                  (long long)wv_sim_txn_time(late, u), (long long)ack_of(late, u),
                  (long long)wv_sim_txn_time(want, u), (long long)ack_of(want, u));
        for (int f = 0; f < 3; f++)
            for (size_t m = 0; m < wv_sim_count(want); m++)
                for (int st = 0; st < WV_STAGE_COUNT; st++)
                    CHECK(wv_sim_stage(late, f, m, (wv_stage)st) == wv_sim_stage(want, f, m, (wv_stage)st),
                          "pass %d: f%d message %zu stage %d", pass, f + 1, m, st);
        wv_sim_set_failover(late, 0, -1);
    }
    wv_sim_free(with);
    wv_sim_free(late);
    wv_sim_free(none);
}

/* X at the playhead: with no follower selected, the one that received
 * most is promoted (at 3.5 s, f2: it was never cut off, and has all four
 * of the old leader's transactions, so nothing is lost); X again takes the
 * failover away; with f3 selected, f3. */
static void test_key(void **state)
{
    (void)state;
    wv_sim *s = cluster("on", NULL, false);
    wv_ctl c;
    wv_ctl_init(&c, s, false);
    c.tl.now = 3500 * MS;
    wv_ctl_apply(&c, WV_ACT_FAILOVER, 0);
    const wv_sim_cfg *cfg = wv_sim_config(s);
    wv_failover fo;
    wv_sim_failover(s, &fo);
    CHECK(cfg->failover_to == 1 && cfg->failover_at == 3500 * MS && c.view.selected_follower == 1,
          "X: f2 promoted at 3.5 s, got f%d at %lld", cfg->failover_to + 1, (long long)cfg->failover_at);
    CHECK(fo.kept == 4 && fo.lost_to == 4 && fo.diverged == 0, "f2 had everything: kept %zu, diverged %#x", fo.kept,
          fo.diverged);
    CHECK(strstr(c.notice, "f2 is promoted") != NULL, "the notice: '%s'", c.notice);
    wv_ctl_apply(&c, WV_ACT_FAILOVER, 0);
    CHECK(cfg->failover_to == -1, "X again: no failover");
    wv_ctl_apply(&c, WV_ACT_SELECT_1 + 2, 0);
    wv_ctl_apply(&c, WV_ACT_FAILOVER, 0);
    CHECK(cfg->failover_to == 2, "with f3 selected, f3: got f%d", cfg->failover_to + 1);
    CHECK(wv_keys_action(WV_KEY_X, 0) == WV_ACT_FAILOVER, "the key is X");
    check_monotone(s);
    wv_sim_free(s);
}

/* A failover forks the future only: every stage time and ack before the
 * failure is what it was without one, at every level and failure time. */
static void test_past_stays(void **state)
{
    (void)state;
    static const char *const levels[] = { "off", "on", "remote_apply" };
    static const int64_t ats[] = { 0, 1500 * MS, 2050 * MS, 3500 * MS, 9 * SEC };
    for (size_t i = 0; i < 3; i++) {
        wv_sim *none = cluster(levels[i], "ANY 1 (f2, f3)", false), *s = cluster(levels[i], "ANY 1 (f2, f3)", false);
        for (size_t a = 0; a < sizeof ats / sizeof ats[0]; a++) {
            for (int to = 0; to < 3; to++) {
                int64_t at = ats[a];
                wv_sim_set_failover(s, at, to);
                for (int f = 0; f < 3; f++)
                    for (size_t m = 0; m < wv_sim_count(s); m++)
                        for (int st = 0; st < WV_STAGE_COUNT; st++) {
                            int64_t was = wv_sim_stage(none, f, m, (wv_stage)st);
                            CHECK(was >= at || wv_sim_stage(s, f, m, (wv_stage)st) == was,
                                  "%s, failover at %lld to f%d: f%d message %zu stage %d was %lld, now %lld",
                                  levels[i], (long long)at, to + 1, f + 1, m, st, (long long)was,
                                  (long long)wv_sim_stage(s, f, m, (wv_stage)st));
                        }
                for (size_t u = 0; u < wv_sim_txn_count(s); u++) {
                    CHECK(ack_of(none, u) >= at || ack_of(s, u) == ack_of(none, u), "%s at %lld: unit %zu's ack",
                          levels[i], (long long)at, u);
                    CHECK(wv_sim_txn_time(none, u) >= at || wv_sim_txn_time(s, u) == wv_sim_txn_time(none, u),
                          "%s at %lld: unit %zu's time", levels[i], (long long)at, u);
                }
                check_monotone(s);
            }
        }
        wv_sim_free(none);
        wv_sim_free(s);
    }
}

static void test_option_errors(void **state)
{
    (void)state;
    static const char *const bad[][2] = { { "3s", "--failover expects TIME:FOLLOWER" },
                                          { "3s:f9", "'f9' is not a follower" },
                                          { "soon:f1", "--failover expects TIME:FOLLOWER" } };
    for (size_t i = 0; i < 3; i++) {
        const char *opts[] = { "failover", bad[i][0], NULL };
        char err[200] = "";
        wv_sim *s = sim_from_lines(opts, failover_stream, err, sizeof err);
        CHECK(!s && strstr(err, bad[i][1]), "--failover %s: '%s'", bad[i][0], err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_async_loses_acknowledged),
        cmocka_unit_test(test_sync_to_promoted_loses_nothing_acknowledged),
        cmocka_unit_test(test_sync_to_another_standby_loses),
        cmocka_unit_test(test_rows_after_failover),
        cmocka_unit_test(test_reports_after_failover),
        cmocka_unit_test(test_set_failover_is_the_option),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_past_stays),
        cmocka_unit_test(test_option_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
