/* util: see include/walviz/util.h. */
#include "walviz/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wv_fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("walviz: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *wv_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        wv_fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *wv_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        wv_fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *wv_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        wv_fatal("out of memory allocating %zu bytes", n);
    return q;
}

char *wv_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(wv_xmalloc(n), s, n);
}

char *wv_slice_dup(wv_slice s)
{
    char *p = wv_xmalloc(s.len + 1);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

void wv_grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    *buf = wv_xrealloc(*buf, n);
    *cap = n;
}

int wv_slice_eq(wv_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

void wv_buf_init(wv_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void wv_buf_destroy(wv_buf *b)
{
    free(b->data);
    wv_buf_init(b);
}

char *wv_buf_reserve(wv_buf *b, size_t n)
{
    /* Memory even for nothing: NULL + 0 is undefined behaviour. */
    if (b->cap - b->len < n || !b->data)
        wv_grow(&b->data, &b->cap, b->len + (n ? n : 1));
    return b->data + b->len;
}

void wv_buf_append(wv_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    memcpy(wv_buf_reserve(b, n), p, n);
    b->len += n;
}

void wv_buf_puts(wv_buf *b, const char *s)
{
    wv_buf_append(b, s, strlen(s));
}

void wv_buf_printf(wv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *dst = wv_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(dst, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void wv_lsn_format(uint64_t lsn, char out[WV_LSN_BUFSZ])
{
    snprintf(out, WV_LSN_BUFSZ, "%X/%X", (unsigned)(lsn >> 32), (unsigned)lsn);
}

bool wv_has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

bool wv_parse_i64(const char *s, size_t len, int64_t *out)
{
    bool neg = len > 0 && s[0] == '-';
    size_t i = neg ? 1 : 0;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (i == len)
        return false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (limit - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = neg ? v ? -(int64_t)(v - 1) - 1 : 0 : (int64_t)v;
    return true;
}

size_t wv_split_tabs(const char *p, const char *end, wv_slice *out, size_t max)
{
    size_t n = 0;
    for (;;) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        if (n < max)
            out[n] = (wv_slice){ p, (size_t)((tab ? tab : end) - p) };
        n++;
        if (!tab)
            return n;
        p = tab + 1;
    }
}

size_t wv_utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--; /* s[max] continues a sequence: cut before it starts */
    return max;
}

int wv_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int wv_lsn_parse(const char *s, size_t len, uint64_t *lsn)
{
    uint64_t hi = 0, lo = 0;
    size_t i = 0, nd = 0;
    for (; i < len && s[i] != '/'; i++, nd++) {
        int d = wv_hex_digit(s[i]);
        if (d < 0 || nd >= 8)
            return -1;
        hi = hi << 4 | (uint64_t)d;
    }
    if (nd == 0 || i >= len)
        return -1;
    for (i++, nd = 0; i < len; i++, nd++) {
        int d = wv_hex_digit(s[i]);
        if (d < 0 || nd >= 8)
            return -1;
        lo = lo << 4 | (uint64_t)d;
    }
    if (nd == 0)
        return -1;
    *lsn = hi << 32 | lo;
    return 0;
}

void wv_fmt_thousands(char *out, size_t outsz, uint64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < outsz; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < outsz)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    if (outsz)
        out[o < outsz ? o : outsz - 1] = '\0';
}
