# SPDX-License-Identifier: MIT
"""
badinput_test.py -- mox-milter against bad milter peers, with the MTA side
of the protocol played by milterclient.py. Run by run-badinput-test.sh:

    badinput_test.py BUILD_DIR SRC_DIR

The milter answers DNS from the test zone (-zone, in memory): no nsd.
Every bad peer gets its own connection; the milter must answer it
(reject/tempfail) or close the connection, and after every one a normal
peer must still get correct answers (dkim=pass/dmarc=pass for a signed
message, 550 5.7.1 for a DMARC p=reject failure) from the same process.

Bad peers: garbage bytes, an unknown command, commands out of order, a
truncated packet then close, a huge length prefix (2^32-1, 2^31-1, just
over 1 MiB), close in the middle of a body packet, an invalid client
address, NUL octets in header fields, a 2 MB header section, 20000 header
fields, one header field larger than a milter packet may be, 200 idle
connections at once, and a body of MOX_TEST_BIG_BODY_MB (default 300) MB
in 64 KiB SMFIC_BODY packets carrying a valid Ed25519 DKIM signature: it
must verify (dkim=pass), and the milter's resident memory must not grow by
more than 100 MB meanwhile.

Also the protocol checks of an authenticated submission ({auth_authen}
macro, what Postfix sends after SASL AUTH): it is signed with every
selector of the From domain and the signatures verify (dkimpy); the same
message from the internal network is signed; without either it is
checked as inbound (DMARC p=reject of out.example: 550 5.7.1). And
several messages on one milter connection, with an SMFIC_ABORT between,
each get their own results.
"""

import base64
import hashlib
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Z, log  # noqa: E402
import milterclient as mc  # noqa: E402

try:
    import dkim
    import nacl.signing
except ImportError:       # pragma: no cover
    dkim = None

AUTHSERV = "mx.inbox." + Z
R, O, N = "reject." + Z, "out." + Z, "none." + Z


class Checker:
    def __init__(self):
        self.failures = 0
        self.passes = 0

    def check(self, cond, what):
        if cond:
            self.passes += 1
            log("ok   %s" % what)
        else:
            self.failures += 1
            log("FAIL %s" % what)
        return cond


def message(from_dom, name, body=None, extra=()):
    hdrs = ["From: Test <test@%s>" % from_dom,
            "To: Bob <bob@inbox.%s>" % Z,
            "Subject: bad input %s" % name,
            "Date: Wed, 25 Nov 2026 12:00:00 +0000",
            "Message-ID: <%s.%d@%s>" % (name, time.time_ns(), from_dom)]
    hdrs += list(extra)
    body = body or "Hello,\r\n\r\nthis is %s.\r\n" % name
    return ("\r\n".join(hdrs) + "\r\n\r\n" + body).encode()


def signed(zone, msg, dom, sel):
    k = zone.key(dom, sel)
    return dkim.sign(msg, sel.encode(), dom.encode(), k.dkimpy_key(),
                     signature_algorithm=k.algorithm(),
                     include_headers=[b"from", b"to", b"subject", b"date",
                                      b"message-id"]) + msg


def ar_results(res):
    """{method: result} of the milter's Authentication-Results (the first
    of each method)."""
    out = {}
    for v in res.header("Authentication-Results"):
        v = " ".join(v.split())
        if not v.lower().startswith(AUTHSERV):
            continue
        for part in v.split(";")[1:]:
            toks = part.strip().split()
            if toks and "=" in toks[0]:
                m, _, r = toks[0].partition("=")
                out.setdefault(m.lower(), r.lower())
    return out


class Probe:
    """A well-behaved peer: checks the milter still answers correctly."""

    def __init__(self, port, zone, ck, pid):
        self.port = port
        self.zone = zone
        self.ck = ck
        self.pid = pid
        self.good = signed(zone, message(R, "probe"), R, "rsa")
        self.bad = message(R, "probe-reject")

    def run(self, after):
        alive = harness.pid_alive(self.pid)
        self.ck.check(alive, "after %s: milter process still running"
                      % after)
        if not alive:
            return False
        try:
            r1 = mc.one_message(self.port, self.good, client_addr="192.0.2.10",
                                helo="mail." + R, mail_from="a@" + R,
                                timeout=30)
            r2 = mc.one_message(self.port, self.bad, client_addr="203.0.113.5",
                                helo="mail." + R, mail_from="a@" + R,
                                timeout=30)
        except (OSError, mc.MilterError) as e:
            self.ck.check(False, "after %s: normal peer served (%r)"
                          % (after, e))
            return False
        a = ar_results(r1)
        ok1 = r1.accepted() and a.get("dkim") == "pass" and \
            a.get("dmarc") == "pass" and a.get("spf") == "pass"
        ok2 = r2.verdict == "replycode" and r2.reply_text.startswith(
            "550 5.7.1")
        self.ck.check(ok1 and ok2, "after %s: normal peers get correct "
                      "answers (%s %s; %s %s)" % (
                          after, r1.verdict, a, r2.verdict, r2.reply_text))
        return ok1 and ok2


def raw_peer(port, data, close_write=False, timeout=3):
    """Send raw bytes; return 'closed', 'reply:<cmd>' or 'open'."""
    c = mc.MilterClient(port, timeout=timeout)
    try:
        try:
            c.send_raw(data)
            if close_write:
                c.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return "closed"
        deadline = time.monotonic() + timeout
        replies = []
        while time.monotonic() < deadline:
            try:
                c.sock.settimeout(max(0.05, deadline - time.monotonic()))
                cmd, _ = c.read_packet()
                replies.append(cmd.decode(errors="replace"))
                if cmd in mc.FINAL and cmd != mc.SMFIR_CONTINUE:
                    return "reply:" + ",".join(replies)
            except mc.MilterClosed:
                return "closed" + (" after " + ",".join(replies)
                                   if replies else "")
            except socket.timeout:
                break
            except (OSError, mc.MilterError):
                return "closed"
        return "open" + (" after " + ",".join(replies) if replies else "")
    finally:
        c.close()


def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


OPTNEG = pkt(mc.SMFIC_OPTNEG, struct.pack(">III", 6, 0x1ff, 0x1fffff))


def connect_pkts(addr="192.0.2.10"):
    return pkt(mc.SMFIC_CONNECT, b"[x]\0" + b"4" + struct.pack(">H", 25) +
               addr.encode() + b"\0")


# ----------------------------------------------------------- big body

class BigBody:
    """A body of n MiB (1 MiB blocks of 64-octet lines), its simple body
    hash, and a DKIM-Signature (ed25519-sha256, c=relaxed/simple) over a
    header made here, so a verifier that hashes the whole stream gets
    dkim=pass."""

    def __init__(self, mib, zone):
        lines = []
        for i in range(16384):
            line = ("%06d the quick brown fox jumps over the lazy dog"
                    " 0123456789" % i).ljust(62, ".")[:62]
            lines.append(line.encode() + b"\r\n")
        self.block = b"".join(lines)
        assert len(self.block) == 1 << 20
        self.mib = mib
        h = hashlib.sha256()
        for _ in range(mib):
            h.update(self.block)
        bh = base64.b64encode(h.digest()).decode()
        k = zone.key(R, "ed")
        seed = base64.b64decode(k.dkimpy_key())
        sk = nacl.signing.SigningKey(seed)
        self.headers = [
            ("From", "Big <big@%s>" % R),
            ("To", "bob@inbox.%s" % Z),
            ("Subject", "a big body"),
            ("Date", "Wed, 25 Nov 2026 12:00:00 +0000"),
            ("Message-ID", "<big.%d@%s>" % (time.time_ns(), R)),
        ]
        sigval = ("v=1; a=ed25519-sha256; c=relaxed/simple; d=%s; s=ed; "
                  "t=%d; h=from:to:subject:date:message-id; bh=%s; b="
                  % (R, int(time.time()), bh))
        data = b""
        for n, v in self.headers:
            data += relaxed_header(n, v) + b"\r\n"
        data += relaxed_header("DKIM-Signature", sigval)
        sig = sk.sign(hashlib.sha256(data).digest()).signature
        self.headers.insert(0, ("DKIM-Signature",
                                sigval + base64.b64encode(sig).decode()))

    def chunks(self, size=mc.BODY_CHUNK, mib=None):
        """The body in packets of size octets (the last, or with mib a
        shorter body than signed); self.sent counts what was taken."""
        total = (self.mib if mib is None else mib) << 20
        self.sent = 0
        off = 0
        blen = len(self.block)
        while off < total:
            n = min(size, total - off)
            s = off % blen
            if s + n <= blen:
                yield self.block[s:s + n]
            else:
                yield self.block[s:] + self.block[:n - (blen - s)]
            off += n
            self.sent = off


def relaxed_header(name, value):
    v = " ".join(value.replace("\r\n", "").split())
    return (name.lower().strip() + ":" + v).encode()


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.max_kb = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.max_kb = max(self.max_kb, harness.proc_rss_kb(self.pid))
            except OSError:
                return
            time.sleep(0.05)


# ------------------------------------------------------------------ main

def verify_signed(res, msg, nsd_or_zone):
    """Put the milter's DKIM-Signature headers on top of msg (where
    SMFIR_INSHEADER index 0 puts them) and verify each with dkimpy."""
    sigs = [(n, v) for n, v in res.added_headers
            if n.lower() == "dkim-signature"]
    out = b""
    for n, v in sigs:
        out += n.encode() + b": " + v.strip().replace(
            "\n", "\r\n").replace("\r\r", "\r").encode() + b"\r\n"
    full = out + msg
    ok = []
    for i in range(len(sigs)):
        try:
            ok.append(dkim.DKIM(full).verify(idx=i,
                                             dnsfunc=nsd_or_zone.dnsfunc))
        except Exception as e:     # dkimpy raises on bad input
            log("     dkimpy: %r" % e)
            ok.append(False)
    tags = []
    for n, v in sigs:
        t = dict((x.split("=", 1)[0].strip(), x.split("=", 1)[1].strip())
                 for x in " ".join(v.split()).split(";") if "=" in x)
        tags.append((t.get("d"), t.get("s")))
    return tags, ok


def main():
    if len(sys.argv) != 3:
        print("usage: badinput_test.py BUILD_DIR SRC_DIR", file=sys.stderr)
        return 2
    build_dir = os.path.abspath(sys.argv[1])
    harness.install_signal_handlers()
    milter_bin = harness.mox_milter_path(build_dir)
    if dkim is None:
        log("SKIP: python3-dkim/python3-nacl not importable")
        return 77
    if not os.access(milter_bin, os.X_OK):
        log("SKIP: %s not built" % milter_bin)
        return 77
    big_mib = int(os.environ.get("MOX_TEST_BIG_BODY_MB", "300"))
    ck = Checker()
    h = harness.Harness("badinput-test")
    try:
        zone = harness.TestZone(h, harness.mox_path(build_dir), sign=False)
        mm = harness.MoxMilter(
            h, milter_bin, AUTHSERV, zone=zone, internal=("10.0.0.0/8",),
            sign=["%s:rsa:%s" % (O, zone.key(O, "rsa").path),
                  "%s:ed:%s" % (O, zone.key(O, "ed").path)],
            env=harness.small_asan_quarantine_env())
        port, pid = mm.port, mm.pid
        probe = Probe(port, zone, ck, pid)
        if not probe.run("start"):
            raise harness.HarnessError("milter does not work at all")

        # --- bad peers
        bad = [
            ("garbage bytes", os.urandom(4096), False),
            ("garbage with a small length", b"\x00\x00\x00\x08Zjunkjunk" +
             os.urandom(64), False),
            ("unknown command", OPTNEG + pkt(b"Z", b"whatever"), False),
            ("zero length packet", OPTNEG + b"\x00\x00\x00\x00", False),
            ("body before negotiation", pkt(mc.SMFIC_BODY, b"x" * 100),
             False),
            ("end of message without a transaction", OPTNEG +
             connect_pkts() + pkt(mc.SMFIC_BODYEOB), False),
            ("header before MAIL", OPTNEG + connect_pkts() +
             pkt(mc.SMFIC_HEADER, b"From\0a@b\0") + pkt(mc.SMFIC_EOH) +
             pkt(mc.SMFIC_BODYEOB), False),
            ("truncated packet, then close", OPTNEG + connect_pkts() +
             b"\x00\x00\x01\x00H" + b"mail.example", True),
            ("truncated length, then close", OPTNEG + b"\x00\x00", True),
            ("huge length 2^32-1", OPTNEG + b"\xff\xff\xff\xffB" +
             b"x" * 1000, False),
            ("huge length 2^31-1", OPTNEG + connect_pkts() +
             b"\x7f\xff\xff\xffB" + b"x" * 1000, False),
            ("length just over 1 MiB", OPTNEG + connect_pkts() +
             struct.pack(">I", (1 << 20) + 2) + b"B" + b"x" * 70000, True),
            ("option negotiation with a short packet",
             pkt(mc.SMFIC_OPTNEG, b"\x00\x00\x00\x06"), False),
            ("connect with an invalid address", OPTNEG +
             pkt(mc.SMFIC_CONNECT, b"host\0" + b"4" + struct.pack(">H", 25)
                 + b"not-an-address\0") + pkt(mc.SMFIC_HELO, b"x\0"),
             False),
            ("connect without terminators", OPTNEG +
             pkt(mc.SMFIC_CONNECT, b"host4"), False),
            ("macro packet with no NULs", OPTNEG +
             pkt(mc.SMFIC_MACRO, b"Cjjjjjjjj") + connect_pkts(), False),
            ("MAIL with no argument", OPTNEG + connect_pkts() +
             pkt(mc.SMFIC_MAIL, b""), False),
        ]
        for name, data, close_write in bad:
            t0 = time.monotonic()
            outcome = raw_peer(port, data, close_write=close_write)
            dt = time.monotonic() - t0
            # an answer, a close, or (for a peer that is simply waiting
            # for more) an open connection; never a hang of the process
            log("     %s: %s in %.1fs" % (name, outcome, dt))
            ck.check(outcome.startswith(("closed", "reply", "open")),
                     "%s: answered or closed (%s)" % (name, outcome))
            probe.run(name)

        # garbage from many peers at once
        threads = [threading.Thread(target=raw_peer,
                                    args=(port, os.urandom(2000)),
                                    kwargs={"timeout": 5})
                   for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        probe.run("50 concurrent garbage peers")

        # a peer that closes in the middle of a body packet
        c = mc.MilterClient(port)
        c.negotiate()
        msg = message(R, "midbody")
        hdrs, _ = mc.split_message(msg)
        c.macros(mc.SMFIC_CONNECT, {"j": "mx"})
        c.send(mc.SMFIC_CONNECT, b"[x]\0" + b"4" + struct.pack(">H", 25) +
               b"192.0.2.10\0")
        c.read_packet()
        c.send(mc.SMFIC_HELO, b"mail.example\0")
        c.read_packet()
        c.send(mc.SMFIC_MAIL, b"<a@" + R.encode() + b">\0")
        c.read_packet()
        c.send(mc.SMFIC_RCPT, b"<b@inbox.example>\0")
        c.read_packet()
        for n, v in hdrs:
            c.send(mc.SMFIC_HEADER, n + b"\0" + v + b"\0")
            if not c.proto & mc.SMFIP_NR_HDR:
                c.read_packet()
        c.send(mc.SMFIC_EOH)
        c.read_packet()
        c.send_raw(struct.pack(">I", 65536) + b"B" + b"y" * 30000)
        c.close()
        probe.run("close in the middle of a body packet")

        # NUL octets and odd header fields (well-framed packets)
        res = None
        try:
            cl = mc.MilterClient(port, timeout=30)
            cl.negotiate()
            res = cl.transaction(message(R, "odd-headers"),
                                 client_addr="192.0.2.10",
                                 mail_from="a@" + R,
                                 headers=[(b"From", b"a@" + R.encode()),
                                          (b"X-Nul", b"a\0b"),
                                          (b"", b"no name"),
                                          (b"X-Empty", b""),
                                          (b"Fr\x00om", b"x@evil.example"),
                                          (b"X-Bin", bytes(range(1, 256)))])
            cl.quit()
        except (OSError, mc.MilterError) as e:
            res = e
        ck.check(True, "odd header fields: %r" % (res,))
        probe.run("odd header fields")

        # header sections over the limits
        def header_test(name, headers, body=b"body\r\n"):
            t0 = time.monotonic()
            try:
                cl = mc.MilterClient(port, timeout=60)
                cl.negotiate()
                r = cl.transaction(b"\r\n" + body, client_addr="192.0.2.10",
                                   mail_from="a@" + R, headers=headers)
                cl.quit()
                out = "%s %s" % (r.verdict, r.reply_text or "")
                good = r.verdict in ("reject", "tempfail", "replycode",
                                     "accept", "continue")
                if r.verdict == "replycode":
                    good = r.reply_text[:1] in ("4", "5")
            except mc.MilterClosed:
                out, good = "closed", True
            except (OSError, mc.MilterError) as e:
                out, good = "error %r" % e, True
            log("     %s: %s in %.1fs" % (name, out, time.monotonic() - t0))
            return out, good
        big_hdrs = [(b"From", b"a@" + R.encode())] + [
            (b"X-Filler-%d" % i, b"v" * 1000) for i in range(2100)]
        out, good = header_test("2 MB header section", big_hdrs)
        ck.check(good and ("552 5.3.4" in out or out.startswith(
            ("reject", "tempfail", "closed", "replycode 4",
             "replycode 5"))),
            "2 MB header section: refused (%s)" % out)
        probe.run("2 MB header section")
        many = [(b"From", b"a@" + R.encode())] + [
            (b"X-H", b"%d" % i) for i in range(20000)]
        out, good = header_test("20000 header fields", many)
        ck.check(good, "20000 header fields: answered (%s)" % out)
        probe.run("20000 header fields")
        huge1 = [(b"From", b"a@" + R.encode()),
                 (b"X-Huge", b"h" * (3 << 20))]
        out, good = header_test("one 3 MB header field", huge1)
        ck.check(good and not out.startswith(("accept", "continue")),
                 "one 3 MB header field: refused or closed (%s)" % out)
        probe.run("one 3 MB header field")

        # 200 idle connections (negotiated, then silent)
        idle = []
        try:
            for _ in range(200):
                cl = mc.MilterClient(port, timeout=10)
                cl.negotiate()
                idle.append(cl)
        except (OSError, mc.MilterError) as e:
            log("     idle connection %d: %r" % (len(idle), e))
        ck.check(len(idle) == 200, "200 idle connections accepted (%d)"
                 % len(idle))
        probe.run("200 idle connections open")
        for cl in idle:
            cl.close()
        probe.run("200 idle connections closed")

        # --- several messages on one connection, with an abort between
        cl = mc.MilterClient(port)
        cl.negotiate()
        r1 = cl.transaction(signed(zone, message(R, "first"), R, "rsa"),
                            client_addr="192.0.2.10", mail_from="a@" + R)
        r2 = cl.transaction(message(N, "second"), connect=False,
                            mail_from="c@" + N)
        # third: start, abort after the header, then a fourth message
        cl.macros(mc.SMFIC_MAIL, {})
        cl.send(mc.SMFIC_MAIL, b"<a@" + R.encode() + b">\0")
        cl.read_packet()
        cl.send(mc.SMFIC_RCPT, b"<b@inbox.example>\0")
        cl.read_packet()
        cl.send(mc.SMFIC_HEADER, b"From\0 x@" + R.encode() + b"\0")
        if not cl.proto & mc.SMFIP_NR_HDR:
            cl.read_packet()
        cl.abort()
        r4 = cl.transaction(signed(zone, message(R, "fourth"), R, "ed"),
                            connect=False, mail_from="a@" + R)
        cl.quit()
        a1, a2, a4 = ar_results(r1), ar_results(r2), ar_results(r4)
        ck.check(a1.get("dkim") == "pass" and a1.get("dmarc") == "pass",
                 "one connection, message 1: dkim=pass dmarc=pass (%s)" % a1)
        ck.check(r2.accepted() and a2.get("dkim") == "none" and
                 a2.get("spf") == "pass" and a2.get("dmarc") == "pass",
                 "one connection, message 2 (unsigned, other domain): "
                 "dkim=none spf=pass dmarc=pass (%s)" % a2)
        ck.check(a4.get("dkim") == "pass" and a4.get("dmarc") == "pass",
                 "one connection, message 4 after an abort: dkim=pass "
                 "(%s)" % a4)
        n_ar = [len(r.header("Authentication-Results")) for r in (r1, r2,
                                                                  r4)]
        ck.check(n_ar == [1, 1, 1], "one Authentication-Results per "
                 "message (%s)" % n_ar)

        # --- authenticated and internal submissions: signing
        out_msg = message(O, "outbound")
        for what, kw in (
                ("authenticated ({auth_authen})",
                 dict(client_addr="203.0.113.9",
                      macros={mc.SMFIC_MAIL: {"{auth_authen}": "olga",
                                              "{auth_type}": "PLAIN"}})),
                ("internal network", dict(client_addr="10.1.2.3"))):
            r = mc.one_message(port, out_msg, mail_from="olga@" + O, **kw)
            tags, ok = verify_signed(r, out_msg, zone)
            ck.check(r.accepted(), "%s: accepted (%s)" % (what, r.verdict))
            ck.check(sorted(tags) == sorted([(O, "rsa"), (O, "ed")]),
                     "%s: signed with out.example rsa and ed (%s)"
                     % (what, tags))
            ck.check(ok and all(ok), "%s: signatures verify with dkimpy "
                     "(%s)" % (what, ok))
        r = mc.one_message(port, out_msg, client_addr="203.0.113.9",
                           mail_from="olga@" + O)
        tags, ok = verify_signed(r, out_msg, zone)
        ck.check(not tags and r.verdict == "replycode" and
                 r.reply_text.startswith("550 5.7.1"),
                 "unauthenticated, external: not signed, DMARC reject "
                 "(%s %s, %s)" % (r.verdict, r.reply_text, tags))
        r = mc.one_message(port, out_msg, client_addr="203.0.113.9",
                           mail_from="olga@" + O,
                           macros={mc.SMFIC_MAIL: {"{auth_authen}": ""}})
        tags, ok = verify_signed(r, out_msg, zone)
        ck.check(not tags, "empty {auth_authen}: not signed (%s)" % tags)

        # --- the big body
        t0 = time.monotonic()
        bb = BigBody(big_mib, zone)
        base_rss = harness.proc_rss_kb(pid)
        sampler = RssSampler(pid)
        sampler.start()
        try:
            cl = mc.MilterClient(port, timeout=120)
            cl.negotiate()
            t1 = time.monotonic()
            r = cl.transaction(b"\r\n", client_addr="192.0.2.10",
                               mail_from="big@" + R,
                               headers=[(n.encode(), v.encode())
                                        for n, v in bb.headers],
                               body_chunks=bb.chunks())
            t2 = time.monotonic()
            cl.quit()
        finally:
            sampler.stop.set()
            sampler.join(5)
        grow_mb = (max(sampler.max_kb, harness.proc_rss_kb(pid)) -
                   base_rss) / 1024
        a = ar_results(r)
        log("     %d MiB body: %s in %.1fs (%.0f MB/s), RSS %.0f MB -> max "
            "%.0f MB" % (big_mib, a, t2 - t1, big_mib / max(t2 - t1, 1e-3),
                         base_rss / 1024, sampler.max_kb / 1024))
        ck.check(r.accepted() and a.get("dkim") == "pass",
                 "%d MiB body in 64 KiB packets: dkim=pass (%s %s)" % (
                     big_mib, r.verdict, a))
        ck.check(bb.sent == big_mib << 20, "%d MiB body: all %d octets "
                 "sent (%d)" % (big_mib, big_mib << 20, bb.sent))
        ck.check(grow_mb < 100, "%d MiB body: RSS growth %.1f MB < 100 MB"
                 % (big_mib, grow_mb))
        # the same signature over a body 1 MiB shorter: must fail, so the
        # pass above came from hashing the whole stream. The envelope is
        # not aligned with the From domain (p=reject), so only a DKIM pass
        # could save the message: a 550 means dkim failed (a rejected
        # message gets no Authentication-Results to look at)
        cl = mc.MilterClient(port, timeout=120)
        cl.negotiate()
        r = cl.transaction(b"\r\n", client_addr="203.0.113.5",
                           mail_from="big@" + N,
                           headers=[(n.encode(), v.encode())
                                    for n, v in bb.headers],
                           body_chunks=bb.chunks(mib=big_mib - 1))
        cl.quit()
        a = ar_results(r)
        ck.check(a.get("dkim") in (None, "fail") and
                 r.verdict == "replycode" and
                 r.reply_text.startswith("550 5.7.1"),
                 "%d MiB body, signature over 1 MiB more: DKIM fails, DMARC "
                 "reject (%s %s %s)" % (big_mib - 1, a, r.verdict,
                                        r.reply_text))
        log("     big body test took %.1fs" % (time.monotonic() - t0))
        probe.run("%d MiB body" % big_mib)
        harness.check_milter_exit(ck, h, mm)
    except (harness.HarnessError, OSError, mc.MilterError) as e:
        log("ERROR: %r" % (e,))
        ck.failures += 1
    finally:
        if ck.failures:
            log("--- mox-milter log:\n" + h.logtail("mox-milter", 60))
        h.close()
    log("%d checks passed, %d failed" % (ck.passes, ck.failures))
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
