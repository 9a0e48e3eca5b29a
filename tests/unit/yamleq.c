/* yamleq: whether a YAML report holds the same data as a JSON report
 * (tests/yaml.sh drives it).
 *
 *   yamleq [-x KEY] FILE.yaml FILE.json
 *       exit 0 when the YAML, read with libyaml's parser, is one document
 *       equal to the JSON read with jansson; else 1 and both as JSON on
 *       stderr (2: unreadable). -x: without the top-level KEY in either
 *       (what changes between two runs, such as free disk space).
 *
 * libyaml parses; plain scalars are typed by the YAML 1.2 core schema
 * (null, booleans, integers, floats; everything quoted is a string), which
 * is what a YAML reader makes of syncdoctor's output; numbers are equal by
 * value (jansson writes a whole real as 3.0, YAML as 3). Written here rather
 * than with python3-yaml so that the tests need nothing more installed. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static bool next(yaml_parser_t *p, yaml_event_t *ev)
{
	if (yaml_parser_parse(p, ev))
		return true;
	fprintf(stderr, "yamleq: YAML error at line %zu: %s\n", p->problem_mark.line + 1,
	        p->problem ? p->problem : "?");
	return false;
}

/* A plain scalar as the core schema types it. */
static json_t *plain(const char *s)
{
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL"))
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	char *end;
	errno = 0;
	long long i = strtoll(s, &end, 10);
	if (!*end && !errno && strspn(s, "+-0123456789") == strlen(s))
		return json_integer(i);
	double d = strtod(s, &end);
	if (!*end && strspn(s, "+-.0123456789eE") == strlen(s))
		return json_real(d);
	return json_string(s);
}

/* The node that ev starts (ev is consumed); NULL on error. */
static json_t *node(yaml_parser_t *p, yaml_event_t *ev)
{
	json_t *j = NULL;
	yaml_event_t e;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		j = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
		        ? plain((const char *)ev->data.scalar.value)
		        : json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
		break;
	case YAML_SEQUENCE_START_EVENT:
		j = json_array();
		while (j && next(p, &e)) {
			if (e.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&e);
				break;
			}
			json_t *v = node(p, &e);
			if (!v || json_array_append_new(j, v)) {
				json_decref(j);
				j = NULL;
			}
		}
		break;
	case YAML_MAPPING_START_EVENT:
		j = json_object();
		while (j && next(p, &e)) {
			if (e.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e);
				break;
			}
			json_t *k = node(p, &e), *v = NULL;
			if (k && json_is_string(k) && next(p, &e))
				v = node(p, &e);
			if (!v || json_object_get(j, json_string_value(k)) ||
			    json_object_set_new(j, json_string_value(k), v)) {
				fprintf(stderr, "yamleq: a key that is no string, or twice\n");
				json_decref(j);
				j = NULL;
			}
			json_decref(k);
		}
		break;
	default: fprintf(stderr, "yamleq: unexpected YAML event %d\n", (int)ev->type); break;
	}
	yaml_event_delete(ev);
	return j;
}

/* json_equal(), but for numbers: an integer and a real of the same value
 * are one number (a real with no fraction, 3.0 in JSON, is 3 in YAML). */
static bool same(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach(a, k, v) if (!json_object_get(b, k) ||
		                                 !same(v, json_object_get(b, k))) return false;
		return true;
	}
	return json_equal(a, b);
}

/* The one document of the stream in f. */
static json_t *read_yaml(FILE *f)
{
	yaml_parser_t p;
	yaml_event_t ev;
	json_t *j = NULL;
	if (!yaml_parser_initialize(&p))
		return NULL;
	yaml_parser_set_input_file(&p, f);
	int docs = 0;
	bool ok = true;
	while (ok && next(&p, &ev)) {
		yaml_event_type_t t = ev.type;
		if (t == YAML_DOCUMENT_START_EVENT)
			docs++;
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT) {
			json_decref(j);
			j = node(&p, &ev);
			ok = j != NULL;
			continue;
		}
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	if (docs != 1) {
		fprintf(stderr, "yamleq: %d documents, not one\n", docs);
		json_decref(j);
		return NULL;
	}
	return j;
}

int main(int argc, char **argv)
{
	const char *skip = NULL;
	if (argc == 5 && !strcmp(argv[1], "-x")) {
		skip = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: yamleq [-x KEY] FILE.yaml FILE.json\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	json_t *y = read_yaml(f);
	fclose(f);
	json_error_t err;
	json_t *j = json_load_file(argv[2], 0, &err);
	if (!y || !j) {
		if (!j)
			fprintf(stderr, "yamleq: %s: %s\n", argv[2], err.text);
		json_decref(y);
		json_decref(j);
		return 2;
	}
	if (skip && json_is_object(y) && json_is_object(j)) {
		json_object_del(y, skip);
		json_object_del(j, skip);
	}
	int rc = same(y, j) ? 0 : 1;
	if (rc) {
		char *a = json_dumps(y, JSON_INDENT(1) | JSON_PRESERVE_ORDER),
		     *b = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fprintf(stderr, "yamleq: they differ\n--- YAML\n%s\n--- JSON\n%s\n", a, b);
		free(a);
		free(b);
	}
	json_decref(y);
	json_decref(j);
	return rc;
}
