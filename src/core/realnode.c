/* realnode: see include/walviz/realnode.h.
 *
 * Each view of a node is an array of samples in time order, each with the
 * running maximum of its positions up to it, so "the first sample at or
 * past an LSN" is a binary search even when a position goes back (a
 * standby restarting reports less for a moment). The mapping keeps a
 * cursor per node and stage: the next transaction not mapped yet. A stage
 * maps no further than the stage before it in the node's pipeline, so
 * each transaction's times come in the pipeline's order. */
#include "walviz/realnode.h"
#include "walviz/realrows.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { POS_SENT, POS_WRITE, POS_FLUSH, POS_REPLAY, POS_COUNT };

typedef struct entry {
    wv_real_sample s;
    uint64_t max[POS_COUNT]; /* running maximum of each position up to here */
} entry;

typedef struct series {
    entry *e;
    size_t n, cap;
} series;

typedef struct node {
    char name[32];
    wv_follower_kind kind;
    bool direct;
    int follower; /* its lane, or -1 before wv_realnodes_lanes or _join */
    int upstream; /* the node it streams from; -1: the primary */
    bool no_room; /* wv_realnodes_join found none */
    series views[2];
    size_t cursor[WV_STAGE_COUNT]; /* next transaction to map, per stage */
    struct {
        int64_t at_us;
        wv_real_mark mark;
    } marks[WV_REAL_MAX_MARKS];
    int nmarks;
} node;

struct wv_realnodes {
    node nodes[WV_REAL_MAX_NODES];
    int n;
    wv_realrows *rows;
};

wv_realnodes *wv_realnodes_new(void)
{
    wv_realnodes *rn = wv_xcalloc(1, sizeof *rn);
    rn->rows = wv_realrows_new();
    return rn;
}

wv_realrows *wv_realnodes_rows(const wv_realnodes *rn)
{
    return rn->rows;
}

void wv_realnodes_free(wv_realnodes *rn)
{
    if (!rn)
        return;
    for (int i = 0; i < rn->n; i++)
        for (int v = 0; v < 2; v++)
            free(rn->nodes[i].views[v].e);
    wv_realrows_free(rn->rows);
    free(rn);
}

/* Names go into header values and tab-separated lines: keep them plain. */
static bool plain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 31)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

int wv_realnodes_add(wv_realnodes *rn, const char *name, wv_follower_kind kind, bool direct)
{
    if (rn->n == WV_REAL_MAX_NODES || !plain_name(name) || wv_realnodes_find(rn, name) >= 0)
        return -1;
    node *nd = &rn->nodes[rn->n];
    memset(nd, 0, sizeof *nd);
    strcpy(nd->name, name);
    nd->kind = kind;
    nd->direct = direct;
    nd->follower = -1;
    nd->upstream = -1;
    return rn->n++;
}

int wv_realnodes_set_direct(wv_realnodes *rn, int i, wv_follower_kind kind)
{
    WV_ASSERT(i >= 0 && i < rn->n);
    rn->nodes[i].direct = true;
    rn->nodes[i].kind = kind;
    return i;
}

size_t wv_realnodes_count(const wv_realnodes *rn) { return (size_t)rn->n; }
const char *wv_realnodes_name(const wv_realnodes *rn, int i) { return rn->nodes[i].name; }
wv_follower_kind wv_realnodes_kind(const wv_realnodes *rn, int i) { return rn->nodes[i].kind; }
bool wv_realnodes_direct(const wv_realnodes *rn, int i) { return rn->nodes[i].direct; }

/* The node named name, or -1. */
static int find_slice(const wv_realnodes *rn, wv_slice name)
{
    for (int i = 0; i < rn->n; i++)
        if (strlen(rn->nodes[i].name) == name.len && memcmp(rn->nodes[i].name, name.ptr, name.len) == 0)
            return i;
    return -1;
}

int wv_realnodes_find(const wv_realnodes *rn, const char *name)
{
    return find_slice(rn, (wv_slice){ name, strlen(name) });
}

int wv_realnodes_lanes(wv_realnodes *rn, wv_sim_cfg *cfg, char *err, size_t errsz)
{
    if (cfg->nfollowers + rn->n > WV_SIM_MAX_FOLLOWERS) {
        snprintf(err, errsz, "%d simulated followers and %d real nodes make more than %d lanes: "
                 "ask for fewer with --followers", cfg->nfollowers, rn->n, WV_SIM_MAX_FOLLOWERS);
        return -1;
    }
    for (int i = 0; i < rn->n; i++) {
        if (wv_sim_cfg_follower(cfg, rn->nodes[i].name) >= 0) {
            snprintf(err, errsz, "the real node '%s' has the name of a simulated follower: "
                     "give those others with --names", rn->nodes[i].name);
            return -1;
        }
    }
    for (int i = 0; i < rn->n; i++) {
        int f = cfg->nfollowers++;
        snprintf(cfg->names[f], sizeof cfg->names[f], "%s", rn->nodes[i].name);
        memset(&cfg->link[f], 0, sizeof cfg->link[f]);
        cfg->link[f].kind = rn->nodes[i].kind;
        cfg->nfaults[f] = 0;
        cfg->observed[f] = true;
        rn->nodes[i].follower = f;
    }
    return 0;
}

void wv_realnodes_set_upstream(wv_realnodes *rn, int i, int upstream)
{
    WV_ASSERT(i >= 0 && i < rn->n && upstream >= -1 && upstream < rn->n && upstream != i);
    rn->nodes[i].upstream = upstream;
}

int wv_realnodes_upstream(const wv_realnodes *rn, int i)
{
    return rn->nodes[i].upstream;
}

int wv_realnodes_join(wv_realnodes *rn, wv_sim *sim)
{
    int joined = 0;
    for (int i = 0; i < rn->n; i++) {
        node *nd = &rn->nodes[i];
        if (nd->follower >= 0 || nd->no_room)
            continue;
        nd->follower = wv_sim_add_observed(sim, nd->name, nd->kind);
        nd->no_room = nd->follower < 0;
        joined += nd->follower >= 0;
    }
    return joined;
}

int wv_realnodes_node_of(const wv_realnodes *rn, int follower)
{
    for (int i = 0; rn && i < rn->n; i++)
        if (follower >= 0 && rn->nodes[i].follower == follower)
            return i;
    return -1;
}

static void positions_of(const wv_real_sample *s, uint64_t p[POS_COUNT])
{
    p[POS_SENT] = s->sent;
    p[POS_WRITE] = s->write;
    p[POS_FLUSH] = s->flush;
    p[POS_REPLAY] = s->replay;
}

static bool same_sample(const wv_real_sample *a, const wv_real_sample *b)
{
    return strcmp(a->state, b->state) == 0 && strcmp(a->sync_state, b->sync_state) == 0 &&
           a->sent == b->sent && a->write == b->write && a->flush == b->flush && a->replay == b->replay &&
           a->write_lag == b->write_lag && a->flush_lag == b->flush_lag && a->replay_lag == b->replay_lag &&
           a->reply_time_us == b->reply_time_us;
}

bool wv_realnodes_add_sample(wv_realnodes *rn, int i, const wv_real_sample *s)
{
    WV_ASSERT(i >= 0 && i < rn->n && (s->view == WV_REAL_PRIMARY || s->view == WV_REAL_OWN));
    series *v = &rn->nodes[i].views[s->view];
    const entry *last = v->n ? &v->e[v->n - 1] : NULL;
    if (last && same_sample(&last->s, s))
        return false; /* the one before says it all: memory grows with changes, not time */
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->e = wv_xrealloc(v->e, v->cap * sizeof *v->e);
    }
    entry *e = &v->e[v->n++];
    e->s = *s;
    e->s.state[sizeof e->s.state - 1] = e->s.sync_state[sizeof e->s.sync_state - 1] = '\0';
    if (last && e->s.at_us < last->s.at_us)
        e->s.at_us = last->s.at_us;
    positions_of(&e->s, e->max);
    for (int k = 0; last && k < POS_COUNT; k++)
        if (last->max[k] > e->max[k])
            e->max[k] = last->max[k];
    return true;
}

const wv_real_sample *wv_realnodes_sample_at(const wv_realnodes *rn, int i, wv_real_view view, int64_t at_us)
{
    const series *v = &rn->nodes[i].views[view];
    size_t lo = 0, hi = v->n; /* the first sample after at_us */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->e[mid].s.at_us <= at_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &v->e[lo - 1].s : NULL;
}

/* --- the mapping ----------------------------------------------------------- */

/* The first sample of v whose position k is at or past lsn, or NULL. */
static const entry *first_reaching(const series *v, int k, uint64_t lsn)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->e[mid].max[k] < lsn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n ? &v->e[lo] : NULL;
}

/* Where a stage is read: sent from the primary's view; the others from
 * the node's own when sampled directly (a subscriber reports no flush of
 * its own: the primary's flush_lsn is what it replied). */
static const series *source_of(const node *nd, wv_stage st, int *k)
{
    static const int pos[WV_STAGE_COUNT] = { POS_SENT, POS_WRITE, POS_FLUSH, POS_REPLAY };
    *k = pos[st];
    bool own = nd->direct && st != WV_STAGE_SENT && !(st == WV_STAGE_FLUSHED && nd->kind == WV_KIND_LOGICAL);
    return &nd->views[own ? WV_REAL_OWN : WV_REAL_PRIMARY];
}

static void map_node(node *nd, wv_sim *sim, int64_t epoch)
{
    /* the pipeline's order: a subscriber applies, then flushes */
    static const wv_stage physical[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_FLUSHED, WV_STAGE_APPLIED };
    static const wv_stage logical[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_APPLIED, WV_STAGE_FLUSHED };
    const wv_stage *order = nd->kind == WV_KIND_PHYSICAL ? physical : logical;
    size_t ntxns = wv_sim_txn_count(sim);
    while (ntxns > 0 && wv_sim_txn_time(sim, ntxns - 1) == WV_SIM_NEVER)
        ntxns--; /* the open transaction */
    for (int i = 0; i < WV_STAGE_COUNT; i++) {
        wv_stage st = order[i];
        size_t limit = i == 0 ? ntxns : nd->cursor[order[i - 1]];
        int k;
        const series *v = source_of(nd, st, &k);
        for (size_t *u = &nd->cursor[st]; *u < limit; (*u)++) {
            size_t first = wv_sim_txn_first(sim, *u), last = wv_sim_txn_last(sim, *u);
            uint64_t lsn = wv_sim_lsn(sim, last);
            int64_t at = INT64_MIN / 4; /* no LSN: with the one before */
            if (lsn) {
                const entry *e = first_reaching(v, k, lsn);
                if (!e)
                    break;
                at = e->s.at_us - epoch;
            }
            if (i > 0 && wv_sim_stage(sim, nd->follower, last, order[i - 1]) > at)
                at = wv_sim_stage(sim, nd->follower, last, order[i - 1]);
            for (size_t m = first; m <= last; m++)
                wv_sim_observe(sim, nd->follower, m, st, at);
        }
    }
}

void wv_realnodes_map(wv_realnodes *rn, wv_sim *sim)
{
    int64_t epoch = wv_sim_epoch_us(sim);
    if (!epoch)
        return; /* nothing scheduled yet */
    for (int i = 0; i < rn->n; i++)
        if (rn->nodes[i].follower >= 0)
            map_node(&rn->nodes[i], sim, epoch);
}

/* --- the recording ------------------------------------------------------- */

static const char *const kind_words[] = { [WV_KIND_LOGICAL] = "logical", [WV_KIND_PHYSICAL] = "physical" };

void wv_realnodes_header_value(const wv_realnodes *rn, wv_buf *out)
{
    for (int i = 0; i < rn->n; i++)
        wv_buf_printf(out, "%s%s:%s%s", i ? "," : "", rn->nodes[i].name, kind_words[rn->nodes[i].kind],
                      rn->nodes[i].direct ? ":direct" : "");
}

int wv_realnodes_parse_header(wv_realnodes *rn, const char *value, char *err, size_t errsz)
{
    char *copy = wv_xstrdup(value), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0; item = strtok_r(NULL, ",", &save)) {
        char *kind = strchr(item, ':');
        char *direct = kind ? strchr(kind + 1, ':') : NULL;
        if (kind)
            *kind++ = '\0';
        if (direct)
            *direct++ = '\0';
        bool physical = kind && strcmp(kind, "physical") == 0;
        if (!kind || (!physical && strcmp(kind, "logical") != 0) || (direct && strcmp(direct, "direct") != 0) ||
            wv_realnodes_add(rn, item, physical ? WV_KIND_PHYSICAL : WV_KIND_LOGICAL, direct != NULL) < 0) {
            snprintf(err, errsz, "%s: expected NAME:physical|logical[:direct] for each of at most %d "
                     "nodes, comma-separated, found '%s'", WV_REAL_HEADER_KEY, WV_REAL_MAX_NODES, value);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

static void put_lsn(wv_buf *out, const char *key, uint64_t lsn)
{
    char b[WV_LSN_BUFSZ];
    wv_lsn_format(lsn, b);
    wv_buf_printf(out, "\t%s=%s", key, lsn ? b : "-");
}

static void put_us(wv_buf *out, const char *key, int64_t v, int64_t null)
{
    if (v == null)
        wv_buf_printf(out, "\t%s=-", key);
    else
        wv_buf_printf(out, "\t%s=%" PRId64, key, v);
}

void wv_realnodes_format(const wv_realnodes *rn, int i, const wv_real_sample *s, wv_buf *out)
{
    bool primary = s->view == WV_REAL_PRIMARY;
    wv_buf_printf(out, "%s%s\tview=%s\tat=%" PRId64, WV_REAL_LINE_PREFIX, rn->nodes[i].name,
                  primary ? "primary" : "own", s->at_us);
    if (primary) {
        wv_buf_printf(out, "\tstate=%s\tsync_state=%s", s->state[0] ? s->state : "-",
                      s->sync_state[0] ? s->sync_state : "-");
        put_lsn(out, "sent", s->sent);
    }
    put_lsn(out, "write", s->write);
    put_lsn(out, "flush", s->flush);
    put_lsn(out, "replay", s->replay);
    if (primary) {
        put_us(out, "write_lag", s->write_lag, WV_REAL_NULL_LAG);
        put_us(out, "flush_lag", s->flush_lag, WV_REAL_NULL_LAG);
        put_us(out, "replay_lag", s->replay_lag, WV_REAL_NULL_LAG);
        put_us(out, "reply_time", s->reply_time_us, 0);
    }
    wv_buf_puts(out, "\n");
}

/* One "key=value" field into s: 1, 0 for a key this version does not
 * know, -1 for a value that is not what the key wants. */
static int parse_field(wv_real_sample *s, const char *key, size_t klen, const char *val, size_t vlen)
{
    static const struct {
        const char *key;
        size_t off;
        char type; /* l: LSN, u: µs or lag, s: word */
    } fields[] = {
        { "at", offsetof(wv_real_sample, at_us), 'u' },
        { "state", offsetof(wv_real_sample, state), 's' },
        { "sync_state", offsetof(wv_real_sample, sync_state), 's' },
        { "sent", offsetof(wv_real_sample, sent), 'l' },
        { "write", offsetof(wv_real_sample, write), 'l' },
        { "flush", offsetof(wv_real_sample, flush), 'l' },
        { "replay", offsetof(wv_real_sample, replay), 'l' },
        { "write_lag", offsetof(wv_real_sample, write_lag), 'u' },
        { "flush_lag", offsetof(wv_real_sample, flush_lag), 'u' },
        { "replay_lag", offsetof(wv_real_sample, replay_lag), 'u' },
        { "reply_time", offsetof(wv_real_sample, reply_time_us), 'u' },
    };
    bool null = vlen == 1 && val[0] == '-';
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strlen(fields[i].key) != klen || memcmp(fields[i].key, key, klen) != 0)
            continue;
        char *at = (char *)s + fields[i].off;
        if (fields[i].type == 's') {
            if (vlen >= sizeof s->state)
                return -1;
            if (!null)
                memcpy(at, val, vlen);
            at[null ? 0 : vlen] = '\0';
            return 1;
        }
        if (fields[i].type == 'l') {
            uint64_t lsn = 0;
            if (!null && wv_lsn_parse(val, vlen, &lsn) < 0)
                return -1;
            memcpy(at, &lsn, sizeof lsn);
            return 1;
        }
        int64_t v = strcmp(fields[i].key, "reply_time") == 0 ? 0 : WV_REAL_NULL_LAG;
        if (!null && !wv_parse_i64(val, vlen, &v))
            return -1;
        memcpy(at, &v, sizeof v);
        return 1;
    }
    return 0;
}

int wv_realnodes_line_node(const wv_realnodes *rn, wv_slice name, char *err, size_t errsz)
{
    int i = find_slice(rn, name);
    if (i < 0)
        snprintf(err, errsz, "expected a node the header's %s names, found '%.*s'", WV_REAL_HEADER_KEY,
                 (int)(name.len > 40 ? 40 : name.len), name.ptr);
    return i;
}

/* Whether field f is "key=..." (its value then in *v). */
static bool field_is(wv_slice f, const char *key, wv_slice *v)
{
    size_t k = strlen(key);
    if (f.len <= k || memcmp(f.ptr, key, k) != 0 || f.ptr[k] != '=')
        return false;
    *v = (wv_slice){ f.ptr + k + 1, f.len - k - 1 };
    return true;
}

int wv_realnodes_parse(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz)
{
    size_t plen = strlen(WV_REAL_LINE_PREFIX);
    if (!wv_has_prefix(line, len, WV_REAL_LINE_PREFIX)) {
        snprintf(err, errsz, "expected a line starting with '#real' and a tab");
        return -1;
    }
    const char *p = line + plen, *end = line + len;
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    int i = wv_realnodes_line_node(rn, (wv_slice){ p, (size_t)((tab ? tab : end) - p) }, err, errsz);
    if (i < 0)
        return -1;
    wv_real_sample s = { .view = WV_REAL_PRIMARY, .write_lag = WV_REAL_NULL_LAG,
                         .flush_lag = WV_REAL_NULL_LAG, .replay_lag = WV_REAL_NULL_LAG };
    bool have_at = false, have_view = false;
    for (p = tab; p && p < end; p = tab) {
        p++;
        tab = memchr(p, '\t', (size_t)(end - p));
        const char *fend = tab ? tab : end, *eq = memchr(p, '=', (size_t)(fend - p));
        if (!eq) {
            snprintf(err, errsz, "expected key=value fields, found '%.*s'", (int)(fend - p > 40 ? 40 : fend - p), p);
            return -1;
        }
        size_t klen = (size_t)(eq - p), vlen = (size_t)(fend - eq - 1);
        if (klen == 4 && memcmp(p, "view", 4) == 0) {
            have_view = (vlen == 7 && memcmp(eq + 1, "primary", 7) == 0) || (vlen == 3 && memcmp(eq + 1, "own", 3) == 0);
            s.view = vlen == 3 ? WV_REAL_OWN : WV_REAL_PRIMARY;
            if (!have_view)
                break;
            continue;
        }
        /* Keys this version does not know are for a later one: skipped. */
        if (parse_field(&s, p, klen, eq + 1, vlen) < 0) {
            snprintf(err, errsz, "expected a value for %.*s (an LSN like 0/16B3748, microseconds, a word, "
                     "or - for NULL), found '%.*s'", (int)klen, p, (int)(vlen > 40 ? 40 : vlen), eq + 1);
            return -1;
        }
        have_at |= klen == 2 && memcmp(p, "at", 2) == 0;
    }
    if (!have_view || !have_at) {
        snprintf(err, errsz, "expected view=primary|own and at=MICROSECONDS in a #real line");
        return -1;
    }
    wv_realnodes_add_sample(rn, i, &s);
    return 0;
}

/* --- the demo's relays and keys --------------------------------------------- */

void wv_realnodes_links_value(const wv_realnodes *rn, const wv_sim_cfg *cfg, wv_buf *out)
{
    for (int i = 0; i < rn->n; i++) {
        int f = rn->nodes[i].follower;
        if (f >= 0)
            wv_buf_printf(out, "%s%s:%" PRId64 ":%" PRId64, out->len ? "," : "", rn->nodes[i].name,
                          cfg->link[f].latency_us, (int64_t)cfg->link[f].bandwidth_bps);
    }
}

int wv_realnodes_parse_links(const wv_realnodes *rn, wv_sim_cfg *cfg, const char *value, char *err, size_t errsz)
{
    for (const char *item = value, *end; *item; item = *end ? end + 1 : end) {
        end = item + strcspn(item, ",");
        /* NAME:LATENCY_US:BANDWIDTH_BPS */
        const char *c1 = memchr(item, ':', (size_t)(end - item));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
        int64_t lat = -1, bw = 0;
        int i = c2 && wv_parse_i64(c1 + 1, (size_t)(c2 - c1 - 1), &lat) &&
                        wv_parse_i64(c2 + 1, (size_t)(end - c2 - 1), &bw)
                    ? find_slice(rn, (wv_slice){ item, (size_t)(c1 - item) })
                    : -1;
        if (i < 0 || rn->nodes[i].follower < 0 || lat < 0 || bw <= 0) {
            snprintf(err, errsz, "%s: expected NAME:LATENCY_US:BANDWIDTH_BPS for each real node, comma-separated, "
                     "found '%.*s'", WV_REAL_LINKS_KEY, (int)(end - item), item);
            return -1;
        }
        cfg->link[rn->nodes[i].follower].latency_us = lat;
        cfg->link[rn->nodes[i].follower].bandwidth_bps = (double)bw;
    }
    return 0;
}

static const char *const mark_words[] = { [WV_REAL_CUT] = "cut", [WV_REAL_HEAL] = "heal", [WV_REAL_STOP] = "stop",
                                          [WV_REAL_START] = "start" };

void wv_realnodes_add_mark(wv_realnodes *rn, int i, wv_real_mark mark, int64_t at_us)
{
    WV_ASSERT(i >= 0 && i < rn->n);
    node *nd = &rn->nodes[i];
    if (nd->nmarks < WV_REAL_MAX_MARKS) {
        nd->marks[nd->nmarks].at_us = at_us;
        nd->marks[nd->nmarks++].mark = mark;
    }
}

void wv_realnodes_format_mark(const wv_realnodes *rn, int i, wv_real_mark mark, int64_t at_us, wv_buf *out)
{
    wv_buf_printf(out, "%s%s\tat=%" PRId64 "\tmark=%s\n", WV_REAL_MARK_PREFIX, rn->nodes[i].name, at_us,
                  mark_words[mark]);
}

int wv_realnodes_parse_mark(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz)
{
    size_t plen = strlen(WV_REAL_MARK_PREFIX);
    if (!wv_has_prefix(line, len, WV_REAL_MARK_PREFIX)) {
        snprintf(err, errsz, "expected a line starting with '#realmark' and a tab");
        return -1;
    }
    wv_slice f[4], at, mark;
    size_t n = wv_split_tabs(line + plen, line + len, f, 4);
    int i = wv_realnodes_line_node(rn, f[0], err, errsz);
    if (i < 0)
        return -1;
    int64_t us;
    if (n == 3 && field_is(f[1], "at", &at) && wv_parse_i64(at.ptr, at.len, &us) && field_is(f[2], "mark", &mark))
        for (int m = 0; m < (int)(sizeof mark_words / sizeof mark_words[0]); m++)
            if (wv_slice_eq(mark, mark_words[m])) {
                wv_realnodes_add_mark(rn, i, (wv_real_mark)m, us);
                return 0;
            }
    snprintf(err, errsz, "expected at=MICROSECONDS and mark=cut|heal|stop|start in a #realmark line");
    return -1;
}

void wv_realnodes_apply_marks(const wv_realnodes *rn, wv_sim *sim)
{
    int64_t epoch = wv_sim_epoch_us(sim);
    for (int i = 0; i < rn->n; i++) {
        const node *nd = &rn->nodes[i];
        for (int k = 0; nd->follower >= 0 && k < nd->nmarks; k++) {
            int64_t t = nd->marks[k].at_us - epoch;
            switch (nd->marks[k].mark) {
            case WV_REAL_CUT: wv_sim_partition(sim, nd->follower, t); break;
            case WV_REAL_HEAL: wv_sim_heal(sim, nd->follower, t); break;
            case WV_REAL_STOP: wv_sim_stop(sim, nd->follower, t); break;
            case WV_REAL_START: wv_sim_restart(sim, nd->follower, t); break;
            }
        }
    }
}

/* --- nodes that joined later ----------------------------------------------- */

void wv_realnodes_format_node(const wv_realnodes *rn, int i, int64_t at_us, wv_buf *out)
{
    wv_buf_printf(out, "%s%s\tkind=%s\tat=%" PRId64, WV_REAL_NODE_PREFIX, rn->nodes[i].name,
                  kind_words[rn->nodes[i].kind], at_us);
    if (rn->nodes[i].upstream >= 0)
        wv_buf_printf(out, "\tvia=%s", rn->nodes[rn->nodes[i].upstream].name);
    wv_buf_puts(out, "\n");
}

int wv_realnodes_parse_node(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz)
{
    size_t plen = strlen(WV_REAL_NODE_PREFIX);
    wv_slice f[5], kind, at, via = { NULL, 0 };
    size_t n = wv_has_prefix(line, len, WV_REAL_NODE_PREFIX) ? wv_split_tabs(line + plen, line + len, f, 5) : 0;
    int64_t us;
    bool physical = n >= 2 && field_is(f[1], "kind", &kind) && wv_slice_eq(kind, "physical");
    bool ok = (n == 3 || (n == 4 && field_is(f[3], "via", &via))) && (physical || wv_slice_eq(kind, "logical")) &&
              field_is(f[2], "at", &at) && wv_parse_i64(at.ptr, at.len, &us) && f[0].len < 32;
    int up = ok && via.ptr ? wv_realnodes_line_node(rn, via, err, errsz) : -1;
    if (!ok || (via.ptr && up < 0)) {
        snprintf(err, errsz, "expected NAME, kind=physical|logical, at=MICROSECONDS and perhaps via=NODE (a node "
                 "named before) in a #realnode line");
        return -1;
    }
    char name[32];
    memcpy(name, f[0].ptr, f[0].len);
    name[f[0].len] = '\0';
    int i = wv_realnodes_find(rn, name);
    if (i < 0)
        i = wv_realnodes_add(rn, name, physical ? WV_KIND_PHYSICAL : WV_KIND_LOGICAL, false);
    if (i < 0 || i == up) {
        snprintf(err, errsz, "cannot add the real node '%s': at most %d, named in 1 to 31 letters, digits, _ - or ., "
                 "not via itself", name, WV_REAL_MAX_NODES);
        return -1;
    }
    wv_realnodes_set_upstream(rn, i, up);
    return 0;
}
