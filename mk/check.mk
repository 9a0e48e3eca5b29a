# mk/check.mk: the diagnosis pipeline, reports, and 'syncdoctor check'.
syncdoctor_SOURCES += src/cli/cmd_check.c
TESTS += tests/torn.sh tests/file-end.sh tests/file-damage.sh tests/index-tail.sh tests/advice-warnings.sh tests/scripts.sh
EXTRA_DIST += tests/torn.sh tests/file-end.sh tests/file-damage.sh tests/index-tail.sh tests/advice-warnings.sh tests/scripts.sh
# The YAML reports read back with libyaml: the same data as the JSON ones.
check_PROGRAMS += tests/unit/yamleq
tests_unit_yamleq_SOURCES = tests/unit/yamleq.c
TESTS += tests/yaml.sh
EXTRA_DIST += tests/yaml.sh
