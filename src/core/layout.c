/* layout: see include/walviz/layout.h. */
#include "walviz/layout.h"

static int max_i(int a, int b) { return a > b ? a : b; }

static void compute(wv_layout *l, int width, int height, int nfollowers, double text_scale);

void wv_layout_compute(wv_layout *l, int width, int height, int nfollowers, double text_scale)
{
    if (text_scale < 0.5)
        text_scale = 0.5;
    if (text_scale > 2.0)
        text_scale = 2.0;
    /* Large text with many followers: shrink it until a follower box holds
     * its name and lanes hold a line (body text never goes below 1/50). */
    for (;;) {
        compute(l, width, height, nfollowers, text_scale);
        bool fits = nfollowers < 1 ||
                    (l->followers[0].h >= l->label_px * 13 / 10 && l->lanes[0].h >= l->body_px);
        if (fits || text_scale <= 0.5)
            return;
        text_scale *= 0.9;
    }
}

static void compute(wv_layout *l, int width, int height, int nfollowers, double text_scale)
{
    l->width = width;
    l->height = height;
    l->nfollowers = nfollowers;
    /* 1/44 of the height reads from the back row; never below 1/50. */
    l->body_px = max_i((int)(height / 44.0 * text_scale + 0.5), (height + 49) / 50);
    l->label_px = l->body_px * 5 / 4;
    l->line_h = l->body_px * 5 / 4;
    l->pad = max_i(l->body_px / 2, 4);
    int pad = l->pad;

    l->top = (wv_rect){ 0, 0, width, l->label_px * 8 / 5 };
    int timeline_h = l->body_px * 5 / 2;
    l->timeline = (wv_rect){ pad, height - timeline_h - pad / 2, width - 2 * pad, timeline_h };
    int panels_h = max_i(height * 24 / 100, l->line_h * 6 + pad);
    int panels_y = l->timeline.y - pad - panels_h;
    int caption_h = l->line_h + pad / 2;
    l->caption = (wv_rect){ pad, panels_y - pad / 2 - caption_h, width - 2 * pad, caption_h };
    int log_w = (width - 3 * pad) * 56 / 100;
    l->log = (wv_rect){ pad, panels_y, log_w, panels_h };
    l->inspector = (wv_rect){ 2 * pad + log_w, panels_y, width - 3 * pad - log_w, panels_h };

    int mid_y = l->top.h + pad;
    int mid_h = l->caption.y - pad / 2 - mid_y;
    /* larger text needs a wider leader: the level's name stays whole */
    int leader_w = (int)(width * 23 / 100 * (text_scale > 1 ? text_scale : 1.0));
    if (leader_w > width * 30 / 100)
        leader_w = width * 30 / 100;
    l->leader = (wv_rect){ pad, mid_y, leader_w, mid_h };
    /* wide enough for the pipeline's three positions side by side */
    int fw = width * 31 / 100;
    int fx = width - pad - fw;
    int n = nfollowers < 1 ? 1 : nfollowers;
    int gap = pad / 2 + 1;
    int fh = (mid_h - (n - 1) * gap) / n;
    int lane_x = l->leader.x + l->leader.w + pad;
    int lane_w = fx - pad - lane_x;
    for (int i = 0; i < WV_SIM_MAX_FOLLOWERS; i++) {
        if (i >= nfollowers) {
            l->followers[i] = l->lanes[i] = (wv_rect){ 0, 0, 0, 0 };
            continue;
        }
        int fy = mid_y + i * (fh + gap);
        l->followers[i] = (wv_rect){ fx, fy, fw, fh };
        /* a text row, chips tall enough for a large glyph, a text row */
        int want = 2 * l->line_h + l->label_px * 13 / 10;
        int lane_h = fh < want ? fh : want;
        l->lanes[i] = (wv_rect){ lane_x, fy + (fh - lane_h) / 2, lane_w, lane_h };
    }
}

bool wv_rect_overlaps(wv_rect a, wv_rect b)
{
    return a.w > 0 && a.h > 0 && b.w > 0 && b.h > 0 && a.x < b.x + b.w && b.x < a.x + a.w &&
           a.y < b.y + b.h && b.y < a.y + a.h;
}

bool wv_rect_contains(wv_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

bool wv_rect_inside(wv_rect in, wv_rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}
