// SPDX-License-Identifier: MIT
//! MoxError: a failing call's mox_status code, its name and a message.

use std::ffi::CStr;
use std::fmt;
use std::os::raw::c_int;

use crate::ffi;

/// The `mox_status` codes of `<mox/common.h>`. Errors are negative; codes
/// are never renumbered.
pub mod status {
    #![allow(missing_docs)]
    pub const OK: i32 = 0;
    pub const ENOMEM: i32 = -1;
    pub const EINVAL: i32 = -2;
    pub const ESYNTAX: i32 = -3;
    pub const EVERSION: i32 = -4;
    pub const ECANCELED: i32 = -5;
    pub const EBUFS: i32 = -6;
    pub const ETOOLONG: i32 = -7;
    pub const EUTF8: i32 = -8;
    pub const EIDNA: i32 = -9;
    pub const EEMPTY: i32 = -10;
    pub const ENUL: i32 = -11;
    pub const ENOTFOUND: i32 = -12;
    pub const EDNS: i32 = -13;
    pub const ETIMEOUT: i32 = -14;
    pub const EIO: i32 = -15;
    pub const ELIMIT: i32 = -16;
    pub const EUNSUPPORTED: i32 = -17;
    pub const ESTATE: i32 = -18;
    pub const EEXIST: i32 = -19;
    pub const ERANGE: i32 = -20;
}

/// Result of every fallible call of this crate.
pub type Result<T> = std::result::Result<T, MoxError>;

/// A failed call: the library's status code (a negative `mox_status`),
/// its symbolic name ("MOX_ESYNTAX", from `mox_status_name()`) and a
/// message (`mox_strerror()`, with the handle's detail where the library
/// gives one, such as "line 3: bad IPv4 address").
#[derive(Clone, PartialEq, Eq)]
pub struct MoxError {
    code: i32,
    name: &'static str,
    message: String,
}

impl MoxError {
    /// An error with the library's message for `code`.
    pub fn new(code: i32) -> MoxError {
        MoxError { code, name: status_name(code), message: strerror(code) }
    }

    /// An error with the library's message for `code` followed by detail.
    pub fn with_detail(code: i32, detail: impl AsRef<str>) -> MoxError {
        let detail = detail.as_ref();
        let mut message = strerror(code);
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(detail);
        }
        MoxError { code, name: status_name(code), message }
    }

    /// The `mox_status` code, such as `status::ESYNTAX` (-3).
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The code's name, such as "MOX_ESYNTAX" ("MOX_UNKNOWN" for a number
    /// that is not a code).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The message: the code's text and any detail.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl fmt::Debug for MoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MoxError({} {}: {})", self.code, self.name, self.message)
    }
}

impl std::error::Error for MoxError {}

fn strerror(code: i32) -> String {
    // SAFETY: mox_strerror() returns a static string, never NULL.
    unsafe { CStr::from_ptr(ffi::mox_strerror(code as c_int)) }.to_string_lossy().into_owned()
}

fn status_name(code: i32) -> &'static str {
    // SAFETY: mox_status_name() returns a static string or NULL.
    let p = unsafe { ffi::mox_status_name(code as c_int) };
    if p.is_null() {
        return "MOX_UNKNOWN";
    }
    // SAFETY: static, NUL-terminated, lives as long as the library (which
    // is never unloaded while this crate is linked to it).
    let s: &'static CStr = unsafe { CStr::from_ptr(p) };
    s.to_str().unwrap_or("MOX_UNKNOWN")
}

/// Ok(rc) for rc >= 0, else the error.
pub(crate) fn check(rc: c_int) -> Result<c_int> {
    if rc < 0 {
        Err(MoxError::new(rc))
    } else {
        Ok(rc)
    }
}
