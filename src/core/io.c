#include "config.h"

#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_STATVFS
#include <sys/statvfs.h>
#endif

#include <sodium.h>
#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif

#include "i18n.h"
#include "xalloc.h"

/* Read-ahead window: small reads that follow each other (feed blocks, a
 * photo's thumbnail) are served from one large read. They may hop over up
 * to RA_HOP bytes: the check reads the photos one after the other, each
 * past its tar header (1,800 reads of the real-shaped file became 130, and
 * the check 10% faster). Only a hop no longer than the read: a walk from
 * header to header (--quick) hops over whole photos to read 512 bytes, and
 * read-ahead there copied the photos for nothing (2 ms more). */
#define RA_SIZE (256u << 10)
#define RA_HOP  4096u
/* A fingerprint gap up to this size is read at once; a larger jump (the
 * check hopping to the database at the end) is left for the reads to come
 * or for sdin_hash_finish(). */
#define HASH_GAP (8u << 20)

struct hasher;
static bool hq_stop(struct hasher *h, bool abandon, uint64_t *bytes_read);

struct sd_input {
	int fd;
	char *path;
	uint64_t size;
	int64_t mtime;
	long mtime_nsec;
	bool sparse; /* fewer blocks than bytes: holes are asked for */
	uint8_t *ra; /* RA_SIZE bytes, allocated on first use */
	uint64_t ra_off;
	size_t ra_len;
	uint64_t last_end;            /* where the previous read ended */
	crypto_generichash_state *hs; /* fingerprint, when started */
	struct hasher *hq;            /* its hashing thread, when one runs */
	bool hq_solo;                 /* the thread reads every byte itself */
	uint64_t hpos;                /* bytes [0, hpos) are hashed */
	bool hash_failed;
	uint64_t bytes_read; /* from the file, fingerprint gaps included */
};

/* ---- below a folder, never through a symbolic link ---- */

/* The part of path below root ("" for root itself), or NULL when path
 * does not lie below root. */
static const char *below(const char *root, const char *path)
{
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) != 0 || (path[n] && path[n] != '/'))
		return NULL;
	return path + n + strspn(path + n, "/");
}

int io_open_beneath(const char *root, const char *path, int flags)
{
	const char *rel = below(root, path);
	if (!rel) {
		errno = EXDEV;
		return -1;
	}
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !*rel)
		return dfd < 0 ? -1 : (close(dfd), open(root, flags | O_CLOEXEC));
	char *copy = xstrdup(rel);
	char *comp = copy;
	for (;;) {
		char *slash = strchr(comp, '/');
		if (slash)
			*slash = '\0';
		int fd = -1;
		if (!strcmp(comp, "..") || !strcmp(comp, "."))
			errno = EXDEV;
		else
			fd = openat(dfd, comp,
			            (slash ? O_RDONLY | O_DIRECTORY : flags) | O_NOFOLLOW |
			                O_CLOEXEC);
		int e = errno;
		close(dfd);
		if (fd < 0 || !slash) {
			free(copy);
			errno = e;
			return fd;
		}
		dfd = fd;
		comp = slash + 1 + strspn(slash + 1, "/");
	}
}

bool io_lstat_beneath(const char *root, const char *path, struct stat *st)
{
	const char *rel = below(root, path);
	if (!rel)
		return false;
	if (!*rel)
		return stat(root, st) == 0;
	char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	const char *last = slash ? slash + 1 : path;
	if (slash && slash != parent)
		*slash = '\0';
	int dfd = io_open_beneath(root, parent, O_RDONLY | O_DIRECTORY);
	bool ok = dfd >= 0 && fstatat(dfd, last, st, AT_SYMLINK_NOFOLLOW) == 0;
	if (dfd >= 0)
		close(dfd);
	free(parent);
	return ok;
}

DIR *io_opendir_beneath(const char *root, const char *path)
{
	int fd = io_open_beneath(root, path, O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (fd >= 0 && !d)
		close(fd);
	return d;
}

static sd_status sdin_open_fd(int fd, const char *path, sd_input **out, sd_error *err);

sd_status sdin_open_beneath(const char *root, const char *path, sd_input **out, sd_error *err)
{
	*out = NULL;
	int fd = io_open_beneath(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == EXDEV))
		return sd_error_set(err, SD_ERR_IO,
		                    _("%s: a symbolic link (or a name outside %s): not followed, "
		                      "since others may write there"),
		                    path, root);
	if (fd < 0)
		return sd_error_errno(err, errno, path, _("cannot open"));
	return sdin_open_fd(fd, path, out, err);
}

sd_status sdin_open(const char *path, sd_input **out, sd_error *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return sd_error_errno(err, errno, path, _("cannot open"));
	return sdin_open_fd(fd, path, out, err);
}

/* What this run reads (io_note_read()): few entries, read by the output
 * checks; a mutex since the hashing threads open nothing but a front end
 * may. */
typedef struct read_note {
	dev_t dev;
	ino_t ino;
	char *dir; /* a folder's real path, else NULL */
} read_note;
static read_note *read_notes;
static size_t n_read_notes, cap_read_notes;
static pthread_mutex_t read_notes_mu = PTHREAD_MUTEX_INITIALIZER;

static void note_stat(const struct stat *st, const char *path)
{
	/* a folder by its path too: one removed, and a new one given its inode
	 * number, is another folder (the new one was not noted) */
	char *dir = S_ISDIR(st->st_mode) ? realpath(path, NULL) : NULL;
	pthread_mutex_lock(&read_notes_mu);
	bool known = false;
	for (size_t i = 0; i < n_read_notes && !known; i++)
		known = read_notes[i].dev == st->st_dev && read_notes[i].ino == st->st_ino &&
		        (!dir || (read_notes[i].dir && !strcmp(read_notes[i].dir, dir)));
	if (!known) {
		SD_GROW(read_notes, cap_read_notes, n_read_notes + 1);
		read_note *n = &read_notes[n_read_notes++];
		n->dev = st->st_dev;
		n->ino = st->st_ino;
		n->dir = dir;
		dir = NULL;
	}
	pthread_mutex_unlock(&read_notes_mu);
	free(dir);
}

void io_note_read(const char *path)
{
	struct stat st;
	if (path && stat(path, &st) == 0)
		note_stat(&st, path);
}

bool io_is_read(const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) != 0)
		return false;
	pthread_mutex_lock(&read_notes_mu);
	bool found = false;
	for (size_t i = 0; i < n_read_notes && !found; i++)
		found = read_notes[i].dev == st.st_dev && read_notes[i].ino == st.st_ino;
	pthread_mutex_unlock(&read_notes_mu);
	return found;
}

static char *dir_of(const char *path);

/* The noted folder target would be written into, or NULL (caller frees). */
static char *read_dir_around(const char *target)
{
	char *dir = dir_of(target), *real = realpath(dir, NULL), *found = NULL;
	free(dir);
	pthread_mutex_lock(&read_notes_mu);
	for (size_t i = 0; real && i < n_read_notes && !found; i++) {
		const char *d = read_notes[i].dir;
		size_t n = d ? strlen(d) : 0;
		if (d && !strncmp(real, d, n) &&
		    (real[n] == '\0' || real[n] == '/' || (n == 1 && d[0] == '/')))
			found = xstrdup(d);
	}
	pthread_mutex_unlock(&read_notes_mu);
	free(real);
	return found;
}

int io_open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	note_stat(&st, path);
	return fd;
}

FILE *io_fopen_regular(const char *path)
{
	int fd = io_open_regular(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	if (fd >= 0 && !f)
		close(fd);
	return f;
}

static sd_status sdin_open_fd(int fd, const char *path, sd_input **out, sd_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return sd_error_errno(err, e, path, _("cannot read its status"));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		const char *what = S_ISDIR(st.st_mode)    ? _("is a folder, not a file")
		                   : S_ISFIFO(st.st_mode) ? _("is a pipe (FIFO), not a file")
		                   : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
		                       ? _("is a device, not a file")
		                       : _("is not a regular file");
		return sd_error_set(err, SD_ERR_IO, "%s: %s", path, what);
	}
	/* O_NONBLOCK only served to not hang on a FIFO while opening. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
#ifdef HAVE_POSIX_FADVISE
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	sd_input *in = xcalloc(1, sizeof *in);
	in->fd = fd;
	in->path = xstrdup(path);
	in->size = (uint64_t)st.st_size;
	in->mtime = (int64_t)st.st_mtime;
	in->mtime_nsec = st.st_mtim.tv_nsec;
	/* Only a file with fewer blocks than bytes can hold a hole; a dense
	 * one is never asked (SEEK_DATA on a file being flushed can report data
	 * in flight as a hole: one rebuild's output fingerprint in 30 was
	 * wrong). */
	in->sparse = (uint64_t)st.st_blocks * 512u < in->size;
	*out = in;
	return SD_OK;
}

void sdin_close(sd_input *in)
{
	if (!in)
		return;
	hq_stop(in->hq, true, NULL); /* before the close: it reads the fd */
	close(in->fd);
	free(in->path);
	free(in->ra);
	free(in->hs);
	free(in);
}

const char *sdin_path(const sd_input *in) { return in->path; }
uint64_t sdin_size(const sd_input *in) { return in->size; }
int64_t sdin_mtime(const sd_input *in) { return in->mtime; }

/* Test hook SYNCDOCTOR_FAULT_PAUSE_READ=N: once N bytes have been read
 * from inputs, the process stops itself (SIGSTOP), so a test can change the
 * input at a known point and continue it (SIGCONT). The input is never
 * written by syncdoctor itself. */
static void pause_read_hook(size_t len)
{
	static int state; /* 0 unparsed, 1 armed, 2 off */
	static uint64_t at, seen;
	if (state == 0) {
		const char *v = getenv("SYNCDOCTOR_FAULT_PAUSE_READ");
		state = v && *v ? 1 : 2;
		at = state == 1 ? strtoull(v, NULL, 10) : 0;
	}
	if (state != 1)
		return;
	seen += len;
	if (seen >= at) {
		state = 2;
		raise(SIGSTOP);
	}
}

void sd_test_point(const char *name)
{
	const char *v = getenv("SYNCDOCTOR_TEST_INTERRUPT");
	if (v && !strcmp(v, name))
		raise(SIGINT);
}

/* pread until len bytes or the end; -1 with errno on error. */
static ssize_t full_pread(int fd, void *buf, size_t len, uint64_t off, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t r = pread(fd, (char *)buf + *done, len - *done, (off_t)(off + *done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		*done += (size_t)r;
	}
	return (ssize_t)*done;
}

/* The fingerprint's hashing thread. BLAKE2b of the whole file costs about
 * what the rest of a check does (b2sum: 46 ms for the 33.7 MB real-shaped
 * file; the check without it: 55 ms), so on a machine with a second core
 * (a Raspberry Pi field kit has four) a second thread hashes while the
 * check works, and the check costs about the larger of the two instead of
 * their sum.
 *
 * The file is hashed front to back, each byte once, by whichever thread
 * gets there first. When a read of the check's reaches the first byte not
 * yet handed over, its bytes are handed to the thread as they are (a copy,
 * into one of HQ_SLOTS slots): the fingerprint of what the check read comes
 * from the check's read. When nothing is handed to it, the thread reads the
 * next chunk itself, ahead of the check, which spends its time on each
 * photo's structure and each feed's hashes and signatures: the thread
 * never waits for the check, and the check waits at its end only for what
 * is left to hash. (A thread fed only the check's reads fell behind wherever
 * the check hopped, and the check waited for it: no gain.) What both read
 * is counted in sdin_bytes_read(); sdin_hash_finish() gives the fingerprint
 * only if the file's size and time did not change between its opening and
 * the end of the hashing, so the bytes hashed are the bytes checked.
 *
 * The thread only reads and hashes: it never prints or touches the screen,
 * takes no signal (all blocked), and is always joined (sdin_hash_finish,
 * sdin_close), soon after an interrupt: it looks for one between chunks.
 * At most 1.25 MiB of buffers (the hand-over slots only once handed a
 * read), for the memory bound. One core, no pthreads,
 * or SYNCDOCTOR_HASH_THREAD=0: hashed in line, the gaps read by the check's
 * thread. Tests compare both ways: "1" forces the thread, "slow" too, with a
 * pause before each slot it hashes and each chunk it claims, so that the
 * check finds every slot taken. */
#define HQ_CHUNK (256u << 10)
#define HQ_SLOTS 4
/* a smaller read is left for the thread to read again (a 512-byte tar
 * header: a copy and a hand-over would cost more) */
#define HQ_COPY_MIN (16u << 10)

#ifdef HAVE_PTHREAD
/* A thread of ours (hashing, flushing): it takes no signal, so that every
 * signal goes to the main thread, whose handler sets the interrupt flag.
 * pthread_create()'s result. */
static int thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Ask a reading thread to close (*closing; *abandon: at once, after the
 * chunk it is on) and join it. */
static void thread_close(pthread_t th, pthread_mutex_t *mu, pthread_cond_t *cv, bool *closing,
                         bool *abandon, bool now)
{
	pthread_mutex_lock(mu);
	*closing = true;
	*abandon = now;
	pthread_cond_broadcast(cv);
	pthread_mutex_unlock(mu);
	pthread_join(th, NULL);
}

typedef struct hasher {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a slot queued or hashed, bytes hashed, or closing */
	crypto_generichash_state *hs;
	sd_input *in; /* the file: its fd and size (read-only here) */
	uint8_t *slot[HQ_SLOTS];
	uint64_t slot_len[HQ_SLOTS];
	uint8_t *rbuf; /* the thread's own reads */
	/* handed-over slots in file order: queue[qhead .. qhead + qcount - 1] */
	int queue[HQ_SLOTS];
	unsigned qhead, qcount;
	bool slot_used[HQ_SLOTS]; /* queued or being hashed */
	uint64_t next;            /* bytes [0, next) are handed over or claimed */
	uint64_t done;            /* bytes [0, done) are hashed */
	bool closing, abandon, failed;
	bool slow;           /* test hook: 2 ms before each slot and claim, so they fill */
	uint64_t bytes_read; /* by the thread */
} hasher;

/* Claim and hash the next chunk (or hole), then lock again: the caller
 * holds the lock, and the queue is empty. */
static void hq_claim(hasher *h)
{
	uint64_t off = h->next, size = sdin_size(h->in);
	/* A hole (sparse file) is hashed as its length, not read as zeros: a
	 * terabyte hole would take hours. Mapeo never writes sparse files. */
	uint64_t data = sdin_next_data(h->in, off);
	uint64_t len = data > off ? data - off : (size - off < HQ_CHUNK ? size - off : HQ_CHUNK);
	h->next = off + len;
	pthread_mutex_unlock(&h->mu);
	size_t n = 0;
	bool ok = true;
	if (data > off) {
		char mark[48];
		int m = snprintf(mark, sizeof mark, "\nhole %llu\n", (unsigned long long)len);
		crypto_generichash_update(h->hs, (const uint8_t *)mark, (size_t)m);
	} else if (full_pread(h->in->fd, h->rbuf, (size_t)len, off, &n) < 0 || n != len) {
		ok = false;
	} else {
		crypto_generichash_update(h->hs, h->rbuf, n);
	}
	pthread_mutex_lock(&h->mu);
	h->bytes_read += n;
	if (!ok) {
		h->failed = true; /* the file ended early or cannot be read */
		h->next = h->done = size;
	} else {
		h->done = off + len;
	}
	pthread_cond_broadcast(&h->cv);
}

static void *hq_main(void *arg)
{
	hasher *h = arg;
	uint64_t size = sdin_size(h->in);
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->qcount && h->next >= size && !h->closing)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->abandon || (h->closing && !h->qcount && h->next >= size))
			break;
		if (!h->qcount) {
			if (h->slow) {
				pthread_mutex_unlock(&h->mu);
				nanosleep(&(struct timespec){0, 2000000}, NULL);
				pthread_mutex_lock(&h->mu);
			}
			/* the check may have handed some over meanwhile */
			if (!h->qcount && h->next < size)
				hq_claim(h);
			continue;
		}
		int s = h->queue[h->qhead];
		h->qhead = (h->qhead + 1) % HQ_SLOTS;
		h->qcount--;
		pthread_mutex_unlock(&h->mu);
		if (h->slow)
			nanosleep(&(struct timespec){0, 2000000}, NULL);
		crypto_generichash_update(h->hs, h->slot[s], (size_t)h->slot_len[s]);
		pthread_mutex_lock(&h->mu);
		h->slot_used[s] = false;
		h->done += h->slot_len[s];
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Free a hasher whose thread is joined or never ran. */
static void hq_free(hasher *h)
{
	for (int i = 0; i < HQ_SLOTS; i++)
		free(h->slot[i]);
	free(h->rbuf);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

/* Whether to hash in a thread (else in line), and *slow the test hook.
 * One core: the thread would only take turns with the check. A busy
 * machine is no reason to hash in line: the thread costs no more CPU than
 * hashing in line does (bench/RESULTS.md), and gains wherever the
 * scheduler finds a core. SYNCDOCTOR_HASH_THREAD: "0" in line, "1" a
 * thread, "slow" a thread that pauses (tests). */
static bool thread_wanted(bool *slow)
{
	const char *v = getenv("SYNCDOCTOR_HASH_THREAD");
	*slow = v && !strcmp(v, "slow");
	if (v && !strcmp(v, "0"))
		return false;
	return (v && (!strcmp(v, "1") || *slow)) || sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* A thread hashing the file into hs, or NULL when it should be done in
 * line. */
static hasher *hq_start(crypto_generichash_state *hs, sd_input *in)
{
	bool slow;
	if (!thread_wanted(&slow))
		return NULL;
	hasher *h = xcalloc(1, sizeof *h);
	h->hs = hs;
	h->in = in;
	h->slow = slow;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	/* the slots are allocated when first handed a read (hq_feed): a
	 * thread that reads everything itself (sdin_hash_solo()) has none */
	h->rbuf = xmalloc(HQ_CHUNK);
	if (thread_start(&h->th, hq_main, h) != 0) {
		hq_free(h);
		return NULL;
	}
	return h;
}

/* The check read p[0, n) at off: the part from the first byte not yet
 * handed over is copied into free slots and queued; what does not fit, or
 * a small read, is left for the thread to read itself. */
static void hq_feed(hasher *h, const uint8_t *p, size_t n, uint64_t off)
{
	/* bytes past the size at opening (a file that grew) are not the
	 * file's: sdin_hash_finish() finds it changed */
	uint64_t size = sdin_size(h->in);
	if (off >= size)
		return;
	if (n > size - off)
		n = (size_t)(size - off);
	if (n < HQ_COPY_MIN)
		return;
	pthread_mutex_lock(&h->mu);
	while (off <= h->next && h->next < off + n) {
		/* a slot neither queued nor being hashed, or leave the rest */
		int s = 0;
		while (s < HQ_SLOTS && h->slot_used[s])
			s++;
		if (s == HQ_SLOTS)
			break;
		uint64_t from = h->next - off;
		size_t k = n - from < HQ_CHUNK ? (size_t)(n - from) : HQ_CHUNK;
		if (!h->slot[s])
			h->slot[s] = xmalloc(HQ_CHUNK);
		memcpy(h->slot[s], p + from, k);
		h->slot_len[s] = k;
		h->slot_used[s] = true;
		h->queue[(h->qhead + h->qcount) % HQ_SLOTS] = s;
		h->qcount++;
		h->next += k;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
}

/* Wait until more bytes are hashed: how many are, or UINT64_MAX once the
 * thread gave up (hq_stop() says so). For the progress bar and an interrupt
 * while the check waits for the thread. */
static uint64_t hq_wait(hasher *h)
{
	uint64_t size = sdin_size(h->in);
	pthread_mutex_lock(&h->mu);
	uint64_t before = h->done;
	while (h->done == before && h->done < size && !h->failed)
		pthread_cond_wait(&h->cv, &h->mu);
	uint64_t d = h->failed ? UINT64_MAX : h->done;
	pthread_mutex_unlock(&h->mu);
	return d;
}

/* Join the thread: unless abandoned (an interrupt, an error) after every
 * byte of the file is in hs; then the thread stops after the chunk it
 * hashes. Adds the thread's reads to *bytes_read; false when the thread
 * could not read the file to its end. */
static bool hq_stop(hasher *h, bool abandon, uint64_t *bytes_read)
{
	if (!h)
		return true;
	thread_close(h->th, &h->mu, &h->cv, &h->closing, &h->abandon, abandon);
	bool ok = !h->failed;
	if (bytes_read)
		*bytes_read += h->bytes_read;
	hq_free(h);
	return ok;
}
#else
typedef struct hasher hasher;
static hasher *hq_start(crypto_generichash_state *hs, sd_input *in) { return NULL; }
static void hq_feed(hasher *h, const uint8_t *p, size_t n, uint64_t off) {}
static uint64_t hq_wait(hasher *h) { return UINT64_MAX; }
static bool hq_stop(hasher *h, bool abandon, uint64_t *bytes_read) { return true; }
#endif

/* Feed the fingerprint with bytes just read at off. With the thread: hand
 * them over (hq_feed). In line: the part past hpos, after reading the gap
 * before it when it is short (up to HASH_GAP). */
static void hash_note(sd_input *in, const uint8_t *buf, size_t got, uint64_t off)
{
	if (in->hq) {
		if (!in->hq_solo)
			hq_feed(in->hq, buf, got, off);
		return;
	}
	if (!in->hs || in->hash_failed || off + got <= in->hpos)
		return;
	if (off > in->hpos) {
		if (off - in->hpos > HASH_GAP)
			return;
		uint8_t gap[1 << 16];
		while (in->hpos < off) {
			size_t want =
			    off - in->hpos < sizeof gap ? (size_t)(off - in->hpos) : sizeof gap;
			size_t n;
			if (full_pread(in->fd, gap, want, in->hpos, &n) < 0 || n != want) {
				in->hash_failed = true; /* sdin_hash_finish() reports it */
				return;
			}
			in->bytes_read += n;
			crypto_generichash_update(in->hs, gap, n);
			in->hpos += n;
		}
	}
	size_t skip = (size_t)(in->hpos - off);
	crypto_generichash_update(in->hs, buf + skip, got - skip);
	in->hpos = off + got;
}

/* One read from the file: what every input read comes down to. */
static sd_status raw_read(sd_input *in, void *buf, size_t len, uint64_t off, size_t *got,
                          sd_error *err)
{
	size_t done;
	if (full_pread(in->fd, buf, len, off, &done) < 0) {
		*got = done;
		return sd_error_set(err, SD_ERR_IO, _("%s: read error at byte %llu: %s"), in->path,
		                    (unsigned long long)(off + done), strerror(errno));
	}
	*got = done;
	in->bytes_read += done;
	hash_note(in, buf, done, off);
	return SD_OK;
}

sd_status sdin_pread(sd_input *in, void *buf, size_t len, uint64_t off, size_t *got, sd_error *err)
{
	pause_read_hook(len);
	size_t g = 0;
	sd_status st = SD_OK;
	if (in->ra_len && off >= in->ra_off && off + len <= in->ra_off + in->ra_len) {
		memcpy(buf, in->ra + (off - in->ra_off), len);
		g = len;
	} else if (len < RA_SIZE / 4 && off >= in->last_end && off - in->last_end <= RA_HOP &&
	           off - in->last_end <= len) {
		/* the second of two small reads in a row: read ahead */
		if (!in->ra)
			in->ra = xmalloc(RA_SIZE);
		in->ra_len = 0;
		st = raw_read(in, in->ra, RA_SIZE, off, &in->ra_len, err);
		if (st == SD_OK) {
			in->ra_off = off;
			g = len < in->ra_len ? len : in->ra_len;
			memcpy(buf, in->ra, g);
		} else {
			in->ra_len = 0;
		}
	} else {
		st = raw_read(in, buf, len, off, &g, err);
	}
	in->last_end = off + g;
	if (got)
		*got = g;
	return st;
}

/* The digest of hs, as lowercase hex, into out (KEYS_HEX_SIZE bytes). */
static void hash_hex(crypto_generichash_state *hs, char *out)
{
	uint8_t h[32];
	crypto_generichash_final(hs, h, sizeof h);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
}

/* A BLAKE2b-256 state, aligned as libsodium wants it (never NULL). */
static crypto_generichash_state *hash_state_new(void)
{
	size_t n = (sizeof(crypto_generichash_state) + 63) / 64 * 64;
	crypto_generichash_state *hs = aligned_alloc(64, n);
	if (!hs)
		sd_fatal(_("out of memory (could not allocate %zu bytes)"), n);
	return hs;
}

sd_status sdin_hash_start(sd_input *in)
{
	/* libsodium picks its fastest BLAKE2b at init: before it, the portable
	 * one runs at half the speed */
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	if (!in->hs)
		in->hs = hash_state_new();
	hq_stop(in->hq, true, NULL); /* a second start begins again */
	in->hq = NULL;
	crypto_generichash_init(in->hs, NULL, 0, 32);
	in->hpos = 0;
	in->hash_failed = false;
	in->hq = hq_start(in->hs, in);
	return SD_OK;
}

bool sdin_hash_start_threaded(sd_input *in)
{
	sdin_hash_start(in);
	if (in->hq)
		return true;
	free(in->hs);
	in->hs = NULL;
	return false;
}

bool sdin_hashing(const sd_input *in) { return in->hs != NULL; }

void sdin_hash_solo(sd_input *in) { in->hq_solo = true; }

/* In line: hash [hpos, size), what the reads left, holes as their
 * length. */
static sd_status hash_rest(sd_input *in, const sd_progress *prog, sd_error *err)
{
	size_t bufsz = 1 << 20;
	uint8_t *buf = xmalloc(bufsz);
	sd_status st = SD_OK;
	while (in->hpos < in->size) {
		if (sd_progress_cancelled(prog)) {
			st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
			break;
		}
		/* as hq_claim() does */
		uint64_t data = sdin_next_data(in, in->hpos);
		if (data > in->hpos) {
			char mark[48];
			int m = snprintf(mark, sizeof mark, "\nhole %llu\n",
			                 (unsigned long long)(data - in->hpos));
			crypto_generichash_update(in->hs, (const uint8_t *)mark, (size_t)m);
			in->hpos = data;
			continue;
		}
		size_t want = in->size - in->hpos < bufsz ? (size_t)(in->size - in->hpos) : bufsz;
		size_t n;
		in->hash_failed = false;
		if ((st = raw_read(in, buf, want, in->hpos, &n, err)) != SD_OK)
			break;
		if (n == 0 || in->hash_failed) {
			in->hash_failed = true;
			break;
		}
		sd_progress_report(prog, _("fingerprint"), in->hpos, in->size, 0, 0);
	}
	free(buf);
	return st;
}

/* With the thread: wait for it to hash the whole file. */
static sd_status hash_wait(sd_input *in, const sd_progress *prog, sd_error *err)
{
	for (uint64_t d = 0; d < in->size;) {
		if (sd_progress_cancelled(prog))
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		d = hq_wait(in->hq);
		if (d <= in->size)
			sd_progress_report(prog, _("fingerprint"), d, in->size, 0, 0);
	}
	return SD_OK;
}

sd_status sdin_hash_finish(sd_input *in, const sd_progress *prog, char *out, sd_error *err)
{
	out[0] = '\0';
	if (!in->hs)
		sdin_hash_start(in); /* then it is a plain read of the whole file */
	sd_status st = in->hq ? hash_wait(in, prog, err) : hash_rest(in, prog, err);
	if (!hq_stop(in->hq, st != SD_OK, &in->bytes_read))
		in->hash_failed = true;
	in->hq = NULL;
	/* The bytes hashed are the file's as the check read them only if it
	 * did not change meanwhile: it ended early, or has a new size or
	 * time. */
	if (st == SD_OK && in->hash_failed)
		st = sd_error_set(err, SD_ERR_CHANGED,
		                  _("%s: the file changed while it was being read (size "
		                    "%llu, now %llu); another program is writing it"),
		                  in->path, (unsigned long long)in->size,
		                  (unsigned long long)in->hpos);
	if (st == SD_OK)
		st = sdin_check_unchanged(in, err);
	if (st == SD_OK)
		hash_hex(in->hs, out);
	free(in->hs);
	in->hs = NULL;
	return st;
}

uint64_t sdin_bytes_read(const sd_input *in) { return in->bytes_read; }

sd_status sdin_read_exact(sd_input *in, void *buf, size_t len, uint64_t off, sd_error *err)
{
	size_t got = 0;
	sd_status st = sdin_pread(in, buf, len, off, &got, err);
	if (st != SD_OK)
		return st;
	if (got != len)
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    _("%s: the file ends at byte %llu, inside data that should reach byte "
		      "%llu"),
		    in->path, (unsigned long long)(off + got), (unsigned long long)(off + len));
	return SD_OK;
}

uint64_t sdin_next_data(sd_input *in, uint64_t off)
{
	if (!in->sparse)
		return off;
#ifdef SEEK_DATA
	off_t d = lseek(in->fd, (off_t)off, SEEK_DATA);
	if (d >= 0)
		return (uint64_t)d > off ? (uint64_t)d : off;
	if (errno == ENXIO) /* only a hole until the end */
		return in->size > off ? in->size : off;
#endif
	return off;
}

sd_status sdin_check_unchanged(sd_input *in, sd_error *err)
{
	struct stat st;
	if (fstat(in->fd, &st) != 0)
		return sd_error_errno(err, errno, in->path, _("cannot read its status"));
	if ((uint64_t)st.st_size != in->size || (int64_t)st.st_mtime != in->mtime ||
	    st.st_mtim.tv_nsec != in->mtime_nsec)
		return sd_error_set(
		    err, SD_ERR_CHANGED,
		    _("%s: the file changed while it was being read (size %llu, now "
		      "%llu); another program is writing it"),
		    in->path, (unsigned long long)in->size, (unsigned long long)st.st_size);
	return SD_OK;
}

/* ---- outputs ---- */

struct sd_output {
	int fd;
	char *target;
	char *tmp;
	char *dir;
	uint64_t off;
	int fault_errno;
	uint64_t fault_at;
	uint64_t kill_at;             /* SYNCDOCTOR_FAULT_KILL: SIGKILL at this byte (0: never) */
	crypto_generichash_state *hs; /* the fingerprint, when sdout_hash_start()ed */
	struct out_hasher *oh;        /* its thread, when one runs */
	struct sd_output *next;
};

static void oh_stop(sd_output *o, bool abandon);

/* Open outputs, for sdout_cleanup_all() from a signal handler. */
static struct sd_output *volatile open_outputs;

static void list_remove(sd_output *o)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	struct sd_output *volatile *pp = &open_outputs;
	while (*pp && *pp != o)
		pp = &(*pp)->next;
	if (*pp)
		*pp = o->next;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void sdout_cleanup_all(void)
{
	for (struct sd_output *o = open_outputs; o; o = o->next)
		unlink(o->tmp);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void parse_fault(sd_output *o)
{
	const char *k = getenv("SYNCDOCTOR_FAULT_KILL");
	if (k && *k)
		o->kill_at = strtoull(k, NULL, 10) + 1;
	const char *f = getenv("SYNCDOCTOR_FAULT_WRITE");
	if (!f || !*f)
		return;
	const char *colon = strchr(f, ':');
	if (strncmp(f, "ENOSPC", 6) == 0)
		o->fault_errno = ENOSPC;
	else if (strncmp(f, "EIO", 3) == 0)
		o->fault_errno = EIO;
	else
		return;
	o->fault_at = colon ? strtoull(colon + 1, NULL, 10) : 0;
}

sd_status io_check_target(const char *target, bool force, sd_error *err)
{
	return io_check_target_for(target, force, SD_FRONT_CLI, err);
}

sd_status io_check_target_for(const char *target, bool force, sd_front front, sd_error *err)
{
	struct stat st;
	char *dir = read_dir_around(target);
	if (dir) {
		sd_error_set(err, SD_ERR_USAGE,
		             _("%s is inside %s, which is read: syncdoctor never writes into "
		               "what it reads; write the file somewhere else"),
		             target, dir);
		free(dir);
		return SD_ERR_USAGE;
	}
	if (lstat(target, &st) != 0)
		return SD_OK;
	if (S_ISREG(st.st_mode) && io_is_read(target))
		return sd_error_set(err, SD_ERR_USAGE,
		                    _("%s is read by this run: syncdoctor never writes to a file "
		                      "it reads; choose another name"),
		                    target);
	/* The rename would put a regular file in place of a device node, a
	 * FIFO, a socket or a link (as root on a field kit, /dev/null itself):
	 * never, whatever --force says. */
	if (!S_ISREG(st.st_mode)) {
		const char *what = S_ISDIR(st.st_mode)    ? _("is a folder")
		                   : S_ISLNK(st.st_mode)  ? _("is a symbolic link")
		                   : S_ISFIFO(st.st_mode) ? _("is a pipe (FIFO)")
		                   : S_ISSOCK(st.st_mode) ? _("is a socket")
		                   : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
		                       ? _("is a device")
		                       : _("is not a regular file");
		/* the wizard has no --force: it asks before it replaces */
		return front == SD_FRONT_WIZARD
		           ? sd_error_set(err, SD_ERR_EXISTS,
		                          _("%s %s: syncdoctor only ever replaces a regular file; "
		                            "choose another name"),
		                          target, what)
		           : sd_error_set(err, SD_ERR_EXISTS,
		                          _("%s %s: syncdoctor only ever replaces a regular file, "
		                            "even with --force; choose another name"),
		                          target, what);
	}
	if (!force)
		return front == SD_FRONT_WIZARD
		           ? sd_error_set(err, SD_ERR_EXISTS,
		                          _("%s already exists; choose another name"), target)
		           : sd_error_set(
		                 err, SD_ERR_EXISTS,
		                 _("%s already exists; choose another name or use --force"),
		                 target);
	return SD_OK;
}

/* ".NAME.sdtmp-XXXXXX": what sdout_open() creates beside target NAME. */
static bool is_own_temp(const char *entry, const char *base)
{
	size_t bl = strlen(base);
	return entry[0] == '.' && !strncmp(entry + 1, base, bl) &&
	       !strncmp(entry + 1 + bl, ".sdtmp-", 7) && strlen(entry + 1 + bl + 7) == 6;
}

char **io_stale_temps(const char *target)
{
	char *dir = dir_of(target);
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	char **v = NULL;
	size_t n = 0, cap = 0;
	SD_GROW(v, cap, 1);
	v[0] = NULL;
	DIR *d = *base ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!is_own_temp(de->d_name, base))
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		/* Only regular files of this user: a name alone proves little. */
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()) {
			SD_GROW(v, cap, n + 2);
			v[n++] = p;
			v[n] = NULL;
		} else {
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(dir);
	return v;
}

void io_free_list(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

void sdout_set_mode(sd_output *o, unsigned mode) { fchmod(o->fd, (mode_t)mode); }

sd_status sdout_open(const char *target, bool force, sd_output **out, sd_error *err)
{
	return sdout_open_for(target, force, SD_FRONT_CLI, out, err);
}

sd_status sdout_open_for(const char *target, bool force, sd_front front, sd_output **out,
                         sd_error *err)
{
	*out = NULL;
	sd_status cs = io_check_target_for(target, force, front, err);
	if (cs != SD_OK)
		return cs;
	sd_output *o = xcalloc(1, sizeof *o);
	o->target = xstrdup(target);
	o->dir = dir_of(target);
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	o->tmp = xasprintf("%s/.%s.sdtmp-XXXXXX", o->dir, base);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		sd_status s =
		    sd_error_errno(err, errno, o->dir, _("cannot create a file in this folder"));
		free(o->target), free(o->dir), free(o->tmp), free(o);
		return s;
	}
	fchmod(o->fd, 0644);
	parse_fault(o);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	o->next = open_outputs;
	open_outputs = o;
	sigprocmask(SIG_SETMASK, &old, NULL);
	*out = o;
	return SD_OK;
}

/* The output's fingerprint (what sdin_hash_finish() would give for the
 * finished file, and `b2sum -l 256` prints) is taken by a thread that reads
 * back what was written, behind the writer: from the file, through the page
 * cache, not from the writer's buffers. Hashing the output after its
 * read-back check had put a whole BLAKE2b pass (29 to 58 ms for 33.7 MB)
 * on the rebuild's path; behind the writer it runs beside the write and the
 * check on the second core (bench/RESULTS.md). The thread only reads and
 * hashes, takes no signal, stops when asked between chunks, and is always
 * joined (sdout_hash_finish, sdout_abort). One core, no pthreads or
 * SYNCDOCTOR_HASH_THREAD=0: the file is read back and hashed in line by
 * sdout_hash_finish(). */
#define OH_CHUNK (64u << 10)

#ifdef HAVE_PTHREAD
typedef struct out_hasher {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* more written, or closing */
	int fd;
	crypto_generichash_state *hs;
	uint8_t *buf;
	uint64_t written; /* bytes [0, written) are in the file */
	uint64_t done;    /* bytes [0, done) are hashed (the thread's own) */
	bool closing, abandon, failed;
	bool slow; /* test hook: 2 ms before each chunk, so the writer runs ahead */
} out_hasher;

static void *oh_main(void *arg)
{
	out_hasher *h = arg;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->done == h->written && !h->closing && !h->abandon)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->abandon || h->done == h->written)
			break;
		uint64_t off = h->done;
		size_t want = h->written - off < OH_CHUNK ? (size_t)(h->written - off) : OH_CHUNK;
		pthread_mutex_unlock(&h->mu);
		if (h->slow)
			nanosleep(&(struct timespec){0, 2000000}, NULL);
		size_t n = 0;
		bool ok = full_pread(h->fd, h->buf, want, off, &n) >= 0 && n == want;
		if (ok)
			crypto_generichash_update(h->hs, h->buf, n);
		pthread_mutex_lock(&h->mu);
		if (!ok) {
			h->failed = true;
			break;
		}
		h->done = off + n;
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static out_hasher *oh_start(sd_output *o)
{
	bool slow;
	if (!thread_wanted(&slow))
		return NULL;
	out_hasher *h = xcalloc(1, sizeof *h);
	h->fd = o->fd;
	h->hs = o->hs;
	h->written = o->off;
	h->buf = xmalloc(OH_CHUNK);
	h->slow = slow;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (thread_start(&h->th, oh_main, h) != 0) {
		free(h->buf);
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	return h;
}

/* Tell the thread how far the file is written. */
static void oh_written(sd_output *o)
{
	out_hasher *h = o->oh;
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->written = o->off;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/* Join the thread: after it hashed everything written, or at once
 * (abandon). False when it could not read the file back. */
static bool oh_join(sd_output *o, bool abandon)
{
	out_hasher *h = o->oh;
	if (!h)
		return true;
	thread_close(h->th, &h->mu, &h->cv, &h->closing, &h->abandon, abandon);
	bool ok = !h->failed && h->done == o->off;
	free(h->buf);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
	o->oh = NULL;
	return ok;
}
#else
typedef struct out_hasher out_hasher;
static out_hasher *oh_start(sd_output *o) { return NULL; }
static void oh_written(sd_output *o) {}
static bool oh_join(sd_output *o, bool abandon) { return true; }
#endif

/* Stop taking the fingerprint (an abort): nothing is kept. */
static void oh_stop(sd_output *o, bool abandon)
{
	oh_join(o, abandon);
	free(o->hs);
	o->hs = NULL;
}

void sdout_hash_start(sd_output *o)
{
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	oh_stop(o, true); /* a second start begins again */
	o->hs = hash_state_new();
	crypto_generichash_init(o->hs, NULL, 0, 32);
	/* without the thread, sdout_hash_finish() reads it all back */
	o->oh = oh_start(o);
}

sd_status sdout_hash_finish(sd_output *o, const sd_progress *prog, char *out, sd_error *err)
{
	out[0] = '\0';
	if (!o->hs)
		sdout_hash_start(o); /* then it is a read-back of the whole file */
	uint64_t from = 0;
	if (o->oh) {
		bool ok = oh_join(o, sd_progress_cancelled(prog));
		if (sd_progress_cancelled(prog)) {
			oh_stop(o, true);
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		}
		if (!ok) {
			oh_stop(o, true);
			return sd_error_set(err, SD_ERR_IO,
			                    _("%s: cannot read back what was written"), o->target);
		}
		from = o->off;
	}
	/* in line: read the whole file back */
	uint8_t *buf = from < o->off ? xmalloc(OH_CHUNK) : NULL;
	sd_status st = SD_OK;
	while (from < o->off) {
		if (sd_progress_cancelled(prog)) {
			st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
			break;
		}
		size_t want = o->off - from < OH_CHUNK ? (size_t)(o->off - from) : OH_CHUNK, n = 0;
		if (full_pread(o->fd, buf, want, from, &n) < 0 || n != want) {
			st = sd_error_set(err, SD_ERR_IO,
			                  _("%s: cannot read back what was written"), o->target);
			break;
		}
		crypto_generichash_update(o->hs, buf, n);
		from += n;
	}
	free(buf);
	if (st == SD_OK)
		hash_hex(o->hs, out);
	oh_stop(o, true);
	return st;
}

sd_status sdout_write(sd_output *o, const void *buf, size_t len, sd_error *err)
{
	const char *p = buf;
	while (len) {
		size_t chunk = len;
		if (o->kill_at) {
			/* the process dies as a power cut or kill -9 would leave it:
			 * exactly N bytes written, nothing cleaned up */
			if (o->off + 1 >= o->kill_at)
				raise(SIGKILL);
			if (o->off + chunk >= o->kill_at)
				chunk = (size_t)(o->kill_at - 1 - o->off);
		}
		if (o->fault_errno) {
			if (o->off >= o->fault_at || o->off + chunk > o->fault_at) {
				if (o->off >= o->fault_at)
					return sd_error_errno(err, o->fault_errno, o->target,
					                      _("cannot write"));
				chunk = (size_t)(o->fault_at - o->off);
			}
		}
		ssize_t w = write(o->fd, p, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return sd_error_errno(err, errno, o->target, _("cannot write"));
		}
		p += w;
		len -= (size_t)w;
		o->off += (uint64_t)w;
	}
	oh_written(o);
	return SD_OK;
}

uint64_t sdout_offset(const sd_output *o) { return o->off; }
const char *sdout_tmp_path(const sd_output *o) { return o->tmp; }

static void out_free(sd_output *o)
{
	list_remove(o);
	free(o->target), free(o->dir), free(o->tmp), free(o);
}

void sdout_abort(sd_output *o)
{
	if (!o)
		return;
	oh_stop(o, true);
	if (o->fd >= 0)
		close(o->fd);
	unlink(o->tmp);
	out_free(o);
}

#ifdef HAVE_PTHREAD
typedef struct flusher {
	int fd;
	int rc, err;
} flusher;

static void *flush_main(void *arg)
{
	flusher *f = arg;
	f->rc = fsync(f->fd);
	f->err = errno;
	return NULL;
}
#endif

/* fsync the output and verify it: both before the rename, in a second
 * thread at the same time when there is one. The verify reads the file
 * back through the page cache, which holds the same bytes whether or not
 * they have reached the disk yet, and flushing 33 MB to disk takes about
 * as long as checking them: a rebuild waited for the sum. The thread only
 * calls fsync(), takes no signal and is always joined before the outcome
 * is known; a flush error wins over the verify's. */
static sd_status flush_and_verify(sd_output *o, sdout_verify_fn verify, void *ud, sd_error *err)
{
	int frc = 0, ferr = 0;
	sd_status st = SD_OK;
#ifdef HAVE_PTHREAD
	flusher f = {.fd = o->fd};
	pthread_t th;
	bool threaded = verify && thread_start(&th, flush_main, &f) == 0;
	if (threaded) {
		st = verify(ud, o->tmp, err);
		pthread_join(th, NULL);
		frc = f.rc, ferr = f.err;
	} else
#endif
	{
		frc = fsync(o->fd), ferr = errno;
		if (frc == 0 && verify)
			st = verify(ud, o->tmp, err);
	}
	if (frc != 0)
		return sd_error_errno(err, ferr, o->target, _("cannot flush to disk"));
	return st;
}

sd_status sdout_commit(sd_output *o, sdout_verify_fn verify, void *ud, sd_error *err)
{
	sd_status st = flush_and_verify(o, verify, ud, err);
	oh_stop(o, true); /* a fingerprint the verify did not finish */
	if (st != SD_OK)
		goto fail;
	if (close(o->fd) != 0) {
		o->fd = -1;
		st = sd_error_errno(err, errno, o->target, _("cannot close"));
		goto fail;
	}
	o->fd = -1;
	if (rename(o->tmp, o->target) != 0) {
		st = sd_error_errno(err, errno, o->target, _("cannot rename the finished file"));
		goto fail;
	}
	int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	out_free(o);
	return SD_OK;
fail:
	sdout_abort(o);
	return st;
}

int io_temp_fd(const char *stem, char **dir)
{
	const char *env = getenv("TMPDIR");
	const char *d = env && *env ? env : "/tmp";
	char *path = xasprintf("%s/syncdoctor-%s-XXXXXX", d, stem);
	int fd = mkstemp(path);
	int e = errno;
	if (fd >= 0)
		unlink(path);
	free(path);
	if (dir)
		*dir = xstrdup(d);
	errno = e;
	return fd;
}

bool sd_free_space(const char *path, uint64_t *bytes)
{
#ifdef HAVE_STATVFS
	struct statvfs sv;
	if (statvfs(path, &sv) != 0) {
		char *d = dir_of(path);
		int r = statvfs(d, &sv);
		free(d);
		if (r != 0)
			return false;
	}
	*bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	return true;
#else
	(void)path;
	(void)bytes;
	return false;
#endif
}

char *sd_state_path(const char *name)
{
	const char *state = getenv("XDG_STATE_HOME");
	if (state && state[0] == '/')
		return xasprintf("%s/syncdoctor/%s", state, name);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.local/state/syncdoctor/%s", home, name);
	return NULL;
}

bool sd_mkdir_p(const char *dir, unsigned mode)
{
	char *d = xstrdup(dir);
	bool ok = true;
	for (char *p = d + 1; ok; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (*d && mkdir(d, (mode_t)mode) != 0 && errno != EEXIST)
				ok = false;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(d);
	struct stat st;
	return ok && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}
