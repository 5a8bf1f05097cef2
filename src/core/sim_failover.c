/* sim_failover: the leader fails and a follower is promoted (see sim.h,
 * wv_sim_set_failover, and docs/simulate-json.md).
 *
 * The failure at T is a point in the schedule every follower's
 * connections respect (sim_link.c ends them at T: what was on the wire is
 * lost with the old leader). The promoted follower P keeps what it had
 * written by T, whole transactions of it (promotion replays all the WAL
 * it received and ends the incomplete transaction): the first K units.
 * The old leader's units [K, J) after them (J: the first unit recorded at
 * or after T) are lost. From the promotion, L = T + promote_us, P is the
 * leader: the units recorded from T on are its own, shifted by L - T, and
 * the other followers reconnect to it at L and receive from where they
 * are, skipping the lost units (a follower that received more than P has
 * diverged, and stops).
 *
 * Every stage time stays non-decreasing along the stream: a lost message
 * is stamped as passed at the promotion (or when the message before it
 * was, if later); the new leader's own messages are at P at their
 * commit. Rows skip the lost units on the new leader's timeline
 * (wv_sim_row). Nothing here is cached: K, J and the counts are binary
 * searches over the schedule, so an intervention needs no bookkeeping. */
#include "sim_internal.h"

#include <stdint.h>

int64_t sim_promoted_at(const wv_sim *s)
{
    return sim_failover_on(s) ? sim_add_sat(s->cfg.failover_at, s->cfg.promote_us) : WV_SIM_NEVER;
}

int64_t sim_failover_time(const wv_sim *s, int64_t recorded)
{
    if (!sim_failover_on(s) || recorded < s->cfg.failover_at || recorded == WV_SIM_NEVER)
        return recorded;
    return sim_add_sat(recorded, s->cfg.promote_us);
}

/* The inverse: shifted times are at or after the promotion, unshifted
 * ones before the failure. */
static int64_t recorded_time(const wv_sim *s, int64_t at)
{
    if (!sim_failover_on(s) || at == WV_SIM_NEVER || at < sim_promoted_at(s))
        return at;
    return at - s->cfg.promote_us;
}

/* Predicates for sim_prefix_len, each true on a prefix. */
static bool written_in_time(const probe *q, size_t m)
{
    return sim_stage_at(q->s, q->f, m, WV_STAGE_WRITTEN) < q->t;
}

static bool unit_before(const probe *q, size_t u)
{
    return q->s->txns[u].time < q->t;
}

/* Whether P had written the whole of unit u by the failure. */
static bool kept(const wv_sim *s, size_t u)
{
    return sim_stage_at(s, s->cfg.failover_to, s->txns[u].last, WV_STAGE_WRITTEN) < s->cfg.failover_at;
}

static bool unit_kept(const probe *q, size_t u)
{
    return kept(q->s, u);
}

/* Messages among the first n that f had written before the failure. */
static size_t written_before(const wv_sim *s, int f, size_t n)
{
    probe q = { .s = s, .f = f, .t = s->cfg.failover_at };
    return sim_prefix_len(n, written_in_time, &q);
}

/* J: units committed on the old leader, before the failure. */
static size_t old_units(const wv_sim *s)
{
    probe q = { .s = s, .t = s->cfg.failover_at };
    return sim_prefix_len(s->ntxns, unit_before, &q);
}

/* K: the units the new leader has, a prefix of the old ones. */
static size_t kept_units(const wv_sim *s, size_t j)
{
    probe q = { .s = s };
    return sim_prefix_len(j, unit_kept, &q);
}

/* Whether f received more of the old leader's stream than P did: its WAL
 * went past the point where P's new timeline forks. */
static bool diverged(const wv_sim *s, int f, size_t n)
{
    int p = s->cfg.failover_to;
    return f != p && written_before(s, f, n) > written_before(s, p, s->nmsgs);
}

/* Sets message m's stages on f to what the failover decides: each stage
 * no earlier than the message before's, sent at `sent`, written at
 * `written`, flushed and applied with its write. */
static void stamp(wv_sim *s, int f, size_t m, int64_t sent, int64_t written)
{
    int64_t v[WV_STAGE_COUNT] = { sent, written, written, written };
    for (int st = 0; st < WV_STAGE_COUNT; st++) {
        if (m > 0)
            v[st] = sim_max64(v[st], sim_stage_at(s, f, m - 1, (wv_stage)st));
        sim_set_stage(s, f, m, (wv_stage)st, v[st]);
    }
    sim_set_resent(s, f, m, false);
}

void sim_failover_stamp_lost(wv_sim *s, int f, size_t m, int64_t sent)
{
    /* Before the failure the picture stays as it was: a message that left
     * keeps its departure. It is passed over at the promotion, with the
     * promotion's other events, whenever it would have arrived. */
    stamp(s, f, m, sent < s->cfg.failover_at ? sent : s->cfg.failover_at, sim_promoted_at(s));
}

bool sim_failover_promoted_msg(wv_sim *s, size_t m)
{
    int64_t at = s->txns[s->msgs[m].txn].time;
    if (at < sim_promoted_at(s))
        return false;
    stamp(s, s->cfg.failover_to, m, at, at); /* the new leader's own */
    return true;
}

bool sim_failover_follower_msg(wv_sim *s, int f, size_t m, int64_t sent, bool *div)
{
    /* only messages before m are scheduled on f: count among those */
    *div = diverged(s, f, m);
    size_t u = s->msgs[m].txn;
    if (*div || s->txns[u].time >= s->cfg.failover_at || kept(s, u))
        return false;
    sim_failover_stamp_lost(s, f, m, sent);
    return true;
}

bool sim_failover_counts(const wv_sim *s, int f, int64_t t)
{
    return !sim_failover_on(s) || f != s->cfg.failover_to || t < s->cfg.failover_at;
}

int wv_sim_set_failover(wv_sim *s, int64_t at, int to)
{
    if (to < -1 || to >= s->cfg.nfollowers || at < 0)
        return -1;
    /* back to the recorded times, then shifted by the new failover */
    for (size_t u = 0; u < s->ntxns; u++)
        s->txns[u].time = recorded_time(s, s->txns[u].time);
    for (size_t i = 0; i < s->ngaps; i++)
        s->gaps[i].at = recorded_time(s, s->gaps[i].at);
    s->cfg.failover_at = at;
    s->cfg.failover_to = to;
    for (size_t u = 0; u < s->ntxns; u++)
        s->txns[u].time = sim_failover_time(s, s->txns[u].time);
    for (size_t i = 0; i < s->ngaps; i++)
        s->gaps[i].at = sim_failover_time(s, s->gaps[i].at);
    for (size_t u = 0; u < s->ntxns && s->txns[u].time != WV_SIM_NEVER; u++)
        sim_set_ready(s, u);
    sim_reschedule_all(s);
    sim_recompute_acks(s, 0);
    return 0;
}

/* Row changes and logical messages in unit u: all but its BEGIN and
 * COMMIT, and what a streamed transaction's commit applies. */
size_t wv_sim_txn_changes(const wv_sim *s, size_t u)
{
    const txn *t = &s->txns[u];
    size_t n = t->last - t->first + 1;
    if (s->msgs[t->first].op == WV_OP_BEGIN)
        n--;
    if (n > 0 && t->is_commit)
        n--;
    return n + t->spooled;
}

void wv_sim_failover(const wv_sim *s, wv_failover *out)
{
    *out = (wv_failover){ .to = -1 };
    if (!sim_failover_on(s))
        return;
    out->on = true;
    out->at = s->cfg.failover_at;
    out->promoted_at = sim_promoted_at(s);
    out->to = s->cfg.failover_to;
    out->lost_to = old_units(s);
    out->kept = kept_units(s, out->lost_to);
    for (size_t u = out->kept; u < out->lost_to; u++) {
        if (!s->txns[u].is_commit)
            continue;
        bool acked = s->txns[u].ack != WV_SIM_NEVER;
        *(acked ? &out->acked_commits : &out->unacked_commits) += 1;
        *(acked ? &out->acked_changes : &out->unacked_changes) += wv_sim_txn_changes(s, u);
    }
    for (int f = 0; f < s->cfg.nfollowers; f++)
        if (diverged(s, f, s->nmsgs))
            out->diverged |= 1u << f;
}

bool wv_sim_txn_lost(const wv_sim *s, size_t u)
{
    if (!sim_failover_on(s))
        return false;
    size_t j = old_units(s);
    return u < j && u >= kept_units(s, j);
}

int wv_sim_leader_at(const wv_sim *s, int64_t t)
{
    return sim_failover_on(s) && t >= sim_promoted_at(s) ? s->cfg.failover_to : -1;
}

size_t wv_sim_leader_first_txn(const wv_sim *s, int64_t t)
{
    return wv_sim_leader_at(s, t) >= 0 ? old_units(s) : 0;
}

void wv_sim_row_gap(const wv_sim *s, int node, int64_t t, size_t k, size_t *from, size_t *to)
{
    *from = *to = 0;
    if (!sim_failover_on(s))
        return;
    size_t j = old_units(s), kp = kept_units(s, j);
    /* the new leader's timeline: the old leader once replaced, the
     * promoted follower, the followers that follow it */
    bool timeline = node == WV_SIM_LEADER ? t >= sim_promoted_at(s)
                  : node - 1 == s->cfg.failover_to || !diverged(s, node - 1, s->nmsgs);
    if (timeline && k > kp) {
        *from = kp;
        *to = j;
    }
}

wv_row wv_sim_row(const wv_sim *s, int node, int64_t t, size_t key, size_t k)
{
    size_t from, to;
    wv_sim_row_gap(s, node, t, k, &from, &to);
    return wv_rows_read_except(s->rows, key, k, from, to);
}

bool wv_sim_row_older(const wv_sim *s, size_t key, wv_row row)
{
    if (row.exists || row.msg != WV_ROWS_NONE || key == WV_ROWS_NONE)
        return false; /* a version of the stream's, or no row to speak of */
    size_t first = wv_rows_first_msg(s->rows, key);
    return first != WV_ROWS_NONE && wv_sim_op(s, first) != WV_OP_INSERT;
}
