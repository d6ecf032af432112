# SPDX-License-Identifier: MIT
"""DMARC (RFC 9989, and RFC 7489 mode with the Public Suffix List): policy
discovery and evaluation from SPF and DKIM results, record parsing.

    spf_res = moxmail.spf.check(ip, mailfrom, helo, resolver=r)
    dkim_res = moxmail.dkim.verify(msg, resolver=r)
    d = moxmail.dmarc.evaluate(msg, spf=spf_res, dkim=dkim_res, resolver=r)
    d.verdict, d.policy, d.reject     # 'fail', 'reject', True

SPF and DKIM results are plain data: SpfResult/DkimResult objects of this
package, or SpfInput/DkimInput for results from elsewhere.
"""
from __future__ import annotations

from ctypes import byref, c_char_p, c_void_p
from dataclasses import dataclass, field
from typing import Optional, Tuple

from . import _lib as L
from ._lib import MoxError, check, message_bytes, opt_bytes, text, to_bytes
from .dns import _TempResolver, resolve_to_c

__all__ = ['evaluate', 'evaluate_async', 'DmarcResult', 'Record', 'SpfInput',
           'DkimInput', 'PublicSuffixList', 'VERDICTS']

VERDICTS = L.DMARC_VERDICTS
_ALIGN = ('relaxed', 'strict')
_PSD = (None, 'y', 'n')


@dataclass(frozen=True)
class SpfInput:
    """An SPF result for DMARC: result ('pass', 'fail', ... as SPF names
    them), domain (the MAIL FROM domain SPF checked, or the HELO name when
    helo is true)."""
    result: str
    domain: Optional[str]
    helo: bool = False


@dataclass(frozen=True)
class DkimInput:
    """One DKIM signature's result for DMARC: result ('pass', 'fail', ...),
    domain (d=), selector (s=, optional)."""
    result: str
    domain: str
    selector: Optional[str] = None


def _verdict_code(v, names, what):
    if isinstance(v, int):
        return v
    try:
        return names.index(v)
    except ValueError:
        raise ValueError('unknown %s result %r' % (what, v)) from None


def _spf_struct(spf, keep):
    if spf is None:
        return None
    s = L.DmarcSpf()
    if isinstance(spf, (tuple, list)):
        spf = SpfInput(*spf)
    if hasattr(spf, 'verdict'):       # moxmail.spf.SpfResult
        s.result = _verdict_code(spf.verdict, L.SPF_VERDICTS, 'SPF')
        dom = spf.domain or None
        s.helo = getattr(spf, 'scope', 'mfrom') == 'helo'
    else:
        s.result = _verdict_code(spf.result, L.SPF_VERDICTS, 'SPF')
        dom = spf.domain
        s.helo = bool(spf.helo)
    if dom:
        b = to_bytes(dom, 'SPF domain')
        keep.append(b)
        s.domain = b
    return s


def _dkim_array(dkim, keep):
    items = list(dkim or ())
    if not items:
        return None, 0
    arr = (L.DmarcDkim * len(items))()
    for i, d in enumerate(items):
        if isinstance(d, (tuple, list)):
            d = DkimInput(*d)
        res = d.verdict if hasattr(d, 'verdict') else d.result
        arr[i].result = _verdict_code(res, L.DKIM_VERDICTS, 'DKIM')
        dom = to_bytes(d.domain or '', 'DKIM domain')
        sel = opt_bytes(d.selector or None, 'DKIM selector')
        keep += [dom, sel]
        arr[i].domain = dom
        arr[i].selector = sel
    return arr, len(items)


class PublicSuffixList:
    """A Public Suffix List for RFC 7489 mode (mox_dmarc_psl), loaded once
    and shared. path None: Debian's publicsuffix list. close() or `with`.
    """

    def __init__(self, path=None):
        self._h = None
        h = c_void_p()
        p = None if path is None else to_bytes(
            str(path) if not isinstance(path, bytes) else path, 'path')
        check(L.mox_dmarc_psl_load(byref(h), p),
              'public suffix list %s' % (path or '(default)'))
        self._h = h

    def _handle(self):
        if self._h is None:
            raise ValueError('public suffix list is closed')
        return self._h

    def orgdomain(self, domain):
        """The organizational domain of domain (RFC 7489 3.2)."""
        return L.fmt(L.mox_dmarc_psl_orgdomain, self._handle(),
                     to_bytes(domain, 'domain'))

    def close(self):
        h, self._h = self._h, None
        if h is not None and L is not None and L.mox_dmarc_psl_free:
            L.mox_dmarc_psl_free(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


@dataclass(frozen=True)
class DmarcResult:
    """The DMARC result of a message.

    verdict           'none' 'pass' 'fail' 'temperror' 'permerror'
    policy            the policy to apply: 'none' 'quarantine' 'reject'
                      ('none' unless the verdict is fail; one level lower
                      (reject to quarantine, quarantine to none) under t=y
                      or when RFC 7489 pct sampling leaves the message out)
    policy_requested  the record's policy before test mode or sampling
                      (None when the verdict is not pass or fail)
    testing           t=y (or RFC 7489 pct) lowered the policy
    sampled_out       RFC 7489 pct sampling lowered it
    reject            policy == 'reject'
    from_domain       the From domain ('' when there was none)
    org_domain        its organizational domain, when it was needed
    record_domain     where the record was found (the policy domain)
    record            the record text used
    spf_aligned, dkim_aligned   which identifiers aligned and passed
    dkim_domain, dkim_selector  the aligned passing signature
    reason            why, for every verdict but pass
    authentic         every DNS answer was DNSSEC-authentic
    queries           DNS queries made
    authres           the resinfo for Authentication-Results
    resolver_errors   exceptions raised by a Python resolver function
    """
    verdict: str
    policy: str
    policy_requested: Optional[str]
    testing: bool
    sampled_out: bool
    reject: bool
    from_domain: str
    org_domain: Optional[str]
    record_domain: Optional[str]
    record: Optional[str]
    spf_aligned: bool
    dkim_aligned: bool
    dkim_domain: Optional[str]
    dkim_selector: Optional[str]
    reason: Optional[str]
    authentic: bool
    queries: int
    authres: str
    resolver_errors: Tuple[BaseException, ...] = field(
        default=(), compare=False, repr=False)

    @property
    def passed(self):
        return self.verdict == 'pass'


def _policy(p):
    return L.DMARC_POLICIES[p] if 0 <= p < len(L.DMARC_POLICIES) else str(p)


def _result(r, errors=()):
    v = r.verdict
    return DmarcResult(
        verdict=VERDICTS[v] if 0 <= v < len(VERDICTS) else str(v),
        policy=_policy(r.policy) or 'none',
        policy_requested=_policy(r.policy_requested),
        testing=bool(r.testing), sampled_out=bool(r.sampled_out),
        reject=bool(r.reject), from_domain=text(r.from_domain) or '',
        org_domain=text(r.org_domain), record_domain=text(r.record_domain),
        record=text(r.record), spf_aligned=bool(r.spf_aligned),
        dkim_aligned=bool(r.dkim_aligned), dkim_domain=text(r.dkim_domain),
        dkim_selector=text(r.dkim_selector), reason=text(r.reason),
        authentic=bool(r.authentic), queries=r.queries,
        authres=L.fmt(L.mox_dmarc_authres, byref(r)),
        resolver_errors=tuple(errors))


class _Setup:
    """Options, inputs and the PSL of one evaluation; frees what it made."""

    def __init__(self, spf, dkim, rfc7489, psl, random):
        self.keep = []
        self.own_psl = None
        self.spf = _spf_struct(spf, self.keep)
        self.dkim, self.ndkim = _dkim_array(dkim, self.keep)
        o = L.DmarcOptions()
        o.version = 1
        if rfc7489:
            o.flags = 1
            if isinstance(psl, PublicSuffixList):
                o.psl = psl._handle()
            else:
                self.own_psl = PublicSuffixList(psl)
                o.psl = self.own_psl._handle()
        if random is not None:
            def rnd(arg):
                try:
                    return int(random()) % 100
                except Exception:  # noqa: BLE001 -- cannot raise into C
                    return 0
            cb = L.RANDOM_FN(rnd)
            self.keep.append(cb)
            o.random = cb
        self.opts = o

    def args(self):
        return (byref(self.spf) if self.spf is not None else None,
                self.dkim, self.ndkim, byref(self.opts))

    def close(self):
        if self.own_psl is not None:
            self.own_psl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _header_section(message, from_header):
    if (message is None) == (from_header is None):
        raise TypeError('give either message or from_header')
    if message is not None:
        return message_bytes(message)
    v = message_bytes(from_header)
    # The value may be folded (CRLF followed by white space), and must not
    # end the field.
    lines = v.replace(b'\r\n', b'\n').split(b'\n')
    if any(not ln[:1] in (b' ', b'\t') for ln in lines[1:]) or b'\r' in v \
            .replace(b'\r\n', b''):
        raise MoxError(L.MOX_EINVAL, 'From value has a line break that is '
                       'not folding')
    return b'From:' + (b'' if v[:1] in (b' ', b'\t') else b' ') + \
        b'\r\n'.join(lines) + b'\r\n\r\n'


def evaluate(message=None, *, from_header=None, spf=None, dkim=(),
             resolver=None, rfc7489=False, psl=None, random=None):
    """Discover the DMARC policy of a message's From domain and evaluate it
    against the SPF and DKIM results.

    message      the message (bytes; only the header section is read), or
    from_header  instead, the value of its From field (joined with ","
                 when there are several)
    spf          an spf.SpfResult, an SpfInput, a (result, domain[, helo])
                 tuple, or None (SPF did not run)
    dkim         dkim.DkimResult or DkimInput objects or (result, domain[,
                 selector]) tuples, one per signature
    resolver     a moxmail.Resolver; None: a system resolver for this call
    rfc7489      RFC 7489 mode: _dmarc.<From domain>, then the
                 organizational domain from the Public Suffix List; pct=
                 honoured
    psl          RFC 7489 mode: a PublicSuffixList (share one), a path, or
                 None for Debian's list (loaded for this call)
    random       RFC 7489 pct= sampling: a function returning 0..99
                 (default the library's RNG)

    Returns a DmarcResult. DNS failures give verdict temperror.
    """
    m = _header_section(message, from_header)
    res = L.DmarcResult()
    res.version = 1
    with _Setup(spf, dkim, rfc7489, psl, random) as st, \
            _TempResolver(resolver) as r:
        h = r._handle()
        r._begin()
        try:
            rc = L.mox_dmarc_check(byref(res), h, m, len(m), *st.args())
        finally:
            errors = r._end()
        check(rc, 'dmarc')
        try:
            return _result(res, errors)
        finally:
            L.mox_dmarc_result_release(byref(res))


async def evaluate_async(message=None, *, from_header=None, spf=None,
                         dkim=(), resolve, rfc7489=False, psl=None,
                         random=None):
    """As evaluate(), with DNS from an async function
    `async def resolve(qname: str, qtype: int) -> Answer` (TXT for _dmarc
    names, A for the existence check of the From domain). A resolve() that
    raises is a DNS failure (temperror)."""
    e = c_void_p()
    errors = []
    with _Setup(spf, dkim, rfc7489, psl, random) as st:
        if message is not None and from_header is None:
            m = message_bytes(message)
            check(L.mox_dmarc_eval_new_msg(byref(e), m, len(m), *st.args()),
                  'dmarc')
        elif from_header is not None and message is None:
            f = message_bytes(from_header)
            check(L.mox_dmarc_eval_new(byref(e), f, len(f), *st.args()),
                  'dmarc')
        else:
            raise TypeError('give either message or from_header')
        try:
            q = L.DmarcQuestion()
            while True:
                s = check(L.mox_dmarc_eval_step(e, byref(q)), 'dmarc step')
                if s == 0:
                    break
                a = await resolve_to_c(
                    resolve, q.name.decode('ascii', 'surrogateescape'),
                    q.type, errors)
                try:
                    check(L.mox_dmarc_eval_answer(e, a), 'dmarc answer')
                finally:
                    L.mox_dns_answer_free(a)
            res = L.DmarcResult()
            res.version = 1
            check(L.mox_dmarc_eval_result(e, byref(res)), 'dmarc result')
            try:
                return _result(res, errors)
            finally:
                L.mox_dmarc_result_release(byref(res))
        finally:
            L.mox_dmarc_eval_free(e)


# --- records ---

@dataclass(frozen=True)
class Record:
    """A parsed DMARC record (str(record) is its canonical text).

    p, sp, np          'none' 'quarantine' 'reject', None when absent or
                       invalid
    policy_effective   the domain policy after RFC 9989's rules
    policy_fallback    an invalid p/sp/np with a valid rua= (acts p=none)
    psd                'y', 'n' or None
    testing            t=y
    adkim, aspf        'relaxed' or 'strict'
    fo, rua, ruf       as written (rua/ruf as tuples of URIs)
    pct, rf, ri        RFC 7489 tags (100, 'afrf', 86400 when absent)
    """
    p: Optional[str]
    sp: Optional[str]
    np: Optional[str]
    policy_effective: Optional[str]
    policy_fallback: bool
    psd: Optional[str]
    testing: bool
    adkim: str
    aspf: str
    fo: str
    rua: Tuple[str, ...]
    ruf: Tuple[str, ...]
    pct: int
    rf: Optional[str]
    ri: int
    text: str

    @classmethod
    def parse(cls, record):
        """Parse record text ("v=DMARC1; p=reject; ..."). Raises MoxError:
        MOX_ENOTFOUND when the text is not a DMARC record, MOX_ESYNTAX
        when it is one that is not usable."""
        b = message_bytes(record)
        h = c_void_p()
        err = c_char_p()
        rc = L.mox_dmarc_record_parse(byref(h), b, len(b), byref(err))
        if rc < 0:
            raise MoxError(rc, text(err.value))
        try:
            i = L.mox_dmarc_record_view(h).contents
            return cls(
                p=_policy(i.p), sp=_policy(i.sp), np=_policy(i.np),
                policy_effective=_policy(i.policy_effective),
                policy_fallback=bool(i.policy_fallback),
                psd=_PSD[i.psd] if 0 <= i.psd < 3 else None,
                testing=bool(i.testing),
                adkim=_ALIGN[i.adkim] if 0 <= i.adkim < 2 else str(i.adkim),
                aspf=_ALIGN[i.aspf] if 0 <= i.aspf < 2 else str(i.aspf),
                fo=text(i.fo) or '0',
                rua=tuple(text(i.rua[k]) for k in range(i.nrua)),
                ruf=tuple(text(i.ruf[k]) for k in range(i.nruf)),
                pct=i.pct, rf=text(i.rf), ri=i.ri,
                text=L.fmt(L.mox_dmarc_record_format, h))
        finally:
            L.mox_dmarc_record_free(h)

    def format(self):
        return self.text

    def __str__(self):
        return self.text


def parse_record(record):
    """Record.parse(record)."""
    return Record.parse(record)
