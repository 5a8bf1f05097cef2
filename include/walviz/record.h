/* record: the walviz recording format, read and written (see
 * docs/recording-format.md). Pure: callers do the file I/O.
 *
 * A recording is text: header lines "# key: value", then one line per
 * plugin message, "LSN<TAB>XID<TAB>SENT<TAB>RECEIVED<TAB>DATA\n", DATA
 * escaped as PostgreSQL's COPY text format escapes it so that one message
 * is one line. Every line ends in a newline; a last line without one was
 * torn by a crash. */
#ifndef WALVIZ_RECORD_H
#define WALVIZ_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/util.h"

#define WV_RECORD_MAGIC "# walviz recording v1"

/* What is known of a message besides its text. Times are microseconds
 * since the Unix epoch, 0 when unknown. */
typedef struct wv_meta {
    bool has_lsn;
    uint64_t lsn;
    bool has_xid;
    uint32_t xid;
    int64_t send_us; /* the server's send time (XLogData header) */
    int64_t recv_us; /* when walviz received it */
} wv_meta;

/* One "key: value" header entry; the value must not hold a newline. */
void wv_record_header_line(wv_buf *out, const char *key, const char *value);

/* Appends the line for one message, newline included. */
void wv_record_format_line(wv_buf *out, const wv_meta *m, const char *data, size_t len);

/* Appends data with COPY text escapes (\\ \n \r \t, and \ooo octal for other
 * control bytes) to out. */
void wv_record_escape(wv_buf *out, const char *data, size_t len);

/* Undoes COPY text escapes (also \b \f \v, \xHH and \N-free octal) of
 * src[0..len) into out, replacing its contents. Returns 0, or -1 with a
 * sentence in err (at least 96 bytes) on a malformed escape. */
int wv_record_unescape(const char *src, size_t len, wv_buf *out, char *err, size_t errsz);

/* Parses one message line (without its newline): sets *m and puts the
 * unescaped message in data. Returns 0, or -1 with a sentence in err. */
int wv_record_parse_line(const char *line, size_t len, wv_meta *m, wv_buf *data, char *err,
                         size_t errsz);

#endif
