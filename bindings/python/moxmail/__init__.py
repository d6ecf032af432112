# SPDX-License-Identifier: MIT
"""moxmail -- Python bindings (ctypes) of the mox mail authentication
libraries: SPF (moxmail.spf), DKIM (moxmail.dkim), DMARC (moxmail.dmarc)
over a pluggable DNS resolver (moxmail.Resolver).

Bytes in, bytes out for messages; results are dataclasses; a failed call
raises moxmail.MoxError (.status, .name such as "MOX_ESYNTAX", .message).
Every C handle is freed deterministically: close() or `with` for the
long-lived ones (Resolver, dkim.Key, dmarc.PublicSuffixList).
"""
from ._lib import MoxError
from . import _lib
from .dns import Answer, Record, Resolver, RRType
from . import dns, spf, dkim, dmarc

__version__ = '0.1.0'
__all__ = ['MoxError', 'Resolver', 'Answer', 'Record', 'RRType', 'dns',
           'spf', 'dkim', 'dmarc', 'library_version', 'strerror',
           'status_name']


def library_version():
    """Version of the loaded libmox-core ("0.1.0")."""
    return _lib.mox_version().decode()


def strerror(status):
    """The library's message for a status number."""
    return _lib.mox_strerror(int(status)).decode()


def status_name(status):
    """The symbolic name of a status number ("MOX_ESYNTAX"), or None."""
    n = _lib.mox_status_name(int(status))
    return n.decode() if n else None
