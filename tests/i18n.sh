#!/bin/sh
# The binary speaks Spanish and Brazilian Portuguese.
. "$(dirname "$0")/lib.sh"
# The catalogs from the .po files as they are now (the .gmo files in po/
# are rebuilt only when the template changes), with the translations not
# yet folded into them (po/pending/*.LANG.po, first), else the built .gmo
# files; pending=1 when those translations are in the catalogs.
pending=1
for l in es pt_BR; do
	mkdir -p "$TMP/locale/$l/LC_MESSAGES"
	mo=$TMP/locale/$l/LC_MESSAGES/syncdoctor.mo
	set -- "$top_srcdir"/po/pending/*."$l".po
	[ -f "$1" ] || set --
	if [ $# -gt 0 ] && command -v msgcat >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1 &&
		msgcat --use-first -o "$TMP/$l.po" "$@" "$top_srcdir/po/$l.po" &&
		msgfmt -o "$mo" "$TMP/$l.po"; then
		continue
	fi
	[ $# -eq 0 ] || pending=0
	if command -v msgfmt >/dev/null 2>&1 && msgfmt -o "$mo" "$top_srcdir/po/$l.po"; then
		continue
	fi
	for d in "$top_builddir/po" "$top_srcdir/po"; do
		[ -f "$d/$l.gmo" ] && cp "$d/$l.gmo" "$mo" && break
	done
	[ -f "$mo" ] || fail "$l catalog was built"
done
# The real path a user takes is LANG=es_ES.UTF-8 (pt_BR.UTF-8). The
# system's locale is used when it exists (contrib/install-deps makes both);
# a locale the machine lacks is built for this test only, into a LOCPATH of
# its own: LOCPATH replaces the system's locales, so it is set only for the
# runs of the locale built there, never for one the system has.
# gettext ignores LANGUAGE under plain C, so C.UTF-8 is the last resort.
# with_locale L COMMAND...: COMMAND under LANG=L.UTF-8 (and the private
# LOCPATH when L had to be built); exit 125 when L cannot be had.
with_locale() {
	l=$1
	shift
	if LC_ALL=$l.UTF-8 locale 2>&1 | grep -q 'Cannot set'; then
		if [ ! -d "$TMP/locales/$l/$l.UTF-8" ]; then
			mkdir -p "$TMP/locales/$l"
			command -v localedef >/dev/null 2>&1 &&
				localedef -i "$l" -f UTF-8 "$TMP/locales/$l/$l.UTF-8" >/dev/null 2>&1
		fi
		if ! LOCPATH=$TMP/locales/$l LC_ALL=$l.UTF-8 locale 2>&1 | grep -q 'Cannot set' &&
			[ -d "$TMP/locales/$l/$l.UTF-8" ]; then
			env LOCPATH="$TMP/locales/$l" LC_ALL= LANGUAGE= LANG=$l.UTF-8 "$@"
			return
		fi
		return 125
	fi
	env LC_ALL= LANGUAGE= LANG=$l.UTF-8 "$@"
}
# no_locale NAME: a skip, or a failure where the locales were installed
# for the run (tests/run-all sets SYNCDOCTOR_REQUIRE_LOCALES=1).
no_locale() {
	if [ -n "${SYNCDOCTOR_REQUIRE_LOCALES:-}" ]; then
		fail "$1"
		diag "the locale is missing, though contrib/install-deps installs it"
	else
		skip "$1 (the locale cannot be made here)"
	fi
}
out=$(with_locale es_ES env SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --version 2>&1)
if [ $? -eq 125 ]; then
	no_locale "LANG=es_ES.UTF-8 --version"
	no_locale "Spanish usage error"
else
	case "$out" in *"Licencia GPLv3+"*) ok "LANG=es_ES.UTF-8 --version" ;; *) fail "LANG=es_ES.UTF-8 --version"; diag "$out" ;; esac
	out=$(with_locale es_ES env SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --bogus 2>&1)
	case "$out" in *"--bogus"*) case "$out" in *"unrecognized"*) fail "Spanish usage error"; diag "$out" ;; *) ok "Spanish usage error" ;; esac ;; *) fail "Spanish usage error"; diag "$out" ;; esac
fi
out=$(with_locale pt_BR env SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --help 2>&1)
if [ $? -eq 125 ]; then
	no_locale "LANG=pt_BR.UTF-8 --help"
else
	case "$out" in *"Comandos:"*) ok "LANG=pt_BR.UTF-8 --help" ;; *) fail "LANG=pt_BR.UTF-8 --help"; diag "$out" ;; esac
fi
loc=C.UTF-8
out=$(LC_ALL=$loc LANGUAGE=es SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --help 2>&1)
case "$out" in *"Uso: syncdoctor"*) ok "Spanish --help" ;; *) fail "Spanish --help"; diag "$out" ;; esac
out=$(LC_ALL=$loc LANGUAGE=pt_BR SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --help 2>&1)
case "$out" in *"Uso: syncdoctor"*"Comandos"*) ok "Portuguese --help" ;; *) fail "Portuguese --help"; diag "$out" ;; esac
out=$(LC_ALL=$loc LANGUAGE=es SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" check --config "$SD_TEST_DATA/config-A.v3-tar.mapeosettings" "$SD_TEST_DATA/good-project-A.mapeodata" 2>&1)
case "$out" in *"Paso 1 de 3"*) ok "Spanish report" ;; *) fail "Spanish report"; diag "$out" ;; esac
# A count of 1 reads in the singular (P_, ngettext), in English and in
# Spanish, and 2 in the plural: bytes (one zero byte left after the index
# of a copy cut short), releases (a version table of one), feeds (a
# database left by an interrupted sync with one feed), characters (a
# project key of one).
D=$SD_TEST_DATA
# plural_is NAME LANGUAGE WANT COMMAND...: COMMAND's output (JSON findings'
# messages and details, or text) under LANGUAGE holds WANT
plural_is() {
	n=$1 lg=$2 want=$3
	shift 3
	out=$(LC_ALL=$loc LANGUAGE=$lg SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$@" 2>&1)
	case "$out" in *"$want"*) ok "$n" ;; *) fail "$n"; diag "$out" ;; esac
}
cut_trailer() { # N OUT: project B cut N bytes after its index's padding
	# the index is the last data: its end, padded to a 512-byte block
	end=$(od -An -v -tu1 "$D/good-project-B.mapeodata" | tr -s ' ' '\n' | grep -v '^$' |
		awk '$1 != 0 { e = NR } END { print e }')
	head -c $(((end + 511) / 512 * 512 + $1)) "$D/good-project-B.mapeodata" >"$2"
}
msgs() { "$SYNCDOCTOR" check --no-environment --no-config --format json "$1" | jq -r '.findings[] | .message, (.detail // empty)'; }
if command -v jq >/dev/null 2>&1; then
	cut_trailer 1 "$TMP/z1.mapeodata"
	cut_trailer 2 "$TMP/z2.mapeodata"
	for lg in en es; do
		if [ $lg = es ] && [ $pending = 0 ]; then
			skip "Spanish plurals (po/pending not folded and no msgcat)"
			continue
		fi
		case $lg in
		en) w1="after the index there is 1 zero byte instead of 1024" w2="after the index there are 2 zero bytes instead of 1024" ;;
		es) w1="después del índice hay 1 byte cero en lugar de 1024" w2="después del índice hay 2 bytes cero en lugar de 1024" ;;
		esac
		plural_is "$lg: 1 zero byte after the index" $lg "$w1" msgs "$TMP/z1.mapeodata"
		plural_is "$lg: 2 zero bytes after the index" $lg "$w2" msgs "$TMP/z2.mapeodata"
	done
else
	skip "plurals of a cut trailer (no jq)"
fi
sed -n '/^format:/,/^$/p' "$top_srcdir/data/mapeo-versions.yaml" >"$TMP/one.yaml"
sed -n '/^format:/,$p' "$top_srcdir/data/mapeo-versions.yaml" >"$TMP/all.yaml"
plural_is "en: a version table of 1 release" en "Version table: $TMP/one.yaml (1 release)" "$SYNCDOCTOR" env --versions "$TMP/one.yaml"
if [ $pending = 1 ]; then
	plural_is "es: a version table of 1 release" es "Tabla de versiones: $TMP/one.yaml (1 versión)" "$SYNCDOCTOR" env --versions "$TMP/one.yaml"
	plural_is "es: a version table of several releases" es "versiones)" "$SYNCDOCTOR" env --versions "$TMP/all.yaml"
else
	skip "es: a version table of 1 release (po/pending not folded and no msgcat)"
fi
mkdir -p "$TMP/cfg1"
printf '{"name":"x","projectKey":"a"}\n' >"$TMP/cfg1/metadata.json"
plural_is "en: a project key of 1 character" en "this one is 1 character long" "$SYNCDOCTOR" check --no-environment --config "$TMP/cfg1" --format json "$D/good-project-B.mapeodata"
MKDB=${top_builddir}/tests/unit/mkdb
if [ -x "$MKDB" ] && command -v jq >/dev/null 2>&1; then
	# the temporary folders looked in are this test's own (tests/lib.sh)
	"$MKDB" --temp "$D/edge-empty-device-A.mapeodata" "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-4242" || fail "mkdb --temp"
	left() { "$SYNCDOCTOR" check --no-config --format json "$D/edge-empty-device-A.mapeodata" | jq -r '.findings[] | select(.code == "leftover-temp-database") | "detail: \(.detail)|"'; }
	plural_is "en: a leftover database of 1 feed" en "detail: 1 feed|" left
	if [ $pending = 1 ]; then
		plural_is "es: a leftover database of 1 feed" es "detail: 1 dispositivo|" left
		case "$out" in *"dispositivos"*) fail "es: 1 feed is not 'dispositivos'"; diag "$out" ;; *) ok "es: 1 feed is not 'dispositivos'" ;; esac
	else
		skip "es: a leftover database of 1 feed (po/pending not folded and no msgcat)"
	fi
else
	skip "a leftover database of 1 feed (mkdb not built, or no jq)"
fi
# An uninstalled build (README's first command) finds the catalogues in
# the locale tree the build makes beside the binary (issue 17), by its own
# location: no SYNCDOCTOR_LOCALEDIR, nothing installed.
if [ -d "$top_builddir/po/locale/es/LC_MESSAGES" ]; then
	out=$(env -u SYNCDOCTOR_LOCALEDIR LC_ALL=$loc LANGUAGE=es "$top_builddir/syncdoctor" --help 2>&1)
	case "$out" in *"Uso: syncdoctor"*) ok "uninstalled build: Spanish" ;; *) fail "uninstalled build: Spanish"; diag "$out" ;; esac
	out=$(env -u SYNCDOCTOR_LOCALEDIR LC_ALL=$loc LANGUAGE=pt_BR "$top_builddir/syncdoctor" --help 2>&1)
	case "$out" in *"Uso: syncdoctor"*"Comandos"*) ok "uninstalled build: Portuguese" ;; *) fail "uninstalled build: Portuguese"; diag "$out" ;; esac
	# a copy elsewhere has no tree beside it: English, not the build's
	# (under qemu-user the program is a script that runs the binary where
	# it was built, so a copy of it proves nothing)
	if [ "$(od -An -c -N4 "$top_builddir/syncdoctor" | tr -d ' ')" = '177ELF' ]; then
		cp "$top_builddir/syncdoctor" "$TMP/sd-copy"
		out=$(env -u SYNCDOCTOR_LOCALEDIR LC_ALL=$loc LANGUAGE=es "$TMP/sd-copy" --help 2>&1)
		case "$out" in *"Usage: syncdoctor"*) ok "no tree beside the binary: the installed catalogues only" ;; *) fail "no tree beside the binary"; diag "$out" ;; esac
	else
		skip "no tree beside the binary (the program is a wrapper script here)"
	fi
else
	skip "uninstalled build: no po/locale tree (msgfmt missing)"
fi
done_testing
