#!/bin/sh
# SPDX-License-Identifier: MIT
# install-test-spf.sh BUILDDIR SRCDIR
# Installs the build into a temporary prefix, then builds examples/spf-check.c
# the way an outside user does (pkg-config --cflags --libs mox-spf), runs it
# against zone text, and checks that the header, the .pc file (with its
# Requires: on mox-core), the soname links and the libraries all work.
set -eu
build=$1 src=$2
# shellcheck source=install-lib.sh
. "$(dirname "$0")/install-lib.sh"
install_lib "$build" spf spf.h
# shellcheck disable=SC2086 # $san and $flags are word lists
${CC:-cc} -std=c99 -Wall -Werror $san -o "$tmp/spf-check" "$src/examples/spf-check.c" $flags

cat >"$tmp/zone.txt" <<'EOF'
$ORIGIN example.org.
@	300 IN TXT "v=spf1 ip4:192.0.2.0/24 " "-all exp=why.example.org"
why	300 IN TXT "%{i} may not send for %{d}"
helo	300 IN TXT "v=spf1 a -all"
	300 IN A 198.51.100.7
EOF
run() { LD_LIBRARY_PATH="$libdir" "$tmp/spf-check" -zone "$tmp/zone.txt" "$@"; }
expect() { # expected-output command-args...
	want=$1; shift
	got=$(run "$@") || { echo "spf-check $* failed"; exit 1; }
	echo "$got"
	[ "$got" = "$want" ] || { echo "unexpected output of spf-check $*, want:"; echo "$want"; exit 1; }
}
expect "pass
mechanism: ip4:192.0.2.0/24 (in example.org)" 192.0.2.10 user@example.org mail.example.net
expect "fail
mechanism: -all (in example.org)
explanation: 203.0.113.9 may not send for example.org" 203.0.113.9 user@example.org
expect "pass
mechanism: a (in helo.example.org)" 198.51.100.7 "" helo.example.org
got=$(run 192.0.2.10 user@nowhere.example.org | head -n 1)
[ "$got" = none ] || { echo "no record: got $got, want none"; exit 1; }
# Usage errors exit 2.
set +e
run 192.0.2.10 >/dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || { echo "usage error exited $rc, want 2"; exit 1; }

# The program links the versioned sonames, not the dev symlinks.
readelf -d "$tmp/spf-check" | grep -q "NEEDED.*\[$soname\]" || { echo "program does not need $soname"; exit 1; }
readelf -d "$tmp/spf-check" | grep -q "NEEDED.*\[$coresoname\]" || { echo "program does not need $coresoname"; exit 1; }
echo "ok"
