#!/usr/bin/env python3
"""selfcheck.py ENV_SH - check the running test servers without ferry.

FTP: explicit TLS 1.2+/1.3 with the suite's CA, and the data channel refused
without TLS session reuse (vsftpd require_ssl_reuse=YES: Python's ftplib does
not reuse, so LIST must fail with 522; proftpd the same with 425, pure-ftpd
accepts it).  NNTP: greeting, CAPABILITIES with
STARTTLS, the sample groups and articles as fed (dot-stuffing on the wire),
the private group refused anonymously, STARTTLS with certificate and host
checks, AUTHINFO, NNTPS.  Prints one line per check; exit 1 on the first
failure."""
import ftplib
import shlex
import socket
import ssl
import sys

env = {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if "=" in line and not line.startswith("#"):
        k, v = line.split("=", 1)
        env[k] = shlex.split(v)[0] if v else ""


def ok(msg):
    print("ok   " + msg)


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def ctx(host_check=True):
    c = ssl.create_default_context(cafile=env["CA_FILE"])
    c.check_hostname = host_check
    return c


# ---- FTP ----
f = ftplib.FTP_TLS(context=ctx(), timeout=10)
f.connect("127.0.0.1", int(env["FTP_PORT"]))
f.auth()
ver = f.sock.version()
if ver not in ("TLSv1.2", "TLSv1.3"):
    fail("vsftpd AUTH TLS negotiated %s" % ver)
ok("vsftpd AUTH TLS: %s, certificate verified for 127.0.0.1" % ver)
f.login()
f.prot_p()
try:
    f.retrlines("LIST", lambda l: None)
    fail("vsftpd accepted a data connection without TLS session reuse")
except ftplib.error_perm as e:
    if not str(e).startswith("522"):
        fail("unexpected data-channel error: %s" % e)
    ok("vsftpd refuses data TLS without session reuse: %s" % e)
f.close()

# proftpd requires TLS session reuse on data connections too (mod_tls's
# default); pure-ftpd does not, so ftplib can list there.
def ftplib_list(port):
    f = ftplib.FTP_TLS(context=ctx(), timeout=10)
    f.connect("127.0.0.1", int(port))
    f.auth()
    f.login()
    f.prot_p()
    names = []
    try:
        f.retrlines("NLST", names.append)
    finally:
        f.close()
    return names


if env.get("PROFTPD_PORT"):
    try:
        ftplib_list(env["PROFTPD_PORT"])
        fail("proftpd accepted a data connection without TLS session reuse")
    except (ftplib.error_temp, ftplib.error_perm) as e:
        ok("proftpd refuses data TLS without session reuse: %s" % e)
if env.get("PUREFTPD_PORT"):
    names = ftplib_list(env["PUREFTPD_PORT"])
    if "20mib.bin" not in names:
        fail("pure-ftpd NLST over TLS without session reuse: %s" % names)
    ok("pure-ftpd lists over TLS without session reuse (it does not require it)")

# A wrong host name must not verify (the certificate names localhost, 127.0.0.1, ::1).
s = socket.create_connection(("127.0.0.1", int(env["FTPS_IMPLICIT_PORT"])), timeout=10)
try:
    ctx().wrap_socket(s, server_hostname="wrong.ferry.invalid")
    fail("the certificate verified for a wrong host name")
except ssl.SSLCertVerificationError:
    ok("implicit FTPS: certificate refused for a wrong host name")
finally:
    s.close()


# ---- NNTP ----
class Nntp:
    def __init__(self, port, tls=False, host="127.0.0.1"):
        self.s = socket.create_connection((host, int(port)), timeout=10)
        if tls:
            self.s = ctx().wrap_socket(self.s, server_hostname=host)
        self.f = self.s.makefile("rb")
        self.greeting = self.line()

    def line(self):
        return self.f.readline().decode("utf-8", "replace").rstrip("\r\n")

    def cmd(self, c, multi=False):
        self.s.sendall(c.encode() + b"\r\n")
        r = self.line()
        lines = []
        if multi and r[:1] in "12":
            while True:
                l = self.line()
                if l == ".":
                    break
                lines.append(l)
        return r, lines

    def starttls(self, host):
        r, _ = self.cmd("STARTTLS")
        if not r.startswith("382"):
            fail("STARTTLS: %s" % r)
        self.s = ctx().wrap_socket(self.s, server_hostname=host)
        self.f = self.s.makefile("rb")


n = Nntp(env["NNTP_PORT"])
if not n.greeting.startswith("200"):
    fail("nnrpd greeting: %s" % n.greeting)
r, caps = n.cmd("CAPABILITIES", True)
if "STARTTLS" not in caps:
    fail("no STARTTLS in CAPABILITIES: %s" % caps)
ok("nnrpd: %s; CAPABILITIES has STARTTLS" % n.greeting[:40])
r, _ = n.cmd("GROUP ferry.test")
if r != "211 8 1 8 ferry.test":
    fail("GROUP ferry.test: %s" % r)
r, body = n.cmd("BODY 3", True)
if "..leading dot line" not in body or ".." not in body:
    fail("BODY 3 is not dot-stuffed on the wire: %s" % body)
ok("ferry.test: 8 articles; article 3 dot-stuffed on the wire")
r, _ = n.cmd("STAT %s" % env["NNTP_MSGID_7"])
if not r.startswith("223 0 "):
    fail("STAT <msgid>: %s" % r)
r, _ = n.cmd("GROUP ferry.big")
if r != "211 3 %s %s ferry.big" % (env["NNTP_BIG_FIRST"], env["NNTP_BIG_LAST"]):
    fail("GROUP ferry.big: %s" % r)
ok("ferry.big: %s" % r)
r, _ = n.cmd("GROUP a.private.group")
if not r.startswith("480"):
    fail("anonymous GROUP a.private.group: %s" % r)
ok("a.private.group refused anonymously: %s" % r)
n.starttls("localhost")
ok("STARTTLS: %s, certificate verified for localhost" % n.s.version())
r, caps = n.cmd("CAPABILITIES", True)
if "STARTTLS" in caps:
    fail("STARTTLS still offered after STARTTLS")
r, _ = n.cmd("AUTHINFO USER %s" % env["NNTP_USER"])
r, _ = n.cmd("AUTHINFO PASS %s" % env["NNTP_PASS"])
if not r.startswith("281"):
    fail("AUTHINFO: %s" % r)
r, _ = n.cmd("GROUP a.private.group")
if r != "211 2 1 2 a.private.group":
    fail("GROUP a.private.group after AUTHINFO: %s" % r)
ok("AUTHINFO over STARTTLS; a.private.group: %s" % r)
n.cmd("QUIT")

n = Nntp(env["NNTP_PORT"])
n.cmd("AUTHINFO USER %s" % env["NNTP_USER"])
r, _ = n.cmd("AUTHINFO PASS wrong-password")
if not r.startswith("481"):
    fail("AUTHINFO with a wrong password: %s" % r)
ok("wrong password refused: %s" % r)
n.cmd("QUIT")

n = Nntp(env["NNTPS_PORT"], tls=True)
if not n.greeting.startswith("200"):
    fail("nnrpd -S greeting: %s" % n.greeting)
r, art = n.cmd("ARTICLE %s" % env["NNTP_MSGID_1"], True)
if not r.startswith("220") or "This is article 1 of ferry.test." not in art:
    fail("NNTPS ARTICLE: %s" % r)
ok("NNTPS: %s, ARTICLE by Message-ID" % n.s.version())
n.cmd("QUIT")
