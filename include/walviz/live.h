/* live: a live session for the window: a source feeding the simulation
 * every frame, without ever waiting on the network. Shared by `walviz
 * live` and `walviz demo`. */
#ifndef WALVIZ_LIVE_H
#define WALVIZ_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "walviz/realnode.h"
#include "walviz/render.h"
#include "walviz/sim.h"
#include "walviz/source.h"

typedef struct wv_live wv_live;

/* Opens a source (nothing connects before the first feed). record: a
 * recording to write as well, or NULL. Returns NULL with a sentence in
 * err when the recording cannot be created. */
wv_live *wv_live_new(const wv_source_opts *opts, const char *record, char *err, size_t errsz);
/* Stops the stream cleanly (a last status update; a temporary slot goes
 * with the connection) and closes the recording. NULL is fine. */
void wv_live_free(wv_live *l);

/* A wv_ui_feed_fn: adds what arrived to sim, sets the view's status line
 * and slot gauge. ctx is the wv_live. */
bool wv_live_feed(void *ctx, wv_sim *sim, int64_t wall_us, wv_view *view);

/* Observes real standbys and subscribers too (`--observe`), once the
 * stream runs: discover lists the primary's walsenders (less walviz's
 * own), direct holds NAME=CONNINFO nodes sampled directly. Adds the nodes
 * to rn (the caller's; it must outlive l) and names them in the
 * recording's header; from then on each feed samples them, records the
 * samples that say something new and maps them onto the sim, and the view
 * shows them. Returns how many nodes, or -1 with a sentence in err. */
int wv_live_observe(wv_live *l, wv_realnodes *rn, bool discover, const char *const *direct, int ndirect,
                    char *err, size_t errsz);

/* Waits (up to timeout_us) until the stream is running; returns false with
 * the source's status when it ended instead. */
bool wv_live_wait_streaming(wv_live *l, int64_t timeout_us);
const char *wv_live_status(const wv_live *l);
/* True once the stream has ended (by an error, or an end position). */
bool wv_live_ended(const wv_live *l);
/* Records what was done to real node node at at_us (the demo's keys) and
 * keeps it in the nodes given to wv_live_observe. */
void wv_live_mark(wv_live *l, int node, wv_real_mark mark, int64_t at_us);
/* Adds a "# key: value" line to the recording's header (before its first
 * message); nothing when not recording. */
void wv_live_header(wv_live *l, const char *key, const char *value);

/* True when the stream ended by an error, or the recording could not be
 * written (it then stopped, said on stderr and on screen). */
bool wv_live_failed(const wv_live *l);

/* Simulation settings for a live stream: receive times, no gap
 * compression, so the live edge moves with the wall clock. */
void wv_live_sim_cfg(wv_sim_cfg *cfg);

#endif
