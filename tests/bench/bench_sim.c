/* The simulation's speed and size goals, on a stream made in memory:
 * 125,000 transactions of 8 INSERTs (1,000,000 changes, 1,250,000 messages
 * with BEGIN and COMMIT), scheduled for 5 followers.
 *   scheduling: decoding and wv_sim_add of every message, less decoding
 *               alone (goal < 2 s);
 *   memory:     what the simulation holds, per (change, follower) (goal <=
 *               64 bytes): the resident memory it adds in a fresh process,
 *               and mallinfo2's count of allocated bytes; also what one
 *               more follower adds, from a run with 1 follower;
 *   seek:       a jump to a random time: wv_sim_visible,
 *               wv_sim_positions and wv_sim_replication_row for 5
 *               followers, the 8 most recent rows of the table on each
 *               and a read of each (goal < 50 ms).
 * Usage: bench_sim [TRANSACTIONS] (default 125000). Built like the tests:
 * make BUILD=build build/tests/bench/bench_sim */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "walviz/sim.h"

#define CHANGES_PER_TXN 8
#define FOLLOWERS 5
#define SEEKS 2000

typedef struct input {
    char *text;  /* every message, one after the other */
    size_t *off; /* message i is text[off[i]..off[i + 1]) */
    size_t n;
} input;

typedef struct result {
    double seconds;
    size_t allocated, resident;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t allocated_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static size_t resident_bytes(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2)
        wv_fatal("bench_sim: cannot read /proc/self/statm");
    fclose(f);
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void make_input(input *in, long ntx)
{
    size_t n = (size_t)ntx * (CHANGES_PER_TXN + 2), cap = n * 64, len = 0;
    in->text = wv_xmalloc(cap);
    in->off = wv_xmalloc((n + 1) * sizeof *in->off);
    in->n = 0;
    unsigned id = 1;
    for (long t = 0; t < ntx; t++) {
        unsigned xid = 1000 + (unsigned)t;
        long ms = t * 2; /* a transaction every 2 ms */
        for (int k = 0; k < CHANGES_PER_TXN + 2; k++) {
            if (len + 128 > cap) {
                cap *= 2;
                in->text = wv_xrealloc(in->text, cap);
            }
            in->off[in->n++] = len;
            char *p = in->text + len;
            if (k == 0) {
                len += (size_t)sprintf(p, "BEGIN %u", xid);
            } else if (k <= CHANGES_PER_TXN) {
                len += (size_t)sprintf(p, "table public.items: INSERT: id[integer]:%u name[text]:'item %u' "
                                          "qty[integer]:%u", id, id, id % 97);
                id++;
            } else {
                len += (size_t)sprintf(p, "COMMIT %u (at 2026-01-01 %02ld:%02ld:%02ld.%03ld000+00)", xid,
                                       10 + ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
            }
        }
    }
    in->off[in->n] = len;
}

/* Decodes every message, and adds it to s unless s is NULL. */
static void feed(const input *in, wv_sim *s, wv_decoder *d)
{
    for (size_t i = 0; i < in->n; i++) {
        const char *text = in->text + in->off[i];
        size_t len = in->off[i + 1] - in->off[i];
        wv_change c;
        if (wv_decode_message(d, text, len, &c) != WV_DECODE_OK)
            wv_fatal("bench_sim: message %zu: %s", i, wv_decode_error(d));
        if (!s)
            continue;
        wv_meta m = { .has_lsn = true, .lsn = 0x1000000 + (uint64_t)in->off[i], .has_xid = c.has_xid, .xid = c.xid };
        wv_sim_add(s, &c, &m, (wv_slice){ text, len });
    }
    if (s)
        wv_sim_flush(s);
}

static wv_sim *schedule(const input *in, int followers, result *res)
{
    wv_sim_cfg cfg;
    char err[300], nf[8];
    wv_sim_cfg_init(&cfg);
    snprintf(nf, sizeof nf, "%d", followers);
    if (wv_sim_cfg_option(&cfg, "followers", nf, err, sizeof err) != 0 ||
        wv_sim_cfg_option(&cfg, "sync-standbys", "ANY 1 (f1)", err, sizeof err) != 0 ||
        wv_sim_cfg_check(&cfg, err, sizeof err) != 0)
        wv_fatal("bench_sim: %s", err);
    wv_decoder *d = wv_decode_new();
    size_t allocated = allocated_bytes(), resident = resident_bytes();
    double t0 = now();
    wv_sim *s = wv_sim_new(&cfg);
    feed(in, s, d);
    res->seconds = now() - t0;
    res->allocated = allocated_bytes() - allocated;
    res->resident = resident_bytes() - resident;
    wv_decode_free(d);
    wv_sim_cfg_destroy(&cfg);
    return s;
}

/* Schedules the stream in a child process, so that each run starts from
 * the same memory; the child reports through a pipe. */
static result schedule_apart(const input *in, int followers)
{
    int fds[2];
    result res;
    if (pipe(fds) != 0)
        wv_fatal("bench_sim: pipe failed");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        wv_fatal("bench_sim: fork failed");
    if (pid == 0) {
        close(fds[0]);
        wv_sim *s = schedule(in, followers, &res);
        if (write(fds[1], &res, sizeof res) != (ssize_t)sizeof res)
            _exit(1);
        wv_sim_free(s);
        _exit(0);
    }
    close(fds[1]);
    int status;
    if (read(fds[0], &res, sizeof res) != (ssize_t)sizeof res || waitpid(pid, &status, 0) != pid || status != 0)
        wv_fatal("bench_sim: the child scheduling %d followers failed", followers);
    close(fds[0]);
    return res;
}

static double mb(size_t bytes)
{
    return (double)bytes / 1048576.0;
}

int main(int argc, char **argv)
{
    long ntx = argc > 1 ? atol(argv[1]) : 125000;
    if (ntx < 1)
        wv_fatal("usage: bench_sim [TRANSACTIONS]");
    input in;
    make_input(&in, ntx);
    size_t changes = (size_t)ntx * CHANGES_PER_TXN;

    wv_decoder *d = wv_decode_new();
    double t0 = now();
    feed(&in, NULL, d);
    double t_decode = now() - t0;
    wv_decode_free(d);

    result r1 = schedule_apart(&in, 1), r5 = schedule_apart(&in, FOLLOWERS);
    double per = (double)changes * FOLLOWERS, more = (double)changes * (FOLLOWERS - 1);
    printf("stream: %ld transactions, %zu changes, %zu messages, %.1f MB of text\n", ntx, changes, in.n,
           mb(in.off[in.n]));
    printf("decode alone:                   %6.2f s\n", t_decode);
    printf("decode + schedule, %d followers: %6.2f s: scheduling %.2f s (goal < 2 s)\n", FOLLOWERS, r5.seconds,
           r5.seconds - t_decode);
    printf("decode + schedule, 1 follower:  %6.2f s\n", r1.seconds);
    printf("memory, %d followers: %4.0f MB resident, %4.0f MB allocated: %.1f and %.1f bytes per (change, "
           "follower) (goal <= 64)\n", FOLLOWERS, mb(r5.resident), mb(r5.allocated), (double)r5.resident / per,
           (double)r5.allocated / per);
    printf("memory, 1 follower:  %4.0f MB resident, %4.0f MB allocated; a follower more adds %.1f and %.1f "
           "bytes per change\n", mb(r1.resident), mb(r1.allocated),
           ((double)r5.resident - (double)r1.resident) / more, ((double)r5.allocated - (double)r1.allocated) / more);

    /* Seeks to random times, as scrubbing does. */
    result r;
    wv_sim *s = schedule(&in, FOLLOWERS, &r);
    const wv_rows *rows = wv_sim_rows(s);
    int64_t end = wv_sim_end_time(s);
    unsigned long long seed = 12345, sink = 0;
    double worst = 0, total = 0;
    for (int i = 0; i < SEEKS; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t t = (int64_t)((seed >> 11) % (unsigned long long)(end + 1));
        double a = now();
        sink += wv_sim_visible(s, WV_SIM_LEADER, t);
        for (int f = 0; f < FOLLOWERS; f++) {
            wv_positions p;
            wv_replication_row row;
            wv_sim_positions(s, f, t, &p);
            wv_sim_replication_row(s, f, t, &row);
            sink += row.replay_lsn;
            size_t k = wv_sim_visible(s, f + 1, t), keys[8];
            size_t n = wv_rows_recent(rows, 0, k, keys, 8);
            for (size_t j = 0; j < n; j++)
                sink += wv_rows_read(rows, keys[j], k).msg;
            sink += p.replay_lsn;
        }
        double dt = now() - a;
        total += dt;
        if (dt > worst)
            worst = dt;
    }
    printf("seek (positions, pg_stat_replication's row, and 8 recent rows read, on %d followers): mean %.3f ms, "
           "worst %.3f ms of %d "
           "(goal < 50 ms)\n", FOLLOWERS, total / SEEKS * 1e3, worst * 1e3, SEEKS);
    if (sink == 42)
        puts("");
    wv_sim_free(s);
    free(in.text);
    free(in.off);
    return 0;
}
