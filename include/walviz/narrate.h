/* narrate: what just happened, in a student's words. Given the
 * simulation and a time, finds the latest event at or before it (a
 * transaction committed on the leader, a message put on a link, written,
 * flushed or replayed by a follower, a client's COMMIT returning) and says
 * it in a sentence: "f2 wrote COMMIT 727 to its WAL; a read on f2 still
 * returns the old rows until it replays it". Pure: the picture's caption,
 * and what the log and the inspector point at after a step. */
#ifndef WALVIZ_NARRATE_H
#define WALVIZ_NARRATE_H

#include <stddef.h>
#include <stdint.h>

#include "walviz/sim.h"

typedef enum wv_event_kind {
    WV_EVENT_NONE,     /* nothing has happened yet */
    WV_EVENT_SENT,     /* a message put on a follower's link */
    WV_EVENT_DEPARTED, /* a transaction committed on the leader: it leaves */
    WV_EVENT_WRITTEN,
    WV_EVENT_FLUSHED,
    WV_EVENT_APPLIED,
    WV_EVENT_RETURNED, /* a client's COMMIT returned (synchronous commit) */
    WV_EVENT_FAILED,   /* the leader failed (a failover): follower is the one promoted */
    WV_EVENT_PROMOTED  /* the promoted follower became the leader */
} wv_event_kind;

typedef struct wv_narration {
    wv_event_kind kind;
    int64_t at;     /* when it happened */
    size_t msg;     /* the message it is about (the last, when several) */
    size_t count;   /* how many messages it happened to at that moment */
    int follower;   /* -1: the leader */
    char text[320];
} wv_narration;

/* The latest event at or before t. With a message selected (selected !=
 * WV_ROWS_NONE), the latest of that message's journey, and at its end a
 * sentence that says so. */
void wv_narrate(const wv_sim *sim, int64_t t, size_t selected, wv_narration *out);

/* "INSERT students id=2", "COMMIT 727", "BEGIN 727", "MESSAGE": a
 * message as a sentence names it. */
void wv_narrate_message(const wv_sim *sim, size_t msg, char *out, size_t outsz);

#endif
