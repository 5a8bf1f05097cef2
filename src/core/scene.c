/* scene: one frame as a display list (see include/walviz/scene.h).
 *
 * The picture is a pure function of the view: every packet's place on its
 * lane is (t - sent) / (written - sent) of the way, so pausing, stepping
 * back and scrubbing need nothing but a new t. Each region is built in
 * turn inside its clip; texts land in one arena, and a region that needs a
 * text's width asks the backend's measure. Facts about a message come from
 * the simulation (op, xid, table, key, stage times); only the row values a
 * table view or the inspector prints are read from the message's text. */
#include "walviz/scene.h"
#include "walviz/json.h"
#include "walviz/keys.h"
#include "walviz/narrate.h"
#include "walviz/realrows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLE_ROWS 12
#define MAX_CELLS 16
#define CUT_MAX 4096 /* longest text cut with an ellipsis */
#define CELL_CACHE 128 /* rows whose values stay decoded: a frame's table views, 8 followers */

/* A row's values by column, as one node holds it. */
typedef struct row_cells {
    bool exists;
    bool unread; /* a real node's row not read yet */
    int n;
    char name[MAX_CELLS][64];
    char value[MAX_CELLS][96];
} row_cells;

/* Decoded values of a message, kept across frames: a message is read again
 * only when it comes back into view after others pushed it out. Keyed by
 * the message and a hash of its text, so a scene drawing another sim never
 * takes them for its own. */
typedef struct cached_cells {
    size_t msg;
    uint64_t hash; /* 0: empty */
    uint32_t used;
    row_cells cells;
} cached_cells;

/* What the inspector prints of a message's text. */
typedef struct inspected {
    size_t msg;
    uint64_t hash; /* 0: empty */
    int n;
    wv_role role[3];
    char line[3][512];
} inspected;

#define COUNT_CACHE 16 /* count(*) answers remembered */

struct wv_scene {
    wv_cmd *cmds;
    size_t ncmds, cmds_cap;
    wv_scene_chip *chips;
    size_t nchips, chips_cap;
    wv_scene_panel *panels;
    size_t npanels, panels_cap;
    wv_scene_hit *hits;
    size_t nhits, hits_cap;
    wv_buf text; /* every text, NUL-terminated */

    wv_layout lay;
    const wv_theme *th;
    wv_measure_fn measure;
    void *mctx;
    /* what the texts being added speak of */
    int who;
    size_t about;
    bool stale;

    wv_narration narr; /* what just happened; its chip and panel flash */
    bool flash;

    wv_decoder *dec; /* row values for the table views and the inspector */
    int *xs;         /* packet positions on the lane being built */
    size_t xs_cap;
    row_cells lead[MAX_TABLE_ROWS], here[MAX_TABLE_ROWS];
    cached_cells cells[CELL_CACHE];
    uint32_t frame;
    inspected insp;
    char cut[CUT_MAX];
    /* count(*) per node with shards: the same counts recur on every frame
     * (and twice in one: a shard's box, the leader's gathered line) */
    struct {
        const wv_sim *sim;
        size_t nmsgs, table, k, count; /* nmsgs: the stream grows live */
        int holder; /* the shard, or -1 for all rows */
    } counts[COUNT_CACHE];
    uint32_t next_count;
    /* the reports of the simulation last drawn: its views, its readers */
    const wv_sim *reports_of;
    wv_view_query *queries[WV_SIM_MAX_VIEWS];
    wv_sim_view *views[WV_SIM_MAX_VIEWS];
    char view_sql[WV_SIM_MAX_VIEWS][WV_SIM_VIEW_SQL];
    wv_reads *reads;
    const wv_read *frame_reads; /* this frame's reads, up to its time */
    size_t nframe_reads;
};

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 256;                                \
            (arr) = wv_xrealloc((arr), (cap) * sizeof *(arr));              \
        }                                                                   \
    } while (0)

/* names[i] of a table of n names, or "?" */
static const char *name_of(const char *const *names, unsigned n, unsigned i)
{
    return i < n ? names[i] : "?";
}

static const char *const role_names[WV_ROLE_COUNT] = {
    [WV_ROLE_HEADER_TITLE] = "header.title",
    [WV_ROLE_HEADER_FILE] = "header.file",
    [WV_ROLE_HEADER_CLOCK] = "header.clock",
    [WV_ROLE_HEADER_HINT] = "header.hint",
    [WV_ROLE_HEADER_STATUS] = "header.status",
    [WV_ROLE_HEADER_NOTICE] = "header.notice",
    [WV_ROLE_LEADER_NAME] = "leader.name",
    [WV_ROLE_LEADER_LSN] = "leader.lsn",
    [WV_ROLE_LEADER_SYNC_LEVEL] = "leader.sync_level",
    [WV_ROLE_LEADER_STANDBYS] = "leader.standbys",
    [WV_ROLE_LEADER_LAST_COMMIT] = "leader.last_commit",
    [WV_ROLE_LEADER_COMMIT_STATE] = "leader.commit_state",
    [WV_ROLE_SLOT_HELD] = "slot.held",
    [WV_ROLE_SLOT_CONFIRMED] = "slot.confirmed",
    [WV_ROLE_TABLE_TITLE] = "table.title",
    [WV_ROLE_TABLE_COLUMN] = "table.column",
    [WV_ROLE_TABLE_CELL] = "table.cell",
    [WV_ROLE_TABLE_ROW_STATE] = "table.row_state",
    [WV_ROLE_FOLLOWER_NAME] = "follower.name",
    [WV_ROLE_FOLLOWER_STATE] = "follower.state",
    [WV_ROLE_FOLLOWER_LAG] = "follower.lag",
    [WV_ROLE_FOLLOWER_STAGE] = "follower.stage",
    [WV_ROLE_FOLLOWER_SYNC] = "follower.sync",
    [WV_ROLE_FOLLOWER_PREPARED] = "follower.prepared",
    [WV_ROLE_FOLLOWER_POSITION] = "follower.position",
    [WV_ROLE_LANE_STATUS] = "lane.status",
    [WV_ROLE_LANE_QUEUED] = "lane.queued",
    [WV_ROLE_LANE_WAITING] = "lane.waiting",
    [WV_ROLE_LANE_LABEL] = "lane.label",
    [WV_ROLE_LANE_LINK] = "lane.link",
    [WV_ROLE_LANE_REPLY] = "lane.reply",
    [WV_ROLE_CHIP_GLYPH] = "chip.glyph",
    [WV_ROLE_LOG_TITLE] = "log.title",
    [WV_ROLE_LOG_LINE] = "log.line",
    [WV_ROLE_INSPECTOR_EMPTY] = "inspector.empty",
    [WV_ROLE_INSPECTOR_TITLE] = "inspector.title",
    [WV_ROLE_INSPECTOR_MESSAGE] = "inspector.message",
    [WV_ROLE_INSPECTOR_COMMIT] = "inspector.commit",
    [WV_ROLE_INSPECTOR_HEADING] = "inspector.heading",
    [WV_ROLE_INSPECTOR_FOLLOWER] = "inspector.follower",
    [WV_ROLE_INSPECTOR_CELL] = "inspector.cell",
    [WV_ROLE_INSPECTOR_MORE] = "inspector.more",
    [WV_ROLE_INSPECTOR_ROW] = "inspector.row",
    [WV_ROLE_INSPECTOR_CONTENT] = "inspector.content",
    [WV_ROLE_TIMELINE_START] = "timeline.start",
    [WV_ROLE_TIMELINE_END] = "timeline.end",
    [WV_ROLE_TIMELINE_GAP] = "timeline.gap",
    [WV_ROLE_TIMELINE_FAULT] = "timeline.fault",
    [WV_ROLE_HELP_TITLE] = "help.title",
    [WV_ROLE_HELP_KEYS] = "help.keys",
    [WV_ROLE_HELP_WHAT] = "help.what",
    [WV_ROLE_CAPTION] = "caption",
    [WV_ROLE_INSPECTOR_READ] = "inspector.read",
    [WV_ROLE_INSPECTOR_PRIMARY] = "inspector.primary",
    [WV_ROLE_LESSON_CAPTION] = "lesson.caption",
    [WV_ROLE_LEADER_FAILOVER] = "leader.failover",
    [WV_ROLE_TIMELINE_FAILOVER] = "timeline.failover",
    [WV_ROLE_FOLLOWER_SHARD] = "follower.shard",
    [WV_ROLE_LEADER_GATHERED] = "leader.gathered",
    [WV_ROLE_VIEW_SQL] = "view.sql",
    [WV_ROLE_VIEW_ANSWER] = "view.answer",
    [WV_ROLE_READ] = "read",
    [WV_ROLE_READ_COUNTS] = "read.counts",
    [WV_ROLE_READ_BADGE] = "read.badge",
    [WV_ROLE_FOLLOWER_REAL] = "follower.real",
};

const char *wv_role_name(wv_role role)
{
    return name_of(role_names, WV_ROLE_COUNT, (unsigned)role);
}

static const char *const panel_names[WV_PANEL_COUNT] = {
    [WV_PANEL_HEADER] = "header", [WV_PANEL_LEADER] = "leader",       [WV_PANEL_FOLLOWER] = "follower",
    [WV_PANEL_LANE] = "lane",     [WV_PANEL_LOG] = "log",             [WV_PANEL_INSPECTOR] = "inspector",
    [WV_PANEL_TIMELINE] = "timeline", [WV_PANEL_HELP] = "help", [WV_PANEL_CAPTION] = "caption",
};

const char *wv_panel_name(wv_panel panel)
{
    return name_of(panel_names, WV_PANEL_COUNT, (unsigned)panel);
}

static const char *const stage_names[WV_CHIP_STAGE_COUNT] = {
    [WV_CHIP_QUEUED] = "queued",
    [WV_CHIP_IN_FLIGHT] = "in_flight",
    [WV_CHIP_WAITING_FSYNC] = "waiting_fsync",
    [WV_CHIP_WAITING_REPLAY] = "waiting_replay",
};

const char *wv_chip_stage_name(wv_chip_stage stage)
{
    return name_of(stage_names, WV_CHIP_STAGE_COUNT, (unsigned)stage);
}

wv_scene *wv_scene_new(void)
{
    wv_scene *sc = wv_xcalloc(1, sizeof *sc);
    wv_buf_init(&sc->text);
    sc->dec = wv_decode_new();
    return sc;
}

void wv_scene_free(wv_scene *sc)
{
    if (!sc)
        return;
    free(sc->cmds);
    free(sc->chips);
    free(sc->panels);
    free(sc->hits);
    wv_buf_destroy(&sc->text);
    wv_decode_free(sc->dec);
    free(sc->xs);
    for (int i = 0; i < WV_SIM_MAX_VIEWS; i++) {
        wv_sim_view_free(sc->views[i]);
        wv_view_query_free(sc->queries[i]);
    }
    wv_reads_free(sc->reads);
    free(sc);
}

const wv_layout *wv_scene_layout(const wv_scene *sc) { return &sc->lay; }

size_t wv_scene_cmds(const wv_scene *sc, const wv_cmd **cmds)
{
    *cmds = sc->cmds;
    return sc->ncmds;
}

const char *wv_scene_text(const wv_scene *sc, const wv_cmd *cmd)
{
    return sc->text.data + cmd->text;
}

size_t wv_scene_chips(const wv_scene *sc, const wv_scene_chip **chips)
{
    *chips = sc->chips;
    return sc->nchips;
}

size_t wv_scene_panels(const wv_scene *sc, const wv_scene_panel **panels)
{
    *panels = sc->panels;
    return sc->npanels;
}

size_t wv_scene_hits(const wv_scene *sc, const wv_scene_hit **hits)
{
    *hits = sc->hits;
    return sc->nhits;
}

wv_hit wv_scene_hit_at(const wv_scene *sc, int x, int y)
{
    /* later boxes were drawn on top */
    for (size_t i = sc->nhits; i-- > 0;) {
        if (!wv_rect_contains(sc->hits[i].box, x, y))
            continue;
        wv_hit h = sc->hits[i].hit;
        if (h.kind == WV_HIT_TIMELINE) {
            const wv_rect tr = sc->hits[i].box;
            h.time = (int64_t)((double)(x - tr.x) / (tr.w > 1 ? tr.w - 1 : 1) * (double)h.index);
        }
        return h;
    }
    return (wv_hit){ WV_HIT_NONE, 0, 0 };
}

/* --- the list ------------------------------------------------------------ */

static wv_cmd *push(wv_scene *sc, wv_cmd_kind kind, wv_rect box, wv_rgb c)
{
    GROW(sc->cmds, sc->ncmds, sc->cmds_cap);
    wv_cmd *cmd = &sc->cmds[sc->ncmds++];
    memset(cmd, 0, sizeof *cmd);
    cmd->kind = kind;
    cmd->box = box;
    cmd->color = c;
    cmd->follower = -1;
    cmd->msg = WV_ROWS_NONE;
    return cmd;
}

static void fill(wv_scene *sc, wv_rect rc, wv_rgb c)
{
    push(sc, WV_CMD_FILL, rc, c);
}

static void outline(wv_scene *sc, wv_rect rc, wv_rgb c, int thick)
{
    push(sc, WV_CMD_OUTLINE, rc, c)->thick = thick;
}

/* Everything a region draws stays inside it, whatever the text size. */
static void clip(wv_scene *sc, const wv_rect *rc)
{
    push(sc, WV_CMD_CLIP, rc ? *rc : (wv_rect){ 0, 0, -1, -1 }, (wv_rgb){ 0, 0, 0 });
}

static void panel(wv_scene *sc, wv_panel kind, int follower, wv_rect box)
{
    GROW(sc->panels, sc->npanels, sc->panels_cap);
    sc->panels[sc->npanels++] = (wv_scene_panel){ kind, follower, box };
}

static void add_hit(wv_scene *sc, wv_rect rc, wv_hit_kind kind, size_t index)
{
    GROW(sc->hits, sc->nhits, sc->hits_cap);
    sc->hits[sc->nhits++] = (wv_scene_hit){ rc, { kind, index, 0 } };
}

static void add_chip(wv_scene *sc, wv_op op, size_t msg, int f, wv_rect box, wv_chip_stage stage,
                     bool selected)
{
    GROW(sc->chips, sc->nchips, sc->chips_cap);
    sc->chips[sc->nchips++] = (wv_scene_chip){ op, msg, f, box, stage, selected };
}

static int measure(wv_scene *sc, wv_font font, const char *s, int *h)
{
    int hh = 0;
    int w = sc->measure(sc->mctx, font, *s ? s : " ", &hh); /* an empty text is a space wide */
    if (h)
        *h = hh;
    return w;
}

static int text_width(wv_scene *sc, wv_font font, const char *s)
{
    return measure(sc, font, s, NULL);
}

/* Adds s at (x, y) (top-left), cut with an ellipsis to maxw when maxw > 0;
 * returns the width it takes. It speaks of sc->who and sc->about. */
static int draw_text(wv_scene *sc, wv_role role, wv_font font, wv_rgb c, int x, int y, const char *s,
                     int maxw)
{
    int h;
    int w = measure(sc, font, s, &h);
    if (maxw > 0 && w > maxw) {
        size_t len = strlen(s);
        size_t keep = (size_t)((double)len * maxw / w);
        for (int tries = 0; tries < 4; tries++) {
            if (keep + 4 > sizeof sc->cut)
                keep = sizeof sc->cut - 4;
            keep = wv_utf8_prefix(s, len, keep); /* never split a UTF-8 sequence */
            memcpy(sc->cut, s, keep);
            memcpy(sc->cut + keep, "\xe2\x80\xa6", 4); /* ... */
            w = measure(sc, font, sc->cut, &h);
            if (w <= maxw || keep == 0)
                break;
            keep = keep * 9 / 10;
        }
        s = sc->cut;
    }
    wv_cmd *cmd = push(sc, WV_CMD_TEXT, (wv_rect){ x, y, w, h }, c);
    cmd->font = font;
    cmd->role = role;
    cmd->follower = sc->who;
    cmd->msg = sc->about;
    cmd->stale = sc->stale;
    cmd->text = sc->text.len;
    wv_buf_append(&sc->text, s, strlen(s) + 1);
    return w;
}

/* Lines grow with the picture, so a 4K projector draws them as bold as
 * a 1080p one. */
static int stroke(const wv_scene *sc)
{
    return sc->lay.body_px / 10 > 2 ? sc->lay.body_px / 10 : 2;
}

static bool same_rgb(wv_rgb a, wv_rgb b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

static void hline(wv_scene *sc, int x0, int x1, int y, int thick, wv_rgb c)
{
    fill(sc, (wv_rect){ x0, y - thick / 2, x1 - x0, thick > 0 ? thick : 1 }, c);
}

/* --- formatting ---------------------------------------------------------- */

static void fmt_duration(char *out, size_t n, int64_t us)
{
    if (us < 0)
        snprintf(out, n, "-");
    else if (us < 1000)
        snprintf(out, n, "%lld us", (long long)us);
    else if (us < 1000000)
        snprintf(out, n, "%.0f ms", (double)us / 1e3);
    else if (us < 10000000)
        snprintf(out, n, "%.2f s", (double)us / 1e6);
    else
        snprintf(out, n, "%.1f s", (double)us / 1e6);
}

static void fmt_bytes(char *out, size_t n, uint64_t b)
{
    if (b < 1024)
        snprintf(out, n, "%llu B", (unsigned long long)b);
    else if (b < 1024 * 1024)
        snprintf(out, n, "%.1f kB", (double)b / 1024.0);
    else
        snprintf(out, n, "%.1f MB", (double)b / 1048576.0);
}

/* "name=value" of a column. */
static void cell_text(const wv_column *col, char *out, size_t max)
{
    char name[128], value[256];
    wv_column_name(col, name, sizeof name);
    wv_column_value(col, value, sizeof value);
    snprintf(out, max, "%.60s=%.90s", name, value); /* a cell never needs more */
}

size_t wv_scene_current(const wv_view *v)
{
    if (v->selected_msg != WV_ROWS_NONE && v->selected_msg < wv_sim_count(v->sim))
        return v->selected_msg;
    if (!v->tl->playing) {
        /* after a step: the message the step was about */
        wv_narration n;
        wv_narrate(v->sim, v->tl->now, WV_ROWS_NONE, &n);
        if (n.kind != WV_EVENT_NONE)
            return n.msg;
    }
    size_t n = wv_sim_departed(v->sim, v->tl->now);
    return n ? n - 1 : (wv_sim_count(v->sim) ? 0 : WV_ROWS_NONE);
}
/* "+ accounts id=7" for a change, or the op's name. */
static void packet_label(const wv_sim *sim, size_t m, char *out, size_t max)
{
    wv_op op = wv_sim_op(sim, m);
    const wv_rows *rows = wv_sim_rows(sim);
    size_t key = wv_rows_key_of(rows, m);
    if (op == WV_OP_INSERT || op == WV_OP_UPDATE || op == WV_OP_DELETE) {
        size_t t = wv_rows_table_of(rows, m);
        const char *tname = t != WV_ROWS_NONE ? wv_rows_table_name(rows, t) : "?";
        snprintf(out, max, "%s %s %s", wv_op_glyph(op), tname,
                 key != WV_ROWS_NONE ? wv_rows_key_text(rows, key) : "");
    } else if (op == WV_OP_COMMIT || op == WV_OP_BEGIN) {
        /* a bracket stands for its whole train: say how long it is */
        size_t u = wv_sim_txn_of(sim, m);
        size_t first = wv_sim_txn_first(sim, u), last = wv_sim_txn_last(sim, u);
        size_t inside = last > first + 1 ? last - first - 1 : 0;
        uint32_t xid;
        char who[32] = "";
        if (wv_sim_xid(sim, m, &xid))
            snprintf(who, sizeof who, " %u", xid);
        snprintf(out, max, "%s%s: %zu change%s", op == WV_OP_BEGIN ? "BEGIN" : "COMMIT", who, inside,
                 inside == 1 ? "" : "s");
    } else {
        snprintf(out, max, "%s", wv_op_name(op));
    }
}

/* --- regions ------------------------------------------------------------- */

static void draw_top(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    wv_rect top = sc->lay.top;
    panel(sc, WV_PANEL_HEADER, -1, top);
    fill(sc, top, th->panel);
    int pad = sc->lay.pad, y = (top.h - sc->lay.label_px * 6 / 5) / 2;
    int x = pad + draw_text(sc, WV_ROLE_HEADER_TITLE, WV_FONT_LABEL, th->text, pad, y, "walviz", 0) + pad * 2;
    x += draw_text(sc, WV_ROLE_HEADER_FILE, WV_FONT_BODY, th->text_dim, x, y + (sc->lay.label_px - sc->lay.body_px) / 2,
                   v->title ? v->title : "", top.w / 4) + pad * 3;

    char buf[256], t1[32], t2[32];
    const wv_timeline *tl = v->tl;
    /* stepping moves by microseconds: show them while paused, grouped in
     * threes so they can be read aloud */
    long long now_us = (long long)tl->now;
    if (tl->playing)
        snprintf(t1, sizeof t1, "%.3f", (double)now_us / 1e6);
    else
        snprintf(t1, sizeof t1, "%lld.%03lld\xe2\x80\x89%03lld", now_us / 1000000,
                 now_us / 1000 % 1000, now_us % 1000);
    /* the end as precise as the time beside it: never "6.029 s / 6.0 s" */
    snprintf(t2, sizeof t2, tl->playing ? "%.1f" : "%.3f", (double)v->end / 1e6);
    const char *state = tl->playing ? "\xe2\x96\xb6 playing" : "\xe2\x9d\x9a\xe2\x9d\x9a paused";
    if (v->live && tl->playing && v->behind_live == 0)
        snprintf(buf, sizeof buf, "\xe2\x97\x8f live   t = %s s", t1);
    else if (v->live)
        snprintf(buf, sizeof buf, "%s  %s   t = %s s   %.1f s behind live (End: live)", state,
                 wv_timeline_speed_text(tl), t1, (double)v->behind_live / 1e6);
    else
        snprintf(buf, sizeof buf, "%s  %s   t = %s s / %s s", state, wv_timeline_speed_text(tl), t1, t2);
    x += draw_text(sc, WV_ROLE_HEADER_CLOCK, WV_FONT_LABEL, tl->playing ? th->good : th->text, x, y, buf, 0) + pad * 3;

    int body_y = y + (sc->lay.label_px - sc->lay.body_px) / 2;
    if (v->status)
        draw_text(sc, WV_ROLE_HEADER_STATUS, WV_FONT_BODY, th->warn, x, body_y, v->status, top.w - x - pad);
    else if (v->notice) /* what a key just did: as large as the time beside it */
        draw_text(sc, WV_ROLE_HEADER_NOTICE, WV_FONT_LABEL, th->good, x, y, v->notice, top.w - x - pad);
    else if (!v->started)
        draw_text(sc, WV_ROLE_HEADER_HINT, WV_FONT_BODY, th->text, x, body_y,
                  "Space: play   \xe2\x86\x92: step   ?: keys", top.w - x - pad);
    else if (v->demo_hint)
        draw_text(sc, WV_ROLE_HEADER_HINT, WV_FONT_BODY, th->text, x, body_y, v->demo_hint, top.w - x - pad);
}

#define FOLLOW_SCAN 4096 /* messages looked back at for the newest change */

/* The table the views show: the one Tab chose; else the selected change's;
 * else the newest change's that left the leader (the action). */
size_t wv_scene_table(const wv_view *v)
{
    const wv_rows *rows = wv_sim_rows(v->sim);
    size_t n = wv_rows_table_count(rows);
    if (!n)
        return WV_ROWS_NONE;
    if (v->table_pinned)
        return v->table % n;
    size_t sel = v->selected_msg;
    if (sel != WV_ROWS_NONE && sel < wv_sim_count(v->sim) && wv_rows_table_of(rows, sel) != WV_ROWS_NONE)
        return wv_rows_table_of(rows, sel);
    size_t d = wv_sim_departed(v->sim, v->tl->now);
    for (size_t m = d, seen = 0; m-- > 0 && seen < FOLLOW_SCAN; seen++) {
        size_t tbl = wv_rows_table_of(rows, m);
        if (tbl != WV_ROWS_NONE)
            return tbl;
    }
    return 0;
}

/* Whether node shows the row of key: a shard, when it holds it as the
 * leader has it (k_leader) or as it has it itself (k_node). */
static bool holds(const wv_sim *sim, int node, size_t key, size_t k_leader, size_t k_node)
{
    const wv_rows *rows = wv_sim_rows(sim);
    wv_row lead = wv_rows_read(rows, key, k_leader), here = wv_rows_read(rows, key, k_node);
    return (lead.msg != WV_ROWS_NONE && wv_sim_holds(sim, node, lead)) ||
           (here.exists && wv_sim_holds(sim, node, here));
}

/* Up to max keys for node's view of table: on a follower, first the rows
 * of the next transaction it will apply (so the moment it becomes visible
 * there is on screen), then the leader's most recent; newest first. */
static size_t rows_to_show(const wv_view *v, int node, size_t tbl, size_t kl, size_t *keys, size_t max)
{
    const wv_sim *sim = v->sim;
    const wv_rows *rows = wv_sim_rows(sim);
    size_t n = 0;
    size_t kn = node == WV_SIM_LEADER ? kl : wv_sim_visible(sim, node, v->tl->now);
    if (node != WV_SIM_LEADER && kn < kl && wv_sim_txn_lost(sim, kn)) {
        wv_failover fo; /* a lost transaction is never applied: the one after it is next */
        wv_sim_failover(sim, &fo);
        kn = fo.lost_to;
    }
    if (node != WV_SIM_LEADER && kn < kl) {
        size_t first = wv_sim_txn_first(sim, kn), last = wv_sim_txn_last(sim, kn);
        for (size_t m = last + 1; m-- > first && n < max && last - m < FOLLOW_SCAN;) {
            size_t key = wv_rows_key_of(rows, m);
            if (key == WV_ROWS_NONE || wv_rows_table_of(rows, m) != tbl || !holds(sim, node, key, kl, kn))
                continue;
            bool seen = false;
            for (size_t i = 0; i < n; i++)
                seen |= keys[i] == key;
            if (!seen)
                keys[n++] = key;
        }
    }
    size_t recent[MAX_TABLE_ROWS];
    /* a shard looks further back: it shows only what it holds */
    bool all = !wv_sim_sharded(sim) || node == WV_SIM_LEADER;
    size_t got = wv_rows_recent(rows, tbl, kl, recent, max < MAX_TABLE_ROWS && all ? max : MAX_TABLE_ROWS);
    for (size_t i = 0; i < got && n < max; i++) {
        if (!holds(sim, node, recent[i], kl, kn))
            continue;
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= keys[j] == recent[i];
        if (!seen)
            keys[n++] = recent[i];
    }
    return n;
}

/* A message's text hashed (never 0), to key what was decoded of it. */
static uint64_t text_hash(wv_slice text, size_t msg)
{
    uint64_t h = 1469598103934665603ULL ^ msg;
    for (size_t i = 0; i < text.len; i++)
        h = (h ^ (unsigned char)text.ptr[i]) * 1099511628211ULL;
    return h ? h : 1;
}

static void read_cells(wv_scene *sc, const wv_sim *sim, wv_row row, row_cells *out)
{
    out->exists = row.exists;
    out->unread = false;
    out->n = 0;
    if (!row.exists)
        return;
    wv_slice text = wv_sim_text(sim, row.msg);
    uint64_t h = text_hash(text, row.msg);
    cached_cells *victim = &sc->cells[0];
    for (size_t i = 0; i < CELL_CACHE; i++) {
        cached_cells *e = &sc->cells[i];
        if (e->hash == h && e->msg == row.msg) {
            e->used = sc->frame;
            *out = e->cells;
            return;
        }
        if (e->used < victim->used)
            victim = e;
    }
    wv_change c;
    if (wv_decode_message(sc->dec, text.ptr, text.len, &c) == WV_DECODE_OK) {
        const wv_tuple *t = wv_change_row(&c);
        for (size_t i = 0; i < t->ncols && out->n < MAX_CELLS; i++, out->n++) {
            wv_column_name(&t->cols[i], out->name[out->n], sizeof out->name[0]);
            wv_column_value(&t->cols[i], out->value[out->n], sizeof out->value[0]);
        }
    }
    *victim = (cached_cells){ row.msg, h, sc->frame, *out };
}

/* A real node's row as read from it last, at or before at_us. */
static void real_cells(const wv_realrows *rr, int node, const char *table, const char *key, int64_t at_us,
                       row_cells *out)
{
    wv_real_row rd;
    out->n = 0;
    out->unread = !wv_realrows_at(rr, node, table, key, at_us, &rd);
    out->exists = !out->unread && rd.exists;
    for (int i = 0; out->exists && i < rd.ncols && i < MAX_CELLS; i++, out->n++) {
        snprintf(out->name[i], sizeof out->name[i], "%s", rd.name[i]);
        /* as the leader's cells are shown, to compare them */
        wv_display_line((wv_slice){ rd.value[i], strlen(rd.value[i]) }, out->value[i], sizeof out->value[i]);
    }
}

/* The value of column name in a row, or NULL. */
static const char *cell_of(const row_cells *rc, const char *name)
{
    for (int i = 0; i < rc->n; i++)
        if (strcmp(rc->name[i], name) == 0)
            return rc->value[i];
    return NULL;
}

/* The table view of a node: the rows the leader wrote most recently, as
 * this node has them, in aligned columns like psql prints them; cells that
 * differ from the leader's (not received yet) are marked stale. A real
 * node whose rows are read shows them as it returned them. Returns the y
 * below it. */
static int draw_table_view(wv_scene *sc, const wv_view *v, int node, wv_rect box, int y, int max_lines)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_rows *rows = wv_sim_rows(sim);
    size_t tbl = wv_scene_table(v);
    bool leader = node == WV_SIM_LEADER;
    int lh = sc->lay.line_h;
    int x0 = box.x + sc->lay.pad, x_end = box.x + box.w - sc->lay.pad;
    /* a follower with little room shows rows under the leader's header */
    bool header = leader || max_lines >= 5;
    if (tbl == WV_ROWS_NONE || max_lines < (leader ? 3 : 1))
        return y;
    if (leader) {
        char head[160];
        snprintf(head, sizeof head, "table %s%s", wv_rows_table_name(rows, tbl),
                 wv_rows_table_count(rows) > 1 ? "  (Tab: next)" : "");
        draw_text(sc, WV_ROLE_TABLE_TITLE, WV_FONT_BODY, th->text_dim, x0, y, head, x_end - x0);
        y += lh;
        max_lines--;
    }
    int64_t t = v->tl->now;
    /* kl: what the leader has committed; on the leader itself, other
     * sessions see only the transactions whose COMMIT has returned (kn) */
    size_t kl = wv_sim_visible(sim, WV_SIM_LEADER, t);
    size_t kn = leader ? wv_sim_readable(sim, WV_SIM_LEADER, t) : wv_sim_visible(sim, node, t);
    size_t keys[MAX_TABLE_ROWS];
    int row_lines = max_lines - (header ? 1 : 0);
    size_t want = (size_t)(row_lines < MAX_TABLE_ROWS ? row_lines : MAX_TABLE_ROWS);
    size_t n = rows_to_show(v, node, tbl, kl, keys, want);
    if (n == 0)
        return y;
    row_cells *lead = sc->lead, *here = sc->here;
    const row_cells *cols = NULL; /* the row that names the columns */
    int real = leader ? -1 : wv_realnodes_node_of(v->real, node - 1);
    const wv_realrows *rr = real >= 0 ? wv_realnodes_rows(v->real) : NULL;
    bool reads = wv_realrows_reads(rr, real);
    /* there before the stream began, in a version it never showed (a real
     * node's read says itself) */
    bool older[MAX_TABLE_ROWS] = { false };
    for (size_t i = 0; i < n; i++) {
        read_cells(sc, sim, wv_sim_row(sim, WV_SIM_LEADER, t, keys[i], kl), &lead[i]);
        if (kn == kl && leader) {
            here[i] = lead[i];
        } else if (reads) {
            real_cells(rr, real, wv_rows_table_name(rows, tbl), wv_rows_key_text(rows, keys[i]),
                       wv_sim_epoch_us(sim) + t, &here[i]);
        } else {
            wv_row mine = wv_sim_row(sim, node, t, keys[i], kn);
            read_cells(sc, sim, mine, &here[i]);
            older[i] = wv_sim_row_older(sim, keys[i], mine);
        }
        if (!cols && lead[i].n)
            cols = &lead[i];
        if (!cols && here[i].n)
            cols = &here[i];
    }
    if (!cols)
        return y;
    /* column widths in characters: the longest of name and values, capped */
    int cw = text_width(sc, WV_FONT_MONO, "0");
    int width[MAX_CELLS], ncols = 0, used = 0, avail = cw > 0 ? (x_end - x0) / cw : 0;
    for (int c = 0; c < cols->n; c++) {
        int w = (int)strlen(cols->name[c]);
        for (size_t i = 0; i < n; i++) {
            const char *a = cell_of(&lead[i], cols->name[c]), *b = cell_of(&here[i], cols->name[c]);
            if (a && (int)strlen(a) > w)
                w = (int)strlen(a);
            if (b && (int)strlen(b) > w)
                w = (int)strlen(b);
        }
        w = w > 16 ? 16 : w;
        if (used + w > avail) {
            w = avail - used; /* the last column takes what is left */
            if (w < 3)
                break;
        }
        width[ncols++] = w;
        used += w + 1;
    }
    int x = x0;
    for (int c = 0; header && c < ncols; c++) {
        draw_text(sc, WV_ROLE_TABLE_COLUMN, WV_FONT_MONO, th->text_dim, x, y, cols->name[c], width[c] * cw);
        x += (width[c] + 1) * cw;
    }
    if (header)
        y += lh;
    for (size_t i = 0; i < n; i++, y += lh) {
        if (here[i].unread) { /* not answered yet: just asked for, or the node is down */
            char line[200];
            snprintf(line, sizeof line, "%s (not read yet)", wv_rows_key_text(rows, keys[i]));
            draw_text(sc, WV_ROLE_TABLE_ROW_STATE, WV_FONT_MONO, th->text_dim, x0, y, line, x_end - x0);
            continue;
        }
        if (!here[i].exists) {
            bool stale = !leader && lead[i].exists, waiting = leader && lead[i].exists;
            /* after a failover: a row only a lost transaction wrote */
            bool lost = !lead[i].exists && wv_sim_leader_at(sim, t) >= 0 && wv_rows_read(rows, keys[i], kl).exists;
            char line[200];
            snprintf(line, sizeof line, "%s %s", wv_rows_key_text(rows, keys[i]),
                     stale && older[i] ? "(older version)" : stale ? "(not here yet)" : waiting ? "(COMMIT waiting)"
                     : lost ? "(lost)" : "(deleted)");
            waiting |= lost;
            if (waiting) {
                draw_text(sc, WV_ROLE_TABLE_ROW_STATE, WV_FONT_MONO, th->warn, x0, y, line, x_end - x0);
                continue;
            }
            if (stale)
                fill(sc, (wv_rect){ x0 - 2, y, text_width(sc, WV_FONT_MONO, line) + 4, lh }, th->stale_bg);
            sc->stale = stale;
            draw_text(sc, WV_ROLE_TABLE_ROW_STATE, WV_FONT_MONO, stale ? th->stale_text : th->text_dim, x0,
                      y, line, x_end - x0);
            sc->stale = false;
            continue;
        }
        x = x0;
        for (int c = 0; c < ncols; c++) {
            const char *val = cell_of(&here[i], cols->name[c]);
            const char *lval = cell_of(&lead[i], cols->name[c]);
            bool differs = !lead[i].exists || !val || !lval || strcmp(val, lval) != 0;
            bool stale = !leader && differs;
            if (stale)
                fill(sc, (wv_rect){ x - 2, y, width[c] * cw + 4, lh }, th->stale_bg);
            sc->stale = stale;
            /* on the leader: a value a waiting COMMIT will change */
            draw_text(sc, WV_ROLE_TABLE_CELL, WV_FONT_MONO,
                      stale ? th->stale_text : leader && differs ? th->warn : th->text, x, y, val ? val : "",
                      width[c] * cw);
            sc->stale = false;
            x += (width[c] + 1) * cw;
        }
    }
    return y;
}

static int draw_wrapped(wv_scene *sc, wv_role role, wv_font font, wv_rgb c, int x0, int first_x, int y,
                        int right, int bottom, const char *s);

/* After the failure, under the leader's name: when it failed, who took
 * over, and what the failover lost, in the words a client would use.
 * Returns the y below. */
static int draw_failover(wv_scene *sc, const wv_view *v, const wv_failover *fo, int x, int y, int w, int bottom)
{
    const wv_theme *th = sc->th;
    const wv_sim_cfg *cfg = wv_sim_config(v->sim);
    int right = x + w;
    char buf[160];
    if (v->tl->now < fo->promoted_at)
        snprintf(buf, sizeof buf, "%s takes over at %.2f s", cfg->names[fo->to], (double)fo->promoted_at / 1e6);
    else
        snprintf(buf, sizeof buf, "old leader \xe2\x9c\x97 failed at %.2f s", (double)fo->at / 1e6);
    y = draw_wrapped(sc, WV_ROLE_LEADER_FAILOVER, WV_FONT_BODY, th->warn, x, x, y, right, bottom, buf);
    if (fo->acked_commits) {
        snprintf(buf, sizeof buf, "%zu commit%s, %zu change%s", fo->acked_commits, fo->acked_commits == 1 ? "" : "s",
                 fo->acked_changes, fo->acked_changes == 1 ? "" : "s");
        bool big = text_width(sc, WV_FONT_LABEL, buf) <= w; /* large when it fits whole */
        y = draw_wrapped(sc, WV_ROLE_LEADER_FAILOVER, big ? WV_FONT_LABEL : WV_FONT_BODY, th->warn, x, x, y, right,
                         bottom, buf);
        y = draw_wrapped(sc, WV_ROLE_LEADER_FAILOVER, WV_FONT_BODY, th->warn, x, x, y, right, bottom,
                         "acknowledged to clients and lost");
    } else {
        y = draw_wrapped(sc, WV_ROLE_LEADER_FAILOVER, WV_FONT_BODY, th->good, x, x, y, right, bottom,
                         "\xe2\x9c\x93 no acknowledged commit lost");
    }
    if (fo->unacked_commits) {
        snprintf(buf, sizeof buf, "%zu commit%s lost, never acknowledged", fo->unacked_commits,
                 fo->unacked_commits == 1 ? "" : "s");
        y = draw_wrapped(sc, WV_ROLE_LEADER_FAILOVER, WV_FONT_BODY, th->text_dim, x, x, y, right, bottom, buf);
    }
    return y;
}

/* wv_sim_count_rows, remembered by what it depends on: the transactions
 * the node sees, and which rows it holds. */
static size_t count_rows(wv_scene *sc, const wv_sim *sim, int node, size_t tbl, int64_t t)
{
    size_t k = wv_sim_visible(sim, node, t);
    int holder = node > 0 && node <= wv_sim_config(sim)->nshards && wv_sim_sharded(sim) ? node - 1 : -1;
    for (int i = 0; i < COUNT_CACHE; i++)
        if (sc->counts[i].sim == sim && sc->counts[i].nmsgs == wv_sim_count(sim) && sc->counts[i].table == tbl &&
            sc->counts[i].k == k && sc->counts[i].holder == holder)
            return sc->counts[i].count;
    int i = (int)(sc->next_count++ % COUNT_CACHE);
    sc->counts[i].sim = sim;
    sc->counts[i].nmsgs = wv_sim_count(sim);
    sc->counts[i].table = tbl;
    sc->counts[i].k = k;
    sc->counts[i].holder = holder;
    sc->counts[i].count = wv_sim_count_rows(sim, node, tbl, t);
    return sc->counts[i].count;
}

/* count(*) of the table on screen gathered from the shards, as a query
 * sent to each and summed: equal to the leader's once every shard has
 * applied what it gets (a row no filter selects is on no shard). */
static int draw_gathered(wv_scene *sc, const wv_view *v, int x, int y, int w)
{
    const wv_sim *sim = v->sim;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    size_t tbl = wv_scene_table(v);
    if (!wv_sim_sharded(sim) || tbl == WV_ROWS_NONE)
        return y;
    int64_t t = v->tl->now;
    char buf[256];
    size_t sum = 0, leader = count_rows(sc, sim, WV_SIM_LEADER, tbl, t);
    snprintf(buf, sizeof buf, "count(*): leader %zu", leader);
    draw_text(sc, WV_ROLE_LEADER_GATHERED, WV_FONT_BODY, sc->th->text_dim, x, y, buf, w);
    y += sc->lay.line_h;
    /* a table without the shard key is whole on every shard: a query
     * asks one of them */
    size_t key;
    const wv_rows *rows = wv_sim_rows(sim);
    if (wv_rows_recent(rows, tbl, wv_sim_visible(sim, WV_SIM_LEADER, t), &key, 1) == 1 &&
        wv_sim_row_shard(sim, wv_rows_read(rows, key, wv_sim_visible(sim, WV_SIM_LEADER, t)).msg) == WV_SHARD_EVERY) {
        snprintf(buf, sizeof buf, "no %s: whole on each", cfg->shard_col);
        draw_text(sc, WV_ROLE_LEADER_GATHERED, WV_FONT_BODY, sc->th->text_dim, x, y, buf, w);
        return y + sc->lay.line_h;
    }
    int n = snprintf(buf, sizeof buf, "shards ");
    for (int f = 0; f < cfg->nshards && n < (int)sizeof buf - 40; f++) {
        size_t c = count_rows(sc, sim, f + 1, tbl, t);
        sum += c;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%zu", f ? "+" : "", c);
    }
    snprintf(buf + n, sizeof buf - (size_t)n, " = %zu", sum);
    draw_text(sc, WV_ROLE_LEADER_GATHERED, WV_FONT_BODY, sum == leader ? sc->th->good : sc->th->warn, x, y, buf, w);
    return y + sc->lay.line_h;
}

static void draw_leader(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_rect box = sc->lay.leader;
    panel(sc, WV_PANEL_LEADER, -1, box);
    fill(sc, box, th->panel);
    outline(sc, box, th->border, stroke(sc));
    int pad = sc->lay.pad, x = box.x + pad, y = box.y + pad, w = box.w - 2 * pad;
    int lh = sc->lay.line_h;
    int64_t t = v->tl->now;
    char buf[256], lsn[WV_LSN_BUFSZ];
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    bool failed = fo.on && t >= fo.at, promoted = failed && t >= fo.promoted_at;
    if (promoted)
        snprintf(buf, sizeof buf, "leader: %s", cfg->names[fo.to]);
    int nw = draw_text(sc, WV_ROLE_LEADER_NAME, WV_FONT_LABEL, failed && !promoted ? th->warn : th->text, x, y,
                       promoted ? buf : "leader", w);
    if (failed && !promoted) { /* crossed out */
        fill(sc, (wv_rect){ x, y + sc->lay.label_px / 2, nw, stroke(sc) + 1 }, th->warn);
        draw_text(sc, WV_ROLE_LEADER_NAME, WV_FONT_LABEL, th->warn, x + nw + pad, y, "\xe2\x9c\x97 failed",
                  w - nw - pad);
    }
    y += sc->lay.label_px * 3 / 2;
    if (failed)
        y = draw_failover(sc, v, &fo, x, y, w, box.y + box.h - pad);

    size_t departed = wv_sim_departed(sim, t);
    uint64_t max_lsn = 0;
    if (departed) {
        wv_positions p;
        wv_sim_positions(sim, 0, t, &p);
        max_lsn = p.leader_lsn;
    }
    wv_lsn_format(max_lsn, lsn);
    snprintf(buf, sizeof buf, "LSN %s", lsn);
    draw_text(sc, WV_ROLE_LEADER_LSN, WV_FONT_MONO, th->text, x, y, buf, w);
    y += lh;
    /* the level's name is always whole: on a line of its own if need be */
    snprintf(buf, sizeof buf, "synchronous_commit = %s", wv_sync_level_name(cfg->sync));
    if (text_width(sc, WV_FONT_BODY, buf) > w) {
        draw_text(sc, WV_ROLE_LEADER_SYNC_LEVEL, WV_FONT_BODY, th->text_dim, x, y, "synchronous_commit", w);
        y += lh;
        snprintf(buf, sizeof buf, "= %s", wv_sync_level_name(cfg->sync));
    }
    draw_text(sc, WV_ROLE_LEADER_SYNC_LEVEL, WV_FONT_BODY, th->text, x, y, buf, w);
    y += lh;
    char names[160] = "";
    int listed = 0; /* the new leader is no standby of its own */
    for (int i = 0; i < cfg->nsync_standbys && strlen(names) < sizeof names - 40; i++)
        if (!promoted || cfg->sync_standbys[i] != fo.to)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", listed++ ? ", " : "",
                     cfg->names[cfg->sync_standbys[i]]);
    if (listed)
        snprintf(buf, sizeof buf, "%s %d (%s)", cfg->sync_any ? "ANY" : "FIRST", cfg->sync_num, names);
    else
        snprintf(buf, sizeof buf, "no synchronous standbys");
    draw_text(sc, WV_ROLE_LEADER_STANDBYS, WV_FONT_BODY, th->text_dim, x, y, buf, w);
    y += lh;

    /* Commits waiting for standbys are sessions waiting for their COMMIT
     * to return: how many, since when, for what. Else the latest commit. */
    size_t first_waiting;
    size_t nwaiting = failed && !promoted ? 0 : wv_sim_waiting_commits(sim, t, &first_waiting);
    char d[32];
    if (failed && !promoted) {
        /* the dead leader's sessions got an error: nothing returns */
    } else if (nwaiting) {
        fmt_duration(d, sizeof d, t - wv_sim_txn_time(sim, first_waiting));
        static const char *const what[WV_SYNC_COUNT] = { "", "", "write", "flush", "apply" };
        bool prepare = wv_sim_op(sim, wv_sim_txn_last(sim, first_waiting)) == WV_OP_PREPARE;
        snprintf(buf, sizeof buf, "%zu COMMIT%s waiting", nwaiting, nwaiting == 1 ? "" : "s");
        bool big = text_width(sc, WV_FONT_LABEL, buf) <= w; /* large when it fits whole */
        draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, big ? WV_FONT_LABEL : WV_FONT_BODY, th->warn, x, y, buf, w);
        y += big ? sc->lay.label_px * 6 / 5 : lh;
        if (cfg->sync_any || cfg->sync_num > 1)
            snprintf(buf, sizeof buf, "for %d of %s to %s", cfg->sync_num, names,
                     prepare ? "flush" : what[cfg->sync]);
        else
            snprintf(buf, sizeof buf, "for %s to %s", cfg->names[cfg->sync_standbys[0]],
                     prepare ? "flush" : what[cfg->sync]);
        draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->warn, x, y, buf, w);
        y += lh;
        snprintf(buf, sizeof buf, "oldest: %s", d);
        draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->warn, x, y, buf, w);
        y += lh;
    } else {
        size_t u = wv_sim_visible(sim, WV_SIM_LEADER, t), own = wv_sim_leader_first_txn(sim, t);
        while (u-- > own && !wv_sim_txn_is_commit(sim, u))
            ;
        if (u != own - 1) { /* the new leader's own commits only */
            int64_t ack = wv_sim_txn_ack(sim, u, NULL), at = wv_sim_txn_time(sim, u);
            wv_op op = wv_sim_op(sim, wv_sim_txn_last(sim, u));
            uint32_t xid;
            const char *word = op == WV_OP_PREPARE ? "last PREPARE" : "last commit";
            if (wv_sim_xid(sim, wv_sim_txn_last(sim, u), &xid))
                snprintf(buf, sizeof buf, "%s: xid %u", word, xid);
            else
                snprintf(buf, sizeof buf, "%s: #%zu", word, u);
            draw_text(sc, WV_ROLE_LEADER_LAST_COMMIT, WV_FONT_BODY, th->text, x, y, buf, w);
            y += lh;
            fmt_duration(d, sizeof d, ack - at);
            if (ack == at)
                snprintf(buf, sizeof buf, "\xe2\x9c\x93 returned at once");
            else
                snprintf(buf, sizeof buf, "\xe2\x9c\x93 returned after %s", d);
            draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->good, x, y, buf, w);
            y += lh;
        }
    }
    y = draw_gathered(sc, v, x, y, w);
    y += lh / 2;
    int gauge_lines = v->slot ? 3 : 0; /* the slot gauge sits below the table */
    draw_table_view(sc, v, WV_SIM_LEADER, box, y, (box.y + box.h - pad - y) / lh - 1 - gauge_lines);
}

/* Whether follower f is named in synchronous_standby_names and the
 * level makes commits wait for standbys. */
static bool is_sync_standby(const wv_sim_cfg *cfg, int f)
{
    if (cfg->sync < WV_SYNC_REMOTE_WRITE)
        return false;
    for (int i = 0; i < cfg->nsync_standbys; i++)
        if (cfg->sync_standbys[i] == f)
            return true;
    return false;
}

/* The follower's pipeline in its order, written, flushed, replayed, a
 * stage with changes waiting for it in the warning colour with their
 * count; with room, each stage's position under it (or, in a narrow box,
 * beside it, a line a stage). Rows of the table come first: with little
 * room the positions go, then the strip. Returns the y under it. */
static int draw_pipeline(wv_scene *sc, const wv_view *v, int f, const wv_positions *p, int x, int y, int w,
                         int bottom)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    int64_t t = v->tl->now;
    int lh = sc->lay.line_h, avail = (bottom - y) / lh;
    /* a physical standby writes, flushes, then replays; a logical
     * subscriber applies what it receives and flushes later (worker.c) */
    bool logical = wv_sim_config(sim)->link[f].kind == WV_KIND_LOGICAL;
    const char *names[3] = { "written", logical ? "applied" : "flushed", logical ? "flushed" : "replayed" };
    wv_stage stages[3] = { WV_STAGE_WRITTEN, logical ? WV_STAGE_APPLIED : WV_STAGE_FLUSHED,
                           logical ? WV_STAGE_FLUSHED : WV_STAGE_APPLIED };
    uint64_t lsn[3] = { p->write_lsn, logical ? p->replay_lsn : p->flush_lsn,
                        logical ? p->flush_lsn : p->replay_lsn };
    size_t reached[4];
    reached[0] = wv_sim_reached(sim, f, WV_STAGE_SENT, t);
    for (int i = 0; i < 3; i++)
        reached[i + 1] = wv_sim_reached(sim, f, stages[i], t);
    int colw = (w - 2 * sc->lay.pad) / 3;
    char pos[WV_LSN_BUFSZ];
    wv_lsn_format(lsn[0] > lsn[2] ? lsn[0] : lsn[2], pos);
    bool columns = text_width(sc, WV_FONT_MONO, pos) <= colw;
    /* lines it takes: 2 (columns with positions), 3 (a line a stage), 1 (no positions) */
    int lines = columns && avail >= 5 ? 2 : !columns && avail >= 6 ? 3 : avail >= 4 ? 1 : 0;
    int run_x = x; /* one line: each stage after the last */
    for (int i = 0; i < 3 && lines; i++) {
        size_t waiting = i > 0 && reached[i] > reached[i + 1] ? reached[i] - reached[i + 1] : 0;
        char head[64];
        snprintf(head, sizeof head, waiting ? "%s (%zu wait)" : "%s", names[i], waiting);
        if (lines != 3 && text_width(sc, WV_FONT_BODY, head) > colw)
            snprintf(head, sizeof head, waiting ? "%s %zu" : "%s", names[i], waiting);
        wv_lsn_format(lsn[i], pos);
        int cx = lines == 3 ? x : lines == 2 ? x + i * (colw + sc->lay.pad) : run_x;
        int cy = lines == 3 ? y + i * lh : y;
        run_x += draw_text(sc, WV_ROLE_FOLLOWER_STAGE, WV_FONT_BODY, waiting ? th->warn : th->text_dim, cx, cy,
                           head, lines == 3 ? w / 2 : lines == 2 ? colw : x + w - cx) + sc->lay.pad;
        if (lines == 2)
            draw_text(sc, WV_ROLE_FOLLOWER_POSITION, WV_FONT_MONO, th->text, cx, cy + lh, pos, colw);
        else if (lines == 3)
            draw_text(sc, WV_ROLE_FOLLOWER_POSITION, WV_FONT_MONO, th->text, x + w / 2, cy, pos, w / 2);
    }
    return y + lines * lh;
}

#define PREPARED_SCAN 64   /* transactions looked back at for prepared ones */
#define SPOOL_SCAN 100000  /* waiting messages looked at for spooled ones */

/* The newest transaction follower f has prepared (PREPARE applied) and
 * not yet committed or rolled back there, or WV_ROWS_NONE; *gid its name. */
static size_t pending_prepared(wv_scene *sc, const wv_sim *sim, int f, int64_t t, char *gid, size_t gidsz)
{
    size_t d = wv_sim_visible(sim, f + 1, t); /* transactions f applied */
    for (size_t u = d, seen = 0; u-- > 0 && seen < PREPARED_SCAN; seen++) {
        size_t m = wv_sim_txn_last(sim, u);
        if (wv_sim_op(sim, m) != WV_OP_PREPARE)
            continue;
        uint32_t xid, x2;
        if (!wv_sim_xid(sim, m, &xid))
            continue;
        bool ended = false;
        for (size_t k = u + 1; k < d && !ended; k++) {
            size_t e = wv_sim_txn_last(sim, k);
            wv_op op = wv_sim_op(sim, e);
            ended = (op == WV_OP_COMMIT_PREPARED || op == WV_OP_ROLLBACK_PREPARED) && wv_sim_xid(sim, e, &x2) &&
                    x2 == xid;
        }
        if (ended)
            continue;
        /* its name, read from the text (the simulation keeps no gid) */
        wv_slice text = wv_sim_text(sim, m);
        wv_change c;
        if (wv_decode_message(sc->dec, text.ptr, text.len, &c) == WV_DECODE_OK && c.gid.len)
            snprintf(gid, gidsz, "%.*s", (int)(c.gid.len < 60 ? c.gid.len : 60), c.gid.ptr);
        else
            snprintf(gid, gidsz, "xid %u", xid);
        return u;
    }
    return WV_ROWS_NONE;
}

/* How many changes of streamed transactions follower f holds spooled at
 * t: received, their STREAM COMMIT (or ABORT, or PREPARE) not applied yet.
 * Looked for backwards from what it received, so a transaction's end is
 * met before its changes. */
static size_t spooled_changes(const wv_sim *sim, int f, int64_t t)
{
    uint32_t ended[32];
    size_t nended = 0, spooled = 0;
    size_t written = wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
    for (size_t m = written; m-- > 0 && written - m <= SPOOL_SCAN;) {
        wv_op op = wv_sim_op(sim, m);
        uint32_t xid;
        if ((op != WV_OP_STREAM_CHANGE && op != WV_OP_STREAM_COMMIT && op != WV_OP_STREAM_ABORT &&
             op != WV_OP_STREAM_PREPARE) || !wv_sim_xid(sim, m, &xid))
            continue;
        if (op != WV_OP_STREAM_CHANGE) {
            if (wv_sim_stage(sim, f, m, WV_STAGE_APPLIED) <= t && nended < sizeof ended / sizeof ended[0])
                ended[nended++] = xid;
            continue;
        }
        bool done = false;
        for (size_t i = 0; i < nended && !done; i++)
            done = ended[i] == xid;
        spooled += !done;
    }
    return spooled;
}

/* A real node's samples at the view's time (realnode.h); false for a
 * simulated follower. *pri: its row of the primary's pg_stat_replication;
 * *own: its own positions, with a direct connection; either NULL before
 * the first sample. */
/* The node a real node streams from (a standby of a standby), or NULL:
 * the primary. */
static const char *real_upstream(const wv_view *v, int f)
{
    int node = wv_realnodes_node_of(v->real, f), up = node >= 0 ? wv_realnodes_upstream(v->real, node) : -1;
    return up >= 0 ? wv_realnodes_name(v->real, up) : NULL;
}

static bool real_samples(const wv_view *v, int f, const wv_real_sample **pri, const wv_real_sample **own)
{
    int node = wv_realnodes_node_of(v->real, f);
    if (node < 0)
        return false;
    int64_t at = wv_sim_epoch_us(v->sim) + v->tl->now;
    *pri = wv_realnodes_sample_at(v->real, node, WV_REAL_PRIMARY, at);
    *own = wv_realnodes_direct(v->real, node) ? wv_realnodes_sample_at(v->real, node, WV_REAL_OWN, at) : NULL;
    return true;
}

static void draw_follower(wv_scene *sc, const wv_view *v, int f)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_rect box = sc->lay.followers[f];
    int64_t t = v->tl->now;
    wv_positions p;
    wv_sim_positions(sim, f, t, &p);
    panel(sc, WV_PANEL_FOLLOWER, f, box);
    fill(sc, box, th->panel);
    bool selected = v->selected_follower == f || (sc->flash && sc->narr.follower == f);
    const wv_real_sample *rp = NULL, *ro = NULL;
    bool real = real_samples(v, f, &rp, &ro);
    /* a real node's box is outlined in the text colour, twice as thick */
    outline(sc, box, selected ? th->select_bg : real ? th->text : th->border,
            selected || real ? 2 * stroke(sc) : stroke(sc));
    add_hit(sc, box, WV_HIT_FOLLOWER, (size_t)f);

    int pad = sc->lay.pad, x = box.x + pad, y = box.y + pad / 2, w = box.w - 2 * pad;
    int lh = sc->lay.line_h, bottom = box.y + box.h - pad / 2;
    char buf[256], d[32];
    /* the state as the leader's pg_stat_replication shows it (streaming,
     * however far behind); with no walsender row, walviz's word for why */
    wv_replication_row row;
    wv_sim_replication_row(sim, f, t, &row);
    const char *state = wv_walsnd_state_name(row.state);
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    bool failed = fo.on && t >= fo.at;
    if (failed && f == fo.to)
        state = t >= fo.promoted_at ? "new leader" : "promoting";
    else if (failed && (fo.diverged & (1u << f)))
        state = "diverged: pg_rewind"; /* it has WAL the new leader never had */
    else if (!state && failed)
        state = "leader failed";
    else if (!state)
        state = p.stopped ? "down, no walsender" : p.partitioned ? "link cut, no walsender" : "no walsender";
    else if (p.partitioned)
        state = "streaming, link cut"; /* the leader has not noticed yet */
    bool bad = p.stopped || p.partitioned || (row.state != WV_WALSND_STREAMING && !(failed && f == fo.to));
    const char *sync_badge = row.sync_state != WV_SYNC_STATE_ASYNC ? wv_sync_state_name(row.sync_state) : NULL;
    if (real) { /* what the primary said, in its words */
        state = rp && rp->state[0] ? rp->state : "no walsender";
        bad = strcmp(state, "streaming") != 0;
        sync_badge = rp && rp->sync_state[0] && strcmp(rp->sync_state, "async") != 0 ? rp->sync_state : NULL;
    }
    char lag[96];
    fmt_duration(d, sizeof d, p.replay_lag);
    if (p.replay_lag == 0 && p.byte_lag == 0)
        snprintf(lag, sizeof lag, "caught up");
    else
        snprintf(lag, sizeof lag, "replay lag %s", d);
    snprintf(buf, sizeof buf, "%d %s", f + 1, cfg->names[f]);
    /* a short box (many followers) names it in body text, with thin
     * margins, to keep a row */
    bool short_box = bottom - y < sc->lay.label_px + sc->lay.pad / 2 + lh;
    if (short_box) {
        y = box.y + 2;
        bottom = box.y + box.h - 2;
    }
    int name_h = short_box ? lh : sc->lay.label_px + sc->lay.pad / 2;
    wv_font name_font = short_box ? WV_FONT_BODY : WV_FONT_LABEL;
    /* a long --names name gets its line whole, its state on the next
     * one, when the box has room for both */
    bool own_line = !short_box && text_width(sc, name_font, buf) > w / 2 && bottom - y >= name_h + 3 * lh;
    if (own_line && text_width(sc, name_font, buf) > w)
        name_font = WV_FONT_BODY; /* whole, if smaller */
    int nw = draw_text(sc, WV_ROLE_FOLLOWER_NAME, name_font, th->text, x, y, buf, own_line ? w : w / 2);
    if (own_line) {
        y += name_h;
        nw = -pad;
        name_h = lh;
    }
    int base = short_box || own_line ? y : y + (sc->lay.label_px - sc->lay.body_px) / 2, cx = x + nw + pad;
    if (real) {
        /* the word, on a badge of its own: not a simulated follower */
        int bw = text_width(sc, WV_FONT_BODY, "real") + pad;
        fill(sc, (wv_rect){ cx, base - 1, bw, sc->lay.body_px + 4 }, th->text);
        draw_text(sc, WV_ROLE_FOLLOWER_REAL, WV_FONT_BODY, th->panel, cx + pad / 2, base, "real", 0);
        cx += bw + pad;
    }
    if (sync_badge) {
        /* a badge, pg_stat_replication's sync_state: sync or quorum (commits
         * wait for it), potential (next in line) */
        const char *badge = sync_badge;
        int bw = text_width(sc, WV_FONT_BODY, badge) + pad;
        fill(sc, (wv_rect){ cx, base - 1, bw, sc->lay.body_px + 4 }, th->select_bg);
        draw_text(sc, WV_ROLE_FOLLOWER_SYNC, WV_FONT_BODY, th->select_text, cx + pad / 2, base, badge, 0);
        cx += bw + pad;
    }
    char short_lag[48];
    snprintf(short_lag, sizeof short_lag, "lag %s", d); /* the glossary (?) says which lag */
    const char *fits = p.replay_lag ? short_lag : lag;
    /* a narrow box (a name and badges before it): a good state gives way
     * to the lag, which says more; a bad one is what matters */
    if (bad || cx + text_width(sc, WV_FONT_BODY, state) + pad + text_width(sc, WV_FONT_BODY, fits) <= x + w)
        cx += draw_text(sc, WV_ROLE_FOLLOWER_STATE, WV_FONT_BODY, bad ? th->warn : th->good, cx, base, state,
                        x + w - cx) + pad;
    if (cx + text_width(sc, WV_FONT_BODY, lag) > x + w && p.replay_lag)
        snprintf(lag, sizeof lag, "%s", short_lag);
    if (cx < x + w)
        draw_text(sc, WV_ROLE_FOLLOWER_LAG, WV_FONT_BODY, p.replay_lag ? th->warn : th->text, cx, base, lag,
                  x + w - cx);
    y += name_h;
    if (y + lh > bottom)
        return;
    size_t tbl = wv_scene_table(v);
    if (wv_sim_sharded(sim) && tbl != WV_ROWS_NONE) {
        /* what it holds: its part, or everything (a replica beside shards) */
        size_t here = count_rows(sc, sim, f + 1, tbl, t);
        const char *rows = here == 1 ? "row" : "rows";
        if (f >= cfg->nshards)
            snprintf(buf, sizeof buf, "replica: all %zu %s", here, rows);
        else if (snprintf(buf, sizeof buf, "shard %s %% %d = %d: %zu %s", cfg->shard_col, cfg->nshards, f, here,
                          rows) > 0 && text_width(sc, WV_FONT_BODY, buf) > w)
            snprintf(buf, sizeof buf, "%s %% %d = %d: %zu %s", cfg->shard_col, cfg->nshards, f, here, rows);
        draw_text(sc, WV_ROLE_FOLLOWER_SHARD, WV_FONT_BODY, th->text, x, y, buf, w);
        y += lh;
        if (y + lh > bottom)
            return;
    }
    /* a short box (many followers) keeps a row rather than its pipeline:
     * the lane still says what waits */
    if (!short_box)
        y = draw_pipeline(sc, v, f, &p, x, y, w, bottom);
    /* two-phase: a transaction prepared here waits for COMMIT PREPARED;
     * its rows are not visible until then */
    char gid[80];
    if (y + 2 * lh <= bottom && pending_prepared(sc, sim, f, t, gid, sizeof gid) != WV_ROWS_NONE) {
        snprintf(buf, sizeof buf, "prepared: '%s'", gid);
        draw_text(sc, WV_ROLE_FOLLOWER_PREPARED, WV_FONT_BODY, th->warn, x, y, buf, w);
        y += lh;
    }
    /* streamed transactions: a subscriber (streaming = on) spools their
     * changes and applies them at STREAM COMMIT, or drops them at STREAM
     * ABORT */
    size_t spooled = spooled_changes(sim, f, t);
    if (spooled && y + 2 * lh <= bottom) {
        char count[32];
        wv_fmt_thousands(count, sizeof count, spooled);
        snprintf(buf, sizeof buf, "%s streamed, spooled", count); /* until STREAM COMMIT */
        draw_text(sc, WV_ROLE_FOLLOWER_PREPARED, WV_FONT_BODY, th->warn, x, y, buf, w);
        y += lh;
    }
    draw_table_view(sc, v, f + 1, box, y, (bottom - y) / lh);
}

#define PILE 8      /* chips shown of a queue; its count is in the text row */
#define MAX_CARDS 8 /* a train with more changes travels as a band */

/* BEGIN and COMMIT (and a streamed block's ends) are the brackets of a
 * train: thin, so they never hide a change. Everything else is a card. */
static bool is_bracket(wv_op op)
{
    return op == WV_OP_BEGIN || op == WV_OP_COMMIT || op == WV_OP_STREAM_START || op == WV_OP_STREAM_STOP;
}

/* How much a train's cards say, as room allows. */
typedef enum card_detail { CARD_WORDS, CARD_KEY, CARD_GLYPH } card_detail;

/* A card's words: "+ students id=2" (or "+ id=2", or "+"), "M MESSAGE",
 * "P PREPARE". */
static void card_label(const wv_sim *sim, int f, size_t m, card_detail d, char *out, size_t max)
{
    wv_op op = wv_sim_op_on(sim, f, m);
    const wv_rows *rows = wv_sim_rows(sim);
    size_t key = wv_rows_key_of(rows, m), table = wv_rows_table_of(rows, m);
    if (d == CARD_GLYPH)
        snprintf(out, max, "%s", wv_op_glyph(op));
    else if (wv_sim_moves_away(sim, f, m)) /* its new key is another shard's */
        snprintf(out, max, d == CARD_WORDS && table != WV_ROWS_NONE ? "%s %s (moved)" : "%s moved",
                 wv_op_glyph(op), table != WV_ROWS_NONE ? wv_rows_table_name(rows, table) : "");
    else if (d == CARD_WORDS && op != wv_sim_op(sim, m)) /* arrives as an INSERT */
        snprintf(out, max, "%s %s %s", wv_op_glyph(op), table != WV_ROWS_NONE ? wv_rows_table_name(rows, table) : "?",
                 key != WV_ROWS_NONE ? wv_rows_key_text(rows, key) : "");
    else if (d == CARD_WORDS && (op == WV_OP_INSERT || op == WV_OP_UPDATE || op == WV_OP_DELETE))
        packet_label(sim, m, out, max);
    else if (key != WV_ROWS_NONE)
        snprintf(out, max, "%s %s", wv_op_glyph(op), wv_rows_key_text(rows, key));
    else
        snprintf(out, max, "%s %s", wv_op_glyph(op), wv_op_name(op));
}

/* One chip (a card, a bracket, or a piled or banded message): its fill,
 * an edge that keeps white chips apart from a white screen, its words if
 * it has room for them, its hit box and its record. */
static void draw_chip(wv_scene *sc, const wv_view *v, int f, size_t m, wv_rect c, const char *words,
                      wv_chip_stage stage)
{
    const wv_theme *th = sc->th;
    wv_op op = f >= 0 ? wv_sim_op_on(v->sim, f, m) : wv_sim_op(v->sim, m);
    bool selected = v->selected_msg == m;
    bool flash = sc->flash && sc->narr.msg == m && (sc->narr.follower == f || sc->narr.follower < 0);
    /* a bracket is a thin bar in the text's colour: seen on any screen */
    fill(sc, c, is_bracket(op) && c.w < c.h ? th->text : th->op_fill[op]);
    outline(sc, c, selected || flash ? th->select_bg : th->chip_edge, selected || flash ? 3 : stroke(sc) / 2 > 1 ? stroke(sc) / 2 : 1);
    if (words) {
        /* a lone glyph in the larger face when it fits: small ones vanish
         * at the back of a room */
        wv_font font = strlen(words) <= 2 ? WV_FONT_GLYPH : WV_FONT_BODY;
        int th_ = 0, tw = measure(sc, font, words, &th_);
        if (font == WV_FONT_GLYPH && (th_ > c.h + 2 || tw > c.w)) {
            font = WV_FONT_MONO;
            tw = measure(sc, font, words, &th_);
        }
        sc->about = m;
        draw_text(sc, WV_ROLE_CHIP_GLYPH, font, th->chip_text, c.x + (c.w - tw) / 2,
                  c.y + (c.h - th_) / 2, words, c.w > 4 ? c.w - 2 : 0);
        sc->about = WV_ROWS_NONE;
    }
    /* a train behind another may reach past the lane's start: what is
     * recorded and clicked is what shows */
    wv_rect lane = sc->lay.lanes[f];
    if (c.x < lane.x) {
        c.w -= lane.x - c.x;
        c.x = lane.x;
    }
    add_hit(sc, c, WV_HIT_MESSAGE, m);
    add_chip(sc, op, m, f, c, stage, selected);
}

/* The first few of count messages from first, as a pile of chips leaning
 * left from x0 (the front one, at x0, shows its glyph). At the leader's
 * end they are queued; at the follower's, they wait for the fsync or to be
 * replayed. */
static void draw_pile(wv_scene *sc, const wv_view *v, int f, size_t first, size_t count, int x0,
                      int mid, int chip, bool at_leader)
{
    const wv_sim *sim = v->sim;
    size_t shown = count < PILE ? count : PILE, pile[PILE];
    /* a shard's own messages only (all of them, for any other follower) */
    for (size_t m = first, i = 0; i < shown; m++)
        if (wv_sim_gets(sim, f, m))
            pile[i++] = m;
    /* back to front: the front chip is drawn last, on top */
    for (size_t i = shown; i-- > 0;) {
        size_t m = pile[i]; /* the next to go, or to replay, in front */
        wv_rect c = { x0 - (int)i * (chip / 3), mid - chip / 2, chip, chip };
        wv_chip_stage stage = at_leader ? WV_CHIP_QUEUED
                            : wv_sim_stage(sim, f, m, WV_STAGE_FLUSHED) <= v->tl->now ? WV_CHIP_WAITING_REPLAY
                                                                                    : WV_CHIP_WAITING_FSYNC;
        draw_chip(sc, v, f, m, c, i == 0 ? wv_op_glyph(wv_sim_op_on(sim, f, m)) : NULL, stage);
    }
}

/* Where a packet is on its lane: (t - sent) / (written - sent) of the way. */
static int packet_x(const wv_sim *sim, int f, size_t m, int64_t t, int x0, int span)
{
    int64_t s = wv_sim_stage(sim, f, m, WV_STAGE_SENT);
    int64_t w = wv_sim_stage(sim, f, m, WV_STAGE_WRITTEN);
    if (wv_sim_resent(sim, f, m) && w != WV_SIM_NEVER) {
        /* lost and sent again (a crash): it leaves the leader again, its
         * last trip about the link's delay, rather than jump to where its
         * first send would be */
        const wv_link_cfg *l = &wv_sim_config(sim)->link[f];
        if (w - l->latency_us - l->jitter_us > s)
            s = w - l->latency_us - l->jitter_us;
    }
    double frac = w > s && w != WV_SIM_NEVER ? (double)(t - s) / (double)(w - s) : 0.0;
    if (w == WV_SIM_NEVER && s != WV_SIM_NEVER && wv_sim_config(sim)->observed[f]) {
        /* A real node says it has a change only once it has: live, until
         * a sample does, the change travels at the lane's last transit and
         * waits short of the node. */
        size_t n = wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
        int64_t d = n ? wv_sim_stage(sim, f, n - 1, WV_STAGE_WRITTEN) - wv_sim_stage(sim, f, n - 1, WV_STAGE_SENT) : 0;
        frac = d > 0 ? (double)(t - s) / (double)d : 0.0;
        frac = frac > 0.9 ? 0.9 : frac;
    }
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return x0 + (int)(frac * span);
}

/* "one way 600 ms · 1 MB/s": what the link of follower f is. */
static void link_text(const wv_view *v, int f, char *out, size_t n)
{
    const wv_sim *sim = v->sim;
    const wv_link_cfg *l = &wv_sim_config(sim)->link[f];
    const char *up = real_upstream(v, f);
    char real[64]; /* a standby of a standby says which */
    snprintf(real, sizeof real, "%s%s%s", l->kind == WV_KIND_PHYSICAL ? "standby" : "subscriber", up ? " via " : "",
             up ? up : "");
    char lat[32], bw[32];
    fmt_duration(lat, sizeof lat, l->latency_us);
    fmt_bytes(bw, sizeof bw, (uint64_t)l->bandwidth_bps);
    if (wv_sim_config(sim)->observed[f] && l->latency_us > 0) /* the demo's, through its relay */
        snprintf(out, n, "real %s \xc2\xb7 relay one way %s \xc2\xb7 %s/s", real, lat, bw);
    else if (wv_sim_config(sim)->observed[f])
        snprintf(out, n, "real %s \xc2\xb7 positions as sampled", real);
    else
        snprintf(out, n, "one way %s \xc2\xb7 %s/s", lat, bw);
}

/* The label over a train: "xid 727", with the table when its cards do
 * not name it ("xid 740 accounts"), and its size when they do not show
 * every change ("xid 730: 3,193 changes, 412.0 kB of WAL"). */
static void train_label(const wv_sim *sim, int f, size_t u, card_detail d, char *out, size_t n)
{
    size_t first = wv_sim_txn_first(sim, u), last = wv_sim_txn_last(sim, u);
    uint32_t xid;
    char who[32];
    if (wv_sim_xid(sim, first, &xid))
        snprintf(who, sizeof who, "xid %u", xid);
    else
        snprintf(who, sizeof who, "%s", wv_op_name(wv_sim_op(sim, first)));
    size_t inside = 0;
    for (size_t m = first; m <= last && inside <= MAX_CARDS; m++)
        inside += !is_bracket(wv_sim_op(sim, m)) && wv_sim_gets(sim, f, m);
    if (d == CARD_WORDS && inside <= MAX_CARDS) {
        snprintf(out, n, "%s", who);
        return;
    }
    const wv_rows *rows = wv_sim_rows(sim);
    size_t table = first + 1 <= last ? wv_rows_table_of(rows, first + 1) : WV_ROWS_NONE;
    if (d == CARD_KEY && inside <= MAX_CARDS) {
        snprintf(out, n, "%s %s", who, table != WV_ROWS_NONE ? wv_rows_table_name(rows, table) : "");
        return;
    }
    if (inside > MAX_CARDS) /* a shard's part: the brackets go with it */
        inside = wv_sim_gets_count(sim, f, first, last + 1) - (is_bracket(wv_sim_op(sim, first)) ? 1 : 0) -
                 (last > first && is_bracket(wv_sim_op(sim, last)) ? 1 : 0);
    char count[32], wal[32];
    wv_fmt_thousands(count, sizeof count, inside);
    uint64_t a = wv_sim_lsn(sim, first), b = wv_sim_lsn(sim, last);
    fmt_bytes(wal, sizeof wal, b > a ? b - a : 0);
    snprintf(out, n, "%s: %s change%s, %s of WAL", who, count, inside == 1 ? "" : "s", wal);
}

/* Packets on the lane to follower f: messages sent but not yet written.
 * They travel as trains, one per transaction. A small one shows each
 * change as a card with its words (or its glyph, when the words do not
 * fit), packed behind the train's head so a COMMIT sent microseconds
 * after its INSERT never covers it; a big one is a band of chips at their
 * true places, labelled with its size. A train never covers the one
 * ahead of it: it waits behind it, as on the wire. */
/* --- reports: views on every node, readers ------------------------------ */

#define READ_SHOWN_US 600000 /* how long a read stays on its lane */

/* Keeps the parsed views and the readers of the simulation being drawn,
 * and runs the reads up to now, once a frame. */
static void sync_reports(wv_scene *sc, const wv_view *v)
{
    const wv_sim_cfg *cfg = wv_sim_config(v->sim);
    if (sc->reports_of != v->sim) {
        for (int i = 0; i < WV_SIM_MAX_VIEWS; i++) {
            wv_sim_view_free(sc->views[i]);
            wv_view_query_free(sc->queries[i]);
            sc->views[i] = NULL;
            sc->queries[i] = NULL;
        }
        wv_reads_free(sc->reads);
        sc->reads = wv_reads_new(v->sim);
        sc->reports_of = v->sim;
    }
    for (int i = 0; i < cfg->nviews; i++) {
        if (sc->views[i] && strcmp(sc->view_sql[i], cfg->views[i]) == 0)
            continue;
        wv_sim_view_free(sc->views[i]);
        wv_view_query_free(sc->queries[i]);
        char err[400];
        sc->queries[i] = wv_view_parse(cfg->views[i], err, sizeof err); /* checked as an option */
        WV_ASSERT(sc->queries[i]);
        sc->views[i] = wv_sim_view_new(v->sim, sc->queries[i]);
        snprintf(sc->view_sql[i], sizeof sc->view_sql[i], "%s", cfg->views[i]);
    }
    sc->frame_reads = NULL;
    sc->nframe_reads = cfg->nreaders ? wv_reads_run(sc->reads, v->tl->now, &sc->frame_reads) : 0;
}

/* The latest read that reached follower f's node in the last moments, or
 * NULL. */
static const wv_read *recent_read(wv_scene *sc, const wv_view *v, int f)
{
    const wv_read *reads = sc->frame_reads, *last = NULL;
    for (size_t i = 0; i < sc->nframe_reads; i++)
        if (reads[i].node == f + 1 && v->tl->now - reads[i].at < READ_SHOWN_US && (!last || reads[i].at >= last->at))
            last = &reads[i];
    return last;
}

/* The read at the follower's end of its lane: "read -> 480.00 (stale)".
 * Returns the x where it starts. */
static int draw_read_badge(wv_scene *sc, const wv_read *rd, int f, int y)
{
    wv_rect lane = sc->lay.lanes[f];
    char buf[200];
    snprintf(buf, sizeof buf, "read \xe2\x86\x92 %s%s", rd->answer, rd->stale ? " (stale)" : "");
    int w = text_width(sc, WV_FONT_BODY, buf);
    if (w > lane.w * 2 / 3)
        w = lane.w * 2 / 3;
    sc->who = f;
    sc->stale = rd->stale;
    draw_text(sc, WV_ROLE_READ_BADGE, WV_FONT_BODY, rd->stale ? sc->th->warn : sc->th->good, lane.x + lane.w - w, y,
              buf, lane.w * 2 / 3);
    sc->stale = false;
    sc->who = -1;
    return lane.x + lane.w - w;
}

static void draw_lane(wv_scene *sc, const wv_view *v, int f)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    wv_rect lane = sc->lay.lanes[f];
    int64_t t = v->tl->now;
    panel(sc, WV_PANEL_LANE, f, lane);
    /* A text row on top (labels, queue counts), the chips, and a text row
     * below (the link) when the lane is tall enough. */
    int lh = sc->lay.line_h;
    bool text_row = lane.h >= lh + sc->lay.body_px * 3 / 4;
    int chip = text_row ? lane.h - lh : lane.h;
    if (chip > sc->lay.label_px * 13 / 10)
        chip = sc->lay.label_px * 13 / 10;
    bool link_row = lane.h >= 2 * lh + chip;
    int mid = lane.y + (text_row ? lh : 0) + chip / 2;
    const wv_fault *fault = wv_sim_fault_at(sim, f, t);
    int cut_x = lane.x + lane.w / 2;
    /* after a failure: nothing more comes from the old leader; the
     * promoted follower's lane carries nothing, the others' carry the new
     * leader's stream once it is promoted */
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    bool failed = fo.on && t >= fo.at, promoted_here = failed && f == fo.to;
    const char *status = NULL;
    if (promoted_here)
        status = t >= fo.promoted_at ? "\xe2\x98\x85 the new leader" : "\xe2\x9c\x97 leader failed: promoting";
    else if (failed && (fo.diverged & (1u << f)))
        status = "\xe2\x9c\x97 diverged";
    else if (failed && t < fo.promoted_at)
        status = "\xe2\x9c\x97 leader failed";
    if (status && !fault) {
        hline(sc, lane.x, cut_x - chip, mid, stroke(sc) + 1, th->border);
        hline(sc, cut_x + chip, lane.x + lane.w, mid, stroke(sc) + 1, th->border);
        if (text_row)
            draw_text(sc, WV_ROLE_LANE_STATUS, WV_FONT_BODY, th->warn, cut_x - chip / 2, lane.y, status, 0);
    } else if (fault) {
        hline(sc, lane.x, cut_x - chip, mid, stroke(sc) + 1, th->border);
        hline(sc, cut_x + chip, lane.x + lane.w, mid, stroke(sc) + 1, th->border);
        if (text_row)
            draw_text(sc, WV_ROLE_LANE_STATUS, WV_FONT_BODY, th->warn, cut_x - chip / 2, lane.y,
                      fault->kind == WV_FAULT_PARTITION ? "\xe2\x9c\x82 cut" : "\xe2\x9c\x97 down", 0);
    } else {
        hline(sc, lane.x, lane.x + lane.w, mid, stroke(sc) + 1, th->border);
    }
    /* an arrowhead at the follower's end */
    for (int i = 0; i < chip / 2; i++)
        hline(sc, lane.x + lane.w - chip / 2 + i, lane.x + lane.w, mid, (chip / 2 - i) * 2, th->border);
    /* a read reaching the follower: below the link, or for a moment in
     * its place when the lane has no room for both */
    const wv_read *rd = recent_read(sc, v, f);
    bool badge_below = rd && link_row && mid + chip / 2 + 2 + 2 * lh <= lane.y + lane.h;
    /* A synchronous standby's replies travel back in the row under the
     * wire, where the link is said (on the wire they covered the changes'
     * words): a COMMIT waiting for this follower is released when its
     * reply reaches the leader. The promoted follower sends none. */
    struct { size_t msg; double frac; } replies[4];
    int nreplies = 0;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    if (is_sync_standby(cfg, f) && !promoted_here) {
        wv_stage st = cfg->sync == WV_SYNC_REMOTE_WRITE ? WV_STAGE_WRITTEN
                    : cfg->sync == WV_SYNC_ON ? WV_STAGE_FLUSHED : WV_STAGE_APPLIED;
        size_t u = wv_sim_visible(sim, WV_SIM_LEADER, t);
        for (int seen = 0; u-- > 0 && nreplies < 4 && seen < 64; seen++) {
            if (!wv_sim_txn_is_commit(sim, u))
                continue;
            size_t m = wv_sim_txn_last(sim, u);
            int64_t at = wv_sim_stage(sim, f, m, st), known = wv_sim_stage_known(sim, f, m, st);
            if (at == WV_SIM_NEVER || known == WV_SIM_NEVER || at > t || known <= t || known <= at)
                continue;
            replies[nreplies].msg = m;
            replies[nreplies++].frac = (double)(t - at) / (double)(known - at);
        }
    }
    if (link_row && !promoted_here && (!rd || badge_below) && !nreplies) {
        char link[160] = "";
        int n = 0;
        if (failed && t >= fo.promoted_at) /* the same link, now from the new leader */
            n = snprintf(link, sizeof link, "from %s \xc2\xb7 ", cfg->names[fo.to]);
        link_text(v, f, link + n, sizeof link - (size_t)n);
        int w = text_width(sc, WV_FONT_BODY, link);
        draw_text(sc, WV_ROLE_LANE_LINK, WV_FONT_BODY, th->text_dim, lane.x + (lane.w - w) / 2,
                  mid + chip / 2 + 2, link, lane.w);
    }
    int badge_x = lane.x + lane.w; /* where a read's badge in the reply row starts */
    if (rd && link_row) {
        int x = draw_read_badge(sc, rd, f, mid + chip / 2 + 2 + (badge_below ? lh : 0));
        if (!badge_below)
            badge_x = x;
    }

    size_t hi = wv_sim_reached(sim, f, WV_STAGE_SENT, t);
    size_t lo = wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
    size_t departed = wv_sim_departed(sim, t);
    if (promoted_here)
        return; /* what it had not received died with the old leader */
    size_t fly = lo; /* the first in flight */
    if (failed && fo.lost_to > fo.kept) {
        /* what was on the wire from the old leader is gone: the lost
         * transactions, passed over, never arrive */
        size_t lost_first = wv_sim_txn_first(sim, fo.kept), lost_end = wv_sim_txn_last(sim, fo.lost_to - 1) + 1;
        if (fly >= lost_first && fly < lost_end)
            fly = lost_end < hi ? lost_end : hi;
    }
    size_t flushed = wv_sim_reached(sim, f, WV_STAGE_FLUSHED, t);
    size_t applied = wv_sim_reached(sim, f, WV_STAGE_APPLIED, t);
    /* the counts at both ends of the text row; train labels go between */
    char queued_text[64] = "", waiting_text[96] = "";
    /* what a shard's row filter drops is not counted: it never goes there */
    size_t queued = wv_sim_gets_count(sim, f, hi, departed), to_apply = wv_sim_gets_count(sim, f, applied, lo);
    size_t to_flush = wv_sim_gets_count(sim, f, flushed, lo), to_replay = wv_sim_gets_count(sim, f, applied, flushed);
    if (queued)
        snprintf(queued_text, sizeof queued_text, "%zu queued", queued);
    if (wv_sim_config(sim)->link[f].kind == WV_KIND_LOGICAL) {
        /* a subscriber applies what it receives; its flush comes later
         * and holds nothing back from readers */
        if (to_apply)
            snprintf(waiting_text, sizeof waiting_text, "%zu waiting to apply", to_apply);
    } else if (to_flush && to_replay) {
        snprintf(waiting_text, sizeof waiting_text, "%zu to fsync, %zu to replay", to_flush, to_replay);
    } else if (to_flush) {
        snprintf(waiting_text, sizeof waiting_text, "%zu waiting for fsync", to_flush);
    } else if (to_apply) {
        snprintf(waiting_text, sizeof waiting_text, "%zu waiting to replay", to_apply);
    }
    int queued_right = lane.x + (*queued_text ? text_width(sc, WV_FONT_BODY, queued_text) + sc->lay.pad : 0);
    int waiting_left = lane.x + lane.w - (*waiting_text ? text_width(sc, WV_FONT_BODY, waiting_text) : 0);
    if (text_row && *queued_text)
        draw_text(sc, WV_ROLE_LANE_QUEUED, WV_FONT_BODY, th->warn, lane.x, lane.y, queued_text, 0);
    if (text_row && *waiting_text)
        draw_text(sc, WV_ROLE_LANE_WAITING, WV_FONT_BODY, th->warn, waiting_left, lane.y, waiting_text, 0);

    /* True places; at a cut the packets queue up, each stopping a little
     * before the one ahead. */
    int span = lane.w - chip * 2;
    size_t count = hi > fly ? hi - fly : 0;
    if (count > sc->xs_cap) {
        sc->xs_cap = count * 2;
        sc->xs = wv_xrealloc(sc->xs, sc->xs_cap * sizeof *sc->xs);
    }
    int queue_x = cut_x - chip * 2;
    for (size_t m = fly; m < hi; m++) {
        int x = packet_x(sim, f, m, t, lane.x, span);
        if (fault) {
            if (x > queue_x)
                x = queue_x;
            queue_x = x - chip / 3 > lane.x ? x - chip / 3 : lane.x;
        }
        sc->xs[m - fly] = x;
    }

    int gap = chip / 8 > 1 ? chip / 8 : 1, bracket_w = chip / 4 > 3 ? chip / 4 : 3;
    int limit = lane.x + lane.w - chip / 2; /* no train passes the arrowhead */
    int label_left = waiting_left, labels = 0;
    size_t sel_m = WV_ROWS_NONE;
    wv_rect sel_box = { 0, 0, 0, 0 };
    card_detail sel_detail = CARD_GLYPH;
    for (size_t a = fly; a < hi && limit > lane.x;) {
        if (!wv_sim_gets(sim, f, a)) {
            a++; /* not on this shard's link */
            continue;
        }
        /* the train: [a, b) of the same transaction, oldest (rightmost)
         * first; on a shard, the messages its row filter lets through */
        size_t u = wv_sim_txn_of(sim, a), b = a + 1;
        int ncards = !is_bracket(wv_sim_op(sim, a));
        while (b < hi && wv_sim_txn_of(sim, b) == u) {
            ncards += !is_bracket(wv_sim_op(sim, b)) && wv_sim_gets(sim, f, b);
            b++;
        }
        int right = sc->xs[0 + a - fly] + chip;
        int shift = right > limit ? right - limit : 0;
        int head = right - shift, tail;
        bool cards = ncards <= MAX_CARDS;
        card_detail detail = CARD_GLYPH;
        if (cards) {
            /* words when they fit in most of the lane, else keys, else glyphs */
            char label[200];
            int width = 0;
            for (detail = CARD_WORDS; detail <= CARD_GLYPH; detail++) {
                width = 0;
                for (size_t m = a; m < b; m++) {
                    if (!wv_sim_gets(sim, f, m))
                        continue;
                    if (is_bracket(wv_sim_op(sim, m))) {
                        width += bracket_w;
                        continue;
                    }
                    card_label(sim, f, m, detail, label, sizeof label);
                    width += detail == CARD_GLYPH ? chip + gap
                                                  : text_width(sc, WV_FONT_BODY, label) + sc->lay.pad + gap;
                }
                /* cards with words may fill most of the lane, keys all of
                 * it; a train behind another, the room behind that one */
                int room = limit - lane.x < lane.w - chip ? limit - lane.x : lane.w - chip;
                if (width <= (detail == CARD_WORDS && room > lane.w * 3 / 4 ? lane.w * 3 / 4 : room))
                    break;
            }
            if (detail > CARD_GLYPH)
                detail = CARD_GLYPH;
            /* A train is seen whole from the moment it leaves the leader:
             * its head runs from one train's width into the lane to the
             * arrowhead, in proportion to the time on the wire. */
            int end = lane.x + lane.w - chip / 2;
            double frac = span > 0 ? (double)(sc->xs[a - fly] - lane.x) / span : 1.0;
            head = width < end - lane.x ? lane.x + width + (int)(frac * (end - lane.x - width)) : end;
            if (head > limit)
                head = limit;
            shift = right - head;
            int cursor = head;
            for (size_t m = a; m < b; m++) {
                if (!wv_sim_gets(sim, f, m))
                    continue;
                wv_op op = wv_sim_op(sim, m);
                const char *text = NULL;
                int w = bracket_w;
                if (!is_bracket(op)) {
                    card_label(sim, f, m, detail, label, sizeof label);
                    text = label;
                    w = detail == CARD_GLYPH ? chip : text_width(sc, WV_FONT_BODY, label) + sc->lay.pad;
                }
                int natural = sc->xs[m - fly] - shift + chip;
                int r = natural < cursor ? natural : cursor;
                wv_rect c = { r - w, mid - chip / 2, w, chip };
                if (is_bracket(op))
                    c = (wv_rect){ r - w, mid - chip / 2 - gap, w, chip + 2 * gap };
                if (v->selected_msg == m) {
                    sel_m = m;
                    sel_box = c; /* drawn last, on top */
                    sel_detail = detail;
                } else if (c.x + c.w > lane.x) {
                    draw_chip(sc, v, f, m, c, text, WV_CHIP_IN_FLIGHT);
                }
                cursor = c.x - (is_bracket(op) ? 0 : gap);
            }
            tail = cursor;
        } else {
            /* a band: the chips at their true places, only the strip of
             * each that the next one leaves uncovered */
            wv_rect run = { 0, 0, 0, 0 };
            wv_rgb run_col = th->bg;
            for (size_t m = a; m < b; m++) {
                if (!wv_sim_gets(sim, f, m))
                    continue;
                int x = sc->xs[m - fly] - shift;
                int left = m + 1 < b ? sc->xs[m + 1 - fly] - shift + chip : x;
                if (left < x)
                    left = x;
                if (v->selected_msg == m) {
                    sel_m = m;
                    sel_box = (wv_rect){ x, mid - chip / 2, chip, chip };
                }
                if (left >= x + chip || x + chip <= lane.x)
                    continue;
                wv_op op = wv_sim_op_on(sim, f, m);
                wv_rect strip = { left, mid - chip / 2, x + chip - left, chip };
                wv_rgb col = th->op_fill[op];
                if (run.w > 0 && strip.x + strip.w == run.x && same_rgb(col, run_col)) {
                    run.x = strip.x;
                    run.w += strip.w;
                } else {
                    if (run.w > 0)
                        fill(sc, run, run_col);
                    run = strip;
                    run_col = col;
                }
                add_hit(sc, strip, WV_HIT_MESSAGE, m);
                add_chip(sc, op, m, f, (wv_rect){ x, strip.y, chip, chip }, WV_CHIP_IN_FLIGHT, false);
            }
            if (run.w > 0)
                fill(sc, run, run_col);
            tail = sc->xs[b - 1 - fly] - shift;
            outline(sc, (wv_rect){ tail, mid - chip / 2, head - tail, chip }, th->border, 1);
        }
        /* its label, above it, where there is room */
        if (text_row && !fault && labels < 6 && head > queued_right) {
            char label[200];
            train_label(sim, f, u, cards ? detail : CARD_GLYPH, label, sizeof label);
            int lw = text_width(sc, WV_FONT_BODY, label);
            int lx = tail > lane.x ? tail : lane.x;
            if (lx + lw > label_left - sc->lay.pad)
                lx = label_left - sc->lay.pad - lw;
            if (lx < queued_right)
                lx = queued_right;
            if (lx <= head && lx + lw <= label_left - sc->lay.pad) {
                sc->about = a;
                draw_text(sc, WV_ROLE_LANE_LABEL, WV_FONT_BODY, th->text, lx, lane.y, label, 0);
                sc->about = WV_ROWS_NONE;
                label_left = lx;
                labels++;
            }
        }
        limit = tail - gap * 2;
        a = b;
    }
    if (sel_m != WV_ROWS_NONE) {
        char label[200];
        card_label(sim, f, sel_m, sel_detail, label, sizeof label);
        draw_chip(sc, v, f, sel_m, sel_box, is_bracket(wv_sim_op(sim, sel_m)) ? NULL : label,
                  WV_CHIP_IN_FLIGHT);
    }
    /* replies on their way back, drawn last so no chip covers them; a
     * read's answer keeps its place for the moment it is shown */
    const char *reply = "\xe2\x86\xa9 reply";
    int rh = 0, rw = nreplies ? measure(sc, WV_FONT_BODY, reply, &rh) + sc->lay.pad : 0;
    for (int i = 0; i < nreplies; i++) {
        int rx = lane.x + lane.w - rw - (int)(replies[i].frac * (lane.w - rw));
        if (link_row && rx + rw > badge_x)
            continue;
        /* under the brackets, which reach gap past the cards, when the
         * lane has room, else just under the cards */
        int ry = mid - chip / 2 + chip + gap + 1;
        if (ry + rh > lane.y + lane.h)
            ry = lane.y + lane.h - rh;
        wv_rect c = link_row ? (wv_rect){ rx, ry, rw, rh } : (wv_rect){ rx, mid - chip / 2, rw, chip };
        /* a lane with no row under the wire shows a reply where no change is */
        bool covers = false;
        for (size_t k = 0; !link_row && k < sc->nchips && !covers; k++)
            covers = sc->chips[k].follower == f && wv_rect_overlaps(sc->chips[k].box, c);
        if (covers)
            continue;
        fill(sc, c, th->good);
        outline(sc, c, th->chip_edge, 1);
        sc->about = replies[i].msg;
        draw_text(sc, WV_ROLE_LANE_REPLY, WV_FONT_BODY, th->bg, c.x + sc->lay.pad / 2, c.y + (c.h - rh) / 2, reply, 0);
        sc->about = WV_ROWS_NONE;
    }
    /* left the leader (committed) but not on the wire yet: the link is busy
     * or cut, and they queue at the leader's end */
    if (queued) {
        int shown = queued < PILE ? (int)queued : PILE;
        draw_pile(sc, v, f, hi, queued, lane.x + (shown - 1) * (chip / 3), mid, chip, true);
    }
    /* written but not replayed: waiting at the follower */
    if (to_apply)
        draw_pile(sc, v, f, applied, to_apply, lane.x + lane.w - chip, mid, chip, false);
}

#define FLASH_US 400000 /* session time an event's chip and panel stay lit */

/* The caption: what the latest event was, in a sentence, with a bar in
 * the colour of its place (a follower's or the leader's). */
static void draw_caption(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    wv_rect box = sc->lay.caption;
    panel(sc, WV_PANEL_CAPTION, sc->narr.follower, box);
    int bar = stroke(sc) * 2;
    if (v->lesson_caption) { /* the teacher's words replace the narration */
        char text[600];
        snprintf(text, sizeof text, "Step %d/%d \xc2\xb7 %s", v->lesson_step, v->lesson_steps,
                 v->lesson_caption);
        fill(sc, (wv_rect){ box.x, box.y, bar, box.h }, th->select_bg);
        int h;
        measure(sc, WV_FONT_BODY, text, &h);
        draw_text(sc, WV_ROLE_LESSON_CAPTION, WV_FONT_BODY, th->text, box.x + bar + sc->lay.pad,
                  box.y + (box.h - h) / 2, text, box.w - bar - sc->lay.pad);
        return;
    }
    if (sc->narr.kind == WV_EVENT_NONE)
        return;
    fill(sc, (wv_rect){ box.x, box.y, bar, box.h }, sc->flash ? th->select_bg : th->border);
    sc->who = sc->narr.follower;
    sc->about = sc->narr.msg;
    int h;
    measure(sc, WV_FONT_BODY, sc->narr.text, &h);
    draw_text(sc, WV_ROLE_CAPTION, WV_FONT_BODY, th->text, box.x + bar + sc->lay.pad, box.y + (box.h - h) / 2,
              sc->narr.text, box.w - bar - sc->lay.pad);
}

static void draw_log(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    wv_rect box = sc->lay.log;
    panel(sc, WV_PANEL_LOG, -1, box);
    fill(sc, box, th->panel);
    outline(sc, box, th->border, stroke(sc) / 2);
    int pad = sc->lay.pad, x = box.x + pad, y = box.y + pad / 2, lh = sc->lay.line_h;
    int w = box.w - 2 * pad;
    draw_text(sc, WV_ROLE_LOG_TITLE, WV_FONT_BODY, th->text_dim, x, y, "stream, as pg_recvlogical prints it", w);
    y += lh;
    int nlines = (box.y + box.h - y - pad / 2) / lh;
    size_t n = wv_sim_count(sim), cur = wv_scene_current(v);
    if (!n || nlines <= 0)
        return;
    /* the list turns by whole pages that do not overlap: clicking a line
     * on screen selects it where it is, with no jump under the pointer */
    size_t first = cur != WV_ROWS_NONE ? cur / (size_t)nlines * (size_t)nlines : 0;
    size_t departed = wv_sim_departed(sim, v->tl->now);
    for (int i = 0; i < nlines && first + (size_t)i < n; i++) {
        size_t m = first + (size_t)i;
        char lsn[WV_LSN_BUFSZ], line[600], text[512];
        wv_lsn_format(wv_sim_lsn(sim, m), lsn);
        wv_display_line(wv_sim_text(sim, m), text, sizeof text);
        /* the current line is marked by a glyph too, not by colour alone */
        snprintf(line, sizeof line, "%s%-10s %s", m == cur ? "\xe2\x96\xb6 " : "  ", lsn, text);
        wv_rect row = { box.x + 2, y, box.w - 4, lh };
        bool is_cur = m == cur;
        if (is_cur)
            fill(sc, row, th->select_bg);
        wv_rgb c = is_cur ? th->select_text : m < departed ? th->text : th->text_dim;
        sc->about = m;
        draw_text(sc, WV_ROLE_LOG_LINE, WV_FONT_MONO, c, x, y, line, w);
        add_hit(sc, row, WV_HIT_MESSAGE, m);
        y += lh;
    }
}

/* The lines the inspector prints of message m's text: its old and new
 * columns, or a logical message's prefix and content. */
static const inspected *inspect(wv_scene *sc, const wv_sim *sim, size_t m)
{
    inspected *in = &sc->insp;
    wv_slice text = wv_sim_text(sim, m);
    uint64_t h = text_hash(text, m);
    if (in->hash == h && in->msg == m)
        return in;
    in->hash = h;
    in->msg = m;
    in->n = 0;
    wv_change c;
    if (wv_decode_message(sc->dec, text.ptr, text.len, &c) != WV_DECODE_OK)
        return in;
    const wv_tuple *tups[2] = { &c.old_tuple, &c.new_tuple };
    const char *tags[2] = { "old", "new" };
    for (int k = 0; k < 2; k++) {
        if (!tups[k]->present || !tups[k]->ncols)
            continue;
        char *buf = in->line[in->n];
        size_t size = sizeof in->line[0];
        int n = snprintf(buf, size, "%s:", tags[k]);
        for (size_t i = 0; i < tups[k]->ncols && n < (int)size - 8; i++) {
            char cell[160];
            cell_text(&tups[k]->cols[i], cell, sizeof cell);
            n += snprintf(buf + n, size - (size_t)n, "  %s", cell);
        }
        in->role[in->n++] = WV_ROLE_INSPECTOR_ROW;
    }
    if (c.op == WV_OP_MESSAGE && c.has_content) {
        char content[300];
        wv_display_line((wv_slice){ c.content.ptr, c.content.len < 200 ? c.content.len : 200 }, content,
                     sizeof content);
        snprintf(in->line[in->n], sizeof in->line[0], "prefix %.*s  content %s",
                 (int)(c.prefix.len < 60 ? c.prefix.len : 60), c.prefix.ptr, content);
        in->role[in->n++] = WV_ROLE_INSPECTOR_CONTENT;
    }
    return in;
}

/* Draws s wrapped at spaces between x0 and right: the first line from
 * first_x, the next ones from x0. Returns the y under the last line. */
static int draw_wrapped(wv_scene *sc, wv_role role, wv_font font, wv_rgb c, int x0, int first_x, int y,
                        int right, int bottom, const char *s)
{
    int lh = sc->lay.line_h, x = first_x;
    char line[400];
    while (*s && y + lh <= bottom) {
        size_t len = strlen(s), fit = len;
        snprintf(line, sizeof line, "%s", s);
        /* the longest run of whole words that fits; on the last line
         * that has room, the rest is cut with an ellipsis */
        while (text_width(sc, font, line) > right - x && y + 2 * lh <= bottom) {
            char *sp = strrchr(line, ' ');
            if (!sp)
                break;
            *sp = '\0';
            fit = (size_t)(sp - line);
        }
        draw_text(sc, role, font, c, x, y, line, right - x);
        y += lh;
        s += fit < len ? fit + 1 : len;
        x = x0;
    }
    return y;
}

/* With a follower selected and no change: the follower's own positions
 * beside its row of the leader's pg_stat_replication, which learns them a
 * reply later (state, sync_state, the lags, NULL as a dash). */
static void draw_follower_views(wv_scene *sc, const wv_view *v, int f, int x, int y, int w, int bottom)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    int64_t t = v->tl->now;
    int lh = sc->lay.line_h;
    wv_positions p;
    wv_sim_positions(sim, f, t, &p);
    wv_replication_row row;
    wv_sim_replication_row(sim, f, t, &row);
    char buf[300];
    sc->who = f;
    const char *state = wv_walsnd_state_name(row.state);
    const char *sync = wv_sync_state_name(row.sync_state);
    uint64_t own[3] = { p.write_lsn, p.flush_lsn, p.replay_lsn };
    uint64_t seen[3] = { row.write_lsn, row.flush_lsn, row.replay_lsn };
    int64_t lags[3] = { row.write_lag, row.flush_lag, row.replay_lag };
    bool has_own = true;
    const wv_real_sample *rp = NULL, *ro = NULL;
    bool real = real_samples(v, f, &rp, &ro);
    const char *upstream = real_upstream(v, f); /* whose view "leader sees" is */
    if (!upstream)
        upstream = "the primary";
    if (real) { /* PostgreSQL's own numbers, as last sampled */
        state = rp && rp->state[0] ? rp->state : NULL;
        sync = rp ? rp->sync_state : "";
        has_own = ro != NULL;
        own[0] = ro ? ro->write : 0, own[1] = ro ? ro->flush : 0, own[2] = ro ? ro->replay : 0;
        seen[0] = rp ? rp->write : 0, seen[1] = rp ? rp->flush : 0, seen[2] = rp ? rp->replay : 0;
        lags[0] = rp ? rp->write_lag : WV_SIM_LAG_NULL, lags[1] = rp ? rp->flush_lag : WV_SIM_LAG_NULL;
        lags[2] = rp ? rp->replay_lag : WV_SIM_LAG_NULL;
        row.state = state ? WV_WALSND_STREAMING : WV_WALSND_NONE; /* a row, or none */
    }
    if (state && real) /* its state first: a narrow inspector cuts the end */
        snprintf(buf, sizeof buf, "%s: %s, %s (real, %s's pg_stat_replication)", wv_sim_config(sim)->names[f], state,
                 sync, upstream);
    else if (state)
        snprintf(buf, sizeof buf, "%s in pg_stat_replication: %s, %s", wv_sim_config(sim)->names[f], state, sync);
    else if (wv_sim_leader_at(sim, t) == f)
        snprintf(buf, sizeof buf, "%s: the leader now, no walsender to it", wv_sim_config(sim)->names[f]);
    else
        snprintf(buf, sizeof buf, "%s: no row in pg_stat_replication (no walsender)", wv_sim_config(sim)->names[f]);
    draw_text(sc, WV_ROLE_INSPECTOR_TITLE, WV_FONT_BODY, th->text, x, y, buf, w);
    y += lh;
    int cw = text_width(sc, WV_FONT_MONO, "0/00000000  "), name_w = text_width(sc, WV_FONT_MONO, "replay  ");
    static const char *const heads[3] = { "", "own", "leader sees" };
    for (int i = 0; i < 3 && y + lh <= bottom; i++)
        draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim, x + (i ? name_w + (i - 1) * cw : 0), y,
                  heads[i], i ? cw : name_w);
    draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim, x + name_w + 2 * cw, y, "lag", 0);
    y += lh;
    static const char *const names[3] = { "write", "flush", "replay" };
    for (int i = 0; i < 3 && y + lh <= bottom; i++, y += lh) {
        char a[WV_LSN_BUFSZ], b[WV_LSN_BUFSZ], l[32];
        wv_lsn_format(own[i], a);
        wv_lsn_format(seen[i], b);
        if (row.state == WV_WALSND_NONE || lags[i] == WV_SIM_LAG_NULL)
            snprintf(l, sizeof l, "-");
        else
            fmt_duration(l, sizeof l, lags[i]);
        draw_text(sc, WV_ROLE_INSPECTOR_FOLLOWER, WV_FONT_MONO, th->text_dim, x, y, names[i], name_w);
        draw_text(sc, WV_ROLE_INSPECTOR_CELL, WV_FONT_MONO, th->text, x + name_w, y, has_own && own[i] ? a : "-", cw);
        draw_text(sc, WV_ROLE_INSPECTOR_PRIMARY, WV_FONT_MONO, own[i] != seen[i] ? th->warn : th->text,
                  x + name_w + cw, y, row.state == WV_WALSND_NONE || (real && !seen[i]) ? "-" : b, cw);
        draw_text(sc, WV_ROLE_INSPECTOR_PRIMARY, WV_FONT_MONO, th->text, x + name_w + 2 * cw, y, l,
                  w - name_w - 2 * cw);
    }
    char note[400];
    snprintf(note, sizeof note, "the leader learns each position from the follower's next reply; a lag is NULL (-) "
             "once caught up");
    if (real) {
        bool physical = wv_sim_config(sim)->link[f].kind == WV_KIND_PHYSICAL;
        bool reads = wv_realrows_reads(wv_realnodes_rows(v->real), wv_realnodes_node_of(v->real, f));
        snprintf(note, sizeof note, "real %s, sampled by walviz: its table = %s; own = %s (- without --observe "
                 "NAME=CONNINFO), leader sees = %s's pg_stat_replication; - is NULL",
                 physical ? "standby" : "subscriber",
                 reads ? "rows read from it by key" : "the stream's rows up to its replay position",
                 physical ? "its pg_stat_wal_receiver and pg_last_wal_replay_lsn()"
                          : "its pg_stat_subscription.received_lsn and pg_replication_origin_status.remote_lsn",
                 upstream);
    }
    draw_wrapped(sc, WV_ROLE_INSPECTOR_EMPTY, WV_FONT_BODY, th->text_dim, x, x, y, x + w, bottom, note);
    sc->who = -1;
}

/* A read of the selected change's row, spelled out for one follower (the
 * selected one, else the one furthest behind): "SELECT balance FROM
 * accounts WHERE id = 3 on f3 -> 480.00 (leader: 495.00)", in the stale
 * colour when the follower's answer is not the leader's. Returns the y
 * under it. */
static int draw_read(wv_scene *sc, const wv_view *v, size_t m, int x, int y, int w)
{
    const wv_sim *sim = v->sim;
    const wv_rows *rows = wv_sim_rows(sim);
    size_t key = wv_rows_key_of(rows, m), tbl = wv_rows_table_of(rows, m);
    int nf = wv_sim_config(sim)->nfollowers;
    if (key == WV_ROWS_NONE || tbl == WV_ROWS_NONE || nf < 1)
        return y;
    int64_t t = v->tl->now;
    int f = v->selected_follower;
    size_t kl = wv_sim_readable(sim, WV_SIM_LEADER, t);
    if (f < 0 || f >= nf) {
        /* the follower furthest behind; with shards, of those that hold
         * the row (where a router would send the read) */
        f = -1;
        for (int i = 0; i < nf; i++)
            if (holds(sim, i + 1, key, kl, kl) &&
                (f < 0 || wv_sim_visible(sim, i + 1, t) < wv_sim_visible(sim, f + 1, t)))
                f = i;
        if (f < 0)
            return y; /* on no shard (a NULL key) */
    }
    size_t kf = wv_sim_visible(sim, f + 1, t);
    row_cells lead, here;
    read_cells(sc, sim, wv_sim_row(sim, WV_SIM_LEADER, t, key, kl), &lead);
    /* a shard that does not hold the row finds none */
    wv_row mine = wv_sim_row(sim, f + 1, t, key, kf);
    if (!holds(sim, f + 1, key, kl, kf))
        mine.exists = false;
    read_cells(sc, sim, mine, &here);
    const row_cells *cols = lead.n ? &lead : &here;
    if (!cols->n)
        return y;
    /* the column worth reading: the first that differs, else the last */
    int c = cols->n - 1;
    for (int i = 0; i < cols->n; i++) {
        const char *a = cell_of(&lead, cols->name[i]), *b = cell_of(&here, cols->name[i]);
        if (!a || !b || strcmp(a, b) != 0) {
            c = i;
            break;
        }
    }
    const char *a = cell_of(&lead, cols->name[c]), *b = cell_of(&here, cols->name[c]);
    char where[160], buf[600];
    snprintf(where, sizeof where, "%s", wv_rows_key_text(rows, key));
    char *eq = strchr(where, '=');
    if (eq && (size_t)(eq - where) + 3 < sizeof where) {
        memmove(eq + 2, eq, strlen(eq) + 1);
        eq[0] = ' ', eq[1] = '=', eq[2] = ' ';
    }
    char query[400], answer[200];
    snprintf(query, sizeof query, "SELECT %s FROM %s WHERE %s", cols->name[c], wv_rows_table_name(rows, tbl),
             where);
    snprintf(answer, sizeof answer, "on %s \xe2\x86\x92 %s (leader: %s)", wv_sim_config(sim)->names[f],
             b ? b : wv_sim_row_older(sim, key, mine) ? "an older version" : "no row", a ? a : "no row");
    bool stale = !a || !b || strcmp(a, b) != 0;
    wv_rgb col = stale ? sc->th->warn : sc->th->good;
    sc->who = f;
    sc->stale = stale;
    snprintf(buf, sizeof buf, "%s %s", query, answer);
    if (text_width(sc, WV_FONT_BODY, buf) <= w) {
        draw_text(sc, WV_ROLE_INSPECTOR_READ, WV_FONT_BODY, col, x, y, buf, w);
    } else {
        /* the query, and its answer on the next line */
        draw_text(sc, WV_ROLE_INSPECTOR_READ, WV_FONT_BODY, col, x, y, query, w);
        y += sc->lay.line_h;
        draw_text(sc, WV_ROLE_INSPECTOR_READ, WV_FONT_BODY, col, x + sc->lay.pad * 2, y, answer, w - sc->lay.pad * 2);
    }
    sc->stale = false;
    sc->who = -1;
    return y + sc->lay.line_h;
}

/* Each view's answer on every node, side by side, the ones that differ
 * from the leader's marked stale; then each reader's latest read and its
 * running counts. Returns the y below. */
static int draw_reports(wv_scene *sc, const wv_view *v, int x, int y, int w, int bottom)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    int lh = sc->lay.line_h, pad = sc->lay.pad;
    int64_t t = v->tl->now;
    const wv_read *reads = sc->frame_reads;
    size_t nreads = sc->nframe_reads;
    for (int i = 0; i < cfg->nviews && y + 2 * lh <= bottom; i++) {
        char head[WV_SIM_VIEW_SQL + 80];
        snprintf(head, sizeof head, "%s%s", wv_view_sql(sc->queries[i]),
                 wv_sim_view_partial(sc->views[i]) ? "  (only the rows the recording changed)" : "");
        /* on two lines when it needs them and there is room: WHERE is
         * often the point */
        int sql_bottom = y + 2 * lh < bottom - lh ? y + 2 * lh : y + lh;
        y = draw_wrapped(sc, WV_ROLE_VIEW_SQL, WV_FONT_BODY, th->text_dim, x, x, y, x + w, sql_bottom, head);
        char lead[160];
        size_t kl = wv_sim_readable(sim, WV_SIM_LEADER, t);
        wv_view_answer_line(wv_sim_view_at(sc->views[i], WV_SIM_LEADER, t), lead, sizeof lead);
        int cx = x + pad;
        /* a shard answers over its part; beside the others, the answer
         * gathered from all shards (node nfollowers + 1) */
        wv_view_answer *part = wv_view_answer_new(sc->queries[i]), *mine = wv_view_answer_new(sc->queries[i]);
        int last = cfg->nfollowers + (wv_sim_sharded(sim) ? 1 : 0);
        for (int node = 0; node <= last; node++) {
            char ans[160], item[240], want[160];
            bool gathered = node > cfg->nfollowers;
            size_t k = wv_sim_node_seen(sim, node, t);
            wv_sim_node_answer(sim, sc->views[i], node, t, lead, mine, part, ans, want, sizeof ans);
            snprintf(item, sizeof item, "%s %s", gathered ? "shards" : node ? cfg->names[node - 1] : "leader", ans);
            int iw = text_width(sc, WV_FONT_MONO, item);
            if (cx > x + pad && cx + iw > x + w) { /* the next line */
                if (y + 2 * lh > bottom)
                    break;
                y += lh;
                cx = x + pad;
            }
            sc->who = gathered ? -1 : node - 1;
            sc->stale = strcmp(ans, want) != 0 && k < kl; /* behind, not ahead */
            cx += draw_text(sc, WV_ROLE_VIEW_ANSWER, WV_FONT_MONO, sc->stale ? th->warn : th->text, cx, y, item,
                            x + w - cx) + 2 * pad;
            sc->stale = false;
            sc->who = -1;
        }
        wv_view_answer_free(part);
        wv_view_answer_free(mine);
        y += lh;
    }
    for (int ri = 0; ri < cfg->nreaders && y + lh <= bottom; ri++) {
        wv_read_counts counts = wv_reads_count(reads, nreads, ri);
        const wv_read *last = counts.last;
        const wv_read_spec *spec = &cfg->readers[ri];
        char buf[600];
        if (last) {
            const char *node = last->node ? cfg->names[last->node - 1] : "leader";
            const char *why = wv_read_broke_name(last->broke);
            snprintf(buf, sizeof buf, "%s on %s \xe2\x86\x92 %s, leader %s%s%s", last->query, node, last->answer,
                     last->leader, why ? " \xc2\xb7 broke " : last->stale ? " \xc2\xb7 stale" : "", why ? why : "");
            sc->who = last->node - 1;
            sc->stale = last->stale;
            y = draw_wrapped(sc, WV_ROLE_READ, WV_FONT_BODY, last->stale ? th->warn : th->good, x, x, y, x + w,
                             bottom, buf);
            sc->stale = false;
            sc->who = -1;
        }
        if (y + lh > bottom)
            break;
        char who[48];
        if (spec->pattern == WV_READ_PLAIN)
            snprintf(who, sizeof who, "on %s", spec->node);
        else
            snprintf(who, sizeof who, "%s", spec->pattern == WV_READ_ROUTED ? "routed" : wv_read_pattern_name(spec->pattern));
        int n = snprintf(buf, sizeof buf, "%s: %zu read%s, %zu stale", who, counts.reads, counts.reads == 1 ? "" : "s",
                         counts.stale);
        if (spec->pattern == WV_READ_RYW || spec->pattern == WV_READ_MONOTONIC)
            snprintf(buf + n, sizeof buf - (size_t)n, ", %zu broken", counts.broken);
        draw_text(sc, WV_ROLE_READ_COUNTS, WV_FONT_BODY, th->text_dim, x, y, buf, w);
        y += lh;
    }
    return y;
}

static void draw_inspector(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    wv_rect box = sc->lay.inspector;
    panel(sc, WV_PANEL_INSPECTOR, -1, box);
    fill(sc, box, th->panel);
    outline(sc, box, th->border, stroke(sc) / 2);
    int pad = sc->lay.pad, x = box.x + pad, y = box.y + pad / 2, lh = sc->lay.line_h;
    int w = box.w - 2 * pad, bottom = box.y + box.h - pad / 2;
    y = draw_reports(sc, v, x, y, w, bottom);
    if (y + lh > bottom)
        return;
    if (v->selected_follower >= 0 && v->selected_follower < cfg->nfollowers && v->selected_msg == WV_ROWS_NONE) {
        draw_follower_views(sc, v, v->selected_follower, x, y, w, bottom);
        return;
    }
    size_t m = wv_scene_current(v);
    if (m == WV_ROWS_NONE) {
        draw_text(sc, WV_ROLE_INSPECTOR_EMPTY, WV_FONT_BODY, th->text_dim, x, y, "no changes yet", w);
        return;
    }
    sc->about = m;
    char buf[512], lsn[WV_LSN_BUFSZ];
    wv_lsn_format(wv_sim_lsn(sim, m), lsn);
    uint32_t xid;
    wv_op op = wv_sim_op(sim, m);
    char label[200];
    packet_label(sim, m, label, sizeof label);
    snprintf(buf, sizeof buf, "#%zu  %s", m, label);
    draw_text(sc, WV_ROLE_INSPECTOR_TITLE, WV_FONT_BODY, th->text, x, y, buf, w);
    y += lh;
    if (wv_sim_xid(sim, m, &xid))
        snprintf(buf, sizeof buf, "%s  LSN %s  xid %u", wv_op_name(op), lsn, xid);
    else
        snprintf(buf, sizeof buf, "%s  LSN %s", wv_op_name(op), lsn);
    draw_text(sc, WV_ROLE_INSPECTOR_MESSAGE, WV_FONT_MONO, th->text_dim, x, y, buf, w);
    y += lh;

    /* a commit: when the client's COMMIT returned, and who released it */
    size_t u = wv_sim_txn_of(sim, m);
    if (wv_sim_txn_last(sim, u) == m && wv_sim_txn_is_commit(sim, u) && y + lh <= bottom) {
        unsigned acked;
        int64_t ack = wv_sim_txn_ack(sim, u, &acked), at = wv_sim_txn_time(sim, u);
        char d[32], who[160] = "";
        /* PREPARE is not a commit: its own word */
        const char *verb = op == WV_OP_PREPARE || op == WV_OP_STREAM_PREPARE ? "PREPARE" : "COMMIT";
        int n = 0;
        for (int f = 0; f < cfg->nfollowers && n < (int)sizeof who - 40; f++)
            if (acked & (1u << f))
                n += snprintf(who + n, sizeof who - (size_t)n, "%s%s", n ? ", " : " by ", cfg->names[f]);
        if (wv_sim_txn_lost(sim, u) && v->tl->now >= cfg->failover_at) {
            /* the failover's loss, as its client saw it */
            fmt_duration(d, sizeof d, ack - at);
            if (ack == WV_SIM_NEVER)
                snprintf(buf, sizeof buf, "LOST: the %s never returned", verb);
            else if (ack == at)
                snprintf(buf, sizeof buf, "LOST: returned at once; %s never had it", cfg->names[cfg->failover_to]);
            else
                snprintf(buf, sizeof buf, "LOST: returned after %s; %s never had it", d,
                         cfg->names[cfg->failover_to]);
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->warn, x, y, buf, w);
        } else if (ack == WV_SIM_NEVER && cfg->failover_to >= 0 && v->tl->now >= cfg->failover_at &&
                   at < cfg->failover_at) {
            snprintf(buf, sizeof buf, "%s never returned (the leader failed), yet %s has it", verb,
                     cfg->names[cfg->failover_to]);
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->warn, x, y, buf, w);
        } else if (ack == WV_SIM_NEVER || ack > v->tl->now) {
            fmt_duration(d, sizeof d, v->tl->now - at);
            snprintf(buf, sizeof buf, "%s waits (%s so far, %s)", verb, d,
                     wv_sync_level_name(cfg->sync));
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->warn, x, y, buf, w);
        } else {
            fmt_duration(d, sizeof d, ack - at);
            snprintf(buf, sizeof buf, "%s returned after %s%s (%s)", verb, d, who,
                     wv_sync_level_name(cfg->sync));
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->good, x, y, buf, w);
        }
        y += lh;
    }

    /* the four stages on each follower, in ms after the commit; a stage
     * still to come is dim. When the followers do not fit one a line,
     * they go side by side without "sent" (the commit time, unless the
     * link was busy). */
    int64_t t = v->tl->now;
    static const char *const names[WV_STAGE_COUNT] = { "sent", "written", "flushed", "applied" };
    int fit = (bottom - y) / lh - 1;
    int ncols = fit >= cfg->nfollowers || fit < 1 ? 1 : (cfg->nfollowers + fit - 1) / fit;
    /* the full table (four stages, wide columns) or, when the followers
     * do not fit one a line or the columns do not fit across, the compact
     * one: written, flushed, applied under short heads */
    bool compact = ncols > 1 || text_width(sc, WV_FONT_MONO, "follower") + sc->lay.pad +
                                        3 * text_width(sc, WV_FONT_MONO, "000000000") +
                                        text_width(sc, WV_FONT_MONO, "applied") > w;
    int first_stage = compact ? WV_STAGE_WRITTEN : WV_STAGE_SENT;
    static const char *const short_names[WV_STAGE_COUNT] = { "sent", "write", "flush", "apply" };
    const char *const *heads = compact ? short_names : names;
    int cw = compact ? text_width(sc, WV_FONT_MONO, "00000") + sc->lay.pad / 2
                     : text_width(sc, WV_FONT_MONO, "000000000");
    int name_w = text_width(sc, WV_FONT_MONO, "follower") + sc->lay.pad;
    if (compact) {
        name_w = 0;
        for (int f = 0; f < cfg->nfollowers; f++) {
            int nw = text_width(sc, WV_FONT_MONO, cfg->names[f]);
            name_w = nw > name_w ? nw : name_w;
        }
        name_w += sc->lay.pad;
        if (name_w > w / 4)
            name_w = w / 4; /* a long --names name is cut here, whole in its box */
    }
    int col_w = name_w + (WV_STAGE_COUNT - first_stage) * cw + sc->lay.pad;
    if (ncols > 1 && ncols * col_w > w)
        ncols = w / col_w > 1 ? w / col_w : 1;
    if (y + lh <= bottom) {
        for (int k = 0; k < ncols; k++) {
            int cx = x + k * col_w;
            if (k == 0)
                draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim, cx, y, compact ? "ms" : "(ms)",
                          name_w);
            for (int st = first_stage; st < WV_STAGE_COUNT; st++)
                draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim,
                          cx + name_w + (st - first_stage) * cw, y, heads[st], cw);
        }
        y += lh;
    }
    int per_col = ncols > 1 ? (cfg->nfollowers + ncols - 1) / ncols : cfg->nfollowers;
    int rows_y = y, slots = ncols * ((bottom - rows_y) / lh);
    if (per_col > (bottom - rows_y) / lh)
        per_col = (bottom - rows_y) / lh > 0 ? (bottom - rows_y) / lh : 1;
    for (int f = 0; f < cfg->nfollowers; f++) {
        int col = f / per_col, cx = x + col * col_w;
        int fy = rows_y + (f % per_col) * lh;
        if (cfg->nfollowers > slots && f == slots - 1) {
            /* the last slot says what did not fit, rather than leave it
             * out unseen */
            snprintf(buf, sizeof buf, "+ %d more (Ctrl - for smaller text)", cfg->nfollowers - f);
            draw_text(sc, WV_ROLE_INSPECTOR_MORE, WV_FONT_BODY, th->text_dim, cx, fy, buf, x + w - cx);
            y = fy + lh;
            break;
        }
        if (col >= ncols || fy + lh > bottom)
            break;
        sc->who = f;
        draw_text(sc, WV_ROLE_INSPECTOR_FOLLOWER, WV_FONT_MONO, v->selected_follower == f ? th->text : th->text_dim,
                  cx, fy, cfg->names[f], name_w - sc->lay.pad);
        bool lost = cfg->failover_to >= 0 && wv_sim_txn_lost(sim, wv_sim_txn_of(sim, m));
        if (!wv_sim_gets(sim, f, m)) /* a shard's row filter: never sent there */
            draw_text(sc, WV_ROLE_INSPECTOR_CELL, WV_FONT_BODY, th->text_dim, cx + name_w, fy, "filtered out",
                      (WV_STAGE_COUNT - first_stage) * cw);
        for (int st = first_stage; st < WV_STAGE_COUNT && wv_sim_gets(sim, f, m); st++) {
            int64_t at = wv_sim_stage(sim, f, m, (wv_stage)st);
            char cell[32] = "-";
            if (lost && at != WV_SIM_NEVER && at >= cfg->failover_at)
                snprintf(cell, sizeof cell, "lost"); /* passed over, never received */
            else if (at != WV_SIM_NEVER)
                snprintf(cell, sizeof cell, "%.0f", (double)(at - wv_sim_leader_time(sim, m)) / 1e3);
            draw_text(sc, WV_ROLE_INSPECTOR_CELL, WV_FONT_MONO, at <= t ? th->text : th->text_dim,
                      cx + name_w + (st - first_stage) * cw, fy, cell, cw);
        }
        sc->who = -1;
        if (fy + lh > y)
            y = fy + lh;
    }
    if (y + lh <= bottom && wv_op_is_row_change(op) && op != WV_OP_TRUNCATE)
        y = draw_read(sc, v, m, x, y, w);
    /* the row: every column, old and new, wrapped over as many lines as
     * it takes, or a message's content: values the simulation does not
     * keep, read from the text */
    if (op != WV_OP_INSERT && op != WV_OP_UPDATE && op != WV_OP_DELETE && op != WV_OP_MESSAGE)
        return;
    /* each line wraps at its cells ("  " apart) over as many lines as
     * there is room for; the last one is cut with an ellipsis */
    const inspected *in = inspect(sc, sim, m);
    for (int i = 0; i < in->n && y + lh <= bottom; i++) {
        const char *rest = in->line[i];
        int indent = 0;
        while (*rest && y + lh <= bottom) {
            snprintf(buf, sizeof buf, "%*s%s", indent, "", rest);
            size_t keep = strlen(buf);
            while (text_width(sc, WV_FONT_MONO, buf) > w && y + 2 * lh <= bottom) {
                char *last = NULL;
                for (char *sep = strstr(buf + indent + 1, "  "); sep; sep = strstr(sep + 2, "  "))
                    last = sep;
                if (!last)
                    break; /* one cell wider than the line: cut below */
                *last = '\0';
                keep = (size_t)(last - buf);
            }
            draw_text(sc, in->role[i], WV_FONT_MONO, th->text, x, y, buf, w);
            y += lh;
            rest += keep - (size_t)indent;
            while (*rest == ' ')
                rest++;
            indent = 4;
        }
    }
}

static void draw_timeline(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    wv_rect box = sc->lay.timeline;
    panel(sc, WV_PANEL_TIMELINE, -1, box);
    int64_t end = v->end > 0 ? v->end : 1;
    int pad = sc->lay.pad;
    char a[32], b[32];
    snprintf(a, sizeof a, "0 s");
    snprintf(b, sizeof b, v->live ? "live %.1f s" : "%.1f s", (double)end / 1e6);
    int aw = text_width(sc, WV_FONT_BODY, a), bw = text_width(sc, WV_FONT_BODY, b);
    int ty = box.y + (box.h - sc->lay.line_h) / 2;
    draw_text(sc, WV_ROLE_TIMELINE_START, WV_FONT_BODY, th->text_dim, box.x, ty, a, 0);
    draw_text(sc, WV_ROLE_TIMELINE_END, WV_FONT_BODY, th->text_dim, box.x + box.w - bw, ty, b, 0);
    wv_rect track = { box.x + aw + pad, box.y, box.w - aw - bw - 2 * pad, box.h };
    int mid = track.y + track.h / 2;
    hline(sc, track.x, track.x + track.w, mid, 4, th->border);
    /* commit ticks, one per pixel column at most */
    int last_px = -1;
    for (size_t u = 0; u < wv_sim_txn_count(sim); u++) {
        if (!wv_sim_txn_is_commit(sim, u))
            continue;
        int px = track.x + (int)((double)wv_sim_txn_time(sim, u) / (double)end * (track.w - 1));
        if (px == last_px)
            continue;
        last_px = px;
        fill(sc, (wv_rect){ px, mid - track.h / 4, stroke(sc), track.h / 2 }, th->text_dim);
    }
    /* compressed gaps */
    const wv_gap *gaps;
    size_t ng = wv_sim_gaps(sim, &gaps);
    for (size_t i = 0; i < ng; i++) {
        int px = track.x + (int)((double)gaps[i].at / (double)end * (track.w - 1));
        draw_text(sc, WV_ROLE_TIMELINE_GAP, WV_FONT_BODY, th->warn, px, track.y, "\xe2\x89\x88", 0);
    }
    /* x of a session time on the track */
#define AT(t) (track.x + (int)((double)((t) < end ? (t) : end) / (double)end * (track.w - 1)))
    /* faults, under the line, a glyph at each start (also those made with
     * keys: they are the simulation's) */
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    int band = track.h / 6 > 2 ? track.h / 6 : 2;
    for (int f = 0; f < cfg->nfollowers; f++)
        for (int i = 0; i < cfg->nfaults[f]; i++) {
            const wv_fault *fl = &cfg->faults[f][i];
            if (fl->from > end)
                continue;
            int x0 = AT(fl->from), x1 = AT(fl->to == WV_SIM_NEVER ? end : fl->to);
            fill(sc, (wv_rect){ x0, mid + 3, x1 - x0 > 2 ? x1 - x0 : 2, band }, th->warn);
            /* its glyph just before it, in the track (colour is not the only cue) */
            const char *mark = fl->kind == WV_FAULT_PARTITION ? "\xe2\x9c\x82" : "\xe2\x9c\x97";
            int mh, mw = measure(sc, WV_FONT_BODY, mark, &mh);
            sc->who = f;
            draw_text(sc, WV_ROLE_TIMELINE_FAULT, WV_FONT_BODY, th->warn, x0 - mw - 1, track.y + track.h - mh, mark, 0);
            sc->who = -1;
        }
    /* a failover: the leader's failure to the promotion under the line,
     * and each commit it lost marked on the line */
    wv_failover fo;
    wv_sim_failover(sim, &fo);
    if (fo.on && fo.at <= end) {
        int x0 = AT(fo.at), x1 = AT(fo.promoted_at);
        fill(sc, (wv_rect){ x0, mid + 3, x1 - x0 > 2 ? x1 - x0 : 2, band }, th->warn);
        /* over the line, after the failure: the lost commits' marks are before it */
        draw_text(sc, WV_ROLE_TIMELINE_FAILOVER, WV_FONT_BODY, th->warn, x0 + 2 * stroke(sc), track.y,
                  "\xe2\x9c\x97 leader", 0);
        for (size_t u = fo.kept; u < fo.lost_to; u++) {
            if (!wv_sim_txn_is_commit(sim, u))
                continue;
            int px = AT(wv_sim_txn_time(sim, u));
            fill(sc, (wv_rect){ px - stroke(sc), track.y, 3 * stroke(sc), track.h / 2 }, th->warn);
            sc->about = wv_sim_txn_last(sim, u);
            draw_text(sc, WV_ROLE_TIMELINE_FAILOVER, WV_FONT_BODY, th->warn, px + 2 * stroke(sc), track.y,
                      "\xe2\x9c\x97", 0);
            sc->about = WV_ROWS_NONE;
        }
    }
    /* commits waiting for standbys, over the line: from commit to return */
    int wait_x1 = -1;
    for (size_t u = 0; u < wv_sim_txn_count(sim) && wv_sim_txn_time(sim, u) <= end; u++) {
        if (!wv_sim_txn_is_commit(sim, u))
            continue;
        int64_t at = wv_sim_txn_time(sim, u), ack = wv_sim_txn_ack(sim, u, NULL);
        if (ack <= at)
            continue;
        /* one that never returned waits to the end, or to the leader's failure */
        int64_t until = fo.on && at < fo.at ? fo.at : end;
        int x0 = AT(at), x1 = AT(ack == WV_SIM_NEVER ? until : ack);
        if (x1 <= wait_x1)
            continue; /* inside one drawn already */
        if (x0 < wait_x1)
            x0 = wait_x1;
        fill(sc, (wv_rect){ x0, mid - 3 - band, x1 - x0 > 1 ? x1 - x0 : 1, band }, th->select_bg);
        wait_x1 = x1;
    }
    /* the selected change's journey: when it left, when each follower
     * applied it */
    size_t sel = v->selected_msg;
    if (sel != WV_ROWS_NONE && sel < wv_sim_count(sim)) {
        int64_t left = wv_sim_leader_time(sim, sel);
        fill(sc, (wv_rect){ AT(left), track.y, stroke(sc), track.h }, th->select_bg);
        bool lost = fo.on && wv_sim_txn_lost(sim, wv_sim_txn_of(sim, sel));
        for (int f = 0; f < cfg->nfollowers; f++) {
            int64_t applied = wv_sim_stage(sim, f, sel, WV_STAGE_APPLIED);
            if (applied == WV_SIM_NEVER || applied > end || (lost && applied >= fo.at))
                continue; /* a lost one is never applied, only passed over */
            fill(sc, (wv_rect){ AT(applied), track.y + track.h / 4, stroke(sc), track.h / 2 }, th->select_bg);
        }
    }
#undef AT
    if (v->live) /* the live edge: where "now" is */
        fill(sc, (wv_rect){ track.x + track.w - stroke(sc), track.y, stroke(sc), track.h }, th->good);
    int64_t now = v->tl->now;
    int px = track.x + (int)((double)(now < end ? now : end) / (double)end * (track.w - 1));
    /* text colour: it reads on every theme's background */
    int ph = sc->lay.body_px / 5 > 3 ? sc->lay.body_px / 5 : 3;
    fill(sc, (wv_rect){ px - ph / 2, track.y, ph, track.h }, th->text);
    add_hit(sc, track, WV_HIT_TIMELINE, (size_t)end);
}

/* Live: how much WAL the slot makes the server keep (current WAL position
 * minus restart_lsn), what it has confirmed, and wal_status; with
 * max_slot_wal_keep_size set, a bar of held against what may be held. */
static void draw_slot_gauge(wv_scene *sc, const wv_view *v)
{
    if (!v->slot || !v->slot->valid)
        return;
    const wv_theme *th = sc->th;
    const wv_slot_status *s = v->slot;
    char held[32], buf[256], lsn[WV_LSN_BUFSZ];
    uint64_t back = s->current_wal_lsn > s->restart_lsn ? s->current_wal_lsn - s->restart_lsn : 0;
    fmt_bytes(held, sizeof held, back);
    wv_lsn_format(s->confirmed_flush_lsn, lsn);
    wv_rect box = sc->lay.leader;
    int lh = sc->lay.line_h, x = box.x + sc->lay.pad, w = box.w - 2 * sc->lay.pad;
    int y = box.y + box.h - 2 * lh - sc->lay.pad / 2;
    bool ok = strcmp(s->wal_status, "reserved") == 0;
    snprintf(buf, sizeof buf, "slot holds %s of WAL (%s)", held, *s->wal_status ? s->wal_status : "?");
    draw_text(sc, WV_ROLE_SLOT_HELD, WV_FONT_BODY, ok ? th->text : th->warn, x, y, buf, w);
    snprintf(buf, sizeof buf, "confirmed %s", lsn);
    draw_text(sc, WV_ROLE_SLOT_CONFIRMED, WV_FONT_MONO, th->text_dim, x, y + lh, buf, w);
    if (s->has_safe_wal_size && s->safe_wal_size >= 0) {
        double frac = (double)back / ((double)back + (double)s->safe_wal_size + 1.0);
        wv_rect bar = { x, y - lh / 3, w, lh / 4 };
        outline(sc, bar, th->border, 1);
        fill(sc, (wv_rect){ bar.x, bar.y, (int)(bar.w * frac), bar.h }, ok ? th->good : th->warn);
    }
}

/* The legend: each chip's glyph on its colour, and what it stands for. */
static const struct {
    wv_op op;
    const char *what;
} legend[] = {
    { WV_OP_INSERT, "INSERT: a new row" },       { WV_OP_UPDATE, "UPDATE: a row changed" },
    { WV_OP_DELETE, "DELETE: a row removed" },   { WV_OP_TRUNCATE, "TRUNCATE: a table emptied" },
    { WV_OP_MESSAGE, "a logical message (pg_logical_emit_message)" },
    { WV_OP_PREPARE, "PREPARE (two-phase): kept, not committed yet" },
    { WV_OP_COMMIT_PREPARED, "COMMIT PREPARED: now it happens" },
    { WV_OP_ROLLBACK_PREPARED, "ROLLBACK PREPARED: it never happens" },
    { WV_OP_STREAM_CHANGE, "a big transaction's change, streamed early" },
    { WV_OP_STREAM_COMMIT, "STREAM COMMIT: now it happens" },
    { WV_OP_STREAM_ABORT, "STREAM ABORT: it is thrown away" },
    { WV_OP_UNKNOWN, "a message walviz could not read" },
};

/* The glossary: the words the picture uses, as PostgreSQL uses them. */
static const char *const glossary[][2] = {
    { "| |", "BEGIN and COMMIT: a transaction's train" },
    { "LSN", "a position in the WAL: 0/1924420" },
    { "xid", "a transaction's id" },
    { "written", "in the follower's WAL, not on disk yet" },
    { "flushed", "on its disk (fsync): survives a crash" },
    { "replayed", "or applied: reads there see it" },
    { "lag", "how long its oldest unapplied change waited" },
    { "sync", "a synchronous standby: COMMITs wait for it" },
    { "synchronous_commit", "what a COMMIT waits for: off ... remote_apply" },
    { "FIRST n / ANY n", "which standbys count" },
    { "TOAST", "a big value kept apart, not sent again" },
    { "stale", "not received yet: a read there is old" },
    { "shard", "holds the rows its filter picks" },
    { "lost / diverged", "never on the new leader / ahead of it" },
    { "read-your-writes / monotonic reads", "see your writes / never go back" },
    { "real", "PostgreSQL's own positions and rows" },
};

/* Keys on the left; on the right, what the glyphs and colours mean and a
 * glossary of the words on screen. */
static void draw_help(wv_scene *sc, const wv_view *v)
{
    const wv_theme *th = sc->th;
    int W = sc->lay.width, H = sc->lay.height, lh = sc->lay.line_h, pad = sc->lay.pad;
    wv_rect box = { W / 32, pad, W - W / 16, H - 2 * pad };
    panel(sc, WV_PANEL_HELP, -1, box);
    fill(sc, box, th->panel);
    outline(sc, box, th->select_bg, 4);
    int half = box.w / 2, bottom = box.y + box.h - pad;
    int x = box.x + pad * 2, y = box.y + pad;
    draw_text(sc, WV_ROLE_HELP_TITLE, WV_FONT_LABEL, th->text, x, y, "Keys  (Esc closes)", half - 3 * pad);
    y += lh * 3 / 2;
    int col = half * 2 / 5;
    for (int i = 0; i < wv_key_help_count && y + lh <= bottom; i++) {
        if (wv_key_help_rows[i].demo_only && !v->demo_hint)
            continue;
        int ny = draw_wrapped(sc, WV_ROLE_HELP_KEYS, WV_FONT_BODY, th->text, x, x, y, x + col - pad, bottom,
                              wv_key_help_rows[i].keys);
        int wy = draw_wrapped(sc, WV_ROLE_HELP_WHAT, WV_FONT_BODY, th->text_dim, x + col, x + col, y,
                              box.x + half - pad, bottom, wv_key_help_rows[i].what);
        y = ny > wy ? ny : wy;
    }
    int keys_end = y;
    /* the legend */
    x = box.x + half + pad;
    y = box.y + pad;
    int w = box.w - half - 3 * pad, chip = sc->lay.label_px * 13 / 10;
    draw_text(sc, WV_ROLE_HELP_TITLE, WV_FONT_LABEL, th->text, x, y, "What you see", w);
    y += lh * 3 / 2;
    for (size_t i = 0; i < sizeof legend / sizeof legend[0] && y + lh <= bottom; i++) {
        wv_rect c = { x, y + (lh - chip) / 2, chip * 3 / 2, chip };
        if (chip > lh)
            c = (wv_rect){ x, y, chip * 3 / 2, lh };
        fill(sc, c, th->op_fill[legend[i].op]);
        outline(sc, c, th->chip_edge, 1);
        const char *g = wv_op_glyph(legend[i].op);
        int gh, gw = measure(sc, WV_FONT_MONO, g, &gh);
        draw_text(sc, WV_ROLE_HELP_KEYS, WV_FONT_MONO, th->chip_text, c.x + (c.w - gw) / 2, c.y + (c.h - gh) / 2, g, 0);
        y = draw_wrapped(sc, WV_ROLE_HELP_WHAT, WV_FONT_BODY, th->text_dim, x + c.w + pad, x + c.w + pad, y,
                         x + w, bottom, legend[i].what);
    }
    /* the glossary: each word, then what it means, running on; what does
     * not fit under the legend goes under the keys */
    y += lh / 2;
    for (size_t i = 0; i < sizeof glossary / sizeof glossary[0]; i++) {
        if (y + lh > bottom && x != box.x + pad * 2) {
            x = box.x + pad * 2;
            w = half - 3 * pad;
            y = keys_end + lh / 2;
        }
        if (y + lh > bottom)
            break;
        int tw = *glossary[i][0] ? draw_text(sc, WV_ROLE_HELP_KEYS, WV_FONT_BODY, th->text, x, y, glossary[i][0], w) + pad
                                  : 0;
        y = draw_wrapped(sc, WV_ROLE_HELP_WHAT, WV_FONT_BODY, th->text_dim, x + 2 * pad, x + tw, y, x + w, bottom,
                         glossary[i][1]);
    }
}

/* A region is built inside its clip; what its texts speak of is reset
 * after it. */
static void region(wv_scene *sc, const wv_rect *box, int who)
{
    clip(sc, box);
    sc->who = who;
    sc->about = WV_ROWS_NONE;
    sc->stale = false;
}

void wv_scene_build(wv_scene *sc, const wv_view *v, int w, int h, wv_measure_fn measure_fn, void *mctx)
{
    const wv_sim_cfg *cfg = wv_sim_config(v->sim);
    sc->ncmds = sc->nchips = sc->npanels = sc->nhits = 0;
    sc->frame++;
    sc->text.len = 0;
    sc->measure = measure_fn;
    sc->mctx = mctx;
    sc->th = wv_theme_get(v->theme);
    wv_layout_compute(&sc->lay, w, h, cfg->nfollowers, v->text_scale);
    wv_narrate(v->sim, v->tl->now, v->selected_msg, &sc->narr);
    sc->flash = sc->narr.kind != WV_EVENT_NONE && v->tl->now - sc->narr.at < FLASH_US;
    push(sc, WV_CMD_CLEAR, (wv_rect){ 0, 0, w, h }, v->blank ? (wv_rgb){ 0, 0, 0 } : sc->th->bg);
    if (v->blank)
        return;
    sync_reports(sc, v);
    region(sc, &sc->lay.top, -1);
    draw_top(sc, v);
    region(sc, &sc->lay.leader, -1);
    draw_leader(sc, v);
    draw_slot_gauge(sc, v);
    for (int f = 0; f < cfg->nfollowers; f++) {
        region(sc, &sc->lay.followers[f], f);
        draw_follower(sc, v, f);
        region(sc, &sc->lay.lanes[f], f);
        draw_lane(sc, v, f);
    }
    region(sc, &sc->lay.caption, -1);
    draw_caption(sc, v);
    region(sc, &sc->lay.log, -1);
    draw_log(sc, v);
    region(sc, &sc->lay.inspector, -1);
    draw_inspector(sc, v);
    region(sc, &sc->lay.timeline, -1);
    draw_timeline(sc, v);
    region(sc, NULL, -1);
    if (v->help)
        draw_help(sc, v);
}

/* --- JSON ---------------------------------------------------------------- */

static void json_box(wv_buf *out, wv_rect r)
{
    wv_buf_printf(out, "\"box\":[%d,%d,%d,%d]", r.x, r.y, r.w, r.h);
}

static void json_follower(wv_buf *out, int f, const wv_sim_cfg *cfg)
{
    if (f < 0) {
        wv_buf_puts(out, "\"follower\":null");
        return;
    }
    wv_buf_printf(out, "\"follower\":%d,\"follower_name\":", f + 1);
    wv_json_string(out, (wv_slice){ cfg->names[f], strlen(cfg->names[f]) }, 0, false);
}

void wv_scene_json(const wv_scene *sc, const wv_sim_cfg *cfg, wv_buf *out)
{
    const wv_layout *l = &sc->lay;
    wv_buf_printf(out, "{\"version\":1,\"width\":%d,\"height\":%d,\"theme\":", l->width, l->height);
    wv_json_string(out, (wv_slice){ sc->th->name, strlen(sc->th->name) }, 0, false);
    wv_buf_printf(out, ",\"body_px\":%d,\"line_h\":%d,\n\"panels\":[", l->body_px, l->line_h);
    for (size_t i = 0; i < sc->npanels; i++) {
        const wv_scene_panel *p = &sc->panels[i];
        wv_buf_printf(out, "%s\n {\"panel\":\"%s\",", i ? "," : "", wv_panel_name(p->kind));
        json_follower(out, p->follower, cfg);
        wv_buf_puts(out, ",");
        json_box(out, p->box);
        wv_buf_puts(out, "}");
    }
    wv_buf_puts(out, "],\n\"texts\":[");
    size_t n = 0;
    for (size_t i = 0; i < sc->ncmds; i++) {
        const wv_cmd *c = &sc->cmds[i];
        if (c->kind != WV_CMD_TEXT)
            continue;
        const char *t = wv_scene_text(sc, c);
        wv_buf_printf(out, "%s\n {\"role\":\"%s\",\"text\":", n++ ? "," : "", wv_role_name(c->role));
        wv_json_string(out, (wv_slice){ t, strlen(t) }, 0, false);
        wv_buf_puts(out, ",");
        json_box(out, c->box);
        wv_buf_puts(out, ",");
        json_follower(out, c->follower, cfg);
        if (c->msg != WV_ROWS_NONE)
            wv_buf_printf(out, ",\"msg\":%zu", c->msg);
        if (c->stale)
            wv_buf_puts(out, ",\"stale\":true");
        wv_buf_printf(out, ",\"color\":\"#%02X%02X%02X\"}", c->color.r, c->color.g, c->color.b);
    }
    wv_buf_puts(out, "],\n\"chips\":[");
    for (size_t i = 0; i < sc->nchips; i++) {
        const wv_scene_chip *c = &sc->chips[i];
        wv_buf_printf(out, "%s\n {\"op\":\"%s\",\"glyph\":", i ? "," : "", wv_op_name(c->op));
        const char *g = wv_op_glyph(c->op);
        wv_json_string(out, (wv_slice){ g, strlen(g) }, 0, false);
        wv_buf_printf(out, ",\"msg\":%zu,", c->msg);
        json_follower(out, c->follower, cfg);
        wv_buf_printf(out, ",\"stage\":\"%s\",", wv_chip_stage_name(c->stage));
        json_box(out, c->box);
        wv_buf_printf(out, ",\"selected\":%s}", c->selected ? "true" : "false");
    }
    wv_buf_puts(out, "]}\n");
}
