#!/bin/sh
# mapeo-accepts.sh FILE PROJECTKEY|none [EXPECT_OBSERVATIONS [EXPECT_MEDIA]]
#
# Proof that Mapeo accepts a sync file: installs the upstream @mapeo/core
# 8.6.2 stack from the npm registry into a cache directory (once), syncs a
# copy of FILE into a brand-new device with the given project key, and
# compares what the device then holds with the expected counts.
#
# Exit: 0 accepted (and counts equal), 1 refused or counts differ,
# 77 skipped (no node, or the npm registry cannot be reached; it says so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
file=$1 key=$2 want_obs=${3:-} want_media=${4:-}
cache=${SYNCDOCTOR_INTEROP_CACHE:-/var/tmp/syncdoctor-interop}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "interop: skipped: node and npm are not installed" >&2
	exit 77
fi
mkdir -p "$cache" || exit 77
if ! cmp -s "$here/package.json" "$cache/package.json" || [ ! -d "$cache/node_modules/@mapeo/core" ]; then
	cp "$here/package.json" "$cache/package.json"
	# --ignore-scripts: leveldown and sodium-native ship prebuilt binaries
	# in their npm packages; nothing is downloaded from elsewhere.
	if ! (cd "$cache" && timeout 600 npm install --no-audit --no-fund --ignore-scripts \
		--loglevel=error >"$cache/npm.log" 2>&1); then
		echo "interop: skipped: the npm registry could not be reached (see $cache/npm.log)" >&2
		rm -f "$cache/package.json"
		exit 77
	fi
fi
cp "$here/mapeo-sync.js" "$cache/mapeo-sync.js"
work=$(mktemp -d "${TMPDIR:-/tmp}/sd-interop-XXXXXX")
out=$(cd "$cache" && timeout 180 node mapeo-sync.js "$file" "$key" "$work/run")
rc=$?
if [ $rc -eq 3 ]; then
	# Mapeo's indexer raced the replication; start the device again
	# (mapeo-sync.js says why).
	echo "interop: $out; opening the device again" >&2
	out=$(cd "$cache" && timeout 180 node mapeo-sync.js --reopen "$key" "$work/run")
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
