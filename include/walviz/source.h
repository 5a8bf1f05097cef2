/* source: the live change stream of a logical replication slot, read over
 * PostgreSQL's streaming replication protocol the way pg_recvlogical reads
 * it. source_pg.c and observe.c (real nodes' positions) are the files
 * that include libpq.
 *
 * Everything is non-blocking: wv_source_poll() does whatever the sockets
 * allow right now and returns. Connecting, the replication commands, the
 * stream, status updates, reconnecting with backoff and the once-a-second
 * slot status query are steps of one state machine driven by poll. Wait for
 * wv_source_fds() to become readable (or for the returned timeout) between
 * calls, or call it once per frame. */
#ifndef WALVIZ_SOURCE_H
#define WALVIZ_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/decode.h"
#include "walviz/record.h"

typedef struct wv_source_opts {
    const char *conninfo; /* -d: conninfo string or URI; NULL: PG* variables */
    const char *host, *port, *user; /* -h -p -U, override conninfo */
    const char *slot;               /* -S; NULL: a temporary slot of our own */
    bool create_slot;               /* --create-slot: make slot, permanent */
    bool if_not_exists;             /* --if-not-exists with create_slot */
    bool two_phase;                 /* create the slot with two_phase */
    uint64_t startpos;              /* -I; 0: where the slot stands */
    uint64_t endpos;                /* -E; 0: no end */
    const char *const *plugin_opts; /* name[=value] strings, -o */
    size_t nplugin_opts;
    int status_interval_ms; /* feedback at least this often (default 10 s) */
    bool reconnect;         /* retry with backoff when the connection drops */
} wv_source_opts;

typedef enum wv_source_event_kind {
    WV_SOURCE_NONE,
    WV_SOURCE_MESSAGE, /* a decoded plugin message */
    WV_SOURCE_STATUS,  /* the status line changed (connecting, retrying...) */
    WV_SOURCE_END,     /* stream over: endpos reached or a fatal error */
} wv_source_event_kind;

typedef struct wv_source_event {
    wv_source_event_kind kind;
    wv_change change; /* MESSAGE: valid until the next poll */
    wv_meta meta;     /* lsn, xid, send and receive times */
    wv_slice text;    /* the message byte-exact, valid until the next poll */
} wv_source_event;

/* Slot state read over a second, ordinary connection once a second. */
typedef struct wv_slot_status {
    bool valid;
    uint64_t current_wal_lsn;
    uint64_t restart_lsn;
    uint64_t confirmed_flush_lsn;
    char wal_status[16]; /* reserved, extended, unreserved, lost; or "" */
    bool has_safe_wal_size;
    int64_t safe_wal_size;
    int64_t read_at_us;
} wv_slot_status;

typedef struct wv_source wv_source;

/* Returns a new source (nothing connected yet: poll does that). Copies what
 * it needs from opts. Free with wv_source_free (NULL is fine), which sends a
 * last status update (with what wv_source_confirm last allowed: confirm
 * first) and closes the connections; a temporary slot goes with its
 * connection. */
wv_source *wv_source_new(const wv_source_opts *opts);
void wv_source_free(wv_source *s);

/* Advances the state machine; now_us is the wall clock (microseconds since
 * the Unix epoch). Returns 1 and fills *ev when something happened, 0 when
 * nothing will happen before the sockets are ready or *wait_ms passes. */
int wv_source_poll(wv_source *s, int64_t now_us, wv_source_event *ev, int *wait_ms);

/* Up to 2 sockets to wait on for reading (the stream, the status query);
 * returns how many, 0 once the stream has ended. */
int wv_source_fds(const wv_source *s, int fds[2]);

/* The caller has durably handled everything received so far (written and
 * fsynced to a recording, or drawn): the next status update reports the
 * last transaction boundary received as flushed. */
void wv_source_confirm(wv_source *s);

/* Asks the stream to end: WV_SOURCE_END follows, and wv_source_free sends
 * the last status update. */
void wv_source_stop(wv_source *s);

/* What the source is doing, for callers that act on it (the status line
 * below is for people). */
typedef enum wv_source_state {
    WV_SOURCE_STATE_CONNECTING, /* connecting and setting up, the first time */
    WV_SOURCE_STATE_STREAMING,  /* START_REPLICATION answered: messages flow */
    WV_SOURCE_STATE_RETRYING,   /* connection lost; waiting or reconnecting */
    WV_SOURCE_STATE_ENDED,      /* end position reached, or stopped */
    WV_SOURCE_STATE_FAILED,     /* ended by an error the status names */
} wv_source_state;

wv_source_state wv_source_state_of(const wv_source *s);

/* One line on what the source is doing, for a terminal or a screen. */
const char *wv_source_status(const wv_source *s);
/* True once the stream ended because of an error (status says which). */
bool wv_source_failed(const wv_source *s);
const wv_slot_status *wv_source_slot(const wv_source *s);

/* Facts for a recording's header, known once streaming: server version,
 * database, slot name, plugin options as sent, session settings. NULL
 * before. */
const char *wv_source_info(const wv_source *s, const char *key);

/* The plain (not replication) connection's parameters, NULL-terminated
 * keyword and value arrays valid while s lives: for other ordinary
 * connections to the same server (the observer's). */
void wv_source_params(const wv_source *s, const char *const **keywords, const char *const **values);
/* The replication connection's backend pid (its walsender on the server),
 * or 0 while not connected. */
int wv_source_backend_pid(const wv_source *s);

/* Drops the slot opts->slot over a replication connection, waiting for
 * the answer (for the command line's --drop-slot). Returns 0, or -1 with a
 * sentence in err. */
int wv_source_drop_slot(const wv_source_opts *opts, char *err, size_t errsz);

/* Value formatting follows the walsender session's settings; pinning them
 * makes the same workload record the same text anywhere. An empty
 * search_path is the always-secure one PostgreSQL's client programs set
 * since CVE-2018-1058 (pg_recvlogical too): no one else's schema can
 * capture walviz's queries, and type names print schema-qualified exactly
 * as pg_recvlogical prints them (public.mood, not mood). Rows read from
 * real nodes (observe.c) use the same, to print values as the stream does. */
#define WV_SESSION_OPTIONS \
    "-c datestyle=ISO -c timezone=UTC -c intervalstyle=postgres -c bytea_output=hex " \
    "-c extra_float_digits=3 -c search_path="

#endif
