// SPDX-License-Identifier: MIT
//! Conversions between Rust and C values, shared by the modules.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::raw::c_char;
use std::ptr;

use crate::error::{status, MoxError, Result};
use crate::ffi;

/// A NUL-terminated copy of an application-supplied string; a NUL inside
/// is MOX_ENUL (the C side would silently shorten it).
pub(crate) fn cstring(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|e| {
        MoxError::with_detail(status::ENUL, format!("{what} has a NUL byte at offset {}", e.nul_position()))
    })
}

pub(crate) fn opt_cstring(what: &str, s: Option<&str>) -> Result<Option<CString>> {
    s.map(|s| cstring(what, s)).transpose()
}

pub(crate) fn opt_ptr(c: &Option<CString>) -> *const c_char {
    c.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

/// A list of C strings and the array of their pointers, for
/// `const char *const *list, size_t n` arguments.
pub(crate) struct CStrList {
    _owned: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CStrList {
    pub(crate) fn new<S: AsRef<str>>(what: &str, items: &[S]) -> Result<CStrList> {
        let owned = items.iter().map(|s| cstring(what, s.as_ref())).collect::<Result<Vec<_>>>()?;
        let ptrs = owned.iter().map(|c| c.as_ptr()).collect();
        Ok(CStrList { _owned: owned, ptrs })
    }

    pub(crate) fn as_ptr(&self) -> *const *const c_char {
        if self.ptrs.is_empty() {
            ptr::null()
        } else {
            self.ptrs.as_ptr()
        }
    }

    /// A non-NULL pointer even for an empty list (where NULL means "the
    /// default list" to the library).
    pub(crate) fn as_nonnull_ptr(&self) -> *const *const c_char {
        if self.ptrs.is_empty() {
            ptr::NonNull::dangling().as_ptr()
        } else {
            self.ptrs.as_ptr()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ptrs.len()
    }
}

/// Copy a borrowed C string ("" for NULL).
///
/// # Safety
/// p is NULL or a valid NUL-terminated string.
pub(crate) unsafe fn string(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: as the caller promises.
    let c = unsafe { CStr::from_ptr(p) };
    match c.to_str() {
        Ok(s) => s.to_owned(),
        Err(_) => c.to_string_lossy().into_owned(),
    }
}

/// Copy a borrowed C string, None for NULL.
///
/// # Safety
/// p is NULL or a valid NUL-terminated string.
pub(crate) unsafe fn opt_string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        // SAFETY: as the caller promises.
        Some(unsafe { string(p) })
    }
}

/// Run a formatter with the snprintf contract (returns the length the
/// whole text needs) and return the text.
pub(crate) fn format_with(mut f: impl FnMut(*mut c_char, usize) -> usize) -> String {
    let mut cap = 256;
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut need = f(buf.as_mut_ptr() as *mut c_char, cap);
    if need >= cap {
        cap = need + 1;
        buf = Vec::with_capacity(cap);
        need = f(buf.as_mut_ptr() as *mut c_char, cap).min(cap - 1);
    }
    // SAFETY: the formatter wrote min(need, cap - 1) octets and a NUL into
    // the cap octets it was given (snprintf contract).
    unsafe { buf.set_len(need) };
    match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Take a `char *` the library allocated (text of out_len octets) and free
/// it with the given function.
///
/// # Safety
/// p points to len readable octets allocated by the library; free frees it.
pub(crate) unsafe fn take_bytes(
    p: *mut c_char,
    len: usize,
    free: unsafe extern "C" fn(*mut std::os::raw::c_void),
) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: as the caller promises.
    let v = unsafe { std::slice::from_raw_parts(p as *const u8, len) }.to_vec();
    // SAFETY: as the caller promises.
    unsafe { free(p as *mut std::os::raw::c_void) };
    v
}

pub(crate) fn to_mox_ip(ip: IpAddr) -> ffi::mox_ip {
    let mut out = ffi::mox_ip::default();
    match ip {
        IpAddr::V4(a) => {
            out.family = 4;
            out.addr[..4].copy_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.family = 6;
            out.addr.copy_from_slice(&a.octets());
        }
    }
    out
}

pub(crate) fn from_mox_ip(ip: &ffi::mox_ip) -> Option<IpAddr> {
    match ip.family {
        4 => Some(IpAddr::V4(Ipv4Addr::new(ip.addr[0], ip.addr[1], ip.addr[2], ip.addr[3]))),
        6 => Some(IpAddr::V6(Ipv6Addr::from(ip.addr))),
        _ => None,
    }
}
