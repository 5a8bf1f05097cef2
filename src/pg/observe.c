/* observe: see include/walviz/observe.h.
 *
 * Each connection is a small state machine driven by wv_observer_poll:
 * connecting (PQconnectPoll as the socket allows), idle until its next
 * query is due, a query out (PQconsumeInput until the result is whole),
 * and down (tried again a second later). The start is the one place that
 * waits: a class wants to know at once that a node cannot be reached. */
#include "walviz/observe.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "walviz/clock.h"
#include "walviz/source.h"

#define RETRY_US 1000000
#define MAX_KW 24
#define MAX_UNREADABLE 8
#define MAX_REFUSED 8

/* A server's walsenders: its view of every node streaming from it. Lags
 * and reply_time in microseconds (NULL stays NULL); the kind from the
 * slot, or for a walsender without one, from whether it serves a
 * database. The primary's leaves out walviz's own; lanes in a stable order. */
#define WALSENDERS_QUERY                                                                                   \
    "SELECT r.application_name, r.state, r.sync_state, r.sent_lsn::text, r.write_lsn::text, "            \
    "r.flush_lsn::text, r.replay_lsn::text, "                                                            \
    "(extract(epoch FROM r.write_lag) * 1000000)::bigint, "                                              \
    "(extract(epoch FROM r.flush_lag) * 1000000)::bigint, "                                              \
    "(extract(epoch FROM r.replay_lag) * 1000000)::bigint, "                                             \
    "(extract(epoch FROM r.reply_time) * 1000000)::bigint, "                                             \
    "coalesce(s.slot_type, CASE WHEN a.datname IS NULL THEN 'physical' ELSE 'logical' END) "              \
    "FROM pg_catalog.pg_stat_replication r "                                                             \
    "LEFT JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid "                               \
    "LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid " /* a logical walsender has a database */
static const char primary_query[] = WALSENDERS_QUERY "WHERE r.pid <> $1::int ORDER BY r.application_name";
/* a node's own: a standby that others stream from (a cascade) */
static const char downstream_query[] = WALSENDERS_QUERY "ORDER BY r.application_name";

/* A node's own view, whichever it is: a standby has a WAL receiver and a
 * replay position; a subscriber has subscriptions and origins. */
static const char own_query[] =
    "SELECT pg_catalog.pg_is_in_recovery(), w.written_lsn::text, w.flushed_lsn::text, "
    "pg_catalog.pg_last_wal_replay_lsn()::text, "
    "(SELECT max(received_lsn) FROM pg_catalog.pg_stat_subscription)::text, "
    "(SELECT max(remote_lsn) FROM pg_catalog.pg_replication_origin_status "
    " WHERE external_id ~ '^pg_[0-9]+$')::text " /* a subscription's, not a table copy's */
    "FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true";

/* A few tables by name, as the probe names them; more are not kept. */
typedef struct table_set {
    char name[MAX_UNREADABLE][sizeof ((wv_real_probe *)0)->t[0].table];
    int n;
} table_set;

typedef struct obs_conn {
    PGconn *c;
    int node;         /* the node it samples, -1 for the primary */
    char *conninfo;   /* a direct node's; NULL for the primary */
    bool query_out;
    int stmt;         /* the next result's statement in the query out */
    int64_t next_us;  /* when the next query (or connection attempt) may go */
    char error[200];  /* why it is down; "" when sampling */
    /* the rows it reads: the probe's tables it can, in the query's order */
    wv_buf sql;
    int asked[WV_PROBE_TABLES], nasked;
    wv_real_probe sent; /* the probe of the query out */
    table_set unreadable; /* not asked again */
    table_set whole_rows; /* read with SELECT *: a column of the stream is not there */
    bool stale_sql;   /* the probe changed: build sql again */
} obs_conn;

struct wv_observer {
    wv_realnodes *rn;
    char *kw[MAX_KW], *val[MAX_KW]; /* the primary's parameters, NULL-terminated */
    bool has_primary;
    obs_conn primary;
    obs_conn direct[WV_REAL_MAX_NODES];
    char direct_name[WV_REAL_MAX_NODES][32];
    int ndirect;
    wv_real_probe probe;
    bool discover;         /* walsenders that appear later join too */
    char refused[MAX_REFUSED][64];
    int nrefused;
    char own_pid[16];
    char status[300];
};

wv_observer *wv_observer_new(wv_realnodes *rn, const char *const *primary_kw, const char *const *primary_val)
{
    wv_observer *o = wv_xcalloc(1, sizeof *o);
    o->rn = rn;
    o->primary.node = -1;
    strcpy(o->own_pid, "0");
    for (int i = 0; primary_kw && primary_kw[i]; i++) {
        WV_ASSERT(i < MAX_KW - 1);
        o->kw[i] = wv_xstrdup(primary_kw[i]);
        o->val[i] = wv_xstrdup(primary_val[i]);
        o->has_primary = true;
    }
    return o;
}

static void conn_close(obs_conn *c)
{
    if (c->c)
        PQfinish(c->c);
    c->c = NULL;
    c->query_out = false;
}

void wv_observer_free(wv_observer *o)
{
    if (!o)
        return;
    conn_close(&o->primary);
    for (int i = 0; i < o->ndirect; i++) {
        conn_close(&o->direct[i]);
        free(o->direct[i].conninfo);
        wv_buf_destroy(&o->direct[i].sql);
    }
    for (int i = 0; i < MAX_KW; i++) {
        free(o->kw[i]);
        free(o->val[i]);
    }
    free(o);
}

int wv_observer_direct(wv_observer *o, const char *spec, char *err, size_t errsz)
{
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;
    if (!eq || n == 0 || n >= sizeof o->direct_name[0] || !eq[1]) {
        snprintf(err, errsz, "--observe expects NAME=CONNINFO (the node's application_name, then how to "
                 "connect to it, e.g. standby1='host=10.0.0.2 dbname=postgres'), found '%.40s'", spec);
        return -1;
    }
    if (o->ndirect == WV_REAL_MAX_NODES) {
        snprintf(err, errsz, "--observe: at most %d nodes", WV_REAL_MAX_NODES);
        return -1;
    }
    obs_conn *c = &o->direct[o->ndirect];
    memcpy(o->direct_name[o->ndirect], spec, n);
    o->direct_name[o->ndirect][n] = '\0';
    c->conninfo = wv_xstrdup(eq + 1);
    c->node = -1;
    c->stale_sql = true; /* its query is built at its first send */
    o->ndirect++;
    return 0;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Starts connecting c; false (with c->error) when libpq cannot even try. */
static bool conn_start(wv_observer *o, obs_conn *c)
{
    if (c->conninfo) {
        /* the conninfo's own options, if any, win: it comes after */
        const char *kw[] = { "options", "dbname", "fallback_application_name", NULL };
        const char *val[] = { WV_SESSION_OPTIONS, c->conninfo, "walviz observe", NULL };
        c->c = PQconnectStartParams(kw, val, 1); /* expand_dbname: the conninfo */
    } else {
        c->c = PQconnectStartParams((const char *const *)o->kw, (const char *const *)o->val, 1);
    }
    if (!c->c || PQstatus(c->c) == CONNECTION_BAD) {
        snprintf(c->error, sizeof c->error, "%s", c->c ? PQerrorMessage(c->c) : "out of memory");
        conn_close(c);
        return false;
    }
    PQsetNoticeProcessor(c->c, ignore_notice, NULL);
    return true;
}

/* The first line of libpq's message msg into out, for one line of text. */
static void first_line(char *out, size_t n, const char *msg)
{
    snprintf(out, n, "%s", msg);
    out[strcspn(out, "\n")] = '\0';
}

static void set_error(obs_conn *c, const char *msg)
{
    first_line(c->error, sizeof c->error, msg && *msg ? msg : "the connection was lost");
}

/* Drives a connection attempt; 1 connected, 0 not yet, -1 failed. */
static int conn_progress(obs_conn *c, int wait_ms)
{
    if (PQstatus(c->c) == CONNECTION_OK)
        return 1;
    struct pollfd pfd = { PQsocket(c->c), POLLIN | POLLOUT, 0 };
    if (pfd.fd >= 0 && poll(&pfd, 1, wait_ms) > 0) {
        PostgresPollingStatusType ps = PQconnectPoll(c->c);
        if (ps == PGRES_POLLING_FAILED) {
            set_error(c, PQerrorMessage(c->c));
            return -1;
        }
    }
    return PQstatus(c->c) == CONNECTION_OK ? 1 : PQstatus(c->c) == CONNECTION_BAD ? -1 : 0;
}

static uint64_t lsn_at(const PGresult *r, int row, int col)
{
    uint64_t lsn = 0;
    if (!PQgetisnull(r, row, col)) {
        const char *v = PQgetvalue(r, row, col);
        wv_lsn_parse(v, strlen(v), &lsn);
    }
    return lsn;
}

static int64_t us_at(const PGresult *r, int row, int col, int64_t null)
{
    return PQgetisnull(r, row, col) ? null : atoll(PQgetvalue(r, row, col));
}

static PGresult *exec_waiting(PGconn *c, const char *q, int nparams, const char *const *params)
{
    return PQexecParams(c, q, nparams, NULL, params, NULL, NULL, 0);
}

/* The walsender of a row of the primary's answer as a node: a new one is
 * added (its kind from its slot); -1 for a subscription's table copy
 * (which has a walsender of its own, for a while) and for one refused
 * (said once on stderr). */
static int discovered(wv_observer *o, const PGresult *r, int row)
{
    const char *name = PQgetvalue(r, row, 0);
    int node = wv_realnodes_find(o->rn, name);
    if (node >= 0 || (strncmp(name, "pg_", 3) == 0 && strstr(name, "_sync_")))
        return -1;
    bool logical = !PQgetisnull(r, row, 11) && strcmp(PQgetvalue(r, row, 11), "logical") == 0;
    node = wv_realnodes_add(o->rn, name, logical ? WV_KIND_LOGICAL : WV_KIND_PHYSICAL, false);
    for (int i = 0; node < 0 && i < o->nrefused; i++)
        if (strcmp(o->refused[i], name) == 0)
            return -1;
    if (node < 0 && o->nrefused < MAX_REFUSED) { /* said once; past that many, not at all */
        fprintf(stderr, "walviz: not observing '%s': %s\n", name,
                wv_realnodes_count(o->rn) == WV_REAL_MAX_NODES
                    ? "too many nodes already"
                    : "its name is not 1 to 31 letters, digits, _ - or .");
        snprintf(o->refused[o->nrefused++], sizeof o->refused[0], "%s", name);
    }
    return node;
}

int wv_observer_start(wv_observer *o, bool discover, int own_pid, int64_t timeout_us, char *err, size_t errsz)
{
    snprintf(o->own_pid, sizeof o->own_pid, "%d", own_pid);
    int64_t deadline = wv_now_us() + timeout_us;
    obs_conn *all[WV_REAL_MAX_NODES + 1];
    int n = 0;
    if (o->has_primary) /* its view of every node, discovered or not */
        all[n++] = &o->primary;
    for (int i = 0; i < o->ndirect; i++)
        all[n++] = &o->direct[i];
    for (int i = 0; i < n; i++) {
        const char *what = all[i] == &o->primary ? "the primary" : o->direct_name[all[i] - o->direct];
        int rc = conn_start(o, all[i]) ? 0 : -1;
        while (rc == 0 && wv_now_us() < deadline)
            rc = conn_progress(all[i], 100);
        if (rc <= 0) {
            snprintf(err, errsz, "could not connect to %s to observe it: %s", what,
                     rc < 0 ? all[i]->error : "timed out");
            return -1;
        }
    }
    o->discover = discover;
    if (discover && o->has_primary) {
        const char *params[] = { o->own_pid };
        PGresult *r = exec_waiting(o->primary.c, primary_query, 1, params);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            set_error(&o->primary, PQresultErrorMessage(r));
            snprintf(err, errsz, "could not list the primary's standbys and subscribers: %s", o->primary.error);
            PQclear(r);
            return -1;
        }
        for (int row = 0; row < PQntuples(r); row++)
            discovered(o, r, row);
        PQclear(r);
    }
    for (int i = 0; i < o->ndirect; i++) {
        obs_conn *c = &o->direct[i];
        PGresult *r = exec_waiting(c->c, "SELECT pg_catalog.pg_is_in_recovery()", 0, NULL);
        bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        bool standby = ok && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        if (!ok)
            set_error(c, PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) {
            snprintf(err, errsz, "could not ask %s what it is: %s", o->direct_name[i], c->error);
            return -1;
        }
        int node = wv_realnodes_find(o->rn, o->direct_name[i]);
        if (node < 0)
            node = wv_realnodes_add(o->rn, o->direct_name[i], standby ? WV_KIND_PHYSICAL : WV_KIND_LOGICAL, true);
        else
            node = wv_realnodes_set_direct(o->rn, node, standby ? WV_KIND_PHYSICAL : WV_KIND_LOGICAL);
        if (node < 0) {
            snprintf(err, errsz, "cannot observe '%s': at most %d nodes, named in letters, digits, _ - .",
                     o->direct_name[i], WV_REAL_MAX_NODES);
            return -1;
        }
        c->node = node;
    }
    return (int)wv_realnodes_count(o->rn);
}

/* A server's walsenders (the primary's, upstream -1, or a direct node's):
 * a sample of the row of each node streaming from it (state "" when it
 * has none: no walsender now); in discovery, a node new there joins,
 * streaming from it. */
static void take_walsenders(wv_observer *o, const PGresult *r, int upstream, int64_t now,
                            const wv_observer_fns *fns)
{
    for (int row = 0; o->discover && row < PQntuples(r); row++) {
        int node = discovered(o, r, row);
        if (node >= 0 && upstream >= 0)
            wv_realnodes_set_upstream(o->rn, node, upstream);
        if (node >= 0 && fns && fns->node)
            fns->node(fns->ctx, node, now);
    }
    for (int node = 0; node < (int)wv_realnodes_count(o->rn); node++) {
        if (wv_realnodes_upstream(o->rn, node) != upstream)
            continue;
        wv_real_sample s = { .at_us = now, .view = WV_REAL_PRIMARY, .write_lag = WV_REAL_NULL_LAG,
                             .flush_lag = WV_REAL_NULL_LAG, .replay_lag = WV_REAL_NULL_LAG };
        for (int row = 0; row < PQntuples(r); row++) {
            if (strcmp(PQgetvalue(r, row, 0), wv_realnodes_name(o->rn, node)) != 0)
                continue;
            snprintf(s.state, sizeof s.state, "%s", PQgetvalue(r, row, 1));
            snprintf(s.sync_state, sizeof s.sync_state, "%s", PQgetvalue(r, row, 2));
            s.sent = lsn_at(r, row, 3);
            s.write = lsn_at(r, row, 4);
            s.flush = lsn_at(r, row, 5);
            s.replay = lsn_at(r, row, 6);
            s.write_lag = us_at(r, row, 7, WV_REAL_NULL_LAG);
            s.flush_lag = us_at(r, row, 8, WV_REAL_NULL_LAG);
            s.replay_lag = us_at(r, row, 9, WV_REAL_NULL_LAG);
            s.reply_time_us = us_at(r, row, 10, 0);
            break;
        }
        if (wv_realnodes_add_sample(o->rn, node, &s) && fns)
            fns->sample(fns->ctx, node, &s);
    }
}

static void take_own(wv_observer *o, const obs_conn *c, const PGresult *r, int64_t now, const wv_observer_fns *fns)
{
    if (PQntuples(r) != 1)
        return;
    wv_real_sample s = { .at_us = now, .view = WV_REAL_OWN };
    if (strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
        s.write = lsn_at(r, 0, 1);
        s.flush = lsn_at(r, 0, 2);
        s.replay = lsn_at(r, 0, 3);
    } else {
        s.write = lsn_at(r, 0, 4);  /* received */
        s.replay = lsn_at(r, 0, 5); /* the last COMMIT applied */
    }
    if (wv_realnodes_add_sample(o->rn, c->node, &s) && fns)
        fns->sample(fns->ctx, c->node, &s);
}

/* The connection is gone (a node's server stopped, say): tried again a
 * second later; meanwhile the node's own positions are unknown, a sample
 * of NULLs rather than the last answer. */
static void lost(wv_observer *o, obs_conn *c, int64_t now, const wv_observer_fns *fns)
{
    conn_close(c);
    c->next_us = now + RETRY_US;
    if (c->node >= 0) {
        wv_real_sample s = { .at_us = now, .view = WV_REAL_OWN };
        if (wv_realnodes_add_sample(o->rn, c->node, &s) && fns)
            fns->sample(fns->ctx, c->node, &s);
    }
}

/* --- rows read from a node ------------------------------------------------ */

void wv_observer_probe(wv_observer *o, const wv_real_probe *p)
{
    if (wv_real_probe_equal(&o->probe, p))
        return;
    o->probe = *p;
    for (int i = 0; i < o->ndirect; i++)
        o->direct[i].stale_sql = true;
}

/* s quoted by libpq for the connection's encoding, as an identifier or a
 * literal; false when it cannot be (bytes not valid in that encoding). */
static bool put_quoted(wv_buf *b, PGconn *conn, const char *s, bool ident)
{
    char *q = ident ? PQescapeIdentifier(conn, s, strlen(s)) : PQescapeLiteral(conn, s, strlen(s));
    if (!q)
        return false;
    wv_buf_puts(b, q);
    PQfreemem(q);
    return true;
}

static bool set_has(const table_set *set, const char *table)
{
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->name[i], table) == 0)
            return true;
    return false;
}

/* Adds table (a probe's name: it fits); false when it was there. A full
 * set forgets its oldest. */
static bool set_add(table_set *set, const char *table)
{
    if (set_has(set, table))
        return false;
    if (set->n == MAX_UNREADABLE)
        memmove(set->name[0], set->name[1], (size_t)--set->n * sizeof set->name[0]);
    memcpy(set->name[set->n++], table, sizeof set->name[0]);
    return true;
}

/* "SELECT c1, ... FROM t WHERE (k1, k2) IN ((v, v), ...)" for table t of
 * the probe, each value cut to what a panel shows, so a large one is not
 * read 25 times a second; format('%s') prints it with its type's output
 * function as the stream does (a ::text cast would trim a char(n) and add
 * /32 to an inet); star: every column, whole. False when a name or value
 * cannot be quoted. */
static bool put_select(wv_buf *b, PGconn *conn, const struct wv_probe_table *t, bool star)
{
    bool ok = true;
    wv_buf_puts(b, "SELECT ");
    for (int k = 0; k < t->ncols && !star; k++) {
        wv_buf_puts(b, k ? ", CASE WHEN " : "CASE WHEN ");
        ok &= put_quoted(b, conn, t->col[k], true);
        wv_buf_puts(b, " IS NOT NULL THEN pg_catalog.left(pg_catalog.format('%s', ");
        ok &= put_quoted(b, conn, t->col[k], true);
        wv_buf_printf(b, "), %d) END AS ", WV_REAL_VALUE_MAX);
        ok &= put_quoted(b, conn, t->col[k], true);
    }
    wv_buf_puts(b, star ? "* FROM " : " FROM ");
    if (t->schema[0]) {
        ok &= put_quoted(b, conn, t->schema, true);
        wv_buf_puts(b, ".");
    }
    ok &= put_quoted(b, conn, t->name, true);
    wv_buf_puts(b, " WHERE (");
    for (int k = 0; k < t->nkeycols; k++) {
        wv_buf_puts(b, k ? ", " : "");
        ok &= put_quoted(b, conn, t->keycol[k], true);
    }
    wv_buf_puts(b, ") IN (");
    for (int r = 0; r < t->nkeys; r++) {
        wv_buf_puts(b, r ? ", (" : "(");
        for (int k = 0; k < t->nkeycols; k++) {
            wv_buf_puts(b, k ? ", " : "");
            ok &= put_quoted(b, conn, t->value[r][k], false);
        }
        wv_buf_puts(b, ")");
    }
    wv_buf_puts(b, ")");
    return ok;
}

/* A direct node's query: its positions, its walsenders (for a cascade),
 * then a SELECT (put_select) for each table of the probe this node lets
 * walviz read; a table whose names or keys cannot be quoted is left out. */
static void build_rows_sql(wv_observer *o, obs_conn *c)
{
    wv_buf *b = &c->sql;
    b->len = 0;
    c->nasked = 0;
    c->sent = o->probe;
    c->stale_sql = false;
    wv_buf_puts(b, own_query);
    wv_buf_puts(b, ";\n");
    wv_buf_puts(b, downstream_query);
    for (int i = 0; i < o->probe.ntables; i++) {
        const struct wv_probe_table *t = &o->probe.t[i];
        if (set_has(&c->unreadable, t->table))
            continue;
        size_t start = b->len;
        wv_buf_puts(b, ";\n");
        if (!put_select(b, c->c, t, t->ncols == 0 || set_has(&c->whole_rows, t->table))) {
            b->len = start;
            continue;
        }
        c->asked[c->nasked++] = i;
    }
    wv_buf_append(b, "", 1);
}

/* A table's read failed: one without a column the stream shows (a
 * subscriber's table can lack an unpublished one) is read whole from then
 * on; one the node has not, or does not let walviz read, is not asked
 * again; anything else (a standby's query cancelled by a conflict with
 * recovery, say) is asked again next time. The rest of the query did not
 * run. */
static void table_failed(wv_observer *o, obs_conn *c, int asked, const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *table = c->sent.t[c->asked[asked]].table;
    bool no_column = state && strcmp(state, "42703") == 0;
    bool for_good = state && (no_column || strcmp(state, "42P01") == 0 || strcmp(state, "42501") == 0 ||
                              strcmp(state, "3F000") == 0);
    if (no_column && !set_has(&c->whole_rows, table)) {
        c->stale_sql |= set_add(&c->whole_rows, table);
    } else if (for_good && set_add(&c->unreadable, table)) {
        char why[200];
        first_line(why, sizeof why, PQresultErrorMessage(r));
        fprintf(stderr, "walviz: not reading %s on %s: %s\n", table, wv_realnodes_name(o->rn, c->node), why);
        c->stale_sql = true;
    }
}

/* The rows a table's read returned: each key asked is there or not. */
static void take_rows(wv_observer *o, obs_conn *c, const struct wv_probe_table *t, const PGresult *r, int64_t now,
                      const wv_observer_fns *fns)
{
    wv_realrows *rr = wv_realnodes_rows(o->rn);
    int keycol[WV_PROBE_KEYCOLS], ncols = PQnfields(r);
    for (int k = 0; k < t->nkeycols; k++) {
        keycol[k] = -1;
        for (int f = 0; f < ncols; f++)
            if (strcmp(PQfname(r, f), t->keycol[k]) == 0)
                keycol[k] = f;
        if (keycol[k] < 0)
            return;
    }
    bool found[WV_PROBE_KEYS] = { false };
    wv_buf key;
    wv_buf_init(&key);
    for (int row = 0; row < PQntuples(r); row++) {
        /* its key's text, as the stream's rows spell it: "a=1, b=x" */
        key.len = 0;
        for (int k = 0; k < t->nkeycols; k++)
            wv_buf_printf(&key, "%s%s=%s", k ? ", " : "", t->keycol[k],
                          PQgetisnull(r, row, keycol[k]) ? "null" : PQgetvalue(r, row, keycol[k]));
        wv_buf_append(&key, "", 1);
        int asked = -1;
        for (int i = 0; i < t->nkeys && asked < 0; i++)
            if (strcmp(t->key[i], key.data) == 0)
                asked = i;
        if (asked < 0 || found[asked])
            continue;
        found[asked] = true;
        wv_real_row rd = { .at_us = now, .exists = true };
        char cut[WV_REAL_ROW_COLS][WV_REAL_VALUE_MAX + 1]; /* a whole row's (SELECT *) long values */
        for (int f = 0; f < ncols && rd.ncols < WV_REAL_ROW_COLS; f++, rd.ncols++) {
            const char *v = PQgetisnull(r, row, f) ? "null" : PQgetvalue(r, row, f);
            size_t n = wv_utf8_prefix(v, strlen(v), WV_REAL_VALUE_MAX);
            memcpy(cut[rd.ncols], v, n);
            cut[rd.ncols][n] = '\0';
            rd.name[rd.ncols] = PQfname(r, f);
            rd.value[rd.ncols] = cut[rd.ncols];
        }
        if (wv_realrows_add(rr, c->node, t->table, t->key[asked], &rd) && fns && fns->row)
            fns->row(fns->ctx, c->node, t->table, t->key[asked], &rd);
    }
    wv_buf_destroy(&key);
    for (int i = 0; i < t->nkeys; i++) {
        wv_real_row none = { .at_us = now, .exists = false };
        if (!found[i] && wv_realrows_add(rr, c->node, t->table, t->key[i], &none) && fns && fns->row)
            fns->row(fns->ctx, c->node, t->table, t->key[i], &none);
    }
}

static void poll_conn(wv_observer *o, obs_conn *c, int64_t now, const wv_observer_fns *fns)
{
    if (!c->c) {
        if (now < c->next_us)
            return;
        c->next_us = now + RETRY_US;
        if (!conn_start(o, c)) {
            lost(o, c, now, fns);
            return;
        }
    }
    if (PQstatus(c->c) != CONNECTION_OK) {
        if (conn_progress(c, 0) < 0)
            lost(o, c, now, fns);
        return;
    }
    if (c->query_out) {
        if (!PQconsumeInput(c->c)) {
            set_error(c, PQerrorMessage(c->c));
            lost(o, c, now, fns);
            return;
        }
        PGresult *r;
        /* one result per statement, over as many polls as they take: a
         * direct node's positions, its walsenders, then each table's rows */
        while (!PQisBusy(c->c) && (r = PQgetResult(c->c)) != NULL) {
            int stmt = c->stmt++, table = stmt - 2;
            if (PQresultStatus(r) != PGRES_TUPLES_OK) {
                if (c != &o->primary && table >= 0 && table < c->nasked)
                    table_failed(o, c, table, r);
                else
                    set_error(c, PQresultErrorMessage(r));
            } else if (c == &o->primary) {
                take_walsenders(o, r, -1, now, fns);
                c->error[0] = '\0';
            } else if (stmt == 0) {
                take_own(o, c, r, now, fns);
                c->error[0] = '\0';
            } else if (stmt == 1) {
                take_walsenders(o, r, c->node, now, fns);
            } else if (table < c->nasked) {
                take_rows(o, c, &c->sent.t[c->asked[table]], r, now, fns);
            }
            PQclear(r);
        }
        if (!PQisBusy(c->c))
            c->query_out = false;
        return;
    }
    if (now < c->next_us)
        return;
    c->next_us = now + WV_OBSERVE_INTERVAL_US;
    const char *params[] = { o->own_pid };
    if (c != &o->primary && c->stale_sql)
        build_rows_sql(o, c);
    int sent = c == &o->primary ? PQsendQueryParams(c->c, primary_query, 1, NULL, params, NULL, NULL, 0)
                                : PQsendQuery(c->c, c->sql.data);
    c->stmt = 0;
    if (!sent) {
        set_error(c, PQerrorMessage(c->c));
        lost(o, c, now, fns);
        return;
    }
    c->query_out = true;
}

void wv_observer_poll(wv_observer *o, int64_t now_us, const wv_observer_fns *fns)
{
    if (o->has_primary)
        poll_conn(o, &o->primary, now_us, fns);
    for (int i = 0; i < o->ndirect; i++)
        poll_conn(o, &o->direct[i], now_us, fns);
}

const char *wv_observer_status(wv_observer *o)
{
    if (o->has_primary && o->primary.error[0]) {
        snprintf(o->status, sizeof o->status, "observing the primary: %s", o->primary.error);
        return o->status;
    }
    for (int i = 0; i < o->ndirect; i++)
        if (o->direct[i].error[0]) {
            snprintf(o->status, sizeof o->status, "observing %s: %s", o->direct_name[i], o->direct[i].error);
            return o->status;
        }
    return NULL;
}
