#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Convert an openspf test suite (YAML, as Debian's python3-spf ships it) to
the line format spf-conformance reads.

Usage: convert.py SUITE.yml[.gz] > SUITE.txt

Run it with /usr/bin/python3: it needs the Debian python3-yaml module.

Output, one item per line (values percent-encoded: octets outside
0x21..0x7e and '%' itself are written %XX):

  scenario DESCRIPTION        starts a scenario (zone and tests follow)
  zone LINE                   a line of mox zone text (static resolver)
  timeout NAME TYPE           questions for NAME of TYPE time out
  test ID                     starts a test of the scenario
  host IP                     the client address
  mailfrom VALUE              MAIL FROM ("mailfrom" alone: empty)
  helo VALUE                  HELO name
  result R [R...]             results allowed, the preferred one first
  explanation VALUE           expected explanation
  noexplanation               expected: no explanation (the suite's DEFAULT)
  end                         ends a test

Zone data semantics follow the suite's description (and its reference
driver): records of type SPF are also published as TXT unless the name has
a TXT entry of its own ("TXT: NONE" publishes none); a bare "TIMEOUT"
entry makes every question for the name time out, except questions for a
type that has records listed before the TIMEOUT (those records are the
answer). The SPF type itself is loaded as type 99, which RFC 7208
implementations never ask for.

Names whose octets the mox resolver cannot take in a question (white
space, non-ASCII, backslash) are written with each such octet, and '~', as
"~XX"; the harness applies the same mapping to questions.
"""
import gzip
import sys

import yaml

QTYPES = ('TXT', 'A', 'AAAA', 'MX', 'PTR')


def pct(s):
    if isinstance(s, str):
        s = s.encode('utf-8')
    out = []
    for b in s:
        if b <= 0x20 or b >= 0x7f or b == ord('%'):
            out.append('%%%02X' % b)
        else:
            out.append(chr(b))
    return ''.join(out)


def name_map(s):
    """A name as the harness asks for it: see the module comment."""
    b = s.encode('utf-8')
    out = []
    for c in b:
        if c <= 0x20 or c >= 0x7f or c in (ord('\\'), ord('~')):
            out.append('~%02x' % c)
        else:
            out.append(chr(c))
    return ''.join(out)


def zone_name(s):
    """Absolute presentation-form name for zone text."""
    if s == '' or s == '.':
        return '.'
    n = name_map(s)
    out = []
    for ch in n:
        # Characters special to the zone lexer are escaped.
        if ch in '"();@$\\' or ch.isspace():
            out.append('\\%03d' % ord(ch))
        else:
            out.append(ch)
    n = ''.join(out)
    return n if n.endswith('.') else n + '.'


def zone_string(b):
    out = ['"']
    for c in b:
        if c < 0x20 or c >= 0x7f or c in (ord('"'), ord('\\')):
            out.append('\\%03d' % c)
        else:
            out.append(chr(c))
    out.append('"')
    return ''.join(out)


def txt_rdata(v):
    """Character-strings of a TXT value (a string or a list of strings);
    strings over 255 octets are split, which joining undoes."""
    if isinstance(v, str):
        v = [v]
    parts = []
    for s in v:
        b = s.encode('utf-8')
        if len(b) == 0:
            parts.append(b)
        while b:
            parts.append(b[:255])
            b = b[255:]
    return ' '.join(zone_string(p) for p in parts)


def expand(records):
    """The entries of a name as the reference driver sees them: a list of
    (type, value) and 'TIMEOUT' markers, with generated TXT records for
    SPF ones at the end."""
    out = []
    gen = True
    generated = []
    for r in records:
        if r == 'TIMEOUT':
            out.append('TIMEOUT')
            continue
        for t, v in r.items():
            if t in ('TXT', 'SPF') and isinstance(v, str):
                v = [v]
            if t == 'TXT':
                gen = False
            elif t == 'SPF':
                generated.append(('TXT', v))
            if v != ['NONE']:
                out.append((t, v))
    if gen:
        out.extend(generated)
    return out


def emit_scenario(scn, w):
    w('scenario %s' % pct(scn.get('description', '')))
    for name, records in scn.get('zonedata', {}).items():
        entries = expand(records)
        zn = zone_name(name)
        if 'TIMEOUT' in entries:
            cut = entries.index('TIMEOUT')
            before = entries[:cut]
            have = set(t for t, _ in before)
            timeouts = [t for t in QTYPES if t not in have]
            if len(timeouts) == len(QTYPES) and not before:
                w('zone $TIMEOUT %s' % zn)
            else:
                for t in timeouts:
                    w('timeout %s %s' % (pct(name_map(name.rstrip('.'))), t))
            entries = before
        for t, v in entries:
            if t in ('TXT', 'SPF'):
                if v == []:
                    # A TXT RR needs one character-string at least
                    # (RFC 1035 3.3.14); the zone text cannot hold none.
                    w('# %s %s with no strings left out' % (pct(name), t))
                    continue
                w('zone %s %s %s' % (zn, t, txt_rdata(v)))
            elif t == 'MX':
                w('zone %s MX %d %s' % (zn, v[0], zone_name(v[1])))
            elif t in ('PTR', 'CNAME'):
                w('zone %s %s %s' % (zn, t, zone_name(v)))
            elif t in ('A', 'AAAA'):
                w('zone %s %s %s' % (zn, t, v))
            else:
                raise SystemExit('unknown record type %r at %s' % (t, name))
    for tid, t in scn.get('tests', {}).items():
        w('test %s' % pct(tid))
        w('host %s' % pct(str(t['host'])))
        for k in ('mailfrom', 'helo'):
            v = t.get(k, '')
            w(('%s %s' % (k, pct(v))) if v else k)
        res = t['result']
        if isinstance(res, str):
            res = [res]
        w('result %s' % ' '.join(res))
        if 'explanation' in t:
            if t['explanation'] == 'DEFAULT':
                w('noexplanation')
            else:
                w('explanation %s' % pct(t['explanation']))
        w('end')


def main():
    if len(sys.argv) != 2:
        raise SystemExit('usage: convert.py SUITE.yml[.gz]')
    path = sys.argv[1]
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        docs = list(yaml.safe_load_all(f))
    out = sys.stdout
    out.write('# converted from %s\n' % path)
    for scn in docs:
        if scn:
            emit_scenario(scn, lambda s: out.write(s + '\n'))


if __name__ == '__main__':
    main()
