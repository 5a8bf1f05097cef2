/* Unit tests for what PostgreSQL errors mean to walviz (src/core/pgerr.c):
 * SQLSTATEs out of libpq's verbose error texts (while connecting and from
 * results; in English and not), the one line left for people, the hints
 * keyed on SQLSTATE and step, and which causes heal by waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/pgerr.h"

static void test_parse(void **state)
{
    (void)state;
    wv_pgerr e;
    wv_pgerr_parse("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  28000: "
                   "role \"nosuch\" does not exist\nLOCATION:  InitializeSessionUserId, "
                   "miscinit.c:768\n", &e);
    assert_string_equal(e.sqlstate, "28000");
    assert_string_equal(e.message, "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: "
                                   "FATAL: role \"nosuch\" does not exist");

    wv_pgerr_parse("ERROR:  55006: replication slot \"s\" is active for PID 42\nDETAIL:  It is "
                   "busy.\nLOCATION:  ReplicationSlotAcquire, slot.c:510\n", &e);
    assert_string_equal(e.sqlstate, "55006");
    assert_string_equal(e.message, "ERROR: replication slot \"s\" is active for PID 42 DETAIL: It "
                                   "is busy.");

    /* lc_messages = de: the words change, the code does not. */
    wv_pgerr_parse("FATAL:  28P01: Passwort-Authentifizierung für Benutzer »x« fehlgeschlagen\n"
                   "ORT:  auth_failed, auth.c:323\n", &e);
    assert_string_equal(e.sqlstate, "28P01");
    assert_string_equal(e.message, "FATAL: Passwort-Authentifizierung für Benutzer »x« fehlgeschlagen");

    /* libpq's own failures carry no code. */
    wv_pgerr_parse("connection to server on socket \"/x/.s.PGSQL.5432\" failed: No such file or "
                   "directory\n\tIs the server running locally?\n", &e);
    assert_string_equal(e.sqlstate, "");
    assert_string_equal(e.message, "connection to server on socket \"/x/.s.PGSQL.5432\" failed: No "
                                   "such file or directory Is the server running locally?");
    wv_pgerr_parse(NULL, &e);
    assert_string_equal(e.message, "unknown error");
    /* a message that only looks like a code inside its text */
    wv_pgerr_parse("ERROR:  cannot read 12345: that", &e);
    assert_string_equal(e.sqlstate, "");
}

static void test_hints(void **state)
{
    (void)state;
    assert_non_null(strstr(wv_pgerr_hint("42501", WV_PG_CONNECT, false), "REPLICATION attribute"));
    assert_non_null(strstr(wv_pgerr_hint("28000", WV_PG_CONNECT, false), "pg_hba.conf"));
    assert_non_null(strstr(wv_pgerr_hint("28P01", WV_PG_CONNECT, false), "password"));
    assert_non_null(strstr(wv_pgerr_hint("", WV_PG_CONNECT, true), "password"));
    assert_non_null(strstr(wv_pgerr_hint("", WV_PG_CONNECT, false), "is the server running"));
    assert_null(wv_pgerr_hint("", WV_PG_RESUME, false));
    assert_null(wv_pgerr_hint("XX000", WV_PG_SETUP, false));
    /* the same code, two meanings */
    assert_non_null(strstr(wv_pgerr_hint("55000", WV_PG_CREATE_SLOT, false), "wal_level"));
    assert_non_null(strstr(wv_pgerr_hint("55000", WV_PG_SETUP, false), "slot's database"));
    assert_non_null(strstr(wv_pgerr_hint("55000", WV_PG_RESUME, false), "invalidated"));
    assert_non_null(strstr(wv_pgerr_hint("42704", WV_PG_SETUP, false), "--create-slot"));
    const char *gone = wv_pgerr_hint("42704", WV_PG_RESUME, false);
    assert_null(strstr(gone, "create it with --create-slot"));
    assert_non_null(strstr(gone, "dropped while walviz read it"));
    assert_non_null(strstr(wv_pgerr_hint("53400", WV_PG_SETUP, false), "max_replication_slots"));
    assert_non_null(strstr(wv_pgerr_hint("53300", WV_PG_CONNECT, false), "max_wal_senders"));
}

static void test_heals(void **state)
{
    (void)state;
    /* a restart, a cut, a crowded server: wait and retry */
    assert_true(wv_pgerr_heals("", false));
    assert_true(wv_pgerr_heals("57P01", false));
    assert_true(wv_pgerr_heals("57P03", false));
    assert_true(wv_pgerr_heals("53300", false));
    assert_true(wv_pgerr_heals("55006", false)); /* the old walsender still holds the slot */
    /* someone has to act */
    assert_false(wv_pgerr_heals("42704", false));
    assert_false(wv_pgerr_heals("42501", false));
    assert_false(wv_pgerr_heals("28000", false));
    assert_false(wv_pgerr_heals("28P01", false));
    assert_false(wv_pgerr_heals("3D000", false));
    assert_false(wv_pgerr_heals("", true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_heals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
