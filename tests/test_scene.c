/* test_scene: what the screen says and where, read from the display list
 * (src/scene.c) with no SDL: words with their roles, boxes, chips and
 * their stages, hit boxes. Text is measured by a stand-in for the fonts:
 * every character 6/10 of the face's size wide, a line 12/10 tall, the
 * proportions of DejaVu Sans Mono. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "walviz/scene.h"

#include "sim_lines.h"
#include "view.h"

#include "check.h"

typedef struct fixture {
    wv_sim *sim;
    wv_timeline tl;
    wv_view view;
    wv_scene *sc;
} fixture;

/* Characters, not bytes: a UTF-8 sequence is one. */
static int fake_measure(void *ctx, wv_font font, const char *s, int *h)
{
    const wv_layout *l = wv_scene_layout(ctx);
    int px = font == WV_FONT_LABEL || font == WV_FONT_GLYPH ? l->label_px : l->body_px;
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    *h = px * 12 / 10;
    return n * px * 6 / 10;
}

static void open_fixture(fixture *fx, const char *const *opts, const char *text)
{
    char err[300] = "";
    memset(fx, 0, sizeof *fx);
    fx->sim = sim_from_lines(opts, text, err, sizeof err);
    CHECK(fx->sim != NULL, "building the sim: %s", err);
    wv_timeline_init(&fx->tl, false);
    fx->view = test_view(fx->sim, &fx->tl, "test");
    fx->sc = wv_scene_new();
}

static void close_fixture(fixture *fx)
{
    wv_scene_free(fx->sc);
    wv_sim_free(fx->sim);
}

static void build(fixture *fx, int64_t t, int w, int h)
{
    fx->tl.now = t;
    wv_scene_build(fx->sc, &fx->view, w, h, fake_measure, fx->sc);
}

/* The n-th (from 0) text of role (and follower, unless any_follower),
 * or NULL. */
static const wv_cmd *find_text(const fixture *fx, wv_role role, int follower, int n)
{
    const wv_cmd *cmds;
    size_t nc = wv_scene_cmds(fx->sc, &cmds);
    for (size_t i = 0; i < nc; i++)
        if (cmds[i].kind == WV_CMD_TEXT && cmds[i].role == role && cmds[i].follower == follower && n-- == 0)
            return &cmds[i];
    return NULL;
}

static const char *text_of(const fixture *fx, const wv_cmd *c)
{
    return c ? wv_scene_text(fx->sc, c) : "(none)";
}

static const wv_scene_panel *find_panel(const fixture *fx, wv_panel kind, int follower)
{
    const wv_scene_panel *p;
    size_t n = wv_scene_panels(fx->sc, &p);
    for (size_t i = 0; i < n; i++)
        if (p[i].kind == kind && p[i].follower == follower)
            return &p[i];
    return NULL;
}

static const wv_scene_chip *find_chip(const fixture *fx, size_t msg, int follower)
{
    const wv_scene_chip *c;
    size_t n = wv_scene_chips(fx->sc, &c);
    for (size_t i = 0; i < n; i++)
        if (c[i].msg == msg && c[i].follower == follower)
            return &c[i];
    return NULL;
}

/* two transactions a second apart */
static const char bank[] = "BEGIN 736\n"
                           "table public.accounts: INSERT: id[integer]:1 balance[numeric]:500.00\n"
                           "COMMIT 736 (at 2026-01-01 10:00:00.000000+00)\n"
                           "BEGIN 737\n"
                           "table public.accounts: UPDATE: id[integer]:1 balance[numeric]:480.00\n"
                           "COMMIT 737 (at 2026-01-01 10:00:01.000000+00)\n";

/* The inspector of a COMMIT says when the client's COMMIT returned, after
 * how long and which standby released it: f1 is 5 ms away and its fsync
 * takes 2 ms, so under synchronous_commit = on the flush is known 5 + 2 + 5
 * = 12 ms after the commit. */
static void test_inspector_says_when_commit_returned(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "2",     "latency",       "5ms,300ms",  "jitter", "0",
                                        "flush",     "2ms",   "bandwidth",     "1GB/s",      "sync",   "on",
                                        "sync-standbys", "FIRST 1 (f1)", NULL };
    fixture fx;
    open_fixture(&fx, opts, bank);
    fx.view.selected_msg = 2; /* COMMIT 736 */
    build(&fx, 20000, 1920, 1080);
    const wv_cmd *c = find_text(&fx, WV_ROLE_INSPECTOR_COMMIT, -1, 0);
    CHECK(c && strcmp(text_of(&fx, c), "COMMIT returned after 12 ms by f1 (on)") == 0,
          "inspector.commit: expected \"COMMIT returned after 12 ms by f1 (on)\", got \"%s\"", text_of(&fx, c));
    const wv_scene_panel *ins = find_panel(&fx, WV_PANEL_INSPECTOR, -1);
    CHECK(ins && wv_rect_inside((wv_rect){ c->box.x, c->box.y, 1, c->box.h }, ins->box),
          "inspector.commit at (%d,%d) should start inside the inspector", c->box.x, c->box.y);
    /* before the reply, it waits, and says so */
    build(&fx, 8000, 1920, 1080);
    c = find_text(&fx, WV_ROLE_INSPECTOR_COMMIT, -1, 0);
    CHECK(c && strcmp(text_of(&fx, c), "COMMIT waits (8 ms so far, on)") == 0,
          "inspector.commit at 8 ms: expected \"COMMIT waits (8 ms so far, on)\", got \"%s\"", text_of(&fx, c));
    /* the stage table: f1 wrote it 5 ms after the commit */
    const wv_cmd *cell = find_text(&fx, WV_ROLE_INSPECTOR_CELL, 0, 1);
    CHECK(cell && strcmp(text_of(&fx, cell), "5") == 0, "f1's written cell: expected \"5\", got \"%s\"",
          text_of(&fx, cell));
    const wv_cmd *sync = find_text(&fx, WV_ROLE_LEADER_SYNC_LEVEL, -1, 0);
    CHECK(sync && strcmp(text_of(&fx, sync), "synchronous_commit = on") == 0,
          "leader.sync_level: got \"%s\"", text_of(&fx, sync));
    close_fixture(&fx);
}

/* f2 is 300 ms away: after the UPDATE left the leader and before f2
 * replayed it, f2's balance cell is stale and shows the old value. */
static void test_stale_cell(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "2", "latency", "5ms,300ms", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, bank);
    int64_t commit = wv_sim_txn_time(fx.sim, 1);
    int64_t applied2 = wv_sim_stage(fx.sim, 1, 5, WV_STAGE_APPLIED);
    CHECK(applied2 > commit + 300000, "f2 replays COMMIT 737 after 300 ms, got %lld us after",
          (long long)(applied2 - commit));
    build(&fx, commit + 100000, 1920, 1080);
    bool stale = false, fresh = false;
    const wv_cmd *cmds;
    size_t n = wv_scene_cmds(fx.sc, &cmds);
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].kind != WV_CMD_TEXT || cmds[i].role != WV_ROLE_TABLE_CELL)
            continue;
        const char *t = wv_scene_text(fx.sc, &cmds[i]);
        if (cmds[i].follower == 1 && strcmp(t, "500.00") == 0 && cmds[i].stale)
            stale = true;
        if (cmds[i].follower == 0 && strcmp(t, "480.00") == 0 && !cmds[i].stale)
            fresh = true;
    }
    CHECK(stale, "f2 should show balance 500.00 marked stale 100 ms after COMMIT 737");
    CHECK(fresh, "f1 (5 ms away) should show balance 480.00, not stale");
    build(&fx, applied2, 1920, 1080);
    n = wv_scene_cmds(fx.sc, &cmds);
    for (size_t i = 0; i < n; i++)
        CHECK(!(cmds[i].kind == WV_CMD_TEXT && cmds[i].stale), "nothing is stale once f2 replayed, got \"%s\"",
              wv_scene_text(fx.sc, &cmds[i]));
    close_fixture(&fx);
}

/* A chip is (t - sent) / (written - sent) of the way along its lane, and
 * the pointer finds it there. COMMIT 736 is the newest of its train, the
 * one on top. */
static void test_chip_position_and_hit(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "1s", "jitter", "0", NULL };
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    open_fixture(&fx, opts, bank);
    int64_t sent = wv_sim_stage(fx.sim, 0, 2, WV_STAGE_SENT), written = wv_sim_stage(fx.sim, 0, 2, WV_STAGE_WRITTEN);
    for (size_t s = 0; s < 3; s++) {
        for (int q = 1; q <= 3; q++) {
            int64_t t = sent + (written - sent) * q / 4;
            build(&fx, t, sizes[s][0], sizes[s][1]);
            const wv_scene_chip *c = find_chip(&fx, 2, 0);
            CHECK(c && c->op == WV_OP_COMMIT && c->stage == WV_CHIP_IN_FLIGHT,
                  "%dx%d: the COMMIT should be in flight at %d/4 of its way", sizes[s][0], sizes[s][1], q);
            const wv_layout *l = wv_scene_layout(fx.sc);
            wv_rect lane = l->lanes[0];
            int span = lane.w - c->box.w * 2;
            int want = lane.x + (int)((double)(t - sent) / (double)(written - sent) * span);
            CHECK(c->box.x == want, "%dx%d at %d/4: chip x %d, expected %d", sizes[s][0], sizes[s][1], q,
                  c->box.x, want);
            CHECK(wv_rect_inside(c->box, lane), "%dx%d: the chip should lie in its lane", sizes[s][0], sizes[s][1]);
            wv_hit h = wv_scene_hit_at(fx.sc, c->box.x + 2, c->box.y + c->box.h / 2);
            CHECK(h.kind == WV_HIT_MESSAGE && h.index == 2, "%dx%d: hit at the chip: kind %d index %zu",
                  sizes[s][0], sizes[s][1], (int)h.kind, h.index);
        }
    }
    close_fixture(&fx);
}

/* Written but not flushed waits for the fsync; flushed but not replayed
 * waits to be replayed. */
static void test_pile_stages(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "10ms", "jitter", "0", "flush", "50ms",
                                        "apply", "100ms", NULL };
    fixture fx;
    open_fixture(&fx, opts, bank);
    int64_t w = wv_sim_stage(fx.sim, 0, 1, WV_STAGE_WRITTEN), fl = wv_sim_stage(fx.sim, 0, 1, WV_STAGE_FLUSHED);
    build(&fx, w + (fl - w) / 2, 1920, 1080);
    const wv_scene_chip *c = find_chip(&fx, 1, 0);
    CHECK(c && c->stage == WV_CHIP_WAITING_FSYNC, "between write and flush: expected waiting_fsync, got %s",
          c ? wv_chip_stage_name(c->stage) : "no chip");
    build(&fx, fl + 1, 1920, 1080);
    c = find_chip(&fx, 1, 0);
    CHECK(c && c->stage == WV_CHIP_WAITING_REPLAY, "after the flush: expected waiting_replay, got %s",
          c ? wv_chip_stage_name(c->stage) : "no chip");
    const wv_cmd *waiting = find_text(&fx, WV_ROLE_LANE_WAITING, 0, 0);
    CHECK(waiting && strstr(text_of(&fx, waiting), "waiting to replay"), "lane.waiting: got \"%s\"",
          text_of(&fx, waiting));
    close_fixture(&fx);
}

/* At every size, every text starts inside the region it is clipped to;
 * at every text scale up to two steps of Ctrl +, the synchronous level and
 * each follower's state start inside their panels. (With larger text the
 * inspector's last stage columns start past its edge, clipped away: issue
 * 11 makes room.) */
static void test_texts_inside_their_regions(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    static const double scales[] = { 1.0, 1.25, 1.5625 }; /* up to two steps of Ctrl + */
    static const char *const opts[] = { "followers", "3", "latency", "5ms,100ms,1s", NULL };
    fixture fx;
    open_fixture(&fx, opts, bank);
    for (size_t s = 0; s < 3; s++) {
        for (size_t k = 0; k < 3; k++) {
            fx.view.text_scale = scales[k];
            build(&fx, wv_sim_txn_time(fx.sim, 1) + 50000, sizes[s][0], sizes[s][1]);
            const wv_cmd *cmds;
            size_t n = wv_scene_cmds(fx.sc, &cmds);
            wv_rect clip = { 0, 0, sizes[s][0], sizes[s][1] };
            for (size_t i = 0; i < n; i++) {
                if (cmds[i].kind == WV_CMD_CLIP)
                    clip = cmds[i].box.w < 0 ? (wv_rect){ 0, 0, sizes[s][0], sizes[s][1] } : cmds[i].box;
                if (cmds[i].kind != WV_CMD_TEXT || k > 0)
                    continue;
                CHECK(wv_rect_contains(clip, cmds[i].box.x, cmds[i].box.y),
                      "%dx%d scale %.2f: %s \"%s\" at (%d,%d) starts outside its region (%d,%d %dx%d)",
                      sizes[s][0], sizes[s][1], scales[k], wv_role_name(cmds[i].role),
                      wv_scene_text(fx.sc, &cmds[i]), cmds[i].box.x, cmds[i].box.y, clip.x, clip.y, clip.w,
                      clip.h);
            }
            const wv_cmd *sync = find_text(&fx, WV_ROLE_LEADER_SYNC_LEVEL, -1, 0);
            CHECK(sync && wv_rect_contains(find_panel(&fx, WV_PANEL_LEADER, -1)->box, sync->box.x, sync->box.y),
                  "%dx%d scale %.2f: leader.sync_level should start in the leader's panel", sizes[s][0],
                  sizes[s][1], scales[k]);
            for (int f = 0; f < 3; f++) {
                const wv_cmd *st = find_text(&fx, WV_ROLE_FOLLOWER_STATE, f, 0);
                CHECK(st && wv_rect_contains(find_panel(&fx, WV_PANEL_FOLLOWER, f)->box, st->box.x, st->box.y),
                      "%dx%d scale %.2f: follower.state of f%d should start in its panel", sizes[s][0],
                      sizes[s][1], scales[k], f + 1);
            }
        }
    }
    close_fixture(&fx);
}

/* A payload the live source could not decode is drawn as its own "?"
 * chip, and the JSON names it UNKNOWN. */
static void test_unknown_op_chip(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "1s", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, "");
    wv_change c;
    memset(&c, 0, sizeof c);
    c.op = WV_OP_COUNT;
    wv_meta m = { .has_lsn = true, .lsn = 0x100 };
    wv_sim_add(fx.sim, &c, &m, (wv_slice){ "\x01garbage", 8 });
    wv_sim_flush(fx.sim);
    build(&fx, 500000, 1920, 1080);
    const wv_scene_chip *chip = find_chip(&fx, 0, 0);
    CHECK(chip && chip->op == WV_OP_UNKNOWN, "expected an UNKNOWN chip for message 0");
    const wv_cmd *g = find_text(&fx, WV_ROLE_CHIP_GLYPH, 0, 0);
    CHECK(g && strcmp(text_of(&fx, g), "?") == 0, "chip.glyph: expected \"?\", got \"%s\"", text_of(&fx, g));
    wv_buf out;
    wv_buf_init(&out);
    wv_scene_json(fx.sc, wv_sim_config(fx.sim), &out);
    wv_buf_append(&out, "", 1);
    CHECK(strstr(out.data, "{\"op\":\"UNKNOWN\",\"glyph\":\"?\",\"msg\":0,\"follower\":1,"),
          "the JSON should list the UNKNOWN chip:\n%s", out.data);
    CHECK(strstr(out.data, "\"stage\":\"in_flight\""), "the chip is in flight");
    wv_buf_destroy(&out);
    close_fixture(&fx);
}

/* The JSON carries each text's role, words, box and follower. */
static void test_json(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "2", "latency", "5ms,300ms", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, bank);
    build(&fx, wv_sim_txn_time(fx.sim, 1) + 100000, 1024, 768);
    wv_buf out;
    wv_buf_init(&out);
    wv_scene_json(fx.sc, wv_sim_config(fx.sim), &out);
    wv_buf_append(&out, "", 1);
    const wv_cmd *st = find_text(&fx, WV_ROLE_FOLLOWER_STATE, 1, 0);
    CHECK(st != NULL, "f2 has a follower.state");
    char want[200];
    snprintf(want, sizeof want, "{\"role\":\"follower.state\",\"text\":\"%s\",\"box\":[%d,%d,%d,%d],\"follower\":2,"
                                "\"follower_name\":\"f2\"",
             text_of(&fx, st), st->box.x, st->box.y, st->box.w, st->box.h);
    CHECK(strstr(out.data, want), "expected %s in the JSON:\n%s", want, out.data);
    CHECK(strstr(out.data, "\"panel\":\"inspector\""), "the inspector's panel should be listed");
    CHECK(strstr(out.data, "\"stale\":true"), "f2's stale cell should be marked");
    wv_buf_destroy(&out);
    close_fixture(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inspector_says_when_commit_returned),
        cmocka_unit_test(test_stale_cell),
        cmocka_unit_test(test_chip_position_and_hit),
        cmocka_unit_test(test_pile_stages),
        cmocka_unit_test(test_texts_inside_their_regions),
        cmocka_unit_test(test_unknown_op_chip),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
