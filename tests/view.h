/* view: the view ui.c starts a replay with (paused at t, nothing selected,
 * the dark theme), for the tests and benchmarks of the picture.
 * Header-only. */
#ifndef WALVIZ_TESTS_VIEW_H
#define WALVIZ_TESTS_VIEW_H

#include "walviz/scene.h"

static inline wv_view test_view(const wv_sim *sim, const wv_timeline *tl, const char *title)
{
    return (wv_view){
        .sim = sim,
        .tl = tl,
        .theme = WV_THEME_DARK,
        .text_scale = 1.0,
        .selected_follower = -1,
        .selected_msg = WV_ROWS_NONE,
        .title = title,
        .started = true,
        .end = wv_sim_end_time(sim),
    };
}

#endif
