#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-crash-test.sh -- mox-milter's DMARC evaluation store survives kill -9:
# bursts of evaluations from concurrent milter clients, SIGKILL mid-burst,
# then `mox-milter dmarc-report -store PATH -list` must list every
# evaluation whose end-of-message reply was received. A few rounds on the
# same store.
#
# Usage: run-crash-test.sh BUILD_DIR SRC_DIR
#
# MOX_TEST_CRASH_ROUNDS sets the rounds (default 3). Exit 0 pass, 1 fail,
# 77 skip, 124 timeout. Details: crash_test.py.

set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SRC_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import dkim' 2>/dev/null; then
	echo "$0: /usr/bin/python3 with python3-dkim needed; skipping" >&2
	exit 77
fi
if ! command -v timeout >/dev/null 2>&1; then
	echo "$0: timeout not found; skipping" >&2
	exit 77
fi
exec timeout -k 15 "${MOX_TEST_TIMEOUT:-180}" \
    "$py" "$here/crash_test.py" "$1" "$2"
