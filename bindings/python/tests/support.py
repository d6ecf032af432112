# SPDX-License-Identifier: MIT
"""Shared helpers of the moxmail tests.

The tests import the moxmail package the way a user does (the installed
one; tests/bindings/run-python-tests.sh installs it into a venv). Run
them from any directory but bindings/python itself, or with the source
tree on PYTHONPATH and MOXMAIL_LIBDIR pointing at a build directory.
"""
import base64
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# A realistic message of about 2 KB (headers and a plain text body).
BODY_LINE = (b'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do '
             b'eiusmod tempor.\r\n')


def message(from_addr=b'Alice Example <alice@example.org>', size=2048,
            subject=b'Quarterly report'):
    hdr = (b'From: ' + from_addr + b'\r\n'
           b'To: Bob <bob@example.net>\r\n'
           b'Cc: carol@example.net\r\n'
           b'Subject: ' + subject + b'\r\n'
           b'Date: Tue, 05 Mar 2024 10:00:00 +0000\r\n'
           b'Message-ID: <20240305100000.12345@example.org>\r\n'
           b'MIME-Version: 1.0\r\n'
           b'Content-Type: text/plain; charset=utf-8\r\n'
           b'Content-Transfer-Encoding: 7bit\r\n'
           b'\r\n')
    body = b''
    while len(hdr) + len(body) + len(BODY_LINE) <= size:
        body += BODY_LINE
    return hdr + body


def crypto_keys():
    """(rsa_pem, rsa_txt, ed_pem, ed_txt) made with python3-cryptography,
    independently of the code under test, or None when it is missing."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    except ImportError:
        return None
    pkcs8 = dict(encoding=serialization.Encoding.PEM,
                 format=serialization.PrivateFormat.PKCS8,
                 encryption_algorithm=serialization.NoEncryption())
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_der = rk.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    ek = ed25519.Ed25519PrivateKey.generate()
    ed_raw = ek.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)
    return (rk.private_bytes(**pkcs8),
            'v=DKIM1; k=rsa; p=' + base64.b64encode(rsa_der).decode(),
            ek.private_bytes(**pkcs8),
            'v=DKIM1; k=ed25519; p=' + base64.b64encode(ed_raw).decode())


def ed25519_seed_b64(pem):
    """dkimpy wants an Ed25519 private key as the base64 32-octet seed: the
    last 32 octets of the PKCS#8 DER (RFC 8410)."""
    lines = [ln.strip() for ln in pem.splitlines()]
    der = base64.b64decode(b''.join(ln for ln in lines
                                    if ln and not ln.startswith(b'-----')))
    return base64.b64encode(der[-32:])


def zone_txt(value):
    """A TXT value as zone-file character-strings (255-octet pieces)."""
    b = value.encode() if isinstance(value, str) else value
    parts = [b[i:i + 255] for i in range(0, len(b), 255)] or [b'']
    return ' '.join('"%s"' % p.decode() for p in parts)
