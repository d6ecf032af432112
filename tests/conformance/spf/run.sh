#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh HARNESS CONVERT.PY SUITE.yml.gz [CHANGED.txt]
# Converts an openspf suite (from Debian's python3-spf, read where it is
# installed) and runs spf-conformance over it. Exit 77 (skipped) when the
# suite or python3-yaml is not installed.
set -eu
harness=$1 conv=$2 suite=$3
if [ ! -r "$suite" ]; then
	echo "SKIP: $suite not found (Debian package python3-spf)"
	exit 77
fi
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 has no yaml module (python3-yaml)"
	exit 77
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
/usr/bin/python3 "$conv" "$suite" >"$tmp"
rc=0
if [ $# -ge 4 ]; then
	"$harness" --changed "$4" "$tmp" || rc=$?
else
	"$harness" "$tmp" || rc=$?
fi
exit $rc
