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
#   it passes over keeps everything; where it says how many blocks of a
#   feed a salvage keeps, the salvage keeps that many;
# - the damaged copy is never changed.
# The databases inside good-project-A and B are swept again a 512-byte
# sector and a 4 KiB page at every sector (headers of the inner tar lost
# over intact files, doc/formats.md §3): there, in addition, every feed
# whose files are intact but for the zeroed headers is kept whole by what
# a rebuild writes. So is each feed of both with every one of its headers
# zeroed at once, and every feed with all their headers zeroed.
# One failure line per broken case, naming the damage; the proofs with the
# real Mapeo are in rebuild.sh and feed-damage.sh (a sweep of hundreds of
# Mapeo runs would take an hour). One damaged copy at a time, under $TMP,
# removed once judged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/damage-lib.sh"
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
		judge "$src" "$kind" "$off" "$name, $kind at byte $off"
		off=$((off + step))
	done
}

sweep "good-project-A" "$D/good-project-A.mapeodata" flip 16381
sweep "good-project-A" "$D/good-project-A.mapeodata" page 16384
sweep "good-project-A" "$D/good-project-A.mapeodata" cut 40009
sweep "good-project-B" "$D/good-project-B.mapeodata" page 4096
sweep "good-project-B" "$D/good-project-B.mapeodata" flip 4093
sweep "good-no-key" "$D/good-no-key.mapeodata" page 8192

# sweep_db NAME SRC KIND: a sector or a page zeroed at every sector of
# SRC's database, feeds kept whole
sweep_db() {
	layout "$2"
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$2" |
		jq -r '.feeds[] | "\(.index) \(.key) \(.length)"' >"$TMP/lengths"
	[ -s "$TMP/layout" ] && [ -s "$TMP/lengths" ] || fail "$1: the layout of its database"
	cur_src=$2 dmg_len=$([ "$3" = sector ] && echo 512 || echo 4096)
	off=$db_off k=0
	while [ "$off" -lt "$db_end" ]; do
		k=$((k + 1))
		if [ $((k % every)) -eq 0 ]; then
			dmg_at=$off
			judge "$2" "$3" "$off" "$1, $3 zeroed at byte $off (database byte $((off - db_off)))"
		fi
		off=$((off + 512))
	done
	dmg_len=""
}
sweep_db "good-project-A" "$D/good-project-A.mapeodata" sector
sweep_db "good-project-A" "$D/good-project-A.mapeodata" spage
sweep_db "good-project-B" "$D/good-project-B.mapeodata" sector
sweep_db "good-project-B" "$D/good-project-B.mapeodata" spage
# sweep_feeds NAME SRC: every header of one feed of SRC's database zeroed
# (a card losing those sectors), for each feed, then of all of them: the
# files are read back as feeds none of whose headers survived, or what is
# not read is said and left out (the advice then never says a rebuild
# keeps everything)
sweep_feeds() {
	layout "$2"
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$2" |
		jq -r '.feeds[] | "\(.index) \(.key) \(.length)"' >"$TMP/lengths"
	cur_src=$2 dmg_len=512
	for ix in $(cut -d' ' -f1 "$TMP/layout" | sort -u); do
		offs=$(awk -v ix="$ix" '$1 == ix { printf "%s%d", sep, $2 - 512; sep = "," }' "$TMP/layout")
		dmg_at=${offs%%,*}
		judge "$2" headers "$offs" "$1, every header of feed $ix zeroed (bytes $offs)"
	done
	# ... and of every feed at once (one stretch holding them all)
	offs=$(awk '{ printf "%s%d", sep, $2 - 512; sep = "," }' "$TMP/layout")
	dmg_at=${offs%%,*}
	judge "$2" headers "$offs" "$1, every header of every feed zeroed (bytes $offs)"
	dmg_len=""
}
sweep_feeds "good-project-A" "$D/good-project-A.mapeodata"
sweep_feeds "good-project-B" "$D/good-project-B.mapeodata"
is "damaged copies swept, none broken ($cases in all)" "$broken" 0
done_testing
