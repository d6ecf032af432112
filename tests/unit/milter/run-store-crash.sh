#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-store-crash.sh STORE_CRASH [MOX_MILTER]
#
# Kill -9 test of the DMARC evaluation store: STORE_CRASH (store_crash.c)
# runs 6 rounds of a child adding evaluations from several threads, killed
# mid-burst, and checks after each that the store opens and holds every
# evaluation whose mstore_add() returned. With MOX_MILTER, the store is
# then listed with `MOX_MILTER dmarc-report -store STORE -list`, which must
# give one line per stored evaluation and name every acknowledged one.
# Bounded: about 5 seconds, 60 at most.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 STORE_CRASH [MOX_MILTER]" >&2
	exit 2
fi
crash=$1
milter=${2:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/store-crash.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
store=$dir/dmarc.lmdb

timeout 60 "$crash" "$store" 6

if [ -n "$milter" ]; then
	timeout 30 "$milter" dmarc-report -store "$store" -list >"$dir/list"
	rows=$(wc -l <"$dir/list")
	want=$(cat "$store.rows")
	if [ "$rows" -ne "$want" ]; then
		echo "FAIL: dmarc-report -list gave $rows lines, the store holds $want" >&2
		exit 1
	fi
	sed -n 's/.* header_from=\([^ ]*\) .*/\1/p' "$dir/list" | sort >"$dir/listed"
	sort "$store.acked" | comm -23 - "$dir/listed" >"$dir/missing"
	if [ -s "$dir/missing" ]; then
		echo "FAIL: acknowledged but not listed:" >&2
		head "$dir/missing" >&2
		exit 1
	fi
	echo "dmarc-report -list: $rows rows, every acknowledged evaluation listed"
fi
echo PASS
