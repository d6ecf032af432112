#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the SPF test cases of the Rust bindings (spf-rfc7208-subset.txt)
from the openspf RFC 7208 test suite that Debian's python3-spf ships.

Usage: /usr/bin/python3 make-spf-subset.py [SUITE.yml.gz] > spf-rfc7208-subset.txt

Needs PyYAML (Debian python3-yaml). The output is checked in, so the tests
need neither Python nor the package. Format, one item per line:

  scenario TEXT          a new scenario; its zone and tests follow
  zone LINE              a line of zone text for the in-memory resolver
  test ID                a test of the scenario, fields follow until "end"
  host IP                the SMTP client's address
  mailfrom VALUE         MAIL FROM; empty for the null reverse-path
  helo VALUE             HELO name
  result R [R ...]       the verdicts the suite accepts
  explanation VALUE      the explanation a fail must have
  end

VALUEs are percent-encoded: octets outside 0x21..0x7e and '%' are %XX.
Zone lines are ASCII: octets outside it are \\DDD escapes.

Zone data follow the suite's conventions: an SPF-type record is also
published as TXT when the name has no TXT entry ("TXT: NONE": no TXT at
all), and TIMEOUT makes questions for the name time out. The in-memory
resolver's $TIMEOUT applies to every type of a name, so for a name with
records of its own and TIMEOUT the records are kept and the timeout is
dropped (the suite's scenarios only need the timeout for types the name
has no records of and that RFC 7208 checkers do not ask, such as SPF).
"""
import gzip
import sys

import yaml

SUITE = "/usr/share/doc/python3-spf/rfc7208-tests.yml.gz"
COPYRIGHT = "/usr/share/doc/python3-spf/copyright"


def suite_license():
    """The suite's copyright notice, conditions and disclaimer (BSD: kept
    with the converted cases), from the package's copyright file."""
    with open(COPYRIGHT, encoding="utf-8") as f:
        text = f.read()
    start = text.index("The RFC 7208 test-suite")
    end = text.index("SUCH DAMAGE.", start) + len("SUCH DAMAGE.")
    return text[start:end].splitlines()

# Tests left out, with the reason (none at present: every test of the
# suite passes with these conventions; an entry here needs a reason).
EXCLUDED = {}


def enc(v):
    """Percent-encode a value for the case file."""
    if v is None:
        return ""
    b = str(v).encode("utf-8")
    return "".join(chr(c) if 0x21 <= c <= 0x7e and c != 0x25 else "%%%02X" % c for c in b)


def quote(s):
    """A zone-file character-string (or several: at most 255 octets each)."""
    b = s.encode("utf-8") if isinstance(s, str) else s
    chunks = [b[i:i + 255] for i in range(0, len(b), 255)] or [b""]
    out = []
    for chunk in chunks:
        t = []
        for c in chunk:
            if c in (0x22, 0x5c):
                t.append("\\" + chr(c))
            elif 0x20 <= c <= 0x7e:
                t.append(chr(c))
            else:
                t.append("\\%03d" % c)
        out.append('"' + "".join(t) + '"')
    return " ".join(out)


def name(n):
    """An absolute owner or target name, unusual octets as \\DDD."""
    n = str(n)
    if not n.endswith("."):
        n += "."
    out = []
    for c in n.encode("utf-8"):
        if chr(c).isalnum() and c < 0x80 or chr(c) in "-_.":
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    return "".join(out)


def zone_lines(zonedata):
    lines = []
    for owner, rrs in zonedata.items():
        own = name(owner)
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in rrs)
        timeout = "TIMEOUT" in rrs
        recs = []
        for r in rrs:
            if not isinstance(r, dict):
                continue
            for t, v in r.items():
                if v == "NONE":
                    continue
                if t in ("TXT", "SPF"):
                    vals = v if isinstance(v, list) and v and isinstance(v[0], list) else [v]
                    for one in vals:
                        text = "".join(one) if isinstance(one, list) else one
                        if isinstance(one, list):
                            # Several character-strings; none is one empty one.
                            parts = " ".join(quote(x) for x in one) or quote("")
                        else:
                            parts = quote(text)
                        recs.append("%s 300 IN %s %s" % (own, t, parts))
                        if t == "SPF" and not has_txt:
                            recs.append("%s 300 IN TXT %s" % (own, parts))
                elif t in ("A", "AAAA"):
                    for ip in v if isinstance(v, list) else [v]:
                        recs.append("%s 300 IN %s %s" % (own, t, ip))
                elif t == "MX":
                    recs.append("%s 300 IN MX %d %s" % (own, v[0], name(v[1])))
                elif t in ("PTR", "CNAME"):
                    recs.append("%s 300 IN %s %s" % (own, t, name(v)))
                else:
                    raise SystemExit("unknown type %s at %s" % (t, owner))
        queryable = [x for x in recs if " IN SPF " not in x]
        if timeout and not queryable:
            lines.append("$TIMEOUT %s" % own)
        else:
            lines.extend(recs)
    return lines


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else SUITE
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    out = []
    covered, excluded = [], []
    for d in docs:
        tests = []
        for tid, t in d["tests"].items():
            if tid in EXCLUDED:
                excluded.append("%s (%s)" % (tid, EXCLUDED[tid]))
                continue
            res = t["result"]
            res = res if isinstance(res, list) else [res]
            tests.append("test %s" % tid)
            tests.append("host %s" % enc(t["host"]))
            tests.append("mailfrom %s" % enc(t.get("mailfrom", "")))
            tests.append("helo %s" % enc(t.get("helo", "")))
            tests.append("result %s" % " ".join(res))
            if "explanation" in t and t["explanation"] != "DEFAULT":
                tests.append("explanation %s" % enc(t["explanation"]))
            tests.append("end")
            covered.append(tid)
        if not tests:
            continue
        out.append("scenario %s" % enc(d["description"]))
        out.extend("zone " + z for z in zone_lines(d.get("zonedata") or {}))
        out.extend(tests)
    head = [
        "# Generated by make-spf-subset.py from the openspf RFC 7208 test suite",
        "# (release 2014.04, Debian python3-spf rfc7208-tests.yml.gz). Do not edit.",
        "# %d tests covered: %s" % (len(covered), " ".join(covered)),
        "# %d left out: %s" % (len(excluded), "; ".join(excluded) or "none"),
        "#",
    ] + [("# " + x).rstrip() for x in suite_license()]
    sys.stdout.write("\n".join(head + out) + "\n")


if __name__ == "__main__":
    main()
