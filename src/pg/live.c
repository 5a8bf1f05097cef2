/* live: see include/walviz/live.h. */
#include "walviz/live.h"
#include "walviz/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "walviz/observe.h"
#include "walviz/recorder.h"
#include "walviz/scene.h"

#define FEED_BUDGET_US 4000 /* of a 16 ms frame */
#define CONFIRM_EVERY_US 1000000

struct wv_live {
    wv_source *src;
    wv_recorder *rec;
    char *rec_path;
    char rec_error[300]; /* why the recording stopped; "" while it runs */
    int64_t last_confirm_us;
    bool streaming, ended;
    char status[600];
    wv_realnodes *real;   /* the caller's: real nodes observed, or NULL */
    wv_observer *observer;
    wv_buf line;          /* a sample's line for the recording */
    /* the rows read from the real nodes: the ones the leader changed last */
    wv_decoder *dec;
    wv_real_probe probe;
    size_t probed_k, probed_table; /* what the probe was built for */
};

/* A write failed (errno says why): the recording stops cleanly, said on
 * stderr and on screen, and the picture goes on. */
static void recording_failed(wv_live *l)
{
    snprintf(l->rec_error, sizeof l->rec_error, "recording stopped: cannot write %s: %s",
             l->rec_path, strerror(errno));
    fprintf(stderr, "walviz live: %s\n", l->rec_error);
    wv_recorder_close(l->rec);
    l->rec = NULL;
}

wv_live *wv_live_new(const wv_source_opts *opts, const char *record, char *err, size_t errsz)
{
    wv_live *l = wv_xcalloc(1, sizeof *l);
    if (record) {
        l->rec = wv_recorder_open(record, err, errsz);
        if (!l->rec) {
            free(l);
            return NULL;
        }
        l->rec_path = wv_xstrdup(record);
    }
    l->src = wv_source_new(opts);
    return l;
}

void wv_live_free(wv_live *l)
{
    if (!l)
        return;
    if (l->rec && wv_recorder_sync(l->rec, l->src) < 0)
        recording_failed(l);
    if (l->rec && wv_recorder_close(l->rec) < 0)
        fprintf(stderr, "walviz live: cannot write %s: %s\n", l->rec_path, strerror(errno));
    wv_observer_free(l->observer);
    wv_decode_free(l->dec);
    wv_buf_destroy(&l->line);
    wv_source_free(l->src);
    free(l->rec_path);
    free(l);
}

const char *wv_live_status(const wv_live *l)
{
    return wv_source_status(l->src);
}

bool wv_live_ended(const wv_live *l)
{
    return l->ended || wv_source_failed(l->src);
}

bool wv_live_failed(const wv_live *l)
{
    return wv_source_failed(l->src) || l->rec_error[0];
}

int wv_live_observe(wv_live *l, wv_realnodes *rn, bool discover, const char *const *direct, int ndirect,
                    char *err, size_t errsz)
{
    const char *const *kw, *const *val;
    wv_source_params(l->src, &kw, &val);
    wv_observer *o = wv_observer_new(rn, kw, val);
    for (int i = 0; i < ndirect; i++)
        if (wv_observer_direct(o, direct[i], err, errsz) < 0)
            goto fail;
    int n = wv_observer_start(o, discover, wv_source_backend_pid(l->src), 10000000, err, errsz);
    if (n < 0)
        goto fail;
    l->observer = o;
    l->real = rn;
    {   /* even with none yet: ones that connect later are added */
        wv_buf v;
        wv_buf_init(&v);
        wv_realnodes_header_value(rn, &v);
        wv_buf_append(&v, "", 1);
        wv_live_header(l, WV_REAL_HEADER_KEY, v.data);
        wv_buf_destroy(&v);
    }
    return n;
fail:
    wv_observer_free(o);
    return -1;
}

static void record_line(wv_live *l)
{
    if (wv_recorder_add_line(l->rec, l->src, (wv_slice){ l->line.data, l->line.len }) < 0)
        recording_failed(l);
}

/* A sample, or a row read, that says something new goes into the
 * recording. */
static void record_sample(void *ctx, int node, const wv_real_sample *s)
{
    wv_live *l = ctx;
    if (!l->rec)
        return;
    l->line.len = 0;
    wv_realnodes_format(l->real, node, s, &l->line);
    record_line(l);
}

static void record_node(void *ctx, int node, int64_t at_us)
{
    wv_live *l = ctx;
    int up = wv_realnodes_upstream(l->real, node);
    fprintf(stderr, "walviz live: %s connected to %s: drawn as a real %s\n", wv_realnodes_name(l->real, node),
            up >= 0 ? wv_realnodes_name(l->real, up) : "the primary",
            wv_realnodes_kind(l->real, node) == WV_KIND_PHYSICAL ? "standby" : "subscriber");
    if (!l->rec)
        return;
    l->line.len = 0;
    wv_realnodes_format_node(l->real, node, at_us, &l->line);
    record_line(l);
}

void wv_live_mark(wv_live *l, int node, wv_real_mark mark, int64_t at_us)
{
    wv_realnodes_add_mark(l->real, node, mark, at_us);
    if (!l->rec)
        return;
    l->line.len = 0;
    wv_realnodes_format_mark(l->real, node, mark, at_us, &l->line);
    record_line(l);
}

void wv_live_header(wv_live *l, const char *key, const char *value)
{
    if (l->rec)
        wv_recorder_header_extra(l->rec, key, value);
}

static void record_row(void *ctx, int node, const char *table, const char *key, const wv_real_row *row)
{
    wv_live *l = ctx;
    if (!l->rec)
        return;
    l->line.len = 0;
    wv_realrows_format(wv_realnodes_name(l->real, node), table, key, row, &l->line);
    record_line(l);
}

/* The real nodes are asked for the rows the leader changed last, the
 * table on screen first: asked again when a transaction commits or the
 * table changes. */
static void probe_rows(wv_live *l, const wv_sim *sim, const wv_view *view)
{
    size_t k = wv_sim_visible(sim, WV_SIM_LEADER, INT64_MAX / 4);
    size_t table = view && view->tl ? wv_scene_table(view) : 0;
    if (k == l->probed_k && table == l->probed_table)
        return;
    if (!l->dec)
        l->dec = wv_decode_new();
    wv_real_probe_build(sim, k, table, l->dec, &l->probe);
    wv_observer_probe(l->observer, &l->probe);
    l->probed_k = k;
    l->probed_table = table;
}

void wv_live_sim_cfg(wv_sim_cfg *cfg)
{
    if (cfg->time_source == WV_TIME_AUTO)
        cfg->time_source = WV_TIME_RECEIVE;
    cfg->max_gap_us = INT64_MAX / 4;
}

/* One event from the source into the sim; returns 1 for a message, 0 for
 * nothing, -1 when the stream ended. */
static int take(wv_live *l, wv_sim *sim, int64_t now)
{
    wv_source_event ev;
    int wait_ms;
    if (!wv_source_poll(l->src, now, &ev, &wait_ms))
        return 0;
    switch (ev.kind) {
    case WV_SOURCE_MESSAGE:
        if (sim)
            wv_sim_add(sim, &ev.change, &ev.meta, ev.text);
        if (l->rec && wv_recorder_add(l->rec, l->src, &ev.meta, ev.text) < 0)
            recording_failed(l);
        return 1;
    case WV_SOURCE_STATUS:
        l->streaming = wv_source_state_of(l->src) == WV_SOURCE_STATE_STREAMING;
        return 0;
    case WV_SOURCE_END:
        l->ended = true;
        return -1;
    default:
        return 0;
    }
}

bool wv_live_feed(void *ctx, wv_sim *sim, int64_t wall_us, wv_view *view)
{
    wv_live *l = ctx;
    bool changed = false;
    int64_t until = wall_us + FEED_BUDGET_US;
    for (int64_t now = wall_us; !l->ended && now < until; now = wv_now_us()) {
        int got = take(l, sim, now);
        if (got < 0)
            break;
        if (got == 0) {
            /* nothing ready: one more look after the sockets, then draw */
            int fds[2], n = wv_source_fds(l->src, fds);
            struct pollfd pfd[2];
            for (int i = 0; i < n; i++)
                pfd[i] = (struct pollfd){ fds[i], POLLIN, 0 };
            if (n == 0 || poll(pfd, (nfds_t)n, 0) <= 0)
                break;
            continue;
        }
        changed = true;
    }
    if (l->observer) {
        if (sim)
            probe_rows(l, sim, view);
        wv_observer_fns fns = { record_node, record_sample, record_row, l };
        wv_observer_poll(l->observer, wv_now_us(), &fns);
        if (sim) {
            wv_realnodes_join(l->real, sim);
            wv_realnodes_map(l->real, sim);
        }
        changed = true; /* the real lanes move with their samples */
    }
    /* What has been drawn is handled: let the slot move on (and, when
     * recording, only once it is on disk). */
    if (wall_us - l->last_confirm_us >= CONFIRM_EVERY_US) {
        if (l->rec) {
            if (wv_recorder_sync(l->rec, l->src) < 0)
                recording_failed(l);
        } else
            wv_source_confirm(l->src);
        l->last_confirm_us = wall_us;
    }
    if (view) {
        snprintf(l->status, sizeof l->status, "%s", wv_source_status(l->src));
        view->status = l->rec_error[0] ? l->rec_error : l->streaming && !l->ended ? NULL : l->status;
        view->slot = wv_source_slot(l->src);
        view->real = l->real;
        if (!view->status && !view->notice && l->observer) /* a key's notice first */
            view->status = wv_observer_status(l->observer);
    }
    return changed;
}

bool wv_live_wait_streaming(wv_live *l, int64_t timeout_us)
{
    int64_t until = wv_now_us() + timeout_us;
    while (!l->streaming && !l->ended && wv_now_us() < until) {
        if (take(l, NULL, wv_now_us()) == 0) {
            int fds[2], n = wv_source_fds(l->src, fds);
            struct pollfd pfd[2];
            for (int i = 0; i < n; i++)
                pfd[i] = (struct pollfd){ fds[i], POLLIN, 0 };
            poll(pfd, (nfds_t)n, 10);
        }
    }
    return l->streaming && !l->ended;
}
