/* sim: the schedule of the simulated cluster (see include/walviz/sim.h);
 * this file holds the stream and its transactions.
 *
 * Messages are grouped into transactions ("units": BEGIN..COMMIT or
 * ..PREPARE, a streamed block, or a lone message). A unit gets its leader
 * time when it closes; then each follower's schedule is extended by walking
 * its messages in order (sim_link.c), and the acknowledgements of the
 * commits that wait for standbys are computed (sim_sync.c). Faults and
 * latency changes are part of the follower's configuration over time, so an
 * intervention at t just recomputes that follower (sim_query.c):
 * determinism keeps everything before t as it was.
 *
 * Stage times are most of the memory (four per message and follower), so
 * each is kept as a uint32_t count of microseconds after the leader time
 * of the unit before the message's (a physical standby receives changes
 * before their commit, never before that one), which never changes once
 * the message's unit is scheduled: DELTA_NEVER
 * for never (also before it is scheduled), and the rare time more than
 * about 71 minutes later (a long outage) as DELTA_FAR, its exact value in
 * the follower's table of far times. Every read goes through sim_stage_at
 * (sim_internal.h), every write through sim_set_stage. */
#include "sim_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BORROWED ((uint64_t)1 << 63) /* text_off is into the borrowed text */

/* The one binary search: the number of leading i in [0, n) for which
 * below(q, i) holds, below being true on a prefix and false after it. */
size_t sim_prefix_len(size_t n, bool (*below)(const probe *q, size_t i), const probe *q)
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
        sim_reset_follower(s, f);
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
        free(s->gets_before[f]);
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

/* --- stage times ------------------------------------------------------- */

static bool far_below(const probe *q, size_t i)
{
    return q->s->far[q->f][i].key < q->key;
}

int64_t sim_far_lookup(const wv_sim *s, int f, size_t m, wv_stage st)
{
    probe q = { .s = s, .f = f, .key = (uint64_t)m * WV_STAGE_COUNT + (uint64_t)st };
    size_t i = sim_prefix_len(s->nfar[f], far_below, &q);
    WV_ASSERT(i < s->nfar[f] && s->far[f][i].key == q.key);
    return s->far[f][i].at;
}

/* Stores a stage time of a scheduled message. Since the last
 * sim_reset_follower, f's messages are written in stream order, so the far
 * table stays sorted by appending. */
void sim_set_stage(wv_sim *s, int f, size_t m, wv_stage st, int64_t at)
{
    int64_t base = sim_base_time(s, m);
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

void wv_sim_observe(wv_sim *s, int f, size_t m, wv_stage st, int64_t at)
{
    WV_ASSERT(f >= 0 && f < s->cfg.nfollowers && s->cfg.observed[f] && m < s->nmsgs);
    int64_t base = sim_base_time(s, m);
    WV_ASSERT(base != WV_SIM_NEVER);
    if (at < base)
        at = base;
    if (m > 0 && sim_stage_at(s, f, m - 1, st) > at)
        at = sim_stage_at(s, f, m - 1, st);
    /* never the far table, which wants every stage of a message at once */
    if ((uint64_t)at - (uint64_t)base >= DELTA_FAR)
        at = base + (int64_t)(DELTA_FAR - 1);
    sim_set_stage(s, f, m, st, at);
}

int wv_sim_add_observed(wv_sim *s, const char *name, wv_follower_kind kind)
{
    int f = s->cfg.nfollowers;
    if (f == WV_SIM_MAX_FOLLOWERS || s->cfg.nshards || wv_sim_cfg_follower(&s->cfg, name) >= 0)
        return -1;
    snprintf(s->cfg.names[f], sizeof s->cfg.names[f], "%s", name);
    memset(&s->cfg.link[f], 0, sizeof s->cfg.link[f]);
    s->cfg.link[f].kind = kind;
    s->cfg.nfaults[f] = 0;
    s->cfg.observed[f] = true;
    if (s->stage_cap) { /* the lanes before it have room for stage_cap messages */
        for (int st = 0; st < WV_STAGE_COUNT; st++) {
            s->stage[f][st] = wv_xrealloc(s->stage[f][st], s->stage_cap * sizeof(uint32_t));
            for (size_t m = 0; m < s->nmsgs; m++)
                s->stage[f][st][m] = DELTA_NEVER;
        }
        s->resent[f] = wv_xrealloc(s->resent[f], s->stage_cap / 8);
        memset(s->resent[f], 0, s->stage_cap / 8);
    }
    s->cfg.nfollowers++;
    sim_reset_follower(s, f);
    return f;
}

void sim_set_resent(wv_sim *s, int f, size_t m, bool resent)
{
    uint8_t bit = (uint8_t)(1u << (m & 7));
    if (resent)
        s->resent[f][m >> 3] |= bit;
    else
        s->resent[f][m >> 3] &= (uint8_t)~bit;
}

int64_t wv_sim_stage(const wv_sim *s, int f, size_t m, wv_stage st)
{
    return sim_stage_at(s, f, m, st);
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
    int64_t end = sim_failover_time(s, s->last_time), promoted = sim_promoted_at(s);
    if (promoted != WV_SIM_NEVER && promoted > end)
        end = promoted; /* the promotion is on the timeline */
    if (!s->nmsgs)
        return end;
    size_t last = s->nmsgs - 1;
    /* the last replay (a subscriber's last flush) on each follower */
    for (int f = 0; f < s->cfg.nfollowers; f++)
        for (int st = WV_STAGE_FLUSHED; st <= WV_STAGE_APPLIED; st++)
            for (size_t m = last + 1; m-- > 0;) {
                int64_t a = sim_stage_at(s, f, m, (wv_stage)st);
                if (a != WV_SIM_NEVER) {
                    if (a > end)
                        end = a;
                    break;
                }
            }
    return end;
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
void sim_set_ready(wv_sim *s, size_t u)
{
    txn *t = &s->txns[u];
    int64_t ready = t->time, d = s->cfg.wal_writer_delay_us;
    wv_op op = (wv_op)s->msgs[t->last].op;
    if (s->cfg.sync == WV_SYNC_OFF && d > 0 && (op == WV_OP_COMMIT || op == WV_OP_STREAM_COMMIT))
        ready = sim_add_sat(ready - ready % d, d); /* the WAL writer's next wakeup */
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
            s->gaps[s->ngaps++] = (wv_gap){ sim_failover_time(s, s->last_time), delta };
            delta = s->cfg.max_gap_us;
        }
        time = s->last_time + delta;
        s->last_raw_us = raw;
    }
    if (u > 0 && time < s->last_time)
        time = s->last_time;
    t->time = sim_failover_time(s, time); /* last_time stays as recorded */
    s->last_time = time;
    sim_set_ready(s, u);
    sim_shard_close(s, u);
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
        unsettled |= sim_state_unsettled(s, s->cfg.sync_standbys[i], since);
    sim_schedule_all(s);
    size_t p = u;
    while (unsettled && p > 0 && !(sim_waits_for_standbys(s, &s->txns[p - 1]) && s->txns[p - 1].ack < since))
        p--;
    sim_recompute_acks(s, p);
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
        sim_set_resent(s, f, m, false);
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
    sim_shard_change(s, c, mm);
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
    sim_track_spool(s, mm, u);

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
