/* conninfo: see include/walviz/conninfo.h. The grammar is libpq's: in
 * keyword/value form, "keyword = value" pairs with optional blanks around
 * '=', a value bare up to a blank or in single quotes with \' and \\
 * escapes; in URI form, scheme://[user[:password]@]host.../db?k=v&k=v. */
#include "walviz/conninfo.h"

#include <stdbool.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int mask(char *from, char *to)
{
    int n = 0;
    for (char *p = from; p < to; p++, n++)
        *p = '*';
    return n;
}

/* The URI's query: "password=VALUE" parameters, up to '&' or the end. */
static int hide_query(char *q)
{
    int n = 0;
    while (q && *q) {
        char *amp = strchr(q, '&');
        char *end = amp ? amp : q + strlen(q);
        if ((size_t)(end - q) > 9 && strncmp(q, "password=", 9) == 0)
            n += mask(q + 9, end);
        q = amp ? amp + 1 : NULL;
    }
    return n;
}

static int hide_uri(char *s, size_t scheme_len)
{
    char *auth = s + scheme_len;
    char *auth_end = auth + strcspn(auth, "/?");
    int n = 0;
    char *at = NULL;
    for (char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p; /* the last: a password may hold '@' percent-encoded only */
    if (at) {
        char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon)
            n += mask(colon + 1, at);
    }
    char *q = strchr(auth_end, '?');
    return n + hide_query(q ? q + 1 : NULL);
}

int wv_conninfo_hide_password(char *s)
{
    if (strncmp(s, "postgresql://", 13) == 0)
        return hide_uri(s, 13);
    if (strncmp(s, "postgres://", 11) == 0)
        return hide_uri(s, 11);
    int n = 0;
    char *p = s;
    while (*p) {
        while (blank(*p))
            p++;
        char *key = p;
        while (*p && *p != '=' && !blank(*p))
            p++;
        size_t klen = (size_t)(p - key);
        while (blank(*p))
            p++;
        if (*p != '=')
            return n; /* not a conninfo libpq would take: leave the rest */
        p++;
        while (blank(*p))
            p++;
        bool pw = klen == 8 && strncmp(key, "password", 8) == 0;
        if (*p == '\'') {
            p++;
            char *v = p;
            while (*p && *p != '\'')
                p += p[0] == '\\' && p[1] ? 2 : 1;
            if (pw)
                n += mask(v, p);
            if (*p)
                p++;
        } else {
            char *v = p;
            while (*p && !blank(*p))
                p += p[0] == '\\' && p[1] ? 2 : 1;
            if (pw)
                n += mask(v, p);
        }
    }
    return n;
}
