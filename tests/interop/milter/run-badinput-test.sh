#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-badinput-test.sh -- mox-milter against bad milter peers (garbage,
# truncated packets, huge length prefixes, peers that close mid-packet,
# header sections over the limits, a 300 MB body in 64 KiB packets with an
# RSS bound) and the protocol checks of authenticated/internal signing,
# played by milterclient.py. No MTA, no DNS server: -zone.
#
# Usage: run-badinput-test.sh BUILD_DIR SRC_DIR
#
# MOX_TEST_BIG_BODY_MB sets the big body (default 300). Exit 0 pass, 1
# fail, 77 skip, 124 timeout. Details: badinput_test.py.

set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SRC_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import dkim, nacl' 2>/dev/null; then
	echo "$0: /usr/bin/python3 with python3-dkim and python3-nacl" \
	    "needed; skipping" >&2
	exit 77
fi
if ! command -v timeout >/dev/null 2>&1; then
	echo "$0: timeout not found; skipping" >&2
	exit 77
fi
exec timeout -k 15 "${MOX_TEST_TIMEOUT:-240}" \
    "$py" "$here/badinput_test.py" "$1" "$2"
