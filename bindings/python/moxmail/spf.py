# SPDX-License-Identifier: MIT
"""SPF (RFC 7208): check_host() for a client IP and MAIL FROM/HELO, record
parsing and formatting, Received-SPF and Authentication-Results text.

    with moxmail.Resolver.system() as r:
        res = moxmail.spf.check('192.0.2.10', 'user@example.org',
                                'mail.example.org', resolver=r)
    res.verdict        # 'pass', 'fail', ..., 'temperror', 'permerror'

check_async() drives the same evaluator with an async resolver function,
without threads. A verdict (temperror and permerror included) is a
result; MoxError is raised only when the call itself fails (a bad IP
address, out of memory).
"""
from __future__ import annotations

from ctypes import byref, c_char_p, c_size_t, c_void_p
from dataclasses import dataclass, field
from typing import Optional, Tuple

from . import _lib as L
from ._lib import MoxError, opt_bytes, text
from ._lib import check as _ok
from .dns import _TempResolver, resolve_to_c

__all__ = ['check', 'check_async', 'SpfResult', 'Record', 'Term', 'Limits',
           'VERDICTS']

VERDICTS = L.SPF_VERDICTS
_IDENT = ('mailfrom', 'helo')


@dataclass(frozen=True)
class Limits:
    """RFC 7208 4.6.4 limits and this implementation's (0: default)."""
    dns_terms: int = 10
    void_lookups: int = 2
    mx_names: int = 10
    ptr_names: int = 10
    max_name: int = 253
    max_record: int = 4096


@dataclass(frozen=True)
class SpfResult:
    """The result of check_host().

    verdict           'none' 'neutral' 'pass' 'fail' 'softfail'
                      'temperror' 'permerror'
    identity          'mailfrom' or 'helo': which identity was asked for
    scope             'mfrom' or 'helo': the identity actually checked
                      (a null MAIL FROM checks postmaster@<HELO>); DMARC
                      uses it
    domain            the domain check_host() started at ('' when none)
    checked           the identity as checked ("user@example.com",
                      "postmaster@helo.example")
    mechanism         the deciding term as written ("-all"), or None
    mechanism_domain  the domain of the record holding it
    explanation       for fail: the exp= text, or None
    reason            for none/temperror/permerror: why, in words
    authentic         every DNS answer was DNSSEC-authentic
    received          the Received-SPF header field value (without the
                      field name and line end)
    authres           the resinfo for Authentication-Results
                      ("spf=pass smtp.mailfrom=user@example.com")
    dns_terms, void_lookups, queries   counters of the evaluation
    resolver_errors   exceptions raised by a Python resolver function
                      during the check (each answered as a DNS failure)
    """
    verdict: str
    identity: str
    scope: str
    domain: str
    checked: str
    mechanism: Optional[str]
    mechanism_domain: Optional[str]
    explanation: Optional[str]
    reason: Optional[str]
    authentic: bool
    received: str
    authres: str
    dns_terms: int
    void_lookups: int
    queries: int
    resolver_errors: Tuple[BaseException, ...] = field(
        default=(), compare=False, repr=False)

    @property
    def passed(self):
        return self.verdict == 'pass'


def _request(ip, sender, helo, identity, receiver, now, explanation, limits):
    if identity not in _IDENT:
        raise ValueError("identity must be 'mailfrom' or 'helo'")
    req = L.SpfRequest()
    req.version = 1
    req.identity = _IDENT.index(identity)
    req.ip = L.parse_ip(ip)
    s = opt_bytes(sender, 'sender')
    req.sender = s if s else None
    req.helo = opt_bytes(helo, 'helo')
    req.receiver = opt_bytes(receiver, 'receiver')
    req.now = int(now) if now is not None else 0
    lim = limits if limits is not None else Limits()
    for n in ('dns_terms', 'void_lookups', 'mx_names', 'ptr_names',
              'max_name', 'max_record'):
        setattr(req.limits, n, int(getattr(lim, n)))
    req.explanation = bool(explanation)
    if req.sender is None and req.helo is None:
        raise MoxError(L.MOX_EINVAL, 'neither sender nor helo given')
    return req


def _result(res, req, receiver, errors=()):
    v = res.verdict
    null_sender = req.sender is None
    ident = _IDENT[res.identity] if 0 <= res.identity < 2 else 'mailfrom'
    return SpfResult(
        verdict=VERDICTS[v] if 0 <= v < len(VERDICTS) else str(v),
        identity=ident,
        scope='helo' if ident == 'helo' or null_sender else 'mfrom',
        domain=text(res.domain) or '',
        checked=text(res.checked) or '',
        mechanism=text(res.mechanism),
        mechanism_domain=text(res.mechanism_domain),
        explanation=text(res.explanation),
        reason=text(res.reason),
        authentic=bool(res.authentic),
        received=L.fmt(L.mox_spf_received, byref(res), byref(req),
                       opt_bytes(receiver, 'receiver')),
        authres=L.fmt(L.mox_spf_authres, byref(res), byref(req)),
        dns_terms=res.dns_terms, void_lookups=res.void_lookups,
        queries=res.queries, resolver_errors=tuple(errors))


def check(ip, sender, helo=None, *, resolver=None, identity='mailfrom',
          receiver=None, now=None, explanation=True, limits=None):
    """Evaluate SPF (check_host()) with a Resolver.

    ip         the SMTP client's address (str or ipaddress object)
    sender     the MAIL FROM address; '' or None for the null
               reverse-path (then postmaster@<helo> is checked)
    helo       the HELO/EHLO name
    resolver   a moxmail.Resolver; None: a system resolver made for this
               call only (slow: pass one for repeated checks)
    identity   'mailfrom' (default) or 'helo' (check the HELO name)
    receiver   this host's name, for %{r} and Received-SPF
    now        clock for %{t}, seconds since the epoch (None: now)
    explanation  expand exp= for fail results (one more query)
    limits     Limits (default: the RFC values)

    Returns an SpfResult.
    """
    req = _request(ip, sender, helo, identity, receiver, now, explanation,
                   limits)
    res = L.SpfResult()
    res.version = 1
    with _TempResolver(resolver) as r:
        h = r._handle()
        r._begin()
        try:
            rc = L.mox_spf_check(byref(res), h, byref(req))
        finally:
            errors = r._end()
    _ok(rc, 'spf')
    try:
        return _result(res, req, receiver, errors)
    finally:
        L.mox_spf_result_release(byref(res))


async def check_async(ip, sender, helo=None, *, resolve, identity='mailfrom',
                      receiver=None, now=None, explanation=True,
                      limits=None):
    """As check(), with DNS from an async function
    `async def resolve(qname: str, qtype: int) -> Answer` (a plain function
    returning an Answer works too). Questions are asked one at a time, as
    check_host() needs each answer before the next question. qtype is an
    RRType (TXT, A, AAAA, MX, PTR); qname may hold RFC 1035 \\DDD escapes
    and spaces made by macros. A resolve() that raises answers that
    question as a DNS failure (temperror where RFC 7208 says so); the
    exceptions are in the result's resolver_errors."""
    req = _request(ip, sender, helo, identity, receiver, now, explanation,
                   limits)
    e = c_void_p()
    _ok(L.mox_spf_eval_new(byref(e), byref(req)), 'spf')
    errors = []
    try:
        q = L.SpfQuestion()
        while True:
            st = L.mox_spf_eval_step(e, byref(q))
            _ok(st, 'spf step')
            if st == 0:
                break
            a = await resolve_to_c(resolve, q.name.decode('ascii',
                                                          'surrogateescape'),
                                   q.type, errors)
            try:
                _ok(L.mox_spf_eval_answer(e, a), 'spf answer')
            finally:
                L.mox_dns_answer_free(a)
        res = L.SpfResult()
        res.version = 1
        _ok(L.mox_spf_eval_result(e, byref(res)), 'spf result')
        try:
            return _result(res, req, receiver, errors)
        finally:
            L.mox_spf_result_release(byref(res))
    finally:
        L.mox_spf_eval_free(e)


# --- records ---

_KINDS = {1: 'all', 2: 'include', 3: 'a', 4: 'mx', 5: 'ptr', 6: 'ip4',
          7: 'ip6', 8: 'exists', 9: 'redirect', 10: 'exp', 11: 'modifier'}


@dataclass(frozen=True)
class Term:
    """One term of a record.

    kind         'all' 'include' 'a' 'mx' 'ptr' 'ip4' 'ip6' 'exists'
                 (mechanisms), 'redirect' 'exp' 'modifier' (modifiers)
    qualifier    '+' '-' '~' '?' for mechanisms, None for modifiers
    explicit_qualifier  whether the qualifier was written
    domain_spec  the domain-spec (or an unknown modifier's value), or None
    name         an unknown modifier's name, else None
    ip           ip4/ip6: the address as written, else None
    cidr4, cidr6 prefix lengths (32 and 128 when not written)
    offset       the term's offset in the record text
    text         the term formatted as in a record ("-ip4:192.0.2.0/24")
    """
    kind: str
    qualifier: Optional[str]
    explicit_qualifier: bool
    domain_spec: Optional[str]
    name: Optional[str]
    ip: Optional[str]
    cidr4: int
    cidr6: int
    offset: int
    text: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class Record:
    """A parsed SPF record: its terms and canonical text (str(record))."""
    terms: Tuple[Term, ...]
    text: str

    @classmethod
    def parse(cls, record):
        """Parse record text ("v=spf1 ..."). Raises MoxError: MOX_ENOTFOUND
        when it is not an SPF record, MOX_ESYNTAX with .offset (of the bad
        term) and a description."""
        b = L.message_bytes(record)
        h = c_void_p()
        off = c_size_t()
        err = c_char_p()
        rc = L.mox_spf_record_parse(byref(h), b, len(b), byref(off),
                                    byref(err))
        if rc < 0:
            detail = None
            if rc in (L.MOX_ESYNTAX, L.MOX_ENUL):
                detail = '%s at offset %d' % (text(err.value) or 'error',
                                              off.value)
            exc = MoxError(rc, detail)
            exc.offset = off.value if rc in (L.MOX_ESYNTAX, L.MOX_ENUL) \
                else None
            raise exc
        try:
            terms = []
            for i in range(L.mox_spf_record_count(h)):
                tp = L.mox_spf_record_term(h, i)
                t = tp.contents
                ip = None
                if t.kind in (6, 7):
                    ip = L.format_ip(t.ip)
                terms.append(Term(
                    kind=_KINDS.get(t.kind, str(t.kind)),
                    qualifier=chr(t.qualifier) if t.qualifier else None,
                    explicit_qualifier=bool(t.explicit_qualifier),
                    domain_spec=text(t.domain_spec), name=text(t.name),
                    ip=ip, cidr4=t.cidr4, cidr6=t.cidr6, offset=t.offset,
                    text=L.fmt(L.mox_spf_term_format, tp)))
            return cls(tuple(terms), L.fmt(L.mox_spf_record_format, h))
        finally:
            L.mox_spf_record_free(h)

    def format(self):
        """The canonical text (parsing it gives the same record)."""
        return self.text

    def __str__(self):
        return self.text


def parse_record(record):
    """Record.parse(record)."""
    return Record.parse(record)
