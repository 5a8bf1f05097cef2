/* bench_render: frames per second of the picture at its busiest. One
 * transaction of 3,000 INSERTs goes to 5 followers 2.4 s away on 100 kB/s
 * links, so about 2,000 packets are on each lane at once; the leader's and
 * followers' table views, the log and the inspector are drawn as always.
 * Frames are drawn headless (SDL's software renderer on a 1920x1080
 * ARGB8888 surface) at advancing session times across that window, after a
 * few frames to fill the text cache. Prints the rate; the goal is 240.
 * Counts message parses too (the Makefile links the decoder's entry points
 * through __wrap_ below): one per message to load, none in a frame for
 * what the simulation knows (op, xid, table, key); a table view's or the
 * inspector's row values are read once, when they come into view.
 *
 * Usage: bench_render [FRAMES [WxH [ROWS]]]   (from the top of the repository,
 * for assets/fonts). WV_BENCH_PICTURE=FILE.png writes the middle frame. */
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "walviz/render.h"
#include "walviz/timeline.h"

#include "../sim_lines.h"
#include "../view.h"

#define ROWS 3000 /* the default: about 2,000 packets on each lane */
#define FOLLOWERS 5
#define GOAL_FPS 240.0

static unsigned long parses;

wv_decode_status __real_wv_decode_message(wv_decoder *d, const char *buf, size_t len, wv_change *out);
wv_decode_status __wrap_wv_decode_message(wv_decoder *d, const char *buf, size_t len, wv_change *out);
wv_decode_status __real_wv_decode_line(wv_decoder *d, const char *buf, size_t len, wv_change *out,
                                       size_t *consumed);
wv_decode_status __wrap_wv_decode_line(wv_decoder *d, const char *buf, size_t len, wv_change *out,
                                       size_t *consumed);

wv_decode_status __wrap_wv_decode_message(wv_decoder *d, const char *buf, size_t len, wv_change *out)
{
    parses++;
    return __real_wv_decode_message(d, buf, len, out);
}

wv_decode_status __wrap_wv_decode_line(wv_decoder *d, const char *buf, size_t len, wv_change *out,
                                       size_t *consumed)
{
    parses++;
    return __real_wv_decode_line(d, buf, len, out, consumed);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *make_stream(int rows)
{
    wv_buf b;
    wv_buf_init(&b);
    wv_buf_puts(&b, "BEGIN 4242\n");
    for (int i = 1; i <= rows; i++)
        wv_buf_printf(&b, "table public.orders: INSERT: id[integer]:%d customer[text]:'customer %d' "
                          "amount[numeric]:%d.%02d\n",
                      i, i % 97, i * 7 % 1000, i % 100);
    wv_buf_puts(&b, "COMMIT 4242 (at 2026-01-01 10:00:00.000000+00)\n");
    wv_buf_append(&b, "", 1);
    return b.data;
}

/* Packets on the wire to follower f at t. */
static size_t in_flight(const wv_sim *sim, int f, int64_t t)
{
    return wv_sim_reached(sim, f, WV_STAGE_SENT, t) - wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
}

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 1000;
    int w = 1920, h = 1080;
    if (argc > 2 && sscanf(argv[2], "%dx%d", &w, &h) != 2) {
        fprintf(stderr, "usage: bench_render [FRAMES [WxH [ROWS]]]\n");
        return 2;
    }
    int rows = argc > 3 ? atoi(argv[3]) : ROWS;
    if (rows < 1)
        rows = ROWS;
    if (frames < 1)
        frames = 1;
    static const char *const opts[] = { "followers", "5",         "latency", "2400ms", "jitter", "0",
                                        "bandwidth", "100kB/s",   NULL };
    char err[300] = "";
    char *text = make_stream(rows);
    wv_sim *sim = sim_from_lines(opts, text, err, sizeof err);
    free(text);
    unsigned long load_parses = parses;
    if (!sim) {
        fprintf(stderr, "bench_render: %s\n", err);
        return 1;
    }

    /* The window where the lanes are fullest: from when the first packet
     * is written to when the last is sent. */
    size_t last = wv_sim_count(sim) - 1;
    int64_t t0 = wv_sim_stage(sim, 0, 0, WV_STAGE_WRITTEN);
    int64_t t1 = wv_sim_stage(sim, 0, last, WV_STAGE_SENT);
    if (t1 <= t0)
        t1 = t0 + 1;

    int rc = 1;
    SDL_Surface *surf = NULL;
    SDL_Renderer *ren = NULL;
    wv_render *r = NULL;
    if (SDL_Init(0) < 0) {
        fprintf(stderr, "bench_render: SDL_Init: %s\n", SDL_GetError());
        goto done;
    }
    surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!ren) {
        fprintf(stderr, "bench_render: cannot draw off screen: %s\n", SDL_GetError());
        goto done;
    }
    r = wv_render_new(ren, "assets/fonts", NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_render: %s (run from the top of the repository)\n", err);
        goto done;
    }
    wv_timeline tl;
    wv_timeline_init(&tl, false);
    wv_view view = test_view(sim, &tl, "bench");

    /* session time per frame: the window in 120 frames, then again */
    int64_t dt = (t1 - t0) / 120 > 0 ? (t1 - t0) / 120 : 1;
    size_t fmin = SIZE_MAX, fmax = 0;
    unsigned long before_first = parses;
    for (int i = 0; i < 10; i++) {
        tl.now = t0 + (int64_t)i * dt;
        wv_render_frame(r, &view, w, h);
        if (i == 0)
            before_first = parses - before_first;
    }
    unsigned long before_frames = parses;
    double start = now_s();
    for (int i = 0; i < frames; i++) {
        tl.now = t0 + (int64_t)(i % 120) * dt;
        wv_render_frame(r, &view, w, h);
    }
    SDL_RenderFlush(ren);
    double secs = now_s() - start;
    for (int i = 0; i < 120; i++) {
        size_t n = 0;
        for (int f = 0; f < FOLLOWERS; f++)
            n += in_flight(sim, f, t0 + (int64_t)i * dt);
        n /= FOLLOWERS;
        fmin = n < fmin ? n : fmin;
        fmax = n > fmax ? n : fmax;
    }
    double fps = frames / secs;
    unsigned long frame_parses = parses - before_frames;
    printf("render %dx%d, %d followers, %zu to %zu packets on each lane (%zu to %zu on screen)\n", w, h,
           FOLLOWERS, fmin, fmax, fmin * FOLLOWERS, fmax * FOLLOWERS);
    printf("render: %d frames in %.2f s: %.1f frames/s, %.2f ms a frame (goal >= %.0f frames/s)%s\n",
           frames, secs, fps, secs * 1e3 / frames, GOAL_FPS, fps >= GOAL_FPS ? "" : "  BELOW GOAL");
    printf("parses: %lu to load %zu messages (goal: one each); %lu in the first frame (the row values "
           "its table views and inspector show); %.2f a frame after (goal 0)\n",
           load_parses, wv_sim_count(sim), before_first, (double)frame_parses / frames);

    /* The same picture with empty lanes (everything replayed): what the
     * rest of the frame costs. */
    int quiet = frames < 200 ? frames : 200;
    int64_t end = wv_sim_end_time(sim);
    start = now_s();
    for (int i = 0; i < quiet; i++) {
        tl.now = end - (i % 2);
        wv_render_frame(r, &view, w, h);
    }
    SDL_RenderFlush(ren);
    double qsecs = now_s() - start;
    printf("render, lanes empty (t at the end): %.1f frames/s, %.2f ms a frame\n", quiet / qsecs,
           qsecs * 1e3 / quiet);

    const char *pic = getenv("WV_BENCH_PICTURE");
    if (pic && *pic) {
        tl.now = t0 + 60 * dt;
        wv_render_frame(r, &view, w, h);
        SDL_RenderFlush(ren);
        if (IMG_SavePNG(surf, pic) < 0)
            fprintf(stderr, "bench_render: cannot write %s: %s\n", pic, IMG_GetError());
    }
    rc = 0;
done:
    wv_render_free(r);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (surf)
        SDL_FreeSurface(surf);
    wv_sim_free(sim);
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
    return rc;
}
