/* theme: see include/walviz/theme.h. */
#include "walviz/theme.h"

#include <math.h>

/* Okabe-Ito; green, blue and vermillion are too dark for text on black
 * or white at 7:1, so they only appear darkened (light theme) */
#define OI_BLACK { 0x00, 0x00, 0x00 }
#define OI_ORANGE { 0xE6, 0x9F, 0x00 }
#define OI_SKY { 0x56, 0xB4, 0xE9 }
#define OI_YELLOW { 0xF0, 0xE4, 0x42 }
/* Reddish purple lightened by a fifth towards white: the palette's own
 * misses 7:1 against a black glyph (6.9). */
#define OI_PURPLE_TINT { 0xD6, 0x94, 0xB9 }

/* Op chips carry a black glyph, so only the palette's light colours
 * qualify (7:1 against black); white marks the rest. */
#define OP_FILLS                                                              \
    {                                                                         \
        [WV_OP_BEGIN] = { 0xFF, 0xFF, 0xFF }, [WV_OP_COMMIT] = { 0xFF, 0xFF, 0xFF }, \
        [WV_OP_INSERT] = OI_SKY, [WV_OP_UPDATE] = OI_ORANGE, [WV_OP_DELETE] = OI_PURPLE_TINT, \
        [WV_OP_TRUNCATE] = OI_YELLOW, [WV_OP_MESSAGE] = { 0xDD, 0xDD, 0xDD },          \
        [WV_OP_PREPARE] = { 0xFF, 0xFF, 0xFF }, [WV_OP_COMMIT_PREPARED] = { 0xFF, 0xFF, 0xFF }, \
        [WV_OP_ROLLBACK_PREPARED] = OI_PURPLE_TINT, [WV_OP_STREAM_START] = { 0xFF, 0xFF, 0xFF }, \
        [WV_OP_STREAM_STOP] = { 0xFF, 0xFF, 0xFF }, [WV_OP_STREAM_CHANGE] = OI_SKY,        \
        [WV_OP_STREAM_MESSAGE] = { 0xDD, 0xDD, 0xDD }, [WV_OP_STREAM_TRUNCATE] = OI_YELLOW, \
        [WV_OP_STREAM_COMMIT] = { 0xFF, 0xFF, 0xFF }, [WV_OP_STREAM_ABORT] = OI_PURPLE_TINT,    \
        [WV_OP_STREAM_PREPARE] = { 0xFF, 0xFF, 0xFF }, [WV_OP_UNKNOWN] = OI_YELLOW,       \
    }

static const wv_theme themes[WV_THEME_COUNT] = {
    [WV_THEME_DARK] = {
        .name = "projector-dark",
        .bg = { 0x12, 0x12, 0x12 },
        .panel = { 0x1E, 0x1E, 0x1E },
        .border = { 0x80, 0x80, 0x80 },
        .text = { 0xFF, 0xFF, 0xFF },
        .text_dim = { 0xC8, 0xC8, 0xC8 },
        .warn = OI_ORANGE,
        .good = OI_SKY,
        .select_bg = OI_YELLOW,
        .select_text = OI_BLACK,
        .stale_bg = OI_ORANGE,
        .stale_text = OI_BLACK,
        .chip_text = OI_BLACK,
        .chip_edge = { 0x12, 0x12, 0x12 },
        .op_fill = OP_FILLS,
    },
    [WV_THEME_LIGHT] = {
        .name = "projector-light",
        .bg = { 0xFF, 0xFF, 0xFF },
        .panel = { 0xF0, 0xF0, 0xF0 },
        .border = { 0x70, 0x70, 0x70 },
        .text = { 0x00, 0x00, 0x00 },
        .text_dim = { 0x38, 0x38, 0x38 },
        .warn = { 0x7A, 0x35, 0x00 }, /* vermillion, darkened to reach 7:1 */
        .good = { 0x00, 0x4D, 0x7A }, /* blue, darkened to reach 7:1 */
        .select_bg = OI_YELLOW,
        .select_text = OI_BLACK,
        .stale_bg = OI_ORANGE,
        .stale_text = OI_BLACK,
        .chip_text = OI_BLACK,
        .chip_edge = OI_BLACK,
        .op_fill = OP_FILLS,
    },
    [WV_THEME_HIGH_CONTRAST] = {
        .name = "high-contrast",
        .bg = OI_BLACK,
        .panel = OI_BLACK,
        .border = { 0xFF, 0xFF, 0xFF },
        .text = { 0xFF, 0xFF, 0xFF },
        .text_dim = { 0xFF, 0xFF, 0xFF },
        .warn = OI_YELLOW,
        .good = OI_SKY,
        .select_bg = { 0xFF, 0xFF, 0xFF },
        .select_text = OI_BLACK,
        .stale_bg = OI_YELLOW,
        .stale_text = OI_BLACK,
        .chip_text = OI_BLACK,
        .chip_edge = OI_BLACK,
        .op_fill = OP_FILLS,
    },
};

double wv_chip_contrast(const wv_theme *t, wv_op op)
{
    double fill = wv_contrast(t->op_fill[op], t->bg), edge = wv_contrast(t->chip_edge, t->bg);
    return fill > edge ? fill : edge;
}

const wv_theme *wv_theme_get(wv_theme_id id)
{
    return &themes[(unsigned)id < WV_THEME_COUNT ? id : WV_THEME_DARK];
}

static double channel(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(wv_rgb c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double wv_contrast(wv_rgb a, wv_rgb b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

size_t wv_theme_text_pairs(const wv_theme *t, wv_color_pair *out, size_t max)
{
    size_t n = 0;
#define PAIR(w, f, b)                                                          \
    do {                                                                       \
        if (n < max)                                                           \
            out[n++] = (wv_color_pair){ (w), (f), (b) };                        \
    } while (0)
    PAIR("text on bg", t->text, t->bg);
    PAIR("text on panel", t->text, t->panel);
    PAIR("dim text on bg", t->text_dim, t->bg);
    PAIR("dim text on panel", t->text_dim, t->panel);
    PAIR("warning on bg", t->warn, t->bg);
    PAIR("warning on panel", t->warn, t->panel);
    PAIR("good on bg", t->good, t->bg);
    PAIR("good on panel", t->good, t->panel);
    PAIR("selection", t->select_text, t->select_bg);
    PAIR("stale cell", t->stale_text, t->stale_bg);
    for (int op = 0; op < WV_OP_COUNT; op++)
        PAIR(wv_op_name((wv_op)op), t->chip_text, t->op_fill[op]);
#undef PAIR
    return n;
}

const char *wv_op_glyph(wv_op op)
{
    switch (op) {
    case WV_OP_BEGIN: return "[";
    case WV_OP_COMMIT: return "]";
    case WV_OP_INSERT: return "+";
    case WV_OP_UPDATE: return "~";
    case WV_OP_DELETE: return "-";
    case WV_OP_TRUNCATE: return "T";
    case WV_OP_MESSAGE: return "M";
    case WV_OP_PREPARE: return "P";
    case WV_OP_COMMIT_PREPARED: return "]P";
    case WV_OP_ROLLBACK_PREPARED: return "xP";
    case WV_OP_STREAM_START: return "{";
    case WV_OP_STREAM_STOP: return "}";
    case WV_OP_STREAM_CHANGE: return "s";
    case WV_OP_STREAM_MESSAGE: return "M";
    case WV_OP_STREAM_TRUNCATE: return "T";
    case WV_OP_STREAM_COMMIT: return "]s";
    case WV_OP_STREAM_ABORT: return "xs";
    case WV_OP_STREAM_PREPARE: return "Ps";
    case WV_OP_UNKNOWN: return "?";
    default: return "?";
    }
}
