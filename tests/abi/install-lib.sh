# SPDX-License-Identifier: MIT
# install-lib.sh -- sourced by the install tests of libraries built on
# libmox-core: install_lib BUILDDIR NAME HEADER installs the build into
# a temporary root ($tmp/root, removed on exit) and checks what an outside
# user relies on: the headers, mox-NAME.pc with its Requires: on mox-core,
# the soname (STYLE.md 2.12: S.M before 1.0, S after) and its link, and the
# library's NEEDED on libmox-core. It sets tmp, libdir, soname, coresoname,
# flags (pkg-config --cflags --libs) and san (the -fsanitize flag of the
# build, for programs linked against it), and exports PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR.

install_lib() {
	local build=$1 name=$2 header=$3 pc pcdir version major minor want h

	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 || {
		cat "$tmp/install.log"; exit 1; }
	pc=$(find "$tmp/root" -name "mox-$name.pc" | head -n 1)
	[ -n "$pc" ] || { echo "mox-$name.pc was not installed"; exit 1; }
	pcdir=$(dirname "$pc")
	libdir=$(dirname "$pcdir")
	for h in "$header" common.h addr.h dns.h; do
		[ -n "$(find "$tmp/root" -path "*/include/mox/$h")" ] || { echo "header mox/$h not installed"; exit 1; }
	done

	export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
	version=$(pkg-config --modversion "mox-$name")
	echo "mox-$name version: $version"
	pkg-config --print-requires "mox-$name" | grep -q '^mox-core' || { echo "mox-$name.pc does not require mox-core"; exit 1; }

	major=${version%%.*}
	minor=${version#*.}; minor=${minor%%.*}
	if [ "$major" = 0 ]; then want=libmox-$name.so.0.$minor; else want=libmox-$name.so.$major; fi
	soname=$(readelf -d "$libdir/libmox-$name.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	echo "soname: $soname"
	[ "$soname" = "$want" ] || { echo "unexpected soname $soname, want $want"; exit 1; }
	[ -e "$libdir/$soname" ] || { echo "$soname missing in $libdir"; exit 1; }
	coresoname=$(readelf -d "$libdir/libmox-core.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	readelf -d "$libdir/$soname" | grep -q "NEEDED.*\[$coresoname\]" || { echo "$soname does not need $coresoname"; exit 1; }

	flags=$(pkg-config --cflags --libs "mox-$name")
	echo "pkg-config: $flags"
	san=
	case ${SANITIZE:-none} in none|'') ;; *) san="-fsanitize=$SANITIZE" ;; esac
}
