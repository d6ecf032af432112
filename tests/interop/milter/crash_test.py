# SPDX-License-Identifier: MIT
"""
crash_test.py -- the DMARC evaluation store of mox-milter survives kill -9.
Run by run-crash-test.sh:

    crash_test.py BUILD_DIR SRC_DIR

mox-milter runs with DNS from the test zone (-zone) and a report store
(config Reports.Store). Each round: several concurrent milter clients
(milterclient.py) send messages from domains with a DMARC record, each
message from its own client IPv6 address; a message is "acknowledged" when
its end-of-message reply arrived. In the middle of the burst the milter is
killed with SIGKILL. Then `mox-milter dmarc-report -store PATH -list` must
open the store and list (one line per evaluation) at least every
acknowledged evaluation, found by its source IP. The milter is restarted
on the same store and port for the next round; the last listing must
still hold every evaluation acknowledged in any round.

MOX_TEST_CRASH_ROUNDS (default 3) sets the rounds.
"""

import ipaddress
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Z, log  # noqa: E402
import milterclient as mc  # noqa: E402

try:
    import dkim
except ImportError:       # pragma: no cover
    dkim = None

AUTHSERV = "mx.inbox." + Z
THREADS = 8


def make_messages(zone):
    """(from domain, mail from, message) templates: p=none unsigned (SPF
    softfail from these addresses: DMARC fail, accepted), and bench.example
    signed with rsa and ed25519 (DMARC pass)."""
    out = []
    for dom, sel in (("none." + Z, None), ("bench." + Z, "rsa"),
                     ("bench." + Z, "ed")):
        msg = ("From: <crash@%s>\r\nTo: <bob@inbox.%s>\r\n"
               "Subject: crash test\r\nDate: Wed, 25 Nov 2026 12:00:00 "
               "+0000\r\nMessage-ID: <crash.%s.%s@%s>\r\n\r\n"
               "crash test body\r\n" % (dom, Z, dom, sel, dom)).encode()
        if sel:
            k = zone.key(dom, sel)
            msg = dkim.sign(msg, sel.encode(), dom.encode(), k.dkimpy_key(),
                            signature_algorithm=k.algorithm(),
                            include_headers=[b"from", b"to", b"subject",
                                             b"date", b"message-id"]) + msg
        out.append((dom, "crash@" + dom, msg))
    return out


class Burst:
    def __init__(self, port, templates, rnd):
        self.port = port
        self.templates = templates
        self.rnd = rnd
        self.acked = set()
        self.sent = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.bad_verdicts = []

    def worker(self, t):
        """One message per milter connection, each from its own client
        address (as Postfix does for one SMTP session)."""
        seq = 0
        while not self.stop.is_set():
            seq += 1
            ip = "2001:db8:%x:%x::%x" % (self.rnd, t + 1, seq)
            dom, mf, msg = self.templates[seq % len(self.templates)]
            try:
                c = mc.MilterClient(self.port, timeout=20, quickack=True)
                try:
                    c.negotiate()
                    with self.lock:
                        self.sent += 1
                    r = c.transaction(msg, client_addr=ip, family="6",
                                      client_name="[%s]" % ip,
                                      helo="mail." + dom, mail_from=mf)
                finally:
                    c.quit()
                with self.lock:
                    if r.stage == "eom" and r.verdict in ("accept",
                                                          "continue"):
                        self.acked.add(ip)
                    else:
                        self.bad_verdicts.append((ip, r.verdict,
                                                  r.reply_text))
            except (OSError, mc.MilterError):
                # the milter is gone (killed)
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)

    def run(self):
        self.threads = [threading.Thread(target=self.worker, args=(t,),
                                         daemon=True)
                        for t in range(THREADS)]
        for th in self.threads:
            th.start()

    def join(self):
        self.stop.set()
        for th in self.threads:
            th.join(30)


IPV6_RE = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]+")


def listed_ips(milter_bin, store, config):
    r = subprocess.run([milter_bin, "dmarc-report", "-config", config,
                        "-store", store, "-list"], capture_output=True,
                       text=True, timeout=120)
    ips = set()
    lines = r.stdout.splitlines()
    for line in lines:
        for tok in IPV6_RE.findall(line):
            try:
                ips.add(str(ipaddress.ip_address(tok.strip(":"))
                            if tok.count(":") >= 2 else tok))
            except ValueError:
                pass
    return r, lines, ips


def main():
    if len(sys.argv) != 3:
        print("usage: crash_test.py BUILD_DIR SRC_DIR", file=sys.stderr)
        return 2
    build_dir = os.path.abspath(sys.argv[1])
    harness.install_signal_handlers()
    milter_bin = harness.mox_milter_path(build_dir)
    if dkim is None:
        log("SKIP: python3-dkim not importable")
        return 77
    if not os.access(milter_bin, os.X_OK):
        log("SKIP: %s not built" % milter_bin)
        return 77
    rounds = int(os.environ.get("MOX_TEST_CRASH_ROUNDS", "3"))
    failures = 0
    h = harness.Harness("crash-test")
    try:
        zone = harness.TestZone(h, harness.mox_path(build_dir), sign=False)
        store = h.path("store")
        os.makedirs(store, exist_ok=True)
        conf = ("Reports:\n"
                "\tStore: %s\n"
                "\tFrom: dmarc-reports@inbox.%s\n" % (store, Z))
        templates = make_messages(zone)
        mm = harness.MoxMilter(h, milter_bin, AUTHSERV, zone=zone,
                               internal=("10.0.0.0/8",), extra_conf=conf)
        config = os.path.join(mm.dir, "mox-milter.conf")
        all_acked = set()
        for rnd in range(1, rounds + 1):
            burst = Burst(mm.port, templates, rnd)
            burst.run()
            # let some evaluations be acknowledged, then kill mid-burst
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(burst.acked) < 40:
                time.sleep(0.01)
            time.sleep(random.uniform(0.2, 1.0))
            acked_before_kill = len(burst.acked)
            os.kill(mm.pid, signal.SIGKILL)
            mm.proc.wait(10)
            burst.join()
            acked = set(burst.acked)
            all_acked |= acked
            log("round %d: %d messages sent, %d acknowledged (%d when the "
                "kill was sent), %d connection errors after the kill"
                % (rnd, burst.sent, len(acked), acked_before_kill,
                   burst.errors))
            if burst.bad_verdicts:
                log("FAIL round %d: unexpected verdicts: %s"
                    % (rnd, burst.bad_verdicts[:5]))
                failures += 1
            if len(acked) < 40:
                log("FAIL round %d: too few acknowledged messages (%d) "
                    "before the kill" % (rnd, len(acked)))
                failures += 1
            r, lines, ips = listed_ips(milter_bin, store, config)
            missing = acked - ips
            if r.returncode != 0:
                log("FAIL round %d: dmarc-report -list exit %d: %s"
                    % (rnd, r.returncode, r.stderr.strip()[:500]))
                failures += 1
            elif missing:
                log("FAIL round %d: %d acknowledged evaluations missing "
                    "from the store (of %d listed lines), e.g. %s"
                    % (rnd, len(missing), len(lines),
                       sorted(missing)[:5]))
                if lines:
                    log("     a listed line: %s" % lines[0])
                failures += 1
            else:
                log("ok   round %d: store opens after kill -9 and lists "
                    "all %d acknowledged evaluations (%d lines)"
                    % (rnd, len(acked), len(lines)))
            mm.start()      # same store, same port
        r, lines, ips = listed_ips(milter_bin, store, config)
        missing = all_acked - ips
        if r.returncode != 0 or missing:
            log("FAIL final listing: exit %d, %d of %d acknowledged "
                "missing" % (r.returncode, len(missing), len(all_acked)))
            failures += 1
        else:
            log("ok   final listing has all %d acknowledged evaluations of "
                "%d rounds (%d lines)" % (len(all_acked), rounds,
                                          len(lines)))
        rc = mm.stop()
        san = harness.sanitizer_reports(h, mm.name)
        if rc != 0 or san:
            log("FAIL mox-milter stop: exit status %s, sanitizer reports %s"
                % (rc, san[:3]))
            failures += 1
        else:
            log("ok   mox-milter exits with 0 on SIGTERM, no sanitizer "
                "reports")
    except (harness.HarnessError, OSError, mc.MilterError,
            subprocess.TimeoutExpired) as e:
        log("ERROR: %r" % (e,))
        failures += 1
    finally:
        if failures:
            log("--- mox-milter log:\n" + h.logtail("mox-milter", 40))
        h.close()
    log("crash test: %s" % ("FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
