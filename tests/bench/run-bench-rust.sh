#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-bench-rust.sh -- DKIM verifications per second through the Rust
# bindings (bindings/rust) next to the C API, same calls, same material,
# same run.
#
# Usage: run-bench-rust.sh BUILDDIR SRCDIR [-loops N] [-rounds R]
#
# Installs BUILDDIR into a temporary prefix (tests/abi/install-lib.sh),
# builds bench_dkim_verify_c.c with cc -O2 against it (pkg-config
# mox-dkim) and the crate's bench_dkim_verify example with Debian's cargo
# (--release, offline), lets the Rust program write the material (a 2 KB
# message signed with a 2048-bit RSA key and with an Ed25519 key, and the
# zone text with both keys), then runs the two programs alternately, R
# rounds (default 3: C, Rust, C, Rust, C, Rust), each verifying each
# message N times (default 4000) with dkim::verify() / mox_dkim_verify()
# over the in-memory resolver, and prints the best rate of each:
#   dkim verify rsa2048 2KB: c N/s, rust N/s, rust/c: 0.99
#   dkim verify ed25519 2KB: c N/s, rust N/s, rust/c: 1.00
# Exits 77 (skip) without /usr/bin/cargo or for a sanitizer build.
# Environment: CC (default cc), MOX_RUST_TARGET_DIR (cargo's target
# directory, default a temporary one, rebuilt each run).

set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILDDIR SRCDIR [-loops N] [-rounds R]" >&2
	exit 2
fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
shift 2
loops=4000 rounds=3
while [ $# -gt 0 ]; do
	case $1 in
	-loops) loops=$2; shift 2 ;;
	-rounds) rounds=$2; shift 2 ;;
	*) echo "$0: unknown argument $1" >&2; exit 2 ;;
	esac
done

cargo=/usr/bin/cargo
if [ ! -x "$cargo" ] || [ ! -x /usr/bin/rustc ]; then
	echo "$0: needs Debian's /usr/bin/cargo and /usr/bin/rustc (apt-get install cargo); skipping" >&2
	exit 77
fi
case ${SANITIZE:-none} in
none|'') ;;
*) echo "$0: SANITIZE=$SANITIZE: a sanitizer build cannot be linked into a plain Rust program; skipping" >&2
   exit 77 ;;
esac
b_sanitize=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "b_sanitize"), "none"))' \
	"$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo none)
case $b_sanitize in
none|'') ;;
*) echo "$0: $build is built with -Db_sanitize=$b_sanitize; skipping" >&2
   exit 77 ;;
esac

# shellcheck source=../abi/install-lib.sh
. "$src/tests/abi/install-lib.sh"
install_lib "$build" dkim dkim.h # sets tmp (removed on exit), libdir, flags, PKG_CONFIG_*

export CARGO_HOME="$tmp/cargo-home" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_DIR="${MOX_RUST_TARGET_DIR:-$tmp/target}"
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS

# shellcheck disable=SC2086 # $flags is a word list
${CC:-cc} -std=c11 -O2 -Wall -Werror -o "$tmp/bench_c" "$src/tests/bench/bench_dkim_verify_c.c" \
	$flags -Wl,-rpath,"$libdir"
"$cargo" build --offline --release --quiet --manifest-path "$src/bindings/rust/Cargo.toml" \
	--example bench_dkim_verify
rust=$CARGO_TARGET_DIR/release/examples/bench_dkim_verify
"$rust" --prepare "$tmp/material"

best_c_rsa2048=0 best_c_ed25519=0 best_rust_rsa2048=0 best_rust_ed25519=0
# keep LANG KIND RATE: remember the larger rate.
keep() {
	local var=best_$1_$2
	if awk -v a="$3" -v b="${!var}" 'BEGIN { exit !(a > b) }'; then
		printf -v "$var" '%s' "$3"
	fi
}
for round in $(seq 1 "$rounds"); do
	for lang in c rust; do
		if [ $lang = c ]; then bin=$tmp/bench_c; else bin=$rust; fi
		out=$(timeout -k 10 600 "$bin" "$tmp/material" "$loops") || { echo "$0: $bin failed" >&2; exit 1; }
		echo "round $round: $out" | sed '2,$s/^/round '"$round"': /'
		while read -r l kind _ _ _ _ _ rate; do
			keep "$l" "${kind%:}" "${rate%/s}"
		done <<<"$out"
	done
done
for kind in rsa2048 ed25519; do
	c=best_c_$kind r=best_rust_$kind
	awk -v k="$kind" -v c="${!c}" -v r="${!r}" \
		'BEGIN { printf "dkim verify %s 2KB: c %.0f/s, rust %.0f/s, rust/c: %.2f\n", k, c, r, r / c }'
done
