/* Unit tests for the relay's pipe (src/core/relay.c): when each chunk may be
 * delivered given the latency, the bandwidth and cuts; the end of a
 * stream; the limits on what is read; and, over a seeded random run, that
 * bytes come out whole, in order, never early and never during a cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "walviz/relay.h"

static size_t ready_len(const wv_relay_pipe *p, int64_t now)
{
    return wv_relay_pipe_ready(p, now).len;
}

static void test_latency(void **state)
{
    (void)state;
    wv_relay_pipe p;
    wv_relay_pipe_init(&p, &(wv_relay_link){ 50000, 0 });
    wv_relay_pipe_push(&p, 1000, "hello", 5);
    wv_relay_pipe_push(&p, 2000, "world", 5);
    CHECK(wv_relay_pipe_next(&p, 1000) == 51000, "next: expected 51000, got %lld",
          (long long)wv_relay_pipe_next(&p, 1000));
    CHECK(ready_len(&p, 50999) == 0, "ready 1 us early: %zu bytes", ready_len(&p, 50999));
    CHECK(ready_len(&p, 51000) == 5, "ready when due: expected 5, got %zu", ready_len(&p, 51000));
    CHECK(ready_len(&p, 52000) == 10, "both due: expected 10, got %zu", ready_len(&p, 52000));
    assert_memory_equal(wv_relay_pipe_ready(&p, 52000).ptr, "helloworld", 10);

    /* a partial write leaves the rest of the chunk first in line */
    wv_relay_pipe_take(&p, 3);
    CHECK(ready_len(&p, 51000) == 2, "rest of the first chunk: expected 2, got %zu",
          ready_len(&p, 51000));
    assert_memory_equal(wv_relay_pipe_ready(&p, 51000).ptr, "lo", 2);
    CHECK(wv_relay_pipe_queued(&p) == 7, "queued: expected 7, got %zu", wv_relay_pipe_queued(&p));
    wv_relay_pipe_take(&p, 2);
    CHECK(wv_relay_pipe_next(&p, 51000) == 52000, "next after the first: expected 52000, got %lld",
          (long long)wv_relay_pipe_next(&p, 51000));
    wv_relay_pipe_take(&p, 5);
    CHECK(wv_relay_pipe_next(&p, 60000) == WV_RELAY_NEVER, "empty pipe: next %lld",
          (long long)wv_relay_pipe_next(&p, 60000));
    wv_relay_pipe_destroy(&p);
}

static void test_bandwidth(void **state)
{
    (void)state;
    wv_relay_pipe p;
    /* 1000 B/s: 100 bytes take 100 ms on the wire, one chunk after another */
    wv_relay_pipe_init(&p, &(wv_relay_link){ 5000, 1000 });
    char buf[100] = { 0 };
    wv_relay_pipe_push(&p, 0, buf, 100);
    wv_relay_pipe_push(&p, 0, buf, 100);
    CHECK(wv_relay_pipe_next(&p, 0) == 105000, "first: expected 105000, got %lld",
          (long long)wv_relay_pipe_next(&p, 0));
    CHECK(ready_len(&p, 204999) == 100, "second early: %zu bytes", ready_len(&p, 204999));
    CHECK(ready_len(&p, 205000) == 200, "second when due: expected 200, got %zu", ready_len(&p, 205000));
    /* an idle wire: the next chunk leaves when read */
    wv_relay_pipe_take(&p, 200);
    wv_relay_pipe_push(&p, 1000000, buf, 10);
    CHECK(wv_relay_pipe_next(&p, 1000000) == 1015000, "after idle: expected 1015000, got %lld",
          (long long)wv_relay_pipe_next(&p, 1000000));
    wv_relay_pipe_destroy(&p);
}

static void test_cut_heal(void **state)
{
    (void)state;
    wv_relay_pipe p;
    wv_relay_pipe_init(&p, &(wv_relay_link){ 50000, 0 });
    wv_relay_pipe_push(&p, 0, "a", 1);     /* due 50000: arrived before the cut */
    wv_relay_pipe_push(&p, 30000, "b", 1); /* due 80000: held */
    wv_relay_pipe_cut(&p, 60000);
    CHECK(ready_len(&p, 70000) == 1, "what arrived before the cut: expected 1, got %zu",
          ready_len(&p, 70000));
    CHECK(ready_len(&p, 10000000) == 1, "held byte delivered during the cut (%zu ready)",
          ready_len(&p, 10000000));
    wv_relay_pipe_take(&p, 1);
    CHECK(wv_relay_pipe_next(&p, 70000) == WV_RELAY_NEVER, "cut: next %lld",
          (long long)wv_relay_pipe_next(&p, 70000));
    wv_relay_pipe_push(&p, 100000, "c", 1); /* read during the cut, due 150000 */
    wv_relay_pipe_end(&p, 100000);
    CHECK(!wv_relay_pipe_ended(&p, 10000000), "the end passed a cut");
    wv_relay_pipe_cut(&p, 110000); /* a second cut moves nothing */
    CHECK(p.cut_at == 60000, "cut_at: expected 60000, got %lld", (long long)p.cut_at);

    /* healed at 300 ms: what was held arrives a latency later */
    wv_relay_pipe_heal(&p, 300000);
    CHECK(wv_relay_pipe_next(&p, 300000) == 350000, "after the heal: expected 350000, got %lld",
          (long long)wv_relay_pipe_next(&p, 300000));
    CHECK(ready_len(&p, 349999) == 0, "ready before heal + latency: %zu", ready_len(&p, 349999));
    CHECK(ready_len(&p, 350000) == 2, "held bytes: expected 2, got %zu", ready_len(&p, 350000));
    assert_memory_equal(wv_relay_pipe_ready(&p, 350000).ptr, "bc", 2);
    wv_relay_pipe_take(&p, 2);
    CHECK(wv_relay_pipe_ended(&p, 350000), "the end did not follow the held bytes");
    wv_relay_pipe_destroy(&p);

    /* a chunk due after heal + latency keeps its time */
    wv_relay_pipe_init(&p, &(wv_relay_link){ 10000, 100 });
    wv_relay_pipe_cut(&p, 0);
    wv_relay_pipe_push(&p, 0, "0123456789", 10); /* 100 ms on the wire: due 110000 */
    wv_relay_pipe_heal(&p, 1000);
    wv_relay_pipe_heal(&p, 5000); /* healing a whole pipe does nothing */
    CHECK(wv_relay_pipe_next(&p, 1000) == 110000, "late chunk: expected 110000, got %lld",
          (long long)wv_relay_pipe_next(&p, 1000));
    wv_relay_pipe_destroy(&p);
}

static void test_end(void **state)
{
    (void)state;
    wv_relay_pipe p;
    wv_relay_pipe_init(&p, &(wv_relay_link){ 20000, 0 });
    wv_relay_pipe_push(&p, 0, "x", 1);
    wv_relay_pipe_end(&p, 5000);
    CHECK(wv_relay_pipe_room(&p, 5000) == 0, "room after the end: %zu", wv_relay_pipe_room(&p, 5000));
    CHECK(!wv_relay_pipe_ended(&p, 30000), "ended with a byte undelivered");
    wv_relay_pipe_take(&p, 1);
    CHECK(wv_relay_pipe_next(&p, 20000) == 25000, "end due: expected 25000, got %lld",
          (long long)wv_relay_pipe_next(&p, 20000));
    CHECK(!wv_relay_pipe_ended(&p, 24999), "the end came early");
    CHECK(wv_relay_pipe_ended(&p, 25000), "the end did not come when due");
    wv_relay_pipe_destroy(&p);
}

static void test_room(void **state)
{
    (void)state;
    wv_relay_pipe p;
    wv_relay_pipe_init(&p, &(wv_relay_link){ 1000, 0 });
    char *big = calloc(1, WV_RELAY_QUEUE_MAX);
    assert_non_null(big);
    CHECK(wv_relay_pipe_room(&p, 0) == WV_RELAY_QUEUE_MAX, "room of an empty pipe: %zu",
          wv_relay_pipe_room(&p, 0));
    wv_relay_pipe_push(&p, 0, big, WV_RELAY_QUEUE_MAX - 10);
    CHECK(wv_relay_pipe_room(&p, 0) == 10, "room: expected 10, got %zu", wv_relay_pipe_room(&p, 0));
    wv_relay_pipe_push(&p, 0, big, 10);
    CHECK(wv_relay_pipe_room(&p, 0) == 0, "full queue: room %zu", wv_relay_pipe_room(&p, 0));
    wv_relay_pipe_take(&p, 100);
    CHECK(wv_relay_pipe_room(&p, 2000) == 100, "after a write: expected 100, got %zu",
          wv_relay_pipe_room(&p, 2000));
    wv_relay_pipe_destroy(&p);

    /* 64 KiB/s: the backlog's cap is one second of the wire */
    double bps = (double)WV_RELAY_BACKLOG_MAX;
    wv_relay_pipe_init(&p, &(wv_relay_link){ 0, bps });
    wv_relay_pipe_push(&p, 0, big, 2 * WV_RELAY_BACKLOG_MAX); /* on the wire until 2 s */
    CHECK(wv_relay_pipe_room(&p, 999999) == 0, "backlog over its cap, room %zu",
          wv_relay_pipe_room(&p, 999999));
    CHECK(wv_relay_pipe_next(&p, 0) == 1000000, "reading resumes: expected 1000000, got %lld",
          (long long)wv_relay_pipe_next(&p, 0));
    CHECK(wv_relay_pipe_room(&p, 1000000) > 0, "no room once the backlog is down to its cap");
    wv_relay_pipe_destroy(&p);
    free(big);
}

/* A seeded random run: pushes, partial takes, cuts and heals at random
 * times. Every byte comes out once and in order, never before it was read
 * plus its time on the wire plus the latency, never during a cut unless it
 * had arrived when the cut began, and what a cut held not before the heal
 * plus the latency. */
static void test_random(void **state)
{
    (void)state;
    enum { N = 200000 };
    const wv_relay_link link = { 3000, 2e6 };
    unsigned char *in = malloc(N), *out = malloc(N);
    int64_t *earliest = malloc(N * sizeof *earliest);
    assert_true(in && out && earliest);
    wv_relay_pipe p;
    wv_relay_pipe_init(&p, &link);
    srand(13);
    size_t nin = 0, nout = 0;
    int64_t now = 0, cut_at = 0;
    bool cut = false;
    double wire = 0;
    while (nout < N) {
        now += rand() % 700;
        int what = rand() % 100;
        if (what < 3) {
            if (!cut) {
                wv_relay_pipe_cut(&p, now);
                cut_at = now;
            } else {
                wv_relay_pipe_heal(&p, now);
                for (size_t i = nout; i < nin; i++)
                    if (earliest[i] > cut_at && earliest[i] < now + link.latency_us)
                        earliest[i] = now + link.latency_us;
            }
            cut = !cut;
        }
        size_t room = wv_relay_pipe_room(&p, now);
        if (nin < N && room > 0 && what < 60) {
            size_t len = 1 + (size_t)rand() % 900;
            if (len > room)
                len = room;
            if (len > N - nin)
                len = N - nin;
            for (size_t i = 0; i < len; i++)
                in[nin + i] = (unsigned char)rand();
            wv_relay_pipe_push(&p, now, in + nin, len);
            wire = (wire > (double)now ? wire : (double)now) + (double)len * 1e6 / link.bandwidth_bps;
            for (size_t i = 0; i < len; i++)
                earliest[nin + i] = (int64_t)wire + link.latency_us;
            nin += len;
        }
        if (!cut && nin == N)
            now += 100000; /* all read: let the rest arrive */
        wv_slice s = wv_relay_pipe_ready(&p, now);
        size_t take = s.len ? 1 + (size_t)rand() % s.len : 0;
        for (size_t i = 0; i < take; i++) {
            CHECK(earliest[nout + i] <= now, "byte %zu out at %lld, earliest %lld", nout + i,
                  (long long)now, (long long)earliest[nout + i]);
            CHECK(!cut || earliest[nout + i] <= cut_at, "byte %zu (due %lld) out during the cut",
                  nout + i, (long long)earliest[nout + i]);
        }
        if (take > 0) {
            memcpy(out + nout, s.ptr, take);
            wv_relay_pipe_take(&p, take);
        }
        nout += take;
        CHECK(wv_relay_pipe_queued(&p) == nin - nout, "queued: expected %zu, got %zu", nin - nout,
              wv_relay_pipe_queued(&p));
    }
    assert_memory_equal(in, out, N);
    wv_relay_pipe_destroy(&p);
    free(in);
    free(out);
    free(earliest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency), cmocka_unit_test(test_bandwidth),
        cmocka_unit_test(test_cut_heal), cmocka_unit_test(test_end),
        cmocka_unit_test(test_room),     cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
