#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gen_cases.py -- DMARC evaluation cases for the OpenDMARC differential.

Usage: gen_cases.py [-seed N] [-count N] > cases.txt

Writes blocks of lines:

  case ID CATEGORY
  from DOMAIN
  spf RESULT DOMAIN        (pass, fail or none; at most one)
  dkim RESULT DOMAIN       (any number)
  txt NAME TEXT            (a TXT record: owner without "_dmarc."
                            prefix is not implied; TEXT to the end of line)
  end

Every case has its own registered domains (c<N>... under a real public
suffix), so the TXT records of all cases can live in one DNS at once, as
OpenDMARC's fake-record table needs. Categories:

  random   random policies, From domains at and below the organizational
           domain, SPF and DKIM identities aligned and not, strict and
           relaxed
  psl      suffixes with two labels, wildcard and exception rules, the
           private section, IDN suffixes, unknown TLDs, a From domain that
           is a public suffix, neighbours under the same suffix
  syntax   record text variants: case, spaces, abbreviations, missing and
           invalid tags, duplicates, RFC 9989-only tags, pct
"""
import argparse
import random

SUFFIXES = [
    "com", "org", "net", "co.uk", "org.uk", "com.au", "github.io",
    "blogspot.com", "s3.amazonaws.com", "xn--55qx5d.cn", "unknowntld",
    "x.kawasaki.jp",           # under the *.kawasaki.jp wildcard
    "kawasaki.jp",             # the wildcard's parent (a suffix)
    "nom.br",
]


class Case:
    def __init__(self, cid, cat):
        self.cid = cid
        self.cat = cat
        self.from_ = None
        self.spf = None
        self.dkim = []
        self.txt = []

    def write(self, out):
        out.append("case %s %s" % (self.cid, self.cat))
        out.append("from %s" % self.from_)
        if self.spf:
            out.append("spf %s %s" % self.spf)
        for d in self.dkim:
            out.append("dkim %s %s" % d)
        for name, text in self.txt:
            out.append("txt %s %s" % (name, text))
        out.append("end")


def reg_domain(rnd, n, suffix=None):
    if suffix is None:
        suffix = rnd.choice(SUFFIXES)
    # Under "kawasaki.jp" the name c<N>.kawasaki.jp is itself a public
    # suffix (the *.kawasaki.jp rule).
    return "c%d.%s" % (n, suffix), suffix


def sub(rnd, dom, depth=None):
    if depth is None:
        depth = rnd.choice([1, 1, 1, 2, 3])
    labels = [rnd.choice(["mail", "a", "b", "news", "x1", "deep"])
              for _ in range(depth)]
    return ".".join(labels + [dom])


def record(rnd):
    tags = ["v=DMARC1", "p=" + rnd.choice(["none", "quarantine", "reject"])]
    if rnd.random() < 0.4:
        tags.append("sp=" + rnd.choice(["none", "quarantine", "reject"]))
    if rnd.random() < 0.3:
        tags.append("adkim=" + rnd.choice(["r", "s"]))
    if rnd.random() < 0.3:
        tags.append("aspf=" + rnd.choice(["r", "s"]))
    if rnd.random() < 0.3:
        tags.append("rua=mailto:dmarc@example.com")
    if rnd.random() < 0.1:
        tags.append("fo=1")
    rest = tags[2:]
    rnd.shuffle(rest)
    return "; ".join(tags[:2] + rest)


def identity(rnd, from_, org, n, suffix):
    kind = rnd.choice(["same", "org", "sub", "sibling", "neighbour",
                       "unrelated", "suffix", "parent"])
    if kind == "same":
        return from_
    if kind == "org":
        return org
    if kind == "sub":
        return sub(rnd, from_, 1)
    if kind == "sibling":
        return sub(rnd, org, 1)
    if kind == "neighbour":
        return "d%d.%s" % (n, suffix)
    if kind == "suffix":
        return suffix
    if kind == "parent":
        p = from_.split(".", 1)
        return p[1] if len(p) > 1 else from_
    return "u%d.example.net" % n


def gen_random(rnd, n):
    c = Case("r%04d" % n, "random")
    org, suffix = reg_domain(rnd, n)
    from_ = org if rnd.random() < 0.4 else sub(rnd, org)
    c.from_ = from_
    if rnd.random() < 0.35:
        c.txt.append(("_dmarc." + from_, record(rnd)))
    if rnd.random() < 0.7:
        if from_ != org or not c.txt:
            c.txt.append(("_dmarc." + org, record(rnd)))
    if rnd.random() < 0.8:
        c.spf = (rnd.choice(["pass", "pass", "fail", "none"]),
                 identity(rnd, from_, org, n, suffix))
    for _ in range(rnd.choice([0, 1, 1, 2])):
        c.dkim.append((rnd.choice(["pass", "pass", "fail"]),
                       identity(rnd, from_, org, n, suffix)))
    return c


def gen_psl(rnd, n):
    c = Case("p%04d" % n, "psl")
    suffix = SUFFIXES[n % len(SUFFIXES)]
    org, suffix = reg_domain(rnd, n, suffix)
    kind = n % 5
    if kind == 0:
        # The From domain is the public suffix itself (no record there).
        c.from_ = suffix
        c.spf = ("pass", suffix)
        c.txt.append(("_dmarc." + org, "v=DMARC1; p=reject"))
    else:
        c.from_ = sub(rnd, org, kind % 3 + 1) if kind != 1 else org
        c.txt.append(("_dmarc." + org, "v=DMARC1; p=reject; sp=quarantine"))
        c.spf = ("pass", identity(rnd, c.from_, org, n, suffix))
        c.dkim.append(("pass", identity(rnd, c.from_, org, n, suffix)))
    return c


SYNTAX = [
    "v=DMARC1; p=reject",
    "v=DMARC1;p=reject",
    "v=DMARC1 ; p = reject ;",
    "V=DMARC1; P=REJECT",
    "v=DMARC1; p=Quarantine; sp=NONE",
    "v=dmarc1; p=reject",                       # lowercase version
    "v=DMARC1; p=rej",                          # abbreviation
    "v=DMARC1; p=r",
    "v=DMARC1; p=bogus",
    "v=DMARC1; p=bogus; rua=mailto:d@example.com",
    "v=DMARC1; sp=reject",                      # p missing
    "v=DMARC1; sp=reject; rua=mailto:d@example.com",
    "v=DMARC1",
    "v=DMARC1; p=reject; sp=bogus",
    "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com",
    "v=DMARC1; p=none; p=reject",               # duplicate
    "v=DMARC1; p=reject; foo=bar",
    "v=DMARC1; p=reject; adkim=x",
    "v=DMARC1; p=reject; adkim=strict",
    "v=DMARC1; p=reject; aspf=relaxed",
    "v=DMARC1; p=reject; pct=50",
    "v=DMARC1; p=reject; pct=0",
    "v=DMARC1; p=reject; pct=101",
    "v=DMARC1; p=reject; pct=abc",
    "v=DMARC1; p=reject; t=y",
    "v=DMARC1; p=none; np=reject",
    "v=DMARC1; p=reject; psd=y",
    "v=DMARC1; p=reject; np=bogus",
    "v=DMARC1; p=reject; fo=0:1",
    "v=DMARC1; p=reject; fo=x",
    "v=DMARC1; p=reject; rf=bogus",
    "v=DMARC1; p=reject; ri=abc",
    "v=DMARC1; p=reject; rua=mailto:a@example.com!10m",
    "p=reject; v=DMARC1",                       # v not first
    "v=DMARC1 p=reject",
    "v=DMARC2; p=reject",
    "v=DMARC1; p=quarantine; garbage",
    "v=DMARC1; p=reject; aspf=s; adkim=s",
]


def gen_syntax(rnd, n):
    c = Case("s%04d" % n, "syntax")
    text = SYNTAX[n % len(SYNTAX)]
    org = "c%d.com" % (10000 + n)
    variant = (n // len(SYNTAX)) % 4
    # 0: From at the record, failing; 1: From below it, failing;
    # 2: relaxed SPF pass from a subdomain; 3: strict-only DKIM pass.
    c.from_ = org if variant in (0, 2, 3) else "mail." + org
    c.txt.append(("_dmarc." + org, text))
    if variant == 2:
        c.spf = ("pass", "bounce." + org)
    elif variant == 3:
        c.dkim.append(("pass", org))
    else:
        c.spf = ("fail", org)
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-seed", type=int, default=7489)
    ap.add_argument("-count", type=int, default=400)
    a = ap.parse_args()
    out = []
    for n in range(a.count):
        gen_random(random.Random("%d-random-%d" % (a.seed, n)), n).write(out)
    for n in range(len(SUFFIXES) * 5):
        gen_psl(random.Random("%d-psl-%d" % (a.seed, n)), 5000 + n).write(out)
    # The !city.kawasaki.jp exception: a registrable domain.
    c = Case("p9999", "psl")
    c.from_ = "mail.city.kawasaki.jp"
    c.txt.append(("_dmarc.city.kawasaki.jp", "v=DMARC1; p=reject"))
    c.spf = ("pass", "bounce.city.kawasaki.jp")
    c.write(out)
    for n in range(len(SYNTAX) * 4):
        gen_syntax(random.Random("%d-syntax-%d" % (a.seed, n)), n).write(out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
