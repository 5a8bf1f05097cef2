/* keys: the one table that maps keys to walviz's own actions. The SDL
 * edge turns a scancode into a wv_key; everything after is testable without
 * SDL. Presenter remotes send PageUp/PageDown, "." or "b" (blank) and F5. */
#ifndef WALVIZ_KEYS_H
#define WALVIZ_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wv_key {
    WV_KEY_NONE,
    WV_KEY_SPACE, WV_KEY_RIGHT, WV_KEY_LEFT, WV_KEY_UP, WV_KEY_DOWN,
    WV_KEY_PAGEUP, WV_KEY_PAGEDOWN, WV_KEY_HOME, WV_KEY_END,
    WV_KEY_EQUALS, WV_KEY_MINUS, WV_KEY_KP_PLUS, WV_KEY_KP_MINUS,
    WV_KEY_PERIOD, WV_KEY_SLASH, WV_KEY_ESCAPE, WV_KEY_TAB, WV_KEY_RETURN,
    WV_KEY_F5, WV_KEY_F11,
    WV_KEY_1, WV_KEY_2, WV_KEY_3, WV_KEY_4, WV_KEY_5, WV_KEY_6, WV_KEY_7, WV_KEY_8,
    WV_KEY_A, WV_KEY_B, WV_KEY_C, WV_KEY_D, WV_KEY_E, WV_KEY_F, WV_KEY_G, WV_KEY_H,
    WV_KEY_I, WV_KEY_J, WV_KEY_K, WV_KEY_L, WV_KEY_M, WV_KEY_N, WV_KEY_O, WV_KEY_P,
    WV_KEY_Q, WV_KEY_R, WV_KEY_S, WV_KEY_T, WV_KEY_U, WV_KEY_V, WV_KEY_W, WV_KEY_X,
    WV_KEY_Y, WV_KEY_Z,
    WV_KEY_COUNT
} wv_key;

enum { WV_MOD_SHIFT = 1, WV_MOD_CTRL = 2 };

typedef enum wv_action {
    WV_ACT_NONE,
    WV_ACT_PLAY_PAUSE,
    WV_ACT_STEP_NEXT,
    WV_ACT_STEP_PREV,
    WV_ACT_NEXT_COMMIT,
    WV_ACT_PREV_COMMIT,
    WV_ACT_HOME,
    WV_ACT_END,
    WV_ACT_FASTER,
    WV_ACT_SLOWER,
    WV_ACT_SELECT_1, /* ... WV_ACT_SELECT_1 + 7 */
    WV_ACT_SELECT_8 = WV_ACT_SELECT_1 + 7,
    WV_ACT_PARTITION, /* partition or heal the selected follower */
    WV_ACT_STOP,      /* stop (a process crash) or restart it */
    WV_ACT_CRASH,     /* crash its machine (unflushed WAL lost) or restart it */
    WV_ACT_CYCLE_SYNC,
    WV_ACT_FAILOVER,  /* the leader fails now (or no more): a follower is promoted */
    WV_ACT_CYCLE_TABLE,
    WV_ACT_THEME,
    WV_ACT_TEXT_BIGGER,
    WV_ACT_TEXT_SMALLER,
    WV_ACT_FULLSCREEN,
    WV_ACT_BLANK,
    WV_ACT_HELP,
    WV_ACT_ESCAPE,
    WV_ACT_QUIT,
    WV_ACT_WORKLOAD_TOGGLE, /* demo: pause/resume the workload */
    WV_ACT_WORKLOAD_BURST,  /* demo: one burst now */
    WV_ACT_PAGE_NEXT, /* a presenter remote: a lesson's next step, else as STEP_NEXT */
    WV_ACT_PAGE_PREV,
    WV_ACT_COUNT
} wv_action;

/* The action for a key with modifiers (WV_MOD_*), or WV_ACT_NONE. */
wv_action wv_keys_action(wv_key key, unsigned mods);

/* Parses a key as a person writes it: "r", "3", "shift+p", "ctrl+=", "+",
 * "-", "space", "right", "pagedown", "end", "esc", "f5". Returns 0, or -1
 * for a name it does not know. */
int wv_keys_parse(const char *name, size_t len, wv_key *key, unsigned *mods);

/* A key pressed at a moment of session time (a script of keys for the
 * pictures drawn with no display). */
typedef struct wv_key_press {
    int64_t at;
    wv_key key;
    unsigned mods;
} wv_key_press;
#define WV_KEYS_SCRIPT_MAX 64
/* Parses "TIME:KEY,TIME:KEY..." ("5s:r,8s:shift+p") into out, in time
 * order. Returns how many, or -1 with a sentence in err. */
int wv_keys_script_parse(const char *s, wv_key_press out[WV_KEYS_SCRIPT_MAX], char *err, size_t errsz);

/* The help overlay's rows: keys as a person reads them, and what they do. */
typedef struct wv_key_help {
    const char *keys, *what;
    bool demo_only; /* the demo's own keys: not listed in a replay */
} wv_key_help;
extern const wv_key_help wv_key_help_rows[];
extern const int wv_key_help_count;

#endif
