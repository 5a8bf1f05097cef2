# A stand-in for a real node that walviz observes directly, speaking just
# enough of PostgreSQL's protocol (v3, no TLS, no password) to answer its
# queries, and answering each query's statements in separate packets a
# while apart, so that walviz reads one query's results over several polls
# (as a real server's bigger answers arrive). It says it is a subscriber
# at 0/0; a table's statement returns, for each key asked, the row
# (KEY, 'fake-KEY'). Usage: fake_node.py PORTFILE
import re
import socket
import struct
import sys
import threading
import time


def msg(kind, body):
    return kind + struct.pack('!I', len(body) + 4) + body


def row_description(names):
    body = struct.pack('!H', len(names))
    for n in names:  # text, as any column of a text-format answer
        body += n.encode() + b'\0' + struct.pack('!IHIhih', 0, 0, 25, -1, -1, 0)
    return msg(b'T', body)


def data_row(values):
    body = struct.pack('!H', len(values))
    for v in values:
        body += struct.pack('!i', -1) if v is None else struct.pack('!i', len(v.encode())) + v.encode()
    return msg(b'D', body)


def complete(n):
    return msg(b'C', ('SELECT %d' % n).encode() + b'\0')


READY = msg(b'Z', b'I')


def read_exact(s, n):
    data = b''
    while len(data) < n:
        got = s.recv(n - len(data))
        if not got:
            raise EOFError
        data += got
    return data


def answer(statement):
    """The packets of one statement's result."""
    if 'pg_is_in_recovery' in statement:  # the positions: a subscriber
        return row_description(list('abcdef')) + data_row(['f', None, None, None, '0/0', '0/0']) + complete(1)
    if 'pg_stat_replication' in statement:  # its walsenders: none
        return row_description(['c%d' % i for i in range(12)]) + complete(0)
    names = re.findall(r' AS "([^"]+)"', statement) or ['id', 'v']
    keys = re.findall(r"'([^']*)'", statement.split(' IN (', 1)[-1])  # the keys asked, quoted
    rows = b''.join(data_row([k] + ['fake-' + k] * (len(names) - 1)) for k in keys)
    return row_description(names) + rows + complete(len(keys))


def serve(s):
    n = struct.unpack('!I', read_exact(s, 4))[0]
    body = read_exact(s, n - 4)
    if struct.unpack('!I', body[:4])[0] == 80877103:  # SSLRequest: no
        s.sendall(b'N')
        n = struct.unpack('!I', read_exact(s, 4))[0]
        read_exact(s, n - 4)
    s.sendall(msg(b'R', struct.pack('!I', 0)) + msg(b'S', b'server_version\x0015.0\x00') +
              msg(b'S', b'client_encoding\x00UTF8\x00') + msg(b'S', b'standard_conforming_strings\x00on\x00') +
              msg(b'S', b'integer_datetimes\x00on\x00') + msg(b'K', struct.pack('!II', 1, 2)) + READY)
    while True:
        kind = read_exact(s, 1)
        n = struct.unpack('!I', read_exact(s, 4))[0]
        body = read_exact(s, n - 4)
        if kind == b'P':
            s.sendall(msg(b'1', b''))
        elif kind == b'B':
            s.sendall(msg(b'2', b''))
        elif kind == b'D':
            s.sendall(row_description(['pg_is_in_recovery']))
        elif kind == b'E':
            s.sendall(data_row(['f']) + complete(1))
        elif kind == b'S':
            s.sendall(READY)
        elif kind == b'X':
            return
        elif kind == b'Q':
            for statement in body.rstrip(b'\0').decode().split(';\n'):
                s.sendall(answer(statement))
                time.sleep(0.03)  # each its own packet, walviz polling between
            s.sendall(READY)


def main():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    with open(sys.argv[1], 'w') as f:
        f.write(str(listener.getsockname()[1]))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=lambda c=conn: (serve_quietly(c)), daemon=True).start()


def serve_quietly(conn):
    try:
        serve(conn)
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


main()
