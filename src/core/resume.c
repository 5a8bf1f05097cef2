/* resume: see include/walviz/resume.h. */
#include "walviz/resume.h"

#include <string.h>

void wv_resume_init(wv_resume *r)
{
    memset(r, 0, sizeof *r);
}

bool wv_resume_is_boundary(wv_op op)
{
    return op == WV_OP_COMMIT || op == WV_OP_PREPARE || op == WV_OP_COMMIT_PREPARED ||
           op == WV_OP_ROLLBACK_PREPARED || op == WV_OP_STREAM_COMMIT ||
           op == WV_OP_STREAM_PREPARE;
}

static bool nontx_seen(const wv_resume *r, uint64_t lsn)
{
    for (size_t i = 0; i < WV_RESUME_NONTX; i++)
        if (r->nontx_lsns[i] == lsn && lsn)
            return true;
    return false;
}

bool wv_resume_is_duplicate(wv_resume *r, const wv_change *c, uint64_t lsn)
{
    if (c->op == WV_OP_MESSAGE && !c->transactional) {
        if (nontx_seen(r, lsn))
            return true;
        r->nontx_lsns[r->nontx_next++ % WV_RESUME_NONTX] = lsn;
        return false;
    }
    if (r->skip_armed && c->op == WV_OP_BEGIN) {
        r->skip_armed = false;
        r->skipping = lsn == r->skip_begin_lsn;
        r->skip_seen_at_last = 0;
    }
    if (r->skipping) {
        if (lsn < r->skip_last_lsn ||
            (lsn == r->skip_last_lsn && r->skip_seen_at_last++ < r->skip_count_at_last)) {
            /* keep the receive-side state of the transaction as it was */
            if (c->op == WV_OP_BEGIN) {
                r->in_txn = true;
                r->txn_begin_lsn = lsn;
            }
            return true;
        }
        r->skipping = false;
    }
    return false;
}

void wv_resume_track(wv_resume *r, const wv_change *c, uint64_t lsn)
{
    if (c->op == WV_OP_BEGIN) {
        r->in_txn = true;
        r->txn_begin_lsn = lsn;
        r->txn_last_lsn = lsn;
        r->txn_count_at_last = 0;
    }
    if (r->in_txn && !(c->op == WV_OP_MESSAGE && !c->transactional)) {
        if (lsn != r->txn_last_lsn) {
            r->txn_last_lsn = lsn;
            r->txn_count_at_last = 0;
        }
        r->txn_count_at_last++;
    }
    bool end = wv_resume_is_boundary(c->op);
    if (end || c->op == WV_OP_STREAM_ABORT) {
        r->in_txn = false;
        r->boundary_lsn = lsn > r->boundary_lsn ? lsn : r->boundary_lsn;
        if (end)
            r->last_commit_lsn = lsn;
        memset(r->nontx_lsns, 0, sizeof r->nontx_lsns);
    }
}

void wv_resume_keepalive(wv_resume *r, uint64_t wal_end)
{
    if (!r->in_txn && wal_end > r->boundary_lsn)
        r->boundary_lsn = wal_end;
}

void wv_resume_cut(wv_resume *r)
{
    if (!r->in_txn)
        return;
    r->skip_armed = true;
    r->skip_begin_lsn = r->txn_begin_lsn;
    r->skip_last_lsn = r->txn_last_lsn;
    r->skip_count_at_last = r->txn_count_at_last;
    r->in_txn = false;
}
