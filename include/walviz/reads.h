/* reads: clients reading from the simulated nodes, and what they get.
 *
 * A reader reads one row's column (table and key, "accounts id=3
 * balance"), or the first view (--view), from a node, at given times or at
 * a steady rate. Patterns a teacher switches on:
 *  - plain: always the same node ("on f2");
 *  - ryw, read-your-writes: the client wrote the row on the leader (each
 *    recorded transaction that changes it), and reads it back from a
 *    follower as soon as its COMMIT returns; broken when the follower has
 *    not replayed that transaction yet;
 *  - monotonic: successive reads go to the followers in turn; broken when
 *    a read returns an older version of the row than a read before it
 *    (the session went back in time);
 *  - routed: writes to the leader, reads to the followers in turn, as an
 *    application's read/write splitting does; a read is stale when the
 *    leader would have answered otherwise at that moment.
 * A read happens at its moment on its node: the rows that node shows
 * queries then (wv_sim_readable); the trip from client to node is not
 * modelled. Pure: the schedule comes from the simulation. */
#ifndef WALVIZ_READS_H
#define WALVIZ_READS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WV_READS_MAX_AT 16     /* times in one `at` list; more are refused */
#define WV_READS_MAX 10000     /* reads of one reader; later ones are not made */

typedef enum wv_read_pattern { WV_READ_PLAIN, WV_READ_RYW, WV_READ_MONOTONIC, WV_READ_ROUTED } wv_read_pattern;

/* A reader as written: "[ryw|monotonic|routed] (TABLE KEY=VALUE [COLUMN] |
 * view) [on NODE] [every DURATION] [at T,T,...]". */
typedef struct wv_read_spec {
    wv_read_pattern pattern;
    bool view;           /* reads the first view rather than a row */
    char table[64];      /* "accounts", as wv_rows_table_name names it */
    char key[128];       /* "id=3", as wv_rows_key_text writes it */
    char column[64];     /* "" for every column but the key's */
    char node[32];       /* "leader", a follower's name; "" for the followers in turn */
    int64_t every_us;    /* 0: no steady rate */
    int64_t at[WV_READS_MAX_AT];
    int nat;
} wv_read_spec;

/* Parses a reader; returns 0, or -1 with a sentence in err saying what is
 * expected. Node names are checked against the followers later
 * (wv_sim_cfg_check). */
int wv_read_spec_parse(const char *s, wv_read_spec *out, char *err, size_t errsz);
/* "read-your-writes", "monotonic reads", "routed", "plain". */
const char *wv_read_pattern_name(wv_read_pattern p);

typedef struct wv_sim wv_sim; /* sim.h */

typedef enum wv_read_broke { WV_BROKE_NONE, WV_BROKE_RYW, WV_BROKE_MONOTONIC } wv_read_broke;

/* One read and its answer beside the leader's at that moment. */
typedef struct wv_read {
    int reader;       /* the reader's index in the configuration */
    size_t seq;       /* its n-th read, from 0 */
    int64_t at;       /* session time */
    int node;         /* 0 the leader, 1.. the followers */
    size_t write_txn; /* ryw: the client's write it follows, else (size_t)-1 */
    size_t version;   /* what the node had: the row's version (its transaction + 1), 0 for none; a view: transactions seen */
    char query[200];  /* "SELECT balance FROM accounts WHERE id = 3" */
    char answer[120], leader[120]; /* "480.00", "(no row)", "NULL" */
    bool stale;       /* older than the leader's answer (a node can also be
                       * ahead: a remote_apply standby shows a commit the
                       * leader's sessions see once its COMMIT returns) */
    wv_read_broke broke;
} wv_read;

/* "read-your-writes", "monotonic reads"; NULL for none. */
const char *wv_read_broke_name(wv_read_broke b);

/* The reads of a simulation's configured readers (wv_sim_cfg readers and
 * views). Heap object; s must outlive it. */
typedef struct wv_reads wv_reads;
wv_reads *wv_reads_new(const wv_sim *s);
void wv_reads_free(wv_reads *r);
/* Every read of every reader at or before until (WV_SIM_NEVER: all of
 * them), ordered by reader, then time; *out points into r, valid until the
 * next call. Computed again each call, from the schedule as it is now. */
size_t wv_reads_run(wv_reads *r, int64_t until, const wv_read **out);

/* A reader's counts over reads (as wv_reads_run gives them), and its
 * latest read, NULL when it made none. */
typedef struct wv_read_counts {
    size_t reads, stale, broken;
    const wv_read *last;
} wv_read_counts;
wv_read_counts wv_reads_count(const wv_read *reads, size_t n, int reader);

#endif
