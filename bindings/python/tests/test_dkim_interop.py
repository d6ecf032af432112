# SPDX-License-Identifier: MIT
"""DKIM against dkimpy (Debian python3-dkim): signatures made by the
bindings verify with dkimpy, and dkimpy's verify with the bindings, for
rsa-sha256 and ed25519-sha256 and the four canonicalizations; changed
messages fail both ways. Keys and their TXT records are made with
python3-cryptography when it is there (independent of the code under
test), else with the bindings."""
import unittest

from moxmail import Answer, Record, Resolver, dkim

import support

try:
    import dkim as dkimpy
except ImportError:
    dkimpy = None

CANONS = ['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed',
          'simple/simple']
DOMAIN = 'example.org'


@unittest.skipIf(dkimpy is None, 'dkimpy not installed (Debian python3-dkim '
                 'for /usr/bin/python3)')
class DkimpyInterop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        keys = support.crypto_keys()
        if keys is None:
            with dkim.Key.generate('rsa', 2048) as k:
                keys = (k.to_pem(), k.txt())
            with dkim.Key.generate('ed25519') as k:
                keys += (k.to_pem(), k.txt())
        rsa_pem, rsa_txt, ed_pem, ed_txt = keys
        cls.pems = {'rsa': rsa_pem, 'ed25519': ed_pem}
        cls.txts = {'rsa': rsa_txt, 'ed25519': ed_txt}
        cls.keys = {n: dkim.Key.from_pem(p) for n, p in cls.pems.items()}
        cls.dns = {('%s._domainkey.%s' % (sel, DOMAIN)).encode(): txt.encode()
                   for sel, txt in cls.txts.items()}
        cls.resolver = Resolver.static(''.join(
            '%s. 300 IN TXT %s\n' % (name.decode(), support.zone_txt(txt))
            for name, txt in cls.dns.items()))
        cls.msg = support.message()

    @classmethod
    def tearDownClass(cls):
        for k in cls.keys.values():
            k.close()
        cls.resolver.close()

    def dnsfunc(self, name, timeout=5):
        return self.dns.get(name.rstrip(b'.').lower())

    def dkimpy_verify_all(self, msg):
        d = dkimpy.DKIM(msg, minkey=1024)
        n = sum(1 for k, _ in d.headers if k.lower() == b'dkim-signature')
        out = []
        for i in range(n):
            try:
                out.append(d.verify(idx=i, dnsfunc=self.dnsfunc))
            except dkimpy.ValidationError:   # body hash mismatch
                out.append(False)
        return out

    def dkimpy_sign(self, alg, canon, msg=None):
        msg = self.msg if msg is None else msg
        key = self.pems[alg] if alg == 'rsa' else \
            support.ed25519_seed_b64(self.pems[alg])
        hc, bc = canon.split('/')
        return dkimpy.sign(msg, alg.encode(), DOMAIN.encode(), key,
                           canonicalize=(hc.encode(), bc.encode()),
                           signature_algorithm=(b'rsa-sha256' if alg == 'rsa'
                                                else b'ed25519-sha256'))

    def test_ours_verified_by_dkimpy(self):
        for alg in ('rsa', 'ed25519'):
            for canon in CANONS:
                with self.subTest(alg=alg, canon=canon):
                    sig = dkim.sign(self.msg, DOMAIN, alg, self.keys[alg],
                                    canonicalization=canon)
                    self.assertEqual(self.dkimpy_verify_all(sig + self.msg),
                                     [True])
                    changed = sig + self.msg.replace(b'ipsum', b'IPSUM', 1)
                    self.assertEqual(self.dkimpy_verify_all(changed), [False])

    def test_dkimpy_verified_by_ours(self):
        def custom(qname, qtype):
            txt = self.dns.get(qname.lower().encode())
            return Answer.of(Record.txt(txt)) if txt else Answer.nxdomain()

        with Resolver.custom(custom) as cr:
            for alg in ('rsa', 'ed25519'):
                for canon in CANONS:
                    with self.subTest(alg=alg, canon=canon):
                        signed = self.dkimpy_sign(alg, canon) + self.msg
                        for r in (self.resolver, cr):
                            res = dkim.verify(signed, resolver=r)
                            self.assertEqual(len(res), 1)
                            self.assertEqual(res[0].verdict, 'pass',
                                             res[0].reason)
                            self.assertEqual(res[0].domain, DOMAIN)
                            self.assertEqual(res[0].selector, alg)
                            self.assertEqual(res[0].algorithm,
                                             'rsa-sha256' if alg == 'rsa'
                                             else 'ed25519-sha256')
                        bad = signed.replace(b'Quarterly', b'Monthly', 1)
                        res = dkim.verify(bad, resolver=self.resolver)
                        self.assertEqual(res[0].verdict, 'fail')

    def test_both_signers_on_one_message(self):
        once = dkim.sign(self.msg, DOMAIN, 'ed25519',
                         self.keys['ed25519']) + self.msg
        twice = self.dkimpy_sign('rsa', 'relaxed/simple', once) + once
        self.assertEqual(self.dkimpy_verify_all(twice), [True, True])
        res = dkim.verify(twice, resolver=self.resolver)
        self.assertEqual([(r.verdict, r.selector) for r in res],
                         [('pass', 'rsa'), ('pass', 'ed25519')])


if __name__ == '__main__':
    unittest.main()
