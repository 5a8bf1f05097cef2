/* libFuzzer target for the decoder.
 *
 * The input is decoded twice: as one whole message (wv_decode_message), and
 * as raw pg_recvlogical output, message after message with wv_decode_line
 * the way the reader drives it (blank lines skipped, an error skips to the
 * next newline, the unfinished rest decoded whole at the end). Every record
 * goes through wv_json_change. Beyond the sanitizers, abort() on a broken
 * invariant:
 *   - every slice of a record lies inside the message it came from, and
 *     fields agree with the op (content is exactly size bytes, ...);
 *   - line mode consumes at least one byte, at most what it was given, and
 *     stops right after a newline;
 *   - a message line mode accepted decodes whole, without its newline, to
 *     the same record (same JSON);
 *   - cut anywhere before its newline, that message asks for more input
 *     (INCOMPLETE) rather than failing, and with its newline alone it is
 *     complete: a read may end anywhere;
 *   - errors read "expected ..., found ..." at an offset inside the input;
 *   - the JSON is one valid object (strict grammar, UTF-8, no raw control
 *     bytes) and a newline. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void violated(const char *what, int line)
{
    fprintf(stderr, "fuzz_decode.c:%d: invariant violated: %s\n", line, what);
    abort();
}

#define CHECK(cond) ((cond) ? (void)0 : violated(#cond, __LINE__))

/* ---- records ---- */

static bool inside(wv_slice s, const char *lo, const char *hi)
{
    if (!s.ptr)
        return s.len == 0;
    uintptr_t p = (uintptr_t)s.ptr, l = (uintptr_t)lo, h = (uintptr_t)hi;
    return p >= l && p <= h && s.len <= h - p;
}

static void check_tuple(const wv_tuple *t, const char *lo, const char *hi)
{
    if (!t->present) {
        CHECK(t->ncols == 0);
        return;
    }
    CHECK(t->ncols == 0 || t->cols != NULL);
    for (size_t i = 0; i < t->ncols; i++) {
        const wv_column *c = &t->cols[i];
        CHECK(inside(c->name, lo, hi) && c->name.len > 0);
        CHECK(inside(c->type, lo, hi) && c->type.len > 0);
        CHECK(inside(c->value, lo, hi));
        switch (c->kind) {
        case WV_VAL_NULL:
        case WV_VAL_TOAST:
            CHECK(c->value.ptr == NULL);
            break;
        case WV_VAL_BARE:
            CHECK(c->value.ptr != NULL && c->value.len > 0);
            break;
        case WV_VAL_QUOTED:
        case WV_VAL_BITS:
            CHECK(c->value.ptr != NULL);
            /* The quotes around the body are in the message. */
            CHECK(c->value.ptr > lo && c->value.ptr[-1] == '\'');
            CHECK(c->value.ptr + c->value.len < hi && c->value.ptr[c->value.len] == '\'');
            break;
        default:
            violated("a value kind out of range", __LINE__);
        }
    }
}

static void check_rel(const wv_relname *r, const char *lo, const char *hi)
{
    CHECK(inside(r->schema, lo, hi));
    CHECK(r->schema.ptr == NULL || r->schema.len > 0);
    CHECK(inside(r->table, lo, hi) && r->table.ptr != NULL && r->table.len > 0);
}

/* The record decoded from [lo, hi). */
static void check_change(const wv_change *c, const char *lo, const char *hi)
{
    CHECK((unsigned)c->op < WV_OP_COUNT);
    CHECK(inside(c->timestamp, lo, hi));
    CHECK(inside(c->gid, lo, hi));
    CHECK(inside(c->prefix, lo, hi));
    CHECK(inside(c->content, lo, hi));
    CHECK(!c->gid_escaped || c->gid.ptr != NULL);
    switch (c->op) {
    case WV_OP_INSERT:
    case WV_OP_UPDATE:
    case WV_OP_DELETE:
        check_rel(&c->rel, lo, hi);
        check_tuple(&c->old_tuple, lo, hi);
        check_tuple(&c->new_tuple, lo, hi);
        CHECK(c->op != WV_OP_INSERT || !c->old_tuple.present);
        CHECK(c->op != WV_OP_DELETE || !c->new_tuple.present);
        break;
    case WV_OP_TRUNCATE:
        CHECK(c->ntables >= 1 && c->tables != NULL);
        for (size_t i = 0; i < c->ntables; i++)
            check_rel(&c->tables[i], lo, hi);
        break;
    case WV_OP_MESSAGE:
    case WV_OP_STREAM_MESSAGE:
        CHECK(c->prefix.ptr != NULL);
        CHECK(c->op == WV_OP_STREAM_MESSAGE || c->has_content);
        CHECK(c->has_content || c->transactional);
        if (c->has_content)
            CHECK(c->content.ptr != NULL && c->content.len == c->size);
        else
            CHECK(c->content.ptr == NULL);
        break;
    case WV_OP_PREPARE:
    case WV_OP_COMMIT_PREPARED:
    case WV_OP_ROLLBACK_PREPARED:
    case WV_OP_STREAM_PREPARE:
        CHECK(c->gid.ptr != NULL);
        break;
    default:
        break;
    }
    if (c->op != WV_OP_MESSAGE && c->op != WV_OP_STREAM_MESSAGE)
        CHECK(!c->has_content && c->content.ptr == NULL);
}

static void check_error(const wv_decoder *d, size_t len)
{
    const char *e = wv_decode_error(d);
    CHECK(strncmp(e, "expected ", 9) == 0 && strstr(e, ", found ") != NULL);
    CHECK(wv_decode_error_offset(d) <= len);
}

/* ---- a strict JSON checker, written apart from json.c so it checks it ---- */

typedef struct json_in {
    const unsigned char *p, *end;
} json_in;

static bool json_value(json_in *j, int depth);

static bool json_lit(json_in *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string: escapes JSON knows, no raw control bytes, valid UTF-8. */
static bool json_string_ok(json_in *j)
{
    if (!json_lit(j, "\""))
        return false;
    while (j->p < j->end) {
        unsigned char c = *j->p++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (j->p >= j->end)
                return false;
            c = *j->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++)
                    if (j->p >= j->end || !is_hex(*j->p++))
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
                return false;
            }
            continue;
        }
        if (c < 0x80)
            continue;
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 4, cp = c & 0x07;
        else
            return false;
        for (size_t i = 1; i < n; i++) {
            if (j->p >= j->end || (*j->p & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (*j->p++ & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
    }
    return false;
}

static bool json_number(json_in *j)
{
    const unsigned char *s = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s && !(j->p - s > 1 && s[0] == '0');
}

static bool json_value(json_in *j, int depth)
{
    if (depth > 8 || j->p >= j->end)
        return false;
    switch (*j->p) {
    case '"':
        return json_string_ok(j);
    case '{':
        j->p++;
        if (json_lit(j, "}"))
            return true;
        do {
            if (!json_string_ok(j) || !json_lit(j, ":") || !json_value(j, depth + 1))
                return false;
        } while (json_lit(j, ","));
        return json_lit(j, "}");
    case '[':
        j->p++;
        if (json_lit(j, "]"))
            return true;
        do {
            if (!json_value(j, depth + 1))
                return false;
        } while (json_lit(j, ","));
        return json_lit(j, "]");
    case 't':
        return json_lit(j, "true");
    case 'f':
        return json_lit(j, "false");
    case 'n':
        return json_lit(j, "null");
    default:
        return json_number(j);
    }
}

/* One object and a newline, exactly. */
static void check_json(const wv_buf *b)
{
    json_in j = { (const unsigned char *)b->data, (const unsigned char *)b->data + b->len };
    CHECK(b->len > 0 && b->data[0] == '{');
    CHECK(json_value(&j, 0));
    CHECK(j.end - j.p == 1 && *j.p == '\n');
}

/* ---- the target ---- */

static wv_decoder *dec_whole, *dec_line, *dec_cut;
static wv_buf json_a, json_b;

/* Line mode on buf[0..m) copied to an allocation of exactly m bytes, so
 * that the address sanitizer sees any read past it. */
static wv_decode_status line_on_cut(const char *buf, size_t m, size_t *used)
{
    char *cut = malloc(m ? m : 1);
    CHECK(cut != NULL);
    if (m)
        memcpy(cut, buf, m);
    wv_change c;
    wv_decode_status st = wv_decode_line(dec_cut, cut, m, &c, used);
    if (st == WV_DECODE_OK)
        check_change(&c, cut, cut + *used - 1);
    free(cut);
    return st;
}

static const wv_meta meta = { .has_lsn = true, .lsn = 0x16B3748, .has_xid = true, .xid = 7 };

/* A message line mode accepted at msg, used bytes with its newline. */
static void check_line_message(const char *msg, size_t used, const wv_change *c)
{
    CHECK(used >= 1 && msg[used - 1] == '\n');
    check_change(c, msg, msg + used - 1);
    json_a.len = 0;
    wv_json_change(&json_a, c, &meta);
    check_json(&json_a);

    /* The same bytes without the newline, as one whole message. */
    wv_change w;
    CHECK(wv_decode_message(dec_whole, msg, used - 1, &w) == WV_DECODE_OK);
    check_change(&w, msg, msg + used - 1);
    json_b.len = 0;
    wv_json_change(&json_b, &w, &meta);
    CHECK(json_a.len == json_b.len && memcmp(json_a.data, json_b.data, json_a.len) == 0);

    /* Cuts: all of them for short messages, else 16 spread over it. */
    size_t step = used <= 64 ? 1 : used / 16;
    for (size_t m = 0; m < used; m += step) {
        size_t u;
        CHECK(line_on_cut(msg, m, &u) == WV_DECODE_INCOMPLETE);
    }
    size_t u = 0;
    CHECK(line_on_cut(msg, used - 1, &u) == WV_DECODE_INCOMPLETE);
    CHECK(line_on_cut(msg, used, &u) == WV_DECODE_OK && u == used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dec_whole) {
        dec_whole = wv_decode_new();
        dec_line = wv_decode_new();
        dec_cut = wv_decode_new();
        wv_buf_init(&json_a);
        wv_buf_init(&json_b);
    }
    char *buf = malloc(size ? size : 1);
    CHECK(buf != NULL);
    if (size)
        memcpy(buf, data, size);

    /* Whole message. */
    wv_change c;
    wv_decode_status st = wv_decode_message(dec_whole, buf, size, &c);
    CHECK(st == WV_DECODE_OK || st == WV_DECODE_ERROR);
    if (st == WV_DECODE_OK) {
        check_change(&c, buf, buf + size);
        json_a.len = 0;
        wv_json_change(&json_a, &c, &meta);
        check_json(&json_a);
    } else {
        check_error(dec_whole, size);
    }

    /* Raw output, as the reader reads it. */
    size_t off = 0;
    while (off < size) {
        if (buf[off] == '\n') {
            off++;
            continue;
        }
        const char *msg = buf + off;
        size_t avail = size - off, used = (size_t)-1;
        st = wv_decode_line(dec_line, msg, avail, &c, &used);
        if (st == WV_DECODE_OK) {
            CHECK(used <= avail);
            check_line_message(msg, used, &c);
            off += used;
        } else if (st == WV_DECODE_ERROR) {
            check_error(dec_line, avail);
            CHECK(used == (size_t)-1);
            const char *nl = memchr(msg, '\n', avail);
            off = nl ? (size_t)(nl - buf) + 1 : size;
        } else {
            /* No newline ends it: the last message of the input. */
            CHECK(used == (size_t)-1);
            if (wv_decode_message(dec_whole, msg, avail, &c) == WV_DECODE_OK) {
                check_change(&c, msg, msg + avail);
                json_a.len = 0;
                wv_json_change(&json_a, &c, &meta);
                check_json(&json_a);
            } else {
                check_error(dec_whole, avail);
            }
            break;
        }
    }
    free(buf);
    return 0;
}
