#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench-python-dkim.py -- DKIM verification per second through the Python
bindings (moxmail, over the in-memory resolver) and through dkimpy (Debian
python3-dkim, keys served by its dnsfunc), in the same process, for a
message of about 2 KB signed with rsa-sha256 (2048-bit key) and with
ed25519-sha256.

usage: bench-python-dkim.py [-seconds S] [-size N]

Prints per algorithm:
  rsa-sha256 2048: python-bindings N calls/s, dkimpy M calls/s
  rsa-sha256 2048 python-bindings/dkimpy: R.Rx
and the same for ed25519-sha256, then the ratio of the two sums of the
time per call: "python-bindings/dkimpy: R.Rx". For scale it also times
mox_dkim_verify() called directly through ctypes (no result objects): the
difference to python-bindings is the cost of the bindings themselves;
what remains is the C library, mostly its RSA/Ed25519 and SHA-256
(see tests/bench/bench_dkim.c, "crypto limit"). Both verifiers must pass
the message before it is timed. Exit 77 when dkimpy is missing.

Find the libraries with MOXMAIL_LIBDIR (a meson build directory) or
LD_LIBRARY_PATH; the package with PYTHONPATH=bindings/python.
"""
import gc
import sys
import time

try:
    import dkim as dkimpy
except ImportError:
    print('bench-python-dkim: dkimpy not installed (python3-dkim); skipping')
    sys.exit(77)

from ctypes import POINTER, byref, c_size_t

import moxmail
from moxmail import Resolver, dkim
from moxmail import _lib as L


def message(size):
    hdr = (b'From: Alice Example <alice@example.org>\r\n'
           b'To: Bob <bob@example.net>\r\n'
           b'Subject: Quarterly report\r\n'
           b'Date: Tue, 05 Mar 2024 10:00:00 +0000\r\n'
           b'Message-ID: <20240305100000.12345@example.org>\r\n'
           b'MIME-Version: 1.0\r\n'
           b'Content-Type: text/plain; charset=utf-8\r\n\r\n')
    line = b'Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n'
    body = b''
    while len(hdr) + len(body) + len(line) <= size:
        body += line
    return hdr + body


def rate(fn, seconds):
    """Calls per second of fn over about `seconds`."""
    n, batch = 0, 1
    t0 = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        el = time.perf_counter() - t0
        if el >= seconds:
            return n / el
        batch = min(batch * 2, 500)


def best_rates(fns, seconds, rounds=5):
    """The best rate of each function over interleaved rounds (the
    machine's other load then hits each about equally; the best round is
    the least disturbed)."""
    for fn in fns:
        fn()
    gc.collect()
    best = [0.0] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = max(best[i], rate(fn, seconds / rounds))
    return best


def dkimpy_version():
    try:
        import importlib.metadata
        return importlib.metadata.version('dkimpy')
    except Exception:  # noqa: BLE001 -- only informative
        return '?'


def main():
    seconds, size = 2.0, 2048
    args = sys.argv[1:]
    while args:
        if args[0] == '-seconds' and len(args) > 1:
            seconds = float(args[1])
        elif args[0] == '-size' and len(args) > 1:
            size = int(args[1])
        else:
            print(__doc__)
            sys.exit(2)
        args = args[2:]

    msg = message(size)
    rsa_key = dkim.Key.generate('rsa', 2048)
    ed_key = dkim.Key.generate('ed25519')
    txt = {'rsa': rsa_key.txt(), 'ed': ed_key.txt()}
    dns = {('%s._domainkey.example.org' % s).encode(): t.encode()
           for s, t in txt.items()}

    def dnsfunc(name, timeout=5):
        return dns.get(name.rstrip(b'.').lower())

    zone = ''.join('%s. 300 IN TXT %s\n' % (
        n.decode(), ' '.join('"%s"' % t[i:i + 255].decode()
                             for i in range(0, len(t), 255)))
        for n, t in dns.items())
    print('message: %d octets; moxmail %s, libmox-core %s; dkimpy %s'
          % (len(msg) + 0, moxmail.__version__, moxmail.library_version(),
             dkimpy_version()))
    total_ours = total_theirs = 0.0
    with Resolver.static(zone) as r, rsa_key, ed_key:
        for label, sel, key in (('rsa-sha256 2048', 'rsa', rsa_key),
                                ('ed25519-sha256', 'ed', ed_key)):
            signed = dkim.sign(msg, 'example.org', sel, key) + msg
            res = dkim.verify(signed, resolver=r)
            assert [x.verdict for x in res] == ['pass'], res
            assert dkimpy.verify(signed, dnsfunc=dnsfunc), 'dkimpy: no pass'
            arr, n = POINTER(L.DkimResult)(), c_size_t()

            def direct():
                L.mox_dkim_verify(byref(arr), byref(n), r._h, None, signed,
                                  len(signed))
                for i in range(n.value):
                    L.mox_dkim_result_release(byref(arr[i]))
                L.mox_dkim_free(arr)
            ours, raw, theirs = best_rates([
                lambda: dkim.verify(signed, resolver=r), direct,
                lambda: dkimpy.verify(signed, dnsfunc=dnsfunc)], seconds)
            total_ours += 1 / ours
            total_theirs += 1 / theirs
            print('%s: python-bindings %.0f calls/s, dkimpy %.0f calls/s'
                  % (label, ours, theirs))
            print('%s: libmox-dkim direct through ctypes %.0f calls/s '
                  '(bindings cost %.1f us per call)'
                  % (label, raw, max(0.0, 1e6 / ours - 1e6 / raw)))
            print('%s python-bindings/dkimpy: %.1fx' % (label, ours / theirs))
    print('python-bindings/dkimpy: %.1fx' % (total_theirs / total_ours))


if __name__ == '__main__':
    main()
