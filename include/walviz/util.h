/* util: allocation that aborts on failure, and small string helpers.
 *
 * Running out of memory is not an input error walviz can report usefully,
 * so the x* helpers print a message and abort; callers stay free of NULL
 * checks. */
#ifndef WALVIZ_UTIL_H
#define WALVIZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WV_VERSION "0.1.0"

/* A view into memory someone else owns; never NUL-terminated by contract. */
typedef struct wv_slice {
    const char *ptr;
    size_t len;
} wv_slice;

#define WV_SLICE_LIT(s) ((wv_slice){ (s), sizeof(s) - 1 })

/* Abort with a message; for programmer errors and exhausted memory. */
_Noreturn void wv_fatal(const char *fmt, ...);

#define WV_ASSERT(cond) \
    ((cond) ? (void)0 : wv_fatal("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond))

void *wv_xmalloc(size_t n);
void *wv_xcalloc(size_t n, size_t size);
void *wv_xrealloc(void *p, size_t n);
char *wv_xstrdup(const char *s);
/* Returns a new NUL-terminated copy of the slice; the caller frees it. */
char *wv_slice_dup(wv_slice s);

/* Grows *buf (capacity *cap) so that it holds at least need bytes. */
void wv_grow(char **buf, size_t *cap, size_t need);

int wv_slice_eq(wv_slice s, const char *lit);

/* A growable byte buffer; caller-owned storage: wv_buf_init/wv_buf_destroy. */
typedef struct wv_buf {
    char *data;
    size_t len;
    size_t cap;
} wv_buf;

void wv_buf_init(wv_buf *b);
void wv_buf_destroy(wv_buf *b);
/* Makes room for n more bytes and returns where they go; add them to len. */
char *wv_buf_reserve(wv_buf *b, size_t n);
void wv_buf_append(wv_buf *b, const void *p, size_t n);
void wv_buf_puts(wv_buf *b, const char *s);
void wv_buf_printf(wv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "2,481": a count with commas between groups of three digits. */
void wv_fmt_thousands(char *out, size_t outsz, uint64_t n);

/* Whether s (len bytes) starts with prefix. */
bool wv_has_prefix(const char *s, size_t len, const char *prefix);
/* A decimal integer, optionally negative, that is all of s (len bytes)
 * and fits: true and *out, else false. */
bool wv_parse_i64(const char *s, size_t len, int64_t *out);
/* The fields of [p, end) split at tabs: writes at most max, returns how
 * many there are (at least 1: an empty text is one empty field). */
size_t wv_split_tabs(const char *p, const char *end, wv_slice *out, size_t max);

/* The longest prefix of s (len bytes) of at most max bytes that does not
 * split a UTF-8 sequence: its length. */
size_t wv_utf8_prefix(const char *s, size_t len, size_t max);

/* The value of a hex digit, or -1. */
int wv_hex_digit(char c);

/* LSNs print as two hex halves, as PostgreSQL does: "0/16B3748".
 * wv_lsn_format writes at most WV_LSN_BUFSZ bytes including the NUL. */
#define WV_LSN_BUFSZ 18
void wv_lsn_format(uint64_t lsn, char out[WV_LSN_BUFSZ]);
/* Returns 0 and sets *lsn on success, -1 when s is not an LSN. */
int wv_lsn_parse(const char *s, size_t len, uint64_t *lsn);

#endif
