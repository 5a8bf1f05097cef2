/* reader: change streams from files, in the three forms walviz accepts,
 * told apart by their first line:
 *   raw        pg_recvlogical -f - output, one message per line except
 *              where a value or a message's content holds newlines;
 *   copy       "LSN<TAB>XID<TAB>DATA" rows with COPY escapes, as
 *              COPY (SELECT lsn, xid, data FROM pg_logical_slot_peek_changes(...))
 *              TO STDOUT or psql's \copy write them;
 *   recording  walviz's own format (record.h).
 * Memory stays flat: the reader holds one buffer of input, grown only to
 * the longest message, or maps a regular file (see wv_reader_take_mapping),
 * and never past the limit below: a longer message is reported and skipped
 * to the end of its line. */
#ifndef WALVIZ_READER_H
#define WALVIZ_READER_H

#include <stddef.h>
#include <stdint.h>

#include "walviz/decode.h"
#include "walviz/record.h"

typedef enum wv_form { WV_FORM_RAW, WV_FORM_COPY, WV_FORM_RECORDING } wv_form;

typedef struct wv_item {
    wv_change change; /* slices valid until the next wv_reader_next */
    wv_meta meta;     /* xid filled from the change or its transaction */
    wv_slice text;    /* the message exactly as the plugin printed it */
    size_t line;      /* line of the input where the message starts */
} wv_item;

typedef struct wv_reader wv_reader;

#define WV_READER_CHUNK (256 * 1024) /* bytes a read() asks for */
/* The longest message kept: past PostgreSQL's 1 GB value limit. */
#define WV_READER_MAX_MESSAGE (((size_t)1 << 31) - WV_READER_CHUNK)

/* Reads from fd, which the caller keeps and closes; name labels errors.
 * Returns a new reader; free it with wv_reader_free (NULL is fine). */
wv_reader *wv_reader_new(int fd, const char *name);
void wv_reader_free(wv_reader *r);

/* Returns 1 with the next message in *it, 0 at the end of input, or -1
 * when a message could not be read: wv_reader_error() then says
 * "NAME:LINE: what was expected, what was found", and the next call goes on
 * with the message after it. */
int wv_reader_next(wv_reader *r, wv_item *it);
const char *wv_reader_error(const wv_reader *r);

/* Reads of at most chunk bytes, and messages (lines, for the tabular
 * forms) of at most max_message bytes, newline included; both at least 64.
 * A longer message is one error, and the reader goes on after the first
 * newline past its first max_message bytes. Defaults WV_READER_CHUNK and
 * WV_READER_MAX_MESSAGE. Small values let tests put read boundaries
 * anywhere. Call before the first wv_reader_next. */
void wv_reader_set_limits(wv_reader *r, size_t chunk, size_t max_message);

/* Called after every read (and when a signal interrupts one) with the
 * bytes read so far; returning nonzero
 * stops the reader: wv_reader_next returns -1 ("NAME:LINE: stopped"), then
 * 0. For progress on a terminal and for Ctrl-C inside a long message. */
typedef int (*wv_reader_progress_fn)(void *ctx, uint64_t bytes_read);
void wv_reader_set_progress(wv_reader *r, wv_reader_progress_fn fn, void *ctx);

/* A recording's lines that start with '#' and then anything but a space
 * are records of other kinds (docs/recording-format.md), which a reader
 * that does not know them skips. fn, when set, gets each (without its
 * newline) and returns 0, or -1 with a sentence in err, which
 * wv_reader_next reports as "NAME:LINE: ..." before going on. */
typedef int (*wv_reader_record_fn)(void *ctx, const char *line, size_t len, char *err, size_t errsz);
void wv_reader_set_records(wv_reader *r, wv_reader_record_fn fn, void *ctx);

/* The input's form; known after the first wv_reader_next. */
wv_form wv_reader_form(const wv_reader *r);

/* A recording's header value for key, or NULL. Valid while r lives. */
const char *wv_reader_header(const wv_reader *r, const char *key);

/* A regular file is read through a read-only mapping of all of it: then a
 * message's text lies inside the mapping (raw form, and lines with no
 * escape in the other forms) and stays valid as long as the mapping. */
typedef struct wv_mapping {
    const char *data;
    size_t len;
} wv_mapping;

/* The input's mapping, or NULL when it is not mapped (a pipe, a terminal,
 * an empty file). The reader goes on reading from it, but the caller now
 * owns it: release it with wv_mapping_release (which takes NULL too), after
 * the reader is freed and the texts are no longer needed. */
wv_mapping *wv_reader_take_mapping(wv_reader *r);
void wv_mapping_release(void *m);

#endif
