/* Unit tests for the simulated cluster: the schedule, acknowledgements,
 * interventions and stepping (src/core/sim*.c), row versions (src/core/rows.c) and
 * the options (src/core/sim_cfg.c).
 *
 * Streams are test_decoding text, decoded with wv_decode_message and fed to
 * wv_sim_add as a reader would, with increasing LSNs. A small deterministic
 * workload generator (transactions on two tables keyed by an integer id,
 * truncates, logical messages, two-phase commits that commit or roll back)
 * drives invariant checks over many seeds and configurations: stage order,
 * arrival order, commit order, nothing written across a cut link or on a
 * stopped follower, commit acknowledgements per synchronous_commit level,
 * determinism, interventions that leave the past alone, seeking against a
 * fresh computation and against brute force, event stepping against brute
 * force, and row reads against a naive replay of the generated changes.
 * Hand-written streams pin down stale reads, two-phase commit, truncation,
 * key changes and re-keying. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walviz/reader.h"
#include "walviz/sim.h"

#include "sim_lines.h"

#define MS INT64_C(1000)
#define SEC INT64_C(1000000)
#define NEVER WV_SIM_NEVER

static const char *const stage_names[WV_STAGE_COUNT] = { "sent", "written", "flushed", "applied" };

/* What is being checked, for failure messages: seed and configuration. */
static char ctx[240];
/* Whether wv_sim_set_latency was used on the schedule being checked. */
static bool latency_changed;

static void set_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_ctx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
}

/* A time for a failure message; a few may be in use at once. */
static const char *us(int64_t t)
{
    static char bufs[8][32];
    static int next;
    char *b = bufs[next++ & 7];
    if (t == NEVER)
        return "never";
    snprintf(b, sizeof bufs[0], "%" PRId64 "us", t);
    return b;
}

static bool inside(const wv_fault *fl, int64_t t)
{
    return t >= fl->from && t < fl->to;
}

/* ---- streams ---- */

typedef struct stream {
    char **msg;
    size_t n, cap;
} stream;

static void add(stream *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(stream *st, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        st->msg = wv_xrealloc(st->msg, st->cap * sizeof *st->msg);
    }
    st->msg[st->n++] = wv_xstrdup(buf);
}

static void stream_free(stream *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->msg[i]);
    free(st->msg);
    memset(st, 0, sizeof *st);
}

static uint64_t lsn_of(size_t i)
{
    return UINT64_C(0x3000000) + (uint64_t)i * 0x68;
}

/* Messages from..to-1 of st into s, as a reader delivers them. */
static void feed(wv_sim *s, const stream *st, size_t from, size_t to)
{
    wv_decoder *d = wv_decode_new();
    for (size_t i = from; i < to; i++) {
        const char *text = st->msg[i];
        size_t len = strlen(text);
        wv_change c;
        if (wv_decode_message(d, text, len, &c) != WV_DECODE_OK)
            fail_msg("message %zu does not decode (%s): %s", i, wv_decode_error(d), text);
        wv_meta m;
        memset(&m, 0, sizeof m);
        m.has_lsn = true;
        m.lsn = lsn_of(i);
        m.has_xid = c.has_xid;
        m.xid = c.xid;
        wv_sim_add(s, &c, &m, (wv_slice){ text, len });
    }
    wv_decode_free(d);
}

static wv_sim *build(const wv_sim_cfg *cfg, const stream *st)
{
    wv_sim *s = wv_sim_new(cfg);
    feed(s, st, 0, st->n);
    wv_sim_flush(s);
    return s;
}

/* A configuration from option pairs: "name", "value", ..., NULL. */
static void make_cfg(wv_sim_cfg *cfg, const char *const *opts)
{
    char err[300];
    wv_sim_cfg_init(cfg);
    for (size_t i = 0; opts && opts[i]; i += 2)
        if (wv_sim_cfg_option(cfg, opts[i], opts[i + 1], err, sizeof err) != 0)
            fail_msg("--%s=%s refused: %s", opts[i], opts[i + 1], err);
    if (wv_sim_cfg_check(cfg, err, sizeof err) != 0)
        fail_msg("configuration refused: %s", err);
}

/* ---- the workload generator ---- */

#define MAX_IDS 4096

/* A row change as the naive replay sees it. */
typedef struct effect {
    size_t commit; /* the COMMIT or COMMIT PREPARED that makes it visible */
    size_t msg;
    int table;     /* 0: t1, 1: t2 */
    int id;        /* -1: the table was truncated */
    bool exists;
} effect;

typedef struct workload {
    stream st;
    effect *fx; /* in the order they become visible */
    size_t nfx, fxcap;
    int next_id[2];
} workload;

typedef struct gen {
    uint64_t rng;
    workload *wl;
    bool exists[2][MAX_IDS];
    effect pending[64]; /* the prepared transaction's changes */
    size_t npending;
    bool prepared;
    unsigned gid, prepared_xid;
    int64_t clock; /* microseconds after 10:00:00 */
} gen;

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned below(uint64_t *s, unsigned n)
{
    return (unsigned)(rnd(s) % n);
}

static void fmt_ts(int64_t off, char out[40])
{
    int64_t sec = off / SEC;
    snprintf(out, 40, "2026-01-01 %02d:%02d:%02d.%06d+00", (int)(10 + sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60), (int)(off % SEC));
}

static void push_effect(workload *wl, effect e)
{
    if (wl->nfx == wl->fxcap) {
        wl->fxcap = wl->fxcap ? wl->fxcap * 2 : 256;
        wl->fx = wv_xrealloc(wl->fx, wl->fxcap * sizeof *wl->fx);
    }
    wl->fx[wl->nfx++] = e;
}

/* A row of table t that exists now, or -1. */
static int pick_row(gen *g, int t)
{
    int n = g->wl->next_id[t];
    if (n == 0)
        return -1;
    for (int tries = 0; tries < 8; tries++) {
        int id = (int)below(&g->rng, (unsigned)n);
        if (g->exists[t][id])
            return id;
    }
    for (int id = 0; id < n; id++)
        if (g->exists[t][id])
            return id;
    return -1;
}

static int new_id(gen *g, int t)
{
    int id = g->wl->next_id[t]++;
    assert_true(id < MAX_IDS);
    return id;
}

/* ntx transactions (or lone messages). A prepared transaction only
 * inserts, and while one is pending no other transaction truncates or
 * touches its rows: the locks PostgreSQL would hold. */
static void gen_workload(workload *wl, uint64_t seed, int ntx)
{
    memset(wl, 0, sizeof *wl);
    gen *g = wv_xcalloc(1, sizeof *g);
    g->rng = seed * 7919 + 17;
    g->wl = wl;
    unsigned xid = 700;
    for (int i = 0; i < ntx; i++) {
        unsigned r = below(&g->rng, 100);
        g->clock += r < 3 ? 2500 * MS + below(&g->rng, 3000) * MS
                          : (int64_t)below(&g->rng, 300) * MS + below(&g->rng, 1000);
        char ts[40];
        fmt_ts(g->clock, ts);
        if (r >= 3 && r < 8) {
            unsigned len = 1 + below(&g->rng, 9);
            char content[16];
            for (unsigned k = 0; k < len; k++)
                content[k] = (char)('a' + below(&g->rng, 26));
            content[len] = '\0';
            add(&wl->st, "message: transactional: 0 prefix: wv, sz: %u content:%s", len, content);
            continue;
        }
        if (g->prepared && r < 25) {
            size_t m = wl->st.n;
            if (below(&g->rng, 3)) {
                add(&wl->st, "COMMIT PREPARED 'g%u', txid %u (at %s)", g->gid, g->prepared_xid, ts);
                for (size_t k = 0; k < g->npending; k++) {
                    g->pending[k].commit = m;
                    push_effect(wl, g->pending[k]);
                    g->exists[g->pending[k].table][g->pending[k].id] = true;
                }
            } else {
                add(&wl->st, "ROLLBACK PREPARED 'g%u', txid %u (at %s)", g->gid, g->prepared_xid, ts);
            }
            g->prepared = false;
            g->npending = 0;
            continue;
        }
        xid++;
        add(&wl->st, "BEGIN %u", xid);
        bool prep = !g->prepared && below(&g->rng, 100) < 8;
        effect cur[32];
        size_t ncur = 0;
        int nch = 1 + (int)below(&g->rng, 6);
        for (int k = 0; k < nch; k++) {
            int t = (int)below(&g->rng, 2);
            unsigned op = below(&g->rng, 24);
            size_t m = wl->st.n;
            unsigned v = below(&g->rng, 1000);
            if (op == 0 && !prep && !g->prepared) {
                if (v & 1) {
                    add(&wl->st, "table public.t1, public.t2: TRUNCATE: (no-flags)");
                    cur[ncur++] = (effect){ 0, m, 0, -1, false };
                    cur[ncur++] = (effect){ 0, m, 1, -1, false };
                    memset(g->exists, 0, sizeof g->exists);
                } else {
                    add(&wl->st, "table public.t%d: TRUNCATE: cascade", t + 1);
                    cur[ncur++] = (effect){ 0, m, t, -1, false };
                    memset(g->exists[t], 0, sizeof g->exists[t]);
                }
                continue;
            }
            if (op == 1) {
                add(&wl->st, "message: transactional: 1 prefix: wv, sz: 3 content:abc");
                continue;
            }
            int id = pick_row(g, t);
            if (prep || id < 0 || op < 12) {
                int nid = new_id(g, t);
                if (t == 0)
                    add(&wl->st, "table public.t1: INSERT: id[integer]:%d v[text]:'v%u'", nid, v);
                else
                    add(&wl->st, "table public.t2: INSERT: id[integer]:%d n[integer]:%u c[text]:null", nid, v);
                cur[ncur++] = (effect){ 0, m, t, nid, true };
                if (!prep)
                    g->exists[t][nid] = true;
            } else if (op < 17) {
                if (t == 0)
                    add(&wl->st, "table public.t1: UPDATE: id[integer]:%d v[text]:'u%u'", id, v);
                else
                    add(&wl->st, "table public.t2: UPDATE: id[integer]:%d n[integer]:%u c[text]:'x'", id, v);
                cur[ncur++] = (effect){ 0, m, t, id, true };
            } else if (op < 21) {
                add(&wl->st, "table public.t%d: DELETE: id[integer]:%d", t + 1, id);
                cur[ncur++] = (effect){ 0, m, t, id, false };
                g->exists[t][id] = false;
            } else {
                int nid = new_id(g, t);
                add(&wl->st, "table public.t%d: UPDATE: old-key: id[integer]:%d new-tuple: id[integer]:%d %s",
                    t + 1, id, nid, t == 0 ? "v[text]:'moved'" : "n[integer]:1 c[text]:'moved'");
                cur[ncur++] = (effect){ 0, m, t, id, false };
                cur[ncur++] = (effect){ 0, m, t, nid, true };
                g->exists[t][id] = false;
                g->exists[t][nid] = true;
            }
        }
        if (prep) {
            g->gid++;
            add(&wl->st, "PREPARE TRANSACTION 'g%u', txid %u (at %s)", g->gid, xid, ts);
            memcpy(g->pending, cur, ncur * sizeof *cur);
            g->npending = ncur;
            g->prepared = true;
            g->prepared_xid = xid;
        } else {
            size_t m = wl->st.n;
            add(&wl->st, "COMMIT %u (at %s)", xid, ts);
            for (size_t k = 0; k < ncur; k++) {
                cur[k].commit = m;
                push_effect(wl, cur[k]);
            }
        }
    }
    free(g);
}

static void workload_free(workload *wl)
{
    stream_free(&wl->st);
    free(wl->fx);
    memset(wl, 0, sizeof *wl);
}

/* ---- invariants of a schedule ---- */

/* Units are contiguous and in order; leader times never go back. */
static void check_units(const wv_sim *s)
{
    size_t n = wv_sim_count(s), ntx = wv_sim_txn_count(s), next = 0;
    int64_t last = INT64_MIN;
    const wv_sim_cfg *cfg = wv_sim_config(s);
    for (size_t u = 0; u < ntx; u++) {
        size_t first = wv_sim_txn_first(s, u), end = wv_sim_txn_last(s, u);
        if (first != next || end < first)
            fail_msg("%s: unit %zu covers messages %zu..%zu, expected to start at %zu", ctx, u, first, end,
                     next);
        for (size_t m = first; m <= end; m++)
            if (wv_sim_txn_of(s, m) != u)
                fail_msg("%s: message %zu is in unit %zu, expected %zu", ctx, m, wv_sim_txn_of(s, m), u);
        int64_t t = wv_sim_txn_time(s, u);
        if (t == NEVER || t < last)
            fail_msg("%s: unit %zu at %s after a unit at %s", ctx, u, us(t), us(last));
        if (u > 0 && cfg->time_source != WV_TIME_UNIFORM && t - last > cfg->max_gap_us)
            fail_msg("%s: unit %zu comes %s after the one before; gaps over %s should be compressed", ctx, u,
                     us(t - last), us(cfg->max_gap_us));
        last = t;
        next = end + 1;
    }
    if (next != n)
        fail_msg("%s: units cover %zu of %zu messages", ctx, next, n);
    const wv_gap *gaps;
    size_t ngaps = wv_sim_gaps(s, &gaps);
    for (size_t i = 0; i < ngaps; i++)
        if (gaps[i].original_us <= cfg->max_gap_us)
            fail_msg("%s: gap %zu of %s is not longer than --max-gap %s", ctx, i, us(gaps[i].original_us),
                     us(cfg->max_gap_us));
}

/* When a standby reports each message at each stage: at once after its
 * write and flush; its replay with the next write or flush, or when it has
 * replayed all that is flushed, or after each commit under remote_apply.
 * Walks along the stream (stage times do not decrease); the caller frees
 * rep[WRITTEN..APPLIED]. */
static void standby_reports(const wv_sim *s, int f, int64_t **reps)
{
    size_t n = wv_sim_count(s), jw = 0, jf = 0, ju = 0;
    int64_t *rep = reps[WV_STAGE_APPLIED] = wv_xmalloc((n ? n : 1) * sizeof *rep);
    for (int st = WV_STAGE_WRITTEN; st <= WV_STAGE_FLUSHED; st++) {
        reps[st] = wv_xmalloc((n ? n : 1) * sizeof *rep);
        for (size_t m = 0; m < n; m++)
            reps[st][m] = wv_sim_stage(s, f, m, (wv_stage)st);
    }
    bool remote_apply = wv_sim_config(s)->sync == WV_SYNC_REMOTE_APPLY;
    for (size_t m = 0; m < n; m++) {
        int64_t a = wv_sim_stage(s, f, m, WV_STAGE_APPLIED), e = NEVER;
        rep[m] = NEVER;
        if (a == NEVER)
            continue;
        while (jw < n && wv_sim_stage(s, f, jw, WV_STAGE_WRITTEN) <= a)
            jw++;
        while (jf < n && wv_sim_stage(s, f, jf, WV_STAGE_FLUSHED) <= a)
            jf++;
        while (ju < wv_sim_txn_count(s) && (ju < wv_sim_txn_of(s, m) || !wv_sim_txn_is_commit(s, ju)))
            ju++;
        if (remote_apply && ju < wv_sim_txn_count(s))
            e = wv_sim_stage(s, f, wv_sim_txn_last(s, ju), WV_STAGE_APPLIED); /* the next commit's */
        if (jw < n && wv_sim_stage(s, f, jw, WV_STAGE_WRITTEN) < e)
            e = wv_sim_stage(s, f, jw, WV_STAGE_WRITTEN);
        if (jf < n && wv_sim_stage(s, f, jf, WV_STAGE_FLUSHED) < e)
            e = wv_sim_stage(s, f, jf, WV_STAGE_FLUSHED);
        if (wv_sim_stage(s, f, jf - 1, WV_STAGE_APPLIED) < e)
            e = wv_sim_stage(s, f, jf - 1, WV_STAGE_APPLIED); /* caught up with what is flushed */
        rep[m] = e;
    }
}

/* When a subscriber reports each message, as worker.c's send_feedback:
 * write once it has applied what it read, apply and flush once the next
 * commit is applied and flushed. */
static void subscriber_reports(const wv_sim *s, int f, int64_t **reps)
{
    size_t n = wv_sim_count(s), ju = 0;
    for (int st = WV_STAGE_WRITTEN; st < WV_STAGE_COUNT; st++)
        reps[st] = wv_xmalloc((n ? n : 1) * sizeof **reps);
    for (size_t m = 0; m < n; m++) {
        /* the next commit or ROLLBACK PREPARED (the subscriber confirms both) */
        while (ju < wv_sim_txn_count(s) && (ju < wv_sim_txn_of(s, m) || !(wv_sim_txn_is_commit(s, ju) ||
                                            wv_sim_op(s, wv_sim_txn_last(s, ju)) == WV_OP_ROLLBACK_PREPARED)))
            ju++;
        size_t c = ju < wv_sim_txn_count(s) ? wv_sim_txn_last(s, ju) : m;
        reps[WV_STAGE_WRITTEN][m] = wv_sim_stage(s, f, m, WV_STAGE_APPLIED);
        reps[WV_STAGE_APPLIED][m] = wv_sim_stage(s, f, c, WV_STAGE_APPLIED);
        reps[WV_STAGE_FLUSHED][m] = wv_sim_stage(s, f, c, WV_STAGE_FLUSHED);
    }
}

static void check_schedule(const wv_sim *s)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    size_t n = wv_sim_count(s);
    check_units(s);
    for (int f = 0; f < cfg->nfollowers; f++) {
        bool open_fault = false;
        for (int i = 0; i < cfg->nfaults[f]; i++)
            open_fault |= cfg->faults[f][i].to == NEVER;
        int64_t prev[WV_STAGE_COUNT];
        size_t prev_m = 0;
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            prev[st] = INT64_MIN;
        for (size_t m = 0; m < n; m++) {
            int64_t t[WV_STAGE_COUNT], lead = wv_sim_leader_time(s, m);
            size_t u = wv_sim_txn_of(s, m);
            /* a standby gets the changes before their commit, not before the commit before */
            if (cfg->link[f].kind == WV_KIND_PHYSICAL && m != wv_sim_txn_last(s, u) && u > 0)
                lead = wv_sim_txn_time(s, u - 1);
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                t[st] = wv_sim_stage(s, f, m, (wv_stage)st);
            if (t[WV_STAGE_SENT] < lead)
                fail_msg("%s: f%d message %zu sent at %s, before its commit (or the one before) at %s", ctx,
                         f + 1, m, us(t[WV_STAGE_SENT]), us(lead));
            /* a standby flushes, then replays; a subscriber applies, then flushes */
            static const wv_stage standby[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_FLUSHED, WV_STAGE_APPLIED };
            static const wv_stage subscriber[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_APPLIED, WV_STAGE_FLUSHED };
            const wv_stage *order = cfg->link[f].kind == WV_KIND_LOGICAL ? subscriber : standby;
            for (int i = 1; i < WV_STAGE_COUNT; i++)
                if (t[order[i]] < t[order[i - 1]])
                    fail_msg("%s: f%d message %zu %s at %s, before %s at %s", ctx, f + 1, m, stage_names[order[i]],
                             us(t[order[i]]), stage_names[order[i - 1]], us(t[order[i - 1]]));
            for (int st = 0; st < WV_STAGE_COUNT; st++) {
                if (t[st] < prev[st])
                    fail_msg("%s: f%d message %zu %s at %s, before message %zu at %s", ctx, f + 1, m,
                             stage_names[st], us(t[st]), prev_m, us(prev[st]));
                prev[st] = t[st];
            }
            prev_m = m;
            if (!open_fault && t[WV_STAGE_APPLIED] == NEVER)
                fail_msg("%s: f%d message %zu never applied though every fault ends", ctx, f + 1, m);
            for (int i = 0; i < cfg->nfaults[f]; i++) {
                const wv_fault *fl = &cfg->faults[f][i];
                const char *kind = fl->kind == WV_FAULT_STOP ? "stop" : fl->kind == WV_FAULT_CRASH ? "crash" : "partition";
                /* through a short cut the connection lives: the leader sends, TCP holds it */
                bool hold = fl->kind == WV_FAULT_PARTITION && fl->to != NEVER && fl->to - fl->from <= cfg->sender_timeout_us;
                if ((!hold && inside(fl, t[WV_STAGE_SENT])) || inside(fl, t[WV_STAGE_WRITTEN]))
                    fail_msg("%s: f%d message %zu sent at %s, written at %s, during the %s [%s, %s)", ctx,
                             f + 1, m, us(t[WV_STAGE_SENT]), us(t[WV_STAGE_WRITTEN]), kind, us(fl->from),
                             us(fl->to));
                if (fl->kind != WV_FAULT_PARTITION && (inside(fl, t[WV_STAGE_FLUSHED]) || inside(fl, t[WV_STAGE_APPLIED])))
                    fail_msg("%s: f%d message %zu flushed at %s, applied at %s, while stopped [%s, %s)", ctx,
                             f + 1, m, us(t[WV_STAGE_FLUSHED]), us(t[WV_STAGE_APPLIED]), us(fl->from),
                             us(fl->to));
            }
        }
        /* the follower's replies: a link latency later, in order, never
         * arriving while the link is down */
        bool plain = cfg->nfaults[f] == 0 && !latency_changed;
        int64_t *reports[WV_STAGE_COUNT] = { NULL };
        if (cfg->link[f].kind == WV_KIND_LOGICAL)
            subscriber_reports(s, f, reports);
        else
            standby_reports(s, f, reports);
        for (int st = 0; st < WV_STAGE_COUNT; st++) {
            int64_t last_known = INT64_MIN;
            for (size_t m = 0; m < n; m++) {
                int64_t at = wv_sim_stage(s, f, m, (wv_stage)st), k = wv_sim_stage_known(s, f, m, (wv_stage)st);
                int64_t rep = st == WV_STAGE_SENT ? at : reports[st][m];
                int64_t want = st == WV_STAGE_SENT || rep == NEVER ? rep : rep + cfg->link[f].latency_us;
                if (k < at || k < last_known || (plain && k != want))
                    fail_msg("%s: f%d message %zu %s at %s, reply at %s (after one at %s), expected %s", ctx,
                             f + 1, m, stage_names[st], us(at), us(k), us(last_known), plain ? us(want) : "later");
                for (int i = 0; i < cfg->nfaults[f] && st > WV_STAGE_SENT; i++)
                    if (inside(&cfg->faults[f][i], k))
                        fail_msg("%s: f%d's %s reply for message %zu arrives at %s, while the link is down "
                                 "[%s, %s)", ctx, f + 1, stage_names[st], m, us(k), us(cfg->faults[f][i].from),
                                 us(cfg->faults[f][i].to));
                last_known = k;
            }
        }
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            free(reports[st]);
        /* commit order: a later commit is never visible before an earlier one */
        int64_t last = INT64_MIN;
        for (size_t u = 0; u < wv_sim_txn_count(s); u++) {
            if (!wv_sim_txn_is_commit(s, u))
                continue;
            int64_t a = wv_sim_stage(s, f, wv_sim_txn_last(s, u), WV_STAGE_APPLIED);
            if (a < last)
                fail_msg("%s: f%d applies commit unit %zu at %s, before an earlier commit at %s", ctx, f + 1, u,
                         us(a), us(last));
            last = a;
        }
    }
}

static wv_stage stage_of_level(wv_sync_level level)
{
    return level == WV_SYNC_REMOTE_WRITE ? WV_STAGE_WRITTEN
         : level == WV_SYNC_ON           ? WV_STAGE_FLUSHED
                                         : WV_STAGE_APPLIED;
}

static bool streaming(const wv_sim *s, int f, int64_t t)
{
    return wv_sim_walsnd_state(s, f, t) == WV_WALSND_STREAMING;
}

/* The earliest time from `from` on when the leader knows that the
 * standbys that count have reached the stage: only streaming walsenders
 * count; FIRST n needs the first n of them by priority, ANY n any n (the n
 * earliest replies are the ones that acknowledged). That can only start to
 * hold when a reply arrives or a walsender changes state. */
static int64_t want_ack(const wv_sim *s, size_t m, int64_t from, wv_stage stage, unsigned *acked)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    int64_t cand[4096], known[WV_SIM_MAX_FOLLOWERS];
    int nc = 0;
    cand[nc++] = from;
    for (int i = 0; i < cfg->nsync_standbys; i++) {
        int f = cfg->sync_standbys[i];
        known[i] = cand[nc++] = wv_sim_stage_known(s, f, m, stage);
        for (int64_t t = wv_sim_next_state_change(s, f, from); t != NEVER && nc < 4096;
             t = wv_sim_next_state_change(s, f, t))
            cand[nc++] = t;
    }
    int64_t best = NEVER;
    for (int i = 0; i < nc; i++) {
        int64_t c = cand[i];
        if (c < from || c >= best)
            continue;
        int chosen = 0, confirmed = 0;
        unsigned set = 0;
        for (int k = 0; k < cfg->nsync_standbys; k++) {
            int f = cfg->sync_standbys[k];
            if (!streaming(s, f, c) || (!cfg->sync_any && chosen == cfg->sync_num))
                continue;
            chosen++;
            if (!cfg->sync_any)
                set |= 1u << f;
            confirmed += known[k] <= c;
        }
        bool ok = cfg->sync_any ? confirmed >= cfg->sync_num : chosen == cfg->sync_num && confirmed == chosen;
        if (!ok)
            continue;
        for (int n = 0; cfg->sync_any && n < cfg->sync_num; n++) { /* the earliest, ties by priority */
            int pick = -1;
            for (int k = 0; k < cfg->nsync_standbys; k++) {
                int f = cfg->sync_standbys[k];
                if (!(set & (1u << f)) && streaming(s, f, c) && known[k] <= c && (pick < 0 || known[k] < known[pick]))
                    pick = k;
            }
            set |= 1u << cfg->sync_standbys[pick];
        }
        best = c;
        *acked = set;
    }
    return best;
}

static void check_acks(const wv_sim *s)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    bool waits = cfg->sync > WV_SYNC_LOCAL && cfg->nsync_standbys > 0;
    int64_t prev_ack = INT64_MIN;
    for (size_t u = 0; u < wv_sim_txn_count(s); u++) {
        size_t m = wv_sim_txn_last(s, u);
        wv_op op = wv_sim_op(s, m);
        if (!wv_sim_txn_is_commit(s, u) && op != WV_OP_ROLLBACK_PREPARED)
            continue; /* only commits and two-phase records wait */
        wv_stage stage = stage_of_level(cfg->sync);
        if (op != WV_OP_COMMIT && op != WV_OP_COMMIT_PREPARED && op != WV_OP_STREAM_COMMIT && stage > WV_STAGE_FLUSHED)
            stage = WV_STAGE_FLUSHED; /* not a commit: at most remote flush */
        int64_t at = wv_sim_txn_time(s, u);
        unsigned acked = 0, want_set = 0;
        int64_t ack = wv_sim_txn_ack(s, u, &acked);
        if (!waits) {
            if (ack != at || acked != 0)
                fail_msg("%s: unit %zu committed at %s: ack %s by %#x, expected at commit by nobody", ctx, u,
                         us(at), us(ack), acked);
            continue;
        }
        int64_t want = want_ack(s, m, at, stage, &want_set);
        if (cfg->nsync_standbys == 1 && cfg->sync_num == 1 && cfg->nfaults[cfg->sync_standbys[0]] == 0) {
            /* FIRST 1 (f), always streaming: exactly when its reply arrives */
            int64_t own = wv_sim_stage_known(s, cfg->sync_standbys[0], m, stage);
            if (own != want && !(own < at && want == at))
                fail_msg("%s: unit %zu: brute force says %s, f%d's %s reply came at %s", ctx, u, us(want),
                         cfg->sync_standbys[0] + 1, stage_names[stage], us(own));
        }
        if (want != NEVER && acked != want_set)
            fail_msg("%s: unit %zu acknowledged by %#x, expected %#x", ctx, u, acked, want_set);
        /* commits are released in commit order */
        if (want < prev_ack)
            want = prev_ack;
        if (ack != want)
            fail_msg("%s: unit %zu committed at %s (%s, %s %d of %d standbys): ack %s, expected %s", ctx, u,
                     us(at), wv_sync_level_name(cfg->sync), cfg->sync_any ? "ANY" : "FIRST", cfg->sync_num,
                     cfg->nsync_standbys, us(ack), us(want));
        prev_ack = ack;
    }
}

/* The first difference between two schedules of the same stream, or none. */
static void check_same(const wv_sim *a, const wv_sim *b, const char *what)
{
    const wv_sim_cfg *cfg = wv_sim_config(a);
    size_t n = wv_sim_count(a);
    if (wv_sim_count(b) != n || wv_sim_txn_count(b) != wv_sim_txn_count(a))
        fail_msg("%s: %s: %zu/%zu messages and units, expected %zu/%zu", ctx, what, wv_sim_count(b),
                 wv_sim_txn_count(b), n, wv_sim_txn_count(a));
    for (size_t m = 0; m < n; m++)
        for (int f = 0; f < cfg->nfollowers; f++) {
            for (int st = 0; st < WV_STAGE_COUNT; st++) {
                int64_t x = wv_sim_stage(a, f, m, (wv_stage)st), y = wv_sim_stage(b, f, m, (wv_stage)st);
                if (x != y)
                    fail_msg("%s: %s: f%d message %zu %s at %s, expected %s", ctx, what, f + 1, m,
                             stage_names[st], us(y), us(x));
            }
            if (wv_sim_resent(a, f, m) != wv_sim_resent(b, f, m))
                fail_msg("%s: %s: f%d message %zu resent %d, expected %d", ctx, what, f + 1, m,
                         wv_sim_resent(b, f, m), wv_sim_resent(a, f, m));
        }
    for (size_t u = 0; u < wv_sim_txn_count(a); u++) {
        unsigned x, y;
        int64_t ax = wv_sim_txn_ack(a, u, &x), ay = wv_sim_txn_ack(b, u, &y);
        if (ax != ay || x != y || wv_sim_txn_time(a, u) != wv_sim_txn_time(b, u))
            fail_msg("%s: %s: unit %zu at %s acked %s by %#x, expected at %s acked %s by %#x", ctx, what, u,
                     us(wv_sim_txn_time(b, u)), us(ay), y, us(wv_sim_txn_time(a, u)), us(ax), x);
    }
    if (wv_sim_end_time(a) != wv_sim_end_time(b))
        fail_msg("%s: %s: ends at %s, expected %s", ctx, what, us(wv_sim_end_time(b)), us(wv_sim_end_time(a)));
}

/* Everything `walviz simulate --json` prints, as bytes. */
static void dump(const wv_sim *s, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    for (size_t m = 0; m < wv_sim_count(s); m++) {
        uint32_t xid;
        bool has_xid = wv_sim_xid(s, m, &xid);
        wv_buf_printf(out, "%zu %d %" PRIx64 " %d %u %zu %" PRId64, m, (int)wv_sim_op(s, m), wv_sim_lsn(s, m),
                      has_xid, has_xid ? xid : 0, wv_sim_txn_of(s, m), wv_sim_leader_time(s, m));
        for (int f = 0; f < cfg->nfollowers; f++)
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                wv_buf_printf(out, " %" PRId64, wv_sim_stage(s, f, m, (wv_stage)st));
        wv_buf_puts(out, "\n");
    }
    for (size_t u = 0; u < wv_sim_txn_count(s); u++) {
        unsigned acked;
        int64_t ack = wv_sim_txn_ack(s, u, &acked);
        wv_buf_printf(out, "u %zu %zu %zu %d %" PRId64 " %" PRId64 " %u\n", u, wv_sim_txn_first(s, u),
                      wv_sim_txn_last(s, u), wv_sim_txn_is_commit(s, u), wv_sim_txn_time(s, u), ack, acked);
    }
}

/* ---- rows against a naive replay of the generated changes ---- */

static size_t table_index(const wv_rows *r, const char *name)
{
    for (size_t i = 0; i < wv_rows_table_count(r); i++)
        if (strcmp(wv_rows_table_name(r, i), name) == 0)
            return i;
    return WV_ROWS_NONE;
}

static void check_rows(const wv_sim *s, const workload *wl)
{
    const wv_rows *r = wv_sim_rows(s);
    size_t tbl[2] = { table_index(r, "t1"), table_index(r, "t2") };
    size_t K = wv_sim_txn_count(s), p = 0;
    bool *exists[2];
    size_t *msg[2];
    for (int t = 0; t < 2; t++) {
        exists[t] = wv_xcalloc((size_t)wl->next_id[t] + 1, sizeof(bool));
        msg[t] = wv_xcalloc((size_t)wl->next_id[t] + 1, sizeof(size_t));
    }
    for (size_t k = 0; k <= K; k++) {
        /* the state as of k: every change whose transaction is one of the first k */
        for (; p < wl->nfx && wv_sim_txn_of(s, wl->fx[p].commit) < k; p++) {
            const effect *e = &wl->fx[p];
            if (e->id < 0) {
                memset(exists[e->table], 0, (size_t)wl->next_id[e->table] * sizeof(bool));
            } else {
                exists[e->table][e->id] = e->exists;
                msg[e->table][e->id] = e->msg;
            }
        }
        for (int t = 0; t < 2; t++) {
            for (int id = 0; id < wl->next_id[t]; id++) {
                char key[32];
                snprintf(key, sizeof key, "id=%d", id);
                size_t kid = tbl[t] == WV_ROWS_NONE ? WV_ROWS_NONE : wv_rows_find(r, tbl[t], key);
                wv_row row = { false, WV_ROWS_NONE, WV_ROWS_NONE };
                if (kid != WV_ROWS_NONE)
                    row = wv_rows_read(r, kid, k);
                if (row.exists != exists[t][id] || (row.exists && row.msg != msg[t][id]))
                    fail_msg("%s: t%d %s as of %zu transactions: exists %d (message %zu), expected %d "
                             "(message %zu)", ctx, t + 1, key, k, row.exists, row.msg, exists[t][id], msg[t][id]);
            }
            /* the most recently touched rows, newest first, back to the last truncate */
            int want[8];
            size_t nwant = 0;
            for (size_t i = p; i-- > 0 && nwant < 8;) {
                const effect *e = &wl->fx[i];
                if (e->table != t)
                    continue;
                if (e->id < 0)
                    break;
                bool dup = false;
                for (size_t j = 0; j < nwant; j++)
                    dup |= want[j] == e->id;
                if (!dup)
                    want[nwant++] = e->id;
            }
            size_t got[8];
            size_t ngot = tbl[t] == WV_ROWS_NONE ? 0 : wv_rows_recent(r, tbl[t], k, got, 8);
            bool same = ngot == nwant;
            for (size_t j = 0; same && j < ngot; j++) {
                char key[32];
                snprintf(key, sizeof key, "id=%d", want[j]);
                same = strcmp(wv_rows_key_text(r, got[j]), key) == 0;
            }
            if (!same)
                fail_msg("%s: t%d as of %zu: %zu recent rows (first %s), expected %zu (first id=%d)", ctx, t + 1,
                         k, ngot, ngot ? wv_rows_key_text(r, got[0]) : "-", nwant, nwant ? want[0] : -1);
        }
    }
    /* the key each committed change touched (its new row for an UPDATE) */
    for (size_t i = 0; i < wl->nfx; i++) {
        const effect *e = &wl->fx[i];
        if (e->id < 0 || (i + 1 < wl->nfx && wl->fx[i + 1].msg == e->msg))
            continue; /* a truncate, or the old row of a key change */
        char key[32];
        snprintf(key, sizeof key, "id=%d", e->id);
        const char *got = wv_rows_key_text(r, wv_rows_key_of(r, e->msg));
        if (strcmp(got, key) != 0)
            fail_msg("%s: message %zu touches %s, expected %s", ctx, e->msg, got, key);
    }
    for (int t = 0; t < 2; t++) {
        free(exists[t]);
        free(msg[t]);
    }
}

/* ---- seeking: positions and visibility against brute force ---- */

static void check_seek(const wv_sim *s, int64_t t)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    size_t n = wv_sim_count(s), ntx = wv_sim_txn_count(s);
    size_t vis = 0, departed = 0;
    for (size_t u = 0; u < ntx; u++)
        if (wv_sim_txn_time(s, u) <= t)
            vis = u + 1, departed = wv_sim_txn_last(s, u) + 1;
    if (wv_sim_departed(s, t) != departed)
        fail_msg("%s: at %s %zu messages departed, expected %zu", ctx, us(t), wv_sim_departed(s, t), departed);
    if (wv_sim_visible(s, WV_SIM_LEADER, t) != vis)
        fail_msg("%s: at %s the leader sees %zu transactions, expected %zu", ctx, us(t),
                 wv_sim_visible(s, WV_SIM_LEADER, t), vis);
    for (int f = 0; f < cfg->nfollowers; f++) {
        size_t fv = 0;
        for (size_t u = 0; u < ntx; u++)
            if (wv_sim_stage(s, f, wv_sim_txn_last(s, u), WV_STAGE_APPLIED) <= t)
                fv = u + 1;
        if (wv_sim_visible(s, f + 1, t) != fv)
            fail_msg("%s: at %s f%d sees %zu transactions, expected %zu", ctx, us(t), f + 1,
                     wv_sim_visible(s, f + 1, t), fv);
        wv_positions p;
        wv_sim_positions(s, f, t, &p);
        uint64_t want[WV_STAGE_COUNT] = { 0 }, leader = 0;
        bool reached[WV_STAGE_COUNT] = { false };
        for (size_t m = 0; m < n; m++) {
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                if (wv_sim_stage(s, f, m, (wv_stage)st) <= t) {
                    reached[st] = true;
                    if (wv_sim_lsn(s, m) > want[st])
                        want[st] = wv_sim_lsn(s, m);
                }
            if (m < departed && wv_sim_lsn(s, m) > leader)
                leader = wv_sim_lsn(s, m);
        }
        uint64_t got[WV_STAGE_COUNT] = { p.sent_lsn, p.write_lsn, p.flush_lsn, p.replay_lsn };
        int64_t lag[WV_STAGE_COUNT] = { 0, p.write_lag, p.flush_lag, p.replay_lag };
        for (int st = 0; st < WV_STAGE_COUNT; st++) {
            if (reached[st] && got[st] != want[st])
                fail_msg("%s: at %s f%d %s LSN %" PRIx64 ", expected %" PRIx64, ctx, us(t), f + 1,
                         stage_names[st], got[st], want[st]);
            /* the prefix that reached the stage, and how long the first
             * departed message that has not has been waiting */
            size_t k = 0;
            while (k < n && wv_sim_stage(s, f, k, (wv_stage)st) <= t)
                k++;
            if (wv_sim_reached(s, f, (wv_stage)st, t) != k)
                fail_msg("%s: at %s f%d: %zu messages %s, expected %zu", ctx, us(t), f + 1,
                         wv_sim_reached(s, f, (wv_stage)st, t), stage_names[st], k);
            int64_t want_lag = k < departed ? t - wv_sim_leader_time(s, k) : 0;
            if (st > 0 && lag[st] != want_lag)
                fail_msg("%s: at %s f%d %s lag %s, expected %s", ctx, us(t), f + 1, stage_names[st], us(lag[st]),
                         us(want_lag));
        }
        if (departed && p.leader_lsn != leader)
            fail_msg("%s: at %s leader LSN %" PRIx64 ", expected %" PRIx64, ctx, us(t), p.leader_lsn, leader);
        /* a standby may have replayed changes not committed yet: no lag then */
        uint64_t byte_lag = leader > want[WV_STAGE_APPLIED] ? leader - want[WV_STAGE_APPLIED] : 0;
        if (departed && reached[WV_STAGE_APPLIED] && p.byte_lag != byte_lag)
            fail_msg("%s: at %s f%d byte lag %" PRIu64 ", expected %" PRIu64, ctx, us(t), f + 1, p.byte_lag,
                     byte_lag);
        bool part = false, stop = false;
        for (int i = 0; i < cfg->nfaults[f]; i++)
            if (inside(&cfg->faults[f][i], t)) {
                part |= cfg->faults[f][i].kind == WV_FAULT_PARTITION;
                stop |= cfg->faults[f][i].kind != WV_FAULT_PARTITION; /* a process or machine crash */
            }
        if (p.partitioned != part || p.stopped != stop)
            fail_msg("%s: at %s f%d partitioned %d stopped %d, expected %d %d", ctx, us(t), f + 1, p.partitioned,
                     p.stopped, part, stop);
    }
}

/* Two schedules of the same stream answer a seek to t alike. */
static void check_seek_same(const wv_sim *a, const wv_sim *b, const workload *wl, int64_t t)
{
    const wv_sim_cfg *cfg = wv_sim_config(a);
    for (int node = 0; node <= cfg->nfollowers; node++) {
        size_t ka = wv_sim_visible(a, node, t), kb = wv_sim_visible(b, node, t);
        if (ka != kb)
            fail_msg("%s: at %s node %d sees %zu transactions, fresh %zu", ctx, us(t), node, ka, kb);
        for (int tb = 0; tb < 2; tb++) {
            const char *name = tb ? "t2" : "t1";
            const wv_rows *ra = wv_sim_rows(a), *rb = wv_sim_rows(b);
            size_t ia = table_index(ra, name), ib = table_index(rb, name);
            if (ia == WV_ROWS_NONE || ib == WV_ROWS_NONE)
                continue;
            for (int id = 0; id < wl->next_id[tb]; id += 3) {
                char key[32];
                snprintf(key, sizeof key, "id=%d", id);
                size_t kx = wv_rows_find(ra, ia, key), ky = wv_rows_find(rb, ib, key);
                wv_row x = kx == WV_ROWS_NONE ? (wv_row){ false, 0, 0 } : wv_rows_read(ra, kx, ka);
                wv_row y = ky == WV_ROWS_NONE ? (wv_row){ false, 0, 0 } : wv_rows_read(rb, ky, kb);
                if (x.exists != y.exists || (x.exists && x.msg != y.msg))
                    fail_msg("%s: at %s node %d reads %s %s: %d (message %zu), fresh %d (message %zu)", ctx, us(t),
                             node, name, key, x.exists, x.msg, y.exists, y.msg);
            }
        }
    }
    for (int f = 0; f < cfg->nfollowers; f++) {
        wv_positions x, y;
        wv_sim_positions(a, f, t, &x);
        wv_sim_positions(b, f, t, &y);
        if (x.leader_lsn != y.leader_lsn || x.sent_lsn != y.sent_lsn || x.write_lsn != y.write_lsn ||
            x.flush_lsn != y.flush_lsn || x.replay_lsn != y.replay_lsn || x.write_lag != y.write_lag ||
            x.flush_lag != y.flush_lag || x.replay_lag != y.replay_lag || x.byte_lag != y.byte_lag ||
            x.partitioned != y.partitioned || x.stopped != y.stopped || x.catching_up != y.catching_up)
            fail_msg("%s: at %s f%d positions differ from a fresh computation: replay %" PRIx64 " lag %" PRId64
                     " vs %" PRIx64 " lag %" PRId64, ctx, us(t), f + 1, x.replay_lsn, x.replay_lag, y.replay_lsn,
                     y.replay_lag);
    }
}

/* ---- the sweep: seeds x configurations ---- */

typedef struct spec {
    const char *label;
    const char *opts[32];
    bool open_partition; /* add a partition of f1 from 3 s that never heals */
} spec;

static const spec specs[] = {
    { "defaults", { NULL }, false },
    { "FIRST 1 (f2), partitions",
      { "sync-standbys", "FIRST 1 (f2)", "partition", "f2@2s-4s", "partition", "f1@1s-1.5s", "partition",
        "f3@6s-20s", "partition", "f2@4.2s-4.4s", "sender-timeout", "1s", "kind", "physical", NULL },
      false },
    { "ANY 2 (f1, f2, f3), stops",
      { "sync-standbys", "ANY 2 (f1, f2, f3)", "stop", "f1@1s-3s", "stop", "f2@2.5s-2.6s", "partition",
        "f3@4s-5s", "stop", "f3@5s-7s", "stop", "f2@9s-9.001s", NULL },
      false },
    { "FIRST 2 (f3, f1, f4), slow links",
      { "followers", "4", "kind", "physical,logical,physical,logical", "sync-standbys", "FIRST 2 (f3, f1, f4)",
        "bandwidth", "40kB/s,1MB/s,200kB/s,1MB/s",
        "flush", "20ms,1ms,0,50ms", "apply", "2ms", "latency", "5ms,80ms,30ms,1s", "jitter", "40ms", "stop",
        "f3@3s-5s", "partition", "f1@1s-2s", "crash", "f4@10s-11s", "crash", "f1@12s-12.5s", NULL },
      false },
    { "FIRST 1 (f1, f2), f1 cut off for good, uniform time",
      { "sync-standbys", "FIRST 1 (f1, f2)", "time-source", "uniform", "stop", "f2@2s-8s", NULL }, true },
};

static const wv_sync_level levels[] = { WV_SYNC_OFF, WV_SYNC_LOCAL, WV_SYNC_REMOTE_WRITE, WV_SYNC_ON,
                                        WV_SYNC_REMOTE_APPLY };

static void spec_cfg(wv_sim_cfg *cfg, const spec *sp, uint64_t seed)
{
    make_cfg(cfg, sp->opts);
    cfg->seed = seed;
    cfg->sync = levels[seed % 5];
    if (sp->open_partition)
        cfg->faults[0][cfg->nfaults[0]++] = (wv_fault){ WV_FAULT_PARTITION, 3 * SEC, NEVER };
}

static void test_invariants_over_seeds(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        workload wl;
        gen_workload(&wl, seed, 150);
        for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++) {
            wv_sim_cfg cfg;
            spec_cfg(&cfg, &specs[c], seed);
            set_ctx("seed %" PRIu64 ", %s, synchronous_commit %s", seed, specs[c].label,
                    wv_sync_level_name(cfg.sync));
            wv_sim *s = build(&cfg, &wl.st);
            check_schedule(s);
            check_acks(s);
            if (c == 0 || seed % 5 == 0)
                check_rows(s, &wl);
            uint64_t r = seed;
            for (int i = 0; i < 20; i++)
                check_seek(s, (int64_t)below(&r, (unsigned)(wv_sim_end_time(s) + 2 * SEC)) - SEC);
            /* every level over the same schedule */
            wv_sim *s2 = build(&cfg, &wl.st);
            for (int lv = 0; lv < WV_SYNC_COUNT; lv++) {
                wv_sim_set_sync(s2, (wv_sync_level)lv);
                check_acks(s2);
            }
            /* and other standbys: ANY 2 of the first three, FIRST 1 (f3), none */
            wv_sim_set_standbys(s2, true, 2, (const int[]){ 0, 1, 2 }, 3);
            check_acks(s2);
            wv_sim_set_standbys(s2, false, 1, (const int[]){ 2 }, 1);
            check_acks(s2);
            wv_sim_set_standbys(s2, false, 0, NULL, 0);
            check_acks(s2);
            wv_sim_free(s2);
            wv_sim_free(s);
            wv_sim_cfg_destroy(&cfg);
        }
        workload_free(&wl);
    }
}

static void test_same_seed_same_schedule(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        workload wl;
        gen_workload(&wl, seed, 120);
        for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++) {
            wv_sim_cfg cfg;
            spec_cfg(&cfg, &specs[c], seed);
            set_ctx("seed %" PRIu64 ", %s", seed, specs[c].label);
            wv_sim *a = build(&cfg, &wl.st), *b = build(&cfg, &wl.st);
            wv_buf da, db;
            wv_buf_init(&da);
            wv_buf_init(&db);
            dump(a, &da);
            dump(b, &db);
            check_same(a, b, "same seed");
            assert_int_equal(da.len, db.len);
            assert_memory_equal(da.data, db.data, da.len);

            cfg.seed = seed + 1000;
            wv_sim *other = build(&cfg, &wl.st);
            bool differs = false;
            for (size_t m = 0; m < wv_sim_count(a) && !differs; m++)
                for (int f = 0; f < cfg.nfollowers; f++)
                    differs |= wv_sim_stage(a, f, m, WV_STAGE_WRITTEN) != wv_sim_stage(other, f, m, WV_STAGE_WRITTEN);
            if (!differs)
                fail_msg("%s: seeds %" PRIu64 " and %" PRIu64 " give the same arrivals", ctx, seed, cfg.seed);
            check_schedule(other);
            wv_buf_destroy(&da);
            wv_buf_destroy(&db);
            wv_sim_free(a);
            wv_sim_free(b);
            wv_sim_free(other);
            wv_sim_cfg_destroy(&cfg);
        }
        workload_free(&wl);
    }
}

/* ---- interventions ---- */

typedef struct snap {
    size_t n, ntx;
    int nf;
    int64_t *stage; /* [m][f][st] */
    bool *resent;   /* [m][f] */
    int64_t *ack;
} snap;

static void snap_take(snap *sn, const wv_sim *s)
{
    sn->n = wv_sim_count(s);
    sn->ntx = wv_sim_txn_count(s);
    sn->nf = wv_sim_config(s)->nfollowers;
    sn->stage = wv_xmalloc((sn->n * (size_t)sn->nf * WV_STAGE_COUNT + 1) * sizeof *sn->stage);
    sn->resent = wv_xmalloc(sn->n * (size_t)sn->nf + 1);
    sn->ack = wv_xmalloc((sn->ntx + 1) * sizeof *sn->ack);
    for (size_t m = 0; m < sn->n; m++)
        for (int f = 0; f < sn->nf; f++) {
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                sn->stage[(m * (size_t)sn->nf + (size_t)f) * WV_STAGE_COUNT + (size_t)st] =
                    wv_sim_stage(s, f, m, (wv_stage)st);
            sn->resent[m * (size_t)sn->nf + (size_t)f] = wv_sim_resent(s, f, m);
        }
    for (size_t u = 0; u < sn->ntx; u++)
        sn->ack[u] = wv_sim_txn_ack(s, u, NULL);
}

static void snap_free(snap *sn)
{
    free(sn->stage);
    free(sn->resent);
    free(sn->ack);
}

/* After an intervention at t0 the past is as it was: every time before t0
 * stays, and a message whose journey ended before t0 is untouched. */
static void check_fork(const snap *sn, const wv_sim *s, int64_t t0, const char *what)
{
    for (size_t m = 0; m < sn->n; m++)
        for (int f = 0; f < sn->nf; f++) {
            bool all_before = true;
            for (int st = 0; st < WV_STAGE_COUNT; st++) {
                int64_t was = sn->stage[(m * (size_t)sn->nf + (size_t)f) * WV_STAGE_COUNT + (size_t)st];
                int64_t now = wv_sim_stage(s, f, m, (wv_stage)st);
                all_before &= was < t0;
                if (was < t0 && now != was)
                    fail_msg("%s: %s at %s changed the past: f%d message %zu %s was at %s, now %s", ctx, what,
                             us(t0), f + 1, m, stage_names[st], us(was), us(now));
            }
            if (all_before && wv_sim_resent(s, f, m) != sn->resent[m * (size_t)sn->nf + (size_t)f])
                fail_msg("%s: %s at %s changed f%d message %zu, delivered before it (resent %d)", ctx, what,
                         us(t0), f + 1, m, sn->resent[m * (size_t)sn->nf + (size_t)f]);
        }
    for (size_t u = 0; u < sn->ntx; u++)
        if (sn->ack[u] < t0 && wv_sim_txn_ack(s, u, NULL) != sn->ack[u])
            fail_msg("%s: %s at %s changed unit %zu's ack from %s to %s", ctx, what, us(t0), u, us(sn->ack[u]),
                     us(wv_sim_txn_ack(s, u, NULL)));
}

typedef enum op_kind { OP_PARTITION, OP_HEAL, OP_STOP, OP_RESTART, OP_LATENCY, OP_CRASH } op_kind;

typedef struct op {
    op_kind kind;
    int f;
    int64_t t, latency;
} op;

static const char *const op_names[] = { "partition", "heal", "stop", "restart", "set_latency", "crash" };

static int apply_op(wv_sim *s, const op *o)
{
    switch (o->kind) {
    case OP_PARTITION:
        return wv_sim_partition(s, o->f, o->t);
    case OP_HEAL:
        return wv_sim_heal(s, o->f, o->t);
    case OP_STOP:
        return wv_sim_stop(s, o->f, o->t);
    case OP_RESTART:
        return wv_sim_restart(s, o->f, o->t);
    case OP_LATENCY:
        return wv_sim_set_latency(s, o->f, o->t, o->latency);
    case OP_CRASH:
        return wv_sim_crash(s, o->f, o->t);
    }
    return -1;
}

/* An intervention likely to be accepted: ending a fault that is open. */
static op random_op(const wv_sim *s, uint64_t *r, int64_t end, int64_t *last_lat)
{
    const wv_sim_cfg *cfg = wv_sim_config(s);
    op o = { (op_kind)below(r, 6), (int)below(r, (unsigned)cfg->nfollowers), 0, 0 };
    o.t = (int64_t)below(r, (unsigned)(end + SEC));
    if (o.kind == OP_HEAL || o.kind == OP_RESTART) {
        for (int i = 0; i < cfg->nfaults[o.f]; i++)
            if ((cfg->faults[o.f][i].kind == WV_FAULT_PARTITION) == (o.kind == OP_HEAL) &&
                cfg->faults[o.f][i].to == NEVER)
                o.t = cfg->faults[o.f][i].from + (int64_t)below(r, 4000) * MS;
    } else if (o.kind == OP_LATENCY) {
        o.t = last_lat[o.f] + (int64_t)below(r, 6000) * MS;
        o.latency = (int64_t)below(r, 900) * MS;
        last_lat[o.f] = o.t;
    }
    return o;
}

static void test_interventions_fork_the_future(void **state)
{
    (void)state;
    static const char *const opts[][12] = {
        { "sync-standbys", "FIRST 1 (f2)", NULL },
        { "sync-standbys", "ANY 2 (f1, f2, f3)", "bandwidth", "60kB/s", "kind", "physical", NULL },
        { "sync-standbys", "FIRST 2 (f3, f2, f1)", "flush", "30ms", "jitter", "100ms", "kind",
          "physical,logical,physical", NULL },
    };
    for (uint64_t seed = 1; seed <= 24; seed++) {
        workload wl;
        gen_workload(&wl, seed, 120);
        wv_sim_cfg cfg;
        make_cfg(&cfg, opts[seed % 3]);
        cfg.seed = seed;
        cfg.sync = levels[seed % 5];
        wv_sim *a = build(&cfg, &wl.st);
        int64_t end = wv_sim_end_time(a);
        uint64_t r = seed * 31;
        op ops[16];
        int nops = 0;
        int64_t last_lat[WV_SIM_MAX_FOLLOWERS] = { 0 };
        for (int step = 0; step < 16; step++) {
            op o = random_op(a, &r, end, last_lat);
            set_ctx("seed %" PRIu64 ", step %d: %s(f%d, %s)", seed, step, op_names[o.kind], o.f + 1, us(o.t));
            snap sn;
            snap_take(&sn, a);
            if (apply_op(a, &o) == 0) {
                ops[nops++] = o;
                latency_changed |= o.kind == OP_LATENCY;
                check_fork(&sn, a, o.t, op_names[o.kind]);
            } else {
                check_fork(&sn, a, NEVER, "a refused intervention"); /* changes nothing */
            }
            snap_free(&sn);
            check_schedule(a);
            check_acks(a);
            /* queries in between must not disturb anything */
            for (int q = 0; q < 3; q++) {
                int64_t t = (int64_t)below(&r, (unsigned)(end + SEC));
                wv_positions p;
                wv_sim_positions(a, (int)below(&r, 3), t, &p);
                (void)wv_sim_visible(a, (int)below(&r, 4), t);
                (void)wv_sim_next_event(a, t, WV_STEP_ALL, 0);
            }
        }
        set_ctx("seed %" PRIu64 " after %d interventions", seed, nops);

        /* a fresh computation: the final faults in the configuration */
        wv_sim_cfg fresh = cfg;
        memset(&fresh.raw, 0, sizeof fresh.raw);
        const wv_sim_cfg *now = wv_sim_config(a);
        memcpy(fresh.faults, now->faults, sizeof fresh.faults);
        memcpy(fresh.nfaults, now->nfaults, sizeof fresh.nfaults);
        wv_sim *b = wv_sim_new(&fresh);
        for (int i = 0; i < nops; i++)
            if (ops[i].kind == OP_LATENCY)
                assert_int_equal(apply_op(b, &ops[i]), 0);
        feed(b, &wl.st, 0, wl.st.n);
        wv_sim_flush(b);
        check_same(b, a, "after interventions");

        /* live: the interventions arrive when half the stream has */
        wv_sim *c = wv_sim_new(&cfg);
        feed(c, &wl.st, 0, wl.st.n / 2);
        for (int i = 0; i < nops; i++)
            if (apply_op(c, &ops[i]) != 0)
                fail_msg("%s: %s(f%d, %s) refused half way through the stream", ctx, op_names[ops[i].kind],
                         ops[i].f + 1, us(ops[i].t));
        feed(c, &wl.st, wl.st.n / 2, wl.st.n);
        wv_sim_flush(c);
        check_same(b, c, "interventions half way through the stream");

        for (int q = 0; q < 40; q++) {
            int64_t t = (int64_t)below(&r, (unsigned)(wv_sim_end_time(a) + 2 * SEC)) - SEC;
            check_seek_same(a, b, &wl, t);
            check_seek(a, t);
        }
        wv_sim_free(a);
        wv_sim_free(b);
        wv_sim_free(c);
        wv_sim_cfg_destroy(&cfg);
        workload_free(&wl);
        latency_changed = false;
    }
}

/* Interventions that name no follower, overlap a fault or rewrite the
 * latency's past are refused. */
static void test_interventions_refused(void **state)
{
    (void)state;
    workload wl;
    gen_workload(&wl, 3, 40);
    wv_sim_cfg cfg;
    make_cfg(&cfg, NULL);
    wv_sim *s = build(&cfg, &wl.st);
    set_ctx("refusals");
    assert_int_equal(wv_sim_partition(s, -1, SEC), -1);
    assert_int_equal(wv_sim_partition(s, 3, SEC), -1);
    assert_int_equal(wv_sim_heal(s, 0, SEC), -1);    /* nothing to heal */
    assert_int_equal(wv_sim_restart(s, 0, SEC), -1); /* not stopped */
    assert_int_equal(wv_sim_partition(s, 0, SEC), 0);
    assert_int_equal(wv_sim_partition(s, 0, 2 * SEC), -1); /* already cut off */
    assert_int_equal(wv_sim_stop(s, 0, 2 * SEC), -1);
    assert_int_equal(wv_sim_restart(s, 0, 2 * SEC), -1); /* partitioned, not stopped */
    assert_int_equal(wv_sim_heal(s, 0, 3 * SEC), 0);
    assert_int_equal(wv_sim_heal(s, 0, 4 * SEC), -1);
    assert_int_equal(wv_sim_set_latency(s, 1, 5 * SEC, 10 * MS), 0);
    latency_changed = true;
    assert_int_equal(wv_sim_set_latency(s, 1, 4 * SEC, 10 * MS), -1); /* the past is fixed */
    assert_int_equal(wv_sim_set_latency(s, 1, 6 * SEC, -1), -1);
    check_schedule(s);
    for (int i = 0; i < WV_SIM_MAX_FAULTS; i++) {
        assert_int_equal(wv_sim_stop(s, 2, (10 + 2 * i) * SEC), 0);
        assert_int_equal(wv_sim_restart(s, 2, (11 + 2 * i) * SEC), 0);
    }
    assert_int_equal(wv_sim_stop(s, 2, 500 * SEC), -1); /* WV_SIM_MAX_FAULTS */
    check_schedule(s);
    const wv_fault *fl = wv_sim_fault_at(s, 0, 2 * SEC);
    assert_non_null(fl);
    assert_int_equal(fl->kind, WV_FAULT_PARTITION);
    assert_null(wv_sim_fault_at(s, 0, 3 * SEC));
    latency_changed = false;
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
    workload_free(&wl);
}

/* ---- stepping through events ---- */

typedef struct times {
    int64_t *t;
    size_t n, cap;
} times;

static void put(times *ts, int64_t t)
{
    if (t == NEVER)
        return;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 256;
        ts->t = wv_xrealloc(ts->t, ts->cap * sizeof *ts->t);
    }
    ts->t[ts->n++] = t;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void check_steps(const wv_sim *s, times *ev, wv_step_filter filter, size_t arg, const char *what)
{
    qsort(ev->t, ev->n, sizeof *ev->t, cmp_i64);
    times probes = { 0 };
    put(&probes, -7);
    put(&probes, 0);
    for (size_t i = 0; i < ev->n; i++) {
        put(&probes, ev->t[i] - 1);
        put(&probes, ev->t[i]);
        put(&probes, ev->t[i] + 1);
    }
    put(&probes, wv_sim_end_time(s) + SEC);
    for (size_t i = 0; i < probes.n; i++) {
        int64_t t = probes.t[i], want_next = NEVER, want_prev = -1;
        for (size_t k = 0; k < ev->n; k++) {
            if (ev->t[k] > t && want_next == NEVER)
                want_next = ev->t[k];
            if (ev->t[k] < t)
                want_prev = ev->t[k];
        }
        int64_t next = wv_sim_next_event(s, t, filter, arg), prev = wv_sim_prev_event(s, t, filter, arg);
        if (next != want_next)
            fail_msg("%s: %s: next event after %s is %s, expected %s", ctx, what, us(t), us(next), us(want_next));
        if (prev != want_prev)
            fail_msg("%s: %s: previous event before %s is %s, expected %s", ctx, what, us(t), us(prev),
                     us(want_prev));
    }
    free(probes.t);
    ev->n = 0;
}

static void test_next_prev_events(void **state)
{
    (void)state;
    static const char *const opts[][12] = {
        { NULL },
        { "sync-standbys", "ANY 2 (f1, f2, f3)", "partition", "f1@0.5s-2s", "partition", "f2@0.4s-1.8s",
          "partition", "f3@0.3s-2.5s", NULL },
        { "sync-standbys", "FIRST 1 (f3)", "bandwidth", "5kB/s", "stop", "f2@1s-2s", NULL },
    };
    for (uint64_t seed = 1; seed <= 20; seed++) {
        workload wl;
        gen_workload(&wl, seed, 16);
        wv_sim_cfg cfg;
        make_cfg(&cfg, opts[seed % 3]);
        cfg.seed = seed;
        cfg.sync = levels[seed % 5];
        set_ctx("seed %" PRIu64 ", configuration %d", seed, (int)(seed % 3));
        wv_sim *s = build(&cfg, &wl.st);
        size_t n = wv_sim_count(s), ntx = wv_sim_txn_count(s);
        times ev = { 0 };

        /* everything: leader commits, every stage, every acknowledgement */
        for (size_t u = 0; u < ntx; u++) {
            put(&ev, wv_sim_txn_time(s, u));
            if (wv_sim_txn_is_commit(s, u))
                put(&ev, wv_sim_txn_ack(s, u, NULL));
        }
        for (size_t m = 0; m < n; m++)
            for (int f = 0; f < cfg.nfollowers; f++)
                for (int st = 0; st < WV_STAGE_COUNT; st++)
                    put(&ev, wv_sim_stage(s, f, m, (wv_stage)st));
        check_steps(s, &ev, WV_STEP_ALL, 0, "all events");

        for (size_t u = 0; u < ntx; u++) {
            if (!wv_sim_txn_is_commit(s, u))
                continue;
            put(&ev, wv_sim_txn_time(s, u));
            put(&ev, wv_sim_txn_ack(s, u, NULL));
            for (int f = 0; f < cfg.nfollowers; f++)
                put(&ev, wv_sim_stage(s, f, wv_sim_txn_last(s, u), WV_STAGE_APPLIED));
        }
        check_steps(s, &ev, WV_STEP_COMMITS, 0, "commits");

        for (int f = 0; f < cfg.nfollowers; f++) {
            for (size_t m = 0; m < n; m++)
                for (int st = 0; st < WV_STAGE_COUNT; st++)
                    put(&ev, wv_sim_stage(s, f, m, (wv_stage)st));
            check_steps(s, &ev, WV_STEP_FOLLOWER, (size_t)f, "one follower");
        }
        for (size_t m = 0; m < n; m += 1 + n / 6) {
            put(&ev, wv_sim_leader_time(s, m));
            for (int f = 0; f < cfg.nfollowers; f++)
                for (int st = 0; st < WV_STAGE_COUNT; st++)
                    put(&ev, wv_sim_stage(s, f, m, (wv_stage)st));
            check_steps(s, &ev, WV_STEP_MESSAGE, m, "one message");
        }
        check_steps(s, &ev, WV_STEP_MESSAGE, n + 5, "no such message");
        check_steps(s, &ev, WV_STEP_FOLLOWER, 7, "no such follower");
        free(ev.t);
        wv_sim_free(s);
        wv_sim_cfg_destroy(&cfg);
        workload_free(&wl);
    }
}

/* ---- stale reads and the other row cases, by hand ---- */

static size_t key_in(const wv_rows *r, const char *table, const char *key)
{
    size_t t = table_index(r, table);
    return t == WV_ROWS_NONE ? WV_ROWS_NONE : wv_rows_find(r, t, key);
}

/* The message holding table.key's values on node at t, or -1 if the node
 * does not have the row then. */
static long row_at(const wv_sim *s, int node, int64_t t, const char *table, const char *key)
{
    const wv_rows *r = wv_sim_rows(s);
    size_t k = key_in(r, table, key);
    if (k == WV_ROWS_NONE)
        return -1;
    wv_row row = wv_rows_read(r, k, wv_sim_visible(s, node, t));
    return row.exists ? (long)row.msg : -1;
}

#define assert_row(s, node, t, table, key, want)                                                              \
    do {                                                                                                      \
        long got_ = row_at((s), (node), (t), (table), (key));                                                 \
        if (got_ != (long)(want))                                                                             \
            fail_msg("node %d at %s reads %s %s from message %ld, expected %ld", (node), us(t), (table), (key), \
                     got_, (long)(want));                                                                     \
    } while (0)

static void stale_stream(stream *st)
{
    add(st, "BEGIN 100");                                                     /* 0 */
    add(st, "table public.acct: INSERT: id[integer]:1 v[text]:'a'");          /* 1 */
    add(st, "COMMIT 100 (at 2026-01-01 10:00:00.000000+00)");                 /* 2: unit 0 at 0 s */
    add(st, "BEGIN 101");                                                     /* 3 */
    add(st, "table public.acct: UPDATE: id[integer]:1 v[text]:'b'");          /* 4 */
    add(st, "COMMIT 101 (at 2026-01-01 10:00:02.000000+00)");                 /* 5: unit 1 at 2 s */
    add(st, "BEGIN 102");                                                     /* 6 */
    add(st, "table public.acct: INSERT: id[integer]:2 v[text]:'rolled back'"); /* 7 */
    add(st, "PREPARE TRANSACTION 'g1', txid 102 (at 2026-01-01 10:00:03+00)"); /* 8: unit 2 */
    add(st, "ROLLBACK PREPARED 'g1', txid 102 (at 2026-01-01 10:00:03.5+00)"); /* 9: unit 3 */
    add(st, "BEGIN 103");                                                     /* 10 */
    add(st, "table public.acct: INSERT: id[integer]:3 v[text]:'two-phase'");  /* 11 */
    add(st, "PREPARE TRANSACTION 'g2', txid 103 (at 2026-01-01 10:00:04+00)"); /* 12: unit 4 */
    add(st, "COMMIT PREPARED 'g2', txid 103 (at 2026-01-01 10:00:05+00)");    /* 13: unit 5 at 5 s */
    add(st, "BEGIN 104");                                                     /* 14 */
    add(st, "table public.acct: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:10 v[text]:'moved'"); /* 15 */
    add(st, "COMMIT 104 (at 2026-01-01 10:00:06+00)");                        /* 16: unit 6 at 6 s */
    add(st, "BEGIN 105");                                                     /* 17 */
    add(st, "table public.acct: TRUNCATE: (no-flags)");                       /* 18 */
    add(st, "COMMIT 105 (at 2026-01-01 10:00:07+00)");                        /* 19: unit 7 at 7 s */
    add(st, "BEGIN 106");                                                     /* 20 */
    add(st, "table public.acct: INSERT: id[integer]:1 v[text]:'again'");      /* 21 */
    add(st, "COMMIT 106 (at 2026-01-01 10:00:08+00)");                        /* 22: unit 8 at 8 s */
}

static void test_stale_reads(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "latency", "1s", "jitter", "0", "max-gap", "10s", NULL };
    wv_sim_cfg cfg;
    make_cfg(&cfg, opts);
    stream st = { 0 };
    stale_stream(&st);
    wv_sim *s = build(&cfg, &st);
    set_ctx("stale reads");
    check_schedule(s);
    assert_int_equal(wv_sim_txn_count(s), 9);
    assert_int_equal(wv_sim_txn_time(s, 1), 2 * SEC);
    assert_int_equal(wv_sim_txn_time(s, 5), 5 * SEC);

    /* the leader sees each write at its commit */
    assert_row(s, 0, 0, "acct", "id=1", 1);
    assert_row(s, 0, 2 * SEC - 1, "acct", "id=1", 1);
    assert_row(s, 0, 2 * SEC, "acct", "id=1", 4);

    /* the follower, a second away, replays the UPDATE about a second later:
     * until then a read there returns the old version */
    int64_t replay = wv_sim_stage(s, 0, 5, WV_STAGE_APPLIED);
    if (replay < 3 * SEC || replay > 3 * SEC + 50 * MS)
        fail_msg("the UPDATE's COMMIT is replayed at %s, expected a little after 3 s", us(replay));
    assert_row(s, 1, -1, "acct", "id=1", -1);
    assert_row(s, 1, 2500 * MS, "acct", "id=1", 1);
    assert_row(s, 1, replay - 1, "acct", "id=1", 1);
    assert_row(s, 1, replay, "acct", "id=1", 4);
    /* a replayed change of an open transaction is not visible yet */
    assert_true(wv_sim_stage(s, 0, 4, WV_STAGE_APPLIED) < replay);
    assert_row(s, 1, wv_sim_stage(s, 0, 4, WV_STAGE_APPLIED), "acct", "id=1", 1);
    wv_slice text = wv_sim_text(s, 4);
    assert_true(text.len > 3 && memcmp(text.ptr + text.len - 3, "'b'", 3) == 0);

    /* ROLLBACK PREPARED: never there */
    for (int64_t t = 0; t < 12 * SEC; t += 100 * MS) {
        assert_row(s, 0, t, "acct", "id=2", -1);
        assert_row(s, 1, t, "acct", "id=2", -1);
    }
    /* COMMIT PREPARED: there from the COMMIT PREPARED, not the PREPARE */
    assert_row(s, 0, 4500 * MS, "acct", "id=3", -1);
    assert_row(s, 0, 5 * SEC, "acct", "id=3", 11);
    int64_t prepared = wv_sim_stage(s, 0, 12, WV_STAGE_APPLIED), committed = wv_sim_stage(s, 0, 13, WV_STAGE_APPLIED);
    assert_true(prepared < committed);
    assert_row(s, 1, prepared, "acct", "id=3", -1);
    assert_row(s, 1, committed - 1, "acct", "id=3", -1);
    assert_row(s, 1, committed, "acct", "id=3", 11);

    /* a key change moves the row */
    assert_row(s, 0, 6 * SEC - 1, "acct", "id=10", -1);
    assert_row(s, 0, 6 * SEC, "acct", "id=10", 15);
    assert_row(s, 0, 6 * SEC, "acct", "id=1", -1);
    const wv_rows *r = wv_sim_rows(s);
    size_t acct = table_index(r, "acct");
    assert_int_not_equal(acct, WV_ROWS_NONE);
    size_t keys[8];
    size_t n = wv_rows_recent(r, acct, wv_sim_visible(s, 0, 6 * SEC), keys, 8);
    assert_int_equal(n, 3);
    assert_string_equal(wv_rows_key_text(r, keys[0]), "id=10");
    assert_string_equal(wv_rows_key_text(r, keys[1]), "id=1");
    assert_string_equal(wv_rows_key_text(r, keys[2]), "id=3");
    assert_int_equal(wv_rows_recent(r, acct, wv_sim_visible(s, 0, 6 * SEC), keys, 2), 2);

    /* TRUNCATE hides every row; a later INSERT of a truncated key is back */
    assert_row(s, 0, 7 * SEC, "acct", "id=10", -1);
    assert_row(s, 0, 7 * SEC, "acct", "id=3", -1);
    assert_row(s, 0, 7 * SEC, "acct", "id=1", -1);
    assert_int_equal(wv_rows_recent(r, acct, wv_sim_visible(s, 0, 7 * SEC), keys, 8), 0);
    assert_row(s, 0, 8 * SEC, "acct", "id=1", 21);
    assert_row(s, 0, 8 * SEC, "acct", "id=10", -1);
    n = wv_rows_recent(r, acct, wv_sim_visible(s, 0, 8 * SEC), keys, 8);
    assert_int_equal(n, 1);
    assert_string_equal(wv_rows_key_text(r, keys[0]), "id=1");
    /* ... and on the follower only once it has replayed the TRUNCATE */
    int64_t trunc = wv_sim_stage(s, 0, 19, WV_STAGE_APPLIED);
    assert_row(s, 1, trunc - 1, "acct", "id=10", 15);
    assert_row(s, 1, trunc, "acct", "id=10", -1);

    assert_int_equal(wv_rows_key_of(r, 15), wv_rows_find(r, acct, "id=10"));
    assert_int_equal(wv_rows_key_of(r, 18), WV_ROWS_NONE);
    assert_string_equal(wv_rows_table_name(r, acct), "acct");
    wv_sim_free(s);
    stream_free(&st);
    wv_sim_cfg_destroy(&cfg);
}

/* Faults that start exactly when something would happen, and faults
 * listed out of order: random times rarely hit these. */
static void test_fault_edges(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "1", "kind", "physical", "latency", "100ms", "jitter", "0",
                                        "flush", "10ms", "apply", "1ms", "max-gap", "10s", NULL };
    wv_sim_cfg cfg;
    make_cfg(&cfg, opts);
    stream st = { 0 };
    stale_stream(&st);
    wv_sim *base = build(&cfg, &st);
    set_ctx("fault edges");
    const size_t m = 4; /* the UPDATE at 2 s */
    int64_t w = wv_sim_stage(base, 0, m, WV_STAGE_WRITTEN), fl = wv_sim_stage(base, 0, m, WV_STAGE_FLUSHED),
            ap = wv_sim_stage(base, 0, m, WV_STAGE_APPLIED);
    assert_true(w < fl && fl < ap);
    static const struct {
        wv_fault_kind kind;
        wv_stage at;
        int64_t timeout; /* wal_sender_timeout */
        bool resent;
    } cases[] = {
        /* arrives as the link goes: TCP delivers it after a short cut; a
         * long one ends the connection and it is sent again */
        { WV_FAULT_PARTITION, WV_STAGE_WRITTEN, 60 * SEC, false },
        { WV_FAULT_PARTITION, WV_STAGE_WRITTEN, SEC / 2, true },
        { WV_FAULT_STOP, WV_STAGE_WRITTEN, 60 * SEC, true },
        { WV_FAULT_CRASH, WV_STAGE_WRITTEN, 60 * SEC, true },
        /* the fsync ends as it crashes: the machine loses it, a process
         * crash leaves it to the restarted standby */
        { WV_FAULT_CRASH, WV_STAGE_FLUSHED, 60 * SEC, true },
        { WV_FAULT_STOP, WV_STAGE_FLUSHED, 60 * SEC, false },
        { WV_FAULT_STOP, WV_STAGE_APPLIED, 60 * SEC, false }, /* the replay ends as it crashes: again later */
        { WV_FAULT_CRASH, WV_STAGE_APPLIED, 60 * SEC, false },
    };
    static const char *const kinds[] = { "partition", "stop", "crash" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t0 = wv_sim_stage(base, 0, m, cases[i].at), t1 = t0 + SEC;
        set_ctx("fault edges: %s at the %s time, timeout %s", kinds[cases[i].kind], stage_names[cases[i].at],
                us(cases[i].timeout));
        wv_sim_cfg c = cfg;
        c.sender_timeout_us = cases[i].timeout;
        wv_sim *s = build(&c, &st);
        if (cases[i].kind == WV_FAULT_PARTITION) {
            assert_int_equal(wv_sim_partition(s, 0, t0), 0);
            assert_int_equal(wv_sim_heal(s, 0, t1), 0);
        } else {
            assert_int_equal(cases[i].kind == WV_FAULT_STOP ? wv_sim_stop(s, 0, t0) : wv_sim_crash(s, 0, t0), 0);
            assert_int_equal(wv_sim_restart(s, 0, t1), 0);
        }
        check_schedule(s);
        int64_t got = wv_sim_stage(s, 0, m, cases[i].at);
        if (got < t1)
            fail_msg("%s: message %zu %s at %s, expected after the fault [%s, %s)", ctx, m,
                     stage_names[cases[i].at], us(got), us(t0), us(t1));
        if (wv_sim_resent(s, 0, m) != cases[i].resent)
            fail_msg("%s: message %zu %s sent again", ctx, m, cases[i].resent ? "not" : "wrongly");
        if (cases[i].at == WV_STAGE_APPLIED && wv_sim_stage(s, 0, m, WV_STAGE_FLUSHED) != fl)
            fail_msg("%s: message %zu flushed before the crash, yet flushed again", ctx, m);
        if (cases[i].at == WV_STAGE_FLUSHED && !cases[i].resent && got != t1)
            fail_msg("%s: message %zu written before the crash flushed at %s, expected at the restart %s", ctx,
                     m, us(got), us(t1));
        wv_sim_free(s);
    }
    wv_sim_free(base);
    wv_sim_cfg_destroy(&cfg);

    /* A long replay pushed out of one stop into another listed before it. */
    static const char *const slow[] = { "followers", "1", "latency", "100ms", "jitter", "0", "apply", "900ms",
                                        "stop", "f1@3.3s-5s", "stop", "f1@2.2s-2.5s", NULL };
    make_cfg(&cfg, slow);
    set_ctx("a replay across two stops listed out of order");
    wv_sim *s = build(&cfg, &st);
    check_schedule(s);
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
    stream_free(&st);
}

/* A synchronous commit returns when the standby's reply reaches the
 * leader: a round trip, not a one-way trip. */
static void test_commit_waits_for_the_reply(void **state)
{
    (void)state;
    static const char *const opts[] = { "followers", "2", "kind", "physical", "latency", "1s,100ms", "jitter", "0",
                                        "flush", "5ms", "apply", "1ms", "sync-standbys", "FIRST 1 (f1)", "max-gap",
                                        "10s", NULL };
    wv_sim_cfg cfg;
    make_cfg(&cfg, opts);
    stream st = { 0 };
    stale_stream(&st);
    wv_sim *s = build(&cfg, &st);
    set_ctx("the reply's trip back");
    const size_t commit = 2; /* unit 0, committed at 0 */
    unsigned acked;
    static const struct {
        wv_sync_level level;
        wv_stage stage;
    } levels_stages[] = { { WV_SYNC_REMOTE_WRITE, WV_STAGE_WRITTEN },
                          { WV_SYNC_ON, WV_STAGE_FLUSHED },
                          { WV_SYNC_REMOTE_APPLY, WV_STAGE_APPLIED } };
    for (size_t i = 0; i < 3; i++) {
        wv_sim_set_sync(s, levels_stages[i].level);
        int64_t at = wv_sim_stage(s, 0, commit, levels_stages[i].stage);
        assert_true(at > 1000 * MS && at < 1100 * MS);
        int64_t ack = wv_sim_txn_ack(s, 0, &acked);
        if (ack != at + SEC || acked != 1)
            fail_msg("%s: %s: f1 reached %s at %s; ack %s by %#x, expected %s by f1",
                     wv_sync_level_name(levels_stages[i].level), ctx, stage_names[levels_stages[i].stage], us(at),
                     us(ack), acked, us(at + SEC));
    }
    wv_sim_set_sync(s, WV_SYNC_LOCAL);
    assert_int_equal(wv_sim_txn_ack(s, 0, &acked), 0);
    assert_int_equal(acked, 0);

    /* ANY 1 (f1, f2): the near standby answers first */
    wv_sim_set_sync(s, WV_SYNC_ON);
    wv_sim_set_standbys(s, true, 1, (const int[]){ 0, 1 }, 2);
    int64_t f2 = wv_sim_stage(s, 1, commit, WV_STAGE_FLUSHED);
    assert_int_equal(wv_sim_txn_ack(s, 0, &acked), f2 + 100 * MS);
    assert_int_equal(acked, 2);

    /* FIRST 1 (f1) again, and the link cut while f1's reply is on its way:
     * the leader hears of it when f1 reconnects, a trip later */
    wv_sim_set_standbys(s, false, 1, (const int[]){ 0 }, 1);
    int64_t flushed = wv_sim_stage(s, 0, commit, WV_STAGE_FLUSHED);
    assert_int_equal(wv_sim_partition(s, 0, flushed + 500 * MS), 0);
    assert_int_equal(wv_sim_heal(s, 0, 3 * SEC), 0);
    assert_int_equal(wv_sim_stage(s, 0, commit, WV_STAGE_FLUSHED), flushed);
    assert_int_equal(wv_sim_stage_known(s, 0, commit, WV_STAGE_FLUSHED), 4 * SEC);
    assert_int_equal(wv_sim_txn_ack(s, 0, NULL), 4 * SEC);
    check_schedule(s);
    check_acks(s);
    wv_sim_free(s);
    stream_free(&st);
    wv_sim_cfg_destroy(&cfg);
}

/* A table keyed by (a, b): until a DELETE shows both columns, rows are
 * keyed by the first; then the table is re-keyed from its messages. */
static void test_rekey(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    make_cfg(&cfg, NULL);
    stream st = { 0 };
    add(&st, "BEGIN 1");
    add(&st, "table public.pairs: INSERT: a[integer]:1 b[text]:'x' c[integer]:1");  /* 1 */
    add(&st, "table public.pairs: INSERT: a[integer]:1 b[text]:'y' c[integer]:2");  /* 2 */
    add(&st, "table \"My Schema\".other: INSERT: a[integer]:1");                   /* 3 */
    add(&st, "COMMIT 1 (at 2026-01-01 10:00:00+00)");                              /* 4: unit 0 */
    add(&st, "BEGIN 2");
    add(&st, "table public.pairs: UPDATE: a[integer]:1 b[text]:'y' c[integer]:3"); /* 6 */
    add(&st, "COMMIT 2 (at 2026-01-01 10:00:01+00)");                              /* 7: unit 1 */
    add(&st, "BEGIN 3");
    add(&st, "table public.pairs: DELETE: a[integer]:1 b[text]:'x'");              /* 9 */
    add(&st, "table public.pairs: INSERT: a[integer]:2 b[text]:'x' c[integer]:4");  /* 10 */
    add(&st, "COMMIT 3 (at 2026-01-01 10:00:02+00)");                              /* 11: unit 2 */
    wv_sim *s = wv_sim_new(&cfg);
    feed(s, &st, 0, 8);
    const wv_rows *r = wv_sim_rows(s);
    size_t pairs = table_index(r, "pairs");
    assert_int_not_equal(pairs, WV_ROWS_NONE);
    assert_int_not_equal(table_index(r, "My Schema.other"), WV_ROWS_NONE);
    /* keyed by the first column: the two rows look like one */
    size_t k = wv_rows_find(r, pairs, "a=1");
    assert_int_not_equal(k, WV_ROWS_NONE);
    assert_int_equal(wv_rows_read(r, k, 1).msg, 2);
    assert_int_equal(wv_rows_read(r, k, 2).msg, 6);

    feed(s, &st, 8, st.n);
    wv_sim_flush(s);
    assert_int_equal(wv_rows_find(r, pairs, "a=1"), WV_ROWS_NONE);
    size_t x = wv_rows_find(r, pairs, "a=1, b=x"), y = wv_rows_find(r, pairs, "a=1, b=y"),
           z = wv_rows_find(r, pairs, "a=2, b=x");
    assert_int_not_equal(x, WV_ROWS_NONE);
    assert_int_not_equal(y, WV_ROWS_NONE);
    assert_int_not_equal(z, WV_ROWS_NONE);
    assert_false(wv_rows_read(r, x, 0).exists);
    assert_true(wv_rows_read(r, x, 1).exists);
    assert_int_equal(wv_rows_read(r, x, 1).msg, 1);
    assert_int_equal(wv_rows_read(r, y, 1).msg, 2);
    assert_int_equal(wv_rows_read(r, y, 2).msg, 6);
    assert_true(wv_rows_read(r, x, 2).exists);
    assert_false(wv_rows_read(r, x, 3).exists);
    assert_true(wv_rows_read(r, y, 3).exists);
    assert_int_equal(wv_rows_read(r, z, 3).msg, 10);
    assert_false(wv_rows_read(r, z, 2).exists);
    assert_int_equal(wv_rows_key_of(r, 1), x);
    assert_int_equal(wv_rows_key_of(r, 6), y);
    size_t keys[8];
    size_t n = wv_rows_recent(r, pairs, 3, keys, 8);
    assert_int_equal(n, 3);
    assert_int_equal(keys[0], z);
    assert_int_equal(keys[1], x);
    assert_int_equal(keys[2], y);
    wv_sim_free(s);
    stream_free(&st);
    wv_sim_cfg_destroy(&cfg);
}

/* ---- options ---- */

typedef struct opt_case {
    const char *name, *value;
    int rc;            /* of wv_sim_cfg_option */
    int check_rc;      /* of wv_sim_cfg_check, when the option was taken */
} opt_case;

static const opt_case opt_cases[] = {
    { "followers", "1", 0, 0 },          { "followers", "8", 0, 0 },
    { "followers", "0", -1, 0 },         { "followers", "9", -1, 0 },
    { "followers", "three", -1, 0 },     { "followers", "", -1, 0 },
    { "followers", "3x", -1, 0 },        { "names", "tokyo,sydney", 0, 0 },
    { "names", "a,b,c,d,e,f,g,h,i", 0, -1 },
    { "names", "abcdefghijabcdefghijabcdefghijxyz", 0, -1 },
    { "names", "a, ,b", 0, -1 },         { "names", ",", 0, -1 },
    { "names", "a,a", 0, -1 },           { "latency", "20ms", 0, 0 },
    { "latency", "20ms,150ms,600ms", 0, 0 },
    { "latency", "20ms,1s", 0, -1 },     { "latency", "fast", 0, -1 },
    { "latency", "-5ms", 0, -1 },        { "latency", "nan", 0, -1 },
    { "latency", "", 0, -1 },            { "latency", "5 parsecs", 0, -1 },
    { "jitter", "0", 0, 0 },             { "jitter", "1ms,2ms,3ms", 0, 0 },
    { "jitter", "x", 0, -1 },            { "bandwidth", "10MB/s", 0, 0 },
    { "bandwidth", "100Mbit", 0, 0 },    { "bandwidth", "500kB/s,1GB/s,64kbit", 0, 0 },
    { "bandwidth", "0", 0, -1 },         { "bandwidth", "fast", 0, -1 },
    { "bandwidth", "10 furlongs", 0, -1 },
    { "bandwidth", "nan", 0, -1 },       { "bandwidth", "inf", 0, -1 },
    { "bandwidth", "-1MB/s", 0, -1 },    { "flush", "5ms", 0, 0 },
    { "flush", "0", 0, 0 },              { "flush", "soon", 0, -1 },
    { "apply", "200us", 0, 0 },          { "apply", "2m", 0, 0 },
    { "apply", "1h", 0, -1 },            { "sync", "remote_apply", 0, 0 },
    { "sync", "ON", 0, 0 },              { "sync", "always", -1, 0 },
    { "sync", "", -1, 0 },               { "sync-standbys", "FIRST 1 (f2)", 0, 0 },
    { "sync-standbys", "ANY 2 (f1, f2, f3)", 0, 0 },
    { "sync-standbys", "2 (f1,f2)", 0, 0 },
    { "sync-standbys", "first 1 (\"f3\")", 0, 0 },
    { "sync-standbys", "FIRST 3 (f1, f2)", 0, -1 },
    { "sync-standbys", "ANY 1 (f9)", 0, -1 },
    { "sync-standbys", "ANY 0 (f1)", 0, -1 },
    { "sync-standbys", "ANY 2 (f1, f1)", 0, -1 },
    { "sync-standbys", "ANY 2 ()", 0, -1 },
    { "sync-standbys", "FIRST (f1)", 0, -1 },
    { "sync-standbys", "ANY 1 (f1", 0, -1 },
    { "partition", "f2@3s-8s", 0, 0 },   { "partition", "2@1s-2s", 0, 0 },
    { "partition", "f2@8s-3s", 0, -1 },  { "partition", "f2@3s-3s", 0, -1 },
    { "partition", "f9@1s-2s", 0, -1 },  { "partition", "f2", 0, -1 },
    { "partition", "f2@3s", 0, -1 },     { "partition", "f2@x-2s", 0, -1 },
    { "stop", "f3@5s-9s", 0, 0 },        { "stop", "nobody@5s-9s", 0, -1 },
    { "stop", "f3@5s", 0, -1 },          { "seed", "42", 0, 0 },
    { "seed", "18446744073709551615", 0, 0 },
    { "seed", "x", -1, 0 },              { "seed", "", -1, 0 },
    { "seed", "-1", -1, 0 },             { "seed", "99999999999999999999999", -1, 0 },
    { "time-source", "uniform", 0, 0 },  { "time-source", "commit", 0, 0 },
    { "time-source", "receive", 0, 0 },  { "time-source", "clock", -1, 0 },
    { "max-gap", "2s", 0, 0 },           { "max-gap", "0", -1, 0 },
    { "max-gap", "x", -1, 0 },           { "max-gap", "nan", -1, 0 },
    { "wal-writer-delay", "200ms", 0, 0 }, { "wal-writer-delay", "10s", 0, 0 },
    { "wal-writer-delay", "0", -1, 0 },  { "wal-writer-delay", "11s", -1, 0 },
    { "streaming", "on", 0, 0 },         { "streaming", "parallel", 0, 0 },
    { "streaming", "off", -1, 0 },        { "kind", "physical", 0, 0 },
    { "kind", "logical,physical,logical", 0, 0 },
    { "kind", "subscriber", 0, -1 },     { "kind", "logical,physical", 0, -1 },
    { "sender-timeout", "5s", 0, 0 },    { "sender-timeout", "0", -1, 0 },
    { "crash", "f1@1s-2s", 0, 0 },       { "crash", "f1@2s", 0, -1 },
};

static void test_cfg_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof opt_cases / sizeof opt_cases[0]; i++) {
        const opt_case *c = &opt_cases[i];
        wv_sim_cfg cfg;
        wv_sim_cfg_init(&cfg);
        char err[300] = "";
        int rc = wv_sim_cfg_option(&cfg, c->name, c->value, err, sizeof err);
        if (rc != c->rc)
            fail_msg("--%s='%s': wv_sim_cfg_option returns %d (%s), expected %d", c->name, c->value, rc, err,
                     c->rc);
        int check_rc = 0;
        if (rc == 0) {
            check_rc = wv_sim_cfg_check(&cfg, err, sizeof err);
            if (check_rc != c->check_rc)
                fail_msg("--%s='%s': wv_sim_cfg_check returns %d (%s), expected %d", c->name, c->value, check_rc,
                         err, c->check_rc);
        }
        if (rc != 0 || check_rc != 0) {
            char want[64];
            snprintf(want, sizeof want, "--%s", c->name);
            size_t wl = strlen(want);
            if (strncmp(err, want, wl) != 0 || (err[wl] != ' ' && err[wl] != ':') || strchr(err, '\n'))
                fail_msg("--%s='%s': error \"%s\", expected one line starting with \"%s \"", c->name, c->value,
                         err, want);
        }
        wv_sim_cfg_destroy(&cfg);
    }
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char err[300];
    assert_int_equal(wv_sim_cfg_option(&cfg, "colour", "blue", err, sizeof err), 1);
    for (const char *const *name = wv_sim_option_names; *name; name++)
        if (!strstr(wv_sim_options_help, *name))
            fail_msg("--%s is missing from the options help", *name);
    wv_sim_cfg_destroy(&cfg);
}

static void test_cfg_values(void **state)
{
    (void)state;
    static const char *const opts[] = {
        "names", "tokyo,sydney,oslo,lima", "latency", "20ms,150ms,600ms,1.5s", "bandwidth", "100Mbit",
        "flush", "1ms", "apply", "800us", "sync", "remote_write", "sync-standbys", "ANY 2 (sydney, f4, \"oslo\")",
        "partition", "sydney@3s-8s", "stop", "4@1m-2m", "seed", "9", "time-source", "receive", "max-gap",
        "500ms", NULL,
    };
    wv_sim_cfg cfg;
    make_cfg(&cfg, opts);
    assert_int_equal(cfg.nfollowers, 4);
    assert_string_equal(cfg.names[1], "sydney");
    assert_int_equal(cfg.link[0].latency_us, 20 * MS);
    assert_int_equal(cfg.link[3].latency_us, 1500 * MS);
    assert_int_equal(cfg.link[3].jitter_us, 150 * MS); /* 10% of the latency given */
    assert_true(cfg.link[2].bandwidth_bps == 12.5e6);
    assert_int_equal(cfg.link[1].flush_us, 1000);
    assert_int_equal(cfg.link[1].apply_us, 800);
    assert_int_equal(cfg.sync, WV_SYNC_REMOTE_WRITE);
    assert_true(cfg.sync_any);
    assert_int_equal(cfg.sync_num, 2);
    assert_int_equal(cfg.nsync_standbys, 3);
    assert_int_equal(cfg.sync_standbys[0], 1);
    assert_int_equal(cfg.sync_standbys[1], 3);
    assert_int_equal(cfg.sync_standbys[2], 2);
    assert_int_equal(cfg.nfaults[1], 1);
    assert_int_equal(cfg.faults[1][0].kind, WV_FAULT_PARTITION);
    assert_int_equal(cfg.faults[1][0].from, 3 * SEC);
    assert_int_equal(cfg.faults[1][0].to, 8 * SEC);
    assert_int_equal(cfg.faults[3][0].kind, WV_FAULT_STOP);
    assert_int_equal(cfg.faults[3][0].from, 60 * SEC);
    assert_int_equal(cfg.seed, 9);
    assert_int_equal(cfg.time_source, WV_TIME_RECEIVE);
    assert_int_equal(cfg.max_gap_us, 500 * MS);
    wv_sim_cfg_destroy(&cfg);

    int64_t d;
    static const struct {
        const char *s;
        int64_t us;
    } good[] = { { "250ms", 250000 }, { "1.5s", 1500000 }, { "2m", 120000000 }, { "800us", 800 },
                 { "3", 3000000 },    { "0", 0 },          { "2min", 120000000 } };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (wv_parse_duration(good[i].s, &d) != 0 || d != good[i].us)
            fail_msg("duration \"%s\": %" PRId64 "us, expected %" PRId64 "us", good[i].s, d, good[i].us);
    }
    static const char *const bad[] = { "", "ms", "5 ms", "-1", "nan", "inf", "1e30", "5h", "1s2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (wv_parse_duration(bad[i], &d) == 0)
            fail_msg("duration \"%s\" accepted as %" PRId64 "us", bad[i], d);
    assert_int_equal(wv_sync_level_parse("remote_apply"), WV_SYNC_REMOTE_APPLY);
    assert_int_equal(wv_sync_level_parse("Local"), WV_SYNC_LOCAL);
    assert_int_equal(wv_sync_level_parse("sometimes"), -1);
    assert_string_equal(wv_sync_level_name(WV_SYNC_OFF), "off");
}

/* ---- files: sample recordings and the fuzz corpus ---- */

/* Loads fd from its start as `walviz simulate` does; returns the messages
 * read. */
static size_t load(wv_sim *s, int fd, const char *name)
{
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    wv_reader *r = wv_reader_new(fd, name);
    wv_item it;
    int got;
    size_t n = 0;
    while ((got = wv_reader_next(r, &it)) != 0)
        if (got > 0) {
            wv_sim_add(s, &it.change, &it.meta, it.text);
            n++;
        }
    wv_sim_flush(s);
    wv_reader_free(r);
    return n;
}

static void check_file(int fd, const char *path, const workload *wl)
{
    static const char *const opts[][12] = {
        { NULL },
        { "sync-standbys", "ANY 2 (f1, f2, f3)", "sync", "remote_apply", "partition", "f1@1s-4s", "stop",
          "f2@2s-3s", NULL },
        { "sync-standbys", "FIRST 1 (f2, f3)", "stop", "f2@0.5s-6s", "bandwidth", "20kB/s", NULL },
    };
    for (size_t c = 0; c < sizeof opts / sizeof opts[0]; c++) {
        wv_sim_cfg cfg;
        make_cfg(&cfg, opts[c]);
        set_ctx("%s, configuration %zu", path, c);
        wv_sim *s = wv_sim_new(&cfg);
        size_t n = load(s, fd, path);
        assert_int_equal(wv_sim_count(s), n);
        check_schedule(s);
        check_acks(s);
        for (int64_t t = -SEC; t < wv_sim_end_time(s) + SEC; t += 1 + wv_sim_end_time(s) / 16) {
            check_seek(s, t);
            /* what a follower's table view shows: its recent rows, read */
            const wv_rows *r = wv_sim_rows(s);
            size_t k = wv_sim_visible(s, 1, t), keys[8];
            for (size_t tb = 0; tb < wv_rows_table_count(r); tb++) {
                size_t nk = wv_rows_recent(r, tb, k, keys, 8);
                for (size_t i = 0; i < nk; i++) {
                    if (wv_rows_find(r, tb, wv_rows_key_text(r, keys[i])) != keys[i])
                        fail_msg("%s: recent row %s of %s is not found by its key", ctx,
                                 wv_rows_key_text(r, keys[i]), wv_rows_table_name(r, tb));
                    wv_row row = wv_rows_read(r, keys[i], k);
                    if (row.msg != WV_ROWS_NONE && (row.msg >= n || row.vis >= k))
                        fail_msg("%s: %s of %s as of %zu comes from message %zu of unit %zu", ctx,
                                 wv_rows_key_text(r, keys[i]), wv_rows_table_name(r, tb), k, row.msg, row.vis);
                }
            }
        }
        if (wl) {
            /* the generated workload, read back from a raw file, gives the
             * same schedule as when fed directly (raw output has no LSNs) */
            if (n != wl->st.n)
                fail_msg("%s: read %zu messages, wrote %zu", ctx, n, wl->st.n);
            wv_sim *direct = build(&cfg, &wl->st);
            check_same(direct, s, "read back from a file");
            check_rows(s, wl);
            wv_sim_free(direct);
        }
        wv_sim_free(s);
        wv_sim_cfg_destroy(&cfg);
    }
}

static size_t check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0))
            continue;
        char path[1024];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        check_file(fd, path, NULL);
        close(fd);
        n++;
    }
    closedir(d);
    return n;
}

static void test_files(void **state)
{
    (void)state;
    /* always at least one file: a generated workload in raw form */
    workload wl;
    gen_workload(&wl, 77, 200);
    FILE *f = tmpfile();
    assert_non_null(f);
    for (size_t i = 0; i < wl.st.n; i++)
        fprintf(f, "%s\n", wl.st.msg[i]);
    assert_int_equal(fflush(f), 0);
    check_file(fileno(f), "a generated workload", &wl);
    fclose(f);
    workload_free(&wl);

    size_t n = check_dir("sample-data") + check_dir("tests/fuzz/corpus");
    print_message("checked %zu files from sample-data/ and tests/fuzz/corpus/\n", n);
}

/* Stage times are kept as 32-bit microseconds after the commit, with the
 * rare ones past ~71 minutes in a side table: an 80-minute link and a
 * 170-minute outage must come out exact, and an intervention (which
 * recomputes the follower) must agree with the same fault configured. */
static void test_delays_past_71_minutes(void **state)
{
    (void)state;
    static const char text[] =
        "BEGIN 1\ntable public.t: INSERT: id[integer]:1\nCOMMIT 1 (at 2026-01-01 10:00:00+00)\n"
        "BEGIN 2\ntable public.t: INSERT: id[integer]:2\nCOMMIT 2 (at 2026-01-01 10:00:01+00)\n";
    const char *base[] = { "followers", "2", "latency", "80m,20ms", "jitter", "0", "bandwidth",
                           "1GB/s", "flush", "0", "apply", "0", NULL };
    const char *cut[] = { "followers", "2", "latency", "80m,20ms", "jitter", "0", "bandwidth",
                          "1GB/s", "flush", "0", "apply", "0", "partition", "f2@1s-170m", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(base, text, err, sizeof err);
    assert_non_null(s);
    const int64_t min = 60000000;
    for (size_t m = 0; m < wv_sim_count(s); m++) {
        int64_t sent = wv_sim_stage(s, 0, m, WV_STAGE_SENT);
        int64_t written = wv_sim_stage(s, 0, m, WV_STAGE_WRITTEN);
        if (written - sent != 80 * min) {
            fail_msg("message %zu on f1: written %s after sent, expected 80 min", m, us(written - sent));
        }
        assert_true(wv_sim_stage(s, 0, m, WV_STAGE_APPLIED) >= written);
        assert_true(wv_sim_stage(s, 1, m, WV_STAGE_WRITTEN) < min);
    }
    /* the next event after the quick follower's last one is f1's first write */
    int64_t first_write = wv_sim_stage(s, 0, 0, WV_STAGE_WRITTEN);
    assert_int_equal(wv_sim_next_event(s, 2 * 1000000, WV_STEP_FOLLOWER, 0), first_write);

    /* cut f2 from 1 s to 170 min, by hand and by configuration */
    wv_sim *by_cfg = sim_from_lines(cut, text, err, sizeof err);
    assert_non_null(by_cfg);
    assert_int_equal(wv_sim_partition(s, 1, 1000000), 0);
    assert_int_equal(wv_sim_heal(s, 1, 170 * min), 0);
    for (size_t m = 0; m < wv_sim_count(s); m++) {
        for (int st = 0; st < WV_STAGE_COUNT; st++) {
            int64_t a = wv_sim_stage(s, 1, m, (wv_stage)st), b = wv_sim_stage(by_cfg, 1, m, (wv_stage)st);
            if (a != b)
                fail_msg("message %zu, %s on f2: %s by intervention, %s by configuration", m,
                         stage_names[st], us(a), us(b));
        }
    }
    /* message 3 (BEGIN 2) left at 1 s, inside the cut: it arrives after it */
    assert_true(wv_sim_stage(s, 1, 3, WV_STAGE_WRITTEN) >= 170 * min);
    wv_sim_free(by_cfg);
    wv_sim_free(s);
}

/* Hostile values (issue 16): a link so slow that one message would take
 * longer than int64_t can count never delivers it, and receive times
 * 2^64 - 1 apart make one compressed gap, with no overflow on the way. */
static void test_extreme_links_and_clocks(void **state)
{
    (void)state;
    static const char text[] = "BEGIN 1\ntable public.t: INSERT: id[integer]:1\nCOMMIT 1\n";
    const char *slow[] = { "followers", "1", "bandwidth", "1e-12", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(slow, text, err, sizeof err);
    assert_non_null(s);
    for (size_t m = 0; m < wv_sim_count(s); m++) {
        if (wv_sim_stage(s, 0, m, WV_STAGE_WRITTEN) != NEVER)
            fail_msg("message %zu over a 1e-12 B/s link written at %s, expected never", m,
                     us(wv_sim_stage(s, 0, m, WV_STAGE_WRITTEN)));
    }
    wv_sim_free(s);

    wv_sim_cfg cfg;
    make_cfg(&cfg, (const char *const[]){ "followers", "1", "time-source", "receive", NULL });
    s = wv_sim_new(&cfg);
    wv_decoder *d = wv_decode_new();
    const char *lone = "message: transactional: 0 prefix: p, sz: 1 content:x";
    const int64_t clocks[] = { INT64_MIN, INT64_MAX };
    for (int i = 0; i < 2; i++) {
        wv_change c;
        assert_int_equal(wv_decode_message(d, lone, strlen(lone), &c), WV_DECODE_OK);
        wv_meta m = { .has_lsn = true, .lsn = lsn_of((size_t)i), .recv_us = clocks[i] };
        wv_sim_add(s, &c, &m, (wv_slice){ lone, strlen(lone) });
    }
    wv_sim_flush(s);
    const wv_gap *gaps;
    assert_int_equal(wv_sim_gaps(s, &gaps), 1);
    if (gaps[0].original_us != INT64_MAX || wv_sim_txn_time(s, 1) != cfg.max_gap_us)
        fail_msg("gap of %s shown at %s, expected INT64_MAX shown as --max-gap %s", us(gaps[0].original_us),
                 us(wv_sim_txn_time(s, 1)), us(cfg.max_gap_us));
    wv_decode_free(d);
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
}

/* Issue 12, 2: SyncRepWaitForLSN caps what is not a commit at remote
 * flush. With 50 ms links and 100 ms per change, a PREPARE returns after
 * the flush reply (about 110 ms) under on and remote_apply alike (so does a
 * ROLLBACK PREPARED); a COMMIT under remote_apply waits for its replay. */
static void test_prepare_waits_at_most_for_flush(void **state)
{
    (void)state;
    static const char text[] =
        "BEGIN 1\ntable public.t: INSERT: id[integer]:1\nPREPARE TRANSACTION 'g', txid 1\n"
        "BEGIN 2\ntable public.t: INSERT: id[integer]:2\nCOMMIT 2\nROLLBACK PREPARED 'g', txid 1\n";
    const char *opts[] = { "followers", "1", "kind", "physical", "latency", "50ms", "jitter", "0", "apply", "100ms",
                           "sync-standbys", "FIRST 1 (f1)", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(opts, text, err, sizeof err);
    assert_non_null(s);
    const size_t prepare = 2, commit = 5;
    int64_t flush_known = wv_sim_stage_known(s, 0, prepare, WV_STAGE_FLUSHED);
    assert_true(flush_known > 100 * MS && flush_known < 120 * MS);
    static const wv_sync_level capped[] = { WV_SYNC_ON, WV_SYNC_REMOTE_APPLY };
    for (int i = 0; i < 2; i++) {
        wv_sim_set_sync(s, capped[i]);
        int64_t ack = wv_sim_txn_ack(s, wv_sim_txn_of(s, prepare), NULL);
        if (ack != flush_known)
            fail_msg("PREPARE under %s returns at %s, expected at the flush reply %s",
                     wv_sync_level_name(capped[i]), us(ack), us(flush_known));
    }
    int64_t apply_known = wv_sim_stage_known(s, 0, commit, WV_STAGE_APPLIED);
    assert_true(apply_known > wv_sim_stage_known(s, 0, commit, WV_STAGE_FLUSHED) + 100 * MS);
    assert_int_equal(wv_sim_txn_ack(s, wv_sim_txn_of(s, commit), NULL), apply_known);
    /* ROLLBACK PREPARED waits too (RecordTransactionAbortPrepared), at
     * most for the flush, and behind the COMMIT before it */
    const size_t rollback = 6;
    int64_t rollback_flushed = wv_sim_stage_known(s, 0, rollback, WV_STAGE_FLUSHED);
    int64_t want = rollback_flushed > apply_known ? rollback_flushed : apply_known;
    assert_int_equal(wv_sim_txn_ack(s, wv_sim_txn_of(s, rollback), NULL), want);
    wv_sim_set_sync(s, WV_SYNC_ON);
    assert_int_equal(wv_sim_txn_ack(s, wv_sim_txn_of(s, rollback), NULL), rollback_flushed);
    assert_true(rollback_flushed > wv_sim_txn_time(s, wv_sim_txn_of(s, rollback)) + 100 * MS);
    wv_sim_free(s);
}

/* Issue 12, 1: the walreceiver writes everything it can read, then fsyncs
 * once (walreceiver.c). A transaction sent back to back is one burst: its
 * COMMIT is flushed one --flush after it is written, with the changes
 * before it; what arrives during an fsync waits for the next one. */
static void test_one_fsync_per_burst(void **state)
{
    (void)state;
    static const char text[] =
        "BEGIN 1\ntable public.t: INSERT: id[integer]:1\ntable public.t: INSERT: id[integer]:2\n"
        "COMMIT 1 (at 2026-01-01 10:00:00+00)\n"
        "BEGIN 2\ntable public.t: INSERT: id[integer]:3\nCOMMIT 2 (at 2026-01-01 10:00:00.002+00)\n";
    const char *opts[] = { "followers", "2", "kind", "physical", "latency", "20ms", "flush", "5ms", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(opts, text, err, sizeof err);
    assert_non_null(s);
    for (int f = 0; f < 2; f++) {
        int64_t commit_written = wv_sim_stage(s, f, 3, WV_STAGE_WRITTEN);
        for (size_t m = 0; m <= 3; m++) {
            int64_t fl = wv_sim_stage(s, f, m, WV_STAGE_FLUSHED);
            if (fl != commit_written + 5 * MS)
                fail_msg("f%d message %zu flushed at %s, expected one fsync after the COMMIT's write %s", f + 1,
                         m, us(fl), us(commit_written));
        }
        /* the second transaction arrives during that fsync: the next one */
        int64_t second = wv_sim_stage(s, f, 6, WV_STAGE_FLUSHED);
        assert_true(wv_sim_stage(s, f, 4, WV_STAGE_WRITTEN) < commit_written + 5 * MS);
        if (second != commit_written + 10 * MS)
            fail_msg("f%d: the second COMMIT flushed at %s, expected %s", f + 1, us(second),
                     us(commit_written + 10 * MS));
    }
    wv_sim_free(s);
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Issue 12, 6: with synchronous_commit off a commit leaves only when the
 * WAL writer flushes it, every --wal-writer-delay: commits spread evenly
 * wait half of it in the median (PostgreSQL: 106 ms at 200 ms), and never
 * leave before an earlier one. Switching the level recomputes the
 * schedule as if it had been configured. */
static void test_async_commit_waits_for_the_wal_writer(void **state)
{
    (void)state;
    stream st = { 0 };
    enum { N = 100 }; /* 8 ms apart: four wakeups of 200 ms */
    for (int i = 0; i < N; i++) {
        add(&st, "BEGIN %d", 100 + i);
        add(&st, "table public.t: INSERT: id[integer]:%d", i);
        add(&st, "COMMIT %d (at 2026-01-01 10:00:%02d.%03d+00)", 100 + i, i * 8 / 1000, i * 8 % 1000);
    }
    wv_sim_cfg on, off;
    make_cfg(&on, (const char *const[]){ "followers", "1", "bandwidth", "100MB/s", NULL });
    make_cfg(&off, (const char *const[]){ "followers", "1", "bandwidth", "100MB/s", "sync", "off", NULL });
    wv_sim *s = build(&on, &st), *want = build(&off, &st);
    int64_t wait[N];
    for (int i = 0; i < N; i++) {
        size_t begin = (size_t)i * 3; /* the first of its transaction to leave */
        int64_t lead = wv_sim_leader_time(want, begin), sent = wv_sim_stage(want, 0, begin, WV_STAGE_SENT);
        wait[i] = sent - lead;
        int64_t wakeup = lead - lead % (200 * MS) + 200 * MS; /* behind those it flushed too */
        if (sent < wakeup || sent > wakeup + 1 * MS)
            fail_msg("commit %d at %s sent at %s, expected at the WAL writer's next wakeup %s", i, us(lead),
                     us(sent), us(wakeup));
        assert_int_equal(wv_sim_stage(s, 0, begin, WV_STAGE_SENT), lead); /* on: at once */
    }
    qsort(wait, N, sizeof wait[0], cmp_int64);
    if (wait[N / 2] < 90 * MS || wait[N / 2] > 110 * MS)
        fail_msg("median wait for the WAL writer %s, expected about 100 ms", us(wait[N / 2]));
    wv_sim_set_sync(s, WV_SYNC_OFF);
    set_ctx("synchronous_commit set to off");
    check_same(want, s, "set to off against configured off");
    check_schedule(s);
    wv_sim_free(s);
    wv_sim_free(want);
    wv_sim_cfg_destroy(&on);
    wv_sim_cfg_destroy(&off);
    stream_free(&st);
}

/* An empty transaction, a transaction of 40 changes streamed in two blocks
 * and committed, then
 * one of 40 streamed and aborted, then a one-row transaction. */
static void streamed_stream(stream *st)
{
    add(st, "BEGIN 798"); /* sets the clock: the blocks go with the commit before them */
    add(st, "COMMIT 798 (at 2026-01-01 10:00:00+00)");
    for (int x = 799; x <= 800; x++) {
        for (int block = 0; block < 2; block++) {
            add(st, "opening a streamed block for transaction TXN %d", x);
            for (int i = 0; i < 20; i++)
                add(st, "streaming change for TXN %d", x);
            add(st, "closing a streamed block for transaction TXN %d", x);
        }
        if (x == 799)
            add(st, "committing streamed transaction TXN 799 (at 2026-01-01 10:00:00+00)");
        else
            add(st, "aborting streamed (sub)transaction TXN 800");
    }
    add(st, "BEGIN 801");
    add(st, "table public.t: INSERT: id[integer]:1");
    add(st, "COMMIT 801 (at 2026-01-01 10:00:00.45+00)");
}

/* Issue 12, 3: with streaming = on (PostgreSQL 14/15) a subscriber spools
 * streamed blocks and applies them at STREAM COMMIT, and drops them at
 * STREAM ABORT: the aborted transaction is never replayed and does not
 * delay the next commit. With parallel (16) they are applied as they come. */
static void test_streamed_transactions(void **state)
{
    (void)state;
    stream st = { 0 };
    streamed_stream(&st);
    wv_sim_cfg on, parallel;
    make_cfg(&on, (const char *const[]){ "followers", "1", "jitter", "0", "apply", "10ms", NULL });
    make_cfg(&parallel, (const char *const[]){ "followers", "1", "jitter", "0", "apply", "10ms", "streaming",
                                               "parallel", NULL });
    wv_sim *s = build(&on, &st), *p = build(&parallel, &st);
    const size_t stream_commit = 46, abort = 91, commit = 94;
    assert_int_equal(wv_sim_op(s, stream_commit), WV_OP_STREAM_COMMIT);
    assert_int_equal(wv_sim_op(s, abort), WV_OP_STREAM_ABORT);
    assert_int_equal(wv_sim_op(s, commit), WV_OP_COMMIT);
    /* on: the 40 changes are applied by the STREAM COMMIT */
    int64_t start = wv_sim_stage(s, 0, stream_commit, WV_STAGE_WRITTEN); /* a subscriber applies on arrival */
    if (wv_sim_stage(s, 0, stream_commit - 1, WV_STAGE_APPLIED) > start)
        start = wv_sim_stage(s, 0, stream_commit - 1, WV_STAGE_APPLIED);
    int64_t took = wv_sim_stage(s, 0, stream_commit, WV_STAGE_APPLIED) - start;
    if (took != 400 * MS)
        fail_msg("streaming on: STREAM COMMIT took %s to apply, expected 40 changes of 10 ms", us(took));
    for (size_t m = stream_commit + 1; m <= abort; m++) { /* spooled, then dropped: no replay */
        int64_t ready = wv_sim_stage(s, 0, m, WV_STAGE_WRITTEN), prev = wv_sim_stage(s, 0, m - 1, WV_STAGE_APPLIED);
        assert_int_equal(wv_sim_stage(s, 0, m, WV_STAGE_APPLIED), ready > prev ? ready : prev);
    }
    took = wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED) - wv_sim_stage(s, 0, commit - 1, WV_STAGE_WRITTEN);
    if (took != 20 * MS)
        fail_msg("streaming on: COMMIT 801 applied %s after its flush, expected its INSERT and COMMIT only",
                 us(took));
    /* parallel: the aborted changes are replayed and hold COMMIT 801 up */
    start = wv_sim_stage(p, 0, stream_commit, WV_STAGE_WRITTEN);
    if (wv_sim_stage(p, 0, stream_commit - 1, WV_STAGE_APPLIED) > start)
        start = wv_sim_stage(p, 0, stream_commit - 1, WV_STAGE_APPLIED);
    assert_int_equal(wv_sim_stage(p, 0, stream_commit, WV_STAGE_APPLIED) - start, 10 * MS);
    int64_t behind = wv_sim_stage(p, 0, commit, WV_STAGE_APPLIED) - wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED);
    if (behind < 300 * MS)
        fail_msg("streaming parallel: COMMIT 801 applied only %s later than with on, expected the aborted "
                 "changes' replay first", us(behind));
    set_ctx("streaming on");
    check_schedule(s);
    set_ctx("streaming parallel");
    check_schedule(p);
    /* a physical standby replays the streamed WAL as it comes, whatever
     * the subscription setting */
    wv_sim_cfg standby;
    make_cfg(&standby, (const char *const[]){ "followers", "1", "kind", "physical", "jitter", "0", "apply", "10ms",
                                              NULL });
    wv_sim *ps = build(&standby, &st);
    start = wv_sim_stage(ps, 0, stream_commit, WV_STAGE_FLUSHED);
    if (wv_sim_stage(ps, 0, stream_commit - 1, WV_STAGE_APPLIED) > start)
        start = wv_sim_stage(ps, 0, stream_commit - 1, WV_STAGE_APPLIED);
    assert_int_equal(wv_sim_stage(ps, 0, stream_commit, WV_STAGE_APPLIED) - start, 10 * MS);
    wv_sim_free(ps);
    wv_sim_cfg_destroy(&standby);
    wv_sim_free(s);
    wv_sim_free(p);
    wv_sim_cfg_destroy(&on);
    wv_sim_cfg_destroy(&parallel);
    stream_free(&st);
}

/* Issue 12, 4: pg_stat_replication is the leader's view, one reply late.
 * On a 200 ms link the standby writes the commit at about +200 ms and the
 * leader's write_lsn passes it at about +400 ms (PostgreSQL: 204 and 406).
 * The lags run from send to reply received, keep their value while idle,
 * and become NULL once two replies in a row said all was replayed. */
static void test_primary_view_one_reply_late(void **state)
{
    (void)state;
    static const char text[] = "BEGIN 1\ntable public.t: INSERT: id[integer]:1\nCOMMIT 1\n";
    const char *opts[] = { "followers", "1", "kind", "physical", "latency", "200ms", "jitter", "0", "flush", "5ms",
                           "apply", "1ms", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(opts, text, err, sizeof err);
    assert_non_null(s);
    const size_t commit = 2;
    uint64_t lsn = wv_sim_lsn(s, commit);
    int64_t written = wv_sim_stage(s, 0, commit, WV_STAGE_WRITTEN), sent = wv_sim_stage(s, 0, commit, WV_STAGE_SENT);
    assert_true(written > 200 * MS && written < 201 * MS);
    wv_positions own;
    wv_replication_row row;
    wv_sim_positions(s, 0, written, &own);
    wv_sim_replication_row(s, 0, written, &row);
    assert_true(own.write_lsn >= lsn);
    assert_true(row.write_lsn < lsn);
    assert_int_equal(row.state, WV_WALSND_STREAMING);
    assert_string_equal(wv_walsnd_state_name(row.state), "streaming");
    assert_int_equal(row.sync_state, WV_SYNC_STATE_ASYNC);
    assert_int_equal(row.write_lag, WV_SIM_LAG_NULL); /* no reply yet */
    wv_sim_replication_row(s, 0, written + 200 * MS, &row);
    if (row.write_lsn < lsn)
        fail_msg("write_lsn %" PRIx64 " a trip after the write at %s, expected the commit's %" PRIx64, row.write_lsn,
                 us(written), lsn);
    assert_int_equal(row.write_lag, written + 200 * MS - sent);
    /* replayed, reported when replay caught up, a trip later */
    int64_t applied = wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED);
    assert_int_equal(wv_sim_stage_known(s, 0, commit, WV_STAGE_APPLIED), applied + 200 * MS);
    wv_sim_replication_row(s, 0, applied + 200 * MS, &row);
    assert_true(row.replay_lsn >= lsn);
    int64_t replay_lag = applied + 200 * MS - sent;
    assert_int_equal(row.replay_lag, replay_lag);
    assert_true(replay_lag > 400 * MS);
    /* idle: kept, until the status interval's reply; then NULL */
    wv_sim_replication_row(s, 0, applied + 200 * MS + 9 * SEC, &row);
    assert_int_equal(row.replay_lag, replay_lag);
    wv_sim_replication_row(s, 0, applied + 200 * MS + 10 * SEC, &row);
    assert_int_equal(row.write_lag, WV_SIM_LAG_NULL);
    assert_int_equal(row.flush_lag, WV_SIM_LAG_NULL);
    assert_int_equal(row.replay_lag, WV_SIM_LAG_NULL);
    assert_true(row.replay_lsn >= lsn);
    wv_sim_free(s);
}

/* Issue 12, 7: the leader sees a process crash at once, a machine crash
 * or a long cut only after wal_sender_timeout; a restarted standby goes
 * startup, catchup, streaming, and counts for FIRST only then. A cut
 * synchronous standby holds commits until the timeout (PostgreSQL: 5.4 s
 * at a 5 s timeout), then the next listed one takes its place. */
static void test_walsender_states_and_timeouts(void **state)
{
    (void)state;
    stream st = { 0 };
    for (int i = 0; i < 40; i++) { /* a commit every 250 ms for 10 s */
        add(&st, "BEGIN %d", 100 + i);
        add(&st, "table public.t: INSERT: id[integer]:%d", i);
        add(&st, "COMMIT %d (at 2026-01-01 10:00:%02d.%03d+00)", 100 + i, i / 4, i % 4 * 250);
    }
    wv_sim_cfg cfg;
    make_cfg(&cfg, (const char *const[]){ "followers", "3", "latency", "100ms", "jitter", "0", "sync-standbys",
                                          "FIRST 1 (f1, f2)", "sender-timeout", "5s", "partition", "f1@1.1s-20s",
                                          "stop", "f3@2s-3s", NULL });
    wv_sim *s = build(&cfg, &st);
    set_ctx("walsender states");
    check_schedule(s);
    check_acks(s);
    /* f1 cut at 1.1 s: still streaming and sync until 6.1 s, then gone */
    wv_replication_row row;
    wv_sim_replication_row(s, 0, 6 * SEC, &row);
    assert_int_equal(row.state, WV_WALSND_STREAMING);
    assert_string_equal(wv_sync_state_name(row.sync_state), "sync");
    wv_sim_replication_row(s, 1, 6 * SEC, &row);
    assert_string_equal(wv_sync_state_name(row.sync_state), "potential");
    assert_int_equal(wv_sim_walsnd_state(s, 0, 6100 * MS), WV_WALSND_NONE);
    wv_sim_replication_row(s, 1, 6100 * MS, &row);
    assert_string_equal(wv_sync_state_name(row.sync_state), "sync");
    wv_sim_replication_row(s, 2, 6100 * MS, &row);
    assert_string_equal(wv_sync_state_name(row.sync_state), "async");
    /* the commit at 1.25 s waits for the timeout, then f2 releases it */
    unsigned acked;
    size_t u = wv_sim_txn_of(s, 5 * 3 + 2);
    assert_int_equal(wv_sim_txn_time(s, u), 1250 * MS);
    int64_t ack = wv_sim_txn_ack(s, u, &acked);
    if (ack != 6100 * MS || acked != 2)
        fail_msg("commit at 1.25 s while f1 is cut: ack %s by %#x, expected at the timeout 6.1 s by f2", us(ack),
                 acked);
    /* f3's process crash at 2 s: gone at once; it restarts at 3 s */
    assert_int_equal(wv_sim_walsnd_state(s, 2, 1999 * MS), WV_WALSND_STREAMING);
    assert_int_equal(wv_sim_walsnd_state(s, 2, 2 * SEC), WV_WALSND_NONE);
    assert_int_equal(wv_sim_walsnd_state(s, 2, 3050 * MS), WV_WALSND_NONE);
    assert_int_equal(wv_sim_walsnd_state(s, 2, 3100 * MS), WV_WALSND_STARTUP);
    assert_int_equal(wv_sim_walsnd_state(s, 2, 3300 * MS), WV_WALSND_CATCHUP);
    int64_t streams = wv_sim_next_state_change(s, 2, 3300 * MS);
    assert_true(streams > 3300 * MS && streams < 3400 * MS); /* a small backlog */
    assert_int_equal(wv_sim_walsnd_state(s, 2, streams), WV_WALSND_STREAMING);
    assert_int_equal(wv_sim_next_state_change(s, 2, streams), NEVER);
    /* f1 heals at 20 s, after the timeout: a new connection */
    assert_int_equal(wv_sim_walsnd_state(s, 0, 20050 * MS), WV_WALSND_NONE);
    assert_int_equal(wv_sim_walsnd_state(s, 0, 20100 * MS), WV_WALSND_STARTUP);
    assert_int_equal(wv_sim_walsnd_state(s, 0, 20300 * MS), WV_WALSND_CATCHUP);
    wv_sim_free(s);

    /* FIRST 1 (f1) alone: nobody takes its place, commits wait for f1 to
     * stream again after the heal */
    wv_sim_set_standbys(s = build(&cfg, &st), false, 1, (const int[]){ 0 }, 1);
    check_acks(s);
    ack = wv_sim_txn_ack(s, u, &acked);
    assert_true(ack > 20300 * MS && acked == 1);
    int64_t again = wv_sim_next_state_change(s, 0, 20300 * MS);
    assert_int_equal(wv_sim_walsnd_state(s, 0, again), WV_WALSND_STREAMING);
    if (ack < again)
        fail_msg("commit at 1.25 s released at %s, before f1 streams again at %s", us(ack), us(again));
    wv_sim_free(s);

    /* a machine crash is noticed after the timeout, a process crash at once */
    wv_sim_cfg_destroy(&cfg);
    make_cfg(&cfg, (const char *const[]){ "followers", "2", "latency", "100ms", "jitter", "0", "sender-timeout",
                                          "5s", "crash", "f1@1s-30s", "stop", "f2@1s-30s", NULL });
    s = build(&cfg, &st);
    assert_int_equal(wv_sim_walsnd_state(s, 0, 5999 * MS), WV_WALSND_STREAMING);
    assert_int_equal(wv_sim_walsnd_state(s, 0, 6 * SEC), WV_WALSND_NONE);
    assert_int_equal(wv_sim_walsnd_state(s, 1, 1 * SEC), WV_WALSND_NONE);
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
    stream_free(&st);
}

/* Issue 12, 5: a logical subscriber applies what it receives at once and
 * flushes its commit lazily (the WAL writer of a synchronous_commit = off
 * subscription), and reports as worker.c's send_feedback does. With ANY 1
 * over a physical standby 200 ms away and a subscriber next door,
 * remote_apply returns in a few ms and on only after the subscriber's
 * flush (PostgreSQL: 3.1 ms and 254.6 ms). */
static void test_logical_subscriber_applies_before_it_flushes(void **state)
{
    (void)state;
    static const char text[] = "BEGIN 1\ntable public.t: INSERT: id[integer]:1\nCOMMIT 1 (at 2026-01-01 10:00:00.05+00)\n"
                               "BEGIN 2\ntable public.t: INSERT: id[integer]:2\nCOMMIT 2 (at 2026-01-01 10:00:01.05+00)\n";
    const char *opts[] = { "followers", "2", "kind", "physical,logical", "latency", "200ms,1ms", "jitter", "0",
                           "flush", "5ms", "apply", "200us", "sync-standbys", "ANY 1 (f1, f2)", NULL };
    char err[200];
    wv_sim *s = sim_from_lines(opts, text, err, sizeof err);
    assert_non_null(s);
    set_ctx("a subscriber next door");
    check_schedule(s);
    const size_t commit = 5; /* the second, far from the first */
    size_t u = wv_sim_txn_of(s, commit);
    int64_t at = wv_sim_txn_time(s, u);
    /* the subscriber: applied before flushed; the standby: the other way */
    assert_true(wv_sim_stage(s, 1, commit, WV_STAGE_APPLIED) < wv_sim_stage(s, 1, commit, WV_STAGE_FLUSHED));
    assert_true(wv_sim_stage(s, 0, commit, WV_STAGE_FLUSHED) < wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED));
    unsigned acked;
    wv_sim_set_sync(s, WV_SYNC_REMOTE_APPLY);
    check_acks(s);
    int64_t apply_wait = wv_sim_txn_ack(s, u, &acked) - at;
    assert_int_equal(acked, 2);
    wv_sim_set_sync(s, WV_SYNC_ON);
    check_acks(s);
    int64_t on_wait = wv_sim_txn_ack(s, u, &acked) - at;
    if (!(apply_wait < 10 * MS && on_wait > 100 * MS && on_wait < 260 * MS && acked == 2))
        fail_msg("remote_apply waited %s, on %s (by %#x); expected a few ms, then the subscriber's lazy flush "
                 "within a WAL writer's cycle", us(apply_wait), us(on_wait), acked);
    /* remote_write: a subscriber reports what it received once applied */
    wv_sim_set_sync(s, WV_SYNC_REMOTE_WRITE);
    assert_int_equal(wv_sim_txn_ack(s, u, NULL) - at, apply_wait);
    wv_sim_free(s);

    /* its machine crashes between the apply and the flush: applied once
     * already, the transaction comes again after the restart */
    const char *crash[] = { "followers", "1", "latency", "1ms", "jitter", "0", "crash", "f1@1.1s-3s", NULL };
    s = sim_from_lines(crash, text, err, sizeof err);
    assert_non_null(s);
    set_ctx("a subscriber's crash before its flush");
    check_schedule(s);
    assert_true(wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED) < 1100 * MS);
    assert_true(wv_sim_resent(s, 0, commit));
    assert_true(wv_sim_stage(s, 0, commit, WV_STAGE_FLUSHED) > 3 * SEC);
    assert_int_equal(wv_sim_stage_known(s, 0, commit, WV_STAGE_APPLIED),
                     wv_sim_stage(s, 0, commit, WV_STAGE_APPLIED) + 1 * MS);
    wv_sim_free(s);
}

/* Issue 12, 5: a physical standby receives WAL as the primary writes it,
 * before the commit (PostgreSQL: 498 kB of a 576 kB transaction was there
 * before its COMMIT): a synchronous COMMIT waits only for the tail, where a
 * subscriber gets the whole transaction after its commit. */
static void test_physical_standby_receives_before_commit(void **state)
{
    (void)state;
    stream st = { 0 };
    add(&st, "BEGIN 1");
    add(&st, "table public.t: INSERT: id[integer]:0");
    add(&st, "COMMIT 1 (at 2026-01-01 10:00:00+00)");
    add(&st, "BEGIN 2");
    for (int i = 1; i <= 500; i++)
        add(&st, "table public.t: INSERT: id[integer]:%d", i);
    add(&st, "COMMIT 2 (at 2026-01-01 10:00:05+00)");
    const size_t commit = st.n - 1;
    wv_sim_cfg cfg;
    make_cfg(&cfg, (const char *const[]){ "followers", "2", "kind", "physical,logical", "latency", "50ms", "jitter",
                                          "0", "bandwidth", "100kB/s", "max-gap", "10s", "sync-standbys",
                                          "FIRST 1 (f1)", NULL });
    wv_sim *s = build(&cfg, &st);
    set_ctx("a big transaction");
    check_schedule(s);
    check_acks(s);
    size_t u = wv_sim_txn_of(s, commit);
    int64_t at = wv_sim_txn_time(s, u);
    assert_int_equal(at, 5 * SEC);
    size_t before = 0;
    for (size_t m = wv_sim_txn_first(s, u); m <= commit; m++)
        before += wv_sim_stage(s, 0, m, WV_STAGE_WRITTEN) < at;
    if (before < 450)
        fail_msg("the standby had %zu of the transaction's 502 messages before its commit, expected most", before);
    assert_true(wv_sim_stage(s, 1, wv_sim_txn_first(s, u), WV_STAGE_SENT) >= at); /* the subscriber: after */
    unsigned acked;
    int64_t standby_wait = wv_sim_txn_ack(s, u, &acked) - at;
    assert_int_equal(acked, 1);
    wv_sim_set_standbys(s, false, 1, (const int[]){ 1 }, 1);
    int64_t subscriber_wait = wv_sim_txn_ack(s, u, &acked) - at;
    assert_int_equal(acked, 2);
    if (!(standby_wait < 150 * MS && subscriber_wait > 350 * MS))
        fail_msg("COMMIT waited %s for the standby, %s for the subscriber; expected the tail only for the standby "
                 "(a round trip and a little), the whole transaction's 35 kB at 100 kB/s for the subscriber",
                 us(standby_wait), us(subscriber_wait));
    wv_sim_free(s);

    /* a stream without LSNs (raw output printed without them): spread by
     * place in the transaction */
    s = wv_sim_new(&cfg);
    wv_decoder *d = wv_decode_new();
    for (size_t i = 0; i < st.n; i++) {
        wv_change c;
        assert_int_equal(wv_decode_message(d, st.msg[i], strlen(st.msg[i]), &c), WV_DECODE_OK);
        wv_meta meta = { .has_xid = c.has_xid, .xid = c.xid };
        wv_sim_add(s, &c, &meta, (wv_slice){ st.msg[i], strlen(st.msg[i]) });
    }
    wv_sim_flush(s);
    size_t half = 0;
    for (size_t m = wv_sim_txn_first(s, u); m <= commit; m++)
        half += wv_sim_stage(s, 0, m, WV_STAGE_SENT) < at / 2;
    if (half < 200 || half > 300)
        fail_msg("without LSNs, %zu of 502 messages left in the first half of the transaction, expected about half",
                 half);
    wv_decode_free(d);
    wv_sim_free(s);
    wv_sim_cfg_destroy(&cfg);
    stream_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants_over_seeds),
        cmocka_unit_test(test_same_seed_same_schedule),
        cmocka_unit_test(test_interventions_fork_the_future),
        cmocka_unit_test(test_interventions_refused),
        cmocka_unit_test(test_next_prev_events),
        cmocka_unit_test(test_stale_reads),
        cmocka_unit_test(test_fault_edges),
        cmocka_unit_test(test_commit_waits_for_the_reply),
        cmocka_unit_test(test_rekey),
        cmocka_unit_test(test_delays_past_71_minutes),
        cmocka_unit_test(test_extreme_links_and_clocks),
        cmocka_unit_test(test_prepare_waits_at_most_for_flush),
        cmocka_unit_test(test_one_fsync_per_burst),
        cmocka_unit_test(test_async_commit_waits_for_the_wal_writer),
        cmocka_unit_test(test_streamed_transactions),
        cmocka_unit_test(test_primary_view_one_reply_late),
        cmocka_unit_test(test_walsender_states_and_timeouts),
        cmocka_unit_test(test_logical_subscriber_applies_before_it_flushes),
        cmocka_unit_test(test_physical_standby_receives_before_commit),
        cmocka_unit_test(test_cfg_errors),
        cmocka_unit_test(test_cfg_values),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
