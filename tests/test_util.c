/* Unit tests for src/core/util.c: the growable buffer's edges (an empty buffer
 * asked for nothing, appends of nothing), LSN text both ways, and cuts that
 * keep UTF-8 whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/decode.h"
#include "walviz/util.h"

#include "check.h"

/* Reserving nothing in a buffer that owns no memory yet gives a real
 * pointer (it was NULL + 0, undefined behaviour that UBSan reports). */
static void test_reserve_nothing(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    char *p = wv_buf_reserve(&b, 0);
    assert_non_null(p);
    assert_int_equal(b.len, 0);
    wv_buf_append(&b, NULL, 0);
    assert_int_equal(b.len, 0);
    wv_buf_puts(&b, "ab");
    assert_ptr_equal(wv_buf_reserve(&b, 0), b.data + 2);
    assert_memory_equal(b.data, "ab", 2);
    wv_buf_destroy(&b);
    assert_null(b.data);
}

static void test_lsn_text(void **state)
{
    (void)state;
    char out[WV_LSN_BUFSZ];
    wv_lsn_format(0xFFFFFFFF0016B374ULL, out);
    assert_string_equal(out, "FFFFFFFF/16B374");
    uint64_t lsn = 0;
    assert_int_equal(wv_lsn_parse(out, strlen(out), &lsn), 0);
    assert_true(lsn == 0xFFFFFFFF0016B374ULL);
    assert_int_equal(wv_lsn_parse("0/", 2, &lsn), -1);
    assert_int_equal(wv_lsn_parse("/1", 2, &lsn), -1);
    assert_int_equal(wv_lsn_parse("123456789/1", 11, &lsn), -1);
}

/* Text cut to a size never ends inside a UTF-8 sequence: "€" is three
 * bytes, "é" two. */
static void test_utf8_cuts(void **state)
{
    (void)state;
    const char *s = "ab\xe2\x82\xac\xc3\xa9";
    static const size_t want[] = { 0, 1, 2, 2, 2, 5, 5, 7, 7 }; /* max 0..8 */
    for (size_t max = 0; max < sizeof want / sizeof want[0]; max++)
        CHECK(wv_utf8_prefix(s, strlen(s), max) == want[max], "max %zu: %zu, expected %zu", max,
              wv_utf8_prefix(s, strlen(s), max), want[max]);
    /* a stray continuation byte after an escape: the escape stays whole */
    char esc[8];
    wv_display_line((wv_slice){ "abcd\n\x80\x80\x80", 8 }, esc, sizeof esc);
    CHECK(strcmp(esc, "abcd\\n") == 0, "'%s', expected 'abcd\\n'", esc);
    /* one line for a table cell: escapes, and a cut before a sequence */
    char out[8];
    wv_display_line((wv_slice){ "a\nb\xe2\x82\xac", 6 }, out, sizeof out);
    CHECK(strcmp(out, "a\\nb") == 0, "'%s', expected 'a\\nb' (the euro does not fit whole)", out);
    wv_display_line((wv_slice){ "ab\xc3\xa9", 4 }, out, sizeof out);
    CHECK(strcmp(out, "ab\xc3\xa9") == 0, "'%s', expected it whole", out);
}

/* Integers that are all of the text and fit, and nothing else. */
static void test_parse_i64(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
        int64_t v;
    } cases[] = { { "0", true, 0 }, { "-7", true, -7 }, { "9223372036854775807", true, INT64_MAX },
                  { "-9223372036854775808", true, INT64_MIN }, { "9223372036854775808", false, 0 },
                  { "", false, 0 }, { "-", false, 0 }, { "1x", false, 0 }, { " 1", false, 0 }, { "+1", false, 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        bool ok = wv_parse_i64(cases[i].s, strlen(cases[i].s), &v);
        CHECK(ok == cases[i].ok && (!ok || v == cases[i].v), "'%s': %d %lld", cases[i].s, ok, (long long)v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_nothing),
        cmocka_unit_test(test_lsn_text),
        cmocka_unit_test(test_utf8_cuts),
        cmocka_unit_test(test_parse_i64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
