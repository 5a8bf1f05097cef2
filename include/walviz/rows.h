/* rows: every row of every table, as versions over the stream.
 *
 * Each node (leader or follower) applies the same transactions in the same
 * order, only at different times, so what a node holds is "the stream up to
 * its k-th visible transaction". Instead of copying table states, each row
 * keeps the list of its versions tagged with the transaction that makes
 * them visible; reading a row as of k is a short walk back through its
 * versions (a binary search for rows with many), for any node and any
 * time, forward or back.
 *
 * A row is identified within its table by the values of its key columns:
 * the columns the stream shows as an UPDATE's old key or a DELETE's key,
 * else the first column. When the stream reveals a table's key columns
 * only after some rows, the table is re-keyed from its change messages,
 * which the caller provides through a callback. */
#ifndef WALVIZ_ROWS_H
#define WALVIZ_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/decode.h"

#define WV_ROWS_NONE ((size_t)-1)

typedef struct wv_rows wv_rows;

/* Returns the text of message msg (to decode again when re-keying). */
typedef wv_slice (*wv_rows_text_fn)(void *ctx, size_t msg);

wv_rows *wv_rows_new(wv_rows_text_fn text, void *ctx);
void wv_rows_free(wv_rows *r);

/* Keeps what row change c (INSERT, UPDATE, DELETE or TRUNCATE; other ops
 * are ignored) of message msg says, copied, until its transaction's fate
 * is known: the record is decoded once, where the message enters, and the
 * caller's may go. Messages are held in stream order. */
void wv_rows_hold(wv_rows *r, const wv_change *c, size_t msg);
/* The held changes of messages first..last become visible from
 * transaction vis on (COMMIT, COMMIT PREPARED), in stream order. */
void wv_rows_release(wv_rows *r, size_t first, size_t last, size_t vis);
/* The held changes of messages first..last never happen (ROLLBACK
 * PREPARED, a transaction cut off before its end). */
void wv_rows_drop(wv_rows *r, size_t first, size_t last);

size_t wv_rows_table_count(const wv_rows *r);
/* "accounts", or "schema.table" outside public; unquoted. */
const char *wv_rows_table_name(const wv_rows *r, size_t table);
/* The table message msg changes (INSERT, UPDATE, DELETE: known once held
 * if the table was, else once released), or WV_ROWS_NONE. */
size_t wv_rows_table_of(const wv_rows *r, size_t msg);
/* The table's schema and name as the server spells them, unquoted
 * (schema "" when the stream printed none), owned by r. */
const char *wv_rows_table_schema(const wv_rows *r, size_t table);
const char *wv_rows_table_ident(const wv_rows *r, size_t table);
/* The names of the table's key columns, unquoted and owned by r (valid
 * until the next wv_rows_release): writes at most max, returns how many. */
size_t wv_rows_key_columns(const wv_rows *r, size_t table, const char **names, size_t max);

typedef struct wv_row {
    bool exists;
    size_t msg; /* the message whose tuple holds the row's values */
    size_t vis; /* the transaction that made this version visible */
} wv_row;

/* The key id of text (like "id=7") in table, or WV_ROWS_NONE. */
size_t wv_rows_find(const wv_rows *r, size_t table, const char *key_text);
/* The key's text, owned by r and valid until the next wv_rows_apply. */
const char *wv_rows_key_text(const wv_rows *r, size_t key);
/* The row as of the first k transactions. */
wv_row wv_rows_read(const wv_rows *r, size_t key, size_t k);
/* The same without transactions [from, to) (a failover's lost ones: the
 * new leader never had them). */
wv_row wv_rows_read_except(const wv_rows *r, size_t key, size_t k, size_t from, size_t to);
/* Up to max keys of table touched most recently as of k, newest first;
 * returns how many. Deleted rows count as touched. */
size_t wv_rows_recent(const wv_rows *r, size_t table, size_t k, size_t *keys, size_t max);
/* Every key table has had (deleted rows too), in no particular order:
 * writes at most max, returns how many there are. */
size_t wv_rows_keys(const wv_rows *r, size_t table, size_t *keys, size_t max);
/* The message of the key's first version, or WV_ROWS_NONE: an INSERT when
 * the stream saw the row made, an UPDATE or DELETE when it was there
 * before the stream began. */
size_t wv_rows_first_msg(const wv_rows *r, size_t key);
/* The key a change's row has (new key for UPDATE), or WV_ROWS_NONE. */
size_t wv_rows_key_of(const wv_rows *r, size_t msg);

#endif
