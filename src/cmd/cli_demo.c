/* cli_demo: `walviz demo`, the one command a teacher types: a private
 * PostgreSQL, a workload at a human pace, and the window on its stream. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/clock.h"
#include "walviz/demo.h"
#include "walviz/live.h"
#include "walviz/ui.h"

static const char usage_head[] =
    "Usage: walviz demo [OPTIONS]\n"
    "\n"
    "Starts a private PostgreSQL server in a temporary directory (unix socket\n"
    "only), runs a small bank and shop workload on it and shows its change\n"
    "stream travelling to simulated followers. W pauses the workload, R fires\n"
    "a burst, ? lists every key. Everything is removed on exit. Without\n"
    "PostgreSQL installed, it replays a recorded sample instead.\n"
    "\n"
    "  --tps=N                 workload transactions a second (default 0.7: one\n"
    "                          about every 1.4 s, between 0.7 and 2.1 s)\n"
    "  --real=WHICH            real nodes beside the simulated followers: all (the\n"
    "                          default: a physical standby and a logical\n"
    "                          subscriber, each a private cluster), standby,\n"
    "                          subscriber, or none\n"
    "  --record=FILE           also write the session to a recording, with the\n"
    "                          real nodes' samples, the rows read from them, their\n"
    "                          relays and what the keys did (walviz replay FILE)\n"
    "  --real-latency=D[,D]    one-way delay of the real nodes' relays (standby,\n"
    "                          subscriber); default f2's, so that the class can\n"
    "                          compare f2 with them; their bandwidth is f2's\n"
    "  --help                  show this help\n"
    "The demo's followers are farther than simulate's: --latency defaults to\n"
    "20ms,300ms,1500ms, so a change is still travelling to the far one when the\n"
    "next commits.\n";

/* One way, per follower: near, far, very far (then more of the same). */
static const int demo_latency_ms[WV_SIM_MAX_FOLLOWERS] = { 20, 300, 1500, 40, 600, 2000, 80, 900 };

typedef struct demo_ctx {
    wv_demo *demo;
    wv_live *live;
    wv_realnodes *real; /* observed real nodes; NULL with --real none */
    /* what the keys act on, from the last frame: the selection, the sim */
    const wv_view *view;
    wv_sim *sim;
    char sync_names[64]; /* synchronous_standby_names set on the real primary; "" */
    char sync_level[16]; /* the workload's synchronous_commit */
    bool cut[2];         /* the standby's, the subscriber's relay is cut */
    char status[300];
} demo_ctx;

/* --real's words: which real nodes. */
static int parse_real(const char *v, unsigned *which)
{
    static const struct {
        const char *word;
        unsigned which;
    } words[] = { { "all", WV_DEMO_STANDBY | WV_DEMO_SUBSCRIBER },
                  { "standby", WV_DEMO_STANDBY },
                  { "subscriber", WV_DEMO_SUBSCRIBER },
                  { "none", 0 } };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(v, words[i].word) == 0) {
            *which = words[i].which;
            return 0;
        }
    return -1;
}

/* Starts the real nodes and observes them: their lanes join cfg. Returns
 * 0, or -1 having said why. */
static int start_real(demo_ctx *ctx, unsigned which, const int64_t latency[2], wv_sim_cfg *cfg)
{
    char exe[1024], err[600];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf(stderr, "walviz demo: cannot find this program to run its relays\n");
        return -1;
    }
    exe[len] = '\0';
    const wv_link_cfg *f2 = &cfg->link[cfg->nfollowers > 1 ? 1 : 0];
    wv_demo_link links[2] = { { latency[0], f2->bandwidth_bps }, { latency[1], f2->bandwidth_bps } };
    int64_t t0 = wv_now_us();
    fprintf(stderr, "walviz demo: starting %s beside it...\n",
            which == (WV_DEMO_STANDBY | WV_DEMO_SUBSCRIBER) ? "a real standby and a real subscriber"
            : which == WV_DEMO_STANDBY                    ? "a real standby"
                                                          : "a real subscriber");
    if (wv_demo_real_start(ctx->demo, exe, which, &links[0], &links[1], err, sizeof err) < 0) {
        fprintf(stderr, "walviz demo: %s (--real none starts the demo without them)\n", err);
        return -1;
    }
    const char *direct[2];
    int n = 0;
    for (unsigned w = WV_DEMO_STANDBY; w <= WV_DEMO_SUBSCRIBER; w <<= 1)
        if (wv_demo_real_observe(ctx->demo, w))
            direct[n++] = wv_demo_real_observe(ctx->demo, w);
    ctx->real = wv_realnodes_new();
    if (wv_live_observe(ctx->live, ctx->real, true, direct, n, err, sizeof err) < 0 ||
        wv_realnodes_lanes(ctx->real, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "walviz demo: %s\n", err);
        return -1;
    }
    /* each real lane says its relay's link */
    for (int f = 0; f < cfg->nfollowers; f++) {
        int node = wv_realnodes_node_of(ctx->real, f);
        if (node >= 0) {
            int i = wv_realnodes_kind(ctx->real, node) == WV_KIND_PHYSICAL ? 0 : 1;
            cfg->link[f].latency_us = links[i].latency_us;
            cfg->link[f].bandwidth_bps = links[i].bandwidth_bps;
        }
    }
    wv_buf v; /* and says so in the recording */
    wv_buf_init(&v);
    wv_realnodes_links_value(ctx->real, cfg, &v);
    wv_buf_append(&v, "", 1);
    wv_live_header(ctx->live, WV_REAL_LINKS_KEY, v.data);
    wv_buf_destroy(&v);
    fprintf(stderr, "walviz demo: real nodes streaming after %.1f s\n", (double)(wv_now_us() - t0) / 1e6);
    return 0;
}

static bool demo_feed(void *ctx, wv_sim *sim, int64_t wall_us, wv_view *view)
{
    demo_ctx *d = ctx;
    wv_demo_tick(d->demo, wall_us);
    view->demo_hint = wv_demo_paused(d->demo) ? "W: resume the workload   R: a burst   ?: keys"
                                              : "W: pause the workload   R: a burst   ?: keys";
    d->view = view;
    d->sim = sim;
    bool changed = wv_live_feed(d->live, sim, wall_us, view);
    /* with real nodes, what the workload's client waited for its COMMIT */
    int64_t wait = wv_demo_commit_wait(d->demo);
    if (d->real && !view->status && !view->notice && wait >= 0) { /* a key's notice first */
        snprintf(d->status, sizeof d->status, "COMMIT %.1f ms%s%s%s%s%s",
                 (double)wait / 1000.0, d->sync_names[0] ? " (" : "", d->sync_names, d->sync_names[0] ? ", " : "",
                 d->sync_names[0] ? d->sync_level : "", d->sync_names[0] ? ")" : "");
        view->status = d->status;
    }
    return changed;
}

/* The real node a key acts on: the selected follower (f1 when none), or
 * -1 when that is a simulated one. Sets *which, and *lane to its lane. */
static int real_target(const demo_ctx *d, unsigned *which, int *lane)
{
    if (!d->real || !d->view)
        return -1;
    int f = d->view->selected_follower >= 0 ? d->view->selected_follower : 0;
    int node = wv_realnodes_node_of(d->real, f);
    *lane = f;
    if (node >= 0)
        *which = wv_realnodes_kind(d->real, node) == WV_KIND_PHYSICAL ? WV_DEMO_STANDBY : WV_DEMO_SUBSCRIBER;
    return node;
}

/* Shift+P, S, Shift+S on a real node act on the real cluster. */
static bool real_fault(demo_ctx *d, wv_action act, char *notice, size_t noticesz)
{
    unsigned which;
    int f;
    int node = real_target(d, &which, &f);
    if (node < 0)
        return false;
    const char *name = wv_realnodes_name(d->real, node);
    bool *cut = &d->cut[which == WV_DEMO_STANDBY ? 0 : 1];
    int64_t t = d->view->tl->now; /* the lane and the timeline mark it, as for a simulated fault */
    if (act == WV_ACT_PARTITION) {
        if (wv_demo_real_cut(d->demo, which, !*cut) == 0) {
            *cut = !*cut;
            (*cut ? wv_sim_partition : wv_sim_heal)(d->sim, f, t);
            wv_live_mark(d->live, node, *cut ? WV_REAL_CUT : WV_REAL_HEAL, wv_sim_epoch_us(d->sim) + t);
            snprintf(notice, noticesz, *cut ? "%s's relay cut: its bytes held, its connection open (Shift+P heals)"
                                              : "%s's relay healed: what it held arrives", name);
        }
    } else if (act == WV_ACT_STOP) {
        bool stop = !wv_demo_real_stopped(d->demo, which);
        if (wv_demo_real_stop(d->demo, which, stop) == 0) {
            (stop ? wv_sim_stop : wv_sim_restart)(d->sim, f, t);
            wv_live_mark(d->live, node, stop ? WV_REAL_STOP : WV_REAL_START, wv_sim_epoch_us(d->sim) + t);
            snprintf(notice, noticesz, stop ? "%s's server stopped (immediate): S starts it" : "%s's server starting",
                     name);
        } else
            snprintf(notice, noticesz, "pg_ctl could not %s %s's server", stop ? "stop" : "start", name);
    } else {
        snprintf(notice, noticesz, "Shift+S crashes a simulated machine only: S stops %s's server", name);
    }
    return true;
}

/* C: the simulation's level cycles as always (the controller names a
 * simulated synchronous standby), and the real primary gets the same
 * level for the workload and a real synchronous standby. */
static void real_sync(demo_ctx *d, char *notice, size_t noticesz)
{
    const wv_sim_cfg *cfg = wv_sim_config(d->sim);
    if (!d->sync_names[0]) {
        unsigned which;
        int f;
        int node = real_target(d, &which, &f);
        snprintf(d->sync_names, sizeof d->sync_names, "%s", wv_realnodes_name(d->real, node >= 0 ? node : 0));
    }
    const char *level = wv_sync_level_name((wv_sync_level)((cfg->sync + 1) % WV_SYNC_COUNT));
    snprintf(d->sync_level, sizeof d->sync_level, "%s", level);
    if (wv_demo_set_sync(d->demo, d->sync_names, level) < 0)
        snprintf(notice, noticesz, "could not set synchronous_standby_names on the real primary");
}

static const char *demo_failed(void *ctx)
{
    demo_ctx *d = ctx;
    return wv_live_ended(d->live) ? wv_live_status(d->live) : NULL;
}

static bool demo_action(void *ctx, wv_action act, char *notice, size_t noticesz)
{
    demo_ctx *d = ctx;
    if ((act == WV_ACT_PARTITION || act == WV_ACT_STOP || act == WV_ACT_CRASH) &&
        real_fault(d, act, notice, noticesz))
        return true;
    if (act == WV_ACT_CYCLE_SYNC && d->real && d->sim && wv_realnodes_count(d->real) > 0) {
        real_sync(d, notice, noticesz);
        return false; /* and the controller cycles the simulation's */
    }
    if (act == WV_ACT_WORKLOAD_TOGGLE) {
        bool pause = !wv_demo_paused(d->demo);
        wv_demo_pause(d->demo, pause);
        snprintf(notice, noticesz, pause ? "workload paused (W resumes it)" : "workload resumed");
        return true;
    }
    if (act == WV_ACT_WORKLOAD_BURST) {
        char rows[32];
        wv_fmt_thousands(rows, sizeof rows, (uint64_t)wv_demo_burst(d->demo));
        snprintf(notice, noticesz, "burst: %s rows sent", rows);
        return true;
    }
    return false;
}

/* The recorded sample shipped with walviz, for machines without a server. */
static int find_sample(char *out, size_t n)
{
    char exe[1024];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *rel[] = { "/../sample-data/bank.wvr", "/sample-data/bank.wvr",
                          "/../share/walviz/sample-data/bank.wvr" };
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            snprintf(out, n, "%s%s", exe, rel[i]);
            if (access(out, R_OK) == 0)
                return 0;
        }
    }
    snprintf(out, n, "%s/sample-data/bank.wvr", WV_DATADIR);
    return access(out, R_OK) == 0 ? 0 : -1;
}

static int replay_sample(wv_sim_cfg *cfg, wv_ui_opts *uo)
{
    char path[1200];
    if (find_sample(path, sizeof path) < 0) {
        fprintf(stderr, "walviz demo: no PostgreSQL server binaries found (initdb), and no "
                        "sample recording either; install postgresql (make deps)\n");
        return 1;
    }
    fprintf(stderr, "walviz demo: no PostgreSQL server found; replaying %s instead\n", path);
    wv_sim *sim = wv_sim_new(cfg);
    int rc = wv_cli_load(sim, path) < 0 ? 1 : 0;
    if (rc == 0) {
        uo->title = "sample: bank";
        uo->status = "No PostgreSQL server here: replaying a recorded sample (Space plays)";
        rc = wv_ui_run(sim, uo);
    }
    wv_sim_free(sim);
    return rc;
}

int wv_cli_demo(int argc, char **argv)
{
    struct option longopts[48];
    wv_cli_sim_display sd;
    int nopt = wv_cli_add_sim_display(longopts, 0, &sd);
    int tps_index = nopt;
    longopts[nopt++] = (struct option){ "tps", required_argument, NULL, 0 };
    int real_index = nopt;
    longopts[nopt++] = (struct option){ "real", required_argument, NULL, 0 };
    int real_latency_index = nopt;
    longopts[nopt++] = (struct option){ "real-latency", required_argument, NULL, 0 };
    int record_index = nopt;
    longopts[nopt++] = (struct option){ "record", required_argument, NULL, 0 };
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_ui_opts uo;
    wv_cli_display_defaults(&uo);
    double tps = 0.7;
    unsigned real = WV_DEMO_STANDBY | WV_DEMO_SUBSCRIBER;
    const char *real_latency = NULL, *record = NULL;
    char err[600];
    int c, idx, status = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        int rc = 0;
        if (c == 'h') {
            fputs(usage_head, stdout);
            fputs(wv_sim_options_help, stdout);
            fputs(wv_cli_display_help, stdout);
            status = 0;
            goto done;
        } else if (c != 0) {
            fputs("Try 'walviz demo --help'.\n", stderr);
            goto done;
        } else if (idx == tps_index) {
            char *end;
            tps = strtod(optarg, &end);
            if (*end || tps < 0.1 || tps > 100) {
                snprintf(err, sizeof err, "--tps expects transactions a second from 0.1 to 100, not '%s'", optarg);
                rc = -1;
            }
        } else if (idx == real_index) {
            if (parse_real(optarg, &real) < 0) {
                snprintf(err, sizeof err, "--real expects all, standby, subscriber or none, not '%s'", optarg);
                rc = -1;
            }
        } else if (idx == real_latency_index) {
            real_latency = optarg;
        } else if (idx == record_index) {
            record = optarg;
        } else {
            rc = wv_cli_sim_display_option(&sd, longopts, idx, optarg, &cfg, &uo, err, sizeof err);
        }
        if (rc != 0) {
            fprintf(stderr, "walviz demo: %s\n", err);
            goto done;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "walviz demo: unexpected argument '%s'. Try 'walviz demo --help'.\n", argv[optind]);
        goto done;
    }
    if (!cfg.raw.latency) {
        char list[128] = "";
        for (int f = 0; f < cfg.nfollowers; f++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%dms", f ? "," : "",
                     demo_latency_ms[f]);
        wv_sim_cfg_option(&cfg, "latency", list, err, sizeof err);
    }
    if (wv_sim_cfg_check(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "walviz demo: %s\n", err);
        goto done;
    }
    int64_t real_lat[2];
    real_lat[0] = real_lat[1] = cfg.link[cfg.nfollowers > 1 ? 1 : 0].latency_us;
    if (real_latency) {
        char *copy = wv_xstrdup(real_latency), *comma = strchr(copy, ',');
        if (comma)
            *comma++ = '\0';
        int bad = wv_parse_duration(copy, &real_lat[0]) < 0 ||
                  wv_parse_duration(comma ? comma : copy, &real_lat[1]) < 0 || (comma && strchr(comma, ','));
        free(copy);
        if (bad) {
            fprintf(stderr, "walviz demo: --real-latency expects one or two durations like 300ms or 300ms,1s, "
                            "not '%s'\n", real_latency);
            goto done;
        }
    }
    int stale = wv_demo_cleanup_stale();
    if (stale > 0)
        fprintf(stderr, "walviz demo: removed %d demo server(s) left behind by a walviz that was killed\n", stale);

    char bindir[512];
    if (wv_demo_find_server(bindir, sizeof bindir) < 0) {
        status = replay_sample(&cfg, &uo);
        goto done;
    }
    fprintf(stderr, "walviz demo: starting a private PostgreSQL (%s)...\n", bindir);
    demo_ctx ctx = { 0 };
    int64_t started = wv_now_us();
    ctx.demo = wv_demo_start(bindir, tps, cfg.seed, err, sizeof err);
    if (!ctx.demo) {
        fprintf(stderr, "walviz demo: %s\n", err);
        status = 1;
        goto done;
    }
    wv_source_opts so;
    const char *no_opts[1] = { NULL };
    wv_cli_conn_defaults(&so, no_opts);
    so.conninfo = wv_demo_conninfo(ctx.demo);
    so.reconnect = false;
    so.status_interval_ms = 1000;
    ctx.live = wv_live_new(&so, record, err, sizeof err);
    status = 1;
    if (!ctx.live) {
        fprintf(stderr, "walviz demo: %s\n", err);
    } else if (!wv_live_wait_streaming(ctx.live, 20000000)) {
        fprintf(stderr, "walviz demo: %s\n", wv_live_status(ctx.live));
    } else if (real && start_real(&ctx, real, real_lat, &cfg) < 0) {
        /* said */
    } else if (wv_demo_workload_start(ctx.demo, err, sizeof err) < 0) {
        fprintf(stderr, "walviz demo: %s\n", err);
    } else {
        fprintf(stderr, "walviz demo: ready after %.1f s\n", (double)(wv_now_us() - started) / 1e6);
        wv_live_sim_cfg(&cfg);
        wv_sim *sim = wv_sim_new(&cfg);
        uo.title = "demo";
        uo.feed = demo_feed;
        uo.failed = demo_failed;
        uo.on_action = demo_action;
        uo.ctx = &ctx;
        status = wv_ui_run(sim, &uo);
        wv_sim_free(sim);
    }
    wv_live_free(ctx.live);
    wv_realnodes_free(ctx.real);
    wv_demo_stop(ctx.demo);
    fprintf(stderr, "walviz demo: %s stopped and removed\n", real ? "servers and relays" : "server");
done:
    wv_sim_cfg_destroy(&cfg);
    return status;
}
