/* json: see include/walviz/json.h.
 *
 * The string writer copies runs of bytes that need no escaping with one
 * memcpy; `walviz decode` spends most of its time here. */
#include "walviz/json.h"

#include <stdio.h>
#include <string.h>

/* 1 for bytes that can be copied as they are. */
static const unsigned char plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),                                           /* controls */
    1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1,           /* '"' and '\'' */
    R16(1), R16(1),                                           /* 0x30-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,           /* '\\' */
    R16(1),                                                   /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,           /* DEL */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
};

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

void wv_json_string(wv_buf *out, wv_slice s, char undouble, bool escaped)
{
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
    /* Worst case: every byte becomes a six-byte \u escape. */
    char *d0 = wv_buf_reserve(out, s.len * 6 + 2), *d = d0;
    *d++ = '"';
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && plain[*p])
            p++;
        memcpy(d, run, (size_t)(p - run));
        d += p - run;
        if (p == end)
            break;
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t n = utf8_len(p, end);
            if (n) {
                memcpy(d, p, n);
                d += n;
                p += n;
            } else {
                memcpy(d, "\\ufffd", 6);
                d += 6;
                p++;
            }
            continue;
        }
        p++;
        switch (c) {
        case '"': *d++ = '\\'; *d++ = '"'; break;
        case '\\':
            *d++ = '\\', *d++ = '\\';
            if (escaped && p < end && *p == '\\')
                p++;
            break;
        case '\'': *d++ = '\''; break;
        case '\n': *d++ = '\\'; *d++ = 'n'; break;
        case '\r': *d++ = '\\'; *d++ = 'r'; break;
        case '\t': *d++ = '\\'; *d++ = 't'; break;
        default:
            d += sprintf(d, "\\u%04x", c);
        }
        if (undouble && c == (unsigned char)undouble && p < end && *p == c)
            p++;
    }
    *d++ = '"';
    out->len += (size_t)(d - d0);
}

/* A name as printed: drop the quotes of a quoted identifier. */
static void json_ident(wv_buf *out, wv_slice s)
{
    if (s.len >= 2 && s.ptr[0] == '"')
        wv_json_string(out, (wv_slice){ s.ptr + 1, s.len - 2 }, '"', false);
    else
        wv_json_string(out, s, 0, false);
}

static void json_columns(wv_buf *out, const wv_tuple *t)
{
    if (!t->present) {
        wv_buf_append(out, "null", 4);
        return;
    }
    wv_buf_append(out, "[", 1);
    for (size_t i = 0; i < t->ncols; i++) {
        const wv_column *col = &t->cols[i];
        wv_buf_append(out, i ? ",{\"name\":" : "{\"name\":", i ? 9 : 8);
        json_ident(out, col->name);
        wv_buf_append(out, ",\"type\":", 8);
        wv_json_string(out, col->type, 0, false);
        wv_buf_append(out, ",\"value\":", 9);
        switch (col->kind) {
        case WV_VAL_NULL:
            wv_buf_append(out, "null}", 5);
            continue;
        case WV_VAL_TOAST:
            wv_buf_puts(out, "null,\"unchanged_toast\":true}");
            continue;
        case WV_VAL_QUOTED:
        case WV_VAL_BITS:
            wv_json_string(out, col->value, '\'', false);
            break;
        case WV_VAL_BARE:
            wv_json_string(out, col->value, 0, false);
            break;
        }
        wv_buf_append(out, "}", 1);
    }
    wv_buf_append(out, "]", 1);
}

static void json_key(wv_buf *out, const char *key)
{
    wv_buf_append(out, ",\"", 2);
    wv_buf_puts(out, key);
    wv_buf_append(out, "\":", 2);
}

static void json_bool(wv_buf *out, const char *key, bool v)
{
    json_key(out, key);
    wv_buf_puts(out, v ? "true" : "false");
}

static void json_rel(wv_buf *out, const wv_relname *rel)
{
    wv_buf_puts(out, "\"schema\":");
    if (rel->schema.ptr)
        json_ident(out, rel->schema);
    else
        wv_buf_puts(out, "null");
    wv_buf_puts(out, ",\"table\":");
    json_ident(out, rel->table);
}

void wv_json_change(wv_buf *out, const wv_change *c, const wv_meta *m)
{
    wv_buf_puts(out, "{\"op\":\"");
    wv_buf_puts(out, wv_op_name(c->op));
    wv_buf_puts(out, "\",\"lsn\":");
    if (m->has_lsn) {
        char lsn[WV_LSN_BUFSZ];
        wv_lsn_format(m->lsn, lsn);
        wv_buf_printf(out, "\"%s\"", lsn);
    } else {
        wv_buf_puts(out, "null");
    }
    json_key(out, "xid");
    if (m->has_xid)
        wv_buf_printf(out, "%u", m->xid);
    else
        wv_buf_puts(out, "null");

    switch (c->op) {
    case WV_OP_COMMIT:
    case WV_OP_STREAM_COMMIT:
        json_key(out, "commit_time");
        if (c->timestamp.ptr)
            wv_json_string(out, c->timestamp, 0, false);
        else
            wv_buf_puts(out, "null");
        break;
    case WV_OP_INSERT:
    case WV_OP_UPDATE:
    case WV_OP_DELETE:
        wv_buf_append(out, ",", 1);
        json_rel(out, &c->rel);
        json_key(out, "old");
        json_columns(out, &c->old_tuple);
        json_key(out, "new");
        json_columns(out, &c->new_tuple);
        break;
    case WV_OP_TRUNCATE:
        json_key(out, "tables");
        wv_buf_append(out, "[", 1);
        for (size_t i = 0; i < c->ntables; i++) {
            wv_buf_puts(out, i ? ",{" : "{");
            json_rel(out, &c->tables[i]);
            wv_buf_append(out, "}", 1);
        }
        wv_buf_append(out, "]", 1);
        json_bool(out, "restart_seqs", c->restart_seqs);
        json_bool(out, "cascade", c->cascade);
        break;
    case WV_OP_MESSAGE:
    case WV_OP_STREAM_MESSAGE:
        json_bool(out, "transactional", c->transactional);
        json_key(out, "prefix");
        wv_json_string(out, c->prefix, 0, false);
        json_key(out, "size");
        wv_buf_printf(out, "%zu", c->size);
        json_key(out, "content");
        if (c->has_content)
            wv_json_string(out, c->content, 0, false);
        else
            wv_buf_puts(out, "null");
        break;
    default:
        break;
    }
    if (c->gid.ptr) {
        json_key(out, "gid");
        wv_json_string(out, c->gid, '\'', c->gid_escaped);
    }
    if (c->op == WV_OP_PREPARE || c->op == WV_OP_COMMIT_PREPARED ||
        c->op == WV_OP_ROLLBACK_PREPARED || c->op == WV_OP_STREAM_PREPARE) {
        json_key(out, "time");
        if (c->timestamp.ptr)
            wv_json_string(out, c->timestamp, 0, false);
        else
            wv_buf_puts(out, "null");
    }
    wv_buf_append(out, "}\n", 2);
}
