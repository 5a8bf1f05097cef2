/* demo: see include/walviz/demo.h.
 *
 * Every cluster lives in TMPDIR/walviz-demo.UID/PID, named after the walviz
 * process that owns it, so a later run can tell a cluster whose walviz was
 * killed (its PID is gone) and clean it up. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "walviz/demo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "walviz/util.h"

struct wv_demo {
    char bindir[512];
    char dir[512];
    char conninfo[700];
    uid_t owner_uid; /* who runs the server */
    gid_t owner_gid;
    bool as_other; /* root: the server runs as postgres */
    pid_t psql;
    int psql_in; /* write end of psql's stdin, non-blocking */
    wv_buf pending;
    double tps;
    uint64_t rng;
    bool started, paused;
    int64_t next_us, next_bulk_us, next_message_us, next_truncate_us;
    int next_order;
    int accounts;
    /* real nodes: [0] the standby, [1] the subscriber */
    bool real_started[2];
    bool real_stopped[2]; /* S stopped its server */
    pid_t relay[2];
    int log_fd;           /* the workload's output, read for its COMMIT times */
    wv_buf log_line;      /* a line of it not ended yet */
    int64_t last_time_us; /* the last "Time:" psql printed */
    int64_t commit_us;    /* the last COMMIT's, -1 before one */
    char observe[2][900]; /* "NAME=CONNINFO" */
};

/* The real nodes' names and where they live in the demo's directory. */
static const char *const real_names[2] = { "standby1", "sub1" };
static const char *const real_dirs[2] = { "standby", "sub" };

static uint64_t next_rand(wv_demo *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return d->rng;
}

static int rand_between(wv_demo *d, int lo, int hi)
{
    return lo + (int)(next_rand(d) % (uint64_t)(hi - lo + 1));
}

static const char *parent_dir(char *out, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, n, "%s/walviz-demo.%ld", tmp && *tmp ? tmp : "/tmp", (long)getuid());
    return out;
}

int wv_demo_find_server(char *out, size_t outsz)
{
    char probe[700];
    /* an explicit choice wins, and a wrong one means "none here" */
    const char *forced = getenv("WALVIZ_PG_BINDIR");
    if (forced && *forced) {
        snprintf(out, outsz, "%s", forced);
        snprintf(probe, sizeof probe, "%s/initdb", out);
        return access(probe, X_OK) == 0 ? 0 : -1;
    }
    FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
    if (p) {
        if (fgets(out, (int)outsz, p)) {
            out[strcspn(out, "\n")] = '\0';
            snprintf(probe, sizeof probe, "%s/initdb", out);
            if (access(probe, X_OK) == 0) {
                pclose(p);
                return 0;
            }
        }
        pclose(p);
    }
    glob_t g;
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0) {
        /* the newest version: glob sorts, and 9 < 15 only as numbers */
        size_t best = 0;
        long best_v = -1;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            long v = strtol(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"), NULL, 10);
            if (v > best_v)
                best_v = v, best = i;
        }
        snprintf(out, outsz, "%s", g.gl_pathv[best]);
        out[strlen(out) - strlen("/initdb")] = '\0';
        globfree(&g);
        return 0;
    }
    const char *path = getenv("PATH");
    char *copy = wv_xstrdup(path ? path : "");
    int rc = -1;
    for (char *tok = strtok(copy, ":"); tok && rc < 0; tok = strtok(NULL, ":")) {
        snprintf(probe, sizeof probe, "%s/initdb", tok);
        if (access(probe, X_OK) == 0) {
            snprintf(out, outsz, "%s", tok);
            rc = 0;
        }
    }
    free(copy);
    return rc;
}

/* Starts argv (as the server's owner when owner is set), output to log;
 * returns its pid, or -1. */
static pid_t spawn(const wv_demo *d, bool owner, char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (owner && d->as_other &&
            (setgroups(0, NULL) < 0 || setgid(d->owner_gid) < 0 || setuid(d->owner_uid) < 0))
            _exit(126);
        int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits for a spawned child; returns its exit status, or -1. */
static int wait_child(pid_t pid)
{
    int status;
    if (pid < 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs argv to its end (see spawn); returns its exit status, or -1. */
static int run(const wv_demo *d, bool owner, char *const argv[], const char *log)
{
    return wait_child(spawn(d, owner, argv, log));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* pg_ctl ACTION on the cluster in dir; mode for stop. */
static int pg_ctl(const wv_demo *d, const char *dir, const char *action, const char *mode, bool wait)
{
    char bin[600], data[600], log[600];
    snprintf(bin, sizeof bin, "%s/pg_ctl", d->bindir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(log, sizeof log, "%s/server.log", dir);
    char *argv[16];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "-D";
    argv[n++] = data;
    argv[n++] = "-l";
    argv[n++] = log;
    argv[n++] = wait ? "-w" : "-W";
    argv[n++] = "-t";
    argv[n++] = "60";
    if (mode) {
        argv[n++] = "-m";
        argv[n++] = (char *)mode;
    }
    argv[n++] = (char *)action;
    argv[n] = NULL;
    return run(d, true, argv, log);
}

static int set_owner(wv_demo *d, char *err, size_t errsz)
{
    if (geteuid() != 0) {
        d->owner_uid = getuid();
        d->owner_gid = getgid();
        return 0;
    }
    struct passwd *pw = getpwnam("postgres");
    if (!pw) {
        snprintf(err, errsz, "PostgreSQL refuses to run as root and there is no 'postgres' user: "
                             "run walviz demo as an ordinary user");
        return -1;
    }
    d->as_other = true;
    d->owner_uid = pw->pw_uid;
    d->owner_gid = pw->pw_gid;
    return 0;
}

int wv_demo_cleanup_stale(void)
{
    char parent[400];
    parent_dir(parent, sizeof parent);
    DIR *dir = opendir(parent);
    if (!dir)
        return 0;
    wv_demo d;
    memset(&d, 0, sizeof d);
    char err[200];
    if (wv_demo_find_server(d.bindir, sizeof d.bindir) < 0 || set_owner(&d, err, sizeof err) < 0) {
        closedir(dir);
        return 0;
    }
    int cleaned = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* not ours, or its walviz still runs */
        char path[700], node[800];
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        for (int i = 0; i < 2; i++) {
            snprintf(node, sizeof node, "%s/%s", path, real_dirs[i]);
            pg_ctl(&d, node, "stop", "immediate", true);
        }
        pg_ctl(&d, path, "stop", "immediate", true);
        remove_tree(path);
        cleaned++;
    }
    closedir(dir);
    return cleaned;
}

static int psql_run(wv_demo *d, const char *conninfo, const char *sql)
{
    char bin[600];
    snprintf(bin, sizeof bin, "%s/psql", d->bindir);
    char log[600];
    snprintf(log, sizeof log, "%s/setup.log", d->dir);
    char *argv[] = { bin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", (char *)conninfo, "-c", (char *)sql, NULL };
    return run(d, false, argv, log);
}

static const char schema_sql[] =
    "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL);"
    "CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, status text NOT NULL,"
    " total numeric(10,2) NOT NULL, created timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE order_items (order_id int REFERENCES orders ON DELETE CASCADE, line int,"
    " product text NOT NULL, qty int NOT NULL, price numeric(10,2) NOT NULL,"
    " PRIMARY KEY (order_id, line));"
    "CREATE TABLE page_views (id bigserial PRIMARY KEY, url text NOT NULL, at timestamptz NOT NULL);";
/* The accounts open as the workload's first transaction, once walviz
 * streams: every node, simulated or real, gets them through the stream
 * (a row the stream never showed would be one walviz cannot know). */
static const char data_sql[] = "INSERT INTO accounts SELECT g, 'customer ' || g, 1000 FROM generate_series(1, 12) g;";
#define COMMIT_MARK "\\echo walviz-commit\n"

/* Appends text to the file at path; 0, or -1 with a sentence in err. */
static int append_to(const char *path, const char *text, char *err, size_t errsz)
{
    FILE *f = fopen(path, "a");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errsz, "cannot configure %s: %s", path, strerror(errno));
    return ok ? 0 : -1;
}

/* Appends the private-cluster settings to dir/data/postgresql.conf (the
 * last setting of a name wins); 0, or -1 with a sentence in err. */
static int configure(const char *dir, const char *settings, char *err, size_t errsz)
{
    char conf[700], text[1400];
    snprintf(conf, sizeof conf, "%s/data/postgresql.conf", dir);
    snprintf(text, sizeof text,
             "\n# walviz demo: a private, throwaway cluster\n"
             "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\n"
             "fsync = off\nfull_page_writes = off\n%s",
             dir, settings);
    return append_to(conf, text, err, errsz);
}

/* Starts initdb in dir/data; returns its pid, or -1. */
static pid_t start_initdb(const wv_demo *d, const char *dir)
{
    char bin[600], data[600], log[600];
    snprintf(bin, sizeof bin, "%s/initdb", d->bindir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(log, sizeof log, "%s/initdb.log", dir);
    char *initdb[] = { bin, "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                       "--locale=C", NULL };
    return spawn(d, true, initdb, log);
}

/* Waits for initdb (pid) in dir, then configures the cluster for a
 * private one on dir's socket with the settings given; 0, or -1 with a
 * sentence in err. */
static int finish_cluster(const char *dir, pid_t initdb, const char *settings, char *err, size_t errsz)
{
    if (wait_child(initdb) != 0) {
        snprintf(err, errsz, "initdb failed; see %s/initdb.log", dir);
        return -1;
    }
    return configure(dir, settings, err, errsz);
}

wv_demo *wv_demo_start(const char *bindir, double tps, uint64_t seed, char *err, size_t errsz)
{
    wv_demo *d = wv_xcalloc(1, sizeof *d);
    snprintf(d->bindir, sizeof d->bindir, "%s", bindir);
    d->psql = -1;
    d->psql_in = -1;
    d->log_fd = -1;
    d->commit_us = -1;
    wv_buf_init(&d->log_line);
    d->tps = tps > 0 ? tps : 1.5;
    d->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
    d->accounts = 12;
    d->next_order = 1;
    wv_buf_init(&d->pending);
    if (set_owner(d, err, errsz) < 0)
        goto fail;

    char parent[400];
    parent_dir(parent, sizeof parent);
    if (mkdir(parent, 0711) < 0 && errno != EEXIST) {
        snprintf(err, errsz, "cannot create %s: %s", parent, strerror(errno));
        goto fail;
    }
    chmod(parent, 0711); /* the server's user must pass through it */
    snprintf(d->dir, sizeof d->dir, "%s/%ld", parent, (long)getpid());
    remove_tree(d->dir);
    if (mkdir(d->dir, 0700) < 0 || (d->as_other && chown(d->dir, d->owner_uid, d->owner_gid) < 0)) {
        snprintf(err, errsz, "cannot create %s: %s", d->dir, strerror(errno));
        goto fail;
    }
    snprintf(d->conninfo, sizeof d->conninfo, "host=%s port=5432 user=postgres dbname=postgres",
             d->dir);

    if (finish_cluster(d->dir, start_initdb(d, d->dir),
                       "wal_level = logical\nmax_wal_senders = 10\nmax_replication_slots = 10\n"
                       "max_prepared_transactions = 10\n", err, errsz) < 0)
        goto fail_dir;
    if (pg_ctl(d, d->dir, "start", NULL, true) != 0) {
        snprintf(err, errsz, "the demo server did not start; see %s/server.log", d->dir);
        goto fail_dir;
    }
    d->started = true;
    if (psql_run(d, d->conninfo, schema_sql) != 0) {
        snprintf(err, errsz, "could not create the demo tables; see %s/setup.log", d->dir);
        goto fail_dir;
    }
    return d;
fail_dir:
    wv_demo_stop(d);
    return NULL;
fail:
    wv_buf_destroy(&d->pending);
    free(d);
    return NULL;
}

const char *wv_demo_conninfo(const wv_demo *d)
{
    return d->conninfo;
}

const char *wv_demo_dir(const wv_demo *d)
{
    return d->dir;
}

static void emit(wv_demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int wv_demo_workload_start(wv_demo *d, char *err, size_t errsz)
{
    int fds[2];
    if (pipe(fds) < 0) {
        snprintf(err, errsz, "cannot start the workload: %s", strerror(errno));
        return -1;
    }
    char bin[600], log[600];
    snprintf(bin, sizeof bin, "%s/psql", d->bindir);
    snprintf(log, sizeof log, "%s/workload.log", d->dir);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(err, errsz, "cannot start the workload: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execl(bin, bin, "-X", "-q", "-d", d->conninfo, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    d->psql = pid;
    d->psql_in = fds[1];
    /* psql times every statement; a marker after each COMMIT says which
     * time is a COMMIT's: what the client waited, synchronous or not */
    emit(d, "\\timing on\nBEGIN;\n%s\nCOMMIT;\n" COMMIT_MARK, data_sql);
    d->log_fd = open(log, O_RDONLY | O_CREAT | O_CLOEXEC, 0644); /* psql may not have made it yet */
    d->commit_us = -1;
    fcntl(d->psql_in, F_SETFL, O_NONBLOCK);
    fcntl(d->psql_in, F_SETFD, FD_CLOEXEC);
    d->next_us = 0;
    return 0;
}

static void emit(wv_demo *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        wv_buf_append(&d->pending, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void flush_pending(wv_demo *d)
{
    while (d->pending.len > 0 && d->psql_in >= 0) {
        ssize_t w = write(d->psql_in, d->pending.data, d->pending.len);
        if (w <= 0)
            return; /* full (EAGAIN) or gone: try again next tick */
        memmove(d->pending.data, d->pending.data + w, d->pending.len - (size_t)w);
        d->pending.len -= (size_t)w;
    }
}

static const char *const products[] = { "coffee", "tea", "mug", "notebook", "pen", "lamp",
                                        "chair", "desk" };
static const char *const customers[] = { "Ada", "Grace", "Edsger", "Barbara", "Donald", "Margaret",
                                         "Ken", "Frances" };

static void bank_transfer(wv_demo *d)
{
    int from = rand_between(d, 1, d->accounts), to = rand_between(d, 1, d->accounts);
    if (to == from)
        to = from % d->accounts + 1;
    int amount = rand_between(d, 1, 20) * 5;
    bool rollback = rand_between(d, 1, 10) == 1; /* changed its mind: absent from the stream */
    emit(d, "BEGIN;\nUPDATE accounts SET balance = balance - %d WHERE id = %d;\n"
            "UPDATE accounts SET balance = balance + %d WHERE id = %d;\n%s;\n%s",
         amount, from, amount, to, rollback ? "ROLLBACK" : "COMMIT", rollback ? "" : COMMIT_MARK);
}

static void shop(wv_demo *d)
{
    int kind = rand_between(d, 1, 10);
    if (kind <= 6 || d->next_order <= 3) {
        int id = d->next_order++, items = rand_between(d, 1, 3);
        emit(d, "BEGIN;\nINSERT INTO orders (id, customer, status, total) VALUES (%d, '%s', 'new', 0);\n",
             id, customers[next_rand(d) % 8]);
        for (int i = 1; i <= items; i++)
            emit(d, "INSERT INTO order_items VALUES (%d, %d, '%s', %d, %d.%02d);\n", id, i,
                 products[next_rand(d) % 8], rand_between(d, 1, 4), rand_between(d, 2, 40),
                 rand_between(d, 0, 99));
        emit(d, "UPDATE orders SET total = (SELECT sum(qty * price) FROM order_items WHERE "
                "order_id = %d) WHERE id = %d;\nCOMMIT;\n" COMMIT_MARK, id, id);
    } else if (kind <= 9) {
        emit(d, "UPDATE orders SET status = 'shipped' WHERE id = %d;\n",
             rand_between(d, 1, d->next_order - 1));
    } else {
        int id = rand_between(d, 1, d->next_order - 1);
        emit(d, "BEGIN;\nDELETE FROM order_items WHERE order_id = %d;\nDELETE FROM orders WHERE id = %d;\n"
                "COMMIT;\n" COMMIT_MARK, id, id);
    }
}

/* Returns how many rows it inserts. */
static int bulk(wv_demo *d)
{
    int rows = rand_between(d, 2000, 4000);
    emit(d, "INSERT INTO page_views (url, at) SELECT '/product/' || (g %% 50), now() "
            "FROM generate_series(1, %d) g;\n", rows);
    return rows;
}

int wv_demo_burst(wv_demo *d)
{
    for (int i = 0; i < 4; i++)
        i % 2 ? shop(d) : bank_transfer(d);
    int rows = bulk(d);
    flush_pending(d);
    return rows;
}

/* What psql printed since the last tick: "Time: 12.345 ms" after each
 * statement, our marker after each COMMIT. */
static void read_commit_times(wv_demo *d)
{
    char buf[4096];
    ssize_t n;
    while (d->log_fd >= 0 && (n = read(d->log_fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                wv_buf_append(&d->log_line, &buf[i], 1);
                continue;
            }
            wv_buf_append(&d->log_line, "", 1);
            double ms;
            if (sscanf(d->log_line.data, "Time: %lf ms", &ms) == 1)
                d->last_time_us = (int64_t)(ms * 1000.0);
            else if (strcmp(d->log_line.data, "walviz-commit") == 0)
                d->commit_us = d->last_time_us;
            d->log_line.len = 0;
        }
    }
}

int64_t wv_demo_commit_wait(const wv_demo *d)
{
    return d->commit_us;
}

void wv_demo_tick(wv_demo *d, int64_t now_us)
{
    if (d->psql < 0)
        return;
    if (d->next_us == 0) {
        d->next_us = now_us;
        d->next_message_us = now_us + 12000000;
        d->next_bulk_us = now_us + 25000000;
        d->next_truncate_us = now_us + 70000000;
    }
    if (!d->paused && now_us >= d->next_us) {
        if (rand_between(d, 1, 10) <= 6)
            bank_transfer(d);
        else
            shop(d);
        /* a human pace, not a metronome: 0.5 to 1.5 times the mean gap */
        double gap = 1e6 / d->tps * (0.5 + (double)(next_rand(d) % 1000) / 1000.0);
        d->next_us = now_us + (int64_t)gap;
    }
    if (!d->paused && now_us >= d->next_message_us) {
        emit(d, "SELECT pg_logical_emit_message(true, 'demo', 'inventory check %d');\n",
             rand_between(d, 1, 999));
        d->next_message_us = now_us + 20000000;
    }
    if (!d->paused && now_us >= d->next_bulk_us) {
        bulk(d);
        d->next_bulk_us = now_us + 45000000;
    }
    if (!d->paused && now_us >= d->next_truncate_us) {
        emit(d, "TRUNCATE page_views;\n");
        d->next_truncate_us = now_us + 90000000;
    }
    flush_pending(d);
    read_commit_times(d);
}

void wv_demo_pause(wv_demo *d, bool paused)
{
    d->paused = paused;
}

bool wv_demo_paused(const wv_demo *d)
{
    return d->paused;
}


/* --- real nodes ------------------------------------------------------------- */

/* `exe link` from 127.0.0.1 to the primary's socket, as a child that dies
 * with walviz (a SIGKILLed walviz leaves no relay); its log in log.
 * Returns the relay's port, or -1 with a sentence in err (*pid is set when
 * it was started). */
static int spawn_relay(const wv_demo *d, const char *exe, const wv_demo_link *l, const char *log, pid_t *pid,
                       char *err, size_t errsz)
{
    char to[700], lat[32], bw[48];
    snprintf(to, sizeof to, "unix:%s/.s.PGSQL.5432", d->dir);
    snprintf(lat, sizeof lat, "%lldus", (long long)l->latency_us);
    snprintf(bw, sizeof bw, "%.0fB/s", l->bandwidth_bps);
    char *argv[] = { (char *)exe, "link", "--listen", "127.0.0.1:0", "--to", to, "--latency", lat,
                     l->bandwidth_bps > 0 ? "--bandwidth" : NULL, bw, NULL };
    pid_t parent = getpid();
    *pid = fork();
    if (*pid < 0) {
        snprintf(err, errsz, "cannot start a relay: %s", strerror(errno));
        return -1;
    }
    if (*pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1); /* walviz is gone already */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644), null = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        execv(exe, argv);
        _exit(127);
    }
    /* its port, from the line it prints once listening */
    for (int i = 0; i < 250; i++) {
        char line[512];
        FILE *f = fopen(log, "r");
        while (f && fgets(line, sizeof line, f)) {
            const char *at = strstr(line, "listening on 127.0.0.1:");
            if (at) {
                fclose(f);
                return atoi(at + strlen("listening on 127.0.0.1:"));
            }
        }
        if (f)
            fclose(f);
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = -1;
            break;
        }
        usleep(20000);
    }
    snprintf(err, errsz, "the relay did not start; see %s", log);
    return -1;
}

/* dir for a real node, owned by the server's user. */
static int node_dir(const wv_demo *d, int i, char *out, size_t n, char *err, size_t errsz)
{
    snprintf(out, n, "%s/%s", d->dir, real_dirs[i]);
    if (mkdir(out, 0700) < 0 || (d->as_other && chown(out, d->owner_uid, d->owner_gid) < 0)) {
        snprintf(err, errsz, "cannot create %s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

/* The standby: a base backup over the primary's socket (through the relay
 * it would take as long as its bytes over the lane's bandwidth), then
 * streaming through the relay, named so that synchronous_standby_names
 * can name it (-R writes no application_name). */
static int start_standby(wv_demo *d, const char *exe, const wv_demo_link *l, char *err, size_t errsz)
{
    char dir[600], data[700], log[700], bin[600], slot[64];
    if (node_dir(d, 0, dir, sizeof dir, err, errsz) < 0)
        return -1;
    snprintf(log, sizeof log, "%s/relay.log", dir);
    int port = spawn_relay(d, exe, l, log, &d->relay[0], err, errsz);
    if (port < 0)
        return -1;
    snprintf(bin, sizeof bin, "%s/pg_basebackup", d->bindir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(log, sizeof log, "%s/basebackup.log", dir);
    snprintf(slot, sizeof slot, "walviz_%s", real_names[0]);
    char *argv[] = { bin, "-h", d->dir, "-p", "5432", "-U", "postgres", "-D", data, "-R", "-X", "stream",
                     "-C", "-S", slot, "-c", "fast", NULL };
    if (run(d, true, argv, log) != 0) {
        snprintf(err, errsz, "pg_basebackup failed; see %s", log);
        return -1;
    }
    if (configure(dir, "hot_standby = on\n", err, errsz) < 0)
        return -1;
    /* after -R's own line in postgresql.auto.conf, which this one overrides */
    char auto_conf[800], line[200];
    snprintf(auto_conf, sizeof auto_conf, "%s/postgresql.auto.conf", data);
    snprintf(line, sizeof line, "primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'\n",
             port, real_names[0]);
    if (append_to(auto_conf, line, err, errsz) < 0)
        return -1;
    if (pg_ctl(d, dir, "start", NULL, true) != 0) {
        snprintf(err, errsz, "the standby did not start; see %s/server.log", dir);
        return -1;
    }
    d->real_started[0] = true;
    snprintf(d->observe[0], sizeof d->observe[0], "%s=host=%s port=5432 user=postgres dbname=postgres",
             real_names[0], dir);
    return 0;
}

/* The subscriber: a cluster of its own with the demo's tables and the
 * same first rows, subscribed through the relay without a first copy (it
 * would take a table-sync worker per table, and round trips, before the
 * first change is applied). The primary's conninfo has no password: it
 * trusts local users. */
static int start_subscriber(wv_demo *d, const char *exe, const wv_demo_link *l, pid_t initdb, char *err,
                            size_t errsz)
{
    char dir[600], log[700], conninfo[800], sql[400];
    snprintf(dir, sizeof dir, "%s/%s", d->dir, real_dirs[1]);
    if (finish_cluster(dir, initdb, "", err, errsz) < 0)
        return -1;
    if (pg_ctl(d, dir, "start", NULL, true) != 0) {
        snprintf(err, errsz, "the subscriber did not start; see %s/server.log", dir);
        return -1;
    }
    d->real_started[1] = true;
    snprintf(conninfo, sizeof conninfo, "host=%s port=5432 user=postgres dbname=postgres", dir);
    snprintf(log, sizeof log, "%s/relay.log", dir);
    int port = spawn_relay(d, exe, l, log, &d->relay[1], err, errsz);
    if (port < 0)
        return -1;
    /* Made over the primary's socket (its slot and catalog lookups are a
     * few round trips, seconds through the relay), then switched to the
     * relay before its apply worker first connects. */
    char create[1000], relay[300];
    snprintf(create, sizeof create,
             "CREATE SUBSCRIPTION %s CONNECTION '%s' PUBLICATION walviz_demo "
             "WITH (streaming = off, copy_data = false, enabled = false)", real_names[1], d->conninfo);
    snprintf(relay, sizeof relay, "ALTER SUBSCRIPTION %s CONNECTION 'host=127.0.0.1 port=%d user=postgres "
             "dbname=postgres'", real_names[1], port);
    snprintf(sql, sizeof sql, "ALTER SUBSCRIPTION %s ENABLE", real_names[1]);
    if (psql_run(d, conninfo, schema_sql) != 0 ||
        psql_run(d, d->conninfo, "CREATE PUBLICATION walviz_demo FOR ALL TABLES") != 0 ||
        psql_run(d, conninfo, create) != 0 || psql_run(d, conninfo, relay) != 0 || psql_run(d, conninfo, sql) != 0) {
        snprintf(err, errsz, "could not subscribe the subscriber; see %s/setup.log", d->dir);
        return -1;
    }
    snprintf(d->observe[1], sizeof d->observe[1], "%s=%s", real_names[1], conninfo);
    return 0;
}

int wv_demo_real_start(wv_demo *d, const char *exe, unsigned which, const wv_demo_link *standby,
                       const wv_demo_link *subscriber, char *err, size_t errsz)
{
    /* the subscriber's initdb runs while the standby is made */
    char dir[600];
    pid_t initdb = -1;
    if (which & WV_DEMO_SUBSCRIBER) {
        if (node_dir(d, 1, dir, sizeof dir, err, errsz) < 0)
            return -1;
        if ((initdb = start_initdb(d, dir)) < 0) {
            snprintf(err, errsz, "cannot start initdb: %s", strerror(errno));
            return -1;
        }
    }
    if ((which & WV_DEMO_STANDBY) && start_standby(d, exe, standby, err, errsz) < 0) {
        wait_child(initdb); /* not left running */
        return -1;
    }
    if ((which & WV_DEMO_SUBSCRIBER) && start_subscriber(d, exe, subscriber, initdb, err, errsz) < 0)
        return -1;
    /* Ready once both stream: connecting through a relay takes a few of
     * its round trips, and the class should not watch them idle. */
    char sql[400];
    snprintf(sql, sizeof sql,
             "DO $$BEGIN IF (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' "
             "AND application_name IN ('%s', '%s')) < %d THEN RAISE EXCEPTION 'not yet'; END IF; END$$",
             which & WV_DEMO_STANDBY ? real_names[0] : "", which & WV_DEMO_SUBSCRIBER ? real_names[1] : "",
             (which & WV_DEMO_STANDBY ? 1 : 0) + (which & WV_DEMO_SUBSCRIBER ? 1 : 0));
    for (int i = 0; i < 300; i++) {
        if (psql_run(d, d->conninfo, sql) == 0)
            return 0;
        usleep(50000);
    }
    snprintf(err, errsz, "the real nodes did not stream within 30 s; see %s/*/server.log", d->dir);
    return -1;
}

const char *wv_demo_real_observe(const wv_demo *d, unsigned which)
{
    int i = which == WV_DEMO_STANDBY ? 0 : 1;
    return d->observe[i][0] ? d->observe[i] : NULL;
}

static int real_index(const wv_demo *d, unsigned which)
{
    int i = which == WV_DEMO_STANDBY ? 0 : 1;
    return d->real_started[i] ? i : -1;
}

int wv_demo_real_cut(wv_demo *d, unsigned which, bool cut)
{
    int i = real_index(d, which);
    if (i < 0 || d->relay[i] <= 0)
        return -1;
    return kill(d->relay[i], cut ? SIGUSR1 : SIGUSR2);
}

int wv_demo_real_stop(wv_demo *d, unsigned which, bool stop)
{
    int i = real_index(d, which);
    if (i < 0)
        return -1;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", d->dir, real_dirs[i]);
    /* stop: immediate, a crash of its PostgreSQL; start: without waiting
     * for it, the window goes on (its walsender comes back when it does) */
    int rc = stop ? pg_ctl(d, dir, "stop", "immediate", true) : pg_ctl(d, dir, "start", NULL, false);
    if (rc == 0)
        d->real_stopped[i] = stop;
    return rc == 0 ? 0 : -1;
}

bool wv_demo_real_stopped(const wv_demo *d, unsigned which)
{
    int i = real_index(d, which);
    return i >= 0 && d->real_stopped[i];
}

int wv_demo_set_sync(wv_demo *d, const char *standby_names, const char *level)
{
    char sql[300];
    snprintf(sql, sizeof sql, "ALTER SYSTEM SET synchronous_standby_names = '%s'", standby_names);
    if (psql_run(d, d->conninfo, sql) != 0 || psql_run(d, d->conninfo, "SELECT pg_reload_conf()") != 0)
        return -1;
    emit(d, "SET synchronous_commit = %s;\n", level);
    flush_pending(d);
    return 0;
}

void wv_demo_stop(wv_demo *d)
{
    if (!d)
        return;
    if (d->psql_in >= 0)
        close(d->psql_in);
    if (d->psql > 0) {
        /* psql ends at the end of its input; do not wait on a stuck one */
        for (int i = 0; i < 50 && waitpid(d->psql, NULL, WNOHANG) == 0; i++)
            usleep(20000);
        if (waitpid(d->psql, NULL, WNOHANG) == 0) {
            kill(d->psql, SIGKILL);
            waitpid(d->psql, NULL, 0);
        }
    }
    for (int i = 0; i < 2; i++) {
        if (d->relay[i] > 0) {
            kill(d->relay[i], SIGTERM);
            waitpid(d->relay[i], NULL, 0);
        }
        if (d->real_started[i]) {
            char dir[600];
            snprintf(dir, sizeof dir, "%s/%s", d->dir, real_dirs[i]);
            pg_ctl(d, dir, "stop", "immediate", true);
        }
    }
    if (d->started)
        pg_ctl(d, d->dir, "stop", "immediate", true); /* its slots go with it */
    if (*d->dir)
        remove_tree(d->dir);
    if (d->log_fd >= 0)
        close(d->log_fd);
    wv_buf_destroy(&d->log_line);
    wv_buf_destroy(&d->pending);
    free(d);
}
