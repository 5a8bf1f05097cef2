/* render: executes a frame's display list (scene.h) with SDL.
 *
 * The scene decides every word and every box; this file opens the fonts at
 * the layout's sizes, measures text for the scene, and draws the commands
 * in order. Text goes through a cache of textures keyed by font, colour and
 * string; entries unused for a few frames are dropped when the cache
 * fills. */
#include "walviz/render.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 8192 /* power of two */
#define CACHE_MAX 5000

typedef struct text_entry {
    uint64_t hash;
    char *str;
    int font;
    wv_rgb color;
    SDL_Texture *tex;
    int w, h;
    uint32_t used; /* frame number */
} text_entry;

struct wv_render {
    SDL_Renderer *ren;
    char font_path[WV_FONT_COUNT][1024];
    TTF_Font *font[WV_FONT_COUNT];
    int font_px[WV_FONT_COUNT];
    text_entry *cache;
    size_t cached;
    uint32_t frame;
    wv_layout lay;
    const wv_theme *th;
    wv_scene *scene; /* the last frame's */
};

/* --- fonts and text ------------------------------------------------------ */

int wv_render_find_fonts(char *out, size_t outsz)
{
    char *base = SDL_GetBasePath();
    const char *rel[] = { "../assets/fonts", "assets/fonts", "../share/walviz/fonts" };
    int rc = -1;
    for (size_t i = 0; base && i < sizeof rel / sizeof rel[0] && rc < 0; i++) {
        snprintf(out, outsz, "%s%s", base, rel[i]);
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/DejaVuSans.ttf", out);
        if (access(probe, R_OK) == 0)
            rc = 0;
    }
    SDL_free(base);
    if (rc < 0) {
        snprintf(out, outsz, "%s/fonts", WV_DATADIR);
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/DejaVuSans.ttf", out);
        if (access(probe, R_OK) == 0)
            rc = 0;
    }
    return rc;
}

static void close_fonts(wv_render *r)
{
    for (int i = 0; i < WV_FONT_COUNT; i++) {
        if (r->font[i])
            TTF_CloseFont(r->font[i]);
        r->font[i] = NULL;
        r->font_px[i] = 0;
    }
}

static void clear_cache(wv_render *r)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (r->cache[i].str) {
            free(r->cache[i].str);
            SDL_DestroyTexture(r->cache[i].tex);
        }
    }
    memset(r->cache, 0, CACHE_SLOTS * sizeof *r->cache);
    r->cached = 0;
}

/* (Re)opens the fonts at the sizes the layout asks for. */
static int size_fonts(wv_render *r, char *err, size_t errsz)
{
    int want[WV_FONT_COUNT] = { [WV_FONT_BODY] = r->lay.body_px, [WV_FONT_MONO] = r->lay.body_px,
                                [WV_FONT_LABEL] = r->lay.label_px, [WV_FONT_GLYPH] = r->lay.label_px };
    bool same = true;
    for (int i = 0; i < WV_FONT_COUNT; i++)
        same = same && r->font[i] && r->font_px[i] == want[i];
    if (same)
        return 0;
    close_fonts(r);
    clear_cache(r);
    for (int i = 0; i < WV_FONT_COUNT; i++) {
        r->font[i] = TTF_OpenFont(r->font_path[i], want[i]);
        if (!r->font[i]) {
            snprintf(err, errsz, "cannot open font %s: %s", r->font_path[i], TTF_GetError());
            return -1;
        }
        r->font_px[i] = want[i];
    }
    return 0;
}

wv_render *wv_render_new(SDL_Renderer *ren, const char *font_dir, const char *font_file, char *err,
                         size_t errsz)
{
    if (!TTF_WasInit() && TTF_Init() < 0) {
        snprintf(err, errsz, "cannot start SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    wv_render *r = wv_xcalloc(1, sizeof *r);
    r->ren = ren;
    static const char *const files[WV_FONT_COUNT] = {
        [WV_FONT_BODY] = "DejaVuSans.ttf",
        [WV_FONT_MONO] = "DejaVuSansMono.ttf",
        [WV_FONT_LABEL] = "DejaVuSans-Bold.ttf",
        [WV_FONT_GLYPH] = "DejaVuSansMono.ttf", /* brackets read as brackets */
    };
    for (int i = 0; i < WV_FONT_COUNT; i++) {
        if (font_file)
            snprintf(r->font_path[i], sizeof r->font_path[i], "%s", font_file);
        else
            snprintf(r->font_path[i], sizeof r->font_path[i], "%s/%s", font_dir, files[i]);
    }
    r->cache = wv_xcalloc(CACHE_SLOTS, sizeof *r->cache);
    r->scene = wv_scene_new();
    wv_layout_compute(&r->lay, 1024, 768, 1, 1.0);
    if (size_fonts(r, err, errsz) < 0) {
        wv_render_free(r);
        return NULL;
    }
    return r;
}

void wv_render_free(wv_render *r)
{
    if (!r)
        return;
    clear_cache(r);
    free(r->cache);
    close_fonts(r);
    wv_scene_free(r->scene);
    free(r);
}

static uint64_t hash_text(int font, wv_rgb c, const char *s)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)font ^ ((uint64_t)c.r << 8) ^
                 ((uint64_t)c.g << 16) ^ ((uint64_t)c.b << 24);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* Drops entries not used in the last frames, once the cache fills. */
static void evict(wv_render *r)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        text_entry *e = &r->cache[i];
        if (e->str && r->frame - e->used > 2) {
            free(e->str);
            SDL_DestroyTexture(e->tex);
            memset(e, 0, sizeof *e);
            r->cached--;
        }
    }
    /* re-place the survivors so that probing finds them */
    text_entry *old = r->cache;
    r->cache = wv_xcalloc(CACHE_SLOTS, sizeof *r->cache);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (!old[i].str)
            continue;
        size_t s = old[i].hash & (CACHE_SLOTS - 1);
        while (r->cache[s].str)
            s = (s + 1) & (CACHE_SLOTS - 1);
        r->cache[s] = old[i];
    }
    free(old);
}

static const text_entry *get_text(wv_render *r, int font, wv_rgb c, const char *s)
{
    uint64_t h = hash_text(font, c, s);
    size_t slot = h & (CACHE_SLOTS - 1);
    for (; r->cache[slot].str; slot = (slot + 1) & (CACHE_SLOTS - 1)) {
        text_entry *e = &r->cache[slot];
        if (e->hash == h && e->font == font && e->color.r == c.r && e->color.g == c.g &&
            e->color.b == c.b && strcmp(e->str, s) == 0) {
            e->used = r->frame;
            return e;
        }
    }
    if (r->cached >= CACHE_MAX) {
        evict(r);
        return get_text(r, font, c, s);
    }
    SDL_Color col = { c.r, c.g, c.b, 255 };
    SDL_Surface *surf = TTF_RenderUTF8_Blended(r->font[font], *s ? s : " ", col);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r->ren, surf);
    text_entry *e = &r->cache[slot];
    e->hash = h;
    e->str = wv_xstrdup(s);
    e->font = font;
    e->color = c;
    e->tex = tex;
    e->w = surf->w;
    e->h = surf->h;
    e->used = r->frame;
    SDL_FreeSurface(surf);
    r->cached++;
    return e;
}

/* The scene's measure: the size of the texture the text becomes. */
static int measure(void *ctx, wv_font font, const char *s, int *h)
{
    wv_render *r = ctx;
    const text_entry *e = get_text(r, (int)font, r->th->text, s);
    *h = e ? e->h : 0;
    return e ? e->w : 0;
}

static void set_color(wv_render *r, wv_rgb c)
{
    SDL_SetRenderDrawColor(r->ren, c.r, c.g, c.b, 255);
}

static void execute(wv_render *r, const wv_cmd *c)
{
    SDL_Rect s = { c->box.x, c->box.y, c->box.w, c->box.h };
    switch (c->kind) {
    case WV_CMD_CLEAR:
        set_color(r, c->color);
        SDL_RenderClear(r->ren);
        break;
    case WV_CMD_CLIP:
        SDL_RenderSetClipRect(r->ren, c->box.w < 0 ? NULL : &s);
        break;
    case WV_CMD_FILL:
        set_color(r, c->color);
        SDL_RenderFillRect(r->ren, &s);
        break;
    case WV_CMD_OUTLINE:
        set_color(r, c->color);
        for (int i = 0; i < c->thick; i++) {
            SDL_Rect o = { s.x + i, s.y + i, s.w - 2 * i, s.h - 2 * i };
            SDL_RenderDrawRect(r->ren, &o);
        }
        break;
    case WV_CMD_TEXT: {
        const text_entry *e = get_text(r, (int)c->font, c->color, wv_scene_text(r->scene, c));
        if (e) {
            SDL_Rect dst = { s.x, s.y, e->w, e->h };
            SDL_RenderCopy(r->ren, e->tex, NULL, &dst);
        }
        break;
    }
    }
}

void wv_render_frame(wv_render *r, const wv_view *v, int w, int h)
{
    char err[256];
    r->frame++;
    r->th = wv_theme_get(v->theme);
    wv_layout_compute(&r->lay, w, h, wv_sim_config(v->sim)->nfollowers, v->text_scale);
    if (size_fonts(r, err, sizeof err) < 0)
        return; /* a font that opened once does not vanish; nothing to draw with */
    wv_scene_build(r->scene, v, w, h, measure, r);
    const wv_cmd *cmds;
    size_t n = wv_scene_cmds(r->scene, &cmds);
    for (size_t i = 0; i < n; i++)
        execute(r, &cmds[i]);
    SDL_RenderSetClipRect(r->ren, NULL);
}

const wv_scene *wv_render_scene(const wv_render *r)
{
    return r->scene;
}

int wv_render_dump_scene(const wv_render *r, const wv_view *v, const char *path)
{
    wv_buf out;
    wv_buf_init(&out);
    wv_scene_json(r->scene, wv_sim_config(v->sim), &out);
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(out.data, 1, out.len, f) == out.len;
    int saved = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    wv_buf_destroy(&out);
    if (!ok)
        fprintf(stderr, "walviz: cannot write %s: %s\n", path, strerror(saved));
    return ok ? 0 : -1;
}

wv_hit wv_render_hit(const wv_render *r, int x, int y)
{
    return wv_scene_hit_at(r->scene, x, y);
}
