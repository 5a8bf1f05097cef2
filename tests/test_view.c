/* Unit tests for views (src/core/view.c): each aggregate, WHERE, GROUP BY,
 * NULLs, numeric rounding as PostgreSQL's, merging parts, refusals. Every
 * expected answer is worked out by hand in the comment beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/view.h"

#include "check.h"

/* Rows as test_decoding prints them; owner NULL on row 3. */
static const char *const accounts[] = {
    "table public.accounts: INSERT: id[integer]:1 owner[text]:'ann' balance[numeric]:480.00",
    "table public.accounts: INSERT: id[integer]:2 owner[text]:'bob' balance[numeric]:20",
    "table public.accounts: INSERT: id[integer]:3 owner[text]:'ann' balance[numeric]:null",
    "table public.accounts: INSERT: id[integer]:4 owner[text]:'cy' balance[numeric]:-0.5",
    "table public.accounts: INSERT: id[integer]:5 owner[text]:'bob' balance[numeric]:1.25",
    NULL,
};

/* Feeds one printed row into a: its columns by the names the query needs. */
static void add_line(wv_view_answer *a, const wv_view_query *q, const char *line)
{
    wv_decoder *d = wv_decode_new();
    wv_change c;
    CHECK(wv_decode_message(d, line, strlen(line), &c) == WV_DECODE_OK, "decode %s", line);
    const char *const *names;
    size_t n = wv_view_inputs(q, &names);
    const wv_column *cols[16] = { NULL };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c.new_tuple.ncols; k++)
            if (wv_slice_eq(c.new_tuple.cols[k].name, names[i]))
                cols[i] = &c.new_tuple.cols[k];
    wv_view_add(a, cols);
    wv_decode_free(d);
}

/* The one-line answer of sql over lines. */
static void answer(const char *sql, const char *const *lines, char *out, size_t outsz)
{
    char err[400];
    wv_view_query *q = wv_view_parse(sql, err, sizeof err);
    CHECK(q, "parse %s: %s", sql, err);
    wv_view_answer *a = wv_view_answer_new(q);
    for (int i = 0; lines[i]; i++)
        add_line(a, q, lines[i]);
    wv_view_answer_line(a, out, outsz);
    wv_view_answer_free(a);
    wv_view_query_free(q);
}

#define EXPECT(sql, lines, want)                                                                   \
    do {                                                                                           \
        char got_[400];                                                                            \
        answer(sql, lines, got_, sizeof got_);                                                     \
        CHECK(strcmp(got_, want) == 0, "%s: expected '%s', got '%s'", sql, want, got_);            \
    } while (0)

static void test_aggregates(void **state)
{
    (void)state;
    /* 5 rows, 4 balances (row 3's is NULL) */
    EXPECT("SELECT count(*) FROM accounts", accounts, "5");
    EXPECT("select COUNT(balance) from public.accounts;", accounts, "4");
    /* 480.00 + 20 - 0.5 + 1.25 = 500.75, at the widest scale (2) */
    EXPECT("SELECT sum(balance) FROM accounts", accounts, "500.75");
    EXPECT("SELECT min(balance), max(balance) FROM accounts", accounts, "-0.5, 480.00");
    /* 500.75 / 4 = 125.1875; select_div_scale: weights 0 and 0, first
     * base-10000 digits 500 > 4, so 16 decimals */
    EXPECT("SELECT avg(balance) FROM accounts", accounts, "125.1875000000000000");
    /* text compares byte by byte */
    EXPECT("SELECT min(owner), max(owner) FROM accounts", accounts, "ann, cy");
}

static void test_avg_rounds_as_numeric(void **state)
{
    (void)state;
    const char *const ones[] = {
        "table public.t: INSERT: x[integer]:1", "table public.t: INSERT: x[integer]:0",
        "table public.t: INSERT: x[integer]:0", NULL,
    };
    /* 1/3: first digit 1 <= 3, so the quotient's weight is -1: 20 decimals */
    EXPECT("SELECT avg(x) FROM t", ones, "0.33333333333333333333");
    const char *const twos[] = {
        "table public.t: INSERT: x[integer]:2", "table public.t: INSERT: x[integer]:2",
        "table public.t: INSERT: x[integer]:1", NULL,
    };
    /* 5/3 = 1.66...; 16 decimals, the last rounded up */
    EXPECT("SELECT avg(x) FROM t", twos, "1.6666666666666667");
    const char *const cents[] = {
        "table public.t: INSERT: x[numeric]:0.01", "table public.t: INSERT: x[numeric]:0.02", NULL,
    };
    /* 0.03 has weight -1 (digit 300), 2 weight 0: 16 + 4 = 20 decimals */
    EXPECT("SELECT avg(x), sum(x) FROM t", cents, "0.01500000000000000000, 0.03");
    const char *const none[] = { NULL };
    /* no rows: count 0, the others NULL */
    EXPECT("SELECT count(*), sum(x), avg(x), min(x) FROM t", none, "0, NULL, NULL, NULL");
}

static void test_where(void **state)
{
    (void)state;
    /* ann's rows: 480.00 and NULL */
    EXPECT("SELECT count(*), sum(balance), avg(balance) FROM accounts WHERE owner = 'ann'", accounts,
           "2, 480.00, 480.0000000000000000");
    /* numbers compare as numbers: 20 = 20.0, and '20' takes the column's type */
    EXPECT("SELECT count(*) FROM accounts WHERE balance = 20.0", accounts, "1");
    EXPECT("SELECT count(*) FROM accounts WHERE balance = '20.00'", accounts, "1");
    EXPECT("SELECT sum(balance) FROM accounts WHERE id = 4", accounts, "-0.5");
    /* nothing matches: sum NULL */
    EXPECT("SELECT sum(balance) FROM accounts WHERE owner = 'dee'", accounts, "NULL");
    /* a number against text is an error, as in PostgreSQL */
    char got[400];
    answer("SELECT count(*) FROM accounts WHERE owner = 3", accounts, got, sizeof got);
    CHECK(strncmp(got, "error: WHERE owner = 3", 22) == 0, "got '%s'", got);
}

static void test_group_by(void **state)
{
    (void)state;
    /* ann: 480.00 + NULL; bob: 20 + 1.25; cy: -0.5 */
    EXPECT("SELECT owner, count(*), sum(balance) FROM accounts GROUP BY owner", accounts,
           "ann: 2, 480.00 \xc2\xb7 bob: 2, 21.25 \xc2\xb7 cy: 1, -0.5");
    /* numeric groups in numeric order (10 after 9), NULL last */
    const char *const nums[] = {
        "table public.t: INSERT: g[integer]:10 x[integer]:1", "table public.t: INSERT: g[integer]:9 x[integer]:2",
        "table public.t: INSERT: g[integer]:null x[integer]:3", "table public.t: INSERT: g[integer]:9 x[integer]:4",
        NULL,
    };
    EXPECT("SELECT max(x) FROM t GROUP BY g", nums, "9: 4 \xc2\xb7 10: 1 \xc2\xb7 NULL: 3");
    char err[400];
    wv_view_query *q = wv_view_parse("SELECT g, max(x) FROM t GROUP BY g", err, sizeof err);
    CHECK(q, "%s", err);
    wv_view_answer *a = wv_view_answer_new(q);
    for (int i = 0; nums[i]; i++)
        add_line(a, q, nums[i]);
    CHECK(wv_view_rows(a) == 3, "3 groups, got %zu", wv_view_rows(a));
    CHECK(strcmp(wv_view_cell(a, 1, 0), "10") == 0 && strcmp(wv_view_cell(a, 1, 1), "1") == 0, "group 10");
    CHECK(wv_view_cell(a, 2, 0) == NULL, "the NULL group's key is NULL");
    CHECK(strcmp(wv_view_output_name(q, 1), "max(x)") == 0, "got %s", wv_view_output_name(q, 1));
    wv_view_answer_free(a);
    wv_view_query_free(q);
}

static void test_errors_and_merge(void **state)
{
    (void)state;
    char got[400];
    answer("SELECT sum(owner) FROM accounts", accounts, got, sizeof got);
    CHECK(strcmp(got, "error: sum(owner): 'ann' is not a number walviz adds exactly (integer and numeric "
                      "columns)") == 0, "got '%s'", got);

    /* double precision: PostgreSQL adds it in float8, in the rows' order */
    const char *const floats[] = { "table public.t: INSERT: x[double precision]:0.1", NULL };
    answer("SELECT sum(x) FROM t", floats, got, sizeof got);
    CHECK(strncmp(got, "error: sum(x): floating-point values are added in the rows' order", 65) == 0, "got '%s'", got);
    EXPECT("SELECT max(x), count(x) FROM t", floats, "0.1, 1");

    /* rows 1-2 and 3-5 apart, merged: the whole's answer */
    char err[400];
    wv_view_query *q = wv_view_parse("SELECT owner, count(*), sum(balance), min(balance), avg(balance) "
                                     "FROM accounts GROUP BY owner", err, sizeof err);
    CHECK(q, "%s", err);
    wv_view_answer *whole = wv_view_answer_new(q), *p1 = wv_view_answer_new(q), *p2 = wv_view_answer_new(q);
    for (int i = 0; accounts[i]; i++) {
        add_line(whole, q, accounts[i]);
        add_line(i < 2 ? p1 : p2, q, accounts[i]);
    }
    CHECK(!wv_view_answer_equal(whole, p1), "a part is not the whole");
    wv_view_merge(p1, p2);
    char a1[400], a2[400];
    wv_view_answer_line(whole, a1, sizeof a1);
    wv_view_answer_line(p1, a2, sizeof a2);
    CHECK(wv_view_answer_equal(whole, p1), "merged '%s', whole '%s'", a2, a1);
    /* bob: (20 + 1.25) / 2 = 10.625 */
    CHECK(strcmp(wv_view_cell(p1, 1, 4), "10.6250000000000000") == 0, "got %s", wv_view_cell(p1, 1, 4));
    wv_view_answer_clear(p1);
    wv_view_answer_line(p1, a2, sizeof a2);
    CHECK(strcmp(a2, "(no rows)") == 0, "cleared: '%s'", a2);
    wv_view_answer_free(whole);
    wv_view_answer_free(p1);
    wv_view_answer_free(p2);
    CHECK(strcmp(wv_view_sql(q), "SELECT owner, count(*), sum(balance), min(balance), avg(balance) FROM "
                                 "accounts GROUP BY owner") == 0, "sql %s", wv_view_sql(q));
    wv_view_query_free(q);
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *says;
    } bad[] = {
        { "SELECT * FROM accounts", "expected an aggregate such as count(*) or sum(balance), found '*'" },
        { "SELECT balance FROM accounts", "'balance' is selected bare without GROUP BY balance" },
        { "SELECT sum(balance + 1) FROM accounts", "expected ')' after sum(balance, found '+'" },
        { "SELECT median(balance) FROM accounts", "'median(...)' is not one of count, sum, min, max, avg" },
        { "SELECT sum(*) FROM accounts", "sum(*) is not an aggregate" },
        { "SELECT count(*) FROM accounts ORDER BY id", "'order' is not accepted here" },
        { "SELECT count(*) FROM a JOIN b", "'join' is not accepted here" },
        { "SELECT count(*) FROM accounts WHERE id = 1 AND owner = 'x'", "one condition only" },
        { "SELECT count(*) FROM accounts WHERE id > 1", "expected '=' in WHERE col = value, found '>'" },
        { "SELECT count(*) FROM accounts WHERE id = NULL", "'= NULL' is never true" },
        { "SELECT owner, count(*) FROM accounts GROUP BY id", "'owner' is selected bare but the groups are by 'id'" },
        { "DELETE FROM accounts", "expected SELECT, found 'delete'" },
        { "SELECT count(*) FROM accounts WHERE owner = 'x", "an unterminated string" },
        { "", "expected SELECT, found 'the end'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[400] = "";
        wv_view_query *q = wv_view_parse(bad[i].sql, err, sizeof err);
        CHECK(!q, "'%s' was accepted", bad[i].sql);
        CHECK(strstr(err, bad[i].says), "'%s': expected '%s' in '%s'", bad[i].sql, bad[i].says, err);
        CHECK(strstr(err, "a view is SELECT count(*), sum(col)"), "'%s' does not say what is accepted: %s",
              bad[i].sql, err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_avg_rounds_as_numeric),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_group_by),
        cmocka_unit_test(test_errors_and_merge),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
