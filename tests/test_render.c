/* Headless pixel tests of the picture (src/window/render.c): SDL's software
 * renderer draws on a plain ARGB8888 surface, and the tests read its
 * pixels back. They prove what a viewer relies on: a packet is where the
 * schedule puts it at time t, and gone once written; a follower's stale
 * cell is marked until it replays; every theme paints its own background;
 * 1 to 8 followers at 1024x768, 1920x1080 and 3840x2160 draw with nothing
 * spilling into the gaps between the regions; every text of the display
 * list is drawn in its box. (What the picture says is tested on the list,
 * without SDL: tests/test_scene.c.)
 *
 * Run from the repository's top directory (tests/run does): the fonts are
 * read from assets/fonts there. With WV_TEST_PICTURES=DIR set, the scenes
 * are also written to DIR as PNG files, to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "walviz/layout.h"
#include "walviz/reader.h"
#include "walviz/render.h"
#include "walviz/theme.h"
#include "walviz/timeline.h"

#include "check.h"
#include "sim_lines.h"
#include "view.h"

#define FONT_DIR "assets/fonts" /* from the top of the repository */


/* ---- a canvas: surface, software renderer, walviz renderer ---- */

typedef struct canvas {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    wv_render *r;
    int w, h;
} canvas;

static void canvas_open(canvas *cv, int w, int h)
{
    char err[300] = "";
    cv->w = w;
    cv->h = h;
    cv->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    CHECK(cv->surf != NULL, "SDL_CreateRGBSurfaceWithFormat %dx%d: %s", w, h, SDL_GetError());
    cv->ren = SDL_CreateSoftwareRenderer(cv->surf);
    CHECK(cv->ren != NULL, "SDL_CreateSoftwareRenderer: %s", SDL_GetError());
    cv->r = wv_render_new(cv->ren, FONT_DIR, NULL, err, sizeof err);
    CHECK(cv->r != NULL, "wv_render_new with fonts in %s (run from the repository's top): %s",
          FONT_DIR, err);
}

static void canvas_close(canvas *cv)
{
    wv_render_free(cv->r);
    if (cv->ren)
        SDL_DestroyRenderer(cv->ren);
    if (cv->surf)
        SDL_FreeSurface(cv->surf);
    memset(cv, 0, sizeof *cv);
}

/* A scene: a sim, its timeline, and the view ui.c would build for it. */
typedef struct scene {
    wv_sim *sim;
    wv_timeline tl;
    wv_view view;
} scene;

static void scene_open(scene *sc, const char *const *opts, const char *text)
{
    char err[300] = "";
    memset(sc, 0, sizeof *sc);
    sc->sim = sim_from_lines(opts, text, err, sizeof err);
    CHECK(sc->sim != NULL, "building the sim: %s", err);
    wv_timeline_init(&sc->tl, false);
    sc->view = test_view(sc->sim, &sc->tl, "test");
}

static void scene_close(scene *sc)
{
    wv_sim_free(sc->sim);
    sc->sim = NULL;
}

/* Draws the view at session time t and makes the pixels readable. */
static void draw_at(canvas *cv, scene *sc, int64_t t)
{
    sc->tl.now = t;
    wv_render_frame(cv->r, &sc->view, cv->w, cv->h);
    SDL_RenderFlush(cv->ren);
}

/* Writes the canvas to $WV_TEST_PICTURES/name.png when that is set. */
static void keep_picture(const canvas *cv, const char *name)
{
    const char *dir = getenv("WV_TEST_PICTURES");
    if (!dir || !*dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (IMG_SavePNG(cv->surf, path) < 0)
        print_message("cannot write %s: %s\n", path, IMG_GetError());
}

static wv_rgb pixel(const canvas *cv, int x, int y)
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h)
        return (wv_rgb){ 1, 2, 3 }; /* off the canvas: matches no theme colour */
    const uint8_t *row = (const uint8_t *)cv->surf->pixels + (size_t)y * (size_t)cv->surf->pitch;
    uint32_t p = ((const uint32_t *)row)[x];
    return (wv_rgb){ (uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p };
}

static bool same(wv_rgb a, wv_rgb b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* Pixels of colour c in r (clipped to the canvas); the first one found
 * (top to bottom, left to right) in *first, the leftmost and rightmost
 * columns in *minx, *maxx. */
typedef struct color_count {
    long n;
    int first_x, first_y, minx, maxx;
} color_count;

static color_count count_color(const canvas *cv, wv_rect r, wv_rgb c)
{
    color_count cc = { 0, -1, -1, INT32_MAX, -1 };
    for (int y = r.y < 0 ? 0 : r.y; y < r.y + r.h && y < cv->h; y++) {
        for (int x = r.x < 0 ? 0 : r.x; x < r.x + r.w && x < cv->w; x++) {
            if (!same(pixel(cv, x, y), c))
                continue;
            if (cc.n++ == 0)
                cc.first_x = x, cc.first_y = y;
            if (x < cc.minx)
                cc.minx = x;
            if (x > cc.maxx)
                cc.maxx = x;
        }
    }
    return cc;
}

/* The longest horizontal run of colour c in r: a filled cell background
 * is long, the strokes of text in the same colour are short. */
static int longest_run(const canvas *cv, wv_rect r, wv_rgb c, int *at_x, int *at_y)
{
    int best = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        int run = 0;
        for (int x = r.x; x < r.x + r.w; x++) {
            run = same(pixel(cv, x, y), c) ? run + 1 : 0;
            if (run > best) {
                best = run;
                *at_x = x - run + 1;
                *at_y = y;
            }
        }
    }
    return best;
}

static const char *rgb_str(wv_rgb c, char *buf, size_t n)
{
    snprintf(buf, n, "#%02X%02X%02X", c.r, c.g, c.b);
    return buf;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    if (SDL_Init(0) < 0) {
        print_error("SDL_Init: %s\n", SDL_GetError());
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    return 0;
}

/* Per test: what it opened, closed by the teardown even when it fails. */
typedef struct fixture {
    canvas cv;
    scene sc;
    char *text;
} fixture;

static int test_setup(void **state)
{
    *state = wv_xcalloc(1, sizeof(fixture));
    return 0;
}

static int test_teardown(void **state)
{
    fixture *fx = *state;
    scene_close(&fx->sc);
    canvas_close(&fx->cv);
    free(fx->text);
    free(fx);
    return 0;
}

/* One transaction inserting a row, committed at t = 0, and an
 * UPDATE of one of its columns 3 s later. The one follower is 2 s away on a slow
 * link (500 B/s): each message spends a tenth of a second or more on the
 * wire, so the packets of a transaction travel well apart. */
static const char *const lag_opts[] = { "followers", "1", "latency", "2s", "jitter", "0",
                                        "bandwidth", "500", "max-gap", "10s", NULL };
static const char lag_stream[] =
    "BEGIN 700\n"
    "table public.accounts: INSERT: id[integer]:1 owner[text]:'alice' balance[numeric]:100\n"
    "COMMIT 700 (at 2026-01-01 10:00:00.000000+00)\n"
    "BEGIN 701\n"
    "table public.accounts: UPDATE: id[integer]:1 owner[text]:'alice' balance[numeric]:80\n"
    "COMMIT 701 (at 2026-01-01 10:00:03.000000+00)\n";
enum { LAG_INSERT = 1, LAG_COMMIT1 = 2, LAG_UPDATE = 4, LAG_COMMIT2 = 5 };

/* What draw_lane does with a lane: the chip size and its middle line. */
typedef struct lane_geom {
    wv_rect lane;
    int chip, mid, span;
} lane_geom;

static lane_geom lane_of(int w, int h, int nfollowers, int f)
{
    wv_layout l;
    wv_layout_compute(&l, w, h, nfollowers, 1.0);
    lane_geom g;
    g.lane = l.lanes[f];
    /* a text row on top when the lane is tall enough, the chips under it */
    bool text_row = g.lane.h >= l.line_h + l.body_px * 3 / 4;
    g.chip = text_row ? g.lane.h - l.line_h : g.lane.h;
    if (g.chip > l.label_px * 13 / 10)
        g.chip = l.label_px * 13 / 10;
    g.mid = g.lane.y + (text_row ? l.line_h : 0) + g.chip / 2;
    g.span = g.lane.w - 2 * g.chip;
    return g;
}

/* ---- a packet is where the schedule says ---- */

/* Draws the picture at t and checks the card of message m on its lane;
 * returns its right edge. */
static int check_packet_at(canvas *cv, scene *sc, const lane_geom *g, size_t m, int64_t t)
{
    const wv_sim *sim = sc->sim;
    int64_t sent = wv_sim_stage(sim, 0, m, WV_STAGE_SENT);
    int64_t written = wv_sim_stage(sim, 0, m, WV_STAGE_WRITTEN);
    const wv_theme *th = wv_theme_get(sc->view.theme);
    wv_rgb fillc = th->op_fill[wv_sim_op(sim, m)];
    draw_at(cv, sc, t);

    double frac = (double)(t - sent) / (double)(written - sent);
    wv_rect band = { g->lane.x, g->mid - g->chip / 2, g->lane.w, g->chip };
    color_count cc = count_color(cv, band, fillc);
    char a[16];
    CHECK(cc.n > 0, "t = %lld us (%.0f%% of the way): no pixel of the chip's colour %s on the lane",
          (long long)t, frac * 100, rgb_str(fillc, a, sizeof a));
    CHECK(cc.minx >= g->lane.x && cc.maxx < g->lane.x + g->lane.w,
          "t = %lld us: the card (x %d to %d) lies whole in its lane (x %d to %d)", (long long)t,
          cc.minx, cc.maxx, g->lane.x, g->lane.x + g->lane.w);
    /* and nowhere else on the lane: above or below its rows */
    color_count all = count_color(cv, g->lane, fillc);
    CHECK(all.n == cc.n, "t = %lld us: %ld pixels of %s on the lane, %ld of them in the chip's rows",
          (long long)t, all.n, rgb_str(fillc, a, sizeof a), cc.n);
    /* the pointer on the card's centre finds this message */
    int cx = (cc.minx + cc.maxx) / 2;
    wv_hit hit = wv_render_hit(cv->r, cx, g->mid);
    CHECK(hit.kind == WV_HIT_MESSAGE && hit.index == m,
          "t = %lld us: hit at the card's centre (%d, %d): expected message %zu, got kind %d index "
          "%zu",
          (long long)t, cx, g->mid, m, (int)hit.kind, hit.index);
    return cc.maxx;
}

/* ---- the backend draws the display list as it says ---- */

/* Every text the list has is drawn in its box: pixels of its colour lie
 * inside it, and the pointer on a chip the list has finds its message. */
static void test_list_executed(void **state)
{
    fixture *fx = *state;
    canvas_open(&fx->cv, 1920, 1080);
    scene_open(&fx->sc, lag_opts, lag_stream);
    draw_at(&fx->cv, &fx->sc, 1000000);
    const wv_scene *sc = wv_render_scene(fx->cv.r);
    const wv_cmd *cmds;
    size_t n = wv_scene_cmds(sc, &cmds), texts = 0;
    wv_rect clip = { 0, 0, fx->cv.w, fx->cv.h };
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].kind == WV_CMD_CLIP)
            clip = cmds[i].box.w < 0 ? (wv_rect){ 0, 0, fx->cv.w, fx->cv.h } : cmds[i].box;
        const char *t = cmds[i].kind == WV_CMD_TEXT ? wv_scene_text(sc, &cmds[i]) : "";
        if (!*t || strspn(t, " ") == strlen(t) || !wv_rect_inside(cmds[i].box, clip))
            continue;
        texts++;
        color_count cc = count_color(&fx->cv, cmds[i].box, cmds[i].color);
        CHECK(cc.n > 0, "%s \"%s\": no pixel of its colour in its box (%d,%d %dx%d)",
              wv_role_name(cmds[i].role), t, cmds[i].box.x, cmds[i].box.y, cmds[i].box.w, cmds[i].box.h);
    }
    CHECK(texts > 20, "expected more than 20 texts on screen, got %zu", texts);
    const wv_scene_chip *chips;
    size_t nchips = wv_scene_chips(sc, &chips);
    CHECK(nchips > 0, "the INSERT's train is on the wire at 1 s: expected chips");
    const wv_scene_chip *top = &chips[nchips - 1];
    wv_hit hit = wv_render_hit(fx->cv.r, top->box.x + 1, top->box.y + top->box.h / 2);
    CHECK(hit.kind == WV_HIT_MESSAGE && hit.index == top->msg, "hit on the last chip drawn: expected message %zu, got %zu",
          top->msg, hit.index);
    keep_picture(&fx->cv, "list_executed");
}

static void test_packet_position(void **state)
{
    fixture *fx = *state;
    canvas *cv = &fx->cv;
    scene *sc = &fx->sc;
    canvas_open(cv, 1920, 1080);
    scene_open(sc, lag_opts, lag_stream);
    const wv_sim *sim = sc->sim;
    lane_geom g = lane_of(1920, 1080, 1, 0);
    const wv_theme *th = wv_theme_get(WV_THEME_DARK);
    wv_rgb ins = th->op_fill[WV_OP_INSERT];
    char a[16];

    CHECK(wv_sim_op(sim, LAG_INSERT) == WV_OP_INSERT, "message %d: expected an INSERT", LAG_INSERT);
    int64_t sent = wv_sim_stage(sim, 0, LAG_INSERT, WV_STAGE_SENT);
    int64_t written = wv_sim_stage(sim, 0, LAG_INSERT, WV_STAGE_WRITTEN);
    int64_t applied = wv_sim_stage(sim, 0, LAG_INSERT, WV_STAGE_APPLIED);
    CHECK(sent > 0 && written > sent + 2000000 && applied > written,
          "INSERT schedule: sent %lld, written %lld, applied %lld us; expected 0 < sent, written "
          "more than 2 s later, applied after",
          (long long)sent, (long long)written, (long long)applied);

    /* on its way: a tenth, half and nine tenths along */
    /* ... moving with its train, whose head (the BEGIN) goes in
     * proportion to its time on the wire, from whole at the leader's end
     * to the follower's */
    int64_t bs = wv_sim_stage(sim, 0, LAG_INSERT - 1, WV_STAGE_SENT);
    int64_t bw = wv_sim_stage(sim, 0, LAG_INSERT - 1, WV_STAGE_WRITTEN);
    /* at 500 B/s the INSERT leaves at 2 % of the BEGIN's trip, the COMMIT
     * (and so the whole train) at 11 % */
    static const double fracs[] = { 0.2, 0.3, 0.5, 0.9 };
    int x[4];
    for (size_t i = 0; i < sizeof fracs / sizeof fracs[0]; i++) {
        int64_t t = bs + (int64_t)((double)(bw - bs) * fracs[i]);
        x[i] = check_packet_at(cv, sc, &g, LAG_INSERT, t);
        if (i == 2)
            keep_picture(cv, "packet-half-way");
    }
    /* (on a link this slow each message's own trip spreads the train out:
     * test_scene checks the places exactly) */
    CHECK(x[0] < x[1] && x[1] < x[2] && x[2] < x[3] && x[3] > g.lane.x + g.lane.w * 3 / 4,
          "the card moves on with time, to the follower's end: right edge at 20%%, 30%%, 50%%, "
          "90%% of its train's trip: %d, %d, %d, %d (lane %d to %d)", x[0], x[1], x[2], x[3],
          g.lane.x, g.lane.x + g.lane.w);
    /* the UPDATE, when it is under way, the same */
    int64_t us = wv_sim_stage(sim, 0, LAG_UPDATE, WV_STAGE_SENT);
    int64_t uw = wv_sim_stage(sim, 0, LAG_UPDATE, WV_STAGE_WRITTEN);
    check_packet_at(cv, sc, &g, LAG_UPDATE, us + (uw - us) / 3);

    /* Written: off the wire. Until it is replayed it waits at the
     * follower's end of the lane (at most 8 chips, chip/3 apart); nowhere
     * else on the lane is there INSERT blue. */
    int waiting_x = g.lane.x + g.lane.w - g.chip - 7 * (g.chip / 3);
    int half_x = g.lane.x + (int)(0.5 * g.span);
    draw_at(cv, sc, written);
    wv_rect travel = { g.lane.x, g.lane.y, waiting_x - g.lane.x, g.lane.h };
    color_count cc = count_color(cv, travel, ins);
    CHECK(cc.n == 0, "t = written (%lld us): %ld pixels of INSERT colour %s still on the lane, "
          "first at (%d, %d), left of the follower's end (x < %d)",
          (long long)written, cc.n, rgb_str(ins, a, sizeof a), cc.first_x, cc.first_y, waiting_x);
    wv_hit hit = wv_render_hit(cv->r, half_x + g.chip / 2, g.mid);
    CHECK(!(hit.kind == WV_HIT_MESSAGE && hit.index == LAG_INSERT),
          "t = written: the INSERT's half-way spot (%d, %d) still hits it", half_x + g.chip / 2,
          g.mid);

    /* Replayed: no INSERT blue anywhere on the lane. */
    draw_at(cv, sc, applied);
    cc = count_color(cv, g.lane, ins);
    CHECK(cc.n == 0, "t = applied (%lld us): %ld pixels of INSERT colour on the lane, first at (%d, %d)",
          (long long)applied, cc.n, cc.first_x, cc.first_y);

}

/* ---- stale cells ---- */

static void test_stale_cells(void **state)
{
    fixture *fx = *state;
    canvas *cv = &fx->cv;
    scene *sc = &fx->sc;
    canvas_open(cv, 1920, 1080);
    scene_open(sc, lag_opts, lag_stream);
    const wv_sim *sim = sc->sim;
    wv_layout l;
    wv_layout_compute(&l, 1920, 1080, 1, 1.0);
    wv_rect box = l.followers[0];

    int64_t commit1 = wv_sim_leader_time(sim, LAG_COMMIT1);
    int64_t applied1 = wv_sim_stage(sim, 0, LAG_COMMIT1, WV_STAGE_APPLIED);
    int64_t commit2 = wv_sim_leader_time(sim, LAG_COMMIT2);
    int64_t applied2 = wv_sim_stage(sim, 0, LAG_COMMIT2, WV_STAGE_APPLIED);
    CHECK(commit1 < applied1 && applied1 < commit2 && commit2 < applied2,
          "schedule: commit 1 at %lld, applied %lld; commit 2 at %lld, applied %lld us; expected "
          "in this order",
          (long long)commit1, (long long)applied1, (long long)commit2, (long long)applied2);

    for (int th_id = 0; th_id < WV_THEME_COUNT; th_id++) {
        sc->view.theme = (wv_theme_id)th_id;
        const wv_theme *th = wv_theme_get((wv_theme_id)th_id);
        wv_layout lay;
        wv_layout_compute(&lay, 1920, 1080, 1, 1.0);
        /* a marked cell is a filled rectangle: a run of at least two
         * characters' width; text in the same colour has no such run */
        int min_run = 2 * lay.body_px;
        int rx = 0, ry = 0;
        static const struct {
            const char *what;
            int which;  /* 1: the new row, 2: the updated cell */
            bool after; /* replayed: nothing is stale */
        } moments[] = {
            { "between the INSERT's commit and its replay", 1, false },
            { "after the INSERT's replay", 1, true },
            { "between the UPDATE's commit and its replay", 2, false },
            { "after the UPDATE's replay", 2, true },
        };
        for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
            int64_t from = moments[i].which == 1 ? commit1 : commit2;
            int64_t to = moments[i].which == 1 ? applied1 : applied2;
            int64_t t = moments[i].after ? to + 1 : from + (to - from) / 2;
            draw_at(cv, sc, t);
            if (th_id == WV_THEME_DARK && i == 2)
                keep_picture(cv, "stale-cell");
            int run = longest_run(cv, box, th->stale_bg, &rx, &ry);
            if (!moments[i].after) {
                CHECK(run >= min_run,
                      "theme %s, t = %lld us, %s: expected a stale mark (a run of >= %d px of "
                      "stale_bg) in follower box x %d..%d, y %d..%d; longest run %d px",
                      th->name, (long long)t, moments[i].what, min_run, box.x, box.x + box.w - 1,
                      box.y, box.y + box.h - 1, run);
            } else {
                CHECK(run < min_run,
                      "theme %s, t = %lld us, %s: expected no stale mark in the follower box; "
                      "found a run of %d px of stale_bg at (%d, %d)",
                      th->name, (long long)t, moments[i].what, run, rx, ry);
            }
        }
    }
    /* The UPDATE changed one cell: only that one is marked, so the mark
     * is narrower than the row. The leader's table shows the row whole. */
    sc->view.theme = WV_THEME_DARK;
    const wv_theme *th = wv_theme_get(WV_THEME_DARK);
    draw_at(cv, sc, commit2 + (applied2 - commit2) / 2);
    color_count cc = count_color(cv, box, th->stale_bg);
    int rx = 0, ry = 0;
    int run = longest_run(cv, box, th->stale_bg, &rx, &ry);
    color_count in_leader = count_color(cv, l.leader, th->stale_bg);
    CHECK(in_leader.n == 0, "the leader's table has %ld stale pixels, first at (%d, %d); expected none",
          in_leader.n, in_leader.first_x, in_leader.first_y);
    CHECK(cc.n > 0 && run < box.w / 2,
          "the updated cell's mark is %d px wide (at (%d, %d)); expected one cell, less than half "
          "the %d px box",
          run, rx, ry, box.w);

}

/* ---- themes ---- */

static void test_every_theme(void **state)
{
    fixture *fx = *state;
    canvas *cv = &fx->cv;
    scene *sc = &fx->sc;
    canvas_open(cv, 1280, 720);
    scene_open(sc, lag_opts, lag_stream);
    wv_layout l;
    wv_layout_compute(&l, 1280, 720, 1, 1.0);
    /* spots that only the background covers: the gap under the top bar,
     * between the log and the inspector, under the timeline */
    const int spots[][2] = {
        { l.width / 2, l.top.h + (l.leader.y - l.top.h) / 2 },
        { l.log.x + l.log.w + (l.inspector.x - l.log.x - l.log.w) / 2, l.log.y + l.log.h / 2 },
        { l.width / 2, l.height - 1 },
        { 0, l.height / 2 },
    };
    char a[16], b[16];
    for (int id = 0; id < WV_THEME_COUNT; id++) {
        const wv_theme *th = wv_theme_get((wv_theme_id)id);
        sc->view.theme = (wv_theme_id)id;
        draw_at(cv, sc, 1000000);
        for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
            wv_rgb got = pixel(cv, spots[i][0], spots[i][1]);
            CHECK(same(got, th->bg), "theme %s: pixel (%d, %d) is %s, expected the background %s",
                  th->name, spots[i][0], spots[i][1], rgb_str(got, a, sizeof a),
                  rgb_str(th->bg, b, sizeof b));
        }
        /* inside the log box, bottom right: panel */
        wv_rgb got = pixel(cv, l.log.x + l.log.w - 3, l.log.y + l.log.h - 3);
        CHECK(same(got, th->panel), "theme %s: the log panel's corner is %s, expected panel %s",
              th->name, rgb_str(got, a, sizeof a), rgb_str(th->panel, b, sizeof b));
        if (id == WV_THEME_LIGHT)
            keep_picture(cv, "theme-light");
    }
    /* blank: all black, whatever the theme */
    sc->view.theme = WV_THEME_LIGHT;
    sc->view.blank = true;
    draw_at(cv, sc, 1000000);
    color_count black = count_color(cv, (wv_rect){ 0, 0, cv->w, cv->h }, (wv_rgb){ 0, 0, 0 });
    CHECK(black.n == (long)cv->w * cv->h, "blank: %ld of %d pixels black, expected all", black.n,
          cv->w * cv->h);
}

/* ---- every size, 1 to 8 followers ---- */

/* A busy stream: inserts, updates, a delete, a truncate and a message,
 * committed a tenth of a second apart, to eight followers with the
 * default latencies (20 ms to 1 s). */
static char *busy_stream(void)
{
    wv_buf b;
    wv_buf_init(&b);
    int xid = 900;
    for (int i = 0; i < 30; i++, xid++) {
        wv_buf_printf(&b, "BEGIN %d\n", xid);
        for (int k = 0; k < 4; k++) {
            int id = i * 4 + k;
            if (i % 5 == 4)
                wv_buf_printf(&b, "table public.accounts: UPDATE: id[integer]:%d owner[text]:'"
                                  "owner number %d with a long name' balance[numeric]:%d\n",
                              id - 8, id, id * 7);
            else
                wv_buf_printf(&b, "table public.accounts: INSERT: id[integer]:%d owner[text]:'"
                                  "owner number %d with a long name' balance[numeric]:%d\n",
                              id, id, id * 3);
        }
        if (i == 10)
            wv_buf_printf(&b, "table public.accounts: DELETE: id[integer]:%d\n", 3);
        if (i == 12)
            wv_buf_printf(&b, "table public.audit: TRUNCATE: (no-flags)\n");
        if (i == 13)
            wv_buf_printf(&b, "message: transactional: 1 prefix: note, sz: 5 content:hello\n");
        wv_buf_printf(&b, "COMMIT %d (at 2026-01-01 10:00:%02d.%06d+00)\n", xid, i / 10,
                      (i % 10) * 100000);
    }
    wv_buf_append(&b, "", 1);
    return b.data; /* the caller frees it */
}

typedef struct named_gap {
    const char *what;
    wv_rect r;
} named_gap;

/* The first pixel in r that is not the background, as a problem report
 * ("%s: WHERE has #RRGGBB at (x, y)"); returns 1 when there is one. */
static int report_non_bg(const canvas *cv, wv_rect r, wv_rgb bg, const char *ctx, const char *where)
{
    char c1[16], c2[16];
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            wv_rgb p = pixel(cv, x, y);
            if (same(p, bg))
                continue;
            print_error("%s: %s (x %d..%d, y %d..%d) has %s at (%d, %d), expected only the "
                        "background %s\n",
                        ctx, where, r.x, r.x + r.w - 1, r.y, r.y + r.h - 1, rgb_str(p, c1, sizeof c1),
                        x, y, rgb_str(bg, c2, sizeof c2));
            return 1;
        }
    }
    return 0;
}

/* The gaps between the regions of the layout show only background.
 * Returns the number of gaps that do not. */
static int check_gaps(const canvas *cv, const wv_layout *l, const wv_theme *th, const char *ctx)
{
    int nf = l->nfollowers;
    wv_rect last_f = l->followers[nf - 1];
    int mid_top = l->leader.y, mid_bottom = l->leader.y + l->leader.h;
    int panels_bottom = l->log.y + l->log.h;
    named_gap gaps[12 + WV_SIM_MAX_FOLLOWERS];
    int n = 0;
    gaps[n++] = (named_gap){ "the gap under the top bar", { 0, l->top.h, l->width, mid_top - l->top.h } };
    gaps[n++] = (named_gap){ "the gap left of the leader", { 0, mid_top, l->leader.x, mid_bottom - mid_top } };
    gaps[n++] = (named_gap){ "the gap between the leader and the lanes",
                             { l->leader.x + l->leader.w, mid_top,
                               l->lanes[0].x - l->leader.x - l->leader.w, mid_bottom - mid_top } };
    gaps[n++] = (named_gap){ "the gap between the lanes and the followers",
                             { l->lanes[0].x + l->lanes[0].w, mid_top,
                               l->followers[0].x - l->lanes[0].x - l->lanes[0].w,
                               mid_bottom - mid_top } };
    gaps[n++] = (named_gap){ "the gap right of the followers",
                             { last_f.x + last_f.w, mid_top, l->width - last_f.x - last_f.w,
                               mid_bottom - mid_top } };
    gaps[n++] = (named_gap){ "the gap above the caption",
                             { 0, mid_bottom, l->width, l->caption.y - mid_bottom } };
    gaps[n++] = (named_gap){ "the gap between the caption and the log and the inspector",
                             { 0, l->caption.y + l->caption.h, l->width,
                               l->log.y - l->caption.y - l->caption.h } };
    gaps[n++] = (named_gap){ "the gap between the log and the inspector",
                             { l->log.x + l->log.w, l->log.y, l->inspector.x - l->log.x - l->log.w,
                               l->log.h } };
    gaps[n++] = (named_gap){ "the gap above the timeline",
                             { 0, panels_bottom, l->width, l->timeline.y - panels_bottom } };
    gaps[n++] = (named_gap){ "the margin left of the log",
                             { 0, l->log.y, l->log.x, l->log.h } };
    gaps[n++] = (named_gap){ "the margin right of the inspector",
                             { l->inspector.x + l->inspector.w, l->inspector.y,
                               l->width - l->inspector.x - l->inspector.w, l->inspector.h } };
    for (int f = 0; f + 1 < nf; f++) {
        wv_rect a = l->followers[f], b = l->followers[f + 1];
        gaps[n++] = (named_gap){ "the gap between two follower boxes",
                                 { a.x, a.y + a.h, a.w, b.y - a.y - a.h } };
    }
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += report_non_bg(cv, gaps[i].r, th->bg, ctx, gaps[i].what);
    return bad;
}

/* A lane and what is drawn about it (labels, "waiting to replay") belong
 * to its follower's row: in the lanes' column, the rows between two
 * follower boxes, above the first and below the last show background.
 * Returns the number of such strips that do not. */
static int check_between_lanes(const canvas *cv, const wv_layout *l, const wv_theme *th,
                               const char *ctx)
{
    int x0 = l->lanes[0].x, w = l->lanes[0].w, bad = 0;
    int y = l->leader.y;
    for (int f = 0; f <= l->nfollowers; f++) {
        int y_end = f < l->nfollowers ? l->followers[f].y : l->leader.y + l->leader.h;
        char where[96];
        if (f == 0)
            snprintf(where, sizeof where, "the lanes' column above lane 1's row");
        else if (f < l->nfollowers)
            snprintf(where, sizeof where, "the lanes' column between the rows of lanes %d and %d", f,
                     f + 1);
        else
            snprintf(where, sizeof where, "the lanes' column below lane %d's row", f);
        bad += report_non_bg(cv, (wv_rect){ x0, y, w, y_end - y }, th->bg, ctx, where);
        if (f < l->nfollowers)
            y = l->followers[f].y + l->followers[f].h;
    }
    return bad;
}

static void test_sizes_and_followers(void **state)
{
    fixture *fx = *state;
    canvas *cv = &fx->cv;
    scene *sc = &fx->sc;
    static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 }, { 3840, 2160 } };
    static const double scales[] = { 1.0, 2.0 };
    fx->text = busy_stream();
    int problems = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        canvas_open(cv, w, h);
        for (int nf = 1; nf <= WV_SIM_MAX_FOLLOWERS; nf++) {
            char nfs[16];
            snprintf(nfs, sizeof nfs, "%d", nf);
            const char *const opts[] = { "followers", nfs, NULL };
            scene_open(sc, opts, fx->text);
            /* at 0 the first commit has just left and its packets queue at
             * the leader; a third of the way in, packets are on every lane
             * and rows wait to be replayed */
            const int64_t times[] = { 0, wv_sim_end_time(sc->sim) / 3 };
            for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
                sc->view.text_scale = scales[k];
                wv_layout l;
                wv_layout_compute(&l, w, h, nf, scales[k]);
                for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
                    int64_t t = times[i];
                    char ctx[128];
                    snprintf(ctx, sizeof ctx, "%dx%d, %d follower(s), text scale %.0f, t = %lld us", w,
                             h, nf, scales[k], (long long)t);
                    draw_at(cv, sc, t);
                    char name[64];
                    snprintf(name, sizeof name, "busy-%dx%d-%df-x%.0f-t%zu", w, h, nf, scales[k], i);
                    keep_picture(cv, name);
                    problems += check_gaps(cv, &l, wv_theme_get(WV_THEME_DARK), ctx);
                    problems += check_between_lanes(cv, &l, wv_theme_get(WV_THEME_DARK), ctx);
                    /* every follower box answers the pointer with its index */
                    for (int f = 0; f < nf; f++) {
                        wv_rect b = l.followers[f];
                        wv_hit hit = wv_render_hit(cv->r, b.x + b.w - 3, b.y + b.h / 2);
                        if (hit.kind != WV_HIT_FOLLOWER || hit.index != (size_t)f) {
                            print_error("%s: hit at the right edge of follower box %d: expected "
                                        "follower %d, got kind %d index %zu\n",
                                        ctx, f + 1, f, (int)hit.kind, hit.index);
                            problems++;
                        }
                    }
                    /* and the timeline seeks */
                    wv_hit hit = wv_render_hit(cv->r, l.timeline.x + l.timeline.w / 2,
                                               l.timeline.y + l.timeline.h / 2);
                    if (hit.kind != WV_HIT_TIMELINE) {
                        print_error("%s: hit in the middle of the timeline: expected kind %d "
                                    "(timeline), got %d\n",
                                    ctx, (int)WV_HIT_TIMELINE, (int)hit.kind);
                        problems++;
                    }
                }
            }
            scene_close(sc);
        }
        canvas_close(cv);
    }
    CHECK(problems == 0, "%d problem(s) in the pictures (listed above); expected none", problems);
}

/* ---- a busy frame still answers the pointer ---- */

/* 3,000 rows in one transaction to 3 followers 2.4 s away on 100 kB/s
 * links: about 2,000 packets on each lane. */
static void test_busy_frame_hits(void **state)
{
    fixture *fx = *state;
    canvas *cv = &fx->cv;
    scene *sc = &fx->sc;
    wv_buf b;
    wv_buf_init(&b);
    wv_buf_puts(&b, "BEGIN 4242\n");
    for (int i = 1; i <= 3000; i++)
        wv_buf_printf(&b, "table public.orders: INSERT: id[integer]:%d customer[text]:'customer %d'\n",
                      i, i % 97);
    wv_buf_puts(&b, "COMMIT 4242 (at 2026-01-01 10:00:00.000000+00)\n");
    wv_buf_append(&b, "", 1);
    static const char *const opts[] = { "followers", "3", "latency", "2400ms", "jitter", "0",
                                        "bandwidth", "100kB/s", NULL };
    fx->text = b.data; /* the teardown frees it */
    scene_open(sc, opts, fx->text);
    canvas_open(cv, 1280, 720);
    int64_t t = wv_sim_stage(sc->sim, 2, 0, WV_STAGE_WRITTEN); /* the lanes are full */
    draw_at(cv, sc, t);
    keep_picture(cv, "busy-hits");
    size_t on_lane = wv_sim_reached(sc->sim, 2, WV_STAGE_SENT, t) -
                     wv_sim_reached(sc->sim, 2, WV_STAGE_WRITTEN, t);
    CHECK(on_lane > 1500, "packets on lane 3 at %lld us: expected > 1500, got %zu", (long long)t,
          on_lane);

    wv_layout l;
    wv_layout_compute(&l, 1280, 720, 3, 1.0);
    int problems = 0;
    for (int f = 0; f < 3; f++) {
        wv_rect box = l.followers[f];
        wv_hit hit = wv_render_hit(cv->r, box.x + box.w - 3, box.y + box.h / 2);
        if (hit.kind != WV_HIT_FOLLOWER || hit.index != (size_t)f) {
            print_error("%zu packets a lane: hit in follower box %d: expected follower %d, got kind "
                        "%d index %zu\n",
                        on_lane, f + 1, f, (int)hit.kind, hit.index);
            problems++;
        }
        lane_geom g = lane_of(1280, 720, 3, f);
        hit = wv_render_hit(cv->r, g.lane.x + g.lane.w / 2, g.mid);
        if (hit.kind != WV_HIT_MESSAGE) {
            print_error("%zu packets a lane: hit in the middle of lane %d (%d, %d): expected a "
                        "message, got kind %d\n",
                        on_lane, f + 1, g.lane.x + g.lane.w / 2, g.mid, (int)hit.kind);
            problems++;
        }
    }
    wv_hit hit = wv_render_hit(cv->r, l.timeline.x + l.timeline.w / 2, l.timeline.y + l.timeline.h / 2);
    if (hit.kind != WV_HIT_TIMELINE) {
        print_error("%zu packets a lane: hit in the middle of the timeline: expected kind %d "
                    "(timeline), got %d\n",
                    on_lane, (int)WV_HIT_TIMELINE, (int)hit.kind);
        problems++;
    }
    CHECK(problems == 0, "%d place(s) where the pointer finds nothing or the wrong thing (listed "
          "above); expected none", problems);
}

/* ---- every text the picture draws is in the bundled fonts ---- */

/* Loads a sample recording into a new sim with the options given. */
/* The next code point of a UTF-8 string, or 0xFFFD for a bad byte. */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t cp = *s++;
    int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
    if (more)
        cp &= 0x3F >> more;
    for (; more > 0 && (*s & 0xC0) == 0x80; more--)
        cp = cp << 6 | (*s++ & 0x3F);
    *p = s;
    return more ? 0xFFFD : cp;
}

static int fake_measure(void *ctx, wv_font font, const char *s, int *h)
{
    (void)ctx, (void)font;
    *h = 20;
    return 10 * (int)strlen(s);
}

/* Every sample, at a dozen moments, with faults, a synchronous standby,
 * a selection, the help and a live header: each code point of each text
 * the scene says exists in the font it is set in (a missing one draws as
 * an empty box). */
static void test_glyph_coverage(void **state)
{
    (void)state;
    if (!TTF_WasInit())
        CHECK(TTF_Init() == 0, "TTF_Init: %s", TTF_GetError());
    static const char *const files[WV_FONT_COUNT] = {
        [WV_FONT_BODY] = "DejaVuSans.ttf", [WV_FONT_MONO] = "DejaVuSansMono.ttf",
        [WV_FONT_LABEL] = "DejaVuSans-Bold.ttf", [WV_FONT_GLYPH] = "DejaVuSansMono.ttf",
    };
    TTF_Font *font[WV_FONT_COUNT];
    for (int i = 0; i < WV_FONT_COUNT; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", FONT_DIR, files[i]);
        font[i] = TTF_OpenFont(path, 20);
        CHECK(font[i] != NULL, "cannot open %s: %s", path, TTF_GetError());
    }
    static const char *const samples[] = { "intro", "bank", "bulk-load", "shop", "toast-and-types",
                                            "two-phase-and-streaming" };
    static const char *const opts[] = { "kind", "logical,physical,logical", "sync", "remote_apply",
                                        "sync-standbys", "FIRST 1 (f1)", "partition", "f1@1s-2s",
                                        "crash", "f3@1500ms-3s", NULL };
    wv_scene *sc = wv_scene_new();
    int missing = 0;
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, "sample-data/%s.wvr", samples[k]);
        char err[300];
        wv_sim *sim = sim_from_file(opts, path, err, sizeof err);
        CHECK(sim, "%s", err);
        wv_timeline tl;
        wv_timeline_init(&tl, false);
        wv_view v = test_view(sim, &tl, samples[k]);
        int64_t end = wv_sim_end_time(sim);
        for (int i = 0; i <= 12; i++) {
            tl.now = end * i / 12;
            v.help = i == 3;
            v.selected_msg = i == 5 && wv_sim_count(sim) > 2 ? 2 : WV_ROWS_NONE;
            v.selected_follower = i == 7 ? 2 : -1;
            v.live = i == 9;
            v.behind_live = i == 9 ? 2400000 : 0;
            v.notice = i == 10 ? "burst: 3,193 rows sent" : NULL;
            wv_scene_build(sc, &v, 1920, 1080, fake_measure, NULL);
            const wv_cmd *cmds;
            size_t n = wv_scene_cmds(sc, &cmds);
            for (size_t c = 0; c < n; c++) {
                if (cmds[c].kind != WV_CMD_TEXT)
                    continue;
                const unsigned char *p = (const unsigned char *)wv_scene_text(sc, &cmds[c]);
                while (*p) {
                    uint32_t cp = next_cp(&p);
                    if (TTF_GlyphIsProvided32(font[cmds[c].font], cp))
                        continue;
                    if (missing++ < 10)
                        print_error("%s at %d/12: U+%04X is not in %s, in %s \"%s\"\n", samples[k], i, (unsigned)cp,
                                    files[cmds[c].font], wv_role_name(cmds[c].role), wv_scene_text(sc, &cmds[c]));
                }
            }
        }
        wv_sim_free(sim);
    }
    wv_scene_free(sc);
    for (int i = 0; i < WV_FONT_COUNT; i++)
        TTF_CloseFont(font[i]);
    CHECK(missing == 0, "%d characters drawn are not in the bundled fonts (the first are listed above)", missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_executed, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_packet_position, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_stale_cells, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_every_theme, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_sizes_and_followers, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_busy_frame_hits, test_setup, test_teardown),
        cmocka_unit_test(test_glyph_coverage),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
