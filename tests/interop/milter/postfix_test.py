# SPDX-License-Identifier: MIT
"""
postfix_test.py -- mox-milter behind a real Postfix (interop test of
issue 9). Run by run-postfix-test.sh with /usr/bin/python3:

    postfix_test.py BUILD_DIR SRC_DIR [--reference]

Sets up (harness.py): the DNSSEC-signed zone "example." with the test
domains and DKIM keys made at test time, nsd serving it on 127.0.0.1, the
milter resolving through nsd (DNS.Servers, DNS.TrustAnchor in a config
file), and Postfix with its own directories delivering @inbox.example to a
Maildir, smtpd_milters = the milter. Clients claim their address with
XCLIENT (Postfix passes it to the milter as the client address), so
"external" senders (192.0.2.0/24 SPF-authorized, 203.0.113.0/24 not) and
"internal" ones (10.0.0.0/8, the milter's -internal network) come from
127.0.0.1. XCLIENT LOGIN=name makes Postfix give the milter
{auth_authen}=name: the SASL-authenticated submission case without a SASL
server.

Messages go in with swaks and with smtplib; the checks are on the SMTP
replies (550 5.7.1 for DMARC p=reject failures) and on the delivered
messages: Authentication-Results (exactly one with our authserv-id, spf,
dkim, dmarc results and properties), Received-SPF, the quarantine header,
removal of forged Authentication-Results with our authserv-id (others'
stay), and DKIM signatures of outbound mail (verified with dkimpy against
nsd).

--reference runs the same messages through OpenDKIM + OpenDMARC instead
(in private network/mount namespaces, OpenDMARC needs port 53), skipping
the checks that are ours only (one A-R, Received-SPF, forged A-R removal,
quarantine header, Ed25519 signing); it shows the test's expectations are
those of the reference implementations and that the benchmark's reference
configuration does the same checks.
"""

import email
import email.policy
import email.utils
import os
import random
import re
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Z, log  # noqa: E402

try:
    import dkim
except ImportError:       # pragma: no cover
    dkim = None

AUTHSERV = "mx.inbox." + Z
RCPT = "bob@inbox." + Z


# ----------------------------------------------------------------- A-R

def strip_comments(s):
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r"\([^()]*\)", " ", s)
    return s


def parse_ar(value):
    """Parse an Authentication-Results value into (authserv_id,
    [(method, result, {prop: value})])."""
    v = strip_comments(" ".join(value.split()))
    parts = [p.strip() for p in v.split(";")]
    authserv = parts[0].split()[0] if parts[0].split() else ""
    results = []
    for p in parts[1:]:
        if not p or p == "none" and not results:
            continue
        toks = p.split()
        m = re.match(r"([A-Za-z0-9_-]+)\s*=\s*([A-Za-z0-9_-]+)$", toks[0])
        if not m:
            continue
        props = {}
        for t in toks[1:]:
            k, _, val = t.partition("=")
            if k and val:
                props[k.lower()] = val.strip('"')
        results.append((m.group(1).lower(), m.group(2).lower(), props))
    return authserv, results


def headers_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return msg


def unfold(v):
    return " ".join(str(v).split())


# ---------------------------------------------------------------- cases

class Case:
    def __init__(self, name, addr, mail_from, from_dom, sign=(),
                 tool="smtplib", login=None, helo=None, tamper=False,
                 extra_headers=(), expect_code=250, spf=None, dkim=None,
                 dmarc=None, rspf=None, quarantine=False, signed_by=(),
                 forged=False, mox_only=False, ref_signed_by=None,
                 ref_code=None):
        self.name = name
        self.addr = addr
        self.mail_from = mail_from
        self.from_dom = from_dom
        self.sign = sign                # [(domain, selector)]
        self.tool = tool
        self.login = login
        self.helo = helo or "mail." + from_dom
        self.tamper = tamper
        self.extra_headers = extra_headers
        self.expect_code = expect_code
        self.spf = spf                  # expected spf= result
        self.dkim = dkim                # [(result, header.d)] expected
        self.dmarc = dmarc              # expected dmarc= result
        self.rspf = rspf                # expected Received-SPF result
        self.quarantine = quarantine
        self.signed_by = signed_by      # outbound: [(d, s)] must verify
        self.forged = forged
        self.mox_only = mox_only
        self.ref_signed_by = ref_signed_by
        self.ref_code = ref_code
        self.message = None
        self.got_code = None
        self.got_text = ""


def cases():
    R, Q, N = "reject." + Z, "quarantine." + Z, "none." + Z
    ND, O = "nodmarc." + Z, "out." + Z
    SR, SQ = "sub.reject." + Z, "sub.quarantine." + Z
    good, bad, internal = "192.0.2.10", "203.0.113.5", "10.1.2.3"
    return [
        # inbound
        Case("spf-pass-dkim-rsa", good, "alice@" + R, R, sign=[(R, "rsa")],
             tool="swaks", spf="pass", dkim=[("pass", R)], dmarc="pass",
             rspf="pass"),
        Case("spf-fail-dkim-ed25519", bad, "alice@" + R, R,
             sign=[(R, "ed")], spf="fail", dkim=[("pass", R)],
             dmarc="pass", rspf="fail"),
        Case("dkim-rsa-and-ed25519", good, "alice@" + R, R,
             sign=[(R, "rsa"), (R, "ed")], tool="swaks", spf="pass",
             dkim=[("pass", R), ("pass", R)], dmarc="pass", rspf="pass"),
        Case("reject-spf-fail-unsigned", bad, "alice@" + R, R,
             tool="swaks", expect_code=550),
        Case("reject-spf-fail-unsigned-smtplib", bad, "alice@" + R, R,
             expect_code=550),
        Case("reject-dkim-body-changed", bad, "alice@" + R, R,
             sign=[(R, "rsa")], tamper=True, expect_code=550),
        Case("dkim-body-changed-spf-pass", good, "alice@" + R, R,
             sign=[(R, "rsa")], tamper=True, spf="pass",
             dkim=[("fail", R)], dmarc="pass", rspf="pass"),
        Case("reject-unaligned-dkim", bad, "alice@" + ND, R,
             sign=[(ND, "rsa")], expect_code=550),
        Case("softfail-p-none", bad, "carol@" + N, N, tool="swaks",
             spf="softfail", dkim=[("none", None)], dmarc="fail",
             rspf="softfail"),
        Case("quarantine", bad, "dave@" + Q, Q, spf="fail",
             dkim=[("none", None)], dmarc="fail", rspf="fail",
             quarantine=True, mox_only=True),
        Case("subdomain-sp-none", bad, "erin@" + SR, SR, spf="fail",
             dkim=[("none", None)], dmarc="fail", rspf="fail"),
        Case("subdomain-sp-reject", bad, "frank@" + SQ, SQ, tool="swaks",
             expect_code=550),
        Case("subdomain-signed", bad, "frank@" + SQ, SQ,
             sign=[(SQ, "rsa")], spf="fail", dkim=[("pass", SQ)],
             dmarc="pass", rspf="fail"),
        Case("no-dmarc-neutral", bad, "gina@" + ND, ND, spf="neutral",
             dkim=[("none", None)], dmarc="none", rspf="neutral"),
        Case("forged-ar-removed", good, "alice@" + R, R, sign=[(R, "rsa")],
             tool="swaks", spf="pass", dkim=[("pass", R)], dmarc="pass",
             rspf="pass", forged=True, mox_only=True, extra_headers=[
                 "Authentication-Results: %s; dkim=pass header.d=evil.%s; "
                 "spf=pass smtp.mailfrom=evil.%s" % (AUTHSERV, Z, Z),
                 "Authentication-Results: %s;\r\n\tdmarc=pass "
                 "header.from=evil.%s" % (AUTHSERV.upper(), Z),
                 "Authentication-Results: other.%s; spf=pass "
                 "smtp.mailfrom=%s" % (Z, R)]),
        # outbound
        Case("outbound-internal", internal, "olga@" + O, O, tool="swaks",
             signed_by=[(O, "rsa"), (O, "ed")],
             ref_signed_by=[(O, "rsa")]),
        Case("outbound-internal-smtplib", internal, "olga@" + O, O,
             signed_by=[(O, "rsa"), (O, "ed")],
             ref_signed_by=[(O, "rsa")]),
        Case("outbound-authenticated", "203.0.113.9", "olga@" + O, O,
             login="olga", signed_by=[(O, "rsa"), (O, "ed")],
             ref_signed_by=[(O, "rsa")]),
        Case("outbound-authenticated-swaks", "203.0.113.9", "olga@" + O, O,
             login="olga", tool="swaks", signed_by=[(O, "rsa"), (O, "ed")],
             ref_signed_by=[(O, "rsa")]),
        # not internal, not authenticated: inbound rules, no signature
        Case("outbound-unauthenticated", "203.0.113.9", "olga@" + O, O,
             expect_code=550),
    ]


def build_message(c, zone):
    mid = "<%s.%08x@%s>" % (c.name, random.getrandbits(32), c.from_dom)
    hdrs = ["From: Test <%s>" % c.mail_from.replace(
                c.mail_from.split("@")[1], c.from_dom),
            "To: Bob <%s>" % RCPT,
            "Subject: milter interop %s" % c.name,
            "Date: %s" % email.utils.formatdate(localtime=False),
            "Message-ID: %s" % mid,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "X-Test-Case: %s" % c.name]
    hdrs += list(c.extra_headers)
    body = ("Hello,\r\n\r\nthis is test case %s.\r\n" % c.name +
            "".join("line %d of the body, with some text.\r\n" % i
                    for i in range(40)))
    msg = ("\r\n".join(hdrs) + "\r\n\r\n" + body).encode()
    for dom, sel in reversed(c.sign):
        k = zone.key(dom, sel)
        sig = dkim.sign(msg, sel.encode(), dom.encode(), k.dkimpy_key(),
                        signature_algorithm=k.algorithm(),
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"from", b"to", b"subject",
                                         b"date", b"message-id",
                                         b"x-test-case"])
        msg = sig + msg
    if c.tamper:
        msg = msg.replace(b"this is test case", b"this was test case")
    return msg


def xclient_args(c):
    a = "ADDR=%s NAME=%s" % (c.addr, c.helo)
    if c.login:
        a += " LOGIN=%s" % c.login
    return a


def send_swaks(c, port, tmp):
    path = os.path.join(tmp, "msg-%s.eml" % c.name)
    with open(path, "wb") as f:
        f.write(c.message)
    r = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(port),
         "--xclient", xclient_args(c), "--ehlo", c.helo,
         "--from", c.mail_from, "--to", RCPT, "--data", path,
         "--timeout", "60"],
        capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    # the reply to the end of data: the last server line after "."
    code, text = None, ""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*-> \.$", line):
            for l2 in lines[i + 1:]:
                m = re.match(r"^\s*<[-*~]+\s+(\d{3})[ -](.*)$", l2)
                if m:
                    code, text = int(m.group(1)), m.group(2)
                    break
    if code is None:
        m = re.findall(r"<\*\*\s+(\d{3})[ -](.*)", out)
        if m:
            code, text = int(m[-1][0]), m[-1][1]
    c.got_code, c.got_text = code, text
    c.tool_output = out


def send_smtplib(c, port):
    s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    try:
        s.ehlo("client.invalid")
        code, resp = s.docmd("XCLIENT", xclient_args(c))
        if code != 220:
            c.got_code, c.got_text = code, "XCLIENT: %r" % resp
            return
        s.ehlo(c.helo)
        try:
            s.sendmail(c.mail_from, [RCPT], c.message)
            c.got_code, c.got_text = 250, "ok"
        except smtplib.SMTPDataError as e:
            c.got_code, c.got_text = e.smtp_code, e.smtp_error.decode(
                errors="replace")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = list(e.recipients.values())[0]
            c.got_code, c.got_text = code, text.decode(errors="replace")
        except smtplib.SMTPSenderRefused as e:
            c.got_code, c.got_text = e.smtp_code, e.smtp_error.decode(
                errors="replace")
        s.quit()
    finally:
        s.close()


# ---------------------------------------------------------------- checks

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


def check_delivered(ck, c, raw, nsd, reference):
    msg = headers_of(raw)
    ars = [unfold(v) for v in (msg.get_all("Authentication-Results") or [])]
    ours = [a for a in ars if parse_ar(a)[0].lower() == AUTHSERV]
    results = []
    for a in ours:
        results += parse_ar(a)[1]
    n = c.name
    if c.signed_by:
        sigs = msg.get_all("DKIM-Signature") or []
        want = c.ref_signed_by if reference and c.ref_signed_by else \
            c.signed_by
        got = []
        for s in sigs:
            tags = dict((t.split("=", 1)[0].strip(), t.split("=", 1)[1]
                         .strip()) for t in unfold(s).split(";") if "=" in t)
            got.append((tags.get("d", ""), tags.get("s", "")))
        ck.check(sorted(got) == sorted(want),
                 "%s: signed by %s (got %s)" % (n, want, got))
        for i in range(len(sigs)):
            try:
                ok = dkim.verify(raw, dnsfunc=nsd.txt) if i == 0 else \
                    dkim.DKIM(raw).verify(idx=i, dnsfunc=nsd.txt)
            except Exception as e:      # dkimpy raises on bad input
                ok = False
                log("     dkimpy: %r" % e)
            ck.check(ok, "%s: signature %d verifies (dkimpy, key from nsd)"
                     % (n, i))
        return
    if not reference:
        ck.check(len(ours) == 1, "%s: exactly one Authentication-Results "
                 "with authserv-id %s (got %d: %s)" % (n, AUTHSERV,
                                                      len(ours), ours))
    else:
        ck.check(len(ours) >= 1, "%s: Authentication-Results with "
                 "authserv-id %s (%s)" % (n, AUTHSERV, ours))

    def first(method):
        for m, r, p in results:
            if m == method:
                return r, p
        return None, {}
    if c.spf:
        r, p = first("spf")
        if reference and c.spf in ("softfail", "neutral") and r == "fail":
            # OpenDMARC reports every SPF result other than pass, none,
            # temperror and permerror as "fail"
            r = c.spf
        ck.check(r == c.spf, "%s: spf=%s (got %s)" % (n, c.spf, r))
        mf = p.get("smtp.mailfrom", "")
        ck.check(mf.lower().endswith(c.mail_from.split("@")[1]),
                 "%s: spf smtp.mailfrom=%s (got %r)" % (
                     n, c.mail_from.split("@")[1], mf))
    if c.dkim:
        got = [(r, p.get("header.d")) for m, r, p in results if m == "dkim"]
        want = [(r, d) for r, d in c.dkim]
        if all(d is None for r, d in want):
            got = [(r, None) for r, d in got]
        ck.check(sorted(got, key=str) == sorted(want, key=str),
                 "%s: dkim results %s (got %s)" % (n, want, got))
        for m, r, p in results:
            if m == "dkim" and r == "pass":
                ck.check(p.get("header.s") in ("rsa", "ed") or reference
                         or "header.b" in p or "header.i" in p,
                         "%s: dkim=pass has header.s/header.b/header.i (%s)"
                         % (n, p))
    if c.dmarc:
        r, p = first("dmarc")
        ck.check(r == c.dmarc, "%s: dmarc=%s (got %s)" % (n, c.dmarc, r))
        if c.dmarc != "none" or "header.from" in p:
            ck.check(p.get("header.from", "").lower() == c.from_dom,
                     "%s: dmarc header.from=%s (got %r)" % (
                         n, c.from_dom, p.get("header.from")))
    if c.rspf and not reference:
        rs = msg.get_all("Received-SPF") or []
        ck.check(len(rs) == 1 and unfold(rs[0]).split()[0].lower() ==
                 c.rspf, "%s: one Received-SPF: %s (got %s)" % (
                     n, c.rspf, [unfold(x)[:60] for x in rs]))
    if not reference:
        q = msg.get_all("X-Mox-Quarantine") or []
        ck.check(bool(q) == c.quarantine, "%s: quarantine header %s "
                 "(got %s)" % (n, "present" if c.quarantine else "absent",
                               q))
    if c.forged:
        others = [a for a in ars if parse_ar(a)[0].lower() == "other." + Z]
        ck.check(len(others) == 1, "%s: other.%s's Authentication-Results "
                 "kept (got %s)" % (n, Z, others))
        evil = [a for a in ours if "evil." in a]
        ck.check(not evil, "%s: forged %s Authentication-Results removed "
                 "(left: %s)" % (n, AUTHSERV, evil))


# ------------------------------------------------------------------ main

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reference = "--reference" in sys.argv
    if len(args) != 2:
        print("usage: postfix_test.py BUILD_DIR SRC_DIR [--reference]",
              file=sys.stderr)
        return 2
    build_dir = os.path.abspath(args[0])
    harness.install_signal_handlers()
    try:
        harness.need("postfix", "nsd", "ldns-keygen", "ldns-signzone",
                     "swaks", "postqueue")
        if dkim is None:
            raise harness.Skip("python3-dkim (dkimpy) not importable")
        if reference:
            harness.need("opendkim", "opendmarc", "ip", "mount")
            harness.enter_private_netns()
        else:
            milter_bin = harness.mox_milter_path(build_dir)
            if not os.access(milter_bin, os.X_OK):
                raise harness.Skip("%s not built" % milter_bin)
        if os.geteuid() != 0:
            raise harness.Skip("needs root (Postfix runs as root and drops "
                               "privileges)")
    except harness.Skip as e:
        log("SKIP: %s" % e)
        return 77

    harness.stop_system_services()
    h = harness.Harness("postfix-test")
    ck = Checker()
    try:
        zone = harness.TestZone(h, harness.mox_path(build_dir))
        if reference:
            nsd = harness.Nsd(h, zone, port=53)
            harness.bind_resolv_conf("nameserver 127.0.0.1\n"
                                     "options attempts:2 timeout:2\n")
            od = harness.OpenDkim(h, nsd, AUTHSERV,
                                  sign=("out." + Z, "rsa",
                                        zone.key("out." + Z, "rsa").path))
            om = harness.OpenDmarc(h, AUTHSERV)
            milters = [od.socket, om.socket]
        else:
            nsd = harness.Nsd(h, zone)
            O = "out." + Z
            mm = harness.MoxMilter(
                h, milter_bin, AUTHSERV, nsd=nsd,
                internal=("10.0.0.0/8",),
                sign=["%s:rsa:%s" % (O, zone.key(O, "rsa").path),
                      "%s:ed:%s" % (O, zone.key(O, "ed").path)],
                args=["-dmarc-reject", "yes"])
            milters = [mm.socket]
        log("nsd on 127.0.0.1:%d" % nsd.port)
        pf = harness.Postfix(h, milters)
        log("postfix on 127.0.0.1:%d, milters %s" % (pf.port, milters))

        all_cases = [c for c in cases() if not (reference and c.mox_only)]
        for c in all_cases:
            c.message = build_message(c, zone)
            if c.tool == "swaks":
                send_swaks(c, pf.port, h.tmp)
            else:
                send_smtplib(c, pf.port)
            want = c.expect_code
            if reference and c.ref_code:
                want = c.ref_code
            ok = ck.check(c.got_code == want, "%s: SMTP %d via %s (got %s %s)"
                          % (c.name, want, c.tool, c.got_code, c.got_text))
            if ok and want == 550:
                ck.check(reference or "5.7.1" in c.got_text,
                         "%s: rejection is 5.7.1 (%s)" % (c.name,
                                                          c.got_text))
            if not ok and c.tool == "swaks":
                log(c.tool_output[-2000:])

        accepted = [c for c in all_cases if c.got_code == 250]
        deadline = time.monotonic() + 60
        found = {}
        while time.monotonic() < deadline:
            found = {}
            for raw in harness.read_maildir(pf.maildir).values():
                m = re.search(rb"^X-Test-Case: (\S+)", raw, re.M)
                if m:
                    found[m.group(1).decode()] = raw
            if len(found) >= len(accepted):
                break
            time.sleep(0.2)
        for c in accepted:
            raw = found.get(c.name)
            if not ck.check(raw is not None, "%s: delivered" % c.name):
                continue
            check_delivered(ck, c, raw, nsd, reference)
        if not reference:
            harness.check_milter_exit(ck, h, mm)
        if ck.failures:
            log("--- postfix log:\n" + pf.maillog_tail(60))
            for name in ("mox-milter", "opendkim", "opendmarc"):
                t = h.logtail(name, 40)
                if t:
                    log("--- %s log:\n%s" % (name, t))
    except harness.HarnessError as e:
        log("ERROR: %s" % e)
        ck.failures += 1
    finally:
        h.close()
    log("%d checks passed, %d failed" % (ck.passes, ck.failures))
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
