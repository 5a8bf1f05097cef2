/* sim_view: a view (view.h) over the simulation's rows; see sim.h.
 *
 * Evaluating as of k reads every key of the view's table as of k and
 * decodes the message holding its version: rows keep versions, not
 * values (see rows.h), so the values are read from the stream's text,
 * each message once per evaluation. Answers are cached by k, which is all
 * that distinguishes one node's rows from another's. */
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/sim.h"
#include "walviz/util.h"

#define CACHED 8 /* answers kept: the leader, eight followers mostly share a few k */

typedef struct cached {
    size_t k;
    uint64_t used; /* 0: empty */
    wv_view_answer *a;
} cached;

struct wv_sim_view {
    const wv_sim *sim;
    const wv_view_query *q;
    wv_decoder *dec;
    size_t *keys;
    size_t cap;
    cached cache[CACHED];
    uint64_t uses;
    size_t partial_keys; /* keys checked for wv_sim_view_partial */
    bool partial;
};

wv_sim_view *wv_sim_view_new(const wv_sim *s, const wv_view_query *q)
{
    wv_sim_view *v = wv_xcalloc(1, sizeof *v);
    v->sim = s;
    v->q = q;
    v->dec = wv_decode_new();
    for (int i = 0; i < CACHED; i++)
        v->cache[i].a = wv_view_answer_new(q);
    return v;
}

void wv_sim_view_free(wv_sim_view *v)
{
    if (!v)
        return;
    for (int i = 0; i < CACHED; i++)
        wv_view_answer_free(v->cache[i].a);
    wv_decode_free(v->dec);
    free(v->keys);
    free(v);
}

const wv_view_query *wv_sim_view_query(const wv_sim_view *v) { return v->q; }

/* The view's table in the rows, or WV_ROWS_NONE while the stream has not
 * shown it (live, it may appear later). */
static size_t view_table(const wv_sim_view *v)
{
    const wv_rows *rows = wv_sim_rows(v->sim);
    for (size_t t = 0, n = wv_rows_table_count(rows); t < n; t++)
        if (strcmp(wv_rows_table_name(rows, t), wv_view_table(v->q)) == 0)
            return t;
    return WV_ROWS_NONE;
}

/* Every key of the view's table into v->keys; returns how many. */
static size_t table_keys(wv_sim_view *v, size_t tbl)
{
    const wv_rows *rows = wv_sim_rows(v->sim);
    size_t n = wv_rows_keys(rows, tbl, v->keys, v->cap);
    if (n > v->cap) {
        v->cap = n;
        v->keys = wv_xrealloc(v->keys, n * sizeof *v->keys);
        wv_rows_keys(rows, tbl, v->keys, v->cap);
    }
    return n;
}

void wv_sim_view_rows(wv_sim_view *v, size_t k, bool (*keep)(void *ctx, size_t key), void *ctx,
                      wv_view_answer *a)
{
    wv_view_answer_clear(a);
    size_t tbl = view_table(v);
    if (tbl == WV_ROWS_NONE)
        return;
    const wv_rows *rows = wv_sim_rows(v->sim);
    const char *const *names;
    size_t ninputs = wv_view_inputs(v->q, &names);
    size_t n = table_keys(v, tbl);
    for (size_t i = 0; i < n; i++) {
        wv_row row = wv_rows_read(rows, v->keys[i], k);
        if (!row.exists || (keep && !keep(ctx, v->keys[i])))
            continue;
        wv_slice text = wv_sim_text(v->sim, row.msg);
        wv_change c;
        if (wv_decode_message(v->dec, text.ptr, text.len, &c) != WV_DECODE_OK)
            continue; /* the simulation holds decoded messages only */
        const wv_tuple *t = wv_change_row(&c);
        const wv_column *cols[WV_VIEW_MAX_ITEMS + 2] = { NULL };
        for (size_t col = 0; col < t->ncols; col++) {
            char name[128];
            wv_column_name(&t->cols[col], name, sizeof name);
            for (size_t in = 0; in < ninputs; in++)
                if (!cols[in] && strcmp(name, names[in]) == 0)
                    cols[in] = &t->cols[col];
        }
        wv_view_add(a, cols);
    }
}

const wv_view_answer *wv_sim_view_at(wv_sim_view *v, size_t k)
{
    cached *victim = &v->cache[0];
    for (int i = 0; i < CACHED; i++) {
        cached *c = &v->cache[i];
        if (c->used && c->k == k) {
            c->used = ++v->uses;
            return c->a;
        }
        if (c->used < victim->used)
            victim = c;
    }
    wv_sim_view_rows(v, k, NULL, NULL, victim->a);
    victim->k = k;
    victim->used = ++v->uses;
    return victim->a;
}

bool wv_sim_view_partial(wv_sim_view *v)
{
    size_t tbl = view_table(v);
    if (tbl == WV_ROWS_NONE || v->partial)
        return v->partial;
    const wv_rows *rows = wv_sim_rows(v->sim);
    size_t n = table_keys(v, tbl);
    if (n == v->partial_keys)
        return v->partial; /* no new key since the last look */
    v->partial_keys = n;
    for (size_t i = 0; i < n && !v->partial; i++) {
        size_t m = wv_rows_first_msg(rows, v->keys[i]);
        v->partial = m != WV_ROWS_NONE && wv_sim_op(v->sim, m) != WV_OP_INSERT;
    }
    return v->partial;
}
