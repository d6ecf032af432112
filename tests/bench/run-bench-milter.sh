#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-bench-milter.sh -- messages per second through Postfix with
# mox-milter, against the same Postfix with OpenDKIM + OpenDMARC doing the
# same checks (DKIM verification, SPF, DMARC with p=reject enforcement,
# DMARC report data), and the milters' CPU time per message.
#
# Usage: run-bench-milter.sh BUILD_DIR SRC_DIR
#
# Prints, besides progress on stderr (2 CPUs, other jobs running):
#   postfix without milters: 1171 msg/s
#   mox-milter: 554 msg/s, 0.94 ms CPU/msg
#   opendkim+opendmarc: 227 msg/s, 2.61 ms CPU/msg
#   ratio throughput 2.44x, cpu 0.36x
#   direct mox-milter (milter protocol, no MTA): 0.39 ms CPU/msg
#   direct opendkim+opendmarc (milter protocol, no MTA): 1.37 ms CPU/msg
#   direct ratio cpu 0.28x
# and exits 1 when a sample of the delivered messages lacks the expected
# Authentication-Results (so neither side can win by skipping checks).
#
# Needs root, and runs in private network and mount namespaces (unshare):
# OpenDMARC and libspf2 resolve only through /etc/resolv.conf and port 53,
# so there nsd serves the DNSSEC-signed test zone on 127.0.0.1:53 and a
# resolv.conf naming it is bind-mounted; nothing changes outside. Exits 77
# (skip, with the reason) when a program is missing or namespaces cannot be
# made. Environment knobs: see tests/bench/milter/bench.py (MOX_BENCH_*,
# MOX_MILTER for the binary).

set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SRC_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
export PATH=$PATH:/usr/sbin:/sbin
# Debian's python3 has dkimpy (python3-dkim); a pyenv python3 may not.
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import dkim' 2>/dev/null; then
	echo "$0: /usr/bin/python3 with python3-dkim needed; skipping" >&2
	exit 77
fi
for tool in postfix nsd ldns-keygen ldns-signzone smtp-source smtp-sink \
    opendkim opendmarc ip mount timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (Debian: postfix nsd ldnsutils" \
		    "opendkim opendmarc iproute2); skipping" >&2
		exit 77
	fi
done
exec timeout -k 15 "${MOX_BENCH_TIMEOUT:-840}" \
    "$py" "$here/milter/bench.py" "$1" "$2"
