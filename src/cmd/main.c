/* main: the command line. Picks a subcommand and wires signals; the
 * subcommands live in cli_*.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "walviz/cli.h"
#include "walviz/util.h"

volatile sig_atomic_t wv_cli_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    wv_cli_interrupted = 1;
}

static const char usage[] =
    "Usage: walviz COMMAND [OPTIONS]\n"
    "\n"
    "walviz makes PostgreSQL logical replication visible: it reads the change\n"
    "stream of a slot using the test_decoding plugin and shows each change\n"
    "travelling from the leader to simulated followers.\n"
    "\n"
    "Commands:\n"
    "  record     stream a replication slot from a server into a recording\n"
    "  demo       the classroom demo: a private server, a workload, the window\n"
    "  live       show a server's slot as it streams\n"
    "  replay     show a recording in a window: leader, followers, packets\n"
    "  lesson     present a narrated lesson on a recording, step by step\n"
    "  simulate   compute when each change reaches each simulated follower\n"
    "  decode     print a change stream (raw, COPY or recording) as JSON Lines\n"
    "  link       relay TCP between real servers with a delay, a bandwidth, cuts\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help; 'walviz COMMAND --help' for a command\n"
    "  -V, --version  show the version\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    { "decode", wv_cli_decode },
    { "record", wv_cli_record },
    { "simulate", wv_cli_simulate },
    { "replay", wv_cli_replay },
    { "live", wv_cli_live },
    { "demo", wv_cli_demo },
    { "lesson", wv_cli_lesson },
    { "link", wv_cli_link },
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("walviz %s\n", WV_VERSION);
        return 0;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "walviz: unknown command '%s'. Try 'walviz --help'.\n", argv[1]);
    return 2;
}
