/* sim_shard: followers as shards (see the sharding paragraph of sim.h).
 *
 * Where a message goes is a fact of the message, decided once when it
 * enters (sim_shard_change, from its decoded record): a bit per shard in
 * msg.shards, and the shard holding the row it writes in msg.owner. A
 * transaction's BEGIN and COMMIT get the union of its messages' bits when
 * it closes, with the running counts that let the picture count what a
 * shard gets in a range of the stream without walking it. Scheduling
 * asks wv_sim_gets per follower and message, so switching sharding off
 * and on is a reschedule, with no message decoded again. */
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVERY_SHARD 0xFF

/* The remainder of a value printed bare (a number) by PostgreSQL's %:
 * the sign of the dividend (-4 % 3 = -1). 1 with *rem set, 0 for a
 * fraction (3.5 % 3 is 0.5: no shard's filter is true), -1 for what is
 * not a number (no % on that type: PostgreSQL refuses such a filter). */
static int remainder_of(const wv_column *col, int mod, long *rem)
{
    if (col->kind != WV_VAL_BARE)
        return -1;
    const char *p = col->value.ptr, *end = p + col->value.len;
    bool neg = p < end && *p == '-';
    p += neg;
    if (p == end || *p < '0' || *p > '9')
        return -1;
    long r = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        r = (r * 10 + (*p - '0')) % mod; /* digit by digit: any length */
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
            if (*p != '0')
                return 0;
    if (p != end)
        return -1; /* 1e3, NaN, Infinity: not modelled */
    *rem = neg ? -r : r;
    return 1;
}

/* The shard of a tuple: WV_SHARD_NONE for NULL, a negative remainder or
 * a fraction, WV_SHARD_EVERY when the tuple lacks the column (or its value
 * is no number). */
static int shard_of(const wv_sim *s, const wv_tuple *t)
{
    if (!t->present)
        return WV_SHARD_EVERY;
    char name[sizeof s->cfg.shard_col + 2];
    for (size_t i = 0; i < t->ncols; i++) {
        const wv_column *col = &t->cols[i];
        if (col->name.len >= sizeof name)
            continue;
        name[wv_decode_ident(col->name, name)] = '\0';
        if (strcmp(name, s->cfg.shard_col) != 0)
            continue;
        if (col->kind == WV_VAL_NULL)
            return WV_SHARD_NONE; /* NULL % 3 = k is not true */
        long rem = 0;
        int r = remainder_of(col, s->cfg.nshards, &rem);
        return r < 0 ? WV_SHARD_EVERY : r == 0 || rem < 0 ? WV_SHARD_NONE : (int)rem;
    }
    return WV_SHARD_EVERY;
}

static uint8_t bit_of(int shard)
{
    return shard == WV_SHARD_EVERY ? EVERY_SHARD : shard == WV_SHARD_NONE ? 0 : (uint8_t)(1u << shard);
}

void sim_shard_change(const wv_sim *s, const wv_change *c, msg *mm)
{
    mm->shards = EVERY_SHARD;
    mm->owner = WV_SHARD_EVERY;
    if (!s->cfg.nshards || (c->op != WV_OP_INSERT && c->op != WV_OP_UPDATE && c->op != WV_OP_DELETE))
        return;
    if (c->op == WV_OP_DELETE) {
        mm->owner = (int8_t)shard_of(s, &c->old_tuple);
        mm->shards = bit_of(mm->owner);
        return;
    }
    mm->owner = (int8_t)shard_of(s, &c->new_tuple);
    mm->shards = bit_of(mm->owner);
    /* An UPDATE that moves its row: the old shard gets it too (as a
     * DELETE); without old-key the key, and so the shard, is unchanged. */
    if (c->op == WV_OP_UPDATE && c->old_tuple.present)
        mm->shards |= bit_of(shard_of(s, &c->old_tuple));
}

void sim_shard_close(wv_sim *s, size_t u)
{
    if (!s->cfg.nshards)
        return;
    txn *t = &s->txns[u];
    msg *first = &s->msgs[t->first], *last = &s->msgs[t->last];
    /* Only a plain BEGIN..COMMIT is skipped when empty: PostgreSQL 15
     * sends a two-phase transaction's BEGIN PREPARE at once, and the
     * blocks of a streamed one whatever they hold. */
    if (first->op == WV_OP_BEGIN && last->op == WV_OP_COMMIT && t->last > t->first) {
        uint8_t any = 0;
        for (size_t m = t->first + 1; m < t->last; m++)
            any |= s->msgs[m].shards;
        first->shards = last->shards = any;
    }
    for (int k = 0; k < s->cfg.nshards; k++) {
        s->gets_before[k] = wv_xrealloc(s->gets_before[k], (s->stage_cap + 1) * sizeof(uint32_t));
        uint32_t *g = s->gets_before[k];
        if (t->first == 0)
            g[0] = 0;
        for (size_t m = t->first; m <= t->last; m++)
            g[m + 1] = g[m] + ((s->msgs[m].shards >> k) & 1);
    }
}

bool wv_sim_sharded(const wv_sim *s)
{
    return s->cfg.nshards > 0 && !s->cfg.sharding_off;
}

bool wv_sim_gets(const wv_sim *s, int f, size_t m)
{
    return !wv_sim_sharded(s) || f >= s->cfg.nshards || ((s->msgs[m].shards >> f) & 1);
}

size_t wv_sim_gets_count(const wv_sim *s, int f, size_t first, size_t end)
{
    if (end <= first)
        return 0;
    if (!wv_sim_sharded(s) || f >= s->cfg.nshards)
        return end - first;
    return s->gets_before[f][end] - s->gets_before[f][first];
}

static bool gets_fewer(const probe *q, size_t i)
{
    return q->s->gets_before[q->f][i] < q->key;
}

size_t wv_sim_gets_last(const wv_sim *s, int f, size_t end)
{
    if (!wv_sim_sharded(s) || f >= s->cfg.nshards)
        return end ? end - 1 : WV_ROWS_NONE;
    /* the first m with as many before it as before end: m - 1 is the one */
    probe q = { .s = s, .f = f, .key = s->gets_before[f][end] };
    size_t m = sim_prefix_len(end + 1, gets_fewer, &q);
    return m ? m - 1 : WV_ROWS_NONE;
}

static bool gets_none_since(const probe *q, size_t i)
{
    return q->s->gets_before[q->f][i + 1] <= q->key;
}

size_t sim_shard_next(const wv_sim *s, int f, size_t from)
{
    if (!wv_sim_sharded(s) || f >= s->cfg.nshards || from >= s->nmsgs)
        return from;
    /* the first i with more before i + 1 than before from: i >= from */
    probe q = { .s = s, .f = f, .key = s->gets_before[f][from] };
    return sim_prefix_len(s->nmsgs, gets_none_since, &q);
}

bool wv_sim_moves_away(const wv_sim *s, int f, size_t m)
{
    const msg *mm = &s->msgs[m];
    return wv_sim_sharded(s) && f < s->cfg.nshards && mm->op == WV_OP_UPDATE && mm->owner != f &&
           ((mm->shards >> f) & 1);
}

wv_op wv_sim_op_on(const wv_sim *s, int f, size_t m)
{
    const msg *mm = &s->msgs[m];
    if (mm->op != WV_OP_UPDATE || !wv_sim_sharded(s) || f >= s->cfg.nshards || mm->shards == EVERY_SHARD)
        return (wv_op)mm->op;
    if (wv_sim_moves_away(s, f, m))
        return WV_OP_DELETE;
    /* the new shard gets an INSERT when the old one is another */
    return mm->shards != bit_of(mm->owner) ? WV_OP_INSERT : WV_OP_UPDATE;
}

int wv_sim_row_shard(const wv_sim *s, size_t m)
{
    return wv_sim_sharded(s) ? s->msgs[m].owner : WV_SHARD_EVERY;
}

/* A message the shard does not get leaves nothing on its link: it is
 * passed when the one before it is, or when it leaves the leader. (In
 * PostgreSQL the walsender's keepalives carry the position past what it
 * skipped, a trip later.) */
void sim_shard_skip(wv_sim *s, int f, size_t m, int64_t ready)
{
    for (int st = 0; st < WV_STAGE_COUNT; st++) {
        int64_t prev = m > 0 ? sim_stage_at(s, f, m - 1, (wv_stage)st) : ready;
        sim_set_stage(s, f, m, (wv_stage)st, sim_max64(prev, ready));
    }
    sim_set_resent(s, f, m, false);
}

void wv_sim_set_sharding(wv_sim *s, bool on)
{
    if (!s->cfg.nshards || s->cfg.sharding_off == !on)
        return;
    s->cfg.sharding_off = !on;
    for (int f = 0; f < s->cfg.nshards; f++)
        sim_reschedule_follower(s, f);
    sim_recompute_acks(s, 0);
}

bool wv_sim_holds(const wv_sim *s, int node, wv_row row)
{
    int f = node - 1;
    if (node == WV_SIM_LEADER || !wv_sim_sharded(s) || f >= s->cfg.nshards)
        return true;
    if (row.msg >= s->nmsgs)
        return false; /* no version: nothing to hold */
    if (!row.exists && s->msgs[row.msg].op == WV_OP_UPDATE)
        return wv_sim_moves_away(s, f, row.msg); /* the old key of a moved row: where it was */
    int owner = s->msgs[row.msg].owner;
    return owner == f || owner == WV_SHARD_EVERY;
}

size_t wv_sim_count_rows(const wv_sim *s, int node, size_t table, int64_t t)
{
    size_t k = wv_sim_visible(s, node, t), count = 0;
    size_t n = wv_rows_keys(s->rows, table, NULL, 0);
    size_t *keys = wv_xmalloc((n ? n : 1) * sizeof *keys);
    wv_rows_keys(s->rows, table, keys, n);
    for (size_t i = 0; i < n; i++) {
        wv_row row = wv_rows_read(s->rows, keys[i], k);
        count += row.exists && wv_sim_holds(s, node, row);
    }
    free(keys);
    return count;
}

int wv_sim_shard_of_node(const wv_sim *s, int node)
{
    return wv_sim_sharded(s) && node >= 1 && node <= s->cfg.nshards ? node - 1 : -1;
}

/* wv_sim_view_rows' filter: the rows a shard holds as of k. */
typedef struct part {
    const wv_sim *s;
    int shard;
    size_t k;
} part;

static bool in_part(void *ctx, size_t key)
{
    const part *p = ctx;
    return wv_sim_holds(p->s, p->shard + 1, wv_rows_read(p->s->rows, key, p->k));
}

void wv_sim_part_answer(const wv_sim *s, wv_sim_view *v, int shard, size_t k, wv_view_answer *a)
{
    part p = { s, shard, k };
    wv_sim_view_rows(v, k, shard < 0 ? NULL : in_part, &p, a);
}

void wv_sim_gather(const wv_sim *s, wv_sim_view *v, int64_t t, wv_view_answer *a, wv_view_answer *scratch)
{
    wv_view_answer_clear(a);
    for (int f = 0; f < s->cfg.nshards; f++) {
        wv_sim_part_answer(s, v, f, wv_sim_readable(s, f + 1, t), scratch);
        wv_view_merge(a, scratch);
    }
}

size_t wv_sim_node_seen(const wv_sim *s, int node, int64_t t)
{
    if (node <= s->cfg.nfollowers)
        return wv_sim_readable(s, node, t);
    size_t k = wv_sim_readable(s, WV_SIM_LEADER, t);
    for (int f = 0; f < s->cfg.nshards; f++)
        if (wv_sim_readable(s, f + 1, t) < k)
            k = wv_sim_readable(s, f + 1, t);
    return k;
}

void wv_sim_node_answer(const wv_sim *s, wv_sim_view *v, int node, int64_t t, const char *lead, wv_view_answer *mine,
                        wv_view_answer *scratch, char *ans, char *want, size_t sz)
{
    int shard = wv_sim_shard_of_node(s, node);
    snprintf(want, sz, "%s", lead);
    if (node > s->cfg.nfollowers) {
        wv_sim_gather(s, v, t, mine, scratch);
        wv_view_answer_line(mine, ans, sz);
    } else if (shard >= 0) {
        wv_sim_part_answer(s, v, shard, wv_sim_readable(s, node, t), mine);
        wv_view_answer_line(mine, ans, sz);
        wv_sim_part_answer(s, v, shard, wv_sim_readable(s, WV_SIM_LEADER, t), scratch);
        wv_view_answer_line(scratch, want, sz);
    } else {
        wv_view_answer_line(wv_sim_view_at(v, node, t), ans, sz);
    }
}
