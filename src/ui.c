/* ui: see include/walviz/ui.h.
 *
 * Paused means idle: with nothing moving the loop sleeps in
 * SDL_WaitEventTimeout and draws only when an event changed something. */
#include "walviz/ui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "walviz/cli.h"

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
    wv_sim *sim;
    const wv_ui_opts *o;
    wv_timeline tl;
    wv_view view;
    SDL_Window *win;
    bool fullscreen;
    bool quit;
    bool dragging;
} app;

int wv_ui_parse_size(const char *s, int *w, int *h)
{
    char x;
    if (sscanf(s, "%d%c%d", w, &x, h) != 3 || (x != 'x' && x != 'X') || *w < 320 || *h < 240 ||
        *w > 7680 || *h > 4320)
        return -1;
    return 0;
}

static int64_t view_end(const app *a)
{
    if (a->o->feed) {
        int64_t epoch = wv_sim_epoch_us(a->sim);
        int64_t live = epoch ? wv_now_us() - epoch : 0;
        int64_t end = wv_sim_end_time(a->sim);
        return live > end ? live : end;
    }
    return wv_sim_end_time(a->sim);
}

static void toggle_fault(app *a, bool partition)
{
    int f = a->view.selected_follower >= 0 ? a->view.selected_follower : 0;
    int64_t t = a->tl.now;
    const wv_fault *cur = wv_sim_fault_at(a->sim, f, t);
    if (partition) {
        if (cur && cur->kind == WV_FAULT_PARTITION)
            wv_sim_heal(a->sim, f, t);
        else if (!cur)
            wv_sim_partition(a->sim, f, t);
    } else {
        if (cur && cur->kind == WV_FAULT_STOP)
            wv_sim_restart(a->sim, f, t);
        else if (!cur)
            wv_sim_stop(a->sim, f, t);
    }
    a->view.selected_follower = f;
}

static void cycle_sync(app *a)
{
    const wv_sim_cfg *cfg = wv_sim_config(a->sim);
    if (cfg->nsync_standbys == 0) {
        /* Levels only matter with a synchronous standby: name one. */
        int f = a->view.selected_follower >= 0 ? a->view.selected_follower : 0;
        wv_sim_set_standbys(a->sim, false, 1, &f, 1);
    }
    wv_sim_set_sync(a->sim, (wv_sync_level)((cfg->sync + 1) % WV_SYNC_COUNT));
}

static void apply_action(app *a, wv_action act)
{
    if (a->o->on_action && a->o->on_action(a->o->ctx, act))
        return;
    wv_view *v = &a->view;
    int64_t end = view_end(a);
    int nf = wv_sim_config(a->sim)->nfollowers;
    switch (act) {
    case WV_ACT_PLAY_PAUSE:
        if (!a->tl.playing && a->tl.now >= end && !a->tl.live)
            wv_timeline_seek(&a->tl, 0, end); /* play again from the start */
        a->tl.playing = !a->tl.playing;
        v->started = true;
        break;
    case WV_ACT_STEP_NEXT:
    case WV_ACT_STEP_PREV:
        /* with a packet selected, step through its journey alone */
        if (v->selected_msg != WV_ROWS_NONE)
            wv_timeline_step(&a->tl, a->sim, act == WV_ACT_STEP_NEXT ? 1 : -1, WV_STEP_MESSAGE,
                             v->selected_msg);
        else
            wv_timeline_step(&a->tl, a->sim, act == WV_ACT_STEP_NEXT ? 1 : -1, WV_STEP_ALL, 0);
        v->started = true;
        break;
    case WV_ACT_NEXT_COMMIT:
    case WV_ACT_PREV_COMMIT:
        wv_timeline_step(&a->tl, a->sim, act == WV_ACT_NEXT_COMMIT ? 1 : -1, WV_STEP_COMMITS, 0);
        v->started = true;
        v->selected_msg = WV_ROWS_NONE;
        break;
    case WV_ACT_HOME:
        wv_timeline_seek(&a->tl, 0, end);
        break;
    case WV_ACT_END:
        wv_timeline_seek(&a->tl, end, end);
        break;
    case WV_ACT_FASTER:
        wv_timeline_faster(&a->tl);
        break;
    case WV_ACT_SLOWER:
        wv_timeline_slower(&a->tl);
        break;
    case WV_ACT_PARTITION:
        toggle_fault(a, true);
        break;
    case WV_ACT_STOP:
        toggle_fault(a, false);
        break;
    case WV_ACT_CYCLE_SYNC:
        cycle_sync(a);
        break;
    case WV_ACT_CYCLE_TABLE:
        v->table++;
        break;
    case WV_ACT_THEME:
        v->theme = (wv_theme_id)((v->theme + 1) % WV_THEME_COUNT);
        break;
    case WV_ACT_TEXT_BIGGER:
        v->text_scale = v->text_scale * 1.15 > 2.0 ? 2.0 : v->text_scale * 1.15;
        break;
    case WV_ACT_TEXT_SMALLER:
        v->text_scale = v->text_scale / 1.15 < 0.6 ? 0.6 : v->text_scale / 1.15;
        break;
    case WV_ACT_FULLSCREEN:
        a->fullscreen = !a->fullscreen;
        if (a->win)
            SDL_SetWindowFullscreen(a->win, a->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        break;
    case WV_ACT_BLANK:
        v->blank = !v->blank;
        break;
    case WV_ACT_HELP:
        v->help = !v->help;
        break;
    case WV_ACT_ESCAPE:
        if (v->help)
            v->help = false;
        else if (v->blank)
            v->blank = false;
        else if (v->selected_msg != WV_ROWS_NONE)
            v->selected_msg = WV_ROWS_NONE;
        else if (a->fullscreen)
            apply_action(a, WV_ACT_FULLSCREEN);
        break;
    case WV_ACT_QUIT:
        a->quit = true;
        break;
    default:
        if (act >= WV_ACT_SELECT_1 && act <= WV_ACT_SELECT_8 && (int)(act - WV_ACT_SELECT_1) < nf)
            v->selected_follower = act - WV_ACT_SELECT_1;
        break;
    }
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

static void on_click(app *a, wv_render *r, int x, int y, bool drag)
{
    wv_hit h = wv_render_hit(r, x, y);
    if (h.kind == WV_HIT_TIMELINE) {
        wv_timeline_seek(&a->tl, h.time, view_end(a));
        a->view.started = true;
        a->dragging = true;
    } else if (drag) {
        return;
    } else if (h.kind == WV_HIT_MESSAGE) {
        a->view.selected_msg = a->view.selected_msg == h.index ? WV_ROWS_NONE : h.index;
    } else if (h.kind == WV_HIT_FOLLOWER) {
        a->view.selected_follower = (int)h.index;
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
    on_click(a, r, x * ow / (ww ? ww : 1), y * oh / (wh ? wh : 1), drag);
}

static int save_png(SDL_Surface *surf, const char *path)
{
    if (IMG_SavePNG(surf, path) < 0) {
        fprintf(stderr, "walviz: cannot write %s: %s\n", path, IMG_GetError());
        return -1;
    }
    return 0;
}

/* Headless: software rendering into a surface, no display needed. */
static int run_headless(app *a, const char *font_dir)
{
    const wv_ui_opts *o = a->o;
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
    if (o->feed) {
        /* A live picture: let the stream run until the moment exists. */
        int64_t give_up = wv_now_us() + o->at + 60000000;
        while (!wv_cli_interrupted && wv_now_us() < give_up) {
            o->feed(o->ctx, a->sim, wv_now_us(), &a->view);
            if (wv_sim_epoch_us(a->sim) && view_end(a) >= o->at)
                break;
            SDL_Delay(10);
        }
        o->feed(o->ctx, a->sim, wv_now_us(), &a->view);
        a->tl.live = false;
    }
    int64_t end = view_end(a);
    a->view.started = true;
    if (o->step > 0) {
        for (int i = 0; i < o->step; i++)
            wv_timeline_step(&a->tl, a->sim, 1, WV_STEP_ALL, 0);
    } else {
        wv_timeline_seek(&a->tl, o->at, end);
    }
    a->view.end = end;
    if (o->screenshot) {
        wv_render_frame(r, &a->view, o->width, o->height);
        rc = save_png(surf, o->screenshot) < 0;
        goto done;
    }
    if (mkdir(o->frames_dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "walviz: cannot create %s: %s\n", o->frames_dir, strerror(errno));
        goto done;
    }
    int64_t start = a->tl.now;
    int nframes = (int)((double)o->duration_us / 1e6 * o->fps + 0.5);
    for (int i = 0; i < nframes && !wv_cli_interrupted; i++) {
        a->tl.now = start + (int64_t)((double)i * 1e6 / o->fps);
        wv_render_frame(r, &a->view, o->width, o->height);
        char path[1200];
        snprintf(path, sizeof path, "%s/frame-%05d.png", o->frames_dir, i + 1);
        if (save_png(surf, path) < 0)
            goto done;
    }
    fprintf(stderr, "walviz: wrote %d frames to %s\n", nframes, o->frames_dir);
    rc = 0;
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
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "walviz: cannot open a window: %s\n"
                        "walviz: with no display, use --screenshot PATH or --frames DIR\n",
                SDL_GetError());
        return 1;
    }
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    a->win = SDL_CreateWindow(o->title ? o->title : "walviz", SDL_WINDOWPOS_CENTERED,
                              SDL_WINDOWPOS_CENTERED, o->width, o->height,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI |
                                  (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
    a->fullscreen = o->fullscreen;
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
    uint64_t last = SDL_GetTicks64();
    bool dirty = true;
    while (!a->quit && !wv_cli_interrupted) {
        bool live = o->feed != NULL;
        bool moving = a->tl.playing || live;
        SDL_Event ev;
        int got = moving || dirty ? SDL_PollEvent(&ev) : SDL_WaitEventTimeout(&ev, 500);
        while (got) {
            dirty = true;
            switch (ev.type) {
            case SDL_QUIT:
                a->quit = true;
                break;
            case SDL_KEYDOWN: {
                unsigned mods = ((ev.key.keysym.mod & KMOD_SHIFT) ? WV_MOD_SHIFT : 0) |
                                ((ev.key.keysym.mod & KMOD_CTRL) ? WV_MOD_CTRL : 0);
                apply_action(a, wv_keys_action(key_of(ev.key.keysym.scancode), mods));
                break;
            }
            case SDL_MOUSEBUTTONDOWN:
                if (ev.button.button == SDL_BUTTON_LEFT)
                    on_pointer(a, ren, r, ev.button.x, ev.button.y, false);
                break;
            case SDL_MOUSEMOTION:
                if (a->dragging && (ev.motion.state & SDL_BUTTON_LMASK))
                    on_pointer(a, ren, r, ev.motion.x, ev.motion.y, true);
                break;
            case SDL_MOUSEBUTTONUP:
                a->dragging = false;
                break;
            case SDL_WINDOWEVENT:
                /* A lecture laptop that loses focus should not play on. */
                if (ev.window.event == SDL_WINDOWEVENT_FOCUS_LOST && !live)
                    a->tl.playing = false;
                break;
            default:
                break;
            }
            got = SDL_PollEvent(&ev);
        }
        /* time waited while paused is not time played */
        uint64_t now = SDL_GetTicks64();
        int64_t wall_us = moving ? (int64_t)(now - last) * 1000 : 0;
        last = now;
        if (live && o->feed(o->ctx, a->sim, wv_now_us(), &a->view))
            dirty = true;
        int64_t end = view_end(a);
        if (a->tl.playing || live) {
            wv_timeline_tick(&a->tl, wall_us, end);
            dirty = true;
        }
        if (!dirty)
            continue;
        a->view.end = end;
        int w, h;
        output_size(ren, &w, &h);
        wv_render_frame(r, &a->view, w, h);
        SDL_RenderPresent(ren);
        dirty = false;
#ifdef __EMSCRIPTEN__
        size_t sel = a->view.selected_msg;
        wv_ui_browser_frame((double)a->tl.now, a->tl.playing, sel == WV_ROWS_NONE ? -1.0 : (double)sel);
#endif
        if (!vsync) {
            uint64_t spent = SDL_GetTicks64() - now;
            if (spent < 16)
                SDL_Delay((uint32_t)(16 - spent)); /* about 60 frames a second */
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
    a.sim = sim;
    a.o = o;
    wv_timeline_init(&a.tl, o->feed != NULL);
    a.view = (wv_view){
        .sim = sim,
        .tl = &a.tl,
        .theme = o->theme,
        .text_scale = 1.0,
        .selected_follower = -1,
        .selected_msg = WV_ROWS_NONE,
        .title = o->title,
        .demo_hint = o->demo_hint,
        .status = o->status,
        .started = o->feed != NULL, /* live plays from the start: no hint */
        .live = o->feed != NULL,
    };
    int rc = o->screenshot || o->frames_dir ? run_headless(&a, font_dir) : run_window(&a, font_dir);
    SDL_Quit();
    return rc;
}
