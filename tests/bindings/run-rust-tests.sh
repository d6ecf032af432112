#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-rust-tests.sh BUILDDIR SRCDIR -- the tests of the Rust bindings
# (bindings/rust, crate moxmail) against the libraries of a meson build.
#
# Installs BUILDDIR into a temporary prefix (tests/abi/install-lib.sh, as
# the install tests do), points pkg-config at it (PKG_CONFIG_PATH,
# PKG_CONFIG_SYSROOT_DIR), compiles bindings/rust/tests/layout.c against
# the installed headers for the crate's struct layout test
# (MOXMAIL_C_LAYOUT), and runs Debian's cargo:
#   cargo test --offline --release --locked
# with CARGO_HOME and CARGO_TARGET_DIR in the temporary directory (or
# CARGO_TARGET_DIR=$MOX_RUST_TARGET_DIR to keep the build between runs),
# nothing written into the source tree. build.rs links the libraries
# from `pkg-config --libs` and puts their directory into the run path of
# the test programs.
#
# Exit 77 (meson: skipped) without /usr/bin/cargo and /usr/bin/rustc, or
# for a sanitizer build (SANITIZE set to other than none, or BUILDDIR
# configured with -Db_sanitize): ASan libraries cannot be linked into plain
# Rust test programs.

set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILDDIR SRCDIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)

cargo=/usr/bin/cargo
if [ ! -x "$cargo" ] || [ ! -x /usr/bin/rustc ]; then
	echo "SKIP: Debian's /usr/bin/cargo and /usr/bin/rustc are needed (apt-get install cargo)"
	exit 77
fi
case ${SANITIZE:-none} in
none|'') ;;
*) echo "SKIP: SANITIZE=$SANITIZE: sanitizer builds of the C libraries cannot be linked into plain Rust test programs"
   exit 77 ;;
esac
b_sanitize=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "b_sanitize"), "none"))' \
	"$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo none)
case $b_sanitize in
none|'') ;;
*) echo "SKIP: $build is configured with -Db_sanitize=$b_sanitize: cannot be linked into plain Rust test programs"
   exit 77 ;;
esac

# shellcheck source=../abi/install-lib.sh
. "$src/tests/abi/install-lib.sh"
install_lib "$build" dmarc dmarc.h # sets tmp (removed on exit), libdir, flags, PKG_CONFIG_*
for m in mox-core mox-spf mox-dkim mox-dmarc; do
	pkg-config --exists "$m" || { echo "$m.pc was not installed"; exit 1; }
done

export CARGO_HOME="$tmp/cargo-home" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_DIR="${MOX_RUST_TARGET_DIR:-$tmp/target}"
export CARGO_TERM_COLOR=never RUST_BACKTRACE=1
unset RUSTFLAGS RUSTDOCFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET

# The C compiler's struct layouts, for the crate's layout test.
# shellcheck disable=SC2046 # pkg-config prints a word list
${CC:-cc} -std=c11 -Wall -Werror -o "$tmp/layout" "$src/bindings/rust/tests/layout.c" \
	$(pkg-config --cflags mox-spf mox-dkim mox-dmarc)
"$tmp/layout" >"$tmp/layout.txt"
export MOXMAIL_C_LAYOUT="$tmp/layout.txt"

echo "cargo: $("$cargo" --version), rustc: $(/usr/bin/rustc --version)"
timeout -k 10 900 "$cargo" test --offline --release --locked \
	--manifest-path "$src/bindings/rust/Cargo.toml"
