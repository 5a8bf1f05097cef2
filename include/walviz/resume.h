/* resume: the bookkeeping that lets a live stream resume after a lost
 * connection without losing or repeating a message. Pure: the source
 * feeds it every message it receives, with the message's LSN.
 *
 * The stream restarts at the end LSN of the last transaction received in
 * full (last_commit_lsn), so the server skips every transaction already
 * here; it then resends the transaction that was cut off, from its BEGIN.
 * That one is recognised by its BEGIN's LSN, and its messages are skipped
 * by (LSN, count at that LSN) up to where the cut fell: the changes of a
 * multi-insert share one LSN, hence the count. Non-transactional messages
 * decoded again are recognised by their LSN.
 *
 * Only transaction boundaries are reported as safe to confirm
 * (boundary_lsn): a position inside a transaction would make the server
 * skip the rest of it after a restart. */
#ifndef WALVIZ_RESUME_H
#define WALVIZ_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/decode.h"

/* Non-transactional messages remembered between two transaction ends; a
 * resend of an older one would be delivered again. */
#define WV_RESUME_NONTX 256

/* Caller-owned storage: wv_resume_init; nothing to destroy. Callers read
 * the first three fields and leave the rest alone. */
typedef struct wv_resume {
    bool in_txn;              /* between a BEGIN and its end */
    uint64_t boundary_lsn;    /* last transaction boundary received: safe to confirm */
    uint64_t last_commit_lsn; /* where a restarted stream starts; 0: none yet */

    uint64_t txn_begin_lsn, txn_last_lsn;
    size_t txn_count_at_last; /* messages received at txn_last_lsn */
    bool skip_armed;          /* a cut transaction's resend is expected */
    bool skipping;            /* inside that resend, before the cut */
    uint64_t skip_begin_lsn, skip_last_lsn;
    size_t skip_count_at_last, skip_seen_at_last;
    uint64_t nontx_lsns[WV_RESUME_NONTX];
    size_t nontx_next;
} wv_resume;

void wv_resume_init(wv_resume *r);

/* True when c (at lsn) is a resend of a message already delivered: drop
 * it. Call for every message received, before wv_resume_track. */
bool wv_resume_is_duplicate(wv_resume *r, const wv_change *c, uint64_t lsn);

/* Notes a message that is delivered. */
void wv_resume_track(wv_resume *r, const wv_change *c, uint64_t lsn);

/* A keepalive: between transactions, everything up to wal_end was sent. */
void wv_resume_keepalive(wv_resume *r, uint64_t wal_end);

/* The connection was lost: expect the cut transaction to be resent. */
void wv_resume_cut(wv_resume *r);

/* The op ends a transaction (it is a boundary a slot may confirm). */
bool wv_resume_is_boundary(wv_op op);

#endif
