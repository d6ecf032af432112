/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the DMARC evaluation store (servers/mox-milter/store.c):
 * every field round trips, scans by domain and time, deletes by ref,
 * concurrent adds from 8 threads (group commit), reopening, a store in a
 * directory, map growth from a tiny initial map (also under concurrent
 * adds, and by another process), limits and bad arguments.
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter.h"

/* This program, for test_other_process_grows(). */
static const char *argv0;

struct fx {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mstore-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/dmarc.lmdb", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *de;
	char p[512];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		if (unlink(p) != 0) {
			/* the subdirectory of test_directory */
			DIR *sd = opendir(p);
			struct dirent *se;
			char q[768];

			while (sd != NULL && (se = readdir(sd)) != NULL) {
				if (se->d_name[0] == '.')
					continue;
				snprintf(q, sizeof(q), "%s/%s", p, se->d_name);
				unlink(q);
			}
			if (sd != NULL)
				closedir(sd);
			rmdir(p);
		}
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct mstore *
open_store(const char *path, size_t mapsize)
{
	struct mstore *s = NULL;
	char err[512];

	if (mstore_open_size(&s, path, mapsize, err, sizeof(err)) != 0)
		fail_msg("open %s: %s", path, err);
	return s;
}

/* A plain evaluation; header_from carries an id. */
static void
make_eval(struct mstore_eval *e, const char *domain, int64_t t,
    const char *header_from)
{
	memset(e, 0, sizeof(*e));
	e->time = t;
	e->policy_domain = domain;
	e->record = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";
	e->discovery_method = MOX_DMARC_DISCOVERY_TREEWALK;
	e->source_ip = "192.0.2.1";
	e->disposition = MOX_DMARC_DISPOSITION_REJECT;
	e->dkim_aligned = MOX_DMARC_FAIL;
	e->spf_aligned = MOX_DMARC_FAIL;
	e->reason = MOX_DMARC_REPORT_ABSENT;
	e->header_from = header_from;
	e->envelope_from = "bounce.example.net";
	e->envelope_to = NULL;
	e->spf_domain = "bounce.example.net";
	e->spf_scope = MOX_DMARC_SPF_SCOPE_MFROM;
	e->spf_result = MOX_DMARC_SPF_FAIL;
}

static void
add(struct mstore *s, const struct mstore_eval *e)
{
	char err[512];

	if (mstore_add(s, e, err, sizeof(err)) != 0)
		fail_msg("add: %s", err);
}

struct row {
	char domain[256];
	struct mstore_ref ref;
	char header_from[256];
};

struct rows {
	struct row *r;
	size_t n, cap;
	size_t bad;
	struct mstore_eval first; /* deep fields checked in test_roundtrip */
	bool check_first;
	int stop_after;
};

static int
collect(void *arg, const char *domain, const struct mstore_ref *ref,
    const struct mstore_eval *e)
{
	struct rows *rs = arg;
	struct row *r;

	if (e == NULL) {
		rs->bad++;
		return 0;
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap == 0 ? 64 : rs->cap * 2;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		assert_non_null(rs->r);
	}
	r = &rs->r[rs->n++];
	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	r->ref = *ref;
	snprintf(r->header_from, sizeof(r->header_from), "%s",
	    e->header_from != NULL ? e->header_from : "(null)");
	assert_string_equal(e->policy_domain, domain);
	assert_true(e->time == ref->time);
	if (rs->check_first && rs->n == 1) {
		const struct mstore_eval *w = &rs->first;
		size_t i;

		assert_string_equal(e->record, w->record);
		assert_int_equal(e->discovery_method, w->discovery_method);
		assert_string_equal(e->source_ip, w->source_ip);
		assert_int_equal(e->disposition, w->disposition);
		assert_int_equal(e->dkim_aligned, w->dkim_aligned);
		assert_int_equal(e->spf_aligned, w->spf_aligned);
		assert_int_equal(e->reason, w->reason);
		assert_string_equal(e->header_from, w->header_from);
		assert_string_equal(e->envelope_from, w->envelope_from);
		if (w->envelope_to == NULL)
			assert_null(e->envelope_to);
		else
			assert_string_equal(e->envelope_to, w->envelope_to);
		assert_int_equal(e->ndkim, w->ndkim);
		for (i = 0; i < w->ndkim; i++) {
			assert_string_equal(e->dkim[i].domain, w->dkim[i].domain);
			if (w->dkim[i].selector == NULL)
				assert_null(e->dkim[i].selector);
			else
				assert_string_equal(e->dkim[i].selector,
				    w->dkim[i].selector);
			assert_int_equal(e->dkim[i].result, w->dkim[i].result);
		}
		if (w->spf_domain == NULL)
			assert_null(e->spf_domain);
		else
			assert_string_equal(e->spf_domain, w->spf_domain);
		assert_int_equal(e->spf_scope, w->spf_scope);
		assert_int_equal(e->spf_result, w->spf_result);
	}
	if (rs->stop_after > 0 && rs->n == (size_t)rs->stop_after)
		return 42;
	return 0;
}

static void
scan(struct mstore *s, const char *domain, int64_t begin, int64_t end,
    struct rows *rs)
{
	char err[512];

	rs->n = 0;
	rs->bad = 0;
	if (mstore_scan(s, domain, begin, end, collect, rs, err,
		sizeof(err)) < 0)
		fail_msg("scan: %s", err);
}

static void
test_roundtrip(void **state)
{
	struct fx *f = *state;
	static const struct mstore_dkim dk[] = {
		{ "example.org", "sel1", MOX_DMARC_DKIM_PASS },
		{ "other.example", NULL, MOX_DMARC_DKIM_FAIL },
		{ "", "s\xc3\xa9l", MOX_DMARC_DKIM_PERMERROR },
	};
	struct mstore *s = open_store(f->path, 0);
	struct rows rs = { 0 };
	struct mstore_eval e;

	make_eval(&e, "Example.ORG", -12345, "sub.example.org");
	e.record = "v=DMARC1; p=none; rua=mailto:a@example.org,"
		   "mailto:b@example.net!10m";
	e.discovery_method = MOX_DMARC_DISCOVERY_PSL;
	e.source_ip = "2001:db8::25";
	e.disposition = MOX_DMARC_DISPOSITION_PASS;
	e.dkim_aligned = MOX_DMARC_PASS;
	e.reason = MOX_DMARC_OVERRIDE_MAILING_LIST;
	e.envelope_from = "";
	e.envelope_to = "example.com";
	e.dkim = dk;
	e.ndkim = 3;
	e.spf_domain = NULL;
	e.spf_scope = MOX_DMARC_SPF_SCOPE_HELO;
	e.spf_result = MOX_DMARC_REPORT_SPF_POLICY;
	add(s, &e);
	rs.first = e;
	rs.check_first = true;
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 1);
	/* Domains are kept in lowercase. */
	assert_string_equal(rs.r[0].domain, "example.org");
	assert_true(rs.r[0].ref.time == -12345);
	assert_true(rs.r[0].ref.seq >= 1);
	scan(s, "EXAMPLE.org", -12345, -12344, &rs);
	assert_int_equal(rs.n, 1);
	mstore_close(s);
	free(rs.r);
}

static void
test_add_scan_delete(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 0);
	struct rows rs = { 0 };
	struct mstore_eval e;
	struct mstore_ref refs[2];
	char err[512];

	make_eval(&e, "b.example", 300, "b3");
	add(s, &e);
	make_eval(&e, "a.example", 200, "a2");
	add(s, &e);
	make_eval(&e, "b.example", 100, "b1");
	add(s, &e);
	make_eval(&e, "a.example", 100, "a1");
	add(s, &e);
	make_eval(&e, "a.example.com", 150, "ac");
	add(s, &e);
	make_eval(&e, "b.example", 100, "b1bis");
	add(s, &e);

	/* All: by domain, then time, then sequence. */
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 6);
	assert_string_equal(rs.r[0].header_from, "a1");
	assert_string_equal(rs.r[1].header_from, "a2");
	assert_string_equal(rs.r[2].header_from, "ac");
	assert_string_equal(rs.r[3].header_from, "b1");
	assert_string_equal(rs.r[4].header_from, "b1bis");
	assert_string_equal(rs.r[5].header_from, "b3");
	assert_true(rs.r[3].ref.seq < rs.r[4].ref.seq);

	/* One domain, a time interval [begin, end). */
	scan(s, "a.example", INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 2);
	scan(s, "b.example", 100, 300, &rs);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[0].header_from, "b1");
	assert_string_equal(rs.r[1].header_from, "b1bis");
	scan(s, "b.example", 101, 301, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].header_from, "b3");
	scan(s, "c.example", INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 0);
	scan(s, NULL, 150, 201, &rs);
	assert_int_equal(rs.n, 2);

	/* The callback stops the scan. */
	rs.stop_after = 2;
	rs.n = 0;
	assert_int_equal(mstore_scan(s, NULL, INT64_MIN, INT64_MAX, collect,
			     &rs, err, sizeof(err)),
	    42);
	assert_int_equal(rs.n, 2);
	rs.stop_after = 0;

	/* Delete b1 and b3 by ref; a ref that is not there is ignored. */
	scan(s, "b.example", INT64_MIN, INT64_MAX, &rs);
	refs[0] = rs.r[0].ref;
	refs[1] = rs.r[2].ref;
	assert_int_equal(mstore_delete(s, "b.example", refs, 2, err,
			     sizeof(err)),
	    0);
	assert_int_equal(mstore_delete(s, "b.example", refs, 2, err,
			     sizeof(err)),
	    0);
	scan(s, "b.example", INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].header_from, "b1bis");
	/* The wrong domain deletes nothing. */
	refs[0] = rs.r[0].ref;
	assert_int_equal(mstore_delete(s, "a.example", refs, 1, err,
			     sizeof(err)),
	    0);
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 4);
	mstore_close(s);
	free(rs.r);
}

static void
test_reopen(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 0);
	struct rows rs = { 0 };
	struct mstore_eval e;
	uint64_t seq;

	make_eval(&e, "example.org", 1000, "first");
	add(s, &e);
	mstore_close(s);
	s = open_store(f->path, 0);
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 1);
	seq = rs.r[0].ref.seq;
	make_eval(&e, "example.org", 1000, "second");
	add(s, &e);
	mstore_close(s);
	s = open_store(f->path, 0);
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[1].header_from, "second");
	/* Sequence numbers keep increasing across opens. */
	assert_true(rs.r[1].ref.seq > seq);
	mstore_close(s);
	free(rs.r);
}

static void
test_directory(void **state)
{
	struct fx *f = *state;
	struct mstore *s;
	struct rows rs = { 0 };
	struct mstore_eval e;
	char dir[128], data[160];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/sub", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	s = open_store(dir, 0);
	make_eval(&e, "example.org", 1, "x");
	add(s, &e);
	mstore_close(s);
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	assert_int_equal(stat(data, &st), 0);
	/* A file store: the file and PATH-lock. */
	s = open_store(f->path, 0);
	mstore_close(s);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	s = open_store(dir, 0);
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 1);
	mstore_close(s);
	free(rs.r);
}

#define NTHREADS 8
#define PER_THREAD 150

struct worker {
	struct mstore *s;
	int id;
	int failed;
	size_t recsize;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	char hf[64], *record = NULL;
	struct mstore_eval e;
	char err[512];
	int i;

	if (w->recsize > 0) {
		record = malloc(w->recsize + 1);
		if (record == NULL)
			return NULL;
		memset(record, 'r', w->recsize);
		record[w->recsize] = '\0';
	}
	for (i = 0; i < PER_THREAD; i++) {
		snprintf(hf, sizeof(hf), "t%d-%d.example", w->id, i);
		make_eval(&e, i % 2 ? "odd.example" : "even.example",
		    1000 + i, hf);
		if (record != NULL)
			e.record = record;
		if (mstore_add(w->s, &e, err, sizeof(err)) != 0) {
			fprintf(stderr, "thread %d: %s\n", w->id, err);
			w->failed++;
		}
	}
	free(record);
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->header_from,
	    ((const struct row *)b)->header_from);
}

/* Every add of every thread is there exactly once. */
static void
check_all_present(struct mstore *s)
{
	struct rows rs = { 0 };
	size_t i;
	int t;

	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.bad, 0);
	assert_int_equal(rs.n, NTHREADS * PER_THREAD);
	qsort(rs.r, rs.n, sizeof(*rs.r), cmp_str);
	for (i = 1; i < rs.n; i++)
		assert_string_not_equal(rs.r[i - 1].header_from,
		    rs.r[i].header_from);
	for (t = 0; t < NTHREADS; t++) {
		char want[64];
		struct row key;

		snprintf(want, sizeof(want), "t%d-%d.example", t,
		    PER_THREAD - 1);
		snprintf(key.header_from, sizeof(key.header_from), "%s", want);
		assert_non_null(bsearch(&key, rs.r, rs.n, sizeof(*rs.r),
		    cmp_str));
	}
	free(rs.r);
}

static void
run_threads(struct mstore *s, size_t recsize)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	int i;

	for (i = 0; i < NTHREADS; i++) {
		w[i].s = s;
		w[i].id = i;
		w[i].failed = 0;
		w[i].recsize = recsize;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failed, 0);
	}
}

static void
test_concurrent(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 0);
	uint64_t commits, adds;

	run_threads(s, 0);
	mstore_counts(s, &commits, &adds);
	assert_true(adds == NTHREADS * PER_THREAD);
	assert_true(commits >= 1 && commits <= adds);
	print_message("%" PRIu64 " adds in %" PRIu64 " commits\n", adds,
	    commits);
	check_all_present(s);
	mstore_close(s);
	s = open_store(f->path, 0);
	check_all_present(s);
	mstore_close(s);
}

static size_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static void
test_map_growth(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 32 * 1024);
	struct rows rs = { 0 };
	struct mstore_eval e;
	char hf[64], *record;
	int i;

	record = malloc(4001);
	assert_non_null(record);
	memset(record, 'x', 4000);
	record[4000] = '\0';
	for (i = 0; i < 300; i++) {
		snprintf(hf, sizeof(hf), "h%d", i);
		make_eval(&e, "example.org", i, hf);
		e.record = record;
		add(s, &e);
	}
	/* 300 records of 4 KB: far more than the initial 32 KB map. */
	assert_true(file_size(f->path) > 1024 * 1024);
	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 300);
	mstore_close(s);
	/* Reopened with the small size: the file's size wins. */
	s = open_store(f->path, 32 * 1024);
	scan(s, "example.org", 0, 300, &rs);
	assert_int_equal(rs.n, 300);
	make_eval(&e, "example.org", 1000, "after");
	e.record = record;
	add(s, &e);
	mstore_close(s);
	free(record);
	free(rs.r);
}

static void
test_map_growth_concurrent(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 32 * 1024);

	/* 1200 adds of about 2 KB from 8 threads, growing as they go. */
	run_threads(s, 2000);
	check_all_present(s);
	mstore_close(s);
}

/* Another process (as dmarc-report next to the milter) grows the map
 * while this one has the store open: this one adopts the new size
 * (MDB_MAP_RESIZED) and goes on. */
static void
test_other_process_grows(void **state)
{
	struct fx *f = *state;
	struct mstore *a = open_store(f->path, 32 * 1024);
	struct rows rs = { 0 };
	struct mstore_eval e;
	char hf[64], *record;
	int i, status;
	pid_t pid;

	record = malloc(3001);
	assert_non_null(record);
	memset(record, 'y', 3000);
	record[3000] = '\0';
	for (i = 0; i < 5; i++) {
		snprintf(hf, sizeof(hf), "a%d", i);
		make_eval(&e, "example.org", i, hf);
		add(a, &e);
	}
	/* A new program, not just a fork: LMDB handles must not cross
	 * fork(). */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(argv0, argv0, "grow-child", f->path, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	scan(a, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 205);
	for (i = 0; i < 5; i++) {
		snprintf(hf, sizeof(hf), "c%d", i);
		make_eval(&e, "example.org", 1000 + i, hf);
		e.record = record;
		add(a, &e);
	}
	scan(a, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 210);
	mstore_close(a);
	free(record);
	free(rs.r);
}

static void
test_bad_arguments(void **state)
{
	struct fx *f = *state;
	struct mstore *s = open_store(f->path, 0), *s2 = NULL;
	struct mstore_dkim dk[65];
	struct mstore_eval e;
	struct rows rs = { 0 };
	char err[512], longd[300], *big;

	make_eval(&e, NULL, 1, "x");
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "store: bad policy domain");
	make_eval(&e, "", 1, "x");
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), -1);
	memset(longd, 'a', 254);
	longd[254] = '\0';
	make_eval(&e, longd, 1, "x");
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), -1);
	longd[253] = '\0';
	make_eval(&e, longd, 1, "x");
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), 0);

	memset(dk, 0, sizeof(dk));
	make_eval(&e, "example.org", 1, "x");
	e.dkim = dk;
	e.ndkim = 65;
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "store: evaluation too large");
	e.ndkim = 64;
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), 0);
	big = malloc(8194);
	assert_non_null(big);
	memset(big, 'v', 8193);
	big[8193] = '\0';
	make_eval(&e, "example.org", 1, "x");
	e.record = big;
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), -1);
	big[8192] = '\0';
	assert_int_equal(mstore_add(s, &e, err, sizeof(err)), 0);
	free(big);

	scan(s, NULL, INT64_MIN, INT64_MAX, &rs);
	assert_int_equal(rs.n, 3);
	assert_int_equal(mstore_scan(s, "", 0, 1, collect, &rs, err,
			     sizeof(err)),
	    -1);
	assert_int_equal(mstore_delete(s, NULL, NULL, 0, err, sizeof(err)),
	    -1);
	assert_int_equal(mstore_delete(s, "example.org", NULL, 0, err,
			     sizeof(err)),
	    0);
	mstore_close(s);
	mstore_close(NULL);

	assert_int_equal(mstore_open(&s2, "/nonexistent/dir/x.lmdb", err,
			     sizeof(err)),
	    -1);
	assert_null(s2);
	assert_non_null(strstr(err, "/nonexistent/dir/x.lmdb"));
	free(rs.r);
}

/* The other process of test_other_process_grows(). */
static int
grow_child(const char *path)
{
	struct mstore *b = NULL;
	struct mstore_eval e;
	char err[512], hf[64], record[3001];
	int i;

	memset(record, 'y', 3000);
	record[3000] = '\0';
	if (mstore_open_size(&b, path, 32 * 1024, err, sizeof(err)) != 0)
		return 1;
	for (i = 0; i < 200; i++) {
		snprintf(hf, sizeof(hf), "b%d", i);
		make_eval(&e, "example.org", 100 + i, hf);
		e.record = record;
		if (mstore_add(b, &e, err, sizeof(err)) != 0) {
			mstore_close(b);
			return 2;
		}
	}
	mstore_close(b);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_scan_delete, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_map_growth, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_map_growth_concurrent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_process_grows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
		    teardown),
	};

	argv0 = argv[0];
	if (argc == 3 && strcmp(argv[1], "grow-child") == 0)
		return grow_child(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
