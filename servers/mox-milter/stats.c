/* SPDX-License-Identifier: MIT */
/*
 * stats.c -- result counters: relaxed atomics bumped by the connection
 * threads, a thread that writes them as a Prometheus text file (for the
 * node_exporter textfile collector, or for `mox-milter stats`) every
 * stats_interval seconds and once more at exit, and the `stats`
 * subcommand that prints that file.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter.h"

struct metric {
	const char *family;  /* Prometheus metric name */
	const char *label;   /* value of the result="" label, or NULL */
	const char *help;    /* HELP text of the family */
};

static const struct metric metrics[MSTAT__COUNT] = {
	[MSTAT_MESSAGES] = { "mox_milter_messages_total", NULL,
	    "Messages that reached the end of data." },
	[MSTAT_SIGNED] = { "mox_milter_signed_total", NULL,
	    "Outbound messages DKIM-signed." },
	[MSTAT_REJECTED] = { "mox_milter_rejected_total", NULL,
	    "Messages rejected (DMARC policy or limits)." },
	[MSTAT_QUARANTINED] = { "mox_milter_quarantined_total", NULL,
	    "Messages quarantined by DMARC policy." },
	[MSTAT_TEMPFAILED] = { "mox_milter_tempfailed_total", NULL,
	    "Messages answered with a temporary failure." },
#define SPF "mox_milter_spf_results_total"
#define SPF_HELP "SPF results of the MAIL FROM identity."
	[MSTAT_SPF_PASS] = { SPF, "pass", SPF_HELP },
	[MSTAT_SPF_FAIL] = { SPF, "fail", SPF_HELP },
	[MSTAT_SPF_SOFTFAIL] = { SPF, "softfail", SPF_HELP },
	[MSTAT_SPF_NEUTRAL] = { SPF, "neutral", SPF_HELP },
	[MSTAT_SPF_NONE] = { SPF, "none", SPF_HELP },
	[MSTAT_SPF_TEMPERROR] = { SPF, "temperror", SPF_HELP },
	[MSTAT_SPF_PERMERROR] = { SPF, "permerror", SPF_HELP },
#define DKIM "mox_milter_dkim_results_total"
#define DKIM_HELP "DKIM results, one per signature (none: unsigned)."
	[MSTAT_DKIM_PASS] = { DKIM, "pass", DKIM_HELP },
	[MSTAT_DKIM_FAIL] = { DKIM, "fail", DKIM_HELP },
	[MSTAT_DKIM_NONE] = { DKIM, "none", DKIM_HELP },
	[MSTAT_DKIM_POLICY] = { DKIM, "policy", DKIM_HELP },
	[MSTAT_DKIM_NEUTRAL] = { DKIM, "neutral", DKIM_HELP },
	[MSTAT_DKIM_TEMPERROR] = { DKIM, "temperror", DKIM_HELP },
	[MSTAT_DKIM_PERMERROR] = { DKIM, "permerror", DKIM_HELP },
#define DMARC "mox_milter_dmarc_results_total"
#define DMARC_HELP "DMARC results of inbound messages."
	[MSTAT_DMARC_PASS] = { DMARC, "pass", DMARC_HELP },
	[MSTAT_DMARC_FAIL] = { DMARC, "fail", DMARC_HELP },
	[MSTAT_DMARC_NONE] = { DMARC, "none", DMARC_HELP },
	[MSTAT_DMARC_TEMPERROR] = { DMARC, "temperror", DMARC_HELP },
	[MSTAT_DMARC_PERMERROR] = { DMARC, "permerror", DMARC_HELP },
	[MSTAT_CONNECTIONS] = { "mox_milter_connections_total", NULL,
	    "Milter connections from the MTA." },
	[MSTAT_INBOUND] = { "mox_milter_inbound_total", NULL,
	    "Messages checked (SPF, DKIM, DMARC)." },
	[MSTAT_OUTBOUND] = { "mox_milter_outbound_total", NULL,
	    "Messages from internal networks or authenticated clients." },
	[MSTAT_ERRORS] = { "mox_milter_errors_total", NULL,
	    "Internal errors (memory, signing, report store)." },
};

static _Atomic uint64_t counters[MSTAT__COUNT];
static int64_t start_time;

void
mstat_inc(int which)
{
	if (which >= 0 && which < MSTAT__COUNT)
		atomic_fetch_add_explicit(&counters[which], 1,
		    memory_order_relaxed);
}

uint64_t
mstat_get(int which)
{
	if (which < 0 || which >= MSTAT__COUNT)
		return 0;
	return atomic_load_explicit(&counters[which], memory_order_relaxed);
}

static int
write_all(FILE *f)
{
	const char *prev = NULL;
	int i;

	for (i = 0; i < MSTAT__COUNT; i++) {
		const struct metric *m = &metrics[i];

		if (prev == NULL || strcmp(prev, m->family) != 0) {
			fprintf(f, "# HELP %s %s\n# TYPE %s counter\n",
			    m->family, m->help, m->family);
			prev = m->family;
		}
		if (m->label != NULL)
			fprintf(f, "%s{result=\"%s\"} %" PRIu64 "\n", m->family,
			    m->label, mstat_get(i));
		else
			fprintf(f, "%s %" PRIu64 "\n", m->family, mstat_get(i));
	}
	if (start_time != 0)
		fprintf(f, "# HELP mox_milter_start_time_seconds Start of the "
		    "daemon, seconds since the epoch.\n"
		    "# TYPE mox_milter_start_time_seconds gauge\n"
		    "mox_milter_start_time_seconds %" PRId64 "\n", start_time);
	return ferror(f) ? -1 : 0;
}

int
mstat_write(const char *path)
{
	char tmp[4096];
	FILE *f;
	int rc, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	rc = write_all(f);
	if (fclose(f) != 0)
		rc = -1;
	/* rename(2): readers see the old file or the new one, never half. */
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
	}
	return rc;
}

/* The writer thread. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	bool stop;
	const char *path;
	unsigned int interval;
} w = { .mu = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER };

static void
write_logged(const char *path)
{
	if (mstat_write(path) != 0)
		mlog(MLOG_WARN, "writing stats file", "path", path, "err",
		    strerror(errno), (const char *)NULL);
}

static void *
writer(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&w.mu);
	while (!w.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += w.interval;
		while (!w.stop &&
		    pthread_cond_timedwait(&w.cond, &w.mu, &until) != ETIMEDOUT)
			;
		if (w.stop)
			break;
		pthread_mutex_unlock(&w.mu);
		write_logged(w.path);
		pthread_mutex_lock(&w.mu);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

int
mstat_start(const char *path, unsigned int interval)
{
	int rc;

	start_time = (int64_t)time(NULL);
	if (path == NULL)
		return 0;
	w.path = path;
	w.interval = interval > 0 ? interval : 10;
	w.stop = false;
	write_logged(path);
	rc = pthread_create(&w.thread, NULL, writer, NULL);
	if (rc != 0) {
		mlog(MLOG_ERROR, "starting stats thread", "err", strerror(rc),
		    (const char *)NULL);
		return -1;
	}
	w.running = true;
	return 0;
}

void
mstat_stop(void)
{
	if (!w.running)
		return;
	pthread_mutex_lock(&w.mu);
	w.stop = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.mu);
	pthread_join(w.thread, NULL);
	w.running = false;
	write_logged(w.path);
}

/* ------------------------------------------------- mox-milter stats */

static void
stats_usage(FILE *f)
{
	fputs("usage: mox-milter stats [-config FILE] [-file PATH]\n"
	      "           [-prometheus]\n"
	      "\n"
	      "Prints the counters of the running daemon, from the\n"
	      "Prometheus text file it writes (Stats.File in the config, or\n"
	      "-stats-file). By default as a table of name and value; with\n"
	      "-prometheus the file as it is. Exit status 0 on success, 1\n"
	      "when the file cannot be read, 2 on a usage error.\n"
	      "\n"
	      "  -config FILE   config file to take the file name from\n"
	      "                 (default " MILTER_CONFIG_DEFAULT
	      " when it\n"
	      "                 exists)\n"
	      "  -file PATH     the counters file\n"
	      "  -prometheus    print the Prometheus text as is\n",
	    f);
}

/* "mox_milter_spf_results_total{result="pass"} 12" as "spf pass" and
 * "12" in a table; other lines are skipped. */
static void
print_row(const char *line)
{
	char name[128], label[64];
	const char *p = line, *sp, *brace, *q;
	size_t n;

	if (*p == '#' || *p == '\0')
		return;
	sp = strrchr(p, ' ');
	if (sp == NULL)
		return;
	brace = memchr(p, '{', (size_t)(sp - p));
	n = (size_t)((brace != NULL ? brace : sp) - p);
	if (n >= sizeof(name))
		return;
	memcpy(name, p, n);
	name[n] = '\0';
	label[0] = '\0';
	if (brace != NULL && (q = strchr(brace, '"')) != NULL) {
		const char *e = strchr(q + 1, '"');

		if (e != NULL && (size_t)(e - q - 1) < sizeof(label)) {
			memcpy(label, q + 1, (size_t)(e - q - 1));
			label[e - q - 1] = '\0';
		}
	}
	p = name;
	if (strncmp(p, "mox_milter_", 11) == 0)
		p += 11;
	n = strlen(p);
	if (n > 6 && strcmp(p + n - 6, "_total") == 0)
		name[(size_t)(p - name) + n - 6] = '\0';
	n = strlen(p);
	if (n > 8 && strcmp(p + n - 8, "_results") == 0)
		name[(size_t)(p - name) + n - 8] = '\0';
	if (label[0] != '\0') {
		char both[200];

		snprintf(both, sizeof(both), "%s %s", p, label);
		printf("%-24s %s\n", both, sp + 1);
	} else {
		printf("%-24s %s\n", p, sp + 1);
	}
}

int
stats_main(int argc, char **argv)
{
	const char *config = NULL, *file = NULL;
	struct mconf *c = NULL;
	bool prom = false;
	char err[1024], line[1024];
	FILE *f;
	int i, status = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-help") == 0 || strcmp(a, "-h") == 0 ||
		    strcmp(a, "--help") == 0) {
			stats_usage(stdout);
			return 0;
		}
		if (strcmp(a, "-prometheus") == 0) {
			prom = true;
		} else if ((strcmp(a, "-config") == 0 ||
		    strcmp(a, "-file") == 0) && i + 1 < argc) {
			if (strcmp(a, "-config") == 0)
				config = argv[++i];
			else
				file = argv[++i];
		} else {
			fprintf(stderr, "mox-milter stats: bad argument %s\n",
			    a);
			stats_usage(stderr);
			return MILTER_EXIT_USAGE;
		}
	}
	if (file == NULL) {
		if (config == NULL && access(MILTER_CONFIG_DEFAULT, F_OK) == 0)
			config = MILTER_CONFIG_DEFAULT;
		if (config == NULL) {
			fprintf(stderr, "mox-milter stats: no counters file: "
			    "use -file or -config\n");
			return MILTER_EXIT_USAGE;
		}
		c = mconf_new();
		if (c == NULL) {
			fprintf(stderr, "mox-milter stats: out of memory\n");
			return 1;
		}
		if (mconf_load(c, config, err, sizeof(err)) != 0) {
			fprintf(stderr, "mox-milter stats: %s\n", err);
			goto out;
		}
		if (c->stats_file == NULL) {
			fprintf(stderr, "mox-milter stats: %s sets no "
			    "Stats.File\n", config);
			goto out;
		}
		file = c->stats_file;
	}
	f = fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "mox-milter stats: %s: %s\n", file,
		    strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (prom) {
			fputs(line, stdout);
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		print_row(line);
	}
	status = ferror(f) ? 1 : 0;
	fclose(f);
	if (fflush(stdout) != 0)
		status = 1;
out:
	mconf_free(c);
	return status;
}
