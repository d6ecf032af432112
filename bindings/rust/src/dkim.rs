// SPDX-License-Identifier: MIT
//! DKIM (RFC 6376, RFC 8301, RFC 8463, `<mox/dkim.h>`): keys, signing
//! ([`sign`], the streaming [`Signer`]) and verification ([`verify`], the
//! streaming, resumable [`DkimVerifier`]), Authentication-Results text.
//!
//! Threads (dkim.h): a [`Key`] is immutable and may sign in many signers on
//! many threads at once (`Send + Sync`); a [`Signer`] or [`DkimVerifier`]
//! is used by one thread at a time (`Send`, not `Sync`); [`verify`] is
//! thread-safe over a shared [`Resolver`].

use std::ffi::CString;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int};
use std::ptr::{self, NonNull};

use crate::dns::{Answer, Resolver};
use crate::error::{check, status, MoxError, Result};
use crate::ffi;
use crate::util::{self, cstring, opt_cstring, opt_ptr, CStrList};

/// Per-signature verdicts (RFC 8601 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Verdict {
    None = 0,
    Pass = 1,
    Fail = 2,
    Neutral = 3,
    Policy = 4,
    TempError = 5,
    PermError = 6,
}

impl Verdict {
    fn from_raw(v: c_int) -> Result<Verdict> {
        Ok(match v {
            0 => Verdict::None,
            1 => Verdict::Pass,
            2 => Verdict::Fail,
            3 => Verdict::Neutral,
            4 => Verdict::Policy,
            5 => Verdict::TempError,
            6 => Verdict::PermError,
            _ => return Err(MoxError::with_detail(status::ERANGE, format!("DKIM verdict {v}"))),
        })
    }

    /// RFC 8601 name ("pass"), from the library.
    pub fn name(self) -> &'static str {
        // SAFETY: static string, never NULL.
        let p = unsafe { ffi::mox_dkim_verdict_name(self as c_int) };
        // SAFETY: static NUL-terminated ASCII.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap_or("unknown")
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Key types (k=).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum KeyType {
    Rsa = 1,
    Ed25519 = 2,
}

/// Canonicalization algorithms (c=).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[allow(missing_docs)]
pub enum Canon {
    Simple = 0,
    #[default]
    Relaxed = 1,
}

// --- keys ---

/// A private key for signing, RSA or Ed25519 (`mox_dkim_key`). Immutable:
/// `Send + Sync`, one key may sign on many threads at once.
pub struct Key {
    raw: NonNull<ffi::mox_dkim_key>,
}

// SAFETY: dkim.h: a mox_dkim_key is immutable and may be shared by any number
// of threads (a key may sign in many signers at once).
unsafe impl Send for Key {}
unsafe impl Sync for Key {}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: we own the key; signers borrowing it are gone (lifetimes).
        unsafe { ffi::mox_dkim_key_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dkim::Key({:?}, {} bits)", self.key_type(), self.bits())
    }
}

/// Take a library-allocated text (mox_dkim_free()).
///
/// # Safety
/// p/len from a successful library call.
unsafe fn take_text(p: *mut c_char, len: usize) -> Vec<u8> {
    // SAFETY: as the caller promises.
    unsafe { util::take_bytes(p, len, ffi::mox_dkim_free) }
}

fn into_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl Key {
    fn wrap(rc: c_int, p: *mut ffi::mox_dkim_key) -> Result<Key> {
        check(rc)?;
        NonNull::new(p).map(|raw| Key { raw }).ok_or_else(|| MoxError::new(status::ENOMEM))
    }

    /// Generate a key. `bits`: RSA 1024 to 4096, a multiple of 8 (0 for
    /// 2048); ignored for Ed25519.
    pub fn generate(kind: KeyType, bits: u32) -> Result<Key> {
        let mut p = ptr::null_mut();
        // SAFETY: valid out pointer.
        let rc = unsafe { ffi::mox_dkim_key_generate(&mut p, kind as c_int, bits) };
        Key::wrap(rc, p)
    }

    /// Generate an RSA key of `bits` bits.
    pub fn generate_rsa(bits: u32) -> Result<Key> {
        Key::generate(KeyType::Rsa, bits)
    }

    /// Generate an Ed25519 key.
    pub fn generate_ed25519() -> Result<Key> {
        Key::generate(KeyType::Ed25519, 0)
    }

    /// Read a private key from PEM: PKCS#8 "PRIVATE KEY" (RSA or Ed25519)
    /// or PKCS#1 "RSA PRIVATE KEY".
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Key> {
        let pem = pem.as_ref();
        let mut p = ptr::null_mut();
        // SAFETY: valid buffer.
        let rc = unsafe { ffi::mox_dkim_key_from_pem(&mut p, pem.as_ptr(), pem.len()) };
        Key::wrap(rc, p)
    }

    /// The key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
    pub fn to_pem(&self) -> Result<String> {
        let mut p = ptr::null_mut();
        let mut n = 0usize;
        // SAFETY: valid key and out pointers.
        check(unsafe { ffi::mox_dkim_key_to_pem(&mut p, &mut n, self.raw.as_ptr()) })?;
        // SAFETY: allocated by the library with n octets.
        Ok(into_string(unsafe { take_text(p, n) }))
    }

    /// The DNS TXT record value publishing the public key ("v=DKIM1;
    /// k=ed25519; p=..."); with `split`, as zone-file character-strings of
    /// at most 255 octets, quoted and separated by spaces.
    pub fn txt_record(&self, split: bool) -> Result<String> {
        let mut p = ptr::null_mut();
        let mut n = 0usize;
        // SAFETY: valid key and out pointers.
        check(unsafe { ffi::mox_dkim_key_txt(&mut p, &mut n, self.raw.as_ptr(), split) })?;
        // SAFETY: allocated by the library with n octets.
        Ok(into_string(unsafe { take_text(p, n) }))
    }

    /// RSA or Ed25519.
    pub fn key_type(&self) -> KeyType {
        // SAFETY: valid key.
        match unsafe { ffi::mox_dkim_key_get_type(self.raw.as_ptr()) } {
            2 => KeyType::Ed25519,
            _ => KeyType::Rsa,
        }
    }

    /// RSA modulus size in bits; 256 for Ed25519.
    pub fn bits(&self) -> u32 {
        // SAFETY: valid key.
        unsafe { ffi::mox_dkim_key_bits(self.raw.as_ptr()) }
    }
}

// --- signing ---

/// The t= tag of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Timestamp {
    /// The current time.
    #[default]
    Now,
    /// No t= tag.
    Omit,
    /// This time, seconds since the epoch.
    At(i64),
}

/// Signing options (`mox_dkim_sign_options`). Required: domain, selector,
/// key (the constructor's arguments); the rest has the library's defaults
/// (relaxed/relaxed, default header list and oversigning, t= now, no x=).
#[derive(Clone, Debug)]
pub struct SignOptions<'k> {
    /// d= (UTF-8 allowed, converted to A-labels).
    pub domain: String,
    /// s=.
    pub selector: String,
    /// The key; its type decides a=.
    pub key: &'k Key,
    /// i=, None to leave it out; must be in domain or a subdomain.
    pub identity: Option<String>,
    /// Header canonicalization.
    pub header_canon: Canon,
    /// Body canonicalization.
    pub body_canon: Canon,
    /// Header field names to sign (must include From); None for the
    /// library's default list.
    pub headers: Option<Vec<String>>,
    /// Names to oversign; None for the default list (From, Reply-To,
    /// Subject, Date, To, Cc), an empty list for none.
    pub oversign: Option<Vec<String>>,
    /// t=.
    pub timestamp: Timestamp,
    /// x=: seconds after t= when the signature expires; None for no x=.
    pub expiration: Option<i64>,
    /// Add l= with the body length (not recommended).
    pub body_length: bool,
}

impl<'k> SignOptions<'k> {
    /// Options with the defaults.
    pub fn new(domain: &str, selector: &str, key: &'k Key) -> SignOptions<'k> {
        SignOptions {
            domain: domain.to_string(),
            selector: selector.to_string(),
            key,
            identity: None,
            header_canon: Canon::Relaxed,
            body_canon: Canon::Relaxed,
            headers: None,
            oversign: None,
            timestamp: Timestamp::Now,
            expiration: None,
            body_length: false,
        }
    }

    /// Sign these header fields (h=).
    pub fn with_headers<S: AsRef<str>>(mut self, headers: &[S]) -> Self {
        self.headers = Some(headers.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Oversign these header fields (an empty list: none).
    pub fn with_oversign<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.oversign = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Header and body canonicalization (c=).
    pub fn with_canonicalization(mut self, header: Canon, body: Canon) -> Self {
        self.header_canon = header;
        self.body_canon = body;
        self
    }

    /// The agent or user identifier (i=).
    pub fn with_identity(mut self, identity: &str) -> Self {
        self.identity = Some(identity.to_string());
        self
    }

    /// The signing time (t=).
    pub fn with_timestamp(mut self, t: Timestamp) -> Self {
        self.timestamp = t;
        self
    }

    /// Expire the signature this many seconds after t= (x=).
    pub fn with_expiration(mut self, seconds: i64) -> Self {
        self.expiration = Some(seconds);
        self
    }

    /// Add l= (body length).
    pub fn with_body_length(mut self, on: bool) -> Self {
        self.body_length = on;
        self
    }
}

struct RawSign {
    opts: ffi::mox_dkim_sign_options,
    _strings: [Option<CString>; 3],
    _headers: Option<CStrList>,
    _oversign: Option<CStrList>,
}

impl RawSign {
    fn new(o: &SignOptions<'_>) -> Result<RawSign> {
        let domain = Some(cstring("domain", &o.domain)?);
        let selector = Some(cstring("selector", &o.selector)?);
        let identity = opt_cstring("identity", o.identity.as_deref())?;
        let headers = o.headers.as_ref().map(|h| CStrList::new("header name", h)).transpose()?;
        let oversign = o.oversign.as_ref().map(|h| CStrList::new("header name", h)).transpose()?;
        let opts = ffi::mox_dkim_sign_options {
            version: ffi::MOX_DKIM_SIGN_OPTIONS_VERSION,
            domain: opt_ptr(&domain),
            selector: opt_ptr(&selector),
            identity: opt_ptr(&identity),
            key: o.key.raw.as_ptr(),
            header_canon: o.header_canon as c_int,
            body_canon: o.body_canon as c_int,
            headers: headers.as_ref().map_or(ptr::null(), |h| h.as_ptr()),
            nheaders: headers.as_ref().map_or(0, |h| h.len()),
            oversign: oversign.as_ref().map_or(ptr::null(), |h| h.as_nonnull_ptr()),
            noversign: oversign.as_ref().map_or(0, |h| h.len()),
            timestamp: match o.timestamp {
                Timestamp::Now => 0,
                Timestamp::Omit => -1,
                Timestamp::At(t) => t,
            },
            expiration: o.expiration.unwrap_or(0),
            body_length: o.body_length,
        };
        Ok(RawSign { opts, _strings: [domain, selector, identity], _headers: headers, _oversign: oversign })
    }
}

fn sign_error(rc: c_int) -> MoxError {
    match rc {
        status::ESYNTAX => MoxError::with_detail(rc, "the message has no From field"),
        status::EINVAL => MoxError::with_detail(rc, "missing or bad domain, selector, key or identity"),
        _ => MoxError::new(rc),
    }
}

/// Sign a message: the complete "DKIM-Signature: ..." header field, folded
/// at 78 columns with CRLF and ending in CRLF, to prepend to the message.
/// Line ends of the message may be CRLF or LF.
pub fn sign(message: &[u8], opts: &SignOptions<'_>) -> Result<Vec<u8>> {
    let raw = RawSign::new(opts)?;
    let mut p = ptr::null_mut();
    let mut n = 0usize;
    // SAFETY: valid options (the key outlives the call) and message.
    let rc = unsafe { ffi::mox_dkim_sign(&mut p, &mut n, &raw.opts, message.as_ptr(), message.len()) };
    if rc < 0 {
        return Err(sign_error(rc));
    }
    // SAFETY: allocated by the library with n octets.
    Ok(unsafe { take_text(p, n) })
}

/// A streaming signer (`mox_dkim_signer`): feed the message in chunks, then
/// [`Signer::finish`]. Borrows its key. `Send`, not `Sync`.
pub struct Signer<'k> {
    raw: NonNull<ffi::mox_dkim_signer>,
    _key: PhantomData<&'k Key>,
}

// SAFETY: dkim.h: a signer is used by one thread at a time; the key it
// references is Sync.
unsafe impl Send for Signer<'_> {}

impl Drop for Signer<'_> {
    fn drop(&mut self) {
        // SAFETY: we own the signer.
        unsafe { ffi::mox_dkim_signer_free(self.raw.as_ptr()) }
    }
}

impl<'k> Signer<'k> {
    /// Start signing.
    pub fn new(opts: &SignOptions<'k>) -> Result<Signer<'k>> {
        let raw = RawSign::new(opts)?;
        let mut p = ptr::null_mut();
        // SAFETY: valid options; strings are copied, the key is referenced
        // and outlives the signer ('k).
        let rc = unsafe { ffi::mox_dkim_signer_new(&mut p, &raw.opts) };
        if rc < 0 {
            return Err(sign_error(rc));
        }
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(Signer { raw, _key: PhantomData })
    }

    /// Feed the next chunk of the message.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        // SAFETY: valid signer (exclusive) and buffer.
        check(unsafe { ffi::mox_dkim_signer_feed(self.raw.as_ptr(), chunk.as_ptr(), chunk.len()) })?;
        Ok(())
    }

    /// The DKIM-Signature header field, as [`sign`] gives it.
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut p = ptr::null_mut();
        let mut n = 0usize;
        // SAFETY: valid signer (owned).
        let rc = unsafe { ffi::mox_dkim_signer_finish(self.raw.as_ptr(), &mut p, &mut n) };
        if rc < 0 {
            return Err(sign_error(rc));
        }
        // SAFETY: allocated by the library with n octets.
        Ok(unsafe { take_text(p, n) })
    }
}

// --- verification ---

/// Verification options (`mox_dkim_verify_options`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept rsa-sha1 signatures (RFC 8301 says not to).
    pub allow_sha1: bool,
    /// Accept signatures with l= (otherwise verdict policy).
    pub allow_length: bool,
    /// Do not reject expired signatures.
    pub ignore_expiry: bool,
    /// The clock for t= and x=, seconds since the epoch; 0: now.
    pub now: i64,
    /// Allowed clock skew for t= in the future, seconds (300).
    pub max_clock_skew: i64,
    /// Most signatures verified (10).
    pub max_signatures: u32,
    /// Smallest RSA key accepted, bits (1024).
    pub min_rsa_bits: u32,
    /// Largest header section accepted, octets (1 MiB).
    pub max_header_size: usize,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            allow_sha1: false,
            allow_length: false,
            ignore_expiry: false,
            now: 0,
            max_clock_skew: 300,
            max_signatures: 10,
            min_rsa_bits: 1024,
            max_header_size: 1 << 20,
        }
    }
}

impl VerifyOptions {
    /// Options with the clock set to `now`.
    pub fn at(now: i64) -> VerifyOptions {
        VerifyOptions { now, ..VerifyOptions::default() }
    }

    fn raw(&self) -> ffi::mox_dkim_verify_options {
        let mut flags = 0;
        if self.allow_sha1 {
            flags |= 1;
        }
        if self.allow_length {
            flags |= 2;
        }
        if self.ignore_expiry {
            flags |= 4;
        }
        ffi::mox_dkim_verify_options {
            version: ffi::MOX_DKIM_VERIFY_OPTIONS_VERSION,
            flags,
            now: self.now,
            max_clock_skew: self.max_clock_skew,
            max_signatures: self.max_signatures,
            min_rsa_bits: self.min_rsa_bits,
            max_header_size: self.max_header_size,
        }
    }
}

/// The verdict for one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimResult {
    /// The verdict.
    pub verdict: Verdict,
    /// d= ("" when the signature did not parse that far).
    pub domain: String,
    /// s=.
    pub selector: String,
    /// The identity: i= or "@" d=.
    pub identity: String,
    /// a= as written.
    pub algorithm: String,
    /// b= in base64 without folding whitespace.
    pub b: String,
    /// Why, for every verdict but pass ("body hash mismatch", ...).
    pub reason: Option<String>,
    /// The key record's DNS answer was DNSSEC authentic.
    pub authentic: bool,
    /// The key record had t=y.
    pub testing: bool,
    /// The signature has l=.
    pub has_length: bool,
    /// Offset of the DKIM-Signature field in the message.
    pub offset: usize,
    /// The dkim resinfo of an Authentication-Results field ("dkim=pass
    /// header.d=... header.s=... header.a=... header.b=...",
    /// `mox_dkim_authres`).
    pub authres: String,
}

impl DkimResult {
    /// Convert, then release, a C result.
    fn take(res: &mut ffi::mox_dkim_result) -> Result<DkimResult> {
        // SAFETY: res holds valid (or NULL) strings until released below.
        let out = unsafe {
            Verdict::from_raw(res.verdict).map(|verdict| DkimResult {
                verdict,
                domain: util::string(res.domain),
                selector: util::string(res.selector),
                identity: util::string(res.identity),
                algorithm: util::string(res.algorithm),
                b: util::string(res.b),
                reason: util::opt_string(res.reason),
                authentic: res.authentic,
                testing: res.testing,
                has_length: res.has_length,
                offset: res.offset,
                authres: util::format_with(|b, c| ffi::mox_dkim_authres(b, c, res)),
            })
        };
        // SAFETY: releases what the library allocated into res.
        unsafe { ffi::mox_dkim_result_release(res) };
        out
    }
}

fn result_init() -> ffi::mox_dkim_result {
    ffi::mox_dkim_result {
        version: ffi::MOX_DKIM_RESULT_VERSION,
        verdict: 0,
        domain: ptr::null(),
        selector: ptr::null(),
        identity: ptr::null(),
        algorithm: ptr::null(),
        b: ptr::null(),
        reason: ptr::null(),
        authentic: false,
        testing: false,
        has_length: false,
        offset: 0,
        owned_: ptr::null_mut(),
    }
}

/// Verify every DKIM-Signature of a message, looking up keys with the
/// resolver: one result per signature in header order (empty when the
/// message has none). Verdicts (fail, temperror, ...) are results.
pub fn verify(resolver: &Resolver, message: &[u8], opts: &VerifyOptions) -> Result<Vec<DkimResult>> {
    let o = opts.raw();
    let mut arr: *mut ffi::mox_dkim_result = ptr::null_mut();
    let mut n = 0usize;
    // SAFETY: valid resolver (thread-safe lookups), options and message.
    check(unsafe { ffi::mox_dkim_verify(&mut arr, &mut n, resolver.as_ptr(), &o, message.as_ptr(), message.len()) })?;
    if arr.is_null() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(n);
    let mut err = None;
    for i in 0..n {
        // SAFETY: n results at arr, each taken (released) once.
        let r = unsafe { &mut *arr.add(i) };
        match DkimResult::take(r) {
            Ok(v) => out.push(v),
            Err(e) => err = Some(e),
        }
    }
    // SAFETY: the array was allocated by the library.
    unsafe { ffi::mox_dkim_free(arr as *mut std::os::raw::c_void) };
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// A key record question of a [`DkimVerifier`]: look up the TXT record of
/// `name` ("selector._domainkey.domain") and answer with `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyQuestion {
    /// The name whose TXT record holds the key.
    pub name: String,
    /// Id for [`DkimVerifier::answer`].
    pub id: usize,
}

/// What a [`DkimVerifier`] wants next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DkimStep {
    /// Every signature has its verdict: read [`DkimVerifier::results`].
    Done,
    /// Look up this key record; answer with [`DkimVerifier::answer`].
    /// Answers may come in any order, also while data is still fed.
    Query(KeyQuestion),
    /// Feed more of the message, or [`DkimVerifier::finish`].
    NeedData,
    /// All questions were asked and all data is in: answers are due.
    Wait,
}

/// A streaming, resumable, sans-I/O verifier (`mox_dkim_verifier`): feed
/// the message, answer its key questions in any order, read a result per
/// signature. `Send`, not `Sync`.
pub struct DkimVerifier {
    raw: NonNull<ffi::mox_dkim_verifier>,
}

// SAFETY: dkim.h: a verifier is used by one thread at a time and has no
// thread-bound state.
unsafe impl Send for DkimVerifier {}

impl Drop for DkimVerifier {
    fn drop(&mut self) {
        // SAFETY: we own the verifier.
        unsafe { ffi::mox_dkim_verifier_free(self.raw.as_ptr()) }
    }
}

impl DkimVerifier {
    /// Start verifying a message.
    pub fn new(opts: &VerifyOptions) -> Result<DkimVerifier> {
        let o = opts.raw();
        let mut p = ptr::null_mut();
        // SAFETY: valid options (copied).
        check(unsafe { ffi::mox_dkim_verifier_new(&mut p, &o) })?;
        let raw = NonNull::new(p).ok_or_else(|| MoxError::new(status::ENOMEM))?;
        Ok(DkimVerifier { raw })
    }

    /// Feed the next chunk of the message (split anywhere).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        // SAFETY: valid verifier (exclusive) and buffer.
        check(unsafe { ffi::mox_dkim_verifier_feed(self.raw.as_ptr(), chunk.as_ptr(), chunk.len()) })?;
        Ok(())
    }

    /// The whole message has been fed.
    pub fn finish(&mut self) -> Result<()> {
        // SAFETY: valid verifier (exclusive).
        check(unsafe { ffi::mox_dkim_verifier_finish(self.raw.as_ptr()) })?;
        Ok(())
    }

    /// What the verifier needs next.
    pub fn step(&mut self) -> Result<DkimStep> {
        let mut q = ffi::mox_dkim_question { name: ptr::null(), id: 0 };
        // SAFETY: valid verifier (exclusive).
        let rc = check(unsafe { ffi::mox_dkim_verifier_step(self.raw.as_ptr(), &mut q) })?;
        Ok(match rc {
            0 => DkimStep::Done,
            // SAFETY: the name is valid until the next call; copied.
            1 => DkimStep::Query(KeyQuestion { name: unsafe { util::string(q.name) }, id: q.id }),
            2 => DkimStep::NeedData,
            _ => DkimStep::Wait,
        })
    }

    /// The TXT answer for question `id`; None when the lookup failed
    /// (temperror for the signatures that need the key).
    pub fn answer(&mut self, id: usize, ans: Option<&Answer>) -> Result<()> {
        let p = ans.map_or(ptr::null(), |a| a.as_ptr());
        // SAFETY: valid verifier (exclusive) and answer (borrowed).
        check(unsafe { ffi::mox_dkim_verifier_answer(self.raw.as_ptr(), id, p) })?;
        Ok(())
    }

    /// Number of DKIM-Signature fields (known once the header is in).
    pub fn count(&self) -> usize {
        // SAFETY: valid verifier.
        unsafe { ffi::mox_dkim_verifier_count(self.raw.as_ptr()) }
    }

    /// The result of signature i, once [`DkimVerifier::step`] said Done.
    pub fn result(&self, i: usize) -> Result<DkimResult> {
        let mut res = result_init();
        // SAFETY: valid verifier and result.
        let rc = unsafe { ffi::mox_dkim_verifier_result(self.raw.as_ptr(), i, &mut res) };
        if rc < 0 {
            // SAFETY: release is safe on an initialized result.
            unsafe { ffi::mox_dkim_result_release(&mut res) };
            return Err(MoxError::new(rc));
        }
        DkimResult::take(&mut res)
    }

    /// Every signature's result, in header order.
    pub fn results(&self) -> Result<Vec<DkimResult>> {
        (0..self.count()).map(|i| self.result(i)).collect()
    }
}
