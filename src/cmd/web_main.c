/* web_main: the browser build's entry point (emscripten), in place of
 * main.c. The replay path only: no libpq, no PNG pictures.
 *
 * The page writes a recording into the in-memory file system and calls
 * wv_web_open(path, options). main waits for that, loads the file and runs
 * the same window loop as `walviz replay` on the page's canvas. Opening
 * another file sets wv_cli_interrupted, which ends the loop; main then
 * loads the next one. What happened is told to the page through
 * Module.wvEvent, and each message that could not be read through stderr
 * (Module.printErr). */
#include <emscripten.h>
#include <emscripten/html5.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/realnode.h"
#include "walviz/sim.h"
#include "walviz/ui.h"
#include "walviz/util.h"

volatile sig_atomic_t wv_cli_interrupted;

/* The next request: set by wv_web_open between frames, read by main. */
static char pending_path[512];
static char pending_opts[2048];
static int pending;

/* Called by the page (JavaScript) while the loop waits for a frame. opts
 * holds simulation options as NAME=VALUE lines ("latency=20ms,2s"), the
 * names of `walviz replay`'s options. Returns 0, or -1 for strings too
 * long to keep. The page's only entry, so it has no header. */
int wv_web_open(const char *path, const char *opts);

EMSCRIPTEN_KEEPALIVE int wv_web_open(const char *path, const char *opts)
{
    if (strlen(path) >= sizeof pending_path || strlen(opts) >= sizeof pending_opts)
        return -1;
    strcpy(pending_path, path);
    strcpy(pending_opts, opts);
    pending = 1;
    wv_cli_interrupted = 1;
    return 0;
}

/* Tells the page: "ready" (waiting for a file), "opened" (text: the file's
 * name, with its message count and how many could not be read), "failed"
 * (text: why), "closed" (the user quit the window). */
EM_JS(void, wv_web_page_event, (const char *kind, const char *text, double messages, int errors), {
    if (Module.wvEvent)
        Module.wvEvent(UTF8ToString(kind), text ? UTF8ToString(text) : "", messages, errors);
});

static void report_failure(const char *msg)
{
    fprintf(stderr, "walviz: %s\n", msg);
    wv_web_page_event("failed", msg, 0, 0);
}

/* Applies the NAME=VALUE lines of opts to cfg, and a theme to o (the one
 * display option a page can use); -1 with a sentence in err. */
static int apply_options(wv_sim_cfg *cfg, wv_ui_opts *o, char *opts, char *err, size_t errsz)
{
    for (char *line = strtok(opts, "\n"); line; line = strtok(NULL, "\n")) {
        char *eq = strchr(line, '=');
        if (!eq) {
            snprintf(err, errsz, "option '%s' has no value (NAME=VALUE)", line);
            return -1;
        }
        *eq = '\0';
        int rc = strcmp(line, "theme") == 0 ? wv_cli_display_option(o, line, eq + 1, err, errsz)
                                            : wv_sim_cfg_option(cfg, line, eq + 1, err, errsz);
        if (rc == 1)
            snprintf(err, errsz, "'%s' is not an option of walviz replay a page can use", line);
        if (rc != 0)
            return -1;
    }
    return wv_sim_cfg_check(cfg, err, errsz);
}

/* Loads path with the options and runs the window until the user quits
 * or the page opens another file. */
/* A lesson (its recording beside it, where its header says): the page
 * is told it opened before the window runs, as for a recording. */
static void show_lesson(const char *path, const char *name)
{
    wv_ui_opts o;
    wv_cli_display_defaults(&o);
    double w, h;
    if (emscripten_get_element_css_size("#canvas", &w, &h) == EMSCRIPTEN_RESULT_SUCCESS && w >= 1 && h >= 1)
        o.width = (int)w, o.height = (int)h;
    wv_web_page_event("opened", name, 0, 0);
    wv_cli_interrupted = 0;
    if (wv_cli_lesson_show(path, &o) != 0) {
        char err[600];
        snprintf(err, sizeof err, "cannot open the lesson %s", name);
        report_failure(err);
    } else if (!pending) {
        wv_web_page_event("closed", NULL, 0, 0);
    }
}

static void show(const char *path, char *opts)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_ui_opts o;
    wv_cli_display_defaults(&o);
    char err[600];
    if (apply_options(&cfg, &o, opts, err, sizeof err) < 0) {
        report_failure(err);
        wv_sim_cfg_destroy(&cfg);
        return;
    }
    wv_realnodes *rn; /* a live recording's real nodes, drawn as they were */
    if (wv_cli_real_lanes(path, &cfg, &rn, err, sizeof err) < 0) {
        report_failure(err);
        wv_sim_cfg_destroy(&cfg);
        unlink(path);
        return;
    }
    wv_sim *sim = wv_sim_new(&cfg);
    int errors = wv_cli_load_real(sim, path, rn);
    o.real = rn;
    unlink(path); /* the page keeps its own copy; free the memory */
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (errors < 0) {
        snprintf(err, sizeof err, "cannot read %s", name);
        report_failure(err);
    } else if (wv_sim_count(sim) == 0) {
        snprintf(err, sizeof err, "%s holds no change a walviz recording, pg_recvlogical or COPY "
                                  "output would have: is it a recording?", name);
        report_failure(err);
    } else {
        o.title = name;
        /* The window takes the canvas' size on the page (CSS pixels); SDL
         * follows its later changes and gives it device pixels. */
        double w, h;
        if (emscripten_get_element_css_size("#canvas", &w, &h) == EMSCRIPTEN_RESULT_SUCCESS &&
            w >= 1 && h >= 1)
            o.width = (int)w, o.height = (int)h;
        wv_web_page_event("opened", name, (double)wv_sim_count(sim), errors);
        wv_cli_interrupted = 0;
        if (wv_ui_run(sim, &o) != 0)
            report_failure("cannot draw on this page");
        else if (!pending)
            wv_web_page_event("closed", NULL, 0, 0);
    }
    wv_sim_free(sim);
    wv_realnodes_free(rn);
    wv_sim_cfg_destroy(&cfg);
}

int main(void)
{
    wv_web_page_event("ready", NULL, 0, 0);
    for (;;) {
        while (!pending)
            emscripten_sleep(50);
        char path[sizeof pending_path], opts[sizeof pending_opts];
        strcpy(path, pending_path);
        strcpy(opts, pending_opts);
        pending = 0;
        wv_cli_interrupted = 0; /* it ended the last picture; the load must run */
        const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
        if (dot && strcmp(dot, ".lesson") == 0)
            show_lesson(path, slash ? slash + 1 : path);
        else
            show(path, opts);
    }
}
