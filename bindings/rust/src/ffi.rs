// SPDX-License-Identifier: MIT
//! Hand-written declarations of the C API, as the public headers define it
//! (mox/common.h, mox/addr.h, mox/dns.h, mox/spf.h, mox/dkim.h,
//! mox/dmarc.h). Only what the safe API uses is declared. Struct layouts
//! follow the headers field by field; tests/layout.rs compares their sizes
//! and offsets with the C compiler's when the test runner provides them.

#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

// --- opaque types ---

#[repr(C)]
pub struct mox_resolver {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dns_answer {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_spf_record {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_spf_eval {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dkim_key {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dkim_signer {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dkim_verifier {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dmarc_record {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dmarc_eval {
    _p: [u8; 0],
}
#[repr(C)]
pub struct mox_dmarc_psl {
    _p: [u8; 0],
}

// --- common.h, addr.h ---

#[repr(C)]
#[derive(Clone, Copy)]
pub struct mox_slice {
    pub ptr: *const u8,
    pub len: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct mox_ip {
    pub family: u8,
    pub addr: [u8; 16],
}

pub type mox_log_fn = Option<unsafe extern "C" fn(arg: *mut c_void, level: c_int, msg: *const c_char)>;

// --- dns.h ---

#[repr(C)]
pub struct mox_dns_rr {
    pub name: *const c_char,
    pub type_: u16,
    pub rclass: u16,
    pub ttl: u32,
    pub rdata: *const u8,
    pub rdlen: usize,
    pub ip: mox_ip,
    pub target: *const c_char,
    pub preference: u16,
    pub weight: u16,
    pub port: u16,
    pub text: *const c_char,
    pub text_len: usize,
    pub strings: *const mox_slice,
    pub nstrings: usize,
    pub tlsa_usage: u8,
    pub tlsa_selector: u8,
    pub tlsa_mtype: u8,
    pub tlsa_data: *const u8,
    pub tlsa_len: usize,
}

#[repr(C)]
pub struct mox_unbound_options {
    pub version: c_uint,
    pub mode: c_int,
    pub resolvconf: *const c_char,
    pub forwarders: *const *const c_char,
    pub nforwarders: usize,
    pub stubs: *const *const c_char,
    pub nstubs: usize,
    pub trust_anchor_file: *const c_char,
    pub trust_anchors: *const *const c_char,
    pub ntrust_anchors: usize,
    pub timeout_ms: c_uint,
    pub unbound_options: *const *const c_char,
    pub nunbound_options: usize,
}
pub const MOX_UNBOUND_OPTIONS_VERSION: c_uint = 1;

#[repr(C)]
pub struct mox_resolver_ops {
    pub version: c_uint,
    pub query: Option<
        unsafe extern "C" fn(
            impl_: *mut c_void,
            r: *mut mox_resolver,
            qid: u64,
            qname: *const c_char,
            qtype: u16,
        ) -> c_int,
    >,
    pub cancel: Option<unsafe extern "C" fn(impl_: *mut c_void, qid: u64)>,
    pub fd: Option<unsafe extern "C" fn(impl_: *mut c_void) -> c_int>,
    pub process: Option<unsafe extern "C" fn(impl_: *mut c_void) -> c_int>,
    pub destroy: Option<unsafe extern "C" fn(impl_: *mut c_void)>,
}
pub const MOX_RESOLVER_OPS_VERSION: c_uint = 1;

// --- spf.h ---

#[repr(C)]
#[derive(Clone, Copy)]
pub struct mox_spf_limits {
    pub dns_terms: c_uint,
    pub void_lookups: c_uint,
    pub mx_names: c_uint,
    pub ptr_names: c_uint,
    pub max_name: c_uint,
    pub max_record: c_uint,
}

#[repr(C)]
pub struct mox_spf_request {
    pub version: c_uint,
    pub identity: c_int,
    pub ip: mox_ip,
    pub sender: *const c_char,
    pub helo: *const c_char,
    pub receiver: *const c_char,
    pub now: i64,
    pub limits: mox_spf_limits,
    pub explanation: bool,
}
pub const MOX_SPF_REQUEST_VERSION: c_uint = 1;

#[repr(C)]
pub struct mox_spf_result {
    pub version: c_uint,
    pub verdict: c_int,
    pub identity: c_int,
    pub domain: *const c_char,
    pub checked: *const c_char,
    pub mechanism: *const c_char,
    pub mechanism_domain: *const c_char,
    pub explanation: *const c_char,
    pub reason: *const c_char,
    pub authentic: bool,
    pub dns_terms: c_uint,
    pub void_lookups: c_uint,
    pub queries: c_uint,
    pub owned_: *mut c_void,
}
pub const MOX_SPF_RESULT_VERSION: c_uint = 1;

#[repr(C)]
pub struct mox_spf_question {
    pub name: *const c_char,
    pub type_: u16,
}

#[repr(C)]
pub struct mox_spf_term {
    pub kind: c_int,
    pub qualifier: c_int,
    pub explicit_qualifier: bool,
    pub domain_spec: *const c_char,
    pub name: *const c_char,
    pub ip: mox_ip,
    pub cidr4: c_uint,
    pub cidr6: c_uint,
    pub offset: usize,
}

// --- dkim.h ---

#[repr(C)]
pub struct mox_dkim_sign_options {
    pub version: c_uint,
    pub domain: *const c_char,
    pub selector: *const c_char,
    pub identity: *const c_char,
    pub key: *const mox_dkim_key,
    pub header_canon: c_int,
    pub body_canon: c_int,
    pub headers: *const *const c_char,
    pub nheaders: usize,
    pub oversign: *const *const c_char,
    pub noversign: usize,
    pub timestamp: i64,
    pub expiration: i64,
    pub body_length: bool,
}
pub const MOX_DKIM_SIGN_OPTIONS_VERSION: c_uint = 1;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct mox_dkim_verify_options {
    pub version: c_uint,
    pub flags: c_uint,
    pub now: i64,
    pub max_clock_skew: i64,
    pub max_signatures: c_uint,
    pub min_rsa_bits: c_uint,
    pub max_header_size: usize,
}
pub const MOX_DKIM_VERIFY_OPTIONS_VERSION: c_uint = 1;

#[repr(C)]
pub struct mox_dkim_result {
    pub version: c_uint,
    pub verdict: c_int,
    pub domain: *const c_char,
    pub selector: *const c_char,
    pub identity: *const c_char,
    pub algorithm: *const c_char,
    pub b: *const c_char,
    pub reason: *const c_char,
    pub authentic: bool,
    pub testing: bool,
    pub has_length: bool,
    pub offset: usize,
    pub owned_: *mut c_void,
}
pub const MOX_DKIM_RESULT_VERSION: c_uint = 1;

#[repr(C)]
pub struct mox_dkim_question {
    pub name: *const c_char,
    pub id: usize,
}

// --- dmarc.h ---

#[repr(C)]
pub struct mox_dmarc_record_info {
    pub p: c_int,
    pub sp: c_int,
    pub np: c_int,
    pub policy_effective: c_int,
    pub psd: c_int,
    pub testing: bool,
    pub adkim: c_int,
    pub aspf: c_int,
    pub fo: *const c_char,
    pub rua: *const *const c_char,
    pub nrua: usize,
    pub ruf: *const *const c_char,
    pub nruf: usize,
    pub pct: c_uint,
    pub has_pct: bool,
    pub rf: *const c_char,
    pub ri: c_uint,
    pub has_ri: bool,
    pub policy_fallback: bool,
}

#[repr(C)]
pub struct mox_dmarc_spf {
    pub result: c_int,
    pub domain: *const c_char,
    pub helo: bool,
}

#[repr(C)]
pub struct mox_dmarc_dkim {
    pub result: c_int,
    pub domain: *const c_char,
    pub selector: *const c_char,
}

#[repr(C)]
pub struct mox_dmarc_options {
    pub version: c_uint,
    pub flags: c_uint,
    pub psl: *const mox_dmarc_psl,
    pub random: Option<unsafe extern "C" fn(arg: *mut c_void) -> c_uint>,
    pub random_arg: *mut c_void,
}
pub const MOX_DMARC_OPTIONS_VERSION: c_uint = 1;
pub const MOX_DMARC_RFC7489: c_uint = 1;

#[repr(C)]
pub struct mox_dmarc_question {
    pub name: *const c_char,
    pub type_: u16,
}

#[repr(C)]
pub struct mox_dmarc_result {
    pub version: c_uint,
    pub verdict: c_int,
    pub policy: c_int,
    pub policy_requested: c_int,
    pub testing: bool,
    pub sampled_out: bool,
    pub reject: bool,
    pub from_domain: *const c_char,
    pub org_domain: *const c_char,
    pub record_domain: *const c_char,
    pub record: *const c_char,
    pub spf_aligned: bool,
    pub dkim_aligned: bool,
    pub dkim_domain: *const c_char,
    pub dkim_selector: *const c_char,
    pub reason: *const c_char,
    pub authentic: bool,
    pub queries: c_uint,
    pub owned_: *mut c_void,
}
pub const MOX_DMARC_RESULT_VERSION: c_uint = 1;

// Linked through build.rs (pkg-config --libs).
extern "C" {
    // common.h
    pub fn mox_strerror(status: c_int) -> *const c_char;
    pub fn mox_status_name(status: c_int) -> *const c_char;
    pub fn mox_version() -> *const c_char;
    pub fn mox_version_number() -> c_uint;

    // addr.h
    pub fn mox_ip_parse(out: *mut mox_ip, s: *const c_char, len: usize) -> c_int;

    // dns.h
    pub fn mox_unbound_options_init(opts: *mut mox_unbound_options, version: c_uint) -> c_int;
    pub fn mox_resolver_new_unbound_err(
        out: *mut *mut mox_resolver,
        opts: *const mox_unbound_options,
        errbuf: *mut c_char,
        errcap: usize,
    ) -> c_int;
    pub fn mox_resolver_new_static(out: *mut *mut mox_resolver) -> c_int;
    pub fn mox_resolver_new_custom(
        out: *mut *mut mox_resolver,
        ops: *const mox_resolver_ops,
        impl_: *mut c_void,
    ) -> c_int;
    pub fn mox_resolver_free(r: *mut mox_resolver);
    pub fn mox_resolver_errmsg(r: *const mox_resolver) -> *const c_char;
    pub fn mox_resolver_set_log(r: *mut mox_resolver, f: mox_log_fn, arg: *mut c_void, max_level: c_int);
    pub fn mox_resolver_set_timeout(r: *mut mox_resolver, ms: c_uint);
    pub fn mox_resolver_static_add(
        r: *mut mox_resolver,
        owner: *const c_char,
        type_: u16,
        ttl: u32,
        rdata: *const u8,
        rdlen: usize,
        authentic: bool,
    ) -> c_int;
    pub fn mox_resolver_static_load(
        r: *mut mox_resolver,
        text: *const c_char,
        len: usize,
        origin: *const c_char,
    ) -> c_int;
    pub fn mox_resolver_static_load_file(r: *mut mox_resolver, path: *const c_char, origin: *const c_char) -> c_int;
    pub fn mox_resolver_static_set_result(r: *mut mox_resolver, name: *const c_char, result: c_int) -> c_int;
    pub fn mox_dns_lookup(
        r: *mut mox_resolver,
        qname: *const c_char,
        qtype: u16,
        out: *mut *mut mox_dns_answer,
    ) -> c_int;
    pub fn mox_resolver_complete(r: *mut mox_resolver, qid: u64, ans: *mut mox_dns_answer) -> c_int;

    pub fn mox_dns_answer_free(a: *mut mox_dns_answer);
    pub fn mox_dns_answer_result(a: *const mox_dns_answer) -> c_int;
    pub fn mox_dns_answer_rcode(a: *const mox_dns_answer) -> c_int;
    pub fn mox_dns_answer_secure(a: *const mox_dns_answer) -> bool;
    pub fn mox_dns_answer_why_bogus(a: *const mox_dns_answer) -> *const c_char;
    pub fn mox_dns_answer_qname(a: *const mox_dns_answer) -> *const c_char;
    pub fn mox_dns_answer_qtype(a: *const mox_dns_answer) -> u16;
    pub fn mox_dns_answer_canonname(a: *const mox_dns_answer) -> *const c_char;
    pub fn mox_dns_answer_cname_count(a: *const mox_dns_answer) -> usize;
    pub fn mox_dns_answer_cname(a: *const mox_dns_answer, i: usize) -> *const c_char;
    pub fn mox_dns_answer_count(a: *const mox_dns_answer) -> usize;
    pub fn mox_dns_answer_rr(a: *const mox_dns_answer, i: usize) -> *const mox_dns_rr;
    pub fn mox_dns_answer_ttl(a: *const mox_dns_answer) -> u32;
    pub fn mox_dns_answer_new(
        out: *mut *mut mox_dns_answer,
        qname: *const c_char,
        qtype: u16,
        result: c_int,
        rcode: c_int,
    ) -> c_int;
    pub fn mox_dns_answer_add(
        a: *mut mox_dns_answer,
        owner: *const c_char,
        type_: u16,
        ttl: u32,
        rdata: *const u8,
        rdlen: usize,
    ) -> c_int;
    pub fn mox_dns_answer_set_secure(a: *mut mox_dns_answer, secure: bool);
    pub fn mox_dns_answer_from_wire(out: *mut *mut mox_dns_answer, msg: *const u8, len: usize, secure: bool) -> c_int;
    pub fn mox_dns_type_name(type_: u16) -> *const c_char;
    pub fn mox_dns_type_parse(out: *mut u16, s: *const c_char) -> c_int;
    pub fn mox_dns_result_name(result: c_int) -> *const c_char;
    pub fn mox_dns_rr_format(buf: *mut c_char, cap: usize, rr: *const mox_dns_rr) -> usize;
    pub fn mox_dns_rdata_format(buf: *mut c_char, cap: usize, rr: *const mox_dns_rr) -> usize;
}

// Linked through build.rs (pkg-config --libs).
extern "C" {
    pub fn mox_spf_record_parse(
        out: *mut *mut mox_spf_record,
        p: *const u8,
        len: usize,
        err_offset: *mut usize,
        err: *mut *const c_char,
    ) -> c_int;
    pub fn mox_spf_record_free(r: *mut mox_spf_record);
    pub fn mox_spf_record_count(r: *const mox_spf_record) -> usize;
    pub fn mox_spf_record_term(r: *const mox_spf_record, i: usize) -> *const mox_spf_term;
    pub fn mox_spf_record_format(buf: *mut c_char, cap: usize, r: *const mox_spf_record) -> usize;
    pub fn mox_spf_term_format(buf: *mut c_char, cap: usize, t: *const mox_spf_term) -> usize;
    pub fn mox_spf_eval_new(out: *mut *mut mox_spf_eval, req: *const mox_spf_request) -> c_int;
    pub fn mox_spf_eval_free(e: *mut mox_spf_eval);
    pub fn mox_spf_eval_step(e: *mut mox_spf_eval, q: *mut mox_spf_question) -> c_int;
    pub fn mox_spf_eval_answer(e: *mut mox_spf_eval, ans: *const mox_dns_answer) -> c_int;
    pub fn mox_spf_eval_result(e: *const mox_spf_eval, out: *mut mox_spf_result) -> c_int;
    pub fn mox_spf_check(out: *mut mox_spf_result, r: *mut mox_resolver, req: *const mox_spf_request) -> c_int;
    pub fn mox_spf_result_release(res: *mut mox_spf_result);
    pub fn mox_spf_verdict_name(verdict: c_int) -> *const c_char;
    pub fn mox_spf_verdict_parse(name: *const c_char) -> c_int;
    pub fn mox_spf_received(
        buf: *mut c_char,
        cap: usize,
        res: *const mox_spf_result,
        req: *const mox_spf_request,
        receiver: *const c_char,
    ) -> usize;
    pub fn mox_spf_authres(
        buf: *mut c_char,
        cap: usize,
        res: *const mox_spf_result,
        req: *const mox_spf_request,
    ) -> usize;
}

// Linked through build.rs (pkg-config --libs).
extern "C" {
    pub fn mox_dkim_key_generate(out: *mut *mut mox_dkim_key, type_: c_int, bits: c_uint) -> c_int;
    pub fn mox_dkim_key_from_pem(out: *mut *mut mox_dkim_key, pem: *const u8, len: usize) -> c_int;
    pub fn mox_dkim_key_to_pem(out: *mut *mut c_char, out_len: *mut usize, k: *const mox_dkim_key) -> c_int;
    pub fn mox_dkim_key_txt(out: *mut *mut c_char, out_len: *mut usize, k: *const mox_dkim_key, split: bool) -> c_int;
    pub fn mox_dkim_key_get_type(k: *const mox_dkim_key) -> c_int;
    pub fn mox_dkim_key_bits(k: *const mox_dkim_key) -> c_uint;
    pub fn mox_dkim_key_free(k: *mut mox_dkim_key);
    pub fn mox_dkim_free(p: *mut c_void);

    pub fn mox_dkim_signer_new(out: *mut *mut mox_dkim_signer, opts: *const mox_dkim_sign_options) -> c_int;
    pub fn mox_dkim_signer_free(s: *mut mox_dkim_signer);
    pub fn mox_dkim_signer_feed(s: *mut mox_dkim_signer, p: *const u8, len: usize) -> c_int;
    pub fn mox_dkim_signer_finish(s: *mut mox_dkim_signer, out: *mut *mut c_char, out_len: *mut usize) -> c_int;
    pub fn mox_dkim_sign(
        out: *mut *mut c_char,
        out_len: *mut usize,
        opts: *const mox_dkim_sign_options,
        msg: *const u8,
        len: usize,
    ) -> c_int;

    pub fn mox_dkim_verifier_new(out: *mut *mut mox_dkim_verifier, opts: *const mox_dkim_verify_options) -> c_int;
    pub fn mox_dkim_verifier_free(v: *mut mox_dkim_verifier);
    pub fn mox_dkim_verifier_feed(v: *mut mox_dkim_verifier, p: *const u8, len: usize) -> c_int;
    pub fn mox_dkim_verifier_finish(v: *mut mox_dkim_verifier) -> c_int;
    pub fn mox_dkim_verifier_step(v: *mut mox_dkim_verifier, q: *mut mox_dkim_question) -> c_int;
    pub fn mox_dkim_verifier_answer(v: *mut mox_dkim_verifier, id: usize, ans: *const mox_dns_answer) -> c_int;
    pub fn mox_dkim_verifier_count(v: *const mox_dkim_verifier) -> usize;
    pub fn mox_dkim_verifier_result(v: *const mox_dkim_verifier, i: usize, out: *mut mox_dkim_result) -> c_int;
    pub fn mox_dkim_verify(
        out: *mut *mut mox_dkim_result,
        nout: *mut usize,
        r: *mut mox_resolver,
        opts: *const mox_dkim_verify_options,
        msg: *const u8,
        len: usize,
    ) -> c_int;
    pub fn mox_dkim_result_release(res: *mut mox_dkim_result);
    pub fn mox_dkim_verdict_name(verdict: c_int) -> *const c_char;
    pub fn mox_dkim_authres(buf: *mut c_char, cap: usize, res: *const mox_dkim_result) -> usize;
}

// Linked through build.rs (pkg-config --libs).
extern "C" {
    pub fn mox_dmarc_record_parse(
        out: *mut *mut mox_dmarc_record,
        p: *const u8,
        len: usize,
        err: *mut *const c_char,
    ) -> c_int;
    pub fn mox_dmarc_record_free(r: *mut mox_dmarc_record);
    pub fn mox_dmarc_record_view(r: *const mox_dmarc_record) -> *const mox_dmarc_record_info;
    pub fn mox_dmarc_record_format(buf: *mut c_char, cap: usize, r: *const mox_dmarc_record) -> usize;
    pub fn mox_dmarc_psl_load(out: *mut *mut mox_dmarc_psl, path: *const c_char) -> c_int;
    pub fn mox_dmarc_psl_free(psl: *mut mox_dmarc_psl);
    pub fn mox_dmarc_psl_orgdomain(
        buf: *mut c_char,
        cap: usize,
        psl: *const mox_dmarc_psl,
        domain: *const c_char,
    ) -> usize;
    pub fn mox_dmarc_eval_new(
        out: *mut *mut mox_dmarc_eval,
        from: *const u8,
        from_len: usize,
        spf: *const mox_dmarc_spf,
        dkim: *const mox_dmarc_dkim,
        ndkim: usize,
        opts: *const mox_dmarc_options,
    ) -> c_int;
    pub fn mox_dmarc_eval_new_msg(
        out: *mut *mut mox_dmarc_eval,
        msg: *const u8,
        len: usize,
        spf: *const mox_dmarc_spf,
        dkim: *const mox_dmarc_dkim,
        ndkim: usize,
        opts: *const mox_dmarc_options,
    ) -> c_int;
    pub fn mox_dmarc_eval_free(e: *mut mox_dmarc_eval);
    pub fn mox_dmarc_eval_step(e: *mut mox_dmarc_eval, q: *mut mox_dmarc_question) -> c_int;
    pub fn mox_dmarc_eval_answer(e: *mut mox_dmarc_eval, ans: *const mox_dns_answer) -> c_int;
    pub fn mox_dmarc_eval_result(e: *const mox_dmarc_eval, out: *mut mox_dmarc_result) -> c_int;
    pub fn mox_dmarc_check(
        out: *mut mox_dmarc_result,
        r: *mut mox_resolver,
        msg: *const u8,
        len: usize,
        spf: *const mox_dmarc_spf,
        dkim: *const mox_dmarc_dkim,
        ndkim: usize,
        opts: *const mox_dmarc_options,
    ) -> c_int;
    pub fn mox_dmarc_result_release(res: *mut mox_dmarc_result);
    pub fn mox_dmarc_verdict_name(verdict: c_int) -> *const c_char;
    pub fn mox_dmarc_policy_name(policy: c_int) -> *const c_char;
    pub fn mox_dmarc_authres(buf: *mut c_char, cap: usize, res: *const mox_dmarc_result) -> usize;
}

/// Compares the declarations above with the C compiler's layout, printed by
/// tests/layout.c; the test runner builds that program and passes its
/// output as MOXMAIL_C_LAYOUT=FILE.
#[cfg(test)]
mod layout {
    use super::*;
    use std::mem::{align_of, size_of, MaybeUninit};

    macro_rules! offset {
        ($t:ty, $f:ident) => {{
            let u = MaybeUninit::<$t>::uninit();
            let base = u.as_ptr();
            // SAFETY: only the address of the field is taken.
            let field = unsafe { std::ptr::addr_of!((*base).$f) };
            field as usize - base as usize
        }};
    }

    /// The C name of a field: `type` is a Rust keyword.
    fn c_name(f: &str) -> &str {
        if f == "type_" {
            "type"
        } else {
            f
        }
    }

    macro_rules! layout {
        ($out:ident, $t:ident { $($f:ident),* $(,)? }) => {{
            $out.push(format!("struct {} {} {}", stringify!($t), size_of::<$t>(), align_of::<$t>()));
            $(
                $out.push(format!("field {}.{} {}", stringify!($t),
                    c_name(stringify!($f)), offset!($t, $f)));
            )*
        }};
    }

    fn rust_layout() -> Vec<String> {
        let mut v = Vec::new();
        layout!(v, mox_slice { ptr, len });
        layout!(v, mox_ip { family, addr });
        layout!(
            v,
            mox_dns_rr {
                name,
                type_,
                rclass,
                ttl,
                rdata,
                rdlen,
                ip,
                target,
                preference,
                weight,
                port,
                text,
                text_len,
                strings,
                nstrings,
                tlsa_usage,
                tlsa_selector,
                tlsa_mtype,
                tlsa_data,
                tlsa_len
            }
        );
        layout!(
            v,
            mox_unbound_options {
                version,
                mode,
                resolvconf,
                forwarders,
                nforwarders,
                stubs,
                nstubs,
                trust_anchor_file,
                trust_anchors,
                ntrust_anchors,
                timeout_ms,
                unbound_options,
                nunbound_options
            }
        );
        layout!(v, mox_resolver_ops { version, query, cancel, fd, process, destroy });
        layout!(v, mox_spf_limits { dns_terms, void_lookups, mx_names, ptr_names, max_name, max_record });
        layout!(v, mox_spf_request { version, identity, ip, sender, helo, receiver, now, limits, explanation });
        layout!(
            v,
            mox_spf_result {
                version,
                verdict,
                identity,
                domain,
                checked,
                mechanism,
                mechanism_domain,
                explanation,
                reason,
                authentic,
                dns_terms,
                void_lookups,
                queries,
                owned_
            }
        );
        layout!(v, mox_spf_question { name, type_ });
        layout!(v, mox_spf_term { kind, qualifier, explicit_qualifier, domain_spec, name, ip, cidr4, cidr6, offset });
        layout!(
            v,
            mox_dkim_sign_options {
                version,
                domain,
                selector,
                identity,
                key,
                header_canon,
                body_canon,
                headers,
                nheaders,
                oversign,
                noversign,
                timestamp,
                expiration,
                body_length
            }
        );
        layout!(
            v,
            mox_dkim_verify_options {
                version,
                flags,
                now,
                max_clock_skew,
                max_signatures,
                min_rsa_bits,
                max_header_size
            }
        );
        layout!(
            v,
            mox_dkim_result {
                version,
                verdict,
                domain,
                selector,
                identity,
                algorithm,
                b,
                reason,
                authentic,
                testing,
                has_length,
                offset,
                owned_
            }
        );
        layout!(v, mox_dkim_question { name, id });
        layout!(
            v,
            mox_dmarc_record_info {
                p,
                sp,
                np,
                policy_effective,
                psd,
                testing,
                adkim,
                aspf,
                fo,
                rua,
                nrua,
                ruf,
                nruf,
                pct,
                has_pct,
                rf,
                ri,
                has_ri,
                policy_fallback
            }
        );
        layout!(v, mox_dmarc_spf { result, domain, helo });
        layout!(v, mox_dmarc_dkim { result, domain, selector });
        layout!(v, mox_dmarc_options { version, flags, psl, random, random_arg });
        layout!(v, mox_dmarc_question { name, type_ });
        layout!(
            v,
            mox_dmarc_result {
                version,
                verdict,
                policy,
                policy_requested,
                testing,
                sampled_out,
                reject,
                from_domain,
                org_domain,
                record_domain,
                record,
                spf_aligned,
                dkim_aligned,
                dkim_domain,
                dkim_selector,
                reason,
                authentic,
                queries,
                owned_
            }
        );
        v
    }

    #[test]
    fn struct_layouts_match_the_c_compiler() {
        let path = match std::env::var_os("MOXMAIL_C_LAYOUT") {
            Some(p) => p,
            None => {
                eprintln!("MOXMAIL_C_LAYOUT not set (tests/layout.c output); layout not compared");
                return;
            }
        };
        let text = std::fs::read_to_string(&path).expect("read MOXMAIL_C_LAYOUT");
        let c: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        let rust = rust_layout();
        assert!(c.len() > 100, "layout file too short: {} lines", c.len());
        let missing: Vec<&&str> = c.iter().filter(|l| !rust.iter().any(|r| r == **l)).collect();
        let extra: Vec<&String> = rust.iter().filter(|r| !c.iter().any(|l| l == r)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "C layout lines not matched: {missing:#?}\nRust lines not in C: {extra:#?}"
        );
    }
}
