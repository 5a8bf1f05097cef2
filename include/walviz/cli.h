/* cli: the subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand) and returns the process exit status. */
#ifndef WALVIZ_CLI_H
#define WALVIZ_CLI_H

int wv_cli_decode(int argc, char **argv);
int wv_cli_record(int argc, char **argv);
int wv_cli_simulate(int argc, char **argv);

struct wv_sim;
/* Reads every message of path ("-": stdin) into sim and schedules it.
 * Returns the number of messages that could not be read (each reported on
 * stderr as FILE:LINE: ...), or -1 when the file cannot be opened. */
int wv_cli_load(struct wv_sim *sim, const char *path);

/* Set by main's SIGINT/SIGTERM handler; long loops stop when it is. */
extern volatile int wv_cli_interrupted;

#endif
