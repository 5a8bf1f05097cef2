/* theme: the colours of the picture, and the contrast check a projector
 * needs. Colours come from the Okabe-Ito palette (distinguishable with
 * every common colour-vision deficiency); every colour that text is drawn
 * in has a contrast ratio of at least 7:1 against every background it is
 * drawn on (WCAG AAA), which a unit test checks from this table. */
#ifndef WALVIZ_THEME_H
#define WALVIZ_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "walviz/decode.h"

typedef struct wv_rgb {
    uint8_t r, g, b;
} wv_rgb;

typedef enum wv_theme_id {
    WV_THEME_DARK,
    WV_THEME_LIGHT,
    WV_THEME_HIGH_CONTRAST,
    WV_THEME_COUNT
} wv_theme_id;

typedef struct wv_theme {
    const char *name;
    wv_rgb bg;          /* the screen */
    wv_rgb panel;       /* node boxes, log, inspector */
    wv_rgb border;      /* box outlines, lanes (not text) */
    wv_rgb text;        /* main text, on bg and panel */
    wv_rgb text_dim;    /* secondary text, on bg and panel */
    wv_rgb warn;        /* warnings (partitioned, stopped, waiting), on bg and panel */
    wv_rgb good;        /* healthy states, on bg and panel */
    wv_rgb select_bg;   /* the current log line, the selection */
    wv_rgb select_text; /* text on select_bg */
    wv_rgb stale_bg;    /* a cell a follower has not received yet */
    wv_rgb stale_text;  /* text on stale_bg */
    wv_rgb chip_text;   /* glyphs on op chips */
    wv_rgb chip_edge;   /* a chip's outline: where a fill is too close to bg
                         * (sky blue on white), the edge draws the chip */
    wv_rgb op_fill[WV_OP_COUNT]; /* chips: never the only cue, the glyph is */
} wv_theme;

const wv_theme *wv_theme_get(wv_theme_id id);

/* WCAG contrast ratio of two colours, 1 to 21. */
double wv_contrast(wv_rgb a, wv_rgb b);

/* Every (text, background) pair the picture uses, for checking. Returns
 * the number of pairs written (at most max). */
typedef struct wv_color_pair {
    const char *what;
    wv_rgb fg, bg;
} wv_color_pair;
size_t wv_theme_text_pairs(const wv_theme *t, wv_color_pair *out, size_t max);

/* WCAG 1.4.11: a chip is told from the screen behind it when its fill or
 * its edge contrasts 3:1 with bg. Returns the better of the two. */
double wv_chip_contrast(const wv_theme *t, wv_op op);

/* The glyph of an op on its chip: "+", "~", "-", ... */
const char *wv_op_glyph(wv_op op);

#endif
