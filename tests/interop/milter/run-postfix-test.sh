#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-postfix-test.sh -- mox-milter behind a real Postfix, DNS from nsd
# serving a DNSSEC-signed test zone; messages from swaks and smtplib.
#
# Usage: run-postfix-test.sh BUILD_DIR SRC_DIR
#
# Uses BUILD_DIR/servers/mox-milter/mox-milter (or $MOX_MILTER) and
# BUILD_DIR/servers/mox/mox for the DKIM keys. Needs root (Postfix starts as
# root and drops to the postfix user). Everything listens on 127.0.0.1 on
# free ports and is stopped at the end; scratch files go under
# /run/mox-tests (MOX_TEST_SCRATCH), kept with MOX_TEST_KEEP=1.
# Exit 0 pass, 1 fail, 77 skip (a program is missing), 124 timeout.
# Details: postfix_test.py.

set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SRC_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
export PATH=$PATH:/usr/sbin:/sbin
# Debian's python3: dkimpy (python3-dkim) and PyNaCl live there, not in a
# pyenv python3 that may come first in PATH.
py=/usr/bin/python3
if [ ! -x "$py" ]; then
	echo "$0: $py not found; skipping" >&2
	exit 77
fi
for tool in postfix postqueue nsd ldns-keygen ldns-signzone swaks timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (Debian: apt-get install postfix" \
		    "nsd ldnsutils swaks); skipping" >&2
		exit 77
	fi
done
if ! "$py" -c 'import dkim, nacl' 2>/dev/null; then
	echo "$0: python3-dkim/python3-nacl missing; skipping" >&2
	exit 77
fi
exec timeout -k 15 "${MOX_TEST_TIMEOUT:-240}" \
    "$py" "$here/postfix_test.py" "$1" "$2"
