# SPDX-License-Identifier: MIT
"""spfzone.py -- read and write the zone text of the SPF differential tests.

The generator writes, and the drivers read, a small subset of the zone text
that mox_resolver_static_load() accepts (RFC 1035 master file syntax plus
the $NXDOMAIN/$SERVFAIL/$TIMEOUT directives of mox):

    owner. TTL IN TYPE rdata        one record per line, absolute owner
    $NXDOMAIN name.                 force an outcome for every type of name
    $SERVFAIL name.
    $TIMEOUT name.
    ; comment

Types: A, AAAA, MX, PTR, CNAME, TXT, SPF. TXT/SPF rdata is one or more
quoted character-strings with \\" \\\\ and \\DDD escapes.

Python here must be Debian's /usr/bin/python3 (pyspf lives there).
"""

TYPES = ("A", "AAAA", "MX", "PTR", "CNAME", "TXT", "SPF")


def quote_txt(b):
    """One character-string (bytes) in zone text form."""
    out = ['"']
    for c in b:
        if c in (0x22, 0x5C):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    out.append('"')
    return "".join(out)


def name_text(name):
    """An owner or target name, absolute. Characters that are special in
    zone text are escaped."""
    out = []
    for ch in name:
        if ch in ' ;()"\\@$' or ord(ch) < 0x21 or ord(ch) > 0x7E:
            out.append("\\%03d" % ord(ch) if ord(ch) < 256 else ch)
        else:
            out.append(ch)
    s = "".join(out)
    return s if s.endswith(".") else s + "."


def _unescape_name(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            if s[i + 1 : i + 4].isdigit() and len(s[i + 1 : i + 4]) == 3:
                out.append(chr(int(s[i + 1 : i + 4])))
                i += 4
                continue
            out.append(s[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    n = "".join(out)
    return n[:-1] if n.endswith(".") else n


def _parse_strings(s):
    """Quoted character-strings of a TXT rdata -> list of bytes."""
    res = []
    i = 0
    while i < len(s):
        if s[i] in " \t":
            i += 1
            continue
        if s[i] != '"':
            raise ValueError("unquoted TXT data: " + s)
        i += 1
        b = bytearray()
        while s[i] != '"':
            if s[i] == "\\":
                if s[i + 1 : i + 4].isdigit():
                    b.append(int(s[i + 1 : i + 4]))
                    i += 4
                else:
                    b.append(ord(s[i + 1]))
                    i += 2
            else:
                b += s[i].encode("utf-8")
                i += 1
        i += 1
        res.append(bytes(b))
    return res


class Zone:
    """Records of one scenario: rr[(name_lower, TYPE)] = [values], names
    kept as written for CNAME targets; forced[name_lower] = outcome."""

    def __init__(self):
        self.rr = {}
        self.forced = {}
        self.names = set()

    def add(self, owner, rtype, value):
        key = (owner.lower(), rtype)
        self.rr.setdefault(key, []).append(value)
        self.names.add(owner.lower())
        labels = owner.lower().split(".")
        for k in range(1, len(labels)):
            self.names.add(".".join(labels[k:]))

    def lookup(self, name, rtype, depth=0):
        """-> (outcome, values): outcome one of ok, nodata, nxdomain,
        servfail, timeout. CNAMEs are followed (at most 8)."""
        n = name.lower().rstrip(".")
        if n in self.forced:
            return self.forced[n], []
        vals = self.rr.get((n, rtype))
        if vals:
            return "ok", list(vals)
        c = self.rr.get((n, "CNAME"))
        if c and rtype != "CNAME":
            if depth >= 8:
                return "servfail", []
            return self.lookup(c[0], rtype, depth + 1)
        if n in self.names:
            return "nodata", []
        return "nxdomain", []


def load(path):
    z = Zone()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith(";"):
                continue
            if line.startswith("$"):
                d, name = line.split(None, 1)
                z.forced[_unescape_name(name.strip()).lower()] = d[1:].lower()
                continue
            owner, ttl, cls, rtype, rdata = line.split(None, 4)
            owner = _unescape_name(owner)
            if rtype in ("A", "AAAA"):
                z.add(owner, rtype, rdata.strip())
            elif rtype == "MX":
                pref, host = rdata.split()
                z.add(owner, rtype, (int(pref), _unescape_name(host)))
            elif rtype in ("PTR", "CNAME"):
                z.add(owner, rtype, _unescape_name(rdata.strip()))
            elif rtype in ("TXT", "SPF"):
                z.add(owner, rtype, _parse_strings(rdata))
            else:
                raise ValueError("type %s not in the subset" % rtype)
    return z


def read_queries(path):
    """-> list of (id, scenario, ip, sender, helo); sender "" for <>."""
    qs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            qid, scen, ip, sender, helo = line.split("\t")
            qs.append((qid, scen, ip, "" if sender == "<>" else sender, helo))
    return qs
