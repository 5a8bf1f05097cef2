/* sim_query: what the simulation is asked, and what is done to it (see
 * sim.c for the stream, sim_link.c for the schedule).
 *
 * Every query is a binary search (sim_prefix_len) over times that are
 * non-decreasing along the stream: stage times along messages, leader
 * times along units, acknowledgements along commits. Interventions
 * (partitions, stops, crashes, latency, the sync level and the standbys)
 * change the configuration from t on and recompute the followers they
 * touch and the acks; stepping finds the next or previous time at which
 * anything, or the thing asked for, happens. */
#include "sim_internal.h"

#include <stdint.h>
#include <string.h>

/* --- queries ------------------------------------------------------------ */

static bool before_t(const probe *q, int64_t v)
{
    return q->strict ? v < q->t : v <= q->t;
}

static bool stage_below(const probe *q, size_t i)
{
    return before_t(q, sim_stage_at(q->s, q->f, i, (wv_stage)q->which));
}

/* Number of messages whose stage st on f is <= t (< t when strict): a
 * prefix of the stream, stage times being non-decreasing along it. */
static size_t count_stage(const wv_sim *s, int f, wv_stage st, int64_t t, bool strict)
{
    probe q = { .s = s, .f = f, .which = (int)st, .t = t, .strict = strict };
    return sim_prefix_len(s->nmsgs, stage_below, &q);
}

size_t sim_count_le(const wv_sim *s, int f, wv_stage st, int64_t t)
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
    return sim_prefix_len(s->ntxns, unit_below, &q);
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
    return sim_prefix_len(s->ntxns, unit_within, &q);
}

size_t wv_sim_visible(const wv_sim *s, int node, int64_t t)
{
    if (node == WV_SIM_LEADER)
        return txns_departed(s, t);
    size_t m = sim_count_le(s, node - 1, WV_STAGE_APPLIED, t);
    return txns_within(s, m);
}

#define WAIT_SCAN 100000 /* commits looked back at for the waiting ones */

size_t wv_sim_waiting_commits(const wv_sim *s, int64_t t, size_t *first)
{
    size_t d = wv_sim_visible(s, WV_SIM_LEADER, t), n = 0, own = wv_sim_leader_first_txn(s, t);
    *first = d;
    for (size_t u = d, seen = 0; u-- > own && seen < WAIT_SCAN; seen++) {
        if (!wv_sim_txn_is_commit(s, u))
            continue;
        if (wv_sim_txn_ack(s, u, NULL) <= t)
            break;
        *first = u;
        n++;
    }
    return n;
}

size_t wv_sim_readable(const wv_sim *s, int node, int64_t t)
{
    size_t first;
    if (node != WV_SIM_LEADER)
        return wv_sim_visible(s, node, t);
    return wv_sim_waiting_commits(s, t, &first) ? first : wv_sim_visible(s, WV_SIM_LEADER, t);
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
        n[st] = sim_count_le(s, f, (wv_stage)st, t);
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
    sim_reschedule_follower(s, f);
    sim_recompute_acks(s, 0);
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
            sim_reschedule_follower(s, f);
            sim_recompute_acks(s, 0);
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

int wv_sim_set_faults(wv_sim *s, int f, const wv_fault *faults, int n)
{
    if (f < 0 || f >= s->cfg.nfollowers || n < 0 || n > WV_SIM_MAX_FAULTS || s->cfg.observed[f])
        return -1;
    memcpy(s->cfg.faults[f], faults, (size_t)n * sizeof *faults);
    s->cfg.nfaults[f] = n;
    sim_reschedule_follower(s, f);
    sim_recompute_acks(s, 0);
    return 0;
}

int wv_sim_set_latency(wv_sim *s, int f, int64_t t, int64_t latency_us)
{
    if (f < 0 || f >= s->cfg.nfollowers || s->nlat[f] == MAX_LATENCY_CHANGES || latency_us < 0 ||
        s->cfg.observed[f])
        return -1;
    if (s->nlat[f] && s->lat[f][s->nlat[f] - 1].from > t)
        return -1; /* the past is fixed */
    s->lat[f][s->nlat[f]++] = (latency_change){ t, latency_us };
    sim_reschedule_follower(s, f);
    sim_recompute_acks(s, 0);
    return 0;
}

void wv_sim_set_reports(wv_sim *s, const wv_sim_cfg *from)
{
    memcpy(s->cfg.views, from->views, sizeof s->cfg.views);
    s->cfg.nviews = from->nviews;
    memcpy(s->cfg.readers, from->readers, sizeof s->cfg.readers);
    s->cfg.nreaders = from->nreaders;
}

void wv_sim_set_sync(wv_sim *s, wv_sync_level level)
{
    bool was_off = s->cfg.sync == WV_SYNC_OFF;
    s->cfg.sync = level;
    if (was_off != (level == WV_SYNC_OFF)) { /* asynchronous commits leave later */
        for (size_t u = 0; u < s->ntxns && s->txns[u].time != WV_SIM_NEVER; u++)
            sim_set_ready(s, u);
        sim_reschedule_all(s);
    }
    sim_recompute_acks(s, 0);
}

void wv_sim_set_standbys(wv_sim *s, bool any, int num, const int *followers, int n)
{
    WV_ASSERT(n >= 0 && n <= WV_SIM_MAX_FOLLOWERS && num <= n);
    s->cfg.sync_any = any;
    s->cfg.sync_num = num;
    s->cfg.nsync_standbys = n;
    for (int i = 0; i < n; i++)
        s->cfg.sync_standbys[i] = followers[i];
    sim_recompute_acks(s, 0);
}

/* --- stepping ------------------------------------------------------------- */

/* The first time > t of stage st on f, or WV_SIM_NEVER. */
static int64_t first_after(const wv_sim *s, int f, wv_stage st, int64_t t)
{
    size_t i = sim_shard_next(s, f, sim_count_le(s, f, st, t));
    return i < s->nmsgs ? sim_stage_at(s, f, i, st) : WV_SIM_NEVER;
}

/* The last time < t of stage st on f, or -1. */
static int64_t last_before(const wv_sim *s, int f, wv_stage st, int64_t t)
{
    size_t lo = count_stage(s, f, st, t, true);
    while (lo > 0 && sim_stage_at(s, f, lo - 1, st) == WV_SIM_NEVER)
        lo--;
    size_t m = wv_sim_gets_last(s, f, lo); /* a shard's own */
    return m != WV_ROWS_NONE ? sim_stage_at(s, f, m, st) : -1;
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
    return sim_stage_at(s, f, t->last, WV_STAGE_APPLIED);
}

static bool commit_below(const probe *q, size_t i)
{
    return before_t(q, commit_time(q->s, i, q->which, q->f));
}

static void consider_commits(const wv_sim *s, best *b, int64_t t, int kind, int f)
{
    /* each kind is non-decreasing along commits */
    probe q = { .s = s, .f = f, .which = kind, .t = t, .strict = !b->next };
    size_t lo = sim_prefix_len(s->ncommits, commit_below, &q);
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
                for (int st = 0; st < WV_STAGE_COUNT && wv_sim_gets(s, f, arg); st++)
                    consider(&b, sim_stage_at(s, f, arg, (wv_stage)st), t);
        }
        break;
    case WV_STEP_COMMITS:
        consider(&b, sim_failover_on(s) ? s->cfg.failover_at : WV_SIM_NEVER, t);
        consider(&b, sim_promoted_at(s), t);
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
            consider(&b, sim_failover_on(s) ? s->cfg.failover_at : WV_SIM_NEVER, t);
            consider(&b, sim_promoted_at(s), t); /* the leader fails, the new one takes over */
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
    return sim_count_le(s, f, stage, t);
}

size_t wv_sim_departed(const wv_sim *s, int64_t t)
{
    size_t n = txns_departed(s, t);
    return n ? s->txns[n - 1].last + 1 : 0;
}
