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

# start NAME COMMAND: a detached 80x24 session running COMMAND in $W
start() {
	T -f "$TMP/tmux.conf" new-session -d -s "$1" -x 80 -y 24 \
		"cd '$W' && env HOME='$W/home' XDG_STATE_HOME='$W/home/.local/state' SYNCDOCTOR_SYSROOT='$W' SYNCDOCTOR_TMPDIRS='$W/tmp' SYNCDOCTOR_SYSCONFDIR='$W/etc' SYNCDOCTOR_VERSIONS='$top_srcdir/data/mapeo-versions.yaml' LC_ALL=C.UTF-8 $2; echo \"EXIT=\$?\""
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
check "tmux: step 1 of 6" wait_for wiz "Step 1 of 6"
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

start dumb "TERM=dumb '$SYNCDOCTOR' good-project-A.mapeodata"
check "tmux: TERM=dumb runs the line mode" wait_for dumb "=== Step 1 of 6: Welcome to syncdoctor ==="
T send-keys -t dumb C-d
check "tmux: Ctrl-D (end of input) quits" wait_for dumb "EXIT=130"

start unknown "TERM=no-such-terminal LSAN_OPTIONS=suppressions='$top_srcdir/tests/ui/lsan.supp' '$SYNCDOCTOR' good-project-A.mapeodata"
check "tmux: an unknown TERM runs the line mode" wait_for unknown "=== Step 1 of 6"
T send-keys -t unknown C-d
check "tmux: end of input quits" wait_for unknown "EXIT=130"

start ascii "TERM=screen '$SYNCDOCTOR' --ascii good-project-A.mapeodata"
check "tmux: --ascii draws with ASCII" wait_for ascii "^--------"
T send-keys -t ascii q
check "tmux: q on the welcome quits at once" wait_for ascii "EXIT=130"

done_testing
