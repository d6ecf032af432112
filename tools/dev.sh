#!/bin/bash
# SPDX-License-Identifier: MIT
# dev.sh run|test|deps|build -- set up a Debian 12 machine for mox and use it.
#   run   install what is missing, build, run the mox program
#   test  install what is missing, build, run the whole test suite
# Idempotent: a second run installs nothing and rebuilds only what changed.
# BUILDDIR (default: build) and MESON_ARGS may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

packages=(
	build-essential g++ clang libclang-rt-14-dev meson ninja-build pkg-config
	libmbedtls-dev libunbound-dev libevent-dev nettle-dev libidn2-dev libpcre2-dev libcmocka-dev
	dns-root-data nsd ldnsutils python3 binutils valgrind
	dovecot-imapd libgmime-3.0-dev python3-spf python3-yaml libspf2-dev
	libsodium-dev python3-dkim python3-nacl libopendkim-dev
	libpsl-dev publicsuffix libexpat1-dev zlib1g-dev libxml2-utils libopendmarc-dev
	libssl-dev openssl
	libmilter-dev liblmdb-dev lmdb-utils postfix swaks opendkim opendkim-tools opendmarc
	cargo rustc python3-pip python3-setuptools python3-venv python3-wheel
)

deps() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# Debian starts nsd as a service on install; our tests run their own.
	if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now nsd >/dev/null 2>&1 || true; fi
	$sudo pkill -x nsd 2>/dev/null || true
	# The same for dovecot: the IMAP interop test runs its own instance.
	if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now dovecot >/dev/null 2>&1 || true; fi
	$sudo pkill -x dovecot 2>/dev/null || true
	# And for postfix, opendkim and opendmarc: the milter tests start their
	# own instances with their own configs.
	for s in postfix opendkim opendmarc; do
		if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now "$s" >/dev/null 2>&1 || true; fi
	done
	$sudo postfix stop >/dev/null 2>&1 || true
	$sudo pkill -x opendkim 2>/dev/null || true
	$sudo pkill -x opendmarc 2>/dev/null || true
}

build() {
	if [ ! -f "$builddir/build.ninja" ]; then
		meson setup "$builddir" ${MESON_ARGS:-}
	fi
	ninja -C "$builddir"
}

# Print "N passed, N failed" from a meson test log.
summary() {
	python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        res = r.get('result')
        if res in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif res == 'SKIP':
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
}

case ${1:-} in
deps) deps ;;
build) deps; build ;;
run)
	deps
	build
	mox=$builddir/servers/mox/mox
	"$mox" version
	echo "\$ mox dns lookup -zone tests/cli/zone.txt TXT example.org"
	"$mox" dns lookup -zone tests/cli/zone.txt TXT example.org
	;;
test)
	deps
	build
	rc=0
	meson test -C "$builddir" --print-errorlogs ${MESON_TEST_ARGS:-} || rc=$?
	summary "$builddir/meson-logs/testlog.json"
	exit $rc
	;;
summary) shift; summary "$@" ;;
*)
	echo "usage: tools/dev.sh run|test|deps|build" >&2
	exit 2
	;;
esac
