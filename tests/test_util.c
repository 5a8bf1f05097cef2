/* Unit tests for src/core/util.c: the growable buffer's edges (an empty buffer
 * asked for nothing, appends of nothing) and LSN text both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/util.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_nothing),
        cmocka_unit_test(test_lsn_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
