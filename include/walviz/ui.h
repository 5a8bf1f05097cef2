/* ui: the window and its event loop, or the same pictures written to PNG
 * files with no display (SDL's software renderer on a plain surface).
 * Maps SDL input to walviz actions through keys.h and applies them to the
 * timeline and the simulation. With ui.c, render.c is the only SDL code. */
#ifndef WALVIZ_UI_H
#define WALVIZ_UI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "walviz/controller.h"
#include "walviz/keys.h"
#include "walviz/render.h"
#include "walviz/sim.h"
#include "walviz/theme.h"

/* A live session: called every frame with the wall clock; adds what
 * arrived to the sim (return true when it did) and may set the status line
 * and the slot gauge in the view. */
typedef bool (*wv_ui_feed_fn)(void *ctx, wv_sim *sim, int64_t wall_us, wv_view *view);
/* A live session that ended with an error: the sentence, else NULL. */
typedef const char *(*wv_ui_failed_fn)(void *ctx);

typedef struct wv_ui_opts {
    const char *title;
    const char *font_file; /* --font: one TTF for all text; NULL: ours */
    int width, height;     /* window or picture size */
    bool fullscreen;
    wv_theme_id theme;

    /* headless: one picture, or a sequence of them */
    const char *screenshot; /* PNG path */
    int64_t at;             /* session time of the picture (or the first) */
    int step;               /* > 0: the picture after this many step events */
    const char *frames_dir; /* PNG sequence */
    const char *dump_scene; /* the display list as JSON: a file, or with frames_dir a directory */
    int fps;
    int64_t duration_us;
    wv_key_press keys[WV_KEYS_SCRIPT_MAX]; /* --keys: pressed as the pictures pass them */
    size_t nkeys;

    /* live */
    wv_ui_feed_fn feed;
    wv_ui_failed_fn failed;
    wv_ctl_action_fn on_action; /* the demo's own keys, a lesson's PageDown/PageUp */
    /* Called once the controller is set up, before the first picture (a
     * lesson shows its step); headless, it replaces --at and --step. */
    void (*on_start)(void *ctx, wv_ctl *c);
    void *ctx;
    const char *demo_hint;
    const char *status; /* a line to show in the top bar from the start */
    const wv_realnodes *real; /* a recording's real nodes (live sets the view's itself); NULL */

    const volatile sig_atomic_t *stop; /* set by a signal: stop at once */
} wv_ui_opts;

/* Runs the window until the user quits (or writes the pictures). Returns
 * 0, 130 when stopped by *opts->stop before the pictures were written, or
 * 1 with a sentence on stderr (no display, no font, cannot write, a live
 * stream that failed or never reached the moment asked for).
 *
 * Live pictures are taken in real time: with --frames, picture i is
 * drawn i/fps seconds of wall clock after the first, while the stream
 * keeps coming in, so they show what a class watching the window sees. */
int wv_ui_run(wv_sim *sim, const wv_ui_opts *opts);

/* Parses "1920x1080" into w, h; returns -1 when it is not a size between
 * 320x240 and 7680x4320. */
int wv_ui_parse_size(const char *s, int *w, int *h);

#endif
