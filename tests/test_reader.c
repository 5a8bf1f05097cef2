/* Unit tests for the file reader (src/core/reader.c): the three input forms,
 * error recovery, torn recordings, xids from the enclosing transaction, and
 * input larger than the reader's 256 KiB chunk, from regular files and
 * from a pipe fed in odd-sized pieces by a child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "walviz/reader.h"

/* ---- input ---- */

static void write_all(int fd, const char *p, size_t n, size_t piece)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n < piece ? n : piece);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* A temporary file holding data, already unlinked, positioned at 0. */
static int file_with(const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/walviz-test-reader.XXXXXX", dir && *dir ? dir : P_tmpdir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    write_all(fd, data, len, len ? len : 1);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* The read end of a pipe a child fills with data, piece bytes a write. */
static int pipe_with(const char *data, size_t len, size_t piece, pid_t *child)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        write_all(fds[1], data, len, piece);
        _exit(0);
    }
    close(fds[1]);
    *child = pid;
    return fds[0];
}

static void reap(pid_t child)
{
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
}

/* ---- what the reader returned, copied out of its buffer ---- */

typedef struct got {
    int rc;
    wv_op op;
    size_t line;
    wv_meta meta;
    char *text; /* the message as printed, or the error */
    size_t text_len;
    char *value; /* the last column of the new tuple, or a message's content */
    size_t value_len;
} got;

typedef struct got_list {
    got *v;
    size_t n;
} got_list;

static char *dup_bytes(const char *p, size_t n)
{
    char *d = wv_xmalloc(n + 1);
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* Reads to the end of input (at most 1,000,000 results). */
static got_list read_all(wv_reader *r)
{
    got_list l = { NULL, 0 };
    size_t cap = 0;
    for (;;) {
        wv_item it;
        int rc = wv_reader_next(r, &it);
        if (rc == 0)
            break;
        assert_true(l.n < 1000000);
        if (l.n == cap) {
            cap = cap ? cap * 2 : 64;
            l.v = wv_xrealloc(l.v, cap * sizeof *l.v);
        }
        got *g = &l.v[l.n++];
        memset(g, 0, sizeof *g);
        g->rc = rc;
        if (rc < 0) {
            g->text = wv_xstrdup(wv_reader_error(r));
            g->text_len = strlen(g->text);
            continue;
        }
        g->op = it.change.op;
        g->line = it.line;
        g->meta = it.meta;
        g->text = dup_bytes(it.text.ptr, it.text.len);
        g->text_len = it.text.len;
        const wv_tuple *t = &it.change.new_tuple;
        if (it.change.has_content) {
            g->value = dup_bytes(it.change.content.ptr, it.change.content.len);
            g->value_len = it.change.content.len;
        } else if (t->present && t->ncols > 0 && t->cols[t->ncols - 1].value.ptr) {
            wv_slice v = t->cols[t->ncols - 1].value;
            g->value = dup_bytes(v.ptr, v.len);
            g->value_len = v.len;
        }
    }
    /* The end stays the end. */
    wv_item it;
    assert_int_equal(wv_reader_next(r, &it), 0);
    return l;
}

static void got_free(got_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].text);
        free(l->v[i].value);
    }
    free(l->v);
}

static got_list read_fd(int fd, const char *name)
{
    wv_reader *r = wv_reader_new(fd, name);
    got_list l = read_all(r);
    wv_reader_free(r);
    return l;
}

static got_list read_string(const char *data, size_t len, const char *name, wv_form *form)
{
    int fd = file_with(data, len);
    wv_reader *r = wv_reader_new(fd, name);
    got_list l = read_all(r);
    if (form)
        *form = wv_reader_form(r);
    wv_reader_free(r);
    close(fd);
    return l;
}

static const char *form_name(wv_form f)
{
    switch (f) {
    case WV_FORM_RAW: return "raw";
    case WV_FORM_COPY: return "copy";
    case WV_FORM_RECORDING: return "recording";
    }
    return "?";
}

/* Result i is a message: op, input line, and text as printed. */
static void assert_msg_at(const got_list *l, size_t i, const char *op, size_t line,
                          const char *text, size_t text_len, const char *file, int at)
{
    if (i >= l->n) {
        print_error("the reader returned %zu results, expected one more\n", l->n);
        _fail(file, at);
    }
    const got *g = &l->v[i];
    if (g->rc != 1) {
        print_error("result %zu: rc %d (%s), expected a %s message\n", i, g->rc, g->text, op);
        _fail(file, at);
    }
    _assert_string_equal(wv_op_name(g->op), op, file, at);
    _assert_int_equal(g->line, line, file, at);
    if (text) {
        _assert_int_equal(g->text_len, text_len, file, at);
        _assert_memory_equal(g->text, text, text_len, file, at);
    }
}

#define assert_msg(l, i, op, line) assert_msg_at((l), (i), (op), (line), NULL, 0, __FILE__, __LINE__)
#define assert_msg_text(l, i, op, line, lit) \
    assert_msg_at((l), (i), (op), (line), "" lit, sizeof(lit) - 1, __FILE__, __LINE__)

/* Result i is an error with exactly this text. */
static void assert_err_at(const got_list *l, size_t i, const char *want, const char *file, int at)
{
    if (i >= l->n || l->v[i].rc != -1) {
        print_error("result %zu of %zu: %s, expected the error \"%s\"\n", i, l->n,
                    i < l->n ? wv_op_name(l->v[i].op) : "none", want);
        _fail(file, at);
    }
    _assert_string_equal(l->v[i].text, want, file, at);
}

#define assert_err(l, i, want) assert_err_at((l), (i), (want), __FILE__, __LINE__)

static void assert_xid_at(const got *g, bool has, uint32_t xid, const char *file, int at)
{
    if (g->meta.has_xid != has || (has && g->meta.xid != xid)) {
        print_error("%s at line %zu: xid %s%u, expected %s%u\n", wv_op_name(g->op), g->line,
                    g->meta.has_xid ? "" : "(none) ", g->meta.xid, has ? "" : "(none) ",
                    has ? xid : 0);
        _fail(file, at);
    }
}

#define assert_xid(g, has, xid) assert_xid_at((g), (has), (xid), __FILE__, __LINE__)

#define assert_value(g, lit)                                                 \
    do {                                                                     \
        assert_non_null((g)->value);                                         \
        assert_int_equal((g)->value_len, sizeof(lit) - 1);                   \
        assert_memory_equal((g)->value, "" lit, sizeof(lit) - 1);            \
    } while (0)

/* ---- the three forms ---- */

static void test_raw_form(void **state)
{
    (void)state;
    static const char in[] =
        "BEGIN 529\n"
        "table public.t: INSERT: id[integer]:1 v[text]:'multi\nline\n''value'''\n"
        "table public.t: UPDATE: id[integer]:1 v[text]:'x'\n"
        "message: transactional: 0 prefix: p, sz: 3 content:a\nb\n"
        "message: transactional: 1 prefix: p, sz: 0 content:\n"
        "table public.t, public.u: TRUNCATE: cascade\n"
        "COMMIT 529 (at 2024-01-01 10:00:00+00)\n";
    wv_form form;
    got_list l = read_string(in, sizeof in - 1, "in.txt", &form);
    assert_string_equal(form_name(form), "raw");
    assert_int_equal(l.n, 7);

    assert_msg_text(&l, 0, "BEGIN", 1, "BEGIN 529");
    assert_xid(&l.v[0], true, 529);
    assert_false(l.v[0].meta.has_lsn);

    assert_msg_text(&l, 1, "INSERT", 2,
                    "table public.t: INSERT: id[integer]:1 v[text]:'multi\nline\n''value'''");
    assert_value(&l.v[1], "multi\nline\n''value''");
    /* Raw output prints the xid on BEGIN only: rows take it from there. */
    assert_xid(&l.v[1], true, 529);

    assert_msg(&l, 2, "UPDATE", 5);
    assert_xid(&l.v[2], true, 529);

    /* A non-transactional message belongs to no transaction. */
    assert_msg(&l, 3, "MESSAGE", 6);
    assert_value(&l.v[3], "a\nb");
    assert_xid(&l.v[3], false, 0);

    assert_msg(&l, 4, "MESSAGE", 8);
    assert_xid(&l.v[4], true, 529);

    assert_msg(&l, 5, "TRUNCATE", 9);
    assert_xid(&l.v[5], true, 529);

    assert_msg_text(&l, 6, "COMMIT", 10, "COMMIT 529 (at 2024-01-01 10:00:00+00)");
    assert_xid(&l.v[6], true, 529);
    got_free(&l);
}

static void test_raw_xids(void **state)
{
    (void)state;
    /* Two transactions in a row, then one without include-xids. */
    static const char in[] = "BEGIN 5\n"
                             "table public.t: INSERT: a[integer]:1\n"
                             "COMMIT 5\n"
                             "BEGIN 6\n"
                             "table public.t: DELETE: a[integer]:1\n"
                             "COMMIT 6\n"
                             "BEGIN\n"
                             "table public.t: INSERT: a[integer]:2\n"
                             "COMMIT\n"
                             "PREPARE TRANSACTION 'g', txid 8\n"
                             "streaming change for TXN 9\n";
    got_list l = read_string(in, sizeof in - 1, "in.txt", NULL);
    assert_int_equal(l.n, 11);
    assert_msg(&l, 1, "INSERT", 2);
    assert_xid(&l.v[1], true, 5);
    assert_xid(&l.v[2], true, 5);
    assert_msg(&l, 4, "DELETE", 5);
    assert_xid(&l.v[4], true, 6);
    assert_msg(&l, 7, "INSERT", 8);
    assert_xid(&l.v[6], false, 0);
    assert_xid(&l.v[7], false, 0);
    assert_xid(&l.v[8], false, 0);
    assert_msg(&l, 9, "PREPARE", 10);
    assert_xid(&l.v[9], true, 8);
    assert_msg(&l, 10, "STREAM CHANGE", 11);
    assert_xid(&l.v[10], true, 9);
    got_free(&l);
}

static void test_raw_edges(void **state)
{
    (void)state;
    /* Blank lines are skipped and counted; the last message may lack its
     * newline. */
    static const char in[] = "\n\nBEGIN 5\n\ntable public.t: INSERT: v[text]:'a\n\nb'\nCOMMIT 5";
    got_list l = read_string(in, sizeof in - 1, "in.txt", NULL);
    assert_int_equal(l.n, 3);
    assert_msg(&l, 0, "BEGIN", 3);
    assert_msg(&l, 1, "INSERT", 5);
    assert_value(&l.v[1], "a\n\nb");
    assert_msg_text(&l, 2, "COMMIT", 8, "COMMIT 5");
    assert_xid(&l.v[2], true, 5);
    got_free(&l);

    /* Shorter than the first read, no newline at all. */
    l = read_string("BEGIN", 5, "in.txt", NULL);
    assert_int_equal(l.n, 1);
    assert_msg_text(&l, 0, "BEGIN", 1, "BEGIN");
    got_free(&l);

    wv_form form = WV_FORM_COPY;
    l = read_string("", 0, "in.txt", &form);
    assert_int_equal(l.n, 0);
    assert_string_equal(form_name(form), "raw");
    got_free(&l);
}

static void test_copy_form(void **state)
{
    (void)state;
    static const char in[] =
        "0/16B3748\t529\tBEGIN 529\n"
        "0/16B3750\t529\ttable public.t: INSERT: v[text]:'a\\nb\\tc\\\\d\\r'\n"
        "0/16B37B0\t0\tmessage: transactional: 0 prefix: p, sz: 3 content:x\\ny\n"
        "0/16B37A0\t529\tCOMMIT 529\n";
    wv_form form;
    got_list l = read_string(in, sizeof in - 1, "copy.txt", &form);
    assert_string_equal(form_name(form), "copy");
    assert_int_equal(l.n, 4);

    assert_msg_text(&l, 0, "BEGIN", 1, "BEGIN 529");
    assert_true(l.v[0].meta.has_lsn);
    assert_int_equal(l.v[0].meta.lsn, 0x16B3748);
    assert_xid(&l.v[0], true, 529);

    /* COPY escapes undone: the text is the message as printed. */
    assert_msg_text(&l, 1, "INSERT", 2, "table public.t: INSERT: v[text]:'a\nb\tc\\d\r'");
    assert_value(&l.v[1], "a\nb\tc\\d\r");
    assert_int_equal(l.v[1].meta.lsn, 0x16B3750);
    assert_xid(&l.v[1], true, 529);

    /* xid 0: a non-transactional message has none. */
    assert_msg(&l, 2, "MESSAGE", 3);
    assert_value(&l.v[2], "x\ny");
    assert_xid(&l.v[2], false, 0);
    assert_int_equal(l.v[2].meta.lsn, 0x16B37B0);

    assert_msg(&l, 3, "COMMIT", 4);
    assert_int_equal(l.v[3].meta.lsn, 0x16B37A0);
    got_free(&l);
}

static void test_recording_form(void **state)
{
    (void)state;
    static const char in[] =
        "# walviz recording v1\n"
        "# source: postgresql 15.18\n"
        "# slot: walviz_1\n"
        "0/16B3748\t529\t1700000000000000\t1700000000000100\tBEGIN 529\n"
        "-\t-\t0\t0\tmessage: transactional: 0 prefix: p, sz: 3 content:a\\nb\n"
        "\n"
        "0/16B37A0\t529\t1700000000000200\t1700000000000300\tCOMMIT 529\n";
    int fd = file_with(in, sizeof in - 1);
    wv_reader *r = wv_reader_new(fd, "rec.wvr");
    got_list l = read_all(r);
    assert_string_equal(form_name(wv_reader_form(r)), "recording");
    assert_string_equal(wv_reader_header(r, "source"), "postgresql 15.18");
    assert_string_equal(wv_reader_header(r, "slot"), "walviz_1");
    assert_null(wv_reader_header(r, "missing"));
    wv_reader_free(r);
    close(fd);

    assert_int_equal(l.n, 3);
    assert_msg_text(&l, 0, "BEGIN", 4, "BEGIN 529");
    assert_true(l.v[0].meta.has_lsn);
    assert_int_equal(l.v[0].meta.lsn, 0x16B3748);
    assert_xid(&l.v[0], true, 529);
    assert_true(l.v[0].meta.send_us == 1700000000000000);
    assert_true(l.v[0].meta.recv_us == 1700000000000100);

    assert_msg(&l, 1, "MESSAGE", 5);
    assert_false(l.v[1].meta.has_lsn);
    assert_xid(&l.v[1], false, 0);
    assert_value(&l.v[1], "a\nb");

    assert_msg(&l, 2, "COMMIT", 7);
    assert_true(l.v[2].meta.recv_us == 1700000000000300);
    got_free(&l);
}

/* ---- errors ---- */

static void test_raw_error_recovery(void **state)
{
    (void)state;
    static const char in[] = "BEGIN 1\n"
                             "bogus line\n"
                             "table public.t: INSERT: a[integer]:1\n"
                             "table public.t: INSERT: a[integer]\n"
                             "COMMIT 1\n";
    got_list l = read_string(in, sizeof in - 1, "in.txt", NULL);
    assert_int_equal(l.n, 5);
    assert_msg(&l, 0, "BEGIN", 1);
    assert_err(&l, 1, "in.txt:2: expected a test_decoding message, found 'bogus line'");
    assert_msg(&l, 2, "INSERT", 3);
    assert_xid(&l.v[2], true, 1);
    assert_err(&l, 3, "in.txt:4: expected a type name closed by \"]:\", found 'integer]'");
    assert_msg(&l, 4, "COMMIT", 5);
    got_free(&l);

    /* An unterminated quote swallows the rest until the end of input; the
     * reader then reports its line and goes on with the next one. */
    static const char open[] = "BEGIN 2\n"
                               "table public.t: INSERT: a[text]:'open\n"
                               "table public.t: INSERT: a[integer]:3\n"
                               "COMMIT 2\n";
    l = read_string(open, sizeof open - 1, "in.txt", NULL);
    assert_int_equal(l.n, 4);
    assert_msg(&l, 0, "BEGIN", 1);
    assert_err(&l, 1, "in.txt:2: expected a closing quote of a value, found "
                      "''open?table public.t: INSER...'");
    assert_msg(&l, 2, "INSERT", 3);
    assert_value(&l.v[2], "3");
    assert_msg(&l, 3, "COMMIT", 4);
    got_free(&l);
}

static void test_copy_error_recovery(void **state)
{
    (void)state;
    static const char in[] = "0/1\t5\tBEGIN 5\n"
                             "0/2\tx\tBEGIN 5\n"
                             "0/3\t5\tnot a message\n"
                             "zz\t5\tBEGIN 5\n"
                             "0/4 5 BEGIN\n"
                             "0/5\t5\tbad escape\\\n"
                             "0/6\t\tBEGIN 5\n"
                             "0/7\t 5\tBEGIN 5\n"
                             "0/8\t5\tCOMMIT 5\n";
    got_list l = read_string(in, sizeof in - 1, "c.tsv", NULL);
    assert_int_equal(l.n, 9);
    assert_msg(&l, 0, "BEGIN", 1);
    assert_err(&l, 1, "c.tsv:2: expected a transaction id in field 2");
    assert_err(&l, 2, "c.tsv:3: expected a test_decoding message, found 'not a message'");
    assert_err(&l, 3, "c.tsv:4: expected an LSN like 0/16B3748 in field 1");
    assert_err(&l, 4, "c.tsv:5: expected 3 tab-separated fields (lsn, xid, data)");
    assert_err(&l, 5, "c.tsv:6: a backslash ends the line (a torn escape)");
    /* An empty or padded xid field is no transaction id. */
    assert_err(&l, 6, "c.tsv:7: expected a transaction id in field 2");
    assert_err(&l, 7, "c.tsv:8: expected a transaction id in field 2");
    assert_msg(&l, 8, "COMMIT", 9);
    assert_int_equal(l.v[8].meta.lsn, 8);
    got_free(&l);
}

static void test_recording_error_recovery(void **state)
{
    (void)state;
    static const char in[] = "# walviz recording v1\n"
                             "0/1\t5\t0\t0\tBEGIN 5\n"
                             "0/2\t5\t0\tBEGIN 5\n"
                             "0/3\t5\t0\t0\tINSERT\n"
                             "0/4\t5\t0\t0\tCOMMIT 5\n";
    got_list l = read_string(in, sizeof in - 1, "r.wvr", NULL);
    assert_int_equal(l.n, 4);
    assert_msg(&l, 0, "BEGIN", 2);
    assert_err(&l, 1, "r.wvr:3: expected 5 tab-separated fields (lsn, xid, sent, received, "
                      "data), found 4");
    assert_err(&l, 2, "r.wvr:4: expected a test_decoding message, found 'INSERT'");
    assert_msg(&l, 3, "COMMIT", 5);
    got_free(&l);
}

static void test_torn_recording(void **state)
{
    (void)state;
    static const char in[] = "# walviz recording v1\n"
                             "0/1\t5\t10\t11\tBEGIN 5\n"
                             "0/2\t5\t12\t13\ttable public.t: INSERT: v[text]:'a\\nb'\n"
                             "0/3\t5\t14\t15\tCOMMIT 5\n"
                             "0/4\t6\t16\t17\tBEGI";
    got_list l = read_string(in, sizeof in - 1, "r.wvr", NULL);
    assert_int_equal(l.n, 4);
    assert_msg(&l, 0, "BEGIN", 2);
    assert_msg(&l, 1, "INSERT", 3);
    assert_value(&l.v[1], "a\nb");
    assert_msg(&l, 2, "COMMIT", 4);
    assert_err(&l, 3, "r.wvr:5: the last line is torn (no newline: the recording was cut off "
                      "mid-write); skipped it");
    got_free(&l);
}

/* A read error ends the input: reported once, then the end. */
static void test_read_error(void **state)
{
    (void)state;
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    wv_reader *r = wv_reader_new(fd, "dir");
    wv_item it;
    assert_int_equal(wv_reader_next(r, &it), -1);
    const char *err = wv_reader_error(r);
    if (strncmp(err, "dir:1: read failed: ", 20) != 0) {
        print_error("error \"%s\", expected \"dir:1: read failed: ...\"\n", err);
        fail();
    }
    assert_int_equal(wv_reader_next(r, &it), 0);
    assert_int_equal(wv_reader_next(r, &it), 0);
    wv_reader_free(r);
    close(fd);
}

/* ---- limits, read boundaries, stopping ---- */

static got_list read_limited(const char *data, size_t len, size_t chunk, size_t max)
{
    int fd = file_with(data, len);
    wv_reader *r = wv_reader_new(fd, "in");
    wv_reader_set_limits(r, chunk, max);
    got_list l = read_all(r);
    wv_reader_free(r);
    close(fd);
    return l;
}

/* A message past the limit is one error, skipped to the end of its line
 * (it used to come back as the same error forever, at full CPU). */
static void test_long_message_skipped(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    wv_buf_puts(&in, "BEGIN 1\ntable public.t: INSERT: v[text]:'");
    for (int i = 0; i < 5000; i++)
        wv_buf_puts(&in, "x");
    wv_buf_puts(&in, "'\nCOMMIT 1\n");
    got_list l = read_limited(in.data, in.len, 64, 1000);
    assert_int_equal(l.n, 3);
    assert_msg(&l, 0, "BEGIN", 1);
    assert_err(&l, 1, "in:2: expected a message of at most 1000 bytes, found a longer one; "
                      "skipped to the end of its line");
    assert_msg(&l, 2, "COMMIT", 3);
    got_free(&l);

    /* The same in a recording, and a long line that is the last one. */
    in.len = 0;
    wv_buf_puts(&in, "# walviz recording v1\n0/1\t1\t0\t0\tBEGIN 1\n0/2\t1\t0\t0\t");
    for (int i = 0; i < 5000; i++)
        wv_buf_puts(&in, "y");
    wv_buf_puts(&in, "\n0/3\t1\t0\t0\tCOMMIT 1\n0/4\t1\t0\t0\t");
    for (int i = 0; i < 3000; i++)
        wv_buf_puts(&in, "z");
    l = read_limited(in.data, in.len, 64, 1000);
    assert_int_equal(l.n, 4);
    assert_msg(&l, 0, "BEGIN", 2);
    assert_err(&l, 1, "in:3: expected a message of at most 1000 bytes, found a longer one; "
                      "skipped to the end of its line");
    assert_msg(&l, 2, "COMMIT", 4);
    assert_err(&l, 3, "in:5: expected a message of at most 1000 bytes, found a longer one; "
                      "skipped to the end of its line");
    got_free(&l);
    wv_buf_destroy(&in);
}

/* A bad raw line longer than a read is skipped whole: its tail is neither
 * a second error nor a message (here a DELETE that is not in the input),
 * and later line numbers stay right. */
static void test_raw_recovery_across_reads(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    wv_buf_puts(&in, "BEGIN 1\nbogus ");
    while (in.len % 64 != 0)
        wv_buf_puts(&in, "x");
    wv_buf_puts(&in, "table public.t: DELETE: id[integer]:1\nCOMMIT 1\n");
    got_list l = read_limited(in.data, in.len, 64, 4096);
    assert_int_equal(l.n, 3);
    assert_msg(&l, 0, "BEGIN", 1);
    assert_int_equal(l.v[1].rc, -1);
    assert_memory_equal(l.v[1].text, "in:2: ", 6);
    assert_msg(&l, 2, "COMMIT", 3);
    got_free(&l);
    wv_buf_destroy(&in);
}

/* Whatever the size of the reads, the results are those of the default
 * reader: the same messages and errors at the same lines. */
static void test_read_size_does_not_matter(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "BEGIN 1\nbogus line that is longer than sixty-four bytes, as wide as a read here, "
        "table public.t: DELETE: id[integer]:1\ntable public.t: INSERT: v[text]:'a\nb'\n"
        "\n\nmessage: transactional: 0 prefix: p, sz: 3 content:a\nb\nCOMMIT 1\nBEG",
        "0/1\t5\tBEGIN 5\n0/2\tx\tBEGIN 5 but with a long tail to cross a read boundary "
        "somewhere in the middle\n0/3\t5\ttable public.t: INSERT: v[text]:'a\\nb'\n0/8\t5\tCOMMIT 5\n",
        "# walviz recording v1\n# slot: s\n0/1\t5\t0\t0\tBEGIN 5\n0/2\t5\t0\tBEGIN 5 cut short, "
        "and long enough to cross a read\n0/4\t5\t1\t2\tCOMMIT 5\n0/5\t5\t1",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        size_t len = strlen(inputs[i]);
        got_list want = read_string(inputs[i], len, "in", NULL);
        for (size_t chunk = 64; chunk < 64 + 80; chunk++) {
            got_list l = read_limited(inputs[i], len, chunk, 4096);
            if (l.n != want.n) {
                print_error("input %zu, reads of %zu: %zu results, expected %zu\n", i, chunk, l.n,
                            want.n);
                fail();
            }
            for (size_t k = 0; k < l.n; k++) {
                assert_int_equal(l.v[k].rc, want.v[k].rc);
                assert_int_equal(l.v[k].line, want.v[k].line);
                assert_int_equal(l.v[k].text_len, want.v[k].text_len);
                assert_memory_equal(l.v[k].text, want.v[k].text, want.v[k].text_len);
            }
            got_free(&l);
        }
        got_free(&want);
    }
}

static int stop_at_second_read(void *ctx, uint64_t bytes)
{
    uint64_t *calls = ctx;
    assert_true(bytes > 0);
    return ++*calls >= 2;
}

/* The progress callback sees every read and can stop the reader in the
 * middle of a message that is still coming. */
static void test_progress_stops(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    wv_buf_puts(&in, "BEGIN 1\ntable public.t: INSERT: v[text]:'");
    for (int i = 0; i < 1000; i++)
        wv_buf_puts(&in, "x");
    wv_buf_puts(&in, "'\nCOMMIT 1\n");
    pid_t child;
    int fd = pipe_with(in.data, in.len, 64, &child); /* read, not mapped */
    wv_reader *r = wv_reader_new(fd, "in");
    wv_reader_set_limits(r, 64, 4096);
    uint64_t calls = 0;
    wv_reader_set_progress(r, stop_at_second_read, &calls);
    wv_item it;
    assert_int_equal(wv_reader_next(r, &it), 1);
    assert_int_equal(wv_reader_next(r, &it), -1);
    assert_string_equal(wv_reader_error(r), "in:2: stopped");
    assert_int_equal(wv_reader_next(r, &it), 0);
    assert_int_equal(calls, 2);
    wv_reader_free(r);
    close(fd);
    reap(child);
    wv_buf_destroy(&in);
}

static int stop_at_once(void *ctx, uint64_t bytes)
{
    uint64_t *at = ctx;
    *at = bytes;
    return 1;
}

/* A regular file is mapped, not read: the progress callback is asked
 * every 8 MB parsed, and a stop ends the input with the same error. */
static void test_progress_stops_mapped(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    for (int i = 0; in.len < ((size_t)9 << 20); i++)
        wv_buf_printf(&in, "BEGIN %d\ntable public.t: INSERT: id[integer]:%d\nCOMMIT %d\n", i, i, i);
    int fd = file_with(in.data, in.len);
    wv_reader *r = wv_reader_new(fd, "big");
    uint64_t at = 0;
    wv_reader_set_progress(r, stop_at_once, &at);
    wv_item it;
    int rc, items = 0;
    while ((rc = wv_reader_next(r, &it)) == 1)
        items++;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(wv_reader_error(r), ": stopped"));
    assert_true(at >= ((size_t)8 << 20) && at < in.len);
    assert_true(items > 0);
    assert_int_equal(wv_reader_next(r, &it), 0);
    wv_reader_free(r);
    close(fd);
    wv_buf_destroy(&in);
}

static int stop_past_1100(void *ctx, uint64_t bytes)
{
    uint64_t *seen = ctx;
    *seen = bytes;
    return bytes >= 1100;
}

/* The callback sees every read, also while a long message fills a big
 * buffer read after read: a stop is heard within one read (it was heard
 * only once the buffer was full, seconds for a 2 GiB line). */
static void test_progress_every_read(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    wv_buf_puts(&in, "table public.t: INSERT: v[text]:'");
    for (int i = 0; i < 20000; i++)
        wv_buf_puts(&in, "x");
    wv_buf_puts(&in, "'\n");
    pid_t child;
    int fd = pipe_with(in.data, in.len, 64, &child); /* read, not mapped */
    wv_reader *r = wv_reader_new(fd, "in");
    wv_reader_set_limits(r, 64, 1 << 20);
    uint64_t seen = 0;
    wv_reader_set_progress(r, stop_past_1100, &seen);
    wv_item it;
    assert_int_equal(wv_reader_next(r, &it), -1);
    assert_string_equal(wv_reader_error(r), "in:1: stopped");
    if (seen >= 1100 + 64) {
        print_error("stopped after %llu bytes, expected fewer than 1164\n", (unsigned long long)seen);
        fail();
    }
    wv_reader_free(r);
    close(fd); /* the writer gets EPIPE and ends */
    reap(child);
    wv_buf_destroy(&in);
}

/* ---- past the 256 KiB chunk ---- */

static void buf_lit(wv_buf *b, const char *s)
{
    wv_buf_puts(b, s);
}

/* Raw output of 3000 transactions, a 700 KB value with newlines and
 * doubled quotes, and a 300 KB message content, about 1.5 MB in all. */
static void make_big_raw(wv_buf *b, size_t *big_value_len)
{
    for (int i = 1; i <= 3000; i++) {
        wv_buf_printf(b, "BEGIN %d\n", i);
        wv_buf_printf(b, "table public.t: INSERT: id[integer]:%d v[text]:'%0100d'\n", i, i);
        wv_buf_printf(b, "COMMIT %d\n", i);
        if (i == 1000) {
            buf_lit(b, "BEGIN 100000\ntable public.big: INSERT: v[text]:'");
            size_t n = 0;
            for (int k = 0; n < 700000; k++) {
                buf_lit(b, k % 7 == 0 ? "line\n" : k % 5 == 0 ? "it''s " : "0123456789 ");
                n += k % 7 == 0 ? 5 : k % 5 == 0 ? 6 : 11;
            }
            *big_value_len = n;
            buf_lit(b, "'\nCOMMIT 100000\n");
        }
        if (i == 2000) {
            buf_lit(b, "message: transactional: 0 prefix: big, sz: 300000 content:");
            for (int k = 0; k < 30000; k++)
                buf_lit(b, k % 3 ? "abcdefghi\n" : "BEGIN 77\n\n");
            buf_lit(b, "\n");
        }
    }
}

static void check_big_raw(const got_list *l, size_t big_value_len)
{
    /* 3 per transaction, plus the big one's 3, plus the message. */
    assert_int_equal(l->n, 3 * 3000 + 3 + 1);
    size_t line = 1, k = 0;
    for (int i = 1; i <= 3000; i++) {
        assert_msg(l, k, "BEGIN", line);
        assert_msg(l, k + 1, "INSERT", line + 1);
        assert_xid(&l->v[k + 1], true, (uint32_t)i);
        assert_int_equal(l->v[k + 1].value_len, 100);
        assert_msg(l, k + 2, "COMMIT", line + 2);
        k += 3;
        line += 3;
        if (i == 1000) {
            assert_msg(l, k, "BEGIN", line);
            assert_msg(l, k + 1, "INSERT", line + 1);
            assert_xid(&l->v[k + 1], true, 100000);
            assert_int_equal(l->v[k + 1].value_len, big_value_len);
            const char *v = l->v[k + 1].value;
            assert_memory_equal(v, "line\n", 5);
            size_t newlines = 0;
            for (size_t j = 0; j < big_value_len; j++)
                newlines += v[j] == '\n';
            assert_msg(l, k + 2, "COMMIT", line + 2 + newlines);
            k += 3;
            line += 3 + newlines;
        }
        if (i == 2000) {
            assert_msg(l, k, "MESSAGE", line);
            assert_int_equal(l->v[k].value_len, 300000);
            const char *v = l->v[k].value;
            assert_memory_equal(v, "BEGIN 77\n\n", 10);
            size_t newlines = 0;
            for (size_t j = 0; j < 300000; j++)
                newlines += v[j] == '\n';
            assert_int_equal(newlines, 40000);
            k += 1;
            line += 1 + newlines;
        }
    }
}

static void test_big_raw_file(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    size_t big = 0;
    make_big_raw(&in, &big);
    assert_true(in.len > 4 * 256 * 1024);
    got_list l = read_string(in.data, in.len, "big.txt", NULL);
    check_big_raw(&l, big);
    got_free(&l);
    wv_buf_destroy(&in);
}

static void test_big_raw_pipe(void **state)
{
    (void)state;
    wv_buf in;
    wv_buf_init(&in);
    size_t big = 0;
    make_big_raw(&in, &big);
    /* Odd-sized writes put read boundaries anywhere in a message. */
    static const size_t pieces[] = { 1, 4093, 65536 + 7 };
    /* Byte by byte, only up to the middle of transaction 300's row. */
    const char *cut = strstr(in.data, "table public.t: INSERT: id[integer]:300 ");
    assert_non_null(cut);
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        size_t len = pieces[p] == 1 ? (size_t)(cut - in.data) + 30 : in.len;
        pid_t child;
        int fd = pipe_with(in.data, len, pieces[p], &child);
        got_list l = read_fd(fd, "pipe");
        close(fd);
        reap(child);
        if (len == in.len) {
            check_big_raw(&l, big);
        } else {
            /* 299 transactions and a BEGIN, then the cut row as an error. */
            assert_int_equal(l.n, 3 * 299 + 2);
            for (size_t i = 0; i + 1 < l.n; i++)
                assert_int_equal(l.v[i].rc, 1);
            assert_msg(&l, l.n - 2, "BEGIN", 3 * 299 + 1);
            assert_xid(&l.v[l.n - 2], true, 300);
            assert_err(&l, l.n - 1, "pipe:899: expected a type name closed by \"]:\", found 'int'");
        }
        got_free(&l);
    }
    wv_buf_destroy(&in);
}

static void test_big_recording(void **state)
{
    (void)state;
    wv_buf in, msg;
    wv_buf_init(&in);
    wv_buf_init(&msg);
    buf_lit(&in, "# walviz recording v1\n# source: test\n");
    wv_meta m = { .has_lsn = true, .has_xid = true };
    for (int i = 1; i <= 2000; i++) {
        m.lsn = (uint64_t)i * 100;
        m.xid = (uint32_t)i;
        m.send_us = i;
        m.recv_us = i + 1;
        msg.len = 0;
        if (i == 700) {
            buf_lit(&msg, "table public.t: INSERT: v[text]:'");
            for (int k = 0; k < 60000; k++)
                buf_lit(&msg, "a\tb\\c\nd\x01");
            buf_lit(&msg, "'");
        } else {
            wv_buf_printf(&msg, "table public.t: INSERT: id[integer]:%d v[text]:'x\ty'", i);
        }
        wv_record_format_line(&in, &m, msg.data, msg.len);
    }
    assert_true(in.len > 2 * 256 * 1024);
    wv_form form;
    got_list l = read_string(in.data, in.len, "big.wvr", &form);
    assert_string_equal(form_name(form), "recording");
    assert_int_equal(l.n, 2000);
    for (size_t i = 0; i < l.n; i++) {
        assert_msg(&l, i, "INSERT", i + 3);
        assert_int_equal(l.v[i].meta.lsn, (i + 1) * 100);
        assert_xid(&l.v[i], true, (uint32_t)(i + 1));
        if (i + 1 == 700) {
            assert_int_equal(l.v[i].value_len, 60000 * 8);
            assert_memory_equal(l.v[i].value + 8 * 59999, "a\tb\\c\nd\x01", 8);
        } else {
            assert_value(&l.v[i], "x\ty");
        }
    }
    got_free(&l);
    wv_buf_destroy(&msg);
    wv_buf_destroy(&in);
}

int main(void)
{
    /* A failed test may leave a writer child facing a closed pipe. */
    signal(SIGPIPE, SIG_IGN);
    alarm(120); /* a reader that loops fails rather than hangs */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_form),
        cmocka_unit_test(test_raw_xids),
        cmocka_unit_test(test_raw_edges),
        cmocka_unit_test(test_copy_form),
        cmocka_unit_test(test_recording_form),
        cmocka_unit_test(test_raw_error_recovery),
        cmocka_unit_test(test_copy_error_recovery),
        cmocka_unit_test(test_recording_error_recovery),
        cmocka_unit_test(test_torn_recording),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_long_message_skipped),
        cmocka_unit_test(test_raw_recovery_across_reads),
        cmocka_unit_test(test_read_size_does_not_matter),
        cmocka_unit_test(test_progress_stops),
        cmocka_unit_test(test_progress_stops_mapped),
        cmocka_unit_test(test_progress_every_read),
        cmocka_unit_test(test_big_raw_file),
        cmocka_unit_test(test_big_raw_pipe),
        cmocka_unit_test(test_big_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
