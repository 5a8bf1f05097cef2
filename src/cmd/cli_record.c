/* cli_record: `walviz record`, a slot's change stream to a recording.
 *
 * Messages are appended to a buffer and written out in large writes; once
 * a second (and at the end) the file is fsynced and only then is the
 * source told it may confirm what was received: the slot never moves past
 * what is safely on disk. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "walviz/cli.h"
#include "walviz/clock.h"
#include "walviz/recorder.h"
#include "walviz/source.h"

#define FSYNC_EVERY_US 1000000
#define PROGRESS_EVERY_US 250000
/* Below this many bytes read since the last wait, the stream is flowing in
 * small pieces: sleep COALESCE_US instead of waiting in poll (see the loop). */
#define COALESCE_BELOW (64 * 1024)
#define COALESCE_US 200

static const char usage_head[] =
    "Usage: walviz record [OPTIONS] -f FILE\n"
    "\n"
    "Streams a logical replication slot (test_decoding) from a PostgreSQL\n"
    "server into a walviz recording that replay, simulate and decode read.\n"
    "\n";

static const char usage_tail[] =
    "Recording:\n"
    "  -f, --file=FILE         write the recording here (- for stdout); an\n"
    "                          existing FILE is refused: pick another name\n"
    "      --force             replace an existing FILE, once the stream has\n"
    "                          started (until then, and if it never starts,\n"
    "                          the old file stays as it was)\n"
    "      --drop-slot         drop --slot and exit\n"
    "  -q, --quiet             no progress line on a terminal\n"
    "      --help              show this help\n"
    "\n"
    "Ctrl-C or SIGTERM: the recording is flushed and fsynced, a final status\n"
    "update is sent, and walviz exits 0. A permanent slot resumes after a lost\n"
    "connection, with backoff, as long as the cause can heal (a restart, a\n"
    "cut); a slot dropped under walviz or a role without REPLICATION ends it\n"
    "after 3 tries, with the reason and exit status 1.\n";

/* What the progress line counts. */
typedef struct tally {
    size_t changes, transactions, messages;
    uint64_t bytes, last_lsn;
} tally;

static void show_progress(const tally *r, const wv_source *src, bool final)
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

int wv_cli_record(int argc, char **argv)
{
    enum { OPT_DROP = 400, OPT_HELP, OPT_FORCE };
    struct option longopts[24];
    int nopt = 0;
    for (const struct option *c = wv_cli_conn_longopts; c->name; c++)
        longopts[nopt++] = *c;
    longopts[nopt++] = (struct option){ "file", required_argument, NULL, 'f' };
    longopts[nopt++] = (struct option){ "quiet", no_argument, NULL, 'q' };
    longopts[nopt++] = (struct option){ "drop-slot", no_argument, NULL, OPT_DROP };
    longopts[nopt++] = (struct option){ "force", no_argument, NULL, OPT_FORCE };
    longopts[nopt++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
    longopts[nopt] = (struct option){ NULL, 0, NULL, 0 };

    wv_source_opts o;
    const char **plugin_opts = wv_xcalloc((size_t)argc + 1, sizeof(char *));
    wv_cli_conn_defaults(&o, plugin_opts);
    const char *path = NULL;
    bool drop = false, quiet = false, force = false;
    int status = 2, c;
    char err[600];
    optind = 1;
    while ((c = getopt_long(argc, argv, WV_CLI_CONN_SHORTOPTS "f:q", longopts, NULL)) != -1) {
        if (c == 'f') {
            path = optarg;
        } else if (c == 'q') {
            quiet = true;
        } else if (c == OPT_DROP) {
            drop = true;
        } else if (c == OPT_FORCE) {
            force = true;
        } else if (c == OPT_HELP) {
            fputs(usage_head, stdout);
            fputs(wv_cli_conn_help, stdout);
            fputs(usage_tail, stdout);
            status = 0;
            goto done;
        } else if (c == '?') {
            fputs("Try 'walviz record --help'.\n", stderr);
            goto done;
        } else if (wv_cli_conn_option(&o, c, optarg, err, sizeof err) != 0) {
            fprintf(stderr, "walviz record: %s\n", err);
            goto done;
        }
    }
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
        int dropped = wv_source_drop_slot(&o, err, sizeof err);
        wv_cli_conn_hide_password(&o);
        if (dropped < 0) {
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

    /* A recording already there may hold what a permanent slot has moved
     * past: never lose it by accident. */
    struct stat sb;
    if (!force && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        fprintf(stderr, "walviz record: %s exists; give another name, or --force to replace it "
                        "once the stream starts\n", path);
        goto done;
    }
    wv_recorder *rec = wv_recorder_open(path, err, sizeof err);
    if (!rec) {
        fprintf(stderr, "walviz record: %s\n", err);
        status = 1;
        goto done;
    }
    tally r = { 0, 0, 0, 0, 0 };
    int64_t last_sync_us = wv_now_us();
    bool progress = !quiet && isatty(STDERR_FILENO) && strcmp(path, "-") != 0;
    wv_source *src = wv_source_new(&o);
    wv_cli_conn_hide_password(&o); /* the source has its own copy */
    int64_t last_progress = 0;
    bool stopping = false, io_error = false, placed = false;
    size_t batch = 0; /* message bytes read since the last wait */
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
        /* A stream: the recording takes its place now, header first. */
        if (!placed && wv_source_state_of(src) == WV_SOURCE_STATE_STREAMING) {
            placed = true;
            wv_recorder_header(rec, src);
            if (wv_recorder_sync(rec, src) < 0) {
                io_error = true;
                break;
            }
        }
        if (got && ev.kind == WV_SOURCE_MESSAGE) {
            if (wv_recorder_add(rec, src, &ev.meta, ev.text) < 0) {
                io_error = true;
                break;
            }
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
        }
        if (now - last_sync_us >= FSYNC_EVERY_US) {
            if (wv_recorder_sync(rec, src) < 0) {
                io_error = true;
                break;
            }
            last_sync_us = now;
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
    /* The header went out when the stream started (an empty session still
     * says what it was); a run that never streamed leaves no file. */
    if (wv_recorder_sync(rec, src) < 0)
        io_error = true;
    if (progress)
        show_progress(&r, src, true);
    if (io_error)
        fprintf(stderr, "walviz record: cannot write %s: %s\n", path, strerror(errno));
    bool failed = wv_source_failed(src);
    if (failed)
        fprintf(stderr, "walviz record: %s\n", wv_source_status(src));
    wv_source_free(src); /* sends the final status update */
    if (wv_recorder_close(rec) < 0 && !io_error) {
        fprintf(stderr, "walviz record: cannot write %s: %s\n", path, strerror(errno));
        io_error = true;
    }
    status = io_error || failed ? 1 : 0;
done:
    free(plugin_opts);
    return status;
}
