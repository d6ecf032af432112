#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-nsd-test.sh -- interop test of libmoxcore's libunbound backend against
# a real authoritative server.
#
# Usage: run-nsd-test.sh TEST_BINARY
#
# Signs the zones good.example and bad.example (files next to this script)
# with fresh keys (ldns-keygen, ldns-signzone), changes the address of
# altered.bad.example in the signed bad.example without re-signing, serves
# both with nsd on a free port of 127.0.0.1, and runs TEST_BINARY (built
# from test_unbound.c) with the port and the trust anchors in the
# environment:
#   MOX_TEST_NSD_PORT   port nsd listens on (127.0.0.1, UDP and TCP)
#   MOX_TEST_TA_FILE    trust anchor file (DS) of good.example
#   MOX_TEST_TA_KEY     file with the DNSKEY of bad.example, one line, given
#                       to the resolver as an inline trust anchor
#   MOX_TEST_TMPDIR     scratch directory the binary may use
# Exits with the binary's status; 77 (skip) when a tool is missing.
# Everything runs on the loopback interface, and everything is bounded: the
# binary runs under timeout(1), nsd is stopped on exit whatever happens.
# MOX_TEST_KEEP=1 keeps the scratch directory for inspection.

set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 TEST_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "$0: $bin: not an executable" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

for tool in nsd ldns-keygen ldns-signzone python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (Debian: apt-get install nsd" \
		    "ldnsutils); skipping" >&2
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mox-nsd-test.XXXXXX") || exit 1
nsd_pid=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$nsd_pid" ]; then
		kill -TERM "$nsd_pid" 2>/dev/null
		# nsd stops its children itself; give it a moment, then insist
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$nsd_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$nsd_pid" 2>/dev/null
		wait "$nsd_pid" 2>/dev/null
		nsd_pid=
	fi
	if [ "${MOX_TEST_KEEP:-0}" = 1 ]; then
		echo "$0: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() {
	echo "$0: $*" >&2
	exit 1
}

# --- keys and signed zones ---

# Sign zone $1 (good or bad) with a new key (one KSK-flagged ECDSA key signs
# everything); print the key's base name (K<zone>.+013+<tag>).
sign_zone() {
	local key
	cp "$here/$1.example.zone" "$tmp/" || return 1
	key=$(cd "$tmp" && ldns-keygen -a ECDSAP256SHA256 -k "$1.example") ||
	    return 1
	ldns-signzone -o "$1.example." -f "$tmp/$1.example.zone.signed" \
	    "$tmp/$1.example.zone" "$tmp/$key" || return 1
	echo "$tmp/$key"
}
key_good=$(sign_zone good) || die "signing good.example failed"
key_bad=$(sign_zone bad) || die "signing bad.example failed"
ta_file=$key_good.ds
ta_key=$key_bad.key

# Change the address of altered.bad.example; its RRSIG stays the one made for
# 192.0.2.80, so a validating resolver must call the answer bogus.
signed_bad=$tmp/bad.example.zone.signed
sp='[[:space:]]+'
rr="^(altered\\.bad\\.example\\.${sp}[0-9]+${sp}IN${sp}A${sp})"
sed -E "s/${rr}192\\.0\\.2\\.80[[:space:]]*\$/\\1192.0.2.66/" "$signed_bad" \
    >"$signed_bad.new" || die "sed failed"
mv "$signed_bad.new" "$signed_bad"
grep -Eq "${rr}192\\.0\\.2\\.66\$" "$signed_bad" ||
    die "could not alter altered.bad.example in $signed_bad"

# --- nsd ---

# A port free for both UDP and TCP on 127.0.0.1 (another process may still
# take it before nsd binds: start_nsd retries with a new one).
free_port() {
	python3 - <<'EOF'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        u.close()
        continue
    t.close()
    u.close()
    print(port)
    break
EOF
}

# Exit 0 when nsd on port $1 answers a SOA question for good.example.
probe() {
	python3 - "$1" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
q = struct.pack(">HHHHHH", 0x4d58, 0, 1, 0, 0, 0)
for label in (b"good", b"example"):
    q += bytes([len(label)]) + label
q += b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
try:
    s.sendto(q, ("127.0.0.1", port))
    r, _ = s.recvfrom(4096)
except OSError:
    sys.exit(1)
ok = len(r) >= 12 and r[:2] == q[:2] and (r[3] & 0x0f) == 0
sys.exit(0 if ok else 1)
EOF
}

write_conf() {
	cat >"$tmp/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$1
	port: $1
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$tmp"
	pidfile: "$tmp/nsd.pid"
	database: ""
	zonelistfile: "$tmp/zone.list"
	xfrdfile: "$tmp/xfrd.state"
	logfile: "$tmp/nsd.log"
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "good.example"
	zonefile: "$tmp/good.example.zone.signed"
zone:
	name: "bad.example"
	zonefile: "$tmp/bad.example.zone.signed"
EOF
}

start_nsd() {
	local attempt port
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		[ -n "$port" ] || die "no free port"
		write_conf "$port"
		nsd -d -c "$tmp/nsd.conf" >"$tmp/nsd.out" 2>&1 &
		nsd_pid=$!
		# at most 10 s until it answers
		for _ in $(seq 1 40); do
			if ! kill -0 "$nsd_pid" 2>/dev/null; then
				break
			fi
			if probe "$port"; then
				nsd_port=$port
				return 0
			fi
			sleep 0.2
		done
		echo "$0: nsd did not start on port $port (attempt $attempt):" >&2
		cat "$tmp/nsd.out" "$tmp/nsd.log" 2>/dev/null | tail -n 20 >&2
		kill -TERM "$nsd_pid" 2>/dev/null
		sleep 0.5
		kill -KILL "$nsd_pid" 2>/dev/null
		wait "$nsd_pid" 2>/dev/null
		nsd_pid=
	done
	die "could not start nsd"
}

nsd_port=
start_nsd
echo "$0: nsd serving good.example and bad.example on 127.0.0.1@$nsd_port" >&2

# --- the test ---

MOX_TEST_NSD_PORT=$nsd_port \
MOX_TEST_TA_FILE=$ta_file \
MOX_TEST_TA_KEY=$ta_key \
MOX_TEST_TMPDIR=$tmp \
    timeout -k 10 "${MOX_TEST_TIMEOUT:-120}" "$bin"
status=$?
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	echo "$0: $bin timed out" >&2
fi
exit $status
