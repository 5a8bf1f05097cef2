/* lesson: a narrated walk through a recording (docs/lesson-format.md). A
 * lesson names its recording and the simulation's options, then steps:
 * each a caption for students, where to go (a time, a count of step
 * events, a commit) and what to switch on (faults, a synchronous level,
 * a selection, playing).
 *
 * A step is a state, not a change: what steps 1..N switched on is worked
 * out when the lesson is parsed, as a whole simulation configuration per
 * step, and going to step N sets the simulation to step N's faults and
 * levels (wv_sim_set_faults and friends) before seeking. So step N looks
 * the same whichever step the class came from, and no recording is read
 * twice. Pure: the caller reads the files. */
#ifndef WALVIZ_LESSON_H
#define WALVIZ_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/controller.h"
#include "walviz/keys.h"
#include "walviz/sim.h"

#define WV_LESSON_MAX_STEPS 99 /* more are refused, with the line */

typedef struct wv_lesson wv_lesson;

/* Parses the text of a lesson; name (its file) prefixes every error.
 * Returns the lesson (free with wv_lesson_free, NULL is fine), or NULL with
 * "NAME:LINE: what was expected" in err. */
wv_lesson *wv_lesson_parse(const char *name, const char *text, char *err, size_t errsz);
void wv_lesson_free(wv_lesson *l);

/* The recording as written (relative to the lesson's folder). */
const char *wv_lesson_recording(const wv_lesson *l);
/* The options of the header: make the simulation with them. */
const wv_sim_cfg *wv_lesson_cfg(const wv_lesson *l);
int wv_lesson_steps(const wv_lesson *l);
/* Step n's caption (n from 1), its lines joined by spaces. */
const char *wv_lesson_caption(const wv_lesson *l, int n);

/* Checks what needs the recording: every xid a step names commits in sim,
 * every follower it selects that the lesson does not simulate is a real
 * node of the recording (a lane of sim). Returns 0, or -1 with
 * "NAME:LINE: ..." in err. */
int wv_lesson_check(const wv_lesson *l, const wv_sim *sim, char *err, size_t errsz);

/* Shows step n (from 1; wv_lesson_check passed) through controller c: the
 * step's faults and levels on c's simulation, the playhead, the selection,
 * playing or paused, and the caption in the view (pointing into l). */
void wv_lesson_show(const wv_lesson *l, int n, wv_ctl *c);

/* A lesson being presented: PageDown and PageUp move through its steps. */
typedef struct wv_lesson_player {
    const wv_lesson *lesson;
    wv_ctl *ctl;
    int step; /* the step on screen, from 1 */
} wv_lesson_player;

/* A wv_ctl_action_fn (ctx: a wv_lesson_player): takes WV_ACT_PAGE_NEXT and
 * WV_ACT_PAGE_PREV, leaves every other action to the controller. At the
 * last (first) step it says so in notice. */
bool wv_lesson_action(void *player, wv_action act, char *notice, size_t noticesz);

#endif
