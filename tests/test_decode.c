/* Unit tests for the test_decoding parser (src/core/decode.c).
 *
 * Every message that should parse goes through decode_ok(), which checks it
 * three ways: as a whole message (wv_decode_message); as a line of raw
 * output followed by the next message (wv_decode_line must consume exactly
 * the message and its newline and give the same record); and cut at every
 * byte before its newline, where line mode must ask for more input
 * (INCOMPLETE) rather than fail, since a read can end anywhere. Each cut is
 * copied into an allocation of its own size so that the address sanitizer
 * catches a parser that reads past the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"

typedef struct fixture {
    wv_decoder *whole; /* wv_decode_message */
    wv_decoder *line;  /* wv_decode_line on the same text */
    wv_decoder *cut;   /* wv_decode_line on truncated copies */
} fixture;

static int group_setup(void **state)
{
    fixture *fx = wv_xcalloc(1, sizeof *fx);
    fx->whole = wv_decode_new();
    fx->line = wv_decode_new();
    fx->cut = wv_decode_new();
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    wv_decode_free(fx->whole);
    wv_decode_free(fx->line);
    wv_decode_free(fx->cut);
    free(fx);
    return 0;
}

/* ---- helpers that report expected and actual values ---- */

/* Bytes made printable for a failure message, cut after 160 bytes. */
static const char *show(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    if (!p) {
        snprintf(out, cap, "(null)");
        return out;
    }
    for (size_t i = 0; i < n && k + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (i == 160) {
            k += (size_t)snprintf(out + k, cap - k, "...");
            break;
        }
        if (c == '\n')
            k += (size_t)snprintf(out + k, cap - k, "\\n");
        else if (c == '\t')
            k += (size_t)snprintf(out + k, cap - k, "\\t");
        else if (c < 0x20 || c == 0x7f)
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
        else
            out[k++] = (char)c;
    }
    out[k] = '\0';
    return out;
}

static const char *status_name(wv_decode_status st)
{
    switch (st) {
    case WV_DECODE_OK: return "OK";
    case WV_DECODE_INCOMPLETE: return "INCOMPLETE";
    case WV_DECODE_ERROR: return "ERROR";
    }
    return "?";
}

static const char *kind_name(wv_value_kind k)
{
    switch (k) {
    case WV_VAL_NULL: return "NULL";
    case WV_VAL_TOAST: return "TOAST";
    case WV_VAL_BARE: return "BARE";
    case WV_VAL_QUOTED: return "QUOTED";
    case WV_VAL_BITS: return "BITS";
    }
    return "?";
}

static void assert_slice_at(wv_slice s, const char *want, size_t wantlen, const char *file,
                            int line)
{
    if (s.ptr && s.len == wantlen && memcmp(s.ptr, want, wantlen) == 0)
        return;
    char a[600], b[600];
    print_error("slice is \"%s\" (%zu bytes), expected \"%s\" (%zu bytes)\n",
                   show(s.ptr, s.len, a, sizeof a), s.len, show(want, wantlen, b, sizeof b),
                   wantlen);
    _fail(file, line);
}

/* lit must be a string literal; it may hold NUL bytes. */
#define assert_slice(s, lit) assert_slice_at((s), "" lit, sizeof(lit) - 1, __FILE__, __LINE__)
#define assert_op(c, name) assert_string_equal(wv_op_name((c).op), (name))
#define assert_absent(s) assert_slice_absent_at((s), __FILE__, __LINE__)

static void assert_slice_absent_at(wv_slice s, const char *file, int line)
{
    if (!s.ptr && s.len == 0)
        return;
    char a[600];
    print_error("slice is \"%s\" (%zu bytes), expected absent (NULL)\n",
                   show(s.ptr, s.len, a, sizeof a), s.len);
    _fail(file, line);
}

/* Column i of t: name and type as printed; val NULL for null and toast. */
static void assert_col_at(const wv_tuple *t, size_t i, const char *name, const char *type,
                          wv_value_kind kind, const char *val, const char *file, int line)
{
    if (!t->present || i >= t->ncols) {
        print_error("tuple has %zu columns (present %d), expected column %zu\n", t->ncols,
                       (int)t->present, i);
        _fail(file, line);
    }
    const wv_column *c = &t->cols[i];
    assert_slice_at(c->name, name, strlen(name), file, line);
    assert_slice_at(c->type, type, strlen(type), file, line);
    if (c->kind != kind) {
        print_error("column %zu kind is %s, expected %s\n", i, kind_name(c->kind),
                       kind_name(kind));
        _fail(file, line);
    }
    if (val)
        assert_slice_at(c->value, val, strlen(val), file, line);
    else
        assert_slice_absent_at(c->value, file, line);
}

#define assert_col(t, i, name, type, kind, val) \
    assert_col_at(&(t), (i), (name), (type), (kind), (val), __FILE__, __LINE__)

static bool slice_same(wv_slice a, wv_slice b)
{
    if (!a.ptr || !b.ptr)
        return a.ptr == b.ptr && a.len == b.len;
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static void same_slice_at(const char *field, wv_slice a, wv_slice b, const char *file, int line)
{
    if (slice_same(a, b))
        return;
    char x[600], y[600];
    print_error("line mode gave %s \"%s\", whole-message mode \"%s\"\n", field,
                   show(b.ptr, b.len, y, sizeof y), show(a.ptr, a.len, x, sizeof x));
    _fail(file, line);
}

static void same_int_at(const char *field, long long a, long long b, const char *file, int line)
{
    if (a == b)
        return;
    print_error("line mode gave %s %lld, whole-message mode %lld\n", field, b, a);
    _fail(file, line);
}

static void same_tuple_at(const char *which, const wv_tuple *a, const wv_tuple *b,
                          const char *file, int line)
{
    same_int_at(which, a->present, b->present, file, line);
    same_int_at("column count", (long long)a->ncols, (long long)b->ncols, file, line);
    for (size_t i = 0; i < a->ncols; i++) {
        same_slice_at("column name", a->cols[i].name, b->cols[i].name, file, line);
        same_slice_at("column type", a->cols[i].type, b->cols[i].type, file, line);
        same_slice_at("column value", a->cols[i].value, b->cols[i].value, file, line);
        same_int_at("value kind", a->cols[i].kind, b->cols[i].kind, file, line);
    }
}

/* The record line mode made must match the whole-message one. */
static void same_change_at(const wv_change *a, const wv_change *b, const char *file, int line)
{
    same_int_at("op", a->op, b->op, file, line);
    same_int_at("has_xid", a->has_xid, b->has_xid, file, line);
    same_int_at("xid", a->xid, b->xid, file, line);
    same_slice_at("timestamp", a->timestamp, b->timestamp, file, line);
    same_slice_at("gid", a->gid, b->gid, file, line);
    same_int_at("gid_escaped", a->gid_escaped, b->gid_escaped, file, line);
    same_slice_at("schema", a->rel.schema, b->rel.schema, file, line);
    same_slice_at("table", a->rel.table, b->rel.table, file, line);
    same_tuple_at("old tuple present", &a->old_tuple, &b->old_tuple, file, line);
    same_tuple_at("new tuple present", &a->new_tuple, &b->new_tuple, file, line);
    same_int_at("ntables", (long long)a->ntables, (long long)b->ntables, file, line);
    for (size_t i = 0; i < a->ntables; i++) {
        same_slice_at("truncated schema", a->tables[i].schema, b->tables[i].schema, file, line);
        same_slice_at("truncated table", a->tables[i].table, b->tables[i].table, file, line);
    }
    same_int_at("restart_seqs", a->restart_seqs, b->restart_seqs, file, line);
    same_int_at("cascade", a->cascade, b->cascade, file, line);
    same_int_at("transactional", a->transactional, b->transactional, file, line);
    same_slice_at("prefix", a->prefix, b->prefix, file, line);
    same_int_at("size", (long long)a->size, (long long)b->size, file, line);
    same_int_at("has_content", a->has_content, b->has_content, file, line);
    same_slice_at("content", a->content, b->content, file, line);
}

static const char next_message[] = "\nBEGIN 7\n";

/* Line mode on text[0..m) copied to an allocation of exactly m bytes. */
static wv_decode_status line_on_cut(wv_decoder *d, const char *text, size_t m, size_t *used)
{
    char *cut = wv_xmalloc(m);
    if (m)
        memcpy(cut, text, m);
    wv_change c;
    wv_decode_status st = wv_decode_line(d, cut, m, &c, used);
    free(cut);
    return st;
}

/* Decodes text[0..len) (see the top of the file); *c points into text and
 * into fx->whole. cut_stride 1 tries every cut, more skips some. */
static void decode_ok_at(fixture *fx, const char *text, size_t len, size_t cut_stride,
                         wv_change *c, const char *file, int line)
{
    char a[600];
    wv_decode_status st = wv_decode_message(fx->whole, text, len, c);
    if (st != WV_DECODE_OK) {
        print_error("wv_decode_message: %s (%s) for \"%s\", expected OK\n", status_name(st),
                       wv_decode_error(fx->whole), show(text, len, a, sizeof a));
        _fail(file, line);
    }

    size_t blen = len + sizeof next_message - 1;
    char *buf = wv_xmalloc(blen);
    memcpy(buf, text, len);
    memcpy(buf + len, next_message, sizeof next_message - 1);
    wv_change lc;
    size_t used = 0;
    st = wv_decode_line(fx->line, buf, blen, &lc, &used);
    if (st != WV_DECODE_OK || used != len + 1) {
        print_error("wv_decode_line: %s (%s), consumed %zu, for \"%s\"; expected OK, "
                       "consumed %zu\n",
                       status_name(st), wv_decode_error(fx->line), used,
                       show(buf, blen, a, sizeof a), len + 1);
        _fail(file, line);
    }
    same_change_at(c, &lc, file, line);

    for (size_t m = 0; m <= len; m += (m + cut_stride > len && m < len) ? len - m : cut_stride) {
        st = line_on_cut(fx->cut, buf, m, &used);
        if (st != WV_DECODE_INCOMPLETE) {
            print_error("wv_decode_line on the first %zu of %zu bytes: %s (%s), expected "
                           "INCOMPLETE; input \"%s\"\n",
                           m, len + 1, status_name(st), wv_decode_error(fx->cut),
                           show(buf, m, a, sizeof a));
            _fail(file, line);
        }
    }
    /* With the newline and nothing after it, the message is complete. */
    st = line_on_cut(fx->cut, buf, len + 1, &used);
    if (st != WV_DECODE_OK || used != len + 1) {
        print_error("wv_decode_line on the message and its newline alone: %s, consumed %zu\n",
                       status_name(st), used);
        _fail(file, line);
    }
    free(buf);
}

#define decode_ok(fx, lit, c) decode_ok_at((fx), "" lit, sizeof(lit) - 1, 1, (c), __FILE__, __LINE__)

/* Whole-message decode that must fail with an error containing want. */
static void decode_error_at(fixture *fx, const char *text, size_t len, const char *want,
                            const char *file, int line)
{
    char a[600];
    wv_change c;
    wv_decode_status st = wv_decode_message(fx->whole, text, len, &c);
    const char *err = wv_decode_error(fx->whole);
    if (st != WV_DECODE_ERROR || !strstr(err, want) || strncmp(err, "expected ", 9) != 0) {
        print_error("wv_decode_message(\"%s\"): %s, error \"%s\"; expected ERROR with an "
                       "error starting \"expected \" and containing \"%s\"\n",
                       show(text, len, a, sizeof a), status_name(st), err, want);
        _fail(file, line);
    }
}

#define decode_error(fx, lit, want) \
    decode_error_at((fx), "" lit, sizeof(lit) - 1, (want), __FILE__, __LINE__)

/* ---- transaction boundaries ---- */

static void test_begin(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "BEGIN", &c);
    assert_op(c, "BEGIN");
    assert_false(c.has_xid);
    assert_absent(c.timestamp);

    decode_ok(fx, "BEGIN 529", &c);
    assert_op(c, "BEGIN");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 529);

    decode_ok(fx, "BEGIN 4294967295", &c);
    assert_int_equal(c.xid, 4294967295u);
}

static void test_commit(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "COMMIT", &c);
    assert_op(c, "COMMIT");
    assert_false(c.has_xid);
    assert_absent(c.timestamp);

    decode_ok(fx, "COMMIT 529", &c);
    assert_op(c, "COMMIT");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 529);
    assert_absent(c.timestamp);

    decode_ok(fx, "COMMIT 529 (at 2024-01-01 10:00:00.123456+00)", &c);
    assert_op(c, "COMMIT");
    assert_int_equal(c.xid, 529);
    assert_slice(c.timestamp, "2024-01-01 10:00:00.123456+00");

    decode_ok(fx, "COMMIT (at 2024-01-01 10:00:00.1+00)", &c);
    assert_op(c, "COMMIT");
    assert_false(c.has_xid);
    assert_slice(c.timestamp, "2024-01-01 10:00:00.1+00");

    /* A time zone with minutes, no fraction. */
    decode_ok(fx, "COMMIT 7 (at 2024-06-30 23:59:59+05:30)", &c);
    assert_slice(c.timestamp, "2024-06-30 23:59:59+05:30");
}

/* ---- table changes ---- */

static void test_insert(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "table public.data: INSERT: id[integer]:1 data[text]:'arg'", &c);
    assert_op(c, "INSERT");
    assert_false(c.has_xid);
    assert_slice(c.rel.schema, "public");
    assert_slice(c.rel.table, "data");
    assert_false(c.old_tuple.present);
    assert_true(c.new_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 2);
    assert_col(c.new_tuple, 0, "id", "integer", WV_VAL_BARE, "1");
    assert_col(c.new_tuple, 1, "data", "text", WV_VAL_QUOTED, "arg");

    decode_ok(fx, "table public.data: INSERT: (no-tuple-data)", &c);
    assert_op(c, "INSERT");
    assert_false(c.new_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 0);

    /* A table without columns prints nothing after the colon. */
    decode_ok(fx, "table public.empty: INSERT:", &c);
    assert_op(c, "INSERT");
    assert_true(c.new_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 0);
}

static void test_types(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx,
              "table public.t: INSERT: a[character varying]:'x' "
              "b[timestamp with time zone]:'2024-01-01 10:00:00+00' c[integer[]]:'{1,2,3}' "
              "d[public.mood]:'happy' e[\"MyType\"]:'(1,2)' f[public.\"My]:Type\"]:'y' "
              "g[double precision]:1.5 h[numeric]:3.14 i[text[]]:'{\"a b\",c}' "
              "j[timestamp without time zone[]]:'{}'",
              &c);
    assert_int_equal(c.new_tuple.ncols, 10);
    assert_col(c.new_tuple, 0, "a", "character varying", WV_VAL_QUOTED, "x");
    assert_col(c.new_tuple, 1, "b", "timestamp with time zone", WV_VAL_QUOTED,
               "2024-01-01 10:00:00+00");
    assert_col(c.new_tuple, 2, "c", "integer[]", WV_VAL_QUOTED, "{1,2,3}");
    assert_col(c.new_tuple, 3, "d", "public.mood", WV_VAL_QUOTED, "happy");
    assert_col(c.new_tuple, 4, "e", "\"MyType\"", WV_VAL_QUOTED, "(1,2)");
    assert_col(c.new_tuple, 5, "f", "public.\"My]:Type\"", WV_VAL_QUOTED, "y");
    assert_col(c.new_tuple, 6, "g", "double precision", WV_VAL_BARE, "1.5");
    assert_col(c.new_tuple, 7, "h", "numeric", WV_VAL_BARE, "3.14");
    assert_col(c.new_tuple, 8, "i", "text[]", WV_VAL_QUOTED, "{\"a b\",c}");
    assert_col(c.new_tuple, 9, "j", "timestamp without time zone[]", WV_VAL_QUOTED, "{}");
}

static void test_bare_values(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx,
              "table public.n: INSERT: a[integer]:-1 b[double precision]:1e-10 c[numeric]:NaN "
              "d[double precision]:Infinity e[real]:-Infinity f[boolean]:true g[boolean]:false "
              "h[bigint]:9223372036854775807 i[oid]:0",
              &c);
    assert_int_equal(c.new_tuple.ncols, 9);
    assert_col(c.new_tuple, 0, "a", "integer", WV_VAL_BARE, "-1");
    assert_col(c.new_tuple, 1, "b", "double precision", WV_VAL_BARE, "1e-10");
    assert_col(c.new_tuple, 2, "c", "numeric", WV_VAL_BARE, "NaN");
    assert_col(c.new_tuple, 3, "d", "double precision", WV_VAL_BARE, "Infinity");
    assert_col(c.new_tuple, 4, "e", "real", WV_VAL_BARE, "-Infinity");
    assert_col(c.new_tuple, 5, "f", "boolean", WV_VAL_BARE, "true");
    assert_col(c.new_tuple, 6, "g", "boolean", WV_VAL_BARE, "false");
    assert_col(c.new_tuple, 7, "h", "bigint", WV_VAL_BARE, "9223372036854775807");
    assert_col(c.new_tuple, 8, "i", "oid", WV_VAL_BARE, "0");
}

static void test_null_toast_bits(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx,
              "table public.n: UPDATE: a[integer]:null b[text]:unchanged-toast-datum "
              "c[bit]:B'0101' d[bit varying]:B'' e[text]:'null' f[text]:'B''0'",
              &c);
    assert_op(c, "UPDATE");
    assert_false(c.old_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 6);
    assert_col(c.new_tuple, 0, "a", "integer", WV_VAL_NULL, NULL);
    assert_col(c.new_tuple, 1, "b", "text", WV_VAL_TOAST, NULL);
    assert_col(c.new_tuple, 2, "c", "bit", WV_VAL_BITS, "0101");
    assert_col(c.new_tuple, 3, "d", "bit varying", WV_VAL_BITS, "");
    /* The word null in quotes is text, not a NULL. */
    assert_col(c.new_tuple, 4, "e", "text", WV_VAL_QUOTED, "null");
    assert_col(c.new_tuple, 5, "f", "text", WV_VAL_QUOTED, "B''0");
}

static void test_quoted_values(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx,
              "table public.q: INSERT: a[text]:'it''s' b[text]:'' c[text]:'''' "
              "d[text]:'line1\nline2\r\n' e[text]:'tab\there' f[text]:'C:\\dir\\' "
              "g[text]:'h\xc3\xa9llo \xe2\x9c\x93' h[text]:' x[text]:''y'' ' "
              "i[text]:'new-tuple: old-key:'",
              &c);
    assert_int_equal(c.new_tuple.ncols, 9);
    assert_col(c.new_tuple, 0, "a", "text", WV_VAL_QUOTED, "it''s");
    assert_col(c.new_tuple, 1, "b", "text", WV_VAL_QUOTED, "");
    assert_col(c.new_tuple, 2, "c", "text", WV_VAL_QUOTED, "''");
    assert_col(c.new_tuple, 3, "d", "text", WV_VAL_QUOTED, "line1\nline2\r\n");
    assert_col(c.new_tuple, 4, "e", "text", WV_VAL_QUOTED, "tab\there");
    /* Backslashes are not escaped by the plugin. */
    assert_col(c.new_tuple, 5, "f", "text", WV_VAL_QUOTED, "C:\\dir\\");
    assert_col(c.new_tuple, 6, "g", "text", WV_VAL_QUOTED, "h\xc3\xa9llo \xe2\x9c\x93");
    /* Text that looks like another column stays inside the value. */
    assert_col(c.new_tuple, 7, "h", "text", WV_VAL_QUOTED, " x[text]:''y'' ");
    assert_col(c.new_tuple, 8, "i", "text", WV_VAL_QUOTED, "new-tuple: old-key:");

    char out[32];
    size_t n = wv_decode_literal(c.new_tuple.cols[0].value, false, out);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "it's", 4);
    n = wv_decode_literal(c.new_tuple.cols[2].value, false, out);
    assert_int_equal(n, 1);
    assert_memory_equal(out, "'", 1);
    n = wv_decode_literal(c.new_tuple.cols[1].value, false, out);
    assert_int_equal(n, 0);
}

static void test_update_old_key(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx,
              "table public.t: UPDATE: old-key: id[integer]:1 name[text]:'a new-tuple: b' "
              "new-tuple: id[integer]:2 name[text]:'c'",
              &c);
    assert_op(c, "UPDATE");
    assert_true(c.old_tuple.present);
    assert_int_equal(c.old_tuple.ncols, 2);
    assert_col(c.old_tuple, 0, "id", "integer", WV_VAL_BARE, "1");
    assert_col(c.old_tuple, 1, "name", "text", WV_VAL_QUOTED, "a new-tuple: b");
    assert_true(c.new_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 2);
    assert_col(c.new_tuple, 0, "id", "integer", WV_VAL_BARE, "2");
    assert_col(c.new_tuple, 1, "name", "text", WV_VAL_QUOTED, "c");

    /* Old tuples omit NULL columns, so an old key can be empty. */
    decode_ok(fx, "table public.t: UPDATE: old-key: new-tuple: id[integer]:2", &c);
    assert_true(c.old_tuple.present);
    assert_int_equal(c.old_tuple.ncols, 0);
    assert_int_equal(c.new_tuple.ncols, 1);

    decode_ok(fx, "table public.t: UPDATE: old-key: id[integer]:1 new-tuple: (no-tuple-data)",
              &c);
    assert_int_equal(c.old_tuple.ncols, 1);
    assert_false(c.new_tuple.present);

    decode_ok(fx, "table public.t: UPDATE: id[integer]:3 v[text]:unchanged-toast-datum", &c);
    assert_false(c.old_tuple.present);
    assert_int_equal(c.new_tuple.ncols, 2);
    assert_col(c.new_tuple, 1, "v", "text", WV_VAL_TOAST, NULL);

    decode_ok(fx, "table public.t: UPDATE: (no-tuple-data)", &c);
    assert_op(c, "UPDATE");
    assert_false(c.old_tuple.present);
    assert_false(c.new_tuple.present);
}

static void test_delete(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "table public.t: DELETE: id[integer]:1", &c);
    assert_op(c, "DELETE");
    assert_true(c.old_tuple.present);
    assert_false(c.new_tuple.present);
    assert_int_equal(c.old_tuple.ncols, 1);
    assert_col(c.old_tuple, 0, "id", "integer", WV_VAL_BARE, "1");

    /* REPLICA IDENTITY FULL: the whole row, NULLs left out. */
    decode_ok(fx, "table public.t: DELETE: id[integer]:1 a[text]:'x' b[boolean]:false", &c);
    assert_int_equal(c.old_tuple.ncols, 3);
    assert_col(c.old_tuple, 2, "b", "boolean", WV_VAL_BARE, "false");

    decode_ok(fx, "table public.nokey: DELETE: (no-tuple-data)", &c);
    assert_op(c, "DELETE");
    assert_false(c.old_tuple.present);
    assert_false(c.new_tuple.present);
}

static void test_quoted_identifiers(void **state)
{
    fixture *fx = *state;
    wv_change c;
    char out[64];

    decode_ok(fx,
              "table \"My Schema\".\"Weird\"\"Table\": INSERT: \"a]:b c.d\"[text]:'v' "
              "\"Id\"[integer]:1 \"select\"[text]:null \"\"\"\"[text]:'q' \"a\"\"\"[integer]:2",
              &c);
    assert_op(c, "INSERT");
    assert_slice(c.rel.schema, "\"My Schema\"");
    assert_slice(c.rel.table, "\"Weird\"\"Table\"");
    assert_int_equal(c.new_tuple.ncols, 5);
    assert_col(c.new_tuple, 0, "\"a]:b c.d\"", "text", WV_VAL_QUOTED, "v");
    assert_col(c.new_tuple, 1, "\"Id\"", "integer", WV_VAL_BARE, "1");
    assert_col(c.new_tuple, 2, "\"select\"", "text", WV_VAL_NULL, NULL);
    assert_col(c.new_tuple, 3, "\"\"\"\"", "text", WV_VAL_QUOTED, "q");
    assert_col(c.new_tuple, 4, "\"a\"\"\"", "integer", WV_VAL_BARE, "2");

    size_t n = wv_decode_ident(c.rel.schema, out);
    assert_int_equal(n, 9);
    assert_memory_equal(out, "My Schema", 9);
    n = wv_decode_ident(c.rel.table, out);
    assert_int_equal(n, 11);
    assert_memory_equal(out, "Weird\"Table", 11);
    n = wv_decode_ident(c.new_tuple.cols[0].name, out);
    assert_int_equal(n, 8);
    assert_memory_equal(out, "a]:b c.d", 8);
    n = wv_decode_ident(c.new_tuple.cols[3].name, out);
    assert_int_equal(n, 1);
    assert_memory_equal(out, "\"", 1);
    n = wv_decode_ident(c.new_tuple.cols[4].name, out);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "a\"", 2);

    /* A dot, comma or colon inside a quoted table name. */
    decode_ok(fx, "table public.\"a.b, c: d\": DELETE: (no-tuple-data)", &c);
    assert_slice(c.rel.schema, "public");
    assert_slice(c.rel.table, "\"a.b, c: d\"");
}

static void test_truncate(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "table public.a: TRUNCATE: restart_seqs", &c);
    assert_op(c, "TRUNCATE");
    assert_int_equal(c.ntables, 1);
    assert_slice(c.tables[0].schema, "public");
    assert_slice(c.tables[0].table, "a");
    assert_true(c.restart_seqs);
    assert_false(c.cascade);

    decode_ok(fx, "table public.a, public.b, \"S, T\".\"x: y\": TRUNCATE: cascade", &c);
    assert_op(c, "TRUNCATE");
    assert_int_equal(c.ntables, 3);
    assert_slice(c.tables[0].table, "a");
    assert_slice(c.tables[1].schema, "public");
    assert_slice(c.tables[1].table, "b");
    assert_slice(c.tables[2].schema, "\"S, T\"");
    assert_slice(c.tables[2].table, "\"x: y\"");
    assert_false(c.restart_seqs);
    assert_true(c.cascade);

    decode_ok(fx, "table public.a, public.b: TRUNCATE: restart_seqs cascade", &c);
    assert_int_equal(c.ntables, 2);
    assert_true(c.restart_seqs);
    assert_true(c.cascade);

    decode_ok(fx, "table public.a: TRUNCATE: (no-flags)", &c);
    assert_op(c, "TRUNCATE");
    assert_int_equal(c.ntables, 1);
    assert_false(c.restart_seqs);
    assert_false(c.cascade);
}

/* A wide row grows the column arrays; the next narrow one must not see
 * the old columns, nor an old tuple from the message before. */
static void test_decoder_reuse(void **state)
{
    fixture *fx = *state;
    wv_change c;
    char msg[4096];
    size_t n = (size_t)snprintf(msg, sizeof msg, "table public.wide: UPDATE: old-key:");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, " k%d[integer]:%d", i, i);
    n += (size_t)snprintf(msg + n, sizeof msg - n, " new-tuple:");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, " c%d[text]:'%d'", i, i);
    decode_ok_at(fx, msg, n, 7, &c, __FILE__, __LINE__);
    assert_int_equal(c.old_tuple.ncols, 40);
    assert_int_equal(c.new_tuple.ncols, 70);
    assert_col(c.old_tuple, 39, "k39", "integer", WV_VAL_BARE, "39");
    assert_col(c.new_tuple, 69, "c69", "text", WV_VAL_QUOTED, "69");

    decode_ok(fx, "table public.narrow: INSERT: x[integer]:5", &c);
    assert_false(c.old_tuple.present);
    assert_int_equal(c.old_tuple.ncols, 0);
    assert_int_equal(c.new_tuple.ncols, 1);
    assert_col(c.new_tuple, 0, "x", "integer", WV_VAL_BARE, "5");
}

/* ---- logical messages ---- */

static void test_message(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "message: transactional: 1 prefix: test, sz: 5 content:hello", &c);
    assert_op(c, "MESSAGE");
    assert_true(c.transactional);
    assert_slice(c.prefix, "test");
    assert_int_equal(c.size, 5);
    assert_true(c.has_content);
    assert_slice(c.content, "hello");

    decode_ok(fx, "message: transactional: 0 prefix: walviz, sz: 0 content:", &c);
    assert_false(c.transactional);
    assert_slice(c.prefix, "walviz");
    assert_int_equal(c.size, 0);
    assert_true(c.has_content);
    assert_slice(c.content, "");

    decode_ok(fx, "message: transactional: 1 prefix: , sz: 1 content: ", &c);
    assert_slice(c.prefix, "");
    assert_slice(c.content, " ");
}

static void test_message_content(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "message: transactional: 0 prefix: p, sz: 11 content:one\ntwo\n\nx\n", &c);
    assert_slice(c.content, "one\ntwo\n\nx\n");

    decode_ok(fx, "message: transactional: 1 prefix: p, sz: 5 content:a\0b\0\n", &c);
    assert_int_equal(c.size, 5);
    assert_slice(c.content, "a\0b\0\n");

    /* Content that looks like the next output line. */
    decode_ok(fx, "message: transactional: 1 prefix: p, sz: 9 content:x\nBEGIN 5", &c);
    assert_slice(c.prefix, "p");
    assert_slice(c.content, "x\nBEGIN 5");

    decode_ok(fx,
              "message: transactional: 1 prefix: p, sz: 38 content:\ntable public.t: INSERT: "
              "a[integer]:1\n",
              &c);
    assert_slice(c.content, "\ntable public.t: INSERT: a[integer]:1\n");

    /* Content holding what looks like a size and content of its own. */
    decode_ok(fx, "message: transactional: 0 prefix: p, sz: 16 content:, sz: 2 content:", &c);
    assert_slice(c.prefix, "p");
    assert_int_equal(c.size, 16);
    assert_slice(c.content, ", sz: 2 content:");
}

static void test_message_prefix_with_sz(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "message: transactional: 1 prefix: a, sz: 3, sz: 2 content:xy", &c);
    assert_slice(c.prefix, "a, sz: 3");
    assert_int_equal(c.size, 2);
    assert_slice(c.content, "xy");

    /* The first ", sz: N content:" in the prefix fits the size but not the
     * end of the message; the next one does. */
    decode_ok(fx, "message: transactional: 1 prefix: a, sz: 1 content:b, sz: 5 content:hello",
              &c);
    assert_slice(c.prefix, "a, sz: 1 content:b");
    assert_int_equal(c.size, 5);
    assert_slice(c.content, "hello");

    decode_ok(fx, "message: transactional: 0 prefix: , sz: , sz: x, sz: 1 content:\n", &c);
    assert_slice(c.prefix, ", sz: , sz: x");
    assert_slice(c.content, "\n");
}

/* ---- two-phase commit ---- */

static void test_two_phase(void **state)
{
    fixture *fx = *state;
    wv_change c;
    char out[64];

    decode_ok(fx, "PREPARE TRANSACTION 'test_prepared1'", &c);
    assert_op(c, "PREPARE");
    assert_slice(c.gid, "test_prepared1");
    assert_false(c.gid_escaped);
    assert_false(c.has_xid);
    assert_absent(c.timestamp);

    decode_ok(fx, "PREPARE TRANSACTION 'test_prepared1', txid 531", &c);
    assert_op(c, "PREPARE");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 531);
    assert_absent(c.timestamp);

    decode_ok(fx, "PREPARE TRANSACTION 'g', txid 531 (at 2024-01-01 10:00:00.5+00)", &c);
    assert_int_equal(c.xid, 531);
    assert_slice(c.timestamp, "2024-01-01 10:00:00.5+00");

    decode_ok(fx, "PREPARE TRANSACTION 'g' (at 2024-01-01 10:00:00+00)", &c);
    assert_false(c.has_xid);
    assert_slice(c.timestamp, "2024-01-01 10:00:00+00");

    decode_ok(fx, "COMMIT PREPARED 'test_prepared1', txid 531", &c);
    assert_op(c, "COMMIT PREPARED");
    assert_slice(c.gid, "test_prepared1");
    assert_int_equal(c.xid, 531);

    decode_ok(fx, "COMMIT PREPARED 'g' (at 2024-01-01 10:00:01+00)", &c);
    assert_op(c, "COMMIT PREPARED");
    assert_false(c.has_xid);
    assert_slice(c.timestamp, "2024-01-01 10:00:01+00");

    decode_ok(fx, "ROLLBACK PREPARED 'test_prepared2'", &c);
    assert_op(c, "ROLLBACK PREPARED");
    assert_slice(c.gid, "test_prepared2");
    assert_false(c.has_xid);

    decode_ok(fx, "ROLLBACK PREPARED 'g', txid 9 (at 2024-01-01 10:00:02+00)", &c);
    assert_op(c, "ROLLBACK PREPARED");
    assert_int_equal(c.xid, 9);
    assert_slice(c.timestamp, "2024-01-01 10:00:02+00");

    /* quote_literal_cstr: '' for a quote, E'..' with \\ for a backslash. */
    decode_ok(fx, "PREPARE TRANSACTION 'it''s, txid 5', txid 6", &c);
    assert_slice(c.gid, "it''s, txid 5");
    assert_int_equal(c.xid, 6);
    size_t n = wv_decode_literal(c.gid, c.gid_escaped, out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "it's, txid 5", 12);

    decode_ok(fx, "PREPARE TRANSACTION E'a\\\\b''c\\\\', txid 7", &c);
    assert_true(c.gid_escaped);
    assert_slice(c.gid, "a\\\\b''c\\\\");
    n = wv_decode_literal(c.gid, c.gid_escaped, out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "a\\b'c\\", 6);

    decode_ok(fx, "COMMIT PREPARED E'\\\\''' (at 2024-01-01 10:00:00+00)", &c);
    assert_true(c.gid_escaped);
    assert_slice(c.gid, "\\\\''");
    n = wv_decode_literal(c.gid, true, out);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\\'", 2);
}

/* ---- streaming ---- */

static void test_stream_blocks(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "opening a streamed block for transaction TXN 503", &c);
    assert_op(c, "STREAM START");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 503);

    decode_ok(fx, "opening a streamed block for transaction", &c);
    assert_op(c, "STREAM START");
    assert_false(c.has_xid);

    decode_ok(fx, "closing a streamed block for transaction TXN 503", &c);
    assert_op(c, "STREAM STOP");
    assert_int_equal(c.xid, 503);

    decode_ok(fx, "closing a streamed block for transaction", &c);
    assert_op(c, "STREAM STOP");
    assert_false(c.has_xid);

    decode_ok(fx, "streaming change for TXN 503", &c);
    assert_op(c, "STREAM CHANGE");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 503);

    decode_ok(fx, "streaming change for transaction", &c);
    assert_op(c, "STREAM CHANGE");
    assert_false(c.has_xid);

    decode_ok(fx, "streaming truncate for TXN 504", &c);
    assert_op(c, "STREAM TRUNCATE");
    assert_int_equal(c.xid, 504);

    decode_ok(fx, "streaming truncate for transaction", &c);
    assert_op(c, "STREAM TRUNCATE");
    assert_false(c.has_xid);

    decode_ok(fx, "aborting streamed (sub)transaction TXN 505", &c);
    assert_op(c, "STREAM ABORT");
    assert_int_equal(c.xid, 505);

    decode_ok(fx, "aborting streamed (sub)transaction", &c);
    assert_op(c, "STREAM ABORT");
    assert_false(c.has_xid);
}

static void test_stream_message(void **state)
{
    fixture *fx = *state;
    wv_change c;

    /* Transactional: size but no content. */
    decode_ok(fx, "streaming message: transactional: 1 prefix: test, sz: 14", &c);
    assert_op(c, "STREAM MESSAGE");
    assert_true(c.transactional);
    assert_slice(c.prefix, "test");
    assert_int_equal(c.size, 14);
    assert_false(c.has_content);
    assert_absent(c.content);

    decode_ok(fx, "streaming message: transactional: 0 prefix: test, sz: 6 content:a\nb\0cd", &c);
    assert_op(c, "STREAM MESSAGE");
    assert_false(c.transactional);
    assert_int_equal(c.size, 6);
    assert_true(c.has_content);
    assert_slice(c.content, "a\nb\0cd");

    decode_ok(fx, "streaming message: transactional: 1 prefix: a, sz: 1, sz: 2", &c);
    assert_slice(c.prefix, "a, sz: 1");
    assert_int_equal(c.size, 2);
    assert_false(c.has_content);
}

/* A prefix holding ", sz: N content:X" before the real ", sz: N" of a
 * transactional streamed message: the content of the first candidate must
 * not stick to the record. */
static void test_stream_message_prefix_with_content(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "streaming message: transactional: 1 prefix: a, sz: 1 content:b, sz: 5", &c);
    assert_op(c, "STREAM MESSAGE");
    assert_slice(c.prefix, "a, sz: 1 content:b");
    assert_int_equal(c.size, 5);
    assert_false(c.has_content);
    assert_absent(c.content);
}

static void test_stream_commit_prepare(void **state)
{
    fixture *fx = *state;
    wv_change c;

    decode_ok(fx, "committing streamed transaction TXN 503", &c);
    assert_op(c, "STREAM COMMIT");
    assert_int_equal(c.xid, 503);
    assert_absent(c.timestamp);

    decode_ok(fx, "committing streamed transaction TXN 503 (at 2024-01-01 10:00:00.123456+00)",
              &c);
    assert_int_equal(c.xid, 503);
    assert_slice(c.timestamp, "2024-01-01 10:00:00.123456+00");

    decode_ok(fx, "committing streamed transaction", &c);
    assert_op(c, "STREAM COMMIT");
    assert_false(c.has_xid);

    decode_ok(fx, "committing streamed transaction (at 2024-01-01 10:00:00+00)", &c);
    assert_false(c.has_xid);
    assert_slice(c.timestamp, "2024-01-01 10:00:00+00");

    decode_ok(fx, "preparing streamed transaction TXN 'test1', txid 503", &c);
    assert_op(c, "STREAM PREPARE");
    assert_slice(c.gid, "test1");
    assert_true(c.has_xid);
    assert_int_equal(c.xid, 503);
    assert_absent(c.timestamp);

    decode_ok(fx, "preparing streamed transaction TXN 'test1', txid 503 (at 2024-01-01 10:00:00+00)",
              &c);
    assert_int_equal(c.xid, 503);
    assert_slice(c.timestamp, "2024-01-01 10:00:00+00");

    decode_ok(fx, "preparing streamed transaction 'test1'", &c);
    assert_op(c, "STREAM PREPARE");
    assert_slice(c.gid, "test1");
    assert_false(c.has_xid);

    decode_ok(fx, "preparing streamed transaction E'TXN \\\\ ''x''' (at 2024-01-01 10:00:00+00)",
              &c);
    assert_true(c.gid_escaped);
    assert_slice(c.gid, "TXN \\\\ ''x''");
    assert_slice(c.timestamp, "2024-01-01 10:00:00+00");
}

/* ---- line mode: framing of raw output ---- */

static void test_line_sequence(void **state)
{
    fixture *fx = *state;
    static const char in[] = "BEGIN 529\n"
                             "table public.t: INSERT: v[text]:'two\nlines'\n"
                             "message: transactional: 1 prefix: p, sz: 9 content:x\nBEGIN 5\n"
                             "COMMIT 529 (at 2024-01-01 10:00:00+00)\n"
                             "BEGIN 53";
    static const struct {
        const char *op;
        size_t len;
    } want[] = {
        { "BEGIN", 10 },
        { "INSERT", 44 },
        { "MESSAGE", 61 },
        { "COMMIT", 39 },
    };
    size_t off = 0, len = sizeof in - 1;
    wv_change c;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t used = 0;
        wv_decode_status st = wv_decode_line(fx->line, in + off, len - off, &c, &used);
        assert_string_equal(status_name(st), "OK");
        assert_string_equal(wv_op_name(c.op), want[i].op);
        assert_int_equal(used, want[i].len);
        assert_int_equal(in[off + used - 1], '\n');
        if (i == 1)
            assert_col(c.new_tuple, 0, "v", "text", WV_VAL_QUOTED, "two\nlines");
        if (i == 2)
            assert_slice(c.content, "x\nBEGIN 5");
        off += used;
    }
    /* The last message has no newline yet. */
    size_t used = 12345;
    wv_decode_status st = wv_decode_line(fx->line, in + off, len - off, &c, &used);
    assert_string_equal(status_name(st), "INCOMPLETE");
    assert_int_equal(used, 12345); /* untouched unless OK */
    assert_string_equal(status_name(wv_decode_message(fx->whole, in + off, len - off, &c)), "OK");
    assert_int_equal(c.xid, 53);
}

static void test_line_incomplete(void **state)
{
    fixture *fx = *state;
    wv_change c;
    size_t used = 0;

    /* A quoted value holding a newline runs past the buffer. */
    static const char v1[] = "table public.t: INSERT: id[integer]:1 v[text]:'first\nsecond";
    assert_string_equal(status_name(wv_decode_line(fx->line, v1, sizeof v1 - 1, &c, &used)),
                        "INCOMPLETE");
    static const char v2[] = "table public.t: INSERT: id[integer]:1 v[text]:'first\nsecond'\nCOMMIT";
    assert_string_equal(status_name(wv_decode_line(fx->line, v2, sizeof v2 - 1, &c, &used)),
                        "OK");
    assert_int_equal(used, sizeof v2 - 1 - 6);
    assert_col(c.new_tuple, 1, "v", "text", WV_VAL_QUOTED, "first\nsecond");

    /* A closing quote at the buffer's end may be the first of a pair. */
    static const char v3[] = "table public.t: INSERT: v[text]:'it'";
    assert_string_equal(status_name(wv_decode_line(fx->line, v3, sizeof v3 - 1, &c, &used)),
                        "INCOMPLETE");
    static const char v4[] = "table public.t: INSERT: v[text]:'it''s'\n";
    assert_string_equal(status_name(wv_decode_line(fx->line, v4, sizeof v4 - 1, &c, &used)),
                        "OK");
    assert_int_equal(used, sizeof v4 - 1);

    /* Message content shorter than its size: wait for the rest. */
    static const char m1[] = "message: transactional: 1 prefix: p, sz: 9 content:x\nBEG";
    assert_string_equal(status_name(wv_decode_line(fx->line, m1, sizeof m1 - 1, &c, &used)),
                        "INCOMPLETE");
    static const char m2[] = "message: transactional: 1 prefix: p, sz: 9 content:x\nBEGIN 5";
    assert_string_equal(status_name(wv_decode_line(fx->line, m2, sizeof m2 - 1, &c, &used)),
                        "INCOMPLETE");
    static const char m3[] = "message: transactional: 1 prefix: p, sz: 9 content:x\nBEGIN 5\nC";
    assert_string_equal(status_name(wv_decode_line(fx->line, m3, sizeof m3 - 1, &c, &used)),
                        "OK");
    assert_int_equal(used, sizeof m3 - 1 - 1);
    assert_slice(c.content, "x\nBEGIN 5");
}

static void test_line_errors(void **state)
{
    fixture *fx = *state;
    wv_change c;
    size_t used = 0;
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        { "hello\nBEGIN 1\n", "expected a test_decoding message, found 'hello'" },
        { "BEGIN x\n", "expected a transaction id, found 'x'" },
        { "table public.t: INSERT: a[integer]\nBEGIN 1\n", "\"]:\"" },
        { "table public.t: INSERT: a[integer]:\nBEGIN 1\n", "expected a value" },
        { "message: transactional: 1 prefix: p\nBEGIN 1, sz: 1 content:x\n",
          "expected \", sz: N content:\"" },
        { "COMMIT 5 (at 2024\n", "expected a timestamp closed by ')'" },
        { "BEGIN 5 \n", "expected end of message, found ' '" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wv_decode_status st = wv_decode_line(fx->line, cases[i].in, strlen(cases[i].in), &c, &used);
        const char *err = wv_decode_error(fx->line);
        if (st != WV_DECODE_ERROR || !strstr(err, cases[i].want)) {
            char a[600];
            print_error("wv_decode_line(\"%s\"): %s, error \"%s\"; expected ERROR with "
                           "\"%s\"\n",
                           show(cases[i].in, strlen(cases[i].in), a, sizeof a),
                           status_name(st), err, cases[i].want);
            fail();
        }
    }
}

/* ---- errors in whole messages ---- */

static void test_errors(void **state)
{
    fixture *fx = *state;

    decode_error(fx, "", "expected a test_decoding message, found end of message");
    decode_error(fx, "hello world", "expected a test_decoding message, found 'hello world'");
    decode_error(fx, "BEGIN x", "expected a transaction id, found 'x'");
    decode_error(fx, "BEGIN ", "expected a transaction id, found end of message");
    decode_error(fx, "BEGIN 4294967296", "expected a transaction id");
    decode_error(fx, "BEGIN 5 extra", "expected end of message, found ' extra'");
    decode_error(fx, "COMMIT 5 (at 2024-01-01", "expected a timestamp closed by ')'");
    decode_error(fx, "table public.t INSERT: a[integer]:1", "expected \": \", found ' INSERT:");
    decode_error(fx, "table public.t: FROB: a[integer]:1",
                 "expected \"INSERT:\", \"UPDATE:\", \"DELETE:\" or \"TRUNCATE:\", found 'FROB:");
    decode_error(fx, "table public.t: INSERT: a[integer]", "expected a type name closed by \"]:\"");
    decode_error(fx, "table public.t: INSERT: a[]:1", "expected a type name");
    decode_error(fx, "table public.t: INSERT: a(integer):1", "expected \"[\"");
    decode_error(fx, "table public.t: INSERT: a[integer]:", "expected a value");
    decode_error(fx, "table public.t: INSERT: a[text]:'open", "expected a closing quote of a value");
    decode_error(fx, "table public.t: INSERT: a[bit]:B'01", "expected a closing quote of a bit");
    decode_error(fx, "table public.t: INSERT: a[text]:'x'y", "expected \" \", found 'y'");
    decode_error(fx, "table public.t: INSERT:  a[integer]:1", "expected an identifier");
    decode_error(fx, "table \"public.t: INSERT:", "expected a closing '\"' of an identifier");
    decode_error(fx, "table public.t: UPDATE: old-key: a[integer]:1",
                 "expected \" new-tuple:\", found end of message");
    decode_error(fx, "table public.a, public.b: INSERT: a[integer]:1",
                 "expected \"TRUNCATE:\" after several tables");
    decode_error(fx, "table public.a: TRUNCATE:",
                 "expected \"restart_seqs\", \"cascade\" or \"(no-flags)\"");
    decode_error(fx, "table public.a: TRUNCATE: cascade restart_seqs",
                 "expected end of message, found ' restart_seqs'");
    decode_error(fx, "message: transactional: 2 prefix: p, sz: 0 content:",
                 "expected 0 or 1 after \"transactional: \"");
    decode_error(fx, "message: transactional: 1 prefix: p", "expected \", sz: N\"");
    decode_error(fx, "message: transactional: 1 prefix: p, sz: 9 content:short",
                 "expected \", sz: N\"");
    decode_error(fx, "message: transactional: 1 prefix: p, sz: 2 content:long", "expected");
    decode_error(fx, "message: transactional: 1 prefix: p, sz: 99999999999999999999999 content:",
                 "expected");
    decode_error(fx, "message: transactional: 1 prefix: p, sz: 1", "expected");
    decode_error(fx, "PREPARE TRANSACTION gid", "expected a quoted transaction identifier (gid)");
    decode_error(fx, "PREPARE TRANSACTION 'gid", "expected a closing quote of a gid");
    decode_error(fx, "PREPARE TRANSACTION 'gid', txid x", "expected a transaction id, found 'x'");
    decode_error(fx, "COMMIT PREPARED E'a\\'", "expected a closing quote of a gid");
    decode_error(fx, "opening a streamed block for transaction TXN", "expected end of message");
    decode_error(fx, "opening a streamed block for transaction TXN x",
                 "expected a transaction id, found 'x'");
    decode_error(fx, "streaming message: transactional: 0 prefix: p, sz: 3", "expected");
    decode_error(fx, "preparing streamed transaction TXN 'g'", "expected \", txid \"");
    decode_error(fx, "preparing streamed transaction g", "expected a quoted transaction identifier");
    decode_error(fx, "committing streamed transaction TXN 1 (at x", "expected a timestamp");
}

static void test_error_text_and_offset(void **state)
{
    fixture *fx = *state;
    wv_change c;

    static const char m1[] = "table public.t: INSERT: a[integer]:1 b[text]:'x' c{text}:'y'";
    assert_int_equal(wv_decode_message(fx->whole, m1, sizeof m1 - 1, &c), WV_DECODE_ERROR);
    assert_string_equal(wv_decode_error(fx->whole), "expected \"[\", found ':'y''");
    assert_int_equal(wv_decode_error_offset(fx->whole), 56);

    /* What was found is cut after 27 bytes. */
    static const char m2[] = "nonsense nonsense nonsense nonsense";
    assert_int_equal(wv_decode_message(fx->whole, m2, sizeof m2 - 1, &c), WV_DECODE_ERROR);
    assert_string_equal(wv_decode_error(fx->whole),
                        "expected a test_decoding message, found 'nonsense nonsense nonsense ...'");
    assert_int_equal(wv_decode_error_offset(fx->whole), 0);

    /* Control bytes are shown as '?', including a newline, which ends
     * nothing in a whole message. */
    static const char m3[] = "BEGIN 5\n";
    assert_int_equal(wv_decode_message(fx->whole, m3, sizeof m3 - 1, &c), WV_DECODE_ERROR);
    assert_string_equal(wv_decode_error(fx->whole), "expected end of message, found '?'");
    assert_int_equal(wv_decode_error_offset(fx->whole), 7);

    /* In line mode a newline is the end of the message. */
    static const char m4[] = "BEGIN\tx\nBEGIN 1\n";
    size_t used;
    assert_int_equal(wv_decode_line(fx->line, m4, sizeof m4 - 1, &c, &used), WV_DECODE_ERROR);
    assert_string_equal(wv_decode_error(fx->line), "expected end of message, found '?x'");

    /* A good message after a bad one clears the error. */
    assert_int_equal(wv_decode_message(fx->whole, "BEGIN", 5, &c), WV_DECODE_OK);
    assert_string_equal(wv_decode_error(fx->whole), "");
}

/* ---- size ---- */

static void test_megabyte_value(void **state)
{
    fixture *fx = *state;
    static const char head[] = "table public.big: INSERT: id[integer]:1 data[text]:'";
    static const char tail[] = "' n[integer]:2";
    const size_t body = 1 << 20;
    size_t len = sizeof head - 1 + body + sizeof tail - 1;
    char *msg = wv_xmalloc(len);
    memcpy(msg, head, sizeof head - 1);
    char *b = msg + sizeof head - 1;
    for (size_t i = 0; i < body; i++)
        b[i] = "abc\ndef\t"[i % 8];
    /* Some doubled quotes, the last pair just before the closing quote. */
    for (size_t i = 1000; i + 2 < body; i += 4096)
        b[i] = b[i + 1] = '\'';
    b[body - 2] = b[body - 1] = '\'';
    memcpy(b + body, tail, sizeof tail - 1);

    wv_change c;
    decode_ok_at(fx, msg, len, 65537, &c, __FILE__, __LINE__);
    assert_int_equal(c.new_tuple.ncols, 3);
    const wv_column *col = &c.new_tuple.cols[1];
    assert_int_equal(col->kind, WV_VAL_QUOTED);
    assert_ptr_equal(col->value.ptr, b);
    assert_int_equal(col->value.len, body);
    assert_col(c.new_tuple, 2, "n", "integer", WV_VAL_BARE, "2");

    char *lit = wv_xmalloc(body);
    size_t n = wv_decode_literal(col->value, false, lit);
    assert_int_equal(n, body - 257);
    assert_memory_equal(lit, "abc\ndef\t", 8);
    assert_int_equal(lit[n - 1], '\'');
    free(lit);
    free(msg);
}

/* ---- helpers of the public interface ---- */

static void test_ident_literal(void **state)
{
    (void)state;
    char out[32];

    assert_int_equal(wv_decode_ident(WV_SLICE_LIT("plain_name"), out), 10);
    assert_memory_equal(out, "plain_name", 10);
    assert_int_equal(wv_decode_ident(WV_SLICE_LIT("\"Mixed Case\""), out), 10);
    assert_memory_equal(out, "Mixed Case", 10);
    assert_int_equal(wv_decode_ident(WV_SLICE_LIT("\"a\"\"b\"\"\""), out), 4);
    assert_memory_equal(out, "a\"b\"", 4);
    assert_int_equal(wv_decode_ident(WV_SLICE_LIT("\"\""), out), 0);
    assert_int_equal(wv_decode_ident((wv_slice){ "", 0 }, out), 0);
    /* A lone quote is not a quoted identifier; it comes back as it is. */
    assert_int_equal(wv_decode_ident(WV_SLICE_LIT("\""), out), 1);
    assert_memory_equal(out, "\"", 1);

    assert_int_equal(wv_decode_literal(WV_SLICE_LIT("don''t"), false, out), 5);
    assert_memory_equal(out, "don't", 5);
    assert_int_equal(wv_decode_literal(WV_SLICE_LIT("a\\\\b"), false, out), 4);
    assert_memory_equal(out, "a\\\\b", 4);
    assert_int_equal(wv_decode_literal(WV_SLICE_LIT("a\\\\b''"), true, out), 4);
    assert_memory_equal(out, "a\\b'", 4);
    assert_int_equal(wv_decode_literal((wv_slice){ "", 0 }, true, out), 0);
}

static void test_op_names(void **state)
{
    (void)state;
    static const char *const want[WV_OP_COUNT] = {
        "BEGIN", "COMMIT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "MESSAGE", "PREPARE",
        "COMMIT PREPARED", "ROLLBACK PREPARED", "STREAM START", "STREAM STOP", "STREAM CHANGE",
        "STREAM MESSAGE", "STREAM TRUNCATE", "STREAM COMMIT", "STREAM ABORT", "STREAM PREPARE",
        "UNKNOWN",
    };
    for (int op = 0; op < WV_OP_COUNT; op++)
        assert_string_equal(wv_op_name((wv_op)op), want[op]);
    assert_string_equal(wv_op_name(WV_OP_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin),
        cmocka_unit_test(test_commit),
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_bare_values),
        cmocka_unit_test(test_null_toast_bits),
        cmocka_unit_test(test_quoted_values),
        cmocka_unit_test(test_update_old_key),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_quoted_identifiers),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_decoder_reuse),
        cmocka_unit_test(test_message),
        cmocka_unit_test(test_message_content),
        cmocka_unit_test(test_message_prefix_with_sz),
        cmocka_unit_test(test_two_phase),
        cmocka_unit_test(test_stream_blocks),
        cmocka_unit_test(test_stream_message),
        cmocka_unit_test(test_stream_message_prefix_with_content),
        cmocka_unit_test(test_stream_commit_prepare),
        cmocka_unit_test(test_line_sequence),
        cmocka_unit_test(test_line_incomplete),
        cmocka_unit_test(test_line_errors),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_text_and_offset),
        cmocka_unit_test(test_megabyte_value),
        cmocka_unit_test(test_ident_literal),
        cmocka_unit_test(test_op_names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
