/* sim_sync: synchronous commit and the leader's walsenders (see sim.c for
 * the stream, sim_link.c for the schedule it reads).
 *
 * The leader knows a stage of a message only when a follower's reply
 * reporting it arrives: a standby's walreceiver replies after each write
 * and flush, a subscriber as its apply worker does, and each reply takes
 * the link back. From the connections of sim_link.c follow the walsenders'
 * states (startup, catchup, streaming) and pg_stat_replication's row; from
 * the states and the replies, when a unit that waits for synchronous
 * standbys is acknowledged, FIRST n or ANY n, released in LSN order. */
#include "sim_internal.h"

#include <stdint.h>
#include <string.h>

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
        return sim_stage_at(s, f, m, WV_STAGE_APPLIED);
    size_t c = commit_from(s, m, true);
    if (c == SIZE_MAX)
        c = m; /* nothing to commit after it: reported as received */
    return sim_stage_at(s, f, c, stage);
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
    int64_t a = sim_stage_at(s, f, m, stage);
    if (stage != WV_STAGE_APPLIED || a == WV_SIM_NEVER)
        return a;
    int64_t e = WV_SIM_NEVER;
    size_t c = commit_from(s, m, false);
    if (s->cfg.sync == WV_SYNC_REMOTE_APPLY && c != SIZE_MAX)
        e = sim_stage_at(s, f, c, WV_STAGE_APPLIED); /* the next commit's */
    size_t nf = sim_count_le(s, f, WV_STAGE_FLUSHED, a), nw = sim_count_le(s, f, WV_STAGE_WRITTEN, a);
    if (nf < s->nmsgs && sim_stage_at(s, f, nf, WV_STAGE_FLUSHED) < e)
        e = sim_stage_at(s, f, nf, WV_STAGE_FLUSHED); /* the next flush */
    if (nw < s->nmsgs && sim_stage_at(s, f, nw, WV_STAGE_WRITTEN) < e)
        e = sim_stage_at(s, f, nw, WV_STAGE_WRITTEN); /* the next write */
    if (sim_stage_at(s, f, nf - 1, WV_STAGE_APPLIED) < e)
        e = sim_stage_at(s, f, nf - 1, WV_STAGE_APPLIED); /* replay catches up with the flush first */
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
        int64_t sent = sim_max64(at, c->data_from);
        if (sent >= c->until)
            continue;
        int64_t back = sim_add_sat(sent, sim_latency_at(s, f, sent));
        /* After a drop in latency, behind the last reply sent before it. */
        for (int i = 0; i < s->nlat[f] && s->lat[f][i].from <= sent; i++) {
            size_t before = count_by(s, f, stage, s->lat[f][i].from - 1, reported);
            if (s->lat[f][i].from > c->data_from && before > 0) {
                int64_t prev = sim_max64(reported(s, f, before - 1, stage), c->data_from);
                back = sim_max64(back, sim_add_sat(prev, sim_latency_at(s, f, prev)));
            }
        }
        int64_t cut;
        back = sim_held(s, f, sent, back, &cut);
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
    int64_t t = sim_max64(c->send_free, c->data_from);
    return t < c->gone ? t : WV_SIM_NEVER;
}

/* When the leader sees the walreceiver of connection k: a trip after it
 * connects (the first is there from the start). */
static int64_t startup_at(const wv_sim *s, int f, int k)
{
    const conn *c = &s->fs[f].conns[k];
    return k == 0 ? c->from : sim_add_sat(c->from, sim_latency_at(s, f, c->from));
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
bool sim_state_unsettled(const wv_sim *s, int f, int64_t t)
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
    size_t sent = sim_count_le(s, f, WV_STAGE_SENT, t), known = 0;
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
                       sim_stage_at(s, f, known - 1, WV_STAGE_SENT);
    }
    /* ProcessStandbyReplyMessage: two replies in a row saying all that was
     * sent is replayed clear the lags; the second comes a status interval
     * after the first, the walreceiver having nothing else to say. */
    if (known >= sent &&
        (sent == 0 || t >= sim_add_sat(wv_sim_stage_known(s, f, sent - 1, WV_STAGE_APPLIED), STATUS_INTERVAL_US)))
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
        if (wv_sim_walsnd_state(s, f, t) != WV_WALSND_STREAMING || !sim_failover_counts(s, f, t))
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
bool sim_waits_for_standbys(const wv_sim *s, const txn *t)
{
    return t->is_commit || s->msgs[t->last].op == WV_OP_ROLLBACK_PREPARED;
}

bool wv_sim_txn_waits(const wv_sim *s, size_t u)
{
    return sim_waits_for_standbys(s, &s->txns[u]);
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
    int listed = 0; /* the new leader does not wait for itself */
    for (int i = 0; i < c->nsync_standbys; i++)
        listed += sim_failover_counts(s, c->sync_standbys[i], t->time);
    if (!sim_waits_for_standbys(s, t) || c->sync <= WV_SYNC_LOCAL || listed == 0) {
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
    /* The leader releases waiting commits in LSN order (the new leader
     * its own). */
    int64_t at = s->cfg.failover_at;
    bool on_new = sim_failover_on(s) && t->time >= at;
    for (size_t p = u; p-- > 0 && (!on_new || s->txns[p].time >= at);) {
        if (sim_waits_for_standbys(s, &s->txns[p])) {
            if (s->txns[p].ack > t->ack)
                t->ack = s->txns[p].ack;
            break;
        }
    }
    if (sim_failover_on(s) && !on_new && t->ack >= at) {
        t->ack = WV_SIM_NEVER; /* the old leader died first: its client got an error */
        t->acked = 0;
    }
}

void sim_recompute_acks(wv_sim *s, size_t from)
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
