// SPDX-License-Identifier: MIT
//! Sender Policy Framework (RFC 7208, `<mox/spf.h>`): check_host() as one
//! blocking call ([`check`]) or a resumable evaluator ([`SpfEval`]),
//! record parsing and formatting ([`Record`]), Received-SPF and
//! Authentication-Results text.
//!
//! Threads (spf.h): an [`SpfEval`] is used by one thread at a time (`Send`,
//! not `Sync`); a parsed [`Record`] is immutable (`Send + Sync`); [`check`]
//! is thread-safe over a shared [`Resolver`].

use std::ffi::CString;
use std::fmt;
use std::net::IpAddr;
use std::os::raw::c_int;
use std::ptr::{self, NonNull};
use std::str::FromStr;

pub use crate::dns::Question;
use crate::dns::{Answer, Resolver};
use crate::error::{check as check_rc, status, MoxError, Result};
use crate::ffi;
use crate::util::{self, opt_cstring, opt_ptr};

/// Results of check_host() (RFC 7208 2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Verdict {
    None = 0,
    Neutral = 1,
    Pass = 2,
    Fail = 3,
    SoftFail = 4,
    TempError = 5,
    PermError = 6,
}

impl Verdict {
    pub(crate) fn from_raw(v: c_int) -> Result<Verdict> {
        Ok(match v {
            0 => Verdict::None,
            1 => Verdict::Neutral,
            2 => Verdict::Pass,
            3 => Verdict::Fail,
            4 => Verdict::SoftFail,
            5 => Verdict::TempError,
            6 => Verdict::PermError,
            _ => return Err(MoxError::with_detail(status::ERANGE, format!("SPF verdict {v}"))),
        })
    }

    /// Lowercase name ("pass", "softfail", ...), from the library.
    pub fn name(self) -> &'static str {
        // SAFETY: static string, never NULL.
        let p = unsafe { ffi::mox_spf_verdict_name(self as c_int) };
        // SAFETY: static NUL-terminated ASCII.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap_or("unknown")
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Verdict {
    type Err = MoxError;

    /// Parse a verdict name, ignoring case.
    fn from_str(s: &str) -> Result<Verdict> {
        let c = util::cstring("verdict", s)?;
        // SAFETY: valid string.
        let v = unsafe { ffi::mox_spf_verdict_parse(c.as_ptr()) };
        if v < 0 {
            return Err(MoxError::with_detail(v, format!("SPF verdict \"{s}\"")));
        }
        Verdict::from_raw(v)
    }
}

/// Which identity is checked (RFC 7208 2.3, 2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Identity {
    /// The MAIL FROM address; for the null reverse-path postmaster@HELO.
    #[default]
    MailFrom = 0,
    /// The HELO/EHLO name.
    Helo = 1,
}

impl Identity {
    fn from_raw(v: c_int) -> Identity {
        if v == 1 {
            Identity::Helo
        } else {
            Identity::MailFrom
        }
    }
}

/// Processing limits (RFC 7208 4.6.4). Zero takes the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// DNS-querying terms; RFC: 10.
    pub dns_terms: u32,
    /// Void lookups; RFC: 2.
    pub void_lookups: u32,
    /// MX names per mx mechanism; RFC: 10.
    pub mx_names: u32,
    /// PTR names per ptr mechanism or %{p}; RFC: 10.
    pub ptr_names: u32,
    /// Longest expanded domain name: 253.
    pub max_name: u32,
    /// Longest record text: 4096.
    pub max_record: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { dns_terms: 10, void_lookups: 2, mx_names: 10, ptr_names: 10, max_name: 253, max_record: 4096 }
    }
}

/// An SPF check: who connected and who they claim to be
/// (`mox_spf_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Which identity to check.
    pub identity: Identity,
    /// The SMTP client's address.
    pub ip: IpAddr,
    /// MAIL FROM, "localpart@domain" (UTF-8 allowed); None or "" for the
    /// null reverse-path.
    pub sender: Option<String>,
    /// The HELO/EHLO name.
    pub helo: Option<String>,
    /// The receiving host's name, for %{r} and Received-SPF; None:
    /// "unknown" and left out.
    pub receiver: Option<String>,
    /// Current time for %{t}, seconds since the epoch; 0: now.
    pub now: i64,
    /// Processing limits.
    pub limits: Limits,
    /// Whether to expand the explanation (exp=) of a fail result.
    pub explanation: bool,
}

impl Request {
    /// A MAIL FROM check (sender "" is the null reverse-path).
    pub fn mail_from(ip: IpAddr, sender: &str, helo: &str) -> Request {
        Request {
            identity: Identity::MailFrom,
            ip,
            sender: Some(sender.to_string()),
            helo: Some(helo.to_string()),
            receiver: None,
            now: 0,
            limits: Limits::default(),
            explanation: true,
        }
    }

    /// A HELO check.
    pub fn helo(ip: IpAddr, helo: &str) -> Request {
        Request { identity: Identity::Helo, sender: None, ..Request::mail_from(ip, "", helo) }
    }

    /// Set the receiving host's name.
    pub fn with_receiver(mut self, receiver: &str) -> Request {
        self.receiver = Some(receiver.to_string());
        self
    }

    /// Set the clock for %{t}.
    pub fn with_now(mut self, now: i64) -> Request {
        self.now = now;
        self
    }
}

/// A request in C form, with the strings it points to.
struct RawRequest {
    req: ffi::mox_spf_request,
    _strings: [Option<CString>; 3],
}

// SAFETY: the pointers in req point into the CStrings owned alongside, which
// nothing mutates.
unsafe impl Send for RawRequest {}

impl RawRequest {
    fn new(r: &Request) -> Result<RawRequest> {
        let sender = opt_cstring("sender", r.sender.as_deref())?;
        let helo = opt_cstring("helo", r.helo.as_deref())?;
        let receiver = opt_cstring("receiver", r.receiver.as_deref())?;
        let req = ffi::mox_spf_request {
            version: ffi::MOX_SPF_REQUEST_VERSION,
            identity: r.identity as c_int,
            ip: util::to_mox_ip(r.ip),
            sender: opt_ptr(&sender),
            helo: opt_ptr(&helo),
            receiver: opt_ptr(&receiver),
            now: r.now,
            limits: ffi::mox_spf_limits {
                dns_terms: r.limits.dns_terms,
                void_lookups: r.limits.void_lookups,
                mx_names: r.limits.mx_names,
                ptr_names: r.limits.ptr_names,
                max_name: r.limits.max_name,
                max_record: r.limits.max_record,
            },
            explanation: r.explanation,
        };
        Ok(RawRequest { req, _strings: [sender, helo, receiver] })
    }
}

/// The result of check_host(), with the header texts made from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfResult {
    /// The verdict.
    pub verdict: Verdict,
    /// The identity checked.
    pub identity: Identity,
    /// The domain check_host() started at (lowercase A-labels), "" when
    /// there was none.
    pub domain: String,
    /// The identity as checked ("user@example.com",
    /// "postmaster@helo.example").
    pub checked: String,
    /// The term that decided, as written ("-all", "ip4:192.0.2.0/24").
    pub mechanism: Option<String>,
    /// The domain of the record holding the mechanism.
    pub mechanism_domain: Option<String>,
    /// For fail: the expanded explanation (exp=).
    pub explanation: Option<String>,
    /// For none, temperror and permerror: why.
    pub reason: Option<String>,
    /// Every DNS answer used was DNSSEC authentic.
    pub authentic: bool,
    /// DNS-querying terms counted.
    pub dns_terms: u32,
    /// Void lookups counted.
    pub void_lookups: u32,
    /// DNS queries made.
    pub queries: u32,
    /// The value of a Received-SPF header field (RFC 7208 9.1), without
    /// the field name and line end (`mox_spf_received`, with the request's
    /// receiver).
    pub received_spf: String,
    /// The spf resinfo of an Authentication-Results field ("spf=pass
    /// smtp.mailfrom=...", `mox_spf_authres`).
    pub authres: String,
}

impl SpfResult {
    /// Convert, then release, a C result.
    fn take(res: &mut ffi::mox_spf_result, req: &ffi::mox_spf_request) -> Result<SpfResult> {
        // SAFETY: res holds valid (or NULL) strings until released below.
        let out = unsafe {
            Verdict::from_raw(res.verdict).map(|verdict| SpfResult {
                verdict,
                identity: Identity::from_raw(res.identity),
                domain: util::string(res.domain),
                checked: util::string(res.checked),
                mechanism: util::opt_string(res.mechanism),
                mechanism_domain: util::opt_string(res.mechanism_domain),
                explanation: util::opt_string(res.explanation),
                reason: util::opt_string(res.reason),
                authentic: res.authentic,
                dns_terms: res.dns_terms,
                void_lookups: res.void_lookups,
                queries: res.queries,
                received_spf: util::format_with(|b, c| ffi::mox_spf_received(b, c, res, req, req.receiver)),
                authres: util::format_with(|b, c| ffi::mox_spf_authres(b, c, res, req)),
            })
        };
        // SAFETY: releases what the library allocated into res.
        unsafe { ffi::mox_spf_result_release(res) };
        out
    }
}

fn result_init() -> ffi::mox_spf_result {
    ffi::mox_spf_result {
        version: ffi::MOX_SPF_RESULT_VERSION,
        verdict: 0,
        identity: 0,
        domain: ptr::null(),
        checked: ptr::null(),
        mechanism: ptr::null(),
        mechanism_domain: ptr::null(),
        explanation: ptr::null(),
        reason: ptr::null(),
        authentic: false,
        dns_terms: 0,
        void_lookups: 0,
        queries: 0,
        owned_: ptr::null_mut(),
    }
}

/// check_host() in one blocking call over a resolver. A DNS failure is
/// verdict temperror, a broken record permerror; an error means the call
/// itself failed (bad request, out of memory).
pub fn check(resolver: &Resolver, req: &Request) -> Result<SpfResult> {
    let raw = RawRequest::new(req)?;
    let mut res = result_init();
    // SAFETY: valid resolver (thread-safe lookups), request and result.
    let rc = unsafe { ffi::mox_spf_check(&mut res, resolver.as_ptr(), &raw.req) };
    if rc < 0 {
        // SAFETY: release is safe on an initialized result.
        unsafe { ffi::mox_spf_result_release(&mut res) };
        return Err(MoxError::new(rc));
    }
    SpfResult::take(&mut res, &raw.req)
}

/// A resumable, sans-I/O check_host() evaluation (`mox_spf_eval`): it
/// hands out DNS questions and takes their answers, so any event loop or
/// async runtime can do the lookups.
///
/// ```no_run
/// # use moxmail::{spf, Answer, Resolver};
/// # fn lookup(name: &str, t: u16) -> Answer { unimplemented!() }
/// let req = spf::Request::mail_from("192.0.2.1".parse().unwrap(), "a@example.org", "mx.example.org");
/// let mut ev = spf::SpfEval::new(&req)?;
/// while let Some(q) = ev.step()? {
///     let ans = lookup(&q.name, q.rtype); // an async lookup would .await here
///     ev.answer(Some(&ans))?;
/// }
/// println!("{}", ev.result()?.verdict);
/// # Ok::<(), moxmail::MoxError>(())
/// ```
pub struct SpfEval {
    raw: NonNull<ffi::mox_spf_eval>,
    req: RawRequest,
}

// SAFETY: spf.h: an evaluator is used by one thread at a time; it may move
// between threads (no thread-local state). Not Sync: every call takes
// &mut self or reads state a concurrent step would change.
unsafe impl Send for SpfEval {}

impl Drop for SpfEval {
    fn drop(&mut self) {
        // SAFETY: we own the evaluator.
        unsafe { ffi::mox_spf_eval_free(self.raw.as_ptr()) }
    }
}

impl SpfEval {
    /// Start an evaluation; nothing is looked up yet.
    pub fn new(req: &Request) -> Result<SpfEval> {
        let raw = RawRequest::new(req)?;
        let mut p = ptr::null_mut();
        // SAFETY: valid request (copied by the library).
        check_rc(unsafe { ffi::mox_spf_eval_new(&mut p, &raw.req) })?;
        let raw_eval = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(SpfEval { raw: raw_eval, req: raw })
    }

    /// Advance until a DNS question is needed (`Some`) or the evaluation
    /// is done (`None`: read [`SpfEval::result`]).
    pub fn step(&mut self) -> Result<Option<Question>> {
        let mut q = ffi::mox_spf_question { name: ptr::null(), type_: 0 };
        // SAFETY: valid evaluator (exclusive).
        let rc = check_rc(unsafe { ffi::mox_spf_eval_step(self.raw.as_ptr(), &mut q) })?;
        if rc == 0 {
            return Ok(None);
        }
        // SAFETY: the question's name is valid until the next call.
        Ok(Some(Question { name: unsafe { util::string(q.name) }, rtype: q.type_ }))
    }

    /// The answer to the last question; None when the lookup failed
    /// without one (a DNS error). The answer is only read.
    pub fn answer(&mut self, ans: Option<&Answer>) -> Result<()> {
        let p = ans.map_or(ptr::null(), |a| a.as_ptr());
        // SAFETY: valid evaluator (exclusive) and answer (borrowed).
        check_rc(unsafe { ffi::mox_spf_eval_answer(self.raw.as_ptr(), p) })?;
        Ok(())
    }

    /// The result, once [`SpfEval::step`] returned None.
    pub fn result(&self) -> Result<SpfResult> {
        let mut res = result_init();
        // SAFETY: valid evaluator and result.
        let rc = unsafe { ffi::mox_spf_eval_result(self.raw.as_ptr(), &mut res) };
        if rc < 0 {
            // SAFETY: release is safe on an initialized result.
            unsafe { ffi::mox_spf_result_release(&mut res) };
            return Err(MoxError::new(rc));
        }
        SpfResult::take(&mut res, &self.req.req)
    }
}

// --- records ---

/// Kinds of terms (RFC 7208 5 and 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TermKind {
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
    /// Modifier redirect=.
    Redirect,
    /// Modifier exp=.
    Exp,
    /// Another modifier name=value (ignored by evaluation).
    UnknownModifier,
}

impl TermKind {
    fn from_raw(v: c_int) -> TermKind {
        match v {
            1 => TermKind::All,
            2 => TermKind::Include,
            3 => TermKind::A,
            4 => TermKind::Mx,
            5 => TermKind::Ptr,
            6 => TermKind::Ip4,
            7 => TermKind::Ip6,
            8 => TermKind::Exists,
            9 => TermKind::Redirect,
            10 => TermKind::Exp,
            _ => TermKind::UnknownModifier,
        }
    }
}

/// One term of a parsed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The kind.
    pub kind: TermKind,
    /// Mechanisms: '+', '-', '~' or '?' ('+' when written without);
    /// None for modifiers.
    pub qualifier: Option<char>,
    /// Whether the qualifier was written.
    pub explicit_qualifier: bool,
    /// domain-spec of include, a, mx, ptr, exists, redirect, exp; the value
    /// of an unknown modifier.
    pub domain_spec: Option<String>,
    /// Name of an unknown modifier.
    pub name: Option<String>,
    /// ip4/ip6: the address as written.
    pub ip: Option<IpAddr>,
    /// CIDR lengths (32 and 128 when absent).
    pub cidr4: u32,
    /// IPv6 CIDR length.
    pub cidr6: u32,
    /// Offset of the term in the record text.
    pub offset: usize,
    /// The term as it appears in a record ("-ip4:192.0.2.0/24").
    pub text: String,
}

/// A parsed SPF record (`mox_spf_record`); immutable, `Send + Sync`.
pub struct Record {
    raw: NonNull<ffi::mox_spf_record>,
}

// SAFETY: spf.h: a parsed record is immutable and may be read by any number
// of threads at once.
unsafe impl Send for Record {}
unsafe impl Sync for Record {}

impl Drop for Record {
    fn drop(&mut self) {
        // SAFETY: we own the record.
        unsafe { ffi::mox_spf_record_free(self.raw.as_ptr()) }
    }
}

impl Record {
    /// Parse a record ("v=spf1 ..."). Errors: `MOX_ENOTFOUND` when the text
    /// is not an SPF record, `MOX_ESYNTAX` (the message names the problem
    /// and its offset), `MOX_ENUL`, `MOX_ETOOLONG`.
    pub fn parse(text: impl AsRef<[u8]>) -> Result<Record> {
        let text = text.as_ref();
        let mut p = ptr::null_mut();
        let mut off = 0usize;
        let mut err: *const std::os::raw::c_char = ptr::null();
        // SAFETY: valid buffers and out pointers.
        let rc = unsafe { ffi::mox_spf_record_parse(&mut p, text.as_ptr(), text.len(), &mut off, &mut err) };
        if rc < 0 {
            let detail = if rc == status::ESYNTAX || rc == status::ENUL {
                // SAFETY: err is NULL or a static string.
                let what = unsafe { util::opt_string(err) }.unwrap_or_else(|| "bad term".to_string());
                format!("{what} at offset {off}")
            } else {
                String::new()
            };
            return Err(MoxError::with_detail(rc, detail));
        }
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(Record { raw })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        // SAFETY: valid record.
        unsafe { ffi::mox_spf_record_count(self.raw.as_ptr()) }
    }

    /// Whether the record has no terms ("v=spf1").
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The terms in record order.
    pub fn terms(&self) -> Vec<Term> {
        (0..self.len())
            .filter_map(|i| {
                // SAFETY: valid record, index in range; the term is
                // borrowed from the record and copied.
                let t = unsafe { ffi::mox_spf_record_term(self.raw.as_ptr(), i).as_ref() }?;
                let is_mech = !matches!(t.kind, 9..=11);
                Some(Term {
                    kind: TermKind::from_raw(t.kind),
                    qualifier: if is_mech { char::from_u32(t.qualifier as u32) } else { None },
                    explicit_qualifier: t.explicit_qualifier,
                    // SAFETY: NULL or valid strings of the record.
                    domain_spec: unsafe { util::opt_string(t.domain_spec) },
                    name: unsafe { util::opt_string(t.name) },
                    ip: if matches!(t.kind, 6 | 7) { util::from_mox_ip(&t.ip) } else { None },
                    cidr4: t.cidr4,
                    cidr6: t.cidr6,
                    offset: t.offset,
                    // SAFETY: valid term.
                    text: util::format_with(|b, c| unsafe { ffi::mox_spf_term_format(b, c, t) }),
                })
            })
            .collect()
    }

    /// The record in canonical form ("v=spf1 ip4:192.0.2.0/24 -all");
    /// parsing it gives the same record.
    pub fn format(&self) -> String {
        // SAFETY: valid record.
        util::format_with(|b, c| unsafe { ffi::mox_spf_record_format(b, c, self.raw.as_ptr()) })
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spf::Record({:?})", self.format())
    }
}
