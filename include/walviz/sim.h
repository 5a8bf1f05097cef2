/* sim: the simulated cluster. Given the decoded change stream, it computes
 * when every message reaches each stage on each follower (sent, written,
 * flushed, applied), when each COMMIT is acknowledged under
 * synchronous_commit, and which rows every node holds at any time.
 *
 * Pure and deterministic: no clock (times are passed in and out, in
 * microseconds of session time, t = 0 at the first transaction), no I/O;
 * jitter comes from a hash of (seed, follower, message), so recomputing any
 * part of the schedule reproduces it exactly.
 *
 * The model, in the terms of a database teacher (docs/simulate-json.md
 * names the PostgreSQL source of each point):
 *  - logical decoding sends a transaction at its commit (under
 *    synchronous_commit off, when the WAL writer flushes it), transactions
 *    in commit order; each message leaves the leader in order, taking its
 *    size over the link's bandwidth on the wire; a physical standby gets a
 *    transaction's changes earlier, as their LSNs say the primary wrote them;
 *  - a follower receives one ordered stream: one-way latency plus jitter,
 *    never overtaking. A physical standby flushes what it has read in
 *    bursts and replays flushed WAL in order; a logical subscriber applies
 *    what it receives and its WAL writer flushes later. One change at a
 *    time (apply cost); a transaction becomes visible when its COMMIT is
 *    replayed; streamed transactions wait for their STREAM COMMIT;
 *  - the leader learns of each stage from the follower's replies, a trip
 *    later; its walsender goes startup, catchup, streaming, and only
 *    streaming standbys count for synchronous commit;
 *  - a short partition delays arrivals to its heal; one longer than the
 *    sender timeout ends the connection, and what was in flight is sent
 *    again. A stopped follower (its process) keeps what it wrote; a crashed
 *    one (its machine) loses what it had not flushed; on restart the leader
 *    sends it again.
 * Every stage time is non-decreasing along the stream on each follower, so
 * positions, lags and "next event" are binary searches, and a seek costs no
 * replay. Rows are kept as per-row version lists (see rows.h). */
#ifndef WALVIZ_SIM_H
#define WALVIZ_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "walviz/decode.h"
#include "walviz/record.h"
#include "walviz/reads.h"
#include "walviz/rows.h"
#include "walviz/view.h"

#define WV_SIM_MAX_FOLLOWERS 8
#define WV_SIM_MAX_FAULTS 32 /* per follower; more are refused */
#define WV_SIM_NEVER INT64_MAX
#define WV_SIM_MAX_VIEWS 4    /* --view; more are refused */
#define WV_SIM_VIEW_SQL 400   /* characters of a view's SQL */
#define WV_SIM_MAX_READERS 4  /* --reader; more are refused */

typedef enum wv_stage { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_FLUSHED, WV_STAGE_APPLIED, WV_STAGE_COUNT } wv_stage;

typedef enum wv_sync_level {
    WV_SYNC_OFF,
    WV_SYNC_LOCAL,
    WV_SYNC_REMOTE_WRITE,
    WV_SYNC_ON,
    WV_SYNC_REMOTE_APPLY,
    WV_SYNC_COUNT
} wv_sync_level;

typedef enum wv_time_source { WV_TIME_AUTO, WV_TIME_COMMIT, WV_TIME_RECEIVE, WV_TIME_UNIFORM } wv_time_source;

/* A partition cuts the link (one shorter than the sender timeout ends no
 * connection: TCP delivers what it held after the heal); a stop is a
 * crash of the follower's PostgreSQL (what it wrote survives, the leader
 * sees the connection drop at once); a crash is the machine's (unflushed
 * WAL is lost, the leader notices after the sender timeout). */
typedef enum wv_fault_kind { WV_FAULT_PARTITION, WV_FAULT_STOP, WV_FAULT_CRASH } wv_fault_kind;

typedef struct wv_fault {
    wv_fault_kind kind;
    int64_t from, to; /* [from, to); to = WV_SIM_NEVER until healed */
} wv_fault;

/* A logical subscriber applies what it receives at once and flushes its
 * own commits lazily; a physical standby flushes what it receives and
 * replays what is flushed. Both receive whole transactions at commit. */
typedef enum wv_follower_kind { WV_KIND_LOGICAL, WV_KIND_PHYSICAL } wv_follower_kind;

typedef struct wv_link_cfg {
    int64_t latency_us;    /* one way */
    int64_t jitter_us;     /* extra delay, uniform in [0, jitter) */
    double bandwidth_bps;  /* bytes per second */
    int64_t flush_us;      /* one fsync */
    int64_t apply_us;      /* replaying one change */
    wv_follower_kind kind;
} wv_link_cfg;

typedef struct wv_sim_cfg {
    int nfollowers;
    char names[WV_SIM_MAX_FOLLOWERS][32];
    wv_link_cfg link[WV_SIM_MAX_FOLLOWERS];
    wv_fault faults[WV_SIM_MAX_FOLLOWERS][WV_SIM_MAX_FAULTS];
    int nfaults[WV_SIM_MAX_FOLLOWERS];
    wv_sync_level sync;
    bool sync_any;            /* ANY n (...) rather than FIRST n (...) */
    int sync_num;             /* n */
    int sync_standbys[WV_SIM_MAX_FOLLOWERS]; /* follower indexes, by priority */
    int nsync_standbys;       /* 0: none named, commits never wait on standbys */
    uint64_t seed;
    wv_time_source time_source;
    int64_t max_gap_us;       /* idle gaps longer than this are compressed */
    int64_t uniform_us;       /* spacing of transactions for uniform time */
    bool streaming_parallel;  /* streaming = parallel (16) rather than on (14, 15) */
    int64_t sender_timeout_us; /* wal_sender_timeout */
    int64_t wal_writer_delay_us; /* with synchronous_commit off, a commit
                                  * leaves when the WAL writer flushes it */
    /* A failover: the leader fails at failover_at and follower failover_to
     * (-1: none) is promoted, the new leader promote_us later. */
    int64_t failover_at;
    int failover_to;
    int64_t promote_us;
    /* Sharding (--shard-by 'id % 3'): followers f1..fN are subscribers
     * whose publications carry the row filters WHERE (id % 3 = 0), = 1,
     * = 2; the followers after them get everything. nshards 0: none. */
    char shard_col[64];      /* the column, unquoted */
    int nshards;             /* N: the modulus, and how many followers are shards */
    bool sharding_off;       /* --sharding off: the shards get everything again */
    /* Reports, not the simulation's: views shown per node, and readers
     * (reads.h); both checked when given. */
    char views[WV_SIM_MAX_VIEWS][WV_SIM_VIEW_SQL];
    int nviews;
    wv_read_spec readers[WV_SIM_MAX_READERS];
    int nreaders;
    /* A real node's lane (realnode.h): nothing is modelled for it; its
     * stage times are what wv_sim_observe was told. A partition, stop or
     * crash on it only marks what was done to the real node (the lane and
     * the timeline show it); the other interventions are refused. */
    bool observed[WV_SIM_MAX_FOLLOWERS];

    /* Options as given, turned into the fields above by wv_sim_cfg_check
     * (they may name followers before --followers or --names is seen). */
    struct {
        char *latency, *jitter, *bandwidth, *flush, *apply, *names, *sync_standbys, *kind, *failover;
        char *faults[WV_SIM_MAX_FOLLOWERS * 4];
        wv_fault_kind fault_kinds[WV_SIM_MAX_FOLLOWERS * 4];
        int nfaults;
    } raw;
} wv_sim_cfg;

/* The defaults: 3 followers (near, far, very far), synchronous_commit on
 * with no synchronous standbys (asynchronous replication). Caller-owned
 * storage: wv_sim_cfg_init / wv_sim_cfg_destroy (frees the raw strings). */
void wv_sim_cfg_init(wv_sim_cfg *cfg);
void wv_sim_cfg_destroy(wv_sim_cfg *cfg);

/* Parses one option of `walviz simulate` (and replay, live, demo), e.g.
 * name "latency", value "20ms,200ms". Returns 0, or -1 with a one-line
 * sentence in err naming the option and what it expects. Unknown names
 * return 1 (not a simulation option). Call wv_sim_cfg_check after all. */
int wv_sim_cfg_option(wv_sim_cfg *cfg, const char *name, const char *value, char *err, size_t errsz);
int wv_sim_cfg_check(wv_sim_cfg *cfg, char *err, size_t errsz);
/* The follower a name refers to ("f2", or a --names name), or -1; after
 * wv_sim_cfg_check. */
int wv_sim_cfg_follower(const wv_sim_cfg *cfg, const char *ref);
/* The option names wv_sim_cfg_option knows, for getopt tables; NULL-ended. */
extern const char *const wv_sim_option_names[];
/* The usage text for those options. */
extern const char wv_sim_options_help[];

/* Durations: "250ms", "1.5s", "2m", "800us"; a bare number is seconds. */
int wv_parse_duration(const char *s, int64_t *us);
/* "off", "local", ...: returns -1 for an unknown name. */
int wv_sync_level_parse(const char *s);
const char *wv_sync_level_name(wv_sync_level level);

typedef struct wv_sim wv_sim;

/* Returns a new, empty simulation; free with wv_sim_free (NULL is fine). */
wv_sim *wv_sim_new(const wv_sim_cfg *cfg);
void wv_sim_free(wv_sim *s);
const wv_sim_cfg *wv_sim_config(const wv_sim *s);

/* Appends one message of the stream; the sim keeps a copy of text (or a
 * reference, see wv_sim_borrow_text). A
 * transaction is scheduled when its COMMIT (or PREPARE) arrives; the
 * messages after the last one are scheduled by wv_sim_flush. */
void wv_sim_add(wv_sim *s, const wv_change *c, const wv_meta *m, wv_slice text);
/* Schedules whatever is still pending (end of a recording). */
void wv_sim_flush(wv_sim *s);
/* Texts that lie inside [base, base + len) (a mapped recording, say) are
 * kept by reference rather than copied: base must stay valid, unchanged,
 * until wv_sim_free, which calls release(ctx) when release is not NULL.
 * Call it once, before adding messages. */
void wv_sim_borrow_text(wv_sim *s, const char *base, size_t len, void (*release)(void *ctx), void *ctx);

/* The stream. Message indexes run from 0 to count-1. */
size_t wv_sim_count(const wv_sim *s);
wv_op wv_sim_op(const wv_sim *s, size_t msg);
uint64_t wv_sim_lsn(const wv_sim *s, size_t msg);
bool wv_sim_xid(const wv_sim *s, size_t msg, uint32_t *xid);
wv_slice wv_sim_text(const wv_sim *s, size_t msg);
/* The transaction (scheduling unit) a message belongs to. */
size_t wv_sim_txn_of(const wv_sim *s, size_t msg);
/* When the message leaves the leader: its transaction's commit time. */
int64_t wv_sim_leader_time(const wv_sim *s, size_t msg);
/* Stage times; WV_SIM_NEVER when it has not happened (yet). Sent and
 * written are the first send and the first arrival (a subscriber's applied
 * the first application), also for a message lost and sent again. On a
 * subscriber, applied comes before flushed; on a physical standby, sent and
 * written may come before the leader time. */
int64_t wv_sim_stage(const wv_sim *s, int follower, size_t msg, wv_stage stage);
/* Sets a stage time of a real node's lane (cfg.observed): the first
 * sample showing it past the message. Call in stream order per stage, for
 * scheduled messages; the time is raised to keep what every query relies
 * on (stage times non-decreasing along the stream, none before the
 * leader time of the unit before the message's own) and held within 71
 * minutes of it. */
void wv_sim_observe(wv_sim *s, int follower, size_t msg, wv_stage stage, int64_t at);
/* Adds a real node's lane after the simulation began (a standby that
 * connected later), named name, as wv_realnodes_lanes would have: nothing
 * happened on it yet. Returns its index, or -1 when the lanes are full, the
 * followers are shards, or the name is taken. */
int wv_sim_add_observed(wv_sim *s, const char *name, wv_follower_kind kind);
/* When the leader learns that the message reached stage on the follower:
 * when the reply that reports it (a standby's replay only with its next
 * write or flush, or once caught up; a subscriber's by whole transactions)
 * arrives, the link's latency later (and when the link is back, if it is
 * down). Synchronous commits wait for this; pg_stat_replication's
 * positions pass the message then. The sent time for WV_STAGE_SENT;
 * WV_SIM_NEVER when it never does. */
int64_t wv_sim_stage_known(const wv_sim *s, int follower, size_t msg, wv_stage stage);
/* True when the message was lost, and sent again: in flight when the link
 * went down, or written (a subscriber: applied) but not flushed when the
 * follower crashed. */
bool wv_sim_resent(const wv_sim *s, int follower, size_t msg);

/* Transactions (scheduling units): BEGIN..COMMIT, or a lone message. */
size_t wv_sim_txn_count(const wv_sim *s);
size_t wv_sim_txn_first(const wv_sim *s, size_t txn);
size_t wv_sim_txn_last(const wv_sim *s, size_t txn);
int64_t wv_sim_txn_time(const wv_sim *s, size_t txn);
bool wv_sim_txn_is_commit(const wv_sim *s, size_t txn);
/* Whether its end waits for synchronous standbys: a commit, a PREPARE or
 * a ROLLBACK PREPARED (which has an ack but is not a commit). */
bool wv_sim_txn_waits(const wv_sim *s, size_t txn);
/* When the client's COMMIT returns under the configured level, or
 * WV_SIM_NEVER; *acked gets a bit per follower that counted. */
int64_t wv_sim_txn_ack(const wv_sim *s, size_t txn, unsigned *acked);

/* Compressed gaps: at session time `at`, `original_us` of idleness shown as
 * max_gap. */
typedef struct wv_gap {
    int64_t at, original_us;
} wv_gap;
size_t wv_sim_gaps(const wv_sim *s, const wv_gap **gaps);
/* Session time of the last scheduled event (end of the timeline). */
int64_t wv_sim_end_time(const wv_sim *s);
/* Unix time (us) of session time 0, or 0 when the stream had none. */
int64_t wv_sim_epoch_us(const wv_sim *s);

/* The follower's own positions at time t, the moment it reaches them
 * (pg_stat_wal_receiver, pg_last_wal_replay_lsn() on a standby). A lag is
 * how long the oldest change that left the leader but has not reached
 * that stage yet has been waiting; 0 when caught up ("how far behind
 * right now"). The leader's view, pg_stat_replication's row, is
 * wv_sim_replication_row. */
typedef struct wv_positions {
    uint64_t leader_lsn; /* the leader's position: sent transactions' max LSN */
    uint64_t sent_lsn, write_lsn, flush_lsn, replay_lsn;
    int64_t write_lag, flush_lag, replay_lag;
    uint64_t byte_lag; /* leader_lsn - replay_lsn */
    bool partitioned, stopped; /* stopped: by --stop or --crash */
    bool catching_up; /* departed messages have waited over 1 s to apply; not
                       * pg_stat_replication's catchup (see wv_walsnd_state) */
} wv_positions;
void wv_sim_positions(const wv_sim *s, int follower, int64_t t, wv_positions *out);

/* The leader's own view of a follower, a row of pg_stat_replication at
 * time t: what the follower's replies have told it so far, so a trip
 * later than wv_sim_positions (walsender.c, pg_stat_get_wal_senders). */
typedef enum wv_walsnd_state {
    WV_WALSND_NONE,      /* no walsender: the follower has no row */
    WV_WALSND_STARTUP,   /* connected, START_REPLICATION not seen yet */
    WV_WALSND_CATCHUP,   /* sending the backlog after a (re)connection */
    WV_WALSND_STREAMING  /* caught up once; stays so however far behind */
} wv_walsnd_state;

typedef enum wv_sync_state {
    WV_SYNC_STATE_ASYNC,     /* not in synchronous_standby_names */
    WV_SYNC_STATE_POTENTIAL, /* listed, not counted now (FIRST) or not streaming */
    WV_SYNC_STATE_SYNC,      /* counted for FIRST n */
    WV_SYNC_STATE_QUORUM     /* counted for ANY n */
} wv_sync_state;

#define WV_SIM_LAG_NULL (-1) /* a lag column that is NULL */

typedef struct wv_replication_row {
    wv_walsnd_state state;    /* WV_WALSND_NONE: no row; the rest is zero */
    wv_sync_state sync_state;
    uint64_t sent_lsn, write_lsn, flush_lsn, replay_lsn;
    /* From the send of the newest change a reply confirms to the reply's
     * arrival; kept while idle; WV_SIM_LAG_NULL before the first reply and
     * once two replies in a row said everything sent was replayed. */
    int64_t write_lag, flush_lag, replay_lag;
} wv_replication_row;

/* Fills *row for follower f at time t. A walsender goes startup (a trip
 * after the follower connects), catchup (its START_REPLICATION arrived),
 * streaming (it had sent its backlog); only streaming standbys count for
 * FIRST/ANY. It ends at once when the follower's process crashes, after
 * the sender timeout for a machine crash or a long cut. */
void wv_sim_replication_row(const wv_sim *s, int follower, int64_t t, wv_replication_row *row);
/* Only the state of that row, cheaply. */
wv_walsnd_state wv_sim_walsnd_state(const wv_sim *s, int follower, int64_t t);
/* The first time > t when f's walsender changes state, or WV_SIM_NEVER. */
int64_t wv_sim_next_state_change(const wv_sim *s, int follower, int64_t t);
/* pg_stat_replication's words: "startup", ...; NULL for WV_WALSND_NONE. */
const char *wv_walsnd_state_name(wv_walsnd_state state);
const char *wv_sync_state_name(wv_sync_state state);

/* Interventions at time t fork the future: the schedule before t stays as
 * it was, after t it is recomputed. Return 0, or -1 when refused (too many
 * faults, or none to end). */
int wv_sim_partition(wv_sim *s, int follower, int64_t t);
int wv_sim_heal(wv_sim *s, int follower, int64_t t);
int wv_sim_stop(wv_sim *s, int follower, int64_t t);
/* A machine crash; wv_sim_restart ends it as it ends a stop. */
int wv_sim_crash(wv_sim *s, int follower, int64_t t);
int wv_sim_restart(wv_sim *s, int follower, int64_t t);
/* Replaces all of a follower's faults (at most WV_SIM_MAX_FAULTS, else
 * -1): a lesson going back to a step before its fault needs it gone, which
 * no intervention at a time can do. */
int wv_sim_set_faults(wv_sim *s, int follower, const wv_fault *faults, int n);
int wv_sim_set_latency(wv_sim *s, int follower, int64_t t, int64_t latency_us);
void wv_sim_set_sync(wv_sim *s, wv_sync_level level);
/* The views and readers of from in place of s's (a lesson's step). */
void wv_sim_set_reports(wv_sim *s, const wv_sim_cfg *from);
/* synchronous_standby_names: FIRST/ANY num of the followers listed. */
void wv_sim_set_standbys(wv_sim *s, bool any, int num, const int *followers, int n);
/* The fault covering t on a follower, or NULL. */
const wv_fault *wv_sim_fault_at(const wv_sim *s, int follower, int64_t t);

/* Stepping through events: a commit on the leader, depart (sent), written,
 * flushed, applied, visible (a COMMIT applied), commit acknowledged. */
typedef enum wv_step_filter {
    WV_STEP_ALL,
    WV_STEP_COMMITS,  /* COMMITs: sent, applied (visible), acknowledged */
    WV_STEP_FOLLOWER, /* only events on one follower */
    WV_STEP_MESSAGE   /* only one message's journey */
} wv_step_filter;
/* The first event time > t (next) or < t (prev), or WV_SIM_NEVER / -1 when
 * there is none. arg: the follower or message index for those filters. */
int64_t wv_sim_next_event(const wv_sim *s, int64_t t, wv_step_filter filter, size_t arg);
int64_t wv_sim_prev_event(const wv_sim *s, int64_t t, wv_step_filter filter, size_t arg);

/* How many messages (from the start) have reached stage on follower f by
 * time t; those in flight at t are [reached(WRITTEN), reached(SENT)). */
size_t wv_sim_reached(const wv_sim *s, int follower, wv_stage stage, int64_t t);
/* How many messages have left the leader (their commit) by time t. */
size_t wv_sim_departed(const wv_sim *s, int64_t t);

/* Sharding (sim_shard.c). Follower f < cfg.nshards is shard f: it gets a
 * row change when its key column's value % nshards == f, as a PostgreSQL
 * 15 subscriber whose publication has the row filter WHERE (col % N = f)
 * (pgoutput.c, pgoutput_row_filter):
 *  - an UPDATE whose old key (old-key:) is on another shard goes to both:
 *    PostgreSQL sends the old shard a DELETE and the new one an INSERT;
 *  - a NULL key, a negative remainder (-4 % 3 is -1), a fraction: no shard;
 *  - TRUNCATE, logical messages, streamed blocks (their changes show no
 *    rows), two-phase transactions, and a table without the column (or
 *    with a value that is not a number): every shard;
 *  - BEGIN and COMMIT go to the shards that get one of the transaction's
 *    messages: PostgreSQL 15 sends BEGIN with a transaction's first change
 *    and skips the COMMIT of a transaction it sent nothing of
 *    (pgoutput_commit_txn: "skipped replication of an empty transaction").
 * A message a follower does not get takes no time on its link; its stage
 * times are those of the message before it, or the moment it leaves the
 * leader when later, so stage times stay non-decreasing. */
/* Whether follower f gets message m (always, without sharding). */
bool wv_sim_gets(const wv_sim *s, int f, size_t m);
/* How many of messages [first, end) follower f gets. */
size_t wv_sim_gets_count(const wv_sim *s, int f, size_t first, size_t end);
/* The op as follower f receives message m: an UPDATE that moves its row
 * to another shard reaches the old shard as a DELETE and the new one as an
 * INSERT (pgoutput_row_filter's transformations); else m's op. */
wv_op wv_sim_op_on(const wv_sim *s, int f, size_t m);
/* Whether m reaches f as the DELETE of a row that moves to another shard. */
bool wv_sim_moves_away(const wv_sim *s, int f, size_t m);
/* The last message before end that follower f gets, or WV_ROWS_NONE. */
size_t wv_sim_gets_last(const wv_sim *s, int f, size_t end);
#define WV_SHARD_NONE (-1)  /* no shard owns it (a NULL key, a negative remainder) */
#define WV_SHARD_EVERY (-2) /* every shard holds it (a table without the column) */
/* The shard that holds the row version message m writes (INSERT, UPDATE;
 * a DELETE: the shard it was deleted from), WV_SHARD_NONE or
 * WV_SHARD_EVERY; WV_SHARD_EVERY without sharding. */
int wv_sim_row_shard(const wv_sim *s, size_t m);
/* Whether node (0 the leader, f + 1 a follower) holds row version row:
 * a shard only the rows its filter selects (and a deleted row only where
 * it was); the leader and a follower that is no shard, every row. */
bool wv_sim_holds(const wv_sim *s, int node, wv_row row);
/* count(*) of table on node at time t: the rows it holds. Summed over
 * the shards once they have applied everything, the leader's count (a
 * table every shard holds is counted on each). */
size_t wv_sim_count_rows(const wv_sim *s, int node, size_t table, int64_t t);
/* Whether the followers are shards now (cfg.nshards and not switched off). */
bool wv_sim_sharded(const wv_sim *s);
/* Switches sharding on or off (a lesson's step): every follower is
 * scheduled again. Without --shard-by, nothing changes. */
void wv_sim_set_sharding(wv_sim *s, bool on);

/* Rows. node 0 is the leader (after a failover's promotion, the new
 * one), 1..n the followers. */
#define WV_SIM_LEADER 0
/* Number of transactions whose changes node sees at time t (after a
 * failover this counts the lost ones too, as passed: see wv_sim_row). */
size_t wv_sim_visible(const wv_sim *s, int node, int64_t t);
const wv_rows *wv_sim_rows(const wv_sim *s);
/* Row key as node holds it at t with the first k transactions visible
 * (k from wv_sim_visible, or fewer): after a failover, a node on the new
 * leader's timeline (the new leader, a follower that follows it) never
 * has the lost transactions. */
wv_row wv_sim_row(const wv_sim *s, int node, int64_t t, size_t key, size_t k);
/* Whether row (as wv_sim_row read it: no version of the stream's yet)
 * stands for one from before the stream began: the stream first shows the
 * key updated or deleted, so the node has it, in a version never shown. */
bool wv_sim_row_older(const wv_sim *s, size_t key, wv_row row);
/* The transactions among the first k that node lacks at t, [*from, *to):
 * after a failover, on the new leader's timeline, the lost ones once k
 * passes them; else none (*from == *to == 0). wv_sim_row reads without
 * them. */
void wv_sim_row_gap(const wv_sim *s, int node, int64_t t, size_t k, size_t *from, size_t *to);

/* Failover (sim_failover.c, docs/simulate-json.md). The leader fails at
 * `at`; follower `to` is promoted with what it had received (written) by
 * then, and is the leader from `at` + the promotion time. Transactions
 * the old leader committed that it never received are lost; a client was
 * told of a lost COMMIT if it returned before `at` (wv_sim_txn_ack).
 * The workload's transactions from `at` on commit on the new leader, each
 * that much later (the session grows by the promotion time), and the
 * other followers follow it from where they are; one that received more
 * than the new leader has diverged (PostgreSQL: pg_rewind) and stops.
 * Returns 0, or -1 for a follower out of range; to = -1 removes it. */
int wv_sim_set_failover(wv_sim *s, int64_t at, int to);

typedef struct wv_failover {
    bool on;
    int64_t at, promoted_at; /* the failure; the new leader takes writes */
    int to;                  /* the promoted follower */
    size_t kept;             /* transactions the new leader has: [0, kept) */
    size_t lost_to;          /* [kept, lost_to) are lost: the old leader's after kept */
    size_t acked_commits, acked_changes;     /* lost, their COMMIT returned */
    size_t unacked_commits, unacked_changes; /* lost, never acknowledged */
    unsigned diverged;       /* a bit per follower with more than the new leader */
} wv_failover;
/* Fills *out (out->on false without a failover). */
void wv_sim_failover(const wv_sim *s, wv_failover *out);
/* Whether transaction u is one the failover lost. */
bool wv_sim_txn_lost(const wv_sim *s, size_t u);
/* Transaction u's changes as a loss counts them: row changes and logical
 * messages (for a streamed transaction's commit, those it applies). */
size_t wv_sim_txn_changes(const wv_sim *s, size_t u);
/* The promoted follower when t is at or after the promotion, else -1. */
int wv_sim_leader_at(const wv_sim *s, int64_t t);
/* The first transaction the leader at t committed itself: 0, or after a
 * promotion the new leader's first (those before it are the old leader's,
 * the lost ones among them). */
size_t wv_sim_leader_first_txn(const wv_sim *s, int64_t t);
/* The commits waiting at t: a COMMIT has left the leader but the client's
 * COMMIT has not returned. Standbys release them in LSN order, so they are
 * the newest commits, the leader's own (after a promotion, the new
 * leader's: the old one's sessions got an error); *first gets the oldest
 * one's transaction. */
size_t wv_sim_waiting_commits(const wv_sim *s, int64_t t, size_t *first);
/* Number of transactions a query on node sees at t: on a follower those
 * it has replayed (wv_sim_visible); on the leader those before the oldest
 * COMMIT still waiting for standbys (xact.c keeps a waiting transaction
 * running, invisible to other sessions, until its COMMIT returns). */
size_t wv_sim_readable(const wv_sim *s, int node, int64_t t);

/* A view (view.h) evaluated on the simulation's rows. A node that sees
 * the first k transactions holds the rows as of k (after a failover,
 * without the lost ones on the new leader's timeline: wv_sim_row_gap), so
 * the answer is a function of k and that gap alone: nodes alike share
 * it, and a few recent answers are kept, each row's message decoded once
 * per evaluation. Heap object; s and q must outlive it. */
typedef struct wv_sim_view wv_sim_view;
wv_sim_view *wv_sim_view_new(const wv_sim *s, const wv_view_query *q);
void wv_sim_view_free(wv_sim_view *v);
const wv_view_query *wv_sim_view_query(const wv_sim_view *v);
/* The answer on node at t, over the rows its queries see
 * (wv_sim_readable, wv_sim_row_gap); owned by v, valid until the next
 * call. */
const wv_view_answer *wv_sim_view_at(wv_sim_view *v, int node, int64_t t);
/* The same over the rows as of k that keep(ctx, key) accepts (a shard's
 * part; NULL keeps all), added into a (the caller's, cleared first). */
void wv_sim_view_rows(wv_sim_view *v, size_t k, bool (*keep)(void *ctx, size_t key), void *ctx,
                      wv_view_answer *a);
/* True when the view's table had rows before the stream began (a row's
 * first change is an UPDATE or DELETE): those the stream never changed
 * are not in any answer, as walviz cannot know them. */
bool wv_sim_view_partial(wv_sim_view *v);

/* Views over shards (sim_shard.c). */
/* The shard node is (0 for f1, ...), or -1: the leader, a replica, or
 * no sharding now. */
int wv_sim_shard_of_node(const wv_sim *s, int node);
/* View v over the rows as of k that shard `shard` holds (all rows when
 * shard is -1), into a (the caller's, of v's query; cleared first): a
 * shard's answer at k, or the leader's answer over that shard's part. */
void wv_sim_part_answer(const wv_sim *s, wv_sim_view *v, int shard, size_t k, wv_view_answer *a);
/* View v gathered from every shard at time t, as a coordinator asks each
 * and merges the answers (view.h): into a, with scratch for each shard's
 * (both of v's query). Equal to the leader's answer once every shard has
 * applied what it gets, but for rows no filter selects. */
void wv_sim_gather(const wv_sim *s, wv_sim_view *v, int64_t t, wv_view_answer *a, wv_view_answer *scratch);
/* A view's answers per node, as the inspector and simulate --json list
 * them: nodes 0 (the leader) to nfollowers, then, when sharded,
 * nfollowers + 1 for the shards gathered. wv_sim_node_seen: how many
 * transactions node sees at t (the shards gathered: as many as the
 * furthest behind); an answer is stale when it differs from the one it is
 * compared with and the node sees fewer than the leader. */
size_t wv_sim_node_seen(const wv_sim *s, int node, int64_t t);
/* Node's answer line at t into ans, and into want the line it is compared
 * with: lead (the leader's), or for a shard the leader's over that shard's
 * part. mine and scratch: answers of v's query, the caller's. */
void wv_sim_node_answer(const wv_sim *s, wv_sim_view *v, int node, int64_t t, const char *lead, wv_view_answer *mine,
                        wv_view_answer *scratch, char *ans, char *want, size_t sz);

#endif
