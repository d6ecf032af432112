# SPDX-License-Identifier: MIT
"""
milterclient.py -- the MTA side of the Sendmail milter protocol, version 6
(what Postfix and sendmail speak to a milter), for tests: a well-behaved
client that runs whole transactions and collects the milter's
modifications and verdict, plus raw access (send any bytes, any packet) for
tests of bad peers.

A packet is a 4-octet big-endian length (command octet included), the
command octet, and the data. The MTA negotiates (SMFIC_OPTNEG), then sends
macros (SMFIC_MACRO) before the command they belong to, and the SMTP events;
the milter answers each event it did not opt out of (SMFIP_NR_*), and at
end of message sends its modifications (add/insert/change header, ...)
and then a final verdict.

Usage:
    c = MilterClient(port)                        # 127.0.0.1:port
    c.negotiate()
    r = c.transaction(client_addr="192.0.2.10", helo="mail.example",
                      mail_from="a@example", rcpts=["b@example"],
                      message=raw_bytes, macros={...})
    r.verdict   -> "accept", "continue", "reject", "tempfail", "discard",
                   "replycode" (r.reply_text: "550 5.7.1 ...")
    r.added_headers -> [(name, value)] in order (SMFIR_ADDHEADER and
                   SMFIR_INSHEADER), r.changed_headers -> [(index, name,
                   value)] (value "" deletes), r.header(name) ...
    c.close()

Standalone: python3 milterclient.py PORT < message  (prints the result)
"""

import socket
import struct
import sys
import time

# Commands, MTA to milter
SMFIC_ABORT = b"A"
SMFIC_BODY = b"B"
SMFIC_CONNECT = b"C"
SMFIC_MACRO = b"D"
SMFIC_BODYEOB = b"E"
SMFIC_HELO = b"H"
SMFIC_QUIT_NC = b"K"
SMFIC_HEADER = b"L"
SMFIC_MAIL = b"M"
SMFIC_EOH = b"N"
SMFIC_OPTNEG = b"O"
SMFIC_QUIT = b"Q"
SMFIC_RCPT = b"R"
SMFIC_DATA = b"T"
SMFIC_UNKNOWN = b"U"

# Replies, milter to MTA
SMFIR_ADDRCPT = b"+"
SMFIR_DELRCPT = b"-"
SMFIR_ADDRCPT_PAR = b"2"
SMFIR_SHUTDOWN = b"4"
SMFIR_ACCEPT = b"a"
SMFIR_REPLBODY = b"b"
SMFIR_CONTINUE = b"c"
SMFIR_DISCARD = b"d"
SMFIR_CHGFROM = b"e"
SMFIR_CONN_FAIL = b"f"
SMFIR_ADDHEADER = b"h"
SMFIR_INSHEADER = b"i"
SMFIR_SETSYMLIST = b"l"
SMFIR_CHGHEADER = b"m"
SMFIR_PROGRESS = b"p"
SMFIR_QUARANTINE = b"q"
SMFIR_REJECT = b"r"
SMFIR_SKIP = b"s"
SMFIR_TEMPFAIL = b"t"
SMFIR_REPLYCODE = b"y"
SMFIR_OPTNEG = b"O"

FINAL = {SMFIR_ACCEPT: "accept", SMFIR_CONTINUE: "continue",
         SMFIR_REJECT: "reject", SMFIR_TEMPFAIL: "tempfail",
         SMFIR_DISCARD: "discard", SMFIR_REPLYCODE: "replycode",
         SMFIR_SKIP: "skip", SMFIR_CONN_FAIL: "conn_fail",
         SMFIR_SHUTDOWN: "shutdown"}

# Protocol flags (SMFIP_*)
SMFIP_NOCONNECT = 0x1
SMFIP_NOHELO = 0x2
SMFIP_NOMAIL = 0x4
SMFIP_NORCPT = 0x8
SMFIP_NOBODY = 0x10
SMFIP_NOHDRS = 0x20
SMFIP_NOEOH = 0x40
SMFIP_NR_HDR = 0x80
SMFIP_NOUNKNOWN = 0x100
SMFIP_NODATA = 0x200
SMFIP_SKIP = 0x400
SMFIP_RCPT_REJ = 0x800
SMFIP_NR_CONN = 0x1000
SMFIP_NR_HELO = 0x2000
SMFIP_NR_MAIL = 0x4000
SMFIP_NR_RCPT = 0x8000
SMFIP_NR_DATA = 0x10000
SMFIP_NR_UNKN = 0x20000
SMFIP_NR_EOH = 0x40000
SMFIP_NR_BODY = 0x80000
SMFIP_HDR_LEADSPC = 0x100000
SMFIP_MDS_256K = 0x10000000
SMFIP_MDS_1M = 0x20000000

# What Postfix 3.7 offers with milter_protocol = 6.
PROTO_OFFER = 0x1fffff
# Actions (SMFIF_*): all of them.
ACTIONS_OFFER = 0x1ff

BODY_CHUNK = 65535       # what Postfix and sendmail send at most

# Macro stages for SMFIC_MACRO and SMFIR_SETSYMLIST
STAGE_CODES = {0: SMFIC_CONNECT, 1: SMFIC_HELO, 2: SMFIC_MAIL,
               3: SMFIC_RCPT, 4: SMFIC_DATA, 5: SMFIC_BODYEOB,
               6: SMFIC_EOH}


class MilterError(Exception):
    pass


class MilterClosed(MilterError):
    """The milter closed the connection."""


class Result:
    def __init__(self):
        self.verdict = None        # final verdict name
        self.stage = None          # command at which it came ("eom", ...)
        self.reply_text = None     # SMFIR_REPLYCODE text
        self.added_headers = []    # (name, value), SMFIR_ADDHEADER/INSHEADER
        self.inserted = []         # (index, name, value) SMFIR_INSHEADER
        self.changed_headers = []  # (index, name, value) SMFIR_CHGHEADER
        self.quarantine = None
        self.other = []            # (cmd, data) other modifications
        self.replies = []          # (stage, cmd) of every reply

    def header(self, name):
        """Values of added headers named name (case-insensitive)."""
        return [v for n, v in self.added_headers if n.lower() == name.lower()]

    def accepted(self):
        return self.verdict in ("accept", "continue", "discard")

    def code(self):
        if self.verdict == "replycode" and self.reply_text:
            return self.reply_text[:3]
        return {"reject": "550", "tempfail": "451"}.get(self.verdict)

    def __repr__(self):
        return ("Result(verdict=%r stage=%r reply=%r added=%r changed=%r)"
                % (self.verdict, self.stage, self.reply_text,
                   self.added_headers, self.changed_headers))


def split_message(raw):
    """Split a message (bytes, CRLF or LF) into [(name, value)] and body
    (CRLF line ends). Values keep folding (CRLF + WSP) and lose the one
    space after the colon, as Postfix sends them."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sep = raw.find(b"\r\n\r\n")
    if raw.startswith(b"\r\n"):
        head, body = b"", raw[2:]
    elif sep < 0:
        head, body = raw, b""
    else:
        head, body = raw[:sep + 2], raw[sep + 4:]
    headers = []
    for line in head.split(b"\r\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and headers:
            n, v = headers[-1]
            headers[-1] = (n, v + b"\r\n" + line)
            continue
        n, _, v = line.partition(b":")
        if v.startswith(b" "):
            v = v[1:]
        headers.append((n, v))
    return headers, body


class MilterClient:
    def __init__(self, port, host="127.0.0.1", timeout=60, path=None,
                 quickack=False):
        """quickack: acknowledge every segment at once (TCP_QUICKACK
        before each read). libmilter writes each reply packet with its own
        write(2) and without TCP_NODELAY, so when a milter sends several
        packets in a row (modifications, then the verdict) the second
        waits for the ACK of the first, which a receiver with nothing to
        send delays by up to 40 ms. MTAs do not do this; load tests can."""
        self.timeout = timeout
        self.quickack = quickack
        if path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        else:
            self.sock = socket.create_connection((host, port),
                                                 timeout=timeout)
            # several packets go out without a reply in between (headers
            # with SMFIP_NR_HDR): no Nagle delays
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.version = None
        self.actions = 0
        self.proto = 0
        self.symlists = {}

    # ---------------------------------------------------------- raw I/O

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, cmd, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def _recv_exact(self, n):
        while len(self.buf) < n:
            if self.quickack:
                try:
                    self.sock.setsockopt(socket.IPPROTO_TCP,
                                         socket.TCP_QUICKACK, 1)
                except (OSError, AttributeError):
                    pass
            try:
                chunk = self.sock.recv(max(65536, n - len(self.buf)))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise MilterClosed("milter closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_packet(self):
        (n,) = struct.unpack(">I", self._recv_exact(4))
        if n < 1 or n > 64 * 1024 * 1024:
            raise MilterError("bad reply length %d" % n)
        p = self._recv_exact(n)
        return p[:1], p[1:]

    def closed_by_peer(self, timeout=5.0):
        """True when the milter closes the connection within timeout (any
        packets that arrive first are skipped)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    chunk = self.sock.recv(65536)
                except socket.timeout:
                    return False
                except ConnectionResetError:
                    return True
                if not chunk:
                    return True
            return False
        finally:
            self.sock.settimeout(self.timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -------------------------------------------------------- protocol

    def negotiate(self, version=6, actions=ACTIONS_OFFER,
                  proto=PROTO_OFFER):
        self.send(SMFIC_OPTNEG, struct.pack(">III", version, actions, proto))
        cmd, data = self.read_packet()
        if cmd != SMFIR_OPTNEG or len(data) < 12:
            raise MilterError("bad OPTNEG reply %r %r" % (cmd, data[:40]))
        self.version, self.actions, self.proto = struct.unpack(">III",
                                                               data[:12])
        rest = data[12:]
        while len(rest) >= 5:
            (where,) = struct.unpack(">I", rest[:4])
            end = rest.find(b"\0", 4)
            if end < 0:
                end = len(rest)
            self.symlists[where] = rest[4:end].decode(errors="replace")
            rest = rest[end + 1:]
        return self.version, self.actions, self.proto

    def macros(self, cmd, d):
        if not d:
            return
        data = b""
        for k, v in d.items():
            data += _b(k) + b"\0" + _b(v) + b"\0"
        self.send(SMFIC_MACRO, cmd + data)

    def _reply(self, res, stage):
        """Read until a final reply of an event: skips SMFIR_PROGRESS,
        collects modifications. Returns the reply command."""
        while True:
            cmd, data = self.read_packet()
            res.replies.append((stage, cmd))
            if cmd == SMFIR_PROGRESS:
                continue
            if cmd in FINAL:
                if cmd == SMFIR_REPLYCODE:
                    res.reply_text = data.rstrip(b"\0").decode(
                        errors="replace")
                return cmd
            if cmd == SMFIR_ADDHEADER:
                n, v = data.split(b"\0")[:2]
                res.added_headers.append((n.decode(errors="replace"),
                                          v.decode(errors="replace")))
            elif cmd == SMFIR_INSHEADER:
                (idx,) = struct.unpack(">I", data[:4])
                n, v = data[4:].split(b"\0")[:2]
                n, v = n.decode(errors="replace"), v.decode(errors="replace")
                res.inserted.append((idx, n, v))
                res.added_headers.append((n, v))
            elif cmd == SMFIR_CHGHEADER:
                (idx,) = struct.unpack(">I", data[:4])
                n, v = data[4:].split(b"\0")[:2]
                res.changed_headers.append((idx, n.decode(errors="replace"),
                                            v.decode(errors="replace")))
            elif cmd == SMFIR_QUARANTINE:
                res.quarantine = data.rstrip(b"\0").decode(errors="replace")
            else:
                res.other.append((cmd, data))

    def _event(self, res, stage, cmd, data, noflag, nrflag):
        """Send an event unless the milter opted out; read its reply
        unless it said it gives none. Returns the reply command or None."""
        if self.proto & noflag:
            return None
        self.send(cmd, data)
        if nrflag and self.proto & nrflag:
            return None
        return self._reply(res, stage)

    def _final(self, res, stage, r):
        if r is None or r == SMFIR_CONTINUE:
            return False
        if r == SMFIR_SKIP:
            return False
        res.verdict = FINAL[r]
        res.stage = stage
        return True

    def transaction(self, message, client_addr="192.0.2.10",
                    client_name=None, helo="mail.example", family="4",
                    mail_from="sender@example", rcpts=("rcpt@example",),
                    macros=None, connect=True, body_chunks=None,
                    headers=None):
        """One connection-level transaction: connect (unless connect is
        False: a second message on the same milter connection), helo,
        mail, rcpt, data, headers, body, end of message.

        macros: {stage-cmd-bytes: {name: value}}, e.g. {SMFIC_MAIL:
        {"{auth_authen}": "alice"}}; defaults add j, {daemon_name}, i.
        body_chunks: an iterable of body chunks (bytes) to send instead of
        the message's body (for streaming large bodies).
        headers: [(name, value)] to send instead of the message's.
        Returns a Result; stops at the first non-continue verdict."""
        res = Result()
        m = {SMFIC_CONNECT: {"j": "mx.inbox.example",
                             "{daemon_name}": "mx.inbox.example",
                             "v": "Postfix 3.7 (milterclient)"},
             SMFIC_BODYEOB: {"i": "4ABCDEF0123"}}
        for k, v in (macros or {}).items():
            m.setdefault(k, {}).update(v)
        hdrs, body = split_message(message)
        if headers is not None:
            hdrs = headers
        if connect:
            self.macros(SMFIC_CONNECT, m.get(SMFIC_CONNECT))
            name = client_name or "[%s]" % client_addr
            data = _b(name) + b"\0" + family.encode()
            if family in ("4", "6"):
                data += struct.pack(">H", 25000) + _b(client_addr) + b"\0"
            elif family == "L":
                data += struct.pack(">H", 0) + _b(client_addr) + b"\0"
            r = self._event(res, "connect", SMFIC_CONNECT, data,
                            SMFIP_NOCONNECT, SMFIP_NR_CONN)
            if self._final(res, "connect", r):
                return res
            self.macros(SMFIC_HELO, m.get(SMFIC_HELO))
            r = self._event(res, "helo", SMFIC_HELO, _b(helo) + b"\0",
                            SMFIP_NOHELO, SMFIP_NR_HELO)
            if self._final(res, "helo", r):
                return res
        self.macros(SMFIC_MAIL, m.get(SMFIC_MAIL))
        r = self._event(res, "mail", SMFIC_MAIL,
                        b"<" + _b(mail_from) + b">\0", SMFIP_NOMAIL,
                        SMFIP_NR_MAIL)
        if self._final(res, "mail", r):
            return res
        for rc in rcpts:
            self.macros(SMFIC_RCPT, m.get(SMFIC_RCPT))
            r = self._event(res, "rcpt", SMFIC_RCPT,
                            b"<" + _b(rc) + b">\0", SMFIP_NORCPT,
                            SMFIP_NR_RCPT)
            if self._final(res, "rcpt", r):
                return res
        self.macros(SMFIC_DATA, m.get(SMFIC_DATA))
        r = self._event(res, "data", SMFIC_DATA, b"", SMFIP_NODATA,
                        SMFIP_NR_DATA)
        if self._final(res, "data", r):
            return res
        for n, v in hdrs:
            v = _b(v)
            if self.proto & SMFIP_HDR_LEADSPC:
                v = b" " + v
            r = self._event(res, "header", SMFIC_HEADER,
                            _b(n) + b"\0" + v + b"\0", SMFIP_NOHDRS,
                            SMFIP_NR_HDR)
            if self._final(res, "header", r):
                return res
        self.macros(SMFIC_EOH, m.get(SMFIC_EOH))
        r = self._event(res, "eoh", SMFIC_EOH, b"", SMFIP_NOEOH,
                        SMFIP_NR_EOH)
        if self._final(res, "eoh", r):
            return res
        if body_chunks is None:
            body_chunks = (body[i:i + BODY_CHUNK]
                           for i in range(0, len(body), BODY_CHUNK))
        for chunk in body_chunks:
            if not chunk:
                continue
            r = self._event(res, "body", SMFIC_BODY, chunk, SMFIP_NOBODY,
                            SMFIP_NR_BODY)
            if r == SMFIR_SKIP:
                break
            if self._final(res, "body", r):
                return res
        self.macros(SMFIC_BODYEOB, m.get(SMFIC_BODYEOB))
        self.send(SMFIC_BODYEOB)
        r = self._reply(res, "eom")
        res.verdict = FINAL[r]
        res.stage = "eom"
        return res

    def abort(self):
        self.send(SMFIC_ABORT)

    def quit(self):
        try:
            self.send(SMFIC_QUIT)
        except OSError:
            pass
        self.close()


def _b(s):
    return s if isinstance(s, bytes) else str(s).encode()


def one_message(port, message, **kw):
    """Negotiate, run one transaction, quit. Returns the Result."""
    c = MilterClient(port, timeout=kw.pop("timeout", 60))
    try:
        c.negotiate()
        return c.transaction(message, **kw)
    finally:
        c.quit()


if __name__ == "__main__":
    port = int(sys.argv[1])
    r = one_message(port, sys.stdin.buffer.read())
    print(r)
