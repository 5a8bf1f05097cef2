/* controller: see include/walviz/controller.h. */
#include "walviz/controller.h"

#include <stdio.h>
#include <string.h>

void wv_ctl_init(wv_ctl *c, wv_sim *sim, bool live)
{
    memset(c, 0, sizeof *c);
    c->sim = sim;
    wv_timeline_init(&c->tl, live);
    c->view = (wv_view){
        .sim = sim,
        .tl = &c->tl,
        .text_scale = 1.0,
        .selected_follower = -1,
        .selected_msg = WV_ROWS_NONE,
        .started = live, /* live plays from the start: no "Space: play" hint */
        .live = live,
    };
}

int64_t wv_ctl_end(const wv_ctl *c)
{
    return c->tl.live ? c->live_edge : wv_sim_end_time(c->sim);
}

void wv_ctl_set_live_edge(wv_ctl *c, int64_t edge)
{
    if (edge > c->live_edge)
        c->live_edge = edge;
}

int64_t wv_ctl_behind_live(const wv_ctl *c)
{
    if (!c->tl.live || c->tl.at_live_edge)
        return 0;
    return c->live_edge > c->tl.now ? c->live_edge - c->tl.now : 0;
}

static void sync_view(wv_ctl *c, int64_t wall_us)
{
    c->view.end = wv_ctl_end(c);
    c->view.behind_live = wv_ctl_behind_live(c);
    c->view.notice = c->notice[0] && wall_us < c->notice_until ? c->notice : NULL;
}

bool wv_ctl_tick(wv_ctl *c, int64_t wall_us)
{
    int64_t elapsed = c->last_wall_us && wall_us > c->last_wall_us ? wall_us - c->last_wall_us : 0;
    c->last_wall_us = wall_us;
    bool had_notice = c->view.notice != NULL;
    bool moving = c->tl.playing || c->tl.live;
    if (moving)
        wv_timeline_tick(&c->tl, elapsed, wv_ctl_end(c));
    sync_view(c, wall_us);
    return moving || had_notice != (c->view.notice != NULL);
}

void wv_ctl_notice(wv_ctl *c, const char *text, int64_t wall_us)
{
    snprintf(c->notice, sizeof c->notice, "%s", text);
    c->notice_until = wall_us + WV_CTL_NOTICE_US;
    sync_view(c, wall_us);
}

static int target_follower(const wv_ctl *c)
{
    return c->view.selected_follower >= 0 ? c->view.selected_follower : 0;
}

/* A fault on the selected follower (f1 if none) at the playhead, or its
 * end: Shift+P cuts or heals, S stops or restarts its server, Shift+S
 * crashes or restarts its machine (a restart ends either crash). */
static void toggle_fault(wv_ctl *c, wv_fault_kind kind, int64_t wall_us)
{
    int f = target_follower(c);
    int64_t t = c->tl.now;
    if (wv_sim_config(c->sim)->observed[f]) { /* the real cluster is acted on elsewhere */
        char text[sizeof c->notice];
        snprintf(text, sizeof text, "%s is a real node: walviz link cuts it, pg_ctl stops it",
                 wv_sim_config(c->sim)->names[f]);
        wv_ctl_notice(c, text, wall_us);
        return;
    }
    const wv_fault *cur = wv_sim_fault_at(c->sim, f, t);
    if (kind == WV_FAULT_PARTITION) {
        if (cur && cur->kind == WV_FAULT_PARTITION)
            wv_sim_heal(c->sim, f, t);
        else if (!cur)
            wv_sim_partition(c->sim, f, t);
    } else if (cur && cur->kind != WV_FAULT_PARTITION) {
        wv_sim_restart(c->sim, f, t);
    } else if (!cur) {
        if (kind == WV_FAULT_CRASH)
            wv_sim_crash(c->sim, f, t);
        else
            wv_sim_stop(c->sim, f, t);
    }
    c->view.selected_follower = f;
}

static void cycle_sync(wv_ctl *c)
{
    const wv_sim_cfg *cfg = wv_sim_config(c->sim);
    if (cfg->nsync_standbys == 0) {
        /* Levels only matter with a synchronous standby: name one, a
         * simulated one (a real node's replies are not modelled). */
        int f = target_follower(c);
        for (int g = 0; cfg->observed[f] && g < cfg->nfollowers; g++)
            f = g;
        wv_sim_set_standbys(c->sim, false, 1, &f, 1);
    }
    wv_sim_set_sync(c->sim, (wv_sync_level)((cfg->sync + 1) % WV_SYNC_COUNT));
}

/* X: the leader fails at the playhead and the selected follower is
 * promoted, else the one that had received the most (it loses least);
 * with a failover already, X takes it away. */
static void toggle_failover(wv_ctl *c, int64_t wall_us)
{
    const wv_sim_cfg *cfg = wv_sim_config(c->sim);
    char text[sizeof c->notice];
    if (cfg->failover_to >= 0) {
        wv_sim_set_failover(c->sim, 0, -1);
        wv_ctl_notice(c, "no failover: the leader is back as recorded", wall_us);
        return;
    }
    int64_t t = c->tl.now;
    int f = c->view.selected_follower;
    if (f < 0) {
        f = 0;
        for (int g = 1; g < cfg->nfollowers; g++)
            if (wv_sim_reached(c->sim, g, WV_STAGE_WRITTEN, t) > wv_sim_reached(c->sim, f, WV_STAGE_WRITTEN, t))
                f = g;
    }
    wv_sim_set_failover(c->sim, t, f);
    snprintf(text, sizeof text, "the leader fails at %.2f s: %s is promoted", (double)t / 1e6, cfg->names[f]);
    wv_ctl_notice(c, text, wall_us);
    c->view.selected_follower = f;
}

/* Shift+Right/Left: the next or previous commit on the leader, at or
 * before the end. Transactions are in time order: a binary search, then a
 * walk past units that are not commits. */
static void step_commit(wv_ctl *c, int dir)
{
    const wv_sim *sim = c->sim;
    int64_t now = c->tl.now, end = wv_ctl_end(c);
    size_t lo = 0, hi = wv_sim_txn_count(sim);
    while (lo < hi) { /* the first transaction after now */
        size_t mid = lo + (hi - lo) / 2;
        if (wv_sim_txn_time(sim, mid) <= now)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = wv_sim_txn_count(sim), u = lo;
    if (dir > 0) {
        while (u < n && !wv_sim_txn_is_commit(sim, u))
            u++;
    } else {
        /* before now: skip those at now itself */
        while (u > 0 && (wv_sim_txn_time(sim, u - 1) >= now || !wv_sim_txn_is_commit(sim, u - 1)))
            u--;
        u = u > 0 ? u - 1 : n;
    }
    c->tl.playing = false;
    c->tl.at_live_edge = false;
    if (u < n && wv_sim_txn_time(sim, u) <= end)
        c->tl.now = wv_sim_txn_time(sim, u);
    c->view.started = true;
}

static void step(wv_ctl *c, int dir, wv_step_filter filter, size_t arg)
{
    wv_timeline_step(&c->tl, c->sim, dir, filter, arg, wv_ctl_end(c));
    c->view.started = true;
}

void wv_ctl_apply(wv_ctl *c, wv_action act, int64_t wall_us)
{
    char notice[sizeof c->notice] = "";
    if (c->on_action && c->on_action(c->action_ctx, act, notice, sizeof notice)) {
        if (notice[0])
            wv_ctl_notice(c, notice, wall_us);
        return;
    }
    wv_view *v = &c->view;
    wv_timeline *tl = &c->tl;
    int64_t end = wv_ctl_end(c);
    int nf = wv_sim_config(c->sim)->nfollowers;
    switch (act) {
    case WV_ACT_PLAY_PAUSE:
        if (!tl->playing && tl->now >= end && !tl->live)
            wv_timeline_seek(tl, 0, end); /* play again from the start */
        tl->playing = !tl->playing;
        if (!tl->playing)
            tl->at_live_edge = false; /* paused: the edge moves on without us */
        v->started = true;
        break;
    case WV_ACT_STEP_NEXT:
    case WV_ACT_STEP_PREV:
    case WV_ACT_PAGE_NEXT: /* no lesson took it: a remote steps as Right and Left do */
    case WV_ACT_PAGE_PREV: {
        int dir = act == WV_ACT_STEP_NEXT || act == WV_ACT_PAGE_NEXT ? 1 : -1;
        /* with a packet selected, step through its journey alone */
        if (v->selected_msg != WV_ROWS_NONE)
            step(c, dir, WV_STEP_MESSAGE, v->selected_msg);
        else
            step(c, dir, WV_STEP_ALL, 0);
        break;
    }
    case WV_ACT_NEXT_COMMIT:
    case WV_ACT_PREV_COMMIT:
        step_commit(c, act == WV_ACT_NEXT_COMMIT ? 1 : -1);
        v->selected_msg = WV_ROWS_NONE;
        break;
    case WV_ACT_HOME:
        wv_timeline_seek(tl, 0, end);
        break;
    case WV_ACT_END:
        wv_timeline_seek(tl, end, end);
        if (tl->live)
            tl->playing = true; /* back to live: follow the stream again */
        break;
    case WV_ACT_FASTER:
        wv_timeline_faster(tl);
        break;
    case WV_ACT_SLOWER:
        wv_timeline_slower(tl);
        break;
    case WV_ACT_PARTITION:
        toggle_fault(c, WV_FAULT_PARTITION, wall_us);
        break;
    case WV_ACT_STOP:
        toggle_fault(c, WV_FAULT_STOP, wall_us);
        break;
    case WV_ACT_CRASH:
        toggle_fault(c, WV_FAULT_CRASH, wall_us);
        break;
    case WV_ACT_CYCLE_SYNC:
        cycle_sync(c);
        break;
    case WV_ACT_FAILOVER:
        toggle_failover(c, wall_us);
        return; /* its notice synced the view */
    case WV_ACT_CYCLE_TABLE:
        /* from the table on screen to the next, and it stays */
        v->table = v->table_pinned ? v->table + 1 : wv_scene_table(v) + 1;
        v->table_pinned = true;
        break;
    case WV_ACT_THEME:
        v->theme = (wv_theme_id)((v->theme + 1) % WV_THEME_COUNT);
        break;
    case WV_ACT_TEXT_BIGGER:
        v->text_scale = v->text_scale * 1.15 > 2.0 ? 2.0 : v->text_scale * 1.15;
        break;
    case WV_ACT_TEXT_SMALLER:
        v->text_scale = v->text_scale / 1.15 < 0.6 ? 0.6 : v->text_scale / 1.15;
        break;
    case WV_ACT_FULLSCREEN:
        c->fullscreen = !c->fullscreen;
        break;
    case WV_ACT_BLANK:
        v->blank = !v->blank;
        break;
    case WV_ACT_HELP:
        v->help = !v->help;
        break;
    case WV_ACT_ESCAPE:
        if (v->help)
            v->help = false;
        else if (v->blank)
            v->blank = false;
        else if (v->selected_msg != WV_ROWS_NONE)
            v->selected_msg = WV_ROWS_NONE;
        else if (v->selected_follower >= 0)
            v->selected_follower = -1; /* the inspector follows the steps again */
        else if (c->fullscreen)
            c->fullscreen = false;
        break;
    case WV_ACT_QUIT:
        c->quit = true;
        break;
    default:
        if (act >= WV_ACT_SELECT_1 && act <= WV_ACT_SELECT_8 && (int)(act - WV_ACT_SELECT_1) < nf)
            v->selected_follower = act - WV_ACT_SELECT_1;
        break;
    }
    sync_view(c, wall_us);
}

void wv_ctl_pointer(wv_ctl *c, wv_hit h, bool drag)
{
    if (h.kind == WV_HIT_TIMELINE) {
        wv_timeline_seek(&c->tl, h.time, wv_ctl_end(c));
        c->view.started = true;
        c->dragging = true;
    } else if (drag) {
        return;
    } else if (h.kind == WV_HIT_MESSAGE) {
        c->view.selected_msg = c->view.selected_msg == h.index ? WV_ROWS_NONE : h.index;
    } else if (h.kind == WV_HIT_FOLLOWER) {
        c->view.selected_follower = (int)h.index;
    }
    c->view.behind_live = wv_ctl_behind_live(c);
}

void wv_ctl_release(wv_ctl *c)
{
    c->dragging = false;
}

void wv_ctl_focus_lost(wv_ctl *c)
{
    if (!c->tl.live)
        c->tl.playing = false;
}
