/* Unit tests for the recording format (src/core/record.c): COPY text escapes
 * both ways, message lines written and read back, malformed lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/record.h"

/* Bytes made printable for a failure message. */
static const char *show(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\')
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
        else
            out[k++] = (char)c;
    }
    out[k] = '\0';
    return out;
}

static void assert_buf_at(const wv_buf *b, const char *want, size_t wantlen, const char *file,
                          int line)
{
    if (b->len == wantlen && (wantlen == 0 || memcmp(b->data, want, wantlen) == 0))
        return;
    char x[1200], y[1200];
    print_error("buffer holds \"%s\" (%zu bytes), expected \"%s\" (%zu bytes)\n",
                show(b->data, b->len, x, sizeof x), b->len, show(want, wantlen, y, sizeof y),
                wantlen);
    _fail(file, line);
}

/* lit must be a string literal; it may hold NUL bytes. */
#define assert_buf(b, lit) assert_buf_at((b), "" lit, sizeof(lit) - 1, __FILE__, __LINE__)

static void test_escape_known(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    static const char in[] = "a\tb\nc\\d\x01\r\x7f\x1f \xc3\xa9";
    wv_record_escape(&b, in, sizeof in - 1);
    assert_buf(&b, "a\\tb\\nc\\\\d\\001\\r\\177\\037 \xc3\xa9");

    /* Appends to what is there; an empty input adds nothing. */
    wv_record_escape(&b, "", 0);
    wv_record_escape(&b, "\0", 1);
    assert_buf(&b, "a\\tb\\nc\\\\d\\001\\r\\177\\037 \xc3\xa9\\000");
    wv_buf_destroy(&b);
}

/* An escaped message holds no byte that would end or split a line. */
static void assert_line_safe(const wv_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c < 0x20 || c == 0x7f) {
            print_error("escaped text holds byte 0x%02x at %zu\n", c, i);
            fail();
        }
    }
}

static void test_escape_roundtrip_all_bytes(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    wv_buf esc, back;
    wv_buf_init(&esc);
    wv_buf_init(&back);
    char err[128] = "";

    wv_record_escape(&esc, all, sizeof all);
    assert_line_safe(&esc);
    assert_int_equal(wv_record_unescape(esc.data, esc.len, &back, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(back.len, 256);
    assert_memory_equal(back.data, all, 256);

    /* Every byte pair, so that an escape is never read together with the
     * byte after it (an octal escape followed by a digit, say). */
    for (int a = 0; a < 256; a++) {
        for (int c = 0; c < 256; c++) {
            char pair[2] = { (char)a, (char)c };
            esc.len = 0;
            wv_record_escape(&esc, pair, 2);
            if (wv_record_unescape(esc.data, esc.len, &back, err, sizeof err) != 0 ||
                back.len != 2 || memcmp(back.data, pair, 2) != 0) {
                print_error("bytes 0x%02x 0x%02x came back as %zu bytes (%s)\n", a, c, back.len,
                            err);
                fail();
            }
        }
    }
    wv_buf_destroy(&esc);
    wv_buf_destroy(&back);
}

static void test_unescape_forms(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    char err[128];
    static const char in[] = "\\b\\f\\v\\x41\\x4a\\x4z\\101\\7\\08\\q\\\\\\N plain";
    assert_int_equal(wv_record_unescape(in, sizeof in - 1, &b, err, sizeof err), 0);
    assert_buf(&b, "\b\f\vAJ\x04z" "A\a\0" "8q\\N plain");

    /* The output replaces what the buffer held. */
    assert_int_equal(wv_record_unescape("xy", 2, &b, err, sizeof err), 0);
    assert_buf(&b, "xy");
    assert_int_equal(wv_record_unescape("", 0, &b, err, sizeof err), 0);
    assert_int_equal(b.len, 0);
    wv_buf_destroy(&b);
}

static void test_unescape_errors(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    char err[128] = "";
    assert_int_equal(wv_record_unescape("abc\\", 4, &b, err, sizeof err), -1);
    assert_string_equal(err, "a backslash ends the line (a torn escape)");
    err[0] = '\0';
    assert_int_equal(wv_record_unescape("a\\xg", 4, &b, err, sizeof err), -1);
    assert_string_equal(err, "expected hex digits after \\x");
    err[0] = '\0';
    assert_int_equal(wv_record_unescape("\\x", 2, &b, err, sizeof err), -1);
    assert_string_equal(err, "expected hex digits after \\x");
    wv_buf_destroy(&b);
}

static void test_format_line(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    wv_meta m = { .has_lsn = true, .lsn = 0x16B3748, .has_xid = true, .xid = 529,
                  .send_us = 1700000000000000, .recv_us = 1700000000000123 };
    wv_record_format_line(&b, &m, "BEGIN 529", 9);
    assert_buf(&b, "0/16B3748\t529\t1700000000000000\t1700000000000123\tBEGIN 529\n");

    b.len = 0;
    wv_meta none = { 0 };
    static const char msg[] = "message: transactional: 0 prefix: p, sz: 4 content:a\tb\n";
    wv_record_format_line(&b, &none, msg, sizeof msg - 1);
    assert_buf(&b, "-\t-\t0\t0\tmessage: transactional: 0 prefix: p, sz: 4 content:a\\tb\\n\n");

    b.len = 0;
    wv_meta big = { .has_lsn = true, .lsn = 0xFFFFFFFFFFFFFFFFu, .has_xid = true,
                    .xid = 4294967295u, .send_us = -5, .recv_us = 0 };
    wv_record_format_line(&b, &big, "", 0);
    assert_buf(&b, "FFFFFFFF/FFFFFFFF\t4294967295\t-5\t0\t\n");
    wv_buf_destroy(&b);
}

static void test_header_line(void **state)
{
    (void)state;
    wv_buf b;
    wv_buf_init(&b);
    wv_record_header_line(&b, "source", "postgresql 15.18");
    wv_record_header_line(&b, "note", "two\nlines\r");
    assert_buf(&b, "# source: postgresql 15.18\n# note: two lines \n");
    wv_buf_destroy(&b);
}

/* format_line then parse_line gives back the meta and the message. */
static void roundtrip(const wv_meta *m, const char *data, size_t len)
{
    wv_buf line, back;
    wv_buf_init(&line);
    wv_buf_init(&back);
    char err[128] = "";
    wv_record_format_line(&line, m, data, len);
    assert_true(line.len > 0);
    assert_int_equal(line.data[line.len - 1], '\n');
    assert_null(memchr(line.data, '\n', line.len - 1));

    wv_meta got;
    memset(&got, 0x5a, sizeof got);
    int rc = wv_record_parse_line(line.data, line.len - 1, &got, &back, err, sizeof err);
    if (rc != 0) {
        char x[1200];
        print_error("parse_line(\"%s\") failed: %s\n", show(line.data, line.len, x, sizeof x),
                    err);
        fail();
    }
    assert_int_equal(got.has_lsn, m->has_lsn);
    if (m->has_lsn)
        assert_int_equal(got.lsn, m->lsn);
    assert_int_equal(got.has_xid, m->has_xid);
    if (m->has_xid)
        assert_int_equal(got.xid, m->xid);
    assert_true(got.send_us == m->send_us);
    assert_true(got.recv_us == m->recv_us);
    assert_int_equal(back.len, len);
    if (len)
        assert_memory_equal(back.data, data, len);
    wv_buf_destroy(&line);
    wv_buf_destroy(&back);
}

static void test_line_roundtrip(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)(255 - i);

    wv_meta a = { .has_lsn = true, .lsn = 0x16B3748, .has_xid = true, .xid = 529,
                  .send_us = 1700000000000000, .recv_us = 1700000000000123 };
    roundtrip(&a, "BEGIN 529", 9);
    roundtrip(&a, all, sizeof all);
    roundtrip(&a, "", 0);

    wv_meta b = { 0 };
    roundtrip(&b, "COMMIT", 6);
    roundtrip(&b, "a\tb\\c\nd\r\0", 10);

    wv_meta c = { .has_lsn = true, .lsn = 0, .has_xid = true, .xid = 0, .send_us = 1,
                  .recv_us = -1 };
    roundtrip(&c, "x", 1);

    wv_meta d = { .has_lsn = true, .lsn = 0xFFFFFFFFFFFFFFFFu, .has_xid = true,
                  .xid = 4294967295u, .send_us = INT64_MAX, .recv_us = INT64_MIN };
    roundtrip(&d, all, sizeof all);

    wv_meta e = { .send_us = -9223372036854775807LL, .recv_us = -1234567890123456789LL };
    roundtrip(&e, "y", 1);
}

static void test_parse_line_fields(void **state)
{
    (void)state;
    wv_buf data;
    wv_buf_init(&data);
    wv_meta m;
    char err[128];
    static const char line[] = "0/16B3748\t-\t-12\t34\tCOMMIT\\t529";
    assert_int_equal(wv_record_parse_line(line, sizeof line - 1, &m, &data, err, sizeof err), 0);
    assert_true(m.has_lsn);
    assert_int_equal(m.lsn, 0x16B3748);
    assert_false(m.has_xid);
    assert_true(m.send_us == -12);
    assert_true(m.recv_us == 34);
    assert_buf(&data, "COMMIT\t529");
    wv_buf_destroy(&data);
}

static void test_parse_line_errors(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *want;
    } cases[] = {
        { "", "expected 5 tab-separated fields (lsn, xid, sent, received, data), found 1" },
        { "0/1\t5\t0\t0", "expected 5 tab-separated fields (lsn, xid, sent, received, data), "
                          "found 4" },
        { "BEGIN 5", "expected 5 tab-separated fields" },
        { "zz\t5\t0\t0\tBEGIN", "expected an LSN like 0/16B3748 in field 1" },
        { "\t5\t0\t0\tBEGIN", "expected an LSN like 0/16B3748 in field 1" },
        { "0/1/2\t5\t0\t0\tBEGIN", "expected an LSN like 0/16B3748 in field 1" },
        { "0/1\tx\t0\t0\tBEGIN", "expected a transaction id or '-' in field 2" },
        { "0/1\t\t0\t0\tBEGIN", "expected a transaction id or '-' in field 2" },
        { "0/1\t-1\t0\t0\tBEGIN", "expected a transaction id or '-' in field 2" },
        { "0/1\t4294967296\t0\t0\tBEGIN", "expected a transaction id or '-' in field 2" },
        { "0/1\t5\tabc\t0\tBEGIN", "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t0\t\tBEGIN", "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t-\t0\tBEGIN", "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t1.5\t0\tBEGIN", "expected times in microseconds in fields 3 and 4" },
        /* Past the range of a 64-bit time: 19 and 20 digits. */
        { "0/1\t5\t9999999999999999999\t0\tBEGIN",
          "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t0\t-9223372036854775809\tBEGIN",
          "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t0\t99999999999999999999\tBEGIN",
          "expected times in microseconds in fields 3 and 4" },
        { "0/1\t5\t0\t0\tBEGIN\\", "a backslash ends the line (a torn escape)" },
        { "0/1\t5\t0\t0\t\\xq", "expected hex digits after \\x" },
    };
    wv_buf data;
    wv_buf_init(&data);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wv_meta m;
        char err[128] = "";
        int rc = wv_record_parse_line(cases[i].line, strlen(cases[i].line), &m, &data, err,
                                      sizeof err);
        if (rc != -1 || !strstr(err, cases[i].want)) {
            char x[600];
            print_error("parse_line(\"%s\") returned %d, error \"%s\"; expected -1 with \"%s\"\n",
                        show(cases[i].line, strlen(cases[i].line), x, sizeof x), rc, err,
                        cases[i].want);
            fail();
        }
    }
    wv_buf_destroy(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_known),
        cmocka_unit_test(test_escape_roundtrip_all_bytes),
        cmocka_unit_test(test_unescape_forms),
        cmocka_unit_test(test_unescape_errors),
        cmocka_unit_test(test_format_line),
        cmocka_unit_test(test_header_line),
        cmocka_unit_test(test_line_roundtrip),
        cmocka_unit_test(test_parse_line_fields),
        cmocka_unit_test(test_parse_line_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
