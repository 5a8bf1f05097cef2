/* source_pg: the live source over libpq (see include/walviz/source.h).
 *
 * One state machine, advanced by wv_source_poll(), never blocking:
 *   CONNECT -> (check the slot) -> IDENTIFY_SYSTEM -> (CREATE_REPLICATION_SLOT)
 *   -> START_REPLICATION -> STREAM -> DONE
 * and, when the connection drops with a permanent slot, BACKOFF -> CONNECT.
 * A stream that ends at the end position or on request stays in COPY mode
 * until wv_source_free(): its final status update must report what the
 * caller made durable after the last message, which only the caller knows.
 *
 * The pure parts live elsewhere: the protocol's byte layouts in
 * replproto.c, resuming without duplicates in resume.c (its header says
 * how), what an error means in pgerr.c. Errors are asked of libpq in its
 * verbose form so that they carry their SQLSTATE, also while connecting.
 *
 * A permanent slot resumes after a lost connection with backoff, for ever
 * while the cause can heal (a restart, a network cut), but only
 * LASTING_TRIES times in a row when it cannot (the slot is gone, the role
 * lost REPLICATION): then the source fails with the reason. */
#include "walviz/source.h"
#include "walviz/clock.h"

#include "walviz/pgerr.h"
#include "walviz/replproto.h"
#include "walviz/resume.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARAMS 16
#define BACKOFF_MAX_US (30 * 1000000LL)
#define LASTING_TRIES 3

typedef enum state {
    ST_BACKOFF,
    ST_CONNECT,
    ST_QUERY, /* a command is out; on_result decides what follows */
    ST_STREAM,
    ST_DONE
} state;

typedef enum step { STEP_CHECK_SLOT, STEP_IDENTIFY, STEP_CREATE_SLOT, STEP_START } step;

typedef struct info_entry {
    const char *key;
    char *value;
} info_entry;

struct wv_source {
    /* what the user asked for, copied */
    char *keywords[MAX_PARAMS];
    char *values[MAX_PARAMS];
    int nparams;
    char *slot;
    bool temporary, create_slot, if_not_exists, two_phase, reconnect;
    uint64_t startpos, endpos;
    char *start_options; /* the (...) of START_REPLICATION */
    char *plugin_options_text;
    int64_t status_interval_us;

    state st;
    step step;
    PGconn *conn;
    PGresult *pending;
    bool slot_created; /* by us, in this run */
    bool streamed_once;
    bool failed;
    bool stop_requested;
    bool in_copy;      /* START_REPLICATION's COPY is open on conn */
    bool end_reported; /* WV_SOURCE_END was returned */
    int attempts;
    int lasting_failures; /* tries in a row that failed for a cause that cannot heal */
    int64_t retry_at_us;
    wv_pgerr last_error;
    bool needs_password;
    char status[512];
    bool status_changed;

    /* positions */
    uint64_t received_lsn;  /* highest XLogData start seen */
    uint64_t confirmed_lsn; /* what the caller has durably handled */
    int64_t last_feedback_us;
    bool reply_now;
    wv_resume rs; /* transaction boundaries, and resuming without duplicates */

    char *copybuf; /* the XLogData in hand, from PQgetCopyData */
    wv_decoder *dec;

    /* slot status over a second connection */
    PGconn *sconn;
    bool squery_out;
    int64_t next_status_us;
    wv_slot_status slot_status;

    info_entry info[12];
    int ninfo;
};

static void set_status(wv_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void set_status(wv_source *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->status, sizeof s->status, fmt, ap);
    va_end(ap);
    s->status_changed = true;
}

static void set_info(wv_source *s, const char *key, const char *value)
{
    for (int i = 0; i < s->ninfo; i++) {
        if (strcmp(s->info[i].key, key) == 0) {
            free(s->info[i].value);
            s->info[i].value = wv_xstrdup(value);
            return;
        }
    }
    WV_ASSERT(s->ninfo < (int)(sizeof s->info / sizeof s->info[0]));
    s->info[s->ninfo].key = key;
    s->info[s->ninfo++].value = wv_xstrdup(value);
}

const char *wv_source_info(const wv_source *s, const char *key)
{
    for (int i = 0; i < s->ninfo; i++)
        if (strcmp(s->info[i].key, key) == 0)
            return s->info[i].value;
    return NULL;
}

static void add_param(wv_source *s, const char *k, const char *v)
{
    if (!v)
        return;
    WV_ASSERT(s->nparams < MAX_PARAMS - 1);
    s->keywords[s->nparams] = wv_xstrdup(k);
    s->values[s->nparams++] = wv_xstrdup(v);
}

static void append_quoted(wv_buf *b, const char *text, char quote)
{
    wv_buf_append(b, &quote, 1);
    for (const char *p = text; *p; p++) {
        wv_buf_append(b, p, 1);
        if (*p == quote)
            wv_buf_append(b, p, 1);
    }
    wv_buf_append(b, &quote, 1);
}

/* Builds START_REPLICATION's option list: walviz's defaults (include-xids,
 * include-timestamp: the animation needs both) unless -o names them. */
static void build_plugin_options(wv_source *s, const wv_source_opts *o)
{
    static const char *const defaults[] = { "include-xids=1", "include-timestamp=1" };
    const char *all[64];
    size_t n = 0;
    for (size_t d = 0; d < 2; d++) {
        size_t dl = strcspn(defaults[d], "=");
        bool overridden = false;
        for (size_t i = 0; i < o->nplugin_opts; i++)
            if (strncmp(o->plugin_opts[i], defaults[d], dl) == 0 &&
                (o->plugin_opts[i][dl] == '=' || o->plugin_opts[i][dl] == '\0'))
                overridden = true;
        if (!overridden)
            all[n++] = defaults[d];
    }
    for (size_t i = 0; i < o->nplugin_opts && n < 64; i++)
        all[n++] = o->plugin_opts[i];

    wv_buf opts, text;
    wv_buf_init(&opts);
    wv_buf_init(&text);
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(all[i], '=');
        char *name = eq ? wv_slice_dup((wv_slice){ all[i], (size_t)(eq - all[i]) })
                        : wv_xstrdup(all[i]);
        wv_buf_puts(&opts, i ? ", " : "(");
        append_quoted(&opts, name, '"');
        if (eq) {
            wv_buf_puts(&opts, " ");
            append_quoted(&opts, eq + 1, '\'');
        }
        wv_buf_puts(&text, i ? "," : "");
        wv_buf_puts(&text, all[i]);
        free(name);
    }
    if (n)
        wv_buf_puts(&opts, ")");
    wv_buf_append(&opts, "", 1);
    wv_buf_append(&text, "", 1);
    s->start_options = opts.data;
    s->plugin_options_text = text.data;
}

wv_source *wv_source_new(const wv_source_opts *o)
{
    wv_source *s = wv_xcalloc(1, sizeof *s);
    /* With expand_dbname, the first dbname is a whole conninfo or URI; the
     * later entries override what it says. */
    add_param(s, "dbname", o->conninfo ? o->conninfo : "");
    add_param(s, "host", o->host);
    add_param(s, "port", o->port);
    add_param(s, "user", o->user);
    add_param(s, "fallback_application_name", "walviz");
    add_param(s, "options", WV_SESSION_OPTIONS);
    if (o->slot) {
        s->slot = wv_xstrdup(o->slot);
    } else {
        char name[64];
        snprintf(name, sizeof name, "walviz_%ld_%lld", (long)getpid(),
                 (long long)(wv_now_us() % 1000000));
        s->slot = wv_xstrdup(name);
    }
    s->temporary = !o->slot;
    s->create_slot = o->create_slot || !o->slot;
    s->if_not_exists = o->if_not_exists;
    s->two_phase = o->two_phase;
    s->reconnect = o->reconnect;
    s->startpos = o->startpos;
    s->endpos = o->endpos;
    s->status_interval_us = (int64_t)(o->status_interval_ms > 0 ? o->status_interval_ms : 10000) * 1000;
    build_plugin_options(s, o);
    s->dec = wv_decode_new();
    wv_resume_init(&s->rs);
    s->st = ST_CONNECT;
    set_info(s, "slot", s->slot);
    set_info(s, "slot-kind", s->temporary ? "temporary" : "permanent");
    set_info(s, "plugin", "test_decoding");
    set_info(s, "plugin-options", s->plugin_options_text);
    set_info(s, "session-settings", WV_SESSION_OPTIONS);
    set_status(s, "connecting");
    return s;
}

/* --- talking to the server ------------------------------------------- */

/* Standby status update: write, flush, apply, send time, reply-requested. */
static bool send_feedback(wv_source *s, int64_t now_us)
{
    char buf[WV_REPL_STATUS_LEN];
    wv_repl_status(buf, s->received_lsn, s->confirmed_lsn, 0, now_us, false);
    if (PQputCopyData(s->conn, buf, sizeof buf) <= 0 || PQflush(s->conn) < 0)
        return false;
    s->last_feedback_us = now_us;
    s->reply_now = false;
    return true;
}

/* Server notices (a WARNING before an immediate shutdown, say) go to the
 * status line instead of libpq's default, a raw write to stderr. */
static void on_notice(void *arg, const char *message)
{
    wv_pgerr e;
    wv_pgerr_parse(message, &e);
    set_status(arg, "the server says: %s", e.message);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Turns a server or libpq error into a sentence that says what to do. */
/* Where an error came from, for what it means (pgerr.h). */
static wv_pg_step current_step(const wv_source *s)
{
    if (s->streamed_once)
        return WV_PG_RESUME;
    if (s->st == ST_QUERY)
        return s->step == STEP_CREATE_SLOT ? WV_PG_CREATE_SLOT : WV_PG_SETUP;
    return WV_PG_CONNECT;
}

/* Sets the status to what failed, why, and what to do about it; keeps the
 * SQLSTATE for the decision to retry. */
static void explain(wv_source *s, const char *what, const char *err)
{
    wv_pgerr_parse(err, &s->last_error);
    s->needs_password = s->conn && PQconnectionNeedsPassword(s->conn);
    const char *hint = wv_pgerr_hint(s->last_error.sqlstate, current_step(s), s->needs_password);
    set_status(s, "%s: %s%s%s", what, s->last_error.message, hint ? " -- " : "", hint ? hint : "");
}

static void close_conn(wv_source *s)
{
    PQclear(s->pending);
    s->pending = NULL;
    if (s->copybuf) {
        PQfreemem(s->copybuf);
        s->copybuf = NULL;
    }
    if (s->conn) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    s->in_copy = false;
}

static void finish(wv_source *s, bool failed)
{
    close_conn(s);
    s->failed = s->failed || failed;
    s->st = ST_DONE;
    s->status_changed = true;
}

/* The connection is gone or broken: retry when that can resume the
 * stream, else end with a sentence on why not. */
static void connection_lost(wv_source *s, int64_t now_us, const char *what, const char *err)
{
    explain(s, what, err);
    close_conn(s);
    if (s->stop_requested) {
        finish(s, false);
        return;
    }
    if (s->temporary && s->streamed_once) {
        char why[800];
        size_t n = strlen(s->status);
        while (n > 0 && s->status[n - 1] == '.') /* "the request." + "." */
            n--;
        snprintf(why, sizeof why, "%.*s. The stream cannot resume: its temporary slot was dropped "
                 "with the connection. Use --slot NAME --create-slot for a slot that survives.",
                 (int)n, s->status);
        set_status(s, "%s", why);
        finish(s, true);
        return;
    }
    /* A first connection that fails is a setup problem: say it, don't retry. */
    if (!s->reconnect || !s->streamed_once) {
        finish(s, true);
        return;
    }
    if (wv_pgerr_heals(s->last_error.sqlstate, s->needs_password)) {
        s->lasting_failures = 0;
    } else if (++s->lasting_failures >= LASTING_TRIES) {
        char line[800];
        snprintf(line, sizeof line, "%s (gave up after %d tries)", s->status, s->lasting_failures);
        set_status(s, "%s", line);
        finish(s, true);
        return;
    }
    wv_resume_cut(&s->rs);
    s->attempts++;
    int64_t delay = 500000LL << (s->attempts < 7 ? s->attempts - 1 : 6);
    if (delay > BACKOFF_MAX_US)
        delay = BACKOFF_MAX_US;
    s->retry_at_us = now_us + delay;
    char line[800];
    snprintf(line, sizeof line, "%s; retrying in %.1f s (attempt %d)", s->status,
             (double)delay / 1e6, s->attempts + 1);
    set_status(s, "%s", line);
    s->st = ST_BACKOFF;
}

static bool send_query(wv_source *s, step next, const char *sql)
{
    s->step = next;
    s->st = ST_QUERY;
    return PQsendQuery(s->conn, sql) == 1;
}

static void begin_identify(wv_source *s, int64_t now_us)
{
    if (!send_query(s, STEP_IDENTIFY, "IDENTIFY_SYSTEM"))
        connection_lost(s, now_us, "IDENTIFY_SYSTEM failed", PQerrorMessage(s->conn));
}

static void begin_after_connect(wv_source *s, int64_t now_us)
{
    PQsetnonblocking(s->conn, 1);
    char ver[32];
    int v = PQserverVersion(s->conn);
    snprintf(ver, sizeof ver, "%d.%d", v / 10000, v % 10000);
    set_info(s, "server-version", ver);
    set_info(s, "database", PQdb(s->conn) ? PQdb(s->conn) : "");
    set_status(s, "connected to %s, database %s", PQhost(s->conn) ? PQhost(s->conn) : "?",
               PQdb(s->conn) ? PQdb(s->conn) : "?");
    if (s->create_slot && !s->if_not_exists && !s->slot_created) {
        begin_identify(s, now_us);
        return;
    }
    /* An existing slot: make sure it is a test_decoding slot first. */
    wv_buf q;
    wv_buf_init(&q);
    wv_buf_puts(&q, "SELECT plugin, two_phase FROM pg_catalog.pg_replication_slots WHERE slot_name = ");
    append_quoted(&q, s->slot, '\'');
    wv_buf_append(&q, "", 1);
    if (!send_query(s, STEP_CHECK_SLOT, q.data))
        connection_lost(s, now_us, "could not check the slot", PQerrorMessage(s->conn));
    wv_buf_destroy(&q);
}

static void begin_create_slot(wv_source *s, int64_t now_us)
{
    wv_buf q;
    wv_buf_init(&q);
    wv_buf_puts(&q, "CREATE_REPLICATION_SLOT ");
    append_quoted(&q, s->slot, '"');
    wv_buf_puts(&q, s->temporary ? " TEMPORARY LOGICAL \"test_decoding\"" : " LOGICAL \"test_decoding\"");
    wv_buf_puts(&q, s->two_phase ? " (TWO_PHASE, SNAPSHOT 'nothing')" : " (SNAPSHOT 'nothing')");
    wv_buf_append(&q, "", 1);
    if (!send_query(s, STEP_CREATE_SLOT, q.data))
        connection_lost(s, now_us, "could not create the slot", PQerrorMessage(s->conn));
    wv_buf_destroy(&q);
}

static void begin_start(wv_source *s, int64_t now_us)
{
    /* Resume after the last transaction received in full; the server
     * skips what committed before that. */
    uint64_t start = s->rs.last_commit_lsn ? s->rs.last_commit_lsn : s->startpos;
    char lsn[WV_LSN_BUFSZ];
    wv_lsn_format(start, lsn);
    wv_buf q;
    wv_buf_init(&q);
    wv_buf_puts(&q, "START_REPLICATION SLOT ");
    append_quoted(&q, s->slot, '"');
    wv_buf_printf(&q, " LOGICAL %s %s", lsn, s->start_options);
    wv_buf_append(&q, "", 1);
    if (!send_query(s, STEP_START, q.data))
        connection_lost(s, now_us, "START_REPLICATION failed", PQerrorMessage(s->conn));
    wv_buf_destroy(&q);
}

/* A command failed: fatal on the way in, a reason to retry when resuming. */
static void step_failed(wv_source *s, int64_t now_us, const char *what, const char *err)
{
    if (s->streamed_once && s->reconnect) {
        connection_lost(s, now_us, what, err);
        return;
    }
    explain(s, what, err);
    finish(s, true);
}

static void on_result(wv_source *s, PGresult *res, int64_t now_us)
{
    ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *err = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    bool ok = rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK || rs == PGRES_COPY_BOTH;
    if (!ok && (!err || !*err))
        err = PQerrorMessage(s->conn);

    switch (s->step) {
    case STEP_CHECK_SLOT:
        if (!ok) {
            step_failed(s, now_us, "could not check the slot", err);
        } else if (PQntuples(res) == 0) {
            if (s->create_slot && !s->streamed_once) {
                begin_identify(s, now_us);
            } else {
                /* As the server words it, code included: gone is gone,
                 * even with --create-slot once streaming (pgerr.h). */
                char msg[200];
                snprintf(msg, sizeof msg, "ERROR:  42704: replication slot \"%s\" does not exist",
                         s->slot);
                step_failed(s, now_us, "cannot stream", msg);
            }
        } else if (strcmp(PQgetvalue(res, 0, 0), "test_decoding") != 0) {
            set_status(s, "cannot stream: slot \"%s\" uses the output plugin \"%s\"; walviz reads "
                       "test_decoding slots -- create one with --create-slot and another name",
                       s->slot, PQgetvalue(res, 0, 0));
            finish(s, true);
        } else {
            s->create_slot = false; /* it exists: --if-not-exists, or resuming */
            set_info(s, "two-phase", strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? "on" : "off");
            begin_identify(s, now_us);
        }
        break;
    case STEP_IDENTIFY:
        if (!ok || PQntuples(res) != 1 || PQnfields(res) < 4) {
            step_failed(s, now_us, "IDENTIFY_SYSTEM failed", err);
            break;
        }
        set_info(s, "system-identifier", PQgetvalue(res, 0, 0));
        if (s->create_slot && !s->slot_created)
            begin_create_slot(s, now_us);
        else
            begin_start(s, now_us);
        break;
    case STEP_CREATE_SLOT:
        if (!ok) {
            step_failed(s, now_us, "could not create the replication slot", err);
            break;
        }
        s->slot_created = true;
        set_info(s, "two-phase", s->two_phase ? "on" : "off");
        begin_start(s, now_us);
        break;
    case STEP_START:
        if (rs != PGRES_COPY_BOTH) {
            step_failed(s, now_us, "START_REPLICATION failed", err);
            break;
        }
        s->st = ST_STREAM;
        s->in_copy = true;
        s->streamed_once = true;
        s->attempts = 0;
        s->lasting_failures = 0;
        s->last_feedback_us = now_us;
        set_status(s, "streaming from slot %s%s", s->slot, s->temporary ? " (temporary)" : "");
        break;
    }
}

/* --- the stream ------------------------------------------------------ */

/* Ends the stream but keeps the COPY open: wv_source_free() sends the
 * final status update once the caller has confirmed what it kept. */
static void end_stream(wv_source *s, const char *why)
{
    set_status(s, "%s", why);
    s->st = ST_DONE;
}

/* The end position is passed: everything that commits at or before it is
 * here (the server sends transactions in commit order, and a later
 * non-transactional message after them), so the slot may move up to it. */
static void reach_endpos(wv_source *s)
{
    if (s->endpos > s->rs.boundary_lsn)
        s->rs.boundary_lsn = s->endpos;
    end_stream(s, "reached end position");
}

/* Handles one CopyData message; returns 1 when *ev holds a message. */
static int on_copy_data(wv_source *s, char *buf, int len, int64_t now_us, wv_source_event *ev)
{
    wv_repl_msg m;
    if (wv_repl_parse(buf, (size_t)len, &m) < 0) {
        set_status(s, "unexpected message of type '%c' from the server", len ? buf[0] : '?');
        return 0;
    }
    if (m.kind == WV_REPL_KEEPALIVE) {
        if (m.reply_requested)
            s->reply_now = true;
        wv_resume_keepalive(&s->rs, m.wal_end);
        if (s->endpos && m.wal_end >= s->endpos && !s->rs.in_txn)
            reach_endpos(s);
        return 0;
    }
    uint64_t lsn = m.start;
    memset(ev, 0, sizeof *ev);
    if (wv_decode_message(s->dec, m.payload, m.payload_len, &ev->change) != WV_DECODE_OK) {
        /* Keep the message byte-exact even when walviz cannot read it. */
        memset(&ev->change, 0, sizeof ev->change);
        ev->change.op = WV_OP_COUNT;
    }
    /* A transaction that begins at the end position commits after it: it
     * is not kept, as pg_logical_slot_peek_changes(upto_lsn) leaves it out,
     * rather than recorded as a BEGIN with no COMMIT. */
    if (s->endpos && (lsn > s->endpos || (lsn == s->endpos && ev->change.op == WV_OP_BEGIN))) {
        memset(ev, 0, sizeof *ev);
        reach_endpos(s);
        return 0;
    }
    if (lsn > s->received_lsn)
        s->received_lsn = lsn;
    if (ev->change.op != WV_OP_COUNT && wv_resume_is_duplicate(&s->rs, &ev->change, lsn))
        return 0;
    if (ev->change.op != WV_OP_COUNT)
        wv_resume_track(&s->rs, &ev->change, lsn);

    ev->kind = WV_SOURCE_MESSAGE;
    ev->meta.has_lsn = true;
    ev->meta.lsn = lsn;
    ev->meta.send_us = m.send_us;
    ev->meta.recv_us = now_us;
    if (ev->change.has_xid) {
        ev->meta.has_xid = true;
        ev->meta.xid = ev->change.xid;
    }
    ev->text.ptr = m.payload;
    ev->text.len = m.payload_len;
    if (s->endpos && lsn == s->endpos && !s->rs.in_txn)
        reach_endpos(s); /* kept: a message at endpos belongs in */
    return 1;
}

static int poll_stream(wv_source *s, int64_t now_us, wv_source_event *ev)
{
    if (s->copybuf) {
        PQfreemem(s->copybuf);
        s->copybuf = NULL;
    }
    for (int tries = 0; tries < 2; tries++) {
        char *buf = NULL;
        int n = PQgetCopyData(s->conn, &buf, 1);
        if (n > 0) {
            s->copybuf = buf;
            if (on_copy_data(s, buf, n, now_us, ev))
                return 1;
            if (s->st != ST_STREAM)
                return 0;
            tries = -1; /* a keepalive or a skipped resend: keep reading */
            PQfreemem(s->copybuf);
            s->copybuf = NULL;
            continue;
        }
        if (n == 0) {
            if (tries == 0 && PQconsumeInput(s->conn) == 0) {
                connection_lost(s, now_us, "lost the connection", PQerrorMessage(s->conn));
                return 0;
            }
            continue;
        }
        /* -1: the server ended the copy; -2: an error. */
        PGresult *res = PQgetResult(s->conn);
        const char *err = res && PQresultStatus(res) != PGRES_COMMAND_OK
                              ? PQresultErrorMessage(res)
                              : PQerrorMessage(s->conn);
        char msg[400];
        snprintf(msg, sizeof msg, "%s", err && *err ? err : "the server closed the stream");
        PQclear(res);
        connection_lost(s, now_us, "the stream ended", msg);
        return 0;
    }
    return 0;
}

/* --- slot status, over a second connection ----------------------------- */

static void poll_slot_status(wv_source *s, int64_t now_us)
{
    if (!s->sconn) {
        if (now_us < s->next_status_us || !s->streamed_once)
            return;
        /* A plain connection: drop "replication" from the parameters. */
        s->sconn = PQconnectStartParams((const char *const *)s->keywords,
                                        (const char *const *)s->values, 1);
        s->next_status_us = now_us + 1000000;
        if (!s->sconn)
            return;
        PQsetNoticeProcessor(s->sconn, ignore_notice, NULL); /* the stream's say it */
    }
    if (PQstatus(s->sconn) == CONNECTION_BAD) {
        PQfinish(s->sconn);
        s->sconn = NULL;
        s->squery_out = false;
        return;
    }
    if (PQstatus(s->sconn) != CONNECTION_OK) {
        struct pollfd pfd = { PQsocket(s->sconn), POLLIN | POLLOUT, 0 };
        if (pfd.fd >= 0 && poll(&pfd, 1, 0) > 0)
            PQconnectPoll(s->sconn);
        return;
    }
    if (s->squery_out) {
        if (!PQconsumeInput(s->sconn)) {
            PQfinish(s->sconn);
            s->sconn = NULL;
            s->squery_out = false;
            return;
        }
        PGresult *res;
        while (!PQisBusy(s->sconn) && (res = PQgetResult(s->sconn)) != NULL) {
            if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
                wv_slot_status *st = &s->slot_status;
                memset(st, 0, sizeof *st);
                const char *v;
                v = PQgetvalue(res, 0, 0);
                wv_lsn_parse(v, strlen(v), &st->current_wal_lsn);
                v = PQgetvalue(res, 0, 1);
                wv_lsn_parse(v, strlen(v), &st->restart_lsn);
                v = PQgetvalue(res, 0, 2);
                wv_lsn_parse(v, strlen(v), &st->confirmed_flush_lsn);
                snprintf(st->wal_status, sizeof st->wal_status, "%s", PQgetvalue(res, 0, 3));
                st->has_safe_wal_size = !PQgetisnull(res, 0, 4);
                st->safe_wal_size = st->has_safe_wal_size ? atoll(PQgetvalue(res, 0, 4)) : 0;
                st->read_at_us = now_us;
                st->valid = true;
            }
            PQclear(res);
        }
        if (!PQisBusy(s->sconn))
            s->squery_out = false;
        return;
    }
    if (now_us < s->next_status_us)
        return;
    s->next_status_us = now_us + 1000000;
    wv_buf q;
    wv_buf_init(&q);
    wv_buf_puts(&q, "SELECT pg_current_wal_lsn()::text, s.restart_lsn::text, "
                    "s.confirmed_flush_lsn::text, s.wal_status, s.safe_wal_size "
                    "FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_replication_slots s "
                    "ON s.slot_name = ");
    append_quoted(&q, s->slot, '\'');
    wv_buf_append(&q, "", 1);
    s->squery_out = PQsendQuery(s->sconn, q.data) == 1;
    wv_buf_destroy(&q);
}

/* --- the driver ---------------------------------------------------------- */

/* The replication connection's parameters: the plain one's plus
 * replication=database; NULL-terminated. */
static void replication_params(const wv_source *s, const char **kw, const char **val)
{
    int n = 0;
    for (int i = 0; i < s->nparams; i++, n++)
        kw[n] = s->keywords[i], val[n] = s->values[i];
    kw[n] = "replication", val[n++] = "database";
    kw[n] = NULL, val[n] = NULL;
}

static void start_connect(wv_source *s, int64_t now_us)
{
    const char *kw[MAX_PARAMS + 1], *val[MAX_PARAMS + 1];
    replication_params(s, kw, val);
    s->conn = PQconnectStartParams(kw, val, 1);
    if (s->conn) /* errors with their SQLSTATE, also while connecting */
        PQsetErrorVerbosity(s->conn, PQERRORS_VERBOSE);
    if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
        connection_lost(s, now_us, "could not connect",
                        s->conn ? PQerrorMessage(s->conn) : "out of memory");
        return;
    }
    PQsetNoticeProcessor(s->conn, on_notice, s);
    s->st = ST_CONNECT;
    s->step = STEP_CHECK_SLOT;
}

int wv_source_poll(wv_source *s, int64_t now_us, wv_source_event *ev, int *wait_ms)
{
    memset(ev, 0, sizeof *ev);
    *wait_ms = 100;
    if (s->st != ST_DONE && s->st != ST_BACKOFF)
        poll_slot_status(s, now_us);

    switch (s->st) {
    case ST_BACKOFF:
        if (now_us >= s->retry_at_us) {
            set_status(s, "reconnecting");
            start_connect(s, now_us);
        } else {
            *wait_ms = (int)((s->retry_at_us - now_us) / 1000) + 1;
        }
        break;
    case ST_CONNECT: {
        if (!s->conn)
            start_connect(s, now_us);
        if (!s->conn)
            break;
        PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
        struct pollfd pfd = { PQsocket(s->conn), POLLIN | POLLOUT, 0 };
        if (pfd.fd < 0 || poll(&pfd, 1, 0) > 0)
            ps = PQconnectPoll(s->conn);
        if (ps == PGRES_POLLING_FAILED || PQstatus(s->conn) == CONNECTION_BAD)
            connection_lost(s, now_us, "could not connect", PQerrorMessage(s->conn));
        else if (ps == PGRES_POLLING_OK)
            begin_after_connect(s, now_us);
        else
            *wait_ms = 5;
        break;
    }
    case ST_QUERY: {
        if (!PQconsumeInput(s->conn)) {
            connection_lost(s, now_us, "lost the connection", PQerrorMessage(s->conn));
            break;
        }
        while (s->st == ST_QUERY && !PQisBusy(s->conn)) {
            PGresult *res = PQgetResult(s->conn);
            if (res && PQresultStatus(res) == PGRES_COPY_BOTH) {
                on_result(s, res, now_us);
                PQclear(res);
                break;
            }
            if (res) {
                PQclear(s->pending);
                s->pending = res;
                continue;
            }
            PGresult *last = s->pending;
            s->pending = NULL;
            on_result(s, last, now_us);
            PQclear(last);
        }
        break;
    }
    case ST_STREAM:
        if (s->stop_requested) {
            end_stream(s, "stopped");
            break;
        }
        if (poll_stream(s, now_us, ev))
            break;
        if (s->st == ST_STREAM &&
            (s->reply_now || now_us - s->last_feedback_us >= s->status_interval_us) &&
            !send_feedback(s, now_us))
            connection_lost(s, now_us, "could not send a status update", PQerrorMessage(s->conn));
        if (s->st == ST_STREAM) {
            int64_t due = (s->last_feedback_us + s->status_interval_us - now_us) / 1000;
            *wait_ms = due < 1 ? 1 : due > 1000 ? 1000 : (int)due;
        }
        break;
    case ST_DONE:
        break;
    }

    if (ev->kind == WV_SOURCE_MESSAGE)
        return 1;
    if (s->st == ST_DONE && !s->end_reported) {
        s->end_reported = true;
        s->status_changed = false;
        ev->kind = WV_SOURCE_END;
        return 1;
    }
    if (s->status_changed) {
        s->status_changed = false;
        ev->kind = WV_SOURCE_STATUS;
        return 1;
    }
    return 0;
}

int wv_source_drop_slot(const wv_source_opts *opts, char *err, size_t errsz)
{
    wv_source *s = wv_source_new(opts);
    const char *kw[MAX_PARAMS + 1], *val[MAX_PARAMS + 1];
    replication_params(s, kw, val);
    int rc = -1;
    /* PQconnectdbParams would connect before verbosity could be set. */
    PGconn *conn = PQconnectStartParams(kw, val, 1);
    if (conn)
        PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
    while (conn && PQstatus(conn) != CONNECTION_BAD && ps != PGRES_POLLING_OK &&
           ps != PGRES_POLLING_FAILED) {
        struct pollfd pfd = { PQsocket(conn), ps == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0 };
        poll(&pfd, 1, 1000);
        ps = PQconnectPoll(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        explain(s, "could not connect", conn ? PQerrorMessage(conn) : "out of memory");
    } else {
        wv_buf q;
        wv_buf_init(&q);
        wv_buf_puts(&q, "DROP_REPLICATION_SLOT ");
        append_quoted(&q, s->slot, '"');
        wv_buf_puts(&q, " WAIT");
        wv_buf_append(&q, "", 1);
        PGresult *res = PQexec(conn, q.data);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            rc = 0;
        else
            explain(s, "could not drop the slot", PQresultErrorMessage(res));
        PQclear(res);
        wv_buf_destroy(&q);
    }
    if (rc < 0)
        snprintf(err, errsz, "%s", s->status);
    PQfinish(conn);
    wv_source_free(s);
    return rc;
}

void wv_source_params(const wv_source *s, const char *const **keywords, const char *const **values)
{
    *keywords = (const char *const *)s->keywords;
    *values = (const char *const *)s->values;
}

int wv_source_backend_pid(const wv_source *s)
{
    return s->conn && PQstatus(s->conn) == CONNECTION_OK ? PQbackendPID(s->conn) : 0;
}

int wv_source_fds(const wv_source *s, int fds[2])
{
    int n = 0;
    /* After the end the stream's COPY may stay open until wv_source_free,
     * unread: waiting on it would never block. */
    if (s->st == ST_DONE)
        return 0;
    if (s->conn && PQsocket(s->conn) >= 0)
        fds[n++] = PQsocket(s->conn);
    if (s->sconn && PQsocket(s->sconn) >= 0)
        fds[n++] = PQsocket(s->sconn);
    return n;
}

void wv_source_confirm(wv_source *s)
{
    if (s->rs.boundary_lsn > s->confirmed_lsn)
        s->confirmed_lsn = s->rs.boundary_lsn;
}

void wv_source_stop(wv_source *s)
{
    s->stop_requested = true;
    if (s->st == ST_BACKOFF || s->st == ST_CONNECT || s->st == ST_QUERY)
        finish(s, false);
}

wv_source_state wv_source_state_of(const wv_source *s)
{
    switch (s->st) {
    case ST_STREAM:
        return WV_SOURCE_STATE_STREAMING;
    case ST_DONE:
        return s->failed ? WV_SOURCE_STATE_FAILED : WV_SOURCE_STATE_ENDED;
    case ST_BACKOFF:
        return WV_SOURCE_STATE_RETRYING;
    case ST_CONNECT:
    case ST_QUERY:
        break;
    }
    return s->streamed_once ? WV_SOURCE_STATE_RETRYING : WV_SOURCE_STATE_CONNECTING;
}

const char *wv_source_status(const wv_source *s)
{
    return s->status;
}

bool wv_source_failed(const wv_source *s)
{
    return s->failed;
}

const wv_slot_status *wv_source_slot(const wv_source *s)
{
    return &s->slot_status;
}

void wv_source_free(wv_source *s)
{
    if (!s)
        return;
    if (s->conn && s->in_copy) {
        /* A last status update so the server knows what we kept. */
        PQsetnonblocking(s->conn, 0);
        send_feedback(s, wv_now_us());
        PQputCopyEnd(s->conn, NULL);
        PQflush(s->conn);
    }
    close_conn(s);
    if (s->sconn)
        PQfinish(s->sconn);
    for (int i = 0; i < s->nparams; i++) {
        free(s->keywords[i]);
        free(s->values[i]);
    }
    for (int i = 0; i < s->ninfo; i++)
        free(s->info[i].value);
    wv_decode_free(s->dec);
    free(s->slot);
    free(s->start_options);
    free(s->plugin_options_text);
    free(s);
}
