#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""run-interop.py -- DKIM interop: mox, dkimpy and OpenDKIM sign each
other's messages and verify each other's signatures.

usage: run-interop.py -opendkim DRIVER [-mox DRIVER] [-seed N] [-random N]
                      [-keep DIR] [-v]

Generates keys (openssl genpkey; with -mox also keys made by mox, which
openssl must read) and messages (fixed corner cases plus -random N random
ones from -seed, deterministic), then:

  1. every signer (mox, dkimpy, OpenDKIM) signs every message with both
     algorithms and the four canonicalizations (random messages: two
     random combinations), with its default header list or a given one;
  2. a second signer signs some of those again (multiple signatures);
  3. each signed message is turned into variants whose expected verdicts
     follow from RFC 6376 3.4: unchanged (pass), body or From changed
     (fail), whitespace added in a header (pass with relaxed header
     canonicalization, fail with simple), trailing whitespace on a body
     line (pass only with relaxed body), empty lines appended (pass),
     CRLF turned into bare LF or back (pass: each verifier reads bare LF
     as CRLF), the b= of the outermost signature damaged (fail for it,
     pass for the others);
  4. every verifier verifies every variant, and each signature's result
     is compared with the expectation.

Exit 0 only when every signer signed every job and every verdict is as
expected, except for the deviations listed in known-differences.txt (each
with its reason; -v lists those seen); 77 (skip) when openssl or dkimpy
is missing. Without -mox only dkimpy and
OpenDKIM are checked against each other.

Drivers print "id TAB n TAB result TAB d TAB s TAB reason" per signature;
see opendkim_driver.c.
"""
import base64
import fnmatch
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = '/usr/bin/python3'
CANONS = ['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple']
DOMAIN = 'example.org'
DOMAIN2 = 'mail.example.com'


def die(msg):
    sys.stderr.write('run-interop: %s\n' % msg)
    sys.exit(1)


def run(argv, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900, **kw)
    if p.returncode != 0:
        die('%s failed (exit %d): %s' % (' '.join(argv[:3]), p.returncode,
                                          p.stderr.decode(errors='replace')[-2000:]))
    return p.stdout


# --- keys ---

def pem_der(pem):
    lines = [l.strip() for l in pem.splitlines()]
    return base64.b64decode(b''.join(l for l in lines if l and not l.startswith(b'-----')))


def txt_for(pemfile, kind):
    """The key record, derived with openssl (independent of every driver)."""
    der = run(['openssl', 'pkey', '-in', pemfile, '-pubout', '-outform', 'DER'])
    if kind == 'ed25519':
        return 'v=DKIM1; k=ed25519; p=' + base64.b64encode(der[-32:]).decode()
    return 'v=DKIM1; k=rsa; p=' + base64.b64encode(der).decode()


def tag(rec, name):
    for part in rec.split(';'):
        k, _, v = part.strip().partition('=')
        if k.strip() == name:
            return ''.join(v.split())
    return None


class Key:
    def __init__(self, name, path, kind, origin):
        self.name, self.path, self.kind, self.origin = name, path, kind, origin
        self.alg = 'ed25519-sha256' if kind == 'ed25519' else 'rsa-sha256'
        self.txt = txt_for(path, kind)


def make_keys(tmp, mox):
    kd = os.path.join(tmp, 'keys')
    os.makedirs(kd)
    keys = {}
    specs = [('r1k', 'RSA', 1024), ('r2k', 'RSA', 2048), ('r4k', 'RSA', 4096), ('ed', 'ED25519', 0),
             ('ed2', 'ED25519', 0), ('r2kb', 'RSA', 2048)]
    for name, alg, bits in specs:
        path = os.path.join(kd, name + '.pem')
        argv = ['openssl', 'genpkey', '-algorithm', alg, '-out', path]
        if bits:
            argv[4:4] = ['-pkeyopt', 'rsa_keygen_bits:%d' % bits]
        run(argv)
        keys[name] = Key(name, path, 'ed25519' if alg == 'ED25519' else 'rsa', 'openssl')
    # PKCS#1 "RSA PRIVATE KEY", the other format in use.
    path = os.path.join(kd, 'rp1.pem')
    run(['openssl', 'genrsa', '-traditional', '-out', path, '2048'])
    keys['rp1'] = Key('rp1', path, 'rsa', 'openssl-pkcs1')
    problems = []
    if mox:
        for name, argv, kind in [('mr2k', ['rsa', '2048'], 'rsa'), ('med', ['ed25519'], 'ed25519')]:
            path = os.path.join(kd, name + '.pem')
            pem = run([mox, 'genkey'] + argv)
            with open(path, 'wb') as f:
                f.write(pem)
            if not pem.startswith(b'-----BEGIN PRIVATE KEY-----'):
                problems.append('mox %s key is not PKCS#8 PEM' % name)
            # openssl must read what mox writes (and derive the same key).
            p = subprocess.run(['openssl', 'pkey', '-in', path, '-noout'], stderr=subprocess.PIPE)
            if p.returncode != 0:
                problems.append('openssl cannot read the mox %s key: %s' % (name, p.stderr.decode()))
                continue
            keys[name] = Key(name, path, kind, 'mox')
        # mox's TXT record must publish the key openssl derives.
        for k in keys.values():
            rec = run([mox, 'txt', k.path]).decode().strip()
            if tag(rec, 'p') != tag(k.txt, 'p'):
                problems.append('mox txt for %s (%s): p= differs from openssl\'s' % (k.name, k.origin))
            want_k = 'ed25519' if k.kind == 'ed25519' else 'rsa'
            if (tag(rec, 'k') or 'rsa') != want_k:
                problems.append('mox txt for %s: k=%s' % (k.name, tag(rec, 'k')))
    with open(os.path.join(tmp, 'keys.tsv'), 'w') as f:
        for k in keys.values():
            for d in (DOMAIN, DOMAIN2):
                f.write('%s._domainkey.%s\t%s\n' % (k.name, d, k.txt))
    return keys, problems


# --- messages ---

def crlf(lines):
    return b''.join(l + b'\r\n' for l in lines)


HDR = [b'From: Alice Example <alice@example.org>', b'To: Bob <bob@example.net>',
       b'Subject: interop test', b'Date: Tue, 25 Nov 2025 12:00:00 +0000',
       b'Message-ID: <interop.1@example.org>']


def fixed_messages():
    m = {}
    m['basic'] = crlf(HDR + [b'', b'Hello Bob,', b'', b'this is a test.'])
    m['trailing-blank'] = crlf(HDR + [b'', b'text', b'', b'', b'', b''])
    m['empty-body'] = crlf(HDR + [b''])
    m['no-separator'] = crlf(HDR)
    m['body-crlf-only'] = crlf(HDR + [b'', b''])
    m['no-final-crlf'] = crlf(HDR + [b'']) + b'last line without line end'
    m['no-final-crlf-ws'] = crlf(HDR + [b'']) + b'line\r\n  \t '
    m['whitespace'] = crlf(HDR + [b'', b'a  b\t\tc \t d', b'   leading', b'trailing   \t',
                                  b' \t ', b'x', b'\t', b'  ', b''])
    m['whitespace-end'] = crlf(HDR + [b'', b'text', b' ', b'\t', b'  \t  '])
    m['long-lines'] = crlf(HDR + [b'', b'a' * 998, b'b ' * 499, (b'word \t' * 160).rstrip(),
                                  b'c' * 77, b''])
    m['very-long-line'] = crlf(HDR + [b'', b'd' * 20000, b'end'])
    m['8bit'] = crlf([b'From: J\xc3\xb6rg <joerg@example.org>', b'To: b@example.net',
                      b'Subject: gr\xc3\xbc\xc3\x9fe \xe2\x9c\x93', b'MIME-Version: 1.0',
                      b'Content-Type: text/plain; charset=utf-8',
                      b'Content-Transfer-Encoding: 8bit', b'',
                      b'\xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac  latin1: \xe9\xe8 \xff\xfe',
                      b'\x01\x02 control \x7f', b''])
    m['folded-headers'] = crlf([b'From: Alice\r\n  Example <alice@example.org>',
                                b'To: bob@example.net,\r\n\tcarol@example.net,\r\n   dave@example.net',
                                b'Subject:   folded\r\n \t subject  \t with   runs  ',
                                b'SUBJECT-Extra: case', b'Date: Tue, 25 Nov 2025 12:00:00 +0000',
                                b'X-Empty:', b'X-Space: ', b'X-Nospace:value', b'',
                                b'body'])
    m['header-case'] = crlf([b'from: alice@example.org', b'TO: bob@example.net',
                             b'sUbJeCt: Mixed Case', b'Date: Tue, 25 Nov 2025 12:00:00 +0000',
                             b'', b'body'])
    m['duplicate-headers'] = crlf(HDR + [b'X-Dup: one', b'Received: by a', b'X-Dup: two',
                                         b'Received: by b', b'Cc: c@example.net', b'',
                                         b'body'])
    m['multipart'] = crlf(HDR[:3] + [b'MIME-Version: 1.0',
                                     b'Content-Type: multipart/mixed; boundary="b1"', b'',
                                     b'preamble', b'--b1', b'Content-Type: text/plain', b'',
                                     b'part one  ', b'--b1',
                                     b'Content-Type: application/octet-stream',
                                     b'Content-Transfer-Encoding: base64', b'',
                                     base64.b64encode(bytes(range(256)))[:76], b'--b1--', b''])
    m['dot-lines'] = crlf(HDR + [b'', b'.', b'..', b'.leading dot', b'From the start', b''])
    big = []
    r = random.Random(1)
    for i in range(4000):
        big.append(b' '.join(b'w%d' % r.randrange(10000) for _ in range(r.randrange(1, 15))))
    m['big'] = crlf(HDR + [b''] + big)
    # Bare LF line ends (the whole message).
    for name in ['basic', 'trailing-blank', 'whitespace', 'folded-headers', 'empty-body',
                 'no-final-crlf', '8bit']:
        m['lf-' + name] = m[name].replace(b'\r\n', b'\n')
    return m


WORDS = [b'the', b'quick', b'brown', b'fox', b'jumps', b'over', b'lazy', b'dog', b'DKIM',
         b'mail', b'\xc3\xa9t\xc3\xa9', b'na\xc3\xafve', b'x', b'1234', b'--', b'a.b', b'=3D']


def random_message(r, i):
    ws = lambda: r.choice([b' ', b' ', b'  ', b'\t', b' \t ', b'\t\t'])
    words = lambda n: ws().join(r.choice(WORDS) for _ in range(n))
    h = []
    names = [b'From', b'from', b'FROM'] if r.random() < 0.2 else [b'From']
    h.append(r.choice(names) + b':' + r.choice([b' ', b'', b'  ']) + b'User %d <u%d@example.org>' % (i, i))
    h.append(b'To: rcpt%d@example.net' % i)
    subj = words(r.randrange(1, 12))
    if r.random() < 0.3:
        subj = subj + b'\r\n' + ws() + words(r.randrange(1, 5))
    h.append(b'Subject:' + ws() + subj + (ws() if r.random() < 0.3 else b''))
    h.append(b'Date: Tue, 25 Nov 2025 12:%02d:00 +0000' % (i % 60))
    h.append(b'Message-ID: <r%d@example.org>' % i)
    for _ in range(r.randrange(0, 4)):
        h.append(b'X-Extra-%d:' % r.randrange(3) + ws() + words(r.randrange(0, 5)))
    if r.random() < 0.3:
        h.append(b'Cc: c%d@example.net' % i)
    r.shuffle(h)
    body = []
    for _ in range(r.randrange(0, 40)):
        kind = r.random()
        if kind < 0.15:
            body.append(b'')
        elif kind < 0.25:
            body.append(ws())
        elif kind < 0.3:
            body.append(b'L' * r.randrange(100, 990))
        else:
            line = words(r.randrange(1, 20))
            if r.random() < 0.3:
                line = ws() + line
            if r.random() < 0.3:
                line = line + ws()
            body.append(line)
    for _ in range(r.randrange(0, 4)):
        body.append(b'')
    msg = crlf(h) + b'\r\n' + crlf(body)
    if body and r.random() < 0.1:
        # No line end after the last line; without WSP before the end
        # (see variants(): that case is in the fixed set).
        msg = msg[:-2].rstrip(b' \t')
    if r.random() < 0.15:
        msg = msg.replace(b'\r\n', b'\n')
    return msg


# --- variants and expectations ---

def eol_of(msg):
    i = msg.find(b'\n')
    return b'\n' if i >= 0 and (i == 0 or msg[i - 1:i] != b'\r') else b'\r\n'


def split_msg(msg):
    """Header section (with its final line end) and body, by the first empty line."""
    i = 0
    while i < len(msg):
        j = msg.find(b'\n', i)
        if j < 0:
            return msg, b''
        line = msg[i:j + 1]
        if line in (b'\r\n', b'\n'):
            return msg[:j + 1], msg[j + 1:]
        i = j + 1
    return msg, b''


def variants(msg, nsigs):
    """(name, bytes, how) for each variant; how: a function of a signature's
    (header canon, body canon, index) giving the expected verdict."""
    out = [('orig', msg, lambda hc, bc, i: 'pass')]
    head, body = split_msg(msg)
    eol = eol_of(msg)
    # A body change.
    if body:
        out.append(('body', head + b'X' + body, lambda hc, bc, i: 'fail'))
    else:
        sep = b'' if head.endswith(eol + eol) or head.endswith(b'\n\n') else eol
        out.append(('body', head + sep + b'changed' + eol, lambda hc, bc, i: 'fail'))
    # The From value changed, and whitespace added after "From:".
    lines = head.split(b'\n')
    for k, l in enumerate(lines):
        if l[:5].lower() == b'from:':
            ch = list(lines)
            ch[k] = l[:5] + b'Z' + l[5:]
            out.append(('from', b'\n'.join(ch) + body, lambda hc, bc, i: 'fail'))
            ws = list(lines)
            ws[k] = l[:5] + b' \t ' + l[5:]
            out.append(('wsh', b'\n'.join(ws) + body,
                        lambda hc, bc, i: 'pass' if hc == 'relaxed' else 'fail'))
            break
    # Trailing whitespace on the first body line that has text.
    # Only a line with a line end: whether WSP at the end of an unterminated
    # last line is "at the end of a line" (RFC 6376 3.4.4) is read both
    # ways (see known-differences.txt, no-final-crlf-ws).
    blines = body.split(b'\n')
    for k, l in enumerate(blines[:-1]):
        if l.strip():
            ch = list(blines)
            if l.endswith(b'\r'):
                ch[k] = l[:-1] + b' \t\r'
            else:
                ch[k] = l + b' \t'
            out.append(('wsb', head + b'\n'.join(ch),
                        lambda hc, bc, i: 'pass' if bc == 'relaxed' else 'fail'))
            break
    # Empty lines appended: both canonicalizations ignore them.
    tail_msg = msg if msg.endswith(b'\n') else msg + eol
    out.append(('tail', tail_msg + eol + eol, lambda hc, bc, i: 'pass'))
    # Line ends converted.
    if eol == b'\r\n':
        out.append(('lf', msg.replace(b'\r\n', b'\n'), lambda hc, bc, i: 'pass'))
    else:
        out.append(('crlf', msg.replace(b'\n', b'\r\n'), lambda hc, bc, i: 'pass'))
    # The outermost signature's b= damaged.
    if nsigs > 1:
        bad = damage_first_b(msg)
        if bad is not None:
            out.append(('badb', bad, lambda hc, bc, i: 'fail' if i == 0 else 'pass'))
    return out


B64 = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'


def damage_first_b(msg):
    start = msg.lower().find(b'dkim-signature:')
    if start < 0:
        return None
    # The field ends at the first line end not followed by WSP.
    end = start
    while True:
        j = msg.find(b'\n', end)
        if j < 0 or msg[j + 1:j + 2] not in (b' ', b'\t'):
            break
        end = j + 1
    field = msg[start:j]
    k = 0
    while True:
        k = field.find(b'b=', k)
        if k < 0:
            return None
        if field[k - 1:k] in (b';', b' ', b'\t', b'\n'):
            break
        k += 2
    # Change a base64 character some way into the value.
    pos = k + 2
    seen = 0
    while pos < len(field):
        c = field[pos:pos + 1]
        if c in (b';',):
            return None
        if c in B64 and c != b'=':
            seen += 1
            if seen == 20:
                n = B64[(B64.index(c) + 1) % 64:(B64.index(c) + 1) % 64 + 1]
                return msg[:start] + field[:pos] + n + field[pos + 1:] + msg[j:]
        pos += 1
    return None


# --- driving ---

class Driver:
    def __init__(self, name, argv):
        self.name, self.argv = name, argv

    def sign(self, jobs, outdir, now):
        os.makedirs(outdir, exist_ok=True)
        out = run(self.argv + ['sign', '-time', str(now), jobs, outdir]).decode(errors='replace')
        res = {}
        for line in out.splitlines():
            f = line.split('\t')
            res[f[0]] = f[1] if f[1] == 'ok' else 'error: ' + (f[2] if len(f) > 2 else '')
        return res

    def verify(self, keys, files):
        res = {}
        # In batches, to keep the command line short.
        for i in range(0, len(files), 400):
            out = run(self.argv + ['verify', keys] + files[i:i + 400]).decode(errors='replace')
            for line in out.splitlines():
                f = line.split('\t')
                if len(f) < 3:
                    continue
                res.setdefault(f[0], []).append(f[1:])
        return res


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)
            reason = line[1].strip() if len(line) > 1 else ''
            parts = line[0].split()
            if len(parts) == 6:
                known.append(parts + [reason, [0]])
            elif parts:
                die('%s: bad line: %s' % (path, ' '.join(parts)))
    return known


def main(argv):
    opts = {'-opendkim': None, '-mox': None, '-seed': '1', '-random': '40', '-keep': None}
    verbose = False
    i = 1
    while i < len(argv):
        if argv[i] == '-v':
            verbose = True
            i += 1
        elif argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            sys.exit(__doc__.split('\n\n')[1])
    if opts['-opendkim'] is None:
        sys.exit(__doc__.split('\n\n')[1])
    # A missing peer is a skip (77 for meson), not a failure.
    if shutil.which('openssl') is None:
        print('run-interop: openssl not found; skipping')
        return 77
    if subprocess.run([PY, '-c', 'import dkim, nacl'], stderr=subprocess.DEVNULL).returncode != 0:
        print('run-interop: %s has no dkim (python3-dkim) or nacl (python3-nacl); skipping' % PY)
        return 77
    tmp = opts['-keep'] or tempfile.mkdtemp(prefix='mox-dkim-interop.')
    if opts['-keep']:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
    try:
        return check(tmp, opts, verbose)
    finally:
        if not opts['-keep']:
            shutil.rmtree(tmp, ignore_errors=True)


def check(tmp, opts, verbose):
    mox = opts['-mox']
    drivers = [Driver('dkimpy', [PY, os.path.join(HERE, 'dkimpy_driver.py')]),
               Driver('opendkim', [opts['-opendkim']])]
    if mox:
        drivers.insert(0, Driver('mox', [mox]))
    else:
        print('note: no -mox driver: checking dkimpy and OpenDKIM against each other only')
    feat = run([opts['-opendkim'], 'features']).decode()
    print('opendkim: %s' % ' '.join(feat.split()))
    keys, problems = make_keys(tmp, mox)
    keysfile = os.path.join(tmp, 'keys.tsv')
    for p in problems:
        print('FAIL key interop: %s' % p)

    r = random.Random(int(opts['-seed']))
    msgs = fixed_messages()
    nfixed = len(msgs)
    for k in range(int(opts['-random'])):
        msgs['rand%03d' % k] = random_message(r, k)
    md = os.path.join(tmp, 'msgs')
    os.makedirs(md)
    for name, data in msgs.items():
        with open(os.path.join(md, name + '.eml'), 'wb') as f:
            f.write(data)
    rsa_keys = [k for k in keys.values() if k.kind == 'rsa']
    ed_keys = [k for k in keys.values() if k.kind == 'ed25519']

    # Jobs: id -> (message name, key, canon, headers, domain). The same for
    # every signer.
    jobs = {}
    explicit = {'duplicate-headers': 'from:to:subject:x-dup:x-dup:x-dup:cc:x-missing',
                'folded-headers': 'from:to:subject:subject-extra:x-empty:x-space:x-nospace',
                'header-case': 'From:To:Subject:Date'}
    for name in msgs:
        if not name.startswith('rand'):
            for c in CANONS:
                cc = c.replace('relaxed', 'r').replace('simple', 's').replace('/', '')
                rk = rsa_keys[len(jobs) % len(rsa_keys)]
                ek = ed_keys[len(jobs) % len(ed_keys)]
                for key in (rk, ek):
                    jid = '%s.%s.%s' % (name, key.name, cc)
                    jobs[jid] = (name, key, c, explicit.get(name.replace('lf-', ''), '-'),
                                 DOMAIN if len(jobs) % 3 else DOMAIN2)
        else:
            for _ in range(2):
                key = r.choice(list(keys.values()))
                c = r.choice(CANONS)
                cc = c.replace('relaxed', 'r').replace('simple', 's').replace('/', '')
                jid = '%s.%s.%s' % (name, key.name, cc)
                jobs[jid] = (name, key, c, '-', r.choice([DOMAIN, DOMAIN2]))
    jobfile = os.path.join(tmp, 'jobs.tsv')
    with open(jobfile, 'w') as f:
        for jid, (name, key, c, hdrs, dom) in jobs.items():
            f.write('\t'.join([jid, os.path.join(md, name + '.eml'), key.path, key.alg, dom,
                               key.name, c, hdrs]) + '\n')
    now = int(time.time())
    failures = list(problems)
    # sigs[(signer, file id)] = [(domain, selector, hc, bc), ...] outermost first
    sigs = {}
    signed_dirs = []
    for d in drivers:
        outdir = os.path.join(tmp, 'signed', d.name)
        res = d.sign(jobfile, outdir, now)
        for jid in jobs:
            st = res.get(jid, 'error: no result')
            if st != 'ok':
                failures.append('%s could not sign %s: %s' % (d.name, jid, st))
                continue
            name, key, c, hdrs, dom = jobs[jid]
            hc, bc = c.split('/')
            sigs[(d.name, jid)] = [(dom, key.name, hc, bc, d.name)]
        signed_dirs.append((d.name, outdir))

    # Second signatures: each signer signs a share of the others' output
    # with another key.
    for d in drivers:
        j2 = {}
        for (signer, jid), slist in sorted(sigs.items()):
            if signer == d.name or len(slist) != 1:
                continue
            if hash_pick(jid + d.name) % 4 != 0:
                continue
            name, key, c, hdrs, dom = jobs[jid]
            other = keys['ed2'] if key.name != 'ed2' else keys['r2kb']
            if hash_pick(jid) % 2:
                other = keys['r2kb'] if key.name != 'r2kb' else keys['ed2']
            c2 = CANONS[hash_pick(jid + 'c') % 4]
            j2['%s+%s~%s' % (jid, d.name, signer)] = (os.path.join(tmp, 'signed', signer, jid + '.eml'),
                                                    other, c2, signer, jid)
        if not j2:
            continue
        jf = os.path.join(tmp, 'jobs2-%s.tsv' % d.name)
        with open(jf, 'w') as f:
            for jid2, (path, key, c2, signer, jid) in j2.items():
                f.write('\t'.join([jid2, path, key.path, key.alg, DOMAIN, key.name, c2, '-']) + '\n')
        outdir = os.path.join(tmp, 'signed2', d.name)
        res = d.sign(jf, outdir, now)
        for jid2, (path, key, c2, signer, jid) in j2.items():
            st = res.get(jid2, 'error: no result')
            if st != 'ok':
                failures.append('%s could not add a signature to %s: %s' % (d.name, jid2, st))
                continue
            hc, bc = c2.split('/')
            sigs[(d.name, jid2)] = [(DOMAIN, key.name, hc, bc, d.name)] + sigs[(signer, jid)]
        signed_dirs.append((d.name, outdir))

    # Variants and their expectations.
    vd = os.path.join(tmp, 'verify')
    os.makedirs(vd)
    expect = {}   # file id -> (signer, [(d, s, verdict)], variant)
    files = []
    for signer, outdir in signed_dirs:
        for fn in sorted(os.listdir(outdir)):
            jid = fn[:-4]
            slist = sigs.get((signer, jid))
            if slist is None:
                continue
            with open(os.path.join(outdir, fn), 'rb') as f:
                data = f.read()
            mname = jobs[jid.split('+')[0]][0]
            for vname, vdata, how in variants(data, len(slist)):
                fid = '%s@%s@%s' % (signer, jid, vname)
                path = os.path.join(vd, fid + '.eml')
                with open(path, 'wb') as f:
                    f.write(vdata)
                files.append(path)
                expect[fid] = (signer, [(dd, ss, how(hc, bc, k), sg, hc + '/' + bc)
                                        for k, (dd, ss, hc, bc, sg) in enumerate(slist)],
                               vname, mname)
    # Unsigned messages: "none" everywhere.
    for name in ('basic', 'lf-basic', 'no-separator'):
        fid = 'none@%s@orig' % name
        path = os.path.join(vd, fid + '.eml')
        shutil.copy(os.path.join(md, name + '.eml'), path)
        files.append(path)
        expect[fid] = ('none', [], 'orig', name)

    known = load_known(os.path.join(HERE, 'known-differences.txt'))
    stats = {}
    explained = []
    for v in drivers:
        got = v.verify(keysfile, files)
        for fid, (signer, exp, vname, mname) in sorted(expect.items()):
            rows = got.get(fid, [])
            key = (signer, v.name)
            st = stats.setdefault(key, [0, 0])
            for problem in compare(exp, rows, signer):
                jid = fid.split('@')[1]
                k = match_known(known, problem[2], v.name, mname, vname, problem[3], problem[0])
                if k is not None:
                    explained.append('%s -> %s %s (%s): %s [%s]' % (signer, v.name, jid, vname,
                                                                    problem[1], k[6]))
                    continue
                st[1] += 1
                failures.append('%s signed, %s verified %s (%s): %s' % (signer, v.name, jid, vname,
                                                                         problem[1]))
            st[0] += 1
    print('messages: %d fixed, %d random; signing jobs per signer: %d; verified files: %d'
          % (nfixed, len(msgs) - nfixed, len(jobs), len(files)))
    for (signer, verifier), (n, bad) in sorted(stats.items()):
        print('%-8s signed -> %-8s verified: %5d files, %d unexpected verdicts' % (signer, verifier, n, bad))
    if explained:
        print('known differences seen: %d' % len(explained))
        if verbose:
            for e in explained:
                print('  ' + e)
    unused = [k for k in known if k[7][0] == 0]
    if verbose:
        for k in unused:
            print('known difference not seen: %s' % ' '.join(k[:6]))
    if failures:
        for f in failures[:200]:
            print('FAIL ' + f)
        if len(failures) > 200:
            print('... and %d more' % (len(failures) - 200))
        print('FAIL: %d problems' % len(failures))
        return 1
    print('PASS')
    return 0


def hash_pick(s):
    h = 5381
    for c in s.encode():
        h = (h * 33 + c) & 0xffffffff
    return h


def compare(exp, rows, signer):
    """Problems as (result word, text, signer of the signature, its c=) for
    one file's verifier rows."""
    if not exp:
        if len(rows) == 1 and rows[0][0] == '-' and rows[0][1] == 'none':
            return []
        return [('other', 'want none, got %s' % fmt_rows(rows), signer, '-')]
    if len(rows) == 1 and rows[0][0] == '-':
        return [(rows[0][1], 'want %s, got %s' % (fmt_exp(exp), fmt_rows(rows)), signer, '-')]
    if len(rows) != len(exp):
        return [('count', 'want %d signatures, got %s' % (len(exp), fmt_rows(rows)), signer, '-')]
    probs = []
    by = {}
    for row in rows:
        if len(row) >= 4:
            by.setdefault((row[2].lower(), row[3].lower()), []).append(row)
    for (d, s, verdict, sg, canon) in exp:
        cand = by.get((d, s.lower()), [])
        if not cand:
            probs.append(('missing', 'no result for d=%s s=%s: %s' % (d, s, fmt_rows(rows)), sg, canon))
            continue
        row = cand.pop(0)
        if row[1] != verdict:
            probs.append((row[1], 'd=%s s=%s (%s, c=%s): want %s, got %s (%s)'
                          % (d, s, sg, canon, verdict, row[1], row[4] if len(row) > 4 else ''),
                          sg, canon))
    return probs


def fmt_rows(rows):
    return '; '.join(' '.join(r) for r in rows) or 'nothing'


def fmt_exp(exp):
    return ', '.join('%s s=%s' % (e[2], e[1]) for e in exp)


def field_match(value, pattern):
    """A known-differences field: comma-separated globs, or ! and globs
    for "none of these"."""
    if pattern.startswith('!'):
        return not any(fnmatch.fnmatch(value, p) for p in pattern[1:].split(','))
    return any(fnmatch.fnmatch(value, p) for p in pattern.split(','))


def match_known(known, signer, verifier, mname, vname, canon, result):
    for k in known:
        if all(field_match(v, p) for v, p in zip((signer, verifier, mname, vname, canon, result), k[:6])):
            k[7][0] += 1
            return k
    return None


if __name__ == '__main__':
    sys.exit(main(sys.argv))
