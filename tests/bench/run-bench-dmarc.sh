#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-bench-dmarc.sh -- DMARC evaluations per second.
#
# Usage: run-bench-dmarc.sh BENCH_BINARY [-seconds S] [-cases N]
#
# Generates the cases of the OpenDMARC differential
# (tests/interop/dmarc/gen_cases.py, default seed) and runs BENCH_BINARY
# (bench_dmarc.c, built with -O2 and no sanitizers) on the first N of
# them: libmox-dmarc in RFC 7489 and RFC 9989 mode over the in-memory
# resolver, and libopendmarc over its fake DNS table. Exits 77 (skip)
# without python3 or the Public Suffix List.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: $0 BENCH_BINARY [-seconds S] [-cases N]" >&2
	exit 2
fi
bin=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v python3 >/dev/null 2>&1 ||
    [ ! -r /usr/share/publicsuffix/public_suffix_list.dat ]; then
	echo "$0: needs python3 and the publicsuffix package; skipping" >&2
	exit 77
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/mox-bench-dmarc.XXXXXX")
trap 'rm -f "$tmp"' EXIT
python3 "$here/../interop/dmarc/gen_cases.py" >"$tmp"
"$bin" "$tmp" "$@"
