/* view: a report, as a small SQL query over one table, evaluated on the
 * rows a node holds. Accepted:
 *
 *   SELECT count(*) | count(col) | sum(col) | min(col) | max(col) | avg(col)
 *          [, ...] FROM table [WHERE col = value] [GROUP BY col]
 *
 * (the GROUP BY column may be selected too); anything else is refused with
 * a sentence saying what is accepted.
 *
 * With PostgreSQL's semantics: sums and averages are exact numeric
 * arithmetic on the values' text ("480.00" + "20" = "500.00", the scale of
 * the widest input), avg rounds as numeric division does (select_div_scale
 * in numeric.c: at least 16 significant digits), NULLs are skipped,
 * count(*) counts rows, sum/min/max/avg of no value is NULL. min and max
 * compare numbers as numbers and text byte by byte (the C collation of
 * walviz's sample databases). Groups come out in ascending order of their
 * value (PostgreSQL leaves the order to the plan without ORDER BY).
 *
 * Pure, and independent of where rows come from: a caller (the simulation's
 * wv_sim_view_answer for a node's visible rows, a shard's subset, ...)
 * feeds rows one by one into an answer, and answers over parts merge into
 * the answer over the whole (a view gathered over shards). Not to be
 * confused with the scene's wv_view (what a frame shows). */
#ifndef WALVIZ_VIEW_H
#define WALVIZ_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/decode.h"

#define WV_VIEW_MAX_ITEMS 8 /* select-list items; more are refused */

typedef struct wv_view_query wv_view_query;

/* Parses sql. Returns the query (free with wv_view_query_free, NULL is
 * fine), or NULL with a sentence in err saying what is accepted and what
 * was found. */
wv_view_query *wv_view_parse(const char *sql, char *err, size_t errsz);
void wv_view_query_free(wv_view_query *q);

/* The query written out again, normalised ("SELECT sum(balance) FROM
 * accounts"); owned by q. */
const char *wv_view_sql(const wv_view_query *q);
/* The table, as wv_rows_table_name names it ("accounts", "shop.orders"). */
const char *wv_view_table(const wv_view_query *q);
/* The columns a row must supply to wv_view_add, in this order (unquoted
 * names, owned by q); returns how many. */
size_t wv_view_inputs(const wv_view_query *q, const char *const **names);
/* The output columns: "sum(balance)", "owner" for a selected group column. */
size_t wv_view_outputs(const wv_view_query *q);
const char *wv_view_output_name(const wv_view_query *q, size_t i);

/* An answer under construction, or a finished one: per group, the state
 * of each aggregate. Heap object of one query (which must outlive it). */
typedef struct wv_view_answer wv_view_answer;
wv_view_answer *wv_view_answer_new(const wv_view_query *q);
void wv_view_answer_free(wv_view_answer *a);
/* Empties it, for the next evaluation. */
void wv_view_answer_clear(wv_view_answer *a);

/* Adds one row: cols[i] is the row's column named by wv_view_inputs' i-th
 * name as the stream printed it, NULL when the row has no such column
 * (taken as NULL). Rows failing WHERE are skipped. A value an aggregate
 * cannot take (sum of text, a number past 80 digits) makes the answer an
 * error, as the query would fail in PostgreSQL; adding goes on harmlessly. */
void wv_view_add(wv_view_answer *a, const wv_column *const *cols);
/* Adds what from holds (same query) into into: the answer over the union
 * of both rows, as a coordinator gathers a view over shards. */
void wv_view_merge(wv_view_answer *into, const wv_view_answer *from);

/* The first error met ("sum(owner): 'customer 1' is not a number"), or
 * NULL. */
const char *wv_view_error(const wv_view_answer *a);
/* Result rows: 1 without GROUP BY (even over no rows: count 0, sum NULL),
 * else one per group, in ascending order of the group's value. */
size_t wv_view_rows(const wv_view_answer *a);
/* The text of output column col of result row row, as psql prints it;
 * NULL for SQL NULL. Owned by a, valid until a changes. */
const char *wv_view_cell(const wv_view_answer *a, size_t row, size_t col);
/* True when both say the same (error text, rows and cells). */
bool wv_view_answer_equal(const wv_view_answer *a, const wv_view_answer *b);
/* The answer on one line: "4000.00"; "4000.00, 8" for several items;
 * "customer 1: 2 · customer 2: 1" by group; NULL as "NULL"; an error as
 * "error: ...". Cut to fit outsz. */
void wv_view_answer_line(const wv_view_answer *a, char *out, size_t outsz);

#endif
