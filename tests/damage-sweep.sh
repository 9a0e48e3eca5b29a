#!/bin/sh
# Damage swept over the real files: a byte flipped, a 4 KiB page zeroed (a
# sector an SD card lost) or the file cut, at offsets spread over each file,
# the same offsets every run. For each damaged copy:
# - check answers (exit 0 or 2) with a report that parses;
# - rebuild and rebuild --salvage either refuse, leaving nothing under the
#   output's name or a temporary one, or write a file whose own check has
#   nothing that would block it (rebuild_blocks_output: notes on dates and
#   photos that did not travel aside), and a salvage keeps as many
#   observations as a repair that succeeded;
# - the check's advice agrees with them: a plain rebuild it says keeps
#   everything does, a salvage it says keeps everything does, and no mode
#   it passes over keeps everything;
# - the damaged copy is never changed.
# One failure line per broken case, naming the damage; the proofs with the
# real Mapeo are in rebuild.sh and feed-damage.sh (a sweep of hundreds of
# Mapeo runs would take an hour).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
# Under the sanitizers (several times slower) every third offset is
# enough: the plain run takes them all.
every=1
case $(ldd "$SYNCDOCTOR" 2>/dev/null) in *asan*) every=3 ;; esac
export XDG_STATE_HOME="$TMP/state"
mkdir -p "$XDG_STATE_HOME" "$TMP/w"

# damage SRC KIND OFFSET OUT: a damaged copy (dd: no tool of ours)
damage() {
	cp "$1" "$4"
	case $2 in
	flip)
		b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
		printf "\\$(printf '%03o' $((b ^ 90)))" |
			dd of="$4" bs=1 seek="$3" conv=notrunc 2>/dev/null
		;;
	page) dd if=/dev/zero of="$4" bs=4096 seek=$(($3 / 4096)) count=1 conv=notrunc 2>/dev/null ;;
	cut) head -c "$3" "$1" >"$4" ;;
	esac
}

# blocking FILE: the codes in FILE's check that would keep a rebuild from
# writing it, or "unreadable"
blocking() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r '[.findings[] | select(.step == "corruption" and (.severity == "error" or .severity == "warning")) | .code | select(. != "attachment-missing" and (startswith("date-") | not))] | unique | join(",")' 2>/dev/null ||
		echo unreadable
}
heads() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r '.observations.heads // 0'
}

cases=0 broken=0
# sweep NAME SRC KIND STEP: damage at every STEP bytes of SRC
sweep() {
	name=$1 src=$2 kind=$3 step=$4
	size=$(wc -c <"$src")
	off=$([ "$kind" = cut ] && echo 512 || echo 0)
	k=0
	while [ "$off" -lt "$size" ]; do
		k=$((k + 1))
		if [ $((k % every)) -ne 0 ]; then
			off=$((off + step))
			continue
		fi
		in="$TMP/w/in.mapeodata"
		damage "$src" "$kind" "$off" "$in"
		cp "$in" "$TMP/w/before"
		cases=$((cases + 1))
		what="$name, $kind at byte $off"
		why=""
		"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$in" \
			>"$TMP/w/check.json" 2>"$TMP/w/check.err"
		rc=$?
		case $rc in
		0 | 2) jq -e .verdict "$TMP/w/check.json" >/dev/null 2>&1 || why="check's report does not parse" ;;
		*) why="check exited $rc: $(head -c 300 "$TMP/w/check.err")" ;;
		esac
		# the check's advice (rebuild_advise()): the mode it says keeps
		# everything, "none" when it planned and none does, "" when it
		# planned nothing or the rebuild needs a configuration
		advised=$(jq -r '.repair // empty | select(.needs_config | not) |
			if .rebuild_whole then "repair" elif .salvage_whole then "salvage" else "none" end' \
			"$TMP/w/check.json" 2>/dev/null)
		repair_heads="" adv_why=""
		for mode in repair salvage; do
			[ -z "$why" ] || break
			out="$TMP/w/out-$mode.mapeodata"
			rm -f "$out"
			opt=$([ $mode = salvage ] && echo --salvage)
			"$SYNCDOCTOR" --no-journal rebuild $opt "$in" -o "$out" >"$TMP/w/rb.out" 2>"$TMP/w/rb.err"
			rc=$?
			# whether this mode kept everything, as the advice says
			whole=$([ $rc -eq 0 ] && grep -q '^  Nothing is left out\.$' "$TMP/w/rb.out" &&
				awk '/^    feed .* of .* blocks$/ { if ($(NF-3) != $(NF-1)) bad = 1 } END { exit bad }' "$TMP/w/rb.out" && echo yes)
			case "$advised/$mode/$whole" in
			repair/repair/) adv_why="check advised a plain rebuild that keeps everything; it does not" ;;
			salvage/repair/yes | none/repair/yes) adv_why="check advised $advised, but a plain rebuild keeps everything" ;;
			salvage/salvage/) adv_why="check advised a salvage that keeps everything; it does not" ;;
			none/salvage/yes) adv_why="check advised no whole rebuild, but a salvage keeps everything" ;;
			esac
			left=$(find "$TMP/w" -name '*sdtmp*' | head -n 1)
			if [ -n "$left" ]; then
				why="$mode left $left behind"
			elif [ $rc -eq 0 ]; then
				b=$(blocking "$out")
				if [ -n "$b" ]; then
					why="$mode wrote a file whose check says $b"
				elif [ $mode = repair ]; then
					repair_heads=$(heads "$out")
				elif [ -n "$repair_heads" ] && [ "$(heads "$out")" != "$repair_heads" ]; then
					why="salvage kept $(heads "$out") observations, the repair $repair_heads"
				fi
			elif [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
				why="$mode exited $rc: $(head -c 300 "$TMP/w/rb.err")"
			elif [ -e "$out" ]; then
				why="$mode refused (exit $rc) but left $out"
			fi
		done
		[ -z "$adv_why" ] || why="${why:+$why; }$adv_why"
		cmp -s "$in" "$TMP/w/before" || why="${why:+$why; }the damaged input was changed"
		if [ -n "$why" ]; then
			broken=$((broken + 1))
			fail "$what: $why"
		fi
		off=$((off + step))
	done
}

sweep "good-project-A" "$D/good-project-A.mapeodata" flip 16381
sweep "good-project-A" "$D/good-project-A.mapeodata" page 16384
sweep "good-project-A" "$D/good-project-A.mapeodata" cut 40009
sweep "good-project-B" "$D/good-project-B.mapeodata" page 4096
sweep "good-project-B" "$D/good-project-B.mapeodata" flip 4093
sweep "good-no-key" "$D/good-no-key.mapeodata" page 8192
is "damaged copies swept, none broken ($cases in all)" "$broken" 0
done_testing
