#!/bin/bash
# SPDX-License-Identifier: MIT
# test-spf-cli.sh MOX SRCDIR -- `mox spf check|lookup|parse` against the zone
# text in cli/spf-zone.txt: every result word, the output lines scripts
# parse, exit codes (0 evaluated, 1 could not run, 2 usage), and parsing of
# good and bad records.
set -u
mox=$1 dir=$2/cli
pass=0 fail=0

# check NAME EXIT [-first WORD] [-absent REGEXP]... REGEXP... -- COMMAND...
# Every REGEXP must match a whole line of the output (stdout and stderr);
# -first WORD must be the whole first line of stdout; -absent REGEXP must
# match no line.
check() {
	local name=$1 want=$2; shift 2
	local pats=() absent=() first=
	while [ "$1" != "--" ]; do
		case $1 in
		-first) first=$2; shift 2 ;;
		-absent) absent+=("$2"); shift 2 ;;
		*) pats+=("$1"); shift ;;
		esac
	done
	shift
	local out rc stdout
	stdout=$("$@" 2>/dev/null)
	out=$("$@" 2>&1); rc=$?
	local ok=1
	[ "$rc" = "$want" ] || { ok=0; echo "  exit $rc, want $want"; }
	if [ -n "$first" ]; then
		local got
		got=$(printf '%s\n' "$stdout" | head -n 1)
		[ "$got" = "$first" ] || { ok=0; echo "  first line \"$got\", want \"$first\""; }
	fi
	for p in "${pats[@]}"; do
		printf '%s\n' "$out" | grep -qxE -- "$p" || { ok=0; echo "  no line matching: $p"; }
	done
	for p in "${absent[@]}"; do
		if printf '%s\n' "$out" | grep -qxE -- "$p"; then ok=0; echo "  unexpected line matching: $p"; fi
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - $name"
	else
		fail=$((fail + 1)); echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/    | /'
	fi
}

z=(-zone "$dir/spf-zone.txt")
spf=("$mox" spf)

# --- check: every result word ---
check pass 0 -first pass 'mechanism: ip4:192\.0\.2\.0/24' 'domain: example\.org' \
	'checked: postmaster@example\.org' 'authentic: no' 'received-spf: pass .*' \
	'authentication-results: spf=pass .*smtp\.mailfrom=.*' -absent 'reason: .*' -absent 'explanation: .*' -- \
	"${spf[@]}" check "${z[@]}" example.org 192.0.2.10
check pass-mx 0 -first pass 'mechanism: mx' -- "${spf[@]}" check "${z[@]}" example.org 2001:db8::25
check fail 0 -first fail 'mechanism: -all' -absent 'explanation: .*' -- \
	"${spf[@]}" check "${z[@]}" example.org 203.0.113.5
check fail-explanation 0 -first fail 'mechanism: -all' \
	'explanation: 203\.0\.113\.5 is not allowed to send for fail\.example\.org \(sender postmaster@fail\.example\.org, at 1700000000\)' -- \
	"${spf[@]}" check "${z[@]}" -now 1700000000 fail.example.org 203.0.113.5
check fail-no-explanation 0 -first fail -absent 'explanation: .*' -- \
	"${spf[@]}" check "${z[@]}" -no-explanation fail.example.org 203.0.113.5
check softfail 0 -first softfail 'mechanism: ~all' -- "${spf[@]}" check "${z[@]}" soft.example.org 203.0.113.5
check neutral 0 -first neutral 'mechanism: \?all' -- "${spf[@]}" check "${z[@]}" neutral.example.org 203.0.113.5
check neutral-default 0 -first neutral -absent 'mechanism: .*' -- \
	"${spf[@]}" check "${z[@]}" default.example.org 203.0.113.5
check none 0 -first none 'reason: .+' -absent 'mechanism: .*' -- "${spf[@]}" check "${z[@]}" nospf.example.org 192.0.2.1
check none-nxdomain 0 -first none 'reason: .+' -- "${spf[@]}" check "${z[@]}" nowhere.example.org 192.0.2.1
check temperror-timeout 0 -first temperror 'reason: .+' -- "${spf[@]}" check "${z[@]}" slow.example.org 192.0.2.1
check temperror-servfail 0 -first temperror 'reason: .+' -- "${spf[@]}" check "${z[@]}" broken.example.org 192.0.2.1
check temperror-include 0 -first temperror 'reason: .+' -- "${spf[@]}" check "${z[@]}" tempinc.example.org 192.0.2.1
check permerror-syntax 0 -first permerror 'reason: .+' -absent 'mechanism: .*' -- \
	"${spf[@]}" check "${z[@]}" bad.example.org 192.0.2.1
check permerror-two-records 0 -first permerror 'reason: .+' -- "${spf[@]}" check "${z[@]}" two.example.org 192.0.2.1
check permerror-void 0 -first permerror 'reason: .+' 'void-lookups: 3' -- \
	"${spf[@]}" check "${z[@]}" voids.example.org 192.0.2.1

# --- check: include, redirect, macros, identities ---
check include 0 -first pass 'mechanism: include:example\.org' 'mechanism-domain: inc\.example\.org' 'domain: inc\.example\.org' -- \
	"${spf[@]}" check "${z[@]}" inc.example.org 192.0.2.10
check include-nomatch 0 -first fail 'mechanism: -all' -- "${spf[@]}" check "${z[@]}" inc.example.org 203.0.113.5
check redirect 0 -first pass 'mechanism: ip4:192\.0\.2\.0/24' 'mechanism-domain: example\.org' -- \
	"${spf[@]}" check "${z[@]}" red.example.org 192.0.2.10
check redirect-fail 0 -first fail 'mechanism: -all' 'mechanism-domain: example\.org' -- \
	"${spf[@]}" check "${z[@]}" red.example.org 203.0.113.5
check macro-sender 0 -first pass 'checked: bob\+alice@macro\.example\.org' 'mechanism: exists:.*' -- \
	"${spf[@]}" check "${z[@]}" -sender bob+alice@macro.example.org macro.example.org 192.0.2.1
check macro-other-sender 0 -first fail -- \
	"${spf[@]}" check "${z[@]}" -sender carol@macro.example.org macro.example.org 192.0.2.1
check a-mx 0 -first pass -- "${spf[@]}" check "${z[@]}" amx.example.org 192.0.2.25
check a-mx-v6 0 -first pass -- "${spf[@]}" check "${z[@]}" amx.example.org 2001:db8::ffff
check a-mx-other 0 -first fail -- "${spf[@]}" check "${z[@]}" amx.example.org 192.0.2.26
check null-sender 0 -first pass 'checked: postmaster@helo\.example\.org' -- \
	"${spf[@]}" check "${z[@]}" -sender '<>' helo.example.org 198.51.100.7
check helo-identity 0 -first pass 'checked: postmaster@helo\.example\.org' \
	'authentication-results: spf=pass .*smtp\.helo=helo\.example\.org.*' -- \
	"${spf[@]}" check "${z[@]}" -identity helo helo.example.org 198.51.100.7
check helo-identity-fail 0 -first fail -- \
	"${spf[@]}" check "${z[@]}" -identity helo helo.example.org 198.51.100.8
check ipv4-mapped 0 -first pass -- "${spf[@]}" check "${z[@]}" example.org ::ffff:192.0.2.10
check authentic 0 -first pass 'authentic: yes' -- "${spf[@]}" check "${z[@]}" signed.example.org 2001:db8::1
check idn-domain 0 -first none -- "${spf[@]}" check "${z[@]}" münchen.example.org 192.0.2.1
check idn-sender 0 -first pass 'domain: xn--bcher-kva\.example\.org' 'checked: jörg@xn--bcher-kva\.example\.org' -- \
	"${spf[@]}" check "${z[@]}" -sender jörg@xn--bcher-kva.example.org bücher.example.org 192.0.2.1
check receiver 0 -first pass 'received-spf: .*receiver=mx\.receiver\.example.*' -- \
	"${spf[@]}" check "${z[@]}" -receiver mx.receiver.example example.org 192.0.2.10

# --- check: failures and usage ---
check check-usage-args 2 'usage: mox spf check .*' -- "${spf[@]}" check "${z[@]}" example.org
check check-usage-flag 2 'mox: unknown flag -bogus' -- "${spf[@]}" check -bogus example.org 192.0.2.1
check check-bad-ip 2 'mox: bad IP address "192\.0\.2" *: .*' -- "${spf[@]}" check "${z[@]}" example.org 192.0.2
check check-sender-domain 2 'mox: the domain of -sender .*' -- \
	"${spf[@]}" check "${z[@]}" -sender a@example.com example.org 192.0.2.1
check check-helo-domain 2 'mox: the HELO name .*' -- \
	"${spf[@]}" check "${z[@]}" -identity helo -helo other.example.org example.org 192.0.2.1
check check-address-as-domain 2 'mox: <domain> wants a domain name, not "a@example\.org" .*' -- \
	"${spf[@]}" check "${z[@]}" a@example.org 192.0.2.1
check check-flag-value 2 'mox: flag -sender needs a value' -- "${spf[@]}" check -sender
check check-missing-zone 1 'mox: zone /nonexistent/zone\.txt: .*' -- \
	"${spf[@]}" check -zone /nonexistent/zone.txt example.org 192.0.2.1
check check-resolver-fails 1 'mox: resolver: .*' -- \
	"${spf[@]}" check -resolvconf /nonexistent/resolv.conf example.org 192.0.2.1
check check-help 0 'usage: mox spf check .*' -- "${spf[@]}" check -help
check spf-usage 2 'usage: mox spf check .*' -- "${spf[@]}"
check spf-help 0 'usage: mox spf check .*' -- "${spf[@]}" -help

# --- lookup ---
check lookup 0 -first 'v=spf1 ip4:192.0.2.0/24 mx -all' ';; result: ok' ';; spf-records: 1' \
	-absent 'google-site-verification.*' -- "${spf[@]}" lookup "${z[@]}" example.org
check lookup-two 0 'v=spf1 -all' 'v=spf1 \+all' ';; spf-records: 2' -- "${spf[@]}" lookup "${z[@]}" two.example.org
check lookup-syntax 0 ';; spf-records: 1' ';; syntax: record 1: offset [0-9]+: .+' -- \
	"${spf[@]}" lookup "${z[@]}" bad.example.org
check lookup-nodata 0 -first ';; domain: nospf.example.org.' ';; result: nodata' ';; spf-records: 0' -- \
	"${spf[@]}" lookup "${z[@]}" nospf.example.org
check lookup-nxdomain 0 ';; result: nxdomain' ';; spf-records: 0' -- "${spf[@]}" lookup "${z[@]}" nowhere.example.org
check lookup-timeout 0 ';; result: timeout' -- "${spf[@]}" lookup "${z[@]}" slow.example.org
check lookup-servfail 0 ';; result: servfail' -- "${spf[@]}" lookup "${z[@]}" broken.example.org
check lookup-authentic 0 ';; authentic: yes' -- "${spf[@]}" lookup "${z[@]}" signed.example.org
check lookup-resolver-fails 1 'mox: resolver: .*' -- \
	"${spf[@]}" lookup -resolvconf /nonexistent/resolv.conf example.org
check lookup-usage 2 'usage: mox spf lookup .*' -- "${spf[@]}" lookup "${z[@]}"
check lookup-bad-name 2 'mox: bad name "a\.\.b": .*' -- "${spf[@]}" lookup "${z[@]}" a..b

# --- parse ---
check parse 0 -first 'v=spf1 ip4:192.0.2.0/24 a:%{d}/24//64 -mx:example.org ?ptr ip6:2001:db8::/32 exists:%{ir}.x.example include:_spf.example.com ~all redirect=r.example exp=e.%{d} foo=bar' \
	'ip4 qualifier=\+ network=192\.0\.2\.0 cidr4=24 offset=7' \
	'a qualifier=\+ domain-spec=%\{d\} cidr4=24 cidr6=64 offset=[0-9]+' \
	'mx qualifier=- domain-spec=example\.org cidr4=32 cidr6=128 offset=[0-9]+' \
	'ptr qualifier=\? offset=[0-9]+' \
	'ip6 qualifier=\+ network=2001:db8:: cidr6=32 offset=[0-9]+' \
	'exists qualifier=\+ domain-spec=%\{ir\}\.x\.example offset=[0-9]+' \
	'include qualifier=\+ domain-spec=_spf\.example\.com offset=[0-9]+' \
	'all qualifier=~ offset=[0-9]+' \
	'redirect domain-spec=r\.example offset=[0-9]+' \
	'exp domain-spec=e\.%\{d\} offset=[0-9]+' \
	'modifier name=foo value=bar offset=[0-9]+' -- \
	"${spf[@]}" parse 'v=spf1 ip4:192.0.2.0/24 a:%{d}/24//64 -mx:example.org ?ptr ip6:2001:DB8:0::/32 exists:%{ir}.x.example include:_spf.example.com ~all redirect=r.example exp=e.%{d} foo=bar'
check parse-canonical 0 -first 'v=spf1 +ip4:192.0.2.1 -all' -- "${spf[@]}" parse 'V=SPF1  +ip4:192.0.2.1/32   -all'
check parse-empty 0 -first 'v=spf1' -- "${spf[@]}" parse 'v=spf1'
check parse-bad-cidr 1 'mox: syntax error at offset 7: .+' -- "${spf[@]}" parse 'v=spf1 ip4:1.2.3.4/33 -all'
check parse-bad-mechanism 1 'mox: syntax error at offset 12: .+' -- "${spf[@]}" parse 'v=spf1 -all bogus'
check parse-bad-macro 1 'mox: syntax error at offset 7: .+' -- "${spf[@]}" parse 'v=spf1 a:%{x}.example -all'
check parse-two-redirects 1 'mox: syntax error at offset [0-9]+: .+' -- \
	"${spf[@]}" parse 'v=spf1 redirect=a.example redirect=b.example'
check parse-not-spf 1 'mox: not an SPF record .*' -- "${spf[@]}" parse 'v=spf10 -all'
check parse-usage 2 'usage: mox spf parse <record>' -- "${spf[@]}" parse
check parse-help 0 'usage: mox spf parse <record>' -- "${spf[@]}" parse -help

echo "$pass passed, $fail failed"
[ $fail = 0 ]
