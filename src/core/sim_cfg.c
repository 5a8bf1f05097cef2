/* sim_cfg: the simulation's options, parsed and checked (see sim.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "walviz/sim.h"

const char *const wv_sim_option_names[] = {
    "followers", "names", "kind", "latency", "jitter", "bandwidth", "flush", "apply", "sync",
    "sync-standbys", "partition", "stop", "crash", "sender-timeout", "seed", "time-source", "max-gap", "wal-writer-delay",
    "streaming", "failover", "promote-time", "shard-by", "sharding", "view", "reader", NULL,
};

const char wv_sim_options_help[] =
    "Simulation (one value per follower, or one for all):\n"
    "  --followers=N           simulated followers, 1 to 8 (default 3)\n"
    "  --names=A,B,...         follower names (default f1,f2,...)\n"
    "  --kind=K,...            logical (a subscriber: applies at once, flushes\n"
    "                          lazily) or physical (a standby: flushes, then\n"
    "                          replays) (default logical)\n"
    "  --latency=D,...         one-way network delay (default 20ms,150ms,600ms)\n"
    "  --jitter=D,...          extra random delay, 0 to D (default 10% of latency)\n"
    "  --bandwidth=B,...       link speed: 500kB/s, 10MB/s, 100Mbit (default 1MB/s)\n"
    "  --flush=D,...           one fsync on the follower (default 5ms)\n"
    "  --apply=D,...           replaying one change (default 200us)\n"
    "  --sync=LEVEL            synchronous_commit: off, local, remote_write, on,\n"
    "                          remote_apply (default on)\n"
    "  --sync-standbys=SPEC    synchronous_standby_names: 'FIRST 1 (f1)',\n"
    "                          'ANY 2 (f1, f2, f3)' (default none: asynchronous)\n"
    "  --partition=F@FROM-TO   cut follower F off from FROM to TO (repeatable),\n"
    "                          e.g. f2@3s-8s; F is a name or a number\n"
    "  --stop=F@FROM-TO        follower F's PostgreSQL crashes at FROM (what it\n"
    "                          wrote survives), restarts at TO\n"
    "  --crash=F@FROM-TO       follower F's machine crashes at FROM (unflushed\n"
    "                          WAL is lost), restarts at TO\n"
    "  --sender-timeout=D      wal_sender_timeout: a crashed machine or a cut\n"
    "                          longer than D ends the connection (default 60s)\n"
    "  --seed=N                jitter seed (default 1)\n"
    "  --time-source=SRC       commit, receive or uniform (default: commit\n"
    "                          timestamps when the stream has them)\n"
    "  --max-gap=D             compress idle gaps longer than D (default 2s)\n"
    "  --wal-writer-delay=D    the WAL writer wakes every D and flushes: a commit\n"
    "                          with --sync=off, a standby's changes before their\n"
    "                          commit, a subscriber's commits (default 200ms)\n"
    "  --streaming=MODE        a subscription's streaming: on (spools streamed\n"
    "                          blocks, applies them at STREAM COMMIT) or\n"
    "                          parallel (applies them as they come) (default on)\n"
    "  --failover=TIME:F       the leader fails at TIME and follower F is promoted\n"
    "                          with what it had received, e.g. 3s:f1; commits it\n"
    "                          never received are lost\n"
    "  --promote-time=D        from the failure to the new leader taking writes\n"
    "                          (default 1s)\n"
    "  --shard-by='COL % N'    followers f1..fN are shards: fK gets the changes of\n"
    "                          rows with COL % N = K-1, as a publication row\n"
    "                          filter WHERE (COL % N = K-1) per subscriber; the\n"
    "                          followers after fN get everything\n"
    "  --sharding=on|off       off: the shards get everything again (default on)\n"
    "  --view=SQL              a report on every node, beside the leader's\n"
    "                          (repeatable, 'none' removes them): SELECT\n"
    "                          count(*), sum(col), min(col), max(col), avg(col)\n"
    "                          [, ...] FROM table [WHERE col = value]\n"
    "                          [GROUP BY col]\n"
    "  --reader=SPEC           a client reading from the nodes (repeatable,\n"
    "                          'none' removes them): [ryw|monotonic|routed]\n"
    "                          TABLE KEY=VALUE [COLUMN] (or view) [on NODE]\n"
    "                          [every D] [at T,T,...], e.g. 'ryw accounts id=3\n"
    "                          balance on f3', 'routed accounts id=3 balance\n"
    "                          every 300ms'\n"
    "Durations: 800us, 20ms, 1.5s, 2m; a bare number is seconds.\n";

static const int64_t default_latency_ms[WV_SIM_MAX_FOLLOWERS] = { 20, 150, 600, 40, 300, 1000, 80, 450 };

void wv_sim_cfg_init(wv_sim_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->nfollowers = 3;
    for (int i = 0; i < WV_SIM_MAX_FOLLOWERS; i++) {
        snprintf(cfg->names[i], sizeof cfg->names[i], "f%d", i + 1);
        cfg->link[i].latency_us = default_latency_ms[i] * 1000;
        cfg->link[i].jitter_us = cfg->link[i].latency_us / 10;
        cfg->link[i].bandwidth_bps = 1024.0 * 1024.0;
        cfg->link[i].flush_us = 5000;
        cfg->link[i].apply_us = 200;
    }
    cfg->sync = WV_SYNC_ON;
    cfg->seed = 1;
    cfg->time_source = WV_TIME_AUTO;
    cfg->max_gap_us = 2000000;
    cfg->uniform_us = 500000;
    cfg->wal_writer_delay_us = 200000;
    cfg->sender_timeout_us = 60000000;
    cfg->failover_to = -1;
    cfg->promote_us = 1000000;
}

void wv_sim_cfg_destroy(wv_sim_cfg *cfg)
{
    free(cfg->raw.latency);
    free(cfg->raw.jitter);
    free(cfg->raw.bandwidth);
    free(cfg->raw.flush);
    free(cfg->raw.apply);
    free(cfg->raw.kind);
    free(cfg->raw.names);
    free(cfg->raw.sync_standbys);
    free(cfg->raw.failover);
    for (int i = 0; i < cfg->raw.nfaults; i++)
        free(cfg->raw.faults[i]);
    memset(&cfg->raw, 0, sizeof cfg->raw);
}

static const char *const sync_names[WV_SYNC_COUNT] = { "off", "local", "remote_write", "on",
                                                       "remote_apply" };

const char *wv_sync_level_name(wv_sync_level level)
{
    return (unsigned)level < WV_SYNC_COUNT ? sync_names[level] : "?";
}

int wv_sync_level_parse(const char *s)
{
    for (int i = 0; i < WV_SYNC_COUNT; i++)
        if (strcasecmp(s, sync_names[i]) == 0)
            return i;
    return -1;
}

int wv_parse_duration(const char *s, int64_t *us)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0 && v <= 1e7)) /* also refuses nan */
        return -1;
    double scale;
    if (*end == '\0' || strcmp(end, "s") == 0)
        scale = 1e6;
    else if (strcmp(end, "ms") == 0)
        scale = 1e3;
    else if (strcmp(end, "us") == 0)
        scale = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        scale = 60e6;
    else
        return -1;
    *us = (int64_t)(v * scale + 0.5);
    return 0;
}

static int parse_bandwidth(const char *s, double *bps)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0 && v <= 1e12)) /* also refuses nan and inf */
        return -1;
    static const struct {
        const char *unit;
        double scale;
    } units[] = {
        { "", 1 },           { "B/s", 1 },          { "kB/s", 1024 },     { "KB/s", 1024 },
        { "MB/s", 1048576 }, { "GB/s", 1073741824 }, { "kbit", 125 },      { "Mbit", 125000 },
        { "Gbit", 125e6 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            *bps = v * units[i].scale;
            return 0;
        }
    }
    return -1;
}

static char **replace(char **slot, const char *value)
{
    free(*slot);
    *slot = wv_xstrdup(value);
    return slot;
}

/* "COL % N": a column, as SQL writes it (bare, folded to lower case, or
 * "quoted"), and a modulus from 1 to 8; "off" for none. */
static int parse_shard_by(wv_sim_cfg *cfg, const char *value, char *err, size_t errsz)
{
    const char *p = value;
    char col[sizeof cfg->shard_col];
    size_t n = 0;
    if (strcmp(value, "off") == 0) {
        cfg->nshards = 0;
        cfg->shard_col[0] = '\0';
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '"') {
        for (p++; *p && n + 1 < sizeof col; p++) {
            if (*p == '"' && p[1] != '"')
                break;
            if (*p == '"')
                p++;
            col[n++] = *p;
        }
        if (*p == '"')
            p++;
        else
            n = 0; /* unterminated, or too long */
    } else {
        while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof col)
            col[n++] = (char)tolower((unsigned char)*p++);
        if (n && isdigit((unsigned char)col[0]))
            n = 0;
    }
    col[n] = '\0';
    while (isspace((unsigned char)*p))
        p++;
    char *end = NULL;
    long mod = *p == '%' ? strtol(p + 1, &end, 10) : 0;
    while (end && isspace((unsigned char)*end))
        end++;
    if (!n || !end || *end || mod < 1 || mod > WV_SIM_MAX_FOLLOWERS) {
        snprintf(err, errsz, "--shard-by expects a column and a number of shards from 1 to 8, "
                             "like 'id %% 3', not '%s'", value);
        return -1;
    }
    memcpy(cfg->shard_col, col, n + 1);
    cfg->nshards = (int)mod;
    return 0;
}

int wv_sim_cfg_option(wv_sim_cfg *cfg, const char *name, const char *value, char *err, size_t errsz)
{
    if (strcmp(name, "followers") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || n < 1 || n > WV_SIM_MAX_FOLLOWERS) {
            snprintf(err, errsz, "--followers expects a number from 1 to 8, not '%s'", value);
            return -1;
        }
        cfg->nfollowers = (int)n;
    } else if (strcmp(name, "names") == 0) {
        replace(&cfg->raw.names, value);
    } else if (strcmp(name, "latency") == 0) {
        replace(&cfg->raw.latency, value);
    } else if (strcmp(name, "jitter") == 0) {
        replace(&cfg->raw.jitter, value);
    } else if (strcmp(name, "bandwidth") == 0) {
        replace(&cfg->raw.bandwidth, value);
    } else if (strcmp(name, "flush") == 0) {
        replace(&cfg->raw.flush, value);
    } else if (strcmp(name, "apply") == 0) {
        replace(&cfg->raw.apply, value);
    } else if (strcmp(name, "kind") == 0) {
        replace(&cfg->raw.kind, value);
    } else if (strcmp(name, "failover") == 0 && strcmp(value, "none") == 0) {
        free(cfg->raw.failover); /* a lesson's step takes it away */
        cfg->raw.failover = NULL;
        cfg->failover_to = -1;
    } else if (strcmp(name, "failover") == 0) {
        replace(&cfg->raw.failover, value);
    } else if (strcmp(name, "promote-time") == 0) {
        if (wv_parse_duration(value, &cfg->promote_us) < 0) {
            snprintf(err, errsz, "--promote-time expects a duration like 1s or 500ms, not '%s'", value);
            return -1;
        }
    } else if (strcmp(name, "sync-standbys") == 0) {
        replace(&cfg->raw.sync_standbys, value);
    } else if (strcmp(name, "sync") == 0) {
        int level = wv_sync_level_parse(value);
        if (level < 0) {
            snprintf(err, errsz, "--sync expects off, local, remote_write, on or remote_apply, "
                                 "not '%s'", value);
            return -1;
        }
        cfg->sync = (wv_sync_level)level;
    } else if (strcmp(name, "partition") == 0 || strcmp(name, "stop") == 0 || strcmp(name, "crash") == 0) {
        if (cfg->raw.nfaults == WV_SIM_MAX_FOLLOWERS * 4) {
            snprintf(err, errsz, "--%s: too many faults (at most %d)", name, WV_SIM_MAX_FOLLOWERS * 4);
            return -1;
        }
        cfg->raw.fault_kinds[cfg->raw.nfaults] = name[0] == 'p' ? WV_FAULT_PARTITION
                                               : name[0] == 's' ? WV_FAULT_STOP
                                                                : WV_FAULT_CRASH;
        cfg->raw.faults[cfg->raw.nfaults++] = wv_xstrdup(value);
    } else if (strcmp(name, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long seed = strtoull(value, &end, 10);
        /* strtoull takes "-1" as ULLONG_MAX and saturates on overflow */
        if (*end || !isdigit((unsigned char)*value) || errno == ERANGE) {
            snprintf(err, errsz, "--seed expects a whole number, not '%s'", value);
            return -1;
        }
        cfg->seed = seed;
    } else if (strcmp(name, "time-source") == 0) {
        if (strcmp(value, "commit") == 0)
            cfg->time_source = WV_TIME_COMMIT;
        else if (strcmp(value, "receive") == 0)
            cfg->time_source = WV_TIME_RECEIVE;
        else if (strcmp(value, "uniform") == 0)
            cfg->time_source = WV_TIME_UNIFORM;
        else if (strcmp(value, "auto") == 0)
            cfg->time_source = WV_TIME_AUTO;
        else {
            snprintf(err, errsz, "--time-source expects commit, receive or uniform, not '%s'", value);
            return -1;
        }
    } else if (strcmp(name, "max-gap") == 0) {
        if (wv_parse_duration(value, &cfg->max_gap_us) < 0 || cfg->max_gap_us == 0) {
            snprintf(err, errsz, "--max-gap expects a duration like 2s or 500ms, not '%s'", value);
            return -1;
        }
    } else if (strcmp(name, "sender-timeout") == 0) {
        int64_t d;
        if (wv_parse_duration(value, &d) < 0 || d < 1000) {
            snprintf(err, errsz, "--sender-timeout expects a duration like 60s or 5s, not '%s'", value);
            return -1;
        }
        cfg->sender_timeout_us = d;
    } else if (strcmp(name, "streaming") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "parallel") != 0) {
            snprintf(err, errsz, "--streaming expects on or parallel, not '%s'", value);
            return -1;
        }
        cfg->streaming_parallel = value[0] == 'p';
    } else if (strcmp(name, "shard-by") == 0) {
        return parse_shard_by(cfg, value, err, errsz);
    } else if (strcmp(name, "sharding") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
            snprintf(err, errsz, "--sharding expects on or off, not '%s'", value);
            return -1;
        }
        cfg->sharding_off = value[1] == 'f';
    } else if (strcmp(name, "wal-writer-delay") == 0) {
        int64_t d;
        /* PostgreSQL's own range for wal_writer_delay */
        if (wv_parse_duration(value, &d) < 0 || d < 1000 || d > 10000000) {
            snprintf(err, errsz, "--wal-writer-delay expects a duration from 1ms to 10s, not '%s'", value);
            return -1;
        }
        cfg->wal_writer_delay_us = d;
    } else if (strcmp(name, "view") == 0) {
        if (strcmp(value, "none") == 0) {
            cfg->nviews = 0;
            return 0;
        }
        char why[400];
        wv_view_query *q = wv_view_parse(value, why, sizeof why);
        if (!q) {
            snprintf(err, errsz, "--view: %s", why);
            return -1;
        }
        wv_view_query_free(q);
        if (cfg->nviews == WV_SIM_MAX_VIEWS || strlen(value) >= WV_SIM_VIEW_SQL) {
            snprintf(err, errsz, "--view: at most %d views of %d characters", WV_SIM_MAX_VIEWS, WV_SIM_VIEW_SQL - 1);
            return -1;
        }
        snprintf(cfg->views[cfg->nviews++], WV_SIM_VIEW_SQL, "%s", value);
    } else if (strcmp(name, "reader") == 0) {
        if (strcmp(value, "none") == 0) {
            cfg->nreaders = 0;
            return 0;
        }
        char why[300];
        wv_read_spec spec;
        if (wv_read_spec_parse(value, &spec, why, sizeof why) < 0) {
            snprintf(err, errsz, "--reader: %s", why);
            return -1;
        }
        if (cfg->nreaders == WV_SIM_MAX_READERS) {
            snprintf(err, errsz, "--reader: at most %d readers", WV_SIM_MAX_READERS);
            return -1;
        }
        cfg->readers[cfg->nreaders++] = spec;
    } else {
        return 1;
    }
    return 0;
}

/* Splits a comma list into up to max trimmed items in place; returns the
 * count, or -1 when there are more. */
static int split_list(char *s, char **items, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (n == max)
            return -1;
        items[n++] = tok;
    }
    return n;
}

typedef enum list_kind { L_DURATION, L_BANDWIDTH, L_KIND } list_kind;

static int parse_kind(const char *s, wv_follower_kind *kind)
{
    if (strcmp(s, "logical") != 0 && strcmp(s, "physical") != 0)
        return -1;
    *kind = s[0] == 'l' ? WV_KIND_LOGICAL : WV_KIND_PHYSICAL;
    return 0;
}

/* Applies "v1,v2,..." (one per follower, or one for all) to a field. */
static int apply_list(wv_sim_cfg *cfg, const char *opt, const char *raw, list_kind kind,
                      size_t field, char *err, size_t errsz)
{
    static const char *const expects[] = {
        "--%s expects durations like 20ms or 1.5s, not '%s'",
        "--%s expects speeds like 500kB/s, 10MB/s or 100Mbit, not '%s'",
        "--%s expects logical or physical, not '%s'",
    };
    if (!raw)
        return 0;
    char *copy = wv_xstrdup(raw), *items[WV_SIM_MAX_FOLLOWERS];
    int n = split_list(copy, items, WV_SIM_MAX_FOLLOWERS);
    int rc = 0;
    if (n != 1 && n != cfg->nfollowers) {
        snprintf(err, errsz, "--%s expects one value, or one per follower (%d), not '%s'", opt,
                 cfg->nfollowers, raw);
        rc = -1;
    }
    for (int f = 0; rc == 0 && f < cfg->nfollowers; f++) {
        const char *v = items[n == 1 ? 0 : f];
        char *base = (char *)&cfg->link[f];
        int bad = kind == L_DURATION    ? wv_parse_duration(v, (int64_t *)(base + field))
                : kind == L_BANDWIDTH ? parse_bandwidth(v, (double *)(base + field))
                                      : parse_kind(v, (wv_follower_kind *)(base + field));
        if (bad < 0) {
            snprintf(err, errsz, expects[kind], opt, v);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

int wv_sim_cfg_follower(const wv_sim_cfg *cfg, const char *ref)
{
    for (int f = 0; f < cfg->nfollowers; f++)
        if (strcmp(ref, cfg->names[f]) == 0)
            return f;
    char *end;
    long n = strtol(ref[0] == 'f' ? ref + 1 : ref, &end, 10);
    if (*end == '\0' && end != ref && n >= 1 && n <= cfg->nfollowers)
        return (int)n - 1;
    return -1;
}

/* "FIRST n (a, b)", "ANY n (a, b)", or "n (a, b)" (FIRST). */
static int parse_standbys(wv_sim_cfg *cfg, const char *raw, char *err, size_t errsz)
{
    char *copy = wv_xstrdup(raw), *p = copy;
    int rc = -1;
    while (isspace((unsigned char)*p))
        p++;
    cfg->sync_any = false;
    if (strncasecmp(p, "ANY", 3) == 0 && isspace((unsigned char)p[3]))
        cfg->sync_any = true, p += 3;
    else if (strncasecmp(p, "FIRST", 5) == 0 && isspace((unsigned char)p[5]))
        p += 5;
    char *end;
    long num = strtol(p, &end, 10);
    char *open = strchr(end, '('), *close = open ? strchr(open, ')') : NULL;
    if (end == p || num < 1 || !open || !close) {
        snprintf(err, errsz, "--sync-standbys expects 'FIRST n (f1, f2)' or 'ANY n (f1, f2)', "
                             "not '%s'", raw);
        goto done;
    }
    *close = '\0';
    char *items[WV_SIM_MAX_FOLLOWERS];
    int n = split_list(open + 1, items, WV_SIM_MAX_FOLLOWERS);
    if (n <= 0) {
        snprintf(err, errsz, n < 0 ? "--sync-standbys lists more than 8 standbys in '%s'"
                                   : "--sync-standbys names no standby in '%s'", raw);
        goto done;
    }
    if (num > n) {
        snprintf(err, errsz, "--sync-standbys asks for %ld standbys but lists %d", num, n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const char *name = items[i];
        size_t len = strlen(name);
        char unq[64];
        if (len >= 2 && name[0] == '"' && name[len - 1] == '"' && len - 2 < sizeof unq) {
            memcpy(unq, name + 1, len - 2);
            unq[len - 2] = '\0';
            name = unq;
        }
        int f = wv_sim_cfg_follower(cfg, name);
        if (f < 0) {
            snprintf(err, errsz, "--sync-standbys: '%s' is not a follower (names: f1..f%d or "
                                 "--names)", items[i], cfg->nfollowers);
            goto done;
        }
        /* A walsender counts once however often it is listed. */
        for (int k = 0; k < i; k++) {
            if (cfg->sync_standbys[k] == f) {
                snprintf(err, errsz, "--sync-standbys lists %s twice", cfg->names[f]);
                goto done;
            }
        }
        cfg->sync_standbys[i] = f;
    }
    cfg->nsync_standbys = n;
    cfg->sync_num = (int)num;
    rc = 0;
done:
    free(copy);
    return rc;
}

static int parse_fault(wv_sim_cfg *cfg, wv_fault_kind kind, const char *raw, char *err, size_t errsz)
{
    const char *opt = kind == WV_FAULT_PARTITION ? "partition" : kind == WV_FAULT_STOP ? "stop" : "crash";
    char *copy = wv_xstrdup(raw);
    char *at = strchr(copy, '@'), *dash = at ? strchr(at + 1, '-') : NULL;
    int rc = -1;
    if (!at || !dash) {
        snprintf(err, errsz, "--%s expects FOLLOWER@FROM-TO like f2@3s-8s, not '%s'", opt, raw);
        goto done;
    }
    *at = *dash = '\0';
    int f = wv_sim_cfg_follower(cfg, copy);
    wv_fault fault = { kind, 0, 0 };
    if (f < 0) {
        snprintf(err, errsz, "--%s: '%s' is not a follower (f1..f%d, or a --names name)", opt,
                 copy, cfg->nfollowers);
        goto done;
    }
    if (wv_parse_duration(at + 1, &fault.from) < 0 || wv_parse_duration(dash + 1, &fault.to) < 0 ||
        fault.to <= fault.from) {
        snprintf(err, errsz, "--%s expects FROM-TO times with FROM before TO, like 3s-8s, not '%s'",
                 opt, raw);
        goto done;
    }
    if (cfg->nfaults[f] == WV_SIM_MAX_FAULTS) {
        snprintf(err, errsz, "--%s: too many faults on %s", opt, cfg->names[f]);
        goto done;
    }
    cfg->faults[f][cfg->nfaults[f]++] = fault;
    rc = 0;
done:
    free(copy);
    return rc;
}

/* "TIME:FOLLOWER", e.g. 3s:f1. */
static int parse_failover(wv_sim_cfg *cfg, const char *raw, char *err, size_t errsz)
{
    char *copy = wv_xstrdup(raw), *colon = strrchr(copy, ':');
    int rc = -1;
    if (colon)
        *colon = '\0';
    int f = colon ? wv_sim_cfg_follower(cfg, colon + 1) : -1;
    if (!colon || wv_parse_duration(copy, &cfg->failover_at) < 0)
        snprintf(err, errsz, "--failover expects TIME:FOLLOWER like 3s:f1, not '%s'", raw);
    else if (f < 0)
        snprintf(err, errsz, "--failover: '%s' is not a follower (f1..f%d, or a --names name)", colon + 1,
                 cfg->nfollowers);
    else
        cfg->failover_to = f, rc = 0;
    free(copy);
    return rc;
}

/* The index of name among items[0..n), or -1. */
static int follower_name_index(char **items, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(items[i], name) == 0)
            return i;
    return -1;
}

int wv_sim_cfg_check(wv_sim_cfg *cfg, char *err, size_t errsz)
{
    if (cfg->raw.names) {
        char *copy = wv_xstrdup(cfg->raw.names), *items[WV_SIM_MAX_FOLLOWERS];
        int n = split_list(copy, items, WV_SIM_MAX_FOLLOWERS);
        int rc = 0;
        if (n < 1)
            rc = -1, snprintf(err, errsz, "--names expects at most 8 names, like tokyo,sydney");
        for (int i = 0; rc == 0 && i < n; i++) {
            if (!*items[i] || strlen(items[i]) >= sizeof cfg->names[i]) {
                snprintf(err, errsz, "--names: each name needs 1 to 31 characters ('%s')", items[i]);
                rc = -1;
            } else if (i > 0 && follower_name_index(items, i, items[i]) >= 0) {
                snprintf(err, errsz, "--names: '%s' names two followers", items[i]);
                rc = -1;
            } else {
                strcpy(cfg->names[i], items[i]);
            }
        }
        /* naming followers implies how many, unless --followers says more */
        if (rc == 0 && n > cfg->nfollowers)
            cfg->nfollowers = n;
        free(copy);
        if (rc)
            return -1;
    }
    /* The default jitter follows a latency given on the command line. */
    bool default_jitter = !cfg->raw.jitter;
    if (apply_list(cfg, "latency", cfg->raw.latency, L_DURATION, offsetof(wv_link_cfg, latency_us), err, errsz) ||
        apply_list(cfg, "jitter", cfg->raw.jitter, L_DURATION, offsetof(wv_link_cfg, jitter_us), err, errsz) ||
        apply_list(cfg, "bandwidth", cfg->raw.bandwidth, L_BANDWIDTH, offsetof(wv_link_cfg, bandwidth_bps), err, errsz) ||
        apply_list(cfg, "flush", cfg->raw.flush, L_DURATION, offsetof(wv_link_cfg, flush_us), err, errsz) ||
        apply_list(cfg, "apply", cfg->raw.apply, L_DURATION, offsetof(wv_link_cfg, apply_us), err, errsz) ||
        apply_list(cfg, "kind", cfg->raw.kind, L_KIND, offsetof(wv_link_cfg, kind), err, errsz))
        return -1;
    if (default_jitter)
        for (int f = 0; f < WV_SIM_MAX_FOLLOWERS; f++)
            cfg->link[f].jitter_us = cfg->link[f].latency_us / 10;
    memset(cfg->nfaults, 0, sizeof cfg->nfaults);
    for (int i = 0; i < cfg->raw.nfaults; i++)
        if (parse_fault(cfg, cfg->raw.fault_kinds[i], cfg->raw.faults[i], err, errsz) < 0)
            return -1;
    if (cfg->raw.failover && parse_failover(cfg, cfg->raw.failover, err, errsz) < 0)
        return -1;
    if (cfg->nshards > cfg->nfollowers) {
        snprintf(err, errsz, "--shard-by asks for %d shards, but there are %d followers (--followers)",
                 cfg->nshards, cfg->nfollowers);
        return -1;
    }
    for (int f = 0; f < cfg->nshards; f++) {
        if (cfg->link[f].kind == WV_KIND_PHYSICAL) {
            snprintf(err, errsz, "--shard-by: %s is a shard, and row filters need a logical "
                                 "subscriber, not a physical standby (--kind)", cfg->names[f]);
            return -1;
        }
    }
    cfg->nsync_standbys = 0;
    if (cfg->raw.sync_standbys && *cfg->raw.sync_standbys &&
        parse_standbys(cfg, cfg->raw.sync_standbys, err, errsz) < 0)
        return -1;
    for (int i = 0; i < cfg->nreaders; i++) {
        const wv_read_spec *r = &cfg->readers[i];
        if (r->node[0] && strcmp(r->node, "leader") != 0 && wv_sim_cfg_follower(cfg, r->node) < 0) {
            snprintf(err, errsz, "--reader: '%s' is not a node (leader, f1, f2..., or a name given by --names)",
                     r->node);
            return -1;
        }
        if (r->view && cfg->nviews == 0) {
            snprintf(err, errsz, "%s", "--reader: 'view' reads the first --view, and there is none");
            return -1;
        }
    }
    return 0;
}
