#!/bin/sh
# The binary speaks Spanish and Brazilian Portuguese.
. "$(dirname "$0")/lib.sh"
for l in es pt_BR; do
	mo=""
	for d in "$top_builddir/po" "$top_srcdir/po"; do
		[ -f "$d/$l.gmo" ] && mo="$d/$l.gmo" && break
	done
	if [ -z "$mo" ]; then
		fail "$l catalog was built"
		continue
	fi
	mkdir -p "$TMP/locale/$l/LC_MESSAGES"
	cp "$mo" "$TMP/locale/$l/LC_MESSAGES/syncdoctor.mo"
done
# gettext ignores LANGUAGE under the C locale: use a real one when it exists.
loc=""
for c in es_ES.UTF-8 es_ES.utf8 pt_BR.UTF-8 en_US.UTF-8 C.UTF-8; do
	if LC_ALL=$c sh -c 'locale 2>&1' | grep -q 'Cannot set'; then continue; fi
	loc=$c
	break
done
diag "using locale $loc"
out=$(LC_ALL=$loc LANGUAGE=es SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --help 2>&1)
case "$out" in *"Uso: syncdoctor"*) ok "Spanish --help" ;; *) fail "Spanish --help"; diag "$out" ;; esac
out=$(LC_ALL=$loc LANGUAGE=pt_BR SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" --help 2>&1)
case "$out" in *"Uso: syncdoctor"*"Comandos"*) ok "Portuguese --help" ;; *) fail "Portuguese --help"; diag "$out" ;; esac
out=$(LC_ALL=$loc LANGUAGE=es SYNCDOCTOR_LOCALEDIR="$TMP/locale" "$SYNCDOCTOR" check --config "$SD_TEST_DATA/config-A.v3-tar.mapeosettings" "$SD_TEST_DATA/good-project-A.mapeodata" 2>&1)
case "$out" in *"Paso 1 de 3"*) ok "Spanish report" ;; *) fail "Spanish report"; diag "$out" ;; esac
done_testing
