/* observe: samples real standbys and subscribers (realnode.h) over
 * ordinary libpq connections, without ever waiting on the network.
 *
 * One connection to the primary reads pg_stat_replication (joined with
 * pg_replication_slots for the kind of each walsender's slot), less
 * walviz's own walsender; one per node given directly reads its own
 * positions (a standby's pg_stat_wal_receiver and pg_last_wal_replay_lsn(),
 * a subscriber's pg_stat_subscription and pg_replication_origin_status).
 * Each connection sends its query again once the answer is in and the
 * interval has passed (25 a second), and a sample's time is walviz's
 * clock when the answer arrived. A connection that fails is tried again a
 * second later; the status line says why.
 *
 * With a probe (realrows.h), each direct node's query also reads the rows
 * the probe names, by their keys, into rn's rows: one round trip a sample.
 * A table the node does not have or lets walviz read is not asked again. */
#ifndef WALVIZ_OBSERVE_H
#define WALVIZ_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/realnode.h"
#include "walviz/realrows.h"

#define WV_OBSERVE_INTERVAL_US 40000 /* 25 samples a second per connection */

typedef struct wv_observer wv_observer;

/* A new observer filling rn (the caller keeps rn, and it must outlive the
 * observer). primary_kw/primary_val: the primary's connection parameters,
 * NULL-terminated (copied); NULL for no primary connection. Nothing
 * connects yet. Free with wv_observer_free (NULL is fine). */
wv_observer *wv_observer_new(wv_realnodes *rn, const char *const *primary_kw, const char *const *primary_val);
void wv_observer_free(wv_observer *o);

/* Adds a node sampled directly: NAME=CONNINFO, as --observe takes it.
 * Returns 0, or -1 with a sentence in err. Before wv_observer_discover. */
int wv_observer_direct(wv_observer *o, const char *spec, char *err, size_t errsz);

/* Connects (waiting at most timeout_us in all), asks the primary for its
 * walsenders (less own_pid's, walviz's own; 0 for none) and adds a node for
 * each, physical or logical by its slot, and asks each direct node whether
 * it is a standby. Nodes are added to rn in that order, the direct ones
 * merged with the primary's of the same application_name. Returns how
 * many nodes there are, or -1 with a sentence in err. discover: list the
 * primary's walsenders (--observe alone), and add those that appear later
 * as they do; else only the direct nodes are drawn, the primary still
 * sampled for its view of them. */
int wv_observer_start(wv_observer *o, bool discover, int own_pid, int64_t timeout_us, char *err, size_t errsz);

/* What to read of the nodes from the next query on (copied). */
void wv_observer_probe(wv_observer *o, const wv_real_probe *p);

/* Called for a sample, or a row read, that says something new (to record
 * it). */
typedef struct wv_observer_fns {
    void (*node)(void *ctx, int node, int64_t at_us); /* a walsender that appeared later */
    void (*sample)(void *ctx, int node, const wv_real_sample *s);
    void (*row)(void *ctx, int node, const char *table, const char *key, const wv_real_row *row);
    void *ctx;
} wv_observer_fns;

/* Does what the sockets allow now: reads answers into rn (calling fns,
 * NULL for none, for the new ones), sends queries that are due. */
void wv_observer_poll(wv_observer *o, int64_t now_us, const wv_observer_fns *fns);

/* Why a connection is not sampling, or NULL when all are. */
const char *wv_observer_status(wv_observer *o);

#endif
