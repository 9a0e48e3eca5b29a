/* io.h: reading inputs without ever writing them, and writing outputs safely.
 *
 * Inputs (sdin_*): opened O_RDONLY, never for writing. 64-bit offsets
 * everywhere (AC_SYS_LARGEFILE), so files over 4 GiB work on 32-bit ARM.
 * The size and mtime seen at open are remembered; sdin_check_unchanged()
 * tells when another program changed the file meanwhile.
 *
 * Outputs (sdout_*): written beside the target under a temporary name
 * (".NAME.sdtmp-XXXXXX" in the same directory), flushed with fsync, verified
 * by the caller's callback, then renamed over the target and the directory
 * fsynced. Until sdout_commit() succeeds nothing exists under the target's
 * name; sdout_abort() (or a failed commit) removes the temporary file.
 *
 * Test hook: when SYNCDOCTOR_FAULT_WRITE is set to "ENOSPC:N" or "EIO:N",
 * the write that would pass byte N of an output fails with that errno.
 * SYNCDOCTOR_FAULT_KILL=N: the process kills itself (SIGKILL) once N bytes
 * of an output are written, leaving its temporary file behind as a crash
 * would. SYNCDOCTOR_FAULT_PAUSE_READ=N: the process stops itself (SIGSTOP)
 * once N bytes of inputs are read, so a test can change the input then. */
/* Test hook: SYNCDOCTOR_TEST_INTERRUPT=NAME makes sd_test_point(NAME)
 * raise SIGINT, so tests interrupt at a known point instead of racing a
 * timer. Points: "rebuild-planned" (after the plan is printed), "diff"
 * (before comparing), "history" (before listing), "photos" (a full check,
 * before its photos are matched with the observations), "verify" (a
 * rebuild, before its written file is checked again), "advise" (a
 * check's advice, between its plain plan and its salvage plan). */
#ifndef SD_IO_H
#define SD_IO_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "progress.h"
#include "status.h"

typedef struct sd_input sd_input;

void sd_test_point(const char *name);

/* Open a regular file for reading. Directories, FIFOs and devices are
 * refused with SD_ERR_IO and a message saying what the path is. */
sd_status sdin_open(const char *path, sd_input **out, sd_error *err);
/* fopen(path, "rb") for a regular file only: a FIFO, a device or a folder
 * is refused at once (errno EINVAL; ENOENT and the like as open(2) sets
 * them), where fopen() would wait on a FIFO for ever. For the small files
 * read whole (the version table, the configuration file, a log, Mapeo's
 * package.json); noted as read (io_note_read()). */
FILE *io_fopen_regular(const char *path);
/* The same as a descriptor (for gzdopen()), or -1 with errno. */
int io_open_regular(const char *path);

/* Below a folder others may write to (a leftover temporary folder): path
 * lies below root (root itself is followed as given), and no symbolic link
 * below root is followed, at any level, when the file is opened, not only
 * when it is listed. An error (a symbolic link, a name outside root) names
 * the path. */
sd_status sdin_open_beneath(const char *root, const char *path, sd_input **out, sd_error *err);
/* open(2) of path below root the same way (flags as open's; O_NOFOLLOW and
 * O_CLOEXEC added): the descriptor, or -1 with errno (ELOOP for a link). */
int io_open_beneath(const char *root, const char *path, int flags);
/* lstat(2) of path below root, no link followed on the way: false when it
 * cannot be read. */
bool io_lstat_beneath(const char *root, const char *path, struct stat *st);
/* opendir(3) of a folder below root, no link followed; NULL when none. */
DIR *io_opendir_beneath(const char *root, const char *path);
void sdin_close(sd_input *in);
const char *sdin_path(const sd_input *in);
uint64_t sdin_size(const sd_input *in);
int64_t sdin_mtime(const sd_input *in);
/* Read up to len bytes at off; *got receives the count (short only at end of
 * file). Retries EINTR and short reads. */
sd_status sdin_pread(sd_input *in, void *buf, size_t len, uint64_t off, size_t *got, sd_error *err);
/* Read exactly len bytes at off or fail (SD_ERR_FORMAT when the file ends). */
sd_status sdin_read_exact(sd_input *in, void *buf, size_t len, uint64_t off, sd_error *err);
/* The first offset >= off that may hold data: past a hole of a sparse file
 * (SEEK_DATA; holes read as zeros), the size when only a hole follows, off
 * itself when the system cannot tell. Zero runs are skipped this way
 * instead of being read. A dense file (as many blocks as bytes at open) is
 * never asked: off itself, since SEEK_DATA is not to be trusted on a file
 * being flushed. */
uint64_t sdin_next_data(sd_input *in, uint64_t off);
/* Small reads that follow each other are served from a 256 KiB read-ahead
 * window; other reads go to the file as they are. */

/* The fingerprint (BLAKE2b-256 of the whole file, as jnl_fingerprint()
 * computes it) taken from the reads themselves: after sdin_hash_start(),
 * every read from the file feeds the bytes past those already hashed. In
 * line, a jump forward of up to 8 MiB is read at once to close the gap, a
 * larger jump is left for later reads; with a second core, a thread hashes
 * beside the check, handed the check's reads and reading what the check
 * skips (io.c says how). sdin_hash_finish() reads what was never read
 * (nothing, when the reads went front to back), waits for the thread, and
 * writes the lowercase hex digest; SD_ERR_CANCELLED when prog cancels,
 * SD_ERR_CHANGED (and no digest) when the file ended early or its size or
 * time changed since it was opened. Without a start, finish hashes the
 * whole file. */
sd_status sdin_hash_start(sd_input *in);
/* sdin_hash_start() when the hashing thread can run (two cores), so that
 * it starts with the first read; false, and nothing started, when it would
 * be hashed in line (then start it when the reads that matter begin). */
bool sdin_hash_start_threaded(sd_input *in);
/* From now on no read is handed to the hashing thread: it reads every
 * byte itself, and holds no hand-over buffers (1 MiB). For a fingerprint
 * finished long after the reads (check_options.fingerprint_later: a
 * rebuild's), which the thread has time to finish alone; in line, nothing
 * changes. */
void sdin_hash_solo(sd_input *in);
/* Whether a fingerprint is being taken (started, not yet finished). */
bool sdin_hashing(const sd_input *in);
/* out: KEYS_HEX_SIZE (65) bytes. */
sd_status sdin_hash_finish(sd_input *in, const sd_progress *prog, char *out, sd_error *err);
/* Bytes read from the file so far (read-ahead and fingerprint gaps
 * included): for the benchmark. */
uint64_t sdin_bytes_read(const sd_input *in);
/* SD_ERR_CHANGED (with a message) when size or mtime differ from open time. */
sd_status sdin_check_unchanged(sd_input *in, sd_error *err);

typedef struct sd_output sd_output;

/* Verification callback: gets the temporary path after fsync; returns SD_OK
 * to allow the rename. */
typedef sd_status (*sdout_verify_fn)(void *ud, const char *tmp_path, sd_error *err);

/* What this run was asked to read, so that it is never an output: the
 * checked source (check_run(), but for its read_back), a configuration (cfg_open()), the small
 * files io_fopen_regular() opens, and what a front end reads only later (a
 * report's --log). Not every sdin_open(): an output read back or
 * fingerprinted is syncdoctor's own, written again by a second repair. A
 * folder (a configuration folder, a database read in place) is noted by
 * its real path: nothing is written inside it. */
void io_note_read(const char *path);
/* Was path (a file, by device and inode) noted as read by this run? */
bool io_is_read(const char *path);

/* May target be written? SD_OK when nothing is there, or a regular file
 * is there and force is set. SD_ERR_EXISTS (with a message) when it exists
 * without force, and always when it is not a regular file (device node,
 * FIFO, socket, folder, symbolic link): a rename would replace the node
 * itself. SD_ERR_USAGE when target is a file this run reads, or lies in a
 * folder it reads (io_note_read()), even with force. The one check before
 * every output (report and rebuild); the CLI calls it before the work too,
 * to fail fast. */
sd_status io_check_target(const char *target, bool force, sd_error *err);
/* The same, its refusal in the words of front (status.h): the wizard has
 * no --force. */
sd_status io_check_target_for(const char *target, bool force, sd_front front, sd_error *err);
/* Temporaries sdout_open() left beside target (".NAME.sdtmp-XXXXXX",
 * regular files of this user) after a kill or a power cut: a
 * NULL-terminated list of paths (never NULL; free with io_free_list()). */
char **io_stale_temps(const char *target);
void io_free_list(char **list);

/* Start writing target (io_check_target() first). */
sd_status sdout_open(const char *target, bool force, sd_output **out, sd_error *err);
/* The same, its refusal in the words of front (io_check_target_for()). */
sd_status sdout_open_for(const char *target, bool force, sd_front front, sd_output **out,
                         sd_error *err);
sd_status sdout_write(sd_output *o, const void *buf, size_t len, sd_error *err);
uint64_t sdout_offset(const sd_output *o);
/* Permissions of the output (0644 unless set; bundles use 0600). */
void sdout_set_mode(sd_output *o, unsigned mode);
const char *sdout_tmp_path(const sd_output *o);
/* The fingerprint of the output (BLAKE2b-256 of the whole file, as
 * sdin_hash_finish() gives it for the finished file): after
 * sdout_hash_start(), a thread reads back and hashes what is written,
 * behind the writer (io.c says why); sdout_hash_finish() waits for it, or
 * without the thread reads the whole file back itself, and writes the
 * lowercase hex digest into out (KEYS_HEX_SIZE bytes; "" on failure). Call
 * it before sdout_commit() renames the file (from its verify callback);
 * SD_ERR_CANCELLED when prog cancels, SD_ERR_IO when the file cannot be
 * read back. An output committed or aborted without a finish has none. */
void sdout_hash_start(sd_output *o);
sd_status sdout_hash_finish(sd_output *o, const sd_progress *prog, char *out, sd_error *err);
/* fsync, verify (verify may be NULL), rename, fsync the directory. Frees o
 * whatever the outcome; on failure the temporary file is removed. */
sd_status sdout_commit(sd_output *o, sdout_verify_fn verify, void *ud, sd_error *err);
/* Remove the temporary file and free o. */
void sdout_abort(sd_output *o);

/* Unlink every temporary output still open. Async-signal-safe: the CLI's
 * SIGINT/SIGTERM handler calls it before exiting. */
void sdout_cleanup_all(void);

/* A temporary file of syncdoctor's own ("syncdoctor-STEM-XXXXXX" in $TMPDIR,
 * else /tmp), unlinked at once: it goes with the process, whatever
 * happens. Its descriptor, or -1 with errno; *dir (when not NULL) the
 * folder tried, for a message (the caller frees it). */
int io_temp_fd(const char *stem, char **dir);

/* Free bytes available to an unprivileged user on the file system holding
 * path (or its directory). Returns false when it cannot be told. */
bool sd_free_space(const char *path, uint64_t *bytes);

/* Where syncdoctor keeps what it remembers (journal, session logs):
 * $XDG_STATE_HOME/syncdoctor/NAME when XDG_STATE_HOME is absolute, else
 * $HOME/.local/state/syncdoctor/NAME; NULL when neither is set. Caller frees. */
char *sd_state_path(const char *name);

/* mkdir -p: create dir and its missing parents, each with mode (callers pass
 * 0700: these folders name other people's projects). True when dir exists
 * afterwards. */
bool sd_mkdir_p(const char *dir, unsigned mode);

#endif
