#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-bench-spf.sh -- SPF check_host() evaluations per second.
#
# Usage: run-bench-spf.sh BENCH_BINARY [-seconds S] [-nsd]
#
# Converts the openspf RFC 7208 suite (Debian python3-spf's
# rfc7208-tests.yml.gz, through spf_suite.py and python3-yaml) and runs
# BENCH_BINARY (bench_spf.c, built with -O2 and no sanitizers) on it:
# libmox-spf over the in-memory resolver and libspf2 over SPF_dns_zone, S
# seconds each (default 2). With -nsd it also measures libmox-spf through
# the libunbound backend against nsd serving the suite's zones on
# 127.0.0.1 (one nsd run per group of scenarios whose names do not clash),
# with a warm cache, and prints
#   spf mox unbound+nsd: N eval/s
# Exits 77 (skip) when a tool is missing. Everything runs on the loopback
# interface and every wait is bounded; nsd is stopped on exit.

set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BENCH_BINARY [-seconds S] [-nsd]" >&2
	exit 2
fi
bin=$1
shift
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
seconds=2 nsd_mode=0
while [ $# -gt 0 ]; do
	case $1 in
	-seconds) seconds=$2; shift 2 ;;
	-nsd) nsd_mode=1; shift ;;
	*) echo "$0: unknown argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
suite=/usr/share/doc/python3-spf/rfc7208-tests.yml.gz
if [ ! -x "$py" ] || ! "$py" -c 'import yaml' 2>/dev/null || [ ! -r "$suite" ]; then
	echo "$0: needs /usr/bin/python3 with python3-yaml and python3-spf's suite; skipping" >&2
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mox-bench-spf.XXXXXX") || exit 1
nsd_pid=
stop_nsd() {
	if [ -n "$nsd_pid" ]; then
		kill -TERM "$nsd_pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$nsd_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$nsd_pid" 2>/dev/null
		wait "$nsd_pid" 2>/dev/null
		nsd_pid=
	fi
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	stop_nsd
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$py" "$here/spf_suite.py" -suite "$suite" -nsd "$tmp/nsd" "$tmp/suite" || exit 1
timeout -k 10 $((20 * seconds + 120)) "$bin" -seconds "$seconds" "$tmp/suite" || exit 1
[ $nsd_mode = 1 ] || exit 0

if ! command -v nsd >/dev/null 2>&1; then
	echo "$0: nsd not found (Debian: apt-get install nsd); skipping -nsd" >&2
	exit 0
fi

free_port() {
	"$py" - <<'EOF'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        u.close()
        continue
    t.close()
    u.close()
    print(port)
    break
EOF
}

# Exit 0 when nsd on port $1 answers the SOA question for ".".
probe() {
	"$py" - "$1" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
q = struct.pack(">HHHHHH", 0x4d58, 0, 1, 0, 0, 0) + b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
try:
    s.sendto(q, ("127.0.0.1", port))
    r, _ = s.recvfrom(4096)
except OSError:
    sys.exit(1)
sys.exit(0 if len(r) >= 12 and r[:2] == q[:2] and (r[3] & 0x0f) == 0 else 1)
EOF
}

# start_nsd ZONEFILE: nsd serving the zone as "." on a free port; sets port.
start_nsd() {
	local attempt
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		[ -n "$port" ] || return 1
		cat >"$tmp/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$port
	port: $port
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$tmp"
	pidfile: "$tmp/nsd.pid"
	database: ""
	zonelistfile: "$tmp/zone.list"
	xfrdfile: "$tmp/xfrd.state"
	logfile: "$tmp/nsd.log"
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "$1"
EOF
		nsd -d -c "$tmp/nsd.conf" >"$tmp/nsd.out" 2>&1 &
		nsd_pid=$!
		for _ in $(seq 1 40); do
			kill -0 "$nsd_pid" 2>/dev/null || break
			if probe "$port"; then
				return 0
			fi
			sleep 0.2
		done
		echo "$0: nsd did not start on port $port (attempt $attempt):" >&2
		cat "$tmp/nsd.out" "$tmp/nsd.log" 2>/dev/null | tail -n 20 >&2
		stop_nsd
	done
	return 1
}

# One nsd run per group; the time is split between the groups.
groups=("$tmp"/nsd/g*.zone)
per=$("$py" -c "print(max(0.2, $seconds / ${#groups[@]}))")
evals=0 secs=0 agree=0 total=0
for z in "${groups[@]}"; do
	start_nsd "$z" || { echo "$0: could not start nsd" >&2; exit 1; }
	out=$(timeout -k 10 120 "$bin" ${MOX_BENCH_VERBOSE:+-v} -nsd-port "$port" -seconds "$per" \
	    -queries "${z%.zone}.queries" "$tmp/suite") || { echo "$0: $bin failed: $out" >&2; exit 1; }
	stop_nsd
	# shellcheck disable=SC2086 # split the result line into words
	set -- $out # spf nsd evals: N seconds: T queries: Q suite-agree: A/B
	evals=$((evals + $4))
	secs=$("$py" -c "print($secs + $6)")
	agree=$((agree + ${10%/*}))
	total=$((total + ${10#*/}))
done
"$py" -c "print('spf mox unbound+nsd: %.0f eval/s (%d groups, suite results accepted: %d/%d)' % ($evals / $secs, ${#groups[@]}, $agree, $total))"
