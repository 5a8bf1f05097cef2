/* replproto: see include/walviz/replproto.h. */
#include "walviz/replproto.h"

static void put_int64(char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static uint64_t get_int64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

/* A PostgreSQL timestamp to Unix microseconds, saturating rather than
 * overflowing on a hostile value. */
static int64_t unix_us(uint64_t pg)
{
    int64_t t = (int64_t)pg;
    return t > INT64_MAX - WV_REPL_PG_EPOCH_US ? INT64_MAX : t + WV_REPL_PG_EPOCH_US;
}

int wv_repl_parse(const char *buf, size_t len, wv_repl_msg *m)
{
    if (len >= WV_REPL_XLOGDATA_HEADER && buf[0] == 'w') {
        m->kind = WV_REPL_XLOGDATA;
        m->start = get_int64(buf + 1);
        m->wal_end = get_int64(buf + 9);
        m->send_us = unix_us(get_int64(buf + 17));
        m->reply_requested = false;
        m->payload = buf + WV_REPL_XLOGDATA_HEADER;
        m->payload_len = len - WV_REPL_XLOGDATA_HEADER;
        return 0;
    }
    if (len >= WV_REPL_KEEPALIVE_LEN && buf[0] == 'k') {
        m->kind = WV_REPL_KEEPALIVE;
        m->start = 0;
        m->wal_end = get_int64(buf + 1);
        m->send_us = unix_us(get_int64(buf + 9));
        m->reply_requested = buf[17] != 0;
        m->payload = NULL;
        m->payload_len = 0;
        return 0;
    }
    return -1;
}

void wv_repl_status(char out[WV_REPL_STATUS_LEN], uint64_t write, uint64_t flush, uint64_t apply,
                    int64_t now_us, bool reply_requested)
{
    out[0] = 'r';
    put_int64(out + 1, write);
    put_int64(out + 9, flush);
    put_int64(out + 17, apply);
    put_int64(out + 25, (uint64_t)(now_us - WV_REPL_PG_EPOCH_US));
    out[33] = reply_requested ? 1 : 0;
}
