/* libFuzzer target for the simulation over a fuzzed stream (src/core/sim*.c fed
 * by src/core/reader.c): the input's first byte picks a configuration (1 to 4
 * followers, a synchronous_commit level, a partition, a slow link, shards), the
 * rest is a file in any of the three forms (recording lines carry hostile
 * LSNs and times). Every message read goes into the simulation, which is
 * then flushed and asked for every stage of every message on every
 * follower and every transaction's acknowledgement. Beyond the sanitizers,
 * abort() when a stage time is before the message's leader time, when
 * the stages of a message on a follower go backwards, or when the count of
 * messages is not what the reader gave. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walviz/reader.h"
#include "walviz/sim.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void configure(wv_sim_cfg *cfg, uint8_t pick)
{
    static const char *const sync[] = { "off", "local", "remote_write", "on", "remote_apply" };
    char n[4];
    char err[300];
    snprintf(n, sizeof n, "%d", 1 + pick % 4);
    CHECK(wv_sim_cfg_option(cfg, "followers", n, err, sizeof err) == 0);
    CHECK(wv_sim_cfg_option(cfg, "sync", sync[(pick >> 2) % 5], err, sizeof err) == 0);
    if (pick & 0x20)
        CHECK(wv_sim_cfg_option(cfg, "partition", "f1@1ms-50ms", err, sizeof err) == 0);
    if (pick & 0x40)
        CHECK(wv_sim_cfg_option(cfg, "bandwidth", "10kB/s", err, sizeof err) == 0);
    if (pick & 0x80)
        CHECK(wv_sim_cfg_option(cfg, "jitter", "5ms", err, sizeof err) == 0);
    /* one pick in seven: the followers are shards, by a column the
     * corpus's tables have */
    if (pick % 7 == 3) {
        char by[16];
        snprintf(by, sizeof by, "id %% %d", 1 + pick % 4);
        CHECK(wv_sim_cfg_option(cfg, "shard-by", by, err, sizeof err) == 0);
    }
    CHECK(wv_sim_cfg_check(cfg, err, sizeof err) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    configure(&cfg, data[0]);
    int fd = fuzz_file(data + 1, size - 1);

    wv_sim *sim = wv_sim_new(&cfg);
    wv_reader *r = wv_reader_new(fd, "in");
    wv_item it;
    int rc;
    size_t n = 0;
    while ((rc = wv_reader_next(r, &it)) != 0) {
        if (rc > 0) {
            wv_sim_add(sim, &it.change, &it.meta, it.text);
            n++;
        }
    }
    wv_reader_free(r);
    wv_sim_flush(sim);
    CHECK(wv_sim_count(sim) == n);
    check_stages(sim, cfg.nfollowers);
    wv_sim_free(sim);
    wv_sim_cfg_destroy(&cfg);
    return 0;
}
