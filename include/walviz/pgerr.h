/* pgerr: what a PostgreSQL error means for walviz, keyed on its SQLSTATE
 * (never on message text, which follows the server's lc_messages). Pure.
 *
 * The source asks libpq for verbose errors, whose text carries the SQLSTATE
 * also for errors raised while connecting, where libpq offers no result to
 * ask: "...FATAL:  28000: role ... does not exist\nLOCATION:  ...".
 * wv_pgerr_parse takes the SQLSTATE out and leaves one line for people. */
#ifndef WALVIZ_PGERR_H
#define WALVIZ_PGERR_H

#include <stdbool.h>
#include <stddef.h>

/* Where the error came from: some SQLSTATEs mean different things there. */
typedef enum wv_pg_step {
    WV_PG_CONNECT,     /* opening a connection */
    WV_PG_SETUP,       /* checking, creating or starting the slot, first time */
    WV_PG_CREATE_SLOT, /* CREATE_REPLICATION_SLOT */
    WV_PG_RESUME,      /* reconnecting after the stream had run */
} wv_pg_step;

typedef struct wv_pgerr {
    char sqlstate[6]; /* five characters, or "" when libpq itself failed */
    char message[400]; /* one line, without the SQLSTATE and LOCATION */
} wv_pgerr;

/* Parses a libpq error text (verbose or not; NULL is "unknown error"). */
void wv_pgerr_parse(const char *text, wv_pgerr *e);

/* Copies src as one line: newlines, tabs and runs of spaces become one
 * space, none at either end. */
void wv_pgerr_one_line(char *dst, size_t dstsz, const char *src);

/* What to do about it, in a sentence, or NULL when walviz has no advice.
 * needs_password: libpq wanted a password it was not given. */
const char *wv_pgerr_hint(const char *sqlstate, wv_pg_step step, bool needs_password);

/* False when retrying cannot help until someone acts: the slot is gone, the
 * role may not replicate or log in, the database or password is wrong. */
bool wv_pgerr_heals(const char *sqlstate, bool needs_password);

#endif
