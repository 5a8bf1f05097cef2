/* cli: the subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand) and returns the process exit status. */
#ifndef WALVIZ_CLI_H
#define WALVIZ_CLI_H

#include <stddef.h>

int wv_cli_decode(int argc, char **argv);
int wv_cli_record(int argc, char **argv);
int wv_cli_simulate(int argc, char **argv);
int wv_cli_replay(int argc, char **argv);

/* Display options shared by replay, live and demo (size, theme, headless
 * pictures): names for getopt, the help text, and their parser (0, -1
 * with a sentence in err, 1 for a name that is not a display option). */
struct wv_ui_opts;
extern const char *const wv_cli_display_options[];
extern const char wv_cli_display_help[];
void wv_cli_display_defaults(struct wv_ui_opts *o);
int wv_cli_display_option(struct wv_ui_opts *o, const char *name, const char *value, char *err,
                          size_t errsz);

struct wv_sim;
/* Reads every message of path ("-": stdin) into sim and schedules it.
 * Returns the number of messages that could not be read (each reported on
 * stderr as FILE:LINE: ...), or -1 when the file cannot be opened. */
int wv_cli_load(struct wv_sim *sim, const char *path);

/* Set by main's SIGINT/SIGTERM handler; long loops stop when it is. */
extern volatile int wv_cli_interrupted;

#endif
