# SPDX-License-Identifier: MIT
"""DMARC evaluation through the bindings: pass by aligned DKIM or SPF,
fail with reject, no record, relaxed and strict alignment, test mode,
temperror, permerror, RFC 7489 mode with pct sampling, and the whole
SPF + DKIM + DMARC pipeline as `mox dmarc verify` runs it."""
import unittest

from moxmail import MoxError, Resolver, dkim, dmarc, spf
from moxmail.dmarc import DkimInput, SpfInput

import support

ZONE = '''
_dmarc.example.org.      TXT "v=DMARC1; p=reject"
_dmarc.strict.example.   TXT "v=DMARC1; p=quarantine; adkim=s; aspf=s"
_dmarc.test.example.     TXT "v=DMARC1; p=reject; t=y"
_dmarc.pct.example.      TXT "v=DMARC1; p=reject; pct=50"
_dmarc.broken.example.   TXT "v=DMARC1; p=none; sp=none"
example.org.             TXT "v=spf1 ip4:192.0.2.0/24 -all"
bounce.example.org.      TXT "v=spf1 ip4:192.0.2.0/24 -all"
$SERVFAIL _dmarc.flaky.example.
'''


def msg(from_addr):
    return support.message(from_addr=from_addr.encode())


class Evaluate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = Resolver.static(ZONE)

    @classmethod
    def tearDownClass(cls):
        cls.r.close()

    def ev(self, from_addr, **kw):
        return dmarc.evaluate(msg(from_addr), resolver=self.r, **kw)

    def test_pass_via_aligned_dkim(self):
        d = self.ev('a@example.org', spf=SpfInput('fail', 'other.example'),
                    dkim=[DkimInput('fail', 'example.org', 's1'),
                          DkimInput('pass', 'mail.example.org', 's2')])
        self.assertEqual(d.verdict, 'pass')
        self.assertTrue(d.passed)
        self.assertTrue(d.dkim_aligned)
        self.assertFalse(d.spf_aligned)
        self.assertEqual((d.dkim_domain, d.dkim_selector),
                         ('mail.example.org', 's2'))
        self.assertEqual(d.policy, 'none')
        self.assertEqual(d.policy_requested, 'reject')
        self.assertEqual(d.record, 'v=DMARC1; p=reject')
        self.assertEqual(d.record_domain, 'example.org')
        self.assertEqual(d.from_domain, 'example.org')
        self.assertFalse(d.reject)
        self.assertIsNone(d.reason)
        self.assertTrue(d.authres.startswith('dmarc=pass'))
        self.assertIn('header.from=example.org', d.authres)

    def test_fail_and_reject(self):
        d = self.ev('a@example.org', spf=('fail', 'example.org'),
                    dkim=[('pass', 'elsewhere.example', 'x')])
        self.assertEqual((d.verdict, d.policy, d.reject),
                         ('fail', 'reject', True))
        self.assertTrue(d.reason)
        self.assertIn('dmarc=fail', d.authres)
        self.assertIn('policy.dmarc=reject', d.authres)

    def test_no_record_is_none(self):
        d = self.ev('a@nodmarc.example', spf=('pass', 'nodmarc.example'))
        self.assertEqual((d.verdict, d.policy, d.reject),
                         ('none', 'none', False))
        self.assertIsNone(d.record)
        self.assertTrue(d.authres.startswith('dmarc=none'))

    def test_relaxed_and_strict_alignment(self):
        # SPF passed for a subdomain of the From domain: aligned under
        # relaxed SPF alignment only.
        d = self.ev('a@example.org', spf=('pass', 'bounce.example.org'))
        self.assertEqual(d.verdict, 'pass')
        self.assertTrue(d.spf_aligned)
        d = self.ev('a@strict.example', spf=('pass', 'b.strict.example'),
                    dkim=[('pass', 'mail.strict.example')])
        self.assertEqual((d.verdict, d.policy), ('fail', 'quarantine'))
        self.assertFalse(d.spf_aligned or d.dkim_aligned)
        d = self.ev('a@strict.example', dkim=[('pass', 'strict.example')])
        self.assertEqual(d.verdict, 'pass')

    def test_test_mode_lowers_policy(self):
        d = self.ev('a@test.example', spf=('fail', 'test.example'))
        self.assertEqual(d.verdict, 'fail')
        self.assertTrue(d.testing)
        self.assertEqual(d.policy_requested, 'reject')
        # RFC 9989: t=y applies the policy one level lower.
        self.assertEqual(d.policy, 'quarantine')
        self.assertFalse(d.reject)
        self.assertIn('dis=quarantine', d.authres)

    def test_temperror(self):
        d = self.ev('a@flaky.example', spf=('pass', 'flaky.example'))
        self.assertEqual(d.verdict, 'temperror')
        self.assertFalse(d.reject)
        self.assertTrue(d.reason)
        self.assertTrue(d.authres.startswith('dmarc=temperror'))

    def test_permerror_several_from_domains(self):
        d = dmarc.evaluate(from_header='a@example.org, b@example.net',
                           resolver=self.r)
        self.assertEqual(d.verdict, 'permerror')
        d = dmarc.evaluate(b'From: a@example.org\r\nFrom: b@example.org\r\n'
                           b'\r\nbody\r\n', resolver=self.r)
        self.assertEqual(d.verdict, 'permerror')

    def test_from_header(self):
        d = dmarc.evaluate(from_header='Alice <a@example.org>',
                           dkim=[('pass', 'example.org')], resolver=self.r)
        self.assertEqual(d.verdict, 'pass')
        d = dmarc.evaluate(from_header='Alice\r\n <a@example.org>',
                           dkim=[('pass', 'example.org')], resolver=self.r)
        self.assertEqual(d.verdict, 'pass')
        with self.assertRaises(MoxError):
            dmarc.evaluate(from_header='a@example.org\r\nTo: x@y',
                           resolver=self.r)
        with self.assertRaises(TypeError):
            dmarc.evaluate(resolver=self.r)
        with self.assertRaises(ValueError):
            self.ev('a@example.org', spf=('great', 'example.org'))

    def test_rfc7489_pct_sampling(self):
        try:
            psl = dmarc.PublicSuffixList()
        except MoxError as e:
            self.skipTest('no public suffix list: %s' % e)
        with psl:
            kept = self.ev('a@pct.example', spf=('fail', 'pct.example'),
                           rfc7489=True, psl=psl, random=lambda: 0)
            self.assertEqual((kept.verdict, kept.policy, kept.sampled_out),
                             ('fail', 'reject', False))
            out = self.ev('a@pct.example', spf=('fail', 'pct.example'),
                          rfc7489=True, psl=psl, random=lambda: 99)
            self.assertEqual(out.verdict, 'fail')
            self.assertTrue(out.sampled_out)
            self.assertEqual(out.policy, 'quarantine')   # RFC 7489 6.6.4
            self.assertEqual(out.policy_requested, 'reject')
            # The organizational domain from the list.
            d = self.ev('a@x.y.example.org', dkim=[('pass', 'example.org')],
                        rfc7489=True, psl=psl)
            self.assertEqual((d.verdict, d.org_domain, d.record_domain),
                             ('pass', 'example.org', 'example.org'))
        # psl=None loads Debian's list for the call.
        d = self.ev('a@example.org', dkim=[('pass', 'example.org')],
                    rfc7489=True)
        self.assertEqual(d.verdict, 'pass')

    def test_pipeline(self):
        """SPF, DKIM and DMARC together, from this package's own result
        objects, as `mox dmarc verify` composes them."""
        with dkim.Key.generate('ed25519') as key:
            self.r.load('sel._domainkey.example.org. TXT %s\n'
                        % support.zone_txt(key.txt()))
            m = msg('Alice <alice@example.org>')
            signed = dkim.sign(m, 'example.org', 'sel', key) + m
        s = spf.check('198.51.100.1', 'alice@bounce.example.org',
                      'mx.example.net', resolver=self.r)
        self.assertEqual(s.verdict, 'fail')
        d = dkim.verify(signed, resolver=self.r)
        self.assertEqual(d[0].verdict, 'pass')
        res = dmarc.evaluate(signed, spf=s, dkim=d, resolver=self.r)
        self.assertEqual((res.verdict, res.dkim_aligned, res.spf_aligned),
                         ('pass', True, False))
        res = dmarc.evaluate(signed.replace(b'Lorem', b'L0rem'), spf=s,
                             dkim=dkim.verify(signed.replace(b'Lorem',
                                                             b'L0rem'),
                                              resolver=self.r),
                             resolver=self.r)
        self.assertEqual((res.verdict, res.reject), ('fail', True))
        # A null reverse-path: SPF checks the HELO identity.
        s = spf.check('192.0.2.1', '', 'example.org', resolver=self.r)
        self.assertEqual(s.scope, 'helo')
        res = dmarc.evaluate(m, spf=s, resolver=self.r)
        self.assertEqual((res.verdict, res.spf_aligned), ('pass', True))


if __name__ == '__main__':
    unittest.main()
