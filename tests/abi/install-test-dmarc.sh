#!/bin/sh
# SPDX-License-Identifier: MIT
# install-test-dmarc.sh BUILDDIR SRCDIR
# Installs the build into a temporary prefix, builds examples/dmarc-evaluate.c
# the way an outside user does (pkg-config --cflags --libs mox-dmarc), and
# runs it on a message against zone text: aligned SPF passes, unaligned
# fails with the record's reject policy.
set -eu
build=$1 src=$2
# shellcheck source=install-lib.sh
. "$(dirname "$0")/install-lib.sh"
install_lib "$build" dmarc dmarc.h
# shellcheck disable=SC2086 # $san and $flags are word lists
${CC:-cc} -std=c99 -Wall -Werror $san -o "$tmp/dmarc-evaluate" "$src/examples/dmarc-evaluate.c" $flags

printf '_dmarc.example.org. 300 IN TXT "v=DMARC1; p=reject"\n' >"$tmp/zone.txt"
printf 'From: Someone <a@example.org>\r\nSubject: x\r\n\r\nhi\r\n' >"$tmp/msg.eml"
run() { LD_LIBRARY_PATH="$libdir" "$tmp/dmarc-evaluate" -zone "$tmp/zone.txt" "$tmp/msg.eml" "$@"; }
got=$(run spf=pass:example.org | head -n 2 | tr '\n' ' ')
[ "$got" = "pass policy: none " ] || { echo "aligned SPF: got '$got'"; exit 1; }
got=$(run spf=pass:other.example | head -n 2 | tr '\n' ' ')
[ "$got" = "fail policy: reject " ] || { echo "unaligned SPF: got '$got'"; exit 1; }
got=$(run dkim=pass:mail.example.org:sel | head -n 1)
[ "$got" = pass ] || { echo "relaxed DKIM alignment: got '$got'"; exit 1; }

readelf -d "$tmp/dmarc-evaluate" | grep -q "NEEDED.*\[$soname\]" || { echo "program does not need $soname"; exit 1; }
echo "ok"
