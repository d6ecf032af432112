// SPDX-License-Identifier: MIT
//! The mox DNS resolver (`<mox/dns.h>`): libunbound, in-memory and custom
//! backends, and DNS answers.
//!
//! Threads (dns.h): [`Resolver::lookup`] may run on any number of threads
//! at once on one resolver, so [`Resolver`] is `Send + Sync` and the
//! blocking SPF, DKIM and DMARC checks take `&Resolver`. Loading zone
//! text, adding records, setting the timeout or the log callback must not
//! run concurrently with questions: those take `&mut Resolver`. A custom
//! backend may be asked from several threads at once, hence
//! `Backend: Send + Sync`. An [`Answer`] is immutable once built and is
//! `Send + Sync`.

use std::ffi::CStr;
use std::fmt;
use std::net::IpAddr;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::time::Duration;

use crate::error::{check, status, MoxError, Result};
use crate::ffi;
use crate::util::{self, cstring, opt_cstring, opt_ptr, CStrList};

/// Record type numbers with decoded fields in [`Record`] (any other 16-bit
/// type may be asked for; its rdata is given raw).
pub mod rtype {
    #![allow(missing_docs)]
    pub const A: u16 = 1;
    pub const NS: u16 = 2;
    pub const CNAME: u16 = 5;
    pub const SOA: u16 = 6;
    pub const PTR: u16 = 12;
    pub const MX: u16 = 15;
    pub const TXT: u16 = 16;
    pub const AAAA: u16 = 28;
    pub const SRV: u16 = 33;
    pub const DS: u16 = 43;
    pub const SSHFP: u16 = 44;
    pub const RRSIG: u16 = 46;
    pub const NSEC: u16 = 47;
    pub const DNSKEY: u16 = 48;
    pub const TLSA: u16 = 52;
    pub const SPF: u16 = 99;
    pub const CAA: u16 = 257;
}

/// Mnemonic of a record type ("TXT"), None for a type without one.
pub fn type_name(rtype: u16) -> Option<String> {
    // SAFETY: static string or NULL.
    unsafe { util::opt_string(ffi::mox_dns_type_name(rtype)) }
}

/// Parse a type mnemonic or "TYPEnn" (case ignored).
pub fn type_parse(name: &str) -> Result<u16> {
    let c = cstring("type name", name)?;
    let mut out = 0u16;
    // SAFETY: valid string and out pointer.
    check(unsafe { ffi::mox_dns_type_parse(&mut out, c.as_ptr()) })?;
    Ok(out)
}

/// Outcome of a question (`mox_dns_result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DnsResult {
    /// NOERROR with at least one record.
    Ok = 0,
    /// The name exists, no records of the type.
    NoData = 1,
    /// The name (or the end of its CNAME chain) does not exist.
    NxDomain = 2,
    /// Server failure, or a malformed response.
    ServFail = 3,
    /// No answer within the resolver's timeout.
    Timeout = 4,
    /// DNSSEC validation failed; no data is given.
    Bogus = 5,
    /// Another rcode (REFUSED, FORMERR, ...).
    Error = 6,
}

impl DnsResult {
    fn from_raw(v: c_int) -> DnsResult {
        match v {
            0 => DnsResult::Ok,
            1 => DnsResult::NoData,
            2 => DnsResult::NxDomain,
            3 => DnsResult::ServFail,
            4 => DnsResult::Timeout,
            5 => DnsResult::Bogus,
            _ => DnsResult::Error,
        }
    }

    /// "ok", "nodata", "nxdomain", "servfail", "timeout", "bogus", "error".
    pub fn name(self) -> &'static str {
        match self {
            DnsResult::Ok => "ok",
            DnsResult::NoData => "nodata",
            DnsResult::NxDomain => "nxdomain",
            DnsResult::ServFail => "servfail",
            DnsResult::Timeout => "timeout",
            DnsResult::Bogus => "bogus",
            DnsResult::Error => "error",
        }
    }

    /// The rcode an answer with this result normally has.
    pub fn default_rcode(self) -> i32 {
        match self {
            DnsResult::Ok | DnsResult::NoData => 0,
            DnsResult::NxDomain => 3,
            DnsResult::ServFail | DnsResult::Timeout | DnsResult::Bogus => 2,
            DnsResult::Error => 5,
        }
    }
}

impl fmt::Display for DnsResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Log levels of the resolver's log callback, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum LogLevel {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
    Trace = 4,
    TraceAuth = 5,
    TraceData = 6,
}

impl LogLevel {
    fn from_raw(v: c_int) -> LogLevel {
        match v {
            i32::MIN..=0 => LogLevel::Error,
            1 => LogLevel::Warn,
            2 => LogLevel::Info,
            3 => LogLevel::Debug,
            4 => LogLevel::Trace,
            5 => LogLevel::TraceAuth,
            _ => LogLevel::TraceData,
        }
    }
}

/// A DNS question of an evaluator (SPF or DMARC): look up `name` of type
/// `rtype` and give the answer back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// ASCII name, no trailing dot (SPF: octets a macro expansion put in
    /// are RFC 1035 \DDD escapes).
    pub name: String,
    /// Record type.
    pub rtype: u16,
}

// --- answers ---

/// TLSA fields of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlsa {
    /// Certificate usage.
    pub usage: u8,
    /// Selector.
    pub selector: u8,
    /// Matching type.
    pub mtype: u8,
    /// Certificate association data.
    pub data: Vec<u8>,
}

/// One resource record of an answer, copied out of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Owner name, presentation form without trailing dot.
    pub name: String,
    /// Record type.
    pub rtype: u16,
    /// Class, 1 (IN).
    pub class: u16,
    /// Time to live in seconds.
    pub ttl: u32,
    /// Uncompressed wire-format rdata.
    pub rdata: Vec<u8>,
    /// A, AAAA: the address.
    pub ip: Option<IpAddr>,
    /// CNAME, NS, PTR target; MX exchange; SRV target; SOA mname.
    pub target: Option<String>,
    /// MX preference; SRV priority.
    pub preference: u16,
    /// SRV weight.
    pub weight: u16,
    /// SRV port.
    pub port: u16,
    /// TXT, SPF: the character-strings joined (may hold any octet).
    pub text: Option<Vec<u8>>,
    /// TXT, SPF: each character-string.
    pub strings: Vec<Vec<u8>>,
    /// TLSA fields.
    pub tlsa: Option<Tlsa>,
    /// The record as a master file line ("name. TTL IN TYPE rdata").
    pub line: String,
}

/// A DNS answer (`mox_dns_answer`): the outcome of one question, its
/// records of the asked type at the end of the CNAME chain, the chain and
/// the DNSSEC bit. Owned; immutable once built (`Send + Sync`).
///
/// Answers come from [`Resolver::lookup`], or are built with
/// [`Answer::new`] and the `add_*` methods or [`Answer::from_wire`] to hand
/// to an evaluator or to return from a custom backend.
pub struct Answer {
    raw: NonNull<ffi::mox_dns_answer>,
}

// SAFETY: dns.h: "A mox_dns_answer is immutable and may be read from any
// thread"; mutation (the add methods) takes &mut self.
unsafe impl Send for Answer {}
unsafe impl Sync for Answer {}

impl Drop for Answer {
    fn drop(&mut self) {
        // SAFETY: we own the answer.
        unsafe { ffi::mox_dns_answer_free(self.raw.as_ptr()) }
    }
}

impl Answer {
    /// # Safety
    /// p is NULL or an answer the caller owns.
    pub(crate) unsafe fn from_raw(p: *mut ffi::mox_dns_answer) -> Option<Answer> {
        NonNull::new(p).map(|raw| Answer { raw })
    }

    pub(crate) fn as_ptr(&self) -> *const ffi::mox_dns_answer {
        self.raw.as_ptr()
    }

    pub(crate) fn into_raw(self) -> *mut ffi::mox_dns_answer {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }

    /// A new answer to build, for a custom backend or an evaluator: the
    /// rcode is the usual one for result (0, 3 for NXDOMAIN, 2 for
    /// SERVFAIL, timeout and bogus, 5 for error). An `Ok` answer without
    /// records becomes NODATA.
    pub fn new(qname: &str, qtype: u16, result: DnsResult) -> Result<Answer> {
        Answer::with_rcode(qname, qtype, result, result.default_rcode())
    }

    /// As [`Answer::new`] with an explicit DNS rcode.
    pub fn with_rcode(qname: &str, qtype: u16, result: DnsResult, rcode: i32) -> Result<Answer> {
        let q = cstring("qname", qname)?;
        let mut p = ptr::null_mut();
        // SAFETY: valid pointers.
        let rc = unsafe { ffi::mox_dns_answer_new(&mut p, q.as_ptr(), qtype, result as c_int, rcode) };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, format!("answer for \"{qname}\"")));
        }
        // SAFETY: MOX_OK gives an answer we own.
        unsafe { Answer::from_raw(p) }.ok_or_else(|| MoxError::new(status::ENOMEM))
    }

    /// Make an answer from a DNS response message in wire format (RFC
    /// 1035 section 4), following its CNAME chain: for an async
    /// application that talks to a DNS server itself.
    pub fn from_wire(msg: &[u8], secure: bool) -> Result<Answer> {
        let mut p = ptr::null_mut();
        // SAFETY: valid buffer.
        check(unsafe { ffi::mox_dns_answer_from_wire(&mut p, msg.as_ptr(), msg.len(), secure) })?;
        // SAFETY: MOX_OK gives an answer we own.
        unsafe { Answer::from_raw(p) }.ok_or_else(|| MoxError::new(status::ENOMEM))
    }

    /// Add a record with wire-format rdata. A CNAME record for a question
    /// of another type is a step of the CNAME chain.
    pub fn add_record(&mut self, owner: &str, rtype: u16, ttl: u32, rdata: &[u8]) -> Result<()> {
        let o = cstring("owner", owner)?;
        // SAFETY: valid answer and buffers.
        let rc =
            unsafe { ffi::mox_dns_answer_add(self.raw.as_ptr(), o.as_ptr(), rtype, ttl, rdata.as_ptr(), rdata.len()) };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, format!("record {owner} type {rtype}")));
        }
        Ok(())
    }

    /// Add a TXT record holding text (split into character-strings of at
    /// most 255 octets).
    pub fn add_txt(&mut self, owner: &str, ttl: u32, text: &[u8]) -> Result<()> {
        self.add_record(owner, rtype::TXT, ttl, &txt_rdata(text))
    }

    /// Add an A or AAAA record (by the address family).
    pub fn add_ip(&mut self, owner: &str, ttl: u32, ip: IpAddr) -> Result<()> {
        match ip {
            IpAddr::V4(a) => self.add_record(owner, rtype::A, ttl, &a.octets()),
            IpAddr::V6(a) => self.add_record(owner, rtype::AAAA, ttl, &a.octets()),
        }
    }

    /// Add a record whose rdata is one domain name: CNAME, NS or PTR.
    pub fn add_name(&mut self, owner: &str, rtype: u16, ttl: u32, target: &str) -> Result<()> {
        self.add_record(owner, rtype, ttl, &name_wire(target)?)
    }

    /// Add an MX record.
    pub fn add_mx(&mut self, owner: &str, ttl: u32, preference: u16, exchange: &str) -> Result<()> {
        let mut rdata = preference.to_be_bytes().to_vec();
        rdata.extend_from_slice(&name_wire(exchange)?);
        self.add_record(owner, rtype::MX, ttl, &rdata)
    }

    /// Set the DNSSEC authentic bit.
    pub fn set_secure(&mut self, secure: bool) {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_set_secure(self.raw.as_ptr(), secure) }
    }

    /// The outcome.
    pub fn result(&self) -> DnsResult {
        // SAFETY: valid answer.
        DnsResult::from_raw(unsafe { ffi::mox_dns_answer_result(self.as_ptr()) })
    }

    /// The DNS rcode (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...).
    pub fn rcode(&self) -> i32 {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_rcode(self.as_ptr()) }
    }

    /// Whether the answer was DNSSEC-validated.
    pub fn secure(&self) -> bool {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_secure(self.as_ptr()) }
    }

    /// Why validation failed, for a bogus answer.
    pub fn why_bogus(&self) -> Option<String> {
        // SAFETY: valid answer; borrowed string copied.
        unsafe { util::opt_string(ffi::mox_dns_answer_why_bogus(self.as_ptr())) }
    }

    /// The question's name (trailing dot removed).
    pub fn qname(&self) -> String {
        // SAFETY: valid answer; borrowed string copied.
        unsafe { util::string(ffi::mox_dns_answer_qname(self.as_ptr())) }
    }

    /// The question's type.
    pub fn qtype(&self) -> u16 {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_qtype(self.as_ptr()) }
    }

    /// The name at the end of the CNAME chain (the qname without one).
    pub fn canonname(&self) -> String {
        // SAFETY: valid answer; borrowed string copied.
        unsafe { util::string(ffi::mox_dns_answer_canonname(self.as_ptr())) }
    }

    /// Targets of the CNAMEs followed, in order from the qname.
    pub fn cnames(&self) -> Vec<String> {
        // SAFETY: valid answer; indexes in range; strings copied.
        unsafe {
            let n = ffi::mox_dns_answer_cname_count(self.as_ptr());
            (0..n).map(|i| util::string(ffi::mox_dns_answer_cname(self.as_ptr(), i))).collect()
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_count(self.as_ptr()) }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Smallest TTL of the records and CNAMEs, or the negative-caching TTL.
    pub fn ttl(&self) -> u32 {
        // SAFETY: valid answer.
        unsafe { ffi::mox_dns_answer_ttl(self.as_ptr()) }
    }

    /// The records, copied out.
    pub fn records(&self) -> Vec<Record> {
        (0..self.len())
            .filter_map(|i| {
                // SAFETY: index in range; the record is borrowed from the
                // answer, which outlives this call.
                let rr = unsafe { ffi::mox_dns_answer_rr(self.as_ptr(), i) };
                // SAFETY: NULL or a valid record.
                unsafe { rr.as_ref() }.map(|rr| unsafe { record_from(rr) })
            })
            .collect()
    }

    /// The text of each TXT (or SPF) record: its character-strings joined.
    pub fn txt(&self) -> Vec<Vec<u8>> {
        self.records().into_iter().filter_map(|r| r.text).collect()
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("qname", &self.qname())
            .field("qtype", &self.qtype())
            .field("result", &self.result())
            .field("secure", &self.secure())
            .field("records", &self.records().iter().map(|r| r.line.clone()).collect::<Vec<_>>())
            .finish()
    }
}

/// # Safety
/// rr is a valid record of a live answer.
unsafe fn record_from(rr: &ffi::mox_dns_rr) -> Record {
    let bytes = |p: *const u8, n: usize| -> Vec<u8> {
        if p.is_null() || n == 0 {
            Vec::new()
        } else {
            // SAFETY: the library gives n readable octets at p.
            unsafe { std::slice::from_raw_parts(p, n) }.to_vec()
        }
    };
    let is_txt = rr.type_ == rtype::TXT || rr.type_ == rtype::SPF;
    let strings = if rr.strings.is_null() {
        Vec::new()
    } else {
        // SAFETY: nstrings slices at strings.
        unsafe { std::slice::from_raw_parts(rr.strings, rr.nstrings) }.iter().map(|s| bytes(s.ptr, s.len)).collect()
    };
    Record {
        // SAFETY: strings of the record, NULL or valid.
        name: unsafe { util::string(rr.name) },
        rtype: rr.type_,
        class: rr.rclass,
        ttl: rr.ttl,
        rdata: bytes(rr.rdata, rr.rdlen),
        ip: if rr.type_ == rtype::A || rr.type_ == rtype::AAAA { util::from_mox_ip(&rr.ip) } else { None },
        // SAFETY: NULL or valid.
        target: unsafe { util::opt_string(rr.target) },
        preference: rr.preference,
        weight: rr.weight,
        port: rr.port,
        text: if is_txt && !rr.text.is_null() { Some(bytes(rr.text as *const u8, rr.text_len)) } else { None },
        strings,
        tlsa: if rr.type_ == rtype::TLSA {
            Some(Tlsa {
                usage: rr.tlsa_usage,
                selector: rr.tlsa_selector,
                mtype: rr.tlsa_mtype,
                data: bytes(rr.tlsa_data, rr.tlsa_len),
            })
        } else {
            None
        },
        // SAFETY: rr valid during the call.
        line: util::format_with(|buf, cap| unsafe { ffi::mox_dns_rr_format(buf, cap, rr) }),
    }
}

/// TXT rdata: text as character-strings of at most 255 octets.
pub(crate) fn txt_rdata(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 255 + 1);
    if text.is_empty() {
        out.push(0);
    }
    for chunk in text.chunks(255) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    out
}

/// Wire form of a plain (unescaped) domain name.
fn name_wire(name: &str) -> Result<Vec<u8>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut out = Vec::with_capacity(name.len() + 2);
    if !name.is_empty() {
        for label in name.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(MoxError::with_detail(status::EINVAL, format!("bad domain name \"{name}\"")));
            }
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    if out.len() > 255 {
        return Err(MoxError::with_detail(status::ETOOLONG, format!("domain name \"{name}\"")));
    }
    Ok(out)
}

// --- resolver ---

/// Modes of the libunbound backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnboundMode {
    /// Forward to the nameservers of a resolv.conf file.
    #[default]
    ResolvConf = 0,
    /// Forward to [`UnboundOptions::forwarders`].
    Forward = 1,
    /// Full recursion from the root.
    Recurse = 2,
}

/// Options of the libunbound backend (`mox_unbound_options`).
#[derive(Clone, Debug, Default)]
pub struct UnboundOptions {
    /// Where questions go.
    pub mode: UnboundMode,
    /// ResolvConf mode: the file; None for /etc/resolv.conf.
    pub resolv_conf: Option<PathBuf>,
    /// Forward mode: "IP" or "IP@PORT".
    pub forwarders: Vec<String>,
    /// Stub zones, any mode: (zone, "IP@PORT").
    pub stubs: Vec<(String, String)>,
    /// DNSSEC trust anchor file (DS or DNSKEY records in zone format).
    pub trust_anchor_file: Option<PathBuf>,
    /// Trust anchors as DS/DNSKEY record text, one record each.
    pub trust_anchors: Vec<String>,
    /// Timeout of one question; None (or zero) for 10 s.
    pub timeout: Option<Duration>,
    /// Extra libunbound options, "name: value" (unbound.conf(5)).
    pub unbound_options: Vec<String>,
}

impl UnboundOptions {
    /// Options forwarding to the given servers ("IP" or "IP@PORT").
    pub fn forward<S: AsRef<str>>(servers: &[S]) -> UnboundOptions {
        UnboundOptions {
            mode: UnboundMode::Forward,
            forwarders: servers.iter().map(|s| s.as_ref().to_string()).collect(),
            ..UnboundOptions::default()
        }
    }

    /// Options forwarding to the nameservers of a resolv.conf file.
    pub fn resolv_conf(path: impl AsRef<Path>) -> UnboundOptions {
        UnboundOptions { resolv_conf: Some(path.as_ref().to_path_buf()), ..UnboundOptions::default() }
    }
}

/// A custom resolver backend: answers one question at a time, blocking.
/// It may be called from several threads at once (when the resolver is
/// shared), hence `Send + Sync`. Return an [`Answer`] for every DNS
/// outcome (build NXDOMAIN, SERVFAIL or timeout answers with
/// [`Answer::new`]); an `Err` means the resolver failed without a DNS
/// outcome, which the checks treat as a temporary error, except
/// `status::EINVAL` ("the name cannot be asked"), which SPF and DMARC
/// treat as a name without records. A panic is caught at the library
/// boundary and is a failure (`MOX_EDNS`), never an unwind into C.
///
/// Any `Fn(&str, u16) -> Result<Answer> + Send + Sync` closure is a
/// backend.
pub trait Backend: Send + Sync + 'static {
    /// Answer the question for `name` (ASCII presentation form, no
    /// trailing dot) and record type `rtype`.
    fn lookup(&self, name: &str, rtype: u16) -> Result<Answer>;
}

impl<F> Backend for F
where
    F: Fn(&str, u16) -> Result<Answer> + Send + Sync + 'static,
{
    fn lookup(&self, name: &str, rtype: u16) -> Result<Answer> {
        self(name, rtype)
    }
}

struct Custom {
    backend: Box<dyn Backend>,
}

static CUSTOM_OPS: ffi::mox_resolver_ops = ffi::mox_resolver_ops {
    version: ffi::MOX_RESOLVER_OPS_VERSION,
    query: Some(custom_query),
    cancel: None,
    fd: None,
    process: None,
    destroy: Some(custom_destroy),
};

unsafe extern "C" fn custom_query(
    impl_: *mut c_void,
    r: *mut ffi::mox_resolver,
    qid: u64,
    qname: *const c_char,
    qtype: u16,
) -> c_int {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: impl_ is the Custom of Resolver::custom, alive until
        // custom_destroy; qname is a valid string during the call.
        let custom = unsafe { &*(impl_ as *const Custom) };
        let name = unsafe { CStr::from_ptr(qname) }.to_string_lossy();
        custom.backend.lookup(&name, qtype)
    }));
    match outcome {
        Ok(Ok(ans)) => {
            // An answer of another type would fail the evaluator's type
            // check; deliver it as a server failure instead.
            let raw = if ans.qtype() == qtype { ans.into_raw() } else { ptr::null_mut() };
            // SAFETY: r and qid come from the library; it takes the answer.
            unsafe { ffi::mox_resolver_complete(r, qid, raw) };
            status::OK
        }
        Ok(Err(e)) if e.code() < 0 => e.code(),
        _ => status::EDNS,
    }
}

unsafe extern "C" fn custom_destroy(impl_: *mut c_void) {
    if impl_.is_null() {
        return;
    }
    // SAFETY: impl_ is the Box of Resolver::custom, freed once, here.
    let custom = unsafe { Box::from_raw(impl_ as *mut Custom) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(custom)));
}

type LogFn = Box<dyn Fn(LogLevel, &str) + Send + Sync>;

unsafe extern "C" fn log_trampoline(arg: *mut c_void, level: c_int, msg: *const c_char) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: arg is the LogFn kept by the resolver while it is set;
        // msg is valid during the call.
        let f = unsafe { &*(arg as *const LogFn) };
        let msg = if msg.is_null() { "".into() } else { unsafe { CStr::from_ptr(msg) }.to_string_lossy() };
        f(LogLevel::from_raw(level), &msg);
    }));
}

/// A DNS resolver (`mox_resolver`): libunbound ([`Resolver::system`],
/// [`Resolver::unbound`]), in memory ([`Resolver::new_static`],
/// [`Resolver::from_zone`]) or custom ([`Resolver::custom`]).
pub struct Resolver {
    raw: NonNull<ffi::mox_resolver>,
    log: Option<Box<LogFn>>,
}

// SAFETY: dns.h: mox_dns_lookup() may be called from any number of threads
// at once on one resolver of the unbound or static backend, and of a custom
// backend without unsynchronized shared state (ours is Send + Sync). Calls
// that must not run concurrently with questions take &mut self. The
// asynchronous calls are not exposed.
unsafe impl Send for Resolver {}
unsafe impl Sync for Resolver {}

impl Drop for Resolver {
    fn drop(&mut self) {
        // SAFETY: we own the resolver; the log closure outlives it.
        unsafe { ffi::mox_resolver_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver").field("raw", &self.raw).finish()
    }
}

impl Resolver {
    fn wrap(rc: c_int, p: *mut ffi::mox_resolver, detail: &str) -> Result<Resolver> {
        if rc < 0 {
            return Err(MoxError::with_detail(rc, detail));
        }
        NonNull::new(p).map(|raw| Resolver { raw, log: None }).ok_or_else(|| MoxError::new(status::ENOMEM))
    }

    pub(crate) fn as_ptr(&self) -> *mut ffi::mox_resolver {
        self.raw.as_ptr()
    }

    /// The system's resolver: libunbound forwarding to the nameservers of
    /// /etc/resolv.conf, no DNSSEC trust anchor, 10 s timeout.
    pub fn system() -> Result<Resolver> {
        Resolver::unbound(&UnboundOptions::default())
    }

    /// A libunbound resolver with options.
    pub fn unbound(opts: &UnboundOptions) -> Result<Resolver> {
        let path = |p: &Option<PathBuf>| -> Result<Option<std::ffi::CString>> {
            p.as_ref()
                .map(|p| {
                    std::ffi::CString::new(p.as_os_str().as_bytes())
                        .map_err(|_| MoxError::with_detail(status::ENUL, "path has a NUL byte"))
                })
                .transpose()
        };
        let resolvconf = path(&opts.resolv_conf)?;
        let anchor_file = path(&opts.trust_anchor_file)?;
        let forwarders = CStrList::new("forwarder", &opts.forwarders)?;
        let stub_strings: Vec<&str> = opts.stubs.iter().flat_map(|(z, s)| [z.as_str(), s.as_str()]).collect();
        let stubs = CStrList::new("stub zone", &stub_strings)?;
        let anchors = CStrList::new("trust anchor", &opts.trust_anchors)?;
        let extra = CStrList::new("unbound option", &opts.unbound_options)?;
        let timeout_ms = opts.timeout.map_or(0, |d| d.as_millis().min(u32::MAX as u128) as u32);
        let o = ffi::mox_unbound_options {
            version: ffi::MOX_UNBOUND_OPTIONS_VERSION,
            mode: opts.mode as c_int,
            resolvconf: opt_ptr(&resolvconf),
            forwarders: forwarders.as_ptr(),
            nforwarders: forwarders.len(),
            stubs: stubs.as_ptr(),
            nstubs: opts.stubs.len(),
            trust_anchor_file: opt_ptr(&anchor_file),
            trust_anchors: anchors.as_ptr(),
            ntrust_anchors: anchors.len(),
            timeout_ms,
            unbound_options: extra.as_ptr(),
            nunbound_options: extra.len(),
        };
        let mut p = ptr::null_mut();
        let mut err = [0 as c_char; 512];
        // SAFETY: every pointer in o is valid for the call.
        let rc = unsafe { ffi::mox_resolver_new_unbound_err(&mut p, &o, err.as_mut_ptr(), err.len()) };
        // SAFETY: the library NUL-terminates errbuf (snprintf contract).
        let detail = unsafe { util::string(err.as_ptr()) };
        Resolver::wrap(rc, p, &detail)
    }

    /// An empty in-memory resolver: every name is NXDOMAIN until records
    /// are added ([`Resolver::load_zone`], [`Resolver::add_record`]).
    pub fn new_static() -> Result<Resolver> {
        let mut p = ptr::null_mut();
        // SAFETY: valid out pointer.
        let rc = unsafe { ffi::mox_resolver_new_static(&mut p) };
        Resolver::wrap(rc, p, "")
    }

    /// An in-memory resolver holding zone text (see
    /// [`Resolver::load_zone`]).
    pub fn from_zone(text: impl AsRef<[u8]>, origin: Option<&str>) -> Result<Resolver> {
        let mut r = Resolver::new_static()?;
        r.load_zone(text, origin)?;
        Ok(r)
    }

    /// A resolver over a custom backend: a [`Backend`] or a closure
    /// `Fn(&str, u16) -> Result<Answer>`.
    pub fn custom<B: Backend>(backend: B) -> Result<Resolver> {
        let state = Box::into_raw(Box::new(Custom { backend: Box::new(backend) }));
        let mut p = ptr::null_mut();
        // SAFETY: CUSTOM_OPS is static; state is freed by custom_destroy
        // from mox_resolver_free(), or here when creation fails.
        let rc = unsafe { ffi::mox_resolver_new_custom(&mut p, &CUSTOM_OPS, state as *mut c_void) };
        if rc < 0 {
            // SAFETY: the library did not take state.
            drop(unsafe { Box::from_raw(state) });
        }
        Resolver::wrap(rc, p, "")
    }

    fn errmsg(&self) -> String {
        // SAFETY: valid resolver; borrowed string copied.
        unsafe { util::string(ffi::mox_resolver_errmsg(self.as_ptr())) }
    }

    /// Load zone text into an in-memory resolver: RFC 1035 master file
    /// syntax ($ORIGIN, $TTL, relative names, parentheses, quoted strings,
    /// `\# len hex`), plus `$NXDOMAIN name`, `$SERVFAIL name`,
    /// `$TIMEOUT name` and `$AUTHENTIC yes|no`. A syntax error is
    /// `MOX_ESYNTAX` with the line in the message; records of earlier
    /// lines stay added.
    pub fn load_zone(&mut self, text: impl AsRef<[u8]>, origin: Option<&str>) -> Result<()> {
        let text = text.as_ref();
        let origin = opt_cstring("origin", origin)?;
        // SAFETY: valid resolver (exclusive), text and origin.
        let rc = unsafe {
            ffi::mox_resolver_static_load(self.as_ptr(), text.as_ptr() as *const c_char, text.len(), opt_ptr(&origin))
        };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, self.errmsg()));
        }
        Ok(())
    }

    /// Load zone text from a file, as [`Resolver::load_zone`].
    pub fn load_zone_file(&mut self, path: impl AsRef<Path>, origin: Option<&str>) -> Result<()> {
        let p = std::ffi::CString::new(path.as_ref().as_os_str().as_bytes())
            .map_err(|_| MoxError::with_detail(status::ENUL, "path has a NUL byte"))?;
        let origin = opt_cstring("origin", origin)?;
        // SAFETY: valid resolver (exclusive) and strings.
        let rc = unsafe { ffi::mox_resolver_static_load_file(self.as_ptr(), p.as_ptr(), opt_ptr(&origin)) };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, self.errmsg()));
        }
        Ok(())
    }

    /// Add one record with wire-format rdata to an in-memory resolver.
    pub fn add_record(&mut self, owner: &str, rtype: u16, ttl: u32, rdata: &[u8], authentic: bool) -> Result<()> {
        let o = cstring("owner", owner)?;
        // SAFETY: valid resolver (exclusive) and buffers.
        let rc = unsafe {
            ffi::mox_resolver_static_add(self.as_ptr(), o.as_ptr(), rtype, ttl, rdata.as_ptr(), rdata.len(), authentic)
        };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, self.errmsg()));
        }
        Ok(())
    }

    /// Force the outcome of every question for a name of an in-memory
    /// resolver (NxDomain, ServFail, Timeout, Bogus, Error), or remove a
    /// forced outcome (Ok).
    pub fn set_result(&mut self, name: &str, result: DnsResult) -> Result<()> {
        let n = cstring("name", name)?;
        // SAFETY: valid resolver (exclusive) and name.
        let rc = unsafe { ffi::mox_resolver_static_set_result(self.as_ptr(), n.as_ptr(), result as c_int) };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, self.errmsg()));
        }
        Ok(())
    }

    /// Set the timeout of one question (zero: the backend's default).
    pub fn set_timeout(&mut self, timeout: Duration) {
        let ms = timeout.as_millis().min(u32::MAX as u128) as u32;
        // SAFETY: valid resolver (exclusive).
        unsafe { ffi::mox_resolver_set_timeout(self.as_ptr(), ms) }
    }

    /// Receive the resolver's log messages of at most `max_level`. The
    /// closure may run on any thread that asks a question; a panic in it
    /// is caught and ignored.
    pub fn set_log<F>(&mut self, max_level: LogLevel, f: F)
    where
        F: Fn(LogLevel, &str) + Send + Sync + 'static,
    {
        let boxed: Box<LogFn> = Box::new(Box::new(f));
        let arg = &*boxed as *const LogFn as *mut c_void;
        // SAFETY: valid resolver (exclusive); the closure is kept in self
        // until replaced (after the library stops using the old one) or
        // until the resolver is freed.
        unsafe { ffi::mox_resolver_set_log(self.as_ptr(), Some(log_trampoline), arg, max_level as c_int) };
        self.log = Some(boxed);
    }

    /// Turn logging off.
    pub fn clear_log(&mut self) {
        // SAFETY: valid resolver (exclusive).
        unsafe { ffi::mox_resolver_set_log(self.as_ptr(), None, ptr::null_mut(), 0) };
        self.log = None;
    }

    /// Ask a question and block for the answer. NXDOMAIN, timeouts etc.
    /// are answers ([`Answer::result`]); an error means no answer could be
    /// made (`MOX_EINVAL` for a name that cannot be asked, `MOX_EDNS`).
    pub fn lookup(&self, name: &str, rtype: u16) -> Result<Answer> {
        let n = cstring("name", name)?;
        let mut p = ptr::null_mut();
        // SAFETY: lookups are thread-safe on a shared resolver (dns.h).
        let rc = unsafe { ffi::mox_dns_lookup(self.as_ptr(), n.as_ptr(), rtype, &mut p) };
        if rc < 0 {
            return Err(MoxError::with_detail(rc, format!("lookup of \"{name}\"")));
        }
        // SAFETY: MOX_OK gives an answer we own.
        unsafe { Answer::from_raw(p) }.ok_or_else(|| MoxError::new(status::ENOMEM))
    }
}
