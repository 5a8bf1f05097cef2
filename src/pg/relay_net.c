/* relay_net: the relay's sockets (see include/walviz/relay.h). One poll
 * loop, every socket non-blocking: the listening socket, and per
 * connection the accepted socket and the one to the target, with a pipe
 * each way. The wait ends when the earliest queued chunk is due (ppoll
 * takes a timeout in nanoseconds, so the delay is kept to well under a
 * millisecond), and the clock is the monotonic one: a step of the wall
 * clock must not hold or release bytes. */
#define _GNU_SOURCE /* ppoll, accept4 */
#include "walviz/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX ((size_t)64 << 10) /* bytes read at once */
#define WATCH_MAX 8

typedef struct conn {
    int fd[2];            /* [0] the accepted side, [1] the target side */
    wv_relay_pipe pipe[2]; /* [0] up: fd[0] to fd[1]; [1] down: fd[1] to fd[0] */
    bool connecting;      /* fd[1]'s connect is in progress */
    bool blocked[2];      /* pipe[d]'s last write would block: wait for POLLOUT */
    bool shut[2];         /* pipe[d]'s receiver is shut for writing */
    uint64_t id;
} conn;

struct wv_relay {
    wv_relay_opts o;
    char *listen, *target;
    int lfd;
    struct sockaddr_storage to; /* the target, resolved once */
    socklen_t tolen;
    char address[96];
    conn *conns[WV_RELAY_MAX_CONNS];
    int nconns;
    uint64_t accepted, delivered[2];
    bool cut;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void say(const wv_relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const wv_relay *r, const char *fmt, ...)
{
    if (!r->o.log)
        return;
    char line[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->o.log(r->o.log_ctx, line);
}

/* Splits "HOST:PORT" (HOST may be "[v6]") at its last colon. host gets
 * dflt when there is no colon. Returns 0, or -1 when PORT is not a port
 * number (getaddrinfo would wrap 99999 around). */
static int split_hostport(char *s, const char *dflt, const char **host, const char **port)
{
    char *colon = strrchr(s, ':');
    if (!colon) {
        *host = dflt;
        *port = s;
    } else {
        *colon = '\0';
        *host = s;
        *port = colon + 1;
        if (s[0] == '[' && colon > s + 1 && colon[-1] == ']') {
            colon[-1] = '\0';
            *host = s + 1;
        }
    }
    size_t len = strlen(*port);
    return len > 0 && len <= 5 && strspn(*port, "0123456789") == len && atol(*port) <= 65535 ? 0 : -1;
}

static int bind_listen(wv_relay *r, char *err, size_t errsz)
{
    char *spec = wv_xstrdup(r->listen);
    const char *host, *port;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    int rc = -1, gai;
    if (split_hostport(spec, "127.0.0.1", &host, &port) < 0) {
        snprintf(err, errsz, "--listen expects [HOST:]PORT, like 127.0.0.1:6432, not '%s'", r->listen);
        goto done;
    }
    if ((gai = getaddrinfo(host, port, &hints, &ai)) != 0) {
        snprintf(err, errsz, "cannot listen on '%s': %s", r->listen, gai_strerror(gai));
        goto done;
    }
    int e = 0;
    for (struct addrinfo *a = ai; a && r->lfd < 0; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 16) == 0) {
            r->lfd = fd;
            break;
        }
        e = errno;
        if (fd >= 0)
            close(fd);
    }
    if (r->lfd < 0) {
        snprintf(err, errsz, "cannot listen on '%s': %s", r->listen, strerror(e));
        goto done;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[64], p[16];
    if (getsockname(r->lfd, (struct sockaddr *)&ss, &sl) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(r->address, sizeof r->address, strchr(h, ':') ? "[%s]:%s" : "%s:%s", h, p);
    else
        snprintf(r->address, sizeof r->address, "%s", r->listen);
    rc = 0;
done:
    if (ai)
        freeaddrinfo(ai);
    free(spec);
    return rc;
}

static int resolve_target(wv_relay *r, char *err, size_t errsz)
{
    if (strncmp(r->target, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&r->to;
        const char *path = r->target + 5;
        if (!*path || strlen(path) >= sizeof un->sun_path) {
            snprintf(err, errsz, "--to unix:PATH needs a socket path of 1 to %zu bytes",
                     sizeof un->sun_path - 1);
            return -1;
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, path);
        r->tolen = sizeof *un;
        return 0;
    }
    char *spec = wv_xstrdup(r->target);
    const char *host, *port;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    int rc = -1, gai;
    if (split_hostport(spec, NULL, &host, &port) < 0 || !host || !*host) {
        snprintf(err, errsz, "--to expects HOST:PORT or unix:PATH, not '%s'", r->target);
    } else if ((gai = getaddrinfo(host, port, &hints, &ai)) != 0) {
        snprintf(err, errsz, "cannot resolve '%s': %s", r->target, gai_strerror(gai));
    } else {
        memcpy(&r->to, ai->ai_addr, ai->ai_addrlen);
        r->tolen = ai->ai_addrlen;
        rc = 0;
    }
    if (ai)
        freeaddrinfo(ai);
    free(spec);
    return rc;
}

wv_relay *wv_relay_new(const wv_relay_opts *o, char *err, size_t errsz)
{
    wv_relay *r = wv_xcalloc(1, sizeof *r);
    r->o = *o;
    r->listen = wv_xstrdup(o->listen);
    r->target = wv_xstrdup(o->target);
    r->o.listen = r->listen;
    r->o.target = r->target;
    r->lfd = -1;
    if (resolve_target(r, err, errsz) < 0 || bind_listen(r, err, errsz) < 0) {
        wv_relay_free(r);
        return NULL;
    }
    return r;
}

static void conn_close(wv_relay *r, int i, const char *why)
{
    conn *c = r->conns[i];
    say(r, "connection %llu closed (%s)", (unsigned long long)c->id, why);
    for (int d = 0; d < 2; d++) {
        if (c->fd[d] >= 0)
            close(c->fd[d]);
        wv_relay_pipe_destroy(&c->pipe[d]);
    }
    free(c);
    r->conns[i] = r->conns[--r->nconns];
}

void wv_relay_free(wv_relay *r)
{
    if (!r)
        return;
    while (r->nconns > 0)
        conn_close(r, r->nconns - 1, "the relay stops");
    if (r->lfd >= 0)
        close(r->lfd);
    free(r->listen);
    free(r->target);
    free(r);
}

const char *wv_relay_address(const wv_relay *r)
{
    return r->address;
}

static void no_delay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on unix */
}

static void accept_one(wv_relay *r, int64_t now)
{
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    int fd = accept4(r->lfd, (struct sockaddr *)&from, &fl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return; /* gone before we took it, or out of descriptors: try again later */
    r->accepted++;
    char h[64] = "?", p[16] = "?";
    getnameinfo((struct sockaddr *)&from, fl, h, sizeof h, p, sizeof p, NI_NUMERICHOST | NI_NUMERICSERV);
    if (r->nconns == WV_RELAY_MAX_CONNS) {
        say(r, "connection from %s:%s refused: %d connections already", h, p, WV_RELAY_MAX_CONNS);
        close(fd);
        return;
    }
    no_delay(fd);
    int tfd = socket(r->to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    bool connecting = false;
    if (tfd >= 0 && connect(tfd, (struct sockaddr *)&r->to, r->tolen) < 0) {
        if (errno == EINPROGRESS) {
            connecting = true;
        } else {
            say(r, "connection from %s:%s: cannot reach %s: %s", h, p, r->target, strerror(errno));
            close(tfd);
            tfd = -1;
        }
    } else if (tfd < 0) {
        say(r, "connection from %s:%s: no socket: %s", h, p, strerror(errno));
    }
    if (tfd < 0) {
        close(fd);
        return;
    }
    no_delay(tfd);
    conn *c = wv_xcalloc(1, sizeof *c);
    c->fd[0] = fd;
    c->fd[1] = tfd;
    c->connecting = connecting;
    c->id = r->accepted;
    wv_relay_pipe_init(&c->pipe[0], &r->o.up);
    wv_relay_pipe_init(&c->pipe[1], &r->o.down);
    if (r->cut)
        for (int d = 0; d < 2; d++)
            wv_relay_pipe_cut(&c->pipe[d], now);
    r->conns[r->nconns++] = c;
    say(r, "connection %llu from %s:%s", (unsigned long long)c->id, h, p);
}

/* Reads what side d has room for. Returns -1 when the connection failed. */
static int pull(conn *c, int d, int64_t now)
{
    char buf[READ_MAX];
    size_t room = wv_relay_pipe_room(&c->pipe[d], now);
    if (room == 0)
        return 0;
    ssize_t n = read(c->fd[d], buf, room < sizeof buf ? room : sizeof buf);
    if (n > 0)
        wv_relay_pipe_push(&c->pipe[d], now, buf, (size_t)n);
    else if (n == 0)
        wv_relay_pipe_end(&c->pipe[d], now);
    else if (errno != EAGAIN && errno != EINTR)
        return -1;
    return 0;
}

/* Writes what pipe d has due. Returns -1 when the receiver failed. */
static int push(wv_relay *r, conn *c, int d, int64_t now)
{
    int to = c->fd[1 - d];
    if (c->connecting || c->shut[d])
        return 0;
    c->blocked[d] = false;
    for (wv_slice s; (s = wv_relay_pipe_ready(&c->pipe[d], now)).len > 0;) {
        ssize_t n = send(to, s.ptr, s.len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) {
                c->blocked[d] = true;
                return 0;
            }
            return errno == EINTR ? 0 : -1;
        }
        wv_relay_pipe_take(&c->pipe[d], (size_t)n);
        r->delivered[d] += (uint64_t)n;
    }
    if (wv_relay_pipe_ended(&c->pipe[d], now)) {
        shutdown(to, SHUT_WR);
        c->shut[d] = true;
    }
    return 0;
}

/* Moves everything due on every connection; closes those that failed or
 * ended both ways. */
static void push_all(wv_relay *r, int64_t now)
{
    for (int i = r->nconns - 1; i >= 0; i--) {
        conn *c = r->conns[i];
        if (push(r, c, 0, now) < 0 || push(r, c, 1, now) < 0)
            conn_close(r, i, strerror(errno));
        else if (c->shut[0] && c->shut[1])
            conn_close(r, i, "ended both ways");
    }
}

int wv_relay_poll(wv_relay *r, const int *watch, int nwatch, int64_t max_wait_us, char *err,
                  size_t errsz)
{
    WV_ASSERT(nwatch >= 0 && nwatch <= WATCH_MAX);
    int64_t now = mono_us();
    push_all(r, now);

    struct pollfd pfd[1 + WATCH_MAX + 2 * WV_RELAY_MAX_CONNS];
    int n = 0;
    pfd[n++] = (struct pollfd){ r->lfd, POLLIN, 0 };
    for (int w = 0; w < nwatch; w++)
        pfd[n++] = (struct pollfd){ watch[w], POLLIN, 0 };
    int64_t wake = max_wait_us >= WV_RELAY_NEVER - now ? WV_RELAY_NEVER : now + max_wait_us;
    for (int i = 0; i < r->nconns; i++) {
        conn *c = r->conns[i];
        for (int s = 0; s < 2; s++) {
            /* socket s is pipe[s]'s sender and pipe[1 - s]'s receiver */
            short ev = 0;
            if (!(s == 1 && c->connecting) && wv_relay_pipe_room(&c->pipe[s], now) > 0)
                ev |= POLLIN;
            if ((s == 1 && c->connecting) || c->blocked[1 - s])
                ev |= POLLOUT;
            /* nothing asked: -1, or a hung-up socket would wake us at once */
            pfd[n++] = (struct pollfd){ ev ? c->fd[s] : -1, ev, 0 };
            if (!c->blocked[s] && !c->connecting) {
                int64_t t = wv_relay_pipe_next(&c->pipe[s], now);
                if (t < wake)
                    wake = t;
            }
        }
    }
    struct timespec ts, *tsp = NULL;
    if (wake != WV_RELAY_NEVER) {
        int64_t us = wake > now ? wake - now : 0;
        ts.tv_sec = (time_t)(us / 1000000);
        ts.tv_nsec = (long)(us % 1000000) * 1000;
        tsp = &ts;
    }
    if (ppoll(pfd, (nfds_t)n, tsp, NULL) < 0) {
        if (errno == EINTR)
            return 0;
        snprintf(err, errsz, "poll: %s", strerror(errno));
        return -1;
    }

    now = mono_us();
    int ready = 0;
    for (int w = 0; w < nwatch; w++)
        if (pfd[1 + w].revents)
            ready |= 1 << w;
    /* Connections first, from the back, as closing moves the last one into
     * the closed one's place; the fds polled follow the same order. */
    for (int i = r->nconns - 1; i >= 0; i--) {
        conn *c = r->conns[i];
        struct pollfd *p = &pfd[1 + nwatch + 2 * i];
        if (c->connecting && p[1].revents) {
            int e = 0;
            socklen_t el = sizeof e;
            getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &el);
            if (e) {
                say(r, "connection %llu: cannot reach %s: %s", (unsigned long long)c->id,
                    r->target, strerror(e));
                conn_close(r, i, "no target");
                continue;
            }
            c->connecting = false;
        }
        for (int s = 0; s < 2; s++) {
            if ((p[s].revents & (POLLIN | POLLHUP | POLLERR)) && (p[s].events & POLLIN) &&
                pull(c, s, now) < 0) {
                conn_close(r, i, strerror(errno));
                break;
            }
        }
    }
    if (pfd[0].revents & POLLIN)
        accept_one(r, now);
    push_all(r, now);
    return ready;
}

void wv_relay_set_cut(wv_relay *r, bool cut)
{
    int64_t now = mono_us();
    r->cut = cut;
    for (int i = 0; i < r->nconns; i++)
        for (int d = 0; d < 2; d++) {
            if (cut)
                wv_relay_pipe_cut(&r->conns[i]->pipe[d], now);
            else
                wv_relay_pipe_heal(&r->conns[i]->pipe[d], now);
        }
}

void wv_relay_get_stats(const wv_relay *r, wv_relay_stats *s)
{
    memset(s, 0, sizeof *s);
    s->conns = r->nconns;
    s->accepted = r->accepted;
    s->cut = r->cut;
    for (int d = 0; d < 2; d++) {
        s->delivered[d] = r->delivered[d];
        for (int i = 0; i < r->nconns; i++)
            s->queued[d] += wv_relay_pipe_queued(&r->conns[i]->pipe[d]);
    }
}
