#!/bin/sh
# The bash completion offers exactly the options each command accepts
# (read from the getopt tables in src/cli), and completes for real when
# bash-completion is installed.
. "$(dirname "$0")/lib.sh"
comp=$top_srcdir/contrib/bash-completion/syncdoctor
check "it is valid bash" bash -n "$comp"

# "--name" for every entry of a command's longopts table, the common ones
# (CLI_COMMON_LONGOPTS) added.
common="--ascii --no-color --journal --no-journal"
longopts() {
	sed -n '/struct option longopts/,/};/p' "$top_srcdir/src/cli/cmd_$1.c" |
		grep -o '{"[a-z-]*"' | sed 's/{"/--/;s/"//'
	echo $common | tr ' ' '\n'
}
# The words the completion script offers for a command.
offered() {
	sed -n "s/^	$1) opts=\"\(.*\)\" ;;/\1/p" "$comp" | sed "s/\\\$common/$common/" | tr ' ' '\n'
}
for c in check match diff rebuild history report env; do
	is "options of $c" "$(offered $c | sort | tr '\n' ' ')" "$(longopts $c | sort | tr '\n' ' ')"
done

bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ] && command -v bash >/dev/null 2>&1; then
	mkdir -p "$TMP/d/cfgdir"
	: >"$TMP/d/a.mapeodata"
	: >"$TMP/d/b.mapeosettings"
	: >"$TMP/d/notes.txt"
	# complete LINE: what bash offers for the last word of LINE, sorted.
	complete_line() {
		(cd "$TMP/d" && bash --norc --noprofile -c '
			. "$1"; . "$2"
			read -ra COMP_WORDS <<<"$3"
			case $3 in *" ") COMP_WORDS+=("") ;; esac
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$3 COMP_POINT=${#3}
			_syncdoctor syncdoctor "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
			printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' sh "$bc" "$comp" "$1")
	}
	is "commands" "$(complete_line 'syncdoctor ma')" "match "
	is "check --c" "$(complete_line 'syncdoctor check --c')" "--config "
	is "rebuild --s" "$(complete_line 'syncdoctor rebuild --s')" "--salvage "
	is "--format values" "$(complete_line 'syncdoctor check --format ')" "json text yaml "
	is "check: sync files and folders" "$(complete_line 'syncdoctor check ')" "a.mapeodata cfgdir "
	is "--config: configurations and folders" "$(complete_line 'syncdoctor check --config ')" "b.mapeosettings cfgdir "
	is "diff: configurations and folders" "$(complete_line 'syncdoctor diff ')" "b.mapeosettings cfgdir "
else
	skip "completion in bash (bash-completion is not installed)"
fi
done_testing
