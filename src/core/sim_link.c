/* sim_link: links and scheduling, how each message reaches each follower
 * (see sim.c for the stream, sim_internal.h for the state).
 *
 * A follower's schedule is extended by walking its messages in order with
 * a little running state (when the link is free, the last write, the flush
 * in progress, the last replay): a message leaves when the leader may send
 * it and the link is free, takes its wire time, latency and jitter, is held
 * by TCP across short partitions, is fsynced with the rest of its burst,
 * and is replayed (a subscriber: applied, and its commit flushed later).
 *
 * For that, the running state of the link is kept per connection: the
 * follower is connected between outages (partitions and stops, merged
 * where they overlap). A message goes out on the first connection that is
 * up when it is ready; if that connection dies before it arrives, or the
 * follower crashes before flushing it, it is sent again on the next one,
 * behind what went there before it. What happened on a connection before
 * it died never depends on what comes after. */
#include "sim_internal.h"

#include <stdint.h>

#define WIRE_OVERHEAD 30 /* CopyData framing and the XLogData header, bytes */

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

int64_t sim_latency_at(const wv_sim *s, int f, int64_t t)
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
void sim_track_spool(wv_sim *s, const msg *mm, size_t u)
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
int64_t sim_held(const wv_sim *s, int f, int64_t left, int64_t at, int64_t *cut)
{
    *cut = WV_SIM_NEVER;
    for (bool moved = true; moved;) {
        moved = false;
        for (int i = 0; i < s->cfg.nfaults[f]; i++) {
            const wv_fault *fl = &s->cfg.faults[f][i];
            int64_t after = sim_add_sat(fl->to, sim_latency_at(s, f, fl->to));
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
 * sim_held. */
static int64_t carry(const wv_sim *s, int f, const conn *c, size_t m, int64_t ready,
                     int64_t *send_free, int64_t *last_written, int64_t *depart, int64_t *cut)
{
    *cut = WV_SIM_NEVER;
    *depart = sim_max64(ready, sim_max64(c->data_from, *send_free));
    if (*depart >= c->until)
        return WV_SIM_NEVER; /* the leader holds it until the link is back */
    *send_free = sim_add_sat(*depart, wire_time(s->msgs[m].text_len, s->cfg.link[f].bandwidth_bps));
    int64_t w = sim_add_sat(*send_free, sim_add_sat(sim_latency_at(s, f, *depart), jitter(s, f, m)));
    w = sim_held(s, f, *depart, w, cut);
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
        est = sim_add_sat(est - est % d, d);
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
            end = sim_max64(end, stop);
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
    st->flush_start = sim_max64(sim_max64(w, end), st->flush_end);
    st->flush_end = sim_add_sat(st->flush_start, s->cfg.link[f].flush_us);
    return st->flush_end;
}

/* Replays message m from `from` on, after the one before it, which
 * ended at *last (moved on); a stopped or crashed follower replays
 * nothing: a standby's replay waits for its restart, a subscriber's apply
 * worker loses what it was given (WV_SIM_NEVER). */
static int64_t replay(const wv_sim *s, int f, size_t m, int64_t from, int64_t *last, bool waits)
{
    int64_t start = sim_max64(from, *last);
    int64_t cost = apply_cost(s, f, m);
    for (bool moved = true; moved;) {
        moved = false;
        for (int i = 0; i < s->cfg.nfaults[f]; i++) {
            const wv_fault *fl = &s->cfg.faults[f][i];
            if (fl->kind != WV_FAULT_PARTITION && start < fl->to && sim_add_sat(start, cost) >= fl->from) {
                if (!waits) {
                    *last = sim_max64(*last, fl->from); /* nothing after it either */
                    return WV_SIM_NEVER;
                }
                start = fl->to;
                moved = true;
            }
        }
    }
    *last = sim_add_sat(start, cost);
    return *last;
}

/* A subscriber commits what it applied with synchronous_commit off (its
 * subscription's default): the WAL writer flushes it at its next wakeup. */
static int64_t lazy_flush(const wv_sim *s, int f, int64_t applied)
{
    int64_t d = s->cfg.wal_writer_delay_us;
    if (applied == WV_SIM_NEVER)
        return WV_SIM_NEVER;
    return sim_add_sat(sim_add_sat(applied - applied % d, d), s->cfg.link[f].flush_us);
}

static void schedule_msg(wv_sim *s, int f, size_t m, int64_t ready)
{
    follower_state *st = &s->fs[f];
    int64_t sent = WV_SIM_NEVER, written = WV_SIM_NEVER, flushed = WV_SIM_NEVER, applied = WV_SIM_NEVER;
    bool resent = false, logical = s->cfg.link[f].kind == WV_KIND_LOGICAL;

    while (st->first_conn < st->nconns && (st->conns[st->first_conn].until <= ready ||
                                           st->conns[st->first_conn].send_free >= st->conns[st->first_conn].until))
        st->first_conn++;
    int p = s->cfg.failover_to;
    int64_t promoted = sim_promoted_at(s);
    if (f == p && sim_failover_promoted_msg(s, m))
        return; /* the new leader's own */
    /* One attempt per connection, until one delivers it. */
    for (int k = st->first_conn; k < st->nconns; k++) {
        conn *c = &st->conns[k];
        if (p >= 0 && f != p && c->from >= promoted) { /* a connection to the new leader */
            bool diverged;
            if (sim_failover_follower_msg(s, f, m, sent, &diverged))
                return; /* lost with the old leader */
            if (diverged) {
                st->nconns = k; /* it cannot follow the new timeline */
                break;
            }
        }
        int64_t depart, cut, idle_from = sim_max64(c->send_free, c->data_from);
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
                c->last_applied = sim_max64(c->last_applied, st->conns[j].last_applied);
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

    if (f == p && written == WV_SIM_NEVER && s->txns[s->msgs[m].txn].time < s->cfg.failover_at) {
        sim_failover_stamp_lost(s, f, m, sent); /* never reached the promoted one */
        return;
    }
    if (!logical && flushed != WV_SIM_NEVER)
        applied = replay(s, f, m, flushed, &st->last_applied, true); /* flushed WAL, in order */
    sim_set_stage(s, f, m, WV_STAGE_SENT, sent);
    sim_set_stage(s, f, m, WV_STAGE_WRITTEN, written);
    sim_set_stage(s, f, m, WV_STAGE_FLUSHED, flushed);
    sim_set_stage(s, f, m, WV_STAGE_APPLIED, applied);
    sim_set_resent(s, f, m, resent);
#ifndef NDEBUG
    /* what every query's binary search relies on */
    for (int stg = 0; m > 0 && stg < WV_STAGE_COUNT; stg++)
        WV_ASSERT(sim_stage_at(s, f, m - 1, (wv_stage)stg) <= sim_stage_at(s, f, m, (wv_stage)stg));
#endif
}

void sim_schedule_follower(wv_sim *s, int f)
{
    follower_state *st = &s->fs[f];
    bool standby = s->cfg.link[f].kind == WV_KIND_PHYSICAL;
    if (s->cfg.observed[f])
        return; /* a real node: its times are observed, not modelled */
    for (; st->next_txn < s->ntxns && s->txns[st->next_txn].time != WV_SIM_NEVER; st->next_txn++) {
        const txn *t = &s->txns[st->next_txn];
        for (size_t m = t->first; m <= t->last; m++) {
            if (!wv_sim_gets(s, f, m))
                sim_shard_skip(s, f, m, t->ready); /* a shard's row filter drops it */
            else
                schedule_msg(s, f, m, standby ? standby_ready(s, m, &st->last_ready) : t->ready);
        }
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
    return fl->kind == WV_FAULT_STOP ? fl->from : sim_add_sat(fl->from, s->cfg.sender_timeout_us);
}

/* A connection from the follower at `from`, up until `until`. After an
 * outage the walreceiver connects, then a round trip each for the
 * connection and IDENTIFY_SYSTEM before its START_REPLICATION arrives. */
static conn new_conn(const wv_sim *s, int f, int64_t from, int64_t until, bool first)
{
    const int64_t early = INT64_MIN / 4;
    conn c = { from, until, WV_SIM_NEVER, false, from, WV_SIM_NEVER, WV_SIM_NEVER, early, early, early };
    if (!first)
        c.data_from = sim_add_sat(from, 3 * sim_latency_at(s, f, from));
    return c;
}

/* Back to the start, with the connections the follower's faults leave. */
void sim_reset_follower(wv_sim *s, int f)
{
    follower_state *st = &s->fs[f];
    const int64_t early = INT64_MIN / 4;
    /* The outages: the faults that end a connection, and a failover, which
     * ends every connection to the old leader at once; the promoted
     * follower has none after it, the others reconnect at the promotion. */
    wv_fault faults[WV_SIM_MAX_FAULTS + 1];
    int nall = 0, nfaults = 0, order[WV_SIM_MAX_FAULTS + 1], failover = -1;
    for (int i = 0; i < s->cfg.nfaults[f]; i++)
        faults[nall++] = s->cfg.faults[f][i];
    if (s->cfg.failover_to >= 0 && f < s->cfg.nfollowers) {
        failover = nall;
        faults[nall++] = (wv_fault){ WV_FAULT_PARTITION, s->cfg.failover_at,
                                     f == s->cfg.failover_to ? WV_SIM_NEVER : sim_promoted_at(s) };
    }
    for (int i = 0; i < nall; i++) {
        if (i != failover && is_hold(s, &faults[i]))
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
        int64_t seen = order[i] == failover ? fl->from : noticed(s, fl); /* the walsender died with it */
        if (c->until == WV_SIM_NEVER) {
            c->until = fl->from; /* the first fault of an outage ends the connection */
            c->crash = crash;
            c->loses = fl->kind == WV_FAULT_CRASH;
            c->gone = seen;
            down_to = fl->to;
            continue;
        }
        if (fl->from <= down_to) { /* overlaps the outage: part of it */
            down_to = sim_max64(down_to, fl->to);
            if (crash < c->crash)
                c->crash = crash;
            c->loses |= fl->kind == WV_FAULT_CRASH;
            if (seen < c->gone)
                c->gone = seen;
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
        c->gone = seen;
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

/* What a follower is told after a failover depends on what the promoted
 * one received: that one is scheduled first, and the others after it. */
void sim_reschedule_follower(wv_sim *s, int f)
{
    sim_reset_follower(s, f);
    sim_schedule_follower(s, f);
    for (int g = 0; f == s->cfg.failover_to && g < s->cfg.nfollowers; g++) {
        if (g != f) {
            sim_reset_follower(s, g);
            sim_schedule_follower(s, g);
        }
    }
}

void sim_reschedule_all(wv_sim *s)
{
    for (int f = 0; f < s->cfg.nfollowers; f++)
        if (s->cfg.failover_to < 0 || f == s->cfg.failover_to)
            sim_reschedule_follower(s, f);
}

void sim_schedule_all(wv_sim *s)
{
    if (s->cfg.failover_to >= 0)
        sim_schedule_follower(s, s->cfg.failover_to);
    for (int f = 0; f < s->cfg.nfollowers; f++)
        if (f != s->cfg.failover_to)
            sim_schedule_follower(s, f);
}
