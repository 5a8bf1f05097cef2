/* Unit tests for lessons (src/core/lesson.c): the format, its errors with
 * their lines, and that a step looks the same whichever step came before
 * (the simulation as a fresh one configured as the step says). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/lesson.h"

#include "check.h"
#include "sim_lines.h"

#define MS 1000LL
#define S 1000000LL

/* A transfer a second: two accounts opened, money moved, one closed. */
static const char stream[] =
    "BEGIN 700\n"
    "table public.acct: INSERT: id[integer]:1 balance[integer]:100\n"
    "table public.acct: INSERT: id[integer]:2 balance[integer]:0\n"
    "COMMIT 700 (at 2026-01-01 00:00:00+00)\n"
    "BEGIN 701\n"
    "table public.acct: UPDATE: id[integer]:1 balance[integer]:60\n"
    "table public.acct: UPDATE: id[integer]:2 balance[integer]:40\n"
    "COMMIT 701 (at 2026-01-01 00:00:01+00)\n"
    "BEGIN 702\n"
    "table public.acct: DELETE: id[integer]:2\n"
    "COMMIT 702 (at 2026-01-01 00:00:02+00)\n";

static const char *const sim_opts[] = { "followers", "2", "latency", "100ms,1s", "jitter", "0", NULL };

static const char good[] =
    "# a test lesson\n"
    "recording = ../t.wvr\n"
    "followers = 2\n"
    "latency = 100ms,1s\n"
    "jitter = 0\n"
    "\n"
    "---\n"
    "at 0.5s\n"
    "> Three rows,\n"
    ">   one a second.\n"
    "---\n"
    "> f1 cut off; commits wait for it.\n"
    "partition f1 from 0.2s to 5s\n"
    "sync remote_apply\n"
    "standbys FIRST 1 (f1)\n"
    "select f1\n"
    "---\n"
    "commit 701\n"
    "select xid 701\n"
    "crash f2 at 1.5s\n"
    "play\n"
    "> 701 commits.\n"
    "---\n"
    "step 4\n"
    "> Four events in.\n";

/* A lesson that must parse, as file name. */
static wv_lesson *parse_ok(const char *name, const char *text)
{
    char err[300] = "";
    wv_lesson *l = wv_lesson_parse(name, text, err, sizeof err);
    CHECK(l != NULL, "%s parses: %s", name, err);
    return l;
}

static wv_lesson *parse_good(void)
{
    return parse_ok("t.lesson", good);
}

static void test_parse_good(void **state)
{
    (void)state;
    wv_lesson *l = parse_good();
    CHECK(wv_lesson_steps(l) == 4, "4 steps, got %d", wv_lesson_steps(l));
    CHECK(strcmp(wv_lesson_recording(l), "../t.wvr") == 0, "the recording, got '%s'",
          wv_lesson_recording(l));
    const wv_sim_cfg *cfg = wv_lesson_cfg(l);
    CHECK(cfg->nfollowers == 2 && cfg->link[1].latency_us == 1 * S && cfg->nfaults[0] == 0,
          "the header's options: 2 followers, f2 1 s away, no fault; got %d, %lld, %d",
          cfg->nfollowers, (long long)cfg->link[1].latency_us, cfg->nfaults[0]);
    CHECK(strcmp(wv_lesson_caption(l, 1), "Three rows, one a second.") == 0,
          "caption lines joined by a space, got '%s'", wv_lesson_caption(l, 1));
    wv_lesson_free(l);
    wv_lesson_free(NULL);
}

typedef struct bad_case {
    const char *text;
    const char *want; /* in the error, after "bad.lesson:" */
} bad_case;

static void test_parse_errors_name_the_line(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "recording = a.wvr\n---\n> x\njump 3s\n", "bad.lesson:4: expected a caption line" },
        { "latency = 20ms\n---\n> x\n", "bad.lesson:2: expected 'recording = FILE.wvr'" },
        { "recording = a.wvr\nlatence = 2s\n---\n> x\n", "bad.lesson:2: 'latence' is not a simulation option" },
        { "recording = a.wvr\nlatency = far\n---\n> x\n", "bad.lesson:2: --latency" },
        { "recording = a.wvr\nsync-standbys = FIRST 3 (f1)\nsync = on\n---\n> x\n",
          "bad.lesson:2: --sync-standbys asks for 3" },
        { "recording = a.wvr\nthis is not an option\n", "bad.lesson:2: expected 'NAME = VALUE'" },
        { "recording = a.wvr\n---\n> x\nat soon\n", "bad.lesson:4: expected a time like 3.5s" },
        { "recording = a.wvr\n---\n> x\nat 1s\ncommit 3\n", "bad.lesson:5: a step goes to one place" },
        { "recording = a.wvr\n---\n> x\npartition f9 from 1s to 2s\n", "bad.lesson:4: 'f9' is not a follower" },
        { "recording = a.wvr\n---\n> x\npartition f1 at 1s\n", "bad.lesson:4: expected 'partition FOLLOWER from" },
        { "recording = a.wvr\n---\n> x\nstop f1 from 3s to 2s\n", "bad.lesson:4: expected the fault to end after" },
        { "recording = a.wvr\n---\n> x\nstop f1 at 1s\n---\n> y\ncrash f1 from 2s to 3s\n",
          "bad.lesson:7: f1 already has a fault" },
        { "recording = a.wvr\n---\n> x\nsync fast\n", "bad.lesson:4: expected 'sync LEVEL'" },
        { "recording = a.wvr\n---\n> x\nstandbys FIRST 2 (f1)\n", "bad.lesson:4: --sync-standbys asks for 2" },
        { "recording = a.wvr\n---\n> x\nselect xid seven\n", "bad.lesson:4: expected a transaction id" },
        { "recording = a.wvr\n---\nat 1s\n---\n> y\n", "bad.lesson:4: expected a caption" },
        { "recording = a.wvr\n\n", "bad.lesson:2: expected steps" },
        { "recording = a.wvr\n---\n> x\nfailover at 1s to f9\n", "bad.lesson:4: --failover: 'f9' is not a follower" },
        { "recording = a.wvr\n---\n> x\nfailover 1s f1\n", "bad.lesson:4: expected 'failover at TIME to FOLLOWER'" },
        { "recording = a.wvr\n---\n> x\nfailover at soon to f1\n", "bad.lesson:4: expected a time like 3.5s" },
        { "recording = a.wvr\n---\n> x\nsharding off\n", "bad.lesson:4: 'sharding' needs the shards" },
        { "recording = a.wvr\nshard-by = id % 3\n---\n> x\nsharding maybe\n",
          "bad.lesson:5: expected 'sharding on' or 'sharding off'" },
        { "recording = a.wvr\nfollowers = 2\nshard-by = id % 3\n---\n> x\n", "bad.lesson:3: --shard-by asks" },
        { "recording = a.wvr\n---\n> x\nview SELECT * FROM acct\n", "bad.lesson:4: --view: expected an aggregate" },
        { "recording = a.wvr\n---\n> x\nreader acct id=1 on f9\n", "bad.lesson:4: --reader: 'f9' is not a node" },
        { "recording = a.wvr\n---\n> x\nreader ryw acct id=1 every 1s\n", "bad.lesson:4: --reader: a ryw reader" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[300] = "";
        wv_lesson *l = wv_lesson_parse("bad.lesson", cases[i].text, err, sizeof err);
        CHECK(l == NULL && strncmp(err, cases[i].want, strlen(cases[i].want)) == 0,
              "case %zu: expected an error starting '%s', got '%s'", i, cases[i].want, err);
    }
}

static void test_check_needs_the_xids(void **state)
{
    (void)state;
    char err[300] = "";
    wv_sim *sim = sim_from_lines(sim_opts, stream, err, sizeof err);
    CHECK(sim != NULL, "the test stream: %s", err);
    wv_lesson *l = parse_good();
    CHECK(wv_lesson_check(l, sim, err, sizeof err) == 0, "701 commits in the stream: %s", err);
    wv_lesson_free(l);
    l = parse_ok("x.lesson", "recording = t.wvr\n---\n> a\n---\n> b\nselect xid 799\n");
    CHECK(wv_lesson_check(l, sim, err, sizeof err) < 0 &&
              strcmp(err, "x.lesson:6: no transaction 799 commits in t.wvr") == 0,
          "an xid not in the recording names its line, got '%s'", err);
    wv_lesson_free(l);
    /* a follower the lesson does not simulate may be a real node of the
     * recording: checked against the lanes sim has */
    l = parse_ok("x.lesson", "recording = t.wvr\n---\n> a\n---\n> b\nselect standby9\n");
    CHECK(wv_lesson_check(l, sim, err, sizeof err) < 0 &&
              strcmp(err, "x.lesson:6: 'standby9' is not a follower of this lesson (f1, f2..., a name given by "
                          "names =, or a real node of t.wvr)") == 0,
          "a follower neither simulated nor real names its line, got '%s'", err);
    wv_lesson_free(l);
    wv_sim_free(sim);
}

/* Every stage time and acknowledgement of a and b are the same. */
static void check_same_schedule(const wv_sim *a, const wv_sim *b, const char *what)
{
    for (size_t m = 0; m < wv_sim_count(a); m++)
        for (int f = 0; f < 2; f++)
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                CHECK(wv_sim_stage(a, f, m, (wv_stage)st) == wv_sim_stage(b, f, m, (wv_stage)st),
                      "%s: message %zu on f%d stage %d: %lld, fresh %lld", what, m, f + 1, st,
                      (long long)wv_sim_stage(a, f, m, (wv_stage)st),
                      (long long)wv_sim_stage(b, f, m, (wv_stage)st));
    for (size_t u = 0; u < wv_sim_txn_count(a); u++) {
        unsigned x, y;
        CHECK(wv_sim_txn_ack(a, u, &x) == wv_sim_txn_ack(b, u, &y), "%s: transaction %zu's ack", what, u);
    }
}

/* The simulation a step must show, made fresh from options. */
static wv_sim *fresh(const char *const *extra)
{
    const char *opts[20];
    size_t n = 0;
    for (size_t i = 0; sim_opts[i]; i++)
        opts[n++] = sim_opts[i];
    for (size_t i = 0; extra && extra[i]; i++)
        opts[n++] = extra[i];
    opts[n] = NULL;
    char err[300] = "";
    wv_sim *sim = sim_from_lines(opts, stream, err, sizeof err);
    CHECK(sim != NULL, "a fresh sim: %s", err);
    return sim;
}

static void test_steps_forward_and_back(void **state)
{
    (void)state;
    wv_lesson *l = parse_good();
    wv_sim *sim = fresh(NULL);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    wv_lesson_player p = { l, &c, 1 };
    c.on_action = wv_lesson_action;
    c.action_ctx = &p;
    wv_lesson_show(l, 1, &c);

    static const char *const step2[] = { "partition", "f1@0.2s-5s", "sync", "remote_apply",
                                         "sync-standbys", "FIRST 1 (f1)", NULL };
    wv_sim *fresh1 = fresh(NULL), *fresh2 = fresh(step2);
    CHECK(c.tl.now == 500 * MS && !c.tl.playing && c.view.lesson_step == 1 &&
              c.view.lesson_steps == 4 && strcmp(c.view.lesson_caption, wv_lesson_caption(l, 1)) == 0,
          "step 1: at 0.5 s, paused, its caption; now %lld", (long long)c.tl.now);

    wv_ctl_apply(&c, WV_ACT_PAGE_NEXT, 0);
    CHECK(p.step == 2 && c.tl.now == 500 * MS && c.view.selected_follower == 0,
          "PageDown: step 2 stays where step 1 went (%lld) and selects f1 (%d)", (long long)c.tl.now,
          c.view.selected_follower);
    CHECK(wv_sim_config(sim)->sync == WV_SYNC_REMOTE_APPLY && wv_sim_config(sim)->nsync_standbys == 1,
          "step 2's synchronous level and standby");
    check_same_schedule(sim, fresh2, "step 2 from step 1");

    wv_ctl_apply(&c, WV_ACT_PAGE_NEXT, 0);
    int64_t commit701 = wv_sim_leader_time(sim, 7);
    CHECK(p.step == 3 && c.tl.now == commit701 && c.tl.playing && c.view.selected_msg == 7 &&
              c.view.selected_follower == -1,
          "step 3: at 701's commit (%lld), playing, its COMMIT selected; now %lld, msg %zu",
          (long long)commit701, (long long)c.tl.now, c.view.selected_msg);
    CHECK(wv_sim_config(sim)->nfaults[1] == 1 && wv_sim_config(sim)->nfaults[0] == 1,
          "step 3 keeps step 2's partition and adds a crash of f2");

    wv_ctl_apply(&c, WV_ACT_PAGE_NEXT, 0);
    wv_timeline tl;
    wv_timeline_init(&tl, false);
    for (int i = 0; i < 4; i++)
        wv_timeline_step(&tl, sim, 1, WV_STEP_ALL, 0, wv_sim_end_time(sim));
    CHECK(p.step == 4 && c.tl.now == tl.now && !c.tl.playing, "step 4: four step events in, %lld; got %lld",
          (long long)tl.now, (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_PAGE_NEXT, 0);
    CHECK(p.step == 4 && c.notice[0], "no step after the last, a notice says so");

    /* back: step 2 as it was when reached from step 1 */
    wv_ctl_apply(&c, WV_ACT_PAGE_PREV, 0);
    wv_ctl_apply(&c, WV_ACT_PAGE_PREV, 0);
    CHECK(p.step == 2 && c.tl.now == 500 * MS && !c.tl.playing && c.view.selected_msg == WV_ROWS_NONE,
          "back at step 2: now %lld", (long long)c.tl.now);
    CHECK(wv_sim_config(sim)->nfaults[1] == 0, "step 3's crash is gone");
    check_same_schedule(sim, fresh2, "step 2 from step 4");

    wv_ctl_apply(&c, WV_ACT_PAGE_PREV, 0);
    CHECK(p.step == 1 && wv_sim_config(sim)->sync == WV_SYNC_ON && wv_sim_config(sim)->nsync_standbys == 0,
          "step 1: the header's level, no standby");
    check_same_schedule(sim, fresh1, "step 1 from step 2");
    wv_ctl_apply(&c, WV_ACT_PAGE_PREV, 0);
    CHECK(p.step == 1, "no step before the first");

    /* Right keeps stepping events */
    int64_t before = c.tl.now;
    wv_ctl_apply(&c, WV_ACT_STEP_NEXT, 0);
    CHECK(p.step == 1 && c.tl.now > before, "Right steps an event, not the lesson");

    wv_sim_free(fresh1);
    wv_sim_free(fresh2);
    wv_sim_free(sim);
    wv_lesson_free(l);
}

/* A failover is part of a step's state: step 2 has it, step 3 takes it
 * away, and each looks as a fresh simulation with (or without) the
 * option, whichever step came before. */
static void test_failover_steps(void **state)
{
    (void)state;
    static const char text[] = "recording = ../t.wvr\nfollowers = 2\nlatency = 100ms,1s\njitter = 0\n"
                               "---\n> before\n"
                               "---\nat 2s\nfailover at 1.5s to f2\n> f2 promoted\n"
                               "---\nfailover none\n> as recorded\n";
    wv_lesson *l = parse_ok("f.lesson", text);
    static const char *const promoted[] = { "failover", "1.5s:f2", NULL };
    wv_sim *sim = fresh(NULL), *with = fresh(promoted), *none = fresh(NULL);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    static const struct {
        int step;
        int to;
    } path[] = { { 1, -1 }, { 2, 1 }, { 3, -1 }, { 2, 1 }, { 1, -1 } };
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        wv_lesson_show(l, path[i].step, &c);
        const wv_sim_cfg *cfg = wv_sim_config(sim);
        CHECK(cfg->failover_to == path[i].to && (path[i].to < 0 || cfg->failover_at == 1500 * MS),
              "step %d: failover to %d at %lld", path[i].step, cfg->failover_to, (long long)cfg->failover_at);
        check_same_schedule(sim, path[i].to < 0 ? none : with, "a failover step");
        for (size_t u = 0; u < wv_sim_txn_count(sim); u++)
            CHECK(wv_sim_txn_time(sim, u) == wv_sim_txn_time(path[i].to < 0 ? none : with, u),
                  "step %d: unit %zu's time", path[i].step, u);
    }
    wv_sim_free(sim);
    wv_sim_free(with);
    wv_sim_free(none);
    wv_lesson_free(l);
}

/* Replication, then sharding, then replication again: each step's
 * schedule is a fresh one's with its sharding, from either side. Ids 1
 * and 2 by id % 2: 1 on f2, 2 on f1; xid 702 (m8-m10) deletes 2 alone. */
static void test_sharding_steps(void **state)
{
    (void)state;
    static const char text[] = "recording = t.wvr\nfollowers = 2\nlatency = 100ms,1s\njitter = 0\n"
                               "shard-by = id % 2\n"
                               "---\nsharding off\n> every follower has everything\n"
                               "---\nsharding on\n> each has a part\n"
                               "---\nat 2s\n> still sharded\n";
    char err[300] = "";
    wv_lesson *l = wv_lesson_parse("s.lesson", text, err, sizeof err);
    CHECK(l != NULL, "parsing: %s", err);
    static const char *const on[] = { "shard-by", "id % 2", NULL }, *const off[] = { "shard-by", "id % 2",
                                                                                       "sharding", "off", NULL };
    wv_sim *sim = fresh(off), *sharded = fresh(on), *replicated = fresh(NULL);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    wv_lesson_show(l, 1, &c);
    CHECK(wv_sim_gets(sim, 1, 9), "step 1: f2 gets the DELETE of id 2");
    check_same_schedule(sim, replicated, "step 1");
    wv_lesson_show(l, 2, &c);
    CHECK(!wv_sim_gets(sim, 1, 8) && !wv_sim_gets(sim, 1, 9) && !wv_sim_gets(sim, 1, 10) && wv_sim_gets(sim, 0, 9),
          "step 2: xid 702 goes to f1 alone");
    check_same_schedule(sim, sharded, "step 2 from step 1");
    wv_lesson_show(l, 3, &c);
    CHECK(!wv_sim_gets(sim, 1, 9) && c.tl.now == 2 * S, "step 3: still sharded, at 2 s");
    wv_lesson_show(l, 1, &c);
    check_same_schedule(sim, replicated, "step 1 from step 3");
    wv_sim_free(sim);
    wv_sim_free(sharded);
    wv_sim_free(replicated);
    wv_lesson_free(l);
}

static void test_page_keys_step_without_a_lesson(void **state)
{
    (void)state;
    wv_sim *sim = fresh(NULL);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    wv_ctl_apply(&c, WV_ACT_PAGE_NEXT, 0);
    int64_t t = c.tl.now;
    wv_ctl_init(&c, sim, false);
    wv_ctl_apply(&c, WV_ACT_STEP_NEXT, 0);
    CHECK(t > 0 && t == c.tl.now, "PageDown steps as Right when no lesson takes it: %lld, %lld",
          (long long)t, (long long)c.tl.now);
    wv_sim_free(sim);
}

/* A view and a reader last from the step that switches them on until a
 * step says none, going forward and back. */
static void test_view_and_reader_lines(void **state)
{
    (void)state;
    static const char text[] = "recording = t.wvr\nfollowers = 2\n"
                               "---\n> nothing yet\n"
                               "---\n> a view and a reader\nview SELECT sum(balance) FROM acct\n"
                               "reader routed acct id=1 balance every 300ms\n"
                               "---\n> still there\n"
                               "---\n> gone\nview none\nreader none\n";
    wv_lesson *l = parse_ok("v.lesson", text);
    wv_sim *sim = fresh(NULL);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    static const int order[] = { 1, 2, 3, 4, 3, 2, 1 };
    static const int views[] = { 0, 1, 1, 0, 1, 1, 0 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        wv_lesson_show(l, order[i], &c);
        const wv_sim_cfg *cfg = wv_sim_config(sim);
        CHECK(cfg->nviews == views[i] && cfg->nreaders == views[i], "step %d: %d views and %d readers, expected %d",
              order[i], cfg->nviews, cfg->nreaders, views[i]);
        CHECK(!views[i] || (strcmp(cfg->views[0], "SELECT sum(balance) FROM acct") == 0 &&
                            cfg->readers[0].pattern == WV_READ_ROUTED && cfg->readers[0].every_us == 300 * MS),
              "step %d: the view and reader as written", order[i]);
    }
    wv_lesson_free(l);
    wv_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_view_and_reader_lines),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_check_needs_the_xids),
        cmocka_unit_test(test_steps_forward_and_back),
        cmocka_unit_test(test_sharding_steps),
        cmocka_unit_test(test_page_keys_step_without_a_lesson),
        cmocka_unit_test(test_failover_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
