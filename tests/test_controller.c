/* Unit tests for the controller (src/core/controller.c): what keys, clicks and
 * the wall clock do to the view, above all in a live view, where the
 * picture must never show what has not happened yet. Also the per-frame
 * summary (src/core/summary.c) and the key script (src/core/keys.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/controller.h"
#include "walviz/summary.h"

#include "check.h"
#include "sim_lines.h"


#define MS 1000LL
#define S 1000000LL
#define WALL0 (1700000000LL * S) /* any wall clock reading */

/* Three one-row transactions a second apart; f1 is 100 ms away, f2 1 s. */
static const char stream[] =
    "BEGIN 700\n"
    "table public.t: INSERT: id[integer]:1\n"
    "COMMIT 700 (at 2026-01-01 00:00:00+00)\n"
    "BEGIN 701\n"
    "table public.t: INSERT: id[integer]:2\n"
    "COMMIT 701 (at 2026-01-01 00:00:01+00)\n"
    "BEGIN 702\n"
    "table public.t: INSERT: id[integer]:3\n"
    "COMMIT 702 (at 2026-01-01 00:00:02+00)\n";

static wv_sim *make_sim(void)
{
    static const char *const opts[] = { "followers", "2", "latency", "100ms,1s", "jitter", "0",
                                        NULL };
    char err[200];
    wv_sim *sim = sim_from_lines(opts, stream, err, sizeof err);
    CHECK(sim != NULL, "the test stream: %s", err);
    return sim;
}

/* A live view whose edge is at `edge`, ticked at the matching wall time. */
static void live_at(wv_ctl *c, int64_t edge)
{
    wv_ctl_set_live_edge(c, edge);
    wv_ctl_tick(c, WALL0 + edge);
}

static size_t in_flight(const wv_sim *sim, int f, int64_t t)
{
    return wv_sim_reached(sim, f, WV_STAGE_SENT, t) - wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
}

static void test_live_edge_is_now(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, true);
    CHECK(wv_sim_end_time(sim) > 2 * S, "the schedule runs past the last commit: end %lld",
          (long long)wv_sim_end_time(sim));
    for (int64_t edge = 0; edge <= 3 * S; edge += 50 * MS) {
        live_at(&c, edge);
        CHECK(c.tl.now == edge, "following live: expected now = edge = %lld, got %lld",
              (long long)edge, (long long)c.tl.now);
        CHECK(c.view.end == edge, "the timeline ends at the edge %lld, not %lld", (long long)edge,
              (long long)c.view.end);
    }
    /* half a second after the first commit: on its way to f2, not there */
    wv_ctl c2;
    wv_ctl_init(&c2, sim, true);
    live_at(&c2, 500 * MS);
    CHECK(in_flight(sim, 1, c2.tl.now) == 3, "at 0.5 s the first transaction (3 messages) travels "
          "to f2 (1 s away): %zu in flight", in_flight(sim, 1, c2.tl.now));
    CHECK(wv_sim_visible(sim, 2, c2.tl.now) == 0, "f2 still shows the old rows at 0.5 s");
    CHECK(wv_sim_visible(sim, 1, c2.tl.now) == 1, "f1 (100 ms away) has the row at 0.5 s");
    wv_buf b;
    wv_buf_init(&b);
    wv_summary_json(&b, &c2.view, 1, 0);
    wv_buf_append(&b, "", 1);
    CHECK(strstr(b.data, "\"name\":\"f2\",\"state\":\"streaming\",\"queued\":0,\"in_flight\":3,") &&
              strstr(b.data, "\"caught_up\":false"),
          "the summary says f2 has 3 in flight and is not caught up: %s", b.data);
    CHECK(strstr(b.data, "\"t_us\":500000,\"end_us\":500000,\"live\":true,\"behind_live_us\":0"),
          "the summary's times: %s", b.data);
    wv_buf_destroy(&b);
    wv_sim_free(sim);
}

static void test_live_pause_and_back(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, true);
    live_at(&c, 500 * MS);
    wv_ctl_apply(&c, WV_ACT_PLAY_PAUSE, WALL0 + 500 * MS);
    live_at(&c, 2900 * MS);
    CHECK(!c.tl.playing && c.tl.now == 500 * MS, "paused at 0.5 s: playing %d, now %lld",
          c.tl.playing, (long long)c.tl.now);
    CHECK(c.view.behind_live == 2400 * MS, "2.4 s behind live, got %lld",
          (long long)c.view.behind_live);
    /* played again: at 1x from where it was, still behind */
    wv_ctl_apply(&c, WV_ACT_PLAY_PAUSE, WALL0 + 2900 * MS);
    live_at(&c, 3900 * MS);
    CHECK(c.tl.now == 1500 * MS && c.view.behind_live == 2400 * MS,
          "playing on, behind: now %lld behind %lld", (long long)c.tl.now,
          (long long)c.view.behind_live);
    wv_ctl_apply(&c, WV_ACT_END, WALL0 + 3900 * MS);
    live_at(&c, 4000 * MS);
    CHECK(c.tl.now == 4000 * MS && c.view.behind_live == 0 && c.tl.playing,
          "End: back to live: now %lld behind %lld playing %d", (long long)c.tl.now,
          (long long)c.view.behind_live, c.tl.playing);
    wv_sim_free(sim);
}

static void test_live_slow_motion_and_catch_up(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, true);
    live_at(&c, 1 * S);
    wv_ctl_apply(&c, WV_ACT_SLOWER, WALL0 + 1 * S);
    live_at(&c, 2 * S);
    CHECK(c.tl.now == 1500 * MS && c.view.behind_live == 500 * MS,
          "1/2x for a second: now 1.5 s, 0.5 s behind; got %lld, %lld", (long long)c.tl.now,
          (long long)c.view.behind_live);
    wv_ctl_apply(&c, WV_ACT_FASTER, WALL0 + 2 * S);
    wv_ctl_apply(&c, WV_ACT_FASTER, WALL0 + 2 * S);
    live_at(&c, 2200 * MS);
    CHECK(c.tl.now == 1900 * MS, "2x for 0.2 s: 1.9 s, got %lld", (long long)c.tl.now);
    live_at(&c, 4 * S);
    CHECK(c.tl.now == 4 * S && c.view.behind_live == 0 && c.tl.at_live_edge,
          "caught up, never past live: now %lld (edge 4 s)", (long long)c.tl.now);
    CHECK(wv_timeline_speed(&c.tl) == 1.0, "at the edge again the pace is 1x, got %g",
          wv_timeline_speed(&c.tl));
    live_at(&c, 4100 * MS);
    CHECK(c.tl.now == 4100 * MS, "following the edge: %lld", (long long)c.tl.now);
    wv_sim_free(sim);
}

static void test_live_step_and_click_stay_before_now(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, true);
    live_at(&c, 1200 * MS);
    wv_ctl_apply(&c, WV_ACT_HOME, WALL0 + 1200 * MS);
    int steps = 0;
    int64_t last = -1;
    for (; steps < 100; steps++) {
        wv_ctl_apply(&c, WV_ACT_STEP_NEXT, WALL0 + 1200 * MS);
        if (c.tl.now == last)
            break;
        CHECK(c.tl.now > last && c.tl.now <= 1200 * MS, "step %d went to %lld (edge 1.2 s)", steps,
              (long long)c.tl.now);
        last = c.tl.now;
    }
    CHECK(steps > 3 && steps < 100, "stepping stops at the last event before now: %d steps", steps);
    CHECK(!c.tl.playing && c.view.behind_live > 0, "a step pauses the live view behind the edge");
    int64_t next = wv_sim_next_event(sim, last, WV_STEP_ALL, 0);
    CHECK(next != WV_SIM_NEVER && next > 1200 * MS, "the next event (%lld) is after now: the "
          "future is there, and not stepped to", (long long)next);
    wv_ctl_pointer(&c, (wv_hit){ WV_HIT_TIMELINE, 0, 10 * S }, false);
    CHECK(c.tl.now == 1200 * MS, "a click past the edge seeks to the edge, got %lld",
          (long long)c.tl.now);
    wv_ctl_release(&c);
    CHECK(!c.dragging, "released");
    wv_sim_free(sim);
}

static void test_step_commits_on_the_leader(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    c.tl.now = 500 * MS;
    wv_ctl_apply(&c, WV_ACT_NEXT_COMMIT, WALL0);
    CHECK(c.tl.now == 1 * S, "Shift+Right from 0.5 s: the commit at 1 s, got %lld", (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_NEXT_COMMIT, WALL0);
    CHECK(c.tl.now == 2 * S, "then the one at 2 s, got %lld", (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_NEXT_COMMIT, WALL0);
    CHECK(c.tl.now == 2 * S, "none after it: stays, got %lld", (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_PREV_COMMIT, WALL0);
    CHECK(c.tl.now == 1 * S, "Shift+Left: back to 1 s, got %lld", (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_PREV_COMMIT, WALL0);
    wv_ctl_apply(&c, WV_ACT_PREV_COMMIT, WALL0);
    CHECK(c.tl.now == 0, "and to the first, and no further: %lld", (long long)c.tl.now);
    /* live: not past now */
    wv_ctl l;
    wv_ctl_init(&l, sim, true);
    live_at(&l, 1500 * MS);
    wv_ctl_apply(&l, WV_ACT_HOME, WALL0 + 1500 * MS);
    wv_ctl_apply(&l, WV_ACT_NEXT_COMMIT, WALL0 + 1500 * MS);
    wv_ctl_apply(&l, WV_ACT_NEXT_COMMIT, WALL0 + 1500 * MS);
    CHECK(l.tl.now == 1 * S, "live at 1.5 s: the commit at 2 s has not happened yet, got %lld",
          (long long)l.tl.now);
    wv_sim_free(sim);
}

static void test_replay_unchanged(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    wv_ctl_tick(&c, WALL0);
    CHECK(!c.tl.playing && c.tl.now == 0 && !c.view.started, "a replay starts paused at 0");
    CHECK(c.view.end == wv_sim_end_time(sim), "a replay's timeline ends with its schedule");
    wv_ctl_apply(&c, WV_ACT_PLAY_PAUSE, WALL0);
    wv_ctl_tick(&c, WALL0 + 1 * S);
    CHECK(c.tl.now == 1 * S, "played a second: %lld", (long long)c.tl.now);
    wv_ctl_focus_lost(&c);
    CHECK(!c.tl.playing, "focus lost pauses a replay");
    wv_ctl_tick(&c, WALL0 + 5 * S);
    CHECK(c.tl.now == 1 * S, "wall time paused is not played: %lld", (long long)c.tl.now);
    wv_ctl_apply(&c, WV_ACT_PLAY_PAUSE, WALL0 + 5 * S);
    wv_ctl_tick(&c, WALL0 + 5500 * MS);
    CHECK(c.tl.now == 1500 * MS, "played on from there: %lld", (long long)c.tl.now);
    wv_ctl_tick(&c, WALL0 + 50 * S);
    CHECK(c.tl.now == wv_sim_end_time(sim) && !c.tl.playing, "the end pauses a replay");
    wv_ctl_apply(&c, WV_ACT_FULLSCREEN, WALL0);
    CHECK(c.fullscreen, "F asks for fullscreen");
    wv_ctl_apply(&c, WV_ACT_ESCAPE, WALL0);
    CHECK(!c.fullscreen, "Esc leaves it");
    wv_ctl_apply(&c, WV_ACT_SELECT_1 + 1, WALL0);
    wv_ctl_apply(&c, WV_ACT_PARTITION, WALL0);
    CHECK(wv_sim_fault_at(sim, 1, c.tl.now) && c.view.selected_follower == 1,
          "Shift+P cuts the selected follower");
    wv_ctl_apply(&c, WV_ACT_QUIT, WALL0);
    CHECK(c.quit, "Q quits");
    wv_ctl live;
    wv_ctl_init(&live, sim, true);
    wv_ctl_focus_lost(&live);
    CHECK(live.tl.playing, "a live view keeps following the stream without focus");
    wv_sim_free(sim);
}

static bool demo_keys(void *ctx, wv_action act, char *notice, size_t noticesz)
{
    int *pressed = ctx;
    if (act != WV_ACT_WORKLOAD_BURST)
        return false;
    (*pressed)++;
    snprintf(notice, noticesz, "burst: 2,000 rows sent");
    return true;
}

static void test_notice(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_ctl c;
    int pressed = 0;
    wv_ctl_init(&c, sim, true);
    c.on_action = demo_keys;
    c.action_ctx = &pressed;
    live_at(&c, 1 * S);
    wv_ctl_apply(&c, WV_ACT_WORKLOAD_BURST, WALL0 + 1 * S);
    CHECK(pressed == 1 && c.view.notice && strcmp(c.view.notice, "burst: 2,000 rows sent") == 0,
          "R says what it did: %s", c.view.notice ? c.view.notice : "(nothing)");
    live_at(&c, 1 * S + WV_CTL_NOTICE_US - 1);
    CHECK(c.view.notice != NULL, "the notice stays a while");
    CHECK(wv_ctl_tick(&c, WALL0 + 1 * S + WV_CTL_NOTICE_US), "its going away is a change");
    CHECK(c.view.notice == NULL, "then goes");
    wv_ctl_apply(&c, WV_ACT_THEME, WALL0);
    CHECK(pressed == 1 && c.view.theme == 1, "other keys are the controller's");
    wv_sim_free(sim);
}

/* A real node's lane takes no simulated fault: Shift+P and S say how to
 * act on it; C names a simulated synchronous standby, not the real one. */
static void test_real_node_keys(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "2", NULL };
    wv_realnodes *rn = wv_realnodes_new();
    wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, false);
    char err[200];
    wv_sim *sim = sim_from_lines_real(opts, stream, rn, err, sizeof err);
    CHECK(sim != NULL, "the test stream: %s", err);
    wv_ctl c;
    wv_ctl_init(&c, sim, false);
    wv_ctl_apply(&c, (wv_action)(WV_ACT_SELECT_1 + 2), WALL0);
    wv_ctl_apply(&c, WV_ACT_PARTITION, WALL0);
    CHECK(wv_sim_fault_at(sim, 2, c.tl.now + 1) == NULL, "the real lane got a fault");
    CHECK(c.view.notice && strstr(c.view.notice, "standby1 is a real node"), "Shift+P on it says: %s",
          c.view.notice ? c.view.notice : "(nothing)");
    wv_ctl_apply(&c, WV_ACT_STOP, WALL0);
    CHECK(wv_sim_fault_at(sim, 2, c.tl.now + 1) == NULL, "S stopped the real lane");
    wv_ctl_apply(&c, WV_ACT_CYCLE_SYNC, WALL0);
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    CHECK(cfg->nsync_standbys == 1 && cfg->sync_standbys[0] == 0, "C named follower %d, expected f1 (0)",
          cfg->nsync_standbys ? cfg->sync_standbys[0] : -1);
    wv_sim_free(sim);
    wv_realnodes_free(rn);
}

/* A stand-in for the fonts: 8 px a byte, 16 px high. */
static int measure(void *ctx, wv_font font, const char *str, int *h)
{
    (void)ctx, (void)font;
    *h = 16;
    return 8 * (int)strlen(str);
}

/* The text the header shows in role, or "" when it shows none. */
static const char *header_text(wv_scene *sc, const wv_ctl *c, wv_role role)
{
    wv_scene_build(sc, &c->view, 1920, 1080, measure, NULL);
    const wv_cmd *cmds;
    size_t n = wv_scene_cmds(sc, &cmds);
    for (size_t i = 0; i < n; i++)
        if (cmds[i].kind == WV_CMD_TEXT && cmds[i].role == role)
            return wv_scene_text(sc, &cmds[i]);
    return "";
}

static void test_live_header(void **state)
{
    (void)state;
    wv_sim *sim = make_sim();
    wv_scene *sc = wv_scene_new();
    wv_ctl c;
    int pressed = 0;
    wv_ctl_init(&c, sim, true);
    c.on_action = demo_keys;
    c.action_ctx = &pressed;
    live_at(&c, 500 * MS);
    const char *clock = header_text(sc, &c, WV_ROLE_HEADER_CLOCK);
    CHECK(strstr(clock, "live") && !strstr(clock, "behind"), "following: '%s'", clock);
    wv_ctl_apply(&c, WV_ACT_PLAY_PAUSE, WALL0 + 500 * MS);
    live_at(&c, 2900 * MS);
    clock = header_text(sc, &c, WV_ROLE_HEADER_CLOCK);
    CHECK(strstr(clock, "paused") && strstr(clock, "2.4 s behind live"), "paused: '%s'", clock);
    wv_ctl_apply(&c, WV_ACT_WORKLOAD_BURST, WALL0 + 2900 * MS);
    const char *notice = header_text(sc, &c, WV_ROLE_HEADER_NOTICE);
    CHECK(strcmp(notice, "burst: 2,000 rows sent") == 0, "the notice on screen: '%s'", notice);
    wv_scene_free(sc);
    wv_sim_free(sim);
}

static void test_key_script(void **state)
{
    (void)state;
    wv_key k;
    unsigned mods;
    CHECK(wv_keys_parse("shift+p", 7, &k, &mods) == 0 && k == WV_KEY_P && mods == WV_MOD_SHIFT,
          "shift+p");
    CHECK(wv_keys_action(k, mods) == WV_ACT_PARTITION, "shift+p partitions");
    CHECK(wv_keys_parse("+", 1, &k, &mods) == 0 && wv_keys_action(k, mods) == WV_ACT_FASTER, "+");
    CHECK(wv_keys_parse("End", 3, &k, &mods) == 0 && wv_keys_action(k, mods) == WV_ACT_END, "End");
    CHECK(wv_keys_parse("3", 1, &k, &mods) == 0 && wv_keys_action(k, mods) == WV_ACT_SELECT_1 + 2, "3");
    CHECK(wv_keys_parse("ctrl+=", 6, &k, &mods) == 0 &&
              wv_keys_action(k, mods) == WV_ACT_TEXT_BIGGER, "ctrl+=");
    CHECK(wv_keys_parse("9", 1, &k, &mods) < 0 && wv_keys_parse("shift+", 6, &k, &mods) < 0 &&
              wv_keys_parse("spacebar", 8, &k, &mods) < 0, "unknown keys are refused");

    wv_key_press p[WV_KEYS_SCRIPT_MAX];
    char err[200];
    int n = wv_keys_script_parse("2s:3,5s:r,7.5s:shift+p,9s:SPACE", p, err, sizeof err);
    CHECK(n == 4, "four keys, got %d (%s)", n, n < 0 ? err : "");
    CHECK(p[0].at == 2 * S && p[0].key == WV_KEY_3 && p[2].at == 7500 * MS &&
              p[2].mods == WV_MOD_SHIFT && p[3].key == WV_KEY_SPACE, "their times and keys");
    const char *bad[] = { "5s", "x:r", "5s:nokey", "5s:r,2s:r", "5s:" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK(wv_keys_script_parse(bad[i], p, err, sizeof err) < 0 && strstr(err, "--keys"),
              "'%s' is refused with a sentence naming --keys: '%s'", bad[i], err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_edge_is_now),
        cmocka_unit_test(test_live_pause_and_back),
        cmocka_unit_test(test_live_slow_motion_and_catch_up),
        cmocka_unit_test(test_live_step_and_click_stay_before_now),
        cmocka_unit_test(test_step_commits_on_the_leader),
        cmocka_unit_test(test_replay_unchanged),
        cmocka_unit_test(test_notice),
        cmocka_unit_test(test_real_node_keys),
        cmocka_unit_test(test_live_header),
        cmocka_unit_test(test_key_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
