/* rows: see include/walviz/rows.h. */
#include "walviz/rows.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct version {
    size_t msg, vis;
    bool exists;
} version;

typedef struct key {
    size_t table; /* WV_ROWS_NONE once dropped by a re-key */
    char *text;
    version *v;
    size_t nv, cap;
} key;

typedef struct mark {
    size_t msg, vis, key;
} mark;

typedef struct table {
    char *schema_raw, *name_raw; /* as printed, to match changes */
    char *display;
    char **keycols; /* unquoted names; NULL: the first column */
    size_t nkeycols;
    mark *touches; /* every change, in stream order (key of its new row) */
    size_t ntouches, touches_cap;
    mark *truncs;
    size_t ntruncs, truncs_cap;
} table;

struct wv_rows {
    table *tables;
    size_t ntables;
    key *keys;
    size_t nkeys, keys_cap;
    size_t *slots; /* open addressing: key index + 1, 0 empty */
    size_t nslots;
    size_t *msg_key; /* msg -> key of its new row */
    size_t msg_key_cap;
    wv_rows_text_fn text;
    void *ctx;
    wv_decoder *dec;
    wv_buf scratch;
};

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 8;                                  \
            (arr) = wv_xrealloc((arr), (cap) * sizeof *(arr));              \
        }                                                                   \
    } while (0)

wv_rows *wv_rows_new(wv_rows_text_fn text, void *ctx)
{
    wv_rows *r = wv_xcalloc(1, sizeof *r);
    r->text = text;
    r->ctx = ctx;
    r->dec = wv_decode_new();
    wv_buf_init(&r->scratch);
    return r;
}

void wv_rows_free(wv_rows *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++) {
        table *t = &r->tables[i];
        free(t->schema_raw);
        free(t->name_raw);
        free(t->display);
        for (size_t k = 0; k < t->nkeycols; k++)
            free(t->keycols[k]);
        free(t->keycols);
        free(t->touches);
        free(t->truncs);
    }
    for (size_t i = 0; i < r->nkeys; i++) {
        free(r->keys[i].text);
        free(r->keys[i].v);
    }
    free(r->tables);
    free(r->keys);
    free(r->slots);
    free(r->msg_key);
    wv_decode_free(r->dec);
    wv_buf_destroy(&r->scratch);
    free(r);
}

static uint64_t hash_key(size_t tbl, const char *text)
{
    uint64_t h = 1469598103934665603ULL ^ tbl;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static void rehash(wv_rows *r, size_t nslots)
{
    free(r->slots);
    r->nslots = nslots;
    r->slots = wv_xcalloc(nslots, sizeof *r->slots);
    for (size_t i = 0; i < r->nkeys; i++) {
        if (r->keys[i].table == WV_ROWS_NONE)
            continue;
        size_t s = hash_key(r->keys[i].table, r->keys[i].text) & (nslots - 1);
        while (r->slots[s])
            s = (s + 1) & (nslots - 1);
        r->slots[s] = i + 1;
    }
}

static size_t lookup(const wv_rows *r, size_t tbl, const char *text, size_t *slot)
{
    if (!r->nslots)
        return WV_ROWS_NONE;
    size_t s = hash_key(tbl, text) & (r->nslots - 1);
    for (; r->slots[s]; s = (s + 1) & (r->nslots - 1)) {
        const key *k = &r->keys[r->slots[s] - 1];
        if (k->table == tbl && strcmp(k->text, text) == 0)
            return r->slots[s] - 1;
    }
    if (slot)
        *slot = s;
    return WV_ROWS_NONE;
}

static size_t intern(wv_rows *r, size_t tbl, const char *text)
{
    if (r->nkeys * 2 >= r->nslots)
        rehash(r, r->nslots ? r->nslots * 2 : 1024);
    size_t slot = 0;
    size_t id = lookup(r, tbl, text, &slot);
    if (id != WV_ROWS_NONE)
        return id;
    GROW(r->keys, r->nkeys, r->keys_cap);
    key *k = &r->keys[r->nkeys];
    memset(k, 0, sizeof *k);
    k->table = tbl;
    k->text = wv_xstrdup(text);
    r->slots[slot] = ++r->nkeys;
    return r->nkeys - 1;
}

static char *unquote_ident(wv_slice s)
{
    char *out = wv_xmalloc(s.len + 1);
    out[wv_decode_ident(s, out)] = '\0';
    return out;
}

static size_t find_table(const wv_rows *r, const wv_relname *rel)
{
    for (size_t i = 0; i < r->ntables; i++) {
        const table *t = &r->tables[i];
        if (wv_slice_eq(rel->table, t->name_raw) &&
            (rel->schema.ptr ? wv_slice_eq(rel->schema, t->schema_raw) : !*t->schema_raw))
            return i;
    }
    return WV_ROWS_NONE;
}

static size_t table_for(wv_rows *r, const wv_relname *rel)
{
    size_t i = find_table(r, rel);
    if (i != WV_ROWS_NONE)
        return i;
    r->tables = wv_xrealloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
    table *t = &r->tables[r->ntables];
    memset(t, 0, sizeof *t);
    t->schema_raw = rel->schema.ptr ? wv_slice_dup(rel->schema) : wv_xstrdup("");
    t->name_raw = wv_slice_dup(rel->table);
    char *schema = unquote_ident(rel->schema.ptr ? rel->schema : (wv_slice){ "", 0 });
    char *name = unquote_ident(rel->table);
    if (!*schema || strcmp(schema, "public") == 0) {
        t->display = name;
    } else {
        size_t n = strlen(schema) + strlen(name) + 2;
        t->display = wv_xmalloc(n);
        strcpy(t->display, schema);
        strcat(t->display, ".");
        strcat(t->display, name);
        free(name);
    }
    free(schema);
    return r->ntables++;
}

size_t wv_rows_table_of(const wv_rows *r, const wv_change *c)
{
    if (c->op != WV_OP_INSERT && c->op != WV_OP_UPDATE && c->op != WV_OP_DELETE)
        return WV_ROWS_NONE;
    return find_table(r, &c->rel);
}

/* "id=7" or "a=1, b=x": the key column values of a tuple, as text. */
static const char *key_text(wv_rows *r, const table *t, const wv_tuple *tup)
{
    wv_buf *b = &r->scratch;
    b->len = 0;
    size_t n = t->keycols ? t->nkeycols : (tup->ncols ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        const wv_column *col = NULL;
        char *name = NULL;
        if (t->keycols) {
            for (size_t c = 0; c < tup->ncols && !col; c++) {
                char *cn = unquote_ident(tup->cols[c].name);
                if (strcmp(cn, t->keycols[i]) == 0)
                    col = &tup->cols[c];
                free(cn);
            }
            name = wv_xstrdup(t->keycols[i]);
        } else {
            col = &tup->cols[0];
            name = unquote_ident(col->name);
        }
        if (i)
            wv_buf_puts(b, ", ");
        wv_buf_puts(b, name);
        wv_buf_puts(b, "=");
        free(name);
        if (!col || col->kind == WV_VAL_NULL) {
            wv_buf_puts(b, "null");
        } else if (col->kind == WV_VAL_TOAST) {
            wv_buf_puts(b, "?");
        } else {
            char *v = wv_buf_reserve(b, col->value.len + 1);
            size_t len = col->kind == WV_VAL_BARE ? (memcpy(v, col->value.ptr, col->value.len), col->value.len)
                                                  : wv_decode_literal(col->value, false, v);
            b->len += len;
        }
    }
    wv_buf_append(b, "", 1);
    return b->data;
}

static void add_version(wv_rows *r, size_t k, size_t msg, size_t vis, bool exists)
{
    key *kk = &r->keys[k];
    if (kk->nv == kk->cap) { /* most rows have a version or two: start small */
        kk->cap = kk->cap ? kk->cap * 2 : 1;
        kk->v = wv_xrealloc(kk->v, kk->cap * sizeof *kk->v);
    }
    kk->v[kk->nv++] = (version){ msg, vis, exists };
}

static void touch(wv_rows *r, size_t tbl, size_t msg, size_t vis, size_t k)
{
    table *t = &r->tables[tbl];
    GROW(t->touches, t->ntouches, t->touches_cap);
    t->touches[t->ntouches++] = (mark){ msg, vis, k };
    if (msg >= r->msg_key_cap) {
        size_t cap = r->msg_key_cap ? r->msg_key_cap : 1024;
        while (cap <= msg)
            cap *= 2;
        r->msg_key = wv_xrealloc(r->msg_key, cap * sizeof *r->msg_key);
        for (size_t i = r->msg_key_cap; i < cap; i++)
            r->msg_key[i] = WV_ROWS_NONE;
        r->msg_key_cap = cap;
    }
    r->msg_key[msg] = k;
}

static void apply_row_change(wv_rows *r, size_t tbl, const wv_change *c, size_t msg, size_t vis)
{
    table *t = &r->tables[tbl];
    switch (c->op) {
    case WV_OP_INSERT:
        if (c->new_tuple.present && c->new_tuple.ncols) {
            size_t k = intern(r, tbl, key_text(r, t, &c->new_tuple));
            add_version(r, k, msg, vis, true);
            touch(r, tbl, msg, vis, k);
        }
        break;
    case WV_OP_UPDATE: {
        if (!c->new_tuple.present || !c->new_tuple.ncols)
            break;
        size_t k = intern(r, tbl, key_text(r, t, &c->new_tuple));
        if (c->old_tuple.present && c->old_tuple.ncols) {
            size_t old = intern(r, tbl, key_text(r, t, &c->old_tuple));
            if (old != k) {
                add_version(r, old, msg, vis, false);
                touch(r, tbl, msg, vis, old);
            }
        }
        add_version(r, k, msg, vis, true);
        touch(r, tbl, msg, vis, k);
        break;
    }
    case WV_OP_DELETE:
        if (c->old_tuple.present && c->old_tuple.ncols) {
            size_t k = intern(r, tbl, key_text(r, t, &c->old_tuple));
            add_version(r, k, msg, vis, false);
            touch(r, tbl, msg, vis, k);
        }
        break;
    default:
        break;
    }
}

/* The stream showed the table's key columns after rows were keyed by the
 * first column: drop those keys and replay the table's changes. */
static void rekey(wv_rows *r, size_t tbl)
{
    table *t = &r->tables[tbl];
    mark *old = t->touches;
    size_t n = t->ntouches;
    t->touches = NULL;
    t->ntouches = t->touches_cap = 0;
    for (size_t i = 0; i < r->nkeys; i++) {
        if (r->keys[i].table == tbl) {
            r->keys[i].table = WV_ROWS_NONE;
            r->keys[i].nv = 0;
        }
    }
    rehash(r, r->nslots);
    size_t last_msg = WV_ROWS_NONE;
    for (size_t i = 0; i < n; i++) {
        if (old[i].msg == last_msg)
            continue; /* an UPDATE touches twice; replay it once */
        last_msg = old[i].msg;
        wv_slice text = r->text(r->ctx, old[i].msg);
        wv_change c;
        if (wv_decode_message(r->dec, text.ptr, text.len, &c) == WV_DECODE_OK)
            apply_row_change(r, tbl, &c, old[i].msg, old[i].vis);
    }
    free(old);
}

static void learn_key_columns(wv_rows *r, size_t tbl, const wv_tuple *tup)
{
    table *t = &r->tables[tbl];
    if (t->keycols || !tup->present || !tup->ncols)
        return;
    t->keycols = wv_xcalloc(tup->ncols, sizeof(char *));
    for (size_t i = 0; i < tup->ncols; i++)
        t->keycols[i] = unquote_ident(tup->cols[i].name);
    t->nkeycols = tup->ncols;
    if (t->ntouches)
        rekey(r, tbl);
}

void wv_rows_apply(wv_rows *r, const wv_change *c, size_t msg, size_t vis)
{
    if (c->op == WV_OP_TRUNCATE) {
        for (size_t i = 0; i < c->ntables; i++) {
            size_t ti = table_for(r, &c->tables[i]); /* may move r->tables */
            table *t = &r->tables[ti];
            GROW(t->truncs, t->ntruncs, t->truncs_cap);
            t->truncs[t->ntruncs++] = (mark){ msg, vis, WV_ROWS_NONE };
        }
        return;
    }
    if (c->op != WV_OP_INSERT && c->op != WV_OP_UPDATE && c->op != WV_OP_DELETE)
        return;
    size_t tbl = table_for(r, &c->rel);
    if (c->op == WV_OP_UPDATE)
        learn_key_columns(r, tbl, &c->old_tuple);
    else if (c->op == WV_OP_DELETE)
        learn_key_columns(r, tbl, &c->old_tuple);
    apply_row_change(r, tbl, c, msg, vis);
}

size_t wv_rows_table_count(const wv_rows *r)
{
    return r->ntables;
}

const char *wv_rows_table_name(const wv_rows *r, size_t tbl)
{
    return tbl < r->ntables ? r->tables[tbl].display : "?";
}

size_t wv_rows_find(const wv_rows *r, size_t tbl, const char *text)
{
    return lookup(r, tbl, text, NULL);
}

const char *wv_rows_key_text(const wv_rows *r, size_t k)
{
    return k < r->nkeys ? r->keys[k].text : "?";
}

/* The last truncate of the table visible as of k, or NULL. */
static const mark *last_truncate(const table *t, size_t k)
{
    const mark *found = NULL;
    for (size_t i = 0; i < t->ntruncs && t->truncs[i].vis < k; i++)
        found = &t->truncs[i];
    return found;
}

/* How many of n records (stride bytes apart, versions or marks: both
 * start with msg and vis) are visible as of k; vis is non-decreasing. */
static size_t count_visible(const void *base, size_t n, size_t stride, size_t k)
{
    _Static_assert(offsetof(version, vis) == offsetof(mark, vis), "vis at one place");
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *rec = (const char *)base + mid * stride;
        if (*(const size_t *)(rec + offsetof(mark, vis)) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

wv_row wv_rows_read(const wv_rows *r, size_t k_id, size_t k)
{
    wv_row row = { false, WV_ROWS_NONE, WV_ROWS_NONE };
    if (k_id >= r->nkeys || r->keys[k_id].table == WV_ROWS_NONE)
        return row;
    const key *kk = &r->keys[k_id];
    /* versions are in stream order; find the last one visible as of k */
    size_t lo = count_visible(kk->v, kk->nv, sizeof *kk->v, k);
    if (lo == 0)
        return row;
    const version *v = &kk->v[lo - 1];
    const mark *tr = last_truncate(&r->tables[kk->table], k);
    row.msg = v->msg;
    row.vis = v->vis;
    row.exists = v->exists && !(tr && tr->msg > v->msg);
    return row;
}

size_t wv_rows_recent(const wv_rows *r, size_t tbl, size_t k, size_t *keys, size_t max)
{
    if (tbl >= r->ntables)
        return 0;
    const table *t = &r->tables[tbl];
    size_t lo = count_visible(t->touches, t->ntouches, sizeof *t->touches, k);
    const mark *tr = last_truncate(t, k);
    size_t n = 0;
    for (size_t i = lo; i-- > 0 && n < max;) {
        if (tr && t->touches[i].msg < tr->msg)
            break;
        size_t kid = t->touches[i].key;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = keys[j] == kid;
        if (!dup && r->keys[kid].table == tbl)
            keys[n++] = kid;
    }
    return n;
}

size_t wv_rows_key_of(const wv_rows *r, size_t msg)
{
    return msg < r->msg_key_cap ? r->msg_key[msg] : WV_ROWS_NONE;
}
