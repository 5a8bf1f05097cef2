/* Unit tests for the replication protocol's byte layouts
 * (src/core/replproto.c): XLogData and keepalive messages as a server sends
 * them, hostile lengths and type bytes, and the status update, byte for
 * byte, with times moved between the Unix and PostgreSQL epochs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/replproto.h"

/* 2026-01-02 03:04:05.678901 UTC, in both epochs */
#define UNIX_US 1767323045678901LL
#define PG_US (UNIX_US - 946684800000000LL)

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void test_xlogdata(void **state)
{
    (void)state;
    unsigned char buf[WV_REPL_XLOGDATA_HEADER + 7];
    buf[0] = 'w';
    put64(buf + 1, 0x0000000116B37480ULL);
    put64(buf + 9, 0x0000000116B37490ULL);
    put64(buf + 17, (uint64_t)PG_US);
    memcpy(buf + 25, "BEGIN 7", 7);
    wv_repl_msg m;
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf, &m), 0);
    assert_int_equal(m.kind, WV_REPL_XLOGDATA);
    assert_true(m.start == 0x0000000116B37480ULL);
    assert_true(m.wal_end == 0x0000000116B37490ULL);
    assert_true(m.send_us == UNIX_US);
    assert_int_equal(m.payload_len, 7);
    assert_memory_equal(m.payload, "BEGIN 7", 7);
    assert_ptr_equal(m.payload, (const char *)buf + 25);

    /* An empty payload is a message; one byte short of a header is not. */
    assert_int_equal(wv_repl_parse((const char *)buf, 25, &m), 0);
    assert_int_equal(m.payload_len, 0);
    assert_int_equal(wv_repl_parse((const char *)buf, 24, &m), -1);
    assert_int_equal(wv_repl_parse((const char *)buf, 0, &m), -1);
    buf[0] = 'x';
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf, &m), -1);
}

static void test_keepalive(void **state)
{
    (void)state;
    unsigned char buf[WV_REPL_KEEPALIVE_LEN];
    buf[0] = 'k';
    put64(buf + 1, 0xFFFFFFFF00000001ULL);
    put64(buf + 9, (uint64_t)PG_US);
    buf[17] = 1;
    wv_repl_msg m;
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf, &m), 0);
    assert_int_equal(m.kind, WV_REPL_KEEPALIVE);
    assert_true(m.wal_end == 0xFFFFFFFF00000001ULL);
    assert_true(m.send_us == UNIX_US);
    assert_true(m.reply_requested);
    assert_null(m.payload);
    buf[17] = 0;
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf, &m), 0);
    assert_false(m.reply_requested);
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf - 1, &m), -1);

    /* A send time past what Unix microseconds hold saturates. */
    put64(buf + 9, (uint64_t)INT64_MAX);
    assert_int_equal(wv_repl_parse((const char *)buf, sizeof buf, &m), 0);
    assert_true(m.send_us == INT64_MAX);
}

static void test_status_update(void **state)
{
    (void)state;
    char out[WV_REPL_STATUS_LEN];
    wv_repl_status(out, 0x0000000116B37480ULL, 0x0000000116B37400ULL, 0, UNIX_US, true);
    unsigned char want[WV_REPL_STATUS_LEN];
    want[0] = 'r';
    put64(want + 1, 0x0000000116B37480ULL);
    put64(want + 9, 0x0000000116B37400ULL);
    put64(want + 17, 0);
    put64(want + 25, (uint64_t)PG_US);
    want[33] = 1;
    assert_memory_equal(out, want, sizeof want);
    wv_repl_status(out, 1, 2, 3, UNIX_US, false);
    assert_int_equal(out[33], 0);
    assert_int_equal(out[8], 1);
    assert_int_equal(out[16], 2);
    assert_int_equal(out[24], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlogdata),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_status_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
