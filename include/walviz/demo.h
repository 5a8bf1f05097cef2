/* demo: a private PostgreSQL cluster and a workload at a human pace, for
 * `walviz demo`. The cluster lives in a temporary directory (unix socket
 * only, no TCP port), run as the current user, or as the `postgres` system
 * user when walviz runs as root (PostgreSQL refuses root). The workload is
 * SQL written to a psql child process: a bank (transfers, some rolled
 * back), a shop (orders and their items: inserts, updates, deletes), now
 * and then a bulk insert of a few thousand rows, a TRUNCATE and a logical
 * message. */
#ifndef WALVIZ_DEMO_H
#define WALVIZ_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wv_demo wv_demo;

/* Where PostgreSQL's server binaries are (initdb, pg_ctl): the directory
 * WALVIZ_PG_BINDIR names when set (only there), else pg_config --bindir,
 * /usr/lib/postgresql/N/bin (newest first), then PATH. Returns 0 with the
 * directory in out, or -1. */
int wv_demo_find_server(char *out, size_t outsz);

/* Stops and removes clusters that a killed walviz left behind (its real
 * nodes' too; their relays died with it). Returns how many demos it
 * cleaned up. */
int wv_demo_cleanup_stale(void);

/* Creates and starts a cluster with the demo's tables. Returns NULL with a
 * sentence in err on failure (having cleaned up). */
wv_demo *wv_demo_start(const char *bindir, double tps, uint64_t seed, char *err, size_t errsz);

/* A libpq conninfo for the cluster (no password: it trusts local users). */
const char *wv_demo_conninfo(const wv_demo *d);
/* The cluster's directory, for messages and tests. */
const char *wv_demo_dir(const wv_demo *d);

/* Starts the workload (after the slot exists, so it sees everything). */
int wv_demo_workload_start(wv_demo *d, char *err, size_t errsz);
/* Sends what is due by now_us; never blocks. */
void wv_demo_tick(wv_demo *d, int64_t now_us);
void wv_demo_pause(wv_demo *d, bool paused);
bool wv_demo_paused(const wv_demo *d);
/* One burst now: a few quick transactions and a bulk insert; returns the
 * bulk insert's rows (sent to the server, for the screen to say). */
int wv_demo_burst(wv_demo *d);

/* Real nodes beside the primary (before the workload starts): a physical
 * standby named standby1 (pg_basebackup -R -X stream -C -S over the
 * primary's socket, then streaming through a relay) and a logical
 * subscriber named sub1 (a cluster of its own with the same tables,
 * subscribed to all of them with streaming = off, through a relay). Each
 * is a private cluster in a directory of the demo's, on a unix socket,
 * run as the server's owner; each relay is `walviz link` (exe: this
 * program) on 127.0.0.1, a child that dies with walviz, with its lane's
 * latency and bandwidth each way. which: WV_DEMO_STANDBY and/or
 * WV_DEMO_SUBSCRIBER. Returns 0, or -1 with a sentence in err (what was
 * started is stopped by wv_demo_stop). */
#define WV_DEMO_STANDBY 1u
#define WV_DEMO_SUBSCRIBER 2u
typedef struct wv_demo_link {
    int64_t latency_us; /* one way */
    double bandwidth_bps;
} wv_demo_link;
int wv_demo_real_start(wv_demo *d, const char *exe, unsigned which, const wv_demo_link *standby,
                       const wv_demo_link *subscriber, char *err, size_t errsz);
/* "standby1=CONNINFO" or "sub1=CONNINFO": the node, for
 * wv_live_observe's direct connections; NULL when it was not started. */
const char *wv_demo_real_observe(const wv_demo *d, unsigned which);

/* The controls on the real nodes (which: one of them): cut its relay
 * (its bytes held, the connection open) or heal it; stop its server
 * (immediate: a crash of its PostgreSQL) or start it again. Return 0, or
 * -1 when that node was not started or pg_ctl failed. */
int wv_demo_real_cut(wv_demo *d, unsigned which, bool cut);
int wv_demo_real_stop(wv_demo *d, unsigned which, bool stop);
bool wv_demo_real_stopped(const wv_demo *d, unsigned which);
/* synchronous_standby_names on the primary (ALTER SYSTEM, reload) and the
 * workload's synchronous_commit from its next transaction; 0, or -1. */
int wv_demo_set_sync(wv_demo *d, const char *standby_names, const char *level);
/* How long the workload's last COMMIT took, as its client (psql's
 * \timing) measured it, in microseconds; -1 before the first. */
int64_t wv_demo_commit_wait(const wv_demo *d);

/* Stops the workload, the real nodes, their relays and the server, and
 * removes the directory. NULL is fine. */
void wv_demo_stop(wv_demo *d);

#endif
