/* record: see include/walviz/record.h and docs/recording-format.md. */
#include "walviz/record.h"

#include <stdio.h>
#include <string.h>

void wv_record_header_line(wv_buf *out, const char *key, const char *value)
{
    wv_buf_puts(out, "# ");
    wv_buf_puts(out, key);
    wv_buf_puts(out, ": ");
    for (const char *p = value; *p; p++)
        wv_buf_append(out, (*p == '\n' || *p == '\r') ? " " : p, 1);
    wv_buf_puts(out, "\n");
}

void wv_record_escape(wv_buf *out, const char *data, size_t len)
{
    size_t run = 0;
    char *dst = wv_buf_reserve(out, len * 4);
    char *d = dst;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c != '\\' && c != 0x7f) {
            run++;
            continue;
        }
        memcpy(d, data + i - run, run);
        d += run;
        run = 0;
        *d++ = '\\';
        switch (c) {
        case '\\': *d++ = '\\'; break;
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        default:
            *d++ = (char)('0' + (c >> 6));
            *d++ = (char)('0' + ((c >> 3) & 7));
            *d++ = (char)('0' + (c & 7));
        }
    }
    memcpy(d, data + len - run, run);
    d += run;
    out->len += (size_t)(d - dst);
}

int wv_record_unescape(const char *src, size_t len, wv_buf *out, char *err, size_t errsz)
{
    out->len = 0;
    char *d = wv_buf_reserve(out, len);
    const char *end = src + len;
    for (const char *p = src; p < end;) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = bs ? (size_t)(bs - p) : (size_t)(end - p);
        memcpy(d, p, run);
        d += run;
        if (!bs)
            break;
        p = bs + 1;
        if (p == end) {
            snprintf(err, errsz, "a backslash ends the line (a torn escape)");
            return -1;
        }
        char c = *p++;
        switch (c) {
        case 'n': *d++ = '\n'; break;
        case 'r': *d++ = '\r'; break;
        case 't': *d++ = '\t'; break;
        case 'b': *d++ = '\b'; break;
        case 'f': *d++ = '\f'; break;
        case 'v': *d++ = '\v'; break;
        case 'x': {
            int v = 0, nd = 0, h;
            while (nd < 2 && p < end && (h = wv_hex_digit(*p)) >= 0)
                v = v * 16 + h, p++, nd++;
            if (nd == 0) {
                snprintf(err, errsz, "expected hex digits after \\x");
                return -1;
            }
            *d++ = (char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0', nd = 1;
                while (nd < 3 && p < end && *p >= '0' && *p <= '7')
                    v = v * 8 + (*p++ - '0'), nd++;
                *d++ = (char)v;
            } else {
                *d++ = c; /* COPY takes any other escaped byte as itself */
            }
        }
    }
    out->len = (size_t)(d - out->data);
    return 0;
}

/* Number formatting by hand: walviz record writes a line per message, and
 * four printf calls per line were a sixth of its CPU time. */
static char *put_hex32(char *d, uint32_t v)
{
    char tmp[8];
    int n = 0;
    do {
        tmp[n++] = "0123456789ABCDEF"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *d++ = tmp[--n];
    return d;
}

static char *put_u64(char *d, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *d++ = tmp[--n];
    return d;
}

static char *put_i64(char *d, int64_t v)
{
    if (v >= 0)
        return put_u64(d, (uint64_t)v);
    *d++ = '-';
    return put_u64(d, -(uint64_t)v);
}

void wv_record_format_line(wv_buf *out, const wv_meta *m, const char *data, size_t len)
{
    /* "FFFFFFFF/FFFFFFFF\t4294967295\t-9223372036854775808\t...\t": < 80 */
    char *start = wv_buf_reserve(out, 80);
    char *d = start;
    if (m->has_lsn) {
        d = put_hex32(d, (uint32_t)(m->lsn >> 32));
        *d++ = '/';
        d = put_hex32(d, (uint32_t)m->lsn);
    } else {
        *d++ = '-';
    }
    *d++ = '\t';
    if (m->has_xid)
        d = put_u64(d, m->xid);
    else
        *d++ = '-';
    *d++ = '\t';
    d = put_i64(d, m->send_us);
    *d++ = '\t';
    d = put_i64(d, m->recv_us);
    *d++ = '\t';
    out->len += (size_t)(d - start);
    wv_record_escape(out, data, len);
    wv_buf_append(out, "\n", 1);
}

/* Splits off the next tab-separated field. */
static int next_field(const char **p, const char *end, wv_slice *f)
{
    const char *tab = memchr(*p, '\t', (size_t)(end - *p));
    if (!tab)
        return -1;
    f->ptr = *p;
    f->len = (size_t)(tab - *p);
    *p = tab + 1;
    return 0;
}

/* A decimal int64, as "%lld" prints it: from INT64_MIN to INT64_MAX. */
static int parse_int64(wv_slice f, int64_t *v)
{
    bool neg = f.len > 0 && f.ptr[0] == '-';
    size_t digits = f.len - (neg ? 1 : 0);
    if (digits == 0 || digits > 19) /* 19 digits always fit in a uint64 */
        return -1;
    uint64_t x = 0;
    for (size_t i = f.len - digits; i < f.len; i++) {
        if (f.ptr[i] < '0' || f.ptr[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(f.ptr[i] - '0');
    }
    if (x > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return -1;
    *v = neg ? (x > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)x) : (int64_t)x;
    return 0;
}

int wv_record_parse_line(const char *line, size_t len, wv_meta *m, wv_buf *data, char *err,
                         size_t errsz)
{
    const char *p = line, *end = line + len;
    wv_slice f[4];
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 4; i++) {
        if (next_field(&p, end, &f[i]) < 0) {
            snprintf(err, errsz, "expected 5 tab-separated fields (lsn, xid, sent, received, "
                                 "data), found %d", i + 1);
            return -1;
        }
    }
    if (!wv_slice_eq(f[0], "-")) {
        if (wv_lsn_parse(f[0].ptr, f[0].len, &m->lsn) < 0) {
            snprintf(err, errsz, "expected an LSN like 0/16B3748 in field 1");
            return -1;
        }
        m->has_lsn = true;
    }
    if (!wv_slice_eq(f[1], "-")) {
        int64_t x;
        if (parse_int64(f[1], &x) < 0 || x < 0 || x > UINT32_MAX) {
            snprintf(err, errsz, "expected a transaction id or '-' in field 2");
            return -1;
        }
        m->has_xid = true;
        m->xid = (uint32_t)x;
    }
    if (parse_int64(f[2], &m->send_us) < 0 || parse_int64(f[3], &m->recv_us) < 0) {
        snprintf(err, errsz, "expected times in microseconds in fields 3 and 4");
        return -1;
    }
    return wv_record_unescape(p, (size_t)(end - p), data, err, errsz);
}
