/* cli_replay: `walviz replay`, a recorded session in the window (or as
 * PNG pictures, with no display). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/cli.h"
#include "walviz/ui.h"

static const char usage_head[] =
    "Usage: walviz replay [OPTIONS] FILE\n"
    "\n"
    "Shows the stream in FILE (a walviz recording, raw pg_recvlogical output or\n"
    "COPY output) travelling from the leader to simulated followers. Starts\n"
    "paused at the first change: Space plays, Right steps, ? lists the keys.\n"
    "\n";

#define MAX_FPS 1000
#define MAX_DURATION_US (3600 * 1000000LL)
#define MAX_STEPS 1000000

const char wv_cli_display_help[] =
    "Display:\n"
    "  --size=WxH              window or picture size (default 1280x720)\n"
    "  --fullscreen            start in (desktop) fullscreen\n"
    "  --theme=NAME            projector-dark (default), projector-light,\n"
    "                          high-contrast\n"
    "  --font=FILE.ttf         draw all text with this font\n"
    "Pictures, with no display needed:\n"
    "  --screenshot=PATH.png   write one picture and exit\n"
    "  --at=TIME               ... of the moment TIME (e.g. 3.5s; default 0)\n"
    "  --step=N                ... after N step events (as pressing Right N times)\n"
    "  --frames=DIR            write a sequence of pictures (for slides)\n"
    "  --fps=N --duration=TIME ... N a second (up to 1000) for TIME (up to 1h), from\n"
    "                          --at (default 10, 5s); live and demo take them in\n"
    "                          real time, from the live edge; DIR/summary.jsonl\n"
    "                          says what each one shows\n"
    "  --keys=TIME:KEY,...     keys pressed as the pictures reach TIME (session\n"
    "                          time; live: the live edge), e.g. 5s:r,8s:shift+p\n"
    "  --dump-scene=PATH       write what the picture says and where, as JSON (with\n"
    "                          --frames, PATH is a directory: frame-NNNNN.json)\n";

static const char *const display_options[] = { "size", "fullscreen", "theme", "font", "screenshot",
                                               "at", "step", "frames", "fps", "duration", "keys",
                                               "dump-scene",
                                               NULL };

int wv_cli_display_option(wv_ui_opts *o, const char *name, const char *value, char *err, size_t errsz)
{
    if (strcmp(name, "size") == 0) {
        if (wv_ui_parse_size(value, &o->width, &o->height) < 0) {
            snprintf(err, errsz, "--size expects WIDTHxHEIGHT from 320x240 to 7680x4320, not '%s'", value);
            return -1;
        }
    } else if (strcmp(name, "fullscreen") == 0) {
        o->fullscreen = true;
    } else if (strcmp(name, "theme") == 0) {
        int found = -1;
        for (int i = 0; i < WV_THEME_COUNT; i++)
            if (strcmp(value, wv_theme_get((wv_theme_id)i)->name) == 0)
                found = i;
        if (found < 0) {
            snprintf(err, errsz, "--theme expects projector-dark, projector-light or high-contrast, "
                                 "not '%s'", value);
            return -1;
        }
        o->theme = (wv_theme_id)found;
    } else if (strcmp(name, "font") == 0) {
        o->font_file = value;
    } else if (strcmp(name, "screenshot") == 0) {
        o->screenshot = value;
    } else if (strcmp(name, "frames") == 0) {
        o->frames_dir = value;
    } else if (strcmp(name, "dump-scene") == 0) {
        o->dump_scene = value;
    } else if (strcmp(name, "at") == 0) {
        if (wv_parse_duration(value, &o->at) < 0) {
            snprintf(err, errsz, "--at expects a time like 3.5s or 800ms, not '%s'", value);
            return -1;
        }
    } else if (strcmp(name, "duration") == 0) {
        /* With --fps at most MAX_FPS, MAX_DURATION_US keeps the frame count
         * (and the pictures written) far inside an int. */
        if (wv_parse_duration(value, &o->duration_us) < 0 || o->duration_us > MAX_DURATION_US) {
            snprintf(err, errsz, "--duration expects a time up to 1h like 5s or 800ms, not '%s'",
                     value);
            return -1;
        }
    } else if (strcmp(name, "keys") == 0) {
        int n = wv_keys_script_parse(value, o->keys, err, errsz);
        if (n < 0)
            return -1;
        o->nkeys = (size_t)n;
    } else if (strcmp(name, "step") == 0 || strcmp(name, "fps") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        long most = name[0] == 's' ? MAX_STEPS : MAX_FPS;
        if (*end || end == value || n < 1 || n > most) {
            snprintf(err, errsz, "--%s expects a whole number from 1 to %ld, not '%s'", name, most,
                     value);
            return -1;
        }
        *(name[0] == 's' ? &o->step : &o->fps) = (int)n;
    } else {
        return 1;
    }
    return 0;
}

void wv_cli_display_defaults(wv_ui_opts *o)
{
    memset(o, 0, sizeof *o);
    o->width = 1280;
    o->height = 720;
    o->fps = 10;
    o->duration_us = 5000000;
    o->stop = &wv_cli_interrupted;
}

int wv_cli_add_longopts(struct option *opts, int n, const char *const *names)
{
    for (; *names; names++) {
        bool flag = strcmp(*names, "fullscreen") == 0;
        opts[n++] = (struct option){ *names, flag ? no_argument : required_argument, NULL, 0 };
    }
    opts[n] = (struct option){ NULL, 0, NULL, 0 };
    return n;
}

int wv_cli_add_sim_display(struct option *opts, int n, wv_cli_sim_display *sd)
{
    sd->first_sim = n;
    sd->first_display = wv_cli_add_longopts(opts, n, wv_sim_option_names);
    sd->end = wv_cli_add_longopts(opts, sd->first_display, display_options);
    return sd->end;
}

int wv_cli_sim_display_option(const wv_cli_sim_display *sd, const struct option *opts, int idx, const char *arg,
                              wv_sim_cfg *cfg, wv_ui_opts *uo, char *err, size_t errsz)
{
    if (idx < sd->first_sim || idx >= sd->end)
        return 1;
    return idx < sd->first_display ? wv_sim_cfg_option(cfg, opts[idx].name, arg, err, errsz)
                                   : wv_cli_display_option(uo, opts[idx].name, arg, err, errsz);
}

int wv_cli_replay(int argc, char **argv)
{
    struct option longopts[40];
    wv_cli_sim_display sd;
    int nopt = wv_cli_add_sim_display(longopts, 0, &sd);
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_ui_opts o;
    wv_cli_display_defaults(&o);
    char err[600];
    int c, idx, status = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        if (c == 'h') {
            fputs(usage_head, stdout);
            fputs(wv_sim_options_help, stdout);
            fputs(wv_cli_display_help, stdout);
            status = 0;
            goto done;
        }
        if (c != 0) {
            fputs("Try 'walviz replay --help'.\n", stderr);
            goto done;
        }
        if (wv_cli_sim_display_option(&sd, longopts, idx, optarg, &cfg, &o, err, sizeof err) != 0) {
            fprintf(stderr, "walviz replay: %s\n", err);
            goto done;
        }
    }
    if (optind != argc - 1) {
        fputs("walviz replay: give one FILE to replay. Try 'walviz replay --help'.\n", stderr);
        goto done;
    }
    if (wv_sim_cfg_check(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "walviz replay: %s\n", err);
        goto done;
    }
    const char *path = argv[optind];
    wv_realnodes *rn;
    if (wv_cli_real_lanes(path, &cfg, &rn, err, sizeof err) < 0) {
        fprintf(stderr, "walviz replay: %s\n", err);
        status = 1;
        goto done;
    }
    wv_sim *sim = wv_sim_new(&cfg);
    int errors = wv_cli_load_real(sim, path, rn);
    o.real = rn;
    if (errors < 0) {
        status = 1;
    } else {
        if (errors > 0)
            fprintf(stderr, "walviz replay: %d message(s) of %s could not be read; showing the rest\n",
                    errors, path);
        const char *slash = strrchr(path, '/');
        o.title = slash ? slash + 1 : path;
        status = wv_ui_run(sim, &o);
    }
    wv_sim_free(sim);
    wv_realnodes_free(rn);
done:
    wv_sim_cfg_destroy(&cfg);
    return status;
}
