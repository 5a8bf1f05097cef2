/* libFuzzer target for the simulation options (src/core/sim_cfg.c), as the
 * command line passes them: the input is a list of options, one a line,
 * each a byte choosing the option's name and the option's value. Every
 * option is parsed; when the whole set checks, a small fixed stream (three
 * transactions, one of them a multi-row bulk) is simulated with it and
 * every stage asked for. Beyond the sanitizers, abort() when a refusal
 * (-1) comes without a sentence that names the option, or an accepted set
 * gives a simulation whose stages go backwards. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walviz/decode.h"
#include "walviz/sim.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char *const stream[] = {
    "BEGIN 1",
    "table public.t: INSERT: id[integer]:1 v[text]:'one'",
    "COMMIT 1 (at 2024-01-01 00:00:00.000001+00)",
    "BEGIN 2",
    "table public.t: INSERT: id[integer]:2 v[text]:'two'",
    "table public.t: INSERT: id[integer]:3 v[text]:'three'",
    "table public.t: UPDATE: id[integer]:1 v[text]:'uno'",
    "COMMIT 2 (at 2024-01-01 00:00:01+00)",
    "message: transactional: 0 prefix: p, sz: 2 content:hi",
    "BEGIN 3",
    "table public.t: DELETE: id[integer]:2",
    "COMMIT 3 (at 2024-01-01 00:00:05+00)",
};

static void simulate(const wv_sim_cfg *cfg, wv_decoder *dec)
{
    wv_sim *sim = wv_sim_new(cfg);
    for (size_t i = 0; i < sizeof stream / sizeof stream[0]; i++) {
        wv_change c;
        CHECK(wv_decode_message(dec, stream[i], strlen(stream[i]), &c) == WV_DECODE_OK);
        wv_meta m = { .has_lsn = true, .lsn = 0x1000 + i * 0x40 };
        wv_sim_add(sim, &c, &m, (wv_slice){ stream[i], strlen(stream[i]) });
    }
    wv_sim_flush(sim);
    check_stages(sim, cfg->nfollowers);
    /* the views on every count of transactions, the readers' reads */
    for (int i = 0; i < cfg->nviews; i++) {
        char err[600];
        wv_view_query *q = wv_view_parse(cfg->views[i], err, sizeof err);
        CHECK(q != NULL);
        wv_sim_view *v = wv_sim_view_new(sim, q);
        for (size_t k = 0; k <= wv_sim_txn_count(sim); k++)
            CHECK(wv_view_rows(wv_sim_view_at(v, k)) < 100);
        wv_sim_view_free(v);
        wv_view_query_free(q);
    }
    wv_reads *r = wv_reads_new(sim);
    const wv_read *reads;
    size_t n = wv_reads_run(r, WV_SIM_NEVER, &reads);
    for (size_t i = 0; i < n; i++)
        CHECK(reads[i].node >= 0 && reads[i].node <= cfg->nfollowers && (i == 0 || reads[i].reader > reads[i - 1].reader ||
                                                                          reads[i].at >= reads[i - 1].at));
    wv_reads_free(r);
    wv_sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wv_decoder *dec;
    static size_t nnames;
    if (!dec) {
        dec = wv_decode_new();
        while (wv_sim_option_names[nnames])
            nnames++;
    }
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char value[256], err[600];
    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        const char *name = wv_sim_option_names[*p++ % nnames];
        size_t n = 0;
        while (p < end && *p != '\n') {
            if (n + 1 < sizeof value)
                value[n++] = (char)*p;
            p++;
        }
        value[n] = '\0';
        p += p < end;
        err[0] = '\0';
        int rc = wv_sim_cfg_option(&cfg, name, value, err, sizeof err);
        CHECK(rc == 0 || rc == -1);
        CHECK(rc == 0 || (err[0] && memchr(err, '\0', sizeof err) != NULL));
    }
    err[0] = '\0';
    if (wv_sim_cfg_check(&cfg, err, sizeof err) == 0)
        simulate(&cfg, dec);
    else
        CHECK(err[0] != '\0');
    wv_sim_cfg_destroy(&cfg);
    return 0;
}
