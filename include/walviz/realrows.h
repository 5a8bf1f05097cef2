/* realrows: rows read from real nodes. Pure: the answers come in (from
 * src/pg/observe.c, or a recording) and are kept per node, table and row
 * key, so a real node's table panel shows what the node itself returns,
 * not what the stream says it should hold.
 *
 * What is read: the probe, the rows the leader changed most recently in
 * each table (the rows a table panel shows), by their key columns. Each
 * read of a node answers for every key asked: a row that comes back, or
 * one that is not there. A read is kept only when it says something the
 * one before it (of that node, table and key) did not, so memory grows
 * with the changes, not with time. Its time is walviz's clock when the
 * answer arrived, like a position sample's (realnode.h). */
#ifndef WALVIZ_REALROWS_H
#define WALVIZ_REALROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/realnode.h"
#include "walviz/sim.h"
#include "walviz/util.h"

#define WV_PROBE_TABLES 4     /* tables read; the current one first (more are not read) */
#define WV_PROBE_KEYS 12      /* rows per table: as many as a table panel shows */
#define WV_PROBE_KEYCOLS 4    /* a key of more columns is not read */
#define WV_REAL_ROW_COLS 16   /* columns kept of a row read; the rest are dropped */
#define WV_REAL_VALUE_MAX 96  /* of a value, the characters asked for and the bytes kept: what a panel shows */

/* What to read of every node: per table its name as the server spells it
 * (unquoted), its columns, its key columns, and per row the key's text (as
 * wv_rows_key_text gives it, to file the answer) and its values. */
typedef struct wv_real_probe {
    int ntables;
    struct wv_probe_table {
        char table[128];                 /* as wv_rows_table_name says it */
        char schema[64], name[64];       /* unquoted; schema "" for none */
        int ncols;                       /* its columns as the stream shows them; 0: all */
        char col[WV_REAL_ROW_COLS][64];
        int nkeycols;
        char keycol[WV_PROBE_KEYCOLS][64];
        int nkeys;
        char key[WV_PROBE_KEYS][160];
        char value[WV_PROBE_KEYS][WV_PROBE_KEYCOLS][96];
    } t[WV_PROBE_TABLES];
} wv_real_probe;

/* Fills p with the rows the leader changed most recently as of its first
 * k transactions, table first (WV_ROWS_NONE: in stream order). Keys with a
 * NULL, unchanged-TOAST or over-long value are left out. dec decodes the
 * rows' messages. */
void wv_real_probe_build(const wv_sim *sim, size_t k, size_t first, wv_decoder *dec, wv_real_probe *p);
bool wv_real_probe_equal(const wv_real_probe *a, const wv_real_probe *b);

/* A row as a node returned it, or that it did not have (exists false).
 * The strings are owned by the store, valid until it is freed. */
typedef struct wv_real_row {
    int64_t at_us;
    bool exists;
    int ncols;
    const char *name[WV_REAL_ROW_COLS], *value[WV_REAL_ROW_COLS]; /* value "null" for NULL */
} wv_real_row;

typedef struct wv_realrows wv_realrows;

wv_realrows *wv_realrows_new(void);
void wv_realrows_free(wv_realrows *rr); /* NULL is fine */

/* Adds what node read of table's row key at row->at_us (times
 * non-decreasing per key; an earlier one is raised to the last). Returns
 * true when it differs from the read before it (to record), false when it
 * is dropped as the same. The strings are copied. */
bool wv_realrows_add(wv_realrows *rr, int node, const char *table, const char *key, const wv_real_row *row);
/* The newest read of node's row at or before at_us into out; false when
 * none. */
bool wv_realrows_at(const wv_realrows *rr, int node, const char *table, const char *key, int64_t at_us,
                    wv_real_row *out);
/* Whether node has had any row read (its table panel shows reads). */
bool wv_realrows_reads(const wv_realrows *rr, int node);

/* The recording: "#realrow<TAB>NAME<TAB>at=US<TAB>table=T<TAB>key=K", then
 * "absent", or a field "NAME=VALUE" per column, with '%', '=', tab,
 * newline and other control bytes written %XX (docs/recording-format.md). */
#define WV_REALROW_LINE_PREFIX "#realrow\t"
void wv_realrows_format(const char *node_name, const char *table, const char *key, const wv_real_row *row,
                        wv_buf *out);
/* Parses a line (without its newline) into rr for a node rn names.
 * Returns 0, or -1 with a sentence naming what was expected. */
int wv_realrows_parse(wv_realrows *rr, const wv_realnodes *rn, const char *line, size_t len, char *err,
                      size_t errsz);

#endif
