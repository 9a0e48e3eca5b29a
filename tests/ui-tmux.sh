#!/bin/sh
# Smoke test on a real terminal: the wizard in an 80x24 tmux pane, keys
# sent with send-keys, the screen read back with capture-pane.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
	skip "tmux is not installed"
	done_testing
	exit 0
fi
W=$TMP/work
mkdir -p "$W/home" "$W/tmp" "$W/etc"
cp "$SD_TEST_DATA/good-project-A.mapeodata" "$SD_TEST_DATA/config-A.v3-tar.mapeosettings" "$W/"
chmod u+w "$W"/*
SOCK=$TMP/tmux.sock
# remain-on-exit from the server's start, so a program that ends at once
# still leaves its last screen (and EXIT=N) to read back.
printf 'set-option -g remain-on-exit on\n' >"$TMP/tmux.conf"
T() { tmux -S "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# start NAME COMMAND: a detached 80x24 session running COMMAND in $W. The
# shell then waits for a line no test sends, so the pane stays alive: tmux
# marks a dead pane's cursor hidden when it writes "Pane is dead", and the
# cursor the program left behind could no longer be read (term below).
start() {
	T -f "$TMP/tmux.conf" new-session -d -s "$1" -x 80 -y 24 \
		"cd '$W' && env HOME='$W/home' XDG_STATE_HOME='$W/home/.local/state' SYNCDOCTOR_SYSROOT='$W' SYNCDOCTOR_TMPDIRS='$W/tmp' SYNCDOCTOR_SYSCONFDIR='$W/etc' SYNCDOCTOR_VERSIONS='$top_srcdir/data/mapeo-versions.yaml' LC_ALL=C.UTF-8 $2; echo \"EXIT=\$?\"; read -r _"
}
screen() { T capture-pane -p -t "$1"; }
# wait_for NAME TEXT: until TEXT is on the screen. The limit only stops a
# hung wizard; a loaded machine (sanitizers, qemu) may take long to draw.
wait_limit=${SD_UI_WAIT:-300}
wait_for() {
	end=$(($(date +%s) + wait_limit))
	while [ "$(date +%s)" -le "$end" ]; do
		if screen "$1" | grep -q -- "$2"; then return 0; fi
		sleep 0.2
	done
	diag "waited ${wait_limit}s for: $2" "$(screen "$1")"
	return 1
}
# wait_gone NAME TEXT: until TEXT has left the screen.
wait_gone() {
	end=$(($(date +%s) + wait_limit))
	while [ "$(date +%s)" -le "$end" ]; do
		if ! screen "$1" | grep -q -- "$2"; then return 0; fi
		sleep 0.2
	done
	diag "waited ${wait_limit}s for this to go: $2" "$(screen "$1")"
	return 1
}

start wiz "TERM=screen '$SYNCDOCTOR' good-project-A.mapeodata"
check "tmux: the welcome screen" wait_for wiz "Welcome to syncdoctor"
check "tmux: step 1 of 7" wait_for wiz "Step 1 of 7"
T send-keys -t wiz Enter
check "tmux: the configuration step" wait_for wiz "1) Proyecto A 1.2.0"
T send-keys -t wiz 1
check "tmux: MATCH" wait_for wiz "MATCH: SAME PROJECT"
T send-keys -t wiz '?'
check "tmux: the help window" wait_for wiz "Press any key to go back"
T send-keys -t wiz Escape
# Escape closes the help; the next key must reach the step, not the help.
check "tmux: Escape closes the help window" wait_gone wiz "Press any key to go back"
T send-keys -t wiz n
check "tmux: the version step" wait_for wiz "Check 2 of 3: Version"
T resize-window -t wiz -x 60 -y 20 >/dev/null 2>&1
check "tmux: too small at 60x20" wait_for wiz "The terminal is too small"
T resize-window -t wiz -x 80 -y 24 >/dev/null 2>&1
check "tmux: back after the resize" wait_for wiz "Check 2 of 3: Version"
T send-keys -t wiz Enter
check "tmux: the corruption step" wait_for wiz "NO DAMAGE FOUND"
T send-keys -t wiz Enter
check "tmux: the summary" wait_for wiz "NO PROBLEMS FOUND"
T send-keys -t wiz q
check "tmux: quit asks first" wait_for wiz "Quit syncdoctor now?"
T send-keys -t wiz y
check "tmux: exit status 0 and the terminal restored" wait_for wiz "EXIT=0"

# l over a dialog on the "too small" screen goes on in line mode, as that
# screen says (the dialog, here the path field, kept every key but end of
# input and Escape)
start smalldlg "TERM=screen '$SYNCDOCTOR' good-project-A.mapeodata"
wait_for smalldlg "Welcome to syncdoctor" >/dev/null
T send-keys -t smalldlg Enter
wait_for smalldlg "1) Proyecto A 1.2.0" >/dev/null
T send-keys -t smalldlg 2
check "tmux small dialog: the path field" wait_for smalldlg "Tab complete"
T send-keys -t smalldlg x y z
T resize-window -t smalldlg -x 60 -y 20 >/dev/null 2>&1
check "tmux small dialog: too small at 60x20" wait_for smalldlg "The terminal is too small"
T send-keys -t smalldlg l
check "tmux small dialog: l goes on in line mode" wait_for smalldlg "=== Step [0-9] of 7"
T send-keys -t smalldlg C-d
check "tmux small dialog: end of input quits" wait_for smalldlg "EXIT=130"

start dumb "TERM=dumb '$SYNCDOCTOR' good-project-A.mapeodata"
check "tmux: TERM=dumb runs the line mode" wait_for dumb "=== Step 1 of 7: Welcome to syncdoctor ==="
T send-keys -t dumb C-d
check "tmux: Ctrl-D (end of input) quits" wait_for dumb "EXIT=130"

start unknown "TERM=no-such-terminal LSAN_OPTIONS=suppressions='$top_srcdir/tests/ui/lsan.supp' '$SYNCDOCTOR' good-project-A.mapeodata"
check "tmux: an unknown TERM runs the line mode" wait_for unknown "=== Step 1 of 7"
T send-keys -t unknown C-d
check "tmux: end of input quits" wait_for unknown "EXIT=130"

start ascii "TERM=screen '$SYNCDOCTOR' --ascii good-project-A.mapeodata"
check "tmux: --ascii draws with ASCII" wait_for ascii "^--------"
T send-keys -t ascii q
check "tmux: q on the welcome quits at once" wait_for ascii "EXIT=130"

# term NAME: "ALT CURSOR" of the pane (1 0 while curses has the screen,
# 0 1 once the terminal is given back)
term() { T display-message -p -t "$1" '#{alternate_on} #{cursor_flag}'; }

# Ctrl-C on the quit question quits at once (it used to loop forever,
# ignoring y) and gives the terminal back.
start intr "TERM=screen '$SYNCDOCTOR' good-project-A.mapeodata"
wait_for intr "Welcome to syncdoctor" >/dev/null
T send-keys -t intr Enter
wait_for intr "1) Proyecto A 1.2.0" >/dev/null
T send-keys -t intr 1
wait_for intr "MATCH: SAME PROJECT" >/dev/null
T send-keys -t intr q
check "tmux Ctrl-C: the quit question" wait_for intr "Quit syncdoctor now?"
T send-keys -t intr C-c
check "tmux Ctrl-C: exit status 130" wait_for intr "EXIT=130"
is "tmux Ctrl-C: alternate screen off, cursor shown" "$(term intr)" "0 1"

# Ctrl-\ (SIGQUIT) ends at once, from the signal handler: the terminal
# is put back there (modes, cursor, alternate screen).
# pid NAME: the syncdoctor process of the pane (its shell's child)
pid() { ps -o pid= --ppid "$(T display-message -p -t "$1" '#{pane_pid}')" | tr -d ' ' | head -1; }
# killed NAME SIGNAL STATUS: the wizard on its welcome screen gets SIGNAL
# from another program, ends with STATUS, and the terminal is given back.
killed() {
	start "$1" "ulimit -c 0; TERM=screen '$SYNCDOCTOR' good-project-A.mapeodata"
	wait_for "$1" "Welcome to syncdoctor" >/dev/null
	is "tmux $2: curses has the screen" "$(term "$1")" "1 0"
	p=$(pid "$1")
	[ -n "$p" ] && kill -"$2" "$p"
	check "tmux $2: exit status $3" wait_for "$1" "EXIT=$3"
	is "tmux $2: alternate screen off, cursor shown" "$(term "$1")" "0 1"
}
killed sigquit QUIT 131
# SIGTERM and SIGHUP: the wizard leaves cleanly, as for Ctrl-C.
killed sigterm TERM 130
killed sighup HUP 130

# Keys as escape sequences the terminfo entry does not name (PuTTY's
# Home and End under TERM=xterm, an unknown one): decoded or dropped,
# never Esc (Back) plus text typed into a field.
start keys "TERM=xterm '$SYNCDOCTOR'"
wait_for keys "Welcome to syncdoctor" >/dev/null
T send-keys -t keys Enter
check "tmux keys: the file step" wait_for keys "Type a path"
n=$(screen keys | sed -n 's/^.* \([0-9]\)) Type a path.*/\1/p' | head -1)
T send-keys -t keys "${n:-1}"
check "tmux keys: the path field" wait_for keys "Tab complete a name"
T send-keys -t keys -l abc
T send-keys -t keys -H 1b 5b 31 7e # ESC [ 1 ~ : Home (PuTTY, linux)
T send-keys -t keys -l X
T send-keys -t keys -H 1b 5b 34 7e # ESC [ 4 ~ : End
T send-keys -t keys -l Y
T send-keys -t keys -H 1b 5b 39 39 7e # ESC [ 9 9 ~ : unknown
T send-keys -t keys -H 1b 5b 44 # ESC [ D : Left
T send-keys -t keys -l Z
check "tmux keys: Home and End edit, nothing typed from a sequence" wait_for keys "XabcZY"
check "tmux keys: the field is still open" wait_for keys "Tab complete a name"
T send-keys -t keys Escape
check "tmux keys: a lone Esc still cancels" wait_for keys "Type a path"
T send-keys -t keys -H 1b 5b 31 31 7e # ESC [ 1 1 ~ : F1 (PuTTY)
check "tmux keys: PuTTY's F1 opens the help" wait_for keys "Press any key to go back"
T send-keys -t keys q
T send-keys -t keys q
check "tmux keys: q quits" wait_for keys "EXIT="

done_testing
