/* cli_live: `walviz live`, a server's slot animated as it streams. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/cli.h"
#include "walviz/conninfo.h"
#include "walviz/live.h"
#include "walviz/ui.h"

static const char usage_head[] =
    "Usage: walviz live [OPTIONS]\n"
    "\n"
    "Streams a logical replication slot (test_decoding) from a PostgreSQL\n"
    "server and shows each change travelling to simulated followers as it\n"
    "happens. The server needs wal_level = logical and a role with the\n"
    "REPLICATION attribute (see README).\n"
    "\n"
    "  --record=FILE           also write the stream to a recording\n"
    "  --observe               also draw the server's real standbys and subscribers\n"
    "                          (its walsenders, and those that connect later),\n"
    "                          from their positions sampled 25 times a second\n"
    "  --observe NAME=CONNINFO also sample NAME (its application_name) directly:\n"
    "                          its own positions, the rows of its table panel read\n"
    "                          from it (CONNINFO's dbname: the stream's), and with\n"
    "                          --observe, the standbys streaming from it;\n"
    "                          repeatable (a password in CONNINFO is blanked from\n"
    "                          the command line as -d's)\n"
    "  --help                  show this help\n";

static const char *live_failed(void *ctx)
{
    wv_live *live = ctx;
    return wv_live_ended(live) ? wv_live_status(live) : NULL;
}

int wv_cli_live(int argc, char **argv)
{
    struct option longopts[64];
    int nopt = 0;
    for (const struct option *c = wv_cli_conn_longopts; c->name; c++)
        longopts[nopt++] = *c;
    wv_cli_sim_display sd;
    nopt = wv_cli_add_sim_display(longopts, nopt, &sd);
    int record_index = nopt;
    longopts[nopt++] = (struct option){ "record", required_argument, NULL, 0 };
    int observe_index = nopt;
    longopts[nopt++] = (struct option){ "observe", optional_argument, NULL, 0 };
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'H' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_source_opts so;
    const char **plugin_opts = wv_xcalloc((size_t)argc + 1, sizeof(char *));
    wv_cli_conn_defaults(&so, plugin_opts);
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_ui_opts uo;
    wv_cli_display_defaults(&uo);
    const char *record = NULL;
    bool discover = false;
    const char **direct = wv_xcalloc((size_t)argc + 1, sizeof(char *));
    int ndirect = 0;
    wv_realnodes *rn = NULL;
    char err[400];
    int c, idx = -1, status = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, WV_CLI_CONN_SHORTOPTS, longopts, &idx)) != -1) {
        int rc = 0;
        if (c == 'H') {
            fputs(usage_head, stdout);
            fputs(wv_cli_conn_help, stdout);
            fputs(wv_sim_options_help, stdout);
            fputs(wv_cli_display_help, stdout);
            status = 0;
            goto done;
        } else if (c == '?') {
            fputs("Try 'walviz live --help'.\n", stderr);
            goto done;
        } else if (c != 0) {
            rc = wv_cli_conn_option(&so, c, optarg, err, sizeof err);
        } else if (idx == record_index) {
            record = optarg;
        } else if (idx == observe_index) {
            /* "--observe NAME=CONNINFO" as well as "--observe=NAME=CONNINFO" */
            if (!optarg && optind < argc && argv[optind][0] != '-' && strchr(argv[optind], '='))
                optarg = argv[optind++];
            if (optarg && (optarg[0] == '=' || !strchr(optarg, '='))) {
                snprintf(err, sizeof err, "--observe expects NAME=CONNINFO (the node's application_name, then "
                         "how to connect to it), not '%s'", optarg);
                rc = -1;
            } else if (optarg) {
                direct[ndirect++] = optarg;
            } else {
                discover = true;
            }
        } else {
            rc = wv_cli_sim_display_option(&sd, longopts, idx, optarg, &cfg, &uo, err, sizeof err);
        }
        if (rc != 0) {
            fprintf(stderr, "walviz live: %s\n", err);
            goto done;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "walviz live: unexpected argument '%s'. Try 'walviz live --help'.\n", argv[optind]);
        goto done;
    }
    if (wv_sim_cfg_check(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "walviz live: %s\n", err);
        goto done;
    }
    wv_live_sim_cfg(&cfg);
    wv_live *live = wv_live_new(&so, record, err, sizeof err);
    wv_cli_conn_hide_password(&so);
    if (!live) {
        fprintf(stderr, "walviz live: %s\n", err);
        status = 1;
        goto done;
    }
    /* Say what is wrong before opening a window on nothing. */
    if (!wv_live_wait_streaming(live, 30000000)) {
        fprintf(stderr, "walviz live: %s\n", wv_live_status(live));
        wv_live_free(live);
        status = 1;
        goto done;
    }
    if (discover || ndirect) {
        rn = wv_realnodes_new();
        int observed = wv_live_observe(live, rn, discover, direct, ndirect, err, sizeof err);
        for (int i = 0; i < ndirect; i++) /* copied: out of ps's sight, as -d's */
            wv_conninfo_hide_password(strchr(direct[i], '=') + 1);
        if (observed < 0 || wv_realnodes_lanes(rn, &cfg, err, sizeof err) < 0) {
            fprintf(stderr, "walviz live: %s\n", err);
            wv_live_free(live);
            status = 1;
            goto done;
        }
        if (wv_realnodes_count(rn) == 0)
            fprintf(stderr, "walviz live: the server has no standby or subscriber to observe now; "
                            "one that connects later is drawn when it does\n");
    }
    wv_sim *sim = wv_sim_new(&cfg);
    uo.title = "live";
    uo.feed = wv_live_feed;
    uo.failed = live_failed;
    uo.ctx = live;
    status = wv_ui_run(sim, &uo);
    if (status == 0 && wv_live_failed(live))
        status = 1; /* the picture was drawn, but the stream or the recording failed */
    wv_live_free(live);
    wv_sim_free(sim);
done:
    wv_realnodes_free(rn);
    free(direct);
    wv_sim_cfg_destroy(&cfg);
    free(plugin_opts);
    return status;
}
