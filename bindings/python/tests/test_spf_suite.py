# SPDX-License-Identifier: MIT
"""The openspf RFC 7208 test suite (from Debian's python3-spf, read where
it is installed) through the bindings, three ways:

  - spf.check() over a static Resolver loaded with the scenario's records
    (scenarios without timeouts or names the static resolver cannot hold);
  - spf.check() over a custom Resolver whose Python function serves the
    zone data as the suite's reference driver does (every scenario);
  - spf.check_async() with an async resolve function over the same data.

Every test must give one of the results the suite accepts, and the
expected explanation where it names one. The zone semantics follow the
suite's description: SPF-type records are also published as TXT unless
the name lists TXT records of its own ("TXT: NONE" publishes none); a
"TIMEOUT" entry makes questions for the name time out, except for types
with records listed before it.
"""
import asyncio
import gzip
import os
import unittest

import moxmail
from moxmail import Answer, Record, Resolver, spf

SUITE = '/usr/share/doc/python3-spf/rfc7208-tests.yml.gz'
NOW = 1400000000

try:
    import yaml
except ImportError:
    yaml = None


def _unescape(name):
    """A question name (presentation form, RFC 1035 \\DDD and \\X escapes)
    as raw octets."""
    out = bytearray()
    b = name.encode('latin-1', 'surrogateescape')
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 3 < len(b) + 0 and b[i + 1:i + 4].isdigit():
            out.append(int(b[i + 1:i + 4]))
            i += 4
        elif c == 0x5c and i + 1 < len(b):
            out.append(b[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def _key(name):
    if isinstance(name, str):
        name = name.encode('utf-8')
    return name.rstrip(b'.').lower()


class Zone:
    """The zone data of one scenario."""

    def __init__(self, zonedata):
        self.names = {}
        for name, entries in (zonedata or {}).items():
            self.names[_key(name)] = self._expand(entries)

    @staticmethod
    def _expand(entries):
        out, generated, has_txt = [], [], False
        for e in entries:
            if e == 'TIMEOUT':
                out.append(('TIMEOUT', None))
                continue
            for t, v in e.items():
                if t in ('TXT', 'SPF') and isinstance(v, str):
                    v = [v]
                if t == 'TXT':
                    has_txt = True
                # "NONE" publishes nothing; a TXT record needs one
                # character-string at least (RFC 1035 3.3.14), so an empty
                # list cannot be published either.
                if v in (['NONE'], []):
                    continue
                if t == 'SPF':
                    generated.append(('TXT', v))
                out.append((t, v))
        if not has_txt:
            out += generated
        return out

    @property
    def has_timeouts(self):
        return any(t == 'TIMEOUT' for es in self.names.values()
                   for t, _ in es)

    @staticmethod
    def record(t, v, name=None):
        if t in ('TXT', 'SPF'):
            return Record(t, tuple(v), name=name)
        if t == 'MX':
            return Record.mx(v[0], v[1], name=name)
        return Record(t, v, name=name)

    def answer(self, qname, qtype):
        """The Answer for a question, as the reference driver gives it."""
        qt = moxmail.RRType(qtype).name
        name = _key(_unescape(qname))
        chain, seen = [], set()
        while True:
            entries = self.names.get(name)
            if entries is None:
                return Answer(chain, result='nxdomain') if not chain else \
                    Answer(chain, result='nxdomain')
            recs, cname = [], None
            for t, v in entries:
                if t == 'TIMEOUT':
                    if not recs:
                        return Answer.timeout()
                    break
                if t == qt:
                    owner = name.decode('utf-8', 'replace') if chain else None
                    recs.append(self.record(t, v, owner))
                elif t == 'CNAME' and cname is None:
                    cname = v
            if recs or cname is None or qt == 'CNAME':
                return Answer(chain + recs)
            if name in seen or len(chain) > 8:
                return Answer.servfail()     # CNAME loop
            seen.add(name)
            chain.append(Record.cname(cname.rstrip('.'),
                                      name=name.decode('utf-8', 'replace')))
            name = _key(cname)

    def static_resolver(self):
        """A static Resolver with the records; None when the scenario needs
        what the static backend does not model: a timeout for some types
        of a name and records for others ($TIMEOUT is for every type), or
        a name with octets it cannot hold (control, non-ASCII, backslash).
        """
        asked = ('TXT', 'A', 'AAAA', 'MX', 'PTR')
        r = Resolver.static()
        try:
            for name, entries in self.names.items():
                if any(c < 0x20 or c >= 0x7f or c == 0x5c for c in name):
                    r.close()
                    return None
                types = [t for t, _ in entries]
                if 'TIMEOUT' in types:
                    if any(t in asked for t in
                           types[:types.index('TIMEOUT')]):
                        r.close()
                        return None
                    r.set_result(name.decode(), 'timeout')
                    continue
                for t, v in entries:
                    r.add(self.record(t, v, name.decode()))
        except BaseException:
            r.close()
            raise
        return r


def load_suite():
    with gzip.open(SUITE, 'rb') as f:
        return [d for d in yaml.safe_load_all(f) if d]


@unittest.skipIf(yaml is None, '/usr/bin/python3 has no yaml module '
                 '(Debian python3-yaml)')
@unittest.skipUnless(os.path.exists(SUITE), SUITE + ' not found '
                     '(Debian python3-spf)')
class Rfc7208Suite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scenarios = load_suite()

    def outcome_ok(self, t, res):
        want = t['result'] if isinstance(t['result'], list) else \
            [t['result']]
        if res.verdict not in want:
            return 'got %s, want %s' % (res.verdict, '|'.join(want))
        exp = t.get('explanation')
        if exp == 'DEFAULT' and res.explanation is not None:
            return 'got explanation %r, want none' % res.explanation
        if exp not in (None, 'DEFAULT') and (
                res.explanation is None or
                res.explanation.lower() != exp.lower()):
            return 'got explanation %r, want %r' % (res.explanation, exp)
        return None

    def run_all(self, runner):
        ntests, failures = 0, []
        for scn in self.scenarios:
            zone = Zone(scn.get('zonedata'))
            with runner(zone) as run:
                if run is None:
                    continue
                for tid, t in scn.get('tests', {}).items():
                    ntests += 1
                    res = run(str(t['host']), t.get('mailfrom', ''),
                              t.get('helo', ''))
                    why = self.outcome_ok(t, res)
                    if why:
                        failures.append('%s: %s (%s)' % (tid, why,
                                                         res.reason))
        self.assertEqual(failures, [])
        return ntests

    def test_custom_resolver(self):
        class Runner:
            def __init__(self, zone):
                self.r = Resolver.custom(zone.answer)

            def __enter__(self):
                return lambda ip, mf, helo: spf.check(
                    ip, mf, helo, resolver=self.r, now=NOW)

            def __exit__(self, *exc):
                self.r.close()

        n = self.run_all(Runner)
        self.assertEqual(n, sum(len(s.get('tests', {}))
                                for s in self.scenarios))
        self.assertGreater(n, 150)

    def test_static_resolver(self):
        skipped = []

        class Runner:
            def __init__(self, zone):
                self.r = zone.static_resolver()
                if self.r is None:
                    skipped.append(zone)

            def __enter__(self):
                if self.r is None:
                    return None
                return lambda ip, mf, helo: spf.check(
                    ip, mf, helo, resolver=self.r, now=NOW)

            def __exit__(self, *exc):
                if self.r is not None:
                    self.r.close()

        n = self.run_all(Runner)
        # All but the scenario with per-type timeouts run here; that one
        # runs through the custom resolver above.
        self.assertGreater(n, 180)
        self.assertLessEqual(len(skipped), 1)

    def test_check_async(self):
        class Runner:
            def __init__(self, zone):
                self.zone = zone

            def __enter__(self):
                async def resolve(qname, qtype):
                    await asyncio.sleep(0)
                    return self.zone.answer(qname, qtype)

                return lambda ip, mf, helo: asyncio.run(spf.check_async(
                    ip, mf, helo, resolve=resolve, now=NOW))

            def __exit__(self, *exc):
                pass

        self.assertGreater(self.run_all(Runner), 150)


if __name__ == '__main__':
    unittest.main()
