#!/usr/bin/env python3
"""srvtool.py - small helpers for the ferry test servers.

  freeports N                     print N distinct free TCP ports on 127.0.0.1
  waitbanner HOST PORT PREFIX SECS [--tls] [--alive PID]
                                  wait until a server greets with PREFIX
  gen-files DIR                   write the FTP sample files (deterministic)
  gen-news OUTDIR                 write the news sample: an rnews batch
                                  (OUTDIR/batch), the active and newsgroups
                                  lines, and per article N.body, N.msgid,
                                  N.subject under OUTDIR/GROUP/
  nntp-post HOST PORT USER PASS FILE...
                                  post each FILE (an article, LF line ends)
                                  after AUTHINFO: dot-stuffed, CRLF on the wire
  nntp-get HOST PORT CMD...       send each CMD on one connection; write the
                                  data block of "CMD > FILE" to FILE and the
                                  last one's to stdout, as a reader keeps
                                  them: dot-unstuffed, lines ending in LF

Only the standard library; nothing here talks to anything but loopback.
"""
import os
import random
import socket
import ssl
import sys
import time


def freeports(n):
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            # The port must be free on ::1 as well, so a later IPv6 listener
            # (or a test's "closed port") never meets a stranger there.
            try:
                s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                s6.bind(("::1", port))
                socks.append(s6)
            except OSError:
                s.close()
                continue
            socks.append(s)
            ports.append(port)
    finally:
        for s in socks:
            s.close()
    print(" ".join(str(p) for p in ports))


def waitbanner(host, port, prefix, secs, tls=False, alive=None):
    deadline = time.monotonic() + secs
    last = "no answer"
    while time.monotonic() < deadline:
        if alive and not os.path.exists("/proc/%s" % alive):
            print("daemon (pid %s) exited" % alive, file=sys.stderr)
            return 1
        try:
            with socket.create_connection((host, int(port)), timeout=3) as raw:
                s = raw
                if tls:
                    ctx = ssl.create_default_context()
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    s = ctx.wrap_socket(raw, server_hostname=host)
                s.settimeout(5)
                data = b""
                while b"\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.decode("latin-1").strip()
                if line.startswith(prefix):
                    try:
                        s.sendall(b"QUIT\r\n")
                    except OSError:
                        pass
                    return 0
                last = "greeting %r" % line
        except (OSError, ssl.SSLError) as e:
            last = str(e)
        time.sleep(0.1)
    print("%s:%s: %s" % (host, port, last), file=sys.stderr)
    return 1


def gen_files(d):
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)

    def put(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)

    put("hello.txt", b"Hello from the ferry test server.\n"
        b"This small text file has three lines.\n"
        b"The end.\n")
    put("with space.txt", b"A file whose name has a space in it.\n")
    put("sub/nested.txt", b"A file in a subdirectory.\n")
    rng = random.Random(20240101)
    put("1mib.bin", rng.randbytes(1 << 20))
    put("20mib.bin", rng.randbytes(20 << 20))


# ---- news -------------------------------------------------------------

GROUPS = [
    # name, description, first article number (None: from 1)
    ("ferry.test", "Ferry test articles.", None),
    ("ferry.empty", "A group with no articles.", None),
    ("ferry.post", "Post here in tests.", None),
    ("a.private.group", "Readable only after AUTHINFO.", None),
    ("ferry.thread", "Threads for index: a missing parent, RFC 2047 headers.", None),
    ("ferry.big", "Article numbers at the top of INN's range (2^31-1).", 2147483645),
    ("ferry.mime", "MIME parts: attachments to list and save, search and hdr.", None),
]


def msgid(group, n):
    return "<%s.%d@ferry.invalid>" % (group, n)


def article(group, n, subject, body, extra=None, date_day=1, frm=None):
    hdrs = [
        ("Path", "ferry-origin!not-for-mail"),
        ("From", frm or "Ferry Tester <tester@ferry.invalid>"),
        ("Newsgroups", group),
        ("Subject", subject),
        ("Date", "Mon, %02d Jan 2024 %02d:%02d:00 +0000" % (date_day, n % 24, n % 60)),
        ("Message-ID", msgid(group, n)),
    ]
    if extra:
        hdrs += extra
    head = "".join("%s: %s\n" % kv for kv in hdrs)
    return head.encode("utf-8"), body


def news_articles():
    arts = []  # (group, index, subject, head bytes, body bytes)
    g = "ferry.test"

    def add(group, n, subject, body, **kw):
        head, body = article(group, n, subject, body, **kw)
        arts.append((group, n, subject, head, body))

    add(g, 1, "Welcome to ferry.test",
        b"This is article 1 of ferry.test.\n"
        b"It has three body lines.\n"
        b"Bye.\n")
    add(g, 2, "Re: Welcome to ferry.test",
        b"> This is article 1 of ferry.test.\n\n"
        b"A reply, article 2.\n",
        extra=[("References", msgid(g, 1))])
    add(g, 3, "Dots at the start of lines",
        b"The next lines start with dots and are dot-stuffed on the wire.\n"
        b".leading dot line\n"
        b"..two leading dots\n"
        b".\n"
        b"The line above is a single dot.\n")
    add(g, 4, "=?UTF-8?B?" + "R3LDvMOfZSBhdXMgZGVyIEbDpGhyZQ==" + "?=",
        "Grüße aus der Fähre: UTF-8 body, 8bit.\n".encode("utf-8"),
        extra=[("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "8bit")])
    add(g, 5, "Re: Welcome to ferry.test",
        b"Article 5 answers article 2.\n",
        extra=[("References", "%s %s" % (msgid(g, 1), msgid(g, 2)))])
    add(g, 6, "Quoted-printable body",
        b"caf=C3=A9 au lait, soft=\nbreak joined.\n",
        extra=[("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "quoted-printable")])
    add(g, 7, "A longer article",
        b"".join(b"Line %03d of a longer article.\n" % i for i in range(1, 201)))
    add(g, 8, "Control characters in the body",
        b"An escape sequence follows: \x1b[31mred\x1b[0m and a bell \x07.\n"
        b"A terminal must never see them raw.\n")

    g = "a.private.group"
    add(g, 1, "Private article one", b"Only readers who logged in see this.\n")
    add(g, 2, "Private article two", b"The second private article.\n")

    # index: a thread three deep, two replies to an article the server
    # never had (a dummy row), Latin-1 RFC 2047 words, a subject wider
    # than any terminal.
    g = "ferry.thread"
    lost = "<lost.parent@ferry.invalid>"
    add(g, 1, "Threads start here", b"The root of a thread.\n")
    add(g, 2, "Re: Threads start here", b"A reply.\n",
        extra=[("References", msgid(g, 1))])
    add(g, 3, "Re: A lost parent", b"My parent never arrived.\n",
        extra=[("References", lost)])
    # read: a base64 body and a quoted-printable one, both Latin-1.
    add(g, 4, "Re: A lost parent", b"QmFzZTY0IGJvZHk6IGTpauAgdnUuCg==\n",
        extra=[("References", lost), ("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=ISO-8859-1"),
               ("Content-Transfer-Encoding", "base64")])
    add(g, 5, "=?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=", b"d=E9j=E0 vu, quoted-printable.\n",
        frm="=?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@ferry.invalid>",
        extra=[("MIME-Version", "1.0"),
               ("Content-Type", "text/plain; charset=\"iso-8859-1\""),
               ("Content-Transfer-Encoding", "quoted-printable")])
    add(g, 6, "Re: Threads start here", b"A reply to the reply.\n",
        extra=[("References", "%s %s" % (msgid(g, 1), msgid(g, 2)))])
    add(g, 7, "A subject much wider than a terminal: " + "wide " * 30 + "END",
        b"Long subject.\n", date_day=2)

    # MIME (read lists the parts, save writes them; search and hdr): a
    # multipart/mixed article with a quoted-printable UTF-8 text part, a
    # nested multipart/alternative, a base64 binary attachment and a
    # quoted-printable attachment whose name is an RFC 2231 continuation in
    # UTF-8; the decoded attachments are kept as 1.part3 and 1.part4.
    g = "ferry.mime"
    for name, data in mime_attachments().items():
        d = os.path.join("mime-parts", name)
        arts.append(("@file", d, None, None, data))
    add(g, 1, "Two attachments", mime_body(), frm="Ann Attach <ann@ferry.invalid>",
        extra=[("MIME-Version", "1.0"),
               ("Content-Type", 'multipart/mixed; boundary="=-outer-ferry"')])
    add(g, 2, "Plain text about attachments", b"No parts here, only text.\n",
        frm="Bob Plain <bob@ferry.invalid>")
    add(g, 3, "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from the search test",
        b"Found by its decoded subject.\n", frm="Ann Attach <ann@ferry.invalid>")
    # Files inside a plain (non-MIME) body, as Usenet carried them before
    # MIME: two uuencoded blocks (the second named to climb out of the
    # directory) in article 4, a yEnc block in article 5; the decoded
    # files are kept in mime-parts/ too.
    uu = old_attachments()
    for name in ("old.bin", "ync.bin"):
        arts.append(("@file", os.path.join("mime-parts", name), None, None, uu[name]))
    add(g, 4, "An old-style file", b"The file follows.\n\n" +
        uuencode(uu["old.bin"], b"644", b"old.bin") + b"\nAnd another.\n" +
        uuencode(b"should never land\n", b"755", b"../escape.bin") + b"\n-- \nUri\n",
        frm="Uri Coder <uri@ferry.invalid>")
    add(g, 5, "A yEnc file", b"yEnc below.\n" + yencode(uu["ync.bin"], b"ync.bin") +
        b"Done.\n", frm="Uri Coder <uri@ferry.invalid>")

    g = "ferry.big"
    for i in range(1, 4):
        add(g, i, "Big number %d" % i,
            b"Article %d of ferry.big, numbered up to 2^31-1.\n" % i)
    return arts


def mime_attachments():
    rng = random.Random(20241206)
    return {
        "data.bin": rng.randbytes(3000),
        "gr\u00fc\u00dfe.txt": ("Gr\u00fc\u00dfe, a text attachment.\n"
                               "Line two = with an equals sign.\n").encode("utf-8"),
    }


def old_attachments():
    rng = random.Random(20261206)
    return {"old.bin": rng.randbytes(2000), "ync.bin": rng.randbytes(3000)}


def uuencode(data, mode, name):
    import binascii
    out = b"begin " + mode + b" " + name + b"\n"
    for i in range(0, len(data), 45):
        out += binascii.b2a_uu(data[i:i + 45], backtick=True)
    return out + b"`\nend\n"


def yencode(data, name, line=128):
    """yEnc 1.3, single part: NUL, LF, CR and "=" escaped, and a TAB,
    blank or dot that would start a line."""
    import zlib
    lines, cur = [], bytearray()
    for c in data:
        e = (c + 42) % 256
        if e in (0, 10, 13, 61) or (not cur and e in (9, 32, 46)):
            cur += bytes([61, (e + 64) % 256])
        else:
            cur.append(e)
        if len(cur) >= line:
            lines.append(bytes(cur))
            cur = bytearray()
    if cur:
        lines.append(bytes(cur))
    return (b"=ybegin line=%d size=%d name=%s\n" % (line, len(data), name) +
            b"\n".join(lines) +
            b"\n=yend size=%d crc32=%08x\n" % (len(data), zlib.crc32(data)))


def mime_body():
    import base64
    import quopri
    att = mime_attachments()
    b64 = base64.encodebytes(att["data.bin"])
    qp = quopri.encodestring(att["gr\u00fc\u00dfe.txt"])
    return (b"This is a multi-part message in MIME format.\n"
            b"--=-outer-ferry\n"
            b"Content-Type: text/plain; charset=UTF-8\n"
            b"Content-Transfer-Encoding: quoted-printable\n"
            b"\n"
            b"The text part: caf=C3=A9.\n"
            b"--=-outer-ferry\n"
            b"Content-Type: multipart/alternative; boundary=inner\n"
            b"\n"
            b"--inner\n"
            b"Content-Type: text/plain\n"
            b"\n"
            b"Nested plain alternative.\n"
            b"--inner\n"
            b"Content-Type: text/html\n"
            b"\n"
            b"<p>Nested html alternative.</p>\n"
            b"--inner--\n"
            b"--=-outer-ferry\n"
            b"Content-Type: application/octet-stream; name=\"data.bin\"\n"
            b"Content-Transfer-Encoding: base64\n"
            b"Content-Disposition: attachment; filename=\"data.bin\"\n"
            b"\n" + b64 +
            b"--=-outer-ferry\n"
            b"Content-Type: text/plain; charset=UTF-8\n"
            b"Content-Transfer-Encoding: quoted-printable\n"
            b"Content-Disposition: attachment;\n"
            b" filename*0*=utf-8''gr%C3%BC%C3%9F;\n"
            b" filename*1=e.txt\n"
            b"\n" + qp +
            # The line break before a boundary belongs to the boundary.
            b"\n--=-outer-ferry--\n"
            b"The epilogue is not shown.\n")


def gen_news(out):
    os.makedirs(out, exist_ok=True)
    batch = bytearray()
    for group, n, subject, head, body in news_articles():
        if group == "@file":
            os.makedirs(os.path.join(out, os.path.dirname(n)), exist_ok=True)
            with open(os.path.join(out, n), "wb") as f:
                f.write(body)
            continue
        art = head + b"\n" + body
        batch += b"#! rnews %d\n" % len(art) + art
        gdir = os.path.join(out, group)
        os.makedirs(gdir, exist_ok=True)
        with open(os.path.join(gdir, "%d.body" % n), "wb") as f:
            f.write(body)
        with open(os.path.join(gdir, "%d.article" % n), "wb") as f:
            f.write(art)
        with open(os.path.join(gdir, "%d.msgid" % n), "w") as f:
            f.write(msgid(group, n) + "\n")
        with open(os.path.join(gdir, "%d.subject" % n), "w") as f:
            f.write(subject + "\n")
    with open(os.path.join(out, "batch"), "wb") as f:
        f.write(batch)
    with open(os.path.join(out, "active"), "w") as f:
        for name in ("control", "control.cancel", "junk"):
            f.write("%s 0000000000 0000000001 n\n" % name)
        for name, _, first in GROUPS:
            if first is None:
                f.write("%s 0000000000 0000000001 y\n" % name)
            else:
                f.write("%s %010d %010d y\n" % (name, first - 1, first))
    with open(os.path.join(out, "newsgroups"), "w") as f:
        for name, desc, _ in GROUPS:
            f.write("%s\t%s\n" % (name, desc))
    # Creation times for NEWGROUPS: 2024-01-01, ferry.mime 2024-06-01.
    with open(os.path.join(out, "active.times"), "w") as f:
        for name, _, _ in GROUPS:
            f.write("%s %d ferry-test\n" %
                    (name, 1717200000 if name == "ferry.mime" else 1704067200))


# ---- a raw NNTP client (for tests: what the server sends, byte for byte) --

# Replies followed by a data block (RFC 3977; 211 only after LISTGROUP,
# which nntp-get does not send).
NNTP_BLOCK = {100, 101, 215, 220, 221, 222, 224, 225, 230, 231, 282}


class Nntp:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, int(port)), timeout=30)
        self.f = self.s.makefile("rb")
        self.expect(self.reply(), (200, 201))

    def reply(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise SystemExit("nntp: short reply %r" % line)
        return line[:-2]

    @staticmethod
    def expect(line, codes):
        if int(line[:3]) not in codes:
            raise SystemExit("nntp: unexpected reply %r" % line)
        return line

    def cmd(self, text):
        self.s.sendall(text.encode("latin-1") + b"\r\n")
        return self.reply()

    def block(self):
        out = bytearray()
        while True:
            line = self.f.readline()
            if not line.endswith(b"\r\n"):
                raise SystemExit("nntp: block ends early: %r" % line)
            line = line[:-2]
            if line == b".":
                return bytes(out)
            if line.startswith(b"."):
                line = line[1:]
            out += line + b"\n"

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        self.s.close()


def nntp_post(host, port, user, pw, paths):
    c = Nntp(host, port)
    c.expect(c.cmd("AUTHINFO USER " + user), (381,))
    c.expect(c.cmd("AUTHINFO PASS " + pw), (281,))
    for path in paths:
        with open(path, "rb") as f:
            art = f.read()
        c.expect(c.cmd("POST"), (340,))
        wire = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                        for l in art.rstrip(b"\n").split(b"\n"))
        c.s.sendall(wire + b".\r\n")
        c.expect(c.reply(), (240,))
    c.close()


def nntp_get(host, port, cmds):
    c = Nntp(host, port)
    data = b""
    for cmd in cmds:
        cmd, sep, path = cmd.rpartition(" > ") if " > " in cmd else (cmd, "", "")
        line = c.cmd(cmd)
        code = int(line[:3])
        if code >= 400:
            raise SystemExit("nntp: %s: %r" % (cmd, line))
        data = c.block() if code in NNTP_BLOCK else b""
        if path:
            with open(path, "wb") as f:
                f.write(data)
            data = b""
    c.close()
    sys.stdout.buffer.write(data)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "freeports":
        freeports(int(argv[2]))
        return 0
    if cmd == "waitbanner":
        args = argv[2:]
        tls = "--tls" in args
        alive = None
        if "--alive" in args:
            alive = args[args.index("--alive") + 1]
        pos = [a for i, a in enumerate(args)
               if not a.startswith("--") and (i == 0 or args[i - 1] != "--alive")]
        host, port, prefix, secs = pos[:4]
        return waitbanner(host, port, prefix, float(secs), tls, alive)
    if cmd == "gen-files":
        gen_files(argv[2])
        return 0
    if cmd == "gen-news":
        gen_news(argv[2])
        return 0
    if cmd == "nntp-post":
        nntp_post(argv[2], argv[3], argv[4], argv[5], argv[6:])
        return 0
    if cmd == "nntp-get":
        nntp_get(argv[2], argv[3], argv[4:])
        return 0
    print("unknown command %s" % cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
