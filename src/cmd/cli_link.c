/* cli_link: `walviz link`, the delay relay as a command of its own, for a
 * lab of real servers: a standby connects to the relay instead of its
 * primary. Keys on a terminal and signals for scripts cut and heal it.
 *
 * Signals arrive through a signalfd rather than a handler: they wake the
 * same poll as the sockets, and no flag outside main.c is needed. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/relay.h"
#include "walviz/sim.h"

static const char usage[] =
    "Usage: walviz link --listen [HOST:]PORT --to TARGET [OPTIONS]\n"
    "\n"
    "Relays TCP connections from the listening address to TARGET, slower:\n"
    "each direction gets a one-way delay and a bandwidth, and the link can be\n"
    "cut (bytes are held, connections stay open, as in a network partition)\n"
    "and healed (what was held arrives one latency later). Point a standby's\n"
    "primary_conninfo, or a subscription's CONNECTION, at the relay.\n"
    "\n"
    "  --listen=[HOST:]PORT    where to listen (HOST defaults to 127.0.0.1;\n"
    "                          0.0.0.0 for other machines; PORT 0 picks one)\n"
    "  --to=TARGET             HOST:PORT, or unix:PATH for a socket file such\n"
    "                          as unix:/var/run/postgresql/.s.PGSQL.5432\n"
    "  --latency=D             one-way delay each way: 50ms, 1.5s (default 0)\n"
    "  --up-latency=D          towards TARGET only (a standby's replies)\n"
    "  --down-latency=D        from TARGET only (a primary's WAL)\n"
    "  --bandwidth=B           each way: 500kB/s, 10MB/s, 100Mbit (default: no limit)\n"
    "  --up-bandwidth=B, --down-bandwidth=B   one way only\n"
    "  --cut                   start cut\n"
    "  -h, --help              show this help\n"
    "\n"
    "On a terminal: c cuts, h heals, q quits; a status line shows the link.\n"
    "From a script: SIGUSR1 cuts, SIGUSR2 heals (send them once the line\n"
    "'listening on' is printed), SIGINT or SIGTERM stops. Connections are\n"
    "logged on stderr. Exit status 0 when stopped, 1 when the relay could not\n"
    "start or failed, 2 for a wrong option.\n";

#define STATUS_EVERY_US 250000

enum { O_LISTEN = 1, O_TO, O_LATENCY, O_UP_LATENCY, O_DOWN_LATENCY, O_BANDWIDTH, O_UP_BANDWIDTH,
       O_DOWN_BANDWIDTH, O_CUT };

/* The simulated links' parser, so that a bandwidth reads the same in link
 * as in --bandwidth of replay and demo. */
static int parse_bandwidth(const char *opt, const char *v, double *bps, char *err, size_t errsz)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    int rc = strchr(v, ',') ? -1 : wv_sim_cfg_option(&cfg, "bandwidth", v, err, errsz);
    if (rc == 0)
        rc = wv_sim_cfg_check(&cfg, err, errsz);
    if (rc == 0)
        *bps = cfg.link[0].bandwidth_bps;
    else
        snprintf(err, errsz, "--%s expects a speed like 500kB/s, 10MB/s or 100Mbit, not '%s'", opt, v);
    wv_sim_cfg_destroy(&cfg);
    return rc ? -1 : 0;
}

static int parse_latency(const char *opt, const char *v, int64_t *us, char *err, size_t errsz)
{
    if (wv_parse_duration(v, us) == 0)
        return 0;
    snprintf(err, errsz, "--%s expects a duration like 50ms or 1.5s, not '%s'", opt, v);
    return -1;
}

typedef struct link_ui {
    bool status;  /* stderr is a terminal: keep a status line */
    bool shown;   /* the status line is on screen */
} link_ui;

static void clear_status(link_ui *ui)
{
    if (ui->shown)
        fputs("\r\033[K", stderr);
    ui->shown = false;
}

static void log_line(void *ctx, const char *line)
{
    clear_status(ctx);
    fprintf(stderr, "walviz link: %s\n", line);
}

static void show_status(link_ui *ui, const wv_relay *r, bool keys)
{
    wv_relay_stats s;
    wv_relay_get_stats(r, &s);
    char up[32], down[32], held[32];
    wv_fmt_thousands(up, sizeof up, s.delivered[0]);
    wv_fmt_thousands(down, sizeof down, s.delivered[1]);
    wv_fmt_thousands(held, sizeof held, s.queued[0] + s.queued[1]);
    fprintf(stderr, "\r\033[K%s  %d connection%s  up %s B  down %s B  in flight %s B%s",
            s.cut ? (keys ? "CUT (h heals)" : "CUT") : (keys ? "linked (c cuts)" : "linked"),
            s.conns, s.conns == 1 ? "" : "s", up, down, held, keys ? "  q quits" : "");
    ui->shown = true;
}

static void describe(char *out, size_t outsz, const wv_relay_link *l)
{
    int n = snprintf(out, outsz, "%.1f ms", (double)l->latency_us / 1000);
    if (l->bandwidth_bps > 0 && n > 0 && (size_t)n < outsz)
        snprintf(out + n, outsz - (size_t)n, ", %.0f B/s", l->bandwidth_bps);
}

int wv_cli_link(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, O_LISTEN },
        { "to", required_argument, NULL, O_TO },
        { "latency", required_argument, NULL, O_LATENCY },
        { "up-latency", required_argument, NULL, O_UP_LATENCY },
        { "down-latency", required_argument, NULL, O_DOWN_LATENCY },
        { "bandwidth", required_argument, NULL, O_BANDWIDTH },
        { "up-bandwidth", required_argument, NULL, O_UP_BANDWIDTH },
        { "down-bandwidth", required_argument, NULL, O_DOWN_BANDWIDTH },
        { "cut", no_argument, NULL, O_CUT },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    wv_relay_opts o = { 0 };
    bool cut = false;
    char err[400];
    int c, idx = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        int rc = 0;
        const char *name = idx >= 0 ? longopts[idx].name : "";
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return 0;
        case O_LISTEN: o.listen = optarg; break;
        case O_TO: o.target = optarg; break;
        case O_LATENCY:
            rc = parse_latency(name, optarg, &o.up.latency_us, err, sizeof err);
            o.down.latency_us = o.up.latency_us;
            break;
        case O_UP_LATENCY: rc = parse_latency(name, optarg, &o.up.latency_us, err, sizeof err); break;
        case O_DOWN_LATENCY: rc = parse_latency(name, optarg, &o.down.latency_us, err, sizeof err); break;
        case O_BANDWIDTH:
            rc = parse_bandwidth(name, optarg, &o.up.bandwidth_bps, err, sizeof err);
            o.down.bandwidth_bps = o.up.bandwidth_bps;
            break;
        case O_UP_BANDWIDTH: rc = parse_bandwidth(name, optarg, &o.up.bandwidth_bps, err, sizeof err); break;
        case O_DOWN_BANDWIDTH:
            rc = parse_bandwidth(name, optarg, &o.down.bandwidth_bps, err, sizeof err);
            break;
        case O_CUT: cut = true; break;
        default:
            fputs("Try 'walviz link --help'.\n", stderr);
            return 2;
        }
        if (rc < 0) {
            fprintf(stderr, "walviz link: %s\n", err);
            return 2;
        }
        idx = -1;
    }
    if (optind < argc || !o.listen || !o.target) {
        fprintf(stderr, "walviz link: %s. Try 'walviz link --help'.\n",
                optind < argc ? "unexpected argument" : "--listen and --to are both needed");
        return 2;
    }

    link_ui ui = { isatty(STDERR_FILENO) != 0, false };
    o.log = log_line;
    o.log_ctx = &ui;
    int status = 1, sfd = -1;
    bool keys = false;
    struct termios saved;
    wv_relay *r = wv_relay_new(&o, err, sizeof err);
    if (!r) {
        fprintf(stderr, "walviz link: %s\n", err);
        return 1;
    }
    if (cut)
        wv_relay_set_cut(r, true);

    /* Signals: blocked, read from a descriptor the relay's poll watches.
     * A Ctrl-C that came before this still counts (main's flag). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
        (sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        fprintf(stderr, "walviz link: cannot watch signals: %s\n", strerror(errno));
        goto done;
    }
    /* Keys only in the foreground: a background job changing the terminal
     * would be stopped (SIGTTOU). */
    if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
        tcgetattr(STDIN_FILENO, &saved) == 0) {
        struct termios raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }

    char up[64], down[64];
    describe(up, sizeof up, &o.up);
    describe(down, sizeof down, &o.down);
    fprintf(stderr, "walviz link: listening on %s, relaying to %s; up %s, down %s%s\n",
            wv_relay_address(r), o.target, up, down, cut ? "; cut" : "");

    int watch[2] = { sfd, STDIN_FILENO };
    bool stop = wv_cli_interrupted != 0;
    while (!stop) {
        if (ui.status)
            show_status(&ui, r, keys);
        int ready = wv_relay_poll(r, watch, keys ? 2 : 1, ui.status ? STATUS_EVERY_US : WV_RELAY_NEVER,
                                  err, sizeof err);
        if (ready < 0) {
            clear_status(&ui);
            fprintf(stderr, "walviz link: %s\n", err);
            goto done;
        }
        struct signalfd_siginfo si;
        while ((ready & 1) && read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2) {
                wv_relay_set_cut(r, si.ssi_signo == SIGUSR1);
                log_line(&ui, si.ssi_signo == SIGUSR1 ? "cut" : "healed");
            } else {
                stop = true;
            }
        }
        char k[16];
        ssize_t nk = (ready & 2) ? read(STDIN_FILENO, k, sizeof k) : 0;
        for (ssize_t i = 0; i < nk; i++) {
            if (k[i] == 'c' || k[i] == 'h') {
                wv_relay_set_cut(r, k[i] == 'c');
                log_line(&ui, k[i] == 'c' ? "cut" : "healed");
            } else if (k[i] == 'q') {
                stop = true;
            }
        }
        if (nk <= 0 && (ready & 2))
            keys = false; /* the terminal went away */
    }
    status = 0;

done:
    clear_status(&ui);
    wv_relay_stats s;
    wv_relay_get_stats(r, &s);
    fprintf(stderr, "walviz link: stopped after %llu connection%s; %llu bytes up, %llu down\n",
            (unsigned long long)s.accepted, s.accepted == 1 ? "" : "s",
            (unsigned long long)s.delivered[0], (unsigned long long)s.delivered[1]);
    wv_relay_free(r);
    if (keys)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (sfd >= 0)
        close(sfd);
    return status;
}
