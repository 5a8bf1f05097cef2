/* cli_demo: `walviz demo`, the one command a teacher types: a private
 * PostgreSQL, a workload at a human pace, and the window on its stream. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walviz/cli.h"
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
    "  --help                  show this help\n"
    "The demo's followers are farther than simulate's: --latency defaults to\n"
    "20ms,300ms,1500ms, so a change is still travelling to the far one when the\n"
    "next commits.\n";

/* One way, per follower: near, far, very far (then more of the same). */
static const int demo_latency_ms[WV_SIM_MAX_FOLLOWERS] = { 20, 300, 1500, 40, 600, 2000, 80, 900 };

typedef struct demo_ctx {
    wv_demo *demo;
    wv_live *live;
} demo_ctx;

static bool demo_feed(void *ctx, wv_sim *sim, int64_t wall_us, wv_view *view)
{
    demo_ctx *d = ctx;
    wv_demo_tick(d->demo, wall_us);
    view->demo_hint = wv_demo_paused(d->demo) ? "W: resume the workload   R: a burst   ?: keys"
                                              : "W: pause the workload   R: a burst   ?: keys";
    return wv_live_feed(d->live, sim, wall_us, view);
}

static const char *demo_failed(void *ctx)
{
    demo_ctx *d = ctx;
    return wv_live_ended(d->live) ? wv_live_status(d->live) : NULL;
}

static bool demo_action(void *ctx, wv_action act, char *notice, size_t noticesz)
{
    demo_ctx *d = ctx;
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
    int nopt = wv_cli_add_longopts(longopts, 0, wv_sim_option_names);
    int first_display = nopt;
    nopt = wv_cli_add_longopts(longopts, nopt, wv_cli_display_options);
    int tps_index = nopt;
    longopts[nopt++] = (struct option){ "tps", required_argument, NULL, 0 };
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_ui_opts uo;
    wv_cli_display_defaults(&uo);
    double tps = 0.7;
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
        } else if (idx < first_display) {
            rc = wv_sim_cfg_option(&cfg, longopts[idx].name, optarg, err, sizeof err);
        } else {
            rc = wv_cli_display_option(&uo, longopts[idx].name, optarg, err, sizeof err);
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
    int stale = wv_demo_cleanup_stale();
    if (stale > 0)
        fprintf(stderr, "walviz demo: removed %d demo server(s) left behind by a walviz that was killed\n", stale);

    char bindir[512];
    if (wv_demo_find_server(bindir, sizeof bindir) < 0) {
        status = replay_sample(&cfg, &uo);
        goto done;
    }
    fprintf(stderr, "walviz demo: starting a private PostgreSQL (%s)...\n", bindir);
    demo_ctx ctx = { NULL, NULL };
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
    ctx.live = wv_live_new(&so, NULL, err, sizeof err);
    status = 1;
    if (!wv_live_wait_streaming(ctx.live, 20000000)) {
        fprintf(stderr, "walviz demo: %s\n", wv_live_status(ctx.live));
    } else if (wv_demo_workload_start(ctx.demo, err, sizeof err) < 0) {
        fprintf(stderr, "walviz demo: %s\n", err);
    } else {
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
    wv_demo_stop(ctx.demo);
    fprintf(stderr, "walviz demo: server stopped and removed\n");
done:
    wv_sim_cfg_destroy(&cfg);
    return status;
}
