/* configuration.h: Mapeo configurations (.mapeosettings) in every container:
 * tar (builder <= 3.4.1, the only one Mapeo Desktop imports), ZIP (builder
 * 4 and later) and an unpacked folder (Mapeo Desktop's
 * <userData>/presets/default/).
 *
 * The projectKey is read only to compute the discovery key and the footer
 * form, then wiped: a mapeo_config never holds the key itself.
 *
 * Ownership: cfg_open() returns a config freed with cfg_free(); json_t
 * members are owned by it (borrow, do not decref). */
#ifndef SD_CONFIGURATION_H
#define SD_CONFIGURATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "keys.h"
#include "status.h"

typedef enum cfg_container { CFG_TAR, CFG_ZIP, CFG_DIR } cfg_container;

typedef struct cfg_member {
	char *name;
	uint64_t size;
	uint32_t crc; /* CRC-32 of the content, to tell changed icons */
} cfg_member;

typedef struct mapeo_config {
	char *path;
	cfg_container container;
	char *name;    /* metadata.name, may be NULL */
	char *version; /* metadata.version */
	char *dataset_id;
	char *file_version; /* ZIP builds */
	char *build_date;
	char *sync_server;
	char *builder_version;             /* VERSION member */
	bool has_key;                      /* metadata has a projectKey */
	bool key_valid;                    /* and it follows the builder's rules */
	char discovery_key[KEYS_HEX_SIZE]; /* "" for the default project or an undecodable key */
	char footer[16];                   /* "ae0a6**********" or "MAPEO" */
	json_t *metadata, *presets, *translations, *imagery, *icons_json, *layers;
	char *style_css;
	bool has_icons_svg;
	bool metadata_lost;  /* damaged before metadata.json: the key is unknown, not MAPEO */
	cfg_member *members; /* every member, in stored order */
	size_t n_members;
} mapeo_config;

/* Read path (a file in either container, or a folder). Problems in the
 * configuration become findings (config-damaged, config-invalid-key,
 * config-not-importable); an unreadable path is an error. */
sd_status cfg_open(const char *path, mapeo_config **out, findings *fl, sd_error *err);
void cfg_free(mapeo_config *c);
const char *cfg_container_name(cfg_container c); /* "tar", "zip", "folder" */
/* Mapeo's project check (@mapeo/core 8.6.x, doc/formats.md §2): does a
 * computer with configuration c (NULL: Mapeo's built-in default, no key)
 * sync with a file whose userdata has discovery key file_dk (NULL or "":
 * none, the default project)? Both sides are a discovery key or the
 * default; a key Mapeo cannot decode matches nothing (mapeo-core throws
 * before it compares). The one rule for check, match and the wizard. */
bool cfg_same_project(const mapeo_config *c, const char *file_dk);
/* Display name "Proyecto A 1.2.0", or a translated "(no name)". Caller frees. */
char *cfg_title(const mapeo_config *c);

/* Candidate Mapeo Desktop userData folders on this computer, most likely
 * first (override first when given): $XDG_CONFIG_HOME/Mapeo, ~/.config/Mapeo,
 * ~/Library/Application Support/Mapeo, %APPDATA%\Mapeo, and the "Mapeo for
 * ICCAs" variants. Returns a NULL-terminated array the caller frees with
 * cfg_free_list(); only folders that exist are listed. */
char **cfg_userdata_candidates(const char *override);
void cfg_free_list(char **list);
/* Look for configurations in dir: *.mapeosettings files and configuration
 * folders (a folder with metadata.json), depth folders down (0: dir's own
 * entries only); dir itself when it is a configuration folder. Hidden
 * entries are skipped and links to folders are not followed. Paths are
 * added as found ("dir/name", or "name" when dir is "."), once each by
 * their real path, to the growing array *list (*n used, *cap allocated;
 * the caller frees each path and the array), up to max entries. The one
 * search 'match' and the wizard share. */
void cfg_search(const char *dir, int depth, size_t max, char ***list, size_t *n, size_t *cap);
/* The configuration Mapeo Desktop uses on this computer: the first
 * <userData>/presets/default with a metadata.json file, damaged or not (the
 * check says which). Returns a path (caller frees) or NULL: then Desktop
 * uses its bundled default (no key). */
char *cfg_find_active(const char *userdata_override);

#endif
