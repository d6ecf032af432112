# SPDX-License-Identifier: MIT
"""DNS: the Resolver every check takes, and the Answer/Record values that
custom and asynchronous resolvers return.

A Resolver wraps a mox_resolver (see <mox/dns.h>) of one of three backends:

- Resolver.system(...): libunbound, forwarding to the nameservers of a
  resolv.conf file or to given servers, or recursing; DNSSEC validation
  with a trust anchor file.
- Resolver.static(zone): in memory, from zone text (RFC 1035 master file
  syntax plus the $NXDOMAIN/$SERVFAIL/$TIMEOUT/$AUTHENTIC directives of
  mox_resolver_static_load()), and records added with add().
- Resolver.custom(func): every question goes to a Python function
  func(qname, qtype) that returns an Answer (or a list of Records, or None
  for NXDOMAIN). An exception raised by func answers the question with
  SERVFAIL, which the checks turn into temperror; it never propagates
  through the C library.

A Resolver holds a C handle: close it (or use it as a context manager).
Use one Resolver from one thread at a time, or share a system or static
one between threads for checks (their blocking lookups are thread-safe).
"""
from __future__ import annotations

import asyncio
import enum
import ipaddress
import logging
import threading
import weakref
from ctypes import byref, c_uint16, c_void_p, string_at
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

from . import _lib as L
from ._lib import MoxError, check, to_bytes, opt_bytes

__all__ = ['Resolver', 'Answer', 'Record', 'RRType', 'type_code']

log = logging.getLogger('moxmail')


class RRType(enum.IntEnum):
    """Record types with a name; any other 16-bit number is a type too."""
    A = 1
    NS = 2
    CNAME = 5
    SOA = 6
    PTR = 12
    MX = 15
    TXT = 16
    AAAA = 28
    SRV = 33
    DS = 43
    SSHFP = 44
    RRSIG = 46
    NSEC = 47
    DNSKEY = 48
    TLSA = 52
    SPF = 99
    CAA = 257


_BY_CODE = {int(t): t for t in RRType}


def type_code(t):
    """A type as int: an int, an RRType, or a mnemonic ("TXT", "TYPE65")."""
    if isinstance(t, int):
        if not 0 <= t <= 0xffff:
            raise ValueError('record type out of range: %d' % t)
        return int(t)
    if isinstance(t, str):
        try:
            return int(RRType[t.upper()])
        except KeyError:
            pass
        out = c_uint16()
        check(L.mox_dns_type_parse(byref(out), to_bytes(t, 'type')),
              'unknown record type %r' % t)
        return out.value
    raise TypeError('record type must be int or str')


def _qtype(t):
    return _BY_CODE.get(t, t)


def _name_wire(name):
    """Wire form of a presentation name (labels split at dots, no escapes)."""
    if isinstance(name, bytes):
        name = name.decode('utf-8')
    name = name.rstrip('.')
    out = bytearray()
    if name:
        for label in name.split('.'):
            b = label.encode('utf-8')
            if not 0 < len(b) <= 63:
                raise ValueError('bad label in name %r' % name)
            out.append(len(b))
            out += b
    out.append(0)
    return bytes(out)


def _strings(value):
    if isinstance(value, (str, bytes, bytearray)):
        value = [value]
    out = bytearray()
    for s in value:
        b = s.encode('utf-8') if isinstance(s, str) else bytes(s)
        if not b:
            out.append(0)
        while b:
            out.append(len(b[:255]))
            out += b[:255]
            b = b[255:]
    return bytes(out)


@dataclass(frozen=True)
class Record:
    """One resource record.

    type   an int (RRType.TXT, 16) or a mnemonic ("TXT"); stored as int.
    value  the data in a friendly form, by type:
           A, AAAA: the address (str or ipaddress object);
           TXT, SPF: a str or bytes (split into 255-octet character-strings)
             or a sequence of them (one character-string each);
           MX: (preference, exchange); CNAME, NS, PTR: the target name;
           any other type: give rdata instead.
    name   the owner name; None: the name asked (after any CNAME records
           listed before it in the answer).
    ttl    time to live in seconds.
    rdata  wire-format rdata; when set it is used as is and value is only
           informative.

    Records of a looked-up Answer (Resolver.lookup) have name, ttl and
    rdata set, and value for the types above: a str address, a tuple of
    bytes character-strings, (preference, exchange), or the target.
    """
    type: Any
    value: Any = None
    name: Optional[str] = None
    ttl: int = 300
    rdata: Optional[bytes] = None

    def __post_init__(self):
        object.__setattr__(self, 'type', _qtype(type_code(self.type)))

    @classmethod
    def a(cls, address, **kw):
        return cls(RRType.A, address, **kw)

    @classmethod
    def aaaa(cls, address, **kw):
        return cls(RRType.AAAA, address, **kw)

    @classmethod
    def txt(cls, *strings, **kw):
        """TXT record; one argument is split into 255-octet strings, several
        are one character-string each."""
        return cls(RRType.TXT, strings[0] if len(strings) == 1 else strings,
                   **kw)

    @classmethod
    def mx(cls, preference, exchange, **kw):
        return cls(RRType.MX, (preference, exchange), **kw)

    @classmethod
    def cname(cls, target, **kw):
        return cls(RRType.CNAME, target, **kw)

    @classmethod
    def ptr(cls, target, **kw):
        return cls(RRType.PTR, target, **kw)

    @property
    def text(self):
        """TXT/SPF: the character-strings joined (bytes); None otherwise."""
        if self.type not in (RRType.TXT, RRType.SPF):
            return None
        v = self.value
        if isinstance(v, (str, bytes, bytearray)):
            v = [v]
        return b''.join(s.encode('utf-8') if isinstance(s, str) else bytes(s)
                        for s in v)

    def wire(self):
        """The rdata in wire format."""
        if self.rdata is not None:
            return bytes(self.rdata)
        t, v = self.type, self.value
        if t == RRType.A:
            return ipaddress.IPv4Address(str(v)).packed
        if t == RRType.AAAA:
            return ipaddress.IPv6Address(str(v)).packed
        if t in (RRType.TXT, RRType.SPF):
            return _strings(v)
        if t == RRType.MX:
            pref, host = v
            return int(pref).to_bytes(2, 'big') + _name_wire(host)
        if t in (RRType.CNAME, RRType.NS, RRType.PTR):
            return _name_wire(v)
        raise ValueError('record of type %s needs rdata' % t)


_RESULTS = {n: i for i, n in enumerate(L.DNS_RESULTS)}


@dataclass
class Answer:
    """The answer to one question.

    records  the records: of the asked type, optionally preceded by the
             CNAME records of a chain from the asked name (each owned by
             the name before it).
    result   "ok" (NODATA when there is no record), "nodata", "nxdomain",
             "servfail", "timeout", "bogus" or "error" (another rcode).
    rcode    the DNS rcode; None: the usual one for result.
    secure   the DNSSEC authentic bit (AD) for the whole answer.

    Answers from Resolver.lookup() also have qname, qtype, canonical_name
    (end of the CNAME chain), cnames (the chain's targets), ttl and
    why_bogus.
    """
    records: Sequence[Record] = ()
    result: str = 'ok'
    rcode: Optional[int] = None
    secure: bool = False
    qname: Optional[str] = None
    qtype: Optional[int] = None
    canonical_name: Optional[str] = None
    cnames: Tuple[str, ...] = ()
    ttl: int = 0
    why_bogus: Optional[str] = None

    @classmethod
    def of(cls, *records, secure=False):
        return cls(list(records), secure=secure)

    @classmethod
    def nxdomain(cls):
        return cls(result='nxdomain')

    @classmethod
    def nodata(cls):
        return cls(result='nodata')

    @classmethod
    def servfail(cls):
        return cls(result='servfail')

    @classmethod
    def timeout(cls):
        return cls(result='timeout')

    @classmethod
    def bogus(cls):
        return cls(result='bogus')


def _result_code(r):
    if isinstance(r, int):
        return r
    try:
        return _RESULTS[r]
    except KeyError:
        raise ValueError('unknown DNS result %r' % (r,)) from None


def answer_to_c(ans, qname, qtype):
    """A new mox_dns_answer (c_void_p) for what a resolver function
    returned: an Answer, a sequence of Records, or None (NXDOMAIN)."""
    if ans is None:
        ans = Answer(result='nxdomain')
    elif not isinstance(ans, Answer):
        ans = Answer(list(ans))
    res = _result_code(ans.result)
    rcode = ans.rcode if ans.rcode is not None else L.DNS_RESULT_RCODE.get(
        res, 0)
    qn = qname if isinstance(qname, bytes) else qname.encode('utf-8')
    a = c_void_p()
    check(L.mox_dns_answer_new(byref(a), qn, qtype, res, rcode),
          'answer for %r' % qname)
    try:
        owner = qn
        for rec in ans.records:
            if not isinstance(rec, Record):
                raise TypeError('answer records must be Record, not %s' %
                                type(rec).__name__)
            data = rec.wire()
            name = opt_bytes(rec.name, 'record name') or owner
            check(L.mox_dns_answer_add(a, name, rec.type, rec.ttl, data,
                                       len(data)),
                  'record %s %s' % (name.decode('utf-8', 'replace'),
                                    rec.type))
            if rec.type == RRType.CNAME and qtype != RRType.CNAME:
                owner = _name_wire_target(rec)
        if ans.secure:
            L.mox_dns_answer_set_secure(a, True)
    except BaseException:
        L.mox_dns_answer_free(a)
        raise
    return a


def _name_wire_target(rec):
    v = rec.value
    if v is None:
        raise ValueError('a CNAME step of an answer needs value')
    return to_bytes(v, 'CNAME target').rstrip(b'.')


def _rr_value(rr):
    t = rr.type
    if t in (RRType.A, RRType.AAAA):
        return L.format_ip(rr.ip)
    if t in (RRType.TXT, RRType.SPF):
        return tuple(string_at(rr.strings[i].ptr, rr.strings[i].len)
                     for i in range(rr.nstrings))
    if t == RRType.MX:
        return (rr.preference, L.text(rr.target))
    if t in (RRType.CNAME, RRType.NS, RRType.PTR):
        return L.text(rr.target)
    return None


def answer_from_c(a):
    """An Answer with the content of a mox_dns_answer (borrowed)."""
    recs = []
    for i in range(L.mox_dns_answer_count(a)):
        rr = L.mox_dns_answer_rr(a, i).contents
        recs.append(Record(rr.type, _rr_value(rr), L.text(rr.name), rr.ttl,
                           string_at(rr.rdata, rr.rdlen)))
    res = L.mox_dns_answer_result(a)
    return Answer(
        records=recs,
        result=L.DNS_RESULTS[res] if 0 <= res < len(L.DNS_RESULTS) else res,
        rcode=L.mox_dns_answer_rcode(a),
        secure=bool(L.mox_dns_answer_secure(a)),
        qname=L.text(L.mox_dns_answer_qname(a)),
        qtype=_qtype(L.mox_dns_answer_qtype(a)),
        canonical_name=L.text(L.mox_dns_answer_canonname(a)),
        cnames=tuple(L.text(L.mox_dns_answer_cname(a, i))
                     for i in range(L.mox_dns_answer_cname_count(a))),
        ttl=L.mox_dns_answer_ttl(a),
        why_bogus=L.text(L.mox_dns_answer_why_bogus(a)))


async def resolve_to_c(resolve, qname, qtype, errors):
    """Ask an async (or plain) resolver function; return a new
    mox_dns_answer, or None when it failed (the evaluators take that as a
    DNS error: temperror). Exceptions are appended to errors and logged;
    cancellation propagates."""
    try:
        r = resolve(qname, _qtype(qtype))
        if asyncio.iscoroutine(r) or isinstance(r, asyncio.Future) or \
                hasattr(r, '__await__'):
            r = await r
        return answer_to_c(r, qname, qtype)
    except Exception as e:  # noqa: BLE001 -- a resolver failure is a DNS error
        log.debug('resolver function failed for %s/%s: %r', qname, qtype, e)
        errors.append(e)
        return None


def _note(state, e):
    ref = state.get('self')
    r = ref() if ref is not None else None
    if r is not None:
        r._note_error(e)


class Resolver:
    """A DNS resolver handle (mox_resolver). Create it with system(),
    static() or custom(); close() it, or use `with`."""

    def __init__(self, _handle, _kind, _keep=None):
        self._h = _handle
        self.kind = _kind
        self._keep = _keep
        self._tls = threading.local()

    # --- constructors ---

    @classmethod
    def system(cls, resolvconf=None, *, forwarders=None, recurse=False,
               stubs=None, trust_anchor_file=None, trust_anchors=None,
               timeout=None, unbound_options=None):
        """A libunbound resolver.

        resolvconf         forward to this resolv.conf file's nameservers
                           (default /etc/resolv.conf)
        forwarders         forward to these servers instead ("IP" or
                           "IP@PORT")
        recurse            resolve from the root instead
        stubs              {zone: "IP@PORT"}: ask that server for the zone
        trust_anchor_file  DNSSEC trust anchors (DS/DNSKEY records), e.g.
                           /usr/share/dns/root.key; without any, no answer
                           is authentic
        trust_anchors      trust anchors as record strings
        timeout            seconds per question (default 10)
        unbound_options    extra "name: value" libunbound options
        """
        o = L.UnboundOptions()
        check(L.mox_unbound_options_init(byref(o), 1))
        keep = []
        if forwarders:
            o.mode = 1
            arr, n = L.string_array(forwarders, 'forwarder')
            o.forwarders, o.nforwarders = arr, n
            keep.append(arr)
        elif recurse:
            o.mode = 2
        else:
            o.mode = 0
            o.resolvconf = opt_bytes(resolvconf, 'resolvconf')
        if stubs:
            flat = []
            for zone, server in dict(stubs).items():
                flat += [zone, server]
            arr, n = L.string_array(flat, 'stub')
            o.stubs, o.nstubs = arr, n // 2
            keep.append(arr)
        o.trust_anchor_file = opt_bytes(trust_anchor_file, 'trust_anchor_file')
        if trust_anchors:
            arr, n = L.string_array(trust_anchors, 'trust anchor')
            o.trust_anchors, o.ntrust_anchors = arr, n
            keep.append(arr)
        if unbound_options:
            arr, n = L.string_array(unbound_options, 'unbound option')
            o.unbound_options, o.nunbound_options = arr, n
            keep.append(arr)
        if timeout is not None:
            o.timeout_ms = max(1, int(round(float(timeout) * 1000)))
        h = c_void_p()
        err = L.ctypes.create_string_buffer(512)
        rc = L.mox_resolver_new_unbound_err(byref(h), byref(o), err, 512)
        if rc < 0:
            raise MoxError(rc, L.text(err.value) or None)
        return cls(h, 'system')

    @classmethod
    def static(cls, zone=None, *, origin=None):
        """An in-memory resolver, optionally loaded with zone text (str or
        bytes). Names it does not hold are NXDOMAIN."""
        h = c_void_p()
        check(L.mox_resolver_new_static(byref(h)))
        r = cls(h, 'static')
        if zone is not None:
            try:
                r.load(zone, origin=origin)
            except BaseException:
                r.close()
                raise
        return r

    @classmethod
    def custom(cls, func):
        """A resolver whose questions func(qname: str, qtype: int) answers,
        synchronously, with an Answer, a list of Records or None
        (NXDOMAIN). qtype is an RRType for known types. qname is ASCII
        presentation form without trailing dot (SPF macros can make names
        with a space or \\DDD escapes). An exception raised by func is
        logged (logger "moxmail"), kept in last_errors and answered as
        SERVFAIL."""
        if not callable(func):
            raise TypeError('func must be callable')
        state = {'func': func}

        def query(impl, r, qid, qname, qtype):
            try:
                name = qname.decode('ascii', 'surrogateescape')
                try:
                    a = answer_to_c(func(name, _qtype(qtype)), qname, qtype)
                except Exception as e:  # noqa: BLE001
                    log.debug('resolver function failed for %s/%s: %r',
                              name, qtype, e)
                    _note(state, e)
                    a = None
                L.mox_resolver_complete(r, qid, a)
            except BaseException as e:  # never unwind into C
                _note(state, e)
                L.mox_resolver_complete(r, qid, None)
            return 0

        ops = L.ResolverOps()
        ops.version = 1
        ops.query = L.QUERY_FN(query)
        h = c_void_p()
        check(L.mox_resolver_new_custom(byref(h), byref(ops), None))
        r = cls(h, 'custom', (ops, state))
        r.last_errors = []
        state['self'] = weakref.ref(r)
        return r

    # --- lifetime ---

    def close(self):
        """Free the handle (pending questions are canceled). Idempotent."""
        h, self._h = self._h, None
        if h is not None and L is not None and L.mox_resolver_free:
            L.mox_resolver_free(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    @property
    def closed(self):
        return self._h is None

    def _handle(self):
        if self._h is None:
            raise ValueError('resolver is closed')
        return self._h

    # --- errors of the custom backend ---

    def _note_error(self, e):
        errs = getattr(self, 'last_errors', None)
        if errs is not None:
            errs.append(e)
            del errs[:-16]
        col = getattr(self._tls, 'collect', None)
        if col is not None:
            col.append(e)

    def _begin(self):
        """Start collecting the resolver function's exceptions of a call
        on this thread; returns the list (None for other backends)."""
        if self._keep is None:
            return None
        col = []
        self._tls.collect = col
        return col

    def _end(self):
        if self._keep is None:
            return ()
        col = getattr(self._tls, 'collect', None) or []
        self._tls.collect = None
        for e in col:
            if not isinstance(e, Exception):
                raise e  # KeyboardInterrupt, SystemExit: after the C call
        return tuple(col)

    # --- configuration ---

    def set_timeout(self, seconds):
        """Timeout of each later question (0 or None: backend default)."""
        ms = 0 if not seconds else max(1, int(round(seconds * 1000)))
        L.mox_resolver_set_timeout(self._handle(), ms)

    def load(self, zone, *, origin=None):
        """Static backend: add the records of zone text (str or bytes)."""
        b = zone.encode('utf-8') if isinstance(zone, str) else bytes(zone)
        h = self._handle()
        rc = L.mox_resolver_static_load(h, b, len(b),
                                        opt_bytes(origin, 'origin'))
        if rc < 0:
            raise MoxError(rc, L.text(L.mox_resolver_errmsg(h)) or None)

    def load_file(self, path, *, origin=None):
        """Static backend: add the records of a zone file."""
        h = self._handle()
        rc = L.mox_resolver_static_load_file(
            h, to_bytes(str(path) if not isinstance(path, bytes) else path,
                        'path'), opt_bytes(origin, 'origin'))
        if rc < 0:
            raise MoxError(rc, L.text(L.mox_resolver_errmsg(h)) or None)

    def add(self, record, *, authentic=False):
        """Static backend: add a Record (its name is required)."""
        if record.name is None:
            raise ValueError('record needs a name')
        data = record.wire()
        h = self._handle()
        rc = L.mox_resolver_static_add(h, to_bytes(record.name, 'name'),
                                       record.type, record.ttl, data,
                                       len(data), bool(authentic))
        if rc < 0:
            raise MoxError(rc, L.text(L.mox_resolver_errmsg(h)) or None)

    def set_result(self, name, result):
        """Static backend: force "nxdomain", "servfail", "timeout", "bogus"
        or "error" for every question about name; "ok" removes it."""
        check(L.mox_resolver_static_set_result(
            self._handle(), to_bytes(name, 'name'), _result_code(result)))

    # --- questions ---

    def lookup(self, qname, qtype='A'):
        """Ask a question and wait for the Answer (timeouts, NXDOMAIN etc.
        are answers)."""
        a = c_void_p()
        h = self._handle()
        self._begin()
        try:
            rc = L.mox_dns_lookup(h, to_bytes(qname, 'qname'),
                                  type_code(qtype), byref(a))
        finally:
            self._end()
        check(rc, 'lookup %s' % qname)
        try:
            return answer_from_c(a)
        finally:
            L.mox_dns_answer_free(a)

    def __repr__(self):
        return '<moxmail.Resolver %s%s>' % (self.kind,
                                            ' closed' if self.closed else '')


class _TempResolver:
    """The resolver a call uses: the given one, or a system resolver
    created for the call and freed after it."""

    def __init__(self, resolver):
        self.given = resolver
        self.r = None

    def __enter__(self):
        if self.given is not None:
            if not isinstance(self.given, Resolver):
                raise TypeError('resolver must be a moxmail.Resolver')
            self.r = self.given
        else:
            self.r = Resolver.system()
        return self.r

    def __exit__(self, *exc):
        if self.given is None and self.r is not None:
            self.r.close()
