#!/bin/sh
# tests/cross/armhf.sh: build syncdoctor for 32-bit ARM (armhf, as on a
# Raspberry Pi) with Debian's cross toolchain and run its test suite under
# qemu-user, including files larger than 4 GiB (sparse).
#
# Usage: tests/cross/armhf.sh [BUILD_DIR]     (default: $TMPDIR/syncdoctor-armhf)
#        CROSS_TESTS='tests/unit/test_core ...' runs a subset of TESTS.
#
# Needs gcc-arm-linux-gnueabihf, libc6-dev-armhf-cross and qemu-user, and
# the armhf architecture enabled in apt (contrib/install-deps --armhf does
# all of it). The armhf development libraries are not installed with dpkg:
# multiarch needs the armhf and amd64 copies of every shared package at the
# same version, which breaks whenever a mirror lags (it did on
# bookworm-security). They are fetched with `apt-get download` and unpacked
# into a private sysroot instead, which never touches the host.
#
# Speaks TAP; the exit status is non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${TMPDIR:-/tmp}/syncdoctor-armhf}
triplet=arm-linux-gnueabihf
jobs=${JOBS:-2}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }
# step DESCRIPTION LOG COMMAND...: ok or not ok (with the log's tail).
step() {
	what=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		ok "$what"
	else
		fail "$what"
		tail -n 30 "$log" | sed 's/^/# /'
		return 1
	fi
}

for tool in $triplet-gcc qemu-arm; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is missing (run contrib/install-deps --armhf)"
		exit 0
	fi
done

mkdir -p "$build/debs" "$build/logs"
sysroot=$build/sysroot
libdirs="$sysroot/usr/lib/$triplet $sysroot/lib/$triplet"

# 1. The armhf libraries, unpacked into the sysroot.
pkgs="libncurses-dev libncurses6 libncursesw6 libtinfo6 libsqlite3-dev libsqlite3-0
zlib1g-dev zlib1g libyaml-dev libyaml-0-2 libsodium-dev libsodium23
libjansson-dev libjansson4 check libsubunit-dev libsubunit0"
fetch_sysroot() {
	cd "$build/debs" || return 1
	need=""
	for p in $pkgs; do
		ls "${p}"_*_armhf.deb >/dev/null 2>&1 || need="$need $p:armhf"
	done
	# apt's sandbox user may not write here: download as the caller.
	[ -z "$need" ] || apt-get -o APT::Sandbox::User="$(id -un)" download $need || return 1
	rm -rf "$sysroot"
	for deb in ./*_armhf.deb; do dpkg-deb -x "$deb" "$sysroot" || return 1; done
	# Development links may be absolute: point them into the sysroot.
	for l in $(find "$sysroot" -type l); do
		t=$(readlink "$l")
		case $t in /*) ln -sf "$sysroot$t" "$l" ;; esac
	done
}
step "armhf libraries unpacked into a sysroot" "$build/logs/sysroot.log" fetch_sysroot || finish

# 2. Cross configure and build, from a snapshot of the source tree: the
# suite runs for minutes, and a source edited meanwhile would make make
# relink a program over its qemu wrapper (sub-makes do not inherit -o).
src=$build/src
snapshot() {
	rm -rf "$src" && mkdir -p "$src" &&
		(cd "$top" && tar cf - --exclude=./_build --exclude=./.git --exclude=./autom4te.cache \
			--exclude=./config.status --exclude="./${build#"$top"/}" .) | (cd "$src" && tar xf -)
}
step "a snapshot of the source tree" "$build/logs/snapshot.log" snapshot || finish
cppflags="-I$sysroot/usr/include -I$sysroot/usr/include/$triplet"
ldflags=""
for dir in $libdirs; do ldflags="$ldflags -L$dir -Wl,-rpath-link,$dir"; done
cross_configure() {
	cd "$build/obj" &&
		PKG_CONFIG=pkg-config PKG_CONFIG_PATH= \
			PKG_CONFIG_LIBDIR="$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig" \
			PKG_CONFIG_SYSROOT_DIR="$sysroot" \
			"$src/configure" --host=$triplet --enable-werror \
			CPPFLAGS="$cppflags" LDFLAGS="$ldflags"
}
rm -rf "$build/obj"
mkdir -p "$build/obj"
step "configure --host=$triplet" "$build/logs/configure.log" cross_configure || finish
step "build for armhf (with the test programs)" "$build/logs/build.log" \
	make -C "$build/obj" -j"$jobs" check TESTS= || finish

# 3. Run under qemu-user: the dynamic loader from the cross libc, the
# libraries from the sysroot. Containers rarely have binfmt_misc (and
# registering it changes the host), so every program of the build
# (syncdoctor, the test programs, the helpers shell tests call) is moved
# to NAME.arm and replaced by a script that runs it under qemu-arm; the
# scripts are newer than the objects, so make keeps them.
runner=$build/qemu-run
# The cross libc's own folder first: where the machine also has libc6:armhf
# (multiarch), the host's /etc/ld.so.cache would pair the cross ld.so with
# that other libc, and every fork() crashes.
ldpath=/usr/$triplet/lib:$(echo $libdirs | tr ' ' ':')
printf '#!/bin/sh\nexec qemu-arm -L /usr/%s -E LD_LIBRARY_PATH=%s "$@"\n' "$triplet" "$ldpath" >"$runner"
chmod +x "$runner"
wrap_programs() {
	count=0
	for f in $(find "$build/obj" -type f -perm -u+x ! -name '*.arm'); do
		[ "$(od -An -c -N4 "$f" | tr -d ' ')" = '177ELF' ] || continue
		# ELF class 1 (32-bit), machine 0x28 (ARM): anything else is a mistake.
		[ "$(od -An -tx1 -j4 -N1 "$f" | tr -d ' ')" = 01 ] || { echo "$f is not 32-bit"; return 1; }
		[ "$(od -An -tx1 -j18 -N1 "$f" | tr -d ' ')" = 28 ] || { echo "$f is not ARM"; return 1; }
		mv "$f" "$f.arm"
		printf '#!/bin/sh\nexec "%s" "%s.arm" "$@"\n' "$runner" "$f" >"$f"
		chmod +x "$f"
		count=$((count + 1))
	done
	echo "$count programs wrapped"
	[ "$count" -gt 0 ]
}
step "every program is 32-bit ARM; wrapped to run under qemu-arm" "$build/logs/wrap.log" wrap_programs || finish
step "syncdoctor --version under qemu-arm" "$build/logs/version.log" "$build/obj/syncdoctor" --version

# 4. The test suite.
log=$build/logs/check.log
make -C "$build/obj" -j"$jobs" -k check ${CROSS_TESTS:+TESTS="$CROSS_TESTS"} >"$log" 2>&1
if grep -q '^# TOTAL' "$log"; then
	pass=$(find "$build/obj" -name '*.trs' -exec cat {} + | grep -c '^:test-result: \(PASS\|XFAIL\|SKIP\)')
	bad=$(find "$build/obj" -name '*.trs' -exec cat {} + | grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)')
	if [ "$bad" -eq 0 ]; then
		ok "make check under qemu-arm ($pass tests)"
	else
		fail "make check under qemu-arm ($bad of $((pass + bad)) failed)"
		grep -E '^(FAIL|ERROR|XPASS):' "$log" | sed 's/^/# /'
	fi
else
	fail "make check under qemu-arm did not run"
	tail -n 30 "$log" | sed 's/^/# /'
fi
if grep -q '^PASS: tests/unit/test_syncfile .*larger_than_4_gib' "$log"; then
	ok "a sync file over 4 GiB (sparse) is read with 64-bit offsets on armhf"
else
	fail "a sync file over 4 GiB (sparse) is read with 64-bit offsets on armhf"
fi

# 5. The command line on a 4.5 GiB sparse file: stat, open and reads past
# 4 GiB must work on 32-bit ARM (no EOVERFLOW; exit 2, a diagnosis, not
# 3, "cannot read").
big=$build/big.mapeodata
rm -f "$big"
if truncate -s 4608M "$big" 2>/dev/null; then
	"$build/obj/syncdoctor" check --quick --format json --no-config "$big" >"$build/big.json" 2>"$build/big.err"
	st=$?
	size=$(jq -r .size "$build/big.json" 2>/dev/null)
	if [ "$st" = 2 ] && [ "$size" = 4831838208 ]; then
		ok "check of a 4.5 GiB file under qemu-arm (exit 2, size 4831838208)"
	else
		fail "check of a 4.5 GiB file under qemu-arm"
		diag "exit $st, size '$size'" "$(head -c 600 "$build/big.err")"
	fi
	rm -f "$big"
else
	n=$((n + 1))
	echo "ok $n - check of a 4.5 GiB file # SKIP no sparse files here"
fi
finish
