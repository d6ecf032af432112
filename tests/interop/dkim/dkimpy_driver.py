#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""dkimpy_driver.py -- dkimpy (Debian python3-dkim) as a DKIM signer and
verifier for the interop test, with the interface of opendkim_driver.c:

  dkimpy_driver.py features
  dkimpy_driver.py sign [-time T] JOBS OUTDIR
  dkimpy_driver.py verify [-now T] KEYS FILE...

Signing reads RSA keys as PEM; for Ed25519 dkimpy wants the base64 32-octet
seed, taken from the PKCS#8 PEM (RFC 8410: the seed is the last 32 octets of
the DER). Verification serves the KEYS file through dnsfunc and verifies
every signature (dkim.DKIM.verify(idx)). dkimpy reports only true/false and
exceptions; results are mapped: True pass; False and a body hash mismatch
fail; a KeyFormatError, other ValidationError or MessageFormatError
permerror; a DNS timeout temperror. Use
/usr/bin/python3 (dkimpy and nacl are installed for Debian's Python only).
"""
import base64
import logging
import os
import sys
import time

import dkim
import dkim.util


def pem_der(pem):
    lines = [l.strip() for l in pem.splitlines()]
    body = [l for l in lines if l and not l.startswith(b'-----')]
    return base64.b64decode(b''.join(body))


def ed25519_seed(pem):
    der = pem_der(pem)
    return base64.b64encode(der[-32:])


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.msgs = []

    def emit(self, record):
        self.msgs.append(record.getMessage())


def uses_bare_lf(msg):
    i = msg.find(b'\n')
    return i >= 0 and (i == 0 or msg[i - 1:i] != b'\r')


def sign(jobs, outdir):
    with open(jobs, 'rb') as f:
        lines = f.read().decode().splitlines()
    for line in lines:
        if not line or line.startswith('#'):
            continue
        fields = line.split('\t')
        if len(fields) != 8:
            print('%s\terror\tbad job line' % fields[0])
            continue
        jid, infile, keyfile, alg, domain, selector, canon, headers = fields
        try:
            with open(infile, 'rb') as f:
                msg = f.read()
            with open(keyfile, 'rb') as f:
                pem = f.read()
            key = ed25519_seed(pem) if alg == 'ed25519-sha256' else pem
            hc, bc = canon.split('/')
            inc = None if headers == '-' else [h.encode() for h in headers.split(':')]
            eol = b'\n' if uses_bare_lf(msg) else b'\r\n'
            sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                            canonicalize=(hc.encode(), bc.encode()),
                            signature_algorithm=alg.encode(),
                            include_headers=inc, linesep=eol)
            with open(os.path.join(outdir, jid + '.eml'), 'wb') as f:
                f.write(sig + msg)
            print('%s\tok' % jid)
        except Exception as e:  # every failure is a result line
            print('%s\terror\t%s: %s' % (jid, type(e).__name__, str(e).replace('\n', ' ')))
        sys.stdout.flush()


def verify(keysfile, files):
    keys = {}
    with open(keysfile, 'rb') as f:
        for line in f.read().splitlines():
            if b'\t' in line:
                name, rec = line.split(b'\t', 1)
                keys[name.lower().rstrip(b'.')] = rec

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower().rstrip(b'.'))

    for path in files:
        fid = os.path.basename(path)
        if fid.endswith('.eml'):
            fid = fid[:-4]
        with open(path, 'rb') as f:
            msg = f.read()
        cap = Capture()
        log = logging.getLogger('dkimpy-driver')
        log.handlers = [cap]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        try:
            d = dkim.DKIM(msg, logger=log, minkey=1024)
        except Exception as e:
            print('%s\t-\terror\t%s: %s' % (fid, type(e).__name__, e))
            continue
        sigs = [v for (n, v) in d.headers if n.lower() == b'dkim-signature']
        if not sigs:
            print('%s\t-\tnone' % fid)
            continue
        for i, sigval in enumerate(sigs):
            cap.msgs = []
            try:
                tags = dkim.util.parse_tag_value(sigval)
                dom = tags.get(b'd', b'').decode('ascii', 'replace')
                sel = tags.get(b's', b'').decode('ascii', 'replace')
            except Exception:
                dom = sel = ''
            try:
                ok = d.verify(idx=i, dnsfunc=dnsfunc)
                if ok:
                    res, why = 'pass', ''
                else:
                    res, why = 'fail', 'signature did not verify'
            except dkim.KeyFormatError as e:
                res, why = 'permerror', 'key: %s' % e
            except dkim.ValidationError as e:
                # A body hash mismatch is a failed verification (RFC 6376
                # 6.3), not a malformed signature.
                if 'body hash mismatch' in str(e):
                    res, why = 'fail', 'body hash mismatch'
                else:
                    res, why = 'permerror', 'validation: %s' % e
            except dkim.MessageFormatError as e:
                res, why = 'permerror', 'format: %s' % e
            except dkim.DnsTimeoutError as e:
                res, why = 'temperror', 'dns: %s' % e
            except Exception as e:
                res, why = 'permerror', '%s: %s' % (type(e).__name__, e)
            why = str(why).replace('\t', ' ').replace('\n', ' ')
            print('%s\t%d\t%s\t%s\t%s\t%s' % (fid, i, res, dom, sel, why))
        sys.stdout.flush()


def main(argv):
    if len(argv) < 2:
        sys.exit('usage: dkimpy_driver.py features|sign|verify ...')
    args = argv[2:]
    fixed = None
    if len(args) >= 2 and args[0] in ('-time', '-now'):
        fixed = int(args[1])
        args = args[2:]
    if fixed is not None:
        time.time = lambda: float(fixed)
    if argv[1] == 'features':
        print('ed25519 yes')
        print('version %s' % getattr(dkim, '__version__', 'unknown'))
    elif argv[1] == 'sign' and len(args) == 2:
        sign(args[0], args[1])
    elif argv[1] == 'verify' and len(args) >= 2:
        verify(args[0], args[1:])
    else:
        sys.exit('usage: dkimpy_driver.py features|sign|verify ...')


if __name__ == '__main__':
    main(sys.argv)
