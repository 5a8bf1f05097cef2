/* failover_stream: a hand-made stream for the failover's tests
 * (test_failover.c, test_scene.c). Header-only: each test binary is one
 * file plus the objects it links. */
#ifndef WALVIZ_TESTS_FAILOVER_STREAM_H
#define WALVIZ_TESTS_FAILOVER_STREAM_H

/* Six transactions a second apart (t = 0 .. 5 s); xid 702 and 703 are the
 * ones the failover at 3.5 s loses. Messages: 700: 0-2, 701: 3-5,
 * 702: 6-8, 703: 9-12, 704: 13-15, 705: 16-18. */
static const char failover_stream[] =
    "BEGIN 700\n"
    "table public.acct: INSERT: id[integer]:1 balance[integer]:100\n"
    "COMMIT 700 (at 2026-01-01 10:00:00+00)\n"
    "BEGIN 701\n"
    "table public.acct: INSERT: id[integer]:2 balance[integer]:50\n"
    "COMMIT 701 (at 2026-01-01 10:00:01+00)\n"
    "BEGIN 702\n"
    "table public.acct: UPDATE: id[integer]:1 balance[integer]:90\n"
    "COMMIT 702 (at 2026-01-01 10:00:02+00)\n"
    "BEGIN 703\n"
    "table public.acct: UPDATE: id[integer]:1 balance[integer]:80\n"
    "table public.acct: UPDATE: id[integer]:2 balance[integer]:70\n"
    "COMMIT 703 (at 2026-01-01 10:00:03+00)\n"
    "BEGIN 704\n"
    "table public.acct: UPDATE: id[integer]:2 balance[integer]:60\n"
    "COMMIT 704 (at 2026-01-01 10:00:04+00)\n"
    "BEGIN 705\n"
    "table public.acct: INSERT: id[integer]:3 balance[integer]:5\n"
    "COMMIT 705 (at 2026-01-01 10:00:05+00)\n";

#endif
