/* sim_lines: a simulation built from test_decoding lines, for the tests
 * and benchmarks of the picture. Header-only (static inline) so that each
 * test binary stays one file plus the objects it links.
 *
 * opts: "name", "value" pairs of wv_sim_cfg_option, NULL-ended (NULL for
 * none). text: one message a line, as pg_recvlogical prints them with
 * include-xids (no message may hold a newline). Each message gets an LSN
 * of its own, 0x100 apart, as a recording would have. Returns the sim
 * (free with wv_sim_free), or NULL with a sentence in err when an option
 * or a line is refused. */
#ifndef WALVIZ_TESTS_SIM_LINES_H
#define WALVIZ_TESTS_SIM_LINES_H

#include <stdio.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "walviz/decode.h"
#include "walviz/reader.h"
#include "walviz/realnode.h"
#include "walviz/record.h"
#include "walviz/sim.h"

/* The same, with a lane for each of rn's real nodes (rn may be NULL). */
static inline wv_sim *sim_from_lines_real(const char *const *opts, const char *text, wv_realnodes *rn, char *err,
                                          size_t errsz)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_sim *sim = NULL;
    wv_decoder *dec = wv_decode_new();
    for (size_t i = 0; opts && opts[i]; i += 2) {
        if (wv_sim_cfg_option(&cfg, opts[i], opts[i + 1], err, errsz) != 0)
            goto done;
    }
    if (wv_sim_cfg_check(&cfg, err, errsz) < 0 || (rn && wv_realnodes_lanes(rn, &cfg, err, errsz) < 0))
        goto done;
    sim = wv_sim_new(&cfg);
    uint64_t lsn = 0x1000000;
    int lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len > 0) {
            wv_change c;
            if (wv_decode_message(dec, p, len, &c) != WV_DECODE_OK) {
                snprintf(err, errsz, "line %d: %s", lineno, wv_decode_error(dec));
                wv_sim_free(sim);
                sim = NULL;
                goto done;
            }
            wv_meta m = { .has_lsn = true, .lsn = lsn, .has_xid = c.has_xid, .xid = c.xid };
            lsn += 0x100;
            wv_sim_add(sim, &c, &m, (wv_slice){ p, len });
        }
        p += len + (nl != NULL);
    }
    wv_sim_flush(sim);
done:
    wv_decode_free(dec);
    wv_sim_cfg_destroy(&cfg);
    return sim;
}

/* The same from a recording (or any stream walviz reads) at path, relative
 * to the top of the repository, where the tests run. */
static inline wv_sim *sim_from_file(const char *const *opts, const char *path, char *err, size_t errsz)
{
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    wv_sim *sim = NULL;
    int fd = -1;
    for (size_t i = 0; opts && opts[i]; i += 2)
        if (wv_sim_cfg_option(&cfg, opts[i], opts[i + 1], err, errsz) != 0)
            goto done;
    if (wv_sim_cfg_check(&cfg, err, errsz) < 0)
        goto done;
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errsz, "cannot open %.100s (tests run from the top of the repository)", path);
        goto done;
    }
    sim = wv_sim_new(&cfg);
    wv_reader *r = wv_reader_new(fd, path);
    wv_item it;
    int got;
    while ((got = wv_reader_next(r, &it)) != 0)
        if (got > 0)
            wv_sim_add(sim, &it.change, &it.meta, it.text);
    wv_sim_flush(sim);
    wv_reader_free(r);
    close(fd);
done:
    wv_sim_cfg_destroy(&cfg);
    return sim;
}

static inline wv_sim *sim_from_lines(const char *const *opts, const char *text, char *err, size_t errsz)
{
    return sim_from_lines_real(opts, text, NULL, err, errsz);
}

#endif
