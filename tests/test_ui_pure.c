/* Unit tests for the pure parts of the window: the themes' contrast
 * (src/core/theme.c), the layout from 800x600 to 3840x2160 (src/core/layout.c), the
 * key table (src/core/keys.c) and playback (src/core/timeline.c). No SDL here: the
 * pixels are tests/test_render.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/keys.h"
#include "walviz/layout.h"
#include "walviz/theme.h"
#include "walviz/timeline.h"

#include "check.h"
#include "sim_lines.h"


/* ---- theme ---------------------------------------------------------- */

static void test_contrast_sanity(void **state)
{
    (void)state;
    wv_rgb black = { 0, 0, 0 }, white = { 255, 255, 255 }, grey = { 0x77, 0x77, 0x77 };
    double bw = wv_contrast(black, white);
    CHECK(fabs(bw - 21.0) < 1e-9, "contrast black/white: expected 21, got %.6f", bw);
    double wb = wv_contrast(white, black);
    CHECK(fabs(wb - 21.0) < 1e-9, "contrast white/black: expected 21, got %.6f", wb);
    wv_rgb same[] = { black, white, grey, { 0xE6, 0x9F, 0x00 } };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        double c = wv_contrast(same[i], same[i]);
        CHECK(fabs(c - 1.0) < 1e-9, "contrast of #%02X%02X%02X with itself: expected 1, got %.6f",
              same[i].r, same[i].g, same[i].b, c);
    }
    /* a known middle value: #777777 on white is 4.48:1 (WCAG's example) */
    double g = wv_contrast(grey, white);
    CHECK(fabs(g - 4.48) < 0.01, "contrast #777777/white: expected 4.48, got %.4f", g);
}

static void test_theme_text_contrast(void **state)
{
    (void)state;
    for (int id = 0; id < WV_THEME_COUNT; id++) {
        const wv_theme *t = wv_theme_get((wv_theme_id)id);
        wv_color_pair pairs[64];
        size_t n = wv_theme_text_pairs(t, pairs, sizeof pairs / sizeof pairs[0]);
        /* 10 text pairs and one per op chip: the table must not be cut */
        CHECK(n == 10 + WV_OP_COUNT && n < sizeof pairs / sizeof pairs[0],
              "theme %s: expected %d colour pairs, got %zu", t->name, 10 + WV_OP_COUNT, n);
        for (size_t i = 0; i < n; i++) {
            double c = wv_contrast(pairs[i].fg, pairs[i].bg);
            CHECK(c >= 7.0,
                  "theme %s, pair \"%s\": #%02X%02X%02X on #%02X%02X%02X has contrast %.2f, "
                  "expected >= 7.0",
                  t->name, pairs[i].what, pairs[i].fg.r, pairs[i].fg.g, pairs[i].fg.b,
                  pairs[i].bg.r, pairs[i].bg.g, pairs[i].bg.b, c);
        }
    }
}

/* Every chip stands out from the screen behind it (3:1, WCAG's non-text
 * contrast) by its fill or its edge, in every theme; the glyph on it is
 * text (7:1). */
static void test_theme_chip_contrast(void **state)
{
    (void)state;
    for (int id = 0; id < WV_THEME_COUNT; id++) {
        const wv_theme *t = wv_theme_get((wv_theme_id)id);
        for (int op = 0; op < WV_OP_COUNT; op++) {
            double c = wv_chip_contrast(t, (wv_op)op);
            CHECK(c >= 3.0, "%s: a %s chip against the screen: %.2f:1, expected 3:1 or more", t->name,
                  wv_op_name((wv_op)op), c);
            double g = wv_contrast(t->chip_text, t->op_fill[op]);
            CHECK(g >= 7.0, "%s: the glyph on a %s chip: %.2f:1, expected 7:1", t->name, wv_op_name((wv_op)op), g);
        }
        CHECK(wv_contrast(t->text, t->bg) >= 3.0, "%s: brackets (text colour) against the screen", t->name);
    }
}

/* ---- layout --------------------------------------------------------- */

static const char *rect_str(wv_rect r, char *buf, size_t n)
{
    snprintf(buf, n, "{x %d, y %d, w %d, h %d}", r.x, r.y, r.w, r.h);
    return buf;
}

typedef struct named_rect {
    char name[24];
    wv_rect r;
} named_rect;

/* Reports a layout problem and counts it: one run lists every size that
 * fails, not just the first. */
#define PROBLEM(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            problems++;                                                                            \
        }                                                                                          \
    } while (0)

/* Checks one layout; returns the number of problems printed. */
static int check_layout(int w, int h, int nf, double scale)
{
    int problems = 0;
    wv_layout l;
    memset(&l, 0x5a, sizeof l);
    wv_layout_compute(&l, w, h, nf, scale);
    char ctx[96], a[64], b[64];
    snprintf(ctx, sizeof ctx, "%dx%d, %d follower(s), text scale %.1f", w, h, nf, scale);
    wv_rect screen = { 0, 0, w, h };

    PROBLEM(l.width == w && l.height == h && l.nfollowers == nf,
            "%s: layout says %dx%d with %d followers", ctx, l.width, l.height, l.nfollowers);
    PROBLEM(l.body_px * 50 >= h, "%s: body text %d px, expected >= height/50 = %.1f", ctx,
            l.body_px, h / 50.0);
    PROBLEM(l.label_px > l.body_px, "%s: label text %d px, expected > body text %d px", ctx,
            l.label_px, l.body_px);
    PROBLEM(l.line_h >= l.body_px, "%s: line height %d px, expected >= body text %d px", ctx,
            l.line_h, l.body_px);

    named_rect all[5 + 2 * WV_SIM_MAX_FOLLOWERS];
    int n = 0;
    all[n++] = (named_rect){ "top", l.top };
    all[n++] = (named_rect){ "leader", l.leader };
    all[n++] = (named_rect){ "log", l.log };
    all[n++] = (named_rect){ "inspector", l.inspector };
    all[n++] = (named_rect){ "timeline", l.timeline };
    for (int f = 0; f < nf; f++) {
        all[n] = (named_rect){ "", l.followers[f] };
        snprintf(all[n++].name, sizeof all[0].name, "follower %d", f + 1);
        all[n] = (named_rect){ "", l.lanes[f] };
        snprintf(all[n++].name, sizeof all[0].name, "lane %d", f + 1);
    }
    for (int i = 0; i < n; i++) {
        PROBLEM(all[i].r.w > 0 && all[i].r.h > 0, "%s: %s is empty: %s", ctx, all[i].name,
                rect_str(all[i].r, a, sizeof a));
        PROBLEM(wv_rect_inside(all[i].r, screen), "%s: %s %s is not inside the %dx%d screen", ctx,
                all[i].name, rect_str(all[i].r, a, sizeof a), w, h);
        for (int j = i + 1; j < n; j++)
            PROBLEM(!wv_rect_overlaps(all[i].r, all[j].r), "%s: %s %s overlaps %s %s", ctx,
                    all[i].name, rect_str(all[i].r, a, sizeof a), all[j].name,
                    rect_str(all[j].r, b, sizeof b));
    }
    for (int f = 0; f < nf; f++) {
        /* a box shows at least its name, which is label text */
        PROBLEM(l.followers[f].h >= l.label_px,
                "%s: follower %d box is %d px tall, expected at least one label line (%d px)", ctx,
                f + 1, l.followers[f].h, l.label_px);
        /* the packets' chips are at least body text tall on the lane */
        PROBLEM(l.lanes[f].h >= l.body_px, "%s: lane %d is %d px tall, expected >= body text %d px",
                ctx, f + 1, l.lanes[f].h, l.body_px);
    }
    /* unused followers and lanes are empty, so nobody draws them */
    for (int f = nf; f < WV_SIM_MAX_FOLLOWERS; f++)
        PROBLEM(l.followers[f].w == 0 && l.lanes[f].w == 0, "%s: unused follower %d has a box %s",
                ctx, f + 1, rect_str(l.followers[f], a, sizeof a));
    return problems;
}

static const int layout_sizes[][2] = {
    { 1024, 768 }, { 1280, 720 }, { 1920, 1080 }, { 3840, 2160 },
    { 1366, 768 }, { 800, 600 },  { 2560, 1440 }, { 1280, 1024 },
};
static const double layout_scales[] = { 0.6, 1.0, 2.0 };

static void test_layout_all_sizes(void **state)
{
    (void)state;
    int problems = 0, bad = 0, layouts = 0;
    for (size_t s = 0; s < sizeof layout_sizes / sizeof layout_sizes[0]; s++) {
        for (size_t k = 0; k < sizeof layout_scales / sizeof layout_scales[0]; k++) {
            for (int nf = 1; nf <= WV_SIM_MAX_FOLLOWERS; nf++) {
                int p = check_layout(layout_sizes[s][0], layout_sizes[s][1], nf, layout_scales[k]);
                problems += p;
                bad += p > 0;
                layouts++;
            }
        }
    }
    CHECK(problems == 0, "%d problem(s) in %d of %d layouts (listed above); expected none",
          problems, bad, layouts);
}

static void test_layout_scale_grows_text(void **state)
{
    (void)state;
    wv_layout small, normal, big;
    wv_layout_compute(&small, 1920, 1080, 3, 0.6);
    wv_layout_compute(&normal, 1920, 1080, 3, 1.0);
    wv_layout_compute(&big, 1920, 1080, 3, 2.0);
    CHECK(small.body_px <= normal.body_px && normal.body_px < big.body_px,
          "body text at scales 0.6/1/2: expected non-decreasing, got %d/%d/%d px", small.body_px,
          normal.body_px, big.body_px);
    /* 1080 / 50: the floor holds however small the scale */
    CHECK(small.body_px >= 22, "body text at scale 0.6: expected >= 22 px, got %d", small.body_px);
}

static void test_rect_helpers(void **state)
{
    (void)state;
    wv_rect a = { 0, 0, 10, 10 }, touching = { 10, 0, 5, 5 }, inner = { 2, 2, 8, 8 },
            empty = { 5, 5, 0, 0 };
    CHECK(!wv_rect_overlaps(a, touching), "rects sharing an edge: expected no overlap");
    CHECK(wv_rect_overlaps(a, inner), "nested rects: expected overlap");
    CHECK(!wv_rect_overlaps(a, empty), "an empty rect: expected no overlap");
    CHECK(wv_rect_inside(inner, a) && !wv_rect_inside(a, inner), "inside: expected inner in a only");
    CHECK(wv_rect_contains(a, 9, 9) && !wv_rect_contains(a, 10, 9), "contains: the edge is out");
}

/* ---- keys ----------------------------------------------------------- */

typedef struct key_case {
    const char *help;  /* the help row's keys, as listed */
    wv_key key;
    unsigned mods;
    wv_action action;
} key_case;

#define SH WV_MOD_SHIFT
#define CT WV_MOD_CTRL

static const key_case key_cases[] = {
    { "Space, F5", WV_KEY_SPACE, 0, WV_ACT_PLAY_PAUSE },
    { "Space, F5", WV_KEY_F5, 0, WV_ACT_PLAY_PAUSE },
    { "Space, F5", WV_KEY_F5, SH, WV_ACT_PLAY_PAUSE },
    { "Right, PageDown, n", WV_KEY_RIGHT, 0, WV_ACT_STEP_NEXT },
    { "Right, PageDown, n", WV_KEY_PAGEDOWN, 0, WV_ACT_PAGE_NEXT },
    { "Right, PageDown, n", WV_KEY_N, 0, WV_ACT_STEP_NEXT },
    { "Left, PageUp, p", WV_KEY_LEFT, 0, WV_ACT_STEP_PREV },
    { "Left, PageUp, p", WV_KEY_PAGEUP, 0, WV_ACT_PAGE_PREV },
    { "Left, PageUp, p", WV_KEY_P, 0, WV_ACT_STEP_PREV },
    { "Shift+Right / Shift+Left", WV_KEY_RIGHT, SH, WV_ACT_NEXT_COMMIT },
    { "Shift+Right / Shift+Left", WV_KEY_LEFT, SH, WV_ACT_PREV_COMMIT },
    { "Home / End", WV_KEY_HOME, 0, WV_ACT_HOME },
    { "Home / End", WV_KEY_END, 0, WV_ACT_END },
    { "+ / -", WV_KEY_EQUALS, 0, WV_ACT_FASTER },
    { "+ / -", WV_KEY_EQUALS, SH, WV_ACT_FASTER },
    { "+ / -", WV_KEY_KP_PLUS, 0, WV_ACT_FASTER },
    { "+ / -", WV_KEY_MINUS, 0, WV_ACT_SLOWER },
    { "+ / -", WV_KEY_KP_MINUS, 0, WV_ACT_SLOWER },
    { "1 - 8", WV_KEY_1, 0, WV_ACT_SELECT_1 },
    { "1 - 8", WV_KEY_2, 0, WV_ACT_SELECT_1 + 1 },
    { "1 - 8", WV_KEY_3, 0, WV_ACT_SELECT_1 + 2 },
    { "1 - 8", WV_KEY_4, 0, WV_ACT_SELECT_1 + 3 },
    { "1 - 8", WV_KEY_5, 0, WV_ACT_SELECT_1 + 4 },
    { "1 - 8", WV_KEY_6, 0, WV_ACT_SELECT_1 + 5 },
    { "1 - 8", WV_KEY_7, 0, WV_ACT_SELECT_1 + 6 },
    { "1 - 8", WV_KEY_8, 0, WV_ACT_SELECT_8 },
    { "Shift+P", WV_KEY_P, SH, WV_ACT_PARTITION },
    { "S", WV_KEY_S, 0, WV_ACT_STOP },
    { "Shift+S", WV_KEY_S, WV_MOD_SHIFT, WV_ACT_CRASH },
    { "C", WV_KEY_C, 0, WV_ACT_CYCLE_SYNC },
    { "X", WV_KEY_X, 0, WV_ACT_FAILOVER },
    { "Tab", WV_KEY_TAB, 0, WV_ACT_CYCLE_TABLE },
    { "T", WV_KEY_T, 0, WV_ACT_THEME },
    { "Ctrl + / Ctrl -", WV_KEY_EQUALS, CT, WV_ACT_TEXT_BIGGER },
    { "Ctrl + / Ctrl -", WV_KEY_EQUALS, CT | SH, WV_ACT_TEXT_BIGGER },
    { "Ctrl + / Ctrl -", WV_KEY_KP_PLUS, CT, WV_ACT_TEXT_BIGGER },
    { "Ctrl + / Ctrl -", WV_KEY_MINUS, CT, WV_ACT_TEXT_SMALLER },
    { "Ctrl + / Ctrl -", WV_KEY_KP_MINUS, CT, WV_ACT_TEXT_SMALLER },
    { "F, F11", WV_KEY_F, 0, WV_ACT_FULLSCREEN },
    { "F, F11", WV_KEY_F11, 0, WV_ACT_FULLSCREEN },
    { ". , B", WV_KEY_PERIOD, 0, WV_ACT_BLANK },
    { ". , B", WV_KEY_B, 0, WV_ACT_BLANK },
    { "W / R", WV_KEY_W, 0, WV_ACT_WORKLOAD_TOGGLE },
    { "W / R", WV_KEY_R, 0, WV_ACT_WORKLOAD_BURST },
    { "? , H", WV_KEY_SLASH, SH, WV_ACT_HELP },
    { "? , H", WV_KEY_H, 0, WV_ACT_HELP },
    { "Esc", WV_KEY_ESCAPE, 0, WV_ACT_ESCAPE },
    { "Q", WV_KEY_Q, 0, WV_ACT_QUIT },
    { "Q", WV_KEY_Q, CT, WV_ACT_QUIT },
};

static void test_keys_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
        const key_case *k = &key_cases[i];
        wv_action got = wv_keys_action(k->key, k->mods);
        CHECK(got == k->action, "key \"%s\" (wv_key %d, mods %u): expected action %d, got %d",
              k->help, (int)k->key, k->mods, (int)k->action, (int)got);
    }
}

/* Every help row names keys this test presses, and every key pressed
 * here is listed in the help (the mouse row excepted). */
static void test_keys_help_matches(void **state)
{
    (void)state;
    for (int i = 0; i < wv_key_help_count; i++) {
        const char *keys = wv_key_help_rows[i].keys;
        if (strcmp(keys, "Click") == 0)
            continue;
        bool found = false;
        for (size_t k = 0; k < sizeof key_cases / sizeof key_cases[0] && !found; k++)
            found = strcmp(key_cases[k].help, keys) == 0;
        CHECK(found, "help row \"%s\" (%s): no key of this test presses it", keys,
              wv_key_help_rows[i].what);
    }
    for (size_t k = 0; k < sizeof key_cases / sizeof key_cases[0]; k++) {
        bool found = false;
        for (int i = 0; i < wv_key_help_count && !found; i++)
            found = strcmp(key_cases[k].help, wv_key_help_rows[i].keys) == 0;
        CHECK(found, "keys \"%s\" are not a row of the help", key_cases[k].help);
    }
}

static void test_keys_unbound(void **state)
{
    (void)state;
    static const struct {
        wv_key key;
        unsigned mods;
    } none[] = {
        { WV_KEY_NONE, 0 }, { WV_KEY_Z, 0 },      { WV_KEY_UP, 0 },      { WV_KEY_DOWN, 0 },
        { WV_KEY_RETURN, 0 }, { WV_KEY_SLASH, 0 }, { WV_KEY_A, 0 },       { WV_KEY_N, SH },
        { WV_KEY_1, CT },   { WV_KEY_RIGHT, CT }, { WV_KEY_SPACE, CT },  { WV_KEY_P, CT },
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        wv_action got = wv_keys_action(none[i].key, none[i].mods);
        CHECK(got == WV_ACT_NONE, "unbound key (wv_key %d, mods %u): expected WV_ACT_NONE, got %d",
              (int)none[i].key, none[i].mods, (int)got);
    }
}

/* ---- timeline ------------------------------------------------------- */

static void test_timeline_speeds(void **state)
{
    (void)state;
    wv_timeline tl;
    wv_timeline_init(&tl, false);
    CHECK(!tl.playing && tl.now == 0, "a replay starts paused at 0: playing %d, now %lld",
          tl.playing, (long long)tl.now);
    CHECK(wv_timeline_speed(&tl) == 1.0 && strcmp(wv_timeline_speed_text(&tl), "1x") == 0,
          "default speed: expected 1x, got %g (\"%s\")", wv_timeline_speed(&tl),
          wv_timeline_speed_text(&tl));

    /* up: each press multiplies by 2 to 2.5 (1, 2, 5, 10...), up to 100x */
    static const char *const up[] = { "2x", "5x", "10x", "20x", "50x", "100x" };
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
        double before = wv_timeline_speed(&tl);
        wv_timeline_faster(&tl);
        double ratio = wv_timeline_speed(&tl) / before;
        CHECK(ratio >= 2.0 - 1e-9 && ratio <= 2.5 + 1e-9,
              "faster from %gx: expected x2 to x2.5, got x%g", before, ratio);
        CHECK(strcmp(wv_timeline_speed_text(&tl), up[i]) == 0, "faster #%zu: expected \"%s\", got \"%s\"",
              i + 1, up[i], wv_timeline_speed_text(&tl));
    }
    wv_timeline_faster(&tl);
    CHECK(wv_timeline_speed(&tl) == 100.0, "faster past the top: expected 100x, got %gx",
          wv_timeline_speed(&tl));

    wv_timeline_init(&tl, false);
    static const char *const down[] = { "1/2x", "1/5x", "1/10x", "1/20x", "1/50x", "1/100x" };
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++) {
        double before = wv_timeline_speed(&tl);
        wv_timeline_slower(&tl);
        double ratio = before / wv_timeline_speed(&tl);
        CHECK(ratio >= 2.0 - 1e-9 && ratio <= 2.5 + 1e-9,
              "slower from %gx: expected /2 to /2.5, got /%g", before, ratio);
        CHECK(strcmp(wv_timeline_speed_text(&tl), down[i]) == 0, "slower #%zu: expected \"%s\", got \"%s\"",
              i + 1, down[i], wv_timeline_speed_text(&tl));
    }
    wv_timeline_slower(&tl);
    CHECK(fabs(wv_timeline_speed(&tl) - 0.01) < 1e-12, "slower past the bottom: expected 0.01x, got %gx",
          wv_timeline_speed(&tl));
}

static void test_timeline_tick(void **state)
{
    (void)state;
    const int64_t end = 10000000;
    wv_timeline tl;
    wv_timeline_init(&tl, false);
    wv_timeline_tick(&tl, 500000, end);
    CHECK(tl.now == 0, "paused: expected no movement, now %lld", (long long)tl.now);

    tl.playing = true;
    wv_timeline_tick(&tl, 500000, end);
    CHECK(tl.now == 500000, "1x for 0.5 s: expected now 500000, got %lld", (long long)tl.now);
    wv_timeline_faster(&tl);
    wv_timeline_faster(&tl); /* 5x */
    wv_timeline_tick(&tl, 100000, end);
    CHECK(tl.now == 1000000, "5x for 0.1 s from 0.5 s: expected 1000000, got %lld", (long long)tl.now);
    wv_timeline_init(&tl, false);
    tl.playing = true;
    for (int i = 0; i < 6; i++)
        wv_timeline_slower(&tl); /* 1/100x */
    wv_timeline_tick(&tl, 1000000, end);
    CHECK(tl.now == 10000, "1/100x for 1 s: expected 10000, got %lld", (long long)tl.now);

    /* the end of a replay pauses, exactly at the end */
    wv_timeline_seek(&tl, end - 1000, end);
    wv_timeline_tick(&tl, 50000000, end);
    CHECK(tl.now == end && !tl.playing, "past the end: expected now %lld and paused, got %lld, playing %d",
          (long long)end, (long long)tl.now, tl.playing);

    /* live: the edge is followed, playing on */
    wv_timeline_init(&tl, true);
    CHECK(tl.playing && tl.at_live_edge, "live starts playing at the edge: playing %d, edge %d",
          tl.playing, tl.at_live_edge);
    wv_timeline_tick(&tl, 1000, end);
    CHECK(tl.now == end && tl.playing, "live at the edge: expected now %lld playing, got %lld, %d",
          (long long)end, (long long)tl.now, tl.playing);
}

static void test_timeline_seek(void **state)
{
    (void)state;
    wv_timeline tl;
    wv_timeline_init(&tl, false);
    const int64_t end = 5000000;
    static const int64_t in[][2] = { { -1, 0 },           { INT64_MIN / 2, 0 }, { 0, 0 },
                                     { 1234567, 1234567 }, { end, end },        { end + 1, end },
                                     { INT64_MAX / 2, end } };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        wv_timeline_seek(&tl, in[i][0], end);
        CHECK(tl.now == in[i][1], "seek to %lld in [0, %lld]: expected %lld, got %lld",
              (long long)in[i][0], (long long)end, (long long)in[i][1], (long long)tl.now);
    }
}

/* Two transactions, one follower 100 ms away. */
static const char step_stream[] =
    "BEGIN 500\n"
    "table public.t: INSERT: id[integer]:1 v[text]:'one'\n"
    "COMMIT 500 (at 2026-03-01 12:00:00.000000+00)\n"
    "BEGIN 501\n"
    "table public.t: UPDATE: id[integer]:1 v[text]:'two'\n"
    "COMMIT 501 (at 2026-03-01 12:00:01.000000+00)\n";

static void test_timeline_step(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "100ms", "jitter", "0", NULL };
    char err[256] = "";
    wv_sim *sim = sim_from_lines(opts, step_stream, err, sizeof err);
    CHECK(sim != NULL, "building the sim: %s", err);
    CHECK(wv_sim_count(sim) == 6, "messages: expected 6, got %zu", wv_sim_count(sim));

    wv_timeline tl;
    wv_timeline_init(&tl, false);
    tl.playing = true;
    int64_t prev = tl.now;
    int steps = 0;
    while (wv_timeline_step(&tl, sim, 1, WV_STEP_ALL, 0, wv_sim_end_time(sim))) {
        int64_t want = wv_sim_next_event(sim, prev, WV_STEP_ALL, 0);
        CHECK(tl.now == want && tl.now > prev && !tl.playing,
              "step %d from %lld: expected %lld (next event) and paused, got %lld, playing %d",
              steps + 1, (long long)prev, (long long)want, (long long)tl.now, tl.playing);
        prev = tl.now;
        steps++;
        CHECK(steps < 1000, "stepping forward never ends");
    }
    /* 6 departures, 6 writes, at least one flush, 6 applies, 2 acks: some
     * coincide, but there are more events than messages */
    CHECK(steps >= 6, "steps forward: expected at least 6 events, got %d", steps);
    CHECK(tl.now == prev, "a failed step moves nothing: expected %lld, got %lld", (long long)prev,
          (long long)tl.now);
    CHECK(wv_sim_next_event(sim, tl.now, WV_STEP_ALL, 0) == WV_SIM_NEVER,
          "after the last step: expected no next event, got %lld",
          (long long)wv_sim_next_event(sim, tl.now, WV_STEP_ALL, 0));

    int back = 0;
    while (wv_timeline_step(&tl, sim, -1, WV_STEP_ALL, 0, wv_sim_end_time(sim))) {
        int64_t want = wv_sim_prev_event(sim, prev, WV_STEP_ALL, 0);
        CHECK(tl.now == want && tl.now < prev, "step back %d from %lld: expected %lld, got %lld",
              back + 1, (long long)prev, (long long)want, (long long)tl.now);
        prev = tl.now;
        back++;
        CHECK(back < 1000, "stepping back never ends");
    }
    CHECK(back == steps, "steps back: expected %d (as many as forward), got %d", steps, back);
    /* the first event is the first departure at t = 0; nothing is before it */
    CHECK(tl.now == 0, "after stepping all the way back: expected 0, got %lld", (long long)tl.now);

    /* commits only: the first COMMIT leaves at 0, the second 1 s later */
    wv_timeline_seek(&tl, 0, wv_sim_end_time(sim));
    CHECK(wv_timeline_step(&tl, sim, 1, WV_STEP_COMMITS, 0, wv_sim_end_time(sim)), "a step to the next commit event");
    int64_t want = wv_sim_next_event(sim, 0, WV_STEP_COMMITS, 0);
    CHECK(tl.now == want, "next commit event from 0: expected %lld, got %lld", (long long)want,
          (long long)tl.now);
    wv_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contrast_sanity),
        cmocka_unit_test(test_theme_text_contrast),
        cmocka_unit_test(test_theme_chip_contrast),
        cmocka_unit_test(test_layout_all_sizes),
        cmocka_unit_test(test_layout_scale_grows_text),
        cmocka_unit_test(test_rect_helpers),
        cmocka_unit_test(test_keys_table),
        cmocka_unit_test(test_keys_help_matches),
        cmocka_unit_test(test_keys_unbound),
        cmocka_unit_test(test_timeline_speeds),
        cmocka_unit_test(test_timeline_tick),
        cmocka_unit_test(test_timeline_seek),
        cmocka_unit_test(test_timeline_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
