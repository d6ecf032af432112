/* SPDX-License-Identifier: MIT */
/*
 * store.c -- DMARC evaluations in an LMDB environment, with group commit.
 *
 * Databases (format 1):
 *   "meta"  "version" -> 4 octets big-endian, the format (1)
 *           "seq"     -> 8 octets big-endian, the next sequence number
 *   "eval"  key:   policy domain (lowercase) 0x00 time seq
 *                  time: 8 octets big-endian of the int64 with its sign
 *                  bit flipped (so keys sort by time), seq: 8 octets
 *                  big-endian; keys sort by (domain, time, seq)
 *           value: one record, below
 *
 * Record: octet 1 (the record version), then the fields of struct
 * mstore_eval in this order: record, discovery_method, source_ip,
 * disposition, dkim_aligned, spf_aligned, reason, header_from,
 * envelope_from, envelope_to, ndkim and per DKIM result (domain,
 * selector, result), spf_domain, spf_scope, spf_result. Integers are
 * zigzag LEB128 varints; strings are a varint of (length + 1), 0 for
 * NULL, then the octets. Fields added later are appended, and readers
 * ignore octets after the fields they know; the version octet changes
 * only for an incompatible change (then old readers skip the record).
 *
 * Durability: every transaction commits with LMDB's default sync (fsync
 * of the data file; never MDB_NOSYNC). mstore_add() queues its encoded
 * record and waits; whichever caller finds no commit running takes every
 * queued record, writes them in one transaction, commits, marks them done
 * and wakes all waiters (group commit). A kill at any point leaves either
 * the old or the new committed state (LMDB's copy-on-write pages and
 * meta page switch); the robust write mutex is recovered by the next
 * writer, and stale reader slots are cleared at open (mdb_reader_check).
 *
 * The map grows by doubling on MDB_MAP_FULL: every transaction of this
 * process holds txlock shared, and mdb_env_set_mapsize() runs with it held
 * exclusively (LMDB requires that no transaction of the process is
 * active). MDB_MAP_RESIZED (another process grew it) adopts the new size.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "milter.h"

#define FORMAT_VERSION 1
#define RECORD_VERSION 1
#define STR_MAX 4096
#define RECORD_TEXT_MAX 8192
#define DKIM_MAX 64
#define DOMAIN_MAX 253
#define KEY_MAX (DOMAIN_MAX + 1 + 16)
/* The map stops growing here. */
#define MAP_MAX ((size_t)1 << 40)
#define MAP_MIN ((size_t)32 << 10)

struct pending {
	struct pending *next;
	uint8_t key[KEY_MAX];
	size_t keylen;
	uint8_t *val;
	size_t vallen;
	int rc;
	char err[256];
	bool done;
};

struct mstore {
	MDB_env *env;
	MDB_dbi meta, eval;
	pthread_rwlock_t txlock;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pending *head, **tail;
	bool writing;
	uint64_t commits, adds;
};

static void
errf(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ encoding */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void
put_bytes(struct wbuf *w, const void *b, size_t n)
{
	if (w->oom)
		return;
	if (w->cap - w->len < n) {
		size_t ncap = w->cap == 0 ? 256 : w->cap;
		uint8_t *np;

		while (ncap - w->len < n)
			ncap *= 2;
		np = realloc(w->p, ncap);
		if (np == NULL) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = ncap;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void
put_uvar(struct wbuf *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			b[n] |= 0x80;
		n++;
	} while (v != 0);
	put_bytes(w, b, n);
}

static void
put_int(struct wbuf *w, int64_t v)
{
	put_uvar(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void
put_str(struct wbuf *w, const char *s)
{
	size_t n;

	if (s == NULL) {
		put_uvar(w, 0);
		return;
	}
	n = strlen(s);
	put_uvar(w, (uint64_t)n + 1);
	put_bytes(w, s, n);
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
	char *arena;     /* strings, NUL-terminated; size >= len */
	size_t aoff;
};

static uint64_t
get_uvar(struct rbuf *r)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (!r->bad) {
		uint8_t b;

		if (r->off >= r->len || shift > 63) {
			r->bad = true;
			break;
		}
		b = r->p[r->off++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
		shift += 7;
	}
	return 0;
}

static int
get_int(struct rbuf *r)
{
	uint64_t u = get_uvar(r);
	int64_t v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);

	if (v < INT32_MIN || v > INT32_MAX) {
		r->bad = true;
		return 0;
	}
	return (int)v;
}

/* Each string's length prefix is at least one octet, so the arena (as
 * large as the record) always has room for the string and its NUL. */
static const char *
get_str(struct rbuf *r)
{
	uint64_t n = get_uvar(r);
	char *s;

	if (r->bad || n == 0)
		return NULL;
	n--;
	if (n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	s = r->arena + r->aoff;
	memcpy(s, r->p + r->off, (size_t)n);
	s[n] = '\0';
	if (memchr(s, '\0', (size_t)n) != NULL) {
		r->bad = true;
		return NULL;
	}
	r->off += (size_t)n;
	r->aoff += (size_t)n + 1;
	return s;
}

static bool
str_ok(const char *s, size_t max)
{
	return s == NULL || strlen(s) <= max;
}

static int
encode_eval(struct wbuf *w, const struct mstore_eval *e, char *err,
    size_t errcap)
{
	size_t i;

	if (!str_ok(e->record, RECORD_TEXT_MAX) ||
	    !str_ok(e->source_ip, STR_MAX) || !str_ok(e->header_from, STR_MAX) ||
	    !str_ok(e->envelope_from, STR_MAX) ||
	    !str_ok(e->envelope_to, STR_MAX) || !str_ok(e->spf_domain, STR_MAX) ||
	    e->ndkim > DKIM_MAX || (e->ndkim > 0 && e->dkim == NULL)) {
		errf(err, errcap, "store: evaluation too large");
		return -1;
	}
	for (i = 0; i < e->ndkim; i++) {
		if (!str_ok(e->dkim[i].domain, STR_MAX) ||
		    !str_ok(e->dkim[i].selector, STR_MAX)) {
			errf(err, errcap, "store: evaluation too large");
			return -1;
		}
	}
	put_bytes(w, (const uint8_t[]){ RECORD_VERSION }, 1);
	put_str(w, e->record);
	put_int(w, e->discovery_method);
	put_str(w, e->source_ip);
	put_int(w, e->disposition);
	put_int(w, e->dkim_aligned);
	put_int(w, e->spf_aligned);
	put_int(w, e->reason);
	put_str(w, e->header_from);
	put_str(w, e->envelope_from);
	put_str(w, e->envelope_to);
	put_uvar(w, e->ndkim);
	for (i = 0; i < e->ndkim; i++) {
		put_str(w, e->dkim[i].domain);
		put_str(w, e->dkim[i].selector);
		put_int(w, e->dkim[i].result);
	}
	put_str(w, e->spf_domain);
	put_int(w, e->spf_scope);
	put_int(w, e->spf_result);
	if (w->oom) {
		errf(err, errcap, "store: out of memory");
		return -1;
	}
	return 0;
}

/* Decode a record; strings go to r->arena. Returns 0 or -1. */
static int
decode_eval(struct rbuf *r, struct mstore_eval *e, struct mstore_dkim *dk)
{
	uint64_t n, i;

	memset(e, 0, sizeof(*e));
	if (r->len < 1 || r->p[0] != RECORD_VERSION)
		return -1;
	r->off = 1;
	e->record = get_str(r);
	e->discovery_method = get_int(r);
	e->source_ip = get_str(r);
	e->disposition = get_int(r);
	e->dkim_aligned = get_int(r);
	e->spf_aligned = get_int(r);
	e->reason = get_int(r);
	e->header_from = get_str(r);
	e->envelope_from = get_str(r);
	e->envelope_to = get_str(r);
	n = get_uvar(r);
	if (n > DKIM_MAX)
		return -1;
	for (i = 0; i < n && !r->bad; i++) {
		dk[i].domain = get_str(r);
		dk[i].selector = get_str(r);
		dk[i].result = get_int(r);
	}
	e->dkim = n > 0 ? dk : NULL;
	e->ndkim = (size_t)n;
	e->spf_domain = get_str(r);
	e->spf_scope = get_int(r);
	e->spf_result = get_int(r);
	return r->bad ? -1 : 0;
}

static void
be64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

static uint64_t
time_key(int64_t t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

/* domain NUL time seq. Returns the length, 0 for a bad domain. */
static size_t
make_key(uint8_t *key, const char *domain, int64_t t, uint64_t seq)
{
	size_t n = domain != NULL ? strlen(domain) : 0, i;

	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = domain[i];

		key[i] = (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	key[n] = 0;
	be64(key + n + 1, time_key(t));
	be64(key + n + 9, seq);
	return n + 17;
}

/* ------------------------------------------------------------ txns */

static int
grow(struct mstore *s, size_t size)
{
	int rc;

	pthread_rwlock_wrlock(&s->txlock);
	rc = mdb_env_set_mapsize(s->env, size);
	pthread_rwlock_unlock(&s->txlock);
	return rc;
}

static size_t
mapsize(struct mstore *s)
{
	MDB_envinfo info;

	if (mdb_env_info(s->env, &info) != 0)
		return MAP_MIN;
	return info.me_mapsize;
}

typedef int (*txn_fn)(struct mstore *s, MDB_txn *txn, void *arg);

/*
 * Run fn in a write transaction and commit; retry after growing the map
 * (MDB_MAP_FULL) or adopting another process's size (MDB_MAP_RESIZED).
 * Returns an LMDB code (0: committed).
 */
static int
write_txn(struct mstore *s, txn_fn fn, void *arg)
{
	MDB_txn *txn;
	int rc, tries;

	for (tries = 0; tries < 64; tries++) {
		pthread_rwlock_rdlock(&s->txlock);
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		if (rc == 0) {
			rc = fn(s, txn, arg);
			if (rc == 0)
				rc = mdb_txn_commit(txn);
			else
				mdb_txn_abort(txn);
		}
		pthread_rwlock_unlock(&s->txlock);
		if (rc == MDB_MAP_RESIZED) {
			grow(s, 0);
			continue;
		}
		if (rc == MDB_MAP_FULL) {
			size_t cur = mapsize(s);

			if (cur >= MAP_MAX)
				return rc;
			rc = grow(s, cur * 2);
			if (rc != 0)
				return rc;
			continue;
		}
		return rc;
	}
	return MDB_MAP_FULL;
}

static int
read_begin(struct mstore *s, MDB_txn **txn)
{
	int rc, tries;

	for (tries = 0; tries < 8; tries++) {
		pthread_rwlock_rdlock(&s->txlock);
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
		if (rc == 0)
			return 0; /* txlock stays held until read_end() */
		pthread_rwlock_unlock(&s->txlock);
		if (rc != MDB_MAP_RESIZED)
			return rc;
		grow(s, 0);
	}
	return MDB_MAP_RESIZED;
}

static void
read_end(struct mstore *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->txlock);
}

/* ------------------------------------------------------------ open */

static int
open_dbs(struct mstore *s, MDB_txn *txn, void *arg)
{
	MDB_val k, v;
	uint8_t b[4] = { 0, 0, 0, FORMAT_VERSION };
	int rc, *version = arg;

	rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "eval", MDB_CREATE, &s->eval);
	if (rc != 0)
		return rc;
	k.mv_data = (void *)(uintptr_t)"version";
	k.mv_size = 7;
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		v.mv_data = b;
		v.mv_size = 4;
		*version = FORMAT_VERSION;
		return mdb_put(txn, s->meta, &k, &v, 0);
	}
	if (rc != 0)
		return rc;
	if (v.mv_size != 4)
		return MDB_INCOMPATIBLE;
	memcpy(b, v.mv_data, 4);
	*version = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
	return 0;
}

/* fsync a directory, so a file just created in it stays. */
static void
sync_dir(const char *path, bool is_dir)
{
	char *dir;
	char *slash;
	int fd;

	if (is_dir) {
		dir = strdup(path);
	} else {
		slash = strrchr(path, '/');
		dir = slash == NULL ? strdup(".") :
		      slash == path ? strdup("/") :
				      strndup(path, (size_t)(slash - path));
	}
	if (dir == NULL)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
mstore_open_size(struct mstore **out, const char *path, size_t size,
    char *err, size_t errcap)
{
	struct mstore *s;
	struct stat st;
	unsigned int flags = MDB_NOTLS;
	bool is_dir = false;
	long pagesize = sysconf(_SC_PAGESIZE);
	int rc, dead = 0, version = 0;

	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		errf(err, errcap, "store: no path");
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		is_dir = true;
	else
		flags |= MDB_NOSUBDIR;
	if (pagesize <= 0)
		pagesize = 4096;
	if (size < MAP_MIN)
		size = MAP_MIN;
	size = (size + (size_t)pagesize - 1) / (size_t)pagesize *
	    (size_t)pagesize;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		errf(err, errcap, "store: out of memory");
		return -1;
	}
	s->tail = &s->head;
	pthread_rwlock_init(&s->txlock, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(s->env, 4);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, size);
	if (rc == 0)
		rc = mdb_env_open(s->env, path, flags, 0600);
	if (rc != 0) {
		errf(err, errcap, "store %s: %s", path, mdb_strerror(rc));
		goto fail;
	}
	/* Reader slots of processes that died (kill -9) would pin old pages
	 * forever. */
	rc = mdb_reader_check(s->env, &dead);
	if (rc != 0) {
		errf(err, errcap, "store %s: reader check: %s", path,
		    mdb_strerror(rc));
		goto fail;
	}
	rc = write_txn(s, open_dbs, &version);
	if (rc != 0) {
		errf(err, errcap, "store %s: %s", path, mdb_strerror(rc));
		goto fail;
	}
	if (version != FORMAT_VERSION) {
		errf(err, errcap, "store %s: format %d, this program reads %d",
		    path, version, FORMAT_VERSION);
		goto fail;
	}
	sync_dir(path, is_dir);
	*out = s;
	return 0;
fail:
	mstore_close(s);
	return -1;
}

int
mstore_open(struct mstore **out, const char *path, char *err, size_t errcap)
{
	return mstore_open_size(out, path, MSTORE_MAP_DEFAULT, err, errcap);
}

void
mstore_close(struct mstore *s)
{
	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	pthread_rwlock_destroy(&s->txlock);
	free(s);
}

void
mstore_counts(struct mstore *s, uint64_t *commits, uint64_t *adds)
{
	pthread_mutex_lock(&s->mu);
	if (commits != NULL)
		*commits = s->commits;
	if (adds != NULL)
		*adds = s->adds;
	pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ add */

static int
put_batch(struct mstore *s, MDB_txn *txn, void *arg)
{
	struct pending *p;
	MDB_val k, v;
	uint8_t sb[8];
	uint64_t seq = 1;
	int rc;

	k.mv_data = (void *)(uintptr_t)"seq";
	k.mv_size = 3;
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == 0 && v.mv_size == 8)
		seq = get_be64(v.mv_data);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	for (p = arg; p != NULL; p = p->next) {
		MDB_val pk, pv;

		be64(p->key + p->keylen - 8, seq++);
		pk.mv_data = p->key;
		pk.mv_size = p->keylen;
		pv.mv_data = p->val;
		pv.mv_size = p->vallen;
		rc = mdb_put(txn, s->eval, &pk, &pv, MDB_NOOVERWRITE);
		if (rc != 0)
			return rc;
	}
	be64(sb, seq);
	v.mv_data = sb;
	v.mv_size = 8;
	return mdb_put(txn, s->meta, &k, &v, 0);
}

int
mstore_add(struct mstore *s, const struct mstore_eval *e, char *err,
    size_t errcap)
{
	struct pending p;
	struct wbuf w = { NULL, 0, 0, false };
	int rc;

	if (s == NULL || e == NULL) {
		errf(err, errcap, "store: no store");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.keylen = make_key(p.key, e->policy_domain, e->time, 0);
	if (p.keylen == 0) {
		errf(err, errcap, "store: bad policy domain");
		return -1;
	}
	if (encode_eval(&w, e, err, errcap) != 0) {
		free(w.p);
		return -1;
	}
	p.val = w.p;
	p.vallen = w.len;

	pthread_mutex_lock(&s->mu);
	*s->tail = &p;
	s->tail = &p.next;
	while (!p.done) {
		struct pending *batch, *q, *next;
		uint64_t n = 0;

		if (s->writing) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		/* Lead: commit everything queued, ours included. */
		s->writing = true;
		batch = s->head;
		s->head = NULL;
		s->tail = &s->head;
		pthread_mutex_unlock(&s->mu);

		rc = write_txn(s, put_batch, batch);

		pthread_mutex_lock(&s->mu);
		for (q = batch; q != NULL; q = next) {
			next = q->next;
			q->rc = rc;
			if (rc != 0)
				errf(q->err, sizeof(q->err), "store: %s",
				    mdb_strerror(rc));
			n++;
			q->done = true; /* q may be gone after this */
		}
		if (rc == 0) {
			s->commits++;
			s->adds += n;
		}
		s->writing = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	free(p.val);
	if (p.rc != 0) {
		errf(err, errcap, "%s", p.err);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ scan, delete */

int
mstore_scan(struct mstore *s, const char *policy_domain, int64_t begin,
    int64_t end, mstore_scan_fn fn, void *arg, char *err, size_t errcap)
{
	uint8_t start[KEY_MAX], dom[DOMAIN_MAX + 1];
	struct mstore_dkim dk[DKIM_MAX];
	struct mstore_eval e;
	struct mstore_ref ref;
	size_t startlen = 0, plen = 0, acap = 0;
	char *arena = NULL;
	MDB_cursor *cur = NULL;
	MDB_txn *txn;
	MDB_val k, v;
	int rc, op, ret = 0;

	if (s == NULL || fn == NULL) {
		errf(err, errcap, "store: no store");
		return -1;
	}
	if (policy_domain != NULL) {
		startlen = make_key(start, policy_domain, begin, 0);
		if (startlen == 0) {
			errf(err, errcap, "store: bad policy domain");
			return -1;
		}
		plen = startlen - 16; /* domain and NUL */
	}
	rc = read_begin(s, &txn);
	if (rc != 0) {
		errf(err, errcap, "store: %s", mdb_strerror(rc));
		return -1;
	}
	rc = mdb_cursor_open(txn, s->eval, &cur);
	if (rc != 0)
		goto done;
	if (policy_domain != NULL) {
		k.mv_data = start;
		k.mv_size = startlen;
		op = MDB_SET_RANGE;
	} else {
		op = MDB_FIRST;
	}
	for (;; op = MDB_NEXT) {
		const uint8_t *kb;
		const uint8_t *nul;
		size_t dl;

		rc = mdb_cursor_get(cur, &k, &v, op);
		if (rc != 0)
			break;
		kb = k.mv_data;
		if (policy_domain != NULL &&
		    (k.mv_size < plen || memcmp(kb, start, plen) != 0))
			break;
		nul = memchr(kb, 0, k.mv_size);
		if (nul == NULL)
			continue;
		dl = (size_t)(nul - kb);
		if (dl == 0 || dl > DOMAIN_MAX || k.mv_size != dl + 17)
			continue; /* not a key of ours */
		ref.time = (int64_t)(get_be64(kb + dl + 1) ^ (UINT64_C(1) << 63));
		ref.seq = get_be64(kb + dl + 9);
		if (ref.time >= end) {
			if (policy_domain != NULL)
				break;
			continue;
		}
		if (ref.time < begin)
			continue;
		memcpy(dom, kb, dl + 1);
		if (v.mv_size + 1 > acap) {
			char *na;

			acap = v.mv_size + 1 > 4096 ? v.mv_size + 1 : 4096;
			na = realloc(arena, acap);
			if (na == NULL) {
				rc = ENOMEM;
				break;
			}
			arena = na;
		}
		{
			struct rbuf r = { v.mv_data, v.mv_size, 0, false, arena,
				0 };

			if (decode_eval(&r, &e, dk) == 0) {
				e.time = ref.time;
				e.policy_domain = (const char *)dom;
				ret = fn(arg, (const char *)dom, &ref, &e);
			} else {
				ret = fn(arg, (const char *)dom, &ref, NULL);
			}
		}
		if (ret != 0)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
done:
	if (cur != NULL)
		mdb_cursor_close(cur);
	read_end(s, txn);
	free(arena);
	if (rc != 0) {
		errf(err, errcap, "store: %s", mdb_strerror(rc));
		return -1;
	}
	return ret;
}

struct delete_arg {
	const char *domain;
	const struct mstore_ref *refs;
	size_t n;
};

static int
delete_refs(struct mstore *s, MDB_txn *txn, void *arg)
{
	struct delete_arg *d = arg;
	uint8_t key[KEY_MAX];
	size_t i;
	MDB_val k;
	int rc;

	for (i = 0; i < d->n; i++) {
		k.mv_size = make_key(key, d->domain, d->refs[i].time,
		    d->refs[i].seq);
		k.mv_data = key;
		rc = mdb_del(txn, s->eval, &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	return 0;
}

int
mstore_delete(struct mstore *s, const char *policy_domain,
    const struct mstore_ref *refs, size_t nrefs, char *err, size_t errcap)
{
	struct delete_arg d = { policy_domain, refs, nrefs };
	uint8_t key[KEY_MAX];
	int rc;

	if (s == NULL || make_key(key, policy_domain, 0, 0) == 0) {
		errf(err, errcap, "store: bad policy domain");
		return -1;
	}
	if (nrefs == 0)
		return 0;
	rc = write_txn(s, delete_refs, &d);
	if (rc != 0) {
		errf(err, errcap, "store: delete: %s", mdb_strerror(rc));
		return -1;
	}
	return 0;
}
