#!/usr/bin/env python3
"""Write a seed for fuzz_pp_ftp / fuzz_pp_nntp (layout: see fuzz_pp.h).

  mkseed_pp.py OUT [--flags N] [--act N] [--sel N] [--opts N] [--rep N] A [B [C]]

A, B and C are the server's bytes with Python escapes (\\r, \\n, \\x00);
the server sends A, then B (rep * 128 times, once if rep is 0), then C.
Example (FTP greeting, then USER and PASS answered):
  mkseed_pp.py corpus/pp_ftp/login --flags 0x0c '220 hi\\r\\n331 pw\\r\\n230 in\\r\\n'
"""
import argparse
import codecs


def unescape(s):
    return codecs.decode(s.encode('latin-1'), 'unicode_escape').encode('latin-1')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    for opt in ('flags', 'act', 'sel', 'opts', 'rep'):
        ap.add_argument('--' + opt, type=lambda v: int(v, 0), default=0)
    ap.add_argument('a')
    ap.add_argument('b', nargs='?', default='')
    ap.add_argument('c', nargs='?', default='')
    o = ap.parse_args()
    a, b, c = unescape(o.a), unescape(o.b), unescape(o.c)
    if len(a) > 255 or len(b) > 255:
        ap.error('A and B are at most 255 bytes (put the rest in C)')
    hdr = bytes([o.flags & 255, o.act & 255, o.sel & 255, o.opts & 255,
                 o.rep & 255, len(a), len(b)])
    with open(o.out, 'wb') as f:
        f.write(hdr + a + b + c)


if __name__ == '__main__':
    main()
