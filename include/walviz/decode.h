/* decode: one test_decoding message -> one change record. No I/O.
 *
 * The parser works on the message text in place: names, types, values and
 * contents in the record are slices of the caller's buffer, still in the
 * form the plugin printed them (quoted identifiers keep their quotes,
 * literals keep their '' doubling). wv_decode_ident() and
 * wv_decode_literal() undo the quoting when the text is needed. Column
 * arrays live in the decoder and are reused, so a message costs no
 * allocation once the arrays have grown to the widest table.
 *
 * The grammar is that of contrib/test_decoding (PostgreSQL 15 to 17). */
#ifndef WALVIZ_DECODE_H
#define WALVIZ_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/util.h"

typedef enum wv_op {
    WV_OP_BEGIN,
    WV_OP_COMMIT,
    WV_OP_INSERT,
    WV_OP_UPDATE,
    WV_OP_DELETE,
    WV_OP_TRUNCATE,
    WV_OP_MESSAGE,
    WV_OP_PREPARE,
    WV_OP_COMMIT_PREPARED,
    WV_OP_ROLLBACK_PREPARED,
    WV_OP_STREAM_START,
    WV_OP_STREAM_STOP,
    WV_OP_STREAM_CHANGE,
    WV_OP_STREAM_MESSAGE,
    WV_OP_STREAM_TRUNCATE,
    WV_OP_STREAM_COMMIT,
    WV_OP_STREAM_ABORT,
    WV_OP_STREAM_PREPARE,
    WV_OP_UNKNOWN, /* a payload that could not be decoded; the parser never returns it */
    WV_OP_COUNT
} wv_op;

/* "BEGIN", "COMMIT PREPARED", "STREAM START", ..., "UNKNOWN". */
const char *wv_op_name(wv_op op);

/* op itself when it names an op, else WV_OP_UNKNOWN: what a consumer
 * indexes arrays with. */
wv_op wv_op_known(int op);

/* The op classes, in one place:
 *  - a row change: INSERT, UPDATE, DELETE, TRUNCATE (rows on the node);
 *  - a commit: the message that makes a transaction's changes happen
 *    (COMMIT, COMMIT PREPARED, STREAM COMMIT) or durable for later
 *    (PREPARE, STREAM PREPARE), what a synchronous commit waits for. */
bool wv_op_is_row_change(wv_op op);
bool wv_op_is_commit(wv_op op);

typedef enum wv_value_kind {
    WV_VAL_NULL,   /* null */
    WV_VAL_TOAST,  /* unchanged-toast-datum: the value was not sent */
    WV_VAL_BARE,   /* numbers, true/false: value is the text as printed */
    WV_VAL_QUOTED, /* '...': value is between the quotes, '' still doubled */
    WV_VAL_BITS    /* B'...': value is the digits between the quotes */
} wv_value_kind;

typedef struct wv_column {
    wv_slice name;  /* as printed: a quoted identifier keeps its quotes */
    wv_slice type;  /* as printed by format_type_be */
    wv_slice value; /* see wv_value_kind */
    wv_value_kind kind;
} wv_column;

typedef struct wv_tuple {
    bool present;          /* false for (no-tuple-data) or when not printed */
    const wv_column *cols; /* owned by the decoder */
    size_t ncols;
} wv_tuple;

typedef struct wv_relname {
    wv_slice schema; /* as printed: quoted identifiers keep their quotes */
    wv_slice table;
} wv_relname;

typedef struct wv_change {
    wv_op op;
    bool has_xid; /* the plugin printed an xid (include-xids, TXN n) */
    uint32_t xid;
    wv_slice timestamp; /* text inside "(at ...)"; ptr NULL when absent */
    wv_slice gid;       /* two-phase: between the quotes, '' still doubled */
    bool gid_escaped;   /* gid printed as E'...': backslashes doubled too */

    /* INSERT, UPDATE, DELETE */
    wv_relname rel;
    wv_tuple old_tuple; /* UPDATE old-key, or the DELETE key/row */
    wv_tuple new_tuple;

    /* TRUNCATE: tables owned by the decoder */
    const wv_relname *tables;
    size_t ntables;
    bool restart_seqs;
    bool cascade;

    /* MESSAGE, STREAM MESSAGE */
    bool transactional;
    wv_slice prefix;
    size_t size;      /* sz as printed */
    bool has_content; /* STREAM MESSAGE omits transactional content */
    wv_slice content; /* exactly size raw bytes; may hold NUL and newlines */
} wv_change;

typedef enum wv_decode_status {
    WV_DECODE_OK,
    WV_DECODE_INCOMPLETE, /* framing only: the message runs past the buffer */
    WV_DECODE_ERROR
} wv_decode_status;

typedef struct wv_decoder wv_decoder;

/* Returns a new decoder; free it with wv_decode_free (NULL is fine). */
wv_decoder *wv_decode_new(void);
void wv_decode_free(wv_decoder *d);

/* Parses one message that is exactly buf[0..len), as an XLogData payload,
 * a COPY row or a recording line delivers it. On WV_DECODE_ERROR,
 * wv_decode_error() says what was expected and what was found. The record
 * points into buf and into the decoder: both must outlive its use, and the
 * next call reuses the decoder's arrays. Never returns INCOMPLETE. */
wv_decode_status wv_decode_message(wv_decoder *d, const char *buf, size_t len, wv_change *out);

/* Parses one message of raw plugin output (pg_recvlogical -f -), where a
 * message ends at a newline that is not inside a quoted value or inside a
 * message's content. On OK, *consumed counts the message and its newline.
 * INCOMPLETE: buf holds no complete message yet; read more, or at end of
 * input parse the rest with wv_decode_message. */
wv_decode_status wv_decode_line(wv_decoder *d, const char *buf, size_t len, wv_change *out,
                                size_t *consumed);

/* Describes the last error; valid until the next call on d. */
const char *wv_decode_error(const wv_decoder *d);
/* Offset in the message where the last error was found. */
size_t wv_decode_error_offset(const wv_decoder *d);

/* The transaction a stream is in, for settling xids; zero it to start. */
typedef struct wv_xid_state {
    bool in_xact, has_xid;
    uint32_t xid;
} wv_xid_state;

/* The one place a message's xid is settled: its own (include-xids), else
 * the one that came with it (given: a COPY row's or a recording's xid
 * column), else, for a message of the open transaction (a row change,
 * COMMIT, a transactional MESSAGE), the transaction's: the raw form prints
 * it only on BEGIN and COMMIT. Follows BEGIN and COMMIT/PREPARE in st.
 * Returns whether *xid was set. */
bool wv_xid_settle(wv_xid_state *st, const wv_change *c, bool has_given, uint32_t given,
                   uint32_t *xid);

/* Parses a timestamp as test_decoding prints "(at ...)" with ISO DateStyle:
 * "2026-11-25 15:32:37.640021+00" (offset +HH, +HH:MM or +HH:MM:SS).
 * Returns 0 and microseconds since the Unix epoch, or -1. */
int wv_decode_timestamp(wv_slice s, int64_t *unix_us);

/* Writes the text of an identifier as printed (quoted or bare) without its
 * quoting to out, which needs room for s.len bytes; returns the length. */
size_t wv_decode_ident(wv_slice s, char *out);
/* Writes the text of a literal body ('' doubled, and \\ too when escaped)
 * to out, which needs room for s.len bytes; returns the length. */
size_t wv_decode_literal(wv_slice s, bool escaped, char *out);

/* What a decoded record reads as, for the screen and for answers:
 * wv_display_line: one line of text, newlines and tabs shown as \n and \t,
 * cut at max bytes; wv_column_name: a column's name, unquoted;
 * wv_column_value: its value, unquoted, "null" for NULL, "(unchanged)" for
 * an unchanged TOAST value; wv_change_row: the tuple that holds a change's
 * row (new, else old). */
void wv_display_line(wv_slice text, char *out, size_t max);
void wv_column_name(const wv_column *col, char *out, size_t max);
void wv_column_value(const wv_column *col, char *out, size_t max);
/* A non-NULL, sent column's value as the type's output function printed
 * it (unquoted, nothing escaped): out needs col->value.len + 1 bytes;
 * returns its length. */
size_t wv_column_raw(const wv_column *col, char *out);
const wv_tuple *wv_change_row(const wv_change *c);

#endif
