/* reader: see include/walviz/reader.h.
 *
 * Input is read in chunks into one buffer holding [pos, len). A message
 * that runs past the buffer's end makes the reader move what is left to the
 * front, read more (growing the buffer only when it is full), and parse
 * again from the message's start. A message that cannot be read (bad, or
 * longer than the limit) is skipped to the end of its line, across as many
 * reads as that takes: what follows never depends on where a read ended. A
 * regular file is mapped instead: the buffer is the whole file, read-only,
 * and what has been parsed is given back to the kernel as the reader goes
 * (it reads it again from the page cache if a message's text is wanted
 * later), so a big recording does not stay resident twice. */
#include "walviz/reader.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DROP_EVERY ((size_t)8 << 20) /* parsed mapping given back in steps this big */

typedef struct header_entry {
    char *key, *value;
} header_entry;

struct wv_reader {
    int fd;
    char *name;
    bool eof;
    bool detected;
    bool skip_line; /* discarding input up to the next newline */
    bool stop_pending; /* a mapped load was asked to stop: say so next */
    size_t chunk, max_message;
    wv_reader_progress_fn progress;
    void *progress_ctx;
    wv_reader_record_fn record_fn; /* other record kinds; NULL: skipped */
    void *record_ctx;
    uint64_t bytes_read;
    wv_form form;
    char *buf;
    size_t pos, len, cap;
    wv_mapping *map; /* the mapped file (buf is its data), or NULL */
    bool map_taken;  /* the caller unmaps it */
    size_t dropped;  /* the mapping's first bytes given back */
    size_t line;     /* line number at pos */
    wv_xid_state xids; /* raw form: the transaction the stream is in */
    wv_decoder *dec;
    wv_buf data; /* unescaped message for copy and recording forms */
    header_entry *headers;
    size_t nheaders;
    char error[512];
};

wv_reader *wv_reader_new(int fd, const char *name)
{
    wv_reader *r = wv_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->name = wv_xstrdup(name);
    r->line = 1;
    r->chunk = WV_READER_CHUNK;
    r->max_message = WV_READER_MAX_MESSAGE;
    r->dec = wv_decode_new();
    wv_buf_init(&r->data);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && lseek(fd, 0, SEEK_CUR) == 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            r->map = wv_xmalloc(sizeof *r->map);
            *r->map = (wv_mapping){ p, (size_t)st.st_size };
            r->buf = p;
            r->len = r->cap = (size_t)st.st_size;
            r->eof = true; /* all of it is there */
        }
    }
    return r;
}

wv_mapping *wv_reader_take_mapping(wv_reader *r)
{
    r->map_taken = r->map != NULL;
    return r->map;
}

void wv_mapping_release(void *m)
{
    wv_mapping *map = m;
    if (!map)
        return;
    munmap((void *)map->data, map->len);
    free(map);
}

/* Gives back the pages of the mapping before pos, every DROP_EVERY bytes,
 * and tells the progress callback how far it got (a mapped file is never
 * read, so this is where a long load shows progress or stops). */
static void drop_parsed(wv_reader *r)
{
    if (!r->map || r->pos - r->dropped < DROP_EVERY)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = r->pos / page * page;
    madvise(r->buf + r->dropped, upto - r->dropped, MADV_DONTNEED);
    r->dropped = upto;
    if (r->progress && r->progress(r->progress_ctx, r->pos)) {
        r->pos = r->len; /* asked to stop: the input ends here */
        r->stop_pending = true;
    }
}

void wv_reader_free(wv_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].key);
        free(r->headers[i].value);
    }
    free(r->headers);
    wv_buf_destroy(&r->data);
    wv_decode_free(r->dec);
    if (!r->map)
        free(r->buf);
    else if (!r->map_taken)
        wv_mapping_release(r->map);
    free(r->name);
    free(r);
}

void wv_reader_set_limits(wv_reader *r, size_t chunk, size_t max_message)
{
    WV_ASSERT(chunk >= 64 && max_message >= 64);
    r->chunk = chunk;
    r->max_message = max_message;
}

void wv_reader_set_progress(wv_reader *r, wv_reader_progress_fn fn, void *ctx)
{
    r->progress = fn;
    r->progress_ctx = ctx;
}

void wv_reader_set_records(wv_reader *r, wv_reader_record_fn fn, void *ctx)
{
    r->record_fn = fn;
    r->record_ctx = ctx;
}

const char *wv_reader_error(const wv_reader *r)
{
    return r->error;
}

wv_form wv_reader_form(const wv_reader *r)
{
    return r->form;
}

const char *wv_reader_header(const wv_reader *r, const char *key)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].key, key) == 0)
            return r->headers[i].value;
    return NULL;
}

static int error_at(wv_reader *r, size_t line, const char *fmt, const char *detail)
{
    char msg[400];
    snprintf(msg, sizeof msg, fmt, detail);
    snprintf(r->error, sizeof r->error, "%s:%zu: %s", r->name, line, msg);
    return -1;
}

/* Makes room for a read after what is buffered, growing the buffer by
 * doubling but never past the longest message and a chunk: a message at
 * the limit costs its size once. */
static void make_room(wv_reader *r)
{
    if (r->cap - r->len >= r->chunk / 2)
        return;
    size_t most = r->max_message + r->chunk;
    size_t want = r->cap ? r->cap * 2 : r->chunk;
    if (want < r->len + r->chunk)
        want = r->len + r->chunk;
    if (want > most)
        want = most > r->len + r->chunk / 2 ? most : r->len + r->chunk;
    r->buf = wv_xrealloc(r->buf, want);
    r->cap = want;
}

/* Asks the progress callback; when it says stop, the input ends here. */
static bool stop_asked(wv_reader *r)
{
    if (!r->progress || !r->progress(r->progress_ctx, r->bytes_read))
        return false;
    r->eof = true;
    r->pos = r->len = 0;
    r->skip_line = false;
    return true;
}

/* Reads more input after what is buffered. Returns 1 when bytes came, 0 at
 * end of input, -1 on a read error or when the progress callback said stop
 * (either way the input ends there: callers that go on after an error
 * would otherwise read, and fail, forever). */
static int fill(wv_reader *r)
{
    if (r->eof)
        return 0;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    make_room(r);
    for (;;) {
        size_t room = r->cap - r->len;
        ssize_t n = read(r->fd, r->buf + r->len, room < r->chunk ? room : r->chunk);
        if (n > 0) {
            r->len += (size_t)n;
            r->bytes_read += (uint64_t)n;
            /* A message longer than a chunk is parsed again after every
             * fill: take all that is ready now (a pipe gives 64 kB a read),
             * so that the doubling buffer keeps those parses to a few.
             * Waiting for more than is ready would hold back output. */
            struct pollfd pfd = { r->fd, POLLIN, 0 };
            while (r->len > r->chunk && r->len < r->cap && poll(&pfd, 1, 0) > 0 &&
                   (pfd.revents & POLLIN)) {
                room = r->cap - r->len;
                n = read(r->fd, r->buf + r->len, room < r->chunk ? room : r->chunk);
                if (n <= 0)
                    break; /* end or error: the next fill says which */
                r->len += (size_t)n;
                r->bytes_read += (uint64_t)n;
                if (stop_asked(r)) /* a big buffer fills for a while */
                    return error_at(r, r->line, "%s", "stopped");
            }
            if (stop_asked(r))
                return error_at(r, r->line, "%s", "stopped");
            return 1;
        }
        if (n == 0) {
            r->eof = true;
            return 0;
        }
        /* A signal interrupts a read that waits (a pipe): ask again. */
        if (errno == EINTR && stop_asked(r))
            return error_at(r, r->line, "%s", "stopped");
        if (errno != EINTR) {
            r->eof = true;
            return error_at(r, r->line, "read failed: %s", strerror(errno));
        }
    }
}

/* Discards input up to and including the next newline, reading as much as
 * that takes. Returns 1 when done, 0 at the end of input, -1 on an error. */
static int skip_rest_of_line(wv_reader *r)
{
    while (r->skip_line) {
        const char *p = r->buf + r->pos;
        const char *nl = r->len > r->pos ? memchr(p, '\n', r->len - r->pos) : NULL;
        if (nl) {
            r->pos += (size_t)(nl - p) + 1;
            r->line++;
            r->skip_line = false;
            break;
        }
        r->pos = r->len;
        int f = fill(r);
        if (f <= 0) {
            r->skip_line = false;
            return f;
        }
    }
    return 1;
}

static size_t count_newlines(const char *p, size_t n)
{
    size_t k = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
        k++, p++;
    return k;
}

static bool looks_like_copy(const char *p, size_t n)
{
    size_t i = 0, digits = 0;
    while (i < n && p[i] != '/' && i < 8)
        i++;
    if (i == 0 || i >= n || p[i] != '/')
        return false;
    i++;
    while (i < n && p[i] != '\t')
        i++;
    if (i >= n || wv_lsn_parse(p, i, &(uint64_t){ 0 }) < 0)
        return false;
    for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
        digits++;
    return digits > 0 && i < n && p[i] == '\t';
}

static int detect(wv_reader *r)
{
    /* Enough of the first line to tell the forms apart. */
    while (!r->eof && (r->len == r->pos || !memchr(r->buf + r->pos, '\n', r->len - r->pos)) &&
           r->len - r->pos < 64)
        if (fill(r) < 0)
            return -1;
    const char *p = r->buf + r->pos;
    size_t n = r->len - r->pos;
    if (n >= strlen(WV_RECORD_MAGIC) && memcmp(p, WV_RECORD_MAGIC, strlen(WV_RECORD_MAGIC)) == 0)
        r->form = WV_FORM_RECORDING;
    else if (looks_like_copy(p, n))
        r->form = WV_FORM_COPY;
    else
        r->form = WV_FORM_RAW;
    r->detected = true;
    return 0;
}

static void settle_xid(wv_reader *r, wv_item *it)
{
    it->meta.has_xid = wv_xid_settle(&r->xids, &it->change, it->meta.has_xid, it->meta.xid, &it->meta.xid);
}

static int decode_error(wv_reader *r, size_t line)
{
    return error_at(r, line, "%s", wv_decode_error(r->dec));
}

/* The message at pos runs past the limit (at least max_message bytes are
 * buffered): drop exactly that many (their newlines still count), then
 * the rest of the line. Exactly, so that where it ends never depends on
 * how much a read brought. */
static int too_long(wv_reader *r)
{
    size_t line = r->line;
    r->line += count_newlines(r->buf + r->pos, r->max_message);
    r->pos += r->max_message;
    r->skip_line = true;
    char what[96];
    snprintf(what, sizeof what, "%zu", r->max_message);
    return error_at(r, line,
                    "expected a message of at most %s bytes, found a longer one; skipped to the "
                    "end of its line", what);
}

static int next_raw(wv_reader *r, wv_item *it)
{
    for (;;) {
        int k = skip_rest_of_line(r);
        if (k <= 0)
            return k;
        /* Blank lines carry nothing; skip them. */
        while (r->pos < r->len && r->buf[r->pos] == '\n')
            r->pos++, r->line++;
        if (r->pos == r->len) {
            int f = fill(r);
            if (f < 0)
                return -1;
            if (f == 0)
                return 0;
            continue;
        }
        const char *msg = r->buf + r->pos;
        /* Never look past the limit: what is decided then does not
         * depend on how much a read brought. */
        size_t avail = r->len - r->pos, used = 0;
        if (avail > r->max_message)
            avail = r->max_message;
        wv_decode_status st = wv_decode_line(r->dec, msg, avail, &it->change, &used);
        if (st == WV_DECODE_INCOMPLETE && avail == r->max_message)
            return too_long(r);
        if (st == WV_DECODE_INCOMPLETE && !r->eof) {
            if (fill(r) < 0)
                return -1;
            continue;
        }
        bool last = st == WV_DECODE_INCOMPLETE;
        if (last) {
            /* The last message of the input has no newline after it. */
            st = wv_decode_message(r->dec, msg, avail, &it->change);
            used = avail;
        }
        size_t line = r->line;
        if (st != WV_DECODE_OK) {
            /* Skip to the end of the line, which may lie beyond this read. */
            r->skip_line = true;
            return decode_error(r, line);
        }
        it->text.ptr = msg;
        it->text.len = last ? used : used - 1; /* without the newline */
        it->line = line;
        memset(&it->meta, 0, sizeof it->meta);
        r->line += count_newlines(msg, used);
        r->pos += used;
        settle_xid(r, it);
        drop_parsed(r);
        return 1;
    }
}

/* Returns the next complete line (without its newline) and moves past it;
 * *torn when the input ended in the middle of a line. 0 at end of input,
 * -1 on a read error, -2 when the line is longer than the limit. */
static int next_line(wv_reader *r, wv_slice *line, bool *torn)
{
    *torn = false;
    for (;;) {
        /* A line longer than the limit, newline included, is too long
         * whether or not its newline has been read. */
        const char *p = r->buf + r->pos;
        size_t look = r->len - r->pos < r->max_message ? r->len - r->pos : r->max_message;
        const char *nl = look ? memchr(p, '\n', look) : NULL;
        if (nl) {
            line->ptr = p;
            line->len = (size_t)(nl - p);
            r->pos += line->len + 1;
            return 1;
        }
        if (look == r->max_message)
            return -2;
        int f = fill(r);
        if (f < 0)
            return -1;
        if (f == 0) {
            if (r->pos == r->len)
                return 0;
            line->ptr = r->buf + r->pos;
            line->len = r->len - r->pos;
            r->pos = r->len;
            *torn = true;
            return 1;
        }
    }
}

static void add_header(wv_reader *r, wv_slice line)
{
    const char *colon = memchr(line.ptr, ':', line.len);
    if (line.len < 3 || !colon || line.ptr[1] != ' ')
        return;
    r->headers = wv_xrealloc(r->headers, (r->nheaders + 1) * sizeof *r->headers);
    header_entry *h = &r->headers[r->nheaders++];
    h->key = wv_slice_dup((wv_slice){ line.ptr + 2, (size_t)(colon - line.ptr - 2) });
    const char *v = colon + 1 + (colon + 1 < line.ptr + line.len && colon[1] == ' ');
    h->value = wv_slice_dup((wv_slice){ v, (size_t)(line.ptr + line.len - v) });
}

static int next_tabular(wv_reader *r, wv_item *it)
{
    char err[160];
    for (;;) {
        int k = skip_rest_of_line(r);
        if (k <= 0)
            return k;
        wv_slice line;
        bool torn;
        size_t lineno = r->line;
        int got = next_line(r, &line, &torn);
        if (got == -2)
            return too_long(r);
        if (got <= 0)
            return got;
        r->line++;
        if (torn && r->form == WV_FORM_RECORDING)
            return error_at(r, lineno, "%s",
                            "the last line is torn (no newline: the recording was cut off "
                            "mid-write); skipped it");
        if (line.len == 0)
            continue;
        if (r->form == WV_FORM_RECORDING && line.ptr[0] == '#') {
            if (line.len > 1 && line.ptr[1] != ' ') { /* a record of another kind */
                if (r->record_fn && r->record_fn(r->record_ctx, line.ptr, line.len, err, sizeof err) < 0)
                    return error_at(r, lineno, "%s", err);
                continue;
            }
            add_header(r, line);
            continue;
        }
        memset(&it->meta, 0, sizeof it->meta);
        if (r->form == WV_FORM_RECORDING) {
            if (wv_record_parse_line(line.ptr, line.len, &it->meta, &r->data, err, sizeof err) < 0)
                return error_at(r, lineno, "%s", err);
        } else {
            const char *t1 = memchr(line.ptr, '\t', line.len);
            const char *t2 = t1 ? memchr(t1 + 1, '\t', line.len - (size_t)(t1 + 1 - line.ptr)) : NULL;
            if (!t2)
                return error_at(r, lineno, "%s",
                                "expected 3 tab-separated fields (lsn, xid, data)");
            if (wv_lsn_parse(line.ptr, (size_t)(t1 - line.ptr), &it->meta.lsn) < 0)
                return error_at(r, lineno, "%s", "expected an LSN like 0/16B3748 in field 1");
            it->meta.has_lsn = true;
            /* Digits only: strtoull would skip blanks, the tab after an
             * empty field included, and read on past it. */
            bool digit = t1[1] >= '0' && t1[1] <= '9';
            char *xend = NULL;
            unsigned long long x = digit ? strtoull(t1 + 1, &xend, 10) : 0;
            if (!digit || xend != t2 || x > UINT32_MAX)
                return error_at(r, lineno, "%s", "expected a transaction id in field 2");
            it->meta.has_xid = x != 0;
            it->meta.xid = (uint32_t)x;
            const char *data = t2 + 1;
            if (wv_record_unescape(data, (size_t)(line.ptr + line.len - data), &r->data, err,
                                   sizeof err) < 0)
                return error_at(r, lineno, "%s", err);
        }
        if (wv_decode_message(r->dec, r->data.data ? r->data.data : "", r->data.len,
                              &it->change) != WV_DECODE_OK)
            return decode_error(r, lineno);
        it->text.ptr = r->data.data ? r->data.data : "";
        it->text.len = r->data.len;
        /* data with no escape is the file's own bytes: in a mapping, the
         * text can stay there */
        const char *field = line.ptr;
        for (int tabs = r->form == WV_FORM_RECORDING ? 4 : 2; tabs > 0 && field; tabs--) {
            field = memchr(field, '\t', (size_t)(line.ptr + line.len - field));
            field = field ? field + 1 : NULL;
        }
        size_t flen = field ? (size_t)(line.ptr + line.len - field) : 0;
        if (r->map && field && flen == r->data.len && !memchr(field, '\\', flen))
            it->text.ptr = field;
        it->line = lineno;
        settle_xid(r, it);
        drop_parsed(r);
        return 1;
    }
}

int wv_reader_next(wv_reader *r, wv_item *it)
{
    r->error[0] = '\0';
    if (r->stop_pending) {
        r->stop_pending = false;
        return error_at(r, r->line, "%s", "stopped");
    }
    if (!r->detected && detect(r) < 0)
        return -1;
    return r->form == WV_FORM_RAW ? next_raw(r, it) : next_tabular(r, it);
}
