#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""spf_suite.py -- convert the openspf RFC 7208 test suite (YAML) into the
case format of tests/interop/spf (zones/<scenario>.zone + queries.txt), for
bench_spf.

Usage: spf_suite.py [-suite FILE] [-nsd DIR] OUTDIR

  -suite FILE      the suite, plain or .gz (default: Debian python3-spf's
                   /usr/share/doc/python3-spf/rfc7208-tests.yml.gz)
  -nsd DIR         also write zones for an authoritative server (nsd):
                   the scenarios that need no forced outcome ($TIMEOUT) and
                   have no CNAME beside other data, in groups whose names
                   do not clash (scenarios reuse names such as
                   mail.example.com with other data), one zone rooted at
                   "." per group: DIR/gNN.zone with its queries in
                   DIR/gNN.queries (the queries.txt format)

queries.txt lines: id TAB scenario TAB ip TAB sender TAB helo TAB result
(sender "<>" for the null reverse-path; result as the suite expects, a
"|"-separated list when it accepts several).

Zone data follows the suite's own driver (testspf.py): an SPF record is
also published as TXT when the name has no TXT record, "TXT: NONE" means no
TXT record, and TIMEOUT makes every type without records time out. The
static resolver's $TIMEOUT covers every type of a name, so a name with TXT
records and TIMEOUT keeps its records and loses the timeout.

Needs python3-yaml: run with Debian's /usr/bin/python3.
"""
import argparse
import gzip
import os
import sys

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "interop", "spf"))
from spfzone import name_text, quote_txt  # noqa: E402

SUITE = "/usr/share/doc/python3-spf/rfc7208-tests.yml.gz"


def txt_rdata(v):
    if isinstance(v, str):
        v = [v]
    if not v:
        return '""'  # "SPF: [ ]": one empty string
    parts = []
    for s in v:
        b = s.encode("utf-8")
        while len(b) > 255:
            parts.append(quote_txt(b[:255]))
            b = b[255:]
        parts.append(quote_txt(b))
    return " ".join(parts)


def scenario_records(zonedata):
    """-> (lines, forced_lines, names, has_cname_clash)"""
    lines, forced, names = [], [], {}
    clash = False
    for name, rrs in zonedata.items():
        own = name_text(name)
        recs = []
        timeout = False
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in rrs)
        txt_none = any(isinstance(r, dict) and r.get("TXT") == "NONE" for r in rrs)
        for r in rrs:
            if r == "TIMEOUT":
                timeout = True
                continue
            for t, v in r.items():
                if v == "NONE":
                    continue
                if t in ("TXT", "SPF"):
                    recs.append((t, txt_rdata(v)))
                    if t == "SPF" and not has_txt:
                        recs.append(("TXT", txt_rdata(v)))
                elif t == "MX":
                    recs.append((t, "%d %s" % (v[0], name_text(v[1]))))
                elif t in ("PTR", "CNAME"):
                    recs.append((t, name_text(v)))
                else:
                    recs.append((t, v))
        if timeout and not (has_txt and not txt_none):
            forced.append("$TIMEOUT " + own)
        types = set(t for t, _ in recs)
        if "CNAME" in types and len(types) > 1:
            clash = True
        for t, v in recs:
            lines.append("%s 300 IN %s %s" % (own, t, v))
        names[name.lower().rstrip(".")] = sorted("%s %s" % tv for tv in recs) + \
            (["TIMEOUT"] if timeout else [])
    return lines, forced, names, clash


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-suite", default=SUITE)
    ap.add_argument("-nsd")
    ap.add_argument("outdir")
    args = ap.parse_args()
    opener = gzip.open if args.suite.endswith(".gz") else open
    with opener(args.suite, "rb") as f:
        docs = list(yaml.safe_load_all(f))
    os.makedirs(os.path.join(args.outdir, "zones"), exist_ok=True)
    groups = []  # [names dict, lines, query lines]
    with open(os.path.join(args.outdir, "queries.txt"), "w", encoding="utf-8") as qf:
        qf.write("# id\tscenario\tip\tsender\thelo\tresult\n")
        for k, doc in enumerate(docs, 1):
            scen = "rfc7208-%02d" % k
            lines, forced, names, clash = scenario_records(doc.get("zonedata") or {})
            with open(os.path.join(args.outdir, "zones", scen + ".zone"), "w",
                      encoding="utf-8") as zf:
                zf.write("; %s: %s\n" % (scen, doc.get("description", "")))
                for l in forced + lines:
                    zf.write(l + "\n")
            group = None
            if not forced and not clash:
                for gr in groups:
                    if all(gr[0].get(n, v) == v for n, v in names.items()):
                        group = gr
                        break
                if group is None:
                    group = [{}, [], []]
                    groups.append(group)
                group[0].update(names)
                group[1].extend(lines)
            for tid, t in doc["tests"].items():
                res = t["result"]
                if isinstance(res, list):
                    res = "|".join(res)
                line = "%s\t%s\t%s\t%s\t%s\t%s\n" % (
                    tid, scen, t["host"], t["mailfrom"] or "<>", t["helo"], res)
                qf.write(line)
                if group is not None:
                    group[2].append(line)
    if args.nsd:
        os.makedirs(args.nsd, exist_ok=True)
        for n, (names, lines, qlines) in enumerate(groups, 1):
            with open(os.path.join(args.nsd, "g%02d.zone" % n), "w", encoding="utf-8") as zf:
                zf.write(". 3600 IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 3600\n")
                zf.write(". 3600 IN NS ns.bench.\n")
                zf.write("ns.bench. 3600 IN A 127.0.0.1\n")
                for l in dict.fromkeys(lines):
                    zf.write(l + "\n")
            with open(os.path.join(args.nsd, "g%02d.queries" % n), "w", encoding="utf-8") as qf:
                qf.write("# id\tscenario\tip\tsender\thelo\tresult\n")
                qf.writelines(qlines)


if __name__ == "__main__":
    main()
