#!/bin/sh
# SPDX-License-Identifier: MIT
# run-python-tests.sh BUILDDIR SRCDIR [UNITTEST-ARGS...]
# The Python bindings (bindings/python, package moxmail) as an outside
# user gets them: installs the build into a temporary root
# (tests/abi/install-lib.sh), finds its libdir with pkg-config, puts it on
# LD_LIBRARY_PATH so that ctypes loads the libraries by soname, installs
# the package offline into a venv of Debian's /usr/bin/python3 (with its
# system site-packages: python3-yaml, python3-dkim, python3-cryptography),
# and runs the unittest suite in bindings/python/tests with the venv's
# python. Extra arguments go to unittest (e.g. -k dkim).
#
# SANITIZE (the build's b_sanitize, as the install tests get it): with an
# AddressSanitizer build the sanitizer runtime is preloaded into python
# (libasan of gcc when the libraries link it, clang's libclang_rt.asan
# otherwise) with leak detection off (the interpreter itself is not
# instrumented); the memory-growth tests then run in a second process
# without the sanitizer's quarantine of freed memory (which would count as
# growth) and with their loops scaled down (MOXMAIL_LEAK_SCALE, default
# 0.25). Exit 77 (skip) for other sanitizers or when no runtime is found.
set -eu
build=$1 src=$2
shift 2
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: $py not found"; exit 77; }
"$py" -c 'import venv, ensurepip' 2>/dev/null || {
	echo "SKIP: $py cannot make a venv with pip (Debian python3-venv)"; exit 77; }
src=$(cd "$src" && pwd)

tmp=
# shellcheck source-path=SCRIPTDIR source=../abi/install-lib.sh
. "$src/tests/abi/install-lib.sh"
install_lib "$build" dmarc dmarc.h   # sets tmp (removed on exit) and PKG_CONFIG_*
libdir=$(pkg-config --variable=libdir mox-core)
case $libdir in
"$tmp"/root/*) ;;
*) libdir=$tmp/root$libdir ;;
esac
[ -e "$libdir/libmox-core.so.0.1" ] || {
	echo "libmox-core.so.0.1 not in $libdir (pkg-config libdir)"; exit 1; }
echo "libdir: $libdir"

preload='' scale=''
case ${SANITIZE:-none} in
none|'') ;;
*address*)
	rt=
	if readelf -d "$libdir/libmox-core.so.0.1" | grep -q 'NEEDED.*libasan'; then
		rt=$(${CC:-gcc} -print-file-name=libasan.so 2>/dev/null || true)
	else
		rt=$(clang -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null || true)
	fi
	case $rt in
	/*) [ -e "$rt" ] || rt= ;;
	*) rt= ;;
	esac
	[ -n "$rt" ] || { echo "SKIP: no AddressSanitizer runtime to preload into python"; exit 77; }
	preload=$rt
	scale=${MOXMAIL_LEAK_SCALE:-0.25}
	echo "sanitizer runtime preloaded: $rt"
	;;
*)
	echo "SKIP: the Python bindings do not run under SANITIZE=$SANITIZE"
	exit 77
	;;
esac

# Install from a copy, so that the build leaves nothing in the source tree.
cp -R "$src/bindings/python" "$tmp/pkg"
rm -rf "$tmp/pkg/build" "$tmp/pkg"/*.egg-info
"$py" -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --no-index --no-build-isolation \
	--disable-pip-version-check "$tmp/pkg" >"$tmp/pip.log" 2>&1 || {
	cat "$tmp/pip.log"; exit 1; }

run_py() {
	if [ -n "$preload" ]; then
		env -u MOXMAIL_LIBDIR LD_LIBRARY_PATH="$libdir" LD_PRELOAD="$preload" \
		    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		    MOXMAIL_LEAK_SCALE="$scale" PYTHONDONTWRITEBYTECODE=1 \
		    "$tmp/venv/bin/python" "$@"
	else
		env -u MOXMAIL_LIBDIR LD_LIBRARY_PATH="$libdir" \
		    PYTHONDONTWRITEBYTECODE=1 "$tmp/venv/bin/python" "$@"
	fi
}

cd "$tmp"
# The package comes from the venv and the libraries from the installed
# libdir, by soname.
run_py - "$tmp/venv" "$libdir" <<'PYEOF'
import os, sys
import moxmail
venv, libdir = sys.argv[1], sys.argv[2]
assert os.path.realpath(moxmail.__file__).startswith(os.path.realpath(venv)), moxmail.__file__
maps = open('/proc/self/maps').read()
for so in ('libmox-core.so.0.1', 'libmox-spf.so.0.1', 'libmox-dkim.so.0.1',
           'libmox-dmarc.so.0.1'):
    paths = {l.split()[-1] for l in maps.splitlines() if l.split()[-1].endswith(so + '.0')
             or l.split()[-1].endswith(so)}
    assert paths and all(os.path.realpath(p).startswith(os.path.realpath(libdir))
                         for p in paths), (so, paths)
print('moxmail %s from %s, libmox-core %s from %s' % (
    moxmail.__version__, os.path.dirname(moxmail.__file__),
    moxmail.library_version(), libdir))
PYEOF
tests=$src/bindings/python/tests
if [ -z "$preload" ]; then
	run_py -m unittest discover -s "$tests" -t "$tests" "$@"
	exit 0
fi
# Under AddressSanitizer (its leak checker off: it reports the
# interpreter's own allocations at exit): everything but the memory loops with the full
# checks; then the memory loops without the quarantine of freed memory,
# which would otherwise count as growth.
run_py -m unittest discover -s "$tests" -t "$tests" -p 'test_[!l]*.py' "$@"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
	run_py -m unittest discover -s "$tests" -t "$tests" -p 'test_leaks.py' "$@"
