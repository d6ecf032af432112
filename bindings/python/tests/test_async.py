# SPDX-License-Identifier: MIT
"""asyncio: spf.check_async, dkim.verify_async and dmarc.evaluate_async
with async resolver functions: concurrent key questions, failing and
slow resolvers, cancellation, plain (non-async) resolver functions."""
import asyncio
import unittest

from moxmail import Answer, Record, RRType, dkim, dmarc, spf

import support

DOMAIN = 'example.org'


class Zone:
    """An async resolver over a dict {(name, type): Answer}."""

    def __init__(self, data):
        self.data = data
        self.asked = []

    async def resolve(self, qname, qtype):
        self.asked.append((qname, qtype))
        await asyncio.sleep(0)
        return self.data.get((qname.lower(), int(qtype)), Answer.nxdomain())


def run(coro, timeout=20):
    return asyncio.run(asyncio.wait_for(coro, timeout))


class SpfAsync(unittest.TestCase):
    def setUp(self):
        self.zone = Zone({
            ('example.org', 16): Answer.of(
                Record.txt('v=spf1 mx include:_spf.example.net -all')),
            ('example.org', 15): Answer.of(Record.mx(10, 'mx.example.org')),
            ('mx.example.org', 1): Answer.of(Record.a('192.0.2.25')),
            ('_spf.example.net', 16): Answer.of(
                Record.txt('v=spf1 ip6:2001:db8::/32 -all'), secure=True),
        })

    def test_pass_and_fail(self):
        res = run(spf.check_async('192.0.2.25', 'a@example.org', 'h.example',
                                  resolve=self.zone.resolve,
                                  receiver='mx.local'))
        self.assertEqual((res.verdict, res.mechanism), ('pass', 'mx'))
        self.assertEqual(self.zone.asked[0], ('example.org', RRType.TXT))
        self.assertIn('receiver=mx.local', res.received)
        self.assertEqual(res.authres, 'spf=pass smtp.mailfrom=a@example.org')
        res = run(spf.check_async('2001:db8::1', 'a@example.org',
                                  resolve=self.zone.resolve))
        self.assertEqual((res.verdict, res.mechanism, res.mechanism_domain),
                         ('pass', 'include:_spf.example.net', 'example.org'))
        self.assertTrue(res.authentic is False)
        res = run(spf.check_async('198.51.100.1', 'a@example.org',
                                  resolve=self.zone.resolve))
        self.assertEqual(res.verdict, 'fail')

    def test_same_result_as_sync(self):
        from moxmail import Resolver

        def sync(qname, qtype):
            return self.zone.data.get((qname.lower(), int(qtype)))

        with Resolver.custom(sync) as r:
            for ip in ('192.0.2.25', '2001:db8::5', '203.0.113.9'):
                a = run(spf.check_async(ip, 'x@example.org', 'h',
                                        resolve=self.zone.resolve))
                b = spf.check(ip, 'x@example.org', 'h', resolver=r)
                self.assertEqual(a, b)

    def test_plain_function_resolver(self):
        res = run(spf.check_async(
            '192.0.2.1', 'a@plain.example',
            resolve=lambda q, t: [Record.txt('v=spf1 +all')]))
        self.assertEqual(res.verdict, 'pass')

    def test_raising_resolver_is_temperror(self):
        async def boom(qname, qtype):
            await asyncio.sleep(0)
            raise OSError('network unreachable')

        res = run(spf.check_async('192.0.2.1', 'a@example.org', 'h',
                                  resolve=boom))
        self.assertEqual(res.verdict, 'temperror')
        self.assertEqual(len(res.resolver_errors), 1)
        self.assertIsInstance(res.resolver_errors[0], OSError)

    def test_timeout_answer(self):
        res = run(spf.check_async('192.0.2.1', 'a@example.org',
                                  resolve=lambda q, t: Answer.timeout()))
        self.assertEqual(res.verdict, 'temperror')


class DkimAsync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.keys = {'ed': dkim.Key.generate('ed25519'),
                    'rsa': dkim.Key.generate('rsa', 1024),
                    'ed2': dkim.Key.generate('ed25519')}
        m = support.message()
        signed = m
        for sel in ('ed', 'rsa', 'ed2'):
            signed = dkim.sign(signed, DOMAIN, sel, cls.keys[sel]) + signed
        cls.msg = signed      # signatures in header order: ed2, rsa, ed
        cls.txt = {'%s._domainkey.%s' % (s, DOMAIN): k.txt()
                   for s, k in cls.keys.items()}

    @classmethod
    def tearDownClass(cls):
        for k in cls.keys.values():
            k.close()

    def test_questions_answered_concurrently(self):
        """All three key questions are in flight together: the resolver
        answers only once it has seen all of them, in reverse order."""
        inflight = []

        async def main():
            all_asked = asyncio.Event()

            async def resolve(qname, qtype):
                self.assertEqual(qtype, RRType.TXT)
                inflight.append(qname)
                if len(inflight) == 3:
                    all_asked.set()
                await asyncio.wait_for(all_asked.wait(), 5)
                await asyncio.sleep(0.01 * (3 - inflight.index(qname)))
                return [Record.txt(self.txt[qname])]

            return await dkim.verify_async(self.msg, resolve=resolve)

        res = run(main())
        self.assertEqual(sorted(inflight), sorted(self.txt))
        self.assertEqual([(r.verdict, r.selector) for r in res],
                         [('pass', 'ed2'), ('pass', 'rsa'), ('pass', 'ed')])
        with _static(self.txt) as r:
            self.assertEqual(res, dkim.verify(self.msg, resolver=r))

    def test_gather_many_messages(self):
        async def resolve(qname, qtype):
            await asyncio.sleep(0.001)
            return [Record.txt(self.txt[qname])]

        async def main():
            return await asyncio.gather(*[
                dkim.verify_async(self.msg, resolve=resolve)
                for _ in range(20)])

        for res in run(main()):
            self.assertEqual([r.verdict for r in res], ['pass'] * 3)

    def test_raising_resolver_for_one_key(self):
        async def resolve(qname, qtype):
            await asyncio.sleep(0)
            if qname.startswith('rsa.'):
                raise RuntimeError('lookup failed')
            return [Record.txt(self.txt[qname])]

        res = run(dkim.verify_async(self.msg, resolve=resolve))
        self.assertEqual([r.verdict for r in res],
                         ['pass', 'temperror', 'pass'])

    def test_all_raising(self):
        async def resolve(qname, qtype):
            raise ValueError('no')

        res = run(dkim.verify_async(self.msg, resolve=resolve))
        self.assertEqual([r.verdict for r in res], ['temperror'] * 3)

    def test_no_signature_asks_nothing(self):
        asked = []
        res = run(dkim.verify_async(support.message(),
                                    resolve=lambda q, t: asked.append(q)))
        self.assertEqual((res, asked), ([], []))

    def test_cancel_while_waiting(self):
        started, cancelled = [], []

        async def resolve(qname, qtype):
            started.append(qname)
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(qname)
                raise

        async def main():
            t = asyncio.ensure_future(dkim.verify_async(self.msg,
                                                        resolve=resolve))
            while len(started) < 3:
                await asyncio.sleep(0.001)
            t.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await t
            await asyncio.sleep(0.01)

        run(main())
        # The questions in flight were canceled with the verification.
        self.assertEqual(sorted(cancelled), sorted(self.txt))


class DmarcAsync(unittest.TestCase):
    def test_evaluate_async(self):
        zone = Zone({('_dmarc.example.org', 16): Answer.of(
            Record.txt('v=DMARC1; p=reject'))})
        m = support.message()
        d = run(dmarc.evaluate_async(m, dkim=[('pass', 'example.org')],
                                     resolve=zone.resolve))
        self.assertEqual((d.verdict, d.record), ('pass',
                                                 'v=DMARC1; p=reject'))
        d = run(dmarc.evaluate_async(from_header='x@sub.example.org',
                                     spf=('fail', 'sub.example.org'),
                                     resolve=zone.resolve))
        self.assertEqual((d.verdict, d.reject, d.record_domain),
                         ('fail', True, 'example.org'))

        async def boom(qname, qtype):
            raise ConnectionError('down')

        d = run(dmarc.evaluate_async(m, resolve=boom))
        self.assertEqual(d.verdict, 'temperror')
        self.assertIsInstance(d.resolver_errors[0], ConnectionError)


def _static(txt):
    from moxmail import Resolver
    return Resolver.static(''.join('%s. TXT %s\n' % (n, support.zone_txt(v))
                                   for n, v in txt.items()))


if __name__ == '__main__':
    unittest.main()
