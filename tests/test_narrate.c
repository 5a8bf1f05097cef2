/* Unit tests for the narration (src/core/narrate.c): after each step, the
 * sentence says what the step did and to whom, and points at the message
 * it was about. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "walviz/narrate.h"

#include "check.h"
#include "sim_lines.h"

static const char stream[] =
    "BEGIN 726\n"
    "table public.students: INSERT: id[integer]:2 name[text]:'Grace'\n"
    "COMMIT 726 (at 2026-01-01 10:00:00.000000+00)\n";

/* One physical standby 100 ms away: each stage of each message is its
 * own event. */
static wv_sim *one_follower(const char *const *extra)
{
    const char *opts[16] = { "followers", "1", "latency", "100ms", "jitter", "0", "kind", "physical" };
    int n = 8;
    for (int i = 0; extra && extra[i]; i++)
        opts[n++] = extra[i];
    opts[n] = NULL;
    char err[200];
    wv_sim *sim = sim_from_lines(opts, stream, err, sizeof err);
    CHECK(sim != NULL, "the test stream: %s", err);
    return sim;
}

static void test_each_step_is_told(void **state)
{
    (void)state;
    wv_sim *sim = one_follower(NULL);
    wv_narration n;
    wv_narrate(sim, -1, WV_ROWS_NONE, &n);
    CHECK(n.kind == WV_EVENT_NONE && n.text[0] == '\0', "before anything: nothing to tell, got '%s'", n.text);
    int64_t t = -1;
    bool departed = false, wrote_commit = false, flushed = false, replayed_commit = false;
    int steps = 0;
    while ((t = wv_sim_next_event(sim, t, WV_STEP_ALL, 0)) != WV_SIM_NEVER && steps < 50) {
        steps++;
        wv_narrate(sim, t, WV_ROWS_NONE, &n);
        CHECK(n.kind != WV_EVENT_NONE && n.at == t && n.text[0],
              "step %d at %lld us: a sentence about an event at that time, got kind %d at %lld: '%s'",
              steps, (long long)t, (int)n.kind, (long long)n.at, n.text);
        if (n.kind == WV_EVENT_DEPARTED) {
            departed = true;
            CHECK(strcmp(n.text, "xid 726 committed on the leader: its 1 change now leaves for the followers") == 0,
                  "the commit: '%s'", n.text);
            CHECK(n.follower == -1 && wv_sim_op(sim, n.msg) == WV_OP_COMMIT, "it is the leader's, about the COMMIT");
        }
        if (n.kind == WV_EVENT_WRITTEN && wv_sim_op(sim, n.msg) == WV_OP_COMMIT) {
            wrote_commit = true;
            CHECK(strstr(n.text, "f1 wrote COMMIT 726") == n.text &&
                      strstr(n.text, "a read on f1 still returns the old rows until it replays it"),
                  "writing the COMMIT: '%s'", n.text);
            CHECK(n.follower == 0, "about f1");
        }
        if (n.kind == WV_EVENT_FLUSHED)
            flushed = strstr(n.text, "to disk (fsync)") != NULL;
        if (n.kind == WV_EVENT_APPLIED && wv_sim_op(sim, n.msg) == WV_OP_COMMIT) {
            replayed_commit = true;
            CHECK(strcmp(n.text, "f1 replayed COMMIT 726: reads on f1 now see its changes") == 0,
                  "replaying the COMMIT: '%s'", n.text);
        }
        if (n.kind == WV_EVENT_APPLIED && wv_sim_op(sim, n.msg) == WV_OP_INSERT)
            CHECK(strstr(n.text, "f1 replayed INSERT students id=2") == n.text, "replaying the INSERT: '%s'",
                  n.text);
    }
    CHECK(departed && wrote_commit && flushed && replayed_commit,
          "told: the commit %d, the COMMIT written %d, a flush %d, the COMMIT replayed %d", departed,
          wrote_commit, flushed, replayed_commit);
    wv_sim_free(sim);
}

static void test_commit_returns(void **state)
{
    (void)state;
    static const char *const sync[] = { "sync", "remote_apply", "sync-standbys", "FIRST 1 (f1)", NULL };
    wv_sim *sim = one_follower(sync);
    int64_t ack = wv_sim_txn_ack(sim, 0, NULL);
    CHECK(ack > 200000, "remote_apply over 100 ms each way returns after the round trip, got %lld",
          (long long)ack);
    wv_narration n;
    wv_narrate(sim, ack, WV_ROWS_NONE, &n);
    CHECK(n.kind == WV_EVENT_RETURNED && strstr(n.text, "the client's COMMIT 726 returned after") == n.text &&
              strstr(n.text, "f1 confirmed it (synchronous_commit = remote_apply)"),
          "the return: '%s'", n.text);
    wv_sim_free(sim);
}

static void test_selected_journey(void **state)
{
    (void)state;
    wv_sim *sim = one_follower(NULL);
    size_t ins = 1;
    int64_t applied = wv_sim_stage(sim, 0, ins, WV_STAGE_APPLIED);
    wv_narration n;
    wv_narrate(sim, wv_sim_stage(sim, 0, ins, WV_STAGE_WRITTEN), ins, &n);
    CHECK(n.kind == WV_EVENT_WRITTEN && n.msg == ins &&
              strcmp(n.text, "f1 received INSERT students id=2 and wrote it to its WAL (not yet on disk)") == 0,
          "the selected INSERT written: '%s'", n.text);
    wv_narrate(sim, applied + 5000000, ins, &n);
    CHECK(strstr(n.text, "the end of INSERT students id=2's journey: applied on every follower") == n.text,
          "at the end of its journey: '%s'", n.text);
    wv_sim_free(sim);
}

/* A logical subscriber applies changes (it does not replay WAL). */
static void test_subscriber_words(void **state)
{
    (void)state;
    static const char *const logical[] = { "kind", "logical", NULL };
    wv_sim *sim = one_follower(logical);
    wv_narration n;
    wv_narrate(sim, wv_sim_stage(sim, 0, 2, WV_STAGE_APPLIED), WV_ROWS_NONE, &n);
    CHECK(n.kind == WV_EVENT_APPLIED && strcmp(n.text, "f1 applied COMMIT 726: reads on f1 now see its changes") == 0,
          "the subscriber applies: '%s'", n.text);
    wv_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_step_is_told),
        cmocka_unit_test(test_commit_returns),
        cmocka_unit_test(test_selected_journey),
        cmocka_unit_test(test_subscriber_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
