/* recorder: see include/walviz/recorder.h. */
#include "walviz/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITE_AT (256 * 1024)

struct wv_recorder {
    int fd;
    bool is_stdout;
    bool header_written;
    wv_buf buf;
};

wv_recorder *wv_recorder_open(const char *path, char *err, size_t errsz)
{
    bool is_stdout = strcmp(path, "-") == 0;
    int fd = is_stdout ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    wv_recorder *r = wv_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->is_stdout = is_stdout;
    wv_buf_init(&r->buf);
    return r;
}

static int write_out(wv_recorder *r)
{
    const char *p = r->buf.data;
    size_t n = r->buf.len;
    while (n > 0) {
        ssize_t w = write(r->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    r->buf.len = 0;
    return 0;
}

void wv_recorder_header(wv_recorder *r, wv_source *src)
{
    static const char *const keys[] = { "server-version", "database", "system-identifier",
                                        "slot", "slot-kind", "plugin", "plugin-options",
                                        "two-phase", "session-settings" };
    if (r->header_written)
        return;
    char started[64];
    time_t t = time(NULL);
    strftime(started, sizeof started, "%Y-%m-%d %H:%M:%S+00", gmtime(&t));
    wv_buf_puts(&r->buf, WV_RECORD_MAGIC "\n");
    wv_record_header_line(&r->buf, "walviz-version", WV_VERSION);
    wv_record_header_line(&r->buf, "started", started);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = wv_source_info(src, keys[i]);
        if (v)
            wv_record_header_line(&r->buf, keys[i], v);
    }
    wv_record_header_line(&r->buf, "columns", "lsn xid sent_us received_us data");
    r->header_written = true;
}

int wv_recorder_add(wv_recorder *r, wv_source *src, const wv_meta *m, wv_slice text)
{
    wv_recorder_header(r, src);
    wv_record_format_line(&r->buf, m, text.ptr, text.len);
    return r->buf.len >= WRITE_AT ? write_out(r) : 0;
}

int wv_recorder_sync(wv_recorder *r, wv_source *src)
{
    if (write_out(r) < 0)
        return -1;
    if (!r->is_stdout && fsync(r->fd) < 0 && errno != EINVAL)
        return -1;
    wv_source_confirm(src);
    return 0;
}

int wv_recorder_close(wv_recorder *r)
{
    if (!r)
        return 0;
    int rc = write_out(r);
    if (!r->is_stdout) {
        if (fsync(r->fd) < 0 && errno != EINVAL)
            rc = -1;
        if (close(r->fd) < 0)
            rc = -1;
    }
    wv_buf_destroy(&r->buf);
    free(r);
    return rc;
}
