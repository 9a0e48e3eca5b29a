#!/bin/sh
# Several damages on one file at once, as a card that fails in more than
# one place leaves it: two to four of a byte flipped, a 512-byte sector or
# a 4 KiB page zeroed, at offsets spread over the whole file, and one copy
# in five then cut. The same copies every run, on every machine: the
# offsets come from a fixed linear congruential sequence in the shell's
# own arithmetic (no awk or shuf, whose sequences differ). Each copy is
# held to tests/damage-sweep.sh's invariants (judge(), damage-lib.sh):
# check answers with a report that parses; rebuild and rebuild --salvage
# refuse leaving nothing, or write a file whose own check has nothing that
# would block it, and a salvage keeps as many observations as a repair; a
# mode that says nothing is left out keeps every observation and photo;
# the check's advice agrees with them; the input is never changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/damage-lib.sh"

# next: the sequence's next value into $x (glibc's rand() constants), and
# its high bits into $h (the low bits of such a sequence repeat soon)
x=20261207
next() {
	x=$(((x * 1103515245 + 12345) % 2147483648))
	h=$((x / 65536))
}

# combos NAME SRC N: N damaged copies of SRC
combos() {
	size=$(wc -c <"$2")
	c=0
	while [ $c -lt "$3" ]; do
		c=$((c + 1))
		next
		m=$((2 + h % 3)) spec="" j=0
		while [ $j -lt $m ]; do
			j=$((j + 1))
			next
			case $((h % 5)) in
			0 | 1) kind=flip ;;
			2 | 3) kind=sector ;;
			*) kind=page ;;
			esac
			next
			spec="$spec${spec:+,}$kind:$((x % size))"
		done
		next
		if [ $((h % 5)) -eq 0 ]; then
			next
			spec="$spec,cut:$((size / 2 + x % (size / 2)))"
		fi
		# (the sequence moves on for every copy, so that the sanitizers'
		# every third copy is a third of the same ones)
		[ $((c % every)) -eq 0 ] || continue
		judge "$2" multi "$spec" "$1 [$spec]"
	done
}

combos "good-project-A" "$D/good-project-A.mapeodata" 40
combos "good-project-B" "$D/good-project-B.mapeodata" 40
combos "good-no-key" "$D/good-no-key.mapeodata" 40
is "damaged copies with several damages each, none broken ($cases in all)" "$broken" 0
done_testing
