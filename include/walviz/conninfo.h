/* conninfo: a password given on the command line (-d "... password=x" or
 * postgresql://user:x@host/db) is readable by every user of the machine in
 * ps as long as it stays in argv. Once libpq's parameters are copied,
 * walviz overwrites it there with '*'. Pure. */
#ifndef WALVIZ_CONNINFO_H
#define WALVIZ_CONNINFO_H

/* Overwrites, in place, every password in a conninfo string or URI (the
 * keyword value, the URI's user:password, a password= query parameter)
 * with as many '*'; the rest stays as it was. Returns how many bytes it
 * overwrote. */
int wv_conninfo_hide_password(char *conninfo);

#endif
