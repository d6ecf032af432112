# SPDX-License-Identifier: MIT
"""Loading of the mox shared libraries and their C declarations (ctypes).

Internal: the public API is in moxmail.dns, moxmail.spf, moxmail.dkim and
moxmail.dmarc. The declarations here follow the installed headers
<mox/common.h>, <mox/addr.h>, <mox/dns.h>, <mox/spf.h>, <mox/dkim.h> and
<mox/dmarc.h> (soname 0.1) field by field.

The libraries are loaded by soname (libmox-core.so.0.1, ...), as the
dynamic linker finds them (LD_LIBRARY_PATH, ld.so.cache), unless the
environment variable MOXMAIL_LIBDIR names a directory: then they are
loaded from there, or from its libmox*/ subdirectories (a meson build
directory).
"""
import ctypes
import glob
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_bool, c_char,
                    c_char_p, c_int, c_int64, c_size_t, c_uint, c_uint8,
                    c_uint16, c_uint32, c_uint64, c_void_p)

SONAMES = {
    'core': 'libmox-core.so.0.1',
    'spf': 'libmox-spf.so.0.1',
    'dkim': 'libmox-dkim.so.0.1',
    'dmarc': 'libmox-dmarc.so.0.1',
}


def _find(soname):
    libdir = os.environ.get('MOXMAIL_LIBDIR')
    if not libdir:
        return soname
    cands = [os.path.join(libdir, soname)]
    cands += sorted(glob.glob(os.path.join(libdir, 'libmox*', soname)))
    for c in cands:
        if os.path.exists(c):
            return c
    raise OSError('MOXMAIL_LIBDIR=%s: %s not found there nor in its libmox*/ '
                  'subdirectories' % (libdir, soname))


def _load(name):
    path = _find(SONAMES[name])
    try:
        return ctypes.CDLL(path)
    except OSError as e:
        raise OSError('moxmail: cannot load %s (%s); install the mox libraries '
                      'or set MOXMAIL_LIBDIR' % (path, e)) from None


# libmox-core first: the others name it as NEEDED by its soname, which the
# dynamic linker then finds already loaded.
core = _load('core')
spf = _load('spf')
dkim = _load('dkim')
dmarc = _load('dmarc')

# --- constants (values from the headers; stable) ---

MOX_OK = 0
MOX_ENOMEM = -1
MOX_EINVAL = -2
MOX_ESYNTAX = -3
MOX_ENUL = -11
MOX_ENOTFOUND = -12
MOX_ESTATE = -18

DNS_RESULTS = ('ok', 'nodata', 'nxdomain', 'servfail', 'timeout', 'bogus',
               'error')
DNS_RESULT_RCODE = {0: 0, 1: 0, 2: 3, 3: 2, 4: 2, 5: 2, 6: 5}

SPF_VERDICTS = ('none', 'neutral', 'pass', 'fail', 'softfail', 'temperror',
                'permerror')
DKIM_VERDICTS = ('none', 'pass', 'fail', 'neutral', 'policy', 'temperror',
                 'permerror')
DMARC_VERDICTS = ('none', 'pass', 'fail', 'temperror', 'permerror')
DMARC_POLICIES = (None, 'none', 'quarantine', 'reject')

# --- structs ---


class MoxIp(Structure):
    _fields_ = [('family', c_uint8), ('addr', c_uint8 * 16)]


class MoxSlice(Structure):
    _fields_ = [('ptr', POINTER(c_uint8)), ('len', c_size_t)]


class DnsRr(Structure):
    _fields_ = [
        ('name', c_char_p), ('type', c_uint16), ('rclass', c_uint16),
        ('ttl', c_uint32), ('rdata', POINTER(c_uint8)), ('rdlen', c_size_t),
        ('ip', MoxIp), ('target', c_char_p), ('preference', c_uint16),
        ('weight', c_uint16), ('port', c_uint16),
        ('text', POINTER(c_char)), ('text_len', c_size_t),
        ('strings', POINTER(MoxSlice)), ('nstrings', c_size_t),
        ('tlsa_usage', c_uint8), ('tlsa_selector', c_uint8),
        ('tlsa_mtype', c_uint8), ('tlsa_data', POINTER(c_uint8)),
        ('tlsa_len', c_size_t),
    ]


c_char_pp = POINTER(c_char_p)


class UnboundOptions(Structure):
    _fields_ = [
        ('version', c_uint), ('mode', c_int), ('resolvconf', c_char_p),
        ('forwarders', c_char_pp), ('nforwarders', c_size_t),
        ('stubs', c_char_pp), ('nstubs', c_size_t),
        ('trust_anchor_file', c_char_p),
        ('trust_anchors', c_char_pp), ('ntrust_anchors', c_size_t),
        ('timeout_ms', c_uint),
        ('unbound_options', c_char_pp), ('nunbound_options', c_size_t),
    ]


QUERY_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_uint64, c_char_p, c_uint16)
CANCEL_FN = CFUNCTYPE(None, c_void_p, c_uint64)
FD_FN = CFUNCTYPE(c_int, c_void_p)
PROCESS_FN = CFUNCTYPE(c_int, c_void_p)
DESTROY_FN = CFUNCTYPE(None, c_void_p)
LOG_FN = CFUNCTYPE(None, c_void_p, c_int, c_char_p)


class ResolverOps(Structure):
    _fields_ = [
        ('version', c_uint), ('query', QUERY_FN), ('cancel', CANCEL_FN),
        ('fd', FD_FN), ('process', PROCESS_FN), ('destroy', DESTROY_FN),
    ]


class SpfLimits(Structure):
    _fields_ = [(n, c_uint) for n in ('dns_terms', 'void_lookups', 'mx_names',
                                      'ptr_names', 'max_name', 'max_record')]


class SpfRequest(Structure):
    _fields_ = [
        ('version', c_uint), ('identity', c_int), ('ip', MoxIp),
        ('sender', c_char_p), ('helo', c_char_p), ('receiver', c_char_p),
        ('now', c_int64), ('limits', SpfLimits), ('explanation', c_bool),
    ]


class SpfResult(Structure):
    _fields_ = [
        ('version', c_uint), ('verdict', c_int), ('identity', c_int),
        ('domain', c_char_p), ('checked', c_char_p), ('mechanism', c_char_p),
        ('mechanism_domain', c_char_p), ('explanation', c_char_p),
        ('reason', c_char_p), ('authentic', c_bool),
        ('dns_terms', c_uint), ('void_lookups', c_uint), ('queries', c_uint),
        ('owned_', c_void_p),
    ]


class SpfQuestion(Structure):
    _fields_ = [('name', c_char_p), ('type', c_uint16)]


class SpfTerm(Structure):
    _fields_ = [
        ('kind', c_int), ('qualifier', c_int), ('explicit_qualifier', c_bool),
        ('domain_spec', c_char_p), ('name', c_char_p), ('ip', MoxIp),
        ('cidr4', c_uint), ('cidr6', c_uint), ('offset', c_size_t),
    ]


class DkimSignOptions(Structure):
    _fields_ = [
        ('version', c_uint), ('domain', c_char_p), ('selector', c_char_p),
        ('identity', c_char_p), ('key', c_void_p),
        ('header_canon', c_int), ('body_canon', c_int),
        ('headers', c_char_pp), ('nheaders', c_size_t),
        ('oversign', c_char_pp), ('noversign', c_size_t),
        ('timestamp', c_int64), ('expiration', c_int64),
        ('body_length', c_bool),
    ]


class DkimVerifyOptions(Structure):
    _fields_ = [
        ('version', c_uint), ('flags', c_uint), ('now', c_int64),
        ('max_clock_skew', c_int64), ('max_signatures', c_uint),
        ('min_rsa_bits', c_uint), ('max_header_size', c_size_t),
    ]


class DkimResult(Structure):
    _fields_ = [
        ('version', c_uint), ('verdict', c_int), ('domain', c_char_p),
        ('selector', c_char_p), ('identity', c_char_p),
        ('algorithm', c_char_p), ('b', c_char_p), ('reason', c_char_p),
        ('authentic', c_bool), ('testing', c_bool), ('has_length', c_bool),
        ('offset', c_size_t), ('owned_', c_void_p),
    ]


class DkimQuestion(Structure):
    _fields_ = [('name', c_char_p), ('id', c_size_t)]


class DmarcRecordInfo(Structure):
    _fields_ = [
        ('p', c_int), ('sp', c_int), ('np', c_int),
        ('policy_effective', c_int), ('psd', c_int), ('testing', c_bool),
        ('adkim', c_int), ('aspf', c_int), ('fo', c_char_p),
        ('rua', c_char_pp), ('nrua', c_size_t),
        ('ruf', c_char_pp), ('nruf', c_size_t),
        ('pct', c_uint), ('has_pct', c_bool), ('rf', c_char_p),
        ('ri', c_uint), ('has_ri', c_bool), ('policy_fallback', c_bool),
    ]


class DmarcSpf(Structure):
    _fields_ = [('result', c_int), ('domain', c_char_p), ('helo', c_bool)]


class DmarcDkim(Structure):
    _fields_ = [('result', c_int), ('domain', c_char_p),
                ('selector', c_char_p)]


RANDOM_FN = CFUNCTYPE(c_uint, c_void_p)


class DmarcOptions(Structure):
    _fields_ = [
        ('version', c_uint), ('flags', c_uint), ('psl', c_void_p),
        ('random', RANDOM_FN), ('random_arg', c_void_p),
    ]


class DmarcQuestion(Structure):
    _fields_ = [('name', c_char_p), ('type', c_uint16)]


class DmarcResult(Structure):
    _fields_ = [
        ('version', c_uint), ('verdict', c_int), ('policy', c_int),
        ('policy_requested', c_int), ('testing', c_bool),
        ('sampled_out', c_bool), ('reject', c_bool),
        ('from_domain', c_char_p), ('org_domain', c_char_p),
        ('record_domain', c_char_p), ('record', c_char_p),
        ('spf_aligned', c_bool), ('dkim_aligned', c_bool),
        ('dkim_domain', c_char_p), ('dkim_selector', c_char_p),
        ('reason', c_char_p), ('authentic', c_bool), ('queries', c_uint),
        ('owned_', c_void_p),
    ]


# --- functions ---

def _decl(lib, name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


u8p = POINTER(c_uint8)
vpp = POINTER(c_void_p)
szp = POINTER(c_size_t)
ccp_p = POINTER(c_char_p)

# common.h, addr.h
mox_strerror = _decl(core, 'mox_strerror', c_char_p, c_int)
mox_status_name = _decl(core, 'mox_status_name', c_char_p, c_int)
mox_version = _decl(core, 'mox_version', c_char_p)
mox_version_number = _decl(core, 'mox_version_number', c_uint)
mox_ip_parse = _decl(core, 'mox_ip_parse', c_int, POINTER(MoxIp), c_char_p,
                     c_size_t)
mox_ip_format = _decl(core, 'mox_ip_format', c_size_t, c_char_p, c_size_t,
                      POINTER(MoxIp))

# dns.h
mox_unbound_options_init = _decl(core, 'mox_unbound_options_init', c_int,
                                 POINTER(UnboundOptions), c_uint)
mox_resolver_new_unbound_err = _decl(
    core, 'mox_resolver_new_unbound_err', c_int, vpp,
    POINTER(UnboundOptions), c_char_p, c_size_t)
mox_resolver_new_static = _decl(core, 'mox_resolver_new_static', c_int, vpp)
mox_resolver_new_custom = _decl(core, 'mox_resolver_new_custom', c_int, vpp,
                                POINTER(ResolverOps), c_void_p)
mox_resolver_free = _decl(core, 'mox_resolver_free', None, c_void_p)
mox_resolver_errmsg = _decl(core, 'mox_resolver_errmsg', c_char_p, c_void_p)
mox_resolver_set_timeout = _decl(core, 'mox_resolver_set_timeout', None,
                                 c_void_p, c_uint)
mox_resolver_static_add = _decl(core, 'mox_resolver_static_add', c_int,
                                c_void_p, c_char_p, c_uint16, c_uint32,
                                c_char_p, c_size_t, c_bool)
mox_resolver_static_load = _decl(core, 'mox_resolver_static_load', c_int,
                                 c_void_p, c_char_p, c_size_t, c_char_p)
mox_resolver_static_load_file = _decl(core, 'mox_resolver_static_load_file',
                                      c_int, c_void_p, c_char_p, c_char_p)
mox_resolver_static_set_result = _decl(core, 'mox_resolver_static_set_result',
                                       c_int, c_void_p, c_char_p, c_int)
mox_dns_lookup = _decl(core, 'mox_dns_lookup', c_int, c_void_p, c_char_p,
                       c_uint16, vpp)
mox_resolver_complete = _decl(core, 'mox_resolver_complete', c_int, c_void_p,
                              c_uint64, c_void_p)
mox_dns_answer_free = _decl(core, 'mox_dns_answer_free', None, c_void_p)
mox_dns_answer_result = _decl(core, 'mox_dns_answer_result', c_int, c_void_p)
mox_dns_answer_rcode = _decl(core, 'mox_dns_answer_rcode', c_int, c_void_p)
mox_dns_answer_secure = _decl(core, 'mox_dns_answer_secure', c_bool, c_void_p)
mox_dns_answer_why_bogus = _decl(core, 'mox_dns_answer_why_bogus', c_char_p,
                                 c_void_p)
mox_dns_answer_qname = _decl(core, 'mox_dns_answer_qname', c_char_p, c_void_p)
mox_dns_answer_qtype = _decl(core, 'mox_dns_answer_qtype', c_uint16, c_void_p)
mox_dns_answer_canonname = _decl(core, 'mox_dns_answer_canonname', c_char_p,
                                 c_void_p)
mox_dns_answer_cname_count = _decl(core, 'mox_dns_answer_cname_count',
                                   c_size_t, c_void_p)
mox_dns_answer_cname = _decl(core, 'mox_dns_answer_cname', c_char_p, c_void_p,
                             c_size_t)
mox_dns_answer_count = _decl(core, 'mox_dns_answer_count', c_size_t, c_void_p)
mox_dns_answer_rr = _decl(core, 'mox_dns_answer_rr', POINTER(DnsRr), c_void_p,
                          c_size_t)
mox_dns_answer_ttl = _decl(core, 'mox_dns_answer_ttl', c_uint32, c_void_p)
mox_dns_answer_new = _decl(core, 'mox_dns_answer_new', c_int, vpp, c_char_p,
                           c_uint16, c_int, c_int)
mox_dns_answer_add = _decl(core, 'mox_dns_answer_add', c_int, c_void_p,
                           c_char_p, c_uint16, c_uint32, c_char_p, c_size_t)
mox_dns_answer_set_secure = _decl(core, 'mox_dns_answer_set_secure', None,
                                  c_void_p, c_bool)
mox_dns_type_name = _decl(core, 'mox_dns_type_name', c_char_p, c_uint16)
mox_dns_type_parse = _decl(core, 'mox_dns_type_parse', c_int,
                           POINTER(c_uint16), c_char_p)
mox_dns_rdata_format = _decl(core, 'mox_dns_rdata_format', c_size_t, c_char_p,
                             c_size_t, POINTER(DnsRr))

# spf.h
mox_spf_record_parse = _decl(spf, 'mox_spf_record_parse', c_int, vpp,
                             c_char_p, c_size_t, szp, ccp_p)
mox_spf_record_free = _decl(spf, 'mox_spf_record_free', None, c_void_p)
mox_spf_record_count = _decl(spf, 'mox_spf_record_count', c_size_t, c_void_p)
mox_spf_record_term = _decl(spf, 'mox_spf_record_term', POINTER(SpfTerm),
                            c_void_p, c_size_t)
mox_spf_record_format = _decl(spf, 'mox_spf_record_format', c_size_t,
                              c_char_p, c_size_t, c_void_p)
mox_spf_term_format = _decl(spf, 'mox_spf_term_format', c_size_t, c_char_p,
                            c_size_t, POINTER(SpfTerm))
mox_spf_eval_new = _decl(spf, 'mox_spf_eval_new', c_int, vpp,
                         POINTER(SpfRequest))
mox_spf_eval_free = _decl(spf, 'mox_spf_eval_free', None, c_void_p)
mox_spf_eval_step = _decl(spf, 'mox_spf_eval_step', c_int, c_void_p,
                          POINTER(SpfQuestion))
mox_spf_eval_answer = _decl(spf, 'mox_spf_eval_answer', c_int, c_void_p,
                            c_void_p)
mox_spf_eval_result = _decl(spf, 'mox_spf_eval_result', c_int, c_void_p,
                            POINTER(SpfResult))
mox_spf_check = _decl(spf, 'mox_spf_check', c_int, POINTER(SpfResult),
                      c_void_p, POINTER(SpfRequest))
mox_spf_result_release = _decl(spf, 'mox_spf_result_release', None,
                               POINTER(SpfResult))
mox_spf_received = _decl(spf, 'mox_spf_received', c_size_t, c_char_p,
                         c_size_t, POINTER(SpfResult), POINTER(SpfRequest),
                         c_char_p)
mox_spf_authres = _decl(spf, 'mox_spf_authres', c_size_t, c_char_p, c_size_t,
                        POINTER(SpfResult), POINTER(SpfRequest))

# dkim.h
mox_dkim_key_generate = _decl(dkim, 'mox_dkim_key_generate', c_int, vpp,
                              c_int, c_uint)
mox_dkim_key_from_pem = _decl(dkim, 'mox_dkim_key_from_pem', c_int, vpp,
                              c_char_p, c_size_t)
mox_dkim_key_to_pem = _decl(dkim, 'mox_dkim_key_to_pem', c_int, vpp, szp,
                            c_void_p)
mox_dkim_key_txt = _decl(dkim, 'mox_dkim_key_txt', c_int, vpp, szp, c_void_p,
                         c_bool)
mox_dkim_key_get_type = _decl(dkim, 'mox_dkim_key_get_type', c_int, c_void_p)
mox_dkim_key_bits = _decl(dkim, 'mox_dkim_key_bits', c_uint, c_void_p)
mox_dkim_key_free = _decl(dkim, 'mox_dkim_key_free', None, c_void_p)
mox_dkim_free = _decl(dkim, 'mox_dkim_free', None, c_void_p)
mox_dkim_sign = _decl(dkim, 'mox_dkim_sign', c_int, vpp, szp,
                      POINTER(DkimSignOptions), c_char_p, c_size_t)
mox_dkim_verifier_new = _decl(dkim, 'mox_dkim_verifier_new', c_int, vpp,
                              POINTER(DkimVerifyOptions))
mox_dkim_verifier_free = _decl(dkim, 'mox_dkim_verifier_free', None, c_void_p)
mox_dkim_verifier_feed = _decl(dkim, 'mox_dkim_verifier_feed', c_int,
                               c_void_p, c_char_p, c_size_t)
mox_dkim_verifier_finish = _decl(dkim, 'mox_dkim_verifier_finish', c_int,
                                 c_void_p)
mox_dkim_verifier_step = _decl(dkim, 'mox_dkim_verifier_step', c_int,
                               c_void_p, POINTER(DkimQuestion))
mox_dkim_verifier_answer = _decl(dkim, 'mox_dkim_verifier_answer', c_int,
                                 c_void_p, c_size_t, c_void_p)
mox_dkim_verifier_count = _decl(dkim, 'mox_dkim_verifier_count', c_size_t,
                                c_void_p)
mox_dkim_verifier_result = _decl(dkim, 'mox_dkim_verifier_result', c_int,
                                 c_void_p, c_size_t, POINTER(DkimResult))
mox_dkim_verify = _decl(dkim, 'mox_dkim_verify', c_int,
                        POINTER(POINTER(DkimResult)), szp, c_void_p,
                        POINTER(DkimVerifyOptions), c_char_p, c_size_t)
mox_dkim_result_release = _decl(dkim, 'mox_dkim_result_release', None,
                                POINTER(DkimResult))
mox_dkim_authres = _decl(dkim, 'mox_dkim_authres', c_size_t, c_char_p,
                         c_size_t, POINTER(DkimResult))

# dmarc.h
mox_dmarc_record_parse = _decl(dmarc, 'mox_dmarc_record_parse', c_int, vpp,
                               c_char_p, c_size_t, ccp_p)
mox_dmarc_record_free = _decl(dmarc, 'mox_dmarc_record_free', None, c_void_p)
mox_dmarc_record_view = _decl(dmarc, 'mox_dmarc_record_view',
                              POINTER(DmarcRecordInfo), c_void_p)
mox_dmarc_record_format = _decl(dmarc, 'mox_dmarc_record_format', c_size_t,
                                c_char_p, c_size_t, c_void_p)
mox_dmarc_psl_load = _decl(dmarc, 'mox_dmarc_psl_load', c_int, vpp, c_char_p)
mox_dmarc_psl_free = _decl(dmarc, 'mox_dmarc_psl_free', None, c_void_p)
mox_dmarc_psl_orgdomain = _decl(dmarc, 'mox_dmarc_psl_orgdomain', c_size_t,
                                c_char_p, c_size_t, c_void_p, c_char_p)
mox_dmarc_eval_new = _decl(dmarc, 'mox_dmarc_eval_new', c_int, vpp, c_char_p,
                           c_size_t, POINTER(DmarcSpf), POINTER(DmarcDkim),
                           c_size_t, POINTER(DmarcOptions))
mox_dmarc_eval_new_msg = _decl(dmarc, 'mox_dmarc_eval_new_msg', c_int, vpp,
                               c_char_p, c_size_t, POINTER(DmarcSpf),
                               POINTER(DmarcDkim), c_size_t,
                               POINTER(DmarcOptions))
mox_dmarc_eval_free = _decl(dmarc, 'mox_dmarc_eval_free', None, c_void_p)
mox_dmarc_eval_step = _decl(dmarc, 'mox_dmarc_eval_step', c_int, c_void_p,
                            POINTER(DmarcQuestion))
mox_dmarc_eval_answer = _decl(dmarc, 'mox_dmarc_eval_answer', c_int, c_void_p,
                              c_void_p)
mox_dmarc_eval_result = _decl(dmarc, 'mox_dmarc_eval_result', c_int, c_void_p,
                              POINTER(DmarcResult))
mox_dmarc_check = _decl(dmarc, 'mox_dmarc_check', c_int, POINTER(DmarcResult),
                        c_void_p, c_char_p, c_size_t, POINTER(DmarcSpf),
                        POINTER(DmarcDkim), c_size_t, POINTER(DmarcOptions))
mox_dmarc_result_release = _decl(dmarc, 'mox_dmarc_result_release', None,
                                 POINTER(DmarcResult))
mox_dmarc_authres = _decl(dmarc, 'mox_dmarc_authres', c_size_t, c_char_p,
                          c_size_t, POINTER(DmarcResult))


# --- helpers shared by the modules ---

class MoxError(Exception):
    """A mox call failed. status is the negative mox_status number, name
    its symbolic name ("MOX_ESYNTAX"), message the library's text for it
    ("syntax error") and detail a more precise description when there is
    one (or None). A protocol verdict (SPF fail, DKIM permerror) is never
    an error: it is a result."""

    def __init__(self, status, detail=None):
        self.status = int(status)
        n = mox_status_name(self.status)
        self.name = n.decode() if n else 'MOX_UNKNOWN(%d)' % self.status
        self.message = mox_strerror(self.status).decode()
        self.detail = detail
        text = '%s: %s' % (self.name, self.message)
        if detail:
            text += ': ' + detail
        super().__init__(text)


def check(rc, detail=None):
    """Raise MoxError for a negative status; return rc otherwise."""
    if rc < 0:
        raise MoxError(rc, detail)
    return rc


def to_bytes(v, what='value'):
    """A str (UTF-8) or bytes-like argument as bytes without NUL."""
    if isinstance(v, str):
        b = v.encode('utf-8')
    elif isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
    else:
        raise TypeError('%s must be str or bytes, not %s' %
                        (what, type(v).__name__))
    if b'\0' in b:
        raise MoxError(MOX_ENUL, '%s contains a NUL byte' % what)
    return b


def opt_bytes(v, what='value'):
    return None if v is None else to_bytes(v, what)


def message_bytes(m):
    """A message argument: bytes-like (NUL allowed; passed with a length)."""
    if isinstance(m, (bytes, bytearray, memoryview)):
        return bytes(m)
    if isinstance(m, str):
        return m.encode('utf-8')
    raise TypeError('message must be bytes, not %s' % type(m).__name__)


def text(b):
    """A C string as str (UTF-8; undecodable octets kept as surrogates)."""
    return None if b is None else b.decode('utf-8', 'surrogateescape')


def string_array(items, what):
    """(array, count) of NUL-terminated strings; the array keeps the bytes
    alive while it is referenced."""
    if items is None:
        return None, 0
    bs = [to_bytes(s, what) for s in items]
    arr = (c_char_p * max(1, len(bs)))(*bs)
    return arr, len(bs)


_FMT_CAP = 512


def fmt(fn, *args):
    """Call a function with the snprintf contract; return its text."""
    buf = ctypes.create_string_buffer(_FMT_CAP)
    n = fn(buf, _FMT_CAP, *args)
    if n >= _FMT_CAP:
        buf = ctypes.create_string_buffer(n + 1)
        fn(buf, n + 1, *args)
    return buf.raw[:n].decode('utf-8', 'surrogateescape')


def take_string(ptr, length):
    """Bytes of memory a mox_dkim_* call returned; frees it."""
    try:
        return ctypes.string_at(ptr, length)
    finally:
        mox_dkim_free(ptr)


def parse_ip(ip):
    """A mox_ip from a str, bytes or ipaddress object."""
    out = MoxIp()
    b = to_bytes(str(ip) if not isinstance(ip, (str, bytes, bytearray))
                 else ip, 'ip')
    rc = mox_ip_parse(byref(out), b, len(b))
    if rc < 0:
        raise MoxError(rc, 'bad IP address %r' % (ip,))
    return out


def format_ip(ip):
    return fmt(mox_ip_format, byref(ip))
