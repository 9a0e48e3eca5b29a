#!/bin/sh
# The binary speaks Spanish and Brazilian Portuguese.
. "$(dirname "$0")/lib.sh"
# The catalogs from the .po files as they are now (the .gmo files in po/
# are rebuilt only when the template changes), else the built .gmo files.
for l in es pt_BR; do
	mkdir -p "$TMP/locale/$l/LC_MESSAGES"
	mo=$TMP/locale/$l/LC_MESSAGES/syncdoctor.mo
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
