/* recorder: see include/walviz/recorder.h.
 *
 * A file recording is written to a temporary file beside its path, which
 * takes the path's place (rename, then the directory is fsynced) with the
 * first bytes written: the header, once the source streams. Until then an
 * existing file at the path is untouched, and a run that never streams
 * (a wrong password, a server down) removes its temporary file. */
#include "walviz/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WRITE_AT (256 * 1024)

struct wv_recorder {
    int fd;
    bool is_stdout;
    bool header_written;
    char *path, *tmp; /* tmp: the file until it is put in place; then NULL */
    wv_buf buf;
    char *extra[4][2]; /* header lines of other parts: key, value */
    int nextra;
};

wv_recorder *wv_recorder_open(const char *path, char *err, size_t errsz)
{
    bool is_stdout = strcmp(path, "-") == 0;
    char *tmp = NULL;
    int fd = STDOUT_FILENO;
    struct stat sb;
    if (!is_stdout && lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* A device, a FIFO, a symbolic link: write through it; renaming
         * over it would replace the node itself. */
        bool reg = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
        fd = open(path, O_WRONLY | O_CLOEXEC | (reg ? O_TRUNC : 0));
        if (fd < 0) {
            snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
            return NULL;
        }
    } else if (!is_stdout) {
        const char *slash = strrchr(path, '/');
        size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
        wv_buf t;
        wv_buf_init(&t);
        wv_buf_append(&t, path, dirlen);
        wv_buf_printf(&t, ".%s.walviz-XXXXXX", path + dirlen);
        wv_buf_append(&t, "", 1);
        tmp = t.data;
        fd = mkstemp(tmp);
        if (fd >= 0)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errsz, "cannot create a file beside %s: %s", path, strerror(errno));
            free(tmp);
            return NULL;
        }
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask); /* what open(..., 0666) would have made */
    }
    wv_recorder *r = wv_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->is_stdout = is_stdout;
    r->path = wv_xstrdup(path);
    r->tmp = tmp;
    wv_buf_init(&r->buf);
    return r;
}

/* The temporary file takes the path's place, durably. */
static int put_in_place(wv_recorder *r)
{
    if (rename(r->tmp, r->path) < 0)
        return -1;
    free(r->tmp);
    r->tmp = NULL;
    const char *slash = strrchr(r->path, '/');
    char *dir = slash ? wv_slice_dup((wv_slice){ r->path, (size_t)(slash - r->path) + 1 })
                      : wv_xstrdup(".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    int rc = dfd >= 0 && fsync(dfd) == 0 ? 0 : -1;
    if (dfd >= 0)
        close(dfd);
    return rc;
}

static int write_out(wv_recorder *r)
{
    if (r->tmp && r->buf.len > 0 && put_in_place(r) < 0)
        return -1;
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
    for (int i = 0; i < r->nextra; i++)
        wv_record_header_line(&r->buf, r->extra[i][0], r->extra[i][1]);
    wv_record_header_line(&r->buf, "columns", "lsn xid sent_us received_us data");
    r->header_written = true;
}

void wv_recorder_header_extra(wv_recorder *r, const char *key, const char *value)
{
    WV_ASSERT(!r->header_written && r->nextra < 4);
    r->extra[r->nextra][0] = wv_xstrdup(key);
    r->extra[r->nextra++][1] = wv_xstrdup(value);
}

int wv_recorder_add_line(wv_recorder *r, wv_source *src, wv_slice line)
{
    wv_recorder_header(r, src);
    wv_buf_append(&r->buf, line.ptr, line.len);
    return r->buf.len >= WRITE_AT ? write_out(r) : 0;
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
    if (r->tmp) /* never streamed: what was at the path stays */
        unlink(r->tmp);
    free(r->tmp);
    free(r->path);
    for (int i = 0; i < r->nextra; i++)
        free(r->extra[i][0]), free(r->extra[i][1]);
    wv_buf_destroy(&r->buf);
    free(r);
    return rc;
}
