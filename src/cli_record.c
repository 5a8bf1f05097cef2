/* cli_record: `walviz record`, a slot's change stream to a recording.
 *
 * Messages are appended to a buffer and written out in large writes; once
 * a second (and at the end) the file is fsynced and only then is the
 * source told it may confirm what was received: the slot never moves past
 * what is safely on disk. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/record.h"
#include "walviz/source.h"

#define WRITE_AT (256 * 1024)
#define FSYNC_EVERY_US 1000000
#define PROGRESS_EVERY_US 250000
/* Below this many bytes read since the last wait, the stream is flowing in
 * small pieces: sleep COALESCE_US instead of waiting in poll (see the loop). */
#define COALESCE_BELOW (64 * 1024)
#define COALESCE_US 200

static const char usage[] =
    "Usage: walviz record [OPTIONS] -f FILE\n"
    "\n"
    "Streams a logical replication slot (test_decoding) from a PostgreSQL\n"
    "server into a walviz recording that replay, simulate and decode read.\n"
    "\n"
    "Connection (as pg_recvlogical; PG* variables and service files work):\n"
    "  -d, --dbname=CONNINFO   database name, conninfo string or URI\n"
    "  -h, --host=HOST         server host or socket directory\n"
    "  -p, --port=PORT         server port\n"
    "  -U, --username=NAME     role to connect as (needs REPLICATION)\n"
    "\n"
    "Slot:\n"
    "  -S, --slot=NAME         read this slot (default: a temporary slot of\n"
    "                          our own, dropped by the server when we leave)\n"
    "      --create-slot       create --slot first, as a permanent slot\n"
    "      --if-not-exists     with --create-slot: reuse the slot if it exists\n"
    "      --drop-slot         drop --slot and exit\n"
    "      --no-two-phase      create the slot without two-phase decoding\n"
    "\n"
    "Stream:\n"
    "  -f, --file=FILE         write the recording here (- for stdout)\n"
    "  -I, --startpos=LSN      start at this LSN (permanent slots)\n"
    "  -E, --endpos=LSN        stop once the stream passes LSN; a message at\n"
    "                          LSN is kept, none after it, nor a transaction\n"
    "                          that begins at LSN (it commits after it)\n"
    "  -o, --option=NAME[=VALUE]  test_decoding option (repeatable); walviz\n"
    "                          sets include-xids and include-timestamp itself\n"
    "  -s, --status-interval=SECS  status updates to the server (default 10)\n"
    "      --no-loop           do not reconnect when the connection drops\n"
    "  -q, --quiet             no progress line on a terminal\n"
    "      --help              show this help\n"
    "\n"
    "Ctrl-C or SIGTERM: the recording is flushed and fsynced, a final status\n"
    "update is sent, and walviz exits 0.\n";

typedef struct recorder {
    int fd;
    const char *path;
    bool is_stdout;
    wv_buf buf;
    bool header_written;
    int64_t last_sync_us;
    size_t changes, transactions, messages;
    uint64_t bytes, last_lsn;
} recorder;

static int write_out(recorder *r)
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

/* Writes, fsyncs, and lets the source confirm what is now durable. */
static int sync_out(recorder *r, wv_source *src, int64_t now_us)
{
    if (write_out(r) < 0)
        return -1;
    if (!r->is_stdout && fsync(r->fd) < 0 && errno != EINVAL)
        return -1;
    r->last_sync_us = now_us;
    wv_source_confirm(src);
    return 0;
}

static void write_header(recorder *r, wv_source *src)
{
    static const char *const keys[] = { "server-version", "database", "system-identifier",
                                        "slot", "slot-kind", "plugin", "plugin-options",
                                        "two-phase", "session-settings" };
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

static void show_progress(const recorder *r, const wv_source *src, bool final)
{
    const wv_slot_status *st = wv_source_slot(src);
    char lsn[WV_LSN_BUFSZ];
    wv_lsn_format(r->last_lsn, lsn);
    char lag[48] = "";
    if (st->valid && st->current_wal_lsn >= r->last_lsn && r->last_lsn)
        snprintf(lag, sizeof lag, ", %.1f MB behind the server",
                 (double)(st->current_wal_lsn - r->last_lsn) / 1048576.0);
    fprintf(stderr, "\r\033[K%zu changes, %zu transactions, %.1f MB, at %s%s%s", r->changes,
            r->transactions, (double)r->bytes / 1048576.0, lsn, lag, final ? "\n" : "");
}

static bool parse_lsn_arg(const char *opt, const char *arg, uint64_t *lsn)
{
    if (wv_lsn_parse(arg, strlen(arg), lsn) == 0)
        return true;
    fprintf(stderr, "walviz record: %s expects an LSN like 0/16B3748, not '%s'\n", opt, arg);
    return false;
}

int wv_cli_record(int argc, char **argv)
{
    enum { OPT_CREATE = 256, OPT_IF_NOT_EXISTS, OPT_DROP, OPT_NO_2PC, OPT_NO_LOOP, OPT_HELP };
    static const struct option longopts[] = {
        { "dbname", required_argument, NULL, 'd' },
        { "host", required_argument, NULL, 'h' },
        { "port", required_argument, NULL, 'p' },
        { "username", required_argument, NULL, 'U' },
        { "slot", required_argument, NULL, 'S' },
        { "file", required_argument, NULL, 'f' },
        { "startpos", required_argument, NULL, 'I' },
        { "endpos", required_argument, NULL, 'E' },
        { "option", required_argument, NULL, 'o' },
        { "status-interval", required_argument, NULL, 's' },
        { "quiet", no_argument, NULL, 'q' },
        { "create-slot", no_argument, NULL, OPT_CREATE },
        { "if-not-exists", no_argument, NULL, OPT_IF_NOT_EXISTS },
        { "drop-slot", no_argument, NULL, OPT_DROP },
        { "no-two-phase", no_argument, NULL, OPT_NO_2PC },
        { "no-loop", no_argument, NULL, OPT_NO_LOOP },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    wv_source_opts o = { .two_phase = true, .reconnect = true, .status_interval_ms = 10000 };
    const char *path = NULL;
    const char **plugin_opts = wv_xcalloc((size_t)argc, sizeof(char *));
    bool drop = false, quiet = false;
    int status = 2, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h:p:U:S:f:I:E:o:s:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case 'h': o.host = optarg; break;
        case 'p': o.port = optarg; break;
        case 'U': o.user = optarg; break;
        case 'S': o.slot = optarg; break;
        case 'f': path = optarg; break;
        case 'I':
            if (!parse_lsn_arg("--startpos", optarg, &o.startpos))
                goto done;
            break;
        case 'E':
            if (!parse_lsn_arg("--endpos", optarg, &o.endpos))
                goto done;
            break;
        case 'o': plugin_opts[o.nplugin_opts++] = optarg; break;
        case 's': {
            char *end;
            double secs = strtod(optarg, &end);
            if (*end || secs <= 0 || secs > 3600) {
                fprintf(stderr, "walviz record: --status-interval expects seconds between 0 "
                                "and 3600, not '%s'\n", optarg);
                goto done;
            }
            o.status_interval_ms = (int)(secs * 1000);
            break;
        }
        case 'q': quiet = true; break;
        case OPT_CREATE: o.create_slot = true; break;
        case OPT_IF_NOT_EXISTS: o.if_not_exists = true; break;
        case OPT_DROP: drop = true; break;
        case OPT_NO_2PC: o.two_phase = false; break;
        case OPT_NO_LOOP: o.reconnect = false; break;
        case OPT_HELP:
            fputs(usage, stdout);
            status = 0;
            goto done;
        default:
            fputs("Try 'walviz record --help'.\n", stderr);
            goto done;
        }
    }
    o.plugin_opts = plugin_opts;
    if (optind < argc) {
        fprintf(stderr, "walviz record: unexpected argument '%s'\n", argv[optind]);
        goto done;
    }
    if ((o.create_slot || drop) && !o.slot) {
        fprintf(stderr, "walviz record: %s needs --slot NAME\n",
                drop ? "--drop-slot" : "--create-slot");
        goto done;
    }
    if (drop) {
        char err[600];
        if (wv_source_drop_slot(&o, err, sizeof err) < 0) {
            fprintf(stderr, "walviz record: %s\n", err);
            status = 1;
        } else {
            status = 0;
        }
        goto done;
    }
    if (!path) {
        fputs("walviz record: say where the recording goes: -f FILE (or -f - for stdout)\n",
              stderr);
        goto done;
    }

    recorder r = { .path = path };
    wv_buf_init(&r.buf);
    r.is_stdout = strcmp(path, "-") == 0;
    r.fd = r.is_stdout ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (r.fd < 0) {
        fprintf(stderr, "walviz record: cannot create %s: %s\n", path, strerror(errno));
        status = 1;
        goto done;
    }
    bool progress = !quiet && isatty(STDERR_FILENO) && !r.is_stdout;
    wv_source *src = wv_source_new(&o);
    int64_t last_progress = 0;
    bool stopping = false, io_error = false;
    size_t batch = 0; /* message bytes read since the last wait */
    r.last_sync_us = wv_now_us();
    for (;;) {
        if (wv_cli_interrupted && !stopping) {
            stopping = true;
            wv_source_stop(src);
        }
        wv_source_event ev;
        int wait_ms;
        int64_t now = wv_now_us();
        int got = wv_source_poll(src, now, &ev, &wait_ms);
        if (got && ev.kind == WV_SOURCE_END)
            break;
        if (got && ev.kind == WV_SOURCE_STATUS && !quiet) {
            if (progress)
                fputs("\r\033[K", stderr);
            fprintf(stderr, "walviz record: %s\n", wv_source_status(src));
        }
        if (got && ev.kind == WV_SOURCE_MESSAGE) {
            if (!r.header_written)
                write_header(&r, src);
            wv_record_format_line(&r.buf, &ev.meta, ev.text.ptr, ev.text.len);
            r.messages++;
            r.bytes += ev.text.len;
            r.last_lsn = ev.meta.lsn;
            wv_op op = ev.change.op;
            if (op == WV_OP_INSERT || op == WV_OP_UPDATE || op == WV_OP_DELETE ||
                op == WV_OP_TRUNCATE || op == WV_OP_STREAM_CHANGE)
                r.changes++;
            else if (op == WV_OP_COMMIT || op == WV_OP_COMMIT_PREPARED ||
                     op == WV_OP_STREAM_COMMIT)
                r.transactions++;
            if (r.buf.len >= WRITE_AT && write_out(&r) < 0) {
                io_error = true;
                break;
            }
        }
        if (now - r.last_sync_us >= FSYNC_EVERY_US && sync_out(&r, src, now) < 0) {
            io_error = true;
            break;
        }
        if (progress && now - last_progress >= PROGRESS_EVERY_US) {
            show_progress(&r, src, false);
            last_progress = now;
        }
        if (got) {
            if (ev.kind == WV_SOURCE_MESSAGE)
                batch += ev.text.len;
            continue;
        }
        /* The walsender sends each message on its own and pays for waking
         * a reader that sleeps on the socket; when draining a backlog it is
         * the bottleneck. Waiting in poll() would wake us for nearly every
         * message; sleeping a moment lets a batch gather unannounced. In
         * 200 us a unix socket stays far from full (it holds some 270 small
         * messages); the walsender's CPU time per drain fell by a tenth, to
         * what it spends on pg_recvlogical, whose slow writes batch alike. */
        if (batch > 0 && batch < COALESCE_BELOW) {
            batch = 0;
            nanosleep(&(struct timespec){ 0, COALESCE_US * 1000L }, NULL);
            continue;
        }
        batch = 0;
        struct pollfd pfds[2];
        int fds[2], n = wv_source_fds(src, fds);
        for (int i = 0; i < n; i++)
            pfds[i] = (struct pollfd){ fds[i], POLLIN, 0 };
        poll(pfds, (nfds_t)n, wait_ms < 250 ? wait_ms : 250);
    }
    if (!r.header_written && !wv_source_failed(src))
        write_header(&r, src);
    if (sync_out(&r, src, wv_now_us()) < 0)
        io_error = true;
    if (progress)
        show_progress(&r, src, true);
    if (io_error)
        fprintf(stderr, "walviz record: cannot write %s: %s\n", path, strerror(errno));
    bool failed = wv_source_failed(src);
    if (failed)
        fprintf(stderr, "walviz record: %s\n", wv_source_status(src));
    wv_source_free(src); /* sends the final status update */
    if (!r.is_stdout)
        close(r.fd);
    wv_buf_destroy(&r.buf);
    status = io_error || failed ? 1 : 0;
done:
    free(plugin_opts);
    return status;
}
