/* cli: the subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand) and returns the process exit status. */
#ifndef WALVIZ_CLI_H
#define WALVIZ_CLI_H

#include <signal.h>
#include <stddef.h>

int wv_cli_decode(int argc, char **argv);
int wv_cli_record(int argc, char **argv);
int wv_cli_simulate(int argc, char **argv);
int wv_cli_replay(int argc, char **argv);

/* Display options shared by replay, live and demo (size, theme, headless
 * pictures; in their getopt tables through wv_cli_add_sim_display): the
 * help text, and their parser (0, -1 with a sentence in err, 1 for a name
 * that is not a display option). */
struct wv_ui_opts;
extern const char wv_cli_display_help[];
void wv_cli_display_defaults(struct wv_ui_opts *o);
int wv_cli_display_option(struct wv_ui_opts *o, const char *name, const char *value, char *err,
                          size_t errsz);

struct wv_sim;
/* Reads every message of path ("-": stdin) into sim and schedules it.
 * Returns the number of messages that could not be read (each reported on
 * stderr as FILE:LINE: ...), or -1 (said on stderr) when the file cannot
 * be opened, holds no message (an empty recording is fine), or Ctrl-C
 * stopped the load. Shows progress on a terminal after a second. */
int wv_cli_load(struct wv_sim *sim, const char *path);
struct wv_realnodes;
/* The same, with a recording's real-node samples (#real lines) into rn,
 * mapped onto sim once loaded; rn NULL skips them as wv_cli_load does. */
int wv_cli_load_real(struct wv_sim *sim, const char *path, struct wv_realnodes *rn);
/* The real nodes a recording's header names (walviz live --observe): a
 * new set in *rn, to pass to wv_cli_load_real, their lanes added to cfg
 * (checked), and the session on walviz's own clock, as live showed it
 * (receive times, no gap shortened). *rn is NULL when the header names
 * none, or path is stdin (which cannot be read twice). Returns 0, or -1
 * with a sentence in err. */
struct wv_sim_cfg;
int wv_cli_real_lanes(const char *path, struct wv_sim_cfg *cfg, struct wv_realnodes **rn, char *err, size_t errsz);

struct option;
int wv_cli_live(int argc, char **argv);
/* Appends getopt entries for names (flag value 0, so the caller reads the
 * index) at opts[n], NULL-terminated; returns the new count. */
int wv_cli_add_longopts(struct option *opts, int n, const char *const *names);
/* A picture command's simulation and display options, side by side in
 * its getopt table: wv_cli_add_sim_display appends both at opts[n] and
 * returns the new count; wv_cli_sim_display_option handles the entry at
 * idx when it is one of them: 0, -1 with a sentence in err, or 1 when it is
 * another. */
typedef struct wv_cli_sim_display {
    int first_sim, first_display, end;
} wv_cli_sim_display;
int wv_cli_add_sim_display(struct option *opts, int n, wv_cli_sim_display *sd);
int wv_cli_sim_display_option(const wv_cli_sim_display *sd, const struct option *opts, int idx, const char *arg,
                              struct wv_sim_cfg *cfg, struct wv_ui_opts *uo, char *err, size_t errsz);
int wv_cli_demo(int argc, char **argv);
int wv_cli_lesson(int argc, char **argv);
struct wv_ui_opts;
/* Plays the lesson at path from step o->step (0: the first) with the
 * display options o; says what is wrong on stderr. Returns the exit
 * status: 0, 1 (the lesson or its recording cannot be read), 2 (no such
 * step). Also the browser build's way to open a lesson. */
int wv_cli_lesson_show(const char *path, struct wv_ui_opts *o);
int wv_cli_link(int argc, char **argv);

/* Connection and slot options shared by record and live (pg_recvlogical's
 * names). Codes are getopt's: the short letter, or one of these. */
enum { WV_OPT_CREATE_SLOT = 300, WV_OPT_IF_NOT_EXISTS, WV_OPT_NO_TWO_PHASE, WV_OPT_NO_LOOP };
struct wv_source_opts;
extern const struct option *const wv_cli_conn_longopts; /* ends with a NULL name */
extern const char wv_cli_conn_help[];
#define WV_CLI_CONN_SHORTOPTS "d:h:p:U:S:I:E:o:s:"
/* plugin_opts: room for argc strings, kept by the caller. */
void wv_cli_conn_defaults(struct wv_source_opts *o, const char **plugin_opts);
/* 0, -1 with a sentence in err, or 1 when code is not a connection option. */
int wv_cli_conn_option(struct wv_source_opts *o, int code, const char *arg, char *err, size_t errsz);
/* Overwrites a password in -d's argument (argv) so that ps no longer shows
 * it; call once the source has copied the options (wv_source_new). */
void wv_cli_conn_hide_password(struct wv_source_opts *o);

/* Set by main's SIGINT/SIGTERM handler; long loops stop when it is. The
 * commands pass it on (wv_ui_opts.stop) rather than modules reading it. */
extern volatile sig_atomic_t wv_cli_interrupted;

#endif
