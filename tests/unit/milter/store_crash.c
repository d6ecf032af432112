/* SPDX-License-Identifier: MIT */
/*
 * store_crash -- the DMARC evaluation store survives kill -9.
 *
 *   store_crash STORE ROUNDS
 *
 * Each round forks a child that opens STORE (with a small initial map, so
 * it also grows while it runs) and adds evaluations from THREADS threads;
 * after each mstore_add() returns, the child writes the evaluation's id
 * ("rR-tT-N", its header_from) as one line to a pipe. After a random time
 * (also very early: during open or the first commits) the parent kills the
 * child with SIGKILL, reads every line the child wrote, reopens the store
 * and checks that it opens, that every acknowledged id is in it exactly
 * once and that every record decodes. The store is kept between rounds.
 *
 * At the end the parent writes STORE.acked (every acknowledged id, one a
 * line) and STORE.rows (the number of evaluations in the store), for
 * run-store-crash.sh to compare with `mox-milter dmarc-report -list`.
 * Exit status 0 when every round passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "milter.h"

#define THREADS 6
#define ID_MAX 40

struct child_arg {
	struct mstore *s;
	int round, thread;
};

static void *
child_thread(void *arg)
{
	struct child_arg *a = arg;
	static const struct mstore_dkim dk[] = {
		{ "example.org", "sel", MOX_DMARC_DKIM_PASS },
	};
	struct mstore_eval e;
	char id[ID_MAX], line[ID_MAX + 1], err[512];
	int i;

	for (i = 0; i < 1000000; i++) {
		snprintf(id, sizeof(id), "r%d-t%d-%d", a->round, a->thread, i);
		memset(&e, 0, sizeof(e));
		e.time = 1700000000 + i;
		e.policy_domain = i % 3 == 0 ? "example.org" : "example.net";
		e.record = "v=DMARC1; p=reject; rua=mailto:dmarc@example.org";
		e.discovery_method = MOX_DMARC_DISCOVERY_TREEWALK;
		e.source_ip = "192.0.2.1";
		e.disposition = MOX_DMARC_DISPOSITION_PASS;
		e.dkim_aligned = MOX_DMARC_PASS;
		e.spf_aligned = MOX_DMARC_FAIL;
		e.reason = MOX_DMARC_REPORT_ABSENT;
		e.header_from = id;
		e.envelope_from = "example.org";
		e.dkim = dk;
		e.ndkim = 1;
		e.spf_domain = "example.org";
		e.spf_scope = MOX_DMARC_SPF_SCOPE_MFROM;
		e.spf_result = MOX_DMARC_SPF_PASS;
		if (mstore_add(a->s, &e, err, sizeof(err)) != 0) {
			fprintf(stderr, "child: %s\n", err);
			_exit(3);
		}
		/* One write(2) of less than PIPE_BUF octets: atomic. */
		snprintf(line, sizeof(line), "%s\n", id);
		if (write(1, line, strlen(line)) < 0)
			_exit(4);
	}
	return NULL;
}

static void
child(const char *path, int round)
{
	struct child_arg a[THREADS];
	pthread_t th[THREADS];
	struct mstore *s;
	char err[512];
	int i;

	if (mstore_open_size(&s, path, 64 * 1024, err, sizeof(err)) != 0) {
		fprintf(stderr, "child: %s\n", err);
		_exit(2);
	}
	for (i = 0; i < THREADS; i++) {
		a[i].s = s;
		a[i].round = round;
		a[i].thread = i;
		pthread_create(&th[i], NULL, child_thread, &a[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

struct idset {
	char (*ids)[ID_MAX];
	size_t n, cap;
};

static void
idset_add(struct idset *s, const char *id, size_t len)
{
	if (len >= ID_MAX)
		len = ID_MAX - 1;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 1024 : s->cap * 2;
		s->ids = realloc(s->ids, s->cap * sizeof(*s->ids));
		if (s->ids == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(s->ids[s->n], id, len);
	s->ids[s->n][len] = '\0';
	s->n++;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct found {
	struct idset ids;
	uint64_t bad;
};

static int
found_one(void *arg, const char *domain, const struct mstore_ref *ref,
    const struct mstore_eval *e)
{
	struct found *f = arg;

	(void)domain;
	(void)ref;
	if (e == NULL || e->header_from == NULL) {
		f->bad++;
		return 0;
	}
	idset_add(&f->ids, e->header_from, strlen(e->header_from));
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One round; appends the acknowledged ids to acked. Returns 0 or -1. */
static int
round_run(const char *path, int round, int delay_ms, struct idset *acked,
    size_t *rows)
{
	char buf[65536], err[512];
	size_t have = 0, before = acked->n, i, missing = 0, dup = 0;
	int fds[2], status;
	int64_t deadline;
	bool killed = false;
	struct mstore *s;
	struct found f;
	pid_t pid;

	if (pipe(fds) != 0) {
		perror("pipe");
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		close(fds[1]);
		child(path, round);
	}
	close(fds[1]);
	deadline = now_ms() + delay_ms;
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;
		char *nl, *start;

		if (!killed && left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (!killed && poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fds[0], buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF: the child is gone */
		have += (size_t)n;
		start = buf;
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) !=
		    NULL) {
			idset_add(acked, start, (size_t)(nl - start));
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
	}
	close(fds[0]);
	if (!killed)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		fprintf(stderr, "round %d: child ended on its own (status "
				"%d)\n",
		    round, status);
		return -1;
	}
	if (have != 0) {
		fprintf(stderr, "round %d: partial line from the child\n", round);
		return -1;
	}

	memset(&f, 0, sizeof(f));
	if (mstore_open(&s, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "round %d: reopen after kill -9: %s\n", round,
		    err);
		return -1;
	}
	if (mstore_scan(s, NULL, INT64_MIN, INT64_MAX, found_one, &f, err,
		sizeof(err)) < 0) {
		fprintf(stderr, "round %d: scan: %s\n", round, err);
		mstore_close(s);
		return -1;
	}
	mstore_close(s);
	/* qsort and bsearch want non-NULL arrays even when empty (the child
	 * can be killed before its first commit). */
	if (f.ids.n > 0)
		qsort(f.ids.ids, f.ids.n, sizeof(*f.ids.ids), cmp_id);
	for (i = 1; i < f.ids.n; i++)
		if (strcmp(f.ids.ids[i - 1], f.ids.ids[i]) == 0)
			dup++;
	for (i = 0; i < acked->n; i++) {
		if (f.ids.n == 0 || bsearch(acked->ids[i], f.ids.ids,
			f.ids.n, sizeof(*f.ids.ids), cmp_id) == NULL) {
			if (missing < 5)
				fprintf(stderr, "round %d: acknowledged %s "
						"missing\n",
				    round, acked->ids[i]);
			missing++;
		}
	}
	printf("round %d: killed after %d ms, %zu acknowledged, %zu stored "
	       "in all, %zu missing, %zu duplicate, %" PRIu64
	       " undecodable\n",
	    round, delay_ms, acked->n - before, f.ids.n, missing, dup, f.bad);
	*rows = f.ids.n;
	free(f.ids.ids);
	return missing == 0 && dup == 0 && f.bad == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct idset acked = { NULL, 0, 0 };
	char path[4096];
	size_t rows = 0, i;
	int rounds, r, ret = 0;
	FILE *fp;

	if (argc != 3 || (rounds = atoi(argv[2])) < 1 || rounds > 100) {
		fprintf(stderr, "usage: store_crash STORE ROUNDS\n");
		return 2;
	}
	srand((unsigned int)time(NULL) ^ (unsigned int)getpid());
	for (r = 0; r < rounds; r++) {
		/* Kill early (open, first growth) and late (busy). */
		int delay = r % 3 == 0 ? 1 + rand() % 15 : 50 + rand() % 400;

		if (round_run(argv[1], r, delay, &acked, &rows) != 0)
			ret = 1;
	}
	snprintf(path, sizeof(path), "%s.acked", argv[1]);
	fp = fopen(path, "w");
	if (fp == NULL) {
		perror(path);
		return 1;
	}
	for (i = 0; i < acked.n; i++)
		fprintf(fp, "%s\n", acked.ids[i]);
	fclose(fp);
	snprintf(path, sizeof(path), "%s.rows", argv[1]);
	fp = fopen(path, "w");
	if (fp == NULL) {
		perror(path);
		return 1;
	}
	fprintf(fp, "%zu\n", rows);
	fclose(fp);
	free(acked.ids);
	printf("%s\n", ret == 0 ? "PASS" : "FAIL");
	return ret;
}
