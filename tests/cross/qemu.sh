#!/bin/sh
# tests/cross/qemu.sh: build syncdoctor for an ARM Debian architecture with
# Debian's cross toolchain and run its test suite under qemu-user: armhf
# (32-bit, as on a Raspberry Pi with Raspberry Pi OS 32-bit) or arm64 (a
# Pi with the 64-bit system), including files larger than 4 GiB (sparse).
#
# Usage: tests/cross/qemu.sh ARCH [BUILD_DIR]  (ARCH armhf or arm64;
#                                 default BUILD_DIR $TMPDIR/syncdoctor-ARCH)
#        tests/cross/armhf.sh [BUILD_DIR]      is tests/cross/qemu.sh armhf
#        CROSS_TESTS='tests/unit/test_core ...' runs a subset of TESTS;
#        CROSS_TEST_SECONDS=N starts no shell test after N seconds of the
#        suite (the test programs always run; see step 4).
#
# Needs the architecture's gcc cross compiler, libc6-dev-ARCH-cross and
# qemu-user, and the architecture enabled in apt (contrib/install-deps
# --armhf, or --debs for both). The development libraries are not taken
# from the host's multiarch installation: they are fetched with
# `apt-get download` and unpacked into a private sysroot, so the suite
# runs the same whether or not the host has them and never touches it.
#
# Speaks TAP; the exit status is non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
arch=${1:-}
# triplet, qemu, ELF class (1: 32-bit, 2: 64-bit) and machine (0x28 ARM, 0xb7 AArch64).
case $arch in
armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm elfclass=01 elfmachine=28 ;;
arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 elfclass=02 elfmachine=b7 ;;
*)
	echo "usage: tests/cross/qemu.sh armhf|arm64 [BUILD_DIR]" >&2
	exit 2
	;;
esac
build=${2:-${TMPDIR:-/tmp}/syncdoctor-$arch}
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

for tool in $triplet-gcc $qemu; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is missing (run contrib/install-deps --debs)"
		exit 0
	fi
done

mkdir -p "$build/debs" "$build/logs"
sysroot=$build/sysroot
libdirs="$sysroot/usr/lib/$triplet $sysroot/lib/$triplet"

# 1. The ARCH libraries, unpacked into the sysroot.
pkgs="libncurses-dev libncurses6 libncursesw6 libtinfo6 libsqlite3-dev libsqlite3-0
zlib1g-dev zlib1g libyaml-dev libyaml-0-2 libsodium-dev libsodium23
libjansson-dev libjansson4 check libsubunit-dev libsubunit0"
fetch_sysroot() {
	cd "$build/debs" || return 1
	need=""
	for p in $pkgs; do
		ls "${p}"_*_"$arch".deb >/dev/null 2>&1 || need="$need $p:$arch"
	done
	# apt's sandbox user may not write here: download as the caller.
	[ -z "$need" ] || apt-get -o APT::Sandbox::User="$(id -un)" download $need || return 1
	rm -rf "$sysroot"
	for deb in ./*_"$arch".deb; do dpkg-deb -x "$deb" "$sysroot" || return 1; done
	# Development links may be absolute: point them into the sysroot.
	for l in $(find "$sysroot" -type l); do
		t=$(readlink "$l")
		case $t in /*) ln -sf "$sysroot$t" "$l" ;; esac
	done
}
step "$arch libraries unpacked into a sysroot" "$build/logs/sysroot.log" fetch_sysroot || finish

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
step "build for $arch (with the test programs)" "$build/logs/build.log" \
	make -C "$build/obj" -j"$jobs" check TESTS= || finish

# 3. Run under qemu-user: the dynamic loader from the cross libc, the
# libraries from the sysroot. Containers rarely have binfmt_misc (and
# registering it changes the host), so every program of the build
# (syncdoctor, the test programs, the helpers shell tests call) is moved
# to NAME.arm and replaced by a script that runs it under qemu; the
# scripts are newer than the objects, so make keeps them.
runner=$build/qemu-run
# The cross libc's own folder first: where the machine also has the
# architecture's libc6 (multiarch), the host's /etc/ld.so.cache would pair
# the cross ld.so with that other libc, and fork() crashes or hangs.
ldpath=/usr/$triplet/lib:$(echo $libdirs | tr ' ' ':')
printf '#!/bin/sh\nexec %s -L /usr/%s -E LD_LIBRARY_PATH=%s "$@"\n' "$qemu" "$triplet" "$ldpath" >"$runner"
chmod +x "$runner"
wrap_programs() {
	count=0
	for f in $(find "$build/obj" -type f -perm -u+x ! -name '*.arm'); do
		[ "$(od -An -c -N4 "$f" | tr -d ' ')" = '177ELF' ] || continue
		# The architecture's ELF class and machine: anything else is a mistake.
		[ "$(od -An -tx1 -j4 -N1 "$f" | tr -d ' ')" = $elfclass ] || { echo "$f: wrong ELF class"; return 1; }
		[ "$(od -An -tx1 -j18 -N1 "$f" | tr -d ' ')" = $elfmachine ] || { echo "$f is not $arch"; return 1; }
		mv "$f" "$f.arm"
		printf '#!/bin/sh\nexec "%s" "%s.arm" "$@"\n' "$runner" "$f" >"$f"
		chmod +x "$f"
		count=$((count + 1))
	done
	echo "$count programs wrapped"
	[ "$count" -gt 0 ]
}
step "every program is $arch; wrapped to run under $qemu" "$build/logs/wrap.log" wrap_programs || finish
step "syncdoctor --version under $qemu" "$build/logs/version.log" "$build/obj/syncdoctor" --version

# 4. The test suite, every test of it (fork() works under qemu-aarch64
# and qemu-arm alike once the cross libc comes first, see LD_LIBRARY_PATH
# above). With CROSS_TEST_SECONDS, bounded by time: the test programs (the
# core's unit tests, the fuzz corpora replayed) first and always whole,
# then the shell tests, those that read, verify and repair first, and no
# shell test starts after that many seconds (tests/lib.sh: it says SKIP).
log=$build/logs/check.log
tests=${CROSS_TESTS:-}
if [ -n "${CROSS_TEST_SECONDS:-}" ]; then
	all=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$build/obj" -f Makefile -f - print-tests)
	first="cli.sh rebuild.sh feed-damage.sh file-damage.sh torn.sh file-end.sh index-tail.sh
		database.sh partial-download.sh hostile.sh member-spill.sh findings-spill.sh yaml.sh
		journal.sh env.sh ui-line.sh ui-wizard.sh damage-combos.sh inner-cuts.sh"
	ordered=""
	for t in ${tests:-$all}; do case $t in *.sh) ;; *) ordered="$ordered $t" ;; esac; done
	for f in $first; do
		case " ${tests:-$all} " in *" tests/$f "*) ordered="$ordered tests/$f" ;; esac
	done
	for t in ${tests:-$all}; do
		case " $ordered " in *" $t "*) ;; *) ordered="$ordered $t" ;; esac
	done
	tests=$(echo $ordered)
	SYNCDOCTOR_TEST_DEADLINE=$(($(date +%s) + CROSS_TEST_SECONDS))
	export SYNCDOCTOR_TEST_DEADLINE
fi
make -C "$build/obj" -j"$jobs" -k check ${tests:+TESTS="$tests"} >"$log" 2>&1
if grep -q '^# TOTAL' "$log"; then
	pass=$(find "$build/obj" -name '*.trs' -exec cat {} + | grep -c '^:test-result: \(PASS\|XFAIL\|SKIP\)')
	bad=$(find "$build/obj" -name '*.trs' -exec cat {} + | grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)')
	late=$(grep -l "time budget is spent" "$build/obj"/tests/*.log 2>/dev/null | sed 's|.*/||; s|\.log$||' | tr '\n' ' ')
	[ -z "$late" ] || diag "not started within CROSS_TEST_SECONDS=$CROSS_TEST_SECONDS (they ran natively): $late"
	if [ "$bad" -eq 0 ]; then
		ok "make check under $qemu ($pass tests)"
	else
		fail "make check under $qemu ($bad of $((pass + bad)) failed)"
		grep -E '^(FAIL|ERROR|XPASS):' "$log" | sed 's/^/# /'
	fi
else
	fail "make check under $qemu did not run"
	tail -n 30 "$log" | sed 's/^/# /'
fi
if grep -q '^PASS: tests/unit/test_syncfile .*larger_than_4_gib' "$log"; then
	ok "a sync file over 4 GiB (sparse) is read with 64-bit offsets on $arch"
else
	fail "a sync file over 4 GiB (sparse) is read with 64-bit offsets on $arch"
fi

# 5. The command line on a 4.5 GiB sparse file: stat, open and reads past
# 4 GiB must work on 32-bit ARM too (no EOVERFLOW; exit 2, a diagnosis, not
# 3, "cannot read").
big=$build/big.mapeodata
rm -f "$big"
if truncate -s 4608M "$big" 2>/dev/null; then
	"$build/obj/syncdoctor" check --quick --format json --no-config "$big" >"$build/big.json" 2>"$build/big.err"
	st=$?
	size=$(jq -r .size "$build/big.json" 2>/dev/null)
	if [ "$st" = 2 ] && [ "$size" = 4831838208 ]; then
		ok "check of a 4.5 GiB file under $qemu (exit 2, size 4831838208)"
	else
		fail "check of a 4.5 GiB file under $qemu"
		diag "exit $st, size '$size'" "$(head -c 600 "$build/big.err")"
	fi
	rm -f "$big"
else
	n=$((n + 1))
	echo "ok $n - check of a 4.5 GiB file # SKIP no sparse files here"
fi
finish
