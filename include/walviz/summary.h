/* summary: what a frame shows, in numbers, as one JSON line: the time on
 * screen, how far behind live, and per follower what is on its lane and
 * waiting at each stage. `--frames DIR` writes one line per picture into
 * DIR/summary.jsonl, so a test can check what a class saw without reading
 * pixels. Pure: the numbers come from the simulation at the view's time. */
#ifndef WALVIZ_SUMMARY_H
#define WALVIZ_SUMMARY_H

#include <stdint.h>

#include "walviz/scene.h"
#include "walviz/util.h"

/* Appends the line for picture number frame (from 1), taken wall_ms after
 * the first one. */
void wv_summary_json(wv_buf *out, const wv_view *v, int frame, int64_t wall_ms);

#endif
