# SPDX-License-Identifier: MIT
"""The API surface: errors, resolvers, answers, records, keys, signing
options, record parsing, handle lifetimes."""
import ipaddress
import re
import socket
import tempfile
import unittest

import moxmail
from moxmail import Answer, MoxError, Record, Resolver, RRType, dkim, dmarc, spf

import support

ZONE = '''
$ORIGIN example.org.
@            300 IN TXT "v=spf1 ip4:192.0.2.0/24 a:mail.example.org -all"
mail         300 IN A 192.0.2.99
mail         300 IN AAAA 2001:db8::99
@            300 IN MX 10 mail.example.org.
alias        300 IN CNAME mail.example.org.
split        300 IN TXT "part one " "part two"
$SERVFAIL broken.example.org.
$TIMEOUT slow.example.org.
'''


class Errors(unittest.TestCase):
    def test_status_names(self):
        self.assertEqual(moxmail.status_name(-3), 'MOX_ESYNTAX')
        self.assertEqual(moxmail.strerror(-1), 'out of memory')
        self.assertIsNone(moxmail.status_name(-9999))
        self.assertEqual(moxmail.library_version(), '0.1.0')

    def test_error_fields(self):
        with self.assertRaises(MoxError) as cm:
            spf.check('300.1.2.3', 'a@example.org', 'h', resolver=None)
        e = cm.exception
        self.assertLess(e.status, 0)
        self.assertTrue(e.name.startswith('MOX_E'))
        self.assertEqual(moxmail.status_name(e.status), e.name)
        self.assertIn(e.name, str(e))

    def test_zone_syntax_error_names_line(self):
        with self.assertRaises(MoxError) as cm:
            Resolver.static('a.example. A 192.0.2.1\nb.example. A 1.2.3\n')
        self.assertEqual(cm.exception.name, 'MOX_ESYNTAX')
        self.assertEqual(cm.exception.status, -3)
        self.assertIn('line 2', str(cm.exception))

    def test_nul_rejected(self):
        with Resolver.static() as r:
            with self.assertRaises(MoxError) as cm:
                r.lookup('a\0b.example', 'A')
            self.assertEqual(cm.exception.name, 'MOX_ENUL')


class StaticResolver(unittest.TestCase):
    def setUp(self):
        self.r = Resolver.static(ZONE)

    def tearDown(self):
        self.r.close()

    def test_lookup_records(self):
        a = self.r.lookup('example.org', 'TXT')
        self.assertEqual(a.result, 'ok')
        self.assertEqual(a.rcode, 0)
        self.assertEqual(a.qtype, RRType.TXT)
        self.assertEqual(len(a.records), 1)
        self.assertEqual(a.records[0].text,
                         b'v=spf1 ip4:192.0.2.0/24 a:mail.example.org -all')
        a = self.r.lookup('split.example.org', RRType.TXT)
        self.assertEqual(a.records[0].value, (b'part one ', b'part two'))
        self.assertEqual(self.r.lookup('mail.example.org', 'AAAA')
                         .records[0].value, '2001:db8::99')
        mx = self.r.lookup('example.org', 'MX').records[0]
        self.assertEqual(mx.value, (10, 'mail.example.org'))
        self.assertEqual(mx.ttl, 300)

    def test_cname_chain(self):
        a = self.r.lookup('alias.example.org', 'A')
        self.assertEqual(a.canonical_name, 'mail.example.org')
        self.assertEqual(a.cnames, ('mail.example.org',))
        self.assertEqual(a.records[0].value, '192.0.2.99')

    def test_outcomes(self):
        self.assertEqual(self.r.lookup('nope.example.org', 'A').result,
                         'nxdomain')
        self.assertEqual(self.r.lookup('mail.example.org', 'TXT').result,
                         'nodata')
        self.assertEqual(self.r.lookup('broken.example.org', 'A').result,
                         'servfail')
        self.assertEqual(self.r.lookup('slow.example.org', 'A').result,
                         'timeout')
        self.r.set_result('mail.example.org', 'nxdomain')
        self.assertEqual(self.r.lookup('mail.example.org', 'A').result,
                         'nxdomain')
        self.r.set_result('mail.example.org', 'ok')
        self.assertEqual(self.r.lookup('mail.example.org', 'A').result, 'ok')

    def test_add_records(self):
        self.r.add(Record.txt('x' * 300, name='long.example.org'))
        self.r.add(Record.a('198.51.100.7', name='new.example.org'),
                   authentic=True)
        a = self.r.lookup('long.example.org', 'TXT')
        self.assertEqual(a.records[0].text, b'x' * 300)
        self.assertEqual([len(s) for s in a.records[0].value], [255, 45])
        a = self.r.lookup('new.example.org', 'A')
        self.assertTrue(a.secure)
        self.assertEqual(a.records[0].value, '198.51.100.7')
        with self.assertRaises(ValueError):
            self.r.add(Record.a('192.0.2.1'))

    def test_load_file(self):
        with tempfile.NamedTemporaryFile('w', suffix='.zone') as f:
            f.write('file.example. 60 IN A 203.0.113.5\n')
            f.flush()
            self.r.load_file(f.name)
        self.assertEqual(self.r.lookup('file.example', 'A').records[0].ttl, 60)
        with self.assertRaises(MoxError) as cm:
            self.r.load_file('/nonexistent/zone')
        self.assertEqual(cm.exception.name, 'MOX_EIO')

    def test_closed(self):
        self.r.close()
        self.r.close()
        self.assertTrue(self.r.closed)
        with self.assertRaises(ValueError):
            self.r.lookup('example.org', 'A')
        with self.assertRaises(ValueError):
            spf.check('192.0.2.1', 'a@example.org', resolver=self.r)

    def test_context_manager(self):
        with Resolver.static(ZONE) as r:
            self.assertFalse(r.closed)
        self.assertTrue(r.closed)


class CustomResolver(unittest.TestCase):
    def test_answers_from_python(self):
        seen = []

        def func(qname, qtype):
            seen.append((qname, qtype))
            if qname == 'example.com' and qtype == RRType.TXT:
                return Answer.of(Record.txt('v=spf1 ip6:2001:db8::/32 -all'))
            if qname == 'cname.example.com':
                return [Record.cname('target.example.com'),
                        Record.a('192.0.2.5', name='target.example.com')]
            if qname == 'secure.example.com':
                return Answer([Record.a('192.0.2.6')], secure=True)
            if qname == 'nodata.example.com':
                return Answer.nodata()
            return None

        with Resolver.custom(func) as r:
            res = spf.check('2001:db8::1', 'x@example.com', resolver=r)
            self.assertEqual(res.verdict, 'pass')
            self.assertEqual(res.mechanism, 'ip6:2001:db8::/32')
            self.assertEqual(seen[0], ('example.com', RRType.TXT))
            self.assertIsInstance(seen[0][1], RRType)
            a = r.lookup('cname.example.com', 'A')
            self.assertEqual(a.cnames, ('target.example.com',))
            self.assertEqual(a.records[0].value, '192.0.2.5')
            self.assertTrue(r.lookup('secure.example.com', 'A').secure)
            self.assertFalse(r.lookup('cname.example.com', 'A').secure)
            self.assertEqual(r.lookup('nodata.example.com', 'A').result,
                             'nodata')
            self.assertEqual(r.lookup('other.example.com', 'A').result,
                             'nxdomain')

    def test_raising_callback_is_temperror(self):
        def func(qname, qtype):
            raise RuntimeError('resolver exploded for ' + qname)

        with Resolver.custom(func) as r:
            res = spf.check('192.0.2.1', 'a@example.com', 'h.example.com',
                            resolver=r)
            self.assertEqual(res.verdict, 'temperror')
            self.assertIn('example.com', res.reason)
            self.assertEqual(len(res.resolver_errors), 1)
            self.assertIsInstance(res.resolver_errors[0], RuntimeError)
            self.assertIn('exploded', str(r.last_errors[-1]))
            self.assertEqual(r.lookup('x.example', 'A').result, 'servfail')
            d = dkim.verify(support.message() , resolver=r)
            self.assertEqual(d, [])
            dm = dmarc.evaluate(support.message(), resolver=r)
            self.assertEqual(dm.verdict, 'temperror')

    def test_bad_return_value_is_temperror(self):
        with Resolver.custom(lambda q, t: 42) as r:
            res = spf.check('192.0.2.1', 'a@example.com', resolver=r)
            self.assertEqual(res.verdict, 'temperror')
            self.assertIsInstance(res.resolver_errors[0], TypeError)

    def test_bad_record_data_is_temperror(self):
        with Resolver.custom(lambda q, t: [Record.a('not-an-ip')]) as r:
            self.assertEqual(r.lookup('a.example', 'A').result, 'servfail')

    def test_resolver_freed_when_dropped(self):
        import gc
        import weakref

        r = Resolver.custom(lambda q, t: None)
        ref = weakref.ref(r)
        del r
        gc.collect()
        self.assertIsNone(ref())


class SystemResolver(unittest.TestCase):
    def test_forwarder_without_server_times_out(self):
        # A UDP port nothing answers on: the question times out.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        try:
            with Resolver.system(forwarders=['127.0.0.1@%d' % port],
                                 timeout=0.3) as r:
                self.assertEqual(r.kind, 'system')
                a = r.lookup('example.org', 'A')
                self.assertIn(a.result, ('timeout', 'servfail'))
                res = spf.check('192.0.2.1', 'a@example.org', resolver=r)
                self.assertEqual(res.verdict, 'temperror')
        finally:
            s.close()

    def test_resolvconf_file(self):
        with tempfile.NamedTemporaryFile('w') as f:
            f.write('nameserver 127.0.0.1\n')
            f.flush()
            with Resolver.system(f.name, timeout=0.2) as r:
                r.set_timeout(0.2)

    def test_bad_options(self):
        with self.assertRaises(MoxError) as cm:
            Resolver.system(trust_anchor_file='/nonexistent/root.key')
        self.assertIn(cm.exception.name, ('MOX_EIO', 'MOX_EDNS'))
        self.assertIn('root.key', str(cm.exception))


class SpfApi(unittest.TestCase):
    def setUp(self):
        self.r = Resolver.static(ZONE)

    def tearDown(self):
        self.r.close()

    def test_pass_fields(self):
        res = spf.check(ipaddress.ip_address('192.0.2.99'),
                        'user@example.org', 'helo.example.net',
                        resolver=self.r, receiver='mx.example.net')
        self.assertEqual(res.verdict, 'pass')
        self.assertTrue(res.passed)
        self.assertEqual(res.mechanism, 'ip4:192.0.2.0/24')
        self.assertEqual(res.mechanism_domain, 'example.org')
        self.assertEqual(res.domain, 'example.org')
        self.assertEqual(res.checked, 'user@example.org')
        self.assertIsNone(res.reason)
        self.assertFalse(res.authentic)
        self.assertTrue(res.received.startswith('pass '))
        self.assertIn('client-ip=192.0.2.99', res.received)
        self.assertIn('receiver=mx.example.net', res.received)
        self.assertEqual(res.authres, 'spf=pass smtp.mailfrom=user@example.org')

    def test_fail_and_none(self):
        res = spf.check('198.51.100.1', 'user@example.org', resolver=self.r)
        self.assertEqual((res.verdict, res.mechanism), ('fail', '-all'))
        res = spf.check('198.51.100.1', 'user@nope.example.org',
                        resolver=self.r)
        self.assertEqual(res.verdict, 'none')
        self.assertTrue(res.reason)

    def test_null_sender_checks_helo(self):
        res = spf.check('192.0.2.1', '', 'example.org', resolver=self.r)
        self.assertEqual(res.verdict, 'pass')
        self.assertEqual(res.checked, 'postmaster@example.org')
        self.assertEqual(res.scope, 'helo')
        res = spf.check('192.0.2.1', None, 'example.org', resolver=self.r,
                        identity='helo')
        self.assertEqual((res.identity, res.verdict), ('helo', 'pass'))

    def test_needs_an_identity(self):
        with self.assertRaises(MoxError):
            spf.check('192.0.2.1', None, None, resolver=self.r)

    def test_limits(self):
        with Resolver.static(
                'many.example. TXT "v=spf1 a:a1.example a:a2.example -all"\n'
                'a1.example. A 192.0.2.1\n'
                'a2.example. A 192.0.2.2\n') as r:
            self.assertEqual(spf.check('192.0.2.2', 'x@many.example',
                                       resolver=r).verdict, 'pass')
            res = spf.check('192.0.2.2', 'x@many.example', resolver=r,
                            limits=spf.Limits(dns_terms=1))
            self.assertEqual(res.verdict, 'permerror')

    def test_record_parse_format(self):
        rec = spf.Record.parse('v=spf1 +a mx:mx.%{d}/24//64 '
                               'ip6:2001:DB8::/32 ~all exp=why.%{d}')
        self.assertEqual(str(rec),
                         'v=spf1 +a mx:mx.%{d}/24//64 ip6:2001:db8::/32 '
                         '~all exp=why.%{d}')
        kinds = [t.kind for t in rec.terms]
        self.assertEqual(kinds, ['a', 'mx', 'ip6', 'all', 'exp'])
        self.assertEqual(rec.terms[0].qualifier, '+')
        self.assertTrue(rec.terms[0].explicit_qualifier)
        self.assertEqual((rec.terms[1].cidr4, rec.terms[1].cidr6), (24, 64))
        self.assertEqual(rec.terms[2].ip, '2001:db8::')
        self.assertEqual(rec.terms[3].qualifier, '~')
        self.assertIsNone(rec.terms[4].qualifier)
        self.assertEqual(rec.terms[4].domain_spec, 'why.%{d}')
        self.assertEqual(spf.Record.parse(rec.format()), rec)

    def test_record_errors(self):
        with self.assertRaises(MoxError) as cm:
            spf.Record.parse('v=spf1 ip4:192.0.2.0/24 bogus:x -all')
        self.assertEqual(cm.exception.name, 'MOX_ESYNTAX')
        self.assertEqual(cm.exception.offset, 24)
        with self.assertRaises(MoxError) as cm:
            spf.Record.parse('v=DMARC1; p=none')
        self.assertEqual(cm.exception.name, 'MOX_ENOTFOUND')
        with self.assertRaises(MoxError) as cm:
            spf.Record.parse(b'v=spf1 a\0 -all')
        self.assertEqual(cm.exception.name, 'MOX_ENUL')


class DkimKeys(unittest.TestCase):
    def test_generate(self):
        with dkim.Key.generate('ed25519') as k:
            self.assertEqual((k.type, k.bits), ('ed25519', 256))
            self.assertRegex(k.txt(), r'^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$')
            pem = k.to_pem()
            self.assertTrue(pem.startswith(b'-----BEGIN PRIVATE KEY-----'))
            with dkim.Key.from_pem(pem) as k2:
                self.assertEqual(k2.txt(), k.txt())
        self.assertTrue(k.closed)
        with self.assertRaises(ValueError):
            k.txt()
        with dkim.Key.generate('rsa', bits=1024) as k:
            self.assertEqual((k.type, k.bits), ('rsa', 1024))
            self.assertIn('p=', k.txt())
            split = k.txt(split=True)
            self.assertTrue(split.startswith('"'))
        with self.assertRaises(ValueError):
            dkim.Key.generate('dsa')
        with self.assertRaises(MoxError):
            dkim.Key.generate('rsa', bits=100)

    def test_txt_matches_independent_derivation(self):
        keys = support.crypto_keys()
        if keys is None:
            self.skipTest('python3-cryptography not installed')
        rsa_pem, rsa_txt, ed_pem, ed_txt = keys
        with dkim.Key.from_pem(ed_pem) as k:
            self.assertEqual(k.txt(), ed_txt)
        with dkim.Key.from_pem(rsa_pem) as k:
            self.assertEqual(re.search(r'p=(\S+)', k.txt()).group(1),
                             rsa_txt.split('p=')[1])
            self.assertEqual(k.bits, 2048)

    def test_bad_pem(self):
        with self.assertRaises(MoxError) as cm:
            dkim.Key.from_pem(b'-----BEGIN PRIVATE KEY-----\nAAAA\n'
                              b'-----END PRIVATE KEY-----\n')
        self.assertIn(cm.exception.name, ('MOX_ESYNTAX', 'MOX_EUNSUPPORTED'))


class DkimSign(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key = dkim.Key.generate('ed25519')
        cls.r = Resolver.static('sel._domainkey.example.org. TXT %s\n'
                                % support.zone_txt(cls.key.txt()))

    @classmethod
    def tearDownClass(cls):
        cls.key.close()
        cls.r.close()

    def tags(self, sig):
        self.assertTrue(sig.startswith(b'DKIM-Signature: '))
        self.assertTrue(sig.endswith(b'\r\n'))
        v = re.sub(rb'\r\n[ \t]+', b'', sig[len(b'DKIM-Signature: '):-2])
        return dict(t.strip().split(b'=', 1) for t in v.split(b';') if t.strip())

    def test_options_appear_in_signature(self):
        msg = support.message()
        sig = dkim.sign(msg, 'example.org', 'sel', self.key,
                        headers=['From', 'Subject', 'X-Absent'], oversign=[],
                        canonicalization='simple/relaxed',
                        identity='alice@mail.example.org',
                        timestamp=1700000000, expiration=3600,
                        body_length=True)
        t = self.tags(sig)
        self.assertEqual(t[b'a'], b'ed25519-sha256')
        self.assertEqual(t[b'c'], b'simple/relaxed')
        self.assertEqual(t[b'd'], b'example.org')
        self.assertEqual(t[b's'], b'sel')
        self.assertEqual(t[b'i'], b'alice@mail.example.org')
        self.assertEqual(t[b't'], b'1700000000')
        self.assertEqual(t[b'x'], b'1700003600')
        self.assertEqual(t[b'l'], str(len(msg.split(b'\r\n\r\n', 1)[1]))
                         .encode())
        self.assertEqual(t[b'h'].lower(), b'from:subject:x-absent')
        res = dkim.verify(sig + msg, resolver=self.r, now=1700000100,
                          allow_length=True)
        self.assertEqual([x.verdict for x in res], ['pass'])
        self.assertEqual(res[0].identity, 'alice@mail.example.org')
        self.assertTrue(res[0].has_length)
        # Expired, and l= not allowed by default.
        res = dkim.verify(sig + msg, resolver=self.r, now=1700007200,
                          allow_length=True)
        self.assertEqual(res[0].verdict, 'permerror')
        self.assertIn('expired', res[0].reason)
        res = dkim.verify(sig + msg, resolver=self.r, now=1700000100)
        self.assertEqual(res[0].verdict, 'policy')

    def test_defaults(self):
        msg = support.message()
        sig = dkim.sign(msg, 'example.org', 'sel', self.key, timestamp=False)
        t = self.tags(sig)
        self.assertNotIn(b't', t)
        self.assertEqual(t[b'c'], b'relaxed/relaxed')
        # From is oversigned by default.
        self.assertEqual(t[b'h'].lower().split(b':').count(b'from'), 2)
        now_sig = self.tags(dkim.sign(msg, 'example.org', 'sel', self.key))
        self.assertIn(b't', now_sig)

    def test_no_from_is_an_error(self):
        with self.assertRaises(MoxError) as cm:
            dkim.sign(b'Subject: x\r\n\r\nbody\r\n', 'example.org', 'sel',
                      self.key)
        self.assertEqual(cm.exception.name, 'MOX_ESYNTAX')
        with self.assertRaises(ValueError):
            dkim.sign(support.message(), 'example.org', 'sel', self.key,
                      canonicalization='fancy/relaxed')
        with self.assertRaises(TypeError):
            dkim.sign(support.message(), 'example.org', 'sel', 'not a key')

    def test_lf_message(self):
        msg = support.message().replace(b'\r\n', b'\n')
        sig = dkim.sign(msg, 'example.org', 'sel', self.key)
        self.assertTrue(sig.endswith(b'\r\n'))
        res = dkim.verify(sig.replace(b'\r\n', b'\n') + msg, resolver=self.r)
        self.assertEqual(res[0].verdict, 'pass')

    def test_verify_results(self):
        msg = support.message()
        sig = dkim.sign(msg, 'example.org', 'sel', self.key)
        res = dkim.verify(sig + msg, resolver=self.r)
        self.assertEqual(len(res), 1)
        r0 = res[0]
        self.assertEqual((r0.verdict, r0.domain, r0.selector, r0.algorithm),
                         ('pass', 'example.org', 'sel', 'ed25519-sha256'))
        self.assertEqual(r0.identity, '@example.org')
        self.assertIsNone(r0.reason)
        self.assertEqual(r0.offset, 0)
        # header.b is a token unless the prefix holds a tspecial of RFC
        # 2045 ('/' or '=' in base64): then a quoted-string.
        b8 = r0.b[:8]
        if '/' in b8 or '=' in b8:
            b8 = '"' + b8 + '"'
        self.assertEqual(r0.authres,
            'dkim=pass header.d=example.org header.s=sel '
            'header.a=ed25519-sha256 header.b=' + b8)
        self.assertEqual(dkim.authres(res), r0.authres)
        self.assertEqual(dkim.authres([]), 'dkim=none')
        bad = dkim.verify(sig + msg.replace(b'Lorem', b'Lorum', 1),
                          resolver=self.r)
        self.assertEqual(bad[0].verdict, 'fail')
        self.assertIn('body hash', bad[0].reason)
        other = dkim.sign(msg, 'example.org', 'nokey', self.key)
        res = dkim.verify(other + sig + msg, resolver=self.r)
        self.assertEqual([x.verdict for x in res], ['permerror', 'pass'])
        self.assertEqual(dkim.verify(msg, resolver=self.r), [])


class DmarcRecords(unittest.TestCase):
    def test_parse(self):
        rec = dmarc.Record.parse('v=DMARC1; p=quarantine; sp=reject; '
                                 'adkim=s; rua=mailto:a@example.org,'
                                 'mailto:b@example.net!10m; pct=25; t=y')
        self.assertEqual((rec.p, rec.sp, rec.np), ('quarantine', 'reject',
                                                   None))
        self.assertEqual((rec.adkim, rec.aspf), ('strict', 'relaxed'))
        self.assertEqual(rec.rua, ('mailto:a@example.org',
                                   'mailto:b@example.net!10m'))
        self.assertEqual(rec.pct, 25)
        self.assertTrue(rec.testing)
        self.assertEqual(rec.policy_effective, 'quarantine')
        self.assertEqual(dmarc.Record.parse(str(rec)), rec)

    def test_errors(self):
        with self.assertRaises(MoxError) as cm:
            dmarc.Record.parse('v=spf1 -all')
        self.assertEqual(cm.exception.name, 'MOX_ENOTFOUND')
        with self.assertRaises(MoxError) as cm:
            dmarc.Record.parse('v=DMARC1; p=bogus')
        self.assertEqual(cm.exception.name, 'MOX_ESYNTAX')

    def test_psl(self):
        try:
            psl = dmarc.PublicSuffixList()
        except MoxError as e:
            self.skipTest('no public suffix list: %s' % e)
        with psl:
            self.assertEqual(psl.orgdomain('a.b.example.co.uk'),
                             'example.co.uk')
        with self.assertRaises(MoxError) as cm:
            dmarc.PublicSuffixList('/nonexistent/psl.dat')
        self.assertEqual(cm.exception.name, 'MOX_EIO')


if __name__ == '__main__':
    unittest.main()
