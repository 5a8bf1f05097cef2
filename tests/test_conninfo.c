/* Unit tests for hiding a password in a conninfo string or URI
 * (src/core/conninfo.c): every form libpq accepts, masked in place, the rest
 * untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/conninfo.h"

static void hides(const char *in, const char *want, int n)
{
    char buf[256];
    strcpy(buf, in);
    int got = wv_conninfo_hide_password(buf);
    if (strcmp(buf, want) != 0 || got != n) {
        print_error("%s\n  became %s (%d masked)\n  expected %s (%d)\n", in, buf, got, want, n);
        fail();
    }
}

static void test_keyword_value(void **state)
{
    (void)state;
    hides("dbname=shop user=teacher password=S3cret!", "dbname=shop user=teacher password=*******", 7);
    hides("password = s3 host=x", "password = ** host=x", 2);
    hides("host=x password='it\\'s me' port=5432", "host=x password='********' port=5432", 8);
    hides("password='a b\\'c' dbname=d", "password='******' dbname=d", 6);
    hides("dbname=shop", "dbname=shop", 0);
    hides("passwordx=1 password_file=2", "passwordx=1 password_file=2", 0);
    hides("shop", "shop", 0); /* a bare database name */
    hides("", "", 0);
}

static void test_uri(void **state)
{
    (void)state;
    hides("postgresql://teacher:S3cret@db.example/shop", "postgresql://teacher:******@db.example/shop",
          6);
    hides("postgres://u:p%40w@h:5432/d?sslmode=require&password=x2&application_name=a",
          "postgres://u:*****@h:5432/d?sslmode=require&password=**&application_name=a", 7);
    hides("postgresql://u@h/d", "postgresql://u@h/d", 0);
    hides("postgresql:///d?host=/tmp", "postgresql:///d?host=/tmp", 0);
    hides("postgresql://h/d?password=", "postgresql://h/d?password=", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_value),
        cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
