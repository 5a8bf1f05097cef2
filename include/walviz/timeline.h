/* timeline: playback of a simulated session: play, pause, speed on a log
 * scale, step to the next or previous event, seek. Pure: the caller passes
 * the wall-clock time that went by. */
#ifndef WALVIZ_TIMELINE_H
#define WALVIZ_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "walviz/sim.h"

#define WV_SPEED_COUNT 13

typedef struct wv_timeline {
    int64_t now;      /* session time on screen */
    bool playing;
    int speed;        /* index into the speed table; 6 is 1x */
    bool live;        /* live mode: the end moves */
    bool at_live_edge;
} wv_timeline;

void wv_timeline_init(wv_timeline *tl, bool live);
/* Advances by wall_us of wall time at the current speed, within
 * [0, end]; reaching the end pauses a replay; in a live view it follows
 * the edge from then on, at 1x. */
void wv_timeline_tick(wv_timeline *tl, int64_t wall_us, int64_t end);
void wv_timeline_seek(wv_timeline *tl, int64_t t, int64_t end);
/* Moves to the next (dir > 0) or previous event at or before end (live:
 * the edge; later events have not happened yet); pauses. Returns false
 * when there is none. */
bool wv_timeline_step(wv_timeline *tl, const wv_sim *sim, int dir, wv_step_filter filter, size_t arg,
                      int64_t end);
void wv_timeline_faster(wv_timeline *tl);
void wv_timeline_slower(wv_timeline *tl);
double wv_timeline_speed(const wv_timeline *tl);
/* "1x", "1/10x", "20x". */
const char *wv_timeline_speed_text(const wv_timeline *tl);

#endif
