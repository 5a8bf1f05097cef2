/* render: draws one frame of the scene with SDL: what the simulation says
 * at the timeline's time, laid out by layout.h, coloured by theme.h. Only
 * render.c and ui.c include SDL. Text is rendered once into textures and
 * cached, so a frame whose text did not change costs no glyph rendering. */
#ifndef WALVIZ_RENDER_H
#define WALVIZ_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/layout.h"
#include "walviz/rows.h"
#include "walviz/sim.h"
#include "walviz/source.h"
#include "walviz/theme.h"
#include "walviz/timeline.h"

/* What the frame shows: the application's state, read-only here. */
typedef struct wv_view {
    const wv_sim *sim;
    const wv_timeline *tl;
    wv_theme_id theme;
    double text_scale;
    int selected_follower;      /* -1: none */
    size_t selected_msg;        /* WV_ROWS_NONE: the change at the playhead */
    size_t table;               /* the table the table views show */
    bool help, blank;
    bool started;               /* played or stepped once: hide the hint */
    const char *title;
    const char *status;         /* live: the source's status line; NULL */
    const wv_slot_status *slot; /* live: the slot gauge; NULL */
    const char *demo_hint;      /* demo: its keys; NULL */
    int64_t end;                /* end of the timeline (live: the live edge) */
    bool live;                  /* the end moves with the wall clock */
    int64_t behind_live;        /* live: how far the picture is behind now */
    const char *notice;         /* what a key just did ("workload paused"); NULL */
} wv_view;

typedef enum wv_hit_kind { WV_HIT_NONE, WV_HIT_MESSAGE, WV_HIT_FOLLOWER, WV_HIT_TIMELINE } wv_hit_kind;

typedef struct wv_hit {
    wv_hit_kind kind;
    size_t index;  /* message or follower */
    int64_t time;  /* timeline: the session time under the pointer */
} wv_hit;

typedef struct wv_render wv_render;
struct SDL_Renderer;

/* Returns a renderer drawing with ren (the caller keeps it), using the
 * fonts in font_dir (or, when font_file is set, that font for all text);
 * NULL with a sentence in err when a font cannot be opened. */
wv_render *wv_render_new(struct SDL_Renderer *ren, const char *font_dir, const char *font_file,
                         char *err, size_t errsz);
void wv_render_free(wv_render *r);

/* Draws the view into the renderer's current target of w x h pixels. */
void wv_render_frame(wv_render *r, const wv_view *v, int w, int h);

/* What lies under (x, y) in the last frame drawn. */
wv_hit wv_render_hit(const wv_render *r, int x, int y);

/* The message the inspector and log show: the selection, else the last
 * message that left the leader by the view's time; WV_ROWS_NONE if none. */
size_t wv_render_current(const wv_view *v);

/* Finds the directory holding walviz's fonts: next to the binary
 * (../assets/fonts, assets/fonts) or under the install prefix. Returns 0,
 * or -1 when none is found. */
int wv_render_find_fonts(char *out, size_t outsz);

#endif
