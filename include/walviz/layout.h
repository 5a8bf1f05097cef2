/* layout: where everything goes on screen, as a function of the output
 * size, the number of followers and the text scale. Pure arithmetic, so the
 * "nothing overlaps from 1024x768 to 3840x2160" promise is unit-tested.
 * Every size derives from the output height: body text is at least 1/50 of
 * it whatever the scale, labels are larger. */
#ifndef WALVIZ_LAYOUT_H
#define WALVIZ_LAYOUT_H

#include <stdbool.h>

#include "walviz/sim.h"

typedef struct wv_rect {
    int x, y, w, h;
} wv_rect;

typedef struct wv_layout {
    int width, height;
    int body_px;  /* body text height in pixels */
    int label_px; /* node names, the top bar */
    int line_h;   /* one line of body text */
    int pad;
    int nfollowers;
    wv_rect top;    /* title, play state, time, speed */
    wv_rect leader; /* leader node: info and its table view */
    wv_rect lanes[WV_SIM_MAX_FOLLOWERS];
    wv_rect followers[WV_SIM_MAX_FOLLOWERS];
    wv_rect caption; /* what just happened, in a sentence */
    wv_rect log;
    wv_rect inspector;
    wv_rect timeline;
} wv_layout;

/* text_scale: 1 by default; Ctrl +/- change it (0.5 to 2). */
void wv_layout_compute(wv_layout *l, int width, int height, int nfollowers, double text_scale);

bool wv_rect_overlaps(wv_rect a, wv_rect b);
bool wv_rect_contains(wv_rect r, int x, int y);
/* True when inner lies entirely inside outer. */
bool wv_rect_inside(wv_rect inner, wv_rect outer);

#endif
