/* replproto: the byte layouts of the streaming replication protocol's
 * CopyData messages that walviz reads and writes (PostgreSQL docs,
 * "Streaming Replication Protocol"). Pure: no libpq, no clock; times are
 * passed in and out as microseconds since the Unix epoch, converted from
 * and to PostgreSQL's 2000-01-01 epoch here. Integers are big-endian.
 *   XLogData  'w' int64 start, int64 wal_end, int64 send_time, payload
 *   keepalive 'k' int64 wal_end, int64 send_time, byte reply_requested
 *   status    'r' int64 write, int64 flush, int64 apply, int64 send_time,
 *             byte reply_requested (client to server) */
#ifndef WALVIZ_REPLPROTO_H
#define WALVIZ_REPLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WV_REPL_PG_EPOCH_US 946684800000000LL /* 2000-01-01 in Unix time */
#define WV_REPL_XLOGDATA_HEADER 25
#define WV_REPL_KEEPALIVE_LEN 18
#define WV_REPL_STATUS_LEN 34

typedef enum wv_repl_kind { WV_REPL_XLOGDATA, WV_REPL_KEEPALIVE } wv_repl_kind;

typedef struct wv_repl_msg {
    wv_repl_kind kind;
    uint64_t start;       /* XLogData: where its WAL starts (the message's LSN) */
    uint64_t wal_end;     /* the server's WAL end as it sent this */
    int64_t send_us;      /* the server's send time, Unix microseconds */
    bool reply_requested; /* keepalive: answer with a status update now */
    const char *payload;  /* XLogData: the plugin's message, inside buf */
    size_t payload_len;
} wv_repl_msg;

/* Parses one CopyData message from the server. Returns 0 and fills *m
 * (payload points into buf), or -1 when it is neither a whole XLogData nor
 * a whole keepalive (too short, or another type byte). */
int wv_repl_parse(const char *buf, size_t len, wv_repl_msg *m);

/* Writes a standby status update into out: positions as given, now_us the
 * client's clock (Unix microseconds). Only flush moves a logical slot. */
void wv_repl_status(char out[WV_REPL_STATUS_LEN], uint64_t write, uint64_t flush, uint64_t apply,
                    int64_t now_us, bool reply_requested);

#endif
