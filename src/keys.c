/* keys: see include/walviz/keys.h. */
#include "walviz/keys.h"

#include <stddef.h>

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
    { WV_KEY_SLASH, WV_MOD_SHIFT, WV_ACT_HELP },
    { WV_KEY_Q, WV_MOD_CTRL, WV_ACT_QUIT },

    { WV_KEY_SPACE, 0, WV_ACT_PLAY_PAUSE },
    { WV_KEY_F5, ANY, WV_ACT_PLAY_PAUSE },
    { WV_KEY_RIGHT, 0, WV_ACT_STEP_NEXT },
    { WV_KEY_PAGEDOWN, ANY, WV_ACT_STEP_NEXT },
    { WV_KEY_N, 0, WV_ACT_STEP_NEXT },
    { WV_KEY_LEFT, 0, WV_ACT_STEP_PREV },
    { WV_KEY_PAGEUP, ANY, WV_ACT_STEP_PREV },
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

const wv_key_help wv_key_help_rows[] = {
    { "Space, F5", "play / pause" },
    { "Right, PageDown, n", "next event (of the selected change)" },
    { "Left, PageUp, p", "step back" },
    { "Shift+Right / Shift+Left", "next / previous commit" },
    { "Home / End", "start / end" },
    { "+ / -", "faster / slower (1/100x to 100x)" },
    { "1 - 8", "select a follower" },
    { "Shift+P", "partition / heal the selected follower" },
    { "S", "stop (crash) / restart it" },
    { "C", "cycle synchronous_commit" },
    { "Tab", "show another table" },
    { "T", "theme" },
    { "Ctrl + / Ctrl -", "text size" },
    { "F, F11", "fullscreen" },
    { ". , B", "blank the screen" },
    { "W / R", "demo: pause the workload / one burst" },
    { "Click", "inspect a packet or log line; select a follower; seek" },
    { "? , H", "this help" },
    { "Esc", "close help, leave fullscreen" },
    { "Q", "quit" },
};
const int wv_key_help_count = sizeof wv_key_help_rows / sizeof wv_key_help_rows[0];
