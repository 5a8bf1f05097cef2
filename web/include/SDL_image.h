/* The browser build has no SDL_image: walviz in a page never writes PNG
 * pictures (web_main sets neither --screenshot nor --frames), so these
 * stand in for the two calls of ui.c, which then compiles unchanged. */
#ifndef WALVIZ_WEB_SDL_IMAGE_H
#define WALVIZ_WEB_SDL_IMAGE_H

#include <SDL.h>

static inline int IMG_SavePNG(SDL_Surface *surface, const char *file)
{
    (void)surface;
    (void)file;
    return SDL_SetError("the browser build writes no PNG pictures");
}

#define IMG_GetError SDL_GetError

#endif
