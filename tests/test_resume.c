/* Unit tests for resuming without duplicates (src/core/resume.c): a stream is
 * played message by message, cut somewhere, and the server's resend (from
 * the last COMMIT received, the cut transaction again from its BEGIN) is
 * fed back; exactly the messages not yet delivered must come through, and
 * the positions a slot may confirm are transaction ends only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "walviz/resume.h"

typedef struct msg {
    wv_op op;
    uint64_t lsn;
    bool nontx; /* a non-transactional logical message */
} msg;

static wv_change change_of(const msg *m)
{
    wv_change c;
    memset(&c, 0, sizeof c);
    c.op = m->op;
    c.transactional = m->op == WV_OP_MESSAGE && !m->nontx;
    return c;
}

/* Feeds msgs[from, to) and returns how many were delivered; their indexes
 * go to out (when given). */
static size_t feed(wv_resume *r, const msg *msgs, size_t from, size_t to, size_t *out)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        wv_change c = change_of(&msgs[i]);
        if (wv_resume_is_duplicate(r, &c, msgs[i].lsn))
            continue;
        wv_resume_track(r, &c, msgs[i].lsn);
        if (out)
            out[n] = i;
        n++;
    }
    return n;
}

/* Where the server's resend starts after a reconnect at restart_lsn (a
 * COMMIT's end): the first transaction or non-transactional message past
 * it, already delivered or not. */
static size_t resend_from(const msg *msgs, size_t n, uint64_t restart_lsn)
{
    for (size_t i = 0; i < n; i++)
        if ((msgs[i].op == WV_OP_BEGIN || msgs[i].nontx) && msgs[i].lsn > restart_lsn)
            return i;
    return n;
}

/* A transaction of a multi-insert: several changes at one LSN. */
static const msg stream[] = {
    { WV_OP_BEGIN, 100, false },  { WV_OP_INSERT, 110, false }, { WV_OP_COMMIT, 150, false },
    { WV_OP_BEGIN, 200, false },  { WV_OP_INSERT, 210, false }, { WV_OP_INSERT, 210, false },
    { WV_OP_INSERT, 210, false }, { WV_OP_MESSAGE, 220, false }, { WV_OP_INSERT, 230, false },
    { WV_OP_INSERT, 230, false }, { WV_OP_UPDATE, 240, false }, { WV_OP_COMMIT, 300, false },
    { WV_OP_MESSAGE, 310, true }, { WV_OP_BEGIN, 320, false }, { WV_OP_DELETE, 330, false },
    { WV_OP_COMMIT, 340, false },
};
#define NSTREAM (sizeof stream / sizeof stream[0])

/* Cut after every message in turn (and twice, the second cut inside the
 * resend): every message is delivered exactly once, in order. */
static void test_cut_anywhere(void **state)
{
    (void)state;
    for (size_t cut = 0; cut <= NSTREAM; cut++) {
        for (size_t cut2 = 0; cut2 <= 3; cut2++) {
            wv_resume r;
            wv_resume_init(&r);
            size_t got[3 * NSTREAM], n = feed(&r, stream, 0, cut, got);
            wv_resume_cut(&r);
            size_t from = resend_from(stream, NSTREAM, r.last_commit_lsn);
            if (cut2 > 0 && from + cut2 <= NSTREAM) {
                /* cut again cut2 messages into the resend */
                n += feed(&r, stream, from, from + cut2, got + n);
                wv_resume_cut(&r);
                from = resend_from(stream, NSTREAM, r.last_commit_lsn);
            }
            n += feed(&r, stream, from, NSTREAM, got + n);
            if (n != NSTREAM) {
                print_error("cut after %zu (then %zu more): %zu delivered, expected %zu\n", cut,
                            cut2, n, NSTREAM);
                fail();
            }
            for (size_t i = 0; i < n; i++)
                assert_int_equal(got[i], i);
            assert_int_equal(r.last_commit_lsn, 340);
            assert_false(r.in_txn);
        }
    }
}

/* The case of issue 16: a connection cut inside a multi-row transaction,
 * between two changes that share an LSN. */
static void test_cut_inside_multi_insert(void **state)
{
    (void)state;
    wv_resume r;
    wv_resume_init(&r);
    assert_int_equal(feed(&r, stream, 0, 6, NULL), 6); /* two of three at 210 */
    assert_true(r.in_txn);
    assert_int_equal(r.boundary_lsn, 150);
    assert_int_equal(r.last_commit_lsn, 150);
    wv_resume_cut(&r);
    assert_false(r.in_txn);
    size_t got[NSTREAM];
    size_t n = feed(&r, stream, 3, NSTREAM, got);
    assert_int_equal(n, NSTREAM - 6);
    assert_int_equal(got[0], 6); /* the third INSERT at 210 */
    assert_int_equal(r.boundary_lsn, 340);
}

/* Positions a slot may confirm: transaction ends, and keepalives only
 * between transactions. */
static void test_boundaries(void **state)
{
    (void)state;
    wv_resume r;
    wv_resume_init(&r);
    feed(&r, stream, 0, 2, NULL);
    wv_resume_keepalive(&r, 400); /* inside a transaction: no */
    assert_int_equal(r.boundary_lsn, 0);
    feed(&r, stream, 2, 3, NULL);
    assert_int_equal(r.boundary_lsn, 150);
    wv_resume_keepalive(&r, 180);
    assert_int_equal(r.boundary_lsn, 180);
    wv_resume_keepalive(&r, 170); /* never backwards */
    assert_int_equal(r.boundary_lsn, 180);
    assert_int_equal(r.last_commit_lsn, 150);

    /* a streamed transaction's abort ends it but commits nothing */
    static const msg aborted[] = { { WV_OP_STREAM_START, 500, false },
                                   { WV_OP_STREAM_ABORT, 510, false } };
    feed(&r, aborted, 0, 2, NULL);
    assert_int_equal(r.boundary_lsn, 510);
    assert_int_equal(r.last_commit_lsn, 150);
    assert_true(wv_resume_is_boundary(WV_OP_PREPARE));
    assert_false(wv_resume_is_boundary(WV_OP_STREAM_ABORT));
}

/* A resent transaction whose BEGIN is not the cut one's (the cut one was
 * rolled back meanwhile, say) is delivered whole. */
static void test_other_transaction_after_cut(void **state)
{
    (void)state;
    wv_resume r;
    wv_resume_init(&r);
    feed(&r, stream, 0, 5, NULL);
    wv_resume_cut(&r);
    static const msg other[] = { { WV_OP_BEGIN, 250, false },
                                 { WV_OP_INSERT, 210, false },
                                 { WV_OP_COMMIT, 260, false } };
    assert_int_equal(feed(&r, other, 0, 3, NULL), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_anywhere),
        cmocka_unit_test(test_cut_inside_multi_insert),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_other_transaction_after_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
