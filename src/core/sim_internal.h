/* sim_internal: the inside of the simulation module, shared by its files
 * and by nothing else (the interface is include/walviz/sim.h).
 *
 *   sim.c        the stream and its units, leader time, the storage of
 *                stage times, the accessors;
 *   sim_link.c   links and scheduling: each follower's connections and
 *                what happens to each message on them;
 *   sim_sync.c   synchronous commit and the leader's walsenders: what the
 *                leader learns from the replies and when;
 *   sim_query.c  queries, interventions and stepping;
 *   sim_failover.c the leader's failure and a follower's promotion.
 *
 * Functions shared between those files carry the sim_ prefix; the rest
 * stay static in their file. */
#ifndef WALVIZ_SIM_INTERNAL_H
#define WALVIZ_SIM_INTERNAL_H

#include "walviz/sim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_LATENCY_CHANGES 64
#define DELTA_NEVER UINT32_MAX      /* the stage never happens (or not yet) */
#define DELTA_FAR (UINT32_MAX - 1)  /* in the follower's far table */

typedef struct msg {
    uint64_t lsn;
    uint64_t text_off;
    uint32_t text_len;
    uint32_t xid;
    uint32_t txn;
    uint8_t op;
    uint8_t has_xid;
    uint8_t shards; /* a bit per shard that gets it (sim_shard.c) */
    int8_t owner;   /* the shard holding the row it writes, or WV_SHARD_* */
} msg;

typedef struct txn {
    size_t first, last;
    int64_t time;     /* session time, WV_SIM_NEVER until scheduled */
    int64_t ready;    /* when the walsender may send it: see sim_set_ready */
    int64_t ack;      /* under the configured synchronous_commit */
    unsigned acked;   /* followers that counted for the ack */
    uint32_t spooled; /* a STREAM COMMIT or PREPARE: the streamed changes it applies */
    bool closed;
    bool is_commit;   /* COMMIT, COMMIT PREPARED, STREAM COMMIT, (STREAM) PREPARE */
} txn;

typedef struct latency_change {
    int64_t from;
    int64_t latency_us;
} latency_change;

/* A stage time too far after its leader time for a uint32_t delta. */
typedef struct far_time {
    uint64_t key; /* message * WV_STAGE_COUNT + stage */
    int64_t at;
} far_time;

/* A follower's connection to the leader, up between two outages. */
typedef struct conn {
    int64_t from, until;  /* up in [from, until), on the follower's side */
    int64_t crash;        /* the outage ending it crashes the follower then, or never */
    bool loses;           /* that crash is the machine's: unflushed WAL is lost */
    int64_t data_from;    /* its START_REPLICATION reached the leader: WAL flows */
    int64_t gone;         /* the leader's walsender notices the end and exits */
    int64_t streaming;    /* the walsender had sent its backlog, or never yet */
    int64_t last_applied; /* a subscriber's last application of what came on it */
    int64_t send_free;    /* when the leader may send the next message on it */
    int64_t last_written; /* its last arrival: nothing overtakes it */
} conn;

typedef struct follower_state {
    conn conns[WV_SIM_MAX_FAULTS + 2]; /* and a failover's */
    int nconns;
    int first_conn;  /* the connections before it carry nothing more */
    int flush_reset; /* the last connection whose crash cut the fsync short */
    uint32_t burst_txn; /* the burst being read: a transaction on a connection */
    int burst_conn;
    int64_t burst_end;  /* when its last message arrives */
    int64_t flush_start, flush_end, last_applied;
    int64_t last_ready; /* a physical standby's: when the last message could leave */
    size_t next_txn; /* first unit not yet scheduled on this follower */
} follower_state;

/* Changes streamed so far for a transaction still open: what a subscriber
 * with streaming = on spools until its STREAM COMMIT. */
typedef struct spool {
    uint32_t xid; /* 0 when the stream shows none */
    uint32_t changes;
} spool;

typedef struct pending_prepare {
    char *gid;
    size_t first, last; /* its messages */
} pending_prepare;

struct wv_sim {
    wv_sim_cfg cfg;
    msg *msgs;
    size_t nmsgs, msgs_cap;
    uint64_t *max_lsn; /* running maximum of LSNs along the stream */
    char *text;
    size_t text_len, text_cap;
    const char *borrowed; /* texts kept by reference (wv_sim_borrow_text) */
    size_t borrowed_len;
    void (*release)(void *ctx);
    void *release_ctx;
    txn *txns;
    size_t ntxns, txns_cap;
    bool open_txn;     /* the last unit waits for its COMMIT */
    bool open_stream;  /* the last unit is a streamed block */

    uint32_t *stage[WV_SIM_MAX_FOLLOWERS][WV_STAGE_COUNT]; /* deltas: see sim_stage_at */
    uint8_t *resent[WV_SIM_MAX_FOLLOWERS];                 /* a bit per message */
    size_t stage_cap;
    far_time *far[WV_SIM_MAX_FOLLOWERS]; /* by key: written in stream order */
    size_t nfar[WV_SIM_MAX_FOLLOWERS], far_cap[WV_SIM_MAX_FOLLOWERS];
    follower_state fs[WV_SIM_MAX_FOLLOWERS];
    latency_change lat[WV_SIM_MAX_FOLLOWERS][MAX_LATENCY_CHANGES];
    int nlat[WV_SIM_MAX_FOLLOWERS];

    /* leader time */
    int64_t epoch_us;    /* Unix time of session time 0 */
    int64_t last_raw_us; /* raw time of the last scheduled unit */
    int64_t last_time;
    bool have_epoch;
    wv_gap *gaps;
    size_t ngaps, gaps_cap;
    size_t *commits; /* indexes of commit units, for stepping by commits */
    size_t ncommits, commits_cap;
    size_t *rollbacks; /* indexes of ROLLBACK PREPARED units */
    size_t nrollbacks, rollbacks_cap;

    wv_rows *rows;
    wv_xid_state xids; /* the transaction the stream is in, for xids */
    int64_t last_stamp; /* the last message's "(at ...)" (Unix us), 0 when none */
    pending_prepare *prepared;
    size_t nprepared;
    spool *spools;
    size_t nspools, spools_cap;
    uint32_t *gets_before[WV_SIM_MAX_FOLLOWERS]; /* per shard: messages before m it gets */
};

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) >= (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 64;                                 \
            (arr) = wv_xrealloc((arr), (cap) * sizeof *(arr));              \
        }                                                                   \
    } while (0)

/* The one binary search: the number of leading i in [0, n) for which
 * below(q, i) holds, below being true on a prefix and false after it. */
typedef struct probe {
    const wv_sim *s;
    int f, which; /* follower; stage, or kind of commit time */
    int64_t t;
    bool strict;  /* compare with < t rather than <= t */
    uint64_t key;
} probe;

size_t sim_prefix_len(size_t n, bool (*below)(const probe *q, size_t i), const probe *q);

/* Saturating: WV_SIM_NEVER stays never. */
static inline int64_t sim_add_sat(int64_t a, int64_t b)
{
    return b >= WV_SIM_NEVER || a >= WV_SIM_NEVER - b ? WV_SIM_NEVER : a + b;
}

static inline int64_t sim_max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* --- sim.c: the stream, its units and the stage times -------------------- */

/* A stage time kept in the far table (sim_stage_at). */
int64_t sim_far_lookup(const wv_sim *s, int f, size_t m, wv_stage st);

/* Inline here, as they were when the module was one file: every query's
 * binary search reads stage times. */

/* What stage times of message m are counted from: the leader time of the
 * unit before its own (its own for the first). */
static inline int64_t sim_base_time(const wv_sim *s, size_t m)
{
    uint32_t u = s->msgs[m].txn;
    return s->txns[u ? u - 1 : 0].time;
}

/* The one way to read a stage time. */
static inline int64_t sim_stage_at(const wv_sim *s, int f, size_t m, wv_stage st)
{
    uint32_t d = s->stage[f][st][m];
    if (d < DELTA_FAR)
        return sim_base_time(s, m) + (int64_t)d;
    return d == DELTA_NEVER ? WV_SIM_NEVER : sim_far_lookup(s, f, m, st);
}

/* Stores a stage time of a scheduled message, in stream order since the
 * last sim_reset_follower. */
void sim_set_stage(wv_sim *s, int f, size_t m, wv_stage st, int64_t at);
void sim_set_resent(wv_sim *s, int f, size_t m, bool resent);
/* Sets when unit u may leave the leader (txn.ready). */
void sim_set_ready(wv_sim *s, size_t u);

/* --- sim_link.c: links and scheduling ------------------------------------ */

/* f's link latency at t, after the latency changes up to t. */
int64_t sim_latency_at(const wv_sim *s, int f, int64_t t);
/* When something that left at `left` and would arrive at `at` arrives,
 * held by TCP across f's short partitions; *cut: when the first of those
 * began, or WV_SIM_NEVER. */
int64_t sim_held(const wv_sim *s, int f, int64_t left, int64_t at, int64_t *cut);
/* Counts streamed changes per transaction, for the unit u that applies them. */
void sim_track_spool(wv_sim *s, const msg *mm, size_t u);
/* Extends f's schedule over the units closed since the last call. */
void sim_schedule_follower(wv_sim *s, int f);
/* Back to the start, with the connections f's faults leave. */
void sim_reset_follower(wv_sim *s, int f);
/* Both, after a change to f's faults or latency, or to the sync level
 * (after a failover, a change to the promoted follower redoes them all). */
void sim_reschedule_follower(wv_sim *s, int f);
/* Every follower again, or on from where each stopped: the promoted one
 * first, as the others' schedules depend on it. */
void sim_reschedule_all(wv_sim *s);
void sim_schedule_all(wv_sim *s);

/* --- sim_sync.c: synchronous commit and the walsenders ------------------- */

/* Whether f's walsender may still be catching up at t on a new connection. */
bool sim_state_unsettled(const wv_sim *s, int f, int64_t t);
/* Whether the end of t waits for synchronous standbys. */
bool sim_waits_for_standbys(const wv_sim *s, const txn *t);
/* Computes the acks of units from `from` on. */
void sim_recompute_acks(wv_sim *s, size_t from);

/* --- sim_failover.c: the failover ---------------------------------------- */

static inline bool sim_failover_on(const wv_sim *s)
{
    return s->cfg.failover_to >= 0;
}
/* When the promoted follower takes writes (WV_SIM_NEVER without a failover). */
int64_t sim_promoted_at(const wv_sim *s);
/* The session time of a unit recorded at `recorded`: from the failure
 * on, later by the promotion time. */
int64_t sim_failover_time(const wv_sim *s, int64_t recorded);
/* Schedules message m on the promoted follower p when the failover
 * decides it (a lost one, or one of the new leader's own); false when it
 * is scheduled as on any follower. */
bool sim_failover_promoted_msg(wv_sim *s, size_t m);
/* On another follower f, before m goes on a connection to the new leader:
 * stamps a lost message (true), or says whether f diverged (*diverged). */
bool sim_failover_follower_msg(wv_sim *s, int f, size_t m, int64_t sent, bool *diverged);
/* Stamps a lost message on the promoted follower that it never received. */
void sim_failover_stamp_lost(wv_sim *s, int f, size_t m, int64_t sent);
/* Whether listed standby f counts for a commit at t: not the promoted one. */
bool sim_failover_counts(const wv_sim *s, int f, int64_t t);
/* --- sim_shard.c: sharding --------------------------------------------- */

/* Which shards get row change c, and who holds its row (msg.shards,
 * msg.owner); every shard for anything else. */
void sim_shard_change(const wv_sim *s, const wv_change *c, msg *mm);
/* At the close of unit u: its BEGIN and COMMIT go where its changes go;
 * the counts behind wv_sim_gets_count. */
void sim_shard_close(wv_sim *s, size_t u);
/* The first message from `from` on that f gets (the stream's count when
 * none): stepping through a shard's events skips what passes it unseen. */
size_t sim_shard_next(const wv_sim *s, int f, size_t from);
/* Schedules message m, which f does not get, ready at `ready`. */
void sim_shard_skip(wv_sim *s, int f, size_t m, int64_t ready);

/* --- sim_query.c: queries ------------------------------------------------- */

/* Messages whose stage st on f is <= t: a prefix of the stream. */
size_t sim_count_le(const wv_sim *s, int f, wv_stage st, int64_t t);

#endif
