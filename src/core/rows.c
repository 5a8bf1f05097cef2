/* rows: see include/walviz/rows.h. */
#include "walviz/rows.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The layout is sized for streams of millions of changes, where this
 * index was most of the simulation's memory: every field is 32-bit, key
 * texts sit in one arena, and all versions share one pool with each
 * version linking to the previous one of its key (rows have a version or
 * two, so a short walk back replaces per-key arrays and their malloc
 * overhead; the few hot rows get an index, below). Message, transaction,
 * version and key counts, and key texts, beyond 32 bits abort with a
 * message. About 55 bytes per new-key INSERT, against 150 with malloc'd
 * texts and version arrays and size_t fields. */
#define NONE32 UINT32_MAX
#define KEY_MAX 0x7fffffffu /* key ids share their word with the exists flag */
#define EXISTS 0x80000000u

typedef struct version {
    uint32_t msg, vis;
    uint32_t prev; /* the key's previous version, or NONE32 */
    uint32_t key;  /* the key, with EXISTS set when the row exists */
} version;

typedef struct key {
    uint32_t table; /* NONE32 once dropped by a re-key */
    uint32_t text;  /* offset into the arena */
    uint32_t last;  /* its last version, or NONE32 */
} key;

/* The versions of a key that has had HOT_WALK of them, oldest first, so
 * that reading a hot row (a counter every transaction updates) is a
 * binary search rather than a walk back through all its versions; other
 * keys walk back at most HOT_WALK versions. */
#define HOT_WALK 8

typedef struct hot {
    uint32_t key;
    uint32_t *v; /* version indexes, oldest first */
    size_t n, cap;
} hot;

typedef struct trunc {
    uint32_t msg, vis;
} trunc;

typedef struct msg_table {
    uint32_t msg, table;
} msg_table;

typedef struct table {
    char *schema_raw, *name_raw; /* as printed, to match changes */
    char *schema, *name;         /* unquoted */
    char *display;
    char **keycols; /* unquoted names; NULL: the first column */
    size_t nkeycols;
    char *first_col; /* while keycols is NULL: the first column's name keys used */
    bool mixed;      /* ... and some key used another name: learning keys re-keys */
    uint32_t *touches; /* every change as its version, in stream order */
    size_t ntouches, touches_cap;
    trunc *truncs;
    size_t ntruncs, truncs_cap;
} table;

/* A row change kept until its transaction's fate is known, as what rows
 * need of it (op, relation, column names, kinds and values) packed into the
 * held arena at off; see hold_pack. A transaction of a million rows holds
 * about its text's size. */
typedef struct held {
    size_t msg;
    size_t off; /* in r->held_bytes */
} held;

struct wv_rows {
    table *tables;
    size_t ntables;
    key *keys;
    size_t nkeys, keys_cap;
    version *versions; /* every key's versions, in the order applied */
    size_t nversions, versions_cap;
    hot *hot;
    size_t nhot, hot_cap;
    uint32_t *hot_slots; /* open addressing by key: hot index + 1, 0 empty */
    size_t nhot_slots;
    char *arena; /* key texts, NUL-terminated, one after the other */
    size_t arena_len, arena_cap;
    uint32_t *slots; /* open addressing: key index + 1, 0 empty */
    size_t nslots;
    uint32_t *msg_key; /* msg -> key of its new row, NONE32 if none */
    size_t msg_len, msg_cap;
    msg_table *keyless; /* changes with no row to key, by msg */
    size_t nkeyless, keyless_cap;
    held *held; /* changes of transactions not yet visible, by message */
    size_t nheld, held_cap;
    wv_buf held_bytes;   /* their packed records, in the same order */
    wv_column *unpacked; /* a held record's columns while it is applied */
    size_t unpacked_cap;
    wv_relname *unpacked_rels;
    size_t unpacked_rels_cap;
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

/* v as a 32-bit field; what names it in the message. */
static uint32_t to32(size_t v, const char *what)
{
    if (v >= NONE32)
        wv_fatal("rows: more than 4G %s: the row index keeps them in 32 bits", what);
    return (uint32_t)v;
}

wv_rows *wv_rows_new(wv_rows_text_fn text, void *ctx)
{
    wv_rows *r = wv_xcalloc(1, sizeof *r);
    r->text = text;
    r->ctx = ctx;
    r->dec = wv_decode_new();
    wv_buf_init(&r->scratch);
    wv_buf_init(&r->held_bytes);
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
        free(t->schema);
        free(t->name);
        for (size_t k = 0; k < t->nkeycols; k++)
            free(t->keycols[k]);
        free(t->keycols);
        free(t->first_col);
        free(t->touches);
        free(t->truncs);
    }
    for (size_t i = 0; i < r->nhot; i++)
        free(r->hot[i].v);
    free(r->hot);
    free(r->hot_slots);
    free(r->tables);
    free(r->keys);
    free(r->versions);
    free(r->arena);
    free(r->slots);
    free(r->msg_key);
    free(r->keyless);
    free(r->held);
    wv_buf_destroy(&r->held_bytes);
    free(r->unpacked);
    free(r->unpacked_rels);
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
        if (r->keys[i].table == NONE32)
            continue;
        size_t s = hash_key(r->keys[i].table, r->arena + r->keys[i].text) & (nslots - 1);
        while (r->slots[s])
            s = (s + 1) & (nslots - 1);
        r->slots[s] = (uint32_t)i + 1;
    }
}

static size_t lookup(const wv_rows *r, size_t tbl, const char *text, size_t *slot)
{
    if (!r->nslots)
        return WV_ROWS_NONE;
    size_t s = hash_key(tbl, text) & (r->nslots - 1);
    for (; r->slots[s]; s = (s + 1) & (r->nslots - 1)) {
        const key *k = &r->keys[r->slots[s] - 1];
        if (k->table == tbl && strcmp(r->arena + k->text, text) == 0)
            return r->slots[s] - 1;
    }
    if (slot)
        *slot = s;
    return WV_ROWS_NONE;
}

static size_t intern(wv_rows *r, size_t tbl, const char *text)
{
    if (r->nkeys * 2 >= r->nslots) /* load <= 50%: probes stay short */
        rehash(r, r->nslots ? r->nslots * 2 : 1024);
    size_t slot = 0;
    size_t id = lookup(r, tbl, text, &slot);
    if (id != WV_ROWS_NONE)
        return id;
    if (r->nkeys >= KEY_MAX)
        wv_fatal("rows: more than %u row keys", KEY_MAX);
    size_t len = strlen(text) + 1;
    if (len > NONE32 - r->arena_len)
        wv_fatal("rows: the key texts pass 4 GiB: the row index keeps their offsets in 32 bits");
    if (r->arena_len + len > r->arena_cap) {
        size_t cap = r->arena_cap ? r->arena_cap : 4096;
        while (cap < r->arena_len + len)
            cap *= 2;
        r->arena = wv_xrealloc(r->arena, cap);
        r->arena_cap = cap;
    }
    memcpy(r->arena + r->arena_len, text, len);
    GROW(r->keys, r->nkeys, r->keys_cap);
    r->keys[r->nkeys] = (key){ (uint32_t)tbl, (uint32_t)r->arena_len, NONE32 };
    r->arena_len += len;
    r->slots[slot] = (uint32_t)++r->nkeys;
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
    t->schema = unquote_ident(rel->schema.ptr ? rel->schema : (wv_slice){ "", 0 });
    t->name = unquote_ident(rel->table);
    if (!*t->schema || strcmp(t->schema, "public") == 0) {
        t->display = wv_xstrdup(t->name);
    } else {
        size_t n = strlen(t->schema) + strlen(t->name) + 2;
        t->display = wv_xmalloc(n);
        snprintf(t->display, n, "%s.%s", t->schema, t->name);
    }
    return r->ntables++;
}

/* The packed form of a held change, in host byte order: u8 op, u32
 * counts (old columns, new columns, truncated tables), the relation (a
 * slice: u32 length, UINT32_MAX for none, then its bytes), then each column
 * (u8 kind, name slice, value slice), then each truncated table (schema and
 * name slices). Types are left out: rows never read them. */
static void put_u32(wv_buf *b, size_t v)
{
    uint32_t u = (uint32_t)v;
    wv_buf_append(b, &u, sizeof u);
}

static void put_slice(wv_buf *b, wv_slice s)
{
    put_u32(b, s.ptr ? to32(s.len, "bytes in a value") : NONE32);
    if (s.ptr && s.len)
        wv_buf_append(b, s.ptr, s.len);
}

static void put_tuple(wv_buf *b, const wv_tuple *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        uint8_t kind = (uint8_t)t->cols[i].kind;
        wv_buf_append(b, &kind, 1);
        put_slice(b, t->cols[i].name);
        put_slice(b, t->cols[i].value);
    }
}

static uint32_t get_u32(const char **p)
{
    uint32_t u;
    memcpy(&u, *p, sizeof u);
    *p += sizeof u;
    return u;
}

static wv_slice get_slice(const char **p)
{
    uint32_t n = get_u32(p);
    if (n == NONE32)
        return (wv_slice){ NULL, 0 };
    wv_slice s = { *p, n };
    *p += n;
    return s;
}

/* Unpacks the op and relation of held change h into c (the rest zero);
 * n gets the counts. Returns where its columns start. */
static const char *unpack_head(const wv_rows *r, const held *h, wv_change *c, size_t n[3])
{
    const char *p = r->held_bytes.data + h->off;
    memset(c, 0, sizeof *c);
    c->op = (wv_op)(uint8_t)*p++;
    for (int i = 0; i < 3; i++)
        n[i] = get_u32(&p);
    c->rel.schema = get_slice(&p);
    c->rel.table = get_slice(&p);
    return p;
}

/* Unpacks held change h into c: its slices point into the arena, its
 * columns and tables into r's unpack arrays, valid until the next unpack
 * or hold. */
static void unpack(wv_rows *r, const held *h, wv_change *c)
{
    size_t n[3];
    const char *p = unpack_head(r, h, c, n);
    size_t nold = n[0], nnew = n[1], ntables = n[2];
    if (nold + nnew > r->unpacked_cap) {
        r->unpacked_cap = (nold + nnew) * 2;
        r->unpacked = wv_xrealloc(r->unpacked, r->unpacked_cap * sizeof *r->unpacked);
    }
    for (size_t i = 0; i < nold + nnew; i++) {
        wv_column *col = &r->unpacked[i];
        col->kind = (wv_value_kind)(uint8_t)*p++;
        col->name = get_slice(&p);
        col->value = get_slice(&p);
        col->type = (wv_slice){ NULL, 0 };
    }
    /* present: printed with columns; (no-tuple-data) keeps none, as parsed */
    c->old_tuple = (wv_tuple){ nold > 0, r->unpacked, nold };
    /* (no columns yet: no array, and no arithmetic on its NULL) */
    c->new_tuple = (wv_tuple){ nnew > 0, r->unpacked ? r->unpacked + nold : NULL, nnew };
    if (ntables > r->unpacked_rels_cap) {
        r->unpacked_rels_cap = ntables * 2;
        r->unpacked_rels = wv_xrealloc(r->unpacked_rels, r->unpacked_rels_cap * sizeof *r->unpacked_rels);
    }
    for (size_t i = 0; i < ntables; i++) {
        r->unpacked_rels[i].schema = get_slice(&p);
        r->unpacked_rels[i].table = get_slice(&p);
    }
    c->tables = r->unpacked_rels;
    c->ntables = ntables;
}

/* Sets out to the index of the first of the n entries of arr (sorted by
 * their msg field) whose msg is >= m. */
#define FIRST_AT(out, arr, n, m)                                            \
    do {                                                                    \
        size_t lo_ = 0, hi_ = (n);                                          \
        while (lo_ < hi_) {                                                 \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                            \
            if ((arr)[mid_].msg < (m))                                      \
                lo_ = mid_ + 1;                                             \
            else                                                            \
                hi_ = mid_;                                                 \
        }                                                                   \
        (out) = lo_;                                                        \
    } while (0)

size_t wv_rows_table_of(const wv_rows *r, size_t msg)
{
    /* a row's change: its key's table */
    if (msg < r->msg_len && r->msg_key[msg] != NONE32 && r->keys[r->msg_key[msg]].table != NONE32)
        return r->keys[r->msg_key[msg]].table;
    size_t at;
    FIRST_AT(at, r->held, r->nheld, msg); /* not visible yet: as printed */
    if (at < r->nheld && r->held[at].msg == msg) {
        wv_change c;
        size_t n[3];
        unpack_head(r, &r->held[at], &c, n);
        return c.op == WV_OP_TRUNCATE ? WV_ROWS_NONE : find_table(r, &c.rel);
    }
    FIRST_AT(at, r->keyless, r->nkeyless, msg);
    return at < r->nkeyless && r->keyless[at].msg == msg ? r->keyless[at].table : WV_ROWS_NONE;
}

/* A change of table tbl with no row to key (no-tuple-data) keeps its table
 * here. */
static void add_keyless(wv_rows *r, size_t msg, size_t tbl)
{
    size_t at;
    FIRST_AT(at, r->keyless, r->nkeyless, msg);
    GROW(r->keyless, r->nkeyless, r->keyless_cap);
    memmove(&r->keyless[at + 1], &r->keyless[at], (r->nkeyless - at) * sizeof *r->keyless);
    r->keyless[at] = (msg_table){ to32(msg, "messages"), (uint32_t)tbl };
    r->nkeyless++;
}

/* Room for message msg in the per-message arrays. Filled only up to the
 * highest message seen, so the room to grow costs address space, not
 * memory. */
static void ensure_msg(wv_rows *r, size_t msg)
{
    if (msg >= r->msg_cap) {
        size_t cap = r->msg_cap ? r->msg_cap : 1024;
        while (cap <= msg)
            cap *= 2;
        r->msg_key = wv_xrealloc(r->msg_key, cap * sizeof *r->msg_key);
        r->msg_cap = cap;
    }
    for (; r->msg_len <= msg; r->msg_len++)
        r->msg_key[r->msg_len] = NONE32;
}

/* "id=7" or "a=1, b=x": the key column values of a tuple, as text. */
static const char *key_text(wv_rows *r, table *t, const wv_tuple *tup)
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
            if (!t->first_col)
                t->first_col = wv_xstrdup(name);
            else if (strcmp(t->first_col, name) != 0)
                t->mixed = true;
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
            b->len += wv_column_raw(col, wv_buf_reserve(b, col->value.len + 1));
        }
    }
    wv_buf_append(b, "", 1);
    return b->data;
}

static size_t hot_hash(uint32_t k, size_t nslots)
{
    return (size_t)(((uint64_t)k * 0x9E3779B97F4A7C15ULL) >> 32) & (nslots - 1);
}

/* The hot entry of key k, or NULL. */
static hot *hot_find(const wv_rows *r, size_t k)
{
    if (!r->nhot)
        return NULL;
    for (size_t s = hot_hash((uint32_t)k, r->nhot_slots); r->hot_slots[s]; s = (s + 1) & (r->nhot_slots - 1))
        if (r->hot[r->hot_slots[s] - 1].key == k)
            return &r->hot[r->hot_slots[s] - 1];
    return NULL;
}

static void hot_append(hot *h, uint32_t v)
{
    GROW(h->v, h->n, h->cap);
    h->v[h->n++] = v;
}

/* Key k has reached HOT_WALK versions: index them. */
static hot *hot_add(wv_rows *r, size_t k)
{
    if ((r->nhot + 1) * 2 > r->nhot_slots) {
        free(r->hot_slots);
        r->nhot_slots = r->nhot_slots ? r->nhot_slots * 2 : 64;
        r->hot_slots = wv_xcalloc(r->nhot_slots, sizeof *r->hot_slots);
        for (size_t i = 0; i < r->nhot; i++) {
            size_t s = hot_hash(r->hot[i].key, r->nhot_slots);
            while (r->hot_slots[s])
                s = (s + 1) & (r->nhot_slots - 1);
            r->hot_slots[s] = (uint32_t)i + 1;
        }
    }
    GROW(r->hot, r->nhot, r->hot_cap);
    hot *h = &r->hot[r->nhot];
    *h = (hot){ (uint32_t)k, NULL, 0, 0 };
    size_t s = hot_hash((uint32_t)k, r->nhot_slots);
    while (r->hot_slots[s])
        s = (s + 1) & (r->nhot_slots - 1);
    r->hot_slots[s] = (uint32_t)++r->nhot;
    for (uint32_t i = r->keys[k].last; i != NONE32; i = r->versions[i].prev)
        hot_append(h, i);
    for (size_t i = 0, j = h->n; i < j--; i++) { /* the chain ran newest first */
        uint32_t t = h->v[i];
        h->v[i] = h->v[j];
        h->v[j] = t;
    }
    return h;
}

/* Records a version of key k and touches table tbl with it: every change
 * to a row makes one version and one touch. */
static void add_version(wv_rows *r, size_t tbl, size_t k, size_t msg, size_t vis, bool exists)
{
    uint32_t m = to32(msg, "messages"), u = to32(vis, "transactions");
    uint32_t id = to32(r->nversions, "row versions");
    key *kk = &r->keys[k];
    hot *h = hot_find(r, k);
    if (!h) {
        size_t n = 0;
        for (uint32_t i = kk->last; i != NONE32 && n < HOT_WALK; i = r->versions[i].prev)
            n++;
        if (n == HOT_WALK)
            h = hot_add(r, k);
    }
    if (h)
        hot_append(h, id);
    GROW(r->versions, r->nversions, r->versions_cap);
    r->versions[r->nversions++] = (version){ m, u, kk->last, (uint32_t)k | (exists ? EXISTS : 0) };
    kk->last = id;
    table *t = &r->tables[tbl];
    GROW(t->touches, t->ntouches, t->touches_cap);
    t->touches[t->ntouches++] = id;
    ensure_msg(r, msg);
    r->msg_key[msg] = (uint32_t)k;
}

static void apply_row_change(wv_rows *r, size_t tbl, const wv_change *c, size_t msg, size_t vis)
{
    table *t = &r->tables[tbl];
    switch (c->op) {
    case WV_OP_INSERT:
        if (c->new_tuple.present && c->new_tuple.ncols) {
            size_t k = intern(r, tbl, key_text(r, t, &c->new_tuple));
            add_version(r, tbl, k, msg, vis, true);
        }
        break;
    case WV_OP_UPDATE: {
        if (!c->new_tuple.present || !c->new_tuple.ncols)
            break;
        size_t k = intern(r, tbl, key_text(r, t, &c->new_tuple));
        if (c->old_tuple.present && c->old_tuple.ncols) {
            size_t old = intern(r, tbl, key_text(r, t, &c->old_tuple));
            if (old != k)
                add_version(r, tbl, old, msg, vis, false);
        }
        add_version(r, tbl, k, msg, vis, true);
        break;
    }
    case WV_OP_DELETE:
        if (c->old_tuple.present && c->old_tuple.ncols) {
            size_t k = intern(r, tbl, key_text(r, t, &c->old_tuple));
            add_version(r, tbl, k, msg, vis, false);
        }
        break;
    default:
        break;
    }
}

/* The stream showed the table's key columns after rows were keyed by the
 * first column: drop those keys and replay the table's changes. The
 * dropped keys' versions and texts stay, unreachable, as they did with
 * per-key arrays: a table is re-keyed at most once. */
static void rekey(wv_rows *r, size_t tbl)
{
    table *t = &r->tables[tbl];
    uint32_t *old = t->touches;
    size_t n = t->ntouches;
    t->touches = NULL;
    t->ntouches = t->touches_cap = 0;
    for (size_t i = 0; i < r->nkeys; i++) {
        if (r->keys[i].table == tbl) {
            r->keys[i].table = NONE32;
            r->keys[i].last = NONE32;
        }
    }
    rehash(r, r->nslots);
    uint32_t last_msg = NONE32;
    for (size_t i = 0; i < n; i++) {
        /* by value: replaying adds versions, which may move the pool */
        version v = r->versions[old[i]];
        if (v.msg == last_msg)
            continue; /* an UPDATE touches twice; replay it once */
        last_msg = v.msg;
        wv_slice text = r->text(r->ctx, v.msg);
        wv_change c;
        if (wv_decode_message(r->dec, text.ptr, text.len, &c) == WV_DECODE_OK)
            apply_row_change(r, tbl, &c, v.msg, v.vis);
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
    /* The usual case, a one-column key that comes first, keys rows as
     * they already are: nothing to read again. */
    bool same = !t->mixed && t->first_col && t->nkeycols == 1 && strcmp(t->keycols[0], t->first_col) == 0;
    if (t->ntouches && !same)
        rekey(r, tbl);
}

static void apply(wv_rows *r, const wv_change *c, size_t msg, size_t vis)
{
    if (c->op == WV_OP_TRUNCATE) {
        for (size_t i = 0; i < c->ntables; i++) {
            size_t ti = table_for(r, &c->tables[i]); /* may move r->tables */
            table *t = &r->tables[ti];
            GROW(t->truncs, t->ntruncs, t->truncs_cap);
            t->truncs[t->ntruncs++] = (trunc){ to32(msg, "messages"), to32(vis, "transactions") };
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
    if (msg >= r->msg_len || r->msg_key[msg] == NONE32)
        add_keyless(r, msg, tbl);
}

size_t wv_rows_table_count(const wv_rows *r)
{
    return r->ntables;
}

const char *wv_rows_table_name(const wv_rows *r, size_t tbl)
{
    return tbl < r->ntables ? r->tables[tbl].display : "?";
}

const char *wv_rows_table_schema(const wv_rows *r, size_t tbl)
{
    return tbl < r->ntables ? r->tables[tbl].schema : "";
}

const char *wv_rows_table_ident(const wv_rows *r, size_t tbl)
{
    return tbl < r->ntables ? r->tables[tbl].name : "?";
}

size_t wv_rows_key_columns(const wv_rows *r, size_t tbl, const char **names, size_t max)
{
    if (tbl >= r->ntables)
        return 0;
    const table *t = &r->tables[tbl];
    if (!t->keycols) { /* keyed by the first column, whatever its name */
        if (max && t->first_col)
            names[0] = t->first_col;
        return t->first_col ? 1 : 0;
    }
    for (size_t i = 0; i < t->nkeycols && i < max; i++)
        names[i] = t->keycols[i];
    return t->nkeycols;
}

size_t wv_rows_find(const wv_rows *r, size_t tbl, const char *text)
{
    return lookup(r, tbl, text, NULL);
}

const char *wv_rows_key_text(const wv_rows *r, size_t k)
{
    return k < r->nkeys ? r->arena + r->keys[k].text : "?";
}

/* Whether transaction vis is visible as of k with [from, to) left out. */
static bool counts(size_t vis, size_t k, size_t from, size_t to)
{
    return vis < k && (vis < from || vis >= to);
}

/* The last truncate of the table visible as of k without [from, to), or
 * NULL. */
static const trunc *last_truncate(const table *t, size_t k, size_t from, size_t to)
{
    const trunc *found = NULL;
    for (size_t i = 0; i < t->ntruncs && t->truncs[i].vis < k; i++)
        if (counts(t->truncs[i].vis, k, from, to))
            found = &t->truncs[i];
    return found;
}

/* How many of the versions v[0..n) are visible as of message k: those
 * with vis < k, a prefix, since vis never decreases along v. */
static size_t visible_prefix(const wv_rows *r, const uint32_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->versions[v[mid]].vis < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The key's last version visible as of k, or NONE32. */
static uint32_t last_version(const wv_rows *r, size_t k_id, size_t k)
{
    /* A key's versions come in stream order, vis non-decreasing: the last
     * one visible as of k is the first met walking back with vis < k, or
     * for a hot key, found by binary search. */
    uint32_t i = r->keys[k_id].last;
    const hot *h = hot_find(r, k_id);
    if (h) {
        size_t n = visible_prefix(r, h->v, h->n, k);
        i = n ? h->v[n - 1] : NONE32;
    }
    while (i != NONE32 && r->versions[i].vis >= k)
        i = r->versions[i].prev;
    return i;
}

wv_row wv_rows_read_except(const wv_rows *r, size_t k_id, size_t k, size_t from, size_t to)
{
    wv_row row = { false, WV_ROWS_NONE, WV_ROWS_NONE };
    if (k_id >= r->nkeys || r->keys[k_id].table == NONE32)
        return row;
    uint32_t i = last_version(r, k_id, k);
    if (i != NONE32 && !counts(r->versions[i].vis, k, from, to))
        i = last_version(r, k_id, from); /* the versions left out are consecutive */
    if (i == NONE32)
        return row;
    const version *v = &r->versions[i];
    const trunc *tr = last_truncate(&r->tables[r->keys[k_id].table], k, from, to);
    row.msg = v->msg;
    row.vis = v->vis;
    row.exists = (v->key & EXISTS) && !(tr && tr->msg > v->msg);
    return row;
}

wv_row wv_rows_read(const wv_rows *r, size_t k_id, size_t k)
{
    return wv_rows_read_except(r, k_id, k, 0, 0);
}

size_t wv_rows_recent(const wv_rows *r, size_t tbl, size_t k, size_t *keys, size_t max)
{
    if (tbl >= r->ntables)
        return 0;
    const table *t = &r->tables[tbl];
    size_t visible = visible_prefix(r, t->touches, t->ntouches, k);
    const trunc *tr = last_truncate(t, k, 0, 0);
    size_t n = 0;
    for (size_t i = visible; i-- > 0 && n < max;) {
        const version *v = &r->versions[t->touches[i]];
        if (tr && v->msg < tr->msg)
            break;
        size_t kid = v->key & ~EXISTS;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = keys[j] == kid;
        if (!dup && r->keys[kid].table == tbl)
            keys[n++] = kid;
    }
    return n;
}

size_t wv_rows_keys(const wv_rows *r, size_t tbl, size_t *keys, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nkeys; i++) {
        if (r->keys[i].table != tbl)
            continue;
        if (n < max)
            keys[n] = i;
        n++;
    }
    return n;
}

size_t wv_rows_first_msg(const wv_rows *r, size_t k_id)
{
    if (k_id >= r->nkeys || r->keys[k_id].table == NONE32 || r->keys[k_id].last == NONE32)
        return WV_ROWS_NONE;
    const hot *h = hot_find(r, k_id);
    uint32_t i = h ? h->v[0] : r->keys[k_id].last;
    while (r->versions[i].prev != NONE32)
        i = r->versions[i].prev;
    return r->versions[i].msg;
}

size_t wv_rows_key_of(const wv_rows *r, size_t msg)
{
    return msg < r->msg_len && r->msg_key[msg] != NONE32 ? r->msg_key[msg] : WV_ROWS_NONE;
}

void wv_rows_hold(wv_rows *r, const wv_change *c, size_t msg)
{
    if (!wv_op_is_row_change(c->op))
        return;
    WV_ASSERT(r->nheld == 0 || r->held[r->nheld - 1].msg < msg);
    GROW(r->held, r->nheld, r->held_cap);
    r->held[r->nheld++] = (held){ msg, r->held_bytes.len };
    wv_buf *b = &r->held_bytes;
    uint8_t op = (uint8_t)c->op;
    wv_buf_append(b, &op, 1);
    /* a tuple printed without columns counts as none: rows skip both */
    put_u32(b, c->old_tuple.present ? c->old_tuple.ncols : 0);
    put_u32(b, c->new_tuple.present ? c->new_tuple.ncols : 0);
    put_u32(b, c->ntables);
    put_slice(b, c->rel.schema);
    put_slice(b, c->rel.table);
    if (c->old_tuple.present)
        put_tuple(b, &c->old_tuple);
    if (c->new_tuple.present)
        put_tuple(b, &c->new_tuple);
    for (size_t i = 0; i < c->ntables; i++) {
        put_slice(b, c->tables[i].schema);
        put_slice(b, c->tables[i].table);
    }
}

/* Applies (vis set) or forgets the held changes of messages first..last.
 * The arena gives back what lies after the last change still held: all of
 * it but a prepared transaction's, usually. */
static void settle(wv_rows *r, size_t first, size_t last, size_t vis, bool keep)
{
    size_t at, end;
    FIRST_AT(at, r->held, r->nheld, first);
    for (end = at; end < r->nheld && r->held[end].msg <= last; end++) {
        if (keep) {
            wv_change c;
            unpack(r, &r->held[end], &c);
            apply(r, &c, r->held[end].msg, vis);
        }
    }
    if (end == at)
        return;
    bool tail = end == r->nheld;
    size_t cut = r->held[at].off; /* where the first of them was packed */
    memmove(&r->held[at], &r->held[end], (r->nheld - end) * sizeof *r->held);
    r->nheld -= end - at;
    if (tail)
        r->held_bytes.len = r->nheld ? cut : 0;
}

void wv_rows_release(wv_rows *r, size_t first, size_t last, size_t vis)
{
    settle(r, first, last, vis, true);
}

void wv_rows_drop(wv_rows *r, size_t first, size_t last)
{
    settle(r, first, last, 0, false);
}
