# tests/damage-lib.sh: what tests/damage-sweep.sh and tests/damage-combos.sh
# share, sourced after tests/lib.sh: damage made on a copy of a real file,
# and judge(), which holds a damaged copy to the invariants a user relies
# on (damage-sweep.sh says which). Not a test of its own.
D=$SD_TEST_DATA
# Under the sanitizers (several times slower) every third case is enough:
# the plain run takes them all. SYNCDOCTOR_SWEEP_EVERY=N takes every Nth
# instead.
every=1
case $(ldd "$SYNCDOCTOR" 2>/dev/null) in *asan*) every=3 ;; esac
case ${SYNCDOCTOR_SWEEP_EVERY:-} in
'' | *[!0-9]* | 0) ;;
*) every=$SYNCDOCTOR_SWEEP_EVERY ;;
esac
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
	sector | spage) dd if=/dev/zero of="$4" bs=512 seek=$(($3 / 512)) \
		count=$([ "$2" = sector ] && echo 1 || echo 8) conv=notrunc 2>/dev/null ;;
	cut) head -c "$3" "$1" >"$4" ;;
	headers) for at in $(echo "$3" | tr , ' '); do
		dd if=/dev/zero of="$4" bs=512 seek=$((at / 512)) count=1 conv=notrunc 2>/dev/null
	done ;;
	icut | igrow) # "NAME:BYTES": a file of the database cut to BYTES, or
		# grown by BYTES, its tar and the index consistent (mkdamage)
		"${top_builddir}/tests/unit/mkdamage" "${2#i}" "$4" "${3%%:*}" "${3#*:}" >/dev/null ;;
	multi) # "KIND:OFFSET,KIND:OFFSET...": each on the copy the one before made
		for dm in $(echo "$3" | tr , ' '); do
			cp "$4" "$4.prev"
			damage "$4.prev" "${dm%%:*}" "${dm#*:}" "$4"
		done
		rm -f "$4.prev" ;;
	esac
}

# blocking FILE: the codes in FILE's check that would keep a rebuild from
# writing it, or "unreadable"
blocking() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r '[.findings[] | select(.step == "corruption" and (.severity == "error" or .severity == "warning")) | .code | select(. != "attachment-missing" and (startswith("date-") | not))] | unique | join(",")' 2>/dev/null ||
		echo unreadable
}
# counts FILE: "observations photos" of FILE's check; truth SRC: the
# same of the undamaged source, computed once
counts() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r '"\(.observations.heads // 0) \(.media.members // 0)"'
}
truth() {
	t="$TMP/truth-$(basename "$1")"
	[ -s "$t" ] || counts "$1" >"$t"
	cat "$t"
}
heads() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r '.observations.heads // 0'
}

# header SRC OFFSET FROM LEN: LEN bytes at FROM of the tar header at OFFSET
header() {
	dd if="$1" bs=1 skip=$(($2 + $3)) count="$4" 2>/dev/null | tr -d '\000 '
}
# layout SRC: the inner tar of SRC's osm-p2p-db.tar into $TMP/layout, one
# "index data-offset size" a feed file; db_off, db_end: where it lies
layout() {
	pos=0 db_off=0 db_end=0
	: >"$TMP/layout"
	while [ "$db_off" -eq 0 ] && [ "$pos" -lt "$(wc -c <"$1")" ]; do
		n=$(header "$1" "$pos" 0 100) sz=$(printf '%d' "0$(header "$1" "$pos" 124 12)")
		[ "$n" = osm-p2p-db.tar ] && db_off=$((pos + 512)) db_end=$((pos + 512 + sz))
		pos=$((pos + 512 + (sz + 511) / 512 * 512))
	done
	pos=$db_off
	while [ "$pos" -lt "$db_end" ]; do
		n=$(header "$1" "$pos" 0 100)
		[ -n "$n" ] || break
		sz=$(printf '%d' "0$(header "$1" "$pos" 124 12)")
		echo "${n%%/*} $((pos + 512)) $sz" >>"$TMP/layout"
		pos=$((pos + 512 + (sz + 511) / 512 * 512))
	done
}
# hurt IX: whether the damage ($dmg_at, $dmg_len bytes) changed a byte of
# feed IX's files (zeroing zeros, headers and padding, changes none)
hurt() {
	while read -r fx at sz; do
		[ "$fx" = "$1" ] || continue
		lo=$((at > dmg_at ? at : dmg_at))
		hi=$((at + sz < dmg_at + dmg_len ? at + sz : dmg_at + dmg_len))
		[ "$lo" -lt "$hi" ] || continue
		[ "$(tail -c +$((lo + 1)) "$cur_src" | head -c $((hi - lo)) | tr -d '\000' | wc -c)" -eq 0 ] ||
			return 0
	done <"$TMP/layout"
	return 1
}
# verified FILE KEY: the blocks of feed KEY that FILE's check verifies
verified() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" 2>/dev/null |
		jq -r --arg k "$2" '[.feeds[] | select(.key == $k) | .verified] | max // 0'
}
# kept_whole: a feed the damage left intact ($lengths: "index key length"
# a feed) must verify whole in the damaged copy's check; when every feed is
# intact and the damage lies inside the database, also in what a rebuild
# writes, and one of them must write (where another feed is hurt, a salvage
# cuts the entries that link to its lost versions: HACKING, cut_dangling;
# past the database, the index's userdata lost, a rebuild asks for
# --config). Nothing said when all hold.
kept_whole() {
	[ -n "${dmg_len:-}" ] || return 0
	all=$([ $((dmg_at + dmg_len)) -le "$db_end" ] && echo 1)
	while read -r ix key len; do
		! hurt "$ix" || all=""
	done <"$TMP/lengths"
	while read -r ix key len; do
		! hurt "$ix" || continue
		got=$(jq -r --arg k "$key" '[.feeds[] | select(.key == $k) | .verified] | max // 0' "$TMP/w/check.json")
		[ "$got" = "$len" ] || { echo "feed $ix is intact but the check verifies $got of its $len blocks"; return 0; }
		[ -n "$all" ] || continue
		wrote=""
		for out in "$TMP/w/out-repair.mapeodata" "$TMP/w/out-salvage.mapeodata"; do
			[ -e "$out" ] || continue
			wrote=1 got=$(verified "$out" "$key")
			[ "$got" = "$len" ] || { echo "feed $ix is intact but the ${out##*out-} keeps $got of its $len blocks"; return 0; }
		done
		[ -n "$wrote" ] || { echo "feed $ix is intact but no rebuild wrote a file"; return 0; }
	done <"$TMP/lengths"
}

# salvage_claims: where the check says how many blocks of a feed a salvage
# keeps (feed-hash-mismatch: "keeps K of the feed's N blocks", "keeps all
# K"), the salvage's plan ($TMP/w/rb.out) keeps that many, unless it says
# it cuts the feed shorter for an entry that links to what it left out. A check that
# said 7 while the salvage kept none of a feed whose tree was cut inside
# its header is how this was found. Nothing said when all agree.
salvage_claims() {
	jq -r '.findings[] | select(.code == "feed-hash-mismatch") | "\(.feed) \(.message)"' \
		"$TMP/w/check.json" 2>/dev/null |
		sed -n "s/^\([0-9]*\) .*keeps \([0-9]*\) of the feed's [0-9]* blocks.*/\1 \2/p
			s/^\([0-9]*\) .*keeps all \([0-9]*\).*/\1 \2/p" |
		while read -r cf ck; do
			# (a salvage that cuts the feed where an entry links to what
			# it left out of another says so: cut_dangling())
			! grep -q "^    - feed $cf is cut at block " "$TMP/w/rb.out" || continue
			got=$(sed -n "s/^    feed $cf ([0-9a-f]*): \([0-9]*\) of [0-9]* blocks\$/\1/p" "$TMP/w/rb.out" | head -n 1)
			[ "$got" = "$ck" ] || printf '%s' "the check says a salvage keeps $ck blocks of feed $cf, the salvage keeps ${got:-none}; "
		done
}

# answers IN JSON ERR: check IN into JSON (its errors into ERR); prints
# nothing when it answered (exit 0 or 2) with a report that parses, else
# why not
answers() {
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" >"$2" 2>"$3"
	ans_rc=$?
	case $ans_rc in
	0 | 2) jq -e .verdict "$2" >/dev/null 2>&1 || echo "check's report does not parse" ;;
	*) echo "check exited $ans_rc: $(head -c 300 "$3")" ;;
	esac
}

# judge SRC KIND OFFSET WHAT: damage a copy of SRC and hold it to the
# invariants; a feed named in $intact must be in what a rebuild writes with
# the length it had ($lengths)
judge() {
	cases=$((cases + 1))
	in="$TMP/w/in.mapeodata"
	damage "$1" "$2" "$3" "$in"
	cp "$in" "$TMP/w/before"
	why=$(answers "$in" "$TMP/w/check.json" "$TMP/w/check.err")
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
		# ground truth: a mode that says it left nothing out holds every
		# observation and photo the undamaged file holds
		if [ "$whole" = yes ]; then
			got=$(counts "$out")
			[ "$got" = "$(truth "$1")" ] ||
				why="${why:+$why; }$mode says nothing is left out but keeps $got of $(truth "$1") (observations photos)"
		fi
		case "$advised/$mode/$whole" in
		repair/repair/) adv_why="check advised a plain rebuild that keeps everything; it does not" ;;
		salvage/repair/yes | none/repair/yes) adv_why="check advised $advised, but a plain rebuild keeps everything" ;;
		salvage/salvage/) adv_why="check advised a salvage that keeps everything; it does not" ;;
		none/salvage/yes) adv_why="check advised no whole rebuild, but a salvage keeps everything" ;;
		esac
		if [ $mode = salvage ] && [ $rc -eq 0 ]; then
			claims=$(salvage_claims)
			[ -z "$claims" ] || why="${why:+$why; }${claims%; }"
			# the check's "Also": what a rescue gives back that this salvage
			# leaves out is the count the salvage itself says
			more=$(jq -r '.repair // empty | select(.needs_config or .rebuild_whole or .rescue_only
				or .salvage_refused | not) | .rescue_more' "$TMP/w/check.json" 2>/dev/null)
			got=$(sed -n 's/^  Rescue: \([0-9]*\) entr.*/\1/p' "$TMP/w/rb.out")
			[ -z "$more" ] || [ "$more" = "${got:-0}" ] ||
				adv_why="check said a rescue gives $more entries back, the salvage counts ${got:-0}"
		fi
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
	[ -n "$why" ] || why=$(kept_whole)
	if [ -n "$why" ]; then
		broken=$((broken + 1))
		fail "$4: $why"
	fi
	rm -f "$TMP/w/in.mapeodata" "$TMP/w/before" "$TMP/w"/out-*.mapeodata
}

cases=0 broken=0
