# SPDX-License-Identifier: MIT
"""
harness.py -- shared pieces of the milter interop tests and the milter
benchmark: a scratch directory with cleanup, free loopback ports, a
DNSSEC-signed test zone served by nsd, a Postfix instance with its own
config/queue/data directories, OpenDKIM/OpenDMARC/mox-milter as milters,
smtp-sink, and small helpers (DNS TXT lookups through nsd for dkimpy,
Maildir reading, /proc CPU and RSS).

Run with /usr/bin/python3 (Debian's: dkimpy and PyNaCl live there).

Everything listens on 127.0.0.1 only, every wait is bounded, and every
process started here is stopped by Harness.close() (call it in a finally
block; SIGTERM/SIGINT/SIGHUP are turned into SystemExit so it runs).
"""

import base64
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

POSTFIX_SBIN = "/usr/lib/postfix/sbin"


class HarnessError(Exception):
    pass


class Skip(Exception):
    """A needed program is missing: the test exits 77."""


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def which(prog, extra=()):
    p = shutil.which(prog)
    if p:
        return p
    for d in list(extra) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]:
        c = os.path.join(d, prog)
        if os.access(c, os.X_OK):
            return c
    return None


def need(*progs):
    """Return the paths of programs, raise Skip naming the first missing."""
    out = []
    for p in progs:
        path = which(p)
        if not path:
            raise Skip("%s not found" % p)
        out.append(path)
    return out


_closing = [0]      # Harness.close() calls in progress
_pending = []       # signals that arrived meanwhile


def install_signal_handlers():
    """SIGTERM, SIGINT, SIGHUP end the program through SystemExit, so
    finally blocks stop what was started. Only the first: timeout(1) sends
    SIGTERM to its child and then to its whole process group, and a second
    SystemExit in the middle of the cleanup would cut it short."""
    def handler(signum, frame):
        if _closing[0]:
            # in the middle of a Harness.close(): it raises this when done
            _pending.append(signum)
            return
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        log("signal %d: stopping" % signum)
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, handler)


# -------------------------------------------------------------- namespace

def enter_private_netns(resolv_conf_text=None):
    """Move this (single-threaded) process into new network and mount
    namespaces: only a loopback interface exists there (so port 53 of
    127.0.0.1 is ours), and /etc/resolv.conf can be replaced by a bind
    mount without touching the host. Children inherit both. Raises Skip
    when the kernel or the container does not allow it.

    Needed for OpenDMARC (and libspf2 inside it): they resolve only through
    libresolv, i.e. /etc/resolv.conf and port 53, with no option to name
    another server."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise Skip("cannot create network/mount namespaces (unshare: %s); "
                   "OpenDMARC can only be pointed at a test DNS server "
                   "through /etc/resolv.conf and port 53" % os.strerror(e))
    for argv in (["mount", "--make-rprivate", "/"],
                 ["ip", "link", "set", "lo", "up"]):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise Skip("%s: %s" % (" ".join(argv), r.stderr.strip()))
    if resolv_conf_text is not None:
        bind_resolv_conf(resolv_conf_text)


def bind_resolv_conf(text):
    """In a private mount namespace: bind mount a file with text over
    /etc/resolv.conf."""
    fd, path = tempfile.mkstemp(prefix="mox-resolv.", dir=scratch_root())
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    r = subprocess.run(["mount", "--bind", path, "/etc/resolv.conf"],
                       capture_output=True, text=True, timeout=30)
    os.unlink(path)     # the mount keeps the inode
    if r.returncode != 0:
        raise HarnessError("bind mount of resolv.conf: " + r.stderr)


# ------------------------------------------------------------------ ports

_given_ports = set()


def free_port(udp_too=False):
    """A port free on 127.0.0.1 for TCP (and UDP when udp_too). Another
    process may take it before we bind; callers retry where it matters."""
    for _ in range(100):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            if port in _given_ports:
                continue
            if udp_too:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    u.bind(("127.0.0.1", port))
                except OSError:
                    continue
                finally:
                    u.close()
        finally:
            t.close()
        _given_ports.add(port)
        return port
    raise HarnessError("no free port")


def wait_tcp(port, timeout=10.0, proc=None, what="server", host="127.0.0.1"):
    """Wait until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise HarnessError("%s exited with status %s before listening"
                               % (what, proc.returncode))
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise HarnessError("%s not listening on %s:%d after %.0fs"
                       % (what, host, port, timeout))


# ------------------------------------------------------------------ procs

def proc_cpu_seconds(pid):
    """utime+stime of a process (all its threads) in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime 15
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def proc_children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def proc_tree_cpu_seconds(pid):
    """CPU seconds of a process and its living descendants (nsd does its
    work in a child process)."""
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            total += proc_cpu_seconds(p)
        except OSError:
            continue
        todo += proc_children(p)
    return total


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def stop_system_services(log_prefix=""):
    """Stop a system-wide postfix, opendkim or opendmarc (Debian's pid
    files). Only those: our own instances use pid files in scratch
    directories, and other people's processes are left alone."""
    pf = read_pidfile("/var/spool/postfix/pid/master.pid")
    if pf and pid_alive(pf) and "master" in proc_cmdline(pf):
        log(log_prefix + "stopping the system postfix (pid %d)" % pf)
        subprocess.run(["postfix", "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
    for name, pidfile in (("opendkim", "/run/opendkim/opendkim.pid"),
                          ("opendmarc", "/run/opendmarc/opendmarc.pid")):
        pid = read_pidfile(pidfile)
        if pid and pid_alive(pid) and name in proc_cmdline(pid):
            log(log_prefix + "stopping the system %s (pid %d)" % (name, pid))
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            for _ in range(50):
                if not pid_alive(pid):
                    break
                time.sleep(0.1)


def scratch_root():
    """Where scratch directories go: $MOX_TEST_SCRATCH, else /run/mox-tests
    (root-owned, mode 755 all the way up: OpenDKIM refuses a config file
    below a world-writable directory such as /tmp), else /tmp."""
    root = os.environ.get("MOX_TEST_SCRATCH")
    if root:
        os.makedirs(root, exist_ok=True)
        return root
    for root in ("/run/mox-tests",):
        try:
            os.makedirs(root, mode=0o755, exist_ok=True)
            st = os.stat(root)
            if st.st_uid == 0 and not st.st_mode & 0o022:
                return root
        except OSError:
            pass
    return tempfile.gettempdir()


class Harness:
    """A scratch directory and the processes started in it."""

    def __init__(self, name, directory=None):
        """A new scratch directory; or, with directory, processes in an
        existing directory that close() leaves in place."""
        self._cleanups = []
        if directory:
            self.tmp = directory
            self.keep = True
            self.quiet = True
            return
        self.tmp = tempfile.mkdtemp(prefix="%s." % name, dir=scratch_root())
        os.chmod(self.tmp, 0o755)   # postfix and nobody traverse it
        self.keep = os.environ.get("MOX_TEST_KEEP") == "1"
        self.quiet = False
        log("scratch directory %s" % self.tmp)

    def path(self, *p):
        return os.path.join(self.tmp, *p)

    def on_close(self, fn):
        self._cleanups.append(fn)

    def spawn(self, argv, name, stdout=None, env=None, preexec_fn=None,
              cwd=None):
        """Start a program in its own process group, output to
        <tmp>/<name>.log; stopped at close (TERM, then KILL after 5 s)."""
        logf = open(self.path(name + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=stdout or logf, stderr=logf,
                             stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                             start_new_session=True, preexec_fn=preexec_fn)
        logf.close()
        p.mox_name = name

        def stop():
            stop_process(p)
        self.on_close(stop)
        return p

    def logtail(self, name, n=30):
        try:
            with open(self.path(name + ".log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def close_processes(self):
        """Stop everything started (last first), keep the directory: logs
        can still be read. A signal now must not cut this short: the
        handler only notes it, and close() ends the program after."""
        _closing[0] += 1
        try:
            while self._cleanups:
                fn = self._cleanups.pop()
                try:
                    fn()
                except BaseException as e:     # keep cleaning up
                    log("cleanup: %r" % e)
        finally:
            _closing[0] -= 1

    def close(self):
        _closing[0] += 1
        try:
            self.close_processes()
        finally:
            _closing[0] -= 1
        self._remove()
        if _pending and not _closing[0]:
            signum = _pending[0]
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                try:
                    signal.signal(s, signal.SIG_IGN)
                except ValueError:
                    pass
            log("signal %d: stopping" % signum)
            raise SystemExit(128 + signum)

    def _remove(self):
        if self.keep:
            if not self.quiet:
                log("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def stop_process(p, grace=5.0):
    if p.poll() is not None:
        return
    try:
        p.send_signal(signal.SIGTERM)
    except OSError:
        return
    try:
        p.wait(timeout=grace)
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        try:
            p.kill()
        except OSError:
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


# ------------------------------------------------------------------- keys

class DkimKey:
    """A DKIM key: PEM private key (PKCS#8), the TXT record value, and what
    dkimpy wants for signing."""

    def __init__(self, kind, pem, txt):
        self.kind = kind            # "rsa" or "ed25519"
        self.pem = pem              # bytes
        self.txt = txt              # str, "v=DKIM1; ..."
        self.path = None

    def dkimpy_key(self):
        if self.kind == "rsa":
            return self.pem
        # dkimpy takes the base64 of the 32-octet Ed25519 seed: the last 32
        # octets of the PKCS#8 DER.
        der = pem_to_der(self.pem)
        return base64.b64encode(der[-32:])

    def algorithm(self):
        return b"rsa-sha256" if self.kind == "rsa" else b"ed25519-sha256"


def pem_to_der(pem):
    lines = [l for l in pem.decode().splitlines()
             if l and not l.startswith("-----")]
    return base64.b64decode("".join(lines))


def gen_dkim_key(kind, mox=None):
    """Generate a key with `mox dkim` when the build has it, else openssl."""
    if mox and os.access(mox, os.X_OK):
        sub = "genrsa" if kind == "rsa" else "gened25519"
        try:
            pem = subprocess.run([mox, "dkim", sub], check=True,
                                 capture_output=True, timeout=60).stdout
            txt = subprocess.run([mox, "dkim", "txt"], input=pem,
                                 check=True, capture_output=True,
                                 timeout=60).stdout
            return DkimKey(kind, pem, txt.decode().strip())
        except subprocess.CalledProcessError as e:
            log("warning: %s dkim %s failed (%s): keys from openssl"
                % (mox, sub, e.stderr.decode(errors="replace").strip()))
    if kind == "rsa":
        pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA",
                              "-pkeyopt", "rsa_keygen_bits:2048"],
                             check=True, capture_output=True,
                             timeout=60).stdout
        pub = subprocess.run(["openssl", "pkey", "-pubout", "-outform",
                              "DER"], input=pem, check=True,
                             capture_output=True, timeout=60).stdout
        txt = "v=DKIM1; h=sha256; p=" + base64.b64encode(pub).decode()
    else:
        pem = subprocess.run(["openssl", "genpkey", "-algorithm",
                              "ED25519"], check=True, capture_output=True,
                             timeout=60).stdout
        pub = subprocess.run(["openssl", "pkey", "-pubout", "-outform",
                              "DER"], input=pem, check=True,
                             capture_output=True, timeout=60).stdout
        txt = "v=DKIM1; k=ed25519; p=" + base64.b64encode(pub[-32:]).decode()
    return DkimKey(kind, pem, txt)


def txt_rdata(value):
    """A TXT value as zone file character-strings of at most 255 octets."""
    parts = [value[i:i + 250] for i in range(0, len(value), 250)] or [""]
    return " ".join('"%s"' % p.replace("\\", "\\\\").replace('"', '\\"')
                    for p in parts)


# ------------------------------------------------------------------- zone

ZONE = "example"
Z = ZONE

# The test domains, all in the one zone "example." (a TLD reserved for
# examples, RFC 2606; not "test.", which libunbound answers itself), so
# every domain below is its own organizational domain both in DMARC's tree
# walk and with a public suffix list's default "*" rule.
#   192.0.2.0/24     authorized "external" senders (SPF pass)
#   203.0.113.0/24   unauthorized senders (SPF fail/softfail)
#   10.0.0.0/8       our internal network (outbound signing)
RECORDS = [
    # DMARC p=reject, subdomains sp=none; rua outside the domain, which
    # reports.{Z} authorizes.
    ("reject", "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    ("_dmarc.reject", "TXT",
     "v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@reports.{Z}"),
    ("reject._report._dmarc.reports", "TXT", "v=DMARC1"),
    ("sub.reject", "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    # DMARC p=quarantine, subdomains sp=reject; rua in the domain.
    ("quarantine", "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    ("_dmarc.quarantine", "TXT",
     "v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@quarantine.{Z}"),
    ("sub.quarantine", "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    # DMARC p=none; SPF softfail for unknown senders.
    ("none", "TXT", "v=spf1 ip4:192.0.2.0/24 ~all"),
    ("_dmarc.none", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@none.{Z}"),
    # No DMARC record, SPF neutral.
    ("nodmarc", "TXT", "v=spf1 ip4:192.0.2.0/24 ?all"),
    # Our own domain: mail from the internal network is signed by the
    # milter with the selectors "rsa" and "ed" of out.{Z}.
    ("out", "TXT", "v=spf1 ip4:10.0.0.0/8 -all"),
    ("_dmarc.out", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@out.{Z}"),
    # Benchmark senders: they connect from 127.0.0.1.
    ("bench", "TXT", "v=spf1 ip4:127.0.0.1 ip4:192.0.2.0/24 -all"),
    ("_dmarc.bench", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@bench.{Z}"),
    ("benchnone", "TXT", "v=spf1 ip4:127.0.0.2 ~all"),
    ("_dmarc.benchnone", "TXT", "v=DMARC1; p=none"),
    # The receiving side.
    ("inbox", "MX", "10 mx.inbox"),
    ("mx.inbox", "A", "127.0.0.1"),
    ("mail.reject", "A", "192.0.2.10"),
]

# DKIM selectors published at test time: (domain, selector, kind)
SELECTORS = [
    ("reject", "rsa", "rsa"), ("reject", "ed", "ed25519"),
    ("quarantine", "rsa", "rsa"), ("sub.quarantine", "rsa", "rsa"),
    ("none", "rsa", "rsa"), ("nodmarc", "rsa", "rsa"),
    ("out", "rsa", "rsa"), ("out", "ed", "ed25519"),
    ("bench", "rsa", "rsa"), ("bench", "ed", "ed25519"),
    ("benchnone", "rsa", "rsa"),
]


class TestZone:
    """The signed zone "test." in a scratch directory, its keys and the
    trust anchor (DS) file."""

    def __init__(self, h, mox=None, sign=True):
        self.h = h
        self.keys = {}      # (domain, selector) -> DkimKey
        self.txt = {}       # fqdn (no trailing dot, lowercase) -> [str]
        d = h.path("zone")
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        kd = h.path("keys")
        os.makedirs(kd, exist_ok=True)
        os.chmod(kd, 0o755)
        lines = ["$ORIGIN %s." % ZONE, "$TTL 300",
                 "@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300"
                 % (ZONE, ZONE),
                 "@ NS ns", "ns A 127.0.0.1"]
        for name, typ, value in RECORDS:
            value = value.replace("{Z}", ZONE)
            if typ == "TXT":
                lines.append("%s TXT %s" % (name, txt_rdata(value)))
                self.txt.setdefault("%s.%s" % (name, ZONE), []).append(value)
            else:
                lines.append("%s %s %s" % (name, typ, value))
        for dom, sel, kind in SELECTORS:
            k = gen_dkim_key(kind, mox)
            k.path = os.path.join(kd, "%s.%s.pem" % (sel, dom))
            with open(k.path, "wb") as f:
                f.write(k.pem)
            os.chmod(k.path, 0o644)
            self.keys[(dom + "." + ZONE, sel)] = k
            name = "%s._domainkey.%s" % (sel, dom)
            lines.append("%s TXT %s" % (name, txt_rdata(k.txt)))
            self.txt[name + "." + ZONE] = [k.txt]
        self.unsigned = os.path.join(d, ZONE + ".zone")
        with open(self.unsigned, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.signed = self.ds_file = self.dnskey_file = None
        if not sign:
            return
        # sign it: one ECDSA key with the KSK flag signs everything
        r = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k",
                            ZONE], cwd=d, capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise HarnessError("ldns-keygen: " + r.stderr)
        base = os.path.join(d, r.stdout.strip())
        self.signed = self.unsigned + ".signed"
        r = subprocess.run(["ldns-signzone", "-o", ZONE + ".", "-f",
                            self.signed, self.unsigned, base],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise HarnessError("ldns-signzone: " + r.stderr)
        self.ds_file = base + ".ds"          # trust anchor (DS)
        self.dnskey_file = base + ".key"     # trust anchor (DNSKEY)
        for p in os.listdir(d):
            os.chmod(os.path.join(d, p), 0o644)

    def key(self, domain, selector):
        return self.keys[(domain, selector)]

    def zone_text(self):
        """The unsigned zone, for a milter's in-memory resolver (-zone)."""
        with open(self.unsigned) as f:
            return f.read()

    def dnsfunc(self, name, timeout=5):
        """dkimpy dnsfunc from the zone data (no network)."""
        if isinstance(name, bytes):
            name = name.decode()
        vals = self.txt.get(name.rstrip(".").lower())
        return vals[0].encode() if vals else None


# -------------------------------------------------------------------- nsd

def dns_query(port, name, qtype=16, timeout=2.0):
    """One question to 127.0.0.1:port over TCP. Returns (rcode, [rdata
    bytes of answer RRs of qtype])."""
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        b = label.encode()
        q += bytes([len(b)]) + b
    q += b"\0" + struct.pack(">HH", qtype, 1)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(struct.pack(">H", len(q)) + q)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = s.recv(65536)
            if not chunk:
                raise HarnessError("DNS: short answer")
            buf += chunk
    r = buf[2:]
    rid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", r[:12])
    if rid != qid:
        raise HarnessError("DNS: id mismatch")

    def skip_name(off):
        while True:
            l = r[off]
            if l == 0:
                return off + 1
            if l & 0xc0 == 0xc0:
                return off + 2
            off += 1 + l
    off = 12
    for _ in range(qd):
        off = skip_name(off) + 4
    out = []
    for _ in range(an):
        off = skip_name(off)
        typ, cls, ttl, rdlen = struct.unpack(">HHIH", r[off:off + 10])
        off += 10
        if typ == qtype:
            out.append(r[off:off + rdlen])
        off += rdlen
    return flags & 0xf, out


def txt_strings(rdata):
    out, off = [], 0
    while off < len(rdata):
        l = rdata[off]
        out.append(rdata[off + 1:off + 1 + l])
        off += 1 + l
    return b"".join(out)


class Nsd:
    """nsd serving the signed test zone on 127.0.0.1 (a free port, or the
    given one)."""

    def __init__(self, h, zone, port=None):
        self.h = h
        self.zone = zone
        self.proc = None
        fixed = port
        for attempt in range(5):
            self.port = fixed or free_port(udp_too=True)
            conf = h.path("nsd.conf")
            with open(conf, "w") as f:
                f.write("""server:
	ip-address: 127.0.0.1@{port}
	port: {port}
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "{d}"
	pidfile: "{t}/nsd.pid"
	database: ""
	zonelistfile: "{t}/nsd.zone.list"
	xfrdfile: "{t}/nsd.xfrd.state"
	logfile: "{t}/nsd.logfile"
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "{z}"
	zonefile: "{zf}"
""".format(port=self.port, d=os.path.dirname(zone.signed), t=h.tmp,
                    z=ZONE, zf=zone.signed))
            self.proc = h.spawn(["nsd", "-d", "-c", conf], "nsd")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    rc, _ = dns_query(self.port, ZONE, qtype=6, timeout=0.5)
                    if rc == 0:
                        return
                except (OSError, HarnessError):
                    pass
                time.sleep(0.1)
            log("nsd did not start on port %d (attempt %d):\n%s"
                % (self.port, attempt + 1, h.logtail("nsd")))
            stop_process(self.proc)
            if fixed:
                break
        raise HarnessError("could not start nsd")

    def txt(self, name, timeout=5):
        """dkimpy dnsfunc through nsd."""
        if isinstance(name, bytes):
            name = name.decode()
        rc, rrs = dns_query(self.port, name, qtype=16, timeout=timeout)
        if rc != 0 or not rrs:
            return None
        return txt_strings(rrs[0])


# ---------------------------------------------------------------- postfix

MASTER_CF = """\
{smtpd_listen} inet n - n - {smtpd_procs} smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A Postfix instance with its own config_directory, queue_directory
    and data_directory under the scratch directory, listening on
    127.0.0.1:<free port>.

    mode "maildir": mail for @inbox.example is delivered by the virtual(8)
    agent to <tmp>/mail/box/ (Maildir). mode "relay": everything is
    relayed to [127.0.0.1]:relay_port (smtp-sink).
    XCLIENT is allowed from 127.0.0.1, so a test client can claim any
    client address and SASL login (XCLIENT LOGIN=) as the milters see it.
    """

    def __init__(self, h, milters, mode="maildir", relay_port=None,
                 name="postfix", queue_dir=None, smtpd_procs=100,
                 extra=None, listen="127.0.0.1"):
        self.h = h
        self.name = name
        self.base = h.path(name)
        self.conf = os.path.join(self.base, "etc")
        self.queue = queue_dir or os.path.join(self.base, "queue")
        self.data = os.path.join(self.base, "data")
        self.maildir = h.path("mail", "box")
        self.maillog = os.path.join(self.base, "maillog")
        for d in (self.base, self.conf, self.queue, self.data):
            os.makedirs(d, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chmod(self.base, 0o755)
        os.chmod(self.conf, 0o755)
        os.chmod(self.queue, 0o755)
        os.chown(self.data, pw.pw_uid, pw.pw_gid)
        os.chmod(self.data, 0o700)
        if mode == "maildir":
            md = h.path("mail")
            os.makedirs(md, exist_ok=True)
            nob = pwd.getpwnam("nobody")
            os.chown(md, nob.pw_uid, nob.pw_gid)
            self.vuid, self.vgid = nob.pw_uid, nob.pw_gid
        self.port = free_port()
        main = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": self.data,
            "command_directory": "/usr/sbin",
            "daemon_directory": POSTFIX_SBIN,
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mx.inbox." + ZONE,
            "mydomain": "inbox." + ZONE,
            "myorigin": "$myhostname",
            "mydestination": "",
            "inet_interfaces": listen,
            "inet_protocols": "ipv4",
            # only 127.0.0.1 can connect, but XCLIENT makes clients
            # appear from anywhere: everyone may relay
            "mynetworks": "0.0.0.0/0",
            "smtpd_authorized_xclient_hosts": "127.0.0.0/8",
            "smtpd_relay_restrictions":
                "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtpd_client_restrictions": "",
            "smtpd_helo_restrictions": "",
            "smtpd_sender_restrictions": "",
            "smtpd_milters": ", ".join(milters),
            "non_smtpd_milters": "",
            "milter_default_action": "tempfail",
            "milter_protocol": "6",
            "milter_connect_timeout": "10s",
            "milter_command_timeout": "30s",
            "milter_content_timeout": "60s",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.base,
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "biff": "no",
            "append_dot_mydomain": "no",
            "smtputf8_enable": "no",
            "smtp_host_lookup": "native",
            "smtp_dns_support_level": "disabled",
            "smtpd_peername_lookup": "no",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
            "smtpd_client_message_rate_limit": "0",
            "anvil_rate_time_unit": "60s",
            "smtpd_error_sleep_time": "0",
            "smtpd_soft_error_limit": "1000",
            "smtpd_hard_error_limit": "1000",
            "in_flow_delay": "0",
            "delay_warning_time": "0",
            "maximal_queue_lifetime": "1h",
            "bounce_queue_lifetime": "1h",
            "notify_classes": "",
            "smtpd_tls_security_level": "none",
            "smtp_tls_security_level": "none",
            "smtpd_sasl_auth_enable": "no",
            "message_size_limit": "52428800",
            "default_process_limit": "200",
        }
        if mode == "maildir":
            main.update({
                "virtual_mailbox_domains": "inbox." + ZONE,
                "virtual_mailbox_base": h.path("mail"),
                "virtual_mailbox_maps": "static:box/",
                "virtual_uid_maps": "static:%d" % self.vuid,
                "virtual_gid_maps": "static:%d" % self.vgid,
                "virtual_minimum_uid": "100",
                "virtual_mailbox_limit": "0",
                "relayhost": "",
                "default_transport": "error:no outbound mail in this test",
            })
        else:
            main.update({
                "relayhost": "[127.0.0.1]:%d" % relay_port,
                "default_transport": "smtp",
                "relay_transport": "smtp",
                "smtp_destination_concurrency_limit": "50",
                "default_destination_concurrency_limit": "50",
                "smtp_connection_cache_on_demand": "yes",
                "smtp_connection_cache_destinations":
                    "[127.0.0.1]:%d" % relay_port,
                "qmgr_message_active_limit": "20000",
            })
        if extra:
            main.update(extra)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for k, v in main.items():
                f.write("%s = %s\n" % (k, v))
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(
                smtpd_listen="%s:%d" % (listen, self.port),
                smtpd_procs=smtpd_procs))
        self.env = dict(os.environ, MAIL_CONFIG=self.conf)
        h.on_close(self.stop)
        self._postfix("check", check=False)
        self._postfix("set-permissions", check=False)
        self._postfix("start")
        self.listen = listen
        wait_tcp(self.port, timeout=20, what="postfix smtpd", host=listen)

    def _postfix(self, cmd, check=True):
        r = subprocess.run(["postfix", "-c", self.conf, cmd], env=self.env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0 and check:
            raise HarnessError("postfix -c %s %s: %s%s\n%s" % (
                self.conf, cmd, r.stdout, r.stderr, self.maillog_tail()))
        return r

    def master_pid(self):
        return read_pidfile(os.path.join(self.queue, "pid", "master.pid"))

    def stop(self):
        pid = self.master_pid()
        if not pid or not pid_alive(pid):
            return
        try:
            self._postfix("stop", check=False)
        except subprocess.TimeoutExpired:
            pass
        for _ in range(100):
            if not pid_alive(pid):
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass

    def maillog_tail(self, n=40):
        try:
            with open(self.maillog, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def queue_empty(self):
        r = subprocess.run(["postqueue", "-c", self.conf, "-j"],
                           env=self.env, capture_output=True, text=True,
                           timeout=30)
        return r.returncode == 0 and not r.stdout.strip()


def read_maildir(d):
    """{filename: bytes} of the messages in a Maildir's new/ and cur/."""
    out = {}
    for sub in ("new", "cur"):
        p = os.path.join(d, sub)
        try:
            names = os.listdir(p)
        except FileNotFoundError:
            continue
        for n in names:
            try:
                with open(os.path.join(p, n), "rb") as f:
                    out[n] = f.read()
            except FileNotFoundError:
                pass
    return out


# ------------------------------------------------------------ other peers

class SmtpSink:
    """/usr/sbin/smtp-sink on 127.0.0.1:<free port>; with dump=True each
    message is written to <tmp>/sink/."""

    def __init__(self, h, dump=False, backlog=256):
        self.h = h
        self.dir = h.path("sink")
        os.makedirs(self.dir, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        argv = [which("smtp-sink"), "-u", "postfix", "-c"]
        if dump:
            argv += ["-d", os.path.join(self.dir, "%H%M%S.")]
        argv += ["127.0.0.1:%d" % self.port, str(backlog)]
        self.proc = h.spawn(argv, "smtp-sink")
        wait_tcp(self.port, timeout=10, proc=self.proc, what="smtp-sink")

    def messages(self):
        out = {}
        for n in os.listdir(self.dir):
            try:
                with open(os.path.join(self.dir, n), "rb") as f:
                    out[n] = f.read()
            except OSError:
                pass
        return out


class OpenDkim:
    """opendkim as a milter: verifies everything not from `internal`, and
    (when sign is given as (domain, selector, keyfile)) signs mail from
    `internal`."""

    def __init__(self, h, nsd, authserv_id, internal="10.0.0.0/8",
                 sign=None, name="opendkim"):
        self.port = free_port()
        d = h.path(name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "internal"), "w") as f:
            f.write(internal + "\n")
        conf = os.path.join(d, "opendkim.conf")
        lines = [
            "Syslog no",
            "Socket inet:%d@127.0.0.1" % self.port,
            "PidFile %s/opendkim.pid" % d,
            "AuthservID %s" % authserv_id,
            # Not ResolverConfiguration (an unbound.conf): with it,
            # OpenDKIM 2.11 dies under concurrent load ("fatal flex scanner
            # internal error--end of buffer missed").
            "Nameservers %s" % ("127.0.0.1" if nsd.port == 53 else
                                "127.0.0.1@%d" % nsd.port),
            "TrustAnchorFile %s" % nsd.zone.ds_file,
            "InternalHosts refile:%s/internal" % d,
            "AlwaysAddARHeader yes",
            "Canonicalization relaxed/relaxed",
            "On-Default accept",
            "On-BadSignature accept",
            "On-NoSignature accept",
            "On-DNSError accept",
            "On-KeyNotFound accept",
            "MinimumKeyBits 1024",
            "UMask 022",
            "SoftwareHeader no",
        ]
        if sign:
            dom, sel, keyfile = sign
            kf = os.path.join(d, "sign.key")
            shutil.copy(keyfile, kf)
            os.chmod(kf, 0o600)
            lines += ["Mode sv", "Domain %s" % dom, "Selector %s" % sel,
                      "KeyFile %s" % kf, "SignatureAlgorithm rsa-sha256"]
        else:
            lines += ["Mode v"]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = h.spawn([which("opendkim"), "-f", "-x", conf, "-l"],
                            name)
        wait_tcp(self.port, timeout=15, proc=self.proc, what=name)
        self.socket = "inet:127.0.0.1:%d" % self.port


class OpenDmarc:
    """opendmarc as a milter: SPF itself (SPFSelfValidate, SPFIgnoreResults),
    DKIM results from OpenDKIM's Authentication-Results, DMARC policy,
    rejects p=reject failures. Its resolver is libresolv/libspf2:
    /etc/resolv.conf, port 53 -- see run-bench-milter.sh."""

    def __init__(self, h, authserv_id, internal="10.0.0.0/8",
                 name="opendmarc", psl=None, history=True):
        self.port = free_port()
        d = h.path(name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "ignore"), "w") as f:
            f.write(internal + "\n")
        psl_file = psl or os.path.join(d, "psl.dat")
        if not psl:
            with open(psl_file, "w") as f:
                f.write("// every name directly under %s. is a domain\n"
                        "%s\n" % (ZONE, ZONE))
        conf = os.path.join(d, "opendmarc.conf")
        lines = [
            "Syslog false",
            "Socket inet:%d@[127.0.0.1]" % self.port,
            "PidFile %s/opendmarc.pid" % d,
            "AuthservID %s" % authserv_id,
            "TrustedAuthservIDs %s" % authserv_id,
            "IgnoreHosts %s/ignore" % d,
            "IgnoreAuthenticatedClients true",
            "SPFSelfValidate true",
            "SPFIgnoreResults true",
            "RejectFailures true",
            "RequiredHeaders false",
            "FailureReports false",
            "PublicSuffixList %s" % psl_file,
            "UMask 022",
            "SoftwareHeader false",
        ]
        if history:
            lines.append("HistoryFile %s/history" % d)
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = h.spawn([which("opendmarc"), "-f", "-c", conf], name)
        wait_tcp(self.port, timeout=15, proc=self.proc, what=name)
        self.socket = "inet:127.0.0.1:%d" % self.port


def mox_milter_path(build_dir):
    p = os.environ.get("MOX_MILTER")
    if p:
        return p
    return os.path.join(build_dir, "servers", "mox-milter", "mox-milter")


def mox_path(build_dir):
    p = os.environ.get("MOX")
    if p:
        return p
    p = os.path.join(build_dir, "servers", "mox", "mox")
    return p if os.access(p, os.X_OK) else None


class MoxMilter:
    """mox-milter on 127.0.0.1:<free port>, resolving through nsd (config
    file with DNS.Servers) or from the zone file (-zone) when nsd is None.
    args: extra command line flags."""

    def __init__(self, h, binary, authserv_id, nsd=None, zone=None,
                 internal=("10.0.0.0/8",), sign=(), args=(), config=None,
                 name="mox-milter", port=None, extra_conf="", env=None):
        self.h = h
        self.env = env
        self.binary = binary
        self.name = name
        self.port = port or free_port()
        d = h.path(name)
        os.makedirs(d, exist_ok=True)
        self.dir = d
        argv = [binary]
        cfg = config
        if cfg is None:
            # always a config file of ours: without -config the milter
            # would read the system's default file when there is one
            cfg = os.path.join(d, "mox-milter.conf")
            with open(cfg, "w") as f:
                f.write("# written by tests/interop/milter/harness.py\n")
                if nsd is not None:
                    f.write(mox_dns_config(nsd))
                f.write(extra_conf)
        argv += ["-config", cfg]
        argv += ["-listen", "inet:%d@127.0.0.1" % self.port,
                 "-authserv-id", authserv_id]
        if zone is not None:
            zf = os.path.join(d, "zone.txt")
            with open(zf, "w") as f:
                f.write(zone.zone_text())
            argv += ["-zone", zf]
        for n in internal:
            argv += ["-internal", n]
        for s in sign:
            argv += ["-sign", s]
        argv += list(args)
        self.argv = argv
        self.start()

    def start(self):
        self.proc = self.h.spawn(self.argv, self.name, env=self.env)
        wait_tcp(self.port, timeout=15, proc=self.proc, what=self.name)
        self.socket = "inet:127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout=15):
        """SIGTERM, wait; returns the exit status (None if it had to be
        killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_process(self.proc, grace=0)
                return None
        return self.proc.returncode


def check_milter_exit(ck, h, mm):
    """The milter stops on SIGTERM with status 0, and its log has no
    sanitizer reports (ASan/UBSan/LSan builds)."""
    t0 = time.monotonic()
    rc = mm.stop()
    ck.check(rc == 0, "mox-milter exits with 0 on SIGTERM (status %s after "
             "%.1fs)" % (rc, time.monotonic() - t0))
    san = sanitizer_reports(h, mm.name)
    ck.check(not san, "no sanitizer reports in the mox-milter log (%s)"
             % san[:3])


SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|"
                          r"runtime error: |SUMMARY: \w+Sanitizer")


def sanitizer_reports(h, name):
    """Lines of sanitizer reports (ASan, UBSan...) in a process's log."""
    try:
        with open(h.path(name + ".log"), errors="replace") as f:
            return [l.rstrip() for l in f if SANITIZER_RE.search(l)]
    except OSError:
        return []


def small_asan_quarantine_env():
    """The environment with ASAN_OPTIONS asking for a small quarantine of
    freed memory: an ASan build keeps up to 256 MB of freed blocks by
    default, which a resident-memory bound would count. Harmless for
    builds without ASan."""
    env = dict(os.environ)
    opts = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
        "quarantine_size_mb=8:thread_local_quarantine_size_kb=64"
    return env


def mox_dns_config(nsd):
    """The config-file part that points mox-milter at nsd, with the zone's
    trust anchor. Key names: servers/mox-milter/conf.c (mox-milter config
    describe)."""
    return ("DNS:\n"
            "\tServers:\n"
            "\t\t- 127.0.0.1@%d\n"
            "\tTrustAnchor: %s\n" % (nsd.port, nsd.zone.ds_file))
