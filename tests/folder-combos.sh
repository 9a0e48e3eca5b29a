#!/bin/sh
# Damaged database folders, as a failing disk or card leaves Mapeo
# Desktop's kappa.db or a leftover temporary folder: one to three of a byte
# flipped, 512 bytes or a 4 KiB page zeroed, or a file cut, in the feeds'
# files (one damage in five in a photo instead). The same copies every run,
# on every machine: the choices come from a fixed linear congruential
# sequence in the shell's own arithmetic. Each copy is held to:
# - check answers (exit 0 or 2) with a report that parses;
# - rebuild, rebuild --salvage and rebuild --rescue each refuse leaving
#   nothing, or write a file whose own check has nothing that would block
#   it (rebuild_blocks_output);
# - the check's advice (its JSON's repair) agrees with them: the mode it
#   says keeps everything does, the modes it passes over do not; "--rescue
#   only" means a salvage refuses and the rescue writes; "no rebuild keeps
#   an observation" means both refuse; an error in step 3 is never left
#   without advice (a folder was always told --salvage, which then refused
#   where only --rescue gave the entries back);
# - the folder is never changed.
# The files the real Mapeo accepts from such folders: tests/database.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/damage-lib.sh"
MKDB=${top_builddir}/tests/unit/mkdb
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
[ -x "$MKDB" ] || { echo "1..0 # SKIP mkdb not built (no Check)"; exit 0; }

x=20261207
next() {
	x=$(((x * 1103515245 + 12345) % 2147483648))
	h=$((x / 65536))
}
state() { (cd "$1" && find . -type f -exec cksum {} + | sort); }
# whole MODE: the rebuild in MODE wrote, leaving nothing out and cutting
# no feed
whole() {
	[ -e "$TMP/f/out-$1.mapeodata" ] && grep -q '^  Nothing is left out\.$' "$TMP/f/rb-$1.out" &&
		awk '/^    feed .* of .* blocks$/ { if ($(NF-3) != $(NF-1)) bad = 1 } END { exit bad }' \
			"$TMP/f/rb-$1.out"
}

# judge_folder SRC CFG WHAT: the folder in $TMP/f/d, damaged, held to the
# invariants above; CFG: --config for a folder that does not name its
# project, or ""
judge_folder() {
	cases=$((cases + 1))
	before=$(state "$TMP/f/d")
	why=$(answers "$TMP/f/d" "$TMP/f/c.json" "$TMP/f/c.err")
	adv=$(jq -r '.repair // empty | if .rebuild_whole then "repair" elif .salvage_whole then "salvage"
		elif .rescue_only then "rescue" elif .salvage_refused then "refused" else "part" end' \
		"$TMP/f/c.json" 2>/dev/null)
	for mode in repair salvage rescue; do
		[ -z "$why" ] || break
		out="$TMP/f/out-$mode.mapeodata"
		rm -f "$out"
		case $mode in
		repair) opt="" ;;
		salvage) opt=--salvage ;;
		*) opt=--rescue ;;
		esac
		# shellcheck disable=SC2086 # $2: --config FILE or nothing
		"$SYNCDOCTOR" --no-journal rebuild $opt $2 --database "$TMP/f/d" -o "$out" \
			>"$TMP/f/rb-$mode.out" 2>&1
		rc=$?
		eval "rc_$mode=$rc"
		left=$(find "$TMP/f" -name '*sdtmp*' | head -n 1)
		if [ -n "$left" ]; then
			why="$mode left $left behind"
		elif [ $rc -eq 0 ]; then
			b=$(blocking "$out")
			[ -z "$b" ] || why="$mode wrote a file whose check says $b"
		elif [ $rc -ne 2 ]; then
			why="$mode exited $rc: $(tail -n 1 "$TMP/f/rb-$mode.out" | head -c 300)"
		elif [ -e "$out" ]; then
			why="$mode refused but left $out"
		fi
	done
	if [ -z "$why" ]; then
		case $adv in
		repair) whole repair || why="advised a plain rebuild that keeps everything; it does not" ;;
		salvage)
			! whole repair || why="advised a salvage, but a plain rebuild keeps everything"
			whole salvage || why="advised a salvage that keeps everything; it does not"
			;;
		rescue)
			[ "$rc_salvage" -ne 0 ] || why="advised --rescue only, but a salvage writes"
			[ "$rc_rescue" -eq 0 ] || why="advised --rescue, which refuses"
			;;
		refused)
			[ "$rc_salvage" -ne 0 ] && [ "$rc_rescue" -ne 0 ] ||
				why="advised that no rebuild keeps an observation, but one writes"
			;;
		part)
			[ "$rc_salvage" -eq 0 ] || why="advised a salvage that keeps part, which refuses"
			! whole salvage && ! whole repair || why="advised no whole rebuild, but one keeps everything"
			# the entries its Also says a rescue gives back are what the rescue copies
			more=$(jq -r '.repair.rescue_more' "$TMP/f/c.json")
			got=$(sed -n 's/^    feed [0-9]* (new key): \([0-9]*\) entr[a-z]* rescued$/\1/p' "$TMP/f/rb-rescue.out")
			[ "$more" = "${got:-0}" ] || why="said a rescue gives $more entries back; it copies ${got:-0}"
			;;
		*)
			! jq -e '.findings[] | select(.step == "corruption" and .severity == "error")' \
				"$TMP/f/c.json" >/dev/null || why="an error in step 3, and no advice"
			;;
		esac
	fi
	[ "$(state "$TMP/f/d")" = "$before" ] || why="${why:+$why; }the folder was changed"
	advs="$advs ${adv:-none}"
	if [ -n "$why" ]; then
		broken=$((broken + 1))
		fail "$3: $why"
	fi
}

# combos NAME SRC CFG N: N damaged copies of the folder SRC
combos() {
	files=$(cd "$2" && find . -type f ! -path '*/media/*' ! -name secret_key ! -name localname | sort)
	photos=$(cd "$2" && find . -type f -path '*/media/*' | sort)
	[ -n "$photos" ] || photos=$files # (a temp folder holds no photo)
	nf=$(echo "$files" | wc -l) np=$(echo "$photos" | wc -l)
	c=0
	while [ $c -lt "$4" ]; do
		c=$((c + 1))
		next
		m=$((1 + h % 3)) spec="" j=0
		rm -rf "$TMP/f/d" && cp -a "$2" "$TMP/f/d"
		while [ $j -lt $m ]; do
			j=$((j + 1))
			next
			if [ $((h % 5)) -eq 0 ]; then
				next
				f=$(echo "$photos" | sed -n "$((1 + h % np))p")
			else
				next
				f=$(echo "$files" | sed -n "$((1 + h % nf))p")
			fi
			p="$TMP/f/d/$f" size=$(wc -c <"$TMP/f/d/$f")
			next
			kind=$((h % 5))
			next
			[ "$size" -gt 0 ] || continue
			at=$((x % size))
			case $kind in
			0 | 1)
				b=$(od -An -tu1 -j "$at" -N1 "$p" | tr -d ' ')
				printf "\\$(printf '%03o' $((b ^ 90)))" |
					dd of="$p" bs=1 seek="$at" conv=notrunc 2>/dev/null
				spec="$spec${spec:+,}flip:$f:$at"
				;;
			2)
				dd if=/dev/zero of="$p" bs=1 seek="$at" count=512 conv=notrunc 2>/dev/null
				spec="$spec${spec:+,}zero512:$f:$at"
				;;
			3)
				dd if=/dev/zero of="$p" bs=4096 seek=$((at / 4096)) count=1 conv=notrunc 2>/dev/null
				spec="$spec${spec:+,}page:$f:$((at / 4096 * 4096))"
				;;
			*)
				truncate -s "$at" "$p"
				spec="$spec${spec:+,}cut:$f:$at"
				;;
			esac
		done
		# (the sequence moves on for every copy: the sanitizers' every
		# third copy is a third of the same ones)
		[ $((c % every)) -eq 0 ] || continue
		judge_folder "$2" "$3" "$1 [$spec]"
	done
}

mkdir -p "$TMP/f"
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/desktop" || fail "mkdb"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-4242" || fail "mkdb --temp"
cases=0 broken=0 advs=""
combos "Desktop's kappa.db" "$TMP/desktop/kappa.db" "" 60
combos "a temp folder" "$TMP/osm-p2p-syncfile-4242" "--config $D/config-A.v3-tar.mapeosettings" 40
diag "the check's advice over them: $(echo $advs | tr ' ' '\n' | sort | uniq -c | tr -s ' \n' '  ')"
is "damaged database folders, none broken ($cases in all)" "$broken" 0
done_testing
