/* cli_lesson: `walviz lesson`, a narrated lesson (docs/lesson-format.md)
 * in the window, or one of its steps as a picture with no display. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/cli.h"
#include "walviz/lesson.h"
#include "walviz/ui.h"

static const char usage[] =
    "Usage: walviz lesson [OPTIONS] FILE\n"
    "\n"
    "Presents the lesson in FILE (docs/lesson-format.md): its recording, with\n"
    "the caption of each step in the bottom line. Opens on step 1; PageDown and\n"
    "PageUp (a presenter remote) go to the next and previous step, Right and\n"
    "Left step through events as in replay, ? lists the keys.\n"
    "\n"
    "Options:\n"
    "  --step=N                start on (or draw) lesson step N, not step events\n"
    "  --size, --fullscreen, --theme, --font\n"
    "                          as for walviz replay\n"
    "  --screenshot=PATH.png   draw the step as a picture and exit (no display)\n"
    "  --dump-scene=PATH       write what the picture says and where, as JSON\n";

/* Replay's display options but --at, which a lesson's steps decide; --step
 * is handled here. */
static const char *const lesson_options[] = { "size", "fullscreen", "theme", "font", "screenshot",
                                              "step", "dump-scene", NULL };

/* The whole file, NUL-terminated (free it), or NULL having said why. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "walviz lesson: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        wv_grow(&text, &cap, len + 4096);
        size_t got = fread(text + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    text[len] = '\0';
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "walviz lesson: cannot read %s\n", path);
        free(text);
        return NULL;
    }
    return text;
}

static void lesson_start(void *ctx, wv_ctl *c)
{
    wv_lesson_player *p = ctx;
    p->ctl = c;
    wv_lesson_show(p->lesson, p->step, c);
}

int wv_cli_lesson_show(const char *path, wv_ui_opts *o)
{
    char err[600];
    char *text = read_text(path);
    wv_lesson *lesson = text ? wv_lesson_parse(path, text, err, sizeof err) : NULL;
    wv_sim *sim = NULL;
    wv_realnodes *rn = NULL;
    char *recording = NULL;
    int status = 1;
    if (text && !lesson) {
        fprintf(stderr, "walviz lesson: %s\n", err);
        goto done;
    }
    if (!lesson)
        goto done;
    int step = o->step > 0 ? o->step : 1;
    if (step > wv_lesson_steps(lesson)) {
        fprintf(stderr, "walviz lesson: --step %d: %s has %d steps\n", step, path,
                wv_lesson_steps(lesson));
        status = 2;
        goto done;
    }
    /* the recording's path is relative to the lesson's folder */
    const char *rec = wv_lesson_recording(lesson), *slash = strrchr(path, '/');
    size_t dir = rec[0] != '/' && slash ? (size_t)(slash - path) + 1 : 0;
    recording = wv_xmalloc(dir + strlen(rec) + 1);
    memcpy(recording, path, dir);
    strcpy(recording + dir, rec);
    /* a recording of real nodes draws them beside the lesson's followers */
    wv_sim_cfg cfg = *wv_lesson_cfg(lesson); /* its strings stay the lesson's */
    if (wv_cli_real_lanes(recording, &cfg, &rn, err, sizeof err) < 0) {
        fprintf(stderr, "walviz lesson: %s\n", err);
        goto done;
    }
    sim = wv_sim_new(&cfg);
    o->real = rn;
    if (wv_cli_load_real(sim, recording, rn) != 0) {
        fprintf(stderr, "walviz lesson: %s: the recording %s must load without errors\n", path, recording);
        goto done;
    }
    if (wv_lesson_check(lesson, sim, err, sizeof err) < 0) {
        fprintf(stderr, "walviz lesson: %s\n", err);
        goto done;
    }
    wv_lesson_player player = { lesson, NULL, step };
    o->step = 0; /* a lesson step, not step events */
    o->title = slash ? slash + 1 : path;
    o->on_action = wv_lesson_action;
    o->on_start = lesson_start;
    o->ctx = &player;
    status = wv_ui_run(sim, o);
done:
    wv_sim_free(sim);
    wv_realnodes_free(rn);
    free(recording);
    wv_lesson_free(lesson);
    free(text);
    return status;
}

int wv_cli_lesson(int argc, char **argv)
{
    struct option longopts[16];
    int nopt = wv_cli_add_longopts(longopts, 0, lesson_options);
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_ui_opts o;
    wv_cli_display_defaults(&o);
    char err[600];
    int c, idx;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (c != 0 || wv_cli_display_option(&o, longopts[idx].name, optarg, err, sizeof err) != 0) {
            if (c == 0)
                fprintf(stderr, "walviz lesson: %s\n", err);
            fputs("Try 'walviz lesson --help'.\n", stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fputs("walviz lesson: give one lesson FILE. Try 'walviz lesson --help'.\n", stderr);
        return 2;
    }
    return wv_cli_lesson_show(argv[optind], &o);
}
