/* keys: see include/walviz/keys.h. */
#include "walviz/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "walviz/sim.h"

#define ANY 0xffu /* any modifiers */

typedef struct binding {
    wv_key key;
    unsigned mods; /* exact WV_MOD_* set, or ANY */
    wv_action action;
} binding;

/* First match wins: the Ctrl and Shift rows come before the plain ones. */
static const binding table[] = {
    { WV_KEY_EQUALS, WV_MOD_CTRL, WV_ACT_TEXT_BIGGER },
    { WV_KEY_EQUALS, WV_MOD_CTRL | WV_MOD_SHIFT, WV_ACT_TEXT_BIGGER },
    { WV_KEY_KP_PLUS, WV_MOD_CTRL, WV_ACT_TEXT_BIGGER },
    { WV_KEY_MINUS, WV_MOD_CTRL, WV_ACT_TEXT_SMALLER },
    { WV_KEY_KP_MINUS, WV_MOD_CTRL, WV_ACT_TEXT_SMALLER },
    { WV_KEY_RIGHT, WV_MOD_SHIFT, WV_ACT_NEXT_COMMIT },
    { WV_KEY_LEFT, WV_MOD_SHIFT, WV_ACT_PREV_COMMIT },
    { WV_KEY_P, WV_MOD_SHIFT, WV_ACT_PARTITION },
    { WV_KEY_S, WV_MOD_SHIFT, WV_ACT_CRASH },
    { WV_KEY_SLASH, WV_MOD_SHIFT, WV_ACT_HELP },
    { WV_KEY_Q, WV_MOD_CTRL, WV_ACT_QUIT },

    { WV_KEY_SPACE, 0, WV_ACT_PLAY_PAUSE },
    { WV_KEY_F5, ANY, WV_ACT_PLAY_PAUSE },
    { WV_KEY_RIGHT, 0, WV_ACT_STEP_NEXT },
    { WV_KEY_PAGEDOWN, ANY, WV_ACT_PAGE_NEXT },
    { WV_KEY_N, 0, WV_ACT_STEP_NEXT },
    { WV_KEY_LEFT, 0, WV_ACT_STEP_PREV },
    { WV_KEY_PAGEUP, ANY, WV_ACT_PAGE_PREV },
    { WV_KEY_P, 0, WV_ACT_STEP_PREV },
    { WV_KEY_HOME, ANY, WV_ACT_HOME },
    { WV_KEY_END, ANY, WV_ACT_END },
    { WV_KEY_EQUALS, 0, WV_ACT_FASTER },
    { WV_KEY_EQUALS, WV_MOD_SHIFT, WV_ACT_FASTER }, /* "+" on most layouts */
    { WV_KEY_KP_PLUS, ANY, WV_ACT_FASTER },
    { WV_KEY_MINUS, 0, WV_ACT_SLOWER },
    { WV_KEY_KP_MINUS, ANY, WV_ACT_SLOWER },
    { WV_KEY_1, 0, WV_ACT_SELECT_1 },
    { WV_KEY_2, 0, WV_ACT_SELECT_1 + 1 },
    { WV_KEY_3, 0, WV_ACT_SELECT_1 + 2 },
    { WV_KEY_4, 0, WV_ACT_SELECT_1 + 3 },
    { WV_KEY_5, 0, WV_ACT_SELECT_1 + 4 },
    { WV_KEY_6, 0, WV_ACT_SELECT_1 + 5 },
    { WV_KEY_7, 0, WV_ACT_SELECT_1 + 6 },
    { WV_KEY_8, 0, WV_ACT_SELECT_1 + 7 },
    { WV_KEY_S, ANY, WV_ACT_STOP },
    { WV_KEY_C, ANY, WV_ACT_CYCLE_SYNC },
    { WV_KEY_X, ANY, WV_ACT_FAILOVER },
    { WV_KEY_TAB, ANY, WV_ACT_CYCLE_TABLE },
    { WV_KEY_T, ANY, WV_ACT_THEME },
    { WV_KEY_F, ANY, WV_ACT_FULLSCREEN },
    { WV_KEY_F11, ANY, WV_ACT_FULLSCREEN },
    { WV_KEY_PERIOD, ANY, WV_ACT_BLANK },
    { WV_KEY_B, ANY, WV_ACT_BLANK },
    { WV_KEY_H, ANY, WV_ACT_HELP },
    { WV_KEY_ESCAPE, ANY, WV_ACT_ESCAPE },
    { WV_KEY_Q, ANY, WV_ACT_QUIT },
    { WV_KEY_W, ANY, WV_ACT_WORKLOAD_TOGGLE },
    { WV_KEY_R, ANY, WV_ACT_WORKLOAD_BURST },
};

wv_action wv_keys_action(wv_key key, unsigned mods)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].key == key && (table[i].mods == ANY || table[i].mods == mods))
            return table[i].action;
    return WV_ACT_NONE;
}

static const struct {
    const char *name;
    wv_key key;
    unsigned mods;
} names[] = {
    { "space", WV_KEY_SPACE, 0 },     { "right", WV_KEY_RIGHT, 0 },   { "left", WV_KEY_LEFT, 0 },
    { "up", WV_KEY_UP, 0 },           { "down", WV_KEY_DOWN, 0 },     { "pageup", WV_KEY_PAGEUP, 0 },
    { "pagedown", WV_KEY_PAGEDOWN, 0 }, { "home", WV_KEY_HOME, 0 },   { "end", WV_KEY_END, 0 },
    { "=", WV_KEY_EQUALS, 0 },        { "+", WV_KEY_EQUALS, WV_MOD_SHIFT },
    { "-", WV_KEY_MINUS, 0 },         { ".", WV_KEY_PERIOD, 0 },      { "/", WV_KEY_SLASH, 0 },
    { "?", WV_KEY_SLASH, WV_MOD_SHIFT }, { "esc", WV_KEY_ESCAPE, 0 }, { "escape", WV_KEY_ESCAPE, 0 },
    { "tab", WV_KEY_TAB, 0 },         { "return", WV_KEY_RETURN, 0 }, { "enter", WV_KEY_RETURN, 0 },
    { "f5", WV_KEY_F5, 0 },           { "f11", WV_KEY_F11, 0 },
};

int wv_keys_parse(const char *name, size_t len, wv_key *key, unsigned *mods)
{
    *mods = 0;
    for (;;) {
        if (len > 6 && strncasecmp(name, "shift+", 6) == 0)
            *mods |= WV_MOD_SHIFT, name += 6, len -= 6;
        else if (len > 5 && strncasecmp(name, "ctrl+", 5) == 0)
            *mods |= WV_MOD_CTRL, name += 5, len -= 5;
        else
            break;
    }
    if (len == 1 && ((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z')) {
        *key = (wv_key)(WV_KEY_A + ((name[0] | 0x20) - 'a'));
        return 0;
    }
    if (len == 1 && name[0] >= '1' && name[0] <= '8') {
        *key = (wv_key)(WV_KEY_1 + (name[0] - '1'));
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == len && strncasecmp(names[i].name, name, len) == 0) {
            *key = names[i].key;
            *mods |= names[i].mods;
            return 0;
        }
    }
    return -1;
}

int wv_keys_script_parse(const char *s, wv_key_press out[WV_KEYS_SCRIPT_MAX], char *err, size_t errsz)
{
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        const char *colon = memchr(s, ':', len);
        char when[32];
        if (!colon || (size_t)(colon - s) >= sizeof when) {
            snprintf(err, errsz, "--keys expects TIME:KEY,... (e.g. 5s:r,8s:shift+p), not '%.*s'",
                     (int)len, s);
            return -1;
        }
        memcpy(when, s, (size_t)(colon - s));
        when[colon - s] = '\0';
        wv_key_press p;
        if (wv_parse_duration(when, &p.at) < 0) {
            snprintf(err, errsz, "--keys: '%s' is not a time like 5s or 800ms", when);
            return -1;
        }
        size_t klen = len - (size_t)(colon + 1 - s);
        if (wv_keys_parse(colon + 1, klen, &p.key, &p.mods) < 0) {
            snprintf(err, errsz, "--keys: '%.*s' is not a key (a letter, 1-8, shift+p, +, -, space, "
                                 "right, left, end, ...)", (int)klen, colon + 1);
            return -1;
        }
        if (n == WV_KEYS_SCRIPT_MAX) {
            snprintf(err, errsz, "--keys takes at most %d keys", WV_KEYS_SCRIPT_MAX);
            return -1;
        }
        if (n > 0 && p.at < out[n - 1].at) {
            snprintf(err, errsz, "--keys: the times must not go back ('%s' after a later one)", when);
            return -1;
        }
        out[n++] = p;
        s += len;
        if (*s == ',')
            s++;
    }
    return n;
}

const wv_key_help wv_key_help_rows[] = {
    { "Space, F5", "play / pause", false },
    { "Right, PageDown, n", "next event (of the selected change)", false },
    { "Left, PageUp, p", "step back (a lesson: PageDown/Up, its steps)", false },
    { "Shift+Right / Shift+Left", "next / previous commit", false },
    { "Home / End", "start / end (live: back to live)", false },
    { "+ / -", "faster / slower, 1/100x to 100x (live: slow motion, catch up)", false },
    { "1 - 8", "select a follower", false },
    { "Shift+P", "partition / heal the selected follower", false },
    { "S", "stop its server (a process crash) / restart it", false },
    { "Shift+S", "crash its machine (unflushed WAL lost) / restart it", false },
    { "C", "cycle synchronous_commit", false },
    { "X", "the leader fails over", false },
    { "Tab", "show another table", false },
    { "T", "theme", false },
    { "Ctrl + / Ctrl -", "text size", false },
    { "F, F11", "fullscreen", false },
    { ". , B", "blank the screen", false },
    { "W / R", "demo: pause the workload / one burst", true },
    { "Click", "inspect a packet or log line; select a follower; seek", false },
    { "? , H", "this help", false },
    { "Esc", "close help, leave fullscreen", false },
    { "Q", "quit", false },
};
const int wv_key_help_count = sizeof wv_key_help_rows / sizeof wv_key_help_rows[0];
