/* narrate: see include/walviz/narrate.h.
 *
 * Every stage time is non-decreasing along the stream, so the latest
 * event of a kind at or before t is the last message counted by
 * wv_sim_reached: one binary search per follower and stage. Events at the
 * same moment are told by what matters most to a class: a COMMIT returning
 * before a replay, a replay before a flush, and so on. */
#include "walviz/narrate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ACK_SCAN 100000 /* commits looked back at for the latest return */

void wv_narrate_message(const wv_sim *sim, size_t m, char *out, size_t n)
{
    wv_op op = wv_sim_op(sim, m);
    const wv_rows *rows = wv_sim_rows(sim);
    uint32_t xid;
    bool has_xid = wv_sim_xid(sim, m, &xid);
    if (wv_op_is_row_change(op) && op != WV_OP_TRUNCATE) {
        size_t t = wv_rows_table_of(rows, m), k = wv_rows_key_of(rows, m);
        snprintf(out, n, "%s %s%s%s", wv_op_name(op), t != WV_ROWS_NONE ? wv_rows_table_name(rows, t) : "?",
                 k != WV_ROWS_NONE ? " " : "", k != WV_ROWS_NONE ? wv_rows_key_text(rows, k) : "");
    } else if (has_xid) {
        snprintf(out, n, "%s %u", wv_op_name(op), xid);
    } else {
        snprintf(out, n, "%s", wv_op_name(op));
    }
}

/* A sentence into out, cut at n (the caption cuts what does not fit). */
static void say(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

static void duration(char *out, size_t n, int64_t us)
{
    if (us < 1000)
        snprintf(out, n, "%lld us", (long long)us);
    else if (us < 1000000)
        snprintf(out, n, "%.0f ms", (double)us / 1e3);
    else
        snprintf(out, n, "%.2f s", (double)us / 1e6);
}

typedef struct candidate {
    wv_event_kind kind;
    int64_t at;
    size_t msg;
    int follower;
} candidate;

/* Which of two events at one moment to tell: the later stage, but a
 * BEGIN's replay (it changes nothing yet) after anything else. */
static int rank(const wv_sim *sim, wv_event_kind kind, size_t msg)
{
    return kind == WV_EVENT_APPLIED && wv_sim_op(sim, msg) == WV_OP_BEGIN ? 0 : (int)kind;
}

static void consider(const wv_sim *sim, candidate *best, wv_event_kind kind, int64_t at, size_t msg, int f)
{
    if (at == WV_SIM_NEVER || at < 0)
        return;
    if (best->kind == WV_EVENT_NONE || at > best->at ||
        (at == best->at && rank(sim, kind, msg) > rank(sim, best->kind, best->msg)))
        *best = (candidate){ kind, at, msg, f };
}

static const wv_stage stage_of[] = {
    [WV_EVENT_SENT] = WV_STAGE_SENT, [WV_EVENT_WRITTEN] = WV_STAGE_WRITTEN,
    [WV_EVENT_FLUSHED] = WV_STAGE_FLUSHED, [WV_EVENT_APPLIED] = WV_STAGE_APPLIED,
};
static const wv_event_kind follower_events[] = { WV_EVENT_SENT, WV_EVENT_WRITTEN, WV_EVENT_FLUSHED,
                                                  WV_EVENT_APPLIED };

/* The latest client COMMIT that returned by t (commits return in order). */
static void latest_return(const wv_sim *sim, int64_t t, candidate *best)
{
    size_t u = wv_sim_visible(sim, WV_SIM_LEADER, t);
    for (size_t seen = 0; u-- > 0 && seen < ACK_SCAN; seen++) {
        if (!wv_sim_txn_is_commit(sim, u))
            continue;
        int64_t ack = wv_sim_txn_ack(sim, u, NULL);
        if (ack <= t && ack > wv_sim_txn_time(sim, u)) {
            consider(sim, best, WV_EVENT_RETURNED, ack, wv_sim_txn_last(sim, u), -1);
            return;
        }
        if (ack <= t)
            return; /* returned at once: no wait to tell */
    }
}

/* How many messages reached the event's stage at exactly that moment. */
static size_t count_at(const wv_sim *sim, const candidate *c)
{
    if (c->kind == WV_EVENT_DEPARTED) {
        size_t u = wv_sim_txn_of(sim, c->msg);
        return wv_sim_txn_last(sim, u) - wv_sim_txn_first(sim, u) + 1;
    }
    if (c->follower < 0)
        return 1;
    wv_stage st = stage_of[c->kind];
    /* a shard's own: what its row filter drops passes unseen */
    return wv_sim_gets_count(sim, c->follower, wv_sim_reached(sim, c->follower, st, c->at - 1),
                             wv_sim_reached(sim, c->follower, st, c->at));
}

/* The message, and how many more came with it: "COMMIT 727 (and 2 more)". */
static void what(const wv_sim *sim, size_t m, size_t count, char *out, size_t n)
{
    char name[200];
    wv_narrate_message(sim, m, name, sizeof name);
    if (count > 1)
        say(out, n, "%s (and %zu before it)", name, count - 1);
    else
        say(out, n, "%s", name);
}

static void tell(const wv_sim *sim, const candidate *c, size_t count, char *out, size_t n)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    const char *fname = c->follower >= 0 ? cfg->names[c->follower] : "the leader";
    wv_op op = wv_sim_op(sim, c->msg);
    bool commit = wv_op_is_commit(op);
    char w[260], d[32];
    what(sim, c->msg, count, w, sizeof w);
    switch (c->kind) {
    case WV_EVENT_DEPARTED: {
        size_t u = wv_sim_txn_of(sim, c->msg);
        size_t first = wv_sim_txn_first(sim, u), last = wv_sim_txn_last(sim, u), changes = 0;
        for (size_t m = first; m <= last && changes < 1000000; m++)
            changes += wv_op_is_row_change(wv_sim_op(sim, m));
        uint32_t xid;
        if (commit && wv_sim_xid(sim, c->msg, &xid))
            say(out, n, "xid %u committed on the leader: its %zu change%s now leave%s for the followers",
                     xid, changes, changes == 1 ? "" : "s", changes == 1 ? "s" : "");
        else
            say(out, n, "%s left the leader for the followers", w);
        break;
    }
    case WV_EVENT_SENT:
        say(out, n, "%s goes on the wire to %s", w, fname);
        break;
    case WV_EVENT_WRITTEN:
        if (op == WV_OP_BEGIN && count == 1)
            say(out, n, "%s received %s: a transaction starts arriving", fname, w);
        else if (commit)
            say(out, n, "%s wrote %s to its WAL; a read on %s still returns the old rows until it "
                             "replays it", fname, w, fname);
        else
            say(out, n, "%s received %s and wrote it to its WAL (not yet on disk)", fname, w);
        break;
    case WV_EVENT_FLUSHED:
        say(out, n, "%s flushed %s to disk (fsync): a crash of %s no longer loses it", fname, w, fname);
        break;
    case WV_EVENT_APPLIED: {
        /* a standby replays WAL; a subscriber applies changes */
        bool logical = cfg->link[c->follower].kind == WV_KIND_LOGICAL;
        const char *did = logical ? "applied" : "replayed";
        if (op == WV_OP_BEGIN)
            say(out, n, "%s started %s %s", fname, logical ? "applying" : "replaying", w);
        else if (commit)
            say(out, n, "%s %s %s: reads on %s now see its changes", fname, did, w, fname);
        else
            say(out, n, "%s %s %s; reads on %s see it once its COMMIT is %s", fname, did, w, fname, did);
        break;
    }
    case WV_EVENT_RETURNED: {
        size_t u = wv_sim_txn_of(sim, c->msg);
        unsigned acked = 0;
        wv_sim_txn_ack(sim, u, &acked);
        char who[160] = "";
        for (int f = 0, k = 0; f < cfg->nfollowers; f++)
            if (acked & (1u << f))
                k += snprintf(who + k, sizeof who - (size_t)k, "%s%s", k ? " and " : "", cfg->names[f]);
        duration(d, sizeof d, c->at - wv_sim_txn_time(sim, u));
        say(out, n, "the client's %s returned after %s: %s confirmed it (synchronous_commit = %s)", w,
                 d, *who ? who : "the standbys", wv_sync_level_name(cfg->sync));
        break;
    }
    default:
        out[0] = '\0';
        break;
    }
}

/* At the end of a selected message's journey: applied everywhere. */
static bool journey_over(const wv_sim *sim, size_t m, int64_t t, char *out, size_t n)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    int64_t last = -1;
    int who = -1;
    for (int f = 0; f < cfg->nfollowers; f++) {
        int64_t a = wv_sim_stage(sim, f, m, WV_STAGE_APPLIED);
        if (!wv_sim_gets(sim, f, m))
            continue; /* never sent there */
        if (a == WV_SIM_NEVER || a > t)
            return false;
        if (a > last)
            last = a, who = f;
    }
    if (who < 0)
        return false;
    char name[200], d[32];
    wv_narrate_message(sim, m, name, sizeof name);
    duration(d, sizeof d, last - wv_sim_leader_time(sim, m));
    say(out, n, "the end of %s's journey: applied on every follower, the last (%s) %s after its commit",
             name, cfg->names[who], d);
    return true;
}

/* A failover's two moments, the failure and the promotion, when the
 * latest is one of them (ahead of what happens with it, such as the
 * lost messages passed over): the sentence into out. */
static bool failover_event(const wv_sim *sim, int64_t t, const candidate *best, wv_narration *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    int64_t at = !fo.on || t < fo.at ? -1 : t < fo.promoted_at ? fo.at : fo.promoted_at;
    if (at < 0 || (best->kind != WV_EVENT_NONE && best->at > at))
        return false;
    out->kind = at == fo.at ? WV_EVENT_FAILED : WV_EVENT_PROMOTED;
    out->at = at;
    out->follower = fo.to;
    out->msg = best->msg; /* the last COMMIT lost, else what happened last */
    if (fo.lost_to > fo.kept)
        out->msg = wv_sim_txn_last(sim, fo.lost_to - 1);
    char *p = out->text;
    size_t n = sizeof out->text;
    const char *name = cfg->names[fo.to];
    if (out->kind == WV_EVENT_FAILED && fo.acked_commits)
        say(p, n, "The leader failed: %s is promoted with what it had received; %zu commit%s, %zu change%s "
                  "acknowledged to clients and lost", name, fo.acked_commits, fo.acked_commits == 1 ? "" : "s",
            fo.acked_changes, fo.acked_changes == 1 ? "" : "s");
    else if (out->kind == WV_EVENT_FAILED)
        say(p, n, "The leader failed: %s is promoted with what it had received; no acknowledged commit is "
                  "lost (%zu never returned)", name, fo.unacked_commits);
    else if (fo.diverged)
        say(p, n, "%s is the new leader: writes go to it; a follower that received more than %s has diverged "
                  "and needs pg_rewind", name, name);
    else
        say(p, n, "%s is the new leader: writes go to it, the other followers follow it from where they are", name);
    return true;
}

void wv_narrate(const wv_sim *sim, int64_t t, size_t selected, wv_narration *out)
{
    memset(out, 0, sizeof *out);
    out->follower = -1;
    candidate best = { WV_EVENT_NONE, 0, 0, -1 };
    int nf = wv_sim_config(sim)->nfollowers;
    if (selected != WV_ROWS_NONE && selected < wv_sim_count(sim)) {
        consider(sim, &best, WV_EVENT_DEPARTED, wv_sim_leader_time(sim, selected) <= t ? wv_sim_leader_time(sim, selected) : -1,
                 selected, -1);
        for (int f = 0; f < nf; f++)
            for (size_t i = 0; i < sizeof follower_events / sizeof follower_events[0] && wv_sim_gets(sim, f, selected); i++) {
                int64_t at = wv_sim_stage(sim, f, selected, stage_of[follower_events[i]]);
                consider(sim, &best, follower_events[i], at <= t ? at : -1, selected, f);
            }
    } else {
        size_t d = wv_sim_departed(sim, t);
        if (d)
            consider(sim, &best, WV_EVENT_DEPARTED, wv_sim_leader_time(sim, d - 1), d - 1, -1);
        for (int f = 0; f < nf; f++)
            for (size_t i = 0; i < sizeof follower_events / sizeof follower_events[0]; i++) {
                size_t r = wv_sim_gets_last(sim, f, wv_sim_reached(sim, f, stage_of[follower_events[i]], t));
                if (r != WV_ROWS_NONE)
                    consider(sim, &best, follower_events[i], wv_sim_stage(sim, f, r, stage_of[follower_events[i]]),
                             r, f);
            }
        latest_return(sim, t, &best);
    }
    if (selected == WV_ROWS_NONE && failover_event(sim, t, &best, out))
        return;
    if (best.kind == WV_EVENT_NONE)
        return;
    out->kind = best.kind;
    out->at = best.at;
    out->msg = best.msg;
    out->follower = best.follower;
    out->count = selected != WV_ROWS_NONE ? 1 : count_at(sim, &best);
    if (selected != WV_ROWS_NONE && journey_over(sim, selected, t, out->text, sizeof out->text))
        return;
    tell(sim, &best, out->count, out->text, sizeof out->text);
}
