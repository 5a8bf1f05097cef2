/* realrows: see include/walviz/realrows.h.
 *
 * Each (node, table, key) has an entry, found through an open-addressing
 * index, holding its reads in time order; a read's cells are packed into
 * one arena as "name\0value\0" pairs, at an offset, so growing the arena
 * moves nothing a read refers to. */
#include "walviz/realrows.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/rows.h"

typedef struct row_read {
    int64_t at_us;
    bool exists;
    int ncols;
    size_t cells; /* offset in the arena of ncols name/value pairs */
} row_read;

typedef struct entry {
    int node;
    char *table, *key;
    row_read *reads;
    size_t n, cap;
} entry;

struct wv_realrows {
    entry *e;
    size_t n, cap;
    uint32_t *slots; /* entry index + 1, 0 empty */
    size_t nslots;
    wv_buf arena;
    bool reads[WV_REAL_MAX_NODES];
};

wv_realrows *wv_realrows_new(void)
{
    wv_realrows *rr = wv_xcalloc(1, sizeof *rr);
    wv_buf_init(&rr->arena);
    return rr;
}

void wv_realrows_free(wv_realrows *rr)
{
    if (!rr)
        return;
    for (size_t i = 0; i < rr->n; i++) {
        free(rr->e[i].table);
        free(rr->e[i].key);
        free(rr->e[i].reads);
    }
    free(rr->e);
    free(rr->slots);
    wv_buf_destroy(&rr->arena);
    free(rr);
}

static uint64_t hash_of(int node, const char *table, const char *key)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)node;
    for (const char *s = table; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL; /* "ab"+"c" is not "a"+"bc" */
    for (const char *s = key; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of (node, table, key): its entry's, or the empty one it would
 * take. */
static size_t slot_of(const wv_realrows *rr, int node, const char *table, const char *key)
{
    size_t s = hash_of(node, table, key) & (rr->nslots - 1);
    for (; rr->slots[s]; s = (s + 1) & (rr->nslots - 1)) {
        const entry *e = &rr->e[rr->slots[s] - 1];
        if (e->node == node && strcmp(e->table, table) == 0 && strcmp(e->key, key) == 0)
            break;
    }
    return s;
}

static entry *find(const wv_realrows *rr, int node, const char *table, const char *key)
{
    if (!rr->nslots)
        return NULL;
    size_t s = slot_of(rr, node, table, key);
    return rr->slots[s] ? &rr->e[rr->slots[s] - 1] : NULL;
}

static entry *find_or_add(wv_realrows *rr, int node, const char *table, const char *key)
{
    if ((rr->n + 1) * 2 > rr->nslots) { /* load <= 50%: probes stay short */
        free(rr->slots);
        rr->nslots = rr->nslots ? rr->nslots * 2 : 64;
        rr->slots = wv_xcalloc(rr->nslots, sizeof *rr->slots);
        for (size_t i = 0; i < rr->n; i++)
            rr->slots[slot_of(rr, rr->e[i].node, rr->e[i].table, rr->e[i].key)] = (uint32_t)(i + 1);
    }
    size_t s = slot_of(rr, node, table, key);
    if (rr->slots[s])
        return &rr->e[rr->slots[s] - 1];
    if (rr->n == rr->cap) {
        rr->cap = rr->cap ? rr->cap * 2 : 64;
        rr->e = wv_xrealloc(rr->e, rr->cap * sizeof *rr->e);
    }
    entry *e = &rr->e[rr->n];
    *e = (entry){ node, wv_xstrdup(table), wv_xstrdup(key), NULL, 0, 0 };
    rr->slots[s] = (uint32_t)++rr->n;
    return e;
}

/* A read's cells, pointing into the arena. */
static void unpack(const wv_realrows *rr, const row_read *rd, wv_real_row *out)
{
    out->at_us = rd->at_us;
    out->exists = rd->exists;
    out->ncols = rd->ncols;
    const char *p = rr->arena.data + rd->cells;
    for (int i = 0; i < rd->ncols; i++) {
        out->name[i] = p;
        p += strlen(p) + 1;
        out->value[i] = p;
        p += strlen(p) + 1;
    }
}

static bool same_row(const wv_real_row *a, const wv_real_row *b)
{
    if (a->exists != b->exists || a->ncols != b->ncols)
        return false;
    for (int i = 0; i < a->ncols; i++)
        if (strcmp(a->name[i], b->name[i]) != 0 || strcmp(a->value[i], b->value[i]) != 0)
            return false;
    return true;
}

bool wv_realrows_add(wv_realrows *rr, int node, const char *table, const char *key, const wv_real_row *row)
{
    WV_ASSERT(node >= 0 && node < WV_REAL_MAX_NODES);
    rr->reads[node] = true;
    entry *e = find_or_add(rr, node, table, key);
    wv_real_row in = *row;
    if (in.ncols > WV_REAL_ROW_COLS)
        in.ncols = WV_REAL_ROW_COLS;
    if (!in.exists)
        in.ncols = 0;
    if (e->n) {
        wv_real_row last;
        unpack(rr, &e->reads[e->n - 1], &last);
        if (same_row(&last, &in))
            return false; /* the one before says it all */
        if (in.at_us < last.at_us)
            in.at_us = last.at_us;
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->reads = wv_xrealloc(e->reads, e->cap * sizeof *e->reads);
    }
    e->reads[e->n++] = (row_read){ in.at_us, in.exists, in.ncols, rr->arena.len };
    for (int i = 0; i < in.ncols; i++) {
        wv_buf_append(&rr->arena, in.name[i], strlen(in.name[i]) + 1);
        wv_buf_append(&rr->arena, in.value[i], strlen(in.value[i]) + 1);
    }
    return true;
}

bool wv_realrows_at(const wv_realrows *rr, int node, const char *table, const char *key, int64_t at_us,
                    wv_real_row *out)
{
    const entry *e = rr ? find(rr, node, table, key) : NULL;
    if (!e)
        return false;
    size_t lo = 0, hi = e->n; /* the first read after at_us */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->reads[mid].at_us <= at_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return false;
    unpack(rr, &e->reads[lo - 1], out);
    return true;
}

bool wv_realrows_reads(const wv_realrows *rr, int node)
{
    return rr && node >= 0 && node < WV_REAL_MAX_NODES && rr->reads[node];
}

/* --- the probe ---------------------------------------------------------- */

static void copy(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s);
}

/* Table tbl's part of the probe; false when it cannot be read by key. */
static bool probe_table(const wv_sim *sim, size_t k, size_t tbl, wv_decoder *dec, struct wv_probe_table *t)
{
    const wv_rows *rows = wv_sim_rows(sim);
    memset(t, 0, sizeof *t);
    const char *cols[WV_PROBE_KEYCOLS];
    size_t ncols = wv_rows_key_columns(rows, tbl, cols, WV_PROBE_KEYCOLS);
    if (ncols == 0 || ncols > WV_PROBE_KEYCOLS || strlen(wv_rows_table_name(rows, tbl)) >= sizeof t->table ||
        strlen(wv_rows_table_schema(rows, tbl)) >= sizeof t->schema ||
        strlen(wv_rows_table_ident(rows, tbl)) >= sizeof t->name)
        return false;
    copy(t->table, sizeof t->table, wv_rows_table_name(rows, tbl));
    copy(t->schema, sizeof t->schema, wv_rows_table_schema(rows, tbl));
    copy(t->name, sizeof t->name, wv_rows_table_ident(rows, tbl));
    for (size_t c = 0; c < ncols; c++) {
        if (strlen(cols[c]) >= sizeof t->keycol[0])
            return false;
        copy(t->keycol[c], sizeof t->keycol[c], cols[c]);
    }
    t->nkeycols = (int)ncols;
    size_t keys[WV_PROBE_KEYS];
    size_t n = wv_rows_recent(rows, tbl, k, keys, WV_PROBE_KEYS);
    for (size_t i = 0; i < n; i++) {
        /* the key's values, from the change that first wrote it */
        size_t msg = wv_rows_first_msg(rows, keys[i]);
        wv_slice text = msg != WV_ROWS_NONE ? wv_sim_text(sim, msg) : (wv_slice){ NULL, 0 };
        const char *key = wv_rows_key_text(rows, keys[i]);
        wv_change ch;
        if (!text.ptr || strlen(key) >= sizeof t->key[0] ||
            wv_decode_message(dec, text.ptr, text.len, &ch) != WV_DECODE_OK)
            continue;
        const wv_tuple *tup = wv_change_row(&ch);
        if ((int)tup->ncols > t->ncols) { /* the widest row's columns (a DELETE shows only its key) */
            t->ncols = tup->ncols < WV_REAL_ROW_COLS ? (int)tup->ncols : WV_REAL_ROW_COLS;
            for (int j = 0; j < t->ncols; j++)
                wv_column_name(&tup->cols[j], t->col[j], sizeof t->col[j]);
        }
        int found = 0;
        for (int c = 0; c < t->nkeycols; c++) {
            for (size_t j = 0; j < tup->ncols; j++) {
                char name[64];
                wv_column_name(&tup->cols[j], name, sizeof name);
                if (strcmp(name, t->keycol[c]) != 0 || tup->cols[j].kind == WV_VAL_NULL ||
                    tup->cols[j].kind == WV_VAL_TOAST || tup->cols[j].value.len >= sizeof t->value[0][0])
                    continue;
                wv_column_raw(&tup->cols[j], t->value[t->nkeys][c]); /* as the server prints it */
                found++;
                break;
            }
        }
        if (found != t->nkeycols)
            continue;
        copy(t->key[t->nkeys], sizeof t->key[0], key);
        t->nkeys++;
    }
    return t->nkeys > 0;
}

void wv_real_probe_build(const wv_sim *sim, size_t k, size_t first, wv_decoder *dec, wv_real_probe *p)
{
    size_t ntables = wv_rows_table_count(wv_sim_rows(sim));
    p->ntables = 0;
    if (first < ntables && probe_table(sim, k, first, dec, &p->t[0]))
        p->ntables++;
    for (size_t tbl = 0; tbl < ntables && p->ntables < WV_PROBE_TABLES; tbl++)
        if (tbl != first && probe_table(sim, k, tbl, dec, &p->t[p->ntables]))
            p->ntables++;
}

bool wv_real_probe_equal(const wv_real_probe *a, const wv_real_probe *b)
{
    if (a->ntables != b->ntables)
        return false;
    for (int i = 0; i < a->ntables; i++) {
        const struct wv_probe_table *x = &a->t[i], *y = &b->t[i];
        if (strcmp(x->table, y->table) != 0 || x->nkeys != y->nkeys)
            return false;
        for (int j = 0; j < x->nkeys; j++)
            if (strcmp(x->key[j], y->key[j]) != 0)
                return false;
    }
    return true;
}

/* --- the recording ------------------------------------------------------ */

/* s with '%', '=', and control bytes as %XX: fields stay one per tab. */
static void put_escaped(wv_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '%' || c == '=')
            wv_buf_printf(out, "%%%02X", c);
        else
            wv_buf_append(out, s, 1);
    }
}

void wv_realrows_format(const char *node_name, const char *table, const char *key, const wv_real_row *row,
                        wv_buf *out)
{
    wv_buf_printf(out, "%s%s\tat=%" PRId64 "\ttable=", WV_REALROW_LINE_PREFIX, node_name, row->at_us);
    put_escaped(out, table);
    wv_buf_puts(out, "\tkey=");
    put_escaped(out, key);
    if (!row->exists)
        wv_buf_puts(out, "\tabsent");
    for (int i = 0; row->exists && i < row->ncols; i++) {
        wv_buf_puts(out, "\t");
        put_escaped(out, row->name[i]);
        wv_buf_puts(out, "=");
        put_escaped(out, row->value[i]);
    }
    wv_buf_puts(out, "\n");
}

/* Undoes put_escaped on [p, end) into a new string; NULL when a %XX is
 * broken or a NUL would come out. */
static char *unescape(const char *p, const char *end)
{
    char *out = wv_xmalloc((size_t)(end - p) + 1), *o = out;
    for (; p < end; p++) {
        if (*p != '%') {
            *o++ = *p;
            continue;
        }
        int hi = p + 2 < end ? wv_hex_digit(p[1]) : -1, lo = hi >= 0 ? wv_hex_digit(p[2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        p += 2;
    }
    *o = '\0';
    return out;
}

int wv_realrows_parse(wv_realrows *rr, const wv_realnodes *rn, const char *line, size_t len, char *err,
                      size_t errsz)
{
    size_t plen = strlen(WV_REALROW_LINE_PREFIX);
    if (!wv_has_prefix(line, len, WV_REALROW_LINE_PREFIX)) {
        snprintf(err, errsz, "expected a line starting with '#realrow' and a tab");
        return -1;
    }
    /* NAME, at=, table=, key=, then 'absent' or the row's columns */
    enum { MAX_FIELDS = 4 + WV_REAL_ROW_COLS };
    wv_slice f[MAX_FIELDS];
    size_t nf = wv_split_tabs(line + plen, line + len, f, MAX_FIELDS);
    int node = wv_realnodes_line_node(rn, f[0], err, errsz);
    if (node < 0)
        return -1;
    static const char *const fixed[] = { "at=", "table=", "key=" };
    for (size_t i = 0; i < 3; i++) {
        size_t kl = strlen(fixed[i]);
        if (nf <= i + 1 || f[i + 1].len < kl || memcmp(f[i + 1].ptr, fixed[i], kl) != 0) {
            snprintf(err, errsz, "expected NAME, at=MICROSECONDS, table=TABLE and key=KEY in a #realrow line");
            return -1;
        }
    }
    wv_real_row row = { .exists = true };
    if (!wv_parse_i64(f[1].ptr + 3, f[1].len - 3, &row.at_us)) {
        snprintf(err, errsz, "expected at=MICROSECONDS, found '%.*s'", (int)(f[1].len > 40 ? 40 : f[1].len),
                 f[1].ptr);
        return -1;
    }
    if (nf == 4) {
        snprintf(err, errsz, "expected 'absent' or COLUMN=VALUE fields after key= in a #realrow line");
        return -1;
    }
    char *table = unescape(f[2].ptr + 6, f[2].ptr + f[2].len), *key = unescape(f[3].ptr + 4, f[3].ptr + f[3].len);
    char *cells[2 * WV_REAL_ROW_COLS];
    int ncells = 0, rc = 0;
    if (!table || !key) {
        snprintf(err, errsz, "expected table= and key= with %%XX only for '%%', '=' and control bytes (two hex "
                 "digits, not 00) in a #realrow line");
        rc = -1;
    } else if (nf == 5 && wv_slice_eq(f[4], "absent")) {
        row.exists = false;
    } else {
        for (size_t i = 4; i < nf && i < MAX_FIELDS && rc == 0; i++) {
            const char *eq = memchr(f[i].ptr, '=', f[i].len);
            char *n = eq ? unescape(f[i].ptr, eq) : NULL, *v = eq ? unescape(eq + 1, f[i].ptr + f[i].len) : NULL;
            if (!n || !v) {
                free(n);
                free(v);
                snprintf(err, errsz, "expected 'absent' or COLUMN=VALUE fields, with %%XX for '%%', '=' and control "
                         "bytes, in a #realrow line");
                rc = -1;
                break;
            }
            cells[ncells++] = n;
            cells[ncells++] = v;
            row.name[row.ncols] = n;
            row.value[row.ncols++] = v;
        }
    }
    if (rc == 0)
        wv_realrows_add(rr, node, table, key, &row);
    for (int i = 0; i < ncells; i++)
        free(cells[i]);
    free(table);
    free(key);
    return rc;
}
