"""Readers for the record_*.sh tests: walviz recordings and COPY text rows,
parsed independently of walviz's own reader, byte-exact."""

_SIMPLE = {ord('n'): 10, ord('r'): 13, ord('t'): 9, ord('b'): 8, ord('f'): 12,
           ord('v'): 11, ord('\\'): 92}


def unescape(field):
    """Undoes COPY text escapes (bytes in, bytes out)."""
    out = bytearray()
    i, n = 0, len(field)
    while i < n:
        c = field[i]
        if c != 92:
            j = field.find(b'\\', i)
            j = n if j < 0 else j
            out += field[i:j]
            i = j
            continue
        i += 1
        if i == n:
            raise ValueError('backslash at the end of a field')
        c = field[i]
        i += 1
        if c in _SIMPLE:
            out.append(_SIMPLE[c])
        elif 48 <= c <= 55:
            v, k = c - 48, 1
            while k < 3 and i < n and 48 <= field[i] <= 55:
                v, i, k = v * 8 + field[i] - 48, i + 1, k + 1
            out.append(v & 0xff)
        elif c == ord('x'):
            v, k = 0, 0
            while k < 2 and i < n and chr(field[i]) in '0123456789abcdefABCDEF':
                v, i, k = v * 16 + int(chr(field[i]), 16), i + 1, k + 1
            out.append(v)
        else:
            out.append(c)
    return bytes(out)


def lsn(text):
    hi, lo = text.split('/')
    return int(hi, 16) << 32 | int(lo, 16)


def read_recording(path):
    """Returns (header dict, [(lsn, xid or None, sent_us, recv_us, data)]).
    Raises ValueError on a torn last line or a malformed line."""
    with open(path, 'rb') as f:
        raw = f.read()
    if not raw.endswith(b'\n'):
        raise ValueError('%s: the last line is torn (no newline)' % path)
    lines = raw[:-1].split(b'\n')
    if not lines or lines[0] != b'# walviz recording v1':
        raise ValueError('%s: no walviz recording header' % path)
    header, rows = {}, []
    for no, line in enumerate(lines, 1):
        if line.startswith(b'#'):
            if b': ' in line:
                k, v = line[2:].split(b': ', 1)
                header[k.decode()] = v.decode()
            continue
        f = line.split(b'\t', 4)
        if len(f) != 5:
            raise ValueError('%s:%d: expected 5 fields' % (path, no))
        xid = None if f[1] == b'-' else int(f[1])
        rows.append((lsn(f[0].decode()), xid, int(f[2]), int(f[3]), unescape(f[4])))
    return header, rows


def read_copy(path):
    """Rows of COPY text output (lsn, xid, data): [(lsn, xid, data)]."""
    with open(path, 'rb') as f:
        raw = f.read()
    rows = []
    for line in raw.split(b'\n'):
        if not line:
            continue
        a, b, c = line.split(b'\t')
        rows.append((lsn(a.decode()), None if b == b'\\N' else int(b), unescape(c)))
    return rows
