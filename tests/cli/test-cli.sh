#!/bin/bash
# SPDX-License-Identifier: MIT
# test-cli.sh MOX SRCDIR -- the mox command line: version, help, and
# `mox dns lookup -zone` with its output lines and exit codes.
set -u
mox=$1 dir=$2/cli
pass=0 fail=0

check() { # name expected-exit expected-output-regexp... -- command
	local name=$1 want=$2; shift 2
	local pats=()
	while [ "$1" != "--" ]; do pats+=("$1"); shift; done
	shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	local ok=1
	[ "$rc" = "$want" ] || { ok=0; echo "  exit $rc, want $want"; }
	for p in "${pats[@]}"; do
		printf '%s\n' "$out" | grep -qxE -- "$p" || { ok=0; echo "  no line matching: $p"; }
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - $name"
	else
		fail=$((fail + 1)); echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/    | /'
	fi
}

z=(-zone "$dir/zone.txt")
check version 0 'mox [0-9]+\.[0-9]+\.[0-9]+' -- "$mox" version
check help 0 'usage: mox <command> \[args\]' '  mox dns lookup .*' -- "$mox" help
check no-args 2 'usage: mox <command> \[args\]' -- "$mox"
check unknown-command 2 'mox: unknown command "frobnicate"' -- "$mox" frobnicate
check lookup-usage 2 'usage: mox dns lookup .*' -- "$mox" dns lookup A
check bad-type 2 'mox: unknown record type "BOGUS"' -- "$mox" dns lookup "${z[@]}" BOGUS example.org
check bad-name 2 'mox: bad name "a..b": empty input' -- "$mox" dns lookup "${z[@]}" A a..b
check missing-zone 1 'mox: zone /nonexistent/zone.txt: .*No such file or directory.*' -- \
	"$mox" dns lookup -zone /nonexistent/zone.txt A example.org
check txt 0 ';; question: example.org. TXT' ';; result: ok' ';; rcode: NOERROR' \
	';; authentic: no' 'example.org.	300	IN	TXT	"v=spf1 " "ip4:192.0.2.0/24 -all"' -- \
	"$mox" dns lookup "${z[@]}" TXT example.org
check mx 0 ';; result: ok' 'example.org.	300	IN	MX	10 mail.example.org.' -- \
	"$mox" dns lookup "${z[@]}" mx EXAMPLE.ORG.
check cname-chain 0 ';; result: ok' ';; cname: www.example.org. -> web.example.org. -> mail.example.org.' \
	'mail.example.org.	300	IN	A	192.0.2.25' -- "$mox" dns lookup "${z[@]}" A www.example.org
check aaaa 0 'mail.example.org.	300	IN	AAAA	2001:db8::25' -- "$mox" dns lookup "${z[@]}" AAAA mail.example.org
check nodata 0 ';; result: nodata' ';; rcode: NOERROR' ';; ttl: 60' -- "$mox" dns lookup "${z[@]}" MX mail.example.org
check nxdomain 0 ';; result: nxdomain' ';; rcode: NXDOMAIN' -- "$mox" dns lookup "${z[@]}" A nope.example.org
check not-in-zone 0 ';; result: nxdomain' -- "$mox" dns lookup "${z[@]}" A example.com
check servfail 0 ';; result: servfail' ';; rcode: SERVFAIL' -- "$mox" dns lookup "${z[@]}" A broken.example.org
check timeout 0 ';; result: timeout' -- "$mox" dns lookup "${z[@]}" TXT slow.example.org
check authentic 0 ';; authentic: yes' 'signed.example.org.	300	IN	A	192.0.2.80' -- \
	"$mox" dns lookup "${z[@]}" A signed.example.org
check idn 0 ';; question: xn--mnchen-3ya.example.org. A' 'xn--mnchen-3ya.example.org.	300	IN	A	192.0.2.99' -- \
	"$mox" dns lookup "${z[@]}" A münchen.example.org
check ptr-from-ip 0 ';; question: 25.2.0.192.in-addr.arpa. PTR' '25.2.0.192.in-addr.arpa.	300	IN	PTR	mail.example.org.' -- \
	"$mox" dns lookup "${z[@]}" PTR 192.0.2.25
check tlsa 0 '_25._tcp.mail.example.org.	300	IN	TLSA	3 1 1 [0-9A-Fa-f]{64}' -- \
	"$mox" dns lookup "${z[@]}" TLSA _25._tcp.mail.example.org
check bad-zone 1 'mox: zone .*line 1.*' -- "$mox" dns lookup -zone <(printf 'x IN A 1.2.3\n') A x

# mox message parse: -imap gives exactly the two lines of RFC 3501's FETCH
# example for a message built to match it.
d=$2/data/msg
check message-usage 2 'usage: mox message parse \[-imap\] FILE\|-' -- "$mox" message parse
check message-missing 1 'mox: /nonexistent.eml: No such file or directory' -- "$mox" message parse /nonexistent.eml
check message-imap 0 \
	'BODYSTRUCTURE \("TEXT" "PLAIN" \("CHARSET" "US-ASCII"\) NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL\)' \
	'ENVELOPE \("Wed, 17 Jul 1996 02:23:25 -0700 \(PDT\)" "IMAP4rev1 WG mtg summary and minutes" \(\("Terry Gray" NIL "gray" "cac.washington.edu"\)\) \(\("Terry Gray" NIL "gray" "cac.washington.edu"\)\) \(\("Terry Gray" NIL "gray" "cac.washington.edu"\)\) \(\(NIL NIL "imap" "cac.washington.edu"\)\) \(\(NIL NIL "minutes" "CNRI.Reston.VA.US"\)\("John Klensin" NIL "KLENSIN" "MIT.EDU"\)\) NIL NIL "<B27397-0100000@cac.washington.edu>"\)' -- \
	"$mox" message parse -imap "$d/rfc3501-fetch-text.eml"
n=$("$mox" message parse -imap - <"$d/rfc2049-appendix-a.eml" | wc -l)
check message-imap-two-lines 0 "$n" -- echo 2
# JSON: valid, and the RFC 2049 appendix A tree (9 parts: the message,
# two text parts, a parallel multipart with audio and image, enriched
# text, a message/rfc822 and its text body).
check message-json 0 'ok' -- python3 -c '
import json, subprocess, sys
t = json.loads(subprocess.run([sys.argv[1], "message", "parse", sys.argv[2]],
    capture_output=True, check=True).stdout)
r = t["root"]
types = []
def walk(p):
    types.append(p["type"] + "/" + p["subtype"])
    for c in p["parts"]:
        walk(c)
walk(r)
assert t["parts"] == 9 and len(types) == 9, types
assert types == ["multipart/mixed", "text/plain", "text/plain", "multipart/parallel",
    "audio/basic", "image/jpeg", "text/enriched", "message/rfc822", "text/plain"], types
assert r["params"] == {"boundary": "unique-boundary-1"}
assert r["header_offset"] == 0 and r["end_offset"] == t["size"]
subj = [h["value"] for h in r["headers"] if h["name"].lower() == "subject"]
assert subj == ["A multipart example"], subj
data = open(sys.argv[2], "rb").read()
for p in [r] + r["parts"]:
    assert p["body_size"] == p["end_offset"] - p["body_offset"]
    assert p["body_lines"] == data[p["body_offset"]:p["end_offset"]].count(b"\n")
print("ok")' "$mox" "$d/rfc2049-appendix-a.eml"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
