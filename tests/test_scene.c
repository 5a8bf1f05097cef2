/* test_scene: what the screen says and where, read from the display list
 * (src/core/scene.c) with no SDL: words with their roles, boxes, chips and
 * their stages, hit boxes. Text is measured by a stand-in for the fonts:
 * every character 6/10 of the face's size wide, a line 12/10 tall, the
 * proportions of DejaVu Sans Mono. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "walviz/realrows.h"
#include "walviz/scene.h"

#include "failover_stream.h"
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
                                        "sync-standbys", "FIRST 1 (f1)", "kind", "physical", NULL };
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

/* A train's head (its BEGIN) runs along the lane in proportion to its
 * time on the wire, from one train's width in (whole as it leaves the
 * leader) to the arrowhead; its INSERT card and its COMMIT bracket follow
 * behind it, none covering another; the pointer finds each. */
static void test_chip_position_and_hit(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "1s", "jitter", "0", NULL };
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    open_fixture(&fx, opts, bank);
    /* from the moment the whole train is on the wire to the BEGIN's arrival */
    int64_t sent = wv_sim_stage(fx.sim, 0, 2, WV_STAGE_SENT), written = wv_sim_stage(fx.sim, 0, 0, WV_STAGE_WRITTEN);
    for (size_t s = 0; s < 3; s++) {
        int head[5];
        for (int q = 0; q <= 4; q++) {
            int64_t t = sent + (written - sent) * q / 4 - (q == 4);
            build(&fx, t, sizes[s][0], sizes[s][1]);
            const wv_scene_chip *b = find_chip(&fx, 0, 0), *ins = find_chip(&fx, 1, 0), *c = find_chip(&fx, 2, 0);
            CHECK(b && ins && c && b->op == WV_OP_BEGIN && ins->op == WV_OP_INSERT && c->op == WV_OP_COMMIT &&
                      c->stage == WV_CHIP_IN_FLIGHT,
                  "%dx%d: BEGIN, INSERT, COMMIT should be in flight at %d/4 of the way", sizes[s][0],
                  sizes[s][1], q);
            const wv_layout *l = wv_scene_layout(fx.sc);
            wv_rect lane = l->lanes[0];
            CHECK(wv_rect_inside(b->box, lane) && wv_rect_inside(ins->box, lane) && wv_rect_inside(c->box, lane),
                  "%dx%d at %d/4: the train lies whole in its lane", sizes[s][0], sizes[s][1], q);
            CHECK(c->box.x + c->box.w <= ins->box.x && ins->box.x + ins->box.w <= b->box.x,
                  "%dx%d at %d/4: COMMIT (x %d w %d), INSERT (x %d w %d), BEGIN (x %d) in a row, none "
                  "covering another", sizes[s][0], sizes[s][1], q, c->box.x, c->box.w, ins->box.x,
                  ins->box.w, b->box.x);
            CHECK(ins->box.w > 3 * ins->box.h, "%dx%d: the INSERT is a card with its words (w %d, h %d)",
                  sizes[s][0], sizes[s][1], ins->box.w, ins->box.h);
            head[q] = b->box.x + b->box.w;
            int width = head[q] - c->box.x;
            if (q == 0)
                CHECK(c->box.x >= lane.x && c->box.x <= lane.x + 2, "%dx%d: as it leaves, the train "
                      "starts at the lane's start (%d), got %d", sizes[s][0], sizes[s][1], lane.x, c->box.x);
            if (q == 4)
                CHECK(head[q] >= lane.x + lane.w - ins->box.h, "%dx%d: arriving, the head (%d) is at "
                      "the arrowhead (lane ends at %d)", sizes[s][0], sizes[s][1], head[q], lane.x + lane.w);
            (void)width;
            for (size_t m = 0; m < 3; m++) {
                const wv_scene_chip *k = m == 0 ? b : m == 1 ? ins : c;
                wv_hit h = wv_scene_hit_at(fx.sc, k->box.x + k->box.w / 2, k->box.y + k->box.h / 2);
                CHECK(h.kind == WV_HIT_MESSAGE && h.index == m, "%dx%d: hit at message %zu's middle: kind "
                      "%d index %zu", sizes[s][0], sizes[s][1], m, (int)h.kind, h.index);
            }
        }
        for (int q = 1; q < 4; q++)
            CHECK(abs(head[q + 1] - 2 * head[q] + head[q - 1]) <= 2, "%dx%d: the head moves evenly in "
                  "time: %d %d %d %d %d", sizes[s][0], sizes[s][1], head[0], head[1], head[2], head[3], head[4]);
    }
    close_fixture(&fx);
}

/* Written but not flushed waits for the fsync; flushed but not replayed
 * waits to be replayed. */
static void test_pile_stages(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "10ms", "jitter", "0", "flush", "50ms",
                                        "apply", "100ms", "kind", "physical", NULL };
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
 * each follower's state start inside their panels and every column of the
 * inspector's stage table fits. */
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
                /* with larger text everything still starts in its region,
                 * but for labels that may run past (cut) the inspector's
                 * stage table must stay whole */
                if (cmds[i].kind != WV_CMD_TEXT ||
                    (k > 0 && cmds[i].role != WV_ROLE_INSPECTOR_CELL && cmds[i].role != WV_ROLE_INSPECTOR_HEADING))
                    continue;
                if (k > 0)
                    CHECK(cmds[i].box.x + cmds[i].box.w <= clip.x + clip.w,
                          "%dx%d scale %.2f: %s \"%s\" ends past the inspector (x %d + %d > %d)", sizes[s][0],
                          sizes[s][1], scales[k], wv_role_name(cmds[i].role), wv_scene_text(fx.sc, &cmds[i]),
                          cmds[i].box.x, cmds[i].box.w, clip.x + clip.w);
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
            /* its state, or where there is no room for both, its lag (a
             * good state gives way: the delay is what the class watches) */
            for (int f = 0; f < 3; f++) {
                const wv_cmd *st = find_text(&fx, WV_ROLE_FOLLOWER_STATE, f, 0);
                if (!st)
                    st = find_text(&fx, WV_ROLE_FOLLOWER_LAG, f, 0);
                CHECK(st && wv_rect_contains(find_panel(&fx, WV_PANEL_FOLLOWER, f)->box, st->box.x, st->box.y),
                      "%dx%d scale %.2f: follower.state or .lag of f%d should start in its panel", sizes[s][0],
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
    CHECK(g && strncmp(text_of(&fx, g), "? ", 2) == 0, "chip.glyph: expected \"? UNKNOWN\", got \"%s\"",
          text_of(&fx, g));
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

/* Concatenates every text of role for follower (in drawing order). */
static void texts_of(const fixture *fx, wv_role role, int follower, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0;; i++) {
        const wv_cmd *c = find_text(fx, role, follower, i);
        if (!c)
            break;
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? " | " : "", text_of(fx, c));
    }
}

/* Distinct lines of table cells a node shows (-1: the leader). */
static int table_rows(const fixture *fx, int follower)
{
    int ys[64], n = 0;
    const wv_cmd *cmds;
    size_t nc = wv_scene_cmds(fx->sc, &cmds);
    for (size_t i = 0; i < nc; i++) {
        if (cmds[i].kind != WV_CMD_TEXT || cmds[i].follower != follower ||
            (cmds[i].role != WV_ROLE_TABLE_CELL && cmds[i].role != WV_ROLE_TABLE_ROW_STATE))
            continue;
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen |= ys[k] == cmds[i].box.y;
        if (!seen && n < 64)
            ys[n++] = cmds[i].box.y;
    }
    return n;
}

static const char rows4[] = "BEGIN 800\n"
                            "table public.accounts: INSERT: id[integer]:1 balance[numeric]:500.00\n"
                            "table public.accounts: INSERT: id[integer]:2 balance[numeric]:300.00\n"
                            "table public.accounts: INSERT: id[integer]:3 balance[numeric]:200.00\n"
                            "table public.accounts: INSERT: id[integer]:4 balance[numeric]:100.00\n"
                            "COMMIT 800 (at 2026-01-01 10:00:00.000000+00)\n"
                            "BEGIN 801\n"
                            "table public.accounts: UPDATE: id[integer]:1 balance[numeric]:480.00\n"
                            "table public.accounts: UPDATE: id[integer]:2 balance[numeric]:320.00\n"
                            "COMMIT 801 (at 2026-01-01 10:00:01.000000+00)\n";

/* What the picture says to a class: a change's card with its words, the
 * link of each lane, each follower's pipeline in its order, three rows a
 * follower at 1024x768, the caption. */
static void test_picture_words(void **state)
{
    (void)state;
    static const char *const opts[] = { "latency", "20ms,150ms,1s", "jitter", "0", NULL };
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    char all[2000];
    int64_t half = wv_sim_stage(fx.sim, 2, 0, WV_STAGE_SENT) + 500000; /* half way to f3 */
    for (size_t z = 0; z < 3; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        for (double scale = 1.0; scale < 1.4; scale *= 1.15) {
            fx.view.text_scale = scale;
            build(&fx, half, w, h);
            /* the first INSERT on its way to f3, as a card with its words */
            const wv_scene_chip *ins = find_chip(&fx, 1, 2);
            /* (four cards with words do not fit a 1024 px screen's lane
             * with the text two steps larger: glyphs, under the train's
             * label) */
            bool tight = h == 768 && scale > 1.3;
            CHECK(ins && ins->op == WV_OP_INSERT && ins->stage == WV_CHIP_IN_FLIGHT &&
                      (ins->box.w > ins->box.h || tight),
                  "%dx%d x%.2f: the INSERT travels to f3 as a card", w, h, scale);
            texts_of(&fx, WV_ROLE_CHIP_GLYPH, 2, all, sizeof all);
            CHECK(strstr(all, "+ accounts id=1") || strstr(all, "+ id=1") || (tight && strstr(all, "+")),
                  "%dx%d x%.2f: the card says what it is, got '%s'", w, h, scale, all);
            texts_of(&fx, WV_ROLE_LANE_LINK, 2, all, sizeof all);
            CHECK(strcmp(all, "one way 1.00 s \xc2\xb7 1.0 MB/s") == 0, "%dx%d x%.2f: the lane's link: '%s'", w,
                  h, scale, all);
            texts_of(&fx, WV_ROLE_FOLLOWER_STAGE, 0, all, sizeof all);
            /* (with larger text the rows may take the room) */
            /* (followers are logical subscribers by default: they apply,
             * then flush) */
            CHECK(strcmp(all, "written | applied | flushed") == 0 || (scale > 1.1 && !*all),
                  "%dx%d x%.2f: f1's pipeline in its order: '%s'", w, h, scale, all);
            int want = scale < 1.1 ? 3 : 1; /* with larger text, rows remain */
            CHECK(table_rows(&fx, 2) >= want, "%dx%d x%.2f: f3 shows %d rows, expected %d or more", w, h, scale,
                  table_rows(&fx, 2), want);
            const wv_cmd *cap = NULL;
            for (int f = -1; f < 3 && !cap; f++)
                cap = find_text(&fx, WV_ROLE_CAPTION, f, 0);
            CHECK(cap && strlen(text_of(&fx, cap)) > 10, "%dx%d x%.2f: a caption says what happened", w, h, scale);
        }
    }
    /* written and applied at once, not flushed yet: its pipeline says so */
    int64_t written = wv_sim_stage(fx.sim, 2, 6, WV_STAGE_WRITTEN);
    fx.view.text_scale = 1.0;
    build(&fx, written, 1920, 1080);
    texts_of(&fx, WV_ROLE_FOLLOWER_STAGE, 2, all, sizeof all);
    CHECK(strstr(all, "flushed (1 wait)") || strstr(all, "flushed 1"), "f3 has applied, not flushed: '%s'", all);
    close_fixture(&fx);
    /* a physical standby: written, flushed, replayed */
    static const char *const phys[] = { "latency", "20ms,150ms,1s", "jitter", "0", "kind", "physical", NULL };
    open_fixture(&fx, phys, rows4);
    build(&fx, half, 1920, 1080);
    texts_of(&fx, WV_ROLE_FOLLOWER_STAGE, 0, all, sizeof all);
    CHECK(strcmp(all, "written | flushed | replayed") == 0, "a physical standby's pipeline: '%s'", all);
    close_fixture(&fx);
}

/* A synchronous standby cut off: the leader's COMMITs wait as sessions,
 * and other sessions do not see their rows; the level's name is whole at
 * 1024x768 with the text two steps larger. */
static void test_commits_wait(void **state)
{
    (void)state;
    static const char *const opts[] = { "latency", "20ms,150ms,1s", "jitter", "0", "sync", "remote_apply",
                                        "sync-standbys", "FIRST 1 (f1)", "partition", "f1@500ms-5s", NULL };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    fx.view.text_scale = 1.15 * 1.15;
    build(&fx, 2500000, 1024, 768);
    char all[2000];
    texts_of(&fx, WV_ROLE_LEADER_SYNC_LEVEL, -1, all, sizeof all);
    CHECK(strstr(all, "remote_apply") && !strstr(all, "\xe2\x80\xa6"), "the level, whole: '%s'", all);
    texts_of(&fx, WV_ROLE_LEADER_COMMIT_STATE, -1, all, sizeof all);
    CHECK(strstr(all, "1 COMMIT waiting") && strstr(all, "for f1 to apply") && strstr(all, "oldest: 1.50 s"),
          "the leader's waiting COMMIT: '%s'", all);
    /* id=2 is 300.00 to other sessions until COMMIT 801 returns */
    texts_of(&fx, WV_ROLE_TABLE_CELL, -1, all, sizeof all);
    CHECK(strstr(all, "300.00") && !strstr(all, "320.00"), "the leader's rows as others see them: '%s'", all);
    texts_of(&fx, WV_ROLE_FOLLOWER_SYNC, 0, all, sizeof all);
    CHECK(strcmp(all, "sync") == 0, "f1 wears the sync badge: '%s'", all);
    texts_of(&fx, WV_ROLE_TIMELINE_FAULT, 0, all, sizeof all);
    CHECK(strcmp(all, "\xe2\x9c\x82") == 0, "the timeline marks f1's partition: '%s'", all);
    build(&fx, 5500000, 1024, 768);
    texts_of(&fx, WV_ROLE_TABLE_CELL, -1, all, sizeof all);
    CHECK(strstr(all, "320.00"), "once healed and the COMMIT returned, others see 320.00: '%s'", all);
    close_fixture(&fx);
}

/* The selected change's row read on the follower furthest behind, and the
 * leader's answer; the tables follow the action (the change's table; a
 * follower shows the rows it will apply next). */
static void test_read_spelled_out(void **state)
{
    (void)state;
    static const char *const opts[] = { "latency", "20ms,150ms,1s", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    fx.view.selected_msg = 7; /* UPDATE id=1 480.00 */
    int64_t sent = wv_sim_stage(fx.sim, 2, 7, WV_STAGE_SENT);
    build(&fx, sent + 500000, 1920, 1080);
    char all[2000];
    texts_of(&fx, WV_ROLE_INSPECTOR_READ, 2, all, sizeof all);
    const wv_cmd *r = find_text(&fx, WV_ROLE_INSPECTOR_READ, 2, 0);
    CHECK(r && r->stale && (strcmp(all, "SELECT balance FROM accounts WHERE id = 1 on f3 \xe2\x86\x92 500.00 (leader: 480.00)") == 0 ||
                            strcmp(all, "SELECT balance FROM accounts WHERE id = 1 | on f3 \xe2\x86\x92 500.00 (leader: 480.00)") == 0),
          "the read on f3 (furthest behind), stale: '%s'", all);
    fx.view.selected_follower = 0;
    build(&fx, sent + 500000, 1920, 1080);
    texts_of(&fx, WV_ROLE_INSPECTOR_READ, 0, all, sizeof all);
    r = find_text(&fx, WV_ROLE_INSPECTOR_READ, 0, 0);
    CHECK(r && strstr(all, "on f1 \xe2\x86\x92 480.00 (leader: 480.00)") && !r->stale,
          "the read on the selected f1, caught up: '%s'", all);
    /* f3 shows the rows of the transaction it applies next: id=1 and id=2 */
    texts_of(&fx, WV_ROLE_TABLE_CELL, 2, all, sizeof all);
    CHECK(strncmp(all, "1 | 500.00 | 2 | 300.00", 23) == 0 || strncmp(all, "2 | 300.00 | 1 | 500.00", 23) == 0,
          "f3's rows, the next to change first: '%s'", all);
    close_fixture(&fx);
}

/* Behind ?: every key, every glyph and the glossary's words, at 1024x768;
 * the demo's own keys only in the demo. */
static void test_help_legend(void **state)
{
    (void)state;
    fixture fx;
    open_fixture(&fx, NULL, rows4);
    fx.view.help = true;
    build(&fx, 0, 1024, 768);
    char keys[4000], what[4000];
    texts_of(&fx, WV_ROLE_HELP_KEYS, -1, keys, sizeof keys);
    texts_of(&fx, WV_ROLE_HELP_WHAT, -1, what, sizeof what);
    static const char *const words[] = { "LSN", "xid", "written", "flushed", "replayed", "lag",
                                         "synchronous_commit", "FIRST n / ANY n", "TOAST", "stale", "shard", "Esc" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        CHECK(strstr(keys, words[i]), "the help names '%s': %s", words[i], keys);
    static const char *const glyphs[] = { "+", "~", "-", "T", "M", "P", "]P", "xP", "s", "]s", "xs", "?" };
    for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++) {
        char g[8];
        snprintf(g, sizeof g, "| %s |", glyphs[i]);
        CHECK(strstr(keys, g), "the legend shows the glyph '%s'", glyphs[i]);
    }
    CHECK(strstr(what, "INSERT: a new row") && !strstr(keys, "W / R"), "a replay's help: %s", what);
    fx.view.demo_hint = "W: pause";
    build(&fx, 0, 1024, 768);
    texts_of(&fx, WV_ROLE_HELP_KEYS, -1, keys, sizeof keys);
    CHECK(strstr(keys, "W / R"), "the demo's help lists W / R");
    close_fixture(&fx);
}

/* A synchronous standby's reply travels back along its lane, from the
 * follower's end to the leader's, while the COMMIT it releases waits. */
static void test_reply_travels_back(void **state)
{
    (void)state;
    static const char *const opts[] = { "latency", "20ms,150ms,1s", "jitter", "0", "sync", "remote_apply",
                                        "sync-standbys", "FIRST 1 (f3)", NULL };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    int64_t applied = wv_sim_stage(fx.sim, 2, 5, WV_STAGE_APPLIED), known = wv_sim_stage_known(fx.sim, 2, 5, WV_STAGE_APPLIED);
    CHECK(known > applied + 900000, "the reply takes the link's second back: applied %lld, known %lld",
          (long long)applied, (long long)known);
    int x[2];
    for (int i = 0; i < 2; i++) {
        build(&fx, applied + (known - applied) * (i ? 3 : 1) / 4, 1920, 1080);
        const wv_cmd *r = find_text(&fx, WV_ROLE_LANE_REPLY, 2, 0);
        CHECK(r && r->msg == 5, "a reply on f3's lane for COMMIT 800 (message 5) at %d/4 of its way", i ? 3 : 1);
        x[i] = r->box.x;
        /* under the wire: no change's card covers it, nor it one */
        const wv_scene_chip *c;
        size_t nc = wv_scene_chips(fx.sc, &c);
        for (size_t k = 0; k < nc; k++)
            CHECK(c[k].follower != 2 || c[k].op == WV_OP_BEGIN || c[k].op == WV_OP_COMMIT ||
                      c[k].box.y + c[k].box.h <= r->box.y,
                  "the reply (y %d) is below message %zu's card (y %d, h %d)", r->box.y, c[k].msg, c[k].box.y,
                  c[k].box.h);
        const wv_scene_panel *lane = find_panel(&fx, WV_PANEL_LANE, 2);
        CHECK(lane && r->box.y + r->box.h <= lane->box.y + lane->box.h, "the reply is inside its lane");
    }
    CHECK(x[1] < x[0], "the reply moves towards the leader: x %d then %d", x[0], x[1]);
    /* f3 selected: its own positions beside the leader's view of them */
    fx.view.selected_follower = 2;
    build(&fx, applied + (known - applied) / 2, 1920, 1080);
    char all[2000];
    texts_of(&fx, WV_ROLE_INSPECTOR_TITLE, 2, all, sizeof all);
    CHECK(strcmp(all, "f3 in pg_stat_replication: streaming, sync") == 0, "the inspector on f3: '%s'", all);
    texts_of(&fx, WV_ROLE_INSPECTOR_PRIMARY, 2, all, sizeof all);
    /* its first reply is still on the way: the leader knows nothing yet */
    CHECK(strcmp(all, "0/1000000 | - | 0/1000000 | - | 0/1000000 | -") == 0,
          "the leader's positions and lags for f3, a reply late: '%s'", all);
    texts_of(&fx, WV_ROLE_INSPECTOR_CELL, 2, all, sizeof all);
    CHECK(strstr(all, "0/1000") && strcmp(all, "0/1000000 | 0/1000000 | 0/1000000") != 0,
          "f3's own positions have moved on: '%s'", all);
    fx.view.selected_follower = -1;
    build(&fx, known + 1, 1920, 1080);
    for (int i = 0; find_text(&fx, WV_ROLE_LANE_REPLY, 2, i); i++)
        CHECK(find_text(&fx, WV_ROLE_LANE_REPLY, 2, i)->msg != 5, "once the leader has it, COMMIT 800's reply is gone");
    close_fixture(&fx);
}

/* Two-phase: a follower that applied the PREPARE says it holds the
 * prepared transaction until COMMIT PREPARED; the inspector does not call
 * a PREPARE a commit. */
static void test_prepared(void **state)
{
    (void)state;
    static const char twophase[] = "BEGIN 797\n"
                                   "table public.ledger: INSERT: id[integer]:1 amount[integer]:100\n"
                                   "PREPARE TRANSACTION 'transfer-1', txid 797 (at 2026-01-01 10:00:00+00)\n"
                                   "COMMIT PREPARED 'transfer-1', txid 797 (at 2026-01-01 10:00:01+00)\n";
    static const char *const opts[] = { "followers", "1", "latency", "20ms", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, twophase);
    int64_t prepared = wv_sim_stage(fx.sim, 0, 2, WV_STAGE_APPLIED), committed = wv_sim_stage(fx.sim, 0, 3, WV_STAGE_APPLIED);
    CHECK(prepared < committed, "PREPARE applied at %lld, COMMIT PREPARED at %lld", (long long)prepared,
          (long long)committed);
    fx.view.selected_msg = 2;
    build(&fx, prepared + 1, 1920, 1080);
    char all[1000];
    texts_of(&fx, WV_ROLE_FOLLOWER_PREPARED, 0, all, sizeof all);
    CHECK(strcmp(all, "prepared: 'transfer-1'") == 0, "f1 holds the prepared transaction: '%s'", all);
    texts_of(&fx, WV_ROLE_INSPECTOR_COMMIT, -1, all, sizeof all);
    CHECK(strncmp(all, "PREPARE returned", 16) == 0, "the inspector on a PREPARE: '%s'", all);
    fx.view.selected_msg = WV_ROWS_NONE;
    build(&fx, committed + 1, 1920, 1080);
    texts_of(&fx, WV_ROLE_FOLLOWER_PREPARED, 0, all, sizeof all);
    CHECK(!*all, "once COMMIT PREPARED is applied, nothing is left prepared: '%s'", all);
    close_fixture(&fx);
}

/* Clicking a log line selects it where it is: the list does not move
 * under the pointer. */
static void test_log_click_stays(void **state)
{
    (void)state;
    fixture fx;
    open_fixture(&fx, NULL, rows4);
    build(&fx, 3000000, 1024, 768);
    const wv_cmd *cmds;
    size_t n = wv_scene_cmds(fx.sc, &cmds);
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].kind != WV_CMD_TEXT || cmds[i].role != WV_ROLE_LOG_LINE)
            continue;
        size_t m = cmds[i].msg;
        int y = cmds[i].box.y;
        fx.view.selected_msg = m;
        build(&fx, 3000000, 1024, 768);
        const wv_cmd *c2;
        size_t n2 = wv_scene_cmds(fx.sc, &c2);
        bool same = false;
        for (size_t k = 0; k < n2; k++)
            same |= c2[k].kind == WV_CMD_TEXT && c2[k].role == WV_ROLE_LOG_LINE && c2[k].msg == m && c2[k].box.y == y;
        CHECK(same, "message %zu's log line moved when it was clicked (was at y %d)", m, y);
        fx.view.selected_msg = WV_ROWS_NONE;
        build(&fx, 3000000, 1024, 768);
        n = wv_scene_cmds(fx.sc, &cmds);
    }
    close_fixture(&fx);
}

/* A long --names name is shown whole in its box, and does not push the
 * inspector's columns out. */
static void test_long_names(void **state)
{
    (void)state;
    static const char *const opts[] = { "names", "the-standby-in-frankfurt-dc2,b,c", NULL };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    build(&fx, 3000000, 1920, 1080);
    const wv_cmd *n = find_text(&fx, WV_ROLE_FOLLOWER_NAME, 0, 0);
    CHECK(n && strcmp(text_of(&fx, n), "1 the-standby-in-frankfurt-dc2") == 0, "the name, whole: '%s'", text_of(&fx, n));
    const wv_scene_panel *ins = find_panel(&fx, WV_PANEL_INSPECTOR, -1);
    const wv_cmd *cmds;
    size_t nc = wv_scene_cmds(fx.sc, &cmds);
    for (size_t i = 0; i < nc; i++)
        if (cmds[i].kind == WV_CMD_TEXT && cmds[i].role == WV_ROLE_INSPECTOR_CELL)
            CHECK(cmds[i].box.x + cmds[i].box.w <= ins->box.x + ins->box.w, "an inspector cell ends past the panel");
    close_fixture(&fx);
}

/* Eight followers at 1024x768: each still shows a row, and the inspector
 * lists all eight. */
static void test_eight_followers(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "8", NULL };
    fixture fx;
    open_fixture(&fx, opts, rows4);
    fx.view.selected_msg = 5; /* COMMIT 800 */
    build(&fx, 3000000, 1920, 1080);
    for (int f = 0; f < 8; f++)
        CHECK(table_rows(&fx, f) >= 1, "1920x1080: follower %d shows %d rows", f + 1, table_rows(&fx, f));
    build(&fx, 3000000, 1024, 768);
    for (int f = 0; f < 8; f++)
        CHECK(table_rows(&fx, f) >= 1, "follower %d shows %d rows", f + 1, table_rows(&fx, f));
    int listed = 0;
    for (int f = 0; f < 8; f++)
        listed += find_text(&fx, WV_ROLE_INSPECTOR_FOLLOWER, f, 0) != NULL;
    CHECK(listed == 8, "the inspector lists %d of 8 followers", listed);
    close_fixture(&fx);
}

/* A failover on screen, at the three sizes: the leader cut off from f1
 * and f3 at 1.5 s, fails at 3.5 s, f1 promoted (the new leader at 4.5 s);
 * 702 and 703 (3 changes) returned at once and f1 never had them
 * (tests/failover_stream.h). Each sentence of the leader's panel is whole
 * (not cut) and in the panel. */
static void check_leader_words(const fixture *fx, const char *size, const char *want)
{
    char all[600] = ""; /* its lines, wrapped, joined again */
    for (int i = 0; find_text(fx, WV_ROLE_LEADER_FAILOVER, -1, i); i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? " " : "",
                 text_of(fx, find_text(fx, WV_ROLE_LEADER_FAILOVER, -1, i)));
    CHECK(strstr(all, want) != NULL, "%s: the leader's panel should say '%s', got '%s'", size, want, all);
    const wv_rect box = find_panel(fx, WV_PANEL_LEADER, -1)->box;
    for (int i = 0; find_text(fx, WV_ROLE_LEADER_FAILOVER, -1, i); i++) {
        const wv_cmd *c = find_text(fx, WV_ROLE_LEADER_FAILOVER, -1, i);
        const char *t = text_of(fx, c);
        CHECK(!strstr(t, "\xe2\x80\xa6") && c->box.x + c->box.w <= box.x + box.w &&
                  wv_rect_contains(box, c->box.x, c->box.y + c->box.h - 1),
              "%s: '%s' is cut or leaves the leader's panel", size, t);
    }
}

static void test_failover_on_screen(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    for (int sync = 0; sync < 2; sync++) {
        const char *opts[] = { "latency", "100ms,100ms,200ms", "jitter", "0", "partition", "f1@1.5s-4.5s",
                               "partition", "f3@1.5s-4.5s", "failover", "3.5s:f1",
                               sync ? "sync-standbys" : NULL, "FIRST 1 (f1)", NULL };
        fixture fx;
        open_fixture(&fx, opts, failover_stream);
        for (size_t k = 0; k < 3; k++) {
            char size[32];
            snprintf(size, sizeof size, "%dx%d%s", sizes[k][0], sizes[k][1], sync ? " sync" : "");
            char all[600];
            build(&fx, 3600 * 1000, sizes[k][0], sizes[k][1]);
            texts_of(&fx, WV_ROLE_LEADER_NAME, -1, all, sizeof all);
            CHECK(strstr(all, "\xe2\x9c\x97 failed"), "%s: the leader is crossed out, got '%s'", size, all);
            check_leader_words(&fx, size, "f1 takes over at 4.50 s");
            check_leader_words(&fx, size, sync ? "no acknowledged" : "2 commits, 3 changes");
            check_leader_words(&fx, size, sync ? "2 commits lost, never acknowledged" : "acknowledged to clients and lost");
            CHECK(strstr(text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_STATE, 0, 0)), "promoting"),
                  "%s: f1 is promoting", size);
            const wv_cmd *cap = find_text(&fx, WV_ROLE_CAPTION, -1, 0);
            if (!cap)
                cap = find_text(&fx, WV_ROLE_CAPTION, 0, 0);
            CHECK(cap && strncmp(text_of(&fx, cap), "The leader failed: f1 is promoted", 33) == 0,
                  "%s: the caption tells the failure, got '%s'", size, text_of(&fx, cap));
            for (size_t m = 6; m <= 12; m++) /* 702 and 703: gone from every lane */
                for (int f = 0; f < 3; f++) {
                    const wv_scene_chip *c = find_chip(&fx, m, f);
                    CHECK(!c || c->stage != WV_CHIP_IN_FLIGHT, "%s: lost message %zu in flight to f%d", size, m,
                          f + 1);
                }
            int marks = 0;
            for (int i = 0; find_text(&fx, WV_ROLE_TIMELINE_FAILOVER, -1, i); i++)
                marks++;
            CHECK(marks == 3, "%s: the failure and 2 lost commits on the timeline, got %d marks", size, marks);

            build(&fx, 5500 * 1000, sizes[k][0], sizes[k][1]);
            texts_of(&fx, WV_ROLE_LEADER_NAME, -1, all, sizeof all);
            CHECK(strcmp(all, "leader: f1") == 0, "%s: the new leader is named, got '%s'", size, all);
            CHECK(strstr(text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_STATE, 0, 0)), "new leader"),
                  "%s: f1 is the new leader", size);
            /* f2 was never cut off: it has 702 and 703, f1 does not */
            CHECK(strstr(text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_STATE, 1, 0)), "diverged"),
                  "%s: f2 diverged, got '%s'", size, text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_STATE, 1, 0)));
            /* the leader's table as f1 has it: id=1 100 (not 80), id=2 60 */
            texts_of(&fx, WV_ROLE_TABLE_CELL, -1, all, sizeof all);
            CHECK(strstr(all, "100") && strstr(all, "60") && !strstr(all, "80"),
                  "%s: the new leader's rows, got '%s'", size, all);
        }
        close_fixture(&fx);
    }
}

/* Shards (--shard-by 'id % 3', f4 a replica): a transaction travels only
 * on the lanes of the shards it touches, each shard says what it holds and
 * shows only its rows, and the leader gathers count(*) from the shards. */
static void test_shards(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "4", "shard-by", "id % 3", "latency", "500ms", "jitter", "0",
                                        NULL };
    static const char text[] = "BEGIN 1\n"
                               "table public.accounts: INSERT: id[integer]:1 balance[numeric]:100.00\n"
                               "table public.accounts: INSERT: id[integer]:2 balance[numeric]:200.00\n"
                               "COMMIT 1 (at 2026-01-01 10:00:00+00)\n"
                               "BEGIN 2\n"
                               "table public.accounts: INSERT: id[integer]:3 balance[numeric]:300.00\n"
                               "COMMIT 2 (at 2026-01-01 10:00:01+00)\n";
    static const int sizes[3][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    open_fixture(&fx, opts, text);
    for (int i = 0; i < 3; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        /* 1.2 s: xid 2 (id 3, shard 0) is on the wire to f1 and f4 only */
        build(&fx, 1200000, w, h);
        CHECK(find_chip(&fx, 5, 0) && find_chip(&fx, 5, 3), "%dx%d: id 3 not on the wire to f1 and f4", w, h);
        CHECK(!find_chip(&fx, 5, 1) && !find_chip(&fx, 5, 2) && !find_chip(&fx, 4, 1) && !find_chip(&fx, 6, 2),
              "%dx%d: xid 2 travels to f2 or f3, whose filters drop it", w, h);
        static const char *const want[4] = { "shard id % 3 = 0: 0 rows", "shard id % 3 = 1: 1 row",
                                             "shard id % 3 = 2: 1 row", "replica: all 2 rows" };
        for (int f = 0; f < 4; f++)
            CHECK(strcmp(text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_SHARD, f, 0)), want[f]) == 0 ||
                      strcmp(text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_SHARD, f, 0)), want[f] + 6) == 0,
                  "%dx%d: f%d says '%s', expected '%s'", w, h, f + 1,
                  text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_SHARD, f, 0)), want[f]);
        const char *g = text_of(&fx, find_text(&fx, WV_ROLE_LEADER_GATHERED, -1, 0));
        CHECK(strcmp(g, "count(*): leader 3") == 0, "%dx%d: the leader's count '%s'", w, h, g);
        g = text_of(&fx, find_text(&fx, WV_ROLE_LEADER_GATHERED, -1, 1));
        CHECK(strcmp(g, "shards 0+1+1 = 2") == 0, "%dx%d: gathered '%s'", w, h, g);
        /* 3 s: every shard has applied what it gets */
        build(&fx, 3000000, w, h);
        g = text_of(&fx, find_text(&fx, WV_ROLE_LEADER_GATHERED, -1, 1));
        CHECK(strcmp(g, "shards 1+1+1 = 3") == 0, "%dx%d: gathered '%s' at the end", w, h, g);
        /* f2 shows id 1 alone; f4, a replica, every row */
        for (int f = 0; f < 4; f++) {
            bool seen[3] = { false, false, false };
            for (int n = 0; find_text(&fx, WV_ROLE_TABLE_CELL, f, n); n++)
                for (int k = 0; k < 3; k++)
                    seen[k] |= strcmp(text_of(&fx, find_text(&fx, WV_ROLE_TABLE_CELL, f, n)),
                                      k == 0 ? "100.00" : k == 1 ? "200.00" : "300.00") == 0;
            bool expect[4][3] = { { false, false, true }, { true, false, false }, { false, true, false },
                                  { true, true, true } };
            /* (a replica's box at 1024x768 has room for its newest rows) */
            for (int k = f == 3 ? 2 : 0; k < 3; k++)
                CHECK(seen[k] == expect[f][k], "%dx%d: f%d %s the row of id %d", w, h, f + 1,
                      seen[k] ? "shows" : "does not show", k + 1);
        }
    }
    close_fixture(&fx);
    /* (three followers, all shards: the inspector has room for the read)
     * a read of id 1 goes to f2, the shard holding it; read on f1, which
     * does not, it finds no row */
    static const char *const three[] = { "shard-by", "id % 3", "latency", "500ms", "jitter", "0", NULL };
    open_fixture(&fx, three, text);
    char read[2000];
    fx.view.selected_msg = 1;
    build(&fx, 3000000, 1920, 1080);
    texts_of(&fx, WV_ROLE_INSPECTOR_READ, 1, read, sizeof read);
    CHECK(strstr(read, "on f2 \xe2\x86\x92 100.00 (leader: 100.00)"), "the read of id 1: '%s'", read);
    fx.view.selected_follower = 0;
    build(&fx, 3000000, 1920, 1080);
    texts_of(&fx, WV_ROLE_INSPECTOR_READ, 0, read, sizeof read);
    CHECK(strstr(read, "on f1 \xe2\x86\x92 no row (leader: 1)"), "the read of id 1 on f1: '%s'", read);
    close_fixture(&fx);
}

/* A view on every node and a routed reader, at 1.55 s: f3 (1 s away) has
 * not replayed 737 (500.00 -> 480.00), the others have. Reads every 300
 * ms go to f1, f2, f3 in turn: 0.3 s f1, 0.6 s f2 (both 500.00, fresh),
 * 0.9 s f3 (no row yet: stale), 1.2 s f1 and 1.5 s f2 (480.00, fresh). */
static void test_reports_on_screen(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    static const char *const opts[] = { "followers", "3", "latency", "5ms,100ms,1s", "jitter", "0",
                                        "view", "SELECT sum(balance) FROM accounts", "reader",
                                        "routed accounts id=1 balance every 300ms", NULL };
    static const char *const answers[] = { "leader 480.00", "f1 480.00", "f2 480.00", "f3 500.00" };
    fixture fx;
    open_fixture(&fx, opts, bank);
    for (size_t s = 0; s < 3; s++) {
        build(&fx, 1550000, sizes[s][0], sizes[s][1]);
        wv_rect ins = find_panel(&fx, WV_PANEL_INSPECTOR, -1)->box;
        const wv_cmd *sql = find_text(&fx, WV_ROLE_VIEW_SQL, -1, 0);
        CHECK(sql && strcmp(text_of(&fx, sql), "SELECT sum(balance) FROM accounts") == 0, "%dx%d view.sql: '%s'",
              sizes[s][0], sizes[s][1], text_of(&fx, sql));
        for (int node = 0; node <= 3; node++) {
            const wv_cmd *a = find_text(&fx, WV_ROLE_VIEW_ANSWER, node - 1, 0);
            CHECK(a && strcmp(text_of(&fx, a), answers[node]) == 0 && a->stale == (node == 3) &&
                      wv_rect_inside(a->box, ins),
                  "%dx%d: expected '%s' (stale %d) in the inspector, got '%s' (stale %d)", sizes[s][0], sizes[s][1],
                  answers[node], node == 3, text_of(&fx, a), a ? a->stale : -1);
        }
        const wv_cmd *rd = find_text(&fx, WV_ROLE_READ, 1, 0);
        const char *want = "SELECT balance FROM accounts WHERE id = 1 on f2 \xe2\x86\x92 480.00, leader 480.00";
        CHECK(rd && strncmp(text_of(&fx, rd), want, strlen(text_of(&fx, rd))) == 0 && !rd->stale &&
                  wv_rect_contains(ins, rd->box.x, rd->box.y),
              "%dx%d read: expected '%s', got '%s'", sizes[s][0], sizes[s][1], want, text_of(&fx, rd));
        const wv_cmd *counts = find_text(&fx, WV_ROLE_READ_COUNTS, -1, 0);
        CHECK(counts && strcmp(text_of(&fx, counts), "routed: 5 reads, 1 stale") == 0 &&
                  wv_rect_contains(ins, counts->box.x, counts->box.y),
              "%dx%d read.counts: '%s'", sizes[s][0], sizes[s][1], text_of(&fx, counts));
        const wv_cmd *badge = find_text(&fx, WV_ROLE_READ_BADGE, 1, 0);
        wv_rect lane = find_panel(&fx, WV_PANEL_LANE, 1)->box;
        CHECK(badge && strcmp(text_of(&fx, badge), "read \xe2\x86\x92 480.00") == 0 &&
                  wv_rect_contains(lane, badge->box.x, badge->box.y) && badge->box.x + badge->box.w <= lane.x + lane.w,
              "%dx%d: the read on f2's lane: '%s'", sizes[s][0], sizes[s][1], text_of(&fx, badge));
    }
    close_fixture(&fx);
}

/* bank with the simulation's three followers and a real standby
 * (standby1, sampled directly) as the fourth lane; returns its nodes. */
static wv_realnodes *open_real_fixture(fixture *fx)
{
    wv_realnodes *rn = wv_realnodes_new();
    assert_int_equal(wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, true), 0);
    char err[300] = "";
    memset(fx, 0, sizeof *fx);
    fx->sim = sim_from_lines_real(NULL, bank, rn, err, sizeof err);
    CHECK(fx->sim != NULL, "building the sim: %s", err);
    wv_timeline_init(&fx->tl, false);
    fx->view = test_view(fx->sim, &fx->tl, "test");
    fx->view.real = rn;
    fx->sc = wv_scene_new();
    return rn;
}

/* A real node's lane: the word "real" on a badge, its link said to be
 * sampled, and selected, the inspector with PostgreSQL's own numbers, the
 * node's own positions beside the primary's, NULL as a dash; at the three
 * screen sizes. The LSNs are sim_lines's: COMMIT 736 at 0/1000200. */
static void test_real_lane(void **state)
{
    (void)state;
    static const int sizes[3][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    wv_realnodes *rn = open_real_fixture(&fx);
    int64_t epoch = wv_sim_epoch_us(fx.sim);
    wv_real_sample pri = { .at_us = epoch + 300000, .view = WV_REAL_PRIMARY, .sent = 0x1000200, .write = 0x1000200,
                           .flush = 0x1000200, .replay = 0, .write_lag = 300000, .flush_lag = WV_REAL_NULL_LAG,
                           .replay_lag = WV_REAL_NULL_LAG, .reply_time_us = epoch };
    strcpy(pri.state, "streaming");
    strcpy(pri.sync_state, "async");
    wv_real_sample own = { .at_us = epoch + 200000, .view = WV_REAL_OWN, .write = 0x1000200, .flush = 0x1000200,
                           .replay = 0x1000200 };
    wv_realnodes_add_sample(rn, 0, &own);
    wv_realnodes_add_sample(rn, 0, &pri);
    wv_realnodes_map(rn, fx.sim);
    const int f = 3; /* after the three simulated followers */
    /* replayed by 200 ms as the standby says, but sent as first seen, at
     * 300 ms: a stage comes no earlier than the one before it */
    CHECK(wv_sim_stage(fx.sim, f, 2, WV_STAGE_APPLIED) == 300000, "COMMIT 736 replayed at %lld us, expected 300000",
          (long long)wv_sim_stage(fx.sim, f, 2, WV_STAGE_APPLIED));
    for (int i = 0; i < 3; i++) {
        fx.view.selected_follower = f;
        build(&fx, 500000, sizes[i][0], sizes[i][1]);
        const char *badge = text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_REAL, f, 0));
        CHECK(strcmp(badge, "real") == 0, "%dx%d: the real badge says '%s'", sizes[i][0], sizes[i][1], badge);
        const char *link = text_of(&fx, find_text(&fx, WV_ROLE_LANE_LINK, f, 0));
        CHECK(strstr(link, "real standby"), "%dx%d: the real lane's link says '%s'", sizes[i][0], sizes[i][1], link);
        /* after its name and badge, its lag whole (its state, streaming,
         * gives way where both do not fit) */
        const char *lag = text_of(&fx, find_text(&fx, WV_ROLE_FOLLOWER_LAG, f, 0));
        CHECK(strcmp(lag, "caught up") == 0, "%dx%d: the real lane's lag says '%s', expected 'caught up' whole",
              sizes[i][0], sizes[i][1], lag);
        for (int g = 0; g < f; g++)
            CHECK(!find_text(&fx, WV_ROLE_FOLLOWER_REAL, g, 0), "%dx%d: f%d has a real badge", sizes[i][0],
                  sizes[i][1], g + 1);
        const char *title = text_of(&fx, find_text(&fx, WV_ROLE_INSPECTOR_TITLE, f, 0));
        CHECK(strncmp(title, "standby1: streaming, async", 26) == 0, "%dx%d: the inspector's title is '%s'",
              sizes[i][0], sizes[i][1], title);
        /* own, then the primary's position and lag, for write, flush, replay */
        static const char *const own_want[3] = { "0/1000200", "0/1000200", "0/1000200" };
        static const char *const seen_want[6] = { "0/1000200", "300 ms", "0/1000200", "-", "-", "-" };
        for (int k = 0; k < 3; k++) {
            const char *o = text_of(&fx, find_text(&fx, WV_ROLE_INSPECTOR_CELL, f, k));
            CHECK(strcmp(o, own_want[k]) == 0, "%dx%d: own position %d is '%s', expected '%s'", sizes[i][0],
                  sizes[i][1], k, o, own_want[k]);
        }
        for (int k = 0; k < 6; k++) {
            const char *p = text_of(&fx, find_text(&fx, WV_ROLE_INSPECTOR_PRIMARY, f, k));
            CHECK(strcmp(p, seen_want[k]) == 0, "%dx%d: the primary's column %d is '%s', expected '%s'",
                  sizes[i][0], sizes[i][1], k, p, seen_want[k]);
        }
    }
    /* the simulated followers carry no badge and say their link */
    CHECK(strstr(text_of(&fx, find_text(&fx, WV_ROLE_LANE_LINK, 0, 0)), "one way"), "f1's link: %s",
          text_of(&fx, find_text(&fx, WV_ROLE_LANE_LINK, 0, 0)));
    close_fixture(&fx);
    wv_realnodes_free(rn);
}

/* A real node's table panel shows the rows read from it, not the rows the
 * stream says it holds: its positions say it replayed only COMMIT 736,
 * yet once it returns 480.00 the panel says 480.00. Before any read of a
 * row: "(not read yet)"; a value behind the leader's is marked stale. */
static void test_real_rows(void **state)
{
    (void)state;
    static const int sizes[3][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    fixture fx;
    wv_realnodes *rn = open_real_fixture(&fx);
    int64_t epoch = wv_sim_epoch_us(fx.sim);
    wv_real_sample own = { .at_us = epoch + 200000, .view = WV_REAL_OWN, .write = 0x1000200, .flush = 0x1000200,
                           .replay = 0x1000200 };
    wv_realnodes_add_sample(rn, 0, &own);
    wv_realnodes_map(rn, fx.sim);
    wv_realrows *rr = wv_realnodes_rows(rn);
    const char *names[] = { "id", "balance" }, *before[] = { "1", "500.00" }, *after[] = { "1", "480.00" };
    wv_real_row r500 = { .at_us = epoch + 250000, .exists = true, .ncols = 2 };
    wv_real_row r480 = { .at_us = epoch + 1600000, .exists = true, .ncols = 2 };
    for (int c = 0; c < 2; c++) {
        r500.name[c] = r480.name[c] = names[c];
        r500.value[c] = before[c];
        r480.value[c] = after[c];
    }
    assert_true(wv_realrows_add(rr, 0, "accounts", "id=1", &r500));
    assert_true(wv_realrows_add(rr, 0, "accounts", "id=1", &r480));
    const int f = 3;
    static const struct {
        int64_t t;
        const char *cell; /* the balance shown; NULL: the row's state line */
        bool stale;
        const char *state;
    } want[] = {
        { 240000, NULL, false, "id=1 (not read yet)" },
        { 300000, "500.00", false, NULL },  /* the leader has 500.00 too */
        { 1300000, "500.00", true, NULL },  /* the leader committed 480.00 at 1 s */
        { 1700000, "480.00", false, NULL }, /* read back, though no position says so */
    };
    for (int i = 0; i < 3; i++)
        for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
            build(&fx, want[w].t, sizes[i][0], sizes[i][1]);
            if (!want[w].cell) {
                const wv_cmd *st = find_text(&fx, WV_ROLE_TABLE_ROW_STATE, f, 0);
                CHECK(st && strcmp(text_of(&fx, st), want[w].state) == 0, "%dx%d at %lld ms: expected '%s', got '%s'",
                      sizes[i][0], sizes[i][1], (long long)want[w].t / 1000, want[w].state, text_of(&fx, st));
                continue;
            }
            const wv_cmd *cell = NULL;
            for (int k = 0; (cell = find_text(&fx, WV_ROLE_TABLE_CELL, f, k)) != NULL; k++)
                if (strcmp(text_of(&fx, cell), "id") != 0 && strcmp(text_of(&fx, cell), "1") != 0)
                    break;
            CHECK(cell && strcmp(text_of(&fx, cell), want[w].cell) == 0 && cell->stale == want[w].stale,
                  "%dx%d at %lld ms: the real node's balance should read '%s' (stale %d), got '%s' (stale %d)",
                  sizes[i][0], sizes[i][1], (long long)want[w].t / 1000, want[w].cell, want[w].stale,
                  text_of(&fx, cell), cell ? cell->stale : -1);
        }
    close_fixture(&fx);
    wv_realnodes_free(rn);
}

/* A row the stream first shows updated was there before the recording: a
 * follower that has not replayed the update holds it in an older version,
 * not "not here yet"; a row first inserted is not there yet (a reader's
 * answer: test_reads). */
static void test_older_version(void **state)
{
    (void)state;
    static const char before[] = "BEGIN 736\n"
                                 "table public.accounts: UPDATE: id[integer]:1 balance[numeric]:480.00\n"
                                 "table public.accounts: INSERT: id[integer]:9 balance[numeric]:20.00\n"
                                 "COMMIT 736 (at 2026-01-01 10:00:00.000000+00)\n";
    static const char *const opts[] = { "followers", "1", "latency", "1s", "jitter", "0", NULL };
    fixture fx;
    open_fixture(&fx, opts, before);
    build(&fx, 500000, 1920, 1080);
    char states[400];
    texts_of(&fx, WV_ROLE_TABLE_ROW_STATE, 0, states, sizeof states);
    CHECK(strstr(states, "id=1 (older version)") && strstr(states, "id=9 (not here yet)"),
          "f1 half-way through its 1 s link: '%s'", states);
    close_fixture(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_picture_words),
        cmocka_unit_test(test_commits_wait),
        cmocka_unit_test(test_eight_followers),
        cmocka_unit_test(test_read_spelled_out),
        cmocka_unit_test(test_help_legend),
        cmocka_unit_test(test_reply_travels_back),
        cmocka_unit_test(test_prepared),
        cmocka_unit_test(test_log_click_stays),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_inspector_says_when_commit_returned),
        cmocka_unit_test(test_stale_cell),
        cmocka_unit_test(test_older_version),
        cmocka_unit_test(test_chip_position_and_hit),
        cmocka_unit_test(test_pile_stages),
        cmocka_unit_test(test_texts_inside_their_regions),
        cmocka_unit_test(test_unknown_op_chip),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_failover_on_screen),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_reports_on_screen),
        cmocka_unit_test(test_real_lane),
        cmocka_unit_test(test_real_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
