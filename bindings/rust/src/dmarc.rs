// SPDX-License-Identifier: MIT
//! DMARC (RFC 9989, and RFC 7489 mode with the Public Suffix List,
//! `<mox/dmarc.h>`): policy discovery and evaluation from SPF and DKIM
//! results given as plain data ([`evaluate`], [`evaluate_from`], the
//! resumable [`DmarcEval`]), record parsing ([`Record`]),
//! Authentication-Results text.
//!
//! Threads (dmarc.h): a [`DmarcEval`] is used by one thread at a time
//! (`Send`, not `Sync`); a parsed [`Record`] and a loaded [`Psl`] are
//! immutable (`Send + Sync`, one list may serve any number of
//! evaluations); [`evaluate`] is thread-safe over a shared [`Resolver`].

use std::ffi::CString;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::dkim;
pub use crate::dns::Question;
use crate::dns::{Answer, DnsResult, Resolver};
use crate::error::{check, status, MoxError, Result};
use crate::ffi;
use crate::spf;
use crate::util::{self, cstring, opt_cstring, opt_ptr};

/// DMARC results (RFC 8601 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Verdict {
    None = 0,
    Pass = 1,
    Fail = 2,
    TempError = 3,
    PermError = 4,
}

impl Verdict {
    fn from_raw(v: c_int) -> Result<Verdict> {
        Ok(match v {
            0 => Verdict::None,
            1 => Verdict::Pass,
            2 => Verdict::Fail,
            3 => Verdict::TempError,
            4 => Verdict::PermError,
            _ => return Err(MoxError::with_detail(status::ERANGE, format!("DMARC verdict {v}"))),
        })
    }

    /// RFC 8601 name ("pass"), from the library.
    pub fn name(self) -> &'static str {
        // SAFETY: static string, never NULL.
        let p = unsafe { ffi::mox_dmarc_verdict_name(self as c_int) };
        // SAFETY: static NUL-terminated ASCII.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap_or("unknown")
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Policies (p=, sp=, np=); an absent tag is `Option::None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Policy {
    None = 1,
    Quarantine = 2,
    Reject = 3,
}

impl Policy {
    fn from_raw(v: c_int) -> Option<Policy> {
        match v {
            1 => Some(Policy::None),
            2 => Some(Policy::Quarantine),
            3 => Some(Policy::Reject),
            _ => None,
        }
    }

    /// "none", "quarantine", "reject".
    pub fn name(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Alignment modes (adkim=, aspf=).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Alignment {
    Relaxed,
    Strict,
}

/// psd= (RFC 9989).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Psd {
    /// psd=u or absent.
    Unset,
    /// psd=y.
    Yes,
    /// psd=n.
    No,
}

// --- inputs ---

/// The SPF result as DMARC takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfInput {
    /// The SPF verdict.
    pub result: spf::Verdict,
    /// The domain SPF checked (MAIL FROM domain, or the HELO name for the
    /// null reverse-path); None when SPF did not run.
    pub domain: Option<String>,
    /// Whether domain is the HELO identity.
    pub helo: bool,
}

impl SpfInput {
    /// From an SPF check and its request: the checked domain, HELO when
    /// the request checked HELO or had the null reverse-path.
    pub fn from_check(res: &spf::SpfResult, req: &spf::Request) -> SpfInput {
        let null_sender = req.sender.as_deref().map_or(true, |s| s.is_empty() || s == "<>");
        SpfInput {
            result: res.verdict,
            domain: if res.domain.is_empty() { None } else { Some(res.domain.clone()) },
            helo: req.identity == spf::Identity::Helo || null_sender,
        }
    }
}

/// One DKIM signature's result as DMARC takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimInput {
    /// The verdict.
    pub result: dkim::Verdict,
    /// d= of the signature.
    pub domain: String,
    /// s= (for reports).
    pub selector: Option<String>,
}

impl From<&dkim::DkimResult> for DkimInput {
    fn from(r: &dkim::DkimResult) -> DkimInput {
        DkimInput {
            result: r.verdict,
            domain: r.domain.clone(),
            selector: if r.selector.is_empty() { None } else { Some(r.selector.clone()) },
        }
    }
}

/// Inputs in C form with the strings they point to.
struct RawInputs {
    spf: Option<ffi::mox_dmarc_spf>,
    dkim: Vec<ffi::mox_dmarc_dkim>,
    _strings: Vec<Option<CString>>,
}

impl RawInputs {
    fn new(spf: Option<&SpfInput>, dkim: &[DkimInput]) -> Result<RawInputs> {
        let mut strings = Vec::with_capacity(1 + 2 * dkim.len());
        let spf = match spf {
            Some(s) => {
                let d = opt_cstring("SPF domain", s.domain.as_deref())?;
                let raw = ffi::mox_dmarc_spf { result: s.result as c_int, domain: opt_ptr(&d), helo: s.helo };
                strings.push(d);
                Some(raw)
            }
            None => None,
        };
        let mut raw_dkim = Vec::with_capacity(dkim.len());
        for d in dkim {
            let domain = Some(cstring("DKIM domain", &d.domain)?);
            let selector = opt_cstring("DKIM selector", d.selector.as_deref())?;
            raw_dkim.push(ffi::mox_dmarc_dkim {
                result: d.result as c_int,
                domain: opt_ptr(&domain),
                selector: opt_ptr(&selector),
            });
            strings.push(domain);
            strings.push(selector);
        }
        Ok(RawInputs { spf, dkim: raw_dkim, _strings: strings })
    }

    fn spf_ptr(&self) -> *const ffi::mox_dmarc_spf {
        self.spf.as_ref().map_or(ptr::null(), |s| s as *const _)
    }

    fn dkim_ptr(&self) -> *const ffi::mox_dmarc_dkim {
        if self.dkim.is_empty() {
            ptr::null()
        } else {
            self.dkim.as_ptr()
        }
    }
}

// SAFETY: the pointers point into the CStrings owned alongside.
unsafe impl Send for RawInputs {}

// --- options ---

type RandomFn = Arc<dyn Fn() -> u32 + Send + Sync>;

/// Options of an evaluation: RFC 9989 (the default) or RFC 7489 mode with
/// a Public Suffix List, and the pct= sampling source.
#[derive(Clone, Default)]
pub struct Options<'p> {
    /// RFC 7489 mode with this list (Some), or RFC 9989 (None).
    pub rfc7489_psl: Option<&'p Psl>,
    /// RFC 7489 pct= sampling: a number in [0, 100); None for the
    /// library's RNG. A panic in it is caught and counts as 0.
    pub random: Option<RandomFn>,
}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("rfc7489", &self.rfc7489_psl.is_some())
            .field("random", &self.random.is_some())
            .finish()
    }
}

impl<'p> Options<'p> {
    /// RFC 9989 mode (DNS tree walk).
    pub fn new() -> Options<'p> {
        Options::default()
    }

    /// RFC 7489 mode: _dmarc.<From domain>, then the organizational domain
    /// from the list; pct=, rf=, ri= honoured.
    pub fn rfc7489(psl: &'p Psl) -> Options<'p> {
        Options { rfc7489_psl: Some(psl), random: None }
    }

    /// Use this function for pct= sampling (a number in [0, 100)).
    pub fn with_random<F: Fn() -> u32 + Send + Sync + 'static>(mut self, f: F) -> Options<'p> {
        self.random = Some(Arc::new(f));
        self
    }
}

unsafe extern "C" fn random_trampoline(arg: *mut c_void) -> c_uint {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: arg is the RandomFn kept alive by the caller of the
        // library (evaluate, or the DmarcEval).
        let f = unsafe { &*(arg as *const RandomFn) };
        f()
    }))
    .unwrap_or(0)
}

/// Options in C form, with the random closure they point to.
struct RawOptions {
    opts: ffi::mox_dmarc_options,
    _random: Option<Box<RandomFn>>,
}

// SAFETY: the closure is Send + Sync; the PSL pointer is to a Sync value.
unsafe impl Send for RawOptions {}

impl RawOptions {
    fn new(o: &Options<'_>) -> RawOptions {
        let random = o.random.clone().map(Box::new);
        let opts = ffi::mox_dmarc_options {
            version: ffi::MOX_DMARC_OPTIONS_VERSION,
            flags: if o.rfc7489_psl.is_some() { ffi::MOX_DMARC_RFC7489 } else { 0 },
            psl: o.rfc7489_psl.map_or(ptr::null(), |p| p.raw.as_ptr() as *const _),
            random: if random.is_some() { Some(random_trampoline) } else { None },
            random_arg: random.as_ref().map_or(ptr::null_mut(), |b| &**b as *const RandomFn as *mut c_void),
        };
        RawOptions { opts, _random: random }
    }
}

// --- results ---

/// The result of an evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcResult {
    /// The verdict.
    pub verdict: Verdict,
    /// The policy to apply: none unless the verdict is fail; for fail the
    /// record's p/sp/np, lowered to none by t=y or pct sampling.
    pub policy: Policy,
    /// The policy the record asks for before test mode or sampling (None
    /// for verdicts other than pass and fail).
    pub policy_requested: Option<Policy>,
    /// t=y lowered the policy.
    pub testing: bool,
    /// pct= sampling lowered the policy (RFC 7489 mode).
    pub sampled_out: bool,
    /// The policy is to reject.
    pub reject: bool,
    /// The From domain, "" when there was none.
    pub from_domain: String,
    /// The organizational domain, when it was needed.
    pub org_domain: Option<String>,
    /// Where the record was found (the domain before _dmarc).
    pub record_domain: Option<String>,
    /// The record text used.
    pub record: Option<String>,
    /// SPF passed with an aligned domain.
    pub spf_aligned: bool,
    /// A DKIM signature passed with an aligned domain.
    pub dkim_aligned: bool,
    /// The aligned DKIM domain.
    pub dkim_domain: Option<String>,
    /// The aligned DKIM selector.
    pub dkim_selector: Option<String>,
    /// Why, for every verdict but pass.
    pub reason: Option<String>,
    /// Every DNS answer used was DNSSEC authentic.
    pub authentic: bool,
    /// DNS queries made.
    pub queries: u32,
    /// The dmarc resinfo of an Authentication-Results field ("dmarc=fail
    /// (p=reject dis=quarantine) header.from=...", `mox_dmarc_authres`).
    pub authres: String,
}

impl DmarcResult {
    fn take(res: &mut ffi::mox_dmarc_result) -> Result<DmarcResult> {
        // SAFETY: res holds valid (or NULL) strings until released below.
        let out = unsafe {
            Verdict::from_raw(res.verdict).map(|verdict| DmarcResult {
                verdict,
                policy: Policy::from_raw(res.policy).unwrap_or(Policy::None),
                policy_requested: Policy::from_raw(res.policy_requested),
                testing: res.testing,
                sampled_out: res.sampled_out,
                reject: res.reject,
                from_domain: util::string(res.from_domain),
                org_domain: util::opt_string(res.org_domain),
                record_domain: util::opt_string(res.record_domain),
                record: util::opt_string(res.record),
                spf_aligned: res.spf_aligned,
                dkim_aligned: res.dkim_aligned,
                dkim_domain: util::opt_string(res.dkim_domain),
                dkim_selector: util::opt_string(res.dkim_selector),
                reason: util::opt_string(res.reason),
                authentic: res.authentic,
                queries: res.queries,
                authres: util::format_with(|b, c| ffi::mox_dmarc_authres(b, c, res)),
            })
        };
        // SAFETY: releases what the library allocated into res.
        unsafe { ffi::mox_dmarc_result_release(res) };
        out
    }
}

fn result_init() -> ffi::mox_dmarc_result {
    ffi::mox_dmarc_result {
        version: ffi::MOX_DMARC_RESULT_VERSION,
        verdict: 0,
        policy: 0,
        policy_requested: 0,
        testing: false,
        sampled_out: false,
        reject: false,
        from_domain: ptr::null(),
        org_domain: ptr::null(),
        record_domain: ptr::null(),
        record: ptr::null(),
        spf_aligned: false,
        dkim_aligned: false,
        dkim_domain: ptr::null(),
        dkim_selector: ptr::null(),
        reason: ptr::null(),
        authentic: false,
        queries: 0,
        owned_: ptr::null_mut(),
    }
}

/// Evaluate DMARC for a message (its header section is enough: the From
/// domain is taken from it; more than one From field is permerror, none is
/// verdict none), with the SPF and DKIM results the caller has, looking up
/// records with the resolver. DNS failures are verdict temperror.
pub fn evaluate(
    resolver: &Resolver,
    message: &[u8],
    spf: Option<&SpfInput>,
    dkim: &[DkimInput],
    opts: &Options<'_>,
) -> Result<DmarcResult> {
    let inputs = RawInputs::new(spf, dkim)?;
    let o = RawOptions::new(opts);
    let mut res = result_init();
    // SAFETY: valid resolver (thread-safe lookups), inputs and options,
    // alive for the call.
    let rc = unsafe {
        ffi::mox_dmarc_check(
            &mut res,
            resolver.as_ptr(),
            message.as_ptr(),
            message.len(),
            inputs.spf_ptr(),
            inputs.dkim_ptr(),
            inputs.dkim.len(),
            &o.opts,
        )
    };
    if rc < 0 {
        // SAFETY: release is safe on an initialized result.
        unsafe { ffi::mox_dmarc_result_release(&mut res) };
        return Err(MoxError::new(rc));
    }
    DmarcResult::take(&mut res)
}

/// As [`evaluate`] with the raw value of the From field instead of the
/// message (the values of several From fields joined with ","), by
/// driving a [`DmarcEval`] with blocking lookups on the resolver.
pub fn evaluate_from(
    resolver: &Resolver,
    from: &[u8],
    spf: Option<&SpfInput>,
    dkim: &[DkimInput],
    opts: &Options<'_>,
) -> Result<DmarcResult> {
    let mut ev = DmarcEval::from_header(from, spf, dkim, opts)?;
    while let Some(q) = ev.step()? {
        match resolver.lookup(&q.name, q.rtype) {
            Ok(ans) => ev.answer(Some(&ans))?,
            Err(e) if e.code() == status::ENOMEM => return Err(e),
            // A name the resolver cannot ask for holds no record (as
            // mox_dmarc_check() takes it).
            Err(e) if e.code() == status::EINVAL => match Answer::new(&q.name, q.rtype, DnsResult::NxDomain) {
                Ok(nx) => ev.answer(Some(&nx))?,
                Err(_) => ev.answer(None)?,
            },
            Err(_) => ev.answer(None)?,
        }
    }
    ev.result()
}

/// A resumable, sans-I/O DMARC evaluation (`mox_dmarc_eval`): it hands
/// out DNS questions (TXT of _dmarc names, A of the From domain for np=)
/// and takes their answers. `Send`, not `Sync`; borrows the options' list.
pub struct DmarcEval<'p> {
    raw: NonNull<ffi::mox_dmarc_eval>,
    _opts: RawOptions,
    _psl: PhantomData<&'p Psl>,
}

// SAFETY: dmarc.h: an evaluator is used by one thread at a time; the PSL it
// borrows is immutable and Sync; the random closure is Send + Sync.
unsafe impl Send for DmarcEval<'_> {}

impl Drop for DmarcEval<'_> {
    fn drop(&mut self) {
        // SAFETY: we own the evaluator.
        unsafe { ffi::mox_dmarc_eval_free(self.raw.as_ptr()) }
    }
}

impl<'p> DmarcEval<'p> {
    fn wrap(rc: c_int, p: *mut ffi::mox_dmarc_eval, opts: RawOptions) -> Result<DmarcEval<'p>> {
        check(rc)?;
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(DmarcEval { raw, _opts: opts, _psl: PhantomData })
    }

    /// Start an evaluation of a message (its header section).
    pub fn new(
        message: &[u8],
        spf: Option<&SpfInput>,
        dkim: &[DkimInput],
        opts: &Options<'p>,
    ) -> Result<DmarcEval<'p>> {
        let inputs = RawInputs::new(spf, dkim)?;
        let o = RawOptions::new(opts);
        let mut p = ptr::null_mut();
        // SAFETY: valid inputs and options (copied by the library; the
        // random closure and the list stay alive with the evaluator).
        let rc = unsafe {
            ffi::mox_dmarc_eval_new_msg(
                &mut p,
                message.as_ptr(),
                message.len(),
                inputs.spf_ptr(),
                inputs.dkim_ptr(),
                inputs.dkim.len(),
                &o.opts,
            )
        };
        DmarcEval::wrap(rc, p, o)
    }

    /// Start an evaluation from the raw value of the From field.
    pub fn from_header(
        from: &[u8],
        spf: Option<&SpfInput>,
        dkim: &[DkimInput],
        opts: &Options<'p>,
    ) -> Result<DmarcEval<'p>> {
        let inputs = RawInputs::new(spf, dkim)?;
        let o = RawOptions::new(opts);
        let mut p = ptr::null_mut();
        // SAFETY: as in new().
        let rc = unsafe {
            ffi::mox_dmarc_eval_new(
                &mut p,
                from.as_ptr(),
                from.len(),
                inputs.spf_ptr(),
                inputs.dkim_ptr(),
                inputs.dkim.len(),
                &o.opts,
            )
        };
        DmarcEval::wrap(rc, p, o)
    }

    /// Advance until a DNS question is needed (`Some`) or the evaluation
    /// is done (`None`).
    pub fn step(&mut self) -> Result<Option<Question>> {
        let mut q = ffi::mox_dmarc_question { name: ptr::null(), type_: 0 };
        // SAFETY: valid evaluator (exclusive).
        let rc = check(unsafe { ffi::mox_dmarc_eval_step(self.raw.as_ptr(), &mut q) })?;
        if rc == 0 {
            return Ok(None);
        }
        // SAFETY: valid until the next call; copied.
        Ok(Some(Question { name: unsafe { util::string(q.name) }, rtype: q.type_ }))
    }

    /// The answer to the last question; None when the lookup failed
    /// without one (temperror).
    pub fn answer(&mut self, ans: Option<&Answer>) -> Result<()> {
        let p = ans.map_or(ptr::null(), |a| a.as_ptr());
        // SAFETY: valid evaluator (exclusive) and answer (borrowed).
        check(unsafe { ffi::mox_dmarc_eval_answer(self.raw.as_ptr(), p) })?;
        Ok(())
    }

    /// The result once done.
    pub fn result(&self) -> Result<DmarcResult> {
        let mut res = result_init();
        // SAFETY: valid evaluator and result.
        let rc = unsafe { ffi::mox_dmarc_eval_result(self.raw.as_ptr(), &mut res) };
        if rc < 0 {
            // SAFETY: release is safe on an initialized result.
            unsafe { ffi::mox_dmarc_result_release(&mut res) };
            return Err(MoxError::new(rc));
        }
        DmarcResult::take(&mut res)
    }
}

// --- records ---

/// The values of a parsed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordInfo {
    /// p= (None when absent or invalid).
    pub p: Option<Policy>,
    /// sp=.
    pub sp: Option<Policy>,
    /// np=.
    pub np: Option<Policy>,
    /// The domain policy after RFC 9989's rules.
    pub policy_effective: Option<Policy>,
    /// psd=.
    pub psd: Psd,
    /// t=y.
    pub testing: bool,
    /// adkim=.
    pub adkim: Alignment,
    /// aspf=.
    pub aspf: Alignment,
    /// fo= as written ("0" when absent).
    pub fo: String,
    /// rua= URIs.
    pub rua: Vec<String>,
    /// ruf= URIs.
    pub ruf: Vec<String>,
    /// pct= (100 when absent).
    pub pct: u32,
    /// Whether pct= was given.
    pub has_pct: bool,
    /// rf= ("afrf").
    pub rf: String,
    /// ri= (86400).
    pub ri: u32,
    /// Whether ri= was given.
    pub has_ri: bool,
    /// An invalid p, sp or np with a valid rua=: the record acts as p=none.
    pub policy_fallback: bool,
}

/// A parsed DMARC record (`mox_dmarc_record`); immutable, `Send + Sync`.
pub struct Record {
    raw: NonNull<ffi::mox_dmarc_record>,
}

// SAFETY: dmarc.h: a parsed record is immutable and may be read by any
// number of threads.
unsafe impl Send for Record {}
unsafe impl Sync for Record {}

impl Drop for Record {
    fn drop(&mut self) {
        // SAFETY: we own the record.
        unsafe { ffi::mox_dmarc_record_free(self.raw.as_ptr()) }
    }
}

impl Record {
    /// Parse a record ("v=DMARC1; p=reject; ..."). Errors: `MOX_ENOTFOUND`
    /// when the text is not a DMARC record, `MOX_ESYNTAX` for a record that
    /// is not usable (the message says why).
    pub fn parse(text: impl AsRef<[u8]>) -> Result<Record> {
        let text = text.as_ref();
        let mut p = ptr::null_mut();
        let mut err: *const c_char = ptr::null();
        // SAFETY: valid buffer and out pointers.
        let rc = unsafe { ffi::mox_dmarc_record_parse(&mut p, text.as_ptr(), text.len(), &mut err) };
        if rc < 0 {
            // SAFETY: err is NULL or a static string.
            let detail = unsafe { util::opt_string(err) }.unwrap_or_default();
            return Err(MoxError::with_detail(rc, detail));
        }
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(Record { raw })
    }

    /// The parsed values.
    pub fn info(&self) -> RecordInfo {
        // SAFETY: valid record; the view is borrowed from it and copied.
        let v = unsafe { &*ffi::mox_dmarc_record_view(self.raw.as_ptr()) };
        let list = |p: *const *const c_char, n: usize| -> Vec<String> {
            if p.is_null() {
                return Vec::new();
            }
            // SAFETY: n valid strings at p.
            unsafe { std::slice::from_raw_parts(p, n) }.iter().map(|&s| unsafe { util::string(s) }).collect()
        };
        let align = |a: c_int| if a == 1 { Alignment::Strict } else { Alignment::Relaxed };
        RecordInfo {
            p: Policy::from_raw(v.p),
            sp: Policy::from_raw(v.sp),
            np: Policy::from_raw(v.np),
            policy_effective: Policy::from_raw(v.policy_effective),
            psd: match v.psd {
                1 => Psd::Yes,
                2 => Psd::No,
                _ => Psd::Unset,
            },
            testing: v.testing,
            adkim: align(v.adkim),
            aspf: align(v.aspf),
            // SAFETY: strings of the record.
            fo: unsafe { util::string(v.fo) },
            rua: list(v.rua, v.nrua),
            ruf: list(v.ruf, v.nruf),
            pct: v.pct,
            has_pct: v.has_pct,
            // SAFETY: string of the record.
            rf: unsafe { util::string(v.rf) },
            ri: v.ri,
            has_ri: v.has_ri,
            policy_fallback: v.policy_fallback,
        }
    }

    /// The record in canonical text form.
    pub fn format(&self) -> String {
        // SAFETY: valid record.
        util::format_with(|b, c| unsafe { ffi::mox_dmarc_record_format(b, c, self.raw.as_ptr()) })
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dmarc::Record({:?})", self.format())
    }
}

// --- public suffix list ---

/// A Public Suffix List for RFC 7489 mode (`mox_dmarc_psl`); immutable once
/// loaded, `Send + Sync`: load it once and share it.
pub struct Psl {
    raw: NonNull<ffi::mox_dmarc_psl>,
}

// SAFETY: dmarc.h: a mox_dmarc_psl is immutable once loaded and may be
// shared by any number of evaluators.
unsafe impl Send for Psl {}
unsafe impl Sync for Psl {}

impl Drop for Psl {
    fn drop(&mut self) {
        // SAFETY: we own the list; evaluators borrowing it are gone.
        unsafe { ffi::mox_dmarc_psl_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Psl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dmarc::Psl")
    }
}

impl Psl {
    /// Load a list in the publicsuffix.org format; None loads the list of
    /// Debian's publicsuffix package.
    pub fn load(path: Option<&Path>) -> Result<Psl> {
        let c = path
            .map(|p| {
                CString::new(p.as_os_str().as_bytes())
                    .map_err(|_| MoxError::with_detail(status::ENUL, "path has a NUL byte"))
            })
            .transpose()?;
        let mut p = ptr::null_mut();
        // SAFETY: valid out pointer and path.
        let rc = unsafe { ffi::mox_dmarc_psl_load(&mut p, opt_ptr(&c)) };
        if rc < 0 {
            let what = path.map_or_else(|| "the system list".to_string(), |p| p.display().to_string());
            return Err(MoxError::with_detail(rc, what));
        }
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(Psl { raw })
    }

    /// The organizational domain of a domain (RFC 7489 3.2).
    pub fn org_domain(&self, domain: &str) -> Result<String> {
        let d = cstring("domain", domain)?;
        // SAFETY: valid list and string.
        Ok(util::format_with(|b, c| unsafe { ffi::mox_dmarc_psl_orgdomain(b, c, self.raw.as_ptr(), d.as_ptr()) }))
    }
}
