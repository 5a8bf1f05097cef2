/* reads: see include/walviz/reads.h.
 *
 * A read is a function of the schedule: which transactions its node shows
 * queries at its moment (wv_sim_readable), and the row's version there.
 * So the reads are recomputed from the times alone, each call, and follow
 * any intervention; a row's answer is the value in the message holding
 * its version, decoded through a small cache keyed by that message. */
#include "walviz/reads.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/sim.h"
#include "walviz/util.h"
#include "walviz/view.h"

static const char *const pattern_names[] = { "plain", "read-your-writes", "monotonic reads", "routed" };

const char *wv_read_pattern_name(wv_read_pattern p) { return pattern_names[p]; }

const char *wv_read_broke_name(wv_read_broke b)
{
    return b == WV_BROKE_RYW ? "read-your-writes" : b == WV_BROKE_MONOTONIC ? "monotonic reads" : NULL;
}

static const char expects[] = "a reader is [ryw|monotonic|routed] TABLE KEY=VALUE [COLUMN] (or view) "
                              "[on NODE] [every DURATION] [at T,T,...]";

static int cmp_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int wv_read_spec_parse(const char *s, wv_read_spec *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    char copy[512], *w[16];
    snprintf(copy, sizeof copy, "%s", s);
    int n = 0;
    for (char *tok = strtok(copy, " \t"); tok && n < 16; tok = strtok(NULL, " \t"))
        w[n++] = tok;
    int i = 0;
    static const char *const patterns[] = { NULL, "ryw", "monotonic", "routed" };
    for (int p = 1; i < n && p < 4; p++)
        if (strcmp(w[i], patterns[p]) == 0) {
            out->pattern = (wv_read_pattern)p;
            i++;
        }
    if (i < n && strcmp(w[i], "view") == 0) {
        out->view = true;
        i++;
    } else if (i + 1 < n && strchr(w[i + 1], '=')) {
        snprintf(out->table, sizeof out->table, "%s", w[i]);
        snprintf(out->key, sizeof out->key, "%s", w[i + 1]);
        i += 2;
        if (i < n && strcmp(w[i], "on") && strcmp(w[i], "every") && strcmp(w[i], "at"))
            snprintf(out->column, sizeof out->column, "%s", w[i++]);
    } else {
        snprintf(err, errsz, "expected a table and a key (accounts id=3) or 'view'; %s", expects);
        return -1;
    }
    for (; i < n; i += 2) {
        if (i + 1 >= n) {
            snprintf(err, errsz, "'%s' needs a value; %s", w[i], expects);
            return -1;
        }
        if (strcmp(w[i], "on") == 0) {
            snprintf(out->node, sizeof out->node, "%s", w[i + 1]);
        } else if (strcmp(w[i], "every") == 0) {
            if (wv_parse_duration(w[i + 1], &out->every_us) < 0 || out->every_us < 1000) {
                snprintf(err, errsz, "'every' expects a duration of 1ms or more, like 500ms, not '%s'", w[i + 1]);
                return -1;
            }
        } else if (strcmp(w[i], "at") == 0) {
            for (char *t = w[i + 1], *comma; t; t = comma ? comma + 1 : NULL) {
                comma = strchr(t, ',');
                if (comma)
                    *comma = '\0';
                if (out->nat == WV_READS_MAX_AT || wv_parse_duration(t, &out->at[out->nat]) < 0) {
                    snprintf(err, errsz, "'at' expects up to %d times like 1s,2.5s, not '%s'", WV_READS_MAX_AT, t);
                    return -1;
                }
                out->nat++;
            }
            qsort(out->at, (size_t)out->nat, sizeof out->at[0], cmp_time);
        } else {
            snprintf(err, errsz, "'%s' is not understood here; %s", w[i], expects);
            return -1;
        }
    }
    bool spread = out->pattern == WV_READ_MONOTONIC || out->pattern == WV_READ_ROUTED;
    if (out->pattern == WV_READ_PLAIN && !out->node[0]) {
        snprintf(err, errsz, "%s", "a plain reader reads one node: add 'on f2' (or choose ryw, monotonic or routed)");
        return -1;
    }
    if (spread && out->node[0]) {
        snprintf(err, errsz, "a %s reader reads the followers in turn: no 'on'", wv_read_pattern_name(out->pattern));
        return -1;
    }
    if (out->pattern == WV_READ_RYW && (out->every_us || out->nat)) {
        snprintf(err, errsz, "%s", "a ryw reader reads when each of its writes returns: no 'every' or 'at'");
        return -1;
    }
    if (out->pattern == WV_READ_RYW && out->view) {
        snprintf(err, errsz, "%s", "a ryw reader reads back the row it wrote: give a table and a key, not 'view'");
        return -1;
    }
    if (out->pattern != WV_READ_RYW && !out->every_us && !out->nat)
        out->every_us = 500000;
    return 0;
}

/* ---- the reads ---- */

#define ANSWERS 64 /* rows' answers kept decoded */

typedef struct answer_cache {
    size_t msg;
    int reader;
    char text[120];
} answer_cache;

struct wv_reads {
    const wv_sim *sim;
    wv_read *reads;
    size_t n, cap;
    wv_view_query *q;   /* the first view, for readers of it */
    char q_sql[WV_SIM_VIEW_SQL];
    wv_sim_view *sv;
    wv_decoder *dec;
    answer_cache cache[ANSWERS];
    int64_t *times;
    size_t *writes;
    size_t ntimes, times_cap;
};

wv_reads *wv_reads_new(const wv_sim *s)
{
    wv_reads *r = wv_xcalloc(1, sizeof *r);
    r->sim = s;
    r->dec = wv_decode_new();
    for (int i = 0; i < ANSWERS; i++)
        r->cache[i].msg = WV_ROWS_NONE;
    return r;
}

void wv_reads_free(wv_reads *r)
{
    if (!r)
        return;
    free(r->reads);
    wv_sim_view_free(r->sv);
    wv_view_query_free(r->q);
    wv_decode_free(r->dec);
    free(r->times);
    free(r->writes);
    free(r);
}

static size_t table_named(const wv_rows *rows, const char *name)
{
    for (size_t t = 0, n = wv_rows_table_count(rows); t < n; t++)
        if (strcmp(wv_rows_table_name(rows, t), name) == 0)
            return t;
    return WV_ROWS_NONE;
}

/* Whether column name is one of the key's ("id=3", "a=1, b=2"). */
static bool in_key(const char *key, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = key; (p = strstr(p, name)) != NULL; p++)
        if ((p == key || p[-1] == ' ') && p[n] == '=')
            return true;
    return false;
}

/* What the row whose version is in msg answers to reader spec. */
static void row_answer(wv_reads *r, int reader, const wv_read_spec *spec, size_t key, wv_row row, char *out,
                       size_t n)
{
    if (!row.exists) {
        snprintf(out, n, "%s", wv_sim_row_older(r->sim, key, row) ? "(older version)" : "(no row)");
        return;
    }
    answer_cache *slot = &r->cache[row.msg % ANSWERS];
    if (slot->msg == row.msg && slot->reader == reader) {
        snprintf(out, n, "%s", slot->text);
        return;
    }
    wv_slice text = wv_sim_text(r->sim, row.msg);
    wv_change c;
    snprintf(out, n, "(no column %s)", spec->column);
    if (wv_decode_message(r->dec, text.ptr, text.len, &c) == WV_DECODE_OK) {
        const wv_tuple *t = wv_change_row(&c);
        size_t len = 0;
        for (size_t i = 0; i < t->ncols; i++) {
            char name[128], value[120];
            wv_column_name(&t->cols[i], name, sizeof name);
            wv_column_value(&t->cols[i], value, sizeof value);
            if (spec->column[0] && strcmp(name, spec->column) == 0) {
                snprintf(out, n, "%s", t->cols[i].kind == WV_VAL_NULL ? "NULL" : value);
                break;
            }
            if (!spec->column[0] && !in_key(spec->key, name) && len + 1 < n)
                len += (size_t)snprintf(out + len, n - len, "%s%s=%s", len ? ", " : "", name, value);
        }
        if (!spec->column[0] && len == 0)
            snprintf(out, n, "(the key alone)");
    }
    slot->msg = row.msg;
    slot->reader = reader;
    snprintf(slot->text, sizeof slot->text, "%s", out);
}

/* "SELECT balance FROM accounts WHERE id = 3". */
static void row_query(const wv_read_spec *spec, char *out, size_t n)
{
    char where[200];
    size_t len = 0;
    for (const char *p = spec->key; *p && len + 8 < sizeof where; p++) {
        if (*p == '=') {
            len += (size_t)snprintf(where + len, sizeof where - len, " = ");
        } else if (p[0] == ',' && p[1] == ' ') {
            len += (size_t)snprintf(where + len, sizeof where - len, " AND ");
            p++;
        } else {
            where[len++] = *p;
        }
    }
    where[len] = '\0';
    snprintf(out, n, "SELECT %.40s FROM %.40s WHERE %.90s", spec->column[0] ? spec->column : "*", spec->table, where);
}

static void add_time(wv_reads *r, int64_t t, size_t write)
{
    if (r->ntimes == WV_READS_MAX)
        return;
    if (r->ntimes == r->times_cap) {
        r->times_cap = r->times_cap ? r->times_cap * 2 : 64;
        r->times = wv_xrealloc(r->times, r->times_cap * sizeof *r->times);
        r->writes = wv_xrealloc(r->writes, r->times_cap * sizeof *r->writes);
    }
    r->times[r->ntimes] = t;
    r->writes[r->ntimes++] = write;
}

/* The moments reader spec reads, up to until, into r->times (with the
 * write each follows, for ryw), in time order. */
static void read_times(wv_reads *r, const wv_read_spec *spec, size_t tbl, size_t key, int64_t until)
{
    const wv_sim *s = r->sim;
    r->ntimes = 0;
    if (spec->pattern == WV_READ_RYW) {
        if (key == WV_ROWS_NONE)
            return;
        const wv_rows *rows = wv_sim_rows(s);
        size_t last = WV_ROWS_NONE;
        for (size_t m = 0, n = wv_sim_count(s); m < n; m++) {
            if (wv_rows_key_of(rows, m) != key || wv_rows_table_of(rows, m) != tbl)
                continue;
            size_t u = wv_sim_txn_of(s, m);
            int64_t ack = wv_sim_txn_ack(s, u, NULL);
            if (u == last || !wv_sim_txn_is_commit(s, u) || ack == WV_SIM_NEVER || ack > until)
                continue;
            last = u;
            add_time(r, ack, u);
        }
        return;
    }
    int64_t end = wv_sim_end_time(s);
    if (until > end)
        until = end;
    int a = 0;
    for (int64_t t = spec->every_us; spec->every_us && t <= until && r->ntimes < WV_READS_MAX; t += spec->every_us) {
        for (; a < spec->nat && spec->at[a] < t; a++)
            if (spec->at[a] <= until)
                add_time(r, spec->at[a], WV_ROWS_NONE);
        add_time(r, t, WV_ROWS_NONE);
    }
    for (; a < spec->nat; a++)
        if (spec->at[a] <= until)
            add_time(r, spec->at[a], WV_ROWS_NONE);
}

static wv_read *new_read(wv_reads *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->reads = wv_xrealloc(r->reads, r->cap * sizeof *r->reads);
    }
    wv_read *rd = &r->reads[r->n++];
    memset(rd, 0, sizeof *rd);
    return rd;
}

/* The first view, parsed, when a reader reads it. */
static wv_sim_view *first_view(wv_reads *r)
{
    const wv_sim_cfg *cfg = wv_sim_config(r->sim);
    if (cfg->nviews == 0)
        return NULL;
    if (!r->sv || strcmp(r->q_sql, cfg->views[0]) != 0) {
        wv_sim_view_free(r->sv);
        wv_view_query_free(r->q);
        char err[400];
        r->q = wv_view_parse(cfg->views[0], err, sizeof err); /* checked as an option */
        WV_ASSERT(r->q);
        r->sv = wv_sim_view_new(r->sim, r->q);
        snprintf(r->q_sql, sizeof r->q_sql, "%s", cfg->views[0]);
    }
    return r->sv;
}

/* The follower the i-th read of a spread reader goes to at t: each in
 * turn; after a promotion the new leader is no longer a follower and a
 * read router (pgpool, a proxy asking pg_is_in_recovery()) stops sending
 * follower reads there, unless it is the only one left. */
static int follower_in_turn(const wv_sim *s, size_t i, int64_t t)
{
    int lead = wv_sim_leader_at(s, t), n = wv_sim_config(s)->nfollowers - (lead >= 0);
    if (n == 0)
        return lead;
    int f = (int)(i % (size_t)n);
    return lead >= 0 && f >= lead ? f + 1 : f;
}

size_t wv_reads_run(wv_reads *r, int64_t until, const wv_read **out)
{
    const wv_sim *s = r->sim;
    const wv_sim_cfg *cfg = wv_sim_config(s);
    const wv_rows *rows = wv_sim_rows(s);
    r->n = 0;
    for (int ri = 0; ri < cfg->nreaders; ri++) {
        const wv_read_spec *spec = &cfg->readers[ri];
        wv_sim_view *sv = spec->view ? first_view(r) : NULL;
        size_t tbl = spec->view ? WV_ROWS_NONE : table_named(rows, spec->table);
        size_t key = tbl == WV_ROWS_NONE ? WV_ROWS_NONE : wv_rows_find(rows, tbl, spec->key);
        int fixed = !spec->node[0] ? -1 : strcmp(spec->node, "leader") == 0 ? 0 : wv_sim_cfg_follower(cfg, spec->node) + 1;
        read_times(r, spec, tbl, key, until);
        size_t newest = 0; /* the newest version this reader has seen */
        for (size_t i = 0; i < r->ntimes; i++) {
            wv_read *rd = new_read(r);
            rd->reader = ri;
            rd->seq = i;
            rd->at = r->times[i];
            rd->write_txn = r->writes[i];
            rd->node = fixed >= 0 ? fixed : 1 + follower_in_turn(s, i, rd->at);
            size_t k = wv_sim_readable(s, rd->node, rd->at), kl = wv_sim_readable(s, WV_SIM_LEADER, rd->at);
            size_t leader_version;
            if (sv) {
                snprintf(rd->query, sizeof rd->query, "%s", wv_view_sql(wv_sim_view_query(sv)));
                wv_view_answer_line(wv_sim_view_at(sv, WV_SIM_LEADER, rd->at), rd->leader, sizeof rd->leader);
                wv_view_answer_line(wv_sim_view_at(sv, rd->node, rd->at), rd->answer, sizeof rd->answer);
                rd->version = k;
                leader_version = kl;
            } else {
                row_query(spec, rd->query, sizeof rd->query);
                /* after a failover, as the new leader's timeline has them */
                wv_row here = wv_sim_row(s, rd->node, rd->at, key, k), lead = wv_sim_row(s, WV_SIM_LEADER, rd->at, key, kl);
                row_answer(r, ri, spec, key, lead, rd->leader, sizeof rd->leader);
                row_answer(r, ri, spec, key, here, rd->answer, sizeof rd->answer);
                rd->version = here.msg == WV_ROWS_NONE ? 0 : here.vis + 1;
                leader_version = lead.msg == WV_ROWS_NONE ? 0 : lead.vis + 1;
            }
            /* behind the leader; a standby may also be ahead of the
             * leader's other sessions, while a COMMIT waits for it */
            rd->stale = strcmp(rd->answer, rd->leader) != 0 && rd->version < leader_version;
            if (spec->pattern == WV_READ_RYW && k <= rd->write_txn)
                rd->broke = WV_BROKE_RYW;
            if (spec->pattern == WV_READ_MONOTONIC && rd->version < newest)
                rd->broke = WV_BROKE_MONOTONIC;
            if (rd->version > newest)
                newest = rd->version;
        }
    }
    *out = r->reads;
    return r->n;
}

wv_read_counts wv_reads_count(const wv_read *reads, size_t n, int reader)
{
    wv_read_counts c = { 0, 0, 0, NULL };
    for (size_t i = 0; i < n; i++) {
        if (reads[i].reader != reader)
            continue;
        c.reads++;
        c.stale += reads[i].stale;
        c.broken += reads[i].broke != WV_BROKE_NONE;
        c.last = &reads[i];
    }
    return c;
}
