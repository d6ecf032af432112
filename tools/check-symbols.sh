#!/bin/sh
# SPDX-License-Identifier: MIT
# check-symbols.sh LIB.so SYMBOLS-FILE MAP-FILE [HEADER...]
# The ABI guard: the symbols LIB.so exports (nm -D) must be exactly the
# checked-in list, every one must carry a version node of the map file, and
# when headers are given, the functions they declare with MOX_API must be
# that same list.
set -eu
lib=$1 list=$2 map=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
	grep -v '^MOX_[A-Z_]*_[0-9.]*$' | sort -u >"$tmp/exported"
sed 's/@.*//' "$tmp/exported" | sort -u >"$tmp/names"
grep -v '^#' "$list" | sed '/^$/d' | sort -u >"$tmp/list"
rc=0
if ! diff -u "$tmp/list" "$tmp/names" >"$tmp/diff"; then
	echo "exported symbols of $lib differ from $list (- list, + library):"
	cat "$tmp/diff"
	rc=1
fi
# Every export is versioned (name@@NODE).
if grep -v '@@\?MOX_' "$tmp/exported" >"$tmp/unversioned"; then
	echo "symbols without a version node in $map:"
	cat "$tmp/unversioned"
	rc=1
fi
if [ $# -gt 0 ]; then
	cat "$@" | tr '\n' ' ' | sed 's/;/;\n/g' | grep 'MOX_API' |
		sed -n 's/.*[ *]\(mox_[a-z0-9_]*\)[ ]*(.*/\1/p' | sort -u >"$tmp/declared"
	if ! diff -u "$tmp/list" "$tmp/declared" >"$tmp/diff2"; then
		echo "functions declared MOX_API in the headers differ from $list (- list, + headers):"
		cat "$tmp/diff2"
		rc=1
	fi
fi
[ $rc -eq 0 ] && echo "ok: $(wc -l <"$tmp/list") symbols"
exit $rc
