/* sim: the schedule of the simulated cluster (see include/walviz/sim.h).
 *
 * Messages are grouped into transactions ("units": BEGIN..COMMIT or
 * ..PREPARE, a streamed block, or a lone message). A unit gets its leader
 * time when it closes; then each follower's schedule is extended by walking
 * its messages in order with a little running state (when the link is
 * free, the last write, the flush in progress, the last replay). Faults and
 * latency changes are part of the follower's configuration over time, so an
 * intervention at t just recomputes that follower: determinism keeps
 * everything before t as it was.
 *
 * For that, the running state of the link is kept per connection: the
 * follower is connected between outages (partitions and stops, merged
 * where they overlap). A message goes out on the first connection that is
 * up when it is ready; if that connection dies before it arrives, or the
 * follower crashes before flushing it, it is sent again on the next one,
 * behind what went there before it. What happened on a connection before
 * it died never depends on what comes after.
 *
 * Stage times are most of the memory (four per message and follower), so
 * each is kept as a uint32_t count of microseconds after the leader time
 * of the unit before the message's (a physical standby receives changes
 * before their commit, never before that one), which never changes once
 * the message's unit is scheduled: DELTA_NEVER
 * for never (also before it is scheduled), and the rare time more than
 * about 71 minutes later (a long outage) as DELTA_FAR, its exact value in
 * the follower's table of far times. Every read goes through stage_at. */
#include "walviz/sim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_OVERHEAD 30 /* CopyData framing and the XLogData header, bytes */
#define MAX_LATENCY_CHANGES 64
#define DELTA_NEVER UINT32_MAX      /* the stage never happens (or not yet) */
#define DELTA_FAR (UINT32_MAX - 1)  /* in the follower's far table */
#define BORROWED ((uint64_t)1 << 63) /* text_off is into the borrowed text */

typedef struct msg {
    uint64_t lsn;
    uint64_t text_off;
    uint32_t text_len;
    uint32_t xid;
    uint32_t txn;
    uint8_t op;
    uint8_t has_xid;
} msg;

typedef struct txn {
    size_t first, last;
    int64_t time;     /* session time, WV_SIM_NEVER until scheduled */
    int64_t ready;    /* when the walsender may send it: see set_ready */
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
    conn conns[WV_SIM_MAX_FAULTS + 1];
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

    uint32_t *stage[WV_SIM_MAX_FOLLOWERS][WV_STAGE_COUNT]; /* deltas: see stage_at */
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
};

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) >= (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 64;                                 \
            (arr) = wv_xrealloc((arr), (cap) * sizeof *(arr));              \
        }                                                                   \
    } while (0)

static void reset_follower(wv_sim *s, int f);
static size_t count_le(const wv_sim *s, int f, wv_stage st, int64_t t);

/* The one binary search: the number of leading i in [0, n) for which
 * below(q, i) holds, below being true on a prefix and false after it. */
typedef struct probe {
    const wv_sim *s;
    int f, which; /* follower; stage, or kind of commit time */
    int64_t t;
    bool strict;  /* compare with < t rather than <= t */
    uint64_t key;
} probe;

static size_t prefix_len(size_t n, bool (*below)(const probe *q, size_t i), const probe *q)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (below(q, mid))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool before_t(const probe *q, int64_t v)
{
    return q->strict ? v < q->t : v <= q->t;
}

static wv_slice text_of(void *ctx, size_t m)
{
    return wv_sim_text(ctx, m);
}

wv_sim *wv_sim_new(const wv_sim_cfg *cfg)
{
    wv_sim *s = wv_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    memset(&s->cfg.raw, 0, sizeof s->cfg.raw); /* the caller owns those strings */
    for (int f = 0; f < WV_SIM_MAX_FOLLOWERS; f++)
        reset_follower(s, f);
    s->rows = wv_rows_new(text_of, s);
    return s;
}

void wv_sim_free(wv_sim *s)
{
    if (!s)
        return;
    for (int f = 0; f < WV_SIM_MAX_FOLLOWERS; f++) {
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            free(s->stage[f][st]);
        free(s->resent[f]);
        free(s->far[f]);
    }
    for (size_t i = 0; i < s->nprepared; i++)
        free(s->prepared[i].gid);
    free(s->prepared);
    free(s->spools);
    free(s->msgs);
    free(s->max_lsn);
    free(s->text);
    free(s->txns);
    free(s->gaps);
    free(s->commits);
    free(s->rollbacks);
    wv_rows_free(s->rows);
    if (s->release)
        s->release(s->release_ctx);
    free(s);
}

const wv_sim_cfg *wv_sim_config(const wv_sim *s)
{
    return &s->cfg;
}

/* --- the stream -------------------------------------------------------- */

size_t wv_sim_count(const wv_sim *s) { return s->nmsgs; }
wv_op wv_sim_op(const wv_sim *s, size_t m) { return (wv_op)s->msgs[m].op; }
uint64_t wv_sim_lsn(const wv_sim *s, size_t m) { return s->msgs[m].lsn; }
size_t wv_sim_txn_of(const wv_sim *s, size_t m) { return s->msgs[m].txn; }
size_t wv_sim_txn_count(const wv_sim *s) { return s->ntxns; }
size_t wv_sim_txn_first(const wv_sim *s, size_t t) { return s->txns[t].first; }
size_t wv_sim_txn_last(const wv_sim *s, size_t t) { return s->txns[t].last; }
int64_t wv_sim_txn_time(const wv_sim *s, size_t t) { return s->txns[t].time; }
bool wv_sim_txn_is_commit(const wv_sim *s, size_t t) { return s->txns[t].is_commit; }
int64_t wv_sim_epoch_us(const wv_sim *s) { return s->have_epoch ? s->epoch_us : 0; }
const wv_rows *wv_sim_rows(const wv_sim *s) { return s->rows; }

bool wv_sim_xid(const wv_sim *s, size_t m, uint32_t *xid)
{
    *xid = s->msgs[m].xid;
    return s->msgs[m].has_xid;
}

wv_slice wv_sim_text(const wv_sim *s, size_t m)
{
    uint64_t off = s->msgs[m].text_off;
    const char *base = off & BORROWED ? s->borrowed : s->text;
    return (wv_slice){ base + (off & ~BORROWED), s->msgs[m].text_len };
}

void wv_sim_borrow_text(wv_sim *s, const char *base, size_t len, void (*release)(void *ctx), void *ctx)
{
    WV_ASSERT(!s->borrowed);
    s->borrowed = base;
    s->borrowed_len = len;
    s->release = release;
    s->release_ctx = ctx;
}

int64_t wv_sim_leader_time(const wv_sim *s, size_t m)
{
    return s->txns[s->msgs[m].txn].time;
}

static bool far_below(const probe *q, size_t i)
{
    return q->s->far[q->f][i].key < q->key;
}

static int64_t far_lookup(const wv_sim *s, int f, size_t m, wv_stage st)
{
    probe q = { .s = s, .f = f, .key = (uint64_t)m * WV_STAGE_COUNT + (uint64_t)st };
    size_t i = prefix_len(s->nfar[f], far_below, &q);
    WV_ASSERT(i < s->nfar[f] && s->far[f][i].key == q.key);
    return s->far[f][i].at;
}

/* What stage times of message m are counted from: the leader time of the
 * unit before its own (its own for the first). */
static inline int64_t base_time(const wv_sim *s, size_t m)
{
    uint32_t u = s->msgs[m].txn;
    return s->txns[u ? u - 1 : 0].time;
}

/* The one way to read a stage time. */
static inline int64_t stage_at(const wv_sim *s, int f, size_t m, wv_stage st)
{
    uint32_t d = s->stage[f][st][m];
    if (d < DELTA_FAR)
        return base_time(s, m) + (int64_t)d;
    return d == DELTA_NEVER ? WV_SIM_NEVER : far_lookup(s, f, m, st);
}

/* Stores a stage time of a scheduled message. Since the last
 * reset_follower, f's messages are written in stream order, so the far
 * table stays sorted by appending. */
static void set_stage(wv_sim *s, int f, size_t m, wv_stage st, int64_t at)
{
    int64_t base = base_time(s, m);
    uint32_t d;
    if (at == WV_SIM_NEVER) {
        d = DELTA_NEVER;
    } else if (at >= base && (uint64_t)at - (uint64_t)base < DELTA_FAR) {
        d = (uint32_t)((uint64_t)at - (uint64_t)base);
    } else {
        uint64_t key = (uint64_t)m * WV_STAGE_COUNT + (uint64_t)st;
        WV_ASSERT(s->nfar[f] == 0 || s->far[f][s->nfar[f] - 1].key < key);
        GROW(s->far[f], s->nfar[f], s->far_cap[f]);
        s->far[f][s->nfar[f]++] = (far_time){ key, at };
        d = DELTA_FAR;
    }
    s->stage[f][st][m] = d;
}

static void set_resent(wv_sim *s, int f, size_t m, bool resent)
{
    uint8_t bit = (uint8_t)(1u << (m & 7));
    if (resent)
        s->resent[f][m >> 3] |= bit;
    else
        s->resent[f][m >> 3] &= (uint8_t)~bit;
}

int64_t wv_sim_stage(const wv_sim *s, int f, size_t m, wv_stage st)
{
    return stage_at(s, f, m, st);
}

bool wv_sim_resent(const wv_sim *s, int f, size_t m)
{
    return (s->resent[f][m >> 3] >> (m & 7)) & 1;
}

size_t wv_sim_gaps(const wv_sim *s, const wv_gap **gaps)
{
    *gaps = s->gaps;
    return s->ngaps;
}

int64_t wv_sim_end_time(const wv_sim *s)
{
    int64_t end = s->last_time;
    if (!s->nmsgs)
        return end;
    size_t last = s->nmsgs - 1;
    /* the last replay (a subscriber's last flush) on each follower */
    for (int f = 0; f < s->cfg.nfollowers; f++)
        for (int st = WV_STAGE_FLUSHED; st <= WV_STAGE_APPLIED; st++)
            for (size_t m = last + 1; m-- > 0;) {
                int64_t a = stage_at(s, f, m, (wv_stage)st);
                if (a != WV_SIM_NEVER) {
                    if (a > end)
                        end = a;
                    break;
                }
            }
    return end;
}

/* --- scheduling ---------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int64_t jitter(const wv_sim *s, int f, size_t m)
{
    int64_t j = s->cfg.link[f].jitter_us;
    if (j <= 0)
        return 0;
    uint64_t h = mix64(s->cfg.seed * 0x9e3779b97f4a7c15ULL ^ mix64(((uint64_t)f << 56) ^ m));
    return (int64_t)(h % (uint64_t)j);
}

static int64_t latency_at(const wv_sim *s, int f, int64_t t)
{
    int64_t lat = s->cfg.link[f].latency_us;
    for (int i = 0; i < s->nlat[f] && s->lat[f][i].from <= t; i++)
        lat = s->lat[f][i].latency_us;
    return lat;
}

/* Replaying message m. With streaming = on (PostgreSQL 14/15, worker.c's
 * apply_handle_stream_*), a subscriber only spools a streamed change to a
 * file, and the STREAM COMMIT (or PREPARE) applies them all; a STREAM
 * ABORT drops the file. With parallel (16), a worker applies them as they
 * come, as a physical standby replays their WAL. */
static int64_t apply_cost(const wv_sim *s, int f, size_t m)
{
    int64_t one = s->cfg.link[f].apply_us;
    /* a standby replays the streamed transaction's WAL as it comes */
    bool as_they_come = s->cfg.streaming_parallel || s->cfg.link[f].kind == WV_KIND_PHYSICAL;
    switch ((wv_op)s->msgs[m].op) {
    case WV_OP_BEGIN:
    case WV_OP_STREAM_START:
    case WV_OP_STREAM_STOP:
    case WV_OP_STREAM_ABORT:
        return 0;
    case WV_OP_STREAM_CHANGE:
    case WV_OP_STREAM_MESSAGE:
    case WV_OP_STREAM_TRUNCATE:
        return as_they_come ? one : 0;
    case WV_OP_STREAM_COMMIT:
    case WV_OP_STREAM_PREPARE:
        if (as_they_come)
            return one;
        uint32_t n = s->txns[s->msgs[m].txn].spooled;
        return one * (int64_t)(n ? n : 1);
    default:
        return one;
    }
}

/* The spool of the streamed transaction xid, made on first use. */
static spool *spool_of(wv_sim *s, uint32_t xid)
{
    for (size_t i = 0; i < s->nspools; i++)
        if (s->spools[i].xid == xid)
            return &s->spools[i];
    GROW(s->spools, s->nspools, s->spools_cap);
    s->spools[s->nspools] = (spool){ xid, 0 };
    return &s->spools[s->nspools++];
}

/* Counts streamed changes per transaction, and hands the count to the
 * unit u of the STREAM COMMIT or PREPARE that applies them. An abort of a
 * subtransaction (its own xid) drops nothing that is counted here. */
static void track_spool(wv_sim *s, const msg *mm, size_t u)
{
    uint32_t xid = mm->has_xid ? mm->xid : 0;
    switch ((wv_op)mm->op) {
    case WV_OP_STREAM_CHANGE:
    case WV_OP_STREAM_MESSAGE:
    case WV_OP_STREAM_TRUNCATE:
        spool_of(s, xid)->changes++;
        break;
    case WV_OP_STREAM_COMMIT:
    case WV_OP_STREAM_PREPARE:
    case WV_OP_STREAM_ABORT:
        for (size_t i = 0; i < s->nspools; i++) {
            if (s->spools[i].xid != xid)
                continue;
            if (mm->op != WV_OP_STREAM_ABORT)
                s->txns[u].spooled = s->spools[i].changes;
            s->spools[i] = s->spools[--s->nspools];
            break;
        }
        break;
    default:
        break;
    }
}

static int64_t add_sat(int64_t a, int64_t b)
{
    return b >= WV_SIM_NEVER || a >= WV_SIM_NEVER - b ? WV_SIM_NEVER : a + b;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Time on the wire of a message of len bytes; a link too slow to carry it
 * within the range of int64_t (a bandwidth of 1e-12) never delivers it. */
static int64_t wire_time(uint32_t len, double bandwidth_bps)
{
    double us = (double)(len + WIRE_OVERHEAD) * 1e6 / bandwidth_bps;
    return us < 9e18 ? (int64_t)us : WV_SIM_NEVER;
}

static bool is_hold(const wv_sim *s, const wv_fault *fl);

/* When something that left at `left` and would arrive at `at` arrives,
 * held by TCP across the short partitions of f it meets: lost on the way,
 * it is sent again and comes a trip after the heal. *cut gets when the
 * first of those began (the bytes stopped coming), or WV_SIM_NEVER. */
static int64_t held(const wv_sim *s, int f, int64_t left, int64_t at, int64_t *cut)
{
    *cut = WV_SIM_NEVER;
    for (bool moved = true; moved;) {
        moved = false;
        for (int i = 0; i < s->cfg.nfaults[f]; i++) {
            const wv_fault *fl = &s->cfg.faults[f][i];
            int64_t after = add_sat(fl->to, latency_at(s, f, fl->to));
            if (is_hold(s, fl) && at >= fl->from && left < fl->to && after > at) {
                at = after;
                moved = true;
                if (fl->from < *cut)
                    *cut = fl->from;
            }
        }
    }
    return at;
}

/* One try at carrying message m, ready at `ready`, over connection c whose
 * link is free at *send_free and whose last arrival was at *last_written
 * (both moved on). Returns the arrival, WV_SIM_NEVER when c is down before
 * m can depart; at or past c->until means lost on the wire. *cut: as for
 * held. */
static int64_t carry(const wv_sim *s, int f, const conn *c, size_t m, int64_t ready,
                     int64_t *send_free, int64_t *last_written, int64_t *depart, int64_t *cut)
{
    *cut = WV_SIM_NEVER;
    *depart = max64(ready, max64(c->data_from, *send_free));
    if (*depart >= c->until)
        return WV_SIM_NEVER; /* the leader holds it until the link is back */
    *send_free = add_sat(*depart, wire_time(s->msgs[m].text_len, s->cfg.link[f].bandwidth_bps));
    int64_t w = add_sat(*send_free, add_sat(latency_at(s, f, *depart), jitter(s, f, m)));
    w = held(s, f, *depart, w, cut);
    if (w < *last_written)
        w = *last_written; /* one ordered stream: never overtake */
    *last_written = w;
    return w;
}

/* When a physical standby may receive message m, behind the one before it
 * (*last, moved on). A commit record leaves with its unit (it is flushed
 * then). A change before it was written when its LSN says, interpolated
 * between the commits before and at its own, the only times the stream
 * gives (by its place in the transaction when the stream has no LSNs),
 * and leaves when the WAL writer's next wakeup flushes it. */
static int64_t standby_ready(const wv_sim *s, size_t m, int64_t *last)
{
    uint32_t u = s->msgs[m].txn;
    const txn *t = &s->txns[u];
    int64_t ready = t->ready;
    if (m != t->last && u > 0) {
        const txn *p = &s->txns[u - 1];
        uint64_t lp = s->max_lsn[p->last], lc = s->msgs[t->last].lsn, l = s->msgs[m].lsn;
        int64_t est = p->time, d = s->cfg.wal_writer_delay_us;
        double span = (double)(t->time - p->time);
        if (l == 0 || lc == 0) /* a stream without LSNs: by position */
            est += (int64_t)(span * (double)(m - t->first + 1) / (double)(t->last - t->first + 1));
        else if (l > lp && lc > lp)
            est += (int64_t)(span * (double)((l < lc ? l : lc) - lp) / (double)(lc - lp));
        est = add_sat(est - est % d, d);
        if (est < ready)
            ready = est;
    }
    if (ready < *last)
        ready = *last;
    *last = ready;
    return ready;
}

/* When the walreceiver has read all it can of the burst that m, written at
 * w on connection k, belongs to: what of the rest of m's transaction is
 * sent back to back behind it arrives on the same connection (walreceiver.c
 * reads until the socket is empty, then fsyncs once). Computed once per
 * burst. */
static int64_t burst_end(wv_sim *s, int f, int k, size_t m, int64_t w)
{
    follower_state *st = &s->fs[f];
    uint32_t u = s->msgs[m].txn;
    if (st->burst_txn == u && st->burst_conn == k && w <= st->burst_end)
        return st->burst_end; /* past its end, m begins a burst of its own */
    const conn *c = &st->conns[k];
    bool standby = s->cfg.link[f].kind == WV_KIND_PHYSICAL;
    int64_t send_free = c->send_free, last_written = c->last_written, last_ready = st->last_ready;
    int64_t depart, cut, end = w;
    for (size_t j = m + 1; j <= s->txns[u].last; j++) {
        int64_t ready = standby ? standby_ready(s, j, &last_ready) : s->txns[u].ready, before = send_free;
        int64_t wj = carry(s, f, c, j, ready, &send_free, &last_written, &depart, &cut);
        if (depart > before)
            break; /* not sent back to back: the socket ran empty */
        /* The bytes stop when the link goes, or a short cut holds the
         * rest back: the socket is empty then. */
        int64_t stop = depart >= c->until || wj >= c->until ? c->until : WV_SIM_NEVER;
        if (cut != WV_SIM_NEVER && cut > end && cut < stop)
            stop = cut;
        if (stop != WV_SIM_NEVER) {
            end = max64(end, stop);
            break;
        }
        end = wj;
    }
    st->burst_txn = u;
    st->burst_conn = k;
    st->burst_end = end;
    return end;
}

/* The end of the fsync that covers a write at w, read in a burst that ends
 * at `end`: one fsync covers everything written before it starts, and the
 * next one starts when the burst is read and the one before has finished. */
static int64_t flush_for(wv_sim *s, int f, int64_t w, int64_t end)
{
    follower_state *st = &s->fs[f];
    if (w <= st->flush_start)
        return st->flush_end;
    st->flush_start = max64(max64(w, end), st->flush_end);
    st->flush_end = add_sat(st->flush_start, s->cfg.link[f].flush_us);
    return st->flush_end;
}

/* Replays message m from `from` on, after the one before it, which
 * ended at *last (moved on); a stopped or crashed follower replays
 * nothing: a standby's replay waits for its restart, a subscriber's apply
 * worker loses what it was given (WV_SIM_NEVER). */
static int64_t replay(const wv_sim *s, int f, size_t m, int64_t from, int64_t *last, bool waits)
{
    int64_t start = max64(from, *last);
    int64_t cost = apply_cost(s, f, m);
    for (bool moved = true; moved;) {
        moved = false;
        for (int i = 0; i < s->cfg.nfaults[f]; i++) {
            const wv_fault *fl = &s->cfg.faults[f][i];
            if (fl->kind != WV_FAULT_PARTITION && start < fl->to && add_sat(start, cost) >= fl->from) {
                if (!waits) {
                    *last = max64(*last, fl->from); /* nothing after it either */
                    return WV_SIM_NEVER;
                }
                start = fl->to;
                moved = true;
            }
        }
    }
    *last = add_sat(start, cost);
    return *last;
}

/* A subscriber commits what it applied with synchronous_commit off (its
 * subscription's default): the WAL writer flushes it at its next wakeup. */
static int64_t lazy_flush(const wv_sim *s, int f, int64_t applied)
{
    int64_t d = s->cfg.wal_writer_delay_us;
    if (applied == WV_SIM_NEVER)
        return WV_SIM_NEVER;
    return add_sat(add_sat(applied - applied % d, d), s->cfg.link[f].flush_us);
}

static void schedule_msg(wv_sim *s, int f, size_t m, int64_t ready)
{
    follower_state *st = &s->fs[f];
    int64_t sent = WV_SIM_NEVER, written = WV_SIM_NEVER, flushed = WV_SIM_NEVER, applied = WV_SIM_NEVER;
    bool resent = false, logical = s->cfg.link[f].kind == WV_KIND_LOGICAL;

    while (st->first_conn < st->nconns && (st->conns[st->first_conn].until <= ready ||
                                           st->conns[st->first_conn].send_free >= st->conns[st->first_conn].until))
        st->first_conn++;
    /* One attempt per connection, until one delivers it. */
    for (int k = st->first_conn; k < st->nconns; k++) {
        conn *c = &st->conns[k];
        int64_t depart, cut, idle_from = max64(c->send_free, c->data_from);
        int64_t w = carry(s, f, c, m, ready, &c->send_free, &c->last_written, &depart, &cut);
        if (depart >= c->until)
            continue;
        if (c->streaming == WV_SIM_NEVER && ready >= idle_from)
            c->streaming = idle_from; /* it had sent everything before m was ready */
        if (sent == WV_SIM_NEVER)
            sent = depart;
        if (w >= c->until) {
            resent = true; /* on the wire when the link went: sent again */
            continue;
        }
        if (written == WV_SIM_NEVER)
            written = w; /* the first arrival stays, even if a crash loses it */
        /* A subscriber's apply worker applies what it receives at once, and
         * its commit is flushed later (worker.c); a standby flushes what it
         * received and replays what is flushed. */
        int64_t a = WV_SIM_NEVER;
        if (logical) {
            /* in the order of arrival: what a crash undid is applied
             * again on the next connection, after what came before it */
            for (int j = 0; j < k; j++)
                c->last_applied = max64(c->last_applied, st->conns[j].last_applied);
            a = replay(s, f, m, w, &c->last_applied, false);
        }
        if (applied == WV_SIM_NEVER)
            applied = a; /* the first application stays, even if a crash undoes it */
        if (logical && a == WV_SIM_NEVER) {
            resent = true; /* its apply worker died before applying it */
            continue;
        }
        int64_t fl = logical ? lazy_flush(s, f, a) : flush_for(s, f, w, burst_end(s, f, k, m, w));
        int lost_at = -1;
        for (int j = k; j < st->nconns && st->conns[j].until <= fl && lost_at < 0; j++)
            if (st->conns[j].crash <= fl)
                lost_at = j;
        if (lost_at < 0) {
            flushed = fl;
            break;
        }
        /* The follower crashed before the fsync finished. The fsync in
         * progress died with it: the next one starts after the restart. */
        int64_t restart = lost_at + 1 < st->nconns ? st->conns[lost_at + 1].from : WV_SIM_NEVER;
        if (st->flush_reset < lost_at) {
            st->flush_reset = lost_at;
            st->flush_start = restart - 1;
            st->flush_end = restart;
        }
        if (!st->conns[lost_at].loses && !logical) {
            /* Only the process died: the written WAL is in the page
             * cache, and the restarted standby streams from its end. (A
             * subscriber resumes from its last flushed commit.) */
            flushed = restart;
            break;
        }
        /* The machine died: lost, and sent again after the restart from
         * the flush position (what else arrived on that connection is
         * lost too). */
        resent = true;
        k = lost_at;
    }

    if (!logical && flushed != WV_SIM_NEVER)
        applied = replay(s, f, m, flushed, &st->last_applied, true); /* flushed WAL, in order */
    set_stage(s, f, m, WV_STAGE_SENT, sent);
    set_stage(s, f, m, WV_STAGE_WRITTEN, written);
    set_stage(s, f, m, WV_STAGE_FLUSHED, flushed);
    set_stage(s, f, m, WV_STAGE_APPLIED, applied);
    set_resent(s, f, m, resent);
#ifndef NDEBUG
    /* what every query's binary search relies on */
    for (int stg = 0; m > 0 && stg < WV_STAGE_COUNT; stg++)
        WV_ASSERT(stage_at(s, f, m - 1, (wv_stage)stg) <= stage_at(s, f, m, (wv_stage)stg));
#endif
}

static void schedule_follower(wv_sim *s, int f)
{
    follower_state *st = &s->fs[f];
    bool standby = s->cfg.link[f].kind == WV_KIND_PHYSICAL;
    for (; st->next_txn < s->ntxns && s->txns[st->next_txn].time != WV_SIM_NEVER; st->next_txn++) {
        const txn *t = &s->txns[st->next_txn];
        for (size_t m = t->first; m <= t->last; m++)
            schedule_msg(s, f, m, standby ? standby_ready(s, m, &st->last_ready) : t->ready);
    }
}

/* A partition shorter than wal_sender_timeout ends no connection: TCP
 * holds what is on the wire and delivers it after the heal. */
static bool is_hold(const wv_sim *s, const wv_fault *fl)
{
    return fl->kind == WV_FAULT_PARTITION && fl->to != WV_SIM_NEVER &&
           fl->to - fl->from <= s->cfg.sender_timeout_us;
}

/* When the leader's walsender notices the outage fl and exits: at once for
 * a process crash (the connection is reset), after wal_sender_timeout for
 * a machine crash or a cut (walsender.c, WalSndCheckTimeOut). */
static int64_t noticed(const wv_sim *s, const wv_fault *fl)
{
    return fl->kind == WV_FAULT_STOP ? fl->from : add_sat(fl->from, s->cfg.sender_timeout_us);
}

/* A connection from the follower at `from`, up until `until`. After an
 * outage the walreceiver connects, then a round trip each for the
 * connection and IDENTIFY_SYSTEM before its START_REPLICATION arrives. */
static conn new_conn(const wv_sim *s, int f, int64_t from, int64_t until, bool first)
{
    const int64_t early = INT64_MIN / 4;
    conn c = { from, until, WV_SIM_NEVER, false, from, WV_SIM_NEVER, WV_SIM_NEVER, early, early, early };
    if (!first)
        c.data_from = add_sat(from, 3 * latency_at(s, f, from));
    return c;
}

/* Back to the start, with the connections the follower's faults leave. */
static void reset_follower(wv_sim *s, int f)
{
    follower_state *st = &s->fs[f];
    const int64_t early = INT64_MIN / 4;
    const wv_fault *faults = s->cfg.faults[f];
    int nfaults = 0, order[WV_SIM_MAX_FAULTS];
    for (int i = 0; i < s->cfg.nfaults[f]; i++) {
        if (is_hold(s, &faults[i]))
            continue;
        int k = nfaults++;
        for (; k > 0 && faults[order[k - 1]].from > faults[i].from; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    st->nconns = 1;
    st->conns[0] = new_conn(s, f, early, WV_SIM_NEVER, true);
    int64_t down_to = early; /* end of the outage being merged */
    for (int i = 0; i < nfaults; i++) {
        const wv_fault *fl = &faults[order[i]];
        conn *c = &st->conns[st->nconns - 1];
        int64_t crash = fl->kind != WV_FAULT_PARTITION ? fl->from : WV_SIM_NEVER;
        if (c->until == WV_SIM_NEVER) {
            c->until = fl->from; /* the first fault of an outage ends the connection */
            c->crash = crash;
            c->loses = fl->kind == WV_FAULT_CRASH;
            c->gone = noticed(s, fl);
            down_to = fl->to;
            continue;
        }
        if (fl->from <= down_to) { /* overlaps the outage: part of it */
            down_to = max64(down_to, fl->to);
            if (crash < c->crash)
                c->crash = crash;
            c->loses |= fl->kind == WV_FAULT_CRASH;
            if (noticed(s, fl) < c->gone)
                c->gone = noticed(s, fl);
            continue;
        }
        if (down_to == WV_SIM_NEVER)
            break;
        if (c->gone > down_to)
            c->gone = down_to; /* a new connection resets the old one */
        st->conns[st->nconns] = new_conn(s, f, down_to, fl->from, false);
        c = &st->conns[st->nconns++];
        c->crash = crash;
        c->loses = fl->kind == WV_FAULT_CRASH;
        c->gone = noticed(s, fl);
        down_to = fl->to;
    }
    conn *last = &st->conns[st->nconns - 1];
    if (last->until != WV_SIM_NEVER && down_to != WV_SIM_NEVER) {
        if (last->gone > down_to)
            last->gone = down_to;
        st->conns[st->nconns++] = new_conn(s, f, down_to, WV_SIM_NEVER, false);
    }
    st->first_conn = 0;
    st->flush_reset = -1;
    st->burst_txn = UINT32_MAX;
    st->flush_start = st->flush_end = st->last_applied = st->last_ready = early;
    st->next_txn = 0;
    s->nfar[f] = 0; /* every scheduled message is written again */
}

static void reschedule_follower(wv_sim *s, int f)
{
    reset_follower(s, f);
    schedule_follower(s, f);
}

/* --- synchronous_commit ------------------------------------------------- */

static wv_stage stage_for(wv_sync_level level)
{
    return level == WV_SYNC_REMOTE_WRITE ? WV_STAGE_WRITTEN
         : level == WV_SYNC_ON           ? WV_STAGE_FLUSHED
                                         : WV_STAGE_APPLIED;
}

/* The first of units[0..n) (sorted) at or after unit u, or SIZE_MAX. */
static size_t unit_from(const size_t *units, size_t n, size_t u)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (units[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? units[lo] : SIZE_MAX;
}

/* The last message of the first commit from m's transaction on (with
 * rollbacks: or ROLLBACK PREPARED, which a subscriber confirms as it
 * confirms a commit), or SIZE_MAX when none follows. */
static size_t commit_from(const wv_sim *s, size_t m, bool rollbacks)
{
    size_t u = unit_from(s->commits, s->ncommits, s->msgs[m].txn);
    if (rollbacks) {
        size_t r = unit_from(s->rollbacks, s->nrollbacks, s->msgs[m].txn);
        if (r < u)
            u = r;
    }
    return u == SIZE_MAX ? SIZE_MAX : s->txns[u].last;
}

/* A subscriber reports as worker.c's send_feedback does, after it has
 * applied what it read: write is what it received; apply and flush move
 * by whole transactions, apply once the commit is applied, flush once the
 * WAL writer has flushed it. (The real feedback carrying a flush goes out
 * with the next data it reads, or at its wakeup within a second; walviz
 * sends it at once, so that a commit's acknowledgement never depends on
 * what comes after it.) */
static int64_t subscriber_reported(const wv_sim *s, int f, size_t m, wv_stage stage)
{
    if (stage == WV_STAGE_WRITTEN)
        return stage_at(s, f, m, WV_STAGE_APPLIED);
    size_t c = commit_from(s, m, true);
    if (c == SIZE_MAX)
        c = m; /* nothing to commit after it: reported as received */
    return stage_at(s, f, c, stage);
}

/* When a follower sends the reply that reports message m at stage. A
 * subscriber: above. A standby's walreceiver replies after each write and
 * each flush (walreceiver.c, XLogWalRcvSendReply), with the replay
 * position of that moment; the startup process asks for a reply when it
 * has replayed all that is flushed (xlogrecovery.c,
 * WaitForWALToBecomeAvailable), and after a commit made under
 * remote_apply (XactCompletionApplyFeedback). So a replay is reported at
 * once only then, else with the next write or flush. */
static int64_t reported(const wv_sim *s, int f, size_t m, wv_stage stage)
{
    if (stage != WV_STAGE_SENT && s->cfg.link[f].kind == WV_KIND_LOGICAL)
        return subscriber_reported(s, f, m, stage);
    int64_t a = stage_at(s, f, m, stage);
    if (stage != WV_STAGE_APPLIED || a == WV_SIM_NEVER)
        return a;
    int64_t e = WV_SIM_NEVER;
    size_t c = commit_from(s, m, false);
    if (s->cfg.sync == WV_SYNC_REMOTE_APPLY && c != SIZE_MAX)
        e = stage_at(s, f, c, WV_STAGE_APPLIED); /* the next commit's */
    size_t nf = count_le(s, f, WV_STAGE_FLUSHED, a), nw = count_le(s, f, WV_STAGE_WRITTEN, a);
    if (nf < s->nmsgs && stage_at(s, f, nf, WV_STAGE_FLUSHED) < e)
        e = stage_at(s, f, nf, WV_STAGE_FLUSHED); /* the next flush */
    if (nw < s->nmsgs && stage_at(s, f, nw, WV_STAGE_WRITTEN) < e)
        e = stage_at(s, f, nw, WV_STAGE_WRITTEN); /* the next write */
    if (stage_at(s, f, nf - 1, WV_STAGE_APPLIED) < e)
        e = stage_at(s, f, nf - 1, WV_STAGE_APPLIED); /* replay catches up with the flush first */
    return e;
}

typedef int64_t (*msg_time_fn)(const wv_sim *s, int f, size_t m, wv_stage stage);

/* Messages whose time(m, stage) on f is <= t, that time being
 * non-decreasing along the stream: a prefix. */
static size_t count_by(const wv_sim *s, int f, wv_stage stage, int64_t t, msg_time_fn time)
{
    size_t lo = 0, hi = s->nmsgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (time(s, f, mid, stage) <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A reply takes the link's latency back, never overtakes an earlier one,
 * is held by TCP across a short cut, and one cut off by an outage is
 * repeated when the follower reconnects; the leader releases waiting
 * commits when a reply arrives. */
int64_t wv_sim_stage_known(const wv_sim *s, int f, size_t m, wv_stage stage)
{
    int64_t at = reported(s, f, m, stage);
    if (at == WV_SIM_NEVER || stage == WV_STAGE_SENT)
        return at; /* the leader knows what it sent */
    const follower_state *st = &s->fs[f];
    for (int k = 0; k < st->nconns; k++) {
        const conn *c = &st->conns[k];
        int64_t sent = max64(at, c->data_from);
        if (sent >= c->until)
            continue;
        int64_t back = add_sat(sent, latency_at(s, f, sent));
        /* After a drop in latency, behind the last reply sent before it. */
        for (int i = 0; i < s->nlat[f] && s->lat[f][i].from <= sent; i++) {
            size_t before = count_by(s, f, stage, s->lat[f][i].from - 1, reported);
            if (s->lat[f][i].from > c->data_from && before > 0) {
                int64_t prev = max64(reported(s, f, before - 1, stage), c->data_from);
                back = max64(back, add_sat(prev, latency_at(s, f, prev)));
            }
        }
        int64_t cut;
        back = held(s, f, sent, back, &cut);
        if (back < c->until)
            return back;
    }
    return WV_SIM_NEVER;
}

/* --- the leader's walsenders ------------------------------------------- */

/* When the walsender of connection k had sent its backlog: found while
 * scheduling, or, when nothing was ready after it, when its last message
 * left. WV_SIM_NEVER when the connection ended first. */
static int64_t streaming_from(const conn *c)
{
    if (c->streaming != WV_SIM_NEVER)
        return c->streaming;
    int64_t t = max64(c->send_free, c->data_from);
    return t < c->gone ? t : WV_SIM_NEVER;
}

/* When the leader sees the walreceiver of connection k: a trip after it
 * connects (the first is there from the start). */
static int64_t startup_at(const wv_sim *s, int f, int k)
{
    const conn *c = &s->fs[f].conns[k];
    return k == 0 ? c->from : add_sat(c->from, latency_at(s, f, c->from));
}

wv_walsnd_state wv_sim_walsnd_state(const wv_sim *s, int f, int64_t t)
{
    const follower_state *st = &s->fs[f];
    for (int k = 0; k < st->nconns; k++) {
        const conn *c = &st->conns[k];
        if (t < startup_at(s, f, k) || t >= c->gone)
            continue;
        return t < c->data_from ? WV_WALSND_STARTUP : t < streaming_from(c) ? WV_WALSND_CATCHUP : WV_WALSND_STREAMING;
    }
    return WV_WALSND_NONE;
}

int64_t wv_sim_next_state_change(const wv_sim *s, int f, int64_t t)
{
    const follower_state *st = &s->fs[f];
    int64_t best = WV_SIM_NEVER;
    for (int k = 0; k < st->nconns; k++) {
        const conn *c = &st->conns[k];
        int64_t at[4] = { startup_at(s, f, k), c->data_from, streaming_from(c), c->gone };
        for (int i = 0; i < 4; i++)
            if (at[i] > t && at[i] < best)
                best = at[i];
    }
    return best;
}

/* A listed standby with a connection whose walsender may still be catching
 * up at t: its state then depends on units not scheduled yet. */
static bool state_unsettled(const wv_sim *s, int f, int64_t t)
{
    const follower_state *st = &s->fs[f];
    for (int k = 0; k < st->nconns; k++)
        if (st->conns[k].streaming == WV_SIM_NEVER && st->conns[k].gone > t && k > 0)
            return true;
    return false;
}

#define STATUS_INTERVAL_US 10000000 /* wal_receiver_status_interval */

static wv_sync_state sync_state(const wv_sim *s, int f, int64_t t)
{
    const wv_sim_cfg *c = &s->cfg;
    int ahead = 0; /* listed before f, and streaming */
    for (int i = 0; i < c->nsync_standbys; i++) {
        int g = c->sync_standbys[i];
        bool streaming = wv_sim_walsnd_state(s, g, t) == WV_WALSND_STREAMING;
        if (g != f) {
            ahead += streaming;
            continue;
        }
        if (!streaming)
            return WV_SYNC_STATE_POTENTIAL;
        if (c->sync_any)
            return WV_SYNC_STATE_QUORUM;
        return ahead < c->sync_num ? WV_SYNC_STATE_SYNC : WV_SYNC_STATE_POTENTIAL;
    }
    return WV_SYNC_STATE_ASYNC;
}

void wv_sim_replication_row(const wv_sim *s, int f, int64_t t, wv_replication_row *r)
{
    memset(r, 0, sizeof *r);
    r->write_lag = r->flush_lag = r->replay_lag = WV_SIM_LAG_NULL;
    r->state = wv_sim_walsnd_state(s, f, t);
    if (r->state == WV_WALSND_NONE)
        return;
    r->sync_state = sync_state(s, f, t);
    uint64_t origin = s->nmsgs ? s->msgs[0].lsn : 0;
    size_t sent = count_le(s, f, WV_STAGE_SENT, t), known = 0;
    r->sent_lsn = sent ? s->max_lsn[sent - 1] : origin;
    uint64_t *lsn[WV_STAGE_COUNT] = { NULL, &r->write_lsn, &r->flush_lsn, &r->replay_lsn };
    int64_t *lag[WV_STAGE_COUNT] = { NULL, &r->write_lag, &r->flush_lag, &r->replay_lag };
    for (int st = WV_STAGE_WRITTEN; st < WV_STAGE_COUNT; st++) {
        known = count_by(s, f, (wv_stage)st, t, wv_sim_stage_known);
        *lsn[st] = known ? s->max_lsn[known - 1] : origin;
        /* walsender.c, LagTrackerRead: from the send of the newest WAL a
         * reply confirms to that reply's arrival; kept while idle */
        if (known)
            *lag[st] = wv_sim_stage_known(s, f, known - 1, (wv_stage)st) -
                       stage_at(s, f, known - 1, WV_STAGE_SENT);
    }
    /* ProcessStandbyReplyMessage: two replies in a row saying all that was
     * sent is replayed clear the lags; the second comes a status interval
     * after the first, the walreceiver having nothing else to say. */
    if (known >= sent &&
        (sent == 0 || t >= add_sat(wv_sim_stage_known(s, f, sent - 1, WV_STAGE_APPLIED), STATUS_INTERVAL_US)))
        r->write_lag = r->flush_lag = r->replay_lag = WV_SIM_LAG_NULL;
}

static const char *const walsnd_names[] = { NULL, "startup", "catchup", "streaming" };
static const char *const sync_state_names[] = { "async", "potential", "sync", "quorum" };

const char *wv_walsnd_state_name(wv_walsnd_state state)
{
    return walsnd_names[state];
}

const char *wv_sync_state_name(wv_sync_state state)
{
    return sync_state_names[state];
}

/* --- synchronous_commit ------------------------------------------------- */

/* The standbys whose confirmation counts at t (syncrep.c,
 * SyncRepGetCandidateStandbys): only walsenders in state streaming; FIRST
 * n takes the first n of them by priority, ANY n any n. Returns true when
 * those confirm message m at stage (known[i]: the reply for listed i), and
 * sets *set to them. */
static bool confirmed(const wv_sim *s, const int64_t *known, int64_t t, unsigned *set)
{
    const wv_sim_cfg *c = &s->cfg;
    int chosen = 0, done = 0;
    unsigned first = 0;
    int64_t order[WV_SIM_MAX_FOLLOWERS];
    int idx[WV_SIM_MAX_FOLLOWERS], n = 0;
    for (int i = 0; i < c->nsync_standbys && (c->sync_any || chosen < c->sync_num); i++) {
        int f = c->sync_standbys[i];
        if (wv_sim_walsnd_state(s, f, t) != WV_WALSND_STREAMING)
            continue;
        chosen++;
        first |= 1u << f;
        if (known[i] <= t) {
            done++;
            /* ANY: the n earliest replies, ties by priority */
            int k = n++;
            for (; k > 0 && order[k - 1] > known[i]; k--)
                order[k] = order[k - 1], idx[k] = idx[k - 1];
            order[k] = known[i], idx[k] = f;
        }
    }
    if (!c->sync_any) {
        *set = first;
        return chosen == c->sync_num && done == chosen;
    }
    if (done < c->sync_num)
        return false;
    *set = 0;
    for (int i = 0; i < c->sync_num; i++)
        *set |= 1u << idx[i];
    return true;
}

/* The first t >= from when the leader knows the synchronous standbys have
 * reached stage for message m. That can start to hold only when a reply
 * arrives or a standby's walsender changes state. */
static int64_t ack_time(const wv_sim *s, size_t m, int64_t from, wv_stage stage, unsigned *acked)
{
    const wv_sim_cfg *c = &s->cfg;
    int64_t known[WV_SIM_MAX_FOLLOWERS];
    int64_t cand[WV_SIM_MAX_FOLLOWERS * (4 * (WV_SIM_MAX_FAULTS + 1) + 1) + 1];
    int n = 0;
    cand[n++] = from;
    for (int i = 0; i < c->nsync_standbys; i++) {
        int f = c->sync_standbys[i];
        known[i] = wv_sim_stage_known(s, f, m, stage);
        if (known[i] != WV_SIM_NEVER && known[i] > from)
            cand[n++] = known[i];
        for (int64_t t = wv_sim_next_state_change(s, f, from); t != WV_SIM_NEVER;
             t = wv_sim_next_state_change(s, f, t))
            cand[n++] = t;
    }
    int64_t best = WV_SIM_NEVER;
    for (int i = 0; i < n; i++) {
        unsigned set;
        if (cand[i] < best && confirmed(s, known, cand[i], &set)) {
            best = cand[i];
            *acked = set;
        }
    }
    return best;
}

/* Units whose end waits for synchronous standbys (SyncRepWaitForLSN):
 * commits, and the two-phase records (xact.c: EndPrepare,
 * RecordTransactionAbortPrepared). */
static bool waits_for_standbys(const wv_sim *s, const txn *t)
{
    return t->is_commit || s->msgs[t->last].op == WV_OP_ROLLBACK_PREPARED;
}

bool wv_sim_txn_waits(const wv_sim *s, size_t u)
{
    return waits_for_standbys(s, &s->txns[u]);
}

static void compute_ack(wv_sim *s, size_t u)
{
    txn *t = &s->txns[u];
    t->acked = 0;
    if (t->time == WV_SIM_NEVER) {
        t->ack = WV_SIM_NEVER;
        return;
    }
    const wv_sim_cfg *c = &s->cfg;
    if (!waits_for_standbys(s, t) || c->sync <= WV_SYNC_LOCAL || c->nsync_standbys == 0) {
        t->ack = t->time;
        return;
    }
    wv_stage stage = stage_for(c->sync);
    /* SyncRepWaitForLSN (syncrep.c) waits at most for the flush of what
     * is not a commit: a PREPARE or a ROLLBACK PREPARED makes nothing
     * visible. */
    wv_op op = (wv_op)s->msgs[t->last].op;
    if (op != WV_OP_COMMIT && op != WV_OP_COMMIT_PREPARED && op != WV_OP_STREAM_COMMIT && stage > WV_STAGE_FLUSHED)
        stage = WV_STAGE_FLUSHED;
    t->ack = ack_time(s, t->last, t->time, stage, &t->acked);
    /* The leader releases waiting commits in LSN order. */
    for (size_t p = u; p-- > 0;) {
        if (waits_for_standbys(s, &s->txns[p])) {
            if (s->txns[p].ack > t->ack)
                t->ack = s->txns[p].ack;
            break;
        }
    }
}

static void recompute_acks(wv_sim *s, size_t from)
{
    for (size_t u = from; u < s->ntxns; u++)
        compute_ack(s, u);
}

int64_t wv_sim_txn_ack(const wv_sim *s, size_t u, unsigned *acked)
{
    if (acked)
        *acked = s->txns[u].acked;
    return s->txns[u].ack;
}

/* --- leader time and units ---------------------------------------------- */

/* The open unit's own clock reading: its commit timestamp (the last
 * message's), else when its last message was received; 0 when neither is
 * known. */
static int64_t raw_time(wv_sim *s, const wv_meta *last_meta)
{
    wv_time_source src = s->cfg.time_source;
    if (src == WV_TIME_UNIFORM)
        return 0;
    if (src != WV_TIME_RECEIVE) {
        if (s->last_stamp)
            return s->last_stamp;
        if (src == WV_TIME_COMMIT)
            return 0;
    }
    return last_meta ? last_meta->recv_us : 0;
}

/* When unit u may leave: logical decoding reads only flushed WAL. A
 * commit under synchronous_commit off is not flushed by its backend but
 * by the WAL writer, which wakes every wal_writer_delay (walwriter.c,
 * XLogSetAsyncXactLSN); WAL is flushed in order, so nothing leaves before
 * the unit ahead of it. */
static void set_ready(wv_sim *s, size_t u)
{
    txn *t = &s->txns[u];
    int64_t ready = t->time, d = s->cfg.wal_writer_delay_us;
    wv_op op = (wv_op)s->msgs[t->last].op;
    if (s->cfg.sync == WV_SYNC_OFF && d > 0 && (op == WV_OP_COMMIT || op == WV_OP_STREAM_COMMIT))
        ready = add_sat(ready - ready % d, d); /* the WAL writer's next wakeup */
    if (u > 0 && s->txns[u - 1].ready > ready)
        ready = s->txns[u - 1].ready;
    t->ready = ready;
}

static void close_unit(wv_sim *s, const wv_meta *last_meta)
{
    size_t u = s->ntxns - 1;
    txn *t = &s->txns[u];
    t->closed = true;
    int64_t raw = raw_time(s, last_meta);
    int64_t time;
    if (s->cfg.time_source == WV_TIME_UNIFORM || (raw == 0 && !s->have_epoch)) {
        time = u == 0 ? 0 : s->last_time + s->cfg.uniform_us;
        if (raw == 0 && s->cfg.time_source != WV_TIME_UNIFORM && u > 0)
            time = s->last_time; /* no clock of its own: goes with the last one */
    } else if (!s->have_epoch) {
        s->have_epoch = true;
        s->epoch_us = raw;
        s->last_raw_us = raw;
        time = u == 0 ? 0 : s->last_time + s->cfg.uniform_us;
    } else {
        if (raw == 0 || raw < s->last_raw_us)
            raw = s->last_raw_us; /* commit order is stream order */
        /* Unsigned: clocks from INT64_MIN to INT64_MAX are 2^64 - 1 apart. */
        uint64_t diff = (uint64_t)raw - (uint64_t)s->last_raw_us;
        int64_t delta = diff > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)diff;
        if (delta > s->cfg.max_gap_us) {
            GROW(s->gaps, s->ngaps, s->gaps_cap);
            s->gaps[s->ngaps++] = (wv_gap){ s->last_time, delta };
            delta = s->cfg.max_gap_us;
        }
        time = s->last_time + delta;
        s->last_raw_us = raw;
    }
    if (u > 0 && time < s->last_time)
        time = s->last_time;
    t->time = time;
    s->last_time = time;
    set_ready(s, u);
    if (t->is_commit) {
        GROW(s->commits, s->ncommits, s->commits_cap);
        s->commits[s->ncommits++] = u;
    } else if (s->msgs[t->last].op == WV_OP_ROLLBACK_PREPARED) {
        GROW(s->rollbacks, s->nrollbacks, s->rollbacks_cap);
        s->rollbacks[s->nrollbacks++] = u;
    }
    /* A standby still catching up on a new connection: whether it was
     * streaming at a commit's ack may change with this unit (its backlog
     * grows, from the commit before this one on, when a physical standby
     * gets its changes early), so the commits still waiting are computed
     * again. */
    int64_t since = u > 0 ? s->txns[u - 1].time : time;
    bool unsettled = false;
    for (int i = 0; i < s->cfg.nsync_standbys; i++)
        unsettled |= state_unsettled(s, s->cfg.sync_standbys[i], since);
    for (int f = 0; f < s->cfg.nfollowers; f++)
        schedule_follower(s, f);
    size_t p = u;
    while (unsettled && p > 0 && !(waits_for_standbys(s, &s->txns[p - 1]) && s->txns[p - 1].ack < since))
        p--;
    recompute_acks(s, p);
}

static void open_unit(wv_sim *s, size_t first)
{
    GROW(s->txns, s->ntxns, s->txns_cap);
    s->txns[s->ntxns++] = (txn){ first, first, WV_SIM_NEVER, WV_SIM_NEVER, WV_SIM_NEVER, 0, 0, false, false };
}

static void ensure_stage_capacity(wv_sim *s, size_t n)
{
    if (n <= s->stage_cap)
        return;
    size_t cap = s->stage_cap ? s->stage_cap : 1024;
    while (cap < n)
        cap *= 2;
    /* Not filled here: wv_sim_add sets each message's entries, so the
     * room to grow costs address space, not memory. */
    for (int f = 0; f < s->cfg.nfollowers; f++) {
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            s->stage[f][st] = wv_xrealloc(s->stage[f][st], cap * sizeof(uint32_t));
        s->resent[f] = wv_xrealloc(s->resent[f], cap / 8); /* cap: 1024 times a power of 2 */
    }
    s->stage_cap = cap;
}

static void prepare_rows(wv_sim *s, const wv_change *c, size_t first, size_t last)
{
    s->prepared = wv_xrealloc(s->prepared, (s->nprepared + 1) * sizeof *s->prepared);
    pending_prepare *p = &s->prepared[s->nprepared++];
    p->gid = wv_slice_dup(c->gid);
    p->first = first;
    p->last = last;
}

/* COMMIT PREPARED makes the prepared changes visible; ROLLBACK PREPARED
 * drops them. */
static void resolve_prepared(wv_sim *s, const wv_change *c, size_t vis, bool commit)
{
    for (size_t i = 0; i < s->nprepared; i++) {
        pending_prepare *p = &s->prepared[i];
        if (!wv_slice_eq(c->gid, p->gid))
            continue;
        if (commit)
            wv_rows_release(s->rows, p->first, p->last, vis);
        else
            wv_rows_drop(s->rows, p->first, p->last);
        free(p->gid);
        s->prepared[i] = s->prepared[--s->nprepared];
        return;
    }
}

void wv_sim_add(wv_sim *s, const wv_change *c, const wv_meta *meta, wv_slice text)
{
    size_t m = s->nmsgs;
    GROW(s->msgs, s->nmsgs, s->msgs_cap);
    if (s->msgs_cap > s->stage_cap) {
        ensure_stage_capacity(s, s->msgs_cap);
        s->max_lsn = wv_xrealloc(s->max_lsn, s->stage_cap * sizeof *s->max_lsn);
    }
    for (int f = 0; f < s->cfg.nfollowers; f++) {
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            s->stage[f][st][m] = DELTA_NEVER; /* until its unit is scheduled */
        set_resent(s, f, m, false);
    }
    msg *mm = &s->msgs[m];
    uintptr_t at = (uintptr_t)text.ptr, base = (uintptr_t)s->borrowed;
    if (s->borrowed && at >= base && text.len <= s->borrowed_len && at - base <= s->borrowed_len - text.len) {
        mm->text_off = BORROWED | (uint64_t)(at - base); /* it stays where it is */
    } else {
        wv_grow(&s->text, &s->text_cap, s->text_len + text.len + 1);
        if (text.len)
            memcpy(s->text + s->text_len, text.ptr, text.len);
        mm->text_off = s->text_len;
        s->text_len += text.len;
    }
    mm->lsn = meta->has_lsn ? meta->lsn : 0;
    mm->text_len = (uint32_t)text.len;
    /* What the picture needs is taken from the record here, once: op,
     * xid, commit time, and the rows (held until the transaction ends). */
    wv_op op = wv_op_known((int)c->op);
    mm->op = (uint8_t)op;
    uint32_t xid = 0;
    mm->has_xid = wv_xid_settle(&s->xids, c, meta->has_xid, meta->xid, &xid);
    mm->xid = xid;
    s->max_lsn[m] = m && s->max_lsn[m - 1] > mm->lsn ? s->max_lsn[m - 1] : mm->lsn;
    s->nmsgs++;

    bool starts = op == WV_OP_BEGIN || op == WV_OP_STREAM_START;
    if (starts && (s->open_txn || s->open_stream)) {
        /* a transaction cut off before its COMMIT: its rows never happen */
        wv_rows_drop(s->rows, s->txns[s->ntxns - 1].first, m);
        close_unit(s, meta);
    }
    bool in_unit = s->open_txn || s->open_stream;
    if (starts || !in_unit) {
        open_unit(s, m);
        s->open_txn = op == WV_OP_BEGIN;
        s->open_stream = op == WV_OP_STREAM_START;
    }
    size_t u = s->ntxns - 1;
    txn *t = &s->txns[u];
    t->last = m;
    mm->txn = (uint32_t)u;
    int64_t stamp;
    s->last_stamp = c->timestamp.ptr && wv_decode_timestamp(c->timestamp, &stamp) == 0 ? stamp : 0;
    wv_rows_hold(s->rows, c, m);

    if (op == WV_OP_COMMIT_PREPARED || op == WV_OP_ROLLBACK_PREPARED)
        resolve_prepared(s, c, u, op == WV_OP_COMMIT_PREPARED);
    track_spool(s, mm, u);

    bool ends = (s->open_txn && (op == WV_OP_COMMIT || op == WV_OP_PREPARE)) ||
                (s->open_stream && op == WV_OP_STREAM_STOP) || (!s->open_txn && !s->open_stream);
    if (!ends)
        return;
    if (op == WV_OP_PREPARE)
        prepare_rows(s, c, t->first, m); /* rows wait for COMMIT PREPARED */
    else if (op == WV_OP_COMMIT)
        wv_rows_release(s->rows, t->first, m, u);
    else
        wv_rows_drop(s->rows, t->first, m); /* a row change outside BEGIN..COMMIT */
    t->is_commit = wv_op_is_commit(op);
    s->open_txn = s->open_stream = false;
    close_unit(s, meta);
}

void wv_sim_flush(wv_sim *s)
{
    if (s->open_txn || s->open_stream) {
        s->open_txn = s->open_stream = false;
        wv_rows_drop(s->rows, s->txns[s->ntxns - 1].first, s->nmsgs - 1);
        close_unit(s, NULL);
    }
}

/* --- queries ------------------------------------------------------------ */

static bool stage_below(const probe *q, size_t i)
{
    return before_t(q, stage_at(q->s, q->f, i, (wv_stage)q->which));
}

/* Number of messages whose stage st on f is <= t (< t when strict): a
 * prefix of the stream, stage times being non-decreasing along it. */
static size_t count_stage(const wv_sim *s, int f, wv_stage st, int64_t t, bool strict)
{
    probe q = { .s = s, .f = f, .which = (int)st, .t = t, .strict = strict };
    return prefix_len(s->nmsgs, stage_below, &q);
}

static size_t count_le(const wv_sim *s, int f, wv_stage st, int64_t t)
{
    return count_stage(s, f, st, t, false);
}

static bool unit_below(const probe *q, size_t i)
{
    return before_t(q, q->s->txns[i].time);
}

/* Units whose leader time is <= t (< t when strict). */
static size_t count_units(const wv_sim *s, int64_t t, bool strict)
{
    probe q = { .s = s, .t = t, .strict = strict };
    return prefix_len(s->ntxns, unit_below, &q);
}

static size_t txns_departed(const wv_sim *s, int64_t t)
{
    return count_units(s, t, false);
}

static bool unit_within(const probe *q, size_t i)
{
    return q->s->txns[i].last < q->key;
}

/* Units whose last message is < m, i.e. complete within the first m. */
static size_t txns_within(const wv_sim *s, size_t m)
{
    probe q = { .s = s, .key = m };
    return prefix_len(s->ntxns, unit_within, &q);
}

size_t wv_sim_visible(const wv_sim *s, int node, int64_t t)
{
    if (node == WV_SIM_LEADER)
        return txns_departed(s, t);
    size_t m = count_le(s, node - 1, WV_STAGE_APPLIED, t);
    return txns_within(s, m);
}

const wv_fault *wv_sim_fault_at(const wv_sim *s, int f, int64_t t)
{
    for (int i = 0; i < s->cfg.nfaults[f]; i++) {
        const wv_fault *fl = &s->cfg.faults[f][i];
        if (t >= fl->from && t < fl->to)
            return fl;
    }
    return NULL;
}

void wv_sim_positions(const wv_sim *s, int f, int64_t t, wv_positions *p)
{
    memset(p, 0, sizeof *p);
    size_t departed_txns = txns_departed(s, t);
    size_t departed = departed_txns ? s->txns[departed_txns - 1].last + 1 : 0;
    /* Before anything moved, every position is where the stream starts. */
    uint64_t origin = s->nmsgs ? s->msgs[0].lsn : 0;
    p->leader_lsn = departed ? s->max_lsn[departed - 1] : origin;
    size_t n[WV_STAGE_COUNT];
    uint64_t *lsn[WV_STAGE_COUNT] = { &p->sent_lsn, &p->write_lsn, &p->flush_lsn, &p->replay_lsn };
    int64_t *lag[WV_STAGE_COUNT] = { NULL, &p->write_lag, &p->flush_lag, &p->replay_lag };
    for (int st = 0; st < WV_STAGE_COUNT; st++) {
        n[st] = count_le(s, f, (wv_stage)st, t);
        *lsn[st] = n[st] ? s->max_lsn[n[st] - 1] : origin;
        if (lag[st])
            *lag[st] = n[st] < departed ? t - wv_sim_leader_time(s, n[st]) : 0;
    }
    p->byte_lag = p->leader_lsn > p->replay_lsn ? p->leader_lsn - p->replay_lsn : 0;
    for (int i = 0; i < s->cfg.nfaults[f]; i++) { /* faults may overlap */
        const wv_fault *fl = &s->cfg.faults[f][i];
        if (t >= fl->from && t < fl->to) {
            p->partitioned |= fl->kind == WV_FAULT_PARTITION;
            p->stopped |= fl->kind != WV_FAULT_PARTITION; /* its PostgreSQL or its machine */
        }
    }
    /* Catching up: something departed more than a second ago is not
     * replayed yet. */
    size_t applied = n[WV_STAGE_APPLIED];
    p->catching_up = applied < departed && t - wv_sim_leader_time(s, applied) > 1000000;
}

/* --- interventions -------------------------------------------------------- */

static int add_fault(wv_sim *s, int f, wv_fault_kind kind, int64_t t)
{
    if (f < 0 || f >= s->cfg.nfollowers || s->cfg.nfaults[f] == WV_SIM_MAX_FAULTS)
        return -1;
    const wv_fault *cur = wv_sim_fault_at(s, f, t);
    if (cur)
        return -1; /* already cut off or down */
    s->cfg.faults[f][s->cfg.nfaults[f]++] = (wv_fault){ kind, t, WV_SIM_NEVER };
    reschedule_follower(s, f);
    recompute_acks(s, 0);
    return 0;
}

static int end_fault(wv_sim *s, int f, wv_fault_kind kind, int64_t t)
{
    if (f < 0 || f >= s->cfg.nfollowers)
        return -1;
    for (int i = 0; i < s->cfg.nfaults[f]; i++) {
        wv_fault *fl = &s->cfg.faults[f][i];
        bool down = kind == WV_FAULT_STOP && fl->kind == WV_FAULT_CRASH; /* a restart ends either */
        if ((fl->kind == kind || down) && t >= fl->from && t < fl->to) {
            fl->to = t > fl->from ? t : fl->from + 1;
            reschedule_follower(s, f);
            recompute_acks(s, 0);
            return 0;
        }
    }
    return -1;
}

int wv_sim_partition(wv_sim *s, int f, int64_t t) { return add_fault(s, f, WV_FAULT_PARTITION, t); }
int wv_sim_heal(wv_sim *s, int f, int64_t t) { return end_fault(s, f, WV_FAULT_PARTITION, t); }
int wv_sim_stop(wv_sim *s, int f, int64_t t) { return add_fault(s, f, WV_FAULT_STOP, t); }
int wv_sim_restart(wv_sim *s, int f, int64_t t) { return end_fault(s, f, WV_FAULT_STOP, t); }
int wv_sim_crash(wv_sim *s, int f, int64_t t) { return add_fault(s, f, WV_FAULT_CRASH, t); }

int wv_sim_set_latency(wv_sim *s, int f, int64_t t, int64_t latency_us)
{
    if (f < 0 || f >= s->cfg.nfollowers || s->nlat[f] == MAX_LATENCY_CHANGES || latency_us < 0)
        return -1;
    if (s->nlat[f] && s->lat[f][s->nlat[f] - 1].from > t)
        return -1; /* the past is fixed */
    s->lat[f][s->nlat[f]++] = (latency_change){ t, latency_us };
    reschedule_follower(s, f);
    recompute_acks(s, 0);
    return 0;
}

void wv_sim_set_sync(wv_sim *s, wv_sync_level level)
{
    bool was_off = s->cfg.sync == WV_SYNC_OFF;
    s->cfg.sync = level;
    if (was_off != (level == WV_SYNC_OFF)) { /* asynchronous commits leave later */
        for (size_t u = 0; u < s->ntxns && s->txns[u].time != WV_SIM_NEVER; u++)
            set_ready(s, u);
        for (int f = 0; f < s->cfg.nfollowers; f++)
            reschedule_follower(s, f);
    }
    recompute_acks(s, 0);
}

void wv_sim_set_standbys(wv_sim *s, bool any, int num, const int *followers, int n)
{
    WV_ASSERT(n >= 0 && n <= WV_SIM_MAX_FOLLOWERS && num <= n);
    s->cfg.sync_any = any;
    s->cfg.sync_num = num;
    s->cfg.nsync_standbys = n;
    for (int i = 0; i < n; i++)
        s->cfg.sync_standbys[i] = followers[i];
    recompute_acks(s, 0);
}

/* --- stepping ------------------------------------------------------------- */

/* The first time > t of stage st on f, or WV_SIM_NEVER. */
static int64_t first_after(const wv_sim *s, int f, wv_stage st, int64_t t)
{
    size_t i = count_le(s, f, st, t);
    return i < s->nmsgs ? stage_at(s, f, i, st) : WV_SIM_NEVER;
}

/* The last time < t of stage st on f, or -1. */
static int64_t last_before(const wv_sim *s, int f, wv_stage st, int64_t t)
{
    size_t lo = count_stage(s, f, st, t, true);
    while (lo > 0 && stage_at(s, f, lo - 1, st) == WV_SIM_NEVER)
        lo--;
    return lo ? stage_at(s, f, lo - 1, st) : -1;
}

typedef struct best {
    int64_t t;
    bool next;
} best;

static void consider(best *b, int64_t v, int64_t t)
{
    if (v == WV_SIM_NEVER || v < 0)
        return;
    if (b->next ? (v > t && v < b->t) : (v < t && v > b->t))
        b->t = v;
}

/* Commit-unit times, a view for first_after/last_before. */
static int64_t commit_time(const wv_sim *s, size_t i, int kind, int f)
{
    const txn *t = &s->txns[s->commits[i]];
    if (kind == 0)
        return t->time;
    if (kind == 1)
        return t->ack;
    return stage_at(s, f, t->last, WV_STAGE_APPLIED);
}

static bool commit_below(const probe *q, size_t i)
{
    return before_t(q, commit_time(q->s, i, q->which, q->f));
}

static void consider_commits(const wv_sim *s, best *b, int64_t t, int kind, int f)
{
    /* each kind is non-decreasing along commits */
    probe q = { .s = s, .f = f, .which = kind, .t = t, .strict = !b->next };
    size_t lo = prefix_len(s->ncommits, commit_below, &q);
    if (b->next && lo < s->ncommits)
        consider(b, commit_time(s, lo, kind, f), t);
    if (!b->next && lo > 0)
        consider(b, commit_time(s, lo - 1, kind, f), t);
}

/* Leader times of all units: commits on the leader, lone messages. When
 * every link is busy, nothing else happens then. */
static void consider_units(const wv_sim *s, best *b, int64_t t)
{
    size_t lo = count_units(s, t, !b->next);
    if (b->next && lo < s->ntxns)
        consider(b, s->txns[lo].time, t);
    if (!b->next && lo > 0)
        consider(b, s->txns[lo - 1].time, t);
}

static int64_t step(const wv_sim *s, int64_t t, wv_step_filter filter, size_t arg, bool next)
{
    best b = { next ? WV_SIM_NEVER : -1, next };
    int nf = s->cfg.nfollowers;
    switch (filter) {
    case WV_STEP_MESSAGE:
        if (arg < s->nmsgs) {
            consider(&b, wv_sim_leader_time(s, arg), t);
            for (int f = 0; f < nf; f++)
                for (int st = 0; st < WV_STAGE_COUNT; st++)
                    consider(&b, stage_at(s, f, arg, (wv_stage)st), t);
        }
        break;
    case WV_STEP_COMMITS:
        consider_commits(s, &b, t, 0, 0);
        consider_commits(s, &b, t, 1, 0);
        for (int f = 0; f < nf; f++)
            consider_commits(s, &b, t, 2, f);
        break;
    case WV_STEP_FOLLOWER:
    case WV_STEP_ALL:
        for (int f = 0; f < nf; f++) {
            if (filter == WV_STEP_FOLLOWER && (size_t)f != arg)
                continue;
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                consider(&b, next ? first_after(s, f, (wv_stage)st, t) : last_before(s, f, (wv_stage)st, t), t);
        }
        if (filter == WV_STEP_ALL) {
            consider_units(s, &b, t);
            consider_commits(s, &b, t, 1, 0);
        }
        break;
    }
    return b.t;
}

int64_t wv_sim_next_event(const wv_sim *s, int64_t t, wv_step_filter filter, size_t arg)
{
    return step(s, t, filter, arg, true);
}

int64_t wv_sim_prev_event(const wv_sim *s, int64_t t, wv_step_filter filter, size_t arg)
{
    return step(s, t, filter, arg, false);
}

size_t wv_sim_reached(const wv_sim *s, int f, wv_stage stage, int64_t t)
{
    return count_le(s, f, stage, t);
}

size_t wv_sim_departed(const wv_sim *s, int64_t t)
{
    size_t n = txns_departed(s, t);
    return n ? s->txns[n - 1].last + 1 : 0;
}
