/* lesson: see include/walviz/lesson.h.
 *
 * The parser reads line by line. Header lines are `NAME = VALUE`, fed to
 * wv_sim_cfg_option as the command line would be; `---` starts a step.
 * Each step carries the whole configuration it shows: the header's
 * options plus every sync, standbys and failover line so far (through the same
 * option parser), then every fault so far. */
#include "walviz/lesson.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum where_kind { WHERE_NONE, WHERE_AT, WHERE_STEPS, WHERE_COMMIT } where_kind;

typedef struct lesson_step {
    char *caption;
    where_kind where;
    int64_t at;       /* WHERE_AT */
    long nsteps;      /* WHERE_STEPS */
    uint32_t xid;     /* WHERE_COMMIT */
    int where_line;
    int select_follower;  /* -1: none */
    char select_real[32]; /* a name the recording's real nodes may have; "" */
    bool select_commit;   /* select the COMMIT of select_xid */
    uint32_t select_xid;
    int select_line;
    bool play;
    wv_sim_cfg cfg; /* what the simulation is at this step; raw strings dropped */
} lesson_step;

struct wv_lesson {
    char *name, *recording;
    wv_sim_cfg cfg; /* the header's */
    lesson_step *steps;
    int nsteps;
};

/* What the parser carries from line to line. */
typedef struct parser {
    wv_lesson *l;
    int line;
    char *err;
    size_t errsz;
    char *names[64], *values[64]; /* the options so far: header, sync, standbys */
    int lines[64];
    int nopts;
    wv_fault faults[WV_SIM_MAX_FOLLOWERS][WV_SIM_MAX_FAULTS]; /* the steps' faults so far */
    int nfaults[WV_SIM_MAX_FOLLOWERS];
} parser;

static int fail(parser *p, const char *fmt, const char *what)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, what);
    snprintf(p->err, p->errsz, "%s:%d: %s", p->l->name, p->line, msg);
    return -1;
}

static int add_option(parser *p, const char *name, const char *value)
{
    if (p->nopts == (int)(sizeof p->names / sizeof p->names[0]))
        return fail(p, "%s", "too many options and sync lines (at most 64)");
    p->lines[p->nopts] = p->line;
    p->names[p->nopts] = wv_xstrdup(name);
    p->values[p->nopts++] = wv_xstrdup(value);
    return 0;
}

/* The configuration of the options so far, with the steps' faults. On
 * error the sentence names the line being read. */
static int build_cfg(parser *p, wv_sim_cfg *out)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char msg[600];
    int rc = -1;
    for (int i = 0; i < p->nopts; i++) {
        int r = wv_sim_cfg_option(&cfg, p->names[i], p->values[i], msg, sizeof msg);
        if (r == 1)
            snprintf(msg, sizeof msg, "'%s' is not a simulation option (those of walviz replay, "
                                      "such as latency or sync)", p->names[i]);
        if (r != 0)
            goto done;
    }
    if (wv_sim_cfg_check(&cfg, msg, sizeof msg) < 0) {
        /* the sentence names the option ("--latency ..."): blame its line */
        for (int i = 0; i < p->nopts; i++) {
            char opt[80];
            snprintf(opt, sizeof opt, "--%s", p->names[i]);
            const char *at = strstr(msg, opt);
            char next = at ? at[strlen(opt)] : '-';
            if (next != '-' && !isalnum((unsigned char)next)) /* not --sync in --sync-standbys */
                p->line = p->lines[i];
        }
        goto done;
    }
    for (int f = 0; f < cfg.nfollowers; f++) {
        for (int i = 0; i < p->nfaults[f]; i++) {
            if (cfg.nfaults[f] == WV_SIM_MAX_FAULTS) {
                snprintf(msg, sizeof msg, "too many faults on %s", cfg.names[f]);
                goto done;
            }
            cfg.faults[f][cfg.nfaults[f]++] = p->faults[f][i];
        }
    }
    *out = cfg;
    memset(&out->raw, 0, sizeof out->raw); /* cfg's own, freed below */
    rc = 0;
done:
    wv_sim_cfg_destroy(&cfg);
    return rc < 0 ? fail(p, "%s", msg) : 0;
}

/* Splits s in place into at most max words; returns how many, or max + 1
 * when there are more. */
static int split_words(char *s, char **w, int max)
{
    int n = 0;
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (n == max)
            return max + 1;
        w[n++] = tok;
    }
    return n;
}

static int parse_time(parser *p, const char *s, int64_t *us)
{
    if (wv_parse_duration(s, us) < 0)
        return fail(p, "expected a time like 3.5s or 800ms, not '%s'", s);
    return 0;
}

static int parse_xid(parser *p, const char *s, uint32_t *xid)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || end == s || !isdigit((unsigned char)s[0]) || v > UINT32_MAX)
        return fail(p, "expected a transaction id (xid) like 740, not '%s'", s);
    *xid = (uint32_t)v;
    return 0;
}

/* `partition F from A to B`, `stop F at A`, `crash F from A to B`... */
static int parse_fault(parser *p, wv_fault_kind kind, char **w, int n)
{
    wv_fault fl = { kind, 0, WV_SIM_NEVER };
    bool span = n == 6 && strcmp(w[2], "from") == 0 && strcmp(w[4], "to") == 0;
    bool open = kind != WV_FAULT_PARTITION && n == 4 && strcmp(w[2], "at") == 0;
    if (!span && !open)
        return fail(p, "expected '%s FOLLOWER from TIME to TIME'", w[0]);
    wv_sim_cfg cfg;
    if (build_cfg(p, &cfg) < 0)
        return -1;
    int f = wv_sim_cfg_follower(&cfg, w[1]);
    if (f < 0)
        return fail(p, "'%s' is not a follower of this lesson (f1, f2..., or a name given by names =)",
                    w[1]);
    if (parse_time(p, w[3], &fl.from) < 0 || (span && parse_time(p, w[5], &fl.to) < 0))
        return -1;
    if (fl.to <= fl.from)
        return fail(p, "%s", "expected the fault to end after it starts");
    for (int i = 0; i < cfg.nfaults[f]; i++)
        if (cfg.faults[f][i].from < fl.to && fl.from < cfg.faults[f][i].to)
            return fail(p, "%s already has a fault then: one at a time per follower", w[1]);
    if (p->nfaults[f] == WV_SIM_MAX_FAULTS)
        return fail(p, "too many faults on %s", w[1]);
    p->faults[f][p->nfaults[f]++] = fl;
    return 0;
}

static int set_where(parser *p, lesson_step *s, where_kind kind)
{
    if (s->where != WHERE_NONE)
        return fail(p, "%s", "a step goes to one place: one 'at', 'step' or 'commit' line");
    s->where = kind;
    s->where_line = p->line;
    return 0;
}

/* One line of a step: a caption line or a directive. */
static int step_line(parser *p, lesson_step *s, char *line)
{
    if (line[0] == '>') {
        const char *text = line + 1;
        while (isspace((unsigned char)*text))
            text++;
        size_t have = s->caption ? strlen(s->caption) : 0;
        s->caption = wv_xrealloc(s->caption, have + strlen(text) + 2);
        snprintf(s->caption + have, strlen(text) + 2, "%s%s", have ? " " : "", text);
        return 0;
    }
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    char *w[8] = { NULL };
    int n = split_words(line, w, 7);
    const char *verb = w[0];
    if (strcmp(verb, "at") == 0 && n == 2)
        return set_where(p, s, WHERE_AT) < 0 ? -1 : parse_time(p, w[1], &s->at);
    if (strcmp(verb, "step") == 0 && n == 2) {
        char *end;
        s->nsteps = strtol(w[1], &end, 10);
        if (*end || end == w[1] || s->nsteps < 0 || s->nsteps > 1000000)
            return fail(p, "expected 'step N', N a count of step events from 0 to 1000000, not '%s'",
                        w[1]);
        return set_where(p, s, WHERE_STEPS);
    }
    if (strcmp(verb, "commit") == 0 && n == 2)
        return set_where(p, s, WHERE_COMMIT) < 0 ? -1 : parse_xid(p, w[1], &s->xid);
    if (strcmp(verb, "partition") == 0)
        return parse_fault(p, WV_FAULT_PARTITION, w, n);
    if (strcmp(verb, "stop") == 0)
        return parse_fault(p, WV_FAULT_STOP, w, n);
    if (strcmp(verb, "crash") == 0)
        return parse_fault(p, WV_FAULT_CRASH, w, n);
    if (strcmp(verb, "sync") == 0 && n == 2) {
        if (wv_sync_level_parse(w[1]) < 0)
            return fail(p, "expected 'sync LEVEL', off, local, remote_write, on or remote_apply, not "
                           "'%s'", w[1]);
        return add_option(p, "sync", w[1]);
    }
    if (strcmp(verb, "standbys") == 0 && n >= 2) {
        wv_sim_cfg cfg;
        const char *spec = copy + strlen("standbys");
        while (isspace((unsigned char)*spec))
            spec++;
        return add_option(p, "sync-standbys", spec) < 0 ? -1 : build_cfg(p, &cfg);
    }
    if (strcmp(verb, "failover") == 0) {
        wv_sim_cfg cfg;
        if (n == 2 && strcmp(w[1], "none") == 0)
            return add_option(p, "failover", "none");
        if (n != 5 || strcmp(w[1], "at") != 0 || strcmp(w[3], "to") != 0)
            return fail(p, "expected 'failover at TIME to FOLLOWER' (or 'failover none'), not '%s'", copy);
        int64_t at;
        if (parse_time(p, w[2], &at) < 0)
            return -1;
        char value[128];
        snprintf(value, sizeof value, "%s:%s", w[2], w[4]);
        return add_option(p, "failover", value) < 0 ? -1 : build_cfg(p, &cfg);
    }
    if (strcmp(verb, "sharding") == 0 && n == 2) {
        wv_sim_cfg cfg;
        if (strcmp(w[1], "on") != 0 && strcmp(w[1], "off") != 0)
            return fail(p, "expected 'sharding on' or 'sharding off', not '%s'", copy);
        if (add_option(p, "sharding", w[1]) < 0 || build_cfg(p, &cfg) < 0)
            return -1;
        bool none = cfg.nshards == 0;
        wv_sim_cfg_destroy(&cfg);
        return none ? fail(p, "%s", "'sharding' needs the shards named in the header: shard-by = COL % N") : 0;
    }
    if ((strcmp(verb, "view") == 0 || strcmp(verb, "reader") == 0) && n >= 2) {
        /* the rest of the line as written: SQL, or a reader */
        wv_sim_cfg cfg;
        const char *rest = copy + strlen(verb);
        while (isspace((unsigned char)*rest))
            rest++;
        if (add_option(p, verb, rest) < 0 || build_cfg(p, &cfg) < 0)
            return -1;
        return 0;
    }
    if (strcmp(verb, "select") == 0 && n == 3 && strcmp(w[1], "xid") == 0) {
        s->select_commit = true;
        s->select_line = p->line;
        return parse_xid(p, w[2], &s->select_xid);
    }
    if (strcmp(verb, "select") == 0 && n == 2) {
        wv_sim_cfg cfg;
        if (build_cfg(p, &cfg) < 0)
            return -1;
        s->select_follower = wv_sim_cfg_follower(&cfg, w[1]);
        s->select_line = p->line;
        /* not simulated: perhaps a real node of the recording (checked with it) */
        if (s->select_follower < 0 && snprintf(s->select_real, sizeof s->select_real, "%s", w[1]) >=
                                          (int)sizeof s->select_real)
            return fail(p, "'%s' is not a follower of this lesson (f1, f2..., or a name given by "
                           "names =)", w[1]);
        return 0;
    }
    if (strcmp(verb, "play") == 0 && n == 1) {
        s->play = true;
        return 0;
    }
    return fail(p, "expected a caption line ('> text') or one of: at TIME, step N, commit XID, "
                   "partition/stop/crash FOLLOWER ..., sync LEVEL, standbys SPEC, failover at TIME to "
                   "FOLLOWER, sharding on|off, view SQL, reader ..., select ..., play; not '%s'", copy);
}

/* A header line: `recording = FILE` or a simulation option. */
static int header_line(parser *p, char *line)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return fail(p, "expected 'NAME = VALUE' in the header (before the first ---), not '%s'", line);
    char *name = line, *value = eq + 1;
    for (*eq = '\0'; eq > name && isspace((unsigned char)eq[-1]);)
        *--eq = '\0';
    while (isspace((unsigned char)*value))
        value++;
    if (strcmp(name, "recording") == 0) {
        free(p->l->recording);
        p->l->recording = wv_xstrdup(value);
        return 0;
    }
    /* the value alone, here; the options together at the first step */
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char msg[600];
    int r = wv_sim_cfg_option(&cfg, name, value, msg, sizeof msg);
    wv_sim_cfg_destroy(&cfg);
    if (r == 1)
        return fail(p, "'%s' is not a simulation option (those of walviz replay, such as latency "
                       "or sync)", name);
    if (r < 0)
        return fail(p, "%s", msg);
    return add_option(p, name, value);
}

/* Closes the step being read: its configuration, and it needs a caption. */
static int end_step(parser *p, lesson_step *s)
{
    if (!s->caption)
        return fail(p, "%s", "expected a caption ('> text') in the step that ends here");
    return build_cfg(p, &s->cfg);
}

static int start_step(parser *p)
{
    wv_lesson *l = p->l;
    if (l->nsteps == 0) {
        if (!l->recording)
            return fail(p, "%s", "expected 'recording = FILE.wvr' in the header, before the first ---");
        if (build_cfg(p, &l->cfg) < 0)
            return -1;
    } else if (end_step(p, &l->steps[l->nsteps - 1]) < 0) {
        return -1;
    }
    if (l->nsteps == WV_LESSON_MAX_STEPS)
        return fail(p, "%s", "more steps than 99");
    lesson_step *s = &l->steps[l->nsteps++];
    memset(s, 0, sizeof *s);
    s->select_follower = -1;
    return 0;
}

wv_lesson *wv_lesson_parse(const char *name, const char *text, char *err, size_t errsz)
{
    wv_lesson *l = wv_xcalloc(1, sizeof *l);
    l->name = wv_xstrdup(name);
    l->steps = wv_xcalloc(WV_LESSON_MAX_STEPS, sizeof *l->steps);
    parser *p = wv_xcalloc(1, sizeof *p);
    *p = (parser){ .l = l, .err = err, .errsz = errsz };
    int rc = 0;
    for (const char *at = text; *at && rc == 0;) {
        const char *nl = strchr(at, '\n');
        size_t len = nl ? (size_t)(nl - at) : strlen(at);
        p->line++;
        char line[512];
        if (len >= sizeof line) {
            rc = fail(p, "%s", "a line longer than 511 characters");
            break;
        }
        memcpy(line, at, len);
        line[len] = '\0';
        at += len + (nl != NULL);
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        if (strcmp(s, "---") == 0)
            rc = start_step(p);
        else if (l->nsteps == 0)
            rc = header_line(p, s);
        else
            rc = step_line(p, &l->steps[l->nsteps - 1], s);
    }
    if (rc == 0 && l->nsteps == 0)
        rc = fail(p, "%s", "expected steps: a line '---', then the step's caption and what it shows");
    else if (rc == 0)
        rc = end_step(p, &l->steps[l->nsteps - 1]);
    for (int i = 0; i < p->nopts; i++) {
        free(p->names[i]);
        free(p->values[i]);
    }
    free(p);
    if (rc < 0) {
        wv_lesson_free(l);
        return NULL;
    }
    return l;
}

void wv_lesson_free(wv_lesson *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->nsteps; i++)
        free(l->steps[i].caption);
    free(l->steps);
    free(l->name);
    free(l->recording);
    free(l);
}

const char *wv_lesson_recording(const wv_lesson *l) { return l->recording; }
const wv_sim_cfg *wv_lesson_cfg(const wv_lesson *l) { return &l->cfg; }
int wv_lesson_steps(const wv_lesson *l) { return l->nsteps; }

const char *wv_lesson_caption(const wv_lesson *l, int n)
{
    WV_ASSERT(n >= 1 && n <= l->nsteps);
    return l->steps[n - 1].caption;
}

/* The COMMIT (or COMMIT PREPARED) of xid, or WV_ROWS_NONE. */
static size_t commit_of(const wv_sim *sim, uint32_t xid)
{
    for (size_t m = 0, n = wv_sim_count(sim); m < n; m++) {
        wv_op op = wv_sim_op(sim, m);
        uint32_t x;
        if ((op == WV_OP_COMMIT || op == WV_OP_COMMIT_PREPARED) && wv_sim_xid(sim, m, &x) && x == xid)
            return m;
    }
    return WV_ROWS_NONE;
}

int wv_lesson_check(const wv_lesson *l, const wv_sim *sim, char *err, size_t errsz)
{
    for (int i = 0; i < l->nsteps; i++) {
        const lesson_step *s = &l->steps[i];
        bool bad_where = s->where == WHERE_COMMIT && commit_of(sim, s->xid) == WV_ROWS_NONE;
        if (bad_where || (s->select_commit && commit_of(sim, s->select_xid) == WV_ROWS_NONE)) {
            snprintf(err, errsz, "%s:%d: no transaction %u commits in %s", l->name,
                     bad_where ? s->where_line : s->select_line, bad_where ? s->xid : s->select_xid,
                     l->recording);
            return -1;
        }
        if (s->select_real[0] && wv_sim_cfg_follower(wv_sim_config(sim), s->select_real) < 0) {
            snprintf(err, errsz, "%s:%d: '%s' is not a follower of this lesson (f1, f2..., a name given by "
                     "names =, or a real node of %s)", l->name, s->select_line, s->select_real, l->recording);
            return -1;
        }
    }
    return 0;
}

void wv_lesson_show(const wv_lesson *l, int n, wv_ctl *c)
{
    WV_ASSERT(n >= 1 && n <= l->nsteps);
    const lesson_step *s = &l->steps[n - 1];
    const wv_sim_cfg *want = &s->cfg, *have = wv_sim_config(c->sim);
    /* the step's faults and levels, whatever the last step left */
    for (int f = 0; f < want->nfollowers; f++)
        if (have->nfaults[f] != want->nfaults[f] ||
            memcmp(have->faults[f], want->faults[f], (size_t)want->nfaults[f] * sizeof want->faults[f][0]))
            wv_sim_set_faults(c->sim, f, want->faults[f], want->nfaults[f]);
    wv_sim_set_standbys(c->sim, want->sync_any, want->nsync_standbys ? want->sync_num : 0,
                        want->sync_standbys, want->nsync_standbys);
    wv_sim_set_sync(c->sim, want->sync);
    if (have->failover_at != want->failover_at || have->failover_to != want->failover_to)
        wv_sim_set_failover(c->sim, want->failover_at, want->failover_to);
    wv_sim_set_sharding(c->sim, !want->sharding_off);
    wv_sim_set_reports(c->sim, want);

    /* where: the last place a step up to this one named, else the start */
    const lesson_step *w = s;
    while (w > l->steps && w->where == WHERE_NONE)
        w--;
    int64_t end = wv_ctl_end(c);
    wv_timeline_seek(&c->tl, 0, end);
    if (w->where == WHERE_AT)
        wv_timeline_seek(&c->tl, w->at, end);
    else if (w->where == WHERE_COMMIT)
        wv_timeline_seek(&c->tl, wv_sim_leader_time(c->sim, commit_of(c->sim, w->xid)), end);
    for (long i = 0; w->where == WHERE_STEPS && i < w->nsteps; i++)
        wv_timeline_step(&c->tl, c->sim, 1, WV_STEP_ALL, 0, end);
    c->tl.playing = s->play;

    wv_view *v = &c->view;
    v->selected_follower = s->select_real[0] ? wv_sim_cfg_follower(wv_sim_config(c->sim), s->select_real)
                                              : s->select_follower;
    v->selected_msg = s->select_commit ? commit_of(c->sim, s->select_xid) : WV_ROWS_NONE;
    v->started = true;
    v->lesson_caption = s->caption;
    v->lesson_step = n;
    v->lesson_steps = l->nsteps;
}

bool wv_lesson_action(void *player, wv_action act, char *notice, size_t noticesz)
{
    wv_lesson_player *p = player;
    if (act != WV_ACT_PAGE_NEXT && act != WV_ACT_PAGE_PREV)
        return false;
    int n = p->step + (act == WV_ACT_PAGE_NEXT ? 1 : -1);
    if (n < 1 || n > wv_lesson_steps(p->lesson)) {
        snprintf(notice, noticesz, n < 1 ? "the lesson's first step" : "the lesson's last step");
        return true;
    }
    p->step = n;
    wv_lesson_show(p->lesson, n, p->ctl);
    return true;
}
