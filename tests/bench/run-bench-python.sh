#!/bin/sh
# SPDX-License-Identifier: MIT
# run-bench-python.sh BUILDDIR SRCDIR [-seconds S] [-size N]
# DKIM verification through the Python bindings against dkimpy
# (bench-python-dkim.py), with Debian's /usr/bin/python3 (it has dkimpy),
# the package from SRCDIR/bindings/python and the libraries of BUILDDIR.
# Exit 77 (skip) when /usr/bin/python3 or dkimpy is missing.
set -eu
build=$1 src=$2
shift 2
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: $py not found"; exit 77; }
build=$(cd "$build" && pwd)
src=$(cd "$src" && pwd)
MOXMAIL_LIBDIR=$build PYTHONPATH=$src/bindings/python PYTHONDONTWRITEBYTECODE=1 \
	exec "$py" "$src/tests/bench/bench-python-dkim.py" "$@"
