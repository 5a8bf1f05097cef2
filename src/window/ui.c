/* ui: see include/walviz/ui.h.
 *
 * Paused means idle: with nothing moving the loop sleeps in
 * SDL_WaitEventTimeout and draws only when an event changed something. */
#include "walviz/ui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_syswm.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "walviz/cli.h"
#include "walviz/clock.h"
#include "walviz/summary.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
/* A page shows the canvas only once the loop hands control back to the
 * browser: wait for its next frame (-sASYNCIFY), telling the page the time
 * shown, whether it plays and the packet selected (-1: none). */
EM_JS(void, wv_ui_browser_frame, (double now_us, int playing, double selected), {
    if (Module.wvFrame) Module.wvFrame(now_us, playing, selected);
    Asyncify.handleSleep(function(wake) { requestAnimationFrame(function() { wake(); }); });
});
#endif

typedef struct app {
    wv_ctl ctl;
    const wv_ui_opts *o;
    SDL_Window *win;
    bool fullscreen; /* what the window is, to follow ctl.fullscreen */
    bool covering;   /* fullscreen by hand, with no window manager */
    SDL_Rect saved;  /* where the window was before */
} app;

int wv_ui_parse_size(const char *s, int *w, int *h)
{
    char x;
    if (sscanf(s, "%d%c%d", w, &x, h) != 3 || (x != 'x' && x != 'X') || *w < 320 || *h < 240 ||
        *w > 7680 || *h > 4320)
        return -1;
    return 0;
}

static bool stopped(const app *a)
{
    return a->o->stop && *a->o->stop;
}

/* The live edge is now, in session time. A live transaction's leader time
 * is when walviz received its COMMIT, read on this same clock (the
 * simulation's receive time source), and session time 0 is the first
 * one's (the sim's epoch): edge and leader times are one clock and cannot
 * drift apart. The server's commit timestamps come from the server's clock
 * and are only shown in the inspector, so a server clock that is off moves
 * nothing on screen; decoding and the network between the server's COMMIT
 * and its receipt (a few ms) are not drawn. */
static void live_frame(app *a, int64_t wall_us)
{
    a->o->feed(a->o->ctx, a->ctl.sim, wall_us, &a->ctl.view);
    int64_t epoch = wv_sim_epoch_us(a->ctl.sim);
    if (epoch)
        wv_ctl_set_live_edge(&a->ctl, wall_us - epoch);
}

/* The SDL edge of the key table: scancodes (layout-independent positions)
 * to walviz keys. */
static wv_key key_of(SDL_Scancode sc)
{
    if (sc >= SDL_SCANCODE_A && sc <= SDL_SCANCODE_Z)
        return (wv_key)(WV_KEY_A + (sc - SDL_SCANCODE_A));
    if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_8)
        return (wv_key)(WV_KEY_1 + (sc - SDL_SCANCODE_1));
    switch (sc) {
    case SDL_SCANCODE_SPACE: return WV_KEY_SPACE;
    case SDL_SCANCODE_RIGHT: return WV_KEY_RIGHT;
    case SDL_SCANCODE_LEFT: return WV_KEY_LEFT;
    case SDL_SCANCODE_UP: return WV_KEY_UP;
    case SDL_SCANCODE_DOWN: return WV_KEY_DOWN;
    case SDL_SCANCODE_PAGEUP: return WV_KEY_PAGEUP;
    case SDL_SCANCODE_PAGEDOWN: return WV_KEY_PAGEDOWN;
    case SDL_SCANCODE_HOME: return WV_KEY_HOME;
    case SDL_SCANCODE_END: return WV_KEY_END;
    case SDL_SCANCODE_EQUALS: return WV_KEY_EQUALS;
    case SDL_SCANCODE_MINUS: return WV_KEY_MINUS;
    case SDL_SCANCODE_KP_PLUS: return WV_KEY_KP_PLUS;
    case SDL_SCANCODE_KP_MINUS: return WV_KEY_KP_MINUS;
    case SDL_SCANCODE_PERIOD: return WV_KEY_PERIOD;
    case SDL_SCANCODE_SLASH: return WV_KEY_SLASH;
    case SDL_SCANCODE_ESCAPE: return WV_KEY_ESCAPE;
    case SDL_SCANCODE_TAB: return WV_KEY_TAB;
    case SDL_SCANCODE_RETURN: return WV_KEY_RETURN;
    case SDL_SCANCODE_F5: return WV_KEY_F5;
    case SDL_SCANCODE_F11: return WV_KEY_F11;
    default: return WV_KEY_NONE;
    }
}

/* The pixel size of what the renderer draws on (HiDPI aware). */
static void output_size(SDL_Renderer *ren, int *w, int *h)
{
    if (SDL_GetRendererOutputSize(ren, w, h) < 0)
        *w = 1280, *h = 720;
}

/* A click or drag at window coordinates: the picture may have more
 * pixels than the window has points (HiDPI). */
static void on_pointer(app *a, SDL_Renderer *ren, wv_render *r, int x, int y, bool drag)
{
    int ow, oh, ww, wh;
    output_size(ren, &ow, &oh);
    SDL_GetWindowSize(a->win, &ww, &wh);
    wv_ctl_pointer(&a->ctl, wv_render_hit(r, x * ow / (ww ? ww : 1), y * oh / (wh ? wh : 1)), drag);
}

/* Live, headless: feeds the stream until the live edge reaches at.
 * Returns 0, or the exit status after saying why not. */
static int wait_live(app *a, int64_t at)
{
    const wv_ui_opts *o = a->o;
    int64_t give_up = wv_now_us() + at + 60000000;
    for (;;) {
        int64_t now = wv_now_us();
        live_frame(a, now);
        if (stopped(a))
            return 130;
        const char *why = o->failed ? o->failed(o->ctx) : NULL;
        if (why) {
            fprintf(stderr, "walviz: the stream ended before %.1f s: %s\n", (double)at / 1e6, why);
            return 1;
        }
        if (wv_sim_epoch_us(a->ctl.sim) && a->ctl.live_edge >= at)
            return 0;
        if (now > give_up) {
            fprintf(stderr, "walviz: the stream did not reach %.1f s within a minute (%zu messages "
                            "so far)\n", (double)at / 1e6, wv_sim_count(a->ctl.sim));
            return 1;
        }
        SDL_Delay(5);
    }
}

/* Presses the scripted keys due by session time t. */
static void press_due(app *a, size_t *next, int64_t t, int64_t wall_us)
{
    const wv_ui_opts *o = a->o;
    for (; *next < o->nkeys && o->keys[*next].at <= t; (*next)++)
        wv_ctl_apply(&a->ctl, wv_keys_action(o->keys[*next].key, o->keys[*next].mods), wall_us);
}

static int save_png(SDL_Surface *surf, const char *path)
{
    if (IMG_SavePNG(surf, path) < 0) {
        fprintf(stderr, "walviz: cannot write %s: %s\n", path, IMG_GetError());
        return -1;
    }
    return 0;
}

/* Draws picture number i (from 1) into DIR, with its summary line. */
static int write_frame(app *a, wv_render *r, SDL_Surface *surf, FILE *summary, int i, int64_t wall_ms)
{
    const wv_ui_opts *o = a->o;
    wv_render_frame(r, &a->ctl.view, o->width, o->height);
    char path[1200];
    snprintf(path, sizeof path, "%s/frame-%05d.png", o->frames_dir, i);
    if (save_png(surf, path) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/frame-%05d.json", o->dump_scene ? o->dump_scene : "", i);
    if (o->dump_scene && wv_render_dump_scene(r, &a->ctl.view, path) < 0)
        return -1;
    wv_buf line;
    wv_buf_init(&line);
    wv_summary_json(&line, &a->ctl.view, i, wall_ms);
    bool ok = fwrite(line.data, 1, line.len, summary) == line.len && fflush(summary) == 0;
    wv_buf_destroy(&line);
    if (!ok)
        fprintf(stderr, "walviz: cannot write %s/summary.jsonl: %s\n", o->frames_dir, strerror(errno));
    return ok ? 0 : -1;
}

/* A sequence of pictures. A replay's are computed at i/fps of session
 * time apart; a live one's are taken as they happen, i/fps of wall clock
 * apart (late when drawing takes longer than that: the summary says when
 * each was taken). */
static int write_frames(app *a, wv_render *r, SDL_Surface *surf)
{
    const wv_ui_opts *o = a->o;
    wv_ctl *c = &a->ctl;
    for (int k = 0; k < 2; k++) {
        const char *dir = k ? o->dump_scene : o->frames_dir;
        if (dir && mkdir(dir, 0755) < 0 && errno != EEXIST) {
            fprintf(stderr, "walviz: cannot create %s: %s\n", dir, strerror(errno));
            return 1;
        }
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.jsonl", o->frames_dir);
    FILE *summary = fopen(path, "w");
    if (!summary) {
        fprintf(stderr, "walviz: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    int64_t nframes = o->duration_us / 1000 * o->fps / 1000;
    int64_t start = c->tl.now, t0 = wv_now_us();
    size_t next_key = 0;
    int rc = 0;
    if (o->feed) /* from the live edge on, as the window would be */
        wv_timeline_seek(&c->tl, wv_ctl_end(c), wv_ctl_end(c));
    for (int64_t i = 0; i < nframes && rc == 0; i++) {
        int64_t wall = wv_now_us();
        if (o->feed) {
            int64_t due = t0 + i * 1000000 / o->fps;
            for (; wall < due && !stopped(a); wall = wv_now_us()) {
                live_frame(a, wall);
                SDL_Delay(due - wall > 5000 ? 5 : 1);
            }
            live_frame(a, wall);
        } else {
            wv_timeline_seek(&c->tl, start + i * 1000000 / o->fps, wv_ctl_end(c));
        }
        if (stopped(a)) {
            rc = 130;
            break;
        }
        wv_ctl_tick(c, wall);
        press_due(a, &next_key, o->feed ? c->live_edge : c->tl.now, wall);
        if (write_frame(a, r, surf, summary, (int)i + 1, (wall - t0) / 1000) < 0)
            rc = 1;
    }
    if (fclose(summary) != 0 && rc == 0) {
        fprintf(stderr, "walviz: cannot write %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    if (rc == 0)
        fprintf(stderr, "walviz: wrote %lld frames to %s\n", (long long)nframes, o->frames_dir);
    return rc;
}

#if defined(SDL_VIDEO_DRIVER_X11) && !defined(__EMSCRIPTEN__)
#include <X11/Xatom.h>
#include <X11/Xlib.h>

/* Whether a window manager runs on the window's X display (one sets
 * _NET_SUPPORTING_WM_CHECK on the root window). Without one (a bare X
 * server on a classroom PC) SDL's desktop fullscreen changes nothing on
 * screen, though SDL reports the new size. */
static bool has_window_manager(SDL_Window *win)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11)
        return true;
    Display *d = info.info.x11.display;
    Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", True);
    if (check == None)
        return false;
    Atom type;
    int format;
    unsigned long n, after;
    unsigned char *data = NULL;
    int rc = XGetWindowProperty(d, DefaultRootWindow(d), check, 0, 1, False, XA_WINDOW, &type, &format, &n,
                                &after, &data);
    bool found = rc == Success && data && n > 0;
    if (data)
        XFree(data);
    return found;
}
#else
static bool has_window_manager(SDL_Window *win)
{
    (void)win;
    return true;
}
#endif

/* Fullscreen on the window's display: SDL's desktop fullscreen where a
 * window manager carries it out, else the window made borderless over the
 * whole display, and put back as it was after. */
static void set_fullscreen(app *a, bool on)
{
    a->fullscreen = on;
    if (on && !has_window_manager(a->win)) {
        SDL_Rect bounds;
        int d = SDL_GetWindowDisplayIndex(a->win);
        if (d >= 0 && SDL_GetDisplayBounds(d, &bounds) == 0) {
            SDL_GetWindowPosition(a->win, &a->saved.x, &a->saved.y);
            SDL_GetWindowSize(a->win, &a->saved.w, &a->saved.h);
            SDL_SetWindowBordered(a->win, SDL_FALSE);
            SDL_SetWindowSize(a->win, bounds.w, bounds.h);
            SDL_SetWindowPosition(a->win, bounds.x, bounds.y);
            a->covering = true;
            return;
        }
    }
    if (!on && a->covering) {
        SDL_SetWindowBordered(a->win, SDL_TRUE);
        SDL_SetWindowSize(a->win, a->saved.w, a->saved.h);
        SDL_SetWindowPosition(a->win, a->saved.x, a->saved.y);
        a->covering = false;
        return;
    }
    if (SDL_SetWindowFullscreen(a->win, on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) < 0)
        fprintf(stderr, "walviz: cannot switch fullscreen: %s\n", SDL_GetError());
}

/* Headless: software rendering into a surface, no display needed. */
static int run_headless(app *a, const char *font_dir)
{
    const wv_ui_opts *o = a->o;
    wv_ctl *c = &a->ctl;
    int rc = 1;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, o->width, o->height, 32,
                                                       SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    char err[300];
    wv_render *r = ren ? wv_render_new(ren, font_dir, o->font_file, err, sizeof err) : NULL;
    if (!surf || !ren) {
        fprintf(stderr, "walviz: cannot draw off screen: %s\n", SDL_GetError());
        goto done;
    }
    if (!r) {
        fprintf(stderr, "walviz: %s\n", err);
        goto done;
    }
    if (o->feed && (rc = wait_live(a, o->at)) != 0)
        goto done;
    c->view.started = true;
    /* on_start has placed the playhead already */
    for (int i = 0; !o->on_start && i < o->step; i++)
        wv_timeline_step(&c->tl, c->sim, 1, WV_STEP_ALL, 0, wv_ctl_end(c));
    if (!o->on_start && o->step <= 0)
        wv_timeline_seek(&c->tl, o->at, wv_ctl_end(c));
    wv_ctl_tick(c, wv_now_us());
    if (o->frames_dir) {
        rc = write_frames(a, r, surf);
        goto done;
    }
    size_t next_key = 0;
    press_due(a, &next_key, c->tl.now, wv_now_us());
    wv_render_frame(r, &c->view, o->width, o->height);
    rc = (o->screenshot && save_png(surf, o->screenshot) < 0) ||
         (o->dump_scene && wv_render_dump_scene(r, &c->view, o->dump_scene) < 0);
done:
    wv_render_free(r);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (surf)
        SDL_FreeSurface(surf);
    return rc;
}

static int run_window(app *a, const char *font_dir)
{
    const wv_ui_opts *o = a->o;
    wv_ctl *c = &a->ctl;
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "walviz: cannot open a window: %s\n"
                        "walviz: with no display, use --screenshot PATH or --frames DIR\n",
                SDL_GetError());
        return 1;
    }
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    /* (starting fullscreen: at the display's corner, where a bare X
     * server keeps a window it has already placed) */
    int pos = o->fullscreen ? 0 : (int)SDL_WINDOWPOS_CENTERED;
    a->win = SDL_CreateWindow(o->title ? o->title : "walviz", pos, pos, o->width, o->height,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    c->fullscreen = o->fullscreen;
    if (a->win && o->fullscreen)
        set_fullscreen(a, true);
    SDL_Renderer *ren = a->win ? SDL_CreateRenderer(a->win, -1, SDL_RENDERER_PRESENTVSYNC) : NULL;
    if (a->win && !ren)
        ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
    char err[300];
    wv_render *r = ren ? wv_render_new(ren, font_dir, o->font_file, err, sizeof err) : NULL;
    int rc = 1;
    if (!a->win || !ren) {
        fprintf(stderr, "walviz: cannot open a window: %s\n", SDL_GetError());
        goto done;
    }
    if (!r) {
        fprintf(stderr, "walviz: %s\n", err);
        goto done;
    }
    SDL_RendererInfo info;
    bool vsync = SDL_GetRendererInfo(ren, &info) == 0 && (info.flags & SDL_RENDERER_PRESENTVSYNC);
    bool dirty = true;
    while (!c->quit && !stopped(a)) {
        bool live = o->feed != NULL;
        bool moving = c->tl.playing || live || c->view.notice;
        SDL_Event ev;
        int got = moving || dirty ? SDL_PollEvent(&ev) : SDL_WaitEventTimeout(&ev, 500);
        int64_t wall = wv_now_us();
        while (got) {
            dirty = true;
            switch (ev.type) {
            case SDL_QUIT:
                c->quit = true;
                break;
            case SDL_KEYDOWN: {
                unsigned mods = ((ev.key.keysym.mod & KMOD_SHIFT) ? WV_MOD_SHIFT : 0) |
                                ((ev.key.keysym.mod & KMOD_CTRL) ? WV_MOD_CTRL : 0);
                wv_ctl_apply(c, wv_keys_action(key_of(ev.key.keysym.scancode), mods), wall);
                break;
            }
            case SDL_MOUSEBUTTONDOWN:
                if (ev.button.button == SDL_BUTTON_LEFT)
                    on_pointer(a, ren, r, ev.button.x, ev.button.y, false);
                break;
            case SDL_MOUSEMOTION:
                if (c->dragging && (ev.motion.state & SDL_BUTTON_LMASK))
                    on_pointer(a, ren, r, ev.motion.x, ev.motion.y, true);
                break;
            case SDL_MOUSEBUTTONUP:
                wv_ctl_release(c);
                break;
            case SDL_WINDOWEVENT:
                if (ev.window.event == SDL_WINDOWEVENT_FOCUS_LOST)
                    wv_ctl_focus_lost(c);
                break;
            default:
                break;
            }
            got = SDL_PollEvent(&ev);
        }
        if (c->fullscreen != a->fullscreen)
            set_fullscreen(a, c->fullscreen);
        if (live)
            live_frame(a, wall);
        if (wv_ctl_tick(c, wall))
            dirty = true;
        if (!dirty)
            continue;
        int w, h;
        output_size(ren, &w, &h);
        wv_render_frame(r, &c->view, w, h);
        SDL_RenderPresent(ren);
        dirty = false;
#ifdef __EMSCRIPTEN__
        size_t sel = c->view.selected_msg;
        wv_ui_browser_frame((double)c->tl.now, c->tl.playing, sel == WV_ROWS_NONE ? -1.0 : (double)sel);
#endif
        if (!vsync) {
            int64_t spent_ms = (wv_now_us() - wall) / 1000;
            if (spent_ms < 16)
                SDL_Delay((uint32_t)(16 - spent_ms)); /* about 60 frames a second */
        }
    }
    rc = 0;
done:
    wv_render_free(r);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (a->win)
        SDL_DestroyWindow(a->win);
    return rc;
}

int wv_ui_run(wv_sim *sim, const wv_ui_opts *o)
{
    char font_dir[1024] = "";
    if (!o->font_file && wv_render_find_fonts(font_dir, sizeof font_dir) < 0) {
        fprintf(stderr, "walviz: cannot find its fonts (assets/fonts next to the binary, or "
                        "%s/fonts); use --font FILE.ttf\n", WV_DATADIR);
        return 1;
    }
    if (SDL_Init(0) < 0) {
        fprintf(stderr, "walviz: cannot start SDL: %s\n", SDL_GetError());
        return 1;
    }
    app a;
    memset(&a, 0, sizeof a);
    a.o = o;
    wv_ctl_init(&a.ctl, sim, o->feed != NULL);
    a.ctl.on_action = o->on_action;
    a.ctl.action_ctx = o->ctx;
    wv_view *v = &a.ctl.view;
    v->theme = o->theme;
    v->title = o->title;
    v->demo_hint = o->demo_hint;
    v->status = o->status;
    v->real = o->real;
    if (o->on_start)
        o->on_start(o->ctx, &a.ctl);
    int rc = o->screenshot || o->frames_dir || o->dump_scene ? run_headless(&a, font_dir)
                                                              : run_window(&a, font_dir);
    SDL_Quit();
    return rc;
}
