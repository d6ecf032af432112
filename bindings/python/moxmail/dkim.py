# SPDX-License-Identifier: MIT
"""DKIM (RFC 6376, RFC 8301, RFC 8463): keys, signing, verification.

    with moxmail.dkim.Key.generate('ed25519') as key:
        zone_txt = key.txt()              # publish at sel._domainkey.example.org
        sig = moxmail.dkim.sign(msg, 'example.org', 'sel', key)
        signed = sig + msg                # sig is b"DKIM-Signature: ...\\r\\n"
    results = moxmail.dkim.verify(signed, resolver=r)
    results[0].verdict                     # 'pass'

Messages are bytes; bare LF line ends are read as CRLF. verify_async()
drives the streaming verifier with an async resolver function and asks
for the key records of all signatures at once.
"""
from __future__ import annotations

import asyncio
from ctypes import POINTER, byref, c_size_t, c_void_p
from dataclasses import dataclass
from typing import Optional

from . import _lib as L
from ._lib import MoxError, check, message_bytes, opt_bytes, text, to_bytes
from .dns import RRType, _TempResolver, resolve_to_c

__all__ = ['Key', 'sign', 'verify', 'verify_async', 'DkimResult',
           'VERDICTS']

VERDICTS = L.DKIM_VERDICTS
_KEY_TYPES = {'rsa': 1, 'ed25519': 2}
_CANON = {'simple': 0, 'relaxed': 1}


class Key:
    """A private signing key (mox_dkim_key): RSA or Ed25519. Immutable; may
    be shared between threads. close() frees it (or use `with`)."""

    def __init__(self, _handle):
        self._h = _handle

    @classmethod
    def generate(cls, type='ed25519', bits=2048):
        """A new key: type 'ed25519' or 'rsa' (bits 1024..4096, multiple
        of 8)."""
        try:
            t = _KEY_TYPES[type]
        except KeyError:
            raise ValueError("key type must be 'rsa' or 'ed25519'") from None
        h = c_void_p()
        check(L.mox_dkim_key_generate(byref(h), t,
                                      bits if t == 1 else 0), 'generate key')
        return cls(h)

    @classmethod
    def from_pem(cls, pem):
        """Read PKCS#8 "PRIVATE KEY" (RSA or Ed25519) or PKCS#1 "RSA PRIVATE
        KEY" PEM (str or bytes)."""
        b = message_bytes(pem)
        h = c_void_p()
        check(L.mox_dkim_key_from_pem(byref(h), b, len(b)), 'PEM key')
        return cls(h)

    def _handle(self):
        if self._h is None:
            raise ValueError('key is closed')
        return self._h

    def to_pem(self):
        """The key as PKCS#8 PEM (bytes)."""
        p = c_void_p()
        n = c_size_t()
        check(L.mox_dkim_key_to_pem(byref(p), byref(n), self._handle()))
        return L.take_string(p, n.value)

    def txt(self, split=False):
        """The TXT record value publishing the public key ("v=DKIM1;
        k=ed25519; p=..."); with split, as quoted zone-file strings of at
        most 255 octets."""
        p = c_void_p()
        n = c_size_t()
        check(L.mox_dkim_key_txt(byref(p), byref(n), self._handle(),
                                 bool(split)))
        return L.take_string(p, n.value).decode('ascii')

    @property
    def type(self):
        """'rsa' or 'ed25519'."""
        return {1: 'rsa', 2: 'ed25519'}.get(
            L.mox_dkim_key_get_type(self._handle()), 'unknown')

    @property
    def bits(self):
        """RSA modulus size; 256 for Ed25519."""
        return L.mox_dkim_key_bits(self._handle())

    @property
    def algorithm(self):
        return 'rsa-sha256' if self.type == 'rsa' else 'ed25519-sha256'

    def close(self):
        h, self._h = self._h, None
        if h is not None and L is not None and L.mox_dkim_key_free:
            L.mox_dkim_key_free(h)

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self._h is None:
            return '<moxmail.dkim.Key closed>'
        return '<moxmail.dkim.Key %s %d bits>' % (self.type, self.bits)


def _canon(c):
    if isinstance(c, str):
        parts = c.split('/')
        if len(parts) == 1:
            parts.append('simple')
    else:
        parts = list(c)
    if len(parts) != 2 or parts[0] not in _CANON or parts[1] not in _CANON:
        raise ValueError("canonicalization must be like 'relaxed/simple'")
    return _CANON[parts[0]], _CANON[parts[1]]


def sign(message, domain, selector, key, *, headers=None, oversign=None,
         canonicalization='relaxed/relaxed', identity=None, timestamp=None,
         expiration=None, body_length=False):
    """Sign a message; returns the whole header field to prepend:
    b"DKIM-Signature: v=1; a=...\\r\\n" (field name included, folded at 78
    columns with CRLF, ending in CRLF; CRLF also for a message with bare
    LF line ends).

    message           bytes (header and body)
    domain, selector  d= and s= (IDNs converted to A-labels)
    key               a Key; its type decides a=
    headers           names to sign (h=), must include From; None for the
                      library default list
    oversign          names to sign once more than they occur; None for
                      the default (From, Reply-To, Subject, Date, To, Cc),
                      [] for none
    canonicalization  'header/body', each 'simple' or 'relaxed' (c=); a
                      single word means that/simple as RFC 6376 says
    identity          i=, or None
    timestamp         t= in seconds since the epoch; None: now; False: no t=
    expiration        seconds after t= when the signature expires (x=)
    body_length       add l= (not recommended)
    """
    if not isinstance(key, Key):
        raise TypeError('key must be a moxmail.dkim.Key')
    o = L.DkimSignOptions()
    o.version = 1
    o.domain = to_bytes(domain, 'domain')
    o.selector = to_bytes(selector, 'selector')
    o.identity = opt_bytes(identity, 'identity')
    o.key = key._handle()
    o.header_canon, o.body_canon = _canon(canonicalization)
    harr, n = L.string_array(headers, 'header name')
    if harr is not None:
        o.headers, o.nheaders = harr, n
    oarr, n = L.string_array(oversign, 'header name')
    if oarr is not None:
        o.oversign, o.noversign = oarr, n
    if timestamp is False:
        o.timestamp = -1
    elif timestamp is None:
        o.timestamp = 0
    else:
        o.timestamp = int(timestamp)
        if o.timestamp <= 0:
            raise ValueError('timestamp must be positive')
    o.expiration = int(expiration) if expiration else 0
    o.body_length = bool(body_length)
    m = message_bytes(message)
    p = c_void_p()
    n = c_size_t()
    check(L.mox_dkim_sign(byref(p), byref(n), byref(o), m, len(m)), 'sign')
    return L.take_string(p, n.value)


@dataclass(frozen=True)
class DkimResult:
    """The verdict for one DKIM-Signature field (in header order).

    verdict     'none' 'pass' 'fail' 'neutral' 'policy' 'temperror'
                'permerror'
    domain      d= ('' when the signature did not parse that far)
    selector    s=
    identity    i=, or "@" + d= when absent
    algorithm   a= as written ("rsa-sha256")
    b           b= as base64 without whitespace (for header.b)
    reason      why, for every verdict but pass ("body hash mismatch",
                "no key record", ...); None for pass
    authentic   the key record's DNS answer was DNSSEC-authentic
    testing     the key record has t=y
    has_length  the signature has l=
    offset      offset of the DKIM-Signature field in the message
    authres     the resinfo for Authentication-Results ("dkim=pass
                header.d=example.org header.s=sel header.a=ed25519-sha256
                header.b=AbCdEfGh")
    """
    verdict: str
    domain: str
    selector: str
    identity: str
    algorithm: str
    b: str
    reason: Optional[str]
    authentic: bool
    testing: bool
    has_length: bool
    offset: int
    authres: str

    @property
    def passed(self):
        return self.verdict == 'pass'


def _dkim_result(r):
    v = r.verdict
    return DkimResult(
        verdict=VERDICTS[v] if 0 <= v < len(VERDICTS) else str(v),
        domain=text(r.domain) or '', selector=text(r.selector) or '',
        identity=text(r.identity) or '', algorithm=text(r.algorithm) or '',
        b=text(r.b) or '', reason=text(r.reason),
        authentic=bool(r.authentic), testing=bool(r.testing),
        has_length=bool(r.has_length), offset=r.offset,
        authres=L.fmt(L.mox_dkim_authres, byref(r)))


_DEFAULT_VOPTS = None


def _verify_options(now, allow_sha1, allow_length, ignore_expiry,
                    max_signatures, min_rsa_bits, max_clock_skew,
                    max_header_size):
    global _DEFAULT_VOPTS
    plain = (now is None and not allow_sha1 and not allow_length and
             not ignore_expiry and max_signatures is None and
             min_rsa_bits is None and max_clock_skew is None and
             max_header_size is None)
    if plain and _DEFAULT_VOPTS is not None:
        return _DEFAULT_VOPTS
    o = L.DkimVerifyOptions()
    o.version = 1
    o.flags = (1 if allow_sha1 else 0) | (2 if allow_length else 0) | \
        (4 if ignore_expiry else 0)
    o.now = int(now) if now is not None else 0
    o.max_clock_skew = 300 if max_clock_skew is None else int(max_clock_skew)
    o.max_signatures = 10 if max_signatures is None else int(max_signatures)
    o.min_rsa_bits = 1024 if min_rsa_bits is None else int(min_rsa_bits)
    o.max_header_size = (1 << 20) if max_header_size is None else \
        int(max_header_size)
    if plain:
        _DEFAULT_VOPTS = o   # never written after this: shareable
    return o


def verify(message, *, resolver=None, now=None, allow_sha1=False,
           allow_length=False, ignore_expiry=False, max_signatures=None,
           min_rsa_bits=None, max_clock_skew=None, max_header_size=None):
    """Verify every DKIM signature of a message (bytes), looking up keys
    with resolver (None: a system resolver made for this call).

    Returns a list of DkimResult, one per DKIM-Signature field in header
    order; [] when the message has none (Authentication-Results then says
    "dkim=none"). Options: now (clock for t= and x=), allow_sha1 (accept
    rsa-sha1), allow_length (accept l=; otherwise such a signature is
    'policy'), ignore_expiry, max_signatures (10), min_rsa_bits (1024),
    max_clock_skew (300 s), max_header_size (1 MiB).
    """
    o = _verify_options(now, allow_sha1, allow_length, ignore_expiry,
                        max_signatures, min_rsa_bits, max_clock_skew,
                        max_header_size)
    m = message_bytes(message)
    arr = POINTER(L.DkimResult)()
    n = c_size_t()
    with _TempResolver(resolver) as r:
        h = r._handle()
        r._begin()
        try:
            rc = L.mox_dkim_verify(byref(arr), byref(n), h, byref(o), m,
                                   len(m))
        finally:
            r._end()
    check(rc, 'dkim verify')
    if not arr:
        return []
    try:
        return [_dkim_result(arr[i]) for i in range(n.value)]
    finally:
        for i in range(n.value):
            L.mox_dkim_result_release(byref(arr[i]))
        L.mox_dkim_free(arr)


async def verify_async(message, *, resolve, now=None, allow_sha1=False,
                       allow_length=False, ignore_expiry=False,
                       max_signatures=None, min_rsa_bits=None,
                       max_clock_skew=None, max_header_size=None):
    """As verify(), with key records from an async function
    `async def resolve(qname: str, qtype: int) -> Answer` (qtype is
    RRType.TXT). The questions of all signatures are started at once and
    answered as they come back (asyncio tasks), so one slow key server
    does not hold up the others. A resolve() that raises answers its
    question as a DNS failure: temperror for the signatures that need it.
    """
    o = _verify_options(now, allow_sha1, allow_length, ignore_expiry,
                        max_signatures, min_rsa_bits, max_clock_skew,
                        max_header_size)
    m = message_bytes(message)
    v = c_void_p()
    check(L.mox_dkim_verifier_new(byref(v), byref(o)), 'dkim verifier')
    pending = {}
    errors = []
    try:
        check(L.mox_dkim_verifier_feed(v, m, len(m)), 'dkim feed')
        check(L.mox_dkim_verifier_finish(v), 'dkim finish')
        q = L.DkimQuestion()
        while True:
            st = check(L.mox_dkim_verifier_step(v, byref(q)), 'dkim step')
            if st == 0:      # DONE
                break
            if st == 1:      # QUERY
                name = q.name.decode('ascii', 'surrogateescape')
                task = asyncio.ensure_future(
                    resolve_to_c(resolve, name, int(RRType.TXT), errors))
                pending[task] = q.id
                continue
            if st == 3 and pending:      # WAIT: answers are due
                done, _ = await asyncio.wait(
                    list(pending), return_when=asyncio.FIRST_COMPLETED)
                for t in done:
                    qid = pending.pop(t)
                    a = t.result()
                    try:
                        check(L.mox_dkim_verifier_answer(v, qid, a),
                              'dkim answer')
                    finally:
                        L.mox_dns_answer_free(a)
                continue
            raise MoxError(L.MOX_ESTATE, 'verifier step %d unexpected' % st)
        out = []
        for i in range(L.mox_dkim_verifier_count(v)):
            r = L.DkimResult()
            r.version = 1
            check(L.mox_dkim_verifier_result(v, i, byref(r)), 'dkim result')
            try:
                out.append(_dkim_result(r))
            finally:
                L.mox_dkim_result_release(byref(r))
        return out
    finally:
        for t in pending:
            if t.done():
                if not t.cancelled():
                    L.mox_dns_answer_free(t.result())
            else:
                t.cancel()
                t.add_done_callback(_free_late)
        L.mox_dkim_verifier_free(v)


def _free_late(t):
    if not t.cancelled() and t.exception() is None:
        L.mox_dns_answer_free(t.result())


def authres(results):
    """The dkim resinfos of results joined with "; " ("dkim=none" for no
    results), as an Authentication-Results field lists them."""
    if not results:
        return 'dkim=none'
    return '; '.join(r.authres for r in results)
