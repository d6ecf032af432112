// SPDX-License-Identifier: MIT
//! Safe Rust bindings of the mox mail-authentication libraries:
//! libmox-core (the DNS resolver), libmox-spf (SPF, RFC 7208), libmox-dkim
//! (DKIM, RFC 6376/8301/8463) and libmox-dmarc (DMARC, RFC 9989 and RFC
//! 7489 mode).
//!
//! * [`dns`]: [`Resolver`] with the libunbound, in-memory (zone text) and
//!   custom (a Rust closure or [`dns::Backend`]) backends, and owned
//!   [`dns::Answer`]s.
//! * [`spf`]: [`spf::check`], [`spf::Record`] parsing and formatting, the
//!   resumable [`spf::SpfEval`].
//! * [`dkim`]: [`dkim::Key`], [`dkim::sign`], [`dkim::verify`], the
//!   streaming [`dkim::Signer`] and resumable [`dkim::DkimVerifier`].
//! * [`dmarc`]: [`dmarc::evaluate`], [`dmarc::Record`], [`dmarc::Psl`], the
//!   resumable [`dmarc::DmarcEval`].
//!
//! Errors are [`MoxError`]: the library's `mox_status` code, its name
//! (`"MOX_ESYNTAX"`) and a message. A protocol verdict (SPF fail, DKIM
//! temperror, DMARC reject) is not an error: it is the `Ok` value.
//!
//! Threads follow the headers' "Threads:" paragraphs: a [`Resolver`] is
//! `Send + Sync` (its blocking lookup and the blocking checks over it may
//! run on many threads at once; changing it takes `&mut`); parsed records,
//! keys, answers and the public suffix list are `Send + Sync`; evaluators,
//! signers and verifiers are `Send` but not `Sync` (one thread at a time).
//!
//! See README.md for an example of every function and the pattern for
//! driving the evaluators from async code.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod error;
mod ffi;
mod util;

pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;

pub use dns::{Answer, DnsResult, Resolver};
pub use error::{status, MoxError, Result};

/// Version of the loaded libmox-core, "MAJOR.MINOR.PATCH".
pub fn version() -> String {
    // SAFETY: mox_version() returns a static string, never NULL.
    unsafe { util::string(ffi::mox_version()) }
}

/// Version of the loaded libmox-core as `(MAJOR << 16) | (MINOR << 8) | PATCH`.
pub fn version_number() -> u32 {
    // SAFETY: no arguments, no state.
    unsafe { ffi::mox_version_number() }
}

/// The examples of README.md, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The thread rules are checked by the compiler: evaluators, signers and
/// verifiers are used by one thread at a time, so they are not `Sync`:
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<moxmail::spf::SpfEval>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<moxmail::dkim::DkimVerifier>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<moxmail::dmarc::DmarcEval<'static>>();
/// ```
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<moxmail::dkim::Signer<'static>>();
/// ```
///
/// A signer cannot outlive its key, nor an RFC 7489 evaluator its list:
///
/// ```compile_fail
/// use moxmail::dkim::{Key, SignOptions, Signer};
/// let signer = {
///     let key = Key::generate_ed25519().unwrap();
///     Signer::new(&SignOptions::new("example.org", "s", &key)).unwrap()
/// };
/// ```
/// ```compile_fail
/// use moxmail::dmarc::{DmarcEval, Options, Psl};
/// let ev = {
///     let psl = Psl::load(None).unwrap();
///     DmarcEval::new(b"From: a@example.org\r\n\r\n", None, &[], &Options::rfc7489(&psl)).unwrap()
/// };
/// ```
///
/// while the same code with the key in scope compiles:
///
/// ```
/// use moxmail::dkim::{Key, SignOptions, Signer};
/// let key = Key::generate_ed25519().unwrap();
/// let signer = Signer::new(&SignOptions::new("example.org", "s", &key)).unwrap();
/// std::thread::scope(|s| { s.spawn(move || drop(signer)); }); // Send
/// ```
#[cfg(doctest)]
pub struct ThreadRules;
