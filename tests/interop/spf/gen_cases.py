#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gen_cases.py -- generate SPF policies and queries for the differential
test of mox against pyspf and libspf2.

Usage: gen_cases.py [-seed N] [-scale K] OUTDIR

Writes OUTDIR/zones/<scenario>.zone (zone text, the subset described in
spfzone.py, loadable by mox_resolver_static_load()) and OUTDIR/queries.txt,
one query per line, tab separated:

    id  scenario  client-ip  sender  helo

with sender "<>" for the null reverse-path. Ids are <scenario>.<n>, and a
scenario is <category>-<nnn>, so known differences can name a category with
a glob. The same seed always gives the same files.

Every driver evaluates check_host() with receiver "receiver.example" (%{r})
and the time 1700000000 (%{t}).

Where a scenario needs the right expansion of a macro to exist in DNS (so
that a correct implementation matches), the generator computes it with its
own RFC 7208 section 7 expansion below.
"""
import argparse
import ipaddress
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from spfzone import name_text, quote_txt  # noqa: E402

RECEIVER = "receiver.example"
NOW = 1700000000

LOCALPARTS = [
    "user", "first.last", "a-b_c", "x+tag", "o=k", "Mixed.Case", "a/b",
    "bounce+srs=ab=cd", "a.b.c.d.e", "postmaster", "q-1.2", "under_score",
    "tilde~x", "star*", "d.o.t.s",
]
DELIMS = ".-+,/_="


# --- addresses ---

def ip4(rng, base=None):
    if base is None:
        base = rng.choice(["192.0.2", "198.51.100", "203.0.113", "10.%d.%d" % (
            rng.randrange(256), rng.randrange(256))])
    return "%s.%d" % (base, rng.randrange(1, 255))


def ip6(rng):
    return str(ipaddress.IPv6Address(
        (0x20010DB8 << 96) | (rng.randrange(1 << 16) << 80) | rng.randrange(1 << 64)))


def any_ip(rng, v6=None):
    if v6 is None:
        v6 = rng.random() < 0.35
    return ip6(rng) if v6 else ip4(rng)


def unrelated_ip(rng, v6):
    """A client outside every network the generator uses (100.64.0.0/10,
    2001:db9::/32), for queries that must match nothing."""
    if v6:
        return "2001:db9::%x" % rng.randrange(1, 1 << 16)
    return "100.%d.%d.%d" % (rng.randrange(64, 128), rng.randrange(256), rng.randrange(1, 255))


def in_net(rng, net, bits):
    """A random address inside net/bits."""
    a = ipaddress.ip_address(net)
    width = a.max_prefixlen
    host = rng.randrange(1 << (width - bits)) if bits < width else 0
    n = (int(a) >> (width - bits) << (width - bits)) if bits > 0 else 0
    return str(ipaddress.ip_address(n | host))


def out_net(rng, net, bits):
    """An address just outside net/bits (bits > 0): the last prefix bit
    flipped."""
    a = ipaddress.ip_address(net)
    width = a.max_prefixlen
    v = int(a) ^ (1 << (width - bits))
    host = rng.randrange(1 << (width - bits)) if bits < width else 0
    v = (v >> (width - bits) << (width - bits)) | host
    return str(ipaddress.ip_address(v))


def reverse_name(ip):
    a = ipaddress.ip_address(ip)
    if a.version == 4:
        return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"
    return ".".join(reversed(a.exploded.replace(":", ""))) + ".ip6.arpa"


# --- RFC 7208 section 7 macro expansion (the generator's own) ---

class Ctx:
    def __init__(self, ip, sender, helo, domain, p="unknown"):
        a = ipaddress.ip_address(ip)
        if a.version == 6 and a.ipv4_mapped:
            a = a.ipv4_mapped
        self.addr = a
        if not sender:
            sender = "postmaster@" + helo
        if "@" not in sender:
            sender = "postmaster@" + sender
        lp, _, dom = sender.rpartition("@")
        if lp == "":
            lp = "postmaster"
        self.vals = {
            "s": lp + "@" + dom, "l": lp, "o": dom, "d": domain, "h": helo,
            "v": "in-addr" if a.version == 4 else "ip6",
            "i": str(a) if a.version == 4 else ".".join(a.exploded.replace(":", "")),
            "c": str(a), "r": RECEIVER, "t": str(NOW), "p": p,
        }


UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def urlesc(s):
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        out.append(c if c in UNRESERVED else "%%%02X" % b)
    return "".join(out)


def expand(spec, ctx, domain=True):
    out = []
    i = 0
    while i < len(spec):
        c = spec[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        n = spec[i + 1]
        if n == "%":
            out.append("%")
            i += 2
            continue
        if n == "_":
            out.append(" ")
            i += 2
            continue
        if n == "-":
            out.append("%20")
            i += 2
            continue
        assert n == "{"
        j = spec.index("}", i)
        body = spec[i + 2 : j]
        i = j + 1
        letter = body[0]
        k = 1
        digits = ""
        while k < len(body) and body[k].isdigit():
            digits += body[k]
            k += 1
        rev = False
        if k < len(body) and body[k] in "rR":
            rev = True
            k += 1
        delims = body[k:] or "."
        val = ctx.vals[letter.lower()]
        parts = [""]
        for ch in val:
            if ch in delims:
                parts.append("")
            else:
                parts[-1] += ch
        if rev:
            parts.reverse()
        if digits:
            parts = parts[-int(digits):]
        e = ".".join(parts)
        if letter.isupper():
            e = urlesc(e)
        out.append(e)
    s = "".join(out)
    if domain:
        if s.endswith("."):
            s = s[:-1]
        while len(s) > 253 and "." in s:
            s = s[s.index(".") + 1 :]
    return s


# --- scenarios ---

class Scen:
    def __init__(self, gen, cat):
        self.gen = gen
        n = gen.counts.get(cat, 0) + 1
        gen.counts[cat] = n
        self.id = "%s-%03d" % (cat, n)
        self.lines = []
        self.forced = []
        self.queries = []
        self.rng = gen.rng

    def rec(self, owner, rtype, rdata):
        self.lines.append("%s 300 IN %s %s" % (name_text(owner), rtype, rdata))

    def txt(self, owner, *strings, rtype="TXT"):
        parts = []
        for s in strings:
            b = s.encode("utf-8") if isinstance(s, str) else s
            while len(b) > 255:
                parts.append(quote_txt(b[:255]))
                b = b[255:]
            parts.append(quote_txt(b))
        self.rec(owner, rtype, " ".join(parts))

    def spf(self, owner, text):
        """An SPF record; sometimes split into several strings at random
        places (they are joined without separator, RFC 7208 3.3)."""
        rng = self.rng
        if len(text) > 20 and rng.random() < 0.25:
            cut = sorted(rng.sample(range(1, len(text)), rng.randrange(1, 3)))
            pieces = [text[a:b] for a, b in zip([0] + cut, cut + [len(text)])]
            self.txt(owner, *pieces)
        else:
            self.txt(owner, text)

    def a(self, owner, ip):
        self.rec(owner, "AAAA" if ":" in ip else "A", ip)

    def mx(self, owner, pref, host):
        self.rec(owner, "MX", "%d %s" % (pref, name_text(host)))

    def cname(self, owner, target):
        self.rec(owner, "CNAME", name_text(target))

    def ptr(self, ip, host):
        self.rec(reverse_name(ip), "PTR", name_text(host))

    def force(self, name, kind):
        self.forced.append("$%s %s" % (kind.upper(), name_text(name)))

    def q(self, ip, sender, helo="helo.client.example"):
        self.queries.append((ip, sender if sender else "<>", helo))


class Gen:
    def __init__(self, seed, scale):
        self.seed = seed
        self.rng = random.Random(seed)
        self.scale = scale
        self.counts = {}
        self.scens = []

    def new(self, cat):
        """A new scenario. The random stream restarts from a seed made of
        the scenario's id, so that changing one category leaves the
        scenarios (and ids) of the others as they were."""
        s = Scen(self, cat)
        self.rng.seed("%d/%s" % (self.seed, s.id))
        self.scens.append(s)
        return s

    def lp(self):
        return self.rng.choice(LOCALPARTS)

    def qual(self, p=0.5):
        if self.rng.random() < p:
            return ""
        return self.rng.choice("+-~?")

    def write(self, outdir):
        zd = os.path.join(outdir, "zones")
        os.makedirs(zd, exist_ok=True)
        with open(os.path.join(outdir, "queries.txt"), "w", encoding="utf-8") as qf:
            qf.write("# id\tscenario\tip\tsender\thelo\n")
            for s in self.scens:
                with open(os.path.join(zd, s.id + ".zone"), "w", encoding="utf-8") as f:
                    f.write("; %s\n" % s.id)
                    for l in s.forced:
                        f.write(l + "\n")
                    for l in s.lines:
                        f.write(l + "\n")
                for k, (ip, sender, helo) in enumerate(s.queries, 1):
                    qf.write("%s.%d\t%s\t%s\t%s\t%s\n" % (s.id, k, s.id, ip, sender, helo))


# Each function below adds one scenario of its category.

def g_ip(g):
    rng = g.rng
    s = g.new("ip")
    dom = "ip%d.example.com" % rng.randrange(1000)
    v6 = rng.random() < 0.45
    if v6:
        bits = rng.choice([0, 1, 16, 32, 47, 48, 63, 64, 65, 96, 112, 127, 128, None])
        net = ip6(rng)
    else:
        bits = rng.choice([0, 1, 7, 8, 15, 16, 23, 24, 25, 30, 31, 32, None])
        net = ip4(rng)
    b = bits if bits is not None else (128 if v6 else 32)
    written = net
    if rng.random() < 0.3 and v6:
        # other text forms of the same address
        written = ipaddress.IPv6Address(net).exploded
        if rng.random() < 0.5:
            written = written.upper()
    term = "%sip%s:%s%s" % (g.qual(), "6" if v6 else "4", written,
                            "" if bits is None else "/%d" % bits)
    tail = rng.choice(["-all", "~all", "?all", "", "+all"])
    others = []
    for _ in range(rng.randrange(3)):
        others.append("ip4:%s/%d" % (ip4(rng), rng.choice([24, 28, 32])))
    terms = others + [term]
    rng.shuffle(terms)
    s.spf(dom, " ".join(["v=spf1"] + terms + ([tail] if tail else [])))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(in_net(rng, net, b), sender)
    if b > 0:
        s.q(out_net(rng, net, b), sender)
    s.q(any_ip(rng, not v6), sender)
    if not v6:
        # IPv4-mapped IPv6 client: treated as its IPv4 address
        s.q("::ffff:" + in_net(rng, net, b), sender)


def g_a(g):
    rng = g.rng
    s = g.new("a")
    dom = "a%d.example.net" % rng.randrange(1000)
    host = rng.choice([dom, "host.%s" % dom, "other%d.example.org" % rng.randrange(99)])
    v4s = [ip4(rng) for _ in range(rng.randrange(4))]
    v6s = [ip6(rng) for _ in range(rng.randrange(3))]
    target = host
    if rng.random() < 0.25 and host != dom:  # (no CNAME beside the TXT)
        target = "real.%s" % dom
        s.cname(host, target)
    for ip in v4s + v6s:
        s.a(target, ip)
    c4 = rng.choice([None, None, 0, 8, 16, 24, 31, 32])
    c6 = rng.choice([None, None, 0, 32, 48, 64, 127, 128])
    spec = "" if host == dom and rng.random() < 0.6 else ":" + host
    cidr = ("" if c4 is None else "/%d" % c4) + ("" if c6 is None else "//%d" % c6)
    mech = "%sa%s%s" % (g.qual(), spec, cidr)
    if rng.random() < 0.2:
        mech = mech.upper()
    s.spf(dom, "v=spf1 %s %s" % (mech, rng.choice(["-all", "~all", "?all"])))
    sender = "%s@%s" % (g.lp(), dom)
    for ip in v4s[:2]:
        s.q(in_net(rng, ip, c4 if c4 is not None else 32), sender)
        if c4:
            s.q(out_net(rng, ip, c4), sender)
    for ip in v6s[:2]:
        s.q(in_net(rng, ip, c6 if c6 is not None else 128), sender)
        if c6:
            s.q(out_net(rng, ip, c6), sender)
    s.q(any_ip(rng), sender)


def g_mx(g):
    rng = g.rng
    s = g.new("mx")
    dom = "mx%d.example.org" % rng.randrange(1000)
    n = rng.choice([0, 1, 2, 3, 5, 9, 10, 11, 12])
    hosts = []
    for k in range(n):
        h = "mx%d.%s" % (k, dom) if rng.random() < 0.8 else "mx%d.hoster.example" % k
        s.mx(dom, rng.randrange(0, 50), h)
        hosts.append(h)
    addrs = {}
    failing = {}
    for h in hosts:
        r = rng.random()
        if r < 0.08:
            s.force(h, "nxdomain")
            continue
        if r < 0.12 and rng.random() < 0.5 and n <= 10:
            # (more than 10 MX is permerror whatever the hosts: no
            # failing lookup to race with, RFC 7208 4.6.4)
            s.force(h, rng.choice(["timeout", "servfail"]))
            failing[h] = True
            continue
        addrs[h] = []
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            ip = any_ip(rng, rng.random() < 0.3)
            s.a(h, ip)
            addrs[h].append(ip)
    c4 = rng.choice([None, None, 24, 16, 32])
    c6 = rng.choice([None, None, 64, 48])
    spec = "" if rng.random() < 0.7 else ":" + dom
    cidr = ("" if c4 is None else "/%d" % c4) + ("" if c6 is None else "//%d" % c6)
    s.spf(dom, "v=spf1 %smx%s%s %s" % (g.qual(0.7), spec, cidr,
                                       rng.choice(["-all", "~all", "?all"])))
    sender = "%s@%s" % (g.lp(), dom)
    all_ips = [ip for h in hosts for ip in addrs.get(h, [])]
    # With a host whose lookup fails, whether a client that matches
    # another host passes depends on the order the hosts are looked up in,
    # which RFC 7208 5.4 leaves open: only ask for a client that matches
    # none (temperror, RFC 7208 5).
    if not failing:
        for ip in rng.sample(all_ips, min(3, len(all_ips))):
            s.q(ip, sender)
    s.q(unrelated_ip(rng, rng.random() < 0.3), sender)


def g_include(g):
    rng = g.rng
    s = g.new("include")
    dom = "inc%d.example.com" % rng.randrange(1000)
    depth = rng.randrange(1, 12)
    names = [dom] + ["l%d.%s" % (k, dom) for k in range(1, depth + 1)]
    ips = [ip4(rng) for _ in names]
    kind = rng.choice(["plain", "plain", "plain", "missing", "perm", "temp",
                       "loop", "self", "neg"])
    for k, nm in enumerate(names):
        terms = ["ip4:%s" % ips[k]]
        if k + 1 < len(names):
            q = "-" if kind == "neg" and k == 0 else g.qual(0.8)
            terms.append("%sinclude:%s" % (q, names[k + 1]))
        else:
            if kind == "missing":
                continue  # no record at the end of the chain
            if kind == "perm":
                terms.append("bogus:mech")
            if kind == "loop":
                terms.append("include:%s" % names[0])
            if kind == "self":
                terms.append("include:%s" % nm)
        if rng.random() < 0.3:
            terms.append("a:host%d.%s" % (k, dom))
            s.a("host%d.%s" % (k, dom), ip4(rng))
        rng.shuffle(terms)
        end = rng.choice(["-all", "~all", "?all", ""]) if k > 0 else "-all"
        s.spf(nm, " ".join(["v=spf1"] + terms + ([end] if end else [])))
    if kind == "temp":
        s.force(names[-1], "timeout")
    sender = "%s@%s" % (g.lp(), dom)
    for k in sorted(set([0, len(names) - 1, rng.randrange(len(names))])):
        s.q(ips[k], sender)
    s.q(ip4(rng), sender)


def g_redirect(g):
    rng = g.rng
    s = g.new("redirect")
    dom = "red%d.example.net" % rng.randrange(1000)
    depth = rng.randrange(1, 6)
    names = [dom] + ["r%d.%s" % (k, dom) for k in range(1, depth + 1)]
    ips = [ip4(rng) for _ in names]
    kind = rng.choice(["plain", "plain", "withall", "missing", "loop", "none-at-end",
                       "exp", "two", "temp"])
    for k, nm in enumerate(names):
        terms = ["ip4:%s" % ips[k]]
        if k + 1 < len(names):
            terms.append("redirect=%s" % names[k + 1])
            if kind == "withall" and k == 0:
                terms.append("?all")
            if kind == "two" and k == 0:
                terms.append("redirect=%s" % names[-1])
            if kind == "exp" and k == 0:
                terms.append("exp=e0.%s" % dom)
                s.txt("e0.%s" % dom, "outer exp %{d}")
        else:
            if kind == "missing":
                continue
            if kind == "loop":
                terms.append("redirect=%s" % names[0])
            elif kind == "none-at-end":
                terms = ["ip4:%s" % ips[k]]
            else:
                terms.append(rng.choice(["-all", "~all", "?all"]))
            if kind == "exp":
                terms.append("exp=e1.%s" % dom)
                s.txt("e1.%s" % dom, "inner exp %{d} %{o}")
        rng.shuffle(terms)
        s.spf(nm, " ".join(["v=spf1"] + terms))
    if kind == "temp":
        s.force(names[-1], "servfail")
    sender = "%s@%s" % (g.lp(), dom)
    for k in sorted(set([0, len(names) - 1])):
        s.q(ips[k], sender)
    s.q(ip4(rng), sender)


MACRO_LETTERS = "slodihvp"


def rand_macro(g, letters=MACRO_LETTERS, exp=False):
    rng = g.rng
    if exp:
        letters = letters + "crt"
    L = rng.choice(letters)
    if rng.random() < 0.2:
        L = L.upper()
    body = L
    if rng.random() < 0.4:
        body += str(rng.choice([1, 1, 2, 3, 5, 9, 12, 128]))
    if rng.random() < 0.35:
        body += "R" if rng.random() < 0.15 else "r"
    if rng.random() < 0.4:
        pool = DELIMS if rng.random() < 0.3 else ".-+_="
        body += "".join(rng.sample(pool, rng.randrange(1, 4)))
    return "%{" + body + "}"


def ptr_setup(s, rng, ip, dom):
    """A PTR for ip with one validated name under dom; returns it."""
    name = "client.%s" % dom
    s.ptr(ip, name)
    s.a(name, ip)
    if rng.random() < 0.4:
        s.ptr(ip, "unvalidated.other.example")
    return name


def g_macro(g):
    """exists:/a:/include:/mx:/ptr:/redirect= with macros whose correct
    expansion exists in DNS."""
    rng = g.rng
    s = g.new("macro")
    dom = rng.choice(["m%d.example.com" % rng.randrange(1000),
                      "a.b.c%d.example.org" % rng.randrange(1000),
                      "Mixed%d.Example.NET" % rng.randrange(1000)])
    ip = any_ip(rng, rng.random() < 0.3)
    helo = rng.choice(["mail.client.example", "a-b.c_d.example", dom])
    null = rng.random() < 0.1
    sender = "" if null else "%s@%s" % (g.lp(), dom)
    mech = rng.choice(["exists", "exists", "a", "include", "mx", "redirect", "ptr"])
    # For ptr the validated name must be under the expansion, so it cannot
    # be known before: no %{p} in the domain-spec of ptr.
    if mech != "ptr" and rng.random() < 0.5:
        pname = ptr_setup(s, rng, ip, dom.lower())
    else:
        pname = "unknown"
    ctx = Ctx(ip, sender, helo, dom.lower() if not null else helo.lower(), pname)
    if null:
        dom = helo
    letters = MACRO_LETTERS if mech != "ptr" else MACRO_LETTERS.replace("p", "")
    spec = ".".join(rand_macro(g, letters) for _ in range(rng.randrange(1, 4)))
    spec += rng.choice([".x.", "._spf."]) + rng.choice(["example.com", "%{d}", "%{d2}", "%{o}"])
    name = expand(spec, ctx)
    if mech == "exists":
        s.a(name, "127.0.0.2")
        rec = "v=spf1 exists:%s -all" % spec
    elif mech == "a":
        s.a(name, ip)
        rec = "v=spf1 a:%s -all" % spec
    elif mech == "include":
        s.spf(name, "v=spf1 ip%s:%s -all" % ("6" if ":" in ip else "4", ip))
        rec = "v=spf1 include:%s -all" % spec
    elif mech == "mx":
        s.mx(name, 10, "mxhost.example.com")
        s.a("mxhost.example.com", ip)
        rec = "v=spf1 mx:%s -all" % spec
    elif mech == "redirect":
        s.spf(name, "v=spf1 ip%s:%s -all" % ("6" if ":" in ip else "4", ip))
        rec = "v=spf1 ip4:192.0.2.0/32 redirect=%s" % spec
    else:
        rec = "v=spf1 ptr:%s -all" % spec
        ptr_setup(s, rng, ip, name)
    s.spf(dom, rec)
    s.q(ip, sender, helo)
    # the same policy for another client: must not match (or must, for
    # macros that do not depend on the IP)
    s.q(any_ip(rng), sender, helo)


def g_exp(g):
    rng = g.rng
    s = g.new("exp")
    dom = "exp%d.example.com" % rng.randrange(1000)
    ip = any_ip(rng)
    sender = "%s@%s" % (g.lp(), dom)
    helo = "helo.client.example"
    expname = rng.choice(["exp.%s" % dom, "%{d}.exp.example", "%{l}.%{d}.explain.example",
                          "_exp.%{o}", "%{ir}.%{v}.exp.example"])
    kind = rng.choice(["ok", "ok", "ok", "ok", "missing", "two", "badmacro", "servfail",
                       "include", "softfail", "empty", "nodata", "multistring"])
    pname = ptr_setup(s, rng, ip, dom) if rng.random() < 0.3 else "unknown"
    ctx = Ctx(ip, sender, helo, dom, pname)
    target = expand(expname, ctx)
    pieces = ["Mail from %{s} via %{i}", " rejected", " (%{c} %{r} %{t} %{v} %{h} %{o} %{l} %{d})",
              " %%", " %_", " %-", " %{L}", " %{ir}", " %{d2r}", " %{S-}", " %{p}",
              " %{l1r-}", " %{C}"]
    txt = "".join(rng.sample(pieces, rng.randrange(1, 6)))
    if kind == "ok" or kind == "softfail" or kind == "include":
        s.txt(target, txt)
    elif kind == "multistring":
        s.txt(target, txt[: len(txt) // 2], txt[len(txt) // 2 :])
    elif kind == "two":
        s.txt(target, txt)
        s.txt(target, "second explanation")
    elif kind == "badmacro":
        s.txt(target, txt + rng.choice([" %{x}", " %", " %{d0}", " %a"]))
    elif kind == "servfail":
        s.force(target, "servfail")
    elif kind == "empty":
        s.txt(target, "")
    elif kind == "nodata":
        s.a(target, "192.0.2.1")
    q = "~" if kind == "softfail" else "-"
    if kind == "include":
        s.spf(dom, "v=spf1 include:inc.%s %sall exp=outer.%s" % (dom, q, dom))
        s.txt("outer.%s" % dom, "outer %{d}")
        s.spf("inc.%s" % dom, "v=spf1 ip4:192.0.2.0/32 -all exp=%s" % expname)
    else:
        s.spf(dom, "v=spf1 ip4:192.0.2.0/32 %sall exp=%s" % (q, expname))
    s.q(ip, sender, helo)
    if rng.random() < 0.5:
        s.q(ip, "", dom)  # null sender: postmaster@<helo>, helo = dom


def g_ptr(g):
    rng = g.rng
    s = g.new("ptr")
    dom = "ptr%d.example.com" % rng.randrange(1000)
    ip = any_ip(rng)
    n = rng.choice([0, 1, 2, 3, 9, 10, 11, 12])
    names = []
    for k in range(n):
        r = rng.random()
        if r < 0.4:
            nm = "h%d.%s" % (k, dom)
        elif r < 0.6:
            nm = dom
        elif r < 0.8:
            nm = "h%d.elsewhere.example" % k
        else:
            nm = "h%d.sub.%s" % (k, dom)
        names.append(nm)
    names = list(dict.fromkeys(names))
    for k, nm in enumerate(names):
        s.ptr(ip, nm)
        r = rng.random()
        if r < 0.6:
            s.a(nm, ip)  # validated
        elif r < 0.7:
            s.a(nm, any_ip(rng, ":" in ip))
        elif r < 0.8:
            s.force(nm, "timeout")
        # else: no address at all
    if rng.random() < 0.1:
        s.force(reverse_name(ip), rng.choice(["timeout", "servfail"]))
    spec = rng.choice(["", ":" + dom, ":sub.%s" % dom, ":elsewhere.example", ":%{d}"])
    s.spf(dom, "v=spf1 %sptr%s %s" % (g.qual(0.7), spec, rng.choice(["-all", "~all", "?all"])))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(ip, sender)
    s.q(any_ip(rng), sender)


def g_void(g):
    rng = g.rng
    s = g.new("void")
    dom = "void%d.example.net" % rng.randrange(1000)
    nvoid = rng.randrange(0, 5)
    terms = []
    for k in range(nvoid):
        nm = "v%d.%s" % (k, dom)
        kind = rng.choice(["nx", "nodata", "mx", "exists"])
        if kind == "nx":
            terms.append("a:" + nm)
        elif kind == "nodata":
            s.txt(nm, "not an address")
            terms.append("a:" + nm)
        elif kind == "mx":
            terms.append("mx:" + nm)
        else:
            terms.append("exists:" + nm)
    ip = ip4(rng)
    okname = "ok.%s" % dom
    s.a(okname, ip)
    pos = rng.randrange(len(terms) + 1)
    terms.insert(pos, "a:" + okname)
    s.spf(dom, " ".join(["v=spf1"] + terms + ["-all"]))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(ip, sender)
    s.q(ip4(rng), sender)


def g_limit(g):
    """8 to 13 DNS-querying terms (RFC 7208 4.6.4: more than 10 is
    permerror), none of them void, with the matching one anywhere."""
    rng = g.rng
    s = g.new("limit")
    dom = "lim%d.example.org" % rng.randrange(1000)
    n = rng.randrange(8, 14)
    ip = ip4(rng)
    terms = []
    for k in range(n):
        kind = rng.choice(["a", "mx", "include"])
        nm = "t%d.%s" % (k, dom)
        if kind == "a":
            s.a(nm, ip4(rng))
        elif kind == "mx":
            s.mx(nm, 10, "mx.%s" % nm)
            s.a("mx.%s" % nm, ip4(rng))
        elif kind == "include":
            s.spf(nm, "v=spf1 ip4:%s ?all" % ip4(rng))
        terms.append("%s:%s" % (kind, nm))
    match = rng.randrange(n + 1)
    mnm = "match.%s" % dom
    s.a(mnm, ip)
    terms.insert(match, "a:%s" % mnm)
    tail = rng.choice(["-all", "redirect=r.%s" % dom, "ip4:%s -all" % ip4(rng)])
    if tail.startswith("redirect"):
        s.spf("r.%s" % dom, "v=spf1 -all")
    s.spf(dom, " ".join(["v=spf1"] + terms + [tail]))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(ip, sender)
    s.q(ip4(rng), sender)


def g_nested(g):
    """DNS terms and void lookups spread over included and redirected
    records: RFC 7208 4.6.4 counts them over the whole evaluation."""
    rng = g.rng
    s = g.new("nested")
    dom = "nest%d.example.com" % rng.randrange(1000)
    ip = ip4(rng)
    void = rng.random() < 0.4
    total = rng.choice([1, 2, 3, 4]) if void else rng.choice([8, 9, 10, 11, 12])
    nrec = rng.randrange(1, 4)
    counts = [0] * (nrec + 1)  # terms (or void terms) per record, top first
    budget = total
    if not void:
        budget -= nrec  # the include/redirect terms count too
    for _ in range(max(budget, 0)):
        counts[rng.randrange(nrec + 1)] += 1
    names = [dom] + ["n%d.%s" % (k, dom) for k in range(1, nrec + 1)]
    use_redirect = rng.random() < 0.4
    for k, nm in enumerate(names):
        terms = []
        for t in range(counts[k]):
            h = "h%d-%d.%s" % (k, t, dom)
            if void:
                terms.append("a:" + h)  # does not exist: void
            else:
                s.a(h, unrelated_ip(rng, False))  # exists, never matches
                terms.append(rng.choice(["a:", "mx:"]) + h)
                if terms[-1].startswith("mx:"):
                    s.mx(h, 10, h)
        if k + 1 < len(names):
            if use_redirect and k + 1 == len(names) - 1:
                terms.append("redirect=" + names[k + 1])
            else:
                terms.insert(rng.randrange(len(terms) + 1), "include:" + names[k + 1])
        if k == 0:
            terms.append("ip4:" + ip)
            if not use_redirect or nrec > 1:
                terms.append("-all")
        elif k == len(names) - 1:
            terms.append("?all" if use_redirect else "")
        s.spf(nm, " ".join(["v=spf1"] + [t for t in terms if t]))
    s.q(ip, "%s@%s" % (g.lp(), dom))
    s.q(ip4(rng, "203.0.113"), "%s@%s" % (g.lp(), dom))


SELECT_CASES = [
    (["v=spf1 +all"], None),
    (["v=spf1"], None),
    (["v=spf1 "], None),
    (["V=SPF1 +all"], None),
    (["v=spf10 +all"], None),
    (["v=spf1x +all"], None),
    ([" v=spf1 +all"], None),
    (["v=spf1 +all", "v=spf1 -all"], None),
    (["v=spf1 +all", "some other text", "google-site-verification=x"], None),
    (["spf2.0/pra +all", "v=spf1 -all"], None),
    (["spf2.0/pra +all"], None),
    ([("v=spf1 ", "+all")], None),
    ([("v=sp", "f1 +all")], None),
    ([("v=spf1", " +all")], None),
    ([("v=spf1", "+all")], None),
    ([], "v=spf1 +all"),   # SPF type 99 only: ignored (RFC 7208 3.1)
    (["v=spf1 -all"], "v=spf1 +all"),
    (["v=spf1\t+all"], None),
    (["v=spf1 +all "], None),
    (["v=spf1  +all"], None),
    (["v=spf1 +all\n"], None),
    (["v=spf1 +all", "V=Spf1 +all"], None),
    (["\"v=spf1 +all\""], None),
    ([b"v=spf1 +all \xc3\xa9t\xc3\xa9=x"], None),
    ([b"v=spf1 +all", b"caf\xc3\xa9 not spf"], None),
    ([b"v=spf1 a:caf\xc3\xa9.example +all"], None),
]


def g_select(g, case):
    rng = g.rng
    s = g.new("select")
    dom = "sel%d.example.com" % rng.randrange(1000)
    txts, spf99 = case
    for t in txts:
        if isinstance(t, tuple):
            s.txt(dom, *t)
        else:
            s.txt(dom, t)
    if spf99:
        s.txt(dom, spf99, rtype="SPF")
    if not txts and not spf99:
        s.a(dom, "192.0.2.1")
    s.q(ip4(rng), "%s@%s" % (g.lp(), dom))


SYNTAX_CASES = [
    "+all badmech", "+all ip4:1.2.3.4/33", "+all ip6:::1/129", "+all ip4:1.2.3",
    "+all ip4:01.2.3.4", "+all ip4:1.2.3.4/032", "+all ip4:1.2.3.4/", "+all a:foo.example/24//",
    "+all a//", "+all a/", "+all a:", "+all mx:", "+all include:", "+all include",
    "+all exists", "+all exists:", "+all ptr:", "+all redirect=", "+all exp=",
    "redirect=a.example redirect=b.example +all", "+all exp=a.example exp=b.example",
    "all:foo", "-all/24", "+all ip4", "+all ip4:", "+all ip6:", "+all ip6",
    "+all a:foo.example/33", "+all a:foo.example//129", "+all a:%{x}.example",
    "+all a:%{d0}.example", "+all a:%", "+all a:%{d", "+all a:foo.123",
    "+all a:foo.example.", "+all unknown=modifier", "+all 1bad=x", "+all foo:bar",
    "mx/24//64 +all", "+-all", "?all extra", "+all exp=%{x}", "+all op=foo",
    "+all moo.cow=x", "+all a:example.com:8080", "+all ip4:1.2.3.4/0",
    "+all default=-", "+ALL", "+All", "IP4:0.0.0.0/0", "Ip6:::/0 Ip4:0.0.0.0/0",
    "+all ip6:1:2:3:4:5:6:7:8:9", "+all ip6:::ffff:1.2.3.4", "+all ip6:1::2::3",
    "+all ip4:256.1.1.1", "+all ip4:1.2.3.4/24/", "+all a:foo.example/24//64/",
    "+all a:foo..example", "+all a:.foo.example", "+all a:foo.example%%",
    "+all a:%%.example", "+all a:%_.example", "+all a:%-.example",
    "+all exists:%{i}.%{h}.%{d}.example", "+all exists:%{c}.example",
    "+all exists:%{r}.example", "+all exists:%{t}.example",
    "+all a:foo-.example", "+all a:foo.ex-ample", "+all a:foo.-example",
    "+all a:foo.example1", "+all a:foo.1example", "+all a:foo.12", "+all a:foo",
    "+all mx:foo/0", "+all mx//0", "+all ptr/24", "+all exists:foo.example/24",
    "+all include:foo.example/24", "+all all", "+all =all", "+all ~",
    "+all -", "ptr:", "+all redirect=%{x}", "+all ra=%{x}", "+all a:%{d}%{d}.example",
    "+all a:%{dr4}.example", "+all a:%{d4r}.example", "+all a:%{d-r}.example",
    "+all a:%{l}", "+all a:%{o}.%{l}", "+all exp= ", "+all foo=", "+all =foo",
    "+all _foo=bar", "+all foo_=bar", "+all f-o.o=bar", "+all exists:%{i}",
    "ip4:192.0.2.0/24 ip4:192.0.2.0/24//64 +all",
    "INCLUDE:foo.example -all", "REDIRECT=foo.example", "-ALL EXP=a.example",
    "Mx:foo.example +All", "?Exists:foo.example -all", "PTR:foo.example +all",
]


def g_syntax(g, text):
    rng = g.rng
    s = g.new("syntax")
    dom = "syn%d.example.com" % rng.randrange(1000)
    s.spf(dom, "v=spf1 " + text)
    # names the records refer to: they exist, pass and hold the client
    for nm in ("foo.example", "a.example", "b.example", "example.com"):
        s.spf(nm, "v=spf1 +all")
        s.a(nm, "192.0.2.10")
    s.q("192.0.2.10", "%s@%s" % (g.lp(), dom))


def g_temp(g):
    rng = g.rng
    s = g.new("temp")
    dom = "tmp%d.example.net" % rng.randrange(1000)
    ip = ip4(rng)
    kind = rng.choice(["txt", "a", "a-after-match", "exists", "include", "mx", "mxhost",
                       "ptr", "redirect", "exp", "aaaa", "txt-servfail", "a-nomatch-later"])
    bad = "bad.%s" % dom
    s.force(bad, rng.choice(["timeout", "servfail"]))
    okname = "ok.%s" % dom
    s.a(okname, ip)
    if kind in ("txt", "txt-servfail"):
        s.force(dom, "timeout" if kind == "txt" else "servfail")
    elif kind == "a":
        s.spf(dom, "v=spf1 a:%s a:%s -all" % (bad, okname))
    elif kind == "a-after-match":
        s.spf(dom, "v=spf1 a:%s a:%s -all" % (okname, bad))
    elif kind == "a-nomatch-later":
        s.spf(dom, "v=spf1 ip4:%s -all a:%s" % (ip, bad))
    elif kind == "exists":
        s.spf(dom, "v=spf1 exists:%s ip4:%s -all" % (bad, ip))
    elif kind == "include":
        s.spf(dom, "v=spf1 include:%s ip4:%s -all" % (bad, ip))
    elif kind == "mx":
        s.spf(dom, "v=spf1 mx:%s ip4:%s -all" % (bad, ip))
    elif kind == "mxhost":
        # the failing host first, in DNS order and by preference: every
        # implementation looks it up before it finds the match
        s.mx("m.%s" % dom, 10, bad)
        s.mx("m.%s" % dom, 20, okname)
        s.spf(dom, "v=spf1 mx:m.%s -all" % dom)
    elif kind == "ptr":
        s.force(reverse_name(ip), "timeout")
        s.spf(dom, "v=spf1 ptr ip4:%s -all" % ip)
    elif kind == "redirect":
        s.spf(dom, "v=spf1 redirect=%s" % bad)
    elif kind == "exp":
        s.spf(dom, "v=spf1 -all exp=%s" % bad)
    elif kind == "aaaa":
        s.spf(dom, "v=spf1 a:%s/24//64 ip4:%s -all" % (bad, ip))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(ip, sender)
    s.q(ip6(rng), sender)


def g_edge(g):
    """Fixed scenarios for corners the random ones do not reach."""
    # A name with spaces (%_) and "%" (%%, %-) in it: a domain-spec may
    # expand to one, and it is looked up as it is (openspf suite
    # macro-mania-in-domain).
    s = g.new("edge")
    s.spf("space.example.com", "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all")
    s.a("macro%percent  space%20url-space.example.com", "192.0.2.40")
    s.q("192.0.2.40", "user@space.example.com")
    s.q("192.0.2.41", "user@space.example.com")
    # %{p}: the validated name that equals the domain is preferred.
    s = g.new("edge")
    s.ptr("192.0.2.50", "other.example.net")
    s.ptr("192.0.2.50", "p.example.com")
    s.a("other.example.net", "192.0.2.50")
    s.a("p.example.com", "192.0.2.50")
    s.spf("p.example.com", "v=spf1 exists:%{p}.ok.example.com -all")
    s.a("p.example.com.ok.example.com", "127.0.0.2")
    s.q("192.0.2.50", "user@p.example.com")
    # %{p} when nothing validates: "unknown".
    s = g.new("edge")
    s.ptr("192.0.2.51", "novalid.example.net")
    s.spf("pu.example.com", "v=spf1 exists:%{p}.ok.example.com -all")
    s.a("unknown.ok.example.com", "127.0.0.2")
    s.q("192.0.2.51", "user@pu.example.com")
    s.q("192.0.2.52", "user@pu.example.com")
    # Null MX (RFC 7505): no address to match.
    s = g.new("edge")
    s.spf("nullmx.example.com", "v=spf1 mx -all")
    s.mx("nullmx.example.com", 0, ".")
    s.q("192.0.2.60", "user@nullmx.example.com")
    # An IPv4-mapped IPv6 network never matches: the client, mapped or
    # not, is IPv4 (RFC 7208 5).
    s = g.new("edge")
    s.spf("mapped.example.com", "v=spf1 ip6:::ffff:192.0.2.0/120 ~all")
    s.q("::ffff:192.0.2.70", "user@mapped.example.com")
    s.q("192.0.2.70", "user@mapped.example.com")
    # A NUL inside a record.
    s = g.new("edge")
    s.txt("nul.example.com", b"v=spf1 +all\x00 -all")
    s.q("192.0.2.80", "user@nul.example.com")
    # The TXT record of an include target through a CNAME, and an
    # explanation through a CNAME.
    s = g.new("edge")
    s.spf("cn.example.com", "v=spf1 include:alias.example.com -all exp=why.example.com")
    s.cname("alias.example.com", "spf.provider.example")
    s.spf("spf.provider.example", "v=spf1 ip4:192.0.2.90 -all")
    s.cname("why.example.com", "why.provider.example")
    s.txt("why.provider.example", "not from %{i}")
    s.q("192.0.2.90", "user@cn.example.com")
    s.q("192.0.2.91", "user@cn.example.com")
    # An explanation with the local-part of a quoted address.
    s = g.new("edge")
    s.spf("q.example.com", "v=spf1 -all exp=e.q.example.com")
    s.txt("e.q.example.com", "%{l} / %{L} / %{s}")
    s.q("192.0.2.95", "\"a b\"@q.example.com")
    s.q("192.0.2.95", "a.b@q.example.com")
    # After redirect the explanation of the original record is not used
    # (RFC 7208 6.2); the one of the target is.
    s = g.new("edge")
    s.spf("ro.example.com", "v=spf1 redirect=rt.example.com exp=outer.example.com")
    s.txt("outer.example.com", "outer")
    s.spf("rt.example.com", "v=spf1 -all")
    s.spf("ri.example.com", "v=spf1 redirect=rti.example.com exp=outer.example.com")
    s.spf("rti.example.com", "v=spf1 -all exp=inner.example.com")
    s.txt("inner.example.com", "inner %{d} %{o}")
    s.q("192.0.2.100", "user@ro.example.com")
    s.q("192.0.2.100", "user@ri.example.com")
    # %{d} is the current domain (the included or redirected one), %{o}
    # the sender's.
    s = g.new("edge")
    s.spf("cur.example.com", "v=spf1 include:inc.cur.example.com redirect=red.cur.example.com")
    s.spf("inc.cur.example.com", "v=spf1 exists:%{d}.%{o}.chk.example.com -all")
    s.spf("red.cur.example.com", "v=spf1 exists:%{d2}.r.%{o}.chk.example.com -all")
    s.a("inc.cur.example.com.cur.example.com.chk.example.com", "127.0.0.2")
    s.q("192.0.2.110", "user@cur.example.com")
    s.spf("cur2.example.com", "v=spf1 include:inc.cur2.example.com redirect=red.cur2.example.com")
    s.spf("inc.cur2.example.com", "v=spf1 exists:%{d}.%{o}.chk.example.com -all")
    s.spf("red.cur2.example.com", "v=spf1 exists:%{d2}.r.%{o}.chk.example.com -all")
    s.a("example.com.r.cur2.example.com.chk.example.com", "127.0.0.2")
    s.q("192.0.2.111", "user@cur2.example.com")
    # ptr: only the first 10 PTR names count (RFC 7208 4.6.4); names are
    # compared without regard to case.
    s = g.new("edge")
    for k in range(10):
        s.ptr("192.0.2.120", "n%d.elsewhere.example" % k)
    s.ptr("192.0.2.120", "h.ptr11.example.com")
    s.a("h.ptr11.example.com", "192.0.2.120")
    s.spf("ptr11.example.com", "v=spf1 ptr -all")
    s.ptr("192.0.2.121", "H.PtrCase.Example.COM")
    s.a("h.ptrcase.example.com", "192.0.2.121")
    s.spf("ptrcase.example.com", "v=spf1 ptr -all")
    s.q("192.0.2.120", "user@ptr11.example.com")
    s.q("192.0.2.121", "user@ptrcase.example.com")


DOMAIN_CASES = [
    ("user@[192.0.2.1]", "helo.client.example"),
    ("user@a..example.com", "helo.client.example"),
    ("user@.example.com", "helo.client.example"),
    ("user@example", "helo.client.example"),
    ("user@dom.example.com.", "helo.client.example"),
    ("dom.example.com", "helo.client.example"),
    ("@dom.example.com", "helo.client.example"),
    ("user@DOM.Example.COM", "helo.client.example"),
    ("", "dom.example.com"),
    ("", "[192.0.2.1]"),
    ("", "singlelabel"),
    ("", "Dom.Example.Com."),
    ("user@" + "a" * 64 + ".example.com", "helo.client.example"),  # label > 63
    ("user@" + "a" * 63 + ".example.com", "helo.client.example"),
    ("us er@dom.example.com", "helo.client.example"),
    ("\"quoted local\"@dom.example.com", "helo.client.example"),
    ("user@dom.example.com", ""),
    ("user@-dom.example.com", "helo.client.example"),
    ("user@dom_x.example.com", "helo.client.example"),
    ("user@1.2.3.4", "helo.client.example"),
    ("user@dom.example.123", "helo.client.example"),
    ("a@b@dom.example.com", "helo.client.example"),
]


def g_domain(g, case):
    rng = g.rng
    s = g.new("domain")
    sender, helo = case
    rec = "v=spf1 +all exp=e.dom.example.com"
    for nm in ("dom.example.com", "a" * 63 + ".example.com", "example", "dom_x.example.com",
               "1.2.3.4", "dom.example.123", "b@dom.example.com", "-dom.example.com"):
        s.spf(nm, rec)
    s.txt("e.dom.example.com", "%{s} %{l} %{o}")
    s.q(ip4(rng), sender, helo if helo else "helo.client.example")


def g_cname(g):
    rng = g.rng
    s = g.new("cname")
    dom = "cn%d.example.com" % rng.randrange(1000)
    ip = ip4(rng)
    kind = rng.choice(["txt", "a", "chain", "nx", "loop", "mx"])
    if kind == "txt":
        s.cname(dom, "spf.provider.example")
        s.spf("spf.provider.example", "v=spf1 ip4:%s -all" % ip)
    elif kind == "a":
        s.spf(dom, "v=spf1 a:www.%s -all" % dom)
        s.cname("www.%s" % dom, "host.provider.example")
        s.a("host.provider.example", ip)
    elif kind == "chain":
        s.spf(dom, "v=spf1 a:c0.%s -all" % dom)
        n = rng.randrange(1, 5)
        for k in range(n):
            s.cname("c%d.%s" % (k, dom), "c%d.%s" % (k + 1, dom))
        s.a("c%d.%s" % (n, dom), ip)
    elif kind == "nx":
        s.spf(dom, "v=spf1 a:c0.%s ip4:%s -all" % (dom, ip))
        s.cname("c0.%s" % dom, "missing.%s" % dom)
    elif kind == "loop":
        s.spf(dom, "v=spf1 a:c0.%s ip4:%s -all" % (dom, ip))
        s.cname("c0.%s" % dom, "c1.%s" % dom)
        s.cname("c1.%s" % dom, "c0.%s" % dom)
    else:
        s.spf(dom, "v=spf1 mx -all")
        s.mx(dom, 10, "alias.%s" % dom)
        s.cname("alias.%s" % dom, "host.%s" % dom)
        s.a("host.%s" % dom, ip)
    sender = "%s@%s" % (g.lp(), dom)
    s.q(ip, sender)
    s.q(ip4(rng), sender)


def g_long(g):
    rng = g.rng
    s = g.new("long")
    dom = "long%d.example.org" % rng.randrange(1000)
    ips = [ip4(rng) for _ in range(rng.randrange(20, 120))]
    s.spf(dom, " ".join(["v=spf1"] + ["ip4:" + x for x in ips] + ["-all"]))
    sender = "%s@%s" % (g.lp(), dom)
    s.q(rng.choice(ips), sender)
    s.q(ip4(rng), sender)
    # a long sender domain: %{d} expansions past 253 octets are cut from
    # the left (RFC 7208 7.3)
    labels = ["l%02d" % k + "x" * rng.randrange(5, 40) for k in range(rng.randrange(3, 7))]
    ldom = ".".join(labels) + ".example.com"
    ip = ip4(rng)
    spec = "%{d}.%{d}.%{d}.x.example"
    ctx = Ctx(ip, "u@" + ldom, "h.example", ldom)
    s.a(expand(spec, ctx), "127.0.0.2")
    s.spf(ldom, "v=spf1 exists:%s -all" % spec)
    s.q(ip, "u@" + ldom)


MECHS = ["a", "mx", "ptr", "ip4", "ip6", "exists", "include", "all"]


def g_random(g):
    """Random policies from the grammar over random DNS data."""
    rng = g.rng
    s = g.new("random")
    dom = "rnd%d.example.com" % rng.randrange(1000)
    pool4 = [ip4(rng, "192.0.2") for _ in range(6)]
    pool6 = [ip6(rng) for _ in range(3)]
    hosts = ["h%d.%s" % (k, dom) for k in range(4)]
    for h in hosts:
        for _ in range(rng.randrange(3)):
            s.a(h, rng.choice(pool4 + pool6))
        if rng.random() < 0.3:
            s.mx(h, rng.randrange(10), rng.choice(hosts))
    for ip in rng.sample(pool4, 2):
        s.ptr(ip, rng.choice(hosts))
    domains = [dom, "sub.%s" % dom]

    def policy(depth):
        terms = []
        for _ in range(rng.randrange(1, 6)):
            m = rng.choice(MECHS[:-1])
            q = g.qual(0.6)
            if m in ("a", "mx"):
                t = m + (":" + rng.choice(hosts) if rng.random() < 0.6 else "")
                if rng.random() < 0.3:
                    t += "/%d" % rng.choice([0, 16, 24, 28, 32])
                if rng.random() < 0.2:
                    t += "//%d" % rng.choice([0, 32, 64, 128])
            elif m == "ptr":
                t = "ptr" + (":" + rng.choice([dom, "example.com"]) if rng.random() < 0.5 else "")
            elif m == "ip4":
                t = "ip4:%s/%d" % (rng.choice(pool4), rng.choice([24, 30, 32]))
            elif m == "ip6":
                t = "ip6:%s/%d" % (rng.choice(pool6), rng.choice([48, 64, 128]))
            elif m == "exists":
                t = "exists:%s" % rng.choice(hosts + ["%{ir}.list.example"])
            else:
                if depth > 2:
                    continue
                t = "include:%s" % rng.choice(domains[1:] + ["sub%d.%s" % (depth, dom)])
            terms.append(q + t)
        if rng.random() < 0.7:
            terms.append(rng.choice(["-all", "~all", "?all", "+all"]))
        elif rng.random() < 0.5:
            terms.append("redirect=sub.%s" % dom)
        return " ".join(["v=spf1"] + terms)

    s.spf(dom, policy(0))
    s.spf("sub.%s" % dom, policy(1))
    for d in range(1, 3):
        if rng.random() < 0.8:
            s.spf("sub%d.%s" % (d, dom), policy(d + 1))
    for ip in pool4[:2]:
        rev = ".".join(reversed(ip.split(".")))
        s.a("%s.list.example" % rev, "127.0.0.2")
    sender = "%s@%s" % (g.lp(), dom)
    for ip in rng.sample(pool4, 3) + [rng.choice(pool6)]:
        s.q(ip, sender)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-seed", type=int, default=7208)
    ap.add_argument("-scale", type=int, default=1)
    ap.add_argument("outdir")
    args = ap.parse_args()
    g = Gen(args.seed, args.scale)
    k = args.scale
    for _ in range(30 * k):
        g_ip(g)
    for _ in range(30 * k):
        g_a(g)
    for _ in range(30 * k):
        g_mx(g)
    for _ in range(30 * k):
        g_include(g)
    for _ in range(25 * k):
        g_redirect(g)
    for _ in range(60 * k):
        g_macro(g)
    for _ in range(40 * k):
        g_exp(g)
    for _ in range(30 * k):
        g_ptr(g)
    for _ in range(20 * k):
        g_void(g)
    for _ in range(20 * k):
        g_limit(g)
    for _ in range(30 * k):
        g_nested(g)
    for c in SELECT_CASES:
        g_select(g, c)
    for c in SYNTAX_CASES:
        g_syntax(g, c)
    for _ in range(30 * k):
        g_temp(g)
    for c in DOMAIN_CASES:
        g_domain(g, c)
    g_edge(g)
    for _ in range(15 * k):
        g_cname(g)
    for _ in range(8 * k):
        g_long(g)
    for _ in range(60 * k):
        g_random(g)
    g.write(args.outdir)


if __name__ == "__main__":
    main()
