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

#define RETRY_US 1000000
#define MAX_KW 24

/* The primary's walsenders: the primary's view of every node. Lags and
 * reply_time in microseconds (NULL stays NULL); the kind from the slot, or
 * for a walsender without one, from whether it serves a database. */
static const char primary_query[] =
    "SELECT r.application_name, r.state, r.sync_state, r.sent_lsn::text, r.write_lsn::text, "
    "r.flush_lsn::text, r.replay_lsn::text, "
    "(extract(epoch FROM r.write_lag) * 1000000)::bigint, "
    "(extract(epoch FROM r.flush_lag) * 1000000)::bigint, "
    "(extract(epoch FROM r.replay_lag) * 1000000)::bigint, "
    "(extract(epoch FROM r.reply_time) * 1000000)::bigint, "
    "coalesce(s.slot_type, CASE WHEN a.datname IS NULL THEN 'physical' ELSE 'logical' END) "
    "FROM pg_catalog.pg_stat_replication r "
    "LEFT JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid "
    "LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid " /* a logical walsender has a database */
    "WHERE r.pid <> $1::int ORDER BY r.application_name"; /* lanes in a stable order */

/* A node's own view, whichever it is: a standby has a WAL receiver and a
 * replay position; a subscriber has subscriptions and origins. */
static const char own_query[] =
    "SELECT pg_catalog.pg_is_in_recovery(), w.written_lsn::text, w.flushed_lsn::text, "
    "pg_catalog.pg_last_wal_replay_lsn()::text, "
    "(SELECT max(received_lsn) FROM pg_catalog.pg_stat_subscription)::text, "
    "(SELECT max(remote_lsn) FROM pg_catalog.pg_replication_origin_status "
    " WHERE external_id ~ '^pg_[0-9]+$')::text " /* a subscription's, not a table copy's */
    "FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true";

typedef struct obs_conn {
    PGconn *c;
    int node;         /* the node it samples, -1 for the primary */
    char *conninfo;   /* a direct node's; NULL for the primary */
    bool query_out;
    int64_t next_us;  /* when the next query (or connection attempt) may go */
    char error[200];  /* why it is down; "" when sampling */
} obs_conn;

struct wv_observer {
    wv_realnodes *rn;
    char *kw[MAX_KW], *val[MAX_KW]; /* the primary's parameters, NULL-terminated */
    bool has_primary;
    obs_conn primary;
    obs_conn direct[WV_REAL_MAX_NODES];
    char direct_name[WV_REAL_MAX_NODES][32];
    int ndirect;
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
        const char *kw[] = { "dbname", "fallback_application_name", NULL };
        const char *val[] = { c->conninfo, "walviz observe", NULL };
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

/* The first line of libpq's message, for a status line. */
static void set_error(obs_conn *c, const char *msg)
{
    snprintf(c->error, sizeof c->error, "%s", msg && *msg ? msg : "the connection was lost");
    char *nl = strchr(c->error, '\n');
    if (nl)
        *nl = '\0';
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
    if (discover && o->has_primary) {
        const char *params[] = { o->own_pid };
        PGresult *r = exec_waiting(o->primary.c, primary_query, 1, params);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            set_error(&o->primary, PQresultErrorMessage(r));
            snprintf(err, errsz, "could not list the primary's standbys and subscribers: %s", o->primary.error);
            PQclear(r);
            return -1;
        }
        for (int row = 0; row < PQntuples(r); row++) {
            const char *name = PQgetvalue(r, row, 0);
            /* a subscription's table copy has a walsender of its own, for a while */
            if (strncmp(name, "pg_", 3) == 0 && strstr(name, "_sync_"))
                continue;
            bool logical = !PQgetisnull(r, row, 11) && strcmp(PQgetvalue(r, row, 11), "logical") == 0;
            if (wv_realnodes_find(o->rn, name) < 0 &&
                wv_realnodes_add(o->rn, name, logical ? WV_KIND_LOGICAL : WV_KIND_PHYSICAL, false) < 0)
                fprintf(stderr, "walviz: not observing '%s': %s\n", name,
                        wv_realnodes_count(o->rn) == WV_REAL_MAX_NODES ? "too many nodes already"
                                                                        : "its name is not plain letters and digits");
        }
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

/* The primary's answer: a sample of each node's row (state "" when it has
 * none: no walsender now). */
static void take_primary(wv_observer *o, const PGresult *r, int64_t now, wv_observer_sample_fn fn, void *ctx)
{
    for (int node = 0; node < (int)wv_realnodes_count(o->rn); node++) {
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
        if (wv_realnodes_add_sample(o->rn, node, &s) && fn)
            fn(ctx, node, &s);
    }
}

static void take_own(wv_observer *o, const obs_conn *c, const PGresult *r, int64_t now, wv_observer_sample_fn fn,
                     void *ctx)
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
    if (wv_realnodes_add_sample(o->rn, c->node, &s) && fn)
        fn(ctx, c->node, &s);
}

/* The connection is gone (a node's server stopped, say): tried again a
 * second later; meanwhile the node's own positions are unknown, a sample
 * of NULLs rather than the last answer. */
static void lost(wv_observer *o, obs_conn *c, int64_t now, wv_observer_sample_fn fn, void *ctx)
{
    conn_close(c);
    c->next_us = now + RETRY_US;
    if (c->node >= 0) {
        wv_real_sample s = { .at_us = now, .view = WV_REAL_OWN };
        if (wv_realnodes_add_sample(o->rn, c->node, &s) && fn)
            fn(ctx, c->node, &s);
    }
}

static void poll_conn(wv_observer *o, obs_conn *c, int64_t now, wv_observer_sample_fn fn, void *ctx)
{
    if (!c->c) {
        if (now < c->next_us)
            return;
        c->next_us = now + RETRY_US;
        if (!conn_start(o, c)) {
            lost(o, c, now, fn, ctx);
            return;
        }
    }
    if (PQstatus(c->c) != CONNECTION_OK) {
        if (conn_progress(c, 0) < 0)
            lost(o, c, now, fn, ctx);
        return;
    }
    if (c->query_out) {
        if (!PQconsumeInput(c->c)) {
            set_error(c, PQerrorMessage(c->c));
            lost(o, c, now, fn, ctx);
            return;
        }
        PGresult *r;
        while (!PQisBusy(c->c) && (r = PQgetResult(c->c)) != NULL) {
            if (PQresultStatus(r) != PGRES_TUPLES_OK)
                set_error(c, PQresultErrorMessage(r));
            else if (c == &o->primary)
                take_primary(o, r, now, fn, ctx), c->error[0] = '\0';
            else
                take_own(o, c, r, now, fn, ctx), c->error[0] = '\0';
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
    int sent = c == &o->primary ? PQsendQueryParams(c->c, primary_query, 1, NULL, params, NULL, NULL, 0)
                                : PQsendQuery(c->c, own_query);
    if (!sent) {
        set_error(c, PQerrorMessage(c->c));
        lost(o, c, now, fn, ctx);
        return;
    }
    c->query_out = true;
}

void wv_observer_poll(wv_observer *o, int64_t now_us, wv_observer_sample_fn fn, void *ctx)
{
    if (o->has_primary)
        poll_conn(o, &o->primary, now_us, fn, ctx);
    for (int i = 0; i < o->ndirect; i++)
        poll_conn(o, &o->direct[i], now_us, fn, ctx);
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
