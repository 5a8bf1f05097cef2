/* scene: what one frame says and where, as a display list. Pure: no SDL,
 * no clock; the frame is a function of the view (simulation, timeline,
 * selection, theme, text scale) and the output size.
 *
 * The list is what a backend executes in order: clear, clip, filled and
 * outlined rectangles, text runs. Text is measured through a callback (as
 * rxi's microui does), so the scene decides where every word goes and
 * where a text is cut with an ellipsis, and the backend only draws it.
 * Beside the commands the scene keeps what tests, the pointer and
 * --dump-scene need: every text with a stable role (docs/scene-json.md)
 * and the follower and message it belongs to, every chip with its op,
 * message, follower and stage, every panel's box, and the hit boxes in
 * drawing order (a later box is on top). */
#ifndef WALVIZ_SCENE_H
#define WALVIZ_SCENE_H

#include <stdbool.h>
#include <stddef.h>

#include "walviz/layout.h"
#include "walviz/realnode.h"
#include "walviz/rows.h"
#include "walviz/sim.h"
#include "walviz/source.h"
#include "walviz/theme.h"
#include "walviz/timeline.h"
#include "walviz/util.h"

/* What the frame shows: the application's state, read-only here. */
typedef struct wv_view {
    const wv_sim *sim;
    const wv_timeline *tl;
    wv_theme_id theme;
    double text_scale;
    int selected_follower;      /* -1: none */
    size_t selected_msg;        /* WV_ROWS_NONE: the change at the playhead */
    size_t table;               /* the table the table views show, once pinned */
    bool table_pinned;          /* Tab chose it; else the views follow the action */
    bool help, blank;
    bool started;               /* played or stepped once: hide the hint */
    const char *title;
    const char *status;         /* live: the source's status line; NULL */
    const wv_slot_status *slot; /* live: the slot gauge; NULL */
    const char *demo_hint;      /* demo: its keys; NULL */
    int64_t end;                /* end of the timeline (live: the live edge) */
    bool live;                  /* the end moves with the wall clock */
    int64_t behind_live;        /* live: how far the picture is behind now */
    const char *notice;         /* what a key just did ("workload paused"); NULL */
    const char *lesson_caption; /* a lesson's step: shown in place of the narration; NULL */
    const wv_realnodes *real;   /* real nodes drawn as observed lanes; NULL */
    int lesson_step, lesson_steps; /* "step 3/7" */
} wv_view;

typedef enum wv_hit_kind { WV_HIT_NONE, WV_HIT_MESSAGE, WV_HIT_FOLLOWER, WV_HIT_TIMELINE } wv_hit_kind;

typedef struct wv_hit {
    wv_hit_kind kind;
    size_t index;  /* message or follower */
    int64_t time;  /* timeline: the session time under the pointer */
} wv_hit;

/* The faces text is set in; the backend opens them at the layout's sizes
 * (body, mono: body_px; label, glyph: label_px). GLYPH is the monospaced
 * face for op glyphs on chips. */
typedef enum wv_font { WV_FONT_BODY, WV_FONT_MONO, WV_FONT_LABEL, WV_FONT_GLYPH, WV_FONT_COUNT } wv_font;

/* Stable names of what a text says, for tests and --dump-scene; the
 * names (wv_role_name) are documented in docs/scene-json.md. */
typedef enum wv_role {
    WV_ROLE_HEADER_TITLE,    /* "walviz" */
    WV_ROLE_HEADER_FILE,     /* the file or session name */
    WV_ROLE_HEADER_CLOCK,    /* play state, speed, time */
    WV_ROLE_HEADER_HINT,     /* the first keys to press, or the demo's keys */
    WV_ROLE_HEADER_STATUS,   /* live: what the source is doing */
    WV_ROLE_HEADER_NOTICE,   /* a short notice after a key */
    WV_ROLE_LEADER_NAME,
    WV_ROLE_LEADER_LSN,
    WV_ROLE_LEADER_SYNC_LEVEL,
    WV_ROLE_LEADER_STANDBYS,
    WV_ROLE_LEADER_LAST_COMMIT,
    WV_ROLE_LEADER_COMMIT_STATE, /* returned at once / after / waits */
    WV_ROLE_SLOT_HELD,
    WV_ROLE_SLOT_CONFIRMED,
    WV_ROLE_TABLE_TITLE,     /* "table accounts" */
    WV_ROLE_TABLE_COLUMN,    /* a column name */
    WV_ROLE_TABLE_CELL,      /* a value as the node holds it */
    WV_ROLE_TABLE_ROW_STATE, /* "id=4 (not here yet)", "(deleted)" */
    WV_ROLE_FOLLOWER_NAME,
    WV_ROLE_FOLLOWER_STATE,
    WV_ROLE_FOLLOWER_LAG,
    WV_ROLE_FOLLOWER_STAGE,    /* "written", "flushed (3 wait)", "replayed" */
    WV_ROLE_FOLLOWER_SYNC,     /* the badge of a synchronous standby */
    WV_ROLE_FOLLOWER_PREPARED, /* a two-phase transaction prepared there, or streamed changes spooled */
    WV_ROLE_FOLLOWER_POSITION, /* its write/flush/replay LSNs */
    WV_ROLE_LANE_STATUS,       /* cut, down */
    WV_ROLE_LANE_QUEUED,       /* "N queued" at the leader's end */
    WV_ROLE_LANE_WAITING,      /* "N waiting to replay" at the follower's end */
    WV_ROLE_LANE_LABEL,        /* a train's label: "xid 727" */
    WV_ROLE_LANE_LINK,         /* "one way 600 ms · 1.0 MB/s" */
    WV_ROLE_LANE_REPLY,        /* a synchronous standby's reply on its way back to the leader */
    WV_ROLE_CHIP_GLYPH,
    WV_ROLE_LOG_TITLE,
    WV_ROLE_LOG_LINE,
    WV_ROLE_INSPECTOR_EMPTY,
    WV_ROLE_INSPECTOR_TITLE,   /* "#7  COMMIT 736: 2 changes" */
    WV_ROLE_INSPECTOR_MESSAGE, /* op, LSN, xid */
    WV_ROLE_INSPECTOR_COMMIT,  /* when the client's COMMIT returned */
    WV_ROLE_INSPECTOR_HEADING, /* the stage table's column names */
    WV_ROLE_INSPECTOR_FOLLOWER,
    WV_ROLE_INSPECTOR_CELL,    /* a stage time, ms after the commit */
    WV_ROLE_INSPECTOR_MORE,    /* followers that did not fit */
    WV_ROLE_INSPECTOR_ROW,     /* old: / new: columns */
    WV_ROLE_INSPECTOR_CONTENT, /* a logical message's prefix and content */
    WV_ROLE_TIMELINE_START,
    WV_ROLE_TIMELINE_END,
    WV_ROLE_TIMELINE_GAP,
    WV_ROLE_TIMELINE_FAULT,    /* a partition or crash: its glyph and follower */
    WV_ROLE_HELP_TITLE,
    WV_ROLE_HELP_KEYS,
    WV_ROLE_HELP_WHAT,
    WV_ROLE_CAPTION,           /* what the latest event was, in a sentence */
    WV_ROLE_INSPECTOR_READ,    /* a read of the selected row on a follower, and the leader's answer */
    WV_ROLE_INSPECTOR_PRIMARY, /* the selected follower's row of pg_stat_replication */
    WV_ROLE_LESSON_CAPTION,    /* a lesson step's caption, in the caption line */
    WV_ROLE_LEADER_FAILOVER,   /* the leader failed, who took over, what was lost */
    WV_ROLE_TIMELINE_FAILOVER, /* the failure and the lost commits on the timeline */
    WV_ROLE_VIEW_SQL,          /* a view's query (--view) */
    WV_ROLE_VIEW_ANSWER,       /* one node's answer to it: "f2 4000.00" */
    WV_ROLE_READ,              /* a reader's latest read: node, answer, the leader's */
    WV_ROLE_READ_COUNTS,       /* a reader's running counts: reads, stale, broken */
    WV_ROLE_READ_BADGE,        /* on a follower's lane: a read arriving there */
    WV_ROLE_FOLLOWER_SHARD,    /* "shard: id % 3 = 0, 3 rows here", "replica: all rows, 7 here" */
    WV_ROLE_LEADER_GATHERED,   /* count(*) gathered from the shards, beside the leader's */
    WV_ROLE_FOLLOWER_REAL,     /* the badge of a real node's lane: "real" */
    WV_ROLE_COUNT
} wv_role;

/* "leader.sync_level", "follower.state", ... */
const char *wv_role_name(wv_role role);

typedef enum wv_panel {
    WV_PANEL_HEADER,
    WV_PANEL_LEADER,
    WV_PANEL_FOLLOWER,
    WV_PANEL_LANE,
    WV_PANEL_LOG,
    WV_PANEL_INSPECTOR,
    WV_PANEL_TIMELINE,
    WV_PANEL_HELP,
    WV_PANEL_CAPTION,
    WV_PANEL_COUNT
} wv_panel;

/* "header", "leader", "follower", ... */
const char *wv_panel_name(wv_panel panel);

/* Where a chip's message is in its journey to the chip's follower. */
typedef enum wv_chip_stage {
    WV_CHIP_QUEUED,         /* left the leader (committed), not on the wire yet */
    WV_CHIP_IN_FLIGHT,      /* sent, not written */
    WV_CHIP_WAITING_FSYNC,  /* written, not flushed */
    WV_CHIP_WAITING_REPLAY, /* flushed, not replayed */
    WV_CHIP_STAGE_COUNT
} wv_chip_stage;

/* "queued", "in_flight", "waiting_fsync", "waiting_replay" */
const char *wv_chip_stage_name(wv_chip_stage stage);

typedef enum wv_cmd_kind {
    WV_CMD_CLEAR,   /* the whole target in color */
    WV_CMD_CLIP,    /* draw only inside box from here on; box.w < 0: anywhere */
    WV_CMD_FILL,    /* box in color */
    WV_CMD_OUTLINE, /* thick pixels inside box's edge in color */
    WV_CMD_TEXT     /* the text, its top-left at box.x, box.y; box.w, h measured */
} wv_cmd_kind;

typedef struct wv_cmd {
    wv_cmd_kind kind;
    wv_rect box;
    wv_rgb color;
    int thick;        /* OUTLINE */
    wv_font font;     /* TEXT */
    wv_role role;     /* TEXT */
    int follower;     /* TEXT: the follower it speaks of, -1 for none */
    size_t msg;       /* TEXT: the message it speaks of, or WV_ROWS_NONE */
    bool stale;       /* TEXT: a value the node has not received yet */
    size_t text;      /* TEXT: offset of the NUL-terminated text, see wv_scene_text */
} wv_cmd;

typedef struct wv_scene_chip {
    wv_op op;
    size_t msg;
    int follower;
    wv_rect box;     /* the whole chip; a newer one may cover part of it */
    wv_chip_stage stage;
    bool selected;
} wv_scene_chip;

typedef struct wv_scene_panel {
    wv_panel kind;
    int follower; /* FOLLOWER and LANE; -1 otherwise */
    wv_rect box;
} wv_scene_panel;

typedef struct wv_scene_hit {
    wv_rect box;
    wv_hit hit; /* TIMELINE: index is the timeline's end */
} wv_scene_hit;

/* Width in pixels of s set in font, and its height in *h. The backend's
 * own measure: what it will draw must have exactly this size. */
typedef int (*wv_measure_fn)(void *ctx, wv_font font, const char *s, int *h);

typedef struct wv_scene wv_scene;

/* Returns a new, empty scene; free with wv_scene_free (NULL is fine). */
wv_scene *wv_scene_new(void);
void wv_scene_free(wv_scene *sc);

/* Builds the display list of view v on a w x h target, replacing the last
 * one. Everything the scene returns stays valid until the next build. */
void wv_scene_build(wv_scene *sc, const wv_view *v, int w, int h, wv_measure_fn measure, void *mctx);

const wv_layout *wv_scene_layout(const wv_scene *sc);
size_t wv_scene_cmds(const wv_scene *sc, const wv_cmd **cmds);
/* The text of a TEXT command. */
const char *wv_scene_text(const wv_scene *sc, const wv_cmd *cmd);
size_t wv_scene_chips(const wv_scene *sc, const wv_scene_chip **chips);
size_t wv_scene_panels(const wv_scene *sc, const wv_scene_panel **panels);
size_t wv_scene_hits(const wv_scene *sc, const wv_scene_hit **hits);

/* What lies under (x, y): the topmost hit box there. */
wv_hit wv_scene_hit_at(const wv_scene *sc, int x, int y);

/* The message the inspector and log show: the selection, else the last
 * message that left the leader by the view's time; WV_ROWS_NONE if none. */
size_t wv_scene_current(const wv_view *v);
/* The table the views show (see table_pinned), or WV_ROWS_NONE. */
size_t wv_scene_table(const wv_view *v);

/* Appends the display list as one JSON object (docs/scene-json.md); cfg
 * names the followers (the simulation's the scene was built from). */
void wv_scene_json(const wv_scene *sc, const wv_sim_cfg *cfg, wv_buf *out);

#endif
