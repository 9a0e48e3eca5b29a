#include "config.h"

#include "configuration.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "strbuf.h"
#include "tar.h"
#include "xalloc.h"
#include "zip.h"

#define MAX_MEMBER_BYTES (64u << 20)
#define MAX_MEMBERS      20000

const char *cfg_container_name(cfg_container c)
{
	return c == CFG_TAR ? "tar" : c == CFG_ZIP ? "zip" : "folder";
}

static bool is_config_dir(const char *path)
{
	char *m = xasprintf("%s/metadata.json", path);
	struct stat st;
	bool r = stat(m, &st) == 0 && S_ISREG(st.st_mode);
	free(m);
	return r;
}

static void search_add(char *p, size_t max, char ***list, size_t *n, size_t *cap)
{
	char real[PATH_MAX], other[PATH_MAX];
	bool dup = !realpath(p, real);
	for (size_t i = 0; i < *n && !dup; i++)
		dup = realpath((*list)[i], other) && strcmp(other, real) == 0;
	if (dup || *n >= max) {
		free(p);
		return;
	}
	SD_GROW(*list, *cap, *n + 1);
	(*list)[(*n)++] = p;
}

void cfg_search(const char *dir, int depth, size_t max, char ***list, size_t *n, size_t *cap)
{
	if (is_config_dir(dir)) {
		search_add(xstrdup(dir), max, list, n, cap);
		return;
	}
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && *n < max) {
		if (de->d_name[0] == '.')
			continue;
		char *p = strcmp(dir, ".") == 0 ? xstrdup(de->d_name)
		                                : xasprintf("%s/%s", dir, de->d_name);
		struct stat ls, st;
		size_t len = strlen(de->d_name), sl = strlen(".mapeosettings");
		if (lstat(p, &ls) != 0) {
			free(p);
		} else if (S_ISDIR(ls.st_mode)) {
			if (is_config_dir(p))
				search_add(p, max, list, n, cap);
			else {
				if (depth > 0)
					cfg_search(p, depth - 1, max, list, n, cap);
				free(p);
			}
		} else if (len > sl && strcmp(de->d_name + len - sl, ".mapeosettings") == 0 &&
		           stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			search_add(p, max, list, n, cap);
		} else {
			free(p);
		}
	}
	closedir(d);
}

bool cfg_same_project(const mapeo_config *c, const char *file_dk)
{
	if (c && c->has_key && !c->discovery_key[0])
		return false;
	const char *ours = c && c->has_key ? c->discovery_key : "";
	return strcmp(ours, file_dk ? file_dk : "") == 0;
}

char *cfg_title(const mapeo_config *c)
{
	if (c->name && c->version)
		return xasprintf("%s %s", c->name, c->version);
	if (c->name)
		return xstrdup(c->name);
	return xstrdup(_("(no name)"));
}

static char *dup_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void add_member(mapeo_config *c, size_t *cap, const char *name, const uint8_t *data,
                       size_t len)
{
	SD_GROW(c->members, *cap, c->n_members + 1);
	cfg_member *m = &c->members[c->n_members++];
	m->name = xstrdup(name);
	m->size = len;
	m->crc = (uint32_t)crc32(0L, data, (uInt)len);
}

static json_t *parse_json(const char *path, const char *member, const uint8_t *d, size_t len,
                          findings *fl)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)d, len, 0, &je);
	if (!j) {
		finding *f = fnd_add(fl, FND_CONFIG_DAMAGED,
		                     _("%s: %s is not valid JSON (line %d, column %d: %s)"), path,
		                     member, je.line, je.column, je.text);
		fnd_set_member(f, member);
	}
	return j;
}

/* JSON objects with a repeated name are legal to most parsers, which keep
 * the last value (JavaScript's JSON.parse and jansson alike) but others
 * keep the first. Every projectKey value is a secret to mask, and more than
 * one is worth saying: a tool may not use the key Mapeo uses. The scan is a
 * plain look for the quoted name followed by a colon and a string. */
static void scan_project_keys(mapeo_config *c, const uint8_t *d, size_t len, findings *fl)
{
	static const char name[] = "\"projectKey\"";
	size_t n = 0;
	for (size_t i = 0; i + sizeof name - 1 < len; i++) {
		if (memcmp(d + i, name, sizeof name - 1) != 0)
			continue;
		size_t j = i + sizeof name - 1;
		while (j < len && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r' || d[j] == '\n'))
			j++;
		if (j >= len || d[j] != ':')
			continue;
		j++;
		while (j < len && (d[j] == ' ' || d[j] == '\t' || d[j] == '\r' || d[j] == '\n'))
			j++;
		n++;
		if (j >= len || d[j] != '"')
			continue;
		size_t k = ++j;
		while (k < len && d[k] != '"' && d[k] != '\\' && k - j < 4096)
			k++;
		char *v = xstrndup((const char *)d + j, k - j);
		keys_note_secret(v);
		free(v);
	}
	if (n > 1) {
		finding *f =
		    fnd_add(fl, FND_CONFIG_INVALID_KEY,
		            _("%s: metadata.json has %zu projectKey values; syncdoctor and "
		              "Mapeo use the last one, but other tools may use another: "
		              "keep only one and build the configuration again"),
		            c->path, n);
		fnd_set_member(f, "metadata.json");
	}
}

/* Take one member's content. */
static void take(mapeo_config *c, size_t *cap, const char *name, const uint8_t *d, size_t len,
                 findings *fl)
{
	/* Desktop extracts the archive (formats §9), so a member is the file
	 * path.join() makes of its name: "./presets.json" from old builders, or
	 * "./././…/metadata.json" under a GNU long name or pax path from
	 * another tar writer, is that file */
	char *norm = xstrdup(name);
	tar_path_join(norm);
	name = norm;
	add_member(c, cap, name, d, len);
	json_t **slot = NULL;
	if (!strcmp(name, "metadata.json"))
		slot = &c->metadata;
	else if (!strcmp(name, "presets.json"))
		slot = &c->presets;
	else if (!strcmp(name, "translations.json"))
		slot = &c->translations;
	else if (!strcmp(name, "imagery.json"))
		slot = &c->imagery;
	else if (!strcmp(name, "icons.json"))
		slot = &c->icons_json;
	else if (!strcmp(name, "layers.json"))
		slot = &c->layers;
	if (slot == &c->metadata && c->n_members > 1) {
		/* Desktop's import writes each copy over the last: the last one
		 * counts, which a reader of the first would never guess */
		const cfg_member *now = &c->members[c->n_members - 1];
		for (size_t i = 0; i + 1 < c->n_members; i++)
			if (!strcmp(c->members[i].name, name) && c->members[i].crc != now->crc) {
				finding *f =
				    fnd_add(fl, FND_CONFIG_DAMAGED,
				            _("%s holds two different copies of metadata.json: "
				              "Mapeo's import keeps the last one, and that is "
				              "the one compared"),
				            c->path);
				fnd_set_member(f, "metadata.json");
				break;
			}
	}
	if (slot == &c->metadata)
		scan_project_keys(c, d, len, fl);
	if (slot) {
		json_decref(*slot);
		*slot = parse_json(c->path, name, d, len, fl);
	} else if (!strcmp(name, "style.css")) {
		free(c->style_css);
		c->style_css = xstrndup((const char *)d, len);
	} else if (!strcmp(name, "VERSION")) {
		free(c->builder_version);
		c->builder_version = xstrndup((const char *)d, len);
		char *nl = strpbrk(c->builder_version, "\r\n");
		if (nl)
			*nl = '\0';
	} else if (!strcmp(name, "icons.svg")) {
		c->has_icons_svg = true;
	}
	free(norm);
}

static sd_status read_tar(mapeo_config *c, sd_input *in, findings *fl, sd_error *err)
{
	tar_iter it;
	size_t cap = 0;
	tar_iter_init(&it, in, 0, sdin_size(in));
	for (;;) {
		tar_entry e;
		sd_error terr;
		tar_event ev = tar_iter_next(&it, &e, &terr);
		if (ev == TAR_END)
			break;
		if (ev == TAR_DAMAGE) {
			finding *f =
			    fnd_add(fl, FND_CONFIG_DAMAGED, _("%s: the archive is damaged: %s"),
			            c->path, terr.msg);
			f->offset = (int64_t)it.damage_off;
			continue;
		}
		/* before the type: a damaged type byte turns a file into a link
		 * or a folder, which the checksum still tells */
		if (!e.checksum_ok) {
			finding *f =
			    fnd_add(fl, FND_CONFIG_DAMAGED,
			            _("%s: the header of %s has a wrong checksum; Mapeo's import "
			              "will fail with 'Invalid tar header'"),
			            c->path, e.name);
			f->offset = (int64_t)e.header_off;
			fnd_set_member(f, e.name);
		}
		if (e.typeflag != '0' && e.typeflag != '\0')
			continue;
		if (e.truncated || e.size > MAX_MEMBER_BYTES) {
			finding *f = fnd_add(fl, FND_CONFIG_DAMAGED, _("%s: %s is cut short"),
			                     c->path, e.name);
			f->offset = (int64_t)e.header_off;
			fnd_set_member(f, e.name);
			continue;
		}
		if (c->n_members >= MAX_MEMBERS)
			break;
		uint8_t *d = xmalloc((size_t)e.size + 1);
		if (sdin_read_exact(in, d, (size_t)e.size, e.data_off, err) != SD_OK) {
			free(d);
			tar_iter_free(&it);
			return err ? err->status : SD_ERR_IO;
		}
		d[e.size] = 0;
		take(c, &cap, e.name, d, (size_t)e.size, fl);
		free(d);
	}
	/* every tar writer ends with two zero blocks: without them the file
	 * was cut at a member's end, and what came after (icons, VERSION) is
	 * gone without a trace */
	if (it.zero_run < 2 && c->n_members && c->n_members < MAX_MEMBERS &&
	    !fnd_has(fl, FND_CONFIG_DAMAGED)) {
		finding *f = fnd_add(fl, FND_CONFIG_DAMAGED,
		                     _("%s ends at byte %llu without the two empty blocks that end "
		                       "every tar archive: it was cut short, and what came after "
		                       "is lost"),
		                     c->path, (unsigned long long)sdin_size(in));
		f->offset = (int64_t)sdin_size(in);
	}
	tar_iter_free(&it);
	return SD_OK;
}

static void read_zip(mapeo_config *c, sd_input *in, findings *fl)
{
	zip_archive za;
	sd_error zerr;
	size_t cap = 0;
	if (zip_open(in, &za, &zerr) != SD_OK) {
		fnd_add(fl, FND_CONFIG_DAMAGED, "%s", zerr.msg);
		return;
	}
	for (size_t i = 0; i < za.n && i < MAX_MEMBERS; i++) {
		const zip_entry *e = &za.entries[i];
		size_t nl = strlen(e->name);
		if (nl && e->name[nl - 1] == '/')
			continue;
		uint8_t *d;
		size_t len;
		if (zip_read(&za, e, &d, &len, &zerr) != SD_OK) {
			finding *f = fnd_add(fl, FND_CONFIG_DAMAGED, "%s", zerr.msg);
			fnd_set_member(f, e->name);
			continue;
		}
		take(c, &cap, e->name, d, len, fl);
		free(d);
	}
	zip_close(&za);
	fnd_add(fl, FND_CONFIG_NOT_IMPORTABLE,
	        _("%s is a ZIP configuration (builder 4 or later): Mapeo Desktop's Import "
	          "Configuration only reads the tar form and will say 'Invalid tar header'"),
	        c->path);
}

static void read_dir_rec(mapeo_config *c, size_t *cap, const char *root, const char *rel,
                         findings *fl, int depth)
{
	char *dpath = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dpath);
	if (!d) {
		free(dpath);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL && c->n_members < MAX_MEMBERS) {
		if (de->d_name[0] == '.')
			continue;
		char *r = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		char *full = xasprintf("%s/%s", root, r);
		struct stat st;
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 3) {
				read_dir_rec(c, cap, root, r, fl, depth + 1);
			} else if (S_ISREG(st.st_mode) &&
			           (uint64_t)st.st_size <= MAX_MEMBER_BYTES) {
				sd_input *in;
				if (sdin_open(full, &in, NULL) == SD_OK) {
					size_t len = (size_t)sdin_size(in);
					uint8_t *buf = xmalloc(len + 1);
					if (sdin_read_exact(in, buf, len, 0, NULL) == SD_OK) {
						buf[len] = 0;
						take(c, cap, r, buf, len, fl);
					}
					free(buf);
					sdin_close(in);
				}
			}
		}
		free(r);
		free(full);
	}
	closedir(d);
	free(dpath);
}

/* c has no metadata.json: when it is no configuration at all (a folder,
 * since Mapeo Desktop uses only a folder with a metadata.json, or an
 * archive that holds a sync file's members), say so to fl. */
static bool not_a_configuration(const mapeo_config *c, findings *fl)
{
	if (c->container == CFG_DIR) {
		fnd_add(fl, FND_CONFIG_DAMAGED,
		        _("%s is not a Mapeo configuration folder: it has no metadata.json"),
		        c->path);
		return true;
	}
	for (size_t i = 0; i < c->n_members; i++)
		if (!strcmp(c->members[i].name, "___index.json") ||
		    !strcmp(c->members[i].name, "osm-p2p-db.tar")) {
			fnd_add(fl, FND_CONFIG_DAMAGED,
			        _("%s is a Mapeo sync file (.mapeodata), not a configuration"),
			        c->path);
			return true;
		}
	return false;
}

static void read_metadata(mapeo_config *c, findings *fl)
{
	keys_footer_form(NULL, c->footer);
	if (!c->metadata && not_a_configuration(c, fl)) {
		/* Mapeo would never use it as a configuration: it says nothing
		 * of a project */
		c->metadata_lost = true;
		return;
	}
	if (!c->metadata) {
		if (!fnd_has(fl, FND_CONFIG_DAMAGED))
			fnd_add(fl, FND_CONFIG_DAMAGED,
			        _("%s has no metadata.json: Mapeo Desktop falls back to its "
			          "bundled default "
			          "configuration (no project key)"),
			        c->path);
		else
			c->metadata_lost = true; /* cut or damaged before it */
		return;
	}
	if (!json_is_object(c->metadata)) {
		/* Mapeo reads its fields from an object: from anything else, none
		 * (no name, no projectKey: the default project) */
		finding *f = fnd_add(fl, FND_CONFIG_DAMAGED,
		                     _("%s: metadata.json is not a JSON object, so Mapeo finds no "
		                       "name and no projectKey in it"),
		                     c->path);
		fnd_set_member(f, "metadata.json");
	}
	c->name = dup_str(c->metadata, "name");
	c->version = dup_str(c->metadata, "version");
	c->dataset_id = dup_str(c->metadata, "dataset_id");
	c->file_version = dup_str(c->metadata, "fileVersion");
	c->build_date = dup_str(c->metadata, "buildDate");
	c->sync_server = dup_str(c->metadata, "syncServer");
	json_t *k = json_object_get(c->metadata, "projectKey");
	if (!k || json_is_null(k))
		return;
	c->has_key = true;
	if (!json_is_string(k)) {
		finding *f =
		    fnd_add(fl, FND_CONFIG_INVALID_KEY,
		            _("%s: the projectKey in metadata.json is not a string"), c->path);
		fnd_set_member(f, "metadata.json");
		return;
	}
	const char *key = json_string_value(k);
	keys_note_secret(key);
	char why[256];
	c->key_valid = keys_valid_project_key(key, why, sizeof why);
	keys_footer_form(key, c->footer);
	if (!c->key_valid) {
		finding *f = fnd_add(fl, FND_CONFIG_INVALID_KEY, _("%s: %s"), c->path, why);
		fnd_set_member(f, "metadata.json");
	}
	if (!keys_discovery_hex(key, c->discovery_key))
		c->discovery_key[0] = '\0';
	/* The key is no longer needed: drop it from the parsed metadata. */
	json_object_del(c->metadata, "projectKey");
}

sd_status cfg_open(const char *path, mapeo_config **out, findings *fl, sd_error *err)
{
	*out = NULL;
	struct stat st;
	if (stat(path, &st) != 0)
		return sd_error_errno(err, errno, path, _("cannot open"));
	io_note_read(path); /* never an output, nor a folder one is written into */
	mapeo_config *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	if (S_ISDIR(st.st_mode)) {
		size_t cap = 0;
		c->container = CFG_DIR;
		/* a folder without metadata.json is no configuration: its tree
		 * (a home folder, /usr) is not read */
		char *meta = xasprintf("%s/metadata.json", path);
		struct stat ms;
		if (stat(meta, &ms) == 0)
			read_dir_rec(c, &cap, path, "", fl, 0);
		free(meta);
	} else {
		sd_input *in;
		sd_status s = sdin_open(path, &in, err);
		if (s != SD_OK) {
			cfg_free(c);
			return s;
		}
		uint8_t head[TAR_BLOCK] = {0};
		size_t got = 0;
		sdin_pread(in, head, sizeof head, 0, &got, NULL);
		tar_header h;
		if (got >= 4 && !memcmp(head, "PK\003\004", 4)) {
			c->container = CFG_ZIP;
			read_zip(c, in, fl);
		} else if (got == TAR_BLOCK && (tar_header_parse(head, &h) || h.zero)) {
			c->container = CFG_TAR;
			s = read_tar(c, in, fl, err);
		} else if (got == 0) {
			fnd_add(fl, FND_CONFIG_DAMAGED,
			        _("%s is empty: the configuration was not copied, or was cut to "
			          "nothing"),
			        path);
			c->container = CFG_TAR;
		} else if (got >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
			fnd_add(fl, FND_CONFIG_DAMAGED,
			        _("%s is compressed with gzip: Mapeo Desktop imports only a plain "
			          "tar; uncompress it first (gunzip)"),
			        path);
			c->container = CFG_TAR;
		} else {
			fnd_add(fl, FND_CONFIG_DAMAGED,
			        _("%s is neither a tar nor a ZIP configuration (its first bytes "
			          "are not an "
			          "archive header)"),
			        path);
			c->container = CFG_TAR;
		}
		sdin_close(in);
		if (s != SD_OK) {
			cfg_free(c);
			return s;
		}
	}
	read_metadata(c, fl);
	*out = c;
	return SD_OK;
}

void cfg_free(mapeo_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->name), free(c->version), free(c->dataset_id), free(c->file_version);
	free(c->build_date), free(c->sync_server), free(c->builder_version), free(c->style_css);
	json_decref(c->metadata), json_decref(c->presets), json_decref(c->translations);
	json_decref(c->imagery), json_decref(c->icons_json), json_decref(c->layers);
	for (size_t i = 0; i < c->n_members; i++)
		free(c->members[i].name);
	free(c->members);
	free(c);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void push(char ***list, size_t *n, size_t *cap, char *p)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], p)) {
			free(p);
			return;
		}
	if (!is_dir(p)) {
		free(p);
		return;
	}
	SD_GROW(*list, *cap, *n + 2);
	(*list)[(*n)++] = p;
	(*list)[*n] = NULL;
}

char **cfg_userdata_candidates(const char *override)
{
	static const char *const products[] = {"Mapeo", "Mapeo for ICCAs"};
	char **list = NULL;
	size_t n = 0, cap = 0;
	SD_GROW(list, cap, 1);
	list[0] = NULL;
	if (override && *override)
		push(&list, &n, &cap, xstrdup(override));
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME"),
	           *appdata = getenv("APPDATA");
	for (size_t i = 0; i < 2; i++) {
		if (xdg && *xdg)
			push(&list, &n, &cap, xasprintf("%s/%s", xdg, products[i]));
		if (home && *home) {
			push(&list, &n, &cap, xasprintf("%s/.config/%s", home, products[i]));
			push(&list, &n, &cap,
			     xasprintf("%s/Library/Application Support/%s", home, products[i]));
		}
		if (appdata && *appdata)
			push(&list, &n, &cap, xasprintf("%s/%s", appdata, products[i]));
	}
	return list;
}

void cfg_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

char *cfg_find_active(const char *userdata_override)
{
	char **cands = cfg_userdata_candidates(userdata_override);
	char *found = NULL;
	for (char **p = cands; *p && !found; p++) {
		char *dir = xasprintf("%s/presets/default", *p);
		char *meta = xasprintf("%s/metadata.json", dir);
		/* there, even damaged: the check then says config-damaged, where
		 * it said Desktop's own was not found (a pipe is never waited on) */
		struct stat st;
		if (stat(meta, &st) == 0 && S_ISREG(st.st_mode))
			found = dir;
		else
			free(dir);
		free(meta);
	}
	cfg_free_list(cands);
	return found;
}
