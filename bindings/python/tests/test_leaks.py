# SPDX-License-Identifier: MIT
"""Repeated calls do not grow memory: the resident set size
(/proc/self/statm) after 100,000 calls of spf.check (static resolver) and
of dkim.verify (ed25519, static resolver), and after shorter loops of the
other entry points, stays within a small bound of its size after a
warm-up. A leak of 11 octets per call in the 100,000-call loops exceeds
the bound.

MOXMAIL_LEAK_SCALE (a float, default 1) scales the loop counts, e.g. for
slow sanitizer builds."""
import asyncio
import gc
import os
import resource
import unittest

from moxmail import Answer, Record, Resolver, dkim, dmarc, spf

import support

PAGE = resource.getpagesize()
SCALE = float(os.environ.get('MOXMAIL_LEAK_SCALE', '1'))
BOUND = 1 << 20      # octets of growth allowed


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * PAGE


@unittest.skipUnless(os.path.exists('/proc/self/statm'), 'needs /proc')
class NoGrowth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key = dkim.Key.generate('ed25519')
        cls.r = Resolver.static(
            'example.org. TXT "v=spf1 a:mail.example.org ip4:192.0.2.0/24 '
            '-all"\nmail.example.org. A 198.51.100.5\n'
            '_dmarc.example.org. TXT "v=DMARC1; p=reject"\n'
            'sel._domainkey.example.org. TXT %s\n'
            % support.zone_txt(cls.key.txt()))
        cls.msg = support.message()
        cls.signed = dkim.sign(cls.msg, 'example.org', 'sel', cls.key) + \
            cls.msg

    @classmethod
    def tearDownClass(cls):
        cls.key.close()
        cls.r.close()

    def loop(self, n, body, warmup=None):
        n = max(1, int(n * SCALE))
        for _ in range(warmup if warmup is not None else max(1, n // 10)):
            body()
        gc.collect()
        before = rss()
        for _ in range(n):
            body()
        gc.collect()
        grown = rss() - before
        self.assertLess(grown, BOUND, '%d calls grew RSS by %d octets'
                        % (n, grown))
        return n

    def test_spf_check_static_100k(self):
        r, check = self.r, spf.check

        def body():
            check('198.51.100.5', 'user@example.org', 'mx.example.net',
                  resolver=r)
        self.loop(100000, body)
        self.assertEqual(check('198.51.100.5', 'user@example.org',
                               resolver=r).verdict, 'pass')

    def test_dkim_verify_100k(self):
        r, verify, m = self.r, dkim.verify, self.signed

        def body():
            verify(m, resolver=r)
        self.loop(100000, body)
        self.assertEqual(verify(m, resolver=r)[0].verdict, 'pass')

    def test_custom_resolver_callbacks(self):
        def func(qname, qtype):
            if qname == 'example.org':
                return Answer.of(Record.txt('v=spf1 ip4:192.0.2.0/24 -all'))
            raise KeyError(qname)      # exceptions must not leak either

        with Resolver.custom(func) as r:
            self.loop(20000, lambda: spf.check('192.0.2.1', 'a@example.org',
                                               resolver=r))
            # The resolver keeps its last exceptions (with their frames):
            # warm up past that.
            self.loop(10000, lambda: spf.check('192.0.2.1', 'a@other.example',
                                               resolver=r), warmup=5000)
            del r.last_errors[:]

    def test_sign_dmarc_records(self):
        key, m = self.key, self.msg
        self.loop(20000, lambda: dkim.sign(m, 'example.org', 'sel', key))
        d = dkim.verify(self.signed, resolver=self.r)
        self.loop(20000, lambda: dmarc.evaluate(m, dkim=d, resolver=self.r))
        self.loop(20000, lambda: spf.Record.parse(
            'v=spf1 a mx ip4:192.0.2.0/24 include:_spf.example.net -all'))
        self.loop(20000, lambda: dmarc.Record.parse(
            'v=DMARC1; p=reject; rua=mailto:d@example.org; pct=50'))

    def test_handles(self):
        def resolver():
            with Resolver.static('a.example. A 192.0.2.1\n'):
                pass

        def key():
            with dkim.Key.generate('ed25519') as k:
                k.to_pem()
                k.txt()
        self.loop(5000, resolver)
        self.loop(5000, key)

    def test_async(self):
        async def resolve(qname, qtype):
            return self.r.lookup(qname, qtype)

        async def spf_many(n):
            for _ in range(n):
                await spf.check_async('192.0.2.1', 'a@example.org',
                                      resolve=resolve)

        async def dkim_many(n):
            for _ in range(n):
                await dkim.verify_async(self.signed, resolve=resolve)

        n = max(1, int(5000 * SCALE))
        asyncio.run(spf_many(n // 10))
        asyncio.run(dkim_many(n // 10))
        gc.collect()
        before = rss()
        asyncio.run(spf_many(n))
        asyncio.run(dkim_many(n))
        gc.collect()
        self.assertLess(rss() - before, BOUND)


if __name__ == '__main__':
    unittest.main()
