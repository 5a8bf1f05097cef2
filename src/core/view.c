/* view: see include/walviz/view.h.
 *
 * Numbers are exact: a value is an integer of base-1e9 limbs scaled by
 * 10^SCALE, wide enough for a bank's balances summed over millions of rows
 * and for avg's 16 significant digits; a value beyond it makes the answer
 * an error rather than a wrong number. Each group keeps, per aggregate, a
 * count, a sum and the best value so far, so answers over parts of the
 * rows merge exactly. */
#include "walviz/view.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/util.h"

#define NLIMB 14 /* 126 decimal digits */
#define SCALE 40 /* digits after the point */
#define LIMB 1000000000u
#define NDIGITS (NLIMB * 9)

typedef struct big {
    bool neg;
    uint32_t l[NLIMB]; /* magnitude, least significant limb first */
} big;

typedef enum agg_kind { AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_MIN, AGG_MAX, AGG_AVG, AGG_GROUP } agg_kind;

typedef struct item {
    agg_kind kind;
    int input; /* index into the inputs; -1 for count(*) */
} item;

typedef enum lit_kind { LIT_NUMBER, LIT_STRING, LIT_BOOL } lit_kind;

struct wv_view_query {
    char *sql, *table;
    char *inputs[WV_VIEW_MAX_ITEMS + 2];
    size_t ninputs;
    char *out_names[WV_VIEW_MAX_ITEMS];
    item items[WV_VIEW_MAX_ITEMS];
    size_t nitems;
    int where_col;    /* input index, -1 without WHERE */
    lit_kind where_kind;
    char *where_text; /* the literal's text, unquoted */
    big where_num;
    int group_col;    /* input index, -1 without GROUP BY */
};

typedef struct agg {
    uint64_t n;   /* rows counted (count), values summed (avg) */
    bool have;    /* a non-NULL value seen (sum, min, max) */
    big sum;
    int dscale;   /* the widest scale summed */
    big best;     /* min/max: the value, when numeric */
    char *text;   /* min/max: its text */
    bool numeric; /* min/max compare as numbers */
} agg;

typedef struct group {
    char *key; /* the group column's text; NULL for SQL NULL */
    bool key_numeric;
    big key_num;
    agg aggs[WV_VIEW_MAX_ITEMS];
    char *cells[WV_VIEW_MAX_ITEMS]; /* formatted on demand */
} group;

struct wv_view_answer {
    const wv_view_query *q;
    group *groups;
    size_t ngroups, cap;
    char *error;
};

/* ---- exact numbers ---- */

static bool mag_is_zero(const big *a)
{
    for (int i = 0; i < NLIMB; i++)
        if (a->l[i])
            return false;
    return true;
}

static int mag_cmp(const big *a, const big *b)
{
    for (int i = NLIMB - 1; i >= 0; i--)
        if (a->l[i] != b->l[i])
            return a->l[i] < b->l[i] ? -1 : 1;
    return 0;
}

/* a = a * mul + add; false on overflow. */
static bool mag_mul_add(big *a, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < NLIMB; i++) {
        uint64_t v = (uint64_t)a->l[i] * mul + carry;
        a->l[i] = (uint32_t)(v % LIMB);
        carry = v / LIMB;
    }
    return carry == 0;
}

static bool mag_add(big *a, const big *b)
{
    uint32_t carry = 0;
    for (int i = 0; i < NLIMB; i++) {
        uint32_t v = a->l[i] + b->l[i] + carry;
        carry = v >= LIMB;
        a->l[i] = carry ? v - LIMB : v;
    }
    return carry == 0;
}

/* a = a - b, with |a| >= |b|. */
static void mag_sub(big *a, const big *b)
{
    uint32_t borrow = 0;
    for (int i = 0; i < NLIMB; i++) {
        uint32_t sub = b->l[i] + borrow;
        borrow = a->l[i] < sub;
        a->l[i] = borrow ? a->l[i] + LIMB - sub : a->l[i] - sub;
    }
}

static int big_cmp(const big *a, const big *b)
{
    bool za = mag_is_zero(a), zb = mag_is_zero(b);
    bool na = a->neg && !za, nb = b->neg && !zb;
    if (na != nb)
        return na ? -1 : 1;
    int c = mag_cmp(a, b);
    return na ? -c : c;
}

/* a += b; false on overflow. */
static bool big_add(big *a, const big *b)
{
    if (a->neg == b->neg)
        return mag_add(a, b);
    if (mag_cmp(a, b) >= 0) {
        mag_sub(a, b);
    } else {
        big r = *b;
        mag_sub(&r, a);
        *a = r;
    }
    return true;
}

/* |a| / n, truncated. */
static void mag_div(big *a, uint32_t n)
{
    uint64_t rem = 0;
    for (int i = NLIMB - 1; i >= 0; i--) {
        uint64_t v = rem * LIMB + a->l[i];
        a->l[i] = (uint32_t)(v / n);
        rem = v % n;
    }
}

/* Parses a number as PostgreSQL prints one ("-12.50", "7"); returns 0, or
 * -1 when s is not one (NaN, Infinity, 1e-10 and text included) or does
 * not fit. */
static int big_parse(const char *s, size_t n, big *out, int *dscale)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        out->neg = s[i++] == '-';
    int before = 0, after = -1;
    for (; i < n; i++) {
        if (s[i] == '.' && after < 0) {
            after = 0;
            continue;
        }
        if (!isdigit((unsigned char)s[i]))
            return -1;
        if (!mag_mul_add(out, 10, (uint32_t)(s[i] - '0')))
            return -1;
        if (after >= 0)
            after++;
        else
            before++;
    }
    if (after < 0)
        after = 0;
    if (before + after == 0 || after >= SCALE)
        return -1;
    for (int k = after; k < SCALE;) { /* to the fixed scale, nine digits at a time */
        int step = SCALE - k < 9 ? SCALE - k : 9;
        uint32_t mul = 1;
        for (int d = 0; d < step; d++)
            mul *= 10;
        if (!mag_mul_add(out, mul, 0))
            return -1;
        k += step;
    }
    *dscale = after;
    return 0;
}

static void big_from_u64(big *out, uint64_t v)
{
    memset(out, 0, sizeof *out);
    mag_mul_add(out, 1, (uint32_t)(v % LIMB));
    big hi = { 0 };
    mag_mul_add(&hi, 1, (uint32_t)(v / LIMB % LIMB));
    mag_mul_add(&hi, LIMB, 0);
    mag_add(out, &hi);
    big top = { 0 };
    mag_mul_add(&top, 1, (uint32_t)(v / LIMB / LIMB));
    mag_mul_add(&top, LIMB, 0);
    mag_mul_add(&top, LIMB, 0);
    mag_add(out, &top);
    for (int k = 0; k < SCALE; k++)
        mag_mul_add(out, 10, 0);
}

/* The magnitude's NDIGITS decimal digits, most significant first. */
static void mag_digits(const big *a, char d[NDIGITS])
{
    for (int i = 0; i < NLIMB; i++) {
        uint32_t v = a->l[i];
        for (int k = 0; k < 9; k++, v /= 10)
            d[NDIGITS - 1 - (i * 9 + k)] = (char)('0' + v % 10);
    }
}

/* Writes a with dscale digits after the point (dropping the rest). */
static void big_format(const big *a, int dscale, char *out, size_t outsz)
{
    char d[NDIGITS];
    mag_digits(a, d);
    int point = NDIGITS - SCALE, first = 0;
    while (first < point - 1 && d[first] == '0')
        first++;
    bool zero = true;
    for (int i = first; i < point + dscale; i++)
        zero &= d[i] == '0';
    snprintf(out, outsz, "%s%.*s%s%.*s", a->neg && !zero ? "-" : "", point - first, d + first,
             dscale > 0 ? "." : "", dscale, d + point);
}

/* numeric's weight (in base-10000 digits) and first base-10000 digit of
 * |a|, as select_div_scale reads them; 0 and 0 for zero. */
static void nbase_lead(const big *a, int *weight, int *first)
{
    char d[NDIGITS];
    mag_digits(a, d);
    *weight = 0;
    *first = 0;
    int i = 0;
    while (i < NDIGITS && d[i] == '0')
        i++;
    if (i == NDIGITS)
        return;
    int e = NDIGITS - SCALE - 1 - i; /* the power of ten of the first digit */
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int v = 0;
    for (int p = 4 * w + 3; p >= 4 * w; p--) {
        int idx = NDIGITS - SCALE - 1 - p;
        v = v * 10 + (idx >= 0 && idx < NDIGITS ? d[idx] - '0' : 0);
    }
    *weight = w;
    *first = v;
}

/* sum / n as numeric_div rounds it: the scale select_div_scale picks, at
 * least 16 significant digits and no less than the sum's scale. Returns 0,
 * or -1 when that scale is beyond SCALE. */
static int big_avg(const big *sum, int dscale, uint64_t n, char *out, size_t outsz)
{
    big bn;
    big_from_u64(&bn, n);
    int w1, f1, w2, f2;
    nbase_lead(sum, &w1, &f1);
    nbase_lead(&bn, &w2, &f2);
    int qweight = w1 - w2 - (f1 <= f2);
    int rscale = 16 - qweight * 4;
    if (rscale < dscale)
        rscale = dscale;
    if (rscale < 0)
        rscale = 0;
    if (rscale >= SCALE || n > UINT32_MAX)
        return -1;
    big q = *sum;
    mag_div(&q, (uint32_t)n);
    /* round half away from zero at rscale: the truncated quotient's next
     * digit is the true one */
    char d[NDIGITS];
    mag_digits(&q, d);
    if (d[NDIGITS - SCALE + rscale] >= '5') {
        big unit = { 0 };
        mag_mul_add(&unit, 1, 1);
        for (int k = 0; k < SCALE - rscale; k++)
            mag_mul_add(&unit, 10, 0);
        mag_add(&q, &unit);
    }
    big_format(&q, rscale, out, outsz);
    return 0;
}

/* ---- the query ---- */

typedef enum tok_kind { T_END, T_WORD, T_QUOTED_IDENT, T_NUMBER, T_STRING, T_PUNCT } tok_kind;

typedef struct lexer {
    const char *s;
    size_t at;
    tok_kind kind;
    char text[128]; /* the token, unquoted; words lowercased */
    char *err;
    size_t errsz;
} lexer;

static const char accepted[] =
    "a view is SELECT count(*), sum(col), min(col), max(col) or avg(col) [, ...] FROM table "
    "[WHERE col = value] [GROUP BY col]";

static int refuse(lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(lexer *lx, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(lx->err, lx->errsz, "%s; %s", what, accepted);
    return -1;
}

/* Reads the next token; -1 on a malformed one. */
static int next(lexer *lx)
{
    const char *s = lx->s;
    while (isspace((unsigned char)s[lx->at]))
        lx->at++;
    char c = s[lx->at];
    size_t n = 0;
    lx->text[0] = '\0';
    if (!c) {
        lx->kind = T_END;
        return 0;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        while (isalnum((unsigned char)s[lx->at]) || s[lx->at] == '_' || s[lx->at] == '$') {
            if (n + 1 < sizeof lx->text)
                lx->text[n++] = (char)tolower((unsigned char)s[lx->at]);
            lx->at++;
        }
        lx->kind = T_WORD;
    } else if (isdigit((unsigned char)c) || ((c == '-' || c == '.') && isdigit((unsigned char)s[lx->at + 1]))) {
        do {
            if (n + 1 < sizeof lx->text)
                lx->text[n++] = s[lx->at];
            lx->at++;
        } while (isdigit((unsigned char)s[lx->at]) || s[lx->at] == '.');
        lx->kind = T_NUMBER;
    } else if (c == '\'' || c == '"') {
        lx->at++;
        for (;;) {
            if (!s[lx->at])
                return refuse(lx, "an unterminated %s", c == '\'' ? "string" : "quoted name");
            if (s[lx->at] == c && s[lx->at + 1] != c)
                break;
            if (s[lx->at] == c)
                lx->at++; /* a doubled quote */
            if (n + 1 < sizeof lx->text)
                lx->text[n++] = s[lx->at];
            lx->at++;
        }
        lx->at++;
        lx->kind = c == '\'' ? T_STRING : T_QUOTED_IDENT;
    } else {
        lx->text[n++] = c;
        lx->at++;
        lx->kind = T_PUNCT;
    }
    lx->text[n] = '\0';
    return 0;
}

static bool is_word(const lexer *lx, const char *w) { return lx->kind == T_WORD && strcmp(lx->text, w) == 0; }
static bool is_punct(const lexer *lx, char c) { return lx->kind == T_PUNCT && lx->text[0] == c; }

static const char *found(const lexer *lx)
{
    return lx->kind == T_END ? "the end" : lx->text;
}

static bool is_name(const lexer *lx);

/* Moves to the next token, which must be a name: what says which. */
static int next_name(lexer *lx, const char *what)
{
    if (next(lx) < 0)
        return -1;
    if (!is_name(lx))
        return refuse(lx, "expected %s, found '%s'", what, found(lx));
    return 0;
}

static bool is_name(const lexer *lx)
{
    static const char *const reserved[] = { "select", "from", "where", "group", "by", "order", "having",
                                            "limit", "join", "and", "or", "not", "null", "distinct", "as" };
    if (lx->kind == T_QUOTED_IDENT)
        return lx->text[0] != '\0';
    if (lx->kind != T_WORD)
        return false;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(lx->text, reserved[i]) == 0)
            return false;
    return true;
}

/* The index of input column name, added if new. */
static int input_of(wv_view_query *q, const char *name)
{
    for (size_t i = 0; i < q->ninputs; i++)
        if (strcmp(q->inputs[i], name) == 0)
            return (int)i;
    q->inputs[q->ninputs] = wv_xstrdup(name);
    return (int)q->ninputs++;
}

static int parse_item(lexer *lx, wv_view_query *q, char group_candidate[128])
{
    static const struct {
        const char *name;
        agg_kind kind;
    } fns[] = { { "count", AGG_COUNT }, { "sum", AGG_SUM }, { "min", AGG_MIN }, { "max", AGG_MAX }, { "avg", AGG_AVG } };
    if (q->nitems == WV_VIEW_MAX_ITEMS)
        return refuse(lx, "more than %d items in the select list", WV_VIEW_MAX_ITEMS);
    item *it = &q->items[q->nitems];
    char fn[128], col[128];
    snprintf(fn, sizeof fn, "%s", lx->text);
    tok_kind fn_kind = lx->kind;
    if (!is_name(lx))
        return refuse(lx, "expected an aggregate such as count(*) or sum(balance), found '%s'", found(lx));
    if (next(lx) < 0)
        return -1;
    if (!is_punct(lx, '(')) {
        /* a bare column: only the GROUP BY column may be selected */
        it->kind = AGG_GROUP;
        it->input = -1;
        snprintf(group_candidate, 128, "%s", fn);
        q->out_names[q->nitems++] = wv_xstrdup(fn);
        return 0;
    }
    int k = -1;
    for (size_t i = 0; fn_kind == T_WORD && i < sizeof fns / sizeof fns[0]; i++)
        if (strcmp(fn, fns[i].name) == 0)
            k = (int)i;
    if (k < 0)
        return refuse(lx, "'%s(...)' is not one of count, sum, min, max, avg", fn);
    if (next(lx) < 0)
        return -1;
    if (is_punct(lx, '*')) {
        if (fns[k].kind != AGG_COUNT)
            return refuse(lx, "%s(*) is not an aggregate: only count takes *", fn);
        it->kind = AGG_COUNT_STAR;
        it->input = -1;
        snprintf(col, sizeof col, "*");
    } else if (is_word(lx, "distinct")) {
        return refuse(lx, "%s", "DISTINCT inside an aggregate is not accepted");
    } else if (is_name(lx)) {
        it->kind = fns[k].kind;
        snprintf(col, sizeof col, "%s", lx->text);
        it->input = input_of(q, col);
    } else {
        return refuse(lx, "expected a column name or * inside %s(...), found '%s'", fn, found(lx));
    }
    if (next(lx) < 0)
        return -1;
    if (!is_punct(lx, ')'))
        return refuse(lx, "expected ')' after %s(%s, found '%s' (one column, no expressions)", fn, col,
                      found(lx));
    char name[300];
    snprintf(name, sizeof name, "%s(%s)", fn, col);
    q->out_names[q->nitems++] = wv_xstrdup(name);
    return next(lx);
}

static int parse_literal(lexer *lx, wv_view_query *q)
{
    int dscale;
    if (lx->kind == T_NUMBER) {
        if (big_parse(lx->text, strlen(lx->text), &q->where_num, &dscale) < 0)
            return refuse(lx, "'%s' is not a number walviz compares", lx->text);
        q->where_kind = LIT_NUMBER;
    } else if (lx->kind == T_STRING) {
        q->where_kind = LIT_STRING;
    } else if (is_word(lx, "true") || is_word(lx, "false")) {
        q->where_kind = LIT_BOOL;
    } else if (is_word(lx, "null")) {
        return refuse(lx, "%s", "'= NULL' is never true in SQL, and IS NULL is not accepted");
    } else {
        return refuse(lx, "expected a value (a number, 'text', true or false) after '=', found '%s'", found(lx));
    }
    q->where_text = wv_xstrdup(lx->text);
    return next(lx);
}

static int parse_query(lexer *lx, wv_view_query *q)
{
    char group_candidate[128] = "";
    if (next(lx) < 0)
        return -1;
    if (!is_word(lx, "select"))
        return refuse(lx, "expected SELECT, found '%s'", found(lx));
    if (next(lx) < 0)
        return -1;
    if (is_word(lx, "distinct"))
        return refuse(lx, "%s", "SELECT DISTINCT is not accepted");
    for (;;) {
        char cand[128] = "";
        if (parse_item(lx, q, cand) < 0)
            return -1;
        if (cand[0]) {
            if (group_candidate[0] && strcmp(group_candidate, cand) != 0)
                return refuse(lx, "columns '%s' and '%s' selected bare: only the GROUP BY column may be",
                              group_candidate, cand);
            snprintf(group_candidate, sizeof group_candidate, "%s", cand);
        }
        if (!is_punct(lx, ','))
            break;
        if (next(lx) < 0)
            return -1;
    }
    if (!is_word(lx, "from"))
        return refuse(lx, "expected ',' or FROM after the select list, found '%s'", found(lx));
    if (next_name(lx, "a table name after FROM") < 0)
        return -1;
    char table[260];
    snprintf(table, sizeof table, "%s", lx->text);
    if (next(lx) < 0)
        return -1;
    if (is_punct(lx, '.')) {
        if (next_name(lx, "a table name after its schema and '.'") < 0)
            return -1;
        if (strcmp(table, "public") == 0)
            snprintf(table, sizeof table, "%s", lx->text);
        else
            snprintf(table + strlen(table), sizeof table - strlen(table), ".%s", lx->text);
        if (next(lx) < 0)
            return -1;
    }
    q->table = wv_xstrdup(table);
    if (is_word(lx, "where")) {
        if (next_name(lx, "a column after WHERE") < 0)
            return -1;
        q->where_col = input_of(q, lx->text);
        if (next(lx) < 0)
            return -1;
        if (!is_punct(lx, '='))
            return refuse(lx, "expected '=' in WHERE col = value, found '%s'", found(lx));
        if (next(lx) < 0 || parse_literal(lx, q) < 0)
            return -1;
        if (is_word(lx, "and") || is_word(lx, "or"))
            return refuse(lx, "%s", "one condition only: WHERE col = value, no AND or OR");
    }
    if (is_word(lx, "group")) {
        if (next(lx) < 0)
            return -1;
        if (!is_word(lx, "by"))
            return refuse(lx, "expected BY after GROUP, found '%s'", found(lx));
        if (next_name(lx, "a column after GROUP BY") < 0)
            return -1;
        q->group_col = input_of(q, lx->text);
        if (group_candidate[0] && strcmp(group_candidate, lx->text) != 0)
            return refuse(lx, "'%s' is selected bare but the groups are by '%s'", group_candidate, lx->text);
        if (next(lx) < 0)
            return -1;
    } else if (group_candidate[0]) {
        return refuse(lx, "'%s' is selected bare without GROUP BY %s", group_candidate, group_candidate);
    }
    if (is_punct(lx, ';') && next(lx) < 0)
        return -1;
    if (lx->kind != T_END)
        return refuse(lx, "'%s' is not accepted here (no ORDER BY, HAVING, LIMIT, JOIN...)", found(lx));
    bool any_agg = false;
    for (size_t i = 0; i < q->nitems; i++) {
        if (q->items[i].kind == AGG_GROUP)
            q->items[i].input = q->group_col;
        else
            any_agg = true;
    }
    if (!any_agg)
        return refuse(lx, "%s", "a view needs an aggregate (count, sum, min, max or avg)");
    return 0;
}

wv_view_query *wv_view_parse(const char *sql, char *err, size_t errsz)
{
    wv_view_query *q = wv_xcalloc(1, sizeof *q);
    q->where_col = q->group_col = -1;
    lexer lx = { .s = sql, .err = err, .errsz = errsz };
    if (parse_query(&lx, q) < 0) {
        wv_view_query_free(q);
        return NULL;
    }
    wv_buf b;
    wv_buf_init(&b);
    wv_buf_puts(&b, "SELECT ");
    for (size_t i = 0; i < q->nitems; i++)
        wv_buf_printf(&b, "%s%s", i ? ", " : "", q->out_names[i]);
    wv_buf_printf(&b, " FROM %s", q->table);
    if (q->where_col >= 0)
        wv_buf_printf(&b, q->where_kind == LIT_STRING ? " WHERE %s = '%s'" : " WHERE %s = %s",
                      q->inputs[q->where_col], q->where_text);
    if (q->group_col >= 0)
        wv_buf_printf(&b, " GROUP BY %s", q->inputs[q->group_col]);
    wv_buf_append(&b, "", 1);
    q->sql = b.data;
    return q;
}

void wv_view_query_free(wv_view_query *q)
{
    if (!q)
        return;
    free(q->sql);
    free(q->table);
    for (size_t i = 0; i < q->ninputs; i++)
        free(q->inputs[i]);
    for (size_t i = 0; i < q->nitems; i++)
        free(q->out_names[i]);
    free(q->where_text);
    free(q);
}

const char *wv_view_sql(const wv_view_query *q) { return q->sql; }
const char *wv_view_table(const wv_view_query *q) { return q->table; }

size_t wv_view_inputs(const wv_view_query *q, const char *const **names)
{
    *names = (const char *const *)q->inputs;
    return q->ninputs;
}

size_t wv_view_outputs(const wv_view_query *q) { return q->nitems; }

const char *wv_view_output_name(const wv_view_query *q, size_t i)
{
    WV_ASSERT(i < q->nitems);
    return q->out_names[i];
}

/* ---- answers ---- */

wv_view_answer *wv_view_answer_new(const wv_view_query *q)
{
    wv_view_answer *a = wv_xcalloc(1, sizeof *a);
    a->q = q;
    return a;
}

static void group_free(group *g)
{
    free(g->key);
    for (int i = 0; i < WV_VIEW_MAX_ITEMS; i++) {
        free(g->aggs[i].text);
        free(g->cells[i]);
    }
}

void wv_view_answer_clear(wv_view_answer *a)
{
    for (size_t i = 0; i < a->ngroups; i++)
        group_free(&a->groups[i]);
    a->ngroups = 0;
    free(a->error);
    a->error = NULL;
}

void wv_view_answer_free(wv_view_answer *a)
{
    if (!a)
        return;
    wv_view_answer_clear(a);
    free(a->groups);
    free(a);
}

static void set_error(wv_view_answer *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(wv_view_answer *a, const char *fmt, ...)
{
    if (a->error)
        return;
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->error = wv_xstrdup(msg);
}

/* A column's value as the row holds it: its text unquoted, or NULL. */
typedef struct value {
    bool null, toast;
    bool bare;     /* printed bare: a number or a boolean */
    bool floating; /* real or double precision */
    char *text;
} value;

static value value_of(const wv_column *c)
{
    value v = { .null = !c || c->kind == WV_VAL_NULL, .toast = c && c->kind == WV_VAL_TOAST };
    if (v.null || v.toast)
        return v;
    v.bare = c->kind == WV_VAL_BARE;
    v.floating = wv_slice_eq(c->type, "double precision") || wv_slice_eq(c->type, "real");
    v.text = wv_xmalloc(c->value.len + 1);
    size_t n = c->kind == WV_VAL_QUOTED ? wv_decode_literal(c->value, false, v.text) : c->value.len;
    if (c->kind != WV_VAL_QUOTED)
        memcpy(v.text, c->value.ptr, n);
    v.text[n] = '\0';
    return v;
}

static int cmp_keys(const group *g, bool numeric, const big *num, const char *key)
{
    if (!g->key || !key) /* NULL sorts last, as ORDER BY ... ASC puts it */
        return (g->key == NULL) - (key == NULL);
    if (g->key_numeric && numeric)
        return big_cmp(&g->key_num, num);
    return strcmp(g->key, key);
}

static group *group_for(wv_view_answer *a, const value *k)
{
    big num = { 0 };
    int ds;
    bool numeric = k && !k->null && k->bare && big_parse(k->text, strlen(k->text), &num, &ds) == 0;
    const char *key = k && !k->null ? k->text : NULL;
    size_t lo = 0, hi = a->ngroups;
    if (k) {
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = cmp_keys(&a->groups[mid], numeric, &num, key);
            if (c == 0)
                return &a->groups[mid];
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    } else if (a->ngroups) {
        return &a->groups[0];
    }
    if (a->ngroups == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->groups = wv_xrealloc(a->groups, a->cap * sizeof *a->groups);
    }
    memmove(&a->groups[lo + 1], &a->groups[lo], (a->ngroups - lo) * sizeof *a->groups);
    a->ngroups++;
    group *g = &a->groups[lo];
    memset(g, 0, sizeof *g);
    g->key = key ? wv_xstrdup(key) : NULL;
    g->key_numeric = numeric;
    g->key_num = num;
    return g;
}

static bool where_matches(wv_view_answer *a, const value *v)
{
    const wv_view_query *q = a->q;
    if (v->toast) {
        set_error(a, "WHERE %s: the stream did not carry its value (unchanged TOAST)", q->inputs[q->where_col]);
        return false;
    }
    if (v->null)
        return false; /* NULL = anything is not true */
    big num;
    int ds;
    bool col_num = v->bare && big_parse(v->text, strlen(v->text), &num, &ds) == 0;
    switch (q->where_kind) {
    case LIT_NUMBER:
        if (!col_num) {
            set_error(a, "WHERE %s = %s: %s holds '%s', not a number (write '%s' to compare text)",
                      q->inputs[q->where_col], q->where_text, q->inputs[q->where_col], v->text, q->where_text);
            return false;
        }
        return big_cmp(&num, &q->where_num) == 0;
    case LIT_STRING: {
        /* a quoted literal takes the column's type: '3' = 3 on a number */
        big lit;
        if (col_num && big_parse(q->where_text, strlen(q->where_text), &lit, &ds) == 0)
            return big_cmp(&num, &lit) == 0;
        return strcmp(v->text, q->where_text) == 0;
    }
    case LIT_BOOL:
        return strcmp(v->text, q->where_text) == 0;
    }
    return false;
}

static void accumulate(wv_view_answer *a, size_t i, agg *s, const value *v)
{
    const wv_view_query *q = a->q;
    const item *it = &q->items[i];
    if (it->kind == AGG_COUNT_STAR) {
        s->n++;
        return;
    }
    if (it->kind == AGG_GROUP)
        return;
    if (v->toast) {
        set_error(a, "%s: the stream did not carry a value (unchanged TOAST)", q->out_names[i]);
        return;
    }
    if (v->null)
        return;
    if (it->kind == AGG_COUNT) {
        s->n++;
        return;
    }
    big num;
    int ds;
    bool numeric = v->bare && big_parse(v->text, strlen(v->text), &num, &ds) == 0;
    if (it->kind == AGG_SUM || it->kind == AGG_AVG) {
        if (v->floating) {
            /* float8 addition depends on the order of the rows */
            set_error(a, "%s: floating-point values are added in the rows' order, not exactly; walviz adds "
                         "integer and numeric columns", q->out_names[i]);
            return;
        }
        if (!numeric) {
            set_error(a, "%s: '%s' is not a number walviz adds exactly (integer and numeric columns)",
                      q->out_names[i], v->text);
            return;
        }
        if (!big_add(&s->sum, &num)) {
            set_error(a, "%s: the sum is beyond %d digits", q->out_names[i], NDIGITS - SCALE);
            return;
        }
        s->have = true;
        s->n++;
        if (ds > s->dscale)
            s->dscale = ds;
        return;
    }
    /* min, max */
    int c = !s->have ? 1 : numeric && s->numeric ? big_cmp(&num, &s->best) : strcmp(v->text, s->text);
    if (it->kind == AGG_MAX)
        c = -c;
    if (!s->have || c < 0) {
        free(s->text);
        s->text = wv_xstrdup(v->text);
        s->best = num;
        s->numeric = numeric;
        s->have = true;
    }
}

void wv_view_add(wv_view_answer *a, const wv_column *const *cols)
{
    const wv_view_query *q = a->q;
    value vals[WV_VIEW_MAX_ITEMS + 2];
    for (size_t i = 0; i < q->ninputs; i++)
        vals[i] = value_of(cols[i]);
    if (q->where_col < 0 || where_matches(a, &vals[q->where_col])) {
        group *g = group_for(a, q->group_col >= 0 ? &vals[q->group_col] : NULL);
        for (size_t i = 0; i < q->nitems; i++) {
            int in = q->items[i].input;
            value none = { .null = true };
            accumulate(a, i, &g->aggs[i], in >= 0 ? &vals[in] : &none);
            free(g->cells[i]);
            g->cells[i] = NULL;
        }
    }
    for (size_t i = 0; i < q->ninputs; i++)
        free(vals[i].text);
}

void wv_view_merge(wv_view_answer *into, const wv_view_answer *from)
{
    const wv_view_query *q = into->q;
    WV_ASSERT(from->q == q);
    if (from->error)
        set_error(into, "%s", from->error);
    for (size_t gi = 0; gi < from->ngroups; gi++) {
        const group *src = &from->groups[gi];
        value k = { .null = src->key == NULL, .bare = src->key_numeric, .text = src->key };
        group *g = group_for(into, q->group_col >= 0 ? &k : NULL);
        for (size_t i = 0; i < q->nitems; i++) {
            agg *d = &g->aggs[i];
            const agg *s = &src->aggs[i];
            free(g->cells[i]);
            g->cells[i] = NULL;
            d->n += s->n;
            if (!s->have)
                continue;
            agg_kind kind = q->items[i].kind;
            if (kind == AGG_SUM || kind == AGG_AVG) {
                if (!big_add(&d->sum, &s->sum))
                    set_error(into, "%s: the sum is beyond %d digits", q->out_names[i], NDIGITS - SCALE);
                if (s->dscale > d->dscale)
                    d->dscale = s->dscale;
                d->have = true;
            } else if (kind == AGG_MIN || kind == AGG_MAX) {
                int c = !d->have ? 1 : s->numeric && d->numeric ? big_cmp(&s->best, &d->best) : strcmp(s->text, d->text);
                if (kind == AGG_MAX)
                    c = -c;
                if (!d->have || c < 0) {
                    free(d->text);
                    d->text = wv_xstrdup(s->text);
                    d->best = s->best;
                    d->numeric = s->numeric;
                    d->have = true;
                }
            }
        }
    }
}

const char *wv_view_error(const wv_view_answer *a) { return a->error; }

size_t wv_view_rows(const wv_view_answer *a)
{
    return a->q->group_col >= 0 ? a->ngroups : 1;
}

const char *wv_view_cell(const wv_view_answer *a, size_t row, size_t col)
{
    const wv_view_query *q = a->q;
    WV_ASSERT(row < wv_view_rows(a) && col < q->nitems);
    wv_view_answer *m = (wv_view_answer *)a; /* the cells are a cache */
    if (m->ngroups == 0) /* no rows, no GROUP BY: one row of empty aggregates */
        group_for(m, NULL);
    group *g = &m->groups[row];
    if (g->cells[col])
        return g->cells[col];
    const agg *s = &g->aggs[col];
    char out[NDIGITS + 8];
    switch (q->items[col].kind) {
    case AGG_GROUP:
        if (!g->key)
            return NULL;
        snprintf(out, sizeof out, "%s", g->key);
        break;
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        snprintf(out, sizeof out, "%llu", (unsigned long long)s->n);
        break;
    case AGG_SUM:
        if (!s->have)
            return NULL;
        big_format(&s->sum, s->dscale, out, sizeof out);
        break;
    case AGG_AVG:
        if (!s->have)
            return NULL;
        if (big_avg(&s->sum, s->dscale, s->n, out, sizeof out) < 0)
            snprintf(out, sizeof out, "(beyond %d decimal places)", SCALE - 1);
        break;
    case AGG_MIN:
    case AGG_MAX:
        if (!s->have)
            return NULL;
        snprintf(out, sizeof out, "%s", s->text);
        break;
    }
    g->cells[col] = wv_xstrdup(out);
    return g->cells[col];
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool wv_view_answer_equal(const wv_view_answer *a, const wv_view_answer *b)
{
    if (!same_text(a->error, b->error) || wv_view_rows(a) != wv_view_rows(b))
        return false;
    for (size_t r = 0; r < wv_view_rows(a); r++)
        for (size_t c = 0; c < wv_view_outputs(a->q); c++)
            if (!same_text(wv_view_cell(a, r, c), wv_view_cell(b, r, c)))
                return false;
    return true;
}

void wv_view_answer_line(const wv_view_answer *a, char *out, size_t outsz)
{
    const wv_view_query *q = a->q;
    wv_buf b;
    wv_buf_init(&b);
    if (a->error)
        wv_buf_printf(&b, "error: %s", a->error);
    else if (wv_view_rows(a) == 0)
        wv_buf_puts(&b, "(no rows)");
    for (size_t r = 0; !a->error && r < wv_view_rows(a); r++) {
        if (r)
            wv_buf_puts(&b, " \xc2\xb7 ");
        if (q->group_col >= 0) /* the group's value leads its row */
            wv_buf_printf(&b, "%s: ", a->groups[r].key ? a->groups[r].key : "NULL");
        bool first = true;
        for (size_t c = 0; c < q->nitems; c++) {
            if (q->items[c].kind == AGG_GROUP)
                continue;
            const char *cell = wv_view_cell(a, r, c);
            wv_buf_printf(&b, "%s%s", first ? "" : ", ", cell ? cell : "NULL");
            first = false;
        }
    }
    snprintf(out, outsz, "%.*s", (int)b.len, b.data ? b.data : "");
    wv_buf_destroy(&b);
}
