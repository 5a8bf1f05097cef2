/* render: draws one frame with SDL: builds the frame's display list
 * (scene.h: what the simulation says at the timeline's time, laid out by
 * layout.h, coloured by theme.h) and executes it. Only render.c and ui.c
 * include SDL. Text is rendered once into textures and cached, so a frame
 * whose text did not change costs no glyph rendering. */
#ifndef WALVIZ_RENDER_H
#define WALVIZ_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/scene.h"

typedef struct wv_render wv_render;
struct SDL_Renderer;

/* Returns a renderer drawing with ren (the caller keeps it), using the
 * fonts in font_dir (or, when font_file is set, that font for all text);
 * NULL with a sentence in err when a font cannot be opened. */
wv_render *wv_render_new(struct SDL_Renderer *ren, const char *font_dir, const char *font_file,
                         char *err, size_t errsz);
void wv_render_free(wv_render *r);

/* Draws the view into the renderer's current target of w x h pixels. */
void wv_render_frame(wv_render *r, const wv_view *v, int w, int h);

/* What lies under (x, y) in the last frame drawn. */
wv_hit wv_render_hit(const wv_render *r, int x, int y);

/* The last frame's display list, owned by r: valid until the next frame. */
const wv_scene *wv_render_scene(const wv_render *r);

/* Writes the last frame's display list, drawn from v, to path as JSON
 * (docs/scene-json.md). Returns 0, or -1 with a sentence on stderr. */
int wv_render_dump_scene(const wv_render *r, const wv_view *v, const char *path);

/* Finds the directory holding walviz's fonts: next to the binary
 * (../assets/fonts, assets/fonts) or under the install prefix. Returns 0,
 * or -1 when none is found. */
int wv_render_find_fonts(char *out, size_t outsz);

#endif
