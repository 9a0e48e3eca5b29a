/* env.h: Mapeo on this computer (module prefix env_): installed Mapeo
 * Desktop and its version, the userData folder, the active configuration,
 * sync errors in Mapeo's logs, folders left in the temp directories by
 * interrupted syncs, and free space. Read-only: nothing is ever written.
 *
 * Where it looks (every path is built from environment variables, so tests
 * can fake a computer under a temporary HOME):
 *   installs   Linux: $SYNCDOCTOR_SYSROOT/opt/Mapeo*, …/usr/lib/mapeo*,
 *              $HOME/.local/share/mapeo*, Mapeo*.AppImage in $HOME,
 *              $HOME/Applications, $HOME/Downloads, $HOME/.local/bin;
 *              macOS: …/Applications/Mapeo*.app, $HOME/Applications/Mapeo*.app;
 *              Windows: %LOCALAPPDATA%\Programs\mapeo, %PROGRAMFILES%\Mapeo.
 *              The version comes from resources/app.asar's package.json
 *              (read through the asar header), else resources/app/package.json,
 *              else an AppImage's file name.
 *   userData   cfg_userdata_candidates() (configuration.h).
 *   logs       <userData>/logs: files ending .log and .log.gz (zlib).
 *   temp       $SYNCDOCTOR_TMPDIRS (colon-separated) when set, else $TMPDIR,
 *              $TEMP, $TMP, /tmp, /var/tmp: osm-p2p-syncfile-* folders.
 *   FAT32      statfs() f_type; tests fake a FAT32 drive with
 *              SYNCDOCTOR_FAKE_VFAT=<folder> (mounting one needs root).
 *
 * Ownership: env_scan() returns an env_info freed with env_free(); every
 * string and array in it belongs to it. */
#ifndef SD_ENV_H
#define SD_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"

typedef struct env_install {
	char *path;         /* install folder, or the AppImage file */
	const char *kind;   /* static: "linux", "appimage", "macos", "windows" */
	char *version;      /* NULL when it could not be read */
	char *version_from; /* the file the version was read from, NULL */
} env_install;

typedef enum env_log_kind {
	ENV_LOG_PROJECT_MISMATCH = 0, /* trying to sync two different projects */
	ENV_LOG_UNSUPPORTED,          /* unsupported syncfile type (legacy gzip file) */
	ENV_LOG_DATABASE_TYPE, /* trying to sync this kappa-osm database with a … database */
	ENV_LOG_DISK_FULL,     /* insufficient disk space, ENOSPC */
	ENV_LOG_DAMAGED,       /* errors a damaged file causes (tar, JSON, signatures) */
	ENV_LOG_SYNC_ERROR,    /* any other "sync error" line */
} env_log_kind;

typedef struct env_log_event {
	env_log_kind kind;
	char date[24]; /* "2026-11-20T14:02:47" from the line, else the file name's
	                  "2026-11-20" or "2026-11"; "" unknown */
	char *file;    /* the log file */
	long line;     /* line number in it (after decompression) */
	char *text;    /* the message: control characters and long hex runs cut */
	char us[16];   /* project mismatch: the "us=" and "syncfile=" forms, else "" */
	char them[16];
} env_log_event;

typedef struct env_log_file {
	char *path;
	bool gz;
	uint64_t size;
	int64_t mtime;
	size_t n_events; /* sync errors found in it */
	bool unreadable;
} env_log_file;

typedef struct env_temp {
	char *path; /* the osm-p2p-syncfile-* folder */
	int64_t mtime;
	uint64_t bytes;     /* size of the files in it */
	bool has_multifeed; /* an extracted database (multifeed/) */
	bool has_db_tar;    /* a packed database (osm-p2p-db.tar): close had started */
	char (*feed_keys)[KEYS_HEX_SIZE]; /* feed public keys found (hex) */
	size_t n_feeds;
	char project_dk[KEYS_HEX_SIZE]; /* discovery key of a root feed folder named after the
	                        project key (multifeed 4.1.7-4.1.10), "" */
} env_temp;

typedef struct env_space {
	bool known;
	uint64_t free_bytes; /* available to an unprivileged user */
	uint64_t total_bytes;
	bool vfat;   /* FAT12/16/32 ("msdos"/"vfat") */
	char fs[16]; /* "vfat", "exfat", "ntfs", "ext4", … or "" */
} env_space;

typedef struct env_info {
	env_install *installs;
	size_t n_installs;
	char **userdata_candidates; /* NULL-terminated */
	char *userdata;             /* the first candidate that holds Mapeo's data, NULL */
	/* the active configuration (footer form only: never the key) */
	bool config_found;
	char *config_path;
	char *config_name;
	char *config_version;
	char config_footer[16];
	/* logs */
	env_log_file *logs;
	size_t n_logs;
	env_log_event *events; /* newest first, at most env_options.max_events */
	size_t n_events;
	size_t n_events_total; /* before the cut */
	/* temporary folders */
	char **temp_dirs; /* NULL-terminated, the ones that exist */
	env_temp *temps;
	size_t n_temps;
	/* the symbolic links the scan did not follow (others may write in a
	 * temporary folder): a leftover folder itself, its multifeed/ or
	 * osm-p2p-db.tar, a feed folder or key file in multifeed/. At most
	 * ENV_LINKS_MAX paths, as found (not escaped); n_temp_links counts
	 * them all. */
	char **temp_links;
	size_t n_temp_links_kept, n_temp_links;
	env_space temp_space; /* of the first temp dir */
} env_info;

#define ENV_LINKS_MAX 20

typedef struct env_options {
	const char *userdata; /* userData override (--userdata); NULL: found */
	size_t max_events;    /* 0: 20 */
	bool no_temp;         /* skip the temp folder scan */
} env_options;

/* Look at this computer. Never fails: what cannot be read is left out. */
env_info *env_scan(const env_options *opt);
void env_free(env_info *e);

const char *env_log_kind_name(env_log_kind k);  /* "project-mismatch", … (stable) */
const char *env_log_kind_label(env_log_kind k); /* translated */

/* Free space and file system of the volume holding path (a file or folder). */
bool env_volume(const char *path, env_space *out);
/* The temp directories that exist, in search order (NULL-terminated; free
 * with cfg_free_list() or env_free_list()). */
char **env_temp_dirs(void);
void env_free_list(char **list);

/* One leftover folder at path, read as env_scan() reads those it finds
 * (no link below its parent followed): false when it is no folder. Free
 * with env_temp_free(). */
bool env_temp_read(const char *path, env_temp *out);
void env_temp_free(env_temp *t);
/* How a leftover temp folder relates to a sync file: 1 it holds a feed of
 * the file or the file's project, 0 it holds a database of another project
 * or only other feeds, -1 it cannot be told. file_dk: the file's discovery
 * key ("" for the default project, NULL unknown); keys: the file's feeds. */
int env_temp_match(const env_temp *t, const char *file_dk, const char (*keys)[KEYS_HEX_SIZE],
                   size_t n_keys, size_t *shared);

/* How many photo references in the leftover folder's database name one of
 * photo_ids (the file's photos, as the ids observations use, sorted with
 * strcmp); *n_refs gets every photo reference read. Reads each feed's data
 * (multifeed/N/data, or N/data inside osm-p2p-db.tar), at most
 * ENV_TEMP_DATA_MAX bytes of each, line by line. */
#define ENV_TEMP_DATA_MAX (64u << 20)
size_t env_temp_photos(const env_temp *t, const char *const *photo_ids, size_t n_ids,
                       size_t *n_refs);

/* The version in an Electron app.asar's package.json, or NULL (caller frees). */
char *env_asar_version(const char *asar_path);

#endif
