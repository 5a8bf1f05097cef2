/* summary: see include/walviz/summary.h. */
#include "walviz/summary.h"

#include <string.h>

#include "walviz/json.h"

static void json_str(wv_buf *out, const char *s)
{
    wv_json_string(out, (wv_slice){ s, strlen(s) }, 0, false);
}

void wv_summary_json(wv_buf *out, const wv_view *v, int frame, int64_t wall_ms)
{
    const wv_sim *sim = v->sim;
    const wv_timeline *tl = v->tl;
    int64_t t = tl->now;
    wv_buf_printf(out,
                  "{\"frame\":%d,\"wall_ms\":%lld,\"t_us\":%lld,\"end_us\":%lld,\"live\":%s,"
                  "\"behind_live_us\":%lld,\"playing\":%s,\"speed\":\"%s\",\"notice\":",
                  frame, (long long)wall_ms, (long long)t, (long long)v->end, v->live ? "true" : "false",
                  (long long)v->behind_live, tl->playing ? "true" : "false", wv_timeline_speed_text(tl));
    if (v->notice)
        json_str(out, v->notice);
    else
        wv_buf_puts(out, "null");
    size_t departed = wv_sim_departed(sim, t);
    wv_buf_printf(out, ",\"messages\":%zu,\"departed\":%zu,\"followers\":[", wv_sim_count(sim), departed);
    const wv_sim_cfg *cfg = wv_sim_config(sim);
    for (int f = 0; f < cfg->nfollowers; f++) {
        wv_positions p;
        wv_sim_positions(sim, f, t, &p);
        size_t sent = wv_sim_reached(sim, f, WV_STAGE_SENT, t);
        size_t written = wv_sim_reached(sim, f, WV_STAGE_WRITTEN, t);
        size_t flushed = wv_sim_reached(sim, f, WV_STAGE_FLUSHED, t);
        size_t applied = wv_sim_reached(sim, f, WV_STAGE_APPLIED, t);
        const char *state = p.stopped ? "stopped" : p.partitioned ? "partitioned" : "streaming";
        wv_buf_puts(out, f ? ",{\"name\":" : "{\"name\":");
        json_str(out, cfg->names[f]);
        wv_buf_printf(out,
                      ",\"state\":\"%s\",\"queued\":%zu,\"in_flight\":%zu,\"waiting_flush\":%zu,"
                      "\"waiting_replay\":%zu,\"applied\":%zu,\"caught_up\":%s,\"replay_lag_us\":%lld,"
                      "\"byte_lag\":%llu}",
                      state, departed > sent ? departed - sent : 0, sent > written ? sent - written : 0,
                      written > flushed ? written - flushed : 0, flushed > applied ? flushed - applied : 0,
                      applied, p.replay_lag == 0 && p.byte_lag == 0 ? "true" : "false",
                      (long long)p.replay_lag, (unsigned long long)p.byte_lag);
    }
    wv_buf_puts(out, "]}\n");
}
