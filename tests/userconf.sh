#!/bin/sh
# syncdoctor's configuration file: the system file, then the user's, then
# the command line; unknown keys and wrong types are warnings with a line.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
A=$D/good-project-A.mapeodata
SYNCDOCTOR_SYSCONFDIR=$TMP/etc
XDG_CONFIG_HOME=$TMP/cfg
XDG_STATE_HOME=$TMP/state
export SYNCDOCTOR_SYSCONFDIR XDG_CONFIG_HOME XDG_STATE_HOME
SYS=$TMP/etc/syncdoctor/config.yaml
USR=$TMP/cfg/syncdoctor/config.yaml
mkdir -p "$TMP/etc/syncdoctor" "$TMP/cfg/syncdoctor"

printf 'journal: %s\n' "$TMP/sys.sqlite" >"$SYS"
status "system file only" 0 "$SYNCDOCTOR" check "$A"
check "its journal is used" test -f "$TMP/sys.sqlite"
is "no warnings" "$(cat "$TMP/err")" ""

printf '# mine\njournal: %s\n' "$TMP/user.sqlite" >"$USR"
status "the user's file overrides it" 0 "$SYNCDOCTOR" check "$A"
check "the user's journal is used" test -f "$TMP/user.sqlite"
"$SYNCDOCTOR" history --format json >"$TMP/h.json"
is "history reads the configured journal" "$(jq -r .journal "$TMP/h.json")" "$TMP/user.sqlite"
is "and the system journal got nothing more" "$(jq '.checks | length' "$TMP/h.json")" 1

printf 'journal: %s\n' "$TMP/named.sqlite" >"$TMP/named.yaml"
SYNCDOCTOR_CONFIG=$TMP/named.yaml "$SYNCDOCTOR" check "$A" >/dev/null 2>&1
check "SYNCDOCTOR_CONFIG replaces the user's file" test -f "$TMP/named.sqlite"
status "--journal beats both" 0 "$SYNCDOCTOR" check --journal "$TMP/cli.sqlite" "$A"
check "the command line's journal is used" test -f "$TMP/cli.sqlite"

printf 'journal: relative/j.sqlite\n' >"$USR"
"$SYNCDOCTOR" check "$A" >/dev/null 2>&1
check "relative paths are relative to the file" test -f "$TMP/cfg/syncdoctor/relative/j.sqlite"

printf 'journal: false\n' >"$USR"
rm -f "$TMP/sys.sqlite"
status "journal: false" 0 "$SYNCDOCTOR" check "$A"
check "no journal at all" test ! -e "$TMP/sys.sqlite"
status "--journal turns it back on" 0 "$SYNCDOCTOR" check --journal "$TMP/again.sqlite" "$A"
check "there" test -f "$TMP/again.sqlite"

# Mapeo Desktop's data folder from the file: its configuration is compared.
mkdir -p "$TMP/ud/presets"
cp -R "$D/desktop-userdata-A/presets/default" "$TMP/ud/presets/"
cat >"$USR" <<EOF2
# a comment
mapeo_userdata: $TMP/ud
journal: false
EOF2
HOME=$TMP/emptyhome "$SYNCDOCTOR" check --format json "$D/good-project-B.mapeodata" >"$TMP/b.json"
is "mapeo_userdata is used" "$(jq -r '[.config.name, .config.match] | join(" ")' "$TMP/b.json")" "Proyecto A false"
check "from that folder" sh -c "jq -r .config.path '$TMP/b.json' | grep -q '^$TMP/ud/presets/default'"

# config_search: where match looks when no configuration is given.
printf 'journal: false\nconfig_search:\n  - %s\n' "$D" >"$USR"
status "match without CFG uses config_search" 0 "$SYNCDOCTOR" match --format json "$A"
is "and finds A's configuration there" "$(jq -r '.matches | index("'"$D"'/config-A.v3-tar.mapeosettings") != null' "$TMP/out")" true
rm -f "$USR"
status "without config_search it still needs one" 1 "$SYNCDOCTOR" match "$A"

# Problems in a file: warnings naming file and line; everything else applies.
cat >"$USR" <<EOF2
journal: $TMP/warn.sqlite

colour: true
ascii: sometimes
config_search: $TMP
language:
  - es
EOF2
status "problems in the file are not fatal" 0 "$SYNCDOCTOR" check "$A"
check "the valid key still applies" test -f "$TMP/warn.sqlite"
check "unknown key, with its line" grep -q "^syncdoctor: warning: $USR:3: unknown key 'colour'" "$TMP/err"
check "a wrong boolean, with its line" grep -q "^syncdoctor: warning: $USR:4: 'ascii' must be true or false, not 'sometimes'" "$TMP/err"
check "a list expected, with its line" grep -q "^syncdoctor: warning: $USR:5: 'config_search' must be a list" "$TMP/err"
check "a value expected, with its line" grep -q "^syncdoctor: warning: $USR:7: 'language' must be a single value" "$TMP/err"
is "four warnings" "$(grep -c warning "$TMP/err")" 4

printf 'journal: %s\nascii: [true\n' "$TMP/bad.sqlite" >"$USR"
status "broken YAML is not fatal" 0 "$SYNCDOCTOR" check "$A"
check "it says where" grep -q "^syncdoctor: warning: $USR:[23]: not valid YAML" "$TMP/err"
check "and the file is ignored" test ! -e "$TMP/bad.sqlite"
printf -- '- a list\n- at the top\n' >"$USR"
status "a list at the top" 0 "$SYNCDOCTOR" --no-journal check "$A"
check "is refused with its line" grep -q "$USR:1: the file must be" "$TMP/err"

# The shipped example is valid and every key in it is known.
rm -f "$USR" "$SYS"
sed -e 's/^# //' -e "s|^journal:.*|journal: $TMP/example.sqlite|" -e 's/^language:.*/language: en/' \
	"$top_srcdir/contrib/config.yaml" >"$SYS"
status "contrib/config.yaml loads" 0 "$SYNCDOCTOR" check "$A"
is "without a warning" "$(cat "$TMP/err")" ""
check "its settings apply" test -f "$TMP/example.sqlite"
for k in mapeo_userdata config_search journal language color ascii log_dir version_table; do
	check "the example documents $k" grep -q "^# $k:" "$top_srcdir/contrib/config.yaml"
done
done_testing
