/* cli_decode: `walviz decode`, change streams to JSON Lines. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/json.h"
#include "walviz/reader.h"

#define FLUSH_AT (256 * 1024)

static const char usage[] =
    "Usage: walviz decode [--parse-only] [FILE...]\n"
    "\n"
    "Reads test_decoding change streams and prints one JSON object per plugin\n"
    "message, in order. With no FILE, or when FILE is -, reads standard input.\n"
    "Each file may be raw pg_recvlogical output, COPY output of\n"
    "pg_logical_slot_peek_changes (lsn, xid, data), or a walviz recording;\n"
    "the form is detected from the first line.\n"
    "\n"
    "Options:\n"
    "  --parse-only   decode but print only a summary (messages, bytes)\n"
    "  -h, --help     show this help\n"
    "\n"
    "A message that does not parse is reported on stderr as FILE:LINE: what\n"
    "was expected, what was found; decoding goes on, and the exit status is 1.\n"
    "An input without any message (an empty file) is an error too; a walviz\n"
    "recording of a session without changes is not.\n";

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef struct decode_totals {
    size_t messages, errors, bytes;
} decode_totals;

/* Decodes one input; returns -1 when output could not be written. */
static int decode_fd(int fd, const char *name, bool parse_only, wv_buf *out, decode_totals *t)
{
    wv_reader *r = wv_reader_new(fd, name);
    wv_item it;
    int got, rc = 0;
    size_t before = t->messages + t->errors;
    while (!wv_cli_interrupted && (got = wv_reader_next(r, &it)) != 0) {
        if (got < 0) {
            fprintf(stderr, "%s\n", wv_reader_error(r));
            t->errors++;
            continue;
        }
        t->messages++;
        t->bytes += it.text.len;
        if (parse_only)
            continue;
        wv_json_change(out, &it.change, &it.meta);
        if (out->len >= FLUSH_AT) {
            if (write_all(STDOUT_FILENO, out->data, out->len) < 0) {
                rc = -1;
                break;
            }
            out->len = 0;
        }
    }
    /* Nothing at all is not a change stream (an empty recording is one). */
    if (rc == 0 && !wv_cli_interrupted && t->messages + t->errors == before &&
        wv_reader_form(r) != WV_FORM_RECORDING) {
        fprintf(stderr, "%s: no messages (expected pg_recvlogical output, COPY rows or a walviz "
                        "recording)\n", name);
        t->errors++;
    }
    wv_reader_free(r);
    return rc;
}

int wv_cli_decode(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "parse-only", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool parse_only = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'P':
            parse_only = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs("Try 'walviz decode --help'.\n", stderr);
            return 2;
        }
    }

    wv_buf out;
    wv_buf_init(&out);
    decode_totals t = { 0, 0, 0 };
    int status = 0;
    const char *stdin_only[] = { "-" };
    const char *const *files = optind < argc ? (const char *const *)argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    for (int i = 0; i < nfiles && !wv_cli_interrupted; i++) {
        bool is_stdin = strcmp(files[i], "-") == 0;
        int fd = is_stdin ? STDIN_FILENO : open(files[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "walviz decode: cannot open %s: %s\n", files[i], strerror(errno));
            status = 1;
            continue;
        }
        if (decode_fd(fd, is_stdin ? "stdin" : files[i], parse_only, &out, &t) < 0) {
            fprintf(stderr, "walviz decode: cannot write output: %s\n", strerror(errno));
            status = 1;
            if (!is_stdin)
                close(fd);
            break;
        }
        if (!is_stdin)
            close(fd);
    }
    if (out.len && write_all(STDOUT_FILENO, out.data, out.len) < 0) {
        fprintf(stderr, "walviz decode: cannot write output: %s\n", strerror(errno));
        status = 1;
    }
    wv_buf_destroy(&out);
    if (parse_only)
        printf("%zu messages, %zu bytes of message text, %zu errors\n", t.messages, t.bytes,
               t.errors);
    if (t.errors)
        status = 1;
    return wv_cli_interrupted ? 130 : status;
}
