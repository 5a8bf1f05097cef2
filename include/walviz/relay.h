/* relay: a TCP relay that makes a network between two PostgreSQL nodes
 * slower: a one-way delay and a bandwidth per direction, and a cut that
 * holds the bytes with the connections open, as a partition does to TCP.
 *
 * Two parts. The pipe (src/core/relay.c, pure) is one direction of one
 * connection: it queues the bytes read from one side and says when each
 * may be written to the other, given the time it is passed. The relay
 * (src/pg/relay_net.c, the edge) owns the sockets: it listens, connects each
 * accepted connection to the target, and moves bytes through two pipes per
 * connection in a poll loop that wakes when the next chunk is due.
 *
 * The model is the simulated links': a chunk read at `now` leaves
 * when the wire is free (one chunk after another at the bandwidth) and
 * arrives one latency after it has left. During a cut nothing arrives that
 * had not arrived when the cut began; at the heal what was held arrives one
 * latency later (TCP sends it again once the path is back), then the rest
 * follows as before. */
#ifndef WALVIZ_RELAY_H
#define WALVIZ_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/util.h"

#define WV_RELAY_NEVER INT64_MAX

/* Bytes one pipe holds at most. At the limit the relay stops reading that
 * side, so its sender sees a slow network (TCP's own back-pressure). */
#define WV_RELAY_QUEUE_MAX ((size_t)4 << 20)
/* Under a bandwidth limit, bytes read but not yet on the wire at most: the
 * sender's socket buffer and a router's queue. Past it reading waits, so
 * the sender is paced by the bandwidth rather than by the queue's size. */
#define WV_RELAY_BACKLOG_MAX ((size_t)64 << 10)

typedef struct wv_relay_link {
    int64_t latency_us;   /* one way */
    double bandwidth_bps; /* bytes per second; 0: no limit */
} wv_relay_link;

typedef struct wv_relay_chunk {
    size_t len;
    int64_t due; /* when it arrives, in the caller's microseconds */
} wv_relay_chunk;

/* One direction of one connection. Caller-owned storage:
 * wv_relay_pipe_init / wv_relay_pipe_destroy. Times are microseconds on
 * any clock that does not go back, passed in. */
typedef struct wv_relay_pipe {
    wv_relay_link link;
    wv_buf bytes;            /* bytes.data[head..len): not delivered yet */
    size_t head;
    wv_relay_chunk *chunks;  /* chunks[first..n): not delivered yet */
    size_t first, n, cap;
    size_t first_done;       /* bytes of chunks[first] delivered already */
    double wire_free;        /* when the wire can take the next byte */
    int64_t end_due;         /* when the sender's end arrives; NEVER: not ended */
    bool cut;
    int64_t cut_at;          /* what was due by then is not held */
} wv_relay_pipe;

void wv_relay_pipe_init(wv_relay_pipe *p, const wv_relay_link *link);
void wv_relay_pipe_destroy(wv_relay_pipe *p);

/* How many bytes may be read from the sending side now: 0 when the queue
 * or the backlog is full, or the sender has ended. */
size_t wv_relay_pipe_room(const wv_relay_pipe *p, int64_t now);
/* Queues len bytes read at now (len at most the room); copies them. */
void wv_relay_pipe_push(wv_relay_pipe *p, int64_t now, const void *data, size_t len);
/* The sender has ended (EOF); the end arrives after its last byte. */
void wv_relay_pipe_end(wv_relay_pipe *p, int64_t now);

/* The bytes that may be written now, from the oldest: a view into the
 * pipe, valid until the next call that changes it. Empty when none. */
wv_slice wv_relay_pipe_ready(const wv_relay_pipe *p, int64_t now);
/* n bytes of the ready ones were written. */
void wv_relay_pipe_take(wv_relay_pipe *p, size_t n);
/* True once every byte is delivered and the sender's end has arrived:
 * the receiving side may be shut for writing. */
bool wv_relay_pipe_ended(const wv_relay_pipe *p, int64_t now);
/* The next time after now at which ready, ended or room can change
 * without anything read or a heal; WV_RELAY_NEVER when none. A time at or
 * before now means something is ready already. */
int64_t wv_relay_pipe_next(const wv_relay_pipe *p, int64_t now);
/* Bytes queued and not delivered yet. */
size_t wv_relay_pipe_queued(const wv_relay_pipe *p);

/* A cut holds what has not arrived by now; a heal lets it arrive one
 * latency after now. Cutting a cut pipe or healing a whole one does
 * nothing. */
void wv_relay_pipe_cut(wv_relay_pipe *p, int64_t now);
void wv_relay_pipe_heal(wv_relay_pipe *p, int64_t now);

/* The relay: the sockets (src/pg/relay_net.c). */

/* Connections at once at most; one more is accepted and closed at once
 * (said through the log). */
#define WV_RELAY_MAX_CONNS 64

typedef struct wv_relay_opts {
    const char *listen;  /* "[HOST:]PORT"; HOST defaults to 127.0.0.1, PORT 0 picks one */
    const char *target;  /* "HOST:PORT" or "unix:PATH" (a PostgreSQL socket file) */
    wv_relay_link up;    /* from the side that connects to the target */
    wv_relay_link down;  /* from the target back */
    /* Connection events, one line without a newline; NULL: none. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} wv_relay_opts;

typedef struct wv_relay_stats {
    int conns;               /* open now */
    uint64_t accepted;       /* since the start */
    uint64_t delivered[2];   /* bytes written, [0] up, [1] down */
    size_t queued[2];        /* bytes held now */
    bool cut;
} wv_relay_stats;

typedef struct wv_relay wv_relay;

/* Listens as o says (the strings are copied). Returns NULL with a sentence
 * in err when an address does not parse or resolve, or the listening
 * socket cannot be bound. Free with wv_relay_free (NULL is fine), which
 * closes every connection and drops what it held. */
wv_relay *wv_relay_new(const wv_relay_opts *o, char *err, size_t errsz);
void wv_relay_free(wv_relay *r);
/* The bound address, "127.0.0.1:43210" (the port picked for PORT 0). */
const char *wv_relay_address(const wv_relay *r);

/* Moves what is due, waits for the sockets, the next due chunk, the fds in
 * watch or max_wait_us, whichever comes first, and moves what is due then.
 * Returns a bit per watch entry that is readable (at most 8 entries), or -1
 * with a sentence in err when polling itself fails; a signal ends the wait
 * early and is not an error. A failing connection is closed and logged. */
int wv_relay_poll(wv_relay *r, const int *watch, int nwatch, int64_t max_wait_us, char *err,
                  size_t errsz);
/* Cuts every connection, both ways, or heals them; new connections start
 * in the current state. */
void wv_relay_set_cut(wv_relay *r, bool cut);
void wv_relay_get_stats(const wv_relay *r, wv_relay_stats *s);

#endif
