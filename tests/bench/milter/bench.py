# SPDX-License-Identifier: MIT
"""
bench.py -- messages per second through Postfix with mox-milter, against
the same Postfix with OpenDKIM + OpenDMARC. Run by run-bench-milter.sh
with /usr/bin/python3:

    bench.py BUILD_DIR SRC_DIR

Both setups do the same work for every message: DKIM verification of
every signature (RSA 2048 and Ed25519), SPF of the envelope sender
(OpenDMARC: SPFSelfValidate + SPFIgnoreResults; mox-milter also checks the
HELO name), DMARC policy with rejection of p=reject failures, DMARC report
data (OpenDMARC HistoryFile, mox-milter Reports.Store), and one or more
Authentication-Results header fields. A sample of the delivered messages
is checked for those results, so neither side can win by skipping work.

Everything runs in private network and mount namespaces (OpenDMARC and
libspf2 resolve only through /etc/resolv.conf on port 53, so the test nsd
listens on 127.0.0.1:53 there and a resolv.conf naming it is bind-mounted);
the Postfix queue and the smtp-sink dump directory are on a tmpfs so disk
flushes do not hide the milters' cost. Load: smtp-source -F (one process
per message kind, sessions in parallel, one message per SMTP session
unless MOX_BENCH_REUSE=1), output to smtp-sink.

Environment: MOX_BENCH_MESSAGES (default 4000 per setup and round),
MOX_BENCH_SESSIONS (parallel SMTP sessions, default 100), MOX_BENCH_ROUNDS
(default 2, setups alternate; the best round of each counts),
MOX_BENCH_REPORTS=0 (no report data on either side), MOX_BENCH_TMPFS=0
(queue on the scratch file system), MOX_MILTER (binary), MOX_BENCH_ONLY
(mox or ref), MOX_BENCH_BASELINE=0 (no run of Postfix without milters,
which shows the ceiling Postfix itself sets on this machine).

Output (stdout):
    mox-milter: 812 msg/s, 0.21 ms CPU/msg
    opendkim+opendmarc: 301 msg/s, 0.93 ms CPU/msg
    ratio throughput 2.70x, cpu 0.23x
"""

import os
import random
import re
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
src_dir = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else \
    os.path.join(here, "..", "..", "..")
sys.path.insert(0, os.path.join(src_dir, "tests", "interop", "milter"))
sys.path.insert(0, os.path.join(here, "..", "..", "interop", "milter"))
import harness  # noqa: E402
from harness import Z, log  # noqa: E402

try:
    import dkim
except ImportError:       # pragma: no cover
    dkim = None

AUTHSERV = "mx.inbox." + Z
# Postfix listens on an address of its own on the namespace's loopback
# interface, and smtp-source connecting to it comes from that address: an
# external sender for the milters. Not 127.0.0.1: libspf2 (in OpenDMARC)
# answers "pass" for loopback clients without any DNS lookup, which would
# spare the reference setup its SPF work.
LISTEN = "192.0.2.1"
B, BN = "bench." + Z, "benchnone." + Z

# (name, share, from domain, DKIM selectors, expected results)
MIX = [
    ("rsa", 40, B, ["rsa"], {"dkim": "pass", "spf": "pass",
                             "dmarc": "pass"}),
    ("ed25519", 20, B, ["ed"], {"dkim": "pass", "spf": "pass",
                                "dmarc": "pass"}),
    ("rsa-softfail", 20, BN, ["rsa"], {"dkim": "pass", "spf": "softfail",
                                       "dmarc": "pass"}),
    ("unsigned", 10, B, [], {"dkim": "none", "spf": "pass",
                             "dmarc": "pass"}),
    ("unsigned-p-none", 10, BN, [], {"dkim": "none", "spf": "softfail",
                                     "dmarc": "fail"}),
]


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


LABELS = {"mox": "mox-milter", "ref": "opendkim+opendmarc",
          "none": "postfix without milters"}


def make_message(zone, kind, dom, sels, size=3500):
    text = ("Hello,\n\nthis message is part of the milter benchmark (%s).\n"
            % kind)
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
             "eiusmod tempor incididunt ut labore et dolore magna aliqua "
             "ut enim ad minim veniam quis nostrud exercitation").split()
    rnd = random.Random(kind)
    while len(text) < size:
        text += " ".join(rnd.choice(words) for _ in range(12)) + "\n"
    hdrs = ("From: Bench <bench@%s>\nTo: <sink@inbox.%s>\n"
            "Subject: benchmark %s\nDate: Wed, 25 Nov 2026 12:00:00 +0000\n"
            "Message-ID: <bench.%s@%s>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "X-Bench-Kind: %s\n" % (dom, Z, kind, kind, dom, kind))
    msg = (hdrs + "\n" + text).replace("\n", "\r\n").encode()
    for sel in reversed(sels):
        k = zone.key(dom, sel)
        msg = dkim.sign(msg, sel.encode(), dom.encode(), k.dkimpy_key(),
                        signature_algorithm=k.algorithm(),
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"from", b"to", b"subject",
                                         b"date", b"message-id",
                                         b"mime-version",
                                         b"content-type"]) + msg
    return msg


class Setup:
    """One milter configuration behind its own Postfix and smtp-sink."""

    def __init__(self, name, h, nsd, zone, build_dir, tmpfs, reports):
        self.name = name
        self.h = h
        self.nsd = nsd
        self.zone = zone
        self.build_dir = build_dir
        self.tmpfs = tmpfs
        self.reports = reports
        self.milters = []      # Popen objects whose CPU is counted

    def start(self):
        h = self.h
        base = h.path("run-" + self.name)
        os.makedirs(base, exist_ok=True)
        os.chmod(base, 0o755)
        if self.tmpfs:
            subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=2g,mode=755", "tmpfs", base], check=True,
                           timeout=30)
            h.on_close(lambda: subprocess.run(["umount", "-l", base],
                                              timeout=30))
        self.sub = harness.Harness(self.name, directory=base)
        h.on_close(self.sub.close)
        if self.name == "none":
            sockets = []
        elif self.name == "mox":
            conf = ""
            if self.reports:
                store = os.path.join(base, "..", "mox-store")
                os.makedirs(store, exist_ok=True)
                conf = ("Reports:\n\tStore: %s\n\tFrom: "
                        "dmarc-reports@inbox.%s\n" % (os.path.abspath(
                            store), Z))
            mm = harness.MoxMilter(
                self.sub, harness.mox_milter_path(self.build_dir), AUTHSERV,
                nsd=self.nsd, internal=("10.0.0.0/8",),
                args=["-dmarc-reject", "yes", "-log-level", "warn"],
                extra_conf=conf)
            self.milters = [mm.proc]
            sockets = [mm.socket]
        else:
            od = harness.OpenDkim(self.sub, self.nsd, AUTHSERV)
            om = harness.OpenDmarc(self.sub, AUTHSERV,
                                   history=self.reports)
            self.milters = [od.proc, om.proc]
            sockets = [od.socket, om.socket]
        self.sink = harness.SmtpSink(self.sub, dump=True)
        self.pf = harness.Postfix(self.sub, sockets, mode="relay",
                                  relay_port=self.sink.port,
                                  smtpd_procs=200, listen=LISTEN)

    def cpu(self):
        return sum(harness.proc_cpu_seconds(p.pid) for p in self.milters)

    def stop(self):
        self.sub.close()


def run_load(port, files, total, sessions, reuse):
    """smtp-source processes in parallel, one per message kind, sharing
    total and sessions by the mix. Returns (elapsed seconds, messages,
    failed processes' output)."""
    procs = []
    sent = 0
    for i, (name, share, dom, _, _) in enumerate(MIX):
        n = total * share // 100 if i < len(MIX) - 1 else total - sent
        sent += n
        s = max(1, sessions * share // 100)
        argv = ["smtp-source", "-4", "-s", str(s), "-m", str(n),
                "-F", files[name], "-f", "bench@" + dom,
                "-t", "sink@inbox." + Z, "-M", "mail." + dom]
        if reuse:
            argv.append("-d")
        argv.append("%s:%d" % (LISTEN, port))
        procs.append((name, n, subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    t0 = time.monotonic()
    errors = []
    for name, n, p in procs:
        try:
            out, _ = p.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            errors.append("%s: timed out" % name)
            continue
        if p.returncode != 0:
            errors.append("%s: exit %d: %s" % (name, p.returncode,
                                               out.decode(errors="replace")
                                               [-500:]))
    return time.monotonic() - t0, sent, errors


def wait_delivered(setup, n, timeout=120):
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline:
        got = len(os.listdir(setup.sink.dir))
        if got >= n:
            return got
        time.sleep(0.25)
    return got


def parse_ars(raw):
    """[(authserv-id, {method: (result, props)})] of a message."""
    out = []
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    head = re.sub(rb"\r?\n[ \t]+", b" ", head).decode(errors="replace")
    for line in head.splitlines():
        if not line.lower().startswith("authentication-results:"):
            continue
        v = line.split(":", 1)[1]
        v = re.sub(r"\([^()]*\)", " ", v)
        parts = [p.strip() for p in v.split(";")]
        res = {}
        for p in parts[1:]:
            toks = p.split()
            if toks and "=" in toks[0]:
                m, _, r = toks[0].partition("=")
                props = dict(t.split("=", 1) for t in toks[1:] if "=" in t)
                res.setdefault(m.lower(), (r.lower(), props))
        out.append((parts[0].split()[0] if parts[0] else "", res))
    return out


def check_sample(setup, count=60):
    """Check the results in a sample of delivered messages. Returns a list
    of problems (empty when all is well) and the kinds seen."""
    problems = []
    files = os.listdir(setup.sink.dir)
    random.shuffle(files)
    seen = {}
    expect = {m[0]: m[4] for m in MIX}
    for f in files[:count] + files[count:count + 400]:
        if len(seen) == len(MIX) and f not in files[:count]:
            break
        with open(os.path.join(setup.sink.dir, f), "rb") as fh:
            raw = fh.read()
        m = re.search(rb"X-Bench-Kind: (\S+)", raw)
        if not m:
            problems.append("%s: no X-Bench-Kind" % f)
            continue
        kind = m.group(1).decode()
        seen[kind] = seen.get(kind, 0) + 1
        ars = [r for a, r in parse_ars(raw) if a.lower() == AUTHSERV]
        merged = {}
        for r in ars:
            for k, v in r.items():
                merged.setdefault(k, v)
        for method, want in expect[kind].items():
            got = merged.get(method, (None, {}))[0]
            if setup.name == "ref" and method == "spf" and \
                    want == "softfail" and got == "fail":
                got = want     # OpenDMARC says fail for softfail
            if got != want:
                problems.append("%s (%s): %s=%s, want %s" % (
                    f, kind, method, got, want))
        if setup.name == "mox" and len(ars) != 1:
            problems.append("%s: %d A-R of ours" % (f, len(ars)))
    for kind in expect:
        if kind not in seen:
            problems.append("no delivered message of kind %s in the "
                            "sample" % kind)
    return problems, seen


def measure(setup, files, total, sessions, reuse, warmup):
    # warm up: caches, process pools
    el, n, errors = run_load(setup.pf.port, files, warmup,
                             min(sessions, 10), reuse)
    if errors:
        raise harness.HarnessError("%s warm-up: %s" % (setup.name, errors))
    if wait_delivered(setup, n) < n:
        raise harness.HarnessError("%s warm-up: %d messages not delivered"
                                   % (setup.name, n))
    for f in os.listdir(setup.sink.dir):
        os.unlink(os.path.join(setup.sink.dir, f))
    cpu0 = setup.cpu()
    dns0 = harness.proc_tree_cpu_seconds(setup.nsd.proc.pid)
    el, n, errors = run_load(setup.pf.port, files, total, sessions, reuse)
    cpu1 = setup.cpu()
    dns1 = harness.proc_tree_cpu_seconds(setup.nsd.proc.pid)
    setup.dns_ms = (dns1 - dns0) / n * 1000
    if errors:
        raise harness.HarnessError("%s: smtp-source failed: %s"
                                   % (setup.name, errors))
    got = wait_delivered(setup, n)
    if got < n:
        raise harness.HarnessError("%s: only %d of %d messages reached "
                                   "smtp-sink" % (setup.name, got, n))
    problems, seen = check_sample(setup) if setup.name != "none" else \
        ([], {})
    return n / el, (cpu1 - cpu0) / n * 1000, el, problems, seen


def direct(h, name, nsd, zone, build_dir, reports, msgs, seconds=5,
           threads=8):
    """The milters alone, driven by milterclient.py (no MTA): a message
    goes through mox-milter, or through OpenDKIM and then (with OpenDKIM's
    Authentication-Results added, as Postfix would) OpenDMARC; the CPU
    time of the milters per message without Postfix competing for the
    CPUs. The client acknowledges at once (TCP_QUICKACK) so that most of
    libmilter's 40 ms Nagle/delayed-ACK waits go away. Returns (msg/s,
    ms CPU/msg)."""
    import threading
    import milterclient as mc
    base = h.path("direct-" + name)
    os.makedirs(base, exist_ok=True)
    sub = harness.Harness(name, directory=base)
    try:
        if name == "mox":
            conf = ""
            if reports:
                store = os.path.join(base, "store")
                os.makedirs(store, exist_ok=True)
                conf = ("Reports:\n\tStore: %s\n\tFrom: "
                        "dmarc-reports@inbox.%s\n" % (store, Z))
            mm = harness.MoxMilter(
                sub, harness.mox_milter_path(build_dir), AUTHSERV, nsd=nsd,
                internal=("10.0.0.0/8",), extra_conf=conf,
                args=["-dmarc-reject", "yes", "-log-level", "warn"])
            ports, procs = [mm.port], [mm.proc]
        else:
            od = harness.OpenDkim(sub, nsd, AUTHSERV)
            om = harness.OpenDmarc(sub, AUTHSERV, history=reports)
            ports, procs = [od.port, om.port], [od.proc, om.proc]
        count = [0]
        errors = []
        lock = threading.Lock()
        stop = threading.Event()

        def worker(t):
            i = t
            while not stop.is_set():
                dom, msg = msgs[i % len(msgs)]
                i += 1
                try:
                    cur = msg
                    for port in ports:
                        c = mc.MilterClient(port, timeout=30, quickack=True)
                        try:
                            c.negotiate()
                            r = c.transaction(cur, client_addr=LISTEN,
                                              helo="mail." + dom,
                                              mail_from="bench@" + dom,
                                              rcpts=["sink@inbox." + Z])
                        finally:
                            c.quit()
                        if not r.accepted():
                            raise mc.MilterError("%s: %s %s" % (
                                dom, r.verdict, r.reply_text))
                        add = b"".join(
                            n.encode() + b": " + v.strip().encode() +
                            b"\r\n" for n, v in r.added_headers)
                        cur = add + cur
                except (OSError, mc.MilterError) as e:
                    with lock:
                        errors.append(repr(e))
                    return
                with lock:
                    count[0] += 1
        ths = [threading.Thread(target=worker, args=(t,), daemon=True)
               for t in range(threads)]
        cpu0 = sum(harness.proc_cpu_seconds(p.pid) for p in procs)
        t0 = time.monotonic()
        for th in ths:
            th.start()
        time.sleep(seconds)
        stop.set()
        for th in ths:
            th.join(30)
        el = time.monotonic() - t0
        cpu1 = sum(harness.proc_cpu_seconds(p.pid) for p in procs)
        if errors:
            raise harness.HarnessError("direct %s: %s" % (name, errors[:3]))
        n = max(count[0], 1)
        return n / el, (cpu1 - cpu0) / n * 1000
    finally:
        sub.close()


def main():
    if len(sys.argv) != 3:
        print("usage: bench.py BUILD_DIR SRC_DIR", file=sys.stderr)
        return 2
    build_dir = os.path.abspath(sys.argv[1])
    harness.install_signal_handlers()
    only = os.environ.get("MOX_BENCH_ONLY", "")
    try:
        harness.need("postfix", "nsd", "ldns-keygen", "ldns-signzone",
                     "smtp-source", "smtp-sink", "ip", "mount")
        if only != "mox":
            harness.need("opendkim", "opendmarc")
        if dkim is None:
            raise harness.Skip("python3-dkim not importable")
        if os.geteuid() != 0:
            raise harness.Skip("needs root")
        if only != "ref" and not os.access(
                harness.mox_milter_path(build_dir), os.X_OK):
            raise harness.Skip("%s not built" % harness.mox_milter_path(
                build_dir))
        harness.enter_private_netns()
        subprocess.run(["ip", "addr", "add", LISTEN + "/32", "dev", "lo"],
                       check=True, timeout=30)
    except harness.Skip as e:
        log("SKIP: %s" % e)
        return 77
    total = env_int("MOX_BENCH_MESSAGES", 4000)
    sessions = env_int("MOX_BENCH_SESSIONS", 100)
    rounds = env_int("MOX_BENCH_ROUNDS", 2)
    reuse = os.environ.get("MOX_BENCH_REUSE") == "1"
    reports = os.environ.get("MOX_BENCH_REPORTS", "1") != "0"
    tmpfs = os.environ.get("MOX_BENCH_TMPFS", "1") != "0"
    harness.stop_system_services()
    h = harness.Harness("bench-milter")
    status = 0
    try:
        zone = harness.TestZone(h, harness.mox_path(build_dir))
        nsd = harness.Nsd(h, zone, port=53)
        harness.bind_resolv_conf("nameserver 127.0.0.1\n"
                                 "options attempts:2 timeout:2\n")
        files = {}
        for name, share, dom, sels, _ in MIX:
            p = h.path("msg-%s.eml" % name)
            with open(p, "wb") as f:
                # smtp-source -F appends CRLF to each line itself
                f.write(make_message(zone, name, dom, sels).replace(
                    b"\r\n", b"\n"))
            files[name] = p
        log("%d messages per setup and round, %d sessions, %s, mix %s"
            % (total, sessions, "connections reused" if reuse else
               "one message per SMTP session",
               ", ".join("%s %d%%" % (m[0], m[1]) for m in MIX)))
        names = [n for n in ("mox", "ref") if not only or n == only]
        if os.environ.get("MOX_BENCH_BASELINE", "1") != "0":
            names.append("none")
        best = {}
        for rnd in range(rounds):
            order = names if rnd % 2 == 0 else list(reversed(names))
            for name in order:
                s = Setup(name, h, nsd, zone, build_dir, tmpfs, reports)
                try:
                    s.start()
                    rate, cpu, el, problems, seen = measure(
                        s, files, total, sessions, reuse,
                        warmup=max(100, total // 20))
                finally:
                    s.stop()
                label = LABELS[name]
                log("round %d %s: %d msg in %.2fs = %.0f msg/s, %.3f ms "
                    "CPU/msg (nsd %.3f ms/msg); sample %s"
                    % (rnd + 1, label, total, el, rate, cpu, s.dns_ms,
                       seen))
                if problems:
                    log("FAIL %s: results in delivered messages:\n  %s"
                        % (label, "\n  ".join(problems[:20])))
                    status = 1
                if name not in best or rate > best[name][0]:
                    best[name] = (rate, cpu)
        if "none" in best:
            print("postfix without milters: %.0f msg/s" % best["none"][0])
        if "mox" in best:
            print("mox-milter: %.0f msg/s, %.2f ms CPU/msg" % best["mox"])
        if "ref" in best:
            print("opendkim+opendmarc: %.0f msg/s, %.2f ms CPU/msg"
                  % best["ref"])
        if "mox" in best and "ref" in best:
            print("ratio throughput %.2fx, cpu %.2fx" % (
                best["mox"][0] / best["ref"][0],
                best["mox"][1] / best["ref"][1] if best["ref"][1] else 0))
        sys.stdout.flush()
        if os.environ.get("MOX_BENCH_DIRECT", "1") != "0":
            msgs = []
            for name, share, dom, sels, _ in MIX:
                m = make_message(zone, name, dom, sels)
                msgs += [(dom, m)] * (share // 10)
            random.Random(1).shuffle(msgs)
            dres = {}
            for name in [n for n in ("mox", "ref") if n in best]:
                dres[name] = direct(
                    h, name, nsd, zone, build_dir, reports, msgs,
                    threads=env_int("MOX_BENCH_DIRECT_THREADS", 8))
                log("direct %s: %.0f msg/s, %.3f ms CPU/msg"
                    % (LABELS[name], dres[name][0], dres[name][1]))
            # Only CPU per message: the direct rates depend on how the
            # Python client meets libmilter's Nagle/delayed-ACK waits
            # (logged above), which differ between the two setups.
            for name in dres:
                print("direct %s (milter protocol, no MTA): %.2f ms CPU/msg"
                      % (LABELS[name], dres[name][1]))
            if len(dres) == 2:
                print("direct ratio cpu %.2fx" % (dres["mox"][1] /
                                                  dres["ref"][1]))
    except (harness.HarnessError, subprocess.SubprocessError, OSError) as e:
        log("ERROR: %r" % (e,))
        status = 1
    finally:
        h.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
