#!/bin/sh
# mapeo-accepts.sh FILE PROJECTKEY|none [EXPECT_OBSERVATIONS [EXPECT_MEDIA]]
#
# Proof that Mapeo accepts a sync file: syncs a copy of FILE into a
# brand-new device of the upstream @mapeo/core 8.6.2 stack with the given
# project key, and compares what the device then holds with the expected
# counts.
#
# The stack is installed once with `npm ci` from the committed
# package-lock.json into CACHE/<hash of package.json and the lockfile>,
# where CACHE is $SYNCDOCTOR_INTEROP_CACHE (default
# /var/tmp/syncdoctor-interop). make -j runs several copies of this script
# at once, so the install happens under an exclusive flock, into a
# temporary folder that gets its completion marker last and is then
# renamed into place: a folder under the final name without the marker
# (an install killed half way by an older script, or damaged since) is
# removed and installed again.
#
# Exit: 0 accepted (and counts equal), 1 refused or counts differ,
# 77 skipped (no node, or the npm registry cannot be reached; it says so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
file=$1 key=$2 want_obs=${3:-} want_media=${4:-}
root=${SYNCDOCTOR_INTEROP_CACHE:-/var/tmp/syncdoctor-interop}

for tool in node npm flock sha256sum; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "interop: skipped: $tool is not installed" >&2
		exit 77
	fi
done
case $file in /*) ;; *) file=$(pwd)/$file ;; esac
hash=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)
stack=$root/$hash
mkdir -p "$root" || { echo "interop: cannot create $root" >&2; exit 1; }

# install: into a temporary folder, marker last, then one rename.
install_stack() {
	rm -rf "$stack" "$stack".tmp-*
	tmp=$stack.tmp-$$
	mkdir "$tmp" && cp "$here/package.json" "$here/package-lock.json" "$tmp/" || return 1
	# --ignore-scripts: leveldown and sodium-native ship prebuilt binaries
	# in their npm packages; nothing is downloaded from elsewhere.
	if ! (cd "$tmp" && timeout 1200 npm ci --ignore-scripts --no-audit --no-fund \
		--loglevel=error) >"$root/$hash.npm.log" 2>&1; then
		rm -rf "$tmp"
		return 2
	fi
	# The stack must load before it is called complete.
	if ! (cd "$tmp" && node -e "require('@mapeo/core'); require('osm-p2p'); require('safe-fs-blob-store')") \
		>>"$root/$hash.npm.log" 2>&1; then
		rm -rf "$tmp"
		return 1
	fi
	echo "$hash" >"$tmp/.complete" && mv "$tmp" "$stack"
}
complete() { [ "$(cat "$stack/.complete" 2>/dev/null)" = "$hash" ]; }

if ! complete; then
	exec 9>"$root/$hash.lock"
	if ! flock -w 1800 9; then
		echo "interop: waited 30 minutes for $root/$hash.lock" >&2
		exit 1
	fi
	# Another copy of this script may have installed it while we waited.
	if ! complete; then
		install_stack
		case $? in
		0) ;;
		2)
			echo "interop: skipped: npm ci failed; is the npm registry reachable? (see $root/$hash.npm.log)" >&2
			exit 77
			;;
		*)
			echo "interop: the installed stack does not load (see $root/$hash.npm.log)" >&2
			exit 1
			;;
		esac
	fi
	exec 9>&-
fi

# node finds the stack through NODE_PATH; the script runs from the source
# tree, so nothing in the shared cache is written after the install.
NODE_PATH=$stack/node_modules
export NODE_PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/sd-interop-XXXXXX")
out=$(cd "$work" && TMPDIR=$work timeout 600 node "$here/mapeo-sync.js" "$file" "$key" "$work/run")
rc=$?
if [ $rc -eq 3 ]; then
	# Mapeo's indexer raced the replication; start the device again
	# (mapeo-sync.js says why).
	echo "interop: $out; opening the device again" >&2
	out=$(cd "$work" && TMPDIR=$work timeout 600 node "$here/mapeo-sync.js" --reopen "$key" "$work/run")
	rc=$?
fi
rm -rf "$work"
echo "$out"
[ $rc -eq 0 ] || { echo "interop: node exited $rc" >&2; exit 1; }
case "$out" in *'"ok":true'*) ;; *) exit 1 ;; esac
if [ -n "$want_obs" ]; then
	case "$out" in *"\"observations\":$want_obs,"*) ;; *) echo "interop: expected $want_obs observations" >&2; exit 1 ;; esac
fi
if [ -n "$want_media" ]; then
	case "$out" in *"\"media\":$want_media}"*) ;; *) echo "interop: expected $want_media media" >&2; exit 1 ;; esac
fi
exit 0
