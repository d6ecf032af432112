#!/bin/sh
# SPDX-License-Identifier: MIT
# install-test.sh BUILDDIR SRCDIR
# Installs the build into a temporary prefix, then builds an example the way
# an outside user does (pkg-config --cflags --libs mox-core), runs it, and
# checks that headers, .pc file, soname links and the library all work.
set -eu
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"; exit 1; }
pc=$(find "$tmp/root" -name mox-core.pc | head -n 1)
[ -n "$pc" ] || { echo "mox-core.pc was not installed"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
for h in common.h addr.h dns.h message.h; do
	[ -n "$(find "$tmp/root" -path "*/include/mox/$h")" ] || { echo "header mox/$h not installed"; exit 1; }
done
# The soname link a program records must exist.
soname=$(readelf -d "$libdir/libmox-core.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
echo "soname: $soname"
case $soname in libmox-core.so.0.1) ;; *) echo "unexpected soname $soname"; exit 1 ;; esac
[ -e "$libdir/$soname" ] || { echo "$soname missing in $libdir"; exit 1; }

export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
flags=$(pkg-config --cflags --libs mox-core)
echo "pkg-config: $flags"
san=
case ${SANITIZE:-none} in none|'') ;; *) san="-fsanitize=$SANITIZE" ;; esac
${CC:-cc} -std=c99 -Wall -Werror $san -o "$tmp/dns-lookup" "$src/examples/dns-lookup.c" $flags
printf '$ORIGIN example.org.\n@ 300 IN TXT "v=spf1 " "-all"\n' >"$tmp/zone.txt"
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/dns-lookup" -zone "$tmp/zone.txt" TXT example.org)
echo "$out"
printf '%s\n' "$out" | head -n 1 | grep -qx 'ok unauthenticated' || { echo "unexpected result line"; exit 1; }
printf '%s\n' "$out" | grep -q 'TXT	"v=spf1 " "-all"' || { echo "record line missing"; exit 1; }
# The program links the versioned soname, not the dev symlink.
readelf -d "$tmp/dns-lookup" | grep -q "NEEDED.*\[$soname\]" || { echo "program does not need $soname"; exit 1; }
echo "ok"
