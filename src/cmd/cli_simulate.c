/* cli_simulate: `walviz simulate`, the schedule of a stream as JSON Lines
 * or as a summary a teacher can read. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/realnode.h"
#include "walviz/realrows.h"
#include "walviz/json.h"
#include "walviz/reader.h"
#include "walviz/sim.h"
#include "walviz/clock.h"

static const char usage_head[] =
    "Usage: walviz simulate [OPTIONS] FILE\n"
    "\n"
    "Simulates the stream in FILE (a recording, raw pg_recvlogical output or\n"
    "COPY output; - for stdin) travelling to followers and prints when each\n"
    "message is sent, written, flushed and applied on each, and when each\n"
    "commit is acknowledged. See docs/simulate-json.md.\n"
    "\n"
    "  --json                  JSON Lines, one object per (message, follower)\n"
    "                          and one per transaction (default: a summary)\n"
    "  -h, --help              show this help\n"
    "\n";

/* Progress of a long load, on a terminal only, from its second second. */
typedef struct load_progress {
    const char *name;
    int64_t started_us, shown_us;
    uint64_t size; /* 0 when unknown (a pipe) */
    bool tty, shown;
} load_progress;

#define PROGRESS_AFTER_US 1000000
#define PROGRESS_EVERY_US 250000

static int on_read(void *ctx, uint64_t bytes)
{
    load_progress *p = ctx;
    if (wv_cli_interrupted)
        return 1; /* stops a read inside a long message */
    if (!p->tty)
        return 0;
    int64_t now = wv_now_us();
    if (now - p->started_us < PROGRESS_AFTER_US || now - p->shown_us < PROGRESS_EVERY_US)
        return 0;
    p->shown_us = now;
    p->shown = true;
    if (p->size)
        fprintf(stderr, "\r\033[Kloading %s: %.0f of %.0f MB (%d%%), Ctrl-C stops", p->name,
                (double)bytes / 1e6, (double)p->size / 1e6, (int)(bytes * 100 / p->size));
    else
        fprintf(stderr, "\r\033[Kloading %s: %.0f MB, Ctrl-C stops", p->name, (double)bytes / 1e6);
    return 0;
}

/* A record line of the real nodes: a position sample, or a row read. */
static int take_real(void *ctx, const char *line, size_t len, char *err, size_t errsz)
{
    if (wv_has_prefix(line, len, WV_REALROW_LINE_PREFIX))
        return wv_realrows_parse(wv_realnodes_rows(ctx), ctx, line, len, err, errsz);
    if (wv_has_prefix(line, len, WV_REAL_MARK_PREFIX))
        return wv_realnodes_parse_mark(ctx, line, len, err, errsz);
    if (wv_has_prefix(line, len, WV_REAL_NODE_PREFIX))
        return wv_realnodes_parse_node(ctx, line, len, err, errsz);
    if (wv_has_prefix(line, len, WV_REAL_LINE_PREFIX))
        return wv_realnodes_parse(ctx, line, len, err, errsz);
    return 0; /* a kind of a later version */
}

int wv_cli_real_lanes(const char *path, wv_sim_cfg *cfg, wv_realnodes **rn, char *err, size_t errsz)
{
    *rn = NULL;
    if (strcmp(path, "-") == 0)
        return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0; /* the load says why */
    wv_reader *r = wv_reader_new(fd, path);
    wv_item it;
    wv_reader_next(r, &it); /* the header comes with the first message */
    const char *value = wv_reader_header(r, WV_REAL_HEADER_KEY);
    int rc = 0;
    if (value && wv_reader_form(r) == WV_FORM_RECORDING) {
        *rn = wv_realnodes_new();
        char why[240];
        if (wv_realnodes_parse_header(*rn, value, why, sizeof why) < 0) {
            snprintf(err, errsz, "%s: %s", path, why);
            rc = -1;
        } else {
            rc = wv_realnodes_lanes(*rn, cfg, err, errsz);
        }
        const char *links = wv_reader_header(r, WV_REAL_LINKS_KEY);
        if (rc == 0 && links && wv_realnodes_parse_links(*rn, cfg, links, why, sizeof why) < 0) {
            snprintf(err, errsz, "%s: %s", path, why);
            rc = -1;
        }
        if (rc < 0) {
            wv_realnodes_free(*rn);
            *rn = NULL;
        }
        cfg->time_source = WV_TIME_RECEIVE;
        cfg->max_gap_us = INT64_MAX / 4;
    }
    wv_reader_free(r);
    close(fd);
    return rc;
}

int wv_cli_load(wv_sim *sim, const char *path)
{
    return wv_cli_load_real(sim, path, NULL);
}

int wv_cli_load_real(wv_sim *sim, const char *path, wv_realnodes *rn)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "walviz: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    load_progress p = { name, wv_now_us(), 0, 0, isatty(STDERR_FILENO) != 0, false };
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        p.size = (uint64_t)sb.st_size;
    wv_reader *r = wv_reader_new(fd, name);
    wv_reader_set_progress(r, on_read, &p);
    if (rn)
        wv_reader_set_records(r, take_real, rn);
    wv_mapping *map = wv_reader_take_mapping(r);
    if (map) /* the texts stay in the mapped file */
        wv_sim_borrow_text(sim, map->data, map->len, wv_mapping_release, map);
    wv_item it;
    int got, errors = 0;
    size_t messages = 0;
    while (!wv_cli_interrupted && (got = wv_reader_next(r, &it)) != 0) {
        if (got < 0) {
            if (!wv_cli_interrupted)
                fprintf(stderr, "%s%s\n", p.shown ? "\r\033[K" : "", wv_reader_error(r));
            errors++;
            continue;
        }
        wv_sim_add(sim, &it.change, &it.meta, it.text);
        messages++;
    }
    if (p.shown)
        fputs("\r\033[K", stderr);
    int rc = errors;
    if (wv_cli_interrupted) {
        fprintf(stderr, "walviz: stopped loading %s\n", name);
        rc = -1;
    } else if (messages == 0 && (errors || wv_reader_form(r) != WV_FORM_RECORDING)) {
        /* An empty recording is a session with no changes; anything else
         * without a single message is not a change stream. */
        fprintf(stderr, "walviz: %s holds no messages (expected pg_recvlogical output, COPY rows "
                        "or a walviz recording)\n", name);
        rc = -1;
    } else {
        wv_sim_flush(sim);
        if (rn) {
            wv_realnodes_join(rn, sim);
            wv_realnodes_map(rn, sim);
            wv_realnodes_apply_marks(rn, sim);
        }
    }
    wv_reader_free(r);
    if (!is_stdin)
        close(fd);
    return rc;
}

static void put_ms(wv_buf *b, const char *key, int64_t us)
{
    wv_buf_printf(b, ",\"%s\":", key);
    if (us == WV_SIM_NEVER)
        wv_buf_puts(b, "null");
    else
        wv_buf_printf(b, "%.3f", (double)us / 1000.0);
}

static void put_name(wv_buf *out, const wv_sim_cfg *cfg, int f)
{
    wv_json_string(out, (wv_slice){ cfg->names[f], strlen(cfg->names[f]) }, 0, false);
}

static void print_json(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    static const char *const stage_keys[WV_STAGE_COUNT] = { "sent_ms", "written_ms", "flushed_ms",
                                                            "applied_ms" };
    static const char *const known_keys[WV_STAGE_COUNT] = { NULL, "known_written_ms", "known_flushed_ms",
                                                            "known_applied_ms" };
    static const char *const lag_keys[WV_STAGE_COUNT] = { NULL, "write_lag_ms", "flush_lag_ms", "replay_lag_ms" };
    size_t n = wv_sim_count(sim);
    for (size_t m = 0; m < n; m++) {
        char lsn[WV_LSN_BUFSZ];
        wv_lsn_format(wv_sim_lsn(sim, m), lsn);
        uint32_t xid;
        bool has_xid = wv_sim_xid(sim, m, &xid);
        for (int f = 0; f < cfg->nfollowers; f++) {
            wv_buf_printf(out, "{\"type\":\"message\",\"index\":%zu,\"op\":\"%s\",\"lsn\":\"%s\",", m,
                          wv_op_name(wv_sim_op(sim, m)), lsn);
            if (has_xid)
                wv_buf_printf(out, "\"xid\":%u", xid);
            else
                wv_buf_puts(out, "\"xid\":null");
            wv_buf_printf(out, ",\"txn\":%zu,\"follower\":", wv_sim_txn_of(sim, m));
            put_name(out, cfg, f);
            put_ms(out, "leader_ms", wv_sim_leader_time(sim, m));
            /* a message a shard does not get has no times there */
            bool gets = wv_sim_gets(sim, f, m);
            if (cfg->nshards)
                wv_buf_printf(out, ",\"gets\":%s", gets ? "true" : "false");
            if (gets && wv_sim_op_on(sim, f, m) != wv_sim_op(sim, m)) /* a row moving between shards */
                wv_buf_printf(out, ",\"received_as\":\"%s\"", wv_op_name(wv_sim_op_on(sim, f, m)));
            for (int st = 0; st < WV_STAGE_COUNT; st++)
                put_ms(out, stage_keys[st], gets ? wv_sim_stage(sim, f, m, (wv_stage)st) : WV_SIM_NEVER);
            int64_t sent = wv_sim_stage(sim, f, m, WV_STAGE_SENT), known[WV_STAGE_COUNT];
            /* a real node's replies are not modelled: its samples say what the primary saw */
            for (int st = WV_STAGE_WRITTEN; st < WV_STAGE_COUNT; st++)
                put_ms(out, known_keys[st],
                       known[st] = gets && !cfg->observed[f] ? wv_sim_stage_known(sim, f, m, (wv_stage)st) : WV_SIM_NEVER);
            for (int st = WV_STAGE_WRITTEN; st < WV_STAGE_COUNT; st++)
                put_ms(out, lag_keys[st], known[st] == WV_SIM_NEVER ? WV_SIM_NEVER : known[st] - sent);
            wv_buf_printf(out, ",\"resent\":%s%s}\n", wv_sim_resent(sim, f, m) ? "true" : "false",
                          cfg->observed[f] ? ",\"real\":true" : "");
        }
        /* Out in pieces: a transaction's lines can take gigabytes. */
        if (out->len > (1 << 20)) {
            fwrite(out->data, 1, out->len, stdout);
            out->len = 0;
        }
        size_t u = wv_sim_txn_of(sim, m);
        if (wv_sim_txn_last(sim, u) != m || !wv_sim_txn_waits(sim, u))
            continue;
        unsigned acked;
        int64_t ack = wv_sim_txn_ack(sim, u, &acked);
        int64_t at = wv_sim_txn_time(sim, u);
        wv_buf_printf(out, "{\"type\":\"transaction\",\"txn\":%zu,\"first\":%zu,\"last\":%zu", u,
                      wv_sim_txn_first(sim, u), m);
        if (has_xid)
            wv_buf_printf(out, ",\"xid\":%u", xid);
        else
            wv_buf_puts(out, ",\"xid\":null");
        put_ms(out, "commit_ms", at);
        put_ms(out, "ack_ms", ack);
        put_ms(out, "wait_ms", ack == WV_SIM_NEVER ? WV_SIM_NEVER : ack - at);
        wv_buf_printf(out, ",\"synchronous_commit\":\"%s\",\"acknowledged_by\":[",
                      wv_sync_level_name(cfg->sync));
        bool first = true;
        for (int f = 0; f < cfg->nfollowers; f++) {
            if (!(acked & (1u << f)))
                continue;
            if (!first)
                wv_buf_puts(out, ",");
            first = false;
            put_name(out, cfg, f);
        }
        wv_buf_puts(out, "]");
        if (cfg->failover_to >= 0)
            wv_buf_printf(out, ",\"lost\":%s", wv_sim_txn_lost(sim, u) ? "true" : "false");
        wv_buf_puts(out, "}\n");
    }
}

/* The failover, when there is one: who was promoted when, and every
 * transaction the old leader committed that the new one never had. */
static void print_failover(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    if (!fo.on)
        return;
    wv_buf_puts(out, "{\"type\":\"failover\"");
    put_ms(out, "at_ms", fo.at);
    wv_buf_puts(out, ",\"promoted\":");
    put_name(out, cfg, fo.to);
    put_ms(out, "promoted_ms", fo.promoted_at);
    wv_buf_printf(out, ",\"kept_txns\":%zu,\"lost\":[", fo.kept);
    for (size_t u = fo.kept, shown = 0; u < fo.lost_to; u++) {
        if (!wv_sim_txn_is_commit(sim, u))
            continue;
        size_t last = wv_sim_txn_last(sim, u);
        uint32_t xid;
        wv_buf_printf(out, "%s{\"txn\":%zu", shown++ ? "," : "", u);
        if (wv_sim_xid(sim, last, &xid))
            wv_buf_printf(out, ",\"xid\":%u", xid);
        else
            wv_buf_puts(out, ",\"xid\":null");
        wv_buf_printf(out, ",\"changes\":%zu", wv_sim_txn_changes(sim, u));
        int64_t ack = wv_sim_txn_ack(sim, u, NULL);
        put_ms(out, "commit_ms", wv_sim_txn_time(sim, u));
        put_ms(out, "ack_ms", ack);
        wv_buf_printf(out, ",\"acknowledged\":%s}", ack == WV_SIM_NEVER ? "false" : "true");
    }
    wv_buf_printf(out, "],\"acknowledged_lost_commits\":%zu,\"acknowledged_lost_changes\":%zu,"
                       "\"unacknowledged_lost_commits\":%zu,\"unacknowledged_lost_changes\":%zu,\"diverged\":[",
                  fo.acked_commits, fo.acked_changes, fo.unacked_commits, fo.unacked_changes);
    for (int f = 0, n = 0; f < cfg->nfollowers; f++) {
        if (fo.diverged & (1u << f)) {
            wv_buf_puts(out, n++ ? "," : "");
            put_name(out, cfg, f);
        }
    }
    wv_buf_puts(out, "]}\n");
}

/* Sharded: per node, what it got and the rows it holds at the end, so
 * the shards' counts can be summed and set beside the leader's. */
static void print_shards(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    const wv_rows *rows = wv_sim_rows(sim);
    size_t n = wv_sim_count(sim);
    int64_t end = wv_sim_end_time(sim);
    for (int node = 0; node <= cfg->nfollowers; node++) {
        int f = node - 1;
        const char *name = node ? cfg->names[f] : "leader";
        wv_buf_puts(out, "{\"type\":\"rows\",\"node\":");
        wv_json_string(out, (wv_slice){ name, strlen(name) }, 0, false);
        if (node && f < cfg->nshards && wv_sim_sharded(sim)) {
            wv_buf_printf(out, ",\"row_filter\":\"(%s %% %d = %d)\"", cfg->shard_col, cfg->nshards, f);
            uint64_t bytes = 0;
            for (size_t m = 0; m < n; m++)
                bytes += wv_sim_gets(sim, f, m) ? wv_sim_text(sim, m).len : 0;
            wv_buf_printf(out, ",\"messages\":%zu,\"skipped\":%zu,\"bytes\":%" PRIu64,
                          wv_sim_gets_count(sim, f, 0, n), n - wv_sim_gets_count(sim, f, 0, n), bytes);
        }
        put_ms(out, "at_ms", end);
        wv_buf_puts(out, ",\"count\":{");
        for (size_t t = 0; t < wv_rows_table_count(rows); t++) {
            const char *table = wv_rows_table_name(rows, t);
            wv_buf_puts(out, t ? "," : "");
            wv_json_string(out, (wv_slice){ table, strlen(table) }, 0, false);
            wv_buf_printf(out, ":%zu", wv_sim_count_rows(sim, node, t, end));
        }
        wv_buf_puts(out, "}}\n");
    }
}

/* One object per change of a walsender's state or sync_state, in time
 * order, from session time 0: pg_stat_replication's row as it goes. */
static void print_walsenders(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    int shown[WV_SIM_MAX_FOLLOWERS][2];
    for (int f = 0; f < cfg->nfollowers; f++)
        shown[f][0] = shown[f][1] = -1;
    for (int64_t t = 0; t != WV_SIM_NEVER;) {
        for (int f = 0; f < cfg->nfollowers; f++) {
            wv_walsnd_state state = wv_sim_walsnd_state(sim, f, t);
            wv_replication_row row;
            wv_sim_replication_row(sim, f, t, &row);
            int sync = state == WV_WALSND_NONE ? -1 : (int)row.sync_state;
            if (shown[f][0] == (int)state && shown[f][1] == sync)
                continue;
            shown[f][0] = (int)state;
            shown[f][1] = sync;
            wv_buf_puts(out, "{\"type\":\"walsender\",\"follower\":");
            put_name(out, cfg, f);
            put_ms(out, "at_ms", t);
            if (state == WV_WALSND_NONE)
                wv_buf_puts(out, ",\"state\":null,\"sync_state\":null}\n");
            else
                wv_buf_printf(out, ",\"state\":\"%s\",\"sync_state\":\"%s\"}\n", wv_walsnd_state_name(state),
                              wv_sync_state_name(row.sync_state));
        }
        int64_t next = WV_SIM_NEVER;
        for (int f = 0; f < cfg->nfollowers; f++) {
            int64_t n = wv_sim_next_state_change(sim, f, t);
            if (n < next)
                next = n;
        }
        t = next;
    }
}

/* One object per view and node each time the node's answer, or whether it
 * is stale, changes, in time order (--view). */
static void print_views(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    enum { NODES = WV_SIM_MAX_FOLLOWERS + 2 }; /* the leader, followers, the shards gathered */
    for (int i = 0; i < cfg->nviews; i++) {
        char err[600], shown[NODES][160], ans[160], lead[160];
        bool shown_stale[NODES];
        size_t seen_k[NODES], seen_gap[NODES], seen_kl = WV_ROWS_NONE, seen_lgap = WV_ROWS_NONE;
        wv_view_query *q = wv_view_parse(cfg->views[i], err, sizeof err); /* checked as an option */
        WV_ASSERT(q);
        wv_sim_view *v = wv_sim_view_new(sim, q);
        wv_view_answer *mine = wv_view_answer_new(q), *part = wv_view_answer_new(q);
        int last = cfg->nfollowers + (wv_sim_sharded(sim) ? 1 : 0);
        for (int node = 0; node < NODES; node++) {
            shown[node][0] = '\0';
            shown_stale[node] = false;
            seen_k[node] = seen_gap[node] = WV_ROWS_NONE;
        }
        for (int64_t t = 0; t != WV_SIM_NEVER; t = wv_sim_next_event(sim, t, WV_STEP_ALL, 0)) {
            /* what a node sees: k transactions, after a failover without
             * the lost ones from gap on (wv_sim_row_gap) */
            size_t kl = wv_sim_readable(sim, WV_SIM_LEADER, t), lgap, to;
            wv_sim_row_gap(sim, WV_SIM_LEADER, t, kl, &lgap, &to);
            wv_view_answer_line(wv_sim_view_at(v, WV_SIM_LEADER, t), lead, sizeof lead);
            for (int node = 0; node <= last; node++) {
                /* a shard answers over its part, the shards gathered over
                 * all their parts: behind when one of them is */
                bool gathered = node > cfg->nfollowers;
                size_t k = wv_sim_node_seen(sim, node, t), gap = WV_ROWS_NONE;
                if (!gathered)
                    wv_sim_row_gap(sim, node, t, k, &gap, &to);
                if (k == seen_k[node] && gap == seen_gap[node] && kl == seen_kl && lgap == seen_lgap && !gathered)
                    continue; /* nothing it or the leader sees changed */
                seen_k[node] = k;
                seen_gap[node] = gap;
                char want[160];
                wv_sim_node_answer(sim, v, node, t, lead, mine, part, ans, want, sizeof want);
                bool stale = strcmp(ans, want) != 0 && k < kl;
                if (shown[node][0] && strcmp(ans, shown[node]) == 0 && stale == shown_stale[node])
                    continue;
                snprintf(shown[node], sizeof shown[node], "%s", ans);
                shown_stale[node] = stale;
                const char *name = gathered ? "shards" : node ? cfg->names[node - 1] : "leader";
                wv_buf_printf(out, "{\"type\":\"view\",\"view\":%d,\"node\":", i);
                wv_json_string(out, (wv_slice){ name, strlen(name) }, 0, false);
                put_ms(out, "at_ms", t);
                wv_buf_puts(out, ",\"answer\":");
                wv_json_string(out, (wv_slice){ ans, strlen(ans) }, 0, false);
                wv_buf_puts(out, ",\"leader_answer\":");
                wv_json_string(out, (wv_slice){ want, strlen(want) }, 0, false);
                wv_buf_printf(out, ",\"stale\":%s}\n", stale ? "true" : "false");
            }
            seen_kl = kl;
            seen_lgap = lgap;
        }
        wv_view_answer_free(mine);
        wv_view_answer_free(part);
        wv_sim_view_free(v);
        wv_view_query_free(q);
    }
}

/* One object per read of the --reader clients, then one per reader with
 * its counts. */
static void print_reads(const wv_sim *sim, wv_buf *out)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_reads *r = wv_reads_new(sim);
    const wv_read *reads;
    size_t n = wv_reads_run(r, WV_SIM_NEVER, &reads);
    for (int ri = 0; ri < cfg->nreaders; ri++) {
        for (size_t i = 0; i < n; i++) {
            const wv_read *rd = &reads[i];
            if (rd->reader != ri)
                continue;
            const char *node = rd->node ? cfg->names[rd->node - 1] : "leader";
            wv_buf_printf(out, "{\"type\":\"read\",\"reader\":%d,\"seq\":%zu,\"node\":", ri, rd->seq);
            wv_json_string(out, (wv_slice){ node, strlen(node) }, 0, false);
            put_ms(out, "at_ms", rd->at);
            wv_buf_puts(out, ",\"query\":");
            wv_json_string(out, (wv_slice){ rd->query, strlen(rd->query) }, 0, false);
            wv_buf_puts(out, ",\"answer\":");
            wv_json_string(out, (wv_slice){ rd->answer, strlen(rd->answer) }, 0, false);
            wv_buf_puts(out, ",\"leader_answer\":");
            wv_json_string(out, (wv_slice){ rd->leader, strlen(rd->leader) }, 0, false);
            const char *why = wv_read_broke_name(rd->broke);
            wv_buf_printf(out, ",\"stale\":%s,\"broke\":%s%s%s", rd->stale ? "true" : "false", why ? "\"" : "",
                          why ? why : "null", why ? "\"" : "");
            uint32_t xid;
            if (rd->write_txn != WV_ROWS_NONE) {
                wv_buf_printf(out, ",\"write_txn\":%zu", rd->write_txn);
                if (wv_sim_xid(sim, wv_sim_txn_last(sim, rd->write_txn), &xid))
                    wv_buf_printf(out, ",\"write_xid\":%u", xid);
            }
            wv_buf_puts(out, "}\n");
        }
        wv_read_counts c = wv_reads_count(reads, n, ri);
        wv_buf_printf(out, "{\"type\":\"reader\",\"reader\":%d,\"pattern\":\"%s\",\"reads\":%zu,\"stale\":%zu,"
                           "\"broken\":%zu}\n",
                      ri, wv_read_pattern_name(cfg->readers[ri].pattern), c.reads, c.stale, c.broken);
    }
    wv_reads_free(r);
}

static void print_summary(const wv_sim *sim)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    size_t n = wv_sim_count(sim), ntx = wv_sim_txn_count(sim), commits = 0;
    int64_t end = wv_sim_end_time(sim), max_wait = 0, total_wait = 0;
    for (size_t u = 0; u < ntx; u++) {
        if (!wv_sim_txn_is_commit(sim, u))
            continue;
        commits++;
        int64_t ack = wv_sim_txn_ack(sim, u, NULL);
        int64_t wait = ack == WV_SIM_NEVER ? 0 : ack - wv_sim_txn_time(sim, u);
        total_wait += wait;
        if (wait > max_wait)
            max_wait = wait;
    }
    printf("%zu messages, %zu transactions (%zu commits), %.2f s of session time\n", n, ntx,
           commits, (double)end / 1e6);
    printf("synchronous_commit = %s", wv_sync_level_name(cfg->sync));
    if (cfg->nsync_standbys) {
        printf(", synchronous_standby_names = '%s %d (", cfg->sync_any ? "ANY" : "FIRST",
               cfg->sync_num);
        for (int i = 0; i < cfg->nsync_standbys; i++)
            printf("%s%s", i ? ", " : "", cfg->names[cfg->sync_standbys[i]]);
        printf(")'");
    }
    printf("\ncommit wait: average %.1f ms, longest %.1f ms\n",
           commits ? (double)total_wait / (double)commits / 1e3 : 0.0, (double)max_wait / 1e3);
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    if (fo.on) {
        printf("failover: the leader fails at %.2f s, %s leads from %.2f s; lost: %zu commits, %zu changes "
               "acknowledged to clients, %zu commits never acknowledged", (double)fo.at / 1e6, cfg->names[fo.to],
               (double)fo.promoted_at / 1e6, fo.acked_commits, fo.acked_changes, fo.unacked_commits);
        for (int f = 0, shown = 0; f < cfg->nfollowers; f++)
            if (fo.diverged & (1u << f))
                printf("%s%s", shown++ ? ", " : "; diverged (pg_rewind): ", cfg->names[f]);
        printf("\n");
    }
    printf("\n");
    printf("%-12s %-9s %10s %10s %12s %14s %16s\n", "follower", "kind", "latency", "bandwidth", "max lag",
           "caught up at", "lost and resent");
    for (int f = 0; f < cfg->nfollowers; f++) {
        int64_t max_lag = 0, caught = 0;
        size_t resent = 0;
        for (size_t m = 0; m < n; m++) {
            int64_t a = wv_sim_stage(sim, f, m, WV_STAGE_APPLIED);
            size_t u = wv_sim_txn_of(sim, m);
            if (u >= fo.kept && u < fo.lost_to)
                continue; /* lost: never applied, only passed over */
            if (a == WV_SIM_NEVER) {
                caught = WV_SIM_NEVER;
                continue;
            }
            if (a - wv_sim_leader_time(sim, m) > max_lag)
                max_lag = a - wv_sim_leader_time(sim, m);
            if (caught != WV_SIM_NEVER && a > caught)
                caught = a;
            resent += wv_sim_resent(sim, f, m);
        }
        char caught_text[32];
        if (caught == WV_SIM_NEVER)
            snprintf(caught_text, sizeof caught_text, "never");
        else
            snprintf(caught_text, sizeof caught_text, "%.2f s", (double)caught / 1e6);
        char latency[32] = "real", bandwidth[32] = "sampled";
        if (!cfg->observed[f]) {
            snprintf(latency, sizeof latency, "%.0fms", (double)cfg->link[f].latency_us / 1e3);
            snprintf(bandwidth, sizeof bandwidth, "%.1fMB/s", cfg->link[f].bandwidth_bps / 1048576.0);
        }
        printf("%-12s %-9s %10s %10s %10.1fms %14s %16zu\n", cfg->names[f],
               cfg->link[f].kind == WV_KIND_PHYSICAL ? "physical" : "logical", latency, bandwidth,
               (double)max_lag / 1e3, caught_text, resent);
    }
    if (cfg->nreaders) {
        wv_reads *r = wv_reads_new(sim);
        const wv_read *reads;
        size_t nreads = wv_reads_run(r, WV_SIM_NEVER, &reads);
        printf("\n");
        for (int ri = 0; ri < cfg->nreaders; ri++) {
            wv_read_counts c = wv_reads_count(reads, nreads, ri);
            printf("reader %d (%s): %zu reads, %zu stale, %zu broke a guarantee\n", ri + 1,
                   wv_read_pattern_name(cfg->readers[ri].pattern), c.reads, c.stale, c.broken);
        }
        wv_reads_free(r);
    }
    if (!wv_sim_sharded(sim))
        return;
    printf("\n");
    for (int f = 0; f < cfg->nshards; f++)
        printf("%s is a shard: row filter (%s %% %d = %d), %zu of %zu messages\n", cfg->names[f],
               cfg->shard_col, cfg->nshards, f, wv_sim_gets_count(sim, f, 0, n), n);
}

int wv_cli_simulate(int argc, char **argv)
{
    struct option longopts[32];
    int nopt = 0;
    for (const char *const *name = wv_sim_option_names; *name; name++)
        longopts[nopt++] = (struct option){ *name, required_argument, NULL, 0 };
    int json_index = nopt;
    longopts[nopt++] = (struct option){ "json", no_argument, NULL, 0 };
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    bool json = false;
    int c, idx, status = 2;
    char err[600];
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        if (c == 'h') {
            fputs(usage_head, stdout);
            fputs(wv_sim_options_help, stdout);
            status = 0;
            goto done;
        }
        if (c != 0) {
            fputs("Try 'walviz simulate --help'.\n", stderr);
            goto done;
        }
        if (idx == json_index) {
            json = true;
        } else if (wv_sim_cfg_option(&cfg, longopts[idx].name, optarg, err, sizeof err) != 0) {
            fprintf(stderr, "walviz simulate: %s\n", err);
            goto done;
        }
    }
    if (optind != argc - 1) {
        fputs("walviz simulate: give exactly one FILE (or - for stdin). Try 'walviz simulate "
              "--help'.\n", stderr);
        goto done;
    }
    if (wv_sim_cfg_check(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "walviz simulate: %s\n", err);
        goto done;
    }
    wv_realnodes *rn;
    if (wv_cli_real_lanes(argv[optind], &cfg, &rn, err, sizeof err) < 0) {
        fprintf(stderr, "walviz simulate: %s\n", err);
        status = 1;
        goto done;
    }
    wv_sim *sim = wv_sim_new(&cfg);
    int errors = wv_cli_load_real(sim, argv[optind], rn);
    if (errors >= 0) {
        if (json) {
            wv_buf out;
            wv_buf_init(&out);
            print_json(sim, &out);
            if (wv_sim_count(sim)) /* no stream, no timeline to tell */
                print_walsenders(sim, &out);
            print_views(sim, &out);
            print_reads(sim, &out);
            print_failover(sim, &out);
            if (cfg.nshards)
                print_shards(sim, &out);
            if (out.len) /* fwrite(NULL, 1, 0) is undefined behaviour */
                fwrite(out.data, 1, out.len, stdout);
            wv_buf_destroy(&out);
        } else {
            print_summary(sim);
        }
    }
    status = wv_cli_interrupted ? 130 : errors == 0 ? 0 : 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "walviz simulate: cannot write output: %s\n", strerror(errno));
        status = 1;
    }
    wv_sim_free(sim);
    wv_realnodes_free(rn);
done:
    wv_sim_cfg_destroy(&cfg);
    return status;
}
