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

    wv_decoder *dec; /* row values for the table views and the inspector */
    int *xs;         /* packet positions on the lane being built */
    size_t xs_cap;
    row_cells lead[MAX_TABLE_ROWS], here[MAX_TABLE_ROWS];
    cached_cells cells[CELL_CACHE];
    uint32_t frame;
    inspected insp;
    char cut[CUT_MAX];
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
    [WV_ROLE_FOLLOWER_POSITION] = "follower.position",
    [WV_ROLE_LANE_STATUS] = "lane.status",
    [WV_ROLE_LANE_QUEUED] = "lane.queued",
    [WV_ROLE_LANE_WAITING] = "lane.waiting",
    [WV_ROLE_LANE_LABEL] = "lane.label",
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
    [WV_ROLE_HELP_TITLE] = "help.title",
    [WV_ROLE_HELP_KEYS] = "help.keys",
    [WV_ROLE_HELP_WHAT] = "help.what",
};

const char *wv_role_name(wv_role role)
{
    return name_of(role_names, WV_ROLE_COUNT, (unsigned)role);
}

static const char *const panel_names[WV_PANEL_COUNT] = {
    [WV_PANEL_HEADER] = "header", [WV_PANEL_LEADER] = "leader",       [WV_PANEL_FOLLOWER] = "follower",
    [WV_PANEL_LANE] = "lane",     [WV_PANEL_LOG] = "log",             [WV_PANEL_INSPECTOR] = "inspector",
    [WV_PANEL_TIMELINE] = "timeline", [WV_PANEL_HELP] = "help",
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
            while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
                keep--; /* never split a UTF-8 sequence */
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
    else if (us < 10000000)
        snprintf(out, n, "%.0f ms", (double)us / 1e3);
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

/* One line of display text for a message: newlines and tabs shown as \n
 * and \t, cut at max bytes. */
static void display_line(wv_slice text, char *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < text.len && n + 3 < max; i++) {
        char c = text.ptr[i];
        if (c == '\n' || c == '\t' || c == '\r') {
            out[n++] = '\\';
            out[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else {
            out[n++] = (unsigned char)c < 0x20 ? '?' : c;
        }
    }
    out[n] = '\0';
}

/* A column's name, unquoted. */
static void column_name(const wv_column *col, char *out, size_t max)
{
    char name[128];
    size_t nl = col->name.len < sizeof name ? col->name.len : sizeof name - 1;
    nl = wv_decode_ident((wv_slice){ col->name.ptr, nl }, name);
    if (nl >= max)
        nl = max - 1;
    memcpy(out, name, nl);
    out[nl] = '\0';
}

/* A column's value, unquoted, newlines shown as \n. */
static void column_value(const wv_column *col, char *out, size_t max)
{
    if (col->kind == WV_VAL_NULL) {
        snprintf(out, max, "null");
    } else if (col->kind == WV_VAL_TOAST) {
        snprintf(out, max, "(unchanged)");
    } else {
        char raw[256];
        size_t vl = col->value.len < sizeof raw - 1 ? col->value.len : sizeof raw - 1;
        if (col->kind == WV_VAL_BARE) {
            memcpy(raw, col->value.ptr, vl);
        } else {
            while (vl > 0 && col->value.ptr[vl - 1] == '\'' && vl < col->value.len)
                vl--; /* never cut between a doubled quote */
            vl = wv_decode_literal((wv_slice){ col->value.ptr, vl }, false, raw);
        }
        display_line((wv_slice){ raw, vl }, out, max);
    }
}

/* "name=value" of a column. */
static void cell_text(const wv_column *col, char *out, size_t max)
{
    char name[128], value[256];
    column_name(col, name, sizeof name);
    column_value(col, value, sizeof value);
    snprintf(out, max, "%.60s=%.90s", name, value); /* a cell never needs more */
}

/* The tuple that holds a change's row (new, else old). */
static const wv_tuple *row_tuple(const wv_change *c)
{
    return c->new_tuple.present ? &c->new_tuple : &c->old_tuple;
}

size_t wv_scene_current(const wv_view *v)
{
    if (v->selected_msg != WV_ROWS_NONE && v->selected_msg < wv_sim_count(v->sim))
        return v->selected_msg;
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
    snprintf(t2, sizeof t2, "%.1f", (double)v->end / 1e6);
    snprintf(buf, sizeof buf, "%s  %s   t = %s s / %s s", tl->playing ? "\xe2\x96\xb6 playing" : "\xe2\x9d\x9a\xe2\x9d\x9a paused",
             wv_timeline_speed_text(tl), t1, t2);
    x += draw_text(sc, WV_ROLE_HEADER_CLOCK, WV_FONT_LABEL, tl->playing ? th->good : th->text, x, y, buf, 0) + pad * 3;

    const char *hint = NULL;
    if (v->status)
        hint = v->status;
    else if (!v->started)
        hint = "Space: play   \xe2\x86\x92: step   ?: keys";
    else if (v->demo_hint)
        hint = v->demo_hint;
    if (hint)
        draw_text(sc, v->status ? WV_ROLE_HEADER_STATUS : WV_ROLE_HEADER_HINT, WV_FONT_BODY,
                  v->status ? th->warn : th->text, x, y + (sc->lay.label_px - sc->lay.body_px) / 2, hint,
                  top.w - x - pad);
}

static size_t choose_table(const wv_view *v)
{
    size_t n = wv_rows_table_count(wv_sim_rows(v->sim));
    return n ? v->table % n : WV_ROWS_NONE;
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
        const wv_tuple *t = row_tuple(&c);
        for (size_t i = 0; i < t->ncols && out->n < MAX_CELLS; i++, out->n++) {
            column_name(&t->cols[i], out->name[out->n], sizeof out->name[0]);
            column_value(&t->cols[i], out->value[out->n], sizeof out->value[0]);
        }
    }
    *victim = (cached_cells){ row.msg, h, sc->frame, *out };
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
 * differ from the leader's (not received yet) are marked stale. Returns the
 * y below it. */
static int draw_table_view(wv_scene *sc, const wv_view *v, int node, wv_rect box, int y, int max_lines)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    const wv_rows *rows = wv_sim_rows(sim);
    size_t tbl = choose_table(v);
    bool leader = node == WV_SIM_LEADER;
    int lh = sc->lay.line_h;
    int x0 = box.x + sc->lay.pad, x_end = box.x + box.w - sc->lay.pad;
    /* a follower with little room shows rows under the leader's header */
    bool header = leader || max_lines >= 3;
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
    size_t kl = wv_sim_visible(sim, WV_SIM_LEADER, t);
    size_t kn = leader ? kl : wv_sim_visible(sim, node, t);
    size_t keys[MAX_TABLE_ROWS];
    int row_lines = max_lines - (header ? 1 : 0);
    size_t want = (size_t)(row_lines < MAX_TABLE_ROWS ? row_lines : MAX_TABLE_ROWS);
    size_t n = wv_rows_recent(rows, tbl, kl, keys, want);
    if (n == 0)
        return y;
    row_cells *lead = sc->lead, *here = sc->here;
    const row_cells *cols = NULL; /* the row that names the columns */
    for (size_t i = 0; i < n; i++) {
        read_cells(sc, sim, wv_rows_read(rows, keys[i], kl), &lead[i]);
        if (leader)
            here[i] = lead[i];
        else
            read_cells(sc, sim, wv_rows_read(rows, keys[i], kn), &here[i]);
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
        if (!here[i].exists) {
            bool stale = !leader && lead[i].exists;
            char line[200];
            snprintf(line, sizeof line, "%s %s", wv_rows_key_text(rows, keys[i]),
                     stale ? "(not here yet)" : "(deleted)");
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
            bool stale = !leader && (!lead[i].exists || !val || !lval || strcmp(val, lval) != 0);
            if (stale)
                fill(sc, (wv_rect){ x - 2, y, width[c] * cw + 4, lh }, th->stale_bg);
            sc->stale = stale;
            draw_text(sc, WV_ROLE_TABLE_CELL, WV_FONT_MONO, stale ? th->stale_text : th->text, x, y,
                      val ? val : "", width[c] * cw);
            sc->stale = false;
            x += (width[c] + 1) * cw;
        }
    }
    return y;
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
    draw_text(sc, WV_ROLE_LEADER_NAME, WV_FONT_LABEL, th->text, x, y, "leader", w);
    y += sc->lay.label_px * 3 / 2;

    int64_t t = v->tl->now;
    char buf[256], lsn[WV_LSN_BUFSZ];
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
    snprintf(buf, sizeof buf, "synchronous_commit = %s", wv_sync_level_name(cfg->sync));
    draw_text(sc, WV_ROLE_LEADER_SYNC_LEVEL, WV_FONT_BODY, th->text, x, y, buf, w);
    y += lh;
    if (cfg->nsync_standbys) {
        int n = snprintf(buf, sizeof buf, "standbys: %s %d (", cfg->sync_any ? "ANY" : "FIRST",
                         cfg->sync_num);
        for (int i = 0; i < cfg->nsync_standbys && n < (int)sizeof buf - 40; i++)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%s", i ? ", " : "",
                          cfg->names[cfg->sync_standbys[i]]);
        snprintf(buf + n, sizeof buf - (size_t)n, ")");
    } else {
        snprintf(buf, sizeof buf, "no synchronous standbys");
    }
    draw_text(sc, WV_ROLE_LEADER_STANDBYS, WV_FONT_BODY, th->text_dim, x, y, buf, w);
    y += lh;

    /* The latest commit: acknowledged, or still waiting. */
    size_t ntx = wv_sim_txn_count(sim);
    size_t u = departed ? wv_sim_txn_of(sim, departed - 1) + 1 : 0;
    while (u-- > 0 && !wv_sim_txn_is_commit(sim, u))
        ;
    if (u != (size_t)-1 && u < ntx) {
        unsigned acked;
        int64_t ack = wv_sim_txn_ack(sim, u, &acked);
        int64_t at = wv_sim_txn_time(sim, u);
        char d[32];
        uint32_t xid;
        bool has_xid = wv_sim_xid(sim, wv_sim_txn_last(sim, u), &xid);
        if (has_xid)
            snprintf(buf, sizeof buf, "last commit: xid %u", xid);
        else
            snprintf(buf, sizeof buf, "last commit: #%zu", u);
        draw_text(sc, WV_ROLE_LEADER_LAST_COMMIT, WV_FONT_BODY, th->text, x, y, buf, w);
        y += lh;
        if (ack > t) {
            fmt_duration(d, sizeof d, t - at);
            snprintf(buf, sizeof buf, "\xe2\x8f\xb3 COMMIT waits: %s", d);
            draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->warn, x, y, buf, w);
        } else if (ack == at) {
            draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->good, x, y, "\xe2\x9c\x93 returned at once", w);
        } else {
            fmt_duration(d, sizeof d, ack - at);
            snprintf(buf, sizeof buf, "\xe2\x9c\x93 returned after %s", d);
            draw_text(sc, WV_ROLE_LEADER_COMMIT_STATE, WV_FONT_BODY, th->good, x, y, buf, w);
        }
        y += lh;
    }
    y += lh / 2;
    int gauge_lines = v->slot ? 3 : 0; /* the slot gauge sits below the table */
    draw_table_view(sc, v, WV_SIM_LEADER, box, y, (box.y + box.h - pad - y) / lh - 1 - gauge_lines);
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
    bool selected = v->selected_follower == f;
    outline(sc, box, selected ? th->select_bg : th->border, selected ? 2 * stroke(sc) : stroke(sc));
    add_hit(sc, box, WV_HIT_FOLLOWER, (size_t)f);

    int pad = sc->lay.pad, x = box.x + pad, y = box.y + pad / 2, w = box.w - 2 * pad;
    int lh = sc->lay.line_h, bottom = box.y + box.h - pad / 2;
    char buf[256], a[WV_LSN_BUFSZ], b[WV_LSN_BUFSZ], d[32], bytes[32];
    const char *state = p.stopped ? "stopped (crashed)" : p.partitioned ? "partitioned"
                      : p.catching_up ? "catching up" : "streaming";
    bool bad = p.stopped || p.partitioned || p.catching_up;
    char lag[96];
    fmt_duration(d, sizeof d, p.replay_lag);
    fmt_bytes(bytes, sizeof bytes, p.byte_lag);
    if (p.replay_lag == 0 && p.byte_lag == 0)
        snprintf(lag, sizeof lag, "lag 0: caught up");
    else
        snprintf(lag, sizeof lag, "lag %s \xc2\xb7 %s behind", d, bytes);
    /* A short box (many followers) says name, state and lag on one line. */
    bool short_box = bottom - y < sc->lay.label_px + 2 * lh;
    snprintf(buf, sizeof buf, "%d %s", f + 1, cfg->names[f]);
    int nw = draw_text(sc, WV_ROLE_FOLLOWER_NAME, WV_FONT_LABEL, th->text, x, y, buf, w / 2);
    int base = y + (sc->lay.label_px - sc->lay.body_px) / 2;
    int sw = draw_text(sc, WV_ROLE_FOLLOWER_STATE, WV_FONT_BODY, bad ? th->warn : th->good, x + nw + pad, base, state, w - nw - pad);
    if (short_box) {
        char brief[48];
        if (p.replay_lag == 0 && p.byte_lag == 0)
            snprintf(brief, sizeof brief, "caught up");
        else
            snprintf(brief, sizeof brief, "lag %s", d);
        draw_text(sc, WV_ROLE_FOLLOWER_LAG, WV_FONT_BODY, th->text, x + nw + sw + 2 * pad, base, brief, w - nw - sw - 2 * pad);
    }
    y += sc->lay.label_px + sc->lay.pad / 2;
    if (y + lh > bottom)
        return;
    if (!short_box) {
        draw_text(sc, WV_ROLE_FOLLOWER_LAG, WV_FONT_BODY, th->text, x, y, lag, w);
        y += lh;
    }
    /* positions: write and flush share a line when the box is wide */
    wv_lsn_format(p.write_lsn, a);
    wv_lsn_format(p.flush_lsn, b);
    snprintf(buf, sizeof buf, "write %s  flush %s", a, b);
    bool wide = text_width(sc, WV_FONT_MONO, buf) <= w;
    const char *lines[3];
    char l1[64], l2[64], l3[64];
    int nlines = 0;
    wv_lsn_format(p.replay_lsn, a);
    snprintf(l1, sizeof l1, "replay %s", a);
    if (wide) {
        lines[nlines++] = l1; /* replay matters most */
        lines[nlines++] = buf;
    } else {
        wv_lsn_format(p.write_lsn, a);
        snprintf(l2, sizeof l2, "write  %s", a);
        snprintf(l3, sizeof l3, "flush  %s", b);
        /* with little room, replay matters most */
        lines[nlines++] = l1;
        lines[nlines++] = l2;
        lines[nlines++] = l3;
    }
    for (int i = 0; i < nlines && y + lh <= bottom; i++, y += lh)
        draw_text(sc, WV_ROLE_FOLLOWER_POSITION, WV_FONT_MONO, th->text_dim, x, y, lines[i], w);
    draw_table_view(sc, v, f + 1, box, y, (bottom - y) / lh);
}

#define PILE 8 /* chips shown of a queue; its count is in the text row */

/* The first few of count messages from first, as a pile of chips leaning
 * left from x0: each a third of a chip behind the one before. At the
 * leader's end they are queued; at the follower's, they wait for the fsync
 * or to be replayed. */
static void draw_pile(wv_scene *sc, const wv_view *v, int f, size_t first, size_t count, int x0,
                      int mid, int chip, bool at_leader)
{
    const wv_sim *sim = v->sim;
    for (size_t i = 0; i < count && i < PILE; i++) {
        size_t m = first + i;
        wv_rect c = { x0 - (int)i * (chip / 3), mid - chip / 2, chip, chip };
        wv_op op = wv_sim_op(sim, m);
        fill(sc, c, sc->th->op_fill[op]);
        outline(sc, c, sc->th->bg, 1);
        add_hit(sc, c, WV_HIT_MESSAGE, m);
        wv_chip_stage stage = at_leader ? WV_CHIP_QUEUED
                            : wv_sim_stage(sim, f, m, WV_STAGE_FLUSHED) <= v->tl->now ? WV_CHIP_WAITING_REPLAY
                                                                                    : WV_CHIP_WAITING_FSYNC;
        add_chip(sc, op, m, f, c, stage, v->selected_msg == m);
    }
}

/* Where a packet is on its lane: (t - sent) / (written - sent) of the way. */
static int packet_x(const wv_sim *sim, int f, size_t m, int64_t t, int x0, int span)
{
    int64_t s = wv_sim_stage(sim, f, m, WV_STAGE_SENT);
    int64_t w = wv_sim_stage(sim, f, m, WV_STAGE_WRITTEN);
    double frac = w > s && w != WV_SIM_NEVER ? (double)(t - s) / (double)(w - s) : 0.0;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return x0 + (int)(frac * span);
}

/* Packets on the lane to follower f: messages sent but not yet written. */
static void draw_lane(wv_scene *sc, const wv_view *v, int f)
{
    const wv_theme *th = sc->th;
    const wv_sim *sim = v->sim;
    wv_rect lane = sc->lay.lanes[f];
    int64_t t = v->tl->now;
    panel(sc, WV_PANEL_LANE, f, lane);
    /* A text row on top (labels, queue counts) when the lane is tall
     * enough, the chips below it; nothing leaves the lane's rectangle. */
    int lh = sc->lay.line_h;
    bool text_row = lane.h >= lh + sc->lay.body_px * 3 / 4;
    int chip = text_row ? lane.h - lh : lane.h;
    if (chip > sc->lay.label_px * 13 / 10)
        chip = sc->lay.label_px * 13 / 10;
    int mid = lane.y + lane.h - chip / 2 - 1;
    const wv_fault *fault = wv_sim_fault_at(sim, f, t);
    int cut_x = lane.x + lane.w / 2;
    if (fault) {
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

    size_t hi = wv_sim_reached(sim, f, WV_STAGE_SENT, t);
    size_t lo = wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
    int span = lane.w - chip * 2;
    /* Where each packet is; at a cut they queue up, each stopping a little
     * before the one ahead. */
    size_t count = hi > lo ? hi - lo : 0;
    if (count > sc->xs_cap) {
        sc->xs_cap = count * 2;
        sc->xs = wv_xrealloc(sc->xs, sc->xs_cap * sizeof *sc->xs);
    }
    int queue_x = cut_x - chip * 2;
    for (size_t m = lo; m < hi; m++) {
        int x = packet_x(sim, f, m, t, lane.x, span);
        if (fault) {
            if (x > queue_x)
                x = queue_x;
            queue_x = x - chip / 3 > lane.x ? x - chip / 3 : lane.x;
        }
        sc->xs[m - lo] = x;
    }
    /* a transaction travels as a train: a band from BEGIN to COMMIT */
    int band_x0 = -1, band_x1 = -1;
    size_t band_txn = (size_t)-1;
    /* the counts at both ends of the text row; packet labels go between */
    size_t departed = wv_sim_departed(sim, t);
    size_t applied = wv_sim_reached(sim, f, WV_STAGE_APPLIED, t);
    char queued_text[64] = "", waiting_text[64] = "";
    if (departed > hi)
        snprintf(queued_text, sizeof queued_text, "%zu queued", departed - hi);
    if (lo > applied)
        snprintf(waiting_text, sizeof waiting_text, "%zu waiting to replay", lo - applied);
    int queued_right = lane.x + (*queued_text ? text_width(sc, WV_FONT_BODY, queued_text) + sc->lay.pad : 0);
    int waiting_left = lane.x + lane.w - (*waiting_text ? text_width(sc, WV_FONT_BODY, waiting_text) : 0);
    if (text_row && *queued_text)
        draw_text(sc, WV_ROLE_LANE_QUEUED, WV_FONT_BODY, th->warn, lane.x, lane.y, queued_text, 0);
    if (text_row && *waiting_text)
        draw_text(sc, WV_ROLE_LANE_WAITING, WV_FONT_BODY, th->warn, waiting_left, lane.y, waiting_text, 0);
    int label_left = waiting_left, labels = 0;
    for (size_t m = lo; m < hi; m++) {
        int x = sc->xs[m - lo];
        size_t u = wv_sim_txn_of(sim, m);
        if (u != band_txn) {
            if (band_x0 >= 0 && band_x1 > band_x0)
                fill(sc, (wv_rect){ band_x0, mid - chip / 4, band_x1 - band_x0, chip / 2 }, th->border);
            band_txn = u;
            band_x0 = band_x1 = x;
        }
        if (x < band_x0)
            band_x0 = x;
        if (x > band_x1)
            band_x1 = x;
    }
    if (band_x0 >= 0 && band_x1 > band_x0)
        fill(sc, (wv_rect){ band_x0, mid - chip / 4, band_x1 - band_x0, chip / 2 }, th->border);

    wv_rect run = { 0, 0, 0, 0 };
    wv_rgb run_col = th->bg;
    /* Chips are drawn oldest (rightmost) first and each newer one covers
     * the left part of the one before: only the strip still visible is
     * filled, so a dense train costs its width, not its length. */
    for (size_t m = lo; m < hi; m++) {
        int x = sc->xs[m - lo];
        int left = m + 1 < hi ? sc->xs[m + 1 - lo] + chip : x;
        if (left < x)
            left = x;
        bool selected = v->selected_msg == m;
        bool whole = left == x;
        if (left >= x + chip && !selected)
            continue;
        wv_op op = wv_sim_op(sim, m);
        wv_rect c = { x, mid - chip / 2, chip, chip };
        wv_rect strip = selected ? c : (wv_rect){ left, c.y, x + chip - left, chip };
        /* strips of one colour that touch are filled as one run */
        wv_rgb col = th->op_fill[op];
        if (run.w > 0 && strip.x + strip.w == run.x && !selected && same_rgb(col, run_col)) {
            run.x = strip.x;
            run.w += strip.w;
        } else {
            if (run.w > 0)
                fill(sc, run, run_col);
            run = strip;
            run_col = col;
        }
        if (selected)
            outline(sc, (wv_rect){ c.x - 3, c.y - 3, c.w + 6, c.h + 6 }, th->select_bg, 3);
        /* A glyph half covered by the next chip reads as noise: in a dense
         * train the colour band and the labels carry the meaning. */
        bool crowded = m + 1 < hi && x - sc->xs[m + 1 - lo] < chip * 3 / 4 && !fault;
        if (!crowded || selected) {
            fill(sc, run, run_col); /* the glyph goes on top of it */
            run.w = 0;
            if (whole)
                outline(sc, c, th->border, 1); /* white chips on a white screen */
            /* the larger face when the chip is tall enough: small glyphs
             * vanish at the back of a room */
            const char *g = wv_op_glyph(op);
            int gh;
            measure(sc, WV_FONT_GLYPH, g, &gh);
            wv_font gf = gh <= chip + 2 ? WV_FONT_GLYPH : WV_FONT_MONO; /* brackets uncut */
            int gw = measure(sc, gf, g, &gh);
            sc->about = m;
            draw_text(sc, WV_ROLE_CHIP_GLYPH, gf, th->chip_text, x + (chip - gw) / 2, c.y + (chip - gh) / 2, g, 0);
            sc->about = WV_ROWS_NONE;
        }
        add_hit(sc, strip, WV_HIT_MESSAGE, m);
        add_chip(sc, op, m, f, c, WV_CHIP_IN_FLIGHT, selected);
    }
    if (run.w > 0)
        fill(sc, run, run_col);
    /* labels above the chips, oldest (rightmost) first, where they fit */
    for (size_t m = lo; m < hi && labels < 6 && !fault && text_row; m++) {
        int x = sc->xs[m - lo];
        if (x < queued_right)
            break; /* positions only decrease from here */
        if (x > label_left - sc->lay.pad)
            continue; /* no room left of the next label: cheap, before building it */
        char label[200];
        packet_label(sim, m, label, sizeof label);
        /* above its packet, or shifted left to end where there is room */
        int lw = text_width(sc, WV_FONT_BODY, label);
        int lx = x + lw > label_left - sc->lay.pad ? label_left - sc->lay.pad - lw : x;
        if (lx < queued_right || x - lx > lw)
            continue; /* too far from its packet to belong to it */
        sc->about = m;
        draw_text(sc, WV_ROLE_LANE_LABEL, WV_FONT_BODY, th->text, lx, lane.y, label, 0);
        sc->about = WV_ROWS_NONE;
        label_left = lx;
        labels++;
    }
    /* left the leader (committed) but not on the wire yet: the link is busy
     * or cut, and they queue at the leader's end */
    if (departed > hi) {
        int shown = departed - hi < PILE ? (int)(departed - hi) : PILE;
        draw_pile(sc, v, f, hi, departed - hi, lane.x + (shown - 1) * (chip / 3), mid, chip, true);
    }
    /* written but not replayed: waiting at the follower */
    if (lo > applied)
        draw_pile(sc, v, f, applied, lo - applied, lane.x + lane.w - chip, mid, chip, false);
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
    /* keep the current line a third of the way down */
    size_t first = cur != WV_ROWS_NONE && cur > (size_t)nlines / 3 ? cur - (size_t)nlines / 3 : 0;
    if (first + (size_t)nlines > n)
        first = n > (size_t)nlines ? n - (size_t)nlines : 0;
    size_t departed = wv_sim_departed(sim, v->tl->now);
    for (int i = 0; i < nlines && first + (size_t)i < n; i++) {
        size_t m = first + (size_t)i;
        char lsn[WV_LSN_BUFSZ], line[600], text[512];
        wv_lsn_format(wv_sim_lsn(sim, m), lsn);
        display_line(wv_sim_text(sim, m), text, sizeof text);
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
        display_line((wv_slice){ c.content.ptr, c.content.len < 200 ? c.content.len : 200 }, content,
                     sizeof content);
        snprintf(in->line[in->n], sizeof in->line[0], "prefix %.*s  content %s",
                 (int)(c.prefix.len < 60 ? c.prefix.len : 60), c.prefix.ptr, content);
        in->role[in->n++] = WV_ROLE_INSPECTOR_CONTENT;
    }
    return in;
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
        int n = 0;
        for (int f = 0; f < cfg->nfollowers && n < (int)sizeof who - 40; f++)
            if (acked & (1u << f))
                n += snprintf(who + n, sizeof who - (size_t)n, "%s%s", n ? ", " : " by ", cfg->names[f]);
        if (ack == WV_SIM_NEVER || ack > v->tl->now) {
            fmt_duration(d, sizeof d, v->tl->now - at);
            snprintf(buf, sizeof buf, "COMMIT waits (%s so far, %s)", d,
                     wv_sync_level_name(cfg->sync));
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->warn, x, y, buf, w);
        } else {
            fmt_duration(d, sizeof d, ack - at);
            snprintf(buf, sizeof buf, "COMMIT returned after %s%s (%s)", d, who,
                     wv_sync_level_name(cfg->sync));
            draw_text(sc, WV_ROLE_INSPECTOR_COMMIT, WV_FONT_BODY, th->good, x, y, buf, w);
        }
        y += lh;
    }

    /* the four stages on each follower, in ms after the commit; a stage
     * still to come is dim */
    int64_t t = v->tl->now;
    static const char *const names[WV_STAGE_COUNT] = { "sent", "written", "flushed", "applied" };
    int cw = text_width(sc, WV_FONT_MONO, "000000000");
    int name_w = text_width(sc, WV_FONT_MONO, "follower") + sc->lay.pad;
    if (y + lh <= bottom) {
        draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim, x, y, "(ms)", name_w);
        for (int st = 0; st < WV_STAGE_COUNT; st++)
            draw_text(sc, WV_ROLE_INSPECTOR_HEADING, WV_FONT_MONO, th->text_dim, x + name_w + st * cw, y, names[st], cw);
        y += lh;
    }
    for (int f = 0; f < cfg->nfollowers && y + lh <= bottom; f++) {
        if (f + 1 < cfg->nfollowers && y + 2 * lh > bottom) {
            /* say what did not fit rather than leave it out unseen */
            snprintf(buf, sizeof buf, "+ %d more followers (Ctrl - for smaller text)",
                     cfg->nfollowers - f);
            draw_text(sc, WV_ROLE_INSPECTOR_MORE, WV_FONT_BODY, th->text_dim, x, y, buf, w);
            y += lh;
            break;
        }
        sc->who = f;
        draw_text(sc, WV_ROLE_INSPECTOR_FOLLOWER, WV_FONT_MONO, v->selected_follower == f ? th->text : th->text_dim,
                  x, y, cfg->names[f], name_w - sc->lay.pad);
        for (int st = 0; st < WV_STAGE_COUNT; st++) {
            int64_t at = wv_sim_stage(sim, f, m, (wv_stage)st);
            char cell[32] = "-";
            if (at != WV_SIM_NEVER)
                snprintf(cell, sizeof cell, "%.0f", (double)(at - wv_sim_leader_time(sim, m)) / 1e3);
            draw_text(sc, WV_ROLE_INSPECTOR_CELL, WV_FONT_MONO, at <= t ? th->text : th->text_dim,
                      x + name_w + st * cw, y, cell, cw);
        }
        sc->who = -1;
        y += lh;
    }
    /* the row: every column, old and new, or a message's content: values
     * the simulation does not keep, read from the text */
    if (op != WV_OP_INSERT && op != WV_OP_UPDATE && op != WV_OP_DELETE && op != WV_OP_MESSAGE)
        return;
    const inspected *in = inspect(sc, sim, m);
    for (int i = 0; i < in->n && y + lh <= bottom; i++, y += lh)
        draw_text(sc, in->role[i], WV_FONT_MONO, th->text, x, y, in->line[i], w);
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

static void draw_help(wv_scene *sc)
{
    const wv_theme *th = sc->th;
    int W = sc->lay.width, H = sc->lay.height, lh = sc->lay.line_h;
    int h = lh * (wv_key_help_count + 3);
    if (h > H - 2 * sc->lay.pad)
        h = H - 2 * sc->lay.pad;
    wv_rect box = { W / 8, (H - h) / 2, W * 3 / 4, h };
    panel(sc, WV_PANEL_HELP, -1, box);
    fill(sc, box, th->panel);
    outline(sc, box, th->select_bg, 4);
    int x = box.x + sc->lay.pad * 2, y = box.y + sc->lay.pad;
    draw_text(sc, WV_ROLE_HELP_TITLE, WV_FONT_LABEL, th->text, x, y, "Keys  (Esc closes)", 0);
    y += lh * 3 / 2;
    int col = box.w * 2 / 5;
    for (int i = 0; i < wv_key_help_count && y + lh <= box.y + box.h; i++) {
        draw_text(sc, WV_ROLE_HELP_KEYS, WV_FONT_BODY, th->text, x, y, wv_key_help_rows[i].keys, col - sc->lay.pad);
        draw_text(sc, WV_ROLE_HELP_WHAT, WV_FONT_BODY, th->text_dim, x + col, y, wv_key_help_rows[i].what,
                  box.w - col - 3 * sc->lay.pad);
        y += lh;
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
    push(sc, WV_CMD_CLEAR, (wv_rect){ 0, 0, w, h }, v->blank ? (wv_rgb){ 0, 0, 0 } : sc->th->bg);
    if (v->blank)
        return;
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
    region(sc, &sc->lay.log, -1);
    draw_log(sc, v);
    region(sc, &sc->lay.inspector, -1);
    draw_inspector(sc, v);
    region(sc, &sc->lay.timeline, -1);
    draw_timeline(sc, v);
    region(sc, NULL, -1);
    if (v->help)
        draw_help(sc);
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
