#!/bin/sh
# tests/debs.sh [WORKDIR]: the Debian packages, built and tried as a
# technician would (tests/run-all runs it; about 5 minutes on two cores).
#
#   - contrib/install-deps --debs, then contrib/build-debs: amd64, and
#     arm64 and armhf cross-built, each lintian clean (errors, warnings)
#   - each package holds the program for its architecture, the man page,
#     the version table, the translations, the bash completion and the
#     examples in their Debian places, with ${shlibs:Depends} filled in
#   - no build path in the program; a second amd64 build, in another
#     folder, gives the same .deb bytes (SOURCE_DATE_EPOCH)
#   - the amd64 package installed with apt into a clean Debian 12 root
#     (debootstrap, kept in /var/tmp between runs; without it, on this
#     machine, removed after), where `syncdoctor check` diagnoses the
#     bundled example in English and in Spanish, --version names the
#     package, and a removed version table is the version-table-missing
#     finding
# The test suites of the arm64 and armhf builds run under qemu-user in
# tests/cross/qemu.sh, not here. Speaks TAP; non-zero exit on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${TMPDIR:-/tmp}/syncdoctor-debs}
rootfs_cache=${SYNCDOCTOR_ROOTFS:-/var/tmp/syncdoctor-bookworm-minbase.tar}
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
check() { d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }
logtail() { tail -n 30 "$1" | sed 's/^/# /'; }

# Everything below lives under $work, and the Debian root is removed with
# rm -rf: a $work that is not a folder of its own (a disk too full to make
# it) must stop the test here, never leave an empty path behind.
if ! mkdir -p "$work" || ! work=$(cd "$work" && pwd) || [ -z "$work" ] || [ "$work" = / ]; then
	echo "Bail out! cannot make the work folder '${1:-}' (is the disk full?)"
	df -h "$(dirname "${1:-/tmp}")" 2>&1 | sed 's/^/# /'
	exit 1
fi
rm -rf "$work/out" "$work/out2" "$work/x"
mkdir -p "$work/logs"

if contrib_log=$("$top/contrib/install-deps" --debs 2>&1); then
	ok "contrib/install-deps --debs"
else
	fail "contrib/install-deps --debs"
	printf '%s\n' "$contrib_log" | tail -n 30 | sed 's/^/# /'
	finish
fi

# 1. Build the three, as README says.
"$top/contrib/build-debs" "$work/out" >"$work/logs/build.log" 2>&1
st=$?
cat "$work/logs/build.log" | sed 's/^/# /'
check "contrib/build-debs succeeds (builds and lintian)" [ "$st" -eq 0 ]
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
for arch in amd64 arm64 armhf; do
	deb=$work/out/syncdoctor_${version}_$arch.deb
	if [ ! -f "$deb" ]; then
		fail "syncdoctor_${version}_$arch.deb was built"
		continue
	fi
	ok "syncdoctor_${version}_$arch.deb was built"
	check "$arch: lintian clean at error and warning level" \
		grep -q "^build-debs: lintian ($arch): clean" "$work/logs/build.log"
	rm -rf "$work/x/$arch" && mkdir -p "$work/x/$arch" && dpkg-deb -x "$deb" "$work/x/$arch"
	missing=""
	for f in usr/bin/syncdoctor usr/share/man/man1/syncdoctor.1.gz \
		usr/share/syncdoctor/mapeo-versions.yaml \
		usr/share/locale/es/LC_MESSAGES/syncdoctor.mo usr/share/locale/pt_BR/LC_MESSAGES/syncdoctor.mo \
		usr/share/bash-completion/completions/syncdoctor \
		usr/share/doc/syncdoctor/examples/config.yaml \
		usr/share/doc/syncdoctor/examples/good-project-A.mapeodata \
		usr/share/doc/syncdoctor/examples/config-A.v3-tar.mapeosettings \
		usr/share/doc/syncdoctor/copyright; do
		[ -e "$work/x/$arch/$f" ] || missing="$missing $f"
	done
	check "$arch: every file in its Debian place${missing:+ (missing:$missing)}" [ -z "$missing" ]
	case $arch in
	amd64) want="X86-64" ;; arm64) want="AArch64" ;; armhf) want="ARM" ;;
	esac
	check "$arch: the program is built for $want" sh -c \
		"LC_ALL=C readelf -h '$work/x/$arch/usr/bin/syncdoctor' | grep -q 'Machine:.*[[:space:]]$want'"
	dep=$(dpkg-deb -f "$deb" Depends)
	case $dep in
	*libsodium23*libyaml-0-2* | *libyaml-0-2*libsodium23* | *libsodium23*) ok "$arch: Depends from shlibs ($dep)" ;;
	*) fail "$arch: Depends from shlibs"; diag "Depends: $dep" ;;
	esac
	# No build path: neither the build folder nor the source tree's.
	if grep -a -q -e "$work" -e "$top" "$work/x/$arch/usr/bin/syncdoctor"; then
		fail "$arch: no build path in the program"
	else
		ok "$arch: no build path in the program"
	fi
done

# 2. Reproducible: the same commit built again, in another folder.
"$top/contrib/build-debs" --arch amd64 "$work/out2" >"$work/logs/build2.log" 2>&1
deb=syncdoctor_${version}_amd64.deb
if cmp -s "$work/out/$deb" "$work/out2/$deb"; then
	ok "reproducible: a second amd64 build in another folder gives the same bytes"
else
	fail "reproducible: a second amd64 build in another folder gives the same bytes"
	logtail "$work/logs/build2.log"
	command -v diffoscope >/dev/null && diffoscope "$work/out/$deb" "$work/out2/$deb" 2>&1 | head -n 40 | sed 's/^/# /'
fi

# 3. Installed into a clean Debian 12 root with apt, and used.
root=$work/root
inroot() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb "$@"; }
cleanup_root() {
	case $root in "$work"/root) ;; *) echo "# refusing to remove '$root'"; return 1 ;; esac
	for m in dev proc; do umount "$root/$m" 2>/dev/null; done
	# Never delete through a mount that is still there (the host's /dev).
	for m in dev proc; do
		if mountpoint -q "$root/$m" 2>/dev/null; then
			echo "# $root/$m is still mounted: $root is left in place"
			return 1
		fi
	done
	rm -rf "$root"
}
make_root() {
	cleanup_root
	if [ ! -s "$rootfs_cache" ]; then
		rm -rf "$rootfs_cache.d"
		# Bounded: a slow mirror means this machine is used instead.
		timeout "${DEBOOTSTRAP_SECONDS:-360}" debootstrap --variant=minbase bookworm "$rootfs_cache.d" \
			http://deb.debian.org/debian >"$work/logs/debootstrap.log" 2>&1 || { rm -rf "$rootfs_cache.d"; return 1; }
		tar -C "$rootfs_cache.d" -cf "$rootfs_cache.tmp" . && mv "$rootfs_cache.tmp" "$rootfs_cache" || return 1
		rm -rf "$rootfs_cache.d"
	fi
	mkdir -p "$root" && tar -C "$root" -xf "$rootfs_cache" &&
		cp /etc/resolv.conf "$root/etc/" 2>/dev/null
	mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev"
}
if command -v debootstrap >/dev/null && make_root; then
	where="a clean Debian 12 root"
	cp "$work/out/syncdoctor_${version}_amd64.deb" "$root/tmp/"
	inroot apt-get update >"$work/logs/apt-root.log" 2>&1
	inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"/tmp/syncdoctor_${version}_amd64.deb" >>"$work/logs/apt-root.log" 2>&1
	st=$?
	run() { inroot "$@"; }
else
	# No debootstrap root here: this machine, and the package removed after.
	where="this machine"
	root=
	env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"$work/out/syncdoctor_${version}_amd64.deb" >"$work/logs/apt-root.log" 2>&1
	st=$?
	run() { env -i PATH=/usr/bin:/bin HOME=/nonexistent TERM=dumb "$@"; }
fi
if [ "$st" -eq 0 ]; then
	ok "apt install ./syncdoctor_${version}_amd64.deb into $where"
else
	fail "apt install ./syncdoctor_${version}_amd64.deb into $where"
	logtail "$work/logs/apt-root.log"
fi
ex=/usr/share/doc/syncdoctor/examples
run /usr/bin/syncdoctor --version >"$work/logs/version.txt" 2>&1
check "installed --version names the package and the commit" \
	grep -q "^syncdoctor [0-9.]* (Debian $version; commit [0-9a-f]" "$work/logs/version.txt"
run env LC_ALL=C.UTF-8 /usr/bin/syncdoctor check --no-environment --config $ex/config-A.v3-tar.mapeosettings \
	$ex/good-project-A.mapeodata >"$work/logs/check-en.txt" 2>&1
st=$?
if [ "$st" -eq 0 ] && grep -q "^Summary: OK" "$work/logs/check-en.txt" && grep -q "^Step 2 of 3" "$work/logs/check-en.txt" &&
	! grep -q version-table-missing "$work/logs/check-en.txt"; then
	ok "installed: check of the bundled example in English (exit 0, Summary: OK, the version table found)"
else
	fail "installed: check of the bundled example in English"
	logtail "$work/logs/check-en.txt"
fi
# Spanish: the locale C.UTF-8 with LANGUAGE, as a minimal system has no es_ES.
run env LC_ALL=C.UTF-8 LANGUAGE=es /usr/bin/syncdoctor check --no-environment \
	--config $ex/config-A.v3-tar.mapeosettings $ex/good-project-A.mapeodata >"$work/logs/check-es.txt" 2>&1
st=$?
if [ "$st" -eq 0 ] && grep -q "^Paso 2 de 3" "$work/logs/check-es.txt"; then
	ok "installed: check of the bundled example in Spanish (exit 0, Paso 2 de 3)"
else
	fail "installed: check of the bundled example in Spanish"
	logtail "$work/logs/check-es.txt"
fi
# The version table taken away: a finding, translated, never silence.
if [ -n "$root" ]; then
	mv "$root/usr/share/syncdoctor/mapeo-versions.yaml" "$root/tmp/table.yaml"
	inroot env LC_ALL=C.UTF-8 LANGUAGE=es /usr/bin/syncdoctor check --no-environment --format json \
		--config $ex/config-A.v3-tar.mapeosettings $ex/good-project-A.mapeodata >"$work/logs/check-notable.json" 2>&1
	st=$?
	mv "$root/tmp/table.yaml" "$root/usr/share/syncdoctor/mapeo-versions.yaml"
	msg=$(jq -r '.findings[] | select(.code == "version-table-missing") | .message' "$work/logs/check-notable.json" 2>/dev/null)
	case "$st:$msg" in
	2:*"no se pudo leer la tabla de versiones de Mapeo"*) ok "installed, table removed: version-table-missing, in Spanish (exit 2)" ;;
	*) fail "installed, table removed: version-table-missing, in Spanish"; diag "exit $st" "$msg"; logtail "$work/logs/check-notable.json" ;;
	esac
	cleanup_root
else
	dpkg -r syncdoctor >>"$work/logs/apt-root.log" 2>&1
	check "the package is removed from this machine" sh -c '! dpkg -s syncdoctor >/dev/null 2>&1'
fi
finish
