/* relay: the pipe, one direction of a delayed connection (see
 * include/walviz/relay.h). Every read becomes a chunk with the time it
 * arrives; the bytes sit in one buffer in order and the chunks say how far
 * each reaches. Arrival times never decrease along the queue (one TCP
 * stream never overtakes itself), so what is ready is always a prefix. */
#include "walviz/relay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void wv_relay_pipe_init(wv_relay_pipe *p, const wv_relay_link *link)
{
    memset(p, 0, sizeof *p);
    p->link = *link;
    wv_buf_init(&p->bytes);
    p->end_due = WV_RELAY_NEVER;
}

void wv_relay_pipe_destroy(wv_relay_pipe *p)
{
    wv_buf_destroy(&p->bytes);
    free(p->chunks);
    p->chunks = NULL;
    p->first = p->n = p->cap = 0;
}

size_t wv_relay_pipe_queued(const wv_relay_pipe *p)
{
    return p->bytes.len - p->head;
}

/* Bytes read and still waiting for the wire. */
static double backlog(const wv_relay_pipe *p, int64_t now)
{
    if (p->link.bandwidth_bps <= 0 || p->wire_free <= (double)now)
        return 0;
    return (p->wire_free - (double)now) * p->link.bandwidth_bps / 1e6;
}

size_t wv_relay_pipe_room(const wv_relay_pipe *p, int64_t now)
{
    size_t queued = wv_relay_pipe_queued(p);
    if (p->end_due != WV_RELAY_NEVER || queued >= WV_RELAY_QUEUE_MAX ||
        backlog(p, now) > (double)WV_RELAY_BACKLOG_MAX)
        return 0;
    return WV_RELAY_QUEUE_MAX - queued;
}

/* Held by the cut: it had not arrived when the cut began. */
static bool held(const wv_relay_pipe *p, int64_t due)
{
    return p->cut && due > p->cut_at;
}

/* When something put on the wire at now, len bytes long, arrives. */
static int64_t send_at(wv_relay_pipe *p, int64_t now, size_t len)
{
    double depart = p->wire_free > (double)now ? p->wire_free : (double)now;
    if (p->link.bandwidth_bps > 0)
        depart += (double)len * 1e6 / p->link.bandwidth_bps;
    p->wire_free = depart;
    return (int64_t)ceil(depart) + p->link.latency_us;
}

void wv_relay_pipe_push(wv_relay_pipe *p, int64_t now, const void *data, size_t len)
{
    WV_ASSERT(p->end_due == WV_RELAY_NEVER && len <= WV_RELAY_QUEUE_MAX - wv_relay_pipe_queued(p));
    if (len == 0)
        return;
    int64_t due = send_at(p, now, len);
    /* Reuse the front of the arrays once they are half spent. */
    if (p->first > 0 && p->first >= p->cap / 2) {
        memmove(p->chunks, p->chunks + p->first, (p->n - p->first) * sizeof *p->chunks);
        p->n -= p->first;
        p->first = 0;
    }
    if (p->head > 0 && p->head >= p->bytes.len / 2) {
        memmove(p->bytes.data, p->bytes.data + p->head, p->bytes.len - p->head);
        p->bytes.len -= p->head;
        p->head = 0;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->chunks = wv_xrealloc(p->chunks, p->cap * sizeof *p->chunks);
    }
    p->chunks[p->n++] = (wv_relay_chunk){ len, due };
    wv_buf_append(&p->bytes, data, len);
}

void wv_relay_pipe_end(wv_relay_pipe *p, int64_t now)
{
    if (p->end_due != WV_RELAY_NEVER)
        return;
    p->end_due = send_at(p, now, 0);
}

wv_slice wv_relay_pipe_ready(const wv_relay_pipe *p, int64_t now)
{
    size_t len = 0;
    for (size_t i = p->first; i < p->n && p->chunks[i].due <= now && !held(p, p->chunks[i].due); i++)
        len += p->chunks[i].len;
    if (len == 0)
        return (wv_slice){ NULL, 0 }; /* the buffer may be NULL: no arithmetic on it */
    return (wv_slice){ p->bytes.data + p->head, len - p->first_done };
}

void wv_relay_pipe_take(wv_relay_pipe *p, size_t n)
{
    WV_ASSERT(n <= wv_relay_pipe_queued(p));
    p->head += n;
    n += p->first_done;
    while (p->first < p->n && n >= p->chunks[p->first].len)
        n -= p->chunks[p->first++].len;
    p->first_done = n;
    if (p->first == p->n) {
        p->first = p->n = p->first_done = 0;
        p->head = p->bytes.len = 0;
    }
}

bool wv_relay_pipe_ended(const wv_relay_pipe *p, int64_t now)
{
    return p->first == p->n && p->end_due <= now && !held(p, p->end_due);
}

int64_t wv_relay_pipe_next(const wv_relay_pipe *p, int64_t now)
{
    int64_t next = WV_RELAY_NEVER;
    if (p->first < p->n) {
        if (!held(p, p->chunks[p->first].due))
            next = p->chunks[p->first].due;
    } else if (p->end_due != WV_RELAY_NEVER && !held(p, p->end_due)) {
        next = p->end_due;
    }
    /* The backlog drains at the bandwidth; reading resumes below its cap. */
    if (backlog(p, now) > (double)WV_RELAY_BACKLOG_MAX && p->end_due == WV_RELAY_NEVER) {
        double open = p->wire_free - (double)WV_RELAY_BACKLOG_MAX * 1e6 / p->link.bandwidth_bps;
        int64_t t = (int64_t)ceil(open);
        if (t <= now)
            t = now + 1;
        if (t < next)
            next = t;
    }
    return next;
}

void wv_relay_pipe_cut(wv_relay_pipe *p, int64_t now)
{
    if (p->cut)
        return;
    p->cut = true;
    p->cut_at = now;
}

void wv_relay_pipe_heal(wv_relay_pipe *p, int64_t now)
{
    if (!p->cut)
        return;
    int64_t back = now + p->link.latency_us;
    for (size_t i = p->first; i < p->n; i++)
        if (p->chunks[i].due > p->cut_at && p->chunks[i].due < back)
            p->chunks[i].due = back;
    if (p->end_due != WV_RELAY_NEVER && p->end_due > p->cut_at && p->end_due < back)
        p->end_due = back;
    p->cut = false;
}
