/* Unit tests for the JSON output (src/core/json.c): whole objects for decoded
 * records, compared byte for byte, and the string writer's escaping,
 * U+FFFD for bytes that are not UTF-8, and quote undoubling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/json.h"

static int group_setup(void **state)
{
    *state = wv_decode_new();
    return 0;
}

static int group_teardown(void **state)
{
    wv_decode_free(*state);
    return 0;
}

/* Decodes text (a string literal, NULs allowed) and checks the JSON of the
 * record against want, both printed on a mismatch. */
static void json_of_at(wv_decoder *d, const char *text, size_t len, const wv_meta *m,
                       const char *want, const char *file, int line)
{
    wv_change c;
    if (wv_decode_message(d, text, len, &c) != WV_DECODE_OK) {
        print_error("could not decode the test input: %s\n", wv_decode_error(d));
        _fail(file, line);
    }
    wv_buf out;
    wv_buf_init(&out);
    wv_json_change(&out, &c, m);
    wv_buf_append(&out, "", 1);
    _assert_string_equal(out.data, want, file, line);
    wv_buf_destroy(&out);
}

#define json_of(d, lit, m, want) \
    json_of_at((d), "" lit, sizeof(lit) - 1, (m), (want), __FILE__, __LINE__)

static const wv_meta no_meta;

static void test_insert(void **state)
{
    wv_meta m = { .has_lsn = true, .lsn = 0x16B3748, .has_xid = true, .xid = 529 };
    json_of(*state,
            "table public.t: INSERT: id[integer]:1 \"Na\"\"me\"[text]:'it''s' n[integer]:null "
            "t[text]:unchanged-toast-datum b[bit]:B'01' f[double precision]:-Infinity "
            "g[boolean]:true",
            &m,
            "{\"op\":\"INSERT\",\"lsn\":\"0/16B3748\",\"xid\":529,\"schema\":\"public\","
            "\"table\":\"t\",\"old\":null,\"new\":["
            "{\"name\":\"id\",\"type\":\"integer\",\"value\":\"1\"},"
            "{\"name\":\"Na\\\"me\",\"type\":\"text\",\"value\":\"it's\"},"
            "{\"name\":\"n\",\"type\":\"integer\",\"value\":null},"
            "{\"name\":\"t\",\"type\":\"text\",\"value\":null,\"unchanged_toast\":true},"
            "{\"name\":\"b\",\"type\":\"bit\",\"value\":\"01\"},"
            "{\"name\":\"f\",\"type\":\"double precision\",\"value\":\"-Infinity\"},"
            "{\"name\":\"g\",\"type\":\"boolean\",\"value\":\"true\"}]}\n");
}

static void test_update_delete(void **state)
{
    json_of(*state,
            "table \"My Schema\".\"Weird\"\"Table\": UPDATE: old-key: id[integer]:1 new-tuple: "
            "id[integer]:2 v[text]:'a\nb\tc\\d' w[public.\"My Type\"]:'x'",
            &no_meta,
            "{\"op\":\"UPDATE\",\"lsn\":null,\"xid\":null,\"schema\":\"My Schema\","
            "\"table\":\"Weird\\\"Table\",\"old\":[{\"name\":\"id\",\"type\":\"integer\","
            "\"value\":\"1\"}],\"new\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":\"2\"},"
            "{\"name\":\"v\",\"type\":\"text\",\"value\":\"a\\nb\\tc\\\\d\"},"
            "{\"name\":\"w\",\"type\":\"public.\\\"My Type\\\"\",\"value\":\"x\"}]}\n");

    json_of(*state, "table public.t: DELETE: (no-tuple-data)", &no_meta,
            "{\"op\":\"DELETE\",\"lsn\":null,\"xid\":null,\"schema\":\"public\",\"table\":\"t\","
            "\"old\":null,\"new\":null}\n");

    json_of(*state, "table public.t: DELETE: id[integer]:7", &no_meta,
            "{\"op\":\"DELETE\",\"lsn\":null,\"xid\":null,\"schema\":\"public\",\"table\":\"t\","
            "\"old\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":\"7\"}],\"new\":null}\n");

    /* A table with no columns: an empty list, not null. */
    json_of(*state, "table public.e: INSERT:", &no_meta,
            "{\"op\":\"INSERT\",\"lsn\":null,\"xid\":null,\"schema\":\"public\",\"table\":\"e\","
            "\"old\":null,\"new\":[]}\n");
}

static void test_transaction_boundaries(void **state)
{
    wv_meta m = { .has_lsn = true, .lsn = 0xFFFFFFFFFFFFFFFFu, .has_xid = true, .xid = 5 };
    json_of(*state, "BEGIN 5", &m,
            "{\"op\":\"BEGIN\",\"lsn\":\"FFFFFFFF/FFFFFFFF\",\"xid\":5}\n");
    json_of(*state, "BEGIN", &no_meta, "{\"op\":\"BEGIN\",\"lsn\":null,\"xid\":null}\n");
    json_of(*state, "COMMIT 5 (at 2024-01-01 10:00:00.123456+00)", &m,
            "{\"op\":\"COMMIT\",\"lsn\":\"FFFFFFFF/FFFFFFFF\",\"xid\":5,"
            "\"commit_time\":\"2024-01-01 10:00:00.123456+00\"}\n");
    json_of(*state, "COMMIT", &no_meta,
            "{\"op\":\"COMMIT\",\"lsn\":null,\"xid\":null,\"commit_time\":null}\n");
}

static void test_truncate(void **state)
{
    json_of(*state, "table public.a, \"S\".\"b\"\"c\": TRUNCATE: restart_seqs", &no_meta,
            "{\"op\":\"TRUNCATE\",\"lsn\":null,\"xid\":null,\"tables\":["
            "{\"schema\":\"public\",\"table\":\"a\"},{\"schema\":\"S\",\"table\":\"b\\\"c\"}],"
            "\"restart_seqs\":true,\"cascade\":false}\n");
    json_of(*state, "table public.a: TRUNCATE: (no-flags)", &no_meta,
            "{\"op\":\"TRUNCATE\",\"lsn\":null,\"xid\":null,\"tables\":["
            "{\"schema\":\"public\",\"table\":\"a\"}],\"restart_seqs\":false,\"cascade\":false}\n");
}

static void test_messages(void **state)
{
    /* Content is raw bytes: NUL, controls, a byte that is not UTF-8, a
     * real UTF-8 letter, quotes and backslashes, '' left as it is. */
    json_of(*state,
            "message: transactional: 0 prefix: p\"x, sz: 13 content:a\0b\n\x01\x7f\xff\xc3\xa9\"\\''",
            &no_meta,
            "{\"op\":\"MESSAGE\",\"lsn\":null,\"xid\":null,\"transactional\":false,"
            "\"prefix\":\"p\\\"x\",\"size\":13,"
            "\"content\":\"a\\u0000b\\n\\u0001\\u007f\\ufffd\xc3\xa9\\\"\\\\''\"}\n");
    json_of(*state, "streaming message: transactional: 1 prefix: p, sz: 14", &no_meta,
            "{\"op\":\"STREAM MESSAGE\",\"lsn\":null,\"xid\":null,\"transactional\":true,"
            "\"prefix\":\"p\",\"size\":14,\"content\":null}\n");
}

static void test_two_phase_and_streams(void **state)
{
    wv_meta m = { .has_xid = true, .xid = 7 };
    json_of(*state, "PREPARE TRANSACTION E'a\\\\b''c', txid 7 (at 2024-01-01 10:00:00+00)", &m,
            "{\"op\":\"PREPARE\",\"lsn\":null,\"xid\":7,\"gid\":\"a\\\\b'c\","
            "\"time\":\"2024-01-01 10:00:00+00\"}\n");
    json_of(*state, "COMMIT PREPARED 'g''1'", &no_meta,
            "{\"op\":\"COMMIT PREPARED\",\"lsn\":null,\"xid\":null,\"gid\":\"g'1\","
            "\"time\":null}\n");
    json_of(*state, "ROLLBACK PREPARED 'g'", &no_meta,
            "{\"op\":\"ROLLBACK PREPARED\",\"lsn\":null,\"xid\":null,\"gid\":\"g\","
            "\"time\":null}\n");
    json_of(*state, "preparing streamed transaction 'g' (at 2024-01-01 10:00:00+00)", &no_meta,
            "{\"op\":\"STREAM PREPARE\",\"lsn\":null,\"xid\":null,\"gid\":\"g\","
            "\"time\":\"2024-01-01 10:00:00+00\"}\n");
    json_of(*state, "committing streamed transaction TXN 9 (at 2024-01-01 10:00:00+00)", &no_meta,
            "{\"op\":\"STREAM COMMIT\",\"lsn\":null,\"xid\":null,"
            "\"commit_time\":\"2024-01-01 10:00:00+00\"}\n");
    json_of(*state, "opening a streamed block for transaction TXN 9", &no_meta,
            "{\"op\":\"STREAM START\",\"lsn\":null,\"xid\":null}\n");
    json_of(*state, "aborting streamed (sub)transaction", &no_meta,
            "{\"op\":\"STREAM ABORT\",\"lsn\":null,\"xid\":null}\n");
}

/* wv_json_string of lit (NULs allowed) appended after "x". */
static void json_string_at(const char *s, size_t len, char undouble, bool escaped,
                           const char *want, const char *file, int line)
{
    wv_buf out;
    wv_buf_init(&out);
    wv_buf_puts(&out, "x");
    wv_json_string(&out, (wv_slice){ s, len }, undouble, escaped);
    wv_buf_append(&out, "", 1);
    _assert_string_equal(out.data, want, file, line);
    wv_buf_destroy(&out);
}

#define json_string(lit, undouble, escaped, want) \
    json_string_at("" lit, sizeof(lit) - 1, (undouble), (escaped), (want), __FILE__, __LINE__)

static void test_string_utf8(void **state)
{
    (void)state;
    /* Valid sequences of each length, the smallest and largest. */
    json_string("\xc2\x80\xdf\xbf", 0, false, "x\"\xc2\x80\xdf\xbf\"");
    json_string("\xe0\xa0\x80\xef\xbf\xbf\xee\x80\x80", 0, false,
                "x\"\xe0\xa0\x80\xef\xbf\xbf\xee\x80\x80\"");
    json_string("\xf0\x90\x80\x80\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 0, false,
                "x\"\xf0\x90\x80\x80\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
    /* Each byte of a bad sequence becomes one U+FFFD. */
    json_string("\x80", 0, false, "x\"\\ufffd\"");
    json_string("\xff\xfe", 0, false, "x\"\\ufffd\\ufffd\"");
    json_string("\xc0\x80", 0, false, "x\"\\ufffd\\ufffd\"");             /* overlong */
    json_string("\xc1\xbf", 0, false, "x\"\\ufffd\\ufffd\"");             /* overlong */
    json_string("\xe0\x80\x80", 0, false, "x\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
    json_string("\xf0\x80\x80\x80", 0, false, "x\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    json_string("\xed\xa0\x80", 0, false, "x\"\\ufffd\\ufffd\\ufffd\"");   /* surrogate */
    json_string("\xf4\x90\x80\x80", 0, false, "x\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > 10FFFF */
    json_string("\xf5\x80", 0, false, "x\"\\ufffd\\ufffd\"");
    json_string("a\xe2\x82", 0, false, "x\"a\\ufffd\\ufffd\"");          /* cut at the end */
    json_string("\xe2\x82z", 0, false, "x\"\\ufffd\\ufffdz\"");          /* cut by ASCII */
    json_string("\xc3\xc3\xa9", 0, false, "x\"\\ufffd\xc3\xa9\"");
}

static void test_string_escapes(void **state)
{
    (void)state;
    json_string("", 0, false, "x\"\"");
    json_string("plain text 123 ~", 0, false, "x\"plain text 123 ~\"");
    json_string("\x01\x1f\x7f\b\f\r\t\n\0", 0, false,
                "x\"\\u0001\\u001f\\u007f\\u0008\\u000c\\r\\t\\n\\u0000\"");
    json_string("\"\\/'", 0, false, "x\"\\\"\\\\/'\"");

    /* Undoubling: "" in identifiers, '' in literals, \\ in E'' literals. */
    json_string("a\"\"b\"\"", '"', false, "x\"a\\\"b\\\"\"");
    json_string("a''b''''", '\'', false, "x\"a'b''\"");
    json_string("a''b", 0, false, "x\"a''b\"");
    json_string("a''b", '"', false, "x\"a''b\"");
    json_string("a\\\\b\\\\\\\\", '\'', true, "x\"a\\\\b\\\\\\\\\"");
    json_string("a\\\\b", '\'', false, "x\"a\\\\\\\\b\"");
    json_string("it''s \\\\ ok", '\'', true, "x\"it's \\\\ ok\"");
}

/* The worst case, every byte a six-byte escape, fits what is reserved. */
static void test_string_worst_case(void **state)
{
    (void)state;
    char in[1000];
    memset(in, 0x01, sizeof in);
    wv_buf out;
    wv_buf_init(&out);
    wv_json_string(&out, (wv_slice){ in, sizeof in }, 0, false);
    assert_int_equal(out.len, 6 * sizeof in + 2);
    assert_memory_equal(out.data, "\"\\u0001", 7);
    assert_memory_equal(out.data + out.len - 7, "\\u0001\"", 7);
    wv_buf_destroy(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_update_delete),
        cmocka_unit_test(test_transaction_boundaries),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_two_phase_and_streams),
        cmocka_unit_test(test_string_utf8),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_string_worst_case),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
