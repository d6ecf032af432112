#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Compare mox's IMAP views of messages (BODYSTRUCTURE, ENVELOPE,
BODY[section], BINARY[section]) with Dovecot's.

    run-dovecot-test.py IMAPVIEWS MSGDIR...

IMAPVIEWS is the tests/interop/dovecot/imapviews program. Every *.eml file
in each MSGDIR is converted to CRLF line ends where it has bare LF (IMAP
sizes count CRLF), APPENDed to a throw-away Dovecot (own config, own
directory, 127.0.0.1 on a free high port, plaintext login, ssl=no), and
fetched back; the same bytes go through imapviews. Responses are parsed
into trees and compared structurally (the eq_*() functions); ACCEPTED
lists every difference accepted on purpose, with its reason, and the run
prints those that applied.

Exit status: 0 pass, 1 fail, 77 skip (no Dovecot). Python 3 stdlib only.
"""
import email.header
import glob
import imaplib
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

DOVECOT = os.environ.get("DOVECOT", "/usr/sbin/dovecot")
USER = "mox"
PASSWORD = "moxtest"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
IMAP_TIMEOUT = 20.0
VIEWS_TIMEOUT = 20.0

# Differences accepted on purpose, each with its reason. The comparison
# code refers to these by key; a failure message names the rule that did
# not apply.
ACCEPTED = {
    "case": "media types, subtypes, parameter names, encodings and "
            "disposition types are case-insensitive (RFC 2045, RFC 2183); "
            "mox sends them uppercase as the RFC examples, Dovecot as "
            "written",
    "default-charset": "Dovecot adds (\"charset\" \"us-ascii\") to text/* "
                       "parts without a charset; mox sends the parameters "
                       "that are there (NIL when none)",
    "nil-empty": "NIL and an empty list or empty string mean the same "
                 "where the field is optional (body-fld-param, "
                 "body-fld-lang, body-fld-loc, body-fld-id/desc/md5, "
                 "envelope strings, address lists)",
    "rfc2231": "mox decodes RFC 2231 parameters (RFC 9051 7.5.2 allows "
               "and RFC 3501 suggests it); Dovecot 2.3 sends name*= "
               "charset'lang'%XX encoded: decoded before comparing",
    "rfc2047-param": "mox decodes RFC 2047 encoded-words in parameter "
                     "values (real mail puts them in filename=); Dovecot "
                     "sends them as written: decoded before comparing",
    "language-list": "body-fld-lang may be a string or a list; mox sends "
                     "one tag as a string, Dovecot always a list",
    "adl": "mox does not keep obsolete source routes (<@a,@b:x@y>), so its "
           "address adl is NIL where Dovecot sends the route",
    "missing-addr": "Dovecot invents MISSING_MAILBOX / MISSING_DOMAIN / "
                    "INVALID_ADDRESS for addresses that do not parse; mox "
                    "leaves such entries out",
    "utf8-sanitize": "mox sends UTF-8 strings (MOX_MSG_IMAP_UTF8): octets "
                     "that are not valid UTF-8 become U+FFFD, Dovecot "
                     "sends them as they are",
    "space-collapse": "display names: mox joins words with one space and "
                      "drops folding; Dovecot may keep runs of whitespace",
    "trim": "unstructured values (envelope date, subject, in-reply-to, "
            "message-id; body id, description, md5, location): mox "
            "unfolds them and trims the whitespace around them, Dovecot "
            "keeps it",
    "first-field": "a field that occurs more than once (RFC 5322 3.6 "
                   "allows one): mox's envelope takes the first, as for "
                   "the Content-* fields, Dovecot the last",
    "encoded-message": "a message/rfc822 part with a base64 or "
                       "quoted-printable encoding is not a message (RFC "
                       "2046 5.2.1 allows only 7bit, 8bit, binary): mox "
                       "sends it with an empty envelope and body and "
                       "leaves it opaque; Dovecot parses the encoded text "
                       "as a header, and its size takes in the line end "
                       "that belongs to the boundary; only type, subtype "
                       "and encoding are compared, and no sections inside",
    "message-global": "message/global: mox (with MOX_MSG_IMAP_UTF8, the "
                      "RFC 9051 grammar) sends envelope, body and lines "
                      "and numbers its sub-parts; Dovecot 2.3 treats it "
                      "as an opaque part; the common fields are compared, "
                      "sections inside are not",
    "nested-close": "a part whose content ends with a nested multipart's "
                    "close-delimiter: Dovecot counts the line end after "
                    "that delimiter into the part (2 more octets, 1 more "
                    "line); by RFC 2046 5.1.1 it belongs to the delimiter "
                    "of the enclosing multipart, as mox has it",
    "param-order": "Dovecot 2.3 lists RFC 2231 parameters after the plain "
                   "ones; the order of parameters carries no meaning",
    "bad-ctype": "a Content-Type that does not parse: Dovecot sends "
                 "application/octet-stream or empty type and subtype, mox "
                 "the default of RFC 2045 5.2 (text/plain); only the size "
                 "is compared",
    "depth-limit": "parts nested deeper than mox's limit (64, "
                   "mox_msg_tree_options.max_depth) are leaves for mox, "
                   "shown with empty contents; Dovecot's limit is higher",
    "empty-message": "Dovecot refuses to APPEND an empty message; there "
                     "is nothing to compare",
    "bare-cr": "a message with bare CR octets: Dovecot drops the CR of "
               "CR CR LF when saving and ends header lines at a bare CR; "
               "for mox (and RFC 5322) a bare CR is an ordinary octet; "
               "the message is not compared",
    "boundary-prefix": "Dovecot takes any line that starts with "
                       "--boundary as a delimiter line; RFC 2046 5.1.1 "
                       "allows only whitespace after the boundary, as "
                       "mox does; the structure of such a message is not "
                       "compared",
    "no-blank-line": "HEADER.FIELDS of a message without a blank line "
                     "(all header): RFC 3501 6.4.5 leaves the blank line "
                     "out (\"except in the case of a message which has no "
                     "body and no blank line\"), as mox does; Dovecot 2.3 "
                     "adds one for HEADER.FIELDS, not for .NOT",
    "nul": "Dovecot stores NUL octets as 0x80, and sends a field with a "
           "NUL with U+FFFD; mox keeps the octets, and skips a Content-* "
           "value with a NUL (the next one of that name wins)",
    "unfold-tab": "Dovecot turns the TAB of a folded line into a space; "
                  "RFC 5322 2.2.3 unfolding removes only the CRLF, as mox",
    "strict-decode": "BINARY of a body with invalid base64 or "
                     "quoted-printable: Dovecot refuses ([PARSE]), mox "
                     "decodes leniently (mox_msg_decoder)",
}


class Fail(Exception):
    pass


# --- IMAP response parser --------------------------------------------------

class Atom(str):
    """An IMAP atom (also numbers and NIL, which parse as None)."""


def parse_imap(data, pos=0):
    """Parse one IMAP value at data[pos:]: atom, number, NIL (None), quoted
    string or literal (bytes), or parenthesized list (Python list).
    Returns (value, new_pos)."""
    n = len(data)
    while pos < n and data[pos] == 0x20:
        pos += 1
    if pos >= n:
        raise Fail("unexpected end of IMAP data")
    c = data[pos]
    if c == 0x28:  # (
        pos += 1
        out = []
        while True:
            while pos < n and data[pos] == 0x20:
                pos += 1
            if pos >= n:
                raise Fail("unterminated list")
            if data[pos] == 0x29:  # )
                return out, pos + 1
            v, pos = parse_imap(data, pos)
            out.append(v)
    if c == 0x22:  # "
        pos += 1
        buf = bytearray()
        while True:
            if pos >= n:
                raise Fail("unterminated quoted string")
            ch = data[pos]
            if ch == 0x5C:  # backslash
                if pos + 1 >= n:
                    raise Fail("bad escape")
                buf.append(data[pos + 1])
                pos += 2
                continue
            if ch == 0x22:
                return bytes(buf), pos + 1
            if ch in (0x0D, 0x0A):
                raise Fail("CR/LF in quoted string")
            buf.append(ch)
            pos += 1
    if c == 0x7B or (c == 0x7E and pos + 1 < n and data[pos + 1] == 0x7B):
        # {n}CRLF... or ~{n}CRLF (literal8)
        m = re.compile(rb"~?\{(\d+)\+?\}\r?\n").match(data, pos)
        if not m:
            raise Fail("bad literal at %d: %r" % (pos, data[pos:pos + 20]))
        ln = int(m.group(1))
        start = m.end()
        if start + ln > n:
            raise Fail("short literal")
        return bytes(data[start:start + ln]), start + ln
    m = re.compile(rb"[^ ()\"\r\n{]+").match(data, pos)
    if not m:
        raise Fail("bad IMAP data at %d: %r" % (pos, data[pos:pos + 20]))
    tok = m.group(0).decode("latin-1")
    if tok.upper() == "NIL":
        return None, m.end()
    return Atom(tok), m.end()


def parse_one(data):
    v, pos = parse_imap(data, 0)
    if data[pos:].strip():
        raise Fail("trailing data after IMAP value: %r" % data[pos:pos + 40])
    return v


def show(v):
    """Compact text form of a parsed value, for messages."""
    if v is None:
        return "NIL"
    if isinstance(v, list):
        return "(" + " ".join(show(x) for x in v) + ")"
    if isinstance(v, bytes):
        return '"' + v.decode("utf-8", "replace") + '"'
    return str(v)


# --- comparison ------------------------------------------------------------

class Cmp:
    def __init__(self, name):
        self.name = name
        self.errors = []
        self.used = set()
        self.has_nul = False

    def err(self, path, msg, a, b):
        self.errors.append("%s: %s: %s\n    dovecot: %s\n    mox:     %s" %
                           (self.name, path, msg, show(a)[:400],
                            show(b)[:400]))


def text(v):
    if v is None:
        return None
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("latin-1")
    return None


def is_empty(v):
    return v is None or v == [] or v == b""


def sanitize(b):
    """What mox's UTF-8 mode makes of octets: invalid UTF-8 -> U+FFFD."""
    return b.decode("utf-8", "replace").encode("utf-8")


def eq_string(c, path, a, b, ci=False, ws=False, trim=False):
    """a from Dovecot, b from mox."""
    if is_empty(a) and is_empty(b):
        if (a is None) != (b is None):
            c.used.add("nil-empty")
        return True
    ta, tb = text(a), text(b)
    if ta is None or tb is None:
        c.err(path, "string expected", a, b)
        return False
    if ta == tb:
        return True
    if ci and ta.lower() == tb.lower():
        c.used.add("case")
        return True
    if sanitize(ta) == tb:
        c.used.add("utf8-sanitize")
        return True
    if c.has_nul and "\ufffd" in ta.decode("utf-8", "replace"):
        c.used.add("nul")
        return True
    if trim and sanitize(ta).strip(b" \t") == tb:
        c.used.add("trim")
        return True
    if trim and sanitize(ta).strip(b" \t") == tb.replace(b"\t", b" "):
        c.used.add("unfold-tab")
        return True
    if ws:
        na = re.sub(rb"[ \t\r\n]+", b" ", sanitize(ta)).strip()
        nb = re.sub(rb"[ \t\r\n]+", b" ", tb).strip()
        if na == nb:
            c.used.add("space-collapse")
            return True
    c.err(path, "strings differ", a, b)
    return False


def eq_number(c, path, a, b):
    if not isinstance(a, Atom) or not isinstance(b, Atom) or a != b:
        c.err(path, "numbers differ", a, b)
        return False
    return True


def decode_2231(name, value):
    """Dovecot sends RFC 2231 extended values encoded (name*=cs'lang'%XX)."""
    if not name.endswith(b"*"):
        return name, value
    name = name[:-1]
    v = value.decode("latin-1")
    parts = v.split("'", 2)
    if len(parts) == 3:
        cs, _lang, enc = parts
        raw = urllib.parse.unquote_to_bytes(enc)
        try:
            value = raw.decode(cs or "us-ascii").encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            value = sanitize(raw)
    return name, value


def decode_2047(value):
    if b"=?" not in value:
        return value
    try:
        out = []
        for chunk, cs in email.header.decode_header(value.decode("latin-1")):
            if isinstance(chunk, str):
                chunk = chunk.encode("latin-1")
            out.append(chunk.decode(cs or "latin-1", "replace"))
        return "".join(out).encode("utf-8")
    except Exception:
        return value


def params_dict(c, path, v, who):
    if v is None:
        return []
    if not isinstance(v, list) or len(v) % 2:
        raise Fail("%s: %s: bad parameter list from %s: %s" %
                   (c.name, path, who, show(v)))
    out = []
    for i in range(0, len(v), 2):
        n, val = text(v[i]), text(v[i + 1])
        if who == "dovecot":
            n2, val2 = decode_2231(n, val)
            if n2 != n:
                c.used.add("rfc2231")
            n, val = n2, val2
            if b"=?" in val:
                d = decode_2047(val)
                if d != val:
                    c.used.add("rfc2047-param")
                val = d
        out.append((n.lower(), val))
    return out


def eq_params(c, path, a, b, text_part=False):
    pa = params_dict(c, path, a, "dovecot")
    pb = params_dict(c, path, b, "mox")
    if text_part and not any(n == b"charset" for n, _ in pb):
        da = [(n, v) for n, v in pa
              if not (n == b"charset" and v.lower() == b"us-ascii")]
        if len(da) != len(pa):
            c.used.add("default-charset")
            pa = da
    if len(pa) != len(pb):
        c.err(path, "parameter lists differ", a, b)
        return False
    if [n for n, _ in pa] != [n for n, _ in pb] and \
            sorted(n for n, _ in pa) == sorted(n for n, _ in pb):
        c.used.add("param-order")
        pa.sort(key=lambda x: x[0])
        pb.sort(key=lambda x: x[0])
    ok = True
    for (na, va), (nb, vb) in zip(pa, pb):
        if na != nb:
            c.err(path, "parameter names differ", a, b)
            return False
        if na in (b"charset", b"boundary", b"format", b"delsp"):
            ok = eq_string(c, path + "." + na.decode(), va, vb,
                           ci=(na != b"boundary")) and ok
        else:
            ok = eq_string(c, path + "." + na.decode(), va, vb) and ok
    if a is None or b is None:
        if not (pa == [] and pb == []) and (a is None) != (b is None):
            c.err(path, "NIL versus parameters", a, b)
            return False
        if (a is None) != (b is None):
            c.used.add("nil-empty")
    return ok


def eq_disposition(c, path, a, b):
    if is_empty(a) and is_empty(b):
        return True
    if not isinstance(a, list) or not isinstance(b, list) or \
            len(a) != 2 or len(b) != 2:
        c.err(path, "disposition differs", a, b)
        return False
    return (eq_string(c, path + ".type", a[0], b[0], ci=True) and
            eq_params(c, path + ".params", a[1], b[1]))


def eq_language(c, path, a, b):
    def norm(v):
        if v is None:
            return []
        if isinstance(v, list):
            return [text(x) for x in v]
        return [text(v)]
    la, lb = norm(a), norm(b)
    if isinstance(a, list) != isinstance(b, list) and la and lb:
        c.used.add("language-list")
    if [x.lower() for x in la] != [x.lower() for x in lb]:
        c.err(path, "languages differ", a, b)
        return False
    return True


def is_multipart(v):
    return isinstance(v, list) and v and isinstance(v[0], list)


def eq_body(c, path, a, b):
    """Compare a body (BODYSTRUCTURE) from Dovecot (a) and mox (b)."""
    if path.count(".") >= 60 and isinstance(b, list) and (
            is_synthetic(b) or
            (len(b) >= 10 and isinstance(b[7], list) and
             all(x is None for x in b[7]) and is_synthetic(b[8]))) and \
            a != b:
        c.used.add("depth-limit")
        return True
    if not isinstance(a, list) or not isinstance(b, list):
        c.err(path, "body must be a list", a, b)
        return False
    if is_multipart(a) != is_multipart(b):
        c.err(path, "multipart versus single part", a, b)
        return False
    if is_multipart(a):
        na = 0
        while na < len(a) and isinstance(a[na], list):
            na += 1
        nb = 0
        while nb < len(b) and isinstance(b[nb], list):
            nb += 1
        if na != nb:
            c.err(path, "number of body parts differs", a, b)
            return False
        ok = True
        for i in range(na):
            ok = eq_body(c, "%s.%d" % (path, i + 1), a[i], b[i]) and ok
        ea, eb = a[na:], b[nb:]
        if len(ea) < 1 or len(eb) < 1:
            c.err(path, "multipart subtype missing", a, b)
            return False
        ok = eq_string(c, path + ".subtype", ea[0], eb[0], ci=True) and ok
        ok = eq_ext(c, path, ea[1:], eb[1:], True) and ok
        return ok
    # single part
    if len(a) < 7 or len(b) < 7:
        c.err(path, "short body", a, b)
        return False
    ok = True
    if (text(a[0]) == b"" and text(a[1]) == b"") or \
            ((text(a[0]) or b"").lower() == b"application" and
             (text(a[1]) or b"").lower() == b"octet-stream" and
             (text(b[0]) or b"").lower() == b"text" and
             (text(b[1]) or b"").lower() == b"plain"):
        c.used.add("bad-ctype")
        return eq_number(c, path + ".size", a[6], b[6])
    ok = eq_string(c, path + ".type", a[0], b[0], ci=True) and ok
    ok = eq_string(c, path + ".subtype", a[1], b[1], ci=True) and ok
    tb = (text(b[0]) or b"").lower()
    sb = (text(b[1]) or b"").lower()
    eb = (text(b[5]) or b"").lower()
    if tb == b"message" and sb == b"rfc822" and \
            eb not in (b"7bit", b"8bit", b"binary"):
        c.used.add("encoded-message")
        return ok
    ok = eq_params(c, path + ".params", a[2], b[2], tb == b"text") and ok
    ok = eq_string(c, path + ".id", a[3], b[3], trim=True) and ok
    ok = eq_string(c, path + ".description", a[4], b[4], trim=True) and ok
    ok = eq_string(c, path + ".encoding", a[5], b[5], ci=True) and ok
    # message/rfc822 whose message is a multipart: see "nested-close"
    nested = tb == b"message" and len(b) >= 10 and is_multipart(b[8])
    size_ok = False
    if nested and isinstance(a[6], Atom) and isinstance(b[6], Atom) and \
            a[6].isdigit() and b[6].isdigit() and \
            int(a[6]) == int(b[6]) + 2:
        c.used.add("nested-close")
        size_ok = True
    else:
        ok = eq_number(c, path + ".size", a[6], b[6]) and ok
    i = 7
    if tb == b"text":
        if len(a) < 8 or len(b) < 8:
            c.err(path, "text part without lines", a, b)
            return False
        ok = eq_number(c, path + ".lines", a[7], b[7]) and ok
        i = 8
    elif tb == b"message" and sb == b"global" and len(b) >= 10 and \
            isinstance(b[7], list) and (len(a) < 8 or
                                        not isinstance(a[7], list)):
        c.used.add("message-global")
        ok = eq_ext(c, path, a[7:], b[10:], False) and ok
        return ok
    elif tb == b"message" and sb in (b"rfc822", b"global") and \
            len(b) >= 10 and isinstance(b[7], list) and \
            isinstance(b[8], list):
        if len(a) < 10 or not isinstance(a[7], list):
            c.err(path, "message part without envelope", a, b)
            return False
        ok = eq_envelope(c, path + ".envelope", a[7], b[7]) and ok
        ok = eq_body(c, path + ".body", a[8], b[8]) and ok
        if size_ok and (not isinstance(a[9], Atom) or a[9] != b[9]) and \
                nested and isinstance(a[9], Atom) and \
                isinstance(b[9], Atom) and int(a[9]) == int(b[9]) + 1:
            c.used.add("nested-close")
        else:
            ok = eq_number(c, path + ".lines", a[9], b[9]) and ok
        i = 10
    ok = eq_ext(c, path, a[i:], b[i:], False) and ok
    return ok


def is_synthetic(v):
    return (isinstance(v, list) and len(v) >= 8 and
            (text(v[0]) or b"").lower() == b"text" and
            (text(v[1]) or b"").lower() == b"plain" and
            v[6] == "0" and v[7] == "0")


def eq_ext(c, path, a, b, multipart):
    """Extension data: [params] md5/-, disposition, language, location."""
    ok = True
    if multipart:
        pa = a[0] if a else None
        pb = b[0] if b else None
        ok = eq_params(c, path + ".params", pa, pb) and ok
        a, b = a[1:], b[1:]
    else:
        ok = eq_string(c, path + ".md5", a[0] if a else None,
                       b[0] if b else None, trim=True) and ok
        a, b = a[1:], b[1:]

    def get(v, i):
        return v[i] if len(v) > i else None
    ok = eq_disposition(c, path + ".disposition", get(a, 0),
                        get(b, 0)) and ok
    ok = eq_language(c, path + ".language", get(a, 1), get(b, 1)) and ok
    ok = eq_string(c, path + ".location", get(a, 2), get(b, 2),
                   trim=True) and ok
    if len(a) > 3 or len(b) > 3:
        c.err(path, "unexpected extension data", a[3:], b[3:])
        ok = False
    return ok


def addr_list(c, path, v, who):
    if v is None:
        return []
    if not isinstance(v, list):
        raise Fail("%s: %s: bad address list from %s: %s" %
                   (c.name, path, who, show(v)))
    return v


def eq_addrs(c, path, a, b):
    la = addr_list(c, path, a, "dovecot")
    lb = addr_list(c, path, b, "mox")
    # Dovecot invents placeholders for entries that do not parse.
    fa = [x for x in la if not (isinstance(x, list) and len(x) == 4 and
          any(text(y) in (b"MISSING_MAILBOX", b"MISSING_DOMAIN",
                          b"INVALID_ADDRESS", b".MISSING-HOST-NAME.")
              for y in x))]
    if len(fa) != len(la):
        c.used.add("missing-addr")
        la = fa
    if len(la) != len(lb):
        c.err(path, "address counts differ", a, b)
        return False
    ok = True
    for i, (x, y) in enumerate(zip(la, lb)):
        p = "%s[%d]" % (path, i)
        if not isinstance(x, list) or not isinstance(y, list) or \
                len(x) != 4 or len(y) != 4:
            c.err(p, "address must have 4 fields", x, y)
            ok = False
            continue
        ok = eq_string(c, p + ".name", x[0], y[0], ws=True) and ok
        if x[1] is not None and y[1] is None:
            c.used.add("adl")
        else:
            ok = eq_string(c, p + ".adl", x[1], y[1]) and ok
        # group markers must agree exactly on NIL-ness
        if (x[3] is None) != (y[3] is None) or \
                (x[2] is None) != (y[2] is None):
            c.err(p, "address versus group marker", x, y)
            ok = False
            continue
        ok = eq_string(c, p + ".mailbox", x[2], y[2]) and ok
        ok = eq_string(c, p + ".host", x[3], y[3]) and ok
    if (a is None) != (b is None) and not la and not lb:
        c.used.add("nil-empty")
    return ok


def eq_envelope(c, path, a, b, dups=()):
    if not isinstance(a, list) or not isinstance(b, list) or \
            len(a) != 10 or len(b) != 10:
        c.err(path, "envelope must have 10 fields", a, b)
        return False
    names = ["date", "subject", "from", "sender", "reply-to", "to", "cc",
             "bcc", "in-reply-to", "message-id"]
    ok = True
    for i, n in enumerate(names):
        if n in dups and a[i] != b[i]:
            c.used.add("first-field")
            continue
        if 2 <= i <= 7:
            ok = eq_addrs(c, path + "." + n, a[i], b[i]) and ok
        else:
            ok = eq_string(c, path + "." + n, a[i], b[i], trim=True) and ok
    return ok


# --- Dovecot ---------------------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Dovecot:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mox-dovecot-")
        self.proc = None
        self.port = None

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def start(self):
        d = self.dir
        os.chmod(d, 0o755)
        home = os.path.join(d, "home")
        os.makedirs(home)
        os.makedirs(os.path.join(d, "run"))
        os.makedirs(os.path.join(d, "state"))
        euid = os.geteuid()
        if euid == 0:
            # Dovecot refuses mail processes as root; use its own user.
            try:
                pw = pwd.getpwnam("dovecot")
            except KeyError:
                pw = pwd.getpwnam("nobody")
            uid, gid = pw.pw_uid, pw.pw_gid
            internal = pw.pw_name
            try:
                login = pwd.getpwnam("dovenull").pw_name
            except KeyError:
                login = internal
            os.chown(home, uid, gid)
        else:
            uid, gid = euid, os.getegid()
            internal = login = pwd.getpwuid(euid).pw_name
        group = grp.getgrgid(gid).gr_name
        with open(os.path.join(d, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (USER, PASSWORD))
        self.port = free_port()
        conf = """\
# throw-away configuration of the mox interop test
base_dir = {d}/run
state_dir = {d}/state
instance_name = mox-test-{port}
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
debug_log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
mail_location = maildir:{d}/home/%u/Maildir
mail_privileged_group =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""".format(d=d, port=self.port, internal=internal, group=group,
           login=login, uid=uid, gid=gid)
        with open(os.path.join(d, "dovecot.conf"), "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", os.path.join(d, "dovecot.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode("utf-8", "replace")
                raise Fail("dovecot exited: %s\n%s" % (out, self.log()))
            try:
                s = socket.create_connection(("127.0.0.1", self.port), 1)
                s.close()
                return
            except OSError:
                time.sleep(0.1)
        raise Fail("dovecot did not listen within %ds\n%s" %
                   (START_TIMEOUT, self.log()))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(STOP_TIMEOUT)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=IMAP_TIMEOUT)
        m.login(USER, PASSWORD)
        m.select("INBOX")
        return m


def raw_response(data):
    """Rebuild response text from imaplib's pieces (literals split out)."""
    out = bytearray()
    for x in data:
        if isinstance(x, tuple):
            out += x[0] + b"\r\n" + x[1]
        elif x is not None:
            out += x
    return bytes(out)


def append(m, msg):
    """APPEND the octets as they are (imaplib.append rewrites line ends,
    bare CR included) and return the new message's UID."""
    m.literal = msg
    typ, data = m._simple_command("APPEND", "INBOX")
    if typ != "OK":
        raise Fail("APPEND failed: %r" % (data,))
    typ, data = m.uid("SEARCH", None, "ALL")
    if typ != "OK" or not data or not data[0]:
        raise Fail("UID SEARCH failed: %r" % (data,))
    return int(data[0].split()[-1])


ATT_NAME = re.compile(rb"([A-Za-z0-9.]+(?:\[[^\]]*\])?(?:<\d+>)?) ")


def parse_fetch_atts(raw):
    """The msg-att pairs of "N (name value ...)". Names like
    BODY[HEADER.FIELDS (A B)] hold spaces and parentheses, so they are
    read up to the closing bracket rather than as IMAP values."""
    mm = re.match(rb"\d+ \(", raw)
    if not mm:
        raise Fail("bad FETCH response: %r" % raw[:100])
    pos = mm.end()
    atts = {}
    while True:
        while pos < len(raw) and raw[pos] == 0x20:
            pos += 1
        if pos < len(raw) and raw[pos] == 0x29:
            break
        nm = ATT_NAME.match(raw, pos)
        if not nm:
            raise Fail("bad FETCH attribute at %r" % raw[pos:pos + 60])
        v, pos = parse_imap(raw, nm.end())
        atts[nm.group(1).decode("latin-1").upper()] = v
    return atts


def fetch(m, uid, item):
    """UID FETCH one item; returns its value (parsed), or ("NO", text)
    when the server refuses (BINARY of a broken or unknown encoding)."""
    typ, data = m.uid("FETCH", str(uid), "(" + item + ")")
    if typ == "NO":
        return ("NO", b" ".join(x for x in data if isinstance(x, bytes)))
    if typ != "OK" or not data or data == [None]:
        raise Fail("FETCH %s failed: %r" % (item, data))
    want = item.replace(".PEEK", "").upper()
    # other untagged FETCH responses (flag updates) may come along
    pieces, cur = [], []
    for x in data:
        cur.append(x)
        if isinstance(x, bytes) or x is None:
            pieces.append(cur)
            cur = []
    if cur:
        pieces.append(cur)
    for piece in pieces:
        raw = raw_response(piece)
        if not raw.endswith(b")"):
            continue
        atts = parse_fetch_atts(raw)
        if want in atts:
            return atts[want]
        # the server may write the section its own way: BODY[HEADER.FIELDS
        # ("SUBJECT" TO "CC")] for BODY[header.fields ("subject" TO {2+}cc)]
        for k, v in atts.items():
            if k.split("[")[0] == want.split("[")[0] and "[" in want:
                return v
    raise Fail("item %s not in FETCH response %r" % (item, data)[:300])


# --- mox side --------------------------------------------------------------

def run_views(prog, args):
    p = subprocess.run([prog] + args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=VIEWS_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def mox_views(prog, path):
    rc, out, err = run_views(prog, [path])
    if rc != 0:
        raise Fail("imapviews %s: exit %d: %s" %
                   (path, rc, err.decode(errors="replace")))
    if not out.startswith(b"BODYSTRUCTURE "):
        raise Fail("imapviews %s: bad output %r" % (path, out[:100]))
    bs, pos = parse_imap(out, len(b"BODYSTRUCTURE "))
    rest = out[pos:]
    if not rest.startswith(b"\nENVELOPE "):
        raise Fail("imapviews %s: bad output after BODYSTRUCTURE: %r" %
                   (path, rest[:100]))
    env, pos2 = parse_imap(rest, len(b"\nENVELOPE "))
    if rest[pos2:] != b"\n":
        raise Fail("imapviews %s: trailing output %r" % (path, rest[pos2:]))
    return bs, env


def mox_fetch(prog, path, section, binary):
    args = ["-fetch", section] + (["-binary"] if binary else []) + [path]
    rc, out, err = run_views(prog, args)
    if rc == 3:
        return None  # nonexistent part
    if rc == 4:
        return "UNKNOWN-CTE"
    if rc != 0:
        raise Fail("imapviews %s: exit %d: %s" %
                   (" ".join(args), rc, err.decode(errors="replace")))
    return out


# --- driver ----------------------------------------------------------------

def to_crlf(b):
    return re.sub(rb"(?<!\r)\n", b"\r\n", b)


def parts_of(bs, prefix=""):
    """Yield (section, body) for every part number of a BODYSTRUCTURE."""
    if is_multipart(bs):
        i = 0
        while i < len(bs) and isinstance(bs[i], list):
            sec = "%s%d" % (prefix, i + 1)
            yield sec, bs[i]
            for x in parts_of_child(bs[i], sec + "."):
                yield x
            i += 1
    elif prefix == "":
        yield "1", bs
        for x in parts_of_child(bs, "1."):
            yield x


def parts_of_child(body, prefix):
    if is_multipart(body):
        for x in parts_of(body, prefix):
            yield x
        return
    t = (text(body[0]) or b"").lower()
    s = (text(body[1]) or b"").lower()
    enc = (text(body[5]) or b"").lower()
    if t == b"message" and s == b"rfc822" and len(body) >= 10 \
            and isinstance(body[8], list) and \
            enc in (b"7bit", b"8bit", b"binary"):
        inner = body[8]
        if is_multipart(inner):
            for x in parts_of(inner, prefix):
                yield x
        else:
            yield prefix + "1", inner
            for x in parts_of_child(inner, prefix + "1."):
                yield x


def sections_for(bs):
    """The BODY[section] and BINARY[section] fetches to compare, each with
    the key of the accepted difference that may apply (or None)."""
    secs = [("HEADER", None), ("TEXT", None),
            ("HEADER.FIELDS (From Subject)", None),
            ("header.fields (\"subject\" TO {2+}\r\ncc)", None),
            ("HEADER.FIELDS.NOT (Received DKIM-Signature)", None),
            ("", None)]
    binary = []
    for sec, body in parts_of(bs):
        if sec.count(".") > 3:
            continue
        key = None
        if not is_multipart(body):
            t = (text(body[0]) or b"").lower()
            s = (text(body[1]) or b"").lower()
            enc = (text(body[5]) or b"").lower()
            if t == b"message" and s == b"rfc822":
                if enc in (b"7bit", b"8bit", b"binary"):
                    secs.append((sec + ".HEADER", None))
                    secs.append((sec + ".TEXT", None))
                    secs.append((sec + ".HEADER.FIELDS (Subject)", None))
                else:
                    key = "encoded-message"
            else:
                binary.append(sec)
        secs.append((sec, key))
        secs.append((sec + ".MIME", None))
    # a part that does not exist
    secs.append(("99", None))
    return secs, binary


def boundary_lookalike(msg):
    """Whether a line starts with "--" and a boundary of the message but
    is not a delimiter line by RFC 2046 5.1.1."""
    bounds = re.findall(rb'(?i)boundary\s*=\s*"?([^";\r\n]+)"?', msg)
    for b in set(x.strip() for x in bounds):
        for line in re.split(rb"\r?\n", msg):
            if not line.startswith(b"--" + b):
                continue
            rest = line[len(b) + 2:]
            if rest.startswith(b"--"):
                rest = rest[2:]
            if rest.strip(b" \t"):
                return True
    return False


def repeated_fields(msg):
    """Lowercase names of the fields that occur more than once in the
    header section of msg."""
    hdr = re.split(rb"\r?\n\r?\n", msg, maxsplit=1)[0]
    seen, dups = set(), set()
    for line in hdr.split(b"\n"):
        mm = re.match(rb"([!-9;-~]+)[ \t]*:", line)
        if mm:
            n = mm.group(1).decode("latin-1").lower()
            if n in seen:
                dups.add(n)
            seen.add(n)
    return dups


def check_message(m, prog, path, tmpdir, counts):
    with open(path, "rb") as f:
        raw = f.read()
    msg = to_crlf(raw)
    name = os.path.basename(path)
    tmp = os.path.join(tmpdir, name)
    with open(tmp, "wb") as f:
        f.write(msg)
    c = Cmp(name)
    c.has_nul = b"\0" in msg
    if not msg:
        c.used.add("empty-message")
        mox_views(prog, tmp)
        return c
    uid = append(m, msg)
    d_bs = fetch(m, uid, "BODYSTRUCTURE")
    d_env = fetch(m, uid, "ENVELOPE")
    m_bs, m_env = mox_views(prog, tmp)
    eq_body(c, "BODYSTRUCTURE", d_bs, m_bs)
    eq_envelope(c, "ENVELOPE", d_env, m_env, repeated_fields(msg))
    counts["structure"] += 1
    secs, binary = sections_for(m_bs)
    for sec, key in secs:
        dv = fetch(m, uid, "BODY.PEEK[%s]" % sec)
        mv = mox_fetch(prog, tmp, sec, False)
        counts["sections"] += 1
        if isinstance(dv, tuple):
            dv = Atom("NO " + dv[1].decode("utf-8", "replace"))
        if c.has_nul and isinstance(mv, bytes) and b"\0" in mv and \
                dv == mv.replace(b"\0", b"\x80"):
            c.used.add("nul")
            continue
        # a part that does not exist: mox_msg_imap_fetch() says
        # MOX_ENOTFOUND, a server sends "" or NIL
        if is_empty(dv) and is_empty(mv):
            continue
        if dv != mv and key is not None:
            c.used.add(key)
            continue
        if sec.upper().startswith("HEADER.FIELDS") and isinstance(dv, bytes) and \
                isinstance(mv, bytes) and dv == mv + b"\r\n" and \
                not re.search(rb"\n\r?\n", b"\n" + msg):
            c.used.add("no-blank-line")
            continue
        if isinstance(dv, bytes) and isinstance(mv, bytes) and \
                dv == mv + b"\r\n" and mv.endswith(b"--"):
            c.used.add("nested-close")
            continue
        if dv != mv:
            c.err("BODY[%s]" % sec, "section octets differ",
                  dv, mv if isinstance(mv, (bytes, type(None))) else
                  Atom(mv))
    for sec in binary:
        dv = fetch(m, uid, "BINARY.PEEK[%s]" % sec)
        mv = mox_fetch(prog, tmp, sec, True)
        counts["sections"] += 1
        if isinstance(dv, tuple):
            if b"[UNKNOWN-CTE]" in dv[1] and mv == "UNKNOWN-CTE":
                continue
            if b"[PARSE]" in dv[1] and isinstance(mv, bytes):
                c.used.add("strict-decode")
                continue
            dv = Atom("NO " + dv[1].decode("utf-8", "replace"))
        if is_empty(dv) and is_empty(mv):
            continue
        if dv != mv:
            c.err("BINARY[%s]" % sec, "decoded octets differ", dv,
                  mv if not isinstance(mv, str) else Atom(mv))
    if c.errors and re.search(rb"\r(?!\n)", msg):
        c.errors = []
        c.used.add("bare-cr")
    if c.errors and boundary_lookalike(msg):
        c.errors = [e for e in c.errors if ": ENVELOPE" in e]
        c.used.add("boundary-prefix")
    return c


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: run-dovecot-test.py IMAPVIEWS MSGDIR...\n")
        return 2
    if not os.access(DOVECOT, os.X_OK):
        print("SKIP: %s not installed" % DOVECOT)
        return 77
    prog = os.path.abspath(argv[1])
    files = []
    for d in argv[2:]:
        files.extend(sorted(glob.glob(os.path.join(d, "*.eml"))))
    if not files:
        print("FAIL: no *.eml files in %s" % " ".join(argv[2:]))
        return 1
    dc = Dovecot()
    tmpdir = tempfile.mkdtemp(prefix="mox-imapviews-")
    failed = 0
    counts = {"structure": 0, "sections": 0}
    used = set()
    try:
        dc.start()
        m = dc.connect()
        try:
            for path in files:
                try:
                    c = check_message(m, prog, path, tmpdir, counts)
                except Fail as e:
                    print("FAIL %s: %s" % (os.path.basename(path), e))
                    failed += 1
                    continue
                used |= c.used
                if c.errors:
                    failed += 1
                    for e in c.errors:
                        print("FAIL " + e)
                else:
                    print("ok   %s" % os.path.basename(path))
        finally:
            try:
                m.logout()
            except Exception:
                pass
    except Fail as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        dc.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)
    for k in sorted(used):
        print("accepted difference %s: %s" % (k, ACCEPTED[k]))
    print("%d messages, %d structure comparisons, %d section fetches, "
          "%d failed" % (len(files), counts["structure"],
                         counts["sections"], failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
