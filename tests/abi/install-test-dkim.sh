#!/bin/sh
# SPDX-License-Identifier: MIT
# install-test-dkim.sh BUILDDIR SRCDIR
# Installs the build into a temporary prefix, then builds examples/dkim-sign.c
# and examples/dkim-verify.c the way an outside user does (pkg-config
# --cflags --libs mox-dkim), generates an Ed25519 and an RSA key with them,
# publishes both in zone text, signs a message twice and verifies it, a
# changed copy and an unsigned message, and checks the header, the .pc file
# (with its Requires: on mox-core), the soname links and the libraries.
set -eu
build=$1 src=$2
# shellcheck source=install-lib.sh
. "$(dirname "$0")/install-lib.sh"
install_lib "$build" dkim dkim.h
for p in dkim-sign dkim-verify; do
	# shellcheck disable=SC2086 # $san and $flags are word lists
	${CC:-cc} -std=c99 -Wall -Werror $san -o "$tmp/$p" "$src/examples/$p.c" $flags
done

run() { # program args...
	p=$1; shift
	LD_LIBRARY_PATH="$libdir" "$tmp/$p" "$@"
}
run dkim-sign -genkey ed25519 >"$tmp/ed.pem"
run dkim-sign -genkey rsa >"$tmp/rsa.pem"
head -n 1 "$tmp/ed.pem" | grep -qx -- '-----BEGIN PRIVATE KEY-----' || { echo "no PKCS#8 PEM from -genkey"; exit 1; }
{
	echo "\$ORIGIN example.org."
	echo "ed._domainkey 300 IN TXT $(run dkim-sign -txt "$tmp/ed.pem")"
	echo "rsa._domainkey 300 IN TXT $(run dkim-sign -txt "$tmp/rsa.pem")"
} >"$tmp/zone.txt"
printf 'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: install test\r\n\r\nHello.\r\n' >"$tmp/msg.eml"
run dkim-sign "$tmp/ed.pem" example.org ed <"$tmp/msg.eml" >"$tmp/once.eml"
run dkim-sign "$tmp/rsa.pem" example.org rsa <"$tmp/once.eml" >"$tmp/signed.eml"

expect() { # file expected-first-words...
	f=$1; shift
	got=$(run dkim-verify -zone "$tmp/zone.txt" <"$f" | grep -v '^  ' | cut -d' ' -f1-3 | tr '\n' '|')
	want=$(printf '%s|' "$@")
	run dkim-verify -zone "$tmp/zone.txt" <"$f"
	[ "$got" = "$want" ] || { echo "dkim-verify of $f: got \"$got\", want \"$want\""; exit 1; }
}
expect "$tmp/signed.eml" "pass example.org rsa" "pass example.org ed"
run dkim-verify -zone "$tmp/zone.txt" <"$tmp/signed.eml" | grep -q '^  dkim=pass header.d=example.org header.s=ed ' ||
	{ echo "no Authentication-Results resinfo"; exit 1; }
sed 's/Hello/Goodbye/' "$tmp/signed.eml" >"$tmp/changed.eml"
expect "$tmp/changed.eml" "fail example.org rsa" "fail example.org ed"
expect "$tmp/msg.eml" "none"
# Usage errors exit 2.
set +e
run dkim-sign "$tmp/ed.pem" >/dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || { echo "usage error exited $rc, want 2"; exit 1; }

# The programs link the versioned sonames, not the dev symlinks.
for p in dkim-sign dkim-verify; do
	readelf -d "$tmp/$p" | grep -q "NEEDED.*\[$soname\]" || { echo "$p does not need $soname"; exit 1; }
done
readelf -d "$tmp/dkim-verify" | grep -q "NEEDED.*\[$coresoname\]" || { echo "dkim-verify does not need $coresoname"; exit 1; }
echo "ok"
