#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pyspf_driver.py -- evaluate the generated queries with pyspf (Debian
python3-spf), answering its DNS lookups from the scenario's zone text.

Usage: pyspf_driver.py CASEDIR     (written by gen_cases.py)

Prints one line per query: id TAB result TAB explanation TAB detail, where
the explanation is given only for fail results that got one from exp=
(pyspf reports its built-in default text otherwise, which is left out),
and detail is pyspf's message for permerror and temperror. Tabs, newlines
and other control characters in them are written as \\xNN.

Must run under Debian's /usr/bin/python3, where python3-spf is installed.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spf  # noqa: E402
import spfzone  # noqa: E402

RECEIVER = "receiver.example"
NOW = "1700000000"

zone = None


def dns_lookup(name, qtype, strict=True, timeout=None):
    """Replacement for spf.DNSLookup: ((name, type), value) pairs as the
    dnspython backend of pyspf yields them; CNAMEs already followed."""
    outcome, vals = zone.lookup(name, qtype)
    if outcome in ("timeout", "servfail"):
        raise spf.TempError("DNS %s for %s %s" % (outcome, qtype, name))
    res = []
    for v in vals:
        if qtype in ("TXT", "SPF"):
            res.append(((name, qtype), list(v)))
        else:
            res.append(((name, qtype), v))
    return res


spf.DNSLookup = dns_lookup


def esc(s):
    out = []
    for ch in s:
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def main():
    global zone
    casedir = sys.argv[1]
    zones = {}
    for qid, scen, ip, sender, helo in spfzone.read_queries(os.path.join(casedir, "queries.txt")):
        if scen not in zones:
            zones[scen] = spfzone.load(os.path.join(casedir, "zones", scen + ".zone"))
        zone = zones[scen]
        try:
            q = spf.query(i=ip, s=sender, h=helo, receiver=RECEIVER)
            q.t = NOW
            res, _code, exp = q.check()
            detail = exp if res in ("permerror", "temperror") else ""
            if res != "fail" or exp == spf.EXPLANATIONS["fail"]:
                exp = ""
        except Exception as x:  # pyspf raising out of check(): note it
            res, exp, detail = "exception", "", type(x).__name__ + ": " + str(x)
        print("%s\t%s\t%s\t%s" % (qid, res, esc(exp or ""), esc(detail)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
