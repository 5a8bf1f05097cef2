/* cli_conn: the connection and slot options that record and live share,
 * named as pg_recvlogical names them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/cli.h"
#include "walviz/conninfo.h"
#include "walviz/source.h"

const char wv_cli_conn_help[] =
    "Connection (as pg_recvlogical; PG* variables and service files work):\n"
    "  -d, --dbname=CONNINFO   database name, conninfo string or URI; a\n"
    "                          password in it is blanked from the command line\n"
    "                          once read, but ps may show it before: prefer\n"
    "                          PGPASSWORD or ~/.pgpass\n"
    "  -h, --host=HOST         server host or socket directory\n"
    "  -p, --port=PORT         server port\n"
    "  -U, --username=NAME     role to connect as (needs REPLICATION)\n"
    "Slot:\n"
    "  -S, --slot=NAME         read this slot (default: a temporary slot of\n"
    "                          our own, dropped by the server when we leave)\n"
    "      --create-slot       create --slot first, as a permanent slot\n"
    "      --if-not-exists     with --create-slot: reuse the slot if it exists\n"
    "      --no-two-phase      create the slot without two-phase decoding\n"
    "Stream:\n"
    "  -I, --startpos=LSN      start at this LSN (permanent slots)\n"
    "  -E, --endpos=LSN        stop once the stream passes LSN; a message at\n"
    "                          LSN is kept, none after it\n"
    "  -o, --option=NAME[=VALUE]  test_decoding option (repeatable); walviz\n"
    "                          sets include-xids and include-timestamp itself\n"
    "  -s, --status-interval=SECS  status updates to the server (default 10)\n"
    "      --no-loop           do not reconnect when the connection drops\n";

static const struct option conn_longopts[] = {
    { "dbname", required_argument, NULL, 'd' },
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "username", required_argument, NULL, 'U' },
    { "slot", required_argument, NULL, 'S' },
    { "startpos", required_argument, NULL, 'I' },
    { "endpos", required_argument, NULL, 'E' },
    { "option", required_argument, NULL, 'o' },
    { "status-interval", required_argument, NULL, 's' },
    { "create-slot", no_argument, NULL, WV_OPT_CREATE_SLOT },
    { "if-not-exists", no_argument, NULL, WV_OPT_IF_NOT_EXISTS },
    { "no-two-phase", no_argument, NULL, WV_OPT_NO_TWO_PHASE },
    { "no-loop", no_argument, NULL, WV_OPT_NO_LOOP },
    { NULL, 0, NULL, 0 },
};
const struct option *const wv_cli_conn_longopts = conn_longopts;

void wv_cli_conn_defaults(wv_source_opts *o, const char **plugin_opts)
{
    memset(o, 0, sizeof *o);
    o->two_phase = true;
    o->reconnect = true;
    o->status_interval_ms = 10000;
    o->plugin_opts = plugin_opts;
}

void wv_cli_conn_hide_password(wv_source_opts *o)
{
    /* -d's argument is argv's own memory, which C lets a program change. */
    if (o->conninfo)
        wv_conninfo_hide_password((char *)o->conninfo);
}

static int lsn_arg(const char *opt, const char *arg, uint64_t *lsn, char *err, size_t errsz)
{
    if (wv_lsn_parse(arg, strlen(arg), lsn) == 0)
        return 0;
    snprintf(err, errsz, "%s expects an LSN like 0/16B3748, not '%s'", opt, arg);
    return -1;
}

int wv_cli_conn_option(wv_source_opts *o, int code, const char *arg, char *err, size_t errsz)
{
    switch (code) {
    case 'd': o->conninfo = arg; break;
    case 'h': o->host = arg; break;
    case 'p': o->port = arg; break;
    case 'U': o->user = arg; break;
    case 'S': o->slot = arg; break;
    case 'I': return lsn_arg("--startpos", arg, &o->startpos, err, errsz);
    case 'E': return lsn_arg("--endpos", arg, &o->endpos, err, errsz);
    case 'o':
        /* plugin_opts has room for one per argument (the caller sized it) */
        ((const char **)o->plugin_opts)[o->nplugin_opts++] = arg;
        break;
    case 's': {
        char *end;
        double secs = strtod(arg, &end);
        if (*end || secs <= 0 || secs > 3600) {
            snprintf(err, errsz, "--status-interval expects seconds between 0 and 3600, not '%s'", arg);
            return -1;
        }
        o->status_interval_ms = (int)(secs * 1000);
        break;
    }
    case WV_OPT_CREATE_SLOT: o->create_slot = true; break;
    case WV_OPT_IF_NOT_EXISTS: o->if_not_exists = true; break;
    case WV_OPT_NO_TWO_PHASE: o->two_phase = false; break;
    case WV_OPT_NO_LOOP: o->reconnect = false; break;
    default: return 1;
    }
    return 0;
}
