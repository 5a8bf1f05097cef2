/* pgerr: see include/walviz/pgerr.h. */
#include "walviz/pgerr.h"

#include <stdio.h>
#include <string.h>

void wv_pgerr_one_line(char *dst, size_t dstsz, const char *src)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = src; *p && n + 1 < dstsz; p++) {
        if (*p == '\n' || *p == '\t' || *p == ' ' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < dstsz)
            dst[n++] = ' ';
        space = false;
        dst[n++] = *p;
    }
    dst[n] = '\0';
}

static bool sqlstate_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* The verbose form's last line, "LOCATION:  func, file.c:123" (its label
 * translated): a line ending in ".c:" and digits after a ", ". */
static size_t without_location(const char *text, size_t len)
{
    while (len > 0 && text[len - 1] == '\n')
        len--;
    size_t start = len;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    if (start == 0)
        return len;
    size_t d = len;
    while (d > start && text[d - 1] >= '0' && text[d - 1] <= '9')
        d--;
    bool located = d < len && d - start >= 3 && memcmp(text + d - 3, ".c:", 3) == 0 &&
                   memchr(text + start, ',', d - start) != NULL;
    return located ? start - 1 : len;
}

void wv_pgerr_parse(const char *text, wv_pgerr *e)
{
    e->sqlstate[0] = '\0';
    if (!text || !*text)
        text = "unknown error";
    char buf[sizeof e->message * 2];
    size_t len = without_location(text, strlen(text));
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* "SEVERITY:  XXXXX: message": the first such code is the error's. */
    for (char *p = strstr(buf, ":  "); p; p = strstr(p + 1, ":  ")) {
        char *code = p + 3;
        size_t k = 0;
        while (k < 5 && sqlstate_char(code[k]))
            k++;
        if (k == 5 && code[5] == ':' && code[6] == ' ') {
            memcpy(e->sqlstate, code, 5);
            e->sqlstate[5] = '\0';
            memmove(code, code + 7, strlen(code + 7) + 1);
            break;
        }
    }
    wv_pgerr_one_line(e->message, sizeof e->message, buf);
}

typedef struct hint {
    const char *sqlstate;
    const char *text;
} hint;

static const hint hints[] = {
    /* A logical replication connection names a database, and pg_hba.conf
     * matches it by that name like an ordinary connection: a line with the
     * keyword "replication" (physical replication) does not let it in. The
     * same code says the role does not exist. */
    { "28000", "check that the role exists, and add a pg_hba.conf line that lets this role into "
               "this database (logical replication connections match the database name, not the "
               "keyword 'replication'), e.g. 'local all all peer' or 'host all all 127.0.0.1/32 "
               "scram-sha-256', then reload the server" },
    { "28P01", "check the role's password (PGPASSWORD, ~/.pgpass or the conninfo)" },
    { "42501", "the role needs the REPLICATION attribute: ALTER ROLE name REPLICATION" },
    { "53400", "raise max_replication_slots (restart needed) or drop unused slots (SELECT "
               "pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active)" },
    { "53300", "raise max_wal_senders or max_connections (restart needed) or close other "
               "connections" },
    { "55006", "another client is reading this slot; stop it, or use another slot" },
    { "42710", "use --if-not-exists to reuse it, or leave out --create-slot" },
    { "3D000", "check the database name (-d DBNAME)" },
    { "57P03", "the server is starting up or shutting down; try again in a moment" },
};

const char *wv_pgerr_hint(const char *sqlstate, wv_pg_step step, bool needs_password)
{
    if (strcmp(sqlstate, "42704") == 0)
        return step == WV_PG_RESUME
                   ? "the slot was dropped while walviz read it, and what it held since walviz "
                     "last confirmed is gone; walviz does not create it again (that would skip "
                     "those changes unseen): start a new recording"
                   : "create it with --create-slot, or leave out --slot for a temporary slot";
    /* The database cannot have changed since the stream ran: then it is a
     * slot the server invalidated. */
    if (strcmp(sqlstate, "55000") == 0)
        return step == WV_PG_CREATE_SLOT
                   ? "set wal_level = logical in postgresql.conf and restart the server"
               : step == WV_PG_RESUME
                   ? "the server invalidated the slot (its WAL is gone, see "
                     "max_slot_wal_keep_size): drop it and start a new recording"
                   : "connect to the slot's database (-d DBNAME; pg_replication_slots.database "
                     "names it)";
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(sqlstate, hints[i].sqlstate) == 0)
            return hints[i].text;
    if (!*sqlstate && step == WV_PG_CONNECT)
        return needs_password ? hints[1].text : "is the server running, and are host and port right?";
    return NULL;
}

bool wv_pgerr_heals(const char *sqlstate, bool needs_password)
{
    static const char *const lasting[] = { "42501", "42704", "3D000", "55000" };
    if (needs_password || strncmp(sqlstate, "28", 2) == 0)
        return false;
    for (size_t i = 0; i < sizeof lasting / sizeof lasting[0]; i++)
        if (strcmp(sqlstate, lasting[i]) == 0)
            return false;
    return true;
}
