/* finding_codes.h: every finding code syncdoctor can report, in one table.
 *
 * An X-macro table, included by finding.h (the fnd_code enum: FND_ and the
 * code in capitals) and finding.c (the catalogue), so a code, its step, its
 * severity and its words are written once and a misspelt code does not
 * compile. No include guard: it is meant to be included more than once,
 * each time with its own definition of FND.
 *
 *     FND(NAME, "code", step, severity, N_(meaning), N_(advice) or NULL)
 *
 * Codes are stable identities (scripts and the journal rely on them): never
 * rename or reuse one. doc/findings.md and the man page's FINDINGS section
 * list the same set, each under its step with its severity; tests/man.sh
 * reads this file and fails when they drift. Add a code only when a real
 * case needs it. */

/* Container and structure */
FND(NOT_A_SYNC_FILE, "not-a-sync-file", STEP_CORRUPTION, SEV_ERROR,
    N_("neither a tar archive nor a legacy gzip sync file"),
    N_("It is not a Mapeo sync file. Check that the right file was copied."))
FND(FILE_TOO_SMALL, "file-too-small", STEP_CORRUPTION, SEV_ERROR,
    N_("shorter than 1024 bytes: Mapeo treats it as empty and overwrites it"),
    N_("The file is empty or was cut. Make a new sync file."))
FND(TRUNCATED_FILE, "truncated-file", STEP_CORRUPTION, SEV_ERROR,
    N_("the file ends inside a member, or its length is not a multiple of 512"),
    N_("The copy was cut short. Copy it again, or rebuild what is intact."))
FND(MISSING_INDEX, "missing-index", STEP_CORRUPTION, SEV_ERROR, N_("no ___index.json at the end"),
    N_("Mapeo cannot open it. A rebuild restores the index."))
FND(DAMAGED_INDEX, "damaged-index", STEP_CORRUPTION, SEV_ERROR,
    N_("index present but partial, not JSON, or not of the {index, userdata} shape"),
    N_("Mapeo cannot open it. A rebuild restores the index."))
FND(INDEX_DISAGREES, "index-disagrees", STEP_CORRUPTION, SEV_ERROR,
    N_("an index entry points outside the file or at the wrong header"),
    N_("Mapeo cannot open it. A rebuild restores the index."))
FND(MISSING_TRAILER, "missing-trailer", STEP_CORRUPTION, SEV_WARNING,
    N_("the 1024 zero bytes after the index are missing or short"), N_("A rebuild adds them."))
FND(BAD_HEADER_CHECKSUM, "bad-header-checksum", STEP_CORRUPTION, SEV_ERROR,
    N_("a tar header's checksum does not match"),
    N_("The file was damaged in storage or transfer."))
FND(UNPATCHED_HEADER, "unpatched-header", STEP_CORRUPTION, SEV_ERROR,
    N_("a member header still says size 0 (a write died before it was finished)"),
    N_("A sync was interrupted. Rebuild what is intact."))
FND(DATABASE_MISSING, "database-missing", STEP_CORRUPTION, SEV_ERROR,
    N_("media present but no osm-p2p-db.tar: the database was taken out and never put back"),
    N_("The observations are not in this file. Look for a leftover temporary copy, or make a new "
       "sync file."))
FND(INNER_TAR_DAMAGED, "inner-tar-damaged", STEP_CORRUPTION, SEV_ERROR,
    N_("osm-p2p-db.tar is not a valid tar"),
    N_("Mapeo will refuse it. A rebuild salvages what verifies."))
FND(WINDOWS_PATHS, "windows-paths", STEP_VERSION, SEV_WARNING,
    N_("inner names use backslashes (written on Windows before February 2020)"),
    N_("Mapeo on macOS or Linux of that time saw no data. A rebuild normalises the names."))
FND(DEAD_SPACE, "dead-space", STEP_CORRUPTION, SEV_INFO,
    N_("bytes no member or index entry refers to (duplicates, orphaned old databases)"),
    N_("Harmless. A rebuild drops them."))
FND(EARLIER_DATABASE, "earlier-database", STEP_CORRUPTION, SEV_WARNING,
    N_("with no index to say which database counts, an earlier osm-p2p-db.tar holds feeds, or "
       "longer verified copies of feeds, that the last one lacks"),
    N_("Mapeo cannot open the file. A rebuild keeps the best verified copy of each feed from "
       "every database in it."))
FND(USERDATA_MISSING, "userdata-missing", STEP_CONFIGURATION, SEV_WARNING,
    N_("the index has no userdata, or no p2p-db: the file never finished a sync, or a repair "
       "tool dropped it"),
    N_("Mapeo treats it as the default project. A rebuild can restore the project."))
FND(FEED_NAME_COLLISION, "feed-name-collision", STEP_CORRUPTION, SEV_ERROR,
    N_("two feeds claim the same number (one with backslash names, one with slashes)"),
    N_("Mapeo merges them and loses one. A rebuild keeps both."))
FND(DANGEROUS_NAME, "dangerous-name", STEP_CORRUPTION, SEV_WARNING,
    N_("a member name is absolute, has '..', or has control characters"),
    N_("syncdoctor never uses such a name as a path. A rebuild drops the member."))
FND(MEDIA_WINDOWS_NAME, "media-windows-name", STEP_CORRUPTION, SEV_WARNING,
    N_("a photo is named with '\\' as on Windows (original\\ID.jpg)"),
    N_("Mapeo on Linux or macOS does not find it. A rebuild names it with '/'."))
FND(INPUT_CHANGED, "input-changed", STEP_CORRUPTION, SEV_ERROR,
    N_("the file changed while it was being read"),
    N_("Another program is writing it. Close Mapeo and check again."))
FND(LINK_NOT_FOLLOWED, "link-not-followed", STEP_CORRUPTION, SEV_WARNING,
    N_("in a temporary folder, a feed folder, a feed's file or the database (osm-p2p-db.tar) "
       "is a symbolic link: it was not read, since others may write there"),
    N_("What it points to is not in this check. Copy the data it points to into the folder "
       "itself, in its place, and check again."))
FND(LIMIT_EXCEEDED, "limit-exceeded", STEP_CORRUPTION, SEV_WARNING,
    N_("a count in the input (feeds, members, blocks, photos, feed keys) is past syncdoctor's "
       "safety limit: what lies past it was not read, so the check is incomplete"),
    N_("Mapeo never writes that many. Check that the right file was copied; the findings cover "
       "only what was read."))

/* Configuration */
FND(PROJECT_MATCH, "project-match", STEP_CONFIGURATION, SEV_INFO,
    N_("the file belongs to the chosen configuration's project"), NULL)
FND(PROJECT_MISMATCH, "project-mismatch", STEP_CONFIGURATION, SEV_ERROR,
    N_("the file's project differs from the chosen configuration's"),
    N_("Option A: import the configuration that made the file on this computer. Option B: import "
       "this computer's configuration on the computer that made the file and make a new sync "
       "file. Option C: rebuild the file for this configuration with syncdoctor."))
FND(PROJECT_UNREADABLE, "project-unreadable", STEP_CONFIGURATION, SEV_WARNING,
    N_("the file's project cannot be read (its index is lost, or the file is of another era), "
       "so it cannot be compared with a configuration"),
    N_("Changing the configuration will not help: steps 2 and 3 say what Mapeo will say about "
       "this file and what to do."))
FND(PROJECT_DEFAULT, "project-default", STEP_CONFIGURATION, SEV_INFO,
    N_("the file belongs to the default project (no project key)"), NULL)
FND(PROJECT_UNKNOWN, "project-unknown", STEP_CONFIGURATION, SEV_INFO,
    N_("no configuration was given or found to compare the file with"),
    N_("Give this computer's configuration with --config."))
FND(PROJECT_KEY_EXPOSED, "project-key-exposed", STEP_CONFIGURATION, SEV_WARNING,
    N_("the inner database holds a directory named after the project key (Mapeo Desktop 5.0 to "
       "5.2)"),
    N_("Anyone with this file has the project key. Share it only with the project's members."))
FND(CONFIG_NOT_IMPORTABLE, "config-not-importable", STEP_CONFIGURATION, SEV_WARNING,
    N_("a ZIP configuration: Mapeo Desktop's Import Configuration only reads tar"),
    N_("Ask for the configuration built as a tar (.mapeosettings from builder 3.x)."))
FND(CONFIG_INVALID_KEY, "config-invalid-key", STEP_CONFIGURATION, SEV_ERROR,
    N_("projectKey is not 64 lowercase hexadecimal characters"),
    N_("Fix the projectKey in the configuration's metadata.json and build it again."))
FND(CONFIG_DAMAGED, "config-damaged", STEP_CONFIGURATION, SEV_ERROR,
    N_("the configuration archive or one of its JSON members cannot be read"),
    N_("Get a fresh copy of the configuration file."))

/* Version */
FND(ERA_LEGACY_GZIP, "era-legacy-gzip", STEP_VERSION, SEV_ERROR,
    N_("gzip sync file from Mapeo Desktop 2.x or older; current Mapeo says 'unsupported syncfile "
       "type'"),
    N_("Open it with the old Mapeo that made it and make a new sync file with a current Mapeo."))
FND(ERA_HYPERLOG, "era-hyperlog", STEP_VERSION, SEV_ERROR,
    N_("Mapeo Desktop 3 file (p2p-db hyperlog); Mapeo Desktop 4 and later refuse it"),
    N_("Sync it with Mapeo Desktop 3, then move that computer to a current Mapeo."))
FND(ERA_KAPPA_OSM, "era-kappa-osm", STEP_VERSION, SEV_INFO, N_("Mapeo Desktop 4 to 5.6 file"), NULL)
FND(WRITER_HINT, "writer-hint", STEP_VERSION, SEV_INFO,
    N_("a clue to the version of Mapeo that wrote the file"), NULL)
FND(VERSION_TABLE_MISSING, "version-table-missing", STEP_VERSION, SEV_WARNING,
    N_("the table of Mapeo versions could not be read: which Mapeo versions wrote and can read "
       "the file is not known"),
    N_("Reinstall syncdoctor (its package puts the table in /usr/share/syncdoctor), or name a "
       "table with --versions."))
FND(ERA_UNKNOWN, "era-unknown", STEP_VERSION, SEV_WARNING,
    N_("the file's era could not be determined"), NULL)

/* Feeds and data */
FND(FEED_HEADER_INVALID, "feed-header-invalid", STEP_CORRUPTION, SEV_ERROR,
    N_("a tree, signatures or bitfield header is not the hypercore one"),
    N_("The database in the file is damaged. A rebuild salvages what verifies."))
FND(FEED_GAP, "feed-gap", STEP_CORRUPTION, SEV_ERROR,
    N_("feed directories skip a number: Mapeo ignores every feed after the gap"),
    N_("A rebuild renumbers the feeds so none is ignored."))
FND(FEED_INCOMPLETE, "feed-incomplete", STEP_CORRUPTION, SEV_WARNING,
    N_("blocks are missing (as in Mapeo Desktop's Database status)"),
    N_("Sync of this file can stall. Sync the device that made the data again."))
FND(FEED_HASH_MISMATCH, "feed-hash-mismatch", STEP_CORRUPTION, SEV_ERROR,
    N_("a block or tree node does not hash to what the tree says"),
    N_("A salvage rebuild keeps the blocks before damaged data, back to the last length the "
       "device signed; where only the tree is lost or damaged over intact data, it keeps "
       "every block the device's signature proves (a finding then says how many). "
       "'syncdoctor rebuild --salvage --dry-run' shows what it keeps."))
FND(FEED_TREE_DAMAGED, "feed-tree-damaged", STEP_CORRUPTION, SEV_ERROR,
    N_("a tree node is damaged over intact data: the blocks under it still hash to what the "
       "tree above it (or the device's signature) vouches for"),
    N_("The observations are intact, but Mapeo refuses the feed until the node is mended. "
       "'syncdoctor rebuild --salvage' computes the damaged node again from the intact data "
       "and keeps every block."))
FND(FEED_SIGNATURE_INVALID, "feed-signature-invalid", STEP_CORRUPTION, SEV_ERROR,
    N_("a signature does not verify with the feed's key"),
    N_("A bad signature past the feed's last good one makes Mapeo give up the whole sync. "
       "A rebuild clears bad signatures; a salvage rebuild keeps what still verifies."))
FND(FEED_SIGNATURE_MENDED, "feed-signature-mended", STEP_CORRUPTION, SEV_ERROR,
    N_("the signature for a feed's whole length has one damaged byte, and the one value of "
       "it with which it verifies was found: the device's own signature"),
    N_("Mapeo refuses the signature as it is stored and gives up the whole sync. A rebuild "
       "writes the device's signature back and keeps every block."))
FND(FEED_SIGNATURE_REMADE, "feed-signature-remade", STEP_CORRUPTION, SEV_ERROR,
    N_("the signature for the whole length of this computer's own feed is damaged or "
       "missing, and the feed's secret key signs its intact tree to the device's own "
       "signature again"),
    N_("Mapeo refuses the signature as it is stored and gives up the whole sync. A rebuild "
       "writes the device's signature and keeps every block; the secret key itself is "
       "never shown or written."))
FND(FEED_UNSIGNED, "feed-unsigned", STEP_CORRUPTION, SEV_WARNING,
    N_("no valid signature covers the feed's last blocks"),
    N_("Mapeo cannot accept the unsigned blocks. A salvage rebuild cuts them."))
FND(FEED_BITFIELD_DAMAGED, "feed-bitfield-damaged", STEP_CORRUPTION, SEV_ERROR,
    N_("the bitfield marks blocks past the feed's end, or fewer than the file holds"),
    N_("Mapeo takes the feed's length and blocks from the bitfield: it stops the sync, waits "
       "for ever, or leaves blocks out, as the finding says. 'syncdoctor rebuild' writes the "
       "bitfield again and keeps every block."))
FND(FEED_KEY_INVALID, "feed-key-invalid", STEP_CORRUPTION, SEV_ERROR,
    N_("a feed's key file is missing or not 32 bytes"),
    N_("Mapeo ignores this feed and every one after it. When the finding says its key was "
       "found and proved, a rebuild writes it again; otherwise a salvage leaves the feed out "
       "and lists it."))
FND(ENTRY_NOT_JSON, "entry-not-json", STEP_CORRUPTION, SEV_ERROR,
    N_("a block is not one line of JSON"),
    N_("That entry is lost. A salvage rebuild cuts the feed before it."))
FND(ENTRY_NOT_OBJECT, "entry-not-object", STEP_CORRUPTION, SEV_ERROR,
    N_("a block is JSON but not an object, so not an entry"),
    N_("Mapeo passes over an array, a string, a number or a boolean, so nothing is lost; on "
       "null it stops, and a rebuild that leaves suspect entries out cuts the feed before "
       "that block."))
FND(DATE_EPOCH, "date-epoch", STEP_CORRUPTION, SEV_WARNING,
    N_("created_at or timestamp in 1970: a device clock was wrong"),
    N_("Find this observation in Mapeo and check its date; the device's clock needs setting."))
FND(DATE_FUTURE, "date-future", STEP_CORRUPTION, SEV_WARNING,
    N_("a date after the file's own write time"),
    N_("A device clock was ahead. Check the date of this observation."))
FND(DATE_MALFORMED, "date-malformed", STEP_CORRUPTION, SEV_WARNING,
    N_("a date that is not a valid timestamp"),
    N_("Mapeo may sort or show this observation wrongly."))
FND(ATTACHMENT_MISSING, "attachment-missing", STEP_CORRUPTION, SEV_WARNING,
    N_("an observation's photo has no original, preview or thumbnail member"),
    N_("The photo did not travel with the file. Sync again from the device that took it."))
FND(ATTACHMENT_UNINDEXED, "attachment-unindexed", STEP_CORRUPTION, SEV_WARNING,
    N_("an observation's photo is in the file, but its index does not name it"),
    N_("Mapeo reads a sync file through its index, so it does not see this photo. A rebuild "
       "writes the photo into the index."))
FND(MEDIA_DAMAGED, "media-damaged", STEP_CORRUPTION, SEV_ERROR,
    N_("a photo is not a complete JPEG or PNG"),
    N_("This photo will not open. A salvage rebuild leaves it out."))
FND(ATTACHMENT_LEFT_OUT, "attachment-left-out", STEP_CORRUPTION, SEV_INFO,
    N_("an observation's photo was left out by a syncdoctor rebuild (it was damaged)"),
    N_("The device that took the photo may still have it: sync with it again."))
FND(MEDIA_ORPHAN, "media-orphan", STEP_CORRUPTION, SEV_INFO,
    N_("media that no observation refers to"), NULL)

/* Database folders */
FND(OWN_FEED, "own-feed", STEP_CORRUPTION, SEV_INFO, N_("this computer's own feed"), NULL)
FND(SECRET_IN_SYNCFILE, "secret-in-syncfile", STEP_CORRUPTION, SEV_WARNING,
    N_("a feed in the sync file carries a secret_key or localname"),
    N_("Anyone with this file can write as that device. A rebuild leaves the secret out."))

/* Environment */
FND(LEFTOVER_TEMP_DATABASE, "leftover-temp-database", STEP_ENVIRONMENT, SEV_INFO,
    N_("a folder from an interrupted sync exists in a temporary directory"),
    N_("It may hold the missing database: rebuild with --database."))
FND(LOW_DISK_SPACE, "low-disk-space", STEP_ENVIRONMENT, SEV_WARNING,
    N_("less free space than syncing this file needs"),
    N_("Free some space before syncing: Mapeo needs room for the whole database."))
FND(FAT32_SIZE_LIMIT, "fat32-size-limit", STEP_ENVIRONMENT, SEV_WARNING,
    N_("the file is on FAT32 and near or over 4 GiB"),
    N_("FAT32 cannot hold files of 4 GiB or more. Use a stick formatted as exFAT or NTFS."))
FND(MAPEO_LOG_ERROR, "mapeo-log-error", STEP_ENVIRONMENT, SEV_INFO,
    N_("Mapeo's log records a sync error"), NULL)
