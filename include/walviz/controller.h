/* controller: what a key, a click or the passing of time does to the view:
 * the timeline (play, pause, speed, step, seek), the selection, faults and
 * synchronous levels set on the simulation, display toggles. Pure: the
 * window edge turns SDL input into wv_action and wv_hit, reads the clock
 * and passes it in, and applies what the controller wants of the window
 * (fullscreen, quit).
 *
 * Live views. The playhead never runs ahead of now: the live edge is the
 * session time of the wall clock, passed in every frame, and everything
 * the simulation scheduled after it (a change still travelling, a replay a
 * follower has not done yet) is the future and stays off screen. Pausing,
 * slowing down and stepping leave the edge behind while the stream keeps
 * coming in; End (or playing faster until the edge is reached) goes back
 * to it. */
#ifndef WALVIZ_CONTROLLER_H
#define WALVIZ_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "walviz/keys.h"
#include "walviz/scene.h"
#include "walviz/sim.h"
#include "walviz/timeline.h"

#define WV_CTL_NOTICE_US 4000000 /* how long a notice stays on screen */

/* The demo's own keys (W, R): returns true when it used the action, and
 * may write a sentence for the screen into notice ("workload paused"). */
typedef bool (*wv_ctl_action_fn)(void *ctx, wv_action action, char *notice, size_t noticesz);

/* Caller-owned storage, set up by wv_ctl_init; nothing to free. The view
 * points into the controller (view.tl), so a wv_ctl is not copied. */
typedef struct wv_ctl {
    wv_sim *sim;
    wv_timeline tl;
    wv_view view;           /* what the renderer draws */
    int64_t live_edge;      /* live: the session time of now */
    int64_t last_wall_us;   /* wall time of the last tick; 0 before it */
    int64_t notice_until;   /* wall time the notice goes away */
    char notice[160];
    bool fullscreen;        /* wanted: the window edge applies it */
    bool quit;
    bool dragging;          /* the pointer holds the timeline */
    wv_ctl_action_fn on_action;
    void *action_ctx;
} wv_ctl;

/* Starts paused at 0 for a replay, following the live edge for a live
 * view. The caller fills the view's display fields (theme, title...). */
void wv_ctl_init(wv_ctl *c, wv_sim *sim, bool live);

/* The end of the timeline: the live edge, or the last scheduled event. */
int64_t wv_ctl_end(const wv_ctl *c);
/* Live: the session time of now. It never moves back (a wall clock
 * stepped back holds it until the clock catches up). */
void wv_ctl_set_live_edge(wv_ctl *c, int64_t edge);
/* Live: how far the picture is behind the edge (0 when following it). */
int64_t wv_ctl_behind_live(const wv_ctl *c);

/* One frame: the wall clock now (us). Moves the playhead by the wall time
 * since the last tick at the current speed (none while paused), drops an
 * old notice and sets the view's end and live fields. Returns true when
 * the picture may have changed. */
bool wv_ctl_tick(wv_ctl *c, int64_t wall_us);

/* A key's action; wall_us dates a notice it may show. */
void wv_ctl_apply(wv_ctl *c, wv_action act, int64_t wall_us);
/* A click (drag: the pointer moved with the button down) on what the last
 * frame drew under it. */
void wv_ctl_pointer(wv_ctl *c, wv_hit hit, bool drag);
void wv_ctl_release(wv_ctl *c);
/* The window lost focus: a replay pauses (a lecture laptop must not play
 * on); a live view keeps following the stream. */
void wv_ctl_focus_lost(wv_ctl *c);
/* Shows a sentence in the header until WV_CTL_NOTICE_US after wall_us. */
void wv_ctl_notice(wv_ctl *c, const char *text, int64_t wall_us);

#endif
