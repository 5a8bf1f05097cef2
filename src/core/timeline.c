/* timeline: see include/walviz/timeline.h. */
#include "walviz/timeline.h"

/* A log scale: linear speed controls confused learners (field notes). */
static const struct {
    double factor;
    const char *text;
} speeds[WV_SPEED_COUNT] = {
    { 0.01, "1/100x" }, { 0.02, "1/50x" }, { 0.05, "1/20x" }, { 0.1, "1/10x" }, { 0.2, "1/5x" },
    { 0.5, "1/2x" },    { 1, "1x" },       { 2, "2x" },       { 5, "5x" },      { 10, "10x" },
    { 20, "20x" },      { 50, "50x" },     { 100, "100x" },
};

#define SPEED_1X 6

void wv_timeline_init(wv_timeline *tl, bool live)
{
    tl->now = 0;
    tl->playing = live;
    tl->speed = SPEED_1X;
    tl->live = live;
    tl->at_live_edge = live;
}

void wv_timeline_seek(wv_timeline *tl, int64_t t, int64_t end)
{
    tl->now = t < 0 ? 0 : t > end ? end : t;
    tl->at_live_edge = tl->live && tl->now >= end;
}

void wv_timeline_tick(wv_timeline *tl, int64_t wall_us, int64_t end)
{
    if (tl->live && tl->at_live_edge && tl->playing) {
        tl->now = end;
        return;
    }
    if (!tl->playing)
        return;
    tl->now += (int64_t)((double)wall_us * speeds[tl->speed].factor);
    if (tl->now >= end) {
        tl->now = end;
        if (tl->live) {
            /* caught up: from here on the edge sets the pace */
            tl->at_live_edge = true;
            tl->speed = SPEED_1X;
        } else {
            tl->playing = false;
        }
    }
}

bool wv_timeline_step(wv_timeline *tl, const wv_sim *sim, int dir, wv_step_filter filter, size_t arg,
                      int64_t end)
{
    int64_t t = dir > 0 ? wv_sim_next_event(sim, tl->now, filter, arg)
                        : wv_sim_prev_event(sim, tl->now, filter, arg);
    tl->playing = false;
    tl->at_live_edge = false;
    if (t == WV_SIM_NEVER || t < 0 || t > end)
        return false;
    tl->now = t;
    return true;
}

void wv_timeline_faster(wv_timeline *tl)
{
    if (tl->speed < WV_SPEED_COUNT - 1)
        tl->speed++;
}

void wv_timeline_slower(wv_timeline *tl)
{
    if (tl->speed > 0)
        tl->speed--;
    /* slow motion in a live view: the picture falls behind the edge */
    if (speeds[tl->speed].factor < 1)
        tl->at_live_edge = false;
}

double wv_timeline_speed(const wv_timeline *tl)
{
    return speeds[tl->speed].factor;
}

const char *wv_timeline_speed_text(const wv_timeline *tl)
{
    return speeds[tl->speed].text;
}
