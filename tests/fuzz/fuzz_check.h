/* What the fuzz targets share: CHECK, which aborts with the broken
 * invariant (libFuzzer then keeps the input), a file to read the input
 * from, and the simulation's own
 * invariant that a message's stages on a follower never go backwards. */
#ifndef WALVIZ_FUZZ_CHECK_H
#define WALVIZ_FUZZ_CHECK_H

#include <stdbool.h>
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

/* A message's stages on a follower, in the order its kind goes through
 * them, up to the first stage never reached: a physical standby receives
 * WAL as the primary writes it (before the commit, so from the message's
 * own write time on) and writes, flushes, replays; a logical subscriber
 * gets a transaction at its commit and writes, applies, then flushes.
 * And every transaction's acknowledgement can be asked for. */
static void check_stages(const wv_sim *sim, int nfollowers)
{
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    for (size_t m = 0; m < wv_sim_count(sim); m++)
        for (int f = 0; f < nfollowers; f++) {
            bool logical = cfg->link[f].kind == WV_KIND_LOGICAL;
            static const wv_stage physical_order[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_FLUSHED,
                                                       WV_STAGE_APPLIED };
            static const wv_stage logical_order[] = { WV_STAGE_SENT, WV_STAGE_WRITTEN, WV_STAGE_APPLIED };
            const wv_stage *order = logical ? logical_order : physical_order;
            int n = logical ? 3 : 4;
            int64_t prev = logical ? wv_sim_leader_time(sim, m) : -1;
            for (int i = 0; i < n; i++) {
                int64_t t = wv_sim_stage(sim, f, m, order[i]);
                if (t == WV_SIM_NEVER)
                    break;
                CHECK(t >= prev);
                prev = t;
            }
            if (logical) {
                int64_t w = wv_sim_stage(sim, f, m, WV_STAGE_WRITTEN), fl = wv_sim_stage(sim, f, m, WV_STAGE_FLUSHED);
                CHECK(fl == WV_SIM_NEVER || (w != WV_SIM_NEVER && fl >= w));
            }
        }
    for (size_t u = 0; u < wv_sim_txn_count(sim); u++) {
        unsigned acked;
        wv_sim_txn_ack(sim, u, &acked);
    }
}

#endif
