/* What the fuzz targets share: CHECK, which aborts with the broken
 * invariant (libFuzzer then keeps the input), a file to read the input
 * from, and the simulation's own
 * invariant that a message's stages on a follower never go backwards. */
#ifndef WALVIZ_FUZZ_CHECK_H
#define WALVIZ_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "walviz/sim.h"

static _Noreturn void violated(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    abort();
}

#define CHECK(cond) ((cond) ? (void)0 : violated(__FILE__, __LINE__, #cond))

/* A file holding data, at offset 0, for targets that read an fd: one
 * temporary file, rewritten for each input. */
static int fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) {
        FILE *f = tmpfile();
        CHECK(f != NULL);
        fd = fileno(f);
    }
    CHECK(ftruncate(fd, 0) == 0);
    CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    return fd;
}

/* Leader time <= sent <= written <= flushed <= applied, up to the first
 * stage never reached; and every transaction's acknowledgement asked. */
static void check_stages(const wv_sim *sim, int nfollowers)
{
    for (size_t m = 0; m < wv_sim_count(sim); m++)
        for (int f = 0; f < nfollowers; f++) {
            int64_t prev = wv_sim_leader_time(sim, m);
            for (int st = 0; st < WV_STAGE_COUNT; st++) {
                int64_t t = wv_sim_stage(sim, f, m, (wv_stage)st);
                if (t == WV_SIM_NEVER)
                    break;
                CHECK(t >= prev);
                prev = t;
            }
        }
    for (size_t u = 0; u < wv_sim_txn_count(sim); u++) {
        unsigned acked;
        wv_sim_txn_ack(sim, u, &acked);
    }
}

#endif
