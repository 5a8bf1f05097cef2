/* libFuzzer target for the file reader (src/core/reader.c), with a twin as its
 * oracle.
 *
 * The input's first two bytes choose the twin's read size (64 to 255
 * bytes) and the message limit both readers share (64 bytes to 8 KiB); the
 * rest is the file. One reader takes the file in a single read, the twin
 * in small ones, so read boundaries fall everywhere: both must return the
 * same results, in the same order: messages with the same text, op, input
 * line and meta (LSN, xid, times), errors at the same lines (their
 * excerpts of the input may be cut at a read, so their text is not
 * compared). Beyond the sanitizers, abort() when:
 *   - the two differ, or the forms they detect differ;
 *   - a message's text is longer than the limit, or lines go backwards;
 *   - an error does not read "NAME:LINE: ...";
 *   - the reader does not stay at its end (0) once there;
 *   - a reader returns more results than the input has bytes (a loop). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walviz/reader.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


typedef struct result {
    int rc;
    wv_op op;
    size_t line;
    wv_meta meta;
    char *text;
    size_t len;
} result;

typedef struct results {
    result *v;
    size_t n;
    wv_form form;
} results;

static void results_free(results *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static results read_file(int fd, size_t chunk, size_t max, size_t size)
{
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    wv_reader *r = wv_reader_new(fd, "in");
    wv_reader_set_limits(r, chunk, max);
    results l = { NULL, 0, WV_FORM_RAW };
    size_t last_line = 0;
    for (;;) {
        wv_item it;
        int rc = wv_reader_next(r, &it);
        if (rc == 0)
            break;
        CHECK(l.n <= size + 1);
        l.v = realloc(l.v, (l.n + 1) * sizeof *l.v);
        CHECK(l.v != NULL);
        result *g = &l.v[l.n++];
        memset(g, 0, sizeof *g);
        g->rc = rc;
        if (rc < 0) {
            const char *e = wv_reader_error(r);
            CHECK(strncmp(e, "in:", 3) == 0);
            char *end;
            g->line = strtoul(e + 3, &end, 10);
            CHECK(end > e + 3 && end[0] == ':' && end[1] == ' ');
        } else {
            CHECK(it.text.len <= max);
            g->op = it.change.op;
            g->line = it.line;
            g->meta = it.meta;
            g->len = it.text.len;
            g->text = malloc(g->len ? g->len : 1);
            CHECK(g->text != NULL);
            if (g->len)
                memcpy(g->text, it.text.ptr, g->len);
        }
        CHECK(g->line >= last_line && g->line >= 1);
        last_line = g->line;
    }
    wv_item it;
    CHECK(wv_reader_next(r, &it) == 0);
    l.form = wv_reader_form(r);
    wv_reader_free(r);
    return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t chunk = 64 + data[0] % 192;
    size_t max = 64 + (size_t)data[1] * 32;
    int fd = fuzz_file(data + 2, size - 2);
    results whole = read_file(fd, 1 << 20, max, size);
    results small = read_file(fd, chunk, max, size);
    CHECK(whole.form == small.form);
    CHECK(whole.n == small.n);
    for (size_t i = 0; i < whole.n; i++) {
        const result *a = &whole.v[i], *b = &small.v[i];
        CHECK(a->rc == b->rc && a->line == b->line);
        if (a->rc < 0)
            continue;
        CHECK(a->op == b->op && a->len == b->len && memcmp(a->text, b->text, a->len) == 0);
        CHECK(a->meta.has_lsn == b->meta.has_lsn && a->meta.lsn == b->meta.lsn);
        CHECK(a->meta.has_xid == b->meta.has_xid && a->meta.xid == b->meta.xid);
        CHECK(a->meta.send_us == b->meta.send_us && a->meta.recv_us == b->meta.recv_us);
    }
    results_free(&whole);
    results_free(&small);
    return 0;
}
