/* decode: a recursive-descent parser over test_decoding's text output.
 *
 * One parser serves two framings. In "whole" mode the message is exactly
 * the buffer (XLogData payloads, COPY rows, recording lines). In "line" mode
 * the buffer is raw pg_recvlogical output and the message ends at the first
 * newline the grammar does not swallow: quoted values and message contents
 * may hold newlines. When a scan in line mode runs off the buffer, the
 * parser sets `incomplete`, which wins over any error it reports after, so
 * the caller reads more input and tries again.
 *
 * Everything the parser returns is a slice of the input; the only memory it
 * owns is the column and table arrays, reused from message to message. */
#include "walviz/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wv_decoder {
    wv_column *old_cols, *new_cols;
    size_t old_cap, new_cap;
    wv_relname *tables;
    size_t tables_cap;
    char error[160];
    size_t error_offset;
};

typedef struct parser {
    const char *start, *p, *end;
    bool line;       /* line mode: a newline ends the message */
    bool incomplete; /* ran off the buffer in line mode */
    bool failed;
    wv_decoder *d;
} parser;

static const char *const op_names[WV_OP_COUNT] = {
    [WV_OP_BEGIN] = "BEGIN",
    [WV_OP_COMMIT] = "COMMIT",
    [WV_OP_INSERT] = "INSERT",
    [WV_OP_UPDATE] = "UPDATE",
    [WV_OP_DELETE] = "DELETE",
    [WV_OP_TRUNCATE] = "TRUNCATE",
    [WV_OP_MESSAGE] = "MESSAGE",
    [WV_OP_PREPARE] = "PREPARE",
    [WV_OP_COMMIT_PREPARED] = "COMMIT PREPARED",
    [WV_OP_ROLLBACK_PREPARED] = "ROLLBACK PREPARED",
    [WV_OP_STREAM_START] = "STREAM START",
    [WV_OP_STREAM_STOP] = "STREAM STOP",
    [WV_OP_STREAM_CHANGE] = "STREAM CHANGE",
    [WV_OP_STREAM_MESSAGE] = "STREAM MESSAGE",
    [WV_OP_STREAM_TRUNCATE] = "STREAM TRUNCATE",
    [WV_OP_STREAM_COMMIT] = "STREAM COMMIT",
    [WV_OP_STREAM_ABORT] = "STREAM ABORT",
    [WV_OP_STREAM_PREPARE] = "STREAM PREPARE",
    [WV_OP_UNKNOWN] = "UNKNOWN",
};

const char *wv_op_name(wv_op op)
{
    return (unsigned)op < WV_OP_COUNT ? op_names[op] : "?";
}

wv_op wv_op_known(int op)
{
    return op >= 0 && op < WV_OP_UNKNOWN ? (wv_op)op : WV_OP_UNKNOWN;
}

bool wv_op_is_row_change(wv_op op)
{
    return op == WV_OP_INSERT || op == WV_OP_UPDATE || op == WV_OP_DELETE || op == WV_OP_TRUNCATE;
}

bool wv_op_is_commit(wv_op op)
{
    return op == WV_OP_COMMIT || op == WV_OP_COMMIT_PREPARED || op == WV_OP_STREAM_COMMIT ||
           op == WV_OP_PREPARE || op == WV_OP_STREAM_PREPARE;
}

bool wv_xid_settle(wv_xid_state *st, const wv_change *c, bool has_given, uint32_t given,
                   uint32_t *xid)
{
    bool has = has_given;
    if (c->has_xid) {
        has = true;
        *xid = c->xid;
    } else if (has_given) {
        *xid = given;
    } else if (st->in_xact && st->has_xid &&
               (wv_op_is_row_change(c->op) || c->op == WV_OP_COMMIT ||
                (c->op == WV_OP_MESSAGE && c->transactional))) {
        has = true;
        *xid = st->xid;
    }
    if (c->op == WV_OP_BEGIN) {
        st->in_xact = true;
        st->has_xid = has;
        st->xid = has ? *xid : 0;
    } else if (c->op == WV_OP_COMMIT || c->op == WV_OP_PREPARE) {
        st->in_xact = false;
    }
    return has;
}

wv_decoder *wv_decode_new(void)
{
    return wv_xcalloc(1, sizeof(wv_decoder));
}

void wv_decode_free(wv_decoder *d)
{
    if (!d)
        return;
    free(d->old_cols);
    free(d->new_cols);
    free(d->tables);
    free(d);
}

const char *wv_decode_error(const wv_decoder *d)
{
    return d->error;
}

size_t wv_decode_error_offset(const wv_decoder *d)
{
    return d->error_offset;
}

/* Records the first error: "expected WHAT, found 'TEXT'". */
static bool fail(parser *ps, const char *expected)
{
    if (ps->failed)
        return false;
    ps->failed = true;
    wv_decoder *d = ps->d;
    d->error_offset = (size_t)(ps->p - ps->start);

    char found[40];
    size_t n = 0;
    const char *q = ps->p;
    if (q >= ps->end || (ps->line && *q == '\n')) {
        snprintf(found, sizeof found, "end of message");
    } else {
        /* Only in line mode does a newline end the message: in a whole
         * message it is shown like any other control byte. */
        found[n++] = '\'';
        while (q < ps->end && n < 28 && !(ps->line && *q == '\n')) {
            unsigned char c = (unsigned char)*q++;
            found[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
        if (q < ps->end && !(ps->line && *q == '\n'))
            found[n++] = '.', found[n++] = '.', found[n++] = '.';
        found[n++] = '\'';
        found[n] = '\0';
    }
    snprintf(d->error, sizeof d->error, "expected %s, found %s", expected, found);
    return false;
}

/* True when the buffer has no byte at p; in line mode that means we need
 * more input. */
static bool out_of_input(parser *ps, const char *p)
{
    if (p < ps->end)
        return false;
    if (ps->line)
        ps->incomplete = true;
    return true;
}

static bool at_message_end(parser *ps)
{
    if (ps->p >= ps->end) {
        if (ps->line)
            ps->incomplete = true;
        return !ps->line;
    }
    return ps->line && *ps->p == '\n';
}

static bool accept(parser *ps, const char *lit, size_t n)
{
    size_t avail = (size_t)(ps->end - ps->p);
    if (avail > 0 && *ps->p != *lit)
        return false; /* the common miss, without a call */
    if (avail < n) {
        /* A prefix of lit at the buffer's end may complete with more input. */
        if (ps->line && memcmp(ps->p, lit, avail) == 0)
            ps->incomplete = true;
        return false;
    }
    for (size_t i = 1; i < n; i++) /* literals are short: a loop beats a call */
        if (ps->p[i] != lit[i])
            return false;
    ps->p += n;
    return true;
}

#define ACCEPT(ps, lit) accept((ps), (lit), sizeof(lit) - 1)
#define EXPECT(ps, lit) (ACCEPT(ps, lit) || fail((ps), "\"" lit "\""))

static bool parse_u32(parser *ps, uint32_t *out)
{
    const char *p = ps->p;
    uint64_t v = 0;
    while (p < ps->end && *p >= '0' && *p <= '9') {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return fail(ps, "a transaction id");
        p++;
    }
    if (p == ps->end && ps->line)
        ps->incomplete = true;
    if (p == ps->p)
        return fail(ps, "a transaction id");
    ps->p = p;
    *out = (uint32_t)v;
    return true;
}

static bool parse_size(parser *ps, size_t *out)
{
    const char *p = ps->p;
    size_t v = 0;
    while (p < ps->end && *p >= '0' && *p <= '9') {
        size_t digit = (size_t)(*p - '0');
        if (v > (SIZE_MAX - digit) / 10)
            return fail(ps, "a message size");
        v = v * 10 + digit;
        p++;
    }
    if (p == ps->end && ps->line)
        ps->incomplete = true;
    if (p == ps->p)
        return fail(ps, "a message size");
    ps->p = p;
    *out = v;
    return true;
}

/* Scans a quoted run starting at ps->p (which holds the quote) in which the
 * quote is doubled, and, when backslash_doubled, "\\" pairs too. Sets
 * *body to the text between the quotes. */
static bool scan_quoted(parser *ps, char quote, bool backslash_doubled, wv_slice *body,
                        const char *what)
{
    const char *p = ps->p + 1;
    for (;;) {
        if (!backslash_doubled && p < ps->end) {
            const char *q = memchr(p, quote, (size_t)(ps->end - p));
            p = q ? q : ps->end;
        }
        if (out_of_input(ps, p))
            return fail(ps, what);
        if (*p == quote) {
            if (out_of_input(ps, p + 1)) {
                if (ps->line)
                    return fail(ps, what);
                break;
            }
            if (p[1] != quote)
                break;
            p += 2;
        } else if (backslash_doubled && *p == '\\') {
            p += 2;
        } else {
            p++;
        }
    }
    body->ptr = ps->p + 1;
    body->len = (size_t)(p - body->ptr);
    ps->p = p + 1;
    return true;
}

/* Bytes that end a bare identifier: the grammar's delimiters. */
static const bool ident_stop[256] = {
    ['.'] = 1, [':'] = 1, ['['] = 1, [']'] = 1, [','] = 1, [' '] = 1, ['\n'] = 1, ['"'] = 1,
    ['\''] = 1,
};

static const bool type_stop[256] = { [']'] = 1, ['"'] = 1, ['\n'] = 1 };

/* An identifier as quote_identifier prints it. Bare ones stop at the
 * grammar's delimiters; the plugin never prints those unquoted. */
static bool parse_ident(parser *ps, wv_slice *out)
{
    if (out_of_input(ps, ps->p))
        return fail(ps, "an identifier");
    if (*ps->p == '"') {
        const char *from = ps->p;
        wv_slice body;
        if (!scan_quoted(ps, '"', false, &body, "a closing '\"' of an identifier"))
            return false;
        out->ptr = from;
        out->len = (size_t)(ps->p - from);
        return true;
    }
    const char *p = ps->p;
    while (p < ps->end && !ident_stop[(unsigned char)*p])
        p++;
    if (p == ps->p)
        return fail(ps, "an identifier");
    if (p == ps->end && ps->line)
        ps->incomplete = true;
    out->ptr = ps->p;
    out->len = (size_t)(p - ps->p);
    ps->p = p;
    return true;
}

static bool parse_relname(parser *ps, wv_relname *rel)
{
    wv_slice first;
    if (!parse_ident(ps, &first))
        return false;
    if (ACCEPT(ps, ".")) {
        rel->schema = first;
        return parse_ident(ps, &rel->table);
    }
    rel->schema = (wv_slice){ NULL, 0 };
    rel->table = first;
    return true;
}

/* A type as format_type_be prints it ends at the first "]:" outside
 * double quotes; "integer[]" and "character varying" are one type. */
static bool parse_type(parser *ps, wv_slice *out)
{
    const char *p = ps->p;
    /* Fast path: the first ']' closes the type when no quote precedes it. */
    const char *close = p;
    while (close < ps->end && !type_stop[(unsigned char)*close])
        close++;
    if (close + 1 < ps->end && *close == ']' && close[1] == ':' && close > p) {
        out->ptr = p;
        out->len = (size_t)(close - p);
        ps->p = close + 2;
        return true;
    }
    for (;;) {
        if (out_of_input(ps, p + 1))
            return fail(ps, "a type name closed by \"]:\"");
        if (*p == '\n' && ps->line)
            return fail(ps, "a type name closed by \"]:\"");
        if (*p == '"') {
            const char *save = ps->p;
            wv_slice body;
            ps->p = p;
            if (!scan_quoted(ps, '"', false, &body, "a closing '\"' in a type name"))
                return false;
            p = ps->p;
            ps->p = save;
            continue;
        }
        if (p[0] == ']' && p[1] == ':')
            break;
        p++;
    }
    if (p == ps->p)
        return fail(ps, "a type name");
    out->ptr = ps->p;
    out->len = (size_t)(p - ps->p);
    ps->p = p + 2;
    return true;
}

static bool value_ends(parser *ps, const char *p)
{
    if (p >= ps->end) {
        if (ps->line)
            ps->incomplete = true;
        return !ps->line;
    }
    return *p == ' ' || (ps->line && *p == '\n');
}

static bool parse_value(parser *ps, wv_column *col)
{
    const char *p = ps->p;
    if (out_of_input(ps, p))
        return fail(ps, "a value");
    if (*p == '\'') {
        col->kind = WV_VAL_QUOTED;
        return scan_quoted(ps, '\'', false, &col->value, "a closing quote of a value");
    }
    if (p + 1 < ps->end && p[0] == 'B' && p[1] == '\'') {
        ps->p++;
        col->kind = WV_VAL_BITS;
        return scan_quoted(ps, '\'', false, &col->value, "a closing quote of a bit string");
    }
    while (p < ps->end && *p != ' ' && *p != '\n')
        p++;
    if (p == ps->p)
        return fail(ps, "a value");
    col->value.ptr = ps->p;
    col->value.len = (size_t)(p - ps->p);
    if (!value_ends(ps, p))
        return fail(ps, "a value");
    if (col->value.len == 4 && memcmp(col->value.ptr, "null", 4) == 0)
        col->kind = WV_VAL_NULL;
    else if (col->value.len == 21 && memcmp(col->value.ptr, "unchanged-toast-datum", 21) == 0)
        col->kind = WV_VAL_TOAST;
    else
        col->kind = WV_VAL_BARE;
    if (col->kind != WV_VAL_BARE)
        col->value = (wv_slice){ NULL, 0 };
    ps->p = p;
    return true;
}

/* Columns " name[type]:value" until the message ends or, in an UPDATE's
 * old key, until " new-tuple:". */
static bool parse_columns(parser *ps, wv_column **cols, size_t *cap, wv_tuple *t)
{
    size_t n = 0;
    t->present = true;
    while (!at_message_end(ps)) {
        if (ps->incomplete)
            return false;
        if (ps->end - ps->p >= 11 && ps->p[1] == 'n' && memcmp(ps->p, " new-tuple:", 11) == 0)
            break;
        if (!EXPECT(ps, " "))
            return false;
        if (n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *cols = wv_xrealloc(*cols, *cap * sizeof(wv_column));
        }
        wv_column *c = &(*cols)[n];
        if (!parse_ident(ps, &c->name) || !EXPECT(ps, "[") || !parse_type(ps, &c->type) ||
            !parse_value(ps, c))
            return false;
        n++;
    }
    t->cols = *cols;
    t->ncols = n;
    return !ps->incomplete;
}

static bool parse_tuple(parser *ps, wv_column **cols, size_t *cap, wv_tuple *t)
{
    if (ACCEPT(ps, " (no-tuple-data)")) {
        t->present = false;
        return true;
    }
    return parse_columns(ps, cols, cap, t);
}

static bool parse_table_change(parser *ps, wv_change *c)
{
    wv_decoder *d = ps->d;
    size_t ntables = 0;
    for (;;) {
        if (ntables == d->tables_cap) {
            d->tables_cap = d->tables_cap ? d->tables_cap * 2 : 4;
            d->tables = wv_xrealloc(d->tables, d->tables_cap * sizeof(wv_relname));
        }
        if (!parse_relname(ps, &d->tables[ntables]))
            return false;
        ntables++;
        if (!ACCEPT(ps, ", "))
            break;
    }
    if (!EXPECT(ps, ": "))
        return false;

    if (ACCEPT(ps, "TRUNCATE:")) {
        c->op = WV_OP_TRUNCATE;
        c->tables = d->tables;
        c->ntables = ntables;
        if (ACCEPT(ps, " (no-flags)"))
            return true;
        c->restart_seqs = ACCEPT(ps, " restart_seqs");
        c->cascade = ACCEPT(ps, " cascade");
        return c->restart_seqs || c->cascade || fail(ps, "\"restart_seqs\", \"cascade\" or \"(no-flags)\"");
    }
    if (ntables != 1)
        return fail(ps, "\"TRUNCATE:\" after several tables");
    c->rel = d->tables[0];

    if (ACCEPT(ps, "INSERT:")) {
        c->op = WV_OP_INSERT;
        return parse_tuple(ps, &d->new_cols, &d->new_cap, &c->new_tuple);
    }
    if (ACCEPT(ps, "DELETE:")) {
        c->op = WV_OP_DELETE;
        return parse_tuple(ps, &d->old_cols, &d->old_cap, &c->old_tuple);
    }
    if (ACCEPT(ps, "UPDATE:")) {
        c->op = WV_OP_UPDATE;
        if (ACCEPT(ps, " old-key:")) {
            if (!parse_columns(ps, &d->old_cols, &d->old_cap, &c->old_tuple) ||
                !EXPECT(ps, " new-tuple:"))
                return false;
        }
        return parse_tuple(ps, &d->new_cols, &d->new_cap, &c->new_tuple);
    }
    return fail(ps, "\"INSERT:\", \"UPDATE:\", \"DELETE:\" or \"TRUNCATE:\"");
}

/* " (at TIMESTAMP)", optional. */
static bool parse_timestamp(parser *ps, wv_change *c)
{
    if (!ACCEPT(ps, " (at "))
        return !ps->incomplete;
    const char *p = ps->p;
    while (p < ps->end && *p != ')' && *p != '\n')
        p++;
    if (out_of_input(ps, p) || *p != ')')
        return fail(ps, "a timestamp closed by ')'");
    c->timestamp.ptr = ps->p;
    c->timestamp.len = (size_t)(p - ps->p);
    ps->p = p + 1;
    return true;
}

/* " TXN n", optional. */
static bool parse_txn(parser *ps, wv_change *c)
{
    if (!ACCEPT(ps, " TXN "))
        return !ps->incomplete;
    c->has_xid = true;
    return parse_u32(ps, &c->xid);
}

/* 'gid' or E'gid', as quote_literal_cstr prints it. */
static bool parse_gid(parser *ps, wv_change *c)
{
    c->gid_escaped = ACCEPT(ps, "E");
    if (out_of_input(ps, ps->p) || *ps->p != '\'')
        return fail(ps, "a quoted transaction identifier (gid)");
    return scan_quoted(ps, '\'', c->gid_escaped, &c->gid, "a closing quote of a gid");
}

/* 'gid'[, txid N][ (at TS)] */
static bool parse_two_phase(parser *ps, wv_change *c, wv_op op)
{
    c->op = op;
    if (!parse_gid(ps, c))
        return false;
    if (ACCEPT(ps, ", txid ")) {
        c->has_xid = true;
        if (!parse_u32(ps, &c->xid))
            return false;
    }
    return parse_timestamp(ps, c);
}

/* "transactional: D prefix: P, sz: N" then " content:" and N bytes, the
 * content being optional only for a streamed transactional message. The
 * prefix is free text, so each ", sz: " in it is tried until the rest of
 * the message fits. */
static bool parse_message(parser *ps, wv_change *c, bool streamed)
{
    if (!EXPECT(ps, "transactional: "))
        return false;
    if (ACCEPT(ps, "1"))
        c->transactional = true;
    else if (!ACCEPT(ps, "0"))
        return fail(ps, "0 or 1 after \"transactional: \"");
    if (!EXPECT(ps, " prefix: "))
        return false;

    /* In raw output a prefix never spans lines: that keeps a message with a
     * wrong size from swallowing the lines after it. */
    const char *prefix = ps->p;
    const char *limit = ps->end;
    if (ps->line) {
        const char *nl = memchr(prefix, '\n', (size_t)(ps->end - prefix));
        if (nl)
            limit = nl;
    }
    for (const char *p = prefix;; p++) {
        p = memchr(p, ',', (size_t)(limit - p));
        if (!p) {
            if (limit != ps->end)
                return fail(ps, "\", sz: N content:\" with N bytes of content after the prefix");
            ps->p = ps->end;
            if (ps->line)
                ps->incomplete = true;
            return fail(ps, "\", sz: N\" after the message prefix");
        }
        parser attempt = *ps;
        attempt.p = p;
        /* Content seen by an earlier, rejected split is not this one's. */
        c->has_content = false;
        c->content = (wv_slice){ NULL, 0 };
        if (!ACCEPT(&attempt, ", sz: ") || !parse_size(&attempt, &c->size)) {
            if (attempt.incomplete) {
                ps->incomplete = true;
                return false;
            }
            continue;
        }
        attempt.failed = false;
        if (ACCEPT(&attempt, " content:")) {
            if ((size_t)(attempt.end - attempt.p) < c->size) {
                if (attempt.line) {
                    ps->incomplete = true;
                    return false;
                }
                continue;
            }
            c->has_content = true;
            c->content.ptr = attempt.p;
            c->content.len = c->size;
            attempt.p += c->size;
        } else if (attempt.incomplete) {
            ps->incomplete = true;
            return false;
        } else if (!streamed || !c->transactional) {
            continue;
        }
        if (at_message_end(&attempt)) {
            c->prefix.ptr = prefix;
            c->prefix.len = (size_t)(p - prefix);
            ps->p = attempt.p;
            return true;
        }
        if (attempt.incomplete) {
            ps->incomplete = true;
            return false;
        }
    }
}

static bool parse_stream(parser *ps, wv_change *c)
{
    if (ACCEPT(ps, "opening a streamed block for transaction")) {
        c->op = WV_OP_STREAM_START;
        return parse_txn(ps, c);
    }
    if (ACCEPT(ps, "closing a streamed block for transaction")) {
        c->op = WV_OP_STREAM_STOP;
        return parse_txn(ps, c);
    }
    if (ACCEPT(ps, "streaming change for")) {
        c->op = WV_OP_STREAM_CHANGE;
        return ACCEPT(ps, " transaction") || parse_txn(ps, c);
    }
    if (ACCEPT(ps, "streaming truncate for")) {
        c->op = WV_OP_STREAM_TRUNCATE;
        return ACCEPT(ps, " transaction") || parse_txn(ps, c);
    }
    if (ACCEPT(ps, "streaming message: ")) {
        c->op = WV_OP_STREAM_MESSAGE;
        return parse_message(ps, c, true);
    }
    if (ACCEPT(ps, "aborting streamed (sub)transaction")) {
        c->op = WV_OP_STREAM_ABORT;
        return parse_txn(ps, c);
    }
    if (ACCEPT(ps, "committing streamed transaction")) {
        c->op = WV_OP_STREAM_COMMIT;
        return parse_txn(ps, c) && parse_timestamp(ps, c);
    }
    if (ACCEPT(ps, "preparing streamed transaction ")) {
        /* With include-xids: "TXN 'gid', txid N"; without: "'gid'". */
        c->op = WV_OP_STREAM_PREPARE;
        bool txn = ACCEPT(ps, "TXN ");
        if (!parse_gid(ps, c))
            return false;
        if (txn) {
            c->has_xid = true;
            if (!EXPECT(ps, ", txid ") || !parse_u32(ps, &c->xid))
                return false;
        }
        return parse_timestamp(ps, c);
    }
    return fail(ps, "a test_decoding message");
}

static bool parse_body(parser *ps, wv_change *c)
{
    if (out_of_input(ps, ps->p))
        return fail(ps, "a test_decoding message");
    switch (*ps->p) {
    case 't':
        if (ACCEPT(ps, "table "))
            return parse_table_change(ps, c);
        break;
    case 'B':
        if (ACCEPT(ps, "BEGIN")) {
            c->op = WV_OP_BEGIN;
            if (ACCEPT(ps, " ")) {
                c->has_xid = true;
                return parse_u32(ps, &c->xid);
            }
            return !ps->incomplete;
        }
        break;
    case 'C':
        if (ACCEPT(ps, "COMMIT PREPARED "))
            return parse_two_phase(ps, c, WV_OP_COMMIT_PREPARED);
        if (ACCEPT(ps, "COMMIT")) {
            c->op = WV_OP_COMMIT;
            if (ps->p < ps->end && *ps->p == ' ' && ps->p + 1 < ps->end && ps->p[1] >= '0' &&
                ps->p[1] <= '9') {
                ps->p++;
                c->has_xid = true;
                if (!parse_u32(ps, &c->xid))
                    return false;
            }
            return parse_timestamp(ps, c);
        }
        break;
    case 'P':
        if (ACCEPT(ps, "PREPARE TRANSACTION "))
            return parse_two_phase(ps, c, WV_OP_PREPARE);
        break;
    case 'R':
        if (ACCEPT(ps, "ROLLBACK PREPARED "))
            return parse_two_phase(ps, c, WV_OP_ROLLBACK_PREPARED);
        break;
    case 'm':
        if (ACCEPT(ps, "message: ")) {
            c->op = WV_OP_MESSAGE;
            return parse_message(ps, c, false);
        }
        break;
    default:
        break;
    }
    if (ps->incomplete)
        return false;
    return parse_stream(ps, c);
}

static wv_decode_status run(wv_decoder *d, const char *buf, size_t len, bool line,
                            wv_change *out, size_t *consumed)
{
    parser ps = { .start = buf, .p = buf, .end = buf + len, .line = line, .d = d };
    memset(out, 0, sizeof *out);
    d->error[0] = '\0';
    bool ok = parse_body(&ps, out);
    if (ok && !at_message_end(&ps))
        ok = fail(&ps, "end of message");
    if (ps.incomplete)
        return WV_DECODE_INCOMPLETE;
    if (!ok) {
        if (!ps.failed)
            fail(&ps, "a test_decoding message");
        return WV_DECODE_ERROR;
    }
    if (consumed)
        *consumed = (size_t)(ps.p - buf) + (line ? 1 : 0);
    return WV_DECODE_OK;
}

wv_decode_status wv_decode_message(wv_decoder *d, const char *buf, size_t len, wv_change *out)
{
    return run(d, buf, len, false, out, NULL);
}

wv_decode_status wv_decode_line(wv_decoder *d, const char *buf, size_t len, wv_change *out,
                                size_t *consumed)
{
    return run(d, buf, len, true, out, consumed);
}

size_t wv_decode_ident(wv_slice s, char *out)
{
    if (s.len < 2 || s.ptr[0] != '"') {
        if (s.len)
            memcpy(out, s.ptr, s.len);
        return s.len;
    }
    size_t n = 0;
    for (size_t i = 1; i + 1 < s.len; i++) {
        out[n++] = s.ptr[i];
        if (s.ptr[i] == '"')
            i++;
    }
    return n;
}

size_t wv_decode_literal(wv_slice s, bool escaped, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        out[n++] = s.ptr[i];
        if (s.ptr[i] == '\'' || (escaped && s.ptr[i] == '\\'))
            i++;
    }
    return n;
}

/* Reads exactly n digits at *p. */
static bool digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= end || **p < '0' || **p > '9')
            return false;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days, inverted). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int wv_decode_timestamp(wv_slice s, int64_t *unix_us)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, os = 0;
    if (!digits(&p, end, 4, &y) || p >= end || *p++ != '-' || !digits(&p, end, 2, &mo) ||
        p >= end || *p++ != '-' || !digits(&p, end, 2, &d) || p >= end || *p++ != ' ' ||
        !digits(&p, end, 2, &h) || p >= end || *p++ != ':' || !digits(&p, end, 2, &mi) ||
        p >= end || *p++ != ':' || !digits(&p, end, 2, &sec))
        return -1;
    if (p < end && *p == '.') {
        int scale = 100000;
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += scale > 0 ? (*p - '0') * scale : 0;
    }
    if (p >= end || (*p != '+' && *p != '-'))
        return -1;
    int sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, end, 2, &oh))
        return -1;
    if (p < end && *p == ':' && (p++, !digits(&p, end, 2, &om)))
        return -1;
    if (p < end && *p == ':' && (p++, !digits(&p, end, 2, &os)))
        return -1;
    if (p != end || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                   sign * (oh * 3600 + om * 60 + os);
    *unix_us = secs * 1000000 + frac;
    return 0;
}

/* One line of display text for a message: newlines and tabs shown as \n
 * and \t, cut at max bytes. */
void wv_display_line(wv_slice text, char *out, size_t max)
{
    size_t n = 0, i = 0;
    for (; i < text.len && n + 3 < max; i++) {
        char c = text.ptr[i];
        if (c == '\n' || c == '\t' || c == '\r') {
            out[n++] = '\\';
            out[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else {
            out[n++] = (unsigned char)c < 0x20 ? '?' : c;
        }
    }
    /* cut short: not inside a UTF-8 sequence (its bytes were copied as they are) */
    while (i < text.len && n > 0 && (unsigned char)out[n - 1] >= 0x80 &&
           ((unsigned char)text.ptr[i] & 0xc0) == 0x80) {
        i--;
        n--;
    }
    out[n] = '\0';
}

/* A column's name, unquoted. */
void wv_column_name(const wv_column *col, char *out, size_t max)
{
    char name[128];
    size_t nl = col->name.len < sizeof name ? col->name.len : sizeof name - 1;
    nl = wv_decode_ident((wv_slice){ col->name.ptr, nl }, name);
    if (nl >= max)
        nl = max - 1;
    memcpy(out, name, nl);
    out[nl] = '\0';
}

size_t wv_column_raw(const wv_column *col, char *out)
{
    size_t n = col->kind == WV_VAL_BARE ? (memcpy(out, col->value.ptr, col->value.len), col->value.len)
                                        : wv_decode_literal(col->value, false, out);
    out[n] = '\0';
    return n;
}

/* A column's value, unquoted, newlines shown as \n. */
void wv_column_value(const wv_column *col, char *out, size_t max)
{
    if (col->kind == WV_VAL_NULL) {
        snprintf(out, max, "null");
    } else if (col->kind == WV_VAL_TOAST) {
        snprintf(out, max, "(unchanged)");
    } else {
        char raw[256];
        size_t vl = col->value.len < sizeof raw - 1 ? col->value.len : sizeof raw - 1;
        if (col->kind == WV_VAL_BARE) {
            memcpy(raw, col->value.ptr, vl);
        } else {
            while (vl > 0 && col->value.ptr[vl - 1] == '\'' && vl < col->value.len)
                vl--; /* never cut between a doubled quote */
            vl = wv_decode_literal((wv_slice){ col->value.ptr, vl }, false, raw);
        }
        wv_display_line((wv_slice){ raw, vl }, out, max);
    }
}

/* The tuple that holds a change's row (new, else old). */
const wv_tuple *wv_change_row(const wv_change *c)
{
    return c->new_tuple.present ? &c->new_tuple : &c->old_tuple;
}
