/* realnode: real standbys and subscribers, as walviz samples them. Pure:
 * the samples come in (from src/pg/observe.c, or a recording), and their
 * positions are mapped onto the decoded stream.
 *
 * A node is seen two ways, each a series of samples: the primary's view
 * (its row of pg_stat_replication: state, sync_state, the positions its
 * replies reported, the lags) and, with a direct connection, the node's own
 * (a standby's pg_stat_wal_receiver and pg_last_wal_replay_lsn(), a
 * subscriber's pg_stat_subscription.received_lsn and
 * pg_replication_origin_status.remote_lsn). A sample's time is walviz's
 * own clock when the answer arrived, never the node's, so machines with
 * unsynchronised clocks line up; it is late by the query's round trip.
 *
 * The mapping: a transaction reached a stage on the node at the first
 * sample whose position is at or past its COMMIT's LSN (the end of the
 * commit record, where PostgreSQL's positions land). A subscriber's
 * positions also move inside open transactions, which the COMMIT LSN
 * ignores. Sent comes from the primary's view; written, flushed and
 * replayed from the node's own when it has a direct connection, else from
 * the primary's (a reply later). Each lane is a follower of the simulation
 * marked observed (wv_sim_observe). */
#ifndef WALVIZ_REALNODE_H
#define WALVIZ_REALNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/sim.h"
#include "walviz/util.h"

#define WV_REAL_MAX_NODES 4 /* more are refused (the lanes share the simulation's 8) */
#define WV_REAL_NULL_LAG (-1) /* a lag column that is NULL */

typedef enum wv_real_view {
    WV_REAL_PRIMARY, /* the primary's pg_stat_replication row */
    WV_REAL_OWN      /* the node's own positions */
} wv_real_view;

typedef struct wv_real_sample {
    int64_t at_us;           /* walviz's clock when the answer arrived (Unix µs) */
    wv_real_view view;
    char state[12];          /* PRIMARY: pg_stat_replication.state; "" when no row */
    char sync_state[12];     /* PRIMARY: its sync_state */
    uint64_t sent;           /* PRIMARY: sent_lsn; 0 is NULL everywhere */
    uint64_t write, flush, replay; /* PRIMARY: write/flush/replay_lsn; OWN: the node's */
    int64_t write_lag, flush_lag, replay_lag; /* PRIMARY, µs; WV_REAL_NULL_LAG */
    int64_t reply_time_us;   /* PRIMARY: the node's clock when it replied; 0: NULL */
} wv_real_sample;

typedef struct wv_realnodes wv_realnodes;
typedef struct wv_realrows wv_realrows;

/* Returns a new, empty set; free with wv_realnodes_free (NULL is fine). */
wv_realnodes *wv_realnodes_new(void);
void wv_realnodes_free(wv_realnodes *rn);
/* The rows read from the nodes (realrows.h), owned by rn. */
wv_realrows *wv_realnodes_rows(const wv_realnodes *rn);

/* Adds a node (name: its application_name, at most 31 bytes); direct: its
 * own view is sampled. Returns its index, or -1 when full or the name is
 * taken. */
int wv_realnodes_add(wv_realnodes *rn, const char *name, wv_follower_kind kind, bool direct);
/* Marks a node found through the primary as sampled directly too, of the
 * kind it says it is; returns node. */
int wv_realnodes_set_direct(wv_realnodes *rn, int node, wv_follower_kind kind);
size_t wv_realnodes_count(const wv_realnodes *rn);
int wv_realnodes_find(const wv_realnodes *rn, const char *name);
const char *wv_realnodes_name(const wv_realnodes *rn, int node);
wv_follower_kind wv_realnodes_kind(const wv_realnodes *rn, int node);
bool wv_realnodes_direct(const wv_realnodes *rn, int node);

/* Appends a lane per node to cfg (after wv_sim_cfg_check), observed and
 * named after it. Returns 0, or -1 with a sentence in err when the lanes
 * would pass WV_SIM_MAX_FOLLOWERS or a name is a simulated follower's. */
int wv_realnodes_lanes(wv_realnodes *rn, wv_sim_cfg *cfg, char *err, size_t errsz);
/* A standby of a standby: node streams from upstream (a node), not from
 * the primary, and its "primary's view" is upstream's pg_stat_replication
 * row of it. -1: from the primary (the default). */
void wv_realnodes_set_upstream(wv_realnodes *rn, int node, int upstream);
int wv_realnodes_upstream(const wv_realnodes *rn, int node);

/* Gives the nodes added since the simulation began (found later, or read
 * from #realnode lines) their lanes in sim. Returns how many joined; a
 * node that finds no room (8 lanes, or shards) is not tried again. */
int wv_realnodes_join(wv_realnodes *rn, wv_sim *sim);
/* A node that joined later, in a recording: "#realnode<TAB>NAME<TAB>
 * kind=physical|logical<TAB>at=US[<TAB>via=UPSTREAM]", before its first
 * sample. */
#define WV_REAL_NODE_PREFIX "#realnode\t"
void wv_realnodes_format_node(const wv_realnodes *rn, int node, int64_t at_us, wv_buf *out);
/* Parses such a line and adds the node. Returns 0, or -1 with a sentence. */
int wv_realnodes_parse_node(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz);
/* The node drawn as follower f, or -1 (a simulated one). */
int wv_realnodes_node_of(const wv_realnodes *rn, int follower);

/* Adds a sample (times non-decreasing per view; an earlier one is raised
 * to the last) when it says something the last one of its view did not (a
 * position, a lag, a state), and returns true: only those need recording.
 * One that says the same is dropped (false): the last one stands for it. */
bool wv_realnodes_add_sample(wv_realnodes *rn, int node, const wv_real_sample *s);
/* The newest sample of that view taken at or before at_us, or NULL. */
const wv_real_sample *wv_realnodes_sample_at(const wv_realnodes *rn, int node, wv_real_view view,
                                             int64_t at_us);

/* Maps the samples so far onto sim's scheduled transactions (every lane
 * made by wv_realnodes_lanes), from where the last call stopped. */
void wv_realnodes_map(wv_realnodes *rn, wv_sim *sim);

/* The recording: a header line naming the nodes (key "real-nodes", value
 * "NAME:physical|logical[:direct],..."), and a line per sample,
 * "#real<TAB>NAME<TAB>field=value..." (docs/recording-format.md). */
#define WV_REAL_HEADER_KEY "real-nodes"
void wv_realnodes_header_value(const wv_realnodes *rn, wv_buf *out);
/* Adds the nodes a header value names. Returns 0, or -1 with a sentence. */
int wv_realnodes_parse_header(wv_realnodes *rn, const char *value, char *err, size_t errsz);
/* Appends a sample's line, newline included. */
void wv_realnodes_format(const wv_realnodes *rn, int node, const wv_real_sample *s, wv_buf *out);
/* Parses a sample line (without its newline) and adds the sample.
 * Returns 0, or -1 with a sentence naming what was expected. */
int wv_realnodes_parse(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz);
#define WV_REAL_LINE_PREFIX "#real\t"
/* The node a record line's first field names, or -1 with a sentence. */
int wv_realnodes_line_node(const wv_realnodes *rn, wv_slice name, char *err, size_t errsz);

/* The demo's relays: a header line (key "real-links", value
 * "NAME:LATENCY_US:BANDWIDTH_BPS,...") gives each real lane the link its
 * relay had, to say on the lane as the demo did. */
#define WV_REAL_LINKS_KEY "real-links"
void wv_realnodes_links_value(const wv_realnodes *rn, const wv_sim_cfg *cfg, wv_buf *out);
/* Sets the links a header value names on the lanes of cfg (after
 * wv_realnodes_lanes). Returns 0, or -1 with a sentence. */
int wv_realnodes_parse_links(const wv_realnodes *rn, wv_sim_cfg *cfg, const char *value, char *err, size_t errsz);

/* What was done to a real node (the demo's keys): its relay cut or healed,
 * its server stopped or started. Kept, recorded as
 * "#realmark<TAB>NAME<TAB>at=US<TAB>mark=cut|heal|stop|start", and marked
 * on its lane as a simulated follower's faults are. */
typedef enum wv_real_mark { WV_REAL_CUT, WV_REAL_HEAL, WV_REAL_STOP, WV_REAL_START } wv_real_mark;
#define WV_REAL_MAX_MARKS 64 /* per node; more are dropped */
void wv_realnodes_add_mark(wv_realnodes *rn, int node, wv_real_mark mark, int64_t at_us);
void wv_realnodes_format_mark(const wv_realnodes *rn, int node, wv_real_mark mark, int64_t at_us, wv_buf *out);
/* Parses a mark line (without its newline) and keeps it. Returns 0, or -1
 * with a sentence. */
int wv_realnodes_parse_mark(wv_realnodes *rn, const char *line, size_t len, char *err, size_t errsz);
#define WV_REAL_MARK_PREFIX "#realmark\t"
/* Marks the kept marks on the nodes' lanes of sim (once, after a load). */
void wv_realnodes_apply_marks(const wv_realnodes *rn, wv_sim *sim);

#endif
