/* Writes realistic test_decoding output (raw, as pg_recvlogical -f - does)
 * to stdout until at least argv[1] megabytes have been written: small
 * transactions of inserts, updates and deletes on a few tables with mixed
 * column types. Deterministic, so runs compare. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long long target = (argc > 1 ? atoll(argv[1]) : 200) * 1024 * 1024, written = 0;
    unsigned xid = 1000, id = 1;
    unsigned long long seed = 42;
    static char line[4096];
    while (written < target) {
        int n = snprintf(line, sizeof line, "BEGIN %u\n", xid);
        fputs(line, stdout), written += n;
        int changes = 1 + (int)(seed % 7);
        for (int i = 0; i < changes; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(seed >> 33);
            if (r % 10 < 6)
                n = snprintf(line, sizeof line,
                             "table public.accounts: INSERT: id[integer]:%u owner[text]:'customer "
                             "%u O''Brien' balance[numeric]:%u.%02u active[boolean]:true "
                             "opened[timestamp with time zone]:'2024-03-%02u 10:%02u:00+00' "
                             "tags[text[]]:'{gold,\"new user\"}' note[character varying]:null\n",
                             id, r % 9973, r % 100000, r % 100, 1 + r % 28, r % 60), id++;
            else if (r % 10 < 9)
                n = snprintf(line, sizeof line,
                             "table public.accounts: UPDATE: id[integer]:%u owner[text]:'customer "
                             "%u' balance[numeric]:%u.%02u active[boolean]:false "
                             "opened[timestamp with time zone]:'2024-03-01 10:00:00+00' "
                             "tags[text[]]:'{}' note[character varying]:'moved to\nnew branch'\n",
                             1 + r % id, r % 9973, r % 100000, r % 100);
            else
                n = snprintf(line, sizeof line, "table public.accounts: DELETE: id[integer]:%u\n",
                             1 + r % id);
            fputs(line, stdout), written += n;
        }
        n = snprintf(line, sizeof line, "COMMIT %u (at 2024-03-01 10:%02u:%02u.%06u+00)\n", xid,
                     (xid / 60) % 60, xid % 60, xid % 1000000);
        fputs(line, stdout), written += n;
        xid++;
    }
    return 0;
}
