/* Unit tests for real nodes (src/core/realnode.c): samples mapped onto the
 * decoded commits as lanes of the simulation, the recording's sample
 * lines, and today's reader skipping them. Every expected time below is
 * worked out by hand from the samples given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walviz/reader.h"
#include "walviz/realnode.h"
#include "walviz/sim.h"

#include "check.h"

#define MS INT64_C(1000)
#define E INT64_C(1800000000000000) /* the session's epoch, Unix µs */

/* Transaction k (0-based): BEGIN, INSERT, COMMIT; its COMMIT's LSN is
 * 0/3000100 * (k + 1) apart, received at E + 100 ms * k. */
static void feed_txn(wv_sim *s, wv_decoder *d, int k)
{
    char text[3][80];
    snprintf(text[0], sizeof text[0], "BEGIN %d", 700 + k);
    snprintf(text[1], sizeof text[1], "table public.t: INSERT: id[integer]:%d", k);
    snprintf(text[2], sizeof text[2], "COMMIT %d", 700 + k);
    for (int i = 0; i < 3; i++) {
        wv_change c;
        assert_int_equal(wv_decode_message(d, text[i], strlen(text[i]), &c), WV_DECODE_OK);
        wv_meta m = { .has_lsn = true, .lsn = UINT64_C(0x3000000) + (uint64_t)(k + 1) * 0x100 - (i == 2 ? 0 : 0x80),
                      .has_xid = true, .xid = (uint32_t)(700 + k), .recv_us = E + k * 100 * MS };
        wv_sim_add(s, &c, &m, (wv_slice){ text[i], strlen(text[i]) });
    }
}

static wv_real_sample primary(int64_t at, uint64_t sent, uint64_t write, uint64_t flush, uint64_t replay)
{
    wv_real_sample s = { .at_us = E + at, .view = WV_REAL_PRIMARY, .sent = sent, .write = write, .flush = flush,
                         .replay = replay, .write_lag = WV_REAL_NULL_LAG, .flush_lag = WV_REAL_NULL_LAG,
                         .replay_lag = WV_REAL_NULL_LAG };
    strcpy(s.state, "streaming");
    strcpy(s.sync_state, "async");
    return s;
}

static wv_real_sample own(int64_t at, uint64_t write, uint64_t flush, uint64_t replay)
{
    return (wv_real_sample){ .at_us = E + at, .view = WV_REAL_OWN, .write = write, .flush = flush, .replay = replay };
}

/* Checks the four stage times of transaction k's COMMIT (message 3k+2) and
 * its INSERT (same times: a transaction maps as a whole). */
static void expect(const wv_sim *s, int f, int k, int64_t sent, int64_t written, int64_t flushed, int64_t applied)
{
    const int64_t want[WV_STAGE_COUNT] = { sent, written, flushed, applied };
    static const char *const names[] = { "sent", "written", "flushed", "applied" };
    for (int st = 0; st < WV_STAGE_COUNT; st++)
        for (size_t m = (size_t)(3 * k + 1); m <= (size_t)(3 * k + 2); m++) {
            int64_t got = wv_sim_stage(s, f, m, (wv_stage)st);
            CHECK(got == want[st], "lane %d, transaction %d, message %zu, %s: expected %" PRId64 " µs, got %" PRId64,
                  f, k, m, names[st], want[st], got);
        }
}

/* One simulated follower on walviz's clock, as a live session has it. */
static void one_follower(wv_sim_cfg *cfg)
{
    char err[200];
    wv_sim_cfg_init(cfg);
    assert_int_equal(wv_sim_cfg_option(cfg, "followers", "1", err, sizeof err), 0);
    assert_int_equal(wv_sim_cfg_check(cfg, err, sizeof err), 0);
    cfg->time_source = WV_TIME_RECEIVE;
    cfg->max_gap_us = INT64_MAX / 4;
}

static void test_mapping(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    one_follower(&cfg);
    char err[200];
    wv_realnodes *rn = wv_realnodes_new();
    assert_int_equal(wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, true), 0);
    assert_int_equal(wv_realnodes_add(rn, "sub1", WV_KIND_LOGICAL, false), 1);
    assert_int_equal(wv_realnodes_add(rn, "sub1", WV_KIND_LOGICAL, false), -1); /* taken */
    assert_int_equal(wv_realnodes_add(rn, "a b", WV_KIND_LOGICAL, false), -1);  /* not plain */
    assert_int_equal(wv_realnodes_lanes(rn, &cfg, err, sizeof err), 0);
    assert_int_equal(cfg.nfollowers, 3);
    assert_string_equal(cfg.names[1], "standby1");
    assert_true(cfg.observed[1] && cfg.observed[2] && !cfg.observed[0]);
    assert_int_equal(wv_realnodes_node_of(rn, 2), 1);
    assert_int_equal(wv_realnodes_node_of(rn, 0), -1);

    wv_sim *s = wv_sim_new(&cfg);
    wv_decoder *d = wv_decode_new();
    feed_txn(s, d, 0);
    feed_txn(s, d, 1);
    /* The standby, sampled directly and through the primary. */
    wv_real_sample sb[] = {
        primary(5 * MS, 0x3000100, 0, 0, 0),
        own(20 * MS, 0x3000100, 0x30000F0, 0x3000000),
        own(40 * MS, 0x3000100, 0x3000100, 0x30000F0),
        own(60 * MS, 0x3000100, 0x3000100, 0x3000100),
        primary(105 * MS, 0x3000200, 0x3000100, 0x3000100, 0x3000100),
        own(130 * MS, 0x3000250, 0x3000200, 0x3000200),
        primary(150 * MS, 0x3000300, 0x3000200, 0x3000200, 0x3000200),
    };
    /* The subscriber, through the primary only; the first sample before
     * the session began. */
    wv_real_sample sub[] = {
        primary(-50 * MS, 0x3000100, 0x3000100, 0, 0x3000100),
        primary(300 * MS, 0x3000300, 0x3000300, 0x3000200, 0x3000300),
    };
    for (int i = 0; i < 4; i++)
        wv_realnodes_add_sample(rn, 0, &sb[i]);
    wv_realnodes_map(rn, s);
    expect(s, 1, 0, 5 * MS, 20 * MS, 40 * MS, 60 * MS);
    expect(s, 1, 1, WV_SIM_NEVER, WV_SIM_NEVER, WV_SIM_NEVER, WV_SIM_NEVER);

    for (int i = 4; i < 7; i++)
        wv_realnodes_add_sample(rn, 0, &sb[i]);
    for (int i = 0; i < 2; i++)
        wv_realnodes_add_sample(rn, 1, &sub[i]);
    feed_txn(s, d, 2);
    wv_realnodes_map(rn, s);
    expect(s, 1, 0, 5 * MS, 20 * MS, 40 * MS, 60 * MS);
    expect(s, 1, 1, 105 * MS, 130 * MS, 130 * MS, 130 * MS);
    /* sent before its own commit (a standby streams WAL as it is written),
     * not before the commit ahead of it */
    expect(s, 1, 2, 150 * MS, WV_SIM_NEVER, WV_SIM_NEVER, WV_SIM_NEVER);
    /* -50 ms is raised to the session's start; a subscriber flushes after
     * it applies, and the primary's flush_lsn passed 0/3000100 at 300 ms */
    expect(s, 2, 0, 0, 0, 300 * MS, 0);
    expect(s, 2, 1, 300 * MS, 300 * MS, 300 * MS, 300 * MS);
    expect(s, 2, 2, 300 * MS, 300 * MS, WV_SIM_NEVER, 300 * MS);
    /* the simulated lane is modelled as before; a fault on a real one is a
     * mark, its times stay as observed; its latency is not the model's */
    assert_true(wv_sim_stage(s, 0, 2, WV_STAGE_APPLIED) != WV_SIM_NEVER);
    assert_int_equal(wv_sim_partition(s, 1, 10 * MS), 0);
    assert_int_equal(wv_sim_stop(s, 2, 10 * MS), 0);
    assert_non_null(wv_sim_fault_at(s, 1, 20 * MS));
    expect(s, 1, 1, 105 * MS, 130 * MS, 130 * MS, 130 * MS);
    expect(s, 2, 1, 300 * MS, 300 * MS, 300 * MS, 300 * MS);
    assert_int_equal(wv_sim_heal(s, 1, 50 * MS), 0);
    expect(s, 1, 0, 5 * MS, 20 * MS, 40 * MS, 60 * MS);
    assert_int_equal(wv_sim_set_latency(s, 1, 10 * MS, 5 * MS), -1);
    assert_int_equal(wv_sim_partition(s, 0, 10 * MS), 0);

    /* the inspector's sample: the newest at or before a time */
    const wv_real_sample *at = wv_realnodes_sample_at(rn, 0, WV_REAL_OWN, E + 59 * MS);
    assert_non_null(at);
    assert_int_equal(at->at_us, E + 40 * MS);
    assert_null(wv_realnodes_sample_at(rn, 0, WV_REAL_OWN, E + 19 * MS));
    assert_int_equal(wv_realnodes_sample_at(rn, 0, WV_REAL_PRIMARY, E + 1000 * MS)->sent, 0x3000300);

    wv_decode_free(d);
    wv_sim_free(s);
    wv_realnodes_free(rn);
    wv_sim_cfg_destroy(&cfg);
}

static void test_too_many_lanes(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    wv_sim_cfg_init(&cfg);
    char err[200];
    assert_int_equal(wv_sim_cfg_option(&cfg, "followers", "6", err, sizeof err), 0);
    assert_int_equal(wv_sim_cfg_check(&cfg, err, sizeof err), 0);
    wv_realnodes *rn = wv_realnodes_new();
    wv_realnodes_add(rn, "a", WV_KIND_PHYSICAL, false);
    wv_realnodes_add(rn, "b", WV_KIND_PHYSICAL, false);
    wv_realnodes_add(rn, "c", WV_KIND_PHYSICAL, false);
    assert_int_equal(wv_realnodes_lanes(rn, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "more than 8 lanes"), "expected the limit in the error, got: %s", err);
    assert_int_equal(cfg.nfollowers, 6);
    wv_realnodes_free(rn);
    wv_realnodes *named = wv_realnodes_new();
    wv_realnodes_add(named, "f2", WV_KIND_PHYSICAL, false);
    assert_int_equal(wv_realnodes_lanes(named, &cfg, err, sizeof err), -1);
    CHECK(strstr(err, "'f2'"), "expected the clashing name in the error, got: %s", err);
    wv_realnodes_free(named);
    wv_sim_cfg_destroy(&cfg);
}

static void test_record_lines(void **state)
{
    (void)state;
    wv_realnodes *rn = wv_realnodes_new();
    wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, true);
    wv_realnodes_add(rn, "sub1", WV_KIND_LOGICAL, false);
    wv_buf b;
    wv_buf_init(&b);
    wv_realnodes_header_value(rn, &b);
    wv_buf_append(&b, "", 1);
    assert_string_equal(b.data, "standby1:physical:direct,sub1:logical");
    wv_realnodes *back = wv_realnodes_new();
    char err[200];
    assert_int_equal(wv_realnodes_parse_header(back, b.data, err, sizeof err), 0);
    assert_int_equal(wv_realnodes_count(back), 2);
    assert_true(wv_realnodes_direct(back, 0) && !wv_realnodes_direct(back, 1));
    assert_int_equal(wv_realnodes_kind(back, 1), WV_KIND_LOGICAL);
    wv_realnodes *bad = wv_realnodes_new();
    assert_int_equal(wv_realnodes_parse_header(bad, "x:sideways", err, sizeof err), -1);
    CHECK(strstr(err, "NAME:physical|logical"), "got: %s", err);
    wv_realnodes_free(bad);

    wv_real_sample p = primary(7, 0x3000100, 0x30000F0, 0, 0x3000000);
    p.write_lag = 1234;
    p.reply_time_us = E + 3;
    p.flush_lag = 0;
    b.len = 0;
    wv_realnodes_format(rn, 0, &p, &b);
    wv_buf_append(&b, "", 1);
    assert_string_equal(b.data, "#real\tstandby1\tview=primary\tat=1800000000000007\tstate=streaming\t"
                                "sync_state=async\tsent=0/3000100\twrite=0/30000F0\tflush=-\treplay=0/3000000\t"
                                "write_lag=1234\tflush_lag=0\treplay_lag=-\treply_time=1800000000000003\n");
    assert_int_equal(wv_realnodes_parse(back, b.data, b.len - 2, err, sizeof err), 0);
    const wv_real_sample *r = wv_realnodes_sample_at(back, 0, WV_REAL_PRIMARY, E + 7);
    assert_non_null(r);
    assert_true(r->sent == p.sent && r->write == p.write && r->flush == 0 && r->replay == p.replay);
    assert_true(r->write_lag == 1234 && r->flush_lag == 0 && r->replay_lag == WV_REAL_NULL_LAG);
    assert_true(r->reply_time_us == E + 3);
    assert_string_equal(r->state, "streaming");

    wv_real_sample o = own(9, 0x3000100, 0x3000100, 0);
    b.len = 0;
    wv_realnodes_format(rn, 1, &o, &b);
    /* a key from a later version is skipped */
    const char *later = "#real\tsub1\tview=own\tat=1800000000000009\tsomething_new=5\twrite=0/3000100\t"
                        "flush=0/3000100\treplay=-";
    assert_int_equal(wv_realnodes_parse(back, later, strlen(later), err, sizeof err), 0);
    r = wv_realnodes_sample_at(back, 1, WV_REAL_OWN, E + 9);
    assert_non_null(r);
    assert_true(r->write == 0x3000100 && r->replay == 0);
    CHECK(memcmp(b.data, later, 36) == 0, "the own view's line starts as %.36s", b.data);

    static const struct {
        const char *line, *says;
    } errors[] = {
        { "#real\tnobody\tview=own\tat=1", "expected a node the header's real-nodes names, found 'nobody'" },
        { "#real\tsub1\tview=own\tat=1\twrite=0/XYZ", "expected a value for write" },
        { "#real\tsub1\tview=own\tat=soon", "expected a value for at" },
        { "#real\tsub1\tview=sideways\tat=1", "expected view=primary|own" },
        { "#real\tsub1\tview=own", "expected view=primary|own and at=" },
        { "#real\tsub1\tview=own\tat", "expected key=value fields, found 'at'" },
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        err[0] = '\0';
        int rc = wv_realnodes_parse(back, errors[i].line, strlen(errors[i].line), err, sizeof err);
        CHECK(rc == -1 && strstr(err, errors[i].says), "%s: expected an error saying '%s', got %d '%s'",
              errors[i].line, errors[i].says, rc, err);
    }
    wv_buf_destroy(&b);
    wv_realnodes_free(back);
    wv_realnodes_free(rn);
}

static void test_add_sample_says_what_is_new(void **state)
{
    (void)state;
    wv_realnodes *rn = wv_realnodes_new();
    wv_realnodes_add(rn, "s", WV_KIND_PHYSICAL, true);
    wv_real_sample a = own(10, 1, 1, 1), b = own(20, 1, 1, 1), c = own(30, 2, 1, 1);
    assert_true(wv_realnodes_add_sample(rn, 0, &a));
    assert_false(wv_realnodes_add_sample(rn, 0, &b)); /* only its time differs: dropped */
    assert_int_equal(wv_realnodes_sample_at(rn, 0, WV_REAL_OWN, E + 25)->at_us, E + 10);
    assert_true(wv_realnodes_add_sample(rn, 0, &c));
    wv_real_sample late = own(5, 3, 3, 3); /* taken before the last: raised */
    wv_realnodes_add_sample(rn, 0, &late);
    assert_int_equal(wv_realnodes_sample_at(rn, 0, WV_REAL_OWN, E + 30)->write, 3);
    wv_realnodes_free(rn);
}

static int take(void *ctx, const char *line, size_t len, char *err, size_t errsz)
{
    return wv_realnodes_parse(ctx, line, len, err, errsz);
}

/* Today's reader loads a recording with sample lines as if they were not
 * there: the messages, and the header that names the nodes. */
static void test_reader_skips_sample_lines(void **state)
{
    (void)state;
    char path[] = "/tmp/walviz-test-realnode-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *rec = "# walviz recording v1\n"
                      "# real-nodes: standby1:physical:direct\n"
                      "0/3000080\t700\t0\t1800000000000000\tBEGIN 700\n"
                      "#real\tstandby1\tview=own\tat=1800000000000001\twrite=0/3000100\tflush=-\treplay=-\n"
                      "0/3000080\t700\t0\t1800000000000000\ttable public.t: INSERT: id[integer]:1\n"
                      "#real\tstandby1\tview=primary\tat=1800000000000002\tstate=streaming\tsync_state=async\t"
                      "sent=0/3000100\twrite=-\tflush=-\treplay=-\twrite_lag=-\tflush_lag=-\treplay_lag=-\treply_time=-\n"
                      "0/3000100\t700\t0\t1800000000000000\tCOMMIT 700\n";
    assert_int_equal(write(fd, rec, strlen(rec)), (ssize_t)strlen(rec));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    wv_reader *r = wv_reader_new(fd, path);
    wv_item it;
    int n = 0, rc;
    while ((rc = wv_reader_next(r, &it)) != 0) {
        CHECK(rc == 1, "the reader failed: %s", wv_reader_error(r));
        n++;
    }
    assert_int_equal(n, 3);
    assert_string_equal(wv_reader_header(r, WV_REAL_HEADER_KEY), "standby1:physical:direct");
    wv_reader_free(r);

    /* a reader that knows them hands them over; one that does not parse
     * is reported at its line, and the messages still come */
    const char *bad = "#real\tstandby1\tview=own\tat=1800000000000009\treplay=0/ZZ\n";
    assert_true(lseek(fd, 0, SEEK_END) > 0);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    wv_realnodes *rn = wv_realnodes_new();
    char err[200];
    assert_int_equal(wv_realnodes_parse_header(rn, "standby1:physical:direct", err, sizeof err), 0);
    r = wv_reader_new(fd, path);
    wv_reader_set_records(r, take, rn);
    n = 0;
    int errors = 0;
    while ((rc = wv_reader_next(r, &it)) != 0) {
        if (rc < 0) {
            errors++;
            CHECK(strstr(wv_reader_error(r), ":8: expected a value for replay"), "got: %s", wv_reader_error(r));
            continue;
        }
        n++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(errors, 1);
    const wv_real_sample *own1 = wv_realnodes_sample_at(rn, 0, WV_REAL_OWN, E + 1);
    const wv_real_sample *pri = wv_realnodes_sample_at(rn, 0, WV_REAL_PRIMARY, E + 2);
    assert_true(own1 && own1->write == 0x3000100 && pri && pri->sent == 0x3000100);
    wv_reader_free(r);
    wv_realnodes_free(rn);
    close(fd);
    unlink(path);
}

/* The demo's relays and keys in a recording: the links in a header
 * value, the marks as lines, both read back; the marks then mark the lane
 * (its relay cut from 150 ms to 250 ms, its server stopped from 300 ms). */
static void test_links_and_marks(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    one_follower(&cfg);
    char err[300] = "";
    wv_realnodes *rn = wv_realnodes_new();
    assert_int_equal(wv_realnodes_add(rn, "standby1", WV_KIND_PHYSICAL, true), 0);
    assert_int_equal(wv_realnodes_lanes(rn, &cfg, err, sizeof err), 0);
    cfg.link[1].latency_us = 300000;
    cfg.link[1].bandwidth_bps = 1048576;
    wv_buf out;
    wv_buf_init(&out);
    wv_realnodes_links_value(rn, &cfg, &out);
    wv_buf_append(&out, "", 1);
    assert_string_equal(out.data, "standby1:300000:1048576");
    cfg.link[1].latency_us = 0;
    CHECK(wv_realnodes_parse_links(rn, &cfg, out.data, err, sizeof err) == 0 && cfg.link[1].latency_us == 300000 &&
              cfg.link[1].bandwidth_bps == 1048576,
          "links read back: %s, latency %lld", err, (long long)cfg.link[1].latency_us);
    static const char *const bad_links[] = { "standby9:1:1", "standby1:x:1", "standby1:1", "standby1:1:0",
                                             "standby1:1:2x", "standby1:99999999999999999999:1" };
    for (size_t i = 0; i < sizeof bad_links / sizeof bad_links[0]; i++)
        CHECK(wv_realnodes_parse_links(rn, &cfg, bad_links[i], err, sizeof err) < 0 &&
                  strstr(err, "expected NAME:LATENCY_US:BANDWIDTH_BPS"),
              "'%s' refused: %s", bad_links[i], err);
    out.len = 0;
    wv_realnodes_format_mark(rn, 0, WV_REAL_CUT, E + 150 * MS, &out);
    wv_realnodes_format_mark(rn, 0, WV_REAL_HEAL, E + 250 * MS, &out);
    wv_realnodes_format_mark(rn, 0, WV_REAL_STOP, E + 300 * MS, &out);
    wv_buf_append(&out, "", 1);
    assert_string_equal(out.data, "#realmark\tstandby1\tat=1800000000150000\tmark=cut\n"
                                  "#realmark\tstandby1\tat=1800000000250000\tmark=heal\n"
                                  "#realmark\tstandby1\tat=1800000000300000\tmark=stop\n");
    wv_realnodes *back = wv_realnodes_new();
    assert_int_equal(wv_realnodes_add(back, "standby1", WV_KIND_PHYSICAL, true), 0);
    wv_sim_cfg cfg2;
    one_follower(&cfg2);
    assert_int_equal(wv_realnodes_lanes(back, &cfg2, err, sizeof err), 0);
    for (char *line = out.data, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
        CHECK(wv_realnodes_parse_mark(back, line, (size_t)(nl - line), err, sizeof err) == 0, "'%.*s': %s",
              (int)(nl - line), line, err);
    static const char *const bad_marks[] = { "#realmark\tnobody\tat=1\tmark=cut", "#realmark\tstandby1\tat=1",
                                             "#realmark\tstandby1\tat=x\tmark=cut",
                                             "#realmark\tstandby1\tat=1\tmark=boom",
                                             "#realmark\tstandby1\tat=5mark=cut",
                                             "#realmark\tstandby1\tat=1 \tmark=cut" };
    for (size_t i = 0; i < sizeof bad_marks / sizeof bad_marks[0]; i++)
        CHECK(wv_realnodes_parse_mark(back, bad_marks[i], strlen(bad_marks[i]), err, sizeof err) < 0,
              "'%s' refused", bad_marks[i]);
    wv_sim *s = wv_sim_new(&cfg2);
    wv_decoder *d = wv_decode_new();
    feed_txn(s, d, 0);
    feed_txn(s, d, 1);
    wv_sim_flush(s);
    wv_realnodes_apply_marks(back, s);
    static const struct {
        int64_t t;
        int kind; /* -1: none */
    } want[] = { { 100, -1 }, { 200, WV_FAULT_PARTITION }, { 260, -1 }, { 400, WV_FAULT_STOP } };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const wv_fault *f = wv_sim_fault_at(s, 1, want[i].t * MS);
        CHECK(f ? (int)f->kind == want[i].kind : want[i].kind == -1, "at %lld ms: fault %d, expected %d",
              (long long)want[i].t, f ? (int)f->kind : -1, want[i].kind);
    }
    wv_sim_free(s);
    wv_decode_free(d);
    wv_buf_destroy(&out);
    wv_realnodes_free(rn);
    wv_realnodes_free(back);
}

/* A node that connects after the session began: its lane joins the
 * simulation with nothing on it, then its samples place what follows; the
 * recording's #realnode line brings it back; no room, no lane. */
static void test_join_later(void **state)
{
    (void)state;
    wv_sim_cfg cfg;
    one_follower(&cfg);
    char err[200] = "";
    wv_realnodes *rn = wv_realnodes_new();
    assert_int_equal(wv_realnodes_lanes(rn, &cfg, err, sizeof err), 0);
    wv_sim *s = wv_sim_new(&cfg);
    wv_decoder *d = wv_decode_new();
    for (int k = 0; k < 3; k++)
        feed_txn(s, d, k);
    assert_int_equal(wv_realnodes_add(rn, "late1", WV_KIND_PHYSICAL, false), 0);
    assert_int_equal(wv_realnodes_join(rn, s), 1);
    assert_int_equal(wv_realnodes_join(rn, s), 0); /* once */
    const wv_sim_cfg *now = wv_sim_config(s);
    CHECK(now->nfollowers == 2 && strcmp(now->names[1], "late1") == 0 && now->observed[1],
          "lanes: %d, the second '%s'", now->nfollowers, now->names[1]);
    for (size_t m = 0; m < wv_sim_count(s); m++)
        CHECK(wv_sim_stage(s, 1, m, WV_STAGE_APPLIED) == WV_SIM_NEVER, "message %zu applied on late1 before a sample", m);
    /* it reports the second COMMIT replayed at 250 ms: both first ones */
    wv_real_sample p = primary(250 * MS, 0x3000200, 0x3000200, 0x3000200, 0x3000200);
    wv_realnodes_add_sample(rn, 0, &p);
    for (int k = 3; k < 400; k++)
        feed_txn(s, d, k); /* the lanes grow past their first room */
    wv_realnodes_map(rn, s);
    expect(s, 1, 0, 250 * MS, 250 * MS, 250 * MS, 250 * MS);
    expect(s, 1, 1, 250 * MS, 250 * MS, 250 * MS, 250 * MS);
    CHECK(wv_sim_stage(s, 1, 3 * 399 + 2, WV_STAGE_APPLIED) == WV_SIM_NEVER, "the last COMMIT not applied on late1");
    wv_buf line;
    wv_buf_init(&line);
    wv_realnodes_format_node(rn, 0, E + 100 * MS, &line);
    wv_buf_append(&line, "", 1);
    assert_string_equal(line.data, "#realnode\tlate1\tkind=physical\tat=1800000000100000\n");
    wv_realnodes *back = wv_realnodes_new();
    CHECK(wv_realnodes_parse_node(back, line.data, line.len - 2, err, sizeof err) == 0 &&
              wv_realnodes_find(back, "late1") == 0 && wv_realnodes_kind(back, 0) == WV_KIND_PHYSICAL,
          "read back: %s", err);
    /* a standby of late1 says so, and reads back so */
    assert_int_equal(wv_realnodes_add(rn, "cas1", WV_KIND_PHYSICAL, false), 1);
    wv_realnodes_set_upstream(rn, 1, 0);
    line.len = 0;
    wv_realnodes_format_node(rn, 1, E, &line);
    wv_buf_append(&line, "", 1);
    assert_string_equal(line.data, "#realnode\tcas1\tkind=physical\tat=1800000000000000\tvia=late1\n");
    CHECK(wv_realnodes_parse_node(back, line.data, line.len - 2, err, sizeof err) == 0 &&
              wv_realnodes_upstream(back, wv_realnodes_find(back, "cas1")) == 0,
          "the cascade read back: %s", err);
    static const char *const bad[] = { "#realnode\tlate1\tkind=other\tat=1", "#realnode\tlate1\tat=1",
                                       "#realnode\ta b\tkind=logical\tat=1",
                                       "#realnode\tcas2\tkind=physical\tat=1\tvia=nobody",
                                       "#realnode\tcas2\tkind=physical\tat=1\tvia=late1\tmore",
                                       "#realnode\tcas2\tkind=physicalat=1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(wv_realnodes_parse_node(back, bad[i], strlen(bad[i]), err, sizeof err) < 0, "'%s' refused", bad[i]);
    /* eight lanes: a fourth real node finds no room */
    wv_realnodes *full = wv_realnodes_new();
    wv_sim_cfg many;
    wv_sim_cfg_init(&many);
    assert_int_equal(wv_sim_cfg_option(&many, "followers", "7", err, sizeof err), 0);
    assert_int_equal(wv_sim_cfg_check(&many, err, sizeof err), 0);
    wv_sim *s8 = wv_sim_new(&many);
    wv_realnodes_add(full, "a", WV_KIND_PHYSICAL, false);
    wv_realnodes_add(full, "b", WV_KIND_PHYSICAL, false);
    assert_int_equal(wv_realnodes_join(full, s8), 1);
    assert_int_equal(wv_sim_config(s8)->nfollowers, 8);
    wv_buf_destroy(&line);
    wv_sim_free(s8);
    wv_realnodes_free(full);
    wv_realnodes_free(back);
    wv_sim_free(s);
    wv_decode_free(d);
    wv_realnodes_free(rn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_too_many_lanes),
        cmocka_unit_test(test_record_lines),
        cmocka_unit_test(test_add_sample_says_what_is_new),
        cmocka_unit_test(test_reader_skips_sample_lines),
        cmocka_unit_test(test_links_and_marks),
        cmocka_unit_test(test_join_later),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
